/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Screen blits, one core: kvmbox's gfx_blit (built as shipped, musl -O2)
 * or, with -DPEER, pixman (what QEMU's and spice-gtk's displays use) doing
 * the same work: nearest-neighbour scaling of a guest frame to 1920x1080,
 * a 1:1 full-frame copy, and many small damaged rectangles.
 * Prints "NAME VALUE UNIT" lines for bench/bench_display.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#ifdef PEER
#include <pixman.h>
#endif

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pattern(struct gfx_image *im)
{
	for (unsigned y = 0; y < im->height; y++)
		for (unsigned x = 0; x < im->width; x++)
			gfx_image_row(im, y)[x] = (x * 7 + y * 13) * 0x010101u;
}

#ifdef PEER
struct ctx {
	pixman_image_t *src, *dst;
	struct gfx_blit_map m; /* only its geometry */
};
static void setup(struct ctx *c, struct gfx_image *src, struct gfx_image *dst)
{
	c->src = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)src->width,
					  (int)src->height, src->px, (int)src->stride);
	c->dst = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)dst->width,
					  (int)dst->height, dst->px, (int)dst->stride);
	gfx_blit_map_init(&c->m, src->width, src->height, dst->width, dst->height,
			  GFX_SCALE);
	pixman_transform_t t;
	pixman_transform_init_scale(&t,
		pixman_double_to_fixed((double)src->width / c->m.out.w),
		pixman_double_to_fixed((double)src->height / c->m.out.h));
	pixman_image_set_transform(c->src, &t);
	pixman_image_set_filter(c->src, PIXMAN_FILTER_NEAREST, NULL, 0);
}
static void blit(struct ctx *c, struct gfx_image *src, struct gfx_rect r,
		 struct gfx_image *dst)
{
	(void)src;
	(void)dst;
	/* Source rectangle -> destination rectangle under the scale. */
	int x0 = (int)((int64_t)r.x * c->m.out.w / c->m.src_w);
	int y0 = (int)((int64_t)r.y * c->m.out.h / c->m.src_h);
	int x1 = (int)(((int64_t)(r.x + r.w) * c->m.out.w + c->m.src_w - 1) / c->m.src_w);
	int y1 = (int)(((int64_t)(r.y + r.h) * c->m.out.h + c->m.src_h - 1) / c->m.src_h);
	pixman_image_composite32(PIXMAN_OP_SRC, c->src, NULL, c->dst, x0, y0, 0, 0,
				 c->m.out.x + x0, c->m.out.y + y0, x1 - x0, y1 - y0);
}
#else
struct ctx {
	struct gfx_blit_map m;
};
static void setup(struct ctx *c, struct gfx_image *src, struct gfx_image *dst)
{
	gfx_blit_map_init(&c->m, src->width, src->height, dst->width, dst->height,
			  GFX_SCALE);
}
static void blit(struct ctx *c, struct gfx_image *src, struct gfx_rect r,
		 struct gfx_image *dst)
{
	gfx_blit(&c->m, src, r, dst);
}
#endif

/* Full frames per second of a guest mode onto 1920x1080. */
static void frames(const char *name, unsigned sw, unsigned sh)
{
	struct gfx_image src, dst;
	struct ctx c;
	int n = 0;

	gfx_image_alloc(&src, sw, sh);
	gfx_image_alloc(&dst, 1920, 1080);
	pattern(&src);
	setup(&c, &src, &dst);
	double t0 = now(), t;
	do {
		blit(&c, &src, (struct gfx_rect){ 0, 0, (int)sw, (int)sh }, &dst);
		n++;
	} while ((t = now() - t0) < 1.0);
	printf("%s %.0f fps\n", name, n / t);
	gfx_image_free(&src);
	gfx_image_free(&dst);
}

/* Microseconds per damaged 64x64 rectangle (a cursor, typing). */
static void rects(const char *name, unsigned sw, unsigned sh)
{
	struct gfx_image src, dst;
	struct ctx c;
	long n = 0;

	gfx_image_alloc(&src, sw, sh);
	gfx_image_alloc(&dst, 1920, 1080);
	pattern(&src);
	setup(&c, &src, &dst);
	double t0 = now(), t;
	do {
		for (int i = 0; i < 100; i++, n++)
			blit(&c, &src, (struct gfx_rect){ (int)((n * 97) % (sw - 64)),
							 (int)((n * 61) % (sh - 64)), 64, 64 },
			     &dst);
	} while ((t = now() - t0) < 1.0);
	printf("%s %.2f us\n", name, t * 1e6 / (double)n);
	gfx_image_free(&src);
	gfx_image_free(&dst);
}

int main(void)
{
	frames("frame_1920x1080_copy", 1920, 1080);
	frames("frame_1280x720_scaled", 1280, 720);
	frames("frame_1024x768_scaled", 1024, 768);
	rects("rect64_1920x1080_copy", 1920, 1080);
	rects("rect64_1280x720_scaled", 1280, 720);
	return 0;
}
