/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pageflags.h - how to read a struct page of the dumped kernel and decide
 * which dump-level class it falls in.
 */
#ifndef MDF_PAGEFLAGS_H
#define MDF_PAGEFLAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "endian.h"
#include "vmcoreinfo.h"

enum page_class {
	PC_KEEP = 0,
	PC_TAIL,		/* compound tail: its head decided */
	PC_FREE,		/* buddy free block (or unaccepted) */
	PC_CACHE,		/* non-private page cache */
	PC_CACHE_PRIVATE,	/* page cache with PG_private */
	PC_USER,		/* anonymous or hugetlbfs */
	PC_HWPOISON,
	PC_OFFLINE,
	PC_NR,
};

/* How a free (buddy) block head is recognised. */
enum buddy_method {
	BUDDY_NONE,
	BUDDY_MAPCOUNT,		/* _mapcount/page_type == value */
	BUDDY_PG_FLAG,		/* flags & (1 << PG_buddy) */
	BUDDY_PRIVATE_COUNT,	/* PG_private with _count -1 (2.6.15-16) */
};

/* Where the order of a compound page is stored (in the first tail). */
enum order_source {
	ORDER_NONE,
	ORDER_FIELD,		/* a byte/short at @order_off of the first tail */
	ORDER_FLAGS1,		/* low byte of the first tail's flags (6.6+) */
};

enum hugetlb_source {
	HUGETLB_NONE,
	HUGETLB_DTOR,		/* compound_dtor equals @hugetlb_value */
	HUGETLB_PG_FLAG,	/* first tail's flags has bit @hugetlb_value, or
				 * (stable backports) @hugetlb_type, if set */
	HUGETLB_PAGE_TYPE,	/* head's _mapcount equals @hugetlb_type */
};

/**
 * struct page_layout - everything needed to classify one struct page.
 *
 * Filled from VMCOREINFO, with per-kernel-version table rows for what
 * the kernel did not export.  A missing optional field has its has_*
 * flag clear.
 */
struct page_layout {
	struct target tgt;
	unsigned int version;		/* KERNEL_VERSION() of OSRELEASE */
	uint64_t size;			/* SIZE(page) */
	uint64_t off_flags, off_count, off_mapping;
	uint64_t off_mapcount, off_private, off_compound_head;
	bool has_mapcount, has_private, has_compound_head;

	int pg_lru, pg_private, pg_swapcache, pg_swapbacked;	/* -1: none */
	int pg_slab, pg_hwpoison, pg_buddy;
	uint64_t head_mask;

	enum buddy_method buddy;
	const char *buddy_why;		/* where the method came from, for -D */
	uint32_t buddy_value;
	uint64_t max_order;		/* LENGTH(zone.free_area), 0 if unknown */
	bool has_slab_type, has_offline_type, has_unaccepted_type;
	uint32_t slab_type, offline_type, unaccepted_type;

	enum order_source order_src;
	uint64_t order_off;
	unsigned int order_width;	/* 1 or 2 bytes */
	enum hugetlb_source hugetlb;
	uint64_t dtor_off;
	unsigned int dtor_width;	/* 1, 2 or 8 bytes */
	uint64_t hugetlb_value;
	uint32_t hugetlb_type;
};

bool pageflags_init(struct page_layout *pl, const struct vmcoreinfo *vi,
		    const struct target *tgt);
bool pageflags_needs_scan(const struct page_layout *pl, int dump_level);

/**
 * classify_page - apply upstream's rules to one struct page.
 * @pg:		the struct page of @pfn
 * @next:	the following struct page (first tail), or NULL if unknown
 * @nr_pages:	out: how many pfns from @pfn the verdict covers
 */
enum page_class classify_page(const struct page_layout *pl, const uint8_t *pg,
			      const uint8_t *next, uint64_t pfn, int dump_level,
			      uint64_t *nr_pages);

#endif /* MDF_PAGEFLAGS_H */
