/*
 * test_symbols.c - the .sym parser and the symbol cache.
 *
 * 1. Every .sym of the shared corpus: a straightforward reference lookup
 *    over the parsed records (kept in plain arrays here) and the cache
 *    agree at each function's first, middle and last byte and at each line
 *    record: function, file, line and the whole inline chain.
 * 2. Hand-written files with every anomaly the parser tolerates, with the
 *    diagnostics and line numbers it must report.
 * 3. The inline chains at the crash address of the corpus dumps agree with
 *    the frames Breakpad's minidump_stackwalk printed.
 * 4. Damaged and stale caches are refused or rebuilt.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "../src/minidump/minidump.h"
#include "../src/symbols/internal.h" /* sym__parse_threaded */
#include "../src/symbols/symbols.h"
#include "testlib.h"

static char tmpdir[256];

/* ---- the reference: parsed records in plain arrays --------------------------- */

typedef struct rline { uint64_t addr, size; int64_t line, file; } rline;
typedef struct rinl { uint64_t depth, origin, seq; int64_t call_line, call_file; uint32_t n; uint64_t (*a)[2]; } rinl;
typedef struct rfunc {
	uint64_t addr, size, seen;
	char *name;
	rline *lines; size_t nlines, clines;
	rinl *inl; size_t ninl, cinl;
} rfunc;
typedef struct rid { int64_t id; char *name; } rid;

typedef struct ref {
	rfunc *f; size_t nf, cf;
	rid *files, *origins; size_t nfiles, norigins, cfiles, corigins;
	uint64_t diags, damaged;
} ref;

#define GROW(p, n, c) do { if ((n) == (c)) { (c) = (c) ? 2 * (c) : 64; (p) = realloc((p), (c) * sizeof *(p)); } } while (0)

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static void r_func(void *ctx, uint64_t line, const sym_func_rec *f)
{
	ref *r = ctx;
	(void)line;
	GROW(r->f, r->nf, r->cf);
	rfunc *x = &r->f[r->nf];
	memset(x, 0, sizeof *x);
	x->addr = f->addr;
	x->size = f->size;
	x->seen = r->nf++;
	x->name = dupn(f->name, f->name_len);
}

static void r_line(void *ctx, uint64_t line, const sym_line_rec *l)
{
	ref *r = ctx;
	(void)line;
	if (!r->nf)
		return;
	rfunc *x = &r->f[r->nf - 1];
	GROW(x->lines, x->nlines, x->clines);
	x->lines[x->nlines++] = (rline){ l->addr, l->size, l->line, l->file };
}

static void r_inline(void *ctx, uint64_t line, const sym_inline_rec *in)
{
	ref *r = ctx;
	(void)line;
	if (!r->nf)
		return;
	rfunc *x = &r->f[r->nf - 1];
	GROW(x->inl, x->ninl, x->cinl);
	rinl *y = &x->inl[x->ninl];
	y->depth = in->depth;
	y->origin = in->origin;
	y->call_line = in->call_line;
	y->call_file = in->call_file;
	y->seq = x->ninl++;
	y->n = in->nranges;
	y->a = calloc(in->nranges ? in->nranges : 1, sizeof *y->a);
	for (uint32_t i = 0; y->a && i < in->nranges; i++) {
		y->a[i][0] = in->ranges[i].addr;
		y->a[i][1] = in->ranges[i].size;
	}
}

static void add_id(rid **a, size_t *n, size_t *c, int64_t id, const char *name, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if ((*a)[i].id == id)
			return; /* the first definition wins */
	GROW(*a, *n, *c);
	(*a)[(*n)++] = (rid){ id, dupn(name, len) };
}

static void r_file(void *ctx, uint64_t line, int64_t id, const char *name, size_t len)
{
	ref *r = ctx;
	(void)line;
	add_id(&r->files, &r->nfiles, &r->cfiles, id, name, len);
}

static void r_origin(void *ctx, uint64_t line, uint64_t id, const char *name, size_t len)
{
	ref *r = ctx;
	(void)line;
	add_id(&r->origins, &r->norigins, &r->corigins, (int64_t)id, name, len);
}

static void r_diag(void *ctx, uint64_t line, int damaged, const char *msg)
{
	ref *r = ctx;
	(void)line;
	(void)msg;
	r->diags++;
	r->damaged += damaged != 0;
}

static const char *rname(const rid *a, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].id == id)
			return a[i].name;
	return NULL;
}

static void ref_free(ref *r)
{
	for (size_t i = 0; i < r->nf; i++) {
		free(r->f[i].name);
		free(r->f[i].lines);
		for (size_t k = 0; k < r->f[i].ninl; k++)
			free(r->f[i].inl[k].a);
		free(r->f[i].inl);
	}
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].name);
	for (size_t i = 0; i < r->norigins; i++)
		free(r->origins[i].name);
	free(r->f);
	free(r->files);
	free(r->origins);
}

/* The reference lookup, by linear scans: the containing function with the
 * highest start (first seen on a tie), the lowest containing line record,
 * and the containing inlines ordered by depth then source order. */
typedef struct rres {
	const char *func, *file;
	int64_t line;
	int n;
	const char *inl_func[SYM_MAX_INLINE_DEPTH], *inl_file[SYM_MAX_INLINE_DEPTH];
	int64_t inl_line[SYM_MAX_INLINE_DEPTH];
} rres;

static const char *rfile(const ref *r, int64_t id)
{
	const char *s = id >= 0 ? rname(r->files, r->nfiles, id) : NULL;
	return s ? s : "";
}

static int ref_lookup(const ref *r, uint64_t addr, rres *out)
{
	const rfunc *best = NULL;
	for (size_t i = 0; i < r->nf; i++) {
		const rfunc *f = &r->f[i];
		if (addr - f->addr >= f->size)
			continue;
		if (!best || f->addr > best->addr)
			best = f;
	}
	if (!best)
		return 0;
	memset(out, 0, sizeof *out);
	out->func = best->name;
	const rline *hl = NULL;
	for (size_t i = 0; i < best->nlines; i++) {
		const rline *l = &best->lines[i];
		if (addr - l->addr < l->size &&
		    (!hl || l->addr < hl->addr || (l->addr == hl->addr && (l->line < hl->line ||
		     (l->line == hl->line && l->file < hl->file)))))
			hl = l;
	}
	const rinl *hits[SYM_MAX_INLINE_DEPTH];
	int nh = 0;
	for (size_t i = 0; i < best->ninl && nh < SYM_MAX_INLINE_DEPTH; i++) {
		const rinl *in = &best->inl[i];
		for (uint32_t k = 0; k < in->n; k++)
			if (addr - in->a[k][0] < in->a[k][1]) {
				hits[nh++] = in;
				break;
			}
	}
	/* insertion sort by (depth, seq): tiny arrays */
	for (int i = 1; i < nh; i++)
		for (int j = i; j > 0 && (hits[j]->depth < hits[j - 1]->depth ||
					  (hits[j]->depth == hits[j - 1]->depth && hits[j]->seq < hits[j - 1]->seq)); j--) {
			const rinl *t = hits[j];
			hits[j] = hits[j - 1];
			hits[j - 1] = t;
		}
	out->n = nh;
	out->file = nh ? rfile(r, hits[0]->call_file) : hl ? rfile(r, hl->file) : "";
	out->line = nh ? hits[0]->call_line : hl ? hl->line : 0;
	for (int k = 0; k < nh; k++) {
		const rinl *h = hits[nh - 1 - k];
		const char *nm = rname(r->origins, r->norigins, (int64_t)h->origin);
		out->inl_func[k] = nm && *nm ? nm : "<name omitted>";
		if (k == 0) {
			out->inl_file[k] = hl ? rfile(r, hl->file) : "";
			out->inl_line[k] = hl ? hl->line : 0;
		} else {
			out->inl_file[k] = rfile(r, hits[nh - k]->call_file);
			out->inl_line[k] = hits[nh - k]->call_line;
		}
	}
	return 1;
}

static int parse_ref(const char *path, ref *r, sym_counts *c)
{
	memset(r, 0, sizeof *r);
	sym_sink sink = { .ctx = r, .func = r_func, .line_rec = r_line, .inline_rec = r_inline,
			  .file = r_file, .origin = r_origin, .diag = r_diag };
	cd_err e;
	return sym_parse(path, &sink, c, &e);
}

/* Compares the cache with the reference at addr; returns 0 or writes why. */
static int agree(const sym_cache *c, const ref *r, uint64_t addr, char *why, size_t n)
{
	rres want;
	sym_lookup got;
	int have = ref_lookup(r, addr, &want);
	int rc = sym_lookup_addr(c, addr, &got);
	if (!have) /* the cache may fall back to a PUBLIC; nothing to compare */
		return 0;
	if (rc != CD_OK || got.is_public) {
		snprintf(n ? why : why, n, "0x%llx: cache found no FUNC", (unsigned long long)addr);
		return 1;
	}
	if (strcmp(got.function, want.func) || strcmp(got.file, want.file) || got.line != want.line ||
	    (int)got.ninlines != want.n) {
		snprintf(why, n, "0x%llx: cache %s %s:%lld (%u inlines), reference %s %s:%lld (%d)",
			 (unsigned long long)addr, got.function, got.file, (long long)got.line,
			 got.ninlines, want.func, want.file, (long long)want.line, want.n);
		return 1;
	}
	for (int k = 0; k < want.n; k++)
		if (strcmp(got.inlines[k].function, want.inl_func[k]) ||
		    strcmp(got.inlines[k].file, want.inl_file[k]) || got.inlines[k].line != want.inl_line[k]) {
			snprintf(why, n, "0x%llx: inline %d: cache %s %s:%lld, reference %s %s:%lld",
				 (unsigned long long)addr, k, got.inlines[k].function, got.inlines[k].file,
				 (long long)got.inlines[k].line, want.inl_func[k], want.inl_file[k],
				 (long long)want.inl_line[k]);
			return 1;
		}
	return 0;
}

static long checked_addrs, checked_files;

static void check_sym(const char *path, const char *label)
{
	char tname[600], cache[600], why[600];
	snprintf(tname, sizeof tname, "cache-vs-reference/%.500s", label);
	snprintf(cache, sizeof cache, "%s/t.cdsym", tmpdir);
	ref r;
	sym_counts counts;
	if (parse_ref(path, &r, &counts) != CD_OK) {
		printf("FAIL %s: reference parse failed\n", tname);
		t_nfail++;
		return;
	}
	sym_report rep;
	cd_err e;
	sym_cache *c = NULL;
	int bad = 0;
	if (sym_cache_build(path, cache, &rep, &e) != CD_OK || sym_cache_open(cache, &c, &e) != CD_OK) {
		snprintf(why, sizeof why, "%s", e.msg);
		bad = 1;
	}
	for (size_t i = 0; !bad && i < r.nf; i++) {
		const rfunc *f = &r.f[i];
		if (!f->size)
			continue;
		uint64_t probe[3] = { f->addr, f->addr + f->size / 2, f->addr + f->size - 1 };
		for (int k = 0; k < 3 && !bad; k++, checked_addrs++)
			bad = agree(c, &r, probe[k], why, sizeof why);
		for (size_t k = 0; k < f->nlines && !bad; k++, checked_addrs++)
			bad = agree(c, &r, f->lines[k].addr, why, sizeof why);
	}
	if (!bad && c) {
		sym_module_info mi;
		sym_cache_info(c, &mi);
		/* every FUNC is in the cache unless it duplicated a start address */
		if (mi.nfuncs > r.nf || mi.nfuncs + rep.ndiags_total < r.nf) {
			snprintf(why, sizeof why, "cache has %llu functions, source %zu",
				 (unsigned long long)mi.nfuncs, r.nf);
			bad = 1;
		}
	}
	if (bad) {
		printf("FAIL %s: %s\n", tname, why);
		t_nfail++;
	} else {
		printf("ok %s\n", tname);
		checked_files++;
	}
	sym_cache_close(c);
	sym_report_free(&rep);
	ref_free(&r);
	unlink(cache);
}

static void walk_syms(const char *dir, const char *root)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		char p[1024];
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(p, &st))
			continue;
		size_t n = strlen(p);
		if (S_ISDIR(st.st_mode))
			walk_syms(p, root);
		else if (n > 4 && !strcmp(p + n - 4, ".sym"))
			check_sym(p, p + strlen(root) + 1);
	}
	closedir(dp);
}

/* ---- hand-written anomalies ------------------------------------------------------ */

typedef struct diags { char text[8192]; size_t len; int damaged; } diags;

static void d_diag(void *ctx, uint64_t line, int damaged, const char *msg)
{
	diags *d = ctx;
	d->damaged += damaged;
	if (d->len < sizeof d->text - 300)
		d->len += (size_t)snprintf(d->text + d->len, sizeof d->text - d->len, "%llu:%s:%s\n",
					   (unsigned long long)line, damaged ? "E" : "W", msg);
}

static const char anomalies[] =
	"MODULE Linux x86_64 0123456789ABCDEF0123456789ABCDEF0 anomalies\r\n" /* 1 CRLF */
	"INFO CODE_ID 00112233\r\n"                                          /* 2 */
	"1000 4 10 0\n"                                                      /* 3 line before FUNC */
	"INLINE 0 5 0 1 1000 4\n"                                            /* 4 INLINE before FUNC */
	"FILE 0 a.c\n"                                                       /* 5 */
	"FILE 1 b.c\n"                                                       /* 6 */
	"INLINE_ORIGIN 1\n"                                                  /* 7 nameless origin */
	"INLINE_ORIGIN 2 operator<<(std::ostream&,\n"                       /* 8 split name... */
	"    Foo const&)\n"                                                  /* 9 ...continued */
	"FUNC 2000 40 0 later_func\n"                                        /* 10 out of order */
	"2000 40 -7 -1\n"                                                    /* 11 negative line, file -1 */
	"FUNC 1000 100 0 outer(int)\n"                                       /* 12 */
	"1000 10 20 0\n"                                                     /* 13 */
	"1010 10 21 1\n"                                                     /* 14 */
	"INLINE 0 21 1 2 1010 8\n"                                           /* 15 */
	"INLINE 1 30 0 1 1010 4\n"                                           /* 16 */
	"FUNC 1000 8 0 duplicate\n"                                          /* 17 duplicate start */
	"FUNC 1080 100 0 overlapping\n"                                      /* 18 overlaps outer */
	"FUNC zz 1 0 bad\n"                                                  /* 19 malformed */
	"PUBLIC m 3000 0 public_only\n"                                      /* 20 */
	"STACK CFI INIT 1000 100 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"          /* 21 */
	"STACK CFI 1004 .cfa: $rsp 16 +\n"                                   /* 22 */
	"STACK CFI 1010 .cfa: $rsp 32 +\n"                                   /* 23 */
	"BOGUS record here\n"                                                /* 24 unknown type */
	"STACK WIN 4 1000 100 4 0 8 0 10 0 1 $T0 $ebp = $eip $T0 4 + ^ =\n"  /* 25 */
	"STACK WIN 0 1010 10 0 0 4 0 0 0 0 1\n"                              /* 26 FPO */
	"STACK WIN 4 1000\n"                                                 /* 27 malformed */
	"FUNC 5000 10 0 no_final_newline";                                   /* 28 */

static const char *write_file(const char *name, const void *p, size_t n)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	fwrite(p, 1, n, f);
	fclose(f);
	return path;
}

static void test_anomalies_reported_with_lines(void)
{
	const char *path = write_file("anomalies.sym", anomalies, sizeof anomalies - 1);
	diags d = { .len = 0 };
	sym_sink sink = { .ctx = &d, .diag = d_diag };
	sym_counts c;
	cd_err e;
	T_ASSERT(sym_parse(path, &sink, &c, &e) == CD_OK);
	T_EQ_U64(c.lines, 28);
	static const char *want[] = {
		"7:W:INLINE_ORIGIN 1 has no name", "9:W:name continued from line 8",
		"19:E:malformed FUNC", "24:W:unknown record type \"BOGUS\"", "27:E:malformed STACK WIN",
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		if (!strstr(d.text, want[i]))
			T_FAILF("missing diagnostic \"%s\" in:\n%s", want[i], d.text);
	T_EQ_U64(c.records[SYM_R_FUNC], 5);
	T_EQ_U64(c.records[SYM_R_WIN], 2);
	T_EQ_U64(c.damaged_lines, 2);
}

static void test_anomalies_in_the_cache(void)
{
	const char *path = write_file("anomalies.sym", anomalies, sizeof anomalies - 1);
	char cache[512];
	snprintf(cache, sizeof cache, "%s/anomalies.cdsym", tmpdir);
	sym_report r;
	cd_err e;
	T_ASSERT(sym_cache_build(path, cache, &r, &e) == CD_OK);
	T_ASSERT(r.damaged);
	int before_func = 0, dup = 0, overlap = 0;
	for (uint32_t i = 0; i < r.ndiags; i++) {
		before_func += (r.diags[i].line == 3 || r.diags[i].line == 4) &&
			       strstr(r.diags[i].message, "outside any FUNC");
		dup += r.diags[i].line == 17 && strstr(r.diags[i].message, "duplicate") != NULL;
		overlap += r.diags[i].line == 18 && strstr(r.diags[i].message, "line 12") != NULL;
	}
	T_EQ_U64(before_func, 2);
	T_EQ_U64(dup, 1);
	T_EQ_U64(overlap, 1);
	sym_report_free(&r);
	sym_cache *c;
	T_ASSERT(sym_cache_open(cache, &c, &e) == CD_OK);
	sym_module_info mi;
	sym_cache_info(c, &mi);
	T_EQ_STR(mi.name, "anomalies");
	T_EQ_STR(mi.code_id, "00112233");
	T_ASSERT(mi.damaged);
	sym_lookup l;
	/* Inside two inline levels: innermost first, each with its own line. */
	T_EQ_U64(sym_lookup_addr(c, 0x1012, &l), CD_OK);
	T_EQ_STR(l.function, "outer(int)");
	T_EQ_U64(l.ninlines, 2);
	T_EQ_STR(l.inlines[0].function, "<name omitted>");
	T_EQ_STR(l.inlines[0].file, "b.c");
	T_EQ_U64(l.inlines[0].line, 21);
	T_EQ_STR(l.inlines[1].function, "operator<<(std::ostream&, Foo const&)");
	T_EQ_STR(l.inlines[1].file, "a.c");
	T_EQ_U64(l.inlines[1].line, 30);
	T_EQ_STR(l.file, "b.c");
	T_EQ_U64(l.line, 21);
	/* Out-of-order FUNC, negative line, no file. */
	T_EQ_U64(sym_lookup_addr(c, 0x2010, &l), CD_OK);
	T_EQ_STR(l.function, "later_func");
	T_EQ_U64((uint64_t)l.line, (uint64_t)-7);
	T_EQ_STR(l.file, "");
	/* The duplicate lost; the overlapping one wins above its start. */
	T_EQ_U64(sym_lookup_addr(c, 0x1000, &l), CD_OK);
	T_EQ_STR(l.function, "outer(int)");
	T_EQ_U64(sym_lookup_addr(c, 0x1090, &l), CD_OK);
	T_EQ_STR(l.function, "overlapping");
	T_EQ_U64(sym_lookup_addr(c, 0x5000, &l), CD_OK);
	T_EQ_STR(l.function, "no_final_newline");
	T_EQ_U64(sym_lookup_addr(c, 0x3004, &l), CD_OK);
	T_ASSERT(l.is_public);
	T_EQ_STR(l.function, "public_only");
	T_EQ_U64(sym_lookup_addr(c, 0x10, &l), CD_ENOTFOUND);
	sym_cfi_rules cfi;
	T_EQ_U64(sym_lookup_cfi(c, 0x1008, &cfi), CD_OK);
	T_EQ_STR(cfi.init_rules, ".cfa: $rsp 8 + .ra: .cfa -8 + ^");
	T_EQ_U64(cfi.ndeltas, 1);
	T_EQ_STR(cfi.deltas[0], ".cfa: $rsp 16 +");
	T_EQ_U64(sym_lookup_cfi(c, 0x1010, &cfi), CD_OK);
	T_EQ_U64(cfi.ndeltas, 2);
	T_EQ_U64(sym_lookup_cfi(c, 0x1100, &cfi), CD_ENOTFOUND);
	sym_win_info w;
	T_EQ_U64(sym_lookup_win(c, 0x1012, -1, &w), CD_OK);
	T_EQ_U64(w.type, 0);
	T_ASSERT(!w.has_program && w.allocates_base_pointer);
	T_EQ_U64(sym_lookup_win(c, 0x1012, 4, &w), CD_OK);
	T_EQ_STR(w.program, "$T0 $ebp = $eip $T0 4 + ^ =");
	T_EQ_U64(w.locals_size, 0x10);
	sym_cache_close(c);
}

/* Found by fuzzing: a line of nothing but spaces read an unset token. */
/* ---- the threaded parse replays exactly what sym_parse() reports -------------- */

/* Every callback folded into a hash, with its line number and fields. */
typedef struct transcript { uint64_t h, n; } transcript;

static void tr_add(transcript *t, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		t->h = (t->h ^ b[i]) * 0x100000001b3ull;
}

static void tr_rec(transcript *t, int kind, uint64_t line)
{
	t->n++;
	tr_add(t, &kind, sizeof kind);
	tr_add(t, &line, sizeof line);
}

static void tr_str(transcript *t, const char *s, size_t n)
{
	tr_add(t, &n, sizeof n);
	tr_add(t, s, n);
}

static void tr_module(void *c, uint64_t l, const char *os, const char *arch, const char *id, const char *name)
{
	tr_rec(c, 0, l), tr_str(c, os, strlen(os)), tr_str(c, arch, strlen(arch));
	tr_str(c, id, strlen(id)), tr_str(c, name, strlen(name));
}
static void tr_info(void *c, uint64_t l, const char *k, const char *v)
{
	tr_rec(c, 1, l), tr_str(c, k, strlen(k)), tr_str(c, v, strlen(v));
}
static void tr_file(void *c, uint64_t l, int64_t id, const char *s, size_t n)
{
	tr_rec(c, 2, l), tr_add(c, &id, 8), tr_str(c, s, n);
}
static void tr_origin(void *c, uint64_t l, uint64_t id, const char *s, size_t n)
{
	tr_rec(c, 3, l), tr_add(c, &id, 8), tr_str(c, s, n);
}
static void tr_func(void *c, uint64_t l, const sym_func_rec *f)
{
	tr_rec(c, 4, l), tr_add(c, &f->addr, 8), tr_add(c, &f->size, 8), tr_add(c, &f->param_size, 8);
	tr_add(c, &f->multiple, sizeof f->multiple), tr_str(c, f->name, f->name_len);
}
static void tr_line(void *c, uint64_t l, const sym_line_rec *r)
{
	tr_rec(c, 5, l), tr_add(c, &r->addr, 8), tr_add(c, &r->size, 8), tr_add(c, &r->line, 8);
	tr_add(c, &r->file, 8);
}
static void tr_inline(void *c, uint64_t l, const sym_inline_rec *r)
{
	tr_rec(c, 6, l), tr_add(c, &r->depth, 8), tr_add(c, &r->call_line, 8), tr_add(c, &r->call_file, 8);
	tr_add(c, &r->origin, 8), tr_add(c, &r->nranges, 4), tr_add(c, r->ranges, r->nranges * sizeof r->ranges[0]);
}
static void tr_public(void *c, uint64_t l, uint64_t a, uint64_t p, int m, const char *s, size_t n)
{
	tr_rec(c, 7, l), tr_add(c, &a, 8), tr_add(c, &p, 8), tr_add(c, &m, sizeof m), tr_str(c, s, n);
}
static void tr_cfi_init(void *c, uint64_t l, uint64_t a, uint64_t size, const char *r, size_t n)
{
	tr_rec(c, 8, l), tr_add(c, &a, 8), tr_add(c, &size, 8), tr_str(c, r, n);
}
static void tr_cfi(void *c, uint64_t l, uint64_t a, const char *r, size_t n)
{
	tr_rec(c, 9, l), tr_add(c, &a, 8), tr_str(c, r, n);
}
static void tr_win(void *c, uint64_t l, const sym_win_rec *w)
{
	tr_rec(c, 10, l), tr_add(c, &w->type, 4), tr_add(c, &w->rva, 8), tr_add(c, &w->code_size, 8);
	tr_add(c, &w->max_stack_size, 4), tr_add(c, &w->has_program, sizeof(int));
	tr_add(c, &w->allocates_base_pointer, sizeof(int));
	if (w->has_program)
		tr_str(c, w->program, w->program_len);
}
static void tr_diag(void *c, uint64_t l, int damaged, const char *m)
{
	tr_rec(c, 11, l), tr_add(c, &damaged, sizeof damaged), tr_str(c, m, strlen(m));
}

/* Both parses of path agree record for record; returns the record count. */
static uint64_t same_transcripts(const char *path)
{
	transcript a = { 0xcbf29ce484222325ull, 0 };
	sym_sink sink = {
		.module = tr_module, .info = tr_info, .file = tr_file, .origin = tr_origin,
		.func = tr_func, .line_rec = tr_line, .inline_rec = tr_inline, .public_rec = tr_public,
		.cfi_init = tr_cfi_init, .cfi = tr_cfi, .win = tr_win, .diag = tr_diag,
	};
	sym_counts ca, cb;
	cd_err e;
	sink.ctx = &a;
	int ra = sym_parse(path, &sink, &ca, &e);
	/* Line records parsed on either thread, and split as it comes. */
	for (int mode = SYM_TEXT_AUTO; mode <= SYM_TEXT_CALLER; mode++) {
		transcript b = { 0xcbf29ce484222325ull, 0 };
		sym__build_hooks hooks = { .text = mode };
		sink.ctx = &b;
		int rb = sym__parse_threaded(path, &sink, &hooks, &cb, &e);
		if (ra != rb || a.n != b.n || a.h != b.h || memcmp(&ca, &cb, sizeof ca)) {
			T_FAILF("%s: threaded parse (mode %d) differs: rc %d/%d, %llu/%llu records",
				path, mode, ra, rb, (unsigned long long)a.n, (unsigned long long)b.n);
			return 0;
		}
	}
	return a.n;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *p = NULL;
	size_t cap = 0;
	*n = 0;
	for (;;) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 1 << 16;
			p = realloc(p, cap);
		}
		size_t k = fread(p + *n, 1, cap - *n, f);
		if (!k)
			break;
		*n += k;
	}
	fclose(f);
	return p;
}

/* The cache built through the threaded parse (lines encoded on the
 * parser's thread, names prefetched) is the one a plain parse builds, byte
 * for byte, with the same diagnostics. */
static int same_caches(const char *path)
{
	char a[600], b[600];
	snprintf(a, sizeof a, "%s/plain.cdsym", tmpdir);
	snprintf(b, sizeof b, "%s/threaded.cdsym", tmpdir);
	sym_report ra, rb;
	cd_err e;
	if (sym__cache_build(path, a, 0, &ra, &e) != CD_OK) {
		T_FAILF("%s: plain build: %s", path, e.msg);
		return 0;
	}
	int same = 1;
	for (int mode = 1; same && mode <= 3; mode++) {
	if (sym__cache_build(path, b, mode, &rb, &e) != CD_OK) {
		T_FAILF("%s: threaded build: %s", path, e.msg);
		sym_report_free(&ra);
		return 0;
	}
	size_t na = 0, nb = 0;
	char *da = slurp(a, &na), *db = slurp(b, &nb);
	same = da && db && na == nb && !memcmp(da, db, na) && ra.ndiags == rb.ndiags &&
		   ra.ndiags_total == rb.ndiags_total && ra.damaged == rb.damaged;
	for (size_t i = 0; same && i < ra.ndiags; i++)
		same = ra.diags[i].line == rb.diags[i].line &&
		       !strcmp(ra.diags[i].message, rb.diags[i].message);
	if (!same)
		T_FAILF("%s: threaded (mode %d) and plain builds differ (%zu/%zu bytes, %zu/%zu diagnostics)",
			path, mode, na, nb, (size_t)ra.ndiags, (size_t)rb.ndiags);
	free(da);
	free(db);
	sym_report_free(&rb);
	}
	sym_report_free(&ra);
	return same;
}

static void test_threaded_build_is_the_plain_build(void)
{
	cd_buf t;
	cd_buf_init(&t, 0);
	cd_buf_append(&t, anomalies, sizeof anomalies - 1);
	cd_buf_puts(&t, "\n");
	/* Lines out of order, a function without lines, inlines between
	 * lines, and one function whose lines need more than a batch. */
	cd_buf_puts(&t, "FUNC 6000 100 0 unsorted\n6040 10 3 1\n6000 10 1 0\n6020 10 2 0\n"
			"6000 10 1 -1\nINLINE 0 1 0 2 6000 10\n6080 4 9 1\n");
	cd_buf_puts(&t, "FUNC 7000 10 0 empty\nSTACK CFI INIT 7000 10 .cfa: $rsp 8 +\n");
	cd_buf_puts(&t, "FUNC 10000 100000 4 big\n");
	for (int i = 0; i < 70000; i++) {
		cd_buf_printf(&t, "%x %x %d %d\n", 0x10000 + i * 3, 3, i % 5000 - 10, i % 9);
		if (i % 1000 == 0)
			cd_buf_printf(&t, "INLINE 0 %d 1 2 %x 3\n", i, 0x10000 + i * 3);
	}
	cd_buf_puts(&t, "FUNC 90000 10 0 last\n90000 4 1 0");
	T_ASSERT(!t.overflow);
	const char *path = write_file("threaded-build.sym", t.data, t.len);
	cd_buf_free(&t);
	same_caches(path);
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpus/symbols/libc.so.6/EC61AC938E5A39B16F9FBD350E3169A50/libc.so.6.sym",
		 t_shared());
	struct stat st;
	if (stat(dir, &st) == 0)
		same_caches(dir);
	else
		T_SKIP("corpus libc.so.6.sym: ../shared is absent");
}

static void test_threaded_parse_replays_every_record(void)
{
	/* Every record type and quirk, and a record larger than a batch: a
	 * name of 1.6 MB joined from two lines. */
	cd_buf t;
	cd_buf_init(&t, 0);
	cd_buf_append(&t, anomalies, sizeof anomalies - 1);
	cd_buf_puts(&t, "FUNC 9000 100 0 ");
	for (int i = 0; i < 800000; i++)
		cd_buf_append(&t, "n", 1);
	cd_buf_puts(&t, "\r\n  ");
	for (int i = 0; i < 800000; i++)
		cd_buf_append(&t, "m", 1);
	cd_buf_puts(&t, "\n");
	/* Several batches of line and CFI records, CRLF and LF mixed. */
	for (int i = 0; i < 60000; i++) {
		cd_buf_printf(&t, "%x 4 %d %d%s", 0x9000 + i * 4, i, i % 7, i % 3 ? "\n" : "\r\n");
		if (i % 10 == 0)
			cd_buf_printf(&t, "STACK CFI %s%x .cfa: $rsp %d +\n", i % 20 ? "" : "INIT 1 ",
				      0x9000 + i * 4, i % 64);
	}
	cd_buf_puts(&t, "STACK CFI  10 two spaces\nSTACK CFI 10\nSTACK CFI INIT 10 20\n1 2 3"); /* no final newline */
	T_ASSERT(!t.overflow);
	const char *path = write_file("replay.sym", t.data, t.len);
	cd_buf_free(&t);
	uint64_t n = same_transcripts(path);
	T_ASSERT(n > 66000);
	const char *shared = t_shared();
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpus/symbols/libc.so.6/EC61AC938E5A39B16F9FBD350E3169A50/libc.so.6.sym", shared);
	struct stat st;
	if (stat(dir, &st) == 0)
		T_ASSERT(same_transcripts(dir) > 100000);
}

static void test_blank_and_space_lines(void)
{
	static const char text[] = "MODULE Linux x86_64 ABC0 m\n   \n\t\n \r\nFUNC 10 10 0 f\n  \n";
	diags d = { .len = 0 };
	sym_sink sink = { .ctx = &d, .diag = d_diag };
	sym_counts c;
	cd_err e;
	T_EQ_U64(sym_parse_mem((const uint8_t *)text, sizeof text - 1, "blank.sym", &sink, &c, &e), CD_OK);
	T_EQ_U64(c.records[SYM_R_FUNC], 1);
	T_EQ_U64(c.lines, 6);
	/* Also found by fuzzing: digit runs too long for a line number. */
	static const char big[] = "FUNC 10 10 0 f\n10 4 23333333333333333333333 0\n14 4 1 99999999999999999999\n";
	T_EQ_U64(sym_parse_mem((const uint8_t *)big, sizeof big - 1, "big.sym", &sink, &c, &e), CD_OK);
	T_EQ_U64(c.records[SYM_R_LINE], 0);
	T_EQ_U64(c.damaged_lines, 2);
}

static void test_utf16_and_gzip(void)
{
	/* The same file as UTF-16LE with a BOM, and gzip-compressed. */
	static const char text[] = "MODULE Linux x86_64 ABC0 m\nFILE 0 x.c\nFUNC 10 10 0 f\n10 10 3 0\n";
	uint8_t u16[2 + 2 * sizeof text];
	u16[0] = 0xff;
	u16[1] = 0xfe;
	for (size_t i = 0; i < sizeof text - 1; i++) {
		u16[2 + 2 * i] = (uint8_t)text[i];
		u16[3 + 2 * i] = 0;
	}
	char gzpath[512];
	snprintf(gzpath, sizeof gzpath, "%s/g.sym.gz", tmpdir);
	gzFile g = gzopen(gzpath, "wb");
	gzwrite(g, text, sizeof text - 1);
	gzclose(g);
	const char *paths[2] = { write_file("u16.sym", u16, 2 + 2 * (sizeof text - 1)), gzpath };
	char copy[2][512];
	snprintf(copy[0], sizeof copy[0], "%s", paths[0]);
	snprintf(copy[1], sizeof copy[1], "%s", paths[1]);
	for (int i = 0; i < 2; i++) {
		char cache[512];
		snprintf(cache, sizeof cache, "%s/enc%d.cdsym", tmpdir, i);
		sym_report r;
		cd_err e;
		T_ASSERT(sym_cache_build(copy[i], cache, &r, &e) == CD_OK);
		T_ASSERT(!r.damaged);
		sym_report_free(&r);
		sym_cache *c;
		T_ASSERT(sym_cache_open(cache, &c, &e) == CD_OK);
		sym_lookup l;
		T_EQ_U64(sym_lookup_addr(c, 0x15, &l), CD_OK);
		T_EQ_STR(l.function, "f");
		T_EQ_STR(l.file, "x.c");
		T_EQ_U64(l.line, 3);
		sym_cache_close(c);
	}
}

static void test_damaged_and_stale_caches(void)
{
	static const char text[] = "MODULE Linux x86_64 ABC0 m\nFUNC 10 10 0 f\n";
	const char *src = write_file("stale.sym", text, sizeof text - 1);
	char srcp[512], dir[512];
	snprintf(srcp, sizeof srcp, "%s", src);
	snprintf(dir, sizeof dir, "%s/cachedir", tmpdir);
	sym_cache *c;
	int built;
	cd_err e;
	T_ASSERT(sym_open(srcp, dir, &c, &built, NULL, &e) == CD_OK && built);
	sym_cache_close(c);
	T_ASSERT(sym_open(srcp, dir, &c, &built, NULL, &e) == CD_OK && !built);
	sym_cache_close(c);
	/* The source changes: rebuilt, and the new name is found. */
	sleep(0);
	static const char text2[] = "MODULE Linux x86_64 ABC0 m\nFUNC 10 10 0 g_renamed\n";
	write_file("stale.sym", text2, sizeof text2 - 1);
	T_ASSERT(sym_open(srcp, dir, &c, &built, NULL, &e) == CD_OK && built);
	sym_lookup l;
	T_EQ_U64(sym_lookup_addr(c, 0x10, &l), CD_OK);
	T_EQ_STR(l.function, "g_renamed");
	sym_cache_close(c);
	/* Truncated or corrupted cache files are refused, then rebuilt. */
	DIR *dp = opendir(dir);
	struct dirent *de;
	char cpath[1024] = "";
	while ((de = readdir(dp)))
		if (strstr(de->d_name, ".cdsym"))
			snprintf(cpath, sizeof cpath, "%s/%s", dir, de->d_name);
	closedir(dp);
	struct stat st;
	T_ASSERT(stat(cpath, &st) == 0);
	T_EQ_U64(st.st_mode & 0777, 0600);
	T_ASSERT(truncate(cpath, st.st_size - 8) == 0);
	T_EQ_U64(sym_cache_open(cpath, &c, &e), CD_EFORMAT);
	T_ASSERT(strstr(e.msg, "damaged symbol cache") != NULL);
	T_ASSERT(sym_open(srcp, dir, &c, &built, NULL, &e) == CD_OK && built);
	sym_cache_close(c);
	FILE *f = fopen(cpath, "r+b");
	fseek(f, 40, SEEK_SET);
	fputc(0x5a, f);
	fclose(f);
	T_EQ_U64(sym_cache_open(cpath, &c, &e), CD_EFORMAT);
	T_ASSERT(strstr(e.msg, "checksum") != NULL);
}

/* ---- inline chains against Breakpad ------------------------------------------------ */

/* Frames of the crashing thread from minidump_stackwalk -m: function, file
 * and line, up to and including the first frame that is not inline (the
 * frames before it share its instruction address). */
static void check_breakpad_chain(const char *shared, const char *name)
{
	char path[1024], tname[600];
	snprintf(tname, sizeof tname, "inline-chain/%.500s", name);
	snprintf(path, sizeof path, "%s/corpus/expected/%s.stackwalk.txt", shared, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	/* Count the inline frames at the top of the crashing thread. */
	static char line[16384];
	int ninline = 0, in_crash = 0, frames = 0;
	while (fgets(line, sizeof line, f)) {
		if (strstr(line, "(crashed)"))
			in_crash = 1;
		else if (in_crash && !strncmp(line, "Thread ", 7))
			break;
		else if (in_crash && strstr(line, "Found by:")) {
			frames++;
			if (strstr(line, "inline record"))
				ninline++;
			else
				break;
		}
	}
	fclose(f);
	if (!ninline)
		return;
	snprintf(path, sizeof path, "%s/corpus/expected/%s.stackwalk.m.txt", shared, name);
	f = fopen(path, "r");
	static char want[SYM_MAX_INLINE_DEPTH + 1][3][4096]; /* template names run long */
	int crashing = -1, nw = 0;
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "Crash|", 6)) {
			char *last = strrchr(line, '|');
			crashing = atoi(last + 1);
		} else if (crashing >= 0 && atoi(line) == crashing && isdigit((unsigned char)line[0]) &&
			   nw <= ninline && nw <= SYM_MAX_INLINE_DEPTH) {
			char *fld[7] = { 0 };
			char *p = line;
			for (int k = 0; k < 7 && p; k++) {
				fld[k] = p;
				p = strchr(p, '|');
				if (p)
					*p++ = 0;
			}
			if (fld[6] && atoi(fld[1]) == nw) {
				snprintf(want[nw][0], 4096, "%s", fld[3]);
				snprintf(want[nw][1], 4096, "%s", fld[4]);
				snprintf(want[nw][2], 4096, "%s", fld[5]);
				nw++;
			}
		}
	}
	if (f)
		fclose(f);
	/* The crash address and its module from the dump. */
	snprintf(path, sizeof path, "%s/corpus/dumps/%s.dmp", shared, name);
	md_dump *d;
	cd_err e;
	if (md_open(path, &d, &e) != CD_OK || !d->exception.has_context) {
		printf("skip %s: dump has no exception context\n", tname);
		if (d)
			md_close(d);
		return;
	}
	uint64_t pc = md_context_pc(&d->exception.context);
	const md_module *m = md_find_module(d, pc);
	char sym[1024] = "";
	if (m) {
		const char *base = strrchr(m->debug_file, '/');
		base = base ? base + 1 : m->debug_file;
		snprintf(sym, sizeof sym, "%s/corpus/symbols/%s/%s/%s.sym", shared, base, m->debug_id, base);
	}
	char cache[600];
	snprintf(cache, sizeof cache, "%s/chain.cdsym", tmpdir);
	sym_cache *c = NULL;
	sym_lookup l;
	int ok = m && sym_cache_build(sym, cache, NULL, &e) == CD_OK &&
		 sym_cache_open(cache, &c, &e) == CD_OK &&
		 sym_lookup_addr(c, pc - m->base, &l) == CD_OK;
	static char why[12000];
	why[0] = 0;
	if (!ok)
		snprintf(why, sizeof why, "no lookup for pc 0x%llx", (unsigned long long)pc);
	else if ((int)l.ninlines != ninline || nw != ninline + 1)
		snprintf(why, sizeof why, "%u inline frames, Breakpad %d", l.ninlines, ninline);
	for (int k = 0; ok && !why[0] && k <= ninline; k++) {
		const char *fn = k < ninline ? l.inlines[k].function : l.function;
		const char *fl = k < ninline ? l.inlines[k].file : l.file;
		long long ln = k < ninline ? l.inlines[k].line : l.line;
		char lnbuf[32];
		snprintf(lnbuf, sizeof lnbuf, "%lld", ln);
		if (strcmp(fn, want[k][0]) || strcmp(fl, want[k][1]) || strcmp(lnbuf, want[k][2]))
			snprintf(why, sizeof why, "frame %d: %s %s:%s, Breakpad %s %s:%s", k, fn, fl, lnbuf,
				 want[k][0], want[k][1], want[k][2]);
	}
	if (why[0]) {
		printf("FAIL %s: %s\n", tname, why);
		t_nfail++;
	} else {
		printf("ok %s (%d inline frames)\n", tname, ninline);
	}
	sym_cache_close(c);
	md_close(d);
	unlink(cache);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/crashdesk-test-symbols-%d", (int)getpid());
	mkdir(tmpdir, 0700);
	T_RUN(test_anomalies_reported_with_lines);
	T_RUN(test_anomalies_in_the_cache);
	T_RUN(test_blank_and_space_lines);
	T_RUN(test_threaded_parse_replays_every_record);
	T_RUN(test_threaded_build_is_the_plain_build);
	T_RUN(test_utf16_and_gzip);
	T_RUN(test_damaged_and_stale_caches);
	const char *shared = t_shared();
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpus", shared);
	DIR *probe = opendir(dir);
	if (!probe) {
		printf("skip corpus: %s is absent (the shared corpus sits beside the checkout)\n", dir);
	} else {
		closedir(probe);
		snprintf(dir, sizeof dir, "%s/corpus/symbols", shared);
		walk_syms(dir, dir);
		snprintf(dir, sizeof dir, "%s/corpus/sym-variants", shared);
		walk_syms(dir, dir);
		printf("# %ld sym files, %ld addresses: cache and reference agree\n", checked_files,
		       checked_addrs);
		snprintf(dir, sizeof dir, "%s/corpus/dumps", shared);
		DIR *dp = opendir(dir);
		struct dirent *de;
		while (dp && (de = readdir(dp))) {
			size_t n = strlen(de->d_name);
			if (n > 4 && !strcmp(de->d_name + n - 4, ".dmp")) {
				char name[512];
				snprintf(name, sizeof name, "%.*s", (int)(n - 4), de->d_name);
				check_breakpad_chain(shared, name);
			}
		}
		if (dp)
			closedir(dp);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return t_done();
}
