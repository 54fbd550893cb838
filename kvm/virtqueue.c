/* SPDX-License-Identifier: GPL-2.0-only */
/* Split virtqueues (virtio 1.x, section 2.7), walked defensively. */
#include <errno.h>
#include <linux/virtio_ring.h>
#include <string.h>

#include "kvm/virtqueue.h"

#define DESC_SIZE 16

int vq_start(struct virtqueue *q, const struct guest_mem *m)
{
	uint64_t n = q->size;

	q->ready = false;
	q->broken = false;
	if (!n || n > VQ_MAX_SIZE || (n & (n - 1)))
		return -EINVAL;
	if ((q->desc_gpa & 15) || (q->avail_gpa & 1) || (q->used_gpa & 3))
		return -EFAULT;
	q->mem = m;
	q->desc = gmem_ptr(m, q->desc_gpa, n * DESC_SIZE);
	q->avail = gmem_ptr(m, q->avail_gpa, 6 + 2 * n);
	q->used = gmem_ptr(m, q->used_gpa, 6 + 8 * n);
	if (!q->desc || !q->avail || !q->used)
		return -EFAULT;
	q->last_avail = 0;
	q->used_idx = 0;
	q->ready = true;
	return 0;
}

void vq_reset(struct virtqueue *q)
{
	*q = (struct virtqueue){ .size = VQ_MAX_SIZE, .msix_vector = 0xffff };
}

static uint16_t load16_acquire(const uint8_t *p)
{
	uint16_t v;
	__atomic_load((const uint16_t *)(const void *)p, &v, __ATOMIC_ACQUIRE);
	return v;
}

int vq_pop(struct virtqueue *q, struct vq_chain *c)
{
	if (!q->ready || q->broken)
		return 0;
	uint16_t avail_idx = load16_acquire(q->avail + 2);
	uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
	if (!pending)
		return 0;
	if (pending > q->size)
		goto broken; /* the guest claims more buffers than the ring has */
	uint16_t head = get_le16(q->avail + 4 + 2 * (q->last_avail % q->size));
	uint16_t i = head;
	c->head = head;
	c->n = 0;
	for (unsigned walked = 0;; walked++) {
		if (i >= q->size || walked == q->size)
			goto broken; /* out of the table, or a loop */
		const uint8_t *d = q->desc + (size_t)i * DESC_SIZE;
		uint64_t addr = get_le64(d);
		uint32_t len = get_le32(d + 8);
		uint16_t flags = get_le16(d + 12);
		if (flags & VRING_DESC_F_INDIRECT)
			goto broken; /* not offered */
		if (len) {
			uint8_t *p = gmem_ptr(q->mem, addr, len);
			if (!p)
				goto broken;
			c->buf[c->n++] = (struct vq_buf){ p, len,
						  !!(flags & VRING_DESC_F_WRITE) };
		}
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		i = get_le16(d + 14);
	}
	q->last_avail++;
	return 1;
broken:
	q->broken = true;
	return -EINVAL;
}

void vq_push(struct virtqueue *q, uint16_t head, uint32_t written)
{
	uint8_t *e = q->used + 4 + 8 * (size_t)(q->used_idx % q->size);

	put_le32(e, head);
	put_le32(e + 4, written);
	q->used_idx++;
	__atomic_store_n((uint16_t *)(void *)(q->used + 2), q->used_idx,
			 __ATOMIC_RELEASE);
}

void vq_kicks_off(struct virtqueue *q)
{
	if (q->ready)
		__atomic_store_n((uint16_t *)(void *)q->used, VRING_USED_F_NO_NOTIFY,
				 __ATOMIC_RELAXED);
}

bool vq_kicks_on(struct virtqueue *q)
{
	if (!q->ready || q->broken)
		return false;
	__atomic_store_n((uint16_t *)(void *)q->used, 0, __ATOMIC_RELAXED);
	/* The flag must be visible before we look at the ring again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load16_acquire(q->avail + 2) != q->last_avail;
}

bool vq_wants_irq(const struct virtqueue *q)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(get_le16(q->avail) & VRING_AVAIL_F_NO_INTERRUPT);
}

size_t vq_chain_read(const struct vq_chain *c, size_t off, void *dst, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < c->n && done < len; i++) {
		const struct vq_buf *b = &c->buf[i];
		if (b->device_writes)
			continue;
		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		size_t n = MIN(b->len - off, len - done);
		memcpy((uint8_t *)dst + done, b->ptr + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t vq_chain_write(const struct vq_chain *c, size_t off, const void *src, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < c->n && done < len; i++) {
		const struct vq_buf *b = &c->buf[i];
		if (!b->device_writes)
			continue;
		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		size_t n = MIN(b->len - off, len - done);
		memcpy(b->ptr + off, (const uint8_t *)src + done, n);
		done += n;
		off = 0;
	}
	return done;
}
