// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * makedumpfile.c - the driver: parse options, run one mode, report.
 */
#include <unistd.h>

#include "dump.h"
#include "flat.h"
#include "introspect.h"
#include "makedumpfile.h"
#include "options.h"
#include "output.h"

static int rearrange(const struct options *opt)
{
	if (!output_check_path(opt->dumpfile, opt->force) ||
	    !flat_rebuild(STDIN_FILENO, opt->dumpfile, opt->force))
		return EXIT_FAILED;
	MSG("\nThe dumpfile is saved to %s.\n", opt->dumpfile);
	return EXIT_COMPLETED;
}

static int dump(const struct options *opt)
{
	int ret;

	if (opt->has_vtop) {
		ret = vtop_report(opt);
		if (ret != EXIT_COMPLETED || !opt->dumpfile)
			return ret;
	}
	if (!opt->flatten && !opt->dry_run) {
		if (opt->split) {
			for (int i = 0; i < opt->nr_files; i++)
				if (!output_check_path(opt->files[i], opt->force))
					return EXIT_FAILED;
		} else if (!output_check_path(opt->dumpfile, opt->force)) {
			return EXIT_FAILED;
		}
	}
	ret = create_dumpfile(opt);
	if (ret != EXIT_COMPLETED || opt->dry_run)
		return ret;
	if (opt->split) {
		MSG("\nThe dumpfiles are saved to ");
		for (int i = 0; i < opt->nr_files; i++)
			MSG(i + 1 < opt->nr_files ? "%s, " : "and %s.\n", opt->files[i]);
	} else {
		MSG("\nThe dumpfile is saved to %s.\n", opt->dumpfile);
	}
	return ret;
}

static int run(const struct options *opt)
{
	if (opt->check_params)
		return EXIT_COMPLETED;
	switch (opt->mode) {
	case MODE_REARRANGE:
		return rearrange(opt);
	case MODE_REASSEMBLE:
		return reassemble_dumpfile(opt);
	case MODE_DMESG:
		if (!output_check_path(opt->dumpfile, opt->force))
			return EXIT_FAILED;
		return dump_dmesg(opt);
	case MODE_GEN_VMCOREINFO:
		return generate_vmcoreinfo(opt);
	case MODE_MEM_USAGE:
		return show_mem_usage(opt);
	case MODE_DUMP:
		return dump(opt);
	default:
		return EXIT_FAILED;
	}
}

int main(int argc, char **argv)
{
	struct options opt;
	int ret = parse_options(argc, argv, &opt);

	if (!ret && opt.mode == MODE_HELP) {
		print_usage();
		return EXIT_COMPLETED;
	}
	if (!ret && opt.mode == MODE_VERSION) {
		print_version();
		return EXIT_COMPLETED;
	}
	if (!ret)
		ret = run(&opt);
	/* a successful --mem-usage ends with its table (as upstream) */
	if (!opt.check_params &&
	    !(opt.mode == MODE_MEM_USAGE && ret == EXIT_COMPLETED)) {
		MSG("\n");
		MSG(ret == EXIT_COMPLETED ? "makedumpfile Completed.\n"
					  : "makedumpfile Failed.\n");
	}
	return ret;
}
