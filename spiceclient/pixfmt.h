/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal to spiceclient/: picture utilities shared by the decoders. */
#ifndef KVMBOX_SPICE_PIXFMT_H
#define KVMBOX_SPICE_PIXFMT_H

#include "spiceclient/spice.h"

/* After core.h: its MIN/MAX win over the ones in spice/macros.h. */
#include <spice/enums.h>
#include <spice/protocol.h>

int pixels_alloc(struct spice_pixels *p, uint32_t w, uint32_t h,
		 struct errmsg *err);
void pixels_flip(struct spice_pixels *p);
uint64_t pixfmt_row_bytes(uint8_t fmt, uint32_t w);
void pixfmt_row_to_rgb32(uint8_t fmt, const uint8_t *s, uint32_t w,
			 const uint32_t *p, unsigned n, uint32_t *d);



/* ---- canvas.c: drawing into pictures -------------------------------------- */

struct rect {
	int32_t left, top, right, bottom; /* right/bottom exclusive */
};

static inline bool rect_empty(const struct rect *r)
{
	return r->right <= r->left || r->bottom <= r->top;
}
/* a ∩ b into @out; false when empty. */
bool rect_intersect(const struct rect *a, const struct rect *b, struct rect *out);
/* The picture's own bounds. */
struct rect rect_of(const struct spice_pixels *p);

/* ROP descriptor flags (SPICE_ROPD_*) applied to one pixel. */
uint32_t rop_pixel(uint16_t rop, uint32_t src, uint32_t dst);

/* All of these take @r already clipped to @dst's bounds. */
void canvas_fill(struct spice_pixels *dst, const struct rect *r,
		 uint32_t color, uint16_t rop);
/* @src's pixel (sx, sy) lands on r's top-left; src must cover the area. */
void canvas_blit(struct spice_pixels *dst, const struct rect *r,
		 const struct spice_pixels *src, int32_t sx, int32_t sy,
		 uint16_t rop);
/* Scales (nearest) @src_area of @src onto @dst_area, drawing only @r. */
void canvas_blit_scaled(struct spice_pixels *dst, const struct rect *r,
			const struct rect *dst_area,
			const struct spice_pixels *src,
			const struct rect *src_area, uint16_t rop);
/* Tiles @pat (origin @ox, @oy in dst coordinates) over @r. */
void canvas_fill_pattern(struct spice_pixels *dst, const struct rect *r,
			 const struct spice_pixels *pat, int32_t ox,
			 int32_t oy, uint16_t rop);
/* Copies, skipping source pixels equal to @key. */
void canvas_transparent(struct spice_pixels *dst, const struct rect *r,
			const struct spice_pixels *src, int32_t sx,
			int32_t sy, uint32_t key);
/* Source over destination with global @alpha (and per-pixel alpha). */
void canvas_alpha_blend(struct spice_pixels *dst, const struct rect *r,
			const struct spice_pixels *src, int32_t sx, int32_t sy,
			uint8_t alpha, bool src_alpha);
#endif
