/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `kvmbox net status`: what the kernel says (links, bridge ports, IPv4
 * addresses with their remaining lifetime, carrier) and what the daemon
 * last wrote to its status file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netlink/route/addr.h>
#include <stdio.h>
#include <string.h>

#include "nl_private.h"

static void print_addrs(struct buf *o, struct nl_cache *addrs, int ifindex)
{
	bool any = false;

	for (struct nl_object *p = nl_cache_get_first(addrs); p;
	     p = nl_cache_get_next(p)) {
		struct rtnl_addr *a = (struct rtnl_addr *)p;
		struct nl_addr *local = rtnl_addr_get_local(a);
		char text[INET_ADDRSTRLEN];
		uint32_t valid = rtnl_addr_get_valid_lifetime(a);

		if (rtnl_addr_get_ifindex(a) != ifindex ||
		    rtnl_addr_get_family(a) != AF_INET || !local ||
		    nl_addr_get_len(local) != 4)
			continue;
		inet_ntop(AF_INET, nl_addr_get_binary_addr(local), text, sizeof(text));
		buf_printf(o, "%s%s/%d", any ? ", " : "", text,
			   rtnl_addr_get_prefixlen(a));
		if (valid && valid != 0xffffffffu)
			buf_printf(o, " (lease %us left)", valid);
		any = true;
	}
	if (!any)
		buf_printf(o, "-");
}

static void print_link(struct buf *o, struct rtnl_link *l, struct nl_cache *links,
		       struct nl_cache *addrs)
{
	struct net_link_info i;
	char master[IFNAMSIZ] = "-";

	link_info_fill(l, &i);
	if (i.master)
		rtnl_link_i2name(links, i.master, master, sizeof(master));
	buf_printf(o, "%-15s %-7s %-4s %-7s %02x:%02x:%02x:%02x:%02x:%02x  %-15s ",
		   rtnl_link_get_name(l), i.kind[0] ? i.kind : "-",
		   i.up ? "up" : "down", i.carrier ? "yes" : "no", i.mac[0],
		   i.mac[1], i.mac[2], i.mac[3], i.mac[4], i.mac[5], master);
	print_addrs(o, addrs, i.ifindex);
	buf_printf(o, "\n");
}

static void print_status_file(struct buf *o, const char *path)
{
	struct buf f;

	buf_init(&f);
	if (read_file(path, 4096, &f) < 0) {
		buf_printf(o, "\ndaemon: no status in %s (is `kvmbox net daemon` running?)\n",
			   path);
	} else {
		buf_printf(o, "\ndaemon status (%s):\n", path);
		for (char *line = strtok((char *)f.data, "\n"); line;
		     line = strtok(NULL, "\n"))
			if (line[0] != '#' && line[0] != '[')
				buf_printf(o, "  %s\n", line);
	}
	buf_free(&f);
}

int net_show(int fd, const char *status_path, struct errmsg *err)
{
	struct nl_cache *links = NULL, *addrs = NULL;
	struct net_nl *nl;
	struct buf o;
	int r = net_nl_open(&nl, err);

	if (r < 0)
		return r;
	r = rtnl_link_alloc_cache(nl_sock(nl), AF_UNSPEC, &links);
	if (r >= 0)
		r = rtnl_addr_alloc_cache(nl_sock(nl), &addrs);
	if (r < 0) {
		r = nl_fail(err, r, "%s", "read links and addresses");
		goto out;
	}
	buf_init(&o);
	buf_printf(&o, "%-15s %-7s %-4s %-7s %-17s  %-15s %s\n", "interface", "kind",
		   "link", "carrier", "mac", "bridge", "ipv4");
	for (struct nl_object *p = nl_cache_get_first(links); p;
	     p = nl_cache_get_next(p))
		print_link(&o, (struct rtnl_link *)p, links, addrs);
	print_status_file(&o, status_path);
	r = write_full(fd, o.data, o.len);
	buf_free(&o);
	if (r < 0)
		errmsg_set(err, r, "write: %s", err_str(r));
out:
	nl_cache_free(links);
	nl_cache_free(addrs);
	net_nl_close(nl);
	return r;
}
