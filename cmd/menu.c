/* SPDX-License-Identifier: GPL-2.0-only */
/* menu: the appliance menu on the console, started (and restarted) by init. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "cmd/store_adapter.h"

APPLET(menu, "the appliance menu on the console (started by init)",
       "usage: kvmbox menu [--run-dir DIR] [--boot-conf FILE] [--vm-command PATH]\n"
       "                   [--init-pid PID]\n"
       "Shows the appliances of the catalog on this terminal and starts the one\n"
       "chosen as 'PATH vm run ...'. Reads DIR/boot.conf (written by init) and\n"
       "DIR/net.status (written by the network daemon); logs to DIR/menu.log.\n"
       "  --run-dir DIR      default /run/kvmbox (env KVMBOX_RUN_DIR)\n"
       "  --boot-conf FILE   default DIR/boot.conf (env KVMBOX_BOOT_CONF)\n"
       "  --vm-command PATH  program run as 'PATH vm run ...'; default this binary\n"
       "                     (env KVMBOX_VM_COMMAND)\n"
       "  --init-pid PID     receives SIGTERM (reboot) and SIGUSR2 (power off);\n"
       "                     default 1 (env KVMBOX_INIT_PID)");

int menu_main(int argc, char **argv)
{
	struct menu_options o = { .run_dir = getenv("KVMBOX_RUN_DIR"),
				  .boot_conf = getenv("KVMBOX_BOOT_CONF"),
				  .vm_command = getenv("KVMBOX_VM_COMMAND"),
				  .open_store = store_adapter_open };
	const char *pid = getenv("KVMBOX_INIT_PID");
	uint64_t v;
	int r;

	for (int i = 1; i < argc; i += 2) { /* every option takes a value */
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val)
			return usage_error(&applet_menu, "'%s' needs a value or is unknown", a);
		if (!strcmp(a, "--run-dir"))
			o.run_dir = val;
		else if (!strcmp(a, "--boot-conf"))
			o.boot_conf = val;
		else if (!strcmp(a, "--vm-command"))
			o.vm_command = val;
		else if (!strcmp(a, "--init-pid"))
			pid = val;
		else
			return usage_error(&applet_menu, "unknown option '%s'", a);
	}
	if (pid && parse_u64(pid, 1, 0x7fffffff, &v) < 0)
		return usage_error(&applet_menu, "bad --init-pid '%s'", pid);
	o.init_pid = pid ? (pid_t)v : 1;
	r = menu_run(&o);
	if (r < 0) {
		fprintf(stderr, "kvmbox menu: %s\n", err_str(r));
		return 1;
	}
	return 0;
}
