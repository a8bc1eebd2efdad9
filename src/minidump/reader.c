/*
 * reader.c - opening a minidump: header, stream directory, dispatch to the
 * stream decoders, and the bounds-checked primitives they all use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MD_SIGNATURE 0x504d444du /* "MDMP" */
#define MD_VERSION 0xa793u
#define MD_HEADER_SIZE 32
#define MD_DIR_ENTRY_SIZE 12
#define MD_MAX_PROBLEMS 256

/* ---- problems --------------------------------------------------------- */

void md__problem(md_dump *d, uint32_t stream, uint64_t offset, const char *fmt, ...)
{
	if (d->nproblems >= MD_MAX_PROBLEMS) {
		d->nproblems_dropped++;
		return;
	}
	if (d->nproblems == d->problems_cap) {
		uint32_t cap = d->problems_cap ? d->problems_cap * 2 : 8;
		md_problem *np = cd_arena_calloc(&d->arena, cap, sizeof *np);
		if (!np)
			return;
		if (d->nproblems)
			memcpy(np, d->problems, d->nproblems * sizeof *np);
		d->problems = np;
		d->problems_cap = cap;
	}
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	md_problem *p = &d->problems[d->nproblems++];
	p->stream_type = stream;
	p->offset = offset;
	p->message = md__strndup(d, msg, strlen(msg));
}

/* ---- bounds-checked access ---------------------------------------------- */

/* The ranges a big dump's parse read, in the order read. */
struct md__touched {
	uint64_t (*r)[2]; /* offset, length */
	size_t n, cap;
	int failed;       /* out of memory: no content id */
};

void md__touch(const md_dump *d, uint64_t off, uint64_t len)
{
	struct md__touched *t = d->touched;
	if (!t || !len || t->failed)
		return;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		uint64_t(*r)[2] = realloc(t->r, cap * sizeof *r);
		if (!r) {
			t->failed = 1;
			return;
		}
		t->r = r;
		t->cap = cap;
	}
	t->r[t->n][0] = off;
	t->r[t->n][1] = len;
	t->n++;
}

const uint8_t *md__at(const md_dump *d, uint64_t off, uint64_t len)
{
	if (off > d->file_size || len > d->file_size - off)
		return NULL;
	md__touch(d, off, len);
	return d->data + off;
}

static int by_offset(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* content_id: the ranges read, sorted and merged, hashed with their
 * offsets (so that the same bytes elsewhere are another dump). */
static void make_content_id(md_dump *d)
{
	struct md__touched *t = d->touched;
	d->touched = NULL;
	if (t && !t->failed) {
		if (t->n)
			qsort(t->r, t->n, sizeof *t->r, by_offset);
		cd_sha256 h;
		cd_sha256_init(&h);
		uint8_t w[8];
		cd_sha256_update(&h, "crashdesk dump ranges 1\n", 24);
		for (int k = 0; k < 8; k++)
			w[k] = (uint8_t)(d->file_size >> 8 * k);
		cd_sha256_update(&h, w, 8);
		for (size_t i = 0; i < t->n;) {
			uint64_t lo = t->r[i][0], hi = lo + t->r[i][1];
			for (i++; i < t->n && t->r[i][0] <= hi; i++)
				if (t->r[i][0] + t->r[i][1] > hi)
					hi = t->r[i][0] + t->r[i][1];
			uint8_t rw[16];
			for (int k = 0; k < 8; k++) {
				rw[k] = (uint8_t)(lo >> 8 * k);
				rw[8 + k] = (uint8_t)((hi - lo) >> 8 * k);
			}
			cd_sha256_update(&h, rw, 16);
			cd_sha256_update(&h, d->data + lo, hi - lo);
		}
		uint8_t digest[32];
		cd_sha256_final(&h, digest);
		cd_sha256_hex(digest, d->content_id);
	}
	if (t)
		free(t->r);
	free(t);
}

const char *md__strndup(md_dump *d, const void *p, size_t n)
{
	char *s = cd_arena_strndup(&d->arena, p, n);
	return s ? s : "";
}

int md__charge(md_dump *d, uint32_t stream, uint64_t offset, uint64_t n, const char *what)
{
	/* Charged as the arena hands it out (16-byte units), so many tiny
	 * strings cost what they really cost. */
	n = (n + 15) & ~(uint64_t)15;
	if (n > d->string_budget) {
		md__problem(d, stream, offset, "too much decoded data; %s not decoded", what);
		return 0;
	}
	d->string_budget -= n;
	return 1;
}

const char *md__string(md_dump *d, uint32_t stream, uint64_t rva)
{
	const uint8_t *p = md__at(d, rva, 4);
	if (!p) {
		md__problem(d, stream, rva, "string RVA 0x%llx is outside the file",
			    (unsigned long long)rva);
		return NULL;
	}
	uint32_t bytes = cd_le32(p);
	uint64_t avail = d->file_size - rva - 4;
	if (bytes > avail) {
		/* The rest of the file is not a name: callers mark what owns it
		 * damaged instead of showing garbage. */
		md__problem(d, stream, rva,
			    "string of %u bytes runs past the end of the file", bytes);
		return NULL;
	}
	/* UTF-16 to UTF-8 grows at most 3/2. */
	if (!md__charge(d, stream, rva, (uint64_t)bytes * 3 / 2 + 1, "string"))
		return NULL;
	cd_buf b;
	cd_buf_init(&b, 0);
	if (cd_utf16le_to_utf8(&b, p + 4, bytes / 2) != CD_OK) {
		cd_buf_free(&b);
		return NULL;
	}
	const char *s = md__strndup(d, b.data ? b.data : "", b.len);
	cd_buf_free(&b);
	return s;
}

const char *md__wchars(md_dump *d, const uint8_t *p, size_t units)
{
	size_t n = 0;
	while (n < units && cd_le16(p + 2 * n))
		n++;
	cd_buf b;
	cd_buf_init(&b, 0);
	cd_utf16le_to_utf8(&b, p, n);
	const char *s = md__strndup(d, b.data ? b.data : "", b.len);
	cd_buf_free(&b);
	return s;
}

const char *md__utf8(md_dump *d, uint32_t stream, uint64_t rva)
{
	const uint8_t *p = md__at(d, rva, 4);
	if (!p) {
		md__problem(d, stream, rva, "string RVA 0x%llx is outside the file",
			    (unsigned long long)rva);
		return NULL;
	}
	uint32_t len = cd_le32(p);
	if (len > d->file_size - rva - 4) {
		md__problem(d, stream, rva,
			    "string of %u bytes runs past the end of the file", len);
		return NULL;
	}
	if (!md__charge(d, stream, rva, (uint64_t)len + 1, "string"))
		return NULL;
	return md__strndup(d, p + 4, len);
}

uint64_t md__fit(md_dump *d, const md_view *v, uint64_t start, uint64_t count,
		 uint64_t entry_size, const char *what)
{
	uint64_t room = v->size > start ? (v->size - start) / entry_size : 0;
	if (count > room) {
		md__problem(d, v->type, v->rva + start,
			    "%s: count %llu but room for only %llu entries of %llu bytes",
			    what, (unsigned long long)count, (unsigned long long)room,
			    (unsigned long long)entry_size);
		return room;
	}
	return count;
}

void md__memory_desc(md_dump *d, uint32_t stream, const uint8_t *p, md_memory *m)
{
	m->base = cd_le64(p);
	m->size = cd_le32(p + 8);
	m->rva = cd_le32(p + 12);
	m->avail = 0;
	m->data = NULL;
	if (m->base + m->size < m->base) {
		md__problem(d, stream, m->rva, "memory range at 0x%llx wraps around",
			    (unsigned long long)m->base);
		return;
	}
	if (m->rva >= d->file_size) {
		if (m->size)
			md__problem(d, stream, m->rva,
				    "memory of 0x%llx bytes at RVA 0x%llx is outside the file",
				    (unsigned long long)m->size, (unsigned long long)m->rva);
		return;
	}
	m->data = d->data + m->rva;
	m->avail = m->size;
	if (m->size > d->file_size - m->rva) {
		m->avail = d->file_size - m->rva;
		md__problem(d, stream, m->rva,
			    "memory at 0x%llx claims 0x%llx bytes, only 0x%llx are in the file",
			    (unsigned long long)m->base, (unsigned long long)m->size,
			    (unsigned long long)m->avail);
	}
	md__touch(d, m->rva, m->avail);
}

/* ---- names ------------------------------------------------------------------ */

const char *md_stream_type_name(uint32_t type)
{
	switch (type) {
	case MD_STREAM_UNUSED: return "Unused";
	case 1: return "Reserved0";
	case 2: return "Reserved1";
	case MD_STREAM_THREAD_LIST: return "ThreadList";
	case MD_STREAM_MODULE_LIST: return "ModuleList";
	case MD_STREAM_MEMORY_LIST: return "MemoryList";
	case MD_STREAM_EXCEPTION: return "Exception";
	case MD_STREAM_SYSTEM_INFO: return "SystemInfo";
	case MD_STREAM_THREAD_EX_LIST: return "ThreadExList";
	case MD_STREAM_MEMORY64_LIST: return "Memory64List";
	case 10: return "CommentA";
	case 11: return "CommentW";
	case MD_STREAM_HANDLE_DATA: return "HandleData";
	case 13: return "FunctionTable";
	case MD_STREAM_UNLOADED_MODULE_LIST: return "UnloadedModuleList";
	case MD_STREAM_MISC_INFO: return "MiscInfo";
	case MD_STREAM_MEMORY_INFO_LIST: return "MemoryInfoList";
	case 17: return "ThreadInfoList";
	case 18: return "HandleOperationList";
	case 19: return "Token";
	case 20: return "JavaScriptData";
	case 21: return "SystemMemoryInfo";
	case 22: return "ProcessVmCounters";
	case 23: return "IptTrace";
	case MD_STREAM_THREAD_NAME_LIST: return "ThreadNameList";
	case MD_STREAM_BREAKPAD_INFO: return "BreakpadInfo";
	case MD_STREAM_ASSERTION_INFO: return "AssertionInfo";
	case MD_STREAM_LINUX_CPU_INFO: return "LinuxCpuInfo";
	case MD_STREAM_LINUX_PROC_STATUS: return "LinuxProcStatus";
	case MD_STREAM_LINUX_LSB_RELEASE: return "LinuxLsbRelease";
	case MD_STREAM_LINUX_CMD_LINE: return "LinuxCmdLine";
	case MD_STREAM_LINUX_ENVIRON: return "LinuxEnviron";
	case MD_STREAM_LINUX_AUXV: return "LinuxAuxv";
	case MD_STREAM_LINUX_MAPS: return "LinuxMaps";
	case MD_STREAM_LINUX_DSO_DEBUG: return "LinuxDsoDebug";
	case 0x4767000B: return "LinuxProcStat";
	case 0x4767000C: return "LinuxProcUptime";
	case 0x4767000D: return "LinuxProcLimits";
	case 0x4767000E: return "LinuxProcFd";
	case MD_STREAM_CRASHPAD_INFO: return "CrashpadInfo";
	case 0x4d7a0001: return "MozMacosCrashInfo";
	case 0x4d7a0002: return "MozMacosBootargs";
	case 0x4d7a0003: return "MozLinuxLimits";
	case 0x4d7a0004: return "MozSoftErrors";
	}
	return NULL;
}

const char *md_stream_state_name(md_stream_state s)
{
	switch (s) {
	case MD_STREAM_ABSENT: return "absent";
	case MD_STREAM_OK: return "ok";
	case MD_STREAM_PARTIAL: return "partial";
	case MD_STREAM_BAD: return "bad";
	}
	return "?";
}

/* ---- open ------------------------------------------------------------------ */

/* Where each decoded stream's state is kept, for the dispatch table. */
static md_stream_state *state_slot(md_dump *d, uint32_t type)
{
	switch (type) {
	case MD_STREAM_THREAD_LIST:
	case MD_STREAM_THREAD_EX_LIST: return &d->threads_state;
	case MD_STREAM_MODULE_LIST: return &d->modules_state;
	case MD_STREAM_UNLOADED_MODULE_LIST: return &d->unloaded_state;
	case MD_STREAM_MEMORY_LIST:
	case MD_STREAM_MEMORY64_LIST: return &d->memory_state;
	case MD_STREAM_MEMORY_INFO_LIST: return &d->meminfo_state;
	case MD_STREAM_HANDLE_DATA: return &d->handles_state;
	case MD_STREAM_EXCEPTION: return &d->exception_state;
	case MD_STREAM_SYSTEM_INFO: return &d->sysinfo_state;
	case MD_STREAM_MISC_INFO: return &d->misc_state;
	case MD_STREAM_THREAD_NAME_LIST: return &d->thread_names_state;
	case MD_STREAM_BREAKPAD_INFO: return &d->breakpad_state;
	case MD_STREAM_ASSERTION_INFO: return &d->assertion_state;
	case MD_STREAM_CRASHPAD_INFO: return &d->crashpad_state;
	case MD_STREAM_LINUX_CPU_INFO: return &d->linux_cpu_info_state;
	case MD_STREAM_LINUX_PROC_STATUS: return &d->linux_proc_status_state;
	case MD_STREAM_LINUX_LSB_RELEASE: return &d->linux_lsb_release_state;
	case MD_STREAM_LINUX_CMD_LINE: return &d->linux_cmdline_state;
	case MD_STREAM_LINUX_ENVIRON: return &d->linux_environ_state;
	case MD_STREAM_LINUX_MAPS: return &d->linux_maps_state;
	case MD_STREAM_LINUX_AUXV: return &d->auxv_state;
	case MD_STREAM_LINUX_DSO_DEBUG: return &d->dso_debug_state;
	}
	return NULL;
}

static md_stream_state decode(md_dump *d, const md_view *v)
{
	switch (v->type) {
	case MD_STREAM_THREAD_LIST: return md__threads(d, v, 0);
	case MD_STREAM_THREAD_EX_LIST: return md__threads(d, v, 1);
	case MD_STREAM_MODULE_LIST: return md__modules(d, v);
	case MD_STREAM_UNLOADED_MODULE_LIST: return md__unloaded(d, v);
	case MD_STREAM_MEMORY_LIST: return md__memory_list(d, v);
	case MD_STREAM_MEMORY64_LIST: return md__memory64_list(d, v);
	case MD_STREAM_MEMORY_INFO_LIST: return md__memory_info(d, v);
	case MD_STREAM_HANDLE_DATA: return md__handles(d, v);
	case MD_STREAM_EXCEPTION: return md__exception(d, v);
	case MD_STREAM_SYSTEM_INFO: return md__system_info(d, v);
	case MD_STREAM_MISC_INFO: return md__misc_info(d, v);
	case MD_STREAM_THREAD_NAME_LIST: return md__thread_names(d, v);
	case MD_STREAM_BREAKPAD_INFO: return md__breakpad_info(d, v);
	case MD_STREAM_ASSERTION_INFO: return md__assertion(d, v);
	case MD_STREAM_CRASHPAD_INFO: return md__crashpad(d, v);
	case MD_STREAM_LINUX_CPU_INFO: return md__linux_text(d, v, &d->linux_cpu_info);
	case MD_STREAM_LINUX_PROC_STATUS: return md__linux_text(d, v, &d->linux_proc_status);
	case MD_STREAM_LINUX_LSB_RELEASE: return md__linux_text(d, v, &d->linux_lsb_release);
	case MD_STREAM_LINUX_CMD_LINE: return md__linux_text(d, v, &d->linux_cmdline);
	case MD_STREAM_LINUX_ENVIRON: return md__linux_text(d, v, &d->linux_environ);
	case MD_STREAM_LINUX_MAPS: return md__linux_text(d, v, &d->linux_maps);
	case MD_STREAM_LINUX_AUXV: return md__auxv(d, v);
	case MD_STREAM_LINUX_DSO_DEBUG: return md__dso_debug(d, v);
	}
	return MD_STREAM_OK; /* listed in the directory, not decoded */
}

/* Order in which streams are decoded: SystemInfo first (it tells the CPU for
 * contexts), thread lists before thread names, the rest in directory order. */
static int decode_rank(uint32_t type)
{
	switch (type) {
	case MD_STREAM_SYSTEM_INFO: return 0;
	case MD_STREAM_THREAD_NAME_LIST: return 2;
	}
	return 1;
}

static md_view view_of(md_dump *d, const md_dir_entry *e)
{
	md_view v = { .type = e->type, .rva = e->rva, .claimed = e->size };
	if (e->rva < d->file_size) {
		v.p = d->data + e->rva;
		v.size = e->size;
		if (v.size > d->file_size - e->rva)
			v.size = d->file_size - e->rva;
		md__touch(d, e->rva, v.size);
	}
	return v;
}

/* Streams worth an overlap check: real, non-empty, and inside the file
 * (those outside were reported already). */
static int in_file(const md_dump *d, const md_dir_entry *e)
{
	return e->size && !e->duplicate && e->type != MD_STREAM_UNUSED &&
	       md__at(d, e->rva, e->size);
}

/* qsort_r comparators over directory indexes; ties keep directory order. */
static int by_rva(const void *a, const void *b, void *dir)
{
	const md_dir_entry *x = (const md_dir_entry *)dir + *(const uint32_t *)a;
	const md_dir_entry *y = (const md_dir_entry *)dir + *(const uint32_t *)b;
	if (x->rva != y->rva)
		return x->rva < y->rva ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}
static int by_type(const void *a, const void *b, void *dir)
{
	const md_dir_entry *x = (const md_dir_entry *)dir + *(const uint32_t *)a;
	const md_dir_entry *y = (const md_dir_entry *)dir + *(const uint32_t *)b;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Directory indexes sorted with cmp (O(n log n): hostile directories
 * are thousands of entries long). */
static uint32_t *sorted_dir(md_dump *d, int (*cmp)(const void *, const void *, void *))
{
	uint32_t *ix = cd_arena_calloc(&d->arena, d->ndir ? d->ndir : 1, sizeof *ix);
	if (!ix)
		return NULL;
	for (uint32_t i = 0; i < d->ndir; i++)
		ix[i] = i;
	qsort_r(ix, d->ndir, sizeof *ix, cmp, d->dir);
	return ix;
}

/* A second stream of a type is ignored: the first in directory order wins. */
static void mark_duplicates(md_dump *d)
{
	uint32_t *ix = sorted_dir(d, by_type);
	for (uint32_t k = 1; ix && k < d->ndir; k++) {
		md_dir_entry *e = &d->dir[ix[k]];
		if (e->type != MD_STREAM_UNUSED && e->type == d->dir[ix[k - 1]].type)
			e->duplicate = 1;
	}
}

/* Overlapping streams are harmless to read but a sign of a forged or
 * damaged file, so they are reported: a sweep in RVA order. */
static void check_overlaps(md_dump *d)
{
	uint32_t *ix = sorted_dir(d, by_rva);
	uint64_t reach = 0;  /* furthest end of the streams swept so far */
	uint32_t owner = 0;  /* the stream that reaches it */
	int any = 0;
	/* The header and the directory are the file's own bytes: a stream on
	 * top of them reads the dump's bookkeeping as data. */
	uint64_t dir_end = (uint64_t)d->dir_rva + (uint64_t)d->ndir * 12;
	for (uint32_t k = 0; ix && k < d->ndir; k++) {
		const md_dir_entry *e = &d->dir[ix[k]];
		if (!in_file(d, e))
			continue;
		uint64_t end = (uint64_t)e->rva + e->size;
		if (e->rva < MD_HEADER_SIZE)
			md__problem(d, e->type, e->rva, "stream overlaps the header (bytes 0-0x%x)",
				    MD_HEADER_SIZE - 1);
		else if (d->ndir && e->rva < dir_end && end > d->dir_rva)
			md__problem(d, e->type, e->rva,
				    "stream overlaps the stream directory at 0x%x", d->dir_rva);
		if (any && e->rva < reach) {
			const char *on = md_stream_type_name(d->dir[owner].type);
			md__problem(d, e->type, e->rva, "stream overlaps stream %u (%s) at 0x%x", owner,
				    on ? on : "unknown", d->dir[owner].rva);
		}
		if (!any || end > reach) {
			reach = end;
			owner = ix[k];
		}
		any = 1;
	}
}

#define MD_MAX_DIR 4096 /* real dumps have < 50 streams */

static int read_directory(md_dump *d, cd_err *e)
{
	uint32_t want = d->stream_count;
	uint64_t room = d->dir_rva < d->file_size
				? (d->file_size - d->dir_rva) / MD_DIR_ENTRY_SIZE : 0;
	if (want && room == 0)
		return cd_errf(e, CD_EFORMAT,
			       "%s: stream directory at offset 0x%x is outside the file (%llu bytes)",
			       d->path, d->dir_rva, (unsigned long long)d->file_size);
	uint32_t n = want;
	if (n > room) {
		md__problem(d, 0, d->dir_rva,
			    "directory claims %u streams, only %llu fit in the file",
			    want, (unsigned long long)room);
		n = (uint32_t)room;
	}
	if (n > MD_MAX_DIR) {
		md__problem(d, 0, d->dir_rva, "directory claims %u streams; reading the first %u",
			    n, MD_MAX_DIR);
		n = MD_MAX_DIR;
	}
	d->dir = cd_arena_calloc(&d->arena, n ? n : 1, sizeof *d->dir);
	if (!d->dir)
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", d->path);
	md__touch(d, d->dir_rva, (uint64_t)n * MD_DIR_ENTRY_SIZE);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = d->data + d->dir_rva + (uint64_t)i * MD_DIR_ENTRY_SIZE;
		md_dir_entry *de = &d->dir[i];
		de->type = cd_le32(p);
		de->size = cd_le32(p + 4);
		de->rva = cd_le32(p + 8);
	}
	d->ndir = n;
	mark_duplicates(d);
	return CD_OK;
}

static void decode_streams(md_dump *d)
{
	for (int rank = 0; rank <= 2; rank++) {
		for (uint32_t i = 0; i < d->ndir; i++) {
			md_dir_entry *de = &d->dir[i];
			if (decode_rank(de->type) != rank || de->type == MD_STREAM_UNUSED)
				continue;
			const char *name = md_stream_type_name(de->type);
			if (de->duplicate) {
				md__problem(d, de->type, d->dir_rva + (uint64_t)i * MD_DIR_ENTRY_SIZE,
					    "second %s stream (directory entry %u) ignored",
					    name ? name : "unknown", i);
				de->state = MD_STREAM_BAD;
				continue;
			}
			md_view v = view_of(d, de);
			md_stream_state st;
			if (!v.p && de->size) {
				md__problem(d, de->type, de->rva,
					    "stream of %u bytes at 0x%x is outside the file (%llu bytes)",
					    de->size, de->rva, (unsigned long long)d->file_size);
				st = MD_STREAM_BAD;
			} else {
				if (v.size < v.claimed)
					md__problem(d, de->type, de->rva,
						    "stream claims %u bytes, only %llu are in the file",
						    de->size, (unsigned long long)v.size);
				st = decode(d, &v);
				if (v.size < v.claimed && st == MD_STREAM_OK)
					st = MD_STREAM_PARTIAL;
			}
			de->state = st;
			md_stream_state *slot = state_slot(d, de->type);
			if (slot)
				*slot = *slot == MD_STREAM_ABSENT ? st : md__worse(*slot, st);
		}
	}
	md__memory_finish(d);
}

int md_open_mem(const uint8_t *data, size_t size, const char *name, md_dump **out,
		cd_err *e)
{
	*out = NULL;
	md_dump *d = calloc(1, sizeof *d);
	if (!d)
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", name);
	/* The arena is bounded by the file: every decoded object stands for
	 * bytes of the file, strings are charged separately. */
	cd_arena_init(&d->arena, 0);
	d->data = data;
	d->file_size = size;
	d->string_budget = 2 * (uint64_t)size + (1u << 20);
	d->path = md__strndup(d, name, strlen(name));
	d->sysinfo.os = d->sysinfo.os_short = "unknown";
	d->sysinfo.csd_version = d->sysinfo.cpu_vendor = "";
	if (size > MD_WHOLE_HASH_MAX)
		d->touched = calloc(1, sizeof *d->touched);
	md__touch(d, 0, size < MD_HEADER_SIZE ? size : MD_HEADER_SIZE);

	int rc = CD_OK;
	if (size < MD_HEADER_SIZE) {
		rc = cd_errf(e, CD_EFORMAT,
			     "%s: not a minidump: the file ends at offset 0x%zx, a header needs %d bytes",
			     name, size, MD_HEADER_SIZE);
		goto fail;
	}
	d->signature = cd_le32(data);
	d->version = cd_le32(data + 4);
	d->stream_count = cd_le32(data + 8);
	d->dir_rva = cd_le32(data + 12);
	d->checksum = cd_le32(data + 16);
	d->time_date_stamp = cd_le32(data + 20);
	d->flags = cd_le64(data + 24);
	if (d->signature != MD_SIGNATURE) {
		rc = cd_errf(e, CD_EFORMAT,
			     "%s: not a minidump: signature at offset 0x0 is 0x%08x, expected 0x%08x (\"MDMP\")",
			     name, d->signature, MD_SIGNATURE);
		goto fail;
	}
	if ((d->version & 0xffff) != MD_VERSION)
		md__problem(d, 0, 4, "header version 0x%x, expected 0x%x in the low 16 bits",
			    d->version & 0xffff, MD_VERSION);
	rc = read_directory(d, e);
	if (rc)
		goto fail;
	decode_streams(d);
	check_overlaps(d);
	make_content_id(d);
	*out = d;
	return CD_OK;
fail:
	md_close(d);
	return rc;
}

int md_open(const char *path, md_dump **out, cd_err *e)
{
	*out = NULL;
	cd_map m;
	int rc = cd_map_open(path, &m, e);
	if (rc)
		return rc;
	if (!m.data)
		return cd_errf(e, CD_EFORMAT,
			       "%s: not a minidump: the file is empty (ends at offset 0x0)", path);
	rc = md_open_mem(m.data, m.size, path, out, e);
	if (rc) {
		cd_map_close(&m);
		return rc;
	}
	(*out)->map = m;
	return CD_OK;
}

void md_close(md_dump *d)
{
	if (!d)
		return;
	if (d->touched)
		free(d->touched->r);
	free(d->touched);
	cd_map_close(&d->map);
	cd_arena_free(&d->arena);
	free(d);
}

/* ---- lookups ------------------------------------------------------------------ */

const md_module *md_find_module(const md_dump *d, uint64_t addr)
{
	for (uint32_t i = 0; i < d->nmodules; i++) {
		const md_module *m = &d->modules[i];
		if (addr >= m->base && addr - m->base < m->size)
			return m;
	}
	return NULL;
}

const md_thread *md_find_thread(const md_dump *d, uint32_t id)
{
	for (uint32_t i = 0; i < d->nthreads; i++)
		if (d->threads[i].id == id)
			return &d->threads[i];
	return NULL;
}

int md_process_uptime(const md_dump *d, uint64_t *secs)
{
	if (d->misc_state == MD_STREAM_ABSENT || !d->misc.has_times ||
	    d->misc.create_time == 0 || d->time_date_stamp < d->misc.create_time)
		return CD_ENOTFOUND;
	*secs = (uint64_t)d->time_date_stamp - d->misc.create_time;
	return CD_OK;
}
