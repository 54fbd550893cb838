/* SPDX-License-Identifier: GPL-2.0-only */
/* The rtnetlink socket (libnl-route-3) and the link operations on it. */
#include <errno.h>
#include <netlink/route/link.h>
#include <stdlib.h>
#include <string.h>

#include "nl_private.h"

int nl_to_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0: return 0;
	case NLE_PERM: return -EPERM;
	case NLE_OBJ_NOTFOUND: return -ENODEV;
	case NLE_NODEV: return -ENODEV;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_EXIST: return -EEXIST;
	case NLE_BUSY: return -EBUSY;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_INVAL: return -EINVAL;
	case NLE_RANGE: return -ERANGE;
	case NLE_NOADDR: return -EADDRNOTAVAIL;
	default: return -EIO;
	}
}

/* One line for a person: "what: why", with "permission denied" spelt out. */
int nl_fail(struct errmsg *err, int nlerr, const char *fmt, const char *what)
{
	int e = nl_to_errno(nlerr);
	char line[128];

	snprintf(line, sizeof(line), fmt, what);
	if (e == -EPERM)
		return errmsg_set(err, e, "%s: permission denied (needs CAP_NET_ADMIN)",
				  line);
	return errmsg_set(err, e, "%s: %s", line, nl_geterror(nlerr));
}

int net_nl_open(struct net_nl **out, struct errmsg *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r;

	if (!sk)
		return errmsg_set(err, -ENOMEM, "netlink: out of memory");
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(sk);
		return nl_fail(err, r, "%s", "netlink socket");
	}
	*out = (struct net_nl *)sk;
	return 0;
}

void net_nl_close(struct net_nl *nl)
{
	if (nl)
		nl_socket_free(nl_sock(nl));
}

void link_info_fill(struct rtnl_link *l, struct net_link_info *info)
{
	const char *kind = rtnl_link_get_type(l);
	struct nl_addr *a = rtnl_link_get_addr(l);
	unsigned flags = rtnl_link_get_flags(l);

	memset(info, 0, sizeof(*info));
	info->ifindex = rtnl_link_get_ifindex(l);
	info->master = rtnl_link_get_master(l);
	info->up = flags & IFF_UP;
	info->carrier = flags & IFF_LOWER_UP;
	str_copy(info->kind, sizeof(info->kind), kind ? kind : "");
	info->is_bridge = kind && !strcmp(kind, "bridge");
	if (a && nl_addr_get_len(a) == 6)
		memcpy(info->mac, nl_addr_get_binary_addr(a), 6);
}

int net_link_get(struct net_nl *nl, const char *name,
		 struct net_link_info *info, struct errmsg *err)
{
	struct rtnl_link *l = NULL;
	int r = rtnl_link_get_kernel(nl_sock(nl), 0, name, &l);

	if (r < 0)
		return nl_fail(err, r, "%s", name);
	link_info_fill(l, info);
	rtnl_link_put(l);
	return 0;
}

int net_link_set_up(struct net_nl *nl, const char *name, bool up,
		    struct errmsg *err)
{
	struct rtnl_link *l = NULL, *change = NULL;
	int r = rtnl_link_get_kernel(nl_sock(nl), 0, name, &l);

	if (r < 0)
		return nl_fail(err, r, "%s", name);
	if (!!(rtnl_link_get_flags(l) & IFF_UP) == up)
		goto out; /* already so: send nothing */
	change = rtnl_link_alloc();
	if (!change) {
		r = errmsg_set(err, -ENOMEM, "netlink: out of memory");
		goto out;
	}
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	r = rtnl_link_change(nl_sock(nl), l, change, 0);
	if (r < 0)
		r = nl_fail(err, r, up ? "bring %s up" : "bring %s down", name);
out:
	rtnl_link_put(change);
	rtnl_link_put(l);
	return r;
}

int net_link_delete(struct net_nl *nl, const char *name, struct errmsg *err)
{
	struct rtnl_link *l = NULL;
	int r = rtnl_link_get_kernel(nl_sock(nl), 0, name, &l);

	if (r < 0)
		return nl_to_errno(r) == -ENODEV ? 0 : nl_fail(err, r, "%s", name);
	r = rtnl_link_delete(nl_sock(nl), l);
	rtnl_link_put(l);
	if (r < 0 && nl_to_errno(r) != -ENODEV)
		return nl_fail(err, r, "delete %s", name);
	return 0;
}
