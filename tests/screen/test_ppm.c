/* SPDX-License-Identifier: GPL-2.0-only */
/* The PPM icon/screenshot format: round trip and hostile headers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness.h"

static int parse(const char *s, size_t len, struct gfx_image *im, struct errmsg *e)
{
	return ppm_parse((const uint8_t *)s, len, 1u << 20, im, e);
}

TEST(ppm_round_trip)
{
	struct gfx_image a, b;
	struct errmsg e;
	uint64_t seed = 11;

	CHECK_EQ(gfx_image_alloc(&a, 37, 23), 0);
	for (unsigned y = 0; y < a.height; y++)
		for (unsigned x = 0; x < a.width; x++)
			gfx_image_row(&a, y)[x] = (uint32_t)test_rand(&seed) & 0xffffff;
	CHECK_EQ(ppm_write(test_path("a.ppm"), &a), 0);
	CHECK_EQ(ppm_load(test_path("a.ppm"), &b, &e), 0);
	CHECK_EQ(b.width, 37);
	CHECK_EQ(b.height, 23);
	for (unsigned y = 0; y < a.height; y++)
		CHECK_MEM(gfx_image_row(&a, y), gfx_image_row(&b, y), a.width * 4);
	gfx_image_free(&a);
	gfx_image_free(&b);
}

TEST(ppm_header_forms)
{
	struct gfx_image im;
	struct errmsg e;
	static const char comment[] = "P6\n# icon\n2 1 # size\n255\n\xff\x00\x00\x00\x00\xff";

	CHECK_EQ(parse(comment, sizeof(comment) - 1, &im, &e), 0);
	CHECK_EQ(gfx_image_row(&im, 0)[0], 0xff0000);
	CHECK_EQ(gfx_image_row(&im, 0)[1], 0x0000ff);
	gfx_image_free(&im);
	static const char deep[] = "P6 1 1 65535\n\xff\xff\x80\x00\x00\x00";
	CHECK_EQ(parse(deep, sizeof(deep) - 1, &im, &e), 0);
	CHECK_EQ(gfx_image_row(&im, 0)[0], 0xff8000);
	gfx_image_free(&im);
	static const char low[] = "P6 1 1 1\n\x01\x00\x01";
	CHECK_EQ(parse(low, sizeof(low) - 1, &im, &e), 0);
	CHECK_EQ(gfx_image_row(&im, 0)[0], 0xff00ff);
	gfx_image_free(&im);
}

TEST(ppm_rejects_bad_input_with_a_reason)
{
	static const struct { const char *data; const char *why; } bad[] = {
		{ "P3 1 1 255\n1 2 3", "not a binary PPM" },
		{ "P6", "width and height" },
		{ "P6 0 1 255\n", "width and height" },
		{ "P6 99999 1 255\n", "width and height" },
		{ "P6 -1 1 255\n", "width and height" },
		{ "P6 1 1 0\n", "maxval" },
		{ "P6 1 1 70000\n", "maxval" },
		{ "P6 2 2 255\nabc", "bytes of pixels" },
		{ "P6 1 1 255", "no data" },
		{ "P6 4096 4096 255\n", "more than" },
		{ "P61 1 255\n", "bad magic" },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		struct gfx_image im;
		struct errmsg e = { "" };
		CHECK(parse(bad[i].data, strlen(bad[i].data), &im, &e) < 0);
		if (!strstr(e.msg, bad[i].why))
			test_fail(__FILE__, __LINE__, "case %u: '%s' lacks '%s'", i, e.msg,
				  bad[i].why);
		CHECK(im.px == NULL);
	}
	struct gfx_image im;
	struct errmsg e;
	CHECK_EQ(ppm_load(test_path("missing.ppm"), &im, &e), -ENOENT);
	CHECK(strstr(e.msg, "missing.ppm") != NULL);
}
