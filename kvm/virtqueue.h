/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm/ internal: the one place that walks a guest's split virtqueue. Every
 * address, length and index comes from the guest and is checked here: rings
 * must lie in RAM, chains are at most the queue size long (which also stops
 * loops), buffers must lie in RAM, and a bad ring index breaks the queue.
 * Pure functions of guest memory, so they can be fuzzed on their own.
 */
#ifndef KVMBOX_KVM_VIRTQUEUE_H
#define KVMBOX_KVM_VIRTQUEUE_H

#include "kvm/machine.h"

#define VQ_MAX_SIZE 256

struct virtqueue {
	uint16_t size;		/* power of two, <= VQ_MAX_SIZE */
	bool ready;
	bool broken;		/* the guest broke a rule: no more processing */
	uint16_t msix_vector;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t last_avail;	/* next avail ring slot we consume */
	uint16_t used_idx;
	const struct guest_mem *mem;
	uint8_t *desc, *avail, *used; /* host views, checked at vq_start */
	/* Negotiated ring features, set by the transport before vq_start. */
	bool indirect;		/* VIRTIO_RING_F_INDIRECT_DESC */
	bool event_idx;		/* VIRTIO_RING_F_EVENT_IDX */
	bool signalled;		/* EVENT_IDX: signalled_used is meaningful */
	uint16_t signalled_used; /* used_idx at the last interrupt */
};

struct vq_buf {
	uint8_t *ptr;
	uint32_t len;
	bool device_writes;	/* VRING_DESC_F_WRITE */
};

struct vq_chain {
	uint16_t head;
	unsigned n;
	struct vq_buf buf[VQ_MAX_SIZE];
};

/* Checks and maps the rings; -EFAULT (and not ready) when they are bad. */
int vq_start(struct virtqueue *q, const struct guest_mem *m);
void vq_reset(struct virtqueue *q);
/* Next available chain: 1 popped, 0 none, -EINVAL guest error (queue broken). */
int vq_pop(struct virtqueue *q, struct vq_chain *c);
/* Returns @head to the guest with @written bytes filled in. */
void vq_push(struct virtqueue *q, uint16_t head, uint32_t written);
/*
 * While the device is draining a queue the guest need not kick it:
 * vq_kicks_off() sets VRING_USED_F_NO_NOTIFY; vq_kicks_on() clears it and
 * returns true when buffers arrived meanwhile (drain again then).
 */
void vq_kicks_off(struct virtqueue *q);
bool vq_kicks_on(struct virtqueue *q);
/* Whether the guest wants an interrupt now (VRING_AVAIL_F_NO_INTERRUPT). */
bool vq_wants_irq(const struct virtqueue *q);

/*
 * EVENT_IDX (virtio 1.x, 2.7.7 and 2.7.10): whether an index moving from
 * @old to @new_idx passed @event, the index the other side asked to hear
 * about. Wrapping 16-bit arithmetic, as the spec writes it.
 */
static inline bool vq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}
/*
 * Whether to interrupt the guest for the used buffers pushed since the last
 * interrupt: with EVENT_IDX, only when they pass the guest's used_event
 * (then remembered as signalled); else as vq_wants_irq().
 */
bool vq_irq_due(struct virtqueue *q);

/* Copying over a chain's device-readable / device-writable parts. */
size_t vq_chain_read(const struct vq_chain *c, size_t off, void *dst, size_t len);
size_t vq_chain_write(const struct vq_chain *c, size_t off, const void *src, size_t len);

#endif
