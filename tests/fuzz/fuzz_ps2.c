/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PS/2 keyboard and mouse take any byte sequence a guest writes,
 * mixed with injected keys and moves: no crash, queues stay bounded, a
 * pull never returns more than was queued, the keyboard stays in set 1/2.
 */
#include <stdlib.h>

#include "core/core.h"
#include "kvm/ps2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps2_kbd k;
	struct ps2_mouse m;
	uint8_t xlat[256];
	bool brk = false;

	ps2_kbd_init(&k);
	ps2_mouse_init(&m);
	ps2_xlat_init(xlat);
	for (size_t i = 0; i + 1 < size; i += 2) {
		uint8_t op = data[i], b = data[i + 1];
		switch (op & 7) {
		case 0: ps2_kbd_write(&k, b); break;
		case 1: ps2_mouse_write(&m, b); break;
		case 2: ps2_kbd_key(&k, (unsigned)b | (op & 0x10 ? 0x100u : 0), op & 8); break;
		case 3: ps2_mouse_move(&m, (int8_t)b * (op >> 3), (int8_t)(b ^ op) * 40,
				       (int8_t)op >> 5, b); break;
		case 4: {
			int v = ps2_kbd_pull(&k);
			if (v >= 0)
				ps2_translate(xlat, (uint8_t)v, &brk);
			break;
		}
		case 5: ps2_mouse_pull(&m); break;
		default:
			for (unsigned n = 0; n < 600; n++)
				if (ps2_kbd_pull(&k) < 0 && ps2_mouse_pull(&m) < 0)
					break;
			break;
		}
		if (k.events.count > k.events.cap || k.reply.count > k.reply.cap ||
		    m.events.count > m.events.cap || m.reply.count > m.reply.cap ||
		    (k.set != 1 && k.set != 2))
			abort();
	}
	return 0;
}
