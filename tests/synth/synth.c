/*
 * synth.c - synthetic minidumps for tests (see synth.h, whose layout
 * section holds the sizes and offsets used here).
 *
 * Each writer fills a zeroed local body at the offsets of its structure and
 * appends it; whatever the body points to (strings, records, memory) is
 * appended first, so the RVAs are known when the body is filled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

#define put16 synth_put16
#define put32 synth_put32
#define put64 synth_put64

/* Data starts after the header and a directory of SYNTH_DIR_SLOTS entries:
 * where Breakpad puts it, so truncated outputs lose data before the
 * directory, as real torn writes do. */
#define DATA_START (SYNTH_HEADER_SIZE + SYNTH_DIR_ENTRY_SIZE * SYNTH_DIR_SLOTS)
#define DEFAULT_TIME 1790000000u

typedef struct entry {
	uint32_t type, size, rva;
	uint32_t count_at;    /* offset of the count in the stream */
	uint32_t count_width; /* 0: not a list; 4 or 8 */
	int override;         /* synth_set_count was called */
	uint64_t count;
} entry;

/* A finished copy, kept until synth_free. */
typedef struct output {
	struct output *next;
	uint8_t bytes[];
} output;

struct synth {
	uint8_t *buf;
	size_t len, cap;
	entry *dir;
	size_t ndir, dircap;
	uint32_t time;
	int has_stream_count;
	uint32_t stream_count;
	int pad_counts;
	size_t cut; /* 0: none */
	output *outputs;
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

synth *synth_new(void)
{
	synth *s = xcalloc(1, sizeof *s);
	s->cap = 1 << 16;
	s->buf = xcalloc(1, s->cap);
	s->len = DATA_START;
	s->time = DEFAULT_TIME;
	return s;
}

void synth_free(synth *s)
{
	if (s) {
		while (s->outputs) {
			output *o = s->outputs;
			s->outputs = o->next;
			free(o);
		}
		free(s->buf);
		free(s->dir);
		free(s);
	}
}

/* The one place RVAs are handed out. align 8 for structures (Breakpad's
 * writer rounds every allocation up to 8), 1 where data must be contiguous
 * (Memory64List). */
static uint32_t place(synth *s, const void *p, size_t n, size_t align)
{
	size_t at = (s->len + align - 1) & ~(align - 1);
	if (at + n > UINT32_MAX)
		abort(); /* RVAs are 32-bit */
	while (at + n > s->cap) {
		uint8_t *nb = realloc(s->buf, s->cap * 2);
		if (!nb)
			abort();
		memset(nb + s->cap, 0, s->cap);
		s->buf = nb;
		s->cap *= 2;
	}
	if (p && n)
		memcpy(s->buf + at, p, n);
	s->len = at + n;
	return (uint32_t)at;
}

uint32_t synth_append(synth *s, const void *p, size_t n)
{
	return place(s, p, n, 8);
}

uint32_t synth_size(const synth *s)
{
	return (uint32_t)s->len;
}

void synth_patch32(synth *s, uint32_t off, uint32_t v)
{
	if ((size_t)off + 4 > s->len)
		abort();
	put32(s->buf + off, v);
}

uint32_t synth_utf16(synth *s, const uint16_t *units, uint32_t n)
{
	uint8_t *b = xcalloc(1, 4 + 2 * (size_t)n + 2);
	put32(b, 2 * n);
	for (uint32_t i = 0; i < n; i++)
		put16(b + 4 + 2 * i, units[i]);
	uint32_t rva = synth_append(s, b, 4 + 2 * (size_t)n + 2);
	free(b);
	return rva;
}

/* Well-formed UTF-8 only: inputs are the tests' own literals. */
uint32_t synth_string(synth *s, const char *utf8)
{
	size_t n = strlen(utf8);
	uint16_t *u = xcalloc(n + 1, sizeof *u);
	uint32_t k = 0;
	for (size_t i = 0; i < n;) {
		uint8_t c = (uint8_t)utf8[i];
		uint32_t cp, len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		cp = len == 1 ? c : c & (0x7f >> len);
		for (uint32_t j = 1; j < len && i + j < n; j++)
			cp = cp << 6 | ((uint8_t)utf8[i + j] & 0x3f);
		i += len;
		if (cp > 0xffff) {
			cp -= 0x10000;
			u[k++] = (uint16_t)(0xd800 | cp >> 10);
			u[k++] = (uint16_t)(0xdc00 | (cp & 0x3ff));
		} else {
			u[k++] = (uint16_t)cp;
		}
	}
	uint32_t rva = synth_utf16(s, u, k);
	free(u);
	return rva;
}

uint32_t synth_utf8(synth *s, const char *text)
{
	size_t n = strlen(text);
	uint8_t *b = xcalloc(1, 4 + n + 1);
	put32(b, (uint32_t)n);
	memcpy(b + 4, text, n);
	uint32_t rva = synth_append(s, b, 4 + n + 1);
	free(b);
	return rva;
}

/* ---- contexts ------------------------------------------------------------ */

/* Where each register of md_context.regs lives in a raw context:
 * {register index, offset, width}. */
typedef struct reg_at {
	int reg, off, width;
} reg_at;

/* x86 CONTEXT: flags, debug registers (24), FLOATING_SAVE_AREA (112),
 * then gs fs es ds edi esi ebx edx ecx eax ebp eip cs eflags esp ss from
 * 140, 512 bytes of extended registers from 204: 716. */
static const reg_at x86_regs[] = {
	{ MD_X86_GS, 140, 4 }, { MD_X86_FS, 144, 4 }, { MD_X86_ES, 148, 4 },
	{ MD_X86_DS, 152, 4 }, { MD_X86_EDI, 156, 4 }, { MD_X86_ESI, 160, 4 },
	{ MD_X86_EBX, 164, 4 }, { MD_X86_EDX, 168, 4 }, { MD_X86_ECX, 172, 4 },
	{ MD_X86_EAX, 176, 4 }, { MD_X86_EBP, 180, 4 }, { MD_X86_EIP, 184, 4 },
	{ MD_X86_CS, 188, 4 }, { MD_X86_EFLAGS, 192, 4 }, { MD_X86_ESP, 196, 4 },
	{ MD_X86_SS, 200, 4 },
};

/* amd64 CONTEXT: 6 u64 home slots, flags at 48, mxcsr, u16 cs ds es fs gs
 * ss at 56, eflags at 68, 6 debug registers, then rax rcx rdx rbx rsp rbp
 * rsi rdi r8..r15 (hardware order, not DWARF's) at 120, rip at 248; the
 * rest is floating point and vector state: 1232. */
static const reg_at amd64_regs[] = {
	{ MD_AMD64_CS, 56, 2 }, { MD_AMD64_DS, 58, 2 }, { MD_AMD64_ES, 60, 2 },
	{ MD_AMD64_FS, 62, 2 }, { MD_AMD64_GS, 64, 2 }, { MD_AMD64_SS, 66, 2 },
	{ MD_AMD64_EFLAGS, 68, 4 },
	{ MD_AMD64_RAX, 120, 8 }, { MD_AMD64_RCX, 128, 8 }, { MD_AMD64_RDX, 136, 8 },
	{ MD_AMD64_RBX, 144, 8 }, { MD_AMD64_RSP, 152, 8 }, { MD_AMD64_RBP, 160, 8 },
	{ MD_AMD64_RSI, 168, 8 }, { MD_AMD64_RDI, 176, 8 }, { MD_AMD64_R8, 184, 8 },
	{ MD_AMD64_R9, 192, 8 }, { MD_AMD64_R10, 200, 8 }, { MD_AMD64_R11, 208, 8 },
	{ MD_AMD64_R12, 216, 8 }, { MD_AMD64_R13, 224, 8 }, { MD_AMD64_R14, 232, 8 },
	{ MD_AMD64_R15, 240, 8 }, { MD_AMD64_RIP, 248, 8 },
};

static void put_reg(uint8_t *b, const reg_at *r, uint64_t v)
{
	switch (r->width) {
	case 2: put16(b + r->off, (uint16_t)v); break;
	case 4: put32(b + r->off, (uint32_t)v); break;
	default: put64(b + r->off, v); break;
	}
}

synth_loc synth_context(synth *s, md_cpu cpu, int old, const uint64_t *r, uint32_t flags)
{
	uint8_t b[MD_CONTEXT_AMD64_SIZE] = { 0 };
	uint32_t size;
	switch (cpu) {
	case MD_CPU_X86:
		size = MD_CONTEXT_X86_SIZE;
		put32(b, flags);
		for (size_t i = 0; i < sizeof x86_regs / sizeof *x86_regs; i++)
			put_reg(b, &x86_regs[i], r[x86_regs[i].reg]);
		break;
	case MD_CPU_AMD64:
		size = MD_CONTEXT_AMD64_SIZE;
		put32(b + 48, flags);
		for (size_t i = 0; i < sizeof amd64_regs / sizeof *amd64_regs; i++)
			put_reg(b, &amd64_regs[i], r[amd64_regs[i].reg]);
		break;
	case MD_CPU_ARM:
		/* flags, r0..r15 at 4, cpsr at 68, VFP state: 368. */
		size = MD_CONTEXT_ARM_SIZE;
		put32(b, flags);
		for (int i = 0; i < 16; i++)
			put32(b + 4 + 4 * i, (uint32_t)r[i]);
		put32(b + 68, (uint32_t)r[MD_ARM_CPSR]);
		break;
	case MD_CPU_ARM64:
		/* Both layouts keep x0..x30 at 8, sp at 256, pc at 264. The new
		 * one (912) has u32 flags and cpsr at 0 and 4, then fpcr, fpsr,
		 * 32 x u128 and debug registers; the old one (796, packed) a u64
		 * flags word, cpsr at 272, fpsr 276, fpcr 280, 32 x u128 at 284. */
		size = old ? MD_CONTEXT_ARM64_OLD_SIZE : MD_CONTEXT_ARM64_SIZE;
		if (old) {
			put64(b, flags);
			put32(b + 272, (uint32_t)r[MD_ARM64_CPSR]);
		} else {
			put32(b, flags);
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

/* ---- directory ----------------------------------------------------------- */

static int add_entry(synth *s, uint32_t type, uint32_t size, uint32_t rva,
		     uint32_t count_at, uint32_t count_width)
{
	if (s->ndir == s->dircap) {
		s->dircap = s->dircap ? 2 * s->dircap : 16;
		entry *nd = realloc(s->dir, s->dircap * sizeof *nd);
		if (!nd)
			abort();
		s->dir = nd;
	}
	s->dir[s->ndir] = (entry){ .type = type, .size = size, .rva = rva,
				   .count_at = count_at, .count_width = count_width };
	return (int)s->ndir++;
}

int synth_dir_entry(synth *s, uint32_t type, uint32_t size, uint32_t rva)
{
	return add_entry(s, type, size, rva, 0, 0);
}

int synth_stream(synth *s, uint32_t type, const void *body, size_t n)
{
	return add_entry(s, type, (uint32_t)n, synth_append(s, body, n), 0, 0);
}

/* A list stream: its count is at count_at, count_width bytes wide. */
static int list_stream(synth *s, uint32_t type, const void *body, size_t n,
		       uint32_t count_at, uint32_t count_width)
{
	return add_entry(s, type, (uint32_t)n, synth_append(s, body, n), count_at, count_width);
}

static entry *at(const synth *s, int idx)
{
	if (idx < 0 || (size_t)idx >= s->ndir)
		abort();
	return &s->dir[idx];
}

synth_loc synth_entry(const synth *s, int idx)
{
	return (synth_loc){ at(s, idx)->size, at(s, idx)->rva };
}

void synth_set_entry(synth *s, int idx, uint32_t size, uint32_t rva)
{
	at(s, idx)->size = size;
	at(s, idx)->rva = rva;
}

void synth_set_count(synth *s, int idx, uint64_t count)
{
	entry *e = at(s, idx);
	if (!e->count_width)
		abort(); /* not a list stream */
	e->override = 1;
	e->count = count;
}

void synth_set_stream_count(synth *s, uint32_t n)
{
	s->has_stream_count = 1;
	s->stream_count = n;
}

void synth_set_time(synth *s, uint32_t t) { s->time = t; }
void synth_pad_counts(synth *s, int on) { s->pad_counts = on; }
void synth_truncate(synth *s, size_t n) { s->cut = n; }

/* ---- streams ------------------------------------------------------------- */

/* Body of a list stream with a u32 count: the header is 4 bytes, or 8 when
 * counts are padded. Returns the body; *hdr gets the header size. */
static uint8_t *list_body(const synth *s, uint32_t n, size_t esize, size_t *len, size_t *hdr)
{
	*hdr = s->pad_counts ? 8 : SYNTH_LIST_HEADER;
	*len = *hdr + n * esize;
	uint8_t *b = xcalloc(1, *len);
	put32(b, n);
	return b;
}

/* A MINIDUMP_MEMORY_DESCRIPTOR at p for data appended now. */
static void put_memdesc(synth *s, uint8_t *p, uint64_t base, const uint8_t *data, uint32_t size)
{
	uint32_t rva = synth_append(s, data, size);
	put64(p, base);
	put32(p + 8, size);
	put32(p + 12, rva);
}

int synth_thread_list(synth *s, const synth_thread *t, uint32_t n, int ex)
{
	size_t esize = ex ? SYNTH_THREAD_EX_SIZE : SYNTH_THREAD_SIZE, len, hdr;
	uint8_t *b = list_body(s, n, esize, &len, &hdr);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + hdr + i * esize;
		put32(p, t[i].id);
		put32(p + 4, t[i].suspend_count);
		put32(p + 8, t[i].priority_class);
		put32(p + 12, t[i].priority);
		put64(p + SYNTH_THREAD_TEB, t[i].teb);
		put_memdesc(s, p + SYNTH_THREAD_STACK, t[i].stack_base, t[i].stack, t[i].stack_size);
		put32(p + SYNTH_THREAD_CONTEXT, t[i].context.size);
		put32(p + SYNTH_THREAD_CONTEXT + 4, t[i].context.rva);
		if (ex)
			put_memdesc(s, p + SYNTH_THREAD_BACKING, t[i].backing_base, t[i].backing,
				    t[i].backing_size);
	}
	int idx = list_stream(s, ex ? MD_STREAM_THREAD_EX_LIST : MD_STREAM_THREAD_LIST, b, len, 0, 4);
	free(b);
	return idx;
}

/* "a.b.c.d" as the two u32 halves VS_FIXEDFILEINFO keeps. */
static void version_words(const char *v, uint32_t *ms, uint32_t *ls)
{
	unsigned a = 0, b = 0, c = 0, d = 0;
	if (v)
		sscanf(v, "%u.%u.%u.%u", &a, &b, &c, &d);
	*ms = (uint32_t)(a << 16 | (b & 0xffff));
	*ls = (uint32_t)(c << 16 | (d & 0xffff));
}

/* The module's CodeView record, appended; its location. */
static synth_loc codeview(synth *s, const synth_module *m)
{
	size_t name = m->pdb_name ? strlen(m->pdb_name) : 0, n;
	uint8_t *b;
	switch (m->cv) {
	case MD_CV_PDB70:
		n = SYNTH_CV_RSDS_NAME + name + 1;
		b = xcalloc(1, n);
		put32(b, 0x53445352); /* "RSDS" */
		if (m->guid)
			memcpy(b + 4, m->guid, 16);
		put32(b + 20, m->age);
		if (name)
			memcpy(b + SYNTH_CV_RSDS_NAME, m->pdb_name, name);
		break;
	case MD_CV_PDB20:
		n = SYNTH_CV_NB10_NAME + name + 1;
		b = xcalloc(1, n);
		put32(b, 0x3031424e); /* "NB10"; offset 0 at 4 */
		put32(b + 8, m->pdb_signature);
		put32(b + 12, m->age);
		if (name)
			memcpy(b + SYNTH_CV_NB10_NAME, m->pdb_name, name);
		break;
	case MD_CV_ELF:
		n = 4 + m->build_id_len;
		b = xcalloc(1, n);
		put32(b, 0x4270454c); /* "BpEL" */
		if (m->build_id_len)
			memcpy(b + 4, m->build_id, m->build_id_len);
		break;
	case MD_CV_UNKNOWN:
		return (synth_loc){ m->cv_raw_len, synth_append(s, m->cv_raw, m->cv_raw_len) };
	default:
		return (synth_loc){ 0, 0 };
	}
	synth_loc l = { (uint32_t)n, synth_append(s, b, n) };
	free(b);
	return l;
}

/* IMAGE_DEBUG_MISC: its length field counts the whole record, rounded up
 * to 4 as the linker writes it. */
static synth_loc debug_misc(synth *s, const synth_module *m)
{
	if (!m->misc_name)
		return (synth_loc){ 0, 0 };
	size_t chars = strlen(m->misc_name) + 1, w = m->misc_unicode ? 2 : 1;
	size_t n = (SYNTH_DEBUG_MISC_DATA + chars * w + 3) & ~(size_t)3;
	uint8_t *b = xcalloc(1, n);
	put32(b, 1); /* IMAGE_DEBUG_MISC_EXENAME */
	put32(b + 4, (uint32_t)n);
	b[8] = (uint8_t)(m->misc_unicode != 0);
	for (size_t i = 0; i + 1 < chars; i++) {
		if (w == 2)
			put16(b + SYNTH_DEBUG_MISC_DATA + 2 * i, (uint8_t)m->misc_name[i]);
		else
			b[SYNTH_DEBUG_MISC_DATA + i] = (uint8_t)m->misc_name[i];
	}
	synth_loc l = { (uint32_t)n, synth_append(s, b, n) };
	free(b);
	return l;
}

static uint32_t name_of(synth *s, const synth_module *m)
{
	return m->name_rva ? m->name_rva : synth_string(s, m->name ? m->name : "");
}

int synth_module_list(synth *s, const synth_module *m, uint32_t n)
{
	size_t len, hdr;
	uint8_t *b = list_body(s, n, SYNTH_MODULE_SIZE, &len, &hdr);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + hdr + i * SYNTH_MODULE_SIZE;
		put64(p, m[i].base);
		put32(p + 8, m[i].size);
		put32(p + 12, m[i].checksum);
		put32(p + 16, m[i].time_date_stamp);
		put32(p + SYNTH_MODULE_NAME, name_of(s, &m[i]));
		if (m[i].version) {
			/* signature, struct version 1.0, file and product
			 * versions; flags, OS and type stay 0. */
			uint8_t *v = p + SYNTH_MODULE_VERSION;
			uint32_t ms, ls;
			put32(v, 0xfeef04bd);
			put32(v + 4, 0x10000);
			version_words(m[i].version, &ms, &ls);
			put32(v + 8, ms);
			put32(v + 12, ls);
			version_words(m[i].product_version ? m[i].product_version : m[i].version,
				      &ms, &ls);
			put32(v + 16, ms);
			put32(v + 20, ls);
		}
		synth_loc cv = codeview(s, &m[i]), misc = debug_misc(s, &m[i]);
		put32(p + SYNTH_MODULE_CV, cv.size);
		put32(p + SYNTH_MODULE_CV + 4, cv.rva);
		put32(p + SYNTH_MODULE_MISC, misc.size);
		put32(p + SYNTH_MODULE_MISC + 4, misc.rva);
	}
	int idx = list_stream(s, MD_STREAM_MODULE_LIST, b, len, 0, 4);
	free(b);
	return idx;
}

int synth_unloaded_list(synth *s, const synth_module *m, uint32_t n)
{
	size_t len = SYNTH_UNLOADED_HEADER + SYNTH_UNLOADED_SIZE * (size_t)n;
	uint8_t *b = xcalloc(1, len);
	put32(b, SYNTH_UNLOADED_HEADER);
	put32(b + 4, SYNTH_UNLOADED_SIZE);
	put32(b + 8, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + SYNTH_UNLOADED_HEADER + SYNTH_UNLOADED_SIZE * i;
		put64(p, m[i].base);
		put32(p + 8, m[i].size);
		put32(p + 12, m[i].checksum);
		put32(p + 16, m[i].time_date_stamp);
		put32(p + 20, name_of(s, &m[i]));
	}
	int idx = list_stream(s, MD_STREAM_UNLOADED_MODULE_LIST, b, len, 8, 4);
	free(b);
	return idx;
}

int synth_memory_list(synth *s, const synth_region *r, uint32_t n)
{
	size_t len, hdr;
	uint8_t *b = list_body(s, n, SYNTH_MEMDESC_SIZE, &len, &hdr);
	for (uint32_t i = 0; i < n; i++)
		put_memdesc(s, b + hdr + SYNTH_MEMDESC_SIZE * i, r[i].base, r[i].data, r[i].size);
	int idx = list_stream(s, MD_STREAM_MEMORY_LIST, b, len, 0, 4);
	free(b);
	return idx;
}

int synth_memory64_list(synth *s, const synth_region *r, uint32_t n)
{
	/* One base RVA for all regions: their bytes go back to back. */
	uint32_t base_rva = place(s, NULL, 0, 8);
	for (uint32_t i = 0; i < n; i++)
		place(s, r[i].data, r[i].size, 1);
	size_t len = SYNTH_MEMORY64_HEADER + SYNTH_MEMDESC64_SIZE * (size_t)n;
	uint8_t *b = xcalloc(1, len);
	put64(b, n);
	put64(b + 8, base_rva);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + SYNTH_MEMORY64_HEADER + SYNTH_MEMDESC64_SIZE * i;
		put64(p, r[i].base);
		put64(p + 8, r[i].size);
	}
	int idx = list_stream(s, MD_STREAM_MEMORY64_LIST, b, len, 0, 8);
	free(b);
	return idx;
}

int synth_exception(synth *s, const synth_exc *x)
{
	uint8_t b[SYNTH_EXCEPTION_SIZE] = { 0 };
	put32(b, x->thread_id);
	put32(b + SYNTH_EXC_CODE, x->code);
	put32(b + SYNTH_EXC_CODE + 4, x->flags);
	put64(b + 16, x->record);
	put64(b + 24, x->address);
	put32(b + SYNTH_EXC_NPARAMS, x->nparams);
	for (uint32_t i = 0; x->params && i < x->nparams && i < 15; i++)
		put64(b + SYNTH_EXC_PARAMS + 8 * i, x->params[i]);
	put32(b + SYNTH_EXC_CONTEXT, x->context.size);
	put32(b + SYNTH_EXC_CONTEXT + 4, x->context.rva);
	return synth_stream(s, MD_STREAM_EXCEPTION, b, sizeof b);
}

int synth_system_info(synth *s, const synth_sysinfo *si)
{
	uint8_t b[SYNTH_SYSINFO_SIZE] = { 0 };
	put16(b, si->arch);
	put16(b + 2, si->level);
	put16(b + 4, si->revision);
	b[6] = si->ncpus;
	b[7] = si->product_type;
	put32(b + 8, si->major);
	put32(b + 12, si->minor);
	put32(b + 16, si->build);
	put32(b + 20, si->platform);
	if (si->csd)
		put32(b + SYNTH_SYSINFO_CSD, synth_string(s, si->csd));
	put16(b + 28, si->suite_mask);
	if (si->vendor)
		memcpy(b + 32, si->vendor, strnlen(si->vendor, 12));
	put32(b + 44, si->cpu_version);
	put32(b + 48, si->cpu_features);
	put32(b + 52, si->cpu_amd_ext);
	return synth_stream(s, MD_STREAM_SYSTEM_INFO, b, sizeof b);
}

int synth_misc_info(synth *s, const synth_misc *m)
{
	uint8_t b[SYNTH_MISC_SIZE_4] = { 0 };
	if (m->size > sizeof b)
		abort();
	put32(b, m->size);
	put32(b + 4, m->flags1);
	put32(b + 8, m->pid);
	put32(b + 12, m->create_time);
	put32(b + 16, m->user_time);
	put32(b + 20, m->kernel_time);
	put32(b + 24, m->max_mhz);     /* MISC_INFO_2 from here */
	put32(b + 28, m->current_mhz);
	if (m->build_string)
		for (size_t i = 0; m->build_string[i] && i < 259; i++)
			put16(b + SYNTH_MISC_SIZE_3 + 2 * i, (uint8_t)m->build_string[i]);
	return synth_stream(s, MD_STREAM_MISC_INFO, b, m->size);
}

int synth_thread_names(synth *s, const synth_name *nm, uint32_t n)
{
	size_t len = SYNTH_LIST_HEADER + SYNTH_THREAD_NAME_SIZE * (size_t)n;
	uint8_t *b = xcalloc(1, len);
	put32(b, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + SYNTH_LIST_HEADER + SYNTH_THREAD_NAME_SIZE * i;
		put32(p, nm[i].id);
		put64(p + 4, synth_string(s, nm[i].name));
	}
	int idx = list_stream(s, MD_STREAM_THREAD_NAME_LIST, b, len, 0, 4);
	free(b);
	return idx;
}

int synth_breakpad_info(synth *s, uint32_t validity, uint32_t dump_thread,
			uint32_t requesting_thread)
{
	uint8_t b[SYNTH_BREAKPAD_INFO_SIZE];
	put32(b, validity);
	put32(b + 4, dump_thread);
	put32(b + 8, requesting_thread);
	return synth_stream(s, MD_STREAM_BREAKPAD_INFO, b, sizeof b);
}

/* A fixed field of 128 UTF-16 units, NUL-terminated, truncated to fit. */
static void put_wchars(uint8_t *p, const char *ascii)
{
	for (size_t i = 0; ascii && ascii[i] && i < 127; i++)
		put16(p + 2 * i, (uint8_t)ascii[i]);
}

int synth_assertion(synth *s, const char *expr, const char *func, const char *file,
		    uint32_t line, uint32_t type)
{
	uint8_t b[SYNTH_ASSERTION_SIZE] = { 0 };
	put_wchars(b, expr);
	put_wchars(b + 256, func);
	put_wchars(b + 512, file);
	put32(b + 768, line);
	put32(b + 772, type);
	return synth_stream(s, MD_STREAM_ASSERTION_INFO, b, sizeof b);
}

/* ---- Crashpad ------------------------------------------------------------ */

/* MinidumpSimpleStringDictionary; {0, 0} when empty, as Crashpad omits it. */
static synth_loc dictionary(synth *s, const synth_kv *kv, uint32_t n)
{
	if (!n)
		return (synth_loc){ 0, 0 };
	size_t len = SYNTH_LIST_HEADER + SYNTH_CRASHPAD_KV_SIZE * (size_t)n;
	uint8_t *b = xcalloc(1, len);
	put32(b, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + SYNTH_LIST_HEADER + SYNTH_CRASHPAD_KV_SIZE * i;
		put32(p, synth_utf8(s, kv[i].key));
		put32(p + 4, synth_utf8(s, kv[i].value));
	}
	synth_loc l = { (uint32_t)len, synth_append(s, b, len) };
	free(b);
	return l;
}

/* MinidumpRVAList of UTF-8 strings. */
static synth_loc string_list(synth *s, const char *const *list, uint32_t n)
{
	if (!n)
		return (synth_loc){ 0, 0 };
	size_t len = SYNTH_LIST_HEADER + 4 * (size_t)n;
	uint8_t *b = xcalloc(1, len);
	put32(b, n);
	for (uint32_t i = 0; i < n; i++)
		put32(b + SYNTH_LIST_HEADER + 4 * i, synth_utf8(s, list[i]));
	synth_loc l = { (uint32_t)len, synth_append(s, b, len) };
	free(b);
	return l;
}

/* MinidumpAnnotationList; values are MinidumpByteArrays. */
static synth_loc annotations(synth *s, const synth_annotation *a, uint32_t n)
{
	if (!n)
		return (synth_loc){ 0, 0 };
	size_t len = SYNTH_LIST_HEADER + SYNTH_CRASHPAD_ANNOTATION_SIZE * (size_t)n;
	uint8_t *b = xcalloc(1, len);
	put32(b, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + SYNTH_LIST_HEADER + SYNTH_CRASHPAD_ANNOTATION_SIZE * i;
		uint8_t *v = xcalloc(1, 4 + (size_t)a[i].len);
		put32(v, a[i].len);
		if (a[i].len)
			memcpy(v + 4, a[i].value, a[i].len);
		put32(p, synth_utf8(s, a[i].name));
		put16(p + 4, a[i].type);
		put32(p + 8, synth_append(s, v, 4 + (size_t)a[i].len));
		free(v);
	}
	synth_loc l = { (uint32_t)len, synth_append(s, b, len) };
	free(b);
	return l;
}

int synth_crashpad_info(synth *s, const synth_crashpad *c)
{
	size_t llen = SYNTH_LIST_HEADER + SYNTH_CRASHPAD_LINK_SIZE * (size_t)c->nmodules;
	uint8_t *links = xcalloc(1, llen);
	put32(links, c->nmodules);
	for (uint32_t i = 0; i < c->nmodules; i++) {
		const synth_crashpad_module *m = &c->modules[i];
		synth_loc list = string_list(s, m->list, m->nlist);
		synth_loc simple = dictionary(s, m->simple, m->nsimple);
		synth_loc objs = annotations(s, m->objects, m->nobjects);
		uint8_t mi[SYNTH_CRASHPAD_MODULE_SIZE] = { 0 };
		put32(mi, 1); /* version */
		put32(mi + 4, list.size);
		put32(mi + 8, list.rva);
		put32(mi + 12, simple.size);
		put32(mi + 16, simple.rva);
		put32(mi + 20, objs.size);
		put32(mi + 24, objs.rva);
		uint8_t *p = links + SYNTH_LIST_HEADER + SYNTH_CRASHPAD_LINK_SIZE * i;
		put32(p, m->index);
		put32(p + 4, sizeof mi);
		put32(p + 8, synth_append(s, mi, sizeof mi));
	}
	synth_loc ml = { (uint32_t)llen, synth_append(s, links, llen) };
	free(links);
	synth_loc sd = dictionary(s, c->simple, c->nsimple);
	uint8_t b[SYNTH_CRASHPAD_SIZE] = { 0 };
	put32(b, 1); /* version */
	memcpy(b + 4, c->report_id, 16);
	memcpy(b + 20, c->client_id, 16);
	put32(b + 36, sd.size);
	put32(b + 40, sd.rva);
	put32(b + 44, ml.size);
	put32(b + 48, ml.rva);
	return synth_stream(s, MD_STREAM_CRASHPAD_INFO, b, sizeof b);
}

/* ---- lists with headers, Linux streams ------------------------------------ */

int synth_memory_info(synth *s, const md_memory_info *mi, uint32_t n)
{
	size_t len = SYNTH_MEMINFO_HEADER + SYNTH_MEMINFO_SIZE * (size_t)n;
	uint8_t *b = xcalloc(1, len);
	put32(b, SYNTH_MEMINFO_HEADER);
	put32(b + 4, SYNTH_MEMINFO_SIZE);
	put64(b + 8, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + SYNTH_MEMINFO_HEADER + SYNTH_MEMINFO_SIZE * i;
		put64(p, mi[i].base);
		put64(p + 8, mi[i].allocation_base);
		put32(p + 16, mi[i].allocation_protection);
		put64(p + 24, mi[i].region_size);
		put32(p + 32, mi[i].state);
		put32(p + 36, mi[i].protection);
		put32(p + 40, mi[i].type);
	}
	int idx = list_stream(s, MD_STREAM_MEMORY_INFO_LIST, b, len, 8, 8);
	free(b);
	return idx;
}

int synth_handles(synth *s, const char *const *type_names, uint32_t n)
{
	size_t len = SYNTH_HANDLE_HEADER + SYNTH_HANDLE_SIZE * (size_t)n;
	uint8_t *b = xcalloc(1, len);
	put32(b, SYNTH_HANDLE_HEADER);
	put32(b + 4, SYNTH_HANDLE_SIZE);
	put32(b + 8, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + SYNTH_HANDLE_HEADER + SYNTH_HANDLE_SIZE * i;
		put64(p, 4 * ((uint64_t)i + 1)); /* handle values are multiples of 4 */
		if (type_names[i])
			put32(p + 8, synth_string(s, type_names[i]));
		put32(p + 24, 1); /* handle count */
	}
	int idx = list_stream(s, MD_STREAM_HANDLE_DATA, b, len, 8, 4);
	free(b);
	return idx;
}

int synth_linux_text(synth *s, uint32_t type, const void *text, size_t n)
{
	return synth_stream(s, type, text, n);
}

int synth_auxv(synth *s, const uint64_t *pairs, uint32_t npairs, int word)
{
	size_t w = word == 4 ? 4 : 8, len = 2 * w * npairs;
	uint8_t *b = xcalloc(1, len);
	for (uint32_t i = 0; i < 2 * npairs; i++) {
		if (w == 4)
			put32(b + 4 * i, (uint32_t)pairs[i]);
		else
			put64(b + 8 * i, pairs[i]);
	}
	int idx = synth_stream(s, MD_STREAM_LINUX_AUXV, b, len);
	free(b);
	return idx;
}

int synth_dso_debug(synth *s, const synth_dso *g)
{
	size_t lsize = g->narrow ? SYNTH_LINK_MAP32_SIZE : SYNTH_LINK_MAP64_SIZE;
	uint8_t *maps = xcalloc(g->nmaps, lsize);
	for (uint32_t i = 0; i < g->nmaps; i++) {
		uint8_t *q = maps + lsize * i;
		uint32_t name = g->maps[i].name ? synth_string(s, g->maps[i].name) : 0;
		if (g->narrow) {
			put32(q, (uint32_t)g->maps[i].addr);
			put32(q + 4, name);
			put32(q + 8, (uint32_t)g->maps[i].ld);
		} else {
			put64(q, g->maps[i].addr);
			put32(q + 8, name);
			put64(q + 16, g->maps[i].ld);
		}
	}
	uint32_t map_rva = g->nmaps ? synth_append(s, maps, lsize * g->nmaps) : 0;
	free(maps);
	uint8_t b[SYNTH_DEBUG64_SIZE] = { 0 };
	put32(b, g->version);
	put32(b + 4, map_rva);
	put32(b + 8, g->nmaps);
	if (g->narrow) {
		put32(b + 12, (uint32_t)g->brk);
		put32(b + 16, (uint32_t)g->ldbase);
		put32(b + 20, (uint32_t)g->dynamic);
	} else {
		put64(b + 16, g->brk);
		put64(b + 24, g->ldbase);
		put64(b + 32, g->dynamic);
	}
	return synth_stream(s, MD_STREAM_LINUX_DSO_DEBUG, b,
			    g->narrow ? SYNTH_DEBUG32_SIZE : SYNTH_DEBUG64_SIZE);
}

/* ---- output -------------------------------------------------------------- */

uint8_t *synth_finish(synth *s, size_t *size)
{
	/* The directory goes in its reserved slots, or after the data when
	 * there are more entries than slots. */
	size_t dir_rva = SYNTH_HEADER_SIZE, len = s->len;
	if (s->ndir > SYNTH_DIR_SLOTS) {
		dir_rva = (len + 7) & ~(size_t)7;
		len = dir_rva + SYNTH_DIR_ENTRY_SIZE * s->ndir;
	}
	output *o = xcalloc(1, sizeof *o + len);
	o->next = s->outputs;
	s->outputs = o;
	uint8_t *out = o->bytes;
	memcpy(out, s->buf, s->len);
	put32(out, 0x504d444d); /* "MDMP" */
	put32(out + 4, 0xa793);  /* version; the high half is implementation-specific */
	put32(out + SYNTH_HDR_STREAM_COUNT,
	      s->has_stream_count ? s->stream_count : (uint32_t)s->ndir);
	put32(out + SYNTH_HDR_DIR_RVA, (uint32_t)dir_rva);
	put32(out + SYNTH_HDR_TIME, s->time);
	for (size_t i = 0; i < s->ndir; i++) {
		const entry *e = &s->dir[i];
		uint8_t *p = out + dir_rva + SYNTH_DIR_ENTRY_SIZE * i;
		put32(p, e->type);
		put32(p + 4, e->size);
		put32(p + 8, e->rva);
		/* Counts are patched in the copy, where the entry now points
		 * (synth_set_entry may have moved it), if that is in the data. */
		if (e->override && (size_t)e->rva + e->count_at + e->count_width <= s->len) {
			if (e->count_width == 8)
				put64(out + e->rva + e->count_at, e->count);
			else
				put32(out + e->rva + e->count_at, (uint32_t)e->count);
		}
	}
	*size = s->cut && s->cut < len ? s->cut : len;
	return out;
}

int synth_write_file(synth *s, const char *path)
{
	size_t n;
	uint8_t *p = synth_finish(s, &n);
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(p, 1, n, f) == n;
	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}
