/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HTTP keep-alive sessions against a scripted server on loopback: requests
 * share one connection, a "Connection: close" answer or an idle connection
 * the server dropped makes the next request reconnect, byte ranges go out
 * as asked, and redirects are remembered. Also the server-side parsers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "tests/harness.h"
#include "tests/test_server.h"

/* Answers each request on a connection; "/bye" closes after answering,
 * "/drop" closes without answering the NEXT request on that connection. */
static void serve_conn(int c, void *ctx)
{
	char req[4096];
	size_t have = 0;
	bool drop_next = false;

	(void)ctx;
	for (;;) {
		char *end;
		while (!(end = memmem(req, have, "\r\n\r\n", 4))) {
			ssize_t n = read(c, req + have, sizeof(req) - 1 - have);
			if (n <= 0)
				return;
			have += (size_t)n;
		}
		size_t len = (size_t)(end + 4 - req);
		test_log_append(test_path("requests"), req, len);
		if (drop_next)
			return;
		const char *ans;
		if (!strncmp(req, "GET /bye ", 9))
			ans = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye";
		else if (!strncmp(req, "GET /moved ", 11))
			ans = "HTTP/1.1 302 Found\r\nLocation: /data\r\nContent-Length: 0\r\n\r\n";
		else
			ans = "HTTP/1.1 206 Partial\r\nContent-Range: bytes 0-4/100\r\nContent-Length: 5\r\n\r\nhello";
		write_full(c, ans, strlen(ans));
		if (!strncmp(req, "GET /bye ", 9))
			return;
		drop_next = !strncmp(req, "GET /drop ", 10);
		memmove(req, req + len, have - len);
		have -= len;
	}
}

static pid_t start_server(char *base, size_t size)
{
	return test_server_start(serve_conn, NULL, base, size);
}

static int collect(void *ctx, const void *data, size_t len)
{
	return buf_append(ctx, data, len) < 0;
}

static int get(struct http_session *s, const char *base, const char *path,
	       uint64_t offset, uint64_t end, struct buf *b, struct errmsg *e)
{
	char url[128];
	struct http_get_opts o = { .offset = offset, .end = end, .on_data = collect, .ctx = b };

	snprintf(url, sizeof(url), "%s%s", base, path);
	b->len = 0;
	return http_session_get(s, url, &o, e);
}

TEST(http_session_keep_alive)
{
	char base[64], want[160];
	struct http_session *s;
	struct buf b, log;
	struct errmsg e;
	pid_t srv = start_server(base, sizeof(base));

	buf_init(&b);
	CHECK_EQ(http_session_new(2000, &s), 0);
	CHECK_EQ(get(s, base, "/data", 0, 5, &b, &e), 0);
	CHECK_EQ(get(s, base, "/data", 10, 20, &b, &e), 0);
	CHECK_EQ(get(s, base, "/data", 7, 0, &b, &e), 0);
	CHECK_EQ(b.len, 5);
	CHECK_EQ(http_session_connects(s), 1);
	/* "Connection: close" from the server: the next one reconnects. */
	CHECK_EQ(get(s, base, "/bye", 0, 0, &b, &e), 0);
	CHECK_EQ(get(s, base, "/data", 0, 0, &b, &e), 0);
	CHECK_EQ(http_session_connects(s), 2);
	/* An idle connection the server dropped: retried once, afresh. */
	CHECK_EQ(get(s, base, "/drop", 0, 0, &b, &e), 0);
	CHECK_EQ(get(s, base, "/data", 0, 0, &b, &e), 0);
	CHECK_EQ(http_session_connects(s), 3);
	/* A redirect is followed, and where it led is remembered. */
	CHECK_EQ(get(s, base, "/moved", 0, 0, &b, &e), 0);
	snprintf(want, sizeof(want), "%s/data", base);
	CHECK_STR(http_session_url(s), want);
	http_session_free(s);

	buf_init(&log);
	CHECK_EQ(read_file(test_path("requests"), 1 << 20, &log), 0);
	CHECK(strstr((char *)log.data, "Range: bytes=0-4\r\n"));
	CHECK(strstr((char *)log.data, "Range: bytes=10-19\r\n"));
	CHECK(strstr((char *)log.data, "Range: bytes=7-\r\n"));
	CHECK(strstr((char *)log.data, "Connection: keep-alive\r\n"));
	buf_free(&log);
	buf_free(&b);
	test_server_stop(srv);
}

TEST(http_head_keep_alive_flag)
{
	struct http_head h;
	struct errmsg e;

	CHECK(http_head_parse("HTTP/1.1 200 OK\r\n\r\n", 19, &h, &e) > 0 && h.keep_alive);
	CHECK(http_head_parse("HTTP/1.1 200 OK\r\nConnection: Close\r\n\r\n", 38, &h, &e) > 0 &&
	      !h.keep_alive);
	CHECK(http_head_parse("HTTP/1.0 200 OK\r\n\r\n", 19, &h, &e) > 0 && !h.keep_alive);
	CHECK(http_head_parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", 43, &h, &e) > 0 &&
	      h.keep_alive);
}

TEST(http_serve_parsers)
{
	char p[64];
	uint64_t a, b;

	CHECK(http_path_decode("/images/a%20b.img?x=1", p, sizeof(p)));
	CHECK_STR(p, "images/a b.img");
	CHECK(!http_path_decode("/../etc/passwd", p, sizeof(p)));
	CHECK(!http_path_decode("/a/%2e%2e/%2e%2e/x", p, sizeof(p)));
	CHECK(!http_path_decode("/a/..", p, sizeof(p)));
	CHECK(http_path_decode("/a/..b", p, sizeof(p)));
	CHECK(!http_path_decode("/a%00b", p, sizeof(p)));
	CHECK(!http_path_decode("/a%zz", p, sizeof(p)));
	CHECK(!http_path_decode("relative", p, sizeof(p)));
	CHECK_EQ(http_range_parse("bytes=0-9", 100, &a, &b), 0);
	CHECK(a == 0 && b == 10);
	CHECK_EQ(http_range_parse("bytes=90-", 100, &a, &b), 0);
	CHECK(a == 90 && b == 100);
	CHECK_EQ(http_range_parse("bytes=-10", 100, &a, &b), 0);
	CHECK(a == 90 && b == 100);
	CHECK_EQ(http_range_parse("bytes=50-18446744073709551615", 100, &a, &b), 0);
	CHECK(a == 50 && b == 100);
	CHECK_EQ(http_range_parse("bytes=100-", 100, &a, &b), -ERANGE);
	CHECK_EQ(http_range_parse("bytes=9-3", 100, &a, &b), -EINVAL);
	CHECK_EQ(http_range_parse("bytes=0-1,5-6", 100, &a, &b), -EINVAL);
	CHECK_EQ(http_range_parse("items=0-1", 100, &a, &b), -EINVAL);
}
