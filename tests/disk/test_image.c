/* SPDX-License-Identifier: GPL-2.0-only */
/* The compressed image format: round trips, checked reads, bad files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/disk/disk_test_util.h"

#define RAW_SIZE (3 * 1024 * 1024 + 5 * 512) /* the last block is partial */

struct fixture {
	char raw[512], img[512], out[512];
	uint8_t *data;
};

static void setup(struct fixture *f, uint32_t bs)
{
	struct disk_pack_opts o = { .block_size = bs };
	struct disk_image_info info;
	struct errmsg err = { "" };

	snprintf(f->raw, sizeof(f->raw), "%s/disk.raw", test_tmpdir());
	snprintf(f->img, sizeof(f->img), "%s/disk.kvmbox", test_tmpdir());
	snprintf(f->out, sizeof(f->out), "%s/again.raw", test_tmpdir());
	f->data = malloc(RAW_SIZE);
	CHECK(f->data);
	fill_mixed(f->data, RAW_SIZE, bs);
	write_whole(f->raw, f->data, RAW_SIZE);
	if (disk_pack(f->raw, f->img, &o, &info, &err) < 0)
		test_fail(__FILE__, __LINE__, "%s", err.msg);
	uint8_t d[32];
	sha256(f->data, RAW_SIZE, d);
	CHECK_MEM(info.image_digest, d, 32);
	CHECK_EQ(info.virtual_size, RAW_SIZE);
	CHECK(info.stored_bytes < RAW_SIZE); /* a third is zeros, a third text */
}

static void round_trip(uint32_t bs)
{
	struct fixture f;
	struct disk_image_info info;
	struct errmsg err = { "" };
	struct buf b;

	setup(&f, bs);
	CHECK_EQ(disk_verify(f.img, &info, &err), 0);
	CHECK_EQ(info.block_size, bs ? bs : DISK_BLOCK_DEFAULT);
	CHECK_EQ(disk_unpack(f.img, f.out, &err), 0);
	buf_init(&b);
	CHECK_EQ(read_file(f.out, 8 << 20, &b), 0);
	CHECK_EQ(b.len, RAW_SIZE);
	CHECK_MEM(b.data, f.data, RAW_SIZE);
	buf_free(&b);
	free(f.data);
}

TEST(image_round_trip_default_blocks) { round_trip(0); }
TEST(image_round_trip_4k_blocks) { round_trip(4096); }
TEST(image_round_trip_1m_blocks) { round_trip(1 << 20); }

TEST(image_reads_match_raw)
{
	struct fixture f;
	struct errmsg err = { "" };
	struct blockdev *d;
	uint8_t *buf = malloc(300000);
	uint64_t st = 99;

	setup(&f, 0);
	CHECK_EQ(disk_open_image(f.img, true, &d, &err), 0);
	CHECK(d->read_only);
	CHECK_EQ(d->size, RAW_SIZE);
	for (int i = 0; i < 2000; i++) {
		size_t len = 1 + test_rand(&st) % 300000;
		uint64_t off = test_rand(&st) % (RAW_SIZE - len + 1);
		struct iovec v[2] = { { buf, len / 2 }, { buf + len / 2, len - len / 2 } };
		CHECK_EQ(d->ops->readv(d, v, 2, off), 0);
		CHECK_MEM(buf, f.data + off, len);
	}
	uint8_t x[512];
	CHECK_EQ(dev_write3(d, x, 512, 0), -EROFS);
	CHECK_EQ(dev_read(d, x, 512, RAW_SIZE), -EINVAL);
	d->ops->close(d);
	/* Opening it writable is refused with the way out. */
	CHECK_EQ(disk_open_image(f.img, false, &d, &err), -EROFS);
	CHECK(strstr(err.msg, "overlay") != NULL);
	free(buf);
	free(f.data);
}

/* A flipped bit in one block: that block is an I/O error, others are fine. */
TEST(image_corrupt_block_is_an_io_error)
{
	struct fixture f;
	struct disk_image_info info;
	struct errmsg err = { "" };
	struct blockdev *d;
	uint8_t x[4096];
	int fd;

	setup(&f, 0);
	/* Flip a byte early in the data area: whichever block is stored first. */
	fd = open(f.img, O_RDWR);
	CHECK(fd >= 0);
	CHECK_EQ(pread(fd, x, 1, 4096 + 10), 1);
	x[0] ^= 0x10;
	CHECK_EQ(pwrite(fd, x, 1, 4096 + 10), 1);
	close(fd);
	CHECK_EQ(disk_open_image(f.img, true, &d, &err), 0);
	/* Exactly one block is now an I/O error; the next one still reads. */
	int bad = -1;
	for (int blk = 0; blk < 49 && bad < 0; blk++)
		if (dev_read(d, x, sizeof(x), (uint64_t)blk * 65536) == -EIO)
			bad = blk;
	CHECK(bad >= 0);
	CHECK_EQ(dev_read(d, x, sizeof(x), (uint64_t)(bad + 1) * 65536 + 4096) == 0 ||
			 (bad + 1) * 65536 >= RAW_SIZE,
		 1);
	d->ops->close(d);
	CHECK(disk_verify(f.img, &info, &err) < 0);
	char want[64];
	snprintf(want, sizeof(want), "block %d", bad);
	CHECK(strstr(err.msg, want) != NULL);
	CHECK(disk_unpack(f.img, f.out, &err) < 0);
	CHECK(access(f.out, F_OK) < 0);
	free(f.data);
}

TEST(image_damaged_headers_are_refused)
{
	struct fixture f;
	struct errmsg err = { "" };
	struct blockdev *d;
	struct stat st;
	uint8_t x[1];
	int fd;

	setup(&f, 0);
	fd = open(f.img, O_RDWR);
	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	/* Header bit flip. */
	CHECK_EQ(pread(fd, x, 1, 17), 1);
	x[0] ^= 4;
	CHECK_EQ(pwrite(fd, x, 1, 17), 1);
	CHECK_EQ(disk_open_compressed(f.img, &d, &err), -EINVAL);
	CHECK(strstr(err.msg, "header checksum") != NULL);
	x[0] ^= 4;
	CHECK_EQ(pwrite(fd, x, 1, 17), 1);
	/* Index bit flip (the index is the file's tail). */
	CHECK_EQ(pread(fd, x, 1, st.st_size - 5), 1);
	x[0] ^= 4;
	CHECK_EQ(pwrite(fd, x, 1, st.st_size - 5), 1);
	CHECK_EQ(disk_open_compressed(f.img, &d, &err), -EINVAL);
	CHECK(strstr(err.msg, "index checksum") != NULL);
	/* Truncated. */
	CHECK_EQ(ftruncate(fd, st.st_size - 100), 0);
	CHECK_EQ(disk_open_compressed(f.img, &d, &err), -EINVAL);
	CHECK(strstr(err.msg, "disk.kvmbox") && strstr(err.msg, "truncated"));
	CHECK_EQ(ftruncate(fd, 10), 0);
	CHECK_EQ(disk_open_compressed(f.img, &d, &err), -EINVAL);
	close(fd);
	/* Raw files are not compressed images; an odd size is refused. */
	CHECK_EQ(disk_open_compressed(f.raw, &d, &err), -EINVAL);
	CHECK(strstr(err.msg, "bad magic") != NULL);
	CHECK_EQ(disk_pack(f.img, f.out, NULL, NULL, &err), -EINVAL);
	CHECK(strstr(err.msg, "multiple of 512") != NULL);
	free(f.data);
}

/* The usual stack: a volatile or persistent overlay over a packed image. */
TEST(image_under_overlay)
{
	struct fixture f;
	struct errmsg err = { "" };
	struct blockdev *d;
	struct disk_spec spec;
	char text[1200], ovl[600];
	uint8_t x[8192], y[8192];

	setup(&f, 0);
	snprintf(ovl, sizeof(ovl), "%s/keep.ovl", test_tmpdir());
	snprintf(text, sizeof(text), "%s,overlay=%s", f.img, ovl);
	CHECK_EQ(disk_spec_parse(text, &spec, &err), 0);
	CHECK_EQ(disk_open_spec(&spec, &d, &err), 0);
	memset(x, 0x77, sizeof(x));
	CHECK_EQ(dev_write3(d, x, sizeof(x), 65536 - 4096), 0);
	d->ops->close(d);
	snprintf(text, sizeof(text), "%s,overlay=%s", f.img, ovl);
	CHECK_EQ(disk_spec_parse(text, &spec, &err), 0);
	CHECK_EQ(disk_open_spec(&spec, &d, &err), 0);
	CHECK_EQ(dev_read(d, y, sizeof(y), 65536 - 4096), 0);
	CHECK_MEM(x, y, sizeof(x));
	CHECK_EQ(dev_read(d, y, 4096, 65536 + 4096), 0);
	CHECK_MEM(y, f.data + 65536 + 4096, 4096);
	d->ops->close(d);
	/* Volatile: nothing kept. */
	snprintf(text, sizeof(text), "%s,overlay=volatile", f.img);
	CHECK_EQ(disk_spec_parse(text, &spec, &err), 0);
	spec.volatile_dir = test_tmpdir();
	CHECK_EQ(disk_open_spec(&spec, &d, &err), 0);
	CHECK_EQ(dev_write3(d, x, sizeof(x), 0), 0);
	d->ops->close(d);
	CHECK_EQ(disk_open_spec(&spec, &d, &err), 0);
	CHECK_EQ(dev_read(d, y, sizeof(y), 0), 0);
	CHECK_MEM(y, f.data, sizeof(y));
	d->ops->close(d);
	free(f.data);
}

/* ---- the verified-block cache ------------------------------------------- */

#include "disk/image_cache.h"

/* CLOCK keeps what is used again and evicts what is not; bounded. */
TEST(image_cache_evicts_the_unused_block)
{
	struct img_cache c;

	CHECK_EQ(img_cache_init(&c, 100, 12, 3 * 4096), 0);
	CHECK_EQ(c.nslots, 3);
	for (uint64_t b = 0; b < 3; b++) {
		uint32_t s = img_cache_claim(&c);
		memset(img_cache_buf(&c, s), (int)b + 1, 4096);
		img_cache_commit(&c, s, b);
	}
	CHECK(img_cache_get(&c, 0) && img_cache_get(&c, 0)[0] == 1);
	CHECK(img_cache_get(&c, 2) && img_cache_get(&c, 2)[4095] == 3);
	/* Block 1 was not used again: it makes room for block 7. */
	uint32_t s = img_cache_claim(&c);
	CHECK(img_cache_get(&c, 1) == NULL);
	memset(img_cache_buf(&c, s), 8, 4096);
	img_cache_commit(&c, s, 7);
	CHECK(img_cache_get(&c, 0) && img_cache_get(&c, 2));
	CHECK(img_cache_get(&c, 7) && img_cache_get(&c, 7)[0] == 8);
	/* Never more than nslots blocks cached, whatever the pattern. */
	uint64_t st = 5;
	for (int k = 0; k < 1000; k++) {
		uint64_t b = test_rand(&st) % 100;
		if (img_cache_get(&c, b))
			continue;
		s = img_cache_claim(&c);
		memset(img_cache_buf(&c, s), (int)(b & 0xff), 4096);
		img_cache_commit(&c, s, b);
		CHECK(img_cache_get(&c, b)[123] == (uint8_t)b);
	}
	unsigned cached = 0;
	for (uint64_t b = 0; b < 100; b++)
		if (img_cache_get(&c, b)) {
			cached++;
			CHECK(img_cache_get(&c, b)[7] == (uint8_t)b);
		}
	CHECK_EQ(cached, 3);
	/* A claimed slot serves nothing until committed (a failed load). */
	s = img_cache_claim(&c);
	unsigned after = 0;
	for (uint64_t b = 0; b < 100; b++)
		after += img_cache_get(&c, b) != NULL;
	CHECK_EQ(after, 2);
	/* The budget is at least one block and at most the image. */
	img_cache_free(&c);
	CHECK_EQ(img_cache_init(&c, 5, 16, 1), 0);
	CHECK_EQ(c.nslots, 1);
	img_cache_free(&c);
	CHECK_EQ(img_cache_init(&c, 5, 16, 1ULL << 40), 0);
	CHECK_EQ(c.nslots, 5);
	img_cache_free(&c);
}

/* Flips one byte of block @blk as stored in the image file. */
static void corrupt_block(const char *img, uint64_t blk)
{
	uint8_t h[4096], e[48], x;
	int fd = open(img, O_RDWR);

	CHECK(fd >= 0);
	CHECK_EQ(pread(fd, h, sizeof(h), 0), sizeof(h));
	uint64_t index = get_le64(h + 32);
	CHECK_EQ(pread(fd, e, sizeof(e), (off_t)(index + blk * 48)), sizeof(e));
	CHECK(get_le32(e + 8) > 0); /* a stored block, not a zero one */
	off_t at = (off_t)get_le64(e) + get_le32(e + 8) / 2;
	CHECK_EQ(pread(fd, &x, 1, at), 1);
	x ^= 0x40;
	CHECK_EQ(pwrite(fd, &x, 1, at), 1);
	close(fd);
}

/*
 * A damaged block is an error by every read path: a small read (through
 * the cache), a whole-block read (straight into the buffer), and again
 * after either (a failed block is never cached). Good blocks, cached or
 * not, keep reading right.
 */
TEST(image_corrupt_block_detected_cached_or_not)
{
	struct fixture f;
	struct errmsg err = { "" };
	struct blockdev *d;
	uint8_t *buf = malloc(3 * 65536);
	uint64_t bad = 9999;

	setup(&f, 0);
	/* The first block that is stored (not all zeros). */
	for (uint64_t b = 0; b < RAW_SIZE / 65536 && bad == 9999; b++) {
		bool zero = true;
		for (size_t k = 0; k < 65536 && zero; k++)
			zero = f.data[b * 65536 + k] == 0;
		if (!zero && b > 0)
			bad = b;
	}
	CHECK(bad != 9999);
	CHECK_EQ(disk_open_image(f.img, true, &d, &err), 0);
	/* Cache the good block before it, then damage the bad one on disk. */
	CHECK_EQ(dev_read(d, buf, 4096, (bad - 1) * 65536), 0);
	CHECK_MEM(buf, f.data + (bad - 1) * 65536, 4096);
	corrupt_block(f.img, bad);
	for (int round = 0; round < 2; round++) {
		CHECK_EQ(dev_read(d, buf, 4096, bad * 65536 + 4096), -EIO);
		CHECK_EQ(dev_read(d, buf, 65536, bad * 65536), -EIO);
		CHECK_EQ(dev_read(d, buf, 3 * 65536, (bad - 1) * 65536), -EIO);
	}
	/* The cached neighbour still reads, from the cache and whole. */
	CHECK_EQ(dev_read(d, buf, 65536, (bad - 1) * 65536), 0);
	CHECK_MEM(buf, f.data + (bad - 1) * 65536, 65536);
	d->ops->close(d);
	/* Cached before the damage: served from memory, checked back then. */
	corrupt_block(f.img, bad); /* undo */
	CHECK_EQ(disk_open_image(f.img, true, &d, &err), 0);
	CHECK_EQ(dev_read(d, buf, 4096, bad * 65536), 0);
	CHECK_MEM(buf, f.data + bad * 65536, 4096);
	corrupt_block(f.img, bad);
	CHECK_EQ(dev_read(d, buf, 4096, bad * 65536 + 8192), 0);
	CHECK_MEM(buf, f.data + bad * 65536 + 8192, 4096);
	/* ... but a reader that opens it afresh checks it again. */
	struct blockdev *d2;
	CHECK_EQ(disk_open_image(f.img, true, &d2, &err), 0);
	CHECK_EQ(dev_read(d2, buf, 4096, bad * 65536), -EIO);
	d2->ops->close(d2);
	d->ops->close(d);
	free(buf);
	free(f.data);
}

/*
 * Packing runs in batches on every core: an image of several batches (the
 * last one short, its last block partial) reads back exactly, its digest
 * is the raw file's, and packing again gives the same bytes.
 */
TEST(image_pack_in_batches_is_exact_and_repeatable)
{
	const size_t size = 9 * 1024 * 1024 + 3 * 512;
	uint8_t *data = malloc(size), *back = malloc(size);
	struct disk_image_info info;
	struct errmsg err = { "" };
	struct blockdev *d;
	struct buf a, b;
	char raw[512], img[512], img2[512];
	uint8_t sum[32];

	snprintf(raw, sizeof(raw), "%s/big.raw", test_tmpdir());
	snprintf(img, sizeof(img), "%s/big.img", test_tmpdir());
	snprintf(img2, sizeof(img2), "%s/big2.img", test_tmpdir());
	fill_mixed(data, size, 4242);
	write_whole(raw, data, size);
	if (disk_pack(raw, img, NULL, &info, &err) < 0)
		test_fail(__FILE__, __LINE__, "%s", err.msg);
	sha256(data, size, sum);
	CHECK_MEM(info.image_digest, sum, 32);
	CHECK_EQ(info.blocks, (size + 65535) / 65536);
	CHECK_EQ(disk_verify(img, &info, &err), 0);
	CHECK_EQ(disk_open_image(img, true, &d, &err), 0);
	CHECK_EQ(dev_read(d, back, size, 0), 0);
	CHECK_MEM(back, data, size);
	d->ops->close(d);
	CHECK_EQ(disk_pack(raw, img2, NULL, NULL, &err), 0);
	buf_init(&a);
	buf_init(&b);
	CHECK_EQ(read_file(img, 16 << 20, &a), 0);
	CHECK_EQ(read_file(img2, 16 << 20, &b), 0);
	CHECK_EQ(a.len, b.len);
	CHECK_MEM(a.data, b.data, a.len);
	buf_free(&a);
	buf_free(&b);
	free(data);
	free(back);
}
