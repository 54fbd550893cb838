/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which NIC is the lab's wire: a physical (has a device in sysfs), wired
 * (no wireless folder), Ethernet link that is nobody's port, preferring one
 * with carrier.
 */
#include <errno.h>
#include <net/if_arp.h>
#include <netlink/route/link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nl_private.h"

static bool sysfs_has(const char *ifname, const char *entry)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, entry);
	return access(path, F_OK) == 0;
}

static bool is_wired_nic(struct rtnl_link *l)
{
	const char *name = rtnl_link_get_name(l);

	return name && rtnl_link_get_arptype(l) == ARPHRD_ETHER &&
	       !rtnl_link_get_type(l) && sysfs_has(name, "device") &&
	       !sysfs_has(name, "wireless") && !sysfs_has(name, "phy80211");
}

/* Higher is better: already ours, then carrier, then any free NIC. */
static int nic_score(struct rtnl_link *l, int bridge_ifindex)
{
	int master = rtnl_link_get_master(l);

	if (!is_wired_nic(l))
		return 0;
	if (master && master == bridge_ifindex)
		return 3;
	if (master) /* a port of some other bridge: not ours to take */
		return 0;
	return rtnl_link_get_flags(l) & IFF_LOWER_UP ? 2 : 1;
}

int net_uplink_pick(struct net_nl *nl, int bridge_ifindex, char out[IFNAMSIZ],
		    struct errmsg *err)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	int best = 0, r = rtnl_link_alloc_cache(nl_sock(nl), AF_UNSPEC, &cache);

	if (r < 0)
		return nl_fail(err, r, "%s", "list links");
	out[0] = 0;
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		int score = nic_score(l, bridge_ifindex);

		if (score > best) { /* ties: the first (lowest ifindex) wins */
			best = score;
			str_copy(out, IFNAMSIZ, rtnl_link_get_name(l));
		}
	}
	nl_cache_free(cache);
	if (!best)
		return errmsg_set(err, -ENODEV, "no wired Ethernet NIC found");
	if (best == 1)
		log_warn("net: %s has no carrier (cable unplugged?)", out);
	return 0;
}
