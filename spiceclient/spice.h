/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spiceclient: a SPICE protocol client (plain TCP) that renders a remote
 * desktop into an in-memory framebuffer and hands changed areas to an
 * output (off-screen PPM today; the host display back-end later).
 *
 * Everything a server sends is hostile: every length, offset, image size
 * and compressed stream is bounds-checked, and bad input ends the
 * connection with a one-line reason instead of a crash.
 */
#ifndef KVMBOX_SPICE_H
#define KVMBOX_SPICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* ---- crypto for ticket authentication (sha1.c, bignum.c, rsa.c) -------- */

#define SHA1_LEN 20
struct sha1 {
	uint32_t h[5];
	uint64_t total;
	uint8_t buf[64];
	size_t buf_len;
};
void sha1_init(struct sha1 *s);
void sha1_update(struct sha1 *s, const void *data, size_t len);
void sha1_final(struct sha1 *s, uint8_t out[SHA1_LEN]);
void sha1(const void *data, size_t len, uint8_t out[SHA1_LEN]);

/* Big-endian byte strings; r = b^e mod m (m odd, up to 4096 bits). */
#define BN_MAX_BYTES 512
int bn_modexp(const uint8_t *b, size_t blen, const uint8_t *e, size_t elen,
	      const uint8_t *m, size_t mlen, uint8_t *r /* mlen bytes */);

struct rsa_pubkey {
	uint8_t n[BN_MAX_BYTES];
	size_t n_len; /* bytes, no high zero bytes */
	uint8_t e[8];
	size_t e_len;
};
/* DER SubjectPublicKeyInfo (what a SPICE server sends) → modulus/exponent. */
int rsa_pubkey_from_der(const uint8_t *der, size_t len, struct rsa_pubkey *k,
			struct errmsg *err);
/*
 * RSA-OAEP (SHA-1, MGF1-SHA-1, empty label) of @msg into @out (n_len bytes).
 * @seed (20 bytes) is random in real use; tests pass a fixed one.
 */
int rsa_oaep_encrypt(const struct rsa_pubkey *k, const uint8_t *msg,
		     size_t len, const uint8_t *seed, uint8_t *out);

/* ---- pixels ---------------------------------------------------------- */

/*
 * A 32-bit x8r8g8b8 picture (little endian in memory: B, G, R, X). Start
 * from a zeroed one; decoders reuse its memory when it is large enough.
 */
struct spice_pixels {
	uint32_t *px;
	uint32_t width, height; /* stride == width */
	size_t cap;		/* pixels allocated */
};
void spice_pixels_free(struct spice_pixels *p);

/* Largest image/surface side and area we accept from a server. */
#define SPICE_MAX_SIDE 8192
#define SPICE_MAX_AREA (8192u * 4096u)

/* ---- image decoders (lz.c, lz4img.c, bitmap.c) ---------------------------- */

/*
 * SPICE "LZ" image (header + FastLZ-style stream) into @out, which the
 * decoder allocates (width × height from the stream's header, checked
 * against @want_w/@want_h when those are non-zero). @palette (ARGB
 * entries) is needed for the palette types.
 */
int spice_lz_decode(const uint8_t *data, size_t len, const uint32_t *palette,
		    unsigned n_palette, uint32_t want_w, uint32_t want_h,
		    struct spice_pixels *out, struct errmsg *err);
/*
 * GLZ: LZ whose matches may also point into earlier images; @g is the
 * dictionary (the window of recently decoded images, bounded by
 * @max_pixels) shared by all GLZ images of a connection.
 */
struct spice_glz;
int spice_glz_new(struct spice_glz **out, uint64_t max_pixels);
void spice_glz_clear(struct spice_glz *g);
void spice_glz_free(struct spice_glz *g);
int spice_glz_decode(struct spice_glz *g, const uint8_t *data, size_t len,
		     uint32_t want_w, uint32_t want_h, struct spice_pixels *out,
		     struct errmsg *err);
/* SPICE LZ4 image (top_down, format, then big-endian-sized LZ4 blocks). */
int spice_lz4_decode(const uint8_t *data, size_t len, uint32_t width,
		     uint32_t height, struct spice_pixels *out,
		     struct errmsg *err);
/*
 * SPICE QUIC image (RGB32, RGB24, RGB16 or RGBA stream) into @out; its
 * size must match @want_w × @want_h when those are non-zero.
 */
int spice_quic_decode(const uint8_t *data, size_t len, uint32_t want_w,
		      uint32_t want_h, struct spice_pixels *out,
		      struct errmsg *err);
/* Uncompressed bitmap of SPICE_BITMAP_FMT_* @fmt. */
int spice_bitmap_decode(uint8_t fmt, bool top_down, const uint8_t *data,
			size_t len, uint32_t width, uint32_t height,
			uint32_t stride, const uint32_t *palette,
			unsigned n_palette, struct spice_pixels *out,
			struct errmsg *err);

/* ---- display: surfaces and draw commands (display.c, canvas.c) --------- */

struct spice_display;

/*
 * The remote pointer: its shape (non-premultiplied ARGB; px NULL when the
 * server set none) with the hot spot, and where the hot spot is on the
 * remote screen.
 */
struct spice_cursor {
	struct spice_pixels shape;
	int hot_x, hot_y;
	int x, y;
	bool visible;
};

/* Where finished pictures go: off-screen (PPM) or the host's screen. */
struct spice_output {
	void *ctx;
	/* The primary surface appeared or changed size. */
	int (*resize)(void *ctx, uint32_t width, uint32_t height);
	/* An area of @pic (the primary surface) changed. */
	void (*update)(void *ctx, const struct spice_pixels *pic, int x, int y,
		       int w, int h);
	/* Optional: the cursor's shape, position or visibility changed. */
	void (*cursor)(void *ctx, const struct spice_cursor *c);
};

int spice_display_new(struct spice_display **out);
void spice_display_free(struct spice_display *d);
/* Forgets surfaces and caches (a new connection starts from nothing). */
void spice_display_reset(struct spice_display *d);
void spice_display_set_output(struct spice_display *d,
			      const struct spice_output *o);
/*
 * Applies one display-channel message body (@type SPICE_MSG_DISPLAY_*).
 * Unknown types are ignored; malformed ones return -EBADMSG with @err.
 */
int spice_display_message(struct spice_display *d, uint16_t type,
			  const uint8_t *body, size_t len, struct errmsg *err);
/* The primary surface (NULL before the server created it). */
const struct spice_pixels *spice_display_primary(struct spice_display *d);
/* Number of draw commands applied so far (for waiting on "first frame"). */
uint64_t spice_display_draw_count(struct spice_display *d);

/*
 * Applies one cursor-channel message (SPICE_MSG_CURSOR_*): shapes of types
 * ALPHA, MONO and COLOR32 (others leave no shape), position, visibility,
 * the cursor cache. Malformed messages return -EBADMSG with @err.
 */
int spice_cursor_message(struct spice_display *d, uint16_t type,
			 const uint8_t *body, size_t len, struct errmsg *err);
const struct spice_cursor *spice_display_cursor(struct spice_display *d);
/* Blends the shape with its hot spot at (@x, @y) into an XRGB picture. */
void spice_cursor_draw(const struct spice_cursor *c, uint32_t *px, unsigned w,
		       unsigned h, size_t stride_px, int x, int y);

/* PPM (P6) writer for screenshots. */
int spice_ppm_write(const char *path, const struct spice_pixels *p,
		    struct errmsg *err);

/* ---- the client (client.c) ------------------------------------------- */

struct spice_url {
	char host[256];
	char port[8];
};
/* "spice://HOST:PORT" (HOST may be [v6]). */
int spice_url_parse(const char *url, struct spice_url *u, struct errmsg *err);

/* What the caller learns about: why a connection ended. */
enum spice_end {
	SPICE_END_ERROR = 1,	 /* protocol/IO error: reconnect may help */
	SPICE_END_AUTH = 2,	 /* wrong password: do not retry */
	SPICE_END_VERSION = 3,	 /* a protocol we do not speak */
	SPICE_END_UNREACHABLE = 4,
	SPICE_END_STOPPED = 5,	 /* the caller's stop() said so */
};

/*
 * The keyboard and mouse of a running connection (its inputs channel); NULL
 * until the server offered one. Scancodes are PC set 1 make codes, with
 * 0x100 added for the 0xe0-prefixed ones. @buttons is a mask of
 * SPICE_MOUSE_BUTTON_MASK_* bits; @button a SPICE_MOUSE_BUTTON_* value.
 */
struct spice_inputs;
int spice_input_key(struct spice_inputs *in, unsigned scancode, bool down);
/* Relative motion (server mouse mode); coalesced while the server lags. */
int spice_input_motion(struct spice_inputs *in, int dx, int dy,
		       unsigned buttons);
/* Absolute position on the display (client mouse mode). */
int spice_input_position(struct spice_inputs *in, unsigned x, unsigned y,
			 unsigned buttons);
int spice_input_button(struct spice_inputs *in, unsigned button, bool down,
		       unsigned buttons);
/* Whether the server takes absolute positions (client mouse mode). */
bool spice_input_absolute(const struct spice_inputs *in);

struct spice_client_opts {
	struct spice_url url;
	const char *password; /* NULL: none */
	const struct spice_output *output;
	/* Called between events; returning true ends the connection. */
	bool (*stop)(void *ctx, struct spice_display *d);
	void *ctx;
	/* Keys to type once the inputs channel is up (PC scancodes). */
	const char *type_text;
	unsigned type_delay_ms; /* after the inputs channel is up */
	enum spice_compression { SPICE_COMPRESS_LZ, SPICE_COMPRESS_LZ4,
				 SPICE_COMPRESS_GLZ, SPICE_COMPRESS_QUIC } compression;
	/* When set, every display message is also written to this folder. */
	const char *record_dir;
	/* Set once the main channel is linked (the server is really there). */
	bool *connected;
	/* A local input source (evdev, a terminal): when @input_fd is readable
	 * (-1: none), @on_input is called to read it and forward events. */
	int input_fd;
	void (*on_input)(void *ctx, struct spice_inputs *in);
};

/*
 * One connection: links main, display, inputs and cursor channels, runs
 * until the server goes away, stop() says so, or an error. Returns the
 * reason (enum spice_end) and fills @err with a one-line explanation.
 */
int spice_client_run(const struct spice_client_opts *o,
		      struct spice_display *d, struct errmsg *err);

/* ---- the host's screen and input (fullscreen.c, hostinput.c) ---------- */

/*
 * The remote desktop on the host's screen (core/screen: DRM/KMS or fbdev,
 * @device NULL to pick one): centred 1:1 when it fits, else scaled to fit;
 * only damaged areas are copied and presented; the pointer drawn on top.
 */
struct spice_screen;
int spice_screen_open(const char *device, struct spice_screen **out,
		      struct errmsg *err);
void spice_screen_close(struct spice_screen *s);
/* Fills @o as the output to give spice_client_opts; returns @o. */
const struct spice_output *spice_screen_output(struct spice_screen *s,
					       struct spice_output *o);
/* Shows what changed in @d's primary since the last call (between events). */
int spice_screen_present(struct spice_screen *s, struct spice_display *d);
/* Client mouse mode: the pointer is ours, at (@x, @y) on the remote screen. */
void spice_screen_pointer(struct spice_screen *s, bool own, int x, int y);
/* Where the remote picture sits on the screen; false before it exists. */
bool spice_screen_placement(const struct spice_screen *s, struct gfx_rect *out,
			    unsigned *remote_w, unsigned *remote_h);
void spice_screen_size(const struct spice_screen *s, unsigned *w, unsigned *h);
/* What the screen shows now, as PPM. */
int spice_screen_shot(struct spice_screen *s, const char *path);

/* Host keyboard/pointer events (core input_msg) to the inputs channel. */
struct spice_host_input {
	struct spice_screen *screen; /* for absolute pointers; may be NULL */
	unsigned buttons;	     /* SPICE_MOUSE_BUTTON_MASK_* held */
	int x, y;		     /* our pointer on the remote screen */
	int last_abs_x, last_abs_y;  /* last tablet position (server mode) */
	unsigned shift;		     /* shift keys held (bits) */
	bool quit;		     /* Shift+F12 pressed: disconnect and exit */
};
void spice_host_input_init(struct spice_host_input *h, struct spice_screen *scr);
void spice_host_input_event(struct spice_host_input *h, struct spice_inputs *in,
			    const struct input_msg *m);

/* Set 1 scancode (make code; 0xe0xx for extended) of an ASCII char. */
int spice_scancode_of_char(char c, bool *shift);

#endif
