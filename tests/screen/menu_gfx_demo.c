/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test-only program of tests/screen/t_boot_menu.sh: the graphical menu
 * front-end (initramfs/menu_gfx.c) on a fixed demo catalog, printing what
 * the model decides ("start NAME") so the test can check keys and clicks.
 *   menu_gfx_demo                      full screen until SIGTERM
 *   menu_gfx_demo --render WxH FILE    the first frame off-screen, as PPM
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initramfs/initramfs.h"

struct menu_gfx;
typedef void (*menu_gfx_key_fn)(void *ctx, enum menu_key k, int ch);
int menu_gfx_open(struct evloop *loop, struct menu_model *m, menu_gfx_key_fn fn,
		  void *ctx, struct menu_gfx **out, struct errmsg *err);
void menu_gfx_close(struct menu_gfx *g);
void menu_gfx_draw(struct menu_gfx *g, const struct gfx_image *const *icons);
int menu_render_gfx(const struct menu_model *m, struct gfx_image *im,
		    const struct gfx_image *const *icons);

static const char catalog_text[] =
	"[catalog]\ntitle = Salle B204 — Réseaux\n"
	"[appliance debian]\ntitle = Debian 12 « bureau »\ntype = local\n"
	"kernel = vmlinuz\nkernel_sha256 = 0000000000000000000000000000000000000000000000000000000000000000\n"
	"[appliance routeur]\ntitle = Routeur pédagogique\ntype = local\n"
	"kernel = vmlinuz\nkernel_sha256 = 0000000000000000000000000000000000000000000000000000000000000000\n"
	"[appliance bureau]\ntitle = Bureau à distance\ntype = spice\n"
	"url = spice://10.0.0.1:5900\n";

struct demo {
	struct evloop loop;
	struct ev_handler sig;
	struct catalog cat;
	struct menu_model m;
	struct menu_gfx *g;
};

static void setup_model(struct demo *d)
{
	struct errmsg e;

	if (catalog_parse("demo.ini", catalog_text, strlen(catalog_text), &d->cat, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		exit(1);
	}
	menu_model_init(&d->m, &d->cat);
	d->m.status[1].state = MENU_APP_DOWNLOADING;
	d->m.status[1].percent = 40;
	str_copy(d->m.net.state, sizeof(d->m.net.state), "online");
	str_copy(d->m.net.address, sizeof(d->m.net.address), "10.0.0.42/24");
	str_copy(d->m.clock, sizeof(d->m.clock), "08:30");
}

static void on_key(void *ctx, enum menu_key k, int ch)
{
	struct demo *d = ctx;
	enum menu_action a = menu_key(&d->m, k, ch);

	if (a == ACT_START)
		printf("start %s\n", d->cat.apps[d->m.action_app].name);
	printf("selected %zu\n", d->m.selected);
	fflush(stdout);
	menu_gfx_draw(d->g, NULL);
}

static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct demo *d = container_of(h, struct demo, sig);
	(void)events;
	evloop_quit(&d->loop, 0);
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	static struct demo d;
	struct errmsg e;
	unsigned w, h;

	setup_model(&d);
	if (argc == 4 && !strcmp(argv[1], "--render") &&
	    sscanf(argv[2], "%ux%u", &w, &h) == 2) {
		struct gfx_image im;
		if (gfx_image_alloc(&im, w, h))
			return 1;
		menu_render_gfx(&d.m, &im, NULL);
		return ppm_write(argv[3], &im) ? 1 : 0;
	}
	if (evloop_init(&d.loop) || menu_gfx_open(&d.loop, &d.m, on_key, &d, &d.g, &e)) {
		fprintf(stderr, "menu_gfx_demo: %s\n", e.msg);
		return 1;
	}
	evloop_signals(&d.loop, &d.sig, sigs, ARRAY_SIZE(sigs));
	d.sig.fn = on_signal;
	menu_gfx_draw(d.g, NULL);
	printf("ready\n");
	fflush(stdout);
	evloop_run(&d.loop);
	menu_gfx_close(d.g);
	return 0;
}
