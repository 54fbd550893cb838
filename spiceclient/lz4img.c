/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SPICE LZ4 images: a top-down byte, the bitmap format byte, then LZ4
 * blocks each preceded by its big-endian compressed size, decoding as one
 * stream (each block may refer back into the previous ones) to rows of
 * width × bytes-per-pixel.
 */
#include <errno.h>
#include <lz4.h>
#include <stdlib.h>


#include "spiceclient/pixfmt.h"

int spice_lz4_decode(const uint8_t *data, size_t len, uint32_t width,
		     uint32_t height, struct spice_pixels *out,
		     struct errmsg *err)
{
	LZ4_streamDecode_t lz;
	uint8_t fmt, *raw;
	uint64_t row;
	size_t total, done = 0, at = 2;
	bool top_down;
	int rc;

	if (len < 2)
		return errmsg_set(err, -EBADMSG, "lz4: truncated header");
	top_down = data[0];
	fmt = data[1];
	if (fmt != SPICE_BITMAP_FMT_16BIT && fmt != SPICE_BITMAP_FMT_24BIT &&
	    fmt != SPICE_BITMAP_FMT_32BIT && fmt != SPICE_BITMAP_FMT_RGBA)
		return errmsg_set(err, -EBADMSG, "lz4: unsupported format %u", fmt);
	row = pixfmt_row_bytes(fmt, width);
	/* LZ4 expands at most ~255:1: refuse memory bombs before allocating. */
	if (row * height > (uint64_t)len * 255 + 1024)
		return errmsg_set(err, -EBADMSG, "lz4: %zu bytes cannot hold a %ux%u image",
				  len, width, height);
	rc = pixels_alloc(out, width, height, err);
	if (rc < 0)
		return rc;
	total = (size_t)row * height;
	/* 32-bit top-down rows are already our layout: decode in place. */
	bool direct = top_down && row == (uint64_t)width * 4;
	raw = direct ? (uint8_t *)out->px : malloc(total);
	if (!raw) {
		spice_pixels_free(out);
		return errmsg_set(err, -ENOMEM, "lz4: no memory");
	}
	LZ4_setStreamDecode(&lz, NULL, 0);
	while (done < total) {
		if (len - at < 4) {
			rc = errmsg_set(err, -EBADMSG, "lz4: stream ends at %zu of %zu bytes", done, total);
			goto out;
		}
		uint32_t n = get_be32(data + at);
		at += 4;
		if (n > len - at || n > INT32_MAX) {
			rc = errmsg_set(err, -EBADMSG, "lz4: block of %u bytes overruns the image", n);
			goto out;
		}
		int got = LZ4_decompress_safe_continue(&lz, (const char *)data + at,
						       (char *)raw + done, (int)n,
						       (int)MIN(total - done, (size_t)INT32_MAX));
		if (got <= 0) {
			rc = errmsg_set(err, -EBADMSG, "lz4: corrupt block at byte %zu", at);
			goto out;
		}
		done += (size_t)got;
		at += n;
	}
	if (direct && fmt == SPICE_BITMAP_FMT_32BIT)
		for (size_t i = 0; i < (size_t)width * height; i++)
			out->px[i] &= 0xffffff;
	for (uint32_t y = 0; !direct && y < height; y++) {
		uint32_t src_y = top_down ? y : height - 1 - y;
		pixfmt_row_to_rgb32(fmt, raw + (size_t)src_y * row, width, NULL, 0,
				    out->px + (size_t)y * width);
	}
	rc = 0;
out:
	if (!direct)
		free(raw);
	if (rc < 0)
		spice_pixels_free(out);
	return rc;
}
