// SPDX-License-Identifier: GPL-2.0-or-later
/* Temporary: modes not implemented yet refuse with one clear message. */
#include "introspect.h"
#include "makedumpfile.h"

int dump_dmesg(const struct options *opt)
{
	(void)opt;
	ERRMSG("--dump-dmesg is not supported by this version yet.\n");
	return EXIT_FAILED;
}

int generate_vmcoreinfo(const struct options *opt)
{
	(void)opt;
	ERRMSG("-g is not supported by this version yet.\n");
	return EXIT_FAILED;
}

int show_mem_usage(const struct options *opt)
{
	(void)opt;
	ERRMSG("--mem-usage is not supported by this version yet.\n");
	return EXIT_FAILED;
}

int vtop_report(const struct options *opt)
{
	(void)opt;
	ERRMSG("--vtop is not supported by this version yet.\n");
	return EXIT_FAILED;
}
