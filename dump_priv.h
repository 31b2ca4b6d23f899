/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump_priv.h - state shared by the writers of a dump (kdump-compressed
 * in dump.c, ELF in elf_writer.c, split files in split.c).
 */
#ifndef MDF_DUMP_PRIV_H
#define MDF_DUMP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "bitmap.h"
#include "filter.h"
#include "kdump.h"
#include "kernel.h"
#include "output.h"

struct options;

/**
 * struct dump - one run of the filter.
 * @cycle_pfns, @nr_cycles:	the fixed window the bitmaps hold
 * @cur, @cur_valid:	which cycle bm1/bm2 hold now (dump_load_cycle())
 * @counted:		cycles [0, counted) have been counted into @st
 * @elf_zero:		clear zero pages from bm2 (ELF output with -d 1)
 * @elf_excluded:	pages really left out of the ELF file
 */
struct dump {
	const struct options *opt;
	struct kernel k;
	struct filter f;
	struct filter_stats st;
	struct output out;
	struct kdump_layout lay;
	struct bitmap bm1, bm2;
	uint64_t cycle_pfns;
	uint64_t nr_cycles;
	uint64_t num_dumpable;
	int dump_level;
	uint64_t cur, counted;
	bool cur_valid;
	bool elf_zero;
	uint64_t elf_excluded;
	/* --split: dumpable pages per splitblock, and this file's pfn range */
	uint64_t *sb_counts;
	uint64_t sb_pfns, nr_sb;
	bool split_file;
	uint64_t range_start, range_end;
};

bool dump_load_cycle(struct dump *d, uint64_t c);
bool dump_pfn_dumpable(struct dump *d, uint64_t pfn, bool *ok);
void dump_print_report(const struct dump *d);
bool dump_write_kdump(struct dump *d);
bool dump_open_output(struct dump *d, enum output_kind kind, const char *path);
bool dump_setup_cycles(struct dump *d);
bool dump_count_pass(struct dump *d);
void dump_free_cycles(struct dump *d);
bool write_elf_dump(struct dump *d);		/* elf_writer.c */
int write_split_dump(struct dump *d);		/* split.c */

#endif /* MDF_DUMP_PRIV_H */
