/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm/ internal: parsers of what a guest puts in virtio-blk and virtio-net
 * chains, kept apart from the I/O so they can be fuzzed on their own.
 */
#ifndef KVMBOX_KVM_REQUESTS_H
#define KVMBOX_KVM_REQUESTS_H

#include <sys/uio.h>

#include "kvm/virtqueue.h"

#define BLK_SECTOR 512
#define BLK_SEG_MAX 254

struct blk_request {
	uint32_t type;		/* VIRTIO_BLK_T_* */
	uint64_t offset;	/* bytes */
	struct iovec iov[VQ_MAX_SIZE];
	int iovcnt;
	uint64_t len;		/* data bytes */
	uint8_t *status;
};

/*
 * Splits a chain into header, data and status. Returns a VIRTIO_BLK_S_*
 * status to report (OK: @r is ready to execute), or -EINVAL when the chain
 * has no place for a status byte at all (the queue is then broken).
 */
int blk_parse(const struct vq_chain *c, uint64_t capacity, bool read_only,
	      struct blk_request *r);

#define NET_HDR_LEN 12 /* struct virtio_net_hdr_v1 */
#define NET_MAX_FRAME (65535 + NET_HDR_LEN)

/* The device-readable buffers of a TX chain as iovecs; bytes, or -EINVAL. */
ssize_t net_tx_iov(const struct vq_chain *c, struct iovec *iov, int *iovcnt);
/* The device-writable buffers of an RX chain; bytes, or -EINVAL if too small. */
ssize_t net_rx_iov(const struct vq_chain *c, struct iovec *iov, int *iovcnt);

#endif
