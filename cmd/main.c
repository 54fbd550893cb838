/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The multicall entry point: the applet is basename(argv[0]) when kvmbox is
 * installed under an applet's name (/init → init), else the first argument.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "applets.h" /* generated from the APPLET() lines in cmd/ */

static const struct applet *find_applet(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++)
		if (!strcmp(applets[i]->name, name))
			return applets[i];
	return NULL;
}

static void print_help(FILE *f)
{
	fprintf(f, "kvmbox %s: a virtual-appliance workstation in one binary\n\n"
		   "usage: kvmbox APPLET [ARGS...]   (or run as a link named APPLET)\n"
		   "       kvmbox APPLET --help\n\napplets:\n",
		KVMBOX_VERSION);
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++)
		fprintf(f, "  %-12s %s\n", applets[i]->name, applets[i]->summary);
}

static int run(const struct applet *a, int argc, char **argv)
{
	if (wants_help(a, argc, argv))
		return 0;
	return a->main(argc, argv);
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 && argv[0] ? argv[0] : "kvmbox";
	const char *base = strrchr(self, '/') ? strrchr(self, '/') + 1 : self;
	const struct applet *a;

	/* As PID 1 the kernel may pass argv[0] "/init" or "init". */
	if (getpid() == 1 && (a = find_applet("init")))
		return a->main(argc, argv);
	if (strcmp(base, "kvmbox") && (a = find_applet(base)))
		return run(a, argc, argv);
	if (argc < 2) {
		print_help(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_help(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("kvmbox %s\n", KVMBOX_VERSION);
		return 0;
	}
	a = find_applet(argv[1]);
	if (!a) {
		fprintf(stderr, "kvmbox: unknown applet '%s'\n"
				"Try 'kvmbox --help' for the list.\n", argv[1]);
		return 2;
	}
	return run(a, argc - 1, argv + 1);
}
