/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>

#include "core/core.h"
#include "tests/harness.h"

TEST(parse_u64_accepts_decimal_and_hex)
{
	uint64_t v;

	CHECK_EQ(parse_u64("0", 0, 10, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK_EQ(parse_u64("0x1F", 0, 100, &v), 0);
	CHECK_EQ(v, 31);
}

TEST(parse_u64_rejects_junk_overflow_and_range)
{
	uint64_t v = 7;

	CHECK_EQ(parse_u64("", 0, 10, &v), -EINVAL);
	CHECK_EQ(parse_u64("12a", 0, 100, &v), -EINVAL);
	CHECK_EQ(parse_u64(" 1", 0, 100, &v), -EINVAL);
	CHECK_EQ(parse_u64("-1", 0, 100, &v), -EINVAL);
	CHECK_EQ(parse_u64("0x", 0, 100, &v), -EINVAL);
	CHECK_EQ(parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	CHECK_EQ(parse_u64("11", 0, 10, &v), -ERANGE);
	CHECK_EQ(parse_u64("1", 2, 10, &v), -ERANGE);
	CHECK_EQ(parse_u64(NULL, 0, 10, &v), -EINVAL);
	CHECK_EQ(v, 7); /* untouched on error */
}

TEST(parse_i64_handles_signs_and_limits)
{
	int64_t v;

	CHECK_EQ(parse_i64("-5", -10, 10, &v), 0);
	CHECK_EQ(v, -5);
	CHECK_EQ(parse_i64("+5", -10, 10, &v), 0);
	CHECK_EQ(v, 5);
	CHECK_EQ(parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
	CHECK(v == INT64_MIN);
	CHECK_EQ(parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &v), -ERANGE);
	CHECK_EQ(parse_i64("-11", -10, 10, &v), -ERANGE);
	CHECK_EQ(parse_i64("-", -10, 10, &v), -EINVAL);
}

TEST(parse_size_units)
{
	uint64_t v;

	CHECK_EQ(parse_size("4096", &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(parse_size("512K", &v), 0);
	CHECK_EQ(v, 512 * 1024);
	CHECK_EQ(parse_size("512M", &v), 0);
	CHECK_EQ(v, 512ll << 20);
	CHECK_EQ(parse_size("2G", &v), 0);
	CHECK_EQ(v, 2ll << 30);
	CHECK_EQ(parse_size("2GiB", &v), 0);
	CHECK_EQ(v, 2ll << 30);
	CHECK_EQ(parse_size("2g", &v), 0);
	CHECK_EQ(v, 2ll << 30);
	CHECK_EQ(parse_size("3MB", &v), 0);
	CHECK_EQ(v, 3ll << 20);
	CHECK_EQ(parse_size("1T", &v), 0);
	CHECK_EQ(v, 1ll << 40);
	CHECK_EQ(parse_size("10B", &v), 0);
	CHECK_EQ(v, 10);
	CHECK_EQ(parse_size("15E", &v), 0);
	CHECK(v == 15ull << 60);
}

TEST(parse_size_rejects_bad_sizes)
{
	uint64_t v;

	CHECK_EQ(parse_size("", &v), -EINVAL);
	CHECK_EQ(parse_size("M", &v), -EINVAL);
	CHECK_EQ(parse_size("2X", &v), -EINVAL);
	CHECK_EQ(parse_size("2GG", &v), -EINVAL);
	CHECK_EQ(parse_size("2 G", &v), -EINVAL);
	CHECK_EQ(parse_size("2Gix", &v), -EINVAL);
	CHECK_EQ(parse_size("1.5G", &v), -EINVAL);
	CHECK_EQ(parse_size("16E", &v), -ERANGE);
	CHECK_EQ(parse_size("99999999999999999999", &v), -ERANGE);
	CHECK_EQ(parse_size("17179869184G", &v), -ERANGE);
}

TEST(parse_size_unit_default)
{
	uint64_t v;

	CHECK_EQ(parse_size_unit("512", 1 << 20, &v), 0);
	CHECK_EQ(v, 512ll << 20);
	CHECK_EQ(parse_size_unit("1G", 1 << 20, &v), 0);
	CHECK_EQ(v, 1ll << 30);
	CHECK_EQ(parse_size_unit("1", 0, &v), -EINVAL);
}

TEST(parse_bool_words)
{
	bool b = false;

	CHECK_EQ(parse_bool("yes", &b), 0);
	CHECK(b);
	CHECK_EQ(parse_bool("OFF", &b), 0);
	CHECK(!b);
	CHECK_EQ(parse_bool("1", &b), 0);
	CHECK(b);
	CHECK_EQ(parse_bool("maybe", &b), -EINVAL);
}

TEST(hex_round_trip)
{
	uint8_t in[4] = { 0x00, 0xab, 0x7f, 0xff }, out[4];
	char text[9];

	format_hex(in, 4, text);
	CHECK_STR(text, "00ab7fff");
	CHECK_EQ(parse_hex("00AB7fff", out, 4), 0);
	CHECK_MEM(in, out, 4);
	CHECK_EQ(parse_hex("00ab7ff", out, 4), -EINVAL);
	CHECK_EQ(parse_hex("00ab7ffg", out, 4), -EINVAL);
}

TEST(format_size_for_people)
{
	char s[32];

	format_size(512, s, sizeof(s));
	CHECK_STR(s, "512 B");
	format_size(1536ull << 20, s, sizeof(s));
	CHECK_STR(s, "1.5 GiB");
}
