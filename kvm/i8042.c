/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * i8042: just enough of the PS/2 controller for a guest to find it and to
 * reset the machine with command 0xFE (Linux's reboot=kbd); the keyboard
 * itself comes with the display. Also port 0x92's fast reset bit.
 */
#include <stdlib.h>

#include "kvm/machine.h"

#define I8042_DATA 0x60
#define I8042_STATUS 0x64
#define I8042_CMD_RESET 0xfe
#define PORT92 0x92

static void i8042_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	(void)opaque;
	(void)size;
	/* Status: input buffer empty, output buffer empty, system flag set. */
	data[0] = off == I8042_STATUS - I8042_DATA ? 0x04 : 0x00;
}

static void i8042_write(void *opaque, uint64_t off, const uint8_t *data,
			unsigned size)
{
	(void)size;
	if (off == I8042_STATUS - I8042_DATA && data[0] == I8042_CMD_RESET)
		vm_request_stop(opaque, VMM_EXIT_REBOOT);
}

static void port92_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)size;
	data[0] = 0x02; /* A20 enabled */
}

static void port92_write(void *opaque, uint64_t off, const uint8_t *data,
			 unsigned size)
{
	(void)off;
	(void)size;
	if (data[0] & 1)
		vm_request_stop(opaque, VMM_EXIT_REBOOT);
}

int i8042_init(struct vm *vm)
{
	struct io_region kbd = { .base = I8042_DATA, .len = 5, .opaque = vm,
				 .read = i8042_read, .write = i8042_write };
	struct io_region p92 = { .base = PORT92, .len = 1, .opaque = vm,
				 .read = port92_read, .write = port92_write };
	int r = bus_add(&vm->pio, &kbd);
	return r ? r : bus_add(&vm->pio, &p92);
}
