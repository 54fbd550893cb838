/* SPDX-License-Identifier: GPL-2.0-only */
/* The GLZ decoder and its dictionary on arbitrary streams: the input is a
 * sequence of [u16 length][stream] records decoded into one dictionary, so
 * matches can reach back into earlier (hostile) images. */
#include <stdlib.h>

#include "spiceclient/spice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spice_glz *g;
	struct spice_pixels p = { 0 };
	struct errmsg err;

	if (spice_glz_new(&g, 1 << 20) < 0)
		return 0;
	while (size >= 2) {
		size_t n = MIN((size_t)get_le16(data), size - 2);
		if (spice_glz_decode(g, data + 2, n, 0, 0, &p, &err) < 0 && !err.msg[0])
			abort();
		data += 2 + n;
		size -= 2 + n;
	}
	spice_pixels_free(&p);
	spice_glz_free(g);
	return 0;
}
