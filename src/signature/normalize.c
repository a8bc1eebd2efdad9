/*
 * normalize.c - one frame as the lists see it: the function name with its
 * return type, template arguments, parameters, qualifiers, lambda numbers,
 * cold-clone labels and Rust hashes dropped, or else file#line, module,
 * unloaded module or @offset, as Socorro's CSignatureTool.normalize_frame
 * does it. Each step works on whole strings in the per-input allocator.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

typedef struct sv {
	const char *p;
	size_t n;
} sv;

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && !memcmp(s + n - k, suf, k);
}

static int contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

typedef struct out {
	char *p;
	size_t n, cap;
	sig__mem *m;
	int oom;
} out;

static void out_put(out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->n + n + 1 > o->cap) {
		size_t cap = (o->n + n + 1) * 2;
		char *p = sig__alloc(o->m, cap);
		if (!p) {
			o->oom = 1;
			return;
		}
		if (o->n)
			memcpy(p, o->p, o->n);
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = 0;
}

static const char *out_done(out *o)
{
	if (o->oom)
		return NULL;
	if (!o->p)
		out_put(o, "", 0);
	return o->oom ? NULL : o->p;
}

/* What replaces one enclosed slice: before is the text since the end of
 * the previous slice (as in Socorro's replace_enclosed_slices), inside the
 * slice with its delimiters. */
typedef enum { R_TYPES, R_RUST_TYPES, R_ARGS, R_RUST_ARGS, R_DROP } rmode;

static const char *replace_enclosed(sig__mem *m, const char *s, char open, char close, rmode mode);

static void replacement(out *o, sig__mem *m, rmode mode, sv before, sv inside)
{
	switch (mode) {
	case R_TYPES:
		if ((inside.n == 14 && !memcmp(inside.p, "<name omitted>", 14)) ||
		    contains(inside.p, inside.n, " as ") || contains(inside.p, inside.n, " in ") ||
		    ends_with(before.p, before.n, "operator")) {
			out_put(o, inside.p, inside.n);
		} else if (ends_with(before.p, before.n, "IPC::ParamTraits")) {
			/* inside[1:-1], collapsed again. */
			size_t n = inside.n >= 2 ? inside.n - 2 : 0;
			char *t = sig__strndup(m, inside.p + (inside.n ? 1 : 0), n);
			const char *c = t ? replace_enclosed(m, t, '<', '>', R_TYPES) : NULL;
			if (!c) {
				o->oom = 1;
				return;
			}
			out_put(o, "<", 1);
			out_put(o, c, strlen(c));
			out_put(o, ">", 1);
		} else {
			out_put(o, "<T>", 3);
		}
		break;
	case R_RUST_TYPES:
		if (contains(inside.p, inside.n, " as "))
			out_put(o, inside.p, inside.n);
		else
			out_put(o, "<T>", 3);
		break;
	case R_ARGS:
		if ((inside.n == 21 && !memcmp(inside.p, "(anonymous namespace)", 21)) ||
		    ends_with(before.p, before.n, "operator"))
			out_put(o, inside.p, inside.n);
		break;
	case R_RUST_ARGS:
	case R_DROP:
		break;
	}
}

static const char *replace_enclosed(sig__mem *m, const char *s, char open, char close, rmode mode)
{
	out o = { .m = m };
	size_t prev = 0, start = 0, level = 0, i;
	for (i = 0; s[i]; i++) {
		if (s[i] == open) {
			if (!level)
				start = i;
			level++;
		} else if (s[i] == close && level) {
			if (!--level) {
				out_put(&o, s + prev, start - prev);
				replacement(&o, m, mode, (sv){ s + prev, start - prev },
					    (sv){ s + start, i + 1 - start });
				prev = i + 1;
			}
		}
	}
	if (level) {
		out_put(&o, s + prev, start - prev);
		replacement(&o, m, mode, (sv){ s + prev, start - prev }, (sv){ s + start, i - start });
		prev = i;
	}
	out_put(&o, s + prev, i - prev);
	return out_done(&o);
}

/* utils.py's drop_prefix_and_return_type(): split on spaces outside
 * (), {}, [], <> and `' pairs, glue back a trailing "(...)" or
 * "[clone ...]" token, keep the last token. */
static const char *drop_prefix_and_return_type(sig__mem *m, const char *s)
{
	static const char opens[] = "({[<`", closes[] = ")}]>'";
	enum { MAXLEV = 4096 };
	char levels[MAXLEV];
	size_t nlev = 0, over = 0;
	/* Token starts, kept in a small ring of the last three is not
	 * enough when tokens glue; keep them all (bounded by length). */
	size_t n = strlen(s);
	size_t *ts = sig__alloc(m, (n + 2) * 2 * sizeof *ts);
	if (!ts)
		return NULL;
	size_t nt = 0, cur = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int isop = c == '(' || c == '{' || c == '[' || c == '<' || c == '`';
		int iscl = c == ')' || c == '}' || c == ']' || c == '>' || c == '\'';
		if (isop) {
			if (nlev < MAXLEV)
				levels[nlev++] = c;
			else
				over++;
		} else if (iscl) {
			if (over) {
				over--; /* beyond what we track: assume it matched */
			} else if (nlev && closes[strchr(opens, levels[nlev - 1]) - opens] == c) {
				nlev--;
			}
		} else if (!nlev && !over && c == ' ') {
			ts[2 * nt] = cur;
			ts[2 * nt + 1] = i;
			nt++;
			cur = i + 1;
		}
	}
	if (cur < n) {
		ts[2 * nt] = cur;
		ts[2 * nt + 1] = n;
		nt++;
	}
	if (!nt)
		return ""; /* Python: tokens[-1] of [] raises; only for "" or all spaces */
	while (nt > 1) {
		const char *last = s + ts[2 * (nt - 1)];
		if (*last != '(' && strncmp(last, "[clone", 6))
			break;
		ts[2 * (nt - 2) + 1] = ts[2 * (nt - 1) + 1];
		nt--;
	}
	return sig__strndup(m, s + ts[2 * (nt - 1)], ts[2 * (nt - 1) + 1] - ts[2 * (nt - 1)]);
}

static const char *replace_all(sig__mem *m, const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	out o = { .m = m };
	const char *p = s, *q;
	while ((q = strstr(p, from))) {
		out_put(&o, p, (size_t)(q - p));
		out_put(&o, to, tl);
		p = q + fl;
	}
	out_put(&o, p, strlen(p));
	return out_done(&o);
}

/* re.sub(r"::\$_\d+::", "::$::") */
static const char *fix_lambda_numbers(sig__mem *m, const char *s)
{
	if (!strstr(s, "::$_"))
		return s;
	out o = { .m = m };
	const char *p = s;
	while (*p) {
		if (!strncmp(p, "::$_", 4) && p[4] >= '0' && p[4] <= '9') {
			const char *d = p + 4;
			while (*d >= '0' && *d <= '9')
				d++;
			if (d[0] == ':' && d[1] == ':') {
				out_put(&o, "::$::", 5);
				p = d + 2;
				continue;
			}
		}
		out_put(&o, p, 1);
		p++;
	}
	return out_done(&o);
}

/* re.sub(r" (?=[\*&,])", "") then re.sub(r",(?! )", ", "), in two
 * passes as in Python: "a , ,b" -> "a,,b" -> "a, , b". */
static const char *fix_spaces_commas(sig__mem *m, const char *s)
{
	size_t n = strlen(s);
	char *t = sig__alloc(m, n + 1), *o = t;
	if (!t)
		return NULL;
	for (const char *p = s; *p; p++)
		if (!(*p == ' ' && (p[1] == '*' || p[1] == '&' || p[1] == ',')))
			*o++ = *p;
	*o = 0;
	size_t commas = 0;
	for (const char *p = t; *p; p++)
		commas += *p == ',' && p[1] != ' ';
	if (!commas)
		return t;
	char *r = sig__alloc(m, (size_t)(o - t) + commas + 1), *q = r;
	if (!r)
		return NULL;
	for (const char *p = t; *p; p++) {
		*q++ = *p;
		if (*p == ',' && p[1] != ' ')
			*q++ = ' ';
	}
	*q = 0;
	return r;
}

/* re.sub(r"::h[0-9a-fA-F]+$", "") ($ also before a final newline) */
static const char *fix_rust_hash(sig__mem *m, const char *s)
{
	size_t n = strlen(s), end = n;
	if (end && s[end - 1] == '\n')
		end--;
	for (int pass = 0; pass < 2; pass++) {
		size_t i = end;
		while (i > 0 && strchr("0123456789abcdefABCDEF", s[i - 1]) && s[i - 1])
			i--;
		if (i < end && i >= 3 && !memcmp(s + i - 3, "::h", 3)) {
			/* The leftmost "::h" whose hex run reaches the end. */
			out o = { .m = m };
			out_put(&o, s, i - 3);
			out_put(&o, s + end, n - end);
			return out_done(&o);
		}
		if (end == n)
			break;
		end = n;
	}
	return s;
}

static const char *add_line(sig__norm *nm, const char *f, const char *line)
{
	size_t which;
	nm->line_number_line = -1;
	if (sig__list_match(nm->lists, SIG_LIST_LINE_NUMBERS, nm->md, f, strlen(f), &which)) {
		nm->line_number_line = (int)which;
		out o = { .m = nm->mem };
		out_put(&o, f, strlen(f));
		out_put(&o, ":", 1);
		out_put(&o, line, strlen(line));
		return out_done(&o);
	}
	return f;
}

#define CHECK(x) \
	do { \
		if (!(x)) \
			return NULL; \
	} while (0)

const char *sig__normalize_function(sig__norm *nm, const char *f, int rust, const char *line)
{
	sig__mem *m = nm->mem;
	if (rust) {
		CHECK(f = drop_prefix_and_return_type(m, f));
		CHECK(f = replace_enclosed(m, f, '<', '>', R_RUST_TYPES));
		CHECK(f = replace_enclosed(m, f, '(', ')', R_RUST_ARGS));
		CHECK(f = add_line(nm, f, line));
		CHECK(f = fix_spaces_commas(m, f));
		return fix_rust_hash(m, f);
	}
	static const char *const refs[] = { "const", "const&", "const &", "&&", "&" };
	for (size_t i = 0; i < 5; i++) {
		size_t n = strlen(f);
		if (ends_with(f, n, refs[i])) {
			size_t a, b;
			sig__pystrip(f, n - strlen(refs[i]), &a, &b);
			CHECK(f = sig__strndup(m, f + a, b - a));
		}
	}
	if (!strstr(f, "::operator"))
		CHECK(f = drop_prefix_and_return_type(m, f));
	if (strstr(f, "`anonymous namespace'"))
		CHECK(f = replace_all(m, f, "`anonymous namespace'", "(anonymous namespace)"));
	CHECK(f = fix_lambda_numbers(m, f));
	CHECK(f = replace_enclosed(m, f, '<', '>', R_TYPES));
	CHECK(f = replace_enclosed(m, f, '(', ')', R_ARGS));
	if (strstr(f, "clone .cold"))
		CHECK(f = replace_enclosed(m, f, '[', ']', R_DROP));
	CHECK(f = add_line(nm, f, line));
	return fix_spaces_commas(m, f);
}

const char *sig__parse_source_file(const char *s, size_t *len)
{
	if (!s || !*s)
		return NULL;
	size_t colons = 0;
	const char *c1 = NULL, *c2 = NULL, *c3 = NULL;
	for (const char *p = s; *p; p++)
		if (*p == ':') {
			colons++;
			if (colons == 1)
				c1 = p;
			else if (colons == 2)
				c2 = p;
			else if (colons == 3)
				c3 = p;
		}
	if (colons == 3) {
		*len = (size_t)(c3 - c2 - 1);
		return c2 + 1;
	}
	if (colons == 1) {
		*len = strlen(c1 + 1);
		return c1 + 1;
	}
	if (*s == '/') {
		*len = strlen(s);
		return s;
	}
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

const char *sig__strip_leading_zeros(const char *text, sig__mem *m)
{
	size_t a, b, n = strlen(text);
	sig__pystrip(text, n, &a, &b);
	const char *p = text + a, *e = text + b;
	int neg = 0;
	if (p < e && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (e - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		if (p < e && *p == '_')
			p++; /* int("0x_1f", 16) is allowed */
	}
	if (p >= e)
		return NULL;
	out o = { .m = m };
	out_put(&o, neg ? "-0x" : "0x", neg ? 3 : 2);
	int started = 0;
	for (const char *q = p; q < e; q++) {
		if (*q == '_') {
			if (q == p || q + 1 >= e || q[1] == '_')
				return NULL;
			continue;
		}
		int v = hexval(*q);
		if (v < 0)
			return NULL;
		if (!v && !started)
			continue;
		started = 1;
		char c = "0123456789abcdef"[v];
		out_put(&o, &c, 1);
	}
	if (!started) {
		/* hex(0) and hex(-0) are both "0x0". */
		o.n = 0;
		out_put(&o, "0x0", 3);
	}
	return out_done(&o);
}

const char *sig__normalize_frame(sig__norm *nm, const sj *function, const sj *file,
				 const sj *line, const sj *module, const sj *offset,
				 const sj *unloaded, const char **err)
{
	sig__mem *m = nm->mem;
	nm->line_number_line = -1;
	*err = NULL;
	/* Python's AttributeError for the first method called on a value of
	 * the wrong type. */
#define TYPE_ERR(v, method) \
	do { \
		snprintf(nm->err, sizeof nm->err, "'%s' object has no attribute '%s'", \
			 sj_typename(v), method); \
		*err = nm->err; \
		return NULL; \
	} while (0)
	if (sj_truthy(function)) {
		int rust = 0;
		if (sj_truthy(file)) {
			if (file->type != SJ_STR)
				TYPE_ERR(file, "split");
			size_t n;
			const char *src = sig__parse_source_file(file->s, &n);
			rust = src && n >= 3 && !memcmp(src + n - 3, ".rs", 3);
		}
		if (function->type != SJ_STR)
			TYPE_ERR(function, rust ? "__iter__" : "endswith");
		return sig__normalize_function(nm, function->s, rust, sj_pystr(line, m));
	}
	if (sj_truthy(file) && sj_truthy(line)) {
		if (file->type != SJ_STR)
			TYPE_ERR(file, "rstrip");
		size_t n = file->n;
		while (n && (file->s[n - 1] == '/' || file->s[n - 1] == '\\'))
			n--;
		const char *base = file->s;
		int back = memchr(file->s, '\\', n) != NULL;
		for (size_t i = 0; i < n; i++)
			if (file->s[i] == (back ? '\\' : '/'))
				base = file->s + i + 1;
		out o = { .m = m };
		out_put(&o, base, n - (size_t)(base - file->s));
		out_put(&o, "#", 1);
		const char *l = sj_pystr(line, m);
		out_put(&o, l, strlen(l));
		return out_done(&o);
	}
	if (sj_truthy(module)) {
		if (module->type != SJ_STR)
			TYPE_ERR(module, "strip");
		const char *p = module->s, *e = p + module->n;
		while (p < e && (*p == '[' || *p == ']'))
			p++;
		while (e > p && (e[-1] == '[' || e[-1] == ']'))
			e--;
		return sig__strndup(m, p, (size_t)(e - p));
	}
	if (sj_truthy(unloaded)) {
		const sj *first = unloaded->type == SJ_ARR ? &unloaded->kids[0] : NULL;
		if (!first || first->type != SJ_OBJ)
			TYPE_ERR(first ? first : unloaded, first ? "get" : "__getitem__");
		const char *name = sj_pystr(sj_get(first, "module"), m);
		out o = { .m = m };
		out_put(&o, "(unloaded ", 10);
		out_put(&o, name, strlen(name));
		out_put(&o, ")", 1);
		return out_done(&o);
	}
	if (sj_truthy(offset)) {
		const char *t = offset->type == SJ_STR ? sig__strip_leading_zeros(offset->s, m) : NULL;
		if (!t)
			t = sj_pystr(offset, m);
		out o = { .m = m };
		out_put(&o, "@", 1);
		out_put(&o, t, strlen(t));
		return out_done(&o);
	}
	return "";
}
