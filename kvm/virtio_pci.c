/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio 1.x PCI transport ("modern" only). BAR 0 holds, at fixed
 * offsets, the common config, the ISR byte, the device config, one notify
 * doorbell per queue (an ioeventfd, so a kick never stops a vCPU) and the
 * MSI-X table and PBA. Each MSI-X vector is a KVM GSI fed by an irqfd.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm/pci.h"
#include "kvm/virtio.h"

#define BAR_SIZE 0x8000
#define COMMON_OFF 0x0000
#define ISR_OFF 0x1000
#define DEVICE_OFF 0x2000
#define NOTIFY_OFF 0x3000
#define NOTIFY_MULT 4
#define MSIX_TABLE_OFF 0x4000
#define MSIX_PBA_OFF 0x5000
#define MSIX_ENTRY 16
#define MSIX_MAX (VIRTIO_MAX_QUEUES + 1)
#define PCI_VENDOR_REDHAT_QUMRANET 0x1af4
#define VIRTIO_PCI_DEVICE_BASE 0x1040

struct queue_kick {
	struct ev_handler h;	/* the queue's ioeventfd, on the I/O loop */
	struct virtio_pci *t;
	unsigned q;
};

struct virtio_pci {
	struct pci_device pci;
	struct virtio_dev *v;
	uint32_t dfselect, gfselect;
	uint16_t qselect;
	uint16_t msix_config;
	uint8_t status, isr, generation;
	unsigned msix_cap;
	uint8_t msix_table[MSIX_MAX * MSIX_ENTRY];
	bool msix_pending[MSIX_MAX];
	unsigned gsi[MSIX_MAX];
	int irqfd[MSIX_MAX];
	struct queue_kick kick[VIRTIO_MAX_QUEUES];
	uint64_t notify_addr;	/* where the ioeventfds are registered (0: none) */
};

/* ---- interrupts: MSI-X vectors behind irqfds ------------------------------ */

static bool msix_on(const struct virtio_pci *t, bool *fn_masked)
{
	uint16_t ctrl = get_le16(t->pci.config + t->msix_cap + PCI_MSIX_FLAGS);
	*fn_masked = ctrl & PCI_MSIX_FLAGS_MASKALL;
	return ctrl & PCI_MSIX_FLAGS_ENABLE;
}

static bool vector_masked(const struct virtio_pci *t, unsigned vec)
{
	bool fn_masked;
	return !msix_on(t, &fn_masked) || fn_masked ||
	       (get_le32(t->msix_table + vec * MSIX_ENTRY + PCI_MSIX_ENTRY_VECTOR_CTRL) &
		PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static void fire(struct virtio_pci *t, unsigned vec)
{
	uint64_t one = 1;

	if (vec >= MSIX_MAX)
		return;
	if (vector_masked(t, vec)) {
		t->msix_pending[vec] = true;
		return;
	}
	if (write(t->irqfd[vec], &one, sizeof(one)) < 0)
		log_warn("virtio: irqfd: %s", err_str(-errno));
}

/* Points each unmasked vector's route at what the guest programmed. */
static void msix_sync(struct virtio_pci *t)
{
	for (unsigned vec = 0; vec < MSIX_MAX; vec++) {
		if (vector_masked(t, vec))
			continue;
		const uint8_t *e = t->msix_table + vec * MSIX_ENTRY;
		vm_msi_route_set(t->v->vm, t->gsi[vec], get_le64(e + PCI_MSIX_ENTRY_LOWER_ADDR),
				 get_le32(e + PCI_MSIX_ENTRY_DATA));
		if (t->msix_pending[vec]) {
			t->msix_pending[vec] = false;
			fire(t, vec);
		}
	}
}

void virtio_lock(struct virtio_dev *v)
{
	pthread_mutex_lock(&v->transport->pci.lock);
}

void virtio_unlock(struct virtio_dev *v)
{
	pthread_mutex_unlock(&v->transport->pci.lock);
}

void virtio_notify(struct virtio_dev *v, unsigned q)
{
	struct virtio_pci *t = v->transport;

	pthread_mutex_lock(&t->pci.lock);
	if (q >= v->nqueues || !v->vq[q].ready || !vq_irq_due(&v->vq[q])) {
		pthread_mutex_unlock(&t->pci.lock);
		return;
	}
	t->isr |= 1;
	fire(t, v->vq[q].msix_vector);
	pthread_mutex_unlock(&t->pci.lock);
}

/* ---- common configuration ------------------------------------------------- */

static void reset(struct virtio_pci *t)
{
	struct virtio_dev *v = t->v;

	if (v->ops->reset)
		v->ops->reset(v);
	for (unsigned q = 0; q < v->nqueues; q++)
		vq_reset(&v->vq[q]);
	v->acked = 0;
	t->status = 0;
	t->isr = 0;
	t->msix_config = VIRTIO_MSI_NO_VECTOR;
	t->dfselect = t->gfselect = t->qselect = 0;
}

static struct virtqueue *selected(struct virtio_pci *t)
{
	return t->qselect < t->v->nqueues ? &t->v->vq[t->qselect] : NULL;
}

static uint32_t common_read(struct virtio_pci *t, uint64_t off)
{
	struct virtio_dev *v = t->v;
	struct virtqueue *q = selected(t);

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT: return t->dfselect;
	case VIRTIO_PCI_COMMON_DF:
		return t->dfselect < 2 ? (uint32_t)(v->features >> (32 * t->dfselect)) : 0;
	case VIRTIO_PCI_COMMON_GFSELECT: return t->gfselect;
	case VIRTIO_PCI_COMMON_GF:
		return t->gfselect < 2 ? (uint32_t)(v->acked >> (32 * t->gfselect)) : 0;
	case VIRTIO_PCI_COMMON_MSIX: return t->msix_config;
	case VIRTIO_PCI_COMMON_NUMQ: return v->nqueues;
	case VIRTIO_PCI_COMMON_STATUS: return t->status;
	case VIRTIO_PCI_COMMON_CFGGENERATION: return t->generation;
	case VIRTIO_PCI_COMMON_Q_SELECT: return t->qselect;
	case VIRTIO_PCI_COMMON_Q_NOFF: return t->qselect;
	}
	if (!q)
		return 0;
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE: return q->size;
	case VIRTIO_PCI_COMMON_Q_MSIX: return q->msix_vector;
	case VIRTIO_PCI_COMMON_Q_ENABLE: return q->ready;
	case VIRTIO_PCI_COMMON_Q_DESCLO: return (uint32_t)q->desc_gpa;
	case VIRTIO_PCI_COMMON_Q_DESCHI: return (uint32_t)(q->desc_gpa >> 32);
	case VIRTIO_PCI_COMMON_Q_AVAILLO: return (uint32_t)q->avail_gpa;
	case VIRTIO_PCI_COMMON_Q_AVAILHI: return (uint32_t)(q->avail_gpa >> 32);
	case VIRTIO_PCI_COMMON_Q_USEDLO: return (uint32_t)q->used_gpa;
	case VIRTIO_PCI_COMMON_Q_USEDHI: return (uint32_t)(q->used_gpa >> 32);
	}
	return 0;
}

static void set_lo(uint64_t *v, uint32_t x) { *v = (*v & ~0xffffffffULL) | x; }
static void set_hi(uint64_t *v, uint32_t x) { *v = (*v & 0xffffffffULL) | (uint64_t)x << 32; }

static void status_write(struct virtio_pci *t, uint8_t s)
{
	struct virtio_dev *v = t->v;

	if (s == 0) {
		reset(t);
		return;
	}
	if ((s & VIRTIO_CONFIG_S_FEATURES_OK) && !(t->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    ((v->acked & ~v->features) || !(v->acked & (1ULL << VIRTIO_F_VERSION_1))))
		s &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK; /* refused: the driver sees it */
	bool go = (s & VIRTIO_CONFIG_S_DRIVER_OK) && !(t->status & VIRTIO_CONFIG_S_DRIVER_OK);
	t->status = s;
	if (go && v->ops->activate)
		v->ops->activate(v);
}

static void common_write(struct virtio_pci *t, uint64_t off, uint32_t val)
{
	struct virtio_dev *v = t->v;
	struct virtqueue *q = selected(t);

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT: t->dfselect = val; return;
	case VIRTIO_PCI_COMMON_GFSELECT: t->gfselect = val; return;
	case VIRTIO_PCI_COMMON_GF:
		if (t->gfselect < 2 && !(t->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
			uint64_t mask = 0xffffffffULL << (32 * t->gfselect);
			v->acked = (v->acked & ~mask) | ((uint64_t)val << (32 * t->gfselect) & mask);
		}
		return;
	case VIRTIO_PCI_COMMON_MSIX:
		t->msix_config = val < MSIX_MAX ? (uint16_t)val : VIRTIO_MSI_NO_VECTOR;
		return;
	case VIRTIO_PCI_COMMON_STATUS: status_write(t, (uint8_t)val); return;
	case VIRTIO_PCI_COMMON_Q_SELECT: t->qselect = (uint16_t)val; return;
	}
	if (!q || q->ready)
		return; /* a live queue's layout is fixed until reset */
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE: q->size = (uint16_t)val; break;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		q->msix_vector = val < MSIX_MAX ? (uint16_t)val : VIRTIO_MSI_NO_VECTOR;
		break;
	case VIRTIO_PCI_COMMON_Q_DESCLO: set_lo(&q->desc_gpa, val); break;
	case VIRTIO_PCI_COMMON_Q_DESCHI: set_hi(&q->desc_gpa, val); break;
	case VIRTIO_PCI_COMMON_Q_AVAILLO: set_lo(&q->avail_gpa, val); break;
	case VIRTIO_PCI_COMMON_Q_AVAILHI: set_hi(&q->avail_gpa, val); break;
	case VIRTIO_PCI_COMMON_Q_USEDLO: set_lo(&q->used_gpa, val); break;
	case VIRTIO_PCI_COMMON_Q_USEDHI: set_hi(&q->used_gpa, val); break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		q->indirect = v->acked & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
		q->event_idx = v->acked & (1ULL << VIRTIO_RING_F_EVENT_IDX);
		if (val == 1 && vq_start(q, &v->vm->mem) < 0) {
			log_warn("virtio: guest gave queue %u rings outside RAM", t->qselect);
			t->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
		}
		break;
	}
}

/* ---- BAR 0 -------------------------------------------------------------- */

static void kick_queue(struct virtio_pci *t, unsigned q)
{
	uint64_t one = 1;

	if (q < t->v->nqueues && write(t->kick[q].h.fd, &one, sizeof(one)) < 0)
		log_warn("virtio: kick: %s", err_str(-errno));
}

static void bar_read(struct pci_device *d, unsigned bar, uint64_t off,
		     uint8_t *data, unsigned size)
{
	struct virtio_pci *t = container_of(d, struct virtio_pci, pci);

	memset(data, 0, size);
	if (bar != 0)
		return;
	if (off < ISR_OFF) {
		uint32_t v = common_read(t, off);
		for (unsigned i = 0; i < size; i++)
			data[i] = (uint8_t)(v >> (8 * i));
	} else if (off == ISR_OFF) {
		data[0] = t->isr; /* reading clears it */
		t->isr = 0;
	} else if (off >= DEVICE_OFF && off < NOTIFY_OFF) {
		if (t->v->ops->config_read)
			t->v->ops->config_read(t->v, off - DEVICE_OFF, data, size);
	} else if (off >= MSIX_TABLE_OFF && off + size <= MSIX_TABLE_OFF + sizeof(t->msix_table)) {
		memcpy(data, t->msix_table + (off - MSIX_TABLE_OFF), size);
	} else if (off >= MSIX_PBA_OFF && off < MSIX_PBA_OFF + 8) {
		for (unsigned vec = 0; vec < MSIX_MAX; vec++)
			if (t->msix_pending[vec] && vec / 8 >= off - MSIX_PBA_OFF &&
			    vec / 8 < off - MSIX_PBA_OFF + size)
				data[vec / 8 - (off - MSIX_PBA_OFF)] |= (uint8_t)(1 << (vec % 8));
	}
}

static void bar_write(struct pci_device *d, unsigned bar, uint64_t off,
		      const uint8_t *data, unsigned size)
{
	struct virtio_pci *t = container_of(d, struct virtio_pci, pci);
	uint32_t v = 0;

	if (bar != 0)
		return;
	for (unsigned i = 0; i < size && i < 4; i++)
		v |= (uint32_t)data[i] << (8 * i);
	if (off < ISR_OFF) {
		common_write(t, off, v);
	} else if (off >= DEVICE_OFF && off < NOTIFY_OFF) {
		if (t->v->ops->config_write)
			t->v->ops->config_write(t->v, off - DEVICE_OFF, data, size);
	} else if (off >= NOTIFY_OFF && off < NOTIFY_OFF + NOTIFY_MULT * VIRTIO_MAX_QUEUES) {
		kick_queue(t, (unsigned)(off - NOTIFY_OFF) / NOTIFY_MULT); /* no ioeventfd hit */
	} else if (off >= MSIX_TABLE_OFF && off + size <= MSIX_TABLE_OFF + sizeof(t->msix_table)) {
		memcpy(t->msix_table + (off - MSIX_TABLE_OFF), data, size);
		msix_sync(t);
	}
}

static void set_ioeventfds(struct virtio_pci *t, uint64_t base, bool assign)
{
	for (unsigned q = 0; q < t->v->nqueues; q++) {
		struct kvm_ioeventfd io = {
			.addr = base + NOTIFY_OFF + q * NOTIFY_MULT, .len = 2,
			.fd = t->kick[q].h.fd,
			.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
		};
		if (ioctl(t->v->vm->vm_fd, KVM_IOEVENTFD, &io) < 0)
			log_warn("virtio: KVM_IOEVENTFD: %s", err_str(-errno));
	}
}

static void bar_moved(struct pci_device *d, unsigned bar, uint64_t addr)
{
	struct virtio_pci *t = container_of(d, struct virtio_pci, pci);

	if (bar != 0)
		return;
	if (t->notify_addr)
		set_ioeventfds(t, t->notify_addr, false);
	set_ioeventfds(t, addr, true);
	t->notify_addr = addr;
}

static void config_written(struct pci_device *d, unsigned off, unsigned size)
{
	struct virtio_pci *t = container_of(d, struct virtio_pci, pci);

	if (off < t->msix_cap + 4 && off + size > t->msix_cap + PCI_MSIX_FLAGS)
		msix_sync(t);
}

static const struct pci_device_ops virtio_pci_ops = {
	.bar_read = bar_read, .bar_write = bar_write,
	.bar_moved = bar_moved, .config_written = config_written,
};

/* ---- set-up ------------------------------------------------------------- */

static void on_kick(struct ev_handler *h, uint32_t events)
{
	struct queue_kick *k = container_of(h, struct queue_kick, h);
	struct virtio_pci *t = k->t;
	uint64_t n;
	bool ready;

	(void)events;
	if (read(h->fd, &n, sizeof(n)) < 0)
		return;
	pthread_mutex_lock(&t->pci.lock);
	ready = t->v->vq[k->q].ready && (t->status & VIRTIO_CONFIG_S_DRIVER_OK);
	if (ready)
		t->v->ops->queue_notify(t->v, k->q);
	pthread_mutex_unlock(&t->pci.lock);
}

static int add_caps(struct virtio_pci *t)
{
	uint8_t msix[12] = { PCI_CAP_ID_MSIX };
	int at;

	put_le16(msix + PCI_MSIX_FLAGS, MSIX_MAX - 1);
	put_le32(msix + PCI_MSIX_TABLE, MSIX_TABLE_OFF);
	put_le32(msix + PCI_MSIX_PBA, MSIX_PBA_OFF);
	if ((at = pci_add_cap(&t->pci, msix, sizeof(msix))) < 0)
		return at;
	t->msix_cap = (unsigned)at;
	put_le16(t->pci.wmask + at + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);

	static const struct { uint8_t type; uint32_t off, len; } caps[] = {
		{ VIRTIO_PCI_CAP_COMMON_CFG, COMMON_OFF, 0x40 },
		{ VIRTIO_PCI_CAP_ISR_CFG, ISR_OFF, 1 },
		{ VIRTIO_PCI_CAP_DEVICE_CFG, DEVICE_OFF, 0x1000 },
		{ VIRTIO_PCI_CAP_NOTIFY_CFG, NOTIFY_OFF, NOTIFY_MULT * VIRTIO_MAX_QUEUES },
	};
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
		uint8_t c[20] = { PCI_CAP_ID_VNDR };
		unsigned len = caps[i].type == VIRTIO_PCI_CAP_NOTIFY_CFG ? 20 : 16;
		c[VIRTIO_PCI_CAP_LEN] = (uint8_t)len;
		c[VIRTIO_PCI_CAP_CFG_TYPE] = caps[i].type;
		c[VIRTIO_PCI_CAP_BAR] = 0;
		put_le32(c + VIRTIO_PCI_CAP_OFFSET, caps[i].off);
		put_le32(c + VIRTIO_PCI_CAP_LENGTH, caps[i].len);
		put_le32(c + 16, NOTIFY_MULT);
		if ((at = pci_add_cap(&t->pci, c, len)) < 0)
			return at;
	}
	return 0;
}

static int setup_irqs(struct virtio_pci *t)
{
	struct vm *vm = t->v->vm;

	for (unsigned vec = 0; vec < MSIX_MAX; vec++) {
		put_le32(t->msix_table + vec * MSIX_ENTRY + PCI_MSIX_ENTRY_VECTOR_CTRL,
			 PCI_MSIX_ENTRY_CTRL_MASKBIT);
		int r = vm_msi_route_alloc(vm, &t->gsi[vec]);
		if (r < 0)
			return r;
		t->irqfd[vec] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (t->irqfd[vec] < 0)
			return -errno;
		struct kvm_irqfd f = { .fd = (uint32_t)t->irqfd[vec], .gsi = t->gsi[vec] };
		if (ioctl(vm->vm_fd, KVM_IRQFD, &f) < 0)
			return -errno;
	}
	return 0;
}

static int setup_kicks(struct virtio_pci *t)
{
	for (unsigned q = 0; q < t->v->nqueues; q++) {
		struct queue_kick *k = &t->kick[q];
		k->t = t;
		k->q = q;
		k->h.fn = on_kick;
		k->h.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (k->h.fd < 0)
			return -errno;
		int r = evloop_add(&t->v->vm->loop, &k->h, EPOLLIN);
		if (r < 0)
			return r;
	}
	return 0;
}

static uint32_t pci_class(uint16_t device_id)
{
	switch (device_id) {
	case 1: return 0x020000;  /* network: ethernet */
	case 2: return 0x018000;  /* storage: other */
	default: return 0xff0000; /* unclassified */
	}
}

int virtio_pci_register(struct vm *vm, struct virtio_dev *v, struct errmsg *err)
{
	struct virtio_pci *t = calloc(1, sizeof(*t));
	int r;

	if (!t)
		return errmsg_set(err, -ENOMEM, "out of memory");
	if (v->nqueues > VIRTIO_MAX_QUEUES)
		return errmsg_set(err, -EINVAL, "virtio: too many queues");
	t->v = v;
	v->vm = vm;
	v->transport = t;
	v->features |= 1ULL << VIRTIO_F_VERSION_1;
	t->pci.ops = &virtio_pci_ops;
	t->pci.bar_size[0] = BAR_SIZE;
	reset(t);
	if ((r = setup_kicks(t)) < 0 || (r = setup_irqs(t)) < 0 || (r = add_caps(t)) < 0 ||
	    (r = pci_register(vm, &t->pci, PCI_VENDOR_REDHAT_QUMRANET,
			      (uint16_t)(VIRTIO_PCI_DEVICE_BASE + v->device_id),
			      pci_class(v->device_id), PCI_VENDOR_REDHAT_QUMRANET,
			      (uint16_t)(VIRTIO_PCI_DEVICE_BASE + v->device_id))) < 0)
		return errmsg_set(err, r, "cannot plug virtio device %u: %s", v->device_id, err_str(r));
	return 0;
}
