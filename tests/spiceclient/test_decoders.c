/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Image decoders against streams made here: a small LZ encoder written
 * from the format (literal runs, RLE and far matches, long lengths), the
 * lz4 library's own compressor, raw bitmaps; then truncated and damaged
 * streams, which must be refused and never overrun (ASan build).
 */
#include <lz4.h>
#include <stdlib.h>
#include <string.h>

#include "spiceclient/spice.h"
#include "tests/harness.h"

#define LZ_ENCODE_ASSERT CHECK

#include "tests/spiceclient/lz_encode.h"

static uint32_t *random_image(uint64_t *st, size_t n, uint32_t mask)
{
	uint32_t *px = malloc(n * 4);

	CHECK(px != NULL);
	for (size_t i = 0; i < n; i++) {
		/* Runs of equal pixels, some long, between noise. */
		if (i && test_rand(st) % 3 == 0)
			px[i] = px[i - 1];
		else
			px[i] = (uint32_t)test_rand(st) & mask;
	}
	for (size_t i = 100; i < MIN(n, (size_t)700); i++)
		px[i] = px[99];
	return px;
}

TEST(lz_rgb32_roundtrip)
{
	uint64_t st = 42;
	uint32_t w = 61, h = 37;
	uint32_t *px = random_image(&st, (size_t)w * h, 0xffffff);
	struct enc e = { 0 };
	struct spice_pixels out = { 0 };
	struct errmsg err;

	header(&e, T_RGB32, w, h, w * 4, true);
	encode_units(&e, px, (size_t)w * h, 1, lit_rgb32);
	CHECK_EQ(spice_lz_decode(e.p, e.len, NULL, 0, w, h, &out, &err), 0);
	CHECK_MEM(out.px, px, (size_t)w * h * 4);
	spice_pixels_free(&out);

	/* Every truncation is refused cleanly. */
	for (size_t cut = 0; cut < e.len; cut += 1 + cut / 8)
		CHECK(spice_lz_decode(e.p, cut, NULL, 0, w, h, &out, &err) < 0);
	/* A size that disagrees with the image descriptor is refused. */
	CHECK(spice_lz_decode(e.p, e.len, NULL, 0, w + 1, h, &out, &err) < 0);
	free(e.p);
	free(px);
}

TEST(lz_bottom_up_far_and_long_matches)
{
	uint64_t st = 7;
	uint32_t w = 4500, h = 3;
	uint32_t *px = random_image(&st, (size_t)w * h, 0xffffff);
	struct enc e = { 0 };
	struct spice_pixels out = { 0 };
	struct errmsg err;

	/* Stream order is bottom row first: rows 2 and 1, then row 0, which
	 * repeats row 2 at distance 9000 (a far match) in one long match. */
	memcpy(px, px + 2 * w, w * 4);
	header(&e, T_RGB32, w, h, w * 4, false);
	encode_units(&e, px + 2 * w, w, 1, lit_rgb32);
	encode_units(&e, px + w, w, 1, lit_rgb32);
	match(&e, w, 2 * w, 1);
	if (spice_lz_decode(e.p, e.len, NULL, 0, w, h, &out, &err) < 0)
		test_fail(__FILE__, __LINE__, "%s", err.msg);
	CHECK_MEM(out.px, px, (size_t)w * h * 4);
	spice_pixels_free(&out);
	free(e.p);

	/* A reference before the start of the image is refused. */
	e = (struct enc){ 0 };
	header(&e, T_RGB32, 4, 1, 16, true);
	put(&e, 0);
	lit_rgb32(&e, 0x123456);
	match(&e, 3, 2, 1);
	CHECK(spice_lz_decode(e.p, e.len, NULL, 0, 4, 1, &out, &err) < 0);
	free(e.p);
	free(px);
}

TEST(lz_rgb16_plt8_rgba)
{
	uint64_t st = 9;
	uint32_t w = 33, h = 17, n = w * h;
	struct enc e = { 0 };
	struct spice_pixels out = { 0 };
	struct errmsg err;

	/* RGB555, 5-bit channels widened as (x << 3 | x >> 2). */
	uint32_t *v = random_image(&st, n, 0x7fff), *want = malloc(n * 4);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = v[i] >> 10 & 31, g = v[i] >> 5 & 31, b = v[i] & 31;
		want[i] = (r << 3 | r >> 2) << 16 | (g << 3 | g >> 2) << 8 | (b << 3 | b >> 2);
	}
	header(&e, T_RGB16, w, h, w * 2, true);
	encode_units(&e, v, n, 2, lit_rgb16);
	CHECK_EQ(spice_lz_decode(e.p, e.len, NULL, 0, w, h, &out, &err), 0);
	CHECK_MEM(out.px, want, n * 4);
	spice_pixels_free(&out);
	free(v);

	/* Palette indices (stride one more than the width). */
	uint32_t pal[16], stride = w + 1;
	for (int i = 0; i < 16; i++)
		pal[i] = (uint32_t)test_rand(&st) & 0xffffff;
	uint32_t *idx = random_image(&st, (size_t)stride * h, 15);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			want[y * w + x] = pal[idx[y * stride + x]];
	e.len = 0;
	header(&e, T_PLT8, w, h, stride, true);
	encode_units(&e, idx, (size_t)stride * h, 3, lit_byte);
	CHECK_EQ(spice_lz_decode(e.p, e.len, pal, 16, w, h, &out, &err), 0);
	CHECK_MEM(out.px, want, n * 4);
	spice_pixels_free(&out);
	CHECK(spice_lz_decode(e.p, e.len, NULL, 0, w, h, &out, &err) < 0); /* no palette */
	free(idx);

	/* RGBA: the colour pass, then the alpha plane. */
	uint32_t *rgb = random_image(&st, n, 0xffffff), *alpha = random_image(&st, n, 0xff);
	e.len = 0;
	header(&e, T_RGBA, w, h, w * 4, true);
	encode_units(&e, rgb, n, 1, lit_rgb32);
	encode_units(&e, alpha, n, 3, lit_byte);
	CHECK_EQ(spice_lz_decode(e.p, e.len, NULL, 0, w, h, &out, &err), 0);
	for (uint32_t i = 0; i < n; i++)
		CHECK_EQ(out.px[i], rgb[i] | alpha[i] << 24);
	spice_pixels_free(&out);
	free(rgb);
	free(alpha);
	free(want);
	free(e.p);
}

TEST(lz_refuses_garbage_and_bombs)
{
	uint64_t st = 3;
	uint8_t junk[512];
	struct spice_pixels out = { 0 };
	struct errmsg err;
	struct enc e = { 0 };

	/* A tiny stream claiming a huge image is refused before allocating. */
	header(&e, T_RGB32, 8192, 4096, 8192 * 4, true);
	put(&e, 0);
	CHECK(spice_lz_decode(e.p, e.len, NULL, 0, 0, 0, &out, &err) < 0);
	CHECK(strstr(err.msg, "cannot hold") != NULL);
	e.len = 0;
	header(&e, T_RGB32, 16, 8, 64, true);
	for (int round = 0; round < 3000; round++) {
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)test_rand(&st);
		memcpy(junk, e.p, 28);
		junk[27] = (uint8_t)(round & 1);
		junk[11] = (uint8_t)(1 + round % 10); /* every image type */
		if (spice_lz_decode(junk, sizeof(junk), NULL, 0, 0, 0, &out, &err) == 0)
			spice_pixels_free(&out);
	}
	free(e.p);
}

TEST(lz4_multi_block_stream)
{
	uint64_t st = 11;
	uint32_t w = 128, h = 96, n = w * h;
	uint32_t *px = random_image(&st, n, 0xffffff);
	size_t row = (size_t)w * 4, rows_per_block = 16;
	uint8_t *buf = malloc(2 + n * 8), *p = buf + 2;
	LZ4_stream_t *s = LZ4_createStream();
	struct spice_pixels out = { 0 };
	struct errmsg err;

	buf[0] = 1; /* top down */
	buf[1] = 8; /* SPICE_BITMAP_FMT_32BIT */
	for (uint32_t y = 0; y < h; y += (uint32_t)rows_per_block) {
		int c = LZ4_compress_fast_continue(s, (const char *)(px + (size_t)y * w),
						   (char *)p + 4, (int)(row * rows_per_block),
						   (int)(n * 8), 1);
		CHECK(c > 0);
		put_be32(p, (uint32_t)c);
		p += 4 + c;
	}
	LZ4_freeStream(s);
	size_t len = (size_t)(p - buf);
	CHECK_EQ(spice_lz4_decode(buf, len, w, h, &out, &err), 0);
	CHECK_MEM(out.px, px, (size_t)n * 4);
	spice_pixels_free(&out);
	for (size_t cut = 0; cut < len; cut += 1 + cut / 4)
		CHECK(spice_lz4_decode(buf, cut, w, h, &out, &err) < 0);
	buf[1] = 42;
	CHECK(spice_lz4_decode(buf, len, w, h, &out, &err) < 0);
	CHECK(spice_lz4_decode(buf, len, 8000, 4000, &out, &err) < 0);
	free(buf);
	free(px);
}

TEST(bitmap_formats)
{
	struct spice_pixels out = { 0 };
	struct errmsg err;
	static const uint32_t pal[2] = { 0x000000, 0xabcdef };
	/* 1-bit, MSB first, 10 pixels per row, stride 2, bottom-up rows. */
	static const uint8_t mono[4] = { 0xa0, 0x40, 0x80, 0x00 };

	CHECK_EQ(spice_bitmap_decode(2 /* 1BIT_BE */, false, mono, 4, 10, 2, 2, pal, 2,
				     &out, &err), 0);
	CHECK_EQ(out.px[0], 0xabcdef); /* top row = second stored row */
	CHECK_EQ(out.px[1], 0);
	CHECK_EQ(out.px[10 + 0], 0xabcdef);
	CHECK_EQ(out.px[10 + 1], 0);
	CHECK_EQ(out.px[10 + 2], 0xabcdef);
	CHECK_EQ(out.px[10 + 9], 0xabcdef);
	spice_pixels_free(&out);
	/* 24-bit B, G, R. */
	static const uint8_t bgr[6] = { 1, 2, 3, 4, 5, 6 };
	CHECK_EQ(spice_bitmap_decode(7, true, bgr, 6, 2, 1, 6, NULL, 0, &out, &err), 0);
	CHECK_EQ(out.px[0], 0x030201);
	CHECK_EQ(out.px[1], 0x060504);
	spice_pixels_free(&out);
	/* Too little data, a stride below the row, an unknown format. */
	CHECK(spice_bitmap_decode(7, true, bgr, 5, 2, 1, 6, NULL, 0, &out, &err) < 0);
	CHECK(spice_bitmap_decode(7, true, bgr, 6, 2, 1, 5, NULL, 0, &out, &err) < 0);
	CHECK(spice_bitmap_decode(77, true, bgr, 6, 2, 1, 6, NULL, 0, &out, &err) < 0);
	CHECK(spice_bitmap_decode(8, true, bgr, 6, 0, 1, 6, NULL, 0, &out, &err) < 0);
}

/* A GLZ header for a @w x @h RGB32 image @id. */
static void glz_header(struct enc *e, uint32_t w, uint32_t h, uint64_t id,
		       uint32_t head_dist)
{
	put_be(e, 0x20205a4c);
	put_be(e, 0x00010001);
	put(e, 8 | 1 << 4); /* RGB32, top down */
	put_be(e, w);
	put_be(e, h);
	put_be(e, w * 4);
	put_be(e, (uint32_t)(id >> 32));
	put_be(e, (uint32_t)id);
	put_be(e, head_dist);
}

/* A match of @len (< 7) pixels from image @dist back at @ofs (< 4096). */
static void glz_ref(struct enc *e, uint32_t len, uint32_t dist, uint32_t ofs)
{
	put(e, (uint8_t)(len << 5 | (ofs & 15)));
	put(e, (uint8_t)(ofs >> 4));
	put(e, (uint8_t)dist); /* dist < 64: no extra bytes */
}

/* @n literal pixels @px into @e (n <= 32). */
static void glz_literals(struct enc *e, const uint32_t *px, unsigned n)
{
	put(e, (uint8_t)(n - 1));
	for (unsigned i = 0; i < n; i++)
		lit_rgb32(e, px[i]);
}

/*
 * A released image's buffer serves the next one: pictures decoded into
 * reused buffers are right, and so are references into them.
 */
TEST(glz_images_reuse_released_buffers)
{
	struct spice_glz *g;
	struct spice_pixels out = { 0 };
	struct errmsg err;
	uint32_t pic[3][8], wide[16];

	for (unsigned k = 0; k < 3; k++)
		for (unsigned i = 0; i < 8; i++)
			pic[k][i] = 0x10000 * (k + 1) + i;
	for (unsigned i = 0; i < 16; i++)
		wide[i] = 0xab0000 + i;
	CHECK(spice_glz_new(&g, 1 << 20) == 0);
	for (unsigned k = 0; k < 3; k++) { /* ids 10..12, each releasing the last */
		struct enc e = { 0 };
		glz_header(&e, 4, 2, 10 + k, 0);
		glz_literals(&e, pic[k], 8);
		CHECK_EQ(spice_glz_decode(g, e.p, e.len, 4, 2, &out, &err), 0);
		CHECK_MEM(out.px, pic[k], sizeof(pic[k]));
		spice_pixels_free(&out);
		free(e.p);
	}
	/* Id 13 copies image 12 (in a reused buffer) but its first two pixels. */
	struct enc e = { 0 };
	glz_header(&e, 4, 2, 13, 1);
	glz_literals(&e, wide, 2);
	glz_ref(&e, 6, 1, 2);
	CHECK_EQ(spice_glz_decode(g, e.p, e.len, 4, 2, &out, &err), 0);
	uint32_t want[8] = { wide[0], wide[1] };
	memcpy(want + 2, pic[2] + 2, 6 * 4);
	CHECK_MEM(out.px, want, sizeof(want));
	spice_pixels_free(&out);
	/* Larger than any released buffer: a new one. */
	e.len = 0;
	glz_header(&e, 8, 2, 14, 0);
	glz_literals(&e, wide, 16);
	CHECK_EQ(spice_glz_decode(g, e.p, e.len, 8, 2, &out, &err), 0);
	CHECK_MEM(out.px, wide, sizeof(wide));
	spice_pixels_free(&out);
	free(e.p);
	spice_glz_free(g);
}

TEST(glz_dictionary_references)
{
	struct spice_glz *g;
	struct spice_pixels out = { 0 };
	struct errmsg err;
	struct enc a = { 0 }, b = { 0 }, c = { 0 };
	static const uint32_t first[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	CHECK(spice_glz_new(&g, 1 << 20) == 0);
	/* Image 5: eight literal pixels. */
	glz_header(&a, 4, 2, 5, 0);
	put(&a, 7);
	for (int i = 0; i < 8; i++)
		lit_rgb32(&a, first[i]);
	CHECK_EQ(spice_glz_decode(g, a.p, a.len, 4, 2, &out, &err), 0);
	CHECK_MEM(out.px, first, sizeof(first));
	/* Image 6: pixels 2..7 of image 5, then two of its own (distance 1 in
	 * the same image is offset 0 + bias). */
	glz_header(&b, 4, 2, 6, 1);
	glz_ref(&b, 6, 1, 2);
	glz_ref(&b, 2, 0, 1); /* repeats pixels 4,5 of this image */
	CHECK_EQ(spice_glz_decode(g, b.p, b.len, 4, 2, &out, &err), 0);
	static const uint32_t second[8] = { 3, 4, 5, 6, 7, 8, 7, 8 };
	CHECK_MEM(out.px, second, sizeof(second));
	/* Image 8 says everything before 8 - 0 is released: a reference to
	 * image 6 must then fail cleanly, as must one past image 6's end. */
	glz_header(&c, 4, 2, 8, 0);
	glz_ref(&c, 6, 2, 0);
	glz_ref(&c, 2, 0, 1);
	CHECK(spice_glz_decode(g, c.p, c.len, 4, 2, &out, &err) < 0);
	CHECK(strstr(err.msg, "outside the dictionary") != NULL);
	c.len = 0;
	glz_header(&c, 4, 2, 9, 3);
	glz_ref(&c, 6, 3, 4); /* image 6 has 8 pixels: 4 + 6 overruns */
	glz_ref(&c, 2, 0, 1);
	CHECK(spice_glz_decode(g, c.p, c.len, 4, 2, &out, &err) < 0);
	/* Ids must grow. */
	CHECK(spice_glz_decode(g, b.p, b.len, 4, 2, &out, &err) < 0);
	spice_pixels_free(&out);
	spice_glz_free(g);
	free(a.p);
	free(b.p);
	free(c.p);
}
