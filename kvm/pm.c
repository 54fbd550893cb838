/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI power management ports (what the FADT points at): PM1a event and
 * control blocks, where writing SLP_TYP=5 with SLP_EN powers off; the ACPI
 * reset register; and the pvpanic port (0x505) where a panicking guest
 * writes bit 0.
 */
#include "kvm/machine.h"

#define PM1_SCI_EN 0x0001
#define PM1_SLP_EN 0x2000
#define PM1_SLP_TYP_SHIFT 10
#define PVPANIC_PANICKED 0x1
#define PVPANIC_CRASH_LOADED 0x2

static void pm_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	(void)opaque;
	for (unsigned i = 0; i < size; i++)
		data[i] = 0;
	if (off == PM1A_CNT_PORT - PM1A_EVT_PORT)
		data[0] = PM1_SCI_EN; /* already in ACPI mode: no SMI dance */
}

static void pm_write(void *opaque, uint64_t off, const uint8_t *data,
		     unsigned size)
{
	struct vm *vm = opaque;

	if (off == PM1A_CNT_PORT - PM1A_EVT_PORT && size >= 2) {
		uint16_t v = get_le16(data);
		if ((v & PM1_SLP_EN) && ((v >> PM1_SLP_TYP_SHIFT) & 7) == ACPI_S5_TYPE)
			vm_request_stop(vm, VMM_EXIT_POWEROFF);
	} else if (off == ACPI_RESET_PORT - PM1A_EVT_PORT &&
		   data[0] == ACPI_RESET_VALUE) {
		vm_request_stop(vm, VMM_EXIT_REBOOT);
	}
}

static void pvpanic_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)size;
	data[0] = PVPANIC_PANICKED | PVPANIC_CRASH_LOADED; /* what we handle */
}

static void pvpanic_write(void *opaque, uint64_t off, const uint8_t *data,
			  unsigned size)
{
	(void)off;
	(void)size;
	if (data[0] & PVPANIC_PANICKED)
		vm_request_stop(opaque, VMM_EXIT_PANIC);
}

int pm_init(struct vm *vm)
{
	struct io_region pm = { .base = PM1A_EVT_PORT, .len = 9, .opaque = vm,
				.read = pm_read, .write = pm_write };
	struct io_region pp = { .base = PVPANIC_PORT, .len = 1, .opaque = vm,
				.read = pvpanic_read, .write = pvpanic_write };
	int r = bus_add(&vm->pio, &pm);
	return r ? r : bus_add(&vm->pio, &pp);
}
