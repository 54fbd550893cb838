/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * core: the utilities every kvmbox subsystem shares.
 *
 * Conventions used across kvmbox:
 *  - functions return 0 (or a count) on success and a negative errno on
 *    failure; errno itself is never the channel;
 *  - where the caller needs to tell a person what was wrong (a parse error,
 *    a bad file), the function also fills a struct errmsg with one line;
 *  - nothing here keeps hidden state except the logger's destination, which
 *    the applet sets once with log_setup().
 */
#ifndef KVMBOX_CORE_H
#define KVMBOX_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct epoll_event;

#define KVMBOX_VERSION "0.1.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- errors (core/err.c) ------------------------------------------------ */

/* One line telling a person what went wrong; filled next to a -errno. */
struct errmsg {
	char msg[256];
};

/* Formats into @e (if not NULL) and returns @code (a negative errno). */
int errmsg_set(struct errmsg *e, int code, const char *fmt, ...) PRINTF(3, 4);
/* strerror() of a negative errno. */
const char *err_str(int neg_errno);

/* ---- logging (core/log.c) ----------------------------------------------- */

enum log_level { LOG_ERR = 3, LOG_WARN = 4, LOG_INFO = 6, LOG_DEBUG = 7 };

/*
 * Sends log lines to @fd (stderr by default). With @kmsg true the lines are
 * written in /dev/kmsg's "<level>tag: text" form, as PID 1 must.
 * Lines above @max_level are dropped.
 */
void log_setup(int fd, enum log_level max_level, bool kmsg, const char *tag);
void log_msg(enum log_level level, const char *fmt, ...) PRINTF(2, 3);
void log_vmsg(enum log_level level, const char *fmt, va_list ap);
#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* ---- checked parsing (core/parse.c) -------------------------------------- */

/* Whole string must be a decimal (or 0x hex) number within [min, max]. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/*
 * A byte size: "4096", "512K", "512M", "2G", "1T", also "2GiB" / "2g".
 * Suffixes are powers of 1024. Overflow and trailing junk are errors.
 */
int parse_size(const char *s, uint64_t *bytes);
/* Size with a default unit for bare numbers (e.g. MiB for --mem 512). */
int parse_size_unit(const char *s, uint64_t unit, uint64_t *bytes);
/* "yes/no/true/false/on/off/1/0". */
int parse_bool(const char *s, bool *out);
/* 64 hex digits into 32 bytes. */
int parse_hex(const char *s, uint8_t *out, size_t out_len);
void format_hex(const uint8_t *in, size_t len, char *out /* 2*len+1 */);
/* "1.5 GiB" style for people. */
void format_size(uint64_t bytes, char *out, size_t out_len);

/* ---- INI-style configuration (core/ini.c) ------------------------------- */

/*
 * Grammar, one item per line:
 *     # comment            ; comment
 *     [section]            [section name]   (name: anything but ']')
 *     key = value          (key: [A-Za-z0-9_.-]+; value: UTF-8, trimmed,
 *                           optionally "double-quoted" with \" \\ \n escapes)
 * Keys before any section belong to section "". The callback gets each
 * key/value with its line; it returns 0, or a negative errno after filling
 * @why with what is wrong, which becomes "file:line: why".
 */
struct ini_item {
	const char *section;
	const char *key;
	const char *value;
	unsigned line;
	bool new_section; /* first callback after a [section] header (key NULL) */
};
typedef int (*ini_cb)(void *ctx, const struct ini_item *item,
		      struct errmsg *why);

int ini_parse_buf(const char *filename, const char *buf, size_t len,
		  ini_cb cb, void *ctx, struct errmsg *err);
int ini_parse_file(const char *path, size_t max_size, ini_cb cb, void *ctx,
		   struct errmsg *err);
/* Validates UTF-8 (no overlongs, no surrogates, no NUL). */
bool utf8_valid(const char *s, size_t len);

/* ---- event loop (core/evloop.c) ------------------------------------------ */

struct evloop;
struct ev_handler;
typedef void (*ev_fn)(struct ev_handler *h, uint32_t events);

/* Embed in your own struct; recover it in the callback with container_of. */
struct ev_handler {
	int fd;
	ev_fn fn;
};

struct ev_timer {
	struct ev_handler h; /* fd is a timerfd */
	void (*fn)(struct ev_timer *t);
	uint64_t period_ns;
};

struct evloop {
	int epfd;
	bool stop;
	int exit_code;
	/* The batch being dispatched, so evloop_del can cancel its events. */
	struct epoll_event *batch;
	int batch_len;
};

int evloop_init(struct evloop *l);
void evloop_close(struct evloop *l);
int evloop_add(struct evloop *l, struct ev_handler *h, uint32_t events);
int evloop_mod(struct evloop *l, struct ev_handler *h, uint32_t events);
int evloop_del(struct evloop *l, struct ev_handler *h);
/* One-shot (period 0) or periodic timer; first expiry after @delay_ns. */
int evloop_timer_start(struct evloop *l, struct ev_timer *t, uint64_t delay_ns,
		       uint64_t period_ns, void (*fn)(struct ev_timer *));
int evloop_timer_stop(struct evloop *l, struct ev_timer *t);
/* Blocks @sigs and delivers them through a signalfd to @h->fn. */
int evloop_signals(struct evloop *l, struct ev_handler *h, const int *sigs,
		   size_t n);
/* Runs until evloop_quit(); returns the code given there. */
int evloop_run(struct evloop *l);
/* Runs handlers ready within @timeout_ms (-1: wait forever); 0 or -errno. */
int evloop_once(struct evloop *l, int timeout_ms);
void evloop_quit(struct evloop *l, int code);
uint64_t clock_now_ns(void); /* CLOCK_MONOTONIC */

/* ---- SHA-256 (core/sha256.c, SHA-NI when the CPU has it) ---------------- */

#define SHA256_LEN 32
struct sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t buf[64];
	size_t buf_len;
	void (*blocks)(uint32_t h[8], const uint8_t *p, size_t nblocks);
};
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
/* Whether sha256_init picked the SHA-NI code on this CPU. */
bool sha256_hw_available(void);
/* Always the portable code (tests compare both; benchmarks show the gain). */
void sha256_init_portable(struct sha256 *s);

/* ---- buffers and I/O helpers (core/buf.c, core/io.c) -------------------- */

struct buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};
void buf_init(struct buf *b);
void buf_free(struct buf *b);
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *data, size_t len);
int buf_printf(struct buf *b, const char *fmt, ...) PRINTF(2, 3);
/* Keeps a NUL after the data so text can be used as a C string. */
int buf_terminate(struct buf *b);
void buf_consume(struct buf *b, size_t n);

/* Copies at most size-1 bytes and always terminates; -E2BIG if cut. */
int str_copy(char *dst, size_t size, const char *src);
bool str_starts(const char *s, const char *prefix);

/* Little-endian access to unaligned bytes (wire formats). */
static inline uint16_t get_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}
static inline uint32_t get_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}
static inline uint64_t get_le64(const void *p)
{
	return get_le32(p) | (uint64_t)get_le32((const uint8_t *)p + 4) << 32;
}
static inline void put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}
static inline void put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}
static inline void put_le64(void *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}
static inline uint16_t get_be16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] << 8 | b[1]);
}
static inline uint32_t get_be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}
static inline void put_be16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}
static inline void put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* EINTR-safe full reads/writes; read_full returns bytes read (short at EOF). */
ssize_t read_full(int fd, void *buf, size_t len);
int write_full(int fd, const void *buf, size_t len);
ssize_t pread_full(int fd, void *buf, size_t len, off_t off);
int pwrite_full(int fd, const void *buf, size_t len, off_t off);
/* Whole file into @b (NUL-terminated); -EFBIG past @max_size. */
int read_file(const char *path, size_t max_size, struct buf *b);
/* True when the file at @path holds exactly these @len bytes (skips rewrites). */
bool file_holds(const char *path, const void *data, size_t len);
/* Writes atomically: temp file in the same folder, fsync, rename, fsync dir. */
int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode);

/* ---- block devices: the contract between disk/ (backends) and kvm/ ------- */

struct iovec;
struct blockdev;

struct blockdev_ops {
	/* Vectored I/O at byte @off; 0 or -errno (a short transfer is -EIO). */
	int (*readv)(struct blockdev *b, const struct iovec *iov, int iovcnt,
		     uint64_t off);
	int (*writev)(struct blockdev *b, const struct iovec *iov, int iovcnt,
		      uint64_t off);
	/* Everything written before is durable once this returns 0. */
	int (*flush)(struct blockdev *b);
	int (*discard)(struct blockdev *b, uint64_t off, uint64_t len);
	void (*close)(struct blockdev *b); /* also frees @b */
};

struct blockdev {
	const struct blockdev_ops *ops;
	uint64_t size; /* bytes, a multiple of 512 */
	bool read_only;
	char id[21];   /* serial shown to the guest (virtio-blk: 20 bytes) */
};

/* ---- applets (cmd/, table generated by the build) ------------------------ */

struct applet {
	const char *name;
	const char *summary; /* one line for `kvmbox --help` */
	const char *usage;   /* full text for `kvmbox APPLET --help` */
	int (*main)(int argc, char **argv);
};

/*
 * Each cmd/NAME.c says APPLET(NAME, "summary", "usage") once; the build
 * collects those lines into the applet table.
 */
#define APPLET(id, sum, use)                                         \
	int id##_main(int argc, char **argv);                          \
	const struct applet applet_##id = { #id, sum, use, id##_main }

/* Usage errors: prints "kvmbox APPLET: msg" + hint, returns exit status 2. */
int usage_error(const struct applet *a, const char *fmt, ...) PRINTF(2, 3);
/* True (after printing usage on stdout) when argv has -h or --help. */
bool wants_help(const struct applet *a, int argc, char **argv);

/* ==== HTTP/1.1 client (core/http.c, core/http_parse.c) ================== */
/*
 * A small blocking client for plain http:// URLs: catalogs and images from
 * any static server. Every wait (connect, each read or write) is bounded by a
 * timeout; bodies come with Content-Length, chunked, or until the server
 * closes; redirects are followed a bounded number of times. Answers from the
 * server are untrusted: the head is bounded and every field checked.
 */
#define HTTP_MAX_URL 2048

struct http_url {
	char host[256];	       /* name or address ("::1" without brackets) */
	uint16_t port;	       /* 80 unless given */
	char path[HTTP_MAX_URL]; /* from the first '/', query included */
};

/* Parses "http://host[:port][/path]"; anything else is -EINVAL + a line. */
int http_url_parse(const char *url, struct http_url *u, struct errmsg *err);
/*
 * Resolves @ref against @base as a browser would for the cases catalogs use:
 * an absolute http:// URL, "/abs/path", or a name relative to @base's folder.
 */
int http_url_resolve(const char *base, const char *ref, char *out, size_t size);

/* What the response head says (filled by http_head_parse). */
struct http_head {
	int status;		/* 100..599 */
	char reason[64];
	int64_t content_length; /* -1 when absent */
	bool chunked;
	char location[HTTP_MAX_URL]; /* redirects */
	int64_t range_start;	/* 206: first byte sent, else -1 */
	int64_t total_length;	/* 206: full size from Content-Range, else -1 */
	bool keep_alive;	/* the server keeps the connection for more */
};

/*
 * Parses the status line and headers at the start of @buf. Returns the head's
 * length in bytes when complete, 0 when more bytes are needed (the head may
 * not exceed HTTP_MAX_HEAD), or a negative errno with @err set.
 */
#define HTTP_MAX_HEAD 16384
int http_head_parse(const char *buf, size_t len, struct http_head *h,
		    struct errmsg *err);

/* Decoder of Transfer-Encoding: chunked, fed any slices of the body. */
struct http_chunked {
	int state;
	uint64_t left; /* bytes of the current chunk still to come */
	unsigned digits;
	unsigned line; /* length of the current trailer/extension line */
	bool done;     /* the last chunk and trailers have been read */
};
void http_chunked_init(struct http_chunked *c);
/*
 * Decodes @len bytes of @buf in place: the payload they carried is moved to
 * the start of @buf; returns its length, or -EBADMSG on malformed framing.
 * Bytes after the end (c->done) are ignored.
 */
ssize_t http_chunked_decode(struct http_chunked *c, uint8_t *buf, size_t len);

struct http_get_opts {
	unsigned timeout_ms;	/* each wait for the server; 0: 10 s */
	unsigned max_redirects; /* 0: 5 */
	uint64_t offset;	/* > 0: sends "Range: bytes=OFFSET-" (resume) */
	uint64_t max_size;	/* 0: unlimited; longer bodies are an error */
	/* Called once with the final head (after redirects); may refuse. */
	int (*on_head)(void *ctx, const struct http_head *h);
	/* Called with each piece of the body, in order; non-zero aborts. */
	int (*on_data)(void *ctx, const void *data, size_t len);
	void *ctx;
	uint64_t end;		/* > offset: asks only bytes [offset, end) */
};

/*
 * GET @url. 2xx bodies go to on_data; other statuses are errors (-ENOENT for
 * 404/410, -EACCES for 401/403, -EIO else) with "URL: HTTP 404 Not Found".
 */
int http_get(const char *url, const struct http_get_opts *o, struct errmsg *err);
/* GET into memory (NUL-terminated), at most @max_size bytes. */
int http_get_buf(const char *url, unsigned timeout_ms, size_t max_size,
		 struct buf *out, struct errmsg *err);

/*
 * Many requests on one keep-alive connection (image chunks by Range): the
 * connection is reused while the server keeps it and the host stays the
 * same, reopened otherwise (also once when an idle one was closed).
 * Redirects are followed as http_get does; the last final URL is kept so
 * the next requests go straight there.
 */
struct http_session;
int http_session_new(unsigned timeout_ms, struct http_session **out);
void http_session_free(struct http_session *s);
/* Like http_get (o->timeout_ms is ignored: the session's applies). */
int http_session_get(struct http_session *s, const char *url,
		     const struct http_get_opts *o, struct errmsg *err);
/* Where the last request ended up after redirects ("" before any). */
const char *http_session_url(const struct http_session *s);
/* TCP connections opened so far (keep-alive at work: stays 1). */
unsigned http_session_connects(const struct http_session *s);

/*
 * The server side (core/http_serve.c): a request target ("/a%20b?q") as a
 * file name below the served folder ("a b"), false when it is not a plain
 * one (NUL, a ".." segment, bad escapes, too long); a Range header value
 * ("bytes=A-B", "bytes=A-", "bytes=-N", one range) as [*a, *b) of a file
 * of @size bytes: 0, -ERANGE when unsatisfiable, -EINVAL when malformed.
 */
bool http_path_decode(const char *target, char *out, size_t size);
int http_range_parse(const char *value, uint64_t size, uint64_t *a, uint64_t *b);

/* ==== end of HTTP/1.1 client ============================================= */

/* ==== appliance catalog (core/catalog.c) ================================= */
/*
 * The catalog says which appliances a workstation offers: an INI file (the
 * grammar above) read from a server or the boot medium. Every problem is
 * reported as "file:line: problem"; a catalog that fails validation is never
 * used. File names inside are relative to the catalog's location.
 */
#define CATALOG_MAX_FILE (1u << 20)   /* bytes of catalog text */
#define CATALOG_MAX_APPLIANCES 128
#define CATALOG_MAX_DISKS 8
#define CATALOG_NAME_MAX 32	      /* [a-z0-9_-]+ */
#define CATALOG_NET_MAX 11	      /* isolated_net: [a-z0-9_-]+, kvi-NAME fits IFNAMSIZ */

enum appliance_type { APPLIANCE_LOCAL, APPLIANCE_SPICE };
enum appliance_network { APPLIANCE_NET_BRIDGED, APPLIANCE_NET_ISOLATED,
			 APPLIANCE_NET_NONE };

/* A file the appliance needs, named relative to the catalog, with digest. */
struct catalog_file {
	char *name;		  /* NULL when the key is absent */
	uint8_t sha256[SHA256_LEN];
	bool read_only;		  /* disks: "ro" */
};

struct catalog_appliance {
	char name[CATALOG_NAME_MAX + 1];
	unsigned line;		  /* of its [appliance NAME] header */
	char *title, *description, *icon, *url, *cmdline;
	enum appliance_type type;
	struct catalog_file kernel, initrd;
	struct catalog_file disks[CATALOG_MAX_DISKS];
	unsigned ndisks;
	bool persistent;	  /* overlay = persistent (else volatile) */
	uint64_t memory;	  /* bytes; default 512 MiB */
	unsigned cpus;		  /* default 1 */
	enum appliance_network network; /* default bridged */
	unsigned vlan;		  /* 0: none, else 1..4094 */
	/* network = isolated: the private bridge kvi-NAME ("default" if unset) */
	char isolated_net[CATALOG_NET_MAX + 1];
	bool ghost;		  /* mode = ghost: headless, started at boot */
	bool admin_only;	  /* access = admin */
	bool allow_menu_return;
};

struct catalog {
	char *title;		  /* default "kvmbox" */
	char autostart[CATALOG_NAME_MAX + 1]; /* "" when none */
	unsigned autostart_delay; /* seconds; default 10 */
	bool has_admin_password;
	uint8_t admin_sha256[SHA256_LEN];
	unsigned refresh;	  /* seconds between syncs; default 300, 0: boot only */
	uint64_t cache_budget;	  /* bytes of images kept; 0: 90 % of the cache fs */
	char multicast[32];	  /* announces heard: "" default group, "off", ADDR[:PORT] */
	struct catalog_appliance *apps;
	size_t napps;
};

/* Parses and validates; on failure @c is left empty and @err says why. */
int catalog_parse(const char *filename, const char *text, size_t len,
		  struct catalog *c, struct errmsg *err);
int catalog_load(const char *path, struct catalog *c, struct errmsg *err);
void catalog_free(struct catalog *c);
const struct catalog_appliance *catalog_find(const struct catalog *c,
					     const char *name);
/* Whether @password matches admin_password (false when none is set). */
bool catalog_password_ok(const struct catalog *c, const char *password);
/* The appliance's files in a fixed order: kernel, initrd, disks. */
size_t catalog_files(const struct catalog_appliance *a,
		     const struct catalog_file **out, size_t max);

/* ==== end of appliance catalog =========================================== */

/* ==== screen, input and drawing (core/screen*.c, input*.c, draw.c, …) ==== */
/*
 * Full-screen output without an X server, input from evdev, and the drawing
 * used by the menu, the VMM's display and the SPICE client. All images are
 * XRGB8888 in memory (one uint32_t per pixel, 0x00RRGGBB). Sizes coming from
 * files, guests or servers are checked against GFX_MAX_DIM.
 */
#define GFX_MAX_DIM 8192

struct gfx_image {
	uint32_t *px;	  /* pixel (x, y) is px[y * (stride / 4) + x] */
	unsigned width, height;
	unsigned stride;  /* bytes per row, a multiple of 4, >= 4 * width */
	bool owned;	  /* px was allocated by gfx_image_alloc */
};
/* A zeroed (black) image; -EINVAL past GFX_MAX_DIM, -ENOMEM. */
int gfx_image_alloc(struct gfx_image *im, unsigned width, unsigned height);
void gfx_image_free(struct gfx_image *im);
static inline uint32_t *gfx_image_row(const struct gfx_image *im, unsigned y)
{
	return (uint32_t *)((uint8_t *)im->px + (size_t)y * im->stride);
}

struct gfx_rect {
	int x, y, w, h; /* empty when w <= 0 or h <= 0 */
};
static inline bool gfx_rect_empty(struct gfx_rect r) { return r.w <= 0 || r.h <= 0; }
struct gfx_rect gfx_rect_intersect(struct gfx_rect a, struct gfx_rect b);
struct gfx_rect gfx_rect_union(struct gfx_rect a, struct gfx_rect b); /* bounding box */

/*
 * Changed regions of a frame. Past GFX_DAMAGE_MAX rectangles the two that grow
 * least when merged are merged, so the list stays small and covers them all.
 */
#define GFX_DAMAGE_MAX 16
struct gfx_damage {
	struct gfx_rect r[GFX_DAMAGE_MAX];
	unsigned n;
};
static inline void gfx_damage_clear(struct gfx_damage *d) { d->n = 0; }
void gfx_damage_add(struct gfx_damage *d, struct gfx_rect r); /* empty rects ignored */
void gfx_damage_add_all(struct gfx_damage *d, const struct gfx_damage *other);

/*
 * Placing a source image (a guest screen, a remote desktop) on the screen.
 * CENTER keeps 1:1 pixels (cropped when larger); SCALE keeps the aspect
 * ratio, as large as fits (nearest-neighbour, tables computed once), with
 * black borders. gfx_blit_map_init precomputes for one pair of sizes.
 */
enum gfx_fit { GFX_CENTER, GFX_SCALE };
struct gfx_blit_map {
	unsigned src_w, src_h, dst_w, dst_h;
	struct gfx_rect out;  /* where the source lands on the destination */
	uint32_t *xmap;   /* per output column of out: source column */
	uint32_t *ymap;   /* per output row of out: source row */
	bool identity;	  /* 1:1 (centred): rows are copied with memcpy */
};
int gfx_blit_map_init(struct gfx_blit_map *m, unsigned src_w, unsigned src_h,
		  unsigned dst_w, unsigned dst_h, enum gfx_fit fit);
void gfx_blit_map_free(struct gfx_blit_map *m);
/*
 * Copies the part of @src under @src_damage (source coordinates) to @dst,
 * and returns the destination rectangle that changed (for screen_present).
 * The sizes must be those given to gfx_blit_map_init.
 */
struct gfx_rect gfx_blit(const struct gfx_blit_map *m, const struct gfx_image *src,
			struct gfx_rect src_damage, struct gfx_image *dst);
/* Paints the borders around m->out black (after a mode change). */
void gfx_blit_borders(const struct gfx_blit_map *m, struct gfx_image *dst);

/*
 * Icons and screenshots: binary PPM ("P6", maxval 1..65535, RGB, one
 * image per file; comments allowed in the header). Untrusted input: every
 * field is checked, at most GFX_MAX_DIM pixels a side and @max_pixels.
 */
int ppm_parse(const uint8_t *data, size_t len, size_t max_pixels,
	      struct gfx_image *out, struct errmsg *err);
int ppm_load(const char *path, struct gfx_image *out, struct errmsg *err);
/* Writes @im as P6 maxval 255 (atomically: temp file + rename). */
int ppm_write(const char *path, const struct gfx_image *im);

/* ---- embedded bitmap fonts (core/font.c, data from Debian console fonts) */

struct font_map_entry {
	uint32_t cp;	  /* Unicode code point */
	uint32_t glyph;
};
struct font {
	unsigned width, height;	 /* pixels of one glyph */
	const uint8_t *bits;	 /* glyphs * height rows of (width+7)/8 bytes */
	unsigned glyphs;
	const struct font_map_entry *map; /* sorted by cp */
	size_t nmap;
};
/* Terminus 8x16 and bold 16x32: Latin-1, Latin-9, box drawing, … */
const struct font *font_small(void);
const struct font *font_large(void);
/* Glyph of @cp; U+FFFD's (or '?') when the font lacks it. */
unsigned font_glyph(const struct font *f, uint32_t cp);
bool font_has(const struct font *f, uint32_t cp);
/*
 * Next code point of UTF-8 text (advancing *s); invalid or truncated bytes
 * give U+FFFD and advance by one byte, so any input terminates.
 */
uint32_t utf8_next(const char **s, const char *end);

/* ---- drawing into images (core/draw.c); everything is clipped ----------- */

#define GFX_RGB(r, g, b) ((uint32_t)(r) << 16 | (uint32_t)(g) << 8 | (uint32_t)(b))
#define GFX_TRANSPARENT 0xff000000u /* as a background: leave pixels */

void gfx_fill(struct gfx_image *im, struct gfx_rect r, uint32_t color);
void gfx_frame(struct gfx_image *im, struct gfx_rect r, int thickness, uint32_t color);
/* Text at (x, y) = top-left, glyphs scaled by @scale >= 1; returns width. */
int gfx_text(struct gfx_image *im, const struct font *f, unsigned scale, int x,
	      int y, const char *utf8, uint32_t fg, uint32_t bg);
int gfx_text_width(const struct font *f, unsigned scale, const char *utf8);
/* A bar @permille (0..1000) full, with a frame; the rest in @bg. */
void gfx_progress(struct gfx_image *im, struct gfx_rect r, unsigned permille,
		   uint32_t fg, uint32_t bg, uint32_t frame);
/* @src at (x, y), unscaled. */
void gfx_draw_image(struct gfx_image *dst, int x, int y, const struct gfx_image *src);
/* The pixels of @r from @src to the same place in @dst (same-size images). */
void gfx_copy(struct gfx_image *dst, const struct gfx_image *src, struct gfx_rect r);
/* A 12x19 arrow pointer with its tip at (x, y); returns the box it covers. */
#define GFX_CURSOR_W 12
#define GFX_CURSOR_H 19
struct gfx_rect gfx_cursor(struct gfx_image *im, int x, int y);

/*
 * The test card of `kvmbox screen test` (core/testcard.c): eight colour
 * bars on the top third (white, yellow, cyan, green, magenta, red, blue,
 * black, each width/8), a title, the fonts' Latin-1 repertoire and a
 * progress bar at @permille; gfx_test_card_bar() is where the bar sits.
 */
void gfx_test_card(struct gfx_image *im, unsigned permille);
struct gfx_rect gfx_test_card_bar(const struct gfx_image *im);
extern const uint32_t gfx_test_card_colours[8];

/* ---- screens (core/screen.c, screen_drm.c, screen_fbdev.c) -------------- */

/*
 * The host's display: a DRM/KMS device (dumb buffers, the connected
 * connector's preferred mode, two buffers flipped at vertical blank so no
 * frame tears) or else a framebuffer device. Drawing goes to screen->image,
 * an ordinary memory image of the native size (fast to read, unlike video
 * memory); screen_present copies the damaged regions out and shows them.
 */
struct screen_ops;
struct screen {
	const struct screen_ops *ops;
	struct gfx_image image;	/* draw here; native resolution */
	char name[64];		/* "drm /dev/dri/card0 1920x1080@60 HDMI-A-1" */
	char device[32];
	unsigned refresh_hz;	/* 0 when unknown */
	void *priv;		/* the back-end's state */
};
/*
 * @device: NULL tries /dev/dri/card0..7 then /dev/fb0; or a path to one.
 * -ENODEV with @err set when no screen is usable.
 */
int screen_open(const char *device, struct screen **out, struct errmsg *err);
/* True when a device screen_open(NULL, ...) would try exists (a driver is up). */
bool screen_available(void);
void screen_close(struct screen *s);
/* Shows the damaged regions of s->image; waits for the flip (vsync). */
int screen_present(struct screen *s, const struct gfx_damage *d);
/* What is shown now (the last presented frame), as P6 PPM. */
int screen_shot(struct screen *s, const char *path);

/* One line per output/mode for `kvmbox screen info`, without taking over. */
int screen_describe(const char *device, struct buf *out, struct errmsg *err);
/* Captures whatever is currently scanned out (another process's frame). */
int screen_capture(const char *device, struct gfx_image *out, struct errmsg *err);

/* ---- input (core/input_evdev.c, core/ps2_keymap.c) ---------------------- */

enum input_kind {
	INPUT_KEY,	  /* code: KEY_* (linux/input-event-codes.h) */
	INPUT_BUTTON,	  /* code: BTN_LEFT/RIGHT/MIDDLE/… */
	INPUT_MOTION,	  /* relative: dx, dy */
	INPUT_POSITION,	  /* absolute: x, y scaled to 0..INPUT_ABS_MAX */
	INPUT_WHEEL,	  /* dy: +1 up, -1 down; dx: horizontal */
};
#define INPUT_ABS_MAX 32767
struct input_msg {
	enum input_kind kind;
	unsigned code;
	int value;	  /* keys/buttons: 0 released, 1 pressed, 2 repeat */
	int x, y;	  /* motion: dx, dy; position: 0..INPUT_ABS_MAX */
	int device;	  /* index of the source device */
};
typedef void (*input_fn)(void *ctx, const struct input_msg *m);

/*
 * Every keyboard and pointer under @dir (NULL: /dev/input), watched for
 * hot-plugging with inotify; devices that go away are dropped. Events are
 * delivered from @loop.
 */
struct input;
int input_open(struct evloop *loop, const char *dir, input_fn fn, void *ctx,
	       struct input **out, struct errmsg *err);
void input_close(struct input *in);
/* Exclusive access (EVIOCGRAB) so the console does not also see the keys. */
void input_grab(struct input *in, bool grab);
/* One line per device: "event3 keyboard AT Translated Set 2 keyboard". */
int input_describe(struct input *in, struct buf *out);
size_t input_count(struct input *in);

/*
 * Linux key code to PS/2 scancode bytes for @set 1 or 2, make (@release
 * false) or break; returns the number of bytes (up to 8), 0 when the key
 * has no scancode.
 */
size_t ps2_scancode(unsigned keycode, int set, bool release, uint8_t out[8]);

/* ==== end of screen, input and drawing ==================================== */

#endif
