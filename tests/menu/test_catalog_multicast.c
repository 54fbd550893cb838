/* SPDX-License-Identifier: GPL-2.0-only */
/* The catalog's `multicast` key: the group where the menu hears announces. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness.h"

static int parse(const char *value, struct catalog *c, struct errmsg *e)
{
	char text[200];

	snprintf(text, sizeof(text), "[catalog]\nmulticast = %s\n", value);
	return catalog_parse("c.ini", text, strlen(text), c, e);
}

TEST(catalog_multicast_key)
{
	static const char *const good[] = { "off", "239.255.77.1", "239.1.2.3:9000",
					    "224.0.0.251:5353" };
	static const char *const bad[] = { "on", "10.0.0.1", "240.0.0.1", "239.1.2.3:0",
					   "239.1.2.3:70000", "239.1.2.3:", ":9000",
					   "239.1.2", "239.255.255.255.1:1" };
	struct catalog c;
	struct errmsg e;

	CHECK_EQ(catalog_parse("c.ini", "", 0, &c, &e), 0);
	CHECK_STR(c.multicast, ""); /* the default group */
	catalog_free(&c);
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		CHECK_EQ(parse(good[i], &c, &e), 0);
		CHECK_STR(c.multicast, good[i]);
		catalog_free(&c);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_EQ(parse(bad[i], &c, &e), -EINVAL);
		CHECK(strstr(e.msg, "c.ini:2") && strstr(e.msg, "multicast must be off or a group"));
	}
}
