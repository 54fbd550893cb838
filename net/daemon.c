/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmbox net daemon: keeps the host's bridge set up and addressed, follows
 * the uplink's carrier, runs the DHCP client and keeps the status file
 * current. One event loop: netlink events, the DHCP packet socket, one
 * timer for the DHCP client, signals. It never waits for the network:
 * without a NIC or a server it reports "offline" and keeps trying.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "net.h"

#define MS 1000000ull
#define CONFIGURING_TRIES 3 /* DISCOVERs (~7 s) before we say "offline" */

struct daemon {
	const struct net_daemon_config *cfg;
	struct evloop loop;
	struct net_nl *nl;
	struct linkwatch *lw;
	struct ev_handler lw_h, dhcp_h, sig_h;
	struct ev_timer dhcp_timer;
	char uplink[IFNAMSIZ];
	int bridge_ifindex, uplink_ifindex;
	uint8_t bridge_mac[6];
	bool carrier;
	int dhcp_fd;
	struct dhcp_client dhcp;
	uint64_t own_ns;     /* our processing time in the current exchange */
	uint64_t start_ns;   /* when the current exchange began */
	struct buf last;     /* the status last written, to skip repeats */
	unsigned bad_replies;
	bool told_no_nic;    /* "waiting for a NIC" is said once, not per event */
};

/* ---- the status file -------------------------------------------------- */

static const char *state_word(const struct daemon *d)
{
	if (!d->carrier || d->cfg->mode == NET_MODE_OFF)
		return "offline";
	if (d->cfg->mode == NET_MODE_STATIC || d->dhcp.have_lease)
		return "online";
	if (d->dhcp.state == DHCP_S_IDLE || d->dhcp.tries > CONFIGURING_TRIES)
		return "offline";
	return "configuring";
}

static void fill_status(const struct daemon *d, struct net_status *s)
{
	const struct net_daemon_config *c = d->cfg;
	const struct dhcp_lease *l = &d->dhcp.lease;
	char a[INET_ADDRSTRLEN];

	memset(s, 0, sizeof(*s));
	s->state = state_word(d);
	str_copy(s->bridge, sizeof(s->bridge), c->bridge);
	str_copy(s->uplink, sizeof(s->uplink), d->uplink);
	s->carrier = d->carrier;
	if (c->mode == NET_MODE_STATIC) {
		inet_ntop(AF_INET, &c->addr, a, sizeof(a));
		snprintf(s->address, sizeof(s->address), "%s/%d", a, c->prefix);
		if (c->gw.s_addr)
			inet_ntop(AF_INET, &c->gw, s->router, sizeof(s->router));
		return;
	}
	if (c->mode != NET_MODE_DHCP || !d->dhcp.have_lease)
		return;
	inet_ntop(AF_INET, &l->addr, a, sizeof(a));
	snprintf(s->address, sizeof(s->address), "%s/%d", a, l->prefix);
	if (l->router.s_addr)
		inet_ntop(AF_INET, &l->router, s->router, sizeof(s->router));
	for (int i = 0; i < l->ndns; i++) {
		size_t n = strlen(s->dns);
		if (i)
			s->dns[n++] = ',';
		inet_ntop(AF_INET, &l->dns[i], s->dns + n, (socklen_t)(sizeof(s->dns) - n));
	}
	uint64_t now = clock_now_ns();
	if (l->lease_s == 0xffffffffu)
		s->lease_seconds = l->lease_s;
	else if (l->expiry_ns > now)
		s->lease_seconds = (uint32_t)((l->expiry_ns - now + 500 * MS) / 1000000000ull);
}

static void publish(struct daemon *d)
{
	struct net_status s;
	struct buf key;
	int r;

	fill_status(d, &s);
	buf_init(&key);
	/* Rewrite only on a change (the lease countdown alone is not one). */
	buf_printf(&key, "%s %s %s %d %s %s %s %u", s.state, s.bridge, s.uplink,
		   s.carrier, s.address, s.router, s.dns,
		   d->dhcp.have_lease ? (unsigned)d->dhcp.lease.obtained_ns : 0);
	if (key.len == d->last.len && key.len && !memcmp(key.data, d->last.data, key.len)) {
		buf_free(&key);
		return;
	}
	buf_free(&d->last);
	d->last = key;
	r = net_status_write(d->cfg->status_path, &s);
	if (r < 0)
		log_err("net: cannot write %s: %s", d->cfg->status_path, err_str(r));
	else
		log_info("net: %s (carrier %s%s%s)", s.state, s.carrier ? "yes" : "no",
			 s.address[0] ? ", " : "", s.address);
}

/* ---- the DHCP client's side effects ----------------------------------- */

static int dhcp_send(void *ctx, const uint8_t *payload, size_t len,
		     struct in_addr src, struct in_addr dst, const uint8_t mac[6])
{
	struct daemon *d = ctx;
	int r = dhcp_sock_send(d->dhcp_fd, d->bridge_ifindex, mac, src, dst,
			       payload, len);

	if (r < 0)
		log_warn("dhcp: send on %s: %s", d->cfg->bridge, err_str(r));
	return r;
}

/* Puts the lease on the bridge, with the kernel's lifetime = what is left. */
static int apply_lease(struct daemon *d, const struct dhcp_lease *l,
		       bool with_route, struct errmsg *err)
{
	uint64_t now = clock_now_ns();
	uint32_t left = 0;
	int r;

	if (l->lease_s != 0xffffffffu) {
		if (l->expiry_ns <= now + 1000000000ull)
			return 0; /* about to expire anyway */
		left = (uint32_t)((l->expiry_ns - now) / 1000000000ull);
	}
	r = net_addr_set(d->nl, d->bridge_ifindex, l->addr, l->prefix, left, err);
	if (r >= 0 && with_route && l->router.s_addr)
		r = net_route_default(d->nl, d->bridge_ifindex, l->router, err);
	return r;
}

/* nameserver/search lines for the C library's resolver, replaced atomically. */
static void write_resolv_conf(const struct daemon *d, const struct dhcp_lease *l)
{
	char a[INET_ADDRSTRLEN];
	struct buf b;
	int r = 0;

	if (!d->cfg->resolv_conf || !l->ndns)
		return;
	buf_init(&b);
	buf_printf(&b, "# written by kvmbox net daemon from the DHCP lease\n");
	if (l->domain[0])
		buf_printf(&b, "search %s\n", l->domain);
	for (int i = 0; i < l->ndns; i++)
		buf_printf(&b, "nameserver %s\n",
			   inet_ntop(AF_INET, &l->dns[i], a, sizeof(a)));
	if (b.data)
		r = write_file_atomic(d->cfg->resolv_conf, b.data, b.len, 0644);
	if (r < 0)
		log_warn("dhcp: cannot write %s: %s", d->cfg->resolv_conf, err_str(r));
	buf_free(&b);
}

static void dhcp_bound(void *ctx, const struct dhcp_lease *l, bool renewed)
{
	struct daemon *d = ctx;
	struct errmsg err;
	char a[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN] = "none";
	uint64_t t0 = clock_now_ns();

	if (apply_lease(d, l, true, &err) < 0)
		log_err("dhcp: %s", err.msg);
	d->own_ns += clock_now_ns() - t0;
	if (!renewed)
		write_resolv_conf(d, l);
	inet_ntop(AF_INET, &l->addr, a, sizeof(a));
	if (l->router.s_addr)
		inet_ntop(AF_INET, &l->router, gw, sizeof(gw));
	if (renewed)
		log_info("dhcp: renewed %s/%d, lease %us", a, l->prefix, l->lease_s);
	else
		log_info("dhcp: bound %s/%d router %s lease %us, in %llu ms "
			 "(%llu us of it ours)", a, l->prefix, gw, l->lease_s,
			 (unsigned long long)((clock_now_ns() - d->start_ns) / MS),
			 (unsigned long long)(d->own_ns / 1000));
}

static void dhcp_unbound(void *ctx, const char *why)
{
	struct daemon *d = ctx;
	struct errmsg err;

	if (net_addr_del(d->nl, d->bridge_ifindex, d->dhcp.lease.addr,
			 d->dhcp.lease.prefix, &err) < 0)
		log_warn("dhcp: %s", err.msg);
	log_info("dhcp: address removed (%s)", why);
}

static const struct dhcp_client_ops dhcp_ops = { dhcp_send, dhcp_bound,
						 dhcp_unbound };

/* After anything touched the client: re-arm its timer, publish. */
static void dhcp_settle(struct daemon *d)
{
	uint64_t next = dhcp_client_next(&d->dhcp), now = clock_now_ns();

	/* core's timers are one timerfd per start: stop the old one first. */
	evloop_timer_stop(&d->loop, &d->dhcp_timer);
	if (next)
		evloop_timer_start(&d->loop, &d->dhcp_timer,
				   next > now ? next - now : 1, 0,
				   d->dhcp_timer.fn);
	publish(d);
}

static void on_dhcp_timer(struct ev_timer *t)
{
	struct daemon *d = container_of(t, struct daemon, dhcp_timer);
	uint64_t t0 = clock_now_ns();

	dhcp_client_tick(&d->dhcp);
	d->own_ns += clock_now_ns() - t0;
	dhcp_settle(d);
}

static void on_dhcp_packet(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, dhcp_h);
	uint8_t msg[1500], from[6];
	struct dhcp_reply reply;
	struct errmsg err;
	ssize_t n;

	(void)events;
	while ((n = dhcp_sock_recv(h->fd, msg, sizeof(msg), from)) != -EAGAIN &&
	       n != -EWOULDBLOCK) {
		uint64_t t0 = clock_now_ns();

		if (n == -ENOMSG)
			continue;
		if (n < 0 && n != -EBADMSG && n != -EMSGSIZE)
			break;
		if (n < 0 || dhcp_parse(msg, (size_t)n, &reply, &err) < 0) {
			/* Hostile input: say so, but do not let it flood the log. */
			if (++d->bad_replies <= 10 || d->bad_replies % 1000 == 0)
				log_warn("dhcp: ignored a malformed reply: %s",
					 n < 0 ? "bad IP/UDP framing" : err.msg);
			continue;
		}
		dhcp_client_input(&d->dhcp, &reply, from);
		d->own_ns += clock_now_ns() - t0;
	}
	dhcp_settle(d);
}

static void dhcp_begin(struct daemon *d)
{
	d->own_ns = 0;
	d->start_ns = clock_now_ns();
	dhcp_client_start(&d->dhcp);
}

/* ---- addressing ------------------------------------------------------- */

static void apply_static(struct daemon *d)
{
	const struct net_daemon_config *c = d->cfg;
	struct errmsg err;
	int r = net_addr_set(d->nl, d->bridge_ifindex, c->addr, c->prefix, 0, &err);

	if (r >= 0 && c->gw.s_addr)
		r = net_route_default(d->nl, d->bridge_ifindex, c->gw, &err);
	if (r < 0)
		log_err("net: static address: %s", err.msg);
}

static void carrier_changed(struct daemon *d, bool carrier)
{
	uint64_t t0 = clock_now_ns();

	if (carrier == d->carrier)
		return;
	d->carrier = carrier;
	log_info("net: %s carrier %s", d->uplink[0] ? d->uplink : d->cfg->bridge,
		 carrier ? "up" : "down");
	if (d->cfg->mode == NET_MODE_DHCP) {
		if (carrier)
			dhcp_begin(d); /* renew at once: we may be on another LAN */
		else
			dhcp_client_pause(&d->dhcp);
		d->own_ns += clock_now_ns() - t0;
		dhcp_settle(d);
		return;
	}
	if (carrier && d->cfg->mode == NET_MODE_STATIC)
		apply_static(d);
	publish(d);
}

/* ---- set-up ------------------------------------------------------------ */

/* Sets the bridge up; 0, -ENODEV (no NIC yet: retried later) or fatal. */
static int bring_up(struct daemon *d, struct errmsg *err)
{
	struct net_bridge_config bc = { .name = d->cfg->bridge,
					.uplink = d->cfg->uplink ? d->cfg->uplink : "" };
	struct net_link_info br, up;
	int r = net_bridge_setup(d->nl, &bc, d->uplink, err);

	if (r < 0 && r != -ENODEV)
		return r;
	if (net_link_get(d->nl, d->cfg->bridge, &br, err) < 0)
		return -EIO;
	d->bridge_ifindex = br.ifindex;
	memcpy(d->bridge_mac, br.mac, 6);
	if (r == -ENODEV) {
		if (!d->told_no_nic)
			log_warn("net: %s; waiting for one", err->msg);
		d->told_no_nic = true;
		d->uplink_ifindex = 0;
		return -ENODEV;
	}
	if (net_link_get(d->nl, d->uplink, &up, err) < 0)
		return -EIO;
	d->uplink_ifindex = up.ifindex;
	d->told_no_nic = false;
	return up.carrier;
}

/* After a restart, the lease we had is still on the bridge: confirm it. */
static void adopt_lease(struct daemon *d)
{
	struct in_addr a;
	uint32_t valid;
	int prefix;
	char text[INET_ADDRSTRLEN];

	if (net_addr_find_dynamic(d->nl, d->bridge_ifindex, &a, &prefix, &valid) < 0 ||
	    valid < 2)
		return;
	dhcp_client_assume(&d->dhcp, a, prefix, valid);
	inet_ntop(AF_INET, &a, text, sizeof(text));
	log_info("dhcp: found %s/%d on %s (%us left), will confirm it", text, prefix,
		 d->cfg->bridge, valid);
}

static int start_dhcp_socket(struct daemon *d, struct errmsg *err)
{
	int fd = dhcp_sock_open(d->bridge_ifindex, err);

	if (fd < 0)
		return fd;
	d->dhcp_fd = fd;
	d->dhcp_h.fd = fd;
	d->dhcp_h.fn = on_dhcp_packet;
	dhcp_client_init(&d->dhcp, d->bridge_mac, d->cfg->hostname, &dhcp_ops, d,
			 NULL);
	adopt_lease(d);
	return evloop_add(&d->loop, &d->dhcp_h, EPOLLIN);
}

static void retry_uplink(struct daemon *d)
{
	struct errmsg err;
	int r = bring_up(d, &err);

	if (r >= 0) {
		log_info("net: uplink %s found", d->uplink);
		/* The bridge took the NIC's MAC: the server must answer that one. */
		memcpy(d->dhcp.mac, d->bridge_mac, 6);
		carrier_changed(d, r > 0);
		publish(d); /* the uplink is news even when the carrier is not */
	} else if (r != -ENODEV) {
		log_err("net: %s", err.msg);
	}
}

static void on_link_event(void *ctx, const struct linkwatch_event *e)
{
	struct daemon *d = ctx;

	if (!e->is_link) {
		struct errmsg err;

		/* Someone removed our leased address: put it back. */
		if (e->removed && e->ifindex == d->bridge_ifindex &&
		    d->dhcp.have_lease && d->dhcp.state != DHCP_S_IDLE) {
			log_warn("dhcp: our address was removed; restoring it");
			if (apply_lease(d, &d->dhcp.lease, true, &err) < 0)
				log_err("dhcp: %s", err.msg);
		}
		return;
	}
	if (!d->uplink_ifindex) {
		if (!e->removed && e->ifindex != d->bridge_ifindex)
			retry_uplink(d);
		return;
	}
	if (e->ifindex != d->uplink_ifindex)
		return;
	if (e->removed) {
		log_warn("net: uplink %s disappeared", d->uplink);
		d->uplink_ifindex = 0;
		d->uplink[0] = 0;
		carrier_changed(d, false);
		publish(d);
		return;
	}
	carrier_changed(d, e->carrier && e->up);
}

static void on_netlink(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, lw_h);
	struct net_link_info up;

	(void)events;
	if (linkwatch_read(d->lw, on_link_event, d) == -ENOBUFS && d->uplink_ifindex &&
	    net_link_get(d->nl, d->uplink, &up, NULL) == 0) {
		log_warn("net: netlink events lost, re-reading the link state");
		carrier_changed(d, up.carrier && up.up);
	}
}

static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, sig_h);

	(void)events;
	char buf[128];
	(void)!read(h->fd, buf, sizeof(buf));
	evloop_quit(&d->loop, 0);
}

static int daemon_start(struct daemon *d, struct errmsg *err)
{
	static const int sigs[] = { SIGTERM, SIGINT };
	int r;

	r = evloop_init(&d->loop);
	if (r < 0)
		return errmsg_set(err, r, "event loop: %s", err_str(r));
	d->sig_h.fn = on_signal;
	r = evloop_signals(&d->loop, &d->sig_h, sigs, ARRAY_SIZE(sigs));
	if (r >= 0)
		r = net_nl_open(&d->nl, err);
	if (r >= 0)
		r = linkwatch_open(&d->lw, err); /* before set-up: miss nothing */
	if (r < 0)
		return r;
	d->lw_h.fd = linkwatch_fd(d->lw);
	d->lw_h.fn = on_netlink;
	r = evloop_add(&d->loop, &d->lw_h, EPOLLIN);
	if (r < 0)
		return errmsg_set(err, r, "event loop: %s", err_str(r));
	d->dhcp_timer.fn = on_dhcp_timer;
	r = bring_up(d, err);
	if (r < 0 && r != -ENODEV)
		return r;
	if (d->cfg->mode == NET_MODE_DHCP) {
		int s = start_dhcp_socket(d, err);
		if (s < 0)
			return s;
	}
	/* A status file from the first moment: the menu never waits for us. */
	if (r > 0)
		carrier_changed(d, true);
	else
		publish(d);
	return 0;
}

int net_daemon_run(const struct net_daemon_config *c, struct errmsg *err)
{
	struct daemon d = { .cfg = c, .dhcp_fd = -1, .sig_h.fd = -1,
			    .dhcp_timer.h.fd = -1 };
	int r;

	buf_init(&d.last);
	d.loop.epfd = -1;
	r = daemon_start(&d, err);
	if (r < 0) {
		struct net_status s = { .state = "offline" };
		str_copy(s.bridge, sizeof(s.bridge), c->bridge);
		net_status_write(c->status_path, &s);
	} else {
		r = evloop_run(&d.loop);
		log_info("net: daemon stopping (the address stays for the lease)");
	}
	if (d.dhcp_timer.h.fd >= 0)
		evloop_timer_stop(&d.loop, &d.dhcp_timer);
	if (d.dhcp_fd >= 0)
		close(d.dhcp_fd);
	if (d.sig_h.fd >= 0)
		close(d.sig_h.fd);
	linkwatch_close(d.lw);
	net_nl_close(d.nl);
	evloop_close(&d.loop);
	buf_free(&d.last);
	return r;
}

int net_mode_parse(const char *s, struct net_daemon_config *c,
		   struct errmsg *err)
{
	char addr[32], *slash, *comma;
	uint64_t prefix;

	if (!strcmp(s, "dhcp") || !strcmp(s, "off")) {
		c->mode = s[0] == 'd' ? NET_MODE_DHCP : NET_MODE_OFF;
		return 0;
	}
	if (!str_starts(s, "static:") || str_copy(addr, sizeof(addr), s + 7) < 0)
		return errmsg_set(err, -EINVAL,
				  "bad mode '%s' (dhcp, off or static:A.B.C.D/N[,GW])", s);
	c->gw.s_addr = 0;
	comma = strchr(addr, ',');
	if (comma) {
		*comma++ = 0;
		if (inet_pton(AF_INET, comma, &c->gw) != 1)
			return errmsg_set(err, -EINVAL, "bad gateway '%s'", comma);
	}
	slash = strchr(addr, '/');
	if (!slash || parse_u64(slash + 1, 0, 32, &prefix) < 0)
		return errmsg_set(err, -EINVAL, "static address needs /PREFIX (0..32): '%s'",
				  s + 7);
	*slash = 0;
	if (inet_pton(AF_INET, addr, &c->addr) != 1)
		return errmsg_set(err, -EINVAL, "bad address '%s'", addr);
	c->prefix = (int)prefix;
	c->mode = NET_MODE_STATIC;
	return 0;
}
