/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Overlay files from a hostile disk: header and map through the real
 * inspection path. The header checksum is fixed up first so that the
 * fuzzer gets past it to the fields and the map.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "disk/disk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct disk_overlay_info info;
	struct errmsg err;
	char path[64];
	uint8_t *copy = malloc(size + 1);
	int fd = memfd_create("overlay", 0);

	if (!copy || fd < 0)
		abort();
	memcpy(copy, data, size);
	if (size >= 256)
		sha256(copy, 224, copy + 224);
	if (write_full(fd, copy, size) < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (disk_overlay_inspect(path, &info, &err) == 0 &&
	    (info.cluster_size < 4096 || info.virtual_size == 0))
		abort();
	if (disk_overlay_parse_header(copy, size, size, &info, &err) == 0 &&
	    info.virtual_size % 512)
		abort();
	close(fd);
	free(copy);
	return 0;
}
