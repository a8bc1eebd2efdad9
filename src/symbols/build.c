/*
 * build.c - turning a .sym into a symbol cache (format in internal.h).
 *
 * The parser streams records into this sink. Fixed-size entries (functions,
 * publics, CFI ranges, STACK WIN, file and origin ids) and the deduplicated
 * strings stay in memory; the bulky per-function line and inline records
 * and the STACK CFI rule lists are varint-encoded as each function or CFI
 * range ends and spilled to temporary files, so peak memory is a fraction
 * of the text. At the end the arrays are sorted, checked for overlaps, and
 * everything is written under a temporary name and renamed into place.
 *
 * DATA, per function: varint nlines, varint byte length of the lines,
 * then per line (sorted by address)
 * zigzag(addr - previous addr, starting at the function's), varint size,
 * zigzag(line - previous line), zigzag(file - previous file); then varint
 * ninlines, then per inline varint depth, zigzag call_line, zigzag
 * call_file, varint origin, varint nranges, per range zigzag(addr -
 * function addr) and varint size.
 * CFIDATA, per INIT: per STACK CFI zigzag(addr - previous addr, starting at
 * the INIT's) and varint rules (a STRINGS offset).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* ---- growable arrays --------------------------------------------------------- */

typedef struct vec {
	void *p;
	size_t n, cap, elem;
} vec;

static void *vec_push(vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		void *p = realloc(v->p, cap * v->elem);
		if (!p)
			return NULL;
		v->p = p;
		v->cap = cap;
	}
	void *slot = (char *)v->p + v->n++ * v->elem;
	memset(slot, 0, v->elem);
	return slot;
}

/* ---- strings ------------------------------------------------------------------------ */

/* Deduplicated strings: a blob and an open-addressing table of offsets. */
typedef struct strtab {
	char *blob;
	size_t len, cap;
	uint32_t *slots; /* offset + 1; 0 = empty */
	size_t nslots, used;
	int full;        /* the 4 GiB offset space ran out */
} strtab;

/* Eight bytes at a time: interning runs once per name and CFI rule. */
static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

static int strtab_grow(strtab *t)
{
	size_t ns = t->nslots ? t->nslots * 2 : 1 << 16;
	uint32_t *slots = calloc(ns, sizeof *slots);
	if (!slots)
		return CD_ENOMEM;
	for (size_t i = 0; i < t->nslots; i++) {
		uint32_t o = t->slots[i];
		if (!o)
			continue;
		const char *s = t->blob + o - 1;
		size_t h = (size_t)hash_bytes(s, strlen(s)) & (ns - 1);
		while (slots[h])
			h = (h + 1) & (ns - 1);
		slots[h] = o;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = ns;
	return CD_OK;
}

/* Offset of s in the blob, adding it when new. Strings with a NUL inside
 * are cut there. Returns 0 ("") when out of memory. */
static uint32_t intern(strtab *t, const char *s, size_t n)
{
	const char *nul = memchr(s, 0, n);
	if (nul)
		n = (size_t)(nul - s);
	if (n == 0 || t->full)
		return 0;
	if ((t->used + 1) * 2 > t->nslots && strtab_grow(t))
		return 0;
	size_t h = (size_t)hash_bytes(s, n) & (t->nslots - 1);
	while (t->slots[h]) {
		const char *c = t->blob + t->slots[h] - 1;
		if (!strncmp(c, s, n) && c[n] == 0)
			return t->slots[h] - 1;
		h = (h + 1) & (t->nslots - 1);
	}
	if (t->len + n + 1 > UINT32_MAX - 1) {
		t->full = 1;
		return 0;
	}
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 1 << 16;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *b = realloc(t->blob, cap);
		if (!b)
			return 0;
		t->blob = b;
		t->cap = cap;
	}
	uint32_t off = (uint32_t)t->len;
	memcpy(t->blob + off, s, n);
	t->blob[off + n] = 0;
	t->len += n + 1;
	t->slots[h] = off + 1;
	t->used++;
	return off;
}

/* ---- the builder ------------------------------------------------------------------- */

typedef struct bfunc {
	sym_fc_func f;
	uint64_t line; /* source line, for overlap reports */
} bfunc;

typedef struct builder {
	strtab str;
	vec funcs, publics, files, origins, cfi, win, lines;
	cd_buf inl;              /* the current function's inlines, encoded */
	uint32_t ninl;
	int in_func;
	cd_buf cfid;             /* the current CFI range's deltas, encoded */
	uint64_t cfi_prev;
	int in_cfi;
	FILE *data, *cfidata;    /* spilled sections */
	uint64_t data_len, cfidata_len;
	uint64_t nlines, ninlines;
	uint32_t os, arch, debug_id, name, code_id, generator;
	uint64_t module_hash;
	int have_module, io_error;
	sym_report *report;
} builder;

static void report_diag(builder *b, uint64_t line, int damaged, const char *msg)
{
	sym_report *r = b->report;
	if (damaged)
		r->damaged = 1;
	r->ndiags_total++;
	if (r->ndiags >= 1000)
		return;
	if (r->ndiags % 64 == 0) {
		sym_diag *d = cd_arena_calloc(&r->arena, r->ndiags + 64, sizeof *d);
		if (!d)
			return;
		if (r->ndiags)
			memcpy(d, r->diags, r->ndiags * sizeof *d);
		r->diags = d;
	}
	sym_diag *d = &r->diags[r->ndiags++];
	d->line = line;
	d->damaged = damaged;
	d->message = cd_arena_strndup(&r->arena, msg, strlen(msg));
}

static void b_diag(void *ctx, uint64_t line, int damaged, const char *msg)
{
	report_diag(ctx, line, damaged, msg);
}

static void spill(builder *b, FILE *f, const void *p, size_t n, uint64_t *len)
{
	if (n && fwrite(p, 1, n, f) != n)
		b->io_error = 1;
	*len += n;
}

/* Total order, so the cache never depends on qsort's tie-breaking. */
static int by_line_addr(const void *a, const void *b)
{
	const sym_line_rec *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->file < y->file ? -1 : x->file > y->file;
}

/* Encodes the open function's lines and inlines into DATA. */
static void end_func(builder *b)
{
	if (!b->in_func)
		return;
	bfunc *bf = (bfunc *)b->funcs.p + b->funcs.n - 1;
	sym_line_rec *l = b->lines.p;
	size_t k0 = 1;
	while (k0 < b->lines.n && by_line_addr(&l[k0 - 1], &l[k0]) <= 0)
		k0++;
	if (k0 < b->lines.n) /* dump_syms writes them sorted: usually skipped */
		qsort(l, b->lines.n, sizeof *l, by_line_addr);
	cd_buf out;
	cd_buf_init(&out, 0);
	uint8_t tmp[64];
	/* Lines are encoded apart first so their byte length can precede them:
	 * a lookup stops decoding past its address and jumps to the inlines. */
	cd_buf lines;
	cd_buf_init(&lines, 0);
	uint64_t prev = bf->f.addr;
	int64_t pline = 0, pfile = 0;
	for (size_t i = 0; i < b->lines.n; i++) {
		size_t k = sym__put_varint(tmp, sym__zig((int64_t)(l[i].addr - prev)));
		k += sym__put_varint(tmp + k, l[i].size);
		k += sym__put_varint(tmp + k, sym__zig(l[i].line - pline));
		k += sym__put_varint(tmp + k, sym__zig(l[i].file - pfile));
		cd_buf_append(&lines, tmp, k);
		prev = l[i].addr;
		pline = l[i].line;
		pfile = l[i].file;
	}
	cd_buf_append(&out, tmp, sym__put_varint(tmp, b->lines.n));
	cd_buf_append(&out, tmp, sym__put_varint(tmp, lines.len));
	if (lines.len)
		cd_buf_append(&out, lines.data, lines.len);
	cd_buf_free(&lines);
	cd_buf_append(&out, tmp, sym__put_varint(tmp, b->ninl));
	if (b->inl.len)
		cd_buf_append(&out, b->inl.data, b->inl.len);
	bf->f.data_off = b->data_len;
	bf->f.data_len = (uint32_t)out.len;
	spill(b, b->data, out.data, out.len, &b->data_len);
	if (out.overflow)
		report_diag(b, bf->line, 1, "function has too many line records; some dropped");
	cd_buf_free(&out);
	b->nlines += b->lines.n;
	b->ninlines += b->ninl;
	b->lines.n = 0;
	cd_buf_reset(&b->inl);
	b->ninl = 0;
	b->in_func = 0;
}

static void end_cfi(builder *b)
{
	if (!b->in_cfi)
		return;
	sym_fc_cfi *c = (sym_fc_cfi *)b->cfi.p + b->cfi.n - 1;
	c->data_off = b->cfidata_len;
	c->data_len = (uint32_t)b->cfid.len;
	spill(b, b->cfidata, b->cfid.data, b->cfid.len, &b->cfidata_len);
	cd_buf_reset(&b->cfid);
	b->in_cfi = 0;
}

static void b_module(void *ctx, uint64_t line, const char *os, const char *arch, const char *id,
		     const char *name)
{
	builder *b = ctx;
	if (b->have_module) {
		report_diag(b, line, 1, "second MODULE line ignored");
		return;
	}
	b->have_module = 1;
	b->os = intern(&b->str, os, strlen(os));
	b->arch = intern(&b->str, arch, strlen(arch));
	b->debug_id = intern(&b->str, id, strlen(id));
	b->name = intern(&b->str, name, strlen(name));
	uint64_t h = SYM_FNV_INIT;
	h = sym__fnv(os, strlen(os), h);
	h = sym__fnv(arch, strlen(arch), h);
	h = sym__fnv(id, strlen(id), h);
	b->module_hash = sym__fnv(name, strlen(name), h);
}

static void b_info(void *ctx, uint64_t line, const char *key, const char *value)
{
	builder *b = ctx;
	(void)line;
	if (!strcmp(key, "CODE_ID")) {
		size_t n = strcspn(value, " ");
		b->code_id = intern(&b->str, value, n);
	} else if (!strcmp(key, "GENERATOR")) {
		b->generator = intern(&b->str, value, strlen(value));
	}
}

static void b_file(void *ctx, uint64_t line, int64_t id, const char *name, size_t len)
{
	builder *b = ctx;
	(void)line;
	sym_fc_id *f = vec_push(&b->files);
	if (f) {
		f->id = id;
		f->pad = (uint32_t)b->files.n;
		f->name = intern(&b->str, name, len);
	}
}

static void b_origin(void *ctx, uint64_t line, uint64_t id, const char *name, size_t len)
{
	builder *b = ctx;
	(void)line;
	sym_fc_id *o = vec_push(&b->origins);
	if (o) {
		o->id = (int64_t)id;
		o->pad = (uint32_t)b->origins.n;
		o->name = intern(&b->str, name, len);
	}
}

static void b_func(void *ctx, uint64_t line, const sym_func_rec *r)
{
	builder *b = ctx;
	end_func(b);
	bfunc *f = vec_push(&b->funcs);
	if (!f)
		return;
	f->line = line;
	f->f.addr = r->addr;
	f->f.size = r->size;
	f->f.param_size = (uint32_t)r->param_size;
	f->f.name = intern(&b->str, r->name, r->name_len);
	f->f.flags = r->multiple ? 1 : 0;
	b->in_func = 1;
}

static void b_line(void *ctx, uint64_t line, const sym_line_rec *l)
{
	builder *b = ctx;
	if (!b->in_func) {
		report_diag(b, line, 1, "line record outside any FUNC dropped");
		return;
	}
	sym_line_rec *slot = vec_push(&b->lines);
	if (slot)
		*slot = *l;
}

static void b_inline(void *ctx, uint64_t line, const sym_inline_rec *r)
{
	builder *b = ctx;
	if (!b->in_func) {
		report_diag(b, line, 1, "INLINE record outside any FUNC dropped");
		return;
	}
	const sym_fc_func *f = &((bfunc *)b->funcs.p)[b->funcs.n - 1].f;
	uint8_t tmp[32];
	size_t k = sym__put_varint(tmp, r->depth);
	k += sym__put_varint(tmp + k, sym__zig(r->call_line));
	k += sym__put_varint(tmp + k, sym__zig(r->call_file));
	k += sym__put_varint(tmp + k, r->origin);
	k += sym__put_varint(tmp + k, r->nranges);
	cd_buf_append(&b->inl, tmp, k);
	for (uint32_t i = 0; i < r->nranges; i++) {
		k = sym__put_varint(tmp, sym__zig((int64_t)(r->ranges[i].addr - f->addr)));
		k += sym__put_varint(tmp + k, r->ranges[i].size);
		cd_buf_append(&b->inl, tmp, k);
	}
	b->ninl++;
}

static void b_public(void *ctx, uint64_t line, uint64_t addr, uint64_t param, int multiple,
		     const char *name, size_t len)
{
	builder *b = ctx;
	(void)line;
	(void)multiple;
	sym_fc_public *p = vec_push(&b->publics);
	if (p) {
		p->addr = addr;
		p->param_size = (uint32_t)param;
		p->name = intern(&b->str, name, len);
	}
}

static void b_cfi_init(void *ctx, uint64_t line, uint64_t addr, uint64_t size, const char *rules,
		       size_t len)
{
	builder *b = ctx;
	(void)line;
	end_cfi(b);
	sym_fc_cfi *c = vec_push(&b->cfi);
	if (!c)
		return;
	c->addr = addr;
	c->size = size;
	c->rules = intern(&b->str, rules, len);
	b->cfi_prev = addr;
	b->in_cfi = 1;
}

static void b_cfi(void *ctx, uint64_t line, uint64_t addr, const char *rules, size_t len)
{
	builder *b = ctx;
	if (!b->in_cfi) {
		report_diag(b, line, 1, "STACK CFI record before any STACK CFI INIT dropped");
		return;
	}
	uint8_t tmp[24];
	size_t k = sym__put_varint(tmp, sym__zig((int64_t)(addr - b->cfi_prev)));
	k += sym__put_varint(tmp + k, intern(&b->str, rules, len));
	cd_buf_append(&b->cfid, tmp, k);
	b->cfi_prev = addr;
}

static void b_win(void *ctx, uint64_t line, const sym_win_rec *w)
{
	builder *b = ctx;
	(void)line;
	sym_fc_win *x = vec_push(&b->win);
	if (!x)
		return;
	x->rva = w->rva;
	x->code_size = w->code_size;
	x->type = w->type;
	x->prolog_size = w->prolog_size;
	x->epilog_size = w->epilog_size;
	x->params_size = w->params_size;
	x->saved_regs_size = w->saved_regs_size;
	x->locals_size = w->locals_size;
	x->max_stack_size = w->max_stack_size;
	x->flags = (w->has_program ? 1u : 0u) | (w->allocates_base_pointer ? 2u : 0u);
	x->program = w->has_program ? intern(&b->str, w->program, w->program_len) : 0;
}

/* ---- sorting and checks ------------------------------------------------------------- */

static int cmp_func(const void *a, const void *b)
{
	const bfunc *x = a, *y = b;
	if (x->f.addr != y->f.addr)
		return x->f.addr < y->f.addr ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line; /* first seen wins */
}

static int cmp_public(const void *a, const void *b)
{
	const sym_fc_public *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* By id, then order of appearance (kept in pad while building), so the
 * first definition of an id wins. */
static int cmp_id(const void *a, const void *b)
{
	const sym_fc_id *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->pad < y->pad ? -1 : x->pad > y->pad;
}

static int same_id(const void *a, const void *b)
{
	return ((const sym_fc_id *)a)->id == ((const sym_fc_id *)b)->id ? 0 : 1;
}

static int cmp_cfi(const void *a, const void *b)
{
	const sym_fc_cfi *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_win(const void *a, const void *b)
{
	const sym_fc_win *x = a, *y = b;
	return x->rva < y->rva ? -1 : x->rva > y->rva;
}

/* Sorted functions: a duplicate start address keeps the first seen; an
 * overlap is reported and both are kept (lookups take the innermost). */
static void check_funcs(builder *b)
{
	bfunc *f = b->funcs.p;
	if (b->funcs.n > 1)
		qsort(f, b->funcs.n, sizeof *f, cmp_func);
	size_t out = 0;
	char msg[200];
	for (size_t i = 0; i < b->funcs.n; i++) {
		if (out && f[i].f.addr == f[out - 1].f.addr) {
			snprintf(msg, sizeof msg, "duplicate FUNC at 0x%llx (first at line %llu) ignored",
				 (unsigned long long)f[i].f.addr, (unsigned long long)f[out - 1].line);
			report_diag(b, f[i].line, 0, msg);
			continue;
		}
		if (out && f[i].f.addr - f[out - 1].f.addr < f[out - 1].f.size) {
			snprintf(msg, sizeof msg, "FUNC at 0x%llx overlaps the FUNC at line %llu",
				 (unsigned long long)f[i].f.addr, (unsigned long long)f[out - 1].line);
			report_diag(b, f[i].line, 0, msg);
		}
		f[out++] = f[i];
	}
	b->funcs.n = out;
}

/* Sorted with order, then only the first of each run that same() calls
 * equal is kept. */
static void sort_dedupe(vec *v, int (*order)(const void *, const void *),
			int (*same)(const void *, const void *))
{
	if (v->n > 1)
		qsort(v->p, v->n, v->elem, order);
	size_t out = 0;
	for (size_t i = 0; i < v->n; i++) {
		char *cur = (char *)v->p + i * v->elem;
		if (out && !same(cur, (char *)v->p + (out - 1) * v->elem))
			continue;
		if (out != i)
			memcpy((char *)v->p + out * v->elem, cur, v->elem);
		out++;
	}
	v->n = out;
}

/* ---- writing ------------------------------------------------------------------------- */

static int put(FILE *f, const void *p, size_t n, uint64_t *pos)
{
	if (n && fwrite(p, 1, n, f) != n)
		return -1;
	*pos += n;
	return 0;
}

static int align8(FILE *f, uint64_t *pos)
{
	static const uint8_t zero[8];
	return put(f, zero, (size_t)((8 - *pos % 8) % 8), pos);
}

static int copy_file(FILE *out, FILE *in, uint64_t *pos)
{
	if (fflush(in) || fseek(in, 0, SEEK_SET))
		return -1;
	char buf[1 << 16];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, in)) > 0)
		if (put(out, buf, k, pos))
			return -1;
	return ferror(in) ? -1 : 0;
}

static int write_cache(builder *b, const char *tmp, const char *sym_path)
{
	/* Caches are private to the user, like everything under the XDG dirs. */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	sym_fc_header h;
	memset(&h, 0, sizeof h);
	uint64_t pos = 0;
	int rc = put(f, &h, sizeof h, &pos);
	/* One bfunc array is written as plain sym_fc_func entries. */
	size_t nidx = (b->funcs.n + SYM_FC_IDX_STEP - 1) / SYM_FC_IDX_STEP;
	uint64_t *idx = malloc((nidx ? nidx : 1) * sizeof *idx);
	if (!idx) {
		fclose(f);
		return -1;
	}
	for (size_t i = 0; i < nidx; i++)
		idx[i] = ((const bfunc *)b->funcs.p)[i * SYM_FC_IDX_STEP].f.addr;
	struct { const void *p; size_t n, elem, stride; FILE *spill; } sec[S_COUNT] = {
		[S_STRINGS] = { b->str.blob, b->str.len, 1, 1, NULL },
		[S_FUNCS] = { b->funcs.p, b->funcs.n, sizeof(sym_fc_func), sizeof(bfunc), NULL },
		[S_DATA] = { NULL, 0, 1, 1, b->data },
		[S_PUBLICS] = { b->publics.p, b->publics.n, sizeof(sym_fc_public), sizeof(sym_fc_public), NULL },
		[S_FILES] = { b->files.p, b->files.n, sizeof(sym_fc_id), sizeof(sym_fc_id), NULL },
		[S_ORIGINS] = { b->origins.p, b->origins.n, sizeof(sym_fc_id), sizeof(sym_fc_id), NULL },
		[S_CFI] = { b->cfi.p, b->cfi.n, sizeof(sym_fc_cfi), sizeof(sym_fc_cfi), NULL },
		[S_CFIDATA] = { NULL, 0, 1, 1, b->cfidata },
		[S_WIN] = { b->win.p, b->win.n, sizeof(sym_fc_win), sizeof(sym_fc_win), NULL },
		[S_FUNCIDX] = { idx, nidx, sizeof *idx, sizeof *idx, NULL },
	};
	for (int s = 0; s < S_COUNT && !rc; s++) {
		rc = align8(f, &pos);
		h.section[s].off = pos;
		if (sec[s].spill) {
			rc = rc || copy_file(f, sec[s].spill, &pos);
		} else if (sec[s].stride == sec[s].elem) {
			rc = rc || put(f, sec[s].p, sec[s].n * sec[s].elem, &pos);
		} else {
			for (size_t i = 0; i < sec[s].n && !rc; i++)
				rc = put(f, (const char *)sec[s].p + i * sec[s].stride, sec[s].elem, &pos);
		}
		h.section[s].size = pos - h.section[s].off;
	}
	memcpy(h.magic, SYM_FC_MAGIC, 8);
	h.version = SYM_FC_VERSION;
	h.header_size = sizeof h;
	h.total_size = pos;
	sym__source_identity(sym_path, &h.src_size, &h.src_mtime, &h.src_sample_hash);
	h.src_module_hash = b->module_hash;
	h.flags = b->report->damaged ? 1 : 0;
	h.nsections = S_COUNT;
	h.os = b->os, h.arch = b->arch, h.debug_id = b->debug_id, h.name = b->name;
	h.code_id = b->code_id, h.generator = b->generator;
	h.nlines = b->nlines;
	h.ninlines = b->ninlines;
	free(idx);
	h.checksum = sym__fnv(&h, offsetof(sym_fc_header, checksum), SYM_FNV_INIT);
	if (!rc)
		rc = fseek(f, 0, SEEK_SET) || fwrite(&h, sizeof h, 1, f) != 1;
	if (fflush(f) || fsync(fileno(f)))
		rc = -1;
	if (fclose(f))
		rc = -1;
	return rc ? -1 : 0;
}

static void builder_free(builder *b)
{
	free(b->str.blob);
	free(b->str.slots);
	vec *v[] = { &b->funcs, &b->publics, &b->files, &b->origins, &b->cfi, &b->win, &b->lines };
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		free(v[i]->p);
	cd_buf_free(&b->inl);
	cd_buf_free(&b->cfid);
	if (b->data)
		fclose(b->data);
	if (b->cfidata)
		fclose(b->cfidata);
}

void sym_report_free(sym_report *r)
{
	if (!r)
		return;
	cd_arena_free(&r->arena);
	r->diags = NULL;
	r->ndiags = 0;
}

int sym_cache_build(const char *sym_path, const char *cache_path, sym_report *report, cd_err *e)
{
	sym_report local;
	if (!report)
		report = &local;
	memset(report, 0, sizeof *report);
	cd_arena_init(&report->arena, 0);
	builder b;
	memset(&b, 0, sizeof b);
	b.report = report;
	b.funcs.elem = sizeof(bfunc);
	b.publics.elem = sizeof(sym_fc_public);
	b.files.elem = b.origins.elem = sizeof(sym_fc_id);
	b.cfi.elem = sizeof(sym_fc_cfi);
	b.win.elem = sizeof(sym_fc_win);
	b.lines.elem = sizeof(sym_line_rec);
	cd_buf_init(&b.inl, 0);
	cd_buf_init(&b.cfid, 0);
	/* Offset 0 is the empty string, for absent names. */
	b.str.blob = malloc(1 << 16);
	if (b.str.blob) {
		b.str.cap = 1 << 16;
		b.str.blob[0] = 0;
		b.str.len = 1;
	}
	b.data = tmpfile();
	b.cfidata = tmpfile();
	int rc = CD_OK;
	if (!b.data || !b.cfidata) {
		rc = cd_errf(e, CD_EIO, "%s: cannot create temporary files: %s", cache_path,
			     strerror(errno));
		goto out;
	}
	sym_sink sink = {
		.ctx = &b, .module = b_module, .info = b_info, .file = b_file, .origin = b_origin,
		.func = b_func, .line_rec = b_line, .inline_rec = b_inline, .public_rec = b_public,
		.cfi_init = b_cfi_init, .cfi = b_cfi, .win = b_win, .diag = b_diag,
	};
	rc = sym_parse(sym_path, &sink, &report->counts, e);
	if (rc)
		goto out;
	end_func(&b);
	end_cfi(&b);
	if (!b.have_module)
		report_diag(&b, 1, 1, "no MODULE line");
	if (b.str.full)
		report_diag(&b, 0, 1, "more than 4 GiB of names; the rest were dropped");
	check_funcs(&b);
	sort_dedupe(&b.publics, cmp_public, cmp_public);
	sort_dedupe(&b.files, cmp_id, same_id);
	sort_dedupe(&b.origins, cmp_id, same_id);
	sort_dedupe(&b.cfi, cmp_cfi, cmp_cfi);
	if (b.win.n > 1) /* nested ranges may share a start: all are kept */
		qsort(b.win.p, b.win.n, b.win.elem, cmp_win);
	if (b.io_error) {
		rc = cd_errf(e, CD_EIO, "%s: cannot write temporary data: %s", cache_path,
			     strerror(errno));
		goto out;
	}
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", cache_path, (long)getpid());
	if (write_cache(&b, tmp, sym_path) || rename(tmp, cache_path)) {
		rc = cd_errf(e, CD_EIO, "%s: cannot write the symbol cache: %s", cache_path,
			     strerror(errno));
		unlink(tmp);
	}
out:
	builder_free(&b);
	if (report == &local)
		sym_report_free(&local);
	return rc;
}
