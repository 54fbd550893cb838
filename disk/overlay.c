/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The copy-on-write overlay backend. Clusters are allocated on first write
 * at the end of the data area; the map lives in memory and, for persistent
 * overlays, goes to the file only on flush, after the data it points to is
 * durable (fdatasync, map pages, fdatasync). A map entry only ever changes
 * from "unallocated" to one data cluster, and data clusters are never
 * reused, so a torn map write leaves each entry either old (the base shows
 * through: the write was not flushed yet) or new (its data is already on
 * disk); an entry damaged otherwise fails its check and the file is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "overlay_format.h"

struct overlay {
	struct blockdev dev;
	struct blockdev *base;
	int fd;
	bool persistent;
	struct ovl_geom g;
	uint64_t cluster_size;
	uint64_t *map;	       /* encoded entries, 0 = read the base */
	uint64_t *dirty;       /* one bit per 4 KiB page of the map */
	uint64_t next_phys;    /* next free data cluster (1-based) */
	uint8_t *bounce;       /* one cluster, for copy-on-write */
	pthread_mutex_t lock;  /* allocation, map pages, flush */
};

static struct overlay *to_ovl(struct blockdev *b)
{
	return container_of(b, struct overlay, dev);
}

static uint64_t phys_offset(const struct overlay *o, uint64_t entry)
{
	return o->g.data_offset + ((entry & OVL_PHYS_MASK) - 1) * o->cluster_size;
}

/* Runs vectored I/O on a slice of the request (bounced when very scattered). */
static int slice_io(struct overlay *o, const struct iovec *iov, int iovcnt,
		    size_t skip, size_t len, uint64_t at, bool to_base,
		    bool write)
{
	struct iovec part[64];
	int n = disk_iov_slice(iov, iovcnt, skip, len, part, ARRAY_SIZE(part));

	if (n == -E2BIG) { /* only reads come here from the base; rare */
		uint8_t *tmp = malloc(len);
		struct iovec one = { tmp, len };
		int r;
		if (!tmp)
			return -ENOMEM;
		if (write)
			disk_iov_to_buf(iov, iovcnt, skip, tmp, len);
		r = to_base ? o->base->ops->readv(o->base, &one, 1, at)
			    : disk_prw(o->fd, &one, 1, at, write);
		if (r == 0 && !write)
			disk_buf_to_iov(iov, iovcnt, skip, tmp, len);
		free(tmp);
		return r;
	}
	if (n < 0)
		return n;
	return to_base ? o->base->ops->readv(o->base, part, n, at)
		       : disk_prw(o->fd, part, n, at, write);
}

/* Where cluster @c's data is in the file; 0: not written, read the base. */
static uint64_t data_at(struct overlay *o, uint64_t c)
{
	uint64_t e = __atomic_load_n(&o->map[c], __ATOMIC_ACQUIRE);
	return e ? phys_offset(o, e) : 0;
}

/* Bytes of cluster @c inside the disk (the last one may be partial). */
static size_t cluster_len(struct overlay *o, uint64_t c)
{
	return (size_t)MIN(o->cluster_size, o->dev.size - (c << o->g.cluster_bits));
}

#define RUN_MAX (4u << 20) /* the most one preadv/pwritev carries */

/*
 * From byte @pos, how far the bytes stay in one place: all in the base, or
 * in consecutive data clusters from @at (0 for the base); at most @left.
 */
static size_t run_length(struct overlay *o, uint64_t pos, size_t left,
			 uint64_t at, bool allocated_only)
{
	size_t len = MIN(left, o->cluster_size - (pos & (o->cluster_size - 1)));

	while (len < left && len < RUN_MAX) {
		uint64_t next = data_at(o, (pos + len) >> o->g.cluster_bits);
		if (at ? next != at + len : (allocated_only || next != 0))
			break;
		len += MIN(left - len, o->cluster_size);
	}
	return len;
}

static int ovl_readv(struct blockdev *b, const struct iovec *iov, int iovcnt,
		     uint64_t off)
{
	struct overlay *o = to_ovl(b);
	size_t total = disk_iov_len(iov, iovcnt), done = 0;

	if (off > b->size || total > b->size - off)
		return -EINVAL;
	while (done < total) {
		uint64_t pos = off + done;
		uint64_t at = data_at(o, pos >> o->g.cluster_bits);
		if (at)
			at += pos & (o->cluster_size - 1);
		size_t len = run_length(o, pos, total - done, at, false);
		int r = slice_io(o, iov, iovcnt, done, len, at ? at : pos, !at, false);
		if (r < 0)
			return r;
		done += len;
	}
	return 0;
}

static void mark_dirty(struct overlay *o, uint64_t cluster)
{
	uint64_t page = cluster / 512; /* 512 entries per 4 KiB page */
	o->dirty[page / 64] |= 1ULL << (page % 64);
}

/*
 * First write to @cluster: fill a new data cluster (the base's bytes around
 * the guest's), then publish the map entry. On failure the map is unchanged.
 */
static int allocate(struct overlay *o, uint64_t cluster, uint32_t in,
		    const struct iovec *iov, int iovcnt, size_t skip,
		    size_t len)
{
	uint64_t vstart = cluster << o->g.cluster_bits;
	size_t in_disk = (size_t)MIN(o->cluster_size, o->dev.size - vstart);
	uint64_t p = o->next_phys;
	uint64_t at = o->g.data_offset + (p - 1) * o->cluster_size;
	int r;

	if (p > OVL_PHYS_MASK)
		return -ENOSPC;
	if (in != 0 || len != in_disk) {
		struct iovec whole = { o->bounce, in_disk };
		r = o->base->ops->readv(o->base, &whole, 1, vstart);
		if (r < 0)
			return r;
	}
	memset(o->bounce + in_disk, 0, o->cluster_size - in_disk);
	disk_iov_to_buf(iov, iovcnt, skip, o->bounce + in, len);
	r = pwrite_full(o->fd, o->bounce, o->cluster_size, (off_t)at);
	if (r < 0)
		return r;
	o->next_phys = p + 1;
	__atomic_store_n(&o->map[cluster], ovl_entry_encode(cluster, p),
			 __ATOMIC_RELEASE);
	mark_dirty(o, cluster);
	return 0;
}

/*
 * Whole clusters never written, from cluster @c: given consecutive data
 * clusters and written straight from the guest's buffers in one call.
 * Returns the bytes done (0: another writer got there first) or -errno.
 */
static ssize_t allocate_run(struct overlay *o, uint64_t c,
			    const struct iovec *iov, int iovcnt, size_t skip,
			    size_t left)
{
	uint64_t p = o->next_phys, n = 0;
	size_t len = 0;

	while (len < RUN_MAX && o->map[c + n] == 0 &&
	       left - len >= cluster_len(o, c + n)) {
		len += cluster_len(o, c + n);
		n++;
		if (c + n == o->g.entries)
			break;
	}
	if (n == 0)
		return 0;
	if (p + n - 1 > OVL_PHYS_MASK)
		return -ENOSPC;
	int r = slice_io(o, iov, iovcnt, skip, len,
			 o->g.data_offset + (p - 1) * o->cluster_size, false, true);
	if (r < 0)
		return r;
	o->next_phys = p + n;
	for (uint64_t i = 0; i < n; i++) {
		__atomic_store_n(&o->map[c + i], ovl_entry_encode(c + i, p + i),
				 __ATOMIC_RELEASE);
		mark_dirty(o, c + i);
	}
	return (ssize_t)len;
}

/* A write at @pos to a cluster with no data yet; returns the bytes done. */
static ssize_t write_new(struct overlay *o, uint64_t pos, const struct iovec *iov,
			 int iovcnt, size_t skip, size_t left)
{
	uint64_t c = pos >> o->g.cluster_bits;
	uint32_t in = (uint32_t)(pos & (o->cluster_size - 1));
	size_t len = MIN(left, o->cluster_size - in);
	ssize_t r;

	pthread_mutex_lock(&o->lock);
	if (o->map[c])
		r = 0; /* raced with another writer: the caller retries */
	else if (in == 0 && len >= cluster_len(o, c))
		r = allocate_run(o, c, iov, iovcnt, skip, left);
	else {
		int e = allocate(o, c, in, iov, iovcnt, skip, len);
		r = e < 0 ? e : (ssize_t)len;
	}
	pthread_mutex_unlock(&o->lock);
	return r;
}

static int ovl_writev(struct blockdev *b, const struct iovec *iov, int iovcnt,
		      uint64_t off)
{
	struct overlay *o = to_ovl(b);
	size_t total = disk_iov_len(iov, iovcnt), done = 0;

	if (off > b->size || total > b->size - off)
		return -EINVAL;
	while (done < total) {
		uint64_t pos = off + done;
		uint64_t at = data_at(o, pos >> o->g.cluster_bits);
		ssize_t n;
		if (at) {
			at += pos & (o->cluster_size - 1);
			n = (ssize_t)run_length(o, pos, total - done, at, true);
			int r = slice_io(o, iov, iovcnt, done, (size_t)n, at, false, true);
			if (r < 0)
				return r;
		} else {
			n = write_new(o, pos, iov, iovcnt, done, total - done);
			if (n < 0)
				return (int)n;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Writes the dirty map pages; the data they point to is already durable. */
static int write_map_pages(struct overlay *o)
{
	uint64_t pages = o->g.table_bytes / 4096;
	uint8_t page[4096];

	for (uint64_t pg = 0; pg < pages; pg++) {
		if (!(o->dirty[pg / 64] & 1ULL << (pg % 64)))
			continue;
		uint64_t first = pg * 512;
		uint64_t n = MIN(512, o->g.entries - first);
		memset(page, 0, sizeof(page));
		for (uint64_t i = 0; i < n; i++)
			put_le64(page + 8 * i, o->map[first + i]);
		int r = pwrite_full(o->fd, page, sizeof(page),
				    (off_t)(o->g.table_offset + pg * 4096));
		if (r < 0)
			return r;
		o->dirty[pg / 64] &= ~(1ULL << (pg % 64));
	}
	return 0;
}

static int ovl_flush(struct blockdev *b)
{
	struct overlay *o = to_ovl(b);
	int r = 0;

	if (!o->persistent) /* nothing of a volatile overlay outlives the VM */
		return 0;
	pthread_mutex_lock(&o->lock);
	if (fdatasync(o->fd) < 0)
		r = -errno;
	if (r == 0)
		r = write_map_pages(o);
	if (r == 0 && fdatasync(o->fd) < 0)
		r = -errno;
	pthread_mutex_unlock(&o->lock);
	return r;
}

static int ovl_discard(struct blockdev *b, uint64_t off, uint64_t len)
{
	struct overlay *o = to_ovl(b);
	uint64_t cs = o->cluster_size;

	if (off > b->size || len > b->size - off)
		return -EINVAL;
	/*
	 * Only whole clusters we hold: their data becomes a hole (zeros). The
	 * map keeps pointing at them, so nothing is ever reused or remapped.
	 */
	for (uint64_t c = (off + cs - 1) / cs; (c + 1) * cs <= off + len; c++) {
		uint64_t e = __atomic_load_n(&o->map[c], __ATOMIC_ACQUIRE);
		if (e && fallocate(o->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				   (off_t)phys_offset(o, e), (off_t)cs) < 0)
			return errno == EOPNOTSUPP ? 0 : -errno;
	}
	return 0;
}

static void ovl_free(struct overlay *o)
{
	if (o->base)
		o->base->ops->close(o->base);
	if (o->fd >= 0)
		close(o->fd);
	free(o->map);
	free(o->dirty);
	free(o->bounce);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

static void ovl_close(struct blockdev *b)
{
	struct overlay *o = to_ovl(b);

	if (o->persistent && ovl_flush(b) < 0)
		log_err("overlay: final flush failed; unflushed writes may be lost");
	ovl_free(o);
}

static const struct blockdev_ops overlay_ops = {
	ovl_readv, ovl_writev, ovl_flush, ovl_discard, ovl_close,
};

/* ---- creating and opening ----------------------------------------------- */

static int alloc_state(struct overlay *o, struct errmsg *err)
{
	uint64_t pages = o->g.table_bytes / 4096;

	o->cluster_size = 1ULL << o->g.cluster_bits;
	o->map = calloc((size_t)o->g.entries, 8);
	o->dirty = calloc((size_t)(pages / 64 + 1), 8);
	o->bounce = malloc((size_t)o->cluster_size);
	if (!o->map || !o->dirty || !o->bounce)
		return errmsg_set(err, -ENOMEM, "overlay: out of memory for the map");
	o->next_phys = 1;
	return 0;
}

/* "PATH: what the parser said" (the parser does not know the file name). */
static int with_path(struct errmsg *err, int r, const char *path)
{
	struct errmsg why = { "" };

	if (err)
		why = *err;
	return errmsg_set(err, r, "%s: %s", path, why.msg[0] ? why.msg : err_str(r));
}

static const char *base_label(const char *name)
{
	const char *slash = name ? strrchr(name, '/') : NULL;
	return slash ? slash + 1 : name ? name : "";
}

/* Writes header and empty map to PATH.tmp, syncs, renames into place. */
static int create_file(struct overlay *o, const char *path,
		       const uint8_t digest[32], const char *base_name,
		       struct errmsg *err)
{
	uint8_t h[OVL_HEADER_SIZE];
	char tmp[4096];
	int fd, r;

	ovl_header_build(h, &o->g, o->base->size, digest, base_label(base_name));
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
	    sizeof(tmp))
		return errmsg_set(err, -ENAMETOOLONG, "%s: name too long", path);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errmsg_set(err, -errno, "%s: cannot create: %s", tmp,
				  strerror(errno));
	r = pwrite_full(fd, h, sizeof(h), 0);
	if (r == 0 && ftruncate(fd, (off_t)o->g.data_offset) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		unlink(tmp);
		return errmsg_set(err, r, "%s: cannot create: %s", path, err_str(r));
	}
	char dir[4096];
	str_copy(dir, sizeof(dir), path);
	char *slash = strrchr(dir, '/');
	int dfd = open(slash ? (slash == dir ? "/" : (*slash = 0, dir)) : ".",
		       O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	o->fd = fd;
	return 0;
}

static int create_volatile(struct overlay *o, const char *dir,
			   struct errmsg *err)
{
	uint8_t h[OVL_HEADER_SIZE];
	int r;

	o->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (o->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
		char name[4096];
		snprintf(name, sizeof(name), "%s/kvmbox-overlay.XXXXXX", dir);
		o->fd = mkostemp(name, O_CLOEXEC);
		if (o->fd >= 0)
			unlink(name); /* still gone at exit or crash */
	}
	if (o->fd < 0)
		return errmsg_set(err, -errno, "%s: cannot create a volatile overlay: %s",
				  dir, strerror(errno));
	ovl_header_build(h, &o->g, o->base->size, NULL, "");
	r = pwrite_full(o->fd, h, sizeof(h), 0);
	if (r < 0)
		return errmsg_set(err, r, "%s: volatile overlay: %s", dir, err_str(r));
	return 0;
}

static int check_base(struct overlay *o, const struct disk_overlay_info *info,
		      const char *path, const char *base_name,
		      struct errmsg *err)
{
	uint8_t digest[32];
	char want[65], have[65], sz[32];
	int r;

	if (info->virtual_size != o->base->size || info->base_size != o->base->size) {
		format_size(info->virtual_size, sz, sizeof(sz));
		return errmsg_set(err, -EINVAL,
				  "%s: overlay is for a %s disk ('%s'), but %s has %llu bytes",
				  path, sz, info->base_name, base_label(base_name),
				  (unsigned long long)o->base->size);
	}
	if (!info->base_digest_known)
		return 0;
	r = disk_identity(o->base, digest);
	if (r < 0)
		return errmsg_set(err, r, "%s: cannot read the base %s: %s", path,
				  base_label(base_name), err_str(r));
	if (memcmp(digest, info->base_digest, 32)) {
		format_hex(info->base_digest, 32, want);
		format_hex(digest, 32, have);
		return errmsg_set(err, -ESTALE,
				  "%s: overlay was made over image '%s' (sha256 %.16s…), not '%s' (sha256 %.16s…); reset it to start over",
				  path, info->base_name, want, base_label(base_name), have);
	}
	return 0;
}

static int open_existing(struct overlay *o, int fd, const char *path,
			 const char *base_name, struct errmsg *err)
{
	struct disk_overlay_info info;
	uint8_t h[OVL_HEADER_SIZE], *table;
	struct stat st;
	uint64_t data_clusters, allocated;
	int r;

	o->fd = fd;
	if (fstat(fd, &st) < 0)
		return errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	ssize_t n = pread_full(fd, h, sizeof(h), 0);
	if (n < 0)
		return errmsg_set(err, (int)n, "%s: %s", path, err_str((int)n));
	r = disk_overlay_parse_header(h, (size_t)n, (uint64_t)st.st_size, &info, err);
	if (r < 0)
		return with_path(err, r, path);
	r = check_base(o, &info, path, base_name, err);
	if (r < 0)
		return r;
	ovl_layout(&o->g, (uint32_t)__builtin_ctz(info.cluster_size), info.virtual_size);
	r = alloc_state(o, err);
	if (r < 0)
		return r;
	table = malloc((size_t)o->g.table_bytes);
	if (!table)
		return errmsg_set(err, -ENOMEM, "%s: out of memory", path);
	n = pread_full(fd, table, (size_t)o->g.table_bytes, (off_t)o->g.table_offset);
	data_clusters = ((uint64_t)st.st_size - o->g.data_offset) / o->cluster_size;
	r = n != (ssize_t)o->g.table_bytes
		    ? errmsg_set(err, -EINVAL, "overlay map is truncated")
		    : disk_overlay_check_map(table, o->g.entries, data_clusters,
					     &allocated, err);
	for (uint64_t c = 0; r == 0 && c < o->g.entries; c++) {
		o->map[c] = get_le64(table + 8 * c);
		uint64_t p = o->map[c] & OVL_PHYS_MASK;
		if (p >= o->next_phys)
			o->next_phys = p + 1;
	}
	free(table);
	return r < 0 ? with_path(err, r, path) : 0;
}

static int open_persistent(struct overlay *o, const char *path,
			   const char *base_name, uint32_t cluster_bits,
			   struct errmsg *err)
{
	uint8_t digest[32];
	int fd = open(path, O_RDWR | O_CLOEXEC), r;

	if (fd >= 0) {
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			return errmsg_set(err, -EBUSY, "%s: overlay is in use by another VM",
					  path);
		}
		return open_existing(o, fd, path, base_name, err);
	}
	if (errno != ENOENT)
		return errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	ovl_layout(&o->g, cluster_bits, o->base->size);
	r = alloc_state(o, err);
	if (r < 0)
		return r;
	r = disk_identity(o->base, digest);
	if (r < 0)
		return errmsg_set(err, r, "%s: cannot read the base %s: %s", path,
				  base_label(base_name), err_str(r));
	r = create_file(o, path, digest, base_name, err);
	if (r == 0 && flock(o->fd, LOCK_EX | LOCK_NB) < 0)
		r = errmsg_set(err, -EBUSY, "%s: overlay is in use by another VM", path);
	return r;
}

int disk_overlay_open(struct blockdev *base, const char *base_name,
		      const char *path, const char *volatile_dir,
		      uint32_t cluster_size, struct blockdev **out,
		      struct errmsg *err)
{
	struct overlay *o = calloc(1, sizeof(*o));
	uint32_t bits;
	int r;

	if (!o) {
		base->ops->close(base);
		return errmsg_set(err, -ENOMEM, "overlay: out of memory");
	}
	pthread_mutex_init(&o->lock, NULL);
	o->base = base;
	o->fd = -1;
	if (!cluster_size)
		cluster_size = DISK_CLUSTER_DEFAULT;
	bits = (uint32_t)__builtin_ctz(cluster_size);
	if (cluster_size & (cluster_size - 1) || bits < OVL_MIN_CLUSTER_BITS ||
	    bits > OVL_MAX_CLUSTER_BITS) {
		r = errmsg_set(err, -EINVAL,
			       "overlay cluster size %u: expected a power of two from 4 KiB to 16 MiB",
			       cluster_size);
	} else if (base->size == 0 || base->size > OVL_MAX_VIRTUAL ||
		   ((base->size + cluster_size - 1) >> bits) > OVL_MAX_ENTRIES) {
		r = errmsg_set(err, -EFBIG, "%s: disk size %llu is out of the overlay's range",
			       base_label(base_name), (unsigned long long)base->size);
	} else if (path) {
		o->persistent = true;
		r = open_persistent(o, path, base_name, bits, err);
	} else {
		ovl_layout(&o->g, bits, base->size);
		r = alloc_state(o, err);
		if (r == 0)
			r = create_volatile(o, volatile_dir ? volatile_dir : "/run", err);
	}
	if (r < 0) {
		ovl_free(o);
		return r;
	}
	o->dev.ops = &overlay_ops;
	o->dev.size = base->size;
	o->dev.read_only = false;
	memcpy(o->dev.id, base->id, sizeof(o->dev.id));
	*out = &o->dev;
	return 0;
}

int disk_overlay_inspect(const char *path, struct disk_overlay_info *info,
			 struct errmsg *err)
{
	uint8_t h[OVL_HEADER_SIZE], *table;
	struct ovl_geom g;
	struct stat st;
	uint64_t allocated = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (err)
		err->msg[0] = 0;
	if (fd < 0)
		return errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	ssize_t n = fstat(fd, &st) < 0 ? -errno : pread_full(fd, h, sizeof(h), 0);
	r = n < 0 ? (int)n
		  : disk_overlay_parse_header(h, (size_t)n, (uint64_t)st.st_size,
					      info, err);
	if (r == 0) {
		ovl_layout(&g, (uint32_t)__builtin_ctz(info->cluster_size),
			   info->virtual_size);
		table = malloc((size_t)g.table_bytes);
		n = table ? pread_full(fd, table, (size_t)g.table_bytes,
				       (off_t)g.table_offset) : -ENOMEM;
		r = n != (ssize_t)g.table_bytes
			    ? errmsg_set(err, -EINVAL, "overlay map is truncated")
			    : disk_overlay_check_map(table, g.entries,
						     ((uint64_t)st.st_size - g.data_offset) >>
							     g.cluster_bits,
						     &allocated, err);
		free(table);
		info->allocated_clusters = allocated;
	}
	close(fd);
	return r < 0 ? with_path(err, r, path) : 0;
}
