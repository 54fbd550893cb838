/* SPDX-License-Identifier: GPL-2.0-only */
/* Tap devices for VMs: one per virtio-net card, with virtio-net headers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "net.h"

int net_tap_open(const char *name, char ifname[IFNAMSIZ], struct errmsg *err)
{
	struct ifreq ifr;
	int fd, hdr = 12; /* struct virtio_net_hdr_mrg_rxbuf: VIRTIO 1.x size */

	if (strlen(name) >= IFNAMSIZ)
		return errmsg_set(err, -EINVAL, "tap name '%s' is too long", name);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errmsg_set(err, -errno, "/dev/net/tun: %s (load the tun module?)",
				  strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	str_copy(ifr.ifr_name, IFNAMSIZ, name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = -errno;
		close(fd);
		return errmsg_set(err, e, "tap %s: %s", name[0] ? name : "(new)",
				  strerror(-e));
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		int e = -errno;
		close(fd);
		return errmsg_set(err, e, "tap %s: virtio-net header size: %s",
				  ifr.ifr_name, strerror(-e));
	}
	str_copy(ifname, IFNAMSIZ, ifr.ifr_name);
	return fd;
}

int net_tap_persist(int fd, bool persist, struct errmsg *err)
{
	if (ioctl(fd, TUNSETPERSIST, (unsigned long)persist) < 0)
		return errmsg_set(err, -errno, "tap: %s persistence: %s",
				  persist ? "set" : "clear", strerror(errno));
	return 0;
}
