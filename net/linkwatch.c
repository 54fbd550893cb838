/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Link watching: a netlink socket subscribed to link and IPv4 address
 * changes. The kernel tells us about a carrier change the moment the
 * driver sees it; the owner's event loop wakes up on the fd.
 */
#include <errno.h>
#include <netlink/msg.h>
#include <stdlib.h>
#include <string.h>

#include "nl_private.h"
/* After libc's headers (pulled in by libnl), which they must not redo. */
#include <linux/rtnetlink.h>

struct linkwatch {
	struct nl_sock *sk;
	void (*fn)(void *ctx, const struct linkwatch_event *e);
	void *ctx;
};

static void link_event(const struct nlmsghdr *h, struct linkwatch_event *e)
{
	const struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *tb[IFLA_MAX + 1];

	e->is_link = true;
	e->ifindex = ifi->ifi_index;
	e->removed = h->nlmsg_type == RTM_DELLINK;
	e->up = ifi->ifi_flags & IFF_UP;
	e->carrier = ifi->ifi_flags & IFF_LOWER_UP;
	if (nlmsg_parse((struct nlmsghdr *)h, sizeof(*ifi), tb, IFLA_MAX, NULL) == 0 &&
	    tb[IFLA_IFNAME])
		nla_strlcpy(e->ifname, tb[IFLA_IFNAME], sizeof(e->ifname));
}

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct linkwatch *w = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct linkwatch_event e = { 0 };

	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		if (!nlmsg_valid_hdr(h, sizeof(struct ifinfomsg)))
			return NL_SKIP;
		link_event(h, &e);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		if (!nlmsg_valid_hdr(h, sizeof(struct ifaddrmsg)))
			return NL_SKIP;
		e.ifindex = (int)((const struct ifaddrmsg *)nlmsg_data(h))->ifa_index;
		e.removed = h->nlmsg_type == RTM_DELADDR;
		break;
	default:
		return NL_SKIP;
	}
	w->fn(w->ctx, &e);
	return NL_OK;
}

int linkwatch_open(struct linkwatch **out, struct errmsg *err)
{
	struct linkwatch *w = calloc(1, sizeof(*w));
	int r;

	if (!w || !(w->sk = nl_socket_alloc())) {
		free(w);
		return errmsg_set(err, -ENOMEM, "netlink: out of memory");
	}
	nl_socket_disable_seq_check(w->sk); /* events are not replies */
	nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, w);
	r = nl_connect(w->sk, NETLINK_ROUTE);
	if (r >= 0)
		r = nl_socket_add_memberships(w->sk, RTNLGRP_LINK,
					      RTNLGRP_IPV4_IFADDR, 0);
	if (r >= 0)
		r = nl_socket_set_nonblocking(w->sk);
	if (r < 0) {
		r = nl_fail(err, r, "%s", "netlink link events");
		linkwatch_close(w);
		return r;
	}
	/* A burst of events must not be lost: a bigger receive buffer. */
	nl_socket_set_buffer_size(w->sk, 1 << 20, 0);
	*out = w;
	return 0;
}

int linkwatch_fd(const struct linkwatch *w)
{
	return nl_socket_get_fd(w->sk);
}

int linkwatch_read(struct linkwatch *w,
		   void (*fn)(void *ctx, const struct linkwatch_event *e),
		   void *ctx)
{
	struct nl_cb *cb = nl_socket_get_cb(w->sk);
	int r;

	w->fn = fn;
	w->ctx = ctx;
	do /* every queued datagram; 0 once the socket is drained */
		r = nl_recvmsgs_report(w->sk, cb);
	while (r > 0);
	nl_cb_put(cb);
	/* An overrun means events were lost: the owner must re-read the state. */
	if (r == -NLE_NOMEM || r == -NLE_MSG_OVERFLOW)
		return -ENOBUFS;
	return r < 0 && r != -NLE_AGAIN ? nl_to_errno(r) : 0;
}

void linkwatch_close(struct linkwatch *w)
{
	if (!w)
		return;
	nl_socket_free(w->sk);
	free(w);
}
