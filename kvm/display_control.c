/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket of a VM with a display (`--control PATH`): a unix
 * stream socket served by the I/O thread, one command per line, one
 * answer line each ("ok ..." or "error ..."):
 *   screenshot FILE   the guest's current screen as PPM
 *   screendump FILE   what the host screen shows (the guest centred or
 *                     scaled on the output), as PPM
 *   info              "ok WxH lfb|qxl|none frames=N draws=N latency_us=N
 *                     output=WxH" (frames copied to the output so far)
 *   key CODE 0|1      a Linux key code pressed or released
 *   pointer X Y BUTTONS  absolute position in the guest's screen (its
 *                     current mode), buttons: bit 0 left, 1 right, 2 middle
 *   quit              power off at once
 * Lines are bounded; a client that sends nonsense gets an error line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kvm/display.h"
#include "kvm/qxl.h"

#define MAX_CLIENTS 4
#define LINE_MAX_LEN 512

struct control_client {
	struct ev_handler h;
	struct display_control *ctl;
	char line[LINE_MAX_LEN];
	size_t len;
	bool used;
};

struct display_control {
	struct display *disp;
	struct ev_handler listen_h;
	struct control_client client[MAX_CLIENTS];
};

static void reply(struct control_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reply(struct control_client *c, const char *fmt, ...)
{
	char out[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, sizeof(out) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n = MIN(n, (int)sizeof(out) - 2);
	out[n++] = '\n';
	if (write(c->h.fd, out, (size_t)n) < 0)
		log_debug("control: reply lost: %s", err_str(-errno));
}

static void cmd_info(struct control_client *c)
{
	struct display *d = c->ctl->disp;

	pthread_mutex_lock(&d->lock);
	unsigned w = d->view.width, h = d->view.height;
	const char *what = !d->view.px ? "none" : d->view_lfb ? "lfb" : "qxl";
	unsigned long long frames = d->frames, lat = d->last_latency_ns / 1000;
	pthread_mutex_unlock(&d->lock);
	reply(c, "ok %ux%u %s frames=%llu draws=%llu latency_us=%llu output=%ux%u", w, h,
	      what, frames, (unsigned long long)d->qxl->draws, lat, d->width, d->height);
}

/* Parses exactly @n unsigned numbers (each at most @max) from @arg. */
static bool numbers(const char *arg, unsigned n, unsigned long max, unsigned long *v)
{
	char *end;

	for (unsigned i = 0; i < n; i++) {
		if (!arg || *arg < '0' || *arg > '9')
			return false;
		errno = 0;
		v[i] = strtoul(arg, &end, 10);
		if (errno || v[i] > max || (*end && *end != ' '))
			return false;
		arg = *end ? end + 1 : NULL;
	}
	return !arg;
}

static void cmd_key(struct control_client *c, const char *arg)
{
	unsigned long v[2];

	if (!numbers(arg, 2, 0x2ff, v) || v[1] > 1) {
		reply(c, "error key wants CODE 0|1 (a Linux key code, 1 pressed)");
		return;
	}
	vm_input_key(c->ctl->disp->vm, (unsigned)v[0], v[1] == 1);
	reply(c, "ok");
}

static void cmd_pointer(struct control_client *c, const char *arg)
{
	struct display *d = c->ctl->disp;
	unsigned long v[3];

	pthread_mutex_lock(&d->lock);
	unsigned w = d->view.px ? d->view.width : d->width;
	unsigned h = d->view.px ? d->view.height : d->height;
	pthread_mutex_unlock(&d->lock);
	if (!numbers(arg, 3, GFX_MAX_DIM, v) || v[0] >= w || v[1] >= h || v[2] > 7) {
		reply(c, "error pointer wants X Y BUTTONS within the guest's %ux%u screen (buttons: 1 left, 2 right, 4 middle)",
		      w, h);
		return;
	}
	vm_input_pointer(d->vm, (unsigned)v[0], (unsigned)v[1], w, h, (unsigned)v[2]);
	reply(c, "ok");
}

static void run_command(struct control_client *c, char *line)
{
	struct display *d = c->ctl->disp;
	char *arg = strchr(line, ' ');

	if (arg)
		*arg++ = 0;
	if (!strcmp(line, "screenshot") && arg && *arg) {
		int r = display_screenshot(d, arg);
		if (r == -ENODATA)
			reply(c, "error the guest has no screen yet");
		else if (r < 0)
			reply(c, "error %s: %s", arg, err_str(r));
		else
			reply(c, "ok %ux%u", d->view.width, d->view.height);
	} else if (!strcmp(line, "screendump") && arg && *arg) {
		int r = display_screendump(d, arg);
		if (r < 0)
			reply(c, "error %s: %s", arg, err_str(r));
		else
			reply(c, "ok %ux%u", d->out.width, d->out.height);
	} else if (!strcmp(line, "info") && !arg) {
		cmd_info(c);
	} else if (!strcmp(line, "quit") && !arg) {
		reply(c, "ok");
		vm_request_stop(d->vm, VMM_EXIT_POWEROFF);
	} else if (!strcmp(line, "key")) {
		cmd_key(c, arg);
	} else if (!strcmp(line, "pointer")) {
		cmd_pointer(c, arg);
	} else {
		reply(c, "error unknown command '%.40s' (screenshot FILE, screendump FILE, info, key CODE 0|1, pointer X Y BUTTONS, quit)",
		      line);
	}
}

static void drop(struct control_client *c)
{
	evloop_del(&c->ctl->disp->vm->loop, &c->h);
	close(c->h.fd);
	c->used = false;
}

static void on_client(struct ev_handler *h, uint32_t events)
{
	struct control_client *c = container_of(h, struct control_client, h);
	ssize_t n;

	(void)events;
	n = read(h->fd, c->line + c->len, sizeof(c->line) - 1 - c->len);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			drop(c);
		return;
	}
	c->len += (size_t)n;
	char *nl;
	while ((nl = memchr(c->line, '\n', c->len))) {
		*nl = 0;
		size_t used = (size_t)(nl - c->line) + 1;
		if (nl > c->line && nl[-1] == '\r')
			nl[-1] = 0;
		run_command(c, c->line);
		if (!c->used)
			return;
		memmove(c->line, c->line + used, c->len - used);
		c->len -= used;
	}
	if (c->len == sizeof(c->line) - 1) {
		reply(c, "error line longer than %d bytes", LINE_MAX_LEN - 1);
		drop(c);
	}
}

static void on_listen(struct ev_handler *h, uint32_t events)
{
	struct display_control *ctl = container_of(h, struct display_control, listen_h);
	int fd = accept4(h->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	(void)events;
	if (fd < 0)
		return;
	for (unsigned i = 0; i < MAX_CLIENTS; i++) {
		struct control_client *c = &ctl->client[i];
		if (c->used)
			continue;
		*c = (struct control_client){ .h = { .fd = fd, .fn = on_client }, .ctl = ctl,
					      .used = true };
		if (evloop_add(&ctl->disp->vm->loop, &c->h, EPOLLIN) < 0) {
			close(fd);
			c->used = false;
		}
		return;
	}
	if (write(fd, "error too many control clients\n", 31) < 0)
		log_debug("control: refusal lost");
	close(fd);
}

int display_control_open(struct display *d, const char *path, struct errmsg *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct display_control *ctl;
	int fd, r;

	if (strlen(path) >= sizeof(a.sun_path))
		return errmsg_set(err, -ENAMETOOLONG, "--control %s: path too long", path);
	if (!(ctl = calloc(1, sizeof(*ctl))))
		return errmsg_set(err, -ENOMEM, "out of memory");
	memcpy(a.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return errmsg_set(err, -errno, "--control: socket: %s", err_str(-errno));
	unlink(path); /* a stale socket of an earlier run */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		r = -errno;
		close(fd);
		return errmsg_set(err, r, "--control %s: %s", path, err_str(r));
	}
	ctl->disp = d;
	ctl->listen_h = (struct ev_handler){ .fd = fd, .fn = on_listen };
	if ((r = evloop_add(&d->vm->loop, &ctl->listen_h, EPOLLIN)) < 0)
		return errmsg_set(err, r, "--control: %s", err_str(r));
	d->control = ctl;
	return 0;
}

int vmm_control(const char *path, const char *cmd, char *answer, size_t len,
		struct errmsg *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = 0;
	int fd, r = 0;

	if (strlen(path) >= sizeof(a.sun_path))
		return errmsg_set(err, -ENAMETOOLONG, "%s: path too long", path);
	if (strchr(cmd, '\n') || strlen(cmd) >= LINE_MAX_LEN - 1)
		return errmsg_set(err, -EINVAL, "a command is one line of at most %d bytes", LINE_MAX_LEN - 2);
	memcpy(a.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return errmsg_set(err, r, "%s: %s (is the VM running with --control?)", path, err_str(r));
	}
	char line[LINE_MAX_LEN];
	int k = snprintf(line, sizeof(line), "%s\n", cmd);
	if ((r = write_full(fd, line, (size_t)k)) < 0) {
		close(fd);
		return errmsg_set(err, r, "%s: %s", path, err_str(r));
	}
	while (n + 1 < len) {
		ssize_t got = read(fd, answer + n, 1);
		if (got <= 0 || answer[n] == '\n')
			break;
		n++;
	}
	answer[n] = 0;
	close(fd);
	if (!n)
		return errmsg_set(err, -EPIPE, "%s: no answer", path);
	return 0;
}
