/* SPDX-License-Identifier: GPL-2.0-only */
/* spice://HOST:PORT addresses. */
#include <errno.h>
#include <string.h>

#include "spiceclient/spice.h"

int spice_url_parse(const char *url, struct spice_url *u, struct errmsg *err)
{
	const char *h, *colon, *end;
	uint64_t port;

	if (!str_starts(url, "spice://"))
		return errmsg_set(err, -EINVAL, "'%s': expected spice://HOST:PORT", url);
	h = url + 8;
	if (*h == '[') { /* [IPv6]:port */
		end = strchr(h, ']');
		if (!end || end[1] != ':')
			return errmsg_set(err, -EINVAL, "'%s': expected spice://[ADDR]:PORT", url);
		colon = end + 1;
		h++;
	} else {
		colon = strrchr(h, ':');
		end = colon;
		if (!colon)
			return errmsg_set(err, -EINVAL, "'%s': no port (spice://HOST:PORT)", url);
	}
	size_t hl = (size_t)(end - h);
	const char *p = colon + 1;
	size_t pl = strcspn(p, "/?");
	if (!hl || hl >= sizeof(u->host) || memchr(h, '/', hl))
		return errmsg_set(err, -EINVAL, "'%s': bad host", url);
	if (pl == 0 || pl >= sizeof(u->port) || (p[pl] && strcmp(p + pl, "/")))
		return errmsg_set(err, -EINVAL, "'%s': bad port", url);
	memcpy(u->port, p, pl);
	u->port[pl] = 0;
	if (parse_u64(u->port, 1, 65535, &port) < 0)
		return errmsg_set(err, -EINVAL, "'%s': port must be 1-65535", url);
	memcpy(u->host, h, hl);
	u->host[hl] = 0;
	return 0;
}
