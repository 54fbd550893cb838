/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test tool for the nested VMM tests (runs inside the test VMs):
 *   udp send ADDR PORT TEXT     sends one datagram
 *   udp recv PORT SECONDS       prints the first datagram received, or fails
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0)
		return 1;
	if (argc == 5 && !strcmp(argv[1], "send")) {
		a.sin_port = htons((uint16_t)atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &a.sin_addr) != 1)
			return 2;
		for (int i = 0; i < 3; i++) { /* ARP may eat the first one */
			sendto(s, argv[4], strlen(argv[4]), 0, (struct sockaddr *)&a, sizeof(a));
			usleep(200000);
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "recv")) {
		char buf[512];
		struct pollfd p = { .fd = s, .events = POLLIN };
		a.sin_port = htons((uint16_t)atoi(argv[2]));
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    poll(&p, 1, atoi(argv[3]) * 1000) != 1)
			return 1;
		ssize_t n = recv(s, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return 1;
		buf[n] = 0;
		printf("%s\n", buf);
		return 0;
	}
	fprintf(stderr, "usage: udp send ADDR PORT TEXT | udp recv PORT SECONDS\n");
	return 2;
}
