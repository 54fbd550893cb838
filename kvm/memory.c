/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest RAM: anonymous, MAP_NORESERVE, split around the 32-bit PCI hole. */
#include <errno.h>
#include <sys/mman.h>

#include "kvm/machine.h"

static void *map_ram(uint64_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
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
