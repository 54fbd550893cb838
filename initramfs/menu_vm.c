/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The `kvmbox vm run …` command line of an appliance: the only way the menu
 * starts a VM (the VMM runs as its own process, so a crash there never takes
 * the menu down).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "initramfs/initramfs.h"

static int add(struct menu_vm_argv *v, struct errmsg *err, const char *fmt, ...)
	PRINTF(3, 4);
static int add(struct menu_vm_argv *v, struct errmsg *err, const char *fmt, ...)
{
	size_t room = sizeof(v->text) - v->used;
	va_list ap;
	int n;

	if (v->argc + 1 >= (int)ARRAY_SIZE(v->argv))
		return errmsg_set(err, -E2BIG, "too many VM arguments");
	va_start(ap, fmt);
	n = vsnprintf(v->text + v->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return errmsg_set(err, -E2BIG, "VM command line too long");
	v->argv[v->argc++] = v->text + v->used;
	v->argv[v->argc] = NULL;
	v->used += (size_t)n + 1;
	return 0;
}

static int add_disks(struct menu_vm_argv *v, const struct catalog_appliance *a,
		     const struct menu_vm_place *pl, unsigned first,
		     struct errmsg *err)
{
	int r = 0;

	for (unsigned i = 0; i < a->ndisks && r == 0; i++) {
		const char *path = pl->paths[first + i];
		const struct catalog_file *d = &a->disks[i];

		r = add(v, err, "--disk");
		if (r < 0)
			break;
		if (d->read_only) /* read-only: the image itself, never written */
			r = add(v, err, "%s,ro", path);
		else if (a->persistent)
			r = add(v, err, "%s,overlay=%s/%s-%u.overlay", path,
				pl->overlay_dir, a->name, i);
		else
			r = add(v, err, "%s,overlay=volatile", path);
	}
	return r;
}

void menu_isolated_bridge(const struct catalog_appliance *a, char out[16])
{
	const char *set = a->isolated_net[0] ? a->isolated_net : "default";
	size_t n = strnlen(set, CATALOG_NET_MAX);

	memcpy(out, "kvi-", 4); /* 4 + at most 11: fits IFNAMSIZ */
	memcpy(out + 4, set, n);
	out[4 + n] = 0;
}

/*
 * "isolated": the appliance set's private bridge (made by the menu before
 * the start); "bridged" needs the bridge the network daemon made: without
 * it, no network card (the appliance still runs, offline). A VLAN makes the
 * tap an access port of it.
 */
static int add_net(struct menu_vm_argv *v, const struct catalog_appliance *a,
		   const struct menu_vm_place *pl, struct errmsg *err)
{
	char vlan[24] = "", isolated[16];
	int r = add(v, err, "--net");

	if (a->vlan)
		snprintf(vlan, sizeof(vlan), ",vlan=%u", a->vlan);
	if (r < 0)
		return r;
	if (a->network == APPLIANCE_NET_ISOLATED) {
		menu_isolated_bridge(a, isolated);
		return add(v, err, "bridge=%s%s", isolated, vlan);
	}
	if (a->network == APPLIANCE_NET_BRIDGED && pl->bridge && pl->bridge[0])
		return add(v, err, "bridge=%s%s", pl->bridge, vlan);
	return add(v, err, "none");
}

int menu_vm_argv_build(struct menu_vm_argv *v, const struct catalog_appliance *a,
		       const struct menu_vm_place *pl, struct errmsg *err)
{
	unsigned next = 0;
	int r;

	memset(v, 0, sizeof(*v));
	if (a->type != APPLIANCE_LOCAL)
		return errmsg_set(err, -EINVAL, "'%s' is not a local appliance", a->name);
	if ((r = add(v, err, "%s", pl->kvmbox)) < 0 || (r = add(v, err, "vm")) < 0 ||
	    (r = add(v, err, "run")) < 0 || (r = add(v, err, "--kernel")) < 0 ||
	    (r = add(v, err, "%s", pl->paths[next++])) < 0)
		return r;
	if (a->initrd.name &&
	    ((r = add(v, err, "--initrd")) < 0 || (r = add(v, err, "%s", pl->paths[next++])) < 0))
		return r;
	if (a->cmdline &&
	    ((r = add(v, err, "--cmdline")) < 0 || (r = add(v, err, "%s", a->cmdline)) < 0))
		return r;
	if ((r = add(v, err, "--mem")) < 0 ||
	    (r = add(v, err, "%llu", (unsigned long long)(a->memory >> 20))) < 0 ||
	    (r = add(v, err, "--cpus")) < 0 || (r = add(v, err, "%u", a->cpus)) < 0)
		return r;
	r = add_disks(v, a, pl, next, err);
	if (r == 0)
		r = add_net(v, a, pl, err);
	if (r == 0 && pl->display)
		r = add(v, err, "--display");
	if (r == 0 && pl->display)
		r = add(v, err, "%s", pl->display);
	/* On the screen, Ctrl+Alt+F12 may stop the appliance for the menu. */
	if (r == 0 && pl->display && a->allow_menu_return)
		r = add(v, err, "--menu-hotkey");
	if (r == 0)
		r = add(v, err, "--serial");
	if (r == 0)
		r = add(v, err, "%s", pl->serial ? pl->serial : "stdio");
	return r;
}
