// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmesg.c - --dump-dmesg: write the kernel log of a dumped kernel as text.
 *
 * Three formats, chosen by what VMCOREINFO (or -x debuginfo) names:
 *
 *   SYMBOL(prb)		the lockless ring buffer (5.10+): descriptors,
 *				infos and a text data ring, read whole;
 *   SYMBOL(log_end)		the flat character buffer (before 3.5),
 *				written as it is;
 *   SYMBOL(log_first_idx)	variable-length printk_log records (3.5-5.9)
 *				in log_buf, from log_first_idx to log_next_idx.
 *
 * Records are printed as upstream makedumpfile prints them:
 * "[%5llu.%06lu] " (seconds, microseconds), then the text with every
 * newline followed by as many spaces as the prefix is long, and every byte
 * that is neither printable nor white space as "\x%02x" of the C char
 * (so a byte >= 0x80 shows as "\xffffffNN" on x86, as upstream's does).
 * --partial-dmesg starts at clear_seq (5.10+), clear_idx (3.5-5.9) or,
 * for the flat buffer, keeps the last logged_chars characters.
 *
 * Everything read from the log is bounds-checked: a corrupt log gives an
 * error message (and what was read before the corruption), never a read
 * outside the buffers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmesg.h"
#include "introspect.h"
#include "kernel.h"
#include "makedumpfile.h"
#include "options.h"
#include "output.h"

#define MAX_LOG_BUF_LEN		(1ULL << 31)	/* log_buf_len is an int */
#define MAX_PRB_BITS		31		/* sanity limit for size_bits */
#define CALLER_CPU		0x80000000U


/* isprint() || isspace() in the C locale, on the byte. */
static bool plain_char(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\v' ||
	       c == '\f' || c == '\r';
}

/**
 * dmesg_format_record - append one record as upstream prints it.
 * @has_caller:	print @caller ("T<pid>" or "C<cpu>" right-aligned in 8)
 */
void dmesg_format_record(struct strbuf *sb, uint64_t ts_nsec, bool has_caller,
			 uint32_t caller, const uint8_t *text, size_t len)
{
	size_t start = sb->len, indent;

	strbuf_printf(sb, "[%5llu.%06llu] ",
		      (unsigned long long)(ts_nsec / 1000000000ULL),
		      (unsigned long long)(ts_nsec % 1000000000ULL / 1000));
	if (has_caller) {
		char id[16];

		snprintf(id, sizeof(id), "%c%u", caller & CALLER_CPU ? 'C' : 'T',
			 caller & ~CALLER_CPU);
		strbuf_printf(sb, "[%8s] ", id);
	}
	indent = sb->len - start;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = text[i];

		if (c == '\n') {
			strbuf_add(sb, "\n", 1);
			strbuf_printf(sb, "%*s", (int)indent, "");
		} else if (plain_char(c)) {
			strbuf_add(sb, &c, 1);
		} else {
			/* upstream formats the (signed) char: 0xc3 -> ffffffc3 */
			strbuf_printf(sb, "\\x%02x", c < 0x80 ? c : 0xffffff00U | c);
		}
	}
	strbuf_add(sb, "\n", 1);
}

/* ---------------------------------------------------------------- reading */

struct dmesg_ctx {
	struct kernel *k;
	const struct vmcoreinfo *vi;
	const struct target *t;
	const struct dmesg_opts *o;
	struct strbuf *out;
};

static bool rd(struct dmesg_ctx *c, uint64_t va, void *buf, size_t len,
	       const char *what)
{
	if (arch_read_virt(&c->k->arch, va, buf, len))
		return true;
	ERRMSG("Can't read %s (%zu bytes at virtual address 0x%llx).\n", what, len,
	       (unsigned long long)va);
	return false;
}

static bool rd_ulong(struct dmesg_ctx *c, uint64_t va, uint64_t *v, const char *what)
{
	uint8_t b[8];

	if (!rd(c, va, b, c->t->ptr_size, what))
		return false;
	*v = tgetlong(c->t, b);
	return true;
}

static bool rd_u32(struct dmesg_ctx *c, uint64_t va, uint32_t *v, const char *what)
{
	uint8_t b[4];

	if (!rd(c, va, b, sizeof(b), what))
		return false;
	*v = tget32(c->t, b);
	return true;
}

/* Read a whole kernel buffer into a new allocation. */
static uint8_t *rd_alloc(struct dmesg_ctx *c, uint64_t va, uint64_t len,
			 const char *what)
{
	uint8_t *p = xmalloc((size_t)len);

	if (!rd(c, va, p, (size_t)len, what)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Look up one VMCOREINFO value; print which key is missing. */
static bool need(struct dmesg_ctx *c, enum vmci_kind kind, const char *name,
		 uint64_t *v)
{
	if (vmci_get(c->vi, kind, name, v))
		return true;
	ERRMSG("Can't find %s%s%s, needed to extract the kernel log.\n",
	       vmci_kind_name(kind), name, kind == VMCI_PLAIN ? "" : ")");
	return false;
}

static void partial_warning(const char *sym)
{
	MSG("WARNING: no SYMBOL(%s) in VMCOREINFO: --partial-dmesg writes the whole log.\n",
	    sym);
}

/* ------------------------------------------------------ flat (before 3.5) */

/*
 * log_end and logged_chars are "unsigned long" before 2.6.25 and
 * "unsigned" afterwards; log_buf_len is an int.
 */
static bool rd_counter(struct dmesg_ctx *c, uint64_t sym, uint64_t *v,
		       const char *what)
{
	unsigned int ver = kernel_version_from_release(c->vi->osrelease);
	uint32_t v32;

	if (ver && ver < KERNEL_VERSION(2, 6, 25))
		return rd_ulong(c, sym, v, what);
	if (!rd_u32(c, sym, &v32, what))
		return false;
	*v = v32;
	return true;
}

/* After dmesg -c only the last logged_chars characters are new: clip @n. */
static bool flat_logged(struct dmesg_ctx *c, uint64_t *n)
{
	uint64_t sym, logged;

	if (!vmci_symbol(c->vi, "logged_chars", &sym)) {
		partial_warning("logged_chars");
		return true;
	}
	if (!rd_counter(c, sym, &logged, "logged_chars"))
		return false;
	DEBUG_MSG("logged_chars : %llu\n", (unsigned long long)logged);
	*n = MIN(*n, logged);
	return true;
}

static bool flat_log(struct dmesg_ctx *c)
{
	uint64_t sym_buf, sym_len, sym_end, buf, end, n, first;
	uint32_t len;
	uint8_t *data;

	if (!need(c, VMCI_SYMBOL, "log_buf", &sym_buf) ||
	    !need(c, VMCI_SYMBOL, "log_buf_len", &sym_len) ||
	    !need(c, VMCI_SYMBOL, "log_end", &sym_end) ||
	    !rd_ulong(c, sym_buf, &buf, "log_buf") ||
	    !rd_u32(c, sym_len, &len, "log_buf_len") ||
	    !rd_counter(c, sym_end, &end, "log_end"))
		return false;
	DEBUG_MSG("log_buf      : %llx\nlog_end      : %llx\nlog_buf_len  : %u\n",
		  (unsigned long long)buf, (unsigned long long)end, len);
	if (!len || len > MAX_LOG_BUF_LEN) {
		ERRMSG("log_buf_len (%u) is invalid.\n", len);
		return false;
	}
	/* The text is the last min(log_end, log_buf_len) characters ... */
	n = MIN(end, (uint64_t)len);
	/* ... or, after dmesg -c, the last logged_chars of them. */
	if (c->o->partial && !flat_logged(c, &n))
		return false;
	data = rd_alloc(c, buf, len, "log_buf");
	if (!data)
		return false;
	first = (end - n) % len;
	strbuf_add(c->out, data + first, (size_t)MIN(n, len - first));
	if (n > len - first)
		strbuf_add(c->out, data, (size_t)(n - (len - first)));
	free(data);
	return true;
}

/* --------------------------------------------------- printk_log (3.5-5.9) */

struct rec_layout {
	uint64_t size, off_ts, off_len, off_text_len, off_caller;
	bool has_caller;
};

/* struct printk_log was "struct log" until 3.11. */
static bool rec_key(struct dmesg_ctx *c, enum vmci_kind kind, const char *member,
		    uint64_t *v)
{
	char a[64], b[64];

	snprintf(a, sizeof(a), "printk_log%s", member);
	snprintf(b, sizeof(b), "log%s", member);
	return vmci_get(c->vi, kind, a, v) || vmci_get(c->vi, kind, b, v);
}

static bool rec_layout(struct dmesg_ctx *c, struct rec_layout *l)
{
	if (!rec_key(c, VMCI_SIZE, "", &l->size) ||
	    !rec_key(c, VMCI_OFFSET, ".ts_nsec", &l->off_ts) ||
	    !rec_key(c, VMCI_OFFSET, ".len", &l->off_len) ||
	    !rec_key(c, VMCI_OFFSET, ".text_len", &l->off_text_len)) {
		ERRMSG("Can't get necessary structures for extracting dmesg log: "
		       "SIZE(printk_log) and OFFSET(printk_log.ts_nsec/len/text_len).\n");
		return false;
	}
	l->has_caller = rec_key(c, VMCI_OFFSET, ".caller_id", &l->off_caller);
	if (l->size < 12 || l->off_ts + 8 > l->size || l->off_len + 2 > l->size ||
	    l->off_text_len + 2 > l->size ||
	    (l->has_caller && l->off_caller + 4 > l->size)) {
		ERRMSG("SIZE(printk_log)=%llu does not hold its members.\n",
		       (unsigned long long)l->size);
		return false;
	}
	return true;
}

/*
 * Format the record at @idx.  Return the index of the next one, or
 * UINT64_MAX (after a message) if the record does not fit in the buffer.
 */
static uint64_t rec_print(struct dmesg_ctx *c, const struct rec_layout *l,
			  const uint8_t *buf, uint64_t len, uint64_t idx)
{
	const uint8_t *r = buf + idx;
	uint16_t reclen = tget16(c->t, r + l->off_len);
	uint16_t text_len = tget16(c->t, r + l->off_text_len);

	if (reclen < l->size || idx + reclen > len || l->size + text_len > reclen) {
		ERRMSG("The printk log_buf is corrupted: record at index 0x%llx "
		       "has length %u, text length %u.\n",
		       (unsigned long long)idx, reclen, text_len);
		return UINT64_MAX;
	}
	dmesg_format_record(c->out, tget64(c->t, r + l->off_ts), l->has_caller,
			    l->has_caller ? tget32(c->t, r + l->off_caller) : 0,
			    r + l->size, text_len);
	return idx + reclen;
}

/*
 * Walk the records from @first to @next.  A zero length marks the end of
 * the buffer: the record is then the one at index 0.
 */
static bool rec_walk(struct dmesg_ctx *c, const struct rec_layout *l,
		     const uint8_t *buf, uint64_t len, uint64_t first, uint64_t next)
{
	uint8_t *seen = xcalloc((size_t)DIV_ROUND_UP(len, 8), 1);
	uint64_t idx = first;
	bool ok = false;

	while (idx != next) {
		if (idx > len - l->size) {
			ERRMSG("Index outside log_buf detected (0x%llx).\n",
			       (unsigned long long)idx);
			goto out;
		}
		if (seen[idx / 8] & (1U << (idx % 8))) {
			ERRMSG("Cycle when parsing dmesg detected at index 0x%llx.\n",
			       (unsigned long long)idx);
			goto out;
		}
		seen[idx / 8] |= (uint8_t)(1U << (idx % 8));
		if (!tget16(c->t, buf + idx + l->off_len)) {
			idx = 0;	/* the wrap marker: the record is at 0 */
			if (seen[0] & 1) {
				ERRMSG("Cycle when parsing dmesg detected at index 0.\n");
				goto out;
			}
			seen[0] |= 1;
		}
		idx = rec_print(c, l, buf, len, idx);
		if (idx == UINT64_MAX)
			goto out;
	}
	ok = true;
out:
	if (!ok)
		ERRMSG("The printk log_buf is most likely corrupted.\n");
	free(seen);
	return ok;
}

static bool record_log(struct dmesg_ctx *c)
{
	uint64_t sym_buf, sym_len, sym_first, sym_next, buf;
	uint32_t len, first, next;
	struct rec_layout l;
	const char *first_name = "log_first_idx";
	uint8_t *data;
	bool ok;

	if (!need(c, VMCI_SYMBOL, "log_buf", &sym_buf) ||
	    !need(c, VMCI_SYMBOL, "log_buf_len", &sym_len) ||
	    !need(c, VMCI_SYMBOL, "log_first_idx", &sym_first) ||
	    !need(c, VMCI_SYMBOL, "log_next_idx", &sym_next) || !rec_layout(c, &l))
		return false;
	if (c->o->partial && vmci_symbol(c->vi, "clear_idx", &sym_first))
		first_name = "clear_idx";
	else if (c->o->partial)
		partial_warning("clear_idx");
	if (!rd_ulong(c, sym_buf, &buf, "log_buf") ||
	    !rd_u32(c, sym_len, &len, "log_buf_len") ||
	    !rd_u32(c, sym_first, &first, first_name) ||
	    !rd_u32(c, sym_next, &next, "log_next_idx"))
		return false;
	DEBUG_MSG("log_buf      : %llx\nlog_buf_len  : %u\n%-13s: %u\nlog_next_idx : %u\n",
		  (unsigned long long)buf, len, first_name, first, next);
	if (len < l.size || len > MAX_LOG_BUF_LEN) {
		ERRMSG("log_buf_len (%u) is invalid.\n", len);
		return false;
	}
	data = rd_alloc(c, buf, len, "log_buf");
	if (!data)
		return false;
	ok = rec_walk(c, &l, data, len, first, next);
	free(data);
	return ok;
}

/* ------------------------------------------------------ lockless (5.10+) */

struct prb {
	uint64_t count, size;		/* descriptors; text data bytes */
	uint64_t id_mask;		/* DESC_ID_MASK */
	unsigned int sv_bits;		/* bits of state_var */
	uint64_t size_desc, size_info;
	uint64_t off_sv, off_begin, off_next;	/* in struct prb_desc */
	uint64_t off_ts, off_text_len, off_caller, off_seq;
	bool has_caller, has_seq;
	uint8_t *descs, *infos, *data;
	uint64_t head_id, tail_id;
};

enum { DESC_RESERVED, DESC_COMMITTED, DESC_FINALIZED, DESC_REUSABLE };

static bool prb_offsets(struct dmesg_ctx *c, struct prb *p)
{
	uint64_t lpos, next, atomic;

	if (!need(c, VMCI_SIZE, "prb_desc", &p->size_desc) ||
	    !need(c, VMCI_SIZE, "printk_info", &p->size_info) ||
	    !need(c, VMCI_OFFSET, "prb_desc.state_var", &p->off_sv) ||
	    !need(c, VMCI_OFFSET, "prb_desc.text_blk_lpos", &lpos) ||
	    !need(c, VMCI_OFFSET, "prb_data_blk_lpos.begin", &p->off_begin) ||
	    !need(c, VMCI_OFFSET, "prb_data_blk_lpos.next", &next) ||
	    !need(c, VMCI_OFFSET, "atomic_long_t.counter", &atomic) ||
	    !need(c, VMCI_OFFSET, "printk_info.ts_nsec", &p->off_ts) ||
	    !need(c, VMCI_OFFSET, "printk_info.text_len", &p->off_text_len))
		return false;
	p->off_sv += atomic;
	p->off_begin += lpos;
	p->off_next = lpos + next;
	p->has_caller = c->o->prb_caller &&
			vmci_offset(c->vi, "printk_info.caller_id", &p->off_caller);
	p->has_seq = vmci_offset(c->vi, "printk_info.seq", &p->off_seq);
	return true;
}

static bool prb_check_offsets(const struct prb *p, unsigned int psz)
{
	return p->off_sv + psz <= p->size_desc && p->off_begin + psz <= p->size_desc &&
	       p->off_next + psz <= p->size_desc && p->off_ts + 8 <= p->size_info &&
	       p->off_text_len + 2 <= p->size_info &&
	       (!p->has_caller || p->off_caller + 4 <= p->size_info) &&
	       (!p->has_seq || p->off_seq + 8 <= p->size_info);
}

/* Offsets inside struct printk_ringbuffer, from its desc_ring/text_data_ring. */
struct prb_rb {
	uint64_t size, cbits, descs, infos, head, tail;	/* desc_ring + ... */
	uint64_t sbits, data;				/* text_data_ring + ... */
};

static bool prb_rb_offsets(struct dmesg_ctx *c, struct prb_rb *r)
{
	uint64_t desc, text, atomic;
	unsigned int psz = c->t->ptr_size;

	if (!need(c, VMCI_SIZE, "printk_ringbuffer", &r->size) ||
	    !need(c, VMCI_OFFSET, "printk_ringbuffer.desc_ring", &desc) ||
	    !need(c, VMCI_OFFSET, "printk_ringbuffer.text_data_ring", &text) ||
	    !need(c, VMCI_OFFSET, "prb_desc_ring.count_bits", &r->cbits) ||
	    !need(c, VMCI_OFFSET, "prb_desc_ring.descs", &r->descs) ||
	    !need(c, VMCI_OFFSET, "prb_desc_ring.infos", &r->infos) ||
	    !need(c, VMCI_OFFSET, "prb_desc_ring.head_id", &r->head) ||
	    !need(c, VMCI_OFFSET, "prb_desc_ring.tail_id", &r->tail) ||
	    !need(c, VMCI_OFFSET, "prb_data_ring.size_bits", &r->sbits) ||
	    !need(c, VMCI_OFFSET, "prb_data_ring.data", &r->data) ||
	    !need(c, VMCI_OFFSET, "atomic_long_t.counter", &atomic))
		return false;
	r->cbits += desc;
	r->descs += desc;
	r->infos += desc;
	r->head += desc + atomic;
	r->tail += desc + atomic;
	r->sbits += text;
	r->data += text;
	if (r->size > 4096 || MAX(r->cbits, r->sbits) + 4 > r->size ||
	    MAX(MAX(r->descs, r->infos), MAX(r->head, r->tail)) + psz > r->size ||
	    r->data + psz > r->size) {
		ERRMSG("The printk ring buffer sizes and offsets in VMCOREINFO "
		       "are inconsistent.\n");
		return false;
	}
	return true;
}

/* Read the three arrays the ring buffer @rb points to. */
static bool prb_arrays(struct dmesg_ctx *c, struct prb *p, const struct prb_rb *r,
		       const uint8_t *rb)
{
	p->descs = rd_alloc(c, tgetlong(c->t, rb + r->descs), p->count * p->size_desc,
			    "prb.desc_ring.descs");
	if (!p->descs)
		return false;
	p->infos = rd_alloc(c, tgetlong(c->t, rb + r->infos), p->count * p->size_info,
			    "prb.desc_ring.infos");
	if (!p->infos)
		return false;
	p->data = rd_alloc(c, tgetlong(c->t, rb + r->data), p->size,
			   "prb.text_data_ring.data");
	return p->data != NULL;
}

/* Read struct printk_ringbuffer and the three arrays it points to. */
static bool prb_load(struct dmesg_ctx *c, struct prb *p)
{
	unsigned int psz = c->t->ptr_size;
	uint64_t sym, addr;
	uint32_t cbits, sbits;
	struct prb_rb r;
	uint8_t *rb;
	bool ok = false;

	if (!need(c, VMCI_SYMBOL, "prb", &sym) || !prb_rb_offsets(c, &r) ||
	    !prb_offsets(c, p))
		return false;
	if (!prb_check_offsets(p, psz)) {
		ERRMSG("The printk descriptor sizes and offsets in VMCOREINFO are inconsistent.\n");
		return false;
	}
	if (!rd_ulong(c, sym, &addr, "prb"))
		return false;
	rb = rd_alloc(c, addr, r.size, "the printk ring buffer (prb)");
	if (!rb)
		return false;
	cbits = tget32(c->t, rb + r.cbits);
	sbits = tget32(c->t, rb + r.sbits);
	if (sbits < 3 || sbits > MAX_PRB_BITS || cbits > sbits) {
		ERRMSG("The printk ring buffer is corrupted: count_bits %u, size_bits %u.\n",
		       cbits, sbits);
		goto out;
	}
	p->count = 1ULL << cbits;
	p->size = 1ULL << sbits;
	p->sv_bits = psz * 8;
	p->id_mask = (p->sv_bits == 64 ? ~0ULL : (1ULL << p->sv_bits) - 1) >> 2;
	p->head_id = tgetlong(c->t, rb + r.head) & p->id_mask;
	p->tail_id = tgetlong(c->t, rb + r.tail) & p->id_mask;
	ok = prb_arrays(c, p, &r, rb);
	DEBUG_MSG("prb          : %llx\ndescriptors  : %llu\ntext ring    : %llu bytes\n"
		  "head_id      : %llx\ntail_id      : %llx\n",
		  (unsigned long long)addr, (unsigned long long)p->count,
		  (unsigned long long)p->size, (unsigned long long)p->head_id,
		  (unsigned long long)p->tail_id);
out:
	free(rb);
	return ok;
}

static void prb_free(struct prb *p)
{
	free(p->descs);
	free(p->infos);
	free(p->data);
}

static const uint8_t *prb_info(const struct prb *p, uint64_t id)
{
	return p->infos + (id % p->count) * p->size_info;
}

/* Print the record of descriptor @id if it is committed and has text. */
static void prb_record(struct dmesg_ctx *c, const struct prb *p, uint64_t id)
{
	const uint8_t *d = p->descs + (id % p->count) * p->size_desc;
	const uint8_t *inf = prb_info(p, id);
	uint64_t sv = tgetlong(c->t, d + p->off_sv);
	unsigned int state = (unsigned int)(sv >> (p->sv_bits - 2)) & 3;
	uint64_t begin = tgetlong(c->t, d + p->off_begin) % p->size;
	uint64_t next = tgetlong(c->t, d + p->off_next) % p->size;
	uint64_t text_len = tget16(c->t, inf + p->off_text_len);

	if ((sv & p->id_mask) != id ||
	    (state != DESC_COMMITTED && state != DESC_FINALIZED) || begin == next)
		return;
	if (begin > next)
		begin = 0;		/* a wrapping block keeps its data at 0 */
	begin += c->t->ptr_size;	/* skip the descriptor id */
	text_len = next > begin ? MIN(text_len, next - begin) : 0;	/* truncated */
	dmesg_format_record(c->out, tget64(c->t, inf + p->off_ts), p->has_caller,
			    p->has_caller ? tget32(c->t, inf + p->off_caller) : 0,
			    text_len ? p->data + begin : NULL, (size_t)text_len);
}

/*
 * The first sequence number to print for --partial-dmesg: clear_seq, a
 * struct latched_seq since 5.13 (the value is val[latch sequence & 1]).
 */
static bool prb_clear_seq(struct dmesg_ctx *c, uint64_t *seq)
{
	uint64_t sym, off_val, size;
	uint32_t latch;
	uint8_t b[8];

	if (!vmci_symbol(c->vi, "clear_seq", &sym)) {
		partial_warning("clear_seq");
		*seq = 0;
		return true;
	}
	if (vmci_size(c->vi, "latched_seq", &size) &&
	    vmci_offset(c->vi, "latched_seq.val", &off_val)) {
		if (!rd_u32(c, sym, &latch, "clear_seq.latch"))
			return false;
		sym += off_val + (latch & 1) * 8;
	}
	if (!rd(c, sym, b, sizeof(b), "clear_seq"))
		return false;
	*seq = tget64(c->t, b);
	DEBUG_MSG("clear_seq    : %llu\n", (unsigned long long)*seq);
	return true;
}

/*
 * Without OFFSET(printk_info.seq), as upstream: the record of @clear sits
 * at index clear % count; take it in head's lap of the ring, or the one
 * before, whichever lies between tail and head.
 */
static void prb_start_by_index(const struct prb *p, uint64_t clear, uint64_t *id,
			       uint64_t *n)
{
	uint64_t base = p->head_id - p->head_id % p->count + clear % p->count;
	uint64_t back = base > p->head_id ? p->count : 0;
	uint64_t start = (base - back) & p->id_mask;
	uint64_t left = ((p->head_id - start) & p->id_mask) + 1;

	if (left <= *n) {
		*id = start;
		*n = left;
	}
}

static bool prb_log(struct dmesg_ctx *c)
{
	struct prb p;
	uint64_t n, id, clear = 0;
	bool ok = false;

	memset(&p, 0, sizeof(p));
	if (!prb_load(c, &p))
		goto out;
	if (c->o->partial && !prb_clear_seq(c, &clear))
		goto out;
	/* tail_id .. head_id, inclusive; never more than the ring holds */
	n = ((p.head_id - p.tail_id) & p.id_mask) + 1;
	if (n > p.count) {
		DEBUG_MSG("tail_id is %llu descriptors behind head_id; reading the last %llu\n",
			  (unsigned long long)n, (unsigned long long)p.count);
		n = p.count;
	}
	id = (p.head_id - (n - 1)) & p.id_mask;
	if (c->o->partial && !p.has_seq)
		prb_start_by_index(&p, clear, &id, &n);
	for (uint64_t i = 0; i < n; i++, id = (id + 1) & p.id_mask) {
		/* sequence numbers of the records are all we need for -C */
		if (c->o->partial && p.has_seq &&
		    tget64(c->t, prb_info(&p, id) + p.off_seq) < clear)
			continue;
		prb_record(c, &p, id);
	}
	ok = true;
out:
	prb_free(&p);
	return ok;
}

/**
 * dmesg_read - append the kernel log of @k to @out as text.
 * @fmt:	out: which format the log had
 *
 * Return: false after an error message; @out may then hold the records
 * read before a corruption was found.
 */
bool dmesg_read(struct kernel *k, const struct dmesg_opts *o, struct strbuf *out,
		enum dmesg_format *fmt)
{
	struct dmesg_ctx c = { .k = k, .vi = &k->vi, .t = &k->vc.tgt, .o = o,
			       .out = out };
	uint64_t v;

	if (vmci_symbol(c.vi, "prb", &v)) {
		*fmt = DMESG_PRB;
		return prb_log(&c);
	}
	if (!vmci_symbol(c.vi, "log_buf", &v) || !vmci_symbol(c.vi, "log_buf_len", &v)) {
		ERRMSG("Can't find some symbols for log_buf.\n");
		return false;
	}
	if (vmci_symbol(c.vi, "log_end", &v)) {
		*fmt = DMESG_FLAT;
		return flat_log(&c);
	}
	*fmt = DMESG_RECORDS;
	return record_log(&c);
}

static bool write_log(const char *path, bool force, const struct strbuf *sb)
{
	struct output out;

	if (!output_open(&out, OUT_FILE, path, force))
		return false;
	if (sb->len && !output_write(&out, 0, sb->buf, sb->len)) {
		output_close(&out);
		return false;
	}
	return output_close(&out);
}

/**
 * dump_dmesg - --dump-dmesg [--partial-dmesg] VMCORE LOGFILE.
 */
int dump_dmesg(const struct options *opt)
{
	const struct kernel_src src = KERNEL_SRC(opt);
	struct dmesg_opts o = { .partial = opt->partial_dmesg };
	struct strbuf sb = { 0 };
	enum dmesg_format fmt;
	struct kernel k;
	int ret;
	bool ok;

	ret = kernel_open(&k, &src, 0);
	if (ret != EXIT_COMPLETED) {
		kernel_close(&k);
		return ret;
	}
	if (!k.has_vmcoreinfo) {
		ERRMSG("%s has no VMCOREINFO; give -i VMCOREINFO or -x VMLINUX "
		       "to find the kernel log.\n",
		       opt->vmcore);
		kernel_close(&k);
		return EXIT_FAILED;
	}
	ok = dmesg_read(&k, &o, &sb, &fmt);
	kernel_close(&k);
	if ((ok || sb.len) && !write_log(opt->dumpfile, opt->force, &sb))
		ok = false;
	strbuf_free(&sb);
	if (!ok)
		return EXIT_FAILED;
	MSG("\n");
	MSG("The dmesg log is saved to %s.\n", opt->dumpfile);
	return EXIT_COMPLETED;
}
