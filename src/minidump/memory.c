/*
 * memory.c - MemoryList, Memory64List, MemoryInfoList, and reading the
 * crashed process's memory back out of them.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MEMDESC_SIZE 16
#define MEMINFO_SIZE 48

/* Regions from both lists are gathered here, then sorted once. */
static int add_regions(md_dump *d, uint64_t n, md_memory **first)
{
	uint64_t total = (uint64_t)d->nmemory + n;
	md_memory *m = cd_arena_calloc(&d->arena, total ? total : 1, sizeof *m);
	if (!m)
		return CD_ENOMEM;
	if (d->nmemory)
		memcpy(m, d->memory, d->nmemory * sizeof *m);
	*first = m + d->nmemory;
	d->memory = m;
	return CD_OK;
}

md_stream_state md__memory_list(md_dump *d, const md_view *v)
{
	if (v->size < 4) {
		md__problem(d, v->type, v->rva, "MemoryList has no count");
		return MD_STREAM_BAD;
	}
	uint32_t count = cd_le32(v->p);
	uint64_t start = v->claimed == 8 + (uint64_t)count * MEMDESC_SIZE ? 8 : 4;
	uint64_t n = md__fit(d, v, start, count, MEMDESC_SIZE, "MemoryList");
	md_stream_state st = n < count ? MD_STREAM_PARTIAL : MD_STREAM_OK;
	md_memory *out;
	if (add_regions(d, n, &out))
		return MD_STREAM_BAD;
	for (uint64_t i = 0; i < n; i++) {
		md__memory_desc(d, v->type, v->p + start + i * MEMDESC_SIZE, &out[i]);
		if (out[i].avail < out[i].size)
			st = md__worse(st, MD_STREAM_PARTIAL);
	}
	d->nmemory += (uint32_t)n;
	return st;
}

md_stream_state md__memory64_list(md_dump *d, const md_view *v)
{
	if (v->size < 16) {
		md__problem(d, v->type, v->rva, "Memory64List header is truncated");
		return MD_STREAM_BAD;
	}
	uint64_t count = cd_le64(v->p), rva = cd_le64(v->p + 8);
	uint64_t n = md__fit(d, v, 16, count, MEMDESC_SIZE, "Memory64List");
	md_stream_state st = n < count ? MD_STREAM_PARTIAL : MD_STREAM_OK;
	md_memory *out;
	if (add_regions(d, n, &out))
		return MD_STREAM_BAD;
	/* The data of all regions follows contiguously from one base RVA. */
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *p = v->p + 16 + i * MEMDESC_SIZE;
		md_memory *m = &out[i];
		m->base = cd_le64(p);
		m->size = cd_le64(p + 8);
		m->rva = rva;
		if (m->base + m->size < m->base || rva >= d->file_size) {
			if (m->size) {
				md__problem(d, v->type, v->rva + 16 + i * MEMDESC_SIZE,
					    "region at 0x%llx of 0x%llx bytes wraps or lies outside the file",
					    (unsigned long long)m->base, (unsigned long long)m->size);
				st = md__worse(st, MD_STREAM_PARTIAL);
			}
			m->size = m->base + m->size < m->base ? 0 : m->size;
			rva = d->file_size;
			continue;
		}
		m->data = d->data + rva;
		m->avail = m->size;
		if (m->size > d->file_size - rva) {
			m->avail = d->file_size - rva;
			md__problem(d, v->type, rva,
				    "region at 0x%llx claims 0x%llx bytes, only 0x%llx are in the file",
				    (unsigned long long)m->base, (unsigned long long)m->size,
				    (unsigned long long)m->avail);
			st = md__worse(st, MD_STREAM_PARTIAL);
		}
		md__touch(d, rva, m->avail);
		rva += m->avail;
	}
	d->nmemory += (uint32_t)n;
	return st;
}

md_stream_state md__memory_info(md_dump *d, const md_view *v)
{
	if (v->size < 16) {
		md__problem(d, v->type, v->rva, "MemoryInfoList header is truncated");
		return MD_STREAM_BAD;
	}
	uint32_t hsize = cd_le32(v->p), esize = cd_le32(v->p + 4);
	uint64_t count = cd_le64(v->p + 8);
	if (hsize < 16 || esize < MEMINFO_SIZE) {
		md__problem(d, v->type, v->rva,
			    "MemoryInfoList sizes (header %u, entry %u) are too small", hsize, esize);
		return MD_STREAM_BAD;
	}
	uint64_t n = md__fit(d, v, hsize, count, esize, "MemoryInfoList");
	md_stream_state st = n < count ? MD_STREAM_PARTIAL : MD_STREAM_OK;
	d->meminfo = cd_arena_calloc(&d->arena, n ? n : 1, sizeof *d->meminfo);
	if (!d->meminfo)
		return MD_STREAM_BAD;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *p = v->p + hsize + i * esize;
		md_memory_info *mi = &d->meminfo[i];
		mi->base = cd_le64(p);
		mi->allocation_base = cd_le64(p + 8);
		mi->allocation_protection = cd_le32(p + 16);
		mi->region_size = cd_le64(p + 24);
		mi->state = cd_le32(p + 32);
		mi->protection = cd_le32(p + 36);
		mi->type = cd_le32(p + 40);
	}
	d->nmeminfo = (uint32_t)n;
	return st;
}

static int by_base(const void *a, const void *b)
{
	const md_memory *x = a, *y = b;
	return x->base < y->base ? -1 : x->base > y->base;
}

/* Orders readable regions by base, larger first on a tie. */
static int by_region_base(const void *a, const void *b)
{
	const md_memory *x = *(const md_memory *const *)a, *y = *(const md_memory *const *)b;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return x->avail > y->avail ? -1 : x->avail < y->avail;
}

/* One index over every readable region, memory lists and thread stacks
 * alike. Hostile dumps nest and overlap regions; a region lying wholly
 * inside an earlier one adds nothing and is left out, so the ends rise
 * with the bases and a lookup needs to look at one candidate only. */
void md__memory_finish(md_dump *d)
{
	if (d->nmemory > 1)
		qsort(d->memory, d->nmemory, sizeof *d->memory, by_base);
	uint64_t total = (uint64_t)d->nmemory + d->nthreads;
	const md_memory **ix = cd_arena_calloc(&d->arena, total ? total : 1, sizeof *ix);
	if (!ix)
		return;
	uint32_t n = 0;
	for (uint32_t i = 0; i < d->nmemory; i++)
		if (d->memory[i].data && d->memory[i].avail)
			ix[n++] = &d->memory[i];
	for (uint32_t i = 0; i < d->nthreads; i++)
		if (d->threads[i].stack.data && d->threads[i].stack.avail)
			ix[n++] = &d->threads[i].stack;
	if (n > 1)
		qsort(ix, n, sizeof *ix, by_region_base);
	uint32_t kept = 0;
	uint64_t reach = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t end = ix[i]->base + ix[i]->avail;
		if (end < ix[i]->base)
			end = UINT64_MAX; /* wraps past 2^64: reaches the top */
		if (kept && end <= reach)
			continue;
		reach = end;
		ix[kept++] = ix[i];
	}
	d->memory_index = ix;
	d->nmemory_index = kept;
}

/* The last indexed region starting at or below addr is the only one that
 * can hold it, as ends rise with bases. */
static const md_memory *find(const md_dump *d, uint64_t addr, uint64_t size)
{
	uint32_t lo = 0, hi = d->nmemory_index;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (d->memory_index[mid]->base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const md_memory *m = d->memory_index[lo - 1];
	uint64_t off = addr - m->base;
	return off < m->avail && size <= m->avail - off ? m : NULL;
}

const md_memory *md_find_memory(const md_dump *d, uint64_t addr)
{
	return find(d, addr, 1);
}

int md_read_memory(const md_dump *d, uint64_t addr, void *dst, size_t size)
{
	const md_memory *m = find(d, addr, size);
	if (!m)
		return CD_ENOTFOUND;
	memcpy(dst, m->data + (addr - m->base), size);
	return CD_OK;
}
