/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI host bridge: configuration mechanism #1 (0xCF8 address, 0xCFC data)
 * for bus 0, device 0 being the bridge itself, and BAR decoding in the
 * MMIO window. BARs get addresses at plug time, as firmware would; the
 * guest may move them, and the owning device is told.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/pci.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define BAR_ALIGN 0x10000ULL
#define PCI_IO_START 0xc000 /* I/O BARs, inside the DSDT's 0x0d00-0xffff window */
#define PCI_IO_END 0x10000

struct pci_bus {
	pthread_mutex_t lock;	/* the address latch */
	uint32_t address;
	struct pci_device host;	/* slot 0: the host bridge */
	struct pci_device *dev[PCI_MAX_DEVICES];
	uint64_t next_bar;
	uint64_t next_io;
};

static struct pci_device *addressed(struct pci_bus *b, uint32_t addr)
{
	unsigned bus = (addr >> 16) & 0xff, slot = (addr >> 11) & 0x1f;
	unsigned fn = (addr >> 8) & 7;

	if (!(addr & 0x80000000u) || bus || fn || slot >= PCI_MAX_DEVICES)
		return NULL;
	return b->dev[slot];
}

static bool bar_decodes(const struct pci_device *d, unsigned bar)
{
	return d->bar_size[bar] &&
	       (d->config[PCI_COMMAND] & (d->bar_io[bar] ? PCI_COMMAND_IO
							 : PCI_COMMAND_MEMORY));
}

static void bar_update(struct pci_device *d, unsigned bar)
{
	uint32_t raw = get_le32(d->config + PCI_BASE_ADDRESS_0 + 4 * bar);
	uint64_t addr = raw & PCI_BASE_ADDRESS_MEM_MASK;
	uint64_t lo = PCI_MMIO_START, hi = PCI_MMIO_END;

	if (d->bar_io[bar]) {
		addr = raw & PCI_BASE_ADDRESS_IO_MASK & 0xffff;
		lo = 0x1000;
		hi = PCI_IO_END;
	}
	if (addr == d->bar_addr[bar] || addr < lo || addr > hi - d->bar_size[bar])
		return; /* sizing probe or nonsense: keep decoding where we were */
	d->bar_addr[bar] = addr;
	if (d->ops->bar_moved)
		d->ops->bar_moved(d, bar, addr);
}

static void config_write(struct pci_device *d, unsigned off, const uint8_t *data,
			 unsigned size)
{
	for (unsigned i = 0; i < size && off + i < 256; i++)
		d->config[off + i] = (uint8_t)((d->config[off + i] & ~d->wmask[off + i]) |
					       (data[i] & d->wmask[off + i]));
	for (unsigned bar = 0; bar < PCI_NUM_BARS; bar++)
		if (d->bar_size[bar] && off < PCI_BASE_ADDRESS_0 + 4 * bar + 4 &&
		    off + size > PCI_BASE_ADDRESS_0 + 4 * bar)
			bar_update(d, bar);
	if (d->ops && d->ops->config_written)
		d->ops->config_written(d, off, size);
}

static void cf8_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	struct pci_bus *b = opaque;
	struct pci_device *d;

	pthread_mutex_lock(&b->lock);
	if (off < 4) {
		if (off == 0 && size == 4)
			put_le32(data, b->address);
	} else if ((d = addressed(b, b->address))) {
		unsigned reg = (b->address & 0xfc) + (unsigned)(off - 4);
		pthread_mutex_lock(&d->lock);
		for (unsigned i = 0; i < size && reg + i < 256; i++)
			data[i] = d->config[reg + i];
		pthread_mutex_unlock(&d->lock);
	}
	pthread_mutex_unlock(&b->lock);
}

static void cf8_write(void *opaque, uint64_t off, const uint8_t *data,
		      unsigned size)
{
	struct pci_bus *b = opaque;
	struct pci_device *d;

	pthread_mutex_lock(&b->lock);
	if (off < 4) {
		if (off == 0 && size == 4)
			b->address = get_le32(data);
	} else if ((d = addressed(b, b->address))) {
		pthread_mutex_lock(&d->lock);
		config_write(d, (b->address & 0xfc) + (unsigned)(off - 4), data, size);
		pthread_mutex_unlock(&d->lock);
	}
	pthread_mutex_unlock(&b->lock);
}

static struct pci_device *find_bar(struct pci_bus *b, uint64_t addr,
				   unsigned size, unsigned *bar, uint64_t *off,
				   bool io)
{
	for (unsigned s = 1; s < PCI_MAX_DEVICES; s++) {
		struct pci_device *d = b->dev[s];
		for (unsigned i = 0; d && i < PCI_NUM_BARS; i++) {
			if (d->bar_io[i] != io || !bar_decodes(d, i) ||
			    addr < d->bar_addr[i] ||
			    addr - d->bar_addr[i] + size > d->bar_size[i])
				continue;
			*bar = i;
			*off = addr - d->bar_addr[i];
			return d;
		}
	}
	return NULL;
}

static void mmio_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	struct pci_bus *b = opaque;
	unsigned bar;
	uint64_t boff;
	struct pci_device *d = find_bar(b, PCI_MMIO_START + off, size, &bar, &boff, false);

	if (d && d->ops->bar_read) {
		pthread_mutex_lock(&d->lock);
		d->ops->bar_read(d, bar, boff, data, size);
		pthread_mutex_unlock(&d->lock);
	}
}

static void mmio_write(void *opaque, uint64_t off, const uint8_t *data,
		       unsigned size)
{
	struct pci_bus *b = opaque;
	unsigned bar;
	uint64_t boff;
	struct pci_device *d = find_bar(b, PCI_MMIO_START + off, size, &bar, &boff, false);

	if (d && d->ops->bar_write) {
		pthread_mutex_lock(&d->lock);
		d->ops->bar_write(d, bar, boff, data, size);
		pthread_mutex_unlock(&d->lock);
	}
}

static void io_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	struct pci_bus *b = opaque;
	unsigned bar;
	uint64_t boff;
	struct pci_device *d = find_bar(b, PCI_IO_START + off, size, &bar, &boff, true);

	if (d && d->ops->bar_read) {
		pthread_mutex_lock(&d->lock);
		d->ops->bar_read(d, bar, boff, data, size);
		pthread_mutex_unlock(&d->lock);
	}
}

static void io_write(void *opaque, uint64_t off, const uint8_t *data,
		     unsigned size)
{
	struct pci_bus *b = opaque;
	unsigned bar;
	uint64_t boff;
	struct pci_device *d = find_bar(b, PCI_IO_START + off, size, &bar, &boff, true);

	if (d && d->ops->bar_write) {
		pthread_mutex_lock(&d->lock);
		d->ops->bar_write(d, bar, boff, data, size);
		pthread_mutex_unlock(&d->lock);
	}
}

void pci_intx_init(struct pci_device *d, unsigned gsi)
{
	d->intx_gsi = gsi;
	d->config[PCI_INTERRUPT_PIN] = 1;
	d->config[PCI_INTERRUPT_LINE] = (uint8_t)gsi;
}

void pci_set_intx(struct vm *vm, struct pci_device *d, bool level)
{
	if (!d->intx_gsi)
		return;
	if (d->config[PCI_COMMAND + 1] & (PCI_COMMAND_INTX_DISABLE >> 8))
		level = false;
	if (level)
		d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		d->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
	vm_set_irq(vm, d->intx_gsi, level);
}

unsigned pci_intx_routes(struct vm *vm, struct pci_intx_route *out, unsigned max)
{
	struct pci_bus *b = vm->pci;
	unsigned n = 0;

	for (unsigned s = 0; b && s < PCI_MAX_DEVICES && n < max; s++) {
		const struct pci_device *d = b->dev[s];
		if (!d || !d->intx_gsi || !d->config[PCI_INTERRUPT_PIN])
			continue;
		out[n++] = (struct pci_intx_route){
			.slot = (uint8_t)s,
			.pin = (uint8_t)(d->config[PCI_INTERRUPT_PIN] - 1),
			.gsi = d->intx_gsi,
		};
	}
	return n;
}

static const struct pci_device_ops host_ops = { 0 };

int pci_init(struct vm *vm)
{
	struct pci_bus *b = calloc(1, sizeof(*b));
	struct io_region cfg = { .base = CONFIG_ADDRESS, .len = 8,
				 .read = cf8_read, .write = cf8_write };
	struct io_region mmio = { .base = PCI_MMIO_START,
				  .len = PCI_MMIO_END - PCI_MMIO_START,
				  .read = mmio_read, .write = mmio_write };
	struct io_region io = { .base = PCI_IO_START, .len = PCI_IO_END - PCI_IO_START,
				.read = io_read, .write = io_write };
	int r;

	if (!b)
		return -ENOMEM;
	pthread_mutex_init(&b->lock, NULL);
	b->next_bar = PCI_MMIO_START;
	b->next_io = PCI_IO_START;
	cfg.opaque = mmio.opaque = io.opaque = b;
	vm->pci = b;
	b->host.ops = &host_ops;
	r = pci_register(vm, &b->host, 0x8086, 0x1237, 0x060000, 0, 0); /* a 440FX-like host bridge */
	if (r == 0)
		r = bus_add(&vm->pio, &cfg);
	/* The address latch acts only at the next 0xCFC access, which exits. */
	if (r == 0)
		r = coalesced_pio_add(vm, CONFIG_ADDRESS, 4);
	if (r == 0)
		r = bus_add(&vm->pio, &io);
	return r ? r : bus_add(&vm->mmio, &mmio);
}

int pci_register(struct vm *vm, struct pci_device *d, uint16_t vendor,
		 uint16_t device, uint32_t class_code, uint16_t subsys_vendor,
		 uint16_t subsys)
{
	struct pci_bus *b = vm->pci;
	unsigned slot = 0;

	while (slot < PCI_MAX_DEVICES && b->dev[slot])
		slot++;
	if (slot == PCI_MAX_DEVICES)
		return -ENOSPC;
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	/* recursive: a device's I/O handler may call back into its transport */
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&d->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	d->slot = slot;
	put_le16(d->config + PCI_VENDOR_ID, vendor);
	put_le16(d->config + PCI_DEVICE_ID, device);
	put_le32(d->config + PCI_CLASS_REVISION, class_code << 8 | (slot ? 1 : 0));
	put_le16(d->config + PCI_SUBSYSTEM_VENDOR_ID, subsys_vendor);
	put_le16(d->config + PCI_SUBSYSTEM_ID, subsys);
	d->wmask[PCI_COMMAND] = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_IO;
	d->wmask[PCI_COMMAND + 1] = PCI_COMMAND_INTX_DISABLE >> 8;
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		uint64_t size = d->bar_size[i];
		if (!size)
			continue;
		if (d->bar_io[i]) {
			if (size & (size - 1) || size < 4 || size > 256)
				return -EINVAL;
			uint64_t at = (b->next_io + size - 1) & ~(size - 1);
			if (at + size > PCI_IO_END)
				return -ENOSPC;
			b->next_io = at + size;
			d->bar_addr[i] = at;
			put_le32(d->config + PCI_BASE_ADDRESS_0 + 4 * i,
				 (uint32_t)at | PCI_BASE_ADDRESS_SPACE_IO);
			put_le32(d->wmask + PCI_BASE_ADDRESS_0 + 4 * i, (uint32_t)~(size - 1) & 0xfffc);
			if (d->ops->bar_moved)
				d->ops->bar_moved(d, i, at);
			continue;
		}
		if (size & (size - 1) || size < 4096)
			return -EINVAL;
		uint64_t at = (b->next_bar + MAX(size, BAR_ALIGN) - 1) & ~(MAX(size, BAR_ALIGN) - 1);
		if (at + size > PCI_MMIO_END)
			return -ENOSPC;
		b->next_bar = at + size;
		d->bar_addr[i] = at;
		put_le32(d->config + PCI_BASE_ADDRESS_0 + 4 * i, (uint32_t)at);
		put_le32(d->wmask + PCI_BASE_ADDRESS_0 + 4 * i, (uint32_t)~(size - 1));
		if (d->ops->bar_moved)
			d->ops->bar_moved(d, i, at);
	}
	d->config[PCI_COMMAND] = slot ? PCI_COMMAND_MEMORY : 0;
	for (unsigned i = 0; slot && i < PCI_NUM_BARS; i++)
		if (d->bar_size[i] && d->bar_io[i])
			d->config[PCI_COMMAND] |= PCI_COMMAND_IO;
	b->dev[slot] = d;
	return 0;
}

int pci_add_cap(struct pci_device *d, const uint8_t *cap, unsigned len)
{
	unsigned at = d->cap_end ? d->cap_end : 0x40;

	if (at + len > 256 || len < 2)
		return -ENOSPC;
	memcpy(d->config + at, cap, len);
	d->config[at + 1] = 0;
	d->config[d->cap_last ? d->cap_last + 1 : PCI_CAPABILITY_LIST] = (uint8_t)at;
	d->cap_last = at;
	d->cap_end = (at + len + 3) & ~3u;
	d->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	return (int)at;
}
