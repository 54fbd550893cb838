/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * image publish RAW|IMAGE DIR: makes DIR servable by any static HTTP
 * server: DIR/images/HEX.img (the compressed image, named by the SHA-256
 * of its bytes) and DIR/images/HEX.img.manifest (its chunk digests), then
 * points an appliance's disk line in the catalog(s) at it. Every file is
 * written beside its final name and renamed, so a client never sees half
 * of anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/image.h"
#include "core/core.h"
#include "disk/disk.h"

extern const struct applet applet_image;

#define MAX_CATALOGS 16

struct publish_args {
	const char *src, *dir, *name;
	const char *catalogs[MAX_CATALOGS];
	unsigned ncatalogs;
	uint64_t chunk;
	char default_name[CATALOG_NAME_MAX + 1];
};

static int parse_args(int argc, char **argv, struct publish_args *a)
{
	const char *pos[2];
	int npos = 0;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (o[0] != '-') {
			if (npos == 2)
				return usage_error(&applet_image, "publish takes RAW|IMAGE and DIR ('%s')", o);
			pos[npos++] = o;
			continue;
		}
		if (!val)
			return usage_error(&applet_image, "publish: %s needs a value", o);
		i++;
		if (!strcmp(o, "--name")) {
			a->name = val;
		} else if (!strcmp(o, "--catalog")) {
			if (a->ncatalogs == MAX_CATALOGS)
				return usage_error(&applet_image, "publish: at most %d --catalog", MAX_CATALOGS);
			a->catalogs[a->ncatalogs++] = val;
		} else if (!strcmp(o, "--chunk")) {
			if (parse_size(val, &a->chunk) < 0 || a->chunk < DISK_CHUNK_MIN ||
			    a->chunk > DISK_CHUNK_MAX || (a->chunk & (a->chunk - 1)))
				return usage_error(&applet_image, "publish: bad --chunk '%s' (a power of two, 64K..16M)", val);
		} else {
			return usage_error(&applet_image, "publish: unknown option '%s'", o);
		}
	}
	if (npos != 2)
		return usage_error(&applet_image, "publish needs RAW|IMAGE and DIR");
	a->src = pos[0];
	a->dir = pos[1];
	if (!a->name) { /* "debian-12.raw" -> "debian-12" */
		const char *base = strrchr(a->src, '/') ? strrchr(a->src, '/') + 1 : a->src;
		size_t n = strcspn(base, ".");
		snprintf(a->default_name, sizeof(a->default_name), "%.*s",
			 (int)MIN(n, (size_t)CATALOG_NAME_MAX), base);
		a->name = a->default_name;
	}
	return 0;
}

/* Copies @src to @dst (a new file); a hard link when on the same fs. */
static int copy_file(const char *src, const char *dst)
{
	static uint8_t b[1 << 20];
	int in, out, r = 0;
	ssize_t n;

	if (link(src, dst) == 0)
		return 0;
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	while ((n = read_full(in, b, sizeof(b))) > 0 && (r = write_full(out, b, (size_t)n)) == 0)
		;
	if (n < 0)
		r = (int)n;
	if (r == 0 && fsync(out) < 0)
		r = -errno;
	close(in);
	close(out);
	return r;
}

/* DIR/images/.publish-PID: the packed image (or a copy of one). */
static int stage_image(const char *src, const char *staged, uint32_t chunk,
		       struct disk_manifest *m, struct errmsg *err)
{
	struct disk_image_info info;
	int fd = open(src, O_RDONLY | O_CLOEXEC), r;
	bool packed;

	if (fd < 0)
		return errmsg_set(err, -errno, "%s: %s", src, strerror(errno));
	packed = disk_is_compressed(fd);
	close(fd);
	if (packed) {
		r = disk_image_inspect(src, &info, err);
		if (r == 0 && (r = copy_file(src, staged)) < 0)
			errmsg_set(err, r, "%s: cannot copy to %s: %s", src, staged, err_str(r));
	} else {
		r = disk_pack(src, staged, NULL, &info, err);
	}
	if (r == 0)
		r = disk_manifest_build(staged, chunk, m, err);
	if (r < 0)
		unlink(staged);
	return r;
}

/* @target relative to the folder of @catalog; it must lie inside it. */
static int relative_to(const char *catalog, const char *target, char *out, size_t size,
		       struct errmsg *err)
{
	char cat[PATH_MAX], tgt[PATH_MAX], *dir;
	size_t n;

	if (!realpath(catalog, cat) || !realpath(target, tgt))
		return errmsg_set(err, -errno, "%s: %s", catalog, strerror(errno));
	dir = dirname(cat);
	n = strlen(dir);
	if (strncmp(tgt, dir, n) || (tgt[n] != '/' && n != 1))
		return errmsg_set(err, -EINVAL,
				  "%s: the image %s is not inside the catalog's folder (catalogs name files below them)",
				  catalog, tgt);
	return str_copy(out, size, tgt + n + (n != 1)) < 0 ? -ENAMETOOLONG : 0;
}

int image_publish_main(int argc, char **argv)
{
	struct publish_args a = { 0 };
	struct disk_manifest m;
	struct errmsg err;
	char images[4096], staged[4200], final[4200], mpath[4300], hex[65], rel[4096];
	int r = parse_args(argc, argv, &a);

	if (r)
		return r;
	snprintf(images, sizeof(images), "%s/images", a.dir);
	if ((mkdir(a.dir, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(images, 0755) < 0 && errno != EEXIST)) {
		fprintf(stderr, "kvmbox image publish: %s: %s\n", images, strerror(errno));
		return 1;
	}
	snprintf(staged, sizeof(staged), "%s/.publish-%d", images, (int)getpid());
	r = stage_image(a.src, staged, (uint32_t)a.chunk, &m, &err);
	if (r == 0) {
		format_hex(m.digest, 32, hex);
		snprintf(final, sizeof(final), "%s/%s.img", images, hex);
		snprintf(mpath, sizeof(mpath), "%s.manifest", final);
		/* The image first: a manifest never names a missing file. */
		if (rename(staged, final) < 0) {
			r = errmsg_set(&err, -errno, "%s: %s", final, strerror(errno));
			unlink(staged);
		}
		if (r == 0)
			r = disk_manifest_write(mpath, &m, &err);
		for (unsigned i = 0; r == 0 && i < a.ncatalogs; i++) {
			r = relative_to(a.catalogs[i], final, rel, sizeof(rel), &err);
			if (r == 0)
				r = image_publish_catalog(a.catalogs[i], a.name, rel, m.digest, &err);
		}
		disk_manifest_free(&m);
	}
	if (r < 0) {
		fprintf(stderr, "kvmbox image publish: %s\n", err.msg);
		return 1;
	}
	printf("%s\n", hex);
	return 0;
}
