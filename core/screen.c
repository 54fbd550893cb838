/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The screen, whichever device drives it: picks DRM/KMS first (native mode,
 * vsync'd flips), else a framebuffer device; presents damaged regions and
 * takes screenshots of what is shown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/screen_priv.h"

#define MAX_CARDS 8

static bool is_fbdev(const char *path)
{
	return str_starts(path, "/dev/fb");
}

static int open_one(const char *path, struct screen *s, struct errmsg *err)
{
	int rc = is_fbdev(path) ? screen_fbdev_open(path, s, err)
				: screen_drm_open(path, s, err);
	if (!rc)
		str_copy(s->device, sizeof(s->device), path);
	return rc;
}

/* Fills @path with DRM card @i's node; true when it exists. */
static bool card_present(int i, char path[static 32])
{
	snprintf(path, 32, "/dev/dri/card%d", i);
	return access(path, F_OK) == 0;
}

bool screen_available(void)
{
	char path[32];

	for (int i = 0; i < MAX_CARDS; i++)
		if (card_present(i, path))
			return true;
	return access("/dev/fb0", F_OK) == 0;
}

int screen_open(const char *device, struct screen **out, struct errmsg *err)
{
	struct screen *s = calloc(1, sizeof(*s));
	struct errmsg why = { "" };
	char path[32];
	int rc = -ENODEV;

	if (!s)
		return errmsg_set(err, -ENOMEM, "out of memory");
	if (device) {
		rc = open_one(device, s, err);
	} else {
		for (int i = 0; rc && i < MAX_CARDS; i++)
			if (card_present(i, path))
				rc = open_one(path, s, &why);
		if (rc && access("/dev/fb0", F_OK) == 0)
			rc = open_one("/dev/fb0", s, &why);
		if (rc)
			errmsg_set(err, -ENODEV, "no usable screen%s%s",
				   why.msg[0] ? ": " : " (no /dev/dri/card* or /dev/fb0)",
				   why.msg);
	}
	if (rc) {
		free(s);
		return rc < 0 ? rc : -ENODEV;
	}
	/* Show the (black) image once so the screen starts in a known state. */
	struct gfx_damage all = { .n = 1 };
	all.r[0] = (struct gfx_rect){ 0, 0, (int)s->image.width, (int)s->image.height };
	s->ops->present(s, &all);
	*out = s;
	return 0;
}

void screen_close(struct screen *s)
{
	if (!s)
		return;
	s->ops->close(s);
	gfx_image_free(&s->image);
	free(s);
}

int screen_present(struct screen *s, const struct gfx_damage *d)
{
	struct gfx_damage all = { .n = 1 };

	if (!d) {
		all.r[0] = (struct gfx_rect){ 0, 0, (int)s->image.width,
					      (int)s->image.height };
		d = &all;
	}
	return s->ops->present(s, d);
}

int screen_shot(struct screen *s, const char *path)
{
	struct gfx_image im;
	int rc = gfx_image_alloc(&im, s->image.width, s->image.height);

	if (rc)
		return rc;
	rc = s->ops->read_front(s, &im);
	if (!rc)
		rc = ppm_write(path, &im);
	gfx_image_free(&im);
	return rc;
}

int screen_describe(const char *device, struct buf *out, struct errmsg *err)
{
	char path[32];
	int found = 0;

	if (device)
		return is_fbdev(device) ? screen_fbdev_describe(device, out, err)
					: screen_drm_describe(device, out, err);
	for (int i = 0; i < MAX_CARDS; i++)
		if (card_present(i, path) && !screen_drm_describe(path, out, NULL))
			found++;
	for (int i = 0; i < MAX_CARDS; i++) {
		snprintf(path, sizeof(path), "/dev/fb%d", i);
		if (access(path, F_OK) == 0 && !screen_fbdev_describe(path, out, NULL))
			found++;
	}
	if (!found)
		return errmsg_set(err, -ENODEV, "no screen (no /dev/dri/card* or /dev/fb*)");
	return 0;
}

int screen_capture(const char *device, struct gfx_image *out, struct errmsg *err)
{
	char path[32];
	struct errmsg why = { "" };

	if (device)
		return is_fbdev(device) ? screen_fbdev_capture(device, out, err)
					: screen_drm_capture(device, out, err);
	for (int i = 0; i < MAX_CARDS; i++)
		if (card_present(i, path) && !screen_drm_capture(path, out, &why))
			return 0;
	if (access("/dev/fb0", F_OK) == 0 && !screen_fbdev_capture("/dev/fb0", out, &why))
		return 0;
	return errmsg_set(err, -ENODEV, "nothing to capture%s%s", why.msg[0] ? ": " : "",
			  why.msg);
}

/* ---- pixel formats of framebuffer devices -------------------------------- */

bool fb_format_is_xrgb(const struct fb_format *f)
{
	return f->bpp == 32 && f->roff == 16 && f->goff == 8 && f->boff == 0 &&
	       f->rlen == 8 && f->glen == 8 && f->blen == 8;
}

static uint32_t load_px(const uint8_t *p, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static unsigned widen(uint32_t v, unsigned len)
{
	/* Replicates the top bits so full intensity stays 255. */
	v <<= 8 - len;
	return (v | v >> len) & 0xff;
}

void fb_row_to_xrgb(const struct fb_format *f, const uint8_t *in, uint32_t *out,
		    unsigned width)
{
	unsigned bytes = f->bpp / 8;

	if (fb_format_is_xrgb(f)) {
		memcpy(out, in, (size_t)width * 4);
		return;
	}
	for (unsigned x = 0; x < width; x++) {
		uint32_t v = load_px(in + (size_t)x * bytes, bytes);
		unsigned r = widen(v >> f->roff & ((1u << f->rlen) - 1), f->rlen);
		unsigned g = widen(v >> f->goff & ((1u << f->glen) - 1), f->glen);
		unsigned b = widen(v >> f->boff & ((1u << f->blen) - 1), f->blen);
		out[x] = GFX_RGB(r, g, b);
	}
}

void fb_row_from_xrgb(const struct fb_format *f, const uint32_t *in, uint8_t *out,
		      unsigned width)
{
	unsigned bytes = f->bpp / 8;

	if (fb_format_is_xrgb(f)) {
		memcpy(out, in, (size_t)width * 4);
		return;
	}
	for (unsigned x = 0; x < width; x++) {
		uint32_t c = in[x];
		uint32_t v = (c >> 16 & 0xff) >> (8 - f->rlen) << f->roff |
			     (c >> 8 & 0xff) >> (8 - f->glen) << f->goff |
			     (c & 0xff) >> (8 - f->blen) << f->boff;
		for (unsigned i = 0; i < bytes; i++)
			out[(size_t)x * bytes + i] = (uint8_t)(v >> (8 * i));
	}
}
