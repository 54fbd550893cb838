/* SPDX-License-Identifier: GPL-2.0-only */
/* Linux key codes to PS/2 scancodes, sets 1 and 2; framebuffer formats. */
#include <linux/input-event-codes.h>

#include "core/core.h"
#include "core/screen_priv.h"
#include "tests/harness.h"

static void expect(unsigned key, int set, bool release, const uint8_t *want, size_t n)
{
	uint8_t out[8];
	size_t got = ps2_scancode(key, set, release, out);

	if (got != n || (n && memcmp(out, want, n)))
		test_fail(__FILE__, __LINE__, "key %u set %d %s: %zu bytes %02x %02x %02x", key,
			  set, release ? "break" : "make", got, out[0], out[1], out[2]);
}

TEST(ps2_plain_and_extended_keys)
{
	expect(KEY_A, 1, false, (const uint8_t[]){ 0x1e }, 1);
	expect(KEY_A, 1, true, (const uint8_t[]){ 0x9e }, 1);
	expect(KEY_A, 2, false, (const uint8_t[]){ 0x1c }, 1);
	expect(KEY_A, 2, true, (const uint8_t[]){ 0xf0, 0x1c }, 2);
	expect(KEY_ESC, 2, false, (const uint8_t[]){ 0x76 }, 1);
	expect(KEY_F7, 2, false, (const uint8_t[]){ 0x83 }, 1);
	expect(KEY_ENTER, 1, false, (const uint8_t[]){ 0x1c }, 1);
	expect(KEY_KPENTER, 1, false, (const uint8_t[]){ 0xe0, 0x1c }, 2);
	expect(KEY_UP, 2, false, (const uint8_t[]){ 0xe0, 0x75 }, 2);
	expect(KEY_UP, 2, true, (const uint8_t[]){ 0xe0, 0xf0, 0x75 }, 3);
	expect(KEY_UP, 1, true, (const uint8_t[]){ 0xe0, 0xc8 }, 2);
	expect(KEY_LEFTMETA, 2, false, (const uint8_t[]){ 0xe0, 0x1f }, 2);
	expect(KEY_102ND, 2, false, (const uint8_t[]){ 0x61 }, 1);
	expect(KEY_RIGHTALT, 2, false, (const uint8_t[]){ 0xe0, 0x11 }, 2);
}

TEST(ps2_special_keys_and_unknowns)
{
	expect(KEY_PAUSE, 1, false, (const uint8_t[]){ 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 }, 6);
	expect(KEY_PAUSE, 2, true, NULL, 0);
	expect(KEY_SYSRQ, 2, false, (const uint8_t[]){ 0xe0, 0x12, 0xe0, 0x7c }, 4);
	expect(KEY_SYSRQ, 1, true, (const uint8_t[]){ 0xe0, 0xb7, 0xe0, 0xaa }, 4);
	expect(KEY_MAX, 1, false, NULL, 0);
	expect(BTN_LEFT, 2, false, NULL, 0);
	expect(KEY_A, 3, false, NULL, 0);
}

/* Every key of a 105-key keyboard has both sets, distinct makes. */
TEST(ps2_tables_are_complete_and_unambiguous)
{
	uint8_t seen1[2][256] = { { 0 } }, seen2[2][256] = { { 0 } };

	for (unsigned k = KEY_ESC; k <= KEY_WAKEUP; k++) {
		uint8_t a[8], b[8];
		size_t n1 = ps2_scancode(k, 1, false, a), n2 = ps2_scancode(k, 2, false, b);
		CHECK_EQ(n1 != 0, n2 != 0);
		if (!n1 || k == KEY_PAUSE || k == KEY_SYSRQ)
			continue;
		int e1 = n1 == 2, e2 = n2 == 2;
		CHECK(!seen1[e1][a[n1 - 1]]);
		CHECK(!seen2[e2][b[n2 - 1]]);
		seen1[e1][a[n1 - 1]] = seen2[e2][b[n2 - 1]] = 1;
	}
	for (unsigned k = KEY_ESC; k <= KEY_KPDOT; k++)
		CHECK(ps2_scancode(k, 2, false, (uint8_t[8]){ 0 }) > 0);
}

TEST(framebuffer_formats_convert_both_ways)
{
	struct fb_format rgb565 = { 16, 11, 5, 0, 5, 6, 5 };
	struct fb_format bgr888 = { 24, 0, 8, 16, 8, 8, 8 };
	struct fb_format xrgb = { 32, 16, 8, 0, 8, 8, 8 };
	uint32_t in[4] = { 0xffffff, 0xff0000, 0x00ff00, 0x0000ff }, back[4];
	uint8_t raw[16];

	CHECK(fb_format_is_xrgb(&xrgb));
	fb_row_from_xrgb(&rgb565, in, raw, 4);
	CHECK_EQ(raw[2] | raw[3] << 8, 0xf800);
	fb_row_to_xrgb(&rgb565, raw, back, 4);
	CHECK_MEM(back, in, sizeof(in));
	fb_row_from_xrgb(&bgr888, in, raw, 4);
	CHECK(raw[3] == 0xff && raw[4] == 0 && raw[5] == 0); /* red at bit 0 */
	fb_row_to_xrgb(&bgr888, raw, back, 4);
	CHECK_MEM(back, in, sizeof(in));
}
