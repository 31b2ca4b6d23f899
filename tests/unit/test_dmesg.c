// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for dmesg.c: the three printk formats, written into small ELF
 * cores the way the kernel writes them, read back through --dump-dmesg.
 *
 * Each test starts from a plain list of messages.  A little simulation of
 * the kernel (log_store() of 3.5-5.9, prb_reserve()/data_alloc() of 5.10+,
 * the character ring before 3.5) puts them in the buffer, dropping the
 * oldest when it is full, and says which survive; the expected text is
 * printed from the surviving messages with a plain printf, never from the
 * buffer.  The line format itself is checked against literal strings.
 *
 * Memory: the kernel image (init_top_pgt, the printk variables and static
 * buffers) at physical 16 MiB, linked at 0xffffffff81000000, and 2 MiB of
 * RAM at physical 2 MiB reached through the direct map (real page tables:
 * PGD -> PUD -> 2 MiB PMD leaf), where dynamically allocated log buffers
 * go.
 */
#include <stdarg.h>

#include "dmesg.h"
#include "introspect.h"
#include "kernel.h"
#include "makedumpfile.h"
#include "options.h"
#include "elfbuild.h"
#include "unit.h"

#define IMG_PA		0x1000000ULL
#define IMG_VA		0xffffffff81000000ULL
#define IMG_SIZE	0x100000ULL
#define RAM_PA		0x200000ULL
#define DIRECT_MAP	0xffff888000000000ULL
#define RAM_VA		(DIRECT_MAP + RAM_PA)
#define RAM_SIZE	0x200000ULL

struct core {
	struct elfbuild eb;
	uint8_t *img, *ram;
	uint64_t img_next, ram_next;	/* bump allocators (offsets) */
	char vmci[8192];
	size_t vlen;
};

static char vmcore_path[] = "/tmp/mdf-test-dmesg-XXXXXX";
static char log_path[] = "/tmp/mdf-test-dmesg-log-XXXXXX";

static void key(struct core *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void key(struct core *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	c->vlen += (size_t)vsnprintf(c->vmci + c->vlen, sizeof(c->vmci) - c->vlen, fmt, ap);
	va_end(ap);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);	/* the test host is little-endian like the core */
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/* Space in the kernel image (static variables); returns its address. */
static uint64_t img_alloc(struct core *c, uint64_t size, uint8_t **p)
{
	uint64_t off = ROUND_UP(c->img_next, 64);

	c->img_next = off + size;
	*p = c->img + off;
	return IMG_VA + off;
}

/* Space in the direct map (memblock/kmalloc); returns its address. */
static uint64_t ram_alloc(struct core *c, uint64_t size, uint8_t **p)
{
	uint64_t off = ROUND_UP(c->ram_next, 64);

	c->ram_next = off + size;
	*p = c->ram + off;
	return RAM_VA + off;
}

static void core_init(struct core *c, const char *release)
{
	uint8_t *pgd, *pud, *pmd, *mm;
	uint64_t pgd_va, pud_va, pmd_va, mm_va;

	memset(c, 0, sizeof(*c));
	eb_init(&c->eb);
	c->img = eb_load(&c->eb, IMG_PA, IMG_VA, IMG_SIZE, IMG_SIZE);
	c->ram = eb_load(&c->eb, RAM_PA, RAM_VA, RAM_SIZE, RAM_SIZE);
	pgd_va = img_alloc(c, 4096, &pgd);
	pud_va = img_alloc(c, 4096, &pud);
	pmd_va = img_alloc(c, 4096, &pmd);
	/* direct map of [0, 1 GiB): PGD[273] -> PUD[0] -> PMD[1] = 2 MiB leaf */
	put64(pgd + 8 * ((DIRECT_MAP >> 39) & 511), pud_va - IMG_VA + IMG_PA + 0x63);
	put64(pud, pmd_va - IMG_VA + IMG_PA + 0x63);
	put64(pmd + 8 * (RAM_PA >> 21), RAM_PA | 0x1e3);
	/* what kernel_open() needs to get as far as the log: a flat mem_map */
	mm_va = img_alloc(c, 8, &mm);
	put64(mm, 0xffffea0000000000ULL);
	key(c, "OSRELEASE=%s\nPAGESIZE=4096\n", release);
	key(c, "SYMBOL(init_top_pgt)=%llx\nNUMBER(phys_base)=0\n",
	    (unsigned long long)pgd_va);
	key(c, "SYMBOL(mem_map)=%llx\nSIZE(page)=64\nOFFSET(page.flags)=0\n"
	    "OFFSET(page.mapping)=24\nOFFSET(page._refcount)=52\n",
	    (unsigned long long)mm_va);
}

/* Write the core, run --dump-dmesg on it; return the log (or NULL). */
static char *run_dmesg(struct core *c, bool partial, int *ret)
{
	struct options opt;
	static char buf[1 << 16];
	FILE *f;
	size_t n;

	eb_note(&c->eb, "VMCOREINFO", 0, c->vmci, (uint32_t)c->vlen);
	CHECK(eb_write(&c->eb, vmcore_path) == 0);
	eb_free(&c->eb);
	memset(&opt, 0, sizeof(opt));
	opt.mode = MODE_DMESG;
	opt.vmcore = vmcore_path;
	opt.dumpfile = log_path;
	opt.partial_dmesg = partial;
	opt.force = true;
	unlink(log_path);
	*ret = dump_dmesg(&opt);
	f = fopen(log_path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool check_text(const char *got, const char *want, const char *what)
{
	if (got && !strcmp(got, want))
		return true;
	fprintf(stderr, "%s: log differs\n--- want:\n%s--- got:\n%s---\n", what, want,
		got ? got : "(no file)");
	return false;
}

/* ------------------------------------------------------------ messages */

struct msg {
	uint64_t ts;
	uint32_t caller;
	char text[64];
};

#define NR_MSGS 40

static void make_msgs(struct msg *m, int n)
{
	for (int i = 0; i < n; i++) {
		m[i].ts = (uint64_t)i * 1234567891ULL + 5000;
		m[i].caller = i % 3 ? 100 + (uint32_t)i : 0x80000000U | (uint32_t)(i % 4);
		snprintf(m[i].text, sizeof(m[i].text), "message %d: %.*s", i, i % 17,
			 "abcdefghijklmnopqrstuvwxyz");
	}
}

/* The expected line of @m, printed straight from the message. */
static void expect_line(struct strbuf *sb, const struct msg *m, bool caller)
{
	char line[256], id[16];
	int n = snprintf(line, sizeof(line), "[%5llu.%06llu] ",
			 (unsigned long long)(m->ts / 1000000000),
			 (unsigned long long)(m->ts % 1000000000 / 1000));

	if (caller) {
		snprintf(id, sizeof(id), "%c%u", m->caller >> 31 ? 'C' : 'T',
			 m->caller & 0x7fffffff);
		n += snprintf(line + n, sizeof(line) - (size_t)n, "[%8s] ", id);
	}
	snprintf(line + n, sizeof(line) - (size_t)n, "%s\n", m->text);
	strbuf_add(sb, line, strlen(line));
}

/* ------------------------------------------------------ the line format */

static void test_format(void)
{
	struct strbuf sb = { 0 };
	const uint8_t odd[] = { 'a', 1, 0x7f, 0xc3, 0xa9, '\t', 'z' };

	dmesg_format_record(&sb, 0, false, 0, (const uint8_t *)"hello", 5);
	CHECK(check_text(sb.buf, "[    0.000000] hello\n", "plain"));
	strbuf_free(&sb);
	dmesg_format_record(&sb, 123456789012345ULL, false, 0,
			    (const uint8_t *)"two\nlines", 9);
	CHECK(check_text(sb.buf, "[123456.789012] two\n                lines\n",
			 "newline indent"));
	strbuf_free(&sb);
	dmesg_format_record(&sb, 1500000000ULL, true, 123, (const uint8_t *)"x\ny", 3);
	CHECK(check_text(sb.buf, "[    1.500000] [    T123] x\n"
			 "                          y\n", "task caller"));
	strbuf_free(&sb);
	dmesg_format_record(&sb, 999, true, 0x80000001U, (const uint8_t *)"cpu", 3);
	CHECK(check_text(sb.buf, "[    0.000000] [      C1] cpu\n", "cpu caller"));
	strbuf_free(&sb);
	dmesg_format_record(&sb, 0, false, 0, odd, sizeof(odd));
	CHECK(check_text(sb.buf, "[    0.000000] a\\x01\\x7f\\xffffffc3\\xffffffa9\tz\n",
			 "escapes"));
	strbuf_free(&sb);
	dmesg_format_record(&sb, 0, false, 0, NULL, 0);
	CHECK(check_text(sb.buf, "[    0.000000] \n", "empty"));
	strbuf_free(&sb);
}

/* ------------------------------------------------- flat log_buf (< 3.5) */

/*
 * The character stream "<6>[    i.000000] message i ...\n" written into a
 * ring of @len bytes, @nchars characters in all.
 */
static void test_flat(const char *release, unsigned int len, uint64_t nchars,
		      bool partial, uint64_t logged)
{
	struct core c;
	struct strbuf stream = { 0 };
	uint8_t *buf, *v;
	uint64_t buf_va, sym;
	bool wide = !strncmp(release, "2.6.18", 6);	/* unsigned long log_end */
	uint64_t n;
	char *got;
	int ret;

	for (int i = 0; stream.len < nchars; i++) {
		char line[80];

		snprintf(line, sizeof(line), "<%d>[%5d.%06d] flat message %d\n", i % 8,
			 i, i * 7, i);
		strbuf_add(&stream, line, strlen(line));
	}
	core_init(&c, release);
	buf_va = img_alloc(&c, len, &buf);
	for (uint64_t i = 0; i < nchars; i++)
		buf[i % len] = (uint8_t)stream.buf[i];
	sym = img_alloc(&c, 8, &v);
	put64(v, buf_va);
	key(&c, "SYMBOL(log_buf)=%llx\n", (unsigned long long)sym);
	sym = img_alloc(&c, 8, &v);
	put32(v, len);
	key(&c, "SYMBOL(log_buf_len)=%llx\n", (unsigned long long)sym);
	sym = img_alloc(&c, 8, &v);
	if (wide)
		put64(v, nchars);
	else
		put32(v, (uint32_t)nchars);
	memset(v + (wide ? 8 : 4), 0xee, wide ? 0 : 4);	/* junk after an unsigned */
	key(&c, "SYMBOL(log_end)=%llx\n", (unsigned long long)sym);
	sym = img_alloc(&c, 8, &v);
	put32(v, (uint32_t)logged);
	key(&c, "SYMBOL(logged_chars)=%llx\n", (unsigned long long)sym);

	got = run_dmesg(&c, partial, &ret);
	CHECK_EQ(ret, EXIT_COMPLETED);
	n = MIN(nchars, (uint64_t)len);
	if (partial)
		n = MIN(n, logged);
	stream.buf[nchars] = '\0';
	CHECK(check_text(got, stream.buf + nchars - n, release));
	strbuf_free(&stream);
}

/* ---------------------------------------------- printk_log (3.5 - 5.9) */

/*
 * The kernel's log_store(): records are SIZE(printk_log) + text, 4-byte
 * aligned (x86 has efficient unaligned access); a zero header marks the
 * end when the next record does not fit; the oldest records are dropped
 * while there is not room for the new one plus a header.
 */
struct rec_sim {
	uint8_t *buf;
	uint32_t len, hdr;
	bool caller;
	uint32_t first_idx, next_idx, clear_idx;
	uint64_t first_seq, next_seq, clear_seq;
};

static uint32_t rec_len(const struct rec_sim *s, uint32_t idx)
{
	uint16_t v;

	memcpy(&v, s->buf + idx + 8, 2);
	if (!v)		/* wrap marker */
		memcpy(&v, s->buf + 8, 2);
	return v;
}

static uint32_t rec_next(const struct rec_sim *s, uint32_t idx)
{
	uint16_t v;

	memcpy(&v, s->buf + idx + 8, 2);
	return v ? idx + v : rec_len(s, 0);
}

static bool rec_has_room(const struct rec_sim *s, uint32_t size)
{
	if (s->first_seq == s->next_seq)
		return true;
	if (s->next_idx > s->first_idx)
		return s->len - s->next_idx >= size + s->hdr || s->first_idx >= size + s->hdr;
	return s->first_idx - s->next_idx >= size + s->hdr;
}

static void rec_store(struct rec_sim *s, const struct msg *m)
{
	uint32_t tlen = (uint32_t)strlen(m->text);
	uint32_t size = ROUND_UP(s->hdr + tlen, 4);
	uint8_t *r;

	while (!rec_has_room(s, size)) {
		s->first_idx = rec_next(s, s->first_idx);
		s->first_seq++;
	}
	if (s->clear_seq < s->first_seq) {	/* the cleared part is gone */
		s->clear_seq = s->first_seq;
		s->clear_idx = s->first_idx;
	}
	if (s->next_idx + size + s->hdr > s->len) {
		memset(s->buf + s->next_idx, 0, s->hdr);
		s->next_idx = 0;
	}
	r = s->buf + s->next_idx;
	memset(r, 0, size);
	put64(r, m->ts);
	put16(r + 8, (uint16_t)size);
	put16(r + 10, (uint16_t)tlen);
	r[14] = 0;		/* facility */
	r[15] = 6 << 5;		/* level */
	if (s->caller)
		put32(r + 16, m->caller);
	memcpy(r + s->hdr, m->text, tlen);
	s->next_idx += size;
	s->next_seq++;
}

static void rec_keys(struct core *c, const struct rec_sim *s, bool old_name)
{
	const char *n = old_name ? "log" : "printk_log";

	key(c, "SIZE(%s)=%u\nOFFSET(%s.ts_nsec)=0\nOFFSET(%s.len)=8\n"
	    "OFFSET(%s.text_len)=10\nOFFSET(%s.dict_len)=12\n", n, s->hdr, n, n, n, n);
	if (s->caller)
		key(c, "OFFSET(%s.caller_id)=16\n", n);
}

/*
 * @nr messages into a @len byte buffer; "dmesg -C" after message @clear_at
 * (-1: never).  With @partial, expect the messages after the clear.
 */
static void test_records(const char *release, uint32_t len, int nr, bool caller,
			 bool old_name, int clear_at, bool partial)
{
	struct msg m[NR_MSGS];
	struct rec_sim s = { .len = len, .hdr = caller ? 20 : 16, .caller = caller };
	struct strbuf want = { 0 };
	uint64_t sym, buf_va;
	struct core c;
	uint8_t *v;
	char *got, what[96];
	int ret;

	make_msgs(m, nr);
	core_init(&c, release);
	buf_va = ram_alloc(&c, len, &s.buf);	/* log_buf_len=: memblock */
	for (int i = 0; i < nr; i++) {
		rec_store(&s, &m[i]);
		if (i == clear_at) {
			s.clear_seq = s.next_seq;
			s.clear_idx = s.next_idx;
		}
	}
	for (uint64_t q = MAX(s.first_seq, partial ? s.clear_seq : 0); q < s.next_seq; q++)
		expect_line(&want, &m[q], caller);
	sym = img_alloc(&c, 8, &v);
	put64(v, buf_va);
	key(&c, "SYMBOL(log_buf)=%llx\n", (unsigned long long)sym);
	sym = img_alloc(&c, 4, &v);
	put32(v, len);
	key(&c, "SYMBOL(log_buf_len)=%llx\n", (unsigned long long)sym);
	sym = img_alloc(&c, 4, &v);
	put32(v, s.first_idx);
	key(&c, "SYMBOL(log_first_idx)=%llx\n", (unsigned long long)sym);
	sym = img_alloc(&c, 4, &v);
	put32(v, s.next_idx);
	key(&c, "SYMBOL(log_next_idx)=%llx\n", (unsigned long long)sym);
	if (clear_at >= 0) {
		sym = img_alloc(&c, 4, &v);
		put32(v, s.clear_idx);
		key(&c, "SYMBOL(clear_idx)=%llx\n", (unsigned long long)sym);
	}
	rec_keys(&c, &s, old_name);
	got = run_dmesg(&c, partial, &ret);
	snprintf(what, sizeof(what), "records %s len %u nr %d%s%s%s", release, len, nr,
		 caller ? " caller" : "", old_name ? " struct log" : "",
		 partial ? " partial" : "");
	CHECK_EQ(ret, EXIT_COMPLETED);
	CHECK(check_text(got, want.buf ? want.buf : "", what));
	/* the simulation did wrap and drop where it was meant to */
	if (len < 1024)
		CHECK(s.first_seq > 0);
	strbuf_free(&want);
}

/* A record whose length runs past the buffer, then a cycle. */
static void test_records_corrupt(void)
{
	struct msg m[4];
	struct rec_sim s = { .len = 512, .hdr = 16 };
	uint64_t sym, buf_va;
	struct strbuf want = { 0 };
	struct core c;
	uint8_t *v;
	char *got;
	int ret;

	make_msgs(m, 4);
	for (int pass = 0; pass < 2; pass++) {
		core_init(&c, "4.19.0");
		buf_va = ram_alloc(&c, s.len, &s.buf);
		s.first_idx = s.next_idx = 0;
		s.first_seq = s.next_seq = 0;
		for (int i = 0; i < 4; i++)
			rec_store(&s, &m[i]);
		/* record 2: too long (pass 0), or pointing back at record 0 */
		if (pass == 0) {
			put16(s.buf + rec_next(&s, rec_next(&s, 0)) + 8, 0x7000);
		} else {
			uint32_t r2 = rec_next(&s, rec_next(&s, 0));

			/* a zero length at record 2 wraps to record 0 again */
			put16(s.buf + r2 + 8, 0);
		}
		rec_keys(&c, &s, false);
		sym = img_alloc(&c, 8, &v);
		put64(v, buf_va);
		key(&c, "SYMBOL(log_buf)=%llx\n", (unsigned long long)sym);
		sym = img_alloc(&c, 4, &v);
		put32(v, s.len);
		key(&c, "SYMBOL(log_buf_len)=%llx\n", (unsigned long long)sym);
		sym = img_alloc(&c, 4, &v);
		put32(v, 0);
		key(&c, "SYMBOL(log_first_idx)=%llx\n", (unsigned long long)sym);
		sym = img_alloc(&c, 4, &v);
		put32(v, s.next_idx);
		key(&c, "SYMBOL(log_next_idx)=%llx\n", (unsigned long long)sym);
		got = run_dmesg(&c, false, &ret);
		CHECK_EQ(ret, EXIT_FAILED);
		/* what came before the corruption is kept, once */
		expect_line(&want, &m[0], false);
		expect_line(&want, &m[1], false);
		CHECK(check_text(got, want.buf, pass ? "cycle" : "record too long"));
		strbuf_free(&want);
	}
}

/* ------------------------------------------------------ prb (5.10+) */

#define PRB_CBITS	4		/* 16 descriptors */
#define PRB_SBITS	10		/* 1 KiB of text */
#define PRB_COUNT	(1U << PRB_CBITS)
#define PRB_SIZE	(1U << PRB_SBITS)
#define ID_MASK		(~0ULL >> 2)
#define SIZE_DESC	24
#define SIZE_INFO	88

struct prb_sim {
	uint8_t *descs, *infos, *data;
	uint64_t head_id, tail_id;	/* tail_id..head_id are live */
	uint64_t head_lpos, tail_lpos;
	uint64_t begin[PRB_COUNT], next[PRB_COUNT];
	uint64_t seq_of[PRB_COUNT];
	bool empty;
	uint64_t first_seq, next_seq;	/* live sequence numbers */
};

static void prb_drop_oldest(struct prb_sim *s)
{
	unsigned int i = (unsigned int)(s->tail_id % PRB_COUNT);

	put64(s->descs + i * SIZE_DESC, 3ULL << 62 | s->tail_id);	/* reusable */
	s->tail_lpos = s->next[i];
	s->tail_id = (s->tail_id + 1) & ID_MASK;
	s->first_seq++;
}

/* Place a data block of @size bytes as data_alloc() does. */
static uint64_t prb_data_alloc(struct prb_sim *s, uint64_t size, uint64_t *begin)
{
	uint64_t b = s->head_lpos, n = b + size;

	if (b / PRB_SIZE != n / PRB_SIZE)	/* wraps: data at the ring start */
		n = n / PRB_SIZE * PRB_SIZE + size;
	while (!s->empty && s->first_seq < s->next_seq && n - s->tail_lpos > PRB_SIZE)
		prb_drop_oldest(s);
	*begin = b;
	s->head_lpos = n;
	return n;
}

static void prb_store(struct prb_sim *s, const struct msg *m, unsigned int state,
		      bool no_data)
{
	uint64_t id = s->empty ? s->head_id : (s->head_id + 1) & ID_MASK;
	unsigned int i = (unsigned int)(id % PRB_COUNT);
	uint64_t tlen = strlen(m->text), begin, next;
	uint8_t *d = s->descs + i * SIZE_DESC, *inf = s->infos + i * SIZE_INFO;

	if (!s->empty && ((id - s->tail_id) & ID_MASK) >= PRB_COUNT)
		prb_drop_oldest(s);
	if (no_data) {
		begin = next = 3;		/* NO_LPOS: a record without text */
	} else {
		next = prb_data_alloc(s, ROUND_UP(8 + tlen, 8), &begin);
		put64(s->data + (next - ROUND_UP(8 + tlen, 8)) % PRB_SIZE, id);
		memcpy(s->data + (next - ROUND_UP(8 + tlen, 8)) % PRB_SIZE + 8, m->text,
		       tlen);
	}
	put64(d, (uint64_t)state << 62 | id);
	put64(d + 8, begin);
	put64(d + 16, next);
	s->begin[i] = begin;
	s->next[i] = no_data ? s->tail_lpos : next;
	memset(inf, 0, SIZE_INFO);
	put64(inf, s->next_seq);
	put64(inf + 8, m->ts);
	put16(inf + 16, (uint16_t)tlen);
	put32(inf + 20, m->caller);
	s->seq_of[i] = s->next_seq;
	if (s->empty)
		s->tail_lpos = begin;
	s->head_id = id;
	s->empty = false;
	s->next_seq++;
}

static void prb_keys(struct core *c)
{
	key(c, "SIZE(printk_ringbuffer)=88\nOFFSET(printk_ringbuffer.desc_ring)=0\n"
	    "OFFSET(printk_ringbuffer.text_data_ring)=48\nOFFSET(printk_ringbuffer.fail)=80\n"
	    "SIZE(prb_desc_ring)=48\nOFFSET(prb_desc_ring.count_bits)=0\n"
	    "OFFSET(prb_desc_ring.descs)=8\nOFFSET(prb_desc_ring.infos)=16\n"
	    "OFFSET(prb_desc_ring.head_id)=24\nOFFSET(prb_desc_ring.tail_id)=32\n"
	    "SIZE(prb_desc)=24\nOFFSET(prb_desc.state_var)=0\n"
	    "OFFSET(prb_desc.text_blk_lpos)=8\nSIZE(prb_data_blk_lpos)=16\n"
	    "OFFSET(prb_data_blk_lpos.begin)=0\nOFFSET(prb_data_blk_lpos.next)=8\n"
	    "SIZE(printk_info)=88\nOFFSET(printk_info.seq)=0\n"
	    "OFFSET(printk_info.ts_nsec)=8\nOFFSET(printk_info.text_len)=16\n"
	    "OFFSET(printk_info.caller_id)=20\nOFFSET(printk_info.dev_info)=24\n"
	    "SIZE(prb_data_ring)=32\nOFFSET(prb_data_ring.size_bits)=0\n"
	    "OFFSET(prb_data_ring.data)=8\nOFFSET(prb_data_ring.head_lpos)=16\n"
	    "OFFSET(prb_data_ring.tail_lpos)=24\nSIZE(atomic_long_t)=8\n"
	    "OFFSET(atomic_long_t.counter)=0\n");
}

struct prb_case {
	const char *name;
	int nr;			/* messages */
	uint64_t first_id;	/* id of the first record (tests the id wrap) */
	int clear_at;		/* dmesg -C after this message, -1: never */
	bool latched;		/* 5.13+: clear_seq is a struct latched_seq */
	bool partial;
	bool caller;		/* print caller ids (dmesg_read() option) */
};

/* Build the ring for @pc; the expected text goes to @want. */
static void prb_build(struct core *c, const struct prb_case *pc, struct strbuf *want)
{
	struct prb_sim s;
	struct msg m[NR_MSGS];
	uint64_t prb_va, rb_va, descs_va, infos_va, data_va, cs, clear = 0;
	uint8_t *rb, *pv, *v;

	memset(&s, 0, sizeof(s));
	make_msgs(m, pc->nr);
	s.empty = true;
	s.head_id = s.tail_id = pc->first_id;
	descs_va = img_alloc(c, PRB_COUNT * SIZE_DESC, &s.descs);
	infos_va = img_alloc(c, PRB_COUNT * SIZE_INFO, &s.infos);
	data_va = img_alloc(c, PRB_SIZE, &s.data);
	s.head_lpos = s.tail_lpos = 5 * PRB_SIZE + 40;	/* lpos of a later lap */
	for (int i = 0; i < pc->nr; i++) {
		/* #7 has no text; the last one is still being written */
		unsigned int state = i == pc->nr - 1 ? 0 : i % 5 ? 2 : 1;

		prb_store(&s, &m[i], state, i == 7);
		if (i == pc->clear_at)
			clear = s.next_seq;
	}
	for (uint64_t q = MAX(s.first_seq, pc->partial ? clear : 0); q < s.next_seq; q++)
		if (q != 7 && q != (uint64_t)pc->nr - 1)
			expect_line(want, &m[q], pc->caller);
	rb_va = img_alloc(c, 88, &rb);
	put32(rb, PRB_CBITS);
	put64(rb + 8, descs_va);
	put64(rb + 16, infos_va);
	put64(rb + 24, s.head_id);
	put64(rb + 32, s.tail_id);
	put32(rb + 48, PRB_SBITS);
	put64(rb + 56, data_va);
	put64(rb + 64, s.head_lpos);
	put64(rb + 72, s.tail_lpos);
	prb_va = img_alloc(c, 8, &pv);
	put64(pv, rb_va);
	key(c, "SYMBOL(prb)=%llx\nSYMBOL(printk_rb_static)=%llx\n",
	    (unsigned long long)prb_va, (unsigned long long)rb_va);
	cs = img_alloc(c, 24, &v);
	if (pc->latched) {
		put32(v, 5);			/* odd latch sequence: val[1] */
		put64(v + 8, 0x1234);		/* stale copy */
		put64(v + 16, clear);
		key(c, "SIZE(latched_seq)=24\nOFFSET(latched_seq.val)=8\n");
	} else {
		put64(v, clear);
	}
	key(c, "SYMBOL(clear_seq)=%llx\n", (unsigned long long)cs);
	prb_keys(c);
}

static void test_prb(const struct prb_case *pc)
{
	struct strbuf want = { 0 }, got = { 0 };
	struct core c;
	char *text;
	int ret;

	core_init(&c, "6.1.0");
	prb_build(&c, pc, &want);
	if (!pc->caller) {
		text = run_dmesg(&c, pc->partial, &ret);
		CHECK_EQ(ret, EXIT_COMPLETED);
		CHECK(check_text(text, want.buf ? want.buf : "", pc->name));
	} else {
		/* not reachable from the command line: call the reader */
		struct dmesg_opts o = { .partial = pc->partial, .prb_caller = true };
		const struct kernel_src src = { vmcore_path, NULL, NULL };
		enum dmesg_format fmt;
		struct kernel k;

		eb_note(&c.eb, "VMCOREINFO", 0, c.vmci, (uint32_t)c.vlen);
		CHECK(eb_write(&c.eb, vmcore_path) == 0);
		eb_free(&c.eb);
		CHECK_EQ(kernel_open(&k, &src, 0), EXIT_COMPLETED);
		CHECK(dmesg_read(&k, &o, &got, &fmt));
		CHECK_EQ(fmt, DMESG_PRB);
		kernel_close(&k);
		CHECK(check_text(got.buf, want.buf, pc->name));
		strbuf_free(&got);
	}
	strbuf_free(&want);
}

static const struct prb_case prb_cases[] = {
	{ "prb few", 5, 0, -1, false, false, false },
	{ "prb wrapped", NR_MSGS, 1000, -1, true, false, false },
	{ "prb id wrap", NR_MSGS, ID_MASK - 20, -1, true, false, false },
	{ "prb partial latched", NR_MSGS, 77, 33, true, true, false },
	{ "prb partial plain", NR_MSGS, 77, 35, false, true, false },
	{ "prb cleared before tail", NR_MSGS, 5, 2, true, true, false },
	{ "prb cleared at the end", 20, 5, 19, true, true, false },
	{ "prb caller ids", 12, 0, -1, true, false, true },
};

/* ---------------------------------------------------------- no keys */

static void test_missing_keys(void)
{
	struct core c;
	char *got;
	int ret;

	core_init(&c, "4.19.0");
	got = run_dmesg(&c, false, &ret);
	CHECK_EQ(ret, EXIT_FAILED);
	CHECK(got == NULL);		/* no log file on failure */
}

int main(void)
{
	int fd = mkstemp(vmcore_path), fd2 = mkstemp(log_path);

	if (fd < 0 || fd2 < 0)
		return 1;
	close(fd);
	close(fd2);
	msg_set_level(ML_ERROR);
	test_format();
	test_flat("3.4.0", 4096, 1500, false, 0);
	test_flat("3.4.0", 512, 5000, false, 0);
	test_flat("2.6.32", 512, 5000, true, 100);
	test_flat("2.6.32", 512, 300, true, 1000);
	test_flat("2.6.18", 256, 3000, false, 0);
	test_records("3.5.0", 4096, 30, false, true, -1, false);
	test_records("4.19.0", 512, NR_MSGS, false, false, -1, false);
	test_records("4.19.0", 700, NR_MSGS, false, false, 30, true);
	test_records("4.19.0", 700, NR_MSGS, false, false, 30, false);
	test_records("5.4.0", 600, NR_MSGS, true, false, -1, false);
	test_records("5.4.0", 4096, 20, true, false, 10, true);
	test_records_corrupt();
	for (size_t i = 0; i < ARRAY_SIZE(prb_cases); i++)
		test_prb(&prb_cases[i]);
	test_missing_keys();
	unlink(vmcore_path);
	unlink(log_path);
	return unit_done("test_dmesg");
}
