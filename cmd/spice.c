/* SPDX-License-Identifier: GPL-2.0-only */
/* spice: open a remote desktop over SPICE (off-screen until the display
 * back-end exists), take screenshots, reconnect when the server restarts. */
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
       "usage: kvmbox spice spice://HOST:PORT [--password-file FILE] [--fullscreen]\n"
       "                    [--screenshot FILE.ppm --after SECONDS]\n"
       "                    [--type TEXT [--type-after SECONDS]] [--compression lz|lz4|glz]\n"
       "                    [--record DIR] [-v]\n"
       "Connects to a SPICE server (QEMU, oVirt), authenticates with the password\n"
       "in FILE (first line), and renders the remote screen. --screenshot writes the\n"
       "screen as a PPM SECONDS after start and exits 0. --type types TEXT (\\n is\n"
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
	bool shot_due;
	uint64_t updates;
};

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

	(void)d;
	if (stop_signal)
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

static int take_screenshot(struct spice_display *d, const char *path,
			   double after)
{
	const struct spice_pixels *p = spice_display_primary(d);
	struct errmsg err;

	if (!p) {
		fprintf(stderr, "kvmbox spice: no picture from the server after %g s\n", after);
		return 1;
	}
	if (spice_ppm_write(path, p, &err) < 0) {
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

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		if (!strcmp(a, "--password-file") && has)
			pwfile = argv[++i];
		else if (!strcmp(a, "--fullscreen"))
			fullscreen = true;
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
			else
				return usage_error(&applet_spice, "--compression: lz, lz4 or glz, not '%s'", c);
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
	if (fullscreen) {
		fprintf(stderr, "kvmbox spice: --fullscreen needs the host display back-end "
				"(DRM/fbdev), which this build does not have yet; "
				"use --screenshot for off-screen rendering\n");
		return 1;
	}
	if (pwfile && read_password(pwfile, password, sizeof(password), &err) < 0) {
		fprintf(stderr, "kvmbox spice: %s\n", err.msg);
		return 1;
	}
	o.password = pwfile ? password : NULL;
	o.type_delay_ms = (unsigned)(type_after * 1000);
	struct spice_output out = { &run, offscreen_resize, offscreen_update };
	o.output = &out;
	o.stop = should_stop;
	o.ctx = &run;
	o.connected = &connected;
	o.input_fd = -1;
	run.start_ns = clock_now_ns();
	run.shot_at_ns = run.start_ns + (uint64_t)(after * 1e9);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (spice_display_new(&d) < 0) {
		fprintf(stderr, "kvmbox spice: out of memory\n");
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
		if (end == SPICE_END_STOPPED) {
			status = run.shot_due ? take_screenshot(d, run.shot, after) : 0;
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
			status = run.shot_due ? take_screenshot(d, run.shot, after) : 0;
			break;
		}
		backoff_ms = MIN(backoff_ms * 2, 4000u);
	}
	log_info("%llu screen updates", (unsigned long long)run.updates);
	spice_display_free(d);
	return status;
}
