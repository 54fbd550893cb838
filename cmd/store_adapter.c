/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wires disk/'s image store into struct menu_store, so the menu's files in
 * initramfs/ depend on core/ alone; shared by the menu and catalog applets.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/image.h"
#include "cmd/store_adapter.h"
#include "disk/disk.h"

static int store_path(void *ctx, const uint8_t digest[SHA256_LEN], char *path,
		      size_t size)
{
	return disk_store_path(ctx, digest, path, size);
}

static int store_install(void *ctx, const char *tmp, const uint8_t digest[SHA256_LEN],
			 struct errmsg *err)
{
	return disk_store_install(ctx, tmp, digest, err);
}

static int store_gc(void *ctx, uint64_t budget, const uint8_t (*keep)[SHA256_LEN],
		    size_t nkeep, struct errmsg *err)
{
	return disk_store_gc(ctx, budget, keep, nkeep, err);
}

/* The menu's downloads go through image_fetch (cmd/image_fetch.c). */
struct fetch_relay {
	void (*progress)(void *pctx, uint64_t done, uint64_t total, uint64_t rate,
			 int64_t eta_s);
	void *pctx;
};

static void relay_progress(void *ctx, const struct image_progress *p)
{
	struct fetch_relay *r = ctx;

	if (r->progress)
		r->progress(r->pctx, p->done, p->total, p->rate, p->eta_s);
}

static int store_fetch(void *ctx, const char *url, const uint8_t digest[SHA256_LEN],
		       void (*progress)(void *pctx, uint64_t done, uint64_t total,
					uint64_t rate, int64_t eta_s),
		       void *pctx, struct errmsg *err)
{
	struct fetch_relay relay = { progress, pctx };
	struct image_fetch_opts o = { .timeout_ms = 10000, .expect = digest,
				      .progress = relay_progress, .ctx = &relay };
	uint8_t got[SHA256_LEN];

	return image_fetch(url, ctx, &o, got, err);
}

int store_adapter_open(const char *cache_dir, struct menu_store *st,
		       struct errmsg *err)
{
	struct disk_store *ds;
	int r = disk_store_open(cache_dir, &ds, err);

	if (r < 0)
		return r;
	memset(st, 0, sizeof(*st));
	st->path = store_path;
	st->install = store_install;
	st->gc = store_gc;
	st->fetch = store_fetch;
	st->mcast_listen = image_mcast_listen;
	st->mcast_announce = image_mcast_announce;
	st->mcast_join = image_mcast_join;
	st->ctx = ds;
	snprintf(st->tmp_dir, sizeof(st->tmp_dir), "%.240s/tmp", cache_dir);
	return 0;
}

void store_adapter_close(struct menu_store *st)
{
	disk_store_close(st->ctx);
	st->ctx = NULL;
}
