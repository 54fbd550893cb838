/* SPDX-License-Identifier: GPL-2.0-only */
#include "test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "harness.h"

pid_t test_server_start(test_conn_fn conn, void *ctx, char *base, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	CHECK(ls >= 0);
	CHECK_EQ(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_EQ(listen(ls, 16), 0);
	CHECK_EQ(getsockname(ls, (struct sockaddr *)&a, &al), 0);
	snprintf(base, size, "http://127.0.0.1:%u", ntohs(a.sin_port));
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives a failed test */
		alarm(60);
		for (;;) {
			int c = accept(ls, NULL, NULL);
			if (c < 0)
				_exit(0);
			conn(c, ctx);
			close(c);
		}
	}
	close(ls);
	return pid;
}

void test_server_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

size_t test_read_head(int fd, char *req, size_t size)
{
	size_t have = 0;

	while (have < size - 1 && !memmem(req, have, "\r\n\r\n", 4)) {
		ssize_t n = read(fd, req + have, size - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	req[have] = 0;
	return have;
}

void test_log_append(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0) {
		write_full(fd, data, len);
		close(fd);
	}
}
