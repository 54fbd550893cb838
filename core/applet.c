/* SPDX-License-Identifier: GPL-2.0-only */
/* Help and usage-error conventions shared by every applet. */
#include <stdio.h>
#include <string.h>

#include "core.h"

int usage_error(const struct applet *a, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "kvmbox %s: %s\nTry 'kvmbox %s --help'.\n", a->name, msg,
		a->name);
	return 2;
}

bool wants_help(const struct applet *a, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("%s\n", a->usage);
			return true;
		}
	}
	return false;
}
