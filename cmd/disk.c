/* SPDX-License-Identifier: GPL-2.0-only */
/* disk: make, check and show compressed images and overlays. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cmd/boot_cache.h"
#include "disk/disk.h"

APPLET(disk, "pack, verify and inspect disk images; reset or commit overlays",
       "usage: kvmbox disk COMMAND ...\n"
       "  pack [--block-size SIZE] [--hc LEVEL] RAW OUT\n"
       "        compress raw disk image RAW into OUT (blocks of 64K by default,\n"
       "        lz4; --hc 1..12 packs smaller, slower); prints the SHA-256 of\n"
       "        OUT's bytes (the catalog's sha256=, the image store's name)\n"
       "  unpack IMAGE RAW     write the raw disk back (every block checked)\n"
       "  verify IMAGE...      check every block and the whole-image digest\n"
       "  info FILE...         show an image's or an overlay's header\n"
       "  reset [--cache DIR] NAME|FILE...\n"
       "        discard the persistent overlays of appliance NAME (the files\n"
       "        DIR/overlays/NAME-N.overlay; DIR from --cache or the cache_dir\n"
       "        of /run/kvmbox/boot.conf), or one overlay FILE\n"
       "  commit [--raw] [--block-size SIZE] BASE OVERLAY OUT\n"
       "        write BASE with OVERLAY's changes into a new image OUT\n"
       "        (compressed, or raw with --raw)\n"
       "  bench [-c COUNT] [-s SIZE] [-S STEP] [-o OFFSET] [-w]\n"
       "        [--flush-interval N] [--warmup N] DISK\n"
       "        time COUNT requests (default 75000 x 4K, each STEP after the last,\n"
       "        wrapping) one at a time, as qemu-img bench does, after N untimed\n"
       "        ones (--warmup); DISK is a --disk spec: FILE[,ro][,overlay=volatile|PATH];\n"
       "        prints the wall-clock and CPU time of the timed requests\n"
       "Exit status: 0 done, 1 failed (one line on stderr says why), 2 usage.");

static int fail(const struct errmsg *err)
{
	fprintf(stderr, "kvmbox disk: %s\n", err->msg);
	return 1;
}

/*
 * Prints the SHA-256 of the file's bytes in coreutils' format: what the
 * catalog's sha256= and the image store name the file by.
 */
static int print_file_digest(const char *path)
{
	struct errmsg err = { "" };
	static uint8_t chunk[1 << 20];
	uint8_t d[32];
	char hex[65];
	struct sha256 h;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		errmsg_set(&err, -errno, "%s: %s", path, strerror(errno));
		return fail(&err);
	}
	sha256_init(&h);
	while ((n = read_full(fd, chunk, sizeof(chunk))) > 0)
		sha256_update(&h, chunk, (size_t)n);
	close(fd);
	if (n < 0) {
		errmsg_set(&err, (int)n, "%s: %s", path, err_str((int)n));
		return fail(&err);
	}
	sha256_final(&h, d);
	format_hex(d, 32, hex);
	printf("%s  %s\n", hex, path);
	return 0;
}

/* Takes "--block-size SIZE" / "--hc N" / "--raw" from the front of argv. */
static int pack_options(int *argc, char ***argv, struct disk_pack_opts *o,
			bool *raw)
{
	uint64_t v;

	while (*argc > 1 && (*argv)[1][0] == '-' && (*argv)[1][1]) {
		const char *opt = (*argv)[1], *val = *argc > 2 ? (*argv)[2] : NULL;
		if (!strcmp(opt, "--raw") && raw) {
			*raw = true;
			(*argc)--, (*argv)++;
			continue;
		}
		if (!val)
			return usage_error(&applet_disk, "%s needs a value", opt);
		if (!strcmp(opt, "--block-size") && parse_size(val, &v) == 0 &&
		    v >= 4096 && v <= (4 << 20) && !(v & (v - 1)))
			o->block_size = (uint32_t)v;
		else if (!strcmp(opt, "--hc") && !raw && parse_u64(val, 1, 12, &v) == 0)
			o->level = (int)v;
		else
			return usage_error(&applet_disk, "bad option '%s %s'", opt, val);
		*argc -= 2, *argv += 2;
	}
	return 0;
}

static int cmd_pack(int argc, char **argv)
{
	struct disk_pack_opts o = { 0 };
	struct disk_image_info info;
	struct errmsg err = { "" };
	int r = pack_options(&argc, &argv, &o, NULL);

	if (r)
		return r;
	if (argc != 3)
		return usage_error(&applet_disk, "pack needs RAW and OUT");
	if (disk_pack(argv[1], argv[2], &o, &info, &err) < 0)
		return fail(&err);
	return print_file_digest(argv[2]);
}

static int cmd_unpack(int argc, char **argv)
{
	struct errmsg err = { "" };

	if (argc != 3)
		return usage_error(&applet_disk, "unpack needs IMAGE and RAW");
	return disk_unpack(argv[1], argv[2], &err) < 0 ? fail(&err) : 0;
}

static int cmd_verify(int argc, char **argv)
{
	struct disk_image_info info;
	int status = 0;

	if (argc < 2)
		return usage_error(&applet_disk, "verify needs at least one IMAGE");
	for (int i = 1; i < argc; i++) {
		struct errmsg err = { "" };
		if (disk_verify(argv[i], &info, &err) < 0) {
			status = fail(&err);
			continue;
		}
		printf("%s: OK\n", argv[i]);
	}
	return status;
}

static void show_image(const char *path, const struct disk_image_info *i)
{
	char size[32], stored[32], hex[65];

	format_size(i->virtual_size, size, sizeof(size));
	format_size(i->stored_bytes, stored, sizeof(stored));
	format_hex(i->image_digest, 32, hex);
	printf("%s: kvmbox compressed image\n"
	       "  disk size:   %s (%llu bytes)\n"
	       "  blocks:      %llu of %u bytes, lz4, SHA-256 each\n"
	       "  stored:      %s (%.1f %% of the disk)\n"
	       "  disk sha256: %s\n",
	       path, size, (unsigned long long)i->virtual_size,
	       (unsigned long long)i->blocks, i->block_size, stored,
	       100.0 * (double)i->stored_bytes / (double)i->virtual_size, hex);
}

static void show_overlay(const char *path, const struct disk_overlay_info *i)
{
	char size[32], used[32], hex[65] = "(not recorded: volatile)";

	format_size(i->virtual_size, size, sizeof(size));
	format_size(i->allocated_clusters * i->cluster_size, used, sizeof(used));
	if (i->base_digest_known)
		format_hex(i->base_digest, 32, hex);
	printf("%s: kvmbox overlay\n"
	       "  disk size:   %s (%llu bytes)\n"
	       "  clusters:    %u bytes, %llu written (%s)\n"
	       "  base:        %s\n"
	       "  base sha256: %s\n",
	       path, size, (unsigned long long)i->virtual_size, i->cluster_size,
	       (unsigned long long)i->allocated_clusters, used, i->base_name, hex);
}

static int cmd_info(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return usage_error(&applet_disk, "info needs at least one FILE");
	for (int i = 1; i < argc; i++) {
		struct disk_image_info ii;
		struct disk_overlay_info oi;
		struct errmsg err = { "" };
		char magic[8] = "";
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			if (pread_full(fd, magic, 8, 0) != 8)
				memset(magic, 0, 8);
			close(fd);
		}
		if (fd < 0) {
			errmsg_set(&err, -errno, "%s: %s", argv[i], strerror(errno));
			status = fail(&err);
		} else if (!memcmp(magic, "KVMBOXOV", 8)) {
			if (disk_overlay_inspect(argv[i], &oi, &err) < 0)
				status = fail(&err);
			else
				show_overlay(argv[i], &oi);
		} else if (!memcmp(magic, "KVMBOXIM", 8)) {
			if (disk_image_inspect(argv[i], &ii, &err) < 0)
				status = fail(&err);
			else
				show_image(argv[i], &ii);
		} else {
			struct blockdev *b;
			if (disk_open_raw(argv[i], true, &b, &err) < 0) {
				status = fail(&err);
				continue;
			}
			printf("%s: raw disk image, %llu bytes\n", argv[i],
			       (unsigned long long)b->size);
			b->ops->close(b);
		}
	}
	return status;
}

/* Deletes one overlay file, unless in use or not an overlay; 1 if done. */
static int reset_file(const char *path)
{
	struct errmsg err = { "" };
	char magic[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		errmsg_set(&err, -errno, "%s: %s", path, strerror(errno));
		return -fail(&err);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		errmsg_set(&err, -EBUSY, "%s: in use by a running VM; stop it first", path);
		return -fail(&err);
	}
	/* Only ever delete what is an overlay (damaged ones included). */
	if (pread_full(fd, magic, 8, 0) != 8 || memcmp(magic, "KVMBOXOV", 8)) {
		close(fd);
		errmsg_set(&err, -EINVAL, "%s: not a kvmbox overlay; left alone", path);
		return -fail(&err);
	}
	r = unlink(path) < 0 ? -errno : 0;
	close(fd);
	if (r < 0) {
		errmsg_set(&err, r, "%s: %s", path, err_str(r));
		return -fail(&err);
	}
	printf("removed %s\n", path);
	return 1;
}

/* NAME's overlays are CACHE/overlays/NAME-<disk number>.overlay. */
static int reset_one(const char *cache, const char *name)
{
	char path[4096];
	int removed = 0, r;

	if (strchr(name, '/'))
		return reset_file(name) < 0 ? 1 : 0;
	if (!cache[0])
		return usage_error(&applet_disk, "'%s': no --cache DIR and no cache_dir in /run/kvmbox/boot.conf", name);
	for (unsigned i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "%s/overlays/%s-%u.overlay", cache, name, i);
		if ((r = reset_file(path)) < 0)
			return 1;
		removed += r;
	}
	printf("%s: %s\n", name, removed ? "reset: pristine at its next start" : "already pristine");
	return 0;
}

static int cmd_reset(int argc, char **argv)
{
	char cache[4096] = "";
	int status = 0;

	if (argc > 2 && !strcmp(argv[1], "--cache")) {
		str_copy(cache, sizeof(cache), argv[2]);
		argc -= 2, argv += 2;
	} else {
		boot_conf_cache_dir(cache, sizeof(cache));
	}
	if (argc < 2)
		return usage_error(&applet_disk, "reset needs a NAME or FILE");
	for (int i = 1; i < argc; i++) {
		int r = reset_one(cache, argv[i]);
		if (r)
			status = r;
	}
	return status;
}

static int cmd_commit(int argc, char **argv)
{
	struct disk_pack_opts o = { 0 };
	struct disk_image_info info;
	struct errmsg err = { "" };
	struct blockdev *base, *d;
	bool raw = false;
	int r = pack_options(&argc, &argv, &o, &raw);

	if (r)
		return r;
	if (argc != 4)
		return usage_error(&applet_disk, "commit needs BASE, OVERLAY and OUT");
	if (access(argv[2], F_OK) < 0) {
		errmsg_set(&err, -errno, "%s: %s", argv[2], strerror(errno));
		return fail(&err);
	}
	if (disk_open_image(argv[1], true, &base, &err) < 0 ||
	    disk_overlay_open(base, argv[1], argv[2], NULL, 0, &d, &err) < 0)
		return fail(&err);
	r = raw ? disk_export_raw(d, argv[3], &err)
		: disk_pack_dev(d, argv[3], &o, &info, &err);
	d->ops->close(d);
	if (r < 0)
		return fail(&err);
	return raw ? 0 : print_file_digest(argv[3]);
}

static int bench_option(struct disk_bench_opts *o, const char *opt,
			const char *val)
{
	static const struct {
		const char *name;
		size_t field;
		bool size;
	} opts[] = {
		{ "-c", offsetof(struct disk_bench_opts, count), false },
		{ "-s", offsetof(struct disk_bench_opts, size), true },
		{ "-S", offsetof(struct disk_bench_opts, step), true },
		{ "-o", offsetof(struct disk_bench_opts, offset), true },
		{ "--flush-interval", offsetof(struct disk_bench_opts, flush_interval), false },
		{ "--warmup", offsetof(struct disk_bench_opts, warmup), false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		if (strcmp(opt, opts[i].name))
			continue;
		uint64_t *f = (uint64_t *)((char *)o + opts[i].field);
		int r = opts[i].size ? parse_size(val, f) : parse_u64(val, 0, UINT64_MAX, f);
		return r < 0 ? usage_error(&applet_disk, "bad value '%s' for %s", val, opt) : 0;
	}
	return usage_error(&applet_disk, "unknown bench option '%s'", opt);
}

static int cmd_bench(int argc, char **argv)
{
	struct disk_bench_opts o = { .count = 75000, .size = 4096 };
	struct errmsg err = { "" };
	struct disk_spec spec;
	struct blockdev *b;
	struct disk_bench_result res;
	double secs;
	int i, r;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-w")) {
			o.write = true;
			continue;
		}
		if (i + 1 >= argc)
			return usage_error(&applet_disk, "%s needs a value", argv[i]);
		if ((r = bench_option(&o, argv[i], argv[i + 1])))
			return r;
		i++;
	}
	if (i != argc - 1)
		return usage_error(&applet_disk, "bench needs one DISK");
	if (disk_spec_parse(argv[i], &spec, &err) < 0 ||
	    disk_open_spec(&spec, &b, &err) < 0)
		return fail(&err);
	r = disk_bench_run(b, &o, &res);
	secs = res.seconds;
	b->ops->close(b);
	if (r < 0) {
		errmsg_set(&err, r, "bench: %s", r == -EINVAL ? "size or offset out of the disk" : err_str(r));
		return fail(&err);
	}
	printf("Run completed in %.3f seconds.\n"
	       "%llu requests of %llu bytes: %.0f IOPS, %.1f MB/s\n",
	       secs, (unsigned long long)o.count, (unsigned long long)o.size,
	       (double)o.count / secs, (double)(o.count * o.size) / secs / 1e6);
	printf("CPU time of the run: %.3f s user, %.3f s sys\n", res.user_seconds,
	       res.sys_seconds);
	return 0;
}

int disk_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "pack", cmd_pack },	    { "unpack", cmd_unpack },
		{ "verify", cmd_verify }, { "info", cmd_info },
		{ "reset", cmd_reset },   { "commit", cmd_commit },
		{ "bench", cmd_bench },
	};

	if (wants_help(&applet_disk, argc, argv))
		return 0;
	if (argc < 2)
		return usage_error(&applet_disk, "missing COMMAND");
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	return usage_error(&applet_disk, "unknown command '%s'", argv[1]);
}
