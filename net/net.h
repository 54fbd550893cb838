/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net: host networking for kvmbox: tap devices for VMs, bridges through
 * netlink (libnl-3), and (with later work) DHCP, link watching and WoL.
 */
#ifndef KVMBOX_NET_H
#define KVMBOX_NET_H

#include <net/if.h>

#include "core/core.h"

/*
 * Creates (or opens, if it exists and is ours to open) the tap @name, with
 * IFF_VNET_HDR so the VMM can pass virtio-net headers (offloads) through.
 * @name may be "" or a pattern like "kvmbox%d": the kernel picks, and the
 * real name lands in @ifname. Returns the tap fd or -errno.
 */
int net_tap_open(const char *name, char ifname[IFNAMSIZ], struct errmsg *err);
/* Brings @ifname up and makes it a port of the existing bridge @bridge. */
int net_bridge_add_port(const char *bridge, const char *ifname,
			struct errmsg *err);

#endif
