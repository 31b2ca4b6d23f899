// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arch/x86_64.c - x86_64 address translation.
 *
 * Kernel-image addresses (at or above __START_KERNEL_map) translate
 * linearly with phys_base; everything else walks the kernel page tables
 * from init_top_pgt (init_level4_pgt before 4.13), 4 or 5 levels, with
 * 1 GiB and 2 MiB leaves.  The SME encryption bit (NUMBER(sme_mask)) is
 * masked out of every entry.  The last leaf found is cached, so walking
 * vmemmap costs one walk per leaf mapping, not per struct page.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "../elf_info.h"
#include "../makedumpfile.h"
#include "../vmcoreinfo.h"
#include "arch.h"

#define START_KERNEL_MAP	0xffffffff80000000ULL
#define KERNEL_IMAGE_SIZE_DEF	(1ULL << 30)
#define PTE_PRESENT		0x1ULL
#define PTE_PSE			0x80ULL
#define PTE_ADDR_MASK		0x000ffffffffff000ULL

/*
 * MAX_PHYSMEM_BITS (include/asm-x86_64/sparsemem.h, later
 * arch/x86/include/asm/sparsemem.h) for kernels that do not export it
 * (NUMBER(MAX_PHYSMEM_BITS) appeared in 5.10).  It sizes mem_section[].
 */
static const struct {
	unsigned int from;		/* KERNEL_VERSION() */
	unsigned int bits;
} physmem_bits[] = {
	{ KERNEL_VERSION(2, 6, 0), 40 },	/* 2.6.15-2.6.25 */
	{ KERNEL_VERSION(2, 6, 26), 44 },	/* 2.6.26-2.6.30 */
	{ KERNEL_VERSION(2, 6, 31), 46 },	/* 2.6.31+; 52 with 5-level paging */
};

static unsigned int default_physmem_bits(const struct vmcoreinfo *vi, unsigned int levels)
{
	unsigned int version = kernel_version_from_release(vi->osrelease);
	unsigned int bits = 46;

	if (levels == 5)
		return 52;
	for (size_t i = 0; version && i < ARRAY_SIZE(physmem_bits); i++)
		if (version >= physmem_bits[i].from)
			bits = physmem_bits[i].bits;
	return bits;
}

struct x86_64_state {
	uint64_t pgd;		/* physical address of the top-level table */
	unsigned int levels;	/* 4 or 5 */
	uint64_t addr_mask;	/* PTE_ADDR_MASK minus sme_mask */
	uint64_t image_end;	/* __START_KERNEL_map + KERNEL_IMAGE_SIZE */
	/* cache of the last leaf mapping */
	uint64_t leaf_va, leaf_pa, leaf_size;
};

static uint64_t phys_base_from_loads(const struct vmcore *vc)
{
	for (size_t i = 0; i < vc->nr_loads; i++) {
		const struct pt_load *l = &vc->loads[i];

		if (l->vaddr >= START_KERNEL_MAP && l->vaddr != l->paddr)
			return l->paddr - (l->vaddr - START_KERNEL_MAP);
	}
	return 0;
}

static bool x86_64_init(struct arch_ctx *ctx)
{
	struct x86_64_state *st = xcalloc(1, sizeof(*st));
	const struct vmcoreinfo *vi = ctx->vi;
	uint64_t sym, v, from_loads;
	int64_t n;

	ctx->priv = st;
	if (vmci_number(vi, "phys_base", &n))
		ctx->phys_base = (uint64_t)n;
	else if ((from_loads = phys_base_from_loads(ctx->vc)))
		ctx->phys_base = from_loads;
	st->levels = vmci_number(vi, "pgtable_l5_enabled", &n) && n ? 5 : 4;
	st->addr_mask = PTE_ADDR_MASK;
	if (vmci_number(vi, "sme_mask", &n))
		st->addr_mask &= ~(uint64_t)n;
	st->image_end = START_KERNEL_MAP + KERNEL_IMAGE_SIZE_DEF;
	if (vmci_number(vi, "KERNEL_IMAGE_SIZE", &n) && n > 0)
		st->image_end = START_KERNEL_MAP + (uint64_t)n;
	ctx->section_size_bits = 27;
	ctx->max_physmem_bits = default_physmem_bits(vi, st->levels);
	if (vmci_number(vi, "MAX_PHYSMEM_BITS", &n) && n > 0 && n <= 64)
		ctx->max_physmem_bits = (unsigned int)n;
	if (vmci_number(vi, "SECTION_SIZE_BITS", &n) && n > 0 && n < 64)
		ctx->section_size_bits = (unsigned int)n;

	if (!vmci_symbol(vi, "init_top_pgt", &sym) &&
	    !vmci_symbol(vi, "init_level4_pgt", &sym)) {
		ERRMSG("VMCOREINFO lacks SYMBOL(init_top_pgt) (or SYMBOL(init_level4_pgt)); can't translate kernel addresses.\n");
		return false;
	}
	if (sym < START_KERNEL_MAP) {
		ERRMSG("SYMBOL(init_top_pgt)=%llx is not a kernel-image address.\n",
		       (unsigned long long)sym);
		return false;
	}
	st->pgd = sym - START_KERNEL_MAP + ctx->phys_base;
	if (!vmcore_read_phys(ctx->vc, st->pgd, &v, sizeof(v))) {
		ERRMSG("The kernel page table at physical 0x%llx is not in the dump (wrong phys_base 0x%llx?).\n",
		       (unsigned long long)st->pgd,
		       (unsigned long long)ctx->phys_base);
		return false;
	}
	DEBUG_MSG("x86_64: %u-level paging, phys_base 0x%llx, pgd 0x%llx\n",
		  st->levels, (unsigned long long)ctx->phys_base,
		  (unsigned long long)st->pgd);
	return true;
}

/*
 * Walk the kernel page tables for @va.  With @t, every entry read is
 * recorded (--vtop); without, the leaf found is cached.
 */
static bool x86_64_walk(struct arch_ctx *ctx, uint64_t va, uint64_t *pa,
			struct vtop_trace *t)
{
	static const char *const names[] = { "PTE", "PMD", "PUD", "P4D", "PGD" };
	struct x86_64_state *st = ctx->priv;
	uint64_t table = st->pgd, entry = 0;
	unsigned int shift = st->levels == 5 ? 48 : 39;

	for (unsigned int level = st->levels; level >= 1; level--, shift -= 9) {
		unsigned int idx = (unsigned int)((va >> shift) & 511);

		if (t) {
			t->step[t->n].level = level == st->levels ? "PGD" : names[level - 1];
			t->step[t->n].entry_addr = table + idx * 8ULL;
		}
		if (!arch_read_entry(ctx, table + idx * 8ULL, &entry)) {
			if (t)
				t->error = "the page table is not in the dump";
			return false;
		}
		if (t)
			t->step[t->n++].entry = entry;
		if (!(entry & PTE_PRESENT)) {
			if (t)
				t->error = "the entry is not present";
			return false;
		}
		/* PSE on a PUD (1 GiB) or PMD (2 MiB) entry is a leaf. */
		if (level == 1 || ((level == 2 || level == 3) && (entry & PTE_PSE))) {
			uint64_t size = 1ULL << shift;
			uint64_t base = entry & st->addr_mask & ~(size - 1);

			if (!t) {
				st->leaf_va = va & ~(size - 1);
				st->leaf_pa = base;
				st->leaf_size = size;
			}
			*pa = base + (va & (size - 1));
			return true;
		}
		table = entry & st->addr_mask;
	}
	return false;
}

static bool x86_64_vtop(struct arch_ctx *ctx, uint64_t va, uint64_t *pa)
{
	struct x86_64_state *st = ctx->priv;

	if (va >= START_KERNEL_MAP && va < st->image_end) {
		*pa = va - START_KERNEL_MAP + ctx->phys_base;
		return true;
	}
	if (st->leaf_size && va - st->leaf_va < st->leaf_size) {
		*pa = st->leaf_pa + (va - st->leaf_va);
		return true;
	}
	return x86_64_walk(ctx, va, pa, NULL);
}

/*
 * --vtop: the walk from the top table for every address (kernel image
 * included, as upstream's --vtop shows it), noting each entry.
 */
static bool x86_64_vtop_trace(struct arch_ctx *ctx, uint64_t va, uint64_t *pa,
			      struct vtop_trace *t)
{
	memset(t, 0, sizeof(*t));
	return x86_64_walk(ctx, va, pa, t);
}

static bool x86_64_is_kvaddr(const struct arch_ctx *ctx, uint64_t va)
{
	struct x86_64_state *st = ctx->priv;

	return st->levels == 5 ? va >= 0xff00000000000000ULL
			       : va >= 0xffff800000000000ULL;
}

static void x86_64_fini(struct arch_ctx *ctx)
{
	free(ctx->priv);
}

const struct arch_ops arch_x86_64 = {
	.name = "x86_64",
	.e_machine = EM_X86_64,
	.elf_class = ELFCLASS64,
	.init = x86_64_init,
	.vtop = x86_64_vtop,
	.is_kvaddr = x86_64_is_kvaddr,
	.fini = x86_64_fini,
	.vtop_trace = x86_64_vtop_trace,
};
