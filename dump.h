/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump.h - filter a vmcore into a kdump-compressed dump.
 */
#ifndef MDF_DUMP_H
#define MDF_DUMP_H

struct options;

/* Return: EXIT_COMPLETED, EXIT_FAILED or EXIT_WRONG_RELEASE. */
int create_dumpfile(const struct options *opt);
int reassemble_dumpfile(const struct options *opt);

#endif /* MDF_DUMP_H */
