/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Coldplug: the devices the kernel found before PID 1 started wait for
 * their drivers. Each one names what it needs in a "modalias" file under
 * /sys/bus/BUS/devices/DEV/; matching those against modules.alias and
 * loading the result is all udev's coldplug does for drivers.
 */
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs.h"

static int read_small(const char *path, char *out, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read_full(fd, out, size - 1);
	close(fd);
	if (n < 0)
		return (int)n;
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		n--;
	out[n] = 0;
	return (int)n;
}

/* The modules the devices ask for, each once; urgent: on the boot disk's path. */
struct wanted {
	struct module_entry *mods[128];
	bool urgent[128];
	size_t n;
};

/* Hex digits of a modalias field ("bc01" → 0x01) after @key, or -1. */
static long alias_field(const char *modalias, const char *key, unsigned digits)
{
	const char *f = strstr(modalias, key);
	char hex[9] = "";

	if (!f || digits >= sizeof(hex))
		return -1;
	f += strlen(key);
	for (unsigned i = 0; i < digits; i++) {
		if (!((f[i] >= '0' && f[i] <= '9') || (f[i] >= 'A' && f[i] <= 'F') ||
		      (f[i] >= 'a' && f[i] <= 'f')))
			return -1;
		hex[i] = f[i];
	}
	return strtol(hex, NULL, 16);
}

bool modalias_is_boot_storage(const char *modalias)
{
	if (str_starts(modalias, "pci:")) {
		long bc = alias_field(modalias, "bc", 2), sc = alias_field(modalias, "sc", 2);
		return bc == 0x01 || (bc == 0x0c && sc == 0x03); /* disks, USB */
	}
	if (str_starts(modalias, "usb:")) /* interface class 8: mass storage */
		return alias_field(modalias, "ic", 2) == 0x08;
	if (str_starts(modalias, "virtio:")) { /* device 2: block, 8: SCSI */
		long d = alias_field(modalias, ":d", 8);
		return d == 2 || d == 8;
	}
	return false;
}

static void want(struct wanted *w, struct module_entry *m, bool urgent)
{
	for (size_t k = 0; k < w->n; k++)
		if (w->mods[k] == m) {
			w->urgent[k] |= urgent;
			return;
		}
	if (w->n < ARRAY_SIZE(w->mods)) {
		w->urgent[w->n] = urgent;
		w->mods[w->n++] = m;
	}
}

static void want_for_alias(struct module_table *t, const char *modalias,
			   struct wanted *w)
{
	struct module_entry *found[8];
	size_t n = modtable_match(t, modalias, found, ARRAY_SIZE(found));

	for (size_t i = 0; i < n; i++) {
		log_debug("%s wants %s", modalias, found[i]->name);
		want(w, found[i], modalias_is_boot_storage(modalias));
	}
}

static void scan_bus(struct module_table *t, const char *bus, struct wanted *w)
{
	char path[512], alias[512];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/%s/devices", bus);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/modalias",
			     bus, e->d_name) >= (int)sizeof(path))
			continue;
		if (read_small(path, alias, sizeof(alias)) > 0)
			want_for_alias(t, alias, w);
	}
	closedir(d);
}

static bool depends_on(const struct module_entry *m, const char *name)
{
	for (size_t i = 0; i < m->ndeps; i++)
		if (!strcmp(m->deps[i], name))
			return true;
	return false;
}

/*
 * A SCSI-class controller (SATA, IDE, USB storage, virtio-scsi) finds its
 * disks and CD drives only after its own probe; the disk and CD drivers
 * would then be loaded one uevent later. Loaded now, alongside, they are
 * ready when the devices appear.
 */
static void want_disk_drivers(struct module_table *t, struct wanted *w)
{
	static const char *const scsi_class[] = { "sd_mod", "sr_mod" };
	bool scsi = false;

	for (size_t i = 0; i < w->n; i++)
		scsi |= w->urgent[i] && depends_on(w->mods[i], "scsi_mod");
	for (size_t i = 0; scsi && i < ARRAY_SIZE(scsi_class); i++) {
		struct module_entry *m = modtable_find(t, scsi_class[i]);
		if (m)
			want(w, m, true);
	}
}

/*
 * Urgent ones first (stable): they start first and own the dependencies
 * they share with the others. A child waits only for lower indexes.
 */
static void urgent_first(struct wanted *w)
{
	for (size_t i = 1; i < w->n; i++)
		for (size_t k = i; k > 0 && w->urgent[k] && !w->urgent[k - 1]; k--) {
			struct module_entry *m = w->mods[k];
			w->mods[k] = w->mods[k - 1];
			w->mods[k - 1] = m;
			w->urgent[k - 1] = true;
			w->urgent[k] = false;
		}
}

/*
 * One process per driver: probes (a NIC reading its EEPROM, a disk
 * controller scanning its ports) then run side by side. A dependency two
 * of them share (libata, usbcore, scsi_mod) is loaded by the first one
 * only, the others wait until the kernel says it is live: a kernel before
 * 6.4 reads, checks the signature of and lays out a module once per
 * concurrent load of it before it finds the duplicate, which under
 * emulation costs seconds.
 */
#define OWNERS_MAX 256
struct loader_ctx {
	struct module_table *t;
	const struct module_entry *owned[OWNERS_MAX]; /* each module once ... */
	size_t owner[OWNERS_MAX];		      /* ... and who loads it */
	size_t nowned;
	const pid_t *pids;
	size_t self;
};

static void own(struct loader_ctx *c, struct module_table *t,
		const struct module_entry *m, size_t who)
{
	for (size_t k = 0; k < c->nowned; k++)
		if (c->owned[k] == m)
			return;
	if (c->nowned == OWNERS_MAX)
		return; /* the rest is loaded by whoever needs it */
	c->owned[c->nowned] = m;
	c->owner[c->nowned++] = who;
	for (size_t d = 0; d < m->ndeps; d++) {
		const struct module_entry *dep = modtable_find(t, m->deps[d]);
		if (dep)
			own(c, t, dep, who);
	}
}

static bool module_live(const char *name)
{
	char path[300], state[16];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return read_small(path, state, sizeof(state)) > 0 && !strcmp(state, "live");
}

static bool process_running(pid_t pid)
{
	char path[64], stat[256];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, stat, sizeof(stat)) <= 0)
		return false;
	const char *paren = strrchr(stat, ')');
	return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

/* A module_loader: loads what this child owns, waits for the rest. */
static int load_or_wait(void *ctx, const char *path)
{
	struct loader_ctx *c = ctx;
	char name[128];

	module_name_normalise(path, name, sizeof(name));
	for (size_t k = 0; k < c->nowned; k++) {
		if (strcmp(c->owned[k]->name, name) || c->owner[k] == c->self)
			continue;
		/* Bounded: if its owner fails or dies, try it ourselves. */
		for (int ms = 0; ms < 30000 && !module_live(name) &&
				 process_running(c->pids[c->owner[k]]); ms += 5)
			usleep(5000);
		break;
	}
	return module_live(name) ? 0 : module_insert_file(c->t->dir, path);
}

static int load_parallel(struct module_table *t, struct wanted *w)
{
	static struct loader_ctx c; /* copied into each child by fork */
	pid_t pids[ARRAY_SIZE(w->mods)];
	int loaded = 0, status;

	c = (struct loader_ctx){ .t = t, .pids = pids };
	for (size_t i = 0; i < w->n; i++)
		own(&c, t, w->mods[i], i);
	for (size_t i = 0; i < w->n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			/*
			 * The boot medium, the cache and so the menu wait for
			 * the disk drivers: they go before KVM and the network.
			 */
			if (w->urgent[i])
				setpriority(PRIO_PROCESS, 0, -10);
			c.self = i;
			int r = modtable_load_module(t, w->mods[i], load_or_wait, &c);
			if (r == 0)
				log_info("loaded %s", w->mods[i]->name);
			_exit(r == 0 ? 0 : 1);
		}
		if (pids[i] < 0) /* no process to spare: load it here */
			loaded += modtable_load_module(t, w->mods[i], module_insert_file,
						       t->dir) == 0;
	}
	for (size_t i = 0; i < w->n; i++)
		if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			loaded++;
	return loaded;
}

int coldplug(struct module_table *t)
{
	struct wanted w;
	struct dirent *e;
	DIR *d = opendir("/sys/bus");

	if (!d)
		return -errno;
	w.n = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			scan_bus(t, e->d_name, &w);
	closedir(d);
	want_disk_drivers(t, &w);
	urgent_first(&w);
	return load_parallel(t, &w);
}

const char *cpu_kvm_module(void)
{
	unsigned a, b, c, d;

	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 5)))
		return "kvm_intel"; /* VMX */
	if (__get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 2)))
		return "kvm_amd"; /* SVM */
	return NULL;
}
