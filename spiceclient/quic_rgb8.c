/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QUIC rows after the first, 8-bit colour (RGB32, RGB24 and the colour
 * of RGBA): nearly every sample a server sends. It decodes exactly what
 * segment() in quic.c decodes (the tests and fuzz_spice_quic compare the
 * two), arranged for fewer instructions and a short dependency chain,
 * since each codeword's length says where the next one starts:
 *  - the bits come from a byte-swapped window of the stream, 64 at a time
 *    and without a branch (see "the bit window" below);
 *  - the window lives in registers across the loop, runs included: the
 *    loop calls nothing (the model update and the run decoder are
 *    inlined) but to move the window, and keeps what only its rare paths
 *    use in memory (struct cold), so that the registers go to the window,
 *    the contexts and the row pointers;
 *  - each channel's Golomb parameter is looked up straight from its
 *    context (a 256-entry table per channel on the stack, patched when a
 *    bucket's best parameter changes) instead of context → bucket →
 *    parameter;
 *  - the three samples of a pixel are predicted, unfolded and added in
 *    one SSE register, per byte, and their folded errors go out in one
 *    store (corr keeps them in the pixel's order);
 *  - with BMI2 and LZCNT (chosen at run time) the shifts by a variable
 *    count and the leading-zero count are single instructions, and the
 *    model update finds its least total with SSE4.1 (such CPUs have it).
 */
#include <cpuid.h>
#include <emmintrin.h>
#include <tmmintrin.h>
#include <string.h>

#include "spiceclient/quic_int.h"
#include "spiceclient/quic_chaos.h"

static void params_of(struct quic *q, unsigned c)
{
	const struct bucket *b = q->ch[c].buckets;

	for (unsigned v = 0; v < 256; v++)
		q->par.of[c][v] = (uint8_t)b[q->fam.c.bucket_of[v]].best;
}

static void params_init(struct quic *q)
{
	for (unsigned c = 0; c < 3; c++)
		params_of(q, c);
	for (unsigned l = 0; l < MAX_CODES; l++) {
		q->par.above[l] = (uint64_t)q->fam.c.not_gr_prefix[l] << 32 | 0xffffffffu;
		q->par.esc_len[l] = (uint8_t)q->fam.c.not_gr_len[l];
		q->par.esc_base[l] = (uint8_t)q->fam.c.n_gr[l];
	}
	q->par.ready = true;
}

/* quic_update_model() for one 8-bit bucket with SSE4.1 (the BMI2 path
 * only): PHMINPOSUW finds the least total and its lane at once. It takes
 * the lowest lane on a tie and the model the highest, so the lanes go in
 * reversed. Plain asm: the intrinsics would need SSE4.1 in every function
 * this is inlined into, the path without BMI2 included. */
static ALWAYS_INLINE unsigned update_sse41(const struct family *f, struct state *s,
					   struct bucket *b, unsigned v)
{
	const __m128i rev = _mm_set_epi8(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
	__m128i c = _mm_load_si128((const __m128i *)(const void *)b->counters);
	__m128i len = _mm_loadl_epi64((const __m128i *)(const void *)f->code_len[v]);
	__m128i m;

	c = _mm_add_epi16(c, _mm_unpacklo_epi8(len, _mm_setzero_si128()));
	m = c;
	__asm__("pshufb %1, %0\n\tphminposuw %0, %0" : "+x"(m) : "xm"(rev));
	unsigned got = (unsigned)_mm_cvtsi128_si32(m);
	if ((got & 0xffff) > s->wm_trigger)
		c = _mm_srli_epi16(c, 1);
	_mm_store_si128((__m128i *)(void *)b->counters, c);
	return b->best = (MAX_CODES - 1) ^ got >> 16;
}

/* Sets the parameter of the contexts of bucket @bi (8-bit: contexts
 * 2^bi - 1 to 2^(bi + 1) - 2, the last bucket to 255) to @best. Eight at a
 * time: a bucket holds up to 129. The empty asm keeps the compiler from
 * making this a call to memset, which would clobber the loop's registers. */
static ALWAYS_INLINE void params_set(uint8_t *of, unsigned bi, unsigned best)
{
	uint8_t *t = of + (1u << bi) - 1, *e = of + (bi == 7 ? 256 : (2u << bi) - 1);
	uint64_t eight = best * 0x0101010101010101ull;

	for (; t + 8 <= e; t += 8) {
		__asm__("" : "+r"(t));
		memcpy(t, &eight, 8);
	}
	for (; t < e; t++) {
		__asm__("" : "+r"(t));
		*t = (uint8_t)best;
	}
}

/* The model update at a scheduled sample, keeping the table in step.
 * Inline, as everything the loop calls: a call would make the compiler
 * keep the loop's values in the few registers a call preserves, or on the
 * stack. */
static ALWAYS_INLINE void fast_update(struct quic *q, struct params *par,
				      struct state *s, uint32_t ctx_word,
				      uint32_t v_word, const bool sse41)
{
#pragma GCC unroll 3
	for (unsigned c = 0; c < 3; c++) {
		unsigned sh = 16 - 8 * c, ctx = ctx_word >> sh & 0xff;
		unsigned bi = q->fam.c.bucket_of[ctx], v = v_word >> sh & 0xff;
		struct bucket *b = &q->ch[c].buckets[bi];
		unsigned was = b->best, best;

		if (sse41) {
			best = update_sse41(&q->fam, s, b, v);
		} else {
			quic_update_model(&q->fam, s, b, v);
			best = b->best;
		}
		/* Rare: a bucket's best parameter seldom changes. */
		if (best != was)
			params_set(par->of[c], bi, best);
	}
}

/*
 * The prediction, in an SSE register: the pixel to the left stays there
 * from one pixel to the next, which leaves the general registers to the
 * bit window and the contexts. Bytes 0..2 are the colour; byte 3 is kept
 * zero (the row above may hold alpha there, masked off as it is read).
 */
static ALWAYS_INLINE __m128i px_load(const uint32_t *p)
{
	/* Masked in the vector unit: the integer one is the busier. */
	return _mm_and_si128(_mm_cvtsi32_si128((int)*p), _mm_cvtsi32_si128(0xffffff));
}

/* Per byte: floor((left + up) / 2) + the unfolded error of @word (folded
 * errors: even values are v / 2, odd ones 255 - v / 2), mod 256. */
static ALWAYS_INLINE __m128i predict(__m128i left, __m128i up, uint32_t word)
{
	const __m128i one = _mm_set1_epi8(1), low7 = _mm_set1_epi8(0x7f);
	__m128i v = _mm_cvtsi32_si128((int)word);
	__m128i err = _mm_xor_si128(_mm_and_si128(_mm_srli_epi16(v, 1), low7),
				    _mm_sub_epi8(_mm_setzero_si128(), _mm_and_si128(v, one)));
	/* pavgb rounds up: take the halves' odd bit back. */
	__m128i mean = _mm_sub_epi8(_mm_avg_epu8(left, up),
				    _mm_and_si128(_mm_xor_si128(left, up), one));
	return _mm_add_epi8(mean, err);
}

/* ---- the bit window -------------------------------------------------------
 *
 * The general reader (struct reader) refills a word whenever fewer than
 * 32 bits are left, a branch taken at random. Here the bits come from a
 * byte-swapped copy of the stream, 64 at a time from any byte, and a
 * refill tops the buffer up to at least 56 bits without a branch: once
 * before a pixel, and once more before its third codeword only if fewer
 * than 26 bits are left (rare: codewords are short). The load of the
 * next refill then depends on a position known a whole pixel earlier.
 * Positions convert both ways, so the general code (runs, other rows)
 * reads on from exactly where this left off.
 */
struct window {
	const uint8_t *p; /* the next byte of sw.b not yet in acc */
	uint64_t acc;	  /* the next bits, left-aligned */
	unsigned n;	  /* how many of them are valid (the rest: zeros or
			   * the stream's own next bits) */
};

/* Four 32-bit words byte-swapped. SSE2 has no byte shuffle: swap the
 * halves of each word, then the bytes of each half. */
static ALWAYS_INLINE __m128i bswap32x4(__m128i v)
{
	v = _mm_shufflehi_epi16(_mm_shufflelo_epi16(v, 0xb1), 0xb1);
	return _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));
}

/* Swaps @n bytes (a multiple of 16) with SSSE3's byte shuffle, one
 * instruction instead of five: a whole stream goes through here. */
__attribute__((target("ssse3")))
static void swap_ssse3(uint8_t *to, const uint8_t *from, size_t n)
{
	const __m128i order = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);

	for (size_t k = 0; k < n; k += 16)
		_mm_storeu_si128((__m128i *)(void *)(to + k),
				 _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)
								  (from + k)), order));
}

static void swap_from(struct quic *q, size_t off)
{
	size_t total = (size_t)(q->in.end - q->start);
	size_t n = off < total ? MIN(total - off, (size_t)SWAP_WINDOW) : 0, k = 0;

	/* 16 bytes at a time (a whole stream goes through here), then words. */
	if (q->path == QUIC_PATH_FAST_BMI2) {
		k = n & ~(size_t)15;
		swap_ssse3(q->sw.b, q->start + off, k);
	}
	for (; k + 16 <= n; k += 16)
		_mm_storeu_si128((__m128i *)(void *)(q->sw.b + k),
				 bswap32x4(_mm_loadu_si128((const __m128i *)(const void *)
							   (q->start + off + k))));
	for (; k < n; k += 4)
		put_be32(q->sw.b + k, get_le32(q->start + off + k));
	memset(q->sw.b + n, 0, sizeof(q->sw.b) - n);
	q->sw.base = off;
	q->sw.ready = true;
	/* The stream is read in bursts, a window at a time, too far apart
	 * for the hardware to fetch ahead: ask for the next window's bytes
	 * now, to be in the cache when it is swapped. */
	for (size_t at = off + n; at < MIN(off + n + SWAP_WINDOW, total); at += 64)
		__builtin_prefetch(q->start + at, 0, 2);
}

/* Stream bits consumed by the general reader. */
static uint64_t reader_pos(const struct reader *r, const uint8_t *start)
{
	return (uint64_t)(r->at - start) * 8 - r->valid;
}

static ALWAYS_INLINE uint64_t load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

/* Tops @w up to 56..63 valid bits, without a branch. */
static ALWAYS_INLINE void refill(struct window *w)
{
	w->acc |= load_be64(w->p) >> w->n;
	w->p += (63 - w->n) >> 3;
	w->n |= 56;
}

/* The window at stream bit @pos, swapping more of the stream if needed. */
static struct window window_at(struct quic *q, uint64_t pos)
{
	size_t byte = (size_t)(pos >> 3);
	struct window w;

	if (!q->sw.ready || byte < q->sw.base || byte - q->sw.base > SWAP_WINDOW - 32)
		swap_from(q, byte & ~(size_t)3);
	w.p = q->sw.b + (byte - q->sw.base);
	w.acc = 0;
	w.n = 0;
	refill(&w);
	w.acc <<= pos & 7;
	w.n -= pos & 7;
	return w;
}

/* Moves the window on before it runs out of swapped bytes: at most 14
 * bytes are taken and 22 looked at per pixel. */
static __attribute__((noinline)) const uint8_t *window_move(struct quic *q, const uint8_t *p)
{
	size_t byte = q->sw.base + (size_t)(p - q->sw.b);

	swap_from(q, byte & ~(size_t)3);
	return q->sw.b + (byte & 3);
}

/* The general reader at the window's position; it has overrun when it
 * would have needed a word past the end (its 32-bit look-ahead). */
static void window_to_reader(struct quic *q, struct window w)
{
	uint64_t pos = (uint64_t)(q->sw.base + (size_t)(w.p - q->sw.b)) * 8 - w.n;
	size_t words = (size_t)(q->in.end - q->start) / 4, m = (size_t)(pos >> 5);
	unsigned r = pos & 31;
	size_t next = m + (r ? 2 : 1);
	uint64_t acc = (uint64_t)(m < words ? get_le32(q->start + 4 * m) : 0) << 32;

	if (r && m + 1 < words)
		acc |= get_le32(q->start + 4 * (m + 1));
	q->in.acc = acc << r;
	q->in.valid = 64 - (r ? r : 32);
	if (next > words) {
		q->in.overrun = true;
		next = words;
	}
	q->in.at = q->start + 4 * next;
}

/* quic_read_run() on the window: a run length of at most @limit, or -1.
 * Each turn of 8 ones adds 8 or more to the run, so it reads at most
 * limit / 8 + 1 bytes, and limit is under a row's width.
 *
 * Unlike quic_read_run() it does not stop at the stream's end: past it
 * the window reads zeros, which end the run, and the segment ends in the
 * overrun window_to_reader() finds (the same refusal, at the same row). */
#define RUN_MARGIN (SPICE_MAX_SIDE / 8 + 64)
static ALWAYS_INLINE int window_run(struct window *w, struct state *s,
				    unsigned limit)
{
	unsigned state = (unsigned)s->run_state, run = 0;

	for (;;) {
		/* No window_check(): at most limit / 8 + 1 turns of 8 bits,
		 * inside the RUN_MARGIN the loop keeps (see struct cold). */
		refill(w);
		unsigned ones = (unsigned)__builtin_clzll(~w->acc | 0xffffffffffffffull);
		/* A table instead of a turn per one: runs are many on a
		 * desktop, and their ones come in unpredictable numbers. */
		run += quic_run_cum[state + ones] - quic_run_cum[state];
		state = MIN(state + ones, RUN_STATES - 1u);
		if (ones < 8) {
			w->acc <<= ones + 1;
			w->n -= ones + 1;
			break;
		}
		w->acc <<= 8;
		w->n -= 8;
		if (run > limit) {
			s->run_state = (int)state;
			return -1;
		}
	}
	/* The run's low bits, as many as the state's exponent (0..15; the
	 * last turn left at least 48 bits): no branch for 0. */
	unsigned exp = quic_run_exp[state];
	run += (unsigned)(w->acc >> 32 >> (32 - exp));
	w->acc <<= exp;
	w->n -= exp;
	state -= state != 0;
	s->run_state = (int)state;
	s->run_len = quic_run_exp[state];
	return run > limit ? -1 : (int)run;
}

/* The @n pixels of a run, all @px, four at a time (a row of a flat window
 * is one run). The pixels up to @room may be written past the run: they
 * are decoded later. Eight go out without a test of @n, which would be
 * mispredicted on a desktop (runs there are short and of random length). */
static ALWAYS_INLINE uint32_t *fill(uint32_t *p, __m128i px, uint32_t n,
				    const uint32_t *room)
{
	__m128i four = _mm_shuffle_epi32(px, 0);
	uint32_t *e = p + n;

	if (__builtin_expect(p + 8 > room, 0)) {
		for (uint32_t one = (uint32_t)_mm_cvtsi128_si32(px); p < e; p++)
			*p = one;
		return e;
	}
	_mm_storeu_si128((__m128i *)(void *)p, four);
	_mm_storeu_si128((__m128i *)(void *)(p + 4), four);
	if (n > 8) {
		for (p += 8; p + 4 <= e; p += 4)
			_mm_storeu_si128((__m128i *)(void *)p, four);
		_mm_storeu_si128((__m128i *)(void *)(e - 4), four);
	}
	return e;
}

/*
 * One codeword with parameter @l from the top of the window: z leading
 * zeros, a one, l more bits; the value is z << l | those bits. Escapes
 * (z at the limit, so the window at or under a bound) are rare.
 */
#define SAMPLE(ctx, chan) do {						\
		/* 64-bit: no copies to widen l for the table index */	\
		uint64_t l = par->of[chan][ctx], len, z;		\
		unsigned v;						\
		if (lz)							\
			__asm__("lzcnt %1, %0" : "=r"(z) : "r"(w.acc));	\
		else							\
			z = (uint64_t)__builtin_clzll(w.acc | 1);	\
		if (__builtin_expect(w.acc > par->above[l], 1)) {	\
			len = z + 1 + l;				\
			/* 64 - len as a shift count (len is 1..26) */	\
			v = (unsigned)(((z - 1) << l) + (w.acc >> (-len & 63))); \
		} else {						\
			/* An escape: the value in plain after the	\
			 * zeros (so it is the codeword's value). */	\
			len = par->esc_len[l];				\
			v = (par->esc_base[l] + (unsigned)(w.acc >> (-len & 63))) & 0xff; \
		}							\
		w.acc <<= len;						\
		w.n -= (unsigned)len;					\
		ctx = v;						\
	} while (0)

/* Where the next model update or the segment's end is due, whichever
 * comes first: the loop tests one pointer per pixel for both. */
static ALWAYS_INLINE uint32_t *due(uint32_t *cur, uint32_t stop, uint32_t end)
{
	return cur + MIN(stop, end - 1);
}

/*
 * The loop walks the row with a pointer per array (the index only in the
 * rare paths): with the window, the three contexts and the pixel to the
 * left, that is what fits in the registers. What only the rare paths use
 * lives in struct cold, reloaded after COLD(): an empty asm that may have
 * changed it, so that the compiler cannot keep any of it in a register
 * across the loop.
 */
struct cold {
	struct quic *q;
	struct state *s;
	const struct seg *g;
	uint32_t *cur, *corr;
	uint32_t stop, end, waitmask;
	const uint8_t *wend; /* window_move() when p passes this (room
			      * for a pixel and the longest run after it) */
	ptrdiff_t up;	     /* from a pixel to the one above it */
};
#define COLD() __asm__("" : "+m"(c))

/*
 * The one call left in the loop. A call clobbers half the registers, so
 * whatever is live across one is kept where a call cannot touch it: on
 * the stack, for the whole loop. Going through memory explicitly here
 * (the empty asms: "may have changed") leaves nothing of the loop live
 * across the call.
 */
struct hot {
	struct window w;
	unsigned ctx0, ctx1, ctx2;
	__m128i left;
	uint32_t *pc, *pk;
	uint64_t pair;
};
#define MOVE_WINDOW() do {						\
		struct hot h = { w, ctx0, ctx1, ctx2, left, pc, pk, pair }; \
		__asm__("" : "+m"(h));					\
		COLD();							\
		h.w.p = window_move(c.q, h.w.p);			\
		__asm__("" : "+m"(h));					\
		w = h.w;						\
		ctx0 = h.ctx0;						\
		ctx1 = h.ctx1;						\
		ctx2 = h.ctx2;						\
		left = h.left;						\
		pc = h.pc;						\
		pk = h.pk;						\
		pair = h.pair;						\
	} while (0)

/*
 * The run test in one compare: a run starts at pixel i when the row above
 * repeats there (up[i - 1] = up[i]) and so did the last two pixels here
 * (cur[i - 2] = cur[i - 1]), colour only. With pair(i) = up[i] << 32 |
 * cur[i - 1], that is pair(i) = pair(i - 1); up[i] is loaded for the
 * prediction anyway and cur[i - 1] is in a register.
 */
static ALWAYS_INLINE uint64_t pair_of(__m128i left, __m128i up)
{
	return (uint64_t)_mm_cvtsi128_si64(_mm_unpacklo_epi32(left, up));
}

/* pair(i - 1), from memory (where the loop starts, and after a run). */
static ALWAYS_INLINE uint64_t pair_before(const uint32_t *pc, ptrdiff_t up)
{
	return (uint64_t)(pc[up - 1] & 0xffffff) << 32 | (pc[-2] & 0xffffff);
}

static ALWAYS_INLINE int rgb8(const struct seg *g, uint32_t i, uint32_t end,
			      uint32_t waitmask, const bool lz)
{
	struct cold c = { g->q, g->s, g, g->cur, (uint32_t *)(void *)g->q->ch[2].corr,
			  0, end, waitmask, g->q->sw.b + SWAP_WINDOW - 32 - RUN_MARGIN,
			  g->prev - g->cur };
	struct quic *q = g->q;
	struct window w = window_at(q, reader_pos(&q->in, q->start));
	uint32_t ctxw;
	__m128i left;
	unsigned ctx0, ctx1, ctx2;
	/* A copy on the stack: addressed from the stack pointer, it leaves
	 * the loop one more register. */
	struct params tab, *par = &tab;
	int rc = 0;

	if (!q->par.ready)
		params_init(q);
	tab = q->par;
	if (i >= end)
		goto out;
	ctxw = c.corr[(int)i - 1];
	ctx0 = ctxw >> 16 & 0xff;
	ctx1 = ctxw >> 8 & 0xff;
	ctx2 = ctxw & 0xff;
	left = px_load(c.cur + i - 1);
	c.stop = i + c.s->waitcnt;
	uint32_t *pc = c.cur + i, *pk = c.corr + i, *lim = due(c.cur, c.stop, end);
	uint64_t pair = pair_before(pc, c.up);
	__m128i up;
	for (;;) {
		/* The row above through an offset read from the stack each
		 * time: one register less for the loop (its loads are off the
		 * critical path, unlike the bit window's). */
		__asm__("" : "+m"(c.up));
		if (__builtin_expect(w.p > c.wend, 0))
			MOVE_WINDOW();
		up = px_load(pc + c.up);
		uint64_t was = pair;
		pair = pair_of(left, up);
		if (pair == was)
			goto run;
decode:;
		uint32_t word;
		refill(&w);
		SAMPLE(ctx0, 0);
		SAMPLE(ctx1, 1);
		/* Short codewords are the rule: most pixels fit one refill. */
		if (__builtin_expect(w.n < CODE_LIMIT, 0))
			refill(&w);
		SAMPLE(ctx2, 2);
		word = ctx0 << 16 | ctx1 << 8 | ctx2;
		*pk = word;
		left = predict(left, up, word);
		*pc = (uint32_t)_mm_cvtsi128_si32(left);
		if (__builtin_expect(pc >= lim, 0)) {
			COLD();
			i = (uint32_t)(pc - c.cur);
			if (i == c.stop) {
				struct state *s = c.s;
				fast_update(c.q, par, s, pk[-1], word, lz);
				c.stop = i + 1 + (quic_chaos[++s->seed & 0xff] & c.waitmask);
			}
			if (i == c.end - 1)
				break;
			lim = due(c.cur, c.stop, c.end);
		}
		pc++;
		pk++;
		continue;
run:
		COLD();
		i = (uint32_t)(pc - c.cur);
		int got = window_run(&w, c.s, c.end - i);
		if (got < 0) {
			rc = -1;
			goto out;
		}
		pc = fill(pc, left, (uint32_t)got, c.cur + c.end);
		i += (uint32_t)got;
		c.stop += (uint32_t)got; /* run pixels do not count */
		if (i == c.end)
			break;
		pair = pair_before(pc, c.up);
		pk = c.corr + i;
		/* Run pixels leave the context row as it was. */
		ctxw = pk[-1];
		ctx0 = ctxw >> 16 & 0xff;
		ctx1 = ctxw >> 8 & 0xff;
		ctx2 = ctxw & 0xff;
		lim = due(c.cur, c.stop, c.end);
		if (!got)
			goto decode; /* no second run check at the same pixel */
	}
	c.s->waitcnt = c.stop - c.end;
out:
	q = c.q;
	q->par = tab;
	window_to_reader(q, w);
	return rc;
}

#undef MOVE_WINDOW
#undef COLD
#undef SAMPLE

static int rgb8_plain(const struct seg *g, uint32_t i, uint32_t end, uint32_t wm)
{
	return rgb8(g, i, end, wm, false);
}

__attribute__((target("bmi,bmi2,lzcnt,sse4.1")))
static int rgb8_bmi2(const struct seg *g, uint32_t i, uint32_t end, uint32_t wm)
{
	return rgb8(g, i, end, wm, true);
}

bool quic_has_bmi2(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3))
		return false;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_BMI) || !(b & bit_BMI2))
		return false;
	/* LZCNT is ABM, in the extended leaf. */
	return __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & bit_LZCNT);
}

int quic_segment_rgb8(const struct seg *g, uint32_t i, uint32_t end,
		      uint32_t waitmask)
{
	return g->q->path == QUIC_PATH_FAST_BMI2 ? rgb8_bmi2(g, i, end, waitmask)
						 : rgb8_plain(g, i, end, waitmask);
}
