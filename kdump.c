// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdump.c - the kdump-compressed header, sub header and page descriptors.
 *
 * Layout (block = page size):
 *   block 0                 disk_dump_header (464 bytes on 64-bit)
 *   block 1                 kdump_sub_header (104 bytes), then the whole
 *                           PT_NOTE contents of the vmcore
 *   1 + sub_hdr_size        1st bitmap (pfn exists), then 2nd (dumpable)
 *   after the bitmaps       one 24-byte page_desc per dumpable pfn
 *   after the descriptors   page data (the shared zero page first)
 * Fields are serialized one by one in the target's byte order, using the
 * 64-bit C layout; nothing is copied from a host struct.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kdump.h"
#include "makedumpfile.h"
#include "output.h"

#define DH_SIZE		464
#define KH_SIZE		104
#define DH_STATUS_OFF	424

void kdump_layout_init(struct kdump_layout *l, uint32_t block_size,
		       uint64_t notes_size, uint64_t max_mapnr)
{
	l->block_size = block_size;
	l->max_mapnr = max_mapnr;
	l->sub_hdr_blocks = (uint32_t)DIV_ROUND_UP(KH_SIZE + notes_size, block_size);
	l->bitmap_bytes = ROUND_UP(DIV_ROUND_UP(max_mapnr, 8), block_size);
	l->off_bitmap1 = (uint64_t)(1 + l->sub_hdr_blocks) * block_size;
	l->off_bitmap2 = l->off_bitmap1 + l->bitmap_bytes;
	l->off_desc = l->off_bitmap2 + l->bitmap_bytes;
}

static void make_dh(const struct kdump_layout *l, const struct kdump_info *ki,
		    uint8_t dh[DH_SIZE])
{
	const struct target *t = &ki->tgt;

	memset(dh, 0, DH_SIZE);
	memcpy(dh, KDUMP_SIGNATURE, 8);
	tput32(t, dh + 8, KDUMP_HEADER_VERSION);
	memcpy(dh + 12, ki->utsname, UTSNAME_SIZE);
	/* timeval at 408: tv_sec; tv_usec stays 0 (libkdumpfile relies on it) */
	tput64(t, dh + 408, (uint64_t)ki->crashtime);
	tput32(t, dh + DH_STATUS_OFF, ki->status);
	tput32(t, dh + 428, l->block_size);
	tput32(t, dh + 432, l->sub_hdr_blocks);
	tput32(t, dh + 436, (uint32_t)(2 * l->bitmap_bytes / l->block_size));
	tput32(t, dh + 440, (uint32_t)MIN(l->max_mapnr, (uint64_t)UINT32_MAX));
	tput32(t, dh + 460, (uint32_t)(ki->nr_cpus > 0 ? ki->nr_cpus : 1));
}

static void make_kh(const struct kdump_layout *l, const struct kdump_info *ki,
		    uint8_t kh[KH_SIZE])
{
	const struct target *t = &ki->tgt;
	uint64_t off_note = l->block_size + KH_SIZE;

	memset(kh, 0, KH_SIZE);
	tput64(t, kh + 0, ki->phys_base);
	tput32(t, kh + 8, (uint32_t)ki->dump_level);
	tput32(t, kh + 12, (uint32_t)ki->split);
	if (ki->split) {
		tput64(t, kh + 16, MIN(ki->start_pfn, (uint64_t)UINT32_MAX));
		tput64(t, kh + 24, MIN(ki->end_pfn, (uint64_t)UINT32_MAX));
		tput64(t, kh + 80, ki->start_pfn);
		tput64(t, kh + 88, ki->end_pfn);
	}
	if (ki->notes_size) {
		if (ki->vmcoreinfo_size) {
			tput64(t, kh + 32, off_note + ki->vmcoreinfo_off);
			tput64(t, kh + 40, ki->vmcoreinfo_size);
		}
		tput64(t, kh + 48, off_note);
		tput64(t, kh + 56, ki->notes_size);
	}
	tput64(t, kh + 96, l->max_mapnr);
}

/**
 * kdump_write_headers - write the header, sub header and note copy.
 */
bool kdump_write_headers(struct output *o, const struct kdump_layout *l,
			 const struct kdump_info *ki)
{
	uint8_t dh[DH_SIZE], kh[KH_SIZE];

	make_dh(l, ki, dh);
	make_kh(l, ki, kh);
	return output_write(o, 0, dh, sizeof(dh)) &&
	       output_write(o, l->block_size, kh, sizeof(kh)) &&
	       output_write(o, l->block_size + KH_SIZE, ki->notes,
			    (size_t)ki->notes_size);
}

void kdump_make_desc(const struct target *t, uint8_t d[PAGE_DESC_SIZE],
		     uint64_t offset, uint32_t size, uint32_t flags)
{
	tput64(t, d, offset);
	tput32(t, d + 8, size);
	tput32(t, d + 12, flags);
	tput64(t, d + 16, 0);
}

/**
 * kdump_mark_incomplete - set DUMP_DH_COMPRESSED_INCOMPLETE in a file whose
 * writing stopped early, so readers warn instead of trusting it.
 */
bool kdump_mark_incomplete(const char *path, const struct target *t)
{
	uint8_t b[4];
	int fd = open(path, O_RDWR);
	bool ok;

	if (fd < 0)
		return false;
	ok = pread(fd, b, 4, DH_STATUS_OFF) == 4;
	if (ok) {
		tput32(t, b, tget32(t, b) | 0x8);
		ok = pwrite(fd, b, 4, DH_STATUS_OFF) == 4;
	}
	close(fd);
	return ok;
}
