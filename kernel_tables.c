// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kernel_tables.c - per-generation facts about x86_64 kernels, used only
 * for what a kernel's VMCOREINFO does not export (VMCOREINFO always wins).
 *
 * Checked by compiling each release's enum pageflags and struct page with
 * a distribution config (gcc -E, gdb ptype /o) for 2.6.15-2.6.32 release
 * commits and snapshot trees of 3.1, 3.10, 4.4, 4.9, 4.10, 4.16-4.19,
 * 5.4, 5.10, 6.1-6.3, 6.5, 6.6, 6.8-6.12, 6.14, 6.17, 7.0 and 7.1.
 * Sources: include/linux/mm_types.h (struct page), include/linux/page-flags.h
 * (enum pageflags, page types), mm/internal.h and include/linux/mm.h (buddy
 * markers) of the versions named in each row, for a distribution-like
 * x86_64 configuration (SMP, NUMA, SPARSEMEM_VMEMMAP, SLUB, THP, HUGETLBFS,
 * MEMCG; X86_PAT gives PG_uncached).  PG_hwpoison depends on the
 * configuration (MEMORY_FAILURE), so it is never taken from this table.
 * PG_swapbacked is -1 before 4.10, when PG_swapcache was a flag of its
 * own and needed no PG_swapbacked beside it.
 */
#include "kernel_tables.h"
#include "makedumpfile.h"
#include "pageflags.h"

#define V(a, b, c)	KERNEL_VERSION(a, b, c)

/* struct page layouts (offsets in bytes) */
#define PAGE_2_6	/* 2.6.15-3.0 */					\
	.size_page = 56, .off_flags = 0, .off_count = 8, .off_mapcount = 12,	\
	.off_private = 16, .off_mapping = 24, .off_lru = 40,			\
	.off_compound_head = -1
#define PAGE_3_1	/* 3.1-4.3: mapping first, counters at 24, 16-aligned */ \
	.size_page = 64, .off_flags = 0, .off_mapping = 8, .off_mapcount = 24,	\
	.off_count = 28, .off_lru = 32, .off_private = 48,			\
	.off_compound_head = -1
#define PAGE_4_4	/* 4.4-4.17: compound_head overlays lru.next */	\
	.size_page = 64, .off_flags = 0, .off_mapping = 8, .off_mapcount = 24,	\
	.off_count = 28, .off_lru = 32, .off_private = 48,			\
	.off_compound_head = 32
#define PAGE_4_18	/* 4.18+ */						\
	.size_page = 64, .off_flags = 0, .off_lru = 8, .off_compound_head = 8,	\
	.off_mapping = 24, .off_private = 40, .off_mapcount = 48,		\
	.off_count = 52

#define FLAGS(lru, private, swapcache, swapbacked, slab, head)		\
	.pg_lru = (lru), .pg_private = (private), .pg_swapcache = (swapcache), \
	.pg_swapbacked = (swapbacked), .pg_slab = (slab), .pg_head = (head)

/* free-block markers */
#define PRIVATE_COUNT	.free_marker = FM_PRIVATE_COUNT, .pg_buddy = -1
#define PG_BUDDY(bit)	.free_marker = FM_PG_BUDDY, .pg_buddy = (bit)
#define MAPCOUNT(val)	.free_marker = FM_MAPCOUNT, .pg_buddy = -1,		\
			.buddy_value = (int32_t)(val)

/* where a compound page keeps its order and destructor (first tail page) */
#define COMPOUND_FIELDS(order, dtor, width, hugetlb_id)			\
	.order_off = (order), .dtor_off = (dtor), .order_width = (width),	\
	.dtor_width = (width), .hugetlb_dtor = (hugetlb_id), .pg_hugetlb = -1
#define COMPOUND_FLAGS1(hugetlb_bit)	/* 6.6+: order in _flags_1 */	\
	.order_in_flags1 = true, .order_off = -1, .dtor_off = -1,		\
	.order_width = 1, .dtor_width = 1, .hugetlb_dtor = -1,			\
	.pg_hugetlb = (hugetlb_bit)

/* page types: the _mapcount word of a page that is not mapped */
#define TYPE_OFFLINE_5_1	0xfffffeffU	/* PG_offline 0x100 cleared */
#define TYPE_HUGETLB_6_9	0xfffff7ffU	/* PG_hugetlb 0x800 cleared */
#define TYPE_SLAB_6_10		0xffffefffU	/* PG_slab 0x1000 cleared */

static const struct kernel_era eras[] = {
	{ V(2, 6, 15), V(2, 6, 15),
	  "2.6.15 mm/page_alloc.c: free block = PagePrivate with page_count 0, order in private; compound order in page[1].index, dtor in page[1].mapping",
	  PAGE_2_6, FLAGS(5, 11, 15, -1, 7, 14), PRIVATE_COUNT,
	  COMPOUND_FIELDS(32, 24, 8, -1) },
	{ V(2, 6, 16), V(2, 6, 16),
	  "2.6.16 mm/page_alloc.c: free block = PagePrivate with page_count 0; compound dtor/order in page[1].lru",
	  PAGE_2_6, FLAGS(5, 11, 15, -1, 7, 14), PRIVATE_COUNT,
	  COMPOUND_FIELDS(48, 40, 8, -1) },
	{ V(2, 6, 17), V(2, 6, 25),
	  "2.6.17/2.6.24 include/linux/page-flags.h: #define PG_buddy 19",
	  PAGE_2_6, FLAGS(5, 11, 15, -1, 7, 14), PG_BUDDY(19),
	  COMPOUND_FIELDS(48, 40, 8, -1) },
	{ V(2, 6, 26), V(2, 6, 29),
	  "2.6.26-2.6.29 include/linux/page-flags.h: enum pageflags, PG_buddy 18, PG_head 13",
	  PAGE_2_6, FLAGS(5, 11, 15, -1, 7, 13), PG_BUDDY(18),
	  COMPOUND_FIELDS(48, 40, 8, -1) },
	{ V(2, 6, 30), V(2, 6, 37),
	  "2.6.32/2.6.34/2.6.37 enum pageflags (PG_private_2 added): PG_buddy 19",
	  PAGE_2_6, FLAGS(5, 11, 16, -1, 7, 14), PG_BUDDY(19),
	  COMPOUND_FIELDS(48, 40, 8, -1) },
	{ V(2, 6, 38), V(2, 6, 38),
	  "2.6.38 mm/internal.h: PAGE_BUDDY_MAPCOUNT_VALUE (-2)",
	  PAGE_2_6, FLAGS(5, 11, 16, -1, 7, 14), MAPCOUNT(-2),
	  COMPOUND_FIELDS(48, 40, 8, -1) },
	{ V(2, 6, 39), V(3, 0, 255),
	  "2.6.39/3.0 include/linux/mm.h: PAGE_BUDDY_MAPCOUNT_VALUE (-128)",
	  PAGE_2_6, FLAGS(5, 11, 16, -1, 7, 14), MAPCOUNT(-128),
	  COMPOUND_FIELDS(48, 40, 8, -1) },
	{ V(3, 1, 0), V(4, 3, 255),
	  "3.1/3.8/3.14 include/linux/mm_types.h (mapping first), mm.h -128",
	  PAGE_3_1, FLAGS(5, 11, 16, -1, 7, 14), MAPCOUNT(-128),
	  COMPOUND_FIELDS(40, 32, 8, -1) },
	{ V(4, 4, 0), V(4, 9, 255),
	  "4.4 mm_types.h: unsigned int compound_dtor/order at 40/44, dtor ids (HUGETLB 2)",
	  PAGE_4_4, FLAGS(5, 11, 15, -1, 7, 14), MAPCOUNT(-128),
	  COMPOUND_FIELDS(44, 40, 4, 2) },
	{ V(4, 10, 0), V(4, 15, 255),
	  "4.10 page-flags.h: PG_waiters, PG_swapcache = PG_owner_priv_1",
	  PAGE_4_4, FLAGS(5, 12, 9, 18, 8, 15), MAPCOUNT(-128),
	  COMPOUND_FIELDS(44, 40, 4, 2) },
	{ V(4, 16, 0), V(4, 17, 255),
	  "4.16 mm_types.h: compound_dtor/order are bytes at 40/41",
	  PAGE_4_4, FLAGS(5, 12, 9, 18, 8, 15), MAPCOUNT(-128),
	  COMPOUND_FIELDS(41, 40, 1, 2) },
	{ V(4, 18, 0), V(4, 19, 255),
	  "4.18/4.19 page-flags.h: page_type, PageBuddy clears 0x80 (-129)",
	  PAGE_4_18, FLAGS(5, 12, 9, 18, 8, 15), MAPCOUNT(-129),
	  COMPOUND_FIELDS(17, 16, 1, 2) },
	{ V(4, 20, 0), V(5, 0, 255),
	  "5.0 page-flags.h: PG_workingset shifts the flags",
	  PAGE_4_18, FLAGS(4, 13, 10, 19, 9, 16), MAPCOUNT(-129),
	  COMPOUND_FIELDS(17, 16, 1, 2) },
	{ V(5, 1, 0), V(6, 2, 255),
	  "5.4/5.10/6.1 page-flags.h: PageOffline clears 0x100 (-257)",
	  PAGE_4_18, FLAGS(4, 13, 10, 19, 9, 16), MAPCOUNT(-129),
	  .offline_type = TYPE_OFFLINE_5_1, COMPOUND_FIELDS(17, 16, 1, 2) },
	{ V(6, 3, 0), V(6, 5, 255),
	  "6.3 mm_types.h: folio._folio_dtor/_folio_order (second page +16/+17)",
	  PAGE_4_18, FLAGS(4, 13, 10, 19, 9, 16), MAPCOUNT(-129),
	  .offline_type = TYPE_OFFLINE_5_1, COMPOUND_FIELDS(17, 16, 1, 2) },
	/*
	 * 6.6.47+ and 6.8 stable kernels backported hugetlb as a page type
	 * (6.9's value): it is tested beside PG_hugetlb, which they no
	 * longer set.
	 */
	{ V(6, 6, 0), V(6, 8, 255),
	  "6.6 mm_types.h: order in folio._flags_1 low byte, PG_hugetlb 8 there; page-flags.h reordered (PG_head 6)",
	  PAGE_4_18, FLAGS(5, 15, 12, 19, 11, 6), MAPCOUNT(-129),
	  .offline_type = TYPE_OFFLINE_5_1, .hugetlb_type = TYPE_HUGETLB_6_9,
	  COMPOUND_FLAGS1(8) },
	{ V(6, 9, 0), V(6, 9, 255),
	  "6.9 page-flags.h: PageHugetlb is a page type (clears 0x800)",
	  PAGE_4_18, FLAGS(5, 15, 12, 19, 11, 6), MAPCOUNT(-129),
	  .offline_type = TYPE_OFFLINE_5_1, .hugetlb_type = TYPE_HUGETLB_6_9,
	  COMPOUND_FLAGS1(-1) },
	{ V(6, 10, 0), V(6, 10, 255),
	  "6.10 page-flags.h: PageSlab is a page type (clears 0x1000), no PG_slab",
	  PAGE_4_18, FLAGS(5, 14, 11, 18, -1, 6), MAPCOUNT(-129),
	  .slab_type = TYPE_SLAB_6_10, .offline_type = TYPE_OFFLINE_5_1,
	  .hugetlb_type = TYPE_HUGETLB_6_9, COMPOUND_FLAGS1(-1) },
	{ V(6, 11, 0), V(6, 11, 255),
	  "6.11.11 page-flags.h: types below 0x80000000, PG_head 6",
	  PAGE_4_18, FLAGS(5, 14, 11, 18, -1, 6), MAPCOUNT(0xbfffffffU),
	  .slab_type = 0xfdffffffU, .offline_type = 0xdfffffffU,
	  .hugetlb_type = 0xfbffffffU, COMPOUND_FLAGS1(-1) },
	{ V(6, 12, 0), V(6, 15, 255),
	  "6.12/6.14 page-flags.h: one page type in the top byte (PGTY_buddy 0xf0), PG_swapcache 10, PG_swapbacked 17",
	  PAGE_4_18, FLAGS(5, 14, 10, 17, -1, 6), MAPCOUNT(0xf0000000U),
	  .slab_type = 0xf5000000U, .offline_type = 0xf1000000U,
	  .hugetlb_type = 0xf4000000U, COMPOUND_FLAGS1(-1) },
	{ V(6, 16, 0), V(7, 1, 255),
	  "6.16 page-flags.h: PGTY_unaccepted 0xf7; 7.1 compound_info rename",
	  PAGE_4_18, FLAGS(5, 14, 10, 17, -1, 6), MAPCOUNT(0xf0000000U),
	  .slab_type = 0xf5000000U, .offline_type = 0xf1000000U,
	  .hugetlb_type = 0xf4000000U, .unaccepted_type = 0xf7000000U,
	  COMPOUND_FLAGS1(-1) },
};

/*
 * For a kernel whose OSRELEASE names no version: nothing is assumed but
 * upstream makedumpfile's own defaults for the oldest kernels' flags; free
 * pages are found through the free lists.
 */
static const struct kernel_era unknown = {
	0, 0, "OSRELEASE names no kernel version: nothing assumed",
	.size_page = -1, .off_flags = -1, .off_mapping = -1, .off_count = -1,
	.off_mapcount = -1, .off_private = -1, .off_lru = -1,
	.off_compound_head = -1, FLAGS(5, 11, 15, -1, 7, 14),
	.free_marker = FM_NONE, .pg_buddy = -1, COMPOUND_FIELDS(-1, -1, 1, -1),
};

const struct kernel_era *kernel_era_newest(void)
{
	return &eras[ARRAY_SIZE(eras) - 1];
}

/*
 * The row for @version; a row of unknowns for a version before 2.6.15 or
 * none at all (0); for newer kernels the newest row, with one warning, since
 * VMCOREINFO may not say everything that changed.
 */
const struct kernel_era *kernel_era_find(unsigned int version)
{
	const struct kernel_era *newest = kernel_era_newest();

	if (!version || version < eras[0].from)
		return &unknown;
	for (size_t i = 0; i < ARRAY_SIZE(eras); i++)
		if (version >= eras[i].from && version <= eras[i].to)
			return &eras[i];
	MSG("WARNING: kernel %u.%u is newer than the newest this version knows (%u.%u); using that layout and what VMCOREINFO says.\n",
	    version >> 16, (version >> 8) & 255, newest->to >> 16, (newest->to >> 8) & 255);
	return newest;
}
