/* SPDX-License-Identifier: GPL-2.0-only */
/* Image manifests: build, text round trip, hostile text; partial images. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "disk/disk.h"
#include "tests/disk/disk_test_util.h"
#include "tests/harness.h"

#define CHUNK (64 * 1024)

/* An image of @len bytes at @path (mixed content); its bytes in *@out. */
static uint8_t *make_image(const char *path, size_t len, uint64_t seed)
{
	uint8_t *p = malloc(len);

	CHECK(p);
	fill_mixed(p, len, seed);
	write_whole(path, p, len);
	return p;
}

TEST(manifest_build_and_round_trip)
{
	const char *img = test_path("a.img"), *mf = test_path("a.img.manifest");
	size_t len = 5 * CHUNK + 1234;
	uint8_t *p = make_image(img, len, 1), d[32];
	struct disk_manifest m, back;
	struct errmsg err;

	CHECK_EQ(disk_manifest_build(img, CHUNK, &m, &err), 0);
	CHECK_EQ(m.file_size, len);
	CHECK_EQ(m.chunk_size, CHUNK);
	CHECK_EQ(m.nchunks, 6);
	CHECK_EQ(disk_manifest_chunk_len(&m, 5), 1234);
	CHECK_EQ(disk_manifest_chunk_len(&m, 6), 0);
	sha256(p, len, d);
	CHECK_MEM(m.digest, d, 32);
	sha256(p + 5 * CHUNK, 1234, d);
	CHECK_MEM(m.chunk_digest[5], d, 32);
	CHECK_EQ(disk_manifest_write(mf, &m, &err), 0);
	CHECK_EQ(disk_manifest_load(mf, &back, &err), 0);
	CHECK_EQ(back.file_size, m.file_size);
	CHECK_EQ(back.nchunks, m.nchunks);
	CHECK_MEM(back.digest, m.digest, 32);
	CHECK_MEM(back.chunk_digest, m.chunk_digest, 6 * 32);
	disk_manifest_free(&back);
	disk_manifest_free(&m);
	disk_manifest_free(&m); /* harmless on a freed (zeroed) one */
	free(p);
}

TEST(manifest_build_rejects_bad_chunk_size)
{
	struct disk_manifest m;
	struct errmsg err;

	make_image(test_path("b.img"), 1000, 2);
	CHECK_EQ(disk_manifest_build(test_path("b.img"), 3000, &m, &err), -EINVAL);
	CHECK_EQ(disk_manifest_build(test_path("b.img"), 32768, &m, &err), -EINVAL);
	CHECK_EQ(disk_manifest_build(test_path("nope"), 0, &m, &err), -ENOENT);
	CHECK_EQ(disk_manifest_build(test_path("b.img"), 0, &m, &err), 0);
	CHECK_EQ(m.chunk_size, DISK_CHUNK_DEFAULT);
	CHECK_EQ(m.nchunks, 1);
	disk_manifest_free(&m);
}

static const char *Z64 = "0000000000000000000000000000000000000000000000000000000000000000";

/* A manifest text of @n chunks of 64 KiB and @size bytes, with @extra appended. */
static char *text_of(uint64_t size, unsigned n, const char *extra)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "[manifest]\nversion = 1\nsize = %llu\nchunk_size = 65536\nsha256 = %s\n[chunks]\n",
		   (unsigned long long)size, Z64);
	for (unsigned i = 0; i < n; i++)
		buf_printf(&b, "%u = %s\n", i, Z64);
	buf_printf(&b, "%s", extra);
	buf_terminate(&b);
	return (char *)b.data;
}

static int parse(const char *t, struct errmsg *err)
{
	struct disk_manifest m;
	int r = disk_manifest_parse(t, strlen(t), "m", &m, err);

	if (r == 0)
		disk_manifest_free(&m);
	return r;
}

TEST(manifest_parse_hostile)
{
	struct errmsg err;
	char *t;

	t = text_of(65536 * 2, 2, "");
	CHECK_EQ(parse(t, &err), 0);
	free(t);
	t = text_of(65536 * 2, 1, ""); /* a digest missing */
	CHECK_EQ(parse(t, &err), -EINVAL);
	CHECK(strstr(err.msg, "1 chunk digests, expected 2"));
	free(t);
	t = text_of(65536, 1, "1 = 00\n"); /* one too many */
	CHECK_EQ(parse(t, &err), -EINVAL);
	CHECK(strstr(err.msg, "m:8:"));
	free(t);
	t = text_of(1ull << 40, 0, ""); /* a table the text cannot hold */
	CHECK_EQ(parse(t, &err), -EINVAL);
	CHECK(strstr(err.msg, "more than the text holds"));
	free(t);
	CHECK_EQ(parse("[manifest]\nversion = 2\n", &err), -EINVAL);
	CHECK(strstr(err.msg, "m:2: version"));
	CHECK_EQ(parse("[manifest]\nchunk_size = 65537\n", &err), -EINVAL);
	CHECK_EQ(parse("[manifest]\nsize = 0\n", &err), -EINVAL);
	CHECK_EQ(parse("[manifest]\nsha256 = zz\n", &err), -EINVAL);
	CHECK_EQ(parse("[manifest]\ncolour = red\n", &err), -EINVAL);
	CHECK_EQ(parse("[chunks]\n0 = 00\n", &err), -EINVAL);
	CHECK(strstr(err.msg, "before version"));
	CHECK_EQ(parse("[other]\n", &err), -EINVAL);
	CHECK_EQ(parse("", &err), -EINVAL);
	t = text_of(65536 * 2, 2, "[manifest]\n");
	CHECK_EQ(parse(t, &err), -EINVAL);
	free(t);
}

/* A multicast announce carries the manifest's first bytes: what they name. */
TEST(manifest_peek_names_the_image)
{
	struct disk_manifest m;
	struct errmsg err;
	uint8_t d[32];
	struct buf b;

	free(make_image(test_path("peek.img"), 65536 * 3, 5));
	CHECK_EQ(disk_manifest_build(test_path("peek.img"), 65536, &m, &err), 0);
	buf_init(&b);
	CHECK_EQ(disk_manifest_format(&m, &b), 0);
	const char *t = (const char *)b.data;
	size_t upto = (size_t)(strstr(t, "[chunks]") - t);
	CHECK_EQ(disk_manifest_peek_digest(t, upto, d), 0);  /* cut after the header */
	CHECK_MEM(d, m.digest, 32);
	CHECK_EQ(disk_manifest_peek_digest(t, (size_t)(strstr(t, "sha256") - t) + 20, d),
		 -ENOENT);                                 /* cut inside its line */
	CHECK_EQ(disk_manifest_peek_digest("[other]\nsha256 = 00\n", 21, d), -ENOENT);
	CHECK_EQ(disk_manifest_peek_digest("[manifest]\nsha256 = 12\n", 24, d), -EINVAL);
	buf_free(&b);
	disk_manifest_free(&m);
	/* Two digests: refused whole, so no reader can take the other one. */
	char *twice = text_of(65536, 1, "");
	char *hdr = strstr(twice, "sha256");
	char *line_end = strchr(hdr, '\n');
	size_t hl = (size_t)(line_end + 1 - hdr);
	char *doubled = malloc(strlen(twice) + hl + 1);
	size_t pre = (size_t)(line_end + 1 - twice);
	memcpy(doubled, twice, pre);
	memcpy(doubled + pre, hdr, hl);
	strcpy(doubled + pre + hl, line_end + 1);
	CHECK_EQ(parse(doubled, &err), -EINVAL);
	CHECK(strstr(err.msg, "sha256 given twice"));
	free(doubled);
	free(twice);
}

/* ---- partial images ---- */

struct fixture {
	struct disk_store *s;
	struct disk_manifest m;
	uint8_t *data;
	size_t len;
	char store[600];
};

static void fixture_init(struct fixture *f, size_t len)
{
	struct errmsg err;

	f->len = len;
	f->data = make_image(test_path("src.img"), len, 7);
	CHECK_EQ(disk_manifest_build(test_path("src.img"), CHUNK, &f->m, &err), 0);
	snprintf(f->store, sizeof(f->store), "%s", test_path("store"));
	CHECK_EQ(disk_store_open(f->store, &f->s, &err), 0);
}

static int put(struct fixture *f, struct disk_partial *p, uint64_t i, struct errmsg *err)
{
	return disk_partial_put(p, i, f->data + i * CHUNK,
				disk_manifest_chunk_len(&f->m, i), err);
}

static void check_installed(struct fixture *f)
{
	char path[700];
	struct buf b;

	CHECK_EQ(disk_store_path(f->s, f->m.digest, path, sizeof(path)), 0);
	buf_init(&b);
	CHECK_EQ(read_file(path, f->len + 1, &b), 0);
	CHECK_EQ(b.len, f->len);
	CHECK_MEM(b.data, f->data, f->len);
	buf_free(&b);
}

TEST(partial_out_of_order_with_duplicates)
{
	struct fixture f;
	struct disk_partial *p;
	struct errmsg err;

	fixture_init(&f, 7 * CHUNK + 99);
	CHECK_EQ(disk_partial_open(f.s, &f.m, &p, &err), 0);
	CHECK_EQ(disk_partial_missing(p), 8);
	for (int i = 7; i >= 0; i -= 2)
		CHECK_EQ(put(&f, p, (uint64_t)i, &err), 0);
	CHECK_EQ(put(&f, p, 7, &err), 0); /* duplicate */
	CHECK_EQ(disk_partial_missing(p), 4);
	CHECK(disk_partial_has(p, 3) && !disk_partial_has(p, 2) && !disk_partial_has(p, 99));
	CHECK_EQ(disk_partial_finish(p, &err), -EAGAIN);
	for (int i = 0; i < 8; i += 2)
		CHECK_EQ(put(&f, p, (uint64_t)i, &err), 0);
	CHECK_EQ(disk_partial_finish(p, &err), 0);
	disk_partial_close(p);
	check_installed(&f);
	/* Nothing left behind in tmp; a new open says it is there already. */
	CHECK_EQ(disk_partial_open(f.s, &f.m, &p, &err), -EEXIST);
	disk_store_close(f.s);
}

TEST(partial_rejects_bad_chunks)
{
	struct fixture f;
	struct disk_partial *p, *q;
	struct errmsg err;

	fixture_init(&f, 3 * CHUNK);
	CHECK_EQ(disk_partial_open(f.s, &f.m, &p, &err), 0);
	CHECK_EQ(disk_partial_open(f.s, &f.m, &q, &err), -EBUSY);
	f.data[CHUNK + 5] ^= 1;
	CHECK_EQ(put(&f, p, 1, &err), -EBADMSG);
	CHECK(strstr(err.msg, "chunk 1 (bytes 65536..131071)"));
	f.data[CHUNK + 5] ^= 1;
	CHECK_EQ(disk_partial_put(p, 3, f.data, CHUNK, &err), -ERANGE);
	CHECK_EQ(disk_partial_put(p, 0, f.data, CHUNK - 1, &err), -ERANGE);
	CHECK_EQ(disk_partial_missing(p), 3);
	disk_partial_close(p);
	disk_store_close(f.s);
}

/* Closed (or killed) half-way: a new open knows what was verified. */
TEST(partial_resumes_after_close_and_kill)
{
	struct fixture f;
	struct disk_partial *p;
	struct errmsg err;
	pid_t pid;
	int st;

	fixture_init(&f, 10 * CHUNK);
	CHECK_EQ(disk_partial_open(f.s, &f.m, &p, &err), 0);
	CHECK_EQ(put(&f, p, 0, &err), 0);
	CHECK_EQ(put(&f, p, 4, &err), 0);
	disk_partial_close(p); /* saves HEX.have */
	pid = fork();
	if (pid == 0) { /* dies without saving: the data is all there is */
		struct disk_partial *c;
		if (disk_partial_open(f.s, &f.m, &c, &err) || put(&f, c, 5, &err) ||
		    put(&f, c, 9, &err))
			_exit(1);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(disk_partial_open(f.s, &f.m, &p, &err), 0);
	CHECK_EQ(disk_partial_missing(p), 6);
	CHECK(disk_partial_has(p, 0) && disk_partial_has(p, 4) && disk_partial_has(p, 5) &&
	      disk_partial_has(p, 9));
	for (uint64_t i = 0; i < 10; i++)
		if (!disk_partial_has(p, i))
			CHECK_EQ(put(&f, p, i, &err), 0);
	CHECK_EQ(disk_partial_finish(p, &err), 0);
	disk_partial_close(p);
	check_installed(&f);
	disk_store_close(f.s);
}

/* Garbage in HEX.part is not taken for a chunk; a lying HEX.have is ignored. */
TEST(partial_distrusts_leftovers)
{
	struct fixture f;
	struct disk_partial *p;
	struct errmsg err;
	char hex[65], path[800];
	uint8_t junk[100];

	fixture_init(&f, 4 * CHUNK);
	format_hex(f.m.digest, 32, hex);
	snprintf(path, sizeof(path), "%s/tmp/%s.part", f.store, hex);
	memset(junk, 0xa5, sizeof(junk));
	write_whole(path, junk, sizeof(junk));
	snprintf(path, sizeof(path), "%s/tmp/%s.have", f.store, hex);
	write_whole(path, junk, sizeof(junk));
	CHECK_EQ(disk_partial_open(f.s, &f.m, &p, &err), 0);
	CHECK_EQ(disk_partial_missing(p), 4);
	disk_partial_close(p);
	disk_store_close(f.s);
}

/* A manifest whose chunks do not add up to its whole digest installs nothing. */
TEST(partial_whole_digest_mismatch)
{
	struct fixture f;
	struct disk_partial *p;
	struct errmsg err;
	char path[700];

	fixture_init(&f, 2 * CHUNK);
	f.m.digest[0] ^= 1;
	CHECK_EQ(disk_partial_open(f.s, &f.m, &p, &err), 0);
	CHECK_EQ(put(&f, p, 1, &err), 0); /* out of order: hashed at the end */
	CHECK_EQ(put(&f, p, 0, &err), 0);
	CHECK_EQ(disk_partial_finish(p, &err), -EBADMSG);
	CHECK(strstr(err.msg, "manifest and image disagree"));
	disk_partial_close(p);
	CHECK_EQ(disk_store_path(f.s, f.m.digest, path, sizeof(path)), -ENOENT);
	disk_store_close(f.s);
}
