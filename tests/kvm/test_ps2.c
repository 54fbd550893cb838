/* SPDX-License-Identifier: GPL-2.0-only */
/* The PS/2 keyboard and mouse state machines and the i8042 translation. */
#include <linux/input-event-codes.h>

#include "core/core.h"
#include "tests/harness.h"
#include "kvm/ps2.h"

/* Pulls everything ready into @out; returns the count. */
static unsigned drain_kbd(struct ps2_kbd *k, uint8_t *out, unsigned max)
{
	unsigned n = 0;
	int b;
	while (n < max && (b = ps2_kbd_pull(k)) >= 0)
		out[n++] = (uint8_t)b;
	return n;
}

static unsigned drain_mouse(struct ps2_mouse *m, uint8_t *out, unsigned max)
{
	unsigned n = 0;
	int b;
	while (n < max && (b = ps2_mouse_pull(m)) >= 0)
		out[n++] = (uint8_t)b;
	return n;
}

#define EXPECT_BYTES(got, n, ...)                                          \
	do {                                                               \
		static const uint8_t want_[] = { __VA_ARGS__ };            \
		CHECK_EQ(n, sizeof(want_));                                \
		for (unsigned i_ = 0; i_ < sizeof(want_); i_++)            \
			CHECK_EQ((got)[i_], want_[i_]);                    \
	} while (0)

TEST(kbd_reset_identify_echo)
{
	struct ps2_kbd k;
	uint8_t b[16];
	ps2_kbd_init(&k);
	ps2_kbd_write(&k, 0xff);
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xfa, 0xaa);
	ps2_kbd_write(&k, 0xf2);
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xfa, 0xab, 0x83);
	ps2_kbd_write(&k, 0xee);
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xee);
	ps2_kbd_write(&k, 0x01); /* not a command */
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xfe);
	ps2_kbd_write(&k, 0xfe); /* resend the last byte */
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xfe);
}

TEST(kbd_scancode_sets)
{
	struct ps2_kbd k;
	uint8_t b[16];
	ps2_kbd_init(&k);
	CHECK(ps2_kbd_key(&k, KEY_A, true));
	CHECK(ps2_kbd_key(&k, KEY_A, false));
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0x1c, 0xf0, 0x1c);
	ps2_kbd_write(&k, 0xf0);
	ps2_kbd_write(&k, 0x01);
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xfa, 0xfa);
	ps2_kbd_key(&k, KEY_A, true);
	ps2_kbd_key(&k, KEY_A, false);
	ps2_kbd_key(&k, KEY_RIGHTCTRL, false);
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0x1e, 0x9e, 0xe0, 0x9d);
	ps2_kbd_write(&k, 0xf0);
	ps2_kbd_write(&k, 0x00);
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xfa, 0xfa, 0x01);
	ps2_kbd_write(&k, 0xf0);
	ps2_kbd_write(&k, 0x03); /* set 3 is refused, set 1 stays */
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xfa, 0xfe);
	CHECK_EQ(k.set, 1);
}

TEST(kbd_replies_before_keys_and_wait_for_argument)
{
	struct ps2_kbd k;
	uint8_t b[16];
	ps2_kbd_init(&k);
	ps2_kbd_key(&k, KEY_B, true);
	ps2_kbd_write(&k, 0xed); /* LEDs: the ACK jumps the queue, keys wait */
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xfa);
	ps2_kbd_write(&k, 0x04);
	CHECK_EQ(k.leds, 4);
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xfa, 0x32);
}

TEST(kbd_disable_and_bounded_queue)
{
	struct ps2_kbd k;
	uint8_t b[PS2_EVENTS_MAX + 8];
	ps2_kbd_init(&k);
	ps2_kbd_write(&k, 0xf5);
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xfa);
	CHECK(!ps2_kbd_key(&k, KEY_A, true));
	ps2_kbd_write(&k, 0xf4);
	drain_kbd(&k, b, 16);
	unsigned ok = 0;
	for (unsigned i = 0; i < 1000; i++)
		ok += ps2_kbd_key(&k, KEY_UP, i & 1); /* 2 or 3 bytes each */
	CHECK(ok < 1000);
	CHECK(k.dropped > 0);
	unsigned n = drain_kbd(&k, b, sizeof(b));
	CHECK(n <= PS2_EVENTS_MAX);
	/* Never half a scancode: the bytes parse as whole make/break codes. */
	for (unsigned i = 0; i < n;) {
		CHECK_EQ(b[i], 0xe0);
		i += b[i + 1] == 0xf0 ? 3 : 2;
		CHECK(i <= n);
	}
	ps2_kbd_write(&k, 0xff);
	EXPECT_BYTES(b, drain_kbd(&k, b, 16), 0xfa, 0xaa);
}

TEST(translation_set2_to_set1)
{
	uint8_t t[256];
	bool brk = false;
	ps2_xlat_init(t);
	/* Every key: set-2 make/break translates to the set-1 bytes. */
	for (unsigned kc = 1; kc < KEY_MAX; kc++) {
		for (int rel = 0; rel < 2; rel++) {
			uint8_t s1[8], s2[8], x[8];
			size_t n1 = ps2_scancode(kc, 1, rel, s1);
			size_t n2 = ps2_scancode(kc, 2, rel, s2);
			size_t n = 0;
			if (!n1 || !n2)
				continue;
			for (size_t i = 0; i < n2; i++) {
				int v = ps2_translate(t, s2[i], &brk);
				if (v >= 0)
					x[n++] = (uint8_t)v;
			}
			CHECK_EQ(n, n1);
			for (size_t i = 0; i < n; i++)
				CHECK_EQ(x[i], s1[i]);
		}
	}
	CHECK_EQ(ps2_translate(t, 0xfa, &brk), 0xfa); /* replies pass */
	CHECK_EQ(ps2_translate(t, 0xaa, &brk), 0xaa);
	CHECK_EQ(ps2_translate(t, 0x83, &brk), 0x41); /* the MF2 id, translated */
}

TEST(mouse_reset_identify_wheel_status)
{
	struct ps2_mouse m;
	uint8_t b[16];
	ps2_mouse_init(&m);
	ps2_mouse_write(&m, 0xff);
	EXPECT_BYTES(b, drain_mouse(&m, b, 16), 0xfa, 0xaa, 0x00);
	ps2_mouse_write(&m, 0xf2);
	EXPECT_BYTES(b, drain_mouse(&m, b, 16), 0xfa, 0x00);
	static const uint8_t rates[] = { 200, 100, 80 };
	for (unsigned i = 0; i < 3; i++) {
		ps2_mouse_write(&m, 0xf3);
		ps2_mouse_write(&m, rates[i]);
	}
	EXPECT_BYTES(b, drain_mouse(&m, b, 16), 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa);
	ps2_mouse_write(&m, 0xf2);
	EXPECT_BYTES(b, drain_mouse(&m, b, 16), 0xfa, 0x03);
	ps2_mouse_write(&m, 0xe8);
	ps2_mouse_write(&m, 3);
	ps2_mouse_write(&m, 0xe9);
	EXPECT_BYTES(b, drain_mouse(&m, b, 16), 0xfa, 0xfa, 0xfa, 0x00, 0x03, 80);
	ps2_mouse_write(&m, 0xee); /* wrap: echoes until 0xec */
	ps2_mouse_write(&m, 0x12);
	ps2_mouse_write(&m, 0xec);
	EXPECT_BYTES(b, drain_mouse(&m, b, 16), 0xfa, 0x12, 0xfa);
	ps2_mouse_write(&m, 0x00);
	EXPECT_BYTES(b, drain_mouse(&m, b, 16), 0xfe);
}

TEST(mouse_packets)
{
	struct ps2_mouse m;
	uint8_t b[64];
	ps2_mouse_init(&m);
	ps2_mouse_move(&m, 5, 5, 0, 1); /* not streaming yet: nothing */
	CHECK_EQ(drain_mouse(&m, b, 64), 0);
	CHECK(!ps2_mouse_active(&m));
	ps2_mouse_write(&m, 0xf4);
	CHECK(ps2_mouse_active(&m));
	drain_mouse(&m, b, 64);
	ps2_mouse_move(&m, 5, -3, 0, 1); /* right 5, up 3, left button */
	EXPECT_BYTES(b, drain_mouse(&m, b, 64), 0x09, 0x05, 0x03);
	ps2_mouse_move(&m, -2, 4, 0, 4); /* left 2, down 4, middle */
	EXPECT_BYTES(b, drain_mouse(&m, b, 64), 0x3c, 0xfe, 0xfc);
	ps2_mouse_move(&m, 0, 0, 0, 4); /* no change: no packet */
	CHECK_EQ(drain_mouse(&m, b, 64), 0);
	ps2_mouse_move(&m, 600, 0, 0, 0); /* split so no delta overflows */
	EXPECT_BYTES(b, drain_mouse(&m, b, 64), 0x08, 0xff, 0x00, 0x08, 0xff, 0x00,
		     0x08, 0x5a, 0x00);
	ps2_mouse_move(&m, 1000000, 1000000, 0, 0); /* clamped, bounded */
	CHECK(drain_mouse(&m, b, 64) <= 64);
	ps2_mouse_write(&m, 0xf5);
	drain_mouse(&m, b, 64);
	ps2_mouse_move(&m, 1, 1, 0, 0);
	CHECK_EQ(drain_mouse(&m, b, 64), 0);
}

TEST(mouse_wheel_packets)
{
	struct ps2_mouse m;
	uint8_t b[16];
	ps2_mouse_init(&m);
	static const uint8_t rates[] = { 200, 100, 80 };
	for (unsigned i = 0; i < 3; i++) {
		ps2_mouse_write(&m, 0xf3);
		ps2_mouse_write(&m, rates[i]);
	}
	ps2_mouse_write(&m, 0xf4);
	drain_mouse(&m, b, 16);
	ps2_mouse_move(&m, 0, 0, 1, 0); /* wheel up: -1 on the wire */
	EXPECT_BYTES(b, drain_mouse(&m, b, 16), 0x08, 0x00, 0x00, 0xff);
}
