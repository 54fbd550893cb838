/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * initramfs: what kvmbox needs to make and run its boot image: a newc cpio
 * writer (the kernel's initramfs format, "070701" headers) and LZ4 framing;
 * and PID 1's parts: kernel filesystems, command-line options and
 * boot.conf, kernel modules without kmod (modules.dep/alias, coldplug),
 * finding disks by label, supervised children, orderly shutdown.
 */
#ifndef KVMBOX_INITRAMFS_H
#define KVMBOX_INITRAMFS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

#include "core/core.h"

struct cpio_writer {
	int fd;
	uint32_t next_ino;
	uint64_t offset; /* bytes written, for the 4-byte padding */
	uint32_t mtime;	 /* one timestamp for every entry: reproducible images */
};

void cpio_init(struct cpio_writer *w, int fd, uint32_t mtime);
int cpio_add_dir(struct cpio_writer *w, const char *path, mode_t mode);
int cpio_add_file(struct cpio_writer *w, const char *path, mode_t mode,
		  const void *data, size_t len);
/* Copies the host file @src into the archive as @path. */
int cpio_add_file_from(struct cpio_writer *w, const char *path, mode_t mode,
		       const char *src);
int cpio_add_symlink(struct cpio_writer *w, const char *path,
		     const char *target);
int cpio_add_chardev(struct cpio_writer *w, const char *path, mode_t mode,
		     unsigned major, unsigned minor);
/* Writes the TRAILER!!! entry; the archive is then complete. */
int cpio_finish(struct cpio_writer *w);

/* ---- PID-1 basics (initramfs/sysinit.c) ---------------------------------- */

/* Mounts proc, sysfs, devtmpfs, devpts, /run and /tmp; idempotent. */
int sysinit_mount_all(void);
/* Reads /proc/cmdline into @buf; returns its length or -errno. */
int sysinit_cmdline(char *buf, size_t size);
/* Writes the banner and a status summary (kernel, CPUs, RAM, KVM, NICs). */
void sysinit_print_status(int fd);

/* ---- kernel command line → boot options (initramfs/bootopts.c) ---------- */

/*
 * The kvmbox.* options of the kernel command line. Values that are too long
 * or malformed are logged and ignored, as are unknown kvmbox.* words: a typo
 * on a boot prompt must never stop a boot.
 */
struct boot_options {
	char server[256];    /* kvmbox.server=URL */
	char cache[128];     /* kvmbox.cache=LABEL=x|UUID=x|/dev/x */
	char medium[128];    /* kvmbox.medium=LABEL=x|... : the boot medium */
	char appliance[64];  /* kvmbox.appliance=NAME ([a-z0-9_-]+) */
	char net[128];       /* kvmbox.net=dhcp|off|static:ADDR/PREFIX,GW */
	char console[64];    /* kvmbox.console=DEVICE (menu's terminal) */
	char test_hook[32];  /* kvmbox.test-hook=kill-menu|orphans|reboot */
	bool autotest;       /* kvmbox.autotest */
	unsigned warnings;   /* options ignored (each one logged) */
};

/* Fills @o from @cmdline (defaults first: net "dhcp"). */
void bootopts_parse(const char *cmdline, struct boot_options *o);
/*
 * The /run/kvmbox/boot.conf text (INI, section [boot]): server, cache_dir,
 * appliance, net, console, autotest, catalog; "medium = waiting" while the
 * boot medium is still looked for (init rewrites the file once it is
 * mounted or given up on, with the catalog to use).
 */
int bootconf_format(const struct boot_options *o, const char *cache_dir,
		    const char *catalog, bool medium_waiting, struct buf *out);

/* ---- kernel modules (initramfs/modules.c, initramfs/coldplug.c) --------- */

/*
 * A module table read from modules.dep + modules.alias of one kernel.
 * Names are normalised ('-' → '_', no folder, no ".ko*").
 */
struct module_entry {
	char *name;
	char *path;   /* relative to the table's folder */
	char **deps;  /* names, in modules.dep order */
	size_t ndeps;
	int state;    /* 0 not tried, 1 loaded (or built in), -errno failed */
};
struct module_alias {
	char *pattern; /* fnmatch(3) pattern, e.g. "pci:v00008086d*" */
	char *module;
};
struct module_table {
	char dir[256];
	struct module_entry *mods;
	size_t nmods;
	struct module_alias *aliases;
	size_t naliases;
};

/* Reads DIR/modules.dep (required) and DIR/modules.alias (optional). */
int modtable_load(struct module_table *t, const char *dir, struct errmsg *err);
/* Same, from text (tests, fuzzing); @alias may be NULL. */
int modtable_parse(struct module_table *t, const char *dep, size_t dep_len,
		   const char *alias, size_t alias_len, struct errmsg *err);
void modtable_free(struct module_table *t);
void module_name_normalise(const char *in, char *out, size_t size);
struct module_entry *modtable_find(struct module_table *t, const char *name);
/* The modules whose alias patterns match @modalias, up to @max; count. */
size_t modtable_match(struct module_table *t, const char *modalias,
		      struct module_entry **out, size_t max);
/*
 * Dependencies first, then the module, each once. @load does the real work
 * (finit_module for PID 1; tests pass a recorder); it returns 0 or -errno,
 * -EEXIST counting as success.
 */
typedef int (*module_loader)(void *ctx, const char *path);
int modtable_load_module(struct module_table *t, struct module_entry *m,
			 module_loader load, void *ctx);
/* finit_module(2) of the file at @path (a module_loader; @ctx = dir). */
int module_insert_file(void *ctx, const char *path);
/* Loads by name or alias ("fs-ext4", "pci:v..."); -ENOENT when unknown. */
int modprobe(struct module_table *t, const char *name_or_alias);
/* Loads what every /sys/bus/.../modalias asks for; number loaded. */
int coldplug(struct module_table *t);
/*
 * Whether a device with @modalias is on the way to a disk: a PCI storage
 * or USB controller, a USB mass-storage interface, a virtio block or SCSI
 * device. coldplug() loads their drivers first, with the SCSI disk and CD
 * drivers alongside.
 */
bool modalias_is_boot_storage(const char *modalias);
/* "kvm_amd", "kvm_intel" by CPUID, or NULL without virtualisation. */
const char *cpu_kvm_module(void);

/* ---- block devices by label (initramfs/blkid.c) -------------------------- */

struct blkid_info {
	char type[16];   /* "iso9660", "ext4", "vfat", or "" */
	char label[64];
	char uuid[40];   /* as blkid prints it */
};
/* Probes a filesystem superblock in the first 64 KiB @head of a device. */
int blkid_probe_buf(const uint8_t *head, size_t len, struct blkid_info *out);
int blkid_probe_dev(const char *dev, struct blkid_info *out);
/* Whether @info/@dev match "LABEL=x", "UUID=x" or "/dev/x". */
bool blkid_spec_matches(const char *spec, const char *dev,
			const struct blkid_info *info);
/* Scans /sys/class/block for @spec; fills /dev/NAME into @dev. */
int blkid_find(const char *spec, char *dev, size_t size,
	       struct blkid_info *info);
/*
 * Mounts the device named by @spec on @dir (type from the probe, loading
 * the filesystem module through @t when needed).
 */
int mount_spec(struct module_table *t, const char *spec, const char *dir,
	       bool read_only, struct errmsg *err);

/* ---- supervised children (initramfs/service.c) --------------------------- */

struct service {
	const char *name;
	char *const *argv;      /* argv[0] is the program */
	const char *tty;        /* stdio on this terminal (session leader), or NULL */
	pid_t pid;              /* 0 when not running */
	unsigned quick_deaths;  /* consecutive deaths within 10 s of start */
	unsigned starts;
	uint64_t started_ns;
	uint64_t next_start_ns; /* when to start it again (0: now) */
	bool enabled;
};

/* Forks and execs; the child gets an empty signal mask. */
int service_start(struct service *s, uint64_t now_ns);
/* When @pid was @s's process: logs why it ended, schedules a restart. */
bool service_reaped(struct service *s, pid_t pid, int status, uint64_t now_ns);
/* 0 for the first quick death, then 1 s, 2 s, 4 s … up to 30 s. */
uint64_t service_backoff_ns(unsigned quick_deaths);
/* "exited with status 3", "killed by signal 9 (Killed)". */
void describe_exit(int status, char *out, size_t size);

/* ---- orderly shutdown (initramfs/shutdown.c) ------------------------------ */

/*
 * SIGTERM to every process (VMMs ask their guest to power off), SIGKILL
 * after @grace_ms, reaping meanwhile; sync; unmount; reboot(2) with @cmd
 * (RB_POWER_OFF, RB_AUTOBOOT). Never returns.
 */
void shutdown_system(int cmd, unsigned grace_ms) __attribute__((noreturn));

/* ---- PID 1 (initramfs/pid1.c) -------------------------------------------- */

/* What the applet layer found in this build (the programs PID 1 starts). */
struct pid1_config {
	const char *net_program;    /* kvmbox for "net daemon", NULL if absent */
	const char *menu_name;      /* for the log: "menu" or "status console" */
	const char *menu_argv[3];   /* program and up to two arguments */
	bool menu_is_real;          /* false: a stand-in shows the status */
	const char *default_catalog;
};
/* The boot, then supervision forever (see pid1.c). */
void pid1_run(const struct pid1_config *cfg) __attribute__((noreturn));

/* ---- compressed images (initramfs/lz4legacy.c) ---------------------------- */

/*
 * Writes @len bytes of @data to @fd as an LZ4 "legacy" stream (magic
 * 0x184C2102, 8 MiB chunks), the LZ4 format the kernel's initramfs
 * unpacker reads (CONFIG_RD_LZ4).
 */
int lz4_legacy_write(int fd, const void *data, size_t len);
/* The inverse, for tests: decompresses into @out. */
int lz4_legacy_read(const void *in, size_t len, struct buf *out);

/* ---- module selection for an image (initramfs/modsel.c) -------------------- */

/*
 * The modules @wanted (names) plus all their dependencies, each once,
 * dependencies first. Unknown names are logged and skipped.
 */
int modsel_resolve(struct module_table *t, const char *const *wanted,
		   size_t nwanted, struct module_entry ***out, size_t *count);
/* modules.dep / modules.alias text restricted to @sel. */
int modsel_format_dep(struct module_entry **sel, size_t n, struct buf *out);
int modsel_format_alias(struct module_table *t, struct module_entry **sel,
			size_t n, struct buf *out);

/* ==== menu: the appliance menu's model, text front-end and sync ========== */
/*
 * The menu applet (cmd/menu.c) is wired from these parts: boot.conf and
 * net.status readers, where each appliance's files are and whether they are
 * ready, the `kvmbox vm run` command line of an appliance, the screen model
 * with its key handling, the text renderer, and the sync worker that fetches
 * the catalog and missing images. The image store (disk/) reaches the sync
 * through struct menu_store, so this part depends on core/ alone.
 */

/* /run/kvmbox/boot.conf, written by init (all fields "" when absent). */
struct menu_boot_conf {
	char server[HTTP_MAX_URL];
	char cache_dir[256];
	char appliance[CATALOG_NAME_MAX + 1];
	char catalog[256];
	char console[64];
	bool autotest;
	bool medium_waiting; /* init still looks for the boot medium */
};
/* Missing file: defaults (cache_dir RUN/cache, shipped catalog path). */
int menu_boot_conf_load(const char *path, struct menu_boot_conf *bc,
			struct errmsg *err);

/* /run/kvmbox/net.status, kept up to date by `kvmbox net daemon`. */
struct menu_net_status {
	char state[16]; /* online|offline|configuring, "" unknown */
	char bridge[32];
	char address[64];
	bool carrier;
};
int menu_net_status_load(const char *path, struct menu_net_status *ns);

/* A multicast session heard on the lab's group (a claim until verified). */
struct menu_announce {
	char group[32];			   /* ADDR:PORT it was heard on */
	char iface[16];			   /* the interface it came in by */
	uint8_t manifest_sha256[SHA256_LEN]; /* of the manifest text */
	uint8_t image_sha256[SHA256_LEN];    /* the image the manifest names */
	uint64_t size;			   /* bytes of the image */
};

/* The image store as the sync and the file lookup see it (disk/ behind). */
struct menu_store {
	/* 0 and the image's path when the store holds @digest. */
	int (*path)(void *ctx, const uint8_t digest[SHA256_LEN], char *path,
		    size_t size);
	/* Verifies and installs a downloaded file (consumed on success). */
	int (*install)(void *ctx, const char *tmp_file,
		       const uint8_t digest[SHA256_LEN], struct errmsg *err);
	void *ctx;
	char tmp_dir[256]; /* downloads in progress */
	/*
	 * Frees space: least recently used images go until the rest fits in
	 * @budget bytes, never one in @keep nor one in use. NULL: no GC.
	 */
	int (*gc)(void *ctx, uint64_t budget, const uint8_t (*keep)[SHA256_LEN],
		  size_t nkeep, struct errmsg *err);
	/*
	 * Fetches @url into the store as the image @digest names: by its
	 * manifest (URL.manifest) chunk by chunk, verified on arrival and
	 * resumable, else the plain file checked whole; @progress is called a
	 * few times a second (bytes verified, of @total, bytes/s, seconds to
	 * go or -1). NULL: the sync downloads the plain file itself.
	 */
	int (*fetch)(void *ctx, const char *url, const uint8_t digest[SHA256_LEN],
		     void (*progress)(void *pctx, uint64_t done, uint64_t total,
				      uint64_t rate, int64_t eta_s),
		     void *pctx, struct errmsg *err);
	/*
	 * Multicast sessions (net/ behind; NULL: none). mcast_listen opens a
	 * socket (@fd -1) that hears the announces of @group ("ADDR[:PORT]")
	 * on every interface, or joins interfaces that came up since on @fd;
	 * it returns the socket. mcast_announce reads one datagram from it:
	 * 1 with @a filled when it announced a session whose manifest's first
	 * piece names its image, 0 for anything else, -errno when the socket
	 * failed (-EAGAIN: nothing to read). mcast_join receives the session @a announced into the
	 * store, following only its manifest and taking only @a->image; when
	 * the session ends before the image is whole, the missing chunks come
	 * from @url by HTTP (NULL: none). Progress as for fetch.
	 */
	int (*mcast_listen)(void *ctx, const char *group, int fd, struct errmsg *err);
	int (*mcast_announce)(void *ctx, int fd, struct menu_announce *a);
	int (*mcast_join)(void *ctx, const struct menu_announce *a, const char *url,
			  void (*progress)(void *pctx, uint64_t done, uint64_t total,
					   uint64_t rate, int64_t eta_s),
			  void *pctx, struct errmsg *err);
};

/* Where the catalog in use came from, and so where its files are. */
struct menu_source {
	char catalog_url[HTTP_MAX_URL]; /* "" without a server */
	char shipped_catalog[256];	/* the boot medium's catalog */
	char cached_catalog[300];	/* last good one from the server */
	bool using_cached;		/* the cached one is in use */
};
/* Fills @src from boot.conf (server may name a folder or an .ini file). */
void menu_source_init(struct menu_source *src, const struct menu_boot_conf *bc);
/* Loads the cached catalog when valid, else the shipped one. */
int menu_catalog_load(struct menu_source *src, struct catalog *cat,
		      struct errmsg *err);
/*
 * Finds @f: in the store by digest, else (shipped catalog in use) beside
 * the shipped catalog. 0 with @path filled, or -ENOENT.
 */
int menu_file_find(const struct menu_source *src, const struct menu_store *st,
		   const struct catalog_file *f, char *path, size_t size);

/*
 * The image cache after a sync (initramfs/menu_gc.c): least recently used
 * images go until the rest fits the budget, never one the catalog names or
 * a VM uses. The budget: the catalog's cache_budget, else 90 % of the size
 * of the cache's file system (0: unknown).
 */
uint64_t menu_cache_budget(const struct catalog *cat, const char *cache_dir);
int menu_cache_gc(const struct menu_store *st, const struct catalog *cat,
		  const char *cache_dir, struct errmsg *err);

/* The argv of `KVMBOX vm run …` for one appliance (contract with kvm/). */
struct menu_vm_argv {
	char *argv[48];
	int argc;
	char text[8192];
	size_t used;
};
struct menu_vm_place {
	const char *kvmbox;	 /* the binary run with "vm run" */
	const char *paths[2 + CATALOG_MAX_DISKS]; /* catalog_files() order */
	const char *overlay_dir; /* persistent overlays: DIR/NAME-N.overlay */
	const char *bridge;	 /* network = bridged; NULL/"": no bridge, no NIC */
	const char *serial;	 /* "stdio", a log file, or "none" */
	const char *display;	 /* "--display" value (e.g. "screen"), or NULL */
};
int menu_vm_argv_build(struct menu_vm_argv *v, const struct catalog_appliance *a,
		       const struct menu_vm_place *pl, struct errmsg *err);
/* network = isolated: the appliance set's private bridge, "kvi-NAME". */
void menu_isolated_bridge(const struct catalog_appliance *a, char out[16]);

/* ---- screen model ---- */

enum menu_app_state { MENU_APP_READY, MENU_APP_DOWNLOADING, MENU_APP_UNAVAILABLE };
struct menu_app_status {
	enum menu_app_state state;
	unsigned percent;
	char reason[96];
};

enum menu_screen { MENU_LIST, MENU_PASSWORD, MENU_ADMIN, MENU_PICK_RESET, MENU_PAGE };
enum menu_key { MK_NONE, MK_UP, MK_DOWN, MK_ENTER, MK_ESC, MK_BACKSPACE,
		MK_HOME, MK_END, MK_CHAR };
enum menu_action { ACT_NONE, ACT_REDRAW, ACT_START, ACT_LOGIN, ACT_REFRESH,
		   ACT_RESET, ACT_LOGS, ACT_NET, ACT_REBOOT, ACT_POWEROFF };

struct menu_model {
	const struct catalog *cat;
	struct menu_app_status status[CATALOG_MAX_APPLIANCES];
	enum menu_screen screen;
	size_t selected;	 /* index among the visible rows */
	size_t admin_sel, pick_sel; /* in the admin and reset screens */
	bool admin;
	int countdown;		 /* seconds to autostart, -1 none */
	char message[256];	 /* what the person is told, up to 3 lines */
	char password[64];	 /* being typed */
	size_t password_len;
	char page_title[64];
	struct buf page;	 /* MENU_PAGE text */
	/* Status line. */
	struct menu_net_status net;
	bool server_set, server_ok;
	char clock[8];		 /* "HH:MM" */
	char running[CATALOG_NAME_MAX + 1]; /* foreground appliance, "" none */
	int action_app;		 /* catalog index for ACT_START / ACT_RESET */
};

void menu_model_init(struct menu_model *m, const struct catalog *cat);
void menu_model_free(struct menu_model *m);
/* After a catalog change: keeps the selection on the same appliance. */
void menu_model_set_catalog(struct menu_model *m, const struct catalog *cat);
/* Visible rows of the list: catalog indexes, up to @max; count. */
size_t menu_rows(const struct menu_model *m, size_t *idx, size_t max);
/* Appliances with a persistent overlay (the admin's reset list); count. */
size_t menu_reset_rows(const struct menu_model *m, size_t *idx, size_t max);
/* Text of the admin screen's item @i, NULL past the end. */
const char *menu_admin_item(size_t i);
/* A key: moves, types, or returns an action for the applet to carry out. */
enum menu_action menu_key(struct menu_model *m, enum menu_key k, int ch);
void menu_show_page(struct menu_model *m, const char *title, const char *text);
void menu_message(struct menu_model *m, const char *fmt, ...) PRINTF(2, 3);

/* Splits terminal input into keys (arrows as ESC [ A / ESC O A …). */
size_t menu_keys_decode(const uint8_t *in, size_t len, enum menu_key *keys,
			int *chars, size_t max);

/* The whole screen as text with ANSI escapes, for a @cols x @rows terminal. */
int menu_render(const struct menu_model *m, unsigned cols, unsigned rows,
		struct buf *out);

/* ---- graphical front-end of the same model (initramfs/menu_gfx.c) ---- */

struct gfx_image;
/*
 * The whole front-end: opens the screen and the input devices (grabbed),
 * turns keys, clicks and wheel turns into the model's keys through @fn (a
 * click on a tile selects it, a second click starts it), and shows each
 * new frame by copying only what changed. -ENODEV: no screen, keep the
 * text front-end. menu_gfx_close releases the screen (DRM master) and the
 * input grabs; never call it from inside @fn.
 */
struct menu_gfx;
typedef void (*menu_gfx_key_fn)(void *ctx, enum menu_key k, int ch);
int menu_gfx_open(struct evloop *loop, struct menu_model *m, menu_gfx_key_fn fn,
		  void *ctx, struct menu_gfx **out, struct errmsg *err);
void menu_gfx_close(struct menu_gfx *g);
/* Redraws after the model changed; @icons[i]: catalog app i's icon or NULL. */
void menu_gfx_draw(struct menu_gfx *g, const struct gfx_image *const *icons);
/* Draws the model full screen into @im; @icons per catalog appliance or NULL. */
int menu_render_gfx(const struct menu_model *m, struct gfx_image *im,
		    const struct gfx_image *const *icons);
/* The visible row under pixel (@x, @y), or -1. */
int menu_gfx_hit(const struct menu_model *m, const struct gfx_image *im, int x, int y);
/* A Linux key code as the model's key (@ch for MK_CHAR). */
enum menu_key menu_gfx_key(unsigned keycode, bool shift, int *ch);

/* ---- appliance icons (initramfs/menu_icons.c) ---- */

#define MENU_ICON_MAX_DIM 96	       /* pixels a side */
#define MENU_ICON_MAX_FILE (256 * 1024) /* bytes, on disk or from a server */
struct menu_icons {
	struct gfx_image img[CATALOG_MAX_APPLIANCES];
	/* Per catalog appliance, as menu_gfx_draw wants; NULL: the initial. */
	const struct gfx_image *by_app[CATALOG_MAX_APPLIANCES];
};
/* An icon file's bytes: a P6 PPM of at most 96x96 (else -errno, @err why). */
int menu_icon_parse(const uint8_t *data, size_t len, struct gfx_image *out,
		    struct errmsg *err);
int menu_icon_load(const char *path, struct gfx_image *out, struct errmsg *err);
/*
 * Where @a's icon is: beside the boot medium's catalog, or (a server
 * catalog in use) CACHE/icons/NAME.ppm. -ENOENT without an icon.
 */
int menu_icon_path(const struct menu_source *src, const struct catalog_appliance *a,
		   char *path, size_t size);
/* (Re)loads every icon of @cat (@ic zeroed or loaded before); how many. */
size_t menu_icons_load(struct menu_icons *ic, const struct menu_source *src,
		       const struct catalog *cat);
void menu_icons_free(struct menu_icons *ic);
/*
 * In the sync worker, after a server catalog was accepted: fetches each
 * icon into CACHE/icons/NAME.ppm (checked first; a bad one keeps the old
 * copy) and reports "icons new" on @report_fd when one changed.
 */
int menu_icons_fetch(const struct menu_source *src, const struct catalog *cat,
		     unsigned timeout_ms, int report_fd);

/* ---- sync worker (initramfs/menu_sync.c) ---- */

/*
 * Fetches the catalog (kept only when valid) and every missing file of the
 * local appliances; reports on @fd, one line each:
 *   catalog new|same|rejected|unreachable|none TEXT
 *   progress NAME PERCENT [RATE ETA] | ready NAME | failed NAME TEXT | done
 *   busy NAME TEXT (another download of it, e.g. by multicast, has it)
 */
int menu_sync_run(struct menu_source *src, const struct menu_store *st,
		  unsigned timeout_ms, int fd);
/*
 * An image the menu is receiving by multicast (initramfs/menu_mcast.c):
 * TMP/HEX.mcast is locked while the join runs, and the sync leaves it alone.
 */
bool menu_mcast_busy(const struct menu_store *st, const uint8_t digest[SHA256_LEN]);

/* ---- the menu program (initramfs/menu_main.c, menu_proc.c) ---- */

struct menu_options {
	const char *run_dir;	/* default /run/kvmbox: net.status, logs, lock */
	const char *boot_conf;	/* default RUN_DIR/boot.conf */
	const char *vm_command; /* binary run as "CMD vm run …"; default: self */
	pid_t init_pid;		/* receives SIGTERM (reboot) / SIGUSR2 (power off) */
	/* Opens the image store of @cache_dir; NULL ops when there is none. */
	int (*open_store)(const char *cache_dir, struct menu_store *st,
			  struct errmsg *err);
};
/* Runs the menu on stdin/stdout until SIGTERM or SIGHUP. */
int menu_run(const struct menu_options *o);

/* ==== end of menu ======================================================== */

#endif
