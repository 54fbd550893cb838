/* SPDX-License-Identifier: GPL-2.0-only */
/* catalog: checks for the people who write appliance catalogs. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "cmd/store_adapter.h"

APPLET(catalog, "check an appliance catalog, hash an admin password",
       "usage: kvmbox catalog check FILE...\n"
       "       kvmbox catalog password   (reads the password on standard input)\n"
       "       kvmbox catalog sync SERVER CACHE_DIR\n"
       "check: validates each catalog; prints 'FILE: ok, N appliances' or\n"
       "'FILE:LINE: problem' and exits 1 when any is invalid.\n"
       "password: prints the admin_password value (sha256:HEX) for the catalog.\n"
       "sync: what the menu does at boot, once: fetches SERVER's catalog.ini (or\n"
       "SERVER itself when it ends in .ini) into CACHE_DIR when valid, then every\n"
       "image missing from CACHE_DIR/images, verified; prints what happens and\n"
       "exits 1 when some appliance is not ready. Pre-fills a cache partition.\n"
       "Then, like the menu, deletes the images the catalog no longer names\n"
       "until the cache fits its cache_budget (default: 90 % of the file system).");

static int check(int argc, char **argv)
{
	int status = 0;

	for (int i = 0; i < argc; i++) {
		struct catalog c;
		struct errmsg err;
		size_t ghosts = 0;

		if (catalog_load(argv[i], &c, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			status = 1;
			continue;
		}
		for (size_t k = 0; k < c.napps; k++)
			ghosts += c.apps[k].ghost;
		printf("%s: ok, %zu appliances (%zu ghost)\n", argv[i], c.napps, ghosts);
		catalog_free(&c);
	}
	return status;
}

static int password(void)
{
	char line[256], hex[2 * SHA256_LEN + 1];
	uint8_t d[SHA256_LEN];
	size_t n;

	if (!fgets(line, sizeof(line), stdin)) {
		fprintf(stderr, "kvmbox catalog: no password on standard input\n");
		return 1;
	}
	n = strcspn(line, "\r\n");
	line[n] = 0;
	sha256(line, n, d);
	explicit_bzero(line, sizeof(line));
	format_hex(d, SHA256_LEN, hex);
	printf("admin_password = sha256:%s\n", hex);
	return 0;
}

/* As the menu does after a sync: the images the catalog names, in budget. */
static void trim_cache(struct menu_source *src, const struct menu_store *st,
		       const char *cache)
{
	struct catalog c;
	struct errmsg err;

	if (catalog_load(src->cached_catalog, &c, &err) < 0)
		return; /* no catalog from the server: nothing says what to keep */
	if (menu_cache_gc(st, &c, cache, &err) < 0)
		printf("image cache: %s\n", err.msg);
	catalog_free(&c);
}

static int sync_once(const char *server, const char *cache)
{
	struct menu_boot_conf bc = { .catalog = "/nonexistent" };
	struct menu_store st;
	struct menu_source src;
	struct errmsg err;
	int p[2], status = 0;
	FILE *in;
	char line[600];

	if (str_copy(bc.server, sizeof(bc.server), server) < 0 ||
	    str_copy(bc.cache_dir, sizeof(bc.cache_dir), cache) < 0)
		return usage_error(&applet_catalog, "SERVER or CACHE_DIR too long");
	if (store_adapter_open(cache, &st, &err) < 0) {
		fprintf(stderr, "kvmbox catalog: %s\n", err.msg);
		return 1;
	}
	menu_source_init(&src, &bc);
	if (pipe(p) < 0) {
		store_adapter_close(&st);
		return 1;
	}
	/* The reports go through a pipe to be read back as they come. */
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(menu_sync_run(&src, &st, 10000, p[1]) < 0);
	}
	close(p[1]);
	in = fdopen(p[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		if (!strncmp(line, "failed ", 7) || !strncmp(line, "catalog rejected", 16) ||
		    !strncmp(line, "catalog unreachable", 19) || !strncmp(line, "done no", 7))
			status = 1;
		if (strncmp(line, "progress ", 9))
			fputs(line, stdout);
	}
	if (in)
		fclose(in);
	waitpid(pid, NULL, 0);
	trim_cache(&src, &st, cache);
	store_adapter_close(&st);
	return status;
}

int catalog_main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "sync"))
		return sync_once(argv[2], argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "check"))
		return check(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "password"))
		return password();
	if (argc < 2)
		return usage_error(&applet_catalog, "missing command (check, password or sync)");
	return usage_error(&applet_catalog, "unknown command or missing FILE: '%s'", argv[1]);
}
