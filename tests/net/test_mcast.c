/* SPDX-License-Identifier: GPL-2.0-only */
/* Multicast deployment: packet format, geometry, rate control. */
#include <errno.h>
#include <string.h>

#include "net/net.h"
#include "tests/harness.h"

static size_t build(uint8_t *buf, const struct mcast_pkt *m)
{
	size_t n = mcast_pkt_build(buf, MCAST_MAX_PKT, m);

	CHECK(n >= MCAST_HDR_LEN);
	return n;
}

TEST(mcast_data_roundtrip)
{
	uint8_t buf[MCAST_MAX_PKT], payload[1444];
	struct mcast_pkt m = { .type = MCAST_DATA, .session = 0x1122334455667788ull }, p;

	memset(payload, 0xab, sizeof(payload));
	m.data.seq = 7;
	m.data.chunk = 3;
	m.data.offset = 2 * 1444;
	m.data.data = payload;
	m.data.len = sizeof(payload);
	size_t n = build(buf, &m);
	CHECK_EQ(n, 28 + sizeof(payload));
	CHECK_EQ(mcast_pkt_parse(buf, n, &p, NULL), 0);
	CHECK_EQ(p.type, MCAST_DATA);
	CHECK(p.session == m.session);
	CHECK_EQ(p.data.seq, 7);
	CHECK_EQ(p.data.chunk, 3);
	CHECK_EQ(p.data.offset, 2 * 1444);
	CHECK_EQ(p.data.len, sizeof(payload));
	CHECK_MEM(p.data.data, payload, sizeof(payload));
	/* Without data: the header alone, for scatter-gather sending. */
	m.data.data = NULL;
	CHECK_EQ(mcast_pkt_build(buf, sizeof(buf), &m), 28);
}

TEST(mcast_control_roundtrip)
{
	uint8_t buf[MCAST_MAX_PKT], bits[3] = { 0x81, 0, 0x04 }, text[100];
	struct mcast_pkt m = { .session = 42 }, p;
	size_t n;

	memset(text, 'x', sizeof(text));
	m.type = MCAST_ANNOUNCE;
	m.announce.file_size = 5000000;
	m.announce.chunk_size = 1 << 20;
	m.announce.payload = 1444;
	m.announce.manifest_len = 300;
	m.announce.manifest_digest[5] = 9;
	m.announce.piece_off = 200;
	m.announce.piece = text;
	m.announce.piece_len = 100;
	n = build(buf, &m);
	CHECK_EQ(mcast_pkt_parse(buf, n, &p, NULL), 0);
	CHECK(p.announce.file_size == 5000000);
	CHECK_EQ(p.announce.piece_off, 200);
	CHECK_EQ(p.announce.piece_len, 100);
	CHECK_EQ(p.announce.manifest_digest[5], 9);
	/* A piece past the end of the manifest is refused. */
	put_le32(buf + 32, 250);
	struct errmsg err;
	CHECK_EQ(mcast_pkt_parse(buf, n, &p, &err), -EBADMSG);
	CHECK(strstr(err.msg, "outside the manifest"));

	m = (struct mcast_pkt){ .type = MCAST_NAK, .session = 42 };
	m.nak.receiver = 99;
	m.nak.pass = 2;
	m.nak.first = 1000;
	m.nak.nbits = 19;
	m.nak.bits = bits;
	n = build(buf, &m);
	CHECK_EQ(n, 36 + 3);
	CHECK_EQ(mcast_pkt_parse(buf, n, &p, NULL), 0);
	CHECK_EQ(p.nak.receiver, 99);
	CHECK_EQ(p.nak.nbits, 19);
	CHECK(p.nak.first == 1000);
	CHECK_EQ(p.nak.bits[2], 4);
	/* A bitmap whose length does not match nbits. */
	CHECK_EQ(mcast_pkt_parse(buf, n - 1, &p, NULL), -EBADMSG);

	m = (struct mcast_pkt){ .type = MCAST_STATUS, .session = 42 };
	m.status.receiver = 5;
	m.status.flags = MCAST_ST_DONE;
	m.status.got = 90;
	m.status.expected = 100;
	m.status.missing = 1ull << 40;
	m.status.last_seq = 123456;
	n = build(buf, &m);
	CHECK_EQ(n, 48);
	CHECK_EQ(mcast_pkt_parse(buf, n, &p, NULL), 0);
	CHECK_EQ(p.status.expected, 100);
	CHECK_EQ(p.status.last_seq, 123456);
	CHECK(p.status.missing == 1ull << 40);

	m = (struct mcast_pkt){ .type = MCAST_END, .session = 42 };
	m.round.pass = 4;
	n = build(buf, &m);
	CHECK_EQ(n, 20);
	CHECK_EQ(mcast_pkt_parse(buf, n, &p, NULL), 0);
	CHECK_EQ(p.type, MCAST_END);
	CHECK_EQ(p.round.pass, 4);
}

TEST(mcast_rejects_bad_headers)
{
	uint8_t buf[64] = { 0 };
	struct mcast_pkt m = { .type = MCAST_ROUND, .session = 1 }, p;
	struct errmsg err;
	size_t n = mcast_pkt_build(buf, sizeof(buf), &m);

	CHECK_EQ(n, 24);
	CHECK_EQ(mcast_pkt_parse(buf, n, &p, NULL), 0);
	for (size_t len = 0; len < n; len++)
		CHECK_EQ(mcast_pkt_parse(buf, len, &p, NULL), -EBADMSG);
	buf[0] ^= 1; /* magic */
	CHECK_EQ(mcast_pkt_parse(buf, n, &p, &err), -EBADMSG);
	CHECK(strstr(err.msg, "magic"));
	buf[0] ^= 1;
	buf[4] = 2; /* version */
	CHECK_EQ(mcast_pkt_parse(buf, n, &p, NULL), -EBADMSG);
	buf[4] = 1;
	buf[5] = 77; /* type */
	CHECK_EQ(mcast_pkt_parse(buf, n, &p, &err), -EBADMSG);
	CHECK(strstr(err.msg, "unknown type"));
	buf[5] = MCAST_ROUND;
	buf[6] = 1; /* reserved */
	CHECK_EQ(mcast_pkt_parse(buf, n, &p, NULL), -EBADMSG);
	/* Too small a buffer to build into. */
	CHECK_EQ(mcast_pkt_build(buf, 20, &m), 0);
}

TEST(mcast_geometry)
{
	struct mcast_geometry g;
	uint64_t chunk;
	uint32_t off, len;

	/* 2.5 chunks of 10000 bytes, 1000-byte packets (the last short). */
	CHECK_EQ(mcast_geometry_init(&g, 25500, 10000, 1000), 0);
	CHECK(g.nchunks == 3);
	CHECK_EQ(g.chunk_pkts, 10);
	CHECK(g.npkts == 26);
	CHECK_EQ(mcast_chunk_len(&g, 2), 5500);
	CHECK_EQ(mcast_chunk_len(&g, 3), 0);
	CHECK(mcast_pkt_index(&g, 2, 5000) == 25);
	mcast_pkt_where(&g, 25, &chunk, &off, &len);
	CHECK(chunk == 2);
	CHECK_EQ(off, 5000);
	CHECK_EQ(len, 500);
	mcast_pkt_where(&g, 13, &chunk, &off, &len);
	CHECK(chunk == 1);
	CHECK_EQ(off, 3000);
	CHECK_EQ(len, 1000);
	/* Every packet index maps back to itself. */
	for (uint64_t i = 0; i < g.npkts; i++) {
		mcast_pkt_where(&g, i, &chunk, &off, &len);
		CHECK(len > 0);
		CHECK(mcast_pkt_index(&g, chunk, off) == i);
	}
	CHECK_EQ(mcast_geometry_init(&g, 0, 10000, 1000), -EINVAL);
	CHECK_EQ(mcast_geometry_init(&g, 100, 0, 1000), -EINVAL);
	CHECK_EQ(mcast_geometry_init(&g, 100, 1000, 0), -EINVAL);
	CHECK_EQ(mcast_geometry_init(&g, 100, 1000, 1445), -EINVAL);
	CHECK_EQ(mcast_geometry_init(&g, 1ull << 50, 65536, 1444), -EINVAL);
}

TEST(mcast_rate_backs_off_on_congestion_only)
{
	struct mcast_rate r;
	uint64_t before;

	mcast_rate_init(&r, 100000000, 1000000, 1000000000);
	/* No loss: probes up to the ceiling. */
	for (int i = 0; i < 40; i++)
		mcast_rate_update(&r, 0);
	CHECK(r.rate == 1000000000);
	/* A burst of loss above the background: backs off. */
	before = r.rate;
	mcast_rate_update(&r, 150);
	CHECK(r.rate < before);
	/* Steady 10 % loss whatever the rate (a lossy link): climbs again. */
	for (int i = 0; i < 10; i++)
		mcast_rate_update(&r, 100);
	before = r.rate;
	mcast_rate_update(&r, 105);
	CHECK(r.rate > before);
	/* Never below the floor. */
	for (int i = 0; i < 200; i++)
		mcast_rate_update(&r, 900);
	CHECK(r.rate == 1000000);
}

TEST(mcast_addr)
{
	struct mcast_addr a = { 0 };
	struct errmsg err;

	CHECK_EQ(mcast_addr_parse("239.1.2.3:9000", &a, NULL), 0);
	CHECK_EQ(a.port, 9000);
	CHECK_EQ(mcast_addr_parse("239.1.2.4", &a, NULL), 0);
	CHECK_EQ(a.port, MCAST_DEFAULT_PORT);
	CHECK_EQ(mcast_addr_parse(":7000", &a, NULL), 0);
	CHECK_EQ(a.port, 7000);
	CHECK_EQ(mcast_addr_parse("10.0.0.1:9000", &a, &err), -EINVAL);
	CHECK(strstr(err.msg, "not an IPv4 multicast address"));
	CHECK_EQ(mcast_addr_parse("239.1.2.3:0", &a, NULL), -EINVAL);
	CHECK_EQ(mcast_addr_parse("239.1.2.3:x", &a, NULL), -EINVAL);
}
