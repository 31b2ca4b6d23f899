/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.h - the parsed command line.
 */
#ifndef MDF_OPTIONS_H
#define MDF_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_DUMP_LEVELS 32

#define MAX_SPLIT_FILES 256

enum mode {
	MODE_DUMP,		/* VMCORE DUMPFILE, or VMCORE with -F */
	MODE_REARRANGE,		/* -R DUMPFILE < flattened */
	MODE_REASSEMBLE,	/* --reassemble FILE1 FILE2 [...] DUMPFILE */
	MODE_DMESG,		/* --dump-dmesg VMCORE LOGFILE */
	MODE_GEN_VMCOREINFO,	/* -g VMCOREINFO -x VMLINUX */
	MODE_MEM_USAGE,		/* --mem-usage /proc/kcore */
	MODE_HELP,
	MODE_VERSION,
};

struct options {
	enum mode mode;
	int dump_levels[MAX_DUMP_LEVELS];
	int nr_dump_levels;
	unsigned int codec;		/* DUMP_DH_COMPRESSED_* or 0 */
	bool flatten;			/* -F */
	bool force;			/* -f */
	bool dry_run;
	bool check_params;
	int message_level;
	uint64_t cyclic_buffer_kib;	/* 0: automatic */
	const char *work_dir;
	const char *vmcoreinfo_file;	/* -i */
	unsigned long num_threads;
	const char *vmlinux;		/* -x */
	const char *gen_vmcoreinfo;	/* -g */
	bool elf_output;		/* -E */
	bool split;			/* --split */
	bool partial_dmesg;
	bool has_size_limit;		/* -L */
	uint64_t size_limit;
	bool has_vtop;			/* --vtop */
	uint64_t vtop_addr;
	uint64_t splitblock_kib;	/* --splitblock-size, 0: default */
	const char *vmcore;
	const char *dumpfile;
	/* --split and --reassemble: the dump files */
	const char *files[MAX_SPLIT_FILES];
	int nr_files;
};

/* Return: 0 on success, or an exit code after printing the reason. */
int parse_options(int argc, char **argv, struct options *opt);
void print_usage(void);
void print_version(void);

#endif /* MDF_OPTIONS_H */
