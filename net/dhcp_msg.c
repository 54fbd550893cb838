/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DHCP (RFC 2131/2132) messages: building our requests and parsing the
 * servers' replies. A reply comes off the wire from anyone on the LAN, so
 * every length is checked and every string is filtered. There is no
 * canonical C header for BOOTP, so the layout is spelt out here once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "net.h"

/* The fixed BOOTP header, byte offsets (RFC 2131 figure 1). */
enum {
	BOOTP_OP = 0, BOOTP_HTYPE = 1, BOOTP_HLEN = 2, BOOTP_XID = 4,
	BOOTP_SECS = 8, BOOTP_FLAGS = 10, BOOTP_CIADDR = 12, BOOTP_YIADDR = 16,
	BOOTP_CHADDR = 28, BOOTP_SNAME = 44, BOOTP_FILE = 108,
	BOOTP_COOKIE = 236, BOOTP_OPTIONS = 240,
	BOOTP_MIN_LEN = 300, /* some relays and servers drop anything shorter */
};
enum { BOOTREQUEST = 1, BOOTREPLY = 2 };
static const uint8_t dhcp_cookie[4] = { 99, 130, 83, 99 };

/* Option codes (RFC 2132). */
enum {
	OPT_PAD = 0, OPT_NETMASK = 1, OPT_ROUTER = 3, OPT_DNS = 6,
	OPT_HOSTNAME = 12, OPT_DOMAIN = 15, OPT_REQUESTED_IP = 50,
	OPT_LEASE_TIME = 51, OPT_OVERLOAD = 52, OPT_MSG_TYPE = 53,
	OPT_SERVER_ID = 54, OPT_PARAMS = 55, OPT_MESSAGE = 56, OPT_MAX_SIZE = 57,
	OPT_T1 = 58, OPT_T2 = 59, OPT_CLIENT_ID = 61, OPT_END = 255,
};

int dhcp_mask_prefix(struct in_addr mask)
{
	uint32_t m = ntohl(mask.s_addr);
	int n = 0;

	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	return (n == 32 || (m << n) == 0) ? n : -1;
}

/* A host or domain name: letters, digits, '-', '.', nothing else. */
static void copy_name(char *dst, size_t size, const uint8_t *p, size_t len)
{
	if (len == 0 || len >= size)
		return;
	for (size_t i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '.'))
			return;
	memcpy(dst, p, len);
	dst[len] = 0;
}

/* Free text for a log line: printable ASCII only. */
static void copy_text(char *dst, size_t size, const uint8_t *p, size_t len)
{
	size_t n = MIN(len, size - 1);

	for (size_t i = 0; i < n; i++)
		dst[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	dst[n] = 0;
}

static int addr_opt(struct in_addr *out, const uint8_t *v, size_t len,
		    const char *name, struct errmsg *err)
{
	if (len < 4 || len % 4)
		return errmsg_set(err, -EBADMSG, "DHCP option %s has length %zu", name,
				  len);
	memcpy(&out->s_addr, v, 4);
	return 0;
}

static int u32_opt(uint32_t *out, const uint8_t *v, size_t len,
		   const char *name, struct errmsg *err)
{
	if (len != 4)
		return errmsg_set(err, -EBADMSG, "DHCP option %s has length %zu", name,
				  len);
	*out = get_be32(v);
	return 0;
}

static int one_option(struct dhcp_reply *o, uint8_t code, const uint8_t *v,
		      size_t len, uint8_t *overload, struct errmsg *err)
{
	switch (code) {
	case OPT_MSG_TYPE:
		if (len != 1 || v[0] < DHCP_DISCOVER || v[0] > DHCP_INFORM)
			return errmsg_set(err, -EBADMSG, "bad DHCP message type option");
		o->type = (enum dhcp_type)v[0];
		return 0;
	case OPT_NETMASK:
		return len == 4 ? addr_opt(&o->netmask, v, len, "netmask", err) :
				  errmsg_set(err, -EBADMSG, "DHCP netmask has length %zu", len);
	case OPT_ROUTER:
		return addr_opt(&o->router, v, len, "router", err);
	case OPT_SERVER_ID:
		return len == 4 ? addr_opt(&o->server_id, v, len, "server-id", err) :
				  errmsg_set(err, -EBADMSG, "DHCP server id has length %zu", len);
	case OPT_DNS:
		if (len < 4 || len % 4)
			return errmsg_set(err, -EBADMSG, "DHCP option dns has length %zu",
					  len);
		for (size_t i = 0; i < len / 4 && o->ndns < DHCP_MAX_DNS; i++)
			memcpy(&o->dns[o->ndns++].s_addr, v + 4 * i, 4);
		return 0;
	case OPT_LEASE_TIME:
		return u32_opt(&o->lease_s, v, len, "lease-time", err);
	case OPT_T1:
		return u32_opt(&o->t1_s, v, len, "T1", err);
	case OPT_T2:
		return u32_opt(&o->t2_s, v, len, "T2", err);
	case OPT_HOSTNAME:
		copy_name(o->hostname, sizeof(o->hostname), v, len);
		return 0;
	case OPT_DOMAIN:
		copy_name(o->domain, sizeof(o->domain), v, len);
		return 0;
	case OPT_MESSAGE:
		copy_text(o->message, sizeof(o->message), v, len);
		return 0;
	case OPT_OVERLOAD:
		if (len != 1 || v[0] < 1 || v[0] > 3)
			return errmsg_set(err, -EBADMSG, "bad DHCP overload option");
		*overload = v[0];
		return 0;
	default:
		return 0; /* options we did not ask for are ignored */
	}
}

/* Walks one options area; @overload (option 52) only counts in the first. */
static int parse_options(struct dhcp_reply *o, const uint8_t *p, size_t len,
			 uint8_t *overload, struct errmsg *err)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i++], olen;

		if (code == OPT_END)
			return 0;
		if (code == OPT_PAD)
			continue;
		if (i >= len)
			return errmsg_set(err, -EBADMSG, "DHCP option %u cut short", code);
		olen = p[i++];
		if (olen > len - i)
			return errmsg_set(err, -EBADMSG,
					  "DHCP option %u runs past the end (%u bytes)",
					  code, olen);
		int r = one_option(o, code, p + i, olen, overload, err);
		if (r < 0)
			return r;
		i += olen;
	}
	return 0; /* a missing END is tolerated, as most clients do */
}

static int check_reply(const struct dhcp_reply *o, struct errmsg *err)
{
	if (!o->type)
		return errmsg_set(err, -EBADMSG, "not DHCP: no message type option");
	if (o->type != DHCP_OFFER && o->type != DHCP_ACK && o->type != DHCP_NAK)
		return errmsg_set(err, -EBADMSG, "DHCP message type %d from a server",
				  o->type);
	if (o->type == DHCP_NAK)
		return 0;
	if (!o->server_id.s_addr)
		return errmsg_set(err, -EBADMSG, "DHCP reply without a server id");
	uint32_t y = ntohl(o->yiaddr.s_addr);
	if (!y || y >= 0xe0000000u || (y >> 24) == 127 || (y >> 24) == 0)
		return errmsg_set(err, -EBADMSG, "DHCP reply offers a bad address");
	if (o->netmask.s_addr && dhcp_mask_prefix(o->netmask) < 0)
		return errmsg_set(err, -EBADMSG, "DHCP reply has a netmask with holes");
	return 0;
}

int dhcp_parse(const uint8_t *p, size_t len, struct dhcp_reply *o,
	       struct errmsg *err)
{
	uint8_t overload = 0, ignored = 0;
	int r;

	memset(o, 0, sizeof(*o));
	if (len < BOOTP_OPTIONS)
		return errmsg_set(err, -EBADMSG, "DHCP message too short (%zu bytes)",
				  len);
	if (p[BOOTP_OP] != BOOTREPLY || p[BOOTP_HTYPE] != 1 || p[BOOTP_HLEN] != 6)
		return errmsg_set(err, -EBADMSG, "not a BOOTP reply for Ethernet");
	if (memcmp(p + BOOTP_COOKIE, dhcp_cookie, 4))
		return errmsg_set(err, -EBADMSG, "no DHCP magic cookie");
	o->xid = get_be32(p + BOOTP_XID);
	memcpy(o->chaddr, p + BOOTP_CHADDR, 6);
	memcpy(&o->yiaddr.s_addr, p + BOOTP_YIADDR, 4);
	r = parse_options(o, p + BOOTP_OPTIONS, len - BOOTP_OPTIONS, &overload, err);
	if (r >= 0 && (overload & 1))
		r = parse_options(o, p + BOOTP_FILE, 128, &ignored, err);
	if (r >= 0 && (overload & 2))
		r = parse_options(o, p + BOOTP_SNAME, 64, &ignored, err);
	return r < 0 ? r : check_reply(o, err);
}

static uint8_t *put_opt(uint8_t *q, uint8_t code, const void *v, size_t len)
{
	*q++ = code;
	*q++ = (uint8_t)len;
	memcpy(q, v, len);
	return q + len;
}

size_t dhcp_build(uint8_t *buf, const struct dhcp_request *r)
{
	static const uint8_t params[] = { OPT_NETMASK, OPT_ROUTER, OPT_DNS,
					  OPT_HOSTNAME, OPT_DOMAIN, OPT_LEASE_TIME,
					  OPT_T1, OPT_T2 };
	uint8_t type = (uint8_t)r->type, cid[7] = { 1 }, maxsz[2];
	uint8_t *q = buf + BOOTP_OPTIONS;
	size_t len;

	memset(buf, 0, DHCP_MSG_MAX);
	buf[BOOTP_OP] = BOOTREQUEST;
	buf[BOOTP_HTYPE] = 1;
	buf[BOOTP_HLEN] = 6;
	put_be32(buf + BOOTP_XID, r->xid);
	put_be16(buf + BOOTP_SECS, r->secs);
	memcpy(buf + BOOTP_CIADDR, &r->ciaddr.s_addr, 4);
	memcpy(buf + BOOTP_CHADDR, r->mac, 6);
	memcpy(buf + BOOTP_COOKIE, dhcp_cookie, 4);
	q = put_opt(q, OPT_MSG_TYPE, &type, 1);
	memcpy(cid + 1, r->mac, 6);
	q = put_opt(q, OPT_CLIENT_ID, cid, sizeof(cid));
	if (r->requested.s_addr)
		q = put_opt(q, OPT_REQUESTED_IP, &r->requested.s_addr, 4);
	if (r->server_id.s_addr)
		q = put_opt(q, OPT_SERVER_ID, &r->server_id.s_addr, 4);
	if (r->type != DHCP_RELEASE && r->type != DHCP_DECLINE) {
		size_t hl = r->hostname ? strnlen(r->hostname, 63) : 0;

		if (hl)
			q = put_opt(q, OPT_HOSTNAME, r->hostname, hl);
		put_be16(maxsz, DHCP_MSG_MAX);
		q = put_opt(q, OPT_MAX_SIZE, maxsz, 2);
		q = put_opt(q, OPT_PARAMS, params, sizeof(params));
	}
	*q++ = OPT_END;
	len = (size_t)(q - buf);
	return len < BOOTP_MIN_LEN ? BOOTP_MIN_LEN : len;
}
