/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Boot loading shared by both forms: reads the kernel file, picks the
 * loader (ELF with a PVH note, or bzImage), lays out the memory map and
 * places the initrd.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm/machine.h"

#define E820_RAM 1
#define E820_RESERVED 2
#define MAX_KERNEL_FILE (512ULL << 20)

unsigned boot_e820(const struct guest_mem *m, struct e820_range *r,
		   unsigned max)
{
	unsigned n = 0;

	if (max < 4)
		return 0;
	r[n++] = (struct e820_range){ 0, EBDA_START, E820_RAM };
	r[n++] = (struct e820_range){ EBDA_START, KERNEL_LOAD_ADDR - EBDA_START,
				      E820_RESERVED };
	r[n++] = (struct e820_range){ KERNEL_LOAD_ADDR,
				      m->lo_size - KERNEL_LOAD_ADDR, E820_RAM };
	if (m->hi_size)
		r[n++] = (struct e820_range){ MEM_HOLE_END, m->hi_size, E820_RAM };
	return n;
}

#define COPY_BLOCK 4096

/* Stops at the first non-zero word: a block of data costs one read, not two. */
static bool all_zero(const uint8_t *p, size_t n)
{
	uint64_t w;

	for (size_t i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8); /* the file's offset need not be aligned */
		if (w)
			return false;
	}
	return true;
}

void boot_copy_fresh(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t i = 0;

	/* Blocks are aligned on the destination, whose pages are what count. */
	size_t head = MIN(len, (COPY_BLOCK - (uintptr_t)dst % COPY_BLOCK) % COPY_BLOCK);
	memcpy(dst, src, head);
	for (i = head; len - i >= COPY_BLOCK; i += COPY_BLOCK)
		if (!all_zero(src + i, COPY_BLOCK))
			memcpy(dst + i, src + i, COPY_BLOCK);
	memcpy(dst + i, src + i, len - i);
}

static int map_file(const char *path, const char *what, uint8_t **data,
		    size_t *len, struct errmsg *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errmsg_set(err, -errno, "%s %s: %s", what, path, err_str(-errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return errmsg_set(err, -EINVAL, "%s %s: not a regular, non-empty file", what, path);
	}
	if ((uint64_t)st.st_size > MAX_KERNEL_FILE) {
		close(fd);
		return errmsg_set(err, -EFBIG, "%s %s: larger than 512 MiB", what, path);
	}
	*len = (size_t)st.st_size;
	/* Populated at once: the whole file is copied next, and one call maps
	 * it far more cheaply than a page fault per few pages. */
	*data = mmap(NULL, *len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (*data == MAP_FAILED)
		return errmsg_set(err, -errno, "%s %s: %s", what, path, err_str(-errno));
	return 0;
}

int boot_place_initrd(struct vm *vm, const char *path, uint64_t limit,
		      uint64_t kernel_end, uint64_t *addr, uint64_t *size,
		      struct errmsg *err)
{
	uint8_t *data;
	size_t len;
	int r;

	*addr = *size = 0;
	if (!path)
		return 0;
	if ((r = map_file(path, "initrd", &data, &len, err)) < 0)
		return r;
	uint64_t top = MIN(limit + 1, vm->mem.lo_size);
	uint64_t at = top > len ? (top - len) & ~0xfffULL : 0;
	if (at < kernel_end || !gmem_ptr(&vm->mem, at, len)) {
		munmap(data, len);
		return errmsg_set(err, -E2BIG, "initrd %s (%zu MiB) does not fit in guest RAM below %llu MiB beside the kernel: raise --mem",
				  path, len >> 20, (unsigned long long)(top >> 20));
	}
	boot_copy_fresh(gmem_ptr(&vm->mem, at, len), data, len);
	munmap(data, len);
	*addr = at;
	*size = len;
	return 0;
}

int boot_load_image(struct vm *vm, const struct vmm_config *cfg,
		    const uint8_t *img, size_t len, struct boot_entry *entry,
		    struct errmsg *err)
{
	int r;

	if (vm->mem.lo_size < 8ULL << 20)
		return errmsg_set(err, -EINVAL, "--mem must be at least 8 MiB");
	if (cfg->cmdline && strlen(cfg->cmdline) >= BOOT_CMDLINE_MAX)
		r = errmsg_set(err, -E2BIG, "--cmdline longer than %d bytes", BOOT_CMDLINE_MAX - 1);
	else if (len >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG))
		r = boot_pvh_load(vm, img, len, cfg, entry, err);
	else if (len > 0x206 && !memcmp(img + 0x202, "HdrS", 4))
		r = boot_linux_load(vm, img, len, cfg, entry, err);
	else
		r = errmsg_set(err, -ENOEXEC, "kernel %s: not a kernel (neither a bzImage nor an ELF vmlinux)", cfg->kernel);
	if (r == 0 && cfg->cmdline)
		memcpy(gmem_ptr(&vm->mem, BOOT_CMDLINE_ADDR, BOOT_CMDLINE_MAX),
		       cfg->cmdline, strlen(cfg->cmdline) + 1);
	return r;
}

int boot_load(struct vm *vm, const struct vmm_config *cfg,
	      struct boot_entry *entry, struct errmsg *err)
{
	uint8_t *img;
	size_t len;
	int r;

	if ((r = map_file(cfg->kernel, "kernel", &img, &len, err)) < 0)
		return r;
	r = boot_load_image(vm, cfg, img, len, entry, err);
	munmap(img, len);
	return r;
}
