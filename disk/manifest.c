/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Image manifests: what a server publishes beside an image so a client can
 * verify every chunk as it arrives (HTTP ranges or multicast blocks) instead
 * of only the whole file at the end. Text, in core's INI grammar; the format
 * is in disk/FORMAT.md. Manifests come from servers: every field is checked
 * and the digest table is sized from the text, never from what it claims.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"

#define MANIFEST_VERSION 1
#define MANIFEST_MAX_SIZE (1ull << 50) /* 1 PiB: far past any disk image */
/* The shortest chunk line, "0=" + 64 hex digits: bounds the table by the text. */
#define MANIFEST_MIN_CHUNK_LINE 66

uint32_t disk_manifest_chunk_len(const struct disk_manifest *m, uint64_t i)
{
	if (i >= m->nchunks)
		return 0;
	if (i + 1 < m->nchunks)
		return m->chunk_size;
	return (uint32_t)(m->file_size - i * (uint64_t)m->chunk_size);
}

void disk_manifest_free(struct disk_manifest *m)
{
	free(m->chunk_digest);
	memset(m, 0, sizeof(*m));
}

static bool chunk_size_ok(uint64_t c)
{
	return c >= DISK_CHUNK_MIN && c <= DISK_CHUNK_MAX && !(c & (c - 1));
}

/* ---- building from an image file ---------------------------------------- */

int disk_manifest_build(const char *image_path, uint32_t chunk_size,
			struct disk_manifest *m, struct errmsg *err)
{
	struct sha256 whole;
	struct stat st;
	uint8_t *chunk = NULL;
	int fd, r = 0;

	memset(m, 0, sizeof(*m));
	chunk_size = chunk_size ? chunk_size : DISK_CHUNK_DEFAULT;
	if (!chunk_size_ok(chunk_size))
		return errmsg_set(err, -EINVAL,
				  "chunk size %u: must be a power of two from 64 KiB to 16 MiB",
				  chunk_size);
	fd = open(image_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errmsg_set(err, -errno, "%s: %s", image_path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		r = errmsg_set(err, -EINVAL, "%s: not a non-empty regular file", image_path);
		goto out;
	}
	m->file_size = (uint64_t)st.st_size;
	m->chunk_size = chunk_size;
	m->nchunks = (m->file_size + chunk_size - 1) / chunk_size;
	m->chunk_digest = calloc(m->nchunks, 32);
	chunk = malloc(chunk_size);
	if (!m->chunk_digest || !chunk) {
		r = errmsg_set(err, -ENOMEM, "%s: out of memory", image_path);
		goto out;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	sha256_init(&whole);
	for (uint64_t i = 0; i < m->nchunks; i++) {
		uint32_t len = disk_manifest_chunk_len(m, i);
		ssize_t n = pread_full(fd, chunk, len, (off_t)(i * chunk_size));

		if (n != (ssize_t)len) {
			r = errmsg_set(err, n < 0 ? (int)n : -EIO, "%s: read error at chunk %llu",
				       image_path, (unsigned long long)i);
			goto out;
		}
		sha256(chunk, len, m->chunk_digest[i]);
		sha256_update(&whole, chunk, len);
	}
	sha256_final(&whole, m->digest);
out:
	free(chunk);
	close(fd);
	if (r < 0)
		disk_manifest_free(m);
	return r;
}

/* ---- text ---------------------------------------------------------------- */

int disk_manifest_format(const struct disk_manifest *m, struct buf *out)
{
	char hex[65];
	int r;

	format_hex(m->digest, 32, hex);
	r = buf_printf(out,
		       "# kvmbox image manifest (disk/FORMAT.md)\n"
		       "[manifest]\nversion = %d\nsize = %llu\nchunk_size = %u\n"
		       "sha256 = %s\n\n[chunks]\n",
		       MANIFEST_VERSION, (unsigned long long)m->file_size,
		       m->chunk_size, hex);
	if (r == 0)
		r = buf_reserve(out, m->nchunks * (MANIFEST_MIN_CHUNK_LINE + 12));
	for (uint64_t i = 0; r == 0 && i < m->nchunks; i++) {
		format_hex(m->chunk_digest[i], 32, hex);
		r = buf_printf(out, "%llu = %s\n", (unsigned long long)i, hex);
	}
	return r;
}

int disk_manifest_write(const char *path, const struct disk_manifest *m,
			struct errmsg *err)
{
	struct buf b;
	int r;

	buf_init(&b);
	r = disk_manifest_format(m, &b);
	if (r == 0)
		r = write_file_atomic(path, b.data, b.len, 0644);
	buf_free(&b);
	if (r < 0)
		return errmsg_set(err, r, "%s: cannot write: %s", path, err_str(r));
	return 0;
}

/* ---- parsing (hostile input) -------------------------------------------- */

struct parse_state {
	struct disk_manifest *m;
	size_t text_len;
	bool have_version, have_size, have_chunk, have_digest;
	bool in_header, in_chunks;
	uint64_t next_chunk;
};

/* A problem with the text: -EINVAL and the line saying why. */
#define bad(why, ...) errmsg_set(why, -EINVAL, __VA_ARGS__)

/* The header is complete: size the digest table (bounded by the text). */
static int start_chunks(struct parse_state *st, struct errmsg *why)
{
	struct disk_manifest *m = st->m;

	if (!st->have_version || !st->have_size || !st->have_chunk || !st->have_digest)
		return bad(why, "[chunks] before version, size, chunk_size and sha256 of [manifest]");
	m->nchunks = (m->file_size + m->chunk_size - 1) / m->chunk_size;
	if (m->nchunks > st->text_len / MANIFEST_MIN_CHUNK_LINE)
		return bad(why, "size %llu needs %llu chunk digests, more than the text holds",
			   (unsigned long long)m->file_size, (unsigned long long)m->nchunks);
	m->chunk_digest = calloc(m->nchunks, 32);
	if (!m->chunk_digest) {
		snprintf(why->msg, sizeof(why->msg), "out of memory");
		return -ENOMEM;
	}
	st->in_chunks = true;
	return 0;
}

static int header_key(struct parse_state *st, const struct ini_item *it,
		      struct errmsg *why)
{
	struct disk_manifest *m = st->m;
	uint64_t v;

	/* Once each: a reader that takes the first of two (the multicast
	 * announce's peek) must not disagree with one that takes the last. */
	if ((!strcmp(it->key, "version") && st->have_version) ||
	    (!strcmp(it->key, "size") && st->have_size) ||
	    (!strcmp(it->key, "chunk_size") && st->have_chunk) ||
	    (!strcmp(it->key, "sha256") && st->have_digest))
		return bad(why, "%.20s given twice in [manifest]", it->key);
	if (!strcmp(it->key, "version")) {
		if (parse_u64(it->value, 0, UINT32_MAX, &v) < 0 || v != MANIFEST_VERSION)
			return bad(why, "version '%.20s' is not supported (expected %d)",
				   it->value, MANIFEST_VERSION);
		st->have_version = true;
	} else if (!strcmp(it->key, "size")) {
		if (parse_u64(it->value, 1, MANIFEST_MAX_SIZE, &v) < 0)
			return bad(why, "size '%.30s' is not a byte count from 1 to 2^50", it->value);
		m->file_size = v;
		st->have_size = true;
	} else if (!strcmp(it->key, "chunk_size")) {
		if (parse_u64(it->value, 0, UINT32_MAX, &v) < 0 || !chunk_size_ok(v))
			return bad(why, "chunk_size '%.30s' is not a power of two from 65536 to 16777216",
				   it->value);
		m->chunk_size = (uint32_t)v;
		st->have_chunk = true;
	} else if (!strcmp(it->key, "sha256")) {
		if (strlen(it->value) != 64 || parse_hex(it->value, m->digest, 32) < 0)
			return bad(why, "sha256 is not 64 hex digits");
		st->have_digest = true;
	} else {
		return bad(why, "unknown key '%.40s' in [manifest]", it->key);
	}
	return 0;
}

static int chunk_key(struct parse_state *st, const struct ini_item *it,
		     struct errmsg *why)
{
	uint64_t i;

	if (parse_u64(it->key, 0, UINT64_MAX, &i) < 0 || (it->key[0] == '0' && it->key[1]))
		return bad(why, "chunk key '%.40s' is not a chunk number", it->key);
	if (i != st->next_chunk)
		return bad(why, "chunk %llu where chunk %llu was expected (in order, once each)",
			   (unsigned long long)i, (unsigned long long)st->next_chunk);
	if (i >= st->m->nchunks)
		return bad(why, "chunk %llu past the last one (%llu chunks for %llu bytes)",
			   (unsigned long long)i, (unsigned long long)st->m->nchunks,
			   (unsigned long long)st->m->file_size);
	if (strlen(it->value) != 64 || parse_hex(it->value, st->m->chunk_digest[i], 32) < 0)
		return bad(why, "chunk %llu: digest is not 64 hex digits", (unsigned long long)i);
	st->next_chunk++;
	return 0;
}

static int on_item(void *ctx, const struct ini_item *it, struct errmsg *why)
{
	struct parse_state *st = ctx;
	bool header = !strcmp(it->section, "manifest");
	bool chunks = !strcmp(it->section, "chunks");

	if (!header && !chunks)
		return bad(why, "unknown section [%.40s] (expected [manifest] or [chunks])",
			   it->section);
	if (it->new_section) {
		if (header && (st->in_chunks || st->in_header))
			return bad(why, "[manifest] must come once, before [chunks]");
		if (chunks && st->in_chunks)
			return bad(why, "[chunks] given twice");
		st->in_header = true;
		return chunks ? start_chunks(st, why) : 0;
	}
	return header ? header_key(st, it, why) : chunk_key(st, it, why);
}

int disk_manifest_parse(const char *text, size_t len, const char *name,
			struct disk_manifest *m, struct errmsg *err)
{
	struct parse_state st = { .m = m, .text_len = len };
	int r;

	memset(m, 0, sizeof(*m));
	r = ini_parse_buf(name, text, len, on_item, &st, err);
	if (r == 0 && !st.in_chunks)
		r = errmsg_set(err, -EINVAL, "%s: no [chunks] section", name);
	else if (r == 0 && st.next_chunk != m->nchunks)
		r = errmsg_set(err, -EINVAL, "%s: %llu chunk digests, expected %llu", name,
			       (unsigned long long)st.next_chunk,
			       (unsigned long long)m->nchunks);
	if (r < 0)
		disk_manifest_free(m);
	return r;
}

/*
 * The image a manifest's first bytes name: "sha256 = HEX" in [manifest],
 * from whole lines only (the text may be cut anywhere). What the menu reads
 * from a multicast announce before it decides to join; the whole manifest
 * is parsed and checked against it later.
 */
int disk_manifest_peek_digest(const char *text, size_t len, uint8_t digest[32])
{
	const char *p = text, *end = text + len;
	bool in_manifest = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[160];
		size_t n;

		if (!nl)
			break;
		n = MIN((size_t)(nl - p), sizeof(line) - 1);
		memcpy(line, p, n);
		line[n] = 0;
		p = nl + 1;
		char *s = line + strspn(line, " \t");
		if (*s == '[') {
			in_manifest = str_starts(s, "[manifest]");
			continue;
		}
		if (!in_manifest || !str_starts(s, "sha256"))
			continue;
		s += 6 + strspn(s + 6, " \t");
		if (*s++ != '=')
			continue;
		s += strspn(s, " \t");
		if (strlen(s) < 64 || (s[64] && !strchr(" \t#\r", s[64])))
			return -EINVAL;
		s[64] = 0;
		return parse_hex(s, digest, 32) < 0 ? -EINVAL : 0;
	}
	return -ENOENT;
}

int disk_manifest_load(const char *path, struct disk_manifest *m,
		       struct errmsg *err)
{
	struct buf b;
	int r;

	memset(m, 0, sizeof(*m));
	buf_init(&b);
	r = read_file(path, DISK_MANIFEST_MAX_FILE, &b);
	if (r < 0)
		r = errmsg_set(err, r, "%s: %s", path, err_str(r));
	else
		r = disk_manifest_parse((const char *)b.data, b.len, path, m, err);
	buf_free(&b);
	return r;
}
