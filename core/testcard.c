/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test card: what `kvmbox screen test` shows and the boot tests check
 * in QEMU's screendumps. Every position derives from the image size.
 */
#include <stdio.h>

#include "core/core.h"

#define BACKGROUND GFX_RGB(0x20, 0x20, 0x28)
#define TEXT GFX_RGB(0xff, 0xff, 0xff)

const uint32_t gfx_test_card_colours[8] = {
	GFX_RGB(255, 255, 255), GFX_RGB(255, 255, 0), GFX_RGB(0, 255, 255),
	GFX_RGB(0, 255, 0),	GFX_RGB(255, 0, 255), GFX_RGB(255, 0, 0),
	GFX_RGB(0, 0, 255),	GFX_RGB(0, 0, 0),
};

struct gfx_rect gfx_test_card_bar(const struct gfx_image *im)
{
	int w = (int)im->width, h = (int)im->height, m = MAX(w / 32, 4);
	return (struct gfx_rect){ m, h - 2 * m - 24, w - 2 * m, 24 };
}

/* Code points first..last (skipping C1 controls), as UTF-8. */
static void repertoire_row(char *out, size_t size, unsigned first, unsigned last)
{
	size_t n = 0;

	for (unsigned cp = first; cp <= last && n + 3 < size; cp++) {
		if (cp < 0x80) {
			out[n++] = (char)cp;
		} else {
			out[n++] = (char)(0xc0 | cp >> 6);
			out[n++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	out[n] = 0;
}

void gfx_test_card(struct gfx_image *im, unsigned permille)
{
	static const unsigned rows[][2] = { { 0x20, 0x3f }, { 0x40, 0x5f },
					    { 0x60, 0x7e }, { 0xa0, 0xbf },
					    { 0xc0, 0xdf }, { 0xe0, 0xff } };
	int w = (int)im->width, h = (int)im->height, m = MAX(w / 32, 4);
	const struct font *big = font_large(), *small = font_small();
	char line[128];

	gfx_fill(im, (struct gfx_rect){ 0, 0, w, h }, BACKGROUND);
	for (int i = 0; i < 8; i++) {
		int x0 = i * w / 8, x1 = (i + 1) * w / 8;
		gfx_fill(im, (struct gfx_rect){ x0, 0, x1 - x0, h / 3 },
			 gfx_test_card_colours[i]);
	}
	int y = h / 3 + m / 2;
	snprintf(line, sizeof(line), "kvmbox — écran de test %ux%u", im->width,
		 im->height);
	gfx_text(im, big, 1, m, y, line, TEXT, GFX_TRANSPARENT);
	y += (int)big->height + m / 2;
	for (unsigned r = 0; r < ARRAY_SIZE(rows); r++) {
		repertoire_row(line, sizeof(line), rows[r][0], rows[r][1]);
		gfx_text(im, big, 1, m, y + (int)(r * big->height), line, TEXT,
			 GFX_TRANSPARENT);
		gfx_text(im, small, 1, m + 33 * (int)big->width,
			 y + (int)(r * small->height), line, TEXT, BACKGROUND);
	}
	gfx_progress(im, gfx_test_card_bar(im), permille, GFX_RGB(0x30, 0xa0, 0x50),
		     GFX_RGB(0x40, 0x40, 0x48), TEXT);
}
