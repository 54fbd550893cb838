/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's keyboard and pointer (core/input_evdev.c events) to the
 * remote desktop: keys as PC set-1 scancodes, buttons and wheel as SPICE
 * buttons, and the pointer in the server's mouse mode: absolute positions
 * on the remote screen in client mode (relative mice move our own pointer,
 * tablets map through where the picture sits on the host screen), motion
 * deltas in server mode. Shift+F12 is ours (as in other SPICE clients it
 * releases the keyboard): it ends the connection instead of reaching the
 * remote desktop.
 */
#include <linux/input-event-codes.h>

#include "spiceclient/spice.h"

/* After core.h: its MIN/MAX win over the ones in spice/macros.h. */
#include <spice/enums.h>

void spice_host_input_init(struct spice_host_input *h, struct spice_screen *scr)
{
	*h = (struct spice_host_input){ .screen = scr, .last_abs_x = -1 };
}

/* Linux key code → set-1 make code (0x100 + code for 0xe0-prefixed). */
static int scancode(unsigned key)
{
	uint8_t b[8];
	size_t n = ps2_scancode(key, 1, false, b);

	if (n == 1)
		return b[0];
	if (n == 2 && b[0] == 0xe0)
		return 0x100 | b[1];
	return -1; /* Pause's long sequence, or no scancode */
}

static bool button_of(unsigned code, unsigned *button, unsigned *mask)
{
	switch (code) {
	case BTN_LEFT:
		*button = SPICE_MOUSE_BUTTON_LEFT;
		*mask = SPICE_MOUSE_BUTTON_MASK_LEFT;
		return true;
	case BTN_MIDDLE:
		*button = SPICE_MOUSE_BUTTON_MIDDLE;
		*mask = SPICE_MOUSE_BUTTON_MASK_MIDDLE;
		return true;
	case BTN_RIGHT:
		*button = SPICE_MOUSE_BUTTON_RIGHT;
		*mask = SPICE_MOUSE_BUTTON_MASK_RIGHT;
		return true;
	case BTN_SIDE:
		*button = SPICE_MOUSE_BUTTON_SIDE;
		*mask = SPICE_MOUSE_BUTTON_MASK_SIDE;
		return true;
	case BTN_EXTRA:
		*button = SPICE_MOUSE_BUTTON_EXTRA;
		*mask = SPICE_MOUSE_BUTTON_MASK_EXTRA;
		return true;
	}
	return false;
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* A tablet position (0..INPUT_ABS_MAX on the host screen) on the remote one. */
static bool abs_to_remote(struct spice_host_input *h, int ax, int ay, int *rx, int *ry)
{
	struct gfx_rect o;
	unsigned rw, rh, sw, sh;

	if (!h->screen || !spice_screen_placement(h->screen, &o, &rw, &rh))
		return false;
	spice_screen_size(h->screen, &sw, &sh);
	int64_t sx = (int64_t)ax * (sw - 1) / INPUT_ABS_MAX;
	int64_t sy = (int64_t)ay * (sh - 1) / INPUT_ABS_MAX;
	*rx = clamp((int)((sx - o.x) * rw / o.w), 0, (int)rw - 1);
	*ry = clamp((int)((sy - o.y) * rh / o.h), 0, (int)rh - 1);
	return true;
}

static void pointer_to(struct spice_host_input *h, struct spice_inputs *in, int x, int y)
{
	h->x = x;
	h->y = y;
	spice_input_position(in, (unsigned)x, (unsigned)y, h->buttons);
	if (h->screen)
		spice_screen_pointer(h->screen, true, x, y);
}

static void motion(struct spice_host_input *h, struct spice_inputs *in,
		   const struct input_msg *m)
{
	struct gfx_rect o;
	unsigned rw = 0, rh = 0;
	bool placed = h->screen && spice_screen_placement(h->screen, &o, &rw, &rh);

	if (m->kind == INPUT_MOTION) {
		if (!spice_input_absolute(in)) {
			spice_input_motion(in, m->x, m->y, h->buttons);
			return;
		}
		if (placed)
			pointer_to(h, in, clamp(h->x + m->x, 0, (int)rw - 1),
				   clamp(h->y + m->y, 0, (int)rh - 1));
		return;
	}
	int rx, ry;
	if (!abs_to_remote(h, m->x, m->y, &rx, &ry))
		return;
	if (spice_input_absolute(in)) {
		pointer_to(h, in, rx, ry);
	} else {
		/* Server mode takes only motion: move by the difference. */
		if (h->last_abs_x >= 0)
			spice_input_motion(in, rx - h->last_abs_x, ry - h->last_abs_y, h->buttons);
		h->last_abs_x = rx;
		h->last_abs_y = ry;
	}
}

void spice_host_input_event(struct spice_host_input *h, struct spice_inputs *in,
			    const struct input_msg *m)
{
	unsigned button, mask;

	if (!in)
		return; /* no inputs channel (yet) */
	if (h->screen && !spice_input_absolute(in))
		spice_screen_pointer(h->screen, false, 0, 0);
	switch (m->kind) {
	case INPUT_KEY: {
		if (m->code == KEY_LEFTSHIFT || m->code == KEY_RIGHTSHIFT) {
			unsigned bit = m->code == KEY_LEFTSHIFT ? 1 : 2;
			h->shift = m->value ? h->shift | bit : h->shift & ~bit;
		}
		if (m->code == KEY_F12 && h->shift) {
			h->quit |= m->value == 1;
			break;
		}
		int sc = scancode(m->code);
		if (sc >= 0)
			spice_input_key(in, (unsigned)sc, m->value != 0);
		break;
	}
	case INPUT_BUTTON:
		if (!button_of(m->code, &button, &mask))
			break;
		h->buttons = m->value ? h->buttons | mask : h->buttons & ~mask;
		spice_input_button(in, button, m->value != 0, h->buttons);
		break;
	case INPUT_WHEEL:
		if (m->y) {
			button = m->y > 0 ? SPICE_MOUSE_BUTTON_UP : SPICE_MOUSE_BUTTON_DOWN;
			spice_input_button(in, button, true, h->buttons);
			spice_input_button(in, button, false, h->buttons);
		}
		break;
	case INPUT_MOTION:
	case INPUT_POSITION:
		motion(h, in, m);
		break;
	}
}
