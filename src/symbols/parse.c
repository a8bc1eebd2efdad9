/*
 * parse.c - the streaming, tolerant .sym parser.
 *
 * Three layers: a byte source (zlib's gzread reads plain and gzip files
 * alike; UTF-16 with a BOM is transcoded), a line splitter (LF or CRLF, no
 * final newline needed, overlong lines cut and reported), and the record
 * parser, which joins names split by embedded newlines (a dump_syms bug)
 * before handing each record to the sink. Memory: one read chunk plus the
 * longest line, whatever the file's size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "internal.h"

#define CHUNK (1u << 20)
#define MAX_LINE (1u << 20) /* longer lines are cut and reported */

const char *sym_record_name(int kind)
{
	static const char *names[SYM_R_COUNT] = {
		"MODULE", "INFO", "FILE", "INLINE_ORIGIN", "FUNC", "line", "INLINE", "PUBLIC",
		"STACK CFI INIT", "STACK CFI", "STACK WIN", "malformed",
	};
	return kind >= 0 && kind < SYM_R_COUNT ? names[kind] : "?";
}

/* ---- byte source --------------------------------------------------------- */

typedef struct source {
	gzFile gz;               /* or NULL when reading memory or a zip entry */
	sym__zip_reader *zip;    /* an entry of a zipped store */
	uint8_t peek[4];         /* the zip entry's first bytes, read to sniff UTF-16 */
	size_t npeek, peek_pos;
	const uint8_t *mem;
	size_t mem_len, mem_pos;
	int utf16;               /* 0, 1 little-endian, 2 big-endian */
	uint8_t odd[1];          /* a UTF-16 byte left over between chunks */
	int has_odd;
	uint8_t *raw;            /* CHUNK bytes for transcoding */
} source;

/* Reads up to n raw bytes; returns the count, 0 at the end, -1 on error. */
static long raw_read(source *s, uint8_t *dst, size_t n)
{
	if (s->zip) {
		size_t k = 0;
		while (s->peek_pos < s->npeek && k < n)
			dst[k++] = s->peek[s->peek_pos++];
		if (k == n)
			return (long)k;
		long r = sym__zip_reader_read(s->zip, dst + k, n - k);
		return r < 0 ? -1 : (long)k + r;
	}
	if (!s->gz) {
		size_t k = s->mem_len - s->mem_pos < n ? s->mem_len - s->mem_pos : n;
		memcpy(dst, s->mem + s->mem_pos, k);
		s->mem_pos += k;
		return (long)k;
	}
	int k = gzread(s->gz, dst, (unsigned)n);
	return k;
}

/* Appends decoded UTF-8 to out; returns bytes appended, 0 at end, -1 error. */
static long source_read(source *s, cd_buf *out)
{
	if (!s->utf16) {
		if (cd_buf_append(out, NULL, CHUNK))
			return -1;
		out->len -= CHUNK;
		long k = raw_read(s, (uint8_t *)out->data + out->len, CHUNK);
		if (k > 0)
			out->len += (size_t)k;
		return k;
	}
	size_t have = 0;
	if (s->has_odd) {
		s->raw[0] = s->odd[0];
		have = 1;
		s->has_odd = 0;
	}
	long k = raw_read(s, s->raw + have, CHUNK - have);
	if (k < 0)
		return -1;
	have += (size_t)k;
	if (have % 2) {
		s->odd[0] = s->raw[have - 1];
		s->has_odd = 1;
		have--;
	}
	if (s->utf16 == 2) /* big-endian: swap to little and share the decoder */
		for (size_t i = 0; i + 1 < have; i += 2) {
			uint8_t t = s->raw[i];
			s->raw[i] = s->raw[i + 1];
			s->raw[i + 1] = t;
		}
	size_t before = out->len;
	if (cd_utf16le_to_utf8(out, s->raw, have / 2))
		return -1;
	return (long)(out->len - before);
}

/* ---- tokens ---------------------------------------------------------------- */

typedef struct cursor {
	const char *p, *end;
} cursor;

/* The next space-separated token; 0 when none is left. */
static int token(cursor *c, const char **t, size_t *n)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
	if (c->p == c->end)
		return 0;
	*t = c->p;
	while (c->p < c->end && *c->p != ' ')
		c->p++;
	*n = (size_t)(c->p - *t);
	return 1;
}

/* The rest of the line after one separating space, as a name. */
static void rest(cursor *c, const char **t, size_t *n)
{
	if (c->p < c->end && *c->p == ' ')
		c->p++;
	*t = c->p;
	*n = (size_t)(c->end - c->p);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int parse_hex(const char *t, size_t n, uint64_t *v)
{
	if (n == 0 || n > 16)
		return 0;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		int h = hexval(t[i]);
		if (h < 0)
			return 0;
		x = x << 4 | (uint64_t)h;
	}
	*v = x;
	return 1;
}

static int parse_dec(const char *t, size_t n, int64_t *v)
{
	size_t i = 0;
	int neg = 0;
	if (n && t[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n || n - i > 18) /* 18 digits always fit an int64_t */
		return 0;
	int64_t x = 0;
	for (; i < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			return 0;
		x = x * 10 + (t[i] - '0');
	}
	*v = neg ? -x : x;
	return 1;
}

static int next_hex(cursor *c, uint64_t *v)
{
	const char *t;
	size_t n;
	return token(c, &t, &n) && parse_hex(t, n, v);
}

static int next_dec(cursor *c, int64_t *v)
{
	const char *t;
	size_t n;
	return token(c, &t, &n) && parse_dec(t, n, v);
}

static int starts(const char *p, size_t n, const char *word)
{
	size_t w = strlen(word);
	return n > w && !memcmp(p, word, w) && p[w] == ' ';
}

static int is_record_start(const char *p, size_t n)
{
	static const char *words[] = { "MODULE", "INFO", "FILE", "INLINE_ORIGIN", "INLINE",
				       "FUNC", "PUBLIC", "STACK" };
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (starts(p, n, words[i]) || (n == strlen(words[i]) && !memcmp(p, words[i], n)))
			return 1;
	/* Two hex fields: a line record, even a malformed one, never a piece
	 * of a name (names do not continue with "1a2b 10 ..."). */
	cursor c = { p, p + n };
	uint64_t a, b;
	return next_hex(&c, &a) && next_hex(&c, &b);
}

/* Records whose last field is a name that an embedded newline may split. */
static int takes_continuation(const char *p, size_t n)
{
	return starts(p, n, "FUNC") || starts(p, n, "PUBLIC") || starts(p, n, "INLINE_ORIGIN") ||
	       starts(p, n, "FILE");
}

/* ---- records ------------------------------------------------------------------ */

typedef struct parser {
	const sym_sink *sink;
	sym_counts *counts;
	const char *name;
	uint64_t line;      /* of the record being dispatched */
	char msg[256];
	sym_range *ranges;  /* an INLINE record's, grown as needed; freed by the parse */
	size_t ranges_cap;
} parser;

static void diag(parser *ps, uint64_t line, int damaged, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void diag(parser *ps, uint64_t line, int damaged, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->msg, sizeof ps->msg, fmt, ap);
	va_end(ap);
	if (damaged)
		ps->counts->damaged_lines++;
	else
		ps->counts->repaired_lines++;
	if (ps->sink->diag)
		ps->sink->diag(ps->sink->ctx, line, damaged, ps->msg);
}

static int bad(parser *ps, const char *what)
{
	diag(ps, ps->line, 1, "malformed %s record", what);
	return SYM_R_BAD;
}

static int rec_module(parser *ps, cursor *c)
{
	const char *t[3];
	size_t n[3];
	char f[3][128];
	for (int i = 0; i < 3; i++) {
		if (!token(c, &t[i], &n[i]) || n[i] >= sizeof f[i])
			return bad(ps, "MODULE");
		memcpy(f[i], t[i], n[i]);
		f[i][n[i]] = 0;
	}
	const char *nm;
	size_t nn;
	rest(c, &nm, &nn);
	char name[1024];
	snprintf(name, sizeof name, "%.*s", (int)nn, nm);
	if (ps->sink->module)
		ps->sink->module(ps->sink->ctx, ps->line, f[0], f[1], f[2], name);
	return SYM_R_MODULE;
}

static int rec_info(parser *ps, cursor *c)
{
	const char *k, *v;
	size_t kn, vn;
	if (!token(c, &k, &kn))
		return bad(ps, "INFO");
	rest(c, &v, &vn);
	char key[64], val[1024];
	snprintf(key, sizeof key, "%.*s", (int)kn, k);
	snprintf(val, sizeof val, "%.*s", (int)vn, v);
	if (ps->sink->info)
		ps->sink->info(ps->sink->ctx, ps->line, key, val);
	return SYM_R_INFO;
}

static int rec_file(parser *ps, cursor *c)
{
	int64_t id;
	if (!next_dec(c, &id))
		return bad(ps, "FILE");
	const char *nm;
	size_t nn;
	rest(c, &nm, &nn);
	if (ps->sink->file)
		ps->sink->file(ps->sink->ctx, ps->line, id, nm, nn);
	return SYM_R_FILE;
}

static int rec_origin(parser *ps, cursor *c)
{
	int64_t id;
	if (!next_dec(c, &id) || id < 0)
		return bad(ps, "INLINE_ORIGIN");
	const char *nm;
	size_t nn;
	rest(c, &nm, &nn);
	/* The older format puts a file number before the name. */
	cursor peek = { nm, nm + nn };
	int64_t file;
	const char *t;
	size_t tn;
	if (next_dec(&peek, &file) && token(&peek, &t, &tn)) {
		cursor again = { nm, nm + nn };
		next_dec(&again, &file);
		rest(&again, &nm, &nn);
	}
	if (nn == 0)
		diag(ps, ps->line, 0, "INLINE_ORIGIN %lld has no name (a dump_syms bug)",
		     (long long)id);
	if (ps->sink->origin)
		ps->sink->origin(ps->sink->ctx, ps->line, (uint64_t)id, nm, nn);
	return SYM_R_INLINE_ORIGIN;
}

/* "m" marks a symbol that stands for several folded ones. */
static int multiple_flag(cursor *c)
{
	cursor save = *c;
	const char *t;
	size_t n;
	if (token(c, &t, &n) && n == 1 && t[0] == 'm')
		return 1;
	*c = save;
	return 0;
}

static int rec_func(parser *ps, cursor *c)
{
	sym_func_rec f = { 0 };
	f.multiple = multiple_flag(c);
	if (!next_hex(c, &f.addr) || !next_hex(c, &f.size) || !next_hex(c, &f.param_size))
		return bad(ps, "FUNC");
	rest(c, &f.name, &f.name_len);
	if (ps->sink->func)
		ps->sink->func(ps->sink->ctx, ps->line, &f);
	return SYM_R_FUNC;
}

static int rec_line(parser *ps, const char *p, size_t n)
{
	cursor c = { p, p + n };
	sym_line_rec l;
	if (!next_hex(&c, &l.addr) || !next_hex(&c, &l.size) || !next_dec(&c, &l.line) ||
	    !next_dec(&c, &l.file))
		return bad(ps, "line");
	if (ps->sink->line_rec)
		ps->sink->line_rec(ps->sink->ctx, ps->line, &l);
	return SYM_R_LINE;
}

static int rec_inline(parser *ps, cursor *c)
{
	/* New: depth call_line call_file origin (addr size)+;
	 * old: depth call_line origin (addr size)+. Told apart by parity. */
	size_t n = 0;
	const char *t;
	size_t tn;
	cursor save = *c;
	while (token(c, &t, &tn))
		n++;
	*c = save;
	if (n < 5)
		return bad(ps, "INLINE");
	size_t fields = n % 2 == 0 ? 4 : 3, nranges = (n - fields) / 2;
	if (nranges > UINT32_MAX)
		return bad(ps, "INLINE (too many ranges)");
	if (nranges > ps->ranges_cap) {
		size_t cap = ps->ranges_cap ? ps->ranges_cap : 64;
		while (cap < nranges)
			cap *= 2;
		sym_range *r = realloc(ps->ranges, cap * sizeof *r);
		if (!r)
			return bad(ps, "INLINE (out of memory)");
		ps->ranges = r;
		ps->ranges_cap = cap;
	}
	sym_inline_rec r = { 0 };
	int64_t depth, call_line, call_file = -1, origin;
	if (!next_dec(c, &depth) || !next_dec(c, &call_line) ||
	    (fields == 4 && !next_dec(c, &call_file)) || !next_dec(c, &origin) || depth < 0 ||
	    origin < 0)
		return bad(ps, "INLINE");
	r.depth = (uint64_t)depth;
	r.call_line = call_line;
	r.call_file = call_file;
	r.origin = (uint64_t)origin;
	for (size_t i = 0; i < nranges; i++) {
		if (!next_hex(c, &ps->ranges[i].addr) || !next_hex(c, &ps->ranges[i].size))
			return bad(ps, "INLINE");
	}
	r.nranges = (uint32_t)nranges;
	r.ranges = ps->ranges;
	if (ps->sink->inline_rec)
		ps->sink->inline_rec(ps->sink->ctx, ps->line, &r);
	return SYM_R_INLINE;
}

static int rec_public(parser *ps, cursor *c)
{
	int m = multiple_flag(c);
	uint64_t addr, param;
	if (!next_hex(c, &addr) || !next_hex(c, &param))
		return bad(ps, "PUBLIC");
	const char *nm;
	size_t nn;
	rest(c, &nm, &nn);
	if (ps->sink->public_rec)
		ps->sink->public_rec(ps->sink->ctx, ps->line, addr, param, m, nm, nn);
	return SYM_R_PUBLIC;
}

static int rec_stack(parser *ps, cursor *c)
{
	const char *t;
	size_t n;
	if (!token(c, &t, &n))
		return bad(ps, "STACK");
	if (n == 3 && !memcmp(t, "CFI", 3)) {
		cursor save = *c;
		uint64_t addr, size;
		if (token(c, &t, &n) && n == 4 && !memcmp(t, "INIT", 4)) {
			if (!next_hex(c, &addr) || !next_hex(c, &size))
				return bad(ps, "STACK CFI INIT");
			const char *r;
			size_t rn;
			rest(c, &r, &rn);
			if (!rn)
				return bad(ps, "STACK CFI INIT (no rules)");
			if (ps->sink->cfi_init)
				ps->sink->cfi_init(ps->sink->ctx, ps->line, addr, size, r, rn);
			return SYM_R_CFI_INIT;
		}
		*c = save;
		if (!next_hex(c, &addr))
			return bad(ps, "STACK CFI");
		const char *r;
		size_t rn;
		rest(c, &r, &rn);
		if (!rn)
			return bad(ps, "STACK CFI (no rules)");
		if (ps->sink->cfi)
			ps->sink->cfi(ps->sink->ctx, ps->line, addr, r, rn);
		return SYM_R_CFI;
	}
	if (n == 3 && !memcmp(t, "WIN", 3)) {
		sym_win_rec w = { 0 };
		uint64_t v[9], hp;
		for (int i = 0; i < 9; i++)
			if (!next_hex(c, &v[i]))
				return bad(ps, "STACK WIN");
		if (!next_hex(c, &hp) || hp > 1 || v[0] > 4)
			return bad(ps, "STACK WIN");
		w.type = (uint32_t)v[0];
		w.rva = v[1];
		w.code_size = v[2];
		w.prolog_size = (uint32_t)v[3];
		w.epilog_size = (uint32_t)v[4];
		w.params_size = (uint32_t)v[5];
		w.saved_regs_size = (uint32_t)v[6];
		w.locals_size = (uint32_t)v[7];
		w.max_stack_size = (uint32_t)v[8];
		w.has_program = (int)hp;
		if (hp) {
			rest(c, &w.program, &w.program_len);
			if (!w.program_len)
				return bad(ps, "STACK WIN (no program)");
		} else {
			uint64_t abp;
			if (!next_hex(c, &abp))
				return bad(ps, "STACK WIN");
			w.allocates_base_pointer = abp != 0;
		}
		if (ps->sink->win)
			ps->sink->win(ps->sink->ctx, ps->line, &w);
		return SYM_R_WIN;
	}
	return bad(ps, "STACK");
}

/* Hex digit values, 0xff for anything else: one load per character. */
static const uint8_t hex_digit[256] = {
	['0'] = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
	['A'] = 10, 11, 12, 13, 14, 15,
	['a'] = 10, 11, 12, 13, 14, 15,
};

/* hex_digit[] leaves non-digits at 0, so validity is kept apart. */
static const uint8_t is_hex[256] = {
	['0'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['A'] = 1, 1, 1, 1, 1, 1,
	['a'] = 1, 1, 1, 1, 1, 1,
};

/* A hex digit's value, 16 for anything else: one load per character
 * tells both. */
#define X16 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16
static const uint8_t hex_or_16[256] = {
	X16, X16, X16,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 16, 16, 16, 16, 16,
	16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, X16,
	16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, X16,
	X16, X16, X16, X16, X16, X16, X16, X16,
};
#undef X16

/* "addr size line file" in one pass over [p, e): line records are most of
 * a file. Returns where the fields end (the terminator, not consumed), or
 * NULL when the text is not exactly such a record. */
static const char *scan_line(const char *p, const char *e, sym_line_rec *l)
{
	uint64_t v[2];
	for (int k = 0; k < 2; k++) {
		uint64_t x = 0;
		const char *start = p;
		unsigned c;
		while (p < e && (c = hex_or_16[(uint8_t)*p]) < 16)
			x = x << 4 | c, p++;
		if (p == start || p - start > 16 || p == e || *p++ != ' ')
			return NULL;
		v[k] = x;
	}
	int64_t d[2];
	for (int k = 0; k < 2; k++) {
		int neg = p < e && *p == '-';
		p += neg;
		const char *start = p;
		uint64_t x = 0; /* unsigned: a hostile digit run wraps, never overflows */
		while (p < e && (unsigned)(*p - '0') < 10)
			x = x * 10 + (uint64_t)(*p++ - '0');
		if (p == start || p - start > 18 || (k == 0 && (p == e || *p++ != ' ')))
			return NULL;
		d[k] = neg ? -(int64_t)x : (int64_t)x;
	}
	l->addr = v[0];
	l->size = v[1];
	l->line = d[0];
	l->file = d[1];
	return p;
}

static int fast_line(const char *p, size_t n, sym_line_rec *l)
{
	return scan_line(p, p + n, l) == p + n;
}

static void dispatch(parser *ps, const char *p, size_t n)
{
	sym_line_rec fl;
	if (is_hex[(uint8_t)p[0]] && fast_line(p, n, &fl)) {
		if (ps->sink->line_rec)
			ps->sink->line_rec(ps->sink->ctx, ps->line, &fl);
		ps->counts->records[SYM_R_LINE]++;
		ps->counts->bytes[SYM_R_LINE] += n + 1;
		return;
	}
	/* Names are kept as C strings: a NUL would cut one unseen. */
	const char *nul = memchr(p, 0, n);
	if (nul)
		diag(ps, ps->line, 0, "a NUL byte at column %zu: the text after it is cut off",
		     (size_t)(nul - p) + 1);
	cursor c = { p, p + n };
	const char *t;
	size_t tn;
	int kind;
	cursor first = c;
	if (!token(&first, &t, &tn))
		return; /* only spaces: as good as an empty line */
	if (tn == 6 && !memcmp(t, "MODULE", 6))
		kind = rec_module(ps, &first);
	else if (tn == 4 && !memcmp(t, "INFO", 4))
		kind = rec_info(ps, &first);
	else if (tn == 4 && !memcmp(t, "FILE", 4))
		kind = rec_file(ps, &first);
	else if (tn == 13 && !memcmp(t, "INLINE_ORIGIN", 13))
		kind = rec_origin(ps, &first);
	else if (tn == 6 && !memcmp(t, "INLINE", 6))
		kind = rec_inline(ps, &first);
	else if (tn == 4 && !memcmp(t, "FUNC", 4))
		kind = rec_func(ps, &first);
	else if (tn == 6 && !memcmp(t, "PUBLIC", 6))
		kind = rec_public(ps, &first);
	else if (tn == 5 && !memcmp(t, "STACK", 5))
		kind = rec_stack(ps, &first);
	else if (tn && parse_hex(t, tn, &(uint64_t){ 0 }))
		kind = rec_line(ps, p, n);
	else {
		/* Unknown record types may be newer extensions: reported, not
		 * counted as damage. */
		diag(ps, ps->line, 0, "unknown record type \"%.*s\" skipped",
		     (int)(tn < 40 ? tn : 40), t);
		kind = SYM_R_BAD;
	}
	ps->counts->records[kind]++;
	ps->counts->bytes[kind] += n + 1;
}

/* Hex digits up to a space; NULL unless there are 1 to 16 of them. */
static const char *scan_hex(const char *p, const char *e, uint64_t *v)
{
	const char *start = p;
	uint64_t x = 0;
	while (p < e && is_hex[(uint8_t)*p])
		x = x << 4 | hex_digit[(uint8_t)*p++];
	if (p == start || p - start > 16 || p == e || *p != ' ')
		return NULL;
	*v = x;
	return p + 1;
}

/* "STACK CFI addr rules" and "STACK CFI INIT addr size rules", a sixth of
 * a file's lines, in one pass when they are exactly so (single spaces,
 * rules present, a complete line in [p, e)); anything else goes the long
 * way and gets the same result or its diagnostic. Moves *start past the
 * line on success. */
static int fast_cfi(parser *ps, uint64_t lineno, const char *p, const char *e, size_t *start,
		    const char *base)
{
	static const char head[] = "STACK CFI ";
	const size_t hn = sizeof head - 1;
	if ((size_t)(e - p) < hn + 2 || memcmp(p, head, hn))
		return 0;
	const char *q = p + hn, *nl;
	uint64_t addr, size = 0;
	int init = e - q > 5 && !memcmp(q, "INIT ", 5);
	if (init) {
		q = scan_hex(q + 5, e, &addr);
		q = q ? scan_hex(q, e, &size) : NULL;
	} else {
		q = scan_hex(q, e, &addr);
	}
	if (!q || !(nl = memchr(q, '\n', (size_t)(e - q))))
		return 0;
	const char *end = nl > q && nl[-1] == '\r' ? nl - 1 : nl;
	if (end == q || end - p > (long)MAX_LINE)
		return 0;
	size_t n = (size_t)(end - p);
	ps->line = lineno;
	if (init) {
		if (ps->sink->cfi_init)
			ps->sink->cfi_init(ps->sink->ctx, ps->line, addr, size, q, (size_t)(end - q));
	} else if (ps->sink->cfi) {
		ps->sink->cfi(ps->sink->ctx, ps->line, addr, q, (size_t)(end - q));
	}
	int kind = init ? SYM_R_CFI_INIT : SYM_R_CFI;
	ps->counts->records[kind]++;
	ps->counts->bytes[kind] += n + 1;
	*start = (size_t)(nl + 1 - base);
	return 1;
}

/* ---- the loop ------------------------------------------------------------------ */

/* Joins continuation lines onto the record before them, then dispatches. */
typedef struct joiner {
	parser *ps;
	cd_buf cur;
	uint64_t cur_line;
	int have;
} joiner;

static void flush(joiner *j)
{
	if (j->have) {
		j->ps->line = j->cur_line;
		dispatch(j->ps, j->cur.data, j->cur.len);
		j->have = 0;
	}
}

/* Only records ending in a name can be continued; they wait in j->cur for
 * the next line. Everything else is dispatched straight from the read
 * buffer, which keeps the hot path (line records) free of copies. */
static void on_line(joiner *j, const char *p, size_t n, uint64_t lineno)
{
	if (n && p[n - 1] == '\r')
		n--;
	if (n == 0)
		return;
	if (j->have && !is_record_start(p, n)) {
		diag(j->ps, lineno, 0, "name continued from line %llu (a newline inside a name)",
		     (unsigned long long)j->cur_line);
		/* The newline becomes one space; the continuation's indentation
		 * is dump_syms' own, not part of the name. */
		while (n && (*p == ' ' || *p == '\t'))
			p++, n--;
		cd_buf_append(&j->cur, " ", 1);
		cd_buf_append(&j->cur, p, n);
		return;
	}
	flush(j);
	if (!takes_continuation(p, n)) {
		j->ps->line = lineno;
		dispatch(j->ps, p, n);
		return;
	}
	cd_buf_reset(&j->cur);
	if (cd_buf_append(&j->cur, p, n) != CD_OK) {
		diag(j->ps, lineno, 1, "line too long");
		return;
	}
	j->cur_line = lineno;
	j->have = 1;
}

/* Hands over the line records gathered by run(), the last on line last. */
static void flush_run(const sym_sink *sink, sym_counts *counts, uint64_t last, sym_line_rec *l,
		      size_t *n, uint64_t *bytes)
{
	sink->line_recs(sink->ctx, last + 1 - *n, l, *n);
	counts->records[SYM_R_LINE] += *n;
	counts->bytes[SYM_R_LINE] += *bytes;
	*n = 0;
	*bytes = 0;
}

/* Lines that may be handed over as text start with a digit or a
 * lower-case hex letter: line records, or lines that neither take nor
 * give a continuation (FUNC, FILE: upper case) whatever they are. */
static inline int text_start(char c)
{
	return (unsigned)(c - '0') < 10 || (unsigned)(c - 'a') < 6;
}

/* Complete lines from p that each start so, at most TEXT_RUN of them
 * and no more once TEXT_BYTES are reached (lines may be up to MAX_LINE
 * long: the batch holding them stays small); returns where they end and
 * their number in *n. */
#define TEXT_RUN 256
#define TEXT_BYTES (64u << 10)
static const char *hex_lines(const char *p, const char *e, size_t *n)
{
	const char *p0 = p;
	size_t k = 0;
#if defined(__SSE2__)
	/* Sixteen bytes at a time: the handover must cost the parser's thread
	 * far less than parsing the lines itself. */
	const __m128i lf = _mm_set1_epi8('\n');
	const char *line = p;
	if (p < e && text_start(*p))
		for (const char *q = p; q + 16 <= e && q - line < (long)MAX_LINE; q += 16) {
			unsigned m = (unsigned)_mm_movemask_epi8(
				_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)q), lf));
			while (m) {
				const char *nl = q + __builtin_ctz(m);
				m &= m - 1;
				if (nl - line >= (long)MAX_LINE)
					break;
				line = nl + 1;
				if (++k == TEXT_RUN || line == e || !text_start(*line) ||
				    (size_t)(line - p0) >= TEXT_BYTES) {
					*n = k;
					return line;
				}
			}
		}
	p = line;
#endif
	while (k < TEXT_RUN && p < e && text_start(*p) && (size_t)(p - p0) < TEXT_BYTES) {
		size_t room = (size_t)(e - p) < MAX_LINE ? (size_t)(e - p) : MAX_LINE;
		const char *nl = memchr(p, '\n', room);
		if (!nl)
			break;
		p = nl + 1;
		k++;
	}
	*n = k;
	return p;
}

void sym__parse_text(const sym_sink *sink, sym_counts *counts, uint64_t first, const char *p,
		     size_t len)
{
	parser ps = { .sink = sink, .counts = counts, .name = "" };
	const char *e = p + len;
	enum { RUN = 64 };
	sym_line_rec run_l[RUN];
	size_t run_n = 0;
	uint64_t lineno = first - 1;
	while (p < e) {
		lineno++;
		sym_line_rec one, *l = sink->line_recs ? &run_l[run_n] : &one;
		const char *q = scan_line(p, e, l);
		size_t cr = q && q < e && *q == '\r' && q + 1 < e;
		if (q && q + cr < e && q[cr] == '\n') {
			counts->records[SYM_R_LINE]++;
			counts->bytes[SYM_R_LINE] += (size_t)(q - p) + 1;
			p = q + cr + 1;
			if (!sink->line_recs) {
				if (sink->line_rec)
					sink->line_rec(sink->ctx, lineno, l);
			} else if (++run_n == RUN) {
				sink->line_recs(sink->ctx, lineno + 1 - run_n, run_l, run_n);
				run_n = 0;
			}
			continue;
		}
		if (run_n) {
			sink->line_recs(sink->ctx, lineno - run_n, run_l, run_n);
			run_n = 0;
		}
		/* As run() would: the general path, which reports it. */
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
		ps.line = lineno;
		dispatch(&ps, p, n && p[n - 1] == '\r' ? n - 1 : n);
		p += n + 1;
	}
	if (run_n)
		sink->line_recs(sink->ctx, lineno + 1 - run_n, run_l, run_n);
	free(ps.ranges);
}

static int run(source *s, const char *name, const sym_sink *sink, const sym__split *split,
	       sym_counts *counts, cd_err *e)
{
	memset(counts, 0, sizeof *counts);
	parser ps = { .sink = sink, .counts = counts, .name = name };
	joiner j = { .ps = &ps };
	cd_buf_init(&j.cur, 4 * MAX_LINE);
	cd_buf buf;
	cd_buf_init(&buf, CHUNK * 2 + 2 * MAX_LINE + 16);
	uint64_t lineno = 0;
	size_t start = 0;
	int skipping = 0, rc = CD_OK, first = 1;
	/* Line records waiting for sink->line_recs, and their counts. */
	enum { RUN = 64 };
	sym_line_rec run_l[RUN];
	size_t run_n = 0;
	uint64_t run_bytes = 0;
	for (;;) {
		long k = source_read(s, &buf);
		if (k < 0) {
			if (s->zip)
				rc = cd_errf(e, CD_EFORMAT, "%s after line %llu",
					     sym__zip_reader_error(s->zip), (unsigned long long)lineno);
			else
				rc = cd_errf(e, CD_EIO, "%s: read error after line %llu", name,
					     (unsigned long long)lineno);
			break;
		}
		if (first && buf.len >= 3 && !memcmp(buf.data, "\xef\xbb\xbf", 3))
			start = 3; /* a UTF-8 byte order mark */
		first = 0;
		counts->bytes_total += (uint64_t)k;
		int eof = k == 0;
		const char *bend = buf.data + buf.len;
		for (;;) {
			/* The common case first: a complete line record, parsed in
			 * the same pass that finds its end, with nothing to join. */
			if (!skipping && !j.have && start < buf.len && text_start(buf.data[start]) &&
			    split && split->want_text(split->ctx)) {
				size_t k;
				const char *q = hex_lines(buf.data + start, bend, &k);
				if (k) {
					if (run_n)
						flush_run(sink, counts, lineno, run_l, &run_n, &run_bytes);
					split->text(split->ctx, lineno + 1, buf.data + start,
						    (size_t)(q - (buf.data + start)));
					lineno += k;
					start = (size_t)(q - buf.data);
					continue;
				}
			}
			if (!skipping && !j.have && start < buf.len && is_hex[(uint8_t)buf.data[start]]) {
				/* Parsed straight into its place in the run: a copy
				 * from fresh 8-byte stores stalls on forwarding. */
				sym_line_rec one, *l = sink->line_recs ? &run_l[run_n] : &one;
				const char *q = scan_line(buf.data + start, bend, l);
				size_t cr = 0;
				if (q && q < bend && *q == '\r' && q + 1 < bend)
					q++, cr = 1;
				if (q && q < bend && *q == '\n') {
					size_t n = (size_t)(q - (buf.data + start)) - cr;
					ps.line = ++lineno;
					start = (size_t)(q - buf.data) + 1;
					if (sink->line_recs) {
						run_n++;
						run_bytes += n + 1;
						if (run_n == RUN)
							flush_run(sink, counts, lineno, run_l, &run_n, &run_bytes);
						continue;
					}
					if (sink->line_rec)
						sink->line_rec(sink->ctx, lineno, l);
					counts->records[SYM_R_LINE]++;
					counts->bytes[SYM_R_LINE] += n + 1;
					continue;
				}
			}
			if (run_n)
				flush_run(sink, counts, lineno, run_l, &run_n, &run_bytes);
			if (!skipping && !j.have && start < buf.len && buf.data[start] == 'S' &&
			    fast_cfi(&ps, lineno + 1, buf.data + start, bend, &start, buf.data)) {
				lineno++;
				continue;
			}
			char *nl = memchr(buf.data + start, '\n', buf.len - start);
			size_t end = nl ? (size_t)(nl - buf.data) : buf.len;
			if (!nl && !eof && end - start <= MAX_LINE)
				break;
			if (!nl && eof && end == start)
				break;
			lineno++;
			if (!skipping) {
				if (end - start > MAX_LINE) {
					diag(&ps, lineno, 1, "line longer than %u bytes cut", MAX_LINE);
					on_line(&j, buf.data + start, MAX_LINE, lineno);
				} else {
					on_line(&j, buf.data + start, end - start, lineno);
				}
			}
			skipping = !nl;
			if (!nl) {
				lineno -= !eof; /* the rest of this line is still to come */
				start = buf.len;
				break;
			}
			start = end + 1;
		}
		if (run_n)
			flush_run(sink, counts, lineno, run_l, &run_n, &run_bytes);
		/* Keep the partial last line, drop what was consumed. */
		memmove(buf.data, buf.data + start, buf.len - start);
		buf.len -= start;
		start = 0;
		if (eof)
			break;
	}
	if (rc == CD_OK)
		flush(&j);
	counts->lines = lineno;
	cd_buf_free(&buf);
	cd_buf_free(&j.cur);
	free(ps.ranges);
	return rc;
}

/* Picks the text encoding from the first bytes. */
static int detect_utf16(const uint8_t *p, size_t n, size_t *bom)
{
	*bom = 0;
	if (n >= 2 && p[0] == 0xff && p[1] == 0xfe) {
		*bom = 2;
		return 1;
	}
	if (n >= 2 && p[0] == 0xfe && p[1] == 0xff) {
		*bom = 2;
		return 2;
	}
	if (n >= 4 && p[0] && !p[1] && p[2] && !p[3])
		return 1;
	if (n >= 4 && !p[0] && p[1] && !p[2] && p[3])
		return 2;
	return 0;
}

int sym_parse_mem(const uint8_t *data, size_t size, const char *name, const sym_sink *sink,
		  sym_counts *counts, cd_err *e)
{
	source s = { .mem = data, .mem_len = size };
	size_t bom;
	s.utf16 = detect_utf16(data, size, &bom);
	s.mem_pos = bom;
	if (s.utf16 && !(s.raw = malloc(CHUNK)))
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", name);
	int rc = run(&s, name, sink, NULL, counts, e);
	free(s.raw);
	return rc;
}

/* An entry of a zipped store, inflated as it is parsed. */
static int parse_zip_entry(const char *path, const char *zip, const char *entry,
			   const sym_sink *sink, const sym__split *split, sym_counts *counts,
			   cd_err *e)
{
	source s = { 0 };
	int rc = sym__zip_reader_open(zip, entry, &s.zip, e);
	if (rc)
		return rc;
	long k = sym__zip_reader_read(s.zip, s.peek, sizeof s.peek);
	if (k < 0) {
		rc = cd_errf(e, CD_EFORMAT, "%s", sym__zip_reader_error(s.zip));
		sym__zip_reader_close(s.zip);
		return rc;
	}
	size_t bom;
	s.npeek = (size_t)k;
	s.utf16 = detect_utf16(s.peek, s.npeek, &bom);
	s.peek_pos = bom;
	if (s.utf16 && !(s.raw = malloc(CHUNK))) {
		sym__zip_reader_close(s.zip);
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	}
	rc = run(&s, path, sink, split, counts, e);
	sym__zip_reader_close(s.zip);
	free(s.raw);
	return rc;
}

int sym_parse(const char *path, const sym_sink *sink, sym_counts *counts, cd_err *e)
{
	return sym__parse_split(path, sink, NULL, counts, e);
}

int sym__parse_split(const char *path, const sym_sink *sink, const sym__split *split,
		     sym_counts *counts, cd_err *e)
{
	char zip[4096];
	const char *entry;
	if (sym__zip_split(path, zip, sizeof zip, &entry))
		return parse_zip_entry(path, zip, entry, sink, split, counts, e);
	struct stat st;
	if (stat(path, &st) != 0)
		return cd_errf(e, CD_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cd_errf(e, CD_EIO, "%s: not a regular file", path);
	source s = { 0 };
	s.gz = gzopen(path, "rb");
	if (!s.gz)
		return cd_errf(e, CD_EIO, "%s: cannot open: %s", path, strerror(errno));
	/* zlib reads straight into our buffer only when asked for at least
	 * twice its own buffer's size; otherwise every byte is copied twice. */
	gzbuffer(s.gz, CHUNK / 2);
	/* The encoding is that of the decompressed text. */
	uint8_t first[4];
	int k = gzread(s.gz, first, 4);
	if (k < 0) {
		gzclose(s.gz);
		return cd_errf(e, CD_EFORMAT, "%s: not a readable text or gzip file", path);
	}
	size_t bom;
	s.utf16 = detect_utf16(first, (size_t)k, &bom);
	gzrewind(s.gz);
	if (bom) {
		uint8_t skip[2];
		gzread(s.gz, skip, (unsigned)bom);
	}
	if (s.utf16 && !(s.raw = malloc(CHUNK))) {
		gzclose(s.gz);
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	}
	int rc = run(&s, path, sink, split, counts, e);
	int gerr;
	const char *gmsg = gzerror(s.gz, &gerr);
	if (rc == CD_OK && gerr != Z_OK && gerr != Z_STREAM_END)
		rc = cd_errf(e, CD_EFORMAT, "%s: damaged gzip data after line %llu: %s", path,
			     (unsigned long long)counts->lines, gmsg);
	gzclose(s.gz);
	free(s.raw);
	return rc;
}
