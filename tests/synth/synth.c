/*
 * synth.c - synthetic minidumps for tests (see synth.h). Offsets in the
 * structure writers below follow the packed little-endian layouts of the
 * format; each writer fills a zeroed body and appends it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

#define MAX_STREAMS 64
#define HEADER_SIZE 32
#define DATA_START (HEADER_SIZE + 12 * MAX_STREAMS)

struct synth {
	uint8_t *buf;
	size_t len, cap;
	uint32_t dir[MAX_STREAMS][3];
	int ndir;
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

synth *synth_new(void)
{
	synth *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	s->cap = 1 << 16;
	s->buf = calloc(1, s->cap);
	if (!s->buf)
		abort();
	s->len = DATA_START;
	return s;
}

void synth_free(synth *s)
{
	if (s) {
		free(s->buf);
		free(s);
	}
}

uint32_t synth_append(synth *s, const void *p, size_t n)
{
	s->len = (s->len + 7) & ~(size_t)7;
	while (s->len + n > s->cap) {
		s->buf = realloc(s->buf, s->cap * 2);
		if (!s->buf)
			abort();
		memset(s->buf + s->cap, 0, s->cap);
		s->cap *= 2;
	}
	uint32_t rva = (uint32_t)s->len;
	if (p)
		memcpy(s->buf + s->len, p, n);
	s->len += n;
	return rva;
}

uint32_t synth_string(synth *s, const char *ascii)
{
	size_t n = strlen(ascii);
	uint8_t *b = calloc(1, 4 + 2 * n + 2);
	put32(b, (uint32_t)(2 * n));
	for (size_t i = 0; i < n; i++)
		put16(b + 4 + 2 * i, (uint8_t)ascii[i]);
	uint32_t rva = synth_append(s, b, 4 + 2 * n + 2);
	free(b);
	return rva;
}

uint32_t synth_utf8(synth *s, const char *text)
{
	size_t n = strlen(text);
	uint8_t *b = calloc(1, 4 + n + 1);
	put32(b, (uint32_t)n);
	memcpy(b + 4, text, n);
	uint32_t rva = synth_append(s, b, 4 + n + 1);
	free(b);
	return rva;
}

synth_loc synth_context(synth *s, md_cpu cpu, int old, const uint64_t *r, uint32_t groups)
{
	uint8_t b[MD_CONTEXT_AMD64_SIZE] = { 0 };
	uint32_t size = 0;
	switch (cpu) {
	case MD_CPU_X86: {
		/* edi esi ebx edx ecx eax at 156.., ebp eip cs eflags esp ss at 180.. */
		size = MD_CONTEXT_X86_SIZE;
		put32(b, MD_CONTEXT_X86 | groups);
		static const int at[][2] = {
			{ MD_X86_GS, 140 }, { MD_X86_FS, 144 }, { MD_X86_ES, 148 }, { MD_X86_DS, 152 },
			{ MD_X86_EDI, 156 }, { MD_X86_ESI, 160 }, { MD_X86_EBX, 164 },
			{ MD_X86_EDX, 168 }, { MD_X86_ECX, 172 }, { MD_X86_EAX, 176 },
			{ MD_X86_EBP, 180 }, { MD_X86_EIP, 184 }, { MD_X86_CS, 188 },
			{ MD_X86_EFLAGS, 192 }, { MD_X86_ESP, 196 }, { MD_X86_SS, 200 },
		};
		for (size_t i = 0; i < sizeof at / sizeof *at; i++)
			put32(b + at[i][1], (uint32_t)r[at[i][0]]);
		break;
	}
	case MD_CPU_AMD64: {
		/* flags at 48; rax rcx rdx rbx rsp rbp rsi rdi r8..r15 at 120; rip 248 */
		size = MD_CONTEXT_AMD64_SIZE;
		put32(b + 48, MD_CONTEXT_AMD64 | groups);
		static const int raw[16] = {
			MD_AMD64_RAX, MD_AMD64_RCX, MD_AMD64_RDX, MD_AMD64_RBX,
			MD_AMD64_RSP, MD_AMD64_RBP, MD_AMD64_RSI, MD_AMD64_RDI,
			MD_AMD64_R8, MD_AMD64_R9, MD_AMD64_R10, MD_AMD64_R11,
			MD_AMD64_R12, MD_AMD64_R13, MD_AMD64_R14, MD_AMD64_R15,
		};
		for (int i = 0; i < 16; i++)
			put64(b + 120 + 8 * i, r[raw[i]]);
		put64(b + 248, r[MD_AMD64_RIP]);
		put16(b + 56, (uint16_t)r[MD_AMD64_CS]);
		put16(b + 58, (uint16_t)r[MD_AMD64_DS]);
		put16(b + 60, (uint16_t)r[MD_AMD64_ES]);
		put16(b + 62, (uint16_t)r[MD_AMD64_FS]);
		put16(b + 64, (uint16_t)r[MD_AMD64_GS]);
		put16(b + 66, (uint16_t)r[MD_AMD64_SS]);
		put32(b + 68, (uint32_t)r[MD_AMD64_EFLAGS]);
		break;
	}
	case MD_CPU_ARM:
		size = MD_CONTEXT_ARM_SIZE;
		put32(b, MD_CONTEXT_ARM | groups);
		for (int i = 0; i < 16; i++)
			put32(b + 4 + 4 * i, (uint32_t)r[i]);
		put32(b + 68, (uint32_t)r[MD_ARM_CPSR]);
		break;
	case MD_CPU_ARM64:
		/* x0..x30 at 8, sp 256, pc 264 in both layouts; the old one has a
		 * u64 flags word and cpsr at 272, the new one u32 flags, cpsr at 4. */
		size = old ? MD_CONTEXT_ARM64_OLD_SIZE : MD_CONTEXT_ARM64_SIZE;
		if (old) {
			put64(b, MD_CONTEXT_ARM64_OLD | groups);
			put32(b + 272, (uint32_t)r[MD_ARM64_CPSR]);
		} else {
			put32(b, MD_CONTEXT_ARM64 | groups);
			put32(b + 4, (uint32_t)r[MD_ARM64_CPSR]);
		}
		for (int i = 0; i < 31; i++)
			put64(b + 8 + 8 * i, r[i]);
		put64(b + 256, r[MD_ARM64_SP]);
		put64(b + 264, r[MD_ARM64_PC]);
		break;
	default:
		abort();
	}
	return (synth_loc){ size, synth_append(s, b, size) };
}

int synth_dir_entry(synth *s, uint32_t type, uint32_t size, uint32_t rva)
{
	if (s->ndir == MAX_STREAMS)
		abort();
	s->dir[s->ndir][0] = type;
	s->dir[s->ndir][1] = size;
	s->dir[s->ndir][2] = rva;
	return s->ndir++;
}

int synth_stream(synth *s, uint32_t type, const void *body, size_t n)
{
	uint32_t rva = synth_append(s, body, n);
	return synth_dir_entry(s, type, (uint32_t)n, rva);
}

/* A list stream: u32 count, then n entries of esize built by fill(). */
static uint8_t *list_body(uint32_t count, uint32_t n, size_t esize, size_t *len)
{
	*len = 4 + n * esize;
	uint8_t *b = calloc(1, *len);
	put32(b, count);
	return b;
}

static void put_memdesc(synth *s, uint8_t *p, uint64_t base, const uint8_t *data, uint32_t size)
{
	uint32_t rva = synth_append(s, data, size);
	put64(p, base);
	put32(p + 8, size);
	put32(p + 12, rva);
}

int synth_thread_list(synth *s, const synth_thread *t, uint32_t n, int ex)
{
	size_t esize = ex ? 64 : 48, len;
	uint8_t *b = list_body(n, n, esize, &len);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + 4 + i * esize;
		put32(p, t[i].id);
		put_memdesc(s, p + 24, t[i].stack_base, t[i].stack, t[i].stack_size);
		put32(p + 40, t[i].context.size);
		put32(p + 44, t[i].context.rva);
	}
	int idx = synth_stream(s, ex ? MD_STREAM_THREAD_EX_LIST : MD_STREAM_THREAD_LIST, b, len);
	free(b);
	return idx;
}

static uint32_t codeview(synth *s, const synth_module *m, uint32_t *size)
{
	uint8_t b[600] = { 0 };
	size_t n = 0, name = m->pdb_name ? strlen(m->pdb_name) : 0;
	switch (m->cv) {
	case MD_CV_PDB70:
		put32(b, 0x53445352);
		memcpy(b + 4, m->guid, 16);
		put32(b + 20, m->age);
		memcpy(b + 24, m->pdb_name, name);
		n = 24 + name + 1;
		break;
	case MD_CV_PDB20:
		put32(b, 0x3031424e);
		put32(b + 8, m->pdb_signature);
		put32(b + 12, m->age);
		memcpy(b + 16, m->pdb_name, name);
		n = 16 + name + 1;
		break;
	case MD_CV_ELF:
		put32(b, 0x4270454c);
		memcpy(b + 4, m->build_id, m->build_id_len);
		n = 4 + m->build_id_len;
		break;
	default:
		*size = 0;
		return 0;
	}
	*size = (uint32_t)n;
	return synth_append(s, b, n);
}

int synth_module_list(synth *s, const synth_module *m, uint32_t n)
{
	size_t len;
	uint8_t *b = list_body(n, n, 108, &len);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + 4 + i * 108;
		put64(p, m[i].base);
		put32(p + 8, m[i].size);
		put32(p + 12, m[i].checksum);
		put32(p + 16, m[i].time_date_stamp);
		put32(p + 20, synth_string(s, m[i].name));
		if (m[i].version) {
			unsigned a = 0, bb = 0, c = 0, d = 0;
			sscanf(m[i].version, "%u.%u.%u.%u", &a, &bb, &c, &d);
			put32(p + 24, 0xfeef04bd);
			put32(p + 28, 0x10000);
			put32(p + 32, a << 16 | bb);
			put32(p + 36, c << 16 | d);
		}
		uint32_t cvsize, cvrva = codeview(s, &m[i], &cvsize);
		put32(p + 76, cvsize);
		put32(p + 80, cvrva);
	}
	int idx = synth_stream(s, MD_STREAM_MODULE_LIST, b, len);
	free(b);
	return idx;
}

int synth_unloaded_list(synth *s, const synth_module *m, uint32_t n)
{
	size_t len = 12 + 24 * (size_t)n;
	uint8_t *b = calloc(1, len);
	put32(b, 12);
	put32(b + 4, 24);
	put32(b + 8, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + 12 + 24 * i;
		put64(p, m[i].base);
		put32(p + 8, m[i].size);
		put32(p + 12, m[i].checksum);
		put32(p + 16, m[i].time_date_stamp);
		put32(p + 20, synth_string(s, m[i].name));
	}
	int idx = synth_stream(s, MD_STREAM_UNLOADED_MODULE_LIST, b, len);
	free(b);
	return idx;
}

int synth_memory_list(synth *s, const synth_region *r, uint32_t n)
{
	size_t len;
	uint8_t *b = list_body(n, n, 16, &len);
	for (uint32_t i = 0; i < n; i++)
		put_memdesc(s, b + 4 + 16 * i, r[i].base, r[i].data, r[i].size);
	int idx = synth_stream(s, MD_STREAM_MEMORY_LIST, b, len);
	free(b);
	return idx;
}

int synth_memory64_list(synth *s, const synth_region *r, uint32_t n)
{
	/* The data of all regions is contiguous from one base RVA. */
	uint32_t base_rva = 0;
	for (uint32_t i = 0; i < n; i++) {
		s->len = (s->len + 7) & ~(size_t)7; /* keep contiguity exact */
		uint32_t rva = synth_append(s, r[i].data, r[i].size);
		if (i == 0)
			base_rva = rva;
		if (r[i].size % 8 && i + 1 < n)
			abort(); /* padding would break contiguity */
	}
	size_t len = 16 + 16 * (size_t)n;
	uint8_t *b = calloc(1, len);
	put64(b, n);
	put64(b + 8, base_rva);
	for (uint32_t i = 0; i < n; i++) {
		put64(b + 16 + 16 * i, r[i].base);
		put64(b + 24 + 16 * i, r[i].size);
	}
	int idx = synth_stream(s, MD_STREAM_MEMORY64_LIST, b, len);
	free(b);
	return idx;
}

int synth_exception(synth *s, uint32_t thread_id, uint32_t code, uint32_t flags,
		    uint64_t address, const uint64_t *params, uint32_t nparams, synth_loc ctx)
{
	uint8_t b[168] = { 0 };
	put32(b, thread_id);
	put32(b + 8, code);
	put32(b + 12, flags);
	put64(b + 24, address);
	put32(b + 32, nparams);
	for (uint32_t i = 0; i < nparams && i < 15; i++)
		put64(b + 40 + 8 * i, params[i]);
	put32(b + 160, ctx.size);
	put32(b + 164, ctx.rva);
	return synth_stream(s, MD_STREAM_EXCEPTION, b, sizeof b);
}

int synth_system_info(synth *s, uint16_t arch, uint32_t platform, const char *csd,
		      const char *vendor)
{
	uint8_t b[56] = { 0 };
	put16(b, arch);
	put16(b + 2, 6);      /* level: family */
	put16(b + 4, 0x1a05); /* revision: model 0x1a, stepping 5 */
	b[6] = 4;
	put32(b + 20, platform);
	if (csd)
		put32(b + 24, synth_string(s, csd));
	if (vendor)
		memcpy(b + 32, vendor, strlen(vendor) < 12 ? strlen(vendor) : 12);
	return synth_stream(s, MD_STREAM_SYSTEM_INFO, b, sizeof b);
}

int synth_misc_info(synth *s, uint32_t size, uint32_t pid, uint32_t create_time,
		    const char *build_string)
{
	uint8_t b[832] = { 0 };
	put32(b, size);
	put32(b + 4, 0x3); /* pid and times */
	put32(b + 8, pid);
	put32(b + 12, create_time);
	if (build_string && size >= 832)
		for (size_t i = 0; build_string[i] && i < 259; i++)
			put16(b + 232 + 2 * i, (uint8_t)build_string[i]);
	return synth_stream(s, MD_STREAM_MISC_INFO, b, size);
}

int synth_thread_names(synth *s, const synth_name *nm, uint32_t n)
{
	size_t len;
	uint8_t *b = list_body(n, n, 12, &len);
	for (uint32_t i = 0; i < n; i++) {
		put32(b + 4 + 12 * i, nm[i].id);
		put64(b + 8 + 12 * i, synth_string(s, nm[i].name));
	}
	int idx = synth_stream(s, MD_STREAM_THREAD_NAME_LIST, b, len);
	free(b);
	return idx;
}

int synth_breakpad_info(synth *s, uint32_t dump_thread, uint32_t requesting_thread)
{
	uint8_t b[12];
	put32(b, 3);
	put32(b + 4, dump_thread);
	put32(b + 8, requesting_thread);
	return synth_stream(s, MD_STREAM_BREAKPAD_INFO, b, sizeof b);
}

static void put_wchars(uint8_t *p, const char *ascii, size_t max)
{
	for (size_t i = 0; ascii[i] && i + 1 < max; i++)
		put16(p + 2 * i, (uint8_t)ascii[i]);
}

int synth_assertion(synth *s, const char *expr, const char *func, const char *file,
		    uint32_t line, uint32_t type)
{
	uint8_t b[776] = { 0 };
	put_wchars(b, expr, 128);
	put_wchars(b + 256, func, 128);
	put_wchars(b + 512, file, 128);
	put32(b + 768, line);
	put32(b + 772, type);
	return synth_stream(s, MD_STREAM_ASSERTION_INFO, b, sizeof b);
}

static synth_loc dictionary(synth *s, const synth_kv *kv, uint32_t n)
{
	size_t len = 4 + 8 * (size_t)n;
	uint8_t *b = calloc(1, len);
	put32(b, n);
	for (uint32_t i = 0; i < n; i++) {
		put32(b + 4 + 8 * i, synth_utf8(s, kv[i].key));
		put32(b + 8 + 8 * i, synth_utf8(s, kv[i].value));
	}
	synth_loc l = { (uint32_t)len, synth_append(s, b, len) };
	free(b);
	return l;
}

int synth_crashpad(synth *s, const synth_kv *simple, uint32_t nsimple,
		   const char *const *list, uint32_t nlist, const synth_kv *msimple,
		   uint32_t nmsimple, const synth_kv *objects, uint32_t nobjects)
{
	/* Module 0's info: list annotations, simple annotations, objects. */
	uint8_t *rl = calloc(1, 4 + 4 * (size_t)nlist);
	put32(rl, nlist);
	for (uint32_t i = 0; i < nlist; i++)
		put32(rl + 4 + 4 * i, synth_utf8(s, list[i]));
	synth_loc lists = { 4 + 4 * nlist, synth_append(s, rl, 4 + 4 * (size_t)nlist) };
	free(rl);
	synth_loc msd = dictionary(s, msimple, nmsimple);
	uint8_t *ob = calloc(1, 4 + 12 * (size_t)nobjects);
	put32(ob, nobjects);
	for (uint32_t i = 0; i < nobjects; i++) {
		put32(ob + 4 + 12 * i, synth_utf8(s, objects[i].key));
		put16(ob + 8 + 12 * i, 1); /* string */
		put32(ob + 12 + 12 * i, synth_utf8(s, objects[i].value));
	}
	synth_loc objs = { 4 + 12 * nobjects, synth_append(s, ob, 4 + 12 * (size_t)nobjects) };
	free(ob);
	uint8_t mi[28] = { 0 };
	put32(mi, 1);
	put32(mi + 4, lists.size);
	put32(mi + 8, lists.rva);
	put32(mi + 12, msd.size);
	put32(mi + 16, msd.rva);
	put32(mi + 20, objs.size);
	put32(mi + 24, objs.rva);
	uint32_t mi_rva = synth_append(s, mi, sizeof mi);
	uint8_t ml[16] = { 0 };
	put32(ml, 1);
	put32(ml + 4, 0); /* module list index */
	put32(ml + 8, sizeof mi);
	put32(ml + 12, mi_rva);
	uint32_t ml_rva = synth_append(s, ml, sizeof ml);
	synth_loc sd = dictionary(s, simple, nsimple);
	uint8_t b[52] = { 0 };
	put32(b, 1);
	for (int i = 0; i < 16; i++) {
		b[4 + i] = (uint8_t)(0xa0 + i);
		b[20 + i] = (uint8_t)(0xc0 + i);
	}
	put32(b + 36, sd.size);
	put32(b + 40, sd.rva);
	put32(b + 44, sizeof ml);
	put32(b + 48, ml_rva);
	return synth_stream(s, MD_STREAM_CRASHPAD_INFO, b, sizeof b);
}

int synth_memory_info(synth *s, const md_memory_info *mi, uint32_t n)
{
	size_t len = 16 + 48 * (size_t)n;
	uint8_t *b = calloc(1, len);
	put32(b, 16);
	put32(b + 4, 48);
	put64(b + 8, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + 16 + 48 * i;
		put64(p, mi[i].base);
		put64(p + 8, mi[i].allocation_base);
		put32(p + 16, mi[i].allocation_protection);
		put64(p + 24, mi[i].region_size);
		put32(p + 32, mi[i].state);
		put32(p + 36, mi[i].protection);
		put32(p + 40, mi[i].type);
	}
	int idx = synth_stream(s, MD_STREAM_MEMORY_INFO_LIST, b, len);
	free(b);
	return idx;
}

int synth_handles(synth *s, const char *const *type_names, uint32_t n)
{
	size_t len = 16 + 32 * (size_t)n;
	uint8_t *b = calloc(1, len);
	put32(b, 16);
	put32(b + 4, 32);
	put32(b + 8, n);
	for (uint32_t i = 0; i < n; i++) {
		put64(b + 16 + 32 * i, 4 * (i + 1)); /* handle value */
		put32(b + 24 + 32 * i, synth_string(s, type_names[i]));
	}
	int idx = synth_stream(s, MD_STREAM_HANDLE_DATA, b, len);
	free(b);
	return idx;
}

int synth_linux_text(synth *s, uint32_t type, const char *text, size_t n)
{
	return synth_stream(s, type, text, n);
}

int synth_auxv(synth *s, const uint64_t *pairs, uint32_t npairs)
{
	uint8_t *b = calloc(1, 16 * (size_t)npairs);
	for (uint32_t i = 0; i < 2 * npairs; i++)
		put64(b + 8 * i, pairs[i]);
	int idx = synth_stream(s, MD_STREAM_LINUX_AUXV, b, 16 * (size_t)npairs);
	free(b);
	return idx;
}

int synth_dso_debug(synth *s, const char *const *names, const uint64_t *addrs, uint32_t n)
{
	/* 64-bit layout: MDRawDebug64 (40 bytes) and link maps of 24. */
	uint8_t *maps = calloc(1, 24 * (size_t)n + 1);
	for (uint32_t i = 0; i < n; i++) {
		put64(maps + 24 * i, addrs[i]);
		put32(maps + 24 * i + 8, synth_string(s, names[i]));
		put64(maps + 24 * i + 16, 0x1000 * (i + 1));
	}
	uint32_t map_rva = synth_append(s, maps, 24 * (size_t)n);
	free(maps);
	uint8_t b[40] = { 0 };
	put32(b, 1);
	put32(b + 4, map_rva);
	put32(b + 8, n);
	put64(b + 16, 0x55550000);
	put64(b + 24, 0x7f0000000000);
	put64(b + 32, 0x55551000);
	return synth_stream(s, MD_STREAM_LINUX_DSO_DEBUG, b, sizeof b);
}

const uint8_t *synth_finish(synth *s, size_t *size)
{
	put32(s->buf, 0x504d444d);
	put32(s->buf + 4, 0xa793);
	put32(s->buf + 8, (uint32_t)s->ndir);
	put32(s->buf + 12, HEADER_SIZE);
	put32(s->buf + 20, 1790000000); /* a fixed crash time: output is stable */
	for (int i = 0; i < s->ndir; i++)
		for (int k = 0; k < 3; k++)
			put32(s->buf + HEADER_SIZE + 12 * i + 4 * k, s->dir[i][k]);
	*size = s->len;
	return s->buf;
}

int synth_write_file(synth *s, const char *path)
{
	size_t n;
	const uint8_t *p = synth_finish(s, &n);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}
