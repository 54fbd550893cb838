/* SPDX-License-Identifier: GPL-2.0-only */
/* screen: what the display and input devices are, a test card, screenshots. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

APPLET(screen, "show the screen and input devices, a test card, screenshots",
       "usage: kvmbox screen info [--device DEV]\n"
       "       kvmbox screen test [--seconds N] [--progress PERMILLE] [--device DEV]\n"
       "       kvmbox screen shot [--device DEV] FILE.ppm\n"
       "       kvmbox screen render WIDTHxHEIGHT FILE.ppm\n"
       "info:   outputs, their modes (native marked) and input devices.\n"
       "test:   full-screen test card (colour bars, the font's Latin-1\n"
       "        repertoire, a progress bar) with a pointer that follows the\n"
       "        mouse or tablet; input events are printed. Runs N seconds\n"
       "        (default 10, 0: until interrupted); the bar fills over that\n"
       "        time unless --progress fixes it.\n"
       "shot:   writes what the screen shows now as a binary PPM (P6).\n"
       "render: draws the test card off-screen into a PPM.\n"
       "DEV is /dev/dri/cardN or /dev/fbN; by default the first usable one.");

struct card_test {
	struct evloop loop;
	struct ev_handler sig;
	struct ev_timer tick;
	struct screen *s;
	struct gfx_image card;	/* the card without the pointer */
	struct gfx_rect cursor; /* where the pointer is drawn */
	int px, py;
	uint64_t start_ns, seconds;
	int progress;		/* fixed permille, or -1: follows time */
	unsigned shown;		/* last permille drawn */
};

static void redraw_pointer(struct card_test *t, int x, int y)
{
	struct gfx_damage d = { 0 };
	struct gfx_image *im = &t->s->image;

	t->px = MAX(0, MIN(x, (int)im->width - 1));
	t->py = MAX(0, MIN(y, (int)im->height - 1));
	gfx_copy(im, &t->card, t->cursor);
	gfx_damage_add(&d, t->cursor);
	t->cursor = gfx_cursor(im, t->px, t->py);
	gfx_damage_add(&d, t->cursor);
	screen_present(t->s, &d);
	printf("cursor %d %d\n", t->px, t->py);
}

static void on_input(void *ctx, const struct input_msg *m)
{
	struct card_test *t = ctx;
	static const char *const kinds[] = { "key", "button", "motion", "position",
					     "wheel" };

	printf("event %s code %u value %d x %d y %d device %d\n", kinds[m->kind],
	       m->code, m->value, m->x, m->y, m->device);
	if (m->kind == INPUT_POSITION)
		redraw_pointer(t, (int)((int64_t)m->x * t->s->image.width / (INPUT_ABS_MAX + 1)),
			       (int)((int64_t)m->y * t->s->image.height / (INPUT_ABS_MAX + 1)));
	else if (m->kind == INPUT_MOTION)
		redraw_pointer(t, t->px + m->x, t->py + m->y);
	fflush(stdout);
}

static void draw_card(struct card_test *t, unsigned permille)
{
	struct gfx_damage d = { 0 };
	struct gfx_rect bar = gfx_test_card_bar(&t->card);

	t->shown = permille;
	gfx_progress(&t->card, bar, permille, GFX_RGB(0x30, 0xa0, 0x50),
		     GFX_RGB(0x40, 0x40, 0x48), GFX_RGB(0xff, 0xff, 0xff));
	gfx_copy(&t->s->image, &t->card, bar);
	gfx_damage_add(&d, bar);
	if (!gfx_rect_empty(gfx_rect_intersect(bar, t->cursor))) {
		t->cursor = gfx_cursor(&t->s->image, t->px, t->py);
		gfx_damage_add(&d, t->cursor);
	}
	screen_present(t->s, &d);
}

static void on_tick(struct ev_timer *tm)
{
	struct card_test *t = container_of(tm, struct card_test, tick);
	uint64_t elapsed = clock_now_ns() - t->start_ns;

	if (t->seconds && elapsed >= t->seconds * 1000000000ull) {
		evloop_quit(&t->loop, 0);
		return;
	}
	if (t->progress < 0 && t->seconds) {
		unsigned p = (unsigned)(elapsed / 1000000 / t->seconds);
		if (p / 10 != t->shown / 10)
			draw_card(t, p);
	}
}

static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct card_test *t = container_of(h, struct card_test, sig);
	(void)events;
	evloop_quit(&t->loop, 0);
}

static int run_test(const char *device, uint64_t seconds, int progress)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct card_test t = { .seconds = seconds, .progress = progress };
	struct input *in = NULL;
	struct errmsg err;
	int rc;

	if ((rc = screen_open(device, &t.s, &err))) {
		fprintf(stderr, "kvmbox screen: %s\n", err.msg);
		return 1;
	}
	struct gfx_image *im = &t.s->image;
	if ((rc = gfx_image_alloc(&t.card, im->width, im->height)) ||
	    (rc = evloop_init(&t.loop))) {
		fprintf(stderr, "kvmbox screen: %s\n", err_str(rc));
		gfx_image_free(&t.card);
		screen_close(t.s);
		return 1;
	}
	printf("screen %s\n", t.s->name);
	gfx_test_card(&t.card, progress < 0 ? 0 : (unsigned)progress);
	gfx_copy(im, &t.card, (struct gfx_rect){ 0, 0, (int)im->width, (int)im->height });
	t.px = (int)im->width / 2;
	t.py = (int)im->height / 2;
	t.cursor = gfx_cursor(im, t.px, t.py);
	screen_present(t.s, NULL);
	t.start_ns = clock_now_ns();
	if (input_open(&t.loop, NULL, on_input, &t, &in, &err))
		fprintf(stderr, "kvmbox screen: no input: %s\n", err.msg);
	else
		printf("input %zu device(s)\n", input_count(in));
	evloop_signals(&t.loop, &t.sig, sigs, ARRAY_SIZE(sigs));
	t.sig.fn = on_signal;
	evloop_timer_start(&t.loop, &t.tick, 100000000, 100000000, on_tick);
	printf("ready\n");
	fflush(stdout);
	rc = evloop_run(&t.loop);
	input_close(in);
	evloop_close(&t.loop);
	gfx_image_free(&t.card);
	screen_close(t.s);
	return rc;
}

static int info(const char *device)
{
	struct buf out;
	struct errmsg err;
	struct evloop loop;
	struct input *in;
	int status = 0;

	buf_init(&out);
	if (screen_describe(device, &out, &err)) {
		fprintf(stderr, "kvmbox screen: %s\n", err.msg);
		status = 1;
	}
	if (!evloop_init(&loop)) {
		if (!input_open(&loop, NULL, on_input, NULL, &in, &err)) {
			buf_printf(&out, "input: %zu device(s)\n", input_count(in));
			input_describe(in, &out);
			input_close(in);
		}
		evloop_close(&loop);
	}
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	return status;
}

static int shot(const char *device, const char *file)
{
	struct gfx_image im;
	struct errmsg err;
	int rc = screen_capture(device, &im, &err);

	if (rc) {
		fprintf(stderr, "kvmbox screen: %s\n", err.msg);
		return 1;
	}
	rc = ppm_write(file, &im);
	if (rc)
		fprintf(stderr, "kvmbox screen: %s: %s\n", file, err_str(rc));
	else
		printf("%s: %ux%u\n", file, im.width, im.height);
	gfx_image_free(&im);
	return rc ? 1 : 0;
}

static int render(const char *size, const char *file)
{
	unsigned w, h;
	char tail;
	struct gfx_image im;

	if (sscanf(size, "%ux%u%c", &w, &h, &tail) != 2 || gfx_image_alloc(&im, w, h))
		return usage_error(&applet_screen, "bad size '%s' (WIDTHxHEIGHT, at most %u)",
				   size, GFX_MAX_DIM);
	gfx_test_card(&im, 500);
	int rc = ppm_write(file, &im);
	if (rc)
		fprintf(stderr, "kvmbox screen: %s: %s\n", file, err_str(rc));
	gfx_image_free(&im);
	return rc ? 1 : 0;
}

int screen_main(int argc, char **argv)
{
	const char *device = NULL, *args[2] = { 0 };
	uint64_t seconds = 10, permille = 0;
	int progress = -1, nargs = 0;

	if (wants_help(&applet_screen, argc, argv))
		return 0;
	if (argc < 2)
		return usage_error(&applet_screen, "missing command");
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--device") && i + 1 < argc) {
			device = argv[++i];
		} else if (!strcmp(a, "--seconds") && i + 1 < argc) {
			if (parse_u64(argv[++i], 0, 86400, &seconds))
				return usage_error(&applet_screen, "bad --seconds '%s'", argv[i]);
		} else if (!strcmp(a, "--progress") && i + 1 < argc) {
			if (parse_u64(argv[++i], 0, 1000, &permille))
				return usage_error(&applet_screen, "bad --progress '%s'", argv[i]);
			progress = (int)permille;
		} else if (a[0] == '-' && a[1]) {
			return usage_error(&applet_screen, "unknown option '%s'", a);
		} else if (nargs < 2) {
			args[nargs++] = a;
		} else {
			return usage_error(&applet_screen, "too many arguments");
		}
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "info") && nargs == 0)
		return info(device);
	if (!strcmp(cmd, "test") && nargs == 0)
		return run_test(device, seconds, progress);
	if (!strcmp(cmd, "shot") && nargs == 1)
		return shot(device, args[0]);
	if (!strcmp(cmd, "render") && nargs == 2)
		return render(args[0], args[1]);
	return usage_error(&applet_screen, "bad command line for '%s'", cmd);
}
