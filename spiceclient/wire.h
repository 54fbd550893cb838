/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal to spiceclient/: a bounds-checked reader over one message
 * body. Reads past the end return zeros and set @bad, so a parser checks
 * once at the end instead of after every field. Pointers in SPICE
 * messages are 32-bit offsets from the start of the body.
 */
#ifndef KVMBOX_SPICE_WIRE_H
#define KVMBOX_SPICE_WIRE_H

#include "core/core.h"

struct rd {
	const uint8_t *base;
	size_t len, at;
	bool bad;
};

static inline struct rd rd_init(const uint8_t *p, size_t len)
{
	return (struct rd){ p, len, 0, false };
}

static inline const uint8_t *rd_take(struct rd *r, size_t n)
{
	if (r->bad || n > r->len - r->at) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->base + r->at;
	r->at += n;
	return p;
}

static inline uint8_t rd_u8(struct rd *r)
{
	const uint8_t *p = rd_take(r, 1);
	return p ? *p : 0;
}
static inline uint16_t rd_u16(struct rd *r)
{
	const uint8_t *p = rd_take(r, 2);
	return p ? get_le16(p) : 0;
}
static inline uint32_t rd_u32(struct rd *r)
{
	const uint8_t *p = rd_take(r, 4);
	return p ? get_le32(p) : 0;
}
static inline int32_t rd_i32(struct rd *r)
{
	return (int32_t)rd_u32(r);
}
static inline uint64_t rd_u64(struct rd *r)
{
	const uint8_t *p = rd_take(r, 8);
	return p ? get_le64(p) : 0;
}

/* A reader positioned at body offset @off (a SPICE pointer). */
static inline struct rd rd_at(const struct rd *r, uint32_t off)
{
	struct rd n = { r->base, r->len, off, r->bad || off > r->len };
	return n;
}

#endif
