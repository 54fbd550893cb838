/* SPDX-License-Identifier: GPL-2.0-only */
/* The PCI root bridge's _PRT AML: exact bytes, and a decode of a full table. */
#include "core/core.h"
#include "tests/harness.h"
#include "kvm/pci.h"

/* Decodes a PkgLength at @p; returns the bytes it took, sets *len (counts itself). */
static size_t read_pkg_len(const uint8_t *p, size_t *len)
{
	unsigned extra = p[0] >> 6;
	if (!extra) {
		*len = p[0] & 0x3f;
		return 1;
	}
	*len = p[0] & 0x0f;
	for (unsigned i = 0; i < extra; i++)
		*len |= (size_t)p[1 + i] << (4 + 8 * i);
	return 1 + extra;
}

static size_t read_int(const uint8_t *p, uint32_t *v)
{
	switch (p[0]) {
	case 0x00: case 0x01: *v = p[0]; return 1;
	case 0x0a: *v = p[1]; return 2;
	case 0x0b: *v = get_le16(p + 1); return 3;
	case 0x0c: *v = get_le32(p + 1); return 5;
	}
	test_fail(__FILE__, __LINE__, "not an integer opcode: 0x%02x", p[0]);
}

TEST(prt_one_device_exact_bytes)
{
	const struct pci_intx_route r = { .slot = 2, .pin = 0, .gsi = 11 };
	static const uint8_t want[] = {
		0x08, '_', 'P', 'R', 'T',		/* Name(_PRT, */
		0x12, 0x0e, 0x01,			/* Package(1) { */
		0x12, 0x0b, 0x04,			/*   Package(4) { */
		0x0c, 0xff, 0xff, 0x02, 0x00,		/*     0x0002FFFF, */
		0x00,					/*     Zero (INTA), */
		0x00,					/*     Zero (no link), */
		0x0a, 0x0b,				/*     11 } }) */
	};
	uint8_t aml[ACPI_PRT_MAX];
	size_t n = acpi_prt_aml(aml, &r, 1);

	CHECK_EQ(n, sizeof(want));
	for (size_t i = 0; i < sizeof(want); i++)
		CHECK_EQ(aml[i], want[i]);
}

TEST(prt_full_bus_decodes)
{
	struct pci_intx_route r[PCI_MAX_DEVICES];
	uint8_t aml[ACPI_PRT_MAX];

	for (unsigned i = 0; i < PCI_MAX_DEVICES; i++)
		r[i] = (struct pci_intx_route){ .slot = (uint8_t)i, .pin = (uint8_t)(i & 3),
						.gsi = i == 15 ? 300 : 16 + i % 8 };
	size_t n = acpi_prt_aml(aml, r, PCI_MAX_DEVICES), len, k;

	CHECK(n <= ACPI_PRT_MAX);
	CHECK(!memcmp(aml, "\x08_PRT\x12", 6));
	k = 6 + read_pkg_len(aml + 6, &len);
	CHECK(len > 0x3f);			/* the two-byte PkgLength */
	CHECK_EQ(6 + len, n);			/* the package ends the Name */
	CHECK_EQ(aml[k++], PCI_MAX_DEVICES);
	for (unsigned i = 0; i < PCI_MAX_DEVICES; i++) {
		uint32_t addr, pin, src, gsi;
		size_t start = k, elen;
		CHECK_EQ(aml[k++], 0x12);
		k += read_pkg_len(aml + k, &elen);
		CHECK_EQ(aml[k++], 4);
		k += read_int(aml + k, &addr);
		k += read_int(aml + k, &pin);
		k += read_int(aml + k, &src);
		k += read_int(aml + k, &gsi);
		CHECK_EQ(k, start + 1 + elen);
		CHECK_EQ(addr, i << 16 | 0xffff);
		CHECK_EQ(pin, i & 3);
		CHECK_EQ(src, 0);
		CHECK_EQ(gsi, r[i].gsi);
	}
	CHECK_EQ(k, n);
}

TEST(prt_empty_is_an_empty_package)
{
	uint8_t aml[ACPI_PRT_MAX];
	static const uint8_t want[] = { 0x08, '_', 'P', 'R', 'T', 0x12, 0x02, 0x00 };

	CHECK_EQ(acpi_prt_aml(aml, NULL, 0), sizeof(want));
	CHECK(!memcmp(aml, want, sizeof(want)));
}
