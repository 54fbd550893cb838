/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Plays a VM's network card for the tests: opens a tap the way the VMM
 * does (net_tap_open with virtio-net headers), puts it on a bridge, and
 * asks for a peer's MAC with ARP through it.
 *   tap_arp BRIDGE MY_IP PEER_IP [WAIT_MS]
 * Exit 0 when the peer answered, 3 when nobody did, 1 on a set-up error.
 * Prints the set-up time (tap + bridge port) in microseconds.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"
/* After libc's net/if.h (in net.h), which linux/if_arp.h must not redo. */
#include <linux/if_arp.h>
#include <linux/if_ether.h>

#define VNET_HDR 12 /* struct virtio_net_hdr_mrg_rxbuf, all zero: no offloads */

struct arp_frame {
	uint8_t vnet[VNET_HDR];
	struct ethhdr eth;
	struct arphdr arp;
	uint8_t sha[ETH_ALEN], spa[4], tha[ETH_ALEN], tpa[4];
} __attribute__((packed));

static void make_request(struct arp_frame *f, const uint8_t mac[6],
			 struct in_addr me, struct in_addr peer)
{
	memset(f, 0, sizeof(*f));
	memset(f->eth.h_dest, 0xff, ETH_ALEN);
	memcpy(f->eth.h_source, mac, ETH_ALEN);
	f->eth.h_proto = htons(ETH_P_ARP);
	f->arp.ar_hrd = htons(ARPHRD_ETHER);
	f->arp.ar_pro = htons(ETH_P_IP);
	f->arp.ar_hln = ETH_ALEN;
	f->arp.ar_pln = 4;
	f->arp.ar_op = htons(ARPOP_REQUEST);
	memcpy(f->sha, mac, ETH_ALEN);
	memcpy(f->spa, &me, 4);
	memcpy(f->tpa, &peer, 4);
}

static bool is_reply(const struct arp_frame *f, ssize_t n, struct in_addr me,
		     struct in_addr peer)
{
	return n >= (ssize_t)sizeof(*f) && f->eth.h_proto == htons(ETH_P_ARP) &&
	       f->arp.ar_op == htons(ARPOP_REPLY) && !memcmp(f->spa, &peer, 4) &&
	       !memcmp(f->tpa, &me, 4);
}

int main(int argc, char **argv)
{
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x4b, 0x56, (uint8_t)getpid() };
	struct in_addr me, peer;
	struct arp_frame req, rx;
	char ifname[IFNAMSIZ];
	struct errmsg err;
	int wait_ms = argc > 4 ? atoi(argv[4]) : 3000;
	uint64_t t0, t1;
	int fd;

	if (argc < 4 || inet_pton(AF_INET, argv[2], &me) != 1 ||
	    inet_pton(AF_INET, argv[3], &peer) != 1) {
		fprintf(stderr, "usage: tap_arp BRIDGE MY_IP PEER_IP [WAIT_MS]\n");
		return 1;
	}
	t0 = clock_now_ns();
	fd = net_tap_open("kvt%d", ifname, &err);
	if (fd < 0 || net_bridge_add_port(argv[1], ifname, &err) < 0) {
		fprintf(stderr, "tap_arp: %s\n", err.msg);
		return 1;
	}
	t1 = clock_now_ns();
	printf("tap %s on %s: set-up %llu us\n", ifname, argv[1],
	       (unsigned long long)((t1 - t0) / 1000));
	fflush(stdout);
	make_request(&req, mac, me, peer);
	for (int waited = 0; waited < wait_ms; waited += 200) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (write(fd, &req, sizeof(req)) != (ssize_t)sizeof(req))
			perror("tap_arp: write");
		while (poll(&p, 1, 200) > 0) {
			ssize_t n = read(fd, &rx, sizeof(rx));
			if (is_reply(&rx, n, me, peer)) {
				printf("reply from %02x:%02x:%02x:%02x:%02x:%02x\n",
				       rx.sha[0], rx.sha[1], rx.sha[2], rx.sha[3],
				       rx.sha[4], rx.sha[5]);
				close(fd);
				return 0;
			}
		}
	}
	printf("no reply from %s\n", argv[3]);
	close(fd);
	return 3;
}
