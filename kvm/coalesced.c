/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Coalesced port writes. A PCI configuration access is two port accesses:
 * the address to 0xCF8, then the data at 0xCFC. KVM can keep writes to a
 * registered port range in a ring shared with us instead of leaving
 * KVM_RUN for each, so the address write costs no exit to user space;
 * every exit then replays the ring, in order, before it is handled, which
 * keeps the devices seeing the writes exactly as the guest made them.
 * Under nested virtualisation an exit to user space is the dearest thing
 * a guest does, and Linux's early PCI scans make tens of thousands.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm/machine.h"

/* Called once /dev/kvm is open: where the ring is in a vCPU's mapping. */
void coalesced_probe(struct vm *vm)
{
	long page = sysconf(_SC_PAGESIZE);
	int off = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);

	vm->ring_offset = 0;
	if (off <= 0 || page <= 0 ||
	    ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) <= 0)
		return;
	if ((size_t)(off + 1) * (size_t)page > vm->run_size)
		return; /* the ring would lie outside the mapping: do without */
	vm->ring_offset = (size_t)off * (size_t)page;
	vm->ring_max = (uint32_t)(((size_t)page - sizeof(struct kvm_coalesced_mmio_ring)) /
				  sizeof(struct kvm_coalesced_mmio));
	pthread_mutex_init(&vm->ring_lock, NULL);
}

/*
 * Writes of @len bytes inside [port, port + len) go to the ring. Only for
 * ports whose writes have no effect until a later access reads or uses
 * them. Without the capability the writes simply keep exiting.
 */
int coalesced_pio_add(struct vm *vm, uint16_t port, uint32_t len)
{
	struct kvm_coalesced_mmio_zone z = { .addr = port, .size = len, .pio = 1 };

	if (!vm->ring_offset)
		return 0;
	return ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &z) < 0 ? -errno : 0;
}

/* vCPU 0's mapping shows the ring (every vCPU's shows the same page). */
void coalesced_attach(struct vm *vm, struct kvm_run *run)
{
	if (vm->ring_offset && !vm->ring)
		vm->ring = (struct kvm_coalesced_mmio_ring *)((uint8_t *)run + vm->ring_offset);
}

/* Replays the writes KVM kept, oldest first; any vCPU may call it. */
void coalesced_flush(struct vm *vm)
{
	struct kvm_coalesced_mmio_ring *ring = vm->ring;

	if (!ring || atomic_load_explicit((_Atomic uint32_t *)&ring->last, memory_order_acquire) ==
			     ring->first)
		return;
	pthread_mutex_lock(&vm->ring_lock);
	uint32_t last = atomic_load_explicit((_Atomic uint32_t *)&ring->last, memory_order_acquire);
	uint32_t first = ring->first;
	/* The indices come from the kernel; a bad one ends the replay, not us. */
	while (first != last && first < vm->ring_max && last < vm->ring_max) {
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[first];
		unsigned len = e->len;

		/* A write only reads e->data: no copy needed. */
		if (e->pio && (len == 1 || len == 2 || len == 4))
			bus_access(&vm->pio, e->phys_addr, e->data, len, true);
		first = (first + 1) % vm->ring_max;
		atomic_store_explicit((_Atomic uint32_t *)&ring->first, first, memory_order_release);
	}
	pthread_mutex_unlock(&vm->ring_lock);
}
