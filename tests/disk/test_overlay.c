/* SPDX-License-Identifier: GPL-2.0-only */
/* The COW overlay against a plain in-memory model; crashes; bad files. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tests/disk/disk_test_util.h"

#define BASE_SIZE (1024 * 1024 + 3 * 512) /* the last cluster is partial */

static uint8_t *make_base(const char *path, size_t size, uint64_t seed)
{
	uint8_t *p = malloc(size);
	CHECK(p);
	fill_mixed(p, size, seed);
	write_whole(path, p, size);
	return p;
}

static int open_ovl(const char *base, const char *ovl, uint32_t cs,
		    struct blockdev **out, struct errmsg *err)
{
	struct blockdev *b;
	int r = disk_open_image(base, true, &b, err);
	if (r < 0)
		return r;
	return disk_overlay_open(b, base, ovl, test_tmpdir(), cs, out, err);
}

/* Random reads, writes, flushes; every read must equal the model. */
static void run_model(struct blockdev *d, uint8_t *model, size_t size,
		      uint64_t seed, int ops)
{
	uint8_t *buf = malloc(256 * 1024);
	uint64_t st = seed;

	CHECK(buf);
	for (int i = 0; i < ops; i++) {
		uint64_t kind = test_rand(&st) % 10;
		size_t len = 1 + test_rand(&st) % (kind < 2 ? 256 * 1024 : 9000);
		if (test_rand(&st) % 2)
			len = (len + 511) & ~(size_t)511;
		len = MIN(len, size);
		uint64_t off = test_rand(&st) % (size - len + 1);
		if (kind < 5) {
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)test_rand(&st);
			CHECK_EQ(dev_write3(d, buf, len, off), 0);
			memcpy(model + off, buf, len);
		} else if (kind < 9) {
			CHECK_EQ(dev_read(d, buf, len, off), 0);
			CHECK_MEM(buf, model + off, len);
		} else {
			CHECK_EQ(d->ops->flush(d), 0);
		}
	}
	free(buf);
}

static void check_whole(struct blockdev *d, const uint8_t *model, size_t size)
{
	uint8_t *buf = malloc(size);
	CHECK(buf);
	CHECK_EQ(dev_read(d, buf, size, 0), 0);
	CHECK_MEM(buf, model, size);
	free(buf);
}

static void model_test(uint32_t cs, bool persistent)
{
	struct errmsg err = { "" };
	struct blockdev *d;
	char base[512], ovl[512];
	uint8_t *model, *orig;

	snprintf(base, sizeof(base), "%s/base.img", test_tmpdir());
	snprintf(ovl, sizeof(ovl), "%s/delta.ovl", test_tmpdir());
	model = make_base(base, BASE_SIZE, cs);
	orig = malloc(BASE_SIZE);
	memcpy(orig, model, BASE_SIZE);
	if (open_ovl(base, persistent ? ovl : NULL, cs, &d, &err) < 0)
		test_fail(__FILE__, __LINE__, "%s", err.msg);
	CHECK_EQ(d->size, BASE_SIZE);
	CHECK(!d->read_only);
	run_model(d, model, BASE_SIZE, 42 + cs, 3000);
	check_whole(d, model, BASE_SIZE);
	d->ops->close(d);
	/* The base is never written. */
	struct buf b;
	buf_init(&b);
	CHECK_EQ(read_file(base, 4 << 20, &b), 0);
	CHECK_MEM(b.data, orig, BASE_SIZE);
	buf_free(&b);
	if (persistent) { /* everything comes back after a reopen */
		CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), 0);
		check_whole(d, model, BASE_SIZE);
		run_model(d, model, BASE_SIZE, 7, 500);
		d->ops->close(d);
		CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), 0);
		check_whole(d, model, BASE_SIZE);
		d->ops->close(d);
		struct disk_overlay_info info;
		CHECK_EQ(disk_overlay_inspect(ovl, &info, &err), 0);
		CHECK_EQ(info.cluster_size, cs);
		CHECK_STR(info.base_name, "base.img");
		CHECK(info.allocated_clusters > 0);
	}
	free(model);
	free(orig);
}

TEST(overlay_volatile_matches_model_64k) { model_test(65536, false); }
TEST(overlay_volatile_matches_model_4k) { model_test(4096, false); }
TEST(overlay_persistent_matches_model_64k) { model_test(65536, true); }
TEST(overlay_persistent_matches_model_1m) { model_test(1 << 20, true); }

TEST(overlay_volatile_leaves_no_file)
{
	struct errmsg err = { "" };
	struct blockdev *d;
	char base[512], dir[512];
	uint8_t x[4096] = { 1 };

	snprintf(base, sizeof(base), "%s/base.img", test_tmpdir());
	snprintf(dir, sizeof(dir), "%s/run", test_tmpdir());
	free(make_base(base, 65536, 1));
	CHECK_EQ(mkdir(dir, 0755), 0);
	struct blockdev *b;
	CHECK_EQ(disk_open_raw(base, true, &b, &err), 0);
	CHECK_EQ(disk_overlay_open(b, base, NULL, dir, 0, &d, &err), 0);
	CHECK_EQ(dev_write3(d, x, sizeof(x), 0), 0);
	DIR *dp = opendir(dir);
	int names = 0;
	for (struct dirent *e; dp && (e = readdir(dp));)
		names += e->d_name[0] != '.';
	closedir(dp);
	CHECK_EQ(names, 0); /* the overlay has no name: gone even after a crash */
	d->ops->close(d);
	CHECK_EQ(rmdir(dir), 0);
}

TEST(overlay_refuses_a_different_base)
{
	struct errmsg err = { "" };
	struct blockdev *d;
	char base[512], ovl[512], other[512];
	uint8_t x[512] = { 9 };

	snprintf(base, sizeof(base), "%s/debian-12.img", test_tmpdir());
	snprintf(other, sizeof(other), "%s/short.img", test_tmpdir());
	snprintf(ovl, sizeof(ovl), "%s/delta.ovl", test_tmpdir());
	uint8_t *p = make_base(base, 256 * 1024, 5);
	CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), 0);
	CHECK_EQ(dev_write3(d, x, sizeof(x), 4096), 0);
	d->ops->close(d);
	p[100000] ^= 1; /* the admin updated the image */
	write_whole(base, p, 256 * 1024);
	CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), -ESTALE);
	CHECK(strstr(err.msg, "debian-12.img") && strstr(err.msg, "sha256"));
	write_whole(other, p, 128 * 1024);
	CHECK_EQ(open_ovl(other, ovl, 0, &d, &err), -EINVAL);
	CHECK(strstr(err.msg, "KiB disk") && strstr(err.msg, "131072 bytes"));
	free(p);
}

TEST(overlay_damaged_files_are_refused)
{
	struct errmsg err = { "" };
	struct blockdev *d;
	char base[512], ovl[512];
	uint8_t x[65536];
	struct stat st;

	snprintf(base, sizeof(base), "%s/base.img", test_tmpdir());
	snprintf(ovl, sizeof(ovl), "%s/delta.ovl", test_tmpdir());
	free(make_base(base, 1 << 20, 3));
	memset(x, 0x5a, sizeof(x));
	CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), 0);
	CHECK_EQ(dev_write3(d, x, sizeof(x), 0), 0);
	CHECK_EQ(dev_write3(d, x, sizeof(x), 65536 * 3), 0);
	d->ops->close(d);
	int fd = open(ovl, O_RDWR);
	CHECK(fd >= 0);
	uint8_t e[8];
	/* An entry turned to garbage (a torn or rotten map) is detected. */
	CHECK_EQ(pread(fd, e, 8, 4096 + 8 * 3), 8);
	e[6] ^= 0x40;
	CHECK_EQ(pwrite(fd, e, 8, 4096 + 8 * 3), 8);
	CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), -EINVAL);
	CHECK(strstr(err.msg, "entry 3 is damaged") != NULL);
	e[6] ^= 0x40;
	CHECK_EQ(pwrite(fd, e, 8, 4096 + 8 * 3), 8);
	/* A header bit flip. */
	CHECK_EQ(pread(fd, e, 1, 20), 1);
	e[0] ^= 1;
	CHECK_EQ(pwrite(fd, e, 1, 20), 1);
	CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), -EINVAL);
	CHECK(strstr(err.msg, "header checksum") != NULL);
	e[0] ^= 1;
	CHECK_EQ(pwrite(fd, e, 1, 20), 1);
	/* Truncated data area: an entry points past the end. */
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(ftruncate(fd, st.st_size - 65536), 0);
	CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), -EINVAL);
	CHECK(strstr(err.msg, "past the end") != NULL);
	CHECK_EQ(ftruncate(fd, 100), 0);
	CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), -EINVAL);
	CHECK(strstr(err.msg, "delta.ovl") && strstr(err.msg, "truncated"));
	close(fd);
	/* Missing base. */
	char gone[600];
	snprintf(gone, sizeof(gone), "%s/nope.img", test_tmpdir());
	CHECK_EQ(open_ovl(gone, ovl, 0, &d, &err), -ENOENT);
	CHECK(strstr(err.msg, "nope.img") != NULL);
}

TEST(overlay_second_user_is_refused)
{
	struct errmsg err = { "" };
	struct blockdev *d, *d2;
	char base[512], ovl[512];

	snprintf(base, sizeof(base), "%s/base.img", test_tmpdir());
	snprintf(ovl, sizeof(ovl), "%s/delta.ovl", test_tmpdir());
	free(make_base(base, 65536, 3));
	CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), 0);
	CHECK_EQ(open_ovl(base, ovl, 0, &d2, &err), -EBUSY);
	d->ops->close(d);
}

/* Disk full while allocating: an error for that write, nothing else lost. */
TEST(overlay_disk_full_stays_consistent)
{
	struct errmsg err = { "" };
	struct blockdev *d;
	char base[512], ovl[512];
	uint8_t x[4096], *model;
	struct rlimit old, lim;

	snprintf(base, sizeof(base), "%s/base.img", test_tmpdir());
	snprintf(ovl, sizeof(ovl), "%s/delta.ovl", test_tmpdir());
	model = make_base(base, 1 << 20, 11);
	CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), 0);
	memset(x, 0xab, sizeof(x));
	CHECK_EQ(dev_write3(d, x, sizeof(x), 100), 0);
	memcpy(model + 100, x, sizeof(x));
	CHECK_EQ(d->ops->flush(d), 0);
	/* A file-size limit makes every further allocation fail (EFBIG). */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	struct stat st;
	CHECK_EQ(stat(ovl, &st), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size;
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
	memset(x, 0xcd, sizeof(x));
	CHECK(dev_write3(d, x, sizeof(x), 500000) < 0);
	CHECK_EQ(dev_write3(d, x, 512, 0), 0); /* allocated: still fine */
	memcpy(model, x, 512);
	CHECK_EQ(d->ops->flush(d), 0);
	check_whole(d, model, 1 << 20);
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
	CHECK_EQ(dev_write3(d, x, sizeof(x), 500000), 0);
	memcpy(model + 500000, x, sizeof(x));
	d->ops->close(d);
	CHECK_EQ(open_ovl(base, ovl, 0, &d, &err), 0);
	check_whole(d, model, 1 << 20);
	d->ops->close(d);
	free(model);
}

/*
 * kill -9 at random points: after reopening, every byte that no write
 * after the last completed flush touched must hold what was flushed.
 */
static void crash_round(uint64_t seed)
{
	enum { SIZE = 2 << 20, OPS = 4000 };
	struct errmsg err = { "" };
	char base[512], ovl[512];
	int pfd[2];
	uint8_t *model = NULL, *buf = malloc(SIZE);

	snprintf(base, sizeof(base), "%s/base.img", test_tmpdir());
	snprintf(ovl, sizeof(ovl), "%s/crash.ovl", test_tmpdir());
	unlink(ovl);
	model = make_base(base, SIZE, 77);
	CHECK_EQ(pipe(pfd), 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct blockdev *d;
		uint64_t st = seed;
		if (open_ovl(base, ovl, 0, &d, &err) < 0)
			_exit(1);
		for (int i = 0; i < OPS; i++) {
			size_t len = 1 + test_rand(&st) % 70000;
			uint64_t off = test_rand(&st) % (SIZE - len);
			uint8_t v = (uint8_t)test_rand(&st);
			memset(buf, v, len);
			if (dev_write3(d, buf, len, off) < 0)
				_exit(1);
			if (i % 7 == 6) {
				if (d->ops->flush(d) < 0)
					_exit(1);
				int done = i + 1;
				if (write(pfd[1], &done, sizeof(done)) != sizeof(done))
					_exit(1);
			}
		}
		pause();
		_exit(0);
	}
	close(pfd[1]);
	uint64_t rst = seed * 31;
	usleep((useconds_t)(20000 + test_rand(&rst) % 400000));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	int acked = 0, n;
	while (read(pfd[0], &n, sizeof(n)) == sizeof(n))
		acked = n;
	close(pfd[0]);
	/* Replay: flushed ops into the model, later ones only mark bytes. */
	uint8_t *later = calloc(SIZE, 1);
	uint64_t st = seed;
	for (int i = 0; i < OPS; i++) {
		size_t len = 1 + test_rand(&st) % 70000;
		uint64_t off = test_rand(&st) % (SIZE - len);
		uint8_t v = (uint8_t)test_rand(&st);
		if (i < acked)
			memset(model + off, v, len);
		else
			memset(later + off, 1, len);
	}
	struct blockdev *d;
	if (open_ovl(base, ovl, 0, &d, &err) < 0)
		test_fail(__FILE__, __LINE__, "reopen after kill -9: %s", err.msg);
	CHECK_EQ(dev_read(d, buf, SIZE, 0), 0);
	for (size_t i = 0; i < SIZE; i++)
		if (!later[i] && buf[i] != model[i])
			test_fail(__FILE__, __LINE__,
				  "seed %llu: byte %zu is %u, flushed %u (acked %d ops)",
				  (unsigned long long)seed, i, buf[i], model[i], acked);
	d->ops->close(d);
	free(later);
	free(model);
	free(buf);
}

TEST(overlay_survives_kill_9)
{
	for (uint64_t seed = 1; seed <= 6; seed++)
		crash_round(seed * 1000003);
}
