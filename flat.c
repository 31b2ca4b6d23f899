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
