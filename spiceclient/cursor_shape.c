/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cursor shapes as SPICE sends them, into non-premultiplied ARGB:
 *  - ALPHA: ARGB words (QEMU and QXL guests);
 *  - MONO: an AND plane then an XOR plane, 1 bit a pixel;
 *  - COLOR4, COLOR8: 4- or 8-bit palette indices (high nibble first),
 *    then the palette (16 or 256 words 0x00RRGGBB), then the AND mask;
 *  - COLOR16: 0RRRRRGGGGGBBBBB words, then the AND mask;
 *  - COLOR24: B, G, R bytes, then the AND mask;
 *  - COLOR32: 0x00RRGGBB words, then the AND mask.
 * Rows are whole bytes: a 4-bit row of odd width ends in half a byte, a
 * mask row takes (width + 7) / 8 bytes. These are the Windows cursor
 * rules: where the mask is set the screen shows through, XORed with the
 * colour, which only a white colour visibly does ("invert"); inverting
 * is drawn black, as for MONO, so that such a pointer (an I-beam) stays
 * visible.
 */
#include <errno.h>

#include "spiceclient/display_int.h"

#define CURSOR_MAX_SIDE 512
#define OPAQUE 0xff000000u

static inline bool bit_at(const uint8_t *row, uint32_t x)
{
	return row[x / 8] >> (7 - x % 8) & 1;
}

/* Bits per pixel and palette entries of the colour types. */
static bool colour_format(uint8_t type, unsigned *bpp, unsigned *palette)
{
	*palette = 0;
	switch (type) {
	case SPICE_CURSOR_TYPE_COLOR4:
		*bpp = 4;
		*palette = 16;
		return true;
	case SPICE_CURSOR_TYPE_COLOR8:
		*bpp = 8;
		*palette = 256;
		return true;
	case SPICE_CURSOR_TYPE_COLOR16:
		*bpp = 16;
		return true;
	case SPICE_CURSOR_TYPE_COLOR24:
		*bpp = 24;
		return true;
	case SPICE_CURSOR_TYPE_COLOR32:
		*bpp = 32;
		return true;
	default:
		return false;
	}
}

/* Pixel @x of a colour row as 0x00RRGGBB. */
static uint32_t colour_at(const uint8_t *row, uint32_t x, unsigned bpp,
			  const uint8_t *palette)
{
	switch (bpp) {
	case 4: {
		unsigned idx = row[x / 2] >> (x % 2 ? 0 : 4) & 15;
		return get_le32(palette + 4 * idx) & 0xffffff;
	}
	case 8:
		return get_le32(palette + 4 * row[x]) & 0xffffff;
	case 16: {
		uint32_t v = get_le16(row + 2 * x), o = 0;
		for (unsigned sh = 0; sh < 15; sh += 5) { /* 5 bits → 8, as v << 3 | v >> 2 */
			uint32_t c = v >> sh & 31;
			o |= (c << 3 | c >> 2) << (sh / 5 * 8);
		}
		return o;
	}
	case 24:
		return (uint32_t)row[3 * x + 2] << 16 | (uint32_t)row[3 * x + 1] << 8 | row[3 * x];
	default:
		return get_le32(row + 4 * x) & 0xffffff;
	}
}

static void decode_colour(uint32_t w, uint32_t h, const uint8_t *p, unsigned bpp,
			  unsigned palette, uint32_t *out)
{
	size_t stride = ((size_t)w * bpp + 7) / 8, mask_stride = (w + 7) / 8;
	const uint8_t *pal = p + stride * h, *mask = pal + 4 * palette;

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t c = colour_at(p + y * stride, x, bpp, pal);
			bool and = bit_at(mask + y * mask_stride, x);
			/* White 16-bit is 0x7fff: widened, it is 0xffffff too. */
			out[(size_t)y * w + x] = !and ? OPAQUE | c : c == 0xffffff ? OPAQUE : 0;
		}
}

static void decode_mono(uint32_t w, uint32_t h, const uint8_t *p, uint32_t *out)
{
	size_t mask_stride = (w + 7) / 8;

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			/* AND then XOR planes: 1/0 see-through, 0/0 black,
			 * 0/1 white, 1/1 "invert" (drawn black). */
			bool and = bit_at(p + y * mask_stride, x);
			bool xor = bit_at(p + (h + y) * mask_stride, x);
			out[(size_t)y * w + x] = and && !xor ? 0 : xor && !and ? 0xffffffffu : OPAQUE;
		}
}

int cursor_shape_decode(uint8_t type, uint32_t w, uint32_t h, const uint8_t *p,
			size_t len, struct spice_pixels *out, struct errmsg *err)
{
	size_t mask_bytes = (size_t)(w + 7) / 8 * h, need;
	unsigned bpp = 0, palette = 0;
	int rc;

	if (!w || !h || w > CURSOR_MAX_SIDE || h > CURSOR_MAX_SIDE)
		return errmsg_set(err, -EBADMSG, "cursor of %ux%u pixels", w, h);
	if (type == SPICE_CURSOR_TYPE_ALPHA)
		need = (size_t)w * h * 4;
	else if (type == SPICE_CURSOR_TYPE_MONO)
		need = 2 * mask_bytes;
	else if (colour_format(type, &bpp, &palette))
		need = ((size_t)w * bpp + 7) / 8 * h + 4 * (size_t)palette + mask_bytes;
	else
		return errmsg_set(err, -ENOTSUP, "cursor type %u not supported", type);
	if (len < need)
		return errmsg_set(err, -EBADMSG, "cursor data of %zu bytes, %ux%u needs %zu",
				  len, w, h, need);
	rc = pixels_alloc(out, w, h, err);
	if (rc < 0)
		return rc;
	if (type == SPICE_CURSOR_TYPE_ALPHA)
		for (size_t i = 0; i < (size_t)w * h; i++)
			out->px[i] = get_le32(p + 4 * i);
	else if (type == SPICE_CURSOR_TYPE_MONO)
		decode_mono(w, h, p, out->px);
	else
		decode_colour(w, h, p, bpp, palette, out->px);
	return 0;
}
