/* SPDX-License-Identifier: GPL-2.0-only */
/* The image store's state, shared by disk/store.c and disk/partial.c only. */
#ifndef KVMBOX_DISK_STORE_PRIV_H
#define KVMBOX_DISK_STORE_PRIV_H

struct disk_store {
	char *dir;
	int images_fd; /* DIR/images */
	int tmp_fd;    /* DIR/tmp */
};

#endif
