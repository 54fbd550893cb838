/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by net/mcast_*.c only: the socket and packet bitmaps. */
#ifndef KVMBOX_NET_MCAST_PRIVATE_H
#define KVMBOX_NET_MCAST_PRIVATE_H

#include <netinet/in.h>

#include "net.h"

/*
 * A UDP socket bound to the group's port, member of the group on the
 * interface, sending there with TTL 1 and without looping back; large
 * buffers, non-blocking. @to is filled with the group's address.
 */
int mcast_sock_open(const struct mcast_addr *a, struct sockaddr_in *to,
		    struct errmsg *err);
/* Sends one packet built from @m to @to; 0 or -errno (-EAGAIN dropped). */
int mcast_sock_send(int fd, const struct sockaddr_in *to,
		    const struct mcast_pkt *m);
/* A random 64-bit number from the kernel (session and receiver ids). */
uint64_t mcast_random(void);

/* Bitmaps of packet indexes, 64 per word. */
static inline bool bit_get(const uint64_t *b, uint64_t i)
{
	return b[i / 64] >> (i % 64) & 1;
}
static inline void bit_set(uint64_t *b, uint64_t i)
{
	b[i / 64] |= 1ull << (i % 64);
}
static inline void bit_clear(uint64_t *b, uint64_t i)
{
	b[i / 64] &= ~(1ull << (i % 64));
}
static inline size_t bit_words(uint64_t nbits)
{
	return (size_t)((nbits + 63) / 64);
}

#endif
