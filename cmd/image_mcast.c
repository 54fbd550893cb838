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

/*
 * Options both commands share (--iface, --group): 1 when argv[*i] was one
 * (*i then at its value), 0 when not, or -(exit status) for a bad value.
 */
static int common_opt(const char *cmd, int argc, char **argv, int *i,
		      struct mcast_addr *a)
{
	const char *o = argv[*i], *val = *i + 1 < argc ? argv[*i + 1] : NULL;
	struct errmsg err;

	if (!val || (strcmp(o, "--iface") && strcmp(o, "--group")))
		return 0;
	++*i;
	if (o[2] == 'i' && str_copy(a->iface, sizeof(a->iface), val) < 0)
		return -usage(cmd, "interface name too long: '%s'", val);
	if (o[2] == 'g' && mcast_addr_parse(val, a, &err) < 0)
		return -usage(cmd, "%s", err.msg);
	return 1;
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
		int n = common_opt(cmd, argc, argv, &i, &a->addr);

		if (n < 0)
			return -n;
		if (n)
			continue;
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
	       "%.1f %% resent, %u of %u receivers done, %u dropped, %llu waits for the slowest\n",
	       (unsigned long long)st->session, (unsigned long long)st->bytes, s,
	       s > 0 ? (double)st->bytes / s / 1e6 : 0.0, st->passes,
	       st->data_pkts ? 100.0 * (double)st->resent_pkts / (double)st->data_pkts : 0.0,
	       st->done, st->receivers, st->dropped, (unsigned long long)st->window_waits);
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
	uint8_t manifest[32], image[32];
	bool pin_manifest, pin_image, progress;
	unsigned timeout_s;
	struct mcast_addr addr;
};

static int digest_opt(const char *val, uint8_t out[32], bool *set)
{
	if (strlen(val) != 64 || parse_hex(val, out, 32) < 0)
		return usage("mcast-recv", "bad digest '%s' (64 hex digits)", val);
	*set = true;
	return 0;
}

static int recv_args(int argc, char **argv, struct recv_args *a, char *cache,
		     size_t cache_size)
{
	static const char cmd[] = "mcast-recv";
	uint64_t v;
	int r = 0;

	for (int i = 1; i < argc && !r; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int n = common_opt(cmd, argc, argv, &i, &a->addr);

		if (n < 0)
			return -n;
		if (n)
			continue;
		if (!strcmp(o, "--progress")) {
			a->progress = true;
			continue;
		}
		if (!val || o[0] != '-')
			return usage(cmd, "unknown argument or missing value: '%s'", o);
		i++;
		if (!strcmp(o, "--cache"))
			a->cache = val;
		else if (!strcmp(o, "--http"))
			a->http = val;
		else if (!strcmp(o, "--manifest-sha256") || !strcmp(o, "--sha256"))
			r = digest_opt(val, a->manifest, &a->pin_manifest);
		else if (!strcmp(o, "--image-sha256"))
			r = digest_opt(val, a->image, &a->pin_image);
		else if (!strcmp(o, "--timeout")) {
			if (parse_u64(val, 1, 86400, &v) < 0)
				return usage(cmd, "bad --timeout '%s' (seconds)", val);
			a->timeout_s = (unsigned)v;
		} else
			return usage(cmd, "unknown option '%s'", o);
	}
	if (r)
		return r;
	if (!a->cache) {
		boot_conf_cache_dir(cache, cache_size);
		if (!cache[0])
			return usage(cmd, "%s", "no --cache DIR and no cache_dir in /run/kvmbox/boot.conf");
		a->cache = cache;
	}
	return 0;
}

static void recv_report(const struct image_mcast_result *res, bool installed)
{
	const struct mcast_recv_stats *st = &res->st;
	char hex[65];

	fprintf(stderr,
		"mcast-recv: %llu chunks by multicast, %llu by HTTP, %llu already here; "
		"%llu packets, %llu duplicates, %llu from other sessions, %llu malformed, "
		"%llu chunks rejected, %llu announces of another image; %.2f s\n",
		(unsigned long long)st->chunks, (unsigned long long)res->http_chunks,
		(unsigned long long)st->have_chunks, (unsigned long long)st->data_pkts,
		(unsigned long long)st->dup_pkts, (unsigned long long)st->foreign_pkts,
		(unsigned long long)st->bad_pkts, (unsigned long long)st->bad_chunks,
		(unsigned long long)st->other_image, (double)st->ns / 1e9);
	if (!installed)
		return;
	format_hex(res->digest, 32, hex);
	printf("%s\n", hex);
}

/* On a terminal one line redrawn in place; else a line every 2 s. */
static void show_progress(void *ctx, const struct image_progress *p)
{
	uint64_t *last_ns = ctx, now = clock_now_ns();
	bool tty = isatty(2);
	char line[160];

	if (!tty && !p->final && now - *last_ns < 2000000000ull)
		return;
	*last_ns = now;
	image_progress_format(p, line, sizeof(line));
	fprintf(stderr, tty ? "\r%-70s%s" : "%s%s\n", line, tty && p->final ? "\n" : "");
	fflush(stderr);
}

int image_mcast_recv_main(int argc, char **argv)
{
	struct recv_args a = { .timeout_s = 30 };
	struct image_mcast_result res;
	struct disk_store *store;
	struct errmsg err = { "" };
	uint64_t last_ns = 0;
	char cache[4096] = "";
	int r;

	mcast_addr_parse(MCAST_DEFAULT_GROUP, &a.addr, NULL);
	if ((r = recv_args(argc, argv, &a, cache, sizeof(cache))))
		return r;
	r = disk_store_open(a.cache, &store, &err);
	if (r == 0) {
		struct image_mcast_recv_opts o = {
			.addr = &a.addr, .timeout_s = a.timeout_s, .http = a.http,
			.want_manifest = a.pin_manifest ? a.manifest : NULL,
			.want_image = a.pin_image ? a.image : NULL,
			.progress = a.progress ? show_progress : NULL, .ctx = &last_ns,
		};

		r = image_mcast_recv(store, &o, &res, &err);
		recv_report(&res, r == 0);
		disk_store_close(store);
	}
	return r ? fail("mcast-recv", &err) : 0;
}
