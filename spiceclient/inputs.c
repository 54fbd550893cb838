/* SPDX-License-Identifier: GPL-2.0-only */
/* The inputs channel: keys as PC scancodes, relative or absolute mouse. */
#include <errno.h>

#include "spiceclient/inputs_int.h"

/* Motions the server may owe acks for before we drop new ones. */
#define MOTION_WINDOW (4 * SPICE_INPUT_MOTION_ACK_BUNCH)

static int send_u32(struct spice_inputs *in, uint16_t type, uint32_t v)
{
	uint8_t b[4];

	put_le32(b, v);
	return chan_send(in->ch, type, b, 4) < 0 ? -EPIPE : 0;
}

int spice_input_key(struct spice_inputs *in, unsigned scancode, bool down)
{
	uint32_t code;

	if (!in || !in->ch)
		return -ENOTCONN;
	if (scancode > 0x1ff)
		return -EINVAL;
	if (scancode >= 0x100) /* e0 prefix first, as the bytes go on the wire */
		code = 0xe0 | (scancode - 0x100 + (down ? 0 : 0x80)) << 8;
	else
		code = scancode | (down ? 0 : 0x80);
	return send_u32(in, down ? SPICE_MSGC_INPUTS_KEY_DOWN : SPICE_MSGC_INPUTS_KEY_UP, code);
}

int spice_input_motion(struct spice_inputs *in, int dx, int dy, unsigned buttons)
{
	uint8_t b[10];

	if (!in || !in->ch)
		return -ENOTCONN;
	if (in->unacked >= MOTION_WINDOW)
		return 0; /* the server is behind: drop, the next motion catches up */
	put_le32(b, (uint32_t)dx);
	put_le32(b + 4, (uint32_t)dy);
	put_le16(b + 8, (uint16_t)buttons);
	in->unacked++;
	return chan_send(in->ch, SPICE_MSGC_INPUTS_MOUSE_MOTION, b, sizeof(b)) < 0 ? -EPIPE : 0;
}

int spice_input_position(struct spice_inputs *in, unsigned x, unsigned y,
			 unsigned buttons)
{
	uint8_t b[11];

	if (!in || !in->ch)
		return -ENOTCONN;
	if (in->unacked >= MOTION_WINDOW)
		return 0;
	put_le32(b, x);
	put_le32(b + 4, y);
	put_le16(b + 8, (uint16_t)buttons);
	b[10] = 0; /* display id */
	in->unacked++;
	return chan_send(in->ch, SPICE_MSGC_INPUTS_MOUSE_POSITION, b, sizeof(b)) < 0 ? -EPIPE : 0;
}

int spice_input_button(struct spice_inputs *in, unsigned button, bool down,
		       unsigned buttons)
{
	uint8_t b[3];

	if (!in || !in->ch)
		return -ENOTCONN;
	b[0] = (uint8_t)button;
	put_le16(b + 1, (uint16_t)buttons);
	return chan_send(in->ch, down ? SPICE_MSGC_INPUTS_MOUSE_PRESS :
			 SPICE_MSGC_INPUTS_MOUSE_RELEASE, b, sizeof(b)) < 0 ? -EPIPE : 0;
}

bool spice_input_absolute(const struct spice_inputs *in)
{
	return in && in->mouse_mode == SPICE_MOUSE_MODE_CLIENT;
}

void inputs_message(struct spice_inputs *in, uint16_t type)
{
	if (type == SPICE_MSG_INPUTS_MOUSE_MOTION_ACK)
		in->unacked = in->unacked > SPICE_INPUT_MOTION_ACK_BUNCH ?
			      in->unacked - SPICE_INPUT_MOTION_ACK_BUNCH : 0;
}
