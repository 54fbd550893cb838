/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The image store on the cache partition: DIR/images/<sha256 hex> holds
 * images by the digest of their file bytes, DIR/tmp/ holds downloads in
 * progress. Installs are verified and atomic (fsync, rename, fsync dir).
 * An image is "in use" while some process holds a shared flock on it (every
 * disk backend takes one when it opens a file), so garbage collection can
 * skip it without any shared state.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "disk.h"
#include "store_priv.h"

static int mkdir_open(int at, const char *name, const char *shown,
		      struct errmsg *err)
{
	int fd;

	if (mkdirat(at, name, 0755) < 0 && errno != EEXIST)
		return errmsg_set(err, -errno, "%s: cannot create: %s", shown,
				  strerror(errno));
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errmsg_set(err, -errno, "%s: %s", shown, strerror(errno));
	return fd;
}

int disk_store_open(const char *dir, struct disk_store **out,
		    struct errmsg *err)
{
	struct disk_store *s;
	char shown[4096];
	int top, r;

	s = calloc(1, sizeof(*s));
	if (!s || !(s->dir = strdup(dir))) {
		free(s);
		return errmsg_set(err, -ENOMEM, "%s: out of memory", dir);
	}
	s->images_fd = s->tmp_fd = -1;
	r = top = mkdir_open(AT_FDCWD, dir, dir, err);
	if (top >= 0) {
		snprintf(shown, sizeof(shown), "%s/images", dir);
		r = s->images_fd = mkdir_open(top, "images", shown, err);
		snprintf(shown, sizeof(shown), "%s/tmp", dir);
		if (r >= 0)
			r = s->tmp_fd = mkdir_open(top, "tmp", shown, err);
		close(top);
	}
	if (r < 0) {
		disk_store_close(s);
		return r;
	}
	*out = s;
	return 0;
}

void disk_store_close(struct disk_store *s)
{
	if (!s)
		return;
	if (s->images_fd >= 0)
		close(s->images_fd);
	if (s->tmp_fd >= 0)
		close(s->tmp_fd);
	free(s->dir);
	free(s);
}

int disk_store_path(struct disk_store *s, const uint8_t digest[32],
		    char *path, size_t size)
{
	char hex[65];

	format_hex(digest, 32, hex);
	if ((size_t)snprintf(path, size, "%s/images/%s", s->dir, hex) >= size)
		return -ENAMETOOLONG;
	if (faccessat(s->images_fd, hex, R_OK, 0) < 0)
		return -errno;
	/* Asked for means about to be used: the mtime orders the GC (LRU). */
	utimensat(s->images_fd, hex, NULL, 0);
	return 0;
}

/* SHA-256 of everything @fd holds from its start; @copy_fd gets a copy. */
static int digest_fd(int fd, int copy_fd, uint8_t out[32])
{
	enum { CHUNK = 1 << 20 };
	uint8_t *chunk = malloc(CHUNK);
	struct sha256 h;
	uint64_t off = 0;
	int r = 0;

	if (!chunk)
		return -ENOMEM;
	sha256_init(&h);
	for (;;) {
		ssize_t n = pread_full(fd, chunk, CHUNK, (off_t)off);
		if (n <= 0) {
			r = (int)n;
			break;
		}
		sha256_update(&h, chunk, (size_t)n);
		if (copy_fd >= 0 && (r = write_full(copy_fd, chunk, (size_t)n)) < 0)
			break;
		off += (uint64_t)n;
	}
	free(chunk);
	sha256_final(&h, out);
	return r;
}

/*
 * Brings @tmp_file into DIR/tmp as an open file: a file already on the
 * store's file system is used as is (renamed later); another one is copied
 * while being hashed. Returns the fd to hash/fsync, with @staged naming it.
 */
static int stage(struct disk_store *s, const char *tmp_file, int src,
		 char *staged, size_t size, bool *copied, uint8_t got[32])
{
	struct stat a, b;
	int fd, r;

	if (fstat(src, &a) < 0 || fstat(s->tmp_fd, &b) < 0)
		return -errno;
	if (!S_ISREG(a.st_mode))
		return -EINVAL;
	*copied = a.st_dev != b.st_dev;
	if (!*copied) {
		str_copy(staged, size, tmp_file);
		r = digest_fd(src, -1, got);
		return r < 0 ? r : dup(src);
	}
	snprintf(staged, size, ".install-%d", (int)getpid());
	fd = openat(s->tmp_fd, staged, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0444);
	if (fd < 0)
		return -errno;
	r = digest_fd(src, fd, got);
	if (r < 0) {
		close(fd);
		unlinkat(s->tmp_fd, staged, 0);
		return r;
	}
	return fd;
}

int disk_store_install(struct disk_store *s, const char *tmp_file,
		       const uint8_t digest[32], struct errmsg *err)
{
	char staged[4096], want[65], have[65];
	uint8_t got[32];
	bool copied = false;
	int src, fd, r;

	format_hex(digest, 32, want);
	src = open(tmp_file, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return errmsg_set(err, -errno, "%s: %s", tmp_file, strerror(errno));
	fd = stage(s, tmp_file, src, staged, sizeof(staged), &copied, got);
	close(src);
	if (fd < 0)
		return errmsg_set(err, fd, "%s: cannot stage into %s/tmp: %s",
				  tmp_file, s->dir, err_str(fd));
	if (memcmp(got, digest, 32)) {
		close(fd);
		if (copied)
			unlinkat(s->tmp_fd, staged, 0);
		format_hex(got, 32, have);
		return errmsg_set(err, -EBADMSG,
				  "%s: SHA-256 is %.16s…, expected %.16s… (corrupt or wrong download)",
				  tmp_file, have, want);
	}
	fchmod(fd, 0444); /* images never change once installed */
	r = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	if (r == 0 && renameat(copied ? s->tmp_fd : AT_FDCWD, staged,
			       s->images_fd, want) < 0)
		r = -errno;
	if (r == 0 && fsync(s->images_fd) < 0)
		r = -errno;
	if (r < 0) {
		if (copied)
			unlinkat(s->tmp_fd, staged, 0);
		return errmsg_set(err, r, "%s: cannot install as %s/images/%s: %s",
				  tmp_file, s->dir, want, err_str(r));
	}
	return 0;
}

struct store_entry {
	char name[65];
	uint64_t bytes;
	int64_t mtime;
};

static int by_age(const void *a, const void *b)
{
	const struct store_entry *x = a, *y = b;
	return (x->mtime > y->mtime) - (x->mtime < y->mtime);
}

static bool is_digest_name(const char *name, uint8_t digest[32])
{
	return strlen(name) == 64 && parse_hex(name, digest, 32) == 0;
}

static bool is_kept(const uint8_t d[32], const uint8_t (*keep)[32],
		    size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (!memcmp(keep[i], d, 32))
			return true;
	return false;
}

/* Lists DIR/images into @out (malloc'd); the total size in @total. */
static int list_images(struct disk_store *s, struct store_entry **out,
		       size_t *n, uint64_t *total)
{
	struct store_entry *v = NULL;
	size_t cap = 0;
	struct dirent *e;
	uint8_t d[32];
	int fd = dup(s->images_fd);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	rewinddir(dir);
	*n = 0;
	*total = 0;
	while ((e = readdir(dir))) {
		struct stat st;
		if (!is_digest_name(e->d_name, d) ||
		    fstatat(s->images_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			struct store_entry *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(dir);
				return -ENOMEM;
			}
			v = nv;
		}
		str_copy(v[*n].name, sizeof(v[*n].name), e->d_name);
		v[*n].bytes = (uint64_t)st.st_blocks * 512;
		v[*n].mtime = (int64_t)st.st_mtim.tv_sec;
		*total += v[*n].bytes;
		(*n)++;
	}
	closedir(dir);
	*out = v;
	return 0;
}

/* Deletes one image unless some process holds it open (shared flock). */
static int remove_unless_in_use(struct disk_store *s, const char *name)
{
	int fd = openat(s->images_fd, name, O_RDONLY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		r = -EBUSY;
	else if (unlinkat(s->images_fd, name, 0) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* Downloads abandoned for a day are debris from a crash or power loss. */
static void remove_stale_tmp(struct disk_store *s)
{
	int fd = dup(s->tmp_fd);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;
	struct timespec now;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	rewinddir(dir);
	while ((e = readdir(dir))) {
		struct stat st;
		if (e->d_name[0] == '.' && (!e->d_name[1] ||
		    (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (fstatat(s->tmp_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_mtim.tv_sec + 86400 < now.tv_sec)
			unlinkat(s->tmp_fd, e->d_name, 0);
	}
	closedir(dir);
}

int disk_store_gc(struct disk_store *s, uint64_t budget_bytes,
		  const uint8_t (*keep)[32], size_t nkeep, struct errmsg *err)
{
	struct store_entry *v = NULL;
	uint64_t total = 0;
	size_t n = 0;
	uint8_t d[32];
	char need[32], have[32];
	int r;

	remove_stale_tmp(s);
	r = list_images(s, &v, &n, &total);
	if (r < 0)
		return errmsg_set(err, r, "%s/images: %s", s->dir, err_str(r));
	if (n > 1) /* least recently used first */
		qsort(v, n, sizeof(*v), by_age);
	for (size_t i = 0; i < n && total > budget_bytes; i++) {
		if (!is_digest_name(v[i].name, d) || is_kept(d, keep, nkeep))
			continue;
		r = remove_unless_in_use(s, v[i].name);
		if (r == 0) {
			log_info("disk store: removed image %.16s… (%llu bytes)",
				 v[i].name, (unsigned long long)v[i].bytes);
			total -= v[i].bytes;
		} else if (r != -EBUSY && r != -ENOENT) {
			free(v);
			return errmsg_set(err, r, "%s/images/%s: cannot remove: %s",
					  s->dir, v[i].name, err_str(r));
		}
	}
	free(v);
	fsync(s->images_fd);
	if (total > budget_bytes) {
		format_size(total, need, sizeof(need));
		format_size(budget_bytes, have, sizeof(have));
		return errmsg_set(err, -ENOSPC,
				  "%s: kept and in-use images need %s, over the %s budget",
				  s->dir, need, have);
	}
	return 0;
}

int disk_hold(int fd)
{
	/* Non-blocking: only an exclusive lock (a GC deleting) can conflict. */
	return flock(fd, LOCK_SH | LOCK_NB) < 0 ? -errno : 0;
}
