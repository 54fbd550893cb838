/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm/ internal: the guest's screen between the QXL device (which says
 * where the guest's pixels are and what changed) and the output (the host
 * screen or a memory image), plus the control socket.
 *
 * Threads: the device calls in from vCPU threads (port writes), the frame
 * timer and the control socket run on the I/O thread; @lock guards the
 * view and the damage list; the output (out, map, screen) is the I/O
 * thread's alone.
 */
#ifndef KVMBOX_KVM_DISPLAY_H
#define KVMBOX_KVM_DISPLAY_H

#include "kvm/machine.h"

struct qxl;
struct display_control;

struct display {
	struct vm *vm;
	enum vmm_display mode;
	unsigned width, height;	/* the output's size, offered to the guest */
	pthread_mutex_t lock;

	/* What the guest shows: pixels in guest memory (width 0: nothing). */
	struct gfx_image view;
	bool view_lfb;		/* the boot framebuffer (dirty-logged) */
	struct gfx_damage damage; /* view coordinates, since the last frame */
	uint64_t damage_ns;	/* when the oldest pending damage arrived */

	/* The boot framebuffer: the start of the VRAM BAR, a dirty-logged slot. */
	struct display_boot_fb boot;
	uint8_t *lfb;		/* host address of the VRAM BAR */
	unsigned lfb_slot;
	uint64_t lfb_slot_size;
	uint64_t *dirty;	/* KVM_GET_DIRTY_LOG bitmap of that slot */

	/* Output. */
	struct screen *screen;	/* VMM_DISPLAY_SCREEN */
	struct gfx_image out;	/* the screen's image, or our own (offscreen) */
	struct gfx_blit_map map;
	bool map_ok;
	/*
	 * Paced output: new damage wakes the I/O thread (@wake, an eventfd),
	 * which copies at once when the pace allows, else when it does; @tick
	 * is that one-shot timer, and also polls the boot framebuffer's dirty
	 * log at 60 Hz while it is shown.
	 */
	struct ev_timer tick;
	uint64_t tick_due;	/* when @tick fires (0: not armed) */
	struct ev_handler wake;
	bool wake_ok;		/* @wake exists (display_init ran) */
	bool frame_asked;	/* damage woke the I/O thread, not copied yet */
	uint64_t copy_period;	/* the last copy's refresh period (display.c) */

	/* Figures (benchmarks, `info`). */
	uint64_t frames;	/* frames that copied something */
	uint64_t last_latency_ns; /* damage arrival to copied, last frame */

	/* The guest's hardware cursor, drawn over the output (not the view). */
	struct {
		uint32_t *px;	/* premultiplied ARGB, w x h */
		unsigned w, h, hot_x, hot_y;
		int x, y;	/* hot spot, view coordinates */
		bool visible, changed;
		struct gfx_rect drawn; /* output area it covers now */
	} cursor;

	struct qxl *qxl;
	struct display_control *control;
};

#define DISPLAY_CURSOR_MAX 128
/* The guest's cursor image (copied) and its position (the device's calls). */
void display_cursor_shape(struct display *d, const uint32_t *px, unsigned w,
			  unsigned h, unsigned hot_x, unsigned hot_y);
void display_cursor_move(struct display *d, int x, int y, bool visible);

/* The device switches the view (NULL @px: none); the whole view is damaged. */
void display_set_view(struct display *d, uint32_t *px, unsigned width,
		      unsigned height, unsigned stride, bool lfb);
/* Pixels of the view changed under @r (view coordinates), by a command
 * the guest handed over at @since_ns (0: now; the latency's start). */
void display_damage(struct display *d, struct gfx_rect r, uint64_t since_ns);
/* Writes the guest's current screen as PPM; -ENODATA before it has one. */
int display_screenshot(struct display *d, const char *path);

/* Writes the output image (what the host screen shows) as PPM. */
int display_screendump(struct display *d, const char *path);

/* The QXL device (qxl.c): BARs, ROM, RAM header, rings, interrupts. */
int qxl_create(struct vm *vm, struct display *d, struct errmsg *err);
/* Frame timer: retries releases the full release ring held back; true
 * while some are still waiting (the timer then runs again). */
bool qxl_tick(struct qxl *q);

/* The control socket (display_control.c). */
int display_control_open(struct display *d, const char *path, struct errmsg *err);

#endif
