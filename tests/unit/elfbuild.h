/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * elfbuild.h - build small ELF64 little-endian cores in memory for unit
 * tests: notes, PT_LOADs with chosen offsets, optional PN_XNUM and QEMU's
 * program headers at offset 192.  Physical memory is a sparse list of
 * regions whose contents the test fills in.
 */
#ifndef ELFBUILD_H
#define ELFBUILD_H

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct eb_load {
	uint64_t paddr, vaddr, memsz, filesz;
	uint8_t *data;		/* filesz bytes */
	uint64_t offset;	/* assigned by eb_write */
};

struct elfbuild {
	struct eb_load loads[8];
	int nr_loads;
	int extra_loads;	/* empty PT_LOADs added to force PN_XNUM */
	uint8_t notes[8192];
	size_t notes_len;
	uint64_t phoff;		/* 64 or 192 */
	unsigned int misalign;	/* added to data offsets */
	uint16_t machine;	/* e_machine; EM_X86_64 by default */
};

static inline void eb_init(struct elfbuild *eb)
{
	memset(eb, 0, sizeof(*eb));
	eb->phoff = 64;
	eb->machine = EM_X86_64;
}

static inline void eb_note(struct elfbuild *eb, const char *name, uint32_t type,
			   const void *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	uint8_t *p = eb->notes + eb->notes_len;

	memcpy(p, &namesz, 4);
	memcpy(p + 4, &descsz, 4);
	memcpy(p + 8, &type, 4);
	memset(p + 12, 0, (namesz + 3) & ~3u);
	memcpy(p + 12, name, namesz);
	p += 12 + ((namesz + 3) & ~3u);
	memset(p, 0, (descsz + 3) & ~3u);
	if (desc)
		memcpy(p, desc, descsz);
	eb->notes_len += 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
}

static inline uint8_t *eb_load(struct elfbuild *eb, uint64_t paddr, uint64_t vaddr,
			       uint64_t memsz, uint64_t filesz)
{
	struct eb_load *l = &eb->loads[eb->nr_loads++];

	l->paddr = paddr;
	l->vaddr = vaddr;
	l->memsz = memsz;
	l->filesz = filesz;
	l->data = calloc(1, filesz ? filesz : 1);
	return l->data;
}

static inline void eb_phdr(uint8_t *p, uint32_t type, uint64_t off, uint64_t va,
			   uint64_t pa, uint64_t filesz, uint64_t memsz)
{
	Elf64_Phdr ph = { .p_type = type, .p_offset = off, .p_vaddr = va,
			  .p_paddr = pa, .p_filesz = filesz, .p_memsz = memsz,
			  .p_align = type == PT_NOTE ? 4 : 4096 };

	memcpy(p, &ph, sizeof(ph));
}

/* Write the core to @path; return 0 on success. */
static inline int eb_write(struct elfbuild *eb, const char *path)
{
	uint64_t phnum = 1 + (uint64_t)eb->nr_loads + (uint64_t)eb->extra_loads;
	bool xnum = phnum >= PN_XNUM;
	Elf64_Ehdr eh = { 0 };
	Elf64_Shdr sh0 = { 0 };
	uint64_t off, phsize = phnum * sizeof(Elf64_Phdr);
	uint8_t *ph = calloc(1, phsize);
	FILE *f = fopen(path, "w");

	if (!f || !ph)
		return -1;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = eb->machine;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = eb->phoff;
	eh.e_ehsize = 8;	/* as QEMU 7.2 writes it */
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = xnum ? PN_XNUM : (uint16_t)phnum;
	if (xnum && eb->phoff < 128)
		eb->phoff = eh.e_phoff = 192;
	if (xnum || eb->phoff != 64) {
		eh.e_shoff = 64;
		eh.e_shentsize = sizeof(Elf64_Shdr);
		eh.e_shnum = 1;
		sh0.sh_info = (uint32_t)phnum;
	}
	off = eb->phoff + phsize;
	eb_phdr(ph, PT_NOTE, off, 0, 0, eb->notes_len, eb->notes_len);
	off += eb->notes_len;
	for (int i = 0; i < eb->nr_loads; i++) {
		struct eb_load *l = &eb->loads[i];

		off = ((off + 4095) & ~4095ULL) + eb->misalign;
		l->offset = off;
		eb_phdr(ph + (1 + i) * sizeof(Elf64_Phdr), PT_LOAD, off, l->vaddr,
			l->paddr, l->filesz, l->memsz);
		off += l->filesz;
	}
	for (int i = 0; i < eb->extra_loads; i++)
		eb_phdr(ph + (1 + eb->nr_loads + i) * sizeof(Elf64_Phdr), PT_LOAD,
			0, 0, 0x7000000000ULL + i * 4096ULL, 0, 4096);
	fwrite(&eh, sizeof(eh), 1, f);
	if (eh.e_shoff) {
		fseek(f, 64, SEEK_SET);
		fwrite(&sh0, sizeof(sh0), 1, f);
	}
	fseek(f, (long)eb->phoff, SEEK_SET);
	fwrite(ph, phsize, 1, f);
	fwrite(eb->notes, eb->notes_len, 1, f);
	for (int i = 0; i < eb->nr_loads; i++) {
		fseek(f, (long)eb->loads[i].offset, SEEK_SET);
		fwrite(eb->loads[i].data, eb->loads[i].filesz, 1, f);
	}
	free(ph);
	return fclose(f);
}

static inline void eb_free(struct elfbuild *eb)
{
	for (int i = 0; i < eb->nr_loads; i++)
		free(eb->loads[i].data);
}

#endif /* ELFBUILD_H */
