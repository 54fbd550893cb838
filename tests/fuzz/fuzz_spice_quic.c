/* SPDX-License-Identifier: GPL-2.0-only */
/* The SPICE QUIC image decoder on arbitrary streams; the first 4 bytes
 * choose the size the image descriptor claims (0: whatever the stream
 * says, within a bound that keeps runs fast). */
#include <stdlib.h>

#include "spiceclient/spice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spice_pixels p = { 0 };
	struct errmsg err;

	if (size < 24)
		return 0;
	uint32_t w = get_le16(data) % 512, h = get_le16(data + 2) % 512;
	/* Unconstrained sizes may be huge: keep them to what a run can decode. */
	if ((!w || !h) && (uint64_t)get_le32(data + 16) * get_le32(data + 20) > (1u << 18))
		return 0;
	if (spice_quic_decode(data + 4, size - 4, w, h, &p, &err) == 0) {
		volatile uint32_t last = p.px[(size_t)p.width * p.height - 1];
		(void)last;
	} else if (!err.msg[0]) {
		abort();
	}
	spice_pixels_free(&p);
	return 0;
}
