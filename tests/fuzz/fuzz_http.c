/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What an HTTP server may send, on arbitrary bytes: the response head, the
 * chunked body framing (fed whole and cut in two), redirect targets; and
 * what a client may ask of `image serve`: request targets and byte ranges.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_head h;
	struct errmsg e;
	struct http_chunked c1, c2;
	uint8_t *a = malloc(size + 1), *b = malloc(size + 1);
	char url[HTTP_MAX_URL], loc[HTTP_MAX_URL];
	struct http_url u;
	int r = http_head_parse((const char *)data, size, &h, &e);

	if (r > 0 && ((size_t)r > size || h.status < 100 || h.status > 599))
		abort();
	if (r > 0 && h.location[0] &&
	    http_url_resolve("http://h:1/dir/cat.ini", h.location, url, sizeof(url)) == 0)
		http_url_parse(url, &u, &e);

	/* The same body decoded in one piece and in two must agree. */
	size_t cut = size ? data[0] % (size + 1) : 0;
	memcpy(a, data, size);
	memcpy(b, data, size);
	http_chunked_init(&c1);
	http_chunked_init(&c2);
	ssize_t n1 = http_chunked_decode(&c1, a, size);
	ssize_t n2 = http_chunked_decode(&c2, b, cut);
	if (n2 >= 0) {
		ssize_t m;
		memmove(b + n2, b + cut, size - cut);
		m = http_chunked_decode(&c2, b + n2, size - cut);
		n2 = m < 0 ? m : n2 + m;
	}
	if ((n1 < 0) != (n2 < 0) || (n1 >= 0 && (n1 != n2 || memcmp(a, b, (size_t)n1) ||
						  c1.done != c2.done)))
		abort();
	memcpy(loc, data, MIN(size, sizeof(loc) - 1));
	loc[MIN(size, sizeof(loc) - 1)] = 0;
	if (http_url_parse(loc, &u, &e) == 0 && (u.path[0] != '/' || !u.host[0]))
		abort();
	bool said_keep = false;
	for (int i = 0; r > 0 && i + 10 <= r; i++)
		said_keep |= !strncasecmp((const char *)data + i, "keep-alive", 10);
	if (r > 0 && !strncmp((const char *)data, "HTTP/1.0", 8) && !said_keep && h.keep_alive)
		abort(); /* HTTP/1.0 closes unless told otherwise */

	/* Server side: a target never escapes, a range stays inside the file. */
	char path[256];
	if (http_path_decode(loc, path, sizeof(path))) {
		size_t n = strlen(path);
		if (n >= sizeof(path) || !strcmp(path, "..") || !strncmp(path, "../", 3) ||
		    strstr(path, "/../") || (n >= 3 && !strcmp(path + n - 3, "/..")))
			abort();
	}
	uint64_t fsize = size ? data[size - 1] * 997u : 0, ra, rb;
	if (http_range_parse(loc, fsize, &ra, &rb) == 0 && !(ra < rb && rb <= fsize))
		abort();
	free(a);
	free(b);
	return 0;
}
