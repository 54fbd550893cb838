/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm/ internal: virtio devices. The transport (virtio_pci.c) owns feature
 * negotiation, queues, notifications and interrupts; a device (blk, net,
 * rng) supplies its config space, its features and a handler run on the
 * I/O thread when the guest kicks a queue.
 */
#ifndef KVMBOX_KVM_VIRTIO_H
#define KVMBOX_KVM_VIRTIO_H

#include "kvm/machine.h"
#include "kvm/virtqueue.h"

#define VIRTIO_MAX_QUEUES 4

struct virtio_dev;
struct virtio_dev_ops {
	/* Device-specific config (read by the guest at BAR offset 0x2000). */
	void (*config_read)(struct virtio_dev *v, uint64_t off, uint8_t *data,
			    unsigned size);
	/* The guest writes device config (optional: most devices are read-only). */
	void (*config_write)(struct virtio_dev *v, uint64_t off,
			     const uint8_t *data, unsigned size);
	/* Queue @q was kicked (or became ready); runs on the I/O thread. */
	void (*queue_notify)(struct virtio_dev *v, unsigned q);
	/* DRIVER_OK: the device may start (e.g. poll its tap). */
	void (*activate)(struct virtio_dev *v);
	void (*reset)(struct virtio_dev *v);
};

struct virtio_dev {
	struct vm *vm;
	const struct virtio_dev_ops *ops;
	void *priv;
	uint16_t device_id;	/* VIRTIO_ID_* */
	uint64_t features;	/* offered (VIRTIO_F_VERSION_1 is added) */
	uint64_t acked;		/* what the driver accepted */
	unsigned nqueues;
	struct virtqueue vq[VIRTIO_MAX_QUEUES];
	struct virtio_pci *transport;
};

/* Plugs @v into PCI (modern virtio 1.x transport, MSI-X). */
int virtio_pci_register(struct vm *vm, struct virtio_dev *v, struct errmsg *err);
/*
 * The device lock: held by the transport around guest register accesses
 * (vCPU threads) and around queue_notify (I/O thread), so a guest reset
 * never pulls a queue from under the I/O thread. Devices take it around
 * their own I/O-thread work (e.g. a tap becoming readable).
 */
void virtio_lock(struct virtio_dev *v);
void virtio_unlock(struct virtio_dev *v);
/* Tells the guest that queue @q has used buffers. */
void virtio_notify(struct virtio_dev *v, unsigned q);

int virtio_blk_create(struct vm *vm, struct blockdev *bd, struct errmsg *err);
int virtio_net_create(struct vm *vm, int tap_fd, struct errmsg *err);
int virtio_rng_create(struct vm *vm, struct errmsg *err);
/* The absolute pointer; sets vm->tablet. */
int virtio_input_create(struct vm *vm, struct errmsg *err);

#endif
