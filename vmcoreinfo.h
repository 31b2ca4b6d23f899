/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmcoreinfo.h - the VMCOREINFO text (KEY=VALUE lines) as a typed table.
 */
#ifndef MDF_VMCOREINFO_H
#define MDF_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + (c))

enum vmci_kind {
	VMCI_PLAIN,	/* OSRELEASE=, PAGESIZE=, CRASHTIME=, ... */
	VMCI_SYMBOL,	/* hex address, no 0x */
	VMCI_NUMBER,	/* signed decimal, or 0x hex */
	VMCI_OFFSET,
	VMCI_SIZE,
	VMCI_LENGTH,
};

/**
 * struct vmci_entry - one parsed line.
 * @kind:	which family the key belongs to
 * @name:	the name inside the parentheses, or the whole key for plain keys
 * @value:	the text after '='
 * @num:	the value as a number, when @has_num
 */
struct vmci_entry {
	enum vmci_kind kind;
	char *name;
	char *value;
	uint64_t num;
	bool has_num;
};

struct vmcoreinfo {
	struct vmci_entry *e;
	size_t n;
	char *text;		/* copy of the raw text */
	char *block;		/* the copy that entries point into */
	size_t text_len;
	const char *osrelease;
	uint64_t page_size;
	bool has_crashtime;
	int64_t crashtime;
	bool has_kerneloffset;
	uint64_t kerneloffset;
};

bool vmci_parse(struct vmcoreinfo *vi, const char *text, size_t len,
		const char *source);
bool vmci_load_file(struct vmcoreinfo *vi, const char *path);
bool vmci_merge(struct vmcoreinfo *vi, const char *text, size_t len,
		const char *source);
void vmci_free(struct vmcoreinfo *vi);
unsigned int kernel_version_from_release(const char *release);

const struct vmci_entry *vmci_find(const struct vmcoreinfo *vi,
				   enum vmci_kind kind, const char *name);
bool vmci_get(const struct vmcoreinfo *vi, enum vmci_kind kind,
	      const char *name, uint64_t *val);
bool vmci_symbol(const struct vmcoreinfo *vi, const char *name, uint64_t *val);
bool vmci_number(const struct vmcoreinfo *vi, const char *name, int64_t *val);
bool vmci_offset(const struct vmcoreinfo *vi, const char *name, uint64_t *val);
bool vmci_size(const struct vmcoreinfo *vi, const char *name, uint64_t *val);
bool vmci_length(const struct vmcoreinfo *vi, const char *name, uint64_t *val);
const char *vmci_kind_name(enum vmci_kind kind);

#endif /* MDF_VMCOREINFO_H */
