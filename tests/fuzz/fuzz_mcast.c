/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multicast packets come from anyone on the LAN: the parser never reads out
 * of bounds, and whatever it accepts builds back to the same bytes.
 */
#include <string.h>

#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t again[65536 + 128];
	struct mcast_pkt m;
	size_t n;

	if (mcast_pkt_parse(data, size, &m, NULL) < 0)
		return 0;
	n = mcast_pkt_build(again, sizeof(again), &m);
	if (n != size || memcmp(again, data, size))
		__builtin_trap();
	return 0;
}
