/* SPDX-License-Identifier: GPL-2.0-only */
/* Wake-on-LAN packets, MAC parsing, daemon mode strings. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "net/net.h"
#include "tests/harness.h"

TEST(wol_magic_packet_bytes)
{
	uint8_t mac[6], pw[6], pkt[108];
	size_t pwlen;

	CHECK_EQ(net_mac_parse("00:1A:2b:3c:4d:5e", mac), 0);
	CHECK_EQ(wol_build(pkt, mac, NULL, 0), 102);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(pkt[i], 0xff);
	for (int i = 0; i < 16; i++)
		CHECK_MEM(pkt + 6 + 6 * i, "\x00\x1a\x2b\x3c\x4d\x5e", 6);
	CHECK_EQ(wol_password_parse("01-02-03-04", pw, &pwlen), 0);
	CHECK_EQ(pwlen, 4);
	CHECK_EQ(wol_build(pkt, mac, pw, pwlen), 106);
	CHECK_MEM(pkt + 102, "\x01\x02\x03\x04", 4);
	CHECK_EQ(wol_password_parse("aa:bb:cc:dd:ee:ff", pw, &pwlen), 0);
	CHECK_EQ(wol_build(pkt, mac, pw, pwlen), 108);
}

TEST(mac_parse_rejects_junk)
{
	uint8_t mac[6];
	const char *bad[] = { "", "00:11:22:33:44", "00:11:22:33:44:55:66",
			      "0:11:22:33:44:55", "00:11:22:33:44:5g", "001122334455",
			      "00:11:22:33:44:55 " };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(net_mac_parse(bad[i], mac), -EINVAL);
	CHECK_EQ(net_mac_parse("ff-ff-ff-ff-ff-ff", mac), 0);
}

TEST(daemon_mode_strings)
{
	struct net_daemon_config c = { 0 };
	struct errmsg err;
	char a[16];

	CHECK_EQ(net_mode_parse("dhcp", &c, &err), 0);
	CHECK_EQ(c.mode, NET_MODE_DHCP);
	CHECK_EQ(net_mode_parse("off", &c, &err), 0);
	CHECK_EQ(c.mode, NET_MODE_OFF);
	CHECK_EQ(net_mode_parse("static:192.168.5.9/23,192.168.4.1", &c, &err), 0);
	CHECK_EQ(c.mode, NET_MODE_STATIC);
	CHECK_EQ(c.prefix, 23);
	CHECK_STR(inet_ntop(AF_INET, &c.gw, a, sizeof(a)), "192.168.4.1");
	CHECK_EQ(net_mode_parse("static:192.168.5.9", &c, &err), -EINVAL);
	CHECK_EQ(net_mode_parse("static:192.168.5.9/33", &c, &err), -EINVAL);
	CHECK_EQ(net_mode_parse("static:1.2.3/8", &c, &err), -EINVAL);
	CHECK_EQ(net_mode_parse("dhcpx", &c, &err), -EINVAL);
	CHECK(strstr(err.msg, "dhcpx") != NULL);
}
