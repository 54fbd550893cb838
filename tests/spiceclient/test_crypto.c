/* SPDX-License-Identifier: GPL-2.0-only */
/* SHA-1 (FIPS 180 vectors), modexp (Python-computed vectors), RSA-OAEP
 * (decrypted by the openssl command with a freshly generated key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spiceclient/spice.h"
#include "tests/harness.h"

static void hex(const char *s, uint8_t *out, size_t len)
{
	CHECK(strlen(s) == 2 * len);
	for (size_t i = 0; i < len; i++)
		CHECK(sscanf(s + 2 * i, "%2hhx", &out[i]) == 1);
}

static void check_sha1(const void *data, size_t len, const char *want)
{
	uint8_t got[SHA1_LEN], exp[SHA1_LEN];

	sha1(data, len, got);
	hex(want, exp, SHA1_LEN);
	CHECK_MEM(got, exp, SHA1_LEN);
}

TEST(sha1_vectors)
{
	check_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	check_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
	check_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		   "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	static char million[1000000];
	memset(million, 'a', sizeof(million));
	check_sha1(million, sizeof(million), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");

	/* Byte-at-a-time updates give the same digest. */
	struct sha1 s;
	uint8_t a[SHA1_LEN], b[SHA1_LEN];
	sha1_init(&s);
	for (int i = 0; i < 1000; i++)
		sha1_update(&s, million, 1);
	sha1_final(&s, a);
	sha1(million, 1000, b);
	CHECK_MEM(a, b, SHA1_LEN);
}

TEST(bn_modexp_vectors)
{
	uint8_t m[128], b[128], r[128], got[128];
	static const uint8_t e[] = { 0x01, 0x00, 0x01 };

	hex("a170b33839263059f28c105d1fb17c2390c192cfd3ac94af0f21ddb66cad4a268d116ece1738f7d93d9c172411e20b8f6b0d549b6f03675a1600a35a099950d836f675cc81e74ef5e8e25d940ed904759531985d5d9dc9f81818e811892f902bd23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439", m, 128);
	hex("000000185f557203301850c5a38fd547923a736994e3bf911a61dbe22e44158bae97ba94d0eda82f8f6d05584ef8aa38922766581e27a1c08a6a63ec24ede6a46b4cb2424a23d5962217beaddbc496cb8e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b5", b, 128);
	hex("236fb2ef2f1ad9f981cf1aeaa89fe93a44ad5faac81768a14199705653f6ecd07fbd44aabb21c08f14e756b6d18b9fb5bad46d9836f099a5921678cbd591927b6fe2b839b84318d02a00c08ef89a2420c0737027a66c915bd5d484fbb4a8b1cba504fdff2b55dad714192a2c5a64c74eb4a881b8ebb6ba07c218f6a9c8657779", r, 128);
	CHECK_EQ(bn_modexp(b, 128, e, 3, m, 128, got), 0);
	CHECK_MEM(got, r, 128);

	/* A modulus that is not a whole number of limbs, a long exponent. */
	uint8_t m2[25], b2[25], e2[20], r2[25], got2[25];
	hex("b49e7769b10f4205b4907a70c31012f037b64ce4228c38fb29", m2, 25);
	hex("00000000000031be1d6d76b07e881ed162ae2eb1547f150524", b2, 25);
	hex("7403e430ec66a78795e761d17731af10506bf2ef", e2, 20);
	hex("8f0b799ebdeb7097db57bd50bf530bd5ae2afe864991908e4a", r2, 25);
	CHECK_EQ(bn_modexp(b2, 25, e2, 20, m2, 25, got2), 0);
	CHECK_MEM(got2, r2, 25);

	/* Even moduli and unreduced bases are refused. */
	m2[24] &= 0xfe;
	CHECK(bn_modexp(b2, 25, e2, 20, m2, 25, got2) < 0);
	CHECK(bn_modexp(m, 128, e, 3, m, 128, got) < 0);
}

static int sh(const char *cmd)
{
	char line[2048];

	snprintf(line, sizeof(line), "cd '%s' && %s >/dev/null 2>&1", test_tmpdir(), cmd);
	return system(line);
}

TEST(rsa_oaep_openssl_decrypts)
{
	struct rsa_pubkey k;
	struct errmsg err;
	uint8_t der[1024], seed[SHA1_LEN], ct[128];
	const char ticket[] = "s3cret-ticket";
	struct buf b;

	if (sh("openssl version") != 0) {
		printf("openssl missing: skipped\n");
		return;
	}
	CHECK(sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out key.pem") == 0);
	CHECK(sh("openssl pkey -in key.pem -pubout -outform DER -out pub.der") == 0);
	buf_init(&b);
	CHECK(read_file(test_path("pub.der"), sizeof(der), &b) == 0);
	CHECK(rsa_pubkey_from_der(b.data, b.len, &k, &err) == 0);
	CHECK_EQ(k.n_len, 128);
	CHECK_EQ(k.e_len, 3);
	for (size_t i = 0; i < SHA1_LEN; i++)
		seed[i] = (uint8_t)(i * 37 + 11);
	CHECK(rsa_oaep_encrypt(&k, (const uint8_t *)ticket, sizeof(ticket), seed, ct) == 0);
	CHECK(write_file_atomic(test_path("ct.bin"), ct, sizeof(ct), 0600) == 0);
	CHECK(sh("openssl pkeyutl -decrypt -inkey key.pem -pkeyopt rsa_padding_mode:oaep "
		 "-pkeyopt rsa_oaep_md:sha1 -pkeyopt rsa_mgf1_md:sha1 -in ct.bin -out pt.bin") == 0);
	buf_free(&b);
	buf_init(&b);
	CHECK(read_file(test_path("pt.bin"), 1024, &b) == 0);
	CHECK_EQ(b.len, sizeof(ticket));
	CHECK_MEM(b.data, ticket, sizeof(ticket));
	buf_free(&b);

	/* Too long a message for a 1024-bit key. */
	uint8_t big[100] = { 0 };
	CHECK(rsa_oaep_encrypt(&k, big, sizeof(big), seed, ct) < 0);
}

TEST(rsa_pubkey_rejects_garbage)
{
	struct rsa_pubkey k;
	struct errmsg err;
	uint8_t junk[162];

	memset(junk, 0x30, sizeof(junk));
	CHECK(rsa_pubkey_from_der(junk, sizeof(junk), &k, &err) < 0);
	CHECK(rsa_pubkey_from_der(junk, 0, &k, &err) < 0);
	uint64_t st = 1;
	for (int round = 0; round < 2000; round++) {
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)test_rand(&st);
		junk[0] = 0x30;
		(void)rsa_pubkey_from_der(junk, sizeof(junk), &k, &err);
	}
}
