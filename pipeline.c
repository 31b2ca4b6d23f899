// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pipeline.c - parallel page compression with in-order output.
 *
 * The main thread reads pages (pipeline_add copies each into the slot being
 * filled) and writes results (the emit callback); worker threads take full
 * slots in submission order, test for zero pages and compress.  Memory is
 * fixed: nslots * SLOT_PAGES * (page + compression bound).
 */
#include <stdlib.h>
#include <string.h>

#include "makedumpfile.h"
#include "pipeline.h"

enum slot_state { SLOT_FREE, SLOT_FILLED, SLOT_DONE };

struct slot {
	enum slot_state state;
	unsigned int n;
	uint8_t *in;
	uint8_t *out;			/* SLOT_PAGES * out_cap */
	struct page_result res[SLOT_PAGES];
};

static void compress_slot(struct pipeline *p, struct compressor *c, struct slot *s)
{
	for (unsigned int i = 0; i < s->n; i++) {
		struct page_result *r = &s->res[i];
		const uint8_t *page = s->in + (size_t)i * p->page_size;
		uint8_t *dst = s->out + (size_t)i * c->out_cap;

		r->zero = p->check_zero && page_is_zero(page, p->page_size);
		if (r->zero)
			continue;
		r->flags = c->codec ? compress_page_to(c, page, dst, &r->len) : 0;
		if (!r->flags)
			r->len = p->page_size;
		r->data = r->flags ? dst : page;
	}
}

struct worker_arg {
	struct pipeline *p;
	int id;
};

static void *worker_main(void *varg)
{
	struct worker_arg *wa = varg;
	struct pipeline *p = wa->p;
	struct compressor *c = &p->comps[wa->id];

	free(wa);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct slot *s;

		while (!p->stop && p->taken == p->filled)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->taken == p->filled && p->stop)
			break;
		s = &p->slots[p->taken++ % p->nslots];
		pthread_mutex_unlock(&p->lock);
		compress_slot(p, c, s);
		pthread_mutex_lock(&p->lock);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

bool pipeline_init(struct pipeline *p, unsigned int codec, unsigned int page_size,
		   bool check_zero, int nthreads,
		   bool (*emit)(void *arg, const struct page_result *r), void *arg)
{
	int ncomp = nthreads > 0 ? nthreads : 1;

	memset(p, 0, sizeof(*p));
	p->ncomp = ncomp;
	p->page_size = page_size;
	p->check_zero = check_zero;
	p->codec = codec;
	p->emit = emit;
	p->arg = arg;
	p->comps = xcalloc((size_t)ncomp, sizeof(*p->comps));
	for (int i = 0; i < ncomp; i++)
		if (!compressor_init(&p->comps[i], codec, page_size))
			return false;
	p->nslots = nthreads > 0 ? 2 * (unsigned int)nthreads + 1 : 1;
	p->slots = xcalloc(p->nslots, sizeof(*p->slots));
	for (unsigned int i = 0; i < p->nslots; i++) {
		p->slots[i].in = xmalloc((size_t)SLOT_PAGES * page_size);
		p->slots[i].out = xmalloc((size_t)SLOT_PAGES *
					  (p->comps[0].out_cap ? p->comps[0].out_cap : 1));
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (nthreads <= 0)
		return true;
	p->threads = xcalloc((size_t)nthreads, sizeof(*p->threads));
	for (int i = 0; i < nthreads; i++) {
		struct worker_arg *wa = xmalloc(sizeof(*wa));

		wa->p = p;
		wa->id = i;
		if (pthread_create(&p->threads[i], NULL, worker_main, wa)) {
			free(wa);
			ERRMSG("Can't create a compression thread.\n");
			p->nthreads = i;
			return false;
		}
		p->nthreads = i + 1;
	}
	return true;
}

/* Emit the oldest submitted slot once it is compressed. */
static bool emit_oldest(struct pipeline *p, bool wait)
{
	struct slot *s = &p->slots[p->written % p->nslots];
	bool ok = true;

	pthread_mutex_lock(&p->lock);
	while (wait && s->state != SLOT_DONE)
		pthread_cond_wait(&p->cond, &p->lock);
	if (s->state != SLOT_DONE) {
		pthread_mutex_unlock(&p->lock);
		return true;
	}
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < s->n && ok; i++)
		ok = p->emit(p->arg, &s->res[i]);
	s->state = SLOT_FREE;
	s->n = 0;
	p->written++;
	return ok;
}

static bool submit(struct pipeline *p)
{
	struct slot *s = &p->slots[p->filled % p->nslots];

	if (!p->nthreads) {
		compress_slot(p, &p->comps[0], s);
		s->state = SLOT_DONE;
		p->filled++;
		p->fill_n = 0;
		return emit_oldest(p, true);
	}
	pthread_mutex_lock(&p->lock);
	s->state = SLOT_FILLED;
	p->filled++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	p->fill_n = 0;
	/* emit what is ready; block only when every slot is in flight */
	while (p->written < p->filled) {
		bool full = p->filled - p->written >= p->nslots;
		uint64_t before = p->written;

		if (!emit_oldest(p, full))
			return false;
		if (p->written == before)
			break;
	}
	return true;
}

/**
 * pipeline_add - queue one page (copied; @page may be reused at once).
 */
bool pipeline_add(struct pipeline *p, const uint8_t *page)
{
	struct slot *s = &p->slots[p->filled % p->nslots];

	if (!p->nthreads) {
		/* no copy: compress straight from the caller's page and emit */
		struct page_result r = { 0 };

		r.zero = p->check_zero && page_is_zero(page, p->page_size);
		if (!r.zero) {
			r.flags = p->codec ? compress_page_to(&p->comps[0], page,
							      s->out, &r.len) : 0;
			if (!r.flags)
				r.len = p->page_size;
			r.data = r.flags ? s->out : page;
		}
		return p->emit(p->arg, &r);
	}
	memcpy(s->in + (size_t)p->fill_n * p->page_size, page, p->page_size);
	s->n = ++p->fill_n;
	if (p->fill_n == SLOT_PAGES)
		return submit(p);
	return true;
}

/* Flush the partial slot and wait for every page to be emitted. */
bool pipeline_finish(struct pipeline *p)
{
	if (p->fill_n && !submit(p))
		return false;
	while (p->written < p->filled)
		if (!emit_oldest(p, true))
			return false;
	return true;
}

void pipeline_fini(struct pipeline *p)
{
	if (p->nthreads) {
		pthread_mutex_lock(&p->lock);
		p->stop = true;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		for (int i = 0; i < p->nthreads; i++)
			pthread_join(p->threads[i], NULL);
	}
	if (p->comps)
		for (int i = 0; i < p->ncomp; i++)
			compressor_fini(&p->comps[i]);
	for (unsigned int i = 0; p->slots && i < p->nslots; i++) {
		free(p->slots[i].in);
		free(p->slots[i].out);
	}
	free(p->slots);
	free(p->comps);
	free(p->threads);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	memset(p, 0, sizeof(*p));
}
