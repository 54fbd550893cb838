/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /run/kvmbox/net.status: the network's state for the menu, as INI
 * ([net] section), replaced atomically so a reader never sees half a file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "net.h"

/* mkdir -p of the folder holding @path. */
static int make_parent(const char *path)
{
	char dir[256];
	char *slash;

	if (str_copy(dir, sizeof(dir), path) < 0)
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(dir, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

int net_status_write(const char *path, const struct net_status *s)
{
	struct buf b;
	int r;

	buf_init(&b);
	r = buf_printf(&b,
		       "# written by kvmbox net daemon; replaced on every change\n"
		       "[net]\n"
		       "state = %s\n"
		       "bridge = %s\n"
		       "uplink = %s\n"
		       "carrier = %s\n"
		       "address = %s\n"
		       "router = %s\n"
		       "dns = %s\n"
		       "lease_seconds = %u\n"
		       "updated = %lld\n",
		       s->state, s->bridge, s->uplink, s->carrier ? "yes" : "no",
		       s->address, s->router, s->dns, s->lease_seconds,
		       (long long)time(NULL));
	if (r >= 0)
		r = make_parent(path);
	if (r >= 0)
		r = write_file_atomic(path, b.data, b.len, 0644);
	buf_free(&b);
	return r;
}
