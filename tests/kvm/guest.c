/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A tiny test guest for the VMM's host-level tests: a freestanding 32-bit
 * program entered through its PVH note (protected mode, no paging). The
 * first word of the command line picks the test; results go to COM1.
 *   uart      print a line, then power off through the ACPI PM1a port
 *   reset     reset through the i8042 (exit 3)
 *   panic     write the pvpanic port (exit 4)
 *   triple    triple-fault (exit 3)
 *   blk       read sector 0 of the first virtio-blk disk, print it, write
 *             sector 1, flush, print the statuses, power off
 *   rng       read 16 bytes from virtio-rng, print them
 *   net       send one Ethernet frame through virtio-net
 *   hang      stop forever (the VMM must be killed)
 *   button    enable the ACPI power button, wait for it, then power off
 *   exit      power off at once, without output (start-up benchmark)
 */
#include <stdint.h>

__asm__(".pushsection .note.pvh, \"a\", @note\n"
	".balign 4\n.long 4\n.long 4\n.long 18\n.asciz \"Xen\"\n"
	".balign 4\n.long _start\n.popsection\n"
	".text\n.globl _start\n_start:\n"
	"  mov $0x90000, %esp\n  push %ebx\n  call guest_main\n"
	"1: hlt\n  jmp 1b\n");

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
#define MMIO8(a) (*(volatile uint8_t *)(uintptr_t)(a))
#define MMIO16(a) (*(volatile uint16_t *)(uintptr_t)(a))
#define MMIO32(a) (*(volatile uint32_t *)(uintptr_t)(a))

static void putc_(char c)
{
	while (!(inb(0x3fd) & 0x20))
		;
	outb(0x3f8, (uint8_t)c);
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(const uint8_t *p, int n)
{
	static const char d[] = "0123456789abcdef";
	for (int i = 0; i < n; i++) { putc_(d[p[i] >> 4]); putc_(d[p[i] & 15]); }
}
static int streq(const char *a, const char *b)
{
	while (*a && *a != ' ' && *a == *b) { a++; b++; }
	return (*a == 0 || *a == ' ') && *b == 0;
}
static void poweroff(void) { outw(0x604, 5 << 10 | 1 << 13); }

/* ---- PCI and virtio (modern transport; polling, no interrupts) ---- */
static uint32_t cfg_read(unsigned slot, unsigned off)
{
	outl(0xcf8, 0x80000000u | slot << 11 | (off & 0xfc));
	return inl(0xcfc);
}
static void cfg_write(unsigned slot, unsigned off, uint32_t v)
{
	outl(0xcf8, 0x80000000u | slot << 11 | (off & 0xfc));
	outl(0xcfc, v);
}
static uint32_t find(uint16_t device)
{
	for (unsigned s = 0; s < 16; s++)
		if (cfg_read(s, 0) == (0x1af4u | (uint32_t)device << 16)) {
			cfg_write(s, 4, 0x6); /* memory + bus master */
			return cfg_read(s, 0x10) & ~0xfu;
		}
	return 0;
}

struct vq { uint8_t *desc, *avail, *used; uint16_t idx, used_seen; uint32_t bar; unsigned q; };
#define RINGS 0x200000u

static void vq_setup(struct vq *v, uint32_t bar, unsigned q)
{
	v->bar = bar; v->q = q;
	v->desc = (uint8_t *)(uintptr_t)(RINGS + q * 0x4000);
	v->avail = v->desc + 0x1000;
	v->used = v->desc + 0x2000;
	for (int i = 0; i < 0x3000; i++) v->desc[i] = 0;
	v->idx = v->used_seen = 0;
	MMIO16(bar + 22) = (uint16_t)q;
	MMIO16(bar + 24) = 8;
	MMIO32(bar + 32) = (uint32_t)(uintptr_t)v->desc; MMIO32(bar + 36) = 0;
	MMIO32(bar + 40) = (uint32_t)(uintptr_t)v->avail; MMIO32(bar + 44) = 0;
	MMIO32(bar + 48) = (uint32_t)(uintptr_t)v->used; MMIO32(bar + 52) = 0;
	MMIO16(bar + 28) = 1;
}
static int dev_init(uint32_t bar)
{
	MMIO8(bar + 20) = 0;
	MMIO8(bar + 20) = 1 | 2;
	MMIO32(bar + 8) = 1; MMIO32(bar + 12) = 1; /* VIRTIO_F_VERSION_1 */
	MMIO8(bar + 20) = 1 | 2 | 8;
	return MMIO8(bar + 20) & 8;
}
static void set_desc(struct vq *v, int i, uint32_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = v->desc + 16 * i;
	*(uint32_t *)d = addr; *(uint32_t *)(d + 4) = 0;
	*(uint32_t *)(d + 8) = len; *(uint16_t *)(d + 12) = flags; *(uint16_t *)(d + 14) = next;
}
static uint32_t submit(struct vq *v, uint16_t head)
{
	uint16_t *avail = (uint16_t *)v->avail;
	avail[2 + (v->idx % 8)] = head;
	__asm__ volatile("" ::: "memory");
	avail[1] = ++v->idx;
	MMIO16(v->bar + 0x3000 + 4 * v->q) = (uint16_t)v->q;
	for (uint32_t spin = 0; spin < 1000000; spin++) {
		volatile uint16_t *used = (volatile uint16_t *)v->used;
		if (used[1] != v->used_seen) {
			uint32_t len = *(volatile uint32_t *)(v->used + 4 + 8 * (v->used_seen % 8) + 4);
			v->used_seen++;
			return len;
		}
	}
	puts_("timeout\n");
	return 0xffffffffu;
}

static void test_blk(void)
{
	uint32_t bar = find(0x1042);
	struct vq v;
	uint8_t *hdr = (uint8_t *)0x300000, *data = (uint8_t *)0x301000, *st = (uint8_t *)0x302000;

	if (!bar || !dev_init(bar)) { puts_("no blk\n"); return; }
	vq_setup(&v, bar, 0);
	MMIO8(bar + 20) = 1 | 2 | 4 | 8;
	puts_("capacity ");
	puthex((uint8_t *)(uintptr_t)(bar + 0x2000), 4); /* little-endian sectors */
	putc_('\n');
	/* read sector 0 */
	for (int i = 0; i < 16; i++) hdr[i] = 0;
	*st = 0xff;
	set_desc(&v, 0, 0x300000, 16, 1, 1);
	set_desc(&v, 1, 0x301000, 512, 1 | 2, 2);
	set_desc(&v, 2, 0x302000, 1, 2, 0);
	uint32_t n = submit(&v, 0);
	puts_("read status "); puthex(st, 1); puts_(" len "); puthex((uint8_t *)&n, 2);
	puts_(" data "); puthex(data, 16); putc_('\n');
	/* write sector 1 */
	const char *msg = "written-by-guest";
	for (int i = 0; i < 512; i++) data[i] = i < 16 ? (uint8_t)msg[i] : 0;
	hdr[0] = 1; hdr[8] = 1;
	*st = 0xff;
	set_desc(&v, 1, 0x301000, 512, 1, 2);
	submit(&v, 0);
	puts_("write status "); puthex(st, 1); putc_('\n');
	/* flush */
	hdr[0] = 4; hdr[8] = 0;
	*st = 0xff;
	set_desc(&v, 0, 0x300000, 16, 1, 2);
	submit(&v, 0);
	puts_("flush status "); puthex(st, 1); putc_('\n');
	/* a chain that loops: the VMM must refuse it without harm */
	set_desc(&v, 0, 0x300000, 16, 1, 1);
	set_desc(&v, 1, 0x301000, 512, 1, 0);
	*(uint16_t *)(v.desc + 16 + 12) = 1;
	*(uint16_t *)(v.desc + 16 + 14) = 0;
	submit(&v, 0);
	puts_("loop survived\n");
}

static void test_rng(void)
{
	uint32_t bar = find(0x1044);
	struct vq v;
	uint8_t *buf = (uint8_t *)0x301000;

	if (!bar || !dev_init(bar)) { puts_("no rng\n"); return; }
	vq_setup(&v, bar, 0);
	MMIO8(bar + 20) = 1 | 2 | 4 | 8;
	for (int i = 0; i < 16; i++) buf[i] = 0;
	set_desc(&v, 0, 0x301000, 16, 2, 0);
	uint32_t n = submit(&v, 0);
	puts_("rng "); puthex((uint8_t *)&n, 1); putc_(' '); puthex(buf, 16); putc_('\n');
}

static void test_net(void)
{
	uint32_t bar = find(0x1041);
	struct vq v;
	uint8_t *f = (uint8_t *)0x301000;
	const char *payload = "kvmbox-net-test";

	if (!bar || !dev_init(bar)) { puts_("no net\n"); return; }
	vq_setup(&v, bar, 1);
	MMIO8(bar + 20) = 1 | 2 | 4 | 8;
	for (int i = 0; i < 12 + 64; i++) f[i] = 0;
	uint8_t *eth = f + 12;
	for (int i = 0; i < 6; i++) { eth[i] = 0xff; eth[6 + i] = (uint8_t)(0x02 + i); }
	eth[12] = 0x88; eth[13] = 0xb5;
	for (int i = 0; payload[i]; i++) eth[14 + i] = (uint8_t)payload[i];
	set_desc(&v, 0, 0x301000, 12 + 60, 0, 0);
	submit(&v, 0);
	puts_("net sent\n");
}

void guest_main(const uint8_t *start_info);
void guest_main(const uint8_t *start_info)
{
	const char *cmd = (const char *)(uintptr_t)*(const uint32_t *)(start_info + 24);

	if (!cmd) cmd = "uart";
	if (streq(cmd, "exit")) { /* benchmarks: stop at once (QEMU's isa-debug-exit too) */
		outb(0x501, 0);
		poweroff();
	}
	puts_("guest: hello from the test guest\n");
	if (streq(cmd, "reset")) {
		outb(0x64, 0xfe);
	} else if (streq(cmd, "panic")) {
		outb(0x505, 1);
	} else if (streq(cmd, "triple")) {
		static const uint16_t idt[3] = { 0, 0, 0 };
		__asm__ volatile("lidt %0\n int $3" :: "m"(idt));
	} else if (streq(cmd, "blk")) {
		test_blk();
	} else if (streq(cmd, "rng")) {
		test_rng();
	} else if (streq(cmd, "net")) {
		test_net();
	} else if (streq(cmd, "button")) {
		outw(0x602, 1 << 8); /* PM1 enable: PWRBTN_EN */
		puts_("guest: waiting for the power button\n");
		while (!(inw(0x600) & (1 << 8)))
			__asm__ volatile("pause");
		outw(0x600, 1 << 8); /* write 1 to clear PWRBTN_STS */
		puts_(inw(0x600) & (1 << 8) ? "guest: status not cleared\n"
					    : "guest: power button pressed\n");
	} else if (streq(cmd, "hang")) {
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	puts_("guest: done\n");
	poweroff();
	for (;;) __asm__ volatile("hlt");
}
