/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A tiny test guest for the VMM's i8042 (freestanding 32-bit, PVH entry,
 * polling only). It programs the controller as a BIOS or Linux would and
 * prints each answer on COM1 ("selftest 55", "kbd-id fa ab 83", ...), then
 * reads injected input in three rounds, one line per byte received:
 *   "ready set2"       raw set 2 (translation off)    until Esc's break
 *   "ready set1"       raw set 1 (keyboard set 1)     until Esc's break
 *   "ready xlat"       set 2 translated to set 1      until Esc's break
 *   "ready mouse"      3-byte packets "pkt 09 05 fe"  until the middle button
 * and powers off. An unanswered read prints "timeout" and powers off.
 * With the command line "echo" (bench/bench_kvm_input.sh) it only prints
 * "ready echo" and then every byte it reads, as the controller left it.
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
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }

static void putc_(char c)
{
	while (!(inb(0x3fd) & 0x20))
		;
	outb(0x3f8, (uint8_t)c);
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(uint8_t b)
{
	static const char d[] = "0123456789abcdef";
	putc_(' '); putc_(d[b >> 4]); putc_(d[b & 15]);
}
static void poweroff(void) { outw(0x604, 5 << 10 | 1 << 13); for (;;) ; }

/* Waits for the output buffer; -1 after ~1e6 polls (ordinary replies are immediate). */
static int read_byte(unsigned long polls, int *aux)
{
	for (unsigned long i = 0; i < polls; i++) {
		uint8_t s = inb(0x64);
		if (s & 1) {
			if (aux)
				*aux = !!(s & 0x20);
			return inb(0x60);
		}
	}
	return -1;
}
static uint8_t must_read(void)
{
	int b = read_byte(100000, 0);
	if (b < 0) { puts_("timeout\n"); poweroff(); }
	return (uint8_t)b;
}
static void cmd(uint8_t c) { outb(0x64, c); }
static void data(uint8_t d) { outb(0x60, d); }
/* Sends @c to the controller and prints @n reply bytes after @what. */
static void show(const char *what, int n)
{
	puts_(what);
	while (n--)
		puthex(must_read());
	putc_('\n');
}
static void mouse(uint8_t b) { cmd(0xd4); data(b); }

/* Prints every byte until Esc's break code @esc_break arrives. */
static void echo_keys(const char *round, const uint8_t *esc_break, int n)
{
	int matched = 0;
	puts_("ready "); puts_(round); putc_('\n');
	for (;;) {
		int b = read_byte(~0ul, 0);
		puts_("key"); puthex((uint8_t)b); putc_('\n');
		matched = b == esc_break[matched] ? matched + 1 : b == esc_break[0];
		if (matched == n)
			return;
	}
}

void guest_main(const uint8_t *start_info);
void guest_main(const uint8_t *start_info)
{
	const char *cmdline = (const char *)(uintptr_t)*(const uint32_t *)(start_info + 24);

	if (cmdline && cmdline[0] == 'e' && cmdline[1] == 'c' && cmdline[2] == 'h' &&
	    cmdline[3] == 'o') {
		while (read_byte(1000, 0) >= 0)
			; /* whatever the firmware left */
		puts_("ready echo\n");
		for (;;) {
			int b = read_byte(~0ul, 0);
			puts_("key"); puthex((uint8_t)b); putc_('\n');
		}
	}
	puts_("guest: i8042 test\n");
	cmd(0xaa); show("selftest", 1);
	cmd(0x20); show("ctr", 1);
	cmd(0xab); show("kbd-test", 1);
	cmd(0xa9); show("aux-test", 1);
	cmd(0xd3); data(0x5a);
	int aux = 0, b = read_byte(100000, &aux);
	puts_("aux-loop"); puthex((uint8_t)b); puthex((uint8_t)aux); putc_('\n');
	data(0xff); show("kbd-reset", 2);
	data(0xf2); show("kbd-id", 3);		/* translated: ab 41 */
	data(0xee); show("kbd-echo", 1);
	data(0xed); show("kbd-leds", 1); data(0x07); show("kbd-leds-arg", 1);
	data(0xf3); show("kbd-typematic", 1); data(0x20); show("kbd-typematic-arg", 1);
	data(0x42); show("kbd-bad", 1);

	cmd(0x60); data(0x05); /* translation off, keyboard IRQ on, aux off */
	cmd(0x20); show("ctr-now", 1);
	data(0xf0); show("set-2", 1); data(0x02); show("set-2-arg", 1);
	data(0xf0); show("get-set", 1); data(0x00); show("get-set-arg", 2);
	data(0xf0); show("set-3", 1); data(0x03); show("set-3-arg", 1);
	static const uint8_t esc2[] = { 0xf0, 0x76 }, esc1[] = { 0x81 };
	echo_keys("set2", esc2, 2);
	data(0xf0); show("set-1", 1); data(0x01); show("set-1-arg", 1);
	echo_keys("set1", esc1, 1);
	data(0xf0); show("set-2-again", 1); data(0x02); show("set-2-again-arg", 1);
	cmd(0x60); data(0x45); /* translation on */
	echo_keys("xlat", esc1, 1);

	cmd(0xa8); /* aux port on */
	mouse(0xff); show("mouse-reset", 3);
	mouse(0xf2); show("mouse-id", 2);
	mouse(0xf3); show("rate", 1); mouse(200); show("rate-arg", 1);
	mouse(0xf3); show("rate", 1); mouse(100); show("rate-arg", 1);
	mouse(0xf3); show("rate", 1); mouse(80); show("rate-arg", 1);
	mouse(0xf2); show("mouse-id-wheel", 2);
	mouse(0xff); show("mouse-reset-again", 3);
	mouse(0xe9); show("mouse-status", 4);
	mouse(0xf4); show("mouse-enable", 1);
	puts_("ready mouse\n");
	for (;;) {
		uint8_t p[3];
		for (int i = 0; i < 3; i++) {
			int a = 0, v = read_byte(~0ul, &a);
			p[i] = (uint8_t)v;
			if (!a) { puts_("mouse byte not from aux\n"); poweroff(); }
		}
		puts_("pkt"); puthex(p[0]); puthex(p[1]); puthex(p[2]); putc_('\n');
		if (p[0] & 4)
			break;
	}
	puts_("guest: done\n");
	poweroff();
}
