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
};

/*
 * Builds the machine, boots the kernel and runs until the guest powers off,
 * reboots or panics: returns an enum vmm_exit, or a negative errno with
 * @err saying what was wrong (no /dev/kvm, not a kernel, too little RAM...).
 */
int vmm_run(const struct vmm_config *cfg, struct errmsg *err);

#endif
