// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util.c - allocation and number parsing helpers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "makedumpfile.h"

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		ERRMSG("Can't allocate memory (%zu bytes).\n", size);
		exit(EXIT_FAILED);
	}
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		ERRMSG("Can't allocate memory (%zu x %zu bytes).\n", n, size);
		exit(EXIT_FAILED);
	}
	return p;
}

/* Whether a page holds only zero bytes (it equals itself shifted by one). */
bool page_is_zero(const uint8_t *page, unsigned int size)
{
	return !page[0] && !memcmp(page, page + 1, size - 1);
}

bool parse_ulong(const char *s, unsigned long *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 0);
	return !errno && !*end;
}

/**
 * parse_size - parse a byte count with an optional K/M/G/T/P/E suffix
 * (powers of 1024, as the kernel's memparse()).
 */
bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	switch (toupper((unsigned char)*end)) {
	case 'E': shift += 10; /* fall through */
	case 'P': shift += 10; /* fall through */
	case 'T': shift += 10; /* fall through */
	case 'G': shift += 10; /* fall through */
	case 'M': shift += 10; /* fall through */
	case 'K': shift += 10; end++; break;
	case '\0': break;
	default: return false;
	}
	if (*end)
		return false;
	if (shift && v > (~0ULL >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

/* Make room for @len more bytes (and a NUL) in @sb. */
static void strbuf_reserve(struct strbuf *sb, size_t len)
{
	size_t cap;

	if (sb->len + len + 1 <= sb->cap)
		return;
	cap = MAX(MAX(sb->cap * 2, sb->len + len + 1), (size_t)4096);
	sb->buf = realloc(sb->buf, cap);
	if (!sb->buf) {
		ERRMSG("Can't allocate %zu bytes of text.\n", cap);
		exit(EXIT_FAILED);
	}
	sb->cap = cap;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_reserve(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	strbuf_reserve(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	memset(sb, 0, sizeof(*sb));
}
