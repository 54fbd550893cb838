/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test tool for the nested input test (static, musl). Two modes:
 *   evread watch SECONDS   (in L2) prints "EV-READY", then one line per
 *                          input event from every /dev/input/event*:
 *                          "EV <device name> <type> <code> <value>", until
 *                          Esc is released (and 0.5 s pass quietly) or
 *                          SECONDS pass.
 *   evread ctl SOCKET LINE... (in L1) sends each LINE to the VMM's control
 *                          socket and prints the answer lines.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAXDEV 16

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int watch(int seconds)
{
	struct pollfd p[MAXDEV];
	char names[MAXDEV][64];
	int n = 0;
	DIR *d = opendir("/dev/input");
	struct dirent *e;

	while (d && (e = readdir(d)) && n < MAXDEV) {
		char path[300];
		if (strncmp(e->d_name, "event", 5))
			continue;
		snprintf(path, sizeof(path), "/dev/input/%s", e->d_name);
		int fd = open(path, O_RDONLY | O_NONBLOCK);
		if (fd < 0)
			continue;
		memset(names[n], 0, sizeof(names[n]));
		ioctl(fd, EVIOCGNAME(sizeof(names[n]) - 1), names[n]);
		for (char *c = names[n]; *c; c++)
			if (*c == ' ')
				*c = '_';
		printf("EV-DEV %s %s\n", e->d_name, names[n]);
		p[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
	}
	if (d)
		closedir(d);
	printf("EV-READY %d\n", n);
	fflush(stdout);
	double end = now() + seconds;
	bool done = false;
	while (now() < end) {
		/* After Esc, one more pass so other devices' events are not lost. */
		if (poll(p, (nfds_t)n, done ? 500 : 200) <= 0) {
			if (done)
				return 0;
			continue;
		}
		for (int i = 0; i < n; i++) {
			struct input_event ev[32];
			ssize_t r = read(p[i].fd, ev, sizeof(ev));
			for (ssize_t k = 0; r > 0 && k < r / (ssize_t)sizeof(ev[0]); k++) {
				if (ev[k].type == EV_SYN || ev[k].type == EV_MSC)
					continue;
				printf("EV %s %u %u %d\n", names[i], ev[k].type, ev[k].code,
				       ev[k].value);
				fflush(stdout);
				if (ev[k].type == EV_KEY && ev[k].code == KEY_ESC && ev[k].value == 0)
					done = true;
			}
		}
	}
	printf("EV-TIMEOUT\n");
	return !done;
}

static int ctl(const char *path, char **lines, int nlines)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strncpy(a.sun_path, path, sizeof(a.sun_path) - 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror(path);
		return 1;
	}
	for (int i = 0; i < nlines; i++) {
		char buf[256];
		size_t len = strlen(lines[i]);
		if (write(fd, lines[i], len) != (ssize_t)len || write(fd, "\n", 1) != 1)
			return 1;
		ssize_t r = 0, got;
		while (r < (ssize_t)sizeof(buf) - 1 && (got = read(fd, buf + r, 1)) == 1 && buf[r] != '\n')
			r++;
		buf[r] = 0;
		printf("CTL %s -> %s\n", lines[i], buf);
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "watch"))
		return watch(atoi(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "ctl"))
		return ctl(argv[2], argv + 3, argc - 3);
	fprintf(stderr, "usage: evread watch SECONDS | evread ctl SOCKET LINE...\n");
	return 2;
}
