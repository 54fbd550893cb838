/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's screen on the host. The I/O thread collects what changed -
 * pages of the boot framebuffer the guest wrote (KVM_GET_DIRTY_LOG on the
 * VRAM slot, polled 60 times a second) or rectangles of QXL drawing
 * commands (which wake it at once) - copies just that to the output image
 * (centred 1:1, or scaled when the guest is larger) and presents it.
 *
 * Pacing: time is cut into 60 Hz refresh periods, and each copy stands for
 * one of them, the period its oldest drawing arrived in, or the one after
 * the last copy's when that is later; a copy waits only when its period
 * would not be past the last copy's one. So there are at most 60 copies a
 * second, each holding all the guest drew since the last, and drawing is
 * copied as soon as it comes when the guest draws at 60 Hz or less. The
 * period counts by when the drawing arrived, not when the copy ran: a
 * copy the scheduler ran late does not hold back the next frame of a
 * guest that itself draws at 60 Hz (by when copies ran, every late one
 * would push all later ones back for good). On a screen, the page flip
 * also waits for the vertical blank. Nothing changed, nothing copied: an
 * idle QXL guest costs nothing, an idle boot framebuffer one ioctl per
 * period.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "kvm/display.h"

#define FRAME_NS (1000000000ULL / 60)
#define OFFSCREEN_W 1024
#define OFFSCREEN_H 768
#define PAGE 4096ULL

/*
 * With @d->lock held: whether the caller must wake the I/O thread for new
 * damage (once per frame: the copy clears @frame_asked).
 */
static bool frame_wanted(struct display *d)
{
	if (d->frame_asked || !d->wake_ok)
		return false;
	d->frame_asked = true;
	return true;
}

static void wake_io(struct display *d)
{
	uint64_t one = 1;
	ssize_t n = write(d->wake.fd, &one, sizeof(one));

	(void)n; /* cannot fail short of 2^64 - 1 wakes pending */
}

void display_set_view(struct display *d, uint32_t *px, unsigned width,
		      unsigned height, unsigned stride, bool lfb)
{
	bool wake = false;

	pthread_mutex_lock(&d->lock);
	d->view = (struct gfx_image){ .px = px, .width = px ? width : 0,
				      .height = px ? height : 0, .stride = stride };
	d->view_lfb = px && lfb;
	gfx_damage_clear(&d->damage);
	if (px) {
		gfx_damage_add(&d->damage, (struct gfx_rect){ 0, 0, (int)width, (int)height });
		d->damage_ns = clock_now_ns();
		wake = frame_wanted(d);
	}
	pthread_mutex_unlock(&d->lock);
	if (wake)
		wake_io(d);
}

void display_damage(struct display *d, struct gfx_rect r, uint64_t since_ns)
{
	bool wake;

	pthread_mutex_lock(&d->lock);
	if (!d->damage.n)
		d->damage_ns = since_ns ? since_ns : clock_now_ns();
	gfx_damage_add(&d->damage, r);
	wake = frame_wanted(d);
	pthread_mutex_unlock(&d->lock);
	if (wake)
		wake_io(d);
}

void display_cursor_shape(struct display *d, const uint32_t *px, unsigned w,
			  unsigned h, unsigned hot_x, unsigned hot_y)
{
	pthread_mutex_lock(&d->lock);
	if (d->cursor.px && w <= DISPLAY_CURSOR_MAX && h <= DISPLAY_CURSOR_MAX) {
		memcpy(d->cursor.px, px, (size_t)w * h * 4);
		d->cursor.w = w;
		d->cursor.h = h;
		d->cursor.hot_x = MIN(hot_x, w - 1);
		d->cursor.hot_y = MIN(hot_y, h - 1);
		d->cursor.changed = true;
	}
	bool wake = d->cursor.changed && frame_wanted(d);
	pthread_mutex_unlock(&d->lock);
	if (wake)
		wake_io(d);
}

void display_cursor_move(struct display *d, int x, int y, bool visible)
{
	pthread_mutex_lock(&d->lock);
	if (x != d->cursor.x || y != d->cursor.y || visible != d->cursor.visible)
		d->cursor.changed = true;
	d->cursor.x = x;
	d->cursor.y = y;
	d->cursor.visible = visible;
	bool wake = d->cursor.changed && frame_wanted(d);
	pthread_mutex_unlock(&d->lock);
	if (wake)
		wake_io(d);
}

int display_screenshot(struct display *d, const char *path)
{
	int r = -ENODATA;

	pthread_mutex_lock(&d->lock);
	if (d->view.px)
		r = ppm_write(path, &d->view);
	pthread_mutex_unlock(&d->lock);
	return r;
}

int display_screendump(struct display *d, const char *path)
{
	return ppm_write(path, &d->out); /* the I/O thread's, like the caller */
}

bool display_boot_fb(const struct vm *vm, struct display_boot_fb *fb)
{
	if (!vm->display || !vm->display->boot.width)
		return false;
	*fb = vm->display->boot;
	return true;
}

/* Rows of the boot framebuffer on pages the guest wrote since last time. */
static void collect_lfb(struct display *d)
{
	struct kvm_dirty_log log = { .slot = d->lfb_slot, .dirty_bitmap = d->dirty };
	uint64_t fb_len = (uint64_t)d->view.stride * d->view.height;
	uint64_t pages = (fb_len + PAGE - 1) / PAGE;

	if (ioctl(d->vm->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
		return;
	for (uint64_t p = 0; p < pages;) {
		if (!(d->dirty[p / 64] >> (p % 64) & 1)) {
			p++;
			continue;
		}
		uint64_t first = p;
		while (p < pages && (d->dirty[p / 64] >> (p % 64) & 1))
			p++;
		unsigned y0 = (unsigned)(first * PAGE / d->view.stride);
		unsigned y1 = (unsigned)MIN((p * PAGE + d->view.stride - 1) / d->view.stride,
					    (uint64_t)d->view.height);
		if (!d->damage.n)
			d->damage_ns = clock_now_ns();
		gfx_damage_add(&d->damage, (struct gfx_rect){ 0, (int)y0, (int)d->view.width,
							      (int)(y1 - y0) });
	}
}

/* Where the cursor is, in view coordinates (empty when hidden). */
static struct gfx_rect cursor_rect(const struct display *d)
{
	if (!d->cursor.visible || !d->cursor.w)
		return (struct gfx_rect){ 0, 0, 0, 0 };
	return (struct gfx_rect){ d->cursor.x - (int)d->cursor.hot_x,
				  d->cursor.y - (int)d->cursor.hot_y,
				  (int)d->cursor.w, (int)d->cursor.h };
}

/* The view rectangle whose copy covers output rectangle @r (the current map). */
static struct gfx_rect view_area(const struct display *d, struct gfx_rect r)
{
	const struct gfx_rect o = d->map.out;

	if (gfx_rect_empty(r) || !d->map_ok || o.w <= 0 || o.h <= 0)
		return (struct gfx_rect){ 0, 0, 0, 0 };
	int64_t vw = d->map.src_w, vh = d->map.src_h;
	int x0 = (int)((r.x - o.x) * vw / o.w) - 1, y0 = (int)((r.y - o.y) * vh / o.h) - 1;
	int x1 = (int)((r.x + r.w - o.x) * vw / o.w) + 2, y1 = (int)((r.y + r.h - o.y) * vh / o.h) + 2;
	return gfx_rect_intersect((struct gfx_rect){ x0, y0, x1 - x0, y1 - y0 },
				  (struct gfx_rect){ 0, 0, (int)vw, (int)vh });
}

/*
 * The cursor over the output, unscaled, at the output place of its hot
 * spot; returns the output rectangle it changed. Pixels are premultiplied
 * ARGB (the DRM convention the guest's driver copies from).
 */
static struct gfx_rect draw_cursor(struct display *d, const struct gfx_image *view)
{
	struct gfx_rect r;

	pthread_mutex_lock(&d->lock);
	r = cursor_rect(d);
	d->cursor.drawn = (struct gfx_rect){ 0, 0, 0, 0 };
	if (gfx_rect_empty(r)) {
		pthread_mutex_unlock(&d->lock);
		return r;
	}
	const struct gfx_rect o = d->map.out;
	int ox = o.x + (int)((int64_t)d->cursor.x * o.w / (int)view->width) - (int)d->cursor.hot_x;
	int oy = o.y + (int)((int64_t)d->cursor.y * o.h / (int)view->height) - (int)d->cursor.hot_y;
	struct gfx_rect dst = gfx_rect_intersect((struct gfx_rect){ ox, oy, (int)d->cursor.w, (int)d->cursor.h },
						 (struct gfx_rect){ 0, 0, (int)d->out.width, (int)d->out.height });
	d->cursor.drawn = dst;
	for (int y = dst.y; y < dst.y + dst.h; y++) {
		const uint32_t *src = d->cursor.px + (size_t)(y - oy) * d->cursor.w;
		uint32_t *row = gfx_image_row(&d->out, (unsigned)y);
		for (int x = dst.x; x < dst.x + dst.w; x++) {
			uint32_t s = src[x - ox], a = s >> 24, p = row[x], v = 0;
			for (int sh = 0; sh <= 16; sh += 8)
				v |= MIN(255u, ((s >> sh) & 255) + ((p >> sh) & 255) * (255 - a) / 255) << sh;
			row[x] = v;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return dst;
}

/* The blit map for a @w x @h view; *@fresh when it was just (re)made. */
static bool map_for(struct display *d, unsigned w, unsigned h, bool *fresh)
{
	*fresh = false;
	if (d->map_ok && d->map.src_w == w && d->map.src_h == h)
		return true;
	*fresh = true;
	if (d->map_ok)
		gfx_blit_map_free(&d->map);
	enum gfx_fit fit = w <= d->out.width && h <= d->out.height ? GFX_CENTER : GFX_SCALE;
	d->map_ok = gfx_blit_map_init(&d->map, w, h, d->out.width, d->out.height, fit) == 0;
	if (d->map_ok)
		gfx_blit_borders(&d->map, &d->out);
	return d->map_ok;
}

/*
 * One frame; returns whether QXL releases still wait for
 * room (the timer then comes back). The lock covers only taking the
 * damage and the view; the copy runs without it, so a vCPU applying a
 * drawing command never waits for the copy (the view is guest memory that
 * stays mapped; a torn read is repaired by that command's own damage,
 * which wakes the next frame). The output image is the I/O thread's alone.
 */
static bool frame(struct display *d)
{
	struct gfx_damage dmg, out = { .n = 0 };
	struct gfx_image view;
	uint64_t since;
	bool fresh, releases = d->qxl && qxl_tick(d->qxl);

	pthread_mutex_lock(&d->lock);
	if (d->view_lfb)
		collect_lfb(d);
	if (d->view.px && (d->cursor.changed || (d->damage.n && !gfx_rect_empty(d->cursor.drawn)))) {
		/* Uncover its old place, and copy its new one afresh: the cursor
		 * is blended over the copy afterwards. */
		struct gfx_rect all = { 0, 0, (int)d->view.width, (int)d->view.height };
		gfx_damage_add(&d->damage, view_area(d, d->cursor.drawn));
		gfx_damage_add(&d->damage, gfx_rect_intersect(cursor_rect(d), all));
	}
	d->cursor.changed = false;
	dmg = d->damage;
	view = d->view;
	since = d->damage_ns;
	gfx_damage_clear(&d->damage);
	d->frame_asked = false;
	pthread_mutex_unlock(&d->lock);
	if (!dmg.n || !view.px || !map_for(d, view.width, view.height, &fresh))
		return releases;
	d->copy_period = MAX(d->copy_period + 1, since / FRAME_NS);
	if (fresh) /* borders repainted */
		gfx_damage_add(&out, (struct gfx_rect){ 0, 0, (int)d->out.width, (int)d->out.height });
	for (unsigned i = 0; i < dmg.n; i++)
		gfx_damage_add(&out, gfx_blit(&d->map, &view, dmg.r[i], &d->out));
	gfx_damage_add(&out, draw_cursor(d, &view));
	d->frames++;
	d->last_latency_ns = clock_now_ns() - since;
	if (d->screen)
		screen_present(d->screen, &out); /* a page flip waits for vblank */
	return releases;
}

/* The frame timer fires at @when (one-shot; re-armed as needed). */
static void arm_at(struct display *d, uint64_t when)
{
	uint64_t now = clock_now_ns(), delay = when > now ? when - now : 1;
	struct itimerspec its = { .it_value = { (time_t)(delay / 1000000000ULL),
						(long)(delay % 1000000000ULL) } };

	if (timerfd_settime(d->tick.h.fd, 0, &its, NULL) == 0)
		d->tick_due = when;
}

/* After a frame started at @start: the timer comes back while the boot
 * framebuffer needs polling or releases wait; otherwise all is quiet. */
static void plan_next(struct display *d, uint64_t start, bool releases)
{
	bool lfb;

	if (d->tick_due)
		return;
	pthread_mutex_lock(&d->lock);
	lfb = d->view_lfb;
	pthread_mutex_unlock(&d->lock);
	if (lfb || releases)
		arm_at(d, start + FRAME_NS);
}

static void on_tick(struct ev_timer *t)
{
	struct display *d = container_of(t, struct display, tick);
	uint64_t now = clock_now_ns();

	d->tick_due = 0;
	plan_next(d, now, frame(d));
}

/* New damage: copy now if the pace allows, else as soon as it does (the
 * timer, when armed, copies it anyway). */
static void on_wake(struct ev_handler *h, uint32_t events)
{
	struct display *d = container_of(h, struct display, wake);
	uint64_t n, now = clock_now_ns();
	ssize_t got = read(h->fd, &n, sizeof(n));

	(void)events;
	(void)got; /* EAGAIN: a spurious wake, handled like a real one */
	if (d->tick_due)
		return;
	if (now / FRAME_NS <= d->copy_period) {
		arm_at(d, (d->copy_period + 1) * FRAME_NS);
		return;
	}
	plan_next(d, now, frame(d));
}

static int open_output(struct display *d, const struct vmm_config *cfg,
		       struct errmsg *err)
{
	int r;

	if (cfg->display == VMM_DISPLAY_SCREEN) {
		if ((r = screen_open(NULL, &d->screen, err)) < 0)
			return r;
		d->out = d->screen->image;
		d->width = d->out.width;
		d->height = d->out.height;
		log_info("display: %s", d->screen->name);
		/* The host's keyboards and pointers go to this guest. */
		struct errmsg why = { "" };
		if (input_host_start(d->vm, d->width, d->height, &why) < 0)
			log_warn("display: no host input: %s", why.msg);
		return 0;
	}
	d->width = cfg->display_width ? cfg->display_width : OFFSCREEN_W;
	d->height = cfg->display_height ? cfg->display_height : OFFSCREEN_H;
	if ((r = gfx_image_alloc(&d->out, d->width, d->height)) < 0)
		return errmsg_set(err, r, "display %ux%u: %s", d->width, d->height, err_str(r));
	return 0;
}

/* The boot framebuffer: the output's size when the VRAM holds it. */
static void boot_fb_init(struct display *d, uint64_t vram_size)
{
	unsigned w = d->width, h = d->height;

	if ((uint64_t)w * h * 4 > vram_size) {
		w = 1024;
		h = 768;
	}
	d->boot.width = w;
	d->boot.height = h;
	d->boot.stride = w * 4;
	d->boot.size = (uint64_t)w * h * 4;
	display_set_view(d, (uint32_t *)(void *)d->lfb, w, h, w * 4, true);
}

int display_init(struct vm *vm, const struct vmm_config *cfg, struct errmsg *err)
{
	struct display *d;
	int r;

	if (cfg->display == VMM_DISPLAY_NONE) {
		if (cfg->control_path)
			return errmsg_set(err, -EINVAL, "--control needs --display screen or offscreen");
		return 0;
	}
	if (!(d = calloc(1, sizeof(*d))))
		return errmsg_set(err, -ENOMEM, "out of memory");
	d->vm = vm;
	d->mode = cfg->display;
	pthread_mutex_init(&d->lock, NULL);
	if ((r = open_output(d, cfg, err)) < 0)
		return r;
	vm->display = d;
	if ((r = qxl_create(vm, d, err)) < 0)
		return r;
	d->dirty = calloc(1, d->lfb_slot_size / PAGE / 8 + 8);
	d->cursor.px = calloc(DISPLAY_CURSOR_MAX * DISPLAY_CURSOR_MAX, 4);
	if (!d->dirty || !d->cursor.px)
		return errmsg_set(err, -ENOMEM, "out of memory");
	if ((d->wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		return errmsg_set(err, -errno, "display eventfd: %s", err_str(-errno));
	d->wake.fn = on_wake;
	if ((r = evloop_add(&vm->loop, &d->wake, EPOLLIN)) < 0)
		return errmsg_set(err, r, "display eventfd: %s", err_str(r));
	if ((r = evloop_timer_start(&vm->loop, &d->tick, FRAME_NS, 0, on_tick)) < 0)
		return errmsg_set(err, r, "display timer: %s", err_str(r));
	d->tick_due = clock_now_ns() + FRAME_NS;
	d->wake_ok = true;
	boot_fb_init(d, d->lfb_slot_size);
	if (cfg->control_path && (r = display_control_open(d, cfg->control_path, err)) < 0)
		return r;
	return 0;
}
