/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CMOS RTC at 0x70/0x71: the clock registers read the host's UTC time (in
 * BCD, 24-hour mode); the other bytes are plain CMOS storage. No alarms or
 * periodic interrupts: Linux only reads the time at boot.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "kvm/machine.h"

#define RTC_PORT 0x70
#define CMOS_SIZE 128

struct rtc {
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t cmos[CMOS_SIZE];
};

static uint8_t bcd(int v)
{
	return (uint8_t)((v / 10) << 4 | (v % 10));
}

static uint8_t clock_reg(const struct rtc *r, uint8_t reg)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (reg) {
	case 0x00: return bcd(tm.tm_sec);
	case 0x02: return bcd(tm.tm_min);
	case 0x04: return bcd(tm.tm_hour);
	case 0x06: return bcd(tm.tm_wday + 1);
	case 0x07: return bcd(tm.tm_mday);
	case 0x08: return bcd(tm.tm_mon + 1);
	case 0x09: return bcd(tm.tm_year % 100);
	case 0x32: return bcd(19 + tm.tm_year / 100);
	case 0x0a: return 0x26;	/* divider on, no update in progress */
	case 0x0b: return 0x02;	/* 24-hour, BCD */
	case 0x0c: return 0x00;
	case 0x0d: return 0x80;	/* battery good */
	}
	return r->cmos[reg];
}

static void rtc_read(void *opaque, uint64_t off, uint8_t *data, unsigned size)
{
	struct rtc *r = opaque;

	(void)size;
	pthread_mutex_lock(&r->lock);
	data[0] = off == 1 ? clock_reg(r, r->index) : r->index;
	pthread_mutex_unlock(&r->lock);
}

static void rtc_write(void *opaque, uint64_t off, const uint8_t *data,
		      unsigned size)
{
	struct rtc *r = opaque;

	(void)size;
	pthread_mutex_lock(&r->lock);
	if (off == 0)
		r->index = data[0] & 0x7f; /* bit 7 is the NMI mask */
	else
		r->cmos[r->index] = data[0];
	pthread_mutex_unlock(&r->lock);
}

int rtc_init(struct vm *vm)
{
	struct rtc *r = calloc(1, sizeof(*r));
	struct io_region reg = { .base = RTC_PORT, .len = 2, .read = rtc_read,
				 .write = rtc_write };

	if (!r)
		return -ENOMEM;
	pthread_mutex_init(&r->lock, NULL);
	reg.opaque = r;
	return bus_add(&vm->pio, &reg);
}
