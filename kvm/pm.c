/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI power management ports (what the FADT points at): PM1a event and
 * control blocks, where writing SLP_TYP=5 with SLP_EN powers off; the ACPI
 * reset register; and the pvpanic port (0x505) where a panicking guest
 * writes bit 0.
 */
#include <errno.h>
#include <stdlib.h>

#include "kvm/machine.h"

#define PM1_SCI_EN 0x0001
#define PM1_SLP_EN 0x2000
#define PM1_SLP_TYP_SHIFT 10
#define PVPANIC_PANICKED 0x1
#define PVPANIC_CRASH_LOADED 0x2

struct pm {
	struct vm *vm;
	uint8_t enable[2]; /* PM1 enable register: kept so ACPICA reads back what it set */
};

static void pm_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	struct pm *pm = opaque;

	for (unsigned i = 0; i < size; i++) {
		uint64_t at = off + i;
		data[i] = at == 2 || at == 3 ? pm->enable[at - 2] : 0;
	}
	if (off == PM1A_CNT_PORT - PM1A_EVT_PORT)
		data[0] = PM1_SCI_EN; /* already in ACPI mode: no SMI dance */
}

static void pm_write(void *opaque, uint64_t off, const uint8_t *data,
		     unsigned size)
{
	struct pm *pm = opaque;
	struct vm *vm = pm->vm;

	for (unsigned i = 0; i < size; i++)
		if (off + i == 2 || off + i == 3)
			pm->enable[off + i - 2] = data[i];
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
	struct pm *state = calloc(1, sizeof(*state));
	struct io_region pm = { .base = PM1A_EVT_PORT, .len = 9, .opaque = state,
				.read = pm_read, .write = pm_write };

	if (!state)
		return -ENOMEM;
	state->vm = vm;
	struct io_region pp = { .base = PVPANIC_PORT, .len = 1, .opaque = vm,
				.read = pvpanic_read, .write = pvpanic_write };
	int r = bus_add(&vm->pio, &pm);
	return r ? r : bus_add(&vm->pio, &pp);
}
