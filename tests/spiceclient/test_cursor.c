/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cursor-channel messages as a SPICE server sends them: every shape type
 * (ALPHA, MONO, COLOR4/8/16/24/32, hand-made here), the cursor cache,
 * moves and hiding; short and lying messages refused; drawing over a
 * picture at the hot spot.
 */
#include <stdlib.h>
#include <string.h>

#include "spiceclient/spice.h"
#include "tests/harness.h"

/* After core.h: its MIN/MAX win over the ones in spice/macros.h. */
#include <spice/enums.h>
#include <spice/protocol.h>

struct msg {
	uint8_t b[4096];
	size_t n;
};

static void u8(struct msg *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void u16(struct msg *m, unsigned v) { put_le16(m->b + m->n, (uint16_t)v); m->n += 2; }
static void u32(struct msg *m, uint32_t v) { put_le32(m->b + m->n, v); m->n += 4; }

/* CURSOR_SET at (x, y), visible, with a shape header. */
static void set_head(struct msg *m, int x, int y, unsigned flags, uint64_t id,
		     unsigned type, unsigned w, unsigned h, unsigned hx, unsigned hy)
{
	m->n = 0;
	u16(m, (uint16_t)x);
	u16(m, (uint16_t)y);
	u8(m, 1);
	u16(m, flags);
	put_le64(m->b + m->n, id);
	m->n += 8;
	u8(m, type);
	u16(m, w);
	u16(m, h);
	u16(m, hx);
	u16(m, hy);
}

TEST(cursor_shapes_and_cache)
{
	struct spice_display *d;
	struct errmsg err;
	struct msg m;

	CHECK(spice_display_new(&d) == 0);
	const struct spice_cursor *c = spice_display_cursor(d);
	/* ALPHA 2x2, cached. */
	set_head(&m, 10, 20, SPICE_CURSOR_FLAGS_CACHE_ME, 77, SPICE_CURSOR_TYPE_ALPHA, 2, 2, 1, 0);
	u32(&m, 0xff112233); u32(&m, 0); u32(&m, 0x80ffffff); u32(&m, 0xff000000);
	CHECK_EQ(spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m.b, m.n, &err), 0);
	CHECK(c->visible);
	CHECK_EQ(c->x, 10);
	CHECK_EQ(c->y, 20);
	CHECK_EQ(c->hot_x, 1);
	CHECK_EQ(c->shape.width, 2);
	CHECK_EQ(c->shape.px[0], 0xff112233);
	CHECK_EQ(c->shape.px[2], 0x80ffffff);

	/* MONO 8x2: AND plane then XOR plane, one byte a row. */
	set_head(&m, 0, 0, 0, 5, SPICE_CURSOR_TYPE_MONO, 8, 2, 0, 0);
	u8(&m, 0xf0); u8(&m, 0x0f); /* AND */
	u8(&m, 0xcc); u8(&m, 0xcc); /* XOR */
	CHECK_EQ(spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m.b, m.n, &err), 0);
	CHECK_EQ(c->shape.px[0], 0xff000000u); /* and 1, xor 1: invert, drawn black */
	CHECK_EQ(c->shape.px[2], 0);	       /* and 1, xor 0: see-through */
	CHECK_EQ(c->shape.px[4], 0xffffffffu); /* and 0, xor 1: white */
	CHECK_EQ(c->shape.px[6], 0xff000000u); /* and 0, xor 0: black */

	/* COLOR32 1x2 with its AND mask. */
	set_head(&m, 0, 0, 0, 6, SPICE_CURSOR_TYPE_COLOR32, 1, 2, 0, 0);
	u32(&m, 0x00abcdef); u32(&m, 0x00123456);
	u8(&m, 0x80); u8(&m, 0x00);
	CHECK_EQ(spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m.b, m.n, &err), 0);
	CHECK_EQ(c->shape.px[0], 0);
	CHECK_EQ(c->shape.px[1], 0xff123456u);

	/* From the cache, then move and hide. */
	set_head(&m, 3, 4, SPICE_CURSOR_FLAGS_FROM_CACHE, 77, 0, 0, 0, 0, 0);
	CHECK_EQ(spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m.b, m.n, &err), 0);
	CHECK_EQ(c->shape.px[0], 0xff112233);
	uint8_t mv[4];
	put_le16(mv, 100);
	put_le16(mv + 2, (uint16_t)-5);
	CHECK_EQ(spice_cursor_message(d, SPICE_MSG_CURSOR_MOVE, mv, 4, &err), 0);
	CHECK_EQ(c->x, 100);
	CHECK_EQ(c->y, -5);
	CHECK(c->visible);
	CHECK_EQ(spice_cursor_message(d, SPICE_MSG_CURSOR_HIDE, NULL, 0, &err), 0);
	CHECK(!c->visible);

	/* Invalidated, the cached shape is gone. */
	uint8_t id[8];
	put_le64(id, 77);
	CHECK_EQ(spice_cursor_message(d, SPICE_MSG_CURSOR_INVAL_ONE, id, 8, &err), 0);
	set_head(&m, 3, 4, SPICE_CURSOR_FLAGS_FROM_CACHE, 77, 0, 0, 0, 0, 0);
	CHECK(spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m.b, m.n, &err) < 0);
	spice_display_free(d);
}

TEST(cursor_refuses_hostile_messages)
{
	struct spice_display *d;
	struct errmsg err;
	struct msg m;

	CHECK(spice_display_new(&d) == 0);
	/* Data shorter than the shape. */
	set_head(&m, 0, 0, 0, 1, SPICE_CURSOR_TYPE_ALPHA, 16, 16, 0, 0);
	u32(&m, 0);
	CHECK(spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m.b, m.n, &err) < 0);
	/* Absurd sizes. */
	set_head(&m, 0, 0, 0, 1, SPICE_CURSOR_TYPE_ALPHA, 60000, 60000, 0, 0);
	CHECK(spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m.b, m.n, &err) < 0);
	set_head(&m, 0, 0, 0, 1, SPICE_CURSOR_TYPE_ALPHA, 0, 4, 0, 0);
	CHECK(spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m.b, m.n, &err) < 0);
	/* Every truncation of a good message. */
	set_head(&m, 0, 0, 0, 1, SPICE_CURSOR_TYPE_MONO, 8, 1, 9, 9);
	u8(&m, 0); u8(&m, 0xff);
	for (size_t cut = 0; cut < m.n; cut++)
		CHECK(spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m.b, cut, &err) < 0);
	CHECK_EQ(spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m.b, m.n, &err), 0);
	/* A hot spot outside the shape is pulled inside it. */
	CHECK_EQ(spice_display_cursor(d)->hot_x, 7);
	CHECK_EQ(spice_display_cursor(d)->hot_y, 0);
	/* Unknown types leave no shape but keep the connection. */
	set_head(&m, 0, 0, 0, 1, SPICE_CURSOR_TYPE_ENUM_END, 8, 8, 0, 0);
	CHECK_EQ(spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m.b, m.n, &err), 0);
	CHECK(spice_display_cursor(d)->shape.px == NULL);
	spice_display_free(d);
}

TEST(cursor_draw_blends_at_hot_spot)
{
	struct spice_cursor c = { .hot_x = 1, .hot_y = 1 };
	uint32_t shape[4] = { 0xffff0000, 0x00000000, 0x800000ff, 0xff00ff00 };
	uint32_t pic[5 * 4];

	c.shape.px = shape;
	c.shape.width = c.shape.height = 2;
	for (int i = 0; i < 20; i++)
		pic[i] = 0x00ffffff;
	spice_cursor_draw(&c, pic, 5, 4, 5, 2, 2); /* shape's (0,0) lands at (1,1) */
	CHECK_EQ(pic[1 * 5 + 1], 0x00ff0000);
	CHECK_EQ(pic[1 * 5 + 2], 0x00ffffff);	/* transparent */
	CHECK_EQ(pic[2 * 5 + 1], 0x007f7fff);	/* half blue over white */
	CHECK_EQ(pic[2 * 5 + 2], 0x0000ff00);
	/* Clipped at every edge without writing outside. */
	spice_cursor_draw(&c, pic, 5, 4, 5, 0, 0);
	spice_cursor_draw(&c, pic, 5, 4, 5, 5, 4);
	spice_cursor_draw(&c, pic, 5, 4, 5, -100, 1000);
	CHECK_EQ(pic[0], 0x0000ff00);
}

/* Sends @m and expects a w × h shape equal to @want (ARGB). */
static void expect_shape(struct spice_display *d, struct msg *m, const uint32_t *want,
			 unsigned w, unsigned h, int line)
{
	struct errmsg err;
	const struct spice_cursor *c = spice_display_cursor(d);

	if (spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m->b, m->n, &err) < 0)
		test_fail(__FILE__, line, "refused: %s", err.msg);
	if (!c->shape.px || c->shape.width != w || c->shape.height != h)
		test_fail(__FILE__, line, "no %ux%u shape", w, h);
	for (unsigned i = 0; i < w * h; i++)
		if (c->shape.px[i] != want[i])
			test_fail(__FILE__, line, "pixel %u is %08x, want %08x", i, c->shape.px[i],
				  want[i]);
	/* Every truncation is refused. */
	for (size_t cut = 0; cut < m->n; cut++) {
		if (spice_cursor_message(d, SPICE_MSG_CURSOR_SET, m->b, cut, &err) >= 0)
			test_fail(__FILE__, line, "a message cut to %zu bytes was taken", cut);
	}
}

TEST(cursor_palette_and_direct_colour_shapes)
{
	struct spice_display *d;
	struct msg m;

	CHECK(spice_display_new(&d) == 0);
	/* COLOR4, 3x2 (odd width: rows of 2 bytes, the last nibble unused),
	 * palette of 16, then the AND mask (1 byte a row). Index 15 is
	 * white: under the mask it is "invert", drawn black. */
	set_head(&m, 0, 0, 0, 1, SPICE_CURSOR_TYPE_COLOR4, 3, 2, 1, 1);
	u8(&m, 0x12); u8(&m, 0x3f); /* row 0: 1 2 3 */
	u8(&m, 0xf0); u8(&m, 0x2a); /* row 1: 15 0 2 */
	for (unsigned i = 0; i < 16; i++)
		u32(&m, i == 15 ? 0xffffff : 0x010203 * i);
	u8(&m, 0x20); /* row 0: pixel 2 masked (colour 3: see-through) */
	u8(&m, 0xc0); /* row 1: pixels 0, 1 masked (white: invert; 0: see-through) */
	uint32_t want4[6] = { 0xff010203, 0xff020406, 0, 0xff000000, 0, 0xff020406 };
	expect_shape(d, &m, want4, 3, 2, __LINE__);

	/* COLOR8, 2x2, palette of 256. */
	set_head(&m, 0, 0, 0, 2, SPICE_CURSOR_TYPE_COLOR8, 2, 2, 0, 0);
	u8(&m, 0); u8(&m, 200); u8(&m, 255); u8(&m, 7);
	for (unsigned i = 0; i < 256; i++)
		u32(&m, i == 255 ? 0xffffff : 0xa00000 | i);
	u8(&m, 0x00); u8(&m, 0x80); /* row 1: pixel 0 (white) masked */
	uint32_t want8[4] = { 0xffa00000, 0xffa000c8, 0xff000000, 0xffa00007 };
	expect_shape(d, &m, want8, 2, 2, __LINE__);

	/* COLOR16: x555 words, widened as v << 3 | v >> 2. */
	set_head(&m, 0, 0, 0, 3, SPICE_CURSOR_TYPE_COLOR16, 3, 1, 0, 0);
	u16(&m, 0x7c00); /* red */
	u16(&m, 0x03e0 | 0x0010); /* green + a little blue */
	u16(&m, 0x7fff); /* white, masked: invert */
	u8(&m, 0x20);
	uint32_t want16[3] = { 0xffff0000, 0xff00ff84, 0xff000000 };
	expect_shape(d, &m, want16, 3, 1, __LINE__);

	/* COLOR24: B, G, R bytes. */
	set_head(&m, 0, 0, 0, 4, SPICE_CURSOR_TYPE_COLOR24, 2, 1, 0, 0);
	u8(&m, 0x33); u8(&m, 0x22); u8(&m, 0x11);
	u8(&m, 0x66); u8(&m, 0x55); u8(&m, 0x44);
	u8(&m, 0x40); /* pixel 1 masked, not white: see-through */
	uint32_t want24[2] = { 0xff112233, 0 };
	expect_shape(d, &m, want24, 2, 1, __LINE__);

	/* COLOR32 masked white is drawn too, like the other colour types. */
	set_head(&m, 0, 0, 0, 5, SPICE_CURSOR_TYPE_COLOR32, 1, 1, 0, 0);
	u32(&m, 0xffffff);
	u8(&m, 0x80);
	uint32_t want32[1] = { 0xff000000 };
	expect_shape(d, &m, want32, 1, 1, __LINE__);
	spice_display_free(d);
}
