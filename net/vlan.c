/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-appliance VLANs on a bridge: VLAN filtering on the bridge, each VM's
 * tap an access port of its VLAN, the uplink a trunk. libnl-route-3 has no
 * functions for these attributes, so the messages are built with libnl's
 * generic message API from the kernel's own definitions.
 */
#include <errno.h>
#include <netlink/msg.h>
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
