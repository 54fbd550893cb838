/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * image_fetch(): from a URL to an image in the store. With a manifest the
 * transfer is chunk by chunk (cmd/image_fetch.c) into a partial image that
 * survives interruptions; a server that publishes only the file (a plain
 * catalog line with sha256=) still works: the file is fetched, resumed by
 * offset, and checked whole by the store before it is installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/image.h"
#include "core/core.h"
#include "disk/disk.h"

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcmp(s + n - t, tail);
}

/* URL of the image and of its manifest, from either. */
static int split_url(const char *url, char *image, char *manifest, struct errmsg *err)
{
	size_t n = strlen(url);

	if (n + sizeof(".manifest") > HTTP_MAX_URL)
		return errmsg_set(err, -EINVAL, "URL too long");
	if (ends_with(url, ".manifest")) {
		memcpy(image, url, n - 9);
		image[n - 9] = 0;
		memcpy(manifest, url, n + 1);
	} else {
		memcpy(image, url, n + 1);
		snprintf(manifest, HTTP_MAX_URL, "%s.manifest", url);
	}
	return 0;
}

static void final_report(const struct image_fetch_opts *o, uint64_t size)
{
	struct image_progress p = { size, size, 0, 0, 0, true };

	if (o->progress)
		o->progress(o->ctx, &p);
}

/* ---- with a manifest ---------------------------------------------------- */

static int fetch_chunks(const char *image_url, const char *manifest_url,
			const char *text, size_t len, struct disk_store *s,
			const struct image_fetch_opts *o, uint8_t digest[32],
			struct errmsg *err)
{
	struct disk_manifest m;
	struct disk_partial *p;
	char path[4200], have[65], want[65];
	int r = disk_manifest_parse(text, len, manifest_url, &m, err);

	if (r < 0)
		return r;
	if (o->expect && memcmp(o->expect, m.digest, 32)) {
		format_hex(m.digest, 32, have);
		format_hex(o->expect, 32, want);
		r = errmsg_set(err, -EBADMSG,
			       "%.200s: describes image %.16s…, the catalog names %.16s… (manifest and catalog do not match)",
			       manifest_url, have, want);
		goto out;
	}
	memcpy(digest, m.digest, 32);
	if (disk_store_path(s, m.digest, path, sizeof(path)) == 0) {
		final_report(o, m.file_size);
		goto out; /* there already */
	}
	r = disk_partial_open(s, &m, &p, err);
	if (r < 0)
		goto out;
	r = image_fetch_partial(image_url, p, &m, o, err);
	if (r == 0)
		r = disk_partial_finish(p, err);
	disk_partial_close(p);
out:
	disk_manifest_free(&m);
	return r;
}

/* ---- a plain file, checked whole ---------------------------------------- */

struct plain {
	int fd;
	uint64_t offset, got, total;
	int werr; /* a write that failed (ENOSPC …) */
	const struct image_fetch_opts *o;
	uint64_t last_ns;
};

static int plain_head(void *ctx, const struct http_head *h)
{
	struct plain *pl = ctx;

	if (h->status == 200 && pl->offset) { /* Range ignored: from the start */
		if (ftruncate(pl->fd, 0) < 0)
			return -errno;
		pl->offset = 0;
	} else if (h->status == 206 && h->range_start != (int64_t)pl->offset) {
		return -EPROTO;
	}
	lseek(pl->fd, (off_t)pl->offset, SEEK_SET);
	pl->total = h->content_length >= 0 ? pl->offset + (uint64_t)h->content_length : 0;
	return 0;
}

static int plain_data(void *ctx, const void *data, size_t len)
{
	struct plain *pl = ctx;
	uint64_t now = clock_now_ns();

	if ((pl->werr = write_full(pl->fd, data, len)) < 0)
		return 1;
	pl->got += len;
	if (pl->o->progress && now - pl->last_ns > 250000000ull) {
		struct image_progress p = { pl->offset + pl->got, pl->total, pl->got, 0, -1, false };
		pl->last_ns = now;
		pl->o->progress(pl->o->ctx, &p);
	}
	return 0;
}

static int fetch_plain(const char *image_url, struct disk_store *s,
		       const struct image_fetch_opts *o, struct errmsg *err)
{
	struct plain pl = { .o = o };
	struct http_get_opts g = { .timeout_ms = o->timeout_ms, .on_head = plain_head,
				   .on_data = plain_data, .ctx = &pl };
	char path[4200], hex[65];
	struct stat st;
	int r;

	format_hex(o->expect, 32, hex);
	snprintf(path, sizeof(path), "%s/tmp/%s.plain", disk_store_dir(s), hex);
	pl.fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (pl.fd < 0)
		return errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	if (flock(pl.fd, LOCK_EX | LOCK_NB) < 0) {
		close(pl.fd);
		return errmsg_set(err, -EBUSY, "%s: another download of this image is under way", path);
	}
	g.offset = pl.offset = fstat(pl.fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	r = http_get(image_url, &g, err);
	if (pl.werr < 0)
		r = errmsg_set(err, pl.werr, "%s: cannot write: %s", path, err_str(pl.werr));
	else if (r == -ERANGE && pl.offset) /* asked past the end: start afresh */
		r = errmsg_set(err, -EBADMSG, "%.200s: the server's file is shorter than what was already fetched",
			       image_url);
	if (r == 0 && fsync(pl.fd) < 0)
		r = errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	if (r == 0) {
		r = disk_store_install(s, path, o->expect, err);
		if (r == 0)
			final_report(o, pl.offset + pl.got);
	}
	if (r == -EBADMSG)
		unlink(path); /* wrong bytes: nothing in it is worth keeping */
	close(pl.fd);
	return r;
}

int image_fetch(const char *url, struct disk_store *s,
		const struct image_fetch_opts *o, uint8_t digest[32],
		struct errmsg *err)
{
	char image_url[HTTP_MAX_URL], manifest_url[HTTP_MAX_URL], path[4200];
	struct buf b;
	int r = split_url(url, image_url, manifest_url, err);

	if (r < 0)
		return r;
	if (o->expect && disk_store_path(s, o->expect, path, sizeof(path)) == 0) {
		memcpy(digest, o->expect, 32);
		final_report(o, 0);
		return 0;
	}
	buf_init(&b);
	r = http_get_buf(manifest_url, o->timeout_ms, DISK_MANIFEST_MAX_FILE, &b, err);
	if (r == 0) {
		r = fetch_chunks(image_url, manifest_url, (const char *)b.data, b.len, s, o,
				 digest, err);
	} else if (r == -ENOENT && o->expect) {
		memcpy(digest, o->expect, 32);
		r = fetch_plain(image_url, s, o, err);
	} else if (r == -ENOENT) {
		r = errmsg_set(err, -ENOENT, "%.200s: not found, and without a manifest nothing says what the image must be (give --sha256)",
			       manifest_url);
	}
	buf_free(&b);
	return r;
}
