/* SPDX-License-Identifier: GPL-2.0-only */
/* The graphical menu: tiles where the pointer finds them, keys, a picture. */
#include <linux/input-event-codes.h>
#include <string.h>

#include "initramfs/initramfs.h"
#include "tests/harness.h"

/* initramfs/menu_gfx.c (declared in initramfs.h once wired in). */
int menu_render_gfx(const struct menu_model *m, struct gfx_image *im,
		    const struct gfx_image *const *icons);
int menu_gfx_hit(const struct menu_model *m, const struct gfx_image *im, int x, int y);
enum menu_key menu_gfx_key(unsigned keycode, bool shift, int *ch);

static const char catalog_text[] =
	"[catalog]\ntitle = Salle B204 — Réseaux\n"
	"[appliance debian]\ntitle = Debian 12 « bureau »\ntype = local\n"
	"kernel = vmlinuz\nkernel_sha256 = 0000000000000000000000000000000000000000000000000000000000000000\n"
	"[appliance routeur]\ntitle = Routeur pédagogique\ntype = local\n"
	"kernel = vmlinuz\nkernel_sha256 = 0000000000000000000000000000000000000000000000000000000000000000\n"
	"[appliance bureau]\ntitle = Bureau à distance (SPICE)\ntype = spice\n"
	"url = spice://10.0.0.1:5900\n";

static uint32_t px(const struct gfx_image *im, int x, int y)
{
	return gfx_image_row(im, (unsigned)y)[x];
}

TEST(menu_gfx_tiles_hit_and_selection)
{
	struct catalog cat;
	struct errmsg e;
	struct menu_model m;
	struct gfx_image im;

	if (catalog_parse("t.ini", catalog_text, strlen(catalog_text), &cat, &e))
		test_fail(__FILE__, __LINE__, "catalog: %s", e.msg);
	menu_model_init(&m, &cat);
	m.status[1].state = MENU_APP_DOWNLOADING;
	m.status[1].percent = 40;
	str_copy(m.net.state, sizeof(m.net.state), "online");
	str_copy(m.net.address, sizeof(m.net.address), "10.0.0.42/24");
	str_copy(m.clock, sizeof(m.clock), "08:30");
	CHECK_EQ(gfx_image_alloc(&im, 1280, 720), 0);
	CHECK_EQ(menu_render_gfx(&m, &im, NULL), 0);
	CHECK_EQ(ppm_write(test_path("menu.ppm"), &im), 0);

	/* Tiles side by side from the top-left; the first one is selected. */
	int x0 = 32 + 160, y = 120;
	CHECK_EQ(menu_gfx_hit(&m, &im, x0, y), 0);
	CHECK_EQ(menu_gfx_hit(&m, &im, x0 + 344, y), 1);
	CHECK_EQ(menu_gfx_hit(&m, &im, x0 + 688, y), 2);
	CHECK_EQ(menu_gfx_hit(&m, &im, 5, 5), -1);
	CHECK_EQ(px(&im, 33, 100), GFX_RGB(0xff, 0xc8, 0x3c)); /* selection frame */
	CHECK(px(&im, 33 + 344, 100) != GFX_RGB(0xff, 0xc8, 0x3c));
	/* Online: a green indicator in the top bar. */
	bool green = false;
	for (int x = 900; x < 1280; x++)
		green |= px(&im, x, 24) == GFX_RGB(0x40, 0xc0, 0x60);
	CHECK(green);

	/* Moving the selection moves the frame. */
	CHECK_EQ(menu_key(&m, MK_DOWN, 0), ACT_REDRAW);
	menu_render_gfx(&m, &im, NULL);
	CHECK_EQ(px(&im, 33 + 344, 100), GFX_RGB(0xff, 0xc8, 0x3c));
	CHECK(px(&im, 33, 100) != GFX_RGB(0xff, 0xc8, 0x3c));

	/* Other screens and a small screen draw without trouble. */
	struct gfx_image small;
	CHECK_EQ(gfx_image_alloc(&small, 640, 480), 0);
	for (int s = MENU_LIST; s <= MENU_PAGE; s++) {
		m.screen = (enum menu_screen)s;
		menu_render_gfx(&m, &small, NULL);
		menu_render_gfx(&m, &im, NULL);
	}
	gfx_image_free(&small);
	gfx_image_free(&im);
	menu_model_free(&m);
	catalog_free(&cat);
}

TEST(menu_gfx_keys)
{
	int ch;

	CHECK_EQ(menu_gfx_key(KEY_UP, false, &ch), MK_UP);
	CHECK_EQ(menu_gfx_key(KEY_RIGHT, false, &ch), MK_DOWN);
	CHECK_EQ(menu_gfx_key(KEY_KPENTER, false, &ch), MK_ENTER);
	CHECK_EQ(menu_gfx_key(KEY_A, false, &ch), MK_CHAR);
	CHECK_EQ(ch, 'a');
	CHECK_EQ(menu_gfx_key(KEY_M, true, &ch), MK_CHAR);
	CHECK_EQ(ch, 'M');
	CHECK_EQ(menu_gfx_key(KEY_3, false, &ch), MK_CHAR);
	CHECK_EQ(ch, '3');
	CHECK_EQ(menu_gfx_key(KEY_LEFTSHIFT, false, &ch), MK_NONE);
	CHECK_EQ(menu_gfx_key(KEY_F1, false, &ch), MK_NONE);
}
