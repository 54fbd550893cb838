/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * init: kvmbox as PID 1. Mounts the kernel filesystems, logs to /dev/kmsg,
 * shows the status on the console, then reaps children forever. With
 * kvmbox.autotest on the kernel command line it powers off after start-up.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs/initramfs.h"

APPLET(init, "run as PID 1 of the kvmbox boot image",
       "usage: kvmbox init   (normally started by the kernel as /init)\n"
       "Kernel command line: kvmbox.autotest  power off after start-up.");

static void open_console_log(void)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (fd >= 0)
		log_setup(fd, LOG_INFO, true, "kvmbox");
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;) /* PID 1 must never return, even if reboot(2) failed */
		pause();
}

int init_main(int argc, char **argv)
{
	char cmdline[4096] = "";
	sigset_t all;

	(void)argc, (void)argv;
	if (getpid() != 1) {
		fprintf(stderr, "kvmbox init: must run as PID 1\n");
		return 1;
	}
	sysinit_mount_all();
	open_console_log();
	sysinit_cmdline(cmdline, sizeof(cmdline));
	log_info("init started");
	int con = open("/dev/console", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	sysinit_print_status(con >= 0 ? con : 1);
	if (cmdline_has(cmdline, "kvmbox.autotest")) {
		log_info("autotest: start-up complete, powering off");
		power_off();
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		int sig;
		sigwait(&all, &sig);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (sig == SIGUSR2 || sig == SIGTERM)
			power_off();
	}
}
