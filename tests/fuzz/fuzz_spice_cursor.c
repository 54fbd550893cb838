/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cursor channel's messages on arbitrary bytes: [u16 type][u32 size]
 * [body] records replayed into one display (shapes, cache, moves), the
 * cursor drawn after each onto a small picture near its edges.
 */
#include <stdlib.h>

#include "spiceclient/spice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t pic[40 * 30];
	struct spice_display *d;
	struct errmsg err;

	if (spice_display_new(&d) < 0)
		return 0;
	while (size >= 6) {
		uint16_t type = get_le16(data);
		uint32_t len = get_le32(data + 2);
		data += 6;
		size -= 6;
		if (len > size)
			len = (uint32_t)size;
		if (spice_cursor_message(d, type, data, len, &err) < 0 && !err.msg[0])
			abort(); /* every refusal says why */
		const struct spice_cursor *c = spice_display_cursor(d);
		spice_cursor_draw(c, pic, 40, 30, 40, c->x, c->y);
		spice_cursor_draw(c, pic, 40, 30, 40, 39, 29);
		data += len;
		size -= len;
	}
	spice_display_free(d);
	return 0;
}
