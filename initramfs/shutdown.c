/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Orderly power-off and reboot: every process is asked to stop (a VMM
 * passes that on to its guest), killed when the grace period is over, the
 * filesystems are synced and unmounted, then reboot(2).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs.h"

/* Reaps until no child is left or @ms pass; true when none is left. */
static bool reap_for(unsigned ms)
{
	uint64_t end = clock_now_ns() + (uint64_t)ms * 1000000;
	struct timespec tick = { 0, 20 * 1000000 };

	for (;;) {
		pid_t p;
		while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (p < 0 && errno == ECHILD)
			return true;
		if (clock_now_ns() >= end)
			return false;
		nanosleep(&tick, NULL);
	}
}

/* Unmounts what /proc/mounts lists, last mounted first. */
static void unmount_all(void)
{
	struct buf b;
	char *lines[128];
	size_t n = 0;

	buf_init(&b);
	if (read_file("/proc/mounts", 1 << 20, &b) < 0)
		return;
	for (char *save = NULL, *l = strtok_r((char *)b.data, "\n", &save);
	     l && n < ARRAY_SIZE(lines); l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	while (n--) {
		char dev[256], dir[256];
		if (sscanf(lines[n], "%255s %255s", dev, dir) != 2 || !strcmp(dir, "/"))
			continue;
		if (umount2(dir, 0) == 0)
			continue;
		if (errno == EBUSY) /* still in use: at least make it clean */
			mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL);
		else if (errno != EINVAL)
			log_warn("unmount %s: %s", dir, strerror(errno));
	}
	buf_free(&b);
}

void shutdown_system(int cmd, unsigned grace_ms)
{
	const char *what = cmd == RB_POWER_OFF ? "power-off" : "reboot";

	log_info("%s: stopping every process (grace %u ms)", what, grace_ms);
	kill(-1, SIGTERM);
	kill(-1, SIGCONT);
	if (!reap_for(grace_ms)) {
		log_warn("%s: processes left after %u ms; killing them", what, grace_ms);
		kill(-1, SIGKILL);
		reap_for(2000);
	}
	sync();
	unmount_all();
	sync();
	log_info("%s: now", what);
	reboot(cmd);
	log_err("%s: reboot(2): %s", what, strerror(errno));
	for (;;) /* PID 1 must never return */
		pause();
}
