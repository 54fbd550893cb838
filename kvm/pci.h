/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm/ internal: the PCI host bridge (config mechanism #1 at 0xCF8/0xCFC,
 * bus 0 only) and the device interface every PCI device file implements.
 * A device owns a 256-byte config space (header + capabilities) and up to
 * six memory BARs; the bridge decodes BAR accesses and tells the device
 * when the guest moves a BAR (so it can move its ioeventfds).
 */
#ifndef KVMBOX_KVM_PCI_H
#define KVMBOX_KVM_PCI_H

#include <linux/pci_regs.h>

#include "kvm/machine.h"

#define PCI_MAX_DEVICES 16
#define PCI_NUM_BARS 6

struct pci_device;
struct pci_device_ops {
	/* Access at @off inside BAR @bar (the guest's view, little-endian). */
	void (*bar_read)(struct pci_device *d, unsigned bar, uint64_t off,
			 uint8_t *data, unsigned size);
	void (*bar_write)(struct pci_device *d, unsigned bar, uint64_t off,
			  const uint8_t *data, unsigned size);
	/* BAR @bar now decodes at @addr (called at plug time too). */
	void (*bar_moved)(struct pci_device *d, unsigned bar, uint64_t addr);
	/* The guest wrote config space at @off (after the bridge stored it). */
	void (*config_written)(struct pci_device *d, unsigned off, unsigned size);
};

struct pci_device {
	const struct pci_device_ops *ops;
	uint8_t config[256];
	uint8_t wmask[256];	/* which config bits the guest may change */
	uint64_t bar_size[PCI_NUM_BARS]; /* 0: absent; 32-bit memory BARs */
	uint64_t bar_addr[PCI_NUM_BARS];
	bool bar_io[PCI_NUM_BARS]; /* an I/O-port BAR (size 4..256) */
	unsigned intx_gsi;	/* 0: no INTx pin; else the wired IOAPIC line */
	unsigned slot;
	unsigned cap_last, cap_end; /* capability list bookkeeping */
	pthread_mutex_t lock;	/* recursive; held around every callback */
};

int pci_init(struct vm *vm);
/* Fills the header fields, gives the BARs addresses, plugs into bus 0. */
int pci_register(struct vm *vm, struct pci_device *d, uint16_t vendor,
		 uint16_t device, uint32_t class_code, uint16_t subsys_vendor,
		 uint16_t subsys);
/*
 * INTx: pin A wired to IOAPIC line @gsi (an unused ISA IRQ; the guest finds
 * it in PCI_INTERRUPT_LINE). Call before pci_register.
 */
void pci_intx_init(struct pci_device *d, unsigned gsi);
/* Drives the line (level: asserted while @level), unless the guest disabled INTx. */
void pci_set_intx(struct vm *vm, struct pci_device *d, bool level);
/* Appends a capability of @len bytes (@cap[0] = ID); returns its offset. */
int pci_add_cap(struct pci_device *d, const uint8_t *cap, unsigned len);

/* One wired INTx line: slot's pin (0 = INTA .. 3 = INTD) drives IOAPIC @gsi. */
struct pci_intx_route {
	uint8_t slot, pin;
	uint32_t gsi;
};
/* Fills @out with the plugged devices' INTx wiring; returns the count. */
unsigned pci_intx_routes(struct vm *vm, struct pci_intx_route *out, unsigned max);
/*
 * Writes Name(_PRT, Package() { {slot<<16|0xFFFF, pin, 0, gsi}, ... }) for
 * the PCI root bridge (ACPI "hard-wired GSI" form, no link devices) into
 * @aml, which holds at least ACPI_PRT_MAX bytes; returns its length.
 */
#define ACPI_PRT_MAX (16 + PCI_MAX_DEVICES * 16)
size_t acpi_prt_aml(uint8_t *aml, const struct pci_intx_route *r, unsigned n);

#endif
