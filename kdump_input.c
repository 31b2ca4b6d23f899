// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdump_input.c - a kdump-compressed file as input.
 *
 * Used to re-filter a dump (ours, upstream makedumpfile's, or QEMU's
 * dump-guest-memory kdump output) and to read the kernel log from one.
 * A flattened file (-F output, QEMU's kdump-* formats) is read in place
 * through an index of its records, without -R first.
 *
 * A page is found as readers do: its pfn must be set in the 2nd bitmap;
 * its descriptor is the N-th, N being the number of set bits before it.
 * Cumulative counts per RANK_BLOCK pfns make that a constant-time lookup;
 * descriptors and page data go through small caches.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bitmap.h"
#include "compress.h"
#include "elf_info.h"
#include "endian.h"
#include "flat.h"
#include "kdump.h"
#include "kdump_input.h"
#include "makedumpfile.h"

#define RANK_BLOCK	4096			/* pfns per rank entry */
#define DESC_CHUNK	170			/* descriptors per read */
#define PAGE_CACHE	64			/* decompressed pages kept */
#define DATA_WINDOW	(1U << 20)

struct kdump_src {
	int fd;
	const char *path;
	bool flat;
	struct flat_index fi;
	struct target tgt;
	uint32_t block_size, header_version, status, sub_hdr_size, bitmap_blocks;
	int32_t nr_cpus, dump_level, split;
	char utsname[UTSNAME_SIZE];
	int64_t tv_sec;
	uint64_t max_mapnr, phys_base;
	uint64_t off_bitmap1, off_bitmap2, off_desc;
	uint64_t *rank;
	uint8_t chunk[RANK_BLOCK / 8];		/* one block of the 2nd bitmap */
	uint64_t chunk_blk;
	bool chunk_valid;
	uint8_t desc[DESC_CHUNK * PAGE_DESC_SIZE];
	uint64_t desc_first;
	bool desc_valid;
	uint64_t cache_pfn[PAGE_CACHE];
	uint8_t *cache;				/* PAGE_CACHE pages */
	uint8_t *cbuf;				/* one stored page */
	uint8_t *win;				/* data read-ahead */
	uint64_t win_off;
	size_t win_len;
	char *vmcoreinfo;			/* header v3 only, no notes */
	unsigned int sub_shift;			/* log2(block_size / page size) */
};

static bool lread(struct kdump_src *kd, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (kd->flat) {
		if (flat_index_read(kd->fd, &kd->fi, off, buf, len))
			return true;
		goto fail;
	}
	while (len) {
		ssize_t n = pread(kd->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return true;
fail:
	ERRMSG("Can't read %s at 0x%llx: the file is truncated or unreadable.\n",
	       kd->path, (unsigned long long)off);
	return false;
}

/* Page data is mostly read in file order: serve it from a window. */
static bool lread_data(struct kdump_src *kd, uint64_t off, void *buf, size_t len)
{
	if (off < kd->win_off || off + len > kd->win_off + kd->win_len) {
		size_t n = DATA_WINDOW;

		if (len > n)
			return lread(kd, off, buf, len);
		if (!kd->flat) {
			ssize_t got = pread(kd->fd, kd->win, n, (off_t)off);

			if (got < (ssize_t)len)
				return lread(kd, off, buf, len);
			n = (size_t)got;
		} else if (!lread(kd, off, kd->win, n)) {
			return false;
		}
		kd->win_off = off;
		kd->win_len = n;
	}
	memcpy(buf, kd->win + (off - kd->win_off), len);
	return true;
}

bool kdump_input_probe(const uint8_t *head, size_t len)
{
	return len >= 8 && !memcmp(head, KDUMP_SIGNATURE, 8);
}

static const struct {
	const char *name;
	uint16_t machine;
} machines[] = {
	{ "x86_64", EM_X86_64 }, { "aarch64", EM_AARCH64 }, { "ppc64le", EM_PPC64 },
	{ "ppc64", EM_PPC64 }, { "s390x", EM_S390 }, { "riscv64", EM_RISCV },
};

static bool parse_header(struct kdump_src *kd, const uint8_t *h)
{
	struct target *t = &kd->tgt;

	t->ptr_size = 8;
	t->be = false;
	if (get_le32(h + 8) == 0 || get_le32(h + 8) > 0xffff)
		t->be = true;
	kd->header_version = tget32(t, h + 8);
	memcpy(kd->utsname, h + 12, UTSNAME_SIZE);
	kd->tv_sec = (int64_t)tget64(t, h + 408);
	kd->status = tget32(t, h + 424);
	kd->block_size = tget32(t, h + 428);
	kd->sub_hdr_size = tget32(t, h + 432);
	kd->bitmap_blocks = tget32(t, h + 436);
	kd->max_mapnr = tget32(t, h + 440);
	kd->nr_cpus = (int32_t)tget32(t, h + 460);
	if (kd->block_size < 1024 || kd->block_size > (1U << 18) ||
	    (kd->block_size & (kd->block_size - 1))) {
		ERRMSG("%s: unsupported kdump header (block size %u; 32-bit dumps are not supported).\n",
		       kd->path, kd->block_size);
		return false;
	}
	return true;
}

static bool parse_sub_header(struct kdump_src *kd, struct vmcore *vc)
{
	const struct target *t = &kd->tgt;
	uint8_t s[104];
	uint64_t off_note = 0, size_note = 0, off_vi = 0, size_vi = 0;

	memset(s, 0, sizeof(s));
	if (kd->header_version >= 1 && !lread(kd, kd->block_size, s, sizeof(s)))
		return false;
	kd->phys_base = tget64(t, s);
	kd->dump_level = (int32_t)tget32(t, s + 8);
	kd->split = kd->header_version >= 2 ? (int32_t)tget32(t, s + 12) : 0;
	if (kd->header_version >= 3) {
		off_vi = tget64(t, s + 32);
		size_vi = tget64(t, s + 40);
	}
	if (kd->header_version >= 4) {
		off_note = tget64(t, s + 48);
		size_note = tget64(t, s + 56);
	}
	if (kd->header_version >= 6)
		kd->max_mapnr = tget64(t, s + 96);
	if (kd->split) {
		ERRMSG("%s is one file of a split dump; --reassemble the set first.\n",
		       kd->path);
		return false;
	}
	if (size_note && size_note < (64U << 20)) {
		vc->notes = xmalloc((size_t)size_note + 1);
		vc->notes_size = (size_t)size_note;
		if (!lread(kd, off_note, vc->notes, (size_t)size_note))
			return false;
	} else if (size_vi && size_vi < (1U << 20)) {
		kd->vmcoreinfo = xmalloc((size_t)size_vi + 1);
		if (!lread(kd, off_vi, kd->vmcoreinfo, (size_t)size_vi))
			return false;
		vc->vmcoreinfo = kd->vmcoreinfo;
		vc->vmcoreinfo_size = (size_t)size_vi;
	}
	return true;
}

/* Cumulative count of dumpable pages before each RANK_BLOCK of pfns. */
static bool build_rank(struct kdump_src *kd)
{
	uint64_t nblk = DIV_ROUND_UP(kd->max_mapnr, RANK_BLOCK), total = 0;
	uint8_t *buf = xmalloc(64 * (RANK_BLOCK / 8));
	bool ok = true;

	kd->rank = xcalloc((size_t)nblk + 1, sizeof(*kd->rank));
	for (uint64_t b = 0; b < nblk && ok; b += 64) {
		uint64_t n = MIN(64, nblk - b);

		ok = lread(kd, kd->off_bitmap2 + b * (RANK_BLOCK / 8), buf,
			   (size_t)(n * (RANK_BLOCK / 8)));
		for (uint64_t i = 0; ok && i < n; i++) {
			const uint8_t *p = buf + i * (RANK_BLOCK / 8);

			kd->rank[b + i] = total;
			for (unsigned int j = 0; j < RANK_BLOCK / 8; j++)
				total += (uint64_t)__builtin_popcount(p[j]);
		}
	}
	kd->rank[nblk] = total;
	free(buf);
	return ok;
}

static bool layout(struct kdump_src *kd)
{
	uint64_t bs = kd->block_size;
	uint64_t len = (uint64_t)kd->bitmap_blocks * bs;
	uint64_t half = ROUND_UP(DIV_ROUND_UP(kd->max_mapnr, 8), bs);

	kd->off_bitmap1 = (1 + (uint64_t)kd->sub_hdr_size) * bs;
	/* two bitmaps (exists, dumpable), or one for both (old files) */
	kd->off_bitmap2 = len >= 2 * half ? kd->off_bitmap1 + len / 2 : kd->off_bitmap1;
	kd->off_desc = kd->off_bitmap1 + len;
	if (len < DIV_ROUND_UP(kd->max_mapnr, 8)) {
		ERRMSG("%s is corrupt: its bitmap (%llu bytes) is too small for %llu pages.\n",
		       kd->path, (unsigned long long)len,
		       (unsigned long long)kd->max_mapnr);
		return false;
	}
	return build_rank(kd);
}

static void set_machine(struct vmcore *vc, const struct kdump_src *kd)
{
	const char *m = kd->utsname + 4 * NEW_UTS_LEN;

	vc->machine = EM_NONE;
	for (size_t i = 0; i < ARRAY_SIZE(machines); i++)
		if (!strncmp(m, machines[i].name, NEW_UTS_LEN))
			vc->machine = machines[i].machine;
}

/**
 * kdump_infer_machine - the architecture of a dump whose header does not
 * name it (QEMU's aarch64 dumps say "Unknown"), from its VMCOREINFO.
 */
void kdump_infer_machine(struct vmcore *vc)
{
	const char *vi = vc->vmcoreinfo;
	size_t len = vc->vmcoreinfo_size;

	if (vc->machine != EM_NONE || !vi)
		return;
	if (memmem(vi, len, "NUMBER(kimage_voffset)=", 23))
		vc->machine = EM_AARCH64;
	else if (memmem(vi, len, "SYMBOL(init_top_pgt)=", 21) ||
		 memmem(vi, len, "SYMBOL(init_level4_pgt)=", 24))
		vc->machine = EM_X86_64;
	if (vc->machine != EM_NONE)
		DEBUG_MSG("%s: the header names no machine; %s by its VMCOREINFO\n", vc->kd->path,
			  vc->machine == EM_AARCH64 ? "aarch64" : "x86_64");
}

/**
 * kdump_input_open - open @vc->fd (already open) as a kdump-compressed file.
 * @head: the first bytes of the file (to tell flattened from plain)
 */
bool kdump_input_open(struct vmcore *vc, const uint8_t *head, size_t len)
{
	struct kdump_src *kd = xcalloc(1, sizeof(*kd));
	uint8_t h[464];

	vc->kd = kd;
	kd->fd = vc->fd;
	kd->path = vc->path;
	if (flat_is_header(head, len)) {
		kd->flat = true;
		if (!flat_index_build(kd->fd, kd->path, &kd->fi))
			return false;
	}
	if (!lread(kd, 0, h, sizeof(h)))
		return false;
	if (memcmp(h, KDUMP_SIGNATURE, 8)) {
		ERRMSG("%s is flattened but holds no kdump-compressed file (flattened ELF: rebuild it with -R first).\n",
		       kd->path);
		return false;
	}
	if (!parse_header(kd, h) || !parse_sub_header(kd, vc) || !layout(kd))
		return false;
	vc->tgt = kd->tgt;
	vc->elf_class = ELFCLASS64;
	set_machine(vc, kd);
	vc->e_type = ET_CORE;
	kd->cache = xmalloc((size_t)PAGE_CACHE * kd->block_size);
	for (int i = 0; i < PAGE_CACHE; i++)
		kd->cache_pfn[i] = UINT64_MAX;
	kd->cbuf = xmalloc(kd->block_size);
	kd->win = xmalloc(DATA_WINDOW);
	DEBUG_MSG("%s: kdump-compressed%s, header v%u, dump_level %d, max_mapnr 0x%llx, %llu pages\n",
		  kd->path, kd->flat ? " (flattened)" : "", kd->header_version,
		  kd->dump_level, (unsigned long long)kd->max_mapnr,
		  (unsigned long long)kd->rank[DIV_ROUND_UP(kd->max_mapnr, RANK_BLOCK)]);
	if (kd->status & DUMP_DH_COMPRESSED_INCOMPLETE)
		MSG("WARNING: %s is flagged incomplete; pages missing from it stay missing.\n",
		    kd->path);
	return true;
}

void kdump_input_close(struct vmcore *vc)
{
	struct kdump_src *kd = vc->kd;

	if (!kd)
		return;
	flat_index_free(&kd->fi);
	free(kd->rank);
	free(kd->cache);
	free(kd->cbuf);
	free(kd->win);
	free(kd->vmcoreinfo);
	free(kd);
	vc->kd = NULL;
}

static bool load_chunk(struct kdump_src *kd, uint64_t blk)
{
	if (kd->chunk_valid && kd->chunk_blk == blk)
		return true;
	if (!lread(kd, kd->off_bitmap2 + blk * (RANK_BLOCK / 8), kd->chunk,
		   sizeof(kd->chunk)))
		return false;
	kd->chunk_blk = blk;
	kd->chunk_valid = true;
	return true;
}

/* Descriptor index of a dumpable pfn, or false if it has no data. */
static bool desc_index(struct kdump_src *kd, uint64_t pfn, uint64_t *idx)
{
	uint64_t blk = pfn / RANK_BLOCK, bit = pfn % RANK_BLOCK, n = 0;

	if (pfn >= kd->max_mapnr || !load_chunk(kd, blk))
		return false;
	if (!((kd->chunk[bit / 8] >> (bit % 8)) & 1))
		return false;
	for (uint64_t i = 0; i < bit / 8; i++)
		n += (uint64_t)__builtin_popcount(kd->chunk[i]);
	n += (uint64_t)__builtin_popcount(kd->chunk[bit / 8] & ((1u << (bit % 8)) - 1));
	*idx = kd->rank[blk] + n;
	return true;
}

static const uint8_t *get_desc(struct kdump_src *kd, uint64_t idx)
{
	if (!kd->desc_valid || idx < kd->desc_first || idx >= kd->desc_first + DESC_CHUNK) {
		uint64_t first = idx - idx % DESC_CHUNK;
		uint64_t total = kd->rank[DIV_ROUND_UP(kd->max_mapnr, RANK_BLOCK)];
		uint64_t n = MIN((uint64_t)DESC_CHUNK, total - first);

		if (!lread(kd, kd->off_desc + first * PAGE_DESC_SIZE, kd->desc,
			   (size_t)(n * PAGE_DESC_SIZE)))
			return NULL;
		kd->desc_first = first;
		kd->desc_valid = true;
	}
	return kd->desc + (idx - kd->desc_first) * PAGE_DESC_SIZE;
}

/* The contents of block @pfn of the file, or NULL if it lacks it. */
static const uint8_t *read_block(struct vmcore *vc, uint64_t pfn)
{
	struct kdump_src *kd = vc->kd;
	unsigned int slot = (unsigned int)(pfn % PAGE_CACHE);
	uint8_t *page = kd->cache + (size_t)slot * kd->block_size;
	const uint8_t *d;
	uint64_t idx, off;
	uint32_t size, flags;

	if (kd->cache_pfn[slot] == pfn)
		return page;
	if (!desc_index(kd, pfn, &idx) || !(d = get_desc(kd, idx)))
		return NULL;
	off = tget64(&kd->tgt, d);
	size = tget32(&kd->tgt, d + 8);
	flags = tget32(&kd->tgt, d + 12);
	if (!off || !size || size > kd->block_size) {
		DEBUG_MSG("%s: pfn 0x%llx has no valid descriptor (offset 0x%llx, size %u).\n",
			  kd->path, (unsigned long long)pfn, (unsigned long long)off, size);
		return NULL;
	}
	kd->cache_pfn[slot] = UINT64_MAX;
	if (!lread_data(kd, off, kd->cbuf, size) ||
	    !decompress_page(flags, kd->cbuf, size, page, kd->block_size)) {
		ERRMSG("%s: can't read or decompress the page of pfn 0x%llx.\n", kd->path,
		       (unsigned long long)pfn);
		return NULL;
	}
	kd->cache_pfn[slot] = pfn;
	return page;
}

/**
 * kdump_read_page - the contents of @pfn (in pages of the size set with
 * kdump_set_page_size()), or NULL if the dump lacks it (excluded, out of
 * range, or lost in an incomplete dump).
 */
const uint8_t *kdump_read_page(struct vmcore *vc, uint64_t pfn)
{
	unsigned int s = vc->kd->sub_shift;
	const uint8_t *block = read_block(vc, pfn >> s);

	return block ? block + (pfn & ((1ULL << s) - 1)) * (vc->kd->block_size >> s) : NULL;
}

/**
 * kdump_set_page_size - the dumped kernel's page size, from VMCOREINFO.
 *
 * QEMU writes aarch64 dumps in 64 KiB blocks whatever the guest's page size;
 * pfns, bitmaps and max_mapnr are then given in pages of @page_size.
 * Return: false after an error if the blocks are not whole pages.
 */
bool kdump_set_page_size(struct vmcore *vc, unsigned int page_size)
{
	struct kdump_src *kd = vc->kd;

	if (page_size > kd->block_size || kd->block_size % page_size) {
		ERRMSG("%s: its blocks of %u bytes are not made of %u-byte pages.\n",
		       kd->path, kd->block_size, page_size);
		return false;
	}
	kd->sub_shift = (unsigned int)__builtin_ctz(kd->block_size / page_size);
	if (kd->sub_shift)
		DEBUG_MSG("%s: %u-byte blocks of %u pages each\n", kd->path, kd->block_size,
			  1u << kd->sub_shift);
	return true;
}

bool kdump_read_phys(struct vmcore *vc, uint64_t paddr, void *buf, size_t len)
{
	uint32_t bs = vc->kd->block_size;
	uint8_t *p = buf;

	while (len) {
		const uint8_t *page = read_block(vc, paddr / bs);
		size_t in = (size_t)(paddr % bs), n = MIN(len, (size_t)bs - in);

		if (!page)
			return false;
		memcpy(p, page + in, n);
		p += n;
		paddr += n;
		len -= n;
	}
	return true;
}

static bool read_window(struct kdump_src *kd, uint64_t base, struct bitmap *bm)
{
	size_t n = bitmap_bytes(bm);
	uint64_t tail = bm->end_pfn - bm->start_pfn;

	if (!lread(kd, base + bm->start_pfn / 8, bm->buf, n))
		return false;
	if (tail % 8)
		bm->buf[n - 1] &= (uint8_t)((1u << (tail % 8)) - 1);
	return true;
}

/* read_window() for a file whose blocks hold 1 << @s pages each */
static bool read_window_blocks(struct kdump_src *kd, uint64_t base, struct bitmap *bm,
			       unsigned int s)
{
	uint64_t b0 = bm->start_pfn >> s, b1 = DIV_ROUND_UP(bm->end_pfn, 1ULL << s);
	size_t n = (size_t)(DIV_ROUND_UP(b1, 8) - b0 / 8);
	uint8_t *buf = xmalloc(n);
	bool ok = lread(kd, base + b0 / 8, buf, n);

	for (uint64_t b = b0; ok && b < b1; b++) {
		uint64_t i = b - b0 / 8 * 8;

		if ((buf[i / 8] >> (i % 8)) & 1)
			bitmap_set_range(bm, MAX(b << s, bm->start_pfn),
					 MIN((b + 1) << s, bm->end_pfn));
	}
	free(buf);
	return ok;
}

/* The new dump starts from the old one's bitmaps. */
bool kdump_fill_bitmaps(struct vmcore *vc, struct bitmap *bm1, struct bitmap *bm2)
{
	struct kdump_src *kd = vc->kd;

	if (kd->sub_shift)
		return read_window_blocks(kd, kd->off_bitmap1, bm1, kd->sub_shift) &&
		       read_window_blocks(kd, kd->off_bitmap2, bm2, kd->sub_shift);
	return read_window(kd, kd->off_bitmap1, bm1) && read_window(kd, kd->off_bitmap2, bm2);
}

/* The number of pages the dump spans. */
uint64_t kdump_max_mapnr(const struct vmcore *vc)
{
	return vc->kd->max_mapnr << vc->kd->sub_shift;
}

int kdump_dump_level(const struct vmcore *vc)
{
	return vc->kd->dump_level;
}

uint32_t kdump_block_size(const struct vmcore *vc)
{
	return vc->kd->block_size;
}

uint64_t kdump_phys_base(const struct vmcore *vc)
{
	return vc->kd->phys_base;
}

int64_t kdump_timestamp(const struct vmcore *vc)
{
	return vc->kd->tv_sec;
}

const char *kdump_utsname(const struct vmcore *vc)
{
	return vc->kd->utsname;
}
