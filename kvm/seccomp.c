/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sandbox: once the machine is built, each thread installs an
 * allow-list of the few system calls it still needs (vCPU threads: KVM_RUN
 * and device emulation; the I/O thread: epoll, disk and tap I/O). Anything
 * else - exec, opening files, sockets - kills the whole VMM.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <linux/kd.h>

#include "kvm/machine.h"

static const int common_calls[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(futex), SCMP_SYS(exit),
	SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(clock_gettime), SCMP_SYS(gettid), SCMP_SYS(getpid),
	SCMP_SYS(sched_yield), SCMP_SYS(restart_syscall), SCMP_SYS(madvise),
	SCMP_SYS(munmap), SCMP_SYS(brk), SCMP_SYS(writev), SCMP_SYS(readv),
	SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(epoll_ctl), /* a device starts or stops polling its fd */
};

static const int io_calls[] = {
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv),
	SCMP_SYS(pwritev), SCMP_SYS(preadv2), SCMP_SYS(pwritev2),
	SCMP_SYS(fdatasync), SCMP_SYS(fsync), SCMP_SYS(fallocate),
	SCMP_SYS(close), SCMP_SYS(tgkill), SCMP_SYS(tkill), SCMP_SYS(lseek),
	SCMP_SYS(timerfd_settime), SCMP_SYS(set_robust_list),
	SCMP_SYS(getrandom), SCMP_SYS(ftruncate), SCMP_SYS(fstat), /* overlays grow */
	SCMP_SYS(timerfd_create), /* SIGTERM: the guest's time to power off */
};

static const unsigned long kvm_ioctls[] = {
	KVM_RUN, KVM_IRQ_LINE, KVM_SET_GSI_ROUTING, KVM_IRQFD, KVM_IOEVENTFD,
	KVM_SIGNAL_MSI,
	KVM_SET_USER_MEMORY_REGION, /* the guest moves the display's BARs */
	KVM_GET_DIRTY_LOG,	/* the display's frame timer */
};

static int allow(scmp_filter_ctx f, const int *calls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = seccomp_rule_add(f, SCMP_ACT_ALLOW, calls[i], 0);
		if (r < 0 && r != -EDOM) /* EDOM: not on this architecture */
			return r;
	}
	return 0;
}

/*
 * A keyboard plugged in while the guest runs is opened from the I/O
 * thread: read-only opens (of /dev/input/event* and the folder), evdev
 * ioctls (type 'E': capabilities, grab), the folder listing, inotify.
 */
static int allow_input_hotplug(scmp_filter_ctx f)
{
	const unsigned long wflags = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND;
	int r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				 SCMP_A2(SCMP_CMP_MASKED_EQ, wflags, O_RDONLY));
	if (r == 0)
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, wflags, O_RDONLY));
	if (r == 0)
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff00, 'E' << 8));
	static const int calls[] = { SCMP_SYS(getdents64), SCMP_SYS(inotify_add_watch) };
	return r ? r : allow(f, calls, ARRAY_SIZE(calls));
}

/*
 * The display's I/O thread: the I/O thread's calls, page flips and vblank
 * events on the host screen, screenshots (a new file written, synced and
 * renamed: write_file_atomic) and the control socket's clients.
 */
static int allow_display(scmp_filter_ctx f)
{
	static const int calls[] = {
		SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
		SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(accept4),
		SCMP_SYS(accept), SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(fcntl),
	};
	/* ioctl types: 'd' DRM (page flips on the open card), 'F' fbdev */
	static const unsigned long ioctl_types[] = { 'd', 'F' };
	const unsigned long wflags = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND;
	const unsigned long create = O_WRONLY | O_CREAT | O_TRUNC;
	int r = allow(f, io_calls, ARRAY_SIZE(io_calls));

	if (r == 0)
		r = allow(f, calls, ARRAY_SIZE(calls));
	if (r == 0)
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, wflags, create));
	if (r == 0)
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, wflags, create));
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(ioctl_types); i++)
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff00, ioctl_types[i] << 8));
	if (r == 0) /* the fbdev back-end gives the console its text mode back */
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, KDSETMODE));
	if (r == 0) /* the console's terminal mode, as the plain I/O thread */
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, TCSETS));
	return r;
}

int seccomp_install(enum seccomp_role role)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int r;

	if (!f)
		return -ENOMEM;
	r = allow(f, common_calls, ARRAY_SIZE(common_calls));
	if (r == 0 && role == SECCOMP_IO)
		r = allow(f, io_calls, ARRAY_SIZE(io_calls));
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(kvm_ioctls); i++)
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, kvm_ioctls[i]));
	/* The I/O thread puts the console's terminal mode back at the end. */
	if (r == 0 && role == SECCOMP_IO)
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, TCSETS));
	/* ---- input: host keyboards and pointers come and go (input_host.c) ---- */
	if (r == 0 && role == SECCOMP_IO_DISPLAY)
		r = allow_input_hotplug(f);
	/* ---- end of input ---- */
	/* ---- display: screen, screenshots, control socket (display*.c) ---- */
	if (r == 0 && role == SECCOMP_IO_DISPLAY)
		r = allow_display(f);
	/* ---- end of display ---- */
	/* mmap for malloc only: never executable memory. */
	if (r == 0)
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r == 0)
		r = seccomp_load(f);
	seccomp_release(f);
	return r;
}
