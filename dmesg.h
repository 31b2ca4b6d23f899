/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dmesg.h - the kernel log (--dump-dmesg) read from a dumped kernel, in
 * all three printk formats: the flat log_buf (before 3.5), printk_log
 * records (3.5-5.9) and the lockless ring buffer prb (5.10+).
 */
#ifndef MDF_DMESG_H
#define MDF_DMESG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kernel;
struct strbuf;

/**
 * struct dmesg_opts - what to print.
 * @partial:	only the records after the last clear (dmesg -C)
 * @prb_caller:	print the caller id ("[    T123] ") for 5.10+ records.  The
 *		ring buffer stores it whatever the kernel's configuration, and
 *		makedumpfile 1.7.2 never prints it; records of 5.1-5.9 have
 *		the field (and get it printed) only with CONFIG_PRINTK_CALLER.
 */
struct dmesg_opts {
	bool partial;
	bool prb_caller;
};

enum dmesg_format { DMESG_FLAT, DMESG_RECORDS, DMESG_PRB };

bool dmesg_read(struct kernel *k, const struct dmesg_opts *o, struct strbuf *out,
		enum dmesg_format *fmt);
void dmesg_format_record(struct strbuf *sb, uint64_t ts_nsec, bool has_caller,
			 uint32_t caller, const uint8_t *text, size_t len);

#endif /* MDF_DMESG_H */
