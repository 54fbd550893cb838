/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cursor channel: the pointer's shape (every SpiceCursorType, decoded
 * by cursor_shape.c), its position and visibility, and the
 * server-directed cursor cache. Shapes become non-premultiplied ARGB
 * pictures drawn over the remote screen on output, never into it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spiceclient/display_int.h"

void cursor_cache_clear(struct spice_display *d)
{
	for (unsigned i = 0; i < CURSOR_CACHE; i++)
		spice_pixels_free(&d->cursor_cache[i].shape);
	memset(d->cursor_cache, 0, sizeof(d->cursor_cache));
}

static struct cursor_slot *cache_find(struct spice_display *d, uint64_t id)
{
	for (unsigned i = 0; i < CURSOR_CACHE; i++)
		if (d->cursor_cache[i].shape.px && d->cursor_cache[i].id == id)
			return &d->cursor_cache[i];
	return NULL;
}

static int copy_pixels(struct spice_pixels *dst, const struct spice_pixels *src,
		       struct errmsg *err)
{
	int rc = pixels_alloc(dst, src->width, src->height, err);

	if (rc == 0)
		memcpy(dst->px, src->px, (size_t)src->width * src->height * 4);
	return rc;
}

/* SpiceCursor: flags, then (unless NONE) header and shape data. */
static int read_cursor(struct spice_display *d, struct rd *r, struct errmsg *err)
{
	struct spice_cursor *c = &d->cursor;
	uint16_t flags = rd_u16(r);

	if (r->bad)
		return errmsg_set(err, -EBADMSG, "short cursor message");
	if (flags & SPICE_CURSOR_FLAGS_NONE) {
		spice_pixels_free(&c->shape);
		return 0;
	}
	uint64_t id = rd_u64(r);
	uint8_t type = rd_u8(r);
	uint32_t w = rd_u16(r), h = rd_u16(r);
	uint32_t hx = rd_u16(r), hy = rd_u16(r);
	if (r->bad)
		return errmsg_set(err, -EBADMSG, "short cursor header");
	if (flags & SPICE_CURSOR_FLAGS_FROM_CACHE) {
		struct cursor_slot *s = cache_find(d, id);
		if (!s)
			return errmsg_set(err, -EBADMSG, "cursor %#llx is not in the cache",
					  (unsigned long long)id);
		c->hot_x = s->hot_x;
		c->hot_y = s->hot_y;
		return copy_pixels(&c->shape, &s->shape, err);
	}
	int rc = cursor_shape_decode(type, w, h, r->base + r->at, r->len - r->at, &c->shape, err);
	if (rc < 0) {
		spice_pixels_free(&c->shape);
		return rc == -ENOTSUP ? 0 : rc; /* unknown types: no shape */
	}
	c->hot_x = (int)MIN(hx, w - 1);
	c->hot_y = (int)MIN(hy, h - 1);
	if (flags & SPICE_CURSOR_FLAGS_CACHE_ME) {
		struct cursor_slot *s = cache_find(d, id);
		if (!s)
			s = &d->cursor_cache[d->cursor_next++ % CURSOR_CACHE];
		s->id = id;
		s->hot_x = c->hot_x;
		s->hot_y = c->hot_y;
		return copy_pixels(&s->shape, &c->shape, err);
	}
	return 0;
}

static void notify(struct spice_display *d)
{
	if (d->has_out && d->out.cursor)
		d->out.cursor(d->out.ctx, &d->cursor);
}

int spice_cursor_message(struct spice_display *d, uint16_t type,
			 const uint8_t *body, size_t len, struct errmsg *err)
{
	struct spice_cursor *c = &d->cursor;
	struct rd r = rd_init(body, len);
	int rc = 0;

	switch (type) {
	case SPICE_MSG_CURSOR_INIT:
	case SPICE_MSG_CURSOR_SET:
	case SPICE_MSG_CURSOR_MOVE: {
		int x = (int16_t)rd_u16(&r), y = (int16_t)rd_u16(&r);
		if (type == SPICE_MSG_CURSOR_INIT)
			rd_take(&r, 4); /* trail length and frequency */
		bool visible = type == SPICE_MSG_CURSOR_MOVE ? c->visible : rd_u8(&r);
		if (r.bad)
			return errmsg_set(err, -EBADMSG, "short cursor message");
		c->x = x;
		c->y = y;
		c->visible = visible;
		if (type == SPICE_MSG_CURSOR_INIT)
			cursor_cache_clear(d);
		if (type != SPICE_MSG_CURSOR_MOVE)
			rc = read_cursor(d, &r, err);
		break;
	}
	case SPICE_MSG_CURSOR_HIDE:
		c->visible = false;
		break;
	case SPICE_MSG_CURSOR_RESET:
		c->visible = false;
		spice_pixels_free(&c->shape);
		cursor_cache_clear(d);
		break;
	case SPICE_MSG_CURSOR_INVAL_ONE: {
		struct cursor_slot *s = cache_find(d, rd_u64(&r));
		if (s)
			spice_pixels_free(&s->shape);
		return 0;
	}
	case SPICE_MSG_CURSOR_INVAL_ALL:
		cursor_cache_clear(d);
		return 0;
	default:
		return 0; /* trail settings */
	}
	notify(d);
	return rc;
}

const struct spice_cursor *spice_display_cursor(struct spice_display *d)
{
	return &d->cursor;
}

void spice_cursor_draw(const struct spice_cursor *c, uint32_t *px, unsigned w,
		       unsigned h, size_t stride_px, int x, int y)
{
	const struct spice_pixels *s = &c->shape;

	if (!s->px)
		return;
	int x0 = x - c->hot_x, y0 = y - c->hot_y;
	for (uint32_t sy = 0; sy < s->height; sy++) {
		int dy = y0 + (int)sy;
		if (dy < 0 || dy >= (int)h)
			continue;
		for (uint32_t sx = 0; sx < s->width; sx++) {
			int dx = x0 + (int)sx;
			uint32_t v = s->px[(size_t)sy * s->width + sx], a = v >> 24;
			if (dx < 0 || dx >= (int)w || !a)
				continue;
			uint32_t *o = &px[(size_t)dy * stride_px + (size_t)dx], out = 0;
			for (unsigned sh = 0; sh < 24; sh += 8) {
				uint32_t f = v >> sh & 0xff, b = *o >> sh & 0xff;
				out |= ((f * a + b * (255 - a) + 127) / 255) << sh;
			}
			*o = out;
		}
	}
}
