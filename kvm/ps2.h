/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm/ internal: the PS/2 keyboard and mouse behind the i8042 controller.
 * Pure state machines (no locks, no guest memory): the controller feeds
 * them the bytes the guest writes and pulls the bytes they answer, so
 * they can be unit-tested on their own.
 *
 * Each device has two bounded queues: replies to commands (ACK, IDs,
 * status) and events (scancodes, packets). Replies always go first, and
 * events wait while a command is half-way (its argument not yet written),
 * as a real keyboard stops scanning while it talks to the host.
 */
#ifndef KVMBOX_KVM_PS2_H
#define KVMBOX_KVM_PS2_H

#include <stdbool.h>
#include <stdint.h>

#define PS2_ACK 0xfa
#define PS2_RESEND 0xfe
#define PS2_BAT_OK 0xaa
#define PS2_ECHO 0xee

#define PS2_REPLY_MAX 16
#define PS2_EVENTS_MAX 256	/* bytes: ~40 keys or ~80 mouse packets */

struct ps2_queue {
	uint8_t *data;
	unsigned cap, head, count;
};

struct ps2_kbd {
	struct ps2_queue reply, events;
	uint8_t reply_buf[PS2_REPLY_MAX], events_buf[PS2_EVENTS_MAX];
	uint8_t pending;	/* command waiting for its argument, 0: none */
	uint8_t last;		/* for 0xFE (resend) */
	int set;		/* scancode set 1 or 2 */
	bool scanning;		/* 0xF4 enabled / 0xF5 disabled */
	uint8_t leds, typematic;
	unsigned dropped;	/* events lost to a full queue */
};

struct ps2_mouse {
	struct ps2_queue reply, events;
	uint8_t reply_buf[PS2_REPLY_MAX], events_buf[PS2_EVENTS_MAX];
	uint8_t pending, last;
	bool streaming;		/* 0xF4: packets flow */
	bool remote, wrap;
	uint8_t rate, resolution, scaling, id;
	uint8_t rates[3];	/* last sample rates: 200,100,80 asks for a wheel */
	unsigned buttons;	/* bit 0 left, 1 right, 2 middle */
	int dx, dy, dz;		/* motion not yet sent */
	unsigned dropped;
};

void ps2_queue_init(struct ps2_queue *q, uint8_t *buf, unsigned cap);
void ps2_queue_clear(struct ps2_queue *q);
unsigned ps2_queue_room(const struct ps2_queue *q);
void ps2_queue_put(struct ps2_queue *q, uint8_t b);
/* Next byte: @reply first; @events only when not @busy. */
int ps2_queue_pull(struct ps2_queue *reply, struct ps2_queue *events,
		   bool busy, uint8_t *last);

void ps2_kbd_init(struct ps2_kbd *k);
/* A byte the guest sends to the keyboard (command or argument). */
void ps2_kbd_write(struct ps2_kbd *k, uint8_t byte);
/* Queues the scancode of a Linux key code in the guest's set; false when dropped. */
bool ps2_kbd_key(struct ps2_kbd *k, unsigned keycode, bool down);
/* Next byte for the controller, or -1 when nothing is ready. */
int ps2_kbd_pull(struct ps2_kbd *k);

void ps2_mouse_init(struct ps2_mouse *m);
void ps2_mouse_write(struct ps2_mouse *m, uint8_t byte);
/* Relative motion (dy > 0: down, as on screens; dz > 0: wheel up), buttons. */
void ps2_mouse_move(struct ps2_mouse *m, int dx, int dy, int dz, unsigned buttons);
int ps2_mouse_pull(struct ps2_mouse *m);
/* Whether the guest's driver turned streaming on (so packets are read). */
bool ps2_mouse_active(const struct ps2_mouse *m);

/*
 * The controller's translation (command byte bit 6): set-2 bytes to set 1.
 * ps2_xlat_init() fills @table once; ps2_translate() keeps the 0xF0 break
 * prefix in @brk between calls and returns -1 for the prefix itself.
 */
void ps2_xlat_init(uint8_t table[256]);
int ps2_translate(const uint8_t table[256], uint8_t byte, bool *brk);

#endif
