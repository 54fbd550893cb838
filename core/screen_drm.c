/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DRM/KMS output without libdrm: the kernel's mode-setting ioctls on
 * /dev/dri/cardN. The first connected connector gets its preferred (native)
 * mode; two dumb buffers are flipped at vertical blank, so a frame is never
 * shown half-drawn. Only damaged regions are copied into the back buffer
 * (plus what changed in the frame before, which that buffer has not seen).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>

#include "core/screen_priv.h"

#define DRM_MAX_OBJECTS 32
#define FLIP_TIMEOUT_MS 200

struct drm_buffer {
	uint32_t handle, fb_id, pitch;
	uint64_t size;
	uint8_t *map;
};

struct drm_state {
	int fd;
	uint32_t crtc_id, connector_id;
	struct drm_mode_modeinfo mode;
	struct drm_buffer buf[2];
	unsigned front;		   /* index of the buffer being shown */
	bool flips;		   /* page flips work; else draw into the front */
	struct gfx_damage last;	   /* damage of the previous frame */
	struct drm_mode_crtc saved; /* to give the console its screen back */
};

static int drm_ioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && (errno == EINTR || errno == EAGAIN));
	return r < 0 ? -errno : 0;
}

static const char *connector_type_name(uint32_t t)
{
	static const char *const names[] = {
		[DRM_MODE_CONNECTOR_Unknown] = "Unknown",
		[DRM_MODE_CONNECTOR_VGA] = "VGA",
		[DRM_MODE_CONNECTOR_DVII] = "DVI-I",
		[DRM_MODE_CONNECTOR_DVID] = "DVI-D",
		[DRM_MODE_CONNECTOR_DVIA] = "DVI-A",
		[DRM_MODE_CONNECTOR_Composite] = "Composite",
		[DRM_MODE_CONNECTOR_SVIDEO] = "SVIDEO",
		[DRM_MODE_CONNECTOR_LVDS] = "LVDS",
		[DRM_MODE_CONNECTOR_Component] = "Component",
		[DRM_MODE_CONNECTOR_9PinDIN] = "DIN",
		[DRM_MODE_CONNECTOR_DisplayPort] = "DP",
		[DRM_MODE_CONNECTOR_HDMIA] = "HDMI-A",
		[DRM_MODE_CONNECTOR_HDMIB] = "HDMI-B",
		[DRM_MODE_CONNECTOR_TV] = "TV",
		[DRM_MODE_CONNECTOR_eDP] = "eDP",
		[DRM_MODE_CONNECTOR_VIRTUAL] = "Virtual",
		[DRM_MODE_CONNECTOR_DSI] = "DSI",
		[DRM_MODE_CONNECTOR_DPI] = "DPI",
	};
	return t < ARRAY_SIZE(names) && names[t] ? names[t] : "Other";
}

/* The resources' ids (CRTCs, connectors, encoders), bounded in number. */
struct drm_res {
	uint32_t crtcs[DRM_MAX_OBJECTS], connectors[DRM_MAX_OBJECTS],
		encoders[DRM_MAX_OBJECTS];
	unsigned ncrtcs, nconnectors, nencoders;
};

static int get_resources(int fd, struct drm_res *res)
{
	struct drm_mode_card_res r = { 0 };
	int rc = drm_ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &r);

	if (rc)
		return rc;
	memset(res, 0, sizeof(*res));
	res->ncrtcs = MIN(r.count_crtcs, DRM_MAX_OBJECTS);
	res->nconnectors = MIN(r.count_connectors, DRM_MAX_OBJECTS);
	res->nencoders = MIN(r.count_encoders, DRM_MAX_OBJECTS);
	r = (struct drm_mode_card_res){
		.crtc_id_ptr = (uintptr_t)res->crtcs,
		.connector_id_ptr = (uintptr_t)res->connectors,
		.encoder_id_ptr = (uintptr_t)res->encoders,
		.count_crtcs = res->ncrtcs,
		.count_connectors = res->nconnectors,
		.count_encoders = res->nencoders,
	};
	rc = drm_ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &r);
	/* Objects may have appeared in between: keep what fits. */
	res->ncrtcs = MIN(res->ncrtcs, r.count_crtcs);
	res->nconnectors = MIN(res->nconnectors, r.count_connectors);
	res->nencoders = MIN(res->nencoders, r.count_encoders);
	return rc;
}

struct drm_conn {
	struct drm_mode_get_connector c;
	struct drm_mode_modeinfo modes[64];
	uint32_t encoders[DRM_MAX_OBJECTS];
	unsigned nmodes, nencoders;
};

static int get_connector(int fd, uint32_t id, struct drm_conn *k)
{
	memset(k, 0, sizeof(*k));
	k->c.connector_id = id;
	int rc = drm_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &k->c); /* probes */
	if (rc)
		return rc;
	k->nmodes = MIN(k->c.count_modes, ARRAY_SIZE(k->modes));
	k->nencoders = MIN(k->c.count_encoders, DRM_MAX_OBJECTS);
	k->c = (struct drm_mode_get_connector){
		.connector_id = id,
		.modes_ptr = (uintptr_t)k->modes,
		.count_modes = k->nmodes,
		.encoders_ptr = (uintptr_t)k->encoders,
		.count_encoders = k->nencoders,
	};
	rc = drm_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &k->c);
	k->nmodes = MIN(k->nmodes, k->c.count_modes);
	k->nencoders = MIN(k->nencoders, k->c.count_encoders);
	return rc;
}

static const struct drm_mode_modeinfo *preferred_mode(const struct drm_conn *k)
{
	for (unsigned i = 0; i < k->nmodes; i++)
		if (k->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			return &k->modes[i];
	return k->nmodes ? &k->modes[0] : NULL;
}

/* A CRTC that can drive the connector: its current one, else any allowed. */
static uint32_t pick_crtc(int fd, const struct drm_res *res, const struct drm_conn *k)
{
	for (unsigned i = 0; i < k->nencoders; i++) {
		struct drm_mode_get_encoder e = { .encoder_id = k->encoders[i] };
		if (drm_ioctl(fd, DRM_IOCTL_MODE_GETENCODER, &e))
			continue;
		if (e.encoder_id == k->c.encoder_id && e.crtc_id)
			return e.crtc_id;
		for (unsigned c = 0; c < res->ncrtcs; c++)
			if (e.possible_crtcs & (1u << c))
				return res->crtcs[c];
	}
	return 0;
}

static void destroy_buffer(int fd, struct drm_buffer *b)
{
	if (b->map)
		munmap(b->map, b->size);
	if (b->fb_id)
		drm_ioctl(fd, DRM_IOCTL_MODE_RMFB, &b->fb_id);
	if (b->handle) {
		struct drm_mode_destroy_dumb d = { .handle = b->handle };
		drm_ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	memset(b, 0, sizeof(*b));
}

static int create_buffer(int fd, unsigned w, unsigned h, struct drm_buffer *b)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	int rc = drm_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c);

	if (rc)
		return rc;
	b->handle = c.handle;
	b->pitch = c.pitch;
	b->size = c.size;
	struct drm_mode_fb_cmd f = { .width = w, .height = h, .pitch = c.pitch,
				     .bpp = 32, .depth = 24, .handle = c.handle };
	rc = drm_ioctl(fd, DRM_IOCTL_MODE_ADDFB, &f);
	if (rc)
		goto fail;
	b->fb_id = f.fb_id;
	struct drm_mode_map_dumb m = { .handle = c.handle };
	rc = drm_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m);
	if (rc)
		goto fail;
	void *p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)m.offset);
	if (p == MAP_FAILED) {
		rc = -errno;
		goto fail;
	}
	b->map = p;
	memset(b->map, 0, b->size);
	return 0;
fail:
	destroy_buffer(fd, b);
	return rc;
}

static void copy_rect(struct drm_buffer *b, const struct gfx_image *im,
		      struct gfx_rect r)
{
	r = gfx_rect_intersect(r, (struct gfx_rect){ 0, 0, (int)im->width,
						     (int)im->height });
	for (int y = r.y; y < r.y + r.h; y++)
		memcpy(b->map + (size_t)y * b->pitch + (size_t)r.x * 4,
		       gfx_image_row(im, (unsigned)y) + r.x, (size_t)r.w * 4);
}

/* Waits for the flip-complete event of the last page flip. */
static int wait_flip(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char ev[1024];

	for (;;) {
		int n = poll(&p, 1, FLIP_TIMEOUT_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ETIMEDOUT;
		ssize_t len = read(fd, ev, sizeof(ev));
		if (len < 0 && errno == EINTR)
			continue;
		if (len < (ssize_t)sizeof(struct drm_event))
			return -EIO;
		for (ssize_t off = 0; off + (ssize_t)sizeof(struct drm_event) <= len;) {
			struct drm_event e;
			memcpy(&e, ev + off, sizeof(e));
			if (e.type == DRM_EVENT_FLIP_COMPLETE)
				return 0;
			if (e.length < sizeof(e))
				return -EIO;
			off += e.length;
		}
	}
}

static int drm_present(struct screen *s, const struct gfx_damage *d)
{
	struct drm_state *st = s->priv;

	if (!st->flips) {
		for (unsigned i = 0; i < d->n; i++)
			copy_rect(&st->buf[st->front], &s->image, d->r[i]);
		return 0;
	}
	/* The back buffer last held the frame before the previous one. */
	struct gfx_damage all = st->last;
	gfx_damage_add_all(&all, d);
	if (!all.n)
		return 0;
	unsigned back = st->front ^ 1;
	for (unsigned i = 0; i < all.n; i++)
		copy_rect(&st->buf[back], &s->image, all.r[i]);
	struct drm_mode_crtc_page_flip f = { .crtc_id = st->crtc_id,
					     .fb_id = st->buf[back].fb_id,
					     .flags = DRM_MODE_PAGE_FLIP_EVENT };
	int rc = drm_ioctl(st->fd, DRM_IOCTL_MODE_PAGE_FLIP, &f);
	if (rc == 0)
		rc = wait_flip(st->fd);
	if (rc) {
		/* No flips here: from now on draw straight into the front. */
		log_warn("%s: page flip failed (%s): drawing into the shown buffer",
			 s->device, err_str(rc));
		st->flips = false;
		for (unsigned i = 0; i < all.n; i++)
			copy_rect(&st->buf[st->front], &s->image, all.r[i]);
		return 0;
	}
	st->front = back;
	st->last = *d;
	return 0;
}

static int drm_read_front(struct screen *s, struct gfx_image *out)
{
	struct drm_state *st = s->priv;
	const struct drm_buffer *b = &st->buf[st->front];

	for (unsigned y = 0; y < out->height; y++)
		memcpy(gfx_image_row(out, y), b->map + (size_t)y * b->pitch,
		       (size_t)out->width * 4);
	return 0;
}

static void drm_close(struct screen *s)
{
	struct drm_state *st = s->priv;

	if (!st)
		return;
	if (st->saved.crtc_id) {
		/* Hand the screen back as it was (usually the console). */
		st->saved.set_connectors_ptr = (uintptr_t)&st->connector_id;
		st->saved.count_connectors = 1;
		drm_ioctl(st->fd, DRM_IOCTL_MODE_SETCRTC, &st->saved);
	}
	for (int i = 0; i < 2; i++)
		destroy_buffer(st->fd, &st->buf[i]);
	drm_ioctl(st->fd, DRM_IOCTL_DROP_MASTER, NULL);
	close(st->fd);
	free(st);
	s->priv = NULL;
}

static const struct screen_ops drm_ops = { drm_present, drm_read_front, drm_close };

static int open_card(const char *path, struct errmsg *err)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errmsg_set(err, -errno, "%s: %s", path, strerror(errno));
	struct drm_get_cap cap = { .capability = DRM_CAP_DUMB_BUFFER };
	if (drm_ioctl(fd, DRM_IOCTL_GET_CAP, &cap) || !cap.value) {
		close(fd);
		return errmsg_set(err, -ENODEV, "%s: no dumb buffers (not a KMS device)",
				  path);
	}
	return fd;
}

/* The first connected connector with modes; -ENODEV when none. */
static int find_output(int fd, const struct drm_res *res, struct drm_conn *k)
{
	for (unsigned i = 0; i < res->nconnectors; i++)
		if (!get_connector(fd, res->connectors[i], k) &&
		    k->c.connection == 1 && k->nmodes)
			return 0;
	return -ENODEV;
}

static int setup(struct screen *s, struct drm_state *st, const char *path,
		 struct errmsg *err)
{
	struct drm_res res;
	struct drm_conn k;
	int rc;

	if (drm_ioctl(st->fd, DRM_IOCTL_SET_MASTER, NULL))
		log_debug("%s: not DRM master (continuing)", path);
	if ((rc = get_resources(st->fd, &res)))
		return errmsg_set(err, rc, "%s: mode resources: %s", path, err_str(rc));
	if (find_output(st->fd, &res, &k))
		return errmsg_set(err, -ENODEV, "%s: no connected screen", path);
	st->connector_id = k.c.connector_id;
	st->mode = *preferred_mode(&k);
	st->crtc_id = pick_crtc(st->fd, &res, &k);
	if (!st->crtc_id)
		return errmsg_set(err, -ENODEV, "%s: no CRTC for the screen", path);
	unsigned w = st->mode.hdisplay, h = st->mode.vdisplay;
	if ((rc = gfx_image_alloc(&s->image, w, h)))
		return errmsg_set(err, rc, "%s: mode %ux%u: %s", path, w, h, err_str(rc));
	for (int i = 0; i < 2; i++)
		if ((rc = create_buffer(st->fd, w, h, &st->buf[i])))
			return errmsg_set(err, rc, "%s: dumb buffer %ux%u: %s", path, w,
					  h, err_str(rc));
	st->saved.crtc_id = st->crtc_id;
	if (drm_ioctl(st->fd, DRM_IOCTL_MODE_GETCRTC, &st->saved))
		st->saved.crtc_id = 0;
	struct drm_mode_crtc set = { .crtc_id = st->crtc_id, .fb_id = st->buf[0].fb_id,
				     .set_connectors_ptr = (uintptr_t)&st->connector_id,
				     .count_connectors = 1, .mode = st->mode,
				     .mode_valid = 1 };
	if ((rc = drm_ioctl(st->fd, DRM_IOCTL_MODE_SETCRTC, &set)))
		return errmsg_set(err, rc, "%s: setting mode %ux%u: %s", path, w, h,
				  err_str(rc));
	st->flips = true;
	s->refresh_hz = st->mode.vrefresh;
	snprintf(s->name, sizeof(s->name), "drm %s %ux%u@%u %s-%u", path, w, h,
		 st->mode.vrefresh, connector_type_name(k.c.connector_type),
		 k.c.connector_type_id);
	return 0;
}

int screen_drm_open(const char *path, struct screen *s, struct errmsg *err)
{
	int fd = open_card(path, err);
	if (fd < 0)
		return fd;
	struct drm_state *st = calloc(1, sizeof(*st));
	if (!st) {
		close(fd);
		return errmsg_set(err, -ENOMEM, "out of memory");
	}
	st->fd = fd;
	s->priv = st;
	s->ops = &drm_ops;
	int rc = setup(s, st, path, err);
	if (rc) {
		st->saved.crtc_id = 0; /* nothing was changed yet */
		drm_close(s);
		gfx_image_free(&s->image);
	}
	return rc;
}

int screen_drm_describe(const char *path, struct buf *out, struct errmsg *err)
{
	struct drm_res res;
	struct drm_conn k;
	int fd = open_card(path, err), rc;

	if (fd < 0)
		return fd;
	if ((rc = get_resources(fd, &res))) {
		close(fd);
		return errmsg_set(err, rc, "%s: mode resources: %s", path, err_str(rc));
	}
	buf_printf(out, "%s: DRM/KMS, %u connector(s), %u CRTC(s)\n", path,
		   res.nconnectors, res.ncrtcs);
	for (unsigned i = 0; i < res.nconnectors; i++) {
		if (get_connector(fd, res.connectors[i], &k))
			continue;
		const struct drm_mode_modeinfo *pm = preferred_mode(&k);
		buf_printf(out, "  output %s-%u: %s", connector_type_name(k.c.connector_type),
			   k.c.connector_type_id,
			   k.c.connection == 1 ? "connected" : "disconnected");
		if (pm)
			buf_printf(out, ", native %ux%u@%u", pm->hdisplay, pm->vdisplay,
				   pm->vrefresh);
		buf_printf(out, "\n");
		for (unsigned m = 0; m < k.nmodes; m++)
			buf_printf(out, "    mode %ux%u@%u%s\n", k.modes[m].hdisplay,
				   k.modes[m].vdisplay, k.modes[m].vrefresh,
				   &k.modes[m] == pm ? " (native)" : "");
	}
	close(fd);
	return 0;
}

int screen_drm_capture(const char *path, struct gfx_image *out, struct errmsg *err)
{
	struct drm_res res;
	int fd = open_card(path, err), rc;

	if (fd < 0)
		return fd;
	rc = get_resources(fd, &res);
	for (unsigned i = 0; !rc && i < res.ncrtcs; i++) {
		struct drm_mode_crtc c = { .crtc_id = res.crtcs[i] };
		if (drm_ioctl(fd, DRM_IOCTL_MODE_GETCRTC, &c) || !c.fb_id)
			continue;
		struct drm_mode_fb_cmd f = { .fb_id = c.fb_id };
		if ((rc = drm_ioctl(fd, DRM_IOCTL_MODE_GETFB, &f)))
			break;
		if (!f.handle || f.bpp != 32 || !f.width || !f.height ||
		    f.pitch < f.width * 4) {
			rc = -ENOTSUP;
			break;
		}
		struct drm_mode_map_dumb m = { .handle = f.handle };
		size_t size = (size_t)f.pitch * f.height;
		void *p = MAP_FAILED;
		if (!(rc = drm_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m))) {
			p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, (off_t)m.offset);
			rc = p == MAP_FAILED ? -errno : 0;
		}
		if (!rc && !(rc = gfx_image_alloc(out, f.width, f.height)))
			for (unsigned y = 0; y < f.height; y++)
				memcpy(gfx_image_row(out, y), (uint8_t *)p + (size_t)y * f.pitch,
				       (size_t)f.width * 4);
		if (p != MAP_FAILED)
			munmap(p, size);
		struct drm_gem_close gc = { .handle = f.handle };
		drm_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &gc);
		close(fd);
		return rc ? errmsg_set(err, rc, "%s: reading the shown frame: %s", path,
				       err_str(rc))
			  : 0;
	}
	close(fd);
	return errmsg_set(err, rc ? rc : -ENODEV, "%s: nothing is shown", path);
}
