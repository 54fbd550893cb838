/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "tests/harness.h"

TEST(buf_append_printf_consume)
{
	struct buf b;

	buf_init(&b);
	CHECK_EQ(buf_append(&b, "abc", 3), 0);
	CHECK_EQ(buf_printf(&b, "-%d-%s", 42, "x"), 0);
	CHECK_EQ(buf_terminate(&b), 0);
	CHECK_STR((char *)b.data, "abc-42-x");
	CHECK_EQ(b.len, 8);
	buf_consume(&b, 4);
	CHECK_EQ(buf_terminate(&b), 0);
	CHECK_STR((char *)b.data, "42-x");
	buf_consume(&b, 100);
	CHECK_EQ(b.len, 0);
	for (int i = 0; i < 10000; i++)
		CHECK_EQ(buf_append(&b, "0123456789", 10), 0);
	CHECK_EQ(b.len, 100000);
	CHECK(b.cap > b.len);
	CHECK_EQ(buf_reserve(&b, SIZE_MAX), -ENOMEM);
	buf_free(&b);
	CHECK(b.data == NULL);
}

TEST(str_copy_truncates_safely)
{
	char s[4];

	CHECK_EQ(str_copy(s, sizeof(s), "abc"), 0);
	CHECK_STR(s, "abc");
	CHECK_EQ(str_copy(s, sizeof(s), "abcdef"), -E2BIG);
	CHECK_STR(s, "abc");
	CHECK_EQ(str_copy(s, 0, "x"), -E2BIG);
	CHECK(str_starts("kvmbox.server=x", "kvmbox."));
	CHECK(!str_starts("kvm", "kvmbox"));
}

TEST(endian_helpers)
{
	uint8_t b[8];

	put_le32(b, 0x11223344);
	CHECK_EQ(b[0], 0x44);
	CHECK_EQ(get_le32(b), 0x11223344);
	put_le64(b, 0x0102030405060708ull);
	CHECK(get_le64(b) == 0x0102030405060708ull);
	CHECK_EQ(b[7], 1);
	put_be16(b, 0xabcd);
	CHECK_EQ(b[0], 0xab);
	CHECK_EQ(get_be16(b), 0xabcd);
	put_le16(b, 0xabcd);
	CHECK_EQ(get_le16(b), 0xabcd);
	put_be32(b, 0xdeadbeef);
	CHECK(get_be32(b) == 0xdeadbeef);
}

TEST(read_and_write_helpers)
{
	char p[512];
	struct buf b;
	char small[4];

	str_copy(p, sizeof(p), test_path("f"));
	CHECK_EQ(write_file_atomic(p, "hello world", 11, 0640), 0);
	buf_init(&b);
	CHECK_EQ(read_file(p, 100, &b), 0);
	CHECK_STR((char *)b.data, "hello world");
	buf_free(&b);
	CHECK_EQ(read_file(p, 5, &b), -EFBIG);
	buf_free(&b);
	CHECK_EQ(read_file(test_path("missing"), 5, &b), -ENOENT);
	buf_free(&b);

	int fd = open(p, O_RDWR);
	CHECK(fd >= 0);
	CHECK_EQ(pwrite_full(fd, "W", 1, 6), 0);
	CHECK_EQ(pread_full(fd, small, 4, 6), 4);
	CHECK_MEM(small, "Worl", 4);
	CHECK_EQ(pread_full(fd, small, 4, 9), 2); /* short at EOF */
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(read_full(fd, small, 4), 4);
	CHECK_MEM(small, "hell", 4);
	close(fd);
	struct stat st;
	CHECK_EQ(stat(p, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0640);
	CHECK_EQ(write_file_atomic(test_path("no/such/dir/f"), "x", 1, 0600), -ENOENT);
}

TEST(errmsg_formats_and_returns_code)
{
	struct errmsg e;

	CHECK_EQ(errmsg_set(&e, -ENOENT, "%s: %d", "x", 3), -ENOENT);
	CHECK_STR(e.msg, "x: 3");
	CHECK_EQ(errmsg_set(NULL, -EIO, "ignored"), -EIO);
	CHECK_STR(err_str(-ENOENT), "No such file or directory");
}
