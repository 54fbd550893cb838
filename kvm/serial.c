/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * COM1: a 16550A UART at 0x3F8 on IRQ 4, as Linux's 8250 driver expects
 * it. Output goes straight to the console fd; input is read by the I/O
 * loop into the receive FIFO, and stops being read while the FIFO is full.
 */
#include <errno.h>
#include <linux/serial_reg.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "kvm/machine.h"

#define COM1_PORT 0x3f8
#define COM1_IRQ 4
#define RX_FIFO 64

struct serial {
	struct vm *vm;
	pthread_mutex_t lock;
	int out_fd;
	struct ev_handler in;
	bool in_paused;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_irq;	/* "transmitter empty" interrupt pending */
	bool irq_level;
	uint8_t rx[RX_FIFO];
	unsigned rx_head, rx_len;
};

static uint8_t iir(const struct serial *s)
{
	uint8_t fifo = s->fcr & UART_FCR_ENABLE_FIFO ? 0xc0 : 0;

	if ((s->ier & UART_IER_RDI) && s->rx_len)
		return fifo | UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thr_irq)
		return fifo | UART_IIR_THRI;
	return fifo | UART_IIR_NO_INT;
}

static void update_irq(struct serial *s)
{
	bool level = !(iir(s) & UART_IIR_NO_INT);

	if (level != s->irq_level) {
		s->irq_level = level;
		vm_set_irq(s->vm, COM1_IRQ, level);
	}
}

static uint8_t msr(const struct serial *s)
{
	if (s->mcr & UART_MCR_LOOP) /* loopback: modem inputs mirror outputs */
		return (uint8_t)((s->mcr & 0x0c) << 4 | (s->mcr & 1) << 5 |
				 (s->mcr & 2) << 3);
	return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
}

static void resume_input(struct serial *s)
{
	if (s->in_paused && s->rx_len < RX_FIFO) {
		s->in_paused = false;
		evloop_mod(&s->vm->loop, &s->in, EPOLLIN);
	}
}

static void serial_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	struct serial *s = opaque;
	bool dlab;

	(void)size;
	pthread_mutex_lock(&s->lock);
	dlab = s->lcr & UART_LCR_DLAB;
	switch (off) {
	case UART_RX:
		if (dlab) {
			data[0] = s->dll;
		} else if (s->rx_len) {
			data[0] = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % RX_FIFO;
			s->rx_len--;
			resume_input(s);
		} else {
			data[0] = 0;
		}
		break;
	case UART_IER:
		data[0] = dlab ? s->dlm : s->ier;
		break;
	case UART_IIR:
		data[0] = iir(s);
		if ((data[0] & 0x0f) == UART_IIR_THRI)
			s->thr_irq = false;
		break;
	case UART_LCR:
		data[0] = s->lcr;
		break;
	case UART_MCR:
		data[0] = s->mcr;
		break;
	case UART_LSR:
		data[0] = UART_LSR_TEMT | UART_LSR_THRE | (s->rx_len ? UART_LSR_DR : 0);
		break;
	case UART_MSR:
		data[0] = msr(s);
		break;
	default:
		data[0] = s->scr;
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

static void serial_write(void *opaque, uint64_t off, const uint8_t *data,
			 unsigned size)
{
	struct serial *s = opaque;
	uint8_t v = data[0];
	bool dlab;

	(void)size;
	pthread_mutex_lock(&s->lock);
	dlab = s->lcr & UART_LCR_DLAB;
	switch (off) {
	case UART_TX:
		if (dlab) {
			s->dll = v;
		} else if (s->mcr & UART_MCR_LOOP) {
			if (s->rx_len < RX_FIFO)
				s->rx[(s->rx_head + s->rx_len++) % RX_FIFO] = v;
		} else {
			if (s->out_fd >= 0 && write(s->out_fd, &v, 1) < 0 &&
			    errno != EAGAIN)
				s->out_fd = -1; /* console gone: keep the guest running */
			s->thr_irq = true;
		}
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = v;
		} else {
			if (!(s->ier & UART_IER_THRI) && (v & UART_IER_THRI))
				s->thr_irq = true;
			s->ier = v & 0x0f;
		}
		break;
	case UART_FCR:
		s->fcr = v & UART_FCR_ENABLE_FIFO;
		if (v & UART_FCR_CLEAR_RCVR) {
			s->rx_len = 0;
			resume_input(s);
		}
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		break;
	case UART_SCR:
		s->scr = v;
		break;
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

static void on_input(struct ev_handler *h, uint32_t events)
{
	struct serial *s = container_of(h, struct serial, in);
	uint8_t buf[RX_FIFO];

	(void)events;
	pthread_mutex_lock(&s->lock);
	size_t room = RX_FIFO - s->rx_len;
	ssize_t n = room ? read(h->fd, buf, room) : 0;
	if (n <= 0 && room && errno != EAGAIN && errno != EINTR) {
		evloop_del(&s->vm->loop, h); /* EOF or error: no more input */
	} else {
		for (ssize_t i = 0; i < n; i++)
			s->rx[(s->rx_head + s->rx_len++) % RX_FIFO] = buf[i];
		if (s->rx_len == RX_FIFO) {
			s->in_paused = true;
			evloop_mod(&s->vm->loop, h, 0);
		}
		update_irq(s);
	}
	pthread_mutex_unlock(&s->lock);
}

int serial_init(struct vm *vm, int in_fd, int out_fd)
{
	struct serial *s = calloc(1, sizeof(*s));
	struct io_region r = { .base = COM1_PORT, .len = 8, .read = serial_read,
			       .write = serial_write };

	if (!s)
		return -ENOMEM;
	s->vm = vm;
	s->out_fd = out_fd;
	s->mcr = UART_MCR_OUT2;
	pthread_mutex_init(&s->lock, NULL);
	r.opaque = s;
	vm->serial = s;
	if (in_fd >= 0) {
		s->in.fd = in_fd;
		s->in.fn = on_input;
		/* A regular file or /dev/null cannot be polled: no input then. */
		int e = evloop_add(&vm->loop, &s->in, EPOLLIN);
		if (e < 0 && e != -EPERM)
			log_warn("vm: console input not available: %s", err_str(e));
	}
	return bus_add(&vm->pio, &r);
}
