/* SPDX-License-Identifier: GPL-2.0-only */
/* `kvmbox disk bench`'s request loop: does the I/O it says, times it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/disk/disk_test_util.h"

#define BENCH_DISK (1024 * 1024)

static struct blockdev *volatile_disk(char *base, size_t size)
{
	struct blockdev *b, *d;
	struct errmsg err = { "" };
	uint8_t *zeros = calloc(1, BENCH_DISK);

	CHECK(zeros);
	snprintf(base, size, "%s/bench.raw", test_tmpdir());
	write_whole(base, zeros, BENCH_DISK);
	free(zeros);
	CHECK_EQ(disk_open_raw(base, true, &b, &err), 0);
	CHECK_EQ(disk_overlay_open(b, base, NULL, test_tmpdir(), 0, &d, &err), 0);
	return d;
}

TEST(bench_writes_what_it_counts_and_reports_cpu_time)
{
	struct disk_bench_opts o = { .count = 6, .size = 4096, .step = 65536,
				     .offset = 8192, .write = true };
	struct disk_bench_result res;
	char base[512];
	struct blockdev *d = volatile_disk(base, sizeof(base));
	uint8_t *got = malloc(BENCH_DISK);

	CHECK(got);
	CHECK_EQ(disk_bench_run(d, &o, &res), 0);
	CHECK(res.seconds > 0);
	CHECK(res.user_seconds >= 0 && res.sys_seconds >= 0);
	CHECK(res.user_seconds + res.sys_seconds < res.seconds * 64 + 1);
	CHECK_EQ(dev_read(d, got, BENCH_DISK, 0), 0);
	/* Six 4 KiB requests from 8 KiB, 64 KiB apart: there and nowhere else. */
	for (size_t i = 0; i < BENCH_DISK; i++) {
		bool written = i >= 8192 && (i - 8192) % 65536 < 4096 &&
			       (i - 8192) / 65536 < 6;
		if (got[i] != (written ? 0xa5 : 0))
			test_fail(__FILE__, __LINE__, "byte %zu is %#x", i, got[i]);
	}
	free(got);
	d->ops->close(d);
}

TEST(bench_refuses_requests_outside_the_disk)
{
	struct disk_bench_opts o = { .count = 1, .size = 2 * BENCH_DISK };
	struct disk_bench_result res = { 1, 1, 1 };
	char base[512];
	struct blockdev *d = volatile_disk(base, sizeof(base));
	double secs = 1;

	CHECK_EQ(disk_bench_run(d, &o, &res), -EINVAL);
	CHECK(res.seconds == 0 && res.user_seconds == 0 && res.sys_seconds == 0);
	o.size = 4096;
	o.offset = BENCH_DISK;
	CHECK_EQ(disk_bench(d, &o, &secs), -EINVAL);
	CHECK(secs == 0);
	d->ops->close(d);
}
