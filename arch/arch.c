// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arch/arch.c - choose a backend and read kernel virtual memory through it.
 */
#include <elf.h>
#include <string.h>

#include "../elf_info.h"
#include "../kdump_input.h"
#include "../makedumpfile.h"
#include "arch.h"

static const struct arch_ops *const backends[] = {
	&arch_x86_64,
	&arch_arm64,
};

const struct arch_ops *arch_find(uint16_t e_machine, int elf_class)
{
	for (size_t i = 0; i < ARRAY_SIZE(backends); i++)
		if (backends[i]->e_machine == e_machine &&
		    backends[i]->elf_class == elf_class)
			return backends[i];
	return NULL;
}

bool arch_init(struct arch_ctx *ctx, const struct arch_ops *ops,
	       struct vmcore *vc, const struct vmcoreinfo *vi)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->ops = ops;
	ctx->vc = vc;
	ctx->vi = vi;
	/* a kdump-compressed input records phys_base in its sub header */
	ctx->phys_base = vc->kd ? kdump_phys_base(vc) : 0;
	return ops->init(ctx);
}

void arch_fini(struct arch_ctx *ctx)
{
	if (ctx->ops && ctx->ops->fini)
		ctx->ops->fini(ctx);
	ctx->priv = NULL;
}

/* A 64-bit page-table entry at @paddr, in the target's byte order. */
bool arch_read_entry(struct arch_ctx *ctx, uint64_t paddr, uint64_t *entry)
{
	uint8_t b[8];

	if (!vmcore_read_phys(ctx->vc, paddr, b, sizeof(b)))
		return false;
	*entry = tget64(&ctx->vc->tgt, b);
	return true;
}

/**
 * arch_read_virt - read kernel virtual memory, one page mapping at a time.
 */
bool arch_read_virt(struct arch_ctx *ctx, uint64_t vaddr, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t page = ctx->vc->page_size;

	while (len) {
		uint64_t paddr;
		size_t n = (size_t)MIN((uint64_t)len, page - (vaddr & (page - 1)));

		if (!ctx->ops->vtop(ctx, vaddr, &paddr)) {
			DEBUG_MSG("Can't translate virtual address 0x%llx.\n",
				  (unsigned long long)vaddr);
			return false;
		}
		if (!vmcore_read_phys(ctx->vc, paddr, p, n)) {
			DEBUG_MSG("No data at physical address 0x%llx (virtual 0x%llx).\n",
				  (unsigned long long)paddr,
				  (unsigned long long)vaddr);
			return false;
		}
		p += n;
		vaddr += n;
		len -= n;
	}
	return true;
}
