/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest RAM: anonymous, MAP_NORESERVE, split around the 32-bit PCI hole. */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "kvm/machine.h"

#define RAM_ALIGN (2u << 20)

/*
 * 2 MiB aligned (mmap alone only guarantees 4 KiB before Linux 6.7): KVM
 * maps a huge page into the guest only where guest-physical and host
 * addresses agree modulo 2 MiB, and every 4 KiB mapping costs the guest a
 * nested-paging exit on first touch - very dear when KVM is itself nested.
 */
static void *map_ram(uint64_t bytes)
{
	uint8_t *raw = mmap(NULL, bytes + RAM_ALIGN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	uint8_t *p = (uint8_t *)(((uintptr_t)raw + RAM_ALIGN - 1) & ~(uintptr_t)(RAM_ALIGN - 1));
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	if (raw + RAM_ALIGN > p)
		munmap(p + bytes, (size_t)(raw + RAM_ALIGN - p));
	/* Guest RAM is never worth a core dump, and huge pages help the TLB. */
	madvise(p, bytes, MADV_DONTDUMP);
	madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

int guest_mem_alloc(struct guest_mem *m, uint64_t bytes)
{
	*m = (struct guest_mem){ 0 };
	m->lo_size = MIN(bytes, MEM_HOLE_START);
	m->lo = map_ram(m->lo_size);
	if (!m->lo)
		return -errno;
	if (bytes > MEM_HOLE_START) {
		m->hi_size = bytes - MEM_HOLE_START;
		m->hi = map_ram(m->hi_size);
		if (!m->hi) {
			int r = -errno;
			guest_mem_free(m);
			return r;
		}
	}
	return 0;
}

void guest_mem_free(struct guest_mem *m)
{
	if (m->lo)
		munmap(m->lo, m->lo_size);
	if (m->hi)
		munmap(m->hi, m->hi_size);
	*m = (struct guest_mem){ 0 };
}

void *gmem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (len > m->lo_size + m->hi_size)
		return NULL;
	if (gpa < m->lo_size && len <= m->lo_size - gpa)
		return m->lo + gpa;
	if (gpa >= MEM_HOLE_END && gpa - MEM_HOLE_END < m->hi_size &&
	    len <= m->hi_size - (gpa - MEM_HOLE_END))
		return m->hi + (gpa - MEM_HOLE_END);
	return NULL;
}

uint64_t guest_mem_total(const struct guest_mem *m)
{
	return m->lo_size + m->hi_size;
}
