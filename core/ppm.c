/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Binary PPM (P6): the icon and screenshot format. Icons come from the
 * catalog's server, so the parser trusts nothing: bounded header tokens,
 * dimensions and maxval checked before any allocation, exact data length.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define PPM_MAX_FILE (64u << 20)

struct ppm_reader {
	const uint8_t *p, *end;
};

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Skips white space and '#' comments (to the end of their line). */
static void skip_blanks(struct ppm_reader *r)
{
	while (r->p < r->end) {
		if (*r->p == '#') {
			while (r->p < r->end && *r->p != '\n' && *r->p != '\r')
				r->p++;
		} else if (is_space(*r->p)) {
			r->p++;
		} else {
			break;
		}
	}
}

static int read_number(struct ppm_reader *r, unsigned max, unsigned *out)
{
	uint64_t v = 0;
	unsigned digits = 0;

	skip_blanks(r);
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		v = v * 10 + (unsigned)(*r->p++ - '0');
		if (v > max)
			return -ERANGE;
		digits++;
	}
	if (!digits)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

int ppm_parse(const uint8_t *data, size_t len, size_t max_pixels,
	      struct gfx_image *out, struct errmsg *err)
{
	struct ppm_reader r = { data, data + len };
	unsigned w, h, maxval;

	memset(out, 0, sizeof(*out));
	if (len < 2 || data[0] != 'P' || data[1] != '6')
		return errmsg_set(err, -EINVAL, "not a binary PPM (P6) image");
	r.p += 2;
	if (r.p < r.end && !is_space(*r.p) && *r.p != '#')
		return errmsg_set(err, -EINVAL, "PPM: bad magic");
	if (read_number(&r, GFX_MAX_DIM, &w) || read_number(&r, GFX_MAX_DIM, &h) || !w || !h)
		return errmsg_set(err, -EINVAL, "PPM: width and height must be 1..%u",
				  GFX_MAX_DIM);
	if ((size_t)w * h > max_pixels)
		return errmsg_set(err, -EFBIG, "PPM: %ux%u is more than %zu pixels",
				  w, h, max_pixels);
	if (read_number(&r, 65535, &maxval) || !maxval)
		return errmsg_set(err, -EINVAL, "PPM: maxval must be 1..65535");
	/* Exactly one white-space byte separates the header from the data. */
	if (r.p >= r.end || !is_space(*r.p))
		return errmsg_set(err, -EINVAL, "PPM: no data after the header");
	r.p++;

	size_t bpc = maxval > 255 ? 2 : 1;
	size_t need = (size_t)w * h * 3 * bpc;
	if ((size_t)(r.end - r.p) < need)
		return errmsg_set(err, -EINVAL, "PPM: %zu bytes of pixels, %ux%u needs %zu",
				  (size_t)(r.end - r.p), w, h, need);
	int rc = gfx_image_alloc(out, w, h);
	if (rc)
		return errmsg_set(err, rc, "PPM: %s", err_str(rc));

	const uint8_t *p = r.p;
	for (unsigned y = 0; y < h; y++) {
		uint32_t *row = gfx_image_row(out, y);
		for (unsigned x = 0; x < w; x++) {
			unsigned c[3];
			for (int i = 0; i < 3; i++) {
				unsigned v = bpc == 2 ? (unsigned)(p[0] << 8 | p[1]) : p[0];
				p += bpc;
				v = MIN(v, maxval); /* samples above maxval are clamped */
				c[i] = maxval == 255 ? v : (v * 255 + maxval / 2) / maxval;
			}
			row[x] = GFX_RGB(c[0], c[1], c[2]);
		}
	}
	return 0;
}

int ppm_load(const char *path, struct gfx_image *out, struct errmsg *err)
{
	struct buf b;
	struct errmsg why;

	buf_init(&b);
	int rc = read_file(path, PPM_MAX_FILE, &b);
	if (rc < 0) {
		buf_free(&b);
		return errmsg_set(err, rc, "%s: %s", path, err_str(rc));
	}
	rc = ppm_parse(b.data, b.len, (size_t)GFX_MAX_DIM * GFX_MAX_DIM, out, &why);
	buf_free(&b);
	if (rc < 0)
		return errmsg_set(err, rc, "%s: %s", path, why.msg);
	return 0;
}

int ppm_write(const char *path, const struct gfx_image *im)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = buf_printf(&b, "P6\n%u %u\n255\n", im->width, im->height);
	if (rc >= 0)
		rc = buf_reserve(&b, (size_t)im->width * im->height * 3);
	if (rc < 0) {
		buf_free(&b);
		return rc;
	}
	for (unsigned y = 0; y < im->height; y++) {
		const uint32_t *row = gfx_image_row(im, y);
		uint8_t *o = b.data + b.len;
		for (unsigned x = 0; x < im->width; x++) {
			*o++ = (uint8_t)(row[x] >> 16);
			*o++ = (uint8_t)(row[x] >> 8);
			*o++ = (uint8_t)row[x];
		}
		b.len += (size_t)im->width * 3;
	}
	rc = write_file_atomic(path, b.data, b.len, 0644);
	buf_free(&b);
	return rc;
}
