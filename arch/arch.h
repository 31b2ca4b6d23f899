/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arch/arch.h - per-architecture address translation, chosen at run time
 * from the vmcore's ELF header (machine, class, byte order).
 */
#ifndef MDF_ARCH_H
#define MDF_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmcore;
struct vmcoreinfo;

/**
 * struct arch_ctx - what a backend needs; filled by arch_init().
 * @vc:		the vmcore, for physical reads
 * @vi:		VMCOREINFO
 * @phys_base:	physical address the kernel image was loaded at
 * @max_physmem_bits, @section_size_bits: SPARSEMEM geometry defaults
 * @priv:	backend state
 */
struct arch_ctx {
	const struct arch_ops *ops;
	struct vmcore *vc;
	const struct vmcoreinfo *vi;
	uint64_t phys_base;
	unsigned int max_physmem_bits;
	unsigned int section_size_bits;
	void *priv;
};

/**
 * struct vtop_trace - the page-table entries one translation read (--vtop).
 * @n:		entries in @step
 * @step:	each level's name ("PGD", "P4D", "PUD", "PMD", "PTE"), the
 *		physical address of the entry read and its value
 * @error:	why the walk stopped short, or NULL
 */
#define VTOP_MAX_LEVELS 6
struct vtop_trace {
	unsigned int n;
	struct {
		const char *level;
		uint64_t entry_addr, entry;
	} step[VTOP_MAX_LEVELS];
	const char *error;
};

/**
 * struct arch_ops - one architecture backend.
 * @name:	utsname machine string ("x86_64")
 * @e_machine:	ELF machine number
 * @elf_class:	ELFCLASS64 or ELFCLASS32
 * @init:	read VMCOREINFO and page tables; print one error on failure
 * @vtop:	translate a kernel virtual address
 * @is_kvaddr:	whether an address can be a kernel virtual address
 * @fini:	free backend state
 * @vtop_trace:	optional: translate by walking the page tables whatever the
 *		address, recording every entry read, for --vtop
 */
struct arch_ops {
	const char *name;
	uint16_t e_machine;
	int elf_class;
	bool (*init)(struct arch_ctx *ctx);
	bool (*vtop)(struct arch_ctx *ctx, uint64_t vaddr, uint64_t *paddr);
	bool (*is_kvaddr)(const struct arch_ctx *ctx, uint64_t vaddr);
	void (*fini)(struct arch_ctx *ctx);
	bool (*vtop_trace)(struct arch_ctx *ctx, uint64_t vaddr, uint64_t *paddr,
			   struct vtop_trace *t);
};

extern const struct arch_ops arch_x86_64;
extern const struct arch_ops arch_arm64;

const struct arch_ops *arch_find(uint16_t e_machine, int elf_class);
bool arch_init(struct arch_ctx *ctx, const struct arch_ops *ops,
	       struct vmcore *vc, const struct vmcoreinfo *vi);
void arch_fini(struct arch_ctx *ctx);
bool arch_read_virt(struct arch_ctx *ctx, uint64_t vaddr, void *buf,
		    size_t len);
bool arch_read_entry(struct arch_ctx *ctx, uint64_t paddr, uint64_t *entry);

#endif /* MDF_ARCH_H */
