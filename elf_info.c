// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * elf_info.c - read an ELF vmcore (/proc/vmcore, QEMU dump-guest-memory,
 * or a saved copy).
 *
 * The ELF header is parsed by hand rather than with libelf because real
 * vmcores break rules libelf checks (QEMU 7.2 writes e_ehsize = 8) and we
 * want one precise error message per malformed field.  Both classes and
 * both byte orders are read; e_phoff is honoured (QEMU puts the program
 * headers at 192), PN_XNUM extended numbering is followed to section
 * header 0, and any number of PT_NOTE and PT_LOAD segments is accepted.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bitmap.h"
#include "elf_info.h"
#include "flat.h"
#include "kdump_input.h"
#include "makedumpfile.h"

#define READ_WINDOW	(4UL << 20)	/* bytes per mmap()/pread() of page data */
#define MAP_ALIGN	65536UL		/* covers every page size */

static void unmap_window(struct vmcore *vc);
#define MAX_NOTES_SIZE	(64UL << 20)

static bool read_at(struct vmcore *vc, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(vc->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ERRMSG("Can't read the dump memory(%s) at offset 0x%llx. %s\n",
			       vc->path, (unsigned long long)off, strerror(errno));
			return false;
		}
		if (n == 0) {
			ERRMSG("The dump memory(%s) is truncated: offset 0x%llx is past the end of the file.\n",
			       vc->path, (unsigned long long)off);
			return false;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return true;
}

bool vmcore_is_elf(const char *path)
{
	unsigned char id[SELFMAG];
	int fd = open(path, O_RDONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = read(fd, id, SELFMAG) == SELFMAG && !memcmp(id, ELFMAG, SELFMAG);
	close(fd);
	return ok;
}

/* Fields of the ELF header we use, independent of class. */
struct ehdr_info {
	uint64_t phoff, shoff;
	unsigned int phentsize, shentsize;
	uint64_t phnum;
};

static bool parse_ehdr(struct vmcore *vc, const uint8_t *e, struct ehdr_info *h)
{
	const struct target *t = &vc->tgt;

	if (vc->elf_class == ELFCLASS64) {
		vc->e_type = tget16(t, e + 16);
		vc->machine = tget16(t, e + 18);
		h->phoff = tget64(t, e + 32);
		h->shoff = tget64(t, e + 40);
		vc->e_flags = tget32(t, e + 48);
		h->phentsize = tget16(t, e + 54);
		h->phnum = tget16(t, e + 56);
		h->shentsize = tget16(t, e + 58);
	} else {
		vc->e_type = tget16(t, e + 16);
		vc->machine = tget16(t, e + 18);
		h->phoff = tget32(t, e + 28);
		h->shoff = tget32(t, e + 32);
		vc->e_flags = tget32(t, e + 36);
		h->phentsize = tget16(t, e + 42);
		h->phnum = tget16(t, e + 44);
		h->shentsize = tget16(t, e + 46);
	}
	if (h->phentsize != (vc->elf_class == ELFCLASS64 ? sizeof(Elf64_Phdr)
						       : sizeof(Elf32_Phdr))) {
		ERRMSG("The ELF header of %s is corrupt: e_phentsize is %u.\n",
		       vc->path, h->phentsize);
		return false;
	}
	if (h->phnum == PN_XNUM) {
		uint8_t sh[sizeof(Elf64_Shdr)];

		if (!h->shoff || h->shentsize < (vc->elf_class == ELFCLASS64 ?
						 sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr))) {
			ERRMSG("The ELF header of %s uses PN_XNUM but has no section header 0.\n",
			       vc->path);
			return false;
		}
		if (!read_at(vc, h->shoff, sh, h->shentsize > sizeof(sh) ?
			     sizeof(sh) : h->shentsize))
			return false;
		h->phnum = tget32(t, sh + (vc->elf_class == ELFCLASS64 ? 44 : 28));
	}
	if (!h->phnum) {
		ERRMSG("The ELF file %s has no program headers.\n", vc->path);
		return false;
	}
	if (h->phoff > vc->file_size ||
	    h->phnum * h->phentsize > vc->file_size - h->phoff) {
		ERRMSG("The ELF header of %s is corrupt: program headers (offset 0x%llx, %llu entries) lie beyond the end of the file.\n",
		       vc->path, (unsigned long long)h->phoff,
		       (unsigned long long)h->phnum);
		return false;
	}
	return true;
}

static void parse_phdr(const struct vmcore *vc, const uint8_t *p, uint32_t *type,
		       struct pt_load *l)
{
	const struct target *t = &vc->tgt;

	*type = tget32(t, p);
	if (vc->elf_class == ELFCLASS64) {
		l->flags = tget32(t, p + 4);
		l->align = tget64(t, p + 48);
		l->offset = tget64(t, p + 8);
		l->vaddr = tget64(t, p + 16);
		l->paddr = tget64(t, p + 24);
		l->filesz = tget64(t, p + 32);
		l->memsz = tget64(t, p + 40);
	} else {
		l->offset = tget32(t, p + 4);
		l->vaddr = tget32(t, p + 8);
		l->paddr = tget32(t, p + 12);
		l->filesz = tget32(t, p + 16);
		l->memsz = tget32(t, p + 20);
		l->flags = tget32(t, p + 24);
		l->align = tget32(t, p + 28);
	}
}

static bool add_note_segment(struct vmcore *vc, const struct pt_load *seg)
{
	if (seg->filesz > MAX_NOTES_SIZE ||
	    vc->notes_size + seg->filesz > MAX_NOTES_SIZE) {
		ERRMSG("The PT_NOTE segments of %s are too large (0x%llx bytes).\n",
		       vc->path, (unsigned long long)seg->filesz);
		return false;
	}
	if (seg->offset > vc->file_size ||
	    seg->filesz > vc->file_size - seg->offset) {
		ERRMSG("The dump memory(%s) is truncated: its PT_NOTE segment ends past the end of the file.\n",
		       vc->path);
		return false;
	}
	vc->notes = realloc(vc->notes, vc->notes_size + seg->filesz + 1);
	if (!vc->notes) {
		ERRMSG("Can't allocate memory for the ELF notes.\n");
		return false;
	}
	if (!read_at(vc, seg->offset, vc->notes + vc->notes_size, seg->filesz))
		return false;
	vc->notes_size += seg->filesz;
	return true;
}

/* Walk the concatenated notes: count CPUs, find VMCOREINFO. */
static void scan_notes(struct vmcore *vc)
{
	const struct target *t = &vc->tgt;
	size_t off = 0;

	while (off + 12 <= vc->notes_size) {
		uint32_t namesz = tget32(t, vc->notes + off);
		uint32_t descsz = tget32(t, vc->notes + off + 4);
		uint32_t type = tget32(t, vc->notes + off + 8);
		const char *name = (const char *)vc->notes + off + 12;
		size_t desc = off + 12 + ROUND_UP((size_t)namesz, 4);
		size_t next = desc + ROUND_UP((size_t)descsz, 4);

		if (namesz == 0 && descsz == 0)
			break;
		if (desc > vc->notes_size || next > vc->notes_size + 3) {
			DEBUG_MSG("ELF note at 0x%zx overruns the note segment; ignoring the rest.\n",
				  off);
			break;
		}
		if (namesz == 5 && !memcmp(name, "CORE", 5) && type == NT_PRSTATUS)
			vc->nr_cpus++;
		else if (namesz == 11 && !memcmp(name, "VMCOREINFO", 11) && type == 0 &&
			 !vc->vmcoreinfo && desc + descsz <= vc->notes_size) {
			vc->vmcoreinfo = (const char *)vc->notes + desc;
			vc->vmcoreinfo_size = descsz;
			vc->vmcoreinfo_off = desc;
		}
		off = next;
	}
}

/*
 * /proc/kcore gives its vmalloc, module and vmemmap segments p_paddr -1:
 * they are not physical memory, and must not wrap the pfn arithmetic.
 */
static bool has_paddr(const struct pt_load *l)
{
	return l->paddr + l->memsz > l->paddr;
}

static bool check_loads(struct vmcore *vc)
{
	for (size_t i = 0; i < vc->nr_loads; i++) {
		const struct pt_load *l = &vc->loads[i];

		if (l->filesz > l->memsz) {
			ERRMSG("The ELF header of %s is corrupt: PT_LOAD[%zu] has p_filesz 0x%llx > p_memsz 0x%llx.\n",
			       vc->path, i, (unsigned long long)l->filesz,
			       (unsigned long long)l->memsz);
			return false;
		}
		if (l->offset > vc->file_size ||
		    l->filesz > vc->file_size - l->offset) {
			ERRMSG("The dump memory(%s) is truncated: PT_LOAD[%zu] (paddr 0x%llx) needs file bytes up to 0x%llx but the file has 0x%llx.\n",
			       vc->path, i, (unsigned long long)l->paddr,
			       (unsigned long long)(l->offset + l->filesz),
			       (unsigned long long)vc->file_size);
			return false;
		}
	}
	return true;
}

static bool read_program_headers(struct vmcore *vc, const struct ehdr_info *h)
{
	size_t tablen = (size_t)(h->phnum * h->phentsize);
	uint8_t *tab = xmalloc(tablen);
	bool ok = false;

	if (!read_at(vc, h->phoff, tab, tablen))
		goto out;
	vc->loads = xcalloc((size_t)h->phnum, sizeof(*vc->loads));
	for (uint64_t i = 0; i < h->phnum; i++) {
		struct pt_load seg;
		uint32_t type;

		parse_phdr(vc, tab + i * h->phentsize, &type, &seg);
		if (type == PT_LOAD && !has_paddr(&seg))
			DEBUG_MSG("Ignoring PT_LOAD[%zu] (vaddr 0x%llx): no physical address.\n",
				  i, (unsigned long long)seg.vaddr);
		else if (type == PT_LOAD)
			vc->loads[vc->nr_loads++] = seg;
		else if (type == PT_NOTE && seg.filesz) {
			if (!vc->notes_size)
				vc->note_phdr = seg;
			if (!add_note_segment(vc, &seg))
				goto out;
		}
	}
	if (!vc->nr_loads) {
		ERRMSG("The ELF file %s has no PT_LOAD segment.\n", vc->path);
		goto out;
	}
	ok = check_loads(vc);
out:
	free(tab);
	return ok;
}

/* Not ELF: a kdump-compressed file, plain or flattened. */
static bool open_other(struct vmcore *vc)
{
	uint8_t head[FLAT_HEADER_SIZE];
	size_t n = (size_t)MIN(vc->file_size, (uint64_t)sizeof(head));

	if (!read_at(vc, 0, head, n))
		goto fail;
	if (!kdump_input_probe(head, n) && !flat_is_header(head, n)) {
		ERRMSG("%s is neither an ELF vmcore nor a kdump-compressed or flattened dump.\n",
		       vc->path);
		goto fail;
	}
	if (!kdump_input_open(vc, head, n))
		goto fail;
	scan_notes(vc);
	kdump_infer_machine(vc);
	if (!vmcore_set_page_size(vc, kdump_block_size(vc)))
		goto fail;
	return true;
fail:
	vmcore_close(vc);
	return false;
}

/**
 * vmcore_open - open and parse an ELF vmcore (or a kdump-compressed dump).
 *
 * Return: true on success; on failure one error message has been printed.
 */
bool vmcore_open(struct vmcore *vc, const char *path)
{
	uint8_t e[sizeof(Elf64_Ehdr)];
	struct ehdr_info h;
	struct stat st;

	memset(vc, 0, sizeof(*vc));
	vc->path = path;
	vc->fd = open(path, O_RDONLY);
	if (vc->fd < 0) {
		ERRMSG("Can't open the dump memory(%s). %s\n", path, strerror(errno));
		return false;
	}
	if (fstat(vc->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		/* /proc/vmcore is a regular file with a real size. */
		if (fstat(vc->fd, &st) == 0 && S_ISREG(st.st_mode))
			ERRMSG("The dump memory(%s) is empty.\n", path);
		else
			ERRMSG("The dump memory(%s) is not a regular file.\n", path);
		goto fail;
	}
	vc->file_size = (uint64_t)st.st_size;
	if (vc->file_size < EI_NIDENT || !read_at(vc, 0, e, EI_NIDENT))
		goto not_elf;
	if (memcmp(e, ELFMAG, SELFMAG))
		return open_other(vc);
	vc->elf_class = e[EI_CLASS];
	if (vc->elf_class != ELFCLASS64 && vc->elf_class != ELFCLASS32) {
		ERRMSG("The ELF header of %s is corrupt: unknown class %d.\n", path,
		       vc->elf_class);
		goto fail;
	}
	if (e[EI_DATA] != ELFDATA2LSB && e[EI_DATA] != ELFDATA2MSB) {
		ERRMSG("The ELF header of %s is corrupt: unknown byte order %d.\n",
		       path, e[EI_DATA]);
		goto fail;
	}
	vc->tgt.be = e[EI_DATA] == ELFDATA2MSB;
	vc->tgt.ptr_size = vc->elf_class == ELFCLASS64 ? 8 : 4;
	if (vc->file_size < (vc->elf_class == ELFCLASS64 ? sizeof(Elf64_Ehdr) :
			     sizeof(Elf32_Ehdr))) {
		ERRMSG("The dump memory(%s) is truncated inside its ELF header.\n", path);
		goto fail;
	}
	if (!read_at(vc, 0, e, vc->elf_class == ELFCLASS64 ? sizeof(Elf64_Ehdr) :
		     sizeof(Elf32_Ehdr)))
		goto fail;
	memcpy(vc->ehdr, e, sizeof(vc->ehdr));
	if (!parse_ehdr(vc, e, &h) || !read_program_headers(vc, &h))
		goto fail;
	scan_notes(vc);
	vmcore_set_page_size(vc, 4096);	/* ELF: cannot fail */
	return true;
not_elf:
	ERRMSG("%s is not an ELF file (no ELF magic).\n", path);
fail:
	vmcore_close(vc);
	return false;
}

void vmcore_close(struct vmcore *vc)
{
	kdump_input_close(vc);
	if (vc->fd >= 0)
		close(vc->fd);
	vc->fd = -1;
	free(vc->loads);
	free(vc->notes);
	unmap_window(vc);
	free(vc->buf);
	free(vc->scratch);
	vc->loads = NULL;
	vc->notes = NULL;
	vc->win = vc->buf = NULL;
	vc->scratch = NULL;
}

/**
 * vmcore_set_page_size - the unit of pfns from now on (the dumped kernel's
 * page size).  Return: false after an error if a kdump-compressed input
 * cannot be read in such pages.
 */
bool vmcore_set_page_size(struct vmcore *vc, unsigned int page_size)
{
	if (vc->kd && !kdump_set_page_size(vc, page_size))
		return false;
	vc->page_size = page_size;
	free(vc->scratch);
	vc->scratch = xmalloc(page_size);
	unmap_window(vc);
	if (!vc->buf) {
		vc->win_cap = READ_WINDOW;
		vc->buf = xmalloc(vc->win_cap);
		vc->use_mmap = true;
	}
	vc->win = vc->buf;
	vc->win_len = 0;
	return true;
}

static bool in_load_data(const struct pt_load *l, uint64_t paddr)
{
	return paddr >= l->paddr && paddr - l->paddr < l->filesz;
}

/**
 * vmcore_find_load - the segment whose file data holds @paddr.
 *
 * Segments may overlap (the kernel-text PT_LOAD of /proc/vmcore overlaps
 * RAM); as upstream, the first in file order wins, except that the last
 * hit is tried first since reads are mostly sequential.
 */
const struct pt_load *vmcore_find_load(struct vmcore *vc, uint64_t paddr)
{
	if (vc->last_load < vc->nr_loads &&
	    in_load_data(&vc->loads[vc->last_load], paddr))
		return &vc->loads[vc->last_load];
	for (size_t i = 0; i < vc->nr_loads; i++) {
		if (in_load_data(&vc->loads[i], paddr)) {
			vc->last_load = i;
			return &vc->loads[i];
		}
	}
	return NULL;
}

/**
 * vmcore_read_phys - copy physical memory; fails if any byte has no data.
 */
bool vmcore_read_phys(struct vmcore *vc, uint64_t paddr, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (vc->kd)
		return kdump_read_phys(vc, paddr, buf, len);
	while (len) {
		const struct pt_load *l = vmcore_find_load(vc, paddr);
		uint64_t in_seg;
		size_t n;

		if (!l) {
			DEBUG_MSG("No data for physical address 0x%llx in %s.\n",
				  (unsigned long long)paddr, vc->path);
			return false;
		}
		in_seg = paddr - l->paddr;
		n = (size_t)MIN((uint64_t)len, l->filesz - in_seg);
		if (!read_at(vc, l->offset + in_seg, p, n))
			return false;
		p += n;
		paddr += n;
		len -= n;
	}
	return true;
}

static void unmap_window(struct vmcore *vc)
{
	if (vc->map) {
		munmap(vc->map, vc->map_len);
		vc->map = NULL;
		vc->win = vc->buf;
		vc->win_len = 0;
	}
}

/*
 * Map the window instead of copying it: no copy per page, one system call
 * per window.  On the first failure (old /proc/vmcore without mmap) fall
 * back to pread() for the rest of the run.
 */
static bool map_window(struct vmcore *vc, uint64_t off, size_t n)
{
	uint64_t start = ROUND_DOWN(off, (uint64_t)MAP_ALIGN);
	size_t len = (size_t)(off - start) + n;
	void *m;

	unmap_window(vc);
	m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, vc->fd,
		 (off_t)start);
	if (m == MAP_FAILED) {
		DEBUG_MSG("mmap of %s failed (%s); reading with pread().\n",
			  vc->path, strerror(errno));
		vc->use_mmap = false;
		return false;
	}
	vc->map = m;
	vc->map_len = len;
	vc->win = (uint8_t *)m + (off - start);
	vc->win_off = off;
	vc->win_len = n;
	return true;
}

/* Refill the window so that it starts at @off, staying inside @l. */
static bool fill_window(struct vmcore *vc, const struct pt_load *l, uint64_t off)
{
	uint64_t seg_end = l->offset + l->filesz;
	size_t n = (size_t)MIN((uint64_t)vc->win_cap, seg_end - off);

	if (vc->use_mmap && map_window(vc, off, n))
		return true;
	if (!read_at(vc, off, vc->win, n))
		return false;
	vc->win_off = off;
	vc->win_len = n;
	return true;
}

/**
 * vmcore_read_page - the contents of page @pfn.
 *
 * Return: a pointer valid until the next call, or NULL on a read error.
 * Parts of the page outside every segment's file data read as zero.
 */
const uint8_t *vmcore_read_page(struct vmcore *vc, uint64_t pfn)
{
	uint64_t paddr = pfn * vc->page_size;
	const struct pt_load *l;
	uint64_t off;

	if (vc->kd)
		return kdump_read_page(vc, pfn);
	l = vmcore_find_load(vc, paddr);
	if (l && paddr - l->paddr + vc->page_size <= l->filesz) {
		off = l->offset + (paddr - l->paddr);
		if (off < vc->win_off || off + vc->page_size > vc->win_off + vc->win_len)
			if (!fill_window(vc, l, off))
				return NULL;
		return vc->win + (off - vc->win_off);
	}
	/* Straddles segments or partly without data: assemble it. */
	memset(vc->scratch, 0, vc->page_size);
	for (unsigned int done = 0; done < vc->page_size;) {
		uint64_t a = paddr + done;
		unsigned int n;

		l = vmcore_find_load(vc, a);
		if (!l) {
			done += 1;
			continue;
		}
		n = (unsigned int)MIN((uint64_t)(vc->page_size - done),
				      l->filesz - (a - l->paddr));
		if (!read_at(vc, l->offset + (a - l->paddr), vc->scratch + done, n))
			return NULL;
		done += n;
	}
	return vc->scratch;
}

/**
 * vmcore_read_load - read segment @l's bytes from @rel on; bytes past its
 * p_filesz read as zero.
 */
bool vmcore_read_load(struct vmcore *vc, const struct pt_load *l, uint64_t rel,
		      void *buf, size_t len)
{
	size_t n = rel < l->filesz ? (size_t)MIN((uint64_t)len, l->filesz - rel) : 0;

	if (n && !read_at(vc, l->offset + rel, buf, n))
		return false;
	memset((uint8_t *)buf + n, 0, len - n);
	return true;
}

uint64_t vmcore_max_paddr(const struct vmcore *vc)
{
	uint64_t max = 0;

	if (vc->kd)
		return kdump_max_mapnr(vc) * vc->page_size;
	for (size_t i = 0; i < vc->nr_loads; i++)
		max = MAX(max, vc->loads[i].paddr + vc->loads[i].memsz);
	return max;
}

/**
 * vmcore_fill_bitmaps - which pfns exist (@bm1) and have data (@bm2) in
 * the cycle the bitmaps were reset to.  ELF, as upstream makedumpfile: a
 * page a PT_LOAD ends in the middle of exists (@bm1) but is not dumped
 * (@bm2), and neither are pages past p_filesz.  kdump: the input's own
 * bitmaps.
 */
bool vmcore_fill_bitmaps(struct vmcore *vc, struct bitmap *bm1, struct bitmap *bm2)
{
	uint64_t ps = vc->page_size;

	if (vc->kd)
		return kdump_fill_bitmaps(vc, bm1, bm2);
	for (size_t i = 0; i < vc->nr_loads; i++) {
		const struct pt_load *l = &vc->loads[i];

		bitmap_set_range(bm1, l->paddr / ps, DIV_ROUND_UP(l->paddr + l->memsz, ps));
		bitmap_set_range(bm2, l->paddr / ps, (l->paddr + l->memsz) / ps);
	}
	for (size_t i = 0; i < vc->nr_loads; i++) {
		const struct pt_load *l = &vc->loads[i];

		/* a page only partly backed by file data is not dumped either */
		bitmap_clear_range(bm2, (l->paddr + l->filesz) / ps,
				   DIV_ROUND_UP(l->paddr + l->memsz, ps));
	}
	return true;
}

/*
 * Whether the struct page of @pfn is to be looked at: as upstream, its
 * first byte must have data in a PT_LOAD; for a kdump input, it must be
 * set in the input's 1st bitmap.
 */
bool vmcore_pfn_in_segs(struct vmcore *vc, uint64_t pfn, const struct bitmap *bm1)
{
	if (vc->kd)
		return bitmap_test(bm1, pfn);
	return vmcore_find_load(vc, pfn * vc->page_size) != NULL;
}

void vmcore_dump_loads(const struct vmcore *vc)
{
	DEBUG_MSG("\n");
	for (size_t i = 0; i < vc->nr_loads; i++) {
		const struct pt_load *l = &vc->loads[i];

		DEBUG_MSG("LOAD (%zu)\n", i);
		DEBUG_MSG("  phys_start : %llx\n", (unsigned long long)l->paddr);
		DEBUG_MSG("  phys_end   : %llx\n",
			  (unsigned long long)(l->paddr + l->memsz));
		DEBUG_MSG("  virt_start : %llx\n", (unsigned long long)l->vaddr);
		DEBUG_MSG("  virt_end   : %llx\n",
			  (unsigned long long)(l->vaddr + l->memsz));
	}
	DEBUG_MSG("num of NOTEs : %d (CORE/NT_PRSTATUS)\n", vc->nr_cpus);
}
