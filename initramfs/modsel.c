/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Choosing the modules of a boot image: the ones asked for plus everything
 * they depend on, and the modules.dep / modules.alias lines that describe
 * just that set (what PID 1 reads at boot).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "initramfs.h"

struct selection {
	struct module_entry **list;
	size_t n, cap;
};

static bool selected(const struct selection *s, const struct module_entry *m)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->list[i] == m)
			return true;
	return false;
}

static int add_rec(struct module_table *t, struct selection *s,
		   struct module_entry *m, unsigned depth)
{
	if (depth > 32)
		return -ELOOP;
	if (selected(s, m))
		return 0;
	for (size_t i = 0; i < m->ndeps; i++) {
		struct module_entry *d = modtable_find(t, m->deps[i]);
		if (!d) {
			log_warn("module %s: dependency %s not in modules.dep",
				 m->name, m->deps[i]);
			continue;
		}
		int r = add_rec(t, s, d, depth + 1);
		if (r < 0)
			return r;
	}
	if (selected(s, m)) /* a cycle already added it */
		return 0;
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		void *p = realloc(s->list, ncap * sizeof(*s->list));
		if (!p)
			return -ENOMEM;
		s->list = p;
		s->cap = ncap;
	}
	s->list[s->n++] = m;
	return 0;
}

int modsel_resolve(struct module_table *t, const char *const *wanted,
		   size_t nwanted, struct module_entry ***out, size_t *count)
{
	struct selection s = { 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < nwanted; i++) {
		struct module_entry *m = modtable_find(t, wanted[i]);
		if (!m) {
			log_debug("module %s: not in this kernel (built in or absent)",
				  wanted[i]);
			continue;
		}
		r = add_rec(t, &s, m, 0);
	}
	if (r < 0) {
		free(s.list);
		return r;
	}
	*out = s.list;
	*count = s.n;
	return 0;
}

int modsel_format_dep(struct module_entry **sel, size_t n, struct buf *out)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		r = buf_printf(out, "%s:", sel[i]->path);
		for (size_t d = 0; r == 0 && d < sel[i]->ndeps; d++) {
			/* modules.dep names dependencies by path */
			const char *dep = sel[i]->deps[d];
			const char *path = NULL;
			for (size_t k = 0; k < n && !path; k++)
				if (!strcmp(sel[k]->name, dep))
					path = sel[k]->path;
			if (path)
				r = buf_printf(out, " %s", path);
		}
		if (r == 0)
			r = buf_printf(out, "\n");
	}
	return r;
}

int modsel_format_alias(struct module_table *t, struct module_entry **sel,
			size_t n, struct buf *out)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < t->naliases; i++)
		for (size_t k = 0; r == 0 && k < n; k++)
			if (!strcmp(t->aliases[i].module, sel[k]->name)) {
				r = buf_printf(out, "alias %s %s\n",
					       t->aliases[i].pattern,
					       t->aliases[i].module);
				break;
			}
	return r;
}
