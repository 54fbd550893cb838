/* SPDX-License-Identifier: GPL-2.0-only */
#include <string.h>

#include "core/core.h"
#include "initramfs/initramfs.h"
#include "tests/harness.h"

static uint8_t head[0x8000 + 2048];

TEST(blkid_iso9660_label_and_uuid)
{
	struct blkid_info i;

	memset(head, 0, sizeof(head));
	uint8_t *pvd = head + 0x8000;
	pvd[0] = 1;
	memcpy(pvd + 1, "CD001", 5);
	memcpy(pvd + 40, "KVMBOX                          ", 32);
	memcpy(pvd + 813, "2026112313045600", 16);
	CHECK_EQ(blkid_probe_buf(head, sizeof(head), &i), 0);
	CHECK_STR(i.type, "iso9660");
	CHECK_STR(i.label, "KVMBOX");
	CHECK_STR(i.uuid, "2026-11-23-13-04-56-00");
	CHECK(blkid_spec_matches("LABEL=KVMBOX", "/dev/sr0", &i));
	CHECK(blkid_spec_matches("UUID=2026-11-23-13-04-56-00", "/dev/sr0", &i));
	CHECK(!blkid_spec_matches("LABEL=KVMBO", "/dev/sr0", &i));
	CHECK(blkid_spec_matches("/dev/sr0", "/dev/sr0", &i));
	/* Cut short: not an ISO. */
	CHECK(blkid_probe_buf(head, 0x8000 + 100, &i) < 0);
}

TEST(blkid_ext4_and_vfat)
{
	struct blkid_info i;

	memset(head, 0, sizeof(head));
	put_le16(head + 1024 + 56, 0xEF53);
	put_le32(head + 1024 + 96, 0x40);
	for (int k = 0; k < 16; k++)
		head[1024 + 104 + k] = (uint8_t)(0xa0 + k);
	memcpy(head + 1024 + 120, "KVMCACHE", 8);
	CHECK_EQ(blkid_probe_buf(head, 4096, &i), 0);
	CHECK_STR(i.type, "ext4");
	CHECK_STR(i.label, "KVMCACHE");
	CHECK_STR(i.uuid, "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
	CHECK(blkid_spec_matches("UUID=A0A1A2A3-A4A5-A6A7-A8A9-AAABACADAEAF", "/dev/sda1", &i));

	memset(head, 0, sizeof(head));
	put_le16(head + 11, 512);
	head[13] = 8;
	memcpy(head + 82, "FAT32   ", 8);
	put_le32(head + 67, 0x1234ABCD);
	memcpy(head + 71, "LABSTICK   ", 11);
	head[510] = 0x55, head[511] = 0xAA;
	CHECK_EQ(blkid_probe_buf(head, 512, &i), 0);
	CHECK_STR(i.type, "vfat");
	CHECK_STR(i.label, "LABSTICK");
	CHECK_STR(i.uuid, "1234-ABCD");
	/* An MBR is not a FAT: a bad sector size. */
	put_le16(head + 11, 500);
	CHECK(blkid_probe_buf(head, 512, &i) < 0);
	CHECK(!blkid_spec_matches("LABEL=", "/dev/sda", &i));
}

TEST(blkid_hostile_bytes_stay_printable)
{
	struct blkid_info i;
	uint64_t seed = 7;

	for (int round = 0; round < 200; round++) {
		for (size_t k = 0; k < sizeof(head); k++)
			head[k] = (uint8_t)test_rand(&seed);
		head[0x8000] = 1;
		memcpy(head + 0x8001, "CD001", 5);
		CHECK_EQ(blkid_probe_buf(head, sizeof(head), &i), 0);
		for (const char *c = i.label; *c; c++)
			CHECK(*c >= 0x20 && *c < 0x7f);
		CHECK(strlen(i.label) <= 32);
	}
}
