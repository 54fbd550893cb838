/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio-rng: fills the guest's buffers from getrandom(2), so it has entropy at boot. */
#include <errno.h>
#include <linux/virtio_ids.h>
#include <stdlib.h>
#include <sys/random.h>

#include "kvm/virtio.h"

#define RNG_MAX_PER_BUF 4096

struct vrng {
	struct virtio_dev v;
	struct vq_chain chain;
};

static void rng_notify(struct virtio_dev *v, unsigned qi)
{
	struct vrng *g = container_of(v, struct vrng, v);
	struct virtqueue *q = &v->vq[qi];
	bool done = false;

	while (vq_pop(q, &g->chain) > 0) {
		uint32_t written = 0;
		for (unsigned i = 0; i < g->chain.n; i++) {
			struct vq_buf *b = &g->chain.buf[i];
			if (!b->device_writes)
				continue;
			ssize_t n = getrandom(b->ptr, MIN(b->len, RNG_MAX_PER_BUF), 0);
			if (n > 0)
				written += (uint32_t)n;
			break; /* one buffer's worth per request is plenty */
		}
		vq_push(q, g->chain.head, written);
		done = true;
	}
	if (done)
		virtio_notify(v, qi);
}

static const struct virtio_dev_ops rng_ops = { .queue_notify = rng_notify };

int virtio_rng_create(struct vm *vm, struct errmsg *err)
{
	struct vrng *g = calloc(1, sizeof(*g));

	if (!g)
		return errmsg_set(err, -ENOMEM, "out of memory");
	g->v.ops = &rng_ops;
	g->v.device_id = VIRTIO_ID_RNG;
	g->v.nqueues = 1;
	return virtio_pci_register(vm, &g->v, err);
}
