// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * makedumpfile.c - the driver: parse options, run one mode, report.
 */
#include <unistd.h>

#include "dump.h"
#include "flat.h"
#include "makedumpfile.h"
#include "options.h"
#include "output.h"

static int run(const struct options *opt)
{
	switch (opt->mode) {
	case MODE_REARRANGE:
		if (opt->check_params)
			return EXIT_COMPLETED;
		if (!output_check_path(opt->dumpfile, opt->force) ||
		    !flat_rebuild(STDIN_FILENO, opt->dumpfile, opt->force))
			return EXIT_FAILED;
		MSG("\nThe dumpfile is saved to %s.\n", opt->dumpfile);
		return EXIT_COMPLETED;
	case MODE_DUMP: {
		int ret;

		if (opt->check_params)
			return EXIT_COMPLETED;
		if (!opt->flatten && !opt->dry_run &&
		    !output_check_path(opt->dumpfile, opt->force))
			return EXIT_FAILED;
		ret = create_dumpfile(opt);
		if (ret == EXIT_COMPLETED && !opt->dry_run)
			MSG("\nThe dumpfile is saved to %s.\n", opt->dumpfile);
		return ret;
	}
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
	if (!opt.check_params) {
		MSG("\n");
		MSG(ret == EXIT_COMPLETED ? "makedumpfile Completed.\n"
					  : "makedumpfile Failed.\n");
	}
	return ret;
}
