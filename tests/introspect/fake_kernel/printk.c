// SPDX-License-Identifier: GPL-2.0-or-later
/* printk.c - the printk variables of the fake vmlinux (kernel/printk/printk.c) */
#include "kernel.h"

#define LOG_BUF_LEN (1 << 14)
static char __log_buf[LOG_BUF_LEN] __attribute__((aligned(8)));
static char *log_buf = __log_buf;
static u32 log_buf_len = LOG_BUF_LEN;
static struct prb_desc _printk_rb_static_descs[1 << 4];
static struct printk_info _printk_rb_static_infos[1 << 4];
static struct printk_ringbuffer printk_rb_static = {
	.desc_ring = { .count_bits = 4, .descs = _printk_rb_static_descs,
		       .infos = _printk_rb_static_infos },
	.text_data_ring = { .size_bits = 14, .data = __log_buf },
};
struct printk_ringbuffer *prb = &printk_rb_static;
static struct latched_seq clear_seq = { .val = { 0, 0 } };

/* keep the statics */
void *printk_refs[] = { &log_buf, &log_buf_len, &clear_seq };
