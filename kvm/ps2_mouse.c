/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PS/2 mouse on the i8042's aux port: the fall-back pointer for guests
 * without a virtio-input driver. Reset, identify, stream and remote modes,
 * sample rate, resolution, scaling, status, wrap mode, and the IntelliMouse
 * wheel (id 3 after the sample rates 200, 100, 80). Motion goes out as
 * 3-byte packets (4 with the wheel), split so no delta overflows 9 bits.
 */
#include "core/core.h"
#include "kvm/ps2.h"

enum {
	MOUSE_SCALING_1_1 = 0xe6, MOUSE_SCALING_2_1 = 0xe7,
	MOUSE_RESOLUTION = 0xe8, MOUSE_STATUS = 0xe9, MOUSE_STREAM = 0xea,
	MOUSE_READ = 0xeb, MOUSE_WRAP_OFF = 0xec, MOUSE_WRAP_ON = 0xee,
	MOUSE_REMOTE = 0xf0, MOUSE_IDENTIFY = 0xf2, MOUSE_RATE = 0xf3,
	MOUSE_ENABLE = 0xf4, MOUSE_DISABLE = 0xf5, MOUSE_DEFAULTS = 0xf6,
	MOUSE_RESEND = 0xfe, MOUSE_RESET = 0xff,
};

static void mouse_defaults(struct ps2_mouse *m)
{
	m->rate = 100;
	m->resolution = 2; /* 4 counts/mm */
	m->scaling = 1;
	m->streaming = false;
	m->remote = false;
	m->dx = m->dy = m->dz = 0;
}

void ps2_mouse_init(struct ps2_mouse *m)
{
	*m = (struct ps2_mouse){ 0 };
	ps2_queue_init(&m->reply, m->reply_buf, sizeof(m->reply_buf));
	ps2_queue_init(&m->events, m->events_buf, sizeof(m->events_buf));
	mouse_defaults(m);
}

static void reply(struct ps2_mouse *m, uint8_t b)
{
	ps2_queue_put(&m->reply, b);
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* One packet from the pending motion into @q; the rest stays pending. */
static void packet(struct ps2_mouse *m, struct ps2_queue *q)
{
	int dx = clamp(m->dx, -256, 255), dy = clamp(-m->dy, -256, 255);
	int dz = clamp(m->dz, -8, 7);

	q = q ? q : &m->events;
	ps2_queue_put(q, (uint8_t)(0x08 | (m->buttons & 7) | (dx < 0 ? 0x10 : 0) |
				   (dy < 0 ? 0x20 : 0)));
	ps2_queue_put(q, (uint8_t)dx);
	ps2_queue_put(q, (uint8_t)dy);
	if (m->id == 3)
		ps2_queue_put(q, (uint8_t)-dz); /* the wire counts towards the user */
	m->dx -= dx;
	m->dy += dy;
	m->dz -= dz;
}

static void mouse_argument(struct ps2_mouse *m, uint8_t cmd, uint8_t arg)
{
	m->pending = 0;
	if (cmd == MOUSE_RESOLUTION) {
		m->resolution = arg & 3;
	} else {
		m->rate = arg;
		m->rates[0] = m->rates[1];
		m->rates[1] = m->rates[2];
		m->rates[2] = arg;
		if (m->rates[0] == 200 && m->rates[1] == 100 && m->rates[2] == 80)
			m->id = 3;
	}
	reply(m, PS2_ACK);
}

static void status(struct ps2_mouse *m)
{
	reply(m, PS2_ACK);
	/* remote, enabled, 2:1 scaling, then left/middle/right in that order */
	reply(m, (uint8_t)((m->remote ? 0x40 : 0) | (m->streaming ? 0x20 : 0) |
			   (m->scaling == 2 ? 0x10 : 0) | (m->buttons & 1 ? 4 : 0) |
			   (m->buttons & 4 ? 2 : 0) | (m->buttons & 2 ? 1 : 0)));
	reply(m, m->resolution);
	reply(m, m->rate);
}

static void mouse_command(struct ps2_mouse *m, uint8_t b)
{
	switch (b) {
	case MOUSE_RESOLUTION:
	case MOUSE_RATE:
		m->pending = b;
		reply(m, PS2_ACK);
		break;
	case MOUSE_SCALING_1_1:
	case MOUSE_SCALING_2_1:
		m->scaling = b == MOUSE_SCALING_2_1 ? 2 : 1;
		reply(m, PS2_ACK);
		break;
	case MOUSE_STATUS: status(m); break;
	case MOUSE_STREAM: m->remote = false; reply(m, PS2_ACK); break;
	case MOUSE_REMOTE: m->remote = true; reply(m, PS2_ACK); break;
	case MOUSE_WRAP_ON: m->wrap = true; reply(m, PS2_ACK); break;
	case MOUSE_WRAP_OFF: m->wrap = false; reply(m, PS2_ACK); break;
	case MOUSE_READ:
		reply(m, PS2_ACK);
		packet(m, &m->reply);
		break;
	case MOUSE_IDENTIFY:
		reply(m, PS2_ACK);
		reply(m, m->id);
		break;
	case MOUSE_ENABLE:
		ps2_queue_clear(&m->events);
		m->dx = m->dy = m->dz = 0;
		m->streaming = true;
		reply(m, PS2_ACK);
		break;
	case MOUSE_DISABLE:
	case MOUSE_DEFAULTS:
		mouse_defaults(m);
		ps2_queue_clear(&m->events);
		reply(m, PS2_ACK);
		break;
	case MOUSE_RESEND: reply(m, m->last); break;
	case MOUSE_RESET:
		mouse_defaults(m);
		m->id = 0;
		m->wrap = false;
		ps2_queue_clear(&m->reply);
		ps2_queue_clear(&m->events);
		reply(m, PS2_ACK);
		reply(m, PS2_BAT_OK);
		reply(m, 0x00); /* device id */
		break;
	default:
		reply(m, PS2_RESEND);
		break;
	}
}

void ps2_mouse_write(struct ps2_mouse *m, uint8_t b)
{
	if (m->wrap && b != MOUSE_WRAP_OFF && b != MOUSE_RESET) {
		reply(m, b); /* wrap (echo) mode */
		return;
	}
	if (m->pending) {
		mouse_argument(m, m->pending, b);
		return;
	}
	mouse_command(m, b);
}

void ps2_mouse_move(struct ps2_mouse *m, int dx, int dy, int dz, unsigned buttons)
{
	bool changed = (buttons & 7) != m->buttons;

	m->buttons = buttons & 7;
	if (!m->streaming && !m->remote)
		return; /* a disabled mouse reports nothing, later either */
	/* Far-away targets are clamped rather than queued without end. */
	m->dx = clamp(m->dx + dx, -4096, 4096);
	m->dy = clamp(m->dy + dy, -4096, 4096);
	m->dz = clamp(m->dz + dz, -64, 64);
	if (m->remote || (!changed && !m->dx && !m->dy && !m->dz))
		return;
	unsigned size = m->id == 3 ? 4 : 3;
	do {
		if (ps2_queue_room(&m->events) < size) {
			m->dropped++;
			return; /* the rest goes out with the next motion */
		}
		packet(m, NULL);
	} while (m->dx || m->dy || m->dz);
}

int ps2_mouse_pull(struct ps2_mouse *m)
{
	return ps2_queue_pull(&m->reply, &m->events, m->pending != 0, &m->last);
}

bool ps2_mouse_active(const struct ps2_mouse *m)
{
	return m->streaming && !m->remote;
}
