/* SPDX-License-Identifier: GPL-2.0-only */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/core.h"
#include "tests/harness.h"

static void hex_of(const void *data, size_t len, char out[65], bool portable)
{
	struct sha256 s;
	uint8_t d[32];

	if (portable)
		sha256_init_portable(&s);
	else
		sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, d);
	format_hex(d, 32, out);
}

/* FIPS 180-4 / NIST CAVP example vectors, both code paths. */
TEST(sha256_nist_vectors)
{
	static const struct { const char *msg, *hex; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
		  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char out[65];

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		for (int p = 0; p < 2; p++) {
			hex_of(v[i].msg, strlen(v[i].msg), out, p);
			CHECK_STR(out, v[i].hex);
		}
	}
}

TEST(sha256_million_a_in_odd_pieces)
{
	struct sha256 s;
	char a[1000], out[65];
	uint8_t d[32];
	size_t done = 0, step = 1;

	memset(a, 'a', sizeof(a));
	sha256_init(&s);
	while (done < 1000000) {
		size_t n = MIN(step, 1000000 - done);
		sha256_update(&s, a, n);
		done += n;
		step = step % 991 + 7; /* lengths crossing block edges */
	}
	sha256_final(&s, d);
	format_hex(d, 32, out);
	CHECK_STR(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(sha256_hw_and_portable_agree)
{
	uint64_t seed = 42;
	uint8_t *buf = malloc(70000);
	char a[65], b[65];

	CHECK(buf);
	for (size_t i = 0; i < 70000; i++)
		buf[i] = (uint8_t)test_rand(&seed);
	for (int k = 0; k < 200; k++) {
		size_t len = test_rand(&seed) % 70000;
		hex_of(buf, len, a, false);
		hex_of(buf, len, b, true);
		CHECK_STR(a, b);
	}
	free(buf);
}

/* The same digest as coreutils' sha256sum on a large random file. */
TEST(sha256_matches_sha256sum_on_large_file)
{
	const char *path = test_path("big");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	uint64_t seed = 7;
	static uint8_t chunk[1 << 20];
	struct sha256 s;
	uint8_t d[32];
	char ours[65], theirs[65] = "", cmd[600];

	CHECK(fd >= 0);
	sha256_init(&s);
	for (int m = 0; m < 48; m++) { /* 48 MiB */
		for (size_t i = 0; i < sizeof(chunk); i += 8) {
			uint64_t r = test_rand(&seed);
			memcpy(chunk + i, &r, 8);
		}
		size_t len = sizeof(chunk) - (m == 47 ? 13 : 0);
		CHECK_EQ(write_full(fd, chunk, len), 0);
		sha256_update(&s, chunk, len);
	}
	close(fd);
	sha256_final(&s, d);
	format_hex(d, 32, ours);
	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	FILE *p = popen(cmd, "r");
	CHECK(p);
	CHECK(fscanf(p, "%64s", theirs) == 1);
	pclose(p);
	CHECK_STR(ours, theirs);
}

/* The SHA-NI path is used exactly when the CPU has it (/proc/cpuinfo). */
TEST(sha256_picks_hw_path_when_cpu_has_it)
{
	struct sha256 a, b;
	struct buf info;
	bool flag;

	buf_init(&info);
	CHECK_EQ(read_file("/proc/cpuinfo", 1 << 22, &info), 0);
	flag = strstr((char *)info.data, " sha_ni") != NULL;
	buf_free(&info);
	CHECK_EQ(sha256_hw_available(), flag);
	sha256_init(&a);
	sha256_init_portable(&b);
	CHECK_EQ(a.blocks != b.blocks, flag);
}
