/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The catalog on arbitrary bytes (it comes from a server): no crash, errors
 * always "file:line: problem", and what validates can be drawn as a menu and
 * turned into VM command lines.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "initramfs/initramfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct catalog c;
	struct errmsg e;
	struct menu_model m;
	struct buf out;

	if (catalog_parse("f.ini", (const char *)data, size, &c, &e) < 0) {
		if (strncmp(e.msg, "f.ini:", 6))
			abort();
		return 0;
	}
	menu_model_init(&m, &c);
	m.admin = true;
	buf_init(&out);
	menu_render(&m, 80, 24, &out);
	menu_render(&m, 41, 16, &out);
	for (size_t i = 0; i < c.napps; i++) {
		struct menu_vm_place pl = { .kvmbox = "k", .overlay_dir = "/o",
					    .bridge = "br0", .serial = "stdio" };
		struct menu_vm_argv v;

		for (size_t k = 0; k < ARRAY_SIZE(pl.paths); k++)
			pl.paths[k] = "/p";
		if (c.apps[i].type == APPLIANCE_LOCAL &&
		    (!c.apps[i].title || !c.apps[i].kernel.name))
			abort(); /* validation promised these */
		menu_vm_argv_build(&v, &c.apps[i], &pl, &e);
		m.selected = i;
		menu_render(&m, 80, 24, &out);
	}
	buf_free(&out);
	menu_model_free(&m);
	catalog_free(&c);
	return 0;
}
