/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Appliance icons (initramfs/menu_icons.c): a good icon reaches its tile;
 * a corrupt, oversize or missing one is NULL plus one log line naming the
 * file and the reason; a server's icons are cached for offline boots.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initramfs/initramfs.h"
#include "tests/harness.h"
#include "tests/test_server.h"

#define MAGENTA GFX_RGB(0xff, 0x00, 0xff)

static const char catalog_text[] =
	"[catalog]\ntitle = Icons\n"
	"[appliance good]\ntitle = Good\ntype = spice\nurl = spice://h:1\nicon = i/good.ppm\n"
	"[appliance corrupt]\ntitle = Corrupt\ntype = spice\nurl = spice://h:1\nicon = i/bad.ppm\n"
	"[appliance wide]\ntitle = Wide\ntype = spice\nurl = spice://h:1\nicon = i/wide.ppm\n"
	"[appliance huge]\ntitle = Huge\ntype = spice\nurl = spice://h:1\nicon = i/huge.ppm\n"
	"[appliance missing]\ntitle = Missing\ntype = spice\nurl = spice://h:1\nicon = i/none.ppm\n"
	"[appliance plain]\ntitle = Plain\ntype = spice\nurl = spice://h:1\n";

/* A W x H P6 of one colour at @path. */
static void write_ppm(const char *path, unsigned w, unsigned h, uint32_t rgb)
{
	struct gfx_image im;

	CHECK_EQ(gfx_image_alloc(&im, w, h), 0);
	gfx_fill(&im, (struct gfx_rect){ 0, 0, (int)w, (int)h }, rgb);
	CHECK_EQ(ppm_write(path, &im), 0);
	gfx_image_free(&im);
}

/* The icons of the catalog above, in folder @dir/i/. */
static void write_icons(const char *dir)
{
	char p[512];
	static const char bad[] = "P6\n10 10\n255\nshort";

	snprintf(p, sizeof(p), "%s/i", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/i/good.ppm", dir);
	write_ppm(p, 96, 80, MAGENTA);
	snprintf(p, sizeof(p), "%s/i/bad.ppm", dir);
	CHECK_EQ(write_file_atomic(p, bad, sizeof(bad) - 1, 0644), 0);
	snprintf(p, sizeof(p), "%s/i/wide.ppm", dir);
	write_ppm(p, 97, 40, MAGENTA);
	snprintf(p, sizeof(p), "%s/i/huge.ppm", dir);
	write_ppm(p, 300, 300, MAGENTA);
}

/* The log goes to @path until log_end, which reads it into @out. */
static void log_to(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	CHECK(fd >= 0);
	log_setup(fd, LOG_INFO, false, "menu");
}

static void log_end(const char *path, struct buf *out)
{
	log_setup(2, LOG_INFO, false, "test");
	buf_init(out);
	CHECK_EQ(read_file(path, 1 << 20, out), 0);
}

static size_t count_lines(const struct buf *b, const char *needle)
{
	size_t n = 0;

	for (const char *p = (const char *)b->data; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void check_loaded(const struct menu_icons *ic, const struct buf *log)
{
	CHECK(ic->by_app[0] != NULL);
	CHECK_EQ(ic->by_app[0]->width, 96u);
	CHECK_EQ(ic->by_app[0]->height, 80u);
	CHECK_EQ(gfx_image_row(ic->by_app[0], 79)[95], MAGENTA);
	for (int i = 1; i < 6; i++)
		CHECK(ic->by_app[i] == NULL);
	/* One line for each unusable icon, naming the file and why. */
	CHECK(strstr((const char *)log->data, "bad.ppm of corrupt not shown: "));
	CHECK(strstr((const char *)log->data, "wide.ppm of wide not shown: 97x40, icons are at most 96x96"));
	CHECK(strstr((const char *)log->data, "huge.ppm of huge not shown: larger than 256 KiB"));
	CHECK(strstr((const char *)log->data, "none.ppm of missing not shown: "));
	CHECK(strstr((const char *)log->data, "menu: icons: 1 of 5 shown\n"));
	CHECK_EQ(count_lines(log, "\n"), 5u);
	CHECK(!strstr((const char *)log->data, "plain"));
}

TEST(menu_icons_from_boot_medium)
{
	struct menu_source src = { 0 };
	struct menu_icons *ic = calloc(1, sizeof(*ic));
	struct catalog cat;
	struct errmsg e;
	struct buf log;

	CHECK(ic);
	write_icons(test_tmpdir());
	snprintf(src.shipped_catalog, sizeof(src.shipped_catalog), "%s/catalog.ini",
		 test_tmpdir());
	CHECK_EQ(catalog_parse("t.ini", catalog_text, strlen(catalog_text), &cat, &e), 0);
	log_to(test_path("icons.log"));
	CHECK_EQ(menu_icons_load(ic, &src, &cat), 1u);
	log_end(test_path("icons.log"), &log);
	check_loaded(ic, &log);

	/* The tile shows the icon: all of it, centred in the 96x96 square. */
	struct menu_model m;
	struct gfx_image im;
	size_t magenta = 0;

	menu_model_init(&m, &cat);
	CHECK_EQ(gfx_image_alloc(&im, 1280, 720), 0);
	CHECK_EQ(menu_render_gfx(&m, &im, ic->by_app), 0);
	for (unsigned y = 0; y < im.height; y++)
		for (unsigned x = 0; x < im.width; x++)
			magenta += gfx_image_row(&im, y)[x] == MAGENTA;
	CHECK_EQ(magenta, 96u * 80u);

	/* A reload frees the old icons first (ASan: no leak, no double free). */
	CHECK_EQ(menu_icons_load(ic, &src, &cat), 1u);
	menu_icons_free(ic);
	menu_icons_free(ic);
	CHECK(ic->by_app[0] == NULL);
	gfx_image_free(&im);
	menu_model_free(&m);
	catalog_free(&cat);
	buf_free(&log);
	free(ic);
}

/* Serves the file under the root folder @ctx (404 when absent). */
static void serve_file(int c, void *ctx)
{
	const char *root = ctx;
	char req[2048], path[600], head[128];
	struct buf body;

	test_read_head(c, req, sizeof(req));
	char *sp = strchr(req + 4, ' ');
	if (sp)
		*sp = 0;
	snprintf(path, sizeof(path), "%.300s%.200s", root, req + 4);
	buf_init(&body);
	if (read_file(path, 1 << 20, &body) == 0) {
		snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 body.len);
		write_full(c, head, strlen(head));
		write_full(c, body.data, body.len);
	} else {
		static const char nf[] =
			"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
		write_full(c, nf, sizeof(nf) - 1);
	}
	buf_free(&body);
}

TEST(menu_icons_fetched_and_cached)
{
	struct menu_source src = { 0 };
	struct menu_icons *ic = calloc(1, sizeof(*ic));
	struct catalog cat;
	struct errmsg e;
	struct buf log;
	char srv[512], cache[512], base[64], p[600];
	int rp[2];

	CHECK(ic);
	snprintf(srv, sizeof(srv), "%s/srv", test_tmpdir());
	snprintf(cache, sizeof(cache), "%s/cache", test_tmpdir());
	mkdir(srv, 0755);
	mkdir(cache, 0755);
	write_icons(srv);
	pid_t pid = test_server_start(serve_file, srv, base, sizeof(base));
	snprintf(src.catalog_url, sizeof(src.catalog_url), "%s/catalog.ini", base);
	snprintf(src.cached_catalog, sizeof(src.cached_catalog), "%.250s/catalog.ini", cache);
	src.using_cached = true;
	CHECK_EQ(catalog_parse("t.ini", catalog_text, strlen(catalog_text), &cat, &e), 0);

	/* Only the good icon is kept; the worker says so once. */
	CHECK_EQ(pipe2(rp, O_CLOEXEC), 0);
	log_to(test_path("fetch.log"));
	CHECK_EQ(menu_icons_fetch(&src, &cat, 5000, rp[1]), 1);
	log_end(test_path("fetch.log"), &log);
	char said[64] = "";
	close(rp[1]);
	CHECK_EQ(read(rp[0], said, sizeof(said) - 1), 10);
	close(rp[0]);
	CHECK_STR(said, "icons new\n");
	CHECK(strstr((const char *)log.data, "i/bad.ppm of corrupt not fetched: "));
	CHECK(strstr((const char *)log.data, "i/wide.ppm of wide not fetched: 97x40"));
	CHECK(strstr((const char *)log.data, "icon of huge not fetched: "));
	CHECK(strstr((const char *)log.data, "i/none.ppm: HTTP 404"));
	snprintf(p, sizeof(p), "%s/icons/good.ppm", cache);
	CHECK_EQ(access(p, F_OK), 0);
	snprintf(p, sizeof(p), "%s/icons/wide.ppm", cache);
	CHECK(access(p, F_OK) < 0);
	buf_free(&log);

	/* Unchanged on the server: nothing new to report. */
	CHECK_EQ(menu_icons_fetch(&src, &cat, 5000, -1), 0);

	/* Offline (server gone): the cached copy still shows. */
	test_server_stop(pid);
	log_to(test_path("offline.log"));
	CHECK_EQ(menu_icons_load(ic, &src, &cat), 1u);
	log_end(test_path("offline.log"), &log);
	CHECK(ic->by_app[0] && ic->by_app[0]->width == 96);
	CHECK(strstr((const char *)log.data, "icons/wide.ppm of wide not shown: "));
	menu_icons_free(ic);
	catalog_free(&cat);
	buf_free(&log);
	free(ic);
}
