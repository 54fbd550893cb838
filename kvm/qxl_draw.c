/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The drawing commands Linux's qxl driver issues on the primary surface:
 * QXL_DRAW_COPY of a QXL_IMAGE_TYPE_BITMAP (32/24-bit, in QXLDataChunk
 * lists or direct) under a clip of rectangles (qxl_draw_dirty_fb: the
 * image is the bounding box of the damage, the clip its rectangles), and
 * solid QXL_DRAW_FILL. Results go straight into the primary surface's
 * memory (the display's view) and its damage list, only inside the clip.
 * Everything is clipped to the surface and the image; chunk lists are
 * bounded; anything else is reported once and skipped.
 */
#include <string.h>

#include "kvm/qxl.h"

#define MAX_CHUNKS 4096
#define MAX_CLIP_RECTS 64	/* more: the bounding box (see clip_rects) */

/* The pixel data of one image: pieces of guest memory, in order. */
struct chunks {
	struct { const uint8_t *p; uint64_t off, len; } c[MAX_CHUNKS];
	unsigned n;
	uint64_t total;
	unsigned cursor; /* piece of the last read (rows come in order) */
};

static int chunks_collect(struct qxl *q, const QXLBitmap *bm, uint64_t need,
			  struct chunks *ch)
{
	QXLPHYSICAL at = bm->data;
	QXLDataChunk hdr;

	ch->n = 0;
	ch->total = 0;
	ch->cursor = 0;
	if (bm->flags & QXL_BITMAP_DIRECT) {
		const uint8_t *p = qxl_ptr(q, at, need);
		if (!p)
			return -1;
		ch->c[0].p = p;
		ch->c[0].off = 0;
		ch->c[0].len = need;
		ch->n = 1;
		ch->total = need;
		return 0;
	}
	while (at && ch->total < need) {
		const uint8_t *h = qxl_ptr(q, at, sizeof(hdr));
		if (!h || ch->n == MAX_CHUNKS)
			return -1;
		memcpy(&hdr, h, sizeof(hdr));
		const uint8_t *data = qxl_ptr(q, at + sizeof(hdr), hdr.data_size);
		if (!data)
			return -1;
		ch->c[ch->n].p = data;
		ch->c[ch->n].off = ch->total;
		ch->c[ch->n].len = hdr.data_size;
		ch->n++;
		ch->total += hdr.data_size;
		at = hdr.next_chunk;
	}
	return ch->total >= need ? 0 : -1;
}

/* Copies image bytes [off, off + len) to @dst. */
static void chunks_read(struct chunks *ch, uint64_t off, uint8_t *dst, uint64_t len)
{
	unsigned i = ch->cursor;

	if (i >= ch->n || off < ch->c[i].off)
		i = 0;
	while (len) {
		while (i < ch->n && off >= ch->c[i].off + ch->c[i].len)
			i++;
		if (i == ch->n)
			return; /* cannot happen: total was checked */
		uint64_t in = off - ch->c[i].off;
		uint64_t n = MIN(len, ch->c[i].len - in);
		memcpy(dst, ch->c[i].p + in, n);
		dst += n;
		off += n;
		len -= n;
	}
	ch->cursor = i;
}

/* @r clipped to the primary surface; empty when nothing is left (64-bit: any int32 input). */
static struct gfx_rect clip_to_surface(struct qxl *q, QXLRect r)
{
	int64_t l = MAX((int64_t)r.left, 0), t = MAX((int64_t)r.top, 0);
	int64_t rt = MIN((int64_t)r.right, (int64_t)q->primary_w);
	int64_t b = MIN((int64_t)r.bottom, (int64_t)q->primary_h);

	if (rt <= l || b <= t)
		return (struct gfx_rect){ 0, 0, 0, 0 };
	return (struct gfx_rect){ (int)l, (int)t, (int)(rt - l), (int)(b - t) };
}

/* A row of 24-bit pixels to the surface's 32-bit ones. */
static void put_row(uint32_t *dst, const uint8_t *src, unsigned w)
{
	for (unsigned x = 0; x < w; x++, src += 3)
		dst[x] = (uint32_t)src[0] | (uint32_t)src[1] << 8 | (uint32_t)src[2] << 16;
}

static void draw_copy(struct qxl *q, const QXLDrawable *dr, struct gfx_rect dst,
		      uint64_t since)
{
	static __thread struct chunks ch; /* large: not on a vCPU's stack */
	QXLCopy cp = dr->u.copy;
	QXLImage img;
	const void *p = qxl_ptr(q, cp.src_bitmap, sizeof(img));

	if (!p) {
		qxl_complain(q, QXL_BAD_IMAGE, "image at 0x%llx outside the memory slots",
			     (unsigned long long)cp.src_bitmap);
		return;
	}
	memcpy(&img, p, sizeof(img));
	QXLBitmap bm = img.bitmap;
	unsigned bpp = bm.format == SPICE_BITMAP_FMT_24BIT ? 3 :
		       (bm.format == SPICE_BITMAP_FMT_32BIT || bm.format == SPICE_BITMAP_FMT_RGBA) ? 4 : 0;
	if (img.descriptor.type != SPICE_IMAGE_TYPE_BITMAP || !bpp || bm.palette ||
	    !bm.x || !bm.y || bm.x > GFX_MAX_DIM || bm.y > GFX_MAX_DIM ||
	    bm.stride < bm.x * bpp || bm.stride > 4 * GFX_MAX_DIM) {
		qxl_complain(q, QXL_BAD_IMAGE, "image type %u format %u %ux%u stride %u not supported",
			     img.descriptor.type, bm.format, bm.x, bm.y, bm.stride);
		return;
	}
	if (chunks_collect(q, &bm, (uint64_t)bm.stride * bm.y, &ch) < 0) {
		qxl_complain(q, QXL_BAD_IMAGE, "image data of %ux%u outside the memory slots or short",
			     bm.x, bm.y);
		return;
	}
	/*
	 * Source area (bbox-relative), clipped to src_area and the image; the
	 * destination moves with it. 64-bit: the guest's numbers are any int32.
	 */
	int64_t sx = (int64_t)cp.src_area.left + dst.x - dr->bbox.left;
	int64_t sy = (int64_t)cp.src_area.top + dst.y - dr->bbox.top;
	int64_t x0 = MAX(sx, MAX((int64_t)cp.src_area.left, 0));
	int64_t y0 = MAX(sy, MAX((int64_t)cp.src_area.top, 0));
	int64_t x1 = MIN(MIN(sx + dst.w, (int64_t)cp.src_area.right), (int64_t)bm.x);
	int64_t y1 = MIN(MIN(sy + dst.h, (int64_t)cp.src_area.bottom), (int64_t)bm.y);
	if (x1 <= x0 || y1 <= y0)
		return;
	struct gfx_rect src = { (int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0) };
	dst.x += (int)(x0 - sx);
	dst.y += (int)(y0 - sy);
	dst.w = src.w;
	dst.h = src.h;
	const struct gfx_image *v = &q->disp->view;
	static __thread uint8_t row[4 * GFX_MAX_DIM];
	for (int j = 0; j < dst.h; j++) {
		unsigned y = (unsigned)(src.y + j);
		if (!(bm.flags & QXL_BITMAP_TOP_DOWN))
			y = bm.y - 1 - y;
		uint64_t off = (uint64_t)y * bm.stride + (uint64_t)src.x * bpp;
		uint32_t *out = gfx_image_row(v, (unsigned)(dst.y + j)) + dst.x;
		if (bpp == 4) { /* the pixel format of the surface: one copy */
			chunks_read(&ch, off, (uint8_t *)out, (uint64_t)src.w * 4);
			continue;
		}
		chunks_read(&ch, off, row, (uint64_t)src.w * bpp);
		put_row(out, row, (unsigned)dst.w);
	}
	display_damage(q->disp, dst, since);
}

/*
 * Where a command may draw: its clip's rectangles within @box, into @out
 * (MAX_CLIP_RECTS); returns how many. A clip that is not a short list of
 * rectangles in one chunk gives @box whole: Linux's driver sends an image
 * of the whole box anyway, so that is still its picture, only more copying.
 */
static unsigned clip_rects(struct qxl *q, const QXLDrawable *dr, struct gfx_rect box,
			   struct gfx_rect *out)
{
	QXLClipRects cr;
	const uint8_t *p;

	out[0] = box;
	if (dr->clip.type != SPICE_CLIP_TYPE_RECTS)
		return 1;
	if (!(p = qxl_ptr(q, dr->clip.data, sizeof(cr)))) {
		qxl_complain(q, QXL_BAD_DRAW, "clip at 0x%llx outside the memory slots",
			     (unsigned long long)dr->clip.data);
		return 1;
	}
	memcpy(&cr, p, sizeof(cr));
	uint64_t len = (uint64_t)cr.num_rects * sizeof(QXLRect);
	if (cr.num_rects > MAX_CLIP_RECTS || cr.chunk.data_size < len ||
	    !(p = qxl_ptr(q, dr->clip.data + sizeof(cr), len)))
		return 1;
	unsigned n = 0;
	for (uint32_t i = 0; i < cr.num_rects; i++) {
		QXLRect r;
		memcpy(&r, p + i * sizeof(r), sizeof(r));
		struct gfx_rect c = gfx_rect_intersect(clip_to_surface(q, r), box);
		if (!gfx_rect_empty(c))
			out[n++] = c;
	}
	return n;
}

void qxl_draw(struct qxl *q, const QXLDrawable *dr)
{
	struct gfx_rect clip[MAX_CLIP_RECTS];
	unsigned n;

	if (dr->type == QXL_DRAW_NOP)
		return;
	if (dr->surface_id != 0 || !q->primary || !q->disp->view.px)
		return; /* off-screen surfaces: not shown, nothing to keep */
	struct gfx_rect dst = clip_to_surface(q, dr->bbox);
	if (gfx_rect_empty(dst))
		return;
	uint64_t since = clock_now_ns(); /* the guest handed it over */
	q->draws++;
	switch (dr->type) {
	case QXL_DRAW_COPY:
		n = clip_rects(q, dr, dst, clip);
		for (unsigned i = 0; i < n; i++)
			draw_copy(q, dr, clip[i], since);
		break;
	case QXL_DRAW_FILL:
		if (dr->u.fill.brush.type != SPICE_BRUSH_TYPE_SOLID) {
			qxl_complain(q, QXL_BAD_DRAW, "fill with brush type %u not supported",
				     dr->u.fill.brush.type);
			return;
		}
		n = clip_rects(q, dr, dst, clip);
		for (unsigned i = 0; i < n; i++) {
			gfx_fill(&q->disp->view, clip[i], dr->u.fill.brush.u.color & 0xffffff);
			display_damage(q->disp, clip[i], since);
		}
		break;
	default:
		qxl_complain(q, QXL_BAD_DRAW, "draw type %u not supported", dr->type);
		break;
	}
}
