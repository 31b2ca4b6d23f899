// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memmap.c - find the struct page arrays (mem_map) of the dumped kernel.
 *
 * SPARSEMEM: SYMBOL(mem_section) is the root array (SPARSEMEM_EXTREME:
 * an array of pointers to arrays of struct mem_section; before 4.15 read
 * from vmlinux it is a pointer to that array, so both are tried as
 * upstream does).  Each present section's section_mem_map, with its low
 * flag bits masked, plus start_pfn * SIZE(page) is the section's mem_map.
 * Consecutive sections whose struct pages are virtually contiguous (all of
 * them with SPARSEMEM_VMEMMAP) are merged, so the table stays tiny.
 * FLATMEM: SYMBOL(mem_map) holds the address of one array for all pfns.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "elf_info.h"
#include "makedumpfile.h"
#include "memmap.h"
#include "vmcoreinfo.h"

#define SECTION_MARKED_PRESENT	0x1ULL
#define SECTION_FLAG_MASK	0x3fULL	/* flag bits below the coded mem_map */

struct sparse_geom {
	uint64_t per_root;	/* sections per root */
	uint64_t nr_sections;	/* sections needed to cover max_mapnr */
	uint64_t pages_per_section;
	uint64_t size_ms;	/* SIZE(mem_section) */
	uint64_t off_map;	/* OFFSET(mem_section.section_mem_map) */
	bool extreme;
};

static void add_range(struct memmap *mm, uint64_t start, uint64_t end,
		      uint64_t mem_map, uint64_t size_page)
{
	struct mm_range *last = mm->n ? &mm->r[mm->n - 1] : NULL;

	if (last && last->end_pfn == start &&
	    last->mem_map + (start - last->start_pfn) * size_page == mem_map) {
		last->end_pfn = end;
		return;
	}
	mm->r = realloc(mm->r, (mm->n + 1) * sizeof(*mm->r));
	if (!mm->r) {
		ERRMSG("Can't allocate memory for the mem_map table.\n");
		exit(EXIT_FAILED);
	}
	mm->r[mm->n++] = (struct mm_range){ start, end, mem_map };
}

static uint64_t read_ulong(struct arch_ctx *ctx, const uint8_t *p)
{
	return tgetlong(&ctx->vc->tgt, p);
}

/*
 * Decode the sections listed by the root array at @roots_va.  Returns
 * false when the array does not look like a mem_section root array.
 */
static bool decode_sections(struct arch_ctx *ctx, const struct sparse_geom *g,
			    uint64_t roots_va, uint64_t size_page,
			    uint64_t max_mapnr, struct memmap *mm)
{
	unsigned int psz = ctx->vc->tgt.ptr_size;
	uint64_t nr_roots = DIV_ROUND_UP(g->nr_sections, g->per_root);
	uint8_t *roots = NULL, *secs = NULL;
	bool found = false;

	mm->n = 0;
	if (g->extreme) {
		roots = xmalloc((size_t)(nr_roots * psz));
		if (!arch_read_virt(ctx, roots_va, roots, (size_t)(nr_roots * psz)))
			goto bad;
	}
	secs = xmalloc((size_t)(g->per_root * g->size_ms));
	for (uint64_t r = 0; r < nr_roots; r++) {
		uint64_t base = g->extreme ? read_ulong(ctx, roots + r * psz)
					   : roots_va + r * g->size_ms;
		uint64_t n = MIN(g->per_root, g->nr_sections - r * g->per_root);

		if (g->extreme && !base)
			continue;
		if (!ctx->ops->is_kvaddr(ctx, base) ||
		    !arch_read_virt(ctx, base, secs, (size_t)(n * g->size_ms)))
			goto bad;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t nr = r * g->per_root + i;
			uint64_t coded = read_ulong(ctx, secs + i * g->size_ms + g->off_map);
			uint64_t start = nr * g->pages_per_section;
			uint64_t end = MIN(start + g->pages_per_section, max_mapnr);
			uint64_t map;

			if (!(coded & SECTION_MARKED_PRESENT) || start >= end)
				continue;
			map = (coded & ~SECTION_FLAG_MASK) + start * size_page;
			if (!ctx->ops->is_kvaddr(ctx, map))
				goto bad;
			add_range(mm, start, end, map, size_page);
			found = true;
		}
	}
	free(roots);
	free(secs);
	return found;
bad:
	free(roots);
	free(secs);
	mm->n = 0;
	return false;
}

static bool discover_sparse(struct arch_ctx *ctx, uint64_t page_size,
			    uint64_t size_page, uint64_t max_mapnr,
			    uint64_t sym, struct memmap *mm)
{
	const struct vmcoreinfo *vi = ctx->vi;
	struct sparse_geom g;
	uint64_t len, nr_mem_sections, ptr;
	uint8_t b[8];

	if (!vmci_size(vi, "mem_section", &g.size_ms) ||
	    !vmci_offset(vi, "mem_section.section_mem_map", &g.off_map) ||
	    g.size_ms < g.off_map + ctx->vc->tgt.ptr_size) {
		ERRMSG("VMCOREINFO lacks SIZE(mem_section) or OFFSET(mem_section.section_mem_map).\n");
		return false;
	}
	g.pages_per_section = 1ULL << (ctx->section_size_bits - __builtin_ctzll(page_size));
	nr_mem_sections = 1ULL << (ctx->max_physmem_bits - ctx->section_size_bits);
	g.nr_sections = MIN(DIV_ROUND_UP(max_mapnr, g.pages_per_section), nr_mem_sections);
	g.per_root = page_size / g.size_ms;
	g.extreme = !vmci_length(vi, "mem_section", &len) ||
		    len == DIV_ROUND_UP(nr_mem_sections, g.per_root);
	if (!g.extreme)
		g.per_root = 1;
	mm->model = g.extreme ? "SPARSEMEM_EX" : "SPARSEMEM";
	DEBUG_MSG("Memory type  : %s\n", mm->model);
	if (decode_sections(ctx, &g, sym, size_page, max_mapnr, mm))
		return true;
	/* With -x vmlinux on 4.15+, the symbol is a pointer to the array. */
	if (g.extreme && arch_read_virt(ctx, sym, b, ctx->vc->tgt.ptr_size)) {
		ptr = read_ulong(ctx, b);
		if (ctx->ops->is_kvaddr(ctx, ptr) &&
		    decode_sections(ctx, &g, ptr, size_page, max_mapnr, mm))
			return true;
	}
	ERRMSG("Can't get the address of mem_section: no valid mem_section found at %llx.\n",
	       (unsigned long long)sym);
	return false;
}

static bool discover_flat(struct arch_ctx *ctx, uint64_t size_page,
			  uint64_t max_mapnr, uint64_t sym, struct memmap *mm)
{
	uint8_t b[8];
	uint64_t map;

	mm->model = "FLATMEM";
	DEBUG_MSG("Memory type  : FLATMEM\n");
	if (!arch_read_virt(ctx, sym, b, ctx->vc->tgt.ptr_size)) {
		ERRMSG("Can't read the mem_map pointer at SYMBOL(mem_map)=%llx.\n",
		       (unsigned long long)sym);
		return false;
	}
	map = read_ulong(ctx, b);
	if (!ctx->ops->is_kvaddr(ctx, map)) {
		ERRMSG("mem_map (%llx) is not a kernel address.\n",
		       (unsigned long long)map);
		return false;
	}
	add_range(mm, 0, max_mapnr, map, size_page);
	return true;
}

/**
 * memmap_discover - build the pfn -> struct page table.
 * @size_page: SIZE(page)
 * @max_mapnr: number of pfns the dump covers
 */
bool memmap_discover(struct arch_ctx *ctx, uint64_t page_size,
		     uint64_t size_page, uint64_t max_mapnr, struct memmap *mm)
{
	uint64_t sym;

	memset(mm, 0, sizeof(*mm));
	if (vmci_symbol(ctx->vi, "mem_section", &sym))
		return discover_sparse(ctx, page_size, size_page, max_mapnr, sym, mm);
	if (vmci_symbol(ctx->vi, "mem_map", &sym))
		return discover_flat(ctx, size_page, max_mapnr, sym, mm);
	ERRMSG("VMCOREINFO has neither SYMBOL(mem_section) nor SYMBOL(mem_map); can't find the struct page array.\n");
	return false;
}

void memmap_free(struct memmap *mm)
{
	free(mm->r);
	memset(mm, 0, sizeof(*mm));
}

uint64_t memmap_end_pfn(const struct memmap *mm)
{
	uint64_t end = 0;

	for (size_t i = 0; i < mm->n; i++)
		end = MAX(end, mm->r[i].end_pfn);
	return end;
}
