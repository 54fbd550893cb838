/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sync: fetch the catalog from the server (kept only when it validates),
 * then every file a local appliance needs and the store lacks, each checked
 * against its digest by the store before it is used. Runs in a child
 * process of the menu so a slow server never freezes the screen; it reports
 * what happens as text lines on a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "initramfs/initramfs.h"

static void report(int fd, const char *fmt, ...) PRINTF(2, 3);
static void report(int fd, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n = MIN(n, (int)sizeof(line) - 2);
	for (int i = 0; i < n; i++) /* one report, one line */
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	write_full(fd, line, (size_t)n);
}

static int fetch_catalog(const struct menu_source *src, unsigned timeout_ms, int fd)
{
	struct errmsg err;
	struct catalog cat;
	struct buf b;
	int r;

	if (!src->catalog_url[0]) {
		report(fd, "catalog none no server configured");
		return 0;
	}
	buf_init(&b);
	r = http_get_buf(src->catalog_url, timeout_ms, CATALOG_MAX_FILE, &b, &err);
	if (r < 0) {
		report(fd, "catalog unreachable %s", err.msg);
		r = -ENETUNREACH;
		goto out;
	}
	r = catalog_parse(src->catalog_url, (const char *)b.data, b.len, &cat, &err);
	if (r < 0) {
		report(fd, "catalog rejected %s", err.msg);
		goto out;
	}
	catalog_free(&cat);
	if (file_holds(src->cached_catalog, b.data, b.len)) {
		report(fd, "catalog same");
		goto out;
	}
	r = write_file_atomic(src->cached_catalog, b.data, b.len, 0644);
	if (r < 0)
		report(fd, "catalog unreachable cannot save %s: %s", src->cached_catalog,
		       err_str(r));
	else
		report(fd, "catalog new");
out:
	buf_free(&b);
	return r;
}

struct download {
	int fd, report_fd;
	const char *app;
	uint64_t expected, got;
	int last_percent;
};

static int on_head(void *ctx, const struct http_head *h)
{
	struct download *d = ctx;

	d->expected = h->content_length > 0 ? (uint64_t)h->content_length : 0;
	return 0;
}

static int on_data(void *ctx, const void *data, size_t len)
{
	struct download *d = ctx;
	int pct;

	if (write_full(d->fd, data, len) < 0)
		return 1;
	d->got += len;
	pct = d->expected ? (int)(d->got * 100 / d->expected) : 0;
	if (pct != d->last_percent && pct < 100) {
		report(d->report_fd, "progress %s %d", d->app, pct);
		d->last_percent = pct;
	}
	return 0;
}

/* The store's fetch: rate and time to go ride along with the percentage. */
static void on_progress(void *ctx, uint64_t done, uint64_t total, uint64_t rate,
			int64_t eta_s)
{
	struct download *d = ctx;
	int pct = total ? (int)(done * 100 / total) : 0;
	char speed[32];

	if (pct == d->last_percent || pct >= 100)
		return;
	d->last_percent = pct;
	format_size(rate, speed, sizeof(speed));
	if (eta_s >= 0)
		report(d->report_fd, "progress %s %d %s/s %lld:%02lld", d->app, pct, speed,
		       (long long)eta_s / 60, (long long)eta_s % 60);
	else
		report(d->report_fd, "progress %s %d %s/s", d->app, pct, speed);
}

static int download(const struct menu_source *src, const struct menu_store *st,
		    const char *app, const struct catalog_file *f,
		    unsigned timeout_ms, int fd)
{
	char url[HTTP_MAX_URL], tmp[512], hex[2 * SHA256_LEN + 1];
	struct download d = { .report_fd = fd, .app = app, .last_percent = -1 };
	struct http_get_opts o = { .timeout_ms = timeout_ms, .on_head = on_head,
				   .on_data = on_data, .ctx = &d };
	struct errmsg err;
	int r;

	if (http_url_resolve(src->catalog_url, f->name, url, sizeof(url)) < 0) {
		report(fd, "failed %s URL of %s too long", app, f->name);
		return -EINVAL;
	}
	if (st->fetch) {
		report(fd, "progress %s 0", app);
		r = st->fetch(st->ctx, url, f->sha256, on_progress, &d, &err);
		if (r == -EBUSY) /* a multicast join (or a fetch by hand) has it */
			report(fd, "busy %s %s", app, err.msg);
		else if (r == -EBADMSG && !strstr(err.msg, "manifest")) /* the whole file */
			report(fd, "failed %s %s does not match its sha256 (damaged on the server?)",
			       app, f->name);
		else if (r < 0) /* names the chunk, or the manifest that lies */
			report(fd, "failed %s %s", app, err.msg);
		return r;
	}
	format_hex(f->sha256, SHA256_LEN, hex);
	snprintf(tmp, sizeof(tmp), "%s/%s.part", st->tmp_dir, hex);
	d.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (d.fd < 0) {
		r = -errno;
		report(fd, "failed %s cannot write %s: %s", app, tmp, err_str(r));
		return r;
	}
	report(fd, "progress %s 0", app);
	r = http_get(url, &o, &err);
	if (close(d.fd) < 0 && r == 0)
		r = errmsg_set(&err, -EIO, "%s: write error", tmp);
	if (r == 0)
		r = st->install(st->ctx, tmp, f->sha256, &err);
	if (r == -EBADMSG)
		report(fd, "failed %s %s does not match its sha256 (damaged on the server?)",
		       app, f->name);
	else if (r < 0)
		report(fd, "failed %s %s", app, err.msg);
	if (r < 0)
		unlink(tmp);
	return r;
}

static void fetch_files(const struct menu_source *src, const struct menu_store *st,
			const struct catalog *cat, unsigned timeout_ms, int fd)
{
	for (size_t i = 0; i < cat->napps; i++) {
		const struct catalog_appliance *a = &cat->apps[i];
		const struct catalog_file *files[2 + CATALOG_MAX_DISKS];
		size_t n = catalog_files(a, files, ARRAY_SIZE(files));
		char path[512];
		bool ok = true;

		if (a->type != APPLIANCE_LOCAL)
			continue;
		for (size_t k = 0; k < n && ok; k++) {
			if (menu_file_find(src, st, files[k], path, sizeof(path)) == 0)
				continue;
			if (menu_mcast_busy(st, files[k]->sha256)) { /* multicast wins */
				report(fd, "busy %s arriving by multicast", a->name);
				ok = false;
				break;
			}
			if (!src->catalog_url[0] || !st->install) {
				ok = false;
				break;
			}
			ok = download(src, st, a->name, files[k], timeout_ms, fd) == 0;
		}
		if (ok)
			report(fd, "ready %s", a->name);
	}
}

int menu_sync_run(struct menu_source *src, const struct menu_store *st,
		  unsigned timeout_ms, int fd)
{
	struct catalog cat;
	struct errmsg err;

	bool offline = fetch_catalog(src, timeout_ms, fd) == -ENETUNREACH;

	if (menu_catalog_load(src, &cat, &err) < 0) {
		report(fd, "done no usable catalog: %s", err.msg);
		return -ENOENT;
	}
	if (!offline) /* icons first: small, and the tiles show them at once */
		menu_icons_fetch(src, &cat, MIN(timeout_ms, 5000u), fd);
	if (!offline) /* offline, the cached files are all there is */
		fetch_files(src, st, &cat, timeout_ms, fd);
	catalog_free(&cat);
	report(fd, "done");
	return 0;
}
