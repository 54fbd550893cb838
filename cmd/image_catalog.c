/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The catalog edit of `image publish`: one disk line of one appliance is
 * rewritten, every other byte (comments, order, layout) stays as the admin
 * wrote it, and the result must pass catalog validation before it replaces
 * the file atomically.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/image.h"
#include "core/core.h"

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Whether [p, end) is the header "[appliance NAME]". */
static bool is_header_of(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);

	p = skip_space(p, end);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (end - p < 2 || *p != '[' || end[-1] != ']')
		return false;
	p = skip_space(p + 1, end - 1);
	if ((size_t)(end - 1 - p) < 9 || strncmp(p, "appliance", 9))
		return false;
	p = skip_space(p + 9, end - 1);
	const char *e = end - 1;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return (size_t)(e - p) == n && !strncmp(p, name, n);
}

static bool is_header(const char *p, const char *end)
{
	p = skip_space(p, end);
	return p < end && *p == '[';
}

/* "disk = VALUE": the value's start, or NULL. */
static const char *disk_value(const char *p, const char *end)
{
	p = skip_space(p, end);
	if (end - p < 4 || strncmp(p, "disk", 4))
		return NULL;
	p = skip_space(p + 4, end);
	return p < end && *p == '=' ? skip_space(p + 1, end) : NULL;
}

static bool has_ro(const char *v, const char *end)
{
	for (const char *p = v; p + 2 <= end; p++)
		if ((p == v || p[-1] == ' ' || p[-1] == '\t') && !strncmp(p, "ro", 2) &&
		    (p + 2 == end || isspace((unsigned char)p[2])))
			return true;
	return false;
}

/* Rewrites @in into @out; -ENOENT when the appliance is not there. */
static int rewrite(const struct buf *in, const char *name, const char *file,
		   const char *hex, struct buf *out)
{
	const char *p = (const char *)in->data, *end = p + in->len;
	bool in_app = false, done = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *v;
		size_t len = (size_t)((nl ? nl + 1 : end) - p);

		if (is_header(p, le)) {
			if (in_app && !done) { /* no disk line: add one */
				buf_printf(out, "disk = %s sha256=%s\n", file, hex);
				done = true;
			}
			in_app = is_header_of(p, le, name);
		} else if (in_app && !done && (v = disk_value(p, le))) {
			const char *ve = le > v && le[-1] == '\r' ? le - 1 : le;
			buf_printf(out, "disk = %s sha256=%s%s\n", file, hex,
				   has_ro(v, ve) ? " ro" : "");
			done = true;
			p += len;
			continue;
		}
		buf_append(out, p, len);
		if (!nl && in_app && !done && p + len == end)
			buf_append(out, "\n", 1);
		p += len;
	}
	if (in_app && !done) {
		buf_printf(out, "disk = %s sha256=%s\n", file, hex);
		done = true;
	}
	return done ? 0 : -ENOENT;
}

int image_publish_catalog(const char *catalog, const char *name, const char *file,
			  const uint8_t digest[32], struct errmsg *err)
{
	struct buf in, out;
	struct catalog c;
	char hex[65];
	int r;

	format_hex(digest, 32, hex);
	buf_init(&in);
	buf_init(&out);
	r = read_file(catalog, CATALOG_MAX_FILE, &in);
	if (r < 0) {
		r = errmsg_set(err, r, "%s: %s", catalog, err_str(r));
		goto out;
	}
	r = rewrite(&in, name, file, hex, &out);
	if (r == -ENOENT) {
		r = errmsg_set(err, r, "%s: no [appliance %s] to point at the image", catalog, name);
		goto out;
	}
	r = catalog_parse(catalog, (const char *)out.data, out.len, &c, err);
	if (r < 0)
		goto out; /* err: "catalog:line: problem" */
	catalog_free(&c);
	r = write_file_atomic(catalog, out.data, out.len, 0644);
	if (r < 0)
		r = errmsg_set(err, r, "%s: cannot write: %s", catalog, err_str(r));
out:
	buf_free(&in);
	buf_free(&out);
	return r;
}
