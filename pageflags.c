// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pageflags.c - classify struct pages the way upstream makedumpfile does.
 *
 * The layout comes from VMCOREINFO first.  What a kernel did not export
 * comes from kernel_eras[], one row per range of kernel versions, so a
 * new kernel generation is a new row, not new code.  The rules, in the
 * order upstream applies them (first match wins):
 *   compound tail -> skipped (its head decided for it)
 *   buddy head (-d 16)           -> 2^private pages
 *   unaccepted (-d 16)           -> 2^(MAX_ORDER) pages
 *   cache, not private, not anon (-d 2)
 *   cache, not anon (-d 4)
 *   anon (not slab) or hugetlb (-d 8)
 *   hwpoison, offline            -> always
 * A compound head's verdict covers 2^order pages.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel_tables.h"
#include "makedumpfile.h"
#include "pageflags.h"
#include "vmcoreinfo.h"

#define PAGE_MAPPING_ANON	0x1ULL

static int number_or(const struct vmcoreinfo *vi, const char *name, int def)
{
	int64_t v;

	return vmci_number(vi, name, &v) ? (int)v : def;
}

static bool type_value(const struct vmcoreinfo *vi, const char *name,
		       uint32_t *out)
{
	int64_t v;

	if (!vmci_number(vi, name, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* OFFSET(@name), else this generation's offset when it has the field. */
static bool offset_or(const struct vmcoreinfo *vi, const char *name, int def,
		      uint64_t *out)
{
	if (vmci_offset(vi, name, out))
		return true;
	if (def < 0)
		return false;
	*out = (uint64_t)def;
	return true;
}

/* offset_or(), or an error when neither VMCOREINFO nor the row has it */
static bool required_offset(const struct vmcoreinfo *vi, const char *name, int def,
			    uint64_t *out, const char *why)
{
	if (offset_or(vi, name, def, out))
		return true;
	ERRMSG("VMCOREINFO lacks OFFSET(%s), needed %s.\n", name, why);
	return false;
}

static void init_flags(struct page_layout *pl, const struct vmcoreinfo *vi,
		       const struct kernel_era *era)
{
	int64_t v;

	pl->pg_lru = number_or(vi, "PG_lru", era->pg_lru);
	pl->pg_private = number_or(vi, "PG_private", era->pg_private);
	pl->pg_swapcache = number_or(vi, "PG_swapcache", era->pg_swapcache);
	pl->pg_swapbacked = number_or(vi, "PG_swapbacked", era->pg_swapbacked);
	pl->pg_slab = number_or(vi, "PG_slab", era->pg_slab);
	/* MEMORY_FAILURE is a config option: only what the kernel says */
	pl->pg_hwpoison = number_or(vi, "PG_hwpoison", -1);
	pl->pg_buddy = number_or(vi, "PG_buddy", -1);
	pl->head_mask = vmci_number(vi, "PG_head_mask", &v) ? (uint64_t)v
							   : 1ULL << era->pg_head;
	pl->has_slab_type = type_value(vi, "PAGE_SLAB_MAPCOUNT_VALUE", &pl->slab_type) ||
			    (era->slab_type && (pl->slab_type = era->slab_type, true));
	pl->has_offline_type = type_value(vi, "PAGE_OFFLINE_MAPCOUNT_VALUE",
					  &pl->offline_type) ||
			       (era->offline_type && (pl->offline_type = era->offline_type, true));
	pl->has_unaccepted_type = type_value(vi, "PAGE_UNACCEPTED_MAPCOUNT_VALUE",
					     &pl->unaccepted_type) ||
				  (era->unaccepted_type &&
				   (pl->unaccepted_type = era->unaccepted_type, true));
	if (!vmci_length(vi, "zone.free_area", &pl->max_order))
		pl->max_order = 0;
}

/*
 * How free blocks are recognised, in upstream's order of preference: the
 * exported _mapcount/page_type value, then PG_buddy, then this kernel
 * generation's known value; otherwise (BUDDY_NONE) the free lists are
 * walked.  @pl->buddy_why says which and why, for -D.
 */
static void init_buddy(struct page_layout *pl, const struct vmcoreinfo *vi,
		       const struct kernel_era *era)
{
	int64_t v;

	pl->buddy = BUDDY_NONE;
	if (!pl->has_private) {
		pl->buddy_why = "no OFFSET(page.private) (the block order)";
		return;
	}
	if (vmci_number(vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &v)) {
		pl->buddy_why = "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE) in VMCOREINFO";
	} else if (pl->pg_buddy >= 0) {
		pl->buddy = BUDDY_PG_FLAG;
		pl->buddy_why = "NUMBER(PG_buddy) in VMCOREINFO";
		return;
	} else if (era->free_marker == FM_MAPCOUNT) {
		v = era->buddy_value;
		pl->buddy_why = era->cite;
	} else if (era->free_marker == FM_PG_BUDDY) {
		pl->pg_buddy = era->pg_buddy;
		pl->buddy = BUDDY_PG_FLAG;
		pl->buddy_why = era->cite;
		return;
	} else if (era->free_marker == FM_PRIVATE_COUNT) {
		pl->buddy = BUDDY_PRIVATE_COUNT;
		pl->buddy_why = era->cite;
		return;
	} else {
		pl->buddy_why = "this kernel marks no free block in struct page";
		return;
	}
	if (!pl->has_mapcount) {
		pl->buddy_why = "no OFFSET(page._mapcount)";
		return;
	}
	pl->buddy = BUDDY_MAPCOUNT;
	pl->buddy_value = (uint32_t)v;
}

static bool has_offset(const struct vmcoreinfo *vi, const char *name)
{
	uint64_t v;

	return vmci_offset(vi, name, &v);
}

/* Where the first tail page keeps the order: VMCOREINFO, else the row. */
static void init_compound_order(struct page_layout *pl, const struct vmcoreinfo *vi,
				const struct kernel_era *era, bool *from_vmci)
{
	uint64_t off;

	*from_vmci = true;
	if (vmci_offset(vi, "folio._folio_order", &off) && off >= pl->size) {
		pl->order_off = off - pl->size;
	} else if (vmci_offset(vi, "page.compound_order", &off)) {
		pl->order_off = off;
	} else {
		*from_vmci = false;
		if (era->order_off >= 0)
			pl->order_off = (uint64_t)era->order_off;
	}
	pl->order_src = pl->order_off ? ORDER_FIELD : ORDER_NONE;
}

/* Where it keeps the destructor, and which value means hugetlbfs. */
static void init_compound_dtor(struct page_layout *pl, const struct vmcoreinfo *vi,
			       const struct kernel_era *era, bool *from_vmci)
{
	uint64_t off;
	int64_t v;

	*from_vmci = true;
	if (vmci_offset(vi, "folio._folio_dtor", &off) && off >= pl->size) {
		pl->dtor_off = off - pl->size;
	} else if (vmci_offset(vi, "page.compound_dtor", &off)) {
		pl->dtor_off = off;
	} else {
		*from_vmci = false;
		if (era->dtor_off >= 0)
			pl->dtor_off = (uint64_t)era->dtor_off;
	}
	if (!pl->dtor_off)
		return;
	pl->hugetlb = HUGETLB_DTOR;
	if (vmci_number(vi, "HUGETLB_PAGE_DTOR", &v))
		pl->hugetlb_value = (uint64_t)v;
	else if (era->hugetlb_dtor >= 0)	/* 4.4+: an id, whatever SYMBOL says */
		pl->hugetlb_value = (uint64_t)era->hugetlb_dtor;
	else if (vmci_symbol(vi, "free_huge_page", &off))	/* before 4.4 */
		pl->hugetlb_value = off;
	else
		pl->hugetlb = HUGETLB_NONE;
}

/*
 * Where compound order and the hugetlb marker live: VMCOREINFO in
 * upstream's order of preference, else, field by field, this kernel
 * generation's row.  Field widths come from the row; two adjacent fields
 * are bytes whatever the version says (4.16+ layouts exported by an
 * unknown version).
 */
static void init_compound(struct page_layout *pl, const struct vmcoreinfo *vi,
			  const struct kernel_era *era)
{
	bool order_vmci, dtor_vmci, flag_key;
	int64_t v;

	pl->order_width = (unsigned int)era->order_width;
	pl->dtor_width = (unsigned int)era->dtor_width;
	if (vmci_number(vi, "PAGE_HUGETLB_MAPCOUNT_VALUE", &v)) {
		pl->order_src = ORDER_FLAGS1;
		pl->hugetlb = HUGETLB_PAGE_TYPE;
		pl->hugetlb_type = (uint32_t)v;
		return;
	}
	flag_key = vmci_number(vi, "PG_hugetlb", &v);
	if (flag_key || (era->order_in_flags1 && era->pg_hugetlb >= 0)) {
		pl->order_src = ORDER_FLAGS1;
		pl->hugetlb = HUGETLB_PG_FLAG;
		pl->hugetlb_value = flag_key ? (uint64_t)v : (uint64_t)era->pg_hugetlb;
		pl->hugetlb_type = era->hugetlb_type;	/* stable backports */
		return;
	}
	if (era->order_in_flags1 && !has_offset(vi, "page.compound_order") &&
	    !has_offset(vi, "folio._folio_order")) {
		pl->order_src = ORDER_FLAGS1;
		pl->hugetlb = era->hugetlb_type ? HUGETLB_PAGE_TYPE : HUGETLB_NONE;
		pl->hugetlb_type = era->hugetlb_type;
		return;
	}
	init_compound_order(pl, vi, era, &order_vmci);
	init_compound_dtor(pl, vi, era, &dtor_vmci);
	if ((order_vmci || dtor_vmci) && pl->order_off && pl->dtor_off &&
	    (pl->order_off == pl->dtor_off + 1 || pl->dtor_off == pl->order_off + 1))
		pl->order_width = pl->dtor_width = 1;
}

/**
 * pageflags_init - build the page layout for this kernel.
 *
 * Return: false, after an error naming the missing key, when struct page
 * cannot be read at all (no SIZE(page), or an offset neither VMCOREINFO
 * nor this kernel generation's table row gives).  How free pages are
 * found is decided later (filter.c), with the dump level.
 */
bool pageflags_init(struct page_layout *pl, const struct vmcoreinfo *vi,
		    const struct target *tgt)
{
	const char *why = "to read struct page";
	const struct kernel_era *era;

	memset(pl, 0, sizeof(*pl));
	pl->tgt = *tgt;
	pl->version = kernel_version_from_release(vi->osrelease);
	era = kernel_era_find(pl->version);	/* a row of unknowns if 0 */
	DEBUG_MSG("kernel version %u.%u.%u: fallback table row: %s\n",
		  pl->version >> 16, (pl->version >> 8) & 255, pl->version & 255,
		  era->cite);
	if (!vmci_size(vi, "page", &pl->size)) {
		if (era->size_page < 0) {
			ERRMSG("VMCOREINFO lacks SIZE(page), needed %s.\n", why);
			return false;
		}
		pl->size = (uint64_t)era->size_page;
	}
	if (!required_offset(vi, "page.flags", era->off_flags, &pl->off_flags, why) ||
	    !required_offset(vi, "page.mapping", era->off_mapping, &pl->off_mapping, why))
		return false;
	if (!vmci_offset(vi, "page._refcount", &pl->off_count) &&
	    !offset_or(vi, "page._count", era->off_count, &pl->off_count)) {
		ERRMSG("VMCOREINFO lacks OFFSET(page._refcount), needed %s.\n", why);
		return false;
	}
	pl->has_mapcount = offset_or(vi, "page._mapcount", era->off_mapcount,
				     &pl->off_mapcount);
	pl->has_private = offset_or(vi, "page.private", era->off_private,
				    &pl->off_private);
	pl->has_compound_head =
		vmci_offset(vi, "page.compound_info", &pl->off_compound_head) ||
		offset_or(vi, "page.compound_head", era->off_compound_head,
			  &pl->off_compound_head);
	init_flags(pl, vi, era);
	init_buddy(pl, vi, era);
	init_compound(pl, vi, era);
	return true;
}

/* Whether any page can be excluded by looking at struct page. */
bool pageflags_needs_scan(const struct page_layout *pl, int dump_level)
{
	return (dump_level & (DL_EXCLUDE_CACHE | DL_EXCLUDE_CACHE_PRI |
			      DL_EXCLUDE_USER_DATA)) ||
	       pl->pg_hwpoison >= 0 ||
	       ((dump_level & DL_EXCLUDE_FREE) && pl->buddy != BUDDY_NONE);
}

static bool test_flag(uint64_t flags, int bit)
{
	return bit >= 0 && bit < 64 && (flags >> bit) & 1;
}

static uint64_t get_width(const struct target *t, const uint8_t *p,
			  unsigned int width)
{
	switch (width) {
	case 1:
		return p[0];
	case 2:
		return tget16(t, p);
	case 4:
		return tget32(t, p);
	default:
		return tget64(t, p);
	}
}

struct page_fields {
	uint64_t flags, mapping, private, compound_head;
	uint32_t mapcount, count;
	bool slab;
};

static bool is_cache(const struct page_layout *pl, uint64_t flags)
{
	if (test_flag(flags, pl->pg_lru))
		return true;
	return (pl->pg_swapbacked < 0 || test_flag(flags, pl->pg_swapbacked)) &&
	       test_flag(flags, pl->pg_swapcache);
}

/* Order (and hugetlb-ness) of a compound head, from its first tail. */
static unsigned int compound_order(const struct page_layout *pl,
				   const struct page_fields *f,
				   const uint8_t *next, uint64_t pfn,
				   bool *hugetlb)
{
	const struct target *t = &pl->tgt;
	uint64_t order = 0, flags1;

	*hugetlb = false;
	if (!next || !(f->flags & pl->head_mask))
		return 0;
	if (pl->order_src == ORDER_FLAGS1) {
		flags1 = tgetlong(t, next + pl->off_flags);
		order = flags1 & 0xff;
		if (pl->hugetlb == HUGETLB_PAGE_TYPE)
			*hugetlb = f->mapcount == pl->hugetlb_type;
		else if (pl->hugetlb == HUGETLB_PG_FLAG)
			*hugetlb = test_flag(flags1, (int)pl->hugetlb_value) ||
				   (pl->hugetlb_type && f->mapcount == pl->hugetlb_type);
	} else {
		if (pl->order_src == ORDER_FIELD)
			order = get_width(t, next + pl->order_off, pl->order_width);
		if (pl->hugetlb == HUGETLB_DTOR)
			*hugetlb = get_width(t, next + pl->dtor_off, pl->dtor_width) ==
				   pl->hugetlb_value;
	}
	if (order >= 64 || (pfn & ((1ULL << order) - 1)))
		return 0;
	return (unsigned int)order;
}

static bool is_free(const struct page_layout *pl, const struct page_fields *f)
{
	if (pl->buddy == BUDDY_MAPCOUNT)
		return !f->slab && f->mapcount == pl->buddy_value;
	if (pl->buddy == BUDDY_PG_FLAG)
		return test_flag(f->flags, pl->pg_buddy);
	if (pl->buddy == BUDDY_PRIVATE_COUNT)	/* 2.6.15-16: count -1 is 0 refs */
		return test_flag(f->flags, pl->pg_private) && f->count == 0xffffffffU;
	return false;
}

enum page_class classify_page(const struct page_layout *pl, const uint8_t *pg,
			      const uint8_t *next, uint64_t pfn, int dl,
			      uint64_t *nr_pages)
{
	const struct target *t = &pl->tgt;
	struct page_fields f;
	bool anon, hugetlb;
	unsigned int order;

	f.flags = tgetlong(t, pg + pl->off_flags);
	f.mapping = tgetlong(t, pg + pl->off_mapping);
	f.mapcount = pl->has_mapcount ? tget32(t, pg + pl->off_mapcount) : 0;
	f.count = tget32(t, pg + pl->off_count);
	f.private = pl->has_private ? tgetlong(t, pg + pl->off_private) : 0;
	f.compound_head = pl->has_compound_head ?
			  tgetlong(t, pg + pl->off_compound_head) : 0;
	f.slab = (pl->has_slab_type && f.mapcount == pl->slab_type) ||
		 test_flag(f.flags, pl->pg_slab);
	anon = (f.mapping & PAGE_MAPPING_ANON) && !f.slab;
	order = compound_order(pl, &f, next, pfn, &hugetlb);
	*nr_pages = 1ULL << order;

	if (f.compound_head & 1) {
		*nr_pages = 1;
		return PC_TAIL;
	}
	if ((dl & DL_EXCLUDE_FREE) && is_free(pl, &f)) {
		if ((pl->max_order && f.private >= pl->max_order) || f.private >= 64) {
			MSG("WARNING: Invalid free page order: pfn=%llx, order=%llu, max order=%llu\n",
			    (unsigned long long)pfn, (unsigned long long)f.private,
			    (unsigned long long)(pl->max_order ? pl->max_order - 1 : 63));
			*nr_pages = 1;
			return PC_KEEP;
		}
		*nr_pages = 1ULL << f.private;
		return PC_FREE;
	}
	if ((dl & DL_EXCLUDE_FREE) && pl->has_unaccepted_type && pl->max_order &&
	    f.mapcount == pl->unaccepted_type) {
		*nr_pages = 1ULL << (pl->max_order - 1);
		return PC_FREE;
	}
	if ((dl & DL_EXCLUDE_CACHE) && is_cache(pl, f.flags) &&
	    !test_flag(f.flags, pl->pg_private) && !anon)
		return PC_CACHE;
	if ((dl & DL_EXCLUDE_CACHE_PRI) && is_cache(pl, f.flags) && !anon)
		return test_flag(f.flags, pl->pg_private) ? PC_CACHE_PRIVATE : PC_CACHE;
	if ((dl & DL_EXCLUDE_USER_DATA) && (anon || hugetlb))
		return PC_USER;
	if (test_flag(f.flags, pl->pg_hwpoison))
		return PC_HWPOISON;
	if (pl->has_offline_type && !f.slab && f.mapcount == pl->offline_type)
		return PC_OFFLINE;
	*nr_pages = 1;
	return PC_KEEP;
}
