/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The embedded bitmap fonts: Terminus from Debian's console fonts, turned
 * into C data at build time (core/font_gen.sh, core/font.mk), with their
 * Unicode tables so UTF-8 text (French titles) finds its glyphs.
 */
#include "core/core.h"

#include "font_data.h"

static const struct font small = {
	font_small_WIDTH, font_small_HEIGHT, font_small_bits, font_small_GLYPHS,
	font_small_map, ARRAY_SIZE(font_small_map),
};
static const struct font large = {
	font_large_WIDTH, font_large_HEIGHT, font_large_bits, font_large_GLYPHS,
	font_large_map, ARRAY_SIZE(font_large_map),
};

const struct font *font_small(void) { return &small; }
const struct font *font_large(void) { return &large; }

static const struct font_map_entry *lookup(const struct font *f, uint32_t cp)
{
	size_t lo = 0, hi = f->nmap;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->map[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->nmap && f->map[lo].cp == cp ? &f->map[lo] : NULL;
}

bool font_has(const struct font *f, uint32_t cp)
{
	return lookup(f, cp) != NULL;
}

unsigned font_glyph(const struct font *f, uint32_t cp)
{
	const struct font_map_entry *e = lookup(f, cp);

	if (!e)
		e = lookup(f, 0xfffd);
	if (!e)
		e = lookup(f, '?');
	return e && e->glyph < f->glyphs ? e->glyph : 0;
}

uint32_t utf8_next(const char **sp, const char *end)
{
	const uint8_t *s = (const uint8_t *)*sp, *e = (const uint8_t *)end;
	uint32_t cp, min;
	unsigned n;

	if (s >= e)
		return 0;
	if (s[0] < 0x80) {
		*sp += 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f, n = 1, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f, n = 2, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		cp = s[0] & 0x07, n = 3, min = 0x10000;
	} else {
		*sp += 1;
		return 0xfffd;
	}
	if ((size_t)(e - s) <= n) {
		*sp += 1;
		return 0xfffd;
	}
	for (unsigned i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*sp += 1;
			return 0xfffd;
		}
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		*sp += 1;
		return 0xfffd;
	}
	*sp += n + 1;
	return cp;
}
