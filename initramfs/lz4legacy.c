/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LZ4 "legacy" streams: magic 0x184C2102, then chunks of up to 8 MiB of
 * input, each as a little-endian 32-bit compressed size and the LZ4 block.
 * It is the LZ4 framing the kernel's initramfs unpacker understands, and it
 * decompresses faster than any other format the kernel offers.
 */
#include <errno.h>
#include <lz4.h>
#include <lz4hc.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "initramfs.h"

#define LZ4_LEGACY_MAGIC 0x184C2102u
#define LZ4_LEGACY_CHUNK (8u << 20)

int lz4_legacy_write(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	int cap = LZ4_compressBound(LZ4_LEGACY_CHUNK);
	uint8_t *out = malloc((size_t)cap + 4);
	uint8_t magic[4];
	int r;

	if (!out)
		return -ENOMEM;
	put_le32(magic, LZ4_LEGACY_MAGIC);
	r = write_full(fd, magic, 4);
	while (r == 0 && len) {
		int in = (int)MIN(len, (size_t)LZ4_LEGACY_CHUNK);
		int n = LZ4_compress_HC((const char *)p, (char *)out + 4, in, cap,
					LZ4HC_CLEVEL_DEFAULT);
		if (n <= 0) {
			r = -EIO;
			break;
		}
		put_le32(out, (uint32_t)n);
		r = write_full(fd, out, (size_t)n + 4);
		p += in;
		len -= (size_t)in;
	}
	free(out);
	return r;
}

int lz4_legacy_read(const void *in, size_t len, struct buf *out)
{
	const uint8_t *p = in, *end = p + len;

	if (len < 4 || get_le32(p) != LZ4_LEGACY_MAGIC)
		return -EBADMSG;
	p += 4;
	while (end - p >= 4) {
		uint32_t n = get_le32(p);
		p += 4;
		if (n == LZ4_LEGACY_MAGIC)
			continue; /* concatenated streams */
		if (n > (uint32_t)(end - p) || n > (uint32_t)LZ4_compressBound(LZ4_LEGACY_CHUNK))
			return -EBADMSG;
		int r = buf_reserve(out, LZ4_LEGACY_CHUNK);
		if (r < 0)
			return r;
		int got = LZ4_decompress_safe((const char *)p, (char *)out->data + out->len,
					      (int)n, LZ4_LEGACY_CHUNK);
		if (got < 0)
			return -EBADMSG;
		out->len += (size_t)got;
		p += n;
	}
	return p == end ? 0 : -EBADMSG;
}
