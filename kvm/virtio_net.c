/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-net on a tap opened with IFF_VNET_HDR: the guest's 12-byte
 * virtio_net_hdr_v1 goes to the tap as is, so checksum offload and TSO
 * from the guest pass straight through to the host kernel. Frames are
 * read from the tap only while the guest has receive buffers posted.
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <unistd.h>

#include "kvm/requests.h"
#include "kvm/virtio.h"

#define RXQ 0
#define TXQ 1

struct vnet {
	struct virtio_dev v;
	struct ev_handler tap;
	bool polling;
	uint8_t config[sizeof(struct virtio_net_config)];
	struct vq_chain chain;
	struct iovec iov[VQ_MAX_SIZE];
};

ssize_t net_tx_iov(const struct vq_chain *c, struct iovec *iov, int *iovcnt)
{
	size_t total = 0;

	*iovcnt = 0;
	for (unsigned i = 0; i < c->n; i++) {
		if (c->buf[i].device_writes)
			return -EINVAL;
		iov[(*iovcnt)++] = (struct iovec){ c->buf[i].ptr, c->buf[i].len };
		total += c->buf[i].len;
	}
	if (total < NET_HDR_LEN || total > NET_MAX_FRAME)
		return -EINVAL;
	return (ssize_t)total;
}

ssize_t net_rx_iov(const struct vq_chain *c, struct iovec *iov, int *iovcnt)
{
	size_t total = 0;

	*iovcnt = 0;
	for (unsigned i = 0; i < c->n; i++) {
		if (!c->buf[i].device_writes)
			return -EINVAL;
		iov[(*iovcnt)++] = (struct iovec){ c->buf[i].ptr, c->buf[i].len };
		total += c->buf[i].len;
	}
	if (total < NET_HDR_LEN || c->buf[0].len < NET_HDR_LEN)
		return -EINVAL;
	return (ssize_t)total;
}

static void set_polling(struct vnet *n, bool on)
{
	if (n->polling != on && evloop_mod(&n->v.vm->loop, &n->tap, on ? EPOLLIN : 0) == 0)
		n->polling = on;
}

static void rx(struct vnet *n)
{
	struct virtqueue *q = &n->v.vq[RXQ];
	bool done = false;

	for (;;) {
		int cnt;
		/* Peek: pop a chain only when a frame is waiting. */
		uint16_t before = q->last_avail;
		int got = vq_pop(q, &n->chain);
		if (got <= 0) {
			set_polling(n, false); /* wait for the guest to post buffers */
			break;
		}
		if (net_rx_iov(&n->chain, n->iov, &cnt) < 0) {
			q->broken = true;
			log_warn("virtio-net: the guest posted a bad receive buffer; receive stopped");
			break;
		}
		ssize_t len = readv(n->tap.fd, n->iov, cnt);
		if (len < 0) {
			q->last_avail = before; /* nothing to read: give the chain back */
			break;
		}
		put_le16((uint8_t *)n->iov[0].iov_base + 10, 1); /* num_buffers */
		vq_push(q, n->chain.head, (uint32_t)len);
		done = true;
	}
	if (done)
		virtio_notify(&n->v, RXQ);
}

static void tx(struct vnet *n)
{
	struct virtqueue *q = &n->v.vq[TXQ];
	bool done = false;
	int got, cnt;

again:
	vq_kicks_off(q);
	while ((got = vq_pop(q, &n->chain)) > 0) {
		if (net_tx_iov(&n->chain, n->iov, &cnt) >= 0 &&
		    writev(n->tap.fd, n->iov, cnt) < 0 && errno != EAGAIN)
			log_debug("virtio-net: tap write: %s", err_str(-errno));
		vq_push(q, n->chain.head, 0);
		done = true;
	}
	if (got == 0 && vq_kicks_on(q))
		goto again;
	if (got < 0)
		log_warn("virtio-net: the guest sent a malformed frame chain; transmit stopped");
	if (done)
		virtio_notify(&n->v, TXQ);
}

static void net_notify(struct virtio_dev *v, unsigned qi)
{
	struct vnet *n = container_of(v, struct vnet, v);

	if (qi == TXQ)
		tx(n);
	else
		set_polling(n, true);
}

static void on_tap(struct ev_handler *h, uint32_t events)
{
	struct vnet *n = container_of(h, struct vnet, tap);

	(void)events;
	virtio_lock(&n->v);
	if (n->v.vq[RXQ].ready)
		rx(n);
	else
		set_polling(n, false);
	virtio_unlock(&n->v);
}

static void net_activate(struct virtio_dev *v)
{
	set_polling(container_of(v, struct vnet, v), true);
}

static void net_reset(struct virtio_dev *v)
{
	set_polling(container_of(v, struct vnet, v), false);
}

static void net_config_read(struct virtio_dev *v, uint64_t off, uint8_t *data,
			    unsigned size)
{
	struct vnet *n = container_of(v, struct vnet, v);

	if (off < sizeof(n->config) && size <= sizeof(n->config) - off)
		memcpy(data, n->config + off, size);
}

static const struct virtio_dev_ops net_ops = {
	.config_read = net_config_read, .queue_notify = net_notify,
	.activate = net_activate, .reset = net_reset,
};

int virtio_net_create(struct vm *vm, int tap_fd, struct errmsg *err)
{
	struct vnet *n = calloc(1, sizeof(*n));
	int hdr = NET_HDR_LEN;
	uint8_t *mac;

	if (!n)
		return errmsg_set(err, -ENOMEM, "out of memory");
	if (ioctl(tap_fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return errmsg_set(err, -errno, "tap: TUNSETVNETHDRSZ: %s (opened without IFF_VNET_HDR?)", err_str(-errno));
	int fl = 1;
	ioctl(tap_fd, FIONBIO, &fl);
	n->tap.fd = tap_fd;
	n->tap.fn = on_tap;
	if (evloop_add(&vm->loop, &n->tap, 0) < 0)
		return errmsg_set(err, -errno, "tap: epoll: %s", err_str(-errno));
	mac = n->config + offsetof(struct virtio_net_config, mac);
	if (getrandom(mac, 6, 0) != 6)
		memset(mac, 0x5a, 6);
	mac[0] = (mac[0] & 0xfe) | 0x02; /* unicast, locally administered */
	put_le16(n->config + offsetof(struct virtio_net_config, status), VIRTIO_NET_S_LINK_UP);
	n->v.ops = &net_ops;
	n->v.device_id = VIRTIO_ID_NET;
	n->v.nqueues = 2;
	n->v.features = 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS |
			1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_HOST_TSO4 |
			1ULL << VIRTIO_NET_F_HOST_TSO6;
	return virtio_pci_register(vm, &n->v, err);
}
