/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * disk: the block backends behind the VMM's virtio-blk (struct blockdev in
 * core/core.h): raw files now; the COW overlay and the compressed image
 * format join here.
 */
#ifndef KVMBOX_DISK_H
#define KVMBOX_DISK_H

#include "core/core.h"

enum disk_overlay {
	DISK_OVERLAY_NONE,	 /* writes go to the file itself (or fail if ro) */
	DISK_OVERLAY_VOLATILE,	 /* writes go to a throw-away overlay */
	DISK_OVERLAY_PERSISTENT, /* writes go to a named delta file, kept */
};

/* What `--disk FILE[,ro][,overlay=volatile|PATH]` asks for. */
struct disk_spec {
	const char *path;
	bool read_only;
	enum disk_overlay overlay;
	const char *overlay_path; /* PERSISTENT: the delta file */
	const char *volatile_dir; /* VOLATILE: where the overlay lives (/run) */
};

/* Parses "FILE[,ro][,overlay=volatile|PATH]"; @spec points into @text. */
int disk_spec_parse(char *text, struct disk_spec *spec, struct errmsg *err);
/* Opens whatever @spec names: raw file, with an overlay when asked. */
int disk_open_spec(const struct disk_spec *spec, struct blockdev **out,
		   struct errmsg *err);

/* Opens a raw image file; @read_only opens it O_RDONLY. */
int disk_open_raw(const char *path, bool read_only, struct blockdev **out,
		  struct errmsg *err);

/* ---- the image store (disk/store.c) -------------------------------------
 * Layout: DIR/images/<64 hex digits> (the SHA-256 of the file's bytes,
 * raw or compressed image alike), DIR/tmp/ for downloads in progress.
 * An image is in use while a process has it open through this header
 * (every backend holds a shared flock on the files it reads).
 */
struct disk_store;

/* Opens (creating when missing) DIR, DIR/images and DIR/tmp. */
int disk_store_open(const char *dir, struct disk_store **out,
		    struct errmsg *err);
void disk_store_close(struct disk_store *s);
/*
 * Writes DIR/images/HEX into @path; 0 when the image is present (and marks
 * it recently used), -ENOENT when not, -ENAMETOOLONG when @size is short.
 */
int disk_store_path(struct disk_store *s, const uint8_t digest[32],
		    char *path, size_t size);
/*
 * Verifies the SHA-256 of @tmp_file (its raw bytes), then installs it
 * atomically (fsync, rename, fsync dir) as DIR/images/HEX, read-only.
 * A file on the store's file system is renamed (so it is gone on success),
 * any other is copied. -EBADMSG on a digest mismatch (the file is left).
 */
int disk_store_install(struct disk_store *s, const char *tmp_file,
		       const uint8_t digest[32], struct errmsg *err);
/*
 * Deletes least-recently-used images until they fit in @budget_bytes (of
 * allocated space), never one listed in @keep nor one in use; also removes
 * files abandoned in DIR/tmp for more than a day. -ENOSPC (with a message)
 * when kept and in-use images alone exceed the budget: nothing is wrong,
 * the cache is just too small.
 */
int disk_store_gc(struct disk_store *s, uint64_t budget_bytes,
		  const uint8_t (*keep)[32], size_t nkeep, struct errmsg *err);

/* Takes the shared "in use" lock the store's GC respects; 0 or -errno. */
int disk_hold(int fd);

/* ---- copy-on-write overlays (disk/overlay.c, format in disk/FORMAT.md) --- */

#define DISK_CLUSTER_DEFAULT (64 * 1024)

/*
 * Puts an overlay over @base (which it owns from then on, even on error):
 * reads of clusters never written come from @base, writes go to the overlay.
 * @path NULL: volatile, an unnamed file in @volatile_dir that vanishes when
 * closed (or at a crash). @path set: persistent; created when missing, else
 * reopened, refused when made over a different base (the message names the
 * image it expects). @cluster_size: a power of two, 4 KiB..16 MiB (only used
 * when creating; 0 = DISK_CLUSTER_DEFAULT).
 */
int disk_overlay_open(struct blockdev *base, const char *base_name,
		      const char *path, const char *volatile_dir,
		      uint32_t cluster_size, struct blockdev **out,
		      struct errmsg *err);

/* What `kvmbox disk info` shows about an overlay file. */
struct disk_overlay_info {
	uint32_t cluster_size;
	uint64_t virtual_size;
	uint64_t allocated_clusters;
	uint64_t base_size;
	bool base_digest_known;
	uint8_t base_digest[32];
	char base_name[128];
};
/* Reads and checks an overlay file's header and map without a base. */
int disk_overlay_inspect(const char *path, struct disk_overlay_info *info,
			 struct errmsg *err);
/* Parses an overlay header (fuzzed); 0 or -EINVAL with the reason. */
int disk_overlay_parse_header(const uint8_t *p, size_t len, uint64_t file_size,
			      struct disk_overlay_info *info, struct errmsg *err);
/*
 * Checks a mapping table of @n entries (raw little-endian bytes) against a
 * data area of @data_clusters; counts allocated entries. Fuzzed.
 */
int disk_overlay_check_map(const uint8_t *table, uint64_t n,
			   uint64_t data_clusters, uint64_t *allocated,
			   struct errmsg *err);

/* ---- the compressed, verified image format (disk/image.c) ---------------- */

#define DISK_BLOCK_DEFAULT (64 * 1024)

/* Whether @fd starts with the compressed image magic. */
bool disk_is_compressed(int fd);
/* Opens a compressed image (always read-only); every block read is checked. */
int disk_open_compressed(const char *path, struct blockdev **out,
			 struct errmsg *err);
/* Opens a compressed image or a raw file, whichever @path is. */
int disk_open_image(const char *path, bool read_only, struct blockdev **out,
		    struct errmsg *err);
/*
 * The identity overlays record for their base: a compressed image's
 * whole-image digest (free), else the SHA-256 of all the device's bytes.
 */
int disk_identity(struct blockdev *b, uint8_t digest[32]);

struct disk_image_info {
	uint32_t block_size;
	uint64_t virtual_size;
	uint64_t blocks;
	uint64_t stored_bytes; /* compressed data, without header and index */
	uint8_t image_digest[32];
};
struct disk_pack_opts {
	uint32_t block_size; /* 0: DISK_BLOCK_DEFAULT */
	int level;	     /* 0: lz4 fast; >0: lz4hc level */
};
int disk_pack(const char *raw_path, const char *out_path,
	      const struct disk_pack_opts *opts, struct disk_image_info *info,
	      struct errmsg *err);
/* Packs whatever @src shows (e.g. a base with its overlay: a commit). */
int disk_pack_dev(struct blockdev *src, const char *out_path,
		  const struct disk_pack_opts *opts, struct disk_image_info *info,
		  struct errmsg *err);
/* Writes what @src shows to a raw file (sparse where zero), atomically. */
int disk_export_raw(struct blockdev *src, const char *out_path,
		    struct errmsg *err);
/* Writes the raw image back out; verifies every block on the way. */
int disk_unpack(const char *image_path, const char *raw_path,
		struct errmsg *err);
/* Checks every block and the whole-image digest. */
int disk_verify(const char *image_path, struct disk_image_info *info,
		struct errmsg *err);
int disk_image_inspect(const char *image_path, struct disk_image_info *info,
		       struct errmsg *err);
/* Parses the image header + index (fuzzed); 0 or -EINVAL with the reason. */
int disk_image_parse(const uint8_t *header, size_t header_len,
		     const uint8_t *index, size_t index_len, uint64_t file_size,
		     struct disk_image_info *info, struct errmsg *err);

/* ---- the request loop of `kvmbox disk bench` (disk/bench.c) ----------- */

struct disk_bench_opts {
	uint64_t count, size, step, offset; /* step 0: size (sequential) */
	uint64_t flush_interval;	     /* 0: never */
	bool write;
	uint64_t warmup; /* requests run first, untimed (same pattern) */
};
int disk_bench(struct blockdev *b, const struct disk_bench_opts *o,
	       double *seconds);
/* The same, also giving the CPU time of the timed pass (whole process). */
struct disk_bench_result {
	double seconds, user_seconds, sys_seconds;
};
int disk_bench_run(struct blockdev *b, const struct disk_bench_opts *o,
		   struct disk_bench_result *res);

/* ---- I/O vector helpers shared by the backends (disk/iov.c) -------------- */

struct iovec;
/* Points @out at bytes [skip, skip+len) of @iov; count, or -E2BIG/-EINVAL. */
int disk_iov_slice(const struct iovec *iov, int iovcnt, size_t skip,
		   size_t len, struct iovec *out, int max);
void disk_iov_to_buf(const struct iovec *iov, int iovcnt, size_t skip,
		     void *buf, size_t len);
void disk_buf_to_iov(const struct iovec *iov, int iovcnt, size_t skip,
		     const void *buf, size_t len);
size_t disk_iov_len(const struct iovec *iov, int iovcnt);
/* preadv/pwritev until done: a short transfer continues, EOF is -EIO. */
int disk_prw(int fd, const struct iovec *iov, int iovcnt, uint64_t off,
	     bool write);

/* ==== image distribution: manifests and partial images ===================
 * (disk/manifest.c, disk/partial.c; the manifest's text format is in
 * disk/FORMAT.md). Shared by the HTTP fetch and the multicast receiver.
 */

/* What a server publishes beside an image: IMAGE.manifest (text, INI via core's parser). */
#define DISK_CHUNK_DEFAULT (1u << 20)
#define DISK_CHUNK_MIN (64u * 1024)
#define DISK_CHUNK_MAX (16u << 20)
#define DISK_MANIFEST_MAX_FILE (256u << 20) /* bytes of manifest text */

struct disk_manifest {
	uint64_t file_size;		/* bytes of the image file as served */
	uint32_t chunk_size;		/* transport unit, power of two, 64 KiB..16 MiB (default 1 MiB) */
	uint64_t nchunks;		/* ceil(file_size / chunk_size) */
	uint8_t digest[32];		/* SHA-256 of the whole file = its image store name */
	uint8_t (*chunk_digest)[32];	/* SHA-256 of each chunk (the last may be short) */
};
/* Reads @image_path once; @chunk_size 0 means DISK_CHUNK_DEFAULT. */
int disk_manifest_build(const char *image_path, uint32_t chunk_size, struct disk_manifest *m, struct errmsg *err);
int disk_manifest_parse(const char *text, size_t len, const char *name, struct disk_manifest *m, struct errmsg *err); /* hostile input: "name:line: problem" */
int disk_manifest_load(const char *path, struct disk_manifest *m, struct errmsg *err);
int disk_manifest_write(const char *path, const struct disk_manifest *m, struct errmsg *err); /* atomic */
/* The manifest as text (what disk_manifest_write stores). */
int disk_manifest_format(const struct disk_manifest *m, struct buf *out);
void disk_manifest_free(struct disk_manifest *m);
/* The whole-image digest named by a manifest's first bytes (a multicast
 * announce's first piece): 0, -ENOENT when not within @len, -EINVAL when malformed. */
int disk_manifest_peek_digest(const char *text, size_t len, uint8_t digest[32]);
/* Bytes of chunk @i (chunk_size, the last one possibly less); 0 past the end. */
uint32_t disk_manifest_chunk_len(const struct disk_manifest *m, uint64_t i);

/* An image being received (by HTTP or multicast, or both in turn) into the store:
 * DIR/tmp/HEX.part (the file, sparse) + DIR/tmp/HEX.have (which chunks are verified),
 * kept across interruptions and power loss so nothing verified is fetched twice.
 * One process at a time holds a partial image (-EBUSY for the next). */
struct disk_partial;
int disk_partial_open(struct disk_store *s, const struct disk_manifest *m, struct disk_partial **out, struct errmsg *err);
bool disk_partial_has(const struct disk_partial *p, uint64_t chunk);
uint64_t disk_partial_missing(const struct disk_partial *p);	/* chunks still to get */
/* Verifies @data against the manifest (-EBADMSG + a line naming the chunk on mismatch,
 * -ERANGE for a bad index or length), writes it, records it; duplicates are harmless. */
int disk_partial_put(struct disk_partial *p, uint64_t chunk, const void *data, size_t len, struct errmsg *err);
/* Every chunk present: fsync, check the whole digest, install in the store atomically. */
int disk_partial_finish(struct disk_partial *p, struct errmsg *err);
/* Saves what is verified so far (the next open resumes from it) and frees @p. */
void disk_partial_close(struct disk_partial *p);

/* The folder a store was opened on (DIR: DIR/images, DIR/tmp). */
const char *disk_store_dir(const struct disk_store *s);

/* ==== end of image distribution ========================================== */

#endif
