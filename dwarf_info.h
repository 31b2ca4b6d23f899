/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dwarf_info.h - VMCOREINFO from a vmlinux with debuginfo (-x, -g): the
 * symbols, structure sizes, member offsets, array lengths and enum
 * numbers the filter reads, found with elfutils' libdw.
 */
#ifndef MDF_DWARF_INFO_H
#define MDF_DWARF_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmcoreinfo;

/**
 * struct dwarf_reloc - where the dumped kernel was loaded.
 * @offset:	KASLR offset (KERNELOFFSET=), added to every symbol in
 *		[@text_start, @text_start + @text_size)
 */
struct dwarf_reloc {
	uint64_t offset;
	uint64_t text_start, text_size;
};

char *dwarf_vmcoreinfo_text(const char *vmlinux, const struct dwarf_reloc *rel);
bool dwarf_info_merge(struct vmcoreinfo *vi, bool *has_vmcoreinfo,
		      const char *vmlinux_path);

#endif /* MDF_DWARF_INFO_H */
