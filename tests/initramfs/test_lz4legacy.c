/* SPDX-License-Identifier: GPL-2.0-only */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs/initramfs.h"
#include "tests/harness.h"

TEST(lz4_legacy_round_trip_across_chunks)
{
	size_t len = (9u << 20) + 12345; /* two chunks */
	uint8_t *data = malloc(len);
	uint64_t seed = 1;
	struct buf file, out;

	CHECK(data);
	for (size_t i = 0; i < len; i++) /* compressible, not trivial */
		data[i] = (uint8_t)(i % 97 < 50 ? 'a' + i % 7 : test_rand(&seed));
	int fd = open(test_path("x.lz4"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(lz4_legacy_write(fd, data, len), 0);
	close(fd);
	buf_init(&file);
	buf_init(&out);
	CHECK_EQ(read_file(test_path("x.lz4"), 64u << 20, &file), 0);
	CHECK(file.len < len);
	CHECK_EQ(get_le32(file.data), 0x184C2102);
	CHECK_EQ(lz4_legacy_read(file.data, file.len, &out), 0);
	CHECK_EQ(out.len, len);
	CHECK_MEM(out.data, data, len);
	/* Damaged: a cut stream and a size past the end are refused. */
	out.len = 0;
	CHECK(lz4_legacy_read(file.data, file.len - 1, &out) < 0);
	put_le32(file.data + 4, 0x7fffffff);
	out.len = 0;
	CHECK(lz4_legacy_read(file.data, file.len, &out) < 0);
	CHECK(lz4_legacy_read("nope", 4, &out) < 0);
	buf_free(&file);
	buf_free(&out);
	free(data);
}
