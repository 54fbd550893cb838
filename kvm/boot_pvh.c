/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An uncompressed ELF kernel (vmlinux, or a small test guest) entered
 * through its PVH note (Xen's XEN_ELFNOTE_PHYS32_ENTRY): segments are
 * copied to their physical addresses and the boot CPU starts in 32-bit
 * protected mode, paging off, with EBX = the hvm_start_info block. This
 * skips the bzImage's in-guest decompressor.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "kvm/machine.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
/*
 * hvm_start_info, version 1: the layout is fixed by Xen's public ABI
 * (public/arch-x86/hvm/start_info.h), which no installed header carries;
 * written field by field at these offsets.
 */
#define HVM_START_MAGIC 0x336ec578
#define SI_MAGIC 0
#define SI_VERSION 4
#define SI_NR_MODULES 12
#define SI_MODLIST 16
#define SI_CMDLINE 24
#define SI_RSDP 32
#define SI_MEMMAP 40
#define SI_MEMMAP_ENTRIES 48
#define SI_SIZE 56
#define MOD_SIZE 32     /* paddr, size, cmdline_paddr, reserved */
#define MEMMAP_SIZE 24  /* addr, size, type, reserved */

struct elf_view {
	const uint8_t *img;
	size_t len;
	bool is64;
	uint64_t phoff;
	unsigned phnum, phentsize;
};

struct phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

static bool read_phdr(const struct elf_view *e, unsigned i, struct phdr *p)
{
	uint64_t at = e->phoff + (uint64_t)i * e->phentsize;
	const uint8_t *h = e->img + at;

	if (at > e->len || e->phentsize > e->len - at)
		return false;
	if (e->is64) {
		if (e->phentsize < sizeof(Elf64_Phdr))
			return false;
		p->type = get_le32(h + offsetof(Elf64_Phdr, p_type));
		p->offset = get_le64(h + offsetof(Elf64_Phdr, p_offset));
		p->paddr = get_le64(h + offsetof(Elf64_Phdr, p_paddr));
		p->filesz = get_le64(h + offsetof(Elf64_Phdr, p_filesz));
		p->memsz = get_le64(h + offsetof(Elf64_Phdr, p_memsz));
	} else {
		if (e->phentsize < sizeof(Elf32_Phdr))
			return false;
		p->type = get_le32(h + offsetof(Elf32_Phdr, p_type));
		p->offset = get_le32(h + offsetof(Elf32_Phdr, p_offset));
		p->paddr = get_le32(h + offsetof(Elf32_Phdr, p_paddr));
		p->filesz = get_le32(h + offsetof(Elf32_Phdr, p_filesz));
		p->memsz = get_le32(h + offsetof(Elf32_Phdr, p_memsz));
	}
	return p->offset <= e->len && p->filesz <= e->len - p->offset &&
	       p->filesz <= p->memsz;
}

/* Finds the PVH entry in a PT_NOTE segment; 0 when absent. */
static uint64_t find_pvh_entry(const struct elf_view *e, const struct phdr *p)
{
	const uint8_t *n = e->img + p->offset, *end = n + p->filesz;

	while (end - n >= 12) {
		uint32_t namesz = get_le32(n), descsz = get_le32(n + 4);
		uint32_t type = get_le32(n + 8);
		uint64_t name_pad = (namesz + 3ULL) & ~3ULL;
		uint64_t desc_pad = (descsz + 3ULL) & ~3ULL;

		if (name_pad + desc_pad > (uint64_t)(end - n - 12))
			break;
		const uint8_t *desc = n + 12 + name_pad;
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
		    !memcmp(n + 12, "Xen", 4)) {
			if (descsz == 4)
				return get_le32(desc);
			if (descsz == 8)
				return get_le64(desc);
		}
		n += 12 + name_pad + desc_pad;
	}
	return 0;
}

static int parse_elf(const uint8_t *img, size_t len, struct elf_view *e)
{
	if (len < sizeof(Elf32_Ehdr) || img[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	e->img = img;
	e->len = len;
	e->is64 = img[EI_CLASS] == ELFCLASS64;
	if (e->is64) {
		if (len < sizeof(Elf64_Ehdr) ||
		    get_le16(img + offsetof(Elf64_Ehdr, e_machine)) != EM_X86_64)
			return -ENOEXEC;
		e->phoff = get_le64(img + offsetof(Elf64_Ehdr, e_phoff));
		e->phnum = get_le16(img + offsetof(Elf64_Ehdr, e_phnum));
		e->phentsize = get_le16(img + offsetof(Elf64_Ehdr, e_phentsize));
	} else {
		if (img[EI_CLASS] != ELFCLASS32 ||
		    get_le16(img + offsetof(Elf32_Ehdr, e_machine)) != EM_386)
			return -ENOEXEC;
		e->phoff = get_le32(img + offsetof(Elf32_Ehdr, e_phoff));
		e->phnum = get_le16(img + offsetof(Elf32_Ehdr, e_phnum));
		e->phentsize = get_le16(img + offsetof(Elf32_Ehdr, e_phentsize));
	}
	return 0;
}

static void write_start_info(struct vm *vm, const struct vmm_config *cfg,
			     uint64_t initrd_addr, uint64_t initrd_size)
{
	uint8_t *si = gmem_ptr(&vm->mem, BOOT_PVH_INFO_ADDR, 0x1000);
	uint8_t *mod = si + SI_SIZE;
	uint8_t *map = mod + MOD_SIZE;
	struct e820_range r[8];
	unsigned n = boot_e820(&vm->mem, r, ARRAY_SIZE(r));

	memset(si, 0, 0x1000);
	put_le32(si + SI_MAGIC, HVM_START_MAGIC);
	put_le32(si + SI_VERSION, 1);
	put_le64(si + SI_CMDLINE, cfg->cmdline ? BOOT_CMDLINE_ADDR : 0);
	put_le64(si + SI_RSDP, ACPI_TABLES_ADDR);
	if (initrd_size) {
		put_le32(si + SI_NR_MODULES, 1);
		put_le64(si + SI_MODLIST, BOOT_PVH_INFO_ADDR + SI_SIZE);
		put_le64(mod, initrd_addr);
		put_le64(mod + 8, initrd_size);
	}
	put_le64(si + SI_MEMMAP, BOOT_PVH_INFO_ADDR + SI_SIZE + MOD_SIZE);
	put_le32(si + SI_MEMMAP_ENTRIES, n);
	for (unsigned i = 0; i < n; i++) {
		put_le64(map + i * MEMMAP_SIZE, r[i].addr);
		put_le64(map + i * MEMMAP_SIZE + 8, r[i].size);
		put_le32(map + i * MEMMAP_SIZE + 16, r[i].type);
	}
}

int boot_pvh_load(struct vm *vm, const uint8_t *img, size_t len,
		  const struct vmm_config *cfg, struct boot_entry *entry,
		  struct errmsg *err)
{
	struct elf_view e;
	struct phdr p;
	uint64_t pvh = 0, kernel_end = 0;
	int r;

	if (parse_elf(img, len, &e) < 0)
		return errmsg_set(err, -ENOEXEC, "kernel %s: not an x86 little-endian ELF", cfg->kernel);
	for (unsigned i = 0; i < e.phnum; i++) {
		if (!read_phdr(&e, i, &p))
			return errmsg_set(err, -ENOEXEC, "kernel %s: program header %u out of the file", cfg->kernel, i);
		if (p.type == PT_NOTE && !pvh)
			pvh = find_pvh_entry(&e, &p);
		if (p.type != PT_LOAD || !p.memsz)
			continue;
		uint8_t *dst = gmem_ptr(&vm->mem, p.paddr, p.memsz);
		if (!dst || p.paddr < KERNEL_LOAD_ADDR)
			return errmsg_set(err, -E2BIG, "kernel %s: segment at 0x%llx (%llu KiB) is outside guest RAM (--mem too small?)",
					  cfg->kernel, (unsigned long long)p.paddr,
					  (unsigned long long)(p.memsz >> 10));
		/* The rest up to memsz stays as fresh RAM left it: zero. */
		boot_copy_fresh(dst, img + p.offset, p.filesz);
		kernel_end = MAX(kernel_end, p.paddr + p.memsz);
	}
	if (!pvh || pvh >= MEM_HOLE_START)
		return errmsg_set(err, -ENOEXEC, "kernel %s: ELF without a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)", cfg->kernel);
	uint64_t initrd_addr, initrd_size;
	r = boot_place_initrd(vm, cfg->initrd, MEM_HOLE_START - 1,
			      (kernel_end + 0xfff) & ~0xfffULL, &initrd_addr,
			      &initrd_size, err);
	if (r < 0)
		return r;
	write_start_info(vm, cfg, initrd_addr, initrd_size);
	*entry = (struct boot_entry){ .long_mode = false, .rip = pvh,
				      .rbx = BOOT_PVH_INFO_ADDR };
	return 0;
}
