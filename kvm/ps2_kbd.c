/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PS/2 keyboard: the commands a BIOS or Linux's atkbd sends (reset,
 * identify, scancode set, LEDs, typematic, enable/disable, echo...) and
 * scancodes in the set the guest chose (1 or 2; set 3 is refused, so
 * drivers fall back to 2).
 */
#include "core/core.h"
#include "kvm/ps2.h"

/* ---- the keyboard ---------------------------------------------------- */

enum {
	KBD_SET_LEDS = 0xed, KBD_ECHO = 0xee, KBD_SCANCODE_SET = 0xf0,
	KBD_IDENTIFY = 0xf2, KBD_TYPEMATIC = 0xf3, KBD_ENABLE = 0xf4,
	KBD_DISABLE = 0xf5, KBD_DEFAULTS = 0xf6, KBD_RESEND = 0xfe,
	KBD_RESET = 0xff,
};

static void kbd_defaults(struct ps2_kbd *k)
{
	k->set = 2;
	k->leds = 0;
	k->typematic = 0x2b; /* 10.9 cps, 500 ms: the power-on value */
}

void ps2_kbd_init(struct ps2_kbd *k)
{
	*k = (struct ps2_kbd){ .scanning = true };
	ps2_queue_init(&k->reply, k->reply_buf, sizeof(k->reply_buf));
	ps2_queue_init(&k->events, k->events_buf, sizeof(k->events_buf));
	kbd_defaults(k);
}

static void reply(struct ps2_kbd *k, uint8_t b)
{
	ps2_queue_put(&k->reply, b);
}

/* The argument of a two-byte command. */
static void kbd_argument(struct ps2_kbd *k, uint8_t cmd, uint8_t arg)
{
	k->pending = 0;
	switch (cmd) {
	case KBD_SET_LEDS:
		k->leds = arg & 7;
		reply(k, PS2_ACK);
		break;
	case KBD_TYPEMATIC:
		k->typematic = arg & 0x7f;
		reply(k, PS2_ACK);
		break;
	case KBD_SCANCODE_SET:
		if (arg == 0) {
			reply(k, PS2_ACK);
			reply(k, (uint8_t)k->set);
		} else if (arg == 1 || arg == 2) {
			k->set = arg;
			ps2_queue_clear(&k->events); /* old-set bytes would be garbage now */
			reply(k, PS2_ACK);
		} else {
			reply(k, PS2_RESEND); /* set 3: not offered */
		}
		break;
	}
}

void ps2_kbd_write(struct ps2_kbd *k, uint8_t b)
{
	if (k->pending) {
		/* A command byte instead of an argument starts over. */
		if (b < KBD_SET_LEDS) {
			kbd_argument(k, k->pending, b);
			return;
		}
		k->pending = 0;
	}
	switch (b) {
	case KBD_SET_LEDS:
	case KBD_TYPEMATIC:
	case KBD_SCANCODE_SET:
		k->pending = b;
		reply(k, PS2_ACK);
		break;
	case KBD_ECHO:
		reply(k, PS2_ECHO);
		break;
	case KBD_IDENTIFY:
		reply(k, PS2_ACK);
		reply(k, 0xab);
		reply(k, 0x83); /* MF2 keyboard */
		break;
	case KBD_ENABLE:
		ps2_queue_clear(&k->events);
		k->scanning = true;
		reply(k, PS2_ACK);
		break;
	case KBD_DISABLE:
		kbd_defaults(k);
		ps2_queue_clear(&k->events);
		k->scanning = false;
		reply(k, PS2_ACK);
		break;
	case KBD_DEFAULTS:
		kbd_defaults(k);
		reply(k, PS2_ACK);
		break;
	case KBD_RESEND:
		reply(k, k->last);
		break;
	case KBD_RESET:
		kbd_defaults(k);
		ps2_queue_clear(&k->reply);
		ps2_queue_clear(&k->events);
		k->scanning = true;
		reply(k, PS2_ACK);
		reply(k, PS2_BAT_OK);
		break;
	case 0xf7: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc:
	case 0xfd:
		reply(k, PS2_ACK); /* set-3 key types: accepted, no effect */
		break;
	default:
		reply(k, PS2_RESEND);
		break;
	}
}

bool ps2_kbd_key(struct ps2_kbd *k, unsigned keycode, bool down)
{
	uint8_t code[8];
	size_t n;

	if (!k->scanning)
		return false;
	n = ps2_scancode(keycode, k->set, !down, code);
	if (!n)
		return false;
	if (ps2_queue_room(&k->events) < n) {
		k->dropped++; /* never half a scancode */
		return false;
	}
	for (size_t i = 0; i < n; i++)
		ps2_queue_put(&k->events, code[i]);
	return true;
}

int ps2_kbd_pull(struct ps2_kbd *k)
{
	return ps2_queue_pull(&k->reply, &k->events, k->pending != 0, &k->last);
}
