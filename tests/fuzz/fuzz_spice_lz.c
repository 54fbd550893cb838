/* SPDX-License-Identifier: GPL-2.0-only */
/* The SPICE LZ image decoder on arbitrary streams (with a palette). */
#include <stdlib.h>

#include "spiceclient/spice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t pal[16] = { 0, 0xffffff, 0xff0000, 0x00ff00 };
	struct spice_pixels p = { 0 };
	struct errmsg err;

	if (spice_lz_decode(data, size, pal, 16, 0, 0, &p, &err) == 0) {
		if ((uint64_t)p.width * p.height > SPICE_MAX_AREA)
			abort();
		volatile uint32_t last = p.px[(size_t)p.width * p.height - 1];
		(void)last;
		spice_pixels_free(&p);
	} else if (!err.msg[0]) {
		abort();
	}
	return 0;
}
