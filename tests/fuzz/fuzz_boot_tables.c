/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What PID 1 reads from outside: modules.dep / modules.alias text, a
 * disk's first bytes (blkid), the kernel command line, and LZ4 streams.
 * No crash, no leak, and what is accepted stays consistent.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "initramfs/initramfs.h"

static int no_load(void *ctx, const char *path)
{
	(void)ctx, (void)path;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct module_table t = { 0 };
	struct module_entry *m[8];
	struct blkid_info info;
	struct boot_options o;
	struct errmsg err;
	struct buf b;
	size_t split = size ? data[0] % (size + 1) : 0;
	char *cmdline = malloc(size + 1);

	if (modtable_parse(&t, (const char *)data, split, (const char *)data + split,
			   size - split, &err) == 0) {
		for (size_t i = 0; i < t.nmods; i++)
			modtable_load_module(&t, &t.mods[i], no_load, NULL);
		for (size_t i = 0; i < t.naliases; i++)
			modtable_match(&t, t.aliases[i].module, m, 8);
	}
	modtable_free(&t);
	blkid_probe_buf(data, size, &info);
	if (info.type[0] && strlen(info.label) >= sizeof(info.label))
		abort();
	if (cmdline) {
		memcpy(cmdline, data, size);
		cmdline[size] = 0;
		bootopts_parse(cmdline, &o);
		free(cmdline);
	}
	buf_init(&b);
	lz4_legacy_read(data, size, &b);
	buf_free(&b);
	return 0;
}
