/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm: the virtual machine monitor behind `kvmbox vm run`. It talks to
 * /dev/kvm directly and gives a Linux guest what it needs: RAM, vCPUs, an
 * in-kernel irqchip and PIT, COM1, a CMOS clock, i8042 reset, ACPI (power
 * off, SMP), a PCI host bridge and virtio 1.x devices (blk, net, rng).
 *
 * The caller (cmd/vm.c) opens disks and taps through disk/ and net/ and
 * hands the VMM ready file descriptors and block devices.
 */
#ifndef KVMBOX_KVM_VMM_H
#define KVMBOX_KVM_VMM_H

#include "core/core.h"

/* What vmm_run() returns when the guest stops (the applet's exit status). */
enum vmm_exit {
	VMM_EXIT_POWEROFF = 0,
	VMM_EXIT_ERROR = 1,
	VMM_EXIT_REBOOT = 3,
	VMM_EXIT_PANIC = 4,
	VMM_EXIT_MENU = 5,	/* the user pressed the return-to-menu hotkey */
};

/* The guest's screen (a QXL display device) and where it is shown. */
enum vmm_display {
	VMM_DISPLAY_NONE = 0,	/* no display device: serial console only */
	VMM_DISPLAY_SCREEN,	/* the host's screen (core/screen: DRM or fbdev) */
	VMM_DISPLAY_OFFSCREEN,	/* in memory only: screenshots, tests */
};

#define VMM_MAX_CPUS 32
#define VMM_MAX_DISKS 8

struct vmm_config {
	const char *kernel;	/* bzImage, or an ELF vmlinux with a PVH note */
	const char *initrd;	/* optional */
	const char *cmdline;	/* optional */
	uint64_t mem_bytes;	/* guest RAM */
	unsigned cpus;
	struct blockdev *disks[VMM_MAX_DISKS]; /* owned by the VMM from now */
	unsigned ndisks;
	int tap_fd;		/* -1: no network; IFF_VNET_HDR tap otherwise */
	int serial_in;		/* -1: no console input */
	int serial_out;		/* -1: console output dropped */
	bool seccomp;		/* install the allow-list after set-up */
	bool seccomp_test;	/* debugging aid: make a forbidden syscall */
	enum vmm_display display;
	unsigned display_width, display_height; /* 0: the screen's native size
						   (offscreen: 1024x768) */
	const char *control_path; /* unix socket for screenshot/key/pointer/quit */
	bool menu_hotkey;	/* Ctrl+Alt+F12 stops the guest, exit VMM_EXIT_MENU */
};

/*
 * Builds the machine, boots the kernel and runs until the guest powers off,
 * reboots or panics: returns an enum vmm_exit, or a negative errno with
 * @err saying what was wrong (no /dev/kvm, not a kernel, too little RAM...).
 */
int vmm_run(const struct vmm_config *cfg, struct errmsg *err);

/*
 * A client of a running VMM's --control socket: sends @cmd (one line) and
 * puts the one-line answer ("ok ..." / "error ...") in @answer. 0, or a
 * negative errno with @err set when the socket cannot be used.
 */
int vmm_control(const char *path, const char *cmd, char *answer, size_t len,
		struct errmsg *err);

#endif
