/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * elf_info.h - the ELF vmcore as input: program headers, notes and
 * physical-memory reads.
 */
#ifndef MDF_ELF_INFO_H
#define MDF_ELF_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "endian.h"

/**
 * struct pt_load - one PT_LOAD segment, keyed on its physical address.
 * @paddr:	p_paddr
 * @vaddr:	p_vaddr
 * @offset:	p_offset
 * @filesz:	bytes present in the file (p_filesz)
 * @memsz:	bytes of memory described (p_memsz); beyond @filesz is no data
 */
struct pt_load {
	uint32_t flags;		/* p_flags */
	uint64_t align;		/* p_align */
	uint64_t paddr;
	uint64_t vaddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
};

/**
 * struct vmcore - an opened ELF vmcore.
 *
 * Page data is read through one large window, mmap()ed (or, where mmap
 * fails, read with pread()), so sequential page reads cost one system
 * call per window, not per page.
 */
struct vmcore {
	int fd;
	const char *path;
	uint64_t file_size;
	struct target tgt;
	int elf_class;		/* ELFCLASS32 or ELFCLASS64 */
	uint16_t machine;	/* e_machine */
	uint16_t e_type;
	unsigned int e_flags;

	struct pt_load *loads;	/* in file order */
	size_t nr_loads;
	size_t last_load;	/* lookup hint */

	struct pt_load note_phdr;	/* the first PT_NOTE, as read */
	uint8_t ehdr[64];	/* the ELF header, as read */
	uint8_t *notes;		/* all PT_NOTE contents, concatenated */
	size_t notes_size;
	const char *vmcoreinfo;	/* points into @notes, not NUL-terminated */
	size_t vmcoreinfo_size;
	size_t vmcoreinfo_off;	/* offset of the VMCOREINFO desc in @notes */
	int nr_cpus;		/* number of CORE/NT_PRSTATUS notes */

	uint8_t *win;		/* read window: into @map, or @buf */
	uint8_t *buf;		/* pread() buffer */
	void *map;		/* mmap()ed window, or NULL */
	size_t map_len;
	bool use_mmap;
	size_t win_cap;
	uint64_t win_off;	/* file offset of win[0] */
	size_t win_len;
	uint8_t *scratch;	/* one page, for pages that straddle segments */
	unsigned int page_size;
	struct kdump_src *kd;	/* set when the input is kdump-compressed */
};

struct bitmap;

bool vmcore_open(struct vmcore *vc, const char *path);
void vmcore_close(struct vmcore *vc);
bool vmcore_is_elf(const char *path);
bool vmcore_set_page_size(struct vmcore *vc, unsigned int page_size);
const struct pt_load *vmcore_find_load(struct vmcore *vc, uint64_t paddr);
bool vmcore_read_phys(struct vmcore *vc, uint64_t paddr, void *buf, size_t len);
const uint8_t *vmcore_read_page(struct vmcore *vc, uint64_t pfn);
bool vmcore_read_load(struct vmcore *vc, const struct pt_load *l, uint64_t rel,
		      void *buf, size_t len);
uint64_t vmcore_max_paddr(const struct vmcore *vc);
bool vmcore_fill_bitmaps(struct vmcore *vc, struct bitmap *bm1, struct bitmap *bm2);
bool vmcore_pfn_in_segs(struct vmcore *vc, uint64_t pfn, const struct bitmap *bm1);
void vmcore_dump_loads(const struct vmcore *vc);

#endif /* MDF_ELF_INFO_H */
