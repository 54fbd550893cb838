/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness.h"

struct seen {
	char text[2048];
	int sections;
};

static int collect(void *ctx, const struct ini_item *it, struct errmsg *why)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	if (it->new_section) {
		s->sections++;
		snprintf(s->text + n, sizeof(s->text) - n, "[%s]@%u;", it->section,
			 it->line);
		return 0;
	}
	if (!strcmp(it->key, "reject"))
		return errmsg_set(why, -EINVAL, "value '%s' refused", it->value);
	snprintf(s->text + n, sizeof(s->text) - n, "%s/%s=%s@%u;", it->section,
		 it->key, it->value, it->line);
	return 0;
}

static int parse(const char *text, struct seen *s, struct errmsg *e)
{
	memset(s, 0, sizeof(*s));
	memset(e, 0, sizeof(*e));
	return ini_parse_buf("cat.ini", text, strlen(text), collect, s, e);
}

TEST(ini_sections_keys_comments)
{
	struct seen s;
	struct errmsg e;
	const char *text = "# catalog\n"
			   "server = http://x/\n"
			   "\n"
			   "[appliance debian]\n"
			   "  title =  Bureau Debian — été  \n"
			   "; comment\n"
			   "mem=2G\r\n"
			   "[b]\n"
			   "empty =\n";

	CHECK_EQ(parse(text, &s, &e), 0);
	CHECK_STR(s.text, "/server=http://x/@2;[appliance debian]@4;"
			  "appliance debian/title=Bureau Debian — été@5;"
			  "appliance debian/mem=2G@7;[b]@8;b/empty=@9;");
	CHECK_EQ(s.sections, 2);
}

TEST(ini_quoted_values)
{
	struct seen s;
	struct errmsg e;

	CHECK_EQ(parse("a = \"  x \\\"y\\\" \\\\ # z \"\n", &s, &e), 0);
	CHECK_STR(s.text, "/a=  x \"y\" \\ # z @1;");
	CHECK_EQ(parse("a = \"open\n", &s, &e), -EINVAL);
	CHECK_STR(e.msg, "cat.ini:1: unterminated quoted value");
	CHECK_EQ(parse("a = \"x\" y\n", &s, &e), -EINVAL);
	CHECK_STR(e.msg, "cat.ini:1: text after closing quote");
	CHECK_EQ(parse("a = \"\\q\"\n", &s, &e), -EINVAL);
	CHECK_STR(e.msg, "cat.ini:1: unknown escape in quoted value");
}

TEST(ini_errors_name_file_and_line)
{
	struct seen s;
	struct errmsg e;

	CHECK_EQ(parse("a=1\n[sec\n", &s, &e), -EINVAL);
	CHECK_STR(e.msg, "cat.ini:2: missing ']' after section name");
	CHECK_EQ(parse("a=1\n\njunk\n", &s, &e), -EINVAL);
	CHECK_STR(e.msg, "cat.ini:3: expected 'key = value', '[section]' or a comment");
	CHECK_EQ(parse("= 1\n", &s, &e), -EINVAL);
	CHECK_STR(e.msg, "cat.ini:1: missing key before '='");
	CHECK_EQ(parse("a b = 1\n", &s, &e), -EINVAL);
	CHECK(strstr(e.msg, "cat.ini:1: bad character in key"));
	CHECK_EQ(parse("[]\n", &s, &e), -EINVAL);
	CHECK_STR(e.msg, "cat.ini:1: empty section name");
	CHECK_EQ(parse("[a] x\n", &s, &e), -EINVAL);
	CHECK_STR(e.msg, "cat.ini:1: text after section header");
}

TEST(ini_callback_errors_get_position)
{
	struct seen s;
	struct errmsg e;

	CHECK_EQ(parse("[x]\nok=1\nreject = bad\n", &s, &e), -EINVAL);
	CHECK_STR(e.msg, "cat.ini:3: value 'bad' refused");
}

TEST(ini_rejects_bad_utf8_nul_and_long_lines)
{
	struct seen s;
	struct errmsg e;
	char big[5000];

	CHECK_EQ(parse("a=\xc3\x28\n", &s, &e), -EINVAL);
	CHECK_STR(e.msg, "cat.ini:1: not valid UTF-8 text");
	memset(&s, 0, sizeof(s));
	CHECK_EQ(ini_parse_buf("n.ini", "a=1\nb=\0\n", 7, collect, &s, &e), -EINVAL);
	CHECK_STR(e.msg, "n.ini:2: not valid UTF-8 text");
	memset(big, 'x', sizeof(big) - 1);
	big[0] = 'k', big[1] = '=';
	big[sizeof(big) - 1] = 0;
	CHECK_EQ(parse(big, &s, &e), -EINVAL);
	CHECK_STR(e.msg, "cat.ini:1: line too long");
}

TEST(ini_bom_and_no_final_newline)
{
	struct seen s;
	struct errmsg e;

	CHECK_EQ(parse("\xef\xbb\xbfk = v", &s, &e), 0);
	CHECK_STR(s.text, "/k=v@1;");
}

TEST(utf8_validation)
{
	CHECK(utf8_valid("été", strlen("été")));
	CHECK(utf8_valid("\xf0\x9f\x98\x80", 4));	 /* emoji */
	CHECK(!utf8_valid("\xc0\xaf", 2));		 /* overlong */
	CHECK(!utf8_valid("\xed\xa0\x80", 3));	 /* surrogate */
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	CHECK(!utf8_valid("\xe2\x82", 2));		 /* truncated */
	CHECK(!utf8_valid("\x80", 1));
}

TEST(ini_parse_file_reports_missing_and_big_files)
{
	struct seen s = { "", 0 };
	struct errmsg e;
	FILE *f;

	CHECK_EQ(ini_parse_file(test_path("none.ini"), 1000, collect, &s, &e), -ENOENT);
	CHECK(strstr(e.msg, "none.ini: No such file"));
	f = fopen(test_path("c.ini"), "w");
	CHECK(f);
	fputs("[a]\nk=v\n", f);
	fclose(f);
	CHECK_EQ(ini_parse_file(test_path("c.ini"), 1000, collect, &s, &e), 0);
	CHECK_STR(s.text, "[a]@1;a/k=v@2;");
	CHECK_EQ(ini_parse_file(test_path("c.ini"), 4, collect, &s, &e), -EFBIG);
	CHECK(strstr(e.msg, "file too large"));
}
