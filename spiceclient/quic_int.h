/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the two halves of the QUIC decoder share: quic.c (the stream,
 * the model, every kind of row) and quic_rgb8.c (the rows nearly every
 * sample is in, arranged for speed). Nothing outside spiceclient/quic*.c
 * includes this.
 */
#ifndef KVMBOX_SPICE_QUIC_INT_H
#define KVMBOX_SPICE_QUIC_INT_H

#include <emmintrin.h>
#include <stdbool.h>
#include <stdint.h>

#include "spiceclient/spice.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

#define QUIC_MAGIC 0x43495551u /* "QUIC" */
#define QUIC_VERSION 0u

enum { QUIC_GRAY = 1, QUIC_RGB16 = 2, QUIC_RGB24 = 3, QUIC_RGB32 = 4, QUIC_RGBA = 5 };

#define MAX_CODES 8	/* Golomb parameters per family (one per bit) */
#define CODE_LIMIT 26	/* longest codeword */
#define WM_MAX 6	/* last wait-mask index */
#define WM_NEXT 2048	/* samples before the wait mask grows */
#define RUN_STATES 32
#define MAX_BUCKETS 16

/* What decoding a sample needs (copied to the stack for the hot loop). */
struct codes {
	uint32_t n_gr[MAX_CODES];	 /* values coded as plain Golomb-Rice */
	uint32_t not_gr_len[MAX_CODES];	 /* length of the escape codewords */
	uint32_t not_gr_prefix[MAX_CODES]; /* bits at or under: an escape */
	uint32_t not_gr_suffix[MAX_CODES]; /* escape suffix length */
	uint8_t l2u[256];		 /* folded error → signed error */
	uint8_t bucket_of[256];		 /* context value → bucket */
};

/* The Golomb code family of one sample depth (8 or 5 bits per channel). */
struct family {
	unsigned bpc, mask;
	struct codes c;
	uint8_t code_len[256][MAX_CODES];
	uint16_t unused[MAX_CODES]; /* 0x7fff in the lanes past bpc */
};

struct bucket {
	/* Code length totals per parameter. Each update adds 1..26 to every
	 * one, and they are halved once the least passes a trigger (at most
	 * 900), so none exceeds about 26 × 927: they fit in 15 bits. */
	uint16_t counters[MAX_CODES];
	unsigned best;
} __attribute__((aligned(16))); /* 32 bytes: its address is a shift away */

/* Adaptation state: the update schedule and the run coder. */
struct state {
	unsigned waitcnt, seed, wm_trigger, wmidx, wmileft;
	int run_state, run_len; /* run_len: log2 of the expected run */
};

struct channel {
	struct bucket buckets[MAX_BUCKETS];
	/* Folded errors of the row, one byte of every 4: the colour
	 * channels of a pixel share a word (r g b at bytes 2 1 0, as in a
	 * pixel; byte 3 unused), alpha has words of its own; corr[-4] is
	 * the context of the row's first sample. */
	uint8_t *corr;
};

struct reader {
	const uint8_t *at, *end;
	uint64_t acc;	/* the next bits, left-aligned; at least 32 valid */
	unsigned valid;
	bool overrun;
};

/*
 * A window of the stream with each 32-bit word byte-swapped, so that its
 * bits are in plain reading order and quic_rgb8.c can load 64 of them
 * from any byte; zeros follow the stream's end and the window's.
 */
#define SWAP_WINDOW 16384
#define SWAP_SLACK 64
struct swapped {
	size_t base;	/* offset in the stream of b[0] (a multiple of 4) */
	bool ready;
	uint8_t b[SWAP_WINDOW + SWAP_SLACK];
};

/* Which code decodes 8-bit colour rows after the first. */
enum quic_path {
	QUIC_PATH_AUTO,		/* the fastest this CPU has */
	QUIC_PATH_GENERIC,	/* segment() in quic.c: the reference */
	QUIC_PATH_FAST,		/* quic_rgb8.c, any x86-64 */
	QUIC_PATH_FAST_BMI2,	/* quic_rgb8.c with BMI2, LZCNT, SSE4.1 (if present) */
};

/* Colour channels' Golomb parameter by context, for quic_rgb8.c. */
struct params {
	uint8_t of[3][256];	  /* context → parameter, per channel */
	uint64_t above[MAX_CODES]; /* left-aligned bits above this: no escape */
	uint8_t esc_len[MAX_CODES];  /* an escape's length (8-bit: 8..26) */
	uint8_t esc_base[MAX_CODES]; /* the least value an escape codes */
	bool ready;		  /* cleared by quic.c's own model updates */
};

struct quic {
	struct reader in;
	const uint8_t *start;	/* the stream's first word */
	struct swapped sw;
	struct params par;
	struct family fam;
	struct channel ch[4];
	struct state rgb, alpha;
	uint8_t *corr_mem;
	uint32_t width, height;
	enum quic_path path;
};

static inline uint32_t low_bits(unsigned n)
{
	return n >= 32 ? 0xffffffffu : (1u << n) - 1;
}

/*
 * The samples of a plane's channels sit in bytes of each uint32 pixel:
 * colour is (r, g, b) = bytes 2, 1, 0 with one shared adaptation state,
 * alpha is byte 3 with its own. A "segment" is a stretch of a row decoded
 * with one wait mask; rows split into segments where the mask grows.
 */
struct seg {
	struct quic *q;
	struct state *s;
	struct channel *ch;
	const uint32_t *prev;
	uint32_t *cur;
};

/* Expected-run exponents of the run coder's states. */
extern const uint8_t quic_run_exp[RUN_STATES];
/* What k ones (k <= 8) read from run state s add to the run:
 * quic_run_cum[s + k] - quic_run_cum[s] (quic.c says how it is made). */
extern const uint32_t quic_run_cum[RUN_STATES + 8];

/* Adds the code lengths of @v to the bucket's totals and makes the
 * parameter with the least its best (the highest such parameter on a
 * tie), all eight at once with SSE2. Inline: both halves call it in their
 * loops. */
static ALWAYS_INLINE void quic_update_model(const struct family *f, struct state *s,
					     struct bucket *b, unsigned v)
{
	__m128i c = _mm_loadu_si128((const __m128i *)(const void *)b->counters);
	__m128i len = _mm_loadl_epi64((const __m128i *)(const void *)f->code_len[v]);

	c = _mm_add_epi16(c, _mm_unpacklo_epi8(len, _mm_setzero_si128()));
	__m128i m = _mm_or_si128(c, _mm_loadu_si128((const __m128i *)(const void *)f->unused));
	__m128i t = _mm_min_epi16(m, _mm_shuffle_epi32(m, 0x4e));
	t = _mm_min_epi16(t, _mm_shuffle_epi32(t, 0xb1));
	t = _mm_min_epi16(t, _mm_shufflelo_epi16(t, 0xb1));
	unsigned least = (unsigned)_mm_extract_epi16(t, 0);
	unsigned lanes = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi16(m, _mm_set1_epi16((short)least)));

	b->best = (31u - (unsigned)__builtin_clz(lanes)) / 2;
	if (least > s->wm_trigger)
		c = _mm_srli_epi16(c, 1);
	_mm_storeu_si128((__m128i *)(void *)b->counters, c);
}

int quic_read_run(struct reader *r, struct state *s, unsigned limit);

/* A segment of a row after the first, 8-bit colour (quic_rgb8.c), from
 * pixel QUIC_RUNS_FROM on (the first where a run may start). */
#define QUIC_RUNS_FROM 3
int quic_segment_rgb8(const struct seg *g, uint32_t i, uint32_t end,
		      uint32_t waitmask);
bool quic_has_bmi2(void); /* and LZCNT, SSSE3 and SSE4.1 */

/* spice_quic_decode() along a chosen path: the tests compare them. */
int quic_decode(const uint8_t *data, size_t len, uint32_t want_w,
		uint32_t want_h, struct spice_pixels *out, enum quic_path path,
		struct errmsg *err);

#endif
