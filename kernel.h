/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel.h - everything learned about the dumped kernel: the vmcore, its
 * VMCOREINFO, the architecture backend, mem_map and struct page layout.
 */
#ifndef MDF_KERNEL_H
#define MDF_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "elf_info.h"
#include "kdump.h"
#include "memmap.h"
#include "pageflags.h"
#include "vmcoreinfo.h"

struct kernel {
	struct vmcore vc;
	struct vmcoreinfo vi;
	bool has_vmcoreinfo;
	struct arch_ctx arch;
	struct memmap mm;
	struct page_layout pl;
	bool has_layout;		/* struct page can be read */
	unsigned int page_size;
	uint64_t max_mapnr;
	char utsname[UTSNAME_SIZE];
};

/**
 * struct kernel_src - what a kernel is learnt from.
 * @vmcore:		the dump (ELF, kdump-compressed or flattened)
 * @vmcoreinfo_file:	-i FILE, used instead of the dump's note, or NULL
 * @vmlinux:		-x VMLINUX, fills in what VMCOREINFO lacks, or NULL
 */
struct kernel_src {
	const char *vmcore;
	const char *vmcoreinfo_file;
	const char *vmlinux;
};

/* The kernel_src of a struct options */
#define KERNEL_SRC(opt) { (opt)->vmcore, (opt)->vmcoreinfo_file, (opt)->vmlinux }

/* Return: EXIT_COMPLETED, or an exit code after one error message. */
int kernel_open(struct kernel *k, const struct kernel_src *src, int dump_level);
void kernel_close(struct kernel *k);

#endif /* MDF_KERNEL_H */
