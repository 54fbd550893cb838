/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SPICE "GLZ" images: LZ with a dictionary spanning images. A match may
 * point into an earlier image of the window (image_dist images back, at a
 * pixel offset) as well as into the current one. Header (big endian):
 * magic, version, a type|top_down byte, width, height, stride, the image
 * id (64 bits) and win_head_dist (images older than id - win_head_dist
 * will never be referenced again and are released).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spiceclient/pixfmt.h"

enum { GLZ_RGB16 = 6, GLZ_RGB24, GLZ_RGB32, GLZ_RGBA };

#define GLZ_MAGIC 0x20205a4cu
#define GLZ_VERSION 0x00010001u
#define GLZ_HEADER 33
#define GLZ_MAX_IMAGES 4096

struct glz_image {
	uint64_t id;
	uint32_t *px;	 /* in stream order (top-down or not) */
	size_t pixels;
};

struct spice_glz {
	struct glz_image img[GLZ_MAX_IMAGES]; /* a ring, oldest at head */
	unsigned head, n;
	uint64_t pixels, max_pixels;
	/* The largest buffer released, for the next image: a full-screen
	 * image is 8 MB that would be mapped and faulted in anew each time. */
	uint32_t *spare;
	size_t spare_pixels;
};

int spice_glz_new(struct spice_glz **out, uint64_t max_pixels)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->max_pixels = max_pixels;
	return 0;
}

static void drop_oldest(struct spice_glz *g)
{
	struct glz_image *im = &g->img[g->head];

	g->pixels -= im->pixels;
	if (im->pixels > g->spare_pixels) {
		free(g->spare);
		g->spare = im->px;
		g->spare_pixels = im->pixels;
	} else {
		free(im->px);
	}
	im->px = NULL;
	g->head = (g->head + 1) % GLZ_MAX_IMAGES;
	g->n--;
}

void spice_glz_clear(struct spice_glz *g)
{
	while (g && g->n)
		drop_oldest(g);
	if (g) {
		free(g->spare);
		g->spare = NULL;
		g->spare_pixels = 0;
	}
}

void spice_glz_free(struct spice_glz *g)
{
	spice_glz_clear(g);
	free(g);
}

static const struct glz_image *find(const struct spice_glz *g, uint64_t id)
{
	for (unsigned i = g->n; i-- > 0;) {
		const struct glz_image *im = &g->img[(g->head + i) % GLZ_MAX_IMAGES];
		if (im->id == id)
			return im;
	}
	return NULL;
}

struct glz_in {
	const uint8_t *p, *end;
	bool short_read;
};

static inline uint8_t in_byte(struct glz_in *in)
{
	if (in->p < in->end)
		return *in->p++;
	in->short_read = true;
	return 0;
}

/* One stream of @n units; @alpha: the byte plane into pixel byte 3. */
static int glz_run(const struct spice_glz *g, struct glz_in *in, uint64_t id,
		   uint32_t head_dist, uint32_t *out, size_t n, uint32_t type,
		   bool alpha)
{
	uint32_t bias = alpha ? 2 : type == GLZ_RGB16 ? 1 : 0;
	size_t op = 0;

	while (op < n) {
		uint32_t ctrl = in_byte(in);
		if (ctrl < 32) {
			if (ctrl + 1 > n - op)
				return -EBADMSG;
			/* The common case, all bytes at hand: no test per byte. */
			if (!alpha && type != GLZ_RGB16 &&
			    (size_t)(in->end - in->p) >= 3 * (ctrl + 1)) {
				const uint8_t *b = in->p;
				for (uint32_t i = 0; i <= ctrl; i++, op++, b += 3)
					out[op] = b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
				in->p = b;
				continue;
			}
			for (uint32_t i = 0; i <= ctrl; i++, op++) {
				if (alpha) {
					out[op] = (out[op] & 0xffffff) | (uint32_t)in_byte(in) << 24;
				} else if (type == GLZ_RGB16) {
					uint32_t v = (uint32_t)in_byte(in) << 8;
					v |= in_byte(in);
					uint32_t r = v >> 10 & 31, gg = v >> 5 & 31, b = v & 31;
					out[op] = (r << 3 | r >> 2) << 16 | (gg << 3 | gg >> 2) << 8 |
						  (b << 3 | b >> 2);
				} else {
					uint32_t v = in_byte(in);
					v |= (uint32_t)in_byte(in) << 8;
					out[op] = v | (uint32_t)in_byte(in) << 16;
				}
			}
		} else {
			uint32_t len = ctrl >> 5, pixel_ofs = ctrl & 0x0f, image_dist;
			bool long_ofs = ctrl >> 4 & 1;
			uint8_t code;

			if (len == 7)
				do {
					code = in_byte(in);
					len += code;
				} while (code == 255 && !in->short_read);
			pixel_ofs += (uint32_t)in_byte(in) << 4;
			code = in_byte(in);
			unsigned image_bytes = code >> 6 & 3;
			if (!long_ofs) {
				image_dist = code & 0x3f;
				for (unsigned i = 0; i < image_bytes; i++)
					image_dist += (uint32_t)in_byte(in) << (6 + 8 * i);
			} else {
				bool very_long = code >> 5 & 1;
				pixel_ofs += (uint32_t)(code & 0x1f) << 12;
				image_dist = 0;
				for (unsigned i = 0; i < image_bytes; i++)
					image_dist += (uint32_t)in_byte(in) << (8 * i);
				if (very_long)
					pixel_ofs += (uint32_t)in_byte(in) << 17;
			}
			len += bias;
			if (in->short_read || len > n - op)
				return -EBADMSG;
			const uint32_t *ref;
			if (!image_dist) {
				pixel_ofs += 1;
				if (pixel_ofs > op)
					return -EBADMSG;
				ref = out + op - pixel_ofs;
			} else {
				/* Only images the header says are in reach. */
				const struct glz_image *im = image_dist > head_dist || image_dist > id ?
							     NULL : find(g, id - image_dist);
				if (!im || pixel_ofs > im->pixels || len > im->pixels - pixel_ofs)
					return -ENOENT;
				ref = im->px + pixel_ofs;
			}
			if (alpha)
				for (uint32_t i = 0; i < len; i++, op++)
					out[op] = (out[op] & 0xffffff) | (ref[i] & 0xff000000);
			else
				for (uint32_t i = 0; i < len; i++, op++)
					out[op] = ref[i]; /* forward: overlapping runs repeat */
		}
		if (in->short_read)
			return -EBADMSG;
	}
	return 0;
}

int spice_glz_decode(struct spice_glz *g, const uint8_t *data, size_t len,
		     uint32_t want_w, uint32_t want_h, struct spice_pixels *out,
		     struct errmsg *err)
{
	if (len < GLZ_HEADER || get_be32(data) != GLZ_MAGIC || get_be32(data + 4) != GLZ_VERSION)
		return errmsg_set(err, -EBADMSG, "glz: bad header");
	uint32_t type = data[8] & 0x0f, w = get_be32(data + 9), h = get_be32(data + 13);
	bool top_down = data[8] >> 4;
	uint64_t id = (uint64_t)get_be32(data + 21) << 32 | get_be32(data + 25);
	uint32_t head_dist = get_be32(data + 29);
	struct glz_in in = { data + GLZ_HEADER, data + len, false };
	size_t n;
	int rc;

	if (type < GLZ_RGB16 || type > GLZ_RGBA)
		return errmsg_set(err, -EBADMSG, "glz: unsupported image type %u", type);
	if ((want_w && w != want_w) || (want_h && h != want_h))
		return errmsg_set(err, -EBADMSG, "glz: stream is %ux%u, image %ux%u", w, h,
				  want_w, want_h);
	if (w > SPICE_MAX_SIDE || h > SPICE_MAX_SIDE || !w || !h ||
	    (uint64_t)w * h > SPICE_MAX_AREA)
		return errmsg_set(err, -EBADMSG, "glz: image size %ux%u out of range", w, h);
	/* Matches reach back into earlier images: a byte can still only
	 * describe a bounded number of pixels. */
	if ((uint64_t)w * h > (uint64_t)(len - GLZ_HEADER) * 255 * 2 + 1024)
		return errmsg_set(err, -EBADMSG, "glz: %zu bytes cannot hold a %ux%u image",
				  len, w, h);
	if (g->n && id <= g->img[(g->head + g->n - 1) % GLZ_MAX_IMAGES].id)
		return errmsg_set(err, -EBADMSG, "glz: image id %llu out of order",
				  (unsigned long long)id);
	n = (size_t)w * h;
	/* The buffer of an image released after the previous one, if any. */
	uint32_t *px;
	if (g->spare && g->spare_pixels >= n) {
		px = g->spare;
		g->spare = NULL;
		g->spare_pixels = 0;
	} else if (!(px = malloc(n * 4))) {
		return errmsg_set(err, -ENOMEM, "glz: no memory");
	}
	rc = glz_run(g, &in, id, head_dist, px, n, type, false);
	if (rc == 0 && type == GLZ_RGBA)
		rc = glz_run(g, &in, id, head_dist, px, n, type, true);
	if (rc < 0) {
		free(px);
		return errmsg_set(err, -EBADMSG, rc == -ENOENT ?
				  "glz: reference to an image outside the dictionary" :
				  "glz: corrupt %ux%u stream", w, h);
	}
	/* The picture, in top-down order. */
	if ((rc = pixels_alloc(out, w, h, err)) < 0) {
		free(px);
		return rc;
	}
	for (uint32_t y = 0; y < h; y++)
		memcpy(out->px + (size_t)y * w, px + (size_t)(top_down ? y : h - 1 - y) * w,
		       (size_t)w * 4);
	/* Into the dictionary; release what the server says is out of reach
	 * and, past our memory bound, the oldest. */
	while (g->n && g->img[g->head].id + head_dist < id)
		drop_oldest(g);
	while (g->n && (g->n == GLZ_MAX_IMAGES || g->pixels + n > g->max_pixels))
		drop_oldest(g);
	struct glz_image *im = &g->img[(g->head + g->n) % GLZ_MAX_IMAGES];
	im->id = id;
	im->px = px;
	im->pixels = n;
	g->n++;
	g->pixels += n;
	return 0;
}
