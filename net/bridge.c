/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bridges through rtnetlink (libnl-route-3): create or adopt one, make the
 * wired NIC its uplink and move the host's addressing onto it, add ports.
 * Every step first looks at what is there, so a second run sends nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netlink/route/addr.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/route.h>
#include <string.h>

#include "nl_private.h"

static int link_change(struct net_nl *nl, const char *name,
		       void (*edit)(struct rtnl_link *change, const void *arg),
		       const void *arg, const char *what, struct errmsg *err)
{
	struct rtnl_link *l = NULL, *change = NULL;
	int r = rtnl_link_get_kernel(nl_sock(nl), 0, name, &l);

	if (r < 0)
		return nl_fail(err, r, "%s", name);
	change = rtnl_link_alloc();
	if (!change) {
		rtnl_link_put(l);
		return errmsg_set(err, -ENOMEM, "netlink: out of memory");
	}
	edit(change, arg);
	r = rtnl_link_change(nl_sock(nl), l, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(l);
	return r < 0 ? nl_fail(err, r, what, name) : 0;
}

static void edit_master(struct rtnl_link *change, const void *arg)
{
	rtnl_link_set_master(change, *(const int *)arg);
	rtnl_link_set_flags(change, IFF_UP);
}

static void edit_mac(struct rtnl_link *change, const void *arg)
{
	struct nl_addr *a = nl_addr_build(AF_LLC, arg, 6);

	if (a) {
		rtnl_link_set_addr(change, a);
		nl_addr_put(a);
	}
}

int net_bridge_enslave(struct net_nl *nl, const char *bridge, const char *port,
		       struct errmsg *err)
{
	struct net_link_info br, p;
	int r = net_link_get(nl, bridge, &br, err);

	if (r < 0)
		return r;
	if (!br.is_bridge)
		return errmsg_set(err, -EINVAL, "%s is not a bridge", bridge);
	r = net_link_get(nl, port, &p, err);
	if (r < 0)
		return r;
	if (p.master == br.ifindex)
		return net_link_set_up(nl, port, true, err);
	if (p.master)
		return errmsg_set(err, -EBUSY,
				  "%s is already a port of another bridge (ifindex %d)",
				  port, p.master);
	return link_change(nl, port, edit_master, &br.ifindex,
			   "add %s to the bridge", err);
}

/* "BR" or "BR,vlan=N" (as `kvmbox vm run --net bridge=...` takes it). */
static int port_spec_parse(const char *spec, char bridge[IFNAMSIZ], uint16_t *vid,
			   struct errmsg *err)
{
	const char *comma = strchr(spec, ',');
	size_t len = comma ? (size_t)(comma - spec) : strlen(spec);
	uint64_t v = 0;

	if (!len || len >= IFNAMSIZ)
		return errmsg_set(err, -EINVAL, "bad bridge name in '%s'", spec);
	memcpy(bridge, spec, len);
	bridge[len] = 0;
	if (comma && (!str_starts(comma + 1, "vlan=") ||
		      parse_u64(comma + 6, 1, 4094, &v) < 0))
		return errmsg_set(err, -EINVAL,
				  "'%s': after the bridge name only ',vlan=N' (1..4094)",
				  spec);
	*vid = (uint16_t)v;
	return 0;
}

int net_bridge_add_port(const char *spec, const char *ifname,
			struct errmsg *err)
{
	char bridge[IFNAMSIZ];
	uint16_t vid = 0;
	struct net_nl *nl;
	int r = port_spec_parse(spec, bridge, &vid, err);

	if (r < 0 || (r = net_nl_open(&nl, err)) < 0)
		return r;
	r = net_bridge_enslave(nl, bridge, ifname, err);
	if (r >= 0 && vid)
		r = net_vlan_join(nl, bridge, ifname, vid, err);
	net_nl_close(nl);
	return r;
}

/* The bridge @name, created if missing; -EEXIST if @name is something else. */
static int bridge_ensure(struct net_nl *nl, const char *name,
			 struct net_link_info *br, struct errmsg *err)
{
	int r = net_link_get(nl, name, br, NULL);

	if (r == -ENODEV) {
		r = rtnl_link_bridge_add(nl_sock(nl), name);
		if (r < 0 && nl_to_errno(r) != -EEXIST)
			return nl_fail(err, r, "create bridge %s", name);
		log_info("net: created bridge %s", name);
		r = net_link_get(nl, name, br, err);
	} else if (r < 0) {
		return net_link_get(nl, name, br, err);
	}
	if (r == 0 && !br->is_bridge)
		return errmsg_set(err, -EEXIST,
				  "%s exists but is a %s link, not a bridge", name,
				  br->kind[0] ? br->kind : "physical");
	return r;
}

/* The uplink's default gateway, if its default route goes through it. */
static bool default_gateway(struct net_nl *nl, int ifindex, struct in_addr *gw)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	bool found = false;

	if (rtnl_route_alloc_cache(nl_sock(nl), AF_INET, 0, &cache) < 0)
		return false;
	for (o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct nl_addr *dst = rtnl_route_get_dst(rt);
		struct rtnl_nexthop *nh;
		struct nl_addr *via;

		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN ||
		    (dst && nl_addr_get_prefixlen(dst) != 0) ||
		    rtnl_route_get_nnexthops(rt) != 1)
			continue;
		nh = rtnl_route_nexthop_n(rt, 0);
		via = rtnl_route_nh_get_gateway(nh);
		if (rtnl_route_nh_get_ifindex(nh) == ifindex && via &&
		    nl_addr_get_len(via) == 4) {
			memcpy(gw, nl_addr_get_binary_addr(via), 4);
			found = true;
		}
	}
	nl_cache_free(cache);
	return found;
}

/* Moves every IPv4 address (and the default route) from @from to @to. */
static int move_addresses(struct net_nl *nl, int from, int to,
			  const char *from_name, struct errmsg *err)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	struct in_addr gw;
	bool had_gw = default_gateway(nl, from, &gw);
	int moved = 0, r = rtnl_addr_alloc_cache(nl_sock(nl), &cache);

	if (r < 0)
		return nl_fail(err, r, "%s", "list addresses");
	for (o = nl_cache_get_first(cache); o && r >= 0; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);
		struct in_addr ip;

		if (rtnl_addr_get_ifindex(a) != from ||
		    rtnl_addr_get_family(a) != AF_INET || !local ||
		    nl_addr_get_len(local) != 4)
			continue;
		memcpy(&ip, nl_addr_get_binary_addr(local), 4);
		r = net_addr_set(nl, to, ip, rtnl_addr_get_prefixlen(a),
				 rtnl_addr_get_valid_lifetime(a) == 0xffffffffu ?
					 0 : rtnl_addr_get_valid_lifetime(a),
				 err);
		if (r >= 0)
			r = net_addr_del(nl, from, ip, rtnl_addr_get_prefixlen(a), err);
		moved++;
	}
	nl_cache_free(cache);
	if (r >= 0 && had_gw)
		r = net_route_default(nl, to, gw, err);
	if (r >= 0 && moved)
		log_info("net: moved %d address(es) of %s to the bridge", moved,
			 from_name);
	return r < 0 ? r : 0;
}

static int adopt_uplink(struct net_nl *nl, const struct net_link_info *br,
			const char *bridge, const char *uplink,
			struct errmsg *err)
{
	struct net_link_info up;
	int r = net_link_get(nl, uplink, &up, err);

	if (r < 0)
		return r;
	if (up.is_bridge)
		return errmsg_set(err, -EINVAL, "uplink %s is itself a bridge", uplink);
	if (up.master == br->ifindex)
		return net_link_set_up(nl, uplink, true, err);
	if (up.master)
		return errmsg_set(err, -EBUSY,
				  "uplink %s is already a port of another bridge (ifindex %d)",
				  uplink, up.master);
	/* The bridge speaks with the NIC's MAC: DHCP reservations still match. */
	if (memcmp(br->mac, up.mac, 6)) {
		r = link_change(nl, bridge, edit_mac, up.mac,
				"set the MAC address of %s", err);
		if (r < 0)
			return r;
	}
	r = net_link_set_up(nl, bridge, true, err);
	if (r >= 0)
		r = move_addresses(nl, up.ifindex, br->ifindex, uplink, err);
	if (r >= 0)
		r = link_change(nl, uplink, edit_master, &br->ifindex,
				"add %s to the bridge", err);
	if (r >= 0)
		log_info("net: %s is the uplink of %s", uplink, bridge);
	return r;
}

int net_bridge_setup(struct net_nl *nl, const struct net_bridge_config *c,
		     char uplink_out[IFNAMSIZ], struct errmsg *err)
{
	struct net_link_info br;
	char uplink[IFNAMSIZ] = "";
	int r;

	uplink_out[0] = 0;
	if (!c->name[0] || strlen(c->name) >= IFNAMSIZ)
		return errmsg_set(err, -EINVAL, "bad bridge name '%s'", c->name);
	r = bridge_ensure(nl, c->name, &br, err);
	if (r >= 0 && c->vlan_filtering)
		r = net_bridge_vlan_filtering(nl, c->name, true, err);
	if (r < 0)
		return r;
	if (c->uplink && !c->uplink[0]) {
		r = net_uplink_pick(nl, br.ifindex, uplink, err);
		if (r < 0) {
			net_link_set_up(nl, c->name, true, NULL);
			return r;
		}
	} else if (c->uplink) {
		if (str_copy(uplink, sizeof(uplink), c->uplink) < 0)
			return errmsg_set(err, -EINVAL, "bad uplink name '%s'", c->uplink);
	}
	if (uplink[0]) {
		r = adopt_uplink(nl, &br, c->name, uplink, err);
		if (r < 0)
			return r;
		str_copy(uplink_out, IFNAMSIZ, uplink);
	}
	return net_link_set_up(nl, c->name, true, err);
}
