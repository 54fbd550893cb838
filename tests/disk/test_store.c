/* SPDX-License-Identifier: GPL-2.0-only */
/* The image store: verified atomic installs, lookups, GC to a budget. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "disk/disk.h"
#include "tests/harness.h"

/* Writes @len bytes of pattern @seed to @path; returns their digest. */
static void make_file(const char *path, size_t len, uint8_t seed,
		      uint8_t digest[32])
{
	uint8_t *p = malloc(len + 1);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(p && fd >= 0);
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
	CHECK_EQ(write_full(fd, p, len), 0);
	close(fd);
	sha256(p, len, digest);
	free(p);
}

static void set_mtime(const char *path, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };
	CHECK_EQ(utimensat(AT_FDCWD, path, ts, 0), 0);
}

TEST(store_layout_and_install)
{
	struct disk_store *s;
	struct errmsg err = { "" };
	char dir[512], path[600], tmp[600];
	uint8_t d[32];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/cache", test_tmpdir());
	CHECK_EQ(disk_store_open(dir, &s, &err), 0);
	snprintf(path, sizeof(path), "%s/images", dir);
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	snprintf(tmp, sizeof(tmp), "%s/tmp/dl", dir);
	make_file(tmp, 100000, 3, d);
	CHECK_EQ(disk_store_path(s, d, path, sizeof(path)), -ENOENT);
	CHECK_EQ(disk_store_install(s, tmp, d, &err), 0);
	CHECK(access(tmp, F_OK) < 0); /* renamed, not copied */
	CHECK_EQ(disk_store_path(s, d, path, sizeof(path)), 0);
	char hex[65], want[700];
	format_hex(d, 32, hex);
	snprintf(want, sizeof(want), "%s/images/%s", dir, hex);
	CHECK_STR(path, want);
	CHECK(stat(path, &st) == 0 && st.st_size == 100000);
	CHECK_EQ(st.st_mode & 0222, 0); /* read-only */
	CHECK_EQ(disk_store_path(s, d, path, 10), -ENAMETOOLONG);
	disk_store_close(s);
}

TEST(store_rejects_wrong_digest)
{
	struct disk_store *s;
	struct errmsg err = { "" };
	char dir[512], path[600], tmp[600];
	uint8_t d[32];

	snprintf(dir, sizeof(dir), "%s/c", test_tmpdir());
	CHECK_EQ(disk_store_open(dir, &s, &err), 0);
	snprintf(tmp, sizeof(tmp), "%s/tmp/dl", dir);
	make_file(tmp, 5000, 1, d);
	d[31] ^= 1;
	CHECK_EQ(disk_store_install(s, tmp, d, &err), -EBADMSG);
	CHECK(strstr(err.msg, "SHA-256") != NULL);
	CHECK(access(tmp, F_OK) == 0);
	CHECK_EQ(disk_store_path(s, d, path, sizeof(path)), -ENOENT);
	disk_store_close(s);
}

/* A file from elsewhere (maybe another file system) is copied in. */
TEST(store_install_copies_foreign_file)
{
	struct disk_store *s;
	struct errmsg err = { "" };
	char dir[512], path[600], src[600];
	uint8_t d[32];

	snprintf(dir, sizeof(dir), "%s/c", test_tmpdir());
	CHECK_EQ(disk_store_open(dir, &s, &err), 0);
	/* /dev/shm is a tmpfs: a different device from most tmpdirs. */
	snprintf(src, sizeof(src), "/dev/shm/kvmbox-store-%d", (int)getpid());
	if (access("/dev/shm", W_OK) < 0)
		snprintf(src, sizeof(src), "%s/src", test_tmpdir());
	make_file(src, 3 << 20, 9, d);
	CHECK_EQ(disk_store_install(s, src, d, &err), 0);
	CHECK_EQ(disk_store_path(s, d, path, sizeof(path)), 0);
	uint8_t again[32];
	struct buf b;
	buf_init(&b);
	CHECK_EQ(read_file(path, 8 << 20, &b), 0);
	sha256(b.data, b.len, again);
	CHECK_MEM(again, d, 32);
	buf_free(&b);
	unlink(src);
	disk_store_close(s);
}

TEST(store_gc_budget_keep_and_in_use)
{
	struct disk_store *s;
	struct errmsg err = { "" };
	char dir[512], tmp[600], p[4][600];
	uint8_t d[4][32];

	snprintf(dir, sizeof(dir), "%s/c", test_tmpdir());
	CHECK_EQ(disk_store_open(dir, &s, &err), 0);
	for (int i = 0; i < 4; i++) {
		snprintf(tmp, sizeof(tmp), "%s/tmp/dl%d", dir, i);
		make_file(tmp, 1 << 20, (uint8_t)i, d[i]);
		CHECK_EQ(disk_store_install(s, tmp, d[i], &err), 0);
		CHECK_EQ(disk_store_path(s, d[i], p[i], sizeof(p[i])), 0);
		set_mtime(p[i], 1000000 + i); /* 0 is the oldest */
	}
	/* 0 is kept, 1 is open through a backend: 2 goes first, then 3. */
	struct blockdev *bd;
	CHECK_EQ(disk_open_raw(p[1], true, &bd, &err), 0);
	CHECK_EQ(disk_store_gc(s, 3u << 20, (const uint8_t(*)[32])d[0], 1, &err), 0);
	CHECK(access(p[0], F_OK) == 0);
	CHECK(access(p[1], F_OK) == 0);
	CHECK(access(p[2], F_OK) < 0);
	CHECK(access(p[3], F_OK) == 0);
	/* Budget below what is kept and in use: says so, removes the rest. */
	CHECK_EQ(disk_store_gc(s, 1, (const uint8_t(*)[32])d[0], 1, &err), -ENOSPC);
	CHECK(strstr(err.msg, "budget") != NULL);
	CHECK(access(p[0], F_OK) == 0 && access(p[1], F_OK) == 0);
	CHECK(access(p[3], F_OK) < 0);
	bd->ops->close(bd);
	CHECK_EQ(disk_store_gc(s, 0, NULL, 0, &err), 0);
	CHECK(access(p[0], F_OK) < 0 && access(p[1], F_OK) < 0);
	disk_store_close(s);
}

TEST(store_gc_removes_stale_downloads_only)
{
	struct disk_store *s;
	struct errmsg err = { "" };
	char dir[512], old[600], fresh[600];
	uint8_t d[32];

	snprintf(dir, sizeof(dir), "%s/c", test_tmpdir());
	CHECK_EQ(disk_store_open(dir, &s, &err), 0);
	snprintf(old, sizeof(old), "%s/tmp/old", dir);
	snprintf(fresh, sizeof(fresh), "%s/tmp/fresh", dir);
	make_file(old, 10, 0, d);
	make_file(fresh, 10, 0, d);
	set_mtime(old, time(NULL) - 3 * 86400);
	CHECK_EQ(disk_store_gc(s, UINT64_MAX, NULL, 0, &err), 0);
	CHECK(access(old, F_OK) < 0);
	CHECK(access(fresh, F_OK) == 0);
	disk_store_close(s);
}

TEST(store_open_errors_name_the_folder)
{
	struct disk_store *s;
	struct errmsg err = { "" };
	char file[600], dir[700];

	snprintf(file, sizeof(file), "%s/plain", test_tmpdir());
	make_file(file, 1, 0, (uint8_t[32]){ 0 });
	snprintf(dir, sizeof(dir), "%s/sub", file);
	CHECK(disk_store_open(dir, &s, &err) < 0);
	CHECK(strstr(err.msg, "plain/sub") != NULL);
}
