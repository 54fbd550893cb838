/* SPDX-License-Identifier: GPL-2.0-only */
/* cache_dir of /run/kvmbox/boot.conf, as init wrote it. */
#include <string.h>

#include "cmd/boot_cache.h"
#include "core/core.h"

struct cache_out {
	char *dir;
	size_t size;
};

static int take_cache_dir(void *ctx, const struct ini_item *it, struct errmsg *why)
{
	struct cache_out *o = ctx;

	(void)why;
	if (it->key && !strcmp(it->section, "boot") && !strcmp(it->key, "cache_dir"))
		str_copy(o->dir, o->size, it->value);
	return 0;
}

void boot_conf_cache_dir(char *out, size_t size)
{
	struct cache_out o = { out, size };

	out[0] = 0;
	ini_parse_file("/run/kvmbox/boot.conf", 65536, take_cache_dir, &o, NULL);
}
