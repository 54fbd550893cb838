/* SPDX-License-Identifier: GPL-2.0-only */
/* Between core/screen.c and its back-ends (DRM/KMS, fbdev); core-internal. */
#ifndef KVMBOX_SCREEN_PRIV_H
#define KVMBOX_SCREEN_PRIV_H

#include "core/core.h"

struct screen_ops {
	/* Copies the damaged regions of s->image out and shows them. */
	int (*present)(struct screen *s, const struct gfx_damage *d);
	/* The frame being scanned out, into @out (same size as s->image). */
	int (*read_front)(struct screen *s, struct gfx_image *out);
	void (*close)(struct screen *s);
};

/* Each fills s (ops, image, name, priv) or returns -errno with @err. */
int screen_drm_open(const char *path, struct screen *s, struct errmsg *err);
int screen_fbdev_open(const char *path, struct screen *s, struct errmsg *err);

int screen_drm_describe(const char *path, struct buf *out, struct errmsg *err);
int screen_fbdev_describe(const char *path, struct buf *out, struct errmsg *err);
int screen_drm_capture(const char *path, struct gfx_image *out, struct errmsg *err);
int screen_fbdev_capture(const char *path, struct gfx_image *out,
			 struct errmsg *err);

/* Converts one row of a framebuffer in format @f into XRGB8888. */
struct fb_format {
	unsigned bpp;		    /* 16, 24 or 32 */
	unsigned roff, goff, boff;  /* bit offsets */
	unsigned rlen, glen, blen;  /* bit lengths (1..8) */
};
void fb_row_to_xrgb(const struct fb_format *f, const uint8_t *in, uint32_t *out,
		    unsigned width);
void fb_row_from_xrgb(const struct fb_format *f, const uint32_t *in, uint8_t *out,
		      unsigned width);
bool fb_format_is_xrgb(const struct fb_format *f);

#endif
