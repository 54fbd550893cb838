/* SPDX-License-Identifier: GPL-2.0-only */
/* The PPM icon parser on arbitrary bytes: no crash, no overrun, sane image. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gfx_image im;
	struct errmsg e = { "" };
	int r = ppm_parse(data, size, 1u << 18, &im, &e);

	if (r < 0) {
		if (im.px || !e.msg[0])
			abort(); /* failures allocate nothing and say why */
		return 0;
	}
	if (!im.width || !im.height || (size_t)im.width * im.height > (1u << 18) ||
	    (size_t)im.width * im.height * 3 > size)
		abort();
	/* Every pixel is readable and has no bits above RGB. */
	for (unsigned y = 0; y < im.height; y++)
		for (unsigned x = 0; x < im.width; x++)
			if (gfx_image_row(&im, y)[x] >> 24)
				abort();
	gfx_image_free(&im);
	return 0;
}
