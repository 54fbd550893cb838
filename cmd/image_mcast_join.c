/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The menu's side of multicast (struct menu_store's mcast_* operations):
 * a socket that hears only the announces of the lab's group, what an
 * announce claims (its manifest's digest, and the image the manifest's
 * first piece names), and joining one session into the store.
 *
 * The announce is only a hint: the join follows that manifest alone and
 * takes only the image the catalog named, and the store verifies every
 * chunk and the whole image, so a forged announce costs a failed join.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd/image.h"
#include "core/core.h"
#include "disk/disk.h"
#include "initramfs/initramfs.h"
#include "net/net.h"

/*
 * Only ANNOUNCE packets reach the socket: a session of an image nobody here
 * wants must not wake the menu for each of its tens of thousands of DATA
 * packets a second. A UDP socket's filter sees the UDP header first.
 */
static int announces_only(int fd)
{
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8), /* magic, "KVMC" */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x4b564d43, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 8 + 5), /* type */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MCAST_ANNOUNCE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { ARRAY_SIZE(code), code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

static int open_socket(const struct mcast_addr *a, struct errmsg *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = a->group,
				  .sin_port = htons(a->port) };
	int one = 1, buf = 256 << 10, fd, r;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errmsg_set(err, -errno, "socket: %s", strerror(errno));
	/* A receiver of this machine binds the same group and port. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf)) < 0 ||
	    announces_only(fd) < 0) {
		r = errmsg_set(err, -errno, "multicast socket options: %s", strerror(errno));
		close(fd);
		return r;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = errmsg_set(err, -errno, "binding to port %u: %s", a->port, strerror(errno));
		close(fd);
		return r;
	}
	return fd;
}

/* Joins the group on every interface that is up and can multicast. */
static void join_all(int fd, const struct mcast_addr *a)
{
	struct if_nameindex *ifs = if_nameindex();

	for (struct if_nameindex *i = ifs; i && i->if_index; i++) {
		struct ifreq ifr = { 0 };
		struct ip_mreqn mr = { .imr_multiaddr = a->group,
				       .imr_ifindex = (int)i->if_index };

		str_copy(ifr.ifr_name, sizeof(ifr.ifr_name), i->if_name);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP) ||
		    !(ifr.ifr_flags & IFF_MULTICAST) || (ifr.ifr_flags & IFF_LOOPBACK))
			continue;
		/* EADDRINUSE: joined there already. */
		(void)setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
	}
	if (ifs)
		if_freenameindex(ifs);
}

int image_mcast_listen(void *store, const char *group, int fd, struct errmsg *err)
{
	struct mcast_addr a;

	(void)store;
	if (mcast_addr_parse(group && group[0] ? group : MCAST_DEFAULT_GROUP, &a, err) < 0)
		return -EINVAL;
	if (fd < 0 && (fd = open_socket(&a, err)) < 0)
		return fd;
	join_all(fd, &a);
	return fd;
}

static void arrival(struct msghdr *mh, int fd, struct menu_announce *a)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	char addr[INET_ADDRSTRLEN] = "";

	a->iface[0] = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		struct in_pktinfo pi;

		if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_PKTINFO)
			continue;
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		if (!if_indextoname((unsigned)pi.ipi_ifindex, a->iface))
			a->iface[0] = 0;
	}
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	snprintf(a->group, sizeof(a->group), "%s:%u", addr, ntohs(sa.sin_port));
}

int image_mcast_announce(void *store, int fd, struct menu_announce *a)
{
	uint8_t buf[MCAST_MAX_PKT + 1];
	union {
		char b[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b) };
	struct mcast_pkt m;
	ssize_t n;

	(void)store;
	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if (mcast_pkt_parse(buf, (size_t)n, &m, NULL) < 0 || m.type != MCAST_ANNOUNCE ||
	    m.announce.piece_off != 0 ||
	    disk_manifest_peek_digest((const char *)m.announce.piece, m.announce.piece_len,
				      a->image_sha256) < 0)
		return 0;
	memcpy(a->manifest_sha256, m.announce.manifest_digest, 32);
	a->size = m.announce.file_size;
	arrival(&mh, fd, a);
	return 1;
}

struct relay {
	void (*progress)(void *pctx, uint64_t done, uint64_t total, uint64_t rate,
			 int64_t eta_s);
	void *pctx;
};

static void relay_progress(void *ctx, const struct image_progress *p)
{
	struct relay *r = ctx;

	if (r->progress)
		r->progress(r->pctx, p->done, p->total, p->rate, p->eta_s);
}

int image_mcast_join(void *store, const struct menu_announce *a, const char *url,
		     void (*progress)(void *pctx, uint64_t done, uint64_t total,
				      uint64_t rate, int64_t eta_s),
		     void *pctx, struct errmsg *err)
{
	struct relay rl = { progress, pctx };
	struct image_mcast_result res;
	struct mcast_addr addr;
	int r;

	if (mcast_addr_parse(a->group, &addr, err) < 0)
		return -EINVAL;
	str_copy(addr.iface, sizeof(addr.iface), a->iface);
	struct image_mcast_recv_opts o = {
		.addr = &addr, .timeout_s = 15, .want_manifest = a->manifest_sha256,
		.want_image = a->image_sha256, .http = url, .quiet = true,
		.progress = relay_progress, .ctx = &rl,
	};
	r = image_mcast_recv(store, &o, &res, err);
	log_info("multicast: %llu chunks by multicast, %llu by HTTP, %llu already here; "
		 "%llu duplicates, %llu from other sessions, %llu malformed, %llu rejected",
		 (unsigned long long)res.st.chunks, (unsigned long long)res.http_chunks,
		 (unsigned long long)res.st.have_chunks, (unsigned long long)res.st.dup_pkts,
		 (unsigned long long)res.st.foreign_pkts, (unsigned long long)res.st.bad_pkts,
		 (unsigned long long)res.st.bad_chunks);
	return r;
}
