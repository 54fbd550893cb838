/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A tiny test guest for the VMM's display (freestanding, 32-bit, entered
 * through its PVH note, no paging). It finds the QXL device on PCI and:
 *   lfb W H      draws eight colour bars into the framebuffer at the start
 *                of the VRAM BAR (what vesafb uses), prints "guest: lfb
 *                drawn", waits for a byte on COM1, draws an orange 64x64
 *                square at (16,16), prints "guest: square drawn", halts
 *   idle W H     the bars, then halts (benchmarks: an idle guest)
 *   qxl W H      speaks QXL: memory slot, W x H primary surface, a solid
 *                fill, a 64x32 checker copied from a bitmap split over two
 *                chunks, a red fill of the whole screen under a clip of no
 *                rectangles (must leave no trace), then a command outside
 *                any slot and a copy of an
 *                image outside its slot, then a 16x16 red cursor set and
 *                moved to (320,240); prints the ids the device released,
 *                then halts
 *   redraw W H N N full-screen QXL copies, each waiting for its release;
 *                prints "guest: redraw done" (benchmarks)
 *   paced W H N  N full-screen QXL copies at 60 Hz (the TSC, measured
 *                against the CMOS clock first),
 *                flipping between two prepared images, as a compositor
 *                would; prints "guest: paced start", then "guest: paced
 *                done frames=N late=N" (frames drawn a period or more
 *                after their time) (benchmarks)
 * Results go to COM1; the host checks screenshots.
 */
#include <stdint.h>
#include <spice/qxl_dev.h>

__asm__(".pushsection .note.pvh, \"a\", @note\n"
	".balign 4\n.long 4\n.long 4\n.long 18\n.asciz \"Xen\"\n"
	".balign 4\n.long _start\n.popsection\n"
	".text\n.globl _start\n_start:\n"
	"  mov $0x90000, %esp\n  push %ebx\n  call guest_main\n"
	"1: cli\n  hlt\n  jmp 1b\n");

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }

static void putc_(char c)
{
	while (!(inb(0x3fd) & 0x20))
		;
	outb(0x3f8, (uint8_t)c);
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void putu(uint32_t v)
{
	char b[12];
	int n = 0;
	do { b[n++] = (char)('0' + v % 10); v /= 10; } while (v);
	while (n) putc_(b[--n]);
}
static void puthex32(uint32_t v)
{
	for (int i = 28; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}
static void *memset_(void *d, int c, uint32_t n)
{
	uint8_t *p = d;
	while (n--) *p++ = (uint8_t)c;
	return d;
}
static void fill32(volatile uint32_t *p, uint32_t v, uint32_t n)
{
	__asm__ volatile("rep stosl" : "+D"(p), "+c"(n) : "a"(v) : "memory");
}
/* Compares the first word of @a with @b, sets *@rest after it. */
static int word(const char *a, const char *b, const char **rest)
{
	while (*a && *a != ' ' && *a == *b) { a++; b++; }
	if ((*a && *a != ' ') || *b) return 0;
	while (*a == ' ') a++;
	*rest = a;
	return 1;
}
static uint32_t number(const char **s)
{
	uint32_t v = 0;
	while (**s >= '0' && **s <= '9') v = v * 10 + (uint32_t)(*(*s)++ - '0');
	while (**s == ' ') (*s)++;
	return v;
}

static uint32_t cfg_read(unsigned slot, unsigned off)
{
	outl(0xcf8, 0x80000000u | slot << 11 | (off & 0xfc));
	return inl(0xcfc);
}

static unsigned find_qxl(void)
{
	for (unsigned s = 1; s < 32; s++)
		if (cfg_read(s, 0) == (QXL_DEVICE_ID_STABLE << 16 | REDHAT_PCI_VENDOR_ID))
			return s;
	puts_("guest: no QXL device\n");
	outl(0x604, 5 << 10 | 1 << 13);
	return 0;
}

static const uint32_t bars[8] = { 0xffffff, 0xffff00, 0x00ffff, 0x00ff00,
				  0xff00ff, 0xff0000, 0x0000ff, 0x000000 };

static void draw_bars(uint32_t *fb, uint32_t w, uint32_t h)
{
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t i = 0; i < 8; i++)
			fill32(fb + y * w + i * w / 8, bars[i], w / 8);
}

static void wait_serial_byte(void)
{
	while (!(inb(0x3fd) & 1))
		__asm__ volatile("pause");
	(void)inb(0x3f8);
}

static void test_lfb(unsigned slot, uint32_t w, uint32_t h, int idle)
{
	uint32_t *fb = (uint32_t *)(uintptr_t)(cfg_read(slot, 0x14) & ~0xfu);

	draw_bars(fb, w, h);
	puts_("guest: lfb drawn at ");
	puthex32((uint32_t)(uintptr_t)fb);
	puts_("\n");
	if (idle)
		return;
	wait_serial_byte();
	for (uint32_t y = 16; y < 80; y++)
		fill32(fb + y * w + 16, 0xff8000, 64);
	puts_("guest: square drawn\n");
}

/* ---- QXL ---- */
struct qdev {
	uint8_t *ram;
	QXLRam *hdr;
	uint16_t io;
	uint64_t slot;	/* the high bits of addresses in our memory slot */
};
#define OBJ 0x2000000u	/* our objects, past a 1920x1080 primary */

static uint64_t qaddr(struct qdev *q, void *p) { return q->slot | (uint32_t)((uint8_t *)p - q->ram); }

static void qxl_setup(struct qdev *q, unsigned slot, uint32_t w, uint32_t h)
{
	QXLRom *rom = (QXLRom *)(uintptr_t)(cfg_read(slot, 0x18) & ~0xfu);

	q->ram = (uint8_t *)(uintptr_t)(cfg_read(slot, 0x10) & ~0xfu);
	q->io = (uint16_t)(cfg_read(slot, 0x1c) & ~3u);
	q->hdr = (QXLRam *)(q->ram + rom->ram_header_offset);
	if (rom->magic != QXL_ROM_MAGIC || q->hdr->magic != QXL_RAM_MAGIC)
		puts_("guest: bad QXL magic\n");
	outb(q->io + QXL_IO_RESET, 0);
	q->hdr->mem_slot.mem_start = (uint32_t)(uintptr_t)q->ram;
	q->hdr->mem_slot.mem_end = (uint32_t)(uintptr_t)q->ram + rom->ram_header_offset;
	outb(q->io + QXL_IO_MEMSLOT_ADD, rom->slots_start);
	q->slot = (uint64_t)rom->slots_start << 56;
	QXLSurfaceCreate *c = &q->hdr->create_surface;
	c->width = w;
	c->height = h;
	c->stride = (int32_t)(w * 4);
	c->format = SPICE_SURFACE_FMT_32_xRGB;
	c->type = QXL_SURF_TYPE_PRIMARY;
	c->mem = q->slot;
	outb(q->io + QXL_IO_CREATE_PRIMARY, 0);
}

static void push_ring(struct qdev *q, QXLCommandRing *r, uint64_t data, uint32_t type, unsigned port)
{
	QXLCommand *c = &r->items[r->prod % QXL_COMMAND_RING_SIZE].el;

	c->data = data;
	c->type = type;
	r->prod++;
	outb(q->io + port, 0);
}
static void push(struct qdev *q, uint64_t data)
{
	push_ring(q, &q->hdr->cmd_ring, data, QXL_CMD_DRAW, QXL_IO_NOTIFY_CMD);
}

/* A 16x16 opaque red cursor set at (300,200), then moved to (320,240). */
static void cursor(struct qdev *q)
{
	QXLCursor *shape = (QXLCursor *)(q->ram + OBJ + 0x6000);
	QXLCursorRing *r = &q->hdr->cursor_ring;

	memset_(shape, 0, sizeof(*shape));
	shape->header.type = SPICE_CURSOR_TYPE_ALPHA;
	shape->header.width = 16;
	shape->header.height = 16;
	shape->data_size = 16 * 16 * 4;
	shape->chunk.data_size = 16 * 16 * 4;
	fill32((uint32_t *)(void *)((uint8_t *)shape + sizeof(*shape)), 0xffff0000, 16 * 16);
	QXLCursorCmd *set = (QXLCursorCmd *)(q->ram + OBJ + 4 * 0x200);
	memset_(set, 0, sizeof(*set));
	set->release_info.id = 4;
	set->type = QXL_CURSOR_SET;
	set->u.set.position.x = 300;
	set->u.set.position.y = 200;
	set->u.set.visible = 1;
	set->u.set.shape = qaddr(q, shape);
	push_ring(q, (QXLCommandRing *)r, qaddr(q, set), QXL_CMD_CURSOR, QXL_IO_NOTIFY_CURSOR);
	QXLCursorCmd *move = (QXLCursorCmd *)(q->ram + OBJ + 5 * 0x200);
	memset_(move, 0, sizeof(*move));
	move->release_info.id = 5;
	move->type = QXL_CURSOR_MOVE;
	move->u.position.x = 320;
	move->u.position.y = 240;
	push_ring(q, (QXLCommandRing *)r, qaddr(q, move), QXL_CMD_CURSOR, QXL_IO_NOTIFY_CURSOR);
}

static QXLDrawable *drawable(struct qdev *q, uint32_t id, uint8_t type, int32_t l, int32_t t,
			     int32_t r, int32_t b)
{
	QXLDrawable *d = (QXLDrawable *)(q->ram + OBJ + id * 0x200);

	memset_(d, 0, sizeof(*d));
	d->release_info.id = id;
	d->type = type;
	d->effect = QXL_EFFECT_OPAQUE;
	d->bbox.left = l;
	d->bbox.top = t;
	d->bbox.right = r;
	d->bbox.bottom = b;
	d->clip.type = SPICE_CLIP_TYPE_NONE;
	return d;
}

/* A w x h 32-bit bitmap at @img whose pixels start at @px (one chunk each split at @split bytes). */
static void bitmap(struct qdev *q, QXLImage *img, uint8_t *px, uint32_t w, uint32_t h, uint32_t split)
{
	QXLDataChunk *c1 = (QXLDataChunk *)(px - sizeof(QXLDataChunk));
	uint32_t size = w * h * 4;

	memset_(img, 0, sizeof(*img));
	img->descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
	img->descriptor.width = w;
	img->descriptor.height = h;
	img->bitmap.format = SPICE_BITMAP_FMT_32BIT;
	img->bitmap.flags = QXL_BITMAP_TOP_DOWN;
	img->bitmap.x = w;
	img->bitmap.y = h;
	img->bitmap.stride = w * 4;
	img->bitmap.data = qaddr(q, c1);
	c1->data_size = split ? split : size;
	c1->prev_chunk = c1->next_chunk = 0;
	if (split) {
		/* the second chunk elsewhere, its data copied from after the split */
		QXLDataChunk *c2 = (QXLDataChunk *)(px + size + 0x1000);
		uint8_t *src = px + split;
		c2->data_size = size - split;
		c2->prev_chunk = qaddr(q, c1);
		c2->next_chunk = 0;
		for (uint32_t i = 0; i < size - split; i++)
			c2->data[i] = src[i];
		c1->next_chunk = qaddr(q, c2);
	}
}

static uint32_t wait_releases(struct qdev *q, uint32_t *ids, uint32_t want)
{
	QXLReleaseRing *r = &q->hdr->release_ring;
	uint32_t n = 0;

	for (uint32_t spin = 0; n < want && spin < 2000000; spin++) {
		if (r->cons == r->prod) {
			__asm__ volatile("pause");
			continue;
		}
		uint64_t id = r->items[r->cons % QXL_RELEASE_RING_SIZE].el;
		r->cons++;
		while (id && n < want) {
			ids[n++] = (uint32_t)id;
			QXLReleaseInfo *ri = (QXLReleaseInfo *)(q->ram + OBJ + (uint32_t)id * 0x200);
			id = ri->next;
		}
	}
	return n;
}

static void test_qxl(unsigned slot, uint32_t w, uint32_t h)
{
	struct qdev q;
	uint32_t ids[8];

	qxl_setup(&q, slot, w, h);
	QXLDrawable *fill = drawable(&q, 1, QXL_DRAW_FILL, 0, 0, (int32_t)w, (int32_t)h);
	fill->u.fill.brush.type = SPICE_BRUSH_TYPE_SOLID;
	fill->u.fill.brush.u.color = 0x0000ff;
	fill->u.fill.rop_descriptor = SPICE_ROPD_OP_PUT;
	push(&q, qaddr(&q, fill));

	uint8_t *px = q.ram + OBJ + 0x10000;
	uint32_t *p = (uint32_t *)px;
	for (uint32_t y = 0; y < 32; y++)
		for (uint32_t x = 0; x < 64; x++)
			p[y * 64 + x] = ((x / 8 + y / 8) & 1) ? 0xffff00 : 0x00ff00;
	QXLImage *img = (QXLImage *)(q.ram + OBJ + 0x8000);
	bitmap(&q, img, px, 64, 32, 256 * 16 + 100);
	QXLDrawable *copy = drawable(&q, 2, QXL_DRAW_COPY, 100, 50, 164, 82);
	copy->u.copy.src_bitmap = qaddr(&q, img);
	copy->u.copy.src_area.right = 64;
	copy->u.copy.src_area.bottom = 32;
	copy->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
	push(&q, qaddr(&q, copy));

	QXLClipRects *none = (QXLClipRects *)(q.ram + OBJ + 0x7000);
	memset_(none, 0, sizeof(*none));
	QXLDrawable *clipped = drawable(&q, 6, QXL_DRAW_FILL, 0, 0, (int32_t)w, (int32_t)h);
	clipped->clip.type = SPICE_CLIP_TYPE_RECTS;
	clipped->clip.data = qaddr(&q, none);
	clipped->u.fill.brush.type = SPICE_BRUSH_TYPE_SOLID;
	clipped->u.fill.brush.u.color = 0xff0000;
	clipped->u.fill.rop_descriptor = SPICE_ROPD_OP_PUT;
	push(&q, qaddr(&q, clipped));

	push(&q, (uint64_t)5 << 56);	/* no such memory slot */
	QXLDrawable *bad = drawable(&q, 3, QXL_DRAW_COPY, 0, 0, 64, 64);
	bad->u.copy.src_bitmap = q.slot | 0xfffffff0u; /* past the slot's end */
	push(&q, qaddr(&q, bad));

	uint32_t n = wait_releases(&q, ids, 4);
	cursor(&q);
	n += wait_releases(&q, ids + n, 2);
	puts_("guest: released");
	for (uint32_t i = 0; i < n; i++) {
		puts_(" ");
		putu(ids[i]);
	}
	puts_("\nguest: qxl drawn\n");
}

static void test_redraw(unsigned slot, uint32_t w, uint32_t h, uint32_t frames)
{
	struct qdev q;
	uint32_t ids[1];

	qxl_setup(&q, slot, w, h);
	uint8_t *px = q.ram + OBJ + 0x10000;
	QXLImage *img = (QXLImage *)(q.ram + OBJ + 0x8000);
	for (uint32_t y = 0; y < h; y++)
		fill32((uint32_t *)px + y * w, bars[y * 8 / h], w);
	bitmap(&q, img, px, w, h, 0);
	for (uint32_t i = 0; i < frames; i++) {
		QXLDrawable *copy = drawable(&q, 1, QXL_DRAW_COPY, 0, 0, (int32_t)w, (int32_t)h);
		copy->u.copy.src_bitmap = qaddr(&q, img);
		copy->u.copy.src_area.right = (int32_t)w;
		copy->u.copy.src_area.bottom = (int32_t)h;
		push(&q, qaddr(&q, copy));
		if (wait_releases(&q, ids, 1) != 1) {
			puts_("guest: redraw stalled\n");
			return;
		}
	}
	puts_("guest: redraw done\n");
}

/*
 * ---- 60 Hz: the TSC, whose rate the CMOS clock gives (a second between
 * two ticks of its seconds register: a poll that comes late loses
 * nothing, unlike a wrapping PIT count) ----
 */
static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
static uint8_t rtc_seconds(void)
{
	outb(0x70, 0);
	return inb(0x71);
}
/* TSC ticks of the next whole second of the CMOS clock. */
static uint32_t tsc_per_second(void)
{
	uint8_t s = rtc_seconds();
	while (rtc_seconds() == s)
		;
	uint64_t t0 = rdtsc();
	s = rtc_seconds();
	while (rtc_seconds() == s)
		;
	return (uint32_t)(rdtsc() - t0); /* < 4.3 GHz */
}

/* Drains the release ring into @released (bit per drawable id 1..31). */
static void collect_releases(struct qdev *q, uint32_t *released)
{
	QXLReleaseRing *r = &q->hdr->release_ring;

	while (r->cons != r->prod) {
		uint64_t id = r->items[r->cons % QXL_RELEASE_RING_SIZE].el;
		r->cons++;
		for (unsigned n = 0; id && n < 32; n++) {
			*released |= 1u << (id & 31);
			id = ((QXLReleaseInfo *)(q->ram + OBJ + (uint32_t)id * 0x200))->next;
		}
	}
}

static void test_paced(unsigned slot, uint32_t w, uint32_t h, uint32_t frames)
{
	struct qdev q;
	QXLImage *img[2];
	uint32_t released = 1u << 1 | 1u << 2, late = 0;

	qxl_setup(&q, slot, w, h);
	for (unsigned k = 0; k < 2; k++) {
		uint8_t *px = q.ram + OBJ + 0x10000 + k * (w * h * 4 + 0x2000);
		img[k] = (QXLImage *)(q.ram + OBJ + 0x8000 + k * 0x1000);
		for (uint32_t y = 0; y < h; y++)
			fill32((uint32_t *)px + y * w, bars[(k ? 7 - y * 8 / h : y * 8 / h)], w);
		bitmap(&q, img[k], px, w, h, 0);
	}
	uint64_t period = tsc_per_second() / 60, due = rdtsc() + period;
	puts_("guest: paced start, TSC ticks per period ");
	putu((uint32_t)period);
	puts_("\n");
	for (uint32_t i = 0; i < frames; i++) {
		unsigned k = i & 1, id = 1 + k;
		while (rdtsc() < due)
			__asm__ volatile("pause");
		if (rdtsc() >= due + period) { /* a whole period behind */
			late++;
			due = rdtsc();
		}
		/* The drawable is reused: its last use must be released. */
		for (uint64_t t0 = rdtsc(); !(released & 1u << id);) {
			outb(q.io + QXL_IO_FLUSH_RELEASE, 0);
			collect_releases(&q, &released);
			if (rdtsc() - t0 > 60 * period) { /* a second */
				puts_("guest: paced stalled\n");
				return;
			}
		}
		released &= ~(1u << id);
		QXLDrawable *copy = drawable(&q, id, QXL_DRAW_COPY, 0, 0, (int32_t)w, (int32_t)h);
		copy->u.copy.src_bitmap = qaddr(&q, img[k]);
		copy->u.copy.src_area.right = (int32_t)w;
		copy->u.copy.src_area.bottom = (int32_t)h;
		push(&q, qaddr(&q, copy));
		collect_releases(&q, &released);
		due += period;
	}
	puts_("guest: paced done frames=");
	putu(frames);
	puts_(" late=");
	putu(late);
	puts_("\n");
}

void guest_main(const uint8_t *start_info);
void guest_main(const uint8_t *start_info)
{
	const char *cmd = (const char *)(uintptr_t)*(const uint32_t *)(start_info + 24);
	const char *rest;
	unsigned slot;

	if (!cmd) cmd = "lfb 640 480";
	slot = find_qxl();
	if (word(cmd, "lfb", &rest) || word(cmd, "idle", &rest)) {
		uint32_t w = number(&rest), h = number(&rest);
		test_lfb(slot, w, h, cmd[0] == 'i');
	} else if (word(cmd, "qxl", &rest)) {
		uint32_t w = number(&rest), h = number(&rest);
		test_qxl(slot, w, h);
	} else if (word(cmd, "redraw", &rest)) {
		uint32_t w = number(&rest), h = number(&rest);
		test_redraw(slot, w, h, number(&rest));
	} else if (word(cmd, "paced", &rest)) {
		uint32_t w = number(&rest), h = number(&rest);
		test_paced(slot, w, h, number(&rest));
	}
}
