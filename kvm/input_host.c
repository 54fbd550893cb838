/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's keyboards and pointers, grabbed (EVIOCGRAB: nothing reaches
 * the host console) and forwarded to the guest: keys as they come, tablets
 * scaled to the screen, relative mice accumulated into a position clamped
 * to the screen. With --menu-hotkey, Ctrl+Alt+F12 stops the guest and the
 * VMM exits with VMM_EXIT_MENU; without it no combination escapes.
 */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>

#include "kvm/machine.h"

struct input_host {
	struct vm *vm;
	struct input *in;
	unsigned w, h;
	int x, y;		/* the pointer, in screen pixels */
	unsigned buttons;
	bool ctrl[2], alt[2];	/* left, right */
	bool leaving;		/* the hotkey was pressed: the guest gets nothing more */
};

static void track_modifiers(struct input_host *h, unsigned code, bool down)
{
	switch (code) {
	case KEY_LEFTCTRL: h->ctrl[0] = down; break;
	case KEY_RIGHTCTRL: h->ctrl[1] = down; break;
	case KEY_LEFTALT: h->alt[0] = down; break;
	case KEY_RIGHTALT: h->alt[1] = down; break;
	}
}

static void on_key(struct input_host *h, unsigned code, int value)
{
	bool down = value != 0;

	track_modifiers(h, code, down);
	if (h->vm->menu_hotkey && code == KEY_F12 && down &&
	    (h->ctrl[0] || h->ctrl[1]) && (h->alt[0] || h->alt[1])) {
		log_info("input: Ctrl+Alt+F12, back to the menu");
		h->leaving = true;
		vm_request_stop(h->vm, VMM_EXIT_MENU);
		return;
	}
	vm_input_key(h->vm, code, down); /* a repeat (2) is another make code */
}

static unsigned button_bit(unsigned code)
{
	switch (code) {
	case BTN_LEFT: return 1;
	case BTN_RIGHT: return 2;
	case BTN_MIDDLE: return 4;
	default: return 0;
	}
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void on_input(void *ctx, const struct input_msg *m)
{
	struct input_host *h = ctx;

	if (h->leaving)
		return;
	switch (m->kind) {
	case INPUT_KEY:
		on_key(h, m->code, m->value);
		return;
	case INPUT_BUTTON:
		if (!button_bit(m->code) || m->value == 2)
			return;
		h->buttons = m->value ? h->buttons | button_bit(m->code)
				      : h->buttons & ~button_bit(m->code);
		break;
	case INPUT_MOTION:
		h->x = clamp(h->x + m->x, 0, (int)h->w - 1);
		h->y = clamp(h->y + m->y, 0, (int)h->h - 1);
		break;
	case INPUT_POSITION:
		h->x = (int)((int64_t)m->x * (h->w - 1) / INPUT_ABS_MAX);
		h->y = (int)((int64_t)m->y * (h->h - 1) / INPUT_ABS_MAX);
		break;
	case INPUT_WHEEL:
		vm_input_wheel(h->vm, m->y, h->buttons);
		return;
	}
	vm_input_pointer(h->vm, (unsigned)h->x, (unsigned)h->y, h->w, h->h, h->buttons);
}

int input_host_start(struct vm *vm, unsigned screen_w, unsigned screen_h,
		     struct errmsg *err)
{
	struct input_host *h;
	int r;

	if (vm->input_host)
		return 0;
	if (!screen_w || !screen_h)
		return errmsg_set(err, -EINVAL, "input: no screen size");
	h = calloc(1, sizeof(*h));
	if (!h)
		return errmsg_set(err, -ENOMEM, "out of memory");
	*h = (struct input_host){ .vm = vm, .w = screen_w, .h = screen_h,
				  .x = (int)screen_w / 2, .y = (int)screen_h / 2 };
	r = input_open(&vm->loop, NULL, on_input, h, &h->in, err);
	if (r < 0) {
		free(h);
		return r;
	}
	input_grab(h->in, true);
	vm->input_host = h;
	log_info("input: forwarding %zu host device(s) to the guest", input_count(h->in));
	return 0;
}
