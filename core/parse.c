/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checked parsing of numbers and sizes from people and files: the whole
 * string must parse, overflow is an error, nothing is silently truncated.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses digits at *s (base 10, or 16 after 0x); advances *s. */
static int parse_digits(const char **s, uint64_t *out)
{
	const char *p = *s;
	unsigned base = 10;
	uint64_t v = 0;
	int d, n = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	while ((d = hexval((unsigned char)*p)) >= 0 && (unsigned)d < base) {
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return -ERANGE;
		v = v * base + (unsigned)d;
		p++;
		n++;
	}
	if (n == 0)
		return -EINVAL;
	*s = p;
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int r;

	if (!s)
		return -EINVAL;
	r = parse_digits(&s, &v);
	if (r < 0)
		return r;
	if (*s)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	uint64_t v;
	int r;

	if (!s)
		return -EINVAL;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	r = parse_digits(&s, &v);
	if (r < 0)
		return r;
	if (*s)
		return -EINVAL;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return -ERANGE;
	int64_t sv = neg ? (int64_t)(0 - v) : (int64_t)v;
	if (sv < min || sv > max)
		return -ERANGE;
	*out = sv;
	return 0;
}

static int unit_shift(const char *u, unsigned *shift)
{
	static const char units[] = "BKMGTPE";
	const char *hit;

	if (!*u) {
		*shift = 0;
		return 1; /* no unit given */
	}
	char c = *u >= 'a' && *u <= 'z' ? (char)(*u - 32) : *u;
	hit = strchr(units, c);
	if (!hit || !c)
		return -EINVAL;
	*shift = 10 * (unsigned)(hit - units);
	u++;
	if (c != 'B') {
		if (*u == 'i')
			u++;
		if (*u == 'B' || *u == 'b')
			u++;
	}
	return *u ? -EINVAL : 0;
}

int parse_size_unit(const char *s, uint64_t unit, uint64_t *bytes)
{
	unsigned shift;
	uint64_t v;
	int r;

	if (!s || unit == 0)
		return -EINVAL;
	r = parse_digits(&s, &v);
	if (r < 0)
		return r;
	r = unit_shift(s, &shift);
	if (r < 0)
		return r;
	uint64_t mul = r == 1 ? unit : (uint64_t)1 << shift;
	if (v && mul > UINT64_MAX / v)
		return -ERANGE;
	*bytes = v * mul;
	return 0;
}

int parse_size(const char *s, uint64_t *bytes)
{
	return parse_size_unit(s, 1, bytes);
}

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_hex(const char *s, uint8_t *out, size_t out_len)
{
	if (!s || strlen(s) != 2 * out_len)
		return -EINVAL;
	for (size_t i = 0; i < out_len; i++) {
		int hi = hexval((unsigned char)s[2 * i]);
		int lo = hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void format_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = 0;
}

void format_size(uint64_t bytes, char *out, size_t out_len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	unsigned i = 0;
	double v = (double)bytes;

	while (v >= 1024 && i + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(out, out_len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(out, out_len, "%.1f %s", v, units[i]);
}
