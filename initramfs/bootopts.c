/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kvmbox.* words of the kernel command line, and the boot.conf file
 * that hands them to the menu. The command line is typed by people at a
 * boot prompt: anything odd is logged and skipped, never fatal.
 */
#include <string.h>

#include "core/core.h"
#include "initramfs.h"

static bool appliance_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return false;
	return true;
}

static bool net_mode_ok(const char *s)
{
	return !strcmp(s, "dhcp") || !strcmp(s, "off") ||
	       (str_starts(s, "static:") && strchr(s, '/') && s[7]);
}

static bool device_spec_ok(const char *s)
{
	return (str_starts(s, "LABEL=") && s[6]) ||
	       (str_starts(s, "UUID=") && s[5]) ||
	       (str_starts(s, "/dev/") && s[5] && !strstr(s, ".."));
}

static bool test_hook_ok(const char *s)
{
	return !strcmp(s, "kill-menu") || !strcmp(s, "orphans") ||
	       !strcmp(s, "reboot");
}

struct option_desc {
	const char *key;
	size_t offset, size;
	bool (*valid)(const char *);
};

#define OPT(k, field, check) \
	{ k, offsetof(struct boot_options, field), \
	  sizeof(((struct boot_options *)0)->field), check }

static const struct option_desc options[] = {
	OPT("server", server, NULL),
	OPT("cache", cache, device_spec_ok),
	OPT("medium", medium, device_spec_ok),
	OPT("appliance", appliance, appliance_name_ok),
	OPT("net", net, net_mode_ok),
	OPT("console", console, NULL),
	OPT("test-hook", test_hook, test_hook_ok),
};

static void ignore(struct boot_options *o, const char *word, const char *why)
{
	log_warn("kernel command line: ignoring '%s': %s", word, why);
	o->warnings++;
}

static void apply_word(struct boot_options *o, const char *word)
{
	const char *key = word + strlen("kvmbox."), *eq = strchr(key, '=');
	size_t klen = eq ? (size_t)(eq - key) : strlen(key);

	if (klen == 8 && !strncmp(key, "autotest", 8)) {
		o->autotest = true;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const struct option_desc *d = &options[i];
		if (strlen(d->key) != klen || strncmp(key, d->key, klen))
			continue;
		if (!eq || !eq[1])
			return ignore(o, word, "needs a value");
		if (d->valid && !d->valid(eq + 1))
			return ignore(o, word, "malformed value");
		if (str_copy((char *)o + d->offset, d->size, eq + 1) < 0) {
			((char *)o + d->offset)[0] = 0;
			return ignore(o, word, "value too long");
		}
		return;
	}
	ignore(o, word, "unknown kvmbox option");
}

void bootopts_parse(const char *cmdline, struct boot_options *o)
{
	char word[512];

	memset(o, 0, sizeof(*o));
	str_copy(o->net, sizeof(o->net), "dhcp");
	for (const char *p = cmdline; *p;) {
		size_t n = 0;
		bool quoted = false;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		/* The kernel's rule: spaces inside "double quotes" belong. */
		for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (n + 1 < sizeof(word))
				word[n++] = *p;
		}
		word[n] = 0;
		if (str_starts(word, "kvmbox."))
			apply_word(o, word);
		else if (!strcmp(word, "--"))
			break; /* the rest belongs to init's argv */
	}
}

/* Values are written quoted, so any byte a boot prompt allowed survives. */
static int put_value(struct buf *out, const char *key, const char *value)
{
	int r = buf_printf(out, "%s = \"", key);

	for (const char *c = value; r == 0 && *c; c++) {
		if (*c == '"' || *c == '\\')
			r = buf_printf(out, "\\%c", *c);
		else if ((unsigned char)*c >= 0x20 && *c != 0x7f)
			r = buf_append(out, c, 1);
	}
	return r ? r : buf_printf(out, "\"\n");
}

int bootconf_format(const struct boot_options *o, const char *cache_dir,
		    const char *catalog, bool medium_waiting, struct buf *out)
{
	int r = buf_printf(out, "# written by kvmbox init at boot\n[boot]\n");

	if (r == 0) r = put_value(out, "server", o->server);
	if (r == 0) r = put_value(out, "cache_dir", cache_dir);
	if (r == 0) r = put_value(out, "appliance", o->appliance);
	if (r == 0) r = put_value(out, "net", o->net);
	if (r == 0) r = put_value(out, "console", o->console);
	if (r == 0) r = buf_printf(out, "autotest = %s\n", o->autotest ? "yes" : "no");
	if (r == 0) r = put_value(out, "catalog", catalog);
	if (r == 0 && medium_waiting) r = buf_printf(out, "medium = waiting\n");
	return r;
}
