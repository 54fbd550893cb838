/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine: opens /dev/kvm, creates the VM with its in-kernel irqchip and
 * PIT, maps RAM, plugs the devices, loads the kernel, starts one thread per
 * vCPU and then runs the device I/O loop on the caller's thread until a
 * vCPU reports power-off, reset or panic.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "kvm/machine.h"
#include "kvm/pci.h"
#include "kvm/virtio.h"

#define TSS_ADDR 0xFFFBD000
#define IDENTITY_MAP_ADDR 0xFFFBC000
#define MAX_ROUTES 128

void vm_request_stop(struct vm *vm, enum vmm_exit code)
{
	int expected = -1;
	uint64_t one = 1;

	if (atomic_compare_exchange_strong(&vm->exit_code, &expected, (int)code))
		if (write(vm->stop_fd, &one, sizeof(one)) < 0)
			log_err("vm: cannot wake the I/O loop: %s", err_str(-errno));
}

void vm_set_irq(struct vm *vm, unsigned gsi, bool level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };
	ioctl(vm->vm_fd, KVM_IRQ_LINE, &l);
}

static void route_irqchip(struct kvm_irq_routing *t, unsigned gsi,
			  unsigned chip, unsigned pin)
{
	struct kvm_irq_routing_entry *e = &t->entries[t->nr++];

	*e = (struct kvm_irq_routing_entry){ .gsi = gsi,
					     .type = KVM_IRQ_ROUTING_IRQCHIP };
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

/* The PC wiring: ISA IRQs to both PICs and the IOAPIC, IRQ0 on IOAPIC pin 2. */
static int routes_init(struct vm *vm)
{
	struct kvm_irq_routing *t;

	t = calloc(1, sizeof(*t) + MAX_ROUTES * sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	for (unsigned i = 0; i < 16; i++)
		if (i != 2)
			route_irqchip(t, i, i < 8 ? KVM_IRQCHIP_PIC_MASTER
						  : KVM_IRQCHIP_PIC_SLAVE, i % 8);
	for (unsigned i = 0; i < 24; i++)
		if (i != 2)
			route_irqchip(t, i, KVM_IRQCHIP_IOAPIC, i ? i : 2);
	vm->routes = t;
	vm->next_gsi = 24;
	pthread_mutex_init(&vm->route_lock, NULL);
	return ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, t) < 0 ? -errno : 0;
}

int vm_msi_route_alloc(struct vm *vm, unsigned *gsi)
{
	struct kvm_irq_routing_entry *e;
	int r = 0;

	pthread_mutex_lock(&vm->route_lock);
	if (vm->routes->nr == MAX_ROUTES) {
		r = -ENOSPC;
	} else {
		e = &vm->routes->entries[vm->routes->nr++];
		*e = (struct kvm_irq_routing_entry){ .gsi = vm->next_gsi++,
						     .type = KVM_IRQ_ROUTING_MSI };
		*gsi = e->gsi;
		/* Unprogrammed: an address no APIC answers, so nothing fires. */
		if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, vm->routes) < 0)
			r = -errno;
	}
	pthread_mutex_unlock(&vm->route_lock);
	return r;
}

int vm_msi_route_set(struct vm *vm, unsigned gsi, uint64_t addr, uint32_t data)
{
	int r = -ENOENT;

	pthread_mutex_lock(&vm->route_lock);
	for (unsigned i = 0; i < vm->routes->nr; i++) {
		struct kvm_irq_routing_entry *e = &vm->routes->entries[i];

		if (e->gsi != gsi || e->type != KVM_IRQ_ROUTING_MSI)
			continue;
		if (e->u.msi.address_lo == (uint32_t)addr &&
		    e->u.msi.address_hi == (uint32_t)(addr >> 32) &&
		    e->u.msi.data == data) {
			r = 0;
			break;
		}
		e->u.msi.address_lo = (uint32_t)addr;
		e->u.msi.address_hi = (uint32_t)(addr >> 32);
		e->u.msi.data = data;
		r = ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, vm->routes) < 0 ? -errno : 0;
		break;
	}
	pthread_mutex_unlock(&vm->route_lock);
	return r;
}

static int open_kvm(struct vm *vm, struct errmsg *err)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		int r = -errno;
		if (r == -ENOENT || r == -ENXIO || r == -ENODEV)
			return errmsg_set(err, r, "/dev/kvm missing: load kvm_intel or kvm_amd and enable VT-x/AMD-V in the firmware");
		return errmsg_set(err, r, "/dev/kvm: %s (is this user in the kvm group?)", err_str(r));
	}
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return errmsg_set(err, -ENOTSUP, "/dev/kvm speaks an unknown API version");
	static const struct { int cap; const char *name; } need[] = {
		{ KVM_CAP_IRQCHIP, "in-kernel irqchip" },
		{ KVM_CAP_USER_MEMORY, "user memory" },
		{ KVM_CAP_IOEVENTFD, "ioeventfd" },
		{ KVM_CAP_IRQFD, "irqfd" },
		{ KVM_CAP_IRQ_ROUTING, "irq routing" },
		{ KVM_CAP_PIT2, "in-kernel PIT" },
		{ KVM_CAP_EXT_CPUID, "CPUID" },
		{ KVM_CAP_IMMEDIATE_EXIT, "immediate exit" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(need); i++)
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, need[i].cap) <= 0)
			return errmsg_set(err, -ENOTSUP, "/dev/kvm lacks %s (kernel too old?)", need[i].name);
	vm->tsc_deadline = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	int sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz <= 0)
		return errmsg_set(err, -errno, "KVM_GET_VCPU_MMAP_SIZE: %s", err_str(-errno));
	vm->run_size = (size_t)sz;
	coalesced_probe(vm);
	return 0;
}

static int get_cpuid(struct vm *vm, struct errmsg *err)
{
	/* 256 (KVM's own limit) at once: a retry after E2BIG costs a slow ioctl. */
	for (unsigned n = 256; n <= 1024; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return -ENOMEM;
		c->nent = n;
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			vm->cpuid = c;
			return 0;
		}
		int r = -errno;
		free(c);
		if (r != -E2BIG)
			return errmsg_set(err, r, "KVM_GET_SUPPORTED_CPUID: %s", err_str(r));
	}
	return errmsg_set(err, -E2BIG, "KVM_GET_SUPPORTED_CPUID: too many entries");
}

static int add_slot(struct vm *vm, unsigned slot, uint64_t gpa, void *host,
		    uint64_t size)
{
	struct kvm_userspace_memory_region m = {
		.slot = slot, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)host,
	};
	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &m) < 0 ? -errno : 0;
}

static int create_vm(struct vm *vm, const struct vmm_config *cfg,
		     struct errmsg *err)
{
	struct kvm_pit_config pit = { 0 };
	int r;

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return errmsg_set(err, -errno, "KVM_CREATE_VM: %s (is virtualisation enabled in the firmware?)", err_str(-errno));
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR) < 0)
		return errmsg_set(err, -errno, "KVM_SET_TSS_ADDR: %s", err_str(-errno));
	uint64_t idmap = IDENTITY_MAP_ADDR;
	ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap); /* Intel only */
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return errmsg_set(err, -errno, "KVM_CREATE_IRQCHIP: %s", err_str(-errno));
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return errmsg_set(err, -errno, "KVM_CREATE_PIT2: %s", err_str(-errno));
	r = routes_init(vm);
	if (r < 0)
		return errmsg_set(err, r, "KVM_SET_GSI_ROUTING: %s", err_str(r));
	r = guest_mem_alloc(&vm->mem, cfg->mem_bytes);
	if (r < 0)
		return errmsg_set(err, r, "cannot reserve %llu MiB of guest RAM: %s",
				  (unsigned long long)(cfg->mem_bytes >> 20), err_str(r));
	r = add_slot(vm, 0, 0, vm->mem.lo, vm->mem.lo_size);
	if (r == 0 && vm->mem.hi)
		r = add_slot(vm, 1, MEM_HOLE_END, vm->mem.hi, vm->mem.hi_size);
	if (r < 0)
		return errmsg_set(err, r, "KVM_SET_USER_MEMORY_REGION: %s", err_str(r));
	return get_cpuid(vm, err);
}

static void on_stop(struct ev_handler *h, uint32_t events)
{
	struct vm *vm = container_of(h, struct vm, stop_h);
	uint64_t v;

	(void)events;
	if (read(h->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("vm: stop eventfd: %s", err_str(-errno));
	evloop_quit(&vm->loop, atomic_load(&vm->exit_code));
}

/* The host asks us to stop (init powering off, Ctrl-C): a VMM-side stop. */
/* How long a guest asked to shut down (SIGTERM) may take: init waits 10 s. */
#define GUEST_STOP_GRACE_S 8

static void on_guest_stop_timeout(struct ev_timer *t)
{
	struct vm *vm = container_of(t, struct vm, guest_stop_timer);

	log_warn("the guest did not power off within %d s; stopping it",
		 GUEST_STOP_GRACE_S);
	vm_request_stop(vm, VMM_EXIT_ERROR);
}

/*
 * SIGTERM (init or the menu stopping VMs) first asks the guest, as the
 * power button would, and stops it when it has not powered off in time;
 * a second SIGTERM, SIGINT, SIGHUP, or a guest without an ACPI button
 * driver stop it at once.
 */
static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct vm *vm = container_of(h, struct vm, signal_h);
	struct signalfd_siginfo si;

	(void)events;
	if (read(h->fd, &si, sizeof(si)) != sizeof(si))
		return;
	vm->stop_signal = (int)si.ssi_signo;
	if (si.ssi_signo == SIGTERM && !vm->guest_asked && vm->pm &&
	    pm_power_button(vm->pm) &&
	    evloop_timer_start(&vm->loop, &vm->guest_stop_timer,
			       GUEST_STOP_GRACE_S * 1000000000ull, 0,
			       on_guest_stop_timeout) == 0) {
		vm->guest_asked = true;
		log_info("asked the guest to power off (ACPI power button)");
		return;
	}
	vm_request_stop(vm, VMM_EXIT_ERROR);
}

static int plug_devices(struct vm *vm, const struct vmm_config *cfg,
			struct errmsg *err)
{
	int r = serial_init(vm, cfg->serial_in, cfg->serial_out);
	if (r == 0)
		r = i8042_init(vm);
	if (r == 0)
		r = rtc_init(vm);
	if (r == 0)
		r = pm_init(vm);
	if (r == 0)
		r = pci_init(vm);
	if (r < 0)
		return errmsg_set(err, r, "cannot set up the legacy devices: %s", err_str(r));
	for (unsigned i = 0; i < cfg->ndisks; i++) {
		r = virtio_blk_create(vm, cfg->disks[i], err);
		if (r < 0)
			return r;
	}
	if (cfg->tap_fd >= 0) {
		r = virtio_net_create(vm, cfg->tap_fd, err);
		if (r < 0)
			return r;
	}
	if ((r = display_init(vm, cfg, err)) < 0)
		return r;
	/* A screen comes with an absolute pointer (PS/2 is always there). */
	if (cfg->display != VMM_DISPLAY_NONE &&
	    (r = virtio_input_create(vm, err)) < 0)
		return r;
	vm->menu_hotkey = cfg->menu_hotkey;
	return virtio_rng_create(vm, err);
}

static void stop_vcpus(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ncpus; i++)
		if (vm->vcpus[i].started)
			vcpu_kick(&vm->vcpus[i]);
	for (unsigned i = 0; i < vm->ncpus; i++)
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
}

static int build_and_run(struct vm *vm, const struct vmm_config *cfg,
			 struct errmsg *err)
{
	struct boot_entry entry;
	int r;

	if ((r = open_kvm(vm, err)) < 0 || (r = create_vm(vm, cfg, err)) < 0)
		return r;
	if ((r = evloop_init(&vm->loop)) < 0)
		return errmsg_set(err, r, "epoll: %s", err_str(r));
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->stop_h.fd = vm->stop_fd;
	vm->stop_h.fn = on_stop;
	if (vm->stop_fd < 0 || (r = evloop_add(&vm->loop, &vm->stop_h, EPOLLIN)) < 0)
		return errmsg_set(err, -errno, "eventfd: %s", err_str(-errno));
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	vm->signal_h.fn = on_signal;
	if ((r = evloop_signals(&vm->loop, &vm->signal_h, sigs, ARRAY_SIZE(sigs))) < 0)
		return errmsg_set(err, r, "signalfd: %s", err_str(r));
	if ((r = plug_devices(vm, cfg, err)) < 0)
		return r;
	if ((r = boot_load(vm, cfg, &entry, err)) < 0)
		return r;
	vm->ncpus = cfg->cpus;
	acpi_build(vm);
	for (unsigned i = 0; i < vm->ncpus; i++)
		if ((r = vcpu_create(vm, i, err)) < 0)
			return r;
	if ((r = vcpu_set_boot_regs(&vm->vcpus[0], &entry)) < 0)
		return errmsg_set(err, r, "cannot set the boot CPU's registers: %s", err_str(r));
	vm->seccomp = cfg->seccomp;
	for (unsigned i = 0; i < vm->ncpus; i++)
		if ((r = vcpu_start(&vm->vcpus[i])) < 0) {
			vm_request_stop(vm, VMM_EXIT_ERROR);
			errmsg_set(err, r, "cannot start vCPU %u: %s", i, err_str(r));
			break;
		}
	if (r == 0 && cfg->seccomp &&
	    (r = seccomp_install(vm->display ? SECCOMP_IO_DISPLAY : SECCOMP_IO)) < 0) {
		vm_request_stop(vm, VMM_EXIT_ERROR);
		errmsg_set(err, r, "cannot install the seccomp filter: %s", err_str(r));
	}
	if (cfg->seccomp_test) /* proves the sandbox: this must kill the VMM */
		close(open("/etc/hostname", O_RDONLY | O_CLOEXEC));
	int code = evloop_run(&vm->loop);
	stop_vcpus(vm);
	if (r < 0)
		return r;
	if (code == VMM_EXIT_ERROR && vm->stop_signal)
		return errmsg_set(err, -EINTR, "stopped by %s", strsignal(vm->stop_signal));
	if (code == VMM_EXIT_ERROR)
		return errmsg_set(err, -EIO, "the virtual machine stopped on an error (see above)");
	return code;
}

int vmm_run(const struct vmm_config *cfg, struct errmsg *err)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int r;

	if (!vm)
		return errmsg_set(err, -ENOMEM, "out of memory");
	vm->kvm_fd = vm->vm_fd = vm->stop_fd = -1;
	atomic_init(&vm->exit_code, -1);
	if (cfg->cpus < 1 || cfg->cpus > VMM_MAX_CPUS)
		r = errmsg_set(err, -EINVAL, "--cpus must be 1..%d", VMM_MAX_CPUS);
	else
		r = build_and_run(vm, cfg, err);
	/* The process exits next; the kernel reclaims fds and RAM at once. */
	for (unsigned i = 0; i < cfg->ndisks; i++)
		if (cfg->disks[i]->ops->flush)
			cfg->disks[i]->ops->flush(cfg->disks[i]);
	return r;
}
