/* SPDX-License-Identifier: GPL-2.0-only */
/* The verified-block cache of compressed images (see image_cache.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/core.h"
#include "image_cache.h"

int img_cache_init(struct img_cache *c, uint64_t blocks, uint32_t block_bits,
		   uint64_t budget)
{
	uint64_t n = MIN(MAX(budget >> block_bits, 1), blocks);

	memset(c, 0, sizeof(*c));
	if (!blocks || n > UINT32_MAX - 1)
		return -EINVAL;
	c->block_bits = block_bits;
	c->blocks = blocks;
	c->nslots = (uint32_t)n;
	c->where = calloc((size_t)blocks, sizeof(*c->where));
	c->slots = calloc(n, sizeof(*c->slots));
	c->data_bytes = (size_t)(n << block_bits);
	c->data = mmap(NULL, c->data_bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->data == MAP_FAILED)
		c->data = NULL;
	if (!c->where || !c->slots || !c->data) {
		img_cache_free(c);
		return -ENOMEM;
	}
	for (uint32_t s = 0; s < c->nslots; s++)
		c->slots[s].block = UINT64_MAX;
	return 0;
}

void img_cache_free(struct img_cache *c)
{
	if (c->data)
		munmap(c->data, c->data_bytes);
	free(c->where);
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

const uint8_t *img_cache_get(struct img_cache *c, uint64_t i)
{
	uint32_t s = i < c->blocks ? c->where[i] : 0;

	if (!s)
		return NULL;
	c->slots[s - 1].referenced = true;
	return c->data + ((size_t)(s - 1) << c->block_bits);
}

uint32_t img_cache_claim(struct img_cache *c)
{
	uint32_t s;

	if (c->used < c->nslots) {
		s = c->used++;
	} else {
		/* Second chance: skip (and clear) recently used slots. */
		while (c->slots[c->hand].referenced) {
			c->slots[c->hand].referenced = false;
			c->hand = (c->hand + 1) % c->nslots;
		}
		s = c->hand;
		c->hand = (c->hand + 1) % c->nslots;
	}
	struct img_cache_slot *slot = &c->slots[s];
	if (slot->block != UINT64_MAX)
		c->where[slot->block] = 0;
	slot->block = UINT64_MAX;
	slot->referenced = false;
	return s;
}

uint8_t *img_cache_buf(struct img_cache *c, uint32_t slot)
{
	return c->data + ((size_t)slot << c->block_bits);
}

void img_cache_commit(struct img_cache *c, uint32_t slot, uint64_t i)
{
	if (slot >= c->nslots || i >= c->blocks)
		return;
	c->slots[slot].block = i;
	c->slots[slot].referenced = false;
	c->where[i] = slot + 1;
}
