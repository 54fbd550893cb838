/* SPDX-License-Identifier: GPL-2.0-only */
/* What PID 1 does first: the kernel filesystems, and a status summary. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs.h"

struct mount_spec {
	const char *src, *dir, *type, *opts;
	unsigned long flags;
};

static const struct mount_spec mounts[] = {
	{ "proc", "/proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
	{ "sysfs", "/sys", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
	{ "devtmpfs", "/dev", "devtmpfs", "mode=0755", MS_NOSUID },
	{ "devpts", "/dev/pts", "devpts", "gid=5,mode=0620,ptmxmode=0666",
	  MS_NOSUID | MS_NOEXEC },
	{ "tmpfs", "/run", "tmpfs", "mode=0755", MS_NOSUID | MS_NODEV },
	{ "tmpfs", "/tmp", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV },
};

int sysinit_mount_all(void)
{
	int first_err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(mounts); i++) {
		const struct mount_spec *m = &mounts[i];

		mkdir(m->dir, 0755);
		if (mount(m->src, m->dir, m->type, m->flags, m->opts) < 0 &&
		    errno != EBUSY) {
			log_warn("mount %s on %s: %s", m->type, m->dir, strerror(errno));
			if (!first_err)
				first_err = -errno;
		}
	}
	return first_err;
}

int sysinit_cmdline(char *buf, size_t size)
{
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read_full(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return (int)n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = 0;
	return (int)n;
}

static void kvm_status(char *out, size_t size)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(out, size, "not available (%s)", strerror(errno));
		return;
	}
	int api = ioctl(fd, KVM_GET_API_VERSION, 0);
	snprintf(out, size, "ready (API %d)", api);
	close(fd);
}

static void nic_list(char *out, size_t size)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	size_t n = 0;

	out[0] = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || n + strlen(e->d_name) + 2 >= size)
			continue;
		n += (size_t)snprintf(out + n, size - n, "%s%s", n ? " " : "",
				      e->d_name);
	}
	closedir(d);
}

void sysinit_print_status(int fd)
{
	struct utsname u;
	struct sysinfo si;
	char kvm[64], nics[256], mem[32];
	char text[1024];
	struct timespec up;

	uname(&u);
	sysinfo(&si);
	clock_gettime(CLOCK_BOOTTIME, &up);
	kvm_status(kvm, sizeof(kvm));
	nic_list(nics, sizeof(nics));
	format_size((uint64_t)si.totalram * si.mem_unit, mem, sizeof(mem));
	int n = snprintf(text, sizeof(text),
			 "\n  kvmbox %s - virtual appliance workstation\n\n"
			 "  kernel   %s %s\n"
			 "  cpus     %ld online\n"
			 "  memory   %s\n"
			 "  kvm      %s\n"
			 "  network  %s\n"
			 "  booted   in %.2f s (kernel start to this screen)\n\n",
			 KVMBOX_VERSION, u.sysname, u.release,
			 sysconf(_SC_NPROCESSORS_ONLN), mem, kvm,
			 nics[0] ? nics : "(no interfaces)",
			 (double)up.tv_sec + up.tv_nsec / 1e9);
	if (n > 0)
		write_full(fd, text, MIN((size_t)n, sizeof(text) - 1));
}
