/* SPDX-License-Identifier: GPL-2.0-only */
/* The INI parser on arbitrary bytes: no crash, no overrun, sane errors. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static int count(void *ctx, const struct ini_item *it, struct errmsg *why)
{
	size_t *n = ctx;

	if (!it->new_section && (!it->key || !it->value || !it->section))
		abort();
	if (!utf8_valid(it->section, strlen(it->section)))
		abort();
	if (!it->new_section && it->key[0] == 'x')
		return errmsg_set(why, -22, "refused");
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errmsg e;
	size_t n = 0;
	int r = ini_parse_buf("fuzz.ini", (const char *)data, size, count, &n, &e);

	if (r < 0 && strncmp(e.msg, "fuzz.ini:", 9) != 0)
		abort(); /* every error names the file and line */
	return 0;
}
