/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pipeline.h - compress pages on worker threads, hand them back in order.
 */
#ifndef MDF_PIPELINE_H
#define MDF_PIPELINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "compress.h"

#define SLOT_PAGES	64

struct page_result {
	const uint8_t *data;	/* what to store */
	uint32_t len;
	uint32_t flags;		/* DUMP_DH_COMPRESSED_* or 0 */
	bool zero;		/* all zero and zero pages are excluded */
};

struct slot;

/**
 * struct pipeline - a ring of slots of SLOT_PAGES pages.  The caller fills
 * slots in order with pipeline_add(); workers compress whole slots; the
 * caller's @emit callback gets the pages back in the order they were added.
 * With no worker threads the caller compresses each slot itself, so output
 * never depends on the number of threads.
 */
struct pipeline {
	unsigned int page_size;
	bool check_zero;
	unsigned int codec;
	int nthreads;
	int ncomp;
	pthread_t *threads;
	struct compressor *comps;	/* one per thread, or one inline */
	struct slot *slots;
	unsigned int nslots;
	uint64_t filled;		/* slots handed to workers */
	uint64_t taken;			/* slots a worker has started */
	uint64_t written;		/* slots emitted */
	unsigned int fill_n;		/* pages in the slot being filled */
	bool stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool (*emit)(void *arg, const struct page_result *r);
	void *arg;
};

bool pipeline_init(struct pipeline *p, unsigned int codec, unsigned int page_size,
		   bool check_zero, int nthreads,
		   bool (*emit)(void *arg, const struct page_result *r), void *arg);
bool pipeline_add(struct pipeline *p, const uint8_t *page);
bool pipeline_finish(struct pipeline *p);
void pipeline_fini(struct pipeline *p);

#endif /* MDF_PIPELINE_H */
