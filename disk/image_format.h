/* SPDX-License-Identifier: GPL-2.0-only */
/* Private to disk/: the compressed image layout (see disk/FORMAT.md). */
#ifndef KVMBOX_DISK_IMAGE_FORMAT_H
#define KVMBOX_DISK_IMAGE_FORMAT_H

#include "disk.h"

#define IMG_MAGIC "KVMBOXIM"
#define IMG_VERSION 1
#define IMG_HEADER_SIZE 4096
#define IMG_HASHED_BYTES 112 /* the header's SHA-256 covers bytes 0..111 */
#define IMG_ENTRY_SIZE 48
#define IMG_MIN_BLOCK_BITS 12
#define IMG_MAX_BLOCK_BITS 22
#define IMG_MAX_VIRTUAL (1ULL << 44)
#define IMG_MAX_BLOCKS (1ULL << 26)

enum { IMG_STORED = 1, IMG_ZERO = 2 }; /* entry flags; 0 = lz4 block */

struct img_geom {
	uint32_t block_bits;
	uint64_t virtual_size;
	uint64_t blocks;
	uint64_t index_offset;
	uint64_t index_bytes;
	uint8_t image_digest[32];
	uint8_t index_digest[32];
};

struct img_block {
	uint64_t offset;
	uint32_t stored; /* bytes in the file */
	uint32_t flags;
	uint8_t digest[32]; /* SHA-256 of the stored bytes */
};

void img_header_build(uint8_t h[IMG_HEADER_SIZE], uint32_t block_bits,
		      uint64_t vsize, uint64_t index_offset,
		      const uint8_t image_digest[32], const uint8_t index_digest[32]);
int img_header_parse(const uint8_t *h, size_t len, uint64_t file_size,
		     struct img_geom *g, struct errmsg *err);
int img_index_check(const struct img_geom *g, const uint8_t *index,
		    size_t len, uint64_t *stored_bytes, struct errmsg *err);
void img_entry_put(uint8_t *p, const struct img_block *b);
void img_entry_get(const uint8_t *p, struct img_block *b);

#endif
