/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kernel file, as the VMM loads it: an ELF vmlinux (program headers,
 * PVH note) or a bzImage (setup header), into 64 MiB of guest RAM. No
 * crash, no read outside the file, and an accepted kernel has an entry
 * point inside guest RAM below the PCI hole.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "kvm/machine.h"

#define FUZZ_RAM (64ULL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm vm; /* one guest RAM for the whole run: 64 MiB per input is slow */
	const struct vmm_config cfg = { .kernel = "fuzz", .cmdline = "console=ttyS0",
					.mem_bytes = FUZZ_RAM, .cpus = 1 };
	struct boot_entry entry;
	struct errmsg err;

	if (!vm.mem.lo && guest_mem_alloc(&vm.mem, FUZZ_RAM) < 0)
		abort();
	if (boot_load_image(&vm, &cfg, data, size, &entry, &err) == 0 &&
	    (entry.rip == 0 || entry.rip >= MEM_HOLE_START))
		abort();
	return 0;
}
