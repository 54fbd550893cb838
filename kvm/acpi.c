/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal ACPI at 0xE0000: RSDP -> XSDT -> FADT (PM1a ports for power-off,
 * the reset register) and MADT (one LAPIC per vCPU, the IOAPIC, the PC's
 * interrupt overrides), and a DSDT whose AML holds the \_S5 sleep type, the
 * PCI root bridge (with its _PRT: which GSI each device's INTx pin drives),
 * the pvpanic device and the PS/2 keyboard and mouse. Offsets are the ACPI 6
 * tables'.
 */
#include <string.h>

#include "kvm/pci.h"

#define HDR_LEN 36
#define FADT_LEN 276
#define FADT_FLAG_WBINVD (1u << 0)
#define FADT_FLAG_SLP_BUTTON (1u << 5)
#define FADT_FLAG_RESET_REG_SUP (1u << 10)
#define BOOT_ARCH_LEGACY_DEVICES (1u << 0)
#define BOOT_ARCH_8042 (1u << 1)
#define GAS_SYSTEM_IO 1

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

static void header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put_le32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "KVMBOX", 6);
	memcpy(t + 16, "KVMBOXVM", 8);
	put_le32(t + 24, 1);
	memcpy(t + 28, "KVMB", 4);
	put_le32(t + 32, 1);
	t[9] = checksum(t, len);
}

/* Generic Address Structure: an I/O port register. */
static void gas_io(uint8_t *g, uint8_t bits, uint8_t access, uint16_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = bits;
	g[2] = 0;
	g[3] = access;
	put_le64(g + 4, port);
}

/* AML PkgLength for a body of @len bytes (the encoding counts itself). */
static size_t pkg_len(uint8_t *out, size_t len)
{
	if (len + 1 < 0x40) {
		out[0] = (uint8_t)(len + 1);
		return 1;
	}
	len += 2;
	out[0] = (uint8_t)(0x40 | (len & 0xf));
	out[1] = (uint8_t)(len >> 4);
	return 2;
}

/* Appends Device(NAME) { body } to @aml. */
static size_t aml_device(uint8_t *aml, const char name[4], const uint8_t *body,
			 size_t body_len)
{
	size_t n = 0;

	aml[n++] = 0x5b; /* ExtOpPrefix */
	aml[n++] = 0x82; /* DeviceOp */
	n += pkg_len(aml + n, 4 + body_len);
	memcpy(aml + n, name, 4);
	memcpy(aml + n + 4, body, body_len);
	return n + 4 + body_len;
}

/* An AML integer in its shortest encoding (Zero, One, Byte/Word/DWordConst). */
static size_t aml_int(uint8_t *aml, uint32_t v)
{
	if (v <= 1) {
		aml[0] = (uint8_t)v; /* ZeroOp, OneOp */
		return 1;
	}
	unsigned w = v <= 0xff ? 1 : v <= 0xffff ? 2 : 4;
	aml[0] = w == 1 ? 0x0a : w == 2 ? 0x0b : 0x0c;
	for (unsigned b = 0; b < w; b++)
		aml[1 + b] = (uint8_t)(v >> (8 * b));
	return 1 + w;
}

/* Package(count) { body }: PackageOp, PkgLength, NumElements, elements. */
static size_t aml_package(uint8_t *aml, unsigned count, const uint8_t *body,
			  size_t body_len)
{
	size_t n = 0;

	aml[n++] = 0x12; /* PackageOp */
	n += pkg_len(aml + n, 1 + body_len);
	aml[n++] = (uint8_t)count;
	memmove(aml + n, body, body_len);
	return n + body_len;
}

/*
 * Linux reads a hard-wired _PRT entry (Source = 0) as a level-triggered,
 * active-low GSI; KVM's IOAPIC delivers by line level whatever the
 * polarity, so pci_set_intx's "asserted = 1" still means asserted.
 */
size_t acpi_prt_aml(uint8_t *aml, const struct pci_intx_route *r, unsigned n)
{
	uint8_t entries[PCI_MAX_DEVICES * 16], entry[16];
	size_t len = 0, k = 0;

	if (n > PCI_MAX_DEVICES)
		n = PCI_MAX_DEVICES;
	for (unsigned i = 0; i < n; i++) {
		size_t e = 0;
		e += aml_int(entry + e, (uint32_t)r[i].slot << 16 | 0xffff); /* any function */
		e += aml_int(entry + e, r[i].pin & 3);
		entry[e++] = 0x00; /* Source: none, the GSI below is wired directly */
		e += aml_int(entry + e, r[i].gsi);
		len += aml_package(entries + len, 4, entry, e);
	}
	memcpy(aml, "\x08_PRT", 5); /* NameOp */
	k = 5;
	return k + aml_package(aml + k, n, entries, len);
}

/* Word (bus, I/O) or DWord (memory) address space descriptor, producer. */
static size_t res_addr(uint8_t *d, bool dword, uint8_t type, uint8_t tflags,
		       uint32_t min, uint32_t max)
{
	unsigned w = dword ? 4 : 2;
	size_t n = 0;
	uint8_t *f;

	d[n++] = dword ? 0x87 : 0x88;
	put_le16(d + n, (uint16_t)(3 + 5 * w));
	n += 2;
	d[n++] = type;
	d[n++] = 0x0c; /* MinFixed, MaxFixed, positive decode, producer */
	d[n++] = tflags;
	f = d + n;
	/* granularity, min, max, translation, length */
	uint32_t v[5] = { 0, min, max, 0, max - min + 1 };
	for (unsigned i = 0; i < 5; i++)
		for (unsigned b = 0; b < w; b++)
			f[i * w + b] = (uint8_t)(v[i] >> (8 * b));
	return n + 5 * w;
}

/* Name(_CRS, ResourceTemplate() { bus 0-255, I/O around 0xCF8, the MMIO window }) */
static size_t pci_crs(uint8_t *aml)
{
	uint8_t res[128];
	size_t n = 0, k = 0;

	n += res_addr(res + n, false, 2, 0, 0, 0xff);
	n += res_addr(res + n, false, 1, 3, 0, 0x0cf7);
	n += res_addr(res + n, false, 1, 3, 0x0d00, 0xffff);
	n += res_addr(res + n, true, 0, 1, (uint32_t)PCI_MMIO_START, (uint32_t)(PCI_MMIO_END - 1));
	res[n++] = 0x79; /* end tag */
	res[n++] = 0x00;
	memcpy(aml, "\x08_CRS\x11", 6);
	k = 6;
	k += pkg_len(aml + k, 2 + n);
	aml[k++] = 0x0a; /* BytePrefix: buffer size */
	aml[k++] = (uint8_t)n;
	memcpy(aml + k, res, n);
	return k + n;
}

static size_t build_dsdt_aml(struct vm *vm, uint8_t *aml)
{
	static const uint8_t s5[] = { /* Name(_S5, Package(4) {5, 0, 0, 0}) */
		0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04,
		0x0a, ACPI_S5_TYPE, 0x00, 0x00, 0x00,
	};
	static const uint8_t pci0[] = {
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03, /* PNP0A03 */
		0x08, '_', 'A', 'D', 'R', 0x00,
		0x08, '_', 'U', 'I', 'D', 0x00,
		0x08, '_', 'B', 'B', 'N', 0x00,
	};
	static const uint8_t pvpanic[] = {
		0x08, '_', 'H', 'I', 'D', 0x0d, 'Q', 'E', 'M', 'U', '0', '0', '0', '1', 0x00,
		/* Name(_CRS, ResourceTemplate() { IO(Decode16, 0x505, 0x505, 1, 1) }) */
		0x08, '_', 'C', 'R', 'S', 0x11, 0x0d, 0x0a, 0x0a,
		0x47, 0x01, PVPANIC_PORT & 0xff, PVPANIC_PORT >> 8,
		PVPANIC_PORT & 0xff, PVPANIC_PORT >> 8, 0x01, 0x01, 0x79, 0x00,
	};
	/* The i8042 (kvm/i8042.c): keyboard at 0x60/0x64 on IRQ 1, mouse on IRQ 12. */
	static const uint8_t ps2_kbd[] = {
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x03, 0x03, /* PNP0303 */
		/* Name(_CRS, ResourceTemplate() { IO 0x60, IO 0x64, IRQNoFlags() {1} }) */
		0x08, '_', 'C', 'R', 'S', 0x11, 0x18, 0x0a, 0x15,
		0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01,
		0x47, 0x01, 0x64, 0x00, 0x64, 0x00, 0x01, 0x01,
		0x22, 0x02, 0x00, 0x79, 0x00,
	};
	static const uint8_t ps2_mouse[] = {
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0f, 0x13, /* PNP0F13 */
		/* Name(_CRS, ResourceTemplate() { IRQNoFlags() {12} }) */
		0x08, '_', 'C', 'R', 'S', 0x11, 0x08, 0x0a, 0x05,
		0x22, 0x00, 0x10, 0x79, 0x00,
	};
	size_t n = 0;

	memcpy(aml, s5, sizeof(s5));
	n += sizeof(s5);
	struct pci_intx_route routes[PCI_MAX_DEVICES];
	unsigned nroutes = pci_intx_routes(vm, routes, PCI_MAX_DEVICES);
	uint8_t pci_body[256 + ACPI_PRT_MAX];
	memcpy(pci_body, pci0, sizeof(pci0));
	size_t pci_len = sizeof(pci0) + pci_crs(pci_body + sizeof(pci0));
	pci_len += acpi_prt_aml(pci_body + pci_len, routes, nroutes);
	n += aml_device(aml + n, "PCI0", pci_body, pci_len);
	n += aml_device(aml + n, "PEVT", pvpanic, sizeof(pvpanic));
	n += aml_device(aml + n, "PS2K", ps2_kbd, sizeof(ps2_kbd));
	n += aml_device(aml + n, "PS2M", ps2_mouse, sizeof(ps2_mouse));
	return n;
}

static uint32_t build_dsdt(struct vm *vm, uint8_t *t)
{
	uint32_t len = (uint32_t)(HDR_LEN + build_dsdt_aml(vm, t + HDR_LEN));
	header(t, "DSDT", len, 2);
	return len;
}

static uint32_t build_fadt(uint8_t *t, uint64_t dsdt)
{
	memset(t, 0, FADT_LEN);
	put_le32(t + 40, (uint32_t)dsdt);
	put_le16(t + 46, ACPI_SCI_IRQ);
	put_le32(t + 56, PM1A_EVT_PORT);
	put_le32(t + 64, PM1A_CNT_PORT);
	t[88] = 4; /* PM1_EVT_LEN */
	t[89] = 2; /* PM1_CNT_LEN */
	/* The i8042 is there (also described in the DSDT for PnP). */
	put_le16(t + 109, BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_8042);
	/* A fixed-feature power button (PWR_BUTTON clear): how the host asks. */
	put_le32(t + 112, FADT_FLAG_WBINVD | FADT_FLAG_SLP_BUTTON |
			  FADT_FLAG_RESET_REG_SUP);
	gas_io(t + 116, 8, 1, ACPI_RESET_PORT);
	t[128] = ACPI_RESET_VALUE;
	t[131] = 0; /* minor version */
	put_le64(t + 140, dsdt);
	gas_io(t + 148, 32, 3, PM1A_EVT_PORT);
	gas_io(t + 172, 16, 2, PM1A_CNT_PORT);
	memcpy(t + 268, "KVMBOXVM", 8);
	header(t, "FACP", FADT_LEN, 6);
	return FADT_LEN;
}

static uint32_t build_madt(uint8_t *t, unsigned ncpus)
{
	uint32_t n = HDR_LEN;

	put_le32(t + n, LAPIC_ADDR);
	put_le32(t + n + 4, 1); /* PCAT_COMPAT: there are 8259s too */
	n += 8;
	for (unsigned i = 0; i < ncpus; i++, n += 8) {
		uint8_t *e = t + n;
		e[0] = 0; e[1] = 8; e[2] = (uint8_t)i; e[3] = (uint8_t)i;
		put_le32(e + 4, 1); /* enabled */
	}
	uint8_t *io = t + n;
	io[0] = 1; io[1] = 12; io[2] = 0; io[3] = 0;
	put_le32(io + 4, IOAPIC_ADDR);
	put_le32(io + 8, 0);
	n += 12;
	/* ISA IRQ 0 is GSI 2; the SCI is level-triggered, active high. */
	static const struct { uint8_t irq; uint32_t gsi; uint16_t flags; } ovr[] = {
		{ 0, 2, 0 }, { ACPI_SCI_IRQ, ACPI_SCI_IRQ, 0xd },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ovr); i++, n += 10) {
		uint8_t *e = t + n;
		e[0] = 2; e[1] = 10; e[2] = 0; e[3] = ovr[i].irq;
		put_le32(e + 4, ovr[i].gsi);
		put_le16(e + 8, ovr[i].flags);
	}
	uint8_t *nmi = t + n; /* LINT1 of every CPU is NMI */
	nmi[0] = 4; nmi[1] = 6; nmi[2] = 0xff;
	put_le16(nmi + 3, 0);
	nmi[5] = 1;
	n += 6;
	header(t, "APIC", n, 5);
	return n;
}

uint64_t acpi_build(struct vm *vm)
{
	uint64_t base = ACPI_TABLES_ADDR;
	uint8_t *p = gmem_ptr(&vm->mem, base, ACPI_TABLES_END - base);
	uint64_t rsdp = base, xsdt = base + 64, fadt = base + 128;
	uint64_t madt = fadt + 512, dsdt = madt + 1024;

	memset(p, 0, ACPI_TABLES_END - base);
	build_dsdt(vm, p + (dsdt - base));
	build_fadt(p + (fadt - base), dsdt);
	build_madt(p + (madt - base), vm->ncpus);

	uint8_t *x = p + (xsdt - base);
	put_le64(x + HDR_LEN, fadt);
	put_le64(x + HDR_LEN + 8, madt);
	header(x, "XSDT", HDR_LEN + 16, 1);

	uint8_t *r = p;
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "KVMBOX", 6);
	r[15] = 2; /* ACPI 2.0+: XSDT */
	put_le32(r + 20, 36);
	put_le64(r + 24, xsdt);
	r[8] = checksum(r, 20);
	r[32] = checksum(r, 36);
	return rsdp;
}
