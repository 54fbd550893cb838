/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * image mcast-send / mcast-recv: multicast deployment of an image to a
 * whole lab. net/ moves numbered chunks; here they meet the manifest and
 * the partial image of disk/, which verifies each one, and HTTP completes
 * what multicast did not deliver.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/boot_cache.h"
#include "cmd/image.h"
#include "core/core.h"
#include "disk/disk.h"
#include "net/net.h"

#define PAYLOAD (MCAST_MAX_PKT - 28)

static int usage(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "kvmbox image %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see kvmbox image --help)\n");
	return 2;
}

static int fail(const char *cmd, const struct errmsg *err)
{
	fprintf(stderr, "kvmbox image %s: %s\n", cmd, err->msg);
	return 1;
}

/* Options both commands share; returns how many argv words it took. */
static int common_opt(const char *cmd, int argc, char **argv, int i,
		      struct mcast_addr *a)
{
	struct errmsg err;

	if (i + 1 >= argc)
		return 0;
	if (!strcmp(argv[i], "--iface")) {
		if (str_copy(a->iface, sizeof(a->iface), argv[i + 1]) < 0)
			return -usage(cmd, "interface name too long: '%s'", argv[i + 1]);
		return 2;
	}
	if (!strcmp(argv[i], "--group")) {
		if (mcast_addr_parse(argv[i + 1], a, &err) < 0)
			return -usage(cmd, "%s", err.msg);
		return 2;
	}
	return 0;
}

/* ---- mcast-send ------------------------------------------------------------ */

struct send_args {
	const char *image, *manifest, *wol;
	uint64_t rate, chunk;
	unsigned wait_receivers, wait_s;
	struct mcast_addr addr;
};

static int send_args(int argc, char **argv, struct send_args *a)
{
	static const char cmd[] = "mcast-send";
	uint64_t v;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int n = common_opt(cmd, argc, argv, i, &a->addr);

		if (n < 0)
			return -n;
		if (n) {
			i += n - 1;
			continue;
		}
		if (o[0] != '-') {
			if (a->image)
				return usage(cmd, "one IMAGE only ('%s')", o);
			a->image = o;
			continue;
		}
		if (!val)
			return usage(cmd, "unknown option or missing value: '%s'", o);
		i++;
		if (!strcmp(o, "--manifest"))
			a->manifest = val;
		else if (!strcmp(o, "--wol"))
			a->wol = val;
		else if (!strcmp(o, "--rate")) {
			if (parse_size(val, &a->rate) < 0 || a->rate < 1000000)
				return usage(cmd, "bad --rate '%s' (bytes/s, at least 1M)", val);
		} else if (!strcmp(o, "--chunk")) {
			if (parse_size(val, &a->chunk) < 0 || a->chunk < DISK_CHUNK_MIN ||
			    a->chunk > DISK_CHUNK_MAX || (a->chunk & (a->chunk - 1)))
				return usage(cmd, "bad --chunk '%s' (a power of two, 64K..16M)", val);
		} else if (!strcmp(o, "--wait-receivers")) {
			if (parse_u64(val, 0, 1000, &v) < 0)
				return usage(cmd, "bad --wait-receivers '%s'", val);
			a->wait_receivers = (unsigned)v;
		} else if (!strcmp(o, "--wait")) {
			if (parse_u64(val, 1, 86400, &v) < 0)
				return usage(cmd, "bad --wait '%s' (seconds)", val);
			a->wait_s = (unsigned)v;
		} else
			return usage(cmd, "unknown option '%s'", o);
	}
	if (!a->image)
		return usage(cmd, "%s", "needs an IMAGE");
	return 0;
}

/* Wakes the listed PCs before the session ("MAC,MAC,..."). */
static int wake(const char *list, const char *iface, struct errmsg *err)
{
	char *copy = strdup(list), *save = NULL;
	int r = copy ? 0 : -ENOMEM, n = 0;

	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !r;
	     t = strtok_r(NULL, ",", &save)) {
		uint8_t mac[6], pkt[108];

		if (net_mac_parse(t, mac) < 0) {
			r = errmsg_set(err, -EINVAL, "bad MAC address '%s' in --wol", t);
			break;
		}
		r = wol_send(pkt, wol_build(pkt, mac, NULL, 0), iface, 9, err);
		n++;
	}
	free(copy);
	if (!r)
		log_info("mcast-send: woke %d PCs", n);
	return r;
}

/* The manifest's text: the given file (checked against the image) or built. */
static int send_manifest(const struct send_args *a, uint64_t size,
			 struct disk_manifest *m, struct buf *text,
			 struct errmsg *err)
{
	int r;

	if (a->manifest) {
		r = read_file(a->manifest, DISK_MANIFEST_MAX_FILE, text);
		if (r < 0)
			return errmsg_set(err, r, "%s: %s", a->manifest, err_str(r));
		r = disk_manifest_parse((char *)text->data, text->len, a->manifest, m, err);
		if (r == 0 && m->file_size != size)
			r = errmsg_set(err, -EINVAL, "%s: made for %llu bytes, %s has %llu",
				       a->manifest, (unsigned long long)m->file_size,
				       a->image, (unsigned long long)size);
		return r;
	}
	r = disk_manifest_build(a->image, (uint32_t)a->chunk, m, err);
	if (r == 0 && (r = disk_manifest_format(m, text)) < 0)
		errmsg_set(err, r, "formatting the manifest: %s", err_str(r));
	return r;
}

static void send_report(const struct mcast_send_stats *st)
{
	double s = (double)st->ns / 1e9;

	printf("session %016llx: %llu bytes in %.2f s (%.1f MB/s), %u passes, "
	       "%.1f %% resent, %u of %u receivers done, %u dropped\n",
	       (unsigned long long)st->session, (unsigned long long)st->bytes, s,
	       s > 0 ? (double)st->bytes / s / 1e6 : 0.0, st->passes,
	       st->data_pkts ? 100.0 * (double)st->resent_pkts / (double)st->data_pkts : 0.0,
	       st->done, st->receivers, st->dropped);
}

int image_mcast_send_main(int argc, char **argv)
{
	struct send_args a = { 0 };
	struct disk_manifest m = { 0 };
	struct mcast_geometry g;
	struct mcast_send_stats st;
	struct buf text;
	struct errmsg err = { "" };
	struct stat sb;
	int fd = -1, r;

	mcast_addr_parse(MCAST_DEFAULT_GROUP, &a.addr, NULL);
	if ((r = send_args(argc, argv, &a)))
		return r;
	buf_init(&text);
	fd = open(a.image, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || !sb.st_size)
		r = errmsg_set(&err, fd < 0 ? -errno : -EINVAL, "%s: %s", a.image,
			       fd < 0 ? strerror(errno) : "empty or unreadable");
	if (!r)
		r = send_manifest(&a, (uint64_t)sb.st_size, &m, &text, &err);
	if (!r && mcast_geometry_init(&g, m.file_size, m.chunk_size, PAYLOAD) < 0)
		r = errmsg_set(&err, -EINVAL, "%s: cannot be cut into packets", a.image);
	if (!r && a.wol)
		r = wake(a.wol, a.addr.iface[0] ? a.addr.iface : NULL, &err);
	if (!r) {
		struct mcast_send_config c = {
			.addr = a.addr, .fd = fd, .geo = &g, .manifest = text.data,
			.manifest_len = text.len, .max_rate = a.rate,
			.wait_receivers = a.wait_receivers, .wait_s = a.wait_s,
		};
		r = mcast_send_run(&c, &st, &err);
		send_report(&st);
	}
	if (fd >= 0)
		close(fd);
	disk_manifest_free(&m);
	buf_free(&text);
	return r ? fail("mcast-send", &err) : 0;
}

/* ---- mcast-recv ------------------------------------------------------------ */

struct recv_args {
	const char *cache, *http;
	uint8_t want[32];
	bool pinned;
	unsigned timeout_s;
	struct mcast_addr addr;
};

/* What the receiver holds while chunks arrive. */
struct recv_state {
	struct disk_store *store;
	struct disk_manifest m;
	struct disk_partial *p;
	bool installed;		/* the image was in the store already */
	uint64_t http_chunks;
};

static int recv_args(int argc, char **argv, struct recv_args *a, char *cache,
		     size_t cache_size)
{
	static const char cmd[] = "mcast-recv";
	uint64_t v;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int n = common_opt(cmd, argc, argv, i, &a->addr);

		if (n < 0)
			return -n;
		if (n) {
			i += n - 1;
			continue;
		}
		if (!val || o[0] != '-')
			return usage(cmd, "unknown argument or missing value: '%s'", o);
		i++;
		if (!strcmp(o, "--cache"))
			a->cache = val;
		else if (!strcmp(o, "--http"))
			a->http = val;
		else if (!strcmp(o, "--sha256")) {
			if (strlen(val) != 64 || parse_hex(val, a->want, 32) < 0)
				return usage(cmd, "bad --sha256 '%s' (64 hex digits)", val);
			a->pinned = true;
		} else if (!strcmp(o, "--timeout")) {
			if (parse_u64(val, 1, 86400, &v) < 0)
				return usage(cmd, "bad --timeout '%s' (seconds)", val);
			a->timeout_s = (unsigned)v;
		} else
			return usage(cmd, "unknown option '%s'", o);
	}
	if (!a->cache) {
		boot_conf_cache_dir(cache, cache_size);
		if (!cache[0])
			return usage(cmd, "%s", "no --cache DIR and no cache_dir in /run/kvmbox/boot.conf");
		a->cache = cache;
	}
	return 0;
}

/* The manifest is whole; open (or resume) the partial image it names. */
static int on_manifest(void *ctx, const uint8_t *text, size_t len,
		       const struct mcast_geometry *g, struct errmsg *err)
{
	struct recv_state *s = ctx;
	char path[4096];
	int r;

	r = disk_manifest_parse((const char *)text, len, "multicast manifest",
				&s->m, err);
	if (r < 0)
		return r;
	if (s->m.file_size != g->file_size || s->m.chunk_size != g->chunk_size)
		return errmsg_set(err, -EBADMSG,
				  "the manifest does not match the announced sizes");
	if (disk_store_path(s->store, s->m.digest, path, sizeof(path)) == 0) {
		s->installed = true;
		return 0;
	}
	return disk_partial_open(s->store, &s->m, &s->p, err);
}

static bool on_have(void *ctx, uint64_t chunk)
{
	struct recv_state *s = ctx;

	return s->installed || disk_partial_has(s->p, chunk);
}

static int on_chunk(void *ctx, uint64_t chunk, const void *data, size_t len,
		    struct errmsg *err)
{
	struct recv_state *s = ctx;
	int r = disk_partial_put(s->p, chunk, data, len, err);

	if (r == -EBADMSG || r == -ERANGE) {
		log_warn("mcast-recv: %s", err->msg);
		return -EBADMSG;
	}
	return r;
}

/* ---- completing from HTTP -------------------------------------------------- */

/* No manifest came by multicast: take the one published beside the image. */
static int fetch_manifest(struct recv_state *s, const char *url,
			  const uint8_t *want, struct errmsg *err)
{
	char murl[HTTP_MAX_URL + 16], path[4096];
	uint8_t d[32];
	struct buf text;
	int r;

	snprintf(murl, sizeof(murl), "%s.manifest", url);
	buf_init(&text);
	r = http_get_buf(murl, 15000, DISK_MANIFEST_MAX_FILE, &text, err);
	if (r == 0 && want) {
		sha256(text.data, text.len, d);
		if (memcmp(d, want, 32))
			r = errmsg_set(err, -EBADMSG, "%s: not the manifest of --sha256", murl);
	}
	if (r == 0)
		r = disk_manifest_parse((char *)text.data, text.len, murl, &s->m, err);
	buf_free(&text);
	if (r == 0 && disk_store_path(s->store, s->m.digest, path, sizeof(path)) == 0)
		s->installed = true;
	else if (r == 0)
		r = disk_partial_open(s->store, &s->m, &s->p, err);
	return r;
}

static int complete_http(struct recv_state *s, const char *url,
			 const uint8_t *want, struct errmsg *err)
{
	int r = 0;

	log_info("mcast-recv: %s; completing from %s", err->msg, url);
	if (!s->p && !s->installed)
		r = fetch_manifest(s, url, want, err);
	if (r == 0 && s->p) {
		struct image_fetch_opts o = { .timeout_ms = 15000 };
		uint64_t before = disk_partial_missing(s->p);

		r = image_fetch_partial(url, s->p, &s->m, &o, err);
		s->http_chunks = before - disk_partial_missing(s->p);
	}
	return r;
}

static void recv_report(const struct mcast_recv_stats *st, const struct recv_state *s,
			bool installed)
{
	char hex[65];

	fprintf(stderr,
		"mcast-recv: %llu chunks by multicast, %llu by HTTP, %llu already here; "
		"%llu packets, %llu duplicates, %llu from other sessions, %llu malformed, "
		"%llu chunks rejected, %llu announces of another image; %.2f s\n",
		(unsigned long long)st->chunks, (unsigned long long)s->http_chunks,
		(unsigned long long)st->have_chunks, (unsigned long long)st->data_pkts,
		(unsigned long long)st->dup_pkts, (unsigned long long)st->foreign_pkts,
		(unsigned long long)st->bad_pkts, (unsigned long long)st->bad_chunks,
		(unsigned long long)st->other_image, (double)st->ns / 1e9);
	if (!installed)
		return;
	format_hex(s->m.digest, 32, hex);
	printf("%s\n", hex);
}

/*
 * Where chunks are assembled: memory (-1) when even the whole image would
 * fit in a quarter of the RAM (heavy loss leaves most chunks partial for a
 * while), else a scratch file in the store's tmp folder.
 */
static int spool_open(const char *cache, uint64_t *mem_max)
{
	char dir[4096];

	*mem_max = (uint64_t)sysconf(_SC_PHYS_PAGES) *
		   (uint64_t)sysconf(_SC_PAGESIZE) / 4;
	snprintf(dir, sizeof(dir), "%s/tmp", cache);
	return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

int image_mcast_recv_main(int argc, char **argv)
{
	static const struct mcast_recv_ops ops = { on_manifest, on_have, on_chunk };
	struct recv_args a = { .timeout_s = 30 };
	struct recv_state s = { 0 };
	struct mcast_recv_stats st;
	struct errmsg err = { "" };
	char cache[4096] = "";
	int r;

	mcast_addr_parse(MCAST_DEFAULT_GROUP, &a.addr, NULL);
	if ((r = recv_args(argc, argv, &a, cache, sizeof(cache))))
		return r;
	r = disk_store_open(a.cache, &s.store, &err);
	if (r == 0) {
		struct mcast_recv_config c = { .addr = a.addr, .timeout_s = a.timeout_s,
					       .want_digest = a.pinned ? a.want : NULL };

		c.spool_fd = spool_open(a.cache, &c.mem_spool_max);

		r = mcast_recv_run(&c, &ops, &s, &st, &err);
		if (c.spool_fd >= 0)
			close(c.spool_fd);
		if (r < 0 && a.http && (r == -ETIMEDOUT || r == -ECONNRESET))
			r = complete_http(&s, a.http, c.want_digest, &err);
		if (r == 0 && s.p)
			r = disk_partial_finish(s.p, &err);
		recv_report(&st, &s, r == 0);
	}
	if (s.p)
		disk_partial_close(s.p);
	disk_manifest_free(&s.m);
	if (s.store)
		disk_store_close(s.store);
	return r ? fail("mcast-recv", &err) : 0;
}
