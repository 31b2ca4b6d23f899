/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flat.h - the makedumpfile flattened format: a 4096-byte header, then
 * records {big-endian int64 offset, int64 size, data}, ended by a record
 * whose offset and size are both -1.
 */
#ifndef MDF_FLAT_H
#define MDF_FLAT_H

#include <stdbool.h>
#include <stdint.h>

#define FLAT_SIGNATURE		"makedumpfile"
#define FLAT_HEADER_SIZE	4096
#define FLAT_TYPE		1
#define FLAT_VERSION		1
#define FLAT_RECORD_HDR		16

/**
 * struct flat_index - where each record of a flattened file lies, so the
 * logical file can be read at random without rebuilding it first.
 */
struct flat_rec {
	uint64_t off;		/* logical offset */
	uint64_t len;
	uint64_t pos;		/* file position of the data */
	uint64_t seq;		/* record number: later records win */
};

struct flat_index {
	struct flat_rec *r;
	size_t n;
};

bool flat_index_build(int fd, const char *path, struct flat_index *fi);
bool flat_index_read(int fd, const struct flat_index *fi, uint64_t off,
		     void *buf, size_t len);
void flat_index_free(struct flat_index *fi);

void flat_make_header(uint8_t hdr[FLAT_HEADER_SIZE]);
void flat_make_record(uint8_t rec[FLAT_RECORD_HDR], int64_t off, int64_t size);
bool flat_is_header(const uint8_t *buf, size_t len);
bool flat_rebuild(int in_fd, const char *out_path, bool force);

#endif /* MDF_FLAT_H */
