/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The benchmark program of bench/bench_spice.sh.
 *   spice_bench decode SECONDS   full 1920x1080 DRAW_COPY decode+render
 *                                per image type, frames per second; the
 *                                "peer" column is the bare library or
 *                                memory speed for the same bytes
 *                                (QUIC also on a photo-like picture, the
 *                                content servers send it for)
 *   spice_bench quic [SECONDS [RUNS]]  the QUIC rows alone, RUNS times
 *   spice_bench connect URL PWFILE  ms from connect() to the first frame
 */
#include <errno.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spiceclient/spice.h"

/* After core.h (through spice.h): its MIN/MAX win over spice/macros.h's. */
#include <spice/enums.h>

#define LZ_ENCODE_ASSERT(c) do { if (!(c)) abort(); } while (0)
#include "tests/spiceclient/lz_encode.h"
#define QE_ASSERT(c) do { if (!(c)) abort(); } while (0)
#include "tests/spiceclient/quic_encode.h"

/* CPU time of this thread: "frames per second on one core", whatever
 * else the machine is running. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define W 1920
#define H 1080

/* Something like a desktop: gradient wallpaper, flat windows, text-ish. */
static void desktop(uint32_t *px)
{
	uint64_t st = 1;
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			px[y * W + x] = (y * 255 / H) << 8 | (x * 255 / W);
	for (int win = 0; win < 6; win++) {
		uint32_t x0 = 100 + win * 250, y0 = 80 + win * 120;
		for (uint32_t y = y0; y < y0 + 500 && y < H; y++)
			for (uint32_t x = x0; x < x0 + 700 && x < W; x++) {
				uint32_t c = 0xf0f0f0;
				if (y - y0 < 30)
					c = 0x3050a0;
				else if ((y - y0) % 18 < 12 && (x - x0) % 9 < 7 &&
					 (x - x0) > 10 && (x - x0) < 650) {
					st = st * 6364136223846793005ull + 1;
					c = (st >> 40) & 1 ? 0x202020 : 0xf0f0f0;
				}
				px[y * W + x] = c;
			}
	}
}

static uint8_t *copy_msg(uint8_t type, const uint8_t *payload, size_t plen,
			 bool bitmap, size_t *len)
{
	size_t hdr = 4 + 16 + 1 + 4 + 16 + 2 + 1 + 1 + 8 + 4;
	size_t img = 8 + 1 + 1 + 4 + 4 + (bitmap ? 1 + 1 + 4 + 4 + 4 + 4 : 4);
	uint8_t *m = calloc(1, hdr + img + plen), *p = m;

	put_le32(p, 0);			p += 4;
	put_le32(p + 8, H);		/* box: top 0, left 0, bottom H, right W */
	put_le32(p + 12, W);		p += 16;
	*p++ = SPICE_CLIP_TYPE_NONE;
	put_le32(p, (uint32_t)hdr);	p += 4;
	put_le32(p + 8, H);
	put_le32(p + 12, W);		p += 16;
	put_le16(p, SPICE_ROPD_OP_PUT); p += 2 + 1 + 1 + 8 + 4;
	put_le64(p, 1);			p += 8;
	*p++ = type;
	*p++ = 0;
	put_le32(p, W);			p += 4;
	put_le32(p, H);			p += 4;
	if (bitmap) {
		*p++ = SPICE_BITMAP_FMT_32BIT;
		*p++ = SPICE_BITMAP_FLAGS_TOP_DOWN;
		put_le32(p, W);		p += 4;
		put_le32(p, H);		p += 4;
		put_le32(p, W * 4);	p += 4;
		put_le32(p, 0);		p += 4;
	} else {
		put_le32(p, (uint32_t)plen); p += 4;
	}
	memcpy(p, payload, plen);
	*len = (size_t)(p - m) + plen;
	return m;
}

/* Frames per second of CPU time (one core, whatever else runs) and of
 * wall-clock time (what a person sees on this machine as loaded). */
struct rate {
	double cpu, wall;
};

static struct rate fps_of(struct spice_display *d, const uint8_t *m, size_t len,
			  double secs)
{
	struct errmsg err;
	uint64_t t0 = cpu_ns(), w0 = clock_now_ns(), frames = 0;

	do {
		if (spice_display_message(d, SPICE_MSG_DISPLAY_DRAW_COPY, m, len, &err) < 0) {
			fprintf(stderr, "decode: %s\n", err.msg);
			exit(1);
		}
		frames++;
	} while (cpu_ns() - t0 < secs * 1e9);
	return (struct rate){ frames / ((cpu_ns() - t0) / 1e9),
			      frames / ((clock_now_ns() - w0) / 1e9) };
}

/*
 * GLZ: the LZ picture of @px with a GLZ header (RGB32, top down, in-image
 * matches only, nothing kept of earlier images). Each frame needs a new
 * image id (the dictionary refuses one out of order): patched into the
 * header before every draw.
 */
#define GLZ_ID_AT 21 /* the header's 64-bit image id, big-endian */

static void glz_row(struct spice_display *d, const uint32_t *px, double secs)
{
	struct enc e = { 0 };
	struct errmsg err;
	size_t len;

	put_be(&e, 0x20205a4c);
	put_be(&e, 0x00010001);
	put(&e, 8 | 1 << 4);
	put_be(&e, W);
	put_be(&e, H);
	put_be(&e, W * 4);
	put_be(&e, 0);
	put_be(&e, 1); /* image id */
	put_be(&e, 0); /* no earlier image in reach */
	/* GLZ's RLE match (pixel offset 0, image 0) is LZ's distance-1 match
	 * with a zero third byte; literal runs are the same. */
	struct enc body = { 0 };
	encode_units(&body, px, W * H, 1, lit_rgb32);
	for (size_t i = 0; i < body.len;) {
		uint8_t c = body.p[i];
		if (c < 32) { /* literals: ctrl, 3 bytes each */
			size_t n = 1 + 3 * ((size_t)c + 1);
			for (size_t k = 0; k < n; k++)
				put(&e, body.p[i + k]);
			i += n;
			continue;
		}
		/* LZ match, distance 1: ctrl (len+1)<<5, [long length], ofs 0. */
		uint32_t l = (uint32_t)(c >> 5) - 1; /* length minus bias 1 */
		i++;
		if (l >= 6)
			do
				l += body.p[i];
			while (body.p[i++] == 255);
		uint32_t run = l + 1; /* pixels */
		i++;		     /* LZ's offset byte (0) */
		put(&e, (uint8_t)(MIN(run, 7u) << 5));
		if (run >= 7) {
			uint32_t rest = run - 7;
			for (; rest >= 255; rest -= 255)
				put(&e, 255);
			put(&e, (uint8_t)rest);
		}
		put(&e, 0); /* pixel offset bits 4..11 */
		put(&e, 0); /* image distance 0: this image */
	}
	free(body.p);
	uint8_t *m = copy_msg(SPICE_IMAGE_TYPE_GLZ_RGB, e.p, e.len, false, &len);
	uint8_t *id = m + len - e.len + GLZ_ID_AT;
	uint64_t t0 = cpu_ns(), w0 = clock_now_ns(), frames = 0;
	do {
		uint64_t next = frames + 1;
		for (int k = 0; k < 8; k++)
			id[k] = (uint8_t)(next >> (56 - 8 * k));
		if (spice_display_message(d, SPICE_MSG_DISPLAY_DRAW_COPY, m, len, &err) < 0) {
			fprintf(stderr, "glz decode: %s\n", err.msg);
			exit(1);
		}
		frames++;
	} while (cpu_ns() - t0 < secs * 1e9);
	printf("%-26s %9.1f %9.1f %9s %7s %9zu\n", "glz", frames / ((cpu_ns() - t0) / 1e9),
	       frames / ((clock_now_ns() - w0) / 1e9), "-", "-", len);
	free(m);
	free(e.p);
}

/* The QUIC rows: no peer decoder is installed, shown as '-'. Leaves the
 * photo-like picture in @px. */
static void quic_rows(struct spice_display *d, uint32_t *px, double secs)
{
	struct rate ours;
	uint8_t *m;
	size_t len;

	desktop(px);
	for (int photo = 0; photo < 2; photo++) {
		if (photo) /* smooth gradients with sensor-like noise */
			for (uint32_t y = 0, st = 7; y < H; y++)
				for (uint32_t x = 0; x < W; x++) {
					st = st * 1103515245u + 12345u;
					uint32_t nz = st >> 28;
					px[y * W + x] = ((x / 8 + y / 5 + nz) & 0xff) << 16 |
							((y / 4 + nz) & 0xff) << 8 | ((x / 9 + nz) & 0xff);
				}
		size_t ql;
		uint8_t *qs = quic_encode(QE_RGB32, px, W, H, &ql);
		m = copy_msg(SPICE_IMAGE_TYPE_QUIC, qs, ql, false, &len);
		ours = fps_of(d, m, len, secs);
		printf("%-26s %9.1f %9.1f %9s %7s %9zu\n", photo ? "quic (photo-like)" : "quic (desktop-like)",
		       ours.cpu, ours.wall, "-", "-", len);
		free(m);
		free(qs);
	}
}

/* A primary surface the size of the benchmark's frames. */
static struct spice_display *bench_display(void)
{
	struct spice_display *d;
	struct errmsg err;
	uint8_t surf[20];

	spice_display_new(&d);
	put_le32(surf, 0);
	put_le32(surf + 4, W);
	put_le32(surf + 8, H);
	put_le32(surf + 12, SPICE_SURFACE_FMT_32_xRGB);
	put_le32(surf + 16, SPICE_SURFACE_FLAGS_PRIMARY);
	spice_display_message(d, SPICE_MSG_DISPLAY_SURFACE_CREATE, surf, 20, &err);
	return d;
}

/* The QUIC rows alone, @runs times (to compare before/after quickly). */
static int quic_bench(double secs, int runs)
{
	uint32_t *px = malloc(W * H * 4);
	struct spice_display *d = bench_display();

	printf("%-26s %9s %9s %9s %7s %9s\n", "1920x1080 DRAW_COPY", "cpu fps", "wall fps",
	       "peer", "ratio", "bytes");
	for (int r = 0; r < runs; r++)
		quic_rows(d, px, secs);
	spice_display_free(d);
	free(px);
	return 0;
}

static int decode_bench(double secs)
{
	uint32_t *px = malloc(W * H * 4), *out = malloc(W * H * 4);
	struct spice_display *d = bench_display();
	size_t len;

	desktop(px);
	printf("%-26s %9s %9s %9s %7s %9s\n", "1920x1080 DRAW_COPY", "cpu fps", "wall fps",
	       "peer", "ratio", "bytes");

	/* bitmap: peer = memcpy of the frame */
	uint8_t *m = copy_msg(SPICE_IMAGE_TYPE_BITMAP, (uint8_t *)px, W * H * 4, true, &len);
	struct rate ours = fps_of(d, m, len, secs);
	uint64_t t0 = cpu_ns(), n = 0;
	do {
		memcpy(out, px, W * H * 4);
		n++;
	} while (cpu_ns() - t0 < secs * 1e9);
	double peer = n / ((cpu_ns() - t0) / 1e9);
	printf("%-26s %9.1f %9.1f %9.1f %6.2fx %9zu\n", "bitmap (peer memcpy)", ours.cpu, ours.wall,
	       peer, ours.cpu / peer, len);
	free(m);

	/* LZ: peer = none in this image; shown as '-' */
	struct enc e = { 0 };
	header(&e, T_RGB32, W, H, W * 4, true);
	encode_units(&e, px, W * H, 1, lit_rgb32);
	m = copy_msg(SPICE_IMAGE_TYPE_LZ_RGB, e.p, e.len, false, &len);
	ours = fps_of(d, m, len, secs);
	printf("%-26s %9.1f %9.1f %9s %7s %9zu\n", "lz", ours.cpu, ours.wall, "-", "-", len);
	free(m);
	free(e.p);
	glz_row(d, px, secs);

	/* LZ4, 64-row blocks as the server sends; peer = liblz4 alone. */
	uint8_t *z = malloc(2 + (size_t)LZ4_compressBound(W * H * 4) + 4 * H), *q = z + 2;
	LZ4_stream_t *s = LZ4_createStream();
	z[0] = 1;
	z[1] = SPICE_BITMAP_FMT_32BIT;
	for (uint32_t y = 0; y < H; y += 64) {
		uint32_t rows = MIN(64u, H - y);
		int c = LZ4_compress_fast_continue(s, (const char *)(px + y * W), (char *)q + 4,
						   (int)(rows * W * 4), LZ4_compressBound(W * H * 4), 1);
		put_be32(q, (uint32_t)c);
		q += 4 + c;
	}
	LZ4_freeStream(s);
	size_t zl = (size_t)(q - z);
	m = copy_msg(SPICE_IMAGE_TYPE_LZ4, z, zl, false, &len);
	ours = fps_of(d, m, len, secs);
	t0 = cpu_ns();
	n = 0;
	do {
		LZ4_streamDecode_t ds;
		LZ4_setStreamDecode(&ds, NULL, 0);
		size_t at = 2, done = 0;
		while (at < zl) {
			uint32_t c = get_be32(z + at);
			int got = LZ4_decompress_safe_continue(&ds, (const char *)z + at + 4,
							       (char *)out + done, (int)c,
							       (int)(W * H * 4 - done));
			done += (size_t)got;
			at += 4 + c;
		}
		n++;
	} while (cpu_ns() - t0 < secs * 1e9);
	peer = n / ((cpu_ns() - t0) / 1e9);
	printf("%-26s %9.1f %9.1f %9.1f %6.2fx %9zu\n", "lz4 (peer liblz4)", ours.cpu, ours.wall,
	       peer, ours.cpu / peer, len);
	free(m);
	free(z);

	quic_rows(d, px, secs);
	spice_display_free(d);
	free(px);
	free(out);
	return 0;
}

struct first {
	uint64_t t0, first_ns;
};

static bool first_frame(void *ctx, struct spice_display *d)
{
	struct first *f = ctx;

	if (spice_display_draw_count(d) && !f->first_ns)
		f->first_ns = clock_now_ns();
	return f->first_ns || clock_now_ns() - f->t0 > 20000000000ull;
}

static int connect_bench(const char *url, const char *pwfile)
{
	struct spice_client_opts o = { .input_fd = -1 };
	struct spice_display *d;
	struct errmsg err;
	struct first f = { 0 };
	struct buf pw;
	char pass[128] = "";

	buf_init(&pw);
	if (read_file(pwfile, 4096, &pw) == 0)
		snprintf(pass, sizeof(pass), "%.*s", (int)strcspn((char *)pw.data, "\n"), pw.data);
	buf_free(&pw);
	if (spice_url_parse(url, &o.url, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	o.password = pass;
	o.stop = first_frame;
	o.ctx = &f;
	spice_display_new(&d);
	f.t0 = clock_now_ns();
	int end = spice_client_run(&o, d, &err);
	spice_display_free(d);
	if (end != SPICE_END_STOPPED || !f.first_ns) {
		fprintf(stderr, "no first frame: %s\n", err.msg);
		return 1;
	}
	printf("%.1f\n", (f.first_ns - f.t0) / 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	log_setup(2, LOG_WARN, false, "spice_bench");
	if (argc >= 2 && !strcmp(argv[1], "decode"))
		return decode_bench(argc > 2 ? atof(argv[2]) : 2.0);
	if (argc >= 2 && !strcmp(argv[1], "quic"))
		return quic_bench(argc > 2 ? atof(argv[2]) : 2.0, argc > 3 ? atoi(argv[3]) : 1);
	if (argc == 4 && !strcmp(argv[1], "connect"))
		return connect_bench(argv[2], argv[3]);
	fprintf(stderr, "usage: spice_bench decode [SECONDS] | quic [SECONDS [RUNS]] | connect URL PWFILE\n");
	return 2;
}
