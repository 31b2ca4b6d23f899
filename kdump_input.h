/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kdump_input.h - read a kdump-compressed file (ours, upstream's, QEMU's),
 * plain or flattened, as the input of a new dump (re-filtering) or of
 * --dump-dmesg.
 */
#ifndef MDF_KDUMP_INPUT_H
#define MDF_KDUMP_INPUT_H

#include <stdbool.h>
#include <stdint.h>

struct vmcore;
struct bitmap;

bool kdump_input_probe(const uint8_t *head, size_t len);
bool kdump_input_open(struct vmcore *vc, const uint8_t *head, size_t len);
void kdump_input_close(struct vmcore *vc);
bool kdump_read_phys(struct vmcore *vc, uint64_t paddr, void *buf, size_t len);
const uint8_t *kdump_read_page(struct vmcore *vc, uint64_t pfn);
bool kdump_set_page_size(struct vmcore *vc, unsigned int page_size);
void kdump_infer_machine(struct vmcore *vc);
bool kdump_fill_bitmaps(struct vmcore *vc, struct bitmap *bm1, struct bitmap *bm2);
uint64_t kdump_max_mapnr(const struct vmcore *vc);
int kdump_dump_level(const struct vmcore *vc);
uint64_t kdump_phys_base(const struct vmcore *vc);
uint32_t kdump_block_size(const struct vmcore *vc);
int64_t kdump_timestamp(const struct vmcore *vc);
const char *kdump_utsname(const struct vmcore *vc);

#endif /* MDF_KDUMP_INPUT_H */
