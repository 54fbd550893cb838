/* SPDX-License-Identifier: GPL-2.0-only */
/* What a server says before any channel is up: its DER public key (and
 * an OAEP encryption with whatever key parses), and the URL parser. */
#include <stdlib.h>
#include <string.h>

#include "spiceclient/spice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsa_pubkey k;
	struct errmsg err;
	static const uint8_t seed[SHA1_LEN];
	uint8_t out[BN_MAX_BYTES];

	if (rsa_pubkey_from_der(data, size, &k, &err) == 0) {
		if (k.n_len > BN_MAX_BYTES || k.e_len > sizeof(k.e))
			abort();
		if (k.n_len <= 256)
			(void)rsa_oaep_encrypt(&k, (const uint8_t *)"pw", 3, seed, out);
	}
	char url[300];
	size_t n = MIN(size, sizeof(url) - 1);
	memcpy(url, data, n);
	url[n] = 0;
	struct spice_url u;
	if (spice_url_parse(url, &u, &err) == 0 && (!u.host[0] || !u.port[0]))
		abort();
	return 0;
}
