/* SPDX-License-Identifier: GPL-2.0-only */
/* The image store (disk/) as the menu and its sync see it (initramfs/). */
#ifndef KVMBOX_CMD_STORE_ADAPTER_H
#define KVMBOX_CMD_STORE_ADAPTER_H

#include "initramfs/initramfs.h"

/* Opens the store of @cache_dir into @st (downloads go to CACHE_DIR/tmp). */
int store_adapter_open(const char *cache_dir, struct menu_store *st,
		       struct errmsg *err);
void store_adapter_close(struct menu_store *st);

#endif
