// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dwarf_info.c - -x VMLINUX and -g VMCOREINFO: read from a vmlinux with
 * debuginfo what VMCOREINFO would say.
 *
 * Symbols come from the ELF symbol table (assembler symbols such as
 * init_top_pgt have no DWARF); when a name is defined more than once,
 * a global wins over a static, and a static in the expected source file
 * (printk for the log buffer) over other statics.  Structure sizes, member
 * offsets (through anonymous structs and unions), array lengths and enum
 * values come from the DWARF of the top-level DIEs of every compile unit,
 * read once.  The text has the kernel's own format: SYMBOL() hex without
 * 0x, SIZE/OFFSET/LENGTH decimal, NUMBER signed decimal, so that -i reads
 * it and a merge with a VMCOREINFO note is line by line.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmesg.h"
#include "dwarf_info.h"
#include "introspect.h"
#include "makedumpfile.h"
#include "options.h"
#include "vmcoreinfo.h"

#define START_KERNEL_MAP	0xffffffff80000000ULL
#define KERNEL_IMAGE_SIZE_DEF	(1ULL << 30)
#define UTS_FIELD		65	/* __NEW_UTS_LEN + 1 */

/* ------------------------------------------------------------ the tables */

enum want_kind { W_TYPE, W_ENUM, W_VAR };

/*
 * One named top-level DIE to find.  @hint: prefer (and with @need_hint,
 * require) a definition in a compile unit whose name contains it.
 */
struct want {
	const char *name;
	enum want_kind kind;
	const char *hint;
	bool need_hint;
	bool found, hinted;
	Dwarf_Die die;
};

#define T(n)		{ n, W_TYPE, NULL, false, false, false, { 0 } }
#define TP(n, req)	{ n, W_TYPE, "printk", req, false, false, { 0 } }
#define E(n)		{ n, W_ENUM, NULL, false, false, false, { 0 } }
#define V(n)		{ n, W_VAR, NULL, false, false, false, { 0 } }

static const struct want want_init[] = {
	T("page"), T("folio"), T("mem_section"), T("pglist_data"), T("zone"),
	T("free_area"), T("list_head"), T("nodemask_t"), T("uts_namespace"),
	T("vm_struct"), T("vmap_area"), TP("printk_log", false), TP("log", true),
	TP("printk_ringbuffer", false), TP("prb_desc_ring", false),
	TP("prb_desc", false), TP("prb_data_blk_lpos", false),
	TP("printk_info", false), TP("dev_printk_info", false),
	TP("prb_data_ring", false), T("atomic_long_t"), TP("latched_seq", false),
	E("pageflags"), E("zone_stat_item"), E("node_states"),
	E("compound_dtor_id"), E("pagetype"),
	V("mem_section"), V("node_data"), V("pgdat_list"),
};

/*
 * SYMBOL(): name, and the source file a static of that name is in.  The
 * last ones are only read here, not written.
 */
#define NR_INTERNAL_SYMBOLS 1
static const struct {
	const char *name, *file;
} symbol_keys[] = {
	{ "init_uts_ns", NULL }, { "system_utsname", NULL },
	{ "node_online_map", NULL }, { "node_states", NULL },
	{ "swapper_pg_dir", NULL }, { "_stext", NULL },
	{ "init_top_pgt", NULL }, { "init_level4_pgt", NULL },
	{ "level4_kernel_pgt", NULL }, { "vmap_area_list", NULL },
	{ "vmlist", NULL }, { "mem_section", NULL }, { "mem_map", NULL },
	{ "contig_page_data", NULL }, { "node_data", NULL },
	{ "pgdat_list", NULL }, { "max_pfn", NULL }, { "high_memory", NULL },
	{ "free_huge_page", NULL }, { "prb", "printk" },
	{ "printk_rb_static", "printk" }, { "clear_seq", "printk" },
	{ "log_buf", "printk" }, { "log_buf_len", "printk" },
	{ "log_end", "printk" }, { "logged_chars", "printk" },
	{ "log_first_idx", "printk" }, { "log_next_idx", "printk" },
	{ "clear_idx", "printk" }, { "kallsyms_names", NULL },
	{ "kallsyms_num_syms", NULL }, { "kallsyms_token_table", NULL },
	{ "kallsyms_token_index", NULL }, { "kallsyms_offsets", NULL },
	{ "kallsyms_relative_base", NULL }, { "linux_banner", NULL },
};

static const char *const size_keys[] = {
	"page", "mem_section", "pglist_data", "zone", "free_area", "list_head",
	"nodemask_t", "printk_log", "log", "printk_ringbuffer", "prb_desc_ring",
	"prb_desc", "prb_data_blk_lpos", "printk_info", "dev_printk_info",
	"prb_data_ring", "atomic_long_t", "latched_seq",
};

static const char *const offset_keys[] = {
	"uts_namespace.name", "mem_section.section_mem_map",
	"page.flags", "page._refcount", "page._count", "page.mapping",
	"page.lru", "page._mapcount", "page.private", "page.compound_dtor",
	"page.compound_order", "page.compound_head", "page.compound_info",
	"folio._folio_dtor", "folio._folio_order",
	"pglist_data.node_zones", "pglist_data.nr_zones",
	"pglist_data.node_mem_map", "pglist_data.node_start_pfn",
	"pglist_data.node_spanned_pages", "pglist_data.node_id",
	"pglist_data.pgdat_next", "zone.free_area", "zone.vm_stat",
	"zone.spanned_pages", "zone.free_pages", "free_area.free_list",
	"list_head.next", "list_head.prev", "vm_struct.addr",
	"vmap_area.va_start", "vmap_area.list",
	"printk_log.ts_nsec", "printk_log.len", "printk_log.text_len",
	"printk_log.dict_len", "printk_log.caller_id",
	"log.ts_nsec", "log.len", "log.text_len", "log.dict_len",
	"printk_ringbuffer.desc_ring", "printk_ringbuffer.text_data_ring",
	"printk_ringbuffer.fail", "prb_desc_ring.count_bits",
	"prb_desc_ring.descs", "prb_desc_ring.infos", "prb_desc_ring.head_id",
	"prb_desc_ring.tail_id", "prb_desc.state_var", "prb_desc.text_blk_lpos",
	"prb_data_blk_lpos.begin", "prb_data_blk_lpos.next",
	"printk_info.seq", "printk_info.ts_nsec", "printk_info.text_len",
	"printk_info.caller_id", "printk_info.dev_info",
	"dev_printk_info.subsystem", "dev_printk_info.device",
	"prb_data_ring.size_bits", "prb_data_ring.data",
	"prb_data_ring.head_lpos", "prb_data_ring.tail_lpos",
	"atomic_long_t.counter", "latched_seq.val",
};

/* LENGTH(): key, and the variable or "struct.member" that is the array. */
static const struct {
	const char *key, *array;
} length_keys[] = {
	{ "mem_section", "mem_section" }, { "node_data", "node_data" },
	{ "pgdat_list", "pgdat_list" }, { "zone.free_area", "zone.free_area" },
	{ "free_area.free_list", "free_area.free_list" },
	{ "printk_info_subsystem", "dev_printk_info.subsystem" },
	{ "printk_info_device", "dev_printk_info.device" },
};

/* NUMBER() that are enumerators: key, enum type. */
static const struct {
	const char *name, *enum_name;
} enum_keys[] = {
	{ "NR_FREE_PAGES", "zone_stat_item" }, { "N_ONLINE", "node_states" },
	{ "PG_lru", "pageflags" }, { "PG_private", "pageflags" },
	{ "PG_swapcache", "pageflags" }, { "PG_swapbacked", "pageflags" },
	{ "PG_slab", "pageflags" }, { "PG_buddy", "pageflags" },
	{ "PG_hwpoison", "pageflags" }, { "PG_hugetlb", "pageflags" },
	{ "HUGETLB_PAGE_DTOR", "compound_dtor_id" },
};

/* Page types (6.10+: enum pagetype): NUMBER key and the type's name. */
static const struct {
	const char *key, *type;
} page_type_keys[] = {
	{ "PAGE_BUDDY_MAPCOUNT_VALUE", "buddy" },
	{ "PAGE_OFFLINE_MAPCOUNT_VALUE", "offline" },
	{ "PAGE_HUGETLB_MAPCOUNT_VALUE", "hugetlb" },
	{ "PAGE_SLAB_MAPCOUNT_VALUE", "slab" },
	{ "PAGE_UNACCEPTED_MAPCOUNT_VALUE", "unaccepted" },
};

/* ------------------------------------------------------------- the file */

struct dbg {
	const char *path;
	int fd;
	Elf *elf;
	Dwarf *dw;
	uint16_t machine;
	struct want *w;
	size_t nr_w;
	struct strbuf out;
};

static void dbg_close(struct dbg *d)
{
	if (d->dw)
		dwarf_end(d->dw);
	if (d->elf)
		elf_end(d->elf);
	if (d->fd >= 0)
		close(d->fd);
	free(d->w);
	strbuf_free(&d->out);
}

static bool dbg_open(struct dbg *d, const char *path)
{
	GElf_Ehdr eh;

	memset(d, 0, sizeof(*d));
	d->path = path;
	d->fd = open(path, O_RDONLY);
	if (d->fd < 0) {
		ERRMSG("Can't open the kernel file(%s). %s\n", path, strerror(errno));
		return false;
	}
	elf_version(EV_CURRENT);
	d->elf = elf_begin(d->fd, ELF_C_READ_MMAP, NULL);
	if (!d->elf || elf_kind(d->elf) != ELF_K_ELF || !gelf_getehdr(d->elf, &eh)) {
		ERRMSG("%s is not an ELF file. %s\n", path, elf_errmsg(-1));
		return false;
	}
	d->machine = eh.e_machine;
	d->dw = dwarf_begin_elf(d->elf, DWARF_C_READ, NULL);
	if (!d->dw) {
		ERRMSG("%s has no DWARF debugging information "
		       "(a vmlinux with debuginfo is needed). %s\n",
		       path, dwarf_errmsg(-1));
		return false;
	}
	d->nr_w = ARRAY_SIZE(want_init);
	d->w = xmalloc(sizeof(want_init));
	memcpy(d->w, want_init, sizeof(want_init));
	return true;
}

/* -------------------------------------------------------- the DWARF scan */

static bool cu_has_hint(Dwarf_Die *cu, const char *hint)
{
	const char *name = dwarf_diename(cu);

	return name && strstr(name, hint);
}

static bool usable_die(Dwarf_Die *die, enum want_kind kind)
{
	if (kind == W_VAR)
		return dwarf_hasattr(die, DW_AT_type);
	if (dwarf_hasattr(die, DW_AT_declaration))
		return false;
	return dwarf_tag(die) == DW_TAG_typedef || dwarf_hasattr(die, DW_AT_byte_size);
}

static enum want_kind kind_of(int tag, bool *ok)
{
	*ok = true;
	switch (tag) {
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_typedef:
		return W_TYPE;
	case DW_TAG_enumeration_type:
		return W_ENUM;
	case DW_TAG_variable:
		return W_VAR;
	default:
		*ok = false;
		return W_TYPE;
	}
}

static void consider(struct dbg *d, Dwarf_Die *cu, Dwarf_Die *die)
{
	const char *name = dwarf_diename(die);
	enum want_kind kind;
	bool ok;

	if (!name)
		return;
	kind = kind_of(dwarf_tag(die), &ok);
	if (!ok)
		return;
	for (size_t i = 0; i < d->nr_w; i++) {
		struct want *w = &d->w[i];
		bool hinted;

		if (w->kind != kind || w->hinted || strcmp(w->name, name) ||
		    !usable_die(die, kind))
			continue;
		/* a variable's definition (with the complete array type, in
		 * its own DW_AT_type) is better than an extern declaration */
		hinted = kind == W_VAR ? !dwarf_hasattr(die, DW_AT_declaration)
				       : w->hint && cu_has_hint(cu, w->hint);
		if (w->found && !hinted)
			continue;
		if (w->need_hint && !hinted)
			continue;
		w->die = *die;
		w->found = true;
		w->hinted = hinted || (!w->hint && kind != W_VAR);
	}
}

static bool all_found(const struct dbg *d)
{
	for (size_t i = 0; i < d->nr_w; i++)
		if (!d->w[i].hinted)
			return false;
	return true;
}

/* Look at the top-level DIEs of every compile unit, until all are found. */
static void scan_dwarf(struct dbg *d)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (!all_found(d) &&
	       dwarf_nextcu(d->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, child;

		if (dwarf_offdie(d->dw, off + hsize, &cu) &&
		    dwarf_child(&cu, &child) == 0) {
			do {
				consider(d, &cu, &child);
			} while (dwarf_siblingof(&child, &child) == 0);
		}
		off = next;
	}
}

static struct want *find_want(struct dbg *d, const char *name, enum want_kind kind)
{
	for (size_t i = 0; i < d->nr_w; i++)
		if (d->w[i].kind == kind && d->w[i].found && !strcmp(d->w[i].name, name))
			return &d->w[i];
	return NULL;
}

/* ------------------------------------------------------ DWARF questions */

/* The type of @die with typedefs and qualifiers removed. */
static bool peeled_type(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute a;

	if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, type))
		return false;
	return dwarf_peel_type(type, type) == 0;
}

static bool member_location(Dwarf_Die *m, uint64_t *off)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	Dwarf_Op *ops;
	size_t n;

	*off = 0;
	if (dwarf_attr(m, DW_AT_data_member_location, &a)) {
		if (dwarf_formudata(&a, &w) == 0) {
			*off = w;
			return true;
		}
		if (dwarf_getlocation(&a, &ops, &n) == 0 && n == 1 &&
		    ops[0].atom == DW_OP_plus_uconst) {
			*off = ops[0].number;
			return true;
		}
		return false;
	}
	if (dwarf_attr(m, DW_AT_data_bit_offset, &a) && dwarf_formudata(&a, &w) == 0)
		*off = w / 8;
	return true;	/* a union member: offset 0 */
}

/*
 * Find member @name of the struct or union @type, also inside anonymous
 * structs and unions (whose members are members of @type in C).
 */
static bool find_member(Dwarf_Die *type, const char *name, uint64_t *off,
			Dwarf_Die *member)
{
	Dwarf_Die child, sub;
	uint64_t base, inner;

	if (dwarf_child(type, &child) != 0)
		return false;
	do {
		const char *n;

		if (dwarf_tag(&child) != DW_TAG_member || !member_location(&child, &base))
			continue;
		n = dwarf_diename(&child);
		if (n && !strcmp(n, name)) {
			*off = base;
			*member = child;
			return true;
		}
		if (!n && peeled_type(&child, &sub) &&
		    (dwarf_tag(&sub) == DW_TAG_structure_type ||
		     dwarf_tag(&sub) == DW_TAG_union_type) &&
		    find_member(&sub, name, &inner, member)) {
			*off = base + inner;
			return true;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* The struct/union that type @name is (itself, or through typedefs). */
static bool struct_type(struct dbg *d, const char *name, Dwarf_Die *out)
{
	struct want *w = find_want(d, name, W_TYPE);

	if (!w)
		return false;
	*out = w->die;
	return dwarf_peel_type(out, out) == 0;
}

static bool type_size(struct dbg *d, const char *name, uint64_t *size)
{
	Dwarf_Die t;
	Dwarf_Word s;

	if (!struct_type(d, name, &t) || dwarf_aggregate_size(&t, &s) != 0)
		return false;
	*size = s;
	return true;
}

/* "type.member": its offset, and the member's DIE. */
static bool member_offset(struct dbg *d, const char *key, uint64_t *off,
			  Dwarf_Die *member)
{
	const char *dot = strchr(key, '.');
	char type[64];
	Dwarf_Die t;

	if (!dot || (size_t)(dot - key) >= sizeof(type))
		return false;
	memcpy(type, key, (size_t)(dot - key));
	type[dot - key] = '\0';
	return struct_type(d, type, &t) &&
	       (dwarf_tag(&t) == DW_TAG_structure_type ||
		dwarf_tag(&t) == DW_TAG_union_type) &&
	       find_member(&t, dot + 1, off, member);
}

/* Number of elements of the (first dimension of the) array type of @die. */
static bool array_length(Dwarf_Die *die, uint64_t *len)
{
	Dwarf_Die t, sub;
	Dwarf_Attribute a;
	Dwarf_Word w;

	if (!peeled_type(die, &t) || dwarf_tag(&t) != DW_TAG_array_type ||
	    dwarf_child(&t, &sub) != 0)
		return false;
	do {
		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		if (dwarf_attr(&sub, DW_AT_count, &a) && dwarf_formudata(&a, &w) == 0) {
			*len = w;
			return true;
		}
		if (dwarf_attr(&sub, DW_AT_upper_bound, &a) && dwarf_formudata(&a, &w) == 0) {
			*len = w + 1;
			return true;
		}
		return false;
	} while (dwarf_siblingof(&sub, &sub) == 0);
	return false;
}

static bool length_of(struct dbg *d, const char *array, uint64_t *len)
{
	Dwarf_Die m;
	uint64_t off;
	struct want *w;

	if (strchr(array, '.'))
		return member_offset(d, array, &off, &m) && array_length(&m, len);
	w = find_want(d, array, W_VAR);
	return w && array_length(&w->die, len);
}

static bool enumerator(struct dbg *d, const char *enum_name, const char *name,
		       int64_t *val)
{
	struct want *w = find_want(d, enum_name, W_ENUM);
	Dwarf_Die child;
	Dwarf_Attribute a;
	Dwarf_Sword v;

	if (!w || dwarf_child(&w->die, &child) != 0)
		return false;
	do {
		const char *n = dwarf_diename(&child);

		if (dwarf_tag(&child) == DW_TAG_enumerator && n && !strcmp(n, name) &&
		    dwarf_attr(&child, DW_AT_const_value, &a) &&
		    dwarf_formsdata(&a, &v) == 0) {
			*val = v;
			return true;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* ------------------------------------------------------ the ELF symbols */

struct sym_found {
	uint64_t addr;
	int rank;		/* 0: none, 1: static, 2: static in its file, 3: global */
};

static int symbol_rank(const GElf_Sym *s, const char *file, const char *hint)
{
	if (GELF_ST_BIND(s->st_info) != STB_LOCAL)
		return 3;
	return hint && file && strstr(file, hint) ? 2 : 1;
}

static void rank_symbol(const GElf_Sym *s, const char *name, const char *file,
			struct sym_found *found)
{
	for (size_t i = 0; i < ARRAY_SIZE(symbol_keys); i++) {
		int r;

		if (strcmp(name, symbol_keys[i].name))
			continue;
		r = symbol_rank(s, file, symbol_keys[i].file);
		if (r > found[i].rank) {
			found[i].rank = r;
			found[i].addr = s->st_value;
		}
	}
}

static bool read_symbols(struct dbg *d, struct sym_found *found)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	bool any = false;

	while ((scn = elf_nextscn(d->elf, scn))) {
		Elf_Data *data;
		const char *file = NULL;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		any = true;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *name;

			if (!gelf_getsym(data, (int)i, &s))
				break;
			name = elf_strptr(d->elf, sh.sh_link, s.st_name);
			if (!name)
				continue;
			if (GELF_ST_TYPE(s.st_info) == STT_FILE) {
				file = name;
				continue;
			}
			if (s.st_shndx == SHN_UNDEF || GELF_ST_TYPE(s.st_info) == STT_SECTION)
				continue;
			rank_symbol(&s, name, file, found);
		}
	}
	if (!any)
		ERRMSG("%s has no symbol table.\n", d->path);
	return any;
}

/* Copy @len bytes at link-time address @addr from the file's sections. */
static bool read_addr(struct dbg *d, uint64_t addr, void *buf, size_t len)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(d->elf, scn))) {
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    addr < sh.sh_addr || addr - sh.sh_addr + len > sh.sh_size)
			continue;
		if (sh.sh_type == SHT_NOBITS) {
			memset(buf, 0, len);
			return true;
		}
		data = elf_rawdata(scn, NULL);
		if (!data || addr - sh.sh_addr + len > data->d_size)
			return false;
		memcpy(buf, (const uint8_t *)data->d_buf + (addr - sh.sh_addr), len);
		return true;
	}
	return false;
}

static const struct sym_found *sym(const struct sym_found *found, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(symbol_keys); i++)
		if (!strcmp(symbol_keys[i].name, name) && found[i].rank)
			return &found[i];
	return NULL;
}

/* The release from init_uts_ns (or system_utsname, or linux_banner). */
static bool read_release(struct dbg *d, const struct sym_found *found, char *rel)
{
	const struct sym_found *s;
	uint64_t off = 4;	/* after the struct kref of uts_namespace */
	Dwarf_Die m;
	char banner[256];

	rel[UTS_FIELD - 1] = '\0';
	s = sym(found, "init_uts_ns");
	if (s)
		member_offset(d, "uts_namespace.name", &off, &m);
	else if ((s = sym(found, "system_utsname")))
		off = 0;
	if (s && read_addr(d, s->addr + off + 2 * UTS_FIELD, rel, UTS_FIELD - 1) &&
	    rel[0])
		return true;
	s = sym(found, "linux_banner");
	if (s && read_addr(d, s->addr, banner, sizeof(banner)) &&
	    sscanf(banner, "Linux version %64s", rel) == 1)
		return true;
	ERRMSG("Can't read the kernel release from init_uts_ns in %s.\n", d->path);
	return false;
}

/* ------------------------------------------------------------ the text */


static void put_symbols(struct dbg *d, const struct sym_found *found,
			const struct dwarf_reloc *rel)
{
	for (size_t i = 0; i < ARRAY_SIZE(symbol_keys) - NR_INTERNAL_SYMBOLS; i++) {
		uint64_t a = found[i].addr;

		if (!found[i].rank)
			continue;
		if (rel && a - rel->text_start < rel->text_size)
			a += rel->offset;
		strbuf_printf(&d->out, "SYMBOL(%s)=%llx\n", symbol_keys[i].name, (unsigned long long)a);
	}
}

/*
 * Names the kernel exports that are macros, not symbols: x86_64's
 * swapper_pg_dir is init_top_pgt (4.13+), node_online_map is
 * node_states[N_ONLINE] (2.6.23+).
 */
static void put_aliases(struct dbg *d, const struct sym_found *found,
			const struct dwarf_reloc *rel)
{
	const struct sym_found *s;
	uint64_t a, size;
	int64_t n;

	if (!sym(found, "swapper_pg_dir") && (s = sym(found, "init_top_pgt")) &&
	    d->machine == EM_X86_64) {
		a = s->addr;
		if (rel && a - rel->text_start < rel->text_size)
			a += rel->offset;
		strbuf_printf(&d->out, "SYMBOL(swapper_pg_dir)=%llx\n", (unsigned long long)a);
	}
	if (!sym(found, "node_online_map") && (s = sym(found, "node_states")) &&
	    enumerator(d, "node_states", "N_ONLINE", &n) && n >= 0 &&
	    type_size(d, "nodemask_t", &size)) {
		a = s->addr + (uint64_t)n * size;
		if (rel && a - rel->text_start < rel->text_size)
			a += rel->offset;
		strbuf_printf(&d->out, "SYMBOL(node_online_map)=%llx\n", (unsigned long long)a);
	}
}

static void put_layout(struct dbg *d)
{
	uint64_t v;
	Dwarf_Die m;

	for (size_t i = 0; i < ARRAY_SIZE(size_keys); i++)
		if (type_size(d, size_keys[i], &v))
			strbuf_printf(&d->out, "SIZE(%s)=%llu\n", size_keys[i], (unsigned long long)v);
	for (size_t i = 0; i < ARRAY_SIZE(offset_keys); i++)
		if (member_offset(d, offset_keys[i], &v, &m))
			strbuf_printf(&d->out, "OFFSET(%s)=%llu\n", offset_keys[i], (unsigned long long)v);
	for (size_t i = 0; i < ARRAY_SIZE(length_keys); i++)
		if (length_of(d, length_keys[i].array, &v))
			strbuf_printf(&d->out, "LENGTH(%s)=%llu\n", length_keys[i].key, (unsigned long long)v);
}

/*
 * 6.10+ page types are enum pagetype: PG_<type> bits that a typed page
 * has cleared (~PG_x) until 6.11, PGTY_<type> top bytes (PGTY_x << 24)
 * from 6.12.  The NUMBER is that 32-bit word as a signed int.
 */
static bool page_type_value(struct dbg *d, const char *type, int64_t *v)
{
	char name[32];
	int64_t e;

	snprintf(name, sizeof(name), "PGTY_%s", type);
	if (enumerator(d, "pagetype", name, &e)) {
		*v = (int32_t)((uint32_t)e << 24);
		return true;
	}
	snprintf(name, sizeof(name), "PG_%s", type);
	if (enumerator(d, "pagetype", name, &e)) {
		*v = (int32_t)~(uint32_t)e;
		return true;
	}
	return false;
}

static void put_numbers(struct dbg *d)
{
	int64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(enum_keys); i++)
		if (enumerator(d, enum_keys[i].enum_name, enum_keys[i].name, &v))
			strbuf_printf(&d->out, "NUMBER(%s)=%lld\n", enum_keys[i].name, (long long)v);
	if ((enumerator(d, "pageflags", "PG_head", &v) ||
	     enumerator(d, "pageflags", "PG_compound", &v)) && v >= 0 && v < 63)
		strbuf_printf(&d->out, "NUMBER(PG_head_mask)=%lld\n", 1LL << v);
	for (size_t i = 0; i < ARRAY_SIZE(page_type_keys); i++)
		if (page_type_value(d, page_type_keys[i].type, &v))
			strbuf_printf(&d->out, "NUMBER(%s)=%lld\n", page_type_keys[i].key, (long long)v);
}

/**
 * dwarf_vmcoreinfo_text - VMCOREINFO lines for the kernel @vmlinux.
 * @rel:	KASLR relocation of kernel-image symbols, or NULL for none
 *
 * Return: malloc()ed NUL-terminated text, or NULL after an error message.
 */
char *dwarf_vmcoreinfo_text(const char *vmlinux, const struct dwarf_reloc *rel)
{
	struct sym_found found[ARRAY_SIZE(symbol_keys)];
	char release[UTS_FIELD];
	struct dbg d;
	char *text = NULL;

	memset(found, 0, sizeof(found));
	if (!dbg_open(&d, vmlinux) || !read_symbols(&d, found))
		goto out;
	scan_dwarf(&d);
	if (!read_release(&d, found, release))
		goto out;
	strbuf_printf(&d.out, "OSRELEASE=%s\n", release);
	strbuf_printf(&d.out, "PAGESIZE=%ld\n", d.machine == EM_X86_64 ? 4096L : sysconf(_SC_PAGESIZE));
	put_symbols(&d, found, rel);
	put_aliases(&d, found, rel);
	put_layout(&d);
	put_numbers(&d);
	text = d.out.buf;
	d.out.buf = NULL;
	DEBUG_MSG("VMCOREINFO from %s:\n%s", vmlinux, text);
out:
	dbg_close(&d);
	return text;
}

/**
 * dwarf_info_merge - with -x, fill in what VMCOREINFO lacks.
 * @vmlinux_path: the -x file, or NULL (nothing to do)
 * @has_vmcoreinfo: in: @vi holds the dump's VMCOREINFO; out: it holds some
 *
 * Symbols in the kernel image are moved by the dump's KERNELOFFSET.
 * Return: false after an error message (unreadable vmlinux, or a vmlinux
 * of another release than the dump's).
 */
bool dwarf_info_merge(struct vmcoreinfo *vi, bool *has_vmcoreinfo,
		      const char *vmlinux_path)
{
	struct dwarf_reloc rel = { 0, START_KERNEL_MAP, KERNEL_IMAGE_SIZE_DEF };
	struct vmcoreinfo dbg;
	int64_t n;
	char *text;
	bool ok;

	if (!vmlinux_path)
		return true;
	if (*has_vmcoreinfo) {
		rel.offset = vi->has_kerneloffset ? vi->kerneloffset : 0;
		if (vmci_number(vi, "KERNEL_IMAGE_SIZE", &n) && n > 0)
			rel.text_size = (uint64_t)n;
	}
	text = dwarf_vmcoreinfo_text(vmlinux_path, &rel);
	if (!text)
		return false;
	if (!*has_vmcoreinfo) {
		DEBUG_MSG("No VMCOREINFO in the dump: using %s only (no KASLR offset known).\n",
			  vmlinux_path);
		ok = vmci_parse(vi, text, strlen(text), vmlinux_path);
		*has_vmcoreinfo = ok;
		free(text);
		return ok;
	}
	ok = vmci_parse(&dbg, text, strlen(text), vmlinux_path);
	if (ok && strcmp(dbg.osrelease, vi->osrelease)) {
		ERRMSG("%s is the kernel %s, but the dump is of %s.\n", vmlinux_path,
		       dbg.osrelease, vi->osrelease);
		ok = false;
	}
	vmci_free(&dbg);
	ok = ok && vmci_merge(vi, text, strlen(text), vmlinux_path);
	free(text);
	return ok;
}

/*
 * Whether @vi tells where the struct pages are, as upstream's memory type
 * check: mem_section (SPARSEMEM), the nodes' pglist_data with node_mem_map
 * (DISCONTIGMEM: node_data, pgdat_list, or contig_page_data), or mem_map
 * (FLATMEM).
 */
static bool has_mem_map_keys(const struct vmcoreinfo *vi)
{
	uint64_t v;

	if (vmci_symbol(vi, "mem_section", &v) || vmci_symbol(vi, "mem_map", &v))
		return true;
	return vmci_offset(vi, "pglist_data.node_mem_map", &v) &&
	       (vmci_symbol(vi, "node_data", &v) || vmci_symbol(vi, "pgdat_list", &v) ||
		vmci_symbol(vi, "contig_page_data", &v));
}

/**
 * generate_vmcoreinfo - -g VMCOREINFO -x VMLINUX.
 */
int generate_vmcoreinfo(const struct options *opt)
{
	char *text = dwarf_vmcoreinfo_text(opt->vmlinux, NULL);
	struct vmcoreinfo vi;
	uint64_t v;
	FILE *fp;
	bool ok;

	if (!text)
		return EXIT_FAILED;
	ok = vmci_parse(&vi, text, strlen(text), opt->vmlinux);
	if (ok && (!vmci_size(&vi, "page", &v) || !has_mem_map_keys(&vi))) {
		ERRMSG("Can't find the memory type: %s has no struct page, or none of "
		       "mem_section, mem_map, pglist_data.node_mem_map with node_data/pgdat_list.\n",
		       opt->vmlinux);
		ok = false;
	}
	vmci_free(&vi);
	fp = ok ? fopen(opt->gen_vmcoreinfo, "w") : NULL;
	if (ok && !fp)
		ERRMSG("Can't open the vmcoreinfo file(%s). %s\n", opt->gen_vmcoreinfo,
		       strerror(errno));
	if (fp) {
		ok = fputs(text, fp) >= 0;
		ok = !fclose(fp) && ok;
		if (!ok)
			ERRMSG("Can't write the vmcoreinfo file(%s). %s\n",
			       opt->gen_vmcoreinfo, strerror(errno));
	}
	free(text);
	if (!fp || !ok)
		return EXIT_FAILED;
	MSG("\n");
	MSG("The vmcoreinfo is saved to %s.\n", opt->gen_vmcoreinfo);
	return EXIT_COMPLETED;
}
