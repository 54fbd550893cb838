/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared between the menu program's files (menu_main.c, menu_proc.c, …) only. */
#ifndef KVMBOX_MENU_PRIV_H
#define KVMBOX_MENU_PRIV_H

#include <termios.h>

#include "initramfs/initramfs.h"

#define MENU_MAX_GHOSTS 16
#define MENU_MAX_QUEUED_KEYS 64

struct menu_ghost {
	char name[CATALOG_NAME_MAX + 1];
	pid_t pid;
	uint64_t started_ns, next_start_ns;
	unsigned quick_deaths;
	bool adopted; /* started by a menu before us: watched through its lock */
};

struct menu_state {
	const struct menu_options *o;
	char run_dir[256];
	char log_path[300], net_path[300], lock_path[300], overlay_dir[300];
	char vm_command[256];
	struct menu_boot_conf bc;
	struct menu_source src;
	struct menu_store store;
	struct catalog cat;
	struct menu_model m;
	struct menu_icons icons; /* per catalog appliance, for the tiles */

	/* Per catalog appliance: download progress (-1 none), last failure. */
	int pct[CATALOG_MAX_APPLIANCES];
	char failure[CATALOG_MAX_APPLIANCES][96];
	int pending_start;   /* start when ready (boot.conf appliance), -1 */
	uint64_t kvm_wait_end_ns; /* a start waits for /dev/kvm until then */

	/* The foreground appliance. */
	pid_t fg_pid;
	int fg_app;
	uint64_t fg_started_ns;
	unsigned fg_quick_reboots;
	/*
	 * Started by an earlier menu that died: not our child (its exit status
	 * is unknown); it holds the foreground lock until it ends.
	 */
	bool fg_adopted;

	struct menu_ghost ghosts[MENU_MAX_GHOSTS];

	/* boot.conf, watched (inotify) while init still looks for the medium. */
	char conf_path[300];
	int conf_watch_fd;

	/* The sync worker. */
	pid_t sync_pid;
	int sync_fd;
	struct buf sync_in;
	uint64_t next_sync_ns;
	bool sync_again;

	/* The terminal. */
	bool tty, raw, dirty;
	struct termios saved;
	struct buf screen, shown;
	int sigfd;

	/*
	 * The graphical front-end, while the menu has the screen (closed while
	 * a foreground appliance runs). Its keys are queued and handled after
	 * the input callbacks returned, as a start closes the front-end.
	 */
	struct evloop loop;
	struct menu_gfx *gfx;
	bool gfx_wanted, gfx_used;
	bool screen_awaited; /* no screen device yet: said once in the log */
	enum menu_key gfx_keys[MENU_MAX_QUEUED_KEYS];
	int gfx_chars[MENU_MAX_QUEUED_KEYS];
	size_t gfx_nkeys;
	bool quit;
	unsigned ticks;
	bool autotest_done;
	bool reload_pending; /* a new catalog waits for the appliance to stop */
	struct menu_mcast *mcast; /* multicast announces and joins (menu_mcast.c) */
};

/* menu_proc.c */
int menu_start_foreground(struct menu_state *s, int app);
void menu_ghosts_tick(struct menu_state *s, uint64_t now);
void menu_ghosts_stop(struct menu_state *s);
int menu_sync_start(struct menu_state *s);
void menu_sync_read(struct menu_state *s);
void menu_reap(struct menu_state *s);
int menu_reset_overlay(struct menu_state *s, int app);
/* Paths of every file of @app in catalog_files order; false when missing. */
bool menu_app_paths(struct menu_state *s, int app, char paths[][512], size_t max);
void menu_update_status(struct menu_state *s);
/* Runs @argv to its end, output to RUN/vm-@name.log; 0 when it exited 0. */
int menu_run_wait(struct menu_state *s, char **argv, const char *name);

/* menu_adopt.c */
/* Takes the lock file @path for @name (a fd), or -EBUSY and who holds it. */
int menu_lock_take(const char *path, const char *name, char *holder, size_t size);
/* Records @name and @pid in a lock just taken, for a menu started later. */
void menu_lock_record(int fd, const char *path, const char *name, pid_t pid);
/* Who holds the lock file @path, when somebody does and recorded a pid. */
bool menu_lock_holder(const char *path, char name[CATALOG_NAME_MAX + 1], pid_t *pid);
/* The last line of a file ("" when none), read from its end. */
void menu_file_last_line(const char *path, char *out, size_t size);
/* Opens our terminal again if the end of an appliance hung it up. */
void menu_tty_reclaim(struct menu_state *s);
/* A foreground appliance on our terminal left by a menu that died: wait for it. */
void menu_foreground_adopt(struct menu_state *s);
/* Once a second: has the adopted appliance ended (its lock is free)? */
void menu_foreground_check(struct menu_state *s);

/* menu_mcast.c: listens once the event loop is up; stop ends a join. */
void menu_mcast_start(struct menu_state *s);
void menu_mcast_stop(struct menu_state *s);

/* menu_main.c */
void menu_tty_raw(struct menu_state *s, bool raw);
/* Hands the screen and the input devices over (before a foreground VM). */
void menu_screen_release(struct menu_state *s);
/* Loads the catalog again; keeps the old one (and says why) when it cannot. */
int menu_catalog_reload(struct menu_state *s, struct errmsg *err);

#endif
