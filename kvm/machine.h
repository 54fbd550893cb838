/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm/ internals shared by the VMM's own files (not a contract: other
 * subsystems use kvm/vmm.h only). The guest memory map:
 *
 *   0x0000_0000  RAM (boot structures below 1 MiB, ACPI at 0xE0000)
 *   0x0010_0000  RAM: kernel, then initrd near the top
 *   0xC000_0000  PCI MMIO window (BARs), IOAPIC 0xFEC0_0000, LAPIC 0xFEE0_0000
 *   0x1_0000_0000 RAM above the 32-bit hole when --mem exceeds 3 GiB
 */
#ifndef KVMBOX_KVM_MACHINE_H
#define KVMBOX_KVM_MACHINE_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/core.h"
#include "kvm/vmm.h"

#define MEM_HOLE_START 0xC0000000ULL
#define MEM_HOLE_END 0x100000000ULL
#define PCI_MMIO_START 0xC0000000ULL
#define PCI_MMIO_END 0xFEC00000ULL
#define IOAPIC_ADDR 0xFEC00000ULL
#define LAPIC_ADDR 0xFEE00000ULL

/* Fixed low-memory places of the boot structures. */
#define BOOT_GDT_ADDR 0x500
#define BOOT_PVH_INFO_ADDR 0x6000
#define BOOT_ZERO_PAGE_ADDR 0x7000
#define BOOT_PML4_ADDR 0x9000
#define BOOT_CMDLINE_ADDR 0x20000
#define BOOT_CMDLINE_MAX 0x10000
#define EBDA_START 0x9FC00
#define ACPI_TABLES_ADDR 0xE0000
#define ACPI_TABLES_END 0x100000
#define KERNEL_LOAD_ADDR 0x100000

/* ---- guest memory (memory.c) ------------------------------------------- */

/* Two slots split around the 32-bit PCI hole. */
struct guest_mem {
	uint8_t *lo;
	uint64_t lo_size; /* guest-physical 0 .. lo_size */
	uint8_t *hi;
	uint64_t hi_size; /* guest-physical 4 GiB .. 4 GiB + hi_size */
};

int guest_mem_alloc(struct guest_mem *m, uint64_t bytes);
void guest_mem_free(struct guest_mem *m);
/*
 * Host pointer to guest-physical [gpa, gpa+len) or NULL when any byte of
 * it lies outside RAM (or the range straddles the hole). Every address a
 * guest hands us goes through here.
 */
void *gmem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);
uint64_t guest_mem_total(const struct guest_mem *m);

/* ---- port and MMIO dispatch (bus.c) --------------------------------------- */

struct io_region {
	uint64_t base, len;
	void *opaque;
	/* @data is little-endian, @size 1, 2, 4 or 8 bytes; reads preset 0xff */
	void (*read)(void *opaque, uint64_t off, uint8_t *data, unsigned size);
	void (*write)(void *opaque, uint64_t off, const uint8_t *data,
		      unsigned size);
};

#define BUS_MAX_REGIONS 24
struct bus {
	struct io_region r[BUS_MAX_REGIONS];
	unsigned n;
};

int bus_add(struct bus *b, const struct io_region *r);
/* False when nothing is there (reads then see all ones). */
bool bus_access(const struct bus *b, uint64_t addr, uint8_t *data,
		unsigned size, bool write);

/* ---- the machine (machine.c) ---------------------------------------------- */

struct vm;
struct vcpu {
	struct vm *vm;
	unsigned index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
};

struct pci_bus;
struct serial;
struct pm;

struct vm {
	int kvm_fd, vm_fd;
	size_t run_size;
	struct guest_mem mem;
	struct bus pio, mmio;
	struct vcpu vcpus[VMM_MAX_CPUS];
	unsigned ncpus;
	struct kvm_cpuid2 *cpuid;
	struct evloop loop;	/* the device I/O thread (the caller's) */
	int stop_fd;		/* eventfd: a vCPU asks the loop to stop */
	struct ev_handler stop_h;
	struct ev_handler signal_h; /* SIGTERM/SIGINT/SIGHUP from the host */
	int stop_signal;
	struct pm *pm;
	struct ev_timer guest_stop_timer; /* SIGTERM: the guest's time to power off */
	bool guest_asked;	/* the power button was pressed for SIGTERM */
	atomic_int exit_code;	/* first vmm_exit set wins (-1 while running) */
	pthread_mutex_t route_lock;
	struct kvm_irq_routing *routes;
	unsigned next_gsi;
	struct pci_bus *pci;
	struct serial *serial;
	bool seccomp;		/* each vCPU thread sandboxes itself */
	bool tsc_deadline;	/* the in-kernel LAPIC has the TSC-deadline timer */
	size_t ring_offset;	/* coalesced writes' ring in a vCPU mapping, 0: none */
	uint32_t ring_max;
	struct kvm_coalesced_mmio_ring *ring;
	pthread_mutex_t ring_lock; /* one replay at a time */
	struct display *display; /* NULL without --display */
	struct i8042 *i8042;	/* PS/2 keyboard and mouse */
	struct virtio_input *tablet; /* NULL without a display */
	struct input_host *input_host; /* host keyboards/pointers forwarded */
	bool menu_hotkey;	/* Ctrl+Alt+F12 ends the VMM with VMM_EXIT_MENU */
};

/* Asks every thread to stop with @code (the first caller's code wins). */
void vm_request_stop(struct vm *vm, enum vmm_exit code);
/* Raises/lowers an ISA or IOAPIC interrupt line. */
void vm_set_irq(struct vm *vm, unsigned gsi, bool level);

/* MSI routes: a GSI that irqfd can trigger, re-pointed as the guest programs it. */
int vm_msi_route_alloc(struct vm *vm, unsigned *gsi);
int vm_msi_route_set(struct vm *vm, unsigned gsi, uint64_t addr, uint32_t data);

/* ---- coalesced port writes (coalesced.c) -------------------------------- */

void coalesced_probe(struct vm *vm);
int coalesced_pio_add(struct vm *vm, uint16_t port, uint32_t len);
void coalesced_attach(struct vm *vm, struct kvm_run *run);
void coalesced_flush(struct vm *vm);

/* ---- vCPUs (vcpu.c) ----------------------------------------------------- */

int vcpu_create(struct vm *vm, unsigned index, struct errmsg *err);
int vcpu_start(struct vcpu *c);
void vcpu_kick(struct vcpu *c);

/* Where the boot loader asks the first vCPU to start. */
struct boot_entry {
	bool long_mode;	  /* 64-bit boot protocol: RSI = zero page */
	uint64_t rip;
	uint64_t rsi, rbx;
};
int vcpu_set_boot_regs(struct vcpu *c, const struct boot_entry *e);

/* ---- boot (boot_linux.c, boot_pvh.c, acpi.c) ------------------------------- */

struct e820_range {
	uint64_t addr, size;
	uint32_t type;
};
/* Fills @r (at most @max) with the guest's memory map; returns the count. */
unsigned boot_e820(const struct guest_mem *m, struct e820_range *r,
		   unsigned max);
/* Loads kernel + initrd + cmdline into guest RAM; fills @entry. */
int boot_load(struct vm *vm, const struct vmm_config *cfg,
	      struct boot_entry *entry, struct errmsg *err);
/* The same from a kernel image in memory (@img, @len: untrusted). */
int boot_load_image(struct vm *vm, const struct vmm_config *cfg,
		    const uint8_t *img, size_t len, struct boot_entry *entry,
		    struct errmsg *err);
int boot_linux_load(struct vm *vm, const uint8_t *img, size_t len,
		    const struct vmm_config *cfg, struct boot_entry *entry,
		    struct errmsg *err);
int boot_pvh_load(struct vm *vm, const uint8_t *img, size_t len,
		  const struct vmm_config *cfg, struct boot_entry *entry,
		  struct errmsg *err);
/*
 * Copies @len bytes of a boot file into guest RAM that nothing has written
 * yet. Fresh anonymous memory already reads as zero, so 4 KiB blocks of
 * zeros are skipped: Debian's vmlinux carries its 21 MiB of .bss and
 * scratch space as zeros in the file, and every page not written is a page
 * the host never has to fault in, zero and back.
 */
void boot_copy_fresh(uint8_t *dst, const uint8_t *src, size_t len);
/* Places the initrd below @limit; returns its address via @addr. */
int boot_place_initrd(struct vm *vm, const char *path, uint64_t limit,
		      uint64_t kernel_end, uint64_t *addr, uint64_t *size,
		      struct errmsg *err);
/* Writes RSDP/XSDT/FADT/MADT/DSDT at ACPI_TABLES_ADDR; returns RSDP's address. */
uint64_t acpi_build(struct vm *vm);

/* ---- legacy devices ----------------------------------------------------- */

int serial_init(struct vm *vm, int in_fd, int out_fd);
int i8042_init(struct vm *vm);
int rtc_init(struct vm *vm);
int pm_init(struct vm *vm); /* ACPI PM1 ports, reset register, pvpanic */
/*
 * Presses the ACPI power button (a request to shut down, as a person would
 * press it); false when the guest has no ACPI button driver listening.
 */
bool pm_power_button(struct pm *pm);

#define PM1A_EVT_PORT 0x600
#define PM1A_CNT_PORT 0x604
#define ACPI_RESET_PORT 0x608
#define ACPI_RESET_VALUE 0x0F
#define PVPANIC_PORT 0x505
#define ACPI_SCI_IRQ 9
#define ACPI_S5_TYPE 5

/* ---- display (display*.c, qxl*.c) ---------------------------------------- */

struct display;
/*
 * The boot framebuffer the VMM hands the kernel in screen_info: XRGB8888
 * at guest-physical @addr (the QXL VRAM BAR), valid when width != 0.
 */
struct display_boot_fb {
	uint64_t addr, size;
	unsigned width, height, stride;
};
/*
 * Opens the output (screen or memory), plugs the QXL device and, with
 * --control, the control socket. No-op with VMM_DISPLAY_NONE.
 */
int display_init(struct vm *vm, const struct vmm_config *cfg, struct errmsg *err);
/* Where the boot framebuffer is (false when there is no display). */
bool display_boot_fb(const struct vm *vm, struct display_boot_fb *fb);
/* KVM memory slots of the display device's BARs (slots 0-1 are RAM). */
#define DISPLAY_SLOT_FIRST 8

/* ---- keyboard and pointer (i8042.c, virtio_input.c, input_host.c) ------- */

/*
 * Input for the guest, called on the I/O thread. A key goes to the PS/2
 * keyboard as scancodes in the set the guest chose; a pointer position
 * (@x, @y within a @width x @height screen; @buttons bit 0 left, 1 right,
 * 2 middle) goes to the virtio tablet once its driver runs, else to the
 * PS/2 mouse as relative motion.
 */
void vm_input_key(struct vm *vm, unsigned linux_keycode, bool down);
void vm_input_pointer(struct vm *vm, unsigned x, unsigned y, unsigned width,
		      unsigned height, unsigned buttons);
/*
 * Grabs the host's keyboards and pointers (/dev/input, hot-plugged) and
 * forwards them; relative mice move within @screen_w x @screen_h.
 */
int input_host_start(struct vm *vm, unsigned screen_w, unsigned screen_h,
		     struct errmsg *err);
/* Wheel clicks (> 0: up, away from the user), to the tablet or PS/2 mouse. */
void vm_input_wheel(struct vm *vm, int clicks, unsigned buttons);

struct i8042;
bool i8042_mouse_ready(struct i8042 *c);
/* An absolute pointer position sent as relative PS/2 motion. */
void i8042_pointer(struct i8042 *c, unsigned x, unsigned y, int wheel,
		   unsigned buttons);
/* Wheel clicks at the last position. */
void i8042_wheel(struct i8042 *c, int wheel, unsigned buttons);

#define TABLET_ABS_MAX 32767	/* the virtio tablet's axis range: 0..this */

/* ---- sandbox (seccomp.c) ------------------------------------------------- */

enum seccomp_role { SECCOMP_VCPU, SECCOMP_IO,
		    SECCOMP_IO_DISPLAY /* + screen ioctls, screenshots, the control socket */ };
int seccomp_install(enum seccomp_role role);

#endif
