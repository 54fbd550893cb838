/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal to spiceclient/: the display channel's state. */
#ifndef KVMBOX_SPICE_DISPLAY_INT_H
#define KVMBOX_SPICE_DISPLAY_INT_H

#include "spiceclient/pixfmt.h"
#include "spiceclient/wire.h"

/* What we tell the server our pixmap cache holds (pixels). */
#define PIXMAP_CACHE_PIXELS (16u * 1024 * 1024)
#define PIXMAP_BUCKETS 1024
#define PALETTE_SLOTS 128
#define MAX_SURFACES 10000
/* All surfaces together (the primary plus a guest's off-screen ones). */
#define SURFACE_BUDGET_PIXELS (64u << 20)
/* The GLZ window we declare, and hold at most twice of. */
#define GLZ_WINDOW_PIXELS (8u << 20)

struct pixmap {
	uint64_t id;
	struct spice_pixels pic;
	struct pixmap *next;
};

struct palette {
	uint64_t id;
	unsigned n;
	uint32_t ents[256];
};

/* Cursor shapes the server asked us to keep (ids are its choice). */
#define CURSOR_CACHE 16
struct cursor_slot {
	uint64_t id;
	struct spice_pixels shape; /* px NULL: free */
	int hot_x, hot_y;
};

struct spice_display {
	struct spice_pixels *surfaces; /* [MAX_SURFACES], px NULL when absent */
	uint64_t surface_pixels;       /* allocated in all surfaces */
	uint32_t primary;	       /* id of the primary surface */
	bool has_primary;
	struct pixmap *pixmaps[PIXMAP_BUCKETS];
	uint64_t cached_pixels;
	struct palette palettes[PALETTE_SLOTS];
	unsigned n_palettes;
	struct spice_pixels scratch;   /* decoded images not cached */
	struct spice_glz *glz;	       /* GLZ dictionary */
	struct spice_output out;
	bool has_out;
	uint64_t draws;
	struct spice_cursor cursor;
	struct cursor_slot cursor_cache[CURSOR_CACHE];
	unsigned cursor_next;
};

/* A decoded source image: @pic points at @own, a cache entry or a surface. */
struct image_ref {
	const struct spice_pixels *pic;
	struct spice_pixels own;
};

struct spice_pixels *surface_get(struct spice_display *d, uint32_t id);
/* @scratch: may decode into the display's reused buffer (one at a time). */
int image_get(struct spice_display *d, const struct rd *msg, uint32_t ptr,
	      bool scratch, struct image_ref *ref, struct errmsg *err);
void image_put(struct image_ref *ref);
void pixmap_drop(struct spice_display *d, uint64_t id);
void pixmap_drop_all(struct spice_display *d);
void palette_drop(struct spice_display *d, uint64_t id);
void palette_drop_all(struct spice_display *d);
void cursor_cache_clear(struct spice_display *d);
/* A cursor shape of @type (w × h) from @p into ARGB @out (cursor_shape.c);
 * -ENOTSUP for a type it does not know. */
int cursor_shape_decode(uint8_t type, uint32_t w, uint32_t h, const uint8_t *p,
			size_t len, struct spice_pixels *out, struct errmsg *err);

#endif
