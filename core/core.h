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

#endif
