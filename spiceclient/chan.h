/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal to spiceclient/: one linked SPICE channel (a TCP connection). */
#ifndef KVMBOX_SPICE_CHAN_H
#define KVMBOX_SPICE_CHAN_H

#include "spiceclient/pixfmt.h"

/* Largest message we accept: a full 8K×4K uncompressed bitmap and more. */
#define CHAN_MAX_MSG (160u << 20)

struct chan {
	int fd;
	uint8_t type, id;
	bool mini;		/* SPICE_COMMON_CAP_MINI_HEADER agreed */
	uint64_t out_serial;
	uint32_t ack_window, ack_count;
	struct buf rx;
	const char *name;
};

/* Connects and links one channel; on failure returns -errno with @err and,
 * in @end, the spice_end kind (auth, version, unreachable, error). */
int chan_link(struct chan *c, const struct spice_url *u, uint8_t type,
	      uint8_t id, uint32_t connection_id, const char *password,
	      const uint32_t *caps, unsigned ncaps, uint32_t *out_connection_id,
	      int *end, struct errmsg *err);
void chan_close(struct chan *c);
int chan_send(struct chan *c, uint16_t type, const void *body, size_t len);

/* One received message; body points into c->rx until the next chan_read. */
struct chan_msg {
	uint16_t type;
	const uint8_t *body;
	size_t len;
};
/*
 * Reads what the socket has into c->rx. Returns 0, -EPIPE when the server
 * closed, or -errno.
 */
int chan_fill(struct chan *c, struct errmsg *err);
/* Next complete message in c->rx (1), none yet (0), or -EBADMSG. */
int chan_next(struct chan *c, struct chan_msg *m, size_t *consumed,
	      struct errmsg *err);
/* The base-channel messages every channel gets (ack, ping, notify...).
 * Returns 1 when handled, 0 when the message is for the channel itself. */
int chan_common(struct chan *c, const struct chan_msg *m, struct errmsg *err);

#endif
