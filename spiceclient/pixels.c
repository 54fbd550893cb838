/* SPDX-License-Identifier: GPL-2.0-only */
/* Pictures and the pixel formats SPICE bitmaps come in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>


#include "spiceclient/pixfmt.h"

void spice_pixels_free(struct spice_pixels *p)
{
	free(p->px);
	p->px = NULL;
	p->width = p->height = 0;
	p->cap = 0;
}

int pixels_alloc(struct spice_pixels *p, uint32_t w, uint32_t h,
		 struct errmsg *err)
{
	p->width = p->height = 0;
	if (!w || !h || w > SPICE_MAX_SIDE || h > SPICE_MAX_SIDE ||
	    (uint64_t)w * h > SPICE_MAX_AREA)
		return errmsg_set(err, -EBADMSG, "image size %ux%u out of range", w, h);
	if (!p->px || p->cap < (size_t)w * h) { /* else reuse: no page faults */
		free(p->px);
		p->cap = 0;
		p->px = malloc((size_t)w * h * 4);
		if (!p->px)
			return errmsg_set(err, -ENOMEM, "no memory for a %ux%u image", w, h);
		p->cap = (size_t)w * h;
	}
	p->width = w;
	p->height = h;
	return 0;
}

void pixels_flip(struct spice_pixels *p)
{
	size_t row = (size_t)p->width;

	for (uint32_t y = 0; y < p->height / 2; y++) {
		uint32_t *a = p->px + y * row, *b = p->px + (p->height - 1 - y) * row;
		for (size_t x = 0; x < row; x++) {
			uint32_t t = a[x];
			a[x] = b[x];
			b[x] = t;
		}
	}
}

/* Bytes one row of @w pixels takes in @fmt; 0 for unknown formats. */
uint64_t pixfmt_row_bytes(uint8_t fmt, uint32_t w)
{
	switch (fmt) {
	case SPICE_BITMAP_FMT_1BIT_LE:
	case SPICE_BITMAP_FMT_1BIT_BE:
		return ((uint64_t)w + 7) / 8;
	case SPICE_BITMAP_FMT_4BIT_LE:
	case SPICE_BITMAP_FMT_4BIT_BE:
		return ((uint64_t)w + 1) / 2;
	case SPICE_BITMAP_FMT_8BIT:
	case SPICE_BITMAP_FMT_8BIT_A:
		return w;
	case SPICE_BITMAP_FMT_16BIT:
		return (uint64_t)w * 2;
	case SPICE_BITMAP_FMT_24BIT:
		return (uint64_t)w * 3;
	case SPICE_BITMAP_FMT_32BIT:
	case SPICE_BITMAP_FMT_RGBA:
		return (uint64_t)w * 4;
	}
	return 0;
}

static inline uint32_t pal(const uint32_t *p, unsigned n, unsigned i)
{
	return i < n ? p[i] & 0xffffff : 0;
}

static inline uint32_t rgb555(uint16_t v)
{
	uint32_t r = v >> 10 & 31, g = v >> 5 & 31, b = v & 31;
	return (r << 3 | r >> 2) << 16 | (g << 3 | g >> 2) << 8 | (b << 3 | b >> 2);
}

/* One row in @fmt (pixfmt_row_bytes(fmt, w) bytes at @s) into x8r8g8b8. */
void pixfmt_row_to_rgb32(uint8_t fmt, const uint8_t *s, uint32_t w,
			 const uint32_t *p, unsigned n, uint32_t *d)
{
	switch (fmt) {
	case SPICE_BITMAP_FMT_1BIT_LE:
		for (uint32_t x = 0; x < w; x++)
			d[x] = pal(p, n, s[x / 8] >> (x % 8) & 1);
		break;
	case SPICE_BITMAP_FMT_1BIT_BE:
		for (uint32_t x = 0; x < w; x++)
			d[x] = pal(p, n, s[x / 8] >> (7 - x % 8) & 1);
		break;
	case SPICE_BITMAP_FMT_4BIT_LE:
		for (uint32_t x = 0; x < w; x++)
			d[x] = pal(p, n, s[x / 2] >> (x % 2 ? 4 : 0) & 15);
		break;
	case SPICE_BITMAP_FMT_4BIT_BE:
		for (uint32_t x = 0; x < w; x++)
			d[x] = pal(p, n, s[x / 2] >> (x % 2 ? 0 : 4) & 15);
		break;
	case SPICE_BITMAP_FMT_8BIT:
		for (uint32_t x = 0; x < w; x++)
			d[x] = pal(p, n, s[x]);
		break;
	case SPICE_BITMAP_FMT_8BIT_A:
		for (uint32_t x = 0; x < w; x++)
			d[x] = (uint32_t)s[x] << 24;
		break;
	case SPICE_BITMAP_FMT_16BIT:
		for (uint32_t x = 0; x < w; x++)
			d[x] = rgb555(get_le16(s + 2 * x));
		break;
	case SPICE_BITMAP_FMT_24BIT:
		for (uint32_t x = 0; x < w; x++)
			d[x] = s[3 * x] | s[3 * x + 1] << 8 | (uint32_t)s[3 * x + 2] << 16;
		break;
	case SPICE_BITMAP_FMT_32BIT:
		for (uint32_t x = 0; x < w; x++) {
			uint32_t v;
			memcpy(&v, s + 4 * x, 4); /* x86: little endian, vectorizes */
			d[x] = v & 0xffffff;
		}
		break;
	case SPICE_BITMAP_FMT_RGBA:
		memcpy(d, s, (size_t)w * 4);
		break;
	}
}

int spice_bitmap_decode(uint8_t fmt, bool top_down, const uint8_t *data,
			size_t len, uint32_t width, uint32_t height,
			uint32_t stride, const uint32_t *palette,
			unsigned n_palette, struct spice_pixels *out,
			struct errmsg *err)
{
	uint64_t row = pixfmt_row_bytes(fmt, width);
	int rc;

	if (!row)
		return errmsg_set(err, -EBADMSG, "bitmap: unknown format %u", fmt);
	if (stride < row || (uint64_t)stride * height > len)
		return errmsg_set(err, -EBADMSG,
				  "bitmap: %ux%u stride %u does not fit in %zu bytes",
				  width, height, stride, len);
	rc = pixels_alloc(out, width, height, err);
	if (rc < 0)
		return rc;
	for (uint32_t y = 0; y < height; y++) {
		uint32_t src_y = top_down ? y : height - 1 - y;
		pixfmt_row_to_rgb32(fmt, data + (size_t)src_y * stride, width,
				    palette, n_palette, out->px + (size_t)y * width);
	}
	return 0;
}
