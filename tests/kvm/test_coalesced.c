/* SPDX-License-Identifier: GPL-2.0-only */
/* Replaying KVM's ring of coalesced port writes: order, wrap, bad entries. */
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness.h"
#include "kvm/machine.h"

#define PAGE 4096

struct recorder {
	uint32_t seen[16];
	unsigned n;
};

static void record(void *opaque, uint64_t off, const uint8_t *data, unsigned size)
{
	struct recorder *r = opaque;

	if (r->n < 16)
		r->seen[r->n++] = off == 0 && size == 4 ? get_le32(data) : 0xdead0000u + size;
}

/* A VM with only the ring and a recorder on ports 0xCF8..0xCFB. */
static struct vm *ring_vm(struct recorder *rec)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	const struct io_region cf8 = { .base = 0xcf8, .len = 4, .opaque = rec, .write = record };

	CHECK(vm != NULL);
	vm->ring = aligned_alloc(PAGE, PAGE);
	CHECK(vm->ring != NULL);
	memset(vm->ring, 0, PAGE);
	vm->ring_offset = 2 * PAGE;
	vm->ring_max = (PAGE - sizeof(*vm->ring)) / sizeof(vm->ring->coalesced_mmio[0]);
	pthread_mutex_init(&vm->ring_lock, NULL);
	CHECK_EQ(bus_add(&vm->pio, &cf8), 0);
	return vm;
}

static void put(struct vm *vm, uint32_t slot, uint64_t port, uint32_t len, uint32_t value)
{
	struct kvm_coalesced_mmio *e = &vm->ring->coalesced_mmio[slot];

	e->phys_addr = port;
	e->len = len;
	e->pio = 1;
	put_le32(e->data, value);
}

static void ring_free(struct vm *vm)
{
	free(vm->ring);
	free(vm);
}

TEST(coalesced_writes_replay_in_order)
{
	struct recorder rec = { 0 };
	struct vm *vm = ring_vm(&rec);

	put(vm, 0, 0xcf8, 4, 0x80000000);
	put(vm, 1, 0xcf8, 4, 0x80000800);
	put(vm, 2, 0xcf8, 4, 0x80001000);
	vm->ring->last = 3;
	coalesced_flush(vm);
	CHECK_EQ(rec.n, 3u);
	CHECK_EQ(rec.seen[0], 0x80000000u);
	CHECK_EQ(rec.seen[2], 0x80001000u);
	CHECK_EQ(vm->ring->first, 3u);
	coalesced_flush(vm); /* nothing new: nothing replayed twice */
	CHECK_EQ(rec.n, 3u);
	ring_free(vm);
}

TEST(coalesced_ring_wraps_around)
{
	struct recorder rec = { 0 };
	struct vm *vm = ring_vm(&rec);
	uint32_t end = vm->ring_max - 1;

	put(vm, end, 0xcf8, 4, 0x80000004);
	put(vm, 0, 0xcf8, 4, 0x80000008);
	vm->ring->first = end;
	vm->ring->last = 1;
	coalesced_flush(vm);
	CHECK_EQ(rec.n, 2u);
	CHECK_EQ(rec.seen[0], 0x80000004u);
	CHECK_EQ(rec.seen[1], 0x80000008u);
	CHECK_EQ(vm->ring->first, 1u);
	ring_free(vm);
}

TEST(coalesced_bad_entries_and_indices_are_skipped)
{
	struct recorder rec = { 0 };
	struct vm *vm = ring_vm(&rec);

	put(vm, 0, 0xcf8, 8, 1);     /* no such port width */
	put(vm, 1, 0xcf8, 4, 2);
	vm->ring->coalesced_mmio[1].pio = 0; /* MMIO: we registered none */
	put(vm, 2, 0x1234, 4, 3);    /* nothing there: dropped by the bus */
	put(vm, 3, 0xcf8, 4, 0x80000010);
	vm->ring->last = 4;
	coalesced_flush(vm);
	CHECK_EQ(rec.n, 1u);
	CHECK_EQ(rec.seen[0], 0x80000010u);

	vm->ring->first = vm->ring_max + 7; /* out of the ring: stop, do not read */
	vm->ring->last = 2;
	coalesced_flush(vm);
	CHECK_EQ(rec.n, 1u);
	ring_free(vm);
}

TEST(coalesced_flush_without_a_ring_does_nothing)
{
	struct vm vm;

	memset(&vm, 0, sizeof(vm));
	coalesced_flush(&vm);
	coalesced_attach(&vm, NULL);
	CHECK(vm.ring == NULL);
	CHECK_EQ(coalesced_pio_add(&vm, 0xcf8, 4), 0);
}
