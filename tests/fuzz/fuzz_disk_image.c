/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compressed images from a hostile server or disk: open (header, index)
 * and read the first blocks (digest checks, lz4). Block digests, the index
 * digest and the header checksum are fixed up first, so that the fuzzer
 * reaches the index checks and the decompressor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "disk/disk.h"

static void fix_digests(uint8_t *p, size_t size)
{
	if (size < 4096)
		return;
	uint64_t index_off = get_le64(p + 32), index_len = get_le64(p + 40);
	if (index_off <= size && index_len <= size - index_off && index_len % 48 == 0) {
		uint8_t *ix = p + index_off;
		for (uint64_t i = 0; i < index_len / 48; i++) {
			uint64_t off = get_le64(ix + 48 * i);
			uint32_t len = get_le32(ix + 48 * i + 8);
			if (off <= size && len <= size - off)
				sha256(p + off, len, ix + 48 * i + 16);
		}
		sha256(ix, index_len, p + 80);
	}
	sha256(p, 112, p + 112);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blockdev *b;
	struct errmsg err;
	char path[64];
	uint8_t *copy = malloc(size + 1), buf[8192];
	int fd = memfd_create("image", 0);

	if (!copy || fd < 0)
		abort();
	memcpy(copy, data, size);
	fix_digests(copy, size);
	if (write_full(fd, copy, size) < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	log_setup(-1, LOG_ERR, false, "fuzz"); /* quiet: damaged blocks log */
	if (disk_open_compressed(path, &b, &err) == 0) {
		for (uint64_t off = 0; off < b->size && off < (1 << 20); off += 61440) {
			struct iovec v = { buf, (size_t)MIN(sizeof(buf), b->size - off) };
			b->ops->readv(b, &v, 1, off);
		}
		b->ops->close(b);
	}
	close(fd);
	free(copy);
	return 0;
}
