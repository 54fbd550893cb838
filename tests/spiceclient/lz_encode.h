/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small encoder of SPICE "LZ" images for tests and benchmarks, written
 * from the stream format (literal runs, RLE matches, far distances, long
 * lengths): decoders are checked against streams made here.
 * LZ_ENCODE_ASSERT must be defined (a check macro) before inclusion.
 */
#ifndef KVMBOX_TEST_LZ_ENCODE_H
#define KVMBOX_TEST_LZ_ENCODE_H

#include <stdlib.h>

#include "core/core.h"

enum { T_PLT8 = 5, T_RGB16 = 6, T_RGB32 = 8, T_RGBA = 9 };

struct enc {
	uint8_t *p;
	size_t len, cap;
};

static inline void put(struct enc *e, uint8_t b)
{
	if (e->len == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 1024;
		e->p = realloc(e->p, e->cap);
		LZ_ENCODE_ASSERT(e->p != NULL);
	}
	e->p[e->len++] = b;
}

static inline void put_be(struct enc *e, uint32_t v)
{
	for (int s = 24; s >= 0; s -= 8)
		put(e, (uint8_t)(v >> s));
}

static inline void header(struct enc *e, uint32_t type, uint32_t w, uint32_t h,
		   uint32_t stride, bool top_down)
{
	put_be(e, 0x20205a4c);
	put_be(e, 0x00010001);
	put_be(e, type);
	put_be(e, w);
	put_be(e, h);
	put_be(e, stride);
	put_be(e, top_down);
}

/* A match of @len units at distance @dist, for unit bias @bias. */
static inline void match(struct enc *e, uint32_t len, uint32_t dist, uint32_t bias)
{
	uint32_t l = len - bias, ofs = dist - 1;
	bool far = ofs >= 8191;
	uint32_t hi = far ? 31 : ofs >> 8;

	put(e, (uint8_t)((MIN(l, 6u) + 1) << 5 | hi));
	if (l >= 6) {
		uint32_t rest = l - 6;
		for (; rest >= 255; rest -= 255)
			put(e, 255);
		put(e, (uint8_t)rest);
	}
	if (far) {
		put(e, 255);
		put(e, (uint8_t)((ofs - 8191) >> 8));
		put(e, (uint8_t)(ofs - 8191));
	} else {
		put(e, (uint8_t)ofs);
	}
}

typedef void (*lit_fn)(struct enc *e, uint32_t unit);
static inline void lit_rgb32(struct enc *e, uint32_t px)
{
	put(e, (uint8_t)px);
	put(e, (uint8_t)(px >> 8));
	put(e, (uint8_t)(px >> 16));
}
static inline void lit_rgb16(struct enc *e, uint32_t v)
{
	put(e, (uint8_t)(v >> 8));
	put(e, (uint8_t)v);
}
static inline void lit_byte(struct enc *e, uint32_t v)
{
	put(e, (uint8_t)v);
}

/* Literal runs and RLE matches (distance 1) over @n units. */
static inline void encode_units(struct enc *e, const uint32_t *u, size_t n,
			 uint32_t bias, lit_fn lit)
{
	size_t i = 0;

	while (i < n) {
		size_t run = 1;
		while (i + run < n && u[i + run] == u[i])
			run++;
		if (i > 0 && u[i - 1] == u[i] && run >= bias) {
			match(e, (uint32_t)run, 1, bias);
			i += run;
			continue;
		}
		size_t lits = 1;
		while (i + lits < n && lits < 32 && !(u[i + lits] == u[i + lits - 1]))
			lits++;
		put(e, (uint8_t)(lits - 1));
		for (size_t k = 0; k < lits; k++)
			lit(e, u[i + k]);
		i += lits;
	}
}

#endif
