/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * modprobe: loads a kernel module by name or alias, dependencies first. The
 * boot image links /sbin/modprobe here, so drivers the kernel asks for on
 * demand (filesystems, tun, bridge, …) load without kmod.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/core.h"
#include "initramfs/initramfs.h"

APPLET(modprobe, "load a kernel module and its dependencies",
       "usage: kvmbox modprobe [-q] [-d DIR] [--] NAME|ALIAS...\n"
       "Loads each module (with finit_module) after the modules it depends\n"
       "on, as listed in DIR/modules.dep and DIR/modules.alias (default\n"
       "/lib/modules/$(uname -r)). -q: no message for an unknown module.");

int modprobe_main(int argc, char **argv)
{
	const struct applet *a = &applet_modprobe;
	struct module_table t;
	struct errmsg err;
	struct utsname u;
	char dir[300];
	bool quiet = false;
	const char *dirarg = NULL;
	int i, rc = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "-q")) {
			quiet = true;
		} else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			dirarg = argv[++i];
		} else if (strcmp(argv[i], "-b")) { /* -b: blacklists, none here */
			return usage_error(a, "unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc)
		return usage_error(a, "missing module name");
	uname(&u);
	snprintf(dir, sizeof(dir), "%s", dirarg ? dirarg : "/lib/modules/");
	if (!dirarg)
		snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	if (modtable_load(&t, dir, &err) < 0) {
		fprintf(stderr, "kvmbox modprobe: %s\n", err.msg);
		return 1;
	}
	for (; i < argc; i++) {
		int r = modprobe(&t, argv[i]);
		if (r == -ENOENT && quiet) {
			rc = 1;
		} else if (r < 0) {
			fprintf(stderr, "kvmbox modprobe: %s: %s\n", argv[i],
				r == -ENOENT ? "no such module" : err_str(r));
			rc = 1;
		}
	}
	modtable_free(&t);
	return rc;
}
