/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SPICE QUIC images: a lossless, per-channel predictive codec (SFALIC
 * family). Each sample is predicted from its left and upper neighbours,
 * the error is folded to an unsigned value and written with an adaptive
 * Golomb-Rice code whose parameter is chosen per context bucket (the
 * previous error on the row); runs of pixels repeating their left
 * neighbour are coded with an adaptive Elias-like run code. Colour
 * channels share one adaptation state, alpha has its own.
 *
 * The stream is little-endian 32-bit words read most significant bit
 * first. Decoding must follow the encoder's model updates exactly (the
 * pseudo-random update schedule, the stale context values after runs), so
 * this file mirrors its structure; everything it reads is still bounds
 * checked: a short stream, an impossible run or a size that disagrees
 * with the image descriptor ends with a one-line error. The rows nearly
 * every sample is in have a faster twin in quic_rgb8.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spiceclient/pixfmt.h"
#include "spiceclient/quic_int.h"
#include "spiceclient/quic_chaos.h"

/* Counter-halving thresholds by wait-mask index (model evolution 3). */
static const uint16_t wm_triggers[11] = { 110, 550, 900, 800, 550, 400, 350, 250, 140, 160, 140 };

/* Expected-run exponents of the run coder's states. */
const uint8_t quic_run_exp[RUN_STATES] = {
	0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
	8, 9, 10, 11, 12, 13, 14, 15
};

/* quic_run_cum[s] = the sum of 1 << quic_run_exp[MIN(j, RUN_STATES - 1)]
 * for j < s: what a one adds is 1 << the exponent of the state it is
 * read in, and the last state keeps its exponent. */
const uint32_t quic_run_cum[RUN_STATES + 8] = {
	0, 1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 28, 36, 44, 52, 60, 76, 92,
	124, 156, 220, 284, 412, 540, 796, 1308, 2332, 4380, 8476, 16668, 33052,
	65820, 98588, 131356, 164124, 196892, 229660, 262428, 295196
};

static unsigned ceil_log2(unsigned v)
{
	unsigned r = 0;

	while ((1u << r) < v)
		r++;
	return r;
}

static void family_init(struct family *f, unsigned bpc)
{
	f->bpc = bpc;
	f->mask = low_bits(bpc);
	for (unsigned l = 0; l < bpc; l++) {
		uint32_t prefix = MIN((uint32_t)CODE_LIMIT - bpc, low_bits(bpc - l));
		uint32_t escapes = f->mask + 1 - (prefix << l);

		f->c.n_gr[l] = prefix << l;
		f->c.not_gr_suffix[l] = ceil_log2(escapes);
		f->c.not_gr_len[l] = prefix + f->c.not_gr_suffix[l];
		f->c.not_gr_prefix[l] = low_bits(32 - prefix);
		for (unsigned n = 0; n <= f->mask; n++)
			f->code_len[n][l] = n < f->c.n_gr[l] ? (n >> l) + l + 1 : f->c.not_gr_len[l];
	}
	for (unsigned l = 0; l < MAX_CODES; l++)
		f->unused[l] = l < bpc ? 0 : 0x7fff;
	for (unsigned s = 0; s <= f->mask; s++)
		f->c.l2u[s] = s & 1 ? f->mask - (s >> 1) : s >> 1;
	/* Buckets of 1, 2, 4, … contexts; the last one takes the rest. */
	unsigned start = 0, size = 1, b = 0;
	while (start <= f->mask) {
		unsigned end = start + size - 1;
		if (end + size > f->mask)
			end = f->mask;
		for (unsigned v = start; v <= end; v++)
			f->c.bucket_of[v] = (uint8_t)b;
		b++;
		start = end + 1;
		size *= 2;
	}
}

static void state_init(struct state *s)
{
	memset(s, 0, sizeof(*s));
	s->seed = 0xff;
	s->wmileft = WM_NEXT;
	s->wm_trigger = wm_triggers[0];
}

/* ---- bits --------------------------------------------------------------- */

static ALWAYS_INLINE uint32_t next_word(struct reader *r)
{
	if (__builtin_expect(r->end - r->at < 4, 0)) {
		r->overrun = true;
		return 0;
	}
	uint32_t w = get_le32(r->at);
	r->at += 4;
	return w;
}

static ALWAYS_INLINE uint32_t peek(const struct reader *r)
{
	return (uint32_t)(r->acc >> 32);
}

/* Drops @len (1..32) bits, keeping at least 32 ready. */
static ALWAYS_INLINE void eat(struct reader *r, unsigned len)
{
	r->acc <<= len;
	r->valid -= len;
	if (r->valid < 32) {
		r->acc |= (uint64_t)next_word(r) << (32 - r->valid);
		r->valid += 32;
	}
}

static uint32_t read32(struct reader *r)
{
	uint32_t v = peek(r);

	eat(r, 32);
	return v;
}

/* One Golomb codeword with parameter @l: the folded error. */
static ALWAYS_INLINE unsigned golomb(struct reader *r, const struct codes *f,
				     unsigned l, unsigned mask)
{
	uint32_t bits = peek(r);
	unsigned len, v;

	if (__builtin_expect(bits > f->not_gr_prefix[l], 1)) {
		unsigned zeros = (unsigned)__builtin_clz(bits);
		len = zeros + 1 + l;
		v = zeros << l | (bits >> (32 - len) & low_bits(l));
	} else {
		len = f->not_gr_len[l];
		v = f->n_gr[l] + (bits >> (32 - len) & low_bits(f->not_gr_suffix[l]));
	}
	eat(r, len);
	return v & mask; /* a hostile escape may not leave the alphabet */
}

/* A run length (pixels repeating their left neighbour), at most @limit. */
int quic_read_run(struct reader *r, struct state *s, unsigned limit)
{
	unsigned run = 0;

	for (;;) {
		unsigned ones = (unsigned)__builtin_clz(~peek(r) | 0xffffff);
		for (unsigned i = 0; i < ones; i++) {
			run += 1u << s->run_len;
			if (s->run_state < RUN_STATES - 1)
				s->run_len = quic_run_exp[++s->run_state];
		}
		if (run > limit || r->overrun)
			return -1;
		if (ones < 8) {
			eat(r, ones + 1);
			break;
		}
		eat(r, 8);
	}
	if (s->run_len) {
		run += peek(r) >> (32 - s->run_len);
		eat(r, (unsigned)s->run_len);
	}
	if (s->run_state)
		s->run_len = quic_run_exp[--s->run_state];
	return run > limit ? -1 : (int)run;
}

/* ---- rows --------------------------------------------------------------- */

/*
 * segment() (struct seg: quic_int.h) is inlined into one copy per plane
 * kind and row kind so the channel layout and predictor are constants in
 * the hot loop. It decodes every kind of row; 8-bit colour rows after the
 * first go to quic_rgb8.c instead, which must decode exactly the same
 * (QUIC_PATH_GENERIC keeps this one for comparison).
 */

static ALWAYS_INLINE unsigned sample(uint32_t px, unsigned shift)
{
	return px >> shift & 0xff;
}

static void update_all(struct quic *q, struct state *s, struct channel *ch,
		       unsigned ncomp, uint32_t at)
{
	if (ch == q->ch)
		q->par.ready = false;
	for (unsigned c = 0; c < ncomp; c++)
		quic_update_model(&q->fam, s,
				  &ch[c].buckets[q->fam.c.bucket_of[ch[c].corr[4 * ((int)at - 1)]]],
				  ch[c].corr[4 * at]);
}

/*
 * The hot loop's view: the code tables and each channel's current Golomb
 * parameter per bucket, on the stack so that stores into the picture
 * cannot alias them, and each channel's context (its previous folded
 * error) in a register.
 */
struct hot {
	struct codes f;
	uint8_t best[3][MAX_BUCKETS];
	unsigned ctx[3];
};

static ALWAYS_INLINE void hot_best(struct hot *h, const struct channel *ch,
				   unsigned ncomp)
{
	for (unsigned c = 0; c < ncomp; c++)
		for (unsigned b = 0; b < MAX_BUCKETS; b++)
			h->best[c][b] = (uint8_t)ch[c].buckets[b].best;
}

/*
 * Decodes pixel @i for every channel: row 0 predicts from the left, pixel
 * 0 of later rows from above, the others from the mean of both.
 */
static ALWAYS_INLINE uint32_t decode_pixel(struct reader *r, struct hot *h,
					   uint8_t *const *corr,
					   const unsigned ncomp, const unsigned *shift,
					   const unsigned mask, const bool first,
					   const uint32_t *prev, uint32_t left,
					   uint32_t i)
{
	uint32_t px = 0;

#pragma GCC unroll 4
	for (unsigned c = 0; c < ncomp; c++) {
		unsigned sh = shift[c], pred;
		unsigned v = golomb(r, &h->f, h->best[c][h->f.bucket_of[h->ctx[c]]], mask);

		corr[c][4 * i] = (uint8_t)v;
		h->ctx[c] = v;
		if (first)
			pred = i ? sample(left, sh) : 0;
		else if (!i)
			pred = sample(prev[0], sh);
		else
			pred = (sample(left, sh) + sample(prev[i], sh)) >> 1;
		px |= ((h->f.l2u[v] + pred) & mask) << sh;
	}
	return px;
}

static ALWAYS_INLINE int segment(const struct seg *g, const unsigned ncomp,
				 const unsigned *shift, const uint32_t same,
				 const unsigned mask, const bool first,
				 uint32_t i, uint32_t end, uint32_t waitmask)
{
	struct quic *q = g->q;
	struct state *s = g->s;
	const uint32_t *prev = g->prev;
	uint32_t *cur = g->cur, stop, run_from = 0;
	uint8_t *corr[3] = { g->ch[0].corr, ncomp > 1 ? g->ch[1].corr : NULL,
			     ncomp > 2 ? g->ch[2].corr : NULL };
	struct reader r = q->in; /* a local copy stays in registers */
	struct hot h;
	int rc = 0;

	h.f = q->fam.c;
	hot_best(&h, g->ch, ncomp);
	for (unsigned c = 0; c < ncomp; c++)
		h.ctx[c] = corr[c][4 * ((int)i - 1)];
	/* The pixel to the left stays in a register (the predictor's
	 * dependency chain would otherwise go through memory). */
	uint32_t left = i ? cur[i - 1] : 0;
	/* Colour comes first: it need not keep what the picture held. */
	const bool keep = same == 0xff000000u;
#define PIXEL(at) (left = (keep ? cur[at] & ~same : 0) | \
			  decode_pixel(&r, &h, corr, ncomp, shift, mask, first, prev, left, at))
	if (i == 0) {
		cur[0] = PIXEL(0);
		if (s->waitcnt) {
			s->waitcnt--;
		} else {
			s->waitcnt = quic_chaos[++s->seed & 0xff] & waitmask;
			update_all(q, s, g->ch, ncomp, 0);
			hot_best(&h, g->ch, ncomp);
		}
		stop = ++i + s->waitcnt;
	} else {
		stop = i + s->waitcnt;
	}
	for (;;) {
		bool run = false;
		while (i < end) {
			/* A run may start where the row above repeats and so
			 * did the last two pixels here. */
			if (!first && i > 2 && run_from != i &&
			    !((prev[i - 1] ^ prev[i]) & same) &&
			    !((cur[i - 1] ^ cur[i - 2]) & same)) {
				run = true;
				break;
			}
			cur[i] = PIXEL(i);
			if (i == stop) {
				update_all(q, s, g->ch, ncomp, stop);
				hot_best(&h, g->ch, ncomp);
				stop = i + 1 + (quic_chaos[++s->seed & 0xff] & waitmask);
			}
			i++;
		}
		if (!run) {
			s->waitcnt = stop - end;
			break;
		}
		s->waitcnt = stop - i;
		run_from = i;
		int n = quic_read_run(&r, s, end - i);
		if (n < 0) {
			rc = -1;
			break;
		}
		for (uint32_t e = i + (uint32_t)n; i < e; i++)
			cur[i] = left = (keep ? cur[i] & ~same : 0) | (left & same);
		if (i == end)
			break;
		/* Run pixels leave the context rows as they were. */
		for (unsigned c = 0; c < ncomp; c++)
			h.ctx[c] = corr[c][4 * (i - 1)];
		stop = i + s->waitcnt;
	}
#undef PIXEL
	q->in = r;
	return rc;
}

static const unsigned rgb_shift[3] = { 16, 8, 0 }, alpha_shift[1] = { 24 };

/*
 * Pixels 0 to 2 of an 8-bit colour row after the first, where no run
 * starts: what segment() decodes there, without its setup for a long
 * stretch (which costs more than these few pixels).
 */
static void lead_rgb8(const struct seg *g, uint32_t i, uint32_t end, uint32_t waitmask)
{
	struct quic *q = g->q;
	struct state *s = g->s;
	const struct codes *f = &q->fam.c;
	uint32_t stop = i + s->waitcnt;

	for (; i < end; i++) {
		/* Pixel 0 predicts from above: the mean of two equal values. */
		uint32_t left = i ? g->cur[i - 1] : g->prev[0], px = 0;

		for (unsigned c = 0; c < 3; c++) {
			struct channel *ch = &g->ch[c];
			unsigned sh = rgb_shift[c], ctx = ch->corr[4 * ((int)i - 1)];
			unsigned v = golomb(&q->in, f, ch->buckets[f->bucket_of[ctx]].best, 0xff);
			unsigned pred = (sample(left, sh) + sample(g->prev[i], sh)) >> 1;

			ch->corr[4 * i] = (uint8_t)v;
			px |= ((f->l2u[v] + pred) & 0xff) << sh;
		}
		g->cur[i] = px;
		if (i == stop) {
			update_all(q, s, g->ch, 3, i);
			stop = i + 1 + (quic_chaos[++s->seed & 0xff] & waitmask);
		}
	}
	s->waitcnt = stop - end;
}

static int segment_rgb8(const struct seg *g, uint32_t i, uint32_t end, uint32_t wm)
{
	if (!g->prev)
		return segment(g, 3, rgb_shift, 0xffffff, 0xff, true, i, end, wm);
	if (g->q->path == QUIC_PATH_GENERIC)
		return segment(g, 3, rgb_shift, 0xffffff, 0xff, false, i, end, wm);
	/* No run starts before pixel 3: the fast loop need not ask. */
	if (i < QUIC_RUNS_FROM) {
		uint32_t to = MIN(end, (uint32_t)QUIC_RUNS_FROM);

		lead_rgb8(g, i, to, wm);
		i = to;
	}
	return i < end ? quic_segment_rgb8(g, i, end, wm) : 0;
}

static int segment_rgb5(const struct seg *g, uint32_t i, uint32_t end, uint32_t wm)
{
	return g->prev ? segment(g, 3, rgb_shift, 0xffffff, 0x1f, false, i, end, wm)
		       : segment(g, 3, rgb_shift, 0xffffff, 0x1f, true, i, end, wm);
}

static int segment_alpha(const struct seg *g, uint32_t i, uint32_t end, uint32_t wm)
{
	return g->prev ? segment(g, 1, alpha_shift, 0xff000000u, 0xff, false, i, end, wm)
		       : segment(g, 1, alpha_shift, 0xff000000u, 0xff, true, i, end, wm);
}

typedef int segment_fn(const struct seg *g, uint32_t i, uint32_t end, uint32_t wm);

static int decode_row(const struct seg *g, unsigned ncomp, segment_fn *fn)
{
	struct state *s = g->s;
	uint32_t pos = 0, width = g->q->width;

	for (unsigned c = 0; c < ncomp; c++)
		g->ch[c].corr[-4] = g->prev ? g->ch[c].corr[0] : 0;
	while (s->wmidx < WM_MAX && s->wmileft <= width) {
		if (s->wmileft) {
			if (fn(g, pos, pos + s->wmileft, low_bits(s->wmidx)) < 0)
				return -1;
			width -= s->wmileft;
			pos += s->wmileft;
		}
		s->wmidx++;
		s->wm_trigger = wm_triggers[MIN(s->wmidx, 10u)];
		s->wmileft = WM_NEXT;
	}
	if (width) {
		if (fn(g, pos, pos + width, low_bits(s->wmidx)) < 0)
			return -1;
		if (s->wmidx < WM_MAX)
			s->wmileft -= width;
	}
	return g->q->in.overrun ? -1 : 0;
}

/* ---- images ------------------------------------------------------------- */

static void expand_5bit(uint32_t *px, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t v = px[i], o = 0;
		for (unsigned sh = 0; sh < 24; sh += 8) {
			uint32_t c = v >> sh & 31;
			o |= (c << 3 | c >> 2) << sh;
		}
		px[i] = o;
	}
}

static int quic_setup(struct quic *q, const uint8_t *data, size_t len,
		      uint32_t *type, struct errmsg *err)
{
	q->in.at = q->start = data;
	q->in.end = data + (len & ~(size_t)3);
	if (q->in.end - q->in.at < 4)
		return errmsg_set(err, -EBADMSG, "quic: truncated header");
	q->in.acc = (uint64_t)next_word(&q->in) << 32;
	q->in.acc |= next_word(&q->in);
	q->in.valid = 64;
	uint32_t magic = read32(&q->in), version = read32(&q->in);
	*type = read32(&q->in);
	q->width = read32(&q->in);
	q->height = read32(&q->in);
	if (q->in.overrun)
		return errmsg_set(err, -EBADMSG, "quic: truncated header");
	if (magic != QUIC_MAGIC)
		return errmsg_set(err, -EBADMSG, "quic: bad magic %#x", magic);
	if (version != QUIC_VERSION)
		return errmsg_set(err, -EBADMSG, "quic: version %#x unknown", version);
	if (*type != QUIC_RGB32 && *type != QUIC_RGB24 && *type != QUIC_RGB16 &&
	    *type != QUIC_RGBA)
		return errmsg_set(err, -EBADMSG, "quic: image type %u unsupported", *type);
	return 0;
}

int spice_quic_decode(const uint8_t *data, size_t len, uint32_t want_w,
		      uint32_t want_h, struct spice_pixels *out,
		      struct errmsg *err)
{
	return quic_decode(data, len, want_w, want_h, out, QUIC_PATH_AUTO, err);
}

int quic_decode(const uint8_t *data, size_t len, uint32_t want_w,
		uint32_t want_h, struct spice_pixels *out, enum quic_path path,
		struct errmsg *err)
{
	struct quic *q = calloc(1, sizeof(*q));
	uint32_t type = 0;
	int rc;

	if (!q)
		return errmsg_set(err, -ENOMEM, "quic: no memory");
	rc = quic_setup(q, data, len, &type, err);
	if (rc < 0)
		goto out;
	uint32_t w = q->width, h = q->height;
	if ((want_w && w != want_w) || (want_h && h != want_h)) {
		rc = errmsg_set(err, -EBADMSG, "quic: image is %ux%u, its descriptor says %ux%u",
				w, h, want_w, want_h);
		goto out;
	}
	unsigned nch = type == QUIC_RGBA ? 4 : 3;
	/* Every row costs at least a bit per channel: refuse memory bombs. */
	if ((uint64_t)len * 8 < ((uint64_t)w + h) * nch) {
		rc = errmsg_set(err, -EBADMSG, "quic: %zu bytes cannot hold a %ux%u image",
				len, w, h);
		goto out;
	}
	rc = pixels_alloc(out, w, h, err);
	if (rc < 0)
		goto out;
	q->corr_mem = malloc(((size_t)w + 1) * 8);
	if (!q->corr_mem) {
		rc = errmsg_set(err, -ENOMEM, "quic: no memory");
		goto out;
	}
	family_init(&q->fam, type == QUIC_RGB16 ? 5 : 8);
	for (unsigned c = 0; c < nch; c++) {
		q->ch[c].corr = c < 3 ? q->corr_mem + 4 + (2 - c)
				      : q->corr_mem + ((size_t)w + 1) * 4 + 4;
		for (unsigned b = 0; b < MAX_BUCKETS; b++)
			q->ch[c].buckets[b].best = q->fam.bpc - 1;
	}
	/* CPUID is slow in a virtual machine (tens of µs): asked for big
	 * images only. */
	if (path == QUIC_PATH_AUTO)
		path = (uint64_t)w * h >= 65536 ? QUIC_PATH_FAST_BMI2 : QUIC_PATH_FAST;
	if (path == QUIC_PATH_FAST_BMI2 && !quic_has_bmi2())
		path = QUIC_PATH_FAST;
	q->path = path;
	state_init(&q->rgb);
	state_init(&q->alpha);
	segment_fn *colour = type == QUIC_RGB16 ? segment_rgb5 : segment_rgb8;
	for (uint32_t y = 0; y < h; y++) {
		uint32_t *cur = out->px + (size_t)y * w, *prev = y ? cur - w : NULL;
		struct seg rgb = { q, &q->rgb, q->ch, prev, cur };
		struct seg alpha = { q, &q->alpha, q->ch + 3, prev, cur };
		if (decode_row(&rgb, 3, colour) < 0 ||
		    (nch == 4 && decode_row(&alpha, 1, segment_alpha) < 0)) {
			rc = errmsg_set(err, -EBADMSG, "quic: corrupt or short stream at row %u", y);
			goto out;
		}
	}
	if (type == QUIC_RGB16)
		expand_5bit(out->px, (size_t)w * h);
	rc = 0;
out:
	if (rc < 0 && out->px)
		out->width = out->height = 0;
	free(q->corr_mem);
	free(q);
	return rc;
}
