/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The compressed image's header and index as bytes (disk/FORMAT.md), and
 * their checking: everything here comes from a file or a server.
 */
#include <errno.h>
#include <string.h>

#include "image_format.h"

void img_header_build(uint8_t h[IMG_HEADER_SIZE], uint32_t block_bits,
		      uint64_t vsize, uint64_t index_offset,
		      const uint8_t image_digest[32], const uint8_t index_digest[32])
{
	uint64_t count = (vsize + (1ULL << block_bits) - 1) >> block_bits;

	memset(h, 0, IMG_HEADER_SIZE);
	memcpy(h, IMG_MAGIC, 8);
	put_le32(h + 8, IMG_VERSION);
	put_le32(h + 12, block_bits);
	put_le64(h + 16, vsize);
	put_le64(h + 24, count);
	put_le64(h + 32, index_offset);
	put_le64(h + 40, count * IMG_ENTRY_SIZE);
	memcpy(h + 48, image_digest, 32);
	memcpy(h + 80, index_digest, 32);
	sha256(h, IMG_HASHED_BYTES, h + IMG_HASHED_BYTES);
}

void img_entry_put(uint8_t *p, const struct img_block *b)
{
	put_le64(p, b->offset);
	put_le32(p + 8, b->stored);
	put_le32(p + 12, b->flags);
	memcpy(p + 16, b->digest, 32);
}

void img_entry_get(const uint8_t *p, struct img_block *b)
{
	b->offset = get_le64(p);
	b->stored = get_le32(p + 8);
	b->flags = get_le32(p + 12);
	memcpy(b->digest, p + 16, 32);
}

int img_header_parse(const uint8_t *h, size_t len, uint64_t file_size,
		     struct img_geom *g, struct errmsg *err)
{
	uint8_t sum[32];

	if (len < IMG_HEADER_SIZE || memcmp(h, IMG_MAGIC, 8))
		return errmsg_set(err, -EINVAL, "not a kvmbox image (bad magic or truncated header)");
	if (get_le32(h + 8) != IMG_VERSION)
		return errmsg_set(err, -EINVAL, "image version %u is not supported (expected %u)",
				  get_le32(h + 8), IMG_VERSION);
	sha256(h, IMG_HASHED_BYTES, sum);
	if (memcmp(sum, h + IMG_HASHED_BYTES, 32))
		return errmsg_set(err, -EINVAL, "image header checksum mismatch (damaged header)");
	g->block_bits = get_le32(h + 12);
	g->virtual_size = get_le64(h + 16);
	g->blocks = get_le64(h + 24);
	g->index_offset = get_le64(h + 32);
	g->index_bytes = get_le64(h + 40);
	memcpy(g->image_digest, h + 48, 32);
	memcpy(g->index_digest, h + 80, 32);
	if (g->block_bits < IMG_MIN_BLOCK_BITS || g->block_bits > IMG_MAX_BLOCK_BITS)
		return errmsg_set(err, -EINVAL, "image block size 2^%u is out of range",
				  g->block_bits);
	if (g->virtual_size == 0 || g->virtual_size % 512 ||
	    g->virtual_size > IMG_MAX_VIRTUAL)
		return errmsg_set(err, -EINVAL, "image disk size %llu is invalid",
				  (unsigned long long)g->virtual_size);
	uint64_t bs = 1ULL << g->block_bits;
	if (g->blocks != (g->virtual_size + bs - 1) / bs || g->blocks > IMG_MAX_BLOCKS ||
	    g->index_bytes != g->blocks * IMG_ENTRY_SIZE)
		return errmsg_set(err, -EINVAL, "image index size fields are inconsistent");
	if (g->index_offset < IMG_HEADER_SIZE || g->index_offset > file_size ||
	    g->index_bytes > file_size - g->index_offset)
		return errmsg_set(err, -EINVAL,
				  "image is truncated (%llu bytes; index ends at %llu)",
				  (unsigned long long)file_size,
				  (unsigned long long)(g->index_offset + g->index_bytes));
	return 0;
}

static uint32_t raw_len(const struct img_geom *g, uint64_t i)
{
	uint64_t bs = 1ULL << g->block_bits;
	return (uint32_t)MIN(bs, g->virtual_size - i * bs);
}

int img_index_check(const struct img_geom *g, const uint8_t *index,
		    size_t len, uint64_t *stored_bytes, struct errmsg *err)
{
	struct img_block b;
	uint8_t sum[32];

	if (len != g->index_bytes)
		return errmsg_set(err, -EINVAL, "image index is truncated");
	sha256(index, len, sum);
	if (memcmp(sum, g->index_digest, 32))
		return errmsg_set(err, -EINVAL, "image index checksum mismatch (damaged index)");
	*stored_bytes = 0;
	for (uint64_t i = 0; i < g->blocks; i++) {
		img_entry_get(index + i * IMG_ENTRY_SIZE, &b);
		uint32_t want = raw_len(g, i);
		bool ok;
		switch (b.flags) {
		case IMG_ZERO:
			ok = b.stored == 0;
			break;
		case IMG_STORED:
			ok = b.stored == want;
			break;
		case 0: /* lz4 */
			ok = b.stored > 0 && b.stored < want;
			break;
		default:
			ok = false;
		}
		if (ok && b.stored && (b.offset < IMG_HEADER_SIZE ||
				       b.offset > g->index_offset ||
				       b.stored > g->index_offset - b.offset))
			ok = false;
		if (!ok)
			return errmsg_set(err, -EINVAL, "image index entry %llu is invalid",
					  (unsigned long long)i);
		*stored_bytes += b.stored;
	}
	return 0;
}

int disk_image_parse(const uint8_t *header, size_t header_len,
		     const uint8_t *index, size_t index_len, uint64_t file_size,
		     struct disk_image_info *info, struct errmsg *err)
{
	struct img_geom g;
	int r = img_header_parse(header, header_len, file_size, &g, err);

	memset(info, 0, sizeof(*info));
	if (r == 0)
		r = img_index_check(&g, index, index_len, &info->stored_bytes, err);
	if (r < 0)
		return r;
	info->block_size = 1U << g.block_bits;
	info->virtual_size = g.virtual_size;
	info->blocks = g.blocks;
	memcpy(info->image_digest, g.image_digest, 32);
	return 0;
}
