/* SPDX-License-Identifier: GPL-2.0-only */
/* Disk specifications as users write them, and opening what they name. */
#include <errno.h>
#include <string.h>

#include "disk.h"

int disk_spec_parse(char *text, struct disk_spec *spec, struct errmsg *err)
{
	char *opt, *save = NULL;

	memset(spec, 0, sizeof(*spec));
	spec->volatile_dir = "/run";
	spec->path = strtok_r(text, ",", &save);
	if (!spec->path || !*spec->path)
		return errmsg_set(err, -EINVAL, "--disk: missing file name");
	while ((opt = strtok_r(NULL, ",", &save))) {
		if (!strcmp(opt, "ro")) {
			spec->read_only = true;
		} else if (!strcmp(opt, "overlay=volatile")) {
			spec->overlay = DISK_OVERLAY_VOLATILE;
		} else if (str_starts(opt, "overlay=") && opt[8]) {
			spec->overlay = DISK_OVERLAY_PERSISTENT;
			spec->overlay_path = opt + 8;
		} else {
			return errmsg_set(err, -EINVAL,
					  "--disk %s: unknown option '%s' (expected ro, overlay=volatile or overlay=PATH)",
					  spec->path, opt);
		}
	}
	return 0;
}

int disk_open_spec(const struct disk_spec *spec, struct blockdev **out,
		   struct errmsg *err)
{
	struct blockdev *base;
	int r;

	if (spec->overlay == DISK_OVERLAY_NONE)
		return disk_open_image(spec->path, spec->read_only, out, err);
	/* The base is never written through an overlay. */
	r = disk_open_image(spec->path, true, &base, err);
	if (r < 0)
		return r;
	return disk_overlay_open(base, spec->path,
				 spec->overlay == DISK_OVERLAY_PERSISTENT
					 ? spec->overlay_path : NULL,
				 spec->volatile_dir, 0, out, err);
}
