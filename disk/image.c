/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The compressed image backend: fixed-size blocks, each lz4-compressed on
 * its own and checked against its SHA-256 when it is read from the file.
 * A block that fails its check is an I/O error for the guest and a log
 * line naming the block, never wrong data. Checked blocks are kept
 * decompressed in a bounded cache (image_cache.h) so a block read again
 * costs a copy; a request covering whole blocks is decompressed straight
 * into the caller's buffer and left out of the cache (a stream would only
 * push out what small reads use again); zero blocks are never stored.
 */
#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "image_cache.h"
#include "image_format.h"

struct cimage {
	struct blockdev dev;
	int fd;
	char name[64]; /* for log lines */
	struct img_geom g;
	struct sha256 hash0; /* initialised once: sha256_init costs a CPUID */
	uint8_t *index;
	uint8_t *stored; /* one block as stored in the file */
	struct img_cache cache;
	pthread_mutex_t lock;
};

static const struct blockdev_ops cimage_ops;

static struct cimage *to_ci(struct blockdev *b)
{
	return container_of(b, struct cimage, dev);
}

/* The bytes of block @i in the disk (the last block may be short). */
static size_t block_len(const struct cimage *c, uint64_t i)
{
	return (size_t)MIN(1ULL << c->g.block_bits,
			   c->g.virtual_size - (i << c->g.block_bits));
}

/* Reads, checks and decompresses block @i into @out (its raw length). */
static int load_block(struct cimage *c, uint64_t i, uint8_t *out)
{
	struct img_block b;
	uint8_t sum[32];
	uint32_t want = (uint32_t)block_len(c, i);
	int r;

	img_entry_get(c->index + i * IMG_ENTRY_SIZE, &b);
	if (b.flags == IMG_ZERO) {
		memset(out, 0, want);
		return 0;
	}
	uint8_t *dst = b.flags == IMG_STORED ? out : c->stored;
	ssize_t n = pread_full(c->fd, dst, b.stored, (off_t)b.offset);
	if (n != (ssize_t)b.stored) {
		r = n < 0 ? (int)n : -EIO;
		log_err("image %s: block %llu: read failed: %s", c->name,
			(unsigned long long)i, err_str(r));
		return r;
	}
	struct sha256 h = c->hash0;
	sha256_update(&h, dst, b.stored);
	sha256_final(&h, sum);
	if (memcmp(sum, b.digest, 32)) {
		log_err("image %s: block %llu (file offset %llu) fails its SHA-256 check: the cached image is corrupt",
			c->name, (unsigned long long)i, (unsigned long long)b.offset);
		return -EIO;
	}
	if (b.flags == IMG_STORED)
		return 0;
	if (LZ4_decompress_safe((const char *)dst, (char *)out, (int)b.stored,
				(int)want) != (int)want) {
		log_err("image %s: block %llu does not decompress", c->name,
			(unsigned long long)i);
		return -EIO;
	}
	return 0;
}

/* @len bytes at @skip of the vector if they are one piece, else NULL. */
static uint8_t *one_piece(const struct iovec *iov, int iovcnt, size_t skip,
			  size_t len)
{
	for (; iovcnt > 0; iov++, iovcnt--) {
		if (skip < iov->iov_len)
			return len <= iov->iov_len - skip ? (uint8_t *)iov->iov_base + skip
							  : NULL;
		skip -= iov->iov_len;
	}
	return NULL;
}

static void zero_iov(const struct iovec *iov, int iovcnt, size_t skip, size_t len)
{
	for (; iovcnt > 0 && len; iov++, iovcnt--) {
		if (skip >= iov->iov_len) {
			skip -= iov->iov_len;
			continue;
		}
		size_t n = MIN(len, iov->iov_len - skip);
		memset((uint8_t *)iov->iov_base + skip, 0, n);
		len -= n;
		skip = 0;
	}
}

/* Bytes [@in, @in+@len) of block @i into the vector at @skip. */
static int read_part(struct cimage *c, uint64_t i, size_t in, size_t len,
		     const struct iovec *iov, int iovcnt, size_t skip)
{
	const uint8_t *hit;
	uint8_t *dst;
	int r;

	if (get_le32(c->index + i * IMG_ENTRY_SIZE + 12) == IMG_ZERO) {
		zero_iov(iov, iovcnt, skip, len);
		return 0;
	}
	if ((hit = img_cache_get(&c->cache, i))) {
		disk_buf_to_iov(iov, iovcnt, skip, hit + in, len);
		return 0;
	}
	/*
	 * A whole block into one buffer: no copy, no cache. Should the check
	 * fail, the buffer holds unchecked bytes, but the request fails with
	 * them: the caller never takes them for data.
	 */
	if (in == 0 && len == block_len(c, i) && (dst = one_piece(iov, iovcnt, skip, len)))
		return load_block(c, i, dst);
	uint32_t slot = img_cache_claim(&c->cache);
	r = load_block(c, i, img_cache_buf(&c->cache, slot));
	if (r < 0)
		return r; /* the slot stays empty */
	img_cache_commit(&c->cache, slot, i);
	disk_buf_to_iov(iov, iovcnt, skip, img_cache_buf(&c->cache, slot) + in, len);
	return 0;
}

static int ci_readv(struct blockdev *b, const struct iovec *iov, int iovcnt,
		    uint64_t off)
{
	struct cimage *c = to_ci(b);
	size_t total = disk_iov_len(iov, iovcnt), done = 0;
	uint64_t bs = 1ULL << c->g.block_bits;
	int r = 0;

	if (off > b->size || total > b->size - off)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	while (done < total && r == 0) {
		uint64_t pos = off + done;
		size_t in = (size_t)(pos & (bs - 1));
		size_t len = (size_t)MIN(total - done, bs - in);
		r = read_part(c, pos >> c->g.block_bits, in, len, iov, iovcnt, done);
		done += len;
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

static int ci_writev(struct blockdev *b, const struct iovec *iov, int iovcnt,
		     uint64_t off)
{
	(void)b, (void)iov, (void)iovcnt, (void)off;
	return -EROFS;
}

static int ci_flush(struct blockdev *b)
{
	(void)b;
	return 0;
}

static int ci_discard(struct blockdev *b, uint64_t off, uint64_t len)
{
	(void)b, (void)off, (void)len;
	return -EROFS;
}

static void ci_free(struct cimage *c)
{
	if (c->fd >= 0)
		close(c->fd);
	img_cache_free(&c->cache);
	free(c->index);
	free(c->stored);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void ci_close(struct blockdev *b)
{
	ci_free(to_ci(b));
}

static const struct blockdev_ops cimage_ops = {
	ci_readv, ci_writev, ci_flush, ci_discard, ci_close,
};

bool disk_is_compressed(int fd)
{
	char magic[8];
	return pread_full(fd, magic, 8, 0) == 8 && !memcmp(magic, IMG_MAGIC, 8);
}

static int load_index(struct cimage *c, const char *path, struct errmsg *err)
{
	uint8_t h[IMG_HEADER_SIZE];
	uint64_t stored;
	struct stat st;
	ssize_t n;
	int r;

	if (fstat(c->fd, &st) < 0)
		return errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	n = pread_full(c->fd, h, sizeof(h), 0);
	if (n < 0)
		return errmsg_set(err, (int)n, "%s: %s", path, err_str((int)n));
	r = img_header_parse(h, (size_t)n, (uint64_t)st.st_size, &c->g, err);
	if (r == 0) {
		c->index = malloc(c->g.index_bytes ? (size_t)c->g.index_bytes : 1);
		c->stored = malloc(1ULL << c->g.block_bits);
		if (!c->index || !c->stored)
			return errmsg_set(err, -ENOMEM, "%s: out of memory", path);
		n = pread_full(c->fd, c->index, (size_t)c->g.index_bytes,
			       (off_t)c->g.index_offset);
		r = n < 0 ? errmsg_set(err, (int)n, "image index: %s", err_str((int)n))
			  : img_index_check(&c->g, c->index, (size_t)n, &stored, err);
	}
	if (r < 0) {
		struct errmsg why = { "" };
		if (err)
			why = *err;
		return errmsg_set(err, r, "%s: %s", path, why.msg);
	}
	return 0;
}

int disk_open_compressed(const char *path, struct blockdev **out,
			 struct errmsg *err)
{
	struct cimage *c = calloc(1, sizeof(*c));
	const char *base = strrchr(path, '/');
	int r;

	if (!c)
		return errmsg_set(err, -ENOMEM, "%s: out of memory", path);
	pthread_mutex_init(&c->lock, NULL);
	sha256_init(&c->hash0);
	str_copy(c->name, sizeof(c->name), base ? base + 1 : path);
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		r = errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	} else if (disk_hold(c->fd) < 0) {
		r = errmsg_set(err, -EBUSY, "%s: being deleted from the image store", path);
	} else {
		r = load_index(c, path, err);
	}
	if (r == 0 && img_cache_init(&c->cache, c->g.blocks, c->g.block_bits,
				     IMG_CACHE_DEFAULT) < 0)
		r = errmsg_set(err, -ENOMEM, "%s: out of memory", path);
	if (r < 0) {
		ci_free(c);
		return r;
	}
	c->dev.ops = &cimage_ops;
	c->dev.size = c->g.virtual_size;
	c->dev.read_only = true;
	/* The serial is the image's own digest: the same image, the same id. */
	memcpy(c->dev.id, "kvmbox-", 7);
	format_hex(c->g.image_digest, 6, c->dev.id + 7);
	*out = &c->dev;
	return 0;
}

int disk_open_image(const char *path, bool read_only, struct blockdev **out,
		    struct errmsg *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool compressed;

	if (fd < 0)
		return errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	compressed = disk_is_compressed(fd);
	close(fd);
	if (!compressed)
		return disk_open_raw(path, read_only, out, err);
	if (!read_only)
		return errmsg_set(err, -EROFS,
				  "%s: compressed images are read-only: add ,ro or an overlay",
				  path);
	return disk_open_compressed(path, out, err);
}

int disk_identity(struct blockdev *b, uint8_t digest[32])
{
	enum { CHUNK = 1 << 20 };
	struct sha256 h;
	uint8_t *buf;
	int r = 0;

	if (b->ops == &cimage_ops) {
		memcpy(digest, to_ci(b)->g.image_digest, 32);
		return 0;
	}
	buf = malloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	sha256_init(&h);
	for (uint64_t off = 0; off < b->size && r == 0; off += CHUNK) {
		struct iovec v = { buf, (size_t)MIN(CHUNK, b->size - off) };
		r = b->ops->readv(b, &v, 1, off);
		if (r == 0)
			sha256_update(&h, buf, v.iov_len);
	}
	sha256_final(&h, digest);
	free(buf);
	return r;
}
