/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The appliance catalog: parsing and validation of the INI text an admin
 * writes (or a server sends). Every key is checked where it is read, so the
 * error names its line; what needs the whole section (a kernel without its
 * digest, a spice appliance without url) is checked at the end and names the
 * section's header line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define TEXT_MAX 1024 /* title, description, cmdline, url */

enum section_kind { SEC_NONE, SEC_CATALOG, SEC_APPLIANCE };

struct cat_parser {
	struct catalog *c;
	enum section_kind kind;
	struct catalog_appliance *app;
	uint32_t seen;		/* keys already given in this section */
	unsigned autostart_line;
	bool seen_catalog;
	/* Lines of kernel, kernel_sha256, initrd, initrd_sha256 in this section. */
	unsigned pair_line[4];
	const char *filename;
	int deferred;		/* first pairing problem, reported after parsing */
	struct errmsg deferred_msg;
};

/* A problem with the text: -EINVAL and the line saying why. */
#define bad(why, ...) errmsg_set(why, -EINVAL, __VA_ARGS__)

static bool name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CATALOG_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return false;
	return true;
}

/* A name relative to the catalog: no way out of its folder, no odd bytes. */
static bool file_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255 || s[0] == '/')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-+/", *p)))
			return false;
	for (const char *p = s; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
			return false;
		if (*p == '/' || !*p)
			return false; /* "a//b" or a trailing '/' */
	}
	return true;
}

static int set_text(char **dst, const char *v, size_t max, const char *key,
		    struct errmsg *why)
{
	if (strlen(v) > max)
		return bad(why, "%s is longer than %zu bytes", key, max);
	for (const char *p = v; *p; p++) /* descriptions may have line breaks */
		if ((unsigned char)*p < ' ' && *p != '\t' &&
		    !(*p == '\n' && !strcmp(key, "description")))
			return bad(why, "%s contains a control character", key);
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : -ENOMEM;
}

static int set_file(char **dst, const char *v, const char *key, struct errmsg *why)
{
	if (!file_name_valid(v))
		return bad(why, "%s '%.80s' is not a plain relative file name "
				"(letters, digits, . _ - + /, no '..')", key, v);
	return set_text(dst, v, 255, key, why);
}

static int set_digest(uint8_t out[SHA256_LEN], const char *v, const char *key,
		      struct errmsg *why)
{
	if (strlen(v) != 2 * SHA256_LEN || parse_hex(v, out, SHA256_LEN) < 0)
		return bad(why, "%s must be 64 hex digits", key);
	return 0;
}

static int set_choice(const char *v, const char *const *names, int n, int *out,
		      const char *key, const char *allowed, struct errmsg *why)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	return bad(why, "%s must be %s, not '%.40s'", key, allowed, v);
}

static int set_uint(const char *v, uint64_t min, uint64_t max, unsigned *out,
		    const char *key, struct errmsg *why)
{
	uint64_t n;

	if (parse_u64(v, min, max, &n) < 0)
		return bad(why, "%s must be a number from %llu to %llu", key,
			   (unsigned long long)min, (unsigned long long)max);
	*out = (unsigned)n;
	return 0;
}

static int set_yesno(const char *v, bool *out, const char *key, struct errmsg *why)
{
	if (parse_bool(v, out) < 0)
		return bad(why, "%s must be yes or no", key);
	return 0;
}

/* "FILE sha256=HEX[ ro]" */
static int add_disk(struct catalog_appliance *a, const char *v, struct errmsg *why)
{
	char tmp[512], *save = NULL, *tok;
	struct catalog_file *f;
	bool have_digest = false;
	int r;

	if (a->ndisks == CATALOG_MAX_DISKS)
		return bad(why, "more than %d disks", CATALOG_MAX_DISKS);
	if (str_copy(tmp, sizeof(tmp), v) < 0)
		return bad(why, "disk line too long");
	f = &a->disks[a->ndisks];
	tok = strtok_r(tmp, " \t", &save);
	if (!tok)
		return bad(why, "disk needs 'FILE sha256=HEX [ro]'");
	r = set_file(&f->name, tok, "disk file", why);
	a->ndisks++; /* from here on catalog_free releases the name */
	if (r < 0)
		return r;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (!strncmp(tok, "sha256=", 7)) {
			r = set_digest(f->sha256, tok + 7, "disk sha256", why);
			if (r < 0)
				return r;
			have_digest = true;
		} else if (!strcmp(tok, "ro")) {
			f->read_only = true;
		} else {
			return bad(why, "unknown disk option '%.40s' (expected sha256=HEX or ro)", tok);
		}
	}
	if (!have_digest)
		return bad(why, "disk '%.80s' needs sha256=HEX", f->name);
	return 0;
}

static const char *const catalog_keys[] = {
	"title", "autostart", "autostart_delay", "admin_password", "refresh",
	"cache_budget", "multicast",
};

/* "off", or the IPv4 multicast group ADDR[:PORT] where sessions are announced. */
static int set_multicast(struct catalog *c, const char *v, struct errmsg *why)
{
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	char addr[16];
	struct in_addr a;
	uint64_t port;

	if (strcmp(v, "off")) {
		if (n >= sizeof(addr))
			goto bad;
		memcpy(addr, v, n);
		addr[n] = 0;
		if (inet_pton(AF_INET, addr, &a) != 1 || (ntohl(a.s_addr) >> 28) != 14 ||
		    (colon && parse_u64(colon + 1, 1, 65535, &port) < 0))
			goto bad;
	}
	return str_copy(c->multicast, sizeof(c->multicast), v);
bad:
	return bad(why, "multicast must be off or a group ADDR[:PORT] (224.0.0.0 to 239.255.255.255)");
}

static int catalog_key(struct cat_parser *p, int k, const struct ini_item *it,
		       struct errmsg *why)
{
	struct catalog *c = p->c;
	const char *v = it->value;

	switch (k) {
	case 0:
		return set_text(&c->title, v, 200, "title", why);
	case 1:
		if (!name_valid(v))
			return bad(why, "autostart must be an appliance name ([a-z0-9_-]+)");
		p->autostart_line = it->line;
		return str_copy(c->autostart, sizeof(c->autostart), v);
	case 2:
		return set_uint(v, 0, 3600, &c->autostart_delay, "autostart_delay", why);
	case 3:
		if (strncmp(v, "sha256:", 7))
			return bad(why, "admin_password must be sha256:HEX (the SHA-256 of the password)");
		c->has_admin_password = true;
		return set_digest(c->admin_sha256, v + 7, "admin_password", why);
	case 4:
		return set_uint(v, 0, 7 * 86400, &c->refresh, "refresh", why);
	case 5:
		if (parse_size_unit(v, 1 << 20, &c->cache_budget) < 0 ||
		    c->cache_budget < (1u << 20) || c->cache_budget > (1ull << 50))
			return bad(why, "cache_budget must be a size from 1M to 1P (e.g. 20G); bare numbers are MiB");
		return 0;
	case 6:
		return set_multicast(c, v, why);
	}
	return -EINVAL;
}

static const char *const appliance_keys[] = {
	"title", "description", "icon", "type", "url", "kernel", "kernel_sha256",
	"initrd", "initrd_sha256", "cmdline", "disk", "overlay", "memory", "cpus",
	"network", "vlan", "mode", "access", "allow_menu_return", "isolated_net",
};
enum { K_DISK = 10 };

static int appliance_key(struct catalog_appliance *a, int k, const char *v,
			 struct errmsg *why)
{
	static const char *const types[] = { "local", "spice" };
	static const char *const overlays[] = { "volatile", "persistent" };
	static const char *const nets[] = { "bridged", "isolated", "none" };
	static const char *const modes[] = { "foreground", "ghost" };
	static const char *const access[] = { "everyone", "admin" };
	int choice = 0, r;

	switch (k) {
	case 0: return set_text(&a->title, v, 200, "title", why);
	case 1: return set_text(&a->description, v, TEXT_MAX, "description", why);
	case 2: return set_file(&a->icon, v, "icon", why);
	case 3:
		r = set_choice(v, types, 2, &choice, "type", "local or spice", why);
		a->type = (enum appliance_type)choice;
		return r;
	case 4:
		if (strncmp(v, "spice://", 8) || !v[8])
			return bad(why, "url must be spice://host:port");
		return set_text(&a->url, v, 255, "url", why);
	case 5: return set_file(&a->kernel.name, v, "kernel", why);
	case 6: return set_digest(a->kernel.sha256, v, "kernel_sha256", why);
	case 7: return set_file(&a->initrd.name, v, "initrd", why);
	case 8: return set_digest(a->initrd.sha256, v, "initrd_sha256", why);
	case 9: return set_text(&a->cmdline, v, TEXT_MAX, "cmdline", why);
	case K_DISK: return add_disk(a, v, why);
	case 11:
		r = set_choice(v, overlays, 2, &choice, "overlay", "volatile or persistent", why);
		a->persistent = choice == 1;
		return r;
	case 12:
		if (parse_size_unit(v, 1 << 20, &a->memory) < 0 ||
		    a->memory < (16u << 20) || a->memory > (1ull << 40) ||
		    a->memory % (1 << 20))
			return bad(why, "memory must be a size from 16M to 1T in whole MiB (e.g. 512M, 2G)");
		return 0;
	case 13: return set_uint(v, 1, 64, &a->cpus, "cpus", why);
	case 14:
		r = set_choice(v, nets, 3, &choice, "network", "bridged, isolated or none", why);
		a->network = (enum appliance_network)choice;
		return r;
	case 15: return set_uint(v, 1, 4094, &a->vlan, "vlan", why);
	case 16:
		r = set_choice(v, modes, 2, &choice, "mode", "foreground or ghost", why);
		a->ghost = choice == 1;
		return r;
	case 17:
		r = set_choice(v, access, 2, &choice, "access", "everyone or admin", why);
		a->admin_only = choice == 1;
		return r;
	case 18: return set_yesno(v, &a->allow_menu_return, "allow_menu_return", why);
	case 19:
		if (!name_valid(v) || strlen(v) > CATALOG_NET_MAX)
			return bad(why, "isolated_net must be 1-%d of a-z 0-9 _ -", CATALOG_NET_MAX);
		return str_copy(a->isolated_net, sizeof(a->isolated_net), v);
	}
	return -EINVAL;
}

static int find_key(const char *key, const char *const *keys, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(key, keys[i]))
			return i;
	return -1;
}

/*
 * A file and its digest come in pairs; checked when the section ends and
 * reported at the lonely key's line.
 */
static int pairs_problem(struct cat_parser *p, const char *filename,
			 struct errmsg *err)
{
	static const char *const what[] = { "kernel needs kernel_sha256",
					    "kernel_sha256 without kernel",
					    "initrd needs initrd_sha256",
					    "initrd_sha256 without initrd" };
	unsigned *l = p->pair_line;

	for (int k = 0; k < 4; k += 2) {
		if (l[k] && !l[k + 1])
			return errmsg_set(err, -EINVAL, "%s:%u: %s", filename, l[k], what[k]);
		if (!l[k] && l[k + 1])
			return errmsg_set(err, -EINVAL, "%s:%u: %s", filename, l[k + 1],
					  what[k + 1]);
	}
	memset(p->pair_line, 0, sizeof(p->pair_line));
	return 0;
}

static int new_section(struct cat_parser *p, const char *name, unsigned line,
		       struct errmsg *why)
{
	struct catalog *c = p->c;
	struct catalog_appliance *a;
	struct errmsg e;

	if (pairs_problem(p, p->filename, &e) < 0 && !p->deferred) {
		p->deferred = -EINVAL;
		p->deferred_msg = e;
	}
	p->seen = 0;
	if (!strcmp(name, "catalog")) {
		if (p->seen_catalog)
			return bad(why, "second [catalog] section");
		p->seen_catalog = true;
		p->kind = SEC_CATALOG;
		return 0;
	}
	if (strncmp(name, "appliance ", 10))
		return bad(why, "unknown section [%.60s] (expected [catalog] or [appliance NAME])", name);
	name += 10;
	while (*name == ' ')
		name++;
	if (!name_valid(name))
		return bad(why, "appliance name '%.60s' must be 1-%d of a-z 0-9 _ -",
			   name, CATALOG_NAME_MAX);
	if (catalog_find(c, name))
		return bad(why, "appliance '%s' defined twice", name);
	if (c->napps == CATALOG_MAX_APPLIANCES)
		return bad(why, "more than %d appliances", CATALOG_MAX_APPLIANCES);
	a = realloc(c->apps, (c->napps + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	c->apps = a;
	a = &c->apps[c->napps++];
	memset(a, 0, sizeof(*a));
	str_copy(a->name, sizeof(a->name), name);
	a->line = line;
	a->memory = 512u << 20;
	a->cpus = 1;
	p->app = a;
	p->kind = SEC_APPLIANCE;
	return 0;
}

static int on_item(void *ctx, const struct ini_item *it, struct errmsg *why)
{
	struct cat_parser *p = ctx;
	int k;

	if (it->new_section)
		return new_section(p, it->section, it->line, why);
	if (p->kind == SEC_NONE)
		return bad(why, "'%s' outside any section", it->key);
	if (p->kind == SEC_CATALOG)
		k = find_key(it->key, catalog_keys, ARRAY_SIZE(catalog_keys));
	else
		k = find_key(it->key, appliance_keys, ARRAY_SIZE(appliance_keys));
	if (k < 0)
		return bad(why, "unknown key '%.60s' in [%.60s]", it->key, it->section);
	if (p->seen & (1u << k) && !(p->kind == SEC_APPLIANCE && k == K_DISK))
		return bad(why, "'%s' given twice", it->key);
	p->seen |= 1u << k;
	if (p->kind == SEC_APPLIANCE && k >= 5 && k <= 8)
		p->pair_line[k - 5] = it->line;
	if (p->kind == SEC_CATALOG)
		return catalog_key(p, k, it, why);
	return appliance_key(p->app, k, it->value, why);
}

/* Checks what needs the whole appliance section; returns "why" or NULL. */
static const char *appliance_problem(const struct catalog_appliance *a)
{
	if (!a->title)
		return "title is missing";
	if (a->type == APPLIANCE_SPICE) {
		if (!a->url)
			return "type = spice needs url = spice://host:port";
		if (a->kernel.name || a->initrd.name || a->ndisks)
			return "type = spice takes no kernel, initrd or disk";
		if (a->ghost)
			return "type = spice cannot run as a ghost";
		return NULL;
	}
	if (a->url)
		return "url is only for type = spice";
	if (a->isolated_net[0] && a->network != APPLIANCE_NET_ISOLATED)
		return "isolated_net is only for network = isolated";
	if (!a->kernel.name)
		return "kernel is missing";
	return NULL;
}

static int validate(struct cat_parser *p, const char *filename, struct errmsg *err)
{
	struct catalog *c = p->c;

	for (size_t i = 0; i < c->napps; i++) {
		const struct catalog_appliance *a = &c->apps[i];
		const char *why = appliance_problem(a);

		if (why)
			return errmsg_set(err, -EINVAL, "%s:%u: appliance '%s': %s",
					  filename, a->line, a->name, why);
	}
	if (c->autostart[0]) {
		const struct catalog_appliance *a = catalog_find(c, c->autostart);

		if (!a)
			return errmsg_set(err, -EINVAL, "%s:%u: autostart names no appliance ('%s')",
					  filename, p->autostart_line, c->autostart);
		if (a->ghost || a->admin_only)
			return errmsg_set(err, -EINVAL, "%s:%u: autostart '%s' is a ghost or admin-only appliance",
					  filename, p->autostart_line, c->autostart);
	}
	if (!c->title && !(c->title = strdup("kvmbox")))
		return errmsg_set(err, -ENOMEM, "out of memory");
	return 0;
}

int catalog_parse(const char *filename, const char *text, size_t len,
		  struct catalog *c, struct errmsg *err)
{
	struct cat_parser p = { .c = c, .filename = filename };
	int r;

	memset(c, 0, sizeof(*c));
	c->autostart_delay = 10;
	c->refresh = 300;
	if (len > CATALOG_MAX_FILE)
		r = errmsg_set(err, -EFBIG, "%s: larger than %u bytes", filename, CATALOG_MAX_FILE);
	else
		r = ini_parse_buf(filename, text, len, on_item, &p, err);
	if (r == 0 && p.deferred)
		r = errmsg_set(err, p.deferred, "%s", p.deferred_msg.msg);
	if (r == 0)
		r = pairs_problem(&p, filename, err);
	if (r == 0)
		r = validate(&p, filename, err);
	if (r < 0)
		catalog_free(c);
	return r;
}

int catalog_load(const char *path, struct catalog *c, struct errmsg *err)
{
	struct buf b;
	int r;

	memset(c, 0, sizeof(*c));
	buf_init(&b);
	r = read_file(path, CATALOG_MAX_FILE, &b);
	if (r < 0) {
		buf_free(&b);
		return errmsg_set(err, r, "%s: %s", path,
				  r == -EFBIG ? "file too large" : err_str(r));
	}
	r = catalog_parse(path, (const char *)b.data, b.len, c, err);
	buf_free(&b);
	return r;
}

static void file_free(struct catalog_file *f)
{
	free(f->name);
	f->name = NULL;
}

void catalog_free(struct catalog *c)
{
	for (size_t i = 0; i < c->napps; i++) {
		struct catalog_appliance *a = &c->apps[i];

		free(a->title);
		free(a->description);
		free(a->icon);
		free(a->url);
		free(a->cmdline);
		file_free(&a->kernel);
		file_free(&a->initrd);
		for (unsigned d = 0; d < a->ndisks; d++)
			file_free(&a->disks[d]);
	}
	free(c->apps);
	free(c->title);
	memset(c, 0, sizeof(*c));
}

const struct catalog_appliance *catalog_find(const struct catalog *c,
					     const char *name)
{
	for (size_t i = 0; i < c->napps; i++)
		if (!strcmp(c->apps[i].name, name))
			return &c->apps[i];
	return NULL;
}

bool catalog_password_ok(const struct catalog *c, const char *password)
{
	uint8_t d[SHA256_LEN];
	uint8_t diff = 0;

	if (!c->has_admin_password)
		return false;
	sha256(password, strlen(password), d);
	for (int i = 0; i < SHA256_LEN; i++) /* constant time */
		diff |= d[i] ^ c->admin_sha256[i];
	return diff == 0;
}

size_t catalog_files(const struct catalog_appliance *a,
		     const struct catalog_file **out, size_t max)
{
	size_t n = 0;

	if (a->kernel.name && n < max)
		out[n++] = &a->kernel;
	if (a->initrd.name && n < max)
		out[n++] = &a->initrd;
	for (unsigned i = 0; i < a->ndisks && n < max; i++)
		out[n++] = &a->disks[i];
	return n;
}
