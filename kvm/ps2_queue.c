/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the PS/2 keyboard and mouse share: bounded byte queues (replies
 * before events) and the i8042's set-2 -> set-1 translation table, derived
 * from core's key map so the two can never disagree.
 */
#include <linux/input-event-codes.h>

#include "core/core.h"
#include "kvm/ps2.h"

void ps2_queue_init(struct ps2_queue *q, uint8_t *buf, unsigned cap)
{
	*q = (struct ps2_queue){ .data = buf, .cap = cap };
}

void ps2_queue_clear(struct ps2_queue *q)
{
	q->head = q->count = 0;
}

unsigned ps2_queue_room(const struct ps2_queue *q)
{
	return q->cap - q->count;
}

void ps2_queue_put(struct ps2_queue *q, uint8_t b)
{
	if (q->count < q->cap)
		q->data[(q->head + q->count++) % q->cap] = b;
}

static int q_get(struct ps2_queue *q)
{
	if (!q->count)
		return -1;
	uint8_t b = q->data[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	return b;
}

/* Replies first; events only while no command waits for its argument. */
int ps2_queue_pull(struct ps2_queue *reply, struct ps2_queue *events,
		   bool busy, uint8_t *last)
{
	int b = q_get(reply);
	if (b < 0 && !busy)
		b = q_get(events);
	if (b >= 0)
		*last = (uint8_t)b;
	return b;
}

/* ---- the controller's set-2 -> set-1 translation ------------------------- */

void ps2_xlat_init(uint8_t table[256])
{
	for (unsigned i = 0; i < 256; i++)
		table[i] = (uint8_t)i; /* prefixes and replies pass unchanged */
	for (unsigned kc = 0; kc < KEY_MAX; kc++) {
		uint8_t s1[8], s2[8];
		size_t n1 = ps2_scancode(kc, 1, false, s1);
		size_t n2 = ps2_scancode(kc, 2, false, s2);
		if (n1 && n1 == n2)
			table[s2[n2 - 1]] = s1[n1 - 1];
	}
}

int ps2_translate(const uint8_t table[256], uint8_t b, bool *brk)
{
	if (b == 0xf0) {
		*brk = true;
		return -1;
	}
	uint8_t t = table[b];
	if (*brk) {
		*brk = false;
		t |= 0x80;
	}
	return t;
}
