/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-input tablet (virtio 1.x device 18): an absolute pointer with
 * three buttons and a wheel, so the guest's cursor lands exactly where the host's is.
 * The guest reads what the device is through the select/subsel config
 * window; events travel in the guest's eventq buffers, 8 bytes each. When
 * the guest has no buffers posted, a few reports wait in a bounded ring
 * and older motion is dropped before button changes are.
 *
 * vm_input_pointer() and vm_input_wheel() are also here: they pick the
 * tablet when its driver runs, else the PS/2 mouse.
 */
#include <errno.h>
#include <linux/input.h> /* BUS_VIRTUAL */
#include <linux/virtio_ids.h>
#include <linux/virtio_input.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/virtio.h"

#define EVENTQ 0
#define STATUSQ 1
#define PENDING_MAX 64	/* events: 10 to 16 reports */

struct virtio_input {
	struct virtio_dev v;
	struct virtio_input_config cfg; /* the window the guest reads */
	bool live;			/* DRIVER_OK and not reset since */
	unsigned buttons;
	struct virtio_input_event pending[PENDING_MAX];
	unsigned npending;
	unsigned dropped;
	struct vq_chain chain;
};

static void set_bit(uint8_t *map, unsigned bit)
{
	map[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

/* What the guest sees after writing select/subsel. */
static void fill_config(struct virtio_input_config *c)
{
	static const char name[] = "kvmbox tablet";
	uint8_t sel = c->select, sub = c->subsel;

	memset(&c->u, 0, sizeof(c->u));
	c->size = 0;
	switch (sel) {
	case VIRTIO_INPUT_CFG_ID_NAME:
		memcpy(c->u.string, name, sizeof(name) - 1);
		c->size = sizeof(name) - 1;
		break;
	case VIRTIO_INPUT_CFG_ID_DEVIDS:
		put_le16((uint8_t *)&c->u.ids.bustype, BUS_VIRTUAL);
		put_le16((uint8_t *)&c->u.ids.product, 1);
		put_le16((uint8_t *)&c->u.ids.version, 1);
		c->size = sizeof(c->u.ids);
		break;
	case VIRTIO_INPUT_CFG_EV_BITS:
		if (sub == EV_KEY) {
			set_bit(c->u.bitmap, BTN_LEFT);
			set_bit(c->u.bitmap, BTN_RIGHT);
			set_bit(c->u.bitmap, BTN_MIDDLE);
			c->size = BTN_MIDDLE / 8 + 1;
		} else if (sub == EV_REL) {
			set_bit(c->u.bitmap, REL_WHEEL);
			c->size = REL_WHEEL / 8 + 1;
		} else if (sub == EV_ABS) {
			set_bit(c->u.bitmap, ABS_X);
			set_bit(c->u.bitmap, ABS_Y);
			c->size = 1;
		}
		break;
	case VIRTIO_INPUT_CFG_ABS_INFO:
		if (sub == ABS_X || sub == ABS_Y) {
			put_le32((uint8_t *)&c->u.abs.max, TABLET_ABS_MAX);
			c->size = sizeof(c->u.abs);
		}
		break;
	default:
		break; /* no serial, no properties: size 0 */
	}
}

static void config_read(struct virtio_dev *v, uint64_t off, uint8_t *data,
			unsigned size)
{
	struct virtio_input *t = container_of(v, struct virtio_input, v);
	const uint8_t *c = (const uint8_t *)&t->cfg;

	for (unsigned i = 0; i < size; i++)
		data[i] = off + i < sizeof(t->cfg) ? c[off + i] : 0;
}

static void config_write(struct virtio_dev *v, uint64_t off,
			 const uint8_t *data, unsigned size)
{
	struct virtio_input *t = container_of(v, struct virtio_input, v);

	for (unsigned i = 0; i < size; i++) {
		if (off + i == offsetof(struct virtio_input_config, select))
			t->cfg.select = data[i];
		else if (off + i == offsetof(struct virtio_input_config, subsel))
			t->cfg.subsel = data[i];
	}
	fill_config(&t->cfg);
}

/* Moves waiting events into the guest's buffers. Device lock held. */
static void flush(struct virtio_input *t)
{
	struct virtqueue *q = &t->v.vq[EVENTQ];
	unsigned sent = 0;

	if (!t->live || !q->ready)
		return;
	while (sent < t->npending && vq_pop(q, &t->chain) > 0) {
		size_t n = vq_chain_write(&t->chain, 0, &t->pending[sent],
					  sizeof(t->pending[0]));
		vq_push(q, t->chain.head, (uint32_t)n);
		sent++;
	}
	if (!sent)
		return;
	memmove(t->pending, t->pending + sent,
		(t->npending - sent) * sizeof(t->pending[0]));
	t->npending -= sent;
	virtio_notify(&t->v, EVENTQ);
}

static void queue_notify(struct virtio_dev *v, unsigned qi)
{
	struct virtio_input *t = container_of(v, struct virtio_input, v);

	if (qi == EVENTQ) {
		flush(t);
		return;
	}
	/* LED and other status from the guest: nothing to show, just return them. */
	bool any = false;
	while (vq_pop(&v->vq[qi], &t->chain) > 0) {
		vq_push(&v->vq[qi], t->chain.head, 0);
		any = true;
	}
	if (any)
		virtio_notify(v, qi);
}

static void activate(struct virtio_dev *v)
{
	container_of(v, struct virtio_input, v)->live = true;
}

static void reset(struct virtio_dev *v)
{
	struct virtio_input *t = container_of(v, struct virtio_input, v);

	t->live = false;
	t->npending = 0;
	t->buttons = 0;
}

static const struct virtio_dev_ops tablet_ops = {
	.config_read = config_read, .config_write = config_write,
	.queue_notify = queue_notify, .activate = activate, .reset = reset,
};

static void put_event(struct virtio_input_event *e, unsigned type,
		      unsigned code, int value)
{
	put_le16((uint8_t *)&e->type, (uint16_t)type);
	put_le16((uint8_t *)&e->code, (uint16_t)code);
	put_le32((uint8_t *)&e->value, (uint32_t)value);
}

/* Queues one report: position, changed buttons, SYN_REPORT. Lock held. */
static void report(struct virtio_input *t, int x, int y, unsigned buttons)
{
	static const unsigned btn[3] = { BTN_LEFT, BTN_RIGHT, BTN_MIDDLE };
	struct virtio_input_event ev[6];
	unsigned n = 0;

	put_event(&ev[n++], EV_ABS, ABS_X, x);
	put_event(&ev[n++], EV_ABS, ABS_Y, y);
	for (unsigned i = 0; i < 3; i++)
		if ((buttons ^ t->buttons) & (1u << i))
			put_event(&ev[n++], EV_KEY, btn[i], !!(buttons & (1u << i)));
	put_event(&ev[n++], EV_SYN, SYN_REPORT, 0);
	if (t->npending + n > PENDING_MAX) {
		t->dropped++;
		if (buttons == t->buttons)
			return; /* plain motion: the next report supersedes it */
		t->npending = 0; /* a click must arrive: forget stale motion */
	}
	t->buttons = buttons;
	memcpy(t->pending + t->npending, ev, n * sizeof(ev[0]));
	t->npending += n;
	flush(t);
}

static int scale(unsigned v, unsigned range)
{
	if (range <= 1)
		return 0;
	uint64_t s = (uint64_t)MIN(v, range - 1) * TABLET_ABS_MAX / (range - 1);
	return (int)s;
}

void vm_input_wheel(struct vm *vm, int clicks, unsigned buttons)
{
	struct virtio_input *t = vm->tablet;

	if (!clicks)
		return;
	if (t) {
		virtio_lock(&t->v);
		bool live = t->live && t->v.vq[EVENTQ].ready;
		if (live && t->npending + 2 <= PENDING_MAX) {
			put_event(&t->pending[t->npending++], EV_REL, REL_WHEEL, clicks);
			put_event(&t->pending[t->npending++], EV_SYN, SYN_REPORT, 0);
			flush(t);
		}
		virtio_unlock(&t->v);
		if (live)
			return;
	}
	if (vm->i8042 && i8042_mouse_ready(vm->i8042))
		i8042_wheel(vm->i8042, clicks, buttons & 7);
}

void vm_input_pointer(struct vm *vm, unsigned x, unsigned y, unsigned width,
		      unsigned height, unsigned buttons)
{
	struct virtio_input *t = vm->tablet;

	buttons &= 7;
	if (t) {
		virtio_lock(&t->v);
		bool live = t->live && t->v.vq[EVENTQ].ready;
		if (live)
			report(t, scale(x, width), scale(y, height), buttons);
		virtio_unlock(&t->v);
		if (live)
			return;
	}
	if (vm->i8042 && i8042_mouse_ready(vm->i8042))
		i8042_pointer(vm->i8042, MIN(x, width), MIN(y, height), 0, buttons);
}

int virtio_input_create(struct vm *vm, struct errmsg *err)
{
	struct virtio_input *t = calloc(1, sizeof(*t));

	if (!t)
		return errmsg_set(err, -ENOMEM, "out of memory");
	t->v.ops = &tablet_ops;
	t->v.device_id = VIRTIO_ID_INPUT;
	t->v.nqueues = 2;
	int r = virtio_pci_register(vm, &t->v, err);
	if (r < 0) {
		free(t);
		return r;
	}
	vm->tablet = t;
	return 0;
}
