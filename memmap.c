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
 * DISCONTIGMEM (x86_64 NUMA up to 2.6.24): every node's pglist_data has
 * its own array, node_mem_map, for the pfns node_start_pfn up to
 * node_start_pfn + node_spanned_pages.  The pglist_data are found through
 * node_data[] (x86_64), pgdat_list[] (other architectures) or the chain
 * from pgdat_list through pgdat_next (2.6.16 and older).
 * FLATMEM: SYMBOL(mem_map) holds the address of one array for all pfns;
 * without it, contig_page_data.node_mem_map is that array.
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

struct pgdat_offsets {
	uint64_t mem_map;	/* OFFSET(pglist_data.node_mem_map) */
	uint64_t start_pfn;	/* OFFSET(pglist_data.node_start_pfn) */
	uint64_t spanned;	/* OFFSET(pglist_data.node_spanned_pages) */
	uint64_t next;		/* OFFSET(pglist_data.pgdat_next), if any */
	bool has_next;
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

static bool read_ptr(struct arch_ctx *ctx, uint64_t va, uint64_t *val)
{
	uint8_t b[8];

	if (!arch_read_virt(ctx, va, b, ctx->vc->tgt.ptr_size))
		return false;
	*val = read_ulong(ctx, b);
	return true;
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

/* SYMBOL(node_data) or SYMBOL(pgdat_list), whichever VMCOREINFO has. */
static const char *pgdat_list_name(const struct vmcoreinfo *vi)
{
	uint64_t v;

	if (vmci_symbol(vi, "node_data", &v))
		return "node_data";
	if (vmci_symbol(vi, "pgdat_list", &v))
		return "pgdat_list";
	return NULL;
}

/*
 * The first key VMCOREINFO lacks to list the nodes of @list ("node_data",
 * "pgdat_list" or "contig_page_data"), or NULL; fills @po->next.
 */
static const char *node_list_missing_key(const struct vmcoreinfo *vi,
					 const char *list, struct pgdat_offsets *po)
{
	uint64_t len;

	po->has_next = vmci_offset(vi, "pglist_data.pgdat_next", &po->next);
	if (!strcmp(list, "node_data") && !vmci_length(vi, "node_data", &len))
		return "LENGTH(node_data)";
	if (!strcmp(list, "pgdat_list") && !vmci_length(vi, "pgdat_list", &len) &&
	    !po->has_next)
		return "LENGTH(pgdat_list) or OFFSET(pglist_data.pgdat_next)";
	return NULL;
}

/**
 * pgdat_missing_key - the first key VMCOREINFO lacks to walk the nodes
 * and find their struct page arrays.
 * @list:	"node_data", "pgdat_list" or "contig_page_data"
 * @po:		filled with the pglist_data offsets
 *
 * Returns NULL when nothing is missing.
 */
static const char *pgdat_missing_key(const struct vmcoreinfo *vi,
				     const char *list, struct pgdat_offsets *po)
{
	const char *missing = node_list_missing_key(vi, list, po);

	if (missing)
		return missing;
	if (!vmci_offset(vi, "pglist_data.node_mem_map", &po->mem_map))
		return "OFFSET(pglist_data.node_mem_map)";
	if (!vmci_offset(vi, "pglist_data.node_start_pfn", &po->start_pfn))
		return "OFFSET(pglist_data.node_start_pfn)";
	if (!vmci_offset(vi, "pglist_data.node_spanned_pages", &po->spanned))
		return "OFFSET(pglist_data.node_spanned_pages)";
	return NULL;
}

/*
 * node_online_map (a nodemask_t: SIZE(nodemask_t) bytes of longs; in -i
 * files of upstream's -g, node_states[N_ONLINE]), or NULL when VMCOREINFO
 * has neither or it reads as empty: then every node counts.
 */
static uint8_t *read_online_map(struct arch_ctx *ctx, size_t *len)
{
	unsigned int psz = ctx->vc->tgt.ptr_size;
	uint64_t sym, size;
	int64_t n_online;
	uint8_t *map;

	if (!vmci_size(ctx->vi, "nodemask_t", &size))
		size = psz;
	if (!vmci_symbol(ctx->vi, "node_online_map", &sym)) {
		if (!vmci_symbol(ctx->vi, "node_states", &sym) ||
		    !vmci_number(ctx->vi, "N_ONLINE", &n_online) || n_online < 0)
			return NULL;
		sym += (uint64_t)n_online * size;
	}
	size = ROUND_DOWN(MIN(size, MEMMAP_MAX_NODES / 8), psz);
	if (!size)
		return NULL;
	map = xmalloc((size_t)size);
	if (arch_read_virt(ctx, sym, map, (size_t)size)) {
		for (uint64_t i = 0; i < size; i++) {
			if (map[i]) {
				*len = (size_t)size;
				return map;
			}
		}
	}
	DEBUG_MSG("node_online_map at %llx is unreadable or empty; taking every node\n",
		  (unsigned long long)sym);
	free(map);
	return NULL;
}

static bool node_online(struct arch_ctx *ctx, const uint8_t *map, size_t len,
			uint64_t node)
{
	unsigned int psz = ctx->vc->tgt.ptr_size;
	uint64_t word = node / (psz * 8);

	if (!map)
		return true;
	if ((word + 1) * psz > len)
		return false;
	return (read_ulong(ctx, map + word * psz) >> (node % (psz * 8))) & 1;
}

struct node_map {
	unsigned int nid;
	uint64_t pgdat;
	struct mm_range r;
};

/**
 * find_pgdats - the pglist_data of every node.
 * @list:	"node_data" or "pgdat_list" with a LENGTH(): arrays indexed by
 *		node id, whose NULL entries and nodes that node_online_map
 *		leaves out are skipped; "pgdat_list" without one: the first
 *		node of a chain through pglist_data.pgdat_next (2.6.16 and
 *		older); "contig_page_data": the only node
 * @nodes:	MEMMAP_MAX_NODES entries; nid and pgdat are filled in
 *
 * Returns the number of nodes, or -1 after an error message.
 */
static int find_pgdats(struct arch_ctx *ctx, const char *list,
		       const struct pgdat_offsets *po, struct node_map *nodes)
{
	unsigned int psz = ctx->vc->tgt.ptr_size;
	uint64_t sym = 0, len, ptr;
	uint8_t *arr, *map;
	size_t map_len = 0;
	int n = 0;

	vmci_symbol(ctx->vi, list, &sym);
	if (!strcmp(list, "contig_page_data")) {
		nodes[0] = (struct node_map){ .nid = 0, .pgdat = sym };
		return 1;
	}
	if (!vmci_length(ctx->vi, list, &len)) {
		if (!read_ptr(ctx, sym, &ptr)) {
			ERRMSG("Can't read pgdat_list at %llx.\n", (unsigned long long)sym);
			return -1;
		}
		while (ptr) {
			if (n == MEMMAP_MAX_NODES || !ctx->ops->is_kvaddr(ctx, ptr)) {
				ERRMSG("The pgdat_list chain is broken after %d nodes (next %llx).\n",
				       n, (unsigned long long)ptr);
				return -1;
			}
			nodes[n] = (struct node_map){ .nid = (unsigned int)n, .pgdat = ptr };
			n++;
			if (!read_ptr(ctx, ptr + po->next, &ptr)) {
				ERRMSG("Can't read pglist_data.pgdat_next of node %d.\n", n - 1);
				return -1;
			}
		}
		return n;
	}
	len = MIN(len, MEMMAP_MAX_NODES);
	arr = xmalloc((size_t)(len * psz));
	if (!arch_read_virt(ctx, sym, arr, (size_t)(len * psz))) {
		ERRMSG("Can't read %s[%llu] at %llx.\n", list, (unsigned long long)len,
		       (unsigned long long)sym);
		free(arr);
		return -1;
	}
	map = read_online_map(ctx, &map_len);
	for (uint64_t i = 0; i < len; i++) {
		ptr = read_ulong(ctx, arr + i * psz);
		if (!ptr || !node_online(ctx, map, map_len, i))
			continue;
		if (!ctx->ops->is_kvaddr(ctx, ptr)) {
			ERRMSG("%s[%llu] (%llx) is not a kernel address.\n", list,
			       (unsigned long long)i, (unsigned long long)ptr);
			n = -1;
			break;
		}
		nodes[n++] = (struct node_map){ .nid = (unsigned int)i, .pgdat = ptr };
	}
	free(map);
	free(arr);
	return n;
}

/**
 * memmap_find_pgdats - the pglist_data of every online node, for the walk
 * of the zone free lists (freelist.c).
 * @pgdat:	room for MEMMAP_MAX_NODES addresses
 *
 * Return: the number of nodes; 0, with no message, when VMCOREINFO names no
 * node list at all; -1 after an error message.
 */
int memmap_find_pgdats(struct arch_ctx *ctx, uint64_t *pgdat)
{
	const char *list = pgdat_list_name(ctx->vi), *missing;
	struct pgdat_offsets po = { 0 };
	struct node_map *nodes;
	uint64_t v;
	int n;

	if (!list && vmci_symbol(ctx->vi, "contig_page_data", &v))
		list = "contig_page_data";
	if (!list)
		return 0;
	missing = node_list_missing_key(ctx->vi, list, &po);
	if (missing) {
		ERRMSG("VMCOREINFO has SYMBOL(%s) but lacks %s; can't list the nodes.\n",
		       list, missing);
		return -1;
	}
	nodes = xmalloc(MEMMAP_MAX_NODES * sizeof(*nodes));
	n = find_pgdats(ctx, list, &po, nodes);
	for (int i = 0; i < n; i++)
		pgdat[i] = nodes[i].pgdat;
	free(nodes);
	return n;
}

static int cmp_node_start(const void *a, const void *b)
{
	const struct node_map *x = a, *y = b;

	return (x->r.start_pfn > y->r.start_pfn) - (x->r.start_pfn < y->r.start_pfn);
}

/**
 * discover_discontig - one mem_map range per node (DISCONTIGMEM).
 * @po:		the pglist_data offsets (pgdat_missing_key() found them all)
 * @list:	where the pglist_data are listed (find_pgdats())
 * @model:	what -D calls the memory model
 *
 * node_mem_map is the struct page of node_start_pfn; the node's pfns end
 * node_spanned_pages later.  As upstream, nodes without pages are skipped,
 * a node reaching past @max_mapnr is cut there, and overlapping nodes are
 * an error.  The ranges are sorted by pfn, as the filter walks them so.
 */
static bool discover_discontig(struct arch_ctx *ctx, const struct pgdat_offsets *po,
			       uint64_t size_page, uint64_t max_mapnr,
			       const char *list, const char *model, struct memmap *mm)
{
	struct node_map *nodes = xmalloc(MEMMAP_MAX_NODES * sizeof(*nodes));
	int nr, used = 0;
	bool ok;

	mm->model = model;
	DEBUG_MSG("Memory type  : %s\n", model);
	nr = find_pgdats(ctx, list, po, nodes);
	ok = nr >= 0;
	for (int i = 0; ok && i < nr; i++) {
		struct node_map nd = nodes[i];
		uint64_t start, spanned, map;

		if (!read_ptr(ctx, nd.pgdat + po->start_pfn, &start) ||
		    !read_ptr(ctx, nd.pgdat + po->spanned, &spanned) ||
		    !read_ptr(ctx, nd.pgdat + po->mem_map, &map)) {
			ERRMSG("Can't read the pglist_data of node %u at %llx.\n", nd.nid,
			       (unsigned long long)nd.pgdat);
			ok = false;
			break;
		}
		DEBUG_MSG("node %u: pglist_data %llx, pfn %llx+%llx, node_mem_map %llx\n",
			  nd.nid, (unsigned long long)nd.pgdat, (unsigned long long)start,
			  (unsigned long long)spanned, (unsigned long long)map);
		if (!spanned || start >= max_mapnr)
			continue;
		if (!ctx->ops->is_kvaddr(ctx, map)) {
			ERRMSG("The node_mem_map of node %u (%llx) is not a kernel address.\n",
			       nd.nid, (unsigned long long)map);
			ok = false;
			break;
		}
		nd.r = (struct mm_range){ start, start + MIN(spanned, max_mapnr - start), map };
		nodes[used++] = nd;
	}
	if (ok && !used) {
		ERRMSG("No online node listed by %s has pages below pfn %llx.\n", list,
		       (unsigned long long)max_mapnr);
		ok = false;
	}
	if (ok)
		qsort(nodes, (size_t)used, sizeof(*nodes), cmp_node_start);
	for (int i = 0; ok && i < used; i++) {
		if (i && nodes[i].r.start_pfn < nodes[i - 1].r.end_pfn) {
			ERRMSG("The pfns of node %u (%llx-%llx) overlap those of node %u.\n",
			       nodes[i].nid, (unsigned long long)nodes[i].r.start_pfn,
			       (unsigned long long)nodes[i].r.end_pfn, nodes[i - 1].nid);
			ok = false;
			break;
		}
		add_range(mm, nodes[i].r.start_pfn, nodes[i].r.end_pfn,
			  nodes[i].r.mem_map, size_page);
	}
	free(nodes);
	if (!ok)
		mm->n = 0;
	return ok;
}

/**
 * memmap_discover - build the pfn -> struct page table.
 * @size_page: SIZE(page)
 * @max_mapnr: number of pfns the dump covers
 *
 * SYMBOL(mem_section) means SPARSEMEM; else node_data or pgdat_list with
 * the pglist_data keys mean DISCONTIGMEM; else SYMBOL(mem_map), or
 * contig_page_data's node_mem_map, means FLATMEM.
 */
bool memmap_discover(struct arch_ctx *ctx, uint64_t page_size,
		     uint64_t size_page, uint64_t max_mapnr, struct memmap *mm)
{
	const struct vmcoreinfo *vi = ctx->vi;
	const char *list, *missing = NULL;
	struct pgdat_offsets po;
	uint64_t sym;

	memset(mm, 0, sizeof(*mm));
	if (vmci_symbol(vi, "mem_section", &sym))
		return discover_sparse(ctx, page_size, size_page, max_mapnr, sym, mm);
	list = pgdat_list_name(vi);
	if (list) {
		missing = pgdat_missing_key(vi, list, &po);
		if (!missing)
			return discover_discontig(ctx, &po, size_page, max_mapnr, list,
						  "DISCONTIGMEM", mm);
	}
	if (vmci_symbol(vi, "mem_map", &sym))
		return discover_flat(ctx, size_page, max_mapnr, sym, mm);
	if (missing) {
		ERRMSG("VMCOREINFO has SYMBOL(%s) but lacks %s; can't find the struct page arrays of the nodes (DISCONTIGMEM).\n",
		       list, missing);
		return false;
	}
	if (vmci_symbol(vi, "contig_page_data", &sym) &&
	    !pgdat_missing_key(vi, "contig_page_data", &po))
		return discover_discontig(ctx, &po, size_page, max_mapnr,
					  "contig_page_data", "FLATMEM", mm);
	ERRMSG("VMCOREINFO has none of SYMBOL(mem_section), SYMBOL(node_data), SYMBOL(pgdat_list), SYMBOL(mem_map); can't find the struct page array.\n");
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
