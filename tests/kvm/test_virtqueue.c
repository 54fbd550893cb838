/* SPDX-License-Identifier: GPL-2.0-only */
/* The virtqueue walker and request parsers against well-formed and hostile rings. */
#include <errno.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/requests.h"
#include "kvm/virtqueue.h"
#include "tests/harness.h"

#define RAM (1 << 20)

struct fixture {
	uint8_t *ram;
	struct guest_mem m;
	struct virtqueue q;
	struct vq_chain c;
};

static void setup(struct fixture *f, uint16_t size)
{
	f->ram = calloc(1, RAM);
	CHECK(f->ram);
	f->m = (struct guest_mem){ .lo = f->ram, .lo_size = RAM };
	vq_reset(&f->q);
	f->q.size = size;
	f->q.desc_gpa = 0x1000;
	f->q.avail_gpa = 0x2000;
	f->q.used_gpa = 0x3000;
	CHECK_EQ(vq_start(&f->q, &f->m), 0);
}

static void desc(struct fixture *f, unsigned i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	uint8_t *d = f->ram + 0x1000 + 16 * i;
	put_le64(d, addr);
	put_le32(d + 8, len);
	put_le16(d + 12, flags);
	put_le16(d + 14, next);
}

static void offer(struct fixture *f, uint16_t head)
{
	uint16_t idx = get_le16(f->ram + 0x2002);
	put_le16(f->ram + 0x2004 + 2 * (idx % f->q.size), head);
	put_le16(f->ram + 0x2002, (uint16_t)(idx + 1));
}

TEST(vq_pops_a_chain_and_pushes_it_back)
{
	struct fixture f;
	setup(&f, 8);
	desc(&f, 0, 0x10000, 16, VRING_DESC_F_NEXT, 1);
	desc(&f, 1, 0x11000, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	desc(&f, 2, 0x12000, 1, VRING_DESC_F_WRITE, 0);
	offer(&f, 0);
	CHECK_EQ(vq_pop(&f.q, &f.c), 1);
	CHECK_EQ(f.c.n, 3);
	CHECK(f.c.buf[0].ptr == f.ram + 0x10000 && !f.c.buf[0].device_writes);
	CHECK(f.c.buf[1].len == 512 && f.c.buf[1].device_writes);
	CHECK_EQ(vq_pop(&f.q, &f.c), 0);
	vq_push(&f.q, 0, 513);
	CHECK_EQ(get_le16(f.ram + 0x3002), 1);
	CHECK_EQ(get_le32(f.ram + 0x3004), 0);
	CHECK_EQ(get_le32(f.ram + 0x3008), 513);
	free(f.ram);
}

TEST(vq_refuses_loops_and_addresses_outside_ram)
{
	struct fixture f;
	setup(&f, 4);
	desc(&f, 0, 0x10000, 16, VRING_DESC_F_NEXT, 1);
	desc(&f, 1, 0x11000, 16, VRING_DESC_F_NEXT, 0); /* back to 0 */
	offer(&f, 0);
	CHECK_EQ(vq_pop(&f.q, &f.c), -EINVAL);
	CHECK(f.q.broken);
	CHECK_EQ(vq_pop(&f.q, &f.c), 0); /* stays stopped */

	setup(&f, 4);
	desc(&f, 0, 0x10000, 0, VRING_DESC_F_NEXT, 0); /* empty, looping on itself */
	offer(&f, 0);
	CHECK_EQ(vq_pop(&f.q, &f.c), -EINVAL);

	setup(&f, 4);
	desc(&f, 0, RAM - 8, 16, 0, 0); /* runs off the end of RAM */
	offer(&f, 0);
	CHECK_EQ(vq_pop(&f.q, &f.c), -EINVAL);

	setup(&f, 4);
	offer(&f, 7); /* head beyond the table */
	CHECK_EQ(vq_pop(&f.q, &f.c), -EINVAL);

	setup(&f, 4);
	put_le16(f.ram + 0x2002, 100); /* more pending than the ring holds */
	CHECK_EQ(vq_pop(&f.q, &f.c), -EINVAL);
	free(f.ram);
}

TEST(vq_start_checks_the_rings)
{
	struct fixture f;
	setup(&f, 8);
	f.q.size = 3;
	CHECK(vq_start(&f.q, &f.m) < 0);
	f.q.size = 8;
	f.q.used_gpa = RAM - 4;
	CHECK(vq_start(&f.q, &f.m) < 0);
	f.q.used_gpa = 0x3000;
	f.q.desc_gpa = 0x1008; /* misaligned */
	CHECK(vq_start(&f.q, &f.m) < 0);
	CHECK(!f.q.ready);
	free(f.ram);
}

TEST(gmem_ptr_bounds_and_the_pci_hole)
{
	static uint8_t lo[4096], hi[4096];
	struct guest_mem m = { .lo = lo, .lo_size = sizeof(lo), .hi = hi,
			       .hi_size = sizeof(hi) };
	CHECK(gmem_ptr(&m, 0, 4096) == lo);
	CHECK(gmem_ptr(&m, 1, 4096) == NULL);
	CHECK(gmem_ptr(&m, 4096, 1) == NULL);
	CHECK(gmem_ptr(&m, 0x100000000ULL, 16) == hi);
	CHECK(gmem_ptr(&m, 0x100000000ULL + 4095, 2) == NULL);
	CHECK(gmem_ptr(&m, UINT64_MAX, 2) == NULL);
	CHECK(gmem_ptr(&m, 4000, UINT64_MAX) == NULL);
}

static void blk_chain(struct vq_chain *c, uint8_t *hdr, uint32_t type,
		      uint64_t sector, uint8_t *data, uint32_t len, bool in,
		      uint8_t *status)
{
	put_le32(hdr, type);
	put_le32(hdr + 4, 0);
	put_le64(hdr + 8, sector);
	c->n = 0;
	c->buf[c->n++] = (struct vq_buf){ hdr, 16, false };
	if (len)
		c->buf[c->n++] = (struct vq_buf){ data, len, in };
	c->buf[c->n++] = (struct vq_buf){ status, 1, true };
}

TEST(blk_parse_checks_requests)
{
	static uint8_t hdr[16], data[4096], status;
	static struct vq_chain c;
	static struct blk_request r;
	const uint64_t cap = 8 * 512;

	blk_chain(&c, hdr, VIRTIO_BLK_T_IN, 2, data, 1024, true, &status);
	CHECK_EQ(blk_parse(&c, cap, false, &r), VIRTIO_BLK_S_OK);
	CHECK_EQ(r.offset, 1024);
	CHECK_EQ(r.len, 1024);
	CHECK(r.status == &status);

	blk_chain(&c, hdr, VIRTIO_BLK_T_OUT, 7, data, 1024, false, &status);
	CHECK_EQ(blk_parse(&c, cap, false, &r), VIRTIO_BLK_S_IOERR); /* past the end */
	blk_chain(&c, hdr, VIRTIO_BLK_T_OUT, 0, data, 512, false, &status);
	CHECK_EQ(blk_parse(&c, cap, true, &r), VIRTIO_BLK_S_IOERR); /* read-only */
	CHECK_EQ(blk_parse(&c, cap, false, &r), VIRTIO_BLK_S_OK);
	blk_chain(&c, hdr, VIRTIO_BLK_T_IN, 0, data, 100, true, &status);
	CHECK_EQ(blk_parse(&c, cap, false, &r), VIRTIO_BLK_S_IOERR); /* not sectors */
	blk_chain(&c, hdr, VIRTIO_BLK_T_IN, 0, data, 512, false, &status);
	CHECK_EQ(blk_parse(&c, cap, false, &r), VIRTIO_BLK_S_IOERR); /* wrong direction */
	blk_chain(&c, hdr, VIRTIO_BLK_T_IN, UINT64_MAX / 256, data, 512, true, &status);
	CHECK_EQ(blk_parse(&c, cap, false, &r), VIRTIO_BLK_S_IOERR); /* overflow */
	blk_chain(&c, hdr, 99, 0, NULL, 0, false, &status);
	CHECK_EQ(blk_parse(&c, cap, false, &r), VIRTIO_BLK_S_UNSUPP);
	blk_chain(&c, hdr, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, false, &status);
	CHECK_EQ(blk_parse(&c, cap, false, &r), VIRTIO_BLK_S_OK);
	c.buf[1].device_writes = false; /* no status byte */
	CHECK_EQ(blk_parse(&c, cap, false, &r), -EINVAL);
}

TEST(net_parsers_check_frames)
{
	static uint8_t a[64], b[2000];
	static struct vq_chain c;
	struct iovec iov[VQ_MAX_SIZE];
	int n;

	c.n = 2;
	c.buf[0] = (struct vq_buf){ a, 12, false };
	c.buf[1] = (struct vq_buf){ b, 60, false };
	CHECK_EQ(net_tx_iov(&c, iov, &n), 72);
	CHECK_EQ(n, 2);
	CHECK_EQ(net_rx_iov(&c, iov, &n), -EINVAL);
	c.buf[0].len = 4;
	c.n = 1;
	CHECK_EQ(net_tx_iov(&c, iov, &n), -EINVAL); /* shorter than the header */
	c.buf[0] = (struct vq_buf){ b, 1526, true };
	CHECK_EQ(net_rx_iov(&c, iov, &n), 1526);
}

/* ---- indirect descriptors and EVENT_IDX ------------------------------------ */

/* One indirect table entry at guest address @table. */
static void idesc(struct fixture *f, uint64_t table, unsigned i, uint64_t addr,
		  uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = f->ram + table + 16 * i;
	put_le64(d, addr);
	put_le32(d + 8, len);
	put_le16(d + 12, flags);
	put_le16(d + 14, next);
}

TEST(vq_indirect_tables_when_negotiated)
{
	struct fixture f;
	setup(&f, 8);
	f.q.indirect = true;
	idesc(&f, 0x5000, 0, 0x10000, 16, VRING_DESC_F_NEXT, 2);
	idesc(&f, 0x5000, 2, 0x11000, 4096, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	idesc(&f, 0x5000, 1, 0x12000, 1, VRING_DESC_F_WRITE, 0);
	desc(&f, 3, 0x5000, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	offer(&f, 3);
	CHECK_EQ(vq_pop(&f.q, &f.c), 1);
	CHECK_EQ(f.c.head, 3);
	CHECK_EQ(f.c.n, 3);
	CHECK(f.c.buf[0].ptr == f.ram + 0x10000 && !f.c.buf[0].device_writes);
	CHECK(f.c.buf[1].ptr == f.ram + 0x11000 && f.c.buf[1].len == 4096);
	CHECK(f.c.buf[2].ptr == f.ram + 0x12000 && f.c.buf[2].device_writes);
	/* A blk request made of it parses like a direct one. */
	struct blk_request r;
	put_le32(f.ram + 0x10000, VIRTIO_BLK_T_IN);
	put_le64(f.ram + 0x10008, 8);
	CHECK_EQ(blk_parse(&f.c, 1 << 20, false, &r), VIRTIO_BLK_S_OK);
	CHECK_EQ(r.len, 4096);
	CHECK_EQ(r.offset, 4096);
	free(f.ram);
}

/* Each hostile table breaks the queue, and nothing outside RAM is touched. */
TEST(vq_indirect_hostile_tables)
{
	static const struct {
		uint64_t table;
		uint32_t len;
		uint16_t flags;
		int link; /* entry 0's next (-1: entry 0 ends the chain) */
		uint16_t inner;
	} cases[] = {
		{ 0x5000, 32, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, -1, 0 }, /* NEXT too */
		{ 0x5000, 24, VRING_DESC_F_INDIRECT, -1, 0 },	/* not whole entries */
		{ 0x5000, 0, VRING_DESC_F_INDIRECT, -1, 0 },	/* empty */
		{ RAM - 16, 32, VRING_DESC_F_INDIRECT, -1, 0 },	/* past RAM */
		{ 0x5000, 16 * 300, VRING_DESC_F_INDIRECT, -1, 0 }, /* too long */
		{ 0x5000, 32, VRING_DESC_F_INDIRECT, 5, 0 },	/* link out of the table */
		{ 0x5000, 32, VRING_DESC_F_INDIRECT, 0, 0 },	/* a loop */
		{ 0x5000, 32, VRING_DESC_F_INDIRECT, -1, VRING_DESC_F_INDIRECT }, /* nested */
	};
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		struct fixture f;
		setup(&f, 8);
		f.q.indirect = true;
		uint16_t fl = cases[k].inner | (cases[k].link >= 0 ? VRING_DESC_F_NEXT : 0);
		if (cases[k].table < RAM - 32)
			idesc(&f, cases[k].table, 0, 0x10000, 16, fl,
			      (uint16_t)(cases[k].link >= 0 ? cases[k].link : 0));
		desc(&f, 0, cases[k].table, cases[k].len, cases[k].flags, 1);
		offer(&f, 0);
		if (vq_pop(&f.q, &f.c) != -EINVAL || !f.q.broken)
			test_fail(__FILE__, __LINE__, "hostile indirect case %zu accepted", k);
		free(f.ram);
	}
	/* Not negotiated: an indirect descriptor is a broken rule. */
	struct fixture f;
	setup(&f, 8);
	idesc(&f, 0x5000, 0, 0x10000, 16, 0, 0);
	desc(&f, 0, 0x5000, 16, VRING_DESC_F_INDIRECT, 0);
	offer(&f, 0);
	CHECK_EQ(vq_pop(&f.q, &f.c), -EINVAL);
	free(f.ram);
}

TEST(vq_event_idx_maths)
{
	/* The spec's vring_need_event, across the 16-bit wrap. */
	CHECK(vq_need_event(0, 1, 0));
	CHECK(!vq_need_event(1, 1, 0));
	CHECK(vq_need_event(5, 8, 3));	/* passed 5 on the way from 3 to 8 */
	CHECK(!vq_need_event(9, 8, 3));	/* not yet at 9 */
	CHECK(!vq_need_event(2, 8, 3));	/* 2 was already behind */
	CHECK(vq_need_event(65535, 2, 65534));
	CHECK(vq_need_event(0, 2, 65534));
	CHECK(!vq_need_event(3, 2, 65534));
	CHECK(!vq_need_event(7, 7, 7)); /* nothing new: never */
}

TEST(vq_event_idx_suppresses_kicks_and_interrupts)
{
	struct fixture f;
	setup(&f, 8);
	f.q.event_idx = true;
	uint8_t *used_event = f.ram + 0x2000 + 4 + 2 * 8;
	uint8_t *avail_event = f.ram + 0x3000 + 4 + 8 * 8;
	for (unsigned i = 0; i < 4; i++)
		desc(&f, i, 0x10000 + 0x1000 * i, 16, VRING_DESC_F_WRITE, 0);
	/* While draining, avail_event stays behind: the guest need not kick. */
	vq_kicks_off(&f.q);
	CHECK_EQ(get_le16(f.ram + 0x3000), 0); /* flags untouched */
	offer(&f, 0);
	offer(&f, 1);
	CHECK_EQ(vq_pop(&f.q, &f.c), 1);
	CHECK_EQ(vq_pop(&f.q, &f.c), 1);
	CHECK(!vq_kicks_on(&f.q));
	CHECK_EQ(get_le16(avail_event), 2); /* kick me when entry 2 comes */
	CHECK(vq_need_event(get_le16(avail_event), 3, 2));
	/* Interrupts: the first one, then only past the guest's used_event. */
	vq_push(&f.q, 0, 1);
	CHECK(vq_irq_due(&f.q));
	put_le16(used_event, 2); /* the guest wants to hear when 3 are used */
	vq_push(&f.q, 1, 1);
	CHECK(!vq_irq_due(&f.q)); /* used 2: not past 2 */
	offer(&f, 2);
	offer(&f, 3);
	CHECK(vq_kicks_on(&f.q)); /* arrived meanwhile: drain again */
	CHECK_EQ(vq_pop(&f.q, &f.c), 1);
	CHECK_EQ(vq_pop(&f.q, &f.c), 1);
	vq_push(&f.q, 2, 1);
	vq_push(&f.q, 3, 1);
	CHECK(vq_irq_due(&f.q)); /* 1 -> 4 passed 2 */
	CHECK(!vq_irq_due(&f.q)); /* nothing new since */
	free(f.ram);
}
