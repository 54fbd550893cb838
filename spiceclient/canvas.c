/* SPDX-License-Identifier: GPL-2.0-only */
/* Software drawing on x8r8g8b8 pictures: fills, blits, ROPs, blending. */
#include <string.h>


#include "spiceclient/pixfmt.h"

bool rect_intersect(const struct rect *a, const struct rect *b, struct rect *out)
{
	out->left = MAX(a->left, b->left);
	out->top = MAX(a->top, b->top);
	out->right = MIN(a->right, b->right);
	out->bottom = MIN(a->bottom, b->bottom);
	return !rect_empty(out);
}

struct rect rect_of(const struct spice_pixels *p)
{
	return (struct rect){ 0, 0, (int32_t)p->width, (int32_t)p->height };
}

uint32_t rop_pixel(uint16_t rop, uint32_t s, uint32_t d)
{
	uint32_t r;

	if (rop & SPICE_ROPD_INVERS_SRC)
		s = ~s;
	if (rop & SPICE_ROPD_INVERS_DEST)
		d = ~d;
	if (rop & SPICE_ROPD_OP_PUT)
		r = s;
	else if (rop & SPICE_ROPD_OP_OR)
		r = s | d;
	else if (rop & SPICE_ROPD_OP_AND)
		r = s & d;
	else if (rop & SPICE_ROPD_OP_XOR)
		r = s ^ d;
	else if (rop & SPICE_ROPD_OP_BLACKNESS)
		r = 0;
	else if (rop & SPICE_ROPD_OP_WHITENESS)
		r = 0xffffff;
	else if (rop & SPICE_ROPD_OP_INVERS)
		r = ~d;
	else
		r = s; /* no operation given: a plain copy */
	if (rop & SPICE_ROPD_INVERS_RES)
		r = ~r;
	return r;
}

static inline bool rop_is_put(uint16_t rop)
{
	return !(rop & ~SPICE_ROPD_OP_PUT) || rop == 0;
}

static inline uint32_t *row(struct spice_pixels *p, int32_t y)
{
	return p->px + (size_t)y * p->width;
}

static inline const uint32_t *crow(const struct spice_pixels *p, int32_t y)
{
	return p->px + (size_t)y * p->width;
}

void canvas_fill(struct spice_pixels *dst, const struct rect *r,
		 uint32_t color, uint16_t rop)
{
	for (int32_t y = r->top; y < r->bottom; y++) {
		uint32_t *d = row(dst, y);
		if (rop_is_put(rop))
			for (int32_t x = r->left; x < r->right; x++)
				d[x] = color;
		else
			for (int32_t x = r->left; x < r->right; x++)
				d[x] = rop_pixel(rop, color, d[x]);
	}
}

void canvas_blit(struct spice_pixels *dst, const struct rect *r,
		 const struct spice_pixels *src, int32_t sx, int32_t sy,
		 uint16_t rop)
{
	int32_t w = r->right - r->left;

	for (int32_t y = r->top; y < r->bottom; y++) {
		uint32_t *d = row(dst, y) + r->left;
		const uint32_t *s = crow(src, sy + y - r->top) + sx;
		if (rop_is_put(rop))
			memmove(d, s, (size_t)w * 4);
		else
			for (int32_t x = 0; x < w; x++)
				d[x] = rop_pixel(rop, s[x], d[x]);
	}
}

void canvas_blit_scaled(struct spice_pixels *dst, const struct rect *r,
			const struct rect *dst_area,
			const struct spice_pixels *src,
			const struct rect *src_area, uint16_t rop)
{
	int64_t dw = dst_area->right - dst_area->left;
	int64_t dh = dst_area->bottom - dst_area->top;
	int64_t sw = src_area->right - src_area->left;
	int64_t sh = src_area->bottom - src_area->top;

	if (dw <= 0 || dh <= 0 || sw <= 0 || sh <= 0)
		return;
	for (int32_t y = r->top; y < r->bottom; y++) {
		int64_t syy = src_area->top + (y - dst_area->top) * sh / dh;
		const uint32_t *s = crow(src, (int32_t)syy);
		uint32_t *d = row(dst, y);
		for (int32_t x = r->left; x < r->right; x++) {
			int64_t sxx = src_area->left + (x - dst_area->left) * sw / dw;
			d[x] = rop_pixel(rop, s[sxx], d[x]);
		}
	}
}

void canvas_fill_pattern(struct spice_pixels *dst, const struct rect *r,
			 const struct spice_pixels *pat, int32_t ox,
			 int32_t oy, uint16_t rop)
{
	int64_t pw = pat->width, ph = pat->height;

	for (int32_t y = r->top; y < r->bottom; y++) {
		int64_t py = ((y - (int64_t)oy) % ph + ph) % ph;
		const uint32_t *s = crow(pat, (int32_t)py);
		uint32_t *d = row(dst, y);
		for (int32_t x = r->left; x < r->right; x++) {
			int64_t px = ((x - (int64_t)ox) % pw + pw) % pw;
			d[x] = rop_pixel(rop, s[px], d[x]);
		}
	}
}

void canvas_transparent(struct spice_pixels *dst, const struct rect *r,
			const struct spice_pixels *src, int32_t sx,
			int32_t sy, uint32_t key)
{
	key &= 0xffffff;
	for (int32_t y = r->top; y < r->bottom; y++) {
		uint32_t *d = row(dst, y) + r->left;
		const uint32_t *s = crow(src, sy + y - r->top) + sx;
		for (int32_t x = 0; x < r->right - r->left; x++)
			if ((s[x] & 0xffffff) != key)
				d[x] = s[x];
	}
}

static inline uint32_t blend_channel(uint32_t s, uint32_t d, uint32_t a)
{
	/* s is premultiplied by the caller's alpha already (SPICE semantics). */
	return s + d * (255 - a) / 255;
}

void canvas_alpha_blend(struct spice_pixels *dst, const struct rect *r,
			const struct spice_pixels *src, int32_t sx, int32_t sy,
			uint8_t alpha, bool src_alpha)
{
	for (int32_t y = r->top; y < r->bottom; y++) {
		uint32_t *d = row(dst, y) + r->left;
		const uint32_t *s = crow(src, sy + y - r->top) + sx;
		for (int32_t x = 0; x < r->right - r->left; x++) {
			uint32_t sp = s[x], dp = d[x], out = 0;
			uint32_t a = src_alpha ? (sp >> 24) * alpha / 255 : alpha;
			for (int c = 0; c < 24; c += 8) {
				uint32_t sc = (sp >> c & 255) * alpha / 255;
				uint32_t v = blend_channel(sc, dp >> c & 255, a);
				out |= MIN(v, 255u) << c;
			}
			d[x] = out;
		}
	}
}
