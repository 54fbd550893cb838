/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal to spiceclient/: the inputs channel's state. */
#ifndef KVMBOX_SPICE_INPUTS_INT_H
#define KVMBOX_SPICE_INPUTS_INT_H

#include "spiceclient/chan.h"

struct spice_inputs {
	struct chan *ch;	/* NULL until linked */
	uint32_t mouse_mode;	/* SPICE_MOUSE_MODE_* in force */
	unsigned unacked;	/* motions sent since the last ack bunch */
};

void inputs_message(struct spice_inputs *in, uint16_t type);

#endif
