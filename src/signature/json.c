/*
 * json.c - the JSON reader of the signature engine: one pass into a bump
 * allocator that is reset between inputs, strings validated as UTF-8 and
 * copied NUL-terminated. Errors are worded as Python's json module words
 * them, because Socorro's shutdown-timeout rule puts them in its notes.
 * Also Python's view of values (truthiness, str(), type names).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- memory ----------------------------------------------------------- */
struct sig__chunk {
	sig__chunk *next;
	size_t size, used;
	_Alignas(16) char data[];
};

void *sig__alloc(sig__mem *m, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (m->limit && n > m->limit - m->used)
		return NULL;
	sig__chunk *c = m->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > (1u << 20) ? n : (1u << 20);
		c = malloc(sizeof *c + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		/* Keep the first (reused) chunk at the end of the list. */
		c->next = m->head;
		m->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	m->used += n;
	return p;
}

char *sig__strndup(sig__mem *m, const char *s, size_t n)
{
	char *p = sig__alloc(m, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

void sig__mem_reset(sig__mem *m)
{
	while (m->head && m->head->next) {
		sig__chunk *c = m->head;
		m->head = c->next;
		free(c);
	}
	if (m->head)
		m->head->used = 0;
	m->used = 0;
}

void sig__mem_free(sig__mem *m)
{
	while (m->head) {
		sig__chunk *c = m->head;
		m->head = c->next;
		free(c);
	}
	m->used = 0;
}

/* ---- parser ----------------------------------------------------------- */
typedef struct cur {
	const char *p, *end, *start;
	sj_parser *ps;
	sig__mem *m;
	size_t depth;
} cur;

static int fail(cur *c, const char *msg, const char *at)
{
	c->ps->emsg = msg;
	c->ps->epos = (size_t)(at - c->start);
	return -1;
}

static void ws(cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int push(cur *c, sj v)
{
	sj_parser *ps = c->ps;
	if (ps->nstack == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 256;
		sj *n = realloc(ps->stack, cap * sizeof *n);
		if (!n)
			return fail(c, "out of memory", c->p);
		ps->stack = n;
		ps->cap = cap;
	}
	ps->stack[ps->nstack++] = v;
	return 0;
}

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	unsigned cp = c & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char ch = p[i];
		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v |= (unsigned)(ch - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* c->p is after the opening quote. */
static int string(cur *c, sj *out)
{
	const char *q = c->p - 1, *p = c->p;
	int esc = 0;
	while (p < c->end) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '"')
			break;
		if (ch == '\\') {
			esc = 1;
			if (p + 1 >= c->end)
				return fail(c, "Unterminated string starting at", q);
			p += 2;
			continue;
		}
		if (ch < 0x20)
			return fail(c, "Invalid control character at", p);
		if (ch >= 0x80) {
			size_t n = utf8_len((const unsigned char *)p, (const unsigned char *)c->end);
			if (!n)
				return fail(c, "invalid UTF-8", p);
			p += n;
			continue;
		}
		p++;
	}
	if (p >= c->end)
		return fail(c, "Unterminated string starting at", q);
	size_t raw = (size_t)(p - c->p);
	char *s = sig__alloc(c->m, raw + 1);
	if (!s)
		return fail(c, "input too large", c->p);
	size_t n = 0;
	if (!esc) {
		memcpy(s, c->p, raw);
		n = raw;
	} else {
		for (const char *r = c->p; r < p;) {
			if (*r != '\\') {
				s[n++] = *r++;
				continue;
			}
			char e = r[1];
			r += 2;
			switch (e) {
			case '"': s[n++] = '"'; break;
			case '\\': s[n++] = '\\'; break;
			case '/': s[n++] = '/'; break;
			case 'b': s[n++] = '\b'; break;
			case 'f': s[n++] = '\f'; break;
			case 'n': s[n++] = '\n'; break;
			case 'r': s[n++] = '\r'; break;
			case 't': s[n++] = '\t'; break;
			case 'u': {
				unsigned cp, lo;
				if (p - r < 4 || hex4(r, &cp))
					return fail(c, "Invalid \\uXXXX escape", r - 1);
				r += 4;
				if (cp >= 0xd800 && cp <= 0xdbff && p - r >= 6 && r[0] == '\\' &&
				    r[1] == 'u' && !hex4(r + 2, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					r += 6;
				} else if (cp >= 0xd800 && cp <= 0xdfff) {
					/* A lone surrogate has no UTF-8 form: U+FFFD. */
					cp = 0xfffd;
				}
				if (!cp && !c->ps->nuls++)
					c->ps->first_nul = (size_t)(r - 6 - c->start);
				/* \u escapes expand to at most 4 bytes from 6 or 12. */
				n += put_utf8(s + n, cp);
				break;
			}
			default:
				return fail(c, "Invalid \\escape", r - 2);
			}
		}
	}
	s[n] = 0;
	out->type = SJ_STR;
	out->n = (uint32_t)n;
	out->s = s;
	out->kids = NULL;
	c->p = p + 1;
	return 0;
}

static int number(cur *c, sj *out)
{
	const char *p = c->p, *b = p;
	int real = 0;
	if (p < c->end && *p == '-')
		p++;
	if (p >= c->end || *p < '0' || *p > '9')
		return fail(c, "Expecting value", b);
	if (*p == '0')
		p++;
	else
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	if (p < c->end && *p == '.' && p + 1 < c->end && p[1] >= '0' && p[1] <= '9') {
		real = 1;
		p++;
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < c->end && (*p == 'e' || *p == 'E')) {
		const char *e = p + 1;
		if (e < c->end && (*e == '+' || *e == '-'))
			e++;
		if (e < c->end && *e >= '0' && *e <= '9') {
			real = 1;
			p = e;
			while (p < c->end && *p >= '0' && *p <= '9')
				p++;
		}
	}
	char *s = sig__strndup(c->m, b, (size_t)(p - b));
	if (!s)
		return fail(c, "input too large", b);
	out->type = real ? SJ_REAL : SJ_INT;
	out->n = (uint32_t)(p - b);
	out->s = s;
	out->kids = NULL;
	c->p = p;
	return 0;
}

static int value(cur *c, sj *out);

static int close_container(cur *c, size_t base, sj *out, uint8_t type, size_t members)
{
	sj_parser *ps = c->ps;
	size_t k = ps->nstack - base;
	sj *kids = NULL;
	if (k) {
		kids = sig__alloc(c->m, k * sizeof *kids);
		if (!kids)
			return fail(c, "input too large", c->p);
		memcpy(kids, ps->stack + base, k * sizeof *kids);
	}
	ps->nstack = base;
	out->type = type;
	out->n = (uint32_t)members;
	out->s = NULL;
	out->kids = kids;
	return 0;
}

static int array(cur *c, sj *out)
{
	size_t base = c->ps->nstack, n = 0;
	ws(c);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		return close_container(c, base, out, SJ_ARR, 0);
	}
	for (;;) {
		sj v;
		if (value(c, &v) || push(c, v))
			return -1;
		n++;
		ws(c);
		if (c->p < c->end && *c->p == ']') {
			c->p++;
			return close_container(c, base, out, SJ_ARR, n);
		}
		if (c->p >= c->end || *c->p != ',')
			return fail(c, "Expecting ',' delimiter", c->p);
		c->p++;
		ws(c);
	}
}

static int object(cur *c, sj *out)
{
	size_t base = c->ps->nstack, n = 0;
	ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return close_container(c, base, out, SJ_OBJ, 0);
	}
	for (;;) {
		sj k, v;
		if (c->p >= c->end || *c->p != '"')
			return fail(c, "Expecting property name enclosed in double quotes", c->p);
		c->p++;
		if (string(c, &k) || push(c, k))
			return -1;
		ws(c);
		if (c->p >= c->end || *c->p != ':')
			return fail(c, "Expecting ':' delimiter", c->p);
		c->p++;
		ws(c);
		if (value(c, &v) || push(c, v))
			return -1;
		n++;
		ws(c);
		if (c->p < c->end && *c->p == '}') {
			c->p++;
			return close_container(c, base, out, SJ_OBJ, n);
		}
		if (c->p >= c->end || *c->p != ',')
			return fail(c, "Expecting ',' delimiter", c->p);
		c->p++;
		ws(c);
	}
}

static int word(cur *c, const char *w, size_t n, uint8_t type, sj *out)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n))
		return fail(c, "Expecting value", c->p);
	c->p += n;
	memset(out, 0, sizeof *out);
	out->type = type;
	return 0;
}

static int value(cur *c, sj *out)
{
	if (c->p >= c->end)
		return fail(c, "Expecting value", c->p);
	switch (*c->p) {
	case '"':
		c->p++;
		return string(c, out);
	case '{':
	case '[': {
		if (++c->depth > c->ps->max_depth)
			return fail(c, "nesting too deep", c->p);
		int open = *c->p++;
		int rc = open == '{' ? object(c, out) : array(c, out);
		c->depth--;
		return rc;
	}
	case 't': return word(c, "true", 4, SJ_TRUE, out);
	case 'f': return word(c, "false", 5, SJ_FALSE, out);
	case 'n': return word(c, "null", 4, SJ_NULL, out);
	default: return number(c, out);
	}
}

sj *sj_parse(sj_parser *p, sig__mem *m, const char *text, size_t len)
{
	cur c = { text, text + len, text, p, m, 0 };
	p->emsg = NULL;
	p->nstack = 0;
	p->nuls = p->first_nul = 0;
	if (!p->max_depth)
		p->max_depth = 512;
	sj *v = sig__alloc(m, sizeof *v);
	if (!v) {
		fail(&c, "input too large", text);
		return NULL;
	}
	ws(&c);
	if (value(&c, v))
		return NULL;
	ws(&c);
	if (c.p != c.end) {
		fail(&c, "Extra data", c.p);
		return NULL;
	}
	return v;
}

void sj_parser_free(sj_parser *p)
{
	free(p->stack);
	p->stack = NULL;
	p->nstack = p->cap = 0;
}

void sj_python_pos(const char *text, size_t len, size_t pos, char *buf, size_t size)
{
	size_t chars = 0, line = 1, col_start = 0;
	if (pos > len)
		pos = len;
	for (size_t i = 0; i < pos; i++) {
		unsigned char ch = (unsigned char)text[i];
		if ((ch & 0xc0) == 0x80)
			continue;
		if (ch == '\n') {
			line++;
			col_start = chars + 1;
		}
		chars++;
	}
	snprintf(buf, size, "line %zu column %zu (char %zu)", line, chars - col_start + 1, chars);
}

/* ---- Python's view ---------------------------------------------------- */
const sj *sj_get(const sj *o, const char *key)
{
	if (!o || o->type != SJ_OBJ)
		return NULL;
	/* The last of duplicate keys wins, as in a Python dict. */
	size_t n = strlen(key);
	for (size_t i = o->n; i-- > 0;)
		if (o->kids[2 * i].n == n && !memcmp(o->kids[2 * i].s, key, n))
			return &o->kids[2 * i + 1];
	return NULL;
}

static int all_zero_number(const char *s)
{
	for (; *s; s++) {
		if (*s == 'e' || *s == 'E')
			return 1;
		if (*s >= '1' && *s <= '9')
			return 0;
	}
	return 1;
}

int sj_truthy(const sj *v)
{
	if (!v)
		return 0;
	switch (v->type) {
	case SJ_NULL:
	case SJ_FALSE: return 0;
	case SJ_TRUE: return 1;
	case SJ_INT:
	case SJ_REAL: return !all_zero_number(v->s);
	default: return v->n != 0;
	}
}

const char *sj_typename(const sj *v)
{
	if (!v)
		return "NoneType";
	static const char *const names[] = { "NoneType", "bool", "bool", "int",
					     "float", "str", "list", "dict" };
	return names[v->type];
}

static void repr(const sj *v, cd_buf *b, int top);

static void repr_str(const char *s, cd_buf *b)
{
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
	cd_buf_append(b, &q, 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '\\' || ch == (unsigned char)q)
			cd_buf_printf(b, "\\%c", ch);
		else if (ch == '\n')
			cd_buf_puts(b, "\\n");
		else if (ch == '\t')
			cd_buf_puts(b, "\\t");
		else if (ch == '\r')
			cd_buf_puts(b, "\\r");
		else if (ch < 0x20 || ch == 0x7f)
			cd_buf_printf(b, "\\x%02x", ch);
		else
			cd_buf_append(b, s, 1);
	}
	cd_buf_append(b, &q, 1);
}

static void pyfloat(const char *text, cd_buf *b)
{
	double d = strtod(text, NULL);
	char tmp[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* Python: 1e+16 and up in exponent form, else positional with ".0". */
	if (strchr(tmp, 'e')) {
		char *e = strchr(tmp, 'e');
		int ex = atoi(e + 1);
		if (ex >= -5 && ex < 16) {
			snprintf(tmp, sizeof tmp, "%.17g", d);
			for (int prec = 1; prec <= 17; prec++) {
				snprintf(tmp, sizeof tmp, "%.*f", prec, d);
				if (strtod(tmp, NULL) == d)
					break;
			}
		} else {
			/* Python writes e+16, C e+16: the same; but e-05 is e-05 in both. */
		}
	}
	if (!strpbrk(tmp, ".eninf"))
		strcat(tmp, ".0");
	if (!strcmp(tmp, "inf"))
		strcpy(tmp, "inf");
	cd_buf_puts(b, tmp);
}

static void pyint(const char *text, cd_buf *b)
{
	/* Python prints a JSON integer canonically; only "-0" differs. */
	if (!strcmp(text, "-0"))
		text = "0";
	cd_buf_puts(b, text);
}

static void repr(const sj *v, cd_buf *b, int top)
{
	if (!v) {
		cd_buf_puts(b, "None");
		return;
	}
	switch (v->type) {
	case SJ_NULL: cd_buf_puts(b, "None"); break;
	case SJ_FALSE: cd_buf_puts(b, "False"); break;
	case SJ_TRUE: cd_buf_puts(b, "True"); break;
	case SJ_INT: pyint(v->s, b); break;
	case SJ_REAL: pyfloat(v->s, b); break;
	case SJ_STR:
		if (top)
			cd_buf_append(b, v->s, v->n);
		else
			repr_str(v->s, b);
		break;
	case SJ_ARR:
		cd_buf_puts(b, "[");
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				cd_buf_puts(b, ", ");
			repr(&v->kids[i], b, 0);
		}
		cd_buf_puts(b, "]");
		break;
	case SJ_OBJ:
		cd_buf_puts(b, "{");
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				cd_buf_puts(b, ", ");
			repr(&v->kids[2 * i], b, 0);
			cd_buf_puts(b, ": ");
			repr(&v->kids[2 * i + 1], b, 0);
		}
		cd_buf_puts(b, "}");
		break;
	}
}

const char *sj_pystr(const sj *v, sig__mem *m)
{
	if (v && v->type == SJ_STR)
		return v->s;
	cd_buf b;
	cd_buf_init(&b, 1u << 24);
	repr(v, &b, 1);
	const char *r = sig__strndup(m, b.data ? b.data : "", b.len);
	cd_buf_free(&b);
	return r ? r : "";
}
