/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The multicast receive into the image store, shared by `image mcast-recv`
 * and the menu's automatic join: net/ moves numbered chunks, disk/'s
 * partial image verifies and keeps them (HEX.part/.have, so an interrupted
 * receive resumes, by multicast or HTTP), and HTTP completes what the
 * session did not deliver.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/image.h"
#include "core/core.h"
#include "disk/disk.h"
#include "net/net.h"

#define REPORT_NS 250000000ull
#define SEC_NS 1000000000ull
#define BUSY_WAIT_NS (10 * SEC_NS)

/* What the receiver holds while chunks arrive. */
struct recv_state {
	struct disk_store *store;
	const struct image_mcast_recv_opts *o;
	struct disk_manifest m;
	struct disk_partial *p;
	bool installed;		/* the image was in the store already */
	uint64_t http_chunks;
	struct image_progress pr;
	uint64_t last_ns, last_fetched;
};

static void progress(struct recv_state *s, bool final)
{
	uint64_t now = clock_now_ns(), dt = now - s->last_ns;
	uint64_t missing = s->p ? disk_partial_missing(s->p) : 0;

	if (!s->o->progress || (!final && dt < REPORT_NS))
		return;
	s->pr.total = s->m.file_size;
	s->pr.done = s->installed ? s->pr.total
		     : !s->p || missing * s->m.chunk_size >= s->pr.total
		     ? 0 : s->pr.total - missing * s->m.chunk_size;
	if (dt >= REPORT_NS / 4) { /* smoothed like the HTTP fetch's */
		uint64_t inst = (s->pr.fetched - s->last_fetched) * SEC_NS / dt;
		s->pr.rate = s->pr.rate ? (s->pr.rate * 7 + inst * 3) / 10 : inst;
		s->last_ns = now;
		s->last_fetched = s->pr.fetched;
	}
	s->pr.eta_s = s->pr.rate ? (int64_t)((s->pr.total - s->pr.done) / s->pr.rate) : -1;
	s->pr.final = final;
	s->o->progress(s->o->ctx, &s->pr);
}

static bool same_image(const struct recv_state *s, struct errmsg *err)
{
	char got[65], want[65];

	if (!s->o->want_image || !memcmp(s->m.digest, s->o->want_image, 32))
		return true;
	format_hex(s->m.digest, 32, got);
	format_hex(s->o->want_image, 32, want);
	errmsg_set(err, -EBADMSG, "the session's manifest names image %.16s…, not %.16s…",
		   got, want);
	return false;
}

/*
 * Opens (or resumes) the partial image. Another receiver of the same image
 * (an HTTP fetch being stopped for this one) may still hold it a moment.
 */
static int partial_open(struct recv_state *s, struct errmsg *err)
{
	uint64_t until = clock_now_ns() + BUSY_WAIT_NS;
	char path[4096];
	int r;

	if (!same_image(s, err))
		return -EBADMSG;
	s->last_ns = 0; /* a first report now: the manifest is the one asked for */
	progress(s, false);
	if (disk_store_path(s->store, s->m.digest, path, sizeof(path)) == 0) {
		s->installed = true;
		return 0;
	}
	while ((r = disk_partial_open(s->store, &s->m, &s->p, err)) == -EBUSY &&
	       clock_now_ns() < until) {
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	return r;
}

/* The manifest is whole; open (or resume) the partial image it names. */
static int on_manifest(void *ctx, const uint8_t *text, size_t len,
		       const struct mcast_geometry *g, struct errmsg *err)
{
	struct recv_state *s = ctx;
	int r;

	r = disk_manifest_parse((const char *)text, len, "multicast manifest",
				&s->m, err);
	if (r < 0)
		return r;
	if (s->m.file_size != g->file_size || s->m.chunk_size != g->chunk_size)
		return errmsg_set(err, -EBADMSG,
				  "the manifest does not match the announced sizes");
	return partial_open(s, err);
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
	if (r == 0) {
		s->pr.fetched += len;
		progress(s, false);
	}
	return r;
}

/* ---- completing from HTTP -------------------------------------------------- */

/* No manifest came by multicast: take the one published beside the image. */
static int fetch_manifest(struct recv_state *s, const char *url, struct errmsg *err)
{
	const uint8_t *want = s->o->want_manifest;
	char murl[HTTP_MAX_URL + 16];
	uint8_t d[32];
	struct buf text;
	int r;

	snprintf(murl, sizeof(murl), "%s.manifest", url);
	buf_init(&text);
	r = http_get_buf(murl, 15000, DISK_MANIFEST_MAX_FILE, &text, err);
	if (r == 0 && want) {
		sha256(text.data, text.len, d);
		if (memcmp(d, want, 32))
			r = errmsg_set(err, -EBADMSG, "%s: not the manifest asked for", murl);
	}
	if (r == 0)
		r = disk_manifest_parse((char *)text.data, text.len, murl, &s->m, err);
	buf_free(&text);
	return r == 0 ? partial_open(s, err) : r;
}

static int complete_http(struct recv_state *s, const char *url, struct errmsg *err)
{
	int r = 0;

	log_info("mcast-recv: %s; completing from %s", err->msg, url);
	if (!s->p && !s->installed)
		r = fetch_manifest(s, url, err);
	if (r == 0 && s->p) {
		struct image_fetch_opts o = { .timeout_ms = 15000,
					      .progress = s->o->progress,
					      .ctx = s->o->ctx };
		uint64_t before = disk_partial_missing(s->p);

		r = image_fetch_partial(url, s->p, &s->m, &o, err);
		s->http_chunks = before - disk_partial_missing(s->p);
	}
	return r;
}

/*
 * Where chunks are assembled: memory when even the whole image would fit
 * in a quarter of the RAM (heavy loss leaves most chunks partial for a
 * while), else a scratch file in the store's tmp folder.
 */
static int spool_open(struct disk_store *store, uint64_t *mem_max)
{
	char dir[4096];

	*mem_max = (uint64_t)sysconf(_SC_PHYS_PAGES) *
		   (uint64_t)sysconf(_SC_PAGESIZE) / 4;
	snprintf(dir, sizeof(dir), "%s/tmp", disk_store_dir(store));
	return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

int image_mcast_recv(struct disk_store *store, const struct image_mcast_recv_opts *o,
		     struct image_mcast_result *res, struct errmsg *err)
{
	static const struct mcast_recv_ops ops = { on_manifest, on_have, on_chunk };
	struct recv_state s = { .store = store, .o = o, .last_ns = clock_now_ns() };
	struct mcast_recv_config c = { .addr = *o->addr, .timeout_s = o->timeout_s,
				       .want_digest = o->want_manifest, .quiet = o->quiet };
	int r;

	memset(res, 0, sizeof(*res));
	c.spool_fd = spool_open(store, &c.mem_spool_max);
	r = mcast_recv_run(&c, &ops, &s, &res->st, err);
	if (c.spool_fd >= 0)
		close(c.spool_fd);
	if (r < 0 && o->http && (r == -ETIMEDOUT || r == -ECONNRESET))
		r = complete_http(&s, o->http, err);
	if (r == 0 && s.p)
		r = disk_partial_finish(s.p, err);
	if (r == 0) {
		progress(&s, true);
		memcpy(res->digest, s.m.digest, 32);
	}
	res->http_chunks = s.http_chunks;
	if (s.p)
		disk_partial_close(s.p);
	disk_manifest_free(&s.m);
	return r;
}
