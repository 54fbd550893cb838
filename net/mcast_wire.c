/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The multicast deployment's packets (net/MCAST.md): building them and
 * checking every field of what arrives, which may come from anyone on the
 * LAN. Also the file's geometry (chunks, packets) both ends agree on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "net.h"

#define ANNOUNCE_LEN 72 /* fixed part; the manifest piece follows */
#define DATA_LEN 28
#define ROUND_LEN 24
#define END_LEN 20
#define NAK_LEN 36
#define STATUS_LEN 48

static int bad(struct errmsg *err, const char *what, size_t len)
{
	return errmsg_set(err, -EBADMSG, "multicast packet of %zu bytes: %s",
			  len, what);
}

static int parse_announce(const uint8_t *p, size_t len, struct mcast_pkt *m,
			  struct errmsg *err)
{
	if (len < ANNOUNCE_LEN)
		return bad(err, "announce too short", len);
	m->announce.file_size = get_le64(p + 16);
	m->announce.chunk_size = get_le32(p + 24);
	m->announce.payload = get_le16(p + 28);
	m->announce.manifest_len = get_le32(p + 32);
	memcpy(m->announce.manifest_digest, p + 36, 32);
	m->announce.piece_off = get_le32(p + 68);
	m->announce.piece = p + ANNOUNCE_LEN;
	m->announce.piece_len = (uint16_t)MIN(len - ANNOUNCE_LEN, 65535u);
	if (len - ANNOUNCE_LEN > 65535)
		return bad(err, "announce too long", len);
	if (get_le16(p + 30))
		return bad(err, "announce with reserved bits set", len);
	if (!m->announce.file_size || !m->announce.chunk_size ||
	    m->announce.chunk_size > MCAST_MAX_CHUNK)
		return bad(err, "announce with a bad file or chunk size", len);
	if (!m->announce.payload ||
	    m->announce.payload > MCAST_MAX_PKT - DATA_LEN)
		return bad(err, "announce with a bad payload size", len);
	if (!m->announce.manifest_len ||
	    m->announce.manifest_len > MCAST_MAX_MANIFEST ||
	    m->announce.piece_off > m->announce.manifest_len ||
	    m->announce.manifest_len - m->announce.piece_off <
		    m->announce.piece_len)
		return bad(err, "announce piece outside the manifest", len);
	return 0;
}

static int parse_body(const uint8_t *p, size_t len, struct mcast_pkt *m,
		      struct errmsg *err)
{
	switch (m->type) {
	case MCAST_ANNOUNCE:
		return parse_announce(p, len, m, err);
	case MCAST_DATA:
		if (len <= DATA_LEN || len - DATA_LEN > MCAST_MAX_PKT)
			return bad(err, "data of a bad length", len);
		m->data.seq = get_le32(p + 16);
		m->data.chunk = get_le32(p + 20);
		m->data.offset = get_le32(p + 24);
		m->data.data = p + DATA_LEN;
		m->data.len = (uint16_t)(len - DATA_LEN);
		return 0;
	case MCAST_ROUND:
		if (len != ROUND_LEN)
			return bad(err, "round of a bad length", len);
		m->round.pass = get_le32(p + 16);
		m->round.seq = get_le32(p + 20);
		return 0;
	case MCAST_END:
		if (len != END_LEN)
			return bad(err, "end of a bad length", len);
		m->round.pass = get_le32(p + 16);
		m->round.seq = 0;
		return 0;
	case MCAST_NAK:
		if (len <= NAK_LEN)
			return bad(err, "NAK too short", len);
		m->nak.receiver = get_le32(p + 16);
		m->nak.pass = get_le32(p + 20);
		m->nak.first = get_le64(p + 24);
		m->nak.nbits = get_le32(p + 32);
		m->nak.bits = p + NAK_LEN;
		if (!m->nak.nbits || (m->nak.nbits + 7ull) / 8 != len - NAK_LEN)
			return bad(err, "NAK bitmap of a bad length", len);
		if (m->nak.first > UINT64_MAX - m->nak.nbits)
			return bad(err, "NAK range overflows", len);
		return 0;
	case MCAST_STATUS:
		if (len != STATUS_LEN)
			return bad(err, "status of a bad length", len);
		m->status.receiver = get_le32(p + 16);
		m->status.pass = get_le32(p + 20);
		m->status.flags = get_le32(p + 24);
		m->status.got = get_le32(p + 28);
		m->status.expected = get_le32(p + 32);
		m->status.missing = get_le64(p + 36);
		m->status.last_seq = get_le32(p + 44);
		return 0;
	}
	return bad(err, "unknown type", len);
}

int mcast_pkt_parse(const uint8_t *p, size_t len, struct mcast_pkt *m,
		    struct errmsg *err)
{
	memset(m, 0, sizeof(*m));
	if (len < MCAST_HDR_LEN)
		return bad(err, "shorter than a header", len);
	if (get_le32(p) != MCAST_MAGIC)
		return bad(err, "not a kvmbox packet (magic)", len);
	if (p[4] != MCAST_VERSION)
		return bad(err, "unknown version", len);
	if (get_le16(p + 6))
		return bad(err, "reserved bits set", len);
	m->type = p[5];
	m->session = get_le64(p + 8);
	return parse_body(p, len, m, err);
}

static size_t build_body(uint8_t *b, size_t size, const struct mcast_pkt *m)
{
	switch (m->type) {
	case MCAST_ANNOUNCE:
		if (size < ANNOUNCE_LEN + (size_t)m->announce.piece_len)
			return 0;
		put_le64(b + 16, m->announce.file_size);
		put_le32(b + 24, m->announce.chunk_size);
		put_le16(b + 28, m->announce.payload);
		put_le16(b + 30, 0);
		put_le32(b + 32, m->announce.manifest_len);
		memcpy(b + 36, m->announce.manifest_digest, 32);
		put_le32(b + 68, m->announce.piece_off);
		memcpy(b + ANNOUNCE_LEN, m->announce.piece, m->announce.piece_len);
		return ANNOUNCE_LEN + (size_t)m->announce.piece_len;
	case MCAST_DATA:
		if (size < DATA_LEN + (size_t)m->data.len)
			return 0;
		put_le32(b + 16, m->data.seq);
		put_le32(b + 20, m->data.chunk);
		put_le32(b + 24, m->data.offset);
		if (!m->data.data) /* the payload follows by scatter-gather */
			return DATA_LEN;
		memcpy(b + DATA_LEN, m->data.data, m->data.len);
		return DATA_LEN + (size_t)m->data.len;
	case MCAST_ROUND:
	case MCAST_END:
		if (size < ROUND_LEN)
			return 0;
		put_le32(b + 16, m->round.pass);
		if (m->type == MCAST_END)
			return END_LEN;
		put_le32(b + 20, m->round.seq);
		return ROUND_LEN;
	case MCAST_NAK: {
		size_t n = (m->nak.nbits + 7ull) / 8;

		if (!m->nak.nbits || size < NAK_LEN || size - NAK_LEN < n)
			return 0;
		put_le32(b + 16, m->nak.receiver);
		put_le32(b + 20, m->nak.pass);
		put_le64(b + 24, m->nak.first);
		put_le32(b + 32, m->nak.nbits);
		memcpy(b + NAK_LEN, m->nak.bits, n);
		return NAK_LEN + n;
	}
	case MCAST_STATUS:
		if (size < STATUS_LEN)
			return 0;
		put_le32(b + 16, m->status.receiver);
		put_le32(b + 20, m->status.pass);
		put_le32(b + 24, m->status.flags);
		put_le32(b + 28, m->status.got);
		put_le32(b + 32, m->status.expected);
		put_le64(b + 36, m->status.missing);
		put_le32(b + 44, m->status.last_seq);
		return STATUS_LEN;
	}
	return 0;
}

size_t mcast_pkt_build(uint8_t *b, size_t size, const struct mcast_pkt *m)
{
	if (size < MCAST_HDR_LEN)
		return 0;
	put_le32(b, MCAST_MAGIC);
	b[4] = MCAST_VERSION;
	b[5] = (uint8_t)m->type;
	put_le16(b + 6, 0);
	put_le64(b + 8, m->session);
	return build_body(b, size, m);
}

int mcast_geometry_init(struct mcast_geometry *g, uint64_t file_size,
			uint32_t chunk_size, uint16_t payload)
{
	memset(g, 0, sizeof(*g));
	if (!file_size || !chunk_size || chunk_size > MCAST_MAX_CHUNK ||
	    !payload || payload > MCAST_MAX_PKT - DATA_LEN)
		return -EINVAL;
	g->file_size = file_size;
	g->chunk_size = chunk_size;
	g->payload = payload;
	g->nchunks = (file_size + chunk_size - 1) / chunk_size;
	/* Chunk indexes travel as 32 bits. */
	if (g->nchunks > UINT32_MAX)
		return -EINVAL;
	g->chunk_pkts = (chunk_size + payload - 1) / payload;
	g->npkts = (g->nchunks - 1) * g->chunk_pkts +
		   (mcast_chunk_len(g, g->nchunks - 1) + payload - 1) / payload;
	return 0;
}

uint32_t mcast_chunk_len(const struct mcast_geometry *g, uint64_t chunk)
{
	uint64_t start = chunk * g->chunk_size;

	if (start >= g->file_size)
		return 0;
	return (uint32_t)MIN((uint64_t)g->chunk_size, g->file_size - start);
}

uint64_t mcast_pkt_index(const struct mcast_geometry *g, uint64_t chunk,
			 uint32_t offset)
{
	return chunk * g->chunk_pkts + offset / g->payload;
}

void mcast_pkt_where(const struct mcast_geometry *g, uint64_t index,
		     uint64_t *chunk, uint32_t *offset, uint32_t *len)
{
	uint64_t c = index / g->chunk_pkts;
	uint32_t off = (uint32_t)(index % g->chunk_pkts) * g->payload;
	uint32_t clen = mcast_chunk_len(g, c);

	*chunk = c;
	*offset = off;
	*len = off < clen ? MIN((uint32_t)g->payload, clen - off) : 0;
}

int mcast_addr_parse(const char *s, struct mcast_addr *a, struct errmsg *err)
{
	char host[32];
	const char *colon = strrchr(s, ':');
	size_t hl = colon ? (size_t)(colon - s) : strlen(s);
	uint64_t port = MCAST_DEFAULT_PORT;

	if (hl >= sizeof(host))
		return errmsg_set(err, -EINVAL, "bad multicast group '%s'", s);
	memcpy(host, s, hl);
	host[hl] = 0;
	if (!hl)
		str_copy(host, sizeof(host), MCAST_DEFAULT_GROUP);
	if (colon && parse_u64(colon + 1, 1, 65535, &port) < 0)
		return errmsg_set(err, -EINVAL, "bad port in '%s'", s);
	if (inet_pton(AF_INET, host, &a->group) != 1 ||
	    !IN_MULTICAST(ntohl(a->group.s_addr)))
		return errmsg_set(err, -EINVAL,
				  "'%s' is not an IPv4 multicast address", host);
	a->port = (uint16_t)port;
	return 0;
}
