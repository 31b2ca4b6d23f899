// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * options.c - parse the command line exactly as upstream makedumpfile does:
 * the same short letters, long options and positional-argument rules, so
 * that every invocation in distribution scripts (and --check-params at
 * initramfs build time) behaves the same.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"
#include "makedumpfile.h"
#include "options.h"

enum {
	OPT_START = 256,
	OPT_SPLIT = OPT_START, OPT_REASSEMBLE, OPT_XEN_SYMS, OPT_XEN_VMCOREINFO,
	OPT_XEN_PHYS_START, OPT_MESSAGE_LEVEL, OPT_VTOP, OPT_DUMP_DMESG,
	OPT_CONFIG, OPT_DISKSET, OPT_CYCLIC_BUFFER, OPT_EPPIC, OPT_NON_MMAP,
	OPT_MEM_USAGE, OPT_SPLITBLOCK_SIZE, OPT_WORKING_DIR, OPT_NUM_THREADS,
	OPT_PARTIAL_DMESG, OPT_CHECK_PARAMS, OPT_DRY_RUN, OPT_SHOW_STATS,
	OPT_EXTENSION,
};

static const struct option longopts[] = {
	{ "split", no_argument, NULL, OPT_SPLIT },
	{ "reassemble", no_argument, NULL, OPT_REASSEMBLE },
	{ "xen-syms", required_argument, NULL, OPT_XEN_SYMS },
	{ "xen-vmcoreinfo", required_argument, NULL, OPT_XEN_VMCOREINFO },
	{ "xen_phys_start", required_argument, NULL, OPT_XEN_PHYS_START },
	{ "message-level", required_argument, NULL, OPT_MESSAGE_LEVEL },
	{ "vtop", required_argument, NULL, OPT_VTOP },
	{ "dump-dmesg", no_argument, NULL, OPT_DUMP_DMESG },
	{ "partial-dmesg", no_argument, NULL, OPT_PARTIAL_DMESG },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "help", no_argument, NULL, 'h' },
	{ "diskset", required_argument, NULL, OPT_DISKSET },
	{ "cyclic-buffer", required_argument, NULL, OPT_CYCLIC_BUFFER },
	{ "eppic", required_argument, NULL, OPT_EPPIC },
	{ "non-mmap", no_argument, NULL, OPT_NON_MMAP },
	{ "mem-usage", no_argument, NULL, OPT_MEM_USAGE },
	{ "splitblock-size", required_argument, NULL, OPT_SPLITBLOCK_SIZE },
	{ "work-dir", required_argument, NULL, OPT_WORKING_DIR },
	{ "num-threads", required_argument, NULL, OPT_NUM_THREADS },
	{ "check-params", no_argument, NULL, OPT_CHECK_PARAMS },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "show-stats", no_argument, NULL, OPT_SHOW_STATS },
	{ "extension", required_argument, NULL, OPT_EXTENSION },
	{ NULL, 0, NULL, 0 },
};

void print_version(void)
{
	MSG("makedumpfile: version " MDF_VERSION " (released on " MDF_RELEASE_DATE ")\n");
	MSG("lzo\tenabled\nsnappy\tenabled\nzstd\tenabled\n");
	MSG("\n");
}

void print_usage(void)
{
	print_version();
	MSG("Usage:\n"
	    "  Creating DUMPFILE:\n"
	    "  # makedumpfile    [-c|-l|-p|-z|-E] [-d DL] [-x VMLINUX|-i VMCOREINFO] VMCORE\n"
	    "    DUMPFILE\n\n"
	    "  Creating DUMPFILE with filtered kernel data specified through filter config\n"
	    "  file or eppic macro: (not supported yet)\n\n"
	    "  Outputting the dump data in the flattened format to the standard output:\n"
	    "  # makedumpfile -F [-c|-l|-p|-z|-E] [-d DL] [-x VMLINUX|-i VMCOREINFO] VMCORE\n\n"
	    "  Rearranging the dump data in the flattened format to a readable DUMPFILE:\n"
	    "  # makedumpfile -R DUMPFILE\n\n"
	    "  Splitting the dump data to multiple DUMPFILEs in parallel:\n"
	    "  # makedumpfile --split [-c|-l|-p|-z] [-d DL] [-x VMLINUX|-i VMCOREINFO]\n"
	    "    VMCORE DUMPFILE1 DUMPFILE2 [DUMPFILE3 ..]\n\n"
	    "  Reassembling multiple DUMPFILEs created by --split option:\n"
	    "  # makedumpfile --reassemble DUMPFILE1 DUMPFILE2 [DUMPFILE3 ..] DUMPFILE\n\n"
	    "  Generating VMCOREINFO:\n"
	    "  # makedumpfile -g VMCOREINFO -x VMLINUX\n\n"
	    "  Extracting the dmesg log from a VMCORE:\n"
	    "  # makedumpfile --dump-dmesg [--partial-dmesg] [-x VMLINUX|-i VMCOREINFO]\n"
	    "    VMCORE LOGFILE\n\n"
	    "  Showing the memory usage of the running kernel:\n"
	    "  # makedumpfile --mem-usage /proc/kcore\n\n"
	    "  Translating a kernel virtual address:\n"
	    "  # makedumpfile --vtop VADDR [-x VMLINUX|-i VMCOREINFO] VMCORE [DUMPFILE]\n\n"
	    "Available options:\n"
	    "  [-c|-l|-p|-z]:\n"
	    "      Compress dump data by each page using zlib for -c option, lzo for -l\n"
	    "      option, snappy for -p option or zstd for -z option.\n"
	    "      A page is stored compressed only if that makes it smaller.\n\n"
	    "  [-d DL]:\n"
	    "      Specify the type of unnecessary page for analysis.\n"
	    "      Pages of the specified type are not copied to DUMPFILE. The page type\n"
	    "      marked in the following table is excluded. A user can specify multiple\n"
	    "      page types by setting the sum of each page type for Dump_Level (DL).\n"
	    "      The maximum of Dump_Level is 31.\n\n"
	    "       Dump  |  zero   without  with     user    free\n"
	    "       Level |  page   private  private  data    page\n"
	    "      -------+---------------------------------------\n"
	    "          0  |\n"
	    "          1  |   X\n"
	    "          2  |           X\n"
	    "          4  |           X        X\n"
	    "          8  |                            X\n"
	    "         16  |                                    X\n"
	    "         31  |   X       X        X       X       X\n\n"
	    "  [-F]:\n"
	    "      Output the dump data in the flattened format to the standard output\n"
	    "      for transporting the dump data by SSH. Messages go to stderr.\n\n"
	    "  [-R]:\n"
	    "      Rearrange the dump data in the flattened format from the standard input\n"
	    "      to a readable DUMPFILE. Data after the end marker is ignored.\n\n"
	    "  [-E]:\n"
	    "      Create DUMPFILE in the ELF format (same class as VMCORE).\n\n"
	    "  [-L SIZE]:\n"
	    "      Limit the size of DUMPFILE (K, M, G or T suffix). Reaching it is\n"
	    "      handled as a full disk: the next level of -d DL,DL,.. is tried, or the\n"
	    "      file is flagged incomplete.\n\n"
	    "  [-x VMLINUX]:\n"
	    "      Take what VMCOREINFO lacks from the debuginfo of VMLINUX.\n\n"
	    "  [-g VMCOREINFO]:\n"
	    "      With -x: write the VMCOREINFO of VMLINUX to a file for -i.\n\n"
	    "  [--dump-dmesg], [--partial-dmesg]:\n"
	    "      Write the kernel log of VMCORE to LOGFILE; --partial-dmesg: only what\n"
	    "      was logged after the last clear.\n\n"
	    "  [--mem-usage]:\n"
	    "      Print the number of pages of each class in /proc/kcore.\n\n"
	    "  [--vtop VADDR]:\n"
	    "      Print the page-table walk of the kernel virtual address VADDR.\n\n"
	    "  [--num-threads THREADNUM]:\n"
	    "      Compression threads (default: one per CPU, at most 8, for -c and -z;\n"
	    "      none for -l and -p, which compress inline).\n\n"
	    "  [--splitblock-size SIZE]:\n"
	    "      With --split: balance the files in blocks of SIZE KiB (default 1 GiB).\n\n"
	    "  [-i VMCOREINFO]:\n"
	    "      Read the kernel layout from VMCOREINFO (the format -g writes) instead of\n"
	    "      the note in VMCORE. A different OSRELEASE fails with exit status 2.\n\n"
	    "  [--cyclic-buffer BUFFER_SIZE]:\n"
	    "      Size in KiB of each of the two bitmap buffers; memory use does not grow\n"
	    "      with the dumped machine's RAM. Default: 4096.\n\n"
	    "  [--work-dir DIRECTORY]:\n"
	    "      Keep the bitmaps in a file in DIRECTORY and work in one cycle.\n\n"
	    "  [--message-level ML]:\n"
	    "      Bits: 1 progress, 2 common messages, 4 errors, 8 debug, 16 report.\n"
	    "      Default: 7.\n\n"
	    "  [--show-stats]:\n"
	    "      Print the page statistics (adds 16 to the message level).\n\n"
	    "  [--dry-run]:\n"
	    "      Do everything but write DUMPFILE.\n\n"
	    "  [--check-params]:\n"
	    "      Only check the parameters, then exit 0 or 1.\n\n"
	    "  [--non-mmap], [-b ORDER]:\n"
	    "      Accepted for compatibility.\n\n"
	    "  [-D]:\n"
	    "      Print debugging messages.\n\n"
	    "  [-f]:\n"
	    "      Overwrite DUMPFILE if it exists.\n\n"
	    "  [-v]:\n"
	    "      Show the version and the compression libraries built in.\n\n"
	    "  [-h, --help]:\n"
	    "      Show this help.\n");
}

/* "31" or "31,11,1": every value 0..31, at most MAX_DUMP_LEVELS of them. */
static bool parse_dump_levels(const char *arg, struct options *opt)
{
	char *copy = strdup(arg), *save = NULL;
	bool ok = copy != NULL;

	opt->nr_dump_levels = 0;
	for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && ok;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned long v;

		if (!parse_ulong(tok, &v) || v > MAX_DUMP_LEVEL ||
		    opt->nr_dump_levels >= MAX_DUMP_LEVELS)
			ok = false;
		else
			opt->dump_levels[opt->nr_dump_levels++] = (int)v;
	}
	free(copy);
	if (!ok || !opt->nr_dump_levels) {
		ERRMSG("Dump_level(%s) is invalid. It must be 0-%d, or a comma-separated list of such.\n",
		       arg, MAX_DUMP_LEVEL);
		return false;
	}
	return true;
}

static const char *unsupported_name(int c)
{
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == c)
			return o->name;
	switch (c) {
	case 'E': return "-E";
	case 'e': return "-e";
	case 'g': return "-g";
	case 'x': return "-x";
	case 'X': return "-X";
	case 'L': return "-L";
	default: return "?";
	}
}

static int parse_one(int c, struct options *opt, int *extra_ml)
{
	unsigned long v;
	uint64_t size;

	switch (c) {
	case 'c': opt->codec = DUMP_DH_COMPRESSED_ZLIB; break;
	case 'l': opt->codec = DUMP_DH_COMPRESSED_LZO; break;
	case 'p': opt->codec = DUMP_DH_COMPRESSED_SNAPPY; break;
	case 'z': opt->codec = DUMP_DH_COMPRESSED_ZSTD; break;
	case 'd':
		if (!parse_dump_levels(optarg, opt))
			return EXIT_FAILED;
		break;
	case 'D': *extra_ml |= ML_DEBUG; break;
	case 'F': opt->flatten = true; break;
	case 'f': opt->force = true; break;
	case 'h': opt->mode = MODE_HELP; break;
	case 'v': opt->mode = MODE_VERSION; break;
	case 'R': opt->mode = MODE_REARRANGE; break;
	case 'i': opt->vmcoreinfo_file = optarg; break;
	case 'x': opt->vmlinux = optarg; break;
	case 'g':
		opt->gen_vmcoreinfo = optarg;
		opt->mode = MODE_GEN_VMCOREINFO;
		break;
	case 'E': opt->elf_output = true; break;
	case OPT_SPLIT: opt->split = true; break;
	case OPT_REASSEMBLE: opt->mode = MODE_REASSEMBLE; break;
	case OPT_DUMP_DMESG: opt->mode = MODE_DMESG; break;
	case OPT_PARTIAL_DMESG: opt->partial_dmesg = true; break;
	case OPT_MEM_USAGE: opt->mode = MODE_MEM_USAGE; break;
	case OPT_VTOP:
		if (!parse_ulong(optarg, &v)) {
			ERRMSG("Virtual address(%s) is invalid.\n", optarg);
			return EXIT_FAILED;
		}
		opt->has_vtop = true;
		opt->vtop_addr = v;
		break;
	case 'b': break;			/* write cache order: ours is fixed */
	case OPT_NON_MMAP: break;		/* mmap failures fall back anyway */
	case OPT_SPLITBLOCK_SIZE:
		if (!parse_ulong(optarg, &v) || !v) {
			ERRMSG("Splitblock size(%s) is invalid.\n", optarg);
			return EXIT_FAILED;
		}
		opt->splitblock_kib = v;
		break;
	case OPT_MESSAGE_LEVEL:
		if (!parse_ulong(optarg, &v) || v > 31) {
			ERRMSG("Message level(%s) is invalid (0-31).\n", optarg);
			return EXIT_FAILED;
		}
		opt->message_level = (int)v;
		break;
	case OPT_SHOW_STATS: *extra_ml |= ML_REPORT; break;
	case OPT_DRY_RUN: opt->dry_run = true; break;
	case OPT_CHECK_PARAMS: opt->check_params = true; break;
	case OPT_CYCLIC_BUFFER:
		if (!parse_ulong(optarg, &v) || !v) {
			ERRMSG("Cyclic buffer size(%s) is invalid.\n", optarg);
			return EXIT_FAILED;
		}
		opt->cyclic_buffer_kib = v;
		break;
	case OPT_WORKING_DIR: opt->work_dir = optarg; break;
	case OPT_NUM_THREADS:
		if (!parse_ulong(optarg, &v)) {
			ERRMSG("Number of threads(%s) is invalid.\n", optarg);
			return EXIT_FAILED;
		}
		opt->num_threads = v;
		break;
	case 'L':
		if (!parse_size(optarg, &size)) {
			ERRMSG("Size limit(%s) is invalid.\n", optarg);
			return EXIT_FAILED;
		}
		opt->has_size_limit = true;
		opt->size_limit = size;
		break;
	default:
		if (c == '?' || c == ':')
			return EXIT_FAILED;
		ERRMSG("The option %s is not supported by this version yet.\n",
		       unsupported_name(c));
		return EXIT_FAILED;
	}
	return 0;
}

static int take_files(int argc, char **argv, struct options *opt, int first)
{
	for (int i = first; i < argc; i++) {
		if (opt->nr_files >= MAX_SPLIT_FILES)
			return EXIT_FAILED;
		opt->files[opt->nr_files++] = argv[i];
	}
	return 0;
}

/* Combinations upstream refuses (check_param_for_creating_dumpfile()). */
static int check_combinations(const struct options *opt)
{
	if (opt->elf_output && opt->codec) {
		ERRMSG("The -E option can't be used with a compression option.\n");
		return EXIT_FAILED;
	}
	if (opt->vmcoreinfo_file && opt->vmlinux && opt->mode != MODE_GEN_VMCOREINFO) {
		ERRMSG("The -i and -x options can't be used together.\n");
		return EXIT_FAILED;
	}
	if (opt->flatten && opt->split) {
		ERRMSG("The -F and --split options can't be used together.\n");
		return EXIT_FAILED;
	}
	if (opt->num_threads && (opt->split || opt->elf_output)) {
		ERRMSG("--num-threads can't be used with --split or -E.\n");
		return EXIT_FAILED;
	}
	if (opt->partial_dmesg && opt->mode != MODE_DMESG) {
		ERRMSG("--partial-dmesg needs --dump-dmesg.\n");
		return EXIT_FAILED;
	}
	if (opt->dry_run && (opt->mode == MODE_DMESG || opt->mode == MODE_REASSEMBLE ||
			     opt->mode == MODE_GEN_VMCOREINFO)) {
		ERRMSG("--dry-run can't be used with --dump-dmesg, --reassemble or -g.\n");
		return EXIT_FAILED;
	}
	return 0;
}

static int check_positional(int argc, char **argv, struct options *opt)
{
	int n = argc - optind;

	switch (opt->mode) {
	case MODE_REARRANGE:
		if (n != 1 || opt->flatten)
			return EXIT_FAILED;
		opt->dumpfile = argv[optind];
		return 0;
	case MODE_REASSEMBLE:
		if (n < 3)
			return EXIT_FAILED;
		opt->dumpfile = argv[argc - 1];
		return take_files(argc - 1, argv, opt, optind);
	case MODE_GEN_VMCOREINFO:
		return n == 0 && opt->vmlinux ? 0 : EXIT_FAILED;
	case MODE_MEM_USAGE:
		if (n != 1)
			return EXIT_FAILED;
		opt->vmcore = argv[optind];
		return 0;
	case MODE_DMESG:
		if (n != 2)
			return EXIT_FAILED;
		opt->vmcore = argv[optind];
		opt->dumpfile = argv[optind + 1];
		return 0;
	default:
		break;
	}
	if (opt->has_vtop && n == 1 && !opt->flatten) {	/* --vtop ADDR VMCORE */
		opt->vmcore = argv[optind];
		return 0;
	}
	if (opt->split) {
		if (n < 3)
			return EXIT_FAILED;
		opt->vmcore = argv[optind];
		return take_files(argc, argv, opt, optind + 1);
	}
	if (opt->flatten) {
		if (n != 1)
			return EXIT_FAILED;
		opt->vmcore = argv[optind];
		opt->dumpfile = "STDOUT";
		return 0;
	}
	if (n != 2)
		return EXIT_FAILED;
	opt->vmcore = argv[optind];
	opt->dumpfile = argv[optind + 1];
	return 0;
}

/**
 * parse_options - fill @opt from argv.
 *
 * Return: 0, or EXIT_FAILED after printing why (upstream's wording).
 */
int parse_options(int argc, char **argv, struct options *opt)
{
	int c, extra_ml = 0, ret;

	memset(opt, 0, sizeof(*opt));
	opt->mode = MODE_DUMP;
	opt->message_level = DEFAULT_MSG_LEVEL;
	opt->nr_dump_levels = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "b:cDd:eEFfg:hi:lL:pRvXx:z", longopts,
				NULL)) != -1) {
		ret = parse_one(c, opt, &extra_ml);
		if (ret)
			goto invalid;
	}
	opt->message_level |= extra_ml;
	msg_set_level(opt->message_level);
	if (opt->flatten)
		msg_set_stream(stderr);
	if (opt->mode == MODE_HELP || opt->mode == MODE_VERSION)
		return 0;
	if (check_positional(argc, argv, opt) || check_combinations(opt))
		goto invalid;
	return 0;
invalid:
	msg_set_level(opt->message_level | extra_ml);
	MSG("Commandline parameter is invalid.\n");
	MSG("Try `makedumpfile --help' for more information.\n");
	return EXIT_FAILED;
}
