/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * freelist.h - find free pages by walking the buddy allocator's lists,
 * for kernels whose struct page does not mark free blocks (or whose
 * VMCOREINFO does not say how).
 */
#ifndef MDF_FREELIST_H
#define MDF_FREELIST_H

#include <stdbool.h>
#include <stdint.h>

#include "memmap.h"

struct kernel;
struct bitmap;
struct filter_stats;

struct freelist {
	struct kernel *k;
	uint64_t pgdat[MEMMAP_MAX_NODES];	/* online nodes' pglist_data */
	int nr_nodes;
	uint64_t off_node_zones, off_nr_zones, size_zone, off_free_area;
	uint64_t off_spanned, size_free_area, off_free_list, size_list_head;
	uint64_t off_next, off_prev, off_lru, nr_orders, nr_types;
};

bool freelist_init(struct freelist *fl, struct kernel *k, bool quiet);
bool freelist_exclude(struct freelist *fl, struct bitmap *bm2,
		      struct filter_stats *st);

#endif /* MDF_FREELIST_H */
