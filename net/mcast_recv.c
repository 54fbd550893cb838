/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The multicast receiver: locks onto the first session announced, puts
 * each packet's payload in place in a spool (a scratch file or memory)
 * and hands a chunk to its owner as soon as all its packets are there.
 * When a pass ends it asks for what it misses (NAK bitmaps, after a short
 * random delay, leaving out what another receiver already asked for) and
 * tells the sender how much it lost (STATUS) so the rate can follow.
 * Anything from another session, out of range, or malformed is counted
 * and dropped; nothing unverified reaches the owner's store.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/udp.h>
#include <netinet/in.h>

#include "mcast_private.h"

/*
 * Receive buffers take a whole coalesced run (UDP_GRO: a sender's GSO
 * send arrives as one datagram of equal segments); plain datagrams fill
 * them one each.
 */
#define RX_BATCH 32
#define RX_BUF 65536
#define NAK_BITS ((MCAST_MAX_PKT - 36) * 8)
#define NAK_DELAY_NS 20000000ull	/* spread: others may ask first */
#define STATUS_NS 100000000ull
#define STATUS_EVERY 1024	/* DATA packets */
#define LINGER_NS 3000000000ull

enum { CHUNK_OPEN, CHUNK_FULL, CHUNK_KEPT };

struct rcv {
	const struct mcast_recv_config *c;
	const struct mcast_recv_ops *ops;
	void *ctx;
	struct mcast_recv_stats *st;
	struct errmsg *err;
	int fd;
	struct sockaddr_in to;
	uint32_t id;
	bool locked, have_geo, manifest_ok;
	uint64_t session;
	struct mcast_geometry g;
	uint8_t digest[32];
	uint8_t *manifest;
	uint64_t *manifest_bits; /* one bit per byte of the manifest */
	uint32_t mlen, mgot;
	uint8_t *spool;
	bool spool_anon;	/* memory, else the scratch file */
	uint64_t *have, *asked;
	uint32_t *chunk_got;
	uint8_t *chunk_state;
	uint64_t missing_chunks, missing_pkts;
	uint32_t pass;
	uint64_t nak_at;	/* 0: no NAK due */
	uint32_t span_got, span_first, span_last, last_seq, since_status;
	bool span_any;
	uint64_t status_at, last_ns, done_ns;
	int fatal;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl[RX_BATCH];
	uint8_t bufs[RX_BATCH][RX_BUF];
};

static uint32_t chunk_npkts(const struct rcv *r, uint64_t chunk)
{
	return (mcast_chunk_len(&r->g, chunk) + r->g.payload - 1) / r->g.payload;
}

static void send_status(struct rcv *r)
{
	struct mcast_pkt m = { .type = MCAST_STATUS, .session = r->session };

	m.status.receiver = r->id;
	m.status.pass = r->pass;
	m.status.flags = (r->manifest_ok ? MCAST_ST_MANIFEST : 0) |
			 (r->manifest_ok && !r->missing_chunks ? MCAST_ST_DONE : 0);
	m.status.got = r->span_got;
	m.status.expected = r->span_any ? r->span_last - r->span_first + 1 : 0;
	m.status.missing = r->missing_pkts;
	m.status.last_seq = r->last_seq;
	r->since_status = 0;
	(void)mcast_sock_send(r->fd, &r->to, &m);
	r->span_got = 0;
	r->span_any = false;
	r->status_at = clock_now_ns() + STATUS_NS;
}

static int spool_setup(struct rcv *r)
{
	size_t words = bit_words(r->g.npkts);

	if (r->c->spool_fd >= 0 && r->g.file_size > r->c->mem_spool_max) {
		if (ftruncate(r->c->spool_fd, (off_t)r->g.file_size) < 0)
			return errmsg_set(r->err, -errno, "spool file: %s",
					  strerror(errno));
		r->spool = mmap(NULL, r->g.file_size, PROT_READ | PROT_WRITE,
				MAP_SHARED, r->c->spool_fd, 0);
	} else {
		r->spool_anon = true;
		r->spool = mmap(NULL, r->g.file_size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		/* 512 times fewer page faults: they were a third of our time. */
		if (r->spool != MAP_FAILED)
			(void)madvise(r->spool, r->g.file_size, MADV_HUGEPAGE);
	}
	if (r->spool == MAP_FAILED) {
		r->spool = NULL;
		return errmsg_set(r->err, -errno, "spool of %llu bytes: %s",
				  (unsigned long long)r->g.file_size,
				  strerror(errno));
	}
	r->have = calloc(words, 8);
	r->asked = calloc(words, 8);
	r->chunk_got = calloc(r->g.nchunks, sizeof(*r->chunk_got));
	r->chunk_state = calloc(r->g.nchunks, 1);
	r->manifest = malloc(r->mlen);
	r->manifest_bits = calloc(bit_words(r->mlen), 8);
	if (!r->have || !r->asked || !r->chunk_got || !r->chunk_state ||
	    !r->manifest || !r->manifest_bits)
		return errmsg_set(r->err, -ENOMEM, "out of memory");
	r->missing_chunks = r->g.nchunks;
	r->missing_pkts = r->g.npkts;
	return 0;
}

/* The first announce fixes the geometry; later ones must agree. */
static int take_geometry(struct rcv *r, const struct mcast_pkt *m)
{
	struct mcast_geometry g;

	if (mcast_geometry_init(&g, m->announce.file_size,
				m->announce.chunk_size, m->announce.payload) < 0)
		return -EBADMSG;
	if (r->have_geo)
		return memcmp(&g, &r->g, sizeof(g)) ||
			       m->announce.manifest_len != r->mlen ||
			       memcmp(r->digest, m->announce.manifest_digest, 32)
		       ? -EBADMSG : 0;
	r->g = g;
	r->mlen = m->announce.manifest_len;
	memcpy(r->digest, m->announce.manifest_digest, 32);
	r->have_geo = true;
	int e = spool_setup(r);
	if (e < 0)
		r->fatal = e;
	return e;
}

static void chunk_forget(struct rcv *r, uint64_t chunk)
{
	uint64_t first = mcast_pkt_index(&r->g, chunk, 0);
	uint32_t n = chunk_npkts(r, chunk);

	for (uint32_t i = 0; i < n; i++)
		bit_clear(r->have, first + i);
	r->missing_pkts += r->chunk_got[chunk];
	r->chunk_got[chunk] = 0;
	r->chunk_state[chunk] = CHUNK_OPEN;
}

/* In memory: frees each 2 MiB block once every chunk over it is kept. */
static void spool_release_anon(struct rcv *r, uint64_t chunk)
{
	const uint64_t block = 2 << 20;
	uint64_t start = chunk * r->g.chunk_size;
	uint64_t end = start + mcast_chunk_len(&r->g, chunk);

	for (uint64_t b = start / block * block; b < end; b += block) {
		uint64_t bend = MIN(b + block, r->g.file_size);
		bool all = true;

		for (uint64_t c = b / r->g.chunk_size;
		     c * r->g.chunk_size < bend && all; c++)
			all = r->chunk_state[c] == CHUNK_KEPT;
		if (all)
			(void)madvise(r->spool + b, bend - b, MADV_DONTNEED);
	}
}

/* Frees the spool's pages under a kept chunk (whole pages only). */
static void spool_release(struct rcv *r, uint64_t chunk)
{
	if (r->spool_anon) {
		spool_release_anon(r, chunk);
		return;
	}
	uint64_t start = chunk * r->g.chunk_size;
	uint64_t end = start + mcast_chunk_len(&r->g, chunk);
	uint64_t page = 4096, a = (start + page - 1) / page * page;
	uint64_t b = end == r->g.file_size ? end : end / page * page;

	if (b > a)
		(void)madvise(r->spool + a, b - a, MADV_REMOVE);
}

static void deliver(struct rcv *r, uint64_t chunk)
{
	uint32_t len = mcast_chunk_len(&r->g, chunk);
	int e;

	e = r->ops->chunk(r->ctx, chunk, r->spool + chunk * r->g.chunk_size,
			  len, r->err);
	if (e == -EBADMSG) { /* forged or corrupted: ask for it again */
		r->st->bad_chunks++;
		chunk_forget(r, chunk);
		return;
	}
	if (e < 0) {
		r->fatal = e;
		return;
	}
	r->chunk_state[chunk] = CHUNK_KEPT;
	r->missing_chunks--;
	r->st->chunks++;
	r->st->bytes += len;
	spool_release(r, chunk);
}

/* Marks every packet of @chunk present, as for a chunk kept before. */
static void chunk_had(struct rcv *r, uint64_t chunk)
{
	uint64_t first = mcast_pkt_index(&r->g, chunk, 0);
	uint32_t n = chunk_npkts(r, chunk);

	for (uint32_t i = 0; i < n; i++)
		if (!bit_get(r->have, first + i)) {
			bit_set(r->have, first + i);
			r->missing_pkts--;
		}
	r->chunk_got[chunk] = n;
	r->chunk_state[chunk] = CHUNK_KEPT;
	r->missing_chunks--;
	r->st->have_chunks++;
}

static void manifest_complete(struct rcv *r)
{
	uint8_t d[32];
	int e;

	sha256(r->manifest, r->mlen, d);
	if (memcmp(d, r->digest, 32)) { /* a forged piece: start again */
		r->st->bad_pkts++;
		memset(r->manifest_bits, 0, bit_words(r->mlen) * 8);
		r->mgot = 0;
		return;
	}
	e = r->ops->manifest(r->ctx, r->manifest, r->mlen, &r->g, r->err);
	if (e < 0) {
		r->fatal = e;
		return;
	}
	r->manifest_ok = true;
	for (uint64_t c = 0; c < r->g.nchunks && !r->fatal; c++) {
		if (r->chunk_state[c] == CHUNK_KEPT)
			continue;
		if (r->ops->have && r->ops->have(r->ctx, c))
			chunk_had(r, c);
		else if (r->chunk_state[c] == CHUNK_FULL)
			deliver(r, c);
	}
}

static void on_announce(struct rcv *r, const struct mcast_pkt *m)
{
	uint32_t off = m->announce.piece_off;

	if (take_geometry(r, m) < 0) {
		r->st->bad_pkts++;
		return;
	}
	if (r->manifest_ok)
		return;
	for (uint32_t i = 0; i < m->announce.piece_len; i++) {
		if (bit_get(r->manifest_bits, off + i))
			continue;
		bit_set(r->manifest_bits, off + i);
		r->manifest[off + i] = m->announce.piece[i];
		r->mgot++;
	}
	if (r->mgot == r->mlen)
		manifest_complete(r);
}

static void on_data(struct rcv *r, const struct mcast_pkt *m)
{
	uint64_t chunk = m->data.chunk, idx;
	uint32_t off = m->data.offset, clen;

	if (!r->have_geo) /* before any announce: asked for later */
		return;
	clen = mcast_chunk_len(&r->g, chunk);
	if (chunk >= r->g.nchunks || off % r->g.payload || off >= clen ||
	    m->data.len != MIN((uint32_t)r->g.payload, clen - off)) {
		r->st->bad_pkts++;
		return;
	}
	if (!r->span_any || (int32_t)(m->data.seq - r->span_first) < 0)
		r->span_first = m->data.seq;
	if (!r->span_any || (int32_t)(m->data.seq - r->span_last) > 0)
		r->span_last = m->data.seq;
	r->span_any = true;
	r->span_got++;
	r->last_seq = m->data.seq;
	/* Often enough for the sender's window to slide smoothly. */
	if (++r->since_status >= STATUS_EVERY)
		send_status(r);
	idx = mcast_pkt_index(&r->g, chunk, off);
	if (bit_get(r->have, idx) || r->chunk_state[chunk] == CHUNK_KEPT) {
		r->st->dup_pkts++;
		return;
	}
	memcpy(r->spool + chunk * r->g.chunk_size + off, m->data.data,
	       m->data.len);
	bit_set(r->have, idx);
	r->missing_pkts--;
	r->st->data_pkts++;
	if (++r->chunk_got[chunk] < chunk_npkts(r, chunk))
		return;
	r->chunk_state[chunk] = CHUNK_FULL;
	if (r->manifest_ok)
		deliver(r, chunk);
}

static void on_others_nak(struct rcv *r, const struct mcast_pkt *m)
{
	uint64_t first = m->nak.first, n = m->nak.nbits;

	if (!r->have_geo || m->nak.pass != r->pass || first >= r->g.npkts)
		return;
	n = MIN(n, r->g.npkts - first);
	for (uint64_t i = 0; i < n; i++)
		if (m->nak.bits[i / 8] >> (i % 8) & 1)
			bit_set(r->asked, first + i);
}

/* One NAK per window of missing packets nobody asked for yet. */
static void send_naks(struct rcv *r)
{
	uint8_t bits[NAK_BITS / 8];
	uint64_t i = 0;

	r->nak_at = 0;
	while (r->have_geo && i < r->g.npkts) {
		struct mcast_pkt m = { .type = MCAST_NAK, .session = r->session };
		uint32_t n = 0, last = 0;
		bool any = false;

		if (bit_get(r->have, i) || bit_get(r->asked, i)) {
			i++;
			continue;
		}
		memset(bits, 0, sizeof(bits));
		for (; n < NAK_BITS && i + n < r->g.npkts; n++)
			if (!bit_get(r->have, i + n) && !bit_get(r->asked, i + n)) {
				bits[n / 8] |= (uint8_t)(1u << (n % 8));
				last = n;
				any = true;
			}
		if (any) {
			m.nak.receiver = r->id;
			m.nak.pass = r->pass;
			m.nak.first = i;
			m.nak.nbits = last + 1;
			m.nak.bits = bits;
			while (mcast_sock_send(r->fd, &r->to, &m) == -EAGAIN) {
				struct pollfd p = { .fd = r->fd, .events = POLLOUT };
				(void)poll(&p, 1, 10);
			}
		}
		i += n;
	}
	send_status(r);
}

static void on_round(struct rcv *r, const struct mcast_pkt *m)
{
	if (m->round.pass < r->pass)
		return;
	if (m->round.pass > r->pass) {
		r->pass = m->round.pass;
		if (r->have_geo)
			memset(r->asked, 0, bit_words(r->g.npkts) * 8);
	}
	if (!r->nak_at)
		r->nak_at = clock_now_ns() + mcast_random() % NAK_DELAY_NS;
}

static bool done(const struct rcv *r)
{
	return r->manifest_ok && !r->missing_chunks;
}

static void dispatch(struct rcv *r, const uint8_t *buf, size_t len)
{
	struct mcast_pkt m;

	if (mcast_pkt_parse(buf, len, &m, NULL) < 0) {
		r->st->bad_pkts++;
		return;
	}
	if (!r->locked) {
		if (m.type != MCAST_ANNOUNCE)
			return; /* nothing to place it against yet */
		if (r->c->want_digest &&
		    memcmp(m.announce.manifest_digest, r->c->want_digest, 32)) {
			r->st->other_image++; /* not the image we were told */
			return;
		}
		r->locked = true;
		r->session = m.session;
		r->st->session = m.session;
		if (!r->c->quiet)
			log_info("mcast-recv: session %016llx",
				 (unsigned long long)m.session);
	}
	if (m.session != r->session) {
		r->st->foreign_pkts++;
		return;
	}
	switch (m.type) {
	case MCAST_ANNOUNCE: on_announce(r, &m); break;
	case MCAST_DATA: on_data(r, &m); break;
	case MCAST_ROUND: on_round(r, &m); break;
	case MCAST_END: r->st->ended = true; break;
	case MCAST_NAK:
		if (m.nak.receiver != r->id)
			on_others_nak(r, &m);
		return; /* receivers' packets say nothing of the sender */
	case MCAST_STATUS: return;
	}
	r->last_ns = clock_now_ns();
}

/* The segment size of a coalesced datagram, or 0 for a plain one. */
static size_t gro_size(struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v > 0 ? (size_t)v : 0;
		}
	return 0;
}

/* Each segment of a coalesced datagram is a packet of its own. */
static void dispatch_msg(struct rcv *r, const uint8_t *buf, struct mmsghdr *m)
{
	size_t len = m->msg_len, seg = gro_size(&m->msg_hdr);

	if (!seg || seg >= len) {
		dispatch(r, buf, len);
		return;
	}
	for (size_t off = 0; off < len && !r->fatal; off += seg)
		dispatch(r, buf + off, MIN(seg, len - off));
}

static void receive_batch(struct rcv *r)
{
	struct iovec iov[RX_BATCH];
	struct mmsghdr msg[RX_BATCH];
	int n;

	for (int i = 0; i < RX_BATCH; i++) {
		iov[i] = (struct iovec){ r->bufs[i], RX_BUF };
		msg[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i],
							.msg_iovlen = 1 } };
	}
	for (int i = 0; i < RX_BATCH; i++) { /* recvmmsg shrinks them */
		msg[i].msg_hdr.msg_control = r->ctl[i].buf;
		msg[i].msg_hdr.msg_controllen = sizeof(r->ctl[i].buf);
	}
	/* Bounded, so a sender faster than us cannot starve our timers. */
	for (int round = 0; round < 16 && !r->fatal; round++) {
		n = recvmmsg(r->fd, msg, RX_BATCH, 0, NULL);
		for (int i = 0; i < n && !r->fatal; i++)
			dispatch_msg(r, r->bufs[i], &msg[i]);
		if (n < RX_BATCH)
			break;
		for (int i = 0; i < RX_BATCH; i++)
			msg[i].msg_hdr.msg_controllen = sizeof(r->ctl[i].buf);
	}
}

static int wait_timeout(const struct rcv *r, uint64_t now, uint64_t limit)
{
	uint64_t t = MIN(limit, r->status_at);

	if (r->nak_at)
		t = MIN(t, r->nak_at);
	return t <= now ? 0 : (int)MIN((t - now + 999999) / 1000000, 1000u);
}

static int loop(struct rcv *r)
{
	uint64_t timeout = (r->c->timeout_s ? r->c->timeout_s : 30) * 1000000000ull;

	r->last_ns = clock_now_ns();
	r->status_at = r->last_ns;
	for (;;) {
		uint64_t now = clock_now_ns();
		struct pollfd p = { .fd = r->fd, .events = POLLIN };

		if (r->fatal)
			return r->fatal;
		if (done(r) && !r->done_ns)
			r->done_ns = now;
		if (r->st->ended || (r->done_ns && now - r->done_ns > LINGER_NS))
			return done(r) ? 0 : -ECONNRESET;
		if (now - r->last_ns > timeout)
			return -ETIMEDOUT;
		if (r->nak_at && now >= r->nak_at)
			send_naks(r);
		if (r->locked && now >= r->status_at)
			send_status(r);
		if (poll(&p, 1, wait_timeout(r, now, r->last_ns + timeout)) > 0)
			receive_batch(r);
	}
}

static void rcv_free(struct rcv *r)
{
	if (r->fd >= 0)
		close(r->fd);
	if (r->spool)
		munmap(r->spool, r->g.file_size);
	free(r->have);
	free(r->asked);
	free(r->chunk_got);
	free(r->chunk_state);
	free(r->manifest);
	free(r->manifest_bits);
	free(r);
}

int mcast_recv_run(const struct mcast_recv_config *c,
		   const struct mcast_recv_ops *ops, void *ctx,
		   struct mcast_recv_stats *st, struct errmsg *err)
{
	struct rcv *r = calloc(1, sizeof(*r));
	uint64_t start = clock_now_ns();
	int e;

	memset(st, 0, sizeof(*st));
	if (!r)
		return errmsg_set(err, -ENOMEM, "out of memory");
	*r = (struct rcv){ .c = c, .ops = ops, .ctx = ctx, .st = st, .err = err,
			   .id = (uint32_t)mcast_random() };
	r->fd = mcast_sock_open(&c->addr, &r->to, err);
	if (r->fd < 0) {
		e = r->fd;
		rcv_free(r);
		return e;
	}
	/* Take a sender's GSO runs whole: one skb per run, not per packet. */
	(void)setsockopt(r->fd, IPPROTO_UDP, UDP_GRO, &(int){ 1 }, sizeof(int));
	e = loop(r);
	if (e == 0 || done(r)) { /* tell the sender, in case END is near */
		send_status(r);
		e = 0;
	}
	st->missing_chunks = r->have_geo ? r->missing_chunks : 0;
	st->ns = clock_now_ns() - start;
	if (e == -ETIMEDOUT)
		errmsg_set(err, e, r->locked ? "the session went silent"
			   : st->other_image ? "no session of the wanted image heard"
			   : "no multicast session heard");
	else if (e == -ECONNRESET)
		errmsg_set(err, e, "the sender ended the session with %llu chunks missing",
			   (unsigned long long)st->missing_chunks);
	rcv_free(r);
	return e;
}
