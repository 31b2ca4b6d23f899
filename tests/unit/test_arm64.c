// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for arch/arm64.c: the linear map with PHYS_OFFSET in the
 * flipped (5.4+) and the old layout, swapper_pg_dir walks with 4K pages
 * (48-bit: 4 levels, 39-bit: 3) and 64K pages (48-bit: 3 levels), block
 * and page descriptors, the --vtop trace, and missing keys.  The page
 * tables are built by hand in the physical memory of a small ELF core.
 */
#include "arch/arch.h"
#include "elf_info.h"
#include "makedumpfile.h"
#include "vmcoreinfo.h"
#include "elfbuild.h"
#include "unit.h"

#define RAM		0x40000000ULL		/* PHYS_OFFSET, as QEMU virt */
#define KIMAGE_VOFF	0xffff800008000000ULL - 0x40200000ULL
#define PGD_SYM		0xffff800009000000ULL	/* swapper_pg_dir */
#define PGD_PA		(PGD_SYM - (KIMAGE_VOFF))	/* 0x41200000 */

static char path[] = "/tmp/mdf-test-arm64-XXXXXX";

struct geo {
	const char *release;
	unsigned int page_shift, va_bits, levels;
	bool flipped;			/* 5.4+ layout */
};

/* An address outside the linear map, which must be walked. */
static uint64_t walk_va(const struct geo *g)
{
	return g->flipped ? -(1ULL << (g->va_bits - 2))
			  : -(1ULL << g->va_bits) + (1ULL << (g->va_bits - 2));
}

/* Where the level-1 block maps to: aligned to its size (2M or 512M). */
static uint64_t block_pa(uint64_t block)
{
	return RAM + (block < 0x2000000 ? 0x2000000 : block);
}

static void set_entry(uint8_t *mem, uint64_t base, uint64_t table, uint64_t idx,
		      uint64_t val)
{
	memcpy(mem + (table - base) + idx * 8, &val, 8);
}

static uint64_t index_at(const struct geo *g, uint64_t va, unsigned int level)
{
	unsigned int bits = g->page_shift - 3;
	unsigned int shift = g->page_shift + level * bits;
	unsigned int width = level + 1 == g->levels ? g->va_bits - shift : bits;

	return (va >> shift) & ((1ULL << width) - 1);
}

/*
 * Tables at PGD_PA, one page per level; walk_va() maps a page at
 * RAM + 0x800000 through every level, walk_va() + the size of a level-1
 * block maps a block (2M with 4K pages, 512M with 64K pages).
 */
static void build(const struct geo *g)
{
	uint64_t page = 1ULL << g->page_shift, block = page << (g->page_shift - 3);
	uint64_t va_page = walk_va(g), va_block = va_page + block;
	uint64_t tables[4];
	struct elfbuild eb;
	char vmci[512];
	uint8_t *mem;

	eb_init(&eb);
	eb.machine = EM_AARCH64;
	snprintf(vmci, sizeof(vmci),
		 "OSRELEASE=%s\nPAGESIZE=%llu\nSYMBOL(swapper_pg_dir)=%llx\n"
		 "NUMBER(VA_BITS)=%u\nNUMBER(kimage_voffset)=0x%llx\n"
		 "NUMBER(PHYS_OFFSET)=0x%llx\n", g->release, (unsigned long long)page,
		 (unsigned long long)PGD_SYM, g->va_bits,
		 (unsigned long long)(KIMAGE_VOFF), (unsigned long long)RAM);
	eb_note(&eb, "VMCOREINFO", 0, vmci, (uint32_t)strlen(vmci));
	mem = eb_load(&eb, RAM, 0, 0x1400000 + 4 * page, 0x1400000 + 4 * page);
	for (unsigned int l = 0; l < g->levels; l++)
		tables[l] = PGD_PA + (g->levels - 1 - l) * page;
	for (unsigned int l = g->levels - 1; l >= 1; l--)
		set_entry(mem, RAM, tables[l], index_at(g, va_page, l), tables[l - 1] | 3);
	set_entry(mem, RAM, tables[0], index_at(g, va_page, 0), (RAM + 0x800000) | 3);
	set_entry(mem, RAM, tables[1], index_at(g, va_block, 1), block_pa(block) | 1);
	memcpy(mem + 0x800000 + 0x18, "PAGE", 5);
	memcpy(mem + 0x10, "LINEAR", 7);
	mem = eb_load(&eb, block_pa(block), 0, 0x10000, 0x10000);
	memcpy(mem + 0x1238, "BLOCK", 6);
	CHECK(eb_write(&eb, path) == 0);
	eb_free(&eb);
}

static void check(const struct geo *g, uint64_t linear_va)
{
	uint64_t page = 1ULL << g->page_shift, block = page << (g->page_shift - 3);
	uint64_t va = walk_va(g);
	struct vmcoreinfo vi;
	struct vtop_trace t;
	struct arch_ctx ctx;
	struct vmcore vc;
	uint64_t pa;
	char buf[8];

	build(g);
	CHECK(vmcore_open(&vc, path));
	CHECK(vmci_parse(&vi, vc.vmcoreinfo, vc.vmcoreinfo_size, "t"));
	CHECK(arch_find(vc.machine, vc.elf_class) == &arch_arm64);
	CHECK(arch_init(&ctx, &arch_arm64, &vc, &vi));
	CHECK_EQ(ctx.phys_base, RAM);
	/* linear map: PHYS_OFFSET arithmetic, no walk */
	CHECK(arch_arm64.vtop(&ctx, linear_va + 0x10, &pa) && pa == RAM + 0x10);
	CHECK(arch_read_virt(&ctx, linear_va + 0x10, buf, 7) && !strcmp(buf, "LINEAR"));
	/* walked: a page and a block */
	CHECK(arch_arm64.vtop(&ctx, va + 0x18, &pa));
	CHECK_EQ(pa, RAM + 0x800018);
	CHECK(arch_read_virt(&ctx, va + 0x18, buf, 5) && !strcmp(buf, "PAGE"));
	CHECK(arch_arm64.vtop(&ctx, va + block + 0x1238, &pa));
	CHECK_EQ(pa, block_pa(block) + 0x1238);
	CHECK(arch_read_virt(&ctx, va + block + 0x1238, buf, 6) && !strcmp(buf, "BLOCK"));
	/* the next page and another top-level slot are not mapped */
	CHECK(!arch_arm64.vtop(&ctx, va + page, &pa));
	CHECK(!arch_arm64.vtop(&ctx, va ^ (1ULL << (g->va_bits - 3)), &pa));
	/* --vtop records one entry per level */
	CHECK(arch_arm64.vtop_trace(&ctx, va + 0x18, &pa, &t));
	CHECK(t.n == g->levels && pa == RAM + 0x800018 && !strcmp(t.step[0].level, "PGD"));
	CHECK_EQ(t.step[0].entry_addr, PGD_PA + index_at(g, va, g->levels - 1) * 8);
	CHECK(!arch_arm64.vtop_trace(&ctx, va + page, &pa, &t) && t.error);
	CHECK(arch_arm64.is_kvaddr(&ctx, -(1ULL << g->va_bits)));
	CHECK(!arch_arm64.is_kvaddr(&ctx, 0x0000ffff00000000ULL));
	arch_fini(&ctx);
	vmci_free(&vi);
	vmcore_close(&vc);
}

static void check_missing_keys(void)
{
	static const char vmci[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\n";
	struct elfbuild eb;
	struct vmcoreinfo vi;
	struct arch_ctx ctx;
	struct vmcore vc;

	eb_init(&eb);
	eb.machine = EM_AARCH64;
	eb_note(&eb, "VMCOREINFO", 0, vmci, sizeof(vmci) - 1);
	eb_load(&eb, RAM, 0, 0x1000, 0x1000);
	CHECK(eb_write(&eb, path) == 0);
	eb_free(&eb);
	CHECK(vmcore_open(&vc, path));
	CHECK(vmci_parse(&vi, vc.vmcoreinfo, vc.vmcoreinfo_size, "t"));
	CHECK(!arch_init(&ctx, &arch_arm64, &vc, &vi));	/* no kimage_voffset */
	arch_fini(&ctx);
	vmci_free(&vi);
	vmcore_close(&vc);
}

int main(void)
{
	static const struct geo g4k48 = { "6.1.0", 12, 48, 4, true };
	static const struct geo g4k39 = { "6.1.0", 12, 39, 3, true };
	static const struct geo g64k48 = { "6.1.0", 16, 48, 3, true };
	static const struct geo old4k48 = { "4.19.0", 12, 48, 4, false };
	int fd = mkstemp(path);

	close(fd);
	msg_set_level(0);
	check(&g4k48, 0xffff000000000000ULL);		/* 5.4+: -(1 << 48) */
	check(&g4k39, 0xffffff8000000000ULL);		/* -(1 << 39) */
	check(&g64k48, 0xffff000000000000ULL);
	check(&old4k48, 0xffff800000000000ULL);		/* before 5.4: upper half */
	check_missing_keys();
	unlink(path);
	return unit_done("test_arm64");
}
