/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "initramfs/initramfs.h"
#include "tests/harness.h"

static const char dep[] =
	"kernel/arch/x86/kvm/kvm-amd.ko: kernel/drivers/crypto/ccp/ccp.ko kernel/arch/x86/kvm/kvm.ko kernel/virt/lib/irqbypass.ko\n"
	"kernel/arch/x86/kvm/kvm.ko: kernel/virt/lib/irqbypass.ko\n"
	"kernel/virt/lib/irqbypass.ko:\n"
	"kernel/drivers/crypto/ccp/ccp.ko:\n"
	"kernel/drivers/net/ethernet/intel/e1000/e1000.ko:\n"
	"kernel/fs/isofs/isofs.ko.xz:\n"
	"kernel/loop/a.ko: kernel/loop/b.ko\n"
	"kernel/loop/b.ko: kernel/loop/a.ko\n"
	"kernel/x/broken.ko: kernel/x/missing.ko\n";
static const char alias[] =
	"# Aliases extracted from modules themselves.\n"
	"alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n"
	"alias fs-iso9660 isofs\n"
	"alias cpu:type:x86,ven*fam*mod*:feature:*0046* kvm_amd\n"
	"alias pci:v00008086d0000100Esv*sd*bc02sc*i* e1000\n"
	"garbage line\n";

struct record {
	char loaded[16][64];
	int n;
	const char *fail; /* this path fails with -EPERM */
};

static int recorder(void *ctx, const char *path)
{
	struct record *r = ctx;

	if (r->fail && !strcmp(path, r->fail))
		return -EPERM;
	if (r->n < 16)
		str_copy(r->loaded[r->n++], 64, path);
	return !strcmp(path, "kernel/virt/lib/irqbypass.ko") ? -EEXIST : 0;
}

static void load(struct module_table *t)
{
	struct errmsg err;

	memset(t, 0, sizeof(*t));
	CHECK_EQ(modtable_parse(t, dep, strlen(dep), alias, strlen(alias) - 13, &err), 0);
}

TEST(modules_names_are_normalised)
{
	char n[64];

	module_name_normalise("kernel/arch/x86/kvm/kvm-amd.ko", n, sizeof(n));
	CHECK_STR(n, "kvm_amd");
	module_name_normalise("isofs.ko.xz", n, sizeof(n));
	CHECK_STR(n, "isofs");
	module_name_normalise("kvm-amd", n, sizeof(n));
	CHECK_STR(n, "kvm_amd");
}

TEST(modules_dependencies_load_first_and_once)
{
	struct module_table t;
	struct record r = { 0 };

	load(&t);
	CHECK_EQ(t.nmods, 9);
	CHECK_EQ(t.naliases, 4);
	CHECK_EQ(modtable_load_module(&t, modtable_find(&t, "kvm-amd"), recorder, &r), 0);
	CHECK_EQ(r.n, 4);
	CHECK_STR(r.loaded[0], "kernel/drivers/crypto/ccp/ccp.ko");
	CHECK_STR(r.loaded[1], "kernel/virt/lib/irqbypass.ko"); /* via kvm, first */
	CHECK_STR(r.loaded[2], "kernel/arch/x86/kvm/kvm.ko");
	CHECK_STR(r.loaded[3], "kernel/arch/x86/kvm/kvm-amd.ko");
	CHECK_EQ(modtable_load_module(&t, modtable_find(&t, "kvm"), recorder, &r), 0);
	CHECK_EQ(r.n, 4); /* already there */
	modtable_free(&t);
}

TEST(modules_cycles_missing_and_failures_are_errors_not_crashes)
{
	struct module_table t;
	struct record r = { .fail = "kernel/drivers/crypto/ccp/ccp.ko" };

	load(&t);
	CHECK(modtable_load_module(&t, modtable_find(&t, "a"), recorder, &r) < 0);
	CHECK_EQ(modtable_load_module(&t, modtable_find(&t, "broken"), recorder, &r), -ENOENT);
	CHECK_EQ(modtable_load_module(&t, modtable_find(&t, "kvm_amd"), recorder, &r), -EPERM);
	CHECK_EQ(modtable_find(&t, "kvm_amd")->state, -EPERM);
	CHECK(modtable_find(&t, "nosuch") == NULL);
	modtable_free(&t);
}

TEST(modules_aliases_match_with_wildcards)
{
	struct module_table t;
	struct module_entry *m[4];

	load(&t);
	CHECK_EQ(modtable_match(&t, "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", m, 4), 1);
	CHECK_STR(m[0]->name, "e1000"); /* two patterns, one module */
	CHECK_EQ(modtable_match(&t, "fs-iso9660", m, 4), 1);
	CHECK_STR(m[0]->path, "kernel/fs/isofs/isofs.ko.xz");
	CHECK_EQ(modtable_match(&t, "pci:v000010ECd00008168sv0sd0bc02sc00i00", m, 4), 0);
	modtable_free(&t);
}

TEST(modules_selection_has_dependencies_first)
{
	struct module_table t;
	struct module_entry **sel;
	const char *want[] = { "kvm_amd", "e1000", "nosuch", "kvm" };
	struct buf b;
	size_t n;

	load(&t);
	CHECK_EQ(modsel_resolve(&t, want, 4, &sel, &n), 0);
	CHECK_EQ(n, 5);
	CHECK_STR(sel[0]->name, "ccp");
	CHECK_STR(sel[3]->name, "kvm_amd");
	CHECK_STR(sel[4]->name, "e1000");
	buf_init(&b);
	CHECK_EQ(modsel_format_dep(sel, n, &b), 0);
	buf_terminate(&b);
	CHECK(strstr((char *)b.data, "kernel/arch/x86/kvm/kvm.ko: kernel/virt/lib/irqbypass.ko\n"));
	b.len = 0;
	CHECK_EQ(modsel_format_alias(&t, sel, n, &b), 0);
	buf_terminate(&b);
	CHECK(strstr((char *)b.data, "alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n"));
	CHECK(!strstr((char *)b.data, "isofs"));
	/* What was written reads back as the same set. */
	struct module_table t2 = { 0 };
	struct buf d;
	struct errmsg err;
	buf_init(&d);
	CHECK_EQ(modsel_format_dep(sel, n, &d), 0);
	CHECK_EQ(modtable_parse(&t2, (char *)d.data, d.len, (char *)b.data, b.len, &err), 0);
	CHECK_EQ(t2.nmods, 5);
	CHECK_EQ(t2.naliases, 3);
	modtable_free(&t2);
	buf_free(&d);
	buf_free(&b);
	free(sel);
	modtable_free(&t);
}

TEST(modules_malformed_lines_are_reported)
{
	struct module_table t = { 0 };
	struct errmsg err = { "" };

	CHECK_EQ(modtable_parse(&t, "a.ko:\nno colon here\n", 19, NULL, 0, &err), -EINVAL);
	CHECK(strstr(err.msg, "modules.dep:2"));
	modtable_free(&t);
	CHECK_EQ(modtable_parse(&t, "", 0, alias, strlen(alias), &err), -EINVAL);
	CHECK(strstr(err.msg, "modules.alias:6"));
	modtable_free(&t);
}

TEST(modules_boot_storage_devices_are_recognised)
{
	/* QEMU's IDE, an AHCI and an NVMe controller; xHCI; a USB stick. */
	CHECK(modalias_is_boot_storage("pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80"));
	CHECK(modalias_is_boot_storage("pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01"));
	CHECK(modalias_is_boot_storage("pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02"));
	CHECK(modalias_is_boot_storage("pci:v00008086d0000A36Dsv00001028sd0000085Abc0Csc03i30"));
	CHECK(modalias_is_boot_storage("usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00"));
	CHECK(modalias_is_boot_storage("virtio:d00000002v00001AF4"));
	/* A NIC, an SMBus controller, a USB keyboard, virtio-net, junk. */
	CHECK(!modalias_is_boot_storage("pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00"));
	CHECK(!modalias_is_boot_storage("pci:v00008086d00007113sv00001AF4sd00001100bc06sc80i00"));
	CHECK(!modalias_is_boot_storage("usb:v0627p0001d0000dc00dsc00dp00ic03isc01ip01in00"));
	CHECK(!modalias_is_boot_storage("virtio:d00000001v00001AF4"));
	CHECK(!modalias_is_boot_storage("pci:bc"));
	CHECK(!modalias_is_boot_storage("usb:ic0"));
	CHECK(!modalias_is_boot_storage("virtio:d0000000"));
	CHECK(!modalias_is_boot_storage(""));
}
