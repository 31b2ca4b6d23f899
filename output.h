/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output.h - where the dump goes: a seekable file, the flattened stream
 * on stdout (-F), or nowhere (--dry-run).  Writers address the logical
 * file by offset; the flattened sink turns each write into a record.
 */
#ifndef MDF_OUTPUT_H
#define MDF_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum output_kind { OUT_FILE, OUT_FLAT, OUT_NULL };

struct output {
	enum output_kind kind;
	int fd;
	const char *path;	/* for messages; "STDOUT" when flattened */
	uint64_t bytes;		/* payload bytes written */
	uint64_t size;		/* logical file size so far */
	uint64_t limit;		/* -L: refuse writes beyond this; 0: none */
	uint64_t partial;	/* bytes of the last failed write that landed */
	int error;		/* errno of the first failed write, or 0 */
};

bool output_check_path(const char *path, bool force);
bool output_open(struct output *o, enum output_kind kind, const char *path,
		 bool force);
bool output_write(struct output *o, uint64_t off, const void *buf, size_t len);
bool output_write_after_error(struct output *o, uint64_t off, const void *buf,
			      size_t len);
bool output_full(const struct output *o);
bool output_close(struct output *o);

/**
 * struct wbuf - a write cache for one sequential region of the output.
 */
struct wbuf {
	struct output *o;
	uint64_t off;		/* output offset of buf[0] */
	uint8_t *buf;
	size_t len, cap;
};

void wbuf_init(struct wbuf *w, struct output *o, uint64_t off, size_t cap);
bool wbuf_add(struct wbuf *w, const void *data, size_t len);
bool wbuf_flush(struct wbuf *w);
void wbuf_free(struct wbuf *w);

#endif /* MDF_OUTPUT_H */
