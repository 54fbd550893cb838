/* SPDX-License-Identifier: GPL-2.0-only */
/* The catalog parser: the documented example, defaults, and every refusal. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness.h"

#define D1 "1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd"

static const char example[] =
	"# Room B12\n"
	"[catalog]\n"
	"title = Salle B12 – Réseaux\n"
	"autostart = desk\n"
	"autostart_delay = 5\n"
	"admin_password = sha256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b\n"
	"refresh = 600\n"
	"\n"
	"[appliance desk]\n"
	"title = Bureau Debian (élève)\n"
	"description = \"Un bureau complet.\\nLibreOffice, Firefox.\"\n"
	"icon = icons/desk.png\n"
	"type = local\n"
	"kernel = desk/vmlinuz\n"
	"kernel_sha256 = " D1 "\n"
	"initrd = desk/initrd.img\n"
	"initrd_sha256 = " D2 "\n"
	"cmdline = root=/dev/vda ro quiet\n"
	"disk = desk/root.img sha256=" D3 "\n"
	"disk = desk/data.img sha256=" D1 " ro\n"
	"overlay = persistent\n"
	"memory = 2G\n"
	"cpus = 2\n"
	"network = bridged\n"
	"vlan = 12\n"
	"mode = foreground\n"
	"access = everyone\n"
	"allow_menu_return = yes\n"
	"\n"
	"[appliance router]\n"
	"title = Routeur\n"
	"kernel = router/vmlinuz\n"
	"kernel_sha256 = " D2 "\n"
	"mode = ghost\n"
	"network = isolated\n"
	"memory = 128\n"
	"\n"
	"[appliance remote]\n"
	"title = Serveur de TP\n"
	"type = spice\n"
	"url = spice://10.0.0.5:5900\n"
	"access = admin\n";

TEST(catalog_full_example)
{
	struct catalog c;
	struct errmsg e = { "" };
	const struct catalog_appliance *a;
	const struct catalog_file *files[10];

	CHECK_EQ(catalog_parse("cat.ini", example, strlen(example), &c, &e), 0);
	CHECK_STR(c.title, "Salle B12 – Réseaux");
	CHECK_STR(c.autostart, "desk");
	CHECK_EQ(c.autostart_delay, 5);
	CHECK_EQ(c.refresh, 600);
	CHECK_EQ(c.napps, 3);
	CHECK(catalog_password_ok(&c, "secret"));
	CHECK(!catalog_password_ok(&c, "Secret"));
	CHECK(!catalog_password_ok(&c, ""));

	a = catalog_find(&c, "desk");
	CHECK(a != NULL);
	CHECK_STR(a->title, "Bureau Debian (élève)");
	CHECK_STR(a->description, "Un bureau complet.\nLibreOffice, Firefox.");
	CHECK_STR(a->icon, "icons/desk.png");
	CHECK_STR(a->kernel.name, "desk/vmlinuz");
	CHECK_EQ(a->kernel.sha256[0], 0x11);
	CHECK_EQ(a->initrd.sha256[31], 0x22);
	CHECK_STR(a->cmdline, "root=/dev/vda ro quiet");
	CHECK_EQ(a->ndisks, 2);
	CHECK_EQ(a->disks[0].sha256[0], 0xab);
	CHECK(!a->disks[0].read_only);
	CHECK(a->disks[1].read_only);
	CHECK(a->persistent);
	CHECK_EQ(a->memory, 2ull << 30);
	CHECK_EQ(a->cpus, 2);
	CHECK_EQ(a->network, APPLIANCE_NET_BRIDGED);
	CHECK_EQ(a->vlan, 12);
	CHECK(!a->ghost && !a->admin_only && a->allow_menu_return);
	CHECK_EQ(catalog_files(a, files, 10), 4);
	CHECK(files[0] == &a->kernel && files[1] == &a->initrd && files[3] == &a->disks[1]);

	a = catalog_find(&c, "router");
	CHECK(a && a->ghost && a->network == APPLIANCE_NET_ISOLATED);
	CHECK_EQ(a->memory, 128ull << 20); /* bare numbers are MiB */
	CHECK_EQ(a->cpus, 1);
	CHECK(!a->persistent);
	a = catalog_find(&c, "remote");
	CHECK(a && a->type == APPLIANCE_SPICE && a->admin_only);
	CHECK_STR(a->url, "spice://10.0.0.5:5900");
	CHECK(catalog_find(&c, "nope") == NULL);
	catalog_free(&c);
}

TEST(catalog_defaults)
{
	const char *t = "[appliance a]\ntitle = A\nkernel = k\nkernel_sha256 = " D1 "\n";
	struct catalog c;
	struct errmsg e;

	CHECK_EQ(catalog_parse("c.ini", t, strlen(t), &c, &e), 0);
	CHECK_STR(c.title, "kvmbox");
	CHECK_EQ(c.refresh, 300);
	CHECK_EQ(c.autostart_delay, 10);
	CHECK(!c.has_admin_password);
	CHECK(!catalog_password_ok(&c, ""));
	CHECK_EQ(c.apps[0].memory, 512u << 20);
	CHECK_EQ(c.apps[0].network, APPLIANCE_NET_BRIDGED);
	catalog_free(&c);
	/* An empty catalog is valid: nothing to offer yet. */
	CHECK_EQ(catalog_parse("c.ini", "", 0, &c, &e), 0);
	CHECK_EQ(c.napps, 0);
	catalog_free(&c);
}

static void expect_error(const char *text, const char *msg)
{
	struct catalog c;
	struct errmsg e = { "" };
	int r = catalog_parse("c.ini", text, strlen(text), &c, &e);

	if (r != -EINVAL || strcmp(e.msg, msg))
		test_fail(__FILE__, __LINE__, "for:\n%s\ngot %d \"%s\", expected \"%s\"",
			  text, r, e.msg, msg);
	CHECK_EQ(c.napps, 0); /* nothing half-parsed is left */
}

#define APP "[appliance a]\ntitle = A\n"
#define KERN "kernel = k\nkernel_sha256 = " D1 "\n"

TEST(catalog_errors_name_file_and_line)
{
	expect_error("title = x\n", "c.ini:1: 'title' outside any section");
	expect_error("[catalog]\ncolour = red\n", "c.ini:2: unknown key 'colour' in [catalog]");
	expect_error("[things]\n", "c.ini:1: unknown section [things] (expected [catalog] or [appliance NAME])");
	expect_error("[appliance Desk]\n", "c.ini:1: appliance name 'Desk' must be 1-32 of a-z 0-9 _ -");
	expect_error(APP KERN "[appliance a]\n", "c.ini:5: appliance 'a' defined twice");
	expect_error(APP KERN "title = B\n", "c.ini:5: 'title' given twice");
	expect_error(APP "kernel = k\nkernel_sha256 = 12\n", "c.ini:4: kernel_sha256 must be 64 hex digits");
	expect_error(APP "kernel = ../etc/passwd\n",
		     "c.ini:3: kernel '../etc/passwd' is not a plain relative file name (letters, digits, . _ - + /, no '..')");
	expect_error(APP "kernel = /boot/vmlinuz\n",
		     "c.ini:3: kernel '/boot/vmlinuz' is not a plain relative file name (letters, digits, . _ - + /, no '..')");
	expect_error(APP "kernel = a/../../b\n",
		     "c.ini:3: kernel 'a/../../b' is not a plain relative file name (letters, digits, . _ - + /, no '..')");
	expect_error(APP "kernel = k\n", "c.ini:3: kernel needs kernel_sha256");
	expect_error(APP "kernel = k\n[appliance b]\ntitle = B\n" KERN,
		     "c.ini:3: kernel needs kernel_sha256");
	expect_error(APP KERN "initrd_sha256 = " D1 "\n", "c.ini:5: initrd_sha256 without initrd");
	expect_error(APP KERN "disk = d.img\n", "c.ini:5: disk 'd.img' needs sha256=HEX");
	expect_error(APP KERN "disk = d.img sha256=" D1 " rw\n",
		     "c.ini:5: unknown disk option 'rw' (expected sha256=HEX or ro)");
	expect_error(APP KERN "memory = 8K\n",
		     "c.ini:5: memory must be a size from 16M to 1T in whole MiB (e.g. 512M, 2G)");
	expect_error(APP KERN "cpus = 0\n", "c.ini:5: cpus must be a number from 1 to 64");
	expect_error(APP KERN "vlan = 4095\n", "c.ini:5: vlan must be a number from 1 to 4094");
	expect_error(APP KERN "network = isolated\nisolated_net = abcdefghijkl\n",
		     "c.ini:6: isolated_net must be 1-11 of a-z 0-9 _ -");
	expect_error(APP KERN "network = isolated\nisolated_net = Lab\n",
		     "c.ini:6: isolated_net must be 1-11 of a-z 0-9 _ -");
	expect_error(APP KERN "isolated_net = lab\n",
		     "c.ini:1: appliance 'a': isolated_net is only for network = isolated");
	expect_error("[catalog]\ncache_budget = 0\n",
		     "c.ini:2: cache_budget must be a size from 1M to 1P (e.g. 20G); bare numbers are MiB");
	expect_error("[catalog]\ncache_budget = lots\n",
		     "c.ini:2: cache_budget must be a size from 1M to 1P (e.g. 20G); bare numbers are MiB");
	expect_error(APP KERN "network = wifi\n",
		     "c.ini:5: network must be bridged, isolated or none, not 'wifi'");
	expect_error(APP KERN "mode = background\n",
		     "c.ini:5: mode must be foreground or ghost, not 'background'");
	expect_error(APP KERN "access = root\n", "c.ini:5: access must be everyone or admin, not 'root'");
	expect_error(APP KERN "overlay = cow\n",
		     "c.ini:5: overlay must be volatile or persistent, not 'cow'");
	expect_error(APP KERN "allow_menu_return = maybe\n", "c.ini:5: allow_menu_return must be yes or no");
	expect_error(APP KERN "url = http://x\n", "c.ini:5: url must be spice://host:port");
	expect_error(APP KERN "cmdline = a\tb\x01\n", "c.ini:5: cmdline contains a control character");
	expect_error("[catalog]\nadmin_password = secret\n",
		     "c.ini:2: admin_password must be sha256:HEX (the SHA-256 of the password)");
	expect_error("[catalog]\n[catalog]\n", "c.ini:2: second [catalog] section");
	expect_error("[catalog]\nrefresh = -1\n", "c.ini:2: refresh must be a number from 0 to 604800");
	/* Whole-section checks name the section's header line. */
	expect_error("\n" APP, "c.ini:2: appliance 'a': kernel is missing");
	expect_error("[appliance a]\n" KERN, "c.ini:1: appliance 'a': title is missing");
	expect_error(APP "type = spice\n", "c.ini:1: appliance 'a': type = spice needs url = spice://host:port");
	expect_error(APP "type = spice\nurl = spice://h:1\n" KERN,
		     "c.ini:1: appliance 'a': type = spice takes no kernel, initrd or disk");
	expect_error("[catalog]\nautostart = b\n" APP KERN,
		     "c.ini:2: autostart names no appliance ('b')");
	expect_error("[catalog]\nautostart = a\n" APP KERN "mode = ghost\n",
		     "c.ini:2: autostart 'a' is a ghost or admin-only appliance");
	/* And the INI layer's own errors keep the same form. */
	expect_error("[catalog\n", "c.ini:1: missing ']' after section name");
	expect_error("[catalog]\ntitle = \"abc\n", "c.ini:2: unterminated quoted value");
}

TEST(catalog_limits)
{
	struct buf b;
	struct catalog c;
	struct errmsg e;

	buf_init(&b);
	buf_printf(&b, APP KERN);
	for (int i = 0; i < CATALOG_MAX_DISKS; i++)
		buf_printf(&b, "disk = d%d sha256=" D1 "\n", i);
	CHECK_EQ(catalog_parse("c.ini", (char *)b.data, b.len, &c, &e), 0);
	CHECK_EQ(c.apps[0].ndisks, CATALOG_MAX_DISKS);
	catalog_free(&c);
	buf_printf(&b, "disk = more sha256=" D1 "\n");
	CHECK_EQ(catalog_parse("c.ini", (char *)b.data, b.len, &c, &e), -EINVAL);
	CHECK_STR(e.msg, "c.ini:13: more than 8 disks");
	b.len = 0;
	for (int i = 0; i <= CATALOG_MAX_APPLIANCES; i++)
		buf_printf(&b, "[appliance a%d]\ntitle = A\n" KERN, i);
	CHECK_EQ(catalog_parse("c.ini", (char *)b.data, b.len, &c, &e), -EINVAL);
	CHECK(strstr(e.msg, "more than 128 appliances") != NULL);
	buf_free(&b);
}

TEST(catalog_load_file)
{
	struct catalog c;
	struct errmsg e;
	FILE *f = fopen(test_path("catalog.ini"), "w");

	CHECK(f != NULL);
	fputs(example, f);
	fclose(f);
	CHECK_EQ(catalog_load(test_path("catalog.ini"), &c, &e), 0);
	CHECK_EQ(c.napps, 3);
	catalog_free(&c);
	CHECK_EQ(catalog_load(test_path("missing.ini"), &c, &e), -ENOENT);
	CHECK(strstr(e.msg, "missing.ini: No such file") != NULL);
}
