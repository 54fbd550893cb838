/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The menu program: reads boot.conf, shows the catalog on the console, and
 * turns keys into starts, admin actions and power requests to PID 1. One
 * poll loop: the terminal (only while no appliance has it), the sync
 * worker's pipe, a signalfd for children and stop requests, a 1 s tick for
 * the clock, the countdown and ghost restarts, and (when there is a screen)
 * the graphical front-end's event loop: keyboard and mouse.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "initramfs/menu_priv.h"

#define SEC 1000000000ull

void menu_tty_raw(struct menu_state *s, bool raw)
{
	struct termios t;

	if (!s->tty || s->raw == raw)
		return;
	if (raw) {
		t = s->saved;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
		t.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR | IGNCR | BRKINT | ISTRIP);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(0, TCSANOW, &t);
		write_full(1, "\x1b[?25l\x1b[2J", 10);
		s->shown.len = 0; /* the next draw is a full one */
	} else {
		tcsetattr(0, TCSANOW, &s->saved);
		write_full(1, "\x1b[?25h", 6);
	}
	s->raw = raw;
}

int menu_catalog_reload(struct menu_state *s, struct errmsg *err)
{
	struct catalog fresh;
	struct errmsg e;
	int r = menu_catalog_load(&s->src, &fresh, &e);

	if (r < 0) {
		log_warn("catalog reload: %s", e.msg);
		if (err)
			*err = e;
		return r;
	}
	int fg_app = -1; /* the running appliance's index in the new catalog */

	for (size_t i = 0; s->fg_pid && i < fresh.napps; i++)
		if (!strcmp(fresh.apps[i].name, s->m.running))
			fg_app = (int)i;
	if (s->fg_pid && fg_app < 0) {
		/* Gone from the new catalog: switch once it has stopped. */
		log_warn("running appliance %s left the catalog", s->m.running);
		s->reload_pending = true;
		catalog_free(&fresh);
		return 0;
	}
	if (s->fg_pid)
		s->fg_app = fg_app;
	if (s->pending_start >= 0) { /* an index: find it again by name */
		const struct catalog_appliance *p =
			catalog_find(&fresh, s->cat.apps[s->pending_start].name);
		s->pending_start = p ? (int)(p - fresh.apps) : -1;
	}
	s->reload_pending = false;
	catalog_free(&s->cat);
	s->cat = fresh;
	menu_model_set_catalog(&s->m, &s->cat);
	menu_icons_load(&s->icons, &s->src, &s->cat);
	memset(s->failure, 0, sizeof(s->failure));
	menu_update_status(s);
	s->dirty = true;
	return 0;
}

/* What boot.conf or the catalog asks to start: at once, or after a countdown. */
static void choose_first_start(struct menu_state *s)
{
	if (s->bc.appliance[0]) {
		const struct catalog_appliance *a = catalog_find(&s->cat, s->bc.appliance);
		if (a)
			s->pending_start = (int)(a - s->cat.apps);
		else
			menu_message(&s->m, "kvmbox.appliance=%s is not in the catalog.", s->bc.appliance);
	} else if (s->cat.autostart[0] && !s->fg_pid && !s->fg_adopted) {
		s->m.countdown = (int)s->cat.autostart_delay;
	}
}

#define MEDIUM_WAIT_TEXT "Reading the boot medium ..."

/*
 * While init still looks for the boot medium, the menu is up with what it
 * has and watches boot.conf (init replaces it once the medium is mounted
 * or given up on); the 1 s tick looks too, for a change made before the
 * watch began or without inotify.
 */
static void boot_conf_watch(struct menu_state *s)
{
	char dir[300];
	char *slash;

	str_copy(dir, sizeof(dir), s->conf_path);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = 0;
	s->conf_watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->conf_watch_fd >= 0 &&
	    inotify_add_watch(s->conf_watch_fd, slash ? dir : ".",
			      IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
		log_warn("cannot watch %s: %s", dir, strerror(errno));
		close(s->conf_watch_fd);
		s->conf_watch_fd = -1;
	}
}

static void boot_conf_recheck(struct menu_state *s)
{
	struct menu_boot_conf bc;
	struct errmsg err;
	char drain[4096];

	while (s->conf_watch_fd >= 0 && read(s->conf_watch_fd, drain, sizeof(drain)) > 0)
		;
	if (!s->bc.medium_waiting ||
	    menu_boot_conf_load(s->conf_path, &bc, &err) < 0 || bc.medium_waiting)
		return;
	log_info("boot medium settled: catalog %s", bc.catalog);
	s->bc.medium_waiting = false;
	str_copy(s->bc.catalog, sizeof(s->bc.catalog), bc.catalog);
	menu_source_init(&s->src, &s->bc);
	if (!strcmp(s->m.message, MEDIUM_WAIT_TEXT))
		s->m.message[0] = 0;
	if (menu_catalog_reload(s, &err) < 0)
		menu_message(&s->m, "No catalog: %s", err.msg);
	else
		choose_first_start(s);
	if (s->conf_watch_fd >= 0)
		close(s->conf_watch_fd);
	s->conf_watch_fd = -1;
	s->dirty = true;
}

static void load_net(struct menu_state *s)
{
	struct menu_net_status ns;

	menu_net_status_load(s->net_path, &ns);
	if (memcmp(&ns, &s->m.net, sizeof(ns))) {
		s->m.net = ns;
		s->dirty = true;
	}
}

static void update_clock(struct menu_state *s)
{
	time_t now = time(NULL);
	struct tm tm;
	char c[8];

	localtime_r(&now, &tm);
	strftime(c, sizeof(c), "%H:%M", &tm);
	if (strcmp(c, s->m.clock)) {
		memcpy(s->m.clock, c, sizeof(c));
		s->dirty = true;
	}
}

static void draw(struct menu_state *s)
{
	struct winsize ws = { 0 };
	unsigned cols = 80, rows = 24;

	if (s->fg_pid)
		return;
	if (s->gfx)
		menu_gfx_draw(s->gfx, s->icons.by_app);
	if (s->tty && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row)
		cols = ws.ws_col, rows = ws.ws_row;
	menu_render(&s->m, cols, rows, &s->screen);
	if (s->screen.len == s->shown.len && !memcmp(s->screen.data, s->shown.data, s->shown.len))
		return;
	write_full(1, s->screen.data, s->screen.len);
	s->shown.len = 0;
	buf_append(&s->shown, s->screen.data, s->screen.len);
}

static void show_file(struct menu_state *s, const char *title, const char *path,
		      size_t tail_lines, const char *missing)
{
	struct buf b;
	const char *p;

	buf_init(&b);
	if (read_file(path, 4 << 20, &b) < 0 || !b.len) {
		menu_show_page(&s->m, title, missing);
		buf_free(&b);
		return;
	}
	p = (const char *)b.data + b.len;
	for (size_t n = 0; p > (const char *)b.data; p--)
		if (p[-1] == '\n' && p != (const char *)b.data + b.len && ++n > tail_lines)
			break;
	menu_show_page(&s->m, title, p);
	buf_free(&b);
}

static void power(struct menu_state *s, int sig, const char *what)
{
	log_info("admin asked for %s", what);
	menu_message(&s->m, "%s ...", what);
	if (kill(s->o->init_pid ? s->o->init_pid : 1, sig) < 0)
		menu_message(&s->m, "Cannot ask for %s: %s", what, strerror(errno));
}

static void login(struct menu_state *s)
{
	bool ok = catalog_password_ok(&s->cat, s->m.password);

	explicit_bzero(s->m.password, sizeof(s->m.password));
	s->m.password_len = 0;
	if (!ok) {
		log_warn("wrong admin password");
		menu_message(&s->m, "Wrong password.");
		return;
	}
	log_info("admin mode");
	s->m.admin = true;
	s->m.screen = MENU_ADMIN;
	s->m.admin_sel = 0;
	s->m.message[0] = 0;
}

static void act(struct menu_state *s, enum menu_action a)
{
	switch (a) {
	case ACT_NONE:
	case ACT_REDRAW:
		break;
	case ACT_START:
		menu_start_foreground(s, s->m.action_app);
		break;
	case ACT_LOGIN:
		login(s);
		break;
	case ACT_REFRESH:
		if (!s->src.catalog_url[0])
			menu_message(&s->m, "No server is configured (kvmbox.server=).");
		else if (menu_sync_start(s) == 0)
			menu_message(&s->m, "Refreshing the catalog from %s ...", s->src.catalog_url);
		else
			menu_message(&s->m, "A refresh is already running.");
		break;
	case ACT_RESET:
		menu_reset_overlay(s, s->m.action_app);
		break;
	case ACT_LOGS:
		show_file(s, "Log", s->log_path, 40, "(the log is empty)");
		break;
	case ACT_NET:
		show_file(s, "Network status", s->net_path, 40,
			  "No network status: the network daemon has not written it yet.");
		break;
	case ACT_REBOOT:
		power(s, SIGTERM, "Reboot");
		break;
	case ACT_POWEROFF:
		power(s, SIGUSR2, "Power off");
		break;
	}
	s->dirty = true;
}

/* ---- the graphical front-end ---- */

/*
 * The screen is for the menu unless kvmbox.console= chose a terminal that
 * is not a virtual console (a serial line): then the text menu is the one.
 */
static bool gfx_allowed(const struct menu_boot_conf *bc)
{
	const char *c = bc->console;

	if (!c[0])
		return true;
	if (str_starts(c, "/dev/"))
		c += 5;
	return str_starts(c, "tty") && c[3] >= '0' && c[3] <= '9';
}

static void on_gfx_key(void *ctx, enum menu_key k, int ch)
{
	struct menu_state *s = ctx;

	if (s->gfx_nkeys < MENU_MAX_QUEUED_KEYS) {
		s->gfx_keys[s->gfx_nkeys] = k;
		s->gfx_chars[s->gfx_nkeys++] = ch;
	}
}

/*
 * Keyboards and mice reach programs through evdev, a module of most kernels
 * that no device asks for by itself: loaded when there is a screen.
 */
static void load_evdev(struct menu_state *s)
{
	char *argv[] = { s->vm_command, "modprobe", "-q", "evdev", NULL };

	if (access("/sys/module/evdev", F_OK) == 0 || !screen_available())
		return;
	if (menu_run_wait(s, argv, "modprobe") < 0)
		log_warn("cannot load evdev: no keyboard or mouse on the screen");
}

/*
 * Opens the screen when the menu wants it and no appliance has it. The
 * menu may be up before init has loaded the display driver: until a
 * screen device appears it is looked for again at every pass (the 1 s
 * tick at least), the text menu meanwhile.
 */
static void screen_take(struct menu_state *s)
{
	struct errmsg err;

	if (!s->gfx_wanted || s->gfx || s->fg_pid)
		return;
	if (!s->gfx_used && !screen_available()) {
		if (!s->screen_awaited)
			log_info("no screen yet (no /dev/dri/card* or /dev/fb0): text menu until one appears");
		s->screen_awaited = true;
		return;
	}
	if (!s->gfx_used)
		load_evdev(s);
	if (menu_gfx_open(&s->loop, &s->m, on_gfx_key, s, &s->gfx, &err) < 0) {
		if (s->gfx_used)
			log_warn("screen lost: %s; text menu only", err.msg);
		else
			log_info("no screen (%s): text menu", err.msg);
		s->gfx_wanted = false;
		s->gfx = NULL;
		return;
	}
	if (!s->gfx_used)
		log_info("graphical menu on the screen");
	s->gfx_used = true;
	s->dirty = true;
}

void menu_screen_release(struct menu_state *s)
{
	menu_gfx_close(s->gfx);
	s->gfx = NULL;
	s->gfx_nkeys = 0;
}

static void gfx_events(struct menu_state *s)
{
	evloop_once(&s->loop, 0);
	/* Handled only now: a start closes the front-end that queued them. */
	for (size_t i = 0; i < s->gfx_nkeys && !s->fg_pid; i++)
		act(s, menu_key(&s->m, s->gfx_keys[i], s->gfx_chars[i]));
	s->gfx_nkeys = 0;
}

static void read_keys(struct menu_state *s)
{
	uint8_t in[256];
	enum menu_key keys[256];
	int chars[256];
	ssize_t n = read(0, in, sizeof(in));
	size_t nk;

	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			s->quit = true; /* the terminal went away: init starts us again */
		return;
	}
	nk = menu_keys_decode(in, (size_t)n, keys, chars, ARRAY_SIZE(keys));
	for (size_t i = 0; i < nk && !s->fg_pid; i++)
		act(s, menu_key(&s->m, keys[i], chars[i]));
}

/*
 * kvmbox.autotest: nobody is at the keyboard. Run what boot.conf or the
 * countdown asks for, then ask PID 1 to power off once nothing is left to
 * do (no appliance starting or running, no sync under way). When nothing
 * was asked for, the menu stays up a minute first: boot tests that drive
 * init themselves finish and power off well before.
 */
#define AUTOTEST_IDLE_TICKS 60

static void autotest(struct menu_state *s)
{
	bool asked = s->bc.appliance[0] || s->cat.autostart[0];

	if (!s->bc.autotest || s->autotest_done || s->fg_pid || s->sync_pid ||
	    s->m.countdown >= 0 || s->ticks < (asked ? 2 : AUTOTEST_IDLE_TICKS))
		return;
	if (s->pending_start >= 0) {
		const struct menu_app_status *st = &s->m.status[s->pending_start];
		if (st->state != MENU_APP_UNAVAILABLE)
			return;
		log_warn("autotest: %s is unavailable: %s",
			 s->cat.apps[s->pending_start].name, st->reason);
		s->pending_start = -1;
	}
	log_info("autotest: nothing more to run, asking for power-off");
	s->autotest_done = true;
	kill(s->o->init_pid ? s->o->init_pid : 1, SIGUSR2);
}

static void tick(struct menu_state *s, uint64_t now)
{
	if (s->bc.medium_waiting) /* also when replaced before the watch began */
		boot_conf_recheck(s);
	menu_foreground_check(s);
	update_clock(s);
	load_net(s);
	menu_ghosts_tick(s, now);
	if (!s->sync_pid && s->next_sync_ns && now >= s->next_sync_ns)
		menu_sync_start(s);
	if (s->pending_start >= (int)s->cat.napps)
		s->pending_start = -1;
	if (s->pending_start >= 0 && !s->fg_pid &&
	    s->m.status[s->pending_start].state == MENU_APP_READY) {
		int app = s->pending_start;
		s->pending_start = -1;
		menu_start_foreground(s, app);
	}
	autotest(s);
	if (s->m.countdown > 0 && !s->fg_pid && s->ticks > 0) {
		s->m.countdown--;
		s->dirty = true;
	}
	if (s->m.countdown == 0) {
		s->m.countdown = -1;
		const struct catalog_appliance *a = catalog_find(&s->cat, s->cat.autostart);
		if (a)
			s->pending_start = (int)(a - s->cat.apps);
	}
	s->ticks++;
	s->dirty = true;
}

static void on_signal(struct menu_state *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			menu_reap(s);
		else
			s->quit = true;
	}
}

static int setup(struct menu_state *s, const struct menu_options *o)
{
	struct errmsg err;
	int fd, r;

	s->o = o;
	s->fg_app = s->pending_start = -1;
	s->sync_fd = s->conf_watch_fd = -1;
	for (size_t i = 0; i < CATALOG_MAX_APPLIANCES; i++)
		s->pct[i] = -1;
	str_copy(s->run_dir, sizeof(s->run_dir), o->run_dir ? o->run_dir : "/run/kvmbox");
	mkdir(s->run_dir, 0755);
	snprintf(s->log_path, sizeof(s->log_path), "%s/menu.log", s->run_dir);
	snprintf(s->net_path, sizeof(s->net_path), "%s/net.status", s->run_dir);
	snprintf(s->lock_path, sizeof(s->lock_path), "%s/foreground.lock", s->run_dir);
	fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0)
		log_setup(fd, LOG_INFO, false, "menu");
	if (o->vm_command)
		str_copy(s->vm_command, sizeof(s->vm_command), o->vm_command);
	else if (readlink("/proc/self/exe", s->vm_command, sizeof(s->vm_command) - 1) < 0)
		str_copy(s->vm_command, sizeof(s->vm_command), "/bin/kvmbox");

	if (o->boot_conf)
		str_copy(s->conf_path, sizeof(s->conf_path), o->boot_conf);
	else
		snprintf(s->conf_path, sizeof(s->conf_path), "%s/boot.conf", s->run_dir);
	if (menu_boot_conf_load(s->conf_path, &s->bc, &err) < 0)
		log_warn("boot.conf: %s (using defaults)", err.msg);
	if (s->bc.medium_waiting)
		boot_conf_watch(s);
	mkdir(s->bc.cache_dir, 0755);
	snprintf(s->overlay_dir, sizeof(s->overlay_dir), "%s/overlays", s->bc.cache_dir);
	mkdir(s->overlay_dir, 0755);
	menu_source_init(&s->src, &s->bc);
	if (o->open_store && o->open_store(s->bc.cache_dir, &s->store, &err) < 0)
		log_warn("image store: %s", err.msg);

	menu_model_init(&s->m, &s->cat);
	r = menu_catalog_load(&s->src, &s->cat, &err);
	if (s->bc.medium_waiting) {
		menu_message(&s->m, MEDIUM_WAIT_TEXT);
	} else if (r < 0) {
		log_warn("no catalog yet: %s", err.msg);
		menu_message(&s->m, "No catalog yet: %s", err.msg);
	}
	menu_model_set_catalog(&s->m, &s->cat);
	menu_icons_load(&s->icons, &s->src, &s->cat);
	s->m.server_set = s->src.catalog_url[0] != 0;
	log_info("menu started: %zu appliances, catalog %s", s->cat.napps,
		 s->src.using_cached ? s->src.cached_catalog : s->src.shipped_catalog);

	if (!s->bc.medium_waiting)
		choose_first_start(s);

	/*
	 * The console stays ours to read and draw on, but not as our
	 * controlling terminal: each foreground appliance takes that in its
	 * own session, so that our death hangs up nothing the appliance uses.
	 * (Giving it up signals our process group: nobody else is in it yet.)
	 */
	if (getsid(0) == getpid() && isatty(0)) {
		signal(SIGHUP, SIG_IGN);
		ioctl(0, TIOCNOTTY);
		signal(SIGHUP, SIG_DFL);
	}

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Ctrl-C, Ctrl-\ or Ctrl-Z typed while an appliance has the (cooked)
	 * terminal reach our process group too: they must not stop the menu.
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sigfd < 0)
		return -errno;

	s->tty = isatty(0) && tcgetattr(0, &s->saved) == 0;
	/* An appliance a menu before us started still has the console: wait. */
	menu_foreground_adopt(s);
	if (s->fg_adopted && s->pending_start >= 0) {
		menu_start_foreground(s, s->pending_start); /* says it cannot */
		s->pending_start = -1;
	}
	if (!s->fg_adopted)
		menu_tty_raw(s, true);
	if (evloop_init(&s->loop) == 0)
		s->gfx_wanted = gfx_allowed(&s->bc);
	else
		s->loop.epfd = -1;
	screen_take(s);
	menu_mcast_start(s);
	if (s->m.server_set)
		menu_sync_start(s); /* SIGCHLD is blocked by now: its end is seen */
	menu_update_status(s);
	return 0;
}

int menu_run(const struct menu_options *o)
{
	struct menu_state *s = calloc(1, sizeof(*s));
	uint64_t next_tick;
	int r;

	if (!s)
		return -ENOMEM;
	r = setup(s, o);
	if (r < 0) {
		free(s);
		return r;
	}
	next_tick = clock_now_ns();
	while (!s->quit) {
		struct pollfd p[5] = { { s->sigfd, POLLIN, 0 },
				       { s->sync_fd, POLLIN, 0 },
				       { s->fg_pid ? -1 : 0, POLLIN, 0 },
				       { s->loop.epfd, POLLIN, 0 },
				       { s->conf_watch_fd, POLLIN, 0 } };
		uint64_t now = clock_now_ns();

		screen_take(s); /* again when an appliance gave it back */
		if (now >= next_tick) {
			tick(s, now);
			next_tick = now + SEC;
		}
		if (s->dirty) {
			draw(s);
			s->dirty = false;
		}
		if (poll(p, 5, (int)((next_tick - now) / 1000000) + 1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			on_signal(s);
		if (p[1].revents && s->sync_fd >= 0)
			menu_sync_read(s);
		if (p[2].revents && !s->fg_pid)
			read_keys(s);
		if (p[3].revents)
			gfx_events(s);
		if (p[4].revents)
			boot_conf_recheck(s);
	}
	log_info("menu stopping");
	menu_ghosts_stop(s);
	if (s->fg_pid)
		kill(s->fg_pid, SIGTERM);
	if (s->sync_pid)
		kill(s->sync_pid, SIGTERM);
	menu_tty_raw(s, false);
	menu_screen_release(s);
	menu_mcast_stop(s);
	if (s->loop.epfd >= 0)
		evloop_close(&s->loop);
	if (s->conf_watch_fd >= 0)
		close(s->conf_watch_fd);
	menu_icons_free(&s->icons);
	catalog_free(&s->cat);
	menu_model_free(&s->m);
	buf_free(&s->screen);
	buf_free(&s->shown);
	buf_free(&s->sync_in);
	free(s);
	return 0;
}
