/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The multicast sender: announces the session (geometry and manifest),
 * waits for receivers, then sends the file in passes. Pass 0 is every
 * packet; each later pass is the union of what receivers said they miss
 * when the previous one ended. The rate follows the loss they report.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/udp.h>
#include <netinet/in.h>

#include "mcast_private.h"

#define BATCH 64		/* packets per sendmmsg */
#define ANNOUNCE_EVERY 64	/* data packets between two manifest pieces */
#define PIECE (MCAST_MAX_PKT - 72)
#define MAX_RECEIVERS 1024
#define WINDOW_NS 100000000ull	/* rate control window */
#define ROUND_RESEND_NS 100000000ull
#define ROUND_WAIT_NS 1000000000ull
#define STRIKES 5
#define BURST_NS 4000000ull
/*
 * At most this many DATA packets ahead of the slowest receiver that is
 * keeping up (its last packet moved within WINDOW_STALE_NS): receivers on
 * a busy CPU slow the sender down instead of overflowing their sockets.
 */
#define WINDOW_PKTS 8192u
#define WINDOW_STALE_NS 500000000ull

struct receiver {
	uint32_t id;
	uint32_t pass;		/* last ROUND it answered */
	uint32_t flags;
	uint64_t last_ns;
	uint64_t missing;	/* packets, as it last said */
	uint64_t missing_at_round; /* ... at the end of the previous pass */
	unsigned strikes;	/* passes in a row without progress */
	uint32_t last_seq;	/* last DATA it took in */
	uint64_t seq_ns;	/* when last_seq last moved (0: never said) */
	bool dropped;
};

struct sender {
	const struct mcast_send_config *c;
	const struct mcast_geometry *g;
	int fd;
	struct sockaddr_in to;
	uint64_t session;
	const uint8_t *map;
	uint8_t digest[32];
	uint64_t *todo, *next;
	size_t words;
	uint32_t pass, seq, piece_off;
	struct receiver rx[MAX_RECEIVERS];
	unsigned nrx;
	struct mcast_rate rate;
	uint32_t worst_loss;
	bool loss_reported;
	uint64_t win_end_ns, send_at_ns;
	struct mcast_send_stats *st;
	bool no_gso;		/* UDP_SEGMENT refused once: never again */
};

static void log_line(const struct sender *s, const char *fmt, ...) PRINTF(2, 3);
static void log_line(const struct sender *s, const char *fmt, ...)
{
	va_list ap;

	if (s->c->quiet)
		return;
	va_start(ap, fmt);
	log_vmsg(LOG_INFO, fmt, ap);
	va_end(ap);
}

static struct receiver *receiver_find(struct sender *s, uint32_t id)
{
	for (unsigned i = 0; i < s->nrx; i++)
		if (s->rx[i].id == id)
			return &s->rx[i];
	if (s->nrx == MAX_RECEIVERS)
		return NULL;
	s->rx[s->nrx] = (struct receiver){ .id = id, .missing = UINT64_MAX,
					    .missing_at_round = UINT64_MAX };
	log_line(s, "mcast-send: receiver %08x joined", id);
	return &s->rx[s->nrx++];
}

static void on_nak(struct sender *s, const struct mcast_pkt *m)
{
	uint64_t first = m->nak.first, n = m->nak.nbits;

	if (first >= s->g->npkts)
		return;
	n = MIN(n, s->g->npkts - first);
	for (uint64_t i = 0; i < n; i++)
		if (m->nak.bits[i / 8] >> (i % 8) & 1)
			bit_set(s->next, first + i);
}

static void on_status(struct sender *s, struct receiver *r,
		      const struct mcast_pkt *m)
{
	uint32_t exp = m->status.expected, got = MIN(m->status.got, exp);

	r->flags = m->status.flags;
	r->missing = m->status.missing;
	if (!r->seq_ns || m->status.last_seq != r->last_seq) {
		r->last_seq = m->status.last_seq;
		r->seq_ns = clock_now_ns();
	}
	r->pass = MAX(r->pass, m->status.pass);
	if (exp >= 64) {
		s->worst_loss = MAX(s->worst_loss,
				    (uint32_t)((exp - got) * 1000ull / exp));
		s->loss_reported = true;
	}
}

/* Reads every feedback packet waiting; other senders' packets are ignored. */
static void drain(struct sender *s)
{
	uint8_t buf[2048];
	struct mcast_pkt m;
	ssize_t n;

	while ((n = recv(s->fd, buf, sizeof(buf), 0)) >= 0) {
		struct receiver *r;

		if (mcast_pkt_parse(buf, (size_t)n, &m, NULL) < 0 ||
		    m.session != s->session ||
		    (m.type != MCAST_NAK && m.type != MCAST_STATUS))
			continue;
		r = receiver_find(s, m.type == MCAST_NAK ? m.nak.receiver
							 : m.status.receiver);
		if (!r)
			continue;
		r->last_ns = clock_now_ns();
		if (r->dropped) /* back from silence */
			r->dropped = false, s->st->dropped--;
		if (m.type == MCAST_NAK)
			on_nak(s, &m);
		else
			on_status(s, r, &m);
	}
}

static void drop(struct sender *s, struct receiver *r, const char *why)
{
	r->dropped = true;
	s->st->dropped++;
	log_line(s, "mcast-send: receiver %08x %s, dropped (HTTP can finish it)",
		 r->id, why);
}

/*
 * At the end of a pass: receivers silent for too long, or that made no
 * progress in STRIKES passes (a link that sends but no longer receives),
 * no longer hold the session up.
 */
static void drop_stuck(struct sender *s)
{
	uint64_t now = clock_now_ns();
	uint64_t idle = (s->c->idle_s ? s->c->idle_s : 30) * 1000000000ull;

	for (unsigned i = 0; i < s->nrx; i++) {
		struct receiver *r = &s->rx[i];

		if (r->dropped || r->flags & MCAST_ST_DONE)
			continue;
		if (now - r->last_ns >= idle) {
			drop(s, r, "silent");
			continue;
		}
		r->strikes = r->missing < r->missing_at_round ? 0 : r->strikes + 1;
		r->missing_at_round = r->missing;
		if (r->strikes >= STRIKES)
			drop(s, r, "makes no progress");
	}
}

static void fill_announce(struct sender *s, struct mcast_pkt *m)
{
	uint32_t len = (uint32_t)s->c->manifest_len;

	if (s->piece_off >= len)
		s->piece_off = 0;
	*m = (struct mcast_pkt){ .type = MCAST_ANNOUNCE, .session = s->session };
	m->announce.file_size = s->g->file_size;
	m->announce.chunk_size = s->g->chunk_size;
	m->announce.payload = s->g->payload;
	m->announce.manifest_len = len;
	memcpy(m->announce.manifest_digest, s->digest, 32);
	m->announce.piece_off = s->piece_off;
	m->announce.piece = s->c->manifest + s->piece_off;
	m->announce.piece_len = (uint16_t)MIN((uint32_t)PIECE, len - s->piece_off);
	s->piece_off += m->announce.piece_len;
}

/* Up to @max manifest pieces (the whole manifest at most). */
static void send_manifest(struct sender *s, unsigned max)
{
	unsigned n = (unsigned)MIN((uint64_t)max,
				   (s->c->manifest_len + PIECE - 1) / PIECE);
	struct mcast_pkt m;

	for (unsigned i = 0; i < n; i++) {
		fill_announce(s, &m);
		(void)mcast_sock_send(s->fd, &s->to, &m);
	}
}

static void send_control(struct sender *s, enum mcast_type type)
{
	struct mcast_pkt m = { .type = type, .session = s->session };

	m.round.pass = s->pass;
	m.round.seq = s->seq;
	(void)mcast_sock_send(s->fd, &s->to, &m);
}

static void wait_ns(struct sender *s, uint64_t ns)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	struct timespec ts = { (time_t)(ns / 1000000000ull),
			       (long)(ns % 1000000000ull) };

	(void)ppoll(&p, 1, &ts, NULL);
	drain(s);
}

/* Counts live receivers, done ones, and those short of @flag. */
static void census(const struct sender *s, unsigned *live, unsigned *done,
		   unsigned *behind)
{
	*live = *done = *behind = 0;
	for (unsigned i = 0; i < s->nrx; i++) {
		if (s->rx[i].dropped)
			continue;
		(*live)++;
		if (s->rx[i].flags & MCAST_ST_DONE)
			(*done)++;
		else if (s->rx[i].pass < s->pass)
			(*behind)++;
	}
}

static int wait_for_receivers(struct sender *s)
{
	uint64_t limit = clock_now_ns() +
			 (s->c->wait_s ? s->c->wait_s : 60) * 1000000000ull;
	unsigned live, done, behind;

	if (!s->c->wait_receivers) {
		send_manifest(s, 256);
		return 0;
	}
	log_line(s, "mcast-send: session %016llx waiting for %u receivers",
		 (unsigned long long)s->session, s->c->wait_receivers);
	for (;;) {
		census(s, &live, &done, &behind);
		if (live >= s->c->wait_receivers)
			return 0;
		if (clock_now_ns() > limit) {
			log_line(s, "mcast-send: only %u of %u receivers came",
				 live, s->c->wait_receivers);
			return 0;
		}
		send_manifest(s, 256);
		wait_ns(s, 100000000ull);
	}
}

/* The next packet to send at or after *cursor in todo, or npkts. */
static uint64_t next_todo(const struct sender *s, uint64_t i)
{
	while (i < s->g->npkts) {
		uint64_t w = s->todo[i / 64] >> (i % 64);

		if (w)
			return i + (uint64_t)__builtin_ctzll(w);
		i = (i / 64 + 1) * 64;
	}
	return s->g->npkts;
}

/*
 * Packets go out in batches; runs of full-size packets leave as one UDP
 * GSO send (UDP_SEGMENT: the kernel cuts it into datagrams, the stack is
 * crossed once per run instead of once per packet). Each packet's header
 * and payload iovecs follow the previous packet's, so a run is one slice
 * of iov. Without GSO (an old kernel, a device without checksum offload)
 * every packet is its own message.
 */
#define GSO_SEGS 32		/* packets per GSO send: 47 KB < 64 KB */

struct batch {
	uint8_t hdr[BATCH][MCAST_MAX_PKT]; /* header, or a whole announce */
	struct iovec iov[BATCH][2];
	uint16_t size[BATCH];
	struct mmsghdr msg[BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl[BATCH];
	unsigned n, nmsg;
	size_t bytes;
};

static void batch_add(struct sender *s, struct batch *b, const struct mcast_pkt *m,
		      const void *data, size_t len)
{
	size_t h = mcast_pkt_build(b->hdr[b->n], sizeof(b->hdr[b->n]), m);

	(void)s;
	b->iov[b->n][0] = (struct iovec){ b->hdr[b->n], h };
	b->iov[b->n][1] = (struct iovec){ (void *)data, len };
	b->size[b->n] = (uint16_t)(h + len);
	b->bytes += h + len;
	b->n++;
}

/* One message of packets [first, first + count), GSO when count > 1. */
static void batch_msg(struct sender *s, struct batch *b, unsigned first,
		      unsigned count)
{
	struct msghdr *h = &b->msg[b->nmsg].msg_hdr;

	*h = (struct msghdr){ .msg_name = &s->to, .msg_namelen = sizeof(s->to),
			      .msg_iov = b->iov[first], .msg_iovlen = 2 * count };
	if (count > 1) {
		struct cmsghdr *c = &b->ctl[b->nmsg].align;
		uint16_t seg = MCAST_MAX_PKT;

		h->msg_control = b->ctl[b->nmsg].buf;
		h->msg_controllen = sizeof(b->ctl[b->nmsg].buf);
		c->cmsg_level = IPPROTO_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(seg));
		memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	}
	b->nmsg++;
}

/* Cuts the batch into messages: a run of full packets, ended by a short one. */
static void batch_cut(struct sender *s, struct batch *b)
{
	b->nmsg = 0;
	for (unsigned i = 0; i < b->n;) {
		unsigned k = 1;

		if (!s->no_gso)
			while (i + k < b->n && k < GSO_SEGS &&
			       b->size[i + k - 1] == MCAST_MAX_PKT)
				k++;
		batch_msg(s, b, i, k);
		i += k;
	}
}

static int batch_send(struct sender *s, struct batch *b)
{
	unsigned done = 0;

	batch_cut(s, b);
	while (done < b->nmsg) {
		int r = sendmmsg(s->fd, b->msg + done, b->nmsg - done, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			struct pollfd p = { .fd = s->fd, .events = POLLOUT };
			(void)poll(&p, 1, 10);
			continue;
		}
		if (r < 0 && !s->no_gso && (errno == EIO || errno == EINVAL ||
					    errno == ENOPROTOOPT)) {
			s->no_gso = true; /* the path cannot offload: one by one */
			log_line(s, "mcast-send: no UDP GSO here (%s)", strerror(errno));
			return batch_send(s, b);
		}
		if (r < 0)
			return -errno;
		done += (unsigned)r;
	}
	b->n = 0;
	return 0;
}

/* Fills one batch from the todo bitmap; returns the packets queued. */
static unsigned fill_batch(struct sender *s, struct batch *b, uint64_t *cursor)
{
	unsigned data = 0;

	b->n = 0;
	b->bytes = 0;
	while (b->n < BATCH) {
		uint64_t i = next_todo(s, *cursor), chunk;
		uint32_t off, len;
		struct mcast_pkt m = { .type = MCAST_DATA, .session = s->session };

		if (i >= s->g->npkts)
			break;
		*cursor = i + 1;
		mcast_pkt_where(s->g, i, &chunk, &off, &len);
		m.data.seq = s->seq++;
		m.data.chunk = (uint32_t)chunk;
		m.data.offset = off;
		m.data.len = (uint16_t)len;
		batch_add(s, b, &m, s->map + chunk * s->g->chunk_size + off, len);
		data++;
		if (s->seq % ANNOUNCE_EVERY == 0 && b->n < BATCH) {
			fill_announce(s, &m);
			batch_add(s, b, &m, NULL, 0);
		}
	}
	s->st->data_pkts += data;
	if (s->pass)
		s->st->resent_pkts += data;
	return data;
}

static void rate_window(struct sender *s, uint64_t now)
{
	if (now < s->win_end_ns)
		return;
	s->win_end_ns = now + WINDOW_NS;
	if (!s->loss_reported)
		return;
	uint64_t before = s->rate.rate;

	/* A lossy path drops GSO runs whole (bursts of 32): from the first
	 * back-off on, packets go one by one so loss stays spread out. */
	if (mcast_rate_update(&s->rate, s->worst_loss) < before && !s->no_gso) {
		s->no_gso = true;
		log_line(s, "mcast-send: loss seen, no more GSO runs");
	}
	log_debug("mcast-send: loss %u/1000, rate %llu KB/s", s->worst_loss,
		  (unsigned long long)(s->rate.rate / 1000));
	s->worst_loss = 0;
	s->loss_reported = false;
}

static bool window_full(const struct sender *s, uint64_t now)
{
	for (unsigned i = 0; i < s->nrx; i++) {
		const struct receiver *r = &s->rx[i];

		if (r->dropped || r->flags & MCAST_ST_DONE || !r->seq_ns ||
		    now - r->seq_ns > WINDOW_STALE_NS)
			continue;
		if (s->seq - r->last_seq > WINDOW_PKTS)
			return true;
	}
	return false;
}

/* Sends what todo holds, paced. */
static int send_pass(struct sender *s, struct batch *b)
{
	uint64_t cursor = 0;

	for (;;) {
		uint64_t now = clock_now_ns();
		int r;

		if (now < s->send_at_ns) {
			wait_ns(s, s->send_at_ns - now);
			continue;
		}
		if (window_full(s, now)) {
			wait_ns(s, 1000000ull);
			s->st->window_waits++;
			continue;
		}
		/* Credit for at most BURST_NS: a late wake-up (a busy CPU)
		 * is caught up, a long idle time is not. */
		s->send_at_ns = MAX(s->send_at_ns, now - BURST_NS);
		if (!fill_batch(s, b, &cursor))
			return 0;
		r = batch_send(s, b);
		if (r < 0)
			return r;
		s->st->bytes += b->bytes;
		s->send_at_ns += b->bytes * 1000000000ull / s->rate.rate;
		if (s->seq % (BATCH * 8) < BATCH) { /* feedback now and then */
			drain(s);
			rate_window(s, now);
		}
	}
}

static bool lacks_manifest(const struct sender *s)
{
	for (unsigned i = 0; i < s->nrx; i++)
		if (!(s->rx[i].flags & MCAST_ST_MANIFEST) && !s->rx[i].dropped)
			return true;
	return false;
}

/*
 * End of a pass: ROUND until every live receiver answered it (or a
 * second passed). Returns true when there is something to resend.
 */
static bool collect(struct sender *s)
{
	uint64_t start = clock_now_ns(), last = 0;
	unsigned live, done, behind;

	for (;;) {
		uint64_t now = clock_now_ns();

		census(s, &live, &done, &behind);
		/* With nobody there yet, still announce once: late joiners. */
		if ((!behind && (live || last)) || now - start > ROUND_WAIT_NS)
			break;
		if (now - last >= ROUND_RESEND_NS) {
			send_control(s, MCAST_ROUND);
			/* Late joiners learn of the session here too. */
			send_manifest(s, lacks_manifest(s) ? 256 : 1);
			last = now;
		}
		wait_ns(s, 10000000ull);
	}
	drop_stuck(s);
	for (size_t i = 0; i < s->words; i++)
		if (s->next[i])
			return true;
	return false;
}

static void finish(struct sender *s)
{
	for (int i = 0; i < 3; i++) {
		send_control(s, MCAST_END);
		wait_ns(s, 20000000ull);
	}
}

static int run_passes(struct sender *s)
{
	struct batch *b = malloc(sizeof(*b));
	unsigned live, done, behind, max = s->c->max_passes ? s->c->max_passes : 100;
	int r = 0;

	if (!b)
		return -ENOMEM;
	for (uint64_t i = 0; i < s->g->npkts; i++)
		bit_set(s->todo, i);
	for (;;) {
		r = send_pass(s, b);
		if (r < 0)
			break;
		s->st->passes = ++s->pass;
		bool more = collect(s);
		census(s, &live, &done, &behind);
		log_line(s, "mcast-send: pass %u: %u receivers, %u done, rate %llu MB/s",
			 s->pass, live, done,
			 (unsigned long long)(s->rate.rate / 1000000));
		if (!more && done == live && (live || s->c->wait_receivers))
			break;
		if (s->pass >= max) {
			r = -ETIMEDOUT;
			break;
		}
		uint64_t *t = s->todo;
		s->todo = s->next;
		s->next = t;
		memset(s->next, 0, s->words * 8);
		if (!more) /* nobody answered yet: give them a moment */
			wait_ns(s, 100000000ull);
	}
	free(b);
	return r;
}

static int sender_setup(struct sender *s, struct errmsg *err)
{
	const struct mcast_send_config *c = s->c;

	s->session = mcast_random();
	s->st->session = s->session;
	sha256(c->manifest, c->manifest_len, s->digest);
	s->map = mmap(NULL, s->g->file_size, PROT_READ, MAP_SHARED, c->fd, 0);
	if (s->map == MAP_FAILED)
		return errmsg_set(err, -errno, "mapping the image: %s",
				  strerror(errno));
	(void)madvise((void *)s->map, s->g->file_size, MADV_SEQUENTIAL);
	s->words = bit_words(s->g->npkts);
	s->todo = calloc(s->words, 8);
	s->next = calloc(s->words, 8);
	if (!s->todo || !s->next)
		return errmsg_set(err, -ENOMEM, "out of memory");
	s->fd = mcast_sock_open(&c->addr, &s->to, err);
	if (s->fd < 0)
		return s->fd;
	mcast_rate_init(&s->rate, MIN(c->max_rate ? c->max_rate : 1000000000ull,
				      100000000ull),
			1000000, c->max_rate ? c->max_rate : 1000000000ull);
	return 0;
}

int mcast_send_run(const struct mcast_send_config *c,
		   struct mcast_send_stats *st, struct errmsg *err)
{
	struct sender *s = calloc(1, sizeof(*s));
	unsigned live, done, behind;
	uint64_t start;
	int r;

	memset(st, 0, sizeof(*st));
	if (!s)
		return errmsg_set(err, -ENOMEM, "out of memory");
	if (!c->manifest_len || c->manifest_len > MCAST_MAX_MANIFEST) {
		free(s);
		return errmsg_set(err, -EINVAL, "manifest of %zu bytes",
				  c->manifest_len);
	}
	*s = (struct sender){ .c = c, .g = c->geo, .fd = -1, .st = st,
			      .map = MAP_FAILED };
	r = sender_setup(s, err);
	if (r == 0 && (r = wait_for_receivers(s)) == 0) {
		start = clock_now_ns();
		r = run_passes(s);
		finish(s);
		st->ns = clock_now_ns() - start;
		if (r < 0 && !s->nrx)
			errmsg_set(err, r, "no receiver came (%u passes sent to nobody)",
				   s->pass);
		else if (r < 0)
			errmsg_set(err, r, "gave up after %u passes", s->pass);
	}
	census(s, &live, &done, &behind);
	st->receivers = s->nrx;
	st->done = done;
	st->final_rate = s->rate.rate;
	if (s->fd >= 0)
		close(s->fd);
	if (s->map != MAP_FAILED)
		munmap((void *)s->map, s->g->file_size);
	free(s->todo);
	free(s->next);
	free(s);
	return r;
}
