/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The QUIC decoder against streams from an independent encoder
 * (tests/spiceclient/quic_encode.h) for each image type the server sends,
 * on photographic-like content (gradients and noise) with flat areas
 * (runs), rows wider than the model's 2048-sample wait-mask step; then
 * truncated, damaged and lying streams, which must be refused or decoded
 * without overrunning anything (ASan build); and the fast paths for 8-bit
 * colour (quic_rgb8.c, with and without BMI2) against the reference
 * segment() on good and damaged streams. Streams captured from QEMU are
 * replayed by test_replay.c.
 */
#include <stdlib.h>
#include <string.h>

#include "spiceclient/quic_int.h"
#include "spiceclient/spice.h"
#include "tests/harness.h"

#define QE_ASSERT CHECK
#include "tests/spiceclient/quic_encode.h"

/* Smooth gradients with noise, a flat block and a repeated-row band. */
static uint32_t *photo(uint64_t *st, uint32_t w, uint32_t h, uint32_t mask)
{
	uint32_t *px = malloc((size_t)w * h * 4);

	CHECK(px != NULL);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t n = (uint32_t)test_rand(st) % 7;
			uint32_t r = (x * 3 + y + n) & 0xff, g = (x + 2 * y) & 0xff;
			uint32_t b = (x ^ y) + n, a = (x / 4 + n) & 0xff;
			if (x > w / 3 && x < w / 2 && y > h / 4)
				r = g = b = 0x40; /* flat: runs */
			px[(size_t)y * w + x] = (a << 24 | (r & 0xff) << 16 | (g & 0xff) << 8 |
						 (b & 0xff)) & mask;
		}
	return px;
}

static void roundtrip(int type, uint32_t w, uint32_t h, uint64_t seed)
{
	uint32_t mask = type == QE_RGBA ? 0xffffffff : type == QE_RGB16 ? 0x1f1f1f : 0xffffff;
	uint32_t *px = photo(&seed, w, h, mask);
	struct spice_pixels out = { 0 };
	struct errmsg err;
	size_t len;
	uint8_t *s = quic_encode(type, px, w, h, &len);

	if (spice_quic_decode(s, len, w, h, &out, &err) < 0)
		test_fail(__FILE__, __LINE__, "type %d %ux%u: %s", type, w, h, err.msg);
	for (size_t i = 0; i < (size_t)w * h; i++) {
		uint32_t want = px[i];
		if (type == QE_RGB16) { /* 5-bit samples widened as v << 3 | v >> 2 */
			want = 0;
			for (unsigned sh = 0; sh < 24; sh += 8) {
				uint32_t v = px[i] >> sh & 31;
				want |= (v << 3 | v >> 2) << sh;
			}
		}
		if (out.px[i] != want)
			test_fail(__FILE__, __LINE__, "type %d %ux%u: pixel %zu is %08x, want %08x",
				  type, w, h, i, out.px[i], want);
	}
	spice_pixels_free(&out);
	free(s);
	free(px);
}

TEST(quic_roundtrip_all_types)
{
	roundtrip(QE_RGB32, 97, 61, 1);
	roundtrip(QE_RGB24, 97, 61, 2);
	roundtrip(QE_RGB16, 97, 61, 3);
	roundtrip(QE_RGBA, 97, 61, 4);
	/* Rows crossing the 2048-sample steps of the model's wait mask. */
	roundtrip(QE_RGB32, 2100, 9, 5);
	roundtrip(QE_RGBA, 4500, 3, 6);
	/* Tiny images (a glyph, one pixel, one row, one column). */
	roundtrip(QE_RGB32, 1, 1, 7);
	roundtrip(QE_RGB32, 5, 1, 8);
	roundtrip(QE_RGB16, 1, 9, 9);
}

TEST(quic_long_runs)
{
	uint32_t w = 3000, h = 6;
	uint32_t *px = calloc((size_t)w * h, 4);
	struct spice_pixels out = { 0 };
	struct errmsg err;
	size_t len;

	CHECK(px != NULL);
	for (uint32_t x = 0; x < w; x++)
		px[x] = x & 0xff; /* row 0 varied, then flat rows: whole-row runs */
	for (size_t i = w; i < (size_t)w * h; i++)
		px[i] = 0x123456;
	uint8_t *s = quic_encode(QE_RGB32, px, w, h, &len);
	CHECK(len < 4 * 3000); /* five flat rows cost next to nothing */
	CHECK_EQ(spice_quic_decode(s, len, w, h, &out, &err), 0);
	CHECK_MEM(out.px, px, (size_t)w * h * 4);
	spice_pixels_free(&out);
	free(s);
	free(px);
}

TEST(quic_refuses_hostile_streams)
{
	uint64_t seed = 11;
	uint32_t w = 64, h = 40;
	uint32_t *px = photo(&seed, w, h, 0xffffff);
	struct spice_pixels out = { 0 };
	struct errmsg err;
	size_t len;
	uint8_t *s = quic_encode(QE_RGB32, px, w, h, &len);

	/* Every truncation is refused. */
	for (size_t cut = 0; cut + 4 < len; cut += 1 + cut / 16)
		CHECK(spice_quic_decode(s, cut, w, h, &out, &err) < 0);
	/* A size that disagrees with the descriptor. */
	CHECK(spice_quic_decode(s, len, w + 1, h, &out, &err) < 0);
	/* Bad magic, version, type. */
	for (int field = 0; field < 3; field++) {
		uint8_t *c = malloc(len);
		memcpy(c, s, len);
		c[4 * field] ^= 0x5a;
		CHECK(spice_quic_decode(c, len, w, h, &out, &err) < 0);
		free(c);
	}
	/* A huge declared size with a few bytes: refused before allocating. */
	uint8_t bomb[64] = { 0 };
	memcpy(bomb, s, 12);
	put_le32(bomb + 12, 8000);
	put_le32(bomb + 16, 4000);
	CHECK(spice_quic_decode(bomb, sizeof(bomb), 0, 0, &out, &err) < 0);
	/* Random damage: decodes or refuses, never overruns (ASan). */
	for (int i = 0; i < 300; i++) {
		uint8_t *c = malloc(len);
		memcpy(c, s, len);
		for (int k = 0; k < 4; k++)
			c[20 + test_rand(&seed) % (len - 20)] ^= (uint8_t)(1 + test_rand(&seed) % 255);
		(void)spice_quic_decode(c, len, w, h, &out, &err);
		free(c);
	}
	spice_pixels_free(&out);
	free(s);
	free(px);
}

/* Decodes @s along every path; they must agree on the outcome and on
 * every pixel. Returns the outcome. */
static int paths_agree(const uint8_t *s, size_t len, uint32_t w, uint32_t h)
{
	enum quic_path paths[3] = { QUIC_PATH_GENERIC, QUIC_PATH_FAST, QUIC_PATH_FAST_BMI2 };
	unsigned npaths = quic_has_bmi2() ? 3 : 2;
	struct spice_pixels out[3] = { { 0 } };
	struct errmsg err;
	int rc[3];

	for (unsigned p = 0; p < npaths; p++) {
		rc[p] = quic_decode(s, len, w, h, &out[p], paths[p], &err);
		if (rc[p] != rc[0])
			test_fail(__FILE__, __LINE__, "%ux%u, %zu bytes: path %u says %d, the reference %d",
				  w, h, len, p, rc[p], rc[0]);
		if (rc[p] == 0 && memcmp(out[p].px, out[0].px, (size_t)w * h * 4))
			test_fail(__FILE__, __LINE__, "%ux%u: path %u decodes other pixels", w, h, p);
	}
	for (unsigned p = 0; p < npaths; p++)
		spice_pixels_free(&out[p]);
	return rc[0];
}

TEST(quic_fast_paths_match_the_reference)
{
	static const int types[] = { QE_RGB32, QE_RGB24, QE_RGBA };
	uint64_t seed = 21;

	for (unsigned t = 0; t < 3; t++) {
		/* 420x200 makes a stream of a few windows (SWAP_WINDOW). */
		uint32_t w = t == 1 ? 37 : 420, h = t == 1 ? 29 : 200;
		uint32_t *px = photo(&seed, w, h, types[t] == QE_RGBA ? 0xffffffff : 0xffffff);
		size_t len;
		uint8_t *s = quic_encode(types[t], px, w, h, &len);

		CHECK(len > (t == 1 ? 100 : 2u * SWAP_WINDOW));
		CHECK_EQ(paths_agree(s, len, w, h), 0);
		/* Cut short and damaged: the same refusals, the same pixels. */
		for (size_t cut = len - 64; cut < len; cut += 7)
			CHECK(paths_agree(s, cut, w, h) < 0);
		for (int i = 0; i < 60; i++) {
			uint8_t *c = malloc(len);
			CHECK(c != NULL);
			memcpy(c, s, len);
			for (int k = 0; k < 3; k++)
				c[20 + test_rand(&seed) % (len - 20)] ^= (uint8_t)(1 + test_rand(&seed) % 255);
			(void)paths_agree(c, len, w, h);
			free(c);
		}
		free(s);
		free(px);
	}
}

/* A desktop: flat rows (runs as long as the row), glyph-like speckle
 * (short runs between short codewords) and noisy bands, over many
 * windows, so that windows move before, inside and after runs. */
static uint32_t *desktop(uint64_t *st, uint32_t w, uint32_t h, uint32_t mask)
{
	uint32_t *px = malloc((size_t)w * h * 4);

	CHECK(px != NULL);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t band = y / 16 % 4, c = 0xf0f0f0;
			if (band == 1 && x % 9 < 7 && test_rand(st) % 2)
				c = 0x202020;
			else if (band == 2)
				c = (uint32_t)test_rand(st) & 0xffffff;
			else if (band == 3)
				c = (y * 255 / h) << 8 | (x * 255 / w);
			px[(size_t)y * w + x] = (c | (uint32_t)(x & 0xff) << 24) & mask;
		}
	return px;
}

TEST(quic_fast_paths_match_on_runs)
{
	static const int types[] = { QE_RGB32, QE_RGBA };
	uint64_t seed = 5;

	for (unsigned t = 0; t < 2; t++) {
		uint32_t w = 1000, h = 160;
		uint32_t *px = desktop(&seed, w, h, types[t] == QE_RGBA ? 0xffffffff : 0xffffff);
		size_t len;
		uint8_t *s = quic_encode(types[t], px, w, h, &len);

		CHECK(len > 8u * SWAP_WINDOW);
		CHECK_EQ(paths_agree(s, len, w, h), 0);
		for (size_t cut = len - 4096; cut < len; cut += 509)
			CHECK(paths_agree(s, cut, w, h) < 0);
		free(s);
		free(px);
	}
}
