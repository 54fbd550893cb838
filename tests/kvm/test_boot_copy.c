/* SPDX-License-Identifier: GPL-2.0-only */
/* Loading a boot file into fresh guest RAM: zero blocks are skipped, not lost. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/core.h"
#include "tests/harness.h"
#include "kvm/machine.h"

#define PAGE 4096
#define LEN (8 * PAGE + 123) /* a tail shorter than a block */

/* A file image: data, a zero page, data, zeros, one byte set late in a page. */
static uint8_t *file_image(void)
{
	uint8_t *f = calloc(1, LEN + 8);

	CHECK(f != NULL);
	for (unsigned i = 0; i < PAGE; i++)
		f[1 + i] = (uint8_t)(i * 7 + 1); /* offset 1: unaligned source */
	f[1 + 2 * PAGE + 100] = 0x5a;
	f[1 + 6 * PAGE - 1] = 0xa5;
	f[LEN] = 0x42;
	return f;
}

TEST(boot_copy_fresh_matches_the_file_and_leaves_zero_pages_untouched)
{
	uint8_t *f = file_image();
	uint8_t *ram = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char in_core[16];

	CHECK(ram != MAP_FAILED);
	boot_copy_fresh(ram + 100, f + 1, LEN); /* unaligned destination too */
	/* Before any read, which would map the zero page: pages 3, 4, 5 and 7
	 * of RAM receive only zeros, so they must never have been touched. */
	CHECK_EQ(mincore(ram, 16 * PAGE, in_core), 0);
	static const bool written[9] = { 1, 1, 1, 0, 0, 0, 1, 0, 1 };
	for (unsigned i = 0; i < 9; i++)
		CHECK_EQ(in_core[i] & 1, written[i]);
	CHECK(memcmp(ram + 100, f + 1, LEN) == 0);
	CHECK_EQ(ram[99], 0);
	CHECK_EQ(ram[100 + LEN], 0);
	munmap(ram, 16 * PAGE);
	free(f);
}

TEST(boot_copy_fresh_handles_short_and_empty_copies)
{
	uint8_t ram[64] = { 0 };
	const uint8_t src[5] = { 1, 2, 3, 4, 5 };

	boot_copy_fresh(ram + 3, src, sizeof(src));
	CHECK(memcmp(ram + 3, src, sizeof(src)) == 0);
	CHECK_EQ(ram[8], 0);
	boot_copy_fresh(ram, src, 0);
	CHECK_EQ(ram[0], 0);
}
