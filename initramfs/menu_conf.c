/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the menu reads from others: boot.conf (from init), net.status (from
 * the network daemon), and where the catalog in use and its files are.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "initramfs/initramfs.h"

#define SHIPPED_CATALOG "/usr/share/kvmbox/catalog.ini"

static int boot_item(void *ctx, const struct ini_item *it, struct errmsg *why)
{
	struct menu_boot_conf *bc = ctx;
	int r = 0;

	(void)why;
	if (it->new_section || strcmp(it->section, "boot"))
		return 0; /* other sections belong to someone else */
	if (!strcmp(it->key, "server"))
		r = str_copy(bc->server, sizeof(bc->server), it->value);
	else if (!strcmp(it->key, "cache_dir"))
		r = str_copy(bc->cache_dir, sizeof(bc->cache_dir), it->value);
	else if (!strcmp(it->key, "appliance"))
		r = str_copy(bc->appliance, sizeof(bc->appliance), it->value);
	else if (!strcmp(it->key, "catalog"))
		r = str_copy(bc->catalog, sizeof(bc->catalog), it->value);
	else if (!strcmp(it->key, "console"))
		r = str_copy(bc->console, sizeof(bc->console), it->value);
	else if (!strcmp(it->key, "autotest"))
		parse_bool(it->value, &bc->autotest);
	else if (!strcmp(it->key, "medium"))
		bc->medium_waiting = !strcmp(it->value, "waiting");
	if (r < 0)
		return errmsg_set(why, -EINVAL, "%s is too long", it->key);
	return 0;
}

int menu_boot_conf_load(const char *path, struct menu_boot_conf *bc,
			struct errmsg *err)
{
	int r;

	memset(bc, 0, sizeof(*bc));
	r = access(path, F_OK) == 0 ? ini_parse_file(path, 65536, boot_item, bc, err)
				    : 0;
	if (!bc->catalog[0])
		str_copy(bc->catalog, sizeof(bc->catalog), SHIPPED_CATALOG);
	if (!bc->cache_dir[0])
		str_copy(bc->cache_dir, sizeof(bc->cache_dir), "/run/kvmbox/cache");
	return r;
}

static int net_item(void *ctx, const struct ini_item *it, struct errmsg *why)
{
	struct menu_net_status *ns = ctx;

	(void)why;
	if (it->new_section || strcmp(it->section, "net"))
		return 0;
	if (!strcmp(it->key, "state"))
		str_copy(ns->state, sizeof(ns->state), it->value);
	else if (!strcmp(it->key, "bridge"))
		str_copy(ns->bridge, sizeof(ns->bridge), it->value);
	else if (!strcmp(it->key, "address"))
		str_copy(ns->address, sizeof(ns->address), it->value);
	else if (!strcmp(it->key, "carrier"))
		parse_bool(it->value, &ns->carrier);
	return 0;
}

int menu_net_status_load(const char *path, struct menu_net_status *ns)
{
	struct errmsg e;
	int r;

	memset(ns, 0, sizeof(*ns));
	r = ini_parse_file(path, 65536, net_item, ns, &e);
	if (r < 0)
		memset(ns, 0, sizeof(*ns));
	return r;
}

void menu_source_init(struct menu_source *src, const struct menu_boot_conf *bc)
{
	size_t n = strlen(bc->server);

	memset(src, 0, sizeof(*src));
	if (n > 4 && !strcmp(bc->server + n - 4, ".ini"))
		str_copy(src->catalog_url, sizeof(src->catalog_url), bc->server);
	else if (n)
		snprintf(src->catalog_url, sizeof(src->catalog_url), "%.2000s%scatalog.ini",
			 bc->server, bc->server[n - 1] == '/' ? "" : "/");
	str_copy(src->shipped_catalog, sizeof(src->shipped_catalog), bc->catalog);
	snprintf(src->cached_catalog, sizeof(src->cached_catalog), "%s/catalog.ini",
		 bc->cache_dir);
}

int menu_catalog_load(struct menu_source *src, struct catalog *cat,
		      struct errmsg *err)
{
	struct errmsg cached_err;

	src->using_cached = false;
	if (access(src->cached_catalog, F_OK) == 0) {
		if (catalog_load(src->cached_catalog, cat, &cached_err) == 0) {
			src->using_cached = true;
			return 0;
		}
		/* Only a validated catalog is ever cached: a damaged disk. */
		log_warn("cached catalog ignored: %s", cached_err.msg);
	}
	return catalog_load(src->shipped_catalog, cat, err);
}

int menu_file_find(const struct menu_source *src, const struct menu_store *st,
		   const struct catalog_file *f, char *path, size_t size)
{
	const char *slash;
	int n;

	if (st && st->path && st->path(st->ctx, f->sha256, path, size) == 0)
		return 0;
	if (src->using_cached)
		return -ENOENT;
	/* The boot medium's files sit beside its catalog; the medium is trusted. */
	slash = strrchr(src->shipped_catalog, '/');
	n = snprintf(path, size, "%.*s%s", slash ? (int)(slash - src->shipped_catalog + 1) : 0,
		     src->shipped_catalog, f->name);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return access(path, R_OK) == 0 ? 0 : -ENOENT;
}
