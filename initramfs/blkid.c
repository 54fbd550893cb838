/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Finding a disk by what is written on it: the label and UUID of an
 * ISO 9660, ext2/3/4 or FAT filesystem, read from its superblock. A disk is
 * anybody's data, so every field is read within the bytes we have.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs.h"

#define PROBE_LEN (0x8000 + 2048)

/* Copies a space- or NUL-padded on-disk string, trimmed, printable only. */
static void copy_label(char *out, size_t size, const uint8_t *in, size_t len)
{
	size_t n = 0;

	while (len && (in[len - 1] == ' ' || in[len - 1] == 0))
		len--;
	for (size_t i = 0; i < len && n + 1 < size; i++)
		out[n++] = in[i] >= 0x20 && in[i] < 0x7f ? (char)in[i] : '_';
	out[n] = 0;
}

static bool probe_iso9660(const uint8_t *h, size_t len, struct blkid_info *o)
{
	const uint8_t *pvd = h + 0x8000;

	if (len < 0x8000 + 2048 || pvd[0] != 1 || memcmp(pvd + 1, "CD001", 5))
		return false;
	str_copy(o->type, sizeof(o->type), "iso9660");
	copy_label(o->label, sizeof(o->label), pvd + 40, 32);
	/* blkid's UUID: the creation time "YYYY-MM-DD-HH-MM-SS-CC". */
	const uint8_t *t = pvd + 813;
	for (int i = 0; i < 16; i++)
		if (t[i] < '0' || t[i] > '9')
			return true;
	snprintf(o->uuid, sizeof(o->uuid), "%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s",
		 t, t + 4, t + 6, t + 8, t + 10, t + 12, t + 14);
	return true;
}

static bool probe_ext(const uint8_t *h, size_t len, struct blkid_info *o)
{
	const uint8_t *sb = h + 1024;

	if (len < 2048 || get_le16(sb + 56) != 0xEF53)
		return false;
	uint32_t compat = get_le32(sb + 92), incompat = get_le32(sb + 96);
	const char *type = "ext2";
	if (incompat & (0x40 | 0x80 | 0x200)) /* extents, 64bit, flex_bg */
		type = "ext4";
	else if (compat & 0x4) /* has_journal */
		type = "ext3";
	str_copy(o->type, sizeof(o->type), type);
	copy_label(o->label, sizeof(o->label), sb + 120, 16);
	const uint8_t *u = sb + 104;
	snprintf(o->uuid, sizeof(o->uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
	return true;
}

static bool probe_vfat(const uint8_t *h, size_t len, struct blkid_info *o)
{
	if (len < 512 || h[510] != 0x55 || h[511] != 0xAA)
		return false;
	uint16_t sector = get_le16(h + 11);
	if (sector < 512 || sector > 4096 || (sector & (sector - 1)) || !h[13])
		return false;
	size_t serial_at, label_at;
	if (!memcmp(h + 82, "FAT32   ", 8)) {
		serial_at = 67, label_at = 71;
	} else if (!memcmp(h + 54, "FAT1", 4)) {
		serial_at = 39, label_at = 43;
	} else {
		return false;
	}
	uint32_t serial = get_le32(h + serial_at);
	str_copy(o->type, sizeof(o->type), "vfat");
	copy_label(o->label, sizeof(o->label), h + label_at, 11);
	if (!strcmp(o->label, "NO NAME"))
		o->label[0] = 0;
	snprintf(o->uuid, sizeof(o->uuid), "%04X-%04X", serial >> 16,
		 serial & 0xffff);
	return true;
}

int blkid_probe_buf(const uint8_t *head, size_t len, struct blkid_info *out)
{
	memset(out, 0, sizeof(*out));
	if (probe_iso9660(head, len, out) || probe_ext(head, len, out) ||
	    probe_vfat(head, len, out))
		return 0;
	return -ENOENT;
}

int blkid_probe_dev(const char *dev, struct blkid_info *out)
{
	uint8_t head[PROBE_LEN];
	int fd = open(dev, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return -errno;
	n = pread_full(fd, head, sizeof(head), 0);
	close(fd);
	if (n < 0)
		return (int)n;
	return blkid_probe_buf(head, (size_t)n, out);
}

bool blkid_spec_matches(const char *spec, const char *dev,
			const struct blkid_info *info)
{
	if (str_starts(spec, "LABEL="))
		return info->type[0] && !strcmp(info->label, spec + 6);
	if (str_starts(spec, "UUID="))
		return info->type[0] && !strcasecmp(info->uuid, spec + 5);
	return !strcmp(spec, dev);
}

int blkid_find(const char *spec, char *dev, size_t size,
	       struct blkid_info *info)
{
	DIR *d = opendir("/sys/class/block");
	struct dirent *e;
	char path[300];
	int r = -ENOENT;

	if (!d)
		return -errno;
	while (r == -ENOENT && (e = readdir(d))) {
		if (e->d_name[0] == '.' || str_starts(e->d_name, "loop") ||
		    str_starts(e->d_name, "ram"))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		blkid_probe_dev(path, info); /* no filesystem: info stays empty */
		if (blkid_spec_matches(spec, path, info))
			r = str_copy(dev, size, path);
	}
	closedir(d);
	return r;
}

int mount_spec(struct module_table *t, const char *spec, const char *dir,
	       bool read_only, struct errmsg *err)
{
	struct blkid_info info;
	char dev[300], fsmod[40];
	unsigned long flags = MS_NOSUID | MS_NODEV | (read_only ? MS_RDONLY : 0);
	int r = blkid_find(spec, dev, sizeof(dev), &info);

	if (r < 0)
		return errmsg_set(err, r, "%s: no such device", spec);
	if (!info.type[0])
		return errmsg_set(err, -EMEDIUMTYPE, "%s (%s): no filesystem I know",
				  spec, dev);
	mkdir(dir, 0755);
	if (mount(dev, dir, info.type, flags, NULL) == 0)
		return 0;
	r = -errno;
	if (r == -ENODEV && t) { /* filesystem driver not loaded yet */
		snprintf(fsmod, sizeof(fsmod), "fs-%s", info.type);
		if (modprobe(t, fsmod) == 0 || modprobe(t, info.type) == 0)
			r = mount(dev, dir, info.type, flags, NULL) == 0 ? 0 : -errno;
	}
	if (r < 0)
		return errmsg_set(err, r, "mount %s (%s, %s) on %s: %s", spec, dev,
				  info.type, dir, err_str(r));
	return 0;
}
