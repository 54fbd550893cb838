/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DHCP on the wire before the host has an address: a packet socket on the
 * interface, with IPv4 and UDP headers made and checked here, and a
 * classic BPF filter so only UDP to port 68 wakes us up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get_be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The UDP checksum over the pseudo-header, the UDP header and the data. */
static uint16_t udp_csum(const struct iphdr *ip, const uint8_t *udp,
			 size_t udp_len)
{
	uint8_t pseudo[12];

	memcpy(pseudo, &ip->saddr, 4);
	memcpy(pseudo + 4, &ip->daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	put_be16(pseudo + 10, (uint16_t)udp_len);
	return csum_fold(csum_add(csum_add(0, pseudo, 12), udp, udp_len));
}

size_t udp4_frame(uint8_t *out, size_t size, struct in_addr src,
		  uint16_t sport, struct in_addr dst, uint16_t dport,
		  const uint8_t *payload, size_t len)
{
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64,
			    .protocol = IPPROTO_UDP };
	struct udphdr udp = { 0 };
	size_t total = sizeof(ip) + sizeof(udp) + len;
	uint16_t sum;

	if (total > size || total > 0xffff)
		return 0;
	ip.tot_len = htons((uint16_t)total);
	ip.saddr = src.s_addr;
	ip.daddr = dst.s_addr;
	ip.check = htons(csum_fold(csum_add(0, (const uint8_t *)&ip, sizeof(ip))));
	udp.source = htons(sport);
	udp.dest = htons(dport);
	udp.len = htons((uint16_t)(sizeof(udp) + len));
	memcpy(out, &ip, sizeof(ip));
	memcpy(out + sizeof(ip), &udp, sizeof(udp));
	memcpy(out + sizeof(ip) + sizeof(udp), payload, len);
	sum = udp_csum(&ip, out + sizeof(ip), sizeof(udp) + len);
	put_be16(out + sizeof(ip) + 6, sum ? sum : 0xffff);
	return total;
}

int udp4_unframe(const uint8_t *pkt, size_t len, uint16_t dport,
		 bool check_udp_sum, const uint8_t **payload, size_t *plen,
		 struct in_addr *src)
{
	struct iphdr ip;
	struct udphdr udp;
	size_t ihl, total, ulen;

	if (len < sizeof(ip))
		return -EBADMSG;
	memcpy(&ip, pkt, sizeof(ip));
	ihl = (size_t)ip.ihl * 4;
	total = ntohs(ip.tot_len);
	if (ip.version != 4 || ihl < sizeof(ip) || total < ihl || total > len ||
	    ip.protocol != IPPROTO_UDP || (ntohs(ip.frag_off) & 0x3fff) ||
	    csum_fold(csum_add(0, pkt, ihl)) != 0)
		return -EBADMSG;
	if (total - ihl < sizeof(udp))
		return -EBADMSG;
	memcpy(&udp, pkt + ihl, sizeof(udp));
	ulen = ntohs(udp.len);
	if (ntohs(udp.dest) != dport || ulen < sizeof(udp) || ulen > total - ihl)
		return -EBADMSG;
	if (check_udp_sum && udp.check && udp_csum(&ip, pkt + ihl, ulen) != 0)
		return -EBADMSG;
	*payload = pkt + ihl + sizeof(udp);
	*plen = ulen - sizeof(udp);
	if (src)
		src->s_addr = ip.saddr;
	return 0;
}

/* Accepts unfragmented IPv4 UDP to port 68; offsets count from the IP header. */
static const struct sock_filter dhcp_filter[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DHCP_CLIENT_PORT, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

int dhcp_sock_open(int ifindex, struct errmsg *err)
{
	int one = 1;
	struct sock_fprog prog = { ARRAY_SIZE(dhcp_filter),
				   (struct sock_filter *)dhcp_filter };
	struct sockaddr_ll sa = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = ifindex };
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			htons(ETH_P_IP));

	if (fd < 0)
		return errmsg_set(err, -errno, "DHCP packet socket: %s%s",
				  strerror(errno),
				  errno == EPERM ? " (needs CAP_NET_RAW)" : "");
	/* Auxdata says when a local sender left the checksum to offload. */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;
		close(fd);
		return errmsg_set(err, e, "DHCP packet socket: %s", strerror(-e));
	}
	return fd;
}

int dhcp_sock_send(int fd, int ifindex, const uint8_t dst_mac[6],
		   struct in_addr src, struct in_addr dst,
		   const uint8_t *payload, size_t len)
{
	uint8_t pkt[DHCP_MSG_MAX + 64];
	struct sockaddr_ll sa = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = ifindex, .sll_halen = 6 };
	size_t n = udp4_frame(pkt, sizeof(pkt), src, DHCP_CLIENT_PORT, dst,
			      DHCP_SERVER_PORT, payload, len);

	if (!n)
		return -EMSGSIZE;
	memcpy(sa.sll_addr, dst_mac, 6);
	if (sendto(fd, pkt, n, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* False when the kernel says the UDP checksum is not filled in yet. */
static bool checksum_ready(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		struct tpacket_auxdata aux;

		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
		    c->cmsg_len < CMSG_LEN(sizeof(aux)))
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		return !(aux.tp_status & TP_STATUS_CSUMNOTREADY);
	}
	return true;
}

ssize_t dhcp_sock_recv(int fd, uint8_t *buf, size_t size, uint8_t from_mac[6])
{
	uint8_t pkt[2048];
	union {
		struct cmsghdr align;
		uint8_t space[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct sockaddr_ll sa;
	struct iovec iov = { pkt, sizeof(pkt) };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa),
			     .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
	const uint8_t *payload;
	size_t plen;
	ssize_t n = recvmsg(fd, &mh, MSG_TRUNC);

	if (n < 0)
		return -errno;
	if ((size_t)n > sizeof(pkt) || sa.sll_pkttype == PACKET_OUTGOING)
		return -ENOMSG; /* too big for DHCP, or our own: skip */
	if (udp4_unframe(pkt, (size_t)n, DHCP_CLIENT_PORT, checksum_ready(&mh),
			 &payload, &plen, NULL) < 0)
		return -EBADMSG;
	if (plen > size)
		return -EMSGSIZE;
	memcpy(buf, payload, plen);
	memcpy(from_mac, sa.sll_addr, 6);
	return (ssize_t)plen;
}
