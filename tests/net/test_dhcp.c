/* SPDX-License-Identifier: GPL-2.0-only */
/* DHCP messages, IPv4/UDP framing and the client state machine (fake clock). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "net/net.h"
#include "tests/harness.h"

#define SEC 1000000000ull

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t server_mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };

static struct in_addr ip(const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	return a;
}

/* A server's reply: BOOTP header + the options given (already encoded). */
static size_t make_reply(uint8_t *p, uint32_t xid, const char *yiaddr,
			 const uint8_t *opts, size_t optlen)
{
	memset(p, 0, 240);
	p[0] = 2, p[1] = 1, p[2] = 6;
	put_be32(p + 4, xid);
	struct in_addr y = ip(yiaddr);
	memcpy(p + 16, &y, 4);
	memcpy(p + 28, mac, 6);
	p[236] = 99, p[237] = 130, p[238] = 83, p[239] = 99;
	memcpy(p + 240, opts, optlen);
	return 240 + optlen;
}

#define OPTS_ACK(type)                                                   \
	{ 53, 1, type, 54, 4, 10, 0, 0, 1, 1, 4, 255, 255, 255, 0,       \
	  3, 4, 10, 0, 0, 1, 6, 8, 10, 0, 0, 1, 10, 0, 0, 2,             \
	  51, 4, 0, 0, 0, 100, 58, 4, 0, 0, 0, 10, 59, 4, 0, 0, 0, 20,   \
	  12, 3, 'p', 'c', '1', 255 }

TEST(dhcp_parse_ack)
{
	uint8_t opts[] = OPTS_ACK(5), p[600];
	struct dhcp_reply r;
	struct errmsg err;
	size_t n = make_reply(p, 0x11223344, "10.0.0.7", opts, sizeof(opts));

	CHECK_EQ(dhcp_parse(p, n, &r, &err), 0);
	CHECK_EQ(r.type, DHCP_ACK);
	CHECK_EQ(r.xid, 0x11223344);
	CHECK_EQ(r.yiaddr.s_addr, ip("10.0.0.7").s_addr);
	CHECK_EQ(r.server_id.s_addr, ip("10.0.0.1").s_addr);
	CHECK_EQ(dhcp_mask_prefix(r.netmask), 24);
	CHECK_EQ(r.ndns, 2);
	CHECK_EQ(r.dns[1].s_addr, ip("10.0.0.2").s_addr);
	CHECK_EQ(r.lease_s, 100);
	CHECK_EQ(r.t1_s, 10);
	CHECK_EQ(r.t2_s, 20);
	CHECK_STR(r.hostname, "pc1");
	CHECK_MEM(r.chaddr, mac, 6);
}

TEST(dhcp_parse_rejects_malformed)
{
	uint8_t p[600];
	struct dhcp_reply r;
	struct errmsg err;
	static const struct {
		uint8_t opts[16];
		size_t len;
		const char *why;
	} bad[] = {
		{ { 53, 1, 2, 54, 4, 10, 0 }, 7, "runs past the end" },
		{ { 53, 1, 2, 54 }, 4, "cut short" },
		{ { 54, 4, 10, 0, 0, 1, 255 }, 7, "no message type" },
		{ { 53, 1, 9, 255 }, 4, "message type" },
		{ { 53, 2, 2, 2, 255 }, 5, "message type" },
		{ { 53, 1, 2, 255 }, 4, "server id" },
		{ { 53, 1, 2, 54, 4, 10, 0, 0, 1, 1, 4, 255, 0, 255, 0, 255 }, 16, "holes" },
		{ { 53, 1, 2, 54, 3, 10, 0, 0, 255 }, 9, "server id" },
		{ { 53, 1, 2, 54, 4, 10, 0, 0, 1, 6, 3, 1, 2, 3, 255 }, 15, "dns" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		size_t n = make_reply(p, 1, "10.0.0.7", bad[i].opts, bad[i].len);
		err.msg[0] = 0;
		CHECK_EQ(dhcp_parse(p, n, &r, &err), -EBADMSG);
		if (!strstr(err.msg, bad[i].why))
			test_fail(__FILE__, __LINE__, "case %zu: '%s' lacks '%s'", i,
				  err.msg, bad[i].why);
	}
	uint8_t ok[] = OPTS_ACK(2);
	size_t n = make_reply(p, 1, "0.0.0.0", ok, sizeof(ok));
	CHECK_EQ(dhcp_parse(p, n, &r, &err), -EBADMSG); /* no address offered */
	n = make_reply(p, 1, "10.0.0.7", ok, sizeof(ok));
	p[236] = 0;
	CHECK_EQ(dhcp_parse(p, n, &r, &err), -EBADMSG); /* no cookie */
	CHECK_EQ(dhcp_parse(p, 239, &r, &err), -EBADMSG); /* too short */
}

TEST(dhcp_parse_nak_and_filters_text)
{
	uint8_t opts[] = { 53, 1, 6, 56, 5, 'n', 'o', '\n', 0x80, '!',
			   12, 4, 'a', ';', 'b', 'c', 255 };
	uint8_t p[600];
	struct dhcp_reply r;
	struct errmsg err;
	size_t n = make_reply(p, 1, "0.0.0.0", opts, sizeof(opts));

	CHECK_EQ(dhcp_parse(p, n, &r, &err), 0);
	CHECK_EQ(r.type, DHCP_NAK);
	CHECK_STR(r.message, "no?" "?!");
	CHECK_STR(r.hostname, ""); /* "a;bc" is not a host name */
}

TEST(dhcp_build_discover)
{
	uint8_t p[DHCP_MSG_MAX];
	struct dhcp_request q = { .type = DHCP_DISCOVER, .xid = 0xdeadbeef,
				  .hostname = "lab-pc" };

	memcpy(q.mac, mac, 6);
	size_t n = dhcp_build(p, &q);
	CHECK(n >= 300 && n <= DHCP_MSG_MAX);
	CHECK_EQ(p[0], 1);
	CHECK_EQ(get_be32(p + 4), 0xdeadbeef);
	CHECK_MEM(p + 28, mac, 6);
	CHECK_EQ(p[240], 53);
	CHECK_EQ(p[242], DHCP_DISCOVER);
	CHECK(memmem(p + 240, n - 240, "\x0c\x06lab-pc", 8) != NULL);
	CHECK(memmem(p + 240, n - 240, "\x3d\x07\x01\x52\x54\x00\x12\x34\x56", 9));
}

TEST(udp_frame_roundtrip_and_checksums)
{
	uint8_t pkt[700], payload[301];
	const uint8_t *got;
	size_t glen;
	struct in_addr src;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	size_t n = udp4_frame(pkt, sizeof(pkt), ip("10.0.0.1"), 67,
			      ip("255.255.255.255"), 68, payload, sizeof(payload));
	CHECK_EQ(n, 20 + 8 + sizeof(payload));
	CHECK_EQ(udp4_unframe(pkt, n, 68, true, &got, &glen, &src), 0);
	CHECK_EQ(glen, sizeof(payload));
	CHECK_MEM(got, payload, glen);
	CHECK_EQ(src.s_addr, ip("10.0.0.1").s_addr);
	CHECK_EQ(udp4_unframe(pkt, n, 67, true, &got, &glen, NULL), -EBADMSG);
	CHECK_EQ(udp4_unframe(pkt, n - 1, 68, true, &got, &glen, NULL), -EBADMSG);
	pkt[100] ^= 1; /* payload damaged: UDP checksum */
	CHECK_EQ(udp4_unframe(pkt, n, 68, true, &got, &glen, NULL), -EBADMSG);
	CHECK_EQ(udp4_unframe(pkt, n, 68, false, &got, &glen, NULL), 0);
	pkt[100] ^= 1;
	pkt[8] ^= 1; /* TTL damaged: IP header checksum */
	CHECK_EQ(udp4_unframe(pkt, n, 68, false, &got, &glen, NULL), -EBADMSG);
}

/* ---- the state machine, with a fake clock and a fake server ------------ */

static uint64_t fake_now;
static uint64_t now_fn(void) { return fake_now; }

struct sent {
	int n;
	uint8_t type, last[DHCP_MSG_MAX];
	struct in_addr src, dst;
	uint8_t dst_mac[6];
};
static struct sent sent;
static int bound_calls, renewed_calls, unbound_calls;

static uint8_t msg_type(const uint8_t *p)
{
	return p[242];
}

static int fake_send(void *ctx, const uint8_t *p, size_t len, struct in_addr src,
		     struct in_addr dst, const uint8_t m[6])
{
	(void)ctx;
	sent.n++;
	memcpy(sent.last, p, len);
	sent.type = msg_type(p);
	sent.src = src;
	sent.dst = dst;
	memcpy(sent.dst_mac, m, 6);
	return 0;
}
static void fake_bound(void *ctx, const struct dhcp_lease *l, bool renewed)
{
	(void)ctx, (void)l;
	bound_calls++;
	renewed_calls += renewed;
}
static void fake_unbound(void *ctx, const char *why)
{
	(void)ctx, (void)why;
	unbound_calls++;
}
static const struct dhcp_client_ops ops = { fake_send, fake_bound, fake_unbound };

static void answer(struct dhcp_client *c, uint8_t type)
{
	uint8_t opts[] = OPTS_ACK(type), p[600];
	struct dhcp_reply r;
	size_t n = make_reply(p, get_be32(sent.last + 4), "10.0.0.7", opts,
			      sizeof(opts));
	if (type == DHCP_NAK)
		n = make_reply(p, get_be32(sent.last + 4), "0.0.0.0",
			       (const uint8_t[]){ 53, 1, 6, 54, 4, 10, 0, 0, 1, 255 }, 10);
	CHECK_EQ(dhcp_parse(p, n, &r, NULL), 0);
	dhcp_client_input(c, &r, server_mac);
}

static void run_until(struct dhcp_client *c, uint64_t t)
{
	while (dhcp_client_next(c) && dhcp_client_next(c) <= t) {
		fake_now = MAX(fake_now, dhcp_client_next(c));
		dhcp_client_tick(c);
	}
	fake_now = t;
}

static void get_bound(struct dhcp_client *c)
{
	memset(&sent, 0, sizeof(sent));
	bound_calls = renewed_calls = unbound_calls = 0;
	fake_now = 1000 * SEC;
	dhcp_client_init(c, mac, "pc", &ops, NULL, now_fn);
	dhcp_client_start(c);
	CHECK_EQ(sent.type, DHCP_DISCOVER);
	CHECK_EQ(sent.dst.s_addr, INADDR_BROADCAST);
	answer(c, DHCP_OFFER);
	CHECK_EQ(c->state, DHCP_S_REQUESTING);
	CHECK_EQ(sent.type, DHCP_REQUEST);
	answer(c, DHCP_ACK);
	CHECK_EQ(c->state, DHCP_S_BOUND);
	CHECK_EQ(bound_calls, 1);
	CHECK_EQ(c->lease.prefix, 24);
}

TEST(dhcp_client_renews_at_t1_unicast)
{
	struct dhcp_client c;

	get_bound(&c);
	CHECK_EQ(dhcp_client_next(&c), fake_now + 10 * SEC);
	run_until(&c, fake_now + 10 * SEC);
	CHECK_EQ(c.state, DHCP_S_RENEWING);
	CHECK_EQ(sent.type, DHCP_REQUEST);
	CHECK_EQ(sent.dst.s_addr, ip("10.0.0.1").s_addr); /* unicast */
	CHECK_MEM(sent.dst_mac, server_mac, 6);
	CHECK_EQ(sent.src.s_addr, ip("10.0.0.7").s_addr);
	answer(&c, DHCP_ACK);
	CHECK_EQ(c.state, DHCP_S_BOUND);
	CHECK_EQ(renewed_calls, 1);
}

TEST(dhcp_client_rebinds_then_expires)
{
	struct dhcp_client c;
	uint64_t t0;

	get_bound(&c);
	t0 = fake_now;
	run_until(&c, t0 + 19 * SEC);
	CHECK_EQ(c.state, DHCP_S_RENEWING);
	run_until(&c, t0 + 20 * SEC);
	CHECK_EQ(c.state, DHCP_S_REBINDING);
	CHECK_EQ(sent.dst.s_addr, INADDR_BROADCAST);
	CHECK_EQ(unbound_calls, 0);
	int before = sent.n;
	run_until(&c, t0 + 99 * SEC);
	CHECK(sent.n > before + 3); /* retransmits, halving the time left */
	CHECK(sent.n < before + 12);
	CHECK_EQ(unbound_calls, 0);
	run_until(&c, t0 + 100 * SEC);
	CHECK_EQ(unbound_calls, 1);
	CHECK(!c.have_lease);
	CHECK_EQ(c.state, DHCP_S_SELECTING);
	CHECK_EQ(sent.type, DHCP_DISCOVER);
}

TEST(dhcp_client_nak_drops_lease_and_restarts)
{
	struct dhcp_client c;

	get_bound(&c);
	run_until(&c, fake_now + 10 * SEC);
	answer(&c, DHCP_NAK);
	CHECK_EQ(unbound_calls, 1);
	CHECK_EQ(c.state, DHCP_S_SELECTING);
	CHECK_EQ(sent.type, DHCP_DISCOVER); /* at once */
	/* A server that keeps refusing is asked less and less often. */
	answer(&c, DHCP_OFFER);
	answer(&c, DHCP_NAK);
	CHECK(dhcp_client_next(&c) >= fake_now + SEC);
}

TEST(dhcp_client_discover_backs_off_forever)
{
	struct dhcp_client c;
	uint64_t prev = 0, gap_max = 0;

	fake_now = 5 * SEC;
	memset(&sent, 0, sizeof(sent));
	dhcp_client_init(&c, mac, NULL, &ops, NULL, now_fn);
	dhcp_client_start(&c);
	for (int i = 0; i < 30; i++) {
		uint64_t next = dhcp_client_next(&c);
		CHECK(next > fake_now);
		if (prev)
			gap_max = MAX(gap_max, next - fake_now);
		prev = next;
		run_until(&c, next);
	}
	CHECK_EQ(sent.n, 31);
	CHECK(gap_max <= 36 * SEC);
	CHECK(gap_max >= 28 * SEC);
	CHECK_EQ(c.state, DHCP_S_SELECTING);
}

TEST(dhcp_client_carrier_back_verifies_lease)
{
	struct dhcp_client c;

	get_bound(&c);
	dhcp_client_pause(&c);
	int before = sent.n;
	run_until(&c, fake_now + 5 * SEC);
	CHECK_EQ(sent.n, before); /* silent while the cable is out */
	dhcp_client_start(&c);
	CHECK_EQ(c.state, DHCP_S_REBOOTING);
	CHECK_EQ(sent.type, DHCP_REQUEST);
	CHECK_EQ(sent.dst.s_addr, INADDR_BROADCAST);
	CHECK_EQ(get_be32(sent.last + 12), 0); /* ciaddr 0, option 50 instead */
	answer(&c, DHCP_ACK);
	CHECK_EQ(c.state, DHCP_S_BOUND);
	CHECK_EQ(renewed_calls, 1);
	/* Paused past expiry: the lease goes, even with no packets. */
	dhcp_client_pause(&c);
	run_until(&c, fake_now + 200 * SEC);
	CHECK_EQ(unbound_calls, 1);
}

TEST(dhcp_client_ignores_foreign_replies)
{
	struct dhcp_client c;
	uint8_t opts[] = OPTS_ACK(2), p[600];
	struct dhcp_reply r;

	fake_now = SEC;
	dhcp_client_init(&c, mac, NULL, &ops, NULL, now_fn);
	dhcp_client_start(&c);
	size_t n = make_reply(p, get_be32(sent.last + 4) + 1, "10.0.0.7", opts,
			      sizeof(opts));
	CHECK_EQ(dhcp_parse(p, n, &r, NULL), 0);
	dhcp_client_input(&c, &r, server_mac);
	CHECK_EQ(c.state, DHCP_S_SELECTING);
}

TEST(dhcp_client_takes_over_a_lease_after_restart)
{
	struct dhcp_client c;

	fake_now = 50 * SEC;
	memset(&sent, 0, sizeof(sent));
	unbound_calls = 0;
	dhcp_client_init(&c, mac, NULL, &ops, NULL, now_fn);
	dhcp_client_assume(&c, ip("10.0.0.7"), 24, 30);
	dhcp_client_start(&c);
	CHECK_EQ(c.state, DHCP_S_REBOOTING);
	CHECK_EQ(sent.type, DHCP_REQUEST);
	CHECK(memmem(sent.last + 240, 100, "\x32\x04\x0a\x00\x00\x07", 6) != NULL);
	/* Nobody confirms: keep it, rebinding by broadcast until it runs out. */
	run_until(&c, fake_now + 10 * SEC);
	CHECK_EQ(c.state, DHCP_S_REBINDING);
	CHECK_EQ(sent.dst.s_addr, INADDR_BROADCAST);
	CHECK_EQ(unbound_calls, 0);
	run_until(&c, 50 * SEC + 30 * SEC);
	CHECK_EQ(unbound_calls, 1);
}
