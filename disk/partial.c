/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Partial images: an image arriving chunk by chunk (HTTP ranges, multicast
 * blocks, in any order, from either in turn) into the store's DIR/tmp:
 *
 *   HEX.part   the image file, sparse, at its final size;
 *   HEX.have   which chunks are verified (format in disk/FORMAT.md).
 *
 * A chunk is written only after its digest matched the manifest. HEX.have
 * is saved (after an fdatasync of HEX.part, so it never claims data that a
 * power loss could take away) every 10 seconds and on close; chunks
 * verified after the last save are found again at the next open by hashing
 * the parts of HEX.part that hold data, so a killed process loses nothing.
 * An exclusive flock on HEX.part keeps two receivers apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "disk.h"
#include "store_priv.h"

#define HAVE_MAGIC "KVMBOXHV"
#define HAVE_VERSION 1
#define HAVE_HEADER 64
#define HAVE_SAVE_NS 10000000000ull /* chunks since are found again by their digests */

struct disk_partial {
	struct disk_store *s;
	struct disk_manifest m; /* a copy: the caller may free its own */
	char hex[65];
	char part_name[80], have_name[80];
	int fd;
	uint8_t *bitmap;
	uint64_t missing;
	bool dirty;
	uint64_t saved_ns;
	/* The whole-file digest, computed on the way when chunks come in order. */
	struct sha256 run;
	uint64_t run_next;
};

static bool bit_get(const uint8_t *b, uint64_t i)
{
	return b[i / 8] >> (i % 8) & 1;
}

static void bit_set(uint8_t *b, uint64_t i)
{
	b[i / 8] |= (uint8_t)(1u << (i % 8));
}

static size_t bitmap_bytes(const struct disk_manifest *m)
{
	return (size_t)((m->nchunks + 7) / 8);
}

bool disk_partial_has(const struct disk_partial *p, uint64_t chunk)
{
	return chunk < p->m.nchunks && bit_get(p->bitmap, chunk);
}

uint64_t disk_partial_missing(const struct disk_partial *p)
{
	return p->missing;
}

/* ---- HEX.have ------------------------------------------------------------ */

static void have_header(const struct disk_manifest *m, uint8_t h[HAVE_HEADER])
{
	memset(h, 0, HAVE_HEADER);
	memcpy(h, HAVE_MAGIC, 8);
	put_le32(h + 8, HAVE_VERSION);
	put_le32(h + 12, m->chunk_size);
	put_le64(h + 16, m->file_size);
	memcpy(h + 24, m->digest, 32);
	put_le64(h + 56, m->nchunks);
}

static int save_have(struct disk_partial *p)
{
	size_t nb = bitmap_bytes(&p->m), len = HAVE_HEADER + nb + 32;
	char path[4200];
	uint8_t *b;
	int r;

	if (fdatasync(p->fd) < 0) /* the data first: .have never runs ahead */
		return -errno;
	b = malloc(len);
	if (!b)
		return -ENOMEM;
	have_header(&p->m, b);
	memcpy(b + HAVE_HEADER, p->bitmap, nb);
	sha256(b, HAVE_HEADER + nb, b + HAVE_HEADER + nb);
	snprintf(path, sizeof(path), "%s/tmp/%s", p->s->dir, p->have_name);
	r = write_file_atomic(path, b, len, 0644);
	free(b);
	if (r == 0) {
		p->dirty = false;
		p->saved_ns = clock_now_ns();
	}
	return r;
}

/* Takes HEX.have's bitmap when it belongs to this very manifest. */
static void load_have(struct disk_partial *p)
{
	size_t nb = bitmap_bytes(&p->m), len = HAVE_HEADER + nb + 32;
	uint8_t want[HAVE_HEADER], sum[32];
	char path[4200];
	struct buf b;

	buf_init(&b);
	snprintf(path, sizeof(path), "%s/tmp/%s", p->s->dir, p->have_name);
	have_header(&p->m, want);
	if (read_file(path, len + 1, &b) == 0 && b.len == len &&
	    !memcmp(b.data, want, HAVE_HEADER)) {
		sha256(b.data, HAVE_HEADER + nb, sum);
		if (!memcmp(sum, b.data + HAVE_HEADER + nb, 32))
			memcpy(p->bitmap, b.data + HAVE_HEADER, nb);
	}
	buf_free(&b);
}

/*
 * Chunks written after the last save of HEX.have (a kill, a crash) are
 * still in HEX.part: hash the regions that hold data and take back those
 * that match. Holes are skipped without reading.
 */
static void recover_unsaved(struct disk_partial *p)
{
	uint8_t *chunk = malloc(p->m.chunk_size), d[32];
	uint64_t i = 0;

	if (!chunk)
		return;
	while (i < p->m.nchunks) {
		off_t at = (off_t)(i * p->m.chunk_size);
		off_t data = lseek(p->fd, at, SEEK_DATA);
		uint32_t len;

		if (data < 0)
			break; /* ENXIO: only holes from here */
		if ((uint64_t)data >= (i + 1) * p->m.chunk_size) {
			i = (uint64_t)data / p->m.chunk_size;
			continue;
		}
		len = disk_manifest_chunk_len(&p->m, i);
		if (!bit_get(p->bitmap, i) &&
		    pread_full(p->fd, chunk, len, at) == (ssize_t)len) {
			sha256(chunk, len, d);
			if (!memcmp(d, p->m.chunk_digest[i], 32)) {
				bit_set(p->bitmap, i);
				p->dirty = true;
			}
		}
		i++;
	}
	free(chunk);
}

/* ---- open ---------------------------------------------------------------- */

static int copy_manifest(struct disk_manifest *dst, const struct disk_manifest *src)
{
	*dst = *src;
	dst->chunk_digest = malloc(src->nchunks * 32);
	if (!dst->chunk_digest)
		return -ENOMEM;
	memcpy(dst->chunk_digest, src->chunk_digest, src->nchunks * 32);
	return 0;
}

static uint64_t missing_bytes(const struct disk_partial *p)
{
	uint64_t bytes = 0;

	for (uint64_t i = 0; i < p->m.nchunks; i++)
		if (!bit_get(p->bitmap, i))
			bytes += disk_manifest_chunk_len(&p->m, i);
	return bytes;
}

/* Refuses at once what cannot fit, rather than after most of the download. */
static int check_space(struct disk_partial *p, struct errmsg *err)
{
	uint64_t need = missing_bytes(p), free_bytes;
	char a[32], b[32];
	struct statvfs v;

	if (fstatvfs(p->fd, &v) < 0)
		return 0;
	free_bytes = (uint64_t)v.f_bavail * v.f_frsize;
	if (need <= free_bytes)
		return 0;
	format_size(need, a, sizeof(a));
	format_size(free_bytes, b, sizeof(b));
	return errmsg_set(err, -ENOSPC, "%s/tmp: image %.16s… needs %s more, only %s free",
			  p->s->dir, p->hex, a, b);
}

static int open_part(struct disk_partial *p, struct errmsg *err)
{
	struct stat st;

	p->fd = openat(p->s->tmp_fd, p->part_name, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (p->fd < 0)
		return errmsg_set(err, -errno, "%s/tmp/%s: %s", p->s->dir, p->part_name,
				  strerror(errno));
	if (flock(p->fd, LOCK_EX | LOCK_NB) < 0)
		return errmsg_set(err, -EBUSY, "%s/tmp/%s: another download of this image is under way",
				  p->s->dir, p->part_name);
	if (fstat(p->fd, &st) < 0)
		return errmsg_set(err, -errno, "%s/tmp/%s: %s", p->s->dir, p->part_name,
				  strerror(errno));
	if ((uint64_t)st.st_size != p->m.file_size &&
	    ftruncate(p->fd, (off_t)p->m.file_size) < 0)
		return errmsg_set(err, -errno, "%s/tmp/%s: cannot size it: %s", p->s->dir,
				  p->part_name, strerror(errno));
	return 0;
}

int disk_partial_open(struct disk_store *s, const struct disk_manifest *m,
		      struct disk_partial **out, struct errmsg *err)
{
	struct disk_partial *p;
	int r;

	if (!m->nchunks || !m->chunk_digest || !m->chunk_size ||
	    m->nchunks != (m->file_size + m->chunk_size - 1) / m->chunk_size)
		return errmsg_set(err, -EINVAL, "inconsistent manifest");
	p = calloc(1, sizeof(*p));
	if (!p)
		return errmsg_set(err, -ENOMEM, "out of memory");
	p->s = s;
	p->fd = -1;
	format_hex(m->digest, 32, p->hex);
	snprintf(p->part_name, sizeof(p->part_name), "%s.part", p->hex);
	snprintf(p->have_name, sizeof(p->have_name), "%s.have", p->hex);
	if (copy_manifest(&p->m, m) < 0 || !(p->bitmap = calloc(1, bitmap_bytes(m)))) {
		r = errmsg_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (faccessat(s->images_fd, p->hex, F_OK, 0) == 0) {
		r = errmsg_set(err, -EEXIST, "%s/images/%s: already in the store", s->dir, p->hex);
		goto fail;
	}
	r = open_part(p, err);
	if (r < 0)
		goto fail;
	load_have(p);
	recover_unsaved(p);
	for (uint64_t i = 0; i < m->nchunks; i++)
		p->missing += !bit_get(p->bitmap, i);
	r = check_space(p, err);
	if (r < 0)
		goto fail;
	sha256_init(&p->run);
	p->saved_ns = clock_now_ns();
	*out = p;
	return 0;
fail:
	p->dirty = false;
	disk_partial_close(p);
	return r;
}

/* ---- receiving ----------------------------------------------------------- */

int disk_partial_put(struct disk_partial *p, uint64_t chunk, const void *data,
		     size_t len, struct errmsg *err)
{
	uint64_t off = chunk * p->m.chunk_size;
	uint8_t d[32];
	int r;

	if (chunk >= p->m.nchunks)
		return errmsg_set(err, -ERANGE, "image %.16s…: chunk %llu out of range (%llu chunks)",
				  p->hex, (unsigned long long)chunk,
				  (unsigned long long)p->m.nchunks);
	if (len != disk_manifest_chunk_len(&p->m, chunk))
		return errmsg_set(err, -ERANGE, "image %.16s…: chunk %llu has %zu bytes, expected %u",
				  p->hex, (unsigned long long)chunk, len,
				  disk_manifest_chunk_len(&p->m, chunk));
	sha256(data, len, d);
	if (memcmp(d, p->m.chunk_digest[chunk], 32))
		return errmsg_set(err, -EBADMSG,
				  "image %.16s…: chunk %llu (bytes %llu..%llu) does not match its SHA-256 in the manifest",
				  p->hex, (unsigned long long)chunk, (unsigned long long)off,
				  (unsigned long long)(off + len - 1));
	if (chunk == p->run_next) {
		sha256_update(&p->run, data, len);
		p->run_next++;
	}
	if (bit_get(p->bitmap, chunk))
		return 0;
	r = pwrite_full(p->fd, data, len, (off_t)off);
	if (r < 0)
		return errmsg_set(err, r, "%s/tmp/%s: cannot write chunk %llu: %s", p->s->dir,
				  p->part_name, (unsigned long long)chunk, err_str(r));
	/* Start the write-back now, so the disk works while the network does
	 * and the fsyncs before HEX.have and at the install find little to do. */
	sync_file_range(p->fd, (off_t)off, (off_t)len, SYNC_FILE_RANGE_WRITE);
	bit_set(p->bitmap, chunk);
	p->missing--;
	p->dirty = true;
	if (clock_now_ns() - p->saved_ns >= HAVE_SAVE_NS && (r = save_have(p)) < 0)
		return errmsg_set(err, r, "%s/tmp/%s: cannot save progress: %s", p->s->dir,
				  p->have_name, err_str(r));
	return 0;
}

/* ---- installing ---------------------------------------------------------- */

static int whole_digest(struct disk_partial *p, uint8_t out[32])
{
	enum { STEP = 1 << 20 };
	struct sha256 h;
	uint8_t *b;

	if (p->run_next == p->m.nchunks) { /* every chunk came in order */
		sha256_final(&p->run, out);
		return 0;
	}
	b = malloc(STEP);
	if (!b)
		return -ENOMEM;
	sha256_init(&h);
	for (uint64_t off = 0; off < p->m.file_size; off += STEP) {
		size_t n = (size_t)MIN((uint64_t)STEP, p->m.file_size - off);
		if (pread_full(p->fd, b, n, (off_t)off) != (ssize_t)n) {
			free(b);
			return -EIO;
		}
		sha256_update(&h, b, n);
	}
	free(b);
	sha256_final(&h, out);
	return 0;
}

static void discard(struct disk_partial *p)
{
	unlinkat(p->s->tmp_fd, p->part_name, 0);
	unlinkat(p->s->tmp_fd, p->have_name, 0);
	p->dirty = false;
}

int disk_partial_finish(struct disk_partial *p, struct errmsg *err)
{
	uint8_t got[32];
	char hex[65];
	int r;

	if (p->missing)
		return errmsg_set(err, -EAGAIN, "image %.16s…: %llu chunks still missing", p->hex,
				  (unsigned long long)p->missing);
	if (fsync(p->fd) < 0)
		return errmsg_set(err, -errno, "%s/tmp/%s: %s", p->s->dir, p->part_name,
				  strerror(errno));
	r = whole_digest(p, got);
	if (r < 0)
		return errmsg_set(err, r, "%s/tmp/%s: %s", p->s->dir, p->part_name, err_str(r));
	if (memcmp(got, p->m.digest, 32)) {
		/* Every chunk matched, the whole did not: the manifest lies. */
		discard(p);
		format_hex(got, 32, hex);
		return errmsg_set(err, -EBADMSG,
				  "image %.16s…: the chunks add up to SHA-256 %.16s…: manifest and image disagree",
				  p->hex, hex);
	}
	fchmod(p->fd, 0444); /* images never change once installed */
	if (renameat(p->s->tmp_fd, p->part_name, p->s->images_fd, p->hex) < 0 ||
	    fsync(p->s->images_fd) < 0)
		return errmsg_set(err, -errno, "%s/images/%s: cannot install: %s", p->s->dir,
				  p->hex, strerror(errno));
	unlinkat(p->s->tmp_fd, p->have_name, 0);
	fsync(p->s->tmp_fd);
	p->dirty = false;
	return 0;
}

void disk_partial_close(struct disk_partial *p)
{
	if (!p)
		return;
	if (p->dirty && p->fd >= 0 && save_have(p) < 0)
		log_debug("%s/tmp/%s: cannot save progress", p->s->dir, p->have_name);
	if (p->fd >= 0)
		close(p->fd);
	free(p->bitmap);
	disk_manifest_free(&p->m);
	free(p);
}

const char *disk_store_dir(const struct disk_store *s)
{
	return s->dir;
}
