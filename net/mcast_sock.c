/* SPDX-License-Identifier: GPL-2.0-only */
/* The multicast deployment's UDP socket, the same at both ends. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mcast_private.h"

#define SOCK_BUF (32 << 20)

static void big_buffers(int fd)
{
	int sz = SOCK_BUF;

	/* The FORCE variants pass the sysctl limits (root); else best effort. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	sz = 4 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static int join(int fd, const struct mcast_addr *a, struct errmsg *err)
{
	struct ip_mreqn mr = { .imr_multiaddr = a->group };
	unsigned char ttl = 1, loop = 0;

	if (a->iface[0]) {
		mr.imr_ifindex = (int)if_nametoindex(a->iface);
		if (!mr.imr_ifindex)
			return errmsg_set(err, -ENODEV, "%s: no such interface",
					  a->iface);
	}
	if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		return errmsg_set(err, -errno, "joining the multicast group: %s",
				  strerror(errno));
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) < 0)
		return errmsg_set(err, -errno, "multicast socket options: %s",
				  strerror(errno));
	return 0;
}

int mcast_sock_open(const struct mcast_addr *a, struct sockaddr_in *to,
		    struct errmsg *err)
{
	int one = 1, fd, r;

	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	to->sin_addr = a->group;
	to->sin_port = htons(a->port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errmsg_set(err, -errno, "socket: %s", strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	big_buffers(fd);
	/* Bound to the group: unicast to the port never lands here. */
	if (bind(fd, (struct sockaddr *)to, sizeof(*to)) < 0) {
		r = errmsg_set(err, -errno, "binding to port %u: %s", a->port,
			       strerror(errno));
		close(fd);
		return r;
	}
	r = join(fd, a, err);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int mcast_sock_send(int fd, const struct sockaddr_in *to,
		    const struct mcast_pkt *m)
{
	uint8_t buf[MCAST_MAX_PKT];
	size_t len = mcast_pkt_build(buf, sizeof(buf), m);

	if (!len)
		return -EMSGSIZE;
	if (sendto(fd, buf, len, 0, (const struct sockaddr *)to,
		   sizeof(*to)) < 0)
		return -errno;
	return 0;
}

uint64_t mcast_random(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = clock_now_ns() * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	return v;
}
