/* SPDX-License-Identifier: GPL-2.0-only */
/* The raw backend: the image file is the disk, byte for byte. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "disk.h"

struct raw_disk {
	struct blockdev dev;
	int fd;
};

static struct raw_disk *to_raw(struct blockdev *b)
{
	return container_of(b, struct raw_disk, dev);
}

static int raw_readv(struct blockdev *b, const struct iovec *iov, int iovcnt,
		     uint64_t off)
{
	return disk_prw(to_raw(b)->fd, iov, iovcnt, off, false);
}

static int raw_writev(struct blockdev *b, const struct iovec *iov, int iovcnt,
		      uint64_t off)
{
	if (b->read_only)
		return -EROFS;
	return disk_prw(to_raw(b)->fd, iov, iovcnt, off, true);
}

static int raw_flush(struct blockdev *b)
{
	return fdatasync(to_raw(b)->fd) < 0 ? -errno : 0;
}

static int raw_discard(struct blockdev *b, uint64_t off, uint64_t len)
{
	if (b->read_only)
		return -EROFS;
	if (fallocate(to_raw(b)->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) < 0)
		return errno == EOPNOTSUPP ? 0 : -errno; /* discard is a hint */
	return 0;
}

static void raw_close(struct blockdev *b)
{
	struct raw_disk *d = to_raw(b);

	close(d->fd);
	free(d);
}

static const struct blockdev_ops raw_ops = {
	raw_readv, raw_writev, raw_flush, raw_discard, raw_close,
};

int disk_open_raw(const char *path, bool read_only, struct blockdev **out,
		  struct errmsg *err)
{
	struct raw_disk *d;
	struct stat st;
	int fd;

	fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return errmsg_set(err, -EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size % 512) {
		close(fd);
		return errmsg_set(err, -EINVAL,
				  "%s: size %lld is not a multiple of 512 bytes",
				  path, (long long)st.st_size);
	}
	if (disk_hold(fd) < 0) {
		close(fd);
		return errmsg_set(err, -EBUSY, "%s: being deleted from the image store",
				  path);
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		close(fd);
		return errmsg_set(err, -ENOMEM, "%s: out of memory", path);
	}
	d->fd = fd;
	d->dev.ops = &raw_ops;
	d->dev.size = (uint64_t)st.st_size;
	d->dev.read_only = read_only;
	/* The serial is the file's inode: stable for a file, unique per host. */
	snprintf(d->dev.id, sizeof(d->dev.id), "kvmbox-%llx",
		 (unsigned long long)st.st_ino);
	*out = &d->dev;
	return 0;
}
