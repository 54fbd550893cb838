/* SPDX-License-Identifier: GPL-2.0-only */
/* Images in memory, rectangles and damage lists: the basis of all drawing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int gfx_image_alloc(struct gfx_image *im, unsigned width, unsigned height)
{
	memset(im, 0, sizeof(*im));
	if (!width || !height || width > GFX_MAX_DIM || height > GFX_MAX_DIM)
		return -EINVAL;
	im->px = calloc((size_t)width * height, sizeof(uint32_t));
	if (!im->px)
		return -ENOMEM;
	im->width = width;
	im->height = height;
	im->stride = width * 4;
	im->owned = true;
	return 0;
}

void gfx_image_free(struct gfx_image *im)
{
	if (im->owned)
		free(im->px);
	memset(im, 0, sizeof(*im));
}

struct gfx_rect gfx_rect_intersect(struct gfx_rect a, struct gfx_rect b)
{
	/* 64-bit sums: rectangles from guests may sit near INT_MAX. */
	int64_t x0 = MAX(a.x, b.x), y0 = MAX(a.y, b.y);
	int64_t x1 = MIN((int64_t)a.x + a.w, (int64_t)b.x + b.w);
	int64_t y1 = MIN((int64_t)a.y + a.h, (int64_t)b.y + b.h);

	if (gfx_rect_empty(a) || gfx_rect_empty(b) || x1 <= x0 || y1 <= y0)
		return (struct gfx_rect){ 0, 0, 0, 0 };
	return (struct gfx_rect){ (int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0) };
}

struct gfx_rect gfx_rect_union(struct gfx_rect a, struct gfx_rect b)
{
	if (gfx_rect_empty(a))
		return b;
	if (gfx_rect_empty(b))
		return a;
	int64_t x0 = MIN(a.x, b.x), y0 = MIN(a.y, b.y);
	int64_t x1 = MAX((int64_t)a.x + a.w, (int64_t)b.x + b.w);
	int64_t y1 = MAX((int64_t)a.y + a.h, (int64_t)b.y + b.h);
	return (struct gfx_rect){ (int)x0, (int)y0, (int)MIN(x1 - x0, INT32_MAX),
				  (int)MIN(y1 - y0, INT32_MAX) };
}

static int64_t area(struct gfx_rect r)
{
	return gfx_rect_empty(r) ? 0 : (int64_t)r.w * r.h;
}

/* Merges the pair whose bounding box adds the least uncovered area. */
static void merge_cheapest(struct gfx_damage *d)
{
	unsigned bi = 0, bj = 1;
	int64_t best = INT64_MAX;

	for (unsigned i = 0; i < d->n; i++)
		for (unsigned j = i + 1; j < d->n; j++) {
			struct gfx_rect u = gfx_rect_union(d->r[i], d->r[j]);
			int64_t cost = area(u) - area(d->r[i]) - area(d->r[j]);
			if (cost < best) {
				best = cost;
				bi = i;
				bj = j;
			}
		}
	d->r[bi] = gfx_rect_union(d->r[bi], d->r[bj]);
	d->r[bj] = d->r[--d->n];
}

void gfx_damage_add(struct gfx_damage *d, struct gfx_rect r)
{
	if (gfx_rect_empty(r))
		return;
	for (unsigned i = 0; i < d->n; i++) {
		struct gfx_rect u = gfx_rect_union(d->r[i], r);
		/* Already covered, or touching so that the union costs nothing. */
		if (area(u) <= area(d->r[i]) + area(r) - area(gfx_rect_intersect(d->r[i], r))) {
			d->r[i] = u;
			return;
		}
	}
	if (d->n == GFX_DAMAGE_MAX)
		merge_cheapest(d);
	d->r[d->n++] = r;
}

void gfx_damage_add_all(struct gfx_damage *d, const struct gfx_damage *other)
{
	for (unsigned i = 0; i < other->n; i++)
		gfx_damage_add(d, other->r[i]);
}
