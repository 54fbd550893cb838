/* SPDX-License-Identifier: GPL-2.0-only */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs/initramfs.h"
#include "tests/harness.h"

#define SEC 1000000000ull

TEST(service_backoff_grows_and_caps)
{
	CHECK_EQ(service_backoff_ns(1), 0);
	CHECK_EQ(service_backoff_ns(2), 1 * SEC);
	CHECK_EQ(service_backoff_ns(3), 2 * SEC);
	CHECK_EQ(service_backoff_ns(6), 16 * SEC);
	CHECK_EQ(service_backoff_ns(7), 30 * SEC);
	CHECK_EQ(service_backoff_ns(1000), 30 * SEC);
}

TEST(service_restart_schedule_follows_quick_deaths)
{
	char *argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct service s = { .name = "t", .argv = argv, .enabled = true };
	char why[96];
	int status;

	CHECK_EQ(service_start(&s, 100 * SEC), 0);
	CHECK(s.pid > 0);
	pid_t pid = s.pid;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	describe_exit(status, why, sizeof(why));
	CHECK_STR(why, "exited with status 3");
	CHECK(!service_reaped(&s, pid + 1, status, 101 * SEC));
	CHECK(service_reaped(&s, pid, status, 101 * SEC));
	CHECK_EQ(s.pid, 0);
	CHECK_EQ(s.next_start_ns, 101 * SEC); /* first death: at once */
	s.started_ns = 102 * SEC, s.pid = pid;
	CHECK(service_reaped(&s, pid, status, 103 * SEC));
	CHECK_EQ(s.next_start_ns, 104 * SEC); /* second quick one: 1 s */
	s.started_ns = 104 * SEC, s.pid = pid;
	CHECK(service_reaped(&s, pid, status, 200 * SEC)); /* lived long */
	CHECK_EQ(s.quick_deaths, 1);
	CHECK_EQ(s.next_start_ns, 200 * SEC);
	describe_exit(SIGKILL, why, sizeof(why));
	CHECK(strstr(why, "killed by signal 9"));
}
