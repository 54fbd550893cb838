/* SPDX-License-Identifier: GPL-2.0-only */
/* Screenshots as binary PPM (P6), written atomically. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spiceclient/spice.h"

int spice_ppm_write(const char *path, const struct spice_pixels *p,
		    struct errmsg *err)
{
	char hdr[64];
	int hl = snprintf(hdr, sizeof(hdr), "P6\n%u %u\n255\n", p->width, p->height);
	size_t n = (size_t)p->width * p->height;
	uint8_t *out = malloc((size_t)hl + 3 * n);
	int rc;

	if (!out)
		return errmsg_set(err, -ENOMEM, "no memory for the screenshot");
	memcpy(out, hdr, (size_t)hl);
	for (size_t i = 0; i < n; i++) {
		uint32_t v = p->px[i];
		out[hl + 3 * i] = (uint8_t)(v >> 16);
		out[hl + 3 * i + 1] = (uint8_t)(v >> 8);
		out[hl + 3 * i + 2] = (uint8_t)v;
	}
	rc = write_file_atomic(path, out, (size_t)hl + 3 * n, 0644);
	free(out);
	return rc < 0 ? errmsg_set(err, rc, "%s: %s", path, err_str(rc)) : 0;
}
