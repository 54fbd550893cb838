/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DHCP replies and their IPv4/UDP framing come from anyone on the LAN:
 * no crash, no read out of bounds, and whatever parses drives the client's
 * state machine without harm.
 */
#include <string.h>

#include "net/net.h"

static uint64_t fake_now = 1000000000ull;
static uint64_t now_fn(void) { return fake_now; }
static int send_fn(void *c, const uint8_t *p, size_t l, struct in_addr s,
		   struct in_addr d, const uint8_t m[6])
{
	(void)c, (void)p, (void)l, (void)s, (void)d, (void)m;
	return 0;
}
static void bound_fn(void *c, const struct dhcp_lease *l, bool r)
{
	(void)c, (void)l, (void)r;
}
static void unbound_fn(void *c, const char *w)
{
	(void)c, (void)w;
}
static const struct dhcp_client_ops ops = { send_fn, bound_fn, unbound_fn };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	struct dhcp_reply r;
	struct dhcp_client c;
	const uint8_t *payload;
	size_t plen;

	if (size && data[0] & 1) /* odd first byte: the whole IPv4 packet */
		(void)udp4_unframe(data + 1, size - 1, 68, true, &payload, &plen, NULL);
	if (dhcp_parse(data, size, &r, NULL) < 0)
		return 0;
	dhcp_client_init(&c, mac, "pc", &ops, NULL, now_fn);
	memcpy(r.chaddr, mac, 6);
	dhcp_client_start(&c);
	r.xid = c.xid;
	if (r.type == DHCP_ACK) { /* as if it answered a REQUEST */
		r.type = DHCP_OFFER;
		dhcp_client_input(&c, &r, mac);
		r.type = DHCP_ACK;
		r.xid = c.xid;
	}
	dhcp_client_input(&c, &r, mac);
	for (int i = 0; i < 8 && dhcp_client_next(&c); i++) {
		fake_now = dhcp_client_next(&c);
		dhcp_client_tick(&c);
	}
	return 0;
}
