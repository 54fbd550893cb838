/* SPDX-License-Identifier: GPL-2.0-only */
/* image fetch URL: an image from an HTTP server into the store, verified. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/boot_cache.h"
#include "cmd/image.h"
#include "core/core.h"
#include "disk/disk.h"

extern const struct applet applet_image;

struct fetch_args {
	const char *url, *cache;
	uint64_t rate, timeout_s;
	bool progress, has_digest;
	uint8_t digest[32];
	char boot_cache[4096];
};

static int parse_args(int argc, char **argv, struct fetch_args *a)
{
	a->timeout_s = 10;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--progress")) {
			a->progress = true;
			continue;
		}
		if (o[0] != '-') {
			if (a->url)
				return usage_error(&applet_image, "fetch takes one URL ('%s')", o);
			a->url = o;
			continue;
		}
		if (!val)
			return usage_error(&applet_image, "fetch: %s needs a value", o);
		i++;
		if (!strcmp(o, "--cache"))
			a->cache = val;
		else if (!strcmp(o, "--rate")) {
			if (parse_size(val, &a->rate) < 0 || !a->rate)
				return usage_error(&applet_image, "fetch: bad --rate '%s' (bytes/s, e.g. 20M)", val);
		} else if (!strcmp(o, "--timeout")) {
			if (parse_u64(val, 1, 3600, &a->timeout_s) < 0)
				return usage_error(&applet_image, "fetch: bad --timeout '%s' (seconds)", val);
		} else if (!strcmp(o, "--sha256")) {
			if (strlen(val) != 64 || parse_hex(val, a->digest, 32) < 0)
				return usage_error(&applet_image, "fetch: --sha256 needs 64 hex digits");
			a->has_digest = true;
		} else {
			return usage_error(&applet_image, "fetch: unknown option '%s'", o);
		}
	}
	if (!a->url)
		return usage_error(&applet_image, "fetch needs a URL");
	if (!a->cache) {
		boot_conf_cache_dir(a->boot_cache, sizeof(a->boot_cache));
		if (!a->boot_cache[0])
			return usage_error(&applet_image, "fetch: no --cache DIR and no cache_dir in /run/kvmbox/boot.conf");
		a->cache = a->boot_cache;
	}
	return 0;
}

struct console {
	bool tty;
	uint64_t last_line_ns;
};

/* On a terminal one line redrawn in place; else a line every 2 s. */
static void show_progress(void *ctx, const struct image_progress *p)
{
	struct console *c = ctx;
	uint64_t now = clock_now_ns();
	char line[160];

	if (!c->tty && !p->final && now - c->last_line_ns < 2000000000ull)
		return;
	c->last_line_ns = now;
	image_progress_format(p, line, sizeof(line));
	fprintf(stderr, c->tty ? "\r%-70s%s" : "%s%s\n", line, c->tty && p->final ? "\n" : "");
	fflush(stderr);
}

int image_fetch_main(int argc, char **argv)
{
	struct fetch_args a = { 0 };
	struct console con = { isatty(2) != 0, 0 };
	struct image_fetch_opts o = { 0 };
	struct disk_store *s;
	struct errmsg err;
	uint8_t digest[32];
	char path[4200];
	int r = parse_args(argc, argv, &a);

	if (r)
		return r;
	o.timeout_ms = (unsigned)a.timeout_s * 1000;
	o.rate = a.rate;
	o.expect = a.has_digest ? a.digest : NULL;
	if (a.progress) {
		o.progress = show_progress;
		o.ctx = &con;
	}
	r = disk_store_open(a.cache, &s, &err);
	if (r == 0) {
		r = image_fetch(a.url, s, &o, digest, &err);
		if (r == 0 && disk_store_path(s, digest, path, sizeof(path)) == 0)
			printf("%s\n", path);
		disk_store_close(s);
	}
	if (r < 0) {
		if (con.tty && a.progress)
			fputc('\n', stderr);
		fprintf(stderr, "kvmbox image fetch: %s\n", err.msg);
		return 1;
	}
	return 0;
}
