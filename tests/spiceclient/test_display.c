/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Display messages built here field by field (spice.proto layouts):
 * fills under clip rectangles, copies of bitmaps through the pixmap
 * cache, scaling, overlapping copy_bits, invalidation, and hostile
 * offsets, counts and surface ids.
 */
#include <stdlib.h>
#include <string.h>

#include "spiceclient/spice.h"
#include "tests/harness.h"

/* After core.h (through spice.h): its MIN/MAX win over spice/macros.h's. */
#include <spice/enums.h>

struct msg {
	uint8_t b[4096];
	size_t len;
};

static void u8(struct msg *m, uint8_t v) { m->b[m->len++] = v; }
static void u16(struct msg *m, uint16_t v) { put_le16(m->b + m->len, v); m->len += 2; }
static void u32(struct msg *m, uint32_t v) { put_le32(m->b + m->len, v); m->len += 4; }
static void u64(struct msg *m, uint64_t v) { put_le64(m->b + m->len, v); m->len += 8; }
static void rect(struct msg *m, int l, int t, int r, int b)
{
	u32(m, (uint32_t)t);
	u32(m, (uint32_t)l);
	u32(m, (uint32_t)b);
	u32(m, (uint32_t)r);
}

static struct spice_display *new_display(uint32_t w, uint32_t h)
{
	struct spice_display *d;
	struct msg m = { .len = 0 };
	struct errmsg err;

	CHECK(spice_display_new(&d) == 0);
	u32(&m, 0);
	u32(&m, w);
	u32(&m, h);
	u32(&m, SPICE_SURFACE_FMT_32_xRGB);
	u32(&m, SPICE_SURFACE_FLAGS_PRIMARY);
	CHECK(spice_display_message(d, SPICE_MSG_DISPLAY_SURFACE_CREATE, m.b, m.len, &err) == 0);
	return d;
}

static int apply(struct spice_display *d, uint16_t type, const struct msg *m)
{
	struct errmsg err;

	return spice_display_message(d, type, m->b, m->len, &err);
}

static uint32_t px(struct spice_display *d, int x, int y)
{
	const struct spice_pixels *p = spice_display_primary(d);
	return p->px[(size_t)y * p->width + (size_t)x];
}

/* DisplayBase on surface 0 with @n clip rects (l, t, r, b quadruples). */
static void base(struct msg *m, int l, int t, int r, int b, int n, const int *clips)
{
	u32(m, 0);
	rect(m, l, t, r, b);
	u8(m, n ? SPICE_CLIP_TYPE_RECTS : SPICE_CLIP_TYPE_NONE);
	if (n) {
		u32(m, (uint32_t)n);
		for (int i = 0; i < n; i++)
			rect(m, clips[4 * i], clips[4 * i + 1], clips[4 * i + 2], clips[4 * i + 3]);
	}
}

static void fill(struct spice_display *d, int l, int t, int r, int b,
		 uint32_t color, int n, const int *clips)
{
	struct msg m = { .len = 0 };

	base(&m, l, t, r, b, n, clips);
	u8(&m, SPICE_BRUSH_TYPE_SOLID);
	u32(&m, color);
	u16(&m, SPICE_ROPD_OP_PUT);
	u8(&m, 0); /* mask flags */
	u32(&m, 0);
	u32(&m, 0);
	u32(&m, 0); /* no mask */
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_FILL, &m) == 0);
}

TEST(display_fill_clip)
{
	struct spice_display *d = new_display(16, 8);
	static const int clips[] = { 0, 0, 4, 4, 10, 2, 20, 3 };

	fill(d, 0, 0, 16, 8, 0x111111, 0, NULL);
	fill(d, 2, 1, 12, 6, 0xff0000, 2, clips);
	CHECK_EQ(px(d, 2, 1), 0xff0000);   /* in box and first clip */
	CHECK_EQ(px(d, 3, 3), 0xff0000);
	CHECK_EQ(px(d, 4, 3), 0x111111);   /* outside both clips */
	CHECK_EQ(px(d, 11, 2), 0xff0000);  /* second clip, inside box */
	CHECK_EQ(px(d, 12, 2), 0x111111);  /* clip beyond the box */
	CHECK_EQ(px(d, 1, 1), 0x111111);   /* clip beyond the box */
	/* A box larger than the surface is clipped to it. */
	fill(d, -5, -5, 100, 100, 0x00ff00, 0, NULL);
	CHECK_EQ(px(d, 15, 7), 0x00ff00);
	CHECK_EQ(spice_display_draw_count(d), 3);
	spice_display_free(d);
}

/* A DRAW_COPY of a 4x2 32-bit bitmap (id 77), or of cached id 77. */
static struct msg copy_msg(int l, int t, int r, int b, bool from_cache,
			   bool cache_me)
{
	struct msg m = { .len = 0 };

	base(&m, l, t, r, b, 0, NULL);
	size_t ptr_at = m.len;
	u32(&m, 0);		/* image pointer, patched below */
	rect(&m, 0, 0, 4, 2);	/* src area */
	u16(&m, SPICE_ROPD_OP_PUT);
	u8(&m, 0);		/* scale mode */
	u8(&m, 0);
	u32(&m, 0);
	u32(&m, 0);
	u32(&m, 0);		/* mask */
	put_le32(m.b + ptr_at, (uint32_t)m.len);
	u64(&m, 77);
	u8(&m, from_cache ? SPICE_IMAGE_TYPE_FROM_CACHE : SPICE_IMAGE_TYPE_BITMAP);
	u8(&m, cache_me ? SPICE_IMAGE_FLAGS_CACHE_ME : 0);
	u32(&m, 4);
	u32(&m, 2);
	if (!from_cache) {
		u8(&m, SPICE_BITMAP_FMT_32BIT);
		u8(&m, SPICE_BITMAP_FLAGS_TOP_DOWN);
		u32(&m, 4);
		u32(&m, 2);
		u32(&m, 16);
		u32(&m, 0); /* no palette */
		for (uint32_t i = 0; i < 8; i++)
			u32(&m, 0x010101 * (i + 1));
	}
	return m;
}

TEST(display_copy_cache_scale)
{
	struct spice_display *d = new_display(16, 8);
	struct msg m = copy_msg(1, 1, 5, 3, false, true);

	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_COPY, &m) == 0);
	CHECK_EQ(px(d, 1, 1), 0x010101);
	CHECK_EQ(px(d, 4, 1), 0x040404);
	CHECK_EQ(px(d, 1, 2), 0x050505);
	CHECK_EQ(px(d, 0, 0), 0);
	/* From the cache, scaled 2x into 8x4. */
	m = copy_msg(8, 4, 16, 8, true, false);
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_COPY, &m) == 0);
	CHECK_EQ(px(d, 8, 4), 0x010101);
	CHECK_EQ(px(d, 9, 5), 0x010101);
	CHECK_EQ(px(d, 15, 7), 0x080808);
	/* Invalidated: the cache no longer has it. */
	struct msg inv = { .len = 0 };
	u16(&inv, 1);
	u8(&inv, SPICE_RES_TYPE_PIXMAP);
	u64(&inv, 77);
	CHECK(apply(d, SPICE_MSG_DISPLAY_INVAL_LIST, &inv) == 0);
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_COPY, &m) < 0);
	spice_display_free(d);
}

/* A copy over the whole surface (the decoded picture and the surface
 * trade buffers), then copies over part of it and with a clip: each
 * must still see the pixels it should. */
TEST(display_copy_whole_surface)
{
	struct spice_display *d = new_display(4, 2);
	struct msg m = copy_msg(0, 0, 4, 2, false, false);

	fill(d, 0, 0, 4, 2, 0x111111, 0, NULL);
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_COPY, &m) == 0);
	CHECK_EQ(px(d, 0, 0), 0x010101);
	CHECK_EQ(px(d, 3, 1), 0x080808);
	fill(d, 0, 0, 4, 2, 0x222222, 0, NULL);
	CHECK_EQ(px(d, 3, 1), 0x222222);
	m = copy_msg(0, 0, 4, 2, false, false);
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_COPY, &m) == 0);
	CHECK_EQ(px(d, 1, 0), 0x020202);
	/* Scaled into part of the surface: the rest stays. */
	fill(d, 0, 0, 4, 2, 0x333333, 0, NULL);
	m = copy_msg(0, 0, 2, 1, false, false);
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_COPY, &m) == 0);
	CHECK_EQ(px(d, 0, 0), 0x010101);
	CHECK_EQ(px(d, 3, 1), 0x333333);
	/* The whole box but a clip: only the clip changes. */
	static const int clip[] = { 0, 0, 1, 1 };
	struct msg c = { .len = 0 };
	base(&c, 0, 0, 4, 2, 1, clip);
	struct msg body = copy_msg(0, 0, 4, 2, false, false);
	size_t head = 4 + 16 + 1; /* the base copy_msg() wrote, no clip */
	size_t shift = c.len - head;
	memcpy(c.b + c.len, body.b + head, body.len - head);
	c.len += body.len - head;
	put_le32(c.b + head + shift, get_le32(c.b + head + shift) + (uint32_t)shift); /* image pointer */
	fill(d, 0, 0, 4, 2, 0x444444, 0, NULL);
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_COPY, &c) == 0);
	CHECK_EQ(px(d, 0, 0), 0x010101);
	CHECK_EQ(px(d, 1, 0), 0x444444);
	CHECK_EQ(px(d, 3, 1), 0x444444);
	spice_display_free(d);
}

TEST(display_copy_bits_overlap)
{
	struct spice_display *d = new_display(8, 4);
	struct msg m = { .len = 0 };

	for (int x = 0; x < 8; x++)
		fill(d, x, 0, x + 1, 4, (uint32_t)x, 0, NULL);
	/* Scroll right by 2: box (2,0)-(8,4) from (0,0). */
	base(&m, 2, 0, 8, 4, 0, NULL);
	u32(&m, 0);
	u32(&m, 0);
	CHECK(apply(d, SPICE_MSG_DISPLAY_COPY_BITS, &m) == 0);
	for (int x = 2; x < 8; x++)
		CHECK_EQ(px(d, x, 3), (uint32_t)(x - 2));
	CHECK_EQ(px(d, 1, 0), 1);
	spice_display_free(d);
}

TEST(display_refuses_hostile_messages)
{
	struct spice_display *d = new_display(8, 4);
	struct msg m = copy_msg(0, 0, 4, 2, false, false);
	struct errmsg err;

	/* Image pointer past the end, then into the middle of the header. */
	put_le32(m.b + 4 + 16 + 1, (uint32_t)m.len + 10);
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_COPY, &m) < 0);
	/* Source area outside the image. */
	m = copy_msg(0, 0, 4, 2, false, false);
	put_le32(m.b + 4 + 16 + 1 + 4 + 12, 9); /* src right = 9 */
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_COPY, &m) < 0);
	/* Bitmap data cut short. */
	m = copy_msg(0, 0, 4, 2, false, false);
	m.len -= 4;
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_COPY, &m) < 0);
	/* Unknown surface, a million clip rects, a giant surface. */
	m = (struct msg){ .len = 0 };
	u32(&m, 5);
	rect(&m, 0, 0, 1, 1);
	u8(&m, 0);
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_FILL, &m) < 0);
	m = (struct msg){ .len = 0 };
	base(&m, 0, 0, 1, 1, 0, NULL);
	m.b[4 + 16] = SPICE_CLIP_TYPE_RECTS;
	u32(&m, 1000000);
	CHECK(apply(d, SPICE_MSG_DISPLAY_DRAW_FILL, &m) < 0);
	m = (struct msg){ .len = 0 };
	u32(&m, 3);
	u32(&m, 100000);
	u32(&m, 100000);
	u32(&m, SPICE_SURFACE_FMT_32_xRGB);
	u32(&m, 0);
	CHECK(apply(d, SPICE_MSG_DISPLAY_SURFACE_CREATE, &m) < 0);
	/* Every prefix of a valid message is refused or harmless. */
	m = copy_msg(0, 0, 4, 2, false, true);
	for (size_t cut = 0; cut < m.len; cut++)
		(void)spice_display_message(d, SPICE_MSG_DISPLAY_DRAW_COPY, m.b, cut, &err);
	/* Unknown message types are ignored. */
	CHECK(spice_display_message(d, 9999, m.b, m.len, &err) == 0);
	spice_display_free(d);
}
