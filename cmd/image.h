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
/* ---- the multicast receive (cmd/image_mcast_recv.c), also the menu's join ---- */

#include "net/net.h"

struct image_mcast_recv_opts {
	const struct mcast_addr *addr;
	unsigned timeout_s;		/* give up on a silent session */
	const uint8_t *want_manifest;	/* follow only this manifest's session */
	const uint8_t *want_image;	/* take only this image (its SHA-256) */
	const char *http;		/* the image's URL: completes what is missing */
	bool quiet;
	/* About 4 times a second while chunks arrive, and once at the end. */
	void (*progress)(void *ctx, const struct image_progress *p);
	void *ctx;
};
struct image_mcast_result {
	struct mcast_recv_stats st;
	uint64_t http_chunks;
	uint8_t digest[32];		/* of the installed image */
};
/*
 * Receives one session into the store, every chunk verified, the image
 * installed when its whole digest matches; resumes and leaves a partial
 * image (HEX.part/.have) as the HTTP fetch does. 0 or -errno + one line.
 */
int image_mcast_recv(struct disk_store *store, const struct image_mcast_recv_opts *o,
		     struct image_mcast_result *res, struct errmsg *err);
/* The menu's store operations for multicast (cmd/image_mcast_join.c). */
struct menu_announce;
int image_mcast_listen(void *store, const char *group, int fd, struct errmsg *err);
int image_mcast_announce(void *store, int fd, struct menu_announce *a);
int image_mcast_join(void *store, const struct menu_announce *a, const char *url,
		     void (*progress)(void *pctx, uint64_t done, uint64_t total,
				      uint64_t rate, int64_t eta_s),
		     void *pctx, struct errmsg *err);

/* "  1.0 GiB / 2.0 GiB  50%  112.0 MiB/s  ETA 0:09" */
void image_progress_format(const struct image_progress *p, char *out, size_t size);

#endif
