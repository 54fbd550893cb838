/* SPDX-License-Identifier: GPL-2.0-only */
/* Slicing and copying I/O vectors: the backends split requests by cluster. */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "disk.h"

int disk_iov_slice(const struct iovec *iov, int iovcnt, size_t skip,
		   size_t len, struct iovec *out, int max)
{
	int n = 0;

	while (iovcnt > 0 && skip >= iov->iov_len) {
		skip -= iov->iov_len;
		iov++, iovcnt--;
	}
	while (len > 0) {
		if (iovcnt == 0)
			return -EINVAL;
		if (n == max)
			return -E2BIG;
		size_t take = MIN(iov->iov_len - skip, len);
		out[n].iov_base = (char *)iov->iov_base + skip;
		out[n].iov_len = take;
		n++;
		len -= take;
		skip = 0;
		iov++, iovcnt--;
	}
	return n;
}

void disk_iov_to_buf(const struct iovec *iov, int iovcnt, size_t skip,
		     void *buf, size_t len)
{
	char *p = buf;

	for (; iovcnt > 0 && len > 0; iov++, iovcnt--) {
		if (skip >= iov->iov_len) {
			skip -= iov->iov_len;
			continue;
		}
		size_t take = MIN(iov->iov_len - skip, len);
		memcpy(p, (char *)iov->iov_base + skip, take);
		p += take;
		len -= take;
		skip = 0;
	}
}

void disk_buf_to_iov(const struct iovec *iov, int iovcnt, size_t skip,
		     const void *buf, size_t len)
{
	const char *p = buf;

	for (; iovcnt > 0 && len > 0; iov++, iovcnt--) {
		if (skip >= iov->iov_len) {
			skip -= iov->iov_len;
			continue;
		}
		size_t take = MIN(iov->iov_len - skip, len);
		memcpy((char *)iov->iov_base + skip, p, take);
		p += take;
		len -= take;
		skip = 0;
	}
}

size_t disk_iov_len(const struct iovec *iov, int iovcnt)
{
	size_t len = 0;

	for (int i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	return len;
}

int disk_prw(int fd, const struct iovec *iov, int iovcnt, uint64_t off,
	     bool write)
{
	struct iovec local[64];
	int n = MIN(iovcnt, (int)ARRAY_SIZE(local));

	if (iovcnt > n) { /* rare: split into batches the stack copy can hold */
		for (int i = 0; i < iovcnt; i += n) {
			int cnt = MIN(n, iovcnt - i);
			int r = disk_prw(fd, iov + i, cnt, off, write);
			if (r < 0)
				return r;
			off += disk_iov_len(iov + i, cnt);
		}
		return 0;
	}
	memcpy(local, iov, sizeof(*iov) * (size_t)n);
	struct iovec *v = local;
	while (n > 0) {
		ssize_t done = write ? pwritev(fd, v, n, (off_t)off)
				     : preadv(fd, v, n, (off_t)off);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return -errno;
		if (done == 0)
			return -EIO;
		off += (uint64_t)done;
		while (n > 0 && (size_t)done >= v->iov_len) {
			done -= (ssize_t)v->iov_len;
			v++, n--;
		}
		if (n > 0) {
			v->iov_base = (char *)v->iov_base + done;
			v->iov_len -= (size_t)done;
		}
	}
	return 0;
}
