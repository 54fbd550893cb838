/* SPDX-License-Identifier: GPL-2.0-only */
/* Private to disk/: the overlay file layout (see disk/FORMAT.md). */
#ifndef KVMBOX_DISK_OVERLAY_FORMAT_H
#define KVMBOX_DISK_OVERLAY_FORMAT_H

#include "disk.h"

#define OVL_MAGIC "KVMBOXOV"
#define OVL_VERSION 1
#define OVL_HEADER_SIZE 4096
#define OVL_HASHED_BYTES 224 /* the header's SHA-256 covers bytes 0..223 */
#define OVL_F_BASE_DIGEST 1
#define OVL_MIN_CLUSTER_BITS 12
#define OVL_MAX_CLUSTER_BITS 24
#define OVL_MAX_VIRTUAL (1ULL << 44)  /* 16 TiB */
#define OVL_MAX_ENTRIES (1ULL << 26)  /* 512 MiB of map in memory at most */
#define OVL_PHYS_MASK ((1ULL << 48) - 1)

struct ovl_geom {
	uint32_t cluster_bits;
	uint64_t virtual_size;
	uint64_t entries;
	uint64_t table_offset;
	uint64_t table_bytes;
	uint64_t data_offset;
};

void ovl_layout(struct ovl_geom *g, uint32_t cluster_bits, uint64_t vsize);
void ovl_header_build(uint8_t h[OVL_HEADER_SIZE], const struct ovl_geom *g,
		      uint64_t base_size, const uint8_t *base_digest,
		      const char *base_name);
/* A map entry: data cluster number (1-based) + 16-bit check of both. */
uint64_t ovl_entry_encode(uint64_t cluster, uint64_t phys);
uint16_t ovl_entry_check(uint64_t cluster, uint64_t phys);

#endif
