/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Modular exponentiation for RSA's public operation: 32-bit limbs,
 * Montgomery multiplication (CIOS). Only the public key is ever used, so
 * nothing here needs to be constant-time.
 */
#include <errno.h>
#include <string.h>

#include "spiceclient/spice.h"

#define LIMBS (BN_MAX_BYTES / 4)

struct mont {
	uint32_t n[LIMBS];
	uint32_t r2[LIMBS]; /* R^2 mod n, R = 2^(32*s) */
	uint32_t n0inv;	    /* -n^-1 mod 2^32 */
	size_t s;	    /* limbs in use */
};

/* Big-endian bytes into @s little-endian limbs; 0, or -ERANGE if too big. */
static int from_bytes(uint32_t *x, size_t s, const uint8_t *b, size_t len)
{
	memset(x, 0, s * 4);
	for (size_t i = 0; i < len; i++) {
		size_t bit = (len - 1 - i) * 8;
		if (bit / 32 >= s) {
			if (b[i])
				return -ERANGE;
			continue;
		}
		x[bit / 32] |= (uint32_t)b[i] << (bit % 32);
	}
	return 0;
}

static void to_bytes(const uint32_t *x, uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		size_t bit = (len - 1 - i) * 8;
		b[i] = bit / 32 < LIMBS ? (uint8_t)(x[bit / 32] >> (bit % 32)) : 0;
	}
}

/* a >= b over s limbs. */
static bool geq(const uint32_t *a, const uint32_t *b, size_t s)
{
	for (size_t i = s; i-- > 0;)
		if (a[i] != b[i])
			return a[i] > b[i];
	return true;
}

static void sub(uint32_t *a, const uint32_t *b, size_t s)
{
	uint64_t borrow = 0;

	for (size_t i = 0; i < s; i++) {
		uint64_t d = (uint64_t)a[i] - b[i] - borrow;
		a[i] = (uint32_t)d;
		borrow = (d >> 32) & 1;
	}
}

/* r = a * b * R^-1 mod n (r may alias a or b). */
static void mont_mul(const struct mont *m, uint32_t *r, const uint32_t *a,
		     const uint32_t *b)
{
	uint32_t t[LIMBS + 2] = { 0 };
	size_t s = m->s;

	for (size_t i = 0; i < s; i++) {
		uint64_t c = 0;
		for (size_t j = 0; j < s; j++) {
			c += (uint64_t)t[j] + (uint64_t)a[j] * b[i];
			t[j] = (uint32_t)c;
			c >>= 32;
		}
		c += t[s];
		t[s] = (uint32_t)c;
		t[s + 1] = (uint32_t)(c >> 32);

		uint32_t q = t[0] * m->n0inv;
		c = (uint64_t)t[0] + (uint64_t)q * m->n[0];
		c >>= 32;
		for (size_t j = 1; j < s; j++) {
			c += (uint64_t)t[j] + (uint64_t)q * m->n[j];
			t[j - 1] = (uint32_t)c;
			c >>= 32;
		}
		c += t[s];
		t[s - 1] = (uint32_t)c;
		t[s] = t[s + 1] + (uint32_t)(c >> 32);
	}
	if (t[s] || geq(t, m->n, s))
		sub(t, m->n, s);
	memcpy(r, t, s * 4);
}

static int mont_init(struct mont *m, const uint8_t *n, size_t len)
{
	while (len && !*n) {
		n++;
		len--;
	}
	if (!len || len > BN_MAX_BYTES || !(n[len - 1] & 1))
		return -EINVAL;
	m->s = (len + 3) / 4;
	from_bytes(m->n, m->s, n, len);

	uint32_t inv = 1; /* Newton: inv = n0^-1 mod 2^32 */
	for (int i = 0; i < 5; i++)
		inv *= 2 - m->n[0] * inv;
	m->n0inv = -inv;

	/* R^2 mod n by doubling 1 (2 * 32 * s) times. */
	uint32_t x[LIMBS + 1] = { 1 };
	for (size_t k = 0; k < 64 * m->s; k++) {
		uint32_t carry = 0;
		for (size_t i = 0; i < m->s; i++) {
			uint32_t nc = x[i] >> 31;
			x[i] = x[i] << 1 | carry;
			carry = nc;
		}
		if (carry || geq(x, m->n, m->s))
			sub(x, m->n, m->s);
	}
	memcpy(m->r2, x, m->s * 4);
	return 0;
}

int bn_modexp(const uint8_t *b, size_t blen, const uint8_t *e, size_t elen,
	      const uint8_t *m, size_t mlen, uint8_t *r)
{
	struct mont mt;
	uint32_t x[LIMBS], acc[LIMBS], one[LIMBS] = { 1 };
	int rc = mont_init(&mt, m, mlen);

	if (rc < 0)
		return rc;
	if (from_bytes(x, mt.s, b, blen) < 0 || geq(x, mt.n, mt.s))
		return -ERANGE; /* the base must already be reduced */
	mont_mul(&mt, x, x, mt.r2);	/* x·R */
	mont_mul(&mt, acc, one, mt.r2); /* 1·R */
	for (size_t i = 0; i < elen; i++)
		for (int bit = 7; bit >= 0; bit--) {
			mont_mul(&mt, acc, acc, acc);
			if (e[i] >> bit & 1)
				mont_mul(&mt, acc, acc, x);
		}
	mont_mul(&mt, acc, acc, one); /* out of Montgomery form */
	to_bytes(acc, r, mlen);
	return 0;
}
