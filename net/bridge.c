/* SPDX-License-Identifier: GPL-2.0-only */
/* Bridge ports through rtnetlink (libnl-route-3). */
#include <errno.h>
#include <netlink/route/link.h>

#include "net.h"

static int nl_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_PERM: return -EPERM;
	case NLE_OBJ_NOTFOUND: return -ENODEV;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_EXIST: return -EEXIST;
	case NLE_BUSY: return -EBUSY;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	default: return -EIO;
	}
}

int net_bridge_add_port(const char *bridge, const char *ifname,
			struct errmsg *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *br = NULL, *port = NULL, *change = NULL;
	int r;

	if (!sk)
		return errmsg_set(err, -ENOMEM, "netlink: out of memory");
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r == 0)
		r = rtnl_link_get_kernel(sk, 0, bridge, &br);
	if (r < 0) {
		r = errmsg_set(err, nl_to_errno(r), "bridge %s: %s", bridge,
			       nl_geterror(r));
		goto out;
	}
	r = rtnl_link_get_kernel(sk, 0, ifname, &port);
	if (r < 0) {
		r = errmsg_set(err, nl_to_errno(r), "%s: %s", ifname, nl_geterror(r));
		goto out;
	}
	change = rtnl_link_alloc();
	if (!change) {
		r = errmsg_set(err, -ENOMEM, "netlink: out of memory");
		goto out;
	}
	rtnl_link_set_master(change, rtnl_link_get_ifindex(br));
	rtnl_link_set_flags(change, IFF_UP);
	r = rtnl_link_change(sk, port, change, 0);
	if (r < 0)
		r = errmsg_set(err, nl_to_errno(r), "add %s to bridge %s: %s",
			       ifname, bridge, nl_geterror(r));
out:
	rtnl_link_put(change);
	rtnl_link_put(port);
	rtnl_link_put(br);
	nl_socket_free(sk);
	return r;
}
