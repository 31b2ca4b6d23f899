// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * compress.c - compress one page at a time, as the kdump format stores it.
 *
 * zlib and zstd run at level 1 and lzo is lzo1x_1, as upstream.  The
 * zlib stream is reset, not re-created, for each page.  A page is stored
 * compressed only when the result is smaller than a page; otherwise it is
 * stored raw (flags 0), which readers require to be exactly page-sized.
 */
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "compress.h"
#include "makedumpfile.h"

const char *codec_name(unsigned int codec)
{
	switch (codec) {
	case DUMP_DH_COMPRESSED_ZLIB: return "zlib";
	case DUMP_DH_COMPRESSED_LZO: return "lzo";
	case DUMP_DH_COMPRESSED_SNAPPY: return "snappy";
	case DUMP_DH_COMPRESSED_ZSTD: return "zstd";
	default: return "none";
	}
}

bool compressor_init(struct compressor *c, unsigned int codec,
		     unsigned int page_size)
{
	memset(c, 0, sizeof(*c));
	c->codec = codec;
	c->page_size = page_size;
	switch (codec) {
	case 0:
		return true;
	case DUMP_DH_COMPRESSED_ZLIB: {
		z_stream *z = xcalloc(1, sizeof(*z));

		if (deflateInit(z, Z_BEST_SPEED) != Z_OK) {
			free(z);
			ERRMSG("Can't initialize the zlib stream.\n");
			return false;
		}
		c->state = z;
		c->out_cap = compressBound(page_size);
		break;
	}
	case DUMP_DH_COMPRESSED_LZO:
		if (lzo_init() != LZO_E_OK) {
			ERRMSG("Can't initialize lzo.\n");
			return false;
		}
		c->state = xmalloc(LZO1X_1_MEM_COMPRESS);
		c->out_cap = page_size + page_size / 16 + 64 + 3;
		break;
	case DUMP_DH_COMPRESSED_SNAPPY:
		c->out_cap = snappy_max_compressed_length(page_size);
		break;
	case DUMP_DH_COMPRESSED_ZSTD:
		c->state = ZSTD_createCCtx();
		if (!c->state) {
			ERRMSG("Can't allocate ZSTD_CCtx.\n");
			return false;
		}
		c->out_cap = ZSTD_compressBound(page_size);
		break;
	default:
		ERRMSG("Unknown compression 0x%x.\n", codec);
		return false;
	}
	c->out = xmalloc(c->out_cap);
	return true;
}

void compressor_fini(struct compressor *c)
{
	if (c->codec == DUMP_DH_COMPRESSED_ZLIB && c->state)
		deflateEnd(c->state);
	if (c->codec == DUMP_DH_COMPRESSED_ZSTD)
		ZSTD_freeCCtx(c->state);
	else
		free(c->state);
	free(c->out);
	memset(c, 0, sizeof(*c));
}

static bool zlib_page(struct compressor *c, const uint8_t *in, uint8_t *dst,
		      size_t *len)
{
	z_stream *z = c->state;

	if (deflateReset(z) != Z_OK)
		return false;
	z->next_in = (Bytef *)in;
	z->avail_in = c->page_size;
	z->next_out = dst;
	z->avail_out = (uInt)c->out_cap;
	if (deflate(z, Z_FINISH) != Z_STREAM_END)
		return false;
	*len = c->out_cap - z->avail_out;
	return true;
}

/**
 * compress_page_to - compress one page into @dst (c->out_cap bytes).
 *
 * Return: the descriptor flag (a DUMP_DH_COMPRESSED_* bit) with *@len the
 * compressed size, or 0 when the page is to be stored raw (the result
 * would not be smaller than a page).
 */
uint32_t compress_page_to(struct compressor *c, const uint8_t *page, uint8_t *dst,
			  uint32_t *len)
{
	size_t n = c->out_cap;
	bool ok = false;

	switch (c->codec) {
	case DUMP_DH_COMPRESSED_ZLIB:
		ok = zlib_page(c, page, dst, &n);
		break;
	case DUMP_DH_COMPRESSED_LZO: {
		lzo_uint ln = n;

		ok = lzo1x_1_compress(page, c->page_size, dst, &ln, c->state) ==
		     LZO_E_OK;
		n = ln;
		break;
	}
	case DUMP_DH_COMPRESSED_SNAPPY:
		ok = snappy_compress((const char *)page, c->page_size, (char *)dst,
				     &n) == SNAPPY_OK;
		break;
	case DUMP_DH_COMPRESSED_ZSTD:
		n = ZSTD_compressCCtx(c->state, dst, c->out_cap, page, c->page_size, 1);
		ok = !ZSTD_isError(n);
		break;
	default:
		break;
	}
	if (ok && n < c->page_size) {
		*len = (uint32_t)n;
		return c->codec;
	}
	*len = c->page_size;
	return 0;
}

/**
 * compress_page - compress one page into the compressor's own buffer.
 * @out, @len: out: the bytes to store (*@out is @page when stored raw)
 */
uint32_t compress_page(struct compressor *c, const uint8_t *page,
		       const uint8_t **out, uint32_t *len)
{
	uint32_t flags = c->codec ? compress_page_to(c, page, c->out, len) : 0;

	if (!flags)
		*len = c->page_size;
	*out = flags ? c->out : page;
	return flags;
}

/**
 * decompress_page - expand one stored page; it must give exactly a page.
 * @flags: the page descriptor's flags (one DUMP_DH_COMPRESSED_* bit or 0)
 */
bool decompress_page(unsigned int flags, const uint8_t *in, uint32_t len,
		     uint8_t *out, unsigned int page_size)
{
	if (flags & DUMP_DH_COMPRESSED_ZLIB) {
		uLongf n = page_size;

		return uncompress(out, &n, in, len) == Z_OK && n == page_size;
	}
	if (flags & DUMP_DH_COMPRESSED_LZO) {
		lzo_uint n = page_size;

		return lzo1x_decompress_safe(in, len, out, &n, NULL) == LZO_E_OK &&
		       n == page_size;
	}
	if (flags & DUMP_DH_COMPRESSED_SNAPPY) {
		size_t n = page_size;

		return snappy_uncompress((const char *)in, len, (char *)out, &n) ==
		       SNAPPY_OK && n == page_size;
	}
	if (flags & DUMP_DH_COMPRESSED_ZSTD)
		return ZSTD_decompress(out, page_size, in, len) == page_size;
	if (len != page_size)
		return false;
	memcpy(out, in, page_size);
	return true;
}
