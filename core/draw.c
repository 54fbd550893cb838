/* SPDX-License-Identifier: GPL-2.0-only */
/* Filled rectangles, frames, text, progress bars, images and the pointer. */
#include <string.h>

#include "core/core.h"

static struct gfx_rect bounds(const struct gfx_image *im)
{
	return (struct gfx_rect){ 0, 0, (int)im->width, (int)im->height };
}

void gfx_fill(struct gfx_image *im, struct gfx_rect r, uint32_t color)
{
	r = gfx_rect_intersect(r, bounds(im));
	for (int y = r.y; y < r.y + r.h; y++) {
		uint32_t *row = gfx_image_row(im, (unsigned)y) + r.x;
		for (int x = 0; x < r.w; x++)
			row[x] = color;
	}
}

void gfx_frame(struct gfx_image *im, struct gfx_rect r, int t, uint32_t color)
{
	if (t <= 0 || gfx_rect_empty(r))
		return;
	t = MIN(t, MIN(r.w, r.h));
	gfx_fill(im, (struct gfx_rect){ r.x, r.y, r.w, t }, color);
	gfx_fill(im, (struct gfx_rect){ r.x, r.y + r.h - t, r.w, t }, color);
	gfx_fill(im, (struct gfx_rect){ r.x, r.y + t, t, r.h - 2 * t }, color);
	gfx_fill(im, (struct gfx_rect){ r.x + r.w - t, r.y + t, t, r.h - 2 * t }, color);
}

static void draw_glyph(struct gfx_image *im, const struct font *f, unsigned scale,
		       int x, int y, unsigned glyph, uint32_t fg, uint32_t bg)
{
	unsigned rowbytes = (f->width + 7) / 8;
	const uint8_t *bits = f->bits + (size_t)glyph * rowbytes * f->height;
	struct gfx_rect box = gfx_rect_intersect(
		(struct gfx_rect){ x, y, (int)(f->width * scale), (int)(f->height * scale) },
		bounds(im));

	for (int py = box.y; py < box.y + box.h; py++) {
		const uint8_t *gr = bits + (unsigned)(py - y) / scale * rowbytes;
		uint32_t *row = gfx_image_row(im, (unsigned)py);
		for (int px = box.x; px < box.x + box.w; px++) {
			unsigned gx = (unsigned)(px - x) / scale;
			bool on = gr[gx / 8] & (0x80 >> (gx % 8));
			if (on)
				row[px] = fg;
			else if (bg != GFX_TRANSPARENT)
				row[px] = bg;
		}
	}
}

int gfx_text(struct gfx_image *im, const struct font *f, unsigned scale, int x,
	     int y, const char *utf8, uint32_t fg, uint32_t bg)
{
	const char *s = utf8, *end = utf8 + strlen(utf8);
	int x0 = x, step;

	scale = MAX(scale, 1u);
	step = (int)(f->width * scale);
	while (s < end) {
		uint32_t cp = utf8_next(&s, end);
		/* Off-screen glyphs are still counted in the width. */
		if (x < (int)im->width && x + step > 0)
			draw_glyph(im, f, scale, x, y, font_glyph(f, cp), fg, bg);
		x += step;
	}
	return x - x0;
}

int gfx_text_width(const struct font *f, unsigned scale, const char *utf8)
{
	const char *s = utf8, *end = utf8 + strlen(utf8);
	int n = 0;

	while (s < end) {
		utf8_next(&s, end);
		n++;
	}
	return n * (int)(f->width * MAX(scale, 1u));
}

void gfx_progress(struct gfx_image *im, struct gfx_rect r, unsigned permille,
		  uint32_t fg, uint32_t bg, uint32_t frame)
{
	if (r.w < 4 || r.h < 4)
		return;
	permille = MIN(permille, 1000u);
	gfx_frame(im, r, 2, frame);
	struct gfx_rect in = { r.x + 2, r.y + 2, r.w - 4, r.h - 4 };
	int done = (int)((int64_t)in.w * permille / 1000);
	gfx_fill(im, (struct gfx_rect){ in.x, in.y, done, in.h }, fg);
	gfx_fill(im, (struct gfx_rect){ in.x + done, in.y, in.w - done, in.h }, bg);
}

void gfx_draw_image(struct gfx_image *dst, int x, int y, const struct gfx_image *src)
{
	struct gfx_rect r = gfx_rect_intersect(
		(struct gfx_rect){ x, y, (int)src->width, (int)src->height }, bounds(dst));

	for (int py = r.y; py < r.y + r.h; py++)
		memcpy(gfx_image_row(dst, (unsigned)py) + r.x,
		       gfx_image_row(src, (unsigned)(py - y)) + (r.x - x),
		       (size_t)r.w * 4);
}

void gfx_copy(struct gfx_image *dst, const struct gfx_image *src, struct gfx_rect r)
{
	r = gfx_rect_intersect(r, gfx_rect_intersect(bounds(dst), bounds(src)));
	for (int y = r.y; y < r.y + r.h; y++)
		memcpy(gfx_image_row(dst, (unsigned)y) + r.x,
		       gfx_image_row(src, (unsigned)y) + r.x, (size_t)r.w * 4);
}

/* 'X' outline (black), '.' fill (white), ' ' see-through. */
static const char *const cursor_shape[] = {
	"X",           "XX",          "X.X",         "X..X",
	"X...X",       "X....X",      "X.....X",     "X......X",
	"X.......X",   "X........X",  "X.........X", "X..........X",
	"X......XXXXX", "X...X..X",   "X..XX..X",    "X.X  X..X",
	"XX   X..X",   "X     X..X",  "      XX",
};

struct gfx_rect gfx_cursor(struct gfx_image *im, int x, int y)
{
	for (int row = 0; row < (int)ARRAY_SIZE(cursor_shape); row++) {
		const char *s = cursor_shape[row];
		for (int col = 0; s[col]; col++) {
			int px = x + col, py = y + row;
			if (s[col] == ' ' || px < 0 || py < 0 ||
			    px >= (int)im->width || py >= (int)im->height)
				continue;
			gfx_image_row(im, (unsigned)py)[px] =
				s[col] == 'X' ? 0 : GFX_RGB(255, 255, 255);
		}
	}
	return (struct gfx_rect){ x, y, GFX_CURSOR_W, GFX_CURSOR_H };
}
