/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The menu's parts without processes: key decoding, the screen model, the
 * text rendering, the `vm run` command line, boot.conf / net.status, and
 * where an appliance's files are found.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core.h"
#include "initramfs/initramfs.h"
#include "tests/harness.h"

#define D1 "1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "2222222222222222222222222222222222222222222222222222222222222222"

static const char cat_text[] =
	"[catalog]\ntitle = Salle B12\n"
	"admin_password = sha256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b\n"
	"[appliance desk]\ntitle = Bureau élève\ndescription = Pour les TP\n"
	"kernel = k1\nkernel_sha256 = " D1 "\n"
	"initrd = i1\ninitrd_sha256 = " D2 "\n"
	"cmdline = console=ttyS0 quiet\n"
	"disk = root.img sha256=" D1 "\ndisk = data.img sha256=" D2 " ro\n"
	"memory = 1G\ncpus = 2\n"
	"[appliance router]\ntitle = Routeur\nkernel = k2\nkernel_sha256 = " D2 "\n"
	"mode = ghost\nnetwork = isolated\n"
	"[appliance exam]\ntitle = Examen\nkernel = k1\nkernel_sha256 = " D1 "\n"
	"access = admin\noverlay = persistent\ndisk = exam.img sha256=" D1 "\n"
	"[appliance lab]\ntitle = Lab\nkernel = k1\nkernel_sha256 = " D1 "\nnetwork = none\n";

static void load(struct catalog *c)
{
	struct errmsg e;

	if (catalog_parse("t.ini", cat_text, strlen(cat_text), c, &e) < 0)
		test_fail(__FILE__, __LINE__, "%s", e.msg);
}

TEST(menu_keys)
{
	const uint8_t in[] = "\x1b[A\x1b[B\x1bOB\r\n\x1b[1~\x1b[4~\x1b[Hx\x7f\x1b\x01\n";
	enum menu_key k[32];
	int ch[32];
	size_t n = menu_keys_decode(in, sizeof(in) - 1, k, ch, 32);

	CHECK_EQ(n, 11);
	CHECK_EQ(k[0], MK_UP);
	CHECK_EQ(k[1], MK_DOWN);
	CHECK_EQ(k[2], MK_DOWN);
	CHECK_EQ(k[3], MK_ENTER); /* CR LF is one Enter */
	CHECK_EQ(k[4], MK_HOME);
	CHECK_EQ(k[5], MK_END);
	CHECK_EQ(k[6], MK_HOME);
	CHECK(k[7] == MK_CHAR && ch[7] == 'x');
	CHECK_EQ(k[8], MK_BACKSPACE);
	CHECK_EQ(k[9], MK_ESC); /* a lone ESC; the Ctrl-A after it is dropped */
	CHECK_EQ(k[10], MK_ENTER);
	/* A truncated sequence is dropped, never read past the end. */
	CHECK_EQ(menu_keys_decode((const uint8_t *)"\x1b[", 2, k, ch, 32), 0);
	CHECK_EQ(menu_keys_decode((const uint8_t *)"abc", 3, k, ch, 2), 2);
}

TEST(menu_model_navigation)
{
	struct catalog c;
	struct menu_model m;
	size_t rows[16];

	load(&c);
	menu_model_init(&m, &c);
	/* Ghosts and admin-only appliances are not listed for students. */
	CHECK_EQ(menu_rows(&m, rows, 16), 2);
	CHECK_STR(c.apps[rows[0]].name, "desk");
	CHECK_STR(c.apps[rows[1]].name, "lab");
	CHECK_EQ(menu_key(&m, MK_UP, 0), ACT_REDRAW);
	CHECK_EQ(m.selected, 0);
	menu_key(&m, MK_DOWN, 0);
	menu_key(&m, MK_DOWN, 0);
	CHECK_EQ(m.selected, 1);
	CHECK_EQ(menu_key(&m, MK_ENTER, 0), ACT_START);
	CHECK_STR(c.apps[m.action_app].name, "lab");
	menu_key(&m, MK_CHAR, '1');
	CHECK_EQ(m.selected, 0);

	/* Countdown: any key stops it; Enter also starts. */
	m.countdown = 5;
	CHECK_EQ(menu_key(&m, MK_DOWN, 0), ACT_REDRAW);
	CHECK_EQ(m.countdown, -1);
	CHECK_EQ(m.selected, 0);

	/* Admin: password typed, checked by the applet. */
	menu_key(&m, MK_CHAR, 'a');
	CHECK_EQ(m.screen, MENU_PASSWORD);
	const char *pw = "secreX";
	for (const char *p = pw; *p; p++)
		menu_key(&m, MK_CHAR, *p);
	menu_key(&m, MK_BACKSPACE, 0);
	menu_key(&m, MK_CHAR, 't');
	CHECK_STR(m.password, "secret");
	CHECK_EQ(menu_key(&m, MK_ENTER, 0), ACT_LOGIN);
	CHECK(catalog_password_ok(&c, m.password));
	m.admin = true;
	m.screen = MENU_ADMIN;
	CHECK_EQ(menu_rows(&m, rows, 16), 3); /* admin-only shows now */
	CHECK_EQ(menu_key(&m, MK_ENTER, 0), ACT_REFRESH);
	menu_key(&m, MK_DOWN, 0);
	CHECK_EQ(menu_key(&m, MK_ENTER, 0), ACT_REDRAW);
	CHECK_EQ(m.screen, MENU_PICK_RESET);
	CHECK_EQ(menu_key(&m, MK_ENTER, 0), ACT_RESET);
	CHECK_STR(c.apps[m.action_app].name, "exam");
	CHECK_EQ(m.screen, MENU_ADMIN);
	menu_key(&m, MK_DOWN, 0);
	CHECK_EQ(menu_key(&m, MK_ENTER, 0), ACT_LOGS);
	menu_key(&m, MK_DOWN, 0);
	CHECK_EQ(menu_key(&m, MK_ENTER, 0), ACT_NET);
	menu_key(&m, MK_DOWN, 0);
	CHECK_EQ(menu_key(&m, MK_ENTER, 0), ACT_REBOOT);
	menu_key(&m, MK_DOWN, 0);
	CHECK_EQ(menu_key(&m, MK_ENTER, 0), ACT_POWEROFF);
	menu_key(&m, MK_END, 0);
	menu_key(&m, MK_ENTER, 0);
	CHECK(!m.admin);
	CHECK_EQ(m.screen, MENU_LIST);
	menu_model_free(&m);
	catalog_free(&c);
}

TEST(menu_render_text)
{
	struct catalog c;
	struct menu_model m;
	struct buf out;

	load(&c);
	menu_model_init(&m, &c);
	buf_init(&out);
	m.status[0].state = MENU_APP_DOWNLOADING;
	m.status[0].percent = 42;
	m.status[3].state = MENU_APP_UNAVAILABLE;
	str_copy(m.status[3].reason, sizeof(m.status[3].reason), "not cached, offline");
	str_copy(m.net.state, sizeof(m.net.state), "online");
	str_copy(m.net.address, sizeof(m.net.address), "10.0.0.7/24");
	m.server_set = m.server_ok = true;
	str_copy(m.clock, sizeof(m.clock), "09:41");
	CHECK_EQ(menu_render(&m, 80, 24, &out), 0);
	const char *s = (const char *)out.data;
	CHECK(strstr(s, "Salle B12") != NULL);
	CHECK(strstr(s, "Bureau élève") != NULL);
	CHECK(strstr(s, "downloading 42 %") != NULL);
	CHECK(strstr(s, "unavailable: not cached, offline") != NULL);
	CHECK(strstr(s, "Pour les TP") != NULL);
	CHECK(strstr(s, "online 10.0.0.7/24 | server reachable | 09:41") != NULL);
	CHECK(strstr(s, "Routeur") == NULL);
	/* Every line fits the width, counted in characters. */
	for (const char *l = s; *l;) {
		const char *e = strstr(l, "\r\n");
		size_t w = 0;
		if (!e)
			break;
		for (const char *p = l; p < e; p++)
			w += ((unsigned char)*p & 0xc0) != 0x80 && *p != 0x1b;
		CHECK(w < 80 + 12); /* escapes add a few bytes */
		l = e + 2;
	}
	m.countdown = 7;
	str_copy(c.autostart, sizeof(c.autostart), "desk");
	menu_render(&m, 80, 24, &out);
	CHECK(strstr((char *)out.data, "Starting Bureau élève in 7 s") != NULL);
	m.screen = MENU_PASSWORD;
	str_copy(m.password, sizeof(m.password), "abc");
	m.password_len = 3;
	menu_render(&m, 80, 24, &out);
	CHECK(strstr((char *)out.data, "Admin password: ***") != NULL);
	CHECK(strstr((char *)out.data, "abc") == NULL);
	/* A page longer than the screen (the log) shows its newest lines. */
	char text[60 * 16] = "";
	for (int i = 0; i < 60; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "log line %02d\n", i);
	menu_show_page(&m, "Log", text);
	menu_render(&m, 80, 24, &out);
	CHECK(strstr((char *)out.data, "log line 59") != NULL);
	CHECK(strstr((char *)out.data, "log line 42") != NULL);
	CHECK(strstr((char *)out.data, "log line 41") == NULL);
	menu_show_page(&m, "Log", "first\nlast");
	menu_render(&m, 80, 24, &out);
	CHECK(strstr((char *)out.data, "first") && strstr((char *)out.data, "last"));
	/* Tiny and huge terminals are clamped, not overrun. */
	CHECK_EQ(menu_render(&m, 1, 1, &out), 0);
	CHECK_EQ(menu_render(&m, 100000, 100000, &out), 0);
	buf_free(&out);
	menu_model_free(&m);
	catalog_free(&c);
}

static bool has_arg(const struct menu_vm_argv *v, const char *a, const char *b)
{
	for (int i = 0; i + 1 < v->argc; i++)
		if (!strcmp(v->argv[i], a) && (!b || !strcmp(v->argv[i + 1], b)))
			return true;
	return false;
}

TEST(menu_vm_command_line)
{
	struct catalog c;
	struct menu_vm_argv v;
	struct errmsg e;
	struct menu_vm_place pl = { .kvmbox = "/bin/kvmbox",
				    .paths = { "/s/k", "/s/i", "/s/root", "/s/data" },
				    .overlay_dir = "/cache/overlays", .bridge = "br0",
				    .serial = "stdio" };

	load(&c);
	CHECK_EQ(menu_vm_argv_build(&v, &c.apps[0], &pl, &e), 0);
	CHECK_STR(v.argv[0], "/bin/kvmbox");
	CHECK_STR(v.argv[1], "vm");
	CHECK_STR(v.argv[2], "run");
	CHECK(has_arg(&v, "--kernel", "/s/k"));
	CHECK(has_arg(&v, "--initrd", "/s/i"));
	CHECK(has_arg(&v, "--cmdline", "console=ttyS0 quiet"));
	CHECK(has_arg(&v, "--mem", "1024"));
	CHECK(has_arg(&v, "--cpus", "2"));
	CHECK(has_arg(&v, "--disk", "/s/root,overlay=volatile"));
	CHECK(has_arg(&v, "--disk", "/s/data,ro"));
	CHECK(has_arg(&v, "--net", "bridge=br0"));
	CHECK(has_arg(&v, "--serial", "stdio"));
	CHECK(v.argv[v.argc] == NULL);

	pl.paths[1] = "/s/exam";
	CHECK_EQ(menu_vm_argv_build(&v, &c.apps[2], &pl, &e), 0);
	CHECK(has_arg(&v, "--disk", "/s/exam,overlay=/cache/overlays/exam-0.overlay"));
	CHECK(!has_arg(&v, "--initrd", NULL));
	pl.serial = "/run/kvmbox/ghost-router.serial";
	CHECK_EQ(menu_vm_argv_build(&v, &c.apps[1], &pl, &e), 0);
	CHECK(has_arg(&v, "--net", "bridge=kvi-default")); /* isolated: its set's bridge */
	CHECK(has_arg(&v, "--serial", "/run/kvmbox/ghost-router.serial"));
	CHECK(has_arg(&v, "--mem", "512"));
	pl.bridge = NULL; /* no network daemon: bridged runs without a NIC */
	CHECK_EQ(menu_vm_argv_build(&v, &c.apps[0], &pl, &e), 0);
	CHECK(has_arg(&v, "--net", "none"));
	catalog_free(&c);
}

/* network = isolated and vlan = N as `vm run --net` options. */
TEST(menu_vm_network)
{
	static const char text[] =
		"[appliance a]\ntitle = A\nkernel = k\nkernel_sha256 = " D1 "\n"
		"network = isolated\nisolated_net = tp3\nvlan = 20\n"
		"[appliance b]\ntitle = B\nkernel = k\nkernel_sha256 = " D1 "\nvlan = 4094\n"
		"[appliance c]\ntitle = C\nkernel = k\nkernel_sha256 = " D1 "\n"
		"network = isolated\nisolated_net = abcdefghijk\nallow_menu_return = yes\n";
	struct menu_vm_place pl = { .kvmbox = "/bin/kvmbox", .paths = { "/s/k" },
				    .bridge = "br0", .serial = "stdio" };
	struct menu_vm_argv v;
	struct catalog c;
	struct errmsg e;
	char br[16];

	CHECK_EQ(catalog_parse("n.ini", text, strlen(text), &c, &e), 0);
	CHECK_EQ(menu_vm_argv_build(&v, &c.apps[0], &pl, &e), 0);
	CHECK(has_arg(&v, "--net", "bridge=kvi-tp3,vlan=20"));
	CHECK(!has_arg(&v, "--display", NULL));
	CHECK_EQ(menu_vm_argv_build(&v, &c.apps[1], &pl, &e), 0);
	CHECK(has_arg(&v, "--net", "bridge=br0,vlan=4094"));
	menu_isolated_bridge(&c.apps[2], br);
	CHECK_STR(br, "kvi-abcdefghijk"); /* 15 characters: the longest name */
	pl.display = "screen";
	CHECK_EQ(menu_vm_argv_build(&v, &c.apps[2], &pl, &e), 0);
	CHECK(has_arg(&v, "--display", "screen"));
	CHECK(has_arg(&v, "--menu-hotkey", NULL));  /* allow_menu_return = yes */
	CHECK_EQ(menu_vm_argv_build(&v, &c.apps[1], &pl, &e), 0);
	CHECK(!has_arg(&v, "--menu-hotkey", NULL)); /* the default: no */
	pl.bridge = NULL; /* no bridge from the daemon: no NIC, VLAN or not */
	CHECK_EQ(menu_vm_argv_build(&v, &c.apps[1], &pl, &e), 0);
	CHECK(has_arg(&v, "--net", "none"));
	catalog_free(&c);
}

static uint8_t gc_first_kept[SHA256_LEN];
static size_t gc_nkeep;
static uint64_t gc_budget;

static int fake_gc(void *ctx, uint64_t budget, const uint8_t (*keep)[SHA256_LEN],
		   size_t nkeep, struct errmsg *err)
{
	(void)ctx, (void)err;
	gc_budget = budget;
	gc_nkeep = nkeep;
	if (nkeep)
		memcpy(gc_first_kept, keep[0], SHA256_LEN);
	for (size_t i = 0; i < nkeep; i++) /* every kept digest is the catalog's */
		if (keep[i][0] != 0x11 && keep[i][0] != 0x22)
			return -EINVAL;
	return 0;
}

/* After a sync: what the catalog names is kept, within its budget. */
TEST(menu_cache_gc_keeps_catalog)
{
	struct menu_store st = { .gc = fake_gc, .ctx = &st };
	struct catalog c;
	struct errmsg e;

	load(&c);
	CHECK_EQ(menu_cache_gc(&st, &c, test_tmpdir(), &e), 0);
	/* desk: kernel, initrd, 2 disks; router: kernel; exam: kernel, disk; lab: kernel */
	CHECK_EQ(gc_nkeep, 8);
	CHECK(gc_budget > 0); /* 90 % of the test folder's file system */
	CHECK_EQ(gc_budget, menu_cache_budget(&c, test_tmpdir()));
	catalog_free(&c);

	static const char text[] = "[catalog]\ncache_budget = 20G\n"
		"[appliance a]\ntitle = A\nkernel = k\nkernel_sha256 = " D2 "\n";
	CHECK_EQ(catalog_parse("b.ini", text, strlen(text), &c, &e), 0);
	CHECK_EQ(menu_cache_gc(&st, &c, test_tmpdir(), &e), 0);
	CHECK_EQ(gc_budget, 20ull << 30);
	CHECK_EQ(gc_nkeep, 1);
	CHECK_EQ(gc_first_kept[31], 0x22);
	st.gc = NULL; /* no store: nothing to do */
	CHECK_EQ(menu_cache_gc(&st, &c, test_tmpdir(), &e), 0);
	catalog_free(&c);
}

TEST(menu_boot_conf_and_net_status)
{
	struct menu_boot_conf bc;
	struct menu_net_status ns;
	struct menu_source src;
	struct errmsg e;
	FILE *f;

	CHECK_EQ(menu_boot_conf_load(test_path("none"), &bc, &e), 0);
	CHECK_STR(bc.catalog, "/usr/share/kvmbox/catalog.ini");
	CHECK_STR(bc.cache_dir, "/run/kvmbox/cache");
	CHECK_STR(bc.server, "");
	f = fopen(test_path("boot.conf"), "w");
	fputs("[boot]\nserver = http://10.0.0.1:8080/lab\ncache_dir = /mnt/cache\n"
	      "appliance = desk\nnet = dhcp\nconsole = ttyS0\nautotest = yes\n"
	      "catalog = /media/catalog.ini\n[other]\nserver = no\n", f);
	fclose(f);
	CHECK_EQ(menu_boot_conf_load(test_path("boot.conf"), &bc, &e), 0);
	CHECK_STR(bc.server, "http://10.0.0.1:8080/lab");
	CHECK_STR(bc.cache_dir, "/mnt/cache");
	CHECK_STR(bc.appliance, "desk");
	CHECK_STR(bc.catalog, "/media/catalog.ini");
	CHECK(bc.autotest);
	CHECK(!bc.medium_waiting);
	f = fopen(test_path("boot.conf"), "a");
	fputs("[boot]\nmedium = waiting\n", f);
	fclose(f);
	CHECK_EQ(menu_boot_conf_load(test_path("boot.conf"), &bc, &e), 0);
	CHECK(bc.medium_waiting);
	menu_source_init(&src, &bc);
	CHECK_STR(src.catalog_url, "http://10.0.0.1:8080/lab/catalog.ini");
	CHECK_STR(src.cached_catalog, "/mnt/cache/catalog.ini");
	str_copy(bc.server, sizeof(bc.server), "http://h/x/room.ini");
	menu_source_init(&src, &bc);
	CHECK_STR(src.catalog_url, "http://h/x/room.ini");

	CHECK_EQ(menu_net_status_load(test_path("none"), &ns), -ENOENT);
	CHECK_STR(ns.state, "");
	f = fopen(test_path("net.status"), "w");
	fputs("[net]\nstate = online\nbridge = br0\nuplink = eth0\ncarrier = yes\n"
	      "address = 192.168.1.20/24\nrouter = 192.168.1.1\nupdated = 1700000000\n", f);
	fclose(f);
	CHECK_EQ(menu_net_status_load(test_path("net.status"), &ns), 0);
	CHECK_STR(ns.state, "online");
	CHECK_STR(ns.bridge, "br0");
	CHECK_STR(ns.address, "192.168.1.20/24");
	CHECK(ns.carrier);
}

static int fake_store_path(void *ctx, const uint8_t d[SHA256_LEN], char *path, size_t size)
{
	(void)ctx;
	if (d[0] != 0x22)
		return -ENOENT;
	snprintf(path, size, "/store/22");
	return 0;
}

TEST(menu_file_lookup)
{
	struct menu_boot_conf bc = { .catalog = "" };
	struct menu_source src;
	struct menu_store st = { .path = fake_store_path };
	struct catalog_file in_store = { .name = "b" }, on_medium = { .name = "sub/a" };
	char path[256];
	FILE *f;

	snprintf(bc.catalog, sizeof(bc.catalog), "%s/catalog.ini", test_tmpdir());
	str_copy(bc.cache_dir, sizeof(bc.cache_dir), test_tmpdir());
	menu_source_init(&src, &bc);
	memset(in_store.sha256, 0x22, SHA256_LEN);
	CHECK_EQ(menu_file_find(&src, &st, &in_store, path, sizeof(path)), 0);
	CHECK_STR(path, "/store/22");
	CHECK_EQ(menu_file_find(&src, &st, &on_medium, path, sizeof(path)), -ENOENT);
	mkdir(test_path("sub"), 0755);
	f = fopen(test_path("sub/a"), "w");
	fclose(f);
	CHECK_EQ(menu_file_find(&src, &st, &on_medium, path, sizeof(path)), 0);
	CHECK_STR(path, test_path("sub/a"));
	/* A catalog from the server names files only the store may hold. */
	src.using_cached = true;
	CHECK_EQ(menu_file_find(&src, &st, &on_medium, path, sizeof(path)), -ENOENT);
}
