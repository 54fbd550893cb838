/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A SPICE client connection: the main channel (init, channel list, mouse mode),
 * then display, inputs and cursor channels linked with its connection id,
 * all served from one poll loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spiceclient/chan.h"
#include "spiceclient/display_int.h"
#include "spiceclient/inputs_int.h"

enum { CH_MAIN, CH_DISPLAY, CH_INPUTS, CH_CURSOR, CH_N };

struct client {
	const struct spice_client_opts *o;
	struct spice_display *d;
	struct chan ch[CH_N];
	bool up[CH_N];
	uint32_t connection_id;
	struct spice_inputs in;
	bool attached;
	/* typing */
	const char *type_pos;
	uint64_t next_key_ns;
	unsigned recorded;
	int end;
};

static void record(struct client *s, const struct chan_msg *m)
{
	char path[4096];

	if (!s->o->record_dir || s->recorded >= 100000)
		return;
	snprintf(path, sizeof(path), "%s/%05u-%u.bin", s->o->record_dir, s->recorded++, m->type);
	if (write_file_atomic(path, m->body, m->len, 0644) < 0)
		log_warn("cannot record %s", path);
}

static int link_channel(struct client *s, int which, uint8_t type,
			const uint32_t *caps, unsigned ncaps, struct errmsg *err)
{
	int end = SPICE_END_ERROR;
	int rc = chan_link(&s->ch[which], &s->o->url, type, 0, s->connection_id,
			   s->o->password, caps, ncaps, NULL, &end, err);

	if (rc < 0) {
		s->end = end;
		return rc;
	}
	s->up[which] = true;
	return 0;
}

static int link_display(struct client *s, struct errmsg *err)
{
	uint32_t caps = 1u << SPICE_DISPLAY_CAP_PREF_COMPRESSION;
	uint8_t init[14], comp = s->o->compression == SPICE_COMPRESS_LZ4 ?
					SPICE_IMAGE_COMPRESSION_LZ4 :
				 s->o->compression == SPICE_COMPRESS_GLZ ?
					SPICE_IMAGE_COMPRESSION_GLZ :
				 s->o->compression == SPICE_COMPRESS_QUIC ?
					SPICE_IMAGE_COMPRESSION_QUIC : SPICE_IMAGE_COMPRESSION_LZ;
	int rc;

	if (comp == SPICE_IMAGE_COMPRESSION_LZ4)
		caps |= 1u << SPICE_DISPLAY_CAP_LZ4_COMPRESSION;
	if ((rc = link_channel(s, CH_DISPLAY, SPICE_CHANNEL_DISPLAY, &caps, 1, err)) < 0)
		return rc;
	init[0] = 1; /* pixmap cache id */
	put_le64(init + 1, PIXMAP_CACHE_PIXELS);
	init[9] = 1; /* glz dictionary id */
	put_le32(init + 10, GLZ_WINDOW_PIXELS);
	if (chan_send(&s->ch[CH_DISPLAY], SPICE_MSGC_DISPLAY_INIT, init, sizeof(init)) < 0 ||
	    chan_send(&s->ch[CH_DISPLAY], SPICE_MSGC_DISPLAY_PREFERRED_COMPRESSION, &comp, 1) < 0)
		return errmsg_set(err, -EPIPE, "display channel: cannot send init");
	return 0;
}

static int on_channels_list(struct client *s, const struct chan_msg *m,
			    struct errmsg *err)
{
	bool want[CH_N] = { false };
	struct rd r = rd_init(m->body, m->len);
	uint32_t n = rd_u32(&r);

	for (uint32_t i = 0; i < n && !r.bad; i++) {
		uint8_t type = rd_u8(&r), id = rd_u8(&r);
		if (id != 0)
			continue; /* one display, one keyboard/mouse */
		if (type == SPICE_CHANNEL_DISPLAY)
			want[CH_DISPLAY] = true;
		else if (type == SPICE_CHANNEL_INPUTS)
			want[CH_INPUTS] = true;
		else if (type == SPICE_CHANNEL_CURSOR)
			want[CH_CURSOR] = true;
	}
	if (r.bad)
		return errmsg_set(err, -EBADMSG, "main channel: short channels list");
	if (!want[CH_DISPLAY])
		return errmsg_set(err, -EPROTO, "the server offers no display");
	int rc = s->up[CH_DISPLAY] ? 0 : link_display(s, err);
	if (rc == 0 && want[CH_INPUTS] && !s->up[CH_INPUTS]) {
		rc = link_channel(s, CH_INPUTS, SPICE_CHANNEL_INPUTS, NULL, 0, err);
		if (rc == 0)
			s->in.ch = &s->ch[CH_INPUTS];
	}
	if (rc == 0 && want[CH_CURSOR] && !s->up[CH_CURSOR])
		rc = link_channel(s, CH_CURSOR, SPICE_CHANNEL_CURSOR, NULL, 0, err);
	if (rc == 0 && s->up[CH_INPUTS] && s->o->type_text) {
		s->type_pos = s->o->type_text;
		s->next_key_ns = clock_now_ns() + s->o->type_delay_ms * 1000000ull;
	}
	return rc;
}

static int on_main(struct client *s, const struct chan_msg *m, struct errmsg *err)
{
	struct rd r = rd_init(m->body, m->len);

	switch (m->type) {
	case SPICE_MSG_MAIN_INIT:
		s->connection_id = rd_u32(&r);
		rd_u32(&r); /* display channels hint */
		uint32_t modes = rd_u32(&r);
		s->in.mouse_mode = rd_u32(&r);
		if (r.bad)
			return errmsg_set(err, -EBADMSG, "main channel: short init");
		if (s->o->connected)
			*s->o->connected = true;
		s->attached = true;
		if (chan_send(&s->ch[CH_MAIN], SPICE_MSGC_MAIN_ATTACH_CHANNELS, NULL, 0) < 0)
			return errmsg_set(err, -EPIPE, "main channel: cannot attach");
		/* Absolute pointing (a tablet or guest tools) when offered. */
		if (modes & SPICE_MOUSE_MODE_CLIENT && s->in.mouse_mode != SPICE_MOUSE_MODE_CLIENT) {
			uint8_t m16[2];
			put_le16(m16, SPICE_MOUSE_MODE_CLIENT);
			if (chan_send(&s->ch[CH_MAIN], SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST, m16, 2) < 0)
				return errmsg_set(err, -EPIPE, "main channel: cannot send");
		}
		return 0;
	case SPICE_MSG_MAIN_CHANNELS_LIST:
		return on_channels_list(s, m, err);
	case SPICE_MSG_MAIN_MOUSE_MODE:
		rd_u16(&r);
		s->in.mouse_mode = rd_u16(&r);
		return 0;
	}
	return 0; /* guest tools (absent), multimedia time, name, uuid ... */
}

static int on_cursor(struct client *s, const struct chan_msg *m,
		     struct errmsg *err)
{
	return spice_cursor_message(s->d, m->type, m->body, m->len, err);
}

static int dispatch(struct client *s, int which, const struct chan_msg *m,
		    struct errmsg *err)
{
	struct chan *c = &s->ch[which];
	int rc = chan_common(c, m, err);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	switch (which) {
	case CH_MAIN:
		return on_main(s, m, err);
	case CH_DISPLAY:
		record(s, m);
		rc = spice_display_message(s->d, m->type, m->body, m->len, err);
		if (rc == -ENOTSUP) { /* an image we did not ask for: skip the draw */
			log_warn("display: %s", err->msg);
			return 0;
		}
		return rc;
	case CH_CURSOR:
		return on_cursor(s, m, err);
	case CH_INPUTS:
		inputs_message(&s->in, m->type);
		return 0;
	}
	return 0;
}

static int service(struct client *s, int which, struct errmsg *err)
{
	struct chan *c = &s->ch[which];
	int rc = chan_fill(c, err);
	size_t off = 0;

	if (rc < 0)
		return rc;
	for (;;) {
		struct chan_msg m;
		size_t used;
		struct buf view = c->rx;

		c->rx.data += off;
		c->rx.len -= off;
		rc = chan_next(c, &m, &used, err);
		c->rx = view;
		if (rc <= 0)
			break;
		if ((rc = dispatch(s, which, &m, err)) < 0)
			break;
		off += used;
		if (!s->up[which])
			return rc;
	}
	buf_consume(&c->rx, off);
	return rc < 0 ? rc : 0;
}

/* Types one character of the text per call, pacing the guest's keyboard. */
static int type_next(struct client *s, struct errmsg *err)
{
	struct spice_inputs *in = &s->in;
	bool shift;
	int code;

	if (!s->type_pos || !*s->type_pos || clock_now_ns() < s->next_key_ns)
		return 0;
	code = spice_scancode_of_char(*s->type_pos++, &shift);
	s->next_key_ns = clock_now_ns() + 30 * 1000000ull;
	if (code < 0)
		return 0;
	if ((shift && spice_input_key(in, 0x2a, true) < 0) ||
	    spice_input_key(in, (unsigned)code, true) < 0 ||
	    spice_input_key(in, (unsigned)code, false) < 0 ||
	    (shift && spice_input_key(in, 0x2a, false) < 0))
		return errmsg_set(err, -EPIPE, "inputs channel: cannot send keys");
	return 0;
}

static int run_loop(struct client *s, struct errmsg *err)
{
	for (;;) {
		struct pollfd pf[CH_N + 1];
		int idx[CH_N + 1], n = 0, rc;

		if (s->o->stop && s->o->stop(s->o->ctx, s->d)) {
			s->end = SPICE_END_STOPPED;
			return 0;
		}
		if ((rc = type_next(s, err)) < 0)
			return rc;
		for (int i = 0; i < CH_N; i++)
			if (s->up[i]) {
				pf[n] = (struct pollfd){ s->ch[i].fd, POLLIN, 0 };
				idx[n++] = i;
			}
		if (s->o->input_fd >= 0 && s->o->on_input) {
			pf[n] = (struct pollfd){ s->o->input_fd, POLLIN, 0 };
			idx[n++] = CH_N;
		}
		rc = poll(pf, (nfds_t)n, 20);
		if (rc < 0 && errno != EINTR)
			return errmsg_set(err, -errno, "poll: %s", strerror(errno));
		for (int k = 0; k < n && rc > 0; k++) {
			if (!pf[k].revents)
				continue;
			if (idx[k] == CH_N) {
				s->o->on_input(s->o->ctx, s->in.ch ? &s->in : NULL);
				continue;
			}
			int r = service(s, idx[k], err);
			if (r < 0 && idx[k] == CH_CURSOR) {
				log_warn("%s", err->msg); /* cursor is optional */
				chan_close(&s->ch[CH_CURSOR]);
				s->up[CH_CURSOR] = false;
			} else if (r < 0) {
				return r;
			}
		}
	}
}

int spice_client_run(const struct spice_client_opts *o,
		      struct spice_display *d, struct errmsg *err)
{
	struct client s = { .o = o, .d = d, .end = SPICE_END_ERROR };
	int rc;

	if (o->connected)
		*o->connected = false;
	spice_display_reset(d);
	spice_display_set_output(d, o->output);
	rc = link_channel(&s, CH_MAIN, SPICE_CHANNEL_MAIN, NULL, 0, err);
	if (rc == 0)
		rc = run_loop(&s, err);
	for (int i = 0; i < CH_N; i++)
		if (s.up[i])
			chan_close(&s.ch[i]);
	if (rc == 0 && s.end == SPICE_END_STOPPED)
		return SPICE_END_STOPPED;
	return s.end == SPICE_END_STOPPED ? SPICE_END_ERROR : s.end;
}
