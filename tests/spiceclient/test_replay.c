/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Display messages captured from QEMU's SPICE server (SeaBIOS text
 * screen, `kvmbox spice --record`), replayed through the display code:
 * the LZ and LZ4 captures of the same screen must render identically, and
 * as the picture that matched QEMU's own screendump when captured.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spiceclient/spice.h"
#include "tests/harness.h"

#define CAPTURES "tests/spiceclient/captures/"
#define EXPECT_LZ "d329dff4e347a6c06cdd9943f6a6fb6068cad754464571e2fa54352bb8b71732"
#define EXPECT_LZ4 "a6dddc54a8435b513e275e904cc6a0ca273d81fba1b369265f41f4848726bd6f"

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Replays CAPTURES/@name; the primary surface's pixels and their SHA-256. */
static uint32_t *replay(const char *name, uint8_t digest[SHA256_LEN],
			uint32_t *w, uint32_t *h)
{
	char dir[256], path[512];
	struct dirent **list;
	struct spice_display *d;
	struct errmsg err;

	snprintf(dir, sizeof(dir), CAPTURES "%s", name);
	int n = scandir(dir, &list, NULL, by_name);
	CHECK(n > 2);
	CHECK(spice_display_new(&d) == 0);
	for (int i = 0; i < n; i++) {
		unsigned seq, type;
		if (sscanf(list[i]->d_name, "%u-%u.bin", &seq, &type) == 2) {
			struct buf b;
			buf_init(&b);
			snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
			CHECK(read_file(path, 1 << 24, &b) == 0);
			int rc = spice_display_message(d, (uint16_t)type, b.data, b.len, &err);
			if (rc < 0)
				test_fail(__FILE__, __LINE__, "%s: %s", path, err.msg);
			buf_free(&b);
		}
		free(list[i]);
	}
	free(list);
	const struct spice_pixels *p = spice_display_primary(d);
	CHECK(p != NULL);
	*w = p->width;
	*h = p->height;
	sha256(p->px, (size_t)p->width * p->height * 4, digest);
	CHECK(spice_display_draw_count(d) >= 8);
	uint32_t *copy = malloc((size_t)p->width * p->height * 4);
	CHECK(copy != NULL);
	memcpy(copy, p->px, (size_t)p->width * p->height * 4);
	spice_display_free(d);
	return copy;
}

static void check_digest(const uint8_t d[SHA256_LEN], const char *want)
{
	char hex[2 * SHA256_LEN + 1];

	format_hex(d, SHA256_LEN, hex);
	if (strcmp(hex, want))
		test_fail(__FILE__, __LINE__, "picture sha256 %s, expected %s", hex, want);
}

TEST(replay_qemu_lz_and_lz4_agree)
{
	uint8_t a[SHA256_LEN], b[SHA256_LEN];
	uint32_t aw, ah, bw, bh, differ = 0;
	uint32_t *pa = replay("seabios-lz", a, &aw, &ah);
	uint32_t *pb = replay("seabios-lz4", b, &bw, &bh);

	CHECK_EQ(aw, 720);
	CHECK_EQ(ah, 400);
	CHECK_EQ(bw, aw);
	CHECK_EQ(bh, ah);
	/* The two captures caught the blinking text cursor in opposite phases. */
	for (size_t i = 0; i < (size_t)aw * ah; i++)
		differ += pa[i] != pb[i];
	CHECK(differ <= 9 * 2);
	free(pa);
	free(pb);
	/* The pictures that matched QEMU's screendump at 99.99 % when captured. */
	check_digest(a, EXPECT_LZ);
	check_digest(b, EXPECT_LZ4);
}

TEST(replay_qemu_glz_dictionary)
{
	uint8_t a[SHA256_LEN], g[SHA256_LEN];
	uint32_t aw, ah, gw, gh, differ = 0;
	uint32_t *pa = replay("seabios-lz", a, &aw, &ah);
	/* The first frame is LZ, then the blinking cursor as GLZ images that
	 * refer back to earlier ones through the dictionary. */
	uint32_t *pg = replay("seabios-glz", g, &gw, &gh);

	CHECK_EQ(gw, aw);
	CHECK_EQ(gh, ah);
	for (size_t i = 0; i < (size_t)aw * ah; i++)
		differ += pa[i] != pg[i];
	CHECK(differ <= 9 * 2);
	free(pa);
	free(pg);
}

TEST(replay_qemu_quic)
{
	uint8_t a[SHA256_LEN], q[SHA256_LEN];
	uint32_t aw, ah, qw, qh, differ = 0;
	uint32_t *pa = replay("seabios-lz", a, &aw, &ah);
	/* The same screen with every image QUIC-coded (the text screen's runs
	 * and the model's adaptation across 640x480 and glyph-sized images). */
	uint32_t *pq = replay("seabios-quic", q, &qw, &qh);

	CHECK_EQ(qw, aw);
	CHECK_EQ(qh, ah);
	for (size_t i = 0; i < (size_t)aw * ah; i++)
		differ += pa[i] != pq[i];
	CHECK(differ <= 9 * 2);
	free(pa);
	free(pq);
}
