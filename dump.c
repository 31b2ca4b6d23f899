// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dump.c - write a kdump-compressed dump in bounded memory.
 *
 * The two bitmaps are built one cycle (a fixed window of pfns) at a time.
 * Pass 1 writes each cycle's bitmaps and counts dumpable pages, which
 * fixes where the page data starts; pass 2 writes the descriptors and the
 * data.  When everything fits in one cycle, pass 2 reuses pass 1's
 * bitmaps; otherwise it filters each cycle again.  Memory use depends on
 * the cycle size only, never on the size of the dumped machine.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bitmap.h"
#include "compress.h"
#include "dump.h"
#include "dump_priv.h"
#include "filter.h"
#include "kdump.h"
#include "kdump_input.h"
#include "kernel.h"
#include "makedumpfile.h"
#include "options.h"
#include "output.h"
#include "pipeline.h"

#define DEFAULT_CYCLE_BYTES	(4UL << 20)	/* per bitmap: 128 GiB of RAM */
#define DESC_CACHE		(256UL << 10)
#define DATA_CACHE		(1UL << 20)

static uint64_t cycle_pfns(const struct options *opt, uint64_t max_mapnr)
{
	uint64_t bytes;

	if (opt->work_dir)	/* one cycle, bitmaps in a file */
		return ROUND_UP(MAX(max_mapnr, 1ULL), 512);
	bytes = opt->cyclic_buffer_kib ? opt->cyclic_buffer_kib << 10
						: DEFAULT_CYCLE_BYTES;

	bytes = ROUND_UP(MAX(bytes, 64ULL), 64);
	/* The window never needs to be larger than the whole bitmap. */
	return MIN(bytes * 8, ROUND_UP(MAX(max_mapnr, 1ULL), 512));
}

static bool exclude_zero_pages(struct dump *d, bool count)
{
	for (uint64_t pfn = bitmap_next_set(&d->bm2, d->bm2.start_pfn);
	     pfn < d->bm2.end_pfn; pfn = bitmap_next_set(&d->bm2, pfn + 1)) {
		const uint8_t *page = vmcore_read_page(&d->k.vc, pfn);

		if (!page) {
			ERRMSG("Can't read the page of pfn 0x%llx.\n",
			       (unsigned long long)pfn);
			return false;
		}
		if (page_is_zero(page, d->k.page_size)) {
			bitmap_clear(&d->bm2, pfn);
			if (count)
				d->st.zero++;
		}
	}
	return true;
}

static void reset_cycle(struct dump *d, uint64_t c)
{
	uint64_t start = c * d->cycle_pfns;
	uint64_t end = MIN(start + d->cycle_pfns, d->k.max_mapnr);

	bitmap_reset(&d->bm1, start, end);
	bitmap_reset(&d->bm2, start, end);
}

/**
 * dump_load_cycle - make bm1/bm2 hold cycle @c, for writers that visit
 * pfns out of order (-E walks PT_LOADs in file order).  The filter carries
 * state from one cycle to the next, so going backwards restarts from
 * cycle 0.  Statistics are counted the first time a cycle is computed.
 * With @d->elf_zero, zero pages are cleared from bm2 too (ELF output must
 * know its layout before writing any data).
 */
bool dump_load_cycle(struct dump *d, uint64_t c)
{
	if (d->cur_valid && d->cur == c)
		return true;
	if (!d->cur_valid || c < d->cur) {
		filter_rewind(&d->f, NULL);
		d->cur = 0;
	} else {
		d->cur++;
	}
	for (;; d->cur++) {
		bool count = d->cur >= d->counted;

		d->f.stats = count ? &d->st : NULL;
		reset_cycle(d, d->cur);
		if (!filter_cycle(&d->f, &d->bm1, &d->bm2) ||
		    (d->elf_zero && !exclude_zero_pages(d, count)))
			return false;
		if (count)
			d->counted = d->cur + 1;
		d->cur_valid = true;
		if (d->cur == c)
			return true;
	}
}

/*
 * Whether @pfn is dumpable, loading its cycle if needed.  Pages above
 * max_mapnr (QEMU's BIOS and framebuffer PT_LOADs) have no struct page to
 * judge them by, so an ELF output keeps them as they are.  (Upstream reads
 * bitmap bits past its end there, and keeps a varying part of them.)
 */
bool dump_pfn_dumpable(struct dump *d, uint64_t pfn, bool *ok)
{
	*ok = true;
	if (pfn >= d->k.max_mapnr)
		return true;
	*ok = dump_load_cycle(d, pfn / d->cycle_pfns);
	return *ok && bitmap_test(&d->bm2, pfn);
}

/* Pass 1: bitmaps of every cycle, written out; count dumpable pages. */
static bool pass_bitmaps(struct dump *d)
{
	struct progress p;

	filter_rewind(&d->f, &d->st);
	d->num_dumpable = 0;
	progress_start(&p, "Excluding unnecessary pages", d->nr_cycles);
	for (uint64_t c = 0; c < d->nr_cycles; c++) {
		uint64_t start = c * d->cycle_pfns;

		reset_cycle(d, c);
		if (!filter_cycle(&d->f, &d->bm1, &d->bm2))
			return false;
		d->num_dumpable += bitmap_count(&d->bm2);
		for (uint64_t b = d->sb_counts ? start / d->sb_pfns : d->nr_sb;
		     b < d->nr_sb && b * d->sb_pfns < d->bm2.end_pfn; b++)
			d->sb_counts[b] += bitmap_count_range(&d->bm2, b * d->sb_pfns,
							      (b + 1) * d->sb_pfns);
		if (!output_write(&d->out, d->lay.off_bitmap1 + start / 8, d->bm1.buf,
				  bitmap_bytes(&d->bm1)) ||
		    !output_write(&d->out, d->lay.off_bitmap2 + start / 8, d->bm2.buf,
				  bitmap_bytes(&d->bm2)))
			return false;
		progress_update(&p, c);
	}
	progress_finish(&p);
	return true;
}

struct writer {
	struct dump *d;
	struct wbuf desc, data;
	struct pipeline pipe;
	uint8_t zero_desc[PAGE_DESC_SIZE];
	uint64_t done;
	struct progress prog;
};

/*
 * Write out the page data, then the descriptors that point into it, so a
 * descriptor on disk never points at data that is not.  If the data write
 * fails (disk full, -L), describe only the pages whose data landed; the
 * other descriptors stay zero, which readers report as missing pages.
 */
static bool flush_pages(struct writer *w)
{
	const struct target *t = &w->d->k.vc.tgt;
	uint64_t landed_end = w->data.off;
	size_t keep = 0;

	if (wbuf_flush(&w->data))
		return wbuf_flush(&w->desc);
	landed_end += w->d->out.partial;
	while (keep < w->desc.len) {
		const uint8_t *desc = w->desc.buf + keep;

		if (tget64(t, desc) + tget32(t, desc + 8) > landed_end)
			break;
		keep += PAGE_DESC_SIZE;
	}
	output_write_after_error(&w->d->out, w->desc.off, w->desc.buf, keep);
	return false;
}

static bool add_desc(struct writer *w, const uint8_t *desc)
{
	if (w->desc.len + PAGE_DESC_SIZE > w->desc.cap && !flush_pages(w))
		return false;
	memcpy(w->desc.buf + w->desc.len, desc, PAGE_DESC_SIZE);
	w->desc.len += PAGE_DESC_SIZE;
	return true;
}

/* Called in pfn order with each page's compressed form. */
static bool emit_page(void *arg, const struct page_result *r)
{
	struct writer *w = arg;
	uint8_t desc[PAGE_DESC_SIZE];

	progress_update(&w->prog, ++w->done);
	if (r->zero) {
		w->d->st.zero++;
		return add_desc(w, w->zero_desc);
	}
	kdump_make_desc(&w->d->k.vc.tgt, desc, w->data.off + w->data.len, r->len,
			r->flags);
	return wbuf_add(&w->data, r->data, r->len) && add_desc(w, desc);
}

static bool write_cycle_pages(struct dump *d, struct writer *w)
{
	uint64_t start = d->bm2.start_pfn, end = d->bm2.end_pfn;

	if (d->split_file) {		/* only this file's range */
		start = MAX(start, d->range_start);
		end = MIN(end, d->range_end);
	}
	for (uint64_t pfn = bitmap_next_set(&d->bm2, start);
	     pfn < end; pfn = bitmap_next_set(&d->bm2, pfn + 1)) {
		const uint8_t *page = vmcore_read_page(&d->k.vc, pfn);

		if (!page || !pipeline_add(&w->pipe, page))
			return false;
	}
	return true;
}

/*
 * Compression threads: --num-threads, else one per online CPU (max 8) for
 * zlib and zstd.  lzo and snappy compress about as fast as a page can be
 * copied to a worker, so by default they run inline, without any copy.
 */
static int worker_threads(const struct options *opt)
{
	long n;

	if (!opt->codec || (!opt->num_threads && (opt->codec == DUMP_DH_COMPRESSED_LZO ||
						   opt->codec == DUMP_DH_COMPRESSED_SNAPPY)))
		return 0;
	n = opt->num_threads ? (long)opt->num_threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 1 || opt->split)
		return 0;
	return (int)MIN(n, 8L);
}

/* Pass 2: descriptors and page data, in pfn order. */
static bool pass_pages(struct dump *d)
{
	uint64_t data_off = d->lay.off_desc + d->num_dumpable * PAGE_DESC_SIZE;
	struct writer w;
	bool ok = false;

	memset(&w, 0, sizeof(w));
	w.d = d;
	if (!pipeline_init(&w.pipe, d->opt->codec, d->k.page_size,
			   d->dump_level & DL_EXCLUDE_ZERO, worker_threads(d->opt),
			   emit_page, &w)) {
		pipeline_fini(&w.pipe);
		return false;
	}
	wbuf_init(&w.desc, &d->out, d->lay.off_desc, DESC_CACHE);
	wbuf_init(&w.data, &d->out, data_off, DATA_CACHE);
	if (d->dump_level & DL_EXCLUDE_ZERO) {
		uint8_t *zero = xcalloc(1, d->k.page_size);

		kdump_make_desc(&d->k.vc.tgt, w.zero_desc, data_off, d->k.page_size, 0);
		ok = wbuf_add(&w.data, zero, d->k.page_size);
		free(zero);
		if (!ok)
			goto out;
	}
	filter_rewind(&d->f, NULL);
	progress_start(&w.prog, "Copying data", d->num_dumpable);
	ok = false;
	for (uint64_t c = 0; c < d->nr_cycles; c++) {
		if (d->nr_cycles > 1) {
			reset_cycle(d, c);
			if (!filter_cycle(&d->f, &d->bm1, &d->bm2))
				goto out;
		}
		if (!write_cycle_pages(d, &w))
			goto out;
	}
	ok = pipeline_finish(&w.pipe) && flush_pages(&w);
	if (ok)
		progress_finish(&w.prog);
out:
	pipeline_fini(&w.pipe);
	wbuf_free(&w.desc);
	wbuf_free(&w.data);
	return ok;
}

void dump_print_report(const struct dump *d)
{
	const struct filter_stats *s = &d->st;
	uint64_t max = d->k.max_mapnr, hole = max - s->present;
	uint64_t excl = s->zero, original = s->present;

	for (int i = 0; i < PC_NR; i++)
		excl += s->excluded[i];
	REPORT_MSG("\n");
	REPORT_MSG("Original pages  : 0x%016llx\n", (unsigned long long)original);
	REPORT_MSG("  Excluded pages   : 0x%016llx\n", (unsigned long long)excl);
	if (d->opt->elf_output)
		REPORT_MSG("     in ELF format : 0x%016llx\n",
			   (unsigned long long)d->elf_excluded);
	REPORT_MSG("    Pages filled with zero  : 0x%016llx\n",
		   (unsigned long long)s->zero);
	REPORT_MSG("    Non-private cache pages : 0x%016llx\n",
		   (unsigned long long)s->excluded[PC_CACHE]);
	REPORT_MSG("    Private cache pages     : 0x%016llx\n",
		   (unsigned long long)s->excluded[PC_CACHE_PRIVATE]);
	REPORT_MSG("    User process data pages : 0x%016llx\n",
		   (unsigned long long)s->excluded[PC_USER]);
	REPORT_MSG("    Free pages              : 0x%016llx\n",
		   (unsigned long long)s->excluded[PC_FREE]);
	REPORT_MSG("    Hwpoison pages          : 0x%016llx\n",
		   (unsigned long long)s->excluded[PC_HWPOISON]);
	REPORT_MSG("    Offline pages           : 0x%016llx\n",
		   (unsigned long long)s->excluded[PC_OFFLINE]);
	REPORT_MSG("    Extension filter pages  : 0x%016llx\n", 0ULL);
	REPORT_MSG("  Remaining pages  : 0x%016llx\n",
		   (unsigned long long)(original - excl));
	if (d->opt->elf_output) {
		REPORT_MSG("     in ELF format : 0x%016llx\n",
			   (unsigned long long)(original - d->elf_excluded));
		excl = d->elf_excluded;
	}
	if (original)
		REPORT_MSG("  (The number of pages is reduced to %llu%%.)\n",
			   (unsigned long long)((original - excl) * 100 / original));
	REPORT_MSG("Memory Hole     : 0x%016llx\n", (unsigned long long)hole);
	REPORT_MSG("--------------------------------------------------\n");
	REPORT_MSG("Total pages     : 0x%016llx\n", (unsigned long long)max);
	REPORT_MSG("Write bytes     : %llu\n", (unsigned long long)d->out.bytes);
	REPORT_MSG("\n");
}

static void fill_info(const struct dump *d, struct kdump_info *ki)
{
	const struct kernel *k = &d->k;

	memset(ki, 0, sizeof(*ki));
	ki->tgt = k->vc.tgt;
	memcpy(ki->utsname, k->utsname, sizeof(ki->utsname));
	ki->crashtime = k->vi.has_crashtime ? k->vi.crashtime :
			k->vc.kd ? kdump_timestamp(&k->vc) : 0;
	ki->status = d->opt->codec;
	ki->nr_cpus = k->vc.nr_cpus;
	ki->phys_base = k->arch.phys_base;
	ki->dump_level = d->dump_level;
	if (d->split_file) {
		ki->split = 1;
		ki->start_pfn = d->range_start;
		ki->end_pfn = d->range_end;
	}
	ki->notes = k->vc.notes;
	ki->notes_size = k->vc.notes_size;
	if (k->vc.vmcoreinfo) {
		ki->vmcoreinfo_off = k->vc.vmcoreinfo_off;
		ki->vmcoreinfo_size = k->vc.vmcoreinfo_size;
	}
}

bool dump_write_kdump(struct dump *d)
{
	struct kdump_info ki;

	kdump_layout_init(&d->lay, d->k.page_size, d->k.vc.notes_size,
			  d->k.max_mapnr);
	fill_info(d, &ki);
	return kdump_write_headers(&d->out, &d->lay, &ki) && pass_bitmaps(d) &&
	       pass_pages(d);
}

/* Pass 1 only, into no file: count dumpable pages (for --split). */
bool dump_count_pass(struct dump *d)
{
	kdump_layout_init(&d->lay, d->k.page_size, d->k.vc.notes_size,
			  d->k.max_mapnr);
	return pass_bitmaps(d);
}

bool dump_open_output(struct dump *d, enum output_kind kind, const char *path)
{
	if (!output_open(&d->out, kind, path, d->opt->force))
		return false;
	if (d->opt->has_size_limit)
		d->out.limit = d->opt->size_limit;
	return true;
}

/* Size the cycle window and allocate the two bitmaps. */
bool dump_setup_cycles(struct dump *d)
{
	d->cur_valid = false;
	d->counted = 0;
	d->elf_excluded = 0;
	d->cycle_pfns = cycle_pfns(d->opt, d->k.max_mapnr);
	d->nr_cycles = DIV_ROUND_UP(d->k.max_mapnr, d->cycle_pfns);
	DEBUG_MSG("cycle: %llu pfns, %llu cycles\n", (unsigned long long)d->cycle_pfns,
		  (unsigned long long)d->nr_cycles);
	if (!d->opt->work_dir) {
		bitmap_alloc(&d->bm1, d->cycle_pfns);
		bitmap_alloc(&d->bm2, d->cycle_pfns);
		return true;
	}
	return bitmap_alloc_file(&d->bm1, d->cycle_pfns, d->opt->work_dir) &&
	       bitmap_alloc_file(&d->bm2, d->cycle_pfns, d->opt->work_dir);
}

void dump_free_cycles(struct dump *d)
{
	bitmap_free(&d->bm1);
	bitmap_free(&d->bm2);
}

static bool write_dump(struct dump *d)
{
	enum output_kind kind = d->opt->dry_run ? OUT_NULL :
				d->opt->flatten ? OUT_FLAT : OUT_FILE;
	bool ok;

	if (!dump_setup_cycles(d) || !dump_open_output(d, kind, d->opt->dumpfile))
		return false;
	ok = d->opt->elf_output ? write_elf_dump(d) : dump_write_kdump(d);
	if (!ok) {
		output_close(&d->out);
		return false;
	}
	return output_close(&d->out);
}

static int all_levels(const struct options *opt)
{
	int dl = 0;

	for (int i = 0; i < opt->nr_dump_levels; i++)
		dl |= opt->dump_levels[i];
	return dl;
}

/*
 * One attempt at one dump level.  Return: 0 on success, 1 on failure,
 * -1 when the output filled up (ENOSPC or -L) and another level may fit.
 */
static int try_level(struct dump *d, int level)
{
	bool ok;

	if (d->k.vc.kd && (level | kdump_dump_level(&d->k.vc)) != level) {
		int old = kdump_dump_level(&d->k.vc);

		level |= old;
		MSG("dump_level is changed to %d, because %s was created by dump_level(%d).\n",
		    level, d->opt->vmcore, old);
	}
	d->dump_level = level;
	memset(&d->st, 0, sizeof(d->st));
	d->num_dumpable = 0;
	if (!filter_init(&d->f, &d->k, level)) {
		filter_fini(&d->f);
		return 1;
	}
	if (d->opt->split) {
		int r = write_split_dump(d);

		filter_fini(&d->f);
		dump_free_cycles(d);
		if (!r)
			dump_print_report(d);
		return r;
	}
	ok = write_dump(d);
	filter_fini(&d->f);
	dump_free_cycles(d);
	if (ok) {
		dump_print_report(d);
		return 0;
	}
	return output_full(&d->out) ? -1 : 1;
}

static void flag_incomplete(struct dump *d)
{
	if (d->out.kind != OUT_FILE || !d->out.size || d->opt->elf_output)
		return;
	if (kdump_mark_incomplete(d->opt->dumpfile, &d->k.vc.tgt))
		MSG("This is an incomplete dumpfile, but might analyzable.\n");
}

/**
 * create_dumpfile - the main job: VMCORE to a kdump-compressed DUMPFILE.
 *
 * With a dump level list (-d 31,11,1) a level whose dump does not fit
 * (disk full, or -L) is retried with the next one after deleting the
 * partial file; when none fits, the last file is flagged incomplete.
 */
int create_dumpfile(const struct options *opt)
{
	const struct kernel_src src = KERNEL_SRC(opt);
	struct dump *d = xcalloc(1, sizeof(*d));
	int ret;

	d->opt = opt;
	ret = kernel_open(&d->k, &src, all_levels(opt));
	for (int i = 0; ret == EXIT_COMPLETED && i < opt->nr_dump_levels; i++) {
		int r = try_level(d, opt->dump_levels[i]);

		if (r == 0)
			break;
		if (r > 0 || opt->flatten || i + 1 == opt->nr_dump_levels) {
			if (r < 0)
				flag_incomplete(d);
			ret = EXIT_FAILED;
			break;
		}
		MSG("Retry to create a dumpfile by dump_level(%d).\n",
		    opt->dump_levels[i + 1]);
		for (int j = 0; opt->split && j < opt->nr_files; j++)
			unlink(opt->files[j]);
		if (!opt->split && d->out.kind == OUT_FILE && unlink(opt->dumpfile) < 0) {
			ERRMSG("Can't delete the dump file(%s). %s\n", opt->dumpfile,
			       strerror(errno));
			ret = EXIT_FAILED;
		}
	}
	kernel_close(&d->k);
	free(d);
	return ret;
}

