/* SPDX-License-Identifier: GPL-2.0-only */
/* sha256sum: digests of files, in coreutils' format (SHA-NI when present). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"

APPLET(sha256sum, "print SHA-256 digests of files (coreutils format)",
       "usage: kvmbox sha256sum [FILE...]\n"
       "Prints 'DIGEST  NAME' for each FILE (standard input when none or '-').");

static int digest_fd(int fd, uint8_t out[SHA256_LEN])
{
	static uint8_t chunk[1 << 20];
	struct sha256 s;

	sha256_init(&s);
	for (;;) {
		ssize_t n = read_full(fd, chunk, sizeof(chunk));
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		sha256_update(&s, chunk, (size_t)n);
	}
	sha256_final(&s, out);
	return 0;
}

int sha256sum_main(int argc, char **argv)
{
	int status = 0;
	int first = 1;

	if (argc > 1 && !strcmp(argv[1], "--"))
		first = 2;
	else if (argc > 1 && argv[1][0] == '-' && argv[1][1])
		return usage_error(&applet_sha256sum, "unknown option '%s'", argv[1]);
	for (int i = first; i < argc || i == first; i++) {
		const char *name = i < argc ? argv[i] : "-";
		uint8_t d[SHA256_LEN];
		char hex[2 * SHA256_LEN + 1];
		int fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : 0;
		int r = fd < 0 ? -errno : digest_fd(fd, d);

		if (fd > 0)
			close(fd);
		if (r < 0) {
			fprintf(stderr, "kvmbox sha256sum: %s: %s\n", name, err_str(r));
			status = 1;
			continue;
		}
		format_hex(d, SHA256_LEN, hex);
		printf("%s  %s\n", hex, name);
		if (i >= argc)
			break;
	}
	return status;
}
