/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio-blk request parser: the input describes a chain (per buffer a
 * length byte and a direction bit, header bytes first). An accepted
 * read or write must lie inside the disk and be whole sectors, and a write
 * is never accepted on a read-only disk.
 */
#include <linux/virtio_blk.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/requests.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pool[64 * 1024];
	static struct vq_chain c;
	static struct blk_request r;
	const uint64_t capacity = 1 << 20;
	size_t used = 0;

	if (size < 18)
		return 0;
	bool ro = data[0] & 1;
	memset(pool, 0, sizeof(pool));
	memcpy(pool, data + 2, 16); /* header: type, ioprio, sector */
	c.n = 0;
	c.buf[c.n++] = (struct vq_buf){ pool, data[1] % 2 ? 16 : (uint32_t)(data[1] % 40), false };
	used = 64;
	for (size_t i = 18; i + 1 < size && c.n < VQ_MAX_SIZE; i += 2) {
		uint32_t len = (uint32_t)data[i] * 8 + (data[i + 1] >> 1);
		if (used + len > sizeof(pool))
			break;
		c.buf[c.n++] = (struct vq_buf){ pool + used, len, data[i + 1] & 1 };
		used += len;
	}
	int s = blk_parse(&c, capacity, ro, &r);
	if (s == VIRTIO_BLK_S_OK && (r.type == VIRTIO_BLK_T_IN || r.type == VIRTIO_BLK_T_OUT)) {
		if (r.offset % BLK_SECTOR || r.len % BLK_SECTOR || r.offset > capacity ||
		    r.len > capacity - r.offset)
			abort();
		if (ro && r.type == VIRTIO_BLK_T_OUT)
			abort();
	}
	if (s >= 0 && (r.status < pool || r.status >= pool + sizeof(pool)))
		abort();
	return 0;
}
