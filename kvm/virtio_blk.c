/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-blk over a struct blockdev (disk/): read, write, flush, get-id.
 * A read-only disk is offered as VIRTIO_BLK_F_RO, and writes to it fail
 * with an I/O error whatever the guest does.
 */
#include <errno.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/requests.h"
#include "kvm/virtio.h"

struct vblk {
	struct virtio_dev v;
	struct blockdev *bd;
	uint8_t config[sizeof(struct virtio_blk_config)];
	struct vq_chain chain;
	struct blk_request req;
};

int blk_parse(const struct vq_chain *c, uint64_t capacity, bool read_only,
	      struct blk_request *r)
{
	if (c->n < 2 || !c->buf[c->n - 1].device_writes)
		return -EINVAL;
	const struct vq_buf *st = &c->buf[c->n - 1];
	r->status = st->ptr + st->len - 1;
	r->iovcnt = 0;
	r->len = 0;
	if (c->buf[0].device_writes || c->buf[0].len != sizeof(struct virtio_blk_outhdr))
		return VIRTIO_BLK_S_IOERR;
	const uint8_t *h = c->buf[0].ptr;
	r->type = get_le32(h + offsetof(struct virtio_blk_outhdr, type));
	uint64_t sector = get_le64(h + offsetof(struct virtio_blk_outhdr, sector));
	bool in = r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_GET_ID;
	for (unsigned i = 1; i + 1 < c->n; i++) {
		if (c->buf[i].device_writes != in)
			return VIRTIO_BLK_S_IOERR;
		r->iov[r->iovcnt++] = (struct iovec){ c->buf[i].ptr, c->buf[i].len };
		r->len += c->buf[i].len;
	}
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (r->len % BLK_SECTOR || sector > capacity / BLK_SECTOR ||
		    r->len > capacity - sector * BLK_SECTOR)
			return VIRTIO_BLK_S_IOERR;
		if (r->type == VIRTIO_BLK_T_OUT && read_only)
			return VIRTIO_BLK_S_IOERR;
		r->offset = sector * BLK_SECTOR;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
	case VIRTIO_BLK_T_GET_ID:
		return VIRTIO_BLK_S_OK;
	}
	return VIRTIO_BLK_S_UNSUPP;
}

/* Runs one parsed request; returns the bytes written into the guest's buffers. */
static uint32_t execute(struct vblk *b, struct blk_request *r, uint8_t *status)
{
	struct blockdev *bd = b->bd;
	int e = 0;

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		e = r->len ? bd->ops->readv(bd, r->iov, r->iovcnt, r->offset) : 0;
		break;
	case VIRTIO_BLK_T_OUT:
		e = r->len ? bd->ops->writev(bd, r->iov, r->iovcnt, r->offset) : 0;
		break;
	case VIRTIO_BLK_T_FLUSH:
		e = bd->ops->flush ? bd->ops->flush(bd) : 0;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		size_t n = MIN((size_t)VIRTIO_BLK_ID_BYTES, strnlen(bd->id, sizeof(bd->id)));
		for (int i = 0; i < r->iovcnt && n; i++) {
			size_t k = MIN(n, r->iov[i].iov_len);
			memcpy(r->iov[i].iov_base, bd->id, k);
			*status = VIRTIO_BLK_S_OK;
			return (uint32_t)k + 1;
		}
		break;
	}
	}
	*status = e < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	return (r->type == VIRTIO_BLK_T_IN && e == 0 ? (uint32_t)r->len : 0) + 1;
}

static void blk_notify(struct virtio_dev *v, unsigned qi)
{
	struct vblk *b = container_of(v, struct vblk, v);
	struct virtqueue *q = &v->vq[qi];
	bool done = false;
	int got;

again:
	vq_kicks_off(q);
	while ((got = vq_pop(q, &b->chain)) > 0) {
		int s = blk_parse(&b->chain, b->bd->size, b->bd->read_only, &b->req);
		uint32_t written = 1;
		if (s < 0) {
			got = s;
			break;
		}
		if (s == VIRTIO_BLK_S_OK)
			written = execute(b, &b->req, b->req.status);
		else
			*b->req.status = (uint8_t)s;
		vq_push(q, b->chain.head, written);
		done = true;
	}
	if (got == 0 && vq_kicks_on(q)) {
		if (done)
			virtio_notify(v, qi); /* let the guest go on while we drain more */
		done = false;
		goto again;
	}
	if (got < 0)
		log_warn("virtio-blk %s: the guest sent a malformed request; queue stopped", b->bd->id);
	if (done)
		virtio_notify(v, qi);
}

static void blk_config_read(struct virtio_dev *v, uint64_t off, uint8_t *data,
			    unsigned size)
{
	struct vblk *b = container_of(v, struct vblk, v);

	if (off < sizeof(b->config) && size <= sizeof(b->config) - off)
		memcpy(data, b->config + off, size);
}

static const struct virtio_dev_ops blk_ops = {
	.config_read = blk_config_read,
	.queue_notify = blk_notify,
};

int virtio_blk_create(struct vm *vm, struct blockdev *bd, struct errmsg *err)
{
	struct vblk *b = calloc(1, sizeof(*b));

	if (!b)
		return errmsg_set(err, -ENOMEM, "out of memory");
	b->bd = bd;
	b->v.ops = &blk_ops;
	b->v.device_id = VIRTIO_ID_BLOCK;
	b->v.nqueues = 1;
	/*
	 * Indirect descriptors: a request of many segments takes one ring
	 * slot, so the guest keeps several in flight. EVENT_IDX: kicks and
	 * interrupts only when the other side asked for them.
	 */
	b->v.features = 1ULL << VIRTIO_BLK_F_FLUSH | 1ULL << VIRTIO_BLK_F_SEG_MAX |
			1ULL << VIRTIO_RING_F_INDIRECT_DESC | 1ULL << VIRTIO_RING_F_EVENT_IDX |
			(bd->read_only ? 1ULL << VIRTIO_BLK_F_RO : 0);
	put_le64(b->config + offsetof(struct virtio_blk_config, capacity),
		 bd->size / BLK_SECTOR);
	put_le32(b->config + offsetof(struct virtio_blk_config, seg_max), BLK_SEG_MAX);
	return virtio_pci_register(vm, &b->v, err);
}
