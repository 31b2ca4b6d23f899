// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the writer side: kdump header layout at the byte offsets
 * crash and libkdumpfile read, page descriptors, bitmaps, the flattened
 * record format with -R, and every codec round-tripped through its own
 * library's decompressor.
 */
#include <fcntl.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "bitmap.h"
#include "compress.h"
#include "endian.h"
#include "flat.h"
#include "kdump.h"
#include "makedumpfile.h"
#include "output.h"
#include "unit.h"

static char path[] = "/tmp/mdf-test-wr-XXXXXX";

static void test_layout_and_header(void)
{
	struct kdump_layout l;
	struct kdump_info ki = { 0 };
	struct output o;
	uint8_t notes[300], buf[8192];
	int fd;

	memset(notes, 0x5a, sizeof(notes));
	kdump_layout_init(&l, 4096, sizeof(notes), 0x40000);	/* 1 GiB */
	CHECK_EQ(l.sub_hdr_blocks, 1);
	CHECK_EQ(l.bitmap_bytes, 0x8000);
	CHECK_EQ(l.off_bitmap1, 2 * 4096);
	CHECK_EQ(l.off_bitmap2, 2 * 4096 + 0x8000);
	CHECK_EQ(l.off_desc, 2 * 4096 + 0x10000);
	kdump_layout_init(&l, 4096, 4096, 100);		/* notes spill to 2 blocks */
	CHECK_EQ(l.sub_hdr_blocks, 2);
	CHECK_EQ(l.bitmap_bytes, 4096);

	kdump_layout_init(&l, 4096, sizeof(notes), 0x123456789ULL);
	ki.tgt = (struct target){ .be = false, .ptr_size = 8 };
	strcpy(ki.utsname, "Linux");
	strcpy(ki.utsname + 2 * 65, "6.1.0");
	strcpy(ki.utsname + 4 * 65, "x86_64");
	ki.crashtime = 1700000000;
	ki.status = DUMP_DH_COMPRESSED_LZO;
	ki.nr_cpus = 2;
	ki.phys_base = 0x1000000;
	ki.dump_level = 31;
	ki.notes = notes;
	ki.notes_size = sizeof(notes);
	ki.vmcoreinfo_off = 40;
	ki.vmcoreinfo_size = 200;
	unlink(path);
	CHECK(output_open(&o, OUT_FILE, path, false));
	CHECK(kdump_write_headers(&o, &l, &ki));
	CHECK(output_close(&o));
	fd = open(path, O_RDONLY);
	CHECK(read(fd, buf, sizeof(buf)) == 4096 + 104 + 300);
	close(fd);
	CHECK(!memcmp(buf, "KDUMP   ", 8));
	CHECK_EQ(get_le32(buf + 8), 6);
	CHECK(!strcmp((char *)buf + 12, "Linux"));
	CHECK(!strcmp((char *)buf + 12 + 130, "6.1.0"));
	CHECK(!strcmp((char *)buf + 12 + 260, "x86_64"));
	CHECK_EQ(get_le64(buf + 408), 1700000000);
	CHECK_EQ(get_le64(buf + 416), 0);		/* tv_usec must be 0 */
	CHECK_EQ(get_le32(buf + 424), DUMP_DH_COMPRESSED_LZO);
	CHECK_EQ(get_le32(buf + 428), 4096);
	CHECK_EQ(get_le32(buf + 432), 1);
	CHECK_EQ(get_le32(buf + 436), 2 * l.bitmap_bytes / 4096);
	CHECK_EQ(get_le32(buf + 440), 0xffffffffU);	/* clipped 32-bit copy */
	CHECK_EQ(get_le32(buf + 460), 2);
	CHECK_EQ(get_le64(buf + 4096), 0x1000000);
	CHECK_EQ(get_le32(buf + 4096 + 8), 31);
	CHECK_EQ(get_le32(buf + 4096 + 12), 0);
	CHECK_EQ(get_le64(buf + 4096 + 32), 4096 + 104 + 40);
	CHECK_EQ(get_le64(buf + 4096 + 40), 200);
	CHECK_EQ(get_le64(buf + 4096 + 48), 4096 + 104);
	CHECK_EQ(get_le64(buf + 4096 + 56), 300);
	CHECK_EQ(get_le64(buf + 4096 + 96), 0x123456789ULL);
	CHECK(buf[4096 + 104] == 0x5a && buf[4096 + 104 + 299] == 0x5a);
	CHECK(kdump_mark_incomplete(path, &ki.tgt));
	fd = open(path, O_RDONLY);
	CHECK(pread(fd, buf, 4, 424) == 4);
	close(fd);
	CHECK_EQ(get_le32(buf), DUMP_DH_COMPRESSED_LZO | DUMP_DH_COMPRESSED_INCOMPLETE);
	/* an existing file is refused without -f */
	CHECK(!output_check_path(path, false));
	CHECK(output_check_path(path, true));
	unlink(path);

	kdump_make_desc(&ki.tgt, buf, 0x123456, 777, DUMP_DH_COMPRESSED_ZLIB);
	CHECK_EQ(get_le64(buf), 0x123456);
	CHECK_EQ(get_le32(buf + 8), 777);
	CHECK_EQ(get_le32(buf + 12), 1);
	CHECK_EQ(get_le64(buf + 16), 0);
}

static void test_bitmap(void)
{
	struct bitmap bm;

	bitmap_alloc(&bm, 1000);
	bitmap_reset(&bm, 4096, 4096 + 1000);
	bitmap_set_range(&bm, 4000, 4100);		/* clipped at the start */
	CHECK_EQ(bitmap_count(&bm), 4);
	CHECK(bitmap_test(&bm, 4096) && bitmap_test(&bm, 4099) && !bitmap_test(&bm, 4100));
	CHECK_EQ(bm.buf[0], 0x0f);			/* LSB first */
	bitmap_set_range(&bm, 4103, 4900);
	CHECK_EQ(bitmap_count(&bm), 4 + 797);
	bitmap_clear_range(&bm, 4200, 4300);
	CHECK_EQ(bitmap_count(&bm), 4 + 797 - 100);
	CHECK(bitmap_clear(&bm, 4103) && !bitmap_clear(&bm, 4103));
	CHECK_EQ(bitmap_next_set(&bm, 4100), 4104);
	CHECK_EQ(bitmap_next_set(&bm, 4200), 4300);
	CHECK_EQ(bitmap_next_set(&bm, 4900), 4096 + 1000);
	bitmap_free(&bm);
}

static void roundtrip(unsigned int codec, const uint8_t *page, bool expect_compressed)
{
	struct compressor c;
	const uint8_t *out;
	uint32_t len, flags;
	uint8_t back[4096];
	size_t n = sizeof(back);

	CHECK(compressor_init(&c, codec, 4096));
	flags = compress_page(&c, page, &out, &len);
	CHECK_EQ(flags, expect_compressed ? codec : 0);
	if (!flags) {
		CHECK(out == page && len == 4096);
		compressor_fini(&c);
		return;
	}
	CHECK(len < 4096);
	switch (codec) {
	case DUMP_DH_COMPRESSED_ZLIB: {
		uLongf zl = sizeof(back);

		CHECK(uncompress(back, &zl, out, len) == Z_OK);
		n = zl;
		break;
	}
	case DUMP_DH_COMPRESSED_LZO: {
		lzo_uint ll = sizeof(back);

		CHECK(lzo1x_decompress_safe(out, len, back, &ll, NULL) == LZO_E_OK);
		n = ll;
		break;
	}
	case DUMP_DH_COMPRESSED_SNAPPY:
		CHECK(snappy_uncompress((const char *)out, len, (char *)back, &n) ==
		      SNAPPY_OK);
		break;
	case DUMP_DH_COMPRESSED_ZSTD:
		n = ZSTD_decompress(back, sizeof(back), out, len);
		break;
	}
	CHECK_EQ(n, 4096);
	CHECK(!memcmp(back, page, 4096));
	compressor_fini(&c);
}

static void test_codecs(void)
{
	static const unsigned int codecs[] = {
		DUMP_DH_COMPRESSED_ZLIB, DUMP_DH_COMPRESSED_LZO,
		DUMP_DH_COMPRESSED_SNAPPY, DUMP_DH_COMPRESSED_ZSTD,
	};
	uint8_t text[4096], noise[4096];
	uint32_t x = 12345;

	for (int i = 0; i < 4096; i++) {
		text[i] = (uint8_t)"the quick brown fox jumps over the lazy dog "[i % 44];
		x = x * 1103515245 + 12345;
		noise[i] = (uint8_t)(x >> 16);
	}
	for (size_t i = 0; i < ARRAY_SIZE(codecs); i++) {
		roundtrip(codecs[i], text, true);
		roundtrip(codecs[i], noise, false);	/* stored raw */
	}
	roundtrip(0, text, false);
}

/* -F records written through output_write(), rebuilt by flat_rebuild(). */
static void test_flat(void)
{
	char flatpath[] = "/tmp/mdf-test-flat-XXXXXX";
	int ffd = mkstemp(flatpath), saved = dup(STDOUT_FILENO), in;
	struct output o;
	uint8_t buf[128];
	struct stat st;

	fflush(stdout);
	dup2(ffd, STDOUT_FILENO);
	CHECK(output_open(&o, OUT_FLAT, NULL, false));
	CHECK(output_write(&o, 100, "tail", 4));		/* out of order */
	CHECK(output_write(&o, 0, "head", 4));
	CHECK(output_write(&o, 2, "XY", 2));		/* overwrite */
	CHECK(output_close(&o));
	CHECK(write(STDOUT_FILENO, "trailing junk after the end marker", 34) == 34);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(ffd);

	in = open(flatpath, O_RDONLY);
	unlink(path);
	CHECK(flat_rebuild(in, path, false));
	close(in);
	CHECK(stat(path, &st) == 0 && st.st_size == 104 && (st.st_mode & 0777) == 0600);
	in = open(path, O_RDONLY);
	CHECK(read(in, buf, 104) == 104);
	close(in);
	CHECK(!memcmp(buf, "heXY", 4) && !memcmp(buf + 100, "tail", 4) && buf[50] == 0);
	/* truncated stream: no end marker */
	CHECK(truncate(flatpath, 4096 + 16 + 4) == 0);
	in = open(flatpath, O_RDONLY);
	unlink(path);
	CHECK(!flat_rebuild(in, path, false));
	close(in);
	unlink(path);
	unlink(flatpath);
}

int main(void)
{
	int fd = mkstemp(path);

	close(fd);
	msg_set_level(0);
	test_layout_and_header();
	test_bitmap();
	test_codecs();
	test_flat();
	return unit_done("test_writer");
}
