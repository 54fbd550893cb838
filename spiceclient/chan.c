/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A SPICE channel: TCP connect, the link handshake with capability
 * negotiation and ticket authentication (RSA-OAEP of the password with
 * the server's key), then message framing (mini or full headers), acks
 * and pings.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "spiceclient/chan.h"

#define LINK_TIMEOUT_MS 10000

static const char *chan_name(uint8_t type)
{
	switch (type) {
	case SPICE_CHANNEL_MAIN: return "main";
	case SPICE_CHANNEL_DISPLAY: return "display";
	case SPICE_CHANNEL_INPUTS: return "inputs";
	case SPICE_CHANNEL_CURSOR: return "cursor";
	}
	return "other";
}

static int tcp_connect(const struct spice_url *u, int *end, struct errmsg *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int rc = getaddrinfo(u->host, u->port, &hints, &res), fd = -1, last = 0;

	if (rc) {
		*end = SPICE_END_UNREACHABLE;
		return errmsg_set(err, -EHOSTUNREACH, "%s: %s", u->host, gai_strerror(rc));
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			struct pollfd p = { fd, POLLOUT, 0 };
			socklen_t sl = sizeof(last);
			if (poll(&p, 1, LINK_TIMEOUT_MS) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &last, &sl) == 0 && !last)
				break;
			if (!last)
				last = ETIMEDOUT;
		} else {
			last = errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		*end = SPICE_END_UNREACHABLE;
		return errmsg_set(err, -(last ? last : EHOSTUNREACH), "cannot reach %s:%s: %s",
				  u->host, u->port, strerror(last ? last : EHOSTUNREACH));
	}
	/* Small messages (keys, acks) go at once; a server that vanished
	 * without closing (power loss, cable) is noticed within ~25 s. */
	int one = 1, idle = 10, intvl = 5, cnt = 3;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	return fd;
}

/* Reads exactly @len bytes within the link timeout. */
static int recv_exact(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pf = { fd, POLLIN, 0 };
		int n = poll(&pf, 1, LINK_TIMEOUT_MS);
		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ssize_t r = recv(fd, p, len, 0);
		if (r == 0)
			return -EPIPE;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pf = { fd, POLLOUT, 0 };
				if (poll(&pf, 1, LINK_TIMEOUT_MS) <= 0)
					return -ETIMEDOUT;
				continue;
			}
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static const char *link_err_str(uint32_t e)
{
	switch (e) {
	case SPICE_LINK_ERR_INVALID_MAGIC: return "invalid magic";
	case SPICE_LINK_ERR_INVALID_DATA: return "invalid data";
	case SPICE_LINK_ERR_VERSION_MISMATCH: return "protocol version mismatch";
	case SPICE_LINK_ERR_NEED_SECURED: return "the server requires TLS, which kvmbox does not speak";
	case SPICE_LINK_ERR_NEED_UNSECURED: return "the server requires an unsecured channel";
	case SPICE_LINK_ERR_PERMISSION_DENIED: return "wrong password (permission denied)";
	case SPICE_LINK_ERR_BAD_CONNECTION_ID: return "bad connection id";
	case SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE: return "channel not available";
	}
	return "link error";
}

static int link_error(uint32_t e, const char *ch, int *end, struct errmsg *err)
{
	*end = e == SPICE_LINK_ERR_PERMISSION_DENIED ? SPICE_END_AUTH :
	       e == SPICE_LINK_ERR_VERSION_MISMATCH ? SPICE_END_VERSION :
	       SPICE_END_ERROR;
	return errmsg_set(err, *end == SPICE_END_AUTH ? -EACCES : -EPROTO,
			  "%s channel: server refused: %s", ch, link_err_str(e));
}

static bool has_cap(const uint8_t *caps, uint32_t n, unsigned bit)
{
	return bit / 32 < n && get_le32(caps + 4 * (bit / 32)) >> (bit % 32) & 1;
}

/* Sends SpiceLinkHeader + SpiceLinkMess + our capabilities. */
static int send_link(struct chan *c, uint32_t connection_id,
		     const uint32_t *caps, unsigned ncaps)
{
	uint8_t pkt[sizeof(SpiceLinkHeader) + sizeof(SpiceLinkMess) + 4 * 9];
	SpiceLinkHeader h;
	SpiceLinkMess m;
	uint32_t common = 1u << SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION |
			  1u << SPICE_COMMON_CAP_AUTH_SPICE |
			  1u << SPICE_COMMON_CAP_MINI_HEADER;
	size_t body = sizeof(m) + 4 * (1 + ncaps);

	if (ncaps > 8)
		return -EINVAL;
	put_le32(&h.magic, SPICE_MAGIC);
	put_le32(&h.major_version, SPICE_VERSION_MAJOR);
	put_le32(&h.minor_version, SPICE_VERSION_MINOR);
	put_le32(&h.size, (uint32_t)body);
	put_le32(&m.connection_id, connection_id);
	m.channel_type = c->type;
	m.channel_id = c->id;
	put_le32(&m.num_common_caps, 1);
	put_le32(&m.num_channel_caps, ncaps);
	put_le32(&m.caps_offset, sizeof(m));
	memcpy(pkt, &h, sizeof(h));
	memcpy(pkt + sizeof(h), &m, sizeof(m));
	put_le32(pkt + sizeof(h) + sizeof(m), common);
	for (unsigned i = 0; i < ncaps; i++)
		put_le32(pkt + sizeof(h) + sizeof(m) + 4 * (1 + i), caps[i]);
	return send_all(c->fd, pkt, sizeof(h) + body);
}

/* Reads the server's SpiceLinkReply; fills @key and whether mini headers. */
static int recv_link_reply(struct chan *c, struct rsa_pubkey *key,
			   bool *auth_select, int *end, struct errmsg *err)
{
	SpiceLinkHeader h;
	uint8_t body[4096];
	int rc = recv_exact(c->fd, &h, sizeof(h));

	if (rc < 0) {
		*end = SPICE_END_ERROR;
		return errmsg_set(err, rc, "%s channel: no link reply: %s", c->name, err_str(rc));
	}
	if (get_le32(&h.magic) != SPICE_MAGIC) {
		*end = SPICE_END_VERSION;
		return errmsg_set(err, -EPROTO, "%s channel: not a SPICE server (bad magic)", c->name);
	}
	if (get_le32(&h.major_version) != SPICE_VERSION_MAJOR) {
		*end = SPICE_END_VERSION;
		return errmsg_set(err, -EPROTO, "%s channel: server speaks SPICE %u.%u, kvmbox speaks %u.x",
				  c->name, get_le32(&h.major_version), get_le32(&h.minor_version),
				  SPICE_VERSION_MAJOR);
	}
	uint32_t size = get_le32(&h.size);
	if (size < 4 || size > sizeof(body)) {
		*end = SPICE_END_ERROR;
		return errmsg_set(err, -EPROTO, "%s channel: link reply of %u bytes", c->name, size);
	}
	if ((rc = recv_exact(c->fd, body, size)) < 0) {
		*end = SPICE_END_ERROR;
		return errmsg_set(err, rc, "%s channel: short link reply", c->name);
	}
	uint32_t error = get_le32(body);
	if (error != SPICE_LINK_ERR_OK)
		return link_error(error, c->name, end, err);
	if (size < sizeof(SpiceLinkReply)) {
		*end = SPICE_END_ERROR;
		return errmsg_set(err, -EPROTO, "%s channel: short link reply", c->name);
	}
	const SpiceLinkReply *r = (const SpiceLinkReply *)body;
	uint32_t ncommon = get_le32(&r->num_common_caps), nchan = get_le32(&r->num_channel_caps);
	uint32_t off = get_le32(&r->caps_offset);
	if (ncommon > 64 || nchan > 64 || off > size || (ncommon + nchan) * 4 > size - off) {
		*end = SPICE_END_ERROR;
		return errmsg_set(err, -EPROTO, "%s channel: bad capabilities in link reply", c->name);
	}
	/* caps_offset counts from the start of SpiceLinkReply. */
	const uint8_t *caps = body + off;
	c->mini = has_cap(caps, ncommon, SPICE_COMMON_CAP_MINI_HEADER);
	*auth_select = has_cap(caps, ncommon, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
	rc = rsa_pubkey_from_der(r->pub_key, sizeof(r->pub_key), key, err);
	if (rc < 0)
		*end = SPICE_END_ERROR;
	return rc;
}

static int send_ticket(struct chan *c, const struct rsa_pubkey *key,
		       const char *password, bool auth_select, int *end,
		       struct errmsg *err)
{
	uint8_t seed[SHA1_LEN], ct[BN_MAX_BYTES], ticket[SPICE_MAX_PASSWORD_LENGTH + 1] = { 0 };
	size_t len = password ? strlen(password) : 0;
	int rc;

	*end = SPICE_END_ERROR;
	if (len > SPICE_MAX_PASSWORD_LENGTH) {
		*end = SPICE_END_AUTH;
		return errmsg_set(err, -E2BIG, "password longer than %d bytes", SPICE_MAX_PASSWORD_LENGTH);
	}
	memcpy(ticket, password ? password : "", len);
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		return errmsg_set(err, -EIO, "no random numbers for the ticket");
	/* The ticket is the password with its terminating NUL. */
	if ((rc = rsa_oaep_encrypt(key, ticket, len + 1, seed, ct)) < 0)
		return errmsg_set(err, rc, "%s channel: cannot encrypt the ticket", c->name);
	if (auth_select) {
		uint8_t mech[4];
		put_le32(mech, SPICE_COMMON_CAP_AUTH_SPICE);
		if ((rc = send_all(c->fd, mech, 4)) < 0)
			return errmsg_set(err, rc, "%s channel: send: %s", c->name, err_str(rc));
	}
	if ((rc = send_all(c->fd, ct, key->n_len)) < 0)
		return errmsg_set(err, rc, "%s channel: send: %s", c->name, err_str(rc));
	uint8_t res[4];
	if ((rc = recv_exact(c->fd, res, 4)) < 0)
		return errmsg_set(err, rc, "%s channel: no answer to the ticket: %s", c->name, err_str(rc));
	if (get_le32(res) != SPICE_LINK_ERR_OK)
		return link_error(get_le32(res), c->name, end, err);
	return 0;
}

int chan_link(struct chan *c, const struct spice_url *u, uint8_t type,
	      uint8_t id, uint32_t connection_id, const char *password,
	      const uint32_t *caps, unsigned ncaps, uint32_t *out_connection_id,
	      int *end, struct errmsg *err)
{
	struct rsa_pubkey key;
	bool auth_select = false;
	int rc;

	(void)out_connection_id;
	memset(c, 0, sizeof(*c));
	buf_init(&c->rx);
	c->type = type;
	c->id = id;
	c->name = chan_name(type);
	c->out_serial = 1;
	c->fd = tcp_connect(u, end, err);
	if (c->fd < 0)
		return c->fd;
	rc = send_link(c, connection_id, caps, ncaps);
	if (rc < 0) {
		*end = SPICE_END_ERROR;
		errmsg_set(err, rc, "%s channel: send: %s", c->name, err_str(rc));
		goto fail;
	}
	if ((rc = recv_link_reply(c, &key, &auth_select, end, err)) < 0)
		goto fail;
	if ((rc = send_ticket(c, &key, password, auth_select, end, err)) < 0)
		goto fail;
	return 0;
fail:
	chan_close(c);
	return rc;
}

void chan_close(struct chan *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_free(&c->rx);
}

int chan_send(struct chan *c, uint16_t type, const void *body, size_t len)
{
	uint8_t hdr[sizeof(SpiceDataHeader)];
	size_t hl;

	if (c->mini) {
		put_le16(hdr, type);
		put_le32(hdr + 2, (uint32_t)len);
		hl = sizeof(SpiceMiniDataHeader);
	} else {
		put_le64(hdr, c->out_serial++);
		put_le16(hdr + 8, type);
		put_le32(hdr + 10, (uint32_t)len);
		put_le32(hdr + 14, 0);
		hl = sizeof(SpiceDataHeader);
	}
	uint8_t pkt[256];
	if (hl + len <= sizeof(pkt)) { /* one segment for small messages */
		memcpy(pkt, hdr, hl);
		memcpy(pkt + hl, body, len);
		return send_all(c->fd, pkt, hl + len);
	}
	int rc = send_all(c->fd, hdr, hl);
	return rc < 0 ? rc : send_all(c->fd, body, len);
}

int chan_fill(struct chan *c, struct errmsg *err)
{
	for (int round = 0; round < 64; round++) {
		int rc = buf_reserve(&c->rx, 256 * 1024);
		if (rc < 0)
			return errmsg_set(err, rc, "%s channel: no memory", c->name);
		ssize_t n = recv(c->fd, c->rx.data + c->rx.len, c->rx.cap - c->rx.len,
				 MSG_DONTWAIT);
		if (n == 0)
			return errmsg_set(err, -EPIPE, "%s channel: the server closed the connection",
					  c->name);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return errmsg_set(err, -errno, "%s channel: %s", c->name, strerror(errno));
		}
		c->rx.len += (size_t)n;
	}
	return 0;
}

int chan_next(struct chan *c, struct chan_msg *m, size_t *consumed,
	      struct errmsg *err)
{
	size_t hl = c->mini ? sizeof(SpiceMiniDataHeader) : sizeof(SpiceDataHeader);
	const uint8_t *p = c->rx.data;
	uint32_t size;

	if (c->rx.len < hl)
		return 0;
	if (c->mini) {
		m->type = get_le16(p);
		size = get_le32(p + 2);
	} else {
		m->type = get_le16(p + 8);
		size = get_le32(p + 10);
	}
	if (size > CHAN_MAX_MSG)
		return errmsg_set(err, -EBADMSG, "%s channel: message of %u bytes", c->name, size);
	if (c->rx.len - hl < size)
		return 0;
	m->body = p + hl;
	m->len = size;
	*consumed = hl + size;
	return 1;
}

int chan_common(struct chan *c, const struct chan_msg *m, struct errmsg *err)
{
	uint8_t out[12];

	if (c->ack_window && ++c->ack_count >= c->ack_window) {
		c->ack_count = 0;
		if (chan_send(c, SPICE_MSGC_ACK, NULL, 0) < 0)
			return errmsg_set(err, -EPIPE, "%s channel: cannot send ack", c->name);
	}
	switch (m->type) {
	case SPICE_MSG_SET_ACK:
		if (m->len < 8)
			return errmsg_set(err, -EBADMSG, "%s channel: short set_ack", c->name);
		c->ack_window = get_le32(m->body + 4);
		c->ack_count = 0;
		memcpy(out, m->body, 4); /* generation */
		return chan_send(c, SPICE_MSGC_ACK_SYNC, out, 4) < 0 ?
		       errmsg_set(err, -EPIPE, "%s channel: cannot send ack_sync", c->name) : 1;
	case SPICE_MSG_PING:
		if (m->len < 12)
			return errmsg_set(err, -EBADMSG, "%s channel: short ping", c->name);
		memcpy(out, m->body, 12);
		return chan_send(c, SPICE_MSGC_PONG, out, 12) < 0 ?
		       errmsg_set(err, -EPIPE, "%s channel: cannot send pong", c->name) : 1;
	case SPICE_MSG_NOTIFY:
		if (m->len >= 24) {
			uint32_t n = get_le32(m->body + 20);
			if (n <= m->len - 24)
				log_info("spice server: %.*s", (int)MIN(n, 200u), m->body + 24);
		}
		return 1;
	case SPICE_MSG_DISCONNECTING:
		return errmsg_set(err, -EPIPE, "%s channel: the server is disconnecting", c->name);
	case SPICE_MSG_MIGRATE:
	case SPICE_MSG_MIGRATE_DATA:
	case SPICE_MSG_WAIT_FOR_CHANNELS:
	case SPICE_MSG_LIST:
		return 1;
	}
	return 0;
}
