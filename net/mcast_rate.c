/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rate control of the multicast sender. Loss has two causes: a link that
 * drops a share of packets whatever the rate (bad cable, busy Wi-Fi bridge)
 * and congestion, which grows with the rate. Slowing down only helps the
 * second, so the least loss of recent windows is taken as the link's
 * background loss and only loss above it makes the sender back off.
 */
#include "net.h"

#define EXCESS_PERMILLE 20 /* 2 % above the background: congestion */

void mcast_rate_init(struct mcast_rate *r, uint64_t start, uint64_t min,
		     uint64_t max)
{
	r->min = min;
	r->max = MAX(max, min);
	r->rate = MIN(MAX(start, r->min), r->max);
	r->nwin = 0;
}

static uint32_t background(const struct mcast_rate *r)
{
	uint32_t least = UINT32_MAX;
	unsigned n = MIN(r->nwin, (unsigned)ARRAY_SIZE(r->floor_permille));

	for (unsigned i = 0; i < n; i++)
		least = MIN(least, r->floor_permille[i]);
	return n ? least : 0;
}

uint64_t mcast_rate_update(struct mcast_rate *r, uint32_t loss)
{
	uint32_t floor;

	loss = MIN(loss, 1000u);
	r->floor_permille[r->nwin++ % ARRAY_SIZE(r->floor_permille)] = loss;
	floor = background(r);
	if (loss > 500 || loss > floor + EXCESS_PERMILLE)
		r->rate = r->rate / 4 * 3;	/* back off */
	else
		r->rate += r->rate / 4;		/* probe up */
	r->rate = MIN(MAX(r->rate, r->min), r->max);
	return r->rate;
}
