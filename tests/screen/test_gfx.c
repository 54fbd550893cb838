/* SPDX-License-Identifier: GPL-2.0-only */
/* Rectangles, damage lists, blits (centre and scale), drawing and fonts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness.h"

static void fill_pattern(struct gfx_image *im, uint64_t seed)
{
	for (unsigned y = 0; y < im->height; y++)
		for (unsigned x = 0; x < im->width; x++)
			gfx_image_row(im, y)[x] = (uint32_t)test_rand(&seed) & 0xffffff;
}

static bool covered(const struct gfx_damage *d, int x, int y)
{
	for (unsigned i = 0; i < d->n; i++)
		if (x >= d->r[i].x && x < d->r[i].x + d->r[i].w && y >= d->r[i].y &&
		    y < d->r[i].y + d->r[i].h)
			return true;
	return false;
}

TEST(rect_intersect_union)
{
	struct gfx_rect a = { 0, 0, 10, 10 }, b = { 5, 5, 10, 10 };
	struct gfx_rect i = gfx_rect_intersect(a, b), u = gfx_rect_union(a, b);

	CHECK(i.x == 5 && i.y == 5 && i.w == 5 && i.h == 5);
	CHECK(u.x == 0 && u.y == 0 && u.w == 15 && u.h == 15);
	CHECK(gfx_rect_empty(gfx_rect_intersect(a, (struct gfx_rect){ 10, 0, 5, 5 })));
	CHECK(gfx_rect_empty(gfx_rect_intersect(a, (struct gfx_rect){ 0, 0, -3, 5 })));
	/* Near the int limits nothing overflows. */
	struct gfx_rect big = { INT32_MAX - 5, INT32_MAX - 5, INT32_MAX, INT32_MAX };
	CHECK(gfx_rect_empty(gfx_rect_intersect(a, big)));
	i = gfx_rect_intersect(big, (struct gfx_rect){ INT32_MAX - 10, INT32_MAX - 10, 8, 8 });
	CHECK_EQ(i.w, 3);
}

TEST(damage_covers_everything_and_stays_small)
{
	uint64_t seed = 7;

	for (int round = 0; round < 200; round++) {
		struct gfx_damage d = { 0 };
		struct gfx_rect added[64];
		int n = 1 + (int)(test_rand(&seed) % 64);
		for (int i = 0; i < n; i++) {
			added[i] = (struct gfx_rect){ (int)(test_rand(&seed) % 200),
						      (int)(test_rand(&seed) % 200),
						      (int)(test_rand(&seed) % 40),
						      (int)(test_rand(&seed) % 40) };
			gfx_damage_add(&d, added[i]);
			CHECK(d.n <= GFX_DAMAGE_MAX);
		}
		for (int i = 0; i < n; i++)
			for (int y = added[i].y; y < added[i].y + added[i].h; y += 3)
				for (int x = added[i].x; x < added[i].x + added[i].w; x += 3)
					CHECK(covered(&d, x, y));
	}
	struct gfx_damage d = { 0 };
	gfx_damage_add(&d, (struct gfx_rect){ 0, 0, 10, 10 });
	gfx_damage_add(&d, (struct gfx_rect){ 2, 2, 3, 3 }); /* inside: no growth */
	CHECK_EQ(d.n, 1);
	CHECK_EQ(d.r[0].w, 10);
}

TEST(blit_centre_copies_and_crops)
{
	struct gfx_image src, dst;
	struct gfx_blit_map m;

	CHECK_EQ(gfx_image_alloc(&src, 640, 480), 0);
	CHECK_EQ(gfx_image_alloc(&dst, 1024, 768), 0);
	fill_pattern(&src, 1);
	CHECK_EQ(gfx_blit_map_init(&m, 640, 480, 1024, 768, GFX_CENTER), 0);
	CHECK(m.out.x == 192 && m.out.y == 144 && m.out.w == 640 && m.out.h == 480);
	struct gfx_rect r = gfx_blit(&m, &src, (struct gfx_rect){ 0, 0, 640, 480 }, &dst);
	CHECK(r.x == 192 && r.y == 144 && r.w == 640 && r.h == 480);
	for (unsigned y = 0; y < 480; y++)
		CHECK_MEM(gfx_image_row(&dst, y + 144) + 192, gfx_image_row(&src, y), 640 * 4);
	CHECK_EQ(gfx_image_row(&dst, 143)[500], 0);
	gfx_blit_map_free(&m);

	/* Larger than the screen: the middle is shown. */
	struct gfx_image small;
	CHECK_EQ(gfx_image_alloc(&small, 600, 400), 0);
	CHECK_EQ(gfx_blit_map_init(&m, 1024, 768, 600, 400, GFX_CENTER), 0);
	CHECK(m.out.x == 0 && m.out.y == 0 && m.out.w == 600 && m.out.h == 400);
	gfx_blit(&m, &dst, (struct gfx_rect){ 0, 0, 1024, 768 }, &small);
	CHECK_EQ(gfx_image_row(&small, 0)[0], gfx_image_row(&dst, 184)[212]);
	gfx_blit_map_free(&m);
	gfx_image_free(&small);
	gfx_image_free(&src);
	gfx_image_free(&dst);
}

TEST(blit_scale_keeps_aspect_and_matches_nearest)
{
	struct gfx_image src, dst;
	struct gfx_blit_map m;

	CHECK_EQ(gfx_image_alloc(&src, 640, 480), 0);
	CHECK_EQ(gfx_image_alloc(&dst, 1920, 1080), 0);
	fill_pattern(&src, 2);
	CHECK_EQ(gfx_blit_map_init(&m, 640, 480, 1920, 1080, GFX_SCALE), 0);
	CHECK(m.out.x == 240 && m.out.y == 0 && m.out.w == 1440 && m.out.h == 1080);
	gfx_blit(&m, &src, (struct gfx_rect){ 0, 0, 640, 480 }, &dst);
	for (unsigned y = 0; y < 1080; y += 7)
		for (unsigned x = 0; x < 1440; x += 5) {
			unsigned sx = (unsigned)(((uint64_t)x * 640 + 320) / 1440);
			unsigned sy = (unsigned)(((uint64_t)y * 480 + 240) / 1080);
			CHECK_EQ(gfx_image_row(&dst, y)[240 + x],
				 gfx_image_row(&src, MIN(sy, 479u))[MIN(sx, 639u)]);
		}
	CHECK_EQ(gfx_image_row(&dst, 500)[239], 0);	  /* left border */
	CHECK_EQ(gfx_image_row(&dst, 500)[240 + 1440], 0); /* right border */
	gfx_blit_map_free(&m);

	/* Tall source on a wide screen: bars left and right; wide: above/below. */
	CHECK_EQ(gfx_blit_map_init(&m, 800, 600, 1280, 720, GFX_SCALE), 0);
	CHECK(m.out.w == 960 && m.out.h == 720 && m.out.x == 160);
	gfx_blit_map_free(&m);
	CHECK_EQ(gfx_blit_map_init(&m, 1920, 800, 1024, 768, GFX_SCALE), 0);
	CHECK(m.out.w == 1024 && m.out.h == 426 && m.out.y == 171);
	gfx_blit_map_free(&m);
	CHECK_EQ(gfx_blit_map_init(&m, 0, 600, 1280, 720, GFX_SCALE), -EINVAL);
	CHECK_EQ(gfx_blit_map_init(&m, 100000, 600, 1280, 720, GFX_SCALE), -EINVAL);
	gfx_image_free(&src);
	gfx_image_free(&dst);
}

/* Blitting only damaged parts gives the same screen as blitting it all. */
TEST(blit_damage_equals_full_blit)
{
	static const unsigned sizes[][4] = { { 640, 480, 1920, 1080 },
					     { 1024, 768, 800, 600 },
					     { 800, 600, 800, 600 },
					     { 333, 211, 1280, 1024 } };
	uint64_t seed = 3;

	for (unsigned s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct gfx_image src, a, b;
		struct gfx_blit_map m;
		unsigned sw = sizes[s][0], sh = sizes[s][1];
		CHECK_EQ(gfx_image_alloc(&src, sw, sh), 0);
		CHECK_EQ(gfx_image_alloc(&a, sizes[s][2], sizes[s][3]), 0);
		CHECK_EQ(gfx_image_alloc(&b, sizes[s][2], sizes[s][3]), 0);
		CHECK_EQ(gfx_blit_map_init(&m, sw, sh, a.width, a.height,
					   s & 1 ? GFX_CENTER : GFX_SCALE), 0);
		fill_pattern(&src, seed++);
		gfx_blit(&m, &src, (struct gfx_rect){ 0, 0, (int)sw, (int)sh }, &a);
		gfx_blit(&m, &src, (struct gfx_rect){ 0, 0, (int)sw, (int)sh }, &b);
		for (int round = 0; round < 20; round++) {
			struct gfx_rect r = { (int)(test_rand(&seed) % sw), (int)(test_rand(&seed) % sh),
					      (int)(test_rand(&seed) % 100), (int)(test_rand(&seed) % 100) };
			r = gfx_rect_intersect(r, (struct gfx_rect){ 0, 0, (int)sw, (int)sh });
			for (int y = r.y; y < r.y + r.h; y++)
				for (int x = r.x; x < r.x + r.w; x++)
					gfx_image_row(&src, (unsigned)y)[x] = (uint32_t)test_rand(&seed) & 0xffffff;
			struct gfx_rect out = gfx_blit(&m, &src, r, &a);
			gfx_blit(&m, &src, (struct gfx_rect){ 0, 0, (int)sw, (int)sh }, &b);
			for (unsigned y = 0; y < a.height; y++)
				CHECK_MEM(gfx_image_row(&a, y), gfx_image_row(&b, y), a.width * 4);
			/* The changed area stays inside what was reported. */
			CHECK(gfx_rect_empty(r) || !gfx_rect_empty(out) || m.out.w < (int)sw);
		}
		gfx_blit_map_free(&m);
		gfx_image_free(&src);
		gfx_image_free(&a);
		gfx_image_free(&b);
	}
}

TEST(fill_and_frame_clip)
{
	struct gfx_image im;

	CHECK_EQ(gfx_image_alloc(&im, 50, 40), 0);
	gfx_fill(&im, (struct gfx_rect){ -10, -10, 20, 20 }, 0x123456);
	CHECK_EQ(gfx_image_row(&im, 9)[9], 0x123456);
	CHECK_EQ(gfx_image_row(&im, 10)[9], 0);
	gfx_fill(&im, (struct gfx_rect){ 45, 35, 1000, 1000 }, 0xff);
	CHECK_EQ(gfx_image_row(&im, 39)[49], 0xff);
	gfx_frame(&im, (struct gfx_rect){ 20, 20, 10, 10 }, 2, 0xaa);
	CHECK_EQ(gfx_image_row(&im, 21)[25], 0xaa);
	CHECK_EQ(gfx_image_row(&im, 25)[25], 0);
	gfx_cursor(&im, 48, 38); /* mostly off the image */
	gfx_cursor(&im, -5, -5);
	gfx_image_free(&im);
}

TEST(progress_bar_fills_proportionally)
{
	struct gfx_image im;
	struct gfx_rect r = { 0, 0, 104, 10 };

	CHECK_EQ(gfx_image_alloc(&im, 110, 10), 0);
	for (unsigned p = 0; p <= 1000; p += 250) {
		gfx_progress(&im, r, p, 1, 2, 3);
		unsigned on = 0;
		for (int x = 2; x < 102; x++)
			on += gfx_image_row(&im, 5)[x] == 1;
		CHECK_EQ(on, p / 10);
		CHECK_EQ(gfx_image_row(&im, 0)[50], 3);
	}
	gfx_progress(&im, r, 5000, 1, 2, 3); /* clamped */
	CHECK_EQ(gfx_image_row(&im, 5)[101], 1);
	gfx_image_free(&im);
}

TEST(utf8_decoding_is_total)
{
	const char *t = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
	const char *s = t, *end = t + strlen(t);

	CHECK_EQ(utf8_next(&s, end), 'a');
	CHECK_EQ(utf8_next(&s, end), 0xe9);
	CHECK_EQ(utf8_next(&s, end), 0x20ac);
	CHECK_EQ(utf8_next(&s, end), 0x1f600);
	CHECK_EQ(utf8_next(&s, end), 'z');
	CHECK(s == end);
	static const char *const bad[] = { "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xff",
					   "\xe2\x82", "\xf4\x90\x80\x80", "\x80" };
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		s = bad[i];
		end = s + strlen(s);
		CHECK_EQ(utf8_next(&s, end), 0xfffd);
		CHECK(s == bad[i] + 1);
	}
}

TEST(fonts_have_latin1)
{
	const struct font *fs[] = { font_small(), font_large() };

	for (unsigned i = 0; i < 2; i++) {
		const struct font *f = fs[i];
		for (uint32_t cp = 0x20; cp <= 0xff; cp++)
			if (cp < 0x7f || cp >= 0xa0)
				CHECK(font_has(f, cp));
		CHECK(font_has(f, 0x20ac)); /* euro (Latin-9) */
		CHECK(font_glyph(f, 0x4e2d) == font_glyph(f, 0xfffd)); /* missing */
		CHECK(font_glyph(f, 'A') != font_glyph(f, 'B'));
	}
	CHECK_EQ(font_small()->width, 8);
	CHECK_EQ(font_small()->height, 16);
	CHECK_EQ(font_large()->width, 16);
	CHECK_EQ(font_large()->height, 32);
}

TEST(text_draws_the_glyph_bits)
{
	const struct font *f = font_small();
	struct gfx_image im;

	CHECK_EQ(gfx_image_alloc(&im, 64, 40), 0);
	CHECK_EQ(gfx_text(&im, f, 2, 3, 4, "é", 0xffffff, 0x000001), 16);
	const uint8_t *bits = f->bits + font_glyph(f, 0xe9) * f->height;
	unsigned on = 0;
	for (unsigned y = 0; y < 32; y++)
		for (unsigned x = 0; x < 16; x++) {
			bool bit = bits[y / 2] & (0x80 >> (x / 2));
			CHECK_EQ(gfx_image_row(&im, 4 + y)[3 + x], bit ? 0xffffff : 0x000001);
			on += bit;
		}
	CHECK(on > 20);
	CHECK_EQ(gfx_text_width(f, 1, "école"), 40);
	/* Clipped at every edge, and the width still counts every glyph. */
	CHECK_EQ(gfx_text(&im, f, 3, -20, -20, "abcdefghij", 1, GFX_TRANSPARENT), 240);
	gfx_image_free(&im);
}

TEST(test_card_bars_where_documented)
{
	struct gfx_image im;

	CHECK_EQ(gfx_image_alloc(&im, 1280, 720), 0);
	gfx_test_card(&im, 1000);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(gfx_image_row(&im, 100)[i * 160 + 80], gfx_test_card_colours[i]);
	struct gfx_rect bar = gfx_test_card_bar(&im);
	CHECK_EQ(gfx_image_row(&im, (unsigned)(bar.y + bar.h / 2))[bar.x + bar.w / 2],
		 GFX_RGB(0x30, 0xa0, 0x50));
	gfx_image_free(&im);
}
