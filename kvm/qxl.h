/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm/ internal: the QXL display device shared by qxl.c (PCI, ROM, RAM
 * header, ports, rings, interrupts) and qxl_draw.c (drawing commands).
 * Every structure comes from <spice/qxl_dev.h>. The guest hands over
 * addresses as (memory slot, offset) pairs; qxl_ptr() is the only way
 * from such an address to host memory, and checks slot, offset and length.
 */
#ifndef KVMBOX_KVM_QXL_H
#define KVMBOX_KVM_QXL_H

#include "kvm/display.h"
#include "kvm/pci.h"
/* After core.h: spice/macros.h #undefs MIN/MAX and defines equivalent ones. */
#include <spice/qxl_dev.h>

#define QXL_RAM_BAR 0
#define QXL_VRAM_BAR 1
#define QXL_ROM_BAR 2
#define QXL_IO_BAR 3
#define QXL_SLOTS 8		/* slot ids 1..7 for the guest */
#define QXL_SLOT_ID_BITS 8
#define QXL_SLOT_GEN_BITS 8
#define QXL_ADDR_BITS (64 - QXL_SLOT_ID_BITS - QXL_SLOT_GEN_BITS)
#define QXL_INTX_GSI 11		/* an ISA IRQ nothing else uses */

/* Bad-input messages are logged once per kind. */
enum qxl_complaint {
	QXL_BAD_CMD_ADDR, QXL_BAD_CMD_TYPE, QXL_BAD_DRAW, QXL_BAD_IMAGE,
	QXL_BAD_SURFACE, QXL_BAD_SLOT, QXL_BAD_RING, QXL_BAD_CURSOR,
	QXL_COMPLAINTS
};

struct qxl {
	struct pci_device pci;
	struct vm *vm;
	struct display *disp;
	uint8_t *bar[3];	/* host memory of BARs 0-2 */
	uint64_t size[3];
	QXLRam *ram;		/* the RAM header at the end of BAR 0 */
	QXLRom *rom;
	uint32_t ram_header_offset;
	struct { uint64_t start, end; bool valid; } slot[QXL_SLOTS];
	/* Released commands not yet on the ring: a chain through .next. */
	uint64_t rel_head;
	uint8_t *rel_tail;
	unsigned rel_count;
	bool irq_level;
	bool primary;		/* a primary surface exists (the view is ours) */
	uint32_t primary_w, primary_h;
	bool monitors_sent;	/* the client monitors config interrupt went out */
	bool complained[QXL_COMPLAINTS];
	struct { int x, y; bool visible; } cursor;
	uint64_t draws;		/* drawing commands applied */
};

/* Host memory behind a guest QXL address, or NULL (bad slot/offset/length). */
void *qxl_ptr(struct qxl *q, QXLPHYSICAL addr, uint64_t len);
/* Logs @what once per kind of problem. */
void qxl_complain(struct qxl *q, enum qxl_complaint kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A QXLDrawable on the primary surface (qxl_draw.c). */
void qxl_draw(struct qxl *q, const QXLDrawable *dr);

#endif
