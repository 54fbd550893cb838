/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The text front-end: the menu model drawn for a terminal or a serial line
 * (plain text, a few ANSI escapes, "\r\n" line ends since the terminal is in
 * raw mode), and terminal input split into keys.
 */
#include <stdio.h>
#include <string.h>

#include "initramfs/initramfs.h"

#define MAX_COLS 240

size_t menu_keys_decode(const uint8_t *in, size_t len, enum menu_key *keys,
			int *chars, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len && n < max) {
		uint8_t c = in[i++];
		enum menu_key k = MK_CHAR;

		chars[n] = c;
		if (c == 0x1b && i < len && (in[i] == '[' || in[i] == 'O')) {
			uint8_t f = 0;

			i++;
			/* Parameters (digits, ';') then one final byte. */
			while (i < len && ((in[i] >= '0' && in[i] <= '9') || in[i] == ';'))
				i++;
			if (i < len)
				f = in[i++];
			k = f == 'A' ? MK_UP : f == 'B' ? MK_DOWN
			  : f == 'H' ? MK_HOME : f == 'F' ? MK_END : MK_NONE;
			if (f == '~') /* ESC [ 1 ~ home, ESC [ 4 ~ end */
				k = in[i - 2] == '1' || in[i - 2] == '7' ? MK_HOME
				  : in[i - 2] == '4' || in[i - 2] == '8' ? MK_END : MK_NONE;
		} else if (c == 0x1b) {
			k = MK_ESC;
		} else if (c == '\r' || c == '\n') {
			k = MK_ENTER;
			if (c == '\r' && i < len && in[i] == '\n')
				i++; /* CR LF from some terminals: one Enter */
		} else if (c == 0x7f || c == 0x08) {
			k = MK_BACKSPACE;
		} else if (c < ' ') {
			k = MK_NONE;
		}
		if (k != MK_NONE)
			keys[n++] = k;
	}
	return n;
}

/* Appends @s cut to @width columns and padded to it when @pad. */
static void put_cell(struct buf *out, const char *s, size_t width, bool pad)
{
	size_t i = 0, w = 0;

	while (s[i] && s[i] != '\n') {
		size_t len = 1;

		while ((((unsigned char)s[i + len]) & 0xc0) == 0x80)
			len++;
		if (w + 1 > width)
			break;
		buf_append(out, s + i, len);
		i += len;
		w++;
	}
	while (pad && w++ < width)
		buf_append(out, " ", 1);
}

static void put_line(struct buf *out, unsigned cols, const char *fmt, ...) PRINTF(3, 4);
static void put_line(struct buf *out, unsigned cols, const char *fmt, ...)
{
	char line[MAX_COLS * 4 + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	put_cell(out, line, cols - 1, false);
	buf_append(out, "\x1b[K\r\n", 5);
}

/* @text over at most @max lines of the screen, cut at character bounds. */
static void put_wrapped(struct buf *out, unsigned cols, const char *text, int max)
{
	int lines = 0;

	do {
		size_t take = 0, w = 0;

		while (text[take] && text[take] != '\n' && w < cols - 1) {
			w += ((unsigned char)text[take] & 0xc0) != 0x80;
			take++;
		}
		while (((unsigned char)text[take] & 0xc0) == 0x80)
			take++;
		put_line(out, cols, "%.*s", (int)take, text);
		text += take + (text[take] == '\n');
	} while (*text && ++lines < max);
}

static void status_text(const struct menu_model *m, size_t app, char *out, size_t size)
{
	const struct menu_app_status *st = &m->status[app];

	if (m->running[0] && !strcmp(m->running, m->cat->apps[app].name))
		snprintf(out, size, "running");
	else if (st->state == MENU_APP_READY)
		snprintf(out, size, "ready");
	else if (st->state == MENU_APP_DOWNLOADING)
		snprintf(out, size, "downloading %u %%", st->percent);
	else
		snprintf(out, size, "unavailable: %s", st->reason);
}

static void render_list(const struct menu_model *m, unsigned cols, unsigned rows,
			struct buf *out)
{
	size_t idx[CATALOG_MAX_APPLIANCES], n = menu_rows(m, idx, ARRAY_SIZE(idx));
	size_t first = 0, room = rows > 12 ? rows - 12 : 1;
	unsigned title_w = cols > 50 ? cols * 2 / 5 : cols - 20;

	if (!n)
		put_line(out, cols, "  (no appliance to show)");
	if (m->selected >= room)
		first = m->selected - room + 1;
	for (size_t r = first; r < n && r < first + room; r++) {
		const struct catalog_appliance *a = &m->cat->apps[idx[r]];
		char st[128], head[32];
		struct buf line;

		buf_init(&line);
		status_text(m, idx[r], st, sizeof(st));
		snprintf(head, sizeof(head), "%s%2u. ", r == m->selected ? " > " : "   ",
			 (unsigned)(r + 1) % 1000);
		buf_append(&line, head, strlen(head));
		put_cell(&line, a->title, title_w, true);
		buf_append(&line, "  ", 2);
		buf_append(&line, st, strlen(st));
		buf_terminate(&line);
		if (r == m->selected)
			buf_append(out, "\x1b[7m", 4);
		put_cell(out, (const char *)line.data, cols - 1, false);
		if (r == m->selected)
			buf_append(out, "\x1b[0m", 4);
		buf_append(out, "\x1b[K\r\n", 5);
		buf_free(&line);
	}
	put_line(out, cols, "%s", "");
	if (m->selected < n) {
		const char *d = m->cat->apps[idx[m->selected]].description;

		if (d && *d) /* at most three lines of it */
			put_wrapped(out, cols, d, 3);
		if (m->status[idx[m->selected]].state == MENU_APP_UNAVAILABLE) {
			char why[128];
			snprintf(why, sizeof(why), "Unavailable: %s", m->status[idx[m->selected]].reason);
			put_wrapped(out, cols, why, 2);
		}
	}
}

static void render_admin(const struct menu_model *m, unsigned cols, struct buf *out)
{
	put_line(out, cols, "  Administration");
	put_line(out, cols, "%s", "");
	for (size_t i = 0; menu_admin_item(i); i++)
		put_line(out, cols, "%s%s", i == m->admin_sel ? " > " : "   ",
			 menu_admin_item(i));
}

static void render_pick(const struct menu_model *m, unsigned cols, struct buf *out)
{
	size_t idx[CATALOG_MAX_APPLIANCES], n = menu_reset_rows(m, idx, ARRAY_SIZE(idx));

	put_line(out, cols, "  Reset the persistent overlay of (Esc: back):");
	put_line(out, cols, "%s", "");
	if (!n)
		put_line(out, cols, "   (no appliance has a persistent overlay)");
	for (size_t i = 0; i < n; i++)
		put_line(out, cols, "%s%s (%s)", i == m->pick_sel ? " > " : "   ",
			 m->cat->apps[idx[i]].title, m->cat->apps[idx[i]].name);
}

static void render_page(const struct menu_model *m, unsigned cols, unsigned rows,
			struct buf *out)
{
	const char *p = m->page.data ? (const char *)m->page.data : "", *nl;
	unsigned lines = 0, total = 1, room = rows > 6 ? rows - 6 : 1;

	put_line(out, cols, "  %s (any key: back)", m->page_title);
	put_line(out, cols, "%s", "");
	/* A page longer than the screen shows its end: a log's newest lines. */
	for (const char *c = p; *c; c++)
		total += *c == '\n' && c[1];
	for (; total > room && (nl = strchr(p, '\n')); total--)
		p = nl + 1;
	while (*p && lines < room) {
		int len;

		nl = strchr(p, '\n');
		len = nl ? (int)(nl - p) : (int)strlen(p);

		put_line(out, cols, "  %.*s", len, p);
		p += len + (nl ? 1 : 0);
		lines++;
	}
}

static void render_status(const struct menu_model *m, unsigned cols, struct buf *out)
{
	char net[96], server[40];
	bool online = !strcmp(m->net.state, "online");

	if (online)
		snprintf(net, sizeof(net), "online %s", m->net.address);
	else
		snprintf(net, sizeof(net), "%s", m->net.state[0] ? m->net.state : "offline");
	snprintf(server, sizeof(server), "%s", !m->server_set ? "no server"
			 : m->server_ok ? "server reachable" : "server unreachable");
	put_line(out, cols, "%s | %s | %s%s%s", net, server, m->clock,
		 m->running[0] ? " | running: " : "", m->running);
}

int menu_render(const struct menu_model *m, unsigned cols, unsigned rows,
		struct buf *out)
{
	cols = MAX(MIN(cols, MAX_COLS), 40u);
	rows = MAX(rows, 16u);
	out->len = 0;
	buf_append(out, "\x1b[H", 3);
	put_line(out, cols, " %s%s", m->cat && m->cat->title ? m->cat->title : "kvmbox",
		 m->admin ? "   [admin]" : "");
	put_line(out, cols, "%s", "");
	if (m->screen == MENU_LIST)
		render_list(m, cols, rows, out);
	else if (m->screen == MENU_PASSWORD)
		put_line(out, cols, "  Admin password: %.*s", (int)m->password_len,
			 "****************************************************************");
	else if (m->screen == MENU_ADMIN)
		render_admin(m, cols, out);
	else if (m->screen == MENU_PICK_RESET)
		render_pick(m, cols, out);
	else
		render_page(m, cols, rows, out);
	buf_append(out, "\x1b[J", 3); /* clear what an older, longer screen left */
	put_line(out, cols, "%s", "");
	put_wrapped(out, cols, m->message, 3);
	if (m->countdown >= 0 && m->cat && m->cat->autostart[0]) {
		const struct catalog_appliance *a = catalog_find(m->cat, m->cat->autostart);
		put_line(out, cols, "Starting %s in %d s (any key to stop)",
			 a ? a->title : m->cat->autostart, m->countdown);
	} else {
		put_line(out, cols, "%s", m->screen == MENU_LIST
			 ? "Up/Down: choose   Enter: start   A: admin"
			 : "Up/Down: choose   Enter: select   Esc: back");
	}
	render_status(m, cols, out);
	return buf_terminate(out);
}
