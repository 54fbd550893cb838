/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keyboards and pointers from /dev/input/event*, hot-plugged: the folder is
 * watched with inotify, devices that vanish are dropped. Raw evdev events
 * are folded into input_msg: keys, buttons, relative motion and absolute
 * positions (scaled to 0..INPUT_ABS_MAX), one motion per SYN_REPORT.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <dirent.h>

#include <linux/input.h>

#include "core/core.h"

#define INPUT_MAX_DEVICES 32
#define BITS_LONG (8 * sizeof(long))
#define NLONGS(n) (((n) + BITS_LONG - 1) / BITS_LONG)

struct input_dev {
	struct ev_handler h;
	struct input *in;
	int index;
	char node[NAME_MAX + 1];
	char name[80];
	bool keyboard, rel, abs;
	struct input_absinfo ax, ay;
	int dx, dy, x, y;
	bool moved, placed; /* relative / absolute motion pending a SYN */
};

struct input {
	struct evloop *loop;
	char dir[PATH_MAX];
	input_fn fn;
	void *ctx;
	struct ev_handler watch; /* inotify */
	int dir_wd;		 /* watch on dir, or -1 while it does not exist */
	int parent_wd;		 /* watch on its parent, to see it appear */
	struct input_dev *devs[INPUT_MAX_DEVICES];
	int next_index;
	bool grabbed;
};

static bool test_bit(const unsigned long *bits, unsigned n)
{
	return bits[n / BITS_LONG] >> (n % BITS_LONG) & 1;
}

/* What the device is, from the event types and codes it reports. */
static void classify(struct input_dev *d, int fd)
{
	unsigned long ev[NLONGS(EV_CNT)] = { 0 }, key[NLONGS(KEY_CNT)] = { 0 },
		      rel[NLONGS(REL_CNT)] = { 0 }, abs[NLONGS(ABS_CNT)] = { 0 };

	ioctl(fd, EVIOCGBIT(0, sizeof(ev)), ev);
	if (test_bit(ev, EV_KEY))
		ioctl(fd, EVIOCGBIT(EV_KEY, sizeof(key)), key);
	if (test_bit(ev, EV_REL))
		ioctl(fd, EVIOCGBIT(EV_REL, sizeof(rel)), rel);
	if (test_bit(ev, EV_ABS))
		ioctl(fd, EVIOCGBIT(EV_ABS, sizeof(abs)), abs);
	d->keyboard = test_bit(key, KEY_A) && test_bit(key, KEY_Z) &&
		      test_bit(key, KEY_ENTER);
	d->rel = test_bit(rel, REL_X) && test_bit(rel, REL_Y);
	d->abs = test_bit(abs, ABS_X) && test_bit(abs, ABS_Y) &&
		 !ioctl(fd, EVIOCGABS(ABS_X), &d->ax) &&
		 !ioctl(fd, EVIOCGABS(ABS_Y), &d->ay) &&
		 d->ax.maximum > d->ax.minimum && d->ay.maximum > d->ay.minimum;
}

static int scale_abs(int v, const struct input_absinfo *a)
{
	int64_t span = (int64_t)a->maximum - a->minimum;
	int64_t s = ((int64_t)v - a->minimum) * INPUT_ABS_MAX / span;
	return (int)MAX(0, MIN(s, INPUT_ABS_MAX));
}

static void deliver(struct input_dev *d, struct input_msg m)
{
	m.device = d->index;
	d->in->fn(d->in->ctx, &m);
}

static void handle_event(struct input_dev *d, const struct input_event *e)
{
	switch (e->type) {
	case EV_KEY:
		if (e->value < 0 || e->value > 2)
			break;
		deliver(d, (struct input_msg){
			.kind = e->code >= BTN_MISC && e->code < KEY_OK ? INPUT_BUTTON
									: INPUT_KEY,
			.code = e->code, .value = e->value });
		break;
	case EV_REL:
		if (e->code == REL_X)
			d->dx += e->value, d->moved = true;
		else if (e->code == REL_Y)
			d->dy += e->value, d->moved = true;
		else if (e->code == REL_WHEEL)
			deliver(d, (struct input_msg){ .kind = INPUT_WHEEL, .y = e->value });
		else if (e->code == REL_HWHEEL)
			deliver(d, (struct input_msg){ .kind = INPUT_WHEEL, .x = e->value });
		break;
	case EV_ABS:
		if (!d->abs)
			break;
		if (e->code == ABS_X)
			d->x = scale_abs(e->value, &d->ax), d->placed = true;
		else if (e->code == ABS_Y)
			d->y = scale_abs(e->value, &d->ay), d->placed = true;
		break;
	case EV_SYN:
		if (e->code != SYN_REPORT)
			break;
		if (d->moved)
			deliver(d, (struct input_msg){ .kind = INPUT_MOTION, .x = d->dx,
						       .y = d->dy });
		if (d->placed)
			deliver(d, (struct input_msg){ .kind = INPUT_POSITION, .x = d->x,
						       .y = d->y });
		d->dx = d->dy = 0;
		d->moved = d->placed = false;
		break;
	}
}

static void remove_dev(struct input *in, unsigned slot)
{
	struct input_dev *d = in->devs[slot];

	evloop_del(in->loop, &d->h);
	close(d->h.fd);
	log_info("input: %s removed (%s)", d->node, d->name);
	free(d);
	in->devs[slot] = NULL;
}

static void on_device(struct ev_handler *h, uint32_t events)
{
	struct input_dev *d = container_of(h, struct input_dev, h);
	struct input_event ev[64];
	(void)events;

	for (;;) {
		ssize_t n = read(h->fd, ev, sizeof(ev));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) { /* ENODEV: unplugged */
			for (unsigned i = 0; i < INPUT_MAX_DEVICES; i++)
				if (d->in->devs[i] == d) {
					remove_dev(d->in, i);
					return;
				}
			return;
		}
		for (size_t i = 0; i < (size_t)n / sizeof(ev[0]); i++)
			handle_event(d, &ev[i]);
	}
}

static bool known(struct input *in, const char *node)
{
	for (unsigned i = 0; i < INPUT_MAX_DEVICES; i++)
		if (in->devs[i] && !strcmp(in->devs[i]->node, node))
			return true;
	return false;
}

/* Opens @node when it is a keyboard or a pointer; others are ignored. */
static void add_dev(struct input *in, const char *node)
{
	char path[PATH_MAX + NAME_MAX + 2];
	unsigned slot;

	if (!str_starts(node, "event") || known(in, node))
		return;
	for (slot = 0; slot < INPUT_MAX_DEVICES && in->devs[slot]; slot++)
		;
	if (slot == INPUT_MAX_DEVICES)
		return;
	snprintf(path, sizeof(path), "%s/%s", in->dir, node);
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return; /* not ready yet: IN_ATTRIB brings us back */
	struct input_dev *d = calloc(1, sizeof(*d));
	if (!d) {
		close(fd);
		return;
	}
	classify(d, fd);
	if (!d->keyboard && !d->rel && !d->abs) {
		close(fd);
		free(d);
		return;
	}
	d->in = in;
	d->index = in->next_index++;
	d->h = (struct ev_handler){ fd, on_device };
	str_copy(d->node, sizeof(d->node), node);
	if (ioctl(fd, EVIOCGNAME(sizeof(d->name) - 1), d->name) < 0)
		str_copy(d->name, sizeof(d->name), "?");
	if (evloop_add(in->loop, &d->h, EPOLLIN) < 0) {
		close(fd);
		free(d);
		return;
	}
	if (in->grabbed)
		ioctl(fd, EVIOCGRAB, 1);
	in->devs[slot] = d;
	log_info("input: %s added: %s%s%s(%s)", node, d->keyboard ? "keyboard " : "",
		 d->rel ? "mouse " : "", d->abs ? "tablet " : "", d->name);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static void scan(struct input *in);

/* Watches the folder and opens what is already there. */
static void watch_dir(struct input *in)
{
	in->dir_wd = inotify_add_watch(in->watch.fd, in->dir, IN_CREATE | IN_ATTRIB);
	if (in->dir_wd >= 0)
		scan(in);
}

static void on_watch(struct ev_handler *h, uint32_t events)
{
	struct input *in = container_of(h, struct input, watch);
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	(void)events;

	for (;;) {
		ssize_t n = read(h->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
			const struct inotify_event *e = (const void *)(buf + off);
			if (e->len && e->wd == in->parent_wd && in->dir_wd < 0 &&
			    !strcmp(e->name, base_name(in->dir)))
				watch_dir(in);
			else if (e->len && e->wd == in->dir_wd &&
				 (e->mask & (IN_CREATE | IN_ATTRIB)))
				add_dev(in, e->name);
			off += (ssize_t)sizeof(*e) + e->len;
		}
	}
}

static void scan(struct input *in)
{
	DIR *dir = opendir(in->dir);
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir)))
		add_dev(in, de->d_name);
	closedir(dir);
}

int input_open(struct evloop *loop, const char *dir, input_fn fn, void *ctx,
	       struct input **out, struct errmsg *err)
{
	struct input *in = calloc(1, sizeof(*in));
	int rc;

	if (!in)
		return errmsg_set(err, -ENOMEM, "out of memory");
	in->loop = loop;
	in->fn = fn;
	in->ctx = ctx;
	str_copy(in->dir, sizeof(in->dir), dir ? dir : "/dev/input");
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		rc = errmsg_set(err, -errno, "inotify: %s", strerror(errno));
		free(in);
		return rc;
	}
	in->watch = (struct ev_handler){ fd, on_watch };
	if ((rc = evloop_add(loop, &in->watch, EPOLLIN)) < 0) {
		close(fd);
		free(in);
		return errmsg_set(err, rc, "input: %s", err_str(rc));
	}
	/* /dev/input appears with the first input device: watch for it. */
	char parent[PATH_MAX];
	str_copy(parent, sizeof(parent), in->dir);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = 0;
	else
		str_copy(parent, sizeof(parent), slash ? "/" : ".");
	in->parent_wd = inotify_add_watch(fd, parent, IN_CREATE);
	watch_dir(in);
	if (in->dir_wd < 0 && in->parent_wd < 0)
		log_warn("input: cannot watch %s: %s", in->dir, strerror(errno));
	*out = in;
	return 0;
}

void input_close(struct input *in)
{
	if (!in)
		return;
	for (unsigned i = 0; i < INPUT_MAX_DEVICES; i++)
		if (in->devs[i])
			remove_dev(in, i);
	evloop_del(in->loop, &in->watch);
	close(in->watch.fd);
	free(in);
}

void input_grab(struct input *in, bool grab)
{
	in->grabbed = grab;
	for (unsigned i = 0; i < INPUT_MAX_DEVICES; i++)
		if (in->devs[i])
			ioctl(in->devs[i]->h.fd, EVIOCGRAB, grab ? 1 : 0);
}

size_t input_count(struct input *in)
{
	size_t n = 0;

	for (unsigned i = 0; i < INPUT_MAX_DEVICES; i++)
		n += in->devs[i] != NULL;
	return n;
}

int input_describe(struct input *in, struct buf *out)
{
	for (unsigned i = 0; i < INPUT_MAX_DEVICES; i++) {
		const struct input_dev *d = in->devs[i];
		if (!d)
			continue;
		int rc = buf_printf(out, "%s %s%s%s%s\n", d->node,
				    d->keyboard ? "keyboard " : "", d->rel ? "mouse " : "",
				    d->abs ? "tablet " : "", d->name);
		if (rc < 0)
			return rc;
	}
	return 0;
}
