// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flat.c - the flattened format: header and record encoding for -F, and
 * -R, which rebuilds a normal file from the stream on stdin.  Anything
 * after the end marker is ignored, so a raw disk can be read whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endian.h"
#include "flat.h"
#include "makedumpfile.h"
#include "output.h"

#define REBUILD_CHUNK	(1U << 20)

void flat_make_header(uint8_t hdr[FLAT_HEADER_SIZE])
{
	memset(hdr, 0, FLAT_HEADER_SIZE);
	memcpy(hdr, FLAT_SIGNATURE, strlen(FLAT_SIGNATURE));
	put_be64(hdr + 16, FLAT_TYPE);
	put_be64(hdr + 24, FLAT_VERSION);
}

void flat_make_record(uint8_t rec[FLAT_RECORD_HDR], int64_t off, int64_t size)
{
	put_be64(rec, (uint64_t)off);
	put_be64(rec + 8, (uint64_t)size);
}

bool flat_is_header(const uint8_t *buf, size_t len)
{
	return len >= 32 && !memcmp(buf, FLAT_SIGNATURE, sizeof(FLAT_SIGNATURE)) &&
	       get_be64(buf + 16) == FLAT_TYPE && get_be64(buf + 24) == FLAT_VERSION;
}

/* Read exactly @len bytes; 0 on EOF before any byte, -1 on short/error. */
static int read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ERRMSG("Can't read the flattened data from stdin. %s\n",
			       strerror(errno));
			return -1;
		}
		if (n == 0)
			return got ? -1 : 0;
		got += (size_t)n;
	}
	return 1;
}

static bool copy_record(int in, struct output *o, uint64_t off, uint64_t size,
			uint8_t *buf)
{
	while (size) {
		size_t n = (size_t)MIN(size, (uint64_t)REBUILD_CHUNK);

		if (read_full(in, buf, n) != 1) {
			ERRMSG("The flattened data is truncated inside a record (offset 0x%llx).\n",
			       (unsigned long long)off);
			return false;
		}
		if (!output_write(o, off, buf, n))
			return false;
		off += n;
		size -= n;
	}
	return true;
}

/**
 * flat_rebuild - -R: turn the flattened stream on @in_fd into @out_path.
 */
bool flat_rebuild(int in_fd, const char *out_path, bool force)
{
	uint8_t hdr[FLAT_HEADER_SIZE], rec[FLAT_RECORD_HDR];
	uint8_t *buf = NULL;
	struct output o;
	bool ok = false;

	if (read_full(in_fd, hdr, sizeof(hdr)) != 1 ||
	    !flat_is_header(hdr, sizeof(hdr))) {
		ERRMSG("The input is not flattened makedumpfile data (bad header).\n");
		return false;
	}
	if (!output_open(&o, OUT_FILE, out_path, force))
		return false;
	buf = xmalloc(REBUILD_CHUNK);
	for (;;) {
		int64_t off, size;
		int r = read_full(in_fd, rec, sizeof(rec));

		if (r != 1) {
			if (r == 0)
				ERRMSG("The flattened data is truncated: no end marker.\n");
			goto out;
		}
		off = (int64_t)get_be64(rec);
		size = (int64_t)get_be64(rec + 8);
		if (off == -1 && size == -1)
			break;
		if (off < 0 || size < 0) {
			ERRMSG("The flattened data is corrupt: record with offset %lld, size %lld.\n",
			       (long long)off, (long long)size);
			goto out;
		}
		if (!copy_record(in_fd, &o, (uint64_t)off, (uint64_t)size, buf))
			goto out;
	}
	ok = true;
out:
	free(buf);
	if (!output_close(&o))
		ok = false;
	return ok;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct flat_rec *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/**
 * flat_index_build - scan the record headers of a flattened file once.
 */
bool flat_index_build(int fd, const char *path, struct flat_index *fi)
{
	uint64_t pos = FLAT_HEADER_SIZE;
	size_t cap = 0;

	memset(fi, 0, sizeof(*fi));
	for (;;) {
		uint8_t rec[FLAT_RECORD_HDR];
		int64_t off, size;

		if (pread(fd, rec, sizeof(rec), (off_t)pos) != sizeof(rec)) {
			ERRMSG("The flattened file %s is truncated: no end marker.\n", path);
			return false;
		}
		off = (int64_t)get_be64(rec);
		size = (int64_t)get_be64(rec + 8);
		if (off == -1 && size == -1)
			break;
		if (off < 0 || size < 0) {
			ERRMSG("The flattened file %s is corrupt at 0x%llx.\n", path,
			       (unsigned long long)pos);
			return false;
		}
		if (fi->n == cap) {
			cap = cap ? cap * 2 : 1024;
			fi->r = realloc(fi->r, cap * sizeof(*fi->r));
			if (!fi->r) {
				ERRMSG("Can't allocate memory for the flattened index.\n");
				return false;
			}
		}
		fi->r[fi->n] = (struct flat_rec){ (uint64_t)off, (uint64_t)size,
						  pos + FLAT_RECORD_HDR, fi->n };
		fi->n++;
		pos += FLAT_RECORD_HDR + (uint64_t)size;
	}
	qsort(fi->r, fi->n, sizeof(*fi->r), cmp_rec);
	return true;
}

/* The newest record holding logical offset @off, or NULL (a hole). */
static const struct flat_rec *find_rec(const struct flat_index *fi, uint64_t off,
				       size_t *next)
{
	const struct flat_rec *best = NULL;
	size_t lo = 0, hi = fi->n;

	while (lo < hi) {		/* first record with r.off > off */
		size_t mid = (lo + hi) / 2;

		if (fi->r[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo, seen = 0; i > 0 && seen < 16; i--, seen++) {
		const struct flat_rec *r = &fi->r[i - 1];

		if (off < r->off + r->len && (!best || r->seq > best->seq))
			best = r;
	}
	*next = lo;
	return best;
}

/* Read the logical file; bytes that no record wrote read as zero. */
bool flat_index_read(int fd, const struct flat_index *fi, uint64_t off,
		     void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		size_t next, n;
		const struct flat_rec *r = find_rec(fi, off, &next);

		if (!r) {
			/* zero up to the next record */
			n = next < fi->n ? (size_t)MIN((uint64_t)len, fi->r[next].off - off)
					 : len;
			memset(p, 0, n);
		} else {
			n = (size_t)MIN((uint64_t)len, r->off + r->len - off);
			if (pread(fd, p, n, (off_t)(r->pos + (off - r->off))) != (ssize_t)n)
				return false;
		}
		p += n;
		off += n;
		len -= n;
	}
	return true;
}

void flat_index_free(struct flat_index *fi)
{
	free(fi->r);
	memset(fi, 0, sizeof(*fi));
}
