/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SPICE "LZ" images: a 28-byte big-endian header (magic, version, type,
 * width, height, stride, top_down) and an LZ77 stream in the FastLZ
 * style: a control byte below 32 is a run of ctrl+1 literal units, else
 * its top 3 bits are a match length and the low 5 the high bits of a
 * distance, with 255-continued lengths and a 16-bit far-distance escape.
 * Units are pixels for the RGB types and bytes for palette and alpha
 * planes. Every reference and length is checked against the output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>


#include "spiceclient/pixfmt.h"

enum { LZ_PLT1_LE = 1, LZ_PLT1_BE, LZ_PLT4_LE, LZ_PLT4_BE, LZ_PLT8,
       LZ_RGB16, LZ_RGB24, LZ_RGB32, LZ_RGBA, LZ_XXXA, LZ_A8 };

#define LZ_MAGIC 0x20205a4cu /* "LZ  " read as a little-endian word */
#define LZ_VERSION 0x00010001u
#define LZ_MAX_COPY 32
#define LZ_MAX_DISTANCE 8191

struct lz_in {
	const uint8_t *p, *end;
	bool short_read;
};

static inline uint8_t in_byte(struct lz_in *in)
{
	if (in->p < in->end)
		return *in->p++;
	in->short_read = true;
	return 0;
}

/*
 * One match's length and distance after control byte @ctrl (>= 32).
 * @bias is the minimum match the encoder used for this unit type.
 */
static inline __attribute__((always_inline)) void
lz_match(struct lz_in *in, uint32_t ctrl, uint32_t bias,
		     uint32_t *len, uint32_t *dist)
{
	uint32_t l = (ctrl >> 5) - 1, ofs = (ctrl & 31) << 8;
	uint8_t code;

	if (l == 6)
		do {
			code = in_byte(in);
			l += code;
		} while (code == 255 && !in->short_read);
	code = in_byte(in);
	ofs += code;
	if (code == 255 && ofs - code == 31u << 8) {
		ofs = (uint32_t)in_byte(in) << 8;
		ofs += in_byte(in);
		ofs += LZ_MAX_DISTANCE;
	}
	*len = l + bias;
	*dist = ofs + 1;
}

static inline uint32_t rgb555_be(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] << 8 | p[1];
	uint32_t r = v >> 10 & 31, g = v >> 5 & 31, b = v & 31;
	return (r << 3 | r >> 2) << 16 | (g << 3 | g >> 2) << 8 | (b << 3 | b >> 2);
}

/* Pixels: literals are @lit_bytes each (2: RGB555 BE, 3: B G R). */
static int lz_pixels(struct lz_in *in, uint32_t *out, size_t n, int lit_bytes)
{
	size_t op = 0;
	uint32_t bias = lit_bytes == 2 ? 2 : 1;

	while (op < n) {
		uint32_t ctrl = in_byte(in);
		if (ctrl < LZ_MAX_COPY) {
			size_t cnt = ctrl + 1, need = cnt * (size_t)lit_bytes;
			if (cnt > n - op || need > (size_t)(in->end - in->p))
				return -EBADMSG;
			const uint8_t *p = in->p;
			uint32_t *o = out + op;
			if (lit_bytes == 2)
				for (size_t i = 0; i < cnt; i++, p += 2)
					o[i] = rgb555_be(p);
			else
				for (size_t i = 0; i < cnt; i++, p += 3)
					o[i] = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
			in->p += need;
			op += cnt;
		} else {
			uint32_t len, dist;
			lz_match(in, ctrl, bias, &len, &dist);
			if (dist > op || len > n - op)
				return -EBADMSG;
			uint32_t *o = out + op;
			const uint32_t *ref = o - dist;
			if (dist == 1) {
				uint32_t v = *ref;
				for (uint32_t i = 0; i < len; i++)
					o[i] = v;
			} else if (dist >= len && len > 16) {
				memcpy(o, ref, (size_t)len * 4);
			} else {
				for (uint32_t i = 0; i < len; i++)
					o[i] = ref[i]; /* overlapping: a repeating pattern */
			}
			op += len;
		}
		if (in->short_read)
			return -EBADMSG;
	}
	return 0;
}

/* Byte units every @step bytes of @out (palette indices, alpha planes). */
static int lz_bytes(struct lz_in *in, uint8_t *out, size_t n, size_t step)
{
	size_t op = 0;

	while (op < n) {
		uint32_t ctrl = in_byte(in);
		if (ctrl < LZ_MAX_COPY) {
			if (ctrl + 1 > n - op)
				return -EBADMSG;
			for (uint32_t i = 0; i <= ctrl; i++)
				out[step * op++] = in_byte(in);
		} else {
			uint32_t len, dist;
			lz_match(in, ctrl, 3, &len, &dist);
			if (dist > op || len > n - op)
				return -EBADMSG;
			for (uint32_t i = 0; i < len; i++, op++)
				out[step * op] = out[step * (op - dist)];
		}
		if (in->short_read)
			return -EBADMSG;
	}
	return 0;
}

static int lz_palette(struct lz_in *in, uint32_t type, uint32_t stride,
		      const uint32_t *palette, unsigned n_palette,
		      struct spice_pixels *out, struct errmsg *err)
{
	static const uint8_t fmt_of[] = {
		[LZ_PLT1_LE] = SPICE_BITMAP_FMT_1BIT_LE,
		[LZ_PLT1_BE] = SPICE_BITMAP_FMT_1BIT_BE,
		[LZ_PLT4_LE] = SPICE_BITMAP_FMT_4BIT_LE,
		[LZ_PLT4_BE] = SPICE_BITMAP_FMT_4BIT_BE,
		[LZ_PLT8] = SPICE_BITMAP_FMT_8BIT,
	};
	uint8_t fmt = fmt_of[type];
	size_t n = (size_t)stride * out->height;
	uint8_t *idx;

	if (!palette)
		return errmsg_set(err, -EBADMSG, "lz: palette image without a palette");
	if (stride < pixfmt_row_bytes(fmt, out->width) || stride > 4 * (uint64_t)out->width + 8)
		return errmsg_set(err, -EBADMSG, "lz: bad palette stride %u", stride);
	idx = malloc(n);
	if (!idx)
		return errmsg_set(err, -ENOMEM, "lz: no memory");
	int rc = lz_bytes(in, idx, n, 1);
	if (rc == 0)
		for (uint32_t y = 0; y < out->height; y++)
			pixfmt_row_to_rgb32(fmt, idx + (size_t)y * stride, out->width,
					    palette, n_palette,
					    out->px + (size_t)y * out->width);
	free(idx);
	return rc < 0 ? errmsg_set(err, rc, "lz: corrupt palette stream") : 0;
}

int spice_lz_decode(const uint8_t *data, size_t len, const uint32_t *palette,
		    unsigned n_palette, uint32_t want_w, uint32_t want_h,
		    struct spice_pixels *out, struct errmsg *err)
{
	struct lz_in in = { data + 28, data + len, false };
	uint32_t type, w, h, stride, top_down;
	size_t n;
	int rc;

	if (len < 28 || get_be32(data) != LZ_MAGIC)
		return errmsg_set(err, -EBADMSG, "lz: bad magic");
	if (get_be32(data + 4) != LZ_VERSION)
		return errmsg_set(err, -EBADMSG, "lz: unknown version %#x", get_be32(data + 4));
	type = get_be32(data + 8);
	w = get_be32(data + 12);
	h = get_be32(data + 16);
	stride = get_be32(data + 20);
	top_down = get_be32(data + 24);
	if (type < LZ_PLT1_LE || type > LZ_XXXA)
		return errmsg_set(err, -EBADMSG, "lz: unsupported image type %u", type);
	if ((want_w && w != want_w) || (want_h && h != want_h))
		return errmsg_set(err, -EBADMSG, "lz: stream is %ux%u, image %ux%u",
				  w, h, want_w, want_h);
	/* A byte of stream makes at most 255 units: refuse memory bombs early. */
	if ((uint64_t)w * h * (type == LZ_RGBA ? 2 : 1) > (uint64_t)(len - 28) * 255 + 1024)
		return errmsg_set(err, -EBADMSG, "lz: %zu bytes cannot hold a %ux%u image",
				  len, w, h);
	rc = pixels_alloc(out, w, h, err);
	if (rc < 0)
		return rc;
	n = (size_t)w * h;
	switch (type) {
	case LZ_RGB16:
		rc = lz_pixels(&in, out->px, n, 2);
		break;
	case LZ_RGB24:
	case LZ_RGB32:
		rc = lz_pixels(&in, out->px, n, 3);
		break;
	case LZ_RGBA:
		rc = lz_pixels(&in, out->px, n, 3);
		if (rc == 0)
			rc = lz_bytes(&in, (uint8_t *)out->px + 3, n, 4);
		break;
	case LZ_XXXA:
		memset(out->px, 0, n * 4);
		rc = lz_bytes(&in, (uint8_t *)out->px + 3, n, 4);
		break;
	default:
		rc = lz_palette(&in, type, stride, palette, n_palette, out, err);
		if (rc < 0) {
			spice_pixels_free(out);
			return rc;
		}
	}
	if (rc < 0) {
		spice_pixels_free(out);
		return errmsg_set(err, rc, "lz: corrupt %ux%u stream", w, h);
	}
	if (!top_down)
		pixels_flip(out);
	return 0;
}
