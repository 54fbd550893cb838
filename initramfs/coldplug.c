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
#include <string.h>
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

/* The modules the devices ask for, each once. */
struct wanted {
	struct module_entry *mods[128];
	size_t n;
};

static void want_for_alias(struct module_table *t, const char *modalias,
			   struct wanted *w)
{
	struct module_entry *found[8];
	size_t n = modtable_match(t, modalias, found, ARRAY_SIZE(found));

	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t k = 0; k < w->n; k++)
			dup |= w->mods[k] == found[i];
		if (!dup && w->n < ARRAY_SIZE(w->mods)) {
			log_debug("%s wants %s", modalias, found[i]->name);
			w->mods[w->n++] = found[i];
		}
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

/*
 * One process per driver: probes (a NIC reading its EEPROM, a disk
 * controller scanning its ports) then run side by side. Two of them
 * needing the same dependency is fine: the kernel loads it once and tells
 * the other it exists.
 */
static int load_parallel(struct module_table *t, struct wanted *w)
{
	pid_t pids[ARRAY_SIZE(w->mods)];
	int loaded = 0, status;

	for (size_t i = 0; i < w->n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int r = modtable_load_module(t, w->mods[i], module_insert_file,
						     t->dir);
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
