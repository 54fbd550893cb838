/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A loopback TCP server for unit tests that need a real peer (HTTP
 * clients, the menu's sync): it runs in a forked child, so the code under
 * test talks to it over a real socket exactly as to a lab server.
 */
#ifndef KVMBOX_TEST_SERVER_H
#define KVMBOX_TEST_SERVER_H

#include <stddef.h>
#include <sys/types.h>

/* Called in the child for each accepted connection; the server closes it. */
typedef void (*test_conn_fn)(int fd, void *ctx);

/*
 * Listens on 127.0.0.1 (a free port), writes "http://127.0.0.1:PORT" to
 * @base and serves every connection with @conn until stopped. The child
 * dies with the test process and after 60 s at most.
 */
pid_t test_server_start(test_conn_fn conn, void *ctx, char *base, size_t size);
void test_server_stop(pid_t pid);

/*
 * Reads a request head up to and including its blank line (or until the
 * peer stops or @size - 1 bytes) into @req, NUL-terminated; returns the
 * number of bytes read. Bytes after the blank line may be included.
 */
size_t test_read_head(int fd, char *req, size_t size);

/* Appends @len bytes to the file at @path (the server's request log). */
void test_log_append(const char *path, const void *data, size_t len);

#endif
