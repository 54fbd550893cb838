/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The server's RSA public key (DER SubjectPublicKeyInfo) and RSA-OAEP
 * encryption of the ticket (RFC 8017, SHA-1, MGF1-SHA-1, empty label).
 */
#include <errno.h>
#include <string.h>

#include "spiceclient/spice.h"

struct der {
	const uint8_t *p;
	size_t len;
};

/* Reads one TLV of @tag; its contents in @val. */
static int der_take(struct der *d, uint8_t tag, struct der *val)
{
	size_t len, hdr = 2;

	if (d->len < 2 || d->p[0] != tag)
		return -EBADMSG;
	len = d->p[1];
	if (len & 0x80) {
		size_t nb = len & 0x7f;
		if (nb < 1 || nb > 2 || d->len < 2 + nb)
			return -EBADMSG;
		len = 0;
		for (size_t i = 0; i < nb; i++)
			len = len << 8 | d->p[2 + i];
		hdr += nb;
	}
	if (len > d->len - hdr)
		return -EBADMSG;
	val->p = d->p + hdr;
	val->len = len;
	d->p += hdr + len;
	d->len -= hdr + len;
	return 0;
}

/* A positive INTEGER without its high zero bytes. */
static int der_uint(struct der *d, uint8_t *out, size_t max, size_t *out_len)
{
	struct der v;

	if (der_take(d, 0x02, &v) < 0 || !v.len || v.p[0] & 0x80)
		return -EBADMSG;
	while (v.len && !v.p[0]) {
		v.p++;
		v.len--;
	}
	if (!v.len || v.len > max)
		return -EBADMSG;
	memcpy(out, v.p, v.len);
	*out_len = v.len;
	return 0;
}

int rsa_pubkey_from_der(const uint8_t *der, size_t len, struct rsa_pubkey *k,
			struct errmsg *err)
{
	static const uint8_t rsa_oid[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
					   0x0d, 0x01, 0x01, 0x01 };
	struct der d = { der, len }, spki, alg, oid, bits, key;

	if (der_take(&d, 0x30, &spki) < 0 || der_take(&spki, 0x30, &alg) < 0 ||
	    der_take(&alg, 0x06, &oid) < 0)
		return errmsg_set(err, -EBADMSG, "server public key: not DER SubjectPublicKeyInfo");
	if (oid.len != sizeof(rsa_oid) || memcmp(oid.p, rsa_oid, oid.len))
		return errmsg_set(err, -EBADMSG, "server public key: not an RSA key");
	if (der_take(&spki, 0x03, &bits) < 0 || bits.len < 1 || bits.p[0])
		return errmsg_set(err, -EBADMSG, "server public key: bad BIT STRING");
	bits.p++;
	bits.len--;
	if (der_take(&bits, 0x30, &key) < 0 ||
	    der_uint(&key, k->n, sizeof(k->n), &k->n_len) < 0 ||
	    der_uint(&key, k->e, sizeof(k->e), &k->e_len) < 0)
		return errmsg_set(err, -EBADMSG, "server public key: bad modulus or exponent");
	if (k->n_len < 64 || !(k->n[k->n_len - 1] & 1))
		return errmsg_set(err, -EBADMSG, "server public key: modulus too small or even");
	return 0;
}

/* MGF1-SHA-1: xors @len bytes of mask generated from @seed into @out. */
static void mgf1_xor(uint8_t *out, size_t len, const uint8_t *seed,
		     size_t seed_len)
{
	for (uint32_t counter = 0; len; counter++) {
		uint8_t c[4], h[SHA1_LEN];
		struct sha1 s;

		put_be32(c, counter);
		sha1_init(&s);
		sha1_update(&s, seed, seed_len);
		sha1_update(&s, c, 4);
		sha1_final(&s, h);
		size_t n = MIN(len, (size_t)SHA1_LEN);
		for (size_t i = 0; i < n; i++)
			out[i] ^= h[i];
		out += n;
		len -= n;
	}
}

int rsa_oaep_encrypt(const struct rsa_pubkey *k, const uint8_t *msg,
		     size_t len, const uint8_t *seed, uint8_t *out)
{
	size_t kl = k->n_len, db_len = kl - SHA1_LEN - 1;
	uint8_t em[BN_MAX_BYTES];

	if (kl < 2 * SHA1_LEN + 2 || len > kl - 2 * SHA1_LEN - 2)
		return -EMSGSIZE;
	memset(em, 0, kl);
	/* EM = 0x00 || maskedSeed || maskedDB; DB = lHash || PS || 01 || M */
	uint8_t *s = em + 1, *db = em + 1 + SHA1_LEN;
	sha1("", 0, db);
	db[db_len - len - 1] = 0x01;
	memcpy(db + db_len - len, msg, len);
	memcpy(s, seed, SHA1_LEN);
	mgf1_xor(db, db_len, s, SHA1_LEN);
	mgf1_xor(s, SHA1_LEN, db, db_len);
	return bn_modexp(em, kl, k->e, k->e_len, k->n, k->n_len, out);
}
