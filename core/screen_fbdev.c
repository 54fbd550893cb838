/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Framebuffer-device output (/dev/fbN): the fall-back when no KMS driver is
 * loaded, e.g. the firmware's framebuffer through vesafb, efifb or simplefb.
 * The mode is whatever the firmware set; damaged regions are copied
 * straight into video memory (these devices have no page flips).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/fb.h>
#include <linux/kd.h>

#include "core/screen_priv.h"

struct fbdev_state {
	int fd;
	uint8_t *map;
	size_t map_size;
	unsigned pitch;
	struct fb_format fmt;
	int tty;	/* console switched to graphics mode, or -1 */
};

/* Stops the text console from drawing its cursor and messages over us. */
static int console_graphics(void)
{
	int tty = open("/dev/tty0", O_RDWR | O_CLOEXEC | O_NOCTTY);

	if (tty >= 0 && ioctl(tty, KDSETMODE, KD_GRAPHICS)) {
		close(tty);
		tty = -1;
	}
	return tty;
}

static int fb_query(int fd, const char *path, struct fb_var_screeninfo *v,
		    struct fb_fix_screeninfo *f, struct fb_format *fmt,
		    struct errmsg *err)
{
	if (ioctl(fd, FBIOGET_VSCREENINFO, v) || ioctl(fd, FBIOGET_FSCREENINFO, f))
		return errmsg_set(err, -ENODEV, "%s: not a framebuffer device", path);
	*fmt = (struct fb_format){ v->bits_per_pixel, v->red.offset, v->green.offset,
				   v->blue.offset, v->red.length, v->green.length,
				   v->blue.length };
	bool packed = f->type == FB_TYPE_PACKED_PIXELS &&
		      f->visual == FB_VISUAL_TRUECOLOR;
	bool sane = (fmt->bpp == 16 || fmt->bpp == 24 || fmt->bpp == 32) &&
		    fmt->rlen && fmt->rlen <= 8 && fmt->glen && fmt->glen <= 8 &&
		    fmt->blen && fmt->blen <= 8 && fmt->roff + fmt->rlen <= fmt->bpp &&
		    fmt->goff + fmt->glen <= fmt->bpp && fmt->boff + fmt->blen <= fmt->bpp;
	if (!packed || !sane)
		return errmsg_set(err, -ENOTSUP, "%s: %u bits per pixel, type %u visual %u: "
				  "only true-colour 16/24/32 bpp is supported",
				  path, v->bits_per_pixel, f->type, f->visual);
	if (!v->xres || !v->yres || v->xres > GFX_MAX_DIM || v->yres > GFX_MAX_DIM ||
	    f->line_length < v->xres * (fmt->bpp / 8) ||
	    (uint64_t)f->line_length * (v->yoffset + v->yres) > f->smem_len)
		return errmsg_set(err, -EINVAL, "%s: inconsistent geometry %ux%u", path,
				  v->xres, v->yres);
	return 0;
}

static int fb_map(const char *path, int flags, struct fbdev_state *st,
		  struct fb_var_screeninfo *v, struct errmsg *err)
{
	struct fb_fix_screeninfo f;
	int rc;

	st->fd = open(path, flags | O_CLOEXEC);
	if (st->fd < 0)
		return errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	if ((rc = fb_query(st->fd, path, v, &f, &st->fmt, err)))
		goto fail;
	st->pitch = f.line_length;
	st->map_size = f.smem_len;
	int prot = PROT_READ | ((flags & O_ACCMODE) == O_RDWR ? PROT_WRITE : 0);
	void *p = mmap(NULL, st->map_size, prot, MAP_SHARED, st->fd, 0);
	if (p == MAP_FAILED) {
		rc = errmsg_set(err, -errno, "%s: mmap: %s", path, strerror(errno));
		goto fail;
	}
	/* Start at the visible part (panned consoles). */
	st->map = p;
	return 0;
fail:
	close(st->fd);
	return rc;
}

static uint8_t *visible(const struct fbdev_state *st, const struct fb_var_screeninfo *v)
{
	return st->map + (size_t)v->yoffset * st->pitch + (size_t)v->xoffset * (st->fmt.bpp / 8);
}

static int fbdev_present(struct screen *s, const struct gfx_damage *d)
{
	struct fbdev_state *st = s->priv;
	struct fb_var_screeninfo v;
	unsigned bytes = st->fmt.bpp / 8;

	if (ioctl(st->fd, FBIOGET_VSCREENINFO, &v))
		v.xoffset = v.yoffset = 0;
	if ((uint64_t)st->pitch * (v.yoffset + s->image.height) > st->map_size)
		v.xoffset = v.yoffset = 0;
	uint8_t *base = visible(st, &v);
	for (unsigned i = 0; i < d->n; i++) {
		struct gfx_rect r = gfx_rect_intersect(d->r[i],
			(struct gfx_rect){ 0, 0, (int)s->image.width, (int)s->image.height });
		for (int y = r.y; y < r.y + r.h; y++) {
			uint8_t *o = base + (size_t)y * st->pitch + (size_t)r.x * bytes;
			const uint32_t *in = gfx_image_row(&s->image, (unsigned)y) + r.x;
			fb_row_from_xrgb(&st->fmt, in, o, (unsigned)r.w);
		}
	}
	return 0;
}

static int fbdev_read_front(struct screen *s, struct gfx_image *out)
{
	struct fbdev_state *st = s->priv;
	struct fb_var_screeninfo v = { 0 };

	if (ioctl(st->fd, FBIOGET_VSCREENINFO, &v) ||
	    (uint64_t)st->pitch * (v.yoffset + out->height) > st->map_size)
		v.xoffset = v.yoffset = 0;
	for (unsigned y = 0; y < out->height; y++)
		fb_row_to_xrgb(&st->fmt, visible(st, &v) + (size_t)y * st->pitch,
			       gfx_image_row(out, y), out->width);
	return 0;
}

static void fbdev_close(struct screen *s)
{
	struct fbdev_state *st = s->priv;

	if (!st)
		return;
	munmap(st->map, st->map_size);
	close(st->fd);
	if (st->tty >= 0) {
		ioctl(st->tty, KDSETMODE, KD_TEXT);
		close(st->tty);
	}
	free(st);
	s->priv = NULL;
}

static const struct screen_ops fbdev_ops = { fbdev_present, fbdev_read_front,
					     fbdev_close };

int screen_fbdev_open(const char *path, struct screen *s, struct errmsg *err)
{
	struct fbdev_state *st = calloc(1, sizeof(*st));
	struct fb_var_screeninfo v;
	int rc;

	if (!st)
		return errmsg_set(err, -ENOMEM, "out of memory");
	if ((rc = fb_map(path, O_RDWR, st, &v, err))) {
		free(st);
		return rc;
	}
	st->tty = -1;
	s->priv = st;
	s->ops = &fbdev_ops;
	if ((rc = gfx_image_alloc(&s->image, v.xres, v.yres))) {
		fbdev_close(s);
		return errmsg_set(err, rc, "%s: %ux%u: %s", path, v.xres, v.yres,
				  err_str(rc));
	}
	if (v.pixclock && v.xres && v.yres) {
		uint64_t total = (uint64_t)(v.xres + v.left_margin + v.right_margin + v.hsync_len) *
				 (v.yres + v.upper_margin + v.lower_margin + v.vsync_len);
		s->refresh_hz = (unsigned)(1000000000000ull / v.pixclock / MAX(total, 1));
	}
	st->tty = console_graphics();
	snprintf(s->name, sizeof(s->name), "fbdev %s %ux%u %ubpp", path, v.xres,
		 v.yres, v.bits_per_pixel);
	return 0;
}

int screen_fbdev_describe(const char *path, struct buf *out, struct errmsg *err)
{
	struct fb_var_screeninfo v;
	struct fb_fix_screeninfo f;
	struct fb_format fmt;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	int rc = fb_query(fd, path, &v, &f, &fmt, err);
	close(fd);
	if (rc)
		return rc;
	char id[sizeof(f.id) + 1] = { 0 };
	memcpy(id, f.id, sizeof(f.id));
	buf_printf(out, "%s: framebuffer \"%s\", %ux%u, %u bpp, pitch %u, %u KiB\n",
		   path, id, v.xres, v.yres, v.bits_per_pixel, f.line_length,
		   f.smem_len / 1024);
	return 0;
}

int screen_fbdev_capture(const char *path, struct gfx_image *out, struct errmsg *err)
{
	struct fbdev_state st;
	struct fb_var_screeninfo v;
	int rc = fb_map(path, O_RDONLY, &st, &v, err);

	if (rc)
		return rc;
	if (!(rc = gfx_image_alloc(out, v.xres, v.yres)))
		for (unsigned y = 0; y < v.yres; y++)
			fb_row_to_xrgb(&st.fmt, visible(&st, &v) + (size_t)y * st.pitch,
				       gfx_image_row(out, y), v.xres);
	munmap(st.map, st.map_size);
	close(st.fd);
	return rc ? errmsg_set(err, rc, "%s: %s", path, err_str(rc)) : 0;
}
