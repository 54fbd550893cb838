/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The QXL display device takes whatever a hostile guest does: writes into
 * its RAM BAR and RAM header (rings, memory slot, surface to create),
 * commands pushed at any address, and any I/O port with any value. No
 * crash, no access outside guest RAM (ASan), and the primary surface the
 * device draws into always lies inside a BAR or guest RAM.
 *
 * Input: a sequence of operations, each an op byte then its arguments:
 *   0 OFF:3 LEN:1 DATA  write into the first MiB of the RAM BAR
 *   1 OFF:2 LEN:1 DATA  write into the RAM header
 *   2 PORT VAL          an I/O port write
 *   3 ADDR:8 TYPE       push a command on the command ring and notify
 *   4 ADDR:8            push a cursor command and notify
 */
#include <stdlib.h>
#include <string.h>

#include "kvm/qxl.h"

#define WINDOW (1u << 20)

static struct vm *vm;
static struct display *disp;
static struct qxl *q;

static void setup(void)
{
	struct errmsg err = { "" };

	log_setup(-1, LOG_ERR, false, "fuzz");
	vm = calloc(1, sizeof(*vm));
	disp = calloc(1, sizeof(*disp));
	if (!vm || !disp || guest_mem_alloc(&vm->mem, 16 << 20) < 0 || pci_init(vm) < 0)
		abort();
	vm->vm_fd = vm->kvm_fd = -1; /* the slot and IRQ ioctls fail harmlessly */
	pthread_mutex_init(&disp->lock, NULL);
	disp->vm = vm;
	disp->width = 640;
	disp->height = 480;
	vm->display = disp;
	if (qxl_create(vm, disp, &err) < 0)
		abort();
	q = disp->qxl;
}

static void port(unsigned p, uint8_t v)
{
	q->pci.ops->bar_write(&q->pci, QXL_IO_BAR, p, &v, 1);
}

static void push(size_t ring_off, const uint8_t *addr, uint8_t type, unsigned notify)
{
	QXLCommandRing *r = (QXLCommandRing *)(void *)((uint8_t *)q->ram + ring_off);
	QXLCommand c;
	uint32_t prod;

	memcpy(&c.data, addr, 8);
	c.type = type;
	c.padding = 0;
	memcpy(&prod, (uint8_t *)r + offsetof(QXLCommandRing, prod), 4);
	memcpy((uint8_t *)r + offsetof(QXLCommandRing, items) +
	       (prod % QXL_COMMAND_RING_SIZE) * sizeof(r->items[0]), &c, sizeof(c));
	prod++;
	memcpy((uint8_t *)r + offsetof(QXLCommandRing, prod), &prod, 4);
	port(notify, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *ram = q ? q->bar[QXL_RAM_BAR] : NULL;

	if (!q) {
		setup();
		ram = q->bar[QXL_RAM_BAR];
	}
	memset(ram, 0, WINDOW);
	port(QXL_IO_RESET, 0);
	for (size_t i = 0; i < size;) {
		uint8_t op = data[i++] % 5;
		size_t left = size - i;
		if (op == 0 && left >= 4) {
			uint32_t off = (data[i] | data[i + 1] << 8 | (uint32_t)data[i + 2] << 16) % WINDOW;
			size_t len = MIN((size_t)data[i + 3], left - 4);
			len = MIN(len, WINDOW - off);
			memcpy(ram + off, data + i + 4, len);
			i += 4 + len;
		} else if (op == 1 && left >= 3) {
			uint32_t off = (data[i] | data[i + 1] << 8) % sizeof(QXLRam);
			size_t len = MIN((size_t)data[i + 2], left - 3);
			len = MIN(len, sizeof(QXLRam) - off);
			memcpy((uint8_t *)q->ram + off, data + i + 3, len);
			i += 3 + len;
		} else if (op == 2 && left >= 2) {
			port(data[i] % QXL_IO_RANGE_SIZE, data[i + 1]);
			i += 2;
		} else if (op == 3 && left >= 9) {
			push(offsetof(QXLRam, cmd_ring), data + i, data[i + 8] % 7, QXL_IO_NOTIFY_CMD);
			i += 9;
		} else if (op == 4 && left >= 8) {
			push(offsetof(QXLRam, cursor_ring), data + i, QXL_CMD_CURSOR, QXL_IO_NOTIFY_CURSOR);
			i += 8;
		} else {
			break;
		}
	}
	/* The primary surface the device draws into lies inside one region. */
	if (disp->view.px) {
		const uint8_t *a = (const uint8_t *)disp->view.px;
		uint64_t len = (uint64_t)disp->view.stride * disp->view.height;
		bool in = false;
		for (unsigned b = 0; b <= QXL_VRAM_BAR; b++)
			in |= a >= q->bar[b] && a + len <= q->bar[b] + q->size[b];
		in |= a >= vm->mem.lo && a + len <= vm->mem.lo + vm->mem.lo_size;
		if (!in || disp->view.width > GFX_MAX_DIM || disp->view.height > GFX_MAX_DIM ||
		    disp->view.stride < 4 * disp->view.width)
			abort();
	}
	return 0;
}
