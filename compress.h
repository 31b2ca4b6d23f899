/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compress.h - per-page compression with zlib, lzo, snappy or zstd.
 */
#ifndef MDF_COMPRESS_H
#define MDF_COMPRESS_H

#include <stdbool.h>
#include <stdint.h>

/* These equal the kdump header and page descriptor flag bits. */
#define DUMP_DH_COMPRESSED_ZLIB		0x1
#define DUMP_DH_COMPRESSED_LZO		0x2
#define DUMP_DH_COMPRESSED_SNAPPY	0x4
#define DUMP_DH_COMPRESSED_INCOMPLETE	0x8
#define DUMP_DH_EXCLUDED_VMEMMAP	0x10
#define DUMP_DH_COMPRESSED_ZSTD		0x20

struct compressor {
	unsigned int codec;	/* one DUMP_DH_COMPRESSED_* bit, or 0 */
	unsigned int page_size;
	uint8_t *out;
	size_t out_cap;
	void *state;		/* z_stream, lzo work memory or ZSTD_CCtx */
};

bool compressor_init(struct compressor *c, unsigned int codec,
		     unsigned int page_size);
void compressor_fini(struct compressor *c);
uint32_t compress_page(struct compressor *c, const uint8_t *page,
		       const uint8_t **out, uint32_t *len);
uint32_t compress_page_to(struct compressor *c, const uint8_t *page, uint8_t *dst,
			  uint32_t *len);
const char *codec_name(unsigned int codec);
bool decompress_page(unsigned int flags, const uint8_t *in, uint32_t len,
		     uint8_t *out, unsigned int page_size);

#endif /* MDF_COMPRESS_H */
