/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The menu joins multicast sessions by itself. One UDP socket in the menu's
 * event loop hears the announces of the lab's group (the catalog's
 * `multicast`, default 239.255.77.1:9077; "off" turns this off). When a
 * session's manifest names an image a local appliance of the catalog needs
 * and the store lacks, a child process receives it into the store through
 * the same partial image (HEX.part/.have) as the HTTP sync, reporting
 * progress lines on a pipe; the appliance shows "downloading N %" then
 * "ready". One join at a time; the socket is closed meanwhile, so the
 * menu never sees the session's data.
 *
 * Who wins: multicast. While a join holds TMP/HEX.mcast locked the sync
 * leaves that image alone, and a sync already fetching it is stopped once
 * the session's manifest proved to be the image's (its verified chunks
 * stay; the sync starts again and takes what the session did not bring).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "initramfs/menu_priv.h"

#define SEC 1000000000ull
#define RETRY_NS (60 * SEC)	/* a session that failed is left alone this long */
#define MAX_FAILED 8
#define REJOIN_TICKS 10		/* interfaces that came up are joined within 10 s */

struct menu_mcast {
	struct menu_state *s;
	char group[32];		/* in use: the catalog's, "" default, "off" */
	struct ev_handler listen; /* fd -1: not listening */
	struct ev_timer tick;
	unsigned ticks;
	/* The join under way (pid 0: none). */
	pid_t pid;
	struct ev_handler out;	/* its report pipe */
	struct buf in;
	struct menu_announce a;
	int pct;		/* -1 until its manifest was verified */
	int logged_pct;
	struct {
		uint8_t manifest[SHA256_LEN];
		uint64_t until_ns;
	} failed[MAX_FAILED];
	unsigned nfailed;
	uint8_t ignored[SHA256_LEN]; /* the last session ignored, logged once */
};

static void lock_path(const struct menu_store *st, const uint8_t digest[SHA256_LEN],
		      char *path, size_t size)
{
	char hex[2 * SHA256_LEN + 1];

	format_hex(digest, SHA256_LEN, hex);
	snprintf(path, size, "%s/%s.mcast", st->tmp_dir, hex);
}

bool menu_mcast_busy(const struct menu_store *st, const uint8_t digest[SHA256_LEN])
{
	char path[600];
	bool busy;
	int fd;

	lock_path(st, digest, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	busy = flock(fd, LOCK_SH | LOCK_NB) < 0;
	close(fd);
	return busy;
}

/* Whether @a needs the file @digest names (kernel, initrd or a disk). */
static bool uses(const struct catalog_appliance *a, const uint8_t digest[SHA256_LEN])
{
	const struct catalog_file *files[2 + CATALOG_MAX_DISKS];
	size_t n = catalog_files(a, files, ARRAY_SIZE(files));

	for (size_t k = 0; k < n; k++)
		if (!memcmp(files[k]->sha256, digest, SHA256_LEN))
			return true;
	return false;
}

/*
 * The catalog's file @digest when a local appliance needs it and it is not
 * here: its URL (or "" without a server) and the first such appliance.
 */
static int wanted(struct menu_state *s, const uint8_t digest[SHA256_LEN], char *url,
		  size_t size)
{
	for (size_t i = 0; i < s->cat.napps; i++) {
		const struct catalog_appliance *a = &s->cat.apps[i];
		const struct catalog_file *files[2 + CATALOG_MAX_DISKS];
		size_t n = catalog_files(a, files, ARRAY_SIZE(files));
		char path[512];

		if (a->type != APPLIANCE_LOCAL)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (memcmp(files[k]->sha256, digest, SHA256_LEN))
				continue;
			if (menu_file_find(&s->src, &s->store, files[k], path, sizeof(path)) == 0)
				return -1; /* here already */
			url[0] = 0;
			if (s->src.catalog_url[0] &&
			    http_url_resolve(s->src.catalog_url, files[k]->name, url, size) < 0)
				url[0] = 0;
			return (int)i;
		}
	}
	return -1;
}

/* Every appliance that needs the image being joined shows its progress. */
static void show_pct(struct menu_mcast *mc, int pct)
{
	struct menu_state *s = mc->s;
	bool changed = false;

	for (size_t i = 0; i < s->cat.napps; i++)
		if (uses(&s->cat.apps[i], mc->a.image_sha256) && s->pct[i] != pct) {
			s->pct[i] = pct;
			changed = true;
		}
	if (changed) {
		menu_update_status(s);
		s->dirty = true;
	}
}

/* ---- the join, in a child process ---- */

static void say(int fd, const char *fmt, ...) PRINTF(2, 3);
static void say(int fd, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n = MIN(n, (int)sizeof(line) - 2);
	for (int i = 0; i < n; i++) /* one report, one line */
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	write_full(fd, line, (size_t)n);
}

struct child {
	int fd, last_pct;
	uint64_t last_ns;
};

static void child_progress(void *ctx, uint64_t done, uint64_t total, uint64_t rate,
			   int64_t eta_s)
{
	struct child *c = ctx;
	int pct = total ? (int)MIN(done * 100 / total, 99) : 0;
	uint64_t now = clock_now_ns();
	char size[32], speed[32];

	if (pct == c->last_pct && now - c->last_ns < SEC)
		return;
	c->last_pct = pct;
	c->last_ns = now;
	format_size(total, size, sizeof(size));
	format_size(rate, speed, sizeof(speed));
	if (eta_s >= 0)
		say(c->fd, "progress %d of %s at %s/s, %lld:%02lld to go", pct, size, speed,
		    (long long)eta_s / 60, (long long)eta_s % 60);
	else
		say(c->fd, "progress %d of %s at %s/s", pct, size, speed);
}

static int child_run(struct menu_state *s, struct menu_mcast *mc, const char *url, int fd)
{
	struct child c = { .fd = fd, .last_pct = -1 };
	struct errmsg err;
	char lock[600];
	int lfd, r;

	lock_path(&s->store, mc->a.image_sha256, lock, sizeof(lock));
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lfd < 0 || flock(lfd, LOCK_EX | LOCK_NB) < 0) {
		say(fd, "busy");
		return 0;
	}
	r = s->store.mcast_join(s->store.ctx, &mc->a, url[0] ? url : NULL, child_progress,
				&c, &err);
	if (r == 0)
		say(fd, "ready");
	else if (r == -EBUSY) /* an HTTP fetch of it went on: it will finish */
		say(fd, "busy");
	else
		say(fd, "failed %s", err.msg);
	unlink(lock);
	return r;
}

/* ---- the menu's side ---- */

static void listen_stop(struct menu_mcast *mc)
{
	if (mc->listen.fd < 0)
		return;
	evloop_del(&mc->s->loop, &mc->listen);
	close(mc->listen.fd);
	mc->listen.fd = -1;
}

static void on_announce(struct ev_handler *h, uint32_t events);

static void listen_start(struct menu_mcast *mc)
{
	struct menu_state *s = mc->s;
	struct errmsg err;
	int fd;

	if (mc->listen.fd >= 0 || mc->pid || !strcmp(mc->group, "off"))
		return;
	fd = s->store.mcast_listen(s->store.ctx, mc->group, -1, &err);
	if (fd < 0) {
		log_warn("multicast announces not heard: %s", err.msg);
		return;
	}
	mc->listen.fd = fd;
	mc->listen.fn = on_announce;
	if (evloop_add(&s->loop, &mc->listen, EPOLLIN) < 0) {
		close(fd);
		mc->listen.fd = -1;
	}
}

static bool failed_lately(struct menu_mcast *mc, const uint8_t manifest[SHA256_LEN])
{
	uint64_t now = clock_now_ns();

	for (unsigned i = 0; i < MIN(mc->nfailed, MAX_FAILED); i++)
		if (!memcmp(mc->failed[i].manifest, manifest, SHA256_LEN) &&
		    now < mc->failed[i].until_ns)
			return true;
	return false;
}

static void on_report(struct ev_handler *h, uint32_t events);

static void join(struct menu_mcast *mc, const struct menu_announce *a, int app,
		 const char *url)
{
	struct menu_state *s = mc->s;
	char hex[2 * SHA256_LEN + 1];
	int p[2];
	pid_t pid;

	format_hex(a->image_sha256, SHA256_LEN, hex);
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	mc->a = *a;
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlives the menu */
		close(p[0]);
		close(mc->listen.fd);
		_exit(child_run(s, mc, url, p[1]) < 0);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return;
	}
	log_info("multicast: joining the session of %s (image %.16s…, %s) on %s",
		 s->cat.apps[app].name, hex, a->group, a->iface[0] ? a->iface : "?");
	listen_stop(mc); /* its data is the child's business */
	mc->pid = pid;
	mc->pct = mc->logged_pct = -1;
	mc->in.len = 0;
	mc->out.fd = p[0];
	mc->out.fn = on_report;
	evloop_add(&s->loop, &mc->out, EPOLLIN);
}

static void consider(struct menu_mcast *mc, const struct menu_announce *a)
{
	struct menu_state *s = mc->s;
	char url[HTTP_MAX_URL], hex[2 * SHA256_LEN + 1];
	int app;

	if (mc->pid || failed_lately(mc, a->manifest_sha256))
		return;
	app = wanted(s, a->image_sha256, url, sizeof(url));
	if (app >= 0) {
		join(mc, a, app, url);
		return;
	}
	if (!memcmp(mc->ignored, a->manifest_sha256, SHA256_LEN))
		return;
	memcpy(mc->ignored, a->manifest_sha256, SHA256_LEN);
	format_hex(a->image_sha256, SHA256_LEN, hex);
	log_info("multicast: session of image %.16s… ignored (not in the catalog, or here already)",
		 hex);
}

static void on_announce(struct ev_handler *h, uint32_t events)
{
	struct menu_mcast *mc = container_of(h, struct menu_mcast, listen);
	struct menu_state *s = mc->s;

	(void)events;
	for (int n = 0; n < 64 && mc->listen.fd >= 0 && !mc->pid; n++) {
		struct menu_announce a;
		int r = s->store.mcast_announce(s->store.ctx, mc->listen.fd, &a);

		if (r == -EAGAIN || r == -EINTR)
			return;
		if (r < 0) {
			log_warn("multicast announces: %s", err_str(r));
			listen_stop(mc); /* opened again by the tick */
			return;
		}
		if (r == 1)
			consider(mc, &a);
	}
}

/*
 * The session's manifest is the image's: if the sync is fetching files of
 * an appliance that needs it, stop it (multicast wins); it starts again at
 * once and leaves this image alone while the join holds it.
 */
static void take_over(struct menu_mcast *mc)
{
	struct menu_state *s = mc->s;

	if (!s->sync_pid)
		return;
	for (size_t i = 0; i < s->cat.napps; i++)
		if (uses(&s->cat.apps[i], mc->a.image_sha256) && s->pct[i] >= 0) {
			log_info("multicast: the HTTP download of %s stops, the session brings it",
				 s->cat.apps[i].name);
			kill(s->sync_pid, SIGTERM);
			s->sync_again = true;
			return;
		}
}

static void report_line(struct menu_mcast *mc, char *line)
{
	struct menu_state *s = mc->s;

	if (str_starts(line, "progress ")) {
		char *rest = line + 9 + strcspn(line + 9, " ");
		int pct = atoi(line + 9);

		if (mc->pct < 0)
			take_over(mc);
		mc->pct = pct < 0 ? 0 : MIN(pct, 99);
		show_pct(mc, mc->pct);
		if (mc->pct / 10 != mc->logged_pct / 10 || mc->logged_pct < 0) {
			log_info("multicast: %d %%%s", mc->pct, rest);
			mc->logged_pct = mc->pct;
		}
	} else if (!strcmp(line, "ready")) {
		log_info("multicast: image received and verified");
	} else if (!strcmp(line, "busy") || str_starts(line, "failed ")) {
		if (line[0] == 'b')
			log_info("multicast: another download of this image is under way");
		else
			log_warn("multicast: %s", line + 7);
		memcpy(mc->failed[mc->nfailed % MAX_FAILED].manifest, mc->a.manifest_sha256,
		       SHA256_LEN);
		mc->failed[mc->nfailed++ % MAX_FAILED].until_ns = clock_now_ns() + RETRY_NS;
		if (line[0] == 'f' && mc->pct >= 0 && s->src.catalog_url[0])
			menu_sync_start(s); /* HTTP takes what is missing */
	}
}

static void join_ended(struct menu_mcast *mc)
{
	struct menu_state *s = mc->s;

	evloop_del(&s->loop, &mc->out);
	close(mc->out.fd);
	mc->out.fd = -1;
	mc->pid = 0; /* reaped with the menu's other children */
	if (mc->pct >= 0)
		show_pct(mc, -1);
	mc->pct = -1;
	menu_update_status(s);
	s->dirty = true;
	listen_start(mc);
}

static void on_report(struct ev_handler *h, uint32_t events)
{
	struct menu_mcast *mc = container_of(h, struct menu_mcast, out);
	char chunk[1024], *nl;
	ssize_t n = read(mc->out.fd, chunk, sizeof(chunk));

	(void)events;
	if (n <= 0) {
		if (n == 0 || errno != EINTR)
			join_ended(mc);
		return;
	}
	if (mc->in.len + (size_t)n > 4096)
		mc->in.len = 0; /* a runaway line */
	buf_append(&mc->in, chunk, (size_t)n);
	buf_terminate(&mc->in);
	while ((nl = memchr(mc->in.data, '\n', mc->in.len))) {
		*nl = 0;
		report_line(mc, (char *)mc->in.data);
		buf_consume(&mc->in, (size_t)(nl + 1 - (char *)mc->in.data));
		buf_terminate(&mc->in);
	}
}

/* Once a second: the catalog's group, new interfaces, the join's progress. */
static void on_tick(struct ev_timer *t)
{
	struct menu_mcast *mc = container_of(t, struct menu_mcast, tick);
	struct menu_state *s = mc->s;
	struct errmsg err;

	if (strcmp(mc->group, s->cat.multicast)) { /* a new catalog */
		listen_stop(mc);
		str_copy(mc->group, sizeof(mc->group), s->cat.multicast);
		log_info("multicast announces: %s", !strcmp(mc->group, "off") ? "off"
			 : mc->group[0] ? mc->group : "default group");
	}
	if (mc->listen.fd < 0)
		listen_start(mc);
	else if (++mc->ticks % REJOIN_TICKS == 0)
		s->store.mcast_listen(s->store.ctx, mc->group, mc->listen.fd, &err);
	if (mc->pct >= 0) /* a sync that ended cleared it */
		show_pct(mc, mc->pct);
}

void menu_mcast_start(struct menu_state *s)
{
	struct menu_mcast *mc;

	if (!s->store.mcast_listen || !s->store.mcast_announce || !s->store.mcast_join ||
	    s->loop.epfd < 0 || !(mc = calloc(1, sizeof(*mc))))
		return;
	mc->s = s;
	mc->listen.fd = mc->out.fd = -1;
	mc->pct = -1;
	buf_init(&mc->in);
	str_copy(mc->group, sizeof(mc->group), "-"); /* the first tick sets it */
	s->mcast = mc;
	if (evloop_timer_start(&s->loop, &mc->tick, 0, SEC, on_tick) < 0)
		log_warn("multicast announces not heard: no timer");
}

void menu_mcast_stop(struct menu_state *s)
{
	struct menu_mcast *mc = s->mcast;

	if (!mc)
		return;
	if (mc->pid)
		kill(mc->pid, SIGTERM);
	listen_stop(mc);
	if (mc->out.fd >= 0) {
		evloop_del(&s->loop, &mc->out);
		close(mc->out.fd);
	}
	evloop_timer_stop(&s->loop, &mc->tick);
	buf_free(&mc->in);
	free(mc);
	s->mcast = NULL;
}
