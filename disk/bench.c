/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `kvmbox disk bench`: the request loop qemu-img bench runs (COUNT requests
 * of SIZE bytes, each STEP bytes after the last, wrapping at the end of the
 * disk), one request at a time, so both can be timed on the same files.
 * An optional untimed warm-up pass of the same requests measures a cache
 * that is already warm (as the page cache is for a raw file). The CPU time
 * of the timed pass is reported too: on a busy machine the wall clock only
 * shows the share of a core the loop was given.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include "disk.h"

static double tv_seconds(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int disk_bench(struct blockdev *b, const struct disk_bench_opts *o,
	       double *seconds)
{
	struct disk_bench_result res;
	int r = disk_bench_run(b, o, &res);

	*seconds = res.seconds;
	return r;
}

int disk_bench_run(struct blockdev *b, const struct disk_bench_opts *o,
		   struct disk_bench_result *res)
{
	uint64_t off = o->offset, step = o->step ? o->step : o->size;
	uint8_t *buf;
	int r = 0;

	memset(res, 0, sizeof(*res));
	if (!o->size || o->size > b->size || o->offset >= b->size)
		return -EINVAL;
	/*
	 * Like guest RAM in the VMM (and qemu-img's buffers): 2 MiB aligned
	 * and huge-page backed where the kernel can, so the copies are not
	 * measuring TLB misses.
	 */
	size_t cap = (o->size + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);
	if (posix_memalign((void **)&buf, 2u << 20, cap))
		return -ENOMEM;
	madvise(buf, cap, MADV_HUGEPAGE);
	memset(buf, 0xa5, o->size);
	uint64_t start = 0;
	struct rusage ru0 = { 0 }, ru1 = { 0 };
	/* The warm-up pass, then the timed one from the same first offset. */
	for (int pass = o->warmup ? 0 : 1; pass < 2 && r == 0; pass++) {
		uint64_t n = pass ? o->count : o->warmup;
		off = o->offset;
		start = clock_now_ns();
		getrusage(RUSAGE_SELF, &ru0);
		for (uint64_t i = 0; i < n && r == 0; i++) {
			struct iovec v = { buf, o->size };
			if (off + o->size > b->size)
				off = 0;
			r = o->write ? b->ops->writev(b, &v, 1, off)
				     : b->ops->readv(b, &v, 1, off);
			if (r == 0 && o->flush_interval && (i + 1) % o->flush_interval == 0)
				r = b->ops->flush(b);
			off = (off + step) % b->size;
		}
	}
	res->seconds = (double)(clock_now_ns() - start) / 1e9;
	getrusage(RUSAGE_SELF, &ru1);
	res->user_seconds = tv_seconds(ru1.ru_utime) - tv_seconds(ru0.ru_utime);
	res->sys_seconds = tv_seconds(ru1.ru_stime) - tv_seconds(ru0.ru_stime);
	free(buf);
	return r;
}
