/* SPDX-License-Identifier: GPL-2.0-only */
/* net: the host's bridge, VM taps, the network daemon, Wake-on-LAN. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "net/net.h"

APPLET(net, "host networking: bridge, taps, DHCP daemon, Wake-on-LAN",
       "usage: kvmbox net COMMAND [ARGS]\n"
       "  setup [--bridge BR] [--uplink IF | --isolated] [--vlan-filtering]\n"
       "        create or adopt bridge BR (br0), enslave the wired NIC (IF, else\n"
       "        the first with carrier) and move its addresses to BR; with\n"
       "        --isolated a private bridge without uplink. Idempotent.\n"
       "  daemon [--bridge BR] [--uplink IF] [--mode dhcp|off|static:A.B.C.D/N[,GW]]\n"
       "         [--status FILE] [--hostname NAME] [--resolv-conf FILE]\n"
       "        keep BR set up and addressed, watch the link, write FILE\n"
       "        (" NET_STATUS_PATH ") and the lease's DNS servers to the\n"
       "        resolv.conf FILE if given; runs until SIGTERM\n"
       "  status [--status FILE]   links, bridge ports, addresses, daemon state\n"
       "  tap add NAME --bridge BR [--vlan VID]   a persistent tap on BR\n"
       "  tap del NAME\n"
       "  vlan PORT VID [--trunk]  make a bridge port an access (or trunk) port\n"
       "  delete IFNAME            remove a bridge or tap (nothing if absent)\n"
       "  wol MAC... [--iface IF] [--password PW] [--port N]\n"
       "        broadcast Wake-on-LAN magic packets (PW: SecureOn, 4 or 6 bytes)\n"
       "  wol-enable IF            turn on wake-on-magic-packet on the NIC\n"
       "Exit status: 0 done, 1 failed (one line on stderr), 2 usage error.");

#define USAGE(...) usage_error(&applet_net, __VA_ARGS__)

static int fail(const struct errmsg *err)
{
	fprintf(stderr, "kvmbox net: %s\n", err->msg);
	return 1;
}

/* "--opt VALUE": stores VALUE and advances *i; false when it is missing. */
static bool opt_value(int argc, char **argv, int *i, const char *opt,
		      const char **out)
{
	if (strcmp(argv[*i], opt))
		return false;
	if (*i + 1 >= argc) {
		*out = NULL;
		return true;
	}
	*out = argv[++*i];
	return true;
}

#define OPT(name, var) \
	if (opt_value(argc, argv, &i, name, &var)) { \
		if (!var) \
			return USAGE("%s needs a value", name); \
		continue; \
	}

static bool valid_ifname(const char *s)
{
	return s[0] && strlen(s) < IFNAMSIZ && !strchr(s, '/') && !strchr(s, ' ');
}

static int cmd_setup(int argc, char **argv)
{
	struct net_bridge_config c = { .name = "br0", .uplink = "" };
	char uplink[IFNAMSIZ];
	struct errmsg err;
	struct net_nl *nl;
	int r;

	for (int i = 1; i < argc; i++) {
		OPT("--bridge", c.name);
		OPT("--uplink", c.uplink);
		if (!strcmp(argv[i], "--isolated"))
			c.uplink = NULL;
		else if (!strcmp(argv[i], "--vlan-filtering"))
			c.vlan_filtering = true;
		else
			return USAGE("setup: unknown argument '%s'", argv[i]);
	}
	if (!valid_ifname(c.name))
		return USAGE("bad bridge name '%s'", c.name);
	if (net_nl_open(&nl, &err) < 0)
		return fail(&err);
	r = net_bridge_setup(nl, &c, uplink, &err);
	net_nl_close(nl);
	if (r < 0)
		return fail(&err);
	printf("%s ready%s%s\n", c.name, uplink[0] ? ", uplink " : " (no uplink)",
	       uplink);
	return 0;
}

static int cmd_daemon(int argc, char **argv)
{
	struct net_daemon_config c = { .bridge = "br0", .mode = NET_MODE_DHCP,
				       .status_path = NET_STATUS_PATH };
	char host[64] = "";
	const char *mode = NULL;
	struct errmsg err;

	for (int i = 1; i < argc; i++) {
		OPT("--bridge", c.bridge);
		OPT("--uplink", c.uplink);
		OPT("--mode", mode);
		OPT("--status", c.status_path);
		OPT("--hostname", c.hostname);
		OPT("--resolv-conf", c.resolv_conf);
		return USAGE("daemon: unknown argument '%s'", argv[i]);
	}
	if (!valid_ifname(c.bridge) || (c.uplink && !valid_ifname(c.uplink)))
		return USAGE("bad interface name");
	if (mode && net_mode_parse(mode, &c, &err) < 0)
		return USAGE("%s", err.msg);
	if (!c.hostname && gethostname(host, sizeof(host) - 1) == 0 && host[0] &&
	    strcmp(host, "(none)") && strcmp(host, "localhost"))
		c.hostname = host;
	if (net_daemon_run(&c, &err) < 0)
		return fail(&err);
	return 0;
}

static int cmd_status(int argc, char **argv)
{
	const char *path = NET_STATUS_PATH;
	struct errmsg err;

	for (int i = 1; i < argc; i++) {
		OPT("--status", path);
		return USAGE("status: unknown argument '%s'", argv[i]);
	}
	return net_show(1, path, &err) < 0 ? fail(&err) : 0;
}

static int tap_add(const char *name, const char *bridge, const char *vid_s)
{
	char ifname[IFNAMSIZ];
	struct errmsg err;
	struct net_nl *nl = NULL;
	uint64_t vid = 0;
	int fd, r;

	if (vid_s && parse_u64(vid_s, 1, 4094, &vid) < 0)
		return USAGE("bad VLAN id '%s' (1..4094)", vid_s);
	fd = net_tap_open(name, ifname, &err);
	if (fd < 0)
		return fail(&err);
	r = net_tap_persist(fd, true, &err);
	close(fd);
	if (r >= 0)
		r = net_nl_open(&nl, &err);
	if (r >= 0)
		r = net_bridge_enslave(nl, bridge, ifname, &err);
	if (r >= 0 && vid)
		r = net_port_vlan(nl, ifname, (uint16_t)vid, true, &err);
	if (r < 0 && nl)
		net_link_delete(nl, ifname, NULL); /* all or nothing */
	net_nl_close(nl);
	if (r < 0)
		return fail(&err);
	printf("%s\n", ifname);
	return 0;
}

static int link_delete(const char *name)
{
	struct errmsg err;
	struct net_nl *nl;
	int r;

	if (!valid_ifname(name))
		return USAGE("bad interface name '%s'", name);
	if (net_nl_open(&nl, &err) < 0)
		return fail(&err);
	r = net_link_delete(nl, name, &err);
	net_nl_close(nl);
	return r < 0 ? fail(&err) : 0;
}

static int cmd_tap(int argc, char **argv)
{
	const char *bridge = NULL, *vid = NULL;

	if (argc == 3 && !strcmp(argv[1], "del"))
		return link_delete(argv[2]);
	if (argc < 3 || strcmp(argv[1], "add"))
		return USAGE("tap add NAME --bridge BR [--vlan VID] | tap del NAME");
	for (int i = 3; i < argc; i++) {
		OPT("--bridge", bridge);
		OPT("--vlan", vid);
		return USAGE("tap: unknown argument '%s'", argv[i]);
	}
	if (!bridge)
		return USAGE("tap add needs --bridge");
	if (strlen(argv[2]) >= IFNAMSIZ)
		return USAGE("bad interface name '%s'", argv[2]);
	return tap_add(argv[2], bridge, vid);
}

static int cmd_vlan(int argc, char **argv)
{
	bool trunk = argc == 4 && !strcmp(argv[3], "--trunk");
	struct errmsg err;
	struct net_nl *nl;
	uint64_t vid;
	int r;

	if ((argc != 3 && !trunk) || !valid_ifname(argv[1]))
		return USAGE("vlan PORT VID [--trunk]");
	if (parse_u64(argv[2], 1, 4094, &vid) < 0)
		return USAGE("bad VLAN id '%s' (1..4094)", argv[2]);
	if (net_nl_open(&nl, &err) < 0)
		return fail(&err);
	r = net_port_vlan(nl, argv[1], (uint16_t)vid, !trunk, &err);
	net_nl_close(nl);
	return r < 0 ? fail(&err) : 0;
}

static int cmd_wol(int argc, char **argv)
{
	const char *iface = NULL, *pw_s = NULL, *port_s = NULL;
	uint8_t macs[64][6], pw[6], pkt[108];
	size_t nmacs = 0, pwlen = 0;
	uint64_t port = 9;
	struct errmsg err;

	for (int i = 1; i < argc; i++) {
		OPT("--iface", iface);
		OPT("--password", pw_s);
		OPT("--port", port_s);
		if (nmacs == ARRAY_SIZE(macs))
			return USAGE("at most %zu MACs at once", ARRAY_SIZE(macs));
		if (net_mac_parse(argv[i], macs[nmacs]) < 0)
			return USAGE("bad MAC address '%s' (aa:bb:cc:dd:ee:ff)", argv[i]);
		nmacs++;
	}
	if (!nmacs)
		return USAGE("wol needs at least one MAC address");
	if (pw_s && wol_password_parse(pw_s, pw, &pwlen) < 0)
		return USAGE("bad SecureOn password '%s' (4 or 6 hex bytes, aa:bb:..)",
			     pw_s);
	if (port_s && parse_u64(port_s, 1, 65535, &port) < 0)
		return USAGE("bad port '%s'", port_s);
	if (iface && !valid_ifname(iface))
		return USAGE("bad interface name '%s'", iface);
	for (size_t i = 0; i < nmacs; i++) {
		size_t len = wol_build(pkt, macs[i], pw_s ? pw : NULL, pwlen);
		if (wol_send(pkt, len, iface, (uint16_t)port, &err) < 0)
			return fail(&err);
	}
	return 0;
}

int net_main(int argc, char **argv)
{
	struct errmsg err;

	if (wants_help(&applet_net, argc, argv))
		return 0;
	if (argc < 2)
		return USAGE("missing command");
	const char *cmd = argv[1];
	argc--, argv++;
	if (!strcmp(cmd, "setup"))
		return cmd_setup(argc, argv);
	if (!strcmp(cmd, "daemon"))
		return cmd_daemon(argc, argv);
	if (!strcmp(cmd, "status"))
		return cmd_status(argc, argv);
	if (!strcmp(cmd, "tap"))
		return cmd_tap(argc, argv);
	if (!strcmp(cmd, "vlan"))
		return cmd_vlan(argc, argv);
	if (!strcmp(cmd, "delete") && argc == 2)
		return link_delete(argv[1]);
	if (!strcmp(cmd, "wol"))
		return cmd_wol(argc, argv);
	if (!strcmp(cmd, "wol-enable") && argc == 2)
		return wol_enable(argv[1], &err) < 0 ? fail(&err) : 0;
	return USAGE("unknown command '%s'", cmd);
}
