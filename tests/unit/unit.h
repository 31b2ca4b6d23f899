/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit.h - a tiny test harness: CHECK() records a failure and goes on;
 * unit_done() prints "N passed, N failed" and gives the exit status.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int unit_pass, unit_fail;

#define CHECK(cond) do {						\
	if (cond) {							\
		unit_pass++;						\
	} else {							\
		unit_fail++;						\
		fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long _a = (unsigned long long)(a);		\
	unsigned long long _b = (unsigned long long)(b);		\
	if (_a == _b) {							\
		unit_pass++;						\
	} else {							\
		unit_fail++;						\
		fprintf(stderr, "%s:%d: FAILED: %s == %s (0x%llx != 0x%llx)\n", \
			__FILE__, __LINE__, #a, #b, _a, _b);		\
	}								\
} while (0)

static inline int unit_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_pass, unit_fail);
	return unit_fail ? 1 : 0;
}

#endif /* UNIT_H */
