/* SPDX-License-Identifier: GPL-2.0-only */
/* The cache folder init chose, for applets run by hand on a workstation. */
#ifndef KVMBOX_CMD_BOOT_CACHE_H
#define KVMBOX_CMD_BOOT_CACHE_H

#include <stddef.h>

/* cache_dir of /run/kvmbox/boot.conf into @out; "" when there is none. */
void boot_conf_cache_dir(char *out, size_t size);

#endif
