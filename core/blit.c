/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Placing a guest-sized image on the native screen: 1:1 and centred, or
 * scaled with its aspect ratio kept. Scaling is nearest-neighbour through
 * two lookup tables computed once per pair of sizes, so a frame costs one
 * table load per pixel and rows that map to the same source row are copied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int gfx_blit_map_init(struct gfx_blit_map *m, unsigned src_w, unsigned src_h,
		      unsigned dst_w, unsigned dst_h, enum gfx_fit fit)
{
	memset(m, 0, sizeof(*m));
	if (!src_w || !src_h || !dst_w || !dst_h || src_w > GFX_MAX_DIM ||
	    src_h > GFX_MAX_DIM || dst_w > GFX_MAX_DIM || dst_h > GFX_MAX_DIM)
		return -EINVAL;
	m->src_w = src_w;
	m->src_h = src_h;
	m->dst_w = dst_w;
	m->dst_h = dst_h;

	unsigned ow, oh;
	if (fit == GFX_CENTER || (src_w == dst_w && src_h == dst_h)) {
		ow = MIN(src_w, dst_w);
		oh = MIN(src_h, dst_h);
	} else if ((uint64_t)dst_w * src_h <= (uint64_t)dst_h * src_w) {
		ow = dst_w; /* width-bound: bars above and below */
		oh = (unsigned)MAX(1, (uint64_t)src_h * dst_w / src_w);
	} else {
		oh = dst_h;
		ow = (unsigned)MAX(1, (uint64_t)src_w * dst_h / src_h);
	}
	m->identity = ow == MIN(src_w, dst_w) && oh == MIN(src_h, dst_h) &&
		      (fit == GFX_CENTER || (src_w == dst_w && src_h == dst_h));
	m->out = (struct gfx_rect){ (int)(dst_w - ow) / 2, (int)(dst_h - oh) / 2,
				    (int)ow, (int)oh };

	m->xmap = malloc(ow * sizeof(uint32_t));
	m->ymap = malloc(oh * sizeof(uint32_t));
	if (!m->xmap || !m->ymap) {
		gfx_blit_map_free(m);
		return -ENOMEM;
	}
	/* Centred and cropped: the source's middle part is shown. */
	unsigned cx = m->identity ? (src_w - ow) / 2 : 0;
	unsigned cy = m->identity ? (src_h - oh) / 2 : 0;
	for (unsigned x = 0; x < ow; x++)
		m->xmap[x] = m->identity ? cx + x
					 : (uint32_t)(((uint64_t)x * src_w + src_w / 2) / ow);
	for (unsigned y = 0; y < oh; y++)
		m->ymap[y] = m->identity ? cy + y
					 : (uint32_t)(((uint64_t)y * src_h + src_h / 2) / oh);
	for (unsigned x = 0; x < ow; x++)
		m->xmap[x] = MIN(m->xmap[x], src_w - 1);
	for (unsigned y = 0; y < oh; y++)
		m->ymap[y] = MIN(m->ymap[y], src_h - 1);
	return 0;
}

void gfx_blit_map_free(struct gfx_blit_map *m)
{
	free(m->xmap);
	free(m->ymap);
	m->xmap = m->ymap = NULL;
}

/* First output index whose source index is >= @s (tables are monotonic). */
static unsigned first_at_or_after(const uint32_t *map, unsigned n, uint32_t s)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (map[mid] < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct gfx_rect gfx_blit(const struct gfx_blit_map *m, const struct gfx_image *src,
			 struct gfx_rect dmg, struct gfx_image *dst)
{
	struct gfx_rect none = { 0, 0, 0, 0 };

	if (!m->xmap || src->width != m->src_w || src->height != m->src_h ||
	    dst->width != m->dst_w || dst->height != m->dst_h)
		return none;
	dmg = gfx_rect_intersect(dmg, (struct gfx_rect){ 0, 0, (int)m->src_w,
							 (int)m->src_h });
	if (gfx_rect_empty(dmg))
		return none;

	unsigned ow = (unsigned)m->out.w, oh = (unsigned)m->out.h;
	unsigned x0 = first_at_or_after(m->xmap, ow, (uint32_t)dmg.x);
	unsigned x1 = first_at_or_after(m->xmap, ow, (uint32_t)(dmg.x + dmg.w));
	unsigned y0 = first_at_or_after(m->ymap, oh, (uint32_t)dmg.y);
	unsigned y1 = first_at_or_after(m->ymap, oh, (uint32_t)(dmg.y + dmg.h));
	if (x0 >= x1 || y0 >= y1)
		return none;

	const uint32_t *prev = NULL;
	uint32_t *prev_out = NULL;
	for (unsigned y = y0; y < y1; y++) {
		const uint32_t *in = gfx_image_row(src, m->ymap[y]);
		uint32_t *out = gfx_image_row(dst, (unsigned)m->out.y + y) + m->out.x;

		if (m->identity) {
			memcpy(out + x0, in + m->xmap[x0], (x1 - x0) * 4);
		} else if (in == prev) {
			memcpy(out + x0, prev_out + x0, (x1 - x0) * 4);
		} else {
			const uint32_t *xm = m->xmap;
			unsigned x = x0;
			for (; x + 4 <= x1; x += 4) { /* unrolled: loads overlap */
				uint32_t a = in[xm[x]], b = in[xm[x + 1]];
				uint32_t c = in[xm[x + 2]], d = in[xm[x + 3]];
				out[x] = a;
				out[x + 1] = b;
				out[x + 2] = c;
				out[x + 3] = d;
			}
			for (; x < x1; x++)
				out[x] = in[xm[x]];
		}
		prev = in;
		prev_out = out;
	}
	return (struct gfx_rect){ m->out.x + (int)x0, m->out.y + (int)y0,
				  (int)(x1 - x0), (int)(y1 - y0) };
}

void gfx_blit_borders(const struct gfx_blit_map *m, struct gfx_image *dst)
{
	int w = (int)dst->width, h = (int)dst->height;
	struct gfx_rect o = m->out;

	gfx_fill(dst, (struct gfx_rect){ 0, 0, w, o.y }, 0);
	gfx_fill(dst, (struct gfx_rect){ 0, o.y + o.h, w, h - o.y - o.h }, 0);
	gfx_fill(dst, (struct gfx_rect){ 0, o.y, o.x, o.h }, 0);
	gfx_fill(dst, (struct gfx_rect){ o.x + o.w, o.y, w - o.x - o.w, o.h }, 0);
}
