// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mem_usage.c - --mem-usage /proc/kcore: how many pages of each class the
 * running kernel has, to size a dump target before anything crashes.
 *
 * /proc/kcore is an ELF core of the live kernel: a PT_LOAD per System RAM
 * range (p_paddr set since 4.11), one for the kernel text (overlapping
 * RAM), and PT_LOADs for vmalloc, modules, vmemmap and the vsyscall page
 * whose p_paddr is -1.  Only segments with a physical address are kept.
 * Memory reserved for the capture kernel ("Crash kernel" in /proc/iomem)
 * is not counted, as it will not be in /proc/vmcore (only when the input
 * is the live /proc/kcore; any other ELF core is taken as it is).  Classes are counted
 * with the filter at dump level 31 (struct page), then the pages left are
 * read to count the ones filled with zero, as upstream does for ELF dumps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "filter.h"
#include "introspect.h"
#include "kernel.h"
#include "makedumpfile.h"
#include "options.h"

#define CYCLE_PFNS	(1ULL << 24)	/* 64 GiB of 4 KiB pages per bitmap pass */
#define MAX_CRASH_RANGES 16

struct usage {
	struct filter_stats st;
	uint64_t present, zero;
	uint64_t crash_start[MAX_CRASH_RANGES], crash_end[MAX_CRASH_RANGES];
	int nr_crash;
};

/* The "Crash kernel" ranges of /proc/iomem (pfns), when it can be read. */
static void read_crash_ranges(struct usage *u, unsigned int page_size)
{
	FILE *fp = fopen("/proc/iomem", "r");
	char line[256];

	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp) && u->nr_crash < MAX_CRASH_RANGES) {
		unsigned long long a, b;

		if (!strstr(line, ": Crash kernel") ||
		    sscanf(line, " %llx-%llx", &a, &b) != 2 || b <= a)
			continue;
		u->crash_start[u->nr_crash] = a / page_size;
		u->crash_end[u->nr_crash++] = (b + 1) / page_size;
		DEBUG_MSG("crashkernel: %llx-%llx, not counted\n", a, b);
	}
	fclose(fp);
}

/* Whether @path is this system's /proc/kcore (not a saved dump). */
static bool is_live_kcore(const char *path)
{
	char *real = realpath(path, NULL);
	bool live = real && !strcmp(real, "/proc/kcore");

	free(real);
	return live;
}

/* Filter one cycle, then count what it left and which of that is zero. */
static bool count_cycle(struct kernel *k, struct filter *f, struct usage *u,
			struct bitmap *bm1, struct bitmap *bm2)
{
	if (!filter_cycle(f, bm1, bm2))
		return false;
	for (int i = 0; i < u->nr_crash; i++) {
		bitmap_clear_range(bm1, u->crash_start[i], u->crash_end[i]);
		bitmap_clear_range(bm2, u->crash_start[i], u->crash_end[i]);
	}
	u->present += bitmap_count(bm1);
	for (uint64_t pfn = bm2->start_pfn; pfn < bm2->end_pfn; pfn++) {
		const uint8_t *page;

		if (!bitmap_test(bm2, pfn))
			continue;
		page = vmcore_read_page(&k->vc, pfn);
		if (!page)
			return false;
		if (page_is_zero(page, k->page_size))
			u->zero++;
	}
	return true;
}

static bool count_pages(struct kernel *k, struct usage *u)
{
	uint64_t cap = ROUND_UP(MIN(k->max_mapnr, CYCLE_PFNS), 8);
	struct bitmap bm1, bm2;
	struct filter f;
	bool ok = filter_init(&f, k, MAX_DUMP_LEVEL);

	bitmap_alloc(&bm1, cap);
	bitmap_alloc(&bm2, cap);
	filter_rewind(&f, &u->st);
	for (uint64_t start = 0; ok && start < k->max_mapnr; start += cap) {
		uint64_t end = MIN(start + cap, k->max_mapnr);

		bitmap_reset(&bm1, start, end);
		bitmap_reset(&bm2, start, end);
		ok = count_cycle(k, &f, u, &bm1, &bm2);
	}
	filter_fini(&f);
	bitmap_free(&bm1);
	bitmap_free(&bm2);
	return ok;
}

/* The table, in upstream's format. */
static void print_usage_table(const struct usage *u, unsigned int page_size)
{
	const uint64_t *x = u->st.excluded;
	uint64_t excluded = u->zero + x[PC_CACHE] + x[PC_CACHE_PRIVATE] + x[PC_USER] +
			    x[PC_FREE] + x[PC_HWPOISON] + x[PC_OFFLINE];

	MSG("\n");
	MSG("TYPE\t\tPAGES\t\t\tEXCLUDABLE\tDESCRIPTION\n");
	MSG("----------------------------------------------------------------------\n");
	MSG("ZERO\t\t%-16llu\tyes\t\tPages filled with zero\n",
	    (unsigned long long)u->zero);
	MSG("NON_PRI_CACHE\t%-16llu\tyes\t\tCache pages without private flag\n",
	    (unsigned long long)x[PC_CACHE]);
	MSG("PRI_CACHE\t%-16llu\tyes\t\tCache pages with private flag\n",
	    (unsigned long long)x[PC_CACHE_PRIVATE]);
	MSG("USER\t\t%-16llu\tyes\t\tUser process pages\n",
	    (unsigned long long)x[PC_USER]);
	MSG("FREE\t\t%-16llu\tyes\t\tFree pages\n", (unsigned long long)x[PC_FREE]);
	MSG("KERN_DATA\t%-16llu\tno\t\tDumpable kernel data \n",
	    (unsigned long long)(u->present - excluded));
	MSG("\n");
	MSG("page size:\t\t%-16u\n", page_size);
	MSG("Total pages on system:\t%-16llu\n", (unsigned long long)u->present);
	MSG("Total size on system:\t%-16llu Byte\n",
	    (unsigned long long)(u->present * page_size));
}

static bool version_ok(const struct kernel *k, bool force)
{
	unsigned int v = kernel_version_from_release(k->vi.osrelease);

	if (force || v >= KERNEL_VERSION(4, 11, 0))
		return true;
	MSG("mem-usage not supported for this kernel.\n");
	MSG("You can try with -f if your kernel's kcore has valid p_paddr\n");
	return false;
}

/**
 * show_mem_usage - --mem-usage /proc/kcore.
 */
int show_mem_usage(const struct options *opt)
{
	const struct kernel_src src = KERNEL_SRC(opt);
	struct usage *u = xcalloc(1, sizeof(*u));
	struct kernel k;
	int ret;

	ret = kernel_open(&k, &src, MAX_DUMP_LEVEL);
	if (ret == EXIT_COMPLETED && (!k.has_vmcoreinfo || !version_ok(&k, opt->force)))
		ret = EXIT_FAILED;
	if (ret == EXIT_COMPLETED) {
		if (is_live_kcore(opt->vmcore))
			read_crash_ranges(u, k.page_size);
		if (count_pages(&k, u))
			print_usage_table(u, k.page_size);
		else
			ret = EXIT_FAILED;
	}
	kernel_close(&k);
	free(u);
	return ret;
}
