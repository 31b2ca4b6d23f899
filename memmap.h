/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memmap.h - where the struct page array of each pfn range lives.
 */
#ifndef MDF_MEMMAP_H
#define MDF_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>

struct arch_ctx;

#define MEMMAP_MAX_NODES	1024	/* MAX_NUMNODES, NODES_SHIFT 10 at most */

/**
 * struct mm_range - pfns [@start_pfn, @end_pfn) whose struct pages are
 * contiguous in kernel virtual memory starting at @mem_map.
 */
struct mm_range {
	uint64_t start_pfn;
	uint64_t end_pfn;
	uint64_t mem_map;
};

struct memmap {
	struct mm_range *r;
	size_t n;
	const char *model;	/* "SPARSEMEM_EX", "SPARSEMEM", "DISCONTIGMEM", "FLATMEM" */
};

bool memmap_discover(struct arch_ctx *ctx, uint64_t page_size,
		     uint64_t size_page, uint64_t max_mapnr, struct memmap *mm);
void memmap_free(struct memmap *mm);
uint64_t memmap_end_pfn(const struct memmap *mm);
int memmap_find_pgdats(struct arch_ctx *ctx, uint64_t *pgdat);

#endif /* MDF_MEMMAP_H */
