// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arch/arm64.c - arm64 (AArch64) address translation.
 *
 * The kernel's half of the address space starts at -(1 << VA_BITS).  Its
 * linear map translates with PHYS_OFFSET (NUMBER(PHYS_OFFSET)); where the
 * linear map sits changed in 5.4 ("flipped" layout: the lower half of the
 * kernel range, before it the upper half).  Everything else (vmemmap, the
 * kernel image, vmalloc) is found by walking swapper_pg_dir, whose own
 * physical address is its symbol minus NUMBER(kimage_voffset).  Page size
 * 4K, 16K or 64K (PAGESIZE) and VA_BITS give the number of levels; block
 * descriptors end a walk early.  The last leaf is cached as on x86_64.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "../elf_info.h"
#include "../makedumpfile.h"
#include "../vmcoreinfo.h"
#include "arch.h"

#define DESC_VALID		0x1ULL
#define DESC_TABLE		0x2ULL	/* above the last level; 0 = block */
#define DESC_ADDR_48		0x0000ffffffffffffULL

struct arm64_state {
	unsigned int va_bits;
	unsigned int page_shift;
	unsigned int levels;		/* 2, 3 or 4 */
	bool flipped;			/* 5.4+: linear map in the lower half */
	bool pa52_64k;			/* 64K pages, 52-bit PA: PA[51:48] in [15:12] */
	uint64_t page_offset;		/* start of the linear map */
	uint64_t linear_size;		/* its length */
	uint64_t phys_offset;
	uint64_t kimage_voffset;
	uint64_t pgd;			/* physical address of swapper_pg_dir */
	/* cache of the last leaf mapping */
	uint64_t leaf_va, leaf_pa, leaf_size;
};

static uint64_t number_or(const struct vmcoreinfo *vi, const char *name, uint64_t def)
{
	int64_t v;

	return vmci_number(vi, name, &v) ? (uint64_t)v : def;
}

/* Lowest physical address of RAM: the lowest PT_LOAD. */
static uint64_t lowest_paddr(const struct vmcore *vc)
{
	uint64_t low = UINT64_MAX;

	for (size_t i = 0; i < vc->nr_loads; i++)
		low = MIN(low, vc->loads[i].paddr);
	return low == UINT64_MAX ? 0 : low;
}

static bool arm64_geometry(struct arch_ctx *ctx, struct arm64_state *st)
{
	const struct vmcoreinfo *vi = ctx->vi;
	unsigned int version = kernel_version_from_release(vi->osrelease);
	int64_t n;

	if (!vmci_number(vi, "VA_BITS", &n) || n < 36 || n > 52) {
		ERRMSG("VMCOREINFO lacks NUMBER(VA_BITS) (or it is out of range); can't translate arm64 kernel addresses.\n");
		return false;
	}
	st->va_bits = (unsigned int)n;
	/* the address bits actually in use (TCR_EL1.T1SZ), when exported */
	if (vmci_number(vi, "TCR_EL1_T1SZ", &n) && n >= 12 && 64 - n < st->va_bits)
		st->va_bits = (unsigned int)(64 - n);
	st->page_shift = (unsigned int)__builtin_ctzll(vi->page_size);
	if (st->page_shift != 12 && st->page_shift != 14 && st->page_shift != 16) {
		ERRMSG("arm64 page size %llu is none of 4K, 16K, 64K.\n",
		       (unsigned long long)vi->page_size);
		return false;
	}
	st->levels = DIV_ROUND_UP(st->va_bits - st->page_shift, st->page_shift - 3);
	st->flipped = !version || version >= KERNEL_VERSION(5, 4, 0);
	st->linear_size = 1ULL << (st->va_bits - 1);
	st->page_offset = st->flipped ? -(1ULL << st->va_bits) : -(1ULL << (st->va_bits - 1));
	ctx->max_physmem_bits = (unsigned int)number_or(vi, "MAX_PHYSMEM_BITS", 48);
	st->pa52_64k = st->page_shift == 16 && ctx->max_physmem_bits == 52;
	/* SECTION_SIZE_BITS: 30 before 5.12, then 27 (4K, 16K) or 29 (64K) */
	ctx->section_size_bits = version && version < KERNEL_VERSION(5, 12, 0) ? 30 :
				 st->page_shift == 16 ? 29 : 27;
	ctx->section_size_bits = (unsigned int)number_or(vi, "SECTION_SIZE_BITS",
							  ctx->section_size_bits);
	return true;
}

static bool arm64_init(struct arch_ctx *ctx)
{
	struct arm64_state *st = xcalloc(1, sizeof(*st));
	const struct vmcoreinfo *vi = ctx->vi;
	uint64_t sym, v;
	int64_t n;

	ctx->priv = st;
	if (!arm64_geometry(ctx, st))
		return false;
	st->phys_offset = number_or(vi, "PHYS_OFFSET", lowest_paddr(ctx->vc));
	ctx->phys_base = st->phys_offset;	/* what the kdump sub header records */
	if (!vmci_number(vi, "kimage_voffset", &n)) {
		ERRMSG("VMCOREINFO lacks NUMBER(kimage_voffset); can't find the arm64 kernel page table.\n");
		return false;
	}
	st->kimage_voffset = (uint64_t)n;
	if (!vmci_symbol(vi, "swapper_pg_dir", &sym)) {
		ERRMSG("VMCOREINFO lacks SYMBOL(swapper_pg_dir); can't translate arm64 kernel addresses.\n");
		return false;
	}
	st->pgd = sym - st->kimage_voffset;
	if (!vmcore_read_phys(ctx->vc, st->pgd, &v, sizeof(v))) {
		ERRMSG("The kernel page table at physical 0x%llx is not in the dump (wrong kimage_voffset 0x%llx?).\n",
		       (unsigned long long)st->pgd, (unsigned long long)st->kimage_voffset);
		return false;
	}
	DEBUG_MSG("arm64: %u-bit VA, %u-level, %lluK pages, PHYS_OFFSET 0x%llx, kimage_voffset 0x%llx, pgd 0x%llx\n",
		  st->va_bits, st->levels, (unsigned long long)(vi->page_size >> 10),
		  (unsigned long long)st->phys_offset,
		  (unsigned long long)st->kimage_voffset, (unsigned long long)st->pgd);
	return true;
}

/* The output address of a table, block or page descriptor. */
static uint64_t desc_addr(const struct arm64_state *st, uint64_t entry, uint64_t align)
{
	uint64_t pa = entry & DESC_ADDR_48 & ~(align - 1);

	if (st->pa52_64k)
		pa |= ((entry >> 12) & 0xf) << 48;
	return pa;
}

static const char *level_name(const struct arm64_state *st, unsigned int level)
{
	static const char *const names[] = { "PTE", "PMD", "PUD", "PGD" };

	return level + 1 == st->levels ? "PGD" : names[level];
}

/*
 * Walk swapper_pg_dir for @va.  Levels are numbered from the last (0) up.
 * With @t, every entry read is recorded (--vtop); without, the leaf found
 * is cached.
 */
static bool arm64_walk(struct arch_ctx *ctx, uint64_t va, uint64_t *pa,
		       struct vtop_trace *t)
{
	struct arm64_state *st = ctx->priv;
	unsigned int bits = st->page_shift - 3;
	unsigned int shift = st->page_shift + (st->levels - 1) * bits;
	uint64_t table = st->pgd, entry;

	for (unsigned int level = st->levels; level-- > 0; shift -= bits) {
		unsigned int width = level + 1 == st->levels ? st->va_bits - shift : bits;
		uint64_t idx = (va >> shift) & ((1ULL << width) - 1);
		uint64_t size = 1ULL << shift;

		if (t) {
			t->step[t->n].level = level_name(st, level);
			t->step[t->n].entry_addr = table + idx * 8;
		}
		if (!arch_read_entry(ctx, table + idx * 8, &entry)) {
			if (t)
				t->error = "the page table is not in the dump";
			return false;
		}
		if (t)
			t->step[t->n++].entry = entry;
		if (!(entry & DESC_VALID)) {
			if (t)
				t->error = "the entry is not valid";
			return false;
		}
		if (level && (entry & DESC_TABLE)) {
			table = desc_addr(st, entry, 1ULL << st->page_shift);
			continue;
		}
		if (!level && !(entry & DESC_TABLE)) {
			if (t)
				t->error = "a reserved descriptor at the last level";
			return false;
		}
		*pa = desc_addr(st, entry, size) + (va & (size - 1));
		if (!t) {
			st->leaf_va = va & ~(size - 1);
			st->leaf_pa = *pa - (va & (size - 1));
			st->leaf_size = size;
		}
		return true;
	}
	return false;
}

static bool arm64_vtop(struct arch_ctx *ctx, uint64_t va, uint64_t *pa)
{
	struct arm64_state *st = ctx->priv;

	if (va - st->page_offset < st->linear_size) {
		*pa = va - st->page_offset + st->phys_offset;
		return true;
	}
	if (st->leaf_size && va - st->leaf_va < st->leaf_size) {
		*pa = st->leaf_pa + (va - st->leaf_va);
		return true;
	}
	return arm64_walk(ctx, va, pa, NULL);
}

static bool arm64_vtop_trace(struct arch_ctx *ctx, uint64_t va, uint64_t *pa,
			     struct vtop_trace *t)
{
	memset(t, 0, sizeof(*t));
	return arm64_walk(ctx, va, pa, t);
}

static bool arm64_is_kvaddr(const struct arch_ctx *ctx, uint64_t va)
{
	const struct arm64_state *st = ctx->priv;

	return va >= -(1ULL << st->va_bits);
}

static void arm64_fini(struct arch_ctx *ctx)
{
	free(ctx->priv);
}

const struct arch_ops arch_arm64 = {
	.name = "aarch64",
	.e_machine = EM_AARCH64,
	.elf_class = ELFCLASS64,
	.init = arm64_init,
	.vtop = arm64_vtop,
	.is_kvaddr = arm64_is_kvaddr,
	.fini = arm64_fini,
	.vtop_trace = arm64_vtop_trace,
};
