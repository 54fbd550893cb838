/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * init: kvmbox as PID 1. The boot itself lives in initramfs/pid1.c; this
 * file only tells it which programs of this build it can supervise.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs/initramfs.h"
#include "applets.h"

APPLET(init, "run as PID 1 of the kvmbox boot image",
       "usage: kvmbox init              (started by the kernel as /init)\n"
       "       kvmbox init --console    (status console, stand-in for the menu)\n"
       "Kernel command line (all optional):\n"
       "  kvmbox.server=URL        catalog and image server\n"
       "  kvmbox.cache=SPEC        cache partition: LABEL=x, UUID=x or /dev/x\n"
       "                           (absent: the cache lives in RAM)\n"
       "  kvmbox.medium=SPEC       boot medium holding kvmbox/catalog.ini\n"
       "  kvmbox.appliance=NAME    start this appliance at once\n"
       "  kvmbox.net=MODE          dhcp (default), off, static:ADDR/PREFIX,GW\n"
       "  kvmbox.console=TTY       the menu's terminal (default: the console)\n"
       "  kvmbox.autotest          unattended run: power off when done\n"
       "  kvmbox.test-hook=HOOK    kill-menu | orphans | reboot (boot tests)\n"
       "Signals: SIGUSR2 power off, SIGTERM reboot, SIGUSR1 halt.");

#define KVMBOX_BIN "/bin/kvmbox"

static bool has_applet(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++)
		if (!strcmp(applets[i]->name, name))
			return true;
	return false;
}

/* The stand-in for a build without the menu: status, then wait. */
static int status_console(void)
{
	printf("  (no menu in this build: this console only shows the status)\n");
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

int init_main(int argc, char **argv)
{
	struct pid1_config cfg = {
		.net_program = has_applet("net") ? KVMBOX_BIN : NULL,
		.default_catalog = "/usr/share/kvmbox/catalog.ini",
	};

	if (getpid() != 1) {
		if (argc == 2 && !strcmp(argv[1], "--console"))
			return status_console();
		fprintf(stderr, "kvmbox init: must run as PID 1\n");
		return 1;
	}
	if (has_applet("menu")) {
		cfg.menu_name = "menu";
		cfg.menu_argv[0] = KVMBOX_BIN;
		cfg.menu_argv[1] = "menu";
		cfg.menu_is_real = true;
	} else {
		cfg.menu_name = "status console";
		cfg.menu_argv[0] = KVMBOX_BIN;
		cfg.menu_argv[1] = "init";
		cfg.menu_argv[2] = "--console";
	}
	pid1_run(&cfg);
}
