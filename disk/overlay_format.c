/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The overlay file's header and mapping table as bytes (disk/FORMAT.md):
 * building them, and checking them as the hostile input they are.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "overlay_format.h"

uint64_t ovl_entry_encode(uint64_t cluster, uint64_t phys)
{
	return phys | (uint64_t)ovl_entry_check(cluster, phys) << 48;
}

uint16_t ovl_entry_check(uint64_t cluster, uint64_t phys)
{
	uint64_t x = (cluster + 1) * 0x9E3779B97F4A7C15ULL ^
		     phys * 0xC2B2AE3D27D4EB4FULL;
	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ULL;
	return (uint16_t)(x >> 48);
}

void ovl_layout(struct ovl_geom *g, uint32_t cluster_bits, uint64_t vsize)
{
	uint64_t cs = 1ULL << cluster_bits;

	g->cluster_bits = cluster_bits;
	g->virtual_size = vsize;
	g->entries = (vsize + cs - 1) >> cluster_bits;
	g->table_offset = OVL_HEADER_SIZE;
	g->table_bytes = (g->entries * 8 + 4095) & ~4095ULL;
	g->data_offset = (g->table_offset + g->table_bytes + cs - 1) & ~(cs - 1);
}

void ovl_header_build(uint8_t h[OVL_HEADER_SIZE], const struct ovl_geom *g,
		      uint64_t base_size, const uint8_t *base_digest,
		      const char *base_name)
{
	memset(h, 0, OVL_HEADER_SIZE);
	memcpy(h, OVL_MAGIC, 8);
	put_le32(h + 8, OVL_VERSION);
	put_le32(h + 12, g->cluster_bits);
	put_le64(h + 16, g->virtual_size);
	put_le64(h + 24, g->table_offset);
	put_le64(h + 32, g->entries);
	put_le64(h + 40, g->data_offset);
	put_le64(h + 48, base_size);
	if (base_digest) {
		memcpy(h + 56, base_digest, 32);
		put_le32(h + 88, OVL_F_BASE_DIGEST);
	}
	str_copy((char *)h + 96, 128, base_name ? base_name : "");
	sha256(h, OVL_HASHED_BYTES, h + OVL_HASHED_BYTES);
}

int disk_overlay_parse_header(const uint8_t *h, size_t len, uint64_t file_size,
			      struct disk_overlay_info *info, struct errmsg *err)
{
	struct ovl_geom g;
	uint8_t sum[32];
	uint32_t bits, flags;
	uint64_t vsize;

	memset(info, 0, sizeof(*info));
	if (len < OVL_HEADER_SIZE || memcmp(h, OVL_MAGIC, 8))
		return errmsg_set(err, -EINVAL, "not a kvmbox overlay (bad magic or truncated header)");
	if (get_le32(h + 8) != OVL_VERSION)
		return errmsg_set(err, -EINVAL, "overlay version %u is not supported (expected %u)",
				  get_le32(h + 8), OVL_VERSION);
	sha256(h, OVL_HASHED_BYTES, sum);
	if (memcmp(sum, h + OVL_HASHED_BYTES, 32))
		return errmsg_set(err, -EINVAL, "overlay header checksum mismatch (damaged header)");
	bits = get_le32(h + 12);
	vsize = get_le64(h + 16);
	flags = get_le32(h + 88);
	if (bits < OVL_MIN_CLUSTER_BITS || bits > OVL_MAX_CLUSTER_BITS)
		return errmsg_set(err, -EINVAL, "overlay cluster size 2^%u is out of range", bits);
	if (vsize == 0 || vsize % 512 || vsize > OVL_MAX_VIRTUAL)
		return errmsg_set(err, -EINVAL, "overlay disk size %llu is invalid",
				  (unsigned long long)vsize);
	if (flags & ~(uint32_t)OVL_F_BASE_DIGEST)
		return errmsg_set(err, -EINVAL, "overlay has unknown flags 0x%x", flags);
	ovl_layout(&g, bits, vsize);
	if (g.entries > OVL_MAX_ENTRIES)
		return errmsg_set(err, -EINVAL, "overlay map of %llu entries is too large",
				  (unsigned long long)g.entries);
	if (get_le64(h + 24) != g.table_offset || get_le64(h + 32) != g.entries ||
	    get_le64(h + 40) != g.data_offset)
		return errmsg_set(err, -EINVAL, "overlay layout fields are inconsistent");
	if (file_size < g.data_offset)
		return errmsg_set(err, -EINVAL, "overlay is truncated (%llu bytes, map needs %llu)",
				  (unsigned long long)file_size,
				  (unsigned long long)g.data_offset);
	if (memchr(h + 96, 0, 128) == NULL)
		return errmsg_set(err, -EINVAL, "overlay base name is not terminated");
	info->cluster_size = 1U << bits;
	info->virtual_size = vsize;
	info->base_size = get_le64(h + 48);
	info->base_digest_known = flags & OVL_F_BASE_DIGEST;
	memcpy(info->base_digest, h + 56, 32);
	memcpy(info->base_name, h + 96, 128);
	return 0;
}

int disk_overlay_check_map(const uint8_t *table, uint64_t n,
			   uint64_t data_clusters, uint64_t *allocated,
			   struct errmsg *err)
{
	uint64_t *seen = calloc((size_t)(data_clusters / 64 + 1), 8);
	int r = 0;

	if (!seen)
		return errmsg_set(err, -ENOMEM, "overlay map: out of memory");
	*allocated = 0;
	for (uint64_t c = 0; c < n && r == 0; c++) {
		uint64_t e = get_le64(table + 8 * c);
		uint64_t p = e & OVL_PHYS_MASK;
		if (e == 0)
			continue;
		if (p == 0 || (uint16_t)(e >> 48) != ovl_entry_check(c, p))
			r = errmsg_set(err, -EINVAL, "overlay map entry %llu is damaged",
				       (unsigned long long)c);
		else if (p > data_clusters)
			r = errmsg_set(err, -EINVAL,
				       "overlay map entry %llu points past the end of the file",
				       (unsigned long long)c);
		else if (seen[(p - 1) / 64] & 1ULL << ((p - 1) % 64))
			r = errmsg_set(err, -EINVAL,
				       "overlay map entry %llu shares its data with another",
				       (unsigned long long)c);
		else {
			seen[(p - 1) / 64] |= 1ULL << ((p - 1) % 64);
			(*allocated)++;
		}
	}
	free(seen);
	return r;
}
