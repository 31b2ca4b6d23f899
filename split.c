// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * split.c - --split: one dump written as N kdump-compressed files by N
 * processes, and --reassemble: join them back into one file.
 *
 * Every split file is a complete kdump file: the same header, notes and
 * both full bitmaps, with split = 1 and its pfn range [start, end) in the
 * sub header.  Its page descriptors start at the descriptor area and count
 * from its own start pfn, as crash reads them, while its page data start
 * after room for the whole dump's descriptors, as upstream lays them out.
 * The ranges hold about the same number of dumpable pages: pages are
 * counted per splitblock (--splitblock-size, 1 GiB by default) and whole
 * splitblocks are given to each file in turn.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compress.h"
#include "dump.h"
#include "dump_priv.h"
#include "endian.h"
#include "makedumpfile.h"
#include "options.h"

#define DEFAULT_SPLITBLOCK	(1ULL << 30)
#define DH_SIZE			464
#define KH_SIZE			104

static bool setup_splitblocks(struct dump *d)
{
	uint64_t bytes = d->opt->splitblock_kib ? d->opt->splitblock_kib << 10
						: DEFAULT_SPLITBLOCK;

	if (bytes % d->k.page_size) {
		ERRMSG("The splitblock size must be a multiple of the page size.\n");
		return false;
	}
	d->sb_pfns = bytes / d->k.page_size;
	d->nr_sb = DIV_ROUND_UP(d->k.max_mapnr, d->sb_pfns);
	d->sb_counts = xcalloc((size_t)d->nr_sb, sizeof(*d->sb_counts));
	return true;
}

/* Give whole splitblocks to each file until it has its share of pages. */
static void split_ranges(const struct dump *d, int n, uint64_t *start, uint64_t *end)
{
	uint64_t want = d->num_dumpable / (uint64_t)n, b = 0, pfn = 0;

	for (int i = 0; i < n - 1; i++) {
		int64_t need = (int64_t)want;

		start[i] = pfn;
		while (b < d->nr_sb && need > 0)
			need -= (int64_t)d->sb_counts[b++];
		pfn = MIN(b * d->sb_pfns, d->k.max_mapnr);
		end[i] = pfn;
	}
	start[n - 1] = pfn;
	end[n - 1] = d->k.max_mapnr;
}

/* In a child: write file @i.  Exit 0 done, 1 failed, 2 out of space. */
static void __attribute__((noreturn)) child(struct dump *d, int i, uint64_t start,
					    uint64_t end)
{
	const char *path = d->opt->files[i];
	bool ok;

	msg_set_level(msg_level() & ~ML_PROGRESS);
	d->split_file = true;
	d->range_start = start;
	d->range_end = end;
	filter_rewind(&d->f, NULL);
	memset(&d->st, 0, sizeof(d->st));
	ok = dump_open_output(d, OUT_FILE, path) && dump_write_kdump(d);
	output_close(&d->out);
	if (ok)
		_exit(0);
	if (output_full(&d->out) && d->out.size &&
	    kdump_mark_incomplete(path, &d->k.vc.tgt))
		MSG("%s is an incomplete dumpfile, but might analyzable.\n", path);
	_exit(output_full(&d->out) ? 2 : 1);
}

static int wait_children(const pid_t *pids, int n)
{
	int ret = 0;

	for (int i = 0; i < n; i++) {
		int st;

		if (pids[i] <= 0)
			continue;
		if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) == 1) {
			ERRMSG("Child process(%d) finished incompletely.(%d)\n", pids[i], st);
			ret = 1;
		} else if (WEXITSTATUS(st) == 2 && !ret) {
			ret = -1;
		}
	}
	return ret;
}

/**
 * write_split_dump - count, choose the ranges, write the files in parallel.
 * Return: 0, 1 on failure, -1 when a file ran out of space.
 */
int write_split_dump(struct dump *d)
{
	int n = d->opt->nr_files, ret;
	uint64_t *start = xcalloc((size_t)n, sizeof(*start));
	uint64_t *end = xcalloc((size_t)n, sizeof(*end));
	pid_t *pids = xcalloc((size_t)n, sizeof(*pids));

	ret = 1;
	if (!dump_setup_cycles(d) || !setup_splitblocks(d) ||
	    !dump_open_output(d, OUT_NULL, NULL) || !dump_count_pass(d))
		goto out;
	output_close(&d->out);
	split_ranges(d, n, start, end);
	for (int i = 0; i < n; i++)
		DEBUG_MSG("%s: pfn 0x%llx-0x%llx\n", d->opt->files[i],
			  (unsigned long long)start[i], (unsigned long long)end[i]);
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			ERRMSG("Can't fork a child process. %s\n", strerror(errno));
			wait_children(pids, i);
			goto out;
		}
		if (pids[i] == 0)
			child(d, i, start[i], end[i]);
	}
	ret = wait_children(pids, n);
out:
	free(d->sb_counts);
	d->sb_counts = NULL;
	free(start);
	free(end);
	free(pids);
	return ret;
}

/* --reassemble */

struct part {
	const char *path;
	int fd;
	uint8_t dh[DH_SIZE];
	uint8_t kh[KH_SIZE];
	uint64_t start, end;
};

static bool read_full(int fd, uint64_t off, void *buf, size_t len, const char *path)
{
	if (pread(fd, buf, len, (off_t)off) == (ssize_t)len)
		return true;
	ERRMSG("Can't read a file(%s) at 0x%llx. %s\n", path, (unsigned long long)off,
	       strerror(errno ? errno : EIO));
	return false;
}

static bool open_part(struct part *p, const struct target *t)
{
	p->fd = open(p->path, O_RDONLY);
	if (p->fd < 0) {
		ERRMSG("Can't open a file(%s). %s\n", p->path, strerror(errno));
		return false;
	}
	if (!read_full(p->fd, 0, p->dh, DH_SIZE, p->path))
		return false;
	if (memcmp(p->dh, KDUMP_SIGNATURE, 8)) {
		ERRMSG("%s is not a kdump-compressed file.\n", p->path);
		return false;
	}
	if (!read_full(p->fd, tget32(t, p->dh + 428), p->kh, KH_SIZE, p->path))
		return false;
	if (!tget32(t, p->kh + 12) || tget32(t, p->dh + 8) < 6) {
		ERRMSG("%s is not a split dumpfile (version 6).\n", p->path);
		return false;
	}
	p->start = tget64(t, p->kh + 80);
	p->end = tget64(t, p->kh + 88);
	return true;
}

static int cmp_part(const void *a, const void *b)
{
	const struct part *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

struct rsm {
	struct part *parts;
	int n;
	struct target t;
	struct output out;
	uint32_t bs;
	uint64_t off_bm2, bm_bytes, off_desc, num_dumpable;
	int dump_level;
};

static bool copy_region(struct rsm *r, uint64_t off, uint64_t len)
{
	uint8_t buf[65536];

	while (len) {
		size_t n = (size_t)MIN(len, (uint64_t)sizeof(buf));

		if (!read_full(r->parts[0].fd, off, buf, n, r->parts[0].path) ||
		    !output_write(&r->out, off, buf, n))
			return false;
		off += n;
		len -= n;
	}
	return true;
}

/* Header (first incomplete part, else the last), sub header, notes, bitmaps. */
static bool write_front(struct rsm *r)
{
	const uint8_t *dh = r->parts[r->n - 1].dh;
	uint8_t kh[KH_SIZE];
	uint32_t sub_blocks = tget32(&r->t, r->parts[0].dh + 432);

	for (int i = 0; i < r->n; i++)
		if (tget32(&r->t, r->parts[i].dh + 424) & DUMP_DH_COMPRESSED_INCOMPLETE) {
			dh = r->parts[i].dh;
			break;
		}
	memcpy(kh, r->parts[0].kh, KH_SIZE);
	memset(kh + 12, 0, 4);		/* split */
	memset(kh + 16, 0, 16);		/* start_pfn, end_pfn */
	memset(kh + 80, 0, 16);		/* start_pfn_64, end_pfn_64 */
	r->dump_level = (int)tget32(&r->t, kh + 8);
	r->bm_bytes = (uint64_t)tget32(&r->t, r->parts[0].dh + 436) * r->bs;
	r->off_bm2 = (1 + (uint64_t)sub_blocks) * r->bs + r->bm_bytes / 2;
	r->off_desc = (1 + (uint64_t)sub_blocks) * r->bs + r->bm_bytes;
	return output_write(&r->out, 0, dh, DH_SIZE) &&
	       output_write(&r->out, r->bs, kh, KH_SIZE) &&
	       copy_region(r, (uint64_t)r->bs + KH_SIZE,
			   (uint64_t)sub_blocks * r->bs - KH_SIZE) &&
	       copy_region(r, (1 + (uint64_t)sub_blocks) * r->bs, r->bm_bytes);
}

static bool count_dumpable(struct rsm *r)
{
	uint8_t buf[65536];

	r->num_dumpable = 0;
	for (uint64_t off = 0; off < r->bm_bytes / 2; off += sizeof(buf)) {
		size_t n = (size_t)MIN(r->bm_bytes / 2 - off, (uint64_t)sizeof(buf));

		if (!read_full(r->parts[0].fd, r->off_bm2 + off, buf, n, r->parts[0].path))
			return false;
		for (size_t i = 0; i < n; i++)
			r->num_dumpable += (uint64_t)__builtin_popcount(buf[i]);
	}
	return true;
}

/* Copy the pages of one part, renumbering their data offsets. */
static bool copy_part(struct rsm *r, struct part *p, struct wbuf *desc,
		      struct wbuf *data, uint64_t zero_off, uint8_t *page)
{
	uint64_t idx = 0, zero_desc_size = r->bs;
	uint8_t bm[512], d[PAGE_DESC_SIZE], nd[PAGE_DESC_SIZE];

	for (uint64_t pfn = p->start; pfn < p->end; pfn++) {
		uint64_t off;
		uint32_t size, flags;

		if (pfn == p->start || !(pfn % 4096))
			if (!read_full(r->parts[0].fd, r->off_bm2 + ROUND_DOWN(pfn, 4096) / 8,
				       bm, sizeof(bm), r->parts[0].path))
				return false;
		if (!((bm[(pfn % 4096) / 8] >> (pfn % 8)) & 1))
			continue;
		if (!read_full(p->fd, r->off_desc + idx++ * PAGE_DESC_SIZE, d, sizeof(d),
			       p->path))
			return false;
		off = tget64(&r->t, d);
		size = tget32(&r->t, d + 8);
		flags = tget32(&r->t, d + 12);
		if (!off || size > r->bs) {		/* lost in an incomplete part */
			memset(nd, 0, sizeof(nd));
		} else if ((r->dump_level & DL_EXCLUDE_ZERO) && off == zero_off) {
			kdump_make_desc(&r->t, nd, zero_off, (uint32_t)zero_desc_size, 0);
		} else {
			if (!read_full(p->fd, off, page, size, p->path))
				return false;
			kdump_make_desc(&r->t, nd, data->off + data->len, size, flags);
			if (!wbuf_add(data, page, size))
				return false;
		}
		if (!wbuf_add(desc, nd, sizeof(nd)))
			return false;
	}
	return true;
}

static bool write_pages(struct rsm *r)
{
	uint64_t zero_off = r->off_desc + r->num_dumpable * PAGE_DESC_SIZE;
	uint8_t *page = xcalloc(1, r->bs);
	struct wbuf desc, data;
	bool ok = true;

	wbuf_init(&desc, &r->out, r->off_desc, 256 << 10);
	wbuf_init(&data, &r->out, zero_off, 1 << 20);
	if (r->dump_level & DL_EXCLUDE_ZERO)
		ok = wbuf_add(&data, page, r->bs);
	for (int i = 0; ok && i < r->n; i++)
		ok = copy_part(r, &r->parts[i], &desc, &data, zero_off, page);
	ok = ok && wbuf_flush(&data) && wbuf_flush(&desc);
	wbuf_free(&desc);
	wbuf_free(&data);
	free(page);
	return ok;
}

static bool check_parts(struct rsm *r)
{
	qsort(r->parts, (size_t)r->n, sizeof(*r->parts), cmp_part);
	for (int i = 0; i < r->n; i++) {
		if (r->parts[i].start != (i ? r->parts[i - 1].end : 0)) {
			ERRMSG("%s does not follow the previous file (pfn 0x%llx); the set is incomplete.\n",
			       r->parts[i].path, (unsigned long long)r->parts[i].start);
			return false;
		}
		if (memcmp(r->parts[i].dh, r->parts[0].dh, 424) ||
		    memcmp(r->parts[i].dh + 428, r->parts[0].dh + 428, DH_SIZE - 428)) {
			ERRMSG("%s does not belong to the same dump as %s.\n",
			       r->parts[i].path, r->parts[0].path);
			return false;
		}
	}
	return true;
}

/**
 * reassemble_dumpfile - --reassemble FILE1 FILE2 [...] DUMPFILE.
 */
int reassemble_dumpfile(const struct options *opt)
{
	struct rsm r;
	bool ok = false;

	memset(&r, 0, sizeof(r));
	r.n = opt->nr_files;
	r.parts = xcalloc((size_t)r.n, sizeof(*r.parts));
	r.t.ptr_size = 8;
	for (int i = 0; i < r.n; i++) {
		r.parts[i].path = opt->files[i];
		r.parts[i].fd = -1;
	}
	for (int i = 0; i < r.n; i++) {
		if (!open_part(&r.parts[i], &r.t))
			goto out;
	}
	if (!check_parts(&r))
		goto out;
	r.bs = tget32(&r.t, r.parts[0].dh + 428);
	if (!output_check_path(opt->dumpfile, opt->force) ||
	    !output_open(&r.out, OUT_FILE, opt->dumpfile, opt->force))
		goto out;
	ok = write_front(&r) && count_dumpable(&r) && write_pages(&r);
	ok = output_close(&r.out) && ok;
	if (ok)
		MSG("\nThe dumpfile is saved to %s.\n", opt->dumpfile);
out:
	for (int i = 0; i < r.n; i++)
		if (r.parts[i].fd >= 0)
			close(r.parts[i].fd);
	free(r.parts);
	return ok ? EXIT_COMPLETED : EXIT_FAILED;
}
