/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel images from memory: a minimal bzImage loads, bad ones say why. */
#include <errno.h>
#include <linux/const.h>
#include <asm/bootparam.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness.h"
#include "kvm/machine.h"

#define RAM (16ULL << 20)
#define IMG 0x600

/* One setup sector, protocol 2.15, 64-bit entry, then eight HLTs. */
static uint8_t *minimal_bzimage(void)
{
	uint8_t *b = calloc(1, IMG);

	CHECK(b != NULL);
	b[0x1f1] = 1;
	b[0x201] = 0x6a; /* the header ends at 0x26c */
	memcpy(b + 0x202, "HdrS", 4);
	put_le16(b + 0x206, 0x020f);
	b[0x211] = LOADED_HIGH;
	put_le32(b + 0x22c, 0x7fffffff);
	put_le16(b + 0x236, XLF_KERNEL_64);
	put_le32(b + 0x238, 2048);
	put_le32(b + 0x260, 0x100000);
	memset(b + 0x400, 0xf4, 8);
	return b;
}

static struct vm *small_vm(void)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	CHECK(vm != NULL);
	CHECK_EQ(guest_mem_alloc(&vm->mem, RAM), 0);
	return vm;
}

static void free_vm(struct vm *vm)
{
	guest_mem_free(&vm->mem);
	free(vm);
}

TEST(boot_image_minimal_bzimage_loads_at_one_mib)
{
	struct vm *vm = small_vm();
	uint8_t *b = minimal_bzimage();
	const struct vmm_config cfg = { .kernel = "k", .cmdline = "quiet" };
	struct boot_entry e;
	struct errmsg err;

	CHECK_EQ(boot_load_image(vm, &cfg, b, IMG, &e, &err), 0);
	CHECK(e.long_mode);
	CHECK_EQ(e.rip, (uint64_t)KERNEL_LOAD_ADDR + 0x200);
	CHECK_MEM(gmem_ptr(&vm->mem, KERNEL_LOAD_ADDR, 8), b + 0x400, 8);
	CHECK_STR((char *)gmem_ptr(&vm->mem, BOOT_CMDLINE_ADDR, 6), "quiet");
	free(b);
	free_vm(vm);
}

TEST(boot_image_bad_kernels_get_a_one_line_reason)
{
	struct vm *vm = small_vm();
	uint8_t *b = minimal_bzimage();
	const struct vmm_config cfg = { .kernel = "k" };
	struct boot_entry e;
	struct errmsg err;

	/* the jump byte claims a header longer than the file */
	CHECK_EQ(boot_load_image(vm, &cfg, b, 0x210, &e, &err), -ENOEXEC);
	CHECK(strstr(err.msg, "truncated bzImage") != NULL);
	put_le16(b + 0x206, 0x020b);
	CHECK_EQ(boot_load_image(vm, &cfg, b, IMG, &e, &err), -ENOEXEC);
	CHECK(strstr(err.msg, "boot protocol 2.11") != NULL);
	memset(b, 0, IMG);
	CHECK_EQ(boot_load_image(vm, &cfg, b, IMG, &e, &err), -ENOEXEC);
	CHECK(strstr(err.msg, "not a kernel") != NULL);
	memcpy(b, "\177ELF\2\1\1", 7); /* an ELF header and nothing it needs */
	CHECK_EQ(boot_load_image(vm, &cfg, b, IMG, &e, &err), -ENOEXEC);
	CHECK(strchr(err.msg, '\n') == NULL);
	free(b);
	free_vm(vm);
}
