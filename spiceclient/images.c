/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SPICE Image structures in display messages: decoding by type and the
 * server-directed pixmap and palette caches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>


#include "spiceclient/display_int.h"

#define PAL_MAX_ENTS 256

static struct pixmap **bucket(struct spice_display *d, uint64_t id)
{
	return &d->pixmaps[(id ^ id >> 17 ^ id >> 31) % PIXMAP_BUCKETS];
}

static struct pixmap *pixmap_find(struct spice_display *d, uint64_t id)
{
	for (struct pixmap *p = *bucket(d, id); p; p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}

void pixmap_drop(struct spice_display *d, uint64_t id)
{
	for (struct pixmap **pp = bucket(d, id); *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct pixmap *p = *pp;
			*pp = p->next;
			d->cached_pixels -= (uint64_t)p->pic.width * p->pic.height;
			spice_pixels_free(&p->pic);
			free(p);
			return;
		}
}

void pixmap_drop_all(struct spice_display *d)
{
	for (size_t i = 0; i < PIXMAP_BUCKETS; i++)
		while (d->pixmaps[i])
			pixmap_drop(d, d->pixmaps[i]->id);
}

/* Takes ownership of @pic. */
static int pixmap_add(struct spice_display *d, uint64_t id,
		      struct spice_pixels *pic, struct errmsg *err)
{
	uint64_t n = (uint64_t)pic->width * pic->height;
	struct pixmap *p;

	pixmap_drop(d, id);
	if (d->cached_pixels + n > 2 * PIXMAP_CACHE_PIXELS + SPICE_MAX_AREA)
		return errmsg_set(err, -EBADMSG, "server overfills the pixmap cache");
	p = malloc(sizeof(*p));
	if (!p)
		return errmsg_set(err, -ENOMEM, "no memory for the pixmap cache");
	p->id = id;
	p->pic = *pic;
	p->next = *bucket(d, id);
	*bucket(d, id) = p;
	d->cached_pixels += n;
	pic->px = NULL;
	return 0;
}

void palette_drop_all(struct spice_display *d)
{
	d->n_palettes = 0;
}

void palette_drop(struct spice_display *d, uint64_t id)
{
	for (unsigned i = 0; i < d->n_palettes; i++)
		if (d->palettes[i].id == id) {
			d->palettes[i] = d->palettes[--d->n_palettes];
			return;
		}
}

/*
 * The palette of a bitmap/LZ_PLT image: inline (pointer @ptr, cached when
 * PAL_CACHE_ME) or from the cache (@id). Fills @ents/@n.
 */
static int get_palette(struct spice_display *d, const struct rd *msg,
		       uint8_t flags, uint64_t id, uint32_t ptr, uint32_t *ents,
		       unsigned *n, struct errmsg *err)
{
	if (flags & SPICE_BITMAP_FLAGS_PAL_FROM_CACHE) {
		for (unsigned i = 0; i < d->n_palettes; i++)
			if (d->palettes[i].id == id) {
				*n = d->palettes[i].n;
				memcpy(ents, d->palettes[i].ents, *n * 4);
				return 0;
			}
		return errmsg_set(err, -EBADMSG, "palette %#llx is not in the cache",
				  (unsigned long long)id);
	}
	*n = 0;
	if (!ptr)
		return 0;
	struct rd r = rd_at(msg, ptr);
	uint64_t unique = rd_u64(&r);
	unsigned count = rd_u16(&r);
	if (count > PAL_MAX_ENTS)
		return errmsg_set(err, -EBADMSG, "palette of %u entries", count);
	for (unsigned i = 0; i < count; i++)
		ents[i] = rd_u32(&r);
	if (r.bad)
		return errmsg_set(err, -EBADMSG, "palette overruns its message");
	*n = count;
	if (flags & SPICE_BITMAP_FLAGS_PAL_CACHE_ME) {
		palette_drop(d, unique);
		if (d->n_palettes == PALETTE_SLOTS)
			d->palettes[0] = d->palettes[--d->n_palettes];
		struct palette *p = &d->palettes[d->n_palettes++];
		p->id = unique;
		p->n = count;
		memcpy(p->ents, ents, count * 4);
	}
	return 0;
}

static int decode_bitmap(struct spice_display *d, const struct rd *msg,
			 struct rd *r, struct spice_pixels *out,
			 struct errmsg *err)
{
	uint32_t ents[PAL_MAX_ENTS];
	unsigned n;
	uint8_t fmt = rd_u8(r), flags = rd_u8(r);
	uint32_t x = rd_u32(r), y = rd_u32(r), stride = rd_u32(r);
	uint64_t pal_id = 0;
	uint32_t pal_ptr = 0;

	if (flags & SPICE_BITMAP_FLAGS_PAL_FROM_CACHE)
		pal_id = rd_u64(r);
	else
		pal_ptr = rd_u32(r);
	if (r->bad)
		return errmsg_set(err, -EBADMSG, "bitmap header overruns its message");
	int rc = get_palette(d, msg, flags, pal_id, pal_ptr, ents, &n, err);
	if (rc < 0)
		return rc;
	size_t avail = r->len - r->at;
	return spice_bitmap_decode(fmt, flags & SPICE_BITMAP_FLAGS_TOP_DOWN,
				   r->base + r->at, avail, x, y, stride, ents, n,
				   out, err);
}

static const uint8_t *binary(struct rd *r, uint32_t *size, struct errmsg *err)
{
	*size = rd_u32(r);
	const uint8_t *p = rd_take(r, *size);
	if (!p)
		errmsg_set(err, -EBADMSG, "image data overruns its message");
	return p;
}

static int decode_lz_plt(struct spice_display *d, const struct rd *msg,
			 struct rd *r, uint32_t w, uint32_t h,
			 struct spice_pixels *out, struct errmsg *err)
{
	uint32_t ents[PAL_MAX_ENTS], size, pal_ptr = 0;
	unsigned n;
	uint64_t pal_id = 0;
	uint8_t flags = rd_u8(r);

	size = rd_u32(r);
	if (flags & SPICE_BITMAP_FLAGS_PAL_FROM_CACHE)
		pal_id = rd_u64(r);
	else
		pal_ptr = rd_u32(r);
	const uint8_t *p = rd_take(r, size);
	if (!p)
		return errmsg_set(err, -EBADMSG, "LZ_PLT data overruns its message");
	int rc = get_palette(d, msg, flags, pal_id, pal_ptr, ents, &n, err);
	if (rc < 0)
		return rc;
	return spice_lz_decode(p, size, ents, n, w, h, out, err);
}

int image_get(struct spice_display *d, const struct rd *msg, uint32_t ptr,
	      bool scratch, struct image_ref *ref, struct errmsg *err)
{
	struct rd r = rd_at(msg, ptr);
	uint64_t id = rd_u64(&r);
	uint8_t type = rd_u8(&r), flags = rd_u8(&r);
	uint32_t w = rd_u32(&r), h = rd_u32(&r), size;
	const uint8_t *data;
	int rc;

	memset(ref, 0, sizeof(*ref));
	/* Images not kept in the cache decode into reused memory. */
	struct spice_pixels *out = scratch && !(flags & (SPICE_IMAGE_FLAGS_CACHE_ME |
			SPICE_IMAGE_FLAGS_CACHE_REPLACE_ME)) ? &d->scratch : &ref->own;
	if (!ptr || r.bad)
		return errmsg_set(err, -EBADMSG, "image descriptor out of its message");
	switch (type) {
	case SPICE_IMAGE_TYPE_FROM_CACHE:
	case SPICE_IMAGE_TYPE_FROM_CACHE_LOSSLESS: {
		struct pixmap *p = pixmap_find(d, id);
		if (!p)
			return errmsg_set(err, -EBADMSG, "image %#llx is not in the cache",
					  (unsigned long long)id);
		ref->pic = &p->pic;
		return 0;
	}
	case SPICE_IMAGE_TYPE_SURFACE: {
		uint32_t sid = rd_u32(&r);
		struct spice_pixels *s = surface_get(d, sid);
		if (r.bad || !s)
			return errmsg_set(err, -EBADMSG, "image from unknown surface %u", sid);
		ref->pic = s;
		return 0;
	}
	case SPICE_IMAGE_TYPE_BITMAP:
		rc = decode_bitmap(d, msg, &r, out, err);
		break;
	case SPICE_IMAGE_TYPE_LZ_RGB:
		data = binary(&r, &size, err);
		rc = data ? spice_lz_decode(data, size, NULL, 0, w, h, out, err) : -EBADMSG;
		break;
	case SPICE_IMAGE_TYPE_LZ_PLT:
		rc = decode_lz_plt(d, msg, &r, w, h, out, err);
		break;
	case SPICE_IMAGE_TYPE_GLZ_RGB:
		data = binary(&r, &size, err);
		rc = data ? spice_glz_decode(d->glz, data, size, w, h, out, err) : -EBADMSG;
		break;
	case SPICE_IMAGE_TYPE_QUIC:
		data = binary(&r, &size, err);
		rc = data ? spice_quic_decode(data, size, w, h, out, err) : -EBADMSG;
		break;
	case SPICE_IMAGE_TYPE_LZ4:
		data = binary(&r, &size, err);
		rc = data ? spice_lz4_decode(data, size, w, h, out, err) : -EBADMSG;
		break;
	default:
		return errmsg_set(err, -ENOTSUP, "image type %u was not negotiated", type);
	}
	if (rc < 0)
		return rc;
	if (out->width != w || out->height != h)
		return errmsg_set(err, -EBADMSG, "image is %ux%u, its descriptor says %ux%u",
				  out->width, out->height, w, h);
	if (out == &ref->own && flags & (SPICE_IMAGE_FLAGS_CACHE_ME |
					 SPICE_IMAGE_FLAGS_CACHE_REPLACE_ME)) {
		rc = pixmap_add(d, id, &ref->own, err);
		if (rc < 0) {
			spice_pixels_free(&ref->own);
			return rc;
		}
		ref->pic = &pixmap_find(d, id)->pic;
		return 0;
	}
	ref->pic = out;
	return 0;
}

void image_put(struct image_ref *ref)
{
	spice_pixels_free(&ref->own);
}
