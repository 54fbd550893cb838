/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The display channel's messages: surfaces, draw commands clipped to
 * their box and clip rectangles, cache invalidations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>


#include "spiceclient/display_int.h"

#define MAX_CLIP_RECTS 4096

int spice_display_new(struct spice_display **out)
{
	struct spice_display *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->surfaces = calloc(MAX_SURFACES, sizeof(*d->surfaces));
	if (!d->surfaces || spice_glz_new(&d->glz, 2ull * GLZ_WINDOW_PIXELS) < 0) {
		free(d->surfaces);
		free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

static void surfaces_drop_all(struct spice_display *d)
{
	for (uint32_t i = 0; i < MAX_SURFACES; i++)
		spice_pixels_free(&d->surfaces[i]);
	d->surface_pixels = 0;
	d->has_primary = false;
}

void spice_display_free(struct spice_display *d)
{
	if (!d)
		return;
	surfaces_drop_all(d);
	pixmap_drop_all(d);
	spice_pixels_free(&d->scratch);
	spice_pixels_free(&d->cursor.shape);
	cursor_cache_clear(d);
	spice_glz_free(d->glz);
	free(d->surfaces);
	free(d);
}

void spice_display_reset(struct spice_display *d)
{
	surfaces_drop_all(d);
	pixmap_drop_all(d);
	palette_drop_all(d);
	spice_glz_clear(d->glz);
	spice_pixels_free(&d->cursor.shape);
	cursor_cache_clear(d);
	d->cursor.visible = false;
}

void spice_display_set_output(struct spice_display *d,
			      const struct spice_output *o)
{
	d->has_out = o != NULL;
	if (o)
		d->out = *o;
}

const struct spice_pixels *spice_display_primary(struct spice_display *d)
{
	return d->has_primary ? &d->surfaces[d->primary] : NULL;
}

uint64_t spice_display_draw_count(struct spice_display *d)
{
	return d->draws;
}

struct spice_pixels *surface_get(struct spice_display *d, uint32_t id)
{
	return id < MAX_SURFACES && d->surfaces[id].px ? &d->surfaces[id] : NULL;
}

static int surface_create(struct spice_display *d, struct rd *r,
			  struct errmsg *err)
{
	uint32_t id = rd_u32(r), w = rd_u32(r), h = rd_u32(r);
	uint32_t fmt = rd_u32(r), flags = rd_u32(r);
	struct spice_pixels *s;
	int rc;

	if (r->bad)
		return errmsg_set(err, -EBADMSG, "short surface_create");
	if (id >= MAX_SURFACES)
		return errmsg_set(err, -EBADMSG, "surface id %u out of range", id);
	if (fmt != SPICE_SURFACE_FMT_32_xRGB && fmt != SPICE_SURFACE_FMT_32_ARGB &&
	    fmt != SPICE_SURFACE_FMT_16_555 && fmt != SPICE_SURFACE_FMT_16_565 &&
	    fmt != SPICE_SURFACE_FMT_8_A && fmt != SPICE_SURFACE_FMT_1_A)
		return errmsg_set(err, -EBADMSG, "surface format %u unknown", fmt);
	s = &d->surfaces[id];
	d->surface_pixels -= (uint64_t)s->width * s->height;
	spice_pixels_free(s);
	if (d->surface_pixels + (uint64_t)w * h > SURFACE_BUDGET_PIXELS)
		return errmsg_set(err, -EBADMSG, "surfaces would exceed %u Mpixels",
				  SURFACE_BUDGET_PIXELS >> 20);
	rc = pixels_alloc(s, w, h, err);
	if (rc < 0)
		return rc;
	memset(s->px, 0, (size_t)w * h * 4);
	d->surface_pixels += (uint64_t)w * h;
	if (flags & SPICE_SURFACE_FLAGS_PRIMARY) {
		d->primary = id;
		d->has_primary = true;
		if (d->has_out && d->out.resize)
			return d->out.resize(d->out.ctx, w, h);
	}
	return 0;
}

static int surface_destroy(struct spice_display *d, struct rd *r,
			   struct errmsg *err)
{
	uint32_t id = rd_u32(r);

	if (r->bad || id >= MAX_SURFACES)
		return errmsg_set(err, -EBADMSG, "bad surface_destroy");
	d->surface_pixels -= (uint64_t)d->surfaces[id].width * d->surfaces[id].height;
	spice_pixels_free(&d->surfaces[id]);
	if (d->has_primary && d->primary == id)
		d->has_primary = false;
	return 0;
}

static struct rect rd_rect(struct rd *r)
{
	struct rect x;

	x.top = rd_i32(r);
	x.left = rd_i32(r);
	x.bottom = rd_i32(r);
	x.right = rd_i32(r);
	return x;
}

/* DisplayBase: target surface, bounding box, clip rectangles. */
struct draw_base {
	struct spice_pixels *dst;
	uint32_t surface_id;
	struct rect box;	 /* clipped to the surface */
	struct rect full_box;	 /* as sent (scaling uses it) */
	const uint8_t *clips;	 /* num_clips × Rect, in the message */
	uint32_t num_clips;
	bool has_clip;
};

static int read_base(struct spice_display *d, struct rd *r, struct draw_base *b,
		     struct errmsg *err)
{
	b->surface_id = rd_u32(r);
	b->full_box = rd_rect(r);
	b->has_clip = rd_u8(r) == SPICE_CLIP_TYPE_RECTS;
	b->num_clips = 0;
	b->clips = NULL;
	if (b->has_clip) {
		b->num_clips = rd_u32(r);
		if (b->num_clips > MAX_CLIP_RECTS)
			return errmsg_set(err, -EBADMSG, "%u clip rectangles", b->num_clips);
		b->clips = rd_take(r, (size_t)b->num_clips * 16);
	}
	if (r->bad)
		return errmsg_set(err, -EBADMSG, "draw header overruns its message");
	b->dst = surface_get(d, b->surface_id);
	if (!b->dst)
		return errmsg_set(err, -EBADMSG, "draw on unknown surface %u", b->surface_id);
	struct rect all = rect_of(b->dst);
	if (!rect_intersect(&b->full_box, &all, &b->box))
		b->box = (struct rect){ 0, 0, 0, 0 };
	return 0;
}

/* Calls @fn for each part of the box inside the clip. */
#define FOR_EACH_CLIP(b, part)                                                  \
	for (uint32_t _i = 0, _n = (b)->has_clip ? (b)->num_clips : 1; _i < _n; _i++) \
		if (clip_part((b), _i, &(part)))

static bool clip_part(const struct draw_base *b, uint32_t i, struct rect *part)
{
	if (!b->has_clip) {
		*part = b->box;
		return !rect_empty(part);
	}
	struct rd r = rd_init(b->clips + 16 * i, 16);
	struct rect c = rd_rect(&r);
	return rect_intersect(&b->box, &c, part);
}

static void damage(struct spice_display *d, const struct draw_base *b)
{
	d->draws++;
	if (d->has_out && d->out.update && d->has_primary &&
	    b->surface_id == d->primary && !rect_empty(&b->box))
		d->out.update(d->out.ctx, b->dst, b->box.left, b->box.top,
			      b->box.right - b->box.left, b->box.bottom - b->box.top);
}

/* Brush: NONE, SOLID color or PATTERN image at a position. */
struct brush {
	uint8_t type;
	uint32_t color;
	struct image_ref pat;
	int32_t px, py;
};

static int read_brush(struct spice_display *d, const struct rd *msg,
		      struct rd *r, struct brush *br, struct errmsg *err)
{
	memset(br, 0, sizeof(*br));
	br->type = rd_u8(r);
	if (br->type == SPICE_BRUSH_TYPE_SOLID) {
		br->color = rd_u32(r);
	} else if (br->type == SPICE_BRUSH_TYPE_PATTERN) {
		uint32_t ptr = rd_u32(r);
		br->px = rd_i32(r);
		br->py = rd_i32(r);
		if (r->bad)
			return errmsg_set(err, -EBADMSG, "short brush");
		return image_get(d, msg, ptr, false, &br->pat, err);
	}
	return r->bad ? errmsg_set(err, -EBADMSG, "short brush") : 0;
}

static void paint_brush(struct draw_base *b, const struct rect *part,
			const struct brush *br, uint16_t rop)
{
	if (br->type == SPICE_BRUSH_TYPE_SOLID)
		canvas_fill(b->dst, part, br->color, rop);
	else if (br->type == SPICE_BRUSH_TYPE_PATTERN)
		canvas_fill_pattern(b->dst, part, br->pat.pic, b->full_box.left + br->px,
				    b->full_box.top + br->py, rop);
	else if (rop & (SPICE_ROPD_OP_BLACKNESS | SPICE_ROPD_OP_WHITENESS |
			SPICE_ROPD_OP_INVERS))
		canvas_fill(b->dst, part, 0, rop);
}

static int draw_fill(struct spice_display *d, struct rd *r, struct errmsg *err)
{
	struct draw_base b;
	struct brush br;
	struct rect part;
	int rc = read_base(d, r, &b, err);

	if (rc < 0 || (rc = read_brush(d, r, r, &br, err)) < 0)
		return rc;
	uint16_t rop = rd_u16(r);
	FOR_EACH_CLIP(&b, part)
		paint_brush(&b, &part, &br, rop);
	image_put(&br.pat);
	damage(d, &b);
	return 0;
}

/* Source area of a copy-like draw, checked to lie inside its image. */
static int check_src(const struct spice_pixels *src, const struct rect *area,
		     struct errmsg *err)
{
	struct rect all = rect_of(src), in;

	if (rect_empty(area) || !rect_intersect(area, &all, &in) ||
	    memcmp(&in, area, sizeof(in)))
		return errmsg_set(err, -EBADMSG, "source area outside its %ux%u image",
				  src->width, src->height);
	return 0;
}

/* Draws @area of @src into the box: 1:1 when sizes match, else scaled. */
static void blit_parts(struct draw_base *b, const struct spice_pixels *src,
		       const struct rect *area, uint16_t rop)
{
	struct rect part;
	bool same = area->right - area->left == b->full_box.right - b->full_box.left &&
		    area->bottom - area->top == b->full_box.bottom - b->full_box.top;

	FOR_EACH_CLIP(b, part) {
		if (same)
			canvas_blit(b->dst, &part, src,
				    area->left + part.left - b->full_box.left,
				    area->top + part.top - b->full_box.top, rop);
		else
			canvas_blit_scaled(b->dst, &part, &b->full_box, src, area, rop);
	}
}

/* A copy of @area of @p (sources that overlap their destination). */
static int snapshot(const struct spice_pixels *p, const struct rect *area,
		    struct spice_pixels *out, struct errmsg *err)
{
	uint32_t w = (uint32_t)(area->right - area->left);
	uint32_t h = (uint32_t)(area->bottom - area->top);
	int rc = pixels_alloc(out, w, h, err);

	if (rc < 0)
		return rc;
	for (uint32_t y = 0; y < h; y++)
		memcpy(out->px + (size_t)y * w,
		       p->px + (size_t)(area->top + (int32_t)y) * p->width + area->left,
		       (size_t)w * 4);
	return 0;
}

static bool same_rect(const struct rect *a, const struct rect *b)
{
	return a->left == b->left && a->top == b->top && a->right == b->right &&
	       a->bottom == b->bottom;
}

/*
 * Does this copy put a picture decoded into the scratch buffer over the
 * whole of its surface, unscaled and unclipped? Then the two buffers can
 * trade places instead of copying a frame (full-screen updates: the
 * blit would be a memmove of every row).
 */
static bool replaces_surface(const struct spice_display *d, const struct draw_base *b,
			     const struct spice_pixels *src, const struct rect *area,
			     uint16_t rop)
{
	struct rect all = rect_of(b->dst);

	return src == &d->scratch && (!(rop & ~SPICE_ROPD_OP_PUT) || rop == 0) &&
	       !b->has_clip && src->width == b->dst->width &&
	       src->height == b->dst->height && same_rect(area, &all) &&
	       same_rect(&b->box, &all) && same_rect(&b->full_box, &all);
}

/* COPY, BLEND and OPAQUE share their start: image, area, (brush), rop. */
static int draw_copy(struct spice_display *d, struct rd *r, bool opaque,
		     struct errmsg *err)
{
	struct draw_base b;
	struct image_ref img;
	struct brush br = { 0 };
	int rc = read_base(d, r, &b, err);

	if (rc < 0)
		return rc;
	uint32_t ptr = rd_u32(r);
	struct rect area = rd_rect(r);
	if (opaque && (rc = read_brush(d, r, r, &br, err)) < 0)
		return rc;
	uint16_t rop = rd_u16(r);
	if (r->bad)
		return errmsg_set(err, -EBADMSG, "short copy");
	rc = image_get(d, r, ptr, true, &img, err);
	if (rc == 0)
		rc = check_src(img.pic, &area, err);
	if (rc == 0) {
		/* The destination surface may be the source: copy it first. */
		if (img.pic == b.dst && !img.own.px) {
			struct spice_pixels tmp = { 0 };
			rc = snapshot(b.dst, &area, &tmp, err);
			if (rc == 0) {
				struct rect at = { 0, 0, area.right - area.left,
						   area.bottom - area.top };
				blit_parts(&b, &tmp, &at, rop);
				spice_pixels_free(&tmp);
			}
		} else if (replaces_surface(d, &b, img.pic, &area, rop)) {
			struct spice_pixels was = *b.dst;
			*b.dst = d->scratch;
			d->scratch = was;
		} else {
			blit_parts(&b, img.pic, &area, rop);
		}
	}
	image_put(&img);
	image_put(&br.pat);
	if (rc == 0)
		damage(d, &b);
	return rc;
}

static int draw_rop_only(struct spice_display *d, struct rd *r, uint16_t rop,
			 struct errmsg *err)
{
	struct draw_base b;
	struct rect part;
	int rc = read_base(d, r, &b, err);

	if (rc < 0)
		return rc;
	FOR_EACH_CLIP(&b, part)
		canvas_fill(b.dst, &part, 0, rop);
	damage(d, &b);
	return 0;
}

static int copy_bits(struct spice_display *d, struct rd *r, struct errmsg *err)
{
	struct draw_base b;
	struct rect part;
	int rc = read_base(d, r, &b, err);
	int32_t sx = rd_i32(r), sy = rd_i32(r);

	if (rc < 0)
		return rc;
	if (r->bad)
		return errmsg_set(err, -EBADMSG, "short copy_bits");
	struct rect area = { sx, sy, sx + (b.full_box.right - b.full_box.left),
			     sy + (b.full_box.bottom - b.full_box.top) };
	if ((rc = check_src(b.dst, &area, err)) < 0)
		return rc;
	/* Source and destination may overlap: copy the source area first. */
	struct spice_pixels tmp = { 0 };
	if ((rc = snapshot(b.dst, &area, &tmp, err)) < 0)
		return rc;
	FOR_EACH_CLIP(&b, part)
		canvas_blit(b.dst, &part, &tmp, part.left - b.full_box.left,
			    part.top - b.full_box.top, SPICE_ROPD_OP_PUT);
	spice_pixels_free(&tmp);
	damage(d, &b);
	return 0;
}

static int draw_transparent_or_alpha(struct spice_display *d, struct rd *r,
				     bool alpha, struct errmsg *err)
{
	struct draw_base b;
	struct image_ref img;
	struct rect part;
	uint8_t aflags = 0, a = 255;
	int rc = read_base(d, r, &b, err);

	if (rc < 0)
		return rc;
	if (alpha) {
		aflags = rd_u8(r);
		a = rd_u8(r);
	}
	uint32_t ptr = rd_u32(r);
	struct rect area = rd_rect(r);
	uint32_t key = alpha ? 0 : rd_u32(r);
	if (r->bad)
		return errmsg_set(err, -EBADMSG, "short transparent/alpha draw");
	if ((rc = image_get(d, r, ptr, true, &img, err)) < 0)
		return rc;
	rc = check_src(img.pic, &area, err);
	if (rc == 0 && area.right - area.left == b.full_box.right - b.full_box.left &&
	    area.bottom - area.top == b.full_box.bottom - b.full_box.top) {
		FOR_EACH_CLIP(&b, part) {
			int32_t sx = area.left + part.left - b.full_box.left;
			int32_t sy = area.top + part.top - b.full_box.top;
			if (alpha)
				canvas_alpha_blend(b.dst, &part, img.pic, sx, sy, a,
						   aflags & SPICE_ALPHA_FLAGS_SRC_SURFACE_HAS_ALPHA);
			else
				canvas_transparent(b.dst, &part, img.pic, sx, sy, key);
		}
	} else if (rc == 0) {
		blit_parts(&b, img.pic, &area, SPICE_ROPD_OP_PUT);
	}
	image_put(&img);
	if (rc == 0)
		damage(d, &b);
	return rc;
}

static int inval_list(struct spice_display *d, struct rd *r, struct errmsg *err)
{
	uint16_t n = rd_u16(r);

	for (uint16_t i = 0; i < n && !r->bad; i++) {
		uint8_t type = rd_u8(r);
		uint64_t id = rd_u64(r);
		if (!r->bad && type == SPICE_RES_TYPE_PIXMAP)
			pixmap_drop(d, id);
	}
	return r->bad ? errmsg_set(err, -EBADMSG, "short inval_list") : 0;
}

int spice_display_message(struct spice_display *d, uint16_t type,
			  const uint8_t *body, size_t len, struct errmsg *err)
{
	struct rd r = rd_init(body, len);

	switch (type) {
	case SPICE_MSG_DISPLAY_SURFACE_CREATE:
		return surface_create(d, &r, err);
	case SPICE_MSG_DISPLAY_SURFACE_DESTROY:
		return surface_destroy(d, &r, err);
	case SPICE_MSG_DISPLAY_DRAW_FILL:
		return draw_fill(d, &r, err);
	case SPICE_MSG_DISPLAY_DRAW_COPY:
	case SPICE_MSG_DISPLAY_DRAW_BLEND:
		return draw_copy(d, &r, false, err);
	case SPICE_MSG_DISPLAY_DRAW_OPAQUE:
		return draw_copy(d, &r, true, err);
	case SPICE_MSG_DISPLAY_DRAW_BLACKNESS:
		return draw_rop_only(d, &r, SPICE_ROPD_OP_BLACKNESS, err);
	case SPICE_MSG_DISPLAY_DRAW_WHITENESS:
		return draw_rop_only(d, &r, SPICE_ROPD_OP_WHITENESS, err);
	case SPICE_MSG_DISPLAY_DRAW_INVERS:
		return draw_rop_only(d, &r, SPICE_ROPD_OP_INVERS, err);
	case SPICE_MSG_DISPLAY_COPY_BITS:
		return copy_bits(d, &r, err);
	case SPICE_MSG_DISPLAY_DRAW_TRANSPARENT:
		return draw_transparent_or_alpha(d, &r, false, err);
	case SPICE_MSG_DISPLAY_DRAW_ALPHA_BLEND:
		return draw_transparent_or_alpha(d, &r, true, err);
	case SPICE_MSG_DISPLAY_INVAL_LIST:
		return inval_list(d, &r, err);
	case SPICE_MSG_DISPLAY_INVAL_ALL_PIXMAPS:
		pixmap_drop_all(d);
		return 0;
	case SPICE_MSG_DISPLAY_INVAL_PALETTE:
		palette_drop(d, rd_u64(&r));
		return 0;
	case SPICE_MSG_DISPLAY_INVAL_ALL_PALETTES:
		palette_drop_all(d);
		return 0;
	case SPICE_MSG_DISPLAY_RESET:
		surfaces_drop_all(d);
		spice_glz_clear(d->glz);
		return 0;
	}
	return 0; /* MARK, MONITORS_CONFIG, streams we never asked for, ... */
}
