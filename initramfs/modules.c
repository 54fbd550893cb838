/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel modules without kmod: modules.dep ("path: dep dep ...") and
 * modules.alias ("alias PATTERN module") of one kernel, and loading a
 * module after its dependencies with finit_module(2). The files come from
 * the image, but they are still parsed defensively (bounded lines, bounded
 * dependency depth, no trust in their order).
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/module.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs.h"

#define MODULES_MAX_FILE (16u << 20)
#define MODULES_MAX_DEPTH 32

void module_name_normalise(const char *in, char *out, size_t size)
{
	const char *base = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;
	size_t n = 0;

	for (; *base && *base != '.' && n + 1 < size; base++)
		out[n++] = *base == '-' ? '_' : *base;
	out[n] = 0;
}

static char *next_line(char **cursor, char *end)
{
	char *line = *cursor, *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', (size_t)(end - line));
	if (!nl)
		nl = end;
	*nl = 0;
	*cursor = nl + (nl < end);
	return line;
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int add_dep_line(struct module_table *t, size_t *cap, char *line)
{
	char *colon = strchr(line, ':'), *save = NULL, name[64];
	struct module_entry *m;

	if (!colon || colon == line)
		return -EINVAL;
	*colon = 0;
	if (grow((void **)&t->mods, cap, t->nmods, sizeof(*t->mods)) < 0)
		return -ENOMEM;
	m = &t->mods[t->nmods];
	memset(m, 0, sizeof(*m));
	module_name_normalise(line, name, sizeof(name));
	m->name = strdup(name);
	m->path = strdup(line);
	if (!m->name || !m->path)
		goto nomem;
	t->nmods++;
	size_t dcap = 0;
	for (char *tok = strtok_r(colon + 1, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (grow((void **)&m->deps, &dcap, m->ndeps, sizeof(char *)) < 0)
			return -ENOMEM;
		module_name_normalise(tok, name, sizeof(name));
		if (!(m->deps[m->ndeps] = strdup(name)))
			return -ENOMEM;
		m->ndeps++;
	}
	return 0;
nomem:
	free(m->name);
	free(m->path);
	return -ENOMEM;
}

static int add_alias_line(struct module_table *t, size_t *cap, char *line)
{
	char *save = NULL, name[64];
	char *w0 = strtok_r(line, " \t", &save);
	char *pat = strtok_r(NULL, " \t", &save);
	char *mod = strtok_r(NULL, " \t", &save);

	if (!w0 || strcmp(w0, "alias") || !pat || !mod)
		return -EINVAL;
	if (grow((void **)&t->aliases, cap, t->naliases, sizeof(*t->aliases)) < 0)
		return -ENOMEM;
	module_name_normalise(mod, name, sizeof(name));
	struct module_alias *a = &t->aliases[t->naliases];
	a->pattern = strdup(pat);
	a->module = strdup(name);
	if (!a->pattern || !a->module) {
		free(a->pattern);
		free(a->module);
		return -ENOMEM;
	}
	t->naliases++;
	return 0;
}

typedef int (*line_fn)(struct module_table *t, size_t *cap, char *line);

static int parse_lines(struct module_table *t, const char *what,
		       const char *text, size_t len, line_fn fn,
		       struct errmsg *err)
{
	char *copy = malloc(len + 1), *cur, *line;
	size_t cap = 0;
	unsigned lineno = 0;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = 0;
	cur = copy;
	while (r == 0 && (line = next_line(&cur, copy + len))) {
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		r = fn(t, &cap, line);
		if (r == -EINVAL) /* an embedded NUL just ends a line early */
			errmsg_set(err, r, "%s:%u: malformed line", what, lineno);
	}
	free(copy);
	return r;
}

int modtable_parse(struct module_table *t, const char *dep, size_t dep_len,
		   const char *alias, size_t alias_len, struct errmsg *err)
{
	int r = parse_lines(t, "modules.dep", dep, dep_len, add_dep_line, err);

	if (r == 0 && alias)
		r = parse_lines(t, "modules.alias", alias, alias_len,
				add_alias_line, err);
	if (r == -ENOMEM)
		errmsg_set(err, r, "out of memory reading the module tables");
	return r;
}

int modtable_load(struct module_table *t, const char *dir, struct errmsg *err)
{
	struct buf dep, alias;
	char path[512];
	int r;

	memset(t, 0, sizeof(*t));
	if (str_copy(t->dir, sizeof(t->dir), dir) < 0)
		return errmsg_set(err, -ENAMETOOLONG, "%s: path too long", dir);
	buf_init(&dep);
	buf_init(&alias);
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	r = read_file(path, MODULES_MAX_FILE, &dep);
	if (r < 0) {
		errmsg_set(err, r, "%s: %s", path, err_str(r));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/modules.alias", dir);
	bool have_alias = read_file(path, MODULES_MAX_FILE, &alias) == 0;
	r = modtable_parse(t, (const char *)dep.data, dep.len,
			   have_alias ? (const char *)alias.data : NULL,
			   alias.len, err);
out:
	buf_free(&dep);
	buf_free(&alias);
	return r;
}

void modtable_free(struct module_table *t)
{
	for (size_t i = 0; i < t->nmods; i++) {
		free(t->mods[i].name);
		free(t->mods[i].path);
		for (size_t d = 0; d < t->mods[i].ndeps; d++)
			free(t->mods[i].deps[d]);
		free(t->mods[i].deps);
	}
	for (size_t i = 0; i < t->naliases; i++) {
		free(t->aliases[i].pattern);
		free(t->aliases[i].module);
	}
	free(t->mods);
	free(t->aliases);
	memset(t, 0, sizeof(*t));
}

struct module_entry *modtable_find(struct module_table *t, const char *name)
{
	char norm[64];

	module_name_normalise(name, norm, sizeof(norm));
	for (size_t i = 0; i < t->nmods; i++)
		if (!strcmp(t->mods[i].name, norm))
			return &t->mods[i];
	return NULL;
}

size_t modtable_match(struct module_table *t, const char *modalias,
		      struct module_entry **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < t->naliases && n < max; i++) {
		if (fnmatch(t->aliases[i].pattern, modalias, 0))
			continue;
		struct module_entry *m = modtable_find(t, t->aliases[i].module);
		bool dup = false;
		for (size_t k = 0; m && k < n; k++)
			dup |= out[k] == m;
		if (m && !dup)
			out[n++] = m;
	}
	return n;
}

static int load_rec(struct module_table *t, struct module_entry *m,
		    module_loader load, void *ctx, unsigned depth)
{
	int r;

	if (m->state)
		return m->state > 0 ? 0 : m->state;
	if (depth > MODULES_MAX_DEPTH)
		return -ELOOP;
	m->state = -ELOOP; /* a cycle back to us fails instead of recursing */
	for (size_t i = 0; i < m->ndeps; i++) {
		struct module_entry *d = modtable_find(t, m->deps[i]);
		r = d ? load_rec(t, d, load, ctx, depth + 1) : -ENOENT;
		if (r < 0) {
			log_warn("module %s: dependency %s: %s", m->name, m->deps[i],
				 r == -ELOOP ? "dependency cycle" : err_str(r));
			m->state = r;
			return r;
		}
	}
	r = load(ctx, m->path);
	if (r == -EEXIST)
		r = 0;
	m->state = r == 0 ? 1 : r;
	if (r == -ENODEV) /* e.g. crc32c_intel on a CPU without SSE4.2 */
		log_debug("module %s: no device for it", m->name);
	else if (r < 0)
		log_warn("module %s: %s", m->name, err_str(r));
	else
		log_debug("module %s loaded", m->name);
	return r;
}

int modtable_load_module(struct module_table *t, struct module_entry *m,
			 module_loader load, void *ctx)
{
	return load_rec(t, m, load, ctx, 0);
}

/* "live", "coming", "going" from /sys/module/NAME/initstate, or "". */
static void module_initstate(const char *name, char *out, size_t size)
{
	char path[300];
	int fd;
	ssize_t n = -1;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, out, size - 1);
		close(fd);
	}
	out[n > 0 ? n : 0] = 0;
	if (n > 0 && out[n - 1] == '\n')
		out[n - 1] = 0;
}

/*
 * Whether the kernel already has the module (or gets it from a load under
 * way, waited for up to 10 s). Asking again would cost the kernel a full
 * read and signature check of the file before it finds the duplicate:
 * every modprobe repeats its dependencies, and the uevents of the devices
 * a driver creates ask for drivers that are already there.
 */
static bool module_present(const char *path)
{
	char name[128], state[16];

	module_name_normalise(path, name, sizeof(name));
	for (int ms = 0;; ms += 10) {
		module_initstate(name, state, sizeof(state));
		if (strcmp(state, "coming") || ms >= 10000)
			return !strcmp(state, "live");
		usleep(10000);
	}
}

int module_insert_file(void *ctx, const char *path)
{
	const char *dir = ctx;
	char full[512];
	int flags = 0, fd, r;

	if (snprintf(full, sizeof(full), "%s/%s", dir, path) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	if (module_present(path))
		return -EEXIST;
	/* Compressed modules: the kernel decompresses them itself (5.17+). */
	if (strstr(path, ".ko.xz") || strstr(path, ".ko.zst") || strstr(path, ".ko.gz"))
		flags |= MODULE_INIT_COMPRESSED_FILE;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = (int)syscall(SYS_finit_module, fd, "", flags);
	r = r < 0 ? -errno : 0;
	close(fd);
	return r;
}

int modprobe(struct module_table *t, const char *name_or_alias)
{
	struct module_entry *found[8];
	struct module_entry *m = modtable_find(t, name_or_alias);
	size_t n;
	int r = 0;

	if (m)
		return modtable_load_module(t, m, module_insert_file, t->dir);
	n = modtable_match(t, name_or_alias, found, ARRAY_SIZE(found));
	if (n == 0)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		int ri = modtable_load_module(t, found[i], module_insert_file, t->dir);
		if (ri < 0 && r == 0)
			r = ri;
	}
	return r;
}
