/*
 * build.c - turning a .sym into a symbol cache (format in internal.h).
 *
 * The parser streams records into this sink. Fixed-size entries (functions,
 * publics, CFI ranges, STACK WIN, file and origin ids) and the deduplicated
 * strings stay in memory; the bulky per-function line and inline records
 * and the STACK CFI rule lists are varint-encoded as each function or CFI
 * range ends and written straight into the cache file's DATA section, so
 * peak memory is a fraction of the text. At the end the arrays are sorted,
 * checked for overlaps and written after DATA, then the header; the file
 * is written under a temporary name and renamed into place.
 *
 * DATA, per function: varint nlines, varint byte length of the lines,
 * then per line (sorted by address)
 * zigzag(addr - previous addr, starting at the function's), varint size,
 * zigzag(line - previous line), zigzag(file - previous file); then varint
 * ninlines, then per inline varint depth, zigzag call_line, zigzag
 * call_file, varint origin, varint nranges, per range zigzag(addr -
 * function addr) and varint size.
 * Per STACK CFI INIT: per STACK CFI zigzag(addr - previous addr, starting
 * at the INIT's) and varint rules (a STRINGS offset).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pthread.h>

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

/* An open-addressing set of blob offsets. Each slot keeps the low 32 bits
 * of the string's hash beside its offset, so a probe only reads the blob
 * when the hashes agree. */
typedef struct strset {
	uint64_t *slots; /* hash << 32 | (offset + 1); 0 = empty */
	size_t nslots, used;
} strset;

/* Deduplicated strings: one blob, two sets over it. CFI rules (millions of
 * records, a few thousand distinct texts) get their own set, which stays
 * small enough to live in the CPU's caches; names are nearly all distinct
 * and would crowd them out. */
typedef struct strtab {
	char *blob;
	size_t len, cap;
	strset names, rules;
	int full;        /* the 4 GiB offset space ran out */
} strtab;

static int strset_grow(strset *t)
{
	size_t ns = t->nslots ? t->nslots * 2 : 1 << 12;
	uint64_t *slots = calloc(ns, sizeof *slots);
	if (!slots)
		return CD_ENOMEM;
	for (size_t i = 0; i < t->nslots; i++) {
		uint64_t o = t->slots[i];
		if (!o)
			continue;
		size_t h = (size_t)(o >> 32) & (ns - 1);
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
static uint32_t intern_in(strtab *t, strset *set, const char *s, size_t n)
{
	const char *nul = memchr(s, 0, n);
	if (nul)
		n = (size_t)(nul - s);
	if (n == 0 || t->full)
		return 0;
	if ((set->used + 1) * 2 > set->nslots && strset_grow(set))
		return 0;
	uint32_t hash = (uint32_t)sym__hash(s, n);
	size_t h = hash & (set->nslots - 1);
	uint64_t o;
	while ((o = set->slots[h])) {
		uint32_t off = (uint32_t)o - 1;
		if ((uint32_t)(o >> 32) == hash && t->len - off > n && !memcmp(t->blob + off, s, n) &&
		    t->blob[off + n] == 0)
			return off;
		h = (h + 1) & (set->nslots - 1);
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
	set->slots[h] = (uint64_t)hash << 32 | (off + 1);
	set->used++;
	return off;
}

static uint32_t intern(strtab *t, const char *s, size_t n)
{
	return intern_in(t, &t->names, s, n);
}

/* ---- the output file ------------------------------------------------------------ */

/* Writes go out in whole OUT_CHUNKs at multiples of OUT_CHUNK in the file:
 * the page cache then holds the cache in large folios, which a later
 * mmap maps with a few huge-page faults instead of thousands of small
 * ones (this roughly halves the time of the first lookups). */
#define OUT_CHUNK (4u << 20)
/* Written-back in the background every OUT_SYNC bytes, so the closing
 * fsync waits for the last part only. */
#define OUT_SYNC (32u << 20)

typedef struct outfile {
	int fd;
	uint8_t *buf;       /* OUT_CHUNK bytes: the file's [pos, pos + len) */
	size_t len;
	uint64_t pos;
	uint64_t synced;    /* writeback started below this offset */
	int error;
} outfile;

static int pwrite_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t k = pwrite(fd, p, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

static void out_flush(outfile *o)
{
	if (o->len && !o->error && pwrite_all(o->fd, o->buf, o->len, o->pos))
		o->error = 1;
	o->pos += o->len;
	o->len = 0;
#ifdef SYNC_FILE_RANGE_WRITE
	if (o->pos - o->synced >= OUT_SYNC) {
		sync_file_range(o->fd, (off_t)o->synced, (off_t)(o->pos - o->synced),
				SYNC_FILE_RANGE_WRITE);
		o->synced = o->pos;
	}
#endif
}

/* Buffered up to the next multiple of OUT_CHUNK in the file. */
static void out_put(outfile *o, const void *p, size_t n)
{
	const uint8_t *s = p;
	while (n) {
		size_t room = OUT_CHUNK - (size_t)((o->pos + o->len) % OUT_CHUNK);
		size_t k = room < n ? room : n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
		if (k == room)
			out_flush(o);
	}
}

/* Continues the file at off (past what another writer fills in). */
static void out_seek(outfile *o, uint64_t off)
{
	out_flush(o);
	o->pos = off;
}

/* [off, off + n) of the file from p, in pieces that end at multiples of
 * OUT_CHUNK, like out_put's. On a thread of its own. */
typedef struct region {
	int fd;
	const uint8_t *p;
	size_t n;
	uint64_t off;
	int error;
} region;

static void *write_region(void *arg)
{
	region *r = arg;
	const uint8_t *p = r->p;
	size_t n = r->n;
	uint64_t off = r->off;
	while (n && !r->error) {
		size_t k = OUT_CHUNK - (size_t)(off % OUT_CHUNK);
		if (k > n)
			k = n;
		r->error = pwrite_all(r->fd, p, k, off);
		p += k;
		n -= k;
		off += k;
	}
	return NULL;
}

/* Where the next byte goes. */
static uint64_t out_tell(const outfile *o)
{
	return o->pos + o->len;
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
	/* The open function's lines: encoded in scratch as they come while
	 * they come in order (dump_syms writes them so), else decoded into
	 * lines to be sorted at its end. */
	uint8_t *scratch;
	size_t scratch_len, scratch_cap;
	uint64_t nfunc_lines;
	sym_line_rec prev;       /* the last line encoded */
	int unsorted;
	outfile out;             /* the cache file, DATA first */
	uint64_t data_start, data_size, strings_off;
	uint64_t nlines, ninlines;
	uint32_t os, arch, debug_id, name, code_id, generator;
	uint64_t module_hash;
	int have_module;
	sym_report *report;
} builder;

static void report_diag(builder *b, uint64_t line, int damaged, const char *msg)
{
	sym__report_add(b->report, line, damaged, msg);
}

static void b_diag(void *ctx, uint64_t line, int damaged, const char *msg)
{
	report_diag(ctx, line, damaged, msg);
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

size_t sym__encode_lines(sym_line_rec *l, size_t n, uint64_t func_addr, uint8_t *out)
{
	size_t k0 = 1;
	while (k0 < n && sym__line_before(&l[k0 - 1], &l[k0]))
		k0++;
	if (k0 < n) /* dump_syms writes them sorted: usually skipped */
		qsort(l, n, sizeof *l, by_line_addr);
	uint8_t *q = out;
	sym_line_rec prev = { .addr = func_addr };
	for (size_t i = 0; i < n; i++) {
		q += sym__put_line(q, &l[i], &prev);
		prev = l[i];
	}
	return (size_t)(q - out);
}

/* Writes the open function's DATA: its n lines, encoded in enc, then its
 * inlines. */
static void write_func(builder *b, uint64_t n, const uint8_t *enc, size_t nbytes)
{
	bfunc *bf = (bfunc *)b->funcs.p + b->funcs.n - 1;
	/* The lines' byte length precedes them: a lookup stops decoding past
	 * its address and jumps to the inlines. */
	uint8_t head[32];
	size_t hk = sym__put_varint(head, n);
	hk += sym__put_varint(head + hk, nbytes);
	uint8_t tail[10];
	size_t tk = sym__put_varint(tail, b->ninl);
	uint64_t len = hk + nbytes + tk + b->inl.len;
	if (len > UINT32_MAX) {
		report_diag(b, bf->line, 1, "function has too many line records; they were dropped");
		hk = sym__put_varint(head, 0);
		hk += sym__put_varint(head + hk, 0);
		tk = sym__put_varint(tail, 0);
		nbytes = 0;
		n = 0;
		cd_buf_reset(&b->inl);
		len = hk + tk;
	}
	bf->f.data_off = out_tell(&b->out) - b->data_start;
	bf->f.data_len = (uint32_t)len;
	out_put(&b->out, head, hk);
	out_put(&b->out, enc, nbytes);
	out_put(&b->out, tail, tk);
	out_put(&b->out, b->inl.data, b->inl.len);
	if (b->inl.overflow)
		report_diag(b, bf->line, 1, "function has too many inline records; some dropped");
	b->nlines += n;
	b->ninlines += b->ninl;
	cd_buf_reset(&b->inl);
	b->ninl = 0;
	b->in_func = 0;
}

/* Writes the open function's DATA. */
static void end_func(builder *b)
{
	if (!b->in_func)
		return;
	uint64_t n = b->nfunc_lines;
	size_t len = b->scratch_len;
	if (b->unsorted) {
		const bfunc *bf = (bfunc *)b->funcs.p + b->funcs.n - 1;
		if (n * SYM_LINE_MAX > b->scratch_cap) {
			uint8_t *p = realloc(b->scratch, n * SYM_LINE_MAX);
			if (!p) {
				report_diag(b, bf->line, 1, "out of memory: the function's lines dropped");
				n = 0;
			} else {
				b->scratch = p;
				b->scratch_cap = n * SYM_LINE_MAX;
			}
		}
		len = n ? sym__encode_lines(b->lines.p, n, bf->f.addr, b->scratch) : 0;
		b->lines.n = 0;
		b->unsorted = 0;
	}
	b->nfunc_lines = 0;
	b->scratch_len = 0;
	write_func(b, n, b->scratch, len);
}

/* A line out of order: the function's lines so far are decoded from
 * scratch into lines, where the rest join them. */
static int to_unsorted(builder *b)
{
	vec *v = &b->lines;
	while (v->cap < b->nfunc_lines + 1) {
		v->n = v->cap;
		if (!vec_push(v)) /* grows it */
			return -1;
	}
	const uint8_t *p = b->scratch, *end = b->scratch + b->scratch_len;
	const bfunc *bf = (bfunc *)b->funcs.p + b->funcs.n - 1;
	sym_line_rec prev = { .addr = bf->f.addr };
	sym_line_rec *l = v->p;
	for (uint64_t i = 0; i < b->nfunc_lines; i++) {
		uint64_t x[4] = { 0 };
		for (int k = 0; k < 4; k++)
			sym__get_varint(&p, end, &x[k]);
		prev.addr += (uint64_t)sym__unzig(x[0]);
		prev.size = x[1];
		prev.line += sym__unzig(x[2]);
		prev.file += sym__unzig(x[3]);
		l[i] = prev;
	}
	v->n = b->nfunc_lines;
	b->unsorted = 1;
	return 0;
}

/* A new name's slot is a cache miss (the table is megabytes, names nearly
 * all distinct): fetched while the records before it are replayed. */
static void b_prefetch(void *ctx, uint32_t hash)
{
	const strset *s = &((builder *)ctx)->str.names;
	if (s->nslots)
		__builtin_prefetch(&s->slots[hash & (s->nslots - 1)], 1);
}

static void end_cfi(builder *b)
{
	if (!b->in_cfi)
		return;
	sym_fc_cfi *c = (sym_fc_cfi *)b->cfi.p + b->cfi.n - 1;
	c->data_off = out_tell(&b->out) - b->data_start;
	c->data_len = (uint32_t)b->cfid.len;
	out_put(&b->out, b->cfid.data, b->cfid.len);
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
	b->prev = (sym_line_rec){ .addr = r->addr };
}

static inline void add_line(builder *b, uint64_t line, const sym_line_rec *l)
{
	if (!b->in_func) {
		report_diag(b, line, 1, "line record outside any FUNC dropped");
		return;
	}
	if (!b->unsorted && (!b->nfunc_lines || sym__line_before(&b->prev, l))) {
		if (b->scratch_cap - b->scratch_len < SYM_LINE_MAX) {
			size_t cap = b->scratch_cap ? 2 * b->scratch_cap : 1 << 16;
			uint8_t *p = realloc(b->scratch, cap);
			if (!p) {
				report_diag(b, line, 1, "out of memory: line record dropped");
				return;
			}
			b->scratch = p;
			b->scratch_cap = cap;
		}
		b->scratch_len += sym__put_line(b->scratch + b->scratch_len, l, &b->prev);
		b->prev = *l;
		b->nfunc_lines++;
		return;
	}
	if (!b->unsorted && to_unsorted(b)) {
		report_diag(b, line, 1, "out of memory: line record dropped");
		return;
	}
	vec *v = &b->lines;
	if (v->n == v->cap) {
		if (!vec_push(v)) { /* grows it, taking a slot given back here */
			report_diag(b, line, 1, "out of memory: line record dropped");
			return;
		}
		v->n--;
	}
	((sym_line_rec *)v->p)[v->n++] = *l;
	b->nfunc_lines++;
}

static void b_line(void *ctx, uint64_t line, const sym_line_rec *l)
{
	add_line(ctx, line, l);
}

static void b_line_recs(void *ctx, uint64_t first, const sym_line_rec *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_line(ctx, first + i, &l[i]);
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
	c->rules = intern_in(&b->str, &b->str.rules, rules, len);
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
	k += sym__put_varint(tmp + k, intern_in(&b->str, &b->str.rules, rules, len));
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

/* A stable sort by the uint64_t at the start of each entry: a byte per
 * pass, least significant first, passes over a byte all keys share
 * skipped. Half the time of a merge sort on the 570,000 STACK CFI INIT
 * ranges of a large file, and sorting is time nothing else overlaps.
 * Returns -1 without scratch memory. */
static int radix_sort(void *base, size_t n, size_t elem)
{
	char *src = base, *dst = malloc(n * elem);
	if (!dst)
		return -1;
	char *scratch = dst;
	static const size_t nb = 256;
	size_t (*count)[256] = calloc(8, sizeof *count);
	if (!count) {
		free(dst);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t k;
		memcpy(&k, src + i * elem, 8);
		for (int d = 0; d < 8; d++)
			count[d][(k >> (8 * d)) & 0xff]++;
	}
	for (int d = 0; d < 8; d++) {
		size_t *c = count[d], sum = 0;
		int all_one = 0;
		for (size_t v = 0; v < nb; v++)
			all_one |= c[v] == n;
		if (all_one)
			continue;
		for (size_t v = 0; v < nb; v++) {
			size_t t = c[v];
			c[v] = sum;
			sum += t;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t k;
			memcpy(&k, src + i * elem, 8);
			memcpy(dst + c[(k >> (8 * d)) & 0xff]++ * elem, src + i * elem, elem);
		}
		char *t = src;
		src = dst;
		dst = t;
	}
	if (src != base)
		memcpy(base, src, n * elem);
	free(scratch);
	free(count);
	return 0;
}

/* Sorts unless the array is in order already (dump_syms writes most
 * sections sorted; a linear check is far cheaper than a sort). by_key:
 * cmp orders by the uint64_t at the start of each entry, ties in the
 * order given, so the radix sort gives the same order. */
static void sort_if_needed(void *base, size_t n, size_t elem, int (*cmp)(const void *, const void *),
			   int by_key)
{
	const char *p = base;
	size_t i = 1;
	while (i < n && cmp(p + (i - 1) * elem, p + i * elem) <= 0)
		i++;
	if (i < n && !(by_key && radix_sort(base, n, elem) == 0))
		qsort(base, n, elem, cmp);
}

/* Sorted functions: a duplicate start address keeps the first seen; an
 * overlap is reported and both are kept (lookups take the innermost). */
static void check_funcs(builder *b)
{
	bfunc *f = b->funcs.p;
	/* by address, then source line: the order they came in */
	sort_if_needed(f, b->funcs.n, sizeof *f, cmp_func, 1);
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
			int (*same)(const void *, const void *), int by_key)
{
	sort_if_needed(v->p, v->n, v->elem, order, by_key);
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

static void align8(outfile *o)
{
	static const uint8_t zero[8];
	out_put(o, zero, (size_t)((8 - out_tell(o) % 8) % 8));
}

/* DATA is complete and STRINGS, which follows it, will not change: it is
 * written on a second thread while the other sections are sorted (this
 * thread's work after the parse is time the parser's thread has nothing
 * to overlap with). */
typedef struct strings_writer {
	region r;
	pthread_t t;
	int started;
} strings_writer;

static void start_strings(builder *b, strings_writer *w)
{
	outfile *o = &b->out;
	b->data_size = out_tell(o) - b->data_start;
	align8(o);
	b->strings_off = out_tell(o);
	w->r = (region){ o->fd, (const uint8_t *)b->str.blob, b->str.len, b->strings_off, 0 };
	out_seek(o, b->strings_off + b->str.len);
	w->started = pthread_create(&w->t, NULL, write_region, &w->r) == 0;
	if (!w->started)
		write_region(&w->r);
}

/* The STACK CFI INIT ranges (dump_syms does not write them in order) are
 * the one large sort, about half of the work after the parse: done on a
 * thread of its own while the functions are checked and written. */
typedef struct cfi_sorter {
	vec *cfi;
	pthread_t t;
	int started;
} cfi_sorter;

static int cmp_cfi(const void *a, const void *b);
static void sort_dedupe(vec *v, int (*order)(const void *, const void *),
			int (*same)(const void *, const void *), int by_key);

static void *sort_cfi(void *arg)
{
	cfi_sorter *c = arg;
	sort_dedupe(c->cfi, cmp_cfi, cmp_cfi, 1);
	return NULL;
}

static void start_cfi_sort(builder *b, cfi_sorter *c)
{
	c->cfi = &b->cfi;
	c->started = pthread_create(&c->t, NULL, sort_cfi, c) == 0;
	if (!c->started)
		sort_cfi(c);
}

/* Everything after STRINGS, then the header at the start of the file. */
static int finish_cache(builder *b, const char *sym_path, strings_writer *w, cfi_sorter *cs)
{
	outfile *o = &b->out;
	sym_fc_header h;
	memset(&h, 0, sizeof h);
	h.section[S_DATA].off = b->data_start;
	h.section[S_DATA].size = b->data_size;
	h.section[S_STRINGS].off = b->strings_off;
	h.section[S_STRINGS].size = b->str.len;
	size_t nidx = (b->funcs.n + SYM_FC_IDX_STEP - 1) / SYM_FC_IDX_STEP;
	uint64_t *idx = malloc((nidx ? nidx : 1) * sizeof *idx);
	if (!idx)
		nidx = 0, o->error = 1;
	for (size_t i = 0; i < nidx; i++)
		idx[i] = ((const bfunc *)b->funcs.p)[i * SYM_FC_IDX_STEP].f.addr;
	/* FUNCADDR: strided out of the bfunc array below. */
	const bfunc *bf = b->funcs.p;
	/* The bfunc array is written as plain sym_fc_func entries. */
	struct { const void *p; size_t n, elem, stride; } sec[S_COUNT] = {
		[S_FUNCS] = { b->funcs.p, b->funcs.n, sizeof(sym_fc_func), sizeof(bfunc) },
		[S_PUBLICS] = { b->publics.p, b->publics.n, sizeof(sym_fc_public), sizeof(sym_fc_public) },
		[S_FILES] = { b->files.p, b->files.n, sizeof(sym_fc_id), sizeof(sym_fc_id) },
		[S_ORIGINS] = { b->origins.p, b->origins.n, sizeof(sym_fc_id), sizeof(sym_fc_id) },
		[S_CFI] = { b->cfi.p, b->cfi.n, sizeof(sym_fc_cfi), sizeof(sym_fc_cfi) },
		[S_WIN] = { b->win.p, b->win.n, sizeof(sym_fc_win), sizeof(sym_fc_win) },
		[S_FUNCIDX] = { idx, nidx, sizeof *idx, sizeof *idx },
		[S_FUNCADDR] = { bf ? &bf->f.addr : NULL, b->funcs.n, sizeof(uint64_t), sizeof(bfunc) },
	};
	for (int s = 0; s < S_COUNT; s++) {
		if (s == S_DATA || s == S_STRINGS)
			continue;
		if (s == S_CFI) {
			if (cs->started)
				pthread_join(cs->t, NULL);
			cs->started = 0;
			sec[s].p = b->cfi.p;
			sec[s].n = b->cfi.n;
		}
		align8(o);
		h.section[s].off = out_tell(o);
		if (sec[s].stride == sec[s].elem)
			out_put(o, sec[s].p, sec[s].n * sec[s].elem);
		else
			for (size_t i = 0; i < sec[s].n; i++)
				out_put(o, (const char *)sec[s].p + i * sec[s].stride, sec[s].elem);
		h.section[s].size = out_tell(o) - h.section[s].off;
	}
	free(idx);
	out_flush(o);
	if (w->started)
		pthread_join(w->t, NULL);
	if (w->r.error)
		o->error = 1;
	memcpy(h.magic, SYM_FC_MAGIC, 8);
	h.version = SYM_FC_VERSION;
	h.header_size = sizeof h;
	h.total_size = o->pos;
	sym__source_identity(sym_path, &h.src_size, &h.src_mtime, &h.src_sample_hash);
	h.src_module_hash = b->module_hash;
	h.flags = b->report->damaged ? 1 : 0;
	h.nsections = S_COUNT;
	h.os = b->os, h.arch = b->arch, h.debug_id = b->debug_id, h.name = b->name;
	h.code_id = b->code_id, h.generator = b->generator;
	h.nlines = b->nlines;
	h.ninlines = b->ninlines;
	h.checksum = sym__fnv(&h, offsetof(sym_fc_header, checksum), SYM_FNV_INIT);
	if (o->error || pwrite(o->fd, &h, sizeof h, 0) != (ssize_t)sizeof h || fsync(o->fd))
		return -1;
	return 0;
}

static void builder_free(builder *b)
{
	free(b->str.blob);
	vec *v[] = { &b->funcs, &b->publics, &b->files, &b->origins, &b->cfi, &b->win, &b->lines };
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		free(v[i]->p);
	cd_buf_free(&b->inl);
	cd_buf_free(&b->cfid);
	free(b->str.names.slots);
	free(b->str.rules.slots);
	free(b->scratch);
	free(b->out.buf);
	if (b->out.fd >= 0)
		close(b->out.fd);
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
	return sym__cache_build(sym_path, cache_path, 1, report, e);
}

int sym__cache_build(const char *sym_path, const char *cache_path, int threaded, sym_report *report,
		     cd_err *e)
{
	/* threaded: 1 balanced, 2 the parser's thread parses every line,
	 * 3 line records parsed on this thread. */
	int text_mode = threaded == 2 ? SYM_TEXT_PARSER : threaded == 3 ? SYM_TEXT_CALLER : SYM_TEXT_AUTO;
	sym_report local;
	if (!report)
		report = &local;
	memset(report, 0, sizeof *report);
	cd_arena_init(&report->arena, 0);
	builder b;
	memset(&b, 0, sizeof b);
	b.out.fd = -1;
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
	char tmp[4096];
	/* What a killed build left beside it goes first (whichever command
	 * builds: sym lookup has no store to sweep at its start). */
	snprintf(tmp, sizeof tmp, "%s", cache_path);
	char *slash = strrchr(tmp, '/');
	if (slash) {
		*slash = 0;
		cd_tmp_sweep(tmp, 1, NULL);
	}
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", cache_path, (long)getpid());
	/* Caches are private to the user, like everything under the XDG dirs. */
	b.out.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int created = b.out.fd >= 0;
	b.out.buf = malloc(OUT_CHUNK);
	int rc = CD_OK;
	if (b.out.fd < 0 || !b.out.buf || !b.str.blob) {
		rc = cd_errf(e, CD_EIO, "%s: cannot write the symbol cache: %s", tmp,
			     b.out.fd < 0 ? strerror(errno) : "out of memory");
		goto out;
	}
	/* DATA follows the header, which is written last. */
	b.data_start = sizeof(sym_fc_header);
	uint8_t zero[sizeof(sym_fc_header)] = { 0 };
	out_put(&b.out, zero, sizeof zero);
	sym_sink sink = {
		.ctx = &b, .module = b_module, .info = b_info, .file = b_file, .origin = b_origin,
		.func = b_func, .line_rec = b_line, .line_recs = b_line_recs, .inline_rec = b_inline, .public_rec = b_public,
		.cfi_init = b_cfi_init, .cfi = b_cfi, .win = b_win, .diag = b_diag,
	};
	sym__build_hooks hooks = { .prefetch = b_prefetch, .text = text_mode };
	rc = threaded ? sym__parse_threaded(sym_path, &sink, &hooks, &report->counts, e)
		      : sym_parse(sym_path, &sink, &report->counts, e);
	if (rc)
		goto out;
	end_func(&b);
	end_cfi(&b);
	if (!b.have_module)
		report_diag(&b, 1, 1, "no MODULE line");
	if (b.str.full)
		report_diag(&b, 0, 1, "more than 4 GiB of names; the rest were dropped");
	strings_writer sw;
	start_strings(&b, &sw);
	cfi_sorter cs;
	start_cfi_sort(&b, &cs);
	check_funcs(&b);
	sort_dedupe(&b.publics, cmp_public, cmp_public, 1);
	sort_dedupe(&b.files, cmp_id, same_id, 0);
	sort_dedupe(&b.origins, cmp_id, same_id, 0);
	/* nested ranges may share a start: all are kept */
	sort_if_needed(b.win.p, b.win.n, b.win.elem, cmp_win, 1);
	int bad = finish_cache(&b, sym_path, &sw, &cs);
	bad |= close(b.out.fd);
	b.out.fd = -1;
	if (bad || rename(tmp, cache_path))
		rc = cd_errf(e, CD_EIO, "%s: cannot write the symbol cache: %s", cache_path,
			     strerror(errno));
out:
	if (rc && created)
		unlink(tmp);
	builder_free(&b);
	if (report == &local)
		sym_report_free(&local);
	return rc;
}
