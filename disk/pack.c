/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Making and checking compressed images: pack a raw file, unpack it back,
 * verify every block and the whole-image digest, show the header.
 */
#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <lz4hc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "image_format.h"

/*
 * Packing runs in batches of whole blocks read with one call. Each batch is
 * a list of tasks shared by every core (an atomic counter hands them out):
 * task 0 feeds the batch to the whole-image SHA-256 (a stream: in order,
 * one batch after the other), every other task compresses and hashes one
 * block into its own slot. The calling thread then writes the batch's
 * blocks in order, so the file is the same whatever the number of cores.
 */
#define BATCH_BYTES (4u << 20)
#define MAX_WORKERS 8

struct pack_block {
	struct img_block b;
	const uint8_t *data; /* what goes to the file: a slot or the raw bytes */
};

struct packer {
	struct blockdev *in;
	int out;
	uint32_t bs;
	int level;
	uint64_t vsize;
	uint8_t *raw;	   /* the batch, BATCH_BYTES (or one block) */
	uint8_t *packed;   /* one slot of packed_cap bytes per block */
	int packed_cap;
	struct pack_block *blk;
	uint8_t *index;
	uint64_t pos;	   /* where the next block goes in the output */
	struct sha256 whole;
	struct sha256 hash0; /* initialised once: sha256_init costs a CPUID */
	/* the batch being packed, shared with the workers */
	pthread_mutex_t lock;
	pthread_cond_t go, finished;
	uint64_t generation;	/* bumped for each new batch */
	bool open;		/* workers may join the batch */
	bool quit;
	int active;		/* workers inside the batch */
	uint64_t first;		/* its first block */
	uint32_t nblocks;
	uint32_t next_task, tasks_done; /* atomics */
	pthread_t workers[MAX_WORKERS];
	int nworkers;
};

static bool all_zero(const uint8_t *p, size_t n)
{
	const uint64_t *w = (const void *)p;
	for (size_t i = 0; i < n / 8; i++)
		if (w[i])
			return false;
	for (size_t i = n & ~(size_t)7; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static uint32_t raw_len_of(const struct packer *k, uint64_t i)
{
	return (uint32_t)MIN(k->bs, k->vsize - i * k->bs);
}

/* Compresses block @j of the batch into its slot and hashes what is kept. */
static void pack_one(struct packer *k, uint32_t j)
{
	struct pack_block *p = &k->blk[j];
	const uint8_t *raw = k->raw + (size_t)j * k->bs;
	uint8_t *slot = k->packed + (size_t)j * (size_t)k->packed_cap;
	uint32_t len = raw_len_of(k, k->first + j);
	int clen;

	memset(&p->b, 0, sizeof(p->b));
	if (all_zero(raw, len)) {
		p->b.flags = IMG_ZERO;
		p->data = NULL;
		return;
	}
	clen = k->level > 0
		       ? LZ4_compress_HC((const char *)raw, (char *)slot, (int)len,
					 k->packed_cap, k->level)
		       : LZ4_compress_default((const char *)raw, (char *)slot,
					      (int)len, k->packed_cap);
	if (clen <= 0 || (uint32_t)clen >= len) { /* incompressible: keep as is */
		p->b.flags = IMG_STORED;
		p->b.stored = len;
		p->data = raw;
	} else {
		p->b.stored = (uint32_t)clen;
		p->data = slot;
	}
	struct sha256 h = k->hash0;
	sha256_update(&h, p->data, p->b.stored);
	sha256_final(&h, p->b.digest);
}

static void batch_bytes(const struct packer *k, size_t *len)
{
	uint64_t end = MIN(k->vsize, (k->first + k->nblocks) * k->bs);
	*len = (size_t)(end - k->first * k->bs);
}

/* Runs the batch's tasks until none is left. */
static void run_tasks(struct packer *k, uint32_t ntasks)
{
	uint32_t did = 0, t;

	while ((t = __atomic_fetch_add(&k->next_task, 1, __ATOMIC_ACQ_REL)) < ntasks) {
		if (t == 0) {
			size_t len;
			batch_bytes(k, &len);
			sha256_update(&k->whole, k->raw, len);
		} else {
			pack_one(k, t - 1);
		}
		did++;
	}
	if (did)
		__atomic_add_fetch(&k->tasks_done, did, __ATOMIC_ACQ_REL);
}

/*
 * A worker joins a batch only while it is open (under the lock), and the
 * batch closes only once every task is done and no worker is inside: so
 * the batch's fields never change under a worker's feet.
 */
static void *worker(void *arg)
{
	struct packer *k = arg;
	uint64_t seen = 0;

	pthread_mutex_lock(&k->lock);
	for (;;) {
		while (!k->quit && !(k->open && k->generation != seen))
			pthread_cond_wait(&k->go, &k->lock);
		if (k->quit)
			break;
		seen = k->generation;
		uint32_t ntasks = k->nblocks + 1;
		k->active++;
		pthread_mutex_unlock(&k->lock);
		run_tasks(k, ntasks);
		pthread_mutex_lock(&k->lock);
		k->active--;
		pthread_cond_signal(&k->finished);
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

/* Packs the batch now in k->raw on every core; returns when all is done. */
static void pack_batch(struct packer *k)
{
	uint32_t ntasks = k->nblocks + 1;

	pthread_mutex_lock(&k->lock);
	k->next_task = 0;
	k->tasks_done = 0;
	k->generation++;
	k->open = true;
	pthread_cond_broadcast(&k->go);
	pthread_mutex_unlock(&k->lock);
	run_tasks(k, ntasks);
	pthread_mutex_lock(&k->lock);
	while (__atomic_load_n(&k->tasks_done, __ATOMIC_ACQUIRE) != ntasks || k->active)
		pthread_cond_wait(&k->finished, &k->lock);
	k->open = false;
	pthread_mutex_unlock(&k->lock);
}

/* Writes the batch's blocks in order (one call) and their index entries. */
static int write_batch(struct packer *k)
{
	struct iovec v[64];
	uint64_t at = k->pos;
	int n = 0, r = 0;

	for (uint32_t j = 0; j < k->nblocks && r == 0; j++) {
		struct pack_block *p = &k->blk[j];
		p->b.offset = p->b.flags == IMG_ZERO ? 0 : k->pos;
		img_entry_put(k->index + (k->first + j) * IMG_ENTRY_SIZE, &p->b);
		if (p->b.flags == IMG_ZERO)
			continue;
		v[n++] = (struct iovec){ (void *)p->data, p->b.stored };
		k->pos += p->b.stored;
		if (n == (int)ARRAY_SIZE(v) || j + 1 == k->nblocks) {
			r = disk_prw(k->out, v, n, at, true);
			at = k->pos;
			n = 0;
		}
	}
	if (r == 0 && n)
		r = disk_prw(k->out, v, n, at, true);
	return r;
}

static int pack_all(struct packer *k, uint32_t bits, struct disk_image_info *info)
{
	uint64_t blocks = (k->vsize + k->bs - 1) / k->bs;
	uint32_t per_batch = MAX(1, BATCH_BYTES / k->bs);
	uint8_t h[IMG_HEADER_SIZE], image_digest[32], index_digest[32];
	int r = 0;

	for (uint64_t i = 0; i < blocks && r == 0; i += per_batch) {
		size_t len;
		k->first = i;
		k->nblocks = (uint32_t)MIN(per_batch, blocks - i);
		batch_bytes(k, &len);
		struct iovec v = { k->raw, len };
		r = k->in->ops->readv(k->in, &v, 1, i * k->bs);
		if (r == 0) {
			pack_batch(k);
			r = write_batch(k);
		}
	}
	if (r < 0)
		return r;
	sha256_final(&k->whole, image_digest);
	sha256(k->index, blocks * IMG_ENTRY_SIZE, index_digest);
	r = pwrite_full(k->out, k->index, blocks * IMG_ENTRY_SIZE, (off_t)k->pos);
	if (r < 0)
		return r;
	img_header_build(h, bits, k->vsize, k->pos, image_digest, index_digest);
	/* Not synced here: the image store syncs what it installs. */
	r = pwrite_full(k->out, h, sizeof(h), 0);
	if (info) {
		info->block_size = k->bs;
		info->virtual_size = k->vsize;
		info->blocks = blocks;
		info->stored_bytes = k->pos - IMG_HEADER_SIZE;
		memcpy(info->image_digest, image_digest, 32);
	}
	return r;
}

/* One worker thread per further online core (the caller is one too). */
static void start_workers(struct packer *k)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int want = (int)MIN(MAX(cores, 1) - 1, MAX_WORKERS);

	for (k->nworkers = 0; k->nworkers < want; k->nworkers++)
		if (pthread_create(&k->workers[k->nworkers], NULL, worker, k))
			break; /* fewer threads only means slower */
}

static void stop_workers(struct packer *k)
{
	pthread_mutex_lock(&k->lock);
	k->quit = true;
	pthread_cond_broadcast(&k->go);
	pthread_mutex_unlock(&k->lock);
	for (int i = 0; i < k->nworkers; i++)
		pthread_join(k->workers[i], NULL);
}

int disk_pack_dev(struct blockdev *src, const char *out_path,
		  const struct disk_pack_opts *opts, struct disk_image_info *info,
		  struct errmsg *err)
{
	struct packer k = { .in = src, .out = -1, .vsize = src->size };
	uint32_t bs = opts && opts->block_size ? opts->block_size : DISK_BLOCK_DEFAULT;
	uint32_t bits = (uint32_t)__builtin_ctz(bs);
	uint64_t blocks = (src->size + bs - 1) / bs;
	char tmp[4096];
	int r;

	if (bs & (bs - 1) || bits < IMG_MIN_BLOCK_BITS || bits > IMG_MAX_BLOCK_BITS)
		return errmsg_set(err, -EINVAL,
				  "block size %u: expected a power of two from 4 KiB to 4 MiB", bs);
	if (src->size == 0 || src->size % 512 || src->size > IMG_MAX_VIRTUAL)
		return errmsg_set(err, -EINVAL, "disk size %llu cannot be packed",
				  (unsigned long long)src->size);
	uint32_t per_batch = MAX(1, BATCH_BYTES / bs);
	k.bs = bs;
	k.level = opts ? opts->level : 0;
	k.packed_cap = LZ4_compressBound((int)bs);
	k.raw = malloc((size_t)per_batch * bs);
	k.packed = malloc((size_t)per_batch * (size_t)k.packed_cap);
	k.blk = calloc(per_batch, sizeof(*k.blk));
	k.index = calloc((size_t)blocks, IMG_ENTRY_SIZE);
	k.pos = IMG_HEADER_SIZE;
	sha256_init(&k.whole);
	k.hash0 = k.whole;
	pthread_mutex_init(&k.lock, NULL);
	pthread_cond_init(&k.go, NULL);
	pthread_cond_init(&k.finished, NULL);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out_path, (int)getpid());
	if (!k.raw || !k.packed || !k.blk || !k.index) {
		r = -ENOMEM;
	} else if ((k.out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		r = -errno;
	} else {
		start_workers(&k);
		r = pack_all(&k, bits, info);
		stop_workers(&k);
	}
	if (k.out >= 0) {
		close(k.out);
		if (r == 0 && rename(tmp, out_path) < 0)
			r = -errno;
		if (r < 0)
			unlink(tmp);
	}
	pthread_cond_destroy(&k.go);
	pthread_cond_destroy(&k.finished);
	pthread_mutex_destroy(&k.lock);
	free(k.raw);
	free(k.packed);
	free(k.blk);
	free(k.index);
	if (r < 0)
		return errmsg_set(err, r, "pack into %s: %s", out_path, err_str(r));
	return 0;
}

int disk_pack(const char *raw_path, const char *out_path,
	      const struct disk_pack_opts *opts, struct disk_image_info *info,
	      struct errmsg *err)
{
	struct blockdev *src;
	struct stat st;
	int r;

	if (stat(raw_path, &st) == 0 && (st.st_size == 0 || st.st_size % 512))
		return errmsg_set(err, -EINVAL,
				  "%s: not a raw disk image (size must be a non-zero multiple of 512 bytes)",
				  raw_path);
	r = disk_open_raw(raw_path, true, &src, err);
	if (r < 0)
		return r;
	r = disk_pack_dev(src, out_path, opts, info, err);
	src->ops->close(src);
	return r;
}

int disk_export_raw(struct blockdev *src, const char *out_path,
		    struct errmsg *err)
{
	enum { CHUNK = 1 << 20 };
	uint8_t *buf = malloc(CHUNK);
	char tmp[4096];
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out_path, (int)getpid());
	fd = buf ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
	if (fd < 0) {
		r = buf ? -errno : -ENOMEM;
		free(buf);
		return errmsg_set(err, r, "%s: %s", tmp, err_str(r));
	}
	for (uint64_t off = 0; r == 0 && off < src->size; off += CHUNK) {
		struct iovec v = { buf, (size_t)MIN(CHUNK, src->size - off) };
		r = src->ops->readv(src, &v, 1, off);
		if (r == 0 && !all_zero(buf, v.iov_len))
			r = pwrite_full(fd, buf, v.iov_len, (off_t)off);
	}
	if (r == 0 && ftruncate(fd, (off_t)src->size) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && rename(tmp, out_path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	free(buf);
	return r < 0 ? errmsg_set(err, r, "%s: %s", out_path, err_str(r)) : 0;
}

/* Walks every block through the checking read path; @out_fd gets the data. */
static int read_all(const char *path, int out_fd, struct disk_image_info *info,
		    struct errmsg *err)
{
	struct blockdev *b;
	uint8_t digest[32], *buf;
	struct sha256 h;
	int r = disk_open_compressed(path, &b, err);

	if (r < 0)
		return r;
	r = disk_image_inspect(path, info, err);
	uint32_t bs = info->block_size;
	buf = malloc(bs);
	if (!buf)
		r = -ENOMEM;
	sha256_init(&h);
	for (uint64_t off = 0; r == 0 && off < b->size; off += bs) {
		struct iovec v = { buf, (size_t)MIN(bs, b->size - off) };
		r = b->ops->readv(b, &v, 1, off);
		if (r < 0) {
			r = errmsg_set(err, r, "%s: block %llu is damaged (see above)",
				       path, (unsigned long long)(off / bs));
			break;
		}
		sha256_update(&h, buf, v.iov_len);
		if (out_fd >= 0 && all_zero(buf, v.iov_len))
			continue; /* leave a hole */
		if (out_fd >= 0 && (r = pwrite_full(out_fd, buf, v.iov_len, (off_t)off)) < 0)
			r = errmsg_set(err, r, "write: %s", err_str(r));
	}
	sha256_final(&h, digest);
	if (r == 0 && memcmp(digest, info->image_digest, 32))
		r = errmsg_set(err, -EBADMSG, "%s: whole-image SHA-256 mismatch", path);
	if (r == 0 && out_fd >= 0 && ftruncate(out_fd, (off_t)b->size) < 0)
		r = errmsg_set(err, -errno, "write: %s", strerror(errno));
	free(buf);
	b->ops->close(b);
	return r;
}

int disk_verify(const char *image_path, struct disk_image_info *info,
		struct errmsg *err)
{
	return read_all(image_path, -1, info, err);
}

int disk_unpack(const char *image_path, const char *raw_path,
		struct errmsg *err)
{
	struct disk_image_info info;
	char tmp[4096];
	int fd, r;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", raw_path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errmsg_set(err, -errno, "%s: %s", tmp, strerror(errno));
	r = read_all(image_path, fd, &info, err);
	if (r == 0 && fsync(fd) < 0)
		r = errmsg_set(err, -errno, "%s: %s", raw_path, strerror(errno));
	close(fd);
	if (r == 0 && rename(tmp, raw_path) < 0)
		r = errmsg_set(err, -errno, "%s: %s", raw_path, strerror(errno));
	if (r < 0)
		unlink(tmp);
	return r;
}

int disk_image_inspect(const char *image_path, struct disk_image_info *info,
		       struct errmsg *err)
{
	struct blockdev *b;
	uint8_t h[IMG_HEADER_SIZE];
	struct img_geom g;
	struct stat st;
	int r = disk_open_compressed(image_path, &b, err);

	if (r < 0)
		return r;
	b->ops->close(b);
	/* Opening checked header and index; read the summary again for info. */
	int fd = open(image_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || pread_full(fd, h, sizeof(h), 0) != sizeof(h) ||
	    img_header_parse(h, sizeof(h), (uint64_t)st.st_size, &g, err) < 0) {
		if (fd >= 0)
			close(fd);
		return errmsg_set(err, -EIO, "%s: changed while reading", image_path);
	}
	memset(info, 0, sizeof(*info));
	info->block_size = 1U << g.block_bits;
	info->virtual_size = g.virtual_size;
	info->blocks = g.blocks;
	info->stored_bytes = g.index_offset - IMG_HEADER_SIZE;
	memcpy(info->image_digest, g.image_digest, 32);
	close(fd);
	return 0;
}
