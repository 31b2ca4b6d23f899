/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kdump.h - the kdump-compressed ("KDUMP   ") file layout, header v6.
 */
#ifndef MDF_KDUMP_H
#define MDF_KDUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "endian.h"

struct output;

#define KDUMP_SIGNATURE		"KDUMP   "
#define KDUMP_HEADER_VERSION	6
#define NEW_UTS_LEN		65
#define UTSNAME_SIZE		(6 * NEW_UTS_LEN)
#define PAGE_DESC_SIZE		24

/**
 * struct kdump_layout - file offsets, all fixed before any page is written.
 */
struct kdump_layout {
	uint32_t block_size;
	uint32_t sub_hdr_blocks;	/* sub header + notes, in blocks */
	uint64_t bitmap_bytes;		/* one bitmap, block aligned */
	uint64_t off_bitmap1;
	uint64_t off_bitmap2;
	uint64_t off_desc;		/* page descriptors */
	uint64_t max_mapnr;
};

/**
 * struct kdump_info - header contents.
 */
struct kdump_info {
	struct target tgt;
	char utsname[UTSNAME_SIZE];
	int64_t crashtime;
	uint32_t status;		/* compression bit, incomplete... */
	int32_t nr_cpus;
	uint64_t phys_base;
	int32_t dump_level;
	int32_t split;
	uint64_t start_pfn, end_pfn;
	const uint8_t *notes;
	uint64_t notes_size;
	uint64_t vmcoreinfo_off;	/* within @notes; valid if size != 0 */
	uint64_t vmcoreinfo_size;
};

void kdump_layout_init(struct kdump_layout *l, uint32_t block_size,
		       uint64_t notes_size, uint64_t max_mapnr);
bool kdump_write_headers(struct output *o, const struct kdump_layout *l,
			 const struct kdump_info *ki);
void kdump_make_desc(const struct target *t, uint8_t d[PAGE_DESC_SIZE],
		     uint64_t offset, uint32_t size, uint32_t flags);
bool kdump_mark_incomplete(const char *path, const struct target *t);

#endif /* MDF_KDUMP_H */
