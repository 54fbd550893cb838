/* SPDX-License-Identifier: GPL-2.0-only */
/* IPv4 addresses and the default route, through rtnetlink (libnl-route-3). */
#include <arpa/inet.h>
#include <errno.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <string.h>

#include "nl_private.h"

static struct nl_addr *ip4(struct in_addr a, int prefix)
{
	struct nl_addr *n = nl_addr_build(AF_INET, &a, sizeof(a));

	if (n)
		nl_addr_set_prefixlen(n, prefix);
	return n;
}

static struct rtnl_addr *addr_obj(int ifindex, struct in_addr addr, int prefix,
				  bool with_broadcast)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = ip4(addr, prefix), *brd = NULL;

	if (!a || !local)
		goto fail;
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, AF_INET);
	if (rtnl_addr_set_local(a, local) < 0)
		goto fail;
	if (with_broadcast && prefix < 31) {
		uint32_t host = prefix ? 0xffffffffu >> prefix : 0xffffffffu;
		struct in_addr b = { addr.s_addr | htonl(host) };

		brd = ip4(b, 32);
		if (!brd || rtnl_addr_set_broadcast(a, brd) < 0)
			goto fail;
	}
	nl_addr_put(local);
	nl_addr_put(brd);
	return a;
fail:
	nl_addr_put(local);
	nl_addr_put(brd);
	rtnl_addr_put(a);
	return NULL;
}

int net_addr_set(struct net_nl *nl, int ifindex, struct in_addr addr,
		 int prefix, uint32_t lifetime_s, struct errmsg *err)
{
	struct rtnl_addr *a;
	char text[INET_ADDRSTRLEN];
	int r;

	if (prefix < 0 || prefix > 32)
		return errmsg_set(err, -EINVAL, "bad prefix length %d", prefix);
	a = addr_obj(ifindex, addr, prefix, true);
	if (!a)
		return errmsg_set(err, -ENOMEM, "netlink: out of memory");
	if (lifetime_s) {
		rtnl_addr_set_valid_lifetime(a, lifetime_s);
		rtnl_addr_set_preferred_lifetime(a, lifetime_s);
	}
	/* REPLACE: a renewal only refreshes the lifetimes. */
	r = rtnl_addr_add(nl_sock(nl), a, NLM_F_REPLACE);
	rtnl_addr_put(a);
	inet_ntop(AF_INET, &addr, text, sizeof(text));
	return r < 0 ? nl_fail(err, r, "add address %s", text) : 0;
}

int net_addr_del(struct net_nl *nl, int ifindex, struct in_addr addr,
		 int prefix, struct errmsg *err)
{
	struct rtnl_addr *a = addr_obj(ifindex, addr, prefix, false);
	char text[INET_ADDRSTRLEN];
	int r;

	if (!a)
		return errmsg_set(err, -ENOMEM, "netlink: out of memory");
	r = rtnl_addr_delete(nl_sock(nl), a, 0);
	rtnl_addr_put(a);
	if (r < 0 && nl_to_errno(r) != -EADDRNOTAVAIL && nl_to_errno(r) != -ENODEV) {
		inet_ntop(AF_INET, &addr, text, sizeof(text));
		return nl_fail(err, r, "delete address %s", text);
	}
	return 0;
}

int net_addr_flush(struct net_nl *nl, int ifindex, struct errmsg *err)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	int r = rtnl_addr_alloc_cache(nl_sock(nl), &cache);

	if (r < 0)
		return nl_fail(err, r, "%s", "list addresses");
	for (o = nl_cache_get_first(cache); o && r >= 0; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;

		if (rtnl_addr_get_ifindex(a) != ifindex ||
		    rtnl_addr_get_family(a) != AF_INET)
			continue;
		r = rtnl_addr_delete(nl_sock(nl), a, 0);
		if (r < 0)
			r = nl_fail(err, r, "%s", "delete address");
	}
	nl_cache_free(cache);
	return r < 0 ? r : 0;
}

int net_route_default(struct net_nl *nl, int ifindex, struct in_addr gw,
		      struct errmsg *err)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct in_addr any = { 0 };
	struct nl_addr *dst = ip4(any, 0), *via = ip4(gw, 32);
	char text[INET_ADDRSTRLEN];
	int r = -ENOMEM;

	if (!rt || !nh || !dst || !via) {
		rtnl_route_nh_free(nh);
		goto out;
	}
	rtnl_route_set_family(rt, AF_INET);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, RTPROT_DHCP);
	rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
	rtnl_route_set_type(rt, RTN_UNICAST);
	rtnl_route_set_dst(rt, dst);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_nh_set_gateway(nh, via);
	rtnl_route_add_nexthop(rt, nh); /* now owned by @rt */
	r = rtnl_route_add(nl_sock(nl), rt, NLM_F_REPLACE);
	if (r < 0) {
		inet_ntop(AF_INET, &gw, text, sizeof(text));
		r = nl_fail(err, r, "default route via %s", text);
	}
out:
	nl_addr_put(dst);
	nl_addr_put(via);
	rtnl_route_put(rt);
	return r == -ENOMEM ? errmsg_set(err, r, "netlink: out of memory") : r;
}

int net_addr_find_dynamic(struct net_nl *nl, int ifindex, struct in_addr *addr,
			  int *prefix, uint32_t *valid_s)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	int r = -ENOENT;

	if (rtnl_addr_alloc_cache(nl_sock(nl), &cache) < 0)
		return -EIO;
	for (o = nl_cache_get_first(cache); o && r < 0; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);
		uint32_t valid = rtnl_addr_get_valid_lifetime(a);

		if (rtnl_addr_get_ifindex(a) != ifindex ||
		    rtnl_addr_get_family(a) != AF_INET || !local ||
		    nl_addr_get_len(local) != 4 || !valid || valid == 0xffffffffu)
			continue;
		memcpy(addr, nl_addr_get_binary_addr(local), 4);
		*prefix = rtnl_addr_get_prefixlen(a);
		*valid_s = valid;
		r = 0;
	}
	nl_cache_free(cache);
	return r;
}
