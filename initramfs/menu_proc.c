/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The menu's child processes: the foreground appliance (which gets the
 * console), ghost appliances (headless, restarted when they stop), and the
 * sync worker. VMs are started only as `kvmbox vm run …`; a lock file held
 * by the foreground VM's process makes it the only one, even across a
 * restart of the menu. The foreground VM runs in its own session, so it
 * outlives a menu that dies; the menu started next finds it by that lock
 * (which names it and its pid) and waits for it to end.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initramfs/menu_priv.h"

#define SEC 1000000000ull

bool menu_app_paths(struct menu_state *s, int app, char paths[][512], size_t max)
{
	const struct catalog_file *files[2 + CATALOG_MAX_DISKS];
	size_t n = catalog_files(&s->cat.apps[app], files, ARRAY_SIZE(files));

	for (size_t i = 0; i < n && i < max; i++)
		if (menu_file_find(&s->src, &s->store, files[i], paths[i], 512) < 0)
			return false;
	return true;
}

void menu_update_status(struct menu_state *s)
{
	char paths[2 + CATALOG_MAX_DISKS][512];

	for (size_t i = 0; i < s->cat.napps; i++) {
		struct menu_app_status *st = &s->m.status[i];
		const struct catalog_appliance *a = &s->cat.apps[i];

		st->percent = 0;
		st->reason[0] = 0;
		if (a->type == APPLIANCE_SPICE) {
			st->state = MENU_APP_READY; /* the server is asked when started */
		} else if (menu_app_paths(s, (int)i, paths, ARRAY_SIZE(paths))) {
			st->state = MENU_APP_READY;
		} else if (s->pct[i] >= 0 || (s->sync_pid && !s->failure[i][0])) {
			st->state = MENU_APP_DOWNLOADING;
			st->percent = s->pct[i] > 0 ? (unsigned)s->pct[i] : 0;
		} else {
			st->state = MENU_APP_UNAVAILABLE;
			str_copy(st->reason, sizeof(st->reason),
				 s->failure[i][0] ? s->failure[i]
				 : !s->src.catalog_url[0] ? "files missing from the boot medium"
				 : "not cached, offline");
		}
	}
}

static int build_argv(struct menu_state *s, int app, const char *serial,
		      struct menu_vm_argv *v, struct errmsg *err);
static int open_log(struct menu_state *s, const char *kind, const char *name);

/* The child side: stdio, signals, then exec. Never returns. */
static void exec_vm(struct menu_state *s, char **argv, int out_fd, int lock_fd,
		    bool headless)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL); /* ignored by the menu, not by the VMM */
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTSTP, SIG_DFL);
	if (headless) {
		int null = open("/dev/null", O_RDONLY);
		setsid(); /* no controlling terminal: it can never take the screen */
		if (null >= 0)
			dup2(null, 0);
		dup2(out_fd, 1);
	} else {
		/*
		 * Its own session, with the console as its controlling terminal
		 * (the menu gave that up): the death of the menu neither signals
		 * it nor hangs up its terminal, and Ctrl-C reaches it alone.
		 */
		setsid();
		if (isatty(0))
			ioctl(0, TIOCSCTTY, 0);
	}
	dup2(out_fd, 2);
	if (lock_fd >= 0) /* the lock lives as long as the VM's process */
		fcntl(lock_fd, F_SETFD, 0);
	(void)s;
	execv(argv[0], argv);
	dprintf(out_fd, "kvmbox menu: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(1);
}

/*
 * Init loads KVM's driver in the background, after the boot medium's, and
 * says so with RUN/kvm-loading: a start asked for meanwhile waits for
 * /dev/kvm (30 s at most) instead of failing.
 */
#define KVM_WAIT_NS (30 * 1000000000ull)

static bool wait_for_kvm(struct menu_state *s, int app)
{
	const struct catalog_appliance *a = &s->cat.apps[app];
	uint64_t now = clock_now_ns();
	char loading[300];

	snprintf(loading, sizeof(loading), "%s/kvm-loading", s->run_dir);
	if (a->type == APPLIANCE_SPICE || access("/dev/kvm", F_OK) == 0 ||
	    access(loading, F_OK) != 0)
		return false;
	if (!s->kvm_wait_end_ns)
		s->kvm_wait_end_ns = now + KVM_WAIT_NS;
	if (now >= s->kvm_wait_end_ns)
		return false; /* vm run says what is missing */
	if (s->pending_start != app)
		log_info("start of %s waits for /dev/kvm", a->name);
	s->pending_start = app;
	menu_message(&s->m, "Starting %s as soon as KVM is ready ...", a->title);
	return true;
}

int menu_start_foreground(struct menu_state *s, int app)
{
	const struct catalog_appliance *a = &s->cat.apps[app];
	struct menu_vm_argv v;
	struct errmsg err;
	char holder[64];
	int lock, out;
	pid_t pid;

	if (s->fg_pid) {
		menu_message(&s->m, "Cannot start %s: %s is running (one appliance at a time).",
			     a->title, s->fg_app >= 0 ? s->cat.apps[s->fg_app].title : s->m.running);
		log_warn("start of %s refused: %s is running", a->name, s->m.running);
		if (s->fg_adopted) /* no menu is drawn meanwhile: one line on the console */
			dprintf(1, "\r\nkvmbox menu: %s\r\n", s->m.message);
		return -EBUSY;
	}
	if (wait_for_kvm(s, app))
		return -EAGAIN;
	if (a->type == APPLIANCE_SPICE) { /* a remote desktop: the SPICE client */
		memset(&v, 0, sizeof(v));
		v.argv[0] = s->vm_command;
		v.argv[1] = "spice";
		v.argv[2] = a->url;
		v.argv[3] = "--fullscreen";
	} else if (build_argv(s, app, "stdio", &v, &err) < 0) {
		menu_message(&s->m, "Cannot start %s: %s", a->title, err.msg);
		return -ENOENT;
	}
	lock = menu_lock_take(s->lock_path, a->name, holder, sizeof(holder));
	if (lock == -EBUSY) {
		menu_message(&s->m, "Cannot start %s: %s is already running (one appliance at a time).",
			     a->title, holder[0] ? holder : "another appliance");
		log_warn("start of %s refused: %s holds the console", a->name, holder);
		return -EBUSY;
	}
	if (lock < 0)
		log_warn("foreground lock %s: %s", s->lock_path, err_str(lock));
	out = open_log(s, "vm", a->name);
	menu_screen_release(s); /* the appliance owns the screen until it ends */
	menu_tty_raw(s, false);
	dprintf(1, "\x1b[0m\x1b[H\x1b[2J\x1b[?25hStarting %s ...\r\n", a->title);
	pid = fork();
	if (pid == 0)
		exec_vm(s, v.argv, out >= 0 ? out : 2, lock, false);
	if (lock >= 0 && pid > 0)
		menu_lock_record(lock, s->lock_path, a->name, pid);
	if (lock >= 0)
		close(lock);
	if (out >= 0)
		close(out);
	if (pid < 0) {
		menu_tty_raw(s, true);
		menu_message(&s->m, "Cannot start %s: %s", a->title, strerror(errno));
		return -errno;
	}
	log_info("started %s (pid %d)", a->name, (int)pid);
	s->fg_pid = pid;
	s->fg_app = app;
	s->fg_started_ns = clock_now_ns();
	str_copy(s->m.running, sizeof(s->m.running), a->name);
	s->m.message[0] = 0;
	return 0;
}

/* The last line the VM wrote on stderr (its one-line reason). */
static void last_log_line(struct menu_state *s, const char *name, char *out, size_t size)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/vm-%s.log", s->run_dir, name);
	menu_file_last_line(path, out, size);
}

static int open_log(struct menu_state *s, const char *kind, const char *name)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s-%s.log", s->run_dir, kind, name);
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

int menu_run_wait(struct menu_state *s, char **argv, const char *name)
{
	int status = 0, out = open_log(s, "vm", name);
	pid_t pid = fork();

	if (pid == 0)
		exec_vm(s, argv, out >= 0 ? out : 2, -1, true);
	if (out >= 0)
		close(out);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -EIO;
	return 0;
}

/* network = isolated: the set's private bridge, without uplink (idempotent). */
static int isolated_bridge(struct menu_state *s, int app, struct errmsg *err)
{
	const struct catalog_appliance *a = &s->cat.apps[app];
	char br[16], why[200];
	char *argv[] = { s->vm_command, "net", "setup", "--bridge", br, "--isolated", NULL };

	menu_isolated_bridge(a, br);
	if (menu_run_wait(s, argv, a->name) == 0)
		return 0;
	last_log_line(s, a->name, why, sizeof(why));
	log_warn("%s: isolated bridge %s: %s", a->name, br, why);
	return errmsg_set(err, -EIO, "isolated network %s: %s", br,
			  why[0] ? why : "see the log");
}

static int build_argv(struct menu_state *s, int app, const char *serial,
		      struct menu_vm_argv *v, struct errmsg *err)
{
	char paths[2 + CATALOG_MAX_DISKS][512];
	struct menu_vm_place pl = { .kvmbox = s->vm_command, .overlay_dir = s->overlay_dir,
				    .bridge = s->m.net.bridge, .serial = serial };
	int r;

	if (!s->m.net.bridge[0] && s->cat.apps[app].network == APPLIANCE_NET_BRIDGED)
		log_warn("%s: no bridge in %s: starting without a network card",
			 s->cat.apps[app].name, s->net_path);

	if (!menu_app_paths(s, app, paths, ARRAY_SIZE(paths)))
		return errmsg_set(err, -ENOENT, "its files are not all here yet");
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		pl.paths[i] = paths[i];
	if (!strcmp(serial, "stdio") && s->gfx_wanted && s->gfx_used)
		pl.display = "screen"; /* the foreground VM takes the menu's screen */
	r = menu_vm_argv_build(v, &s->cat.apps[app], &pl, err);
	if (r == 0 && s->cat.apps[app].network == APPLIANCE_NET_ISOLATED)
		r = isolated_bridge(s, app, err);
	return r;
}

static void foreground_ended(struct menu_state *s, int status)
{
	const struct catalog_appliance *a = &s->cat.apps[s->fg_app];
	int app = s->fg_app;
	char why[200];
	bool quick = clock_now_ns() - s->fg_started_ns < 10 * SEC;

	s->fg_pid = 0;
	s->m.running[0] = 0;
	menu_tty_reclaim(s);
	menu_tty_raw(s, true);
	s->dirty = true;
	if (s->reload_pending) {
		/* It left the catalog while it ran: no restart, the new catalog now. */
		menu_message(&s->m, "%s has stopped; the catalog was updated meanwhile.", a->title);
		log_info("%s ended (status 0x%x); switching to the new catalog", a->name, status);
		menu_catalog_reload(s, NULL); /* @a is gone after this */
		return;
	}
	if (a->type == APPLIANCE_SPICE) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			menu_message(&s->m, "%s was closed.", a->title);
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
			menu_message(&s->m, "%s refused the connection (password).", a->title);
		else
			goto failed;
		log_info("%s ended: %s", a->name, s->m.message);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		s->fg_quick_reboots = quick ? s->fg_quick_reboots + 1 : 0;
		if (s->fg_quick_reboots < 5) {
			log_info("%s rebooted: starting it again from a fresh state", a->name);
			menu_start_foreground(s, app);
			return;
		}
		menu_message(&s->m, "%s keeps rebooting; stopped. Press Enter to try again.", a->title);
		return;
	}
	s->fg_quick_reboots = 0;
failed:
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		menu_message(&s->m, "%s was powered off.", a->title);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 5) {
		menu_message(&s->m, "%s was stopped (Ctrl+Alt+F12).", a->title);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 4) {
		menu_message(&s->m, "%s crashed (guest kernel panic).", a->title);
	} else if (WIFEXITED(status)) {
		last_log_line(s, a->name, why, sizeof(why));
		menu_message(&s->m, "%s stopped with an error: %s", a->title,
			     why[0] ? why : "see the log");
	} else {
		menu_message(&s->m, "%s was stopped (signal %d).", a->title, WTERMSIG(status));
	}
	log_info("%s ended: %s", a->name, s->m.message);
}

/* ---- ghosts ---- */

static struct menu_ghost *ghost_slot(struct menu_state *s, const char *name)
{
	struct menu_ghost *free_slot = NULL;

	for (size_t i = 0; i < MENU_MAX_GHOSTS; i++) {
		if (!strcmp(s->ghosts[i].name, name))
			return &s->ghosts[i];
		if (!free_slot && !s->ghosts[i].name[0] && !s->ghosts[i].pid)
			free_slot = &s->ghosts[i];
	}
	if (free_slot)
		str_copy(free_slot->name, sizeof(free_slot->name), name);
	return free_slot;
}

/* Held by each ghost VM's process, as the foreground lock is. */
static void ghost_lock_path(struct menu_state *s, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/ghost-%s.lock", s->run_dir, name);
}

static void ghost_gone(struct menu_state *s, struct menu_ghost *g, const char *how);

/* An adopted ghost has ended when its lock is free (or held by another). */
static void adopted_ghost_check(struct menu_state *s, struct menu_ghost *g)
{
	char lockp[400], name[CATALOG_NAME_MAX + 1];
	pid_t pid;

	ghost_lock_path(s, g->name, lockp, sizeof(lockp));
	if (!menu_lock_holder(lockp, name, &pid) || pid != g->pid)
		ghost_gone(s, g, "(not our child: status unknown)");
}

static void ghost_start(struct menu_state *s, int app, struct menu_ghost *g, uint64_t now)
{
	const struct catalog_appliance *a = &s->cat.apps[app];
	char serial[400], lockp[400], holder[CATALOG_NAME_MAX + 1];
	struct menu_vm_argv v;
	struct errmsg err;
	int out, lock;
	pid_t held;

	ghost_lock_path(s, a->name, lockp, sizeof(lockp));
	lock = menu_lock_take(lockp, a->name, holder, sizeof(holder));
	if (lock == -EBUSY) {
		/* It outlived the menu that started it: never a second copy. */
		if (menu_lock_holder(lockp, holder, &held)) {
			g->pid = held;
			g->adopted = true;
			g->started_ns = now;
			log_info("ghost %s (pid %d) still runs, started before this menu",
				 a->name, (int)held);
		} else {
			g->next_start_ns = now + SEC;
		}
		return;
	}
	snprintf(serial, sizeof(serial), "%s/ghost-%s.serial", s->run_dir, a->name);
	if (build_argv(s, app, serial, &v, &err) < 0) {
		g->next_start_ns = now + 5 * SEC; /* not ready yet: try again later */
		if (lock >= 0)
			close(lock);
		return;
	}
	out = open_log(s, "ghost", a->name);
	g->pid = fork();
	if (g->pid == 0)
		exec_vm(s, v.argv, out >= 0 ? out : 2, lock, true);
	if (out >= 0)
		close(out);
	if (lock >= 0 && g->pid > 0)
		menu_lock_record(lock, lockp, a->name, g->pid);
	if (lock >= 0)
		close(lock);
	if (g->pid < 0) {
		g->pid = 0;
		g->next_start_ns = now + 5 * SEC;
		return;
	}
	g->started_ns = now;
	log_info("ghost %s started (pid %d)", a->name, (int)g->pid);
}

void menu_ghosts_tick(struct menu_state *s, uint64_t now)
{
	for (size_t i = 0; i < MENU_MAX_GHOSTS; i++)
		if (s->ghosts[i].adopted && s->ghosts[i].pid)
			adopted_ghost_check(s, &s->ghosts[i]);
	for (size_t i = 0; i < s->cat.napps; i++) {
		struct menu_ghost *g;

		if (!s->cat.apps[i].ghost || s->cat.apps[i].type != APPLIANCE_LOCAL)
			continue;
		g = ghost_slot(s, s->cat.apps[i].name);
		if (g && !g->pid && now >= g->next_start_ns)
			ghost_start(s, (int)i, g, now);
	}
	/* Ghosts the catalog no longer lists are stopped. */
	for (size_t i = 0; i < MENU_MAX_GHOSTS; i++) {
		struct menu_ghost *g = &s->ghosts[i];
		const struct catalog_appliance *a = g->name[0] ? catalog_find(&s->cat, g->name) : NULL;

		if (g->name[0] && (!a || !a->ghost)) {
			if (g->pid)
				kill(g->pid, SIGTERM);
			if (g->adopted) /* never reaped by us */
				g->pid = 0;
			g->adopted = false;
			g->name[0] = 0;
		}
	}
}

void menu_ghosts_stop(struct menu_state *s)
{
	for (size_t i = 0; i < MENU_MAX_GHOSTS; i++)
		if (s->ghosts[i].pid)
			kill(s->ghosts[i].pid, SIGTERM);
}

/*
 * What a ghost's console said last, for the log (the next start truncates
 * the file: it is kept as .prev). Guest output: only printable ASCII.
 */
static void ghost_console_last(struct menu_state *s, const char *name, char *out, size_t size)
{
	char path[400], prev[410];
	size_t j = 0;

	snprintf(path, sizeof(path), "%s/ghost-%s.serial", s->run_dir, name);
	snprintf(prev, sizeof(prev), "%s.prev", path);
	menu_file_last_line(path, out, size);
	for (size_t i = 0; out[i]; i++)
		if (out[i] >= 0x20 && out[i] < 0x7f)
			out[j++] = out[i];
	out[j] = 0;
	rename(path, prev);
}

static void ghost_gone(struct menu_state *s, struct menu_ghost *g, const char *how)
{
	uint64_t now = clock_now_ns();
	char said[120];

	g->pid = 0;
	g->adopted = false;
	g->quick_deaths = now - g->started_ns < 60 * SEC ? g->quick_deaths + 1 : 0;
	/* 1 s, 2 s, 4 s … up to a minute between restarts of a failing ghost. */
	g->next_start_ns = now + (SEC << MIN(g->quick_deaths, 6u));
	if (g->next_start_ns > now + 60 * SEC)
		g->next_start_ns = now + 60 * SEC;
	ghost_console_last(s, g->name, said, sizeof(said));
	log_info("ghost %s ended %s: restarting; its console's last line: %s",
		 g->name, how, said[0] ? said : "(none)");
}

static bool ghost_ended(struct menu_state *s, pid_t pid, int status)
{
	char how[32];

	for (size_t i = 0; i < MENU_MAX_GHOSTS; i++) {
		struct menu_ghost *g = &s->ghosts[i];

		if (g->pid != pid || g->adopted)
			continue;
		snprintf(how, sizeof(how), "(status 0x%x)", (unsigned)status);
		ghost_gone(s, g, how);
		return true;
	}
	return false;
}

/* ---- sync worker ---- */

int menu_sync_start(struct menu_state *s)
{
	int p[2];
	pid_t pid;

	if (s->sync_pid) {
		s->sync_again = true;
		return -EBUSY;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		close(p[0]);
		_exit(menu_sync_run(&s->src, &s->store, 10000, p[1]) < 0);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -errno;
	}
	s->sync_pid = pid;
	s->sync_fd = p[0];
	s->sync_in.len = 0;
	memset(s->failure, 0, sizeof(s->failure));
	return 0;
}

static int app_index(struct menu_state *s, const char *name)
{
	const struct catalog_appliance *a = catalog_find(&s->cat, name);

	return a ? (int)(a - s->cat.apps) : -1;
}

static void sync_line(struct menu_state *s, char *line)
{
	char *arg = strchr(line, ' '), *rest;
	int i;

	if (arg)
		*arg++ = 0;
	else
		arg = line + strlen(line);
	rest = strchr(arg, ' ');
	if (rest)
		*rest++ = 0;
	else
		rest = arg + strlen(arg);
	if (!strcmp(line, "catalog")) {
		s->m.server_ok = strcmp(arg, "unreachable") && strcmp(arg, "none");
		if (!strcmp(arg, "new")) {
			log_info("new catalog from %s", s->src.catalog_url);
			menu_catalog_reload(s, NULL);
			menu_message(&s->m, "Catalog updated from the server.");
		} else if (!strcmp(arg, "same") && str_starts(s->m.message, "Refreshing")) {
			menu_message(&s->m, "The catalog is up to date.");
		} else if (!strcmp(arg, "rejected")) {
			log_warn("new catalog rejected, keeping the last good one: %s", rest);
			menu_message(&s->m, "New catalog rejected (the previous one stays): %s", rest);
		} else if (!strcmp(arg, "unreachable")) {
			log_warn("catalog not fetched: %s", rest);
		}
	} else if (!strcmp(line, "icons")) { /* the sync worker cached new icons */
		menu_icons_load(&s->icons, &s->src, &s->cat);
	} else if ((i = app_index(s, arg)) >= 0 && !strcmp(line, "progress")) {
		s->pct[i] = atoi(rest);
	} else if (i >= 0 && !strcmp(line, "failed")) {
		s->pct[i] = -1;
		str_copy(s->failure[i], sizeof(s->failure[i]), rest);
		log_warn("download for %s failed: %s", arg, rest);
	} else if (i >= 0 && !strcmp(line, "ready")) {
		s->pct[i] = -1;
	}
}

void menu_sync_read(struct menu_state *s)
{
	char chunk[4096];
	ssize_t n = read(s->sync_fd, chunk, sizeof(chunk));
	char *nl;

	if (n <= 0) {
		close(s->sync_fd);
		s->sync_fd = -1;
		return;
	}
	if (s->sync_in.len + (size_t)n > 65536)
		s->sync_in.len = 0; /* a runaway line from a sick worker */
	buf_append(&s->sync_in, chunk, (size_t)n);
	buf_terminate(&s->sync_in);
	while ((nl = memchr(s->sync_in.data, '\n', s->sync_in.len))) {
		*nl = 0;
		sync_line(s, (char *)s->sync_in.data);
		buf_consume(&s->sync_in, (size_t)(nl + 1 - (char *)s->sync_in.data));
		buf_terminate(&s->sync_in);
	}
	menu_update_status(s);
	s->dirty = true;
}

static void sync_ended(struct menu_state *s)
{
	uint64_t period = s->cat.refresh ? s->cat.refresh : 0;
	struct errmsg err;

	if (s->sync_fd >= 0) /* read what it said last */
		while (s->sync_fd >= 0)
			menu_sync_read(s);
	s->sync_pid = 0;
	for (size_t i = 0; i < CATALOG_MAX_APPLIANCES; i++)
		s->pct[i] = -1;
	if (menu_cache_gc(&s->store, &s->cat, s->bc.cache_dir, &err) < 0)
		log_warn("image cache: %s", err.msg);
	s->next_sync_ns = period ? clock_now_ns() + period * SEC : 0;
	if (s->sync_again) {
		s->sync_again = false;
		s->next_sync_ns = clock_now_ns();
	}
	menu_update_status(s);
	s->dirty = true;
}

void menu_reap(struct menu_state *s)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == s->fg_pid)
			foreground_ended(s, status);
		else if (pid == s->sync_pid)
			sync_ended(s);
		else
			ghost_ended(s, pid, status);
	}
}

/*
 * `kvmbox disk reset --cache DIR NAME` discards the appliance's persistent
 * overlays (DIR/overlays/NAME-N.overlay); the next start begins pristine.
 */
int menu_reset_overlay(struct menu_state *s, int app)
{
	const struct catalog_appliance *a = &s->cat.apps[app];
	char *argv[] = { s->vm_command, "disk", "reset", "--cache", s->bc.cache_dir,
			 (char *)a->name, NULL };
	char why[200];

	if (s->fg_pid && s->fg_app == app) {
		menu_message(&s->m, "%s is running: power it off first.", a->title);
		return -EBUSY;
	}
	if (menu_run_wait(s, argv, a->name) < 0) {
		last_log_line(s, a->name, why, sizeof(why));
		menu_message(&s->m, "Cannot reset %s: %s", a->title, why[0] ? why : "see the log");
		log_warn("reset of %s failed: %s", a->name, why);
		return -EIO;
	}
	log_info("persistent overlay of %s reset", a->name);
	menu_message(&s->m, "%s will start from its pristine image next time.", a->title);
	return 0;
}
