/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keeping the image cache within its budget after a sync: every image the
 * catalog names stays (and every one a VM holds, which the store itself
 * respects); older ones go, least recently used first. The budget is the
 * catalog's cache_budget, else 90 % of the cache's file system.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "initramfs/initramfs.h"

uint64_t menu_cache_budget(const struct catalog *cat, const char *cache_dir)
{
	struct statvfs fs;

	if (cat->cache_budget)
		return cat->cache_budget;
	if (statvfs(cache_dir, &fs) < 0)
		return 0;
	return (uint64_t)fs.f_blocks * fs.f_frsize / 10 * 9;
}

int menu_cache_gc(const struct menu_store *st, const struct catalog *cat,
		  const char *cache_dir, struct errmsg *err)
{
	size_t max = cat->napps * (2 + CATALOG_MAX_DISKS), n = 0;
	uint8_t (*keep)[SHA256_LEN];
	uint64_t budget = menu_cache_budget(cat, cache_dir);
	int r;

	if (!st->gc || !st->ctx)
		return 0;
	if (!budget)
		return errmsg_set(err, -EINVAL, "%s: cannot tell the size of its file system",
				  cache_dir);
	keep = calloc(max ? max : 1, sizeof(*keep));
	if (!keep)
		return errmsg_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < cat->napps; i++) {
		const struct catalog_file *files[2 + CATALOG_MAX_DISKS];
		size_t nf = catalog_files(&cat->apps[i], files, ARRAY_SIZE(files));

		for (size_t k = 0; k < nf && n < max; k++)
			memcpy(keep[n++], files[k]->sha256, SHA256_LEN);
	}
	r = st->gc(st->ctx, budget, (const uint8_t (*)[SHA256_LEN])keep, n, err);
	free(keep);
	return r;
}
