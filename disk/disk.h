/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * disk: the block backends behind the VMM's virtio-blk (struct blockdev in
 * core/core.h): raw files now; the COW overlay and the compressed image
 * format join here.
 */
#ifndef KVMBOX_DISK_H
#define KVMBOX_DISK_H

#include "core/core.h"

/* Opens a raw image file; @read_only opens it O_RDONLY. */
int disk_open_raw(const char *path, bool read_only, struct blockdev **out,
		  struct errmsg *err);

#endif
