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
	q->signalled = false;
	q->signalled_used = 0;
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

/* Appends descriptor @d's buffer to @c (empty ones are skipped). */
static bool take_buf(struct virtqueue *q, struct vq_chain *c, const uint8_t *d)
{
	uint32_t len = get_le32(d + 8);
	uint8_t *p;

	if (!len)
		return true;
	if (c->n >= VQ_MAX_SIZE || !(p = gmem_ptr(q->mem, get_le64(d), len)))
		return false;
	c->buf[c->n++] = (struct vq_buf){ p, len,
					  !!(get_le16(d + 12) & VRING_DESC_F_WRITE) };
	return true;
}

/*
 * An indirect table (2.7.5.3): a whole chain in guest memory, links inside
 * the table, no table inside a table, at most VQ_MAX_SIZE entries in all.
 */
static bool walk_indirect(struct virtqueue *q, struct vq_chain *c, const uint8_t *d)
{
	uint32_t len = get_le32(d + 8), n = len / DESC_SIZE;
	const uint8_t *table;
	uint16_t i = 0;

	if (!q->indirect || (get_le16(d + 12) & VRING_DESC_F_NEXT) || !n ||
	    len % DESC_SIZE || n > VQ_MAX_SIZE ||
	    !(table = gmem_ptr(q->mem, get_le64(d), len)))
		return false;
	for (unsigned walked = 0; walked < n; walked++) {
		const uint8_t *e = table + (size_t)i * DESC_SIZE;
		uint16_t flags = get_le16(e + 12);
		if ((flags & VRING_DESC_F_INDIRECT) || !take_buf(q, c, e))
			return false;
		if (!(flags & VRING_DESC_F_NEXT))
			return true;
		if ((i = get_le16(e + 14)) >= n)
			return false;
	}
	return false; /* a loop */
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
		uint16_t flags = get_le16(d + 12);
		if (flags & VRING_DESC_F_INDIRECT) {
			if (!walk_indirect(q, c, d))
				goto broken; /* not offered, or a bad table */
			break;
		}
		if (!take_buf(q, c, d))
			goto broken;
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

/* EVENT_IDX's fields, after the rings (2.7.6 and 2.7.8). */
static uint8_t *used_event(const struct virtqueue *q)
{
	return q->avail + 4 + 2 * (size_t)q->size;
}

static uint8_t *avail_event(const struct virtqueue *q)
{
	return q->used + 4 + 8 * (size_t)q->size;
}

void vq_kicks_off(struct virtqueue *q)
{
	/*
	 * With EVENT_IDX, leaving avail_event behind is what silences the
	 * guest: it kicks only when its index passes the event we published.
	 */
	if (q->ready && !q->event_idx)
		__atomic_store_n((uint16_t *)(void *)q->used, VRING_USED_F_NO_NOTIFY,
				 __ATOMIC_RELAXED);
}

bool vq_kicks_on(struct virtqueue *q)
{
	if (!q->ready || q->broken)
		return false;
	if (q->event_idx) /* kick me when you add the next one */
		__atomic_store_n((uint16_t *)(void *)avail_event(q), q->last_avail,
				 __ATOMIC_RELAXED);
	else
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

bool vq_irq_due(struct virtqueue *q)
{
	if (!q->event_idx)
		return vq_wants_irq(q);
	/* Our used index must be visible before we read what the guest wants. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint16_t event = get_le16(used_event(q)), old = q->signalled_used;
	bool first = !q->signalled;
	q->signalled = true;
	q->signalled_used = q->used_idx;
	return first || vq_need_event(event, q->used_idx, old);
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
