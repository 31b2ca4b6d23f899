/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bitmap.h - one cycle's window of a pfn bitmap (bit = pfn & 7 of byte
 * pfn >> 3, LSB first, as the kdump format stores it).
 */
#ifndef MDF_BITMAP_H
#define MDF_BITMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct bitmap {
	uint8_t *buf;
	uint64_t start_pfn;	/* multiple of 8 */
	uint64_t end_pfn;	/* exclusive */
	uint64_t cap_pfns;
	size_t map_len;		/* non-zero when file-backed (--work-dir) */
};

void bitmap_alloc(struct bitmap *bm, uint64_t cap_pfns);
bool bitmap_alloc_file(struct bitmap *bm, uint64_t cap_pfns, const char *dir);
void bitmap_free(struct bitmap *bm);
void bitmap_reset(struct bitmap *bm, uint64_t start_pfn, uint64_t end_pfn);
void bitmap_set_range(struct bitmap *bm, uint64_t start, uint64_t end);
void bitmap_clear_range(struct bitmap *bm, uint64_t start, uint64_t end);
uint64_t bitmap_count(const struct bitmap *bm);
uint64_t bitmap_count_range(const struct bitmap *bm, uint64_t start, uint64_t end);
uint64_t bitmap_next_set(const struct bitmap *bm, uint64_t pfn);
size_t bitmap_bytes(const struct bitmap *bm);

static inline bool bitmap_test(const struct bitmap *bm, uint64_t pfn)
{
	uint64_t i = pfn - bm->start_pfn;

	return (bm->buf[i >> 3] >> (i & 7)) & 1;
}

/* Clear one bit; return whether it was set. */
static inline bool bitmap_clear(struct bitmap *bm, uint64_t pfn)
{
	uint64_t i = pfn - bm->start_pfn;
	uint8_t mask = (uint8_t)(1u << (i & 7));
	bool was = bm->buf[i >> 3] & mask;

	bm->buf[i >> 3] &= (uint8_t)~mask;
	return was;
}

#endif /* MDF_BITMAP_H */
