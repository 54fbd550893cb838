/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The remote desktop on the host's screen (core/screen: DRM/KMS with page
 * flips, or fbdev): the remote picture is placed centred at 1:1 when it
 * fits, else scaled to fit (core/blit.c); only the areas the server
 * changed are copied and presented; the pointer is drawn on top, at the
 * server's cursor position (server mouse mode) or at ours (client mode),
 * and the area under it is repaired from the remote picture as it moves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spiceclient/spice.h"

struct spice_screen {
	struct screen *scr;
	struct gfx_blit_map map;
	bool mapped, all;
	const struct spice_pixels *pic;	 /* the remote primary surface */
	struct gfx_damage src;		 /* remote areas changed since present */
	const struct spice_cursor *cursor;
	bool cursor_dirty;
	bool own_pointer;		 /* client mode: draw at ptr_x/ptr_y */
	int ptr_x, ptr_y;
	struct gfx_rect cursor_at;	 /* screen area the cursor covers now */
	uint64_t presents;
};

int spice_screen_open(const char *device, struct spice_screen **out,
		      struct errmsg *err)
{
	struct spice_screen *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return errmsg_set(err, -ENOMEM, "out of memory");
	rc = screen_open(device, &s->scr, err);
	if (rc < 0) {
		free(s);
		return rc;
	}
	log_info("screen %s", s->scr->name);
	*out = s;
	return 0;
}

void spice_screen_close(struct spice_screen *s)
{
	if (!s)
		return;
	gfx_blit_map_free(&s->map);
	screen_close(s->scr);
	free(s);
}

static int on_resize(void *ctx, uint32_t w, uint32_t h)
{
	struct spice_screen *s = ctx;
	const struct gfx_image *im = &s->scr->image;
	bool fits = w <= im->width && h <= im->height;

	gfx_blit_map_free(&s->map);
	s->mapped = false;
	int rc = gfx_blit_map_init(&s->map, w, h, im->width, im->height,
				   fits ? GFX_CENTER : GFX_SCALE);
	if (rc < 0)
		return rc;
	s->mapped = true;
	s->all = true;
	s->pic = NULL;
	gfx_damage_clear(&s->src);
	log_info("remote screen %ux%u %s on %ux%u", w, h, fits ? "centred" : "scaled",
		 im->width, im->height);
	return 0;
}

static void on_update(void *ctx, const struct spice_pixels *pic, int x, int y,
		      int w, int h)
{
	struct spice_screen *s = ctx;

	(void)pic;
	gfx_damage_add(&s->src, (struct gfx_rect){ x, y, w, h });
}

static void on_cursor(void *ctx, const struct spice_cursor *c)
{
	struct spice_screen *s = ctx;

	s->cursor = c;
	s->cursor_dirty = true;
}

const struct spice_output *spice_screen_output(struct spice_screen *s,
					       struct spice_output *o)
{
	*o = (struct spice_output){ s, on_resize, on_update, on_cursor };
	return o;
}

/* Remote coordinates → screen coordinates (the map's placement). */
static void to_screen(const struct spice_screen *s, int x, int y, int *sx, int *sy)
{
	const struct gfx_blit_map *m = &s->map;

	*sx = m->out.x + (int)((int64_t)x * m->out.w / (int)m->src_w);
	*sy = m->out.y + (int)((int64_t)y * m->out.h / (int)m->src_h);
}

/* The remote area behind a screen area (rounded outwards). */
static struct gfx_rect to_remote(const struct spice_screen *s, struct gfx_rect r)
{
	const struct gfx_blit_map *m = &s->map;
	int64_t x0 = (int64_t)(r.x - m->out.x) * m->src_w / m->out.w - 1;
	int64_t y0 = (int64_t)(r.y - m->out.y) * m->src_h / m->out.h - 1;
	int64_t x1 = (int64_t)(r.x + r.w - m->out.x) * m->src_w / m->out.w + 2;
	int64_t y1 = (int64_t)(r.y + r.h - m->out.y) * m->src_h / m->out.h + 2;

	return (struct gfx_rect){ (int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0) };
}

void spice_screen_pointer(struct spice_screen *s, bool own, int x, int y)
{
	if (s->own_pointer != own || s->ptr_x != x || s->ptr_y != y)
		s->cursor_dirty = true;
	s->own_pointer = own;
	s->ptr_x = x;
	s->ptr_y = y;
}

bool spice_screen_placement(const struct spice_screen *s, struct gfx_rect *out,
			    unsigned *remote_w, unsigned *remote_h)
{
	if (!s->mapped)
		return false;
	*out = s->map.out;
	*remote_w = s->map.src_w;
	*remote_h = s->map.src_h;
	return true;
}

void spice_screen_size(const struct spice_screen *s, unsigned *w, unsigned *h)
{
	*w = s->scr->image.width;
	*h = s->scr->image.height;
}

/* Draws the cursor (clipped to the remote picture's area); its box. */
static struct gfx_rect draw_cursor(struct spice_screen *s)
{
	const struct spice_cursor *c = s->cursor;
	struct gfx_rect none = { 0, 0, 0, 0 };

	if (!c || !c->shape.px || (!c->visible && !s->own_pointer))
		return none;
	int x = s->own_pointer ? s->ptr_x : c->x, y = s->own_pointer ? s->ptr_y : c->y, sx, sy;
	to_screen(s, x, y, &sx, &sy);
	struct gfx_image *im = &s->scr->image;
	const struct gfx_rect o = s->map.out;
	size_t stride = im->stride / 4;
	spice_cursor_draw(c, im->px + (size_t)o.y * stride + (size_t)o.x, (unsigned)o.w,
			  (unsigned)o.h, stride, sx - o.x, sy - o.y);
	struct gfx_rect box = { sx - c->hot_x, sy - c->hot_y, (int)c->shape.width,
				(int)c->shape.height };
	return gfx_rect_intersect(box, o);
}

int spice_screen_present(struct spice_screen *s, struct spice_display *d)
{
	struct gfx_damage out = { .n = 0 };
	struct gfx_image *im = &s->scr->image;

	/* The primary may have gone (a reconnect, a mode change) since the
	 * last update: only ever read the one the display has now. */
	s->pic = spice_display_primary(d);
	if (!s->mapped || !s->pic || s->pic->width != s->map.src_w ||
	    s->pic->height != s->map.src_h || (!s->all && !s->src.n && !s->cursor_dirty))
		return 0;
	struct gfx_image src = { s->pic->px, s->pic->width, s->pic->height,
				 s->pic->width * 4, false };
	if (s->all) {
		gfx_blit_borders(&s->map, im);
		gfx_damage_clear(&s->src);
		gfx_damage_add(&s->src, (struct gfx_rect){ 0, 0, (int)src.width, (int)src.height });
		gfx_damage_add(&out, (struct gfx_rect){ 0, 0, (int)im->width, (int)im->height });
	}
	/* Repair where the cursor was, redraw it on top. */
	if (!gfx_rect_empty(s->cursor_at)) {
		gfx_damage_add(&s->src, to_remote(s, s->cursor_at));
		gfx_damage_add(&out, s->cursor_at);
	}
	for (unsigned i = 0; i < s->src.n; i++)
		gfx_damage_add(&out, gfx_blit(&s->map, &src, s->src.r[i], im));
	s->cursor_at = draw_cursor(s);
	gfx_damage_add(&out, s->cursor_at);
	gfx_damage_clear(&s->src);
	s->all = s->cursor_dirty = false;
	if (!s->presents++)
		log_info("on screen: remote %ux%u at %d,%d size %dx%d", s->map.src_w,
			 s->map.src_h, s->map.out.x, s->map.out.y, s->map.out.w, s->map.out.h);
	return screen_present(s->scr, &out);
}

int spice_screen_shot(struct spice_screen *s, const char *path)
{
	return screen_shot(s->scr, path);
}
