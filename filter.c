// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * filter.c - decide, one cycle of pfns at a time, which pages exist (1st
 * bitmap) and which are dumped (2nd bitmap).
 *
 * 1st bitmap: pfns [p_paddr / page, (p_paddr + p_memsz) / page) of every
 * PT_LOAD.  2nd bitmap: the 1st, minus pages whose data is not in the file
 * (p_filesz < p_memsz), minus what the struct page scan excludes.  The
 * scan reads struct pages FILTER_BATCH at a time and keeps the state of a
 * multi-page exclusion that crosses the end of a cycle.
 */
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "kernel.h"
#include "makedumpfile.h"

/*
 * Free pages: by the struct page marker when the kernel has one, else by
 * walking the free lists; say which and why (-D).
 */
static bool choose_free_method(struct filter *f)
{
	const struct page_layout *pl = &f->k->pl;

	if (!(f->dump_level & DL_EXCLUDE_FREE))
		return true;
	if (pl->buddy != BUDDY_NONE) {
		DEBUG_MSG("Free pages: struct page %s (%s)\n",
			  pl->buddy == BUDDY_MAPCOUNT ? "_mapcount/page_type value" :
			  "PG_buddy flag", pl->buddy_why);
		return true;
	}
	DEBUG_MSG("Free pages: walking the zone free lists (%s)\n", pl->buddy_why);
	if (!freelist_init(&f->fl, f->k, false))
		return false;
	f->walk_freelist = true;
	return true;
}

bool filter_init(struct filter *f, struct kernel *k, int dump_level)
{
	memset(f, 0, sizeof(*f));
	f->k = k;
	f->dump_level = dump_level;
	f->scan = k->has_layout && k->mm.n &&
		  pageflags_needs_scan(&k->pl, dump_level);
	if (f->scan)
		f->batch = xmalloc((size_t)(k->pl.size * FILTER_BATCH));
	DEBUG_MSG("struct page scan: %s\n", f->scan ? "yes" : "no");
	if (!k->has_layout)
		return true;
	return choose_free_method(f);
}

/* Start a new pass over all cycles; count into @stats unless NULL. */
void filter_rewind(struct filter *f, struct filter_stats *stats)
{
	f->pending_end = 0;
	f->batch_start = f->batch_end = 0;
	f->stats = stats;
}

void filter_fini(struct filter *f)
{
	free(f->batch);
	f->batch = NULL;
}

static void exclude(struct filter *f, struct bitmap *bm2, uint64_t start,
		    uint64_t end, enum page_class cls)
{
	uint64_t stop = MIN(end, bm2->end_pfn);

	for (uint64_t pfn = start; pfn < stop; pfn++)
		if (bitmap_clear(bm2, pfn) && f->stats)
			f->stats->excluded[cls]++;
	if (end > bm2->end_pfn) {
		f->pending_end = end;
		f->pending_class = cls;
	}
}

/* Make sure the struct page of @pfn is in the batch buffer. */
static const uint8_t *struct_page(struct filter *f, const struct mm_range *r,
				  uint64_t pfn)
{
	uint64_t size = f->k->pl.size;

	if (pfn < f->batch_start || pfn >= f->batch_end) {
		uint64_t end = MIN(ROUND_DOWN(pfn, FILTER_BATCH) + FILTER_BATCH,
				   r->end_pfn);

		if (!arch_read_virt(&f->k->arch, r->mem_map + (pfn - r->start_pfn) * size,
				    f->batch, (size_t)((end - pfn) * size))) {
			ERRMSG("Can't read the buffer of struct page (pfn %llx, mem_map %llx).\n",
			       (unsigned long long)pfn,
			       (unsigned long long)(r->mem_map +
						    (pfn - r->start_pfn) * size));
			return NULL;
		}
		f->batch_start = pfn;
		f->batch_end = end;
	}
	return f->batch + (pfn - f->batch_start) * size;
}

static bool scan_range(struct filter *f, const struct mm_range *r,
		       const struct bitmap *bm1, struct bitmap *bm2)
{
	struct kernel *k = f->k;
	uint64_t start = MAX(MAX(r->start_pfn, bm2->start_pfn), f->pending_end);
	uint64_t end = MIN(r->end_pfn, bm2->end_pfn);

	for (uint64_t pfn = start; pfn < end; pfn++) {
		const uint8_t *pg, *next = NULL;
		enum page_class cls;
		uint64_t nr;

		if (!vmcore_pfn_in_segs(&k->vc, pfn, bm1))
			continue;
		pg = struct_page(f, r, pfn);
		if (!pg)
			return false;
		/* As upstream, the last struct page of a batch is never a head. */
		if ((pfn % FILTER_BATCH) != FILTER_BATCH - 1 && pfn + 1 < f->batch_end)
			next = pg + k->pl.size;
		cls = classify_page(&k->pl, pg, next, pfn, f->dump_level, &nr);
		if (cls == PC_KEEP || cls == PC_TAIL)
			continue;
		exclude(f, bm2, pfn, pfn + nr, cls);
		pfn += nr - 1;
	}
	return true;
}

/**
 * filter_cycle - fill @bm1 and @bm2 for the cycle they were reset to.
 */
bool filter_cycle(struct filter *f, struct bitmap *bm1, struct bitmap *bm2)
{
	if (!vmcore_fill_bitmaps(&f->k->vc, bm1, bm2))
		return false;
	if (f->stats)
		f->stats->present += bitmap_count(bm1);
	if (f->pending_end > bm2->start_pfn)
		exclude(f, bm2, bm2->start_pfn, f->pending_end, f->pending_class);
	for (size_t i = 0; f->scan && i < f->k->mm.n; i++) {
		const struct mm_range *r = &f->k->mm.r[i];

		if (r->end_pfn <= bm2->start_pfn || r->start_pfn >= bm2->end_pfn)
			continue;
		if (!scan_range(f, r, bm1, bm2))
			return false;
	}
	return !f->walk_freelist || freelist_exclude(&f->fl, bm2, f->stats);
}
