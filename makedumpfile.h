/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * makedumpfile.h - definitions shared by every part of the filter.
 *
 * Only small, stable things live here: exit codes, dump-level bits,
 * the message API and fixed-width helpers.  Each subsystem has its own
 * header for its own state.
 */
#ifndef MAKEDUMPFILE_H
#define MAKEDUMPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MDF_VERSION	"1.7.9+ng.1"
#define MDF_RELEASE_DATE "28 Nov 2026"

/* Exit codes, as upstream makedumpfile. */
#define EXIT_COMPLETED		0
#define EXIT_FAILED		1
#define EXIT_WRONG_RELEASE	2

/* Dump level bits (-d). */
#define DL_EXCLUDE_ZERO		0x01
#define DL_EXCLUDE_CACHE	0x02
#define DL_EXCLUDE_CACHE_PRI	0x04
#define DL_EXCLUDE_USER_DATA	0x08
#define DL_EXCLUDE_FREE		0x10
#define MAX_DUMP_LEVEL		31

/* --message-level bits. */
#define ML_PROGRESS	0x01
#define ML_COMMON	0x02
#define ML_ERROR	0x04
#define ML_DEBUG	0x08
#define ML_REPORT	0x10
#define DEFAULT_MSG_LEVEL (ML_PROGRESS | ML_COMMON | ML_ERROR)

/* message.c */
void msg_set_level(int level);
int msg_level(void);
void msg_set_stream(FILE *fp);
void msg_common(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_error(const char *func, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define MSG(...)	msg_common(__VA_ARGS__)
#define DEBUG_MSG(...)	msg_debug(__VA_ARGS__)
#define REPORT_MSG(...)	msg_report(__VA_ARGS__)
#define ERRMSG(...)	msg_error(__func__, __VA_ARGS__)

struct progress {
	const char *label;
	uint64_t total;
	uint64_t last_shown;	/* seconds since start at last print */
	double start;
	unsigned int spin;
	bool shown;
};

void progress_start(struct progress *p, const char *label, uint64_t total);
void progress_update(struct progress *p, uint64_t done);
void progress_finish(struct progress *p);
double now_seconds(void);

/* util.c */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
bool parse_size(const char *s, uint64_t *out);
bool parse_ulong(const char *s, unsigned long *out);
bool page_is_zero(const uint8_t *page, unsigned int size);

/* A growing text buffer, always NUL-terminated once written to. */
struct strbuf {
	char *buf;
	size_t len, cap;
};

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_free(struct strbuf *sb);

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define ROUND_UP(n, a)	(DIV_ROUND_UP(n, a) * (a))
#define ROUND_DOWN(n, a) ((n) / (a) * (a))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#endif /* MAKEDUMPFILE_H */
