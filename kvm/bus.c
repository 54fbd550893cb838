/* SPDX-License-Identifier: GPL-2.0-only */
/* Port and MMIO dispatch: a short table of fixed regions, searched in order. */
#include <errno.h>
#include <string.h>

#include "kvm/machine.h"

int bus_add(struct bus *b, const struct io_region *r)
{
	if (b->n == BUS_MAX_REGIONS)
		return -ENOSPC;
	b->r[b->n++] = *r;
	return 0;
}

bool bus_access(const struct bus *b, uint64_t addr, uint8_t *data,
		unsigned size, bool write)
{
	for (unsigned i = 0; i < b->n; i++) {
		const struct io_region *r = &b->r[i];

		if (addr < r->base || addr - r->base >= r->len ||
		    size > r->len - (addr - r->base))
			continue;
		if (write) {
			if (r->write)
				r->write(r->opaque, addr - r->base, data, size);
		} else {
			memset(data, 0xff, size);
			if (r->read)
				r->read(r->opaque, addr - r->base, data, size);
		}
		return true;
	}
	if (!write)
		memset(data, 0xff, size);
	return false;
}
