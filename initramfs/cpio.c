/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * newc cpio writer (Documentation/driver-api/early-userspace/buffer-format):
 * a 110-byte ASCII-hex header, the NUL-terminated name, padding to 4 bytes,
 * the data, padding to 4 bytes; "TRAILER!!!" ends the archive.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs.h"

void cpio_init(struct cpio_writer *w, int fd, uint32_t mtime)
{
	w->fd = fd;
	w->next_ino = 1;
	w->offset = 0;
	w->mtime = mtime;
}

static int put(struct cpio_writer *w, const void *data, size_t len)
{
	int r = write_full(w->fd, data, len);

	if (r == 0)
		w->offset += len;
	return r;
}

static int pad4(struct cpio_writer *w)
{
	static const char zeros[4];
	size_t n = (4 - (w->offset & 3)) & 3;

	return n ? put(w, zeros, n) : 0;
}

static int header(struct cpio_writer *w, const char *path, mode_t mode,
		  uint64_t size, unsigned rmaj, unsigned rmin)
{
	char h[111];
	size_t namelen;
	int r;

	while (*path == '/')
		path++; /* archive names are relative to the root */
	namelen = strlen(path) + 1;
	if (namelen > 4096 || size > UINT32_MAX)
		return -E2BIG;
	snprintf(h, sizeof(h),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 w->next_ino++, (unsigned)mode, 0u, 0u, 1u, w->mtime,
		 (unsigned)size, 0u, 0u, rmaj, rmin, (unsigned)namelen, 0u);
	r = put(w, h, 110);
	if (r == 0)
		r = put(w, path, namelen);
	if (r == 0)
		r = pad4(w);
	return r;
}

int cpio_add_dir(struct cpio_writer *w, const char *path, mode_t mode)
{
	return header(w, path, S_IFDIR | (mode & 07777), 0, 0, 0);
}

int cpio_add_file(struct cpio_writer *w, const char *path, mode_t mode,
		  const void *data, size_t len)
{
	int r = header(w, path, S_IFREG | (mode & 07777), len, 0, 0);

	if (r == 0)
		r = put(w, data, len);
	return r == 0 ? pad4(w) : r;
}

int cpio_add_file_from(struct cpio_writer *w, const char *path, mode_t mode,
		       const char *src)
{
	char chunk[65536];
	struct stat st;
	uint64_t left;
	int fd, r;

	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	r = header(w, path, S_IFREG | (mode & 07777), (uint64_t)st.st_size, 0, 0);
	for (left = (uint64_t)st.st_size; r == 0 && left;) {
		ssize_t n = read_full(fd, chunk, MIN(sizeof(chunk), left));
		if (n <= 0) {
			r = n < 0 ? (int)n : -EIO; /* file shrank under us */
			break;
		}
		r = put(w, chunk, (size_t)n);
		left -= (uint64_t)n;
	}
	close(fd);
	return r == 0 ? pad4(w) : r;
}

int cpio_add_symlink(struct cpio_writer *w, const char *path,
		     const char *target)
{
	size_t len = strlen(target);
	int r = header(w, path, S_IFLNK | 0777, len, 0, 0);

	if (r == 0)
		r = put(w, target, len);
	return r == 0 ? pad4(w) : r;
}

int cpio_add_chardev(struct cpio_writer *w, const char *path, mode_t mode,
		     unsigned major, unsigned minor)
{
	return header(w, path, S_IFCHR | (mode & 07777), 0, major, minor);
}

int cpio_finish(struct cpio_writer *w)
{
	return header(w, "TRAILER!!!", 0, 0, 0, 0);
}
