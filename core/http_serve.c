/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The server side's parsing of what a client asks (`kvmbox image serve`):
 * the request target as a file name beneath the served folder, and one byte
 * range. Untrusted text, kept apart from sockets so it can be fuzzed.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "core.h"

static int unhex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Fills @out with the decoded path below "/" (false: not a plain name). */
bool http_path_decode(const char *target, char *out, size_t size)
{
	size_t n = 0;

	if (target[0] != '/')
		return false;
	for (const char *p = target + 1; *p && *p != '?' && *p != '#'; p++) {
		int c = (unsigned char)*p;
		if (c == '%') {
			int a = unhex(p[1]), b = a < 0 ? -1 : unhex(p[2]);
			if (b < 0)
				return false;
			c = a << 4 | b;
			p += 2;
		}
		if (!c || n + 1 >= size)
			return false;
		out[n++] = (char)c;
	}
	out[n] = 0;
	/* No ".." segment at all, whatever the resolver would make of it. */
	for (const char *s = out; (s = strstr(s, "..")); s += 2)
		if ((s == out || s[-1] == '/') && (!s[2] || s[2] == '/'))
			return false;
	return true;
}

/* [*a, *b) of a file of @size bytes; -ERANGE unsatisfiable, -EINVAL malformed. */
int http_range_parse(const char *v, uint64_t size, uint64_t *a, uint64_t *b)
{
	char first[24] = "", last[24] = "";
	const char *dash;

	if (strncasecmp(v, "bytes=", 6) || strchr(v, ',') || !(dash = strchr(v + 6, '-')))
		return -EINVAL;
	if ((size_t)(dash - v - 6) >= sizeof(first) || strlen(dash + 1) >= sizeof(last))
		return -EINVAL;
	memcpy(first, v + 6, (size_t)(dash - v - 6));
	strcpy(last, dash + 1);
	if (!first[0]) { /* the last N bytes */
		if (parse_u64(last, 1, UINT64_MAX, a) < 0)
			return -EINVAL;
		*a = *a >= size ? 0 : size - *a;
		*b = size;
		return size ? 0 : -ERANGE;
	}
	if (parse_u64(first, 0, UINT64_MAX, a) < 0)
		return -EINVAL;
	if (!last[0])
		*b = size;
	else if (parse_u64(last, 0, UINT64_MAX, b) < 0 || *b < *a)
		return -EINVAL;
	else
		*b = *b >= size ? size : *b + 1;
	return *a < size ? 0 : -ERANGE;
}

