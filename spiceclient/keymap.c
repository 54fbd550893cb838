/* SPDX-License-Identifier: GPL-2.0-only */
/* ASCII to PC scancodes (set 1, US layout), for typing through inputs. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "spiceclient/spice.h"

int spice_scancode_of_char(char c, bool *shift)
{
	static const char row1[] = "1234567890-=";	/* 0x02.. */
	static const char row1s[] = "!@#$%^&*()_+";
	static const char row2[] = "qwertyuiop[]";	/* 0x10.. */
	static const char row2s[] = "QWERTYUIOP{}";
	static const char row3[] = "asdfghjkl;'`";	/* 0x1e.. */
	static const char row3s[] = "ASDFGHJKL:\"~";
	static const char row4[] = "\\zxcvbnm,./";	/* 0x2b.. */
	static const char row4s[] = "|ZXCVBNM<>?";
	const char *p;

	*shift = false;
	if (!c)
		return -EINVAL;
	switch (c) {
	case '\n': return 0x1c;
	case ' ': return 0x39;
	case '\t': return 0x0f;
	case '\b': return 0x0e;
	case 27: return 0x01;
	}
	if ((p = strchr(row1, c))) return 0x02 + (int)(p - row1);
	if ((p = strchr(row2, c))) return 0x10 + (int)(p - row2);
	if ((p = strchr(row3, c))) return 0x1e + (int)(p - row3);
	if ((p = strchr(row4, c))) return 0x2b + (int)(p - row4);
	*shift = true;
	if ((p = strchr(row1s, c))) return 0x02 + (int)(p - row1s);
	if ((p = strchr(row2s, c))) return 0x10 + (int)(p - row2s);
	if ((p = strchr(row3s, c))) return 0x1e + (int)(p - row3s);
	if ((p = strchr(row4s, c))) return 0x2b + (int)(p - row4s);
	return -EINVAL;
}
