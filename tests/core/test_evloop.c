/* SPDX-License-Identifier: GPL-2.0-only */
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/core.h"
#include "tests/harness.h"

struct pipe_reader {
	struct ev_handler h;
	struct evloop *loop;
	char got[64];
	size_t len;
};

static void on_readable(struct ev_handler *h, uint32_t events)
{
	struct pipe_reader *r = container_of(h, struct pipe_reader, h);
	ssize_t n;

	(void)events;
	n = read(h->fd, r->got + r->len, sizeof(r->got) - 1 - r->len);
	if (n > 0)
		r->len += (size_t)n;
	if (r->len >= 5)
		evloop_quit(r->loop, 7);
}

TEST(evloop_dispatches_fd_events)
{
	struct evloop l;
	struct pipe_reader r = { .len = 0 };
	int p[2];

	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(evloop_init(&l), 0);
	r.h.fd = p[0];
	r.h.fn = on_readable;
	r.loop = &l;
	CHECK_EQ(evloop_add(&l, &r.h, EPOLLIN), 0);
	CHECK_EQ(write(p[1], "hello", 5), 5);
	CHECK_EQ(evloop_run(&l), 7);
	CHECK_MEM(r.got, "hello", 5);
	CHECK_EQ(evloop_del(&l, &r.h), 0);
	CHECK_EQ(evloop_add(&l, &r.h, EPOLLIN), 0); /* re-adding works */
	CHECK_EQ(evloop_mod(&l, &r.h, EPOLLIN | EPOLLET), 0);
	evloop_close(&l);
}

struct ticker {
	struct ev_timer t;
	struct evloop *loop;
	int count;
	uint64_t first_ns;
};

static void on_tick(struct ev_timer *t)
{
	struct ticker *k = container_of(t, struct ticker, t);

	if (k->count++ == 0)
		k->first_ns = clock_now_ns();
	if (k->count == 3)
		evloop_quit(k->loop, 0);
}

TEST(evloop_timers_fire_on_time)
{
	struct evloop l;
	struct ticker k = { .count = 0 };
	uint64_t start = clock_now_ns();

	CHECK_EQ(evloop_init(&l), 0);
	k.loop = &l;
	CHECK_EQ(evloop_timer_start(&l, &k.t, 20000000, 10000000, on_tick), 0);
	CHECK_EQ(evloop_run(&l), 0);
	uint64_t first = k.first_ns - start, total = clock_now_ns() - start;
	CHECK(first >= 20000000 && first < 500000000);
	CHECK(total >= 40000000);
	CHECK_EQ(k.count, 3);
	CHECK_EQ(evloop_timer_stop(&l, &k.t), 0);
	CHECK_EQ(k.t.h.fd, -1);
	CHECK_EQ(evloop_timer_stop(&l, &k.t), 0); /* stopping twice is fine */
	evloop_close(&l);
}

static void on_once(struct ev_timer *t)
{
	struct ticker *k = container_of(t, struct ticker, t);

	k->count++;
}

TEST(evloop_one_shot_timer_fires_once)
{
	struct evloop l;
	struct ticker k = { .count = 0 };

	CHECK_EQ(evloop_init(&l), 0);
	CHECK_EQ(evloop_timer_start(&l, &k.t, 0, 0, on_once), 0);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(evloop_once(&l, 20), 0);
	CHECK_EQ(k.count, 1);
	evloop_timer_stop(&l, &k.t);
	evloop_close(&l);
}

struct sigcatch {
	struct ev_handler h;
	struct evloop *loop;
	int signo;
};

static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct sigcatch *c = container_of(h, struct sigcatch, h);
	struct signalfd_siginfo si;

	(void)events;
	if (read(h->fd, &si, sizeof(si)) == sizeof(si))
		c->signo = (int)si.ssi_signo;
	evloop_quit(c->loop, 0);
}

TEST(evloop_delivers_signals_through_signalfd)
{
	struct evloop l;
	struct sigcatch c = { .signo = 0 };
	const int sigs[] = { SIGUSR1, SIGCHLD };

	CHECK_EQ(evloop_init(&l), 0);
	c.loop = &l;
	c.h.fn = on_signal;
	CHECK_EQ(evloop_signals(&l, &c.h, sigs, 2), 0);
	kill(getpid(), SIGUSR1);
	CHECK_EQ(evloop_run(&l), 0);
	CHECK_EQ(c.signo, SIGUSR1);
	evloop_close(&l);
}

/* A handler removing another whose event is already fetched must not run it. */
struct pair {
	struct ev_handler a, b;
	struct evloop *loop;
	int ran_a, ran_b;
};

static void run_a(struct ev_handler *h, uint32_t ev)
{
	struct pair *p = container_of(h, struct pair, a);
	(void)ev;
	p->ran_a++;
	evloop_del(p->loop, &p->b);
}

static void run_b(struct ev_handler *h, uint32_t ev)
{
	struct pair *p = container_of(h, struct pair, b);
	(void)ev;
	p->ran_b++;
	evloop_del(p->loop, &p->a);
}

TEST(evloop_del_cancels_pending_events)
{
	struct evloop l;
	struct pair p = { .ran_a = 0 };
	int x[2], y[2];

	CHECK_EQ(pipe(x), 0);
	CHECK_EQ(pipe(y), 0);
	CHECK_EQ(evloop_init(&l), 0);
	p.loop = &l;
	p.a.fd = x[0], p.a.fn = run_a;
	p.b.fd = y[0], p.b.fn = run_b;
	CHECK_EQ(evloop_add(&l, &p.a, EPOLLIN), 0);
	CHECK_EQ(evloop_add(&l, &p.b, EPOLLIN), 0);
	CHECK_EQ(write(x[1], "1", 1), 1);
	CHECK_EQ(write(y[1], "1", 1), 1);
	CHECK_EQ(evloop_once(&l, 100), 0);
	CHECK_EQ(p.ran_a + p.ran_b, 1);
	evloop_close(&l);
}
