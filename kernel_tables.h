/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel_tables.h - what each generation of the Linux kernel looks like,
 * for whatever its VMCOREINFO does not say.
 */
#ifndef MDF_KERNEL_TABLES_H
#define MDF_KERNEL_TABLES_H

#include <stdbool.h>
#include <stdint.h>

/* How a free (buddy) block head is marked in struct page. */
enum free_marker {
	FM_NONE,		/* nothing: walk the free lists */
	FM_PRIVATE_COUNT,	/* 2.6.15-16: PG_private, _count -1, order in private */
	FM_PG_BUDDY,		/* 2.6.17-2.6.37: the PG_buddy flag */
	FM_MAPCOUNT,		/* 2.6.38+: _mapcount (page_type) == buddy_value */
};

/**
 * struct kernel_era - one range of kernel versions (x86_64).
 *
 * Offsets are -1 and flag bits -1 where the field or flag does not exist.
 * Page-type values are 0 where the kernel has no such type.  Every row
 * names the kernel sources its numbers were checked against.
 */
struct kernel_era {
	unsigned int from, to;		/* inclusive KERNEL_VERSION()s */
	const char *cite;
	/* struct page */
	int size_page;
	int off_flags, off_mapping, off_count, off_mapcount, off_private, off_lru;
	int off_compound_head;
	/* page flags */
	int pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_slab, pg_head;
	int pg_buddy;
	int pg_hugetlb;			/* 6.6-6.8: in the first tail's flags */
	/* free blocks */
	enum free_marker free_marker;
	int32_t buddy_value;
	/* page types (the _mapcount word) */
	uint32_t slab_type, offline_type, hugetlb_type, unaccepted_type;
	/* compound pages: order and destructor in the first tail page */
	bool order_in_flags1;		/* 6.6+: low byte of folio._flags_1 */
	int order_off, dtor_off;	/* in the first tail page; -1: none */
	int order_width, dtor_width;	/* bytes: 1, 2, 4 or 8 */
	int64_t hugetlb_dtor;		/* dtor id; -1: none, a function
					 * pointer (before 4.4) or by flag/type */
};

const struct kernel_era *kernel_era_find(unsigned int version);
const struct kernel_era *kernel_era_newest(void);

#endif /* MDF_KERNEL_TABLES_H */
