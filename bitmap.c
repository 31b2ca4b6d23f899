// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bitmap.c - the cycle window of the 1st (exists) and 2nd (dumpable)
 * bitmaps.  Memory use is fixed by the cycle size, not by the dumped
 * machine's RAM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bitmap.h"
#include "makedumpfile.h"

void bitmap_alloc(struct bitmap *bm, uint64_t cap_pfns)
{
	bm->cap_pfns = ROUND_UP(cap_pfns, 64);
	bm->buf = xcalloc((size_t)(bm->cap_pfns / 8), 1);
	bm->map_len = 0;
	bm->start_pfn = bm->end_pfn = 0;
}

/**
 * bitmap_alloc_file - back the window with an unlinked file in @dir, so
 * that a whole large bitmap can live on disk (--work-dir) in one cycle.
 */
bool bitmap_alloc_file(struct bitmap *bm, uint64_t cap_pfns, const char *dir)
{
	char path[4096];
	size_t len;
	void *m;
	int fd;

	bm->cap_pfns = ROUND_UP(cap_pfns, 64);
	len = (size_t)(bm->cap_pfns / 8);
	snprintf(path, sizeof(path), "%s/kdump_bitmapXXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		ERRMSG("Can't open the bitmap file(%s). %s\n", path, strerror(errno));
		return false;
	}
	unlink(path);
	if (ftruncate(fd, (off_t)len) < 0) {
		ERRMSG("Can't size the bitmap file in %s. %s\n", dir, strerror(errno));
		close(fd);
		return false;
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		ERRMSG("Can't map the bitmap file in %s. %s\n", dir, strerror(errno));
		return false;
	}
	bm->buf = m;
	bm->map_len = len;
	bm->start_pfn = bm->end_pfn = 0;
	return true;
}

void bitmap_free(struct bitmap *bm)
{
	if (bm->map_len)
		munmap(bm->buf, bm->map_len);
	else
		free(bm->buf);
	bm->buf = NULL;
	bm->map_len = 0;
}

size_t bitmap_bytes(const struct bitmap *bm)
{
	return (size_t)DIV_ROUND_UP(bm->end_pfn - bm->start_pfn, 8);
}

void bitmap_reset(struct bitmap *bm, uint64_t start_pfn, uint64_t end_pfn)
{
	bm->start_pfn = start_pfn;
	bm->end_pfn = end_pfn;
	memset(bm->buf, 0, (size_t)(bm->cap_pfns / 8));
}

static void set_or_clear(struct bitmap *bm, uint64_t start, uint64_t end, bool set)
{
	start = MAX(start, bm->start_pfn);
	end = MIN(end, bm->end_pfn);
	while (start < end && ((start - bm->start_pfn) & 7)) {
		uint64_t i = start - bm->start_pfn;

		if (set)
			bm->buf[i >> 3] |= (uint8_t)(1u << (i & 7));
		else
			bm->buf[i >> 3] &= (uint8_t)~(1u << (i & 7));
		start++;
	}
	if (end - start >= 8 && start < end) {
		uint64_t n = (end - start) / 8;

		memset(bm->buf + ((start - bm->start_pfn) >> 3), set ? 0xff : 0,
		       (size_t)n);
		start += n * 8;
	}
	for (; start < end; start++) {
		uint64_t i = start - bm->start_pfn;

		if (set)
			bm->buf[i >> 3] |= (uint8_t)(1u << (i & 7));
		else
			bm->buf[i >> 3] &= (uint8_t)~(1u << (i & 7));
	}
}

void bitmap_set_range(struct bitmap *bm, uint64_t start, uint64_t end)
{
	set_or_clear(bm, start, end, true);
}

void bitmap_clear_range(struct bitmap *bm, uint64_t start, uint64_t end)
{
	set_or_clear(bm, start, end, false);
}

uint64_t bitmap_count(const struct bitmap *bm)
{
	size_t n = bitmap_bytes(bm);
	uint64_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += (uint64_t)__builtin_popcount(bm->buf[i]);
	return c;
}

/* Set bits for pfns in [start, end), clipped to the window. */
uint64_t bitmap_count_range(const struct bitmap *bm, uint64_t start, uint64_t end)
{
	uint64_t n = 0;

	start = MAX(start, bm->start_pfn);
	end = MIN(end, bm->end_pfn);
	for (uint64_t pfn = start; pfn < end && ((pfn - bm->start_pfn) & 7); pfn++)
		n += bitmap_test(bm, pfn);
	start = MIN(end, bm->start_pfn + ROUND_UP(start - bm->start_pfn, 8));
	for (; start + 8 <= end; start += 8)
		n += (uint64_t)__builtin_popcount(bm->buf[(start - bm->start_pfn) >> 3]);
	for (; start < end; start++)
		n += bitmap_test(bm, start);
	return n;
}

/* The first set pfn at or after @pfn, or end_pfn if none. */
uint64_t bitmap_next_set(const struct bitmap *bm, uint64_t pfn)
{
	uint64_t i = pfn - bm->start_pfn, n = bm->end_pfn - bm->start_pfn;

	while (i < n) {
		uint8_t b = bm->buf[i >> 3] >> (i & 7);

		if (b)
			return bm->start_pfn + i + (uint64_t)__builtin_ctz(b);
		i = (i | 7) + 1;
		/* skip whole zero 64-bit words */
		while (!(i & 63) && i + 64 <= n) {
			uint64_t w;

			memcpy(&w, bm->buf + (i >> 3), 8);
			if (w)
				break;
			i += 64;
		}
	}
	return bm->end_pfn;
}
