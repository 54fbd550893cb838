/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DHCP client's state machine (RFC 2131 section 4.4): selecting,
 * requesting, bound, renewing at T1, rebinding at T2, losing the lease at
 * expiry, and init-reboot when the carrier comes back. It owns no socket
 * and no timer: the owner feeds it replies and calls dhcp_client_tick()
 * when dhcp_client_next() is due, so a test can drive it with a fake clock.
 */
#include <arpa/inet.h>
#include <string.h>

#include "net.h"

#define SEC 1000000000ull
#define NEVER UINT64_MAX
#define SELECT_MAX_BACKOFF (32 * SEC) /* lab-friendly: back online quickly */
#define REQUEST_TRIES 4
#define REBOOT_TRIES 3

static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

const char *dhcp_state_name(enum dhcp_state s)
{
	static const char *const names[] = {
		[DHCP_S_IDLE] = "idle", [DHCP_S_SELECTING] = "selecting",
		[DHCP_S_REQUESTING] = "requesting", [DHCP_S_BOUND] = "bound",
		[DHCP_S_RENEWING] = "renewing", [DHCP_S_REBINDING] = "rebinding",
		[DHCP_S_REBOOTING] = "rebooting",
	};
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

static uint64_t rnd(struct dhcp_client *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545F4914F6CDD1DULL;
}

/* @base give or take an eighth, so a lab of PCs does not shout in step. */
static uint64_t jitter(struct dhcp_client *c, uint64_t base)
{
	uint64_t span = base / 4;

	return span ? base - base / 8 + rnd(c) % span : base;
}

void dhcp_client_init(struct dhcp_client *c, const uint8_t mac[6],
		      const char *hostname, const struct dhcp_client_ops *ops,
		      void *ctx, uint64_t (*now)(void))
{
	memset(c, 0, sizeof(*c));
	memcpy(c->mac, mac, 6);
	if (hostname)
		str_copy(c->hostname, sizeof(c->hostname), hostname);
	c->ops = ops;
	c->ctx = ctx;
	c->now = now ? now : clock_now_ns;
	c->rng = c->now() ^ get_le32(mac + 2) ^ (uint64_t)get_le16(mac) << 32;
	if (!c->rng)
		c->rng = 0x9e3779b97f4a7c15ull;
	c->state = DHCP_S_IDLE;
}

static void begin(struct dhcp_client *c, enum dhcp_state s)
{
	c->state = s;
	c->tries = 0;
	c->xid = (uint32_t)rnd(c);
	c->started_ns = c->now();
	c->next_ns = c->started_ns;
}

static void send_request(struct dhcp_client *c, enum dhcp_type type)
{
	uint8_t msg[DHCP_MSG_MAX];
	struct dhcp_request r = { .type = type, .xid = c->xid };
	struct in_addr src = { 0 }, dst = { INADDR_BROADCAST };
	const uint8_t *dst_mac = broadcast_mac;
	uint64_t secs = (c->now() - c->started_ns) / SEC;

	r.secs = (uint16_t)MIN(secs, 0xffff);
	memcpy(r.mac, c->mac, 6);
	r.hostname = c->hostname[0] ? c->hostname : NULL;
	switch (c->state) {
	case DHCP_S_SELECTING:
		if (c->have_lease)
			r.requested = c->lease.addr;
		break;
	case DHCP_S_REQUESTING:
		r.requested = c->offer.addr;
		r.server_id = c->offer.server;
		break;
	case DHCP_S_RENEWING: /* unicast to the server that gave the lease */
		dst = c->lease.server;
		dst_mac = c->lease.server_mac;
		/* fall through */
	case DHCP_S_REBINDING:
		r.ciaddr = src = c->lease.addr;
		break;
	case DHCP_S_REBOOTING:
		r.requested = c->lease.addr;
		break;
	default:
		return;
	}
	size_t len = dhcp_build(msg, &r);
	c->ops->send(c->ctx, msg, len, src, dst, dst_mac);
	c->tries++;
}

static void lose_lease(struct dhcp_client *c, const char *why)
{
	if (!c->have_lease)
		return;
	c->have_lease = false;
	log_warn("dhcp: %s", why);
	c->ops->unbound(c->ctx, why);
}

/* Where a still-valid lease stands at @now: bound, renewing or rebinding. */
static void resume_lease(struct dhcp_client *c, uint64_t now)
{
	c->tries = 0;
	c->started_ns = now;
	if (now >= c->lease.t2_ns)
		c->state = DHCP_S_REBINDING, c->next_ns = now;
	else if (now >= c->lease.t1_ns)
		c->state = DHCP_S_RENEWING, c->next_ns = now;
	else
		c->state = DHCP_S_BOUND, c->next_ns = c->lease.t1_ns;
}

/* Half the time left before @deadline, at least a second (RFC 2131 4.4.5). */
static uint64_t halfway(uint64_t now, uint64_t deadline)
{
	uint64_t left = deadline > now ? deadline - now : 0;

	return now + (left / 2 > SEC ? left / 2 : MIN(SEC, left));
}

void dhcp_client_tick(struct dhcp_client *c)
{
	uint64_t now = c->now();

	if (!c->next_ns || now < c->next_ns)
		return;
	if (c->have_lease && now >= c->lease.expiry_ns) {
		lose_lease(c, "lease expired, no server answered");
		begin(c, c->state == DHCP_S_IDLE ? DHCP_S_IDLE : DHCP_S_SELECTING);
		if (c->state == DHCP_S_IDLE) {
			c->next_ns = 0;
			return;
		}
	}
	switch (c->state) {
	case DHCP_S_IDLE:
		c->next_ns = c->have_lease ? c->lease.expiry_ns : 0;
		return;
	case DHCP_S_SELECTING:
		send_request(c, DHCP_DISCOVER);
		c->next_ns = now + jitter(c, MIN(SEC << MIN(c->tries - 1, 5u),
						 SELECT_MAX_BACKOFF));
		return;
	case DHCP_S_REQUESTING:
		if (c->tries >= REQUEST_TRIES) {
			log_warn("dhcp: no answer to our REQUEST, starting over");
			begin(c, DHCP_S_SELECTING);
			dhcp_client_tick(c);
			return;
		}
		send_request(c, DHCP_REQUEST);
		c->next_ns = now + jitter(c, SEC << (c->tries - 1));
		return;
	case DHCP_S_REBOOTING:
		if (c->tries >= REBOOT_TRIES) {
			log_info("dhcp: no server confirmed the lease, keeping it");
			resume_lease(c, now);
			if (c->next_ns <= now)
				dhcp_client_tick(c);
			return;
		}
		send_request(c, DHCP_REQUEST);
		c->next_ns = now + jitter(c, SEC << (c->tries - 1));
		return;
	case DHCP_S_BOUND:
		begin(c, DHCP_S_RENEWING);
		/* fall through */
	case DHCP_S_RENEWING:
		if (now >= c->lease.t2_ns) {
			begin(c, DHCP_S_REBINDING);
			dhcp_client_tick(c);
			return;
		}
		send_request(c, DHCP_REQUEST);
		c->next_ns = halfway(now, c->lease.t2_ns);
		return;
	case DHCP_S_REBINDING:
		send_request(c, DHCP_REQUEST);
		c->next_ns = halfway(now, c->lease.expiry_ns);
		return;
	}
}

static uint64_t after(uint64_t now, uint32_t secs)
{
	return secs == 0xffffffffu ? NEVER : now + (uint64_t)secs * SEC;
}

static void take_lease(struct dhcp_client *c, const struct dhcp_reply *r,
		       const uint8_t from_mac[6])
{
	uint64_t now = c->now();
	uint32_t lease = r->lease_s ? r->lease_s : 3600; /* RFC: "SHOULD" send it */
	uint32_t t1 = lease == 0xffffffffu ? lease : lease / 2;
	uint32_t t2 = lease == 0xffffffffu ? lease : lease / 8 * 7;
	bool renewed = c->have_lease && c->lease.addr.s_addr == r->yiaddr.s_addr;
	struct dhcp_lease *l = &c->lease;

	if (r->t1_s && r->t1_s < lease)
		t1 = r->t1_s;
	if (r->t2_s && r->t2_s < lease && r->t2_s > t1)
		t2 = r->t2_s;
	if (t2 < t1)
		t2 = t1;
	if (c->have_lease && !renewed)
		lose_lease(c, "server gave a different address");
	memset(l, 0, sizeof(*l));
	l->addr = r->yiaddr;
	l->server = r->server_id;
	l->router = r->router;
	l->ndns = r->ndns;
	memcpy(l->dns, r->dns, sizeof(l->dns));
	l->prefix = r->netmask.s_addr ? dhcp_mask_prefix(r->netmask) : 24;
	l->lease_s = lease;
	l->obtained_ns = now;
	l->t1_ns = after(now, t1);
	l->t2_ns = after(now, t2);
	l->expiry_ns = after(now, lease);
	memcpy(l->server_mac, from_mac, 6);
	str_copy(l->hostname, sizeof(l->hostname), r->hostname);
	str_copy(l->domain, sizeof(l->domain), r->domain);
	c->have_lease = true;
	c->naks = 0;
	c->state = DHCP_S_BOUND;
	c->tries = 0;
	c->next_ns = l->t1_ns;
	c->ops->bound(c->ctx, l, renewed);
}

static void on_nak(struct dhcp_client *c, const struct dhcp_reply *r)
{
	uint64_t delay;

	log_warn("dhcp: server refused (NAK)%s%s", r->message[0] ? ": " : "",
		 r->message);
	lose_lease(c, "server refused the lease (NAK)");
	c->naks++;
	begin(c, DHCP_S_SELECTING);
	/* Start over at once, but slow down if a server keeps saying no. */
	delay = c->naks > 1 ? MIN(SEC << MIN(c->naks - 1, 6u), 60 * SEC) : 0;
	c->next_ns += delay;
	if (!delay)
		dhcp_client_tick(c);
}

void dhcp_client_input(struct dhcp_client *c, const struct dhcp_reply *r,
		       const uint8_t from_mac[6])
{
	bool waiting_ack = c->state == DHCP_S_REQUESTING ||
			   c->state == DHCP_S_RENEWING ||
			   c->state == DHCP_S_REBINDING ||
			   c->state == DHCP_S_REBOOTING;

	if (r->xid != c->xid || memcmp(r->chaddr, c->mac, 6))
		return; /* not an answer to us */
	if (r->type == DHCP_OFFER && c->state == DHCP_S_SELECTING) {
		memset(&c->offer, 0, sizeof(c->offer));
		c->offer.addr = r->yiaddr;
		c->offer.server = r->server_id;
		c->state = DHCP_S_REQUESTING;
		c->tries = 0;
		c->next_ns = c->now();
		dhcp_client_tick(c);
	} else if (r->type == DHCP_ACK && waiting_ack) {
		if (c->state == DHCP_S_REQUESTING &&
		    r->yiaddr.s_addr != c->offer.addr.s_addr)
			return;
		take_lease(c, r, from_mac);
	} else if (r->type == DHCP_NAK && waiting_ack) {
		struct in_addr expect = c->state == DHCP_S_REQUESTING ?
						c->offer.server : c->lease.server;
		/* A NAK naming another server is not about our lease. */
		if (r->server_id.s_addr && c->state != DHCP_S_REBOOTING &&
		    c->state != DHCP_S_REBINDING &&
		    r->server_id.s_addr != expect.s_addr)
			return;
		on_nak(c, r);
	}
}

void dhcp_client_start(struct dhcp_client *c)
{
	if (c->have_lease && c->now() < c->lease.expiry_ns)
		begin(c, DHCP_S_REBOOTING);
	else
		begin(c, DHCP_S_SELECTING);
	c->naks = 0;
	dhcp_client_tick(c);
}

void dhcp_client_assume(struct dhcp_client *c, struct in_addr addr, int prefix,
			uint32_t valid_s)
{
	uint64_t now = c->now();
	struct dhcp_lease *l = &c->lease;

	memset(l, 0, sizeof(*l));
	l->addr = addr;
	l->prefix = prefix;
	l->lease_s = valid_s;
	l->obtained_ns = now;
	/* Server and times unknown: due for renewal, rebinding by broadcast. */
	l->t1_ns = l->t2_ns = now;
	l->expiry_ns = now + (uint64_t)valid_s * SEC;
	memcpy(l->server_mac, broadcast_mac, 6);
	c->have_lease = true;
	c->state = DHCP_S_IDLE;
	c->next_ns = l->expiry_ns;
}

void dhcp_client_pause(struct dhcp_client *c)
{
	c->state = DHCP_S_IDLE;
	c->tries = 0;
	c->next_ns = c->have_lease ? c->lease.expiry_ns : 0;
}

uint64_t dhcp_client_next(const struct dhcp_client *c)
{
	return c->next_ns == NEVER ? 0 : c->next_ns;
}

void dhcp_client_release(struct dhcp_client *c)
{
	if (c->have_lease) {
		uint8_t msg[DHCP_MSG_MAX];
		struct dhcp_request r = { .type = DHCP_RELEASE, .xid = (uint32_t)rnd(c),
					  .ciaddr = c->lease.addr,
					  .server_id = c->lease.server };

		memcpy(r.mac, c->mac, 6);
		size_t len = dhcp_build(msg, &r);
		c->ops->send(c->ctx, msg, len, c->lease.addr, c->lease.server,
			     c->lease.server_mac);
		c->have_lease = false;
	}
	c->state = DHCP_S_IDLE;
	c->next_ns = 0;
}
