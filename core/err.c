/* SPDX-License-Identifier: GPL-2.0-only */
/* The error convention: negative errno plus, when useful, one line of text. */
#include <stdio.h>
#include <string.h>

#include "core.h"

int errmsg_set(struct errmsg *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

const char *err_str(int neg_errno)
{
	return strerror(neg_errno < 0 ? -neg_errno : neg_errno);
}
