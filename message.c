// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * message.c - messages and the progress line, filtered by --message-level.
 *
 * Common and progress messages go to stdout, or to stderr when the dump
 * itself is written to stdout (-F).  Errors always go to stderr, prefixed
 * with the name of the function that failed, as upstream prints them.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "makedumpfile.h"

static int level = DEFAULT_MSG_LEVEL;
static FILE *out_stream;
static bool line_open;		/* a '\r' progress line awaits its newline */

void msg_set_level(int l)
{
	level = l;
}

int msg_level(void)
{
	return level;
}

void msg_set_stream(FILE *fp)
{
	out_stream = fp;
}

static FILE *stream(void)
{
	return out_stream ? out_stream : stdout;
}

/* End a redrawn progress line before anything else is printed. */
static void close_line(void)
{
	if (line_open) {
		fputc('\n', stream());
		line_open = false;
	}
}

static void vmsg(int bit, const char *fmt, va_list ap)
{
	if (!(level & bit))
		return;
	close_line();
	vfprintf(stream(), fmt, ap);
	fflush(stream());
}

void msg_common(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ML_COMMON, fmt, ap);
	va_end(ap);
}

void msg_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ML_DEBUG, fmt, ap);
	va_end(ap);
}

void msg_report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ML_REPORT, fmt, ap);
	va_end(ap);
}

void msg_error(const char *func, const char *fmt, ...)
{
	va_list ap;

	if (!(level & ML_ERROR))
		return;
	close_line();
	fflush(stream());
	fprintf(stderr, "%s: ", func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A progress line is redrawn with '\r' only on a terminal that says what it
 * is (TERM set, and not "dumb"); otherwise (serial consoles of a capture
 * kernel, where TERM is unset, and logs) a whole line is printed at most
 * every ten seconds, so the output stays short and readable.
 */
static bool interactive(void)
{
	const char *term = getenv("TERM");

	if (!term || !*term || !strcmp(term, "dumb"))
		return false;
	return isatty(fileno(stream()));
}

static void eta_text(char *buf, size_t len, double secs)
{
	unsigned long s = (unsigned long)secs;

	if (s >= 3600)
		snprintf(buf, len, "eta: %luh%02lum", s / 3600, s / 60 % 60);
	else if (s >= 60)
		snprintf(buf, len, "eta: %lum%02lus", s / 60, s % 60);
	else
		snprintf(buf, len, "eta: %lus", s);
}

static void draw(struct progress *p, uint64_t done, bool final)
{
	static const char spinner[] = "/|\\-";
	unsigned int permille;
	double elapsed = now_seconds() - p->start;
	char eta[32] = "";

	permille = p->total ? (unsigned int)MIN(done * 1000 / p->total, 999ULL) : 1000;
	if (final)
		permille = 1000;
	if (!final && permille && elapsed > 1.0)
		eta_text(eta, sizeof(eta), elapsed * (1000 - permille) / permille);
	if (interactive()) {
		fprintf(stream(), "\r%-50s: [%3u.%u %%] %c  %16s%s", p->label,
			permille / 10, permille % 10, spinner[p->spin++ % 4], eta,
			final ? "\n" : "");
		line_open = !final;
	} else {
		fprintf(stream(), "%-50s: [%3u.%u %%] %16s\n", p->label,
			permille / 10, permille % 10, eta);
	}
	fflush(stream());
	p->shown = true;
}

void progress_start(struct progress *p, const char *label, uint64_t total)
{
	p->label = label;
	p->total = total;
	p->start = now_seconds();
	p->last_shown = 0;
	p->spin = 0;
	p->shown = false;
}

/* Cheap to call per page: it only looks at the clock every 4096 calls. */
void progress_update(struct progress *p, uint64_t done)
{
	uint64_t sec;
	unsigned int every;

	if (!(level & ML_PROGRESS) || (done & 4095))
		return;
	sec = (uint64_t)(now_seconds() - p->start);
	every = interactive() ? 1 : 10;
	if (sec < p->last_shown + every)
		return;
	p->last_shown = sec;
	draw(p, done, false);
}

void progress_finish(struct progress *p)
{
	if (!(level & ML_PROGRESS))
		return;
	draw(p, p->total, true);
}
