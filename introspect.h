/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * introspect.h - the modes that look into a kernel rather than write a
 * dump: --dump-dmesg, -g, --mem-usage, --vtop.
 */
#ifndef MDF_INTROSPECT_H
#define MDF_INTROSPECT_H

#include <stdint.h>

struct options;
struct arch_ctx;

/* Each returns EXIT_COMPLETED, EXIT_FAILED or EXIT_WRONG_RELEASE. */
int dump_dmesg(const struct options *opt);		/* dmesg.c */
int generate_vmcoreinfo(const struct options *opt);	/* dwarf_info.c */
int show_mem_usage(const struct options *opt);		/* mem_usage.c */
int vtop_report(const struct options *opt);		/* vtop.c */

#endif /* MDF_INTROSPECT_H */
