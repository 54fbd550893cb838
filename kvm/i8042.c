/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The i8042 PS/2 controller: data port 0x60, status/command port 0x64, a
 * keyboard (IRQ 1) and a mouse on the aux port (IRQ 12). The controller
 * commands a BIOS or Linux's i8042 driver uses (command byte, self-tests,
 * port enable/disable, aux write and loop-back, output port with reset and
 * A20, pulse reset), and the set-2 -> set-1 translation of command-byte
 * bit 6. Also port 0x92's fast reset bit.
 *
 * Guest accesses arrive on vCPU threads, injected keys and moves on the
 * I/O thread: one mutex covers the whole device. The output buffer holds
 * one byte; the next one is pulled from the queues as soon as it is read,
 * which lowers and raises the IRQ line again (a new edge per byte).
 */
#include <errno.h>
#include <stdlib.h>

#include "kvm/machine.h"
#include "kvm/ps2.h"

#define I8042_DATA 0x60
#define I8042_STATUS 0x64
#define PORT92 0x92
#define KBD_IRQ 1
#define AUX_IRQ 12

/* Status register */
#define STS_OBF 0x01
#define STS_SYS 0x04
#define STS_CMD 0x08	/* last write went to the command port */
#define STS_UNLOCKED 0x10
#define STS_AUXDATA 0x20

/* Command byte */
#define CTR_KBDINT 0x01
#define CTR_AUXINT 0x02
#define CTR_SYS 0x04
#define CTR_KBDDIS 0x10
#define CTR_AUXDIS 0x20
#define CTR_XLATE 0x40

#define CTL_QUEUE 8

struct i8042 {
	struct vm *vm;
	pthread_mutex_t lock;
	struct ps2_kbd kbd;
	struct ps2_mouse mouse;
	uint8_t ctr, status, outport;
	uint8_t pending;	/* controller command waiting for its data byte */
	bool obf, obf_aux;	/* the output buffer and where its byte came from */
	uint8_t out;
	struct { uint8_t b; bool aux; } ctl[CTL_QUEUE]; /* controller replies */
	unsigned nctl;
	bool kbd_irq, aux_irq;	/* line levels as last set */
	bool xlat_break;
	uint8_t xlat[256];
	unsigned px, py;	/* last absolute pointer, for relative packets */
	bool placed;
};

static void ctl_reply(struct i8042 *c, uint8_t b, bool aux)
{
	if (c->nctl < CTL_QUEUE)
		c->ctl[c->nctl++] = (typeof(c->ctl[0])){ b, aux };
}

static bool ctl_pull(struct i8042 *c)
{
	if (!c->nctl)
		return false;
	c->out = c->ctl[0].b;
	c->obf_aux = c->ctl[0].aux;
	c->nctl--;
	for (unsigned i = 0; i < c->nctl; i++)
		c->ctl[i] = c->ctl[i + 1];
	return true;
}

/* A keyboard byte, translated to set 1 when the command byte asks. */
static bool kbd_pull(struct i8042 *c)
{
	for (;;) {
		int b = ps2_kbd_pull(&c->kbd);
		if (b < 0)
			return false;
		if (c->ctr & CTR_XLATE)
			b = ps2_translate(c->xlat, (uint8_t)b, &c->xlat_break);
		if (b >= 0) {
			c->out = (uint8_t)b;
			c->obf_aux = false;
			return true;
		}
	}
}

static bool aux_pull(struct i8042 *c)
{
	int b = ps2_mouse_pull(&c->mouse);
	if (b < 0)
		return false;
	c->out = (uint8_t)b;
	c->obf_aux = true;
	return true;
}

static void update_irqs(struct i8042 *c)
{
	bool kbd = c->obf && !c->obf_aux && (c->ctr & CTR_KBDINT);
	bool aux = c->obf && c->obf_aux && (c->ctr & CTR_AUXINT);

	if (kbd != c->kbd_irq)
		vm_set_irq(c->vm, KBD_IRQ, c->kbd_irq = kbd);
	if (aux != c->aux_irq)
		vm_set_irq(c->vm, AUX_IRQ, c->aux_irq = aux);
}

/* Fills an empty output buffer from the controller, keyboard, then mouse. */
static void refill(struct i8042 *c)
{
	if (!c->obf)
		c->obf = ctl_pull(c) ||
			 (!(c->ctr & CTR_KBDDIS) && kbd_pull(c)) ||
			 (!(c->ctr & CTR_AUXDIS) && aux_pull(c));
	update_irqs(c);
}

static uint8_t read_data(struct i8042 *c)
{
	uint8_t b = c->out;

	c->obf = false;
	update_irqs(c); /* falling edge, so the next byte raises a new one */
	refill(c);
	return b;
}

static uint8_t read_status(const struct i8042 *c)
{
	uint8_t s = c->status | STS_UNLOCKED;

	if (c->ctr & CTR_SYS)
		s |= STS_SYS;
	if (c->obf)
		s |= STS_OBF | (c->obf_aux ? STS_AUXDATA : 0);
	return s;
}

static void reset_machine(struct i8042 *c)
{
	vm_request_stop(c->vm, VMM_EXIT_REBOOT);
}

/* The data byte of a two-byte controller command. */
static void command_data(struct i8042 *c, uint8_t cmd, uint8_t b)
{
	switch (cmd) {
	case 0x60: c->ctr = b; break;
	case 0xd1: /* output port: bit 0 low holds the CPU in reset */
		c->outport = b;
		if (!(b & 1))
			reset_machine(c);
		break;
	case 0xd2: ctl_reply(c, b, false); break; /* as if from the keyboard */
	case 0xd3: ctl_reply(c, b, true); break;  /* as if from the mouse */
	case 0xd4: ps2_mouse_write(&c->mouse, b); break;
	default: break; /* 0x61..0x7f: controller RAM, not kept */
	}
}

static void command(struct i8042 *c, uint8_t cmd)
{
	switch (cmd) {
	case 0x20: ctl_reply(c, c->ctr, false); break;
	case 0x21 ... 0x3f: ctl_reply(c, 0, false); break; /* controller RAM */
	case 0x60 ... 0x7f: case 0xd1: case 0xd2: case 0xd3: case 0xd4:
		c->pending = cmd;
		break;
	case 0xa1: ctl_reply(c, 0, false); break; /* firmware version */
	case 0xa4: ctl_reply(c, 0xf1, false); break; /* no password */
	case 0xa7: c->ctr |= CTR_AUXDIS; break;
	case 0xa8: c->ctr &= (uint8_t)~CTR_AUXDIS; break;
	case 0xa9: ctl_reply(c, 0x00, false); break; /* aux interface OK */
	case 0xaa: /* self-test passed; also sets the system flag */
		c->ctr |= CTR_SYS;
		ctl_reply(c, 0x55, false);
		break;
	case 0xab: ctl_reply(c, 0x00, false); break; /* keyboard interface OK */
	case 0xad: c->ctr |= CTR_KBDDIS; break;
	case 0xae: c->ctr &= (uint8_t)~CTR_KBDDIS; break;
	case 0xc0: ctl_reply(c, 0x00, false); break; /* input port */
	case 0xd0:
		ctl_reply(c, (uint8_t)((c->outport & 0x03) |
				       (c->obf && !c->obf_aux ? 0x10 : 0) |
				       (c->obf && c->obf_aux ? 0x20 : 0)), false);
		break;
	case 0xdd: c->outport &= (uint8_t)~2; break; /* A20 off */
	case 0xdf: c->outport |= 2; break;	       /* A20 on */
	case 0xe0: ctl_reply(c, 0x00, false); break; /* test inputs */
	case 0xf0 ... 0xff: /* pulse output lines: bit 0 is the reset line */
		if (!(cmd & 1))
			reset_machine(c);
		break;
	default: break;
	}
}

static void i8042_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	struct i8042 *c = opaque;

	(void)size;
	pthread_mutex_lock(&c->lock);
	data[0] = off == 0 ? read_data(c) : off == 4 ? read_status(c) : 0xff;
	pthread_mutex_unlock(&c->lock);
}

static void i8042_write(void *opaque, uint64_t off, const uint8_t *data,
			unsigned size)
{
	struct i8042 *c = opaque;
	uint8_t b = data[0];

	(void)size;
	pthread_mutex_lock(&c->lock);
	if (off == 4) {
		c->status |= STS_CMD;
		c->pending = 0;
		command(c, b);
	} else if (off == 0) {
		c->status &= (uint8_t)~STS_CMD;
		uint8_t cmd = c->pending;
		c->pending = 0;
		if (cmd)
			command_data(c, cmd, b);
		else
			ps2_kbd_write(&c->kbd, b);
	}
	refill(c);
	pthread_mutex_unlock(&c->lock);
}

void vm_input_key(struct vm *vm, unsigned linux_keycode, bool down)
{
	struct i8042 *c = vm->i8042;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	ps2_kbd_key(&c->kbd, linux_keycode, down);
	refill(c);
	pthread_mutex_unlock(&c->lock);
}

bool i8042_mouse_ready(struct i8042 *c)
{
	pthread_mutex_lock(&c->lock);
	bool on = ps2_mouse_active(&c->mouse) && !(c->ctr & CTR_AUXDIS);
	pthread_mutex_unlock(&c->lock);
	return on;
}

/* An absolute position as relative PS/2 motion from the previous one. */
void i8042_pointer(struct i8042 *c, unsigned x, unsigned y, int wheel,
		   unsigned buttons)
{
	pthread_mutex_lock(&c->lock);
	int dx = c->placed ? (int)x - (int)c->px : 0;
	int dy = c->placed ? (int)y - (int)c->py : 0;
	c->px = x;
	c->py = y;
	c->placed = true;
	ps2_mouse_move(&c->mouse, dx, dy, wheel, buttons);
	refill(c);
	pthread_mutex_unlock(&c->lock);
}

void i8042_wheel(struct i8042 *c, int wheel, unsigned buttons)
{
	pthread_mutex_lock(&c->lock);
	ps2_mouse_move(&c->mouse, 0, 0, wheel, buttons);
	refill(c);
	pthread_mutex_unlock(&c->lock);
}

static void port92_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)size;
	data[0] = 0x02; /* A20 enabled */
}

static void port92_write(void *opaque, uint64_t off, const uint8_t *data,
			 unsigned size)
{
	(void)off;
	(void)size;
	if (data[0] & 1)
		vm_request_stop(opaque, VMM_EXIT_REBOOT);
}

int i8042_init(struct vm *vm)
{
	struct i8042 *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->vm = vm;
	pthread_mutex_init(&c->lock, NULL);
	ps2_kbd_init(&c->kbd);
	ps2_mouse_init(&c->mouse);
	ps2_xlat_init(c->xlat);
	/* What a PC BIOS leaves: translation, system flag, keyboard IRQ on. */
	c->ctr = CTR_XLATE | CTR_SYS | CTR_KBDINT | CTR_AUXDIS;
	c->outport = 0x03; /* not in reset, A20 on */
	vm->i8042 = c;

	struct io_region kbd = { .base = I8042_DATA, .len = 5, .opaque = c,
				 .read = i8042_read, .write = i8042_write };
	struct io_region p92 = { .base = PORT92, .len = 1, .opaque = vm,
				 .read = port92_read, .write = port92_write };
	int r = bus_add(&vm->pio, &kbd);
	return r ? r : bus_add(&vm->pio, &p92);
}
