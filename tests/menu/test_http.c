/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HTTP client: URL and head parsing, chunked decoding fed in every
 * possible split, and whole requests against a scripted server on loopback
 * (lengths, chunked, redirects, errors, timeouts, truncation, Range).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "tests/harness.h"
#include "tests/test_server.h"

TEST(http_url_parse_cases)
{
	struct http_url u;
	struct errmsg e;

	CHECK_EQ(http_url_parse("http://example.org", &u, &e), 0);
	CHECK_STR(u.host, "example.org");
	CHECK_EQ(u.port, 80);
	CHECK_STR(u.path, "/");
	CHECK_EQ(http_url_parse("HTTP://10.0.0.1:8080/a/b.ini?x=1#frag", &u, &e), 0);
	CHECK_STR(u.host, "10.0.0.1");
	CHECK_EQ(u.port, 8080);
	CHECK_STR(u.path, "/a/b.ini?x=1");
	CHECK_EQ(http_url_parse("http://[::1]:81/c", &u, &e), 0);
	CHECK_STR(u.host, "::1");
	CHECK_EQ(u.port, 81);
	CHECK_EQ(http_url_parse("http://h?q", &u, &e), 0);
	CHECK_STR(u.path, "/?q");
	CHECK_EQ(http_url_parse("https://h/", &u, &e), -EINVAL);
	CHECK_STR(e.msg, "https://h/: only http:// URLs are supported");
	CHECK_EQ(http_url_parse("http://h:0/", &u, &e), -EINVAL);
	CHECK_EQ(http_url_parse("http://h:65536/", &u, &e), -EINVAL);
	CHECK_EQ(http_url_parse("http://h:8x/", &u, &e), -EINVAL);
	CHECK_EQ(http_url_parse("http:///x", &u, &e), -EINVAL);
	CHECK_EQ(http_url_parse("http://u@h/", &u, &e), -EINVAL);
	CHECK_EQ(http_url_parse("http://h/a b", &u, &e), -EINVAL);
	CHECK_EQ(http_url_parse("http://[::1/", &u, &e), -EINVAL);
}

TEST(http_url_resolve_cases)
{
	char out[256];

	CHECK_EQ(http_url_resolve("http://h:1/a/cat.ini", "img/x.img", out, sizeof(out)), 0);
	CHECK_STR(out, "http://h:1/a/img/x.img");
	CHECK_EQ(http_url_resolve("http://h:1/a/cat.ini", "/b/c", out, sizeof(out)), 0);
	CHECK_STR(out, "http://h:1/b/c");
	CHECK_EQ(http_url_resolve("http://h:1", "x", out, sizeof(out)), 0);
	CHECK_STR(out, "http://h:1/x");
	CHECK_EQ(http_url_resolve("http://h/a/?q=/z", "x", out, sizeof(out)), 0);
	CHECK_STR(out, "http://h/a/x");
	CHECK_EQ(http_url_resolve("http://h/a", "http://o/p", out, sizeof(out)), 0);
	CHECK_STR(out, "http://o/p");
	CHECK_EQ(http_url_resolve("http://h/a", "xxxxxxxx", out, 12), -E2BIG);
}

TEST(http_head_parse_cases)
{
	struct http_head h;
	struct errmsg e;
	const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX: y\r\n\r\nbody";
	const char *ch = "HTTP/1.0 206 Partial Content\nTransfer-Encoding: chunked\n"
			 "Content-Range: bytes 100-199/1000\nLocation: /x\n\n";

	CHECK_EQ(http_head_parse(ok, strlen(ok), &h, &e), (int)strlen(ok) - 4);
	CHECK_EQ(h.status, 200);
	CHECK_STR(h.reason, "OK");
	CHECK_EQ(h.content_length, 12);
	CHECK(!h.chunked);
	CHECK_EQ(h.range_start, -1);
	CHECK_EQ(http_head_parse(ok, 20, &h, &e), 0); /* incomplete */
	CHECK_EQ(http_head_parse(ch, strlen(ch), &h, &e), (int)strlen(ch));
	CHECK_EQ(h.status, 206);
	CHECK(h.chunked);
	CHECK_EQ(h.content_length, -1);
	CHECK_EQ(h.range_start, 100);
	CHECK_EQ(h.total_length, 1000);
	CHECK_STR(h.location, "/x");

	static const char *const bad[] = {
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\n folded\r\n\r\n",
		"HTTP/1.1 206 OK\r\nContent-Range: bytes 9-1/10\r\n\r\n",
		"HTTP/1.1 206 OK\r\nContent-Range: bytes 0-10/10\r\n\r\n",
		"SSH-2.0-OpenSSH\r\n\r\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(http_head_parse(bad[i], strlen(bad[i]), &h, &e), -EBADMSG);

	char *big = malloc(HTTP_MAX_HEAD + 10);
	memset(big, 'a', HTTP_MAX_HEAD + 10);
	memcpy(big, "HTTP/1.1 200 OK\r\n", 17);
	CHECK_EQ(http_head_parse(big, HTTP_MAX_HEAD + 10, &h, &e), -EBADMSG);
	CHECK_STR(e.msg, "response head too large");
	free(big);
}

static const char chunked_body[] =
	"4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";

TEST(http_chunked_every_split)
{
	const char *want = "Wikipedia in\r\n\r\nchunks.";
	size_t n = strlen(chunked_body);

	/* Fed in two pieces at every possible split point. */
	for (size_t cut = 0; cut <= n; cut++) {
		struct http_chunked c;
		uint8_t buf[256];
		char out[256];
		size_t got = 0;
		ssize_t r;

		http_chunked_init(&c);
		memcpy(buf, chunked_body, cut);
		r = http_chunked_decode(&c, buf, cut);
		CHECK(r >= 0);
		memcpy(out, buf, (size_t)r);
		got = (size_t)r;
		memcpy(buf, chunked_body + cut, n - cut);
		r = http_chunked_decode(&c, buf, n - cut);
		CHECK(r >= 0);
		memcpy(out + got, buf, (size_t)r);
		got += (size_t)r;
		CHECK(c.done);
		CHECK_EQ(got, strlen(want));
		CHECK_MEM(out, want, got);
	}
}

TEST(http_chunked_rejects)
{
	static const char *const bad[] = { "x\r\n", "4\r\nWikiX\r\n", "\r\n",
					   "10000000000000000\r\n" };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct http_chunked c;
		uint8_t buf[64];

		http_chunked_init(&c);
		memcpy(buf, bad[i], strlen(bad[i]));
		CHECK_EQ(http_chunked_decode(&c, buf, strlen(bad[i])), -EBADMSG);
	}
}

/* ---- a scripted server on 127.0.0.1 ---- */

struct route {
	const char *path;
	const char *answer; /* NULL: accept, say nothing, wait */
};

static const struct route routes[] = {
	{ "/len", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA" },
	{ "/chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n" },
	{ "/close", "HTTP/1.0 200 OK\r\n\r\nuntil close" },
	{ "/r1", "HTTP/1.1 302 Found\r\nLocation: /r2\r\nContent-Length: 0\r\n\r\n" },
	{ "/r2", "HTTP/1.1 301 Moved\r\nLocation: len\r\n\r\n" },
	{ "/loop", "HTTP/1.1 307 Again\r\nLocation: /loop\r\n\r\n" },
	{ "/missing", "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n" },
	{ "/short", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this" },
	{ "/big", "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" },
	{ "/garbage", "\x16\x03\x01 binary\r\n\r\n" },
	{ "/range", "HTTP/1.1 206 Partial\r\nContent-Range: bytes 4-9/10\r\nContent-Length: 6\r\n\r\n456789" },
	{ "/silent", NULL },
};

/* Answers one request from the route table, logging it first. */
static void serve_route(int c, void *ctx)
{
	char req[4096];
	size_t have = test_read_head(c, req, sizeof(req));
	const char *ans = "HTTP/1.1 500 No Route\r\nContent-Length: 0\r\n\r\n";
	bool silent = false;

	(void)ctx;
	test_log_append(test_path("requests"), req, have);
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		size_t pl = strlen(routes[i].path);
		if (!strncmp(req + 4, routes[i].path, pl) && req[4 + pl] == ' ') {
			ans = routes[i].answer;
			silent = !ans;
		}
	}
	if (silent) {
		sleep(5);
		return;
	}
	write_full(c, ans, strlen(ans));
	if (strstr(req, "GET /big "))
		for (int i = 0; i < 100; i++)
			write_full(c, req, 1000); /* any 1000 bytes */
}

static pid_t start_server(char *base, size_t size)
{
	return test_server_start(serve_route, NULL, base, size);
}

static int get(const char *base, const char *path, struct buf *b, struct errmsg *e,
	       unsigned timeout_ms)
{
	char url[128];

	snprintf(url, sizeof(url), "%s%s", base, path);
	b->len = 0;
	e->msg[0] = 0;
	return http_get_buf(url, timeout_ms, 50000, b, e);
}

TEST(http_get_against_server)
{
	char base[64], url[128];
	struct buf b, log;
	struct errmsg e;
	pid_t srv = start_server(base, sizeof(base));

	buf_init(&b);
	CHECK_EQ(get(base, "/len", &b, &e, 2000), 0);
	CHECK_STR((char *)b.data, "hello"); /* no more than Content-Length */
	CHECK_EQ(get(base, "/chunked", &b, &e, 2000), 0);
	CHECK_STR((char *)b.data, "abcde");
	CHECK_EQ(get(base, "/close", &b, &e, 2000), 0);
	CHECK_STR((char *)b.data, "until close");
	CHECK_EQ(get(base, "/r1", &b, &e, 2000), 0); /* two redirects, one relative */
	CHECK_STR((char *)b.data, "hello");
	CHECK_EQ(get(base, "/loop", &b, &e, 2000), -ELOOP);
	CHECK(strstr(e.msg, "/loop: more than 5 redirects") != NULL);
	CHECK_EQ(get(base, "/missing", &b, &e, 2000), -ENOENT);
	snprintf(url, sizeof(url), "%s/missing: HTTP 404 Not Found", base);
	CHECK_STR(e.msg, url);
	CHECK_EQ(get(base, "/short", &b, &e, 2000), -EPIPE);
	CHECK(strstr(e.msg, "connection closed after 9 bytes") != NULL);
	CHECK_EQ(get(base, "/big", &b, &e, 2000), -EFBIG);
	CHECK(strstr(e.msg, "more than the 50000 allowed") != NULL);
	CHECK_EQ(get(base, "/garbage", &b, &e, 2000), -EBADMSG);
	CHECK(strstr(e.msg, "not an HTTP/1.x response") != NULL);

	/* Resume: the Range header goes out, the 206 head comes back. */
	struct http_get_opts o = { .timeout_ms = 2000, .offset = 4,
				   .on_data = NULL };
	snprintf(url, sizeof(url), "%s/range", base);
	CHECK_EQ(http_get(url, &o, &e), 0);
	buf_init(&log);
	CHECK_EQ(read_file(test_path("requests"), 1 << 20, &log), 0);
	CHECK(strstr((char *)log.data, "GET /range HTTP/1.1\r\n") != NULL);
	CHECK(strstr((char *)log.data, "Range: bytes=4-\r\n") != NULL);
	CHECK(strstr((char *)log.data, "Host: 127.0.0.1:") != NULL);
	CHECK(strstr((char *)log.data, "Connection: close\r\n") != NULL);
	buf_free(&log);
	/* A server that accepts and says nothing: bounded by the timeout. */
	uint64_t t0 = clock_now_ns();
	CHECK_EQ(get(base, "/silent", &b, &e, 300), -ETIMEDOUT);
	CHECK(clock_now_ns() - t0 < 3000000000ull);
	CHECK(strstr(e.msg, "no answer from the server within 1 s") != NULL);
	buf_free(&b);
	test_server_stop(srv);

	/* Nobody listening any more. */
	buf_init(&b);
	CHECK_EQ(get(base, "/len", &b, &e, 2000), -ECONNREFUSED);
	CHECK(strstr(e.msg, "cannot connect to 127.0.0.1 port") != NULL);
	CHECK_EQ(http_get_buf("http://name.invalid/", 2000, 10, &b, &e), -EHOSTUNREACH);
	buf_free(&b);
}
