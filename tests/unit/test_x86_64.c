// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for arch/x86_64.c: page-table walks with 4 and 5 levels,
 * 4 KiB, 2 MiB and 1 GiB leaves, phys_base and the SME mask.  The page
 * tables are built by hand in the physical memory of a small ELF core.
 */
#include "arch/arch.h"
#include "elf_info.h"
#include "makedumpfile.h"
#include "vmcoreinfo.h"
#include "elfbuild.h"
#include "unit.h"

#define PHYS_BASE	0x1000000ULL	/* kernel image loaded at 16 MiB */
#define PGD_SYM		0xffffffff82000000ULL
#define PGD_PA		(PGD_SYM - 0xffffffff80000000ULL + PHYS_BASE)	/* 0x3000000 */
#define SME		(1ULL << 47)

static char path[] = "/tmp/mdf-test-x86-XXXXXX";

static void set_entry(uint8_t *mem, uint64_t base, uint64_t table, unsigned int idx,
		      uint64_t val)
{
	memcpy(mem + (table - base) + idx * 8, &val, 8);
}

static unsigned int idx(uint64_t va, unsigned int shift)
{
	return (unsigned int)((va >> shift) & 511);
}

/*
 * Physical layout: [0x3000000, 0x3010000) page tables, data pages at
 * 0x5000000 (4K leaf), 0x5200000 (2M leaf), 0x40000000 (1G leaf).
 */
static void build(int levels, uint64_t sme, uint64_t va4k, uint64_t va2m,
		  uint64_t va1g)
{
	char vmci[512];
	struct elfbuild eb;
	uint64_t t = PGD_PA, top = PGD_PA, p4 = t + 0x1000, pud = t + 0x2000;
	uint64_t pmd = t + 0x3000, pte = t + 0x4000;
	uint8_t *tables, *data;
	unsigned int top_shift = levels == 5 ? 48 : 39;

	eb_init(&eb);
	snprintf(vmci, sizeof(vmci),
		 "OSRELEASE=6.1.0\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=%llx\n"
		 "NUMBER(phys_base)=%llu\nNUMBER(pgtable_l5_enabled)=%d\n"
		 "NUMBER(sme_mask)=%llu\n",
		 (unsigned long long)PGD_SYM, (unsigned long long)PHYS_BASE,
		 levels == 5, (unsigned long long)sme);
	eb_note(&eb, "VMCOREINFO", 0, vmci, (uint32_t)strlen(vmci));
	tables = eb_load(&eb, t, t, 0x10000, 0x10000);
	/* all three test addresses share the top levels */
	if (levels == 5) {
		set_entry(tables, t, top, idx(va4k, 48), p4 | 3 | sme);
	} else {
		p4 = top;
	}
	(void)top_shift;
	set_entry(tables, t, p4, idx(va4k, 39), pud | 3 | sme);
	set_entry(tables, t, pud, idx(va4k, 30), pmd | 3 | sme);
	set_entry(tables, t, pmd, idx(va4k, 21), pte | 3 | sme);
	set_entry(tables, t, pte, idx(va4k, 12), 0x5000000 | 3 | sme);
	set_entry(tables, t, pmd, idx(va2m, 21), 0x5200000 | 0x83 | sme);
	set_entry(tables, t, pud, idx(va1g, 30), 0x40000000 | 0x83 | sme);
	data = eb_load(&eb, 0x5000000, 0, 0x400000, 0x400000);
	memcpy(data, "4K-LEAF", 8);
	memcpy(data + 0x200000 + 0x1234, "2M-LEAF", 8);
	data = eb_load(&eb, 0x40000000, 0, 0x100000, 0x100000);
	memcpy(data + 0x54321, "1G-LEAF", 8);
	data = eb_load(&eb, PHYS_BASE, 0, 0x1000, 0x1000);
	memcpy(data + 0x10, "KTEXT", 6);
	CHECK(eb_write(&eb, path) == 0);
	eb_free(&eb);
}

static void check_walks(int levels, uint64_t sme)
{
	uint64_t base = levels == 5 ? 0xff11000000000000ULL : 0xffff888000000000ULL;
	uint64_t va4k = base + 0x7000, va2m = base + 0x200000, va1g = base + 0x40000000;
	struct vmcoreinfo vi;
	struct arch_ctx ctx;
	struct vmcore vc;
	uint64_t pa;
	char buf[8];

	build(levels, sme, va4k, va2m, va1g);
	CHECK(vmcore_open(&vc, path));
	CHECK(vmci_parse(&vi, vc.vmcoreinfo, vc.vmcoreinfo_size, "t"));
	CHECK(arch_find(vc.machine, vc.elf_class) == &arch_x86_64);
	CHECK(arch_init(&ctx, &arch_x86_64, &vc, &vi));
	CHECK_EQ(ctx.phys_base, PHYS_BASE);
	CHECK_EQ(ctx.max_physmem_bits, levels == 5 ? 52 : 46);
	CHECK(arch_x86_64.vtop(&ctx, va4k + 0x10, &pa) && pa == 0x5000010);
	CHECK(arch_read_virt(&ctx, va4k, buf, 8) && !strcmp(buf, "4K-LEAF"));
	CHECK(arch_x86_64.vtop(&ctx, va2m + 0x1234, &pa) && pa == 0x5201234);
	CHECK(arch_read_virt(&ctx, va2m + 0x1234, buf, 8) && !strcmp(buf, "2M-LEAF"));
	CHECK(arch_x86_64.vtop(&ctx, va1g + 0x54321, &pa) && pa == 0x40054321);
	CHECK(arch_read_virt(&ctx, va1g + 0x54321, buf, 8) && !strcmp(buf, "1G-LEAF"));
	/* kernel text: linear with phys_base, no walk */
	CHECK(arch_x86_64.vtop(&ctx, 0xffffffff80000010ULL, &pa) && pa == PHYS_BASE + 0x10);
	CHECK(arch_read_virt(&ctx, 0xffffffff80000010ULL, buf, 6) && !strcmp(buf, "KTEXT"));
	/* unmapped: neighbouring 4K page and another PML4 slot */
	CHECK(!arch_x86_64.vtop(&ctx, va4k + 0x1000, &pa));
	CHECK(!arch_x86_64.vtop(&ctx, base + (1ULL << 39) * 3, &pa));
	CHECK(arch_x86_64.is_kvaddr(&ctx, base));
	CHECK(!arch_x86_64.is_kvaddr(&ctx, 0x7fff00000000ULL));
	arch_fini(&ctx);
	vmci_free(&vi);
	vmcore_close(&vc);
}

static void check_missing_pgd(void)
{
	struct elfbuild eb;
	struct vmcoreinfo vi;
	struct arch_ctx ctx;
	struct vmcore vc;
	static const char vmci[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";

	eb_init(&eb);
	eb_note(&eb, "VMCOREINFO", 0, vmci, sizeof(vmci) - 1);
	eb_load(&eb, 0, 0, 0x1000, 0x1000);
	CHECK(eb_write(&eb, path) == 0);
	eb_free(&eb);
	CHECK(vmcore_open(&vc, path));
	CHECK(vmci_parse(&vi, vc.vmcoreinfo, vc.vmcoreinfo_size, "t"));
	CHECK(!arch_init(&ctx, &arch_x86_64, &vc, &vi));	/* no init_top_pgt */
	arch_fini(&ctx);
	vmci_free(&vi);
	vmcore_close(&vc);
}

int main(void)
{
	int fd = mkstemp(path);

	close(fd);
	msg_set_level(0);
	check_walks(4, 0);
	check_walks(5, 0);
	check_walks(4, SME);
	check_missing_pgd();
	unlink(path);
	return unit_done("test_x86_64");
}
