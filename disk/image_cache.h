/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to disk/: the bounded cache of a compressed image's blocks,
 * decompressed and already checked against their SHA-256. A block read
 * from the file is verified once; while it stays here it is served from
 * our own memory without another check (nothing but us writes it).
 * Replacement is CLOCK (second chance): a hit only sets a bit, so hits
 * cost a table look-up and the copy. Memory is reserved up front but only
 * touched as slots fill, so a VM that reads little costs little.
 */
#ifndef KVMBOX_DISK_IMAGE_CACHE_H
#define KVMBOX_DISK_IMAGE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#define IMG_CACHE_DEFAULT (256ULL << 20) /* bytes of decompressed blocks */

struct img_cache_slot {
	uint64_t block; /* UINT64_MAX: empty */
	bool referenced;
};

struct img_cache {
	uint32_t block_bits;
	uint32_t nslots;	/* capacity */
	uint32_t used;		/* slots handed out so far (they fill in order) */
	uint32_t hand;		/* the CLOCK hand */
	uint64_t blocks;
	uint32_t *where;	/* per block: its slot + 1, 0 = not cached */
	struct img_cache_slot *slots;
	uint8_t *data;		/* nslots blocks, reserved with MAP_NORESERVE */
	size_t data_bytes;
};

/*
 * A cache for an image of @blocks blocks of 2^@block_bits bytes holding at
 * most @budget bytes (at least one block, at most the whole image).
 */
int img_cache_init(struct img_cache *c, uint64_t blocks, uint32_t block_bits,
		   uint64_t budget);
void img_cache_free(struct img_cache *c);
/* Block @i if cached (and marks it recently used), else NULL. */
const uint8_t *img_cache_get(struct img_cache *c, uint64_t i);
/*
 * A free slot to load a block into (evicting one when full); its buffer is
 * img_cache_buf(). The slot serves nothing until img_cache_commit().
 */
uint32_t img_cache_claim(struct img_cache *c);
uint8_t *img_cache_buf(struct img_cache *c, uint32_t slot);
/* Slot @slot now holds block @i, checked. */
void img_cache_commit(struct img_cache *c, uint32_t slot, uint64_t i);

#endif
