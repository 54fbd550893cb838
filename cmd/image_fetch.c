/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HTTP fetch of an image into the store (`kvmbox image fetch`, the
 * menu's sync): the manifest first, then only the chunks the partial image
 * lacks, as Range requests on one keep-alive connection. Each chunk is
 * verified the moment its last byte arrives (disk_partial_put), so a
 * corrupt or foreign byte stops the fetch with the chunk named, and an
 * interrupted fetch leaves every verified chunk for the next run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/image.h"
#include "core/core.h"
#include "disk/disk.h"

#define REPORT_NS 250000000ull
#define SEC_NS 1000000000ull

struct fetch {
	struct disk_partial *p;
	const struct disk_manifest *m;
	const struct image_fetch_opts *o;
	const char *url;
	uint8_t *chunk;		/* the chunk being assembled */
	uint64_t pos;		/* file offset of the next body byte */
	uint64_t req_start, req_end;
	bool all_done;		/* stopped early: nothing missing any more */
	int fail;		/* an error of ours, with @why */
	struct errmsg why;
	/* Progress and the bandwidth cap. */
	struct image_progress pr;
	uint64_t t0, last_ns, last_fetched;
};

static void report(struct fetch *f, bool final)
{
	uint64_t now = clock_now_ns(), dt = now - f->last_ns;

	if (!f->o->progress || (!final && dt < REPORT_NS))
		return;
	if (dt >= REPORT_NS / 4) { /* a smoothed rate: recent, not jumpy */
		uint64_t inst = (f->pr.fetched - f->last_fetched) * SEC_NS / dt;
		f->pr.rate = f->pr.rate ? (f->pr.rate * 7 + inst * 3) / 10 : inst;
		f->last_ns = now;
		f->last_fetched = f->pr.fetched;
	}
	f->pr.eta_s = f->pr.rate ? (int64_t)((f->pr.total - f->pr.done) / f->pr.rate) : -1;
	f->pr.final = final;
	f->o->progress(f->o->ctx, &f->pr);
}

/* Sleeps as long as the bytes so far are ahead of the cap. */
static void throttle(struct fetch *f)
{
	uint64_t due, now;

	if (!f->o->rate)
		return;
	due = f->t0 + (uint64_t)((double)f->pr.fetched * SEC_NS / (double)f->o->rate);
	now = clock_now_ns();
	if (due > now) {
		struct timespec ts = { (time_t)((due - now) / SEC_NS),
				       (long)((due - now) % SEC_NS) };
		nanosleep(&ts, NULL);
	}
}

static int fail(struct fetch *f, int code, const char *fmt, ...) PRINTF(3, 4);
static int fail(struct fetch *f, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->why.msg, sizeof(f->why.msg), fmt, ap);
	va_end(ap);
	f->fail = code;
	return code;
}

/* The server's answer must be the file the manifest describes. */
static int on_head(void *ctx, const struct http_head *h)
{
	struct fetch *f = ctx;
	uint64_t size = f->m->file_size;

	if (h->status == 206) {
		if (h->range_start != (int64_t)f->req_start)
			return fail(f, -EPROTO, "%.200s: asked for bytes from %llu, the server sent from %lld",
				    f->url, (unsigned long long)f->req_start, (long long)h->range_start);
		if (h->total_length >= 0 && (uint64_t)h->total_length != size)
			return fail(f, -EBADMSG, "%.200s: the server's file has %lld bytes, the manifest says %llu (manifest and image do not match)",
				    f->url, (long long)h->total_length, (unsigned long long)size);
		f->pos = f->req_start;
	} else if (h->status == 200) { /* no Range support: the whole file */
		if (h->content_length >= 0 && (uint64_t)h->content_length != size)
			return fail(f, -EBADMSG, "%.200s: the server's file has %lld bytes, the manifest says %llu (manifest and image do not match)",
				    f->url, (long long)h->content_length, (unsigned long long)size);
		f->pos = 0;
	} else {
		return fail(f, -EPROTO, "%.200s: unexpected answer HTTP %d %s", f->url,
			    h->status, h->reason);
	}
	return 0;
}

static int on_data(void *ctx, const void *data, size_t len)
{
	struct fetch *f = ctx;
	const uint8_t *in = data;
	uint32_t cs = f->m->chunk_size;

	f->pr.fetched += len;
	while (len) {
		uint64_t ci = f->pos / cs;
		uint32_t at = (uint32_t)(f->pos % cs), clen = disk_manifest_chunk_len(f->m, ci);
		size_t n;

		if (ci >= f->m->nchunks)
			return fail(f, -EBADMSG, "%.200s: the server sends more than the manifest's %llu bytes (manifest and image do not match)",
				    f->url, (unsigned long long)f->m->file_size);
		n = MIN(len, (size_t)(clen - at));
		bool wanted = !disk_partial_has(f->p, ci);
		if (wanted)
			memcpy(f->chunk + at, in, n);
		f->pos += n;
		in += n;
		len -= n;
		if (!wanted || at + n < clen)
			continue;
		int r = disk_partial_put(f->p, ci, f->chunk, clen, &f->why);
		if (r < 0) {
			f->fail = r;
			return r;
		}
		f->pr.done += clen;
		if (!disk_partial_missing(f->p)) {
			f->all_done = true;
			return 1;
		}
	}
	report(f, false);
	throttle(f);
	return 0;
}

/* The next run of missing chunks at or after @from: [*a, *b). */
static bool next_run(struct fetch *f, uint64_t from, uint64_t *a, uint64_t *b)
{
	uint64_t i = from;

	while (i < f->m->nchunks && disk_partial_has(f->p, i))
		i++;
	if (i == f->m->nchunks)
		return false;
	*a = i;
	while (i < f->m->nchunks && !disk_partial_has(f->p, i))
		i++;
	*b = i;
	return true;
}

static int get_run(struct fetch *f, struct http_session *hs, uint64_t a, uint64_t b,
		   struct errmsg *err)
{
	uint64_t cs = f->m->chunk_size;
	struct http_get_opts g = { .on_head = on_head, .on_data = on_data, .ctx = f };
	const char *url = http_session_url(hs)[0] ? http_session_url(hs) : f->url;
	int r;

	f->req_start = a * cs;
	f->req_end = MIN(b * cs, f->m->file_size);
	g.offset = f->req_start;
	g.end = f->req_end;
	f->fail = 0;
	r = http_session_get(hs, url, &g, err);
	if (f->all_done)
		return 0;
	if (f->fail) /* ours says more than "answer refused" */
		return errmsg_set(err, f->fail, "%s", f->why.msg);
	if (r < 0)
		return r;
	if (f->pos < f->req_end && f->pos / cs < f->m->nchunks &&
	    !disk_partial_has(f->p, f->pos / cs))
		return errmsg_set(err, -EPIPE,
				  "%.200s: the file ends at byte %llu, inside chunk %llu: truncated on the server (the manifest says %llu bytes)",
				  f->url, (unsigned long long)f->pos,
				  (unsigned long long)(f->pos / cs),
				  (unsigned long long)f->m->file_size);
	return 0;
}

int image_fetch_partial(const char *image_url, struct disk_partial *p,
			const struct disk_manifest *m,
			const struct image_fetch_opts *o, struct errmsg *err)
{
	struct fetch f = { .p = p, .m = m, .o = o, .url = image_url };
	struct http_session *hs;
	uint64_t a, b;
	int r = http_session_new(o->timeout_ms, &hs);

	if (r < 0 || !(f.chunk = malloc(m->chunk_size))) {
		http_session_free(hs);
		return errmsg_set(err, -ENOMEM, "out of memory");
	}
	f.pr.total = m->file_size;
	for (uint64_t i = 0; i < m->nchunks; i++)
		if (disk_partial_has(p, i))
			f.pr.done += disk_manifest_chunk_len(m, i);
	f.t0 = f.last_ns = clock_now_ns();
	f.pr.eta_s = -1;
	while (r == 0 && next_run(&f, 0, &a, &b)) {
		uint64_t before = disk_partial_missing(p);

		r = get_run(&f, hs, a, b, err);
		if (r == 0 && disk_partial_missing(p) == before)
			r = errmsg_set(err, -EPROTO, "%.200s: the server sent nothing of chunks %llu..%llu",
				       image_url, (unsigned long long)a,
				       (unsigned long long)(b - 1));
	}
	report(&f, r == 0);
	if (getenv("KVMBOX_FETCH_STATS")) /* tests check the keep-alive */
		fprintf(stderr, "fetch: %u connection(s), %llu bytes received\n",
			http_session_connects(hs), (unsigned long long)f.pr.fetched);
	http_session_free(hs);
	free(f.chunk);
	return r;
}
