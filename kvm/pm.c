/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI power management ports (what the FADT points at): PM1a event and
 * control blocks, where writing SLP_TYP=5 with SLP_EN powers off, and the
 * fixed power button (PWRBTN_STS/EN, signalled by the SCI) through which
 * the host asks a guest to shut down; the ACPI reset register; and the
 * pvpanic port (0x505) where a panicking guest writes bit 0.
 */
#include <errno.h>
#include <stdlib.h>

#include "kvm/machine.h"

#define PM1_SCI_EN 0x0001
#define PM1_PWRBTN 0x0100 /* same bit in the status and the enable register */
#define PM1_SLP_EN 0x2000
#define PM1_SLP_TYP_SHIFT 10
#define PVPANIC_PANICKED 0x1
#define PVPANIC_CRASH_LOADED 0x2

struct pm {
	struct vm *vm;
	/* vCPU threads write these, the I/O thread presses the button: atomics */
	uint16_t status;   /* PM1 status: PWRBTN_STS, write 1 to clear */
	uint16_t enable;   /* PM1 enable: kept so ACPICA reads back what it set */
};

/* The SCI is level-triggered: high while an enabled event is pending. */
static void pm_update_sci(struct pm *pm)
{
	uint16_t pending = __atomic_load_n(&pm->status, __ATOMIC_SEQ_CST) &
			   __atomic_load_n(&pm->enable, __ATOMIC_SEQ_CST);
	vm_set_irq(pm->vm, ACPI_SCI_IRQ, pending != 0);
}

bool pm_power_button(struct pm *pm)
{
	if (!(__atomic_load_n(&pm->enable, __ATOMIC_SEQ_CST) & PM1_PWRBTN))
		return false; /* no ACPI button driver in the guest: nobody listens */
	__atomic_or_fetch(&pm->status, PM1_PWRBTN, __ATOMIC_SEQ_CST);
	pm_update_sci(pm);
	return true;
}

static void pm_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	struct pm *pm = opaque;

	uint16_t status = __atomic_load_n(&pm->status, __ATOMIC_SEQ_CST);
	uint16_t enable = __atomic_load_n(&pm->enable, __ATOMIC_SEQ_CST);

	for (unsigned i = 0; i < size; i++) {
		uint64_t at = off + i;
		uint16_t reg = at < 2 ? status : at < 4 ? enable : 0;
		data[i] = at < 4 ? (uint8_t)(reg >> (8 * (at & 1))) : 0;
	}
	if (off == PM1A_CNT_PORT - PM1A_EVT_PORT)
		data[0] = PM1_SCI_EN; /* already in ACPI mode: no SMI dance */
}

static void pm_write(void *opaque, uint64_t off, const uint8_t *data,
		     unsigned size)
{
	struct pm *pm = opaque;
	struct vm *vm = pm->vm;

	bool events = false;

	for (unsigned i = 0; i < size; i++) {
		uint64_t at = off + i;
		uint16_t bits = (uint16_t)(data[i] << (8 * (at & 1)));
		uint16_t keep = (uint16_t)~(0xffu << (8 * (at & 1)));
		if (at < 2) {
			__atomic_and_fetch(&pm->status, (uint16_t)~bits, __ATOMIC_SEQ_CST);
			events = true;
		} else if (at < 4) {
			uint16_t e = __atomic_load_n(&pm->enable, __ATOMIC_SEQ_CST);
			__atomic_store_n(&pm->enable, (uint16_t)((e & keep) | bits),
					 __ATOMIC_SEQ_CST);
			events = true;
		}
	}
	if (events)
		pm_update_sci(pm);
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
	vm->pm = state;
	struct io_region pp = { .base = PVPANIC_PORT, .len = 1, .opaque = vm,
				.read = pvpanic_read, .write = pvpanic_write };
	int r = bus_add(&vm->pio, &pm);
	return r ? r : bus_add(&vm->pio, &pp);
}
