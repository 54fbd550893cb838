/* SPDX-License-Identifier: GPL-2.0-only */
#include <string.h>

#include "core/core.h"
#include "initramfs/initramfs.h"
#include "tests/harness.h"

TEST(bootopts_all_options)
{
	struct boot_options o;

	bootopts_parse("BOOT_IMAGE=/vmlinuz quiet kvmbox.server=http://10.0.0.1/k/ "
		       "kvmbox.cache=LABEL=KVMCACHE kvmbox.appliance=lab-1_a "
		       "kvmbox.net=static:10.0.0.5/24,10.0.0.1 kvmbox.console=ttyS0 "
		       "kvmbox.medium=UUID=2026-11-23 kvmbox.autotest", &o);
	CHECK_STR(o.server, "http://10.0.0.1/k/");
	CHECK_STR(o.cache, "LABEL=KVMCACHE");
	CHECK_STR(o.appliance, "lab-1_a");
	CHECK_STR(o.net, "static:10.0.0.5/24,10.0.0.1");
	CHECK_STR(o.console, "ttyS0");
	CHECK_STR(o.medium, "UUID=2026-11-23");
	CHECK(o.autotest);
	CHECK_EQ(o.warnings, 0);
}

TEST(bootopts_defaults_and_bad_values)
{
	struct boot_options o;

	bootopts_parse("", &o);
	CHECK_STR(o.net, "dhcp");
	CHECK(!o.autotest);
	bootopts_parse("kvmbox.appliance=Bad/Name kvmbox.net=wifi kvmbox.cache=sda1 "
		       "kvmbox.nope=1 kvmbox.server= kvmbox.autotestx kvmbox.cache=/dev/../x "
		       "kvmbox.test-hook=rm-rf", &o);
	CHECK_STR(o.appliance, "");
	CHECK_STR(o.net, "dhcp");
	CHECK_STR(o.cache, "");
	CHECK_STR(o.server, "");
	CHECK_STR(o.test_hook, "");
	CHECK(!o.autotest);
	CHECK_EQ(o.warnings, 8);
}

TEST(bootopts_quotes_length_and_double_dash)
{
	struct boot_options o;
	char line[1200];

	bootopts_parse("\"kvmbox.server=http://h/a b\" kvmbox.console=tty1 -- kvmbox.appliance=x", &o);
	CHECK_STR(o.server, "http://h/a b");
	CHECK_STR(o.appliance, ""); /* after "--": init's arguments */
	memset(line, 'a', sizeof(line));
	memcpy(line, "kvmbox.appliance=", 17);
	line[sizeof(line) - 1] = 0;
	bootopts_parse(line, &o);
	CHECK_STR(o.appliance, "");
	CHECK_EQ(o.warnings, 1);
}

static int collect(void *ctx, const struct ini_item *it, struct errmsg *why)
{
	struct buf *b = ctx;

	(void)why;
	if (it->key)
		buf_printf(b, "%s.%s=%s;", it->section, it->key, it->value);
	return 0;
}

TEST(bootconf_round_trips_through_the_ini_parser)
{
	struct boot_options o;
	struct buf text, seen;
	struct errmsg err;

	bootopts_parse("\"kvmbox.server=http://h/\\\"q\\\" #x\" kvmbox.appliance=demo "
		       "kvmbox.autotest", &o);
	buf_init(&text);
	buf_init(&seen);
	CHECK_EQ(bootconf_format(&o, "/mnt/cache", "/mnt/medium/kvmbox/catalog.ini", false, &text), 0);
	CHECK_EQ(ini_parse_buf("boot.conf", (char *)text.data, text.len, collect, &seen, &err), 0);
	buf_terminate(&seen);
	CHECK(strstr((char *)seen.data, "boot.cache_dir=/mnt/cache;"));
	CHECK(strstr((char *)seen.data, "boot.appliance=demo;"));
	CHECK(strstr((char *)seen.data, "boot.autotest=yes;"));
	CHECK(strstr((char *)seen.data, "boot.net=dhcp;"));
	CHECK(strstr((char *)seen.data, "boot.catalog=/mnt/medium/kvmbox/catalog.ini;"));
	CHECK(strstr((char *)seen.data, "boot.server=http://h/\\q\\ #x;"));
	CHECK(!strstr((char *)seen.data, "boot.medium="));
	text.len = seen.len = 0;
	CHECK_EQ(bootconf_format(&o, "/run/kvmbox/cache", "/usr/share/kvmbox/catalog.ini", true, &text), 0);
	CHECK_EQ(ini_parse_buf("boot.conf", (char *)text.data, text.len, collect, &seen, &err), 0);
	buf_terminate(&seen);
	CHECK(strstr((char *)seen.data, "boot.medium=waiting;"));
	buf_free(&text);
	buf_free(&seen);
}
