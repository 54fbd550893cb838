/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parts of the HTTP client that read untrusted text and touch no socket:
 * URLs, the response head and chunked framing. Kept apart so they can be
 * unit-tested and fuzzed on their own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core.h"

int http_url_parse(const char *url, struct http_url *u, struct errmsg *err)
{
	const char *host, *end, *colon, *path;
	size_t hlen;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "http://", 7))
		return errmsg_set(err, -EINVAL, "%.200s: only http:// URLs are supported", url);
	if (strlen(url) >= HTTP_MAX_URL)
		return errmsg_set(err, -EINVAL, "URL too long");
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return errmsg_set(err, -EINVAL, "%.200s: space or control character in URL", url);
	host = url + 7;
	path = host + strcspn(host, "/?#");
	if (*host == '[') { /* IPv6 literal */
		end = memchr(host, ']', (size_t)(path - host));
		if (!end)
			return errmsg_set(err, -EINVAL, "%.200s: missing ']' in address", url);
		hlen = (size_t)(end - host - 1);
		host++;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (!colon && end + 1 != path)
			return errmsg_set(err, -EINVAL, "%.200s: text after ']'", url);
	} else {
		colon = memchr(host, ':', (size_t)(path - host));
		end = colon ? colon : path;
		hlen = (size_t)(end - host);
	}
	if (memchr(host, '@', (size_t)(path - host)))
		return errmsg_set(err, -EINVAL, "%.200s: user names in URLs are not supported", url);
	if (hlen == 0 || hlen >= sizeof(u->host))
		return errmsg_set(err, -EINVAL, "%.200s: missing or too long host name", url);
	memcpy(u->host, host, hlen);
	u->port = 80;
	if (colon && colon + 1 != path) {
		char port[8];
		uint64_t v;
		size_t plen = (size_t)(path - colon - 1);

		if (plen >= sizeof(port))
			return errmsg_set(err, -EINVAL, "%.200s: bad port", url);
		memcpy(port, colon + 1, plen);
		port[plen] = 0;
		if (parse_u64(port, 1, 65535, &v) < 0 || port[0] == '0')
			return errmsg_set(err, -EINVAL, "%.200s: bad port", url);
		u->port = (uint16_t)v;
	}
	if (*path == '/')
		str_copy(u->path, sizeof(u->path), path);
	else
		snprintf(u->path, sizeof(u->path), "/%s", path);
	/* The fragment is for the client only. */
	u->path[strcspn(u->path, "#")] = 0;
	return 0;
}

int http_url_resolve(const char *base, const char *ref, char *out, size_t size)
{
	const char *host, *slash, *q;
	size_t keep;

	if (!strncasecmp(ref, "http://", 7))
		return str_copy(out, size, ref);
	if (strncasecmp(base, "http://", 7))
		return -EINVAL;
	host = base + 7;
	if (ref[0] == '/') {
		keep = 7 + strcspn(host, "/?#");
	} else {
		/* Folder of @base: up to the last '/' before any query. */
		q = base + 7 + strcspn(host, "?#");
		slash = NULL;
		for (const char *p = host; p < q; p++)
			if (*p == '/')
				slash = p;
		keep = slash ? (size_t)(slash + 1 - base) : (size_t)(q - base);
	}
	if (keep + strlen(ref) + 2 > size)
		return -E2BIG;
	memcpy(out, base, keep);
	out[keep] = 0;
	if (ref[0] != '/' && out[keep - 1] != '/')
		strcat(out, "/");
	strcat(out, ref);
	return 0;
}

/* ---- response head -------------------------------------------------------- */

static const char *find_head_end(const char *buf, size_t len, size_t *head_len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n') {
			*head_len = i + 2;
			return buf + i;
		}
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
			*head_len = i + 3;
			return buf + i;
		}
	}
	return NULL;
}

static int parse_status_line(const char *line, size_t n, struct http_head *h,
			     struct errmsg *err)
{
	char code[4];
	uint64_t v;
	size_t rlen;

	if (n < 12 || strncmp(line, "HTTP/1.", 7) || line[8] != ' ' ||
	    (line[7] != '0' && line[7] != '1'))
		return errmsg_set(err, -EBADMSG, "not an HTTP/1.x response");
	memcpy(code, line + 9, 3);
	code[3] = 0;
	if (parse_u64(code, 100, 599, &v) < 0 || (n > 12 && line[12] != ' '))
		return errmsg_set(err, -EBADMSG, "bad HTTP status code");
	h->status = (int)v;
	h->keep_alive = line[7] == '1'; /* HTTP/1.1 keeps connections by default */
	rlen = n > 13 ? MIN(n - 13, sizeof(h->reason) - 1) : 0;
	for (size_t i = 0; i < rlen; i++) /* shown to people: printable only */
		h->reason[i] = line[13 + i] >= ' ' && line[13 + i] < 0x7f ? line[13 + i] : '?';
	h->reason[rlen] = 0;
	return 0;
}

static int parse_length(const char *v, int64_t *out)
{
	uint64_t n;

	if (parse_u64(v, 0, INT64_MAX, &n) < 0 || v[0] < '0' || v[0] > '9' ||
	    (v[0] == '0' && v[1] == 'x'))
		return -EBADMSG;
	*out = (int64_t)n;
	return 0;
}

/* "bytes START-END/TOTAL" (TOTAL may be '*'). */
static int parse_content_range(char *v, struct http_head *h)
{
	char *dash, *slash;
	int64_t start, end, total = -1;

	if (strncasecmp(v, "bytes ", 6))
		return -EBADMSG;
	v += 6;
	dash = strchr(v, '-');
	slash = strchr(v, '/');
	if (!dash || !slash || slash < dash)
		return -EBADMSG;
	*dash = *slash = 0;
	if (parse_length(v, &start) < 0 || parse_length(dash + 1, &end) < 0 ||
	    end < start || (strcmp(slash + 1, "*") && parse_length(slash + 1, &total) < 0))
		return -EBADMSG;
	if (total >= 0 && end >= total)
		return -EBADMSG;
	h->range_start = start;
	h->total_length = total;
	return 0;
}

static int parse_header(char *line, struct http_head *h, struct errmsg *err)
{
	char *colon = strchr(line, ':'), *v, *e;

	if (!colon || colon == line)
		return errmsg_set(err, -EBADMSG, "malformed header line");
	*colon = 0;
	for (char *p = line; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return errmsg_set(err, -EBADMSG, "malformed header name");
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	e = v + strlen(v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	if (!strcasecmp(line, "Content-Length")) {
		int64_t n;
		if (parse_length(v, &n) < 0 ||
		    (h->content_length >= 0 && h->content_length != n))
			return errmsg_set(err, -EBADMSG, "bad Content-Length");
		h->content_length = n;
	} else if (!strcasecmp(line, "Transfer-Encoding")) {
		if (strcasecmp(v, "chunked"))
			return errmsg_set(err, -EBADMSG, "unsupported Transfer-Encoding '%.40s'", v);
		h->chunked = true;
	} else if (!strcasecmp(line, "Location")) {
		if (str_copy(h->location, sizeof(h->location), v) < 0)
			return errmsg_set(err, -EBADMSG, "Location too long");
	} else if (!strcasecmp(line, "Content-Range")) {
		if (parse_content_range(v, h) < 0)
			return errmsg_set(err, -EBADMSG, "bad Content-Range");
	} else if (!strcasecmp(line, "Connection")) {
		if (strcasestr(v, "close"))
			h->keep_alive = false;
		else if (strcasestr(v, "keep-alive"))
			h->keep_alive = true;
	}
	return 0;
}

int http_head_parse(const char *buf, size_t len, struct http_head *h,
		    struct errmsg *err)
{
	char line[HTTP_MAX_URL + 64];
	size_t head_len, pos;
	int r;

	memset(h, 0, sizeof(*h));
	h->content_length = h->range_start = h->total_length = -1;
	if (!find_head_end(buf, MIN(len, (size_t)HTTP_MAX_HEAD), &head_len))
		return len >= HTTP_MAX_HEAD
			       ? errmsg_set(err, -EBADMSG, "response head too large")
			       : 0;
	for (pos = 0; pos < head_len;) {
		const char *nl = memchr(buf + pos, '\n', head_len - pos);
		size_t n = (size_t)(nl - (buf + pos));

		if (n && buf[pos + n - 1] == '\r')
			n--;
		if (n >= sizeof(line))
			return errmsg_set(err, -EBADMSG, "header line too long");
		memcpy(line, buf + pos, n);
		line[n] = 0;
		if (memchr(line, 0, n))
			return errmsg_set(err, -EBADMSG, "NUL byte in response head");
		if (pos == 0)
			r = parse_status_line(line, n, h, err);
		else if (n == 0)
			break;
		else if (line[0] == ' ' || line[0] == '\t')
			r = errmsg_set(err, -EBADMSG, "folded header lines are not supported");
		else
			r = parse_header(line, h, err);
		if (r < 0)
			return r;
		pos = (size_t)(nl - buf) + 1;
	}
	if (h->chunked)
		h->content_length = -1; /* RFC 9112: chunked wins */
	return (int)head_len;
}

/* ---- chunked transfer coding --------------------------------------------- */

enum { CH_SIZE, CH_EXT, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE };
#define CH_MAX_LINE 4096

void http_chunked_init(struct http_chunked *c)
{
	memset(c, 0, sizeof(*c));
}

static int hex_value(uint8_t ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* One framing byte; returns -EBADMSG on a protocol error. */
static int chunk_byte(struct http_chunked *c, uint8_t ch)
{
	int v;

	switch (c->state) {
	case CH_SIZE:
		v = hex_value(ch);
		if (v >= 0) {
			if (++c->digits > 15)
				return -EBADMSG;
			c->left = c->left << 4 | (uint64_t)v;
			return 0;
		}
		if (!c->digits)
			return -EBADMSG;
		c->state = CH_EXT;
		c->line = 0;
		/* This byte starts the extension or ends the line. */
		__attribute__((fallthrough));
	case CH_EXT:
		if (ch == '\n') {
			c->state = c->left ? CH_DATA : CH_TRAILER;
			c->line = 0;
		} else if (++c->line > CH_MAX_LINE) {
			return -EBADMSG;
		}
		return 0;
	case CH_DATA_END: /* the CRLF after a chunk's data */
		if (ch == '\r' && c->line == 0) {
			c->line = 1;
			return 0;
		}
		if (ch != '\n')
			return -EBADMSG;
		c->state = CH_SIZE;
		c->digits = 0;
		c->left = 0;
		return 0;
	case CH_TRAILER:
		if (ch == '\n') {
			if (c->line == 0) {
				c->state = CH_DONE;
				c->done = true;
			}
			c->line = 0;
		} else if (ch != '\r' || c->line) {
			if (++c->line > CH_MAX_LINE)
				return -EBADMSG;
		}
		return 0;
	}
	return 0;
}

ssize_t http_chunked_decode(struct http_chunked *c, uint8_t *buf, size_t len)
{
	size_t in = 0, out = 0;

	while (in < len && c->state != CH_DONE) {
		if (c->state == CH_DATA) {
			size_t n = (size_t)MIN((uint64_t)(len - in), c->left);

			memmove(buf + out, buf + in, n);
			out += n;
			in += n;
			c->left -= n;
			if (!c->left) {
				c->state = CH_DATA_END;
				c->line = 0;
			}
			continue;
		}
		if (chunk_byte(c, buf[in++]) < 0)
			return -EBADMSG;
	}
	return (ssize_t)out;
}
