/* SPDX-License-Identifier: GPL-2.0-only */
/* How far a fetch is, in words for the console (bytes, %, rate, ETA). */
#include <inttypes.h>
#include <stdio.h>

#include "cmd/image.h"
#include "core/core.h"

void image_progress_format(const struct image_progress *p, char *out, size_t size)
{
	char done[32], total[32], rate[32], eta[32] = "ETA --:--";
	unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 0;

	format_size(p->done, done, sizeof(done));
	format_size(p->total, total, sizeof(total));
	format_size(p->rate, rate, sizeof(rate));
	if (p->final)
		snprintf(eta, sizeof(eta), "done");
	else if (p->eta_s >= 0)
		snprintf(eta, sizeof(eta), "ETA %" PRId64 ":%02" PRId64, p->eta_s / 60,
			 p->eta_s % 60);
	snprintf(out, size, "%s / %s  %3u%%  %s/s  %s", done, total, pct, rate, eta);
}
