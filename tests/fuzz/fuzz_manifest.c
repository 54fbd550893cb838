/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An image manifest as a server may send it, on arbitrary bytes: whatever
 * parses must be self-consistent, must print back to text that parses
 * to the same manifest, and must name the image its first lines name.
 */
#include <stdlib.h>
#include <string.h>

#include "disk/disk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct disk_manifest m, back;
	struct errmsg e;
	struct buf b;

	uint8_t peeked[32];
	int peek = disk_manifest_peek_digest((const char *)data, size, peeked);

	if (disk_manifest_parse((const char *)data, size, "fuzz", &m, &e) < 0)
		return 0;
	/* What a multicast announce's first piece names is what the whole says. */
	if (peek == 0 && memcmp(peeked, m.digest, 32))
		abort();
	if (!m.nchunks || m.nchunks != (m.file_size + m.chunk_size - 1) / m.chunk_size ||
	    m.chunk_size & (m.chunk_size - 1) || m.nchunks * 66 > size ||
	    !disk_manifest_chunk_len(&m, m.nchunks - 1))
		abort();
	buf_init(&b);
	if (disk_manifest_format(&m, &b) < 0 ||
	    disk_manifest_parse((const char *)b.data, b.len, "again", &back, &e) < 0 ||
	    back.file_size != m.file_size || back.chunk_size != m.chunk_size ||
	    memcmp(back.digest, m.digest, 32) ||
	    memcmp(back.chunk_digest, m.chunk_digest, m.nchunks * 32))
		abort();
	disk_manifest_free(&back);
	disk_manifest_free(&m);
	buf_free(&b);
	return 0;
}
