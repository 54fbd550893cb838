/* SPDX-License-Identifier: GPL-2.0-only */
#include <unistd.h>

#include "core/core.h"
#include "tests/harness.h"

static void read_all(int fd, char *out, size_t n)
{
	ssize_t got = read(fd, out, n - 1);
	out[got > 0 ? got : 0] = 0;
}

TEST(log_levels_and_prefixes)
{
	int p[2];
	char out[512];

	CHECK_EQ(pipe(p), 0);
	log_setup(p[1], LOG_INFO, false, "vm");
	log_err("disk %s: %s", "a.img", "short read");
	log_debug("hidden");
	log_info("booted in %d ms", 12);
	log_warn("w");
	close(p[1]);
	read_all(p[0], out, sizeof(out));
	CHECK_STR(out, "vm: error: disk a.img: short read\nvm: booted in 12 ms\n"
		       "vm: warning: w\n");
}

TEST(log_kmsg_format_for_pid1)
{
	int p[2];
	char out[512];

	CHECK_EQ(pipe(p), 0);
	log_setup(p[1], LOG_DEBUG, true, "init");
	log_warn("no network");
	log_debug("d");
	close(p[1]);
	read_all(p[0], out, sizeof(out));
	CHECK_STR(out, "<4>init: no network\n<7>init: d\n");
}

TEST(log_long_lines_are_cut_not_overflowed)
{
	int p[2];
	char big[3000], out[4096];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	CHECK_EQ(pipe(p), 0);
	log_setup(p[1], LOG_INFO, false, "t");
	log_info("%s", big);
	close(p[1]);
	read_all(p[0], out, sizeof(out));
	CHECK_EQ(strlen(out), 1023);
	CHECK_EQ(out[1022], '\n');
}
