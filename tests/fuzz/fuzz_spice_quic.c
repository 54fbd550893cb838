/* SPDX-License-Identifier: GPL-2.0-only */
/* The SPICE QUIC image decoder on arbitrary streams; the first 4 bytes
 * choose the size the image descriptor claims (0: whatever the stream
 * says, within a bound that keeps runs fast). Every decoding path must
 * reach the same outcome and the same pixels as the reference one. */
#include <stdlib.h>
#include <string.h>

#include "spiceclient/quic_int.h"
#include "spiceclient/spice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum quic_path paths[3] = { QUIC_PATH_GENERIC, QUIC_PATH_FAST,
						 QUIC_PATH_FAST_BMI2 };
	struct spice_pixels p[3] = { { 0 } };
	struct errmsg err;
	int rc[3];

	if (size < 24)
		return 0;
	uint32_t w = get_le16(data) % 512, h = get_le16(data + 2) % 512;
	/* Unconstrained sizes may be huge: keep them to what a run can decode. */
	if ((!w || !h) && (uint64_t)get_le32(data + 16) * get_le32(data + 20) > (1u << 18))
		return 0;
	for (unsigned k = 0; k < 3; k++) {
		rc[k] = quic_decode(data + 4, size - 4, w, h, &p[k], paths[k], &err);
		if (rc[k] == 0) {
			volatile uint32_t last = p[k].px[(size_t)p[k].width * p[k].height - 1];
			(void)last;
		} else if (!err.msg[0]) {
			abort();
		}
		if (rc[k] != rc[0] || (rc[k] == 0 && memcmp(p[k].px, p[0].px,
							    (size_t)p[0].width * p[0].height * 4)))
			abort();
	}
	for (unsigned k = 0; k < 3; k++)
		spice_pixels_free(&p[k]);
	return 0;
}
