/*
 * cache.c - reading a symbol cache: map, check, look up.
 *
 * Opening checks the header (magic, version, checksum, total size equal to
 * the file's) and that every section lies inside the file with a whole
 * number of entries; nothing else is read until a lookup needs it. Every
 * later access is bounds-checked too (a string offset past STRINGS reads
 * as "", a varint running past its section ends the decode), so a cache
 * damaged after opening gives wrong answers, never a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "internal.h"

struct sym_cache {
	cd_map map;
	int lock_fd;            /* shared lock: `cache gc` leaves a mapped cache alone */
	const sym_fc_header *h;
	const char *strings;
	uint64_t nstrings;
	const sym_fc_func *funcs;
	uint64_t nfuncs;
	const uint8_t *data;
	uint64_t ndata;
	const sym_fc_public *publics;
	uint64_t npublics;
	const sym_fc_id *files, *origins;
	uint64_t nfiles, norigins;
	const sym_fc_cfi *cfi;
	uint64_t ncfi;
	const sym_fc_win *win;
	uint64_t nwin;
	const uint64_t *funcidx, *funcaddr;
	uint64_t nfuncidx;
};

uint64_t sym__fnv(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int sym__source_identity(const char *path, uint64_t *size, int64_t *mtime, uint64_t *sample)
{
	char zip[4096];
	const char *entry;
	if (sym__zip_split(path, zip, sizeof zip, &entry)) {
		/* An entry of a zip: the archive's size and time stand for it
		 * (stat only: checking a cache must not read a directory of
		 * thousands of entries each time), with the entry's name. */
		struct stat st;
		if (stat(zip, &st) != 0)
			return CD_EIO;
		*size = (uint64_t)st.st_size;
		*mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		*sample = sym__fnv(entry, strlen(entry), SYM_FNV_INIT);
		return CD_OK;
	}
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return CD_EIO;
	}
	*size = (uint64_t)st.st_size;
	*mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	/* 16 blocks of 4 KiB spread over the file: cheap, and catches edits
	 * that keep the size and were made within the mtime's resolution. */
	uint64_t h = SYM_FNV_INIT;
	uint8_t buf[4096];
	for (int i = 0; i < 16; i++) {
		off_t at = (off_t)((*size / 16) * (uint64_t)i);
		ssize_t k = pread(fd, buf, sizeof buf, at);
		if (k > 0)
			h = sym__fnv(buf, (size_t)k, h);
	}
	close(fd);
	*sample = h;
	return CD_OK;
}

static const char *str(const sym_cache *c, uint32_t off)
{
	if (off >= c->nstrings)
		return "";
	/* The STRINGS section ends with a NUL (checked at open). */
	return c->strings + off;
}

int sym_cache_open(const char *path, sym_cache **out, cd_err *e)
{
	*out = NULL;
	sym_cache *c = calloc(1, sizeof *c);
	if (!c)
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	int rc = cd_map_open(path, &c->map, e);
	if (rc) {
		free(c);
		return rc;
	}
	c->lock_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->lock_fd >= 0)
		flock(c->lock_fd, LOCK_SH);
	const char *why = NULL;
	const sym_fc_header *h = (const sym_fc_header *)c->map.data;
	if (c->map.size < sizeof *h)
		why = "shorter than its header";
	else if (memcmp(h->magic, SYM_FC_MAGIC, 8))
		why = "not a crashdesk symbol cache";
	else if (h->version != SYM_FC_VERSION || h->header_size != sizeof *h ||
		 h->nsections != S_COUNT)
		why = "of another format version";
	else if (h->checksum != sym__fnv(h, offsetof(sym_fc_header, checksum), SYM_FNV_INIT))
		why = "header checksum mismatch";
	else if (h->total_size != c->map.size)
		why = "truncated or extended";
	static const size_t elem[S_COUNT] = {
		[S_STRINGS] = 1, [S_FUNCS] = sizeof(sym_fc_func), [S_DATA] = 1,
		[S_PUBLICS] = sizeof(sym_fc_public), [S_FILES] = sizeof(sym_fc_id),
		[S_ORIGINS] = sizeof(sym_fc_id), [S_CFI] = sizeof(sym_fc_cfi),
		[S_WIN] = sizeof(sym_fc_win), [S_FUNCIDX] = sizeof(uint64_t),
		[S_FUNCADDR] = sizeof(uint64_t),
	};
	for (int s = 0; !why && s < S_COUNT; s++) {
		uint64_t off = h->section[s].off, size = h->section[s].size;
		if (off > c->map.size || size > c->map.size - off || off % 8 || size % elem[s])
			why = "a section lies outside the file";
	}
	if (!why && (h->section[S_STRINGS].size == 0 ||
		     c->map.data[h->section[S_STRINGS].off + h->section[S_STRINGS].size - 1] != 0))
		why = "the string table is not terminated";
	if (!why && (h->section[S_FUNCADDR].size / 8 != h->section[S_FUNCS].size / sizeof(sym_fc_func) ||
		     h->section[S_FUNCIDX].size / 8 !=
			     (h->section[S_FUNCADDR].size / 8 + SYM_FC_IDX_STEP - 1) / SYM_FC_IDX_STEP))
		why = "the function index does not match the functions";
	if (why) {
		rc = cd_errf(e, CD_EFORMAT, "%s: damaged symbol cache: %s", path, why);
		cd_map_close(&c->map);
		free(c);
		return rc;
	}
	const uint8_t *base = c->map.data;
#define SEC(s, type) ((const type *)(base + h->section[s].off))
#define COUNT(s) (h->section[s].size / elem[s])
	c->h = h;
	c->strings = SEC(S_STRINGS, char);
	c->nstrings = h->section[S_STRINGS].size;
	c->funcs = SEC(S_FUNCS, sym_fc_func);
	c->nfuncs = COUNT(S_FUNCS);
	c->data = SEC(S_DATA, uint8_t);
	c->ndata = h->section[S_DATA].size;
	c->publics = SEC(S_PUBLICS, sym_fc_public);
	c->npublics = COUNT(S_PUBLICS);
	c->files = SEC(S_FILES, sym_fc_id);
	c->nfiles = COUNT(S_FILES);
	c->origins = SEC(S_ORIGINS, sym_fc_id);
	c->norigins = COUNT(S_ORIGINS);
	c->cfi = SEC(S_CFI, sym_fc_cfi);
	c->ncfi = COUNT(S_CFI);
	c->win = SEC(S_WIN, sym_fc_win);
	c->funcidx = SEC(S_FUNCIDX, uint64_t);
	c->nfuncidx = COUNT(S_FUNCIDX);
	c->funcaddr = SEC(S_FUNCADDR, uint64_t);
	c->nwin = COUNT(S_WIN);
#undef SEC
#undef COUNT
	*out = c;
	return CD_OK;
}

void sym_cache_close(sym_cache *c)
{
	if (!c)
		return;
	cd_map_close(&c->map);
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	free(c);
}

int sym_cache_is_current(const sym_cache *c, const char *sym_path)
{
	uint64_t size, sample;
	int64_t mtime;
	if (sym__source_identity(sym_path, &size, &mtime, &sample))
		return 0;
	return size == c->h->src_size && mtime == c->h->src_mtime && sample == c->h->src_sample_hash;
}

void sym_cache_info(const sym_cache *c, sym_module_info *o)
{
	const sym_fc_header *h = c->h;
	o->os = str(c, h->os);
	o->arch = str(c, h->arch);
	o->debug_id = str(c, h->debug_id);
	o->name = str(c, h->name);
	o->code_id = str(c, h->code_id);
	o->generator = str(c, h->generator);
	o->nfuncs = c->nfuncs;
	o->npublics = c->npublics;
	o->ncfi = c->ncfi;
	o->nwin = c->nwin;
	o->nfiles = c->nfiles;
	o->nlines = h->nlines;
	o->ninlines = h->ninlines;
	o->damaged = h->flags & 1;
}

/* ---- lookups --------------------------------------------------------------------- */

/* Index of the last entry whose u64 key (at byte offset key_off of each
 * stride-sized entry) is <= key in a sorted array, or -1. */
static int64_t upper(const void *arr, uint64_t n, size_t stride, size_t key_off, uint64_t key)
{
	const char *a = arr;
	uint64_t lo = 0, hi = n;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2, k;
		memcpy(&k, a + mid * stride + key_off, sizeof k);
		if (k <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int64_t)lo - 1;
}
#define UPPER(arr, n, field, key) \
	upper((arr), (n), sizeof *(arr), offsetof(__typeof__(*(arr)), field), (key))

static const char *by_id(const sym_cache *c, const sym_fc_id *a, uint64_t n, int64_t id)
{
	/* Ids are nearly always dense from their first: one probe. */
	if (n && id >= a[0].id && (uint64_t)(id - a[0].id) < n && a[id - a[0].id].id == id)
		return str(c, a[id - a[0].id].name);
	uint64_t lo = 0, hi = n;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (a[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo].id == id ? str(c, a[lo].name) : NULL;
}

static const char *file_name(const sym_cache *c, int64_t id)
{
	const char *s = id >= 0 ? by_id(c, c->files, c->nfiles, id) : NULL;
	return s ? s : "";
}

/* The function containing addr: the last one starting at or below it, or
 * an earlier one that encloses it (overlapping FUNCs). */
/* The index of the last function starting at or below addr, or -1. */
static int64_t last_func_below(const sym_cache *c, uint64_t addr)
{
	int64_t b = upper(c->funcidx, c->nfuncidx, sizeof(uint64_t), 0, addr);
	if (b < 0)
		return -1;
	uint64_t lo = (uint64_t)b * SYM_FC_IDX_STEP;
	uint64_t n = c->nfuncs - lo < SYM_FC_IDX_STEP ? c->nfuncs - lo : SYM_FC_IDX_STEP;
	return (int64_t)lo + upper(c->funcaddr + lo, n, sizeof(uint64_t), 0, addr);
}

static const sym_fc_func *find_func(const sym_cache *c, uint64_t addr)
{
	int64_t i = last_func_below(c, addr);
	for (int k = 0; i >= 0 && k < 8; i--, k++) {
		const sym_fc_func *f = &c->funcs[i];
		if (addr - f->addr < f->size || (f->size == 0 && addr == f->addr))
			return f;
	}
	return NULL;
}


typedef struct hit {
	uint64_t seq; /* order in the source, to break depth ties */
	uint64_t depth;
	int64_t call_line, call_file;
	uint64_t origin;
	uint64_t start; /* of the range that holds the address */
} hit;

static int by_depth(const void *a, const void *b)
{
	const hit *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int sym_lookup_addr(const sym_cache *c, uint64_t addr, sym_lookup *out)
{
	/* The inline frames (2.5 KB) are written only as far as ninlines. */
	memset(out, 0, offsetof(sym_lookup, inlines));
	out->file = "";
	const sym_fc_func *f = find_func(c, addr);
	if (!f) {
		int64_t i = UPPER(c->publics, c->npublics, addr, addr);
		if (i < 0)
			return CD_ENOTFOUND;
		const sym_fc_public *p = &c->publics[i];
		/* A PUBLIC has no end, but it cannot reach past a FUNC: one that
		 * starts at or before the nearest FUNC below addr does not cover
		 * it (rust-minidump's rule; Breakpad's is the same). */
		int64_t fi = last_func_below(c, addr);
		if (fi >= 0 && p->addr <= c->funcs[fi].addr)
			return CD_ENOTFOUND;
		out->function = str(c, p->name);
		out->function_addr = p->addr;
		out->param_size = p->param_size;
		out->is_public = 1;
		return CD_OK;
	}
	out->function = str(c, f->name);
	out->function_addr = f->addr;
	out->function_size = f->size;
	out->param_size = f->param_size;
	if (f->data_off > c->ndata || f->data_len > c->ndata - f->data_off)
		return CD_OK; /* damaged: the function without lines */
	const uint8_t *p = c->data + f->data_off, *end = p + f->data_len;
	uint64_t n, v, size, nbytes;
	if (!sym__get_varint(&p, end, &n) || !sym__get_varint(&p, end, &nbytes) ||
	    nbytes > (uint64_t)(end - p))
		return CD_OK;
	const uint8_t *lp = p, *lend = p + nbytes;
	p = lend; /* the inlines follow the lines */
	uint64_t prev = f->addr;
	int64_t line = 0, file = 0, hit_line = 0, hit_file = -1;
	int found = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t dl, df;
		if (!sym__get_varint(&lp, lend, &v) || !sym__get_varint(&lp, lend, &size) ||
		    !sym__get_varint(&lp, lend, &dl) || !sym__get_varint(&lp, lend, &df))
			break;
		prev += (uint64_t)sym__unzig(v);
		line += sym__unzig(dl);
		file += sym__unzig(df);
		if (addr - prev < size) {
			hit_line = line;
			hit_file = file;
			out->line_addr = prev;
			found = 1;
			break; /* sorted by address: the first that contains it */
		}
		if (prev > addr)
			break;
	}
	hit hits[SYM_MAX_INLINE_DEPTH];
	uint32_t nh = 0;
	if (sym__get_varint(&p, end, &n)) {
		for (uint64_t i = 0; i < n; i++) {
			hit h = { .seq = i };
			uint64_t cl, cf, nr;
			if (!sym__get_varint(&p, end, &h.depth) || !sym__get_varint(&p, end, &cl) ||
			    !sym__get_varint(&p, end, &cf) || !sym__get_varint(&p, end, &h.origin) ||
			    !sym__get_varint(&p, end, &nr))
				break;
			h.call_line = sym__unzig(cl);
			h.call_file = sym__unzig(cf);
			int in = 0;
			for (uint64_t r = 0; r < nr; r++) {
				if (!sym__get_varint(&p, end, &v) || !sym__get_varint(&p, end, &size))
					goto done;
				uint64_t start = f->addr + (uint64_t)sym__unzig(v);
				if (addr - start < size && !in) {
					in = 1;
					h.start = start;
				}
			}
			if (in && nh < SYM_MAX_INLINE_DEPTH)
				hits[nh++] = h;
		}
	}
done:
	for (uint32_t k = 1; k < nh; k++) /* a handful: insertion sort */
		for (uint32_t m = k; m > 0 && by_depth(&hits[m - 1], &hits[m]) > 0; m--) {
			hit t = hits[m];
			hits[m] = hits[m - 1];
			hits[m - 1] = t;
		}
	/* hits[0] is the outermost inline. The real function's line is the
	 * call site of hits[0]; each inline's own line is the call site of the
	 * one inside it, and the innermost's is the line record's. */
	out->file = nh ? file_name(c, hits[0].call_file) : file_name(c, hit_file);
	out->line = nh ? hits[0].call_line : (found ? hit_line : 0);
	out->ninlines = nh;
	out->inline_addr = nh ? hits[0].start : 0;
	for (uint32_t k = 0; k < nh; k++) {
		const hit *h = &hits[nh - 1 - k]; /* innermost first */
		sym_inline_frame *fr = &out->inlines[k];
		const char *name = by_id(c, c->origins, c->norigins, (int64_t)h->origin);
		fr->function = name && *name ? name : "<name omitted>";
		fr->call_file = file_name(c, h->call_file);
		fr->call_line = h->call_line;
		if (k == 0) {
			fr->file = found ? file_name(c, hit_file) : "";
			fr->line = found ? hit_line : 0;
		} else {
			const hit *inner = &hits[nh - k];
			fr->file = file_name(c, inner->call_file);
			fr->line = inner->call_line;
		}
	}
	return CD_OK;
}

int sym_lookup_cfi(const sym_cache *c, uint64_t addr, sym_cfi_rules *out)
{
	memset(out, 0, sizeof *out);
	int64_t i = UPPER(c->cfi, c->ncfi, addr, addr);
	if (i < 0)
		return CD_ENOTFOUND;
	const sym_fc_cfi *r = &c->cfi[i];
	if (addr - r->addr >= r->size)
		return CD_ENOTFOUND;
	out->init_addr = r->addr;
	out->init_size = r->size;
	out->init_rules = str(c, r->rules);
	if (r->data_off > c->ndata || r->data_len > c->ndata - r->data_off)
		return CD_OK;
	const uint8_t *p = c->data + r->data_off, *end = p + r->data_len;
	uint64_t at = r->addr, v, rules;
	while (p < end && sym__get_varint(&p, end, &v) && sym__get_varint(&p, end, &rules)) {
		at += (uint64_t)sym__unzig(v);
		if (at > addr)
			break;
		if (out->ndeltas < sizeof out->deltas / sizeof *out->deltas)
			out->deltas[out->ndeltas++] = str(c, (uint32_t)rules);
	}
	return CD_OK;
}

int sym_lookup_win(const sym_cache *c, uint64_t addr, int type, sym_win_info *out)
{
	/* STACK WIN ranges nest; the innermost (latest start) that covers addr
	 * wins, looking back a bounded number of entries. */
	int64_t i = UPPER(c->win, c->nwin, rva, addr);
	for (int k = 0; i >= 0 && k < 64; i--, k++) {
		const sym_fc_win *w = &c->win[i];
		if (addr - w->rva >= w->code_size || (type >= 0 && (int)w->type != type))
			continue;
		out->type = w->type;
		out->rva = w->rva;
		out->code_size = w->code_size;
		out->prolog_size = w->prolog_size;
		out->epilog_size = w->epilog_size;
		out->params_size = w->params_size;
		out->saved_regs_size = w->saved_regs_size;
		out->locals_size = w->locals_size;
		out->max_stack_size = w->max_stack_size;
		out->has_program = w->flags & 1;
		out->allocates_base_pointer = (w->flags >> 1) & 1;
		out->program = out->has_program ? str(c, w->program) : NULL;
		return CD_OK;
	}
	return CD_ENOTFOUND;
}

uint64_t sym_func_count(const sym_cache *c)
{
	return c->nfuncs;
}

int sym_func_at(const sym_cache *c, uint64_t i, const char **name, uint64_t *addr, uint64_t *size)
{
	if (i >= c->nfuncs)
		return CD_ENOTFOUND;
	*name = str(c, c->funcs[i].name);
	*addr = c->funcs[i].addr;
	*size = c->funcs[i].size;
	return CD_OK;
}

uint64_t sym_func_inlines(const sym_cache *c, uint64_t i)
{
	if (i >= c->nfuncs)
		return 0;
	const sym_fc_func *f = &c->funcs[i];
	if (f->data_off > c->ndata || f->data_len > c->ndata - f->data_off)
		return 0;
	/* The line records come first: their count and byte length, then
	 * the inline records' count. */
	const uint8_t *p = c->data + f->data_off, *end = p + f->data_len;
	uint64_t n, nbytes;
	if (!sym__get_varint(&p, end, &n) || !sym__get_varint(&p, end, &nbytes) ||
	    nbytes > (uint64_t)(end - p))
		return 0;
	p += nbytes;
	return sym__get_varint(&p, end, &n) ? n : 0;
}

uint64_t sym_public_count(const sym_cache *c)
{
	return c->npublics;
}

int sym_public_at(const sym_cache *c, uint64_t i, const char **name, uint64_t *addr)
{
	if (i >= c->npublics)
		return CD_ENOTFOUND;
	*name = str(c, c->publics[i].name);
	*addr = c->publics[i].addr;
	return CD_OK;
}

uint64_t sym_code_end(const sym_cache *c)
{
	uint64_t end = 0;
	/* Sorted by address, but a big function may end after a later one. */
	for (uint64_t i = c->nfuncs > 64 ? c->nfuncs - 64 : 0; i < c->nfuncs; i++)
		if (c->funcs[i].addr + c->funcs[i].size > end)
			end = c->funcs[i].addr + c->funcs[i].size;
	if (c->npublics && c->publics[c->npublics - 1].addr >= end)
		end = c->publics[c->npublics - 1].addr;
	return end;
}

/* ---- open or build ---------------------------------------------------------------- */

int sym_cache_path(const char *sym_path, const char *cache_dir, char *buf, size_t n, cd_err *e)
{
	/* One cache per source file, named by a hash of its absolute path
	 * (for a zip entry, the archive's, then "!ENTRY"). */
	char abs[4096];
	char zip[4096];
	const char *entry;
	if (sym__zip_split(sym_path, zip, sizeof zip, &entry)) {
		char zabs[4096];
		if (!realpath(zip, zabs))
			return cd_errf(e, CD_ENOTFOUND, "%s: %s", zip, strerror(errno));
		snprintf(abs, sizeof abs, "%s!%s", zabs, entry);
	} else if (!realpath(sym_path, abs))
		return cd_errf(e, CD_ENOTFOUND, "%s: %s", sym_path, strerror(errno));
	const char *base = strrchr(abs, '/');
	base = base ? base + 1 : abs;
	snprintf(buf, n, "%s/%016llx-%.200s.cdsym", cache_dir,
		 (unsigned long long)sym__fnv(abs, strlen(abs), SYM_FNV_INIT), base);
	return CD_OK;
}

int sym_open(const char *sym_path, const char *cache_dir, sym_cache **out, int *built,
	     sym_report *report, cd_err *e)
{
	*out = NULL;
	*built = 0;
	char cache[4096];
	int rc = sym_cache_path(sym_path, cache_dir, cache, sizeof cache, e);
	if (rc)
		return rc;
	sym_cache *c;
	cd_err ignore;
	if (sym_cache_open(cache, &c, &ignore) == CD_OK) {
		if (sym_cache_is_current(c, sym_path)) {
			*out = c;
			if (report) {
				memset(report, 0, sizeof *report);
				cd_arena_init(&report->arena, 0);
				report->damaged = c->h->flags & 1;
			}
			return CD_OK;
		}
		sym_cache_close(c); /* stale: rebuilt below */
	}
	if (mkdir(cache_dir, 0700) && errno != EEXIST)
		return cd_errf(e, CD_EIO, "%s: cannot create: %s", cache_dir, strerror(errno));
	rc = sym_cache_build(sym_path, cache, report, e);
	if (rc)
		return rc;
	*built = 1;
	return sym_cache_open(cache, out, e);
}
