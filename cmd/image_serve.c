/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * image serve DIR: a small HTTP/1.1 file server for demos and tests (a
 * real lab uses nginx or lighttpd): GET and HEAD, one byte range, keep-alive,
 * one epoll loop, files sent with sendfile. Paths are resolved beneath DIR
 * (openat2 RESOLVE_BENEATH; '..' and symlinks out are refused). With --log,
 * one line per answer: "METHOD PATH VERSION STATUS RANGE BYTES-SENT".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmd/image.h"
#include "core/core.h"

extern const struct applet applet_image;

#define REQ_MAX 8192

struct server {
	struct evloop loop;
	struct ev_handler listen, sig;
	int root;
	FILE *log;
};

struct conn {
	struct ev_handler h;
	struct server *srv;
	char in[REQ_MAX];
	size_t in_len;
	char head[512];
	size_t head_len, head_sent;
	int file;
	off_t file_off;
	uint64_t file_left, sent;
	bool keep_alive, writing;
	char log_req[400];   /* "METHOD TARGET VERSION" */
	char log_range[80];  /* the Range asked for, "-" none */
};

/* ---- requests ------------------------------------------------------------ */

static int open_beneath(int root, const char *path)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	int fd;

	if (!path[0])
		return -EISDIR;
	fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(root, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

/* The value of header @name in @req, copied into @out; NULL when absent. */
static const char *header(const char *req, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);

	for (const char *l = strstr(req, "\r\n"); l; l = strstr(l + 2, "\r\n"))
		if (!strncasecmp(l + 2, name, n) && l[2 + n] == ':') {
			const char *v = l + 3 + n;
			size_t len;
			while (*v == ' ' || *v == '\t')
				v++;
			len = strcspn(v, "\r\n");
			snprintf(out, size, "%.*s", (int)MIN(len, size - 1), v);
			return out;
		}
	return NULL;
}

static void set_head(struct conn *c, int status, const char *reason, const char *extra,
		     uint64_t length)
{
	c->head_len = (size_t)snprintf(c->head, sizeof(c->head),
				       "HTTP/1.1 %d %s\r\nServer: kvmbox\r\n%s"
				       "Content-Length: %llu\r\nConnection: %s\r\n\r\n",
				       status, reason, extra, (unsigned long long)length,
				       c->keep_alive ? "keep-alive" : "close");
	c->head_sent = 0;
}

static void answer_error(struct conn *c, int status, const char *reason)
{
	set_head(c, status, reason, "", 0);
}

/* Fills c->head (and c->file) from the request in c->in[0..len). */
static void handle(struct conn *c, char *req)
{
	char method[8], target[2048], version[16], path[2048], extra[128] = "";
	char range_buf[80], conn_buf[80];
	const char *range, *conn;
	bool head_only;
	struct stat st;
	uint64_t a = 0, b = 0;
	int n = 0;

	if (sscanf(req, "%7s %2047s %15s%n", method, target, version, &n) != 3 ||
	    strncmp(version, "HTTP/1.", 7)) {
		c->keep_alive = false;
		return answer_error(c, 400, "Bad Request");
	}
	conn = header(req, "Connection", conn_buf, sizeof(conn_buf));
	c->keep_alive = version[7] == '1' ? !(conn && strcasestr(conn, "close"))
					  : conn && strcasestr(conn, "keep-alive");
	range = header(req, "Range", range_buf, sizeof(range_buf));
	snprintf(c->log_req, sizeof(c->log_req), "%s %.300s %s", method, target, version);
	snprintf(c->log_range, sizeof(c->log_range), "%s", range ? range : "-");
	head_only = !strcmp(method, "HEAD");
	if (!head_only && strcmp(method, "GET"))
		return answer_error(c, 405, "Method Not Allowed");
	if (!http_path_decode(target, path, sizeof(path)))
		return answer_error(c, 403, "Forbidden");
	c->file = open_beneath(c->srv->root, path);
	if (c->file < 0)
		return answer_error(c, c->file == -ENOENT ? 404 : 403,
				    c->file == -ENOENT ? "Not Found" : "Forbidden");
	if (fstat(c->file, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(c->file);
		c->file = -1;
		return answer_error(c, 403, "Forbidden");
	}
	uint64_t size = (uint64_t)st.st_size;
	int status = 200;
	b = size;
	if (range) {
		int r = http_range_parse(range, size, &a, &b);
		if (r == -ERANGE) {
			close(c->file);
			c->file = -1;
			snprintf(extra, sizeof(extra), "Content-Range: bytes */%llu\r\n",
				 (unsigned long long)size);
			return set_head(c, 416, "Range Not Satisfiable", extra, 0);
		}
		if (r == 0) {
			status = 206;
			snprintf(extra, sizeof(extra), "Content-Range: bytes %llu-%llu/%llu\r\n",
				 (unsigned long long)a, (unsigned long long)b - 1,
				 (unsigned long long)size);
		} else {
			a = 0; /* a range we do not understand: the whole file */
		}
	}
	set_head(c, status, status == 206 ? "Partial Content" : "OK", extra, b - a);
	c->file_off = (off_t)a;
	c->file_left = head_only ? 0 : b - a;
}

/* ---- connections --------------------------------------------------------- */

static void conn_close(struct conn *c)
{
	evloop_del(&c->srv->loop, &c->h);
	close(c->h.fd);
	if (c->file >= 0)
		close(c->file);
	free(c);
}

static void log_answer(struct conn *c)
{
	int status = atoi(c->head + 9);

	if (!c->srv->log)
		return;
	fprintf(c->srv->log, "%s %d %s %llu\n", c->log_req, status, c->log_range,
		(unsigned long long)c->sent);
	fflush(c->srv->log);
}

/* Sends what the socket takes; true when the answer is complete. */
static int send_some(struct conn *c)
{
	while (c->head_sent < c->head_len) {
		ssize_t n = send(c->h.fd, c->head + c->head_sent, c->head_len - c->head_sent,
				 MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		c->head_sent += (size_t)n;
	}
	while (c->file_left) {
		ssize_t n = sendfile(c->h.fd, c->file, &c->file_off,
				     (size_t)MIN(c->file_left, (uint64_t)(1 << 30)));
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n == 0)
			return -EIO; /* the file shrank under us */
		c->file_left -= (uint64_t)n;
		c->sent += (uint64_t)n;
	}
	return 1;
}

static void conn_event(struct ev_handler *h, uint32_t events);

/* A request is complete in c->in: answer it. */
static void start_answer(struct conn *c, size_t req_len)
{
	char req[REQ_MAX + 1];

	memcpy(req, c->in, req_len);
	req[req_len] = 0;
	memmove(c->in, c->in + req_len, c->in_len - req_len);
	c->in_len -= req_len;
	c->file = -1;
	c->sent = 0;
	strcpy(c->log_req, "? ?");
	strcpy(c->log_range, "-");
	handle(c, req);
	c->writing = true;
	evloop_mod(&c->srv->loop, &c->h, EPOLLOUT);
}

static bool try_request(struct conn *c)
{
	char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);

	if (!end)
		return false;
	start_answer(c, (size_t)(end + 4 - c->in));
	return true;
}

static void conn_event(struct ev_handler *h, uint32_t events)
{
	struct conn *c = container_of(h, struct conn, h);

	if (c->writing) {
		int r = send_some(c);
		if (r == 0)
			return;
		log_answer(c);
		if (c->file >= 0)
			close(c->file);
		c->file = -1;
		c->writing = false;
		if (r < 0 || !c->keep_alive)
			return conn_close(c);
		if (!try_request(c))
			evloop_mod(&c->srv->loop, &c->h, EPOLLIN);
		return;
	}
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN))
		return conn_close(c);
	ssize_t n = recv(c->h.fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0)
		return conn_close(c);
	c->in_len += (size_t)n;
	if (!try_request(c) && c->in_len == sizeof(c->in)) {
		c->keep_alive = false;
		c->file = -1;
		strcpy(c->log_req, "? ?");
		strcpy(c->log_range, "-");
		answer_error(c, 431, "Request Header Fields Too Large");
		c->writing = true;
		evloop_mod(&c->srv->loop, &c->h, EPOLLOUT);
	}
}

static void on_accept(struct ev_handler *h, uint32_t events)
{
	struct server *srv = container_of(h, struct server, listen);
	int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct conn *c;

	(void)events;
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->h.fd = fd;
	c->h.fn = conn_event;
	c->srv = srv;
	c->file = -1;
	if (evloop_add(&srv->loop, &c->h, EPOLLIN) < 0) {
		close(fd);
		free(c);
	}
}

static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct server *srv = container_of(h, struct server, sig);

	(void)events;
	evloop_quit(&srv->loop, 0);
}

/* ---- the command ------------------------------------------------------- */

static int listen_on(const char *bind_addr, uint16_t port, struct errmsg *err)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	bool v6 = strchr(bind_addr, ':') != NULL;
	int one = 1, fd;

	if (v6 ? inet_pton(AF_INET6, bind_addr, &a6.sin6_addr) != 1
	       : inet_pton(AF_INET, bind_addr, &a4.sin_addr) != 1)
		return errmsg_set(err, -EINVAL, "bad --bind address '%s'", bind_addr);
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errmsg_set(err, -errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if ((v6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6))
		: bind(fd, (struct sockaddr *)&a4, sizeof(a4))) < 0 ||
	    listen(fd, 64) < 0) {
		int r = -errno;
		close(fd);
		return errmsg_set(err, r, "%s port %u: %s", bind_addr, port, err_str(r));
	}
	return fd;
}

int image_serve_main(int argc, char **argv)
{
	static const int sigs[] = { SIGTERM, SIGINT };
	const char *dir = NULL, *bind_addr = "127.0.0.1", *log_path = NULL;
	struct server srv = { .root = -1 };
	struct errmsg err;
	uint64_t port = 8080;
	int r;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (o[0] != '-') {
			if (dir)
				return usage_error(&applet_image, "serve takes one DIR ('%s')", o);
			dir = o;
			continue;
		}
		if (!val)
			return usage_error(&applet_image, "serve: %s needs a value", o);
		i++;
		if (!strcmp(o, "--port")) {
			if (parse_u64(val, 1, 65535, &port) < 0)
				return usage_error(&applet_image, "serve: bad --port '%s'", val);
		} else if (!strcmp(o, "--bind")) {
			bind_addr = val;
		} else if (!strcmp(o, "--log")) {
			log_path = val;
		} else {
			return usage_error(&applet_image, "serve: unknown option '%s'", o);
		}
	}
	if (!dir)
		return usage_error(&applet_image, "serve needs a DIR");
	srv.root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (srv.root < 0) {
		fprintf(stderr, "kvmbox image serve: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (log_path && !(srv.log = fopen(log_path, "ae"))) {
		fprintf(stderr, "kvmbox image serve: %s: %s\n", log_path, strerror(errno));
		return 1;
	}
	r = srv.listen.fd = listen_on(bind_addr, (uint16_t)port, &err);
	srv.listen.fn = on_accept;
	srv.sig.fn = on_signal;
	if (r >= 0)
		r = evloop_init(&srv.loop);
	if (r >= 0)
		r = evloop_add(&srv.loop, &srv.listen, EPOLLIN);
	if (r >= 0)
		r = evloop_signals(&srv.loop, &srv.sig, sigs, ARRAY_SIZE(sigs));
	if (r < 0) {
		fprintf(stderr, "kvmbox image serve: %s\n", srv.listen.fd < 0 ? err.msg : err_str(r));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "kvmbox image serve: %s on http://%s%s%s:%u/\n", dir,
		strchr(bind_addr, ':') ? "[" : "", bind_addr, strchr(bind_addr, ':') ? "]" : "",
		(unsigned)port);
	r = evloop_run(&srv.loop);
	evloop_close(&srv.loop);
	return r;
}
