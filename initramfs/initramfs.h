/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * initramfs: what kvmbox needs to make and run its boot image: a newc cpio
 * writer (the kernel's initramfs format, "070701" headers).
 */
#ifndef KVMBOX_INITRAMFS_H
#define KVMBOX_INITRAMFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cpio_writer {
	int fd;
	uint32_t next_ino;
	uint64_t offset; /* bytes written, for the 4-byte padding */
	uint32_t mtime;	 /* one timestamp for every entry: reproducible images */
};

void cpio_init(struct cpio_writer *w, int fd, uint32_t mtime);
int cpio_add_dir(struct cpio_writer *w, const char *path, mode_t mode);
int cpio_add_file(struct cpio_writer *w, const char *path, mode_t mode,
		  const void *data, size_t len);
/* Copies the host file @src into the archive as @path. */
int cpio_add_file_from(struct cpio_writer *w, const char *path, mode_t mode,
		       const char *src);
int cpio_add_symlink(struct cpio_writer *w, const char *path,
		     const char *target);
int cpio_add_chardev(struct cpio_writer *w, const char *path, mode_t mode,
		     unsigned major, unsigned minor);
/* Writes the TRAILER!!! entry; the archive is then complete. */
int cpio_finish(struct cpio_writer *w);

/* ---- PID-1 basics (initramfs/sysinit.c) ---------------------------------- */

/* Mounts proc, sysfs, devtmpfs, devpts, /run and /tmp; idempotent. */
int sysinit_mount_all(void);
/* Reads /proc/cmdline into @buf; returns its length or -errno. */
int sysinit_cmdline(char *buf, size_t size);
/* True when the word @opt (e.g. "kvmbox.autotest") is on the command line. */
int cmdline_has(const char *cmdline, const char *opt);
/* Writes the banner and a status summary (kernel, CPUs, RAM, KVM, NICs). */
void sysinit_print_status(int fd);

#endif
