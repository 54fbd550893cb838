/* SPDX-License-Identifier: GPL-2.0-only */
/* The SPICE LZ4 image decoder on arbitrary streams; the first 4 bytes
 * choose the image size (as an image descriptor would). */
#include <stdlib.h>

#include "spiceclient/spice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spice_pixels p = { 0 };
	struct errmsg err;

	if (size < 4)
		return 0;
	uint32_t w = get_le16(data) % 2048, h = get_le16(data + 2) % 2048;
	if (spice_lz4_decode(data + 4, size - 4, w, h, &p, &err) == 0) {
		volatile uint32_t last = p.px[(size_t)p.width * p.height - 1];
		(void)last;
		spice_pixels_free(&p);
	} else if (!err.msg[0]) {
		abort();
	}
	/* Uncompressed bitmaps of every format from the same bytes. */
	static const uint32_t pal[2] = { 0, 0xffffff };
	uint8_t fmt = (uint8_t)(data[0] % 12);
	if (spice_bitmap_decode(fmt, data[1] & 1, data + 4, size - 4, w % 64 + 1,
				h % 64 + 1, (uint32_t)(size - 4) / (h % 64 + 1), pal,
				2, &p, &err) == 0)
		spice_pixels_free(&p);
	return 0;
}
