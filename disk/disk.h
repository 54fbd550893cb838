/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * disk: the block backends behind the VMM's virtio-blk (struct blockdev in
 * core/core.h): raw files now; the COW overlay and the compressed image
 * format join here.
 */
#ifndef KVMBOX_DISK_H
#define KVMBOX_DISK_H

#include "core/core.h"

enum disk_overlay {
	DISK_OVERLAY_NONE,	 /* writes go to the file itself (or fail if ro) */
	DISK_OVERLAY_VOLATILE,	 /* writes go to a throw-away overlay */
	DISK_OVERLAY_PERSISTENT, /* writes go to a named delta file, kept */
};

/* What `--disk FILE[,ro][,overlay=volatile|PATH]` asks for. */
struct disk_spec {
	const char *path;
	bool read_only;
	enum disk_overlay overlay;
	const char *overlay_path; /* PERSISTENT: the delta file */
	const char *volatile_dir; /* VOLATILE: where the overlay lives (/run) */
};

/* Parses "FILE[,ro][,overlay=volatile|PATH]"; @spec points into @text. */
int disk_spec_parse(char *text, struct disk_spec *spec, struct errmsg *err);
/* Opens whatever @spec names: raw file, with an overlay when asked. */
int disk_open_spec(const struct disk_spec *spec, struct blockdev **out,
		   struct errmsg *err);

/* Opens a raw image file; @read_only opens it O_RDONLY. */
int disk_open_raw(const char *path, bool read_only, struct blockdev **out,
		  struct errmsg *err);

#endif
