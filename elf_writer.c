// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * elf_writer.c - -E: write the filtered dump as an ELF file of the same
 * class and byte order as the input.
 *
 * Layout: ELF header, program headers (PT_NOTE, then the PT_LOADs), the
 * section header 0 when extended numbering is needed (65535 or more
 * program headers), the notes, then the segment data.  Each input
 * PT_LOAD is cut where 256 or more consecutive pages are excluded: the
 * excluded run becomes p_memsz beyond p_filesz of the segment before it,
 * and a new PT_LOAD starts.  Shorter excluded runs are written with their
 * real contents, as upstream does, so readers see the same file.  The
 * layout must be known before any data is written, so the segments are
 * walked twice: once to count them, once to write.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "dump_priv.h"
#include "elf_info.h"
#include "makedumpfile.h"
#include "options.h"

#define PFN_EXCLUDED	256	/* shortest excluded run that is cut out */
#define ELF_DATA_CACHE	(1UL << 20)

struct elfw {
	struct dump *d;
	bool write;		/* second walk: write headers and data */
	uint64_t nr_segs;
	uint64_t phdr_off;	/* where the next PT_LOAD header goes */
	uint64_t data_off;	/* where the next segment's data goes */
	struct wbuf data;
	uint8_t *buf;		/* one page */
	struct progress prog;
	uint64_t done, total;	/* pages of data written, to write */
};

static bool is64(const struct vmcore *vc)
{
	return vc->elf_class == ELFCLASS64;
}

static size_t phdr_size(const struct vmcore *vc)
{
	return is64(vc) ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
}

static void make_phdr(const struct vmcore *vc, uint8_t *p, uint32_t type,
		      const struct pt_load *l)
{
	const struct target *t = &vc->tgt;

	memset(p, 0, phdr_size(vc));
	tput32(t, p, type);
	if (is64(vc)) {
		tput32(t, p + 4, l->flags);
		tput64(t, p + 8, l->offset);
		tput64(t, p + 16, l->vaddr);
		tput64(t, p + 24, l->paddr);
		tput64(t, p + 32, l->filesz);
		tput64(t, p + 40, l->memsz);
		tput64(t, p + 48, l->align);
	} else {
		tput32(t, p + 4, (uint32_t)l->offset);
		tput32(t, p + 8, (uint32_t)l->vaddr);
		tput32(t, p + 12, (uint32_t)l->paddr);
		tput32(t, p + 16, (uint32_t)l->filesz);
		tput32(t, p + 20, (uint32_t)l->memsz);
		tput32(t, p + 24, l->flags);
		tput32(t, p + 28, (uint32_t)l->align);
	}
}

/* Copy segment @l's bytes [rel, rel + len) to the output data stream. */
static bool copy_data(struct elfw *w, const struct pt_load *l, uint64_t rel,
		      uint64_t len)
{
	struct vmcore *vc = &w->d->k.vc;
	unsigned int ps = vc->page_size;

	while (len) {
		size_t n = (size_t)MIN(len, (uint64_t)ps);

		if (!vmcore_read_load(vc, l, rel, w->buf, n) ||
		    !wbuf_add(&w->data, w->buf, n))
			return false;
		rel += n;
		len -= n;
		progress_update(&w->prog, ++w->done);
	}
	return true;
}

/* One output PT_LOAD: header and, on the write walk, its data. */
static bool emit(struct elfw *w, const struct pt_load *in, struct pt_load *seg,
		 bool last)
{
	struct vmcore *vc = &w->d->k.vc;
	uint8_t ph[sizeof(Elf64_Phdr)];

	w->nr_segs++;
	if (!w->write) {
		w->total += DIV_ROUND_UP(seg->filesz, vc->page_size);
		return true;
	}
	/* an empty segment has no file offset, except the last (upstream) */
	seg->offset = seg->filesz || last ? w->data_off : 0;
	make_phdr(vc, ph, PT_LOAD, seg);
	if (!output_write(&w->d->out, w->phdr_off, ph, phdr_size(vc)))
		return false;
	w->phdr_off += phdr_size(vc);
	if (seg->filesz && !copy_data(w, in, seg->paddr - in->paddr, seg->filesz))
		return false;
	w->data_off += seg->filesz;
	return true;
}

/*
 * Walk one input PT_LOAD page by page.  Bytes of a partial first or last
 * page are counted as upstream counts them.
 */
static bool walk_load(struct elfw *w, const struct pt_load *l)
{
	struct dump *d = w->d;
	uint64_t ps = d->k.page_size, nexcl = 0, memsz = 0, filesz = 0;
	uint64_t pfn_start = l->paddr / ps, pfn_end = (l->paddr + l->memsz) / ps;
	uint64_t head = ps - l->paddr % ps, tail = (l->paddr + l->memsz) % ps;
	struct pt_load seg = *l;
	bool ok;

	if (head && head != ps) {
		memsz = filesz = head;
		pfn_start++;
	}
	if (tail)
		pfn_end++;
	for (uint64_t pfn = pfn_start; pfn < pfn_end; pfn++) {
		uint64_t sz = pfn == pfn_end - 1 && tail ? tail : ps;

		if (!dump_pfn_dumpable(d, pfn, &ok)) {
			if (!ok)
				return false;
			nexcl++;
			memsz += sz;
			continue;
		}
		if (nexcl < PFN_EXCLUDED) {
			memsz += sz;
			filesz += ps * nexcl + sz;
			nexcl = 0;
			continue;
		}
		if (w->write)
			d->elf_excluded += nexcl;
		seg.memsz = memsz;
		seg.filesz = filesz;
		if (!emit(w, l, &seg, false))
			return false;
		seg.paddr += memsz;
		seg.vaddr += memsz;
		nexcl = 0;
		memsz = filesz = ps;
	}
	if (w->write)
		d->elf_excluded += nexcl;
	seg.memsz = memsz;
	seg.filesz = filesz;
	return emit(w, l, &seg, true);
}

static bool walk_all(struct elfw *w)
{
	const struct vmcore *vc = &w->d->k.vc;

	w->nr_segs = 0;
	for (size_t i = 0; i < vc->nr_loads; i++)
		if (!walk_load(w, &vc->loads[i]))
			return false;
	return true;
}

/* e_phnum and the section header fields of the ELF header. */
static void put_shdr_fields(const struct target *t, uint8_t *eh, bool elf64,
			    bool xnum, uint64_t phnum)
{
	unsigned int base = elf64 ? 56 : 44;

	tput16(t, eh + base, xnum ? PN_XNUM : (uint16_t)phnum);	/* e_phnum */
	tput16(t, eh + base + 2, xnum ? (elf64 ? sizeof(Elf64_Shdr) :
					 sizeof(Elf32_Shdr)) : 0);
	tput16(t, eh + base + 4, xnum ? 1 : 0);			/* e_shnum */
	tput16(t, eh + base + 6, SHN_UNDEF);			/* e_shstrndx */
}

/* ELF header, PT_NOTE header, section header 0 if needed, notes. */
static bool write_headers(struct elfw *w, uint64_t phnum)
{
	struct vmcore *vc = &w->d->k.vc;
	const struct target *t = &vc->tgt;
	bool xnum = phnum >= PN_XNUM;
	size_t ehsize = is64(vc) ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	uint64_t note_off = ehsize + phnum * phdr_size(vc);
	uint8_t eh[sizeof(Elf64_Ehdr)], ph[sizeof(Elf64_Phdr)], sh[sizeof(Elf64_Shdr)];
	struct pt_load note = vc->note_phdr;

	memcpy(eh, vc->ehdr, sizeof(eh));
	memset(sh, 0, sizeof(sh));
	if (is64(vc)) {
		tput64(t, eh + 32, ehsize);			/* e_phoff */
		tput64(t, eh + 40, xnum ? note_off : 0);	/* e_shoff */
		eh[52] = (uint8_t)ehsize;			/* e_ehsize */
		eh[53] = 0;
		eh[54] = (uint8_t)phdr_size(vc);
		eh[55] = 0;
		tput32(t, sh + 44, (uint32_t)phnum);		/* sh_info */
	} else {
		tput32(t, eh + 28, (uint32_t)ehsize);
		tput32(t, eh + 32, xnum ? (uint32_t)note_off : 0);
		eh[40] = (uint8_t)ehsize;
		eh[41] = 0;
		eh[42] = (uint8_t)phdr_size(vc);
		eh[43] = 0;
		tput32(t, sh + 28, (uint32_t)phnum);
	}
	put_shdr_fields(t, eh, is64(vc), xnum, phnum);
	if (xnum)
		note_off += is64(vc) ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	note.offset = note_off;
	note.filesz = vc->notes_size;
	make_phdr(vc, ph, PT_NOTE, &note);
	w->phdr_off = ehsize + phdr_size(vc);
	w->data_off = note_off + vc->notes_size;
	return output_write(&w->d->out, 0, eh, ehsize) &&
	       output_write(&w->d->out, ehsize, ph, phdr_size(vc)) &&
	       (!xnum || output_write(&w->d->out, note_off - (is64(vc) ?
				      sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)),
				      sh, is64(vc) ? sizeof(Elf64_Shdr) :
				      sizeof(Elf32_Shdr))) &&
	       output_write(&w->d->out, note_off, vc->notes, vc->notes_size);
}

/* e_flags |= 1 (DUMP_ELF_INCOMPLETE) in a file cut short. */
static void flag_incomplete(struct dump *d)
{
	struct vmcore *vc = &d->k.vc;
	unsigned int off = is64(vc) ? 48 : 36;
	uint8_t f[4];

	tput32(&vc->tgt, f, tget32(&vc->tgt, vc->ehdr + off) | 1);
	if (d->out.kind == OUT_FILE &&
	    output_write_after_error(&d->out, off, f, sizeof(f)))
		MSG("This is an incomplete dumpfile, but might analyzable.\n");
}

/**
 * write_elf_dump - -E: the dump as an ELF file.  The caller has opened
 * the output and set up the cycle window.
 */
bool write_elf_dump(struct dump *d)
{
	struct elfw w;
	bool ok;

	if (d->k.vc.kd) {
		ERRMSG("-E needs an ELF vmcore as input, not a kdump-compressed file.\n");
		return false;
	}
	memset(&w, 0, sizeof(w));
	w.d = d;
	d->elf_zero = d->dump_level & DL_EXCLUDE_ZERO;
	if (!walk_all(&w))			/* count the segments */
		return false;
	w.write = true;
	w.buf = xmalloc(d->k.page_size);
	ok = write_headers(&w, 1 + w.nr_segs);
	wbuf_init(&w.data, &d->out, w.data_off, ELF_DATA_CACHE);
	progress_start(&w.prog, "Copying data", w.total);
	ok = ok && walk_all(&w) && wbuf_flush(&w.data);
	if (ok)
		progress_finish(&w.prog);
	else if (output_full(&d->out))
		flag_incomplete(d);
	wbuf_free(&w.data);
	free(w.buf);
	return ok;
}
