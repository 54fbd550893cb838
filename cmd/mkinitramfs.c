/* SPDX-License-Identifier: GPL-2.0-only */
/* mkinitramfs: writes the boot initramfs (newc cpio), without cpio(1). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs/initramfs.h"

APPLET(mkinitramfs, "write a boot initramfs (newc cpio) with kvmbox as /init",
       "usage: kvmbox mkinitramfs -o OUT [--kvmbox FILE] [--bare]\n"
       "         [--modules DIR|auto|none] [--module-list NAME,...]\n"
       "         [--add-modules NAME,...]\n"
       "         [--compress lz4|none] [--add SRC:DEST]... [--mkdir DEST]...\n"
       "Writes a newc cpio archive holding kvmbox as /init (and /bin/kvmbox,\n"
       "/sbin/modprobe), the standard folders, /dev/console, the kernel\n"
       "modules kvmbox needs, and each --add'ed host file at DEST.\n"
       "  --kvmbox FILE      the binary to ship (default: this one)\n"
       "  --bare             no kvmbox: the folders, /dev/console, what is added\n"
       "  --modules DIR      a kernel's /lib/modules/VERSION folder; 'auto'\n"
       "                     (default) is the newest in /lib/modules, 'none'\n"
       "                     ships no modules\n"
       "  --module-list L    these modules (and their dependencies) instead of\n"
       "                     kvmbox's list (KVM, NICs, storage, filesystems)\n"
       "  --add-modules L    these too (e.g. DRM drivers: bochs,i915,amdgpu)\n"
       "  --compress lz4     LZ4 (legacy frame, as the kernel unpacks it)");

/* What kvmbox drives: KVM, its network, the disks it boots and caches on. */
static const char *const default_modules[] = {
	"kvm_amd", "kvm_intel", "tun", "bridge", "8021q",
	"virtio_pci", "virtio_net", "e1000", "e1000e", "igb", "igc", "r8169",
	"tg3", "atl1c", "alx",
	"virtio_blk", "virtio_scsi", "ahci", "ata_piix", "nvme", "sd_mod",
	"sr_mod", "usb_storage", "xhci_pci", "ehci_pci", "ohci_pci",
	"uhci_hcd", "usbhid", "hid_generic", "evdev", "virtio_input",
	"isofs", "ext4", "crc32c_generic", "crc32c_intel", "vfat", "nls_cp437",
	"nls_utf8", "nls_iso8859_1",
};

struct options {
	const char *out, *self, *modules, *module_list, *more_modules, *compress;
	bool bare;
};

static const char *const base_dirs[] = {
	"bin", "sbin", "dev", "etc", "proc", "sys", "run", "tmp", "mnt", "lib",
	"lib/modules", "var", "usr", "usr/share", "usr/share/kvmbox",
};

static int write_base(struct cpio_writer *w, const char *self, bool bare)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(base_dirs); i++)
		r = cpio_add_dir(w, base_dirs[i], 0755);
	if (r == 0) /* the kernel opens it for /init's stdio */
		r = cpio_add_chardev(w, "dev/console", 0600, 5, 1);
	if (r < 0 || bare)
		return r;
	if (r == 0)
		r = cpio_add_file_from(w, "bin/kvmbox", 0755, self);
	if (r == 0)
		r = cpio_add_symlink(w, "init", "bin/kvmbox");
	/* The kernel runs /sbin/modprobe for drivers it needs on demand. */
	if (r == 0)
		r = cpio_add_symlink(w, "sbin/modprobe", "/bin/kvmbox");
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

/* The newest /lib/modules/VERSION (by name), or NULL. */
static const char *auto_modules_dir(char *out, size_t size)
{
	DIR *d = opendir("/lib/modules");
	struct dirent *e;
	char best[256] = "";

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && strverscmp(e->d_name, best) > 0)
			str_copy(best, sizeof(best), e->d_name);
	if (d)
		closedir(d);
	if (!best[0])
		return NULL;
	snprintf(out, size, "/lib/modules/%s", best);
	return out;
}

/* Parents of @path inside the archive, once each (dirs are few). */
static int add_parents(struct cpio_writer *w, const char *path, struct buf *seen)
{
	char dir[512];
	int r = 0;

	for (const char *s = strchr(path, '/'); r == 0 && s; s = strchr(s + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s\n", (int)(s - path), path);
		buf_terminate(seen);
		if (seen->data && strstr((char *)seen->data, dir))
			continue;
		buf_append(seen, dir, strlen(dir));
		dir[strlen(dir) - 1] = 0;
		r = cpio_add_dir(w, dir, 0755);
	}
	return r;
}

static int add_modules(struct cpio_writer *w, const char *dir, const char *list,
		       const char *more, size_t *count)
{
	struct module_table t;
	struct module_entry **sel = NULL;
	struct errmsg err;
	struct buf text, seen;
	const char *names[256];
	char *copy = NULL, *copy_more = NULL, root[512], src[1024], dst[1024];
	size_t nnames = 0, nsel = 0;
	const char *version = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	int r;

	if (modtable_load(&t, dir, &err) < 0) {
		fprintf(stderr, "kvmbox mkinitramfs: %s\n", err.msg);
		return -ENOENT;
	}
	if (list) {
		copy = strdup(list);
		for (char *save = NULL, *n = strtok_r(copy, ",", &save);
		     n && nnames < ARRAY_SIZE(names); n = strtok_r(NULL, ",", &save))
			names[nnames++] = n;
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(default_modules); i++)
			names[nnames++] = default_modules[i];
	}
	if (more && (copy_more = strdup(more)))
		for (char *save = NULL, *n = strtok_r(copy_more, ",", &save);
		     n && nnames < ARRAY_SIZE(names); n = strtok_r(NULL, ",", &save))
			names[nnames++] = n;
	r = modsel_resolve(&t, names, nnames, &sel, &nsel);
	buf_init(&text);
	buf_init(&seen);
	snprintf(root, sizeof(root), "lib/modules/%s", version);
	if (r == 0)
		r = cpio_add_dir(w, root, 0755);
	for (size_t i = 0; r == 0 && i < nsel; i++) {
		snprintf(src, sizeof(src), "%s/%s", dir, sel[i]->path);
		snprintf(dst, sizeof(dst), "%s/%s", root, sel[i]->path);
		r = add_parents(w, dst, &seen);
		if (r == 0)
			r = cpio_add_file_from(w, dst, 0644, src);
		if (r < 0)
			fprintf(stderr, "kvmbox mkinitramfs: %s: %s\n", src, err_str(r));
	}
	if (r == 0)
		r = modsel_format_dep(sel, nsel, &text);
	snprintf(dst, sizeof(dst), "%s/modules.dep", root);
	if (r == 0)
		r = cpio_add_file(w, dst, 0644, text.data, text.len);
	text.len = 0;
	if (r == 0)
		r = modsel_format_alias(&t, sel, nsel, &text);
	snprintf(dst, sizeof(dst), "%s/modules.alias", root);
	if (r == 0)
		r = cpio_add_file(w, dst, 0644, text.data, text.len);
	*count = nsel;
	buf_free(&text);
	buf_free(&seen);
	free(sel);
	free(copy);
	free(copy_more);
	modtable_free(&t);
	return r;
}

static int parse_args(struct options *o, int argc, char **argv)
{
	const struct applet *a = &applet_mkinitramfs;

	for (int i = 1; i < argc; i++) {
		const char *k = argv[i];
		if (!strcmp(k, "--bare")) {
			o->bare = true;
			continue;
		}
		if (i + 1 >= argc)
			return usage_error(a, "'%s' needs a value or is unknown", k);
		const char *v = argv[++i];
		if (!strcmp(k, "-o"))
			o->out = v;
		else if (!strcmp(k, "--kvmbox"))
			o->self = v;
		else if (!strcmp(k, "--modules"))
			o->modules = v;
		else if (!strcmp(k, "--module-list"))
			o->module_list = v;
		else if (!strcmp(k, "--add-modules"))
			o->more_modules = v;
		else if (!strcmp(k, "--compress")) {
			if (strcmp(v, "lz4") && strcmp(v, "none"))
				return usage_error(a, "--compress: 'lz4' or 'none', not '%s'", v);
			o->compress = v;
		} else if (strcmp(k, "--add") && strcmp(k, "--mkdir"))
			return usage_error(a, "unknown option '%s'", k);
	}
	if (!o->out)
		return usage_error(a, "missing -o OUT");
	return 0;
}

/* The archive itself, into @fd. */
static int write_archive(const struct options *o, int fd, int argc, char **argv)
{
	struct cpio_writer w;
	char dir[300];
	const char *mods = o->modules;
	size_t nmods = 0;
	int r = 0;

	cpio_init(&w, fd, 0);
	r = write_base(&w, o->self, o->bare);
	if (r == 0 && !strcmp(mods, "auto") && !(mods = auto_modules_dir(dir, sizeof(dir))))
		mods = "none"; /* a machine without kernel modules: none to ship */
	if (r == 0 && strcmp(mods, "none")) {
		r = add_modules(&w, mods, o->module_list, o->more_modules, &nmods);
		if (r == 0)
			fprintf(stderr, "kvmbox mkinitramfs: %zu modules from %s\n",
				nmods, mods);
	}
	for (int i = 1; r == 0 && i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--bare"))
			continue;
		if (!strcmp(argv[i], "--mkdir"))
			r = cpio_add_dir(&w, argv[i + 1], 0755);
		else if (!strcmp(argv[i], "--add") &&
			 (r = add_mapping(&w, argv[i + 1])) < 0)
			fprintf(stderr, "kvmbox mkinitramfs: --add %s: %s\n",
				argv[i + 1], r == -EINVAL ? "expected SRC:DEST" : err_str(r));
		i++;
	}
	return r == 0 ? cpio_finish(&w) : r;
}

/* Compressed output: the archive goes to memory first, then through LZ4. */
static int write_compressed(const struct options *o, int out, int argc, char **argv)
{
	int mem = memfd_create("initramfs", MFD_CLOEXEC), r;
	struct stat st;
	void *p;

	if (mem < 0)
		return -errno;
	r = write_archive(o, mem, argc, argv);
	if (r == 0 && fstat(mem, &st) < 0)
		r = -errno;
	if (r == 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, mem, 0);
		if (p == MAP_FAILED) {
			r = -errno;
		} else {
			r = lz4_legacy_write(out, p, (size_t)st.st_size);
			munmap(p, (size_t)st.st_size);
		}
	}
	close(mem);
	return r;
}

int mkinitramfs_main(int argc, char **argv)
{
	struct options o = { .self = "/proc/self/exe", .modules = "auto",
			     .compress = "none" };
	int fd, r;

	if ((r = parse_args(&o, argc, argv)) != 0)
		return r;
	fd = open(o.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "kvmbox mkinitramfs: %s: %s\n", o.out, strerror(errno));
		return 1;
	}
	if (!strcmp(o.compress, "lz4"))
		r = write_compressed(&o, fd, argc, argv);
	else
		r = write_archive(&o, fd, argc, argv);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r < 0) {
		fprintf(stderr, "kvmbox mkinitramfs: %s: %s\n", o.out, err_str(r));
		unlink(o.out);
		return 1;
	}
	return 0;
}
