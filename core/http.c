/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HTTP/1.1 client's network side: connect with a timeout, send a GET,
 * read the head, stream the body (Content-Length, chunked or until close),
 * follow a bounded number of redirects. http_get is one request per
 * connection ("Connection: close"); a session keeps its connection alive
 * between requests (image chunks by Range) while the server allows it.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core.h"

#define HTTP_DEFAULT_TIMEOUT_MS 10000
#define HTTP_DEFAULT_REDIRECTS 5
#define HTTP_IO_CHUNK 65536

struct http_conn {
	int fd;
	unsigned timeout_ms;
	const char *url; /* for messages */
};

static int wait_fd(struct http_conn *c, short events, struct errmsg *err)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	int r;

	do
		r = poll(&p, 1, (int)c->timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errmsg_set(err, -errno, "%.200s: %s", c->url, strerror(errno));
	if (r == 0)
		return errmsg_set(err, -ETIMEDOUT, "%.200s: no answer from the server within %u s",
				  c->url, (c->timeout_ms + 999) / 1000);
	return 0;
}

static int try_connect(struct http_conn *c, const struct addrinfo *cand,
		       struct errmsg *err)
{
	int soerr = 0, r;
	socklen_t sl = sizeof(soerr);

	c->fd = socket(cand->ai_family, cand->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       cand->ai_protocol);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, cand->ai_addr, cand->ai_addrlen) < 0 && errno != EINPROGRESS) {
		r = -errno;
		goto fail;
	}
	r = wait_fd(c, POLLOUT, err);
	if (r < 0)
		goto fail;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (!soerr)
		return 0;
	r = -soerr;
fail:
	close(c->fd);
	c->fd = -1;
	return r;
}

static int http_connect(struct http_conn *c, const struct http_url *u,
			struct errmsg *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *cand;
	char port[8];
	int r;

	snprintf(port, sizeof(port), "%u", u->port);
	r = getaddrinfo(u->host, port, &hints, &res);
	if (r)
		return errmsg_set(err, -EHOSTUNREACH, "%.200s: cannot resolve '%s': %s",
				  c->url, u->host, gai_strerror(r));
	r = -ECONNREFUSED;
	for (cand = res; cand; cand = cand->ai_next) {
		r = try_connect(c, cand, err);
		if (r == 0 || r == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (r == -ETIMEDOUT)
		return r; /* message already set */
	if (r < 0)
		return errmsg_set(err, r, "%.200s: cannot connect to %s port %u: %s",
				  c->url, u->host, u->port, err_str(r));
	return 0;
}

static int send_all(struct http_conn *c, const char *p, size_t len,
		    struct errmsg *err)
{
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_fd(c, POLLOUT, err);
			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return errmsg_set(err, -errno, "%.200s: sending the request: %s",
					  c->url, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads what is available (waiting up to the timeout); 0 at end of stream. */
static ssize_t recv_some(struct http_conn *c, void *buf, size_t size,
			 struct errmsg *err)
{
	for (;;) {
		ssize_t n = recv(c->fd, buf, size, 0);

		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EINTR)
			return errmsg_set(err, -errno, "%.200s: %s", c->url, strerror(errno));
		int r = wait_fd(c, POLLIN, err);
		if (r < 0)
			return r;
	}
}

/* ---- one exchange ----------------------------------------------------------- */

struct http_session {
	struct http_conn c;	/* fd -1 while not connected */
	char host[256];		/* what c is connected to */
	uint16_t port;
	bool one_shot;		/* http_get: "Connection: close" */
	unsigned timeout_ms;
	unsigned connects;
	uint8_t *buf;		/* HTTP_IO_BUF + 1 bytes */
	char url[HTTP_MAX_URL]; /* final URL of the last request */
};

#define HTTP_IO_BUF MAX(4 * HTTP_IO_CHUNK, HTTP_MAX_HEAD)

static void disconnect(struct http_session *s)
{
	if (s->c.fd >= 0)
		close(s->c.fd);
	s->c.fd = -1;
}

static int send_request(struct http_session *s, const struct http_url *u,
			const struct http_get_opts *o, struct errmsg *err)
{
	char req[HTTP_MAX_URL + 512], host[300];
	int n;

	bool v6 = strchr(u->host, ':') != NULL;
	int h = snprintf(host, sizeof(host), "%s%s%s", v6 ? "[" : "", u->host, v6 ? "]" : "");

	if (u->port != 80)
		snprintf(host + h, sizeof(host) - (size_t)h, ":%u", u->port);
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: %s\r\n"
		     "User-Agent: kvmbox/" KVMBOX_VERSION "\r\n"
		     "Accept-Encoding: identity\r\nConnection: %s\r\n",
		     u->path, host, s->one_shot ? "close" : "keep-alive");
	if (o->end > o->offset)
		n += snprintf(req + n, sizeof(req) - (size_t)n, "Range: bytes=%llu-%llu\r\n",
			      (unsigned long long)o->offset, (unsigned long long)o->end - 1);
	else if (o->offset)
		n += snprintf(req + n, sizeof(req) - (size_t)n,
			      "Range: bytes=%llu-\r\n", (unsigned long long)o->offset);
	n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
	return send_all(&s->c, req, (size_t)n, err);
}

struct body_state {
	const struct http_get_opts *o;
	struct http_conn *c;
	uint64_t received;
	bool clean; /* the body ended exactly where the framing said */
};

static int deliver(struct body_state *b, const uint8_t *p, size_t n,
		   struct errmsg *err)
{
	if (!n)
		return 0;
	b->received += n;
	if (b->o->max_size && b->received > b->o->max_size)
		return errmsg_set(err, -EFBIG, "%.200s: larger than %llu bytes", b->c->url,
				  (unsigned long long)b->o->max_size);
	if (b->o->on_data && b->o->on_data(b->o->ctx, p, n))
		return errmsg_set(err, -ECANCELED, "%.200s: download stopped", b->c->url);
	return 0;
}

/* Streams the body whose first @have bytes are already in @buf. */
static int read_body(struct body_state *b, const struct http_head *h,
		     uint8_t *buf, size_t have, struct errmsg *err)
{
	struct http_chunked ch;
	bool until_close = !h->chunked && h->content_length < 0;
	uint64_t left = h->content_length > 0 ? (uint64_t)h->content_length : 0;
	int r;

	http_chunked_init(&ch);
	if (h->status == 204 || h->status == 304 || (!h->chunked && h->content_length == 0)) {
		b->clean = !have;
		return 0;
	}
	if (b->o->max_size && h->content_length > 0 &&
	    (uint64_t)h->content_length > b->o->max_size)
		return errmsg_set(err, -EFBIG, "%.200s: %lld bytes, more than the %llu allowed",
				  b->c->url, (long long)h->content_length,
				  (unsigned long long)b->o->max_size);
	for (;;) {
		size_t use = have;

		if (h->chunked) {
			ssize_t n = http_chunked_decode(&ch, buf, have);
			if (n < 0)
				return errmsg_set(err, -EBADMSG, "%.200s: bad chunked encoding", b->c->url);
			use = (size_t)n;
		} else if (!until_close) {
			use = (size_t)MIN((uint64_t)have, left);
			left -= use;
		}
		r = deliver(b, buf, use, err);
		if (r < 0)
			return r;
		if (!h->chunked && !until_close && !left) {
			b->clean = use == have; /* nothing of a next answer read */
			return 0;
		}
		if (h->chunked && ch.done)
			return 0; /* how much was framing is unknown: not reused */
		ssize_t n = recv_some(b->c, buf, HTTP_IO_BUF, err);
		if (n < 0)
			return (int)n;
		if (n == 0) {
			if (until_close)
				return 0;
			return errmsg_set(err, -EPIPE, "%.200s: connection closed after %llu bytes%s",
					  b->c->url, (unsigned long long)b->received,
					  h->chunked ? " (unfinished chunked body)" : "");
		}
		have = (size_t)n;
	}
}

static int status_error(const char *url, const struct http_head *h,
			struct errmsg *err)
{
	int code = h->status == 404 || h->status == 410	  ? -ENOENT
		   : h->status == 401 || h->status == 403 ? -EACCES
		   : h->status == 416			  ? -ERANGE
							  : -EIO;
	return errmsg_set(err, code, "%.200s: HTTP %d %s", url, h->status, h->reason);
}

static bool is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 ||
	       status == 308;
}

/* Reads until a whole head is in s->buf; *have counts what came. */
static int read_head(struct http_session *s, struct http_head *h, size_t *have,
		     struct errmsg *err)
{
	*have = 0;
	for (;;) {
		struct errmsg why;
		ssize_t n = recv_some(&s->c, s->buf + *have, HTTP_MAX_HEAD - *have, err);
		int r;

		if (n < 0)
			return (int)n;
		if (n == 0)
			return errmsg_set(err, -EPIPE, "%.200s: connection closed before a complete answer",
					  s->c.url);
		*have += (size_t)n;
		r = http_head_parse((const char *)s->buf, *have, h, &why);
		if (r < 0)
			return errmsg_set(err, r, "%.200s: %s", s->c.url, why.msg);
		if (r > 0)
			return r;
	}
}

/* Connects (or reuses the connection), sends, reads the head. */
static int request(struct http_session *s, const struct http_url *u,
		   const struct http_get_opts *o, struct http_head *h, size_t *have,
		   struct errmsg *err)
{
	if (s->c.fd >= 0 && (strcmp(s->host, u->host) || s->port != u->port))
		disconnect(s);
	for (int attempt = 0;; attempt++) {
		bool reused = s->c.fd >= 0;
		int r = 0;

		if (!reused) {
			r = http_connect(&s->c, u, err);
			if (r < 0)
				return r;
			s->connects++;
			str_copy(s->host, sizeof(s->host), u->host);
			s->port = u->port;
		}
		*have = 0;
		r = send_request(s, u, o, err);
		if (r == 0)
			r = read_head(s, h, have, err);
		if (r >= 0)
			return r;
		disconnect(s);
		/* An idle connection the server had closed: once more, afresh. */
		if (!reused || attempt || *have || r == -ETIMEDOUT)
			return r;
	}
}

/* One request; *next gets the redirect target when there is one. */
static int get_once(struct http_session *s, const char *url,
		    const struct http_get_opts *o, char *next, struct errmsg *err)
{
	struct http_url u;
	struct http_head h;
	size_t have = 0;
	int r;

	next[0] = 0;
	s->c.url = url;
	r = http_url_parse(url, &u, err);
	if (r < 0)
		return r;
	r = request(s, &u, o, &h, &have, err);
	if (r < 0)
		return r;
	size_t head_len = (size_t)r;
	if (is_redirect(h.status) && h.location[0]) {
		if (http_url_resolve(url, h.location, next, HTTP_MAX_URL) < 0)
			r = errmsg_set(err, -EINVAL, "%.200s: bad redirect target", url);
		else
			r = 0;
		goto out; /* its body, if any, is not read: start afresh */
	}
	if (h.status < 200 || h.status > 299) {
		r = status_error(url, &h, err);
		goto out;
	}
	if (o->on_head && (r = o->on_head(o->ctx, &h)) != 0) {
		r = errmsg_set(err, r < 0 ? r : -ECANCELED, "%.200s: answer refused", url);
		goto out;
	}
	struct body_state b = { o, &s->c, 0, false };
	memmove(s->buf, s->buf + head_len, have - head_len);
	r = read_body(&b, &h, s->buf, have - head_len, err);
	if (r == 0 && b.clean && h.keep_alive && !s->one_shot)
		return 0; /* the connection serves the next request */
out:
	disconnect(s);
	return r;
}

int http_session_new(unsigned timeout_ms, struct http_session **out)
{
	struct http_session *s = calloc(1, sizeof(*s));

	if (!s || !(s->buf = malloc(HTTP_IO_BUF + 1))) {
		free(s);
		return -ENOMEM;
	}
	s->c.fd = -1;
	s->c.timeout_ms = s->timeout_ms = timeout_ms ? timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
	*out = s;
	return 0;
}

void http_session_free(struct http_session *s)
{
	if (!s)
		return;
	disconnect(s);
	free(s->buf);
	free(s);
}

const char *http_session_url(const struct http_session *s)
{
	return s->url;
}

unsigned http_session_connects(const struct http_session *s)
{
	return s->connects;
}

int http_session_get(struct http_session *s, const char *url,
		     const struct http_get_opts *o, struct errmsg *err)
{
	unsigned hops = o->max_redirects ? o->max_redirects : HTTP_DEFAULT_REDIRECTS;
	char cur[HTTP_MAX_URL], next[HTTP_MAX_URL];
	int r;

	if (str_copy(cur, sizeof(cur), url) < 0)
		return errmsg_set(err, -EINVAL, "URL too long");
	for (unsigned i = 0;; i++) {
		r = get_once(s, cur, o, next, err);
		s->c.url = "";
		if (r < 0)
			return r;
		if (!next[0]) {
			memcpy(s->url, cur, sizeof(s->url));
			return 0;
		}
		if (i == hops)
			return errmsg_set(err, -ELOOP, "%.200s: more than %u redirects", url, hops);
		memcpy(cur, next, sizeof(cur));
	}
}

int http_get(const char *url, const struct http_get_opts *o, struct errmsg *err)
{
	struct http_session *s;
	int r = http_session_new(o->timeout_ms, &s);

	if (r < 0)
		return errmsg_set(err, r, "out of memory");
	s->one_shot = true;
	r = http_session_get(s, url, o, err);
	http_session_free(s);
	return r;
}

static int append_body(void *ctx, const void *data, size_t len)
{
	return buf_append(ctx, data, len) < 0;
}

int http_get_buf(const char *url, unsigned timeout_ms, size_t max_size,
		 struct buf *out, struct errmsg *err)
{
	struct http_get_opts o = { .timeout_ms = timeout_ms, .max_size = max_size,
				   .on_data = append_body, .ctx = out };
	int r = http_get(url, &o, err);

	if (r == 0 && buf_terminate(out) < 0)
		r = errmsg_set(err, -ENOMEM, "out of memory");
	return r;
}
