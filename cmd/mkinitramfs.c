/* SPDX-License-Identifier: GPL-2.0-only */
/* mkinitramfs: writes a newc cpio with kvmbox as /init, without cpio(1). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs/initramfs.h"

APPLET(mkinitramfs, "write a boot initramfs (newc cpio) with kvmbox as /init",
       "usage: kvmbox mkinitramfs -o OUT [--kvmbox FILE] [--add SRC:DEST]...\n"
       "                         [--mkdir DEST]...\n"
       "Writes an uncompressed newc cpio archive holding kvmbox as /init (and\n"
       "/bin/kvmbox), the standard folders, /dev/console, and each --add'ed\n"
       "host file at DEST. --kvmbox defaults to this very binary.");

static const char *const base_dirs[] = {
	"bin", "dev", "etc", "proc", "sys", "run", "tmp", "mnt", "lib",
	"lib/modules", "var", "usr", "usr/share", "usr/share/kvmbox",
};

static int write_base(struct cpio_writer *w, const char *self)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(base_dirs); i++)
		r = cpio_add_dir(w, base_dirs[i], 0755);
	if (r == 0)
		r = cpio_add_chardev(w, "dev/console", 0600, 5, 1);
	if (r == 0)
		r = cpio_add_file_from(w, "bin/kvmbox", 0755, self);
	if (r == 0)
		r = cpio_add_symlink(w, "init", "bin/kvmbox");
	return r;
}

static int add_mapping(struct cpio_writer *w, const char *spec)
{
	char src[4096];
	const char *colon = strrchr(spec, ':');
	struct stat st;

	if (!colon || colon == spec || !colon[1])
		return -EINVAL;
	snprintf(src, sizeof(src), "%.*s", (int)(colon - spec), spec);
	if (stat(src, &st) < 0)
		return -errno;
	return cpio_add_file_from(w, colon + 1, st.st_mode & 0777, src);
}

int mkinitramfs_main(int argc, char **argv)
{
	const struct applet *a = &applet_mkinitramfs;
	const char *out = NULL, *self = "/proc/self/exe";
	struct cpio_writer w;
	int fd, r, i;

	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			return usage_error(a, "'%s' needs a value or is unknown", argv[i]);
		if (!strcmp(argv[i], "-o"))
			out = argv[++i];
		else if (!strcmp(argv[i], "--kvmbox"))
			self = argv[++i];
		else if (!strcmp(argv[i], "--add") || !strcmp(argv[i], "--mkdir"))
			i++; /* handled below, in order, once the file is open */
		else
			return usage_error(a, "unknown option '%s'", argv[i]);
	}
	if (!out)
		return usage_error(a, "missing -o OUT");
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "kvmbox mkinitramfs: %s: %s\n", out, strerror(errno));
		return 1;
	}
	cpio_init(&w, fd, 0);
	r = write_base(&w, self);
	for (i = 1; r == 0 && i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--mkdir"))
			r = cpio_add_dir(&w, argv[i + 1], 0755);
		else if (!strcmp(argv[i], "--add") &&
			 (r = add_mapping(&w, argv[i + 1])) < 0)
			fprintf(stderr, "kvmbox mkinitramfs: --add %s: %s\n",
				argv[i + 1], r == -EINVAL ? "expected SRC:DEST" : err_str(r));
	}
	if (r == 0)
		r = cpio_finish(&w);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r < 0) {
		fprintf(stderr, "kvmbox mkinitramfs: %s: %s\n", out, err_str(r));
		unlink(out);
		return 1;
	}
	return 0;
}
