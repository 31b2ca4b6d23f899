// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vtop.c - --vtop VADDR: show how one kernel virtual address translates.
 *
 * The output is upstream makedumpfile's: a header line, one line per
 * page-table entry read ("  PGD : <entry address> => <entry>"), then the
 * virtual and the physical address.  The walk starts at the kernel's top
 * page table for every address, kernel-image addresses included.  A
 * failed translation is an error (upstream printed an all-ones address
 * and went on).
 */
#include "introspect.h"
#include "kernel.h"
#include "makedumpfile.h"
#include "options.h"

static void print_trace(const struct vtop_trace *t)
{
	for (unsigned int i = 0; i < t->n; i++)
		MSG("  %s : %16llx => %16llx\n", t->step[i].level,
		    (unsigned long long)t->step[i].entry_addr,
		    (unsigned long long)t->step[i].entry);
}

static bool translate(struct kernel *k, uint64_t va, uint64_t *pa)
{
	struct vtop_trace t;
	bool ok;

	if (!k->arch.ops->vtop_trace)
		return k->arch.ops->vtop(&k->arch, va, pa);
	ok = k->arch.ops->vtop_trace(&k->arch, va, pa, &t);
	print_trace(&t);
	if (!ok && t.n)
		ERRMSG("Can't get a valid %s entry for %llx: %s.\n",
		       t.step[t.n - 1].level, (unsigned long long)va,
		       t.error ? t.error : "no leaf");
	return ok;
}

/**
 * vtop_report - --vtop VADDR VMCORE [DUMPFILE]: print the translation.
 */
int vtop_report(const struct options *opt)
{
	const struct kernel_src src = KERNEL_SRC(opt);
	uint64_t va = opt->vtop_addr, pa;
	struct kernel k;
	int ret;
	bool ok;

	ret = kernel_open(&k, &src, 0);
	if (ret == EXIT_COMPLETED && !k.has_vmcoreinfo) {
		ERRMSG("%s has no VMCOREINFO, needed to find the page tables; give -i or -x.\n",
		       opt->vmcore);
		ret = EXIT_FAILED;
	}
	if (ret != EXIT_COMPLETED) {
		kernel_close(&k);
		return ret;
	}
	MSG("\n");
	MSG("Translating virtual address %llx to physical address.\n",
	    (unsigned long long)va);
	ok = translate(&k, va, &pa);
	kernel_close(&k);
	if (!ok) {
		ERRMSG("Can't translate virtual address %llx.\n", (unsigned long long)va);
		return EXIT_FAILED;
	}
	MSG("VIRTUAL           PHYSICAL\n");
	MSG("%16llx  %llx\n", (unsigned long long)va, (unsigned long long)pa);
	MSG("\n");
	return EXIT_COMPLETED;
}
