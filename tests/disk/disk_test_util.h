/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the disk unit tests. */
#ifndef KVMBOX_TESTS_DISK_UTIL_H
#define KVMBOX_TESTS_DISK_UTIL_H

#include <fcntl.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "disk/disk.h"
#include "tests/harness.h"

/* Fills @p with a mix of random, compressible and zero stretches. */
static inline void fill_mixed(uint8_t *p, size_t len, uint64_t seed)
{
	uint64_t st = seed | 1;
	for (size_t i = 0; i < len; i += 4096) {
		size_t n = len - i < 4096 ? len - i : 4096;
		switch (test_rand(&st) % 3) {
		case 0:
			for (size_t k = 0; k < n; k++)
				p[i + k] = (uint8_t)test_rand(&st);
			break;
		case 1:
			for (size_t k = 0; k < n; k++)
				p[i + k] = (uint8_t)("kvmbox disk "[k % 12] + (i >> 12));
			break;
		default:
			memset(p + i, 0, n);
		}
	}
}

static inline void write_whole(const char *path, const void *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write_full(fd, p, len), 0);
	close(fd);
}

static inline int dev_read(struct blockdev *b, void *p, size_t len, uint64_t off)
{
	struct iovec v = { p, len };
	return b->ops->readv(b, &v, 1, off);
}

/* Writes through three iovec pieces to exercise the slicing. */
static inline int dev_write3(struct blockdev *b, const uint8_t *p, size_t len,
			     uint64_t off)
{
	size_t a = len / 3, c = len / 2;
	struct iovec v[3] = { { (void *)p, a }, { (void *)(p + a), c - a },
			      { (void *)(p + c), len - c } };
	return b->ops->writev(b, v, 3, off);
}

#endif
