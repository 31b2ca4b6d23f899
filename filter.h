/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter.h - build the 1st and 2nd bitmaps of one cycle.
 */
#ifndef MDF_FILTER_H
#define MDF_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "bitmap.h"
#include "freelist.h"
#include "pageflags.h"

struct kernel;

struct filter_stats {
	uint64_t excluded[PC_NR];	/* by enum page_class */
	uint64_t zero;
	uint64_t present;		/* pfns set in the 1st bitmap */
};

/**
 * struct filter - state carried from one cycle to the next.
 * @pending_end: a free block or compound page excluded near the end of the
 *	previous cycle reaches up to here; those pfns are cleared and not
 *	scanned again
 */
struct filter {
	struct kernel *k;
	int dump_level;
	bool scan;
	uint8_t *batch;			/* struct pages of up to BATCH pfns */
	uint64_t batch_start, batch_end;
	uint64_t pending_end;
	enum page_class pending_class;
	struct filter_stats *stats;	/* NULL: don't count (second pass) */
	bool walk_freelist;		/* -d 16 by the free lists */
	struct freelist fl;
};

#define FILTER_BATCH 512

bool filter_init(struct filter *f, struct kernel *k, int dump_level);
void filter_rewind(struct filter *f, struct filter_stats *stats);
void filter_fini(struct filter *f);
bool filter_cycle(struct filter *f, struct bitmap *bm1, struct bitmap *bm2);

#endif /* MDF_FILTER_H */
