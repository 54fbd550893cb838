/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtqueue walker and the virtio-net chain parsers against a hostile
 * guest: the input is 64 KiB of guest RAM holding the rings (descriptors at
 * 0, avail at 0x1000, used at 0x2000) plus a queue size and the ring
 * features (indirect tables, EVENT_IDX). Every buffer handed out must lie
 * inside guest RAM, and popping always terminates.
 */
#include <stdlib.h>
#include <string.h>

#include "kvm/requests.h"
#include "kvm/virtqueue.h"

#define RAM (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ram[RAM];
	static struct vq_chain c;
	static struct iovec iov[VQ_MAX_SIZE];
	struct guest_mem m = { .lo = ram, .lo_size = RAM };
	struct virtqueue q;
	int cnt;

	if (size < 2)
		return 0;
	memset(ram, 0, RAM);
	memcpy(ram, data + 2, MIN(size - 2, (size_t)RAM));
	vq_reset(&q);
	q.size = (uint16_t)(1u << (data[0] % 10)); /* 1..512: some invalid */
	q.desc_gpa = 0;
	q.avail_gpa = 0x1000 + (data[1] & 1); /* sometimes misaligned */
	q.used_gpa = 0x2000;
	q.indirect = data[1] & 2;
	q.event_idx = data[1] & 4;
	if (vq_start(&q, &m) < 0)
		return 0;
	for (unsigned round = 0; round < 2 * VQ_MAX_SIZE; round++) {
		int r = vq_pop(&q, &c);
		if (r <= 0)
			break;
		for (unsigned i = 0; i < c.n; i++)
			if (c.buf[i].ptr < ram || c.buf[i].ptr + c.buf[i].len > ram + RAM)
				abort();
		if (c.n > (q.indirect ? VQ_MAX_SIZE : q.size))
			abort();
		net_tx_iov(&c, iov, &cnt);
		net_rx_iov(&c, iov, &cnt);
		vq_push(&q, c.head, 0);
		vq_irq_due(&q);
		if (round % 3 == 0)
			vq_kicks_off(&q);
		else
			vq_kicks_on(&q);
	}
	return 0;
}
