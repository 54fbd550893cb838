/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-appliance VLANs on a bridge: VLAN filtering on the bridge, each VM's
 * tap an access port of its VLAN, the uplink a trunk. libnl-route-3 has no
 * functions for these attributes, so the messages are built with libnl's
 * generic message API from the kernel's own definitions.
 */
#include <errno.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl_private.h"
/* After libc's netinet/in.h (pulled in by libnl), which it must not redo. */
#include <linux/if_bridge.h>

static int send_link_msg(struct net_nl *nl, int type, int family, int ifindex,
			 int (*fill)(struct nl_msg *m, const void *arg),
			 const void *arg)
{
	struct ifinfomsg ifi = { .ifi_family = (unsigned char)family,
				 .ifi_index = ifindex };
	struct nl_msg *m = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_ACK);
	int r;

	if (!m)
		return -NLE_NOMEM;
	r = nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	if (r >= 0)
		r = fill(m, arg);
	if (r < 0) {
		nlmsg_free(m);
		return r;
	}
	return nl_send_sync(nl_sock(nl), m); /* frees @m */
}

static int fill_filtering(struct nl_msg *m, const void *arg)
{
	struct nlattr *info = nla_nest_start(m, IFLA_LINKINFO), *data;

	if (!info || nla_put_string(m, IFLA_INFO_KIND, "bridge") < 0)
		return -NLE_NOMEM;
	data = nla_nest_start(m, IFLA_INFO_DATA);
	if (!data || nla_put_u8(m, IFLA_BR_VLAN_FILTERING, *(const bool *)arg) < 0)
		return -NLE_NOMEM;
	nla_nest_end(m, data);
	nla_nest_end(m, info);
	return 0;
}

int net_bridge_vlan_filtering(struct net_nl *nl, const char *bridge, bool on,
			      struct errmsg *err)
{
	struct net_link_info br;
	int r = net_link_get(nl, bridge, &br, err);

	if (r < 0)
		return r;
	r = send_link_msg(nl, RTM_NEWLINK, AF_UNSPEC, br.ifindex, fill_filtering,
			  &on);
	if (nl_to_errno(r) == -EOPNOTSUPP)
		return errmsg_set(err, -EOPNOTSUPP,
				  "VLAN filtering on %s: not supported by this kernel "
				  "(CONFIG_BRIDGE_VLAN_FILTERING)", bridge);
	return r < 0 ? nl_fail(err, r, "VLAN filtering on %s", bridge) : 0;
}

static int fill_vlan(struct nl_msg *m, const void *arg)
{
	struct nlattr *spec = nla_nest_start(m, IFLA_AF_SPEC);

	if (!spec || nla_put(m, IFLA_BRIDGE_VLAN_INFO,
			     sizeof(struct bridge_vlan_info), arg) < 0)
		return -NLE_NOMEM;
	nla_nest_end(m, spec);
	return 0;
}

int net_port_vlan(struct net_nl *nl, const char *port, uint16_t vid,
		  bool access, struct errmsg *err)
{
	struct bridge_vlan_info add = { .vid = vid }, def = { .vid = 1 };
	struct net_link_info p;
	int r;

	if (vid < 1 || vid > 4094)
		return errmsg_set(err, -EINVAL, "VLAN id %u is not in 1..4094", vid);
	r = net_link_get(nl, port, &p, err);
	if (r < 0)
		return r;
	if (access)
		add.flags = BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED;
	r = send_link_msg(nl, RTM_SETLINK, AF_BRIDGE, p.ifindex, fill_vlan, &add);
	if (r < 0)
		return nl_fail(err, r, "add VLAN to %s (is VLAN filtering on?)", port);
	/* An access port is in its VLAN only, not also in the default one. */
	if (access && vid != 1) {
		r = send_link_msg(nl, RTM_DELLINK, AF_BRIDGE, p.ifindex, fill_vlan,
				  &def);
		if (r < 0 && nl_to_errno(r) != -ENODEV && nl_to_errno(r) != -EINVAL)
			return nl_fail(err, r, "remove VLAN 1 from %s", port);
	}
	return 0;
}

/*
 * The uplink: the port whose MAC the bridge took when net_bridge_setup
 * adopted it (an address set on purpose, addr_assign_type 3). A bridge that
 * chose its own address (an isolated one) has no uplink.
 */
static bool bridge_mac_set(const char *bridge)
{
	char path[96], v[8] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/addr_assign_type", bridge);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(v, sizeof(v), f))
		v[0] = 0;
	fclose(f);
	return atoi(v) == 3; /* NET_ADDR_SET */
}

static int trunk_uplink(struct net_nl *nl, const char *bridge,
			const struct net_link_info *br, uint16_t vid, struct errmsg *err)
{
	char uplink[IFNAMSIZ] = "";
	struct nl_cache *cache = NULL;
	int r;

	if (!bridge_mac_set(bridge))
		return 0;
	r = rtnl_link_alloc_cache(nl_sock(nl), AF_UNSPEC, &cache);
	if (r < 0)
		return nl_fail(err, r, "%s", "list links");
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		struct nl_addr *a = rtnl_link_get_addr(l);
		const char *kind = rtnl_link_get_type(l);

		if (rtnl_link_get_master(l) == br->ifindex && a && nl_addr_get_len(a) == 6 &&
		    !memcmp(nl_addr_get_binary_addr(a), br->mac, 6) &&
		    !(kind && !strcmp(kind, "tun")) && rtnl_link_get_name(l))
			str_copy(uplink, sizeof(uplink), rtnl_link_get_name(l));
	}
	nl_cache_free(cache);
	return uplink[0] ? net_port_vlan(nl, uplink, vid, false, err) : 0;
}

int net_vlan_join(struct net_nl *nl, const char *bridge, const char *port,
		  uint16_t vid, struct errmsg *err)
{
	struct net_link_info br;
	int r;

	if (vid < 1 || vid > 4094)
		return errmsg_set(err, -EINVAL, "VLAN id %u is not in 1..4094", vid);
	r = net_link_get(nl, bridge, &br, err);
	if (r >= 0)
		r = net_bridge_vlan_filtering(nl, bridge, true, err);
	if (r >= 0)
		r = net_port_vlan(nl, port, vid, true, err);
	if (r >= 0)
		r = trunk_uplink(nl, bridge, &br, vid, err);
	if (r >= 0)
		log_info("net: %s is on VLAN %u of %s", port, vid, bridge);
	return r;
}
