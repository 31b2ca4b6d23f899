// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * output.c - write the dump to a file, to stdout as flattened records, or
 * nowhere (--dry-run).  New files are created with mode 0600 and an
 * existing file is refused unless -f was given.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flat.h"
#include "makedumpfile.h"
#include "output.h"

static bool write_all(int fd, const void *buf, size_t len, int *err)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = n < 0 ? errno : ENOSPC;
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool pwrite_all(int fd, uint64_t off, const void *buf, size_t len,
		       int *err, uint64_t *done)
{
	const uint8_t *p = buf;

	*done = 0;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = n < 0 ? errno : ENOSPC;
			return false;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
		*done += (uint64_t)n;
	}
	return true;
}

/* Refuse an existing file unless forced, as upstream's check_dump_file(). */
bool output_check_path(const char *path, bool force)
{
	if (access(path, F_OK) != 0)
		return true;
	if (force && access(path, W_OK) == 0)
		return true;
	ERRMSG("Can't open the dump file (%s). %s\n", path,
	       strerror(force ? errno : EEXIST));
	return false;
}

bool output_open(struct output *o, enum output_kind kind, const char *path,
		 bool force)
{
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->path = path;
	o->fd = -1;
	if (kind == OUT_NULL)
		return true;
	if (kind == OUT_FLAT) {
		uint8_t hdr[FLAT_HEADER_SIZE];

		o->fd = STDOUT_FILENO;
		o->path = "STDOUT";
		flat_make_header(hdr);
		if (!write_all(o->fd, hdr, sizeof(hdr), &o->error)) {
			ERRMSG("Can't write the dump file(%s). %s\n", o->path,
			       strerror(o->error));
			return false;
		}
		return true;
	}
	o->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | (force ? 0 : O_EXCL),
		     S_IRUSR | S_IWUSR);
	if (o->fd < 0) {
		ERRMSG("Can't open the dump file(%s). %s\n", path, strerror(errno));
		return false;
	}
	return true;
}

/**
 * output_write - write @len bytes at logical offset @off.
 *
 * Return: false after the first failure (one message is printed, and
 * o->error keeps the errno, e.g. ENOSPC, for the caller to act on).
 */
static bool do_write(struct output *o, uint64_t off, const void *buf, size_t len)
{
	uint64_t end = o->kind == OUT_FLAT ? o->bytes + FLAT_RECORD_HDR + len
					   : off + len;
	bool ok = true;

	o->partial = 0;
	if (!len)
		return true;
	if (o->limit && end > o->limit) {
		o->error = ENOSPC;
		ERRMSG("Can't write the dump file(%s): the size limit (-L %llu) is reached.\n",
		       o->path, (unsigned long long)o->limit);
		return false;
	}
	if (o->kind == OUT_FLAT) {
		uint8_t rec[FLAT_RECORD_HDR];

		flat_make_record(rec, (int64_t)off, (int64_t)len);
		ok = write_all(o->fd, rec, sizeof(rec), &o->error) &&
		     write_all(o->fd, buf, len, &o->error);
		if (ok)
			o->bytes += FLAT_RECORD_HDR;
	} else if (o->kind == OUT_FILE) {
		ok = pwrite_all(o->fd, off, buf, len, &o->error, &o->partial);
	}
	if (!ok) {
		ERRMSG("Can't write the dump file(%s). %s\n", o->path,
		       strerror(o->error));
		return false;
	}
	o->bytes += len;
	o->size = MAX(o->size, off + len);
	return true;
}

bool output_write(struct output *o, uint64_t off, const void *buf, size_t len)
{
	if (o->error)
		return false;
	return do_write(o, off, buf, len);
}

/*
 * After a failed write, try one more (small) write, e.g. the descriptors
 * of the pages whose data did land.  The first error is kept.
 */
bool output_write_after_error(struct output *o, uint64_t off, const void *buf,
			      size_t len)
{
	int saved = o->error;
	uint64_t limit = o->limit;
	bool ok;

	o->error = 0;
	o->limit = 0;
	ok = (!limit || off + len <= limit) && o->kind == OUT_FILE &&
	     do_write(o, off, buf, len);
	o->error = saved;
	o->limit = limit;
	return ok;
}

/* Whether the output failed because it is full (ENOSPC or -L). */
bool output_full(const struct output *o)
{
	return o->error == ENOSPC || o->error == EDQUOT || o->error == EFBIG;
}

bool output_close(struct output *o)
{
	bool ok = !o->error;

	if (o->kind == OUT_FLAT && ok) {
		uint8_t rec[FLAT_RECORD_HDR];

		flat_make_record(rec, -1, -1);
		if (!write_all(o->fd, rec, sizeof(rec), &o->error)) {
			ERRMSG("Can't write the dump file(%s). %s\n", o->path,
			       strerror(o->error));
			ok = false;
		}
	}
	if (o->kind == OUT_FILE && o->fd >= 0) {
		if (ok && fsync(o->fd) < 0 && errno != EINVAL && errno != EROFS) {
			ERRMSG("Can't sync the dump file(%s). %s\n", o->path,
			       strerror(errno));
			ok = false;
		}
		if (close(o->fd) < 0 && ok) {
			ERRMSG("Can't close the dump file(%s). %s\n", o->path,
			       strerror(errno));
			ok = false;
		}
	}
	o->fd = -1;
	return ok;
}

void wbuf_init(struct wbuf *w, struct output *o, uint64_t off, size_t cap)
{
	w->o = o;
	w->off = off;
	w->cap = cap;
	w->len = 0;
	w->buf = xmalloc(cap);
}

bool wbuf_flush(struct wbuf *w)
{
	bool ok = output_write(w->o, w->off, w->buf, w->len);

	if (ok)
		w->off += w->len;
	w->len = 0;
	return ok;
}

bool wbuf_add(struct wbuf *w, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		size_t n = MIN(len, w->cap - w->len);

		memcpy(w->buf + w->len, p, n);
		w->len += n;
		p += n;
		len -= n;
		if (w->len == w->cap && !wbuf_flush(w))
			return false;
	}
	return true;
}

void wbuf_free(struct wbuf *w)
{
	free(w->buf);
	w->buf = NULL;
}
