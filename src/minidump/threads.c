/* threads.c - ThreadList, ThreadExList and ThreadNameList. */
#include <stdlib.h>

#include "internal.h"

#define THREAD_SIZE 48
#define THREAD_EX_SIZE 64
#define THREAD_NAME_SIZE 12

md_stream_state md__threads(md_dump *d, const md_view *v, int ex)
{
	const char *what = ex ? "ThreadExList" : "ThreadList";
	if (d->threads) {
		/* A dump with both lists: the first one read wins. */
		md__problem(d, v->type, v->rva, "%s ignored: threads already read", what);
		return MD_STREAM_BAD;
	}
	if (v->size < 4) {
		md__problem(d, v->type, v->rva, "%s of %llu bytes has no count", what,
			    (unsigned long long)v->size);
		return MD_STREAM_BAD;
	}
	uint32_t count = cd_le32(v->p);
	uint64_t esize = ex ? THREAD_EX_SIZE : THREAD_SIZE;
	/* Some writers pad the count to 8 bytes. */
	uint64_t start = 4;
	if (v->claimed == 8 + count * esize)
		start = 8;
	uint64_t n = md__fit(d, v, start, count, esize, what);
	md_stream_state st = n < count ? MD_STREAM_PARTIAL : MD_STREAM_OK;
	d->threads = cd_arena_calloc(&d->arena, n ? n : 1, sizeof *d->threads);
	if (!d->threads)
		return MD_STREAM_BAD;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *p = v->p + start + i * esize;
		md_thread *t = &d->threads[i];
		t->id = cd_le32(p);
		t->suspend_count = cd_le32(p + 4);
		t->priority_class = cd_le32(p + 8);
		t->priority = cd_le32(p + 12);
		t->teb = cd_le64(p + 16);
		md__memory_desc(d, v->type, p + 24, &t->stack);
		if (t->stack.size && t->stack.avail < t->stack.size)
			st = md__worse(st, MD_STREAM_PARTIAL);
		uint32_t csize = cd_le32(p + 40), crva = cd_le32(p + 44);
		if (csize) {
			t->has_context = md__context(d, v->type, csize, crva, &t->context) == CD_OK;
			if (!t->has_context)
				st = md__worse(st, MD_STREAM_PARTIAL);
		}
		if (ex)
			md__memory_desc(d, v->type, p + 48, &t->backing_store);
	}
	d->nthreads = (uint32_t)n;
	return st;
}

static int by_id(const void *a, const void *b, void *threads)
{
	const md_thread *t = threads;
	uint32_t x = t[*(const uint32_t *)a].id, y = t[*(const uint32_t *)b].id;
	if (x != y)
		return x < y ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Position in the id-sorted index of the first thread with this id, or
 * d->nthreads (a hostile dump may have many thousands of both lists). */
static uint32_t first_with_id(const md_dump *d, const uint32_t *ix, uint32_t id)
{
	uint32_t lo = 0, hi = d->nthreads;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (d->threads[ix[mid]].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->nthreads && d->threads[ix[lo]].id == id ? lo : d->nthreads;
}

md_stream_state md__thread_names(md_dump *d, const md_view *v)
{
	if (v->size < 4) {
		md__problem(d, v->type, v->rva, "ThreadNameList has no count");
		return MD_STREAM_BAD;
	}
	uint32_t count = cd_le32(v->p);
	uint64_t n = md__fit(d, v, 4, count, THREAD_NAME_SIZE, "ThreadNameList");
	md_stream_state st = n < count ? MD_STREAM_PARTIAL : MD_STREAM_OK;
	uint32_t *ix = cd_arena_calloc(&d->arena, d->nthreads ? d->nthreads : 1, sizeof *ix);
	if (!ix)
		return MD_STREAM_BAD;
	for (uint32_t i = 0; i < d->nthreads; i++)
		ix[i] = i;
	qsort_r(ix, d->nthreads, sizeof *ix, by_id, d->threads);
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *p = v->p + 4 + i * THREAD_NAME_SIZE;
		uint32_t id = cd_le32(p);
		uint64_t rva = cd_le64(p + 4);
		const char *name = md__string(d, v->type, rva);
		if (!name) {
			st = md__worse(st, MD_STREAM_PARTIAL);
			continue;
		}
		uint32_t k = first_with_id(d, ix, id);
		if (k == d->nthreads) {
			if (d->nthreads)
				md__problem(d, v->type, v->rva + 4 + i * THREAD_NAME_SIZE,
					    "a name for thread %u, which is not in the thread list", id);
		} else if (d->threads[ix[k]].name) {
			md__problem(d, v->type, v->rva + 4 + i * THREAD_NAME_SIZE,
				    "a second name for thread %u ignored", id);
		} else {
			d->threads[ix[k]].name = name;
		}
	}
	/* Threads listed twice with one id share its name. */
	for (uint32_t k = 1; k < d->nthreads; k++) {
		md_thread *t = &d->threads[ix[k]], *prev = &d->threads[ix[k - 1]];
		if (t->id == prev->id && !t->name)
			t->name = prev->name;
	}
	return st;
}
