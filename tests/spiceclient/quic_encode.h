/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A QUIC image encoder for tests and benchmarks, written from the format
 * independently of spiceclient/quic.c: same prediction, Golomb family,
 * model updates, update schedule and run coder, seen from the writing
 * side. Pixels are uint32 with channel samples in bytes (r 16, g 8, b 0,
 * alpha 24); for RGB16 the samples are 5-bit values.
 *
 * Define QE_ASSERT(cond) before including (the harness's CHECK).
 */
#ifndef KVMBOX_TEST_QUIC_ENCODE_H
#define KVMBOX_TEST_QUIC_ENCODE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { QE_RGB16 = 2, QE_RGB24 = 3, QE_RGB32 = 4, QE_RGBA = 5 };

struct qe_out {
	uint8_t *p;
	size_t len, cap;
	uint64_t acc;
	unsigned nbits;
};

static void qe_word(struct qe_out *o, uint32_t w)
{
	if (o->len + 4 > o->cap) {
		o->cap = o->cap ? o->cap * 2 : 4096;
		o->p = realloc(o->p, o->cap);
		QE_ASSERT(o->p != NULL);
	}
	for (int i = 0; i < 4; i++)
		o->p[o->len++] = (uint8_t)(w >> (8 * i));
}

/* Appends the @len low bits of @v, most significant first. */
static void qe_bits(struct qe_out *o, uint32_t v, unsigned len)
{
	for (unsigned i = len; i-- > 0;) {
		o->acc = o->acc << 1 | (v >> i & 1);
		if (++o->nbits == 32) {
			qe_word(o, (uint32_t)o->acc);
			o->acc = 0;
			o->nbits = 0;
		}
	}
}

struct qe_fam {
	unsigned bpc, mask, n_gr[8], esc_len[8];
	uint8_t bucket_of[256];
};

struct qe_state {
	unsigned waitcnt, seed, trigger, wmidx, wmileft, run_state, run_len;
};

struct qe_chan {
	unsigned best[16];
	unsigned counters[16][8];
	uint8_t *corr; /* [-1 .. width-1] */
};

struct qe {
	struct qe_out out;
	struct qe_fam f;
	struct qe_chan ch[4];
	struct qe_state rgb, alpha;
	uint32_t w;
};

static const uint16_t qe_triggers[11] = { 110, 550, 900, 800, 550, 400, 350, 250, 140, 160, 140 };
static const uint8_t qe_run_exp[32] = {
	0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
	8, 9, 10, 11, 12, 13, 14, 15
};

#include "spiceclient/quic_chaos.h"
#define qe_chaos quic_chaos

static unsigned qe_code_len(const struct qe_fam *f, unsigned v, unsigned l)
{
	return v < f->n_gr[l] ? (v >> l) + l + 1 : f->esc_len[l];
}

static void qe_fam_init(struct qe_fam *f, unsigned bpc)
{
	f->bpc = bpc;
	f->mask = (1u << bpc) - 1;
	for (unsigned l = 0; l < bpc; l++) {
		unsigned prefix = 26 - bpc, cap = (1u << (bpc - l)) - 1;
		if (prefix > cap)
			prefix = cap;
		unsigned esc = (1u << bpc) - (prefix << l), suffix = 0;
		while ((1u << suffix) < esc)
			suffix++;
		f->n_gr[l] = prefix << l;
		f->esc_len[l] = prefix + suffix;
	}
	for (unsigned v = 0, b = 0, size = 1, start = 0; v <= f->mask; v++) {
		unsigned end = start + size - 1;
		if (end + size > f->mask)
			end = f->mask;
		f->bucket_of[v] = (uint8_t)b;
		if (v == end) {
			b++;
			start = end + 1;
			size *= 2;
		}
	}
}

static void qe_golomb(struct qe *e, unsigned v, unsigned l)
{
	if (v < e->f.n_gr[l]) {
		qe_bits(&e->out, 0, v >> l); /* unary part: zeros then a one */
		qe_bits(&e->out, 1u << l | (v & ((1u << l) - 1)), l + 1);
	} else {
		qe_bits(&e->out, v - e->f.n_gr[l], e->f.esc_len[l]);
	}
}

static void qe_update(struct qe *e, struct qe_state *s, struct qe_chan *c,
		      unsigned ctx, unsigned v)
{
	unsigned b = e->f.bucket_of[ctx], best = e->f.bpc - 1;
	unsigned best_len = c->counters[b][best] += qe_code_len(&e->f, v, best);

	for (int l = (int)e->f.bpc - 2; l >= 0; l--) {
		unsigned len = c->counters[b][l] += qe_code_len(&e->f, v, (unsigned)l);
		if (len < best_len) {
			best = (unsigned)l;
			best_len = len;
		}
	}
	c->best[b] = best;
	if (best_len > s->trigger)
		for (unsigned l = 0; l < e->f.bpc; l++)
			c->counters[b][l] >>= 1;
}

static void qe_run(struct qe *e, struct qe_state *s, unsigned run)
{
	while (run >= 1u << s->run_len) {
		qe_bits(&e->out, 1, 1);
		run -= 1u << s->run_len;
		if (s->run_state < 31)
			s->run_len = qe_run_exp[++s->run_state];
	}
	qe_bits(&e->out, run, s->run_len + 1);
	if (s->run_state)
		s->run_len = qe_run_exp[--s->run_state];
}

struct qe_plane {
	struct qe_state *s;
	struct qe_chan *ch;
	unsigned n, shift[3];
	uint32_t same;
};

static unsigned qe_s(uint32_t px, unsigned sh) { return px >> sh & 0xff; }

static void qe_pixel(struct qe *e, const struct qe_plane *p, const uint32_t *prev,
		     const uint32_t *cur, uint32_t i)
{
	for (unsigned c = 0; c < p->n; c++) {
		struct qe_chan *ch = &p->ch[c];
		unsigned sh = p->shift[c], pred;
		if (!prev)
			pred = i ? qe_s(cur[i - 1], sh) : 0;
		else if (!i)
			pred = qe_s(prev[0], sh);
		else
			pred = (qe_s(cur[i - 1], sh) + qe_s(prev[i], sh)) >> 1;
		unsigned d = (qe_s(cur[i], sh) - pred) & e->f.mask;
		unsigned folded = d <= e->f.mask >> 1 ? d << 1 : ((e->f.mask - d) << 1) + 1;
		ch->corr[i] = (uint8_t)folded;
		qe_golomb(e, folded, ch->best[e->f.bucket_of[ch->corr[(int)i - 1]]]);
	}
}

static void qe_update_all(struct qe *e, const struct qe_plane *p, uint32_t at)
{
	for (unsigned c = 0; c < p->n; c++)
		qe_update(e, p->s, &p->ch[c], p->ch[c].corr[(int)at - 1], p->ch[c].corr[at]);
}

static void qe_segment(struct qe *e, const struct qe_plane *p, const uint32_t *prev,
		       const uint32_t *cur, uint32_t i, uint32_t end, uint32_t waitmask)
{
	struct qe_state *s = p->s;
	uint32_t stop, run_from = 0;

	if (i == 0) {
		qe_pixel(e, p, prev, cur, 0);
		if (s->waitcnt) {
			s->waitcnt--;
		} else {
			s->waitcnt = qe_chaos[++s->seed & 0xff] & waitmask;
			qe_update_all(e, p, 0);
		}
		stop = ++i + s->waitcnt;
	} else {
		stop = i + s->waitcnt;
	}
	while (i < end) {
		if (prev && i > 2 && run_from != i && !((prev[i - 1] ^ prev[i]) & p->same) &&
		    !((cur[i - 1] ^ cur[i - 2]) & p->same)) {
			unsigned run = 0;
			s->waitcnt = stop - i;
			run_from = i;
			while (i < end && !((cur[i] ^ cur[i - 1]) & p->same)) {
				run++;
				i++;
			}
			qe_run(e, s, run);
			if (i == end)
				return;
			stop = i + s->waitcnt;
			continue;
		}
		qe_pixel(e, p, prev, cur, i);
		if (i == stop) {
			qe_update_all(e, p, stop);
			stop = i + 1 + (qe_chaos[++s->seed & 0xff] & waitmask);
		}
		i++;
	}
	s->waitcnt = stop - end;
}

static void qe_row(struct qe *e, const struct qe_plane *p, const uint32_t *prev,
		   const uint32_t *cur)
{
	struct qe_state *s = p->s;
	uint32_t pos = 0, width = e->w;

	for (unsigned c = 0; c < p->n; c++)
		p->ch[c].corr[-1] = prev ? p->ch[c].corr[0] : 0;
	while (s->wmidx < 6 && s->wmileft <= width) {
		if (s->wmileft) {
			qe_segment(e, p, prev, cur, pos, pos + s->wmileft, (1u << s->wmidx) - 1);
			width -= s->wmileft;
			pos += s->wmileft;
		}
		s->wmidx++;
		s->trigger = qe_triggers[s->wmidx < 10 ? s->wmidx : 10];
		s->wmileft = 2048;
	}
	if (width) {
		qe_segment(e, p, prev, cur, pos, pos + width, (1u << s->wmidx) - 1);
		if (s->wmidx < 6)
			s->wmileft -= width;
	}
}

/* Encodes @px (w × h, top-down) as a QUIC stream of @type; caller frees. */
static uint8_t *quic_encode(int type, const uint32_t *px,
			    uint32_t w, uint32_t h, size_t *len)
{
	struct qe *e = calloc(1, sizeof(*e));
	unsigned nch = type == QE_RGBA ? 4 : 3;

	QE_ASSERT(e != NULL);
	e->w = w;
	qe_fam_init(&e->f, type == QE_RGB16 ? 5 : 8);
	for (unsigned c = 0; c < nch; c++) {
		e->ch[c].corr = (uint8_t *)calloc(w + 1, 1) + 1;
		for (unsigned b = 0; b < 16; b++)
			e->ch[c].best[b] = e->f.bpc - 1;
	}
	struct qe_state init = { .seed = 0xff, .trigger = qe_triggers[0], .wmileft = 2048 };
	e->rgb = e->alpha = init;
	uint32_t head[5] = { 0x43495551u, 0, (uint32_t)type, w, h };
	for (int i = 0; i < 5; i++)
		qe_bits(&e->out, head[i], 32);
	struct qe_plane colour = { &e->rgb, e->ch, 3, { 16, 8, 0 }, 0xffffff };
	struct qe_plane alpha = { &e->alpha, e->ch + 3, 1, { 24 }, 0xff000000u };
	for (uint32_t y = 0; y < h; y++) {
		const uint32_t *cur = px + (size_t)y * w, *prev = y ? cur - w : NULL;
		qe_row(e, &colour, prev, cur);
		if (nch == 4)
			qe_row(e, &alpha, prev, cur);
	}
	if (e->out.nbits)
		qe_bits(&e->out, 0, 32 - e->out.nbits);
	qe_word(&e->out, 0);
	for (unsigned c = 0; c < nch; c++)
		free(e->ch[c].corr - 1);
	uint8_t *p = e->out.p;
	*len = e->out.len;
	free(e);
	return p;
}

#endif
