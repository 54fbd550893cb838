/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vCPUs: one thread each, looping on KVM_RUN and dispatching port and MMIO
 * exits to the devices. The boot CPU starts where the loader says (64-bit
 * long mode for a bzImage, 32-bit protected mode for PVH); the others wait
 * for the guest's INIT/SIPI in the in-kernel LAPIC.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kvm/machine.h"

#define KICK_SIGNAL SIGUSR1
#define CR0_PE 0x1ULL
#define CR0_ET 0x10ULL
#define CR0_PG 0x80000000ULL
#define CR4_PAE 0x20ULL
#define EFER_LME 0x100ULL
#define EFER_LMA 0x400ULL
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_MODE_NMI 4
#define APIC_MODE_EXTINT 7

static void kick_handler(int sig)
{
	(void)sig; /* only there to interrupt KVM_RUN */
}

/* Each vCPU sees its own APIC ID; everything else is what KVM supports. */
static int set_cpuid(struct vcpu *c)
{
	const struct kvm_cpuid2 *src = c->vm->cpuid;
	size_t sz = sizeof(*src) + src->nent * sizeof(src->entries[0]);
	struct kvm_cpuid2 *id = malloc(sz);
	int r = 0;

	if (!id)
		return -ENOMEM;
	memcpy(id, src, sz);
	for (unsigned i = 0; i < id->nent; i++) {
		struct kvm_cpuid_entry2 *e = &id->entries[i];

		if (e->function == 1) {
			e->ebx = (e->ebx & 0x0000ffff) | c->index << 24 |
				 c->vm->ncpus << 16;
			e->edx |= 1u << 28; /* HTT: the count above is valid */
			e->ecx |= 1u << 31; /* running under a hypervisor: look for KVM's leaves */
			/*
			 * KVM emulates the TSC-deadline timer but leaves the bit to
			 * us; with it Linux needs no LAPIC timer calibration.
			 */
			if (c->vm->tsc_deadline)
				e->ecx |= 1u << 24;
		} else if (e->function == 0xb || e->function == 0x1f) {
			e->edx = c->index;
		}
	}
	if (ioctl(c->fd, KVM_SET_CPUID2, id) < 0)
		r = -errno;
	free(id);
	return r;
}

/* Virtual-wire mode: PIC interrupts through LINT0, NMIs through LINT1. */
static int set_lint(struct vcpu *c)
{
	struct kvm_lapic_state s;

	if (ioctl(c->fd, KVM_GET_LAPIC, &s) < 0)
		return -errno;
	uint32_t l0 = get_le32(s.regs + APIC_LVT_LINT0);
	uint32_t l1 = get_le32(s.regs + APIC_LVT_LINT1);
	put_le32(s.regs + APIC_LVT_LINT0, (l0 & ~0x700u) | APIC_MODE_EXTINT << 8);
	put_le32(s.regs + APIC_LVT_LINT1, (l1 & ~0x700u) | APIC_MODE_NMI << 8);
	return ioctl(c->fd, KVM_SET_LAPIC, &s) < 0 ? -errno : 0;
}

int vcpu_create(struct vm *vm, unsigned index, struct errmsg *err)
{
	struct vcpu *c = &vm->vcpus[index];
	int r;

	c->vm = vm;
	c->index = index;
	c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, index);
	if (c->fd < 0)
		return errmsg_set(err, -errno, "KVM_CREATE_VCPU %u: %s", index, err_str(-errno));
	c->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED)
		return errmsg_set(err, -errno, "mmap of vCPU %u: %s", index, err_str(-errno));
	coalesced_attach(vm, c->run);
	if ((r = set_cpuid(c)) < 0)
		return errmsg_set(err, r, "KVM_SET_CPUID2: %s", err_str(r));
	if ((r = set_lint(c)) < 0)
		return errmsg_set(err, r, "vCPU %u LAPIC: %s", index, err_str(r));
	if (index == 0) {
		struct sigaction sa = { .sa_handler = kick_handler };
		sigemptyset(&sa.sa_mask);
		sigaction(KICK_SIGNAL, &sa, NULL);
	}
	return 0;
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
		    bool code64, bool db)
{
	*s = (struct kvm_segment){ .base = 0, .limit = 0xffffffff, .selector = sel,
				   .type = type, .present = 1, .dpl = 0, .db = db,
				   .s = 1, .l = code64, .g = 1 };
}

/* Flat segments, a GDT that matches them and (64-bit) 4 GiB identity map. */
int vcpu_set_boot_regs(struct vcpu *c, const struct boot_entry *e)
{
	struct guest_mem *m = &c->vm->mem;
	struct kvm_sregs s;
	struct kvm_regs regs = { .rflags = 2, .rip = e->rip, .rsi = e->rsi,
				 .rbx = e->rbx, .rsp = 0x8ff0 };
	uint8_t *gdt = gmem_ptr(m, BOOT_GDT_ADDR, 5 * 8);

	if (!gdt)
		return -ENOMEM;
	if (ioctl(c->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	put_le64(gdt + 0, 0);
	put_le64(gdt + 8, 0);
	put_le64(gdt + 16, e->long_mode ? 0x00af9b000000ffffULL : 0x00cf9b000000ffffULL);
	put_le64(gdt + 24, 0x00cf93000000ffffULL);
	put_le64(gdt + 32, 0x00008b0000000067ULL); /* busy 32-bit TSS */
	s.gdt.base = BOOT_GDT_ADDR;
	s.gdt.limit = 5 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	set_seg(&s.cs, 0x10, 0xb, e->long_mode, !e->long_mode);
	set_seg(&s.ds, 0x18, 0x3, false, true);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.tr = (struct kvm_segment){ .limit = 0x67, .selector = 0x20, .type = 0xb,
				     .present = 1 };
	s.cr0 = CR0_PE | CR0_ET;
	s.cr4 = 0;
	s.efer = 0;
	if (e->long_mode) {
		uint8_t *pt = gmem_ptr(m, BOOT_PML4_ADDR, 6 * 4096);
		if (!pt)
			return -ENOMEM;
		memset(pt, 0, 6 * 4096);
		put_le64(pt, (BOOT_PML4_ADDR + 0x1000) | 3);
		for (uint64_t i = 0; i < 4; i++) {
			put_le64(pt + 0x1000 + i * 8, (BOOT_PML4_ADDR + 0x2000 + i * 0x1000) | 3);
			for (uint64_t j = 0; j < 512; j++)
				put_le64(pt + 0x2000 + i * 0x1000 + j * 8,
					 ((i * 512 + j) << 21) | 0x83);
		}
		s.cr3 = BOOT_PML4_ADDR;
		s.cr4 = CR4_PAE;
		s.cr0 |= CR0_PG;
		s.efer = EFER_LME | EFER_LMA;
	}
	if (ioctl(c->fd, KVM_SET_SREGS, &s) < 0)
		return -errno;
	return ioctl(c->fd, KVM_SET_REGS, &regs) < 0 ? -errno : 0;
}

static void do_io(struct vcpu *c)
{
	struct kvm_run *run = c->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned size = run->io.size;

	if (size != 1 && size != 2 && size != 4)
		return;
	if (run->io.data_offset > c->vm->run_size ||
	    (uint64_t)run->io.count * size > c->vm->run_size - run->io.data_offset)
		return;
	for (uint32_t i = 0; i < run->io.count; i++, data += size)
		bus_access(&c->vm->pio, run->io.port, data, size,
			   run->io.direction == KVM_EXIT_IO_OUT);
}

static void do_mmio(struct vcpu *c)
{
	struct kvm_run *run = c->run;
	unsigned len = run->mmio.len;

	if (len == 0 || len > 8)
		return;
	bus_access(&c->vm->mmio, run->mmio.phys_addr, run->mmio.data, len,
		   run->mmio.is_write);
}

/* Handles one exit; returns false when this vCPU should stop. */
static bool handle_exit(struct vcpu *c)
{
	struct kvm_run *run = c->run;

	coalesced_flush(c->vm); /* writes the guest made before this exit come first */
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		do_io(c);
		return true;
	case KVM_EXIT_MMIO:
		do_mmio(c);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_HLT:
		vm_request_stop(c->vm, VMM_EXIT_POWEROFF);
		return false;
	case KVM_EXIT_SHUTDOWN: /* triple fault: a PC resets */
		vm_request_stop(c->vm, VMM_EXIT_REBOOT);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN:
			vm_request_stop(c->vm, VMM_EXIT_POWEROFF);
			break;
		case KVM_SYSTEM_EVENT_RESET:
			vm_request_stop(c->vm, VMM_EXIT_REBOOT);
			break;
		default:
			vm_request_stop(c->vm, VMM_EXIT_PANIC);
		}
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		log_err("vm: vCPU %u cannot enter the guest (hardware reason 0x%llx)",
			c->index, (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		log_err("vm: vCPU %u: KVM internal error %u (guest ran into something KVM cannot emulate)",
			c->index, run->internal.suberror);
		break;
	default:
		log_err("vm: vCPU %u: unexpected exit reason %u", c->index, run->exit_reason);
	}
	vm_request_stop(c->vm, VMM_EXIT_ERROR);
	return false;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *c = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (c->vm->seccomp && seccomp_install(SECCOMP_VCPU) < 0) {
		log_err("vm: vCPU %u: cannot install the seccomp filter", c->index);
		vm_request_stop(c->vm, VMM_EXIT_ERROR);
		return NULL;
	}
	while (atomic_load(&c->vm->exit_code) < 0) {
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_err("vm: vCPU %u: KVM_RUN: %s", c->index, err_str(-errno));
			vm_request_stop(c->vm, VMM_EXIT_ERROR);
			break;
		}
		if (!handle_exit(c))
			break;
	}
	return NULL;
}

int vcpu_start(struct vcpu *c)
{
	pthread_attr_t a;
	int r;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 128 * 1024);
	r = -pthread_create(&c->thread, &a, vcpu_thread, c);
	pthread_attr_destroy(&a);
	c->started = r == 0;
	return r;
}

void vcpu_kick(struct vcpu *c)
{
	c->run->immediate_exit = 1;
	pthread_kill(c->thread, KICK_SIGNAL);
}
