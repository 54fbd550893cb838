/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The menu's screen model: which screen is up, what is selected, and what a
 * key means there. It decides nothing about processes or files: a key that
 * asks for something returns an action the applet carries out. Text and
 * graphical front-ends draw the same model.
 */
#include <stdio.h>
#include <string.h>

#include "initramfs/initramfs.h"

static const char *const admin_items[] = {
	"Refresh the catalog now", "Reset a persistent overlay", "Show the log",
	"Network status", "Reboot", "Power off", "Leave admin mode",
};

void menu_model_init(struct menu_model *m, const struct catalog *cat)
{
	memset(m, 0, sizeof(*m));
	buf_init(&m->page);
	m->cat = cat;
	m->countdown = -1;
	m->action_app = -1;
}

void menu_model_free(struct menu_model *m)
{
	buf_free(&m->page);
}

static bool row_visible(const struct menu_model *m, const struct catalog_appliance *a)
{
	return !a->ghost && (!a->admin_only || m->admin);
}

size_t menu_rows(const struct menu_model *m, size_t *idx, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; m->cat && i < m->cat->napps && n < max; i++)
		if (row_visible(m, &m->cat->apps[i]))
			idx[n++] = i;
	return n;
}

size_t menu_reset_rows(const struct menu_model *m, size_t *idx, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; m->cat && i < m->cat->napps && n < max; i++)
		if (m->cat->apps[i].persistent && m->cat->apps[i].ndisks)
			idx[n++] = i;
	return n;
}

void menu_model_set_catalog(struct menu_model *m, const struct catalog *cat)
{
	char name[CATALOG_NAME_MAX + 1] = "";
	size_t rows[CATALOG_MAX_APPLIANCES], n = menu_rows(m, rows, ARRAY_SIZE(rows));

	if (m->selected < n)
		str_copy(name, sizeof(name), m->cat->apps[rows[m->selected]].name);
	m->cat = cat;
	memset(m->status, 0, sizeof(m->status));
	m->selected = 0;
	n = menu_rows(m, rows, ARRAY_SIZE(rows));
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cat->apps[rows[i]].name, name))
			m->selected = i;
	m->pick_sel = 0;
}

void menu_message(struct menu_model *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->message, sizeof(m->message), fmt, ap);
	va_end(ap);
}

void menu_show_page(struct menu_model *m, const char *title, const char *text)
{
	str_copy(m->page_title, sizeof(m->page_title), title);
	m->page.len = 0;
	buf_append(&m->page, text, strlen(text));
	buf_terminate(&m->page);
	m->screen = MENU_PAGE;
}

static void move(size_t *sel, size_t n, enum menu_key k)
{
	if (!n)
		*sel = 0;
	else if (k == MK_UP && *sel > 0)
		(*sel)--;
	else if (k == MK_DOWN && *sel + 1 < n)
		(*sel)++;
	else if (k == MK_HOME)
		*sel = 0;
	else if (k == MK_END)
		*sel = n - 1;
}

static enum menu_action list_key(struct menu_model *m, enum menu_key k, int ch)
{
	size_t rows[CATALOG_MAX_APPLIANCES], n = menu_rows(m, rows, ARRAY_SIZE(rows));

	if (k == MK_CHAR && ch >= '1' && ch <= '9' && (size_t)(ch - '1') < n) {
		m->selected = (size_t)(ch - '1');
		return ACT_REDRAW;
	}
	if (k == MK_CHAR && (ch == 'a' || ch == 'A')) {
		m->message[0] = 0;
		if (m->admin) {
			m->screen = MENU_ADMIN;
			m->admin_sel = 0;
		} else if (m->cat && m->cat->has_admin_password) {
			m->screen = MENU_PASSWORD;
			m->password_len = 0;
			m->password[0] = 0;
		} else {
			menu_message(m, "Admin mode is off: the catalog sets no admin_password.");
		}
		return ACT_REDRAW;
	}
	if (k != MK_ENTER) {
		move(&m->selected, n, k);
		return ACT_REDRAW;
	}
	if (m->selected >= n)
		return ACT_REDRAW;
	m->action_app = (int)rows[m->selected];
	return ACT_START;
}

static enum menu_action password_key(struct menu_model *m, enum menu_key k, int ch)
{
	if (k == MK_ESC) {
		m->screen = MENU_LIST;
	} else if (k == MK_ENTER) {
		m->screen = MENU_LIST;
		return ACT_LOGIN; /* the applet checks m->password, then clears it */
	} else if (k == MK_BACKSPACE && m->password_len) {
		m->password[--m->password_len] = 0;
	} else if (k == MK_CHAR && ch >= ' ' && ch != 0x7f &&
		   m->password_len + 1 < sizeof(m->password)) {
		m->password[m->password_len++] = (char)ch;
		m->password[m->password_len] = 0;
	}
	return ACT_REDRAW;
}

static enum menu_action admin_key(struct menu_model *m, enum menu_key k)
{
	static const enum menu_action acts[] = { ACT_REFRESH, ACT_NONE, ACT_LOGS,
						 ACT_NET, ACT_REBOOT, ACT_POWEROFF,
						 ACT_NONE };

	if (k == MK_ESC) {
		m->screen = MENU_LIST;
		return ACT_REDRAW;
	}
	if (k != MK_ENTER) {
		move(&m->admin_sel, ARRAY_SIZE(admin_items), k);
		return ACT_REDRAW;
	}
	m->message[0] = 0;
	if (m->admin_sel == 1) {
		m->screen = MENU_PICK_RESET;
		m->pick_sel = 0;
		return ACT_REDRAW;
	}
	if (m->admin_sel == ARRAY_SIZE(admin_items) - 1) {
		m->admin = false;
		m->screen = MENU_LIST;
		m->selected = 0;
		menu_message(m, "Left admin mode.");
		return ACT_REDRAW;
	}
	return acts[m->admin_sel];
}

static enum menu_action pick_key(struct menu_model *m, enum menu_key k)
{
	size_t rows[CATALOG_MAX_APPLIANCES];
	size_t n = menu_reset_rows(m, rows, ARRAY_SIZE(rows));

	if (k == MK_ESC) {
		m->screen = MENU_ADMIN;
		return ACT_REDRAW;
	}
	if (k != MK_ENTER) {
		move(&m->pick_sel, n, k);
		return ACT_REDRAW;
	}
	if (m->pick_sel >= n)
		return ACT_REDRAW;
	m->action_app = (int)rows[m->pick_sel];
	m->screen = MENU_ADMIN;
	return ACT_RESET;
}

enum menu_action menu_key(struct menu_model *m, enum menu_key k, int ch)
{
	if (k == MK_NONE)
		return ACT_NONE;
	if (m->countdown >= 0) { /* any key stops the automatic start */
		m->countdown = -1;
		if (k != MK_ENTER)
			return ACT_REDRAW;
	}
	switch (m->screen) {
	case MENU_LIST:
		return list_key(m, k, ch);
	case MENU_PASSWORD:
		return password_key(m, k, ch);
	case MENU_ADMIN:
		return admin_key(m, k);
	case MENU_PICK_RESET:
		return pick_key(m, k);
	case MENU_PAGE:
		m->screen = MENU_ADMIN;
		return ACT_REDRAW;
	}
	return ACT_NONE;
}

const char *menu_admin_item(size_t i)
{
	return i < ARRAY_SIZE(admin_items) ? admin_items[i] : NULL;
}
