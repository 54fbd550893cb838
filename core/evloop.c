/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event loop: epoll over file descriptors, with timers as timerfds and
 * signals as a signalfd, so every event source looks the same and a handler
 * never runs inside a signal handler.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

#define EVLOOP_BATCH 32

uint64_t clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int evloop_init(struct evloop *l)
{
	l->stop = false;
	l->exit_code = 0;
	l->batch = NULL;
	l->batch_len = 0;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void evloop_close(struct evloop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

static int ctl(struct evloop *l, int op, struct ev_handler *h, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = h };

	return epoll_ctl(l->epfd, op, h->fd, &e) < 0 ? -errno : 0;
}

int evloop_add(struct evloop *l, struct ev_handler *h, uint32_t events)
{
	return ctl(l, EPOLL_CTL_ADD, h, events);
}

int evloop_mod(struct evloop *l, struct ev_handler *h, uint32_t events)
{
	return ctl(l, EPOLL_CTL_MOD, h, events);
}

int evloop_del(struct evloop *l, struct ev_handler *h)
{
	/* A handler may remove another whose event is already fetched. */
	for (int i = 0; i < l->batch_len; i++)
		if (l->batch[i].data.ptr == h)
			l->batch[i].data.ptr = NULL;
	return ctl(l, EPOLL_CTL_DEL, h, 0);
}

static void timer_fired(struct ev_handler *h, uint32_t events)
{
	struct ev_timer *t = container_of(h, struct ev_timer, h);
	uint64_t expirations;

	(void)events;
	/* Drain the count; a missed period is one call, not a burst. */
	if (read(h->fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	t->fn(t);
}

static struct timespec ns_to_ts(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull),
			       (long)(ns % 1000000000ull) };
	return ts;
}

int evloop_timer_start(struct evloop *l, struct ev_timer *t, uint64_t delay_ns,
		       uint64_t period_ns, void (*fn)(struct ev_timer *))
{
	struct itimerspec its = { ns_to_ts(period_ns), ns_to_ts(delay_ns) };
	int r;

	if (delay_ns == 0)
		its.it_value.tv_nsec = 1; /* zero would disarm the timer */
	t->fn = fn;
	t->period_ns = period_ns;
	t->h.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->h.fd < 0)
		return -errno;
	t->h.fn = timer_fired;
	if (timerfd_settime(t->h.fd, 0, &its, NULL) < 0) {
		r = -errno;
		goto fail;
	}
	r = evloop_add(l, &t->h, EPOLLIN);
	if (r == 0)
		return 0;
fail:
	close(t->h.fd);
	t->h.fd = -1;
	return r;
}

int evloop_timer_stop(struct evloop *l, struct ev_timer *t)
{
	int r = 0;

	if (t->h.fd < 0)
		return 0;
	r = evloop_del(l, &t->h);
	close(t->h.fd);
	t->h.fd = -1;
	return r;
}

int evloop_signals(struct evloop *l, struct ev_handler *h, const int *sigs,
		   size_t n)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	h->fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (h->fd < 0)
		return -errno;
	return evloop_add(l, h, EPOLLIN);
}

int evloop_once(struct evloop *l, int timeout_ms)
{
	struct epoll_event ev[EVLOOP_BATCH];
	int n = epoll_wait(l->epfd, ev, EVLOOP_BATCH, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->batch = ev;
	l->batch_len = n;
	for (int i = 0; i < n && !l->stop; i++) {
		struct ev_handler *h = ev[i].data.ptr;
		if (h)
			h->fn(h, ev[i].events);
	}
	l->batch = NULL;
	l->batch_len = 0;
	return 0;
}

int evloop_run(struct evloop *l)
{
	while (!l->stop) {
		int r = evloop_once(l, -1);
		if (r < 0)
			return r;
	}
	return l->exit_code;
}

void evloop_quit(struct evloop *l, int code)
{
	l->stop = true;
	l->exit_code = code;
}
