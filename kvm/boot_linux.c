/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bzImage through the x86 64-bit boot protocol (Documentation/arch/x86/
 * boot.rst): the protected-mode kernel goes to 1 MiB, the zero page gets
 * the setup header, command line, initrd and e820 map, and the boot CPU
 * enters at load address + 0x200 in long mode with RSI = zero page.
 */
#include <asm/bootparam.h>
#include <linux/screen_info.h>
#include <errno.h>
#include <string.h>

#include "kvm/machine.h"

#define SETUP_HDR_OFF 0x1f1
#define MIN_BOOT_PROTOCOL 0x020c /* 2.12: xloadflags, 64-bit entry */

/*
 * With a display, the kernel's built-in vesafb shows the console on the
 * QXL VRAM from the first line: a VESA linear framebuffer, XRGB8888.
 */
static void boot_screen_info(const struct vm *vm, struct screen_info *si)
{
	struct display_boot_fb fb;

	if (!display_boot_fb(vm, &fb))
		return;
	si->orig_video_isVGA = VIDEO_TYPE_VLFB;
	si->lfb_width = (uint16_t)fb.width;
	si->lfb_height = (uint16_t)fb.height;
	si->lfb_depth = 32;
	si->lfb_linelength = (uint16_t)fb.stride;
	si->lfb_base = (uint32_t)fb.addr;
	si->ext_lfb_base = (uint32_t)(fb.addr >> 32);
	if (fb.addr >> 32)
		si->capabilities |= VIDEO_CAPABILITY_64BIT_BASE;
	si->lfb_size = (uint32_t)((fb.size + 0xffff) >> 16); /* 64 KiB units for VLFB */
	si->red_size = si->green_size = si->blue_size = si->rsvd_size = 8;
	si->red_pos = 16;
	si->green_pos = 8;
	si->blue_pos = 0;
	si->rsvd_pos = 24;
}

int boot_linux_load(struct vm *vm, const uint8_t *img, size_t len,
		    const struct vmm_config *cfg, struct boot_entry *entry,
		    struct errmsg *err)
{
	struct boot_params *bp = gmem_ptr(&vm->mem, BOOT_ZERO_PAGE_ADDR, sizeof(*bp));
	struct setup_header h;
	size_t hdr_len = 0x202 + img[0x201] - SETUP_HDR_OFF;
	int r;

	if (SETUP_HDR_OFF + hdr_len > len) /* the header's end, from its jump */
		return errmsg_set(err, -ENOEXEC, "kernel %s: truncated bzImage (setup header)", cfg->kernel);
	memset(&h, 0, sizeof(h));
	memcpy(&h, img + SETUP_HDR_OFF, MIN(hdr_len, sizeof(h)));
	if (h.version < MIN_BOOT_PROTOCOL || !(h.xloadflags & XLF_KERNEL_64))
		return errmsg_set(err, -ENOEXEC, "kernel %s: boot protocol %u.%02u without a 64-bit entry (need 2.12+)",
				  cfg->kernel, h.version >> 8, h.version & 0xff);
	if (!(h.loadflags & LOADED_HIGH))
		return errmsg_set(err, -ENOEXEC, "kernel %s: a zImage (loaded low) is not supported", cfg->kernel);
	size_t setup = ((size_t)(h.setup_sects ? h.setup_sects : 4) + 1) * 512;
	if (setup >= len)
		return errmsg_set(err, -ENOEXEC, "kernel %s: truncated bzImage", cfg->kernel);
	size_t pm_len = len - setup;
	uint64_t need = KERNEL_LOAD_ADDR + MAX((uint64_t)pm_len, (uint64_t)h.init_size);
	if (need > vm->mem.lo_size)
		return errmsg_set(err, -E2BIG, "--mem too small: the kernel needs %llu MiB to unpack",
				  (unsigned long long)(need >> 20) + 1);
	memcpy(gmem_ptr(&vm->mem, KERNEL_LOAD_ADDR, pm_len), img + setup, pm_len);
	if (cfg->cmdline && strlen(cfg->cmdline) > h.cmdline_size)
		return errmsg_set(err, -E2BIG, "--cmdline longer than this kernel accepts (%u bytes)", h.cmdline_size);

	uint64_t initrd_addr, initrd_size;
	r = boot_place_initrd(vm, cfg->initrd, h.initrd_addr_max, need,
			      &initrd_addr, &initrd_size, err);
	if (r < 0)
		return r;

	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, &h, sizeof(h));
	bp->hdr.type_of_loader = 0xff;
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.cmd_line_ptr = BOOT_CMDLINE_ADDR;
	bp->hdr.vid_mode = 0xffff;
	bp->hdr.ramdisk_image = (uint32_t)initrd_addr;
	bp->hdr.ramdisk_size = (uint32_t)initrd_size;
	bp->acpi_rsdp_addr = ACPI_TABLES_ADDR;
	struct e820_range map[8];
	unsigned n = boot_e820(&vm->mem, map, ARRAY_SIZE(map));
	for (unsigned i = 0; i < n; i++) {
		bp->e820_table[i].addr = map[i].addr;
		bp->e820_table[i].size = map[i].size;
		bp->e820_table[i].type = map[i].type;
	}
	bp->e820_entries = (uint8_t)n;
	boot_screen_info(vm, &bp->screen_info);
	*entry = (struct boot_entry){ .long_mode = true,
				      .rip = KERNEL_LOAD_ADDR + 0x200,
				      .rsi = BOOT_ZERO_PAGE_ADDR };
	return 0;
}
