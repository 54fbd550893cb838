/* SPDX-License-Identifier: GPL-2.0-only */
/* Number and size parsers: no crash, and accepted values re-parse the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[64], again[32];
	uint64_t u, u2;
	int64_t i;
	bool b;
	uint8_t hex[8];

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (parse_u64(s, 0, UINT64_MAX, &u) == 0) {
		snprintf(again, sizeof(again), "%llu", (unsigned long long)u);
		if (parse_u64(again, 0, UINT64_MAX, &u2) != 0 || u2 != u)
			abort();
	}
	if (parse_i64(s, INT64_MIN, INT64_MAX, &i) == 0) {
		snprintf(again, sizeof(again), "%lld", (long long)i);
		int64_t i2;
		if (parse_i64(again, INT64_MIN, INT64_MAX, &i2) != 0 || i2 != i)
			abort();
	}
	if (parse_size(s, &u) == 0) {
		snprintf(again, sizeof(again), "%llu", (unsigned long long)u);
		if (parse_size(again, &u2) != 0 || u2 != u)
			abort();
	}
	(void)parse_size_unit(s, 1 << 20, &u);
	(void)parse_bool(s, &b);
	(void)parse_hex(s, hex, sizeof(hex));
	return 0;
}
