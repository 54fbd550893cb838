/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Appliance icons of the graphical menu: the catalog's `icon = FILE`, a
 * binary PPM of at most 96x96. A boot medium's catalog has its icons beside
 * it; a server catalog's icons are fetched by the sync worker into
 * CACHE/icons/NAME.ppm (checked before they are kept) so an offline boot
 * still shows them. An icon that cannot be used costs one log line and the
 * tile shows the title's initial instead.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "initramfs/initramfs.h"

int menu_icon_parse(const uint8_t *data, size_t len, struct gfx_image *out,
		    struct errmsg *err)
{
	int r;

	if (len > MENU_ICON_MAX_FILE)
		return errmsg_set(err, -EFBIG, "larger than %u KiB", MENU_ICON_MAX_FILE / 1024);
	/* Bounded by the file size already; the side check below names the rule. */
	r = ppm_parse(data, len, MENU_ICON_MAX_FILE, out, err);
	if (r < 0)
		return r;
	if (out->width > MENU_ICON_MAX_DIM || out->height > MENU_ICON_MAX_DIM) {
		r = errmsg_set(err, -E2BIG, "%ux%u, icons are at most %ux%u", out->width,
			       out->height, MENU_ICON_MAX_DIM, MENU_ICON_MAX_DIM);
		gfx_image_free(out);
		return r;
	}
	return 0;
}

int menu_icon_load(const char *path, struct gfx_image *out, struct errmsg *err)
{
	struct buf b;
	int r;

	memset(out, 0, sizeof(*out));
	buf_init(&b);
	r = read_file(path, MENU_ICON_MAX_FILE, &b);
	if (r == -EFBIG)
		r = errmsg_set(err, r, "larger than %u KiB", MENU_ICON_MAX_FILE / 1024);
	else if (r < 0)
		r = errmsg_set(err, r, "%s", err_str(r));
	else
		r = menu_icon_parse(b.data, b.len, out, err);
	buf_free(&b);
	return r;
}

/* The folder part of @file ("" or ending in '/'), at most @max characters. */
static int folder_len(const char *file)
{
	const char *slash = strrchr(file, '/');

	return slash ? (int)(slash - file + 1) : 0;
}

int menu_icon_path(const struct menu_source *src, const struct catalog_appliance *a,
		   char *path, size_t size)
{
	const char *base = src->using_cached ? src->cached_catalog : src->shipped_catalog;
	int n;

	if (!a->icon)
		return -ENOENT;
	if (src->using_cached) /* a server catalog: its icons were cached by name */
		n = snprintf(path, size, "%.*sicons/%s.ppm", folder_len(base), base, a->name);
	else
		n = snprintf(path, size, "%.*s%s", folder_len(base), base, a->icon);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

void menu_icons_free(struct menu_icons *ic)
{
	for (size_t i = 0; i < CATALOG_MAX_APPLIANCES; i++) {
		if (ic->by_app[i])
			gfx_image_free(&ic->img[i]);
		ic->by_app[i] = NULL;
	}
}

size_t menu_icons_load(struct menu_icons *ic, const struct menu_source *src,
		       const struct catalog *cat)
{
	size_t loaded = 0, named = 0;

	menu_icons_free(ic);
	for (size_t i = 0; i < cat->napps && i < CATALOG_MAX_APPLIANCES; i++) {
		const struct catalog_appliance *a = &cat->apps[i];
		struct errmsg err;
		char path[512];

		if (!a->icon)
			continue;
		named++;
		if (menu_icon_path(src, a, path, sizeof(path)) < 0) {
			log_warn("icon of %s: path too long", a->name);
			continue;
		}
		if (menu_icon_load(path, &ic->img[i], &err) < 0) {
			log_warn("icon %s of %s not shown: %s", path, a->name, err.msg);
			continue;
		}
		ic->by_app[i] = &ic->img[i];
		loaded++;
	}
	if (named)
		log_info("icons: %zu of %zu shown", loaded, named);
	return loaded;
}

/* Fetches one icon; true when the cached copy changed. */
static bool fetch_one(const struct menu_source *src, const struct catalog_appliance *a,
		      const char *dir, unsigned timeout_ms)
{
	char url[HTTP_MAX_URL], path[512];
	struct gfx_image im;
	struct errmsg err;
	struct buf b;
	bool changed = false;
	int r;

	if (http_url_resolve(src->catalog_url, a->icon, url, sizeof(url)) < 0 ||
	    snprintf(path, sizeof(path), "%s/%s.ppm", dir, a->name) >= (int)sizeof(path)) {
		log_warn("icon %s of %s: URL or path too long", a->icon, a->name);
		return false;
	}
	buf_init(&b);
	r = http_get_buf(url, timeout_ms, MENU_ICON_MAX_FILE, &b, &err);
	if (r < 0) { /* the message names the URL */
		log_warn("icon of %s not fetched: %s", a->name, err.msg);
		goto out;
	}
	if (menu_icon_parse(b.data, b.len, &im, &err) < 0) { /* keep the old copy */
		log_warn("icon %s of %s not fetched: %s", url, a->name, err.msg);
		goto out;
	}
	gfx_image_free(&im);
	if (file_holds(path, b.data, b.len))
		goto out;
	r = write_file_atomic(path, b.data, b.len, 0644);
	if (r < 0)
		log_warn("icon of %s: cannot save %s: %s", a->name, path, err_str(r));
	changed = r == 0;
out:
	buf_free(&b);
	return changed;
}

int menu_icons_fetch(const struct menu_source *src, const struct catalog *cat,
		     unsigned timeout_ms, int report_fd)
{
	const char *base = src->cached_catalog;
	char dir[320];
	size_t changed = 0;

	if (!src->catalog_url[0] || !src->using_cached)
		return 0; /* no server catalog: icons come from the boot medium */
	snprintf(dir, sizeof(dir), "%.*sicons", folder_len(base), base);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		int r = -errno;

		log_warn("icons: cannot create %s: %s", dir, err_str(r));
		return r;
	}
	for (size_t i = 0; i < cat->napps; i++)
		if (cat->apps[i].icon && fetch_one(src, &cat->apps[i], dir, timeout_ms))
			changed++;
	if (changed && report_fd >= 0)
		write_full(report_fd, "icons new\n", 10);
	return (int)changed;
}
