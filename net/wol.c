/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wake-on-LAN: the magic packet (6 x 0xff then the MAC 16 times, then an
 * optional SecureOn password) sent as a UDP broadcast, and turning on
 * magic-packet wake on a NIC through the ethtool ioctl.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "net.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "aa:bb:cc:dd:ee:ff", '-' also allowed as the separator; exactly @n bytes. */
static int parse_hex_bytes(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i + 1 < n && *s != ':' && *s != '-')
			return -EINVAL;
		if (i + 1 < n)
			s++;
	}
	return *s ? -EINVAL : 0;
}

int net_mac_parse(const char *s, uint8_t mac[6])
{
	return parse_hex_bytes(s, mac, 6);
}

int wol_password_parse(const char *s, uint8_t pw[6], size_t *len)
{
	if (parse_hex_bytes(s, pw, 6) == 0)
		*len = 6;
	else if (parse_hex_bytes(s, pw, 4) == 0)
		*len = 4;
	else
		return -EINVAL;
	return 0;
}

size_t wol_build(uint8_t out[108], const uint8_t mac[6],
		 const uint8_t *password, size_t password_len)
{
	memset(out, 0xff, 6);
	for (int i = 0; i < 16; i++)
		memcpy(out + 6 + 6 * i, mac, 6);
	if (password && (password_len == 4 || password_len == 6)) {
		memcpy(out + 102, password, password_len);
		return 102 + password_len;
	}
	return 102;
}

int wol_send(const uint8_t *pkt, size_t len, const char *iface, uint16_t port,
	     struct errmsg *err)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr = { INADDR_BROADCAST } };
	int one = 1, r = 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return errmsg_set(err, -errno, "UDP socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0)
		r = errmsg_set(err, -errno, "SO_BROADCAST: %s", strerror(errno));
	else if (iface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface,
				     (socklen_t)strlen(iface) + 1) < 0)
		r = errmsg_set(err, -errno, "interface %s: %s", iface, strerror(errno));
	else if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		r = errmsg_set(err, -errno, "send the magic packet%s%s: %s",
			       iface ? " on " : "", iface ? iface : "",
			       errno == ENETUNREACH ?
				       "no route (give --iface)" : strerror(errno));
	close(fd);
	return r;
}

int wol_enable(const char *iface, struct errmsg *err)
{
	struct ethtool_wolinfo wol = { .cmd = ETHTOOL_GWOL };
	struct ifreq ifr = { 0 };
	int r = 0, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return errmsg_set(err, -errno, "socket: %s", strerror(errno));
	if (str_copy(ifr.ifr_name, IFNAMSIZ, iface) < 0) {
		close(fd);
		return errmsg_set(err, -EINVAL, "bad interface name '%s'", iface);
	}
	ifr.ifr_data = (char *)&wol;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		r = errno == EOPNOTSUPP ?
			    errmsg_set(err, -EOPNOTSUPP,
				       "%s: the driver has no Wake-on-LAN support", iface) :
			    errmsg_set(err, -errno, "%s: %s", iface, strerror(errno));
	} else if (!(wol.supported & WAKE_MAGIC)) {
		r = errmsg_set(err, -EOPNOTSUPP,
			       "%s: the NIC cannot wake on a magic packet", iface);
	} else if (!(wol.wolopts & WAKE_MAGIC)) {
		wol.cmd = ETHTOOL_SWOL;
		wol.wolopts |= WAKE_MAGIC;
		if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
			r = errmsg_set(err, -errno, "%s: enable wake on magic packet: %s",
				       iface, errno == EPERM ? "permission denied" :
				       strerror(errno));
	}
	close(fd);
	return r;
}
