/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A QXL-compatible PCI display (Red Hat 1b36:0100, revision 4, VGA class)
 * laid out as QEMU's: BAR 0 RAM (driver memory, the RAM header with the
 * command, cursor and release rings at its end), BAR 1 VRAM (the boot
 * framebuffer at offset 0, then surfaces), BAR 2 ROM (QXLRom + modes),
 * BAR 3 the QXL_IO_* ports. BARs 0-2 are KVM memory slots (the ROM one
 * read-only), so the guest touches them without exits; only port writes
 * trap. Commands are applied at once, on the vCPU that notifies, and every
 * command is released, even a bad one, so the driver never waits.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kvm/qxl.h"

#define RAM_BAR_SIZE (64ULL << 20)
#define VRAM_BAR_SIZE (64ULL << 20)
#define ROM_BAR_SIZE 8192ULL
#define IO_BAR_SIZE 32
#define CMDS_PER_NOTIFY 4096	/* bounds one notify (ends a looping ring) */
#define RELEASE_CHAIN_MAX 64

void qxl_complain(struct qxl *q, enum qxl_complaint kind, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (q->complained[kind])
		return;
	q->complained[kind] = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("qxl: %s (ignored; reported once)", msg);
}

/* Guest-physical range to host memory: our BARs, else guest RAM. */
static void *gpa_ptr(struct qxl *q, uint64_t gpa, uint64_t len)
{
	for (unsigned b = 0; b <= QXL_VRAM_BAR; b++) {
		uint64_t base = q->pci.bar_addr[b];
		if (gpa >= base && gpa - base < q->size[b] &&
		    len <= q->size[b] - (gpa - base))
			return q->bar[b] + (gpa - base);
	}
	return gmem_ptr(&q->vm->mem, gpa, len);
}

void *qxl_ptr(struct qxl *q, QXLPHYSICAL addr, uint64_t len)
{
	unsigned id = (unsigned)(addr >> (64 - QXL_SLOT_ID_BITS));
	unsigned gen = (unsigned)(addr >> QXL_ADDR_BITS) & 0xff;
	uint64_t off = addr & ((1ULL << QXL_ADDR_BITS) - 1);

	if (id >= QXL_SLOTS || !q->slot[id].valid || gen != 0)
		return NULL;
	uint64_t span = q->slot[id].end - q->slot[id].start;
	if (off > span || len > span - off)
		return NULL;
	return gpa_ptr(q, q->slot[id].start + off, len);
}

/* ---- interrupts ---------------------------------------------------------- */

/* A 32-bit field of a packed, 4-aligned structure in shared memory. */
#define FIELD32(p, f) ((uint32_t *)(void *)((uint8_t *)(p) + offsetof(__typeof__(*(p)), f)))

static uint32_t *ram_u32(struct qxl *q, size_t off)
{
	return (uint32_t *)(void *)((uint8_t *)q->ram + off);
}

/*
 * The line is up while int_pending & int_mask. @pulse (the driver's
 * UPDATE_IRQ after its handler ran) drops it first, so a line the guest
 * set up as edge-triggered still sees a new edge for bits that came in
 * meanwhile.
 */
static void update_irq(struct qxl *q, bool pulse)
{
	uint32_t pending = __atomic_load_n(ram_u32(q, offsetof(QXLRam, int_pending)), __ATOMIC_SEQ_CST);
	uint32_t mask = __atomic_load_n(ram_u32(q, offsetof(QXLRam, int_mask)), __ATOMIC_SEQ_CST);
	bool level = (pending & mask) != 0;

	if (pulse && level && q->irq_level)
		pci_set_intx(q->vm, &q->pci, false);
	if (level != q->irq_level || pulse)
		pci_set_intx(q->vm, &q->pci, level);
	q->irq_level = level;
}

static void raise_irq(struct qxl *q, uint32_t bits)
{
	__atomic_fetch_or(ram_u32(q, offsetof(QXLRam, int_pending)), bits, __ATOMIC_SEQ_CST);
	update_irq(q, false);
}

/* ---- releases -------------------------------------------------------------- */

static void flush_releases(struct qxl *q)
{
	QXLReleaseRing *r = (QXLReleaseRing *)(void *)((uint8_t *)q->ram + offsetof(QXLRam, release_ring));
	uint32_t prod = r->prod, cons = r->cons;

	if (!q->rel_head)
		return;
	if (prod - cons >= QXL_RELEASE_RING_SIZE) {
		/* Full: the driver collects on the display interrupt. */
		raise_irq(q, QXL_INTERRUPT_DISPLAY);
		return;
	}
	memcpy((uint8_t *)r + offsetof(QXLReleaseRing, items) +
	       (prod % QXL_RELEASE_RING_SIZE) * sizeof(r->items[0]), &q->rel_head, 8);
	__atomic_store_n(FIELD32(r, prod), prod + 1, __ATOMIC_SEQ_CST);
	q->rel_head = 0;
	q->rel_tail = NULL;
	q->rel_count = 0;
	if (prod + 1 == __atomic_load_n(FIELD32(r, notify_on_prod), __ATOMIC_SEQ_CST))
		raise_irq(q, QXL_INTERRUPT_DISPLAY);
}

/*
 * Hands a command's resources back: its release id joins a chain (through
 * QXLReleaseInfo.next) whose head goes on the release ring.
 */
static void release(struct qxl *q, QXLPHYSICAL cmd)
{
	uint8_t *info = qxl_ptr(q, cmd, sizeof(QXLReleaseInfo));
	uint64_t id, zero = 0;

	if (!info)
		return;
	memcpy(&id, info, 8);
	memcpy(info, &zero, 8); /* .next of the chain's last */
	if (!q->rel_head)
		q->rel_head = id;
	else
		memcpy(q->rel_tail, &id, 8);
	q->rel_tail = info;
	if (++q->rel_count >= RELEASE_CHAIN_MAX)
		flush_releases(q);
}

/* ---- rings ------------------------------------------------------------------- */

/*
 * Next command of a ring (command or cursor: same layout), or false when
 * it is empty (then asks to be notified on the next push).
 */
static bool ring_pop(struct qxl *q, QXLCommandRing *r, QXLCommand *out)
{
	uint32_t cons = r->cons;
	uint32_t prod = __atomic_load_n(FIELD32(r, prod), __ATOMIC_SEQ_CST);

	if (cons == prod) {
		__atomic_store_n(FIELD32(r, notify_on_prod), prod + 1, __ATOMIC_SEQ_CST);
		prod = __atomic_load_n(FIELD32(r, prod), __ATOMIC_SEQ_CST);
		if (cons == prod)
			return false;
	}
	if (prod - cons > QXL_COMMAND_RING_SIZE) {
		qxl_complain(q, QXL_BAD_RING, "ring indices prod %u cons %u make no sense", prod, cons);
		r->cons = prod;
		return false;
	}
	memcpy(out, (uint8_t *)r + offsetof(QXLCommandRing, items) +
	       (cons % QXL_COMMAND_RING_SIZE) * sizeof(r->items[0]), sizeof(*out));
	__atomic_store_n(FIELD32(r, cons), cons + 1, __ATOMIC_SEQ_CST);
	if (cons + 1 == __atomic_load_n(FIELD32(r, notify_on_cons), __ATOMIC_SEQ_CST))
		raise_irq(q, QXL_INTERRUPT_DISPLAY);
	return true;
}

static void do_command(struct qxl *q, const QXLCommand *c)
{
	QXLDrawable dr;
	void *p;

	switch (c->type) {
	case QXL_CMD_DRAW:
		if (!(p = qxl_ptr(q, c->data, sizeof(dr)))) {
			qxl_complain(q, QXL_BAD_CMD_ADDR, "draw command at 0x%llx outside the memory slots",
				     (unsigned long long)c->data);
			return;
		}
		memcpy(&dr, p, sizeof(dr));
		qxl_draw(q, &dr);
		break;
	case QXL_CMD_UPDATE: case QXL_CMD_SURFACE: case QXL_CMD_MESSAGE:
		break;	/* nothing to do beyond releasing it */
	default:
		qxl_complain(q, QXL_BAD_CMD_TYPE, "unknown command type %u", c->type);
		break;
	}
	release(q, c->data);
}

static void process_commands(struct qxl *q)
{
	QXLCommand c;

	for (unsigned n = 0; n < CMDS_PER_NOTIFY && ring_pop(q, (QXLCommandRing *)(void *)((uint8_t *)q->ram + offsetof(QXLRam, cmd_ring)), &c); n++)
		do_command(q, &c);
	flush_releases(q);
}

/* A QXL_CURSOR_SET shape: 32-bit ARGB ("alpha") in its first data chunk. */
static void cursor_shape(struct qxl *q, QXLPHYSICAL at, uint16_t hot_x, uint16_t hot_y)
{
	static __thread uint32_t px[DISPLAY_CURSOR_MAX * DISPLAY_CURSOR_MAX];
	QXLCursor cur;
	const uint8_t *p = qxl_ptr(q, at, sizeof(cur));

	if (!p) {
		qxl_complain(q, QXL_BAD_CURSOR, "cursor shape at 0x%llx outside the memory slots",
			     (unsigned long long)at);
		return;
	}
	memcpy(&cur, p, sizeof(cur));
	unsigned w = cur.header.width, h = cur.header.height;
	uint64_t need = (uint64_t)w * h * 4;
	if (cur.header.type != SPICE_CURSOR_TYPE_ALPHA || !w || !h || w > DISPLAY_CURSOR_MAX ||
	    h > DISPLAY_CURSOR_MAX || cur.chunk.data_size < need ||
	    !(p = qxl_ptr(q, at + offsetof(QXLCursor, chunk) + sizeof(QXLDataChunk), need))) {
		qxl_complain(q, QXL_BAD_CURSOR, "cursor shape type %u %ux%u not supported",
			     cur.header.type, w, h);
		return;
	}
	memcpy(px, p, need);
	display_cursor_shape(q->disp, px, w, h, hot_x, hot_y);
}

static void do_cursor(struct qxl *q, const QXLCommand *c)
{
	QXLCursorCmd cmd;
	void *p = qxl_ptr(q, c->data, sizeof(cmd));

	if (c->type != QXL_CMD_CURSOR || !p) {
		qxl_complain(q, QXL_BAD_CURSOR, "cursor command type %u at 0x%llx", c->type,
			     (unsigned long long)c->data);
		if (p)
			release(q, c->data);
		return;
	}
	memcpy(&cmd, p, sizeof(cmd));
	if (cmd.type == QXL_CURSOR_SET) {
		QXLCursorHeader hdr;
		const void *hp = qxl_ptr(q, cmd.u.set.shape, sizeof(hdr));
		if (hp) {
			memcpy(&hdr, hp, sizeof(hdr));
			cursor_shape(q, cmd.u.set.shape, hdr.hot_spot_x, hdr.hot_spot_y);
		}
		q->cursor.visible = cmd.u.set.visible;
	} else if (cmd.type == QXL_CURSOR_HIDE) {
		q->cursor.visible = false;
	}
	if (cmd.type == QXL_CURSOR_SET || cmd.type == QXL_CURSOR_MOVE) {
		QXLPoint16 pos = cmd.type == QXL_CURSOR_SET ? cmd.u.set.position : cmd.u.position;
		q->cursor.x = pos.x;
		q->cursor.y = pos.y;
	}
	display_cursor_move(q->disp, q->cursor.x, q->cursor.y, q->cursor.visible);
	release(q, c->data);
}

static void process_cursor(struct qxl *q)
{
	QXLCommand c;

	for (unsigned n = 0; n < CMDS_PER_NOTIFY &&
	     ring_pop(q, (QXLCommandRing *)(void *)((uint8_t *)q->ram + offsetof(QXLRam, cursor_ring)), &c); n++)
		do_cursor(q, &c);
	flush_releases(q);
}

/* ---- surfaces, slots, monitors --------------------------------------------- */

static void create_primary(struct qxl *q)
{
	QXLSurfaceCreate c;
	uint32_t *px;

	memcpy(&c, (uint8_t *)q->ram + offsetof(QXLRam, create_surface), sizeof(c));
	if ((c.format != SPICE_SURFACE_FMT_32_xRGB && c.format != SPICE_SURFACE_FMT_32_ARGB) ||
	    !c.width || !c.height || c.width > GFX_MAX_DIM || c.height > GFX_MAX_DIM ||
	    c.stride < 0 || (uint32_t)c.stride < 4 * c.width || c.stride % 4) {
		qxl_complain(q, QXL_BAD_SURFACE, "primary surface %ux%u stride %d format %u not supported",
			     c.width, c.height, c.stride, c.format);
		return;
	}
	px = qxl_ptr(q, c.mem, (uint64_t)c.stride * c.height);
	if (!px || ((uintptr_t)px & 3)) {
		qxl_complain(q, QXL_BAD_SURFACE, "primary surface memory 0x%llx outside the memory slots",
			     (unsigned long long)c.mem);
		return;
	}
	q->primary = true;
	q->primary_w = c.width;
	q->primary_h = c.height;
	display_set_view(q->disp, px, c.width, c.height, (unsigned)c.stride, false);
	log_debug("qxl: primary surface %ux%u", c.width, c.height);
	/* Not the size we offer: tell the driver (it re-reads the ROM's config). */
	if (!q->monitors_sent && (c.width != q->disp->width || c.height != q->disp->height)) {
		q->monitors_sent = true;
		raise_irq(q, QXL_INTERRUPT_CLIENT_MONITORS_CONFIG);
	}
}

static void destroy_primary(struct qxl *q)
{
	if (q->primary)
		display_set_view(q->disp, NULL, 0, 0, 0, false);
	q->primary = false;
}

static void memslot_add(struct qxl *q, unsigned id)
{
	QXLMemSlot s;

	memcpy(&s, (uint8_t *)q->ram + offsetof(QXLRam, mem_slot), sizeof(s));
	if (id < q->rom->slots_start || id >= QXL_SLOTS || s.mem_end <= s.mem_start ||
	    !gpa_ptr(q, s.mem_start, s.mem_end - s.mem_start)) {
		qxl_complain(q, QXL_BAD_SLOT, "memory slot %u [0x%llx, 0x%llx) refused", id,
			     (unsigned long long)s.mem_start, (unsigned long long)s.mem_end);
		return;
	}
	q->slot[id].start = s.mem_start;
	q->slot[id].end = s.mem_end;
	q->slot[id].valid = true;
}

/* The RAM header as the device starts it (power-on and QXL_IO_RESET). */
static void reset(struct qxl *q)
{
	QXLRam *r = q->ram;

	memset(r, 0, sizeof(*r));
	r->magic = QXL_RAM_MAGIC;
	SPICE_RING_INIT(&r->cmd_ring);
	SPICE_RING_INIT(&r->cursor_ring);
	SPICE_RING_INIT(&r->release_ring);
	memset(q->slot, 0, sizeof(q->slot));
	q->rel_head = 0;
	q->rel_tail = NULL;
	q->rel_count = 0;
	destroy_primary(q);
	/* The driver owns the VRAM now: the boot framebuffer is gone. */
	if (q->disp->view_lfb)
		display_set_view(q->disp, NULL, 0, 0, 0, false);
	update_irq(q, false);
}

static void io_port(struct qxl *q, unsigned port, uint8_t val)
{
	bool async = false;

	switch (port) {
	case QXL_IO_NOTIFY_CMD: process_commands(q); break;
	case QXL_IO_NOTIFY_CURSOR: process_cursor(q); break;
	case QXL_IO_UPDATE_AREA_ASYNC: async = true; /* fall through */
	case QXL_IO_UPDATE_AREA: process_commands(q); break;
	case QXL_IO_UPDATE_IRQ: update_irq(q, true); break;
	case QXL_IO_NOTIFY_OOM:
		process_commands(q);
		process_cursor(q);
		break;
	case QXL_IO_FLUSH_RELEASE: flush_releases(q); break;
	case QXL_IO_RESET: reset(q); break;
	case QXL_IO_MEMSLOT_ADD_ASYNC: async = true; /* fall through */
	case QXL_IO_MEMSLOT_ADD: memslot_add(q, val); break;
	case QXL_IO_MEMSLOT_DEL:
		if (val < QXL_SLOTS)
			q->slot[val].valid = false;
		break;
	case QXL_IO_CREATE_PRIMARY_ASYNC: async = true; /* fall through */
	case QXL_IO_CREATE_PRIMARY: create_primary(q); break;
	case QXL_IO_DESTROY_PRIMARY_ASYNC: async = true; /* fall through */
	case QXL_IO_DESTROY_PRIMARY: destroy_primary(q); break;
	case QXL_IO_DESTROY_SURFACE_ASYNC: case QXL_IO_DESTROY_ALL_SURFACES_ASYNC:
	case QXL_IO_FLUSH_SURFACES_ASYNC: case QXL_IO_MONITORS_CONFIG_ASYNC:
		async = true;
		/* fall through */
	case QXL_IO_DESTROY_SURFACE_WAIT: case QXL_IO_DESTROY_ALL_SURFACES:
		process_commands(q);
		break;
	default: /* SET_MODE, LOG, ATTACH/DETACH_PRIMARY: nothing to do */
		break;
	}
	if (async)
		raise_irq(q, QXL_INTERRUPT_IO_CMD);
}

/* ---- PCI ------------------------------------------------------------------ */

static void bar_write(struct pci_device *d, unsigned bar, uint64_t off,
		      const uint8_t *data, unsigned size)
{
	struct qxl *q = container_of(d, struct qxl, pci);

	(void)size;
	if (bar == QXL_IO_BAR && off < QXL_IO_RANGE_SIZE)
		io_port(q, (unsigned)off, data[0]);
	/* writes to the read-only ROM slot land here too: ignored */
}

static void bar_read(struct pci_device *d, unsigned bar, uint64_t off,
		     uint8_t *data, unsigned size)
{
	(void)d; (void)bar; (void)off;
	memset(data, 0, size);
}

static int set_slot(struct qxl *q, unsigned bar, uint64_t addr)
{
	struct kvm_userspace_memory_region m = {
		.slot = DISPLAY_SLOT_FIRST + bar,
		.guest_phys_addr = addr,
		.memory_size = q->size[bar],
		.userspace_addr = (uintptr_t)q->bar[bar],
		.flags = bar == QXL_ROM_BAR ? KVM_MEM_READONLY
		       : bar == QXL_VRAM_BAR ? KVM_MEM_LOG_DIRTY_PAGES : 0,
	};
	return ioctl(q->vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &m) < 0 ? -errno : 0;
}

static void bar_moved(struct pci_device *d, unsigned bar, uint64_t addr)
{
	struct qxl *q = container_of(d, struct qxl, pci);
	int r;

	if (bar > QXL_ROM_BAR)
		return;
	if ((r = set_slot(q, bar, addr)) < 0)
		log_err("qxl: cannot map BAR %u at 0x%llx: %s", bar, (unsigned long long)addr, err_str(r));
	if (bar == QXL_VRAM_BAR) {
		pthread_mutex_lock(&q->disp->lock);
		q->disp->boot.addr = addr;
		pthread_mutex_unlock(&q->disp->lock);
	}
}

static const struct pci_device_ops qxl_ops = {
	.bar_read = bar_read,
	.bar_write = bar_write,
	.bar_moved = bar_moved,
};

/* CRC-32 (reflected, 0xedb88320, no pre/post inversion) as the driver checks it. */
static uint32_t monitors_crc(const uint8_t *p, size_t n)
{
	uint32_t c = 0;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (CLIENT_MONITORS_CONFIG_CRC32_POLY & (0u - (c & 1)));
	}
	return c;
}

static void build_rom(struct qxl *q)
{
	QXLRom *rom = q->rom;
	QXLModes *modes = (QXLModes *)(void *)(rom + 1);
	static const uint32_t sizes[][2] = { { 640, 480 }, { 800, 600 }, { 1024, 768 },
					     { 1280, 720 }, { 1280, 1024 }, { 1920, 1080 } };
	uint32_t ram_header_size = (uint32_t)((sizeof(QXLRam) + 4095) & ~4095UL);
	unsigned n = 0;

	q->ram_header_offset = (uint32_t)(RAM_BAR_SIZE - ram_header_size);
	rom->magic = QXL_ROM_MAGIC;
	rom->modes_offset = sizeof(QXLRom);
	rom->slots_start = 1;
	rom->slots_end = QXL_SLOTS - 1;
	rom->slot_id_bits = QXL_SLOT_ID_BITS;
	rom->slot_gen_bits = QXL_SLOT_GEN_BITS;
	rom->n_surfaces = 1024;
	rom->draw_area_offset = 0;
	/* The driver's "VRAM" pool is this area of BAR 0; the rest up to the header are pages. */
	rom->surface0_area_size = (uint32_t)(RAM_BAR_SIZE / 4 * 3);
	rom->pages_offset = rom->surface0_area_size;
	rom->num_pages = (q->ram_header_offset - rom->surface0_area_size) / 4096;
	rom->ram_header_offset = q->ram_header_offset;
	for (unsigned i = 0; i <= ARRAY_SIZE(sizes); i++) {
		uint32_t w = i < ARRAY_SIZE(sizes) ? sizes[i][0] : q->disp->width;
		uint32_t h = i < ARRAY_SIZE(sizes) ? sizes[i][1] : q->disp->height;
		if ((uint64_t)w * h * 4 > rom->surface0_area_size)
			continue;
		modes->modes[n] = (QXLMode){ .id = n, .x_res = w, .y_res = h, .bits = 32,
					     .stride = w * 4, .x_mili = w / 4, .y_mili = h / 4 };
		n++;
	}
	modes->n_modes = n;
	/* The host's size as the "client" monitor: the guest's preferred mode. */
	rom->client_present = 1;
	rom->client_monitors_config.count = 1;
	rom->client_monitors_config.heads[0] = (QXLURect){
		.top = 0, .left = 0, .bottom = q->disp->height, .right = q->disp->width };
	rom->client_monitors_config_crc = monitors_crc((const uint8_t *)&rom->client_monitors_config,
						       sizeof(rom->client_monitors_config));
}

static void *bar_mem(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int qxl_create(struct vm *vm, struct display *d, struct errmsg *err)
{
	struct qxl *q = calloc(1, sizeof(*q));
	int r;

	if (!q)
		return errmsg_set(err, -ENOMEM, "out of memory");
	q->vm = vm;
	q->disp = d;
	q->size[0] = RAM_BAR_SIZE;
	q->size[1] = VRAM_BAR_SIZE;
	q->size[2] = ROM_BAR_SIZE;
	for (unsigned b = 0; b < 3; b++)
		if (!(q->bar[b] = bar_mem(q->size[b])))
			return errmsg_set(err, -ENOMEM, "cannot map the display's memory");
	q->rom = (QXLRom *)(void *)q->bar[QXL_ROM_BAR];
	build_rom(q);
	q->ram = (QXLRam *)(void *)(q->bar[QXL_RAM_BAR] + q->ram_header_offset);
	d->qxl = q;
	d->lfb = q->bar[QXL_VRAM_BAR];
	d->lfb_slot = DISPLAY_SLOT_FIRST + QXL_VRAM_BAR;
	d->lfb_slot_size = VRAM_BAR_SIZE;
	reset(q);

	q->pci.ops = &qxl_ops;
	q->pci.bar_size[QXL_RAM_BAR] = RAM_BAR_SIZE;
	q->pci.bar_size[QXL_VRAM_BAR] = VRAM_BAR_SIZE;
	q->pci.bar_size[QXL_ROM_BAR] = ROM_BAR_SIZE;
	q->pci.bar_size[QXL_IO_BAR] = IO_BAR_SIZE;
	q->pci.bar_io[QXL_IO_BAR] = true;
	pci_intx_init(&q->pci, QXL_INTX_GSI);
	r = pci_register(vm, &q->pci, REDHAT_PCI_VENDOR_ID, QXL_DEVICE_ID_STABLE,
			 0x030000 /* display, VGA-compatible */, REDHAT_PCI_VENDOR_ID, 0x1100);
	if (r < 0)
		return errmsg_set(err, r, "cannot plug the display device: %s", err_str(r));
	q->pci.config[PCI_REVISION_ID] = QXL_REVISION_STABLE_V12;
	return 0;
}

bool qxl_tick(struct qxl *q)
{
	bool waiting;

	/* Busy: a vCPU is applying commands and flushes releases itself. */
	if (pthread_mutex_trylock(&q->pci.lock))
		return false;
	flush_releases(q);
	waiting = q->rel_head != 0;
	pthread_mutex_unlock(&q->pci.lock);
	return waiting;
}
