/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The display channel's message parser and renderer on arbitrary bytes:
 * the input is a sequence of [u16 type][u32 size][body] records (the
 * mini-header framing), replayed into one display. A primary surface is
 * created first so draw commands reach the drawing code.
 */
#include <stdlib.h>
#include <string.h>

#include "spiceclient/spice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t primary[20] = { 0, 0, 0, 0, 64, 0, 0, 0, 48, 0, 0, 0,
					     32, 0, 0, 0, 1, 0, 0, 0 };
	struct spice_display *d;
	struct errmsg err;

	if (spice_display_new(&d) < 0)
		return 0;
	if (spice_display_message(d, 314 /* SURFACE_CREATE */, primary,
				  sizeof(primary), &err) < 0)
		abort();
	while (size >= 6) {
		uint16_t type = get_le16(data);
		uint32_t len = get_le32(data + 2);
		data += 6;
		size -= 6;
		if (len > size)
			len = (uint32_t)size;
		if (spice_display_message(d, type, data, len, &err) < 0 && !err.msg[0])
			abort(); /* every refusal says why */
		data += len;
		size -= len;
	}
	const struct spice_pixels *p = spice_display_primary(d);
	if (p && p->width * p->height && p->px[p->width * p->height - 1] == 0x12345678)
		size++; /* keep the read */
	spice_display_free(d);
	return 0;
}
