/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Supervised children of PID 1 (the menu, the network daemon): started,
 * watched, and started again when they die, with a growing pause when they
 * keep dying young so a crash loop cannot eat the machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs.h"

#define QUICK_DEATH_NS (10ull * 1000000000)
#define BACKOFF_MAX_NS (30ull * 1000000000)

uint64_t service_backoff_ns(unsigned quick_deaths)
{
	if (quick_deaths <= 1)
		return 0;
	if (quick_deaths > 6)
		return BACKOFF_MAX_NS;
	return MIN(BACKOFF_MAX_NS, 1000000000ull << (quick_deaths - 2));
}

void describe_exit(int status, char *out, size_t size)
{
	if (WIFEXITED(status))
		snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, size, "killed by signal %d (%s)%s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)),
			 WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(out, size, "ended with wait status 0x%x", status);
}

/* In the child: a fresh session on the terminal, or quiet stdio. */
static void child_stdio(const struct service *s)
{
	int fd;

	setsid();
	if (s->tty && (fd = open(s->tty, O_RDWR | O_NOCTTY)) >= 0) {
		/*
		 * Never stolen: an appliance that outlived the menu keeps the
		 * terminal (and its Ctrl-C) until it ends.
		 */
		ioctl(fd, TIOCSCTTY, 0);
	} else {
		fd = open("/dev/null", O_RDWR);
		int log = open("/dev/kmsg", O_WRONLY);
		if (fd >= 0 && log >= 0) {
			dup2(fd, 0);
			dup2(log, 1);
			dup2(log, 2);
			close(fd);
			if (log > 2)
				close(log);
			return;
		}
	}
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

int service_start(struct service *s, uint64_t now_ns)
{
	sigset_t none;
	pid_t pid = fork();

	if (pid < 0) {
		int r = -errno;
		log_err("%s: fork: %s", s->name, err_str(r));
		s->next_start_ns = now_ns + 1000000000ull;
		return r;
	}
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		child_stdio(s);
		execv(s->argv[0], s->argv);
		dprintf(2, "kvmbox init: exec %s: %s\n", s->argv[0], strerror(errno));
		_exit(127);
	}
	s->pid = pid;
	s->starts++;
	s->started_ns = now_ns;
	log_info("started %s (pid %d)", s->name, (int)pid);
	return 0;
}

bool service_reaped(struct service *s, pid_t pid, int status, uint64_t now_ns)
{
	char why[96];

	if (s->pid == 0 || pid != s->pid)
		return false;
	s->pid = 0;
	describe_exit(status, why, sizeof(why));
	if (now_ns - s->started_ns < QUICK_DEATH_NS)
		s->quick_deaths++;
	else
		s->quick_deaths = 1;
	uint64_t wait = service_backoff_ns(s->quick_deaths);
	s->next_start_ns = now_ns + wait;
	if (s->enabled)
		log_warn("%s (pid %d) %s; starting it again in %llu s", s->name,
			 (int)pid, why, (unsigned long long)(wait / 1000000000ull));
	else
		log_info("%s (pid %d) %s", s->name, (int)pid, why);
	return true;
}
