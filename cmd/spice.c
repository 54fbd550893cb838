/* SPDX-License-Identifier: GPL-2.0-only */
/* spice: open a remote desktop over SPICE, full screen (DRM/fbdev, with the
 * host's keyboard and mouse) or off-screen, take screenshots, reconnect when
 * the server restarts. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "spiceclient/spice.h"

APPLET(spice, "open a remote desktop over SPICE (plain TCP)",
       "usage: kvmbox spice spice://HOST:PORT [--password-file FILE]\n"
       "                    [--fullscreen [--screen DEVICE] [--input DIR]]\n"
       "                    [--screenshot FILE.ppm --after SECONDS] [--screenshot-cursor]\n"
       "                    [--type TEXT [--type-after SECONDS]] [--compression lz|lz4|glz|quic]\n"
       "                    [--record DIR] [-v]\n"
       "Connects to a SPICE server (QEMU, oVirt), authenticates with the password\n"
       "in FILE (first line), and renders the remote screen: --fullscreen shows it on\n"
       "the host display (DRM or fbdev; DEVICE e.g. /dev/dri/card0) and sends the\n"
       "keyboard and mouse (evdev devices under DIR, default /dev/input, grabbed;\n"
       "Shift+F12 disconnects and exits 0).\n"
       "--screenshot writes the remote screen (with the pointer when\n"
       "--screenshot-cursor) as a PPM SECONDS after start and exits 0. --type types TEXT (\\n is\n"
       "Enter) through the keyboard once connected. When the server goes away the\n"
       "client reconnects with back-off. Exit: 0 done, 1 error (one line on stderr),\n"
       "2 usage, 3 wrong password. TLS is not supported.");

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct run {
	uint64_t start_ns, shot_at_ns;
	const char *shot;
	bool shot_due, shot_cursor;
	uint64_t updates;
	/* --fullscreen */
	struct spice_screen *screen;
	struct evloop loop;
	struct input *input;
	struct spice_host_input host;
	struct spice_inputs *inputs; /* of the running connection, or NULL */
};

static void on_host_input(void *ctx, const struct input_msg *m)
{
	struct run *r = ctx;

	spice_host_input_event(&r->host, r->inputs, m);
}

/* The client saw our event loop's fd readable: dispatch its events. */
static void on_input_ready(void *ctx, struct spice_inputs *in)
{
	struct run *r = ctx;

	r->inputs = in;
	evloop_once(&r->loop, 0);
}

static int fullscreen_open(struct run *r, const char *device, const char *input_dir,
			   struct spice_output *out, struct spice_client_opts *o)
{
	struct errmsg err;

	if (spice_screen_open(device, &r->screen, &err) < 0 || evloop_init(&r->loop) < 0) {
		fprintf(stderr, "kvmbox spice: --fullscreen: %s\n", r->screen ? "no event loop" : err.msg);
		return -1;
	}
	spice_host_input_init(&r->host, r->screen);
	if (input_open(&r->loop, input_dir, on_host_input, r, &r->input, &err) < 0)
		log_warn("no keyboard or mouse: %s", err.msg);
	else
		input_grab(r->input, true);
	o->output = spice_screen_output(r->screen, out);
	o->input_fd = r->loop.epfd;
	o->on_input = on_input_ready;
	return 0;
}

static void fullscreen_close(struct run *r)
{
	if (!r->screen)
		return;
	input_close(r->input);
	evloop_close(&r->loop);
	spice_screen_close(r->screen);
}

/* The off-screen output: the picture stays in memory (screenshots read it);
 * the host display back-end will be another spice_output. */
static int offscreen_resize(void *ctx, uint32_t width, uint32_t height)
{
	(void)ctx;
	log_info("remote screen is %ux%u", width, height);
	return 0;
}

static void offscreen_update(void *ctx, const struct spice_pixels *pic, int x,
			     int y, int w, int h)
{
	struct run *r = ctx;

	(void)pic;
	(void)x;
	(void)y;
	(void)w;
	(void)h;
	r->updates++;
}

static bool should_stop(void *ctx, struct spice_display *d)
{
	struct run *r = ctx;

	if (r->screen && d)
		spice_screen_present(r->screen, d);
	if (stop_signal || r->host.quit)
		return true;
	if (r->shot && clock_now_ns() >= r->shot_at_ns) {
		r->shot_due = true;
		return true;
	}
	return false;
}

static int read_password(const char *path, char *out, size_t size,
			 struct errmsg *err)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = read_file(path, 4096, &b);
	if (rc < 0) {
		buf_free(&b);
		return errmsg_set(err, rc, "%s: %s", path, err_str(rc));
	}
	size_t n = strcspn((char *)b.data, "\r\n");
	if (n >= size) {
		buf_free(&b);
		return errmsg_set(err, -E2BIG, "%s: password too long", path);
	}
	memcpy(out, b.data, n);
	out[n] = 0;
	buf_free(&b);
	return 0;
}

/* Unescapes "\n" and "\\" in --type text. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s++;
		} else if (*s == '\\' && s[1] == '\\') {
			*o++ = '\\';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

static int take_screenshot(struct spice_display *d, const struct run *r,
			   double after)
{
	const struct spice_pixels *p = spice_display_primary(d);
	const struct spice_cursor *c = spice_display_cursor(d);
	struct spice_pixels copy = { 0 };
	struct errmsg err;
	int rc;

	if (!p) {
		fprintf(stderr, "kvmbox spice: no picture from the server after %g s\n", after);
		return 1;
	}
	/* The pointer goes on a copy: the remote picture stays as sent. */
	bool own = r->inputs && spice_input_absolute(r->inputs) && r->screen;
	if (r->shot_cursor && c->shape.px && (c->visible || own)) {
		copy.px = malloc((size_t)p->width * p->height * 4);
		if (copy.px) {
			memcpy(copy.px, p->px, (size_t)p->width * p->height * 4);
			copy.width = p->width;
			copy.height = p->height;
			spice_cursor_draw(c, copy.px, p->width, p->height, p->width,
					  own ? r->host.x : c->x, own ? r->host.y : c->y);
			p = &copy;
		}
	}
	rc = spice_ppm_write(r->shot, p, &err);
	free(copy.px);
	if (rc < 0) {
		fprintf(stderr, "kvmbox spice: %s\n", err.msg);
		return 1;
	}
	return 0;
}

int spice_main(int argc, char **argv)
{
	struct spice_client_opts o = { 0 };
	struct spice_display *d;
	struct run run = { 0 };
	struct errmsg err;
	char password[128];
	const char *url = NULL, *pwfile = NULL;
	double after = -1, type_after = 1;
	bool fullscreen = false, verbose = false, connected = false;
	const char *screen_dev = NULL, *input_dir = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		if (!strcmp(a, "--password-file") && has)
			pwfile = argv[++i];
		else if (!strcmp(a, "--fullscreen"))
			fullscreen = true;
		else if (!strcmp(a, "--screen") && has)
			screen_dev = argv[++i];
		else if (!strcmp(a, "--input") && has)
			input_dir = argv[++i];
		else if (!strcmp(a, "--screenshot-cursor"))
			run.shot_cursor = true;
		else if (!strcmp(a, "--screenshot") && has)
			run.shot = argv[++i];
		else if ((!strcmp(a, "--after") || !strcmp(a, "--type-after")) && has) {
			char *end;
			double v = strtod(argv[++i], &end);
			if (*end || v < 0 || v > 86400)
				return usage_error(&applet_spice, "%s: bad number of seconds '%s'", a, argv[i]);
			*(!strcmp(a, "--after") ? &after : &type_after) = v;
		} else if (!strcmp(a, "--type") && has) {
			unescape(argv[++i]);
			o.type_text = argv[i];
		} else if (!strcmp(a, "--compression") && has) {
			const char *c = argv[++i];
			if (!strcmp(c, "lz"))
				o.compression = SPICE_COMPRESS_LZ;
			else if (!strcmp(c, "lz4"))
				o.compression = SPICE_COMPRESS_LZ4;
			else if (!strcmp(c, "glz"))
				o.compression = SPICE_COMPRESS_GLZ;
			else if (!strcmp(c, "quic"))
				o.compression = SPICE_COMPRESS_QUIC;
			else
				return usage_error(&applet_spice, "--compression: lz, lz4, glz or quic, not '%s'", c);
		} else if (!strcmp(a, "--record") && has)
			o.record_dir = argv[++i];
		else if (!strcmp(a, "-v"))
			verbose = true;
		else if (a[0] == '-')
			return usage_error(&applet_spice, "unknown or incomplete option '%s'", a);
		else if (!url)
			url = a;
		else
			return usage_error(&applet_spice, "unexpected argument '%s'", a);
	}
	if (!url)
		return usage_error(&applet_spice, "no spice://HOST:PORT given");
	if (!!run.shot != (after >= 0))
		return usage_error(&applet_spice, "--screenshot and --after go together");
	if (spice_url_parse(url, &o.url, &err) < 0)
		return usage_error(&applet_spice, "%s", err.msg);
	log_setup(2, verbose ? LOG_DEBUG : LOG_WARN, false, "kvmbox spice");
	if ((screen_dev || input_dir) && !fullscreen)
		return usage_error(&applet_spice, "--screen and --input go with --fullscreen");
	if (pwfile && read_password(pwfile, password, sizeof(password), &err) < 0) {
		fprintf(stderr, "kvmbox spice: %s\n", err.msg);
		return 1;
	}
	o.password = pwfile ? password : NULL;
	o.type_delay_ms = (unsigned)(type_after * 1000);
	struct spice_output out = { &run, offscreen_resize, offscreen_update, NULL };
	o.output = &out;
	o.stop = should_stop;
	o.ctx = &run;
	o.connected = &connected;
	o.input_fd = -1;
	if (fullscreen && fullscreen_open(&run, screen_dev, input_dir, &out, &o) < 0) {
		fullscreen_close(&run);
		return 1;
	}
	run.start_ns = clock_now_ns();
	run.shot_at_ns = run.start_ns + (uint64_t)(after * 1e9);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (spice_display_new(&d) < 0) {
		fprintf(stderr, "kvmbox spice: out of memory\n");
		fullscreen_close(&run);
		return 1;
	}

	bool ever = false;
	unsigned backoff_ms = 250;
	int status = 1;
	for (;;) {
		int end = spice_client_run(&o, d, &err);
		ever |= connected;
		if (connected)
			backoff_ms = 250;
		run.inputs = NULL; /* that connection's inputs channel is gone */
		if (end == SPICE_END_STOPPED) {
			status = run.shot_due ? take_screenshot(d, &run, after) : 0;
			break;
		}
		/* Before a first success every failure is final: a person is
		 * waiting to hear what is wrong. */
		if (end == SPICE_END_AUTH || end == SPICE_END_VERSION || !ever) {
			fprintf(stderr, "kvmbox spice: %s\n", err.msg);
			status = end == SPICE_END_AUTH ? 3 : 1;
			break;
		}
		log_warn("%s; reconnecting in %u ms", err.msg, backoff_ms);
		/* Wait in small steps so the screenshot deadline and signals hold. */
		uint64_t until = clock_now_ns() + backoff_ms * 1000000ull;
		while (clock_now_ns() < until && !should_stop(&run, d))
			usleep(20000);
		if (should_stop(&run, d)) {
			status = run.shot_due ? take_screenshot(d, &run, after) : 0;
			break;
		}
		backoff_ms = MIN(backoff_ms * 2, 4000u);
	}
	log_info("%llu screen updates", (unsigned long long)run.updates);
	fullscreen_close(&run);
	spice_display_free(d);
	return status;
}
