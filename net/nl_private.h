/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by net/'s netlink files only; not part of the net/ contract. */
#ifndef KVMBOX_NET_NL_PRIVATE_H
#define KVMBOX_NET_NL_PRIVATE_H

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "net.h"

/* glibc's net/if.h stops before the RFC 2863 flags (linux/if.h clashes). */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* struct net_nl is a libnl socket under another name. */
static inline struct nl_sock *nl_sock(struct net_nl *nl)
{
	return (struct nl_sock *)nl;
}

int nl_to_errno(int nlerr);
/* Fills @err with "@fmt(@what): reason" and returns the -errno. */
int nl_fail(struct errmsg *err, int nlerr, const char *fmt, const char *what);
void link_info_fill(struct rtnl_link *l, struct net_link_info *info);

#endif
