// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * freelist.c - exclude free pages by walking zone free lists.
 *
 * For every online node (node_data[], pgdat_list, or contig_page_data on
 * non-NUMA kernels), every zone with pages, every order from the largest
 * down and every migrate type, follow free_area[order].free_list[type]:
 * each entry is the lru list_head of the first struct page of a free block
 * of 2^order pages.  Each entry's prev pointer must point back to the
 * entry before it, and a list may not hold more entries than the machine
 * has pages, so a corrupt or looping list is reported, not followed
 * forever.  The lists are walked again for every cycle, as the bitmaps
 * only hold one cycle.
 */
#include <string.h>

#include "bitmap.h"
#include "filter.h"
#include "freelist.h"
#include "kernel.h"
#include "makedumpfile.h"
#include "memmap.h"

static bool need(const struct kernel *k, enum vmci_kind kind, const char *name,
		 uint64_t *v, bool quiet)
{
	if (vmci_get(&k->vi, kind, name, v))
		return true;
	if (!quiet)
		ERRMSG("Can't exclude free pages: VMCOREINFO lacks %s%s), needed to walk the free lists.\n",
		       vmci_kind_name(kind), name);
	return false;
}

static bool read_ptr(struct kernel *k, uint64_t va, uint64_t *out)
{
	uint8_t b[8];

	if (!arch_read_virt(&k->arch, va, b, k->vc.tgt.ptr_size))
		return false;
	*out = tgetlong(&k->vc.tgt, b);
	return true;
}

static bool find_pgdats(struct freelist *fl, bool quiet)
{
	int n = memmap_find_pgdats(&fl->k->arch, fl->pgdat);

	if (!n && !quiet)
		ERRMSG("Can't exclude free pages: VMCOREINFO has none of SYMBOL(node_data), SYMBOL(pgdat_list), SYMBOL(contig_page_data).\n");
	fl->nr_nodes = MAX(n, 0);
	return n > 0;
}

/**
 * freelist_init - check that the lists can be walked.
 * @quiet: print nothing on failure (the caller will explain)
 */
bool freelist_init(struct freelist *fl, struct kernel *k, bool quiet)
{
	memset(fl, 0, sizeof(*fl));
	fl->k = k;
	if (!need(k, VMCI_OFFSET, "pglist_data.node_zones", &fl->off_node_zones, quiet) ||
	    !need(k, VMCI_OFFSET, "pglist_data.nr_zones", &fl->off_nr_zones, quiet) ||
	    !need(k, VMCI_SIZE, "zone", &fl->size_zone, quiet) ||
	    !need(k, VMCI_OFFSET, "zone.free_area", &fl->off_free_area, quiet) ||
	    !need(k, VMCI_OFFSET, "zone.spanned_pages", &fl->off_spanned, quiet) ||
	    !need(k, VMCI_SIZE, "free_area", &fl->size_free_area, quiet) ||
	    !need(k, VMCI_OFFSET, "free_area.free_list", &fl->off_free_list, quiet) ||
	    !need(k, VMCI_SIZE, "list_head", &fl->size_list_head, quiet) ||
	    !need(k, VMCI_OFFSET, "list_head.next", &fl->off_next, quiet) ||
	    !need(k, VMCI_OFFSET, "list_head.prev", &fl->off_prev, quiet) ||
	    !need(k, VMCI_OFFSET, "page.lru", &fl->off_lru, quiet) ||
	    !need(k, VMCI_LENGTH, "zone.free_area", &fl->nr_orders, quiet))
		return false;
	if (!vmci_length(&k->vi, "free_area.free_list", &fl->nr_types))
		fl->nr_types = 1;	/* one list per order before 2.6.24 */
	if (fl->nr_orders > 64 || fl->nr_types > 64 || !k->mm.n) {
		if (!quiet)
			ERRMSG("Can't exclude free pages: implausible free_area sizes.\n");
		return false;
	}
	return find_pgdats(fl, quiet);
}

/* The pfn of the struct page at @page, from the mem_map ranges. */
static bool page_to_pfn(const struct kernel *k, uint64_t page, uint64_t *pfn)
{
	for (size_t i = 0; i < k->mm.n; i++) {
		const struct mm_range *r = &k->mm.r[i];
		uint64_t n = r->end_pfn - r->start_pfn;

		if (page >= r->mem_map && page - r->mem_map < n * k->pl.size &&
		    !((page - r->mem_map) % k->pl.size)) {
			*pfn = r->start_pfn + (page - r->mem_map) / k->pl.size;
			return true;
		}
	}
	return false;
}

static bool walk_list(struct freelist *fl, uint64_t head, unsigned int order,
		      struct bitmap *bm2, struct filter_stats *st)
{
	struct kernel *k = fl->k;
	uint64_t prev = head, curr, back, pfn, limit = k->max_mapnr + 1;

	if (!read_ptr(k, head + fl->off_next, &curr))
		goto unreadable;
	for (uint64_t n = 0; curr != head; n++) {
		if (n > limit) {
			ERRMSG("The free list at %llx (order %u) loops.\n",
			       (unsigned long long)head, order);
			return false;
		}
		if (!read_ptr(k, curr + fl->off_prev, &back))
			goto unreadable;
		if (back != prev) {
			ERRMSG("The free list is broken: %llx->prev is %llx, not %llx.\n",
			       (unsigned long long)curr, (unsigned long long)back,
			       (unsigned long long)prev);
			return false;
		}
		if (!page_to_pfn(k, curr - fl->off_lru, &pfn)) {
			ERRMSG("The free list at %llx holds %llx, which is no struct page.\n",
			       (unsigned long long)head, (unsigned long long)curr);
			return false;
		}
		for (uint64_t p = MAX(pfn, bm2->start_pfn);
		     p < MIN(pfn + (1ULL << order), bm2->end_pfn); p++)
			if (bitmap_clear(bm2, p) && st)
				st->excluded[PC_FREE]++;
		prev = curr;
		if (!read_ptr(k, curr + fl->off_next, &curr))
			goto unreadable;
	}
	return true;
unreadable:
	ERRMSG("Can't read the free list at %llx.\n", (unsigned long long)head);
	return false;
}

/**
 * freelist_exclude - clear every free page of the cycle from @bm2.
 */
bool freelist_exclude(struct freelist *fl, struct bitmap *bm2,
		      struct filter_stats *st)
{
	struct kernel *k = fl->k;

	for (int n = 0; n < fl->nr_nodes; n++) {
		uint64_t zones = fl->pgdat[n] + fl->off_node_zones;
		uint8_t b[4];
		uint32_t nr_zones;

		if (!arch_read_virt(&k->arch, fl->pgdat[n] + fl->off_nr_zones, b, 4)) {
			ERRMSG("Can't get nr_zones of node %d.\n", n);
			return false;
		}
		nr_zones = tget32(&k->vc.tgt, b);
		for (uint32_t z = 0; z < nr_zones && z < 16; z++) {
			uint64_t zone = zones + z * fl->size_zone, spanned;

			if (!read_ptr(k, zone + fl->off_spanned, &spanned)) {
				ERRMSG("Can't get spanned_pages.\n");
				return false;
			}
			if (!spanned)
				continue;
			for (int order = (int)fl->nr_orders - 1; order >= 0; order--)
				for (uint64_t t = 0; t < fl->nr_types; t++)
					if (!walk_list(fl, zone + fl->off_free_area +
						       fl->size_free_area * (uint64_t)order +
						       fl->off_free_list + fl->size_list_head * t,
						       (unsigned int)order, bm2, st))
						return false;
		}
	}
	return true;
}
