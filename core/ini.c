/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The INI-style parser behind the catalog and the settings. Input is
 * untrusted (it comes from a server or a USB stick): lines are bounded,
 * text must be UTF-8, and every problem is reported as "file:line: why".
 */
#include <errno.h>
#include <string.h>

#include "core.h"

#define INI_MAX_LINE 4096
#define INI_MAX_SECTION 256

bool utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i], need, min;
		uint32_t cp;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1, min = 0x80, cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2, min = 0x800, cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= need)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = 0;
	return s;
}

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* Unquotes "…" in place; returns NULL with @why set on a bad string. */
static char *unquote(char *v, const char **why)
{
	char *in = v + 1, *out = v;

	while (*in && *in != '"') {
		if (*in == '\\') {
			in++;
			switch (*in) {
			case 'n': *out++ = '\n'; break;
			case 't': *out++ = '\t'; break;
			case '"': *out++ = '"'; break;
			case '\\': *out++ = '\\'; break;
			default:
				*why = "unknown escape in quoted value";
				return NULL;
			}
			in++;
			continue;
		}
		*out++ = *in++;
	}
	if (*in != '"') {
		*why = "unterminated quoted value";
		return NULL;
	}
	if (*trim(in + 1)) {
		*why = "text after closing quote";
		return NULL;
	}
	*out = 0;
	return v;
}

struct ini_state {
	const char *file;
	ini_cb cb;
	void *ctx;
	struct errmsg *err;
	char section[INI_MAX_SECTION];
};

static int fail(struct ini_state *st, unsigned line, const char *why)
{
	return errmsg_set(st->err, -EINVAL, "%s:%u: %s", st->file, line, why);
}

static int section_line(struct ini_state *st, char *s, unsigned line)
{
	char *close = strchr(s, ']');
	struct ini_item it = { .section = st->section, .line = line,
			       .new_section = true };
	struct errmsg why = { "" };
	int r;

	if (!close)
		return fail(st, line, "missing ']' after section name");
	*close = 0;
	if (*trim(close + 1))
		return fail(st, line, "text after section header");
	s = trim(s + 1);
	if (!*s)
		return fail(st, line, "empty section name");
	if (str_copy(st->section, sizeof(st->section), s) < 0)
		return fail(st, line, "section name too long");
	r = st->cb(st->ctx, &it, &why);
	if (r < 0)
		return errmsg_set(st->err, r, "%s:%u: %s", st->file, line,
				  why.msg[0] ? why.msg : err_str(r));
	return 0;
}

static int key_line(struct ini_state *st, char *s, unsigned line)
{
	char *eq = strchr(s, '='), *key, *val;
	struct errmsg why = { "" };
	const char *bad = NULL;
	int r;

	if (!eq)
		return fail(st, line, "expected 'key = value', '[section]' or a comment");
	*eq = 0;
	key = trim(s);
	if (!*key)
		return fail(st, line, "missing key before '='");
	for (char *k = key; *k; k++)
		if (!key_char(*k))
			return fail(st, line, "bad character in key (allowed: letters, digits, _ . -)");
	val = trim(eq + 1);
	if (*val == '"' && !(val = unquote(val, &bad)))
		return fail(st, line, bad);
	struct ini_item it = { st->section, key, val, line, false };
	r = st->cb(st->ctx, &it, &why);
	if (r < 0)
		return errmsg_set(st->err, r, "%s:%u: %s", st->file, line,
				  why.msg[0] ? why.msg : err_str(r));
	return 0;
}

int ini_parse_buf(const char *filename, const char *buf, size_t len,
		  ini_cb cb, void *ctx, struct errmsg *err)
{
	struct ini_state st = { filename, cb, ctx, err, "" };
	char line[INI_MAX_LINE + 1];
	size_t pos = 0;
	unsigned lineno = 0;

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		pos = 3; /* a UTF-8 byte order mark from a Windows editor */
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		char *s;
		int r;

		lineno++;
		if (n > INI_MAX_LINE)
			return fail(&st, lineno, "line too long");
		if (!utf8_valid(buf + pos, n))
			return fail(&st, lineno, "not valid UTF-8 text");
		memcpy(line, buf + pos, n);
		line[n] = 0;
		pos += n + (nl ? 1 : 0);
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		r = *s == '[' ? section_line(&st, s, lineno)
			      : key_line(&st, s, lineno);
		if (r < 0)
			return r;
	}
	return 0;
}

int ini_parse_file(const char *path, size_t max_size, ini_cb cb, void *ctx,
		   struct errmsg *err)
{
	struct buf b;
	int r;

	buf_init(&b);
	r = read_file(path, max_size, &b);
	if (r < 0) {
		buf_free(&b);
		return errmsg_set(err, r, "%s: %s", path,
				  r == -EFBIG ? "file too large" : err_str(r));
	}
	r = ini_parse_buf(path, (const char *)b.data, b.len, cb, ctx, err);
	buf_free(&b);
	return r;
}
