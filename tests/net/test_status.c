/* SPDX-License-Identifier: GPL-2.0-only */
/* The status file is valid INI for core's parser, empty values included. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "net/net.h"
#include "tests/harness.h"

struct seen {
	char state[16], address[24], carrier[4], dns[64], updated[24];
	int keys;
};

static int item(void *ctx, const struct ini_item *it, struct errmsg *why)
{
	struct seen *s = ctx;

	(void)why;
	if (it->new_section || strcmp(it->section, "net"))
		return 0;
	s->keys++;
	if (!strcmp(it->key, "state"))
		str_copy(s->state, sizeof(s->state), it->value);
	else if (!strcmp(it->key, "address"))
		str_copy(s->address, sizeof(s->address), it->value);
	else if (!strcmp(it->key, "carrier"))
		str_copy(s->carrier, sizeof(s->carrier), it->value);
	else if (!strcmp(it->key, "dns"))
		str_copy(s->dns, sizeof(s->dns), it->value);
	else if (!strcmp(it->key, "updated"))
		str_copy(s->updated, sizeof(s->updated), it->value);
	return 0;
}

TEST(status_file_is_ini_and_atomic)
{
	struct net_status st = { .state = "online", .bridge = "br0",
				 .uplink = "eth0", .carrier = true,
				 .address = "10.1.2.3/24", .router = "10.1.2.1",
				 .dns = "10.1.2.53,10.1.2.54", .lease_seconds = 3600 };
	struct seen s = { 0 };
	struct errmsg err;
	const char *path = test_path("run/kvmbox/net.status");

	CHECK_EQ(net_status_write(path, &st), 0); /* creates the folders */
	CHECK_EQ(ini_parse_file(path, 4096, item, &s, &err), 0);
	CHECK_EQ(s.keys, 9);
	CHECK_STR(s.state, "online");
	CHECK_STR(s.address, "10.1.2.3/24");
	CHECK_STR(s.carrier, "yes");
	CHECK_STR(s.dns, "10.1.2.53,10.1.2.54");
	CHECK(atoll(s.updated) > 1600000000);

	struct net_status off = { .state = "offline" };
	memset(&s, 0, sizeof(s));
	CHECK_EQ(net_status_write(path, &off), 0);
	CHECK_EQ(ini_parse_file(path, 4096, item, &s, &err), 0);
	CHECK_STR(s.state, "offline");
	CHECK_STR(s.address, "");
	CHECK_STR(s.carrier, "no");
	struct stat sb;
	CHECK_EQ(stat(test_path("run/kvmbox/net.status.tmp"), &sb), -1); /* no leftovers */
}
