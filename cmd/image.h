/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The `image` applet's commands, one file each (cmd/image*.c); cmd/image.c
 * dispatches to them. Each takes the arguments after its command name
 * (argv[0] is the command) and returns the exit status.
 */
#ifndef KVMBOX_CMD_IMAGE_H
#define KVMBOX_CMD_IMAGE_H

int image_mcast_send_main(int argc, char **argv);
int image_mcast_recv_main(int argc, char **argv);
int image_publish_main(int argc, char **argv);
int image_serve_main(int argc, char **argv);
int image_fetch_main(int argc, char **argv);

/* ---- the HTTP fetch (cmd/image_fetch.c), also used by the menu's sync ---- */

#include <stdbool.h>
#include <stdint.h>

struct disk_store;
struct disk_partial;
struct disk_manifest;
struct errmsg;

struct image_progress {
	uint64_t done;	  /* bytes of the image verified (kept ones included) */
	uint64_t total;	  /* bytes of the image */
	uint64_t fetched; /* bytes received by this run */
	uint64_t rate;	  /* bytes/s over the last seconds */
	int64_t eta_s;	  /* seconds to go, -1 while unknown */
	bool final;	  /* the last report of a fetch */
};

struct image_fetch_opts {
	unsigned timeout_ms;	/* each wait for the server; 0: 10 s */
	uint64_t rate;		/* bandwidth cap in bytes/s; 0: none */
	const uint8_t *expect;	/* the SHA-256 the catalog names, or NULL */
	/* About 4 times a second while bytes arrive, and once at the end. */
	void (*progress)(void *ctx, const struct image_progress *p);
	void *ctx;
};

/*
 * Fetches the image at @url (or the one whose manifest @url names, when it
 * ends in ".manifest") into the store: URL.manifest first, then the chunks
 * the store's partial image lacks, by Range requests on one keep-alive
 * connection, each verified on arrival; installed atomically when all are
 * there. Without a manifest (404) and with @o->expect, the plain file is
 * fetched (resumed by offset) and checked whole. @digest gets the installed
 * image's name. 0 (also when it was there already), or -errno + one line.
 */
int image_fetch(const char *url, struct disk_store *s,
		const struct image_fetch_opts *o, uint8_t digest[32],
		struct errmsg *err);
/* Only the transfer: the missing chunks of @p from @image_url (no finish). */
int image_fetch_partial(const char *image_url, struct disk_partial *p,
			const struct disk_manifest *m,
			const struct image_fetch_opts *o, struct errmsg *err);
/*
 * Points the (first) disk line of [appliance @name] in @catalog at @file
 * (relative to the catalog) with sha256=@digest, keeping "ro"; the result
 * must validate, and replaces the file atomically (cmd/image_catalog.c).
 */
int image_publish_catalog(const char *catalog, const char *name, const char *file,
			  const uint8_t digest[32], struct errmsg *err);
/* "  1.0 GiB / 2.0 GiB  50%  112.0 MiB/s  ETA 0:09" */
void image_progress_format(const struct image_progress *p, char *out, size_t size);

#endif
