/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The graphical front-end of the menu: the same model as the text one
 * (menu_text.c), drawn full screen with core's drawing and embedded font:
 * a tile per appliance (icon, title, status, download progress), the
 * selection framed, an online/offline indicator and the clock on top, the
 * message and the keys at the bottom. Input comes as Linux key codes and
 * pointer positions (core's evdev input) and is turned into the model's keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/input-event-codes.h>

#include "initramfs/initramfs.h"

#define BG GFX_RGB(0x1c, 0x22, 0x2b)
#define BAR GFX_RGB(0x10, 0x14, 0x1a)
#define TILE GFX_RGB(0x2a, 0x33, 0x40)
#define TILE_SEL GFX_RGB(0x35, 0x4a, 0x66)
#define FRAME_SEL GFX_RGB(0xff, 0xc8, 0x3c)
#define INK GFX_RGB(0xf0, 0xf0, 0xf0)
#define DIM GFX_RGB(0xa0, 0xa8, 0xb4)
#define ONLINE GFX_RGB(0x40, 0xc0, 0x60)
#define OFFLINE GFX_RGB(0xd0, 0x40, 0x40)
#define PROGRESS GFX_RGB(0x30, 0xa0, 0x50)
#define PROGRESS_BG GFX_RGB(0x40, 0x40, 0x48)
#define ICON_MAX 96

/* Sizes follow the screen: the large font from 1280 pixels up. */
struct layout {
	const struct font *title, *text;
	int margin, bar_h, tile_w, tile_h, gap, cols, top, rows_fit;
};

static struct layout layout_for(const struct gfx_image *im)
{
	struct layout l;
	int w = (int)im->width, h = (int)im->height;
	bool big = w >= 1280 && h >= 720;

	l.title = big ? font_large() : font_small();
	l.text = font_small();
	l.margin = big ? 32 : 12;
	l.bar_h = (int)l.title->height + 16;
	l.tile_w = big ? 320 : 200;
	l.tile_h = ICON_MAX + 24 + (int)l.title->height + 2 * (int)l.text->height + 24;
	l.gap = big ? 24 : 12;
	l.cols = MAX(1, (w - 2 * l.margin + l.gap) / (l.tile_w + l.gap));
	l.top = l.bar_h + l.margin;
	int bottom = h - 4 * (int)l.text->height - l.margin;
	l.rows_fit = MAX(1, (bottom - l.top + l.gap) / (l.tile_h + l.gap));
	return l;
}

/* Copies at most @glyphs characters of @s, with "..." when cut. */
static void fit_text(char *out, size_t size, const char *s, int glyphs)
{
	const char *p = s, *end = s + strlen(s);
	int n = 0;

	while (p < end && n < glyphs) {
		utf8_next(&p, end);
		n++;
	}
	if (p == end || glyphs < 4) {
		snprintf(out, size, "%.*s", (int)(p - s), s);
		return;
	}
	p = s;
	for (n = 0; n < glyphs - 3; n++)
		utf8_next(&p, end);
	snprintf(out, size, "%.*s...", (int)(p - s), s);
}

static void text_in(struct gfx_image *im, const struct font *f, int x, int y, int width,
		    const char *s, uint32_t colour)
{
	char line[512];

	fit_text(line, sizeof(line), s, width / (int)f->width);
	gfx_text(im, f, 1, x, y, line, colour, GFX_TRANSPARENT);
}

static void status_line(const struct menu_model *m, size_t app, char *out, size_t size)
{
	const struct menu_app_status *st = &m->status[app];

	if (m->running[0] && !strcmp(m->running, m->cat->apps[app].name))
		snprintf(out, size, "en cours / running");
	else if (st->state == MENU_APP_READY)
		snprintf(out, size, "prêt / ready");
	else if (st->state == MENU_APP_DOWNLOADING)
		snprintf(out, size, "téléchargement %u %%", st->percent);
	else
		snprintf(out, size, "indisponible: %s", st->reason);
}

/* The first visible tile row, so the selection is always on screen. */
static size_t first_row(const struct menu_model *m, const struct layout *l)
{
	size_t row = m->selected / (size_t)l->cols;
	return row >= (size_t)l->rows_fit ? row - (size_t)l->rows_fit + 1 : 0;
}

static struct gfx_rect tile_rect(const struct layout *l, size_t slot)
{
	return (struct gfx_rect){ l->margin + (int)(slot % (size_t)l->cols) * (l->tile_w + l->gap),
				  l->top + (int)(slot / (size_t)l->cols) * (l->tile_h + l->gap),
				  l->tile_w, l->tile_h };
}

static void draw_icon(struct gfx_image *im, const struct gfx_image *icon, struct gfx_rect t,
		      const char *title)
{
	int x = t.x + (t.w - ICON_MAX) / 2, y = t.y + 12;

	if (icon && icon->width <= ICON_MAX && icon->height <= ICON_MAX) {
		gfx_draw_image(im, x + (ICON_MAX - (int)icon->width) / 2,
			       y + (ICON_MAX - (int)icon->height) / 2, icon);
		return;
	}
	/* No icon: the title's first letter on a plain square. */
	char first[8] = "?";
	const char *p = title, *end = title + strlen(title);
	if (*p) {
		utf8_next(&p, end);
		snprintf(first, sizeof(first), "%.*s", (int)(p - title), title);
	}
	gfx_fill(im, (struct gfx_rect){ x, y, ICON_MAX, ICON_MAX }, GFX_RGB(0x45, 0x55, 0x6a));
	const struct font *f = font_large();
	gfx_text(im, f, 2, x + (ICON_MAX - 2 * (int)f->width) / 2,
		 y + (ICON_MAX - 2 * (int)f->height) / 2, first, INK, GFX_TRANSPARENT);
}

static void draw_tile(struct gfx_image *im, const struct layout *l, const struct menu_model *m,
		      size_t app, struct gfx_rect t, bool selected, const struct gfx_image *icon)
{
	const struct catalog_appliance *a = &m->cat->apps[app];
	const struct menu_app_status *st = &m->status[app];
	char line[160];

	gfx_fill(im, t, selected ? TILE_SEL : TILE);
	if (selected)
		gfx_frame(im, t, 4, FRAME_SEL);
	draw_icon(im, icon, t, a->title ? a->title : a->name);
	int y = t.y + 12 + ICON_MAX + 12;
	/* Long titles drop to the smaller font before being cut. */
	const char *title = a->title ? a->title : a->name;
	const struct font *tf = gfx_text_width(l->title, 1, title) <= t.w - 24 ? l->title
										 : l->text;
	text_in(im, tf, t.x + 12, y + ((int)l->title->height - (int)tf->height) / 2,
		t.w - 24, title, INK);
	y += (int)l->title->height + 4;
	status_line(m, app, line, sizeof(line));
	text_in(im, l->text, t.x + 12, y, t.w - 24, line,
		st->state == MENU_APP_UNAVAILABLE ? OFFLINE : DIM);
	y += (int)l->text->height + 4;
	if (st->state == MENU_APP_DOWNLOADING)
		gfx_progress(im, (struct gfx_rect){ t.x + 12, y, t.w - 24, 12 },
			     MIN(st->percent, 100u) * 10, PROGRESS, PROGRESS_BG, DIM);
}

static void draw_top_bar(struct gfx_image *im, const struct layout *l,
			 const struct menu_model *m)
{
	int w = (int)im->width;
	bool online = !strcmp(m->net.state, "online");
	char right[160];

	gfx_fill(im, (struct gfx_rect){ 0, 0, w, l->bar_h }, BAR);
	snprintf(right, sizeof(right), "%s%s", m->cat && m->cat->title ? m->cat->title : "kvmbox",
		 m->admin ? "  [admin]" : "");
	text_in(im, l->title, l->margin, 8, w / 2, right, INK);
	snprintf(right, sizeof(right), "%s %s  %s", online ? "en ligne" : "hors ligne",
		 online ? m->net.address : "", m->clock);
	int tw = gfx_text_width(l->text, 1, right);
	int x = w - l->margin - tw, y = (l->bar_h - (int)l->text->height) / 2;
	gfx_text(im, l->text, 1, x, y, right, INK, GFX_TRANSPARENT);
	/* The indicator: a green or red square before the words. */
	int d = (int)l->text->height - 4;
	gfx_fill(im, (struct gfx_rect){ x - d - 8, y + 2, d, d }, online ? ONLINE : OFFLINE);
}

static void draw_list(struct gfx_image *im, const struct layout *l, const struct menu_model *m,
		      const struct gfx_image *const *icons)
{
	size_t idx[CATALOG_MAX_APPLIANCES], n = menu_rows(m, idx, ARRAY_SIZE(idx));
	size_t first = first_row(m, l) * (size_t)l->cols;

	if (!n)
		text_in(im, l->title, l->margin, l->top, (int)im->width, "(aucune appliance / no appliance)", DIM);
	for (size_t r = first; r < n && r < first + (size_t)(l->cols * l->rows_fit); r++)
		draw_tile(im, l, m, idx[r], tile_rect(l, r - first), r == m->selected,
			  icons ? icons[idx[r]] : NULL);
}

/* The other screens are short lists of lines, as in the text front-end. */
static void draw_lines(struct gfx_image *im, const struct layout *l, const struct menu_model *m)
{
	int x = l->margin, y = l->top, w = (int)im->width - 2 * l->margin;
	int step = (int)l->title->height + 8;
	char line[256];

	if (m->screen == MENU_PASSWORD) {
		snprintf(line, sizeof(line), "Mot de passe / password: %.*s", (int)m->password_len,
			 "****************************************************************");
		text_in(im, l->title, x, y, w, line, INK);
	} else if (m->screen == MENU_ADMIN) {
		text_in(im, l->title, x, y, w, "Administration", INK);
		for (size_t i = 0; menu_admin_item(i); i++) {
			struct gfx_rect r = { x, y + (int)(i + 1) * step - 4, w, step };
			if (i == m->admin_sel)
				gfx_fill(im, r, TILE_SEL);
			text_in(im, l->title, x + 8, r.y + 4, w - 16, menu_admin_item(i), INK);
		}
	} else if (m->screen == MENU_PICK_RESET) {
		size_t idx[CATALOG_MAX_APPLIANCES], n = menu_reset_rows(m, idx, ARRAY_SIZE(idx));
		text_in(im, l->title, x, y, w, "Réinitialiser / reset (Esc: retour)", INK);
		for (size_t i = 0; i < n; i++) {
			struct gfx_rect r = { x, y + (int)(i + 1) * step - 4, w, step };
			if (i == m->pick_sel)
				gfx_fill(im, r, TILE_SEL);
			text_in(im, l->title, x + 8, r.y + 4, w - 16, m->cat->apps[idx[i]].title, INK);
		}
	} else {
		const char *p = m->page.data ? (const char *)m->page.data : "";
		int ty = y + step, lh = (int)l->text->height + 2;
		text_in(im, l->title, x, y, w, m->page_title, INK);
		while (*p && ty + lh < (int)im->height - 4 * (int)l->text->height - l->margin) {
			const char *nl = strchr(p, '\n');
			int len = nl ? (int)(nl - p) : (int)strlen(p);
			snprintf(line, sizeof(line), "%.*s", len, p);
			text_in(im, l->text, x, ty, w, line, DIM);
			ty += lh;
			p += len + (nl ? 1 : 0);
		}
	}
}

static void draw_bottom(struct gfx_image *im, const struct layout *l, const struct menu_model *m)
{
	int lh = (int)l->text->height + 2, w = (int)im->width - 2 * l->margin;
	int y = (int)im->height - l->margin - 3 * lh;
	const char *p = m->message;
	char line[256];

	for (int i = 0; i < 2 && *p; i++, y += lh) { /* the message, two lines */
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		snprintf(line, sizeof(line), "%.*s", len, p);
		text_in(im, l->text, l->margin, y, w, line, FRAME_SEL);
		p += len + (nl ? 1 : 0);
	}
	y = (int)im->height - l->margin - lh;
	if (m->countdown >= 0 && m->cat && m->cat->autostart[0]) {
		const struct catalog_appliance *a = catalog_find(m->cat, m->cat->autostart);
		snprintf(line, sizeof(line), "Démarrage de %s dans %d s (une touche pour arrêter)",
			 a && a->title ? a->title : m->cat->autostart, m->countdown);
	} else {
		snprintf(line, sizeof(line), "%s", m->screen == MENU_LIST
			 ? "Flèches, souris: choisir   Entrée, clic: démarrer   A: admin"
			 : "Haut/Bas: choisir   Entrée: valider   Échap: retour");
	}
	text_in(im, l->text, l->margin, y, w, line, DIM);
}

int menu_render_gfx(const struct menu_model *m, struct gfx_image *im,
		    const struct gfx_image *const *icons)
{
	struct layout l = layout_for(im);

	gfx_fill(im, (struct gfx_rect){ 0, 0, (int)im->width, (int)im->height }, BG);
	draw_top_bar(im, &l, m);
	if (m->screen == MENU_LIST && m->cat)
		draw_list(im, &l, m, icons);
	else
		draw_lines(im, &l, m);
	draw_bottom(im, &l, m);
	return 0;
}

int menu_gfx_hit(const struct menu_model *m, const struct gfx_image *im, int x, int y)
{
	struct layout l = layout_for(im);
	size_t idx[CATALOG_MAX_APPLIANCES], n;

	if (m->screen != MENU_LIST || !m->cat)
		return -1;
	n = menu_rows(m, idx, ARRAY_SIZE(idx));
	size_t first = first_row(m, &l) * (size_t)l.cols;
	for (size_t r = first; r < n && r < first + (size_t)(l.cols * l.rows_fit); r++) {
		struct gfx_rect t = tile_rect(&l, r - first);
		if (x >= t.x && x < t.x + t.w && y >= t.y && y < t.y + t.h)
			return (int)r;
	}
	return -1;
}

enum menu_key menu_gfx_key(unsigned keycode, bool shift, int *ch)
{
	static const char letters[] = "qwertyuiop\0\0\0\0asdfghjkl\0\0\0\0\0zxcvbnm";
	static const char digits[] = "1234567890";

	*ch = 0;
	switch (keycode) {
	case KEY_UP: case KEY_LEFT: return MK_UP;
	case KEY_DOWN: case KEY_RIGHT: return MK_DOWN;
	case KEY_ENTER: case KEY_KPENTER: return MK_ENTER;
	case KEY_ESC: return MK_ESC;
	case KEY_BACKSPACE: return MK_BACKSPACE;
	case KEY_HOME: return MK_HOME;
	case KEY_END: return MK_END;
	case KEY_SPACE: *ch = ' '; return MK_CHAR;
	}
	if (keycode >= KEY_1 && keycode <= KEY_0)
		*ch = digits[keycode - KEY_1];
	else if (keycode >= KEY_Q && keycode <= KEY_M && letters[keycode - KEY_Q])
		*ch = letters[keycode - KEY_Q] - (shift ? 'a' - 'A' : 0);
	return *ch ? MK_CHAR : MK_NONE;
}

/* ---- the front-end object: screen, input, pointer ------------------------ */

struct menu_gfx {
	struct screen *screen;
	struct input *input;
	struct menu_model *m;
	menu_gfx_key_fn fn;
	void *ctx;
	struct gfx_image frame, next; /* the menu alone; with the pointer */
	int px, py;
	bool shift, pointer_seen, drawn;
	const struct gfx_image *const *icons;
};

/* The bounding box of what differs between two same-size images. */
static struct gfx_rect changed(const struct gfx_image *a, const struct gfx_image *b)
{
	int y0 = -1, y1 = -1, x0 = (int)a->width, x1 = 0;

	for (unsigned y = 0; y < a->height; y++) {
		const uint32_t *ra = gfx_image_row(a, y), *rb = gfx_image_row(b, y);
		if (!memcmp(ra, rb, (size_t)a->width * 4))
			continue;
		if (y0 < 0)
			y0 = (int)y;
		y1 = (int)y;
		unsigned l = 0, r = a->width;
		while (ra[l] == rb[l])
			l++;
		while (ra[r - 1] == rb[r - 1])
			r--;
		x0 = MIN(x0, (int)l);
		x1 = MAX(x1, (int)r);
	}
	if (y0 < 0)
		return (struct gfx_rect){ 0, 0, 0, 0 };
	return (struct gfx_rect){ x0, y0, x1 - x0, y1 - y0 + 1 };
}

static void show(struct menu_gfx *g)
{
	struct gfx_image *shown = &g->screen->image;
	struct gfx_damage d = { 0 };

	gfx_copy(&g->next, &g->frame, (struct gfx_rect){ 0, 0, (int)shown->width,
							 (int)shown->height });
	if (g->pointer_seen)
		gfx_cursor(&g->next, g->px, g->py);
	struct gfx_rect r = g->drawn ? changed(&g->next, shown)
				     : (struct gfx_rect){ 0, 0, (int)shown->width,
							  (int)shown->height };
	g->drawn = true;
	if (gfx_rect_empty(r))
		return;
	gfx_copy(shown, &g->next, r);
	gfx_damage_add(&d, r);
	screen_present(g->screen, &d);
}

void menu_gfx_draw(struct menu_gfx *g, const struct gfx_image *const *icons)
{
	g->icons = icons;
	menu_render_gfx(g->m, &g->frame, icons);
	show(g);
}

static void on_input(void *ctx, const struct input_msg *im)
{
	struct menu_gfx *g = ctx;
	struct gfx_image *s = &g->screen->image;
	int ch;

	switch (im->kind) {
	case INPUT_KEY:
		if (im->code == KEY_LEFTSHIFT || im->code == KEY_RIGHTSHIFT)
			g->shift = im->value != 0;
		else if (im->value) {
			enum menu_key k = menu_gfx_key(im->code, g->shift, &ch);
			if (k != MK_NONE)
				g->fn(g->ctx, k, ch);
		}
		return;
	case INPUT_WHEEL:
		g->fn(g->ctx, im->y > 0 ? MK_UP : MK_DOWN, 0);
		return;
	case INPUT_BUTTON:
		if (im->code == BTN_LEFT && im->value == 1 && g->pointer_seen) {
			int row = menu_gfx_hit(g->m, s, g->px, g->py);
			if (row < 0)
				return;
			if ((size_t)row == g->m->selected) {
				g->fn(g->ctx, MK_ENTER, 0);
			} else {
				g->m->selected = (size_t)row;
				menu_gfx_draw(g, g->icons);
			}
		}
		return;
	case INPUT_POSITION:
		g->px = (int)((int64_t)im->x * s->width / (INPUT_ABS_MAX + 1));
		g->py = (int)((int64_t)im->y * s->height / (INPUT_ABS_MAX + 1));
		break;
	case INPUT_MOTION:
		g->px = MAX(0, MIN(g->px + im->x, (int)s->width - 1));
		g->py = MAX(0, MIN(g->py + im->y, (int)s->height - 1));
		break;
	}
	g->pointer_seen = true;
	show(g);
}

int menu_gfx_open(struct evloop *loop, struct menu_model *m, menu_gfx_key_fn fn,
		  void *ctx, struct menu_gfx **out, struct errmsg *err)
{
	struct menu_gfx *g = calloc(1, sizeof(*g));
	int rc;

	if (!g)
		return errmsg_set(err, -ENOMEM, "out of memory");
	g->m = m;
	g->fn = fn;
	g->ctx = ctx;
	if ((rc = screen_open(NULL, &g->screen, err))) {
		free(g);
		return rc;
	}
	unsigned w = g->screen->image.width, h = g->screen->image.height;
	if ((rc = gfx_image_alloc(&g->frame, w, h)) || (rc = gfx_image_alloc(&g->next, w, h))) {
		menu_gfx_close(g);
		return errmsg_set(err, rc, "screen %ux%u: %s", w, h, err_str(rc));
	}
	g->px = (int)w / 2;
	g->py = (int)h / 2;
	/* Grabbed: keys typed for the menu must not also reach the console. */
	if (input_open(loop, NULL, on_input, g, &g->input, err))
		log_warn("menu: no input devices: %s", err->msg);
	else
		input_grab(g->input, true);
	*out = g;
	return 0;
}

void menu_gfx_close(struct menu_gfx *g)
{
	if (!g)
		return;
	input_close(g->input);
	gfx_image_free(&g->frame);
	gfx_image_free(&g->next);
	screen_close(g->screen);
	free(g);
}
