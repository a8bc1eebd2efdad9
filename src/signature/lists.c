/*
 * lists.c - Socorro's signature lists: read, translated from Python's
 * regex dialect, compiled with PCRE2.
 *
 * Socorro joins each list's lines with "|" into one regex and calls
 * re.match (anchored at the start, not at the end). Here each line is
 * first compiled alone, so a bad one can be reported with its line and
 * left out, then the good ones are joined into one anchored alternation
 * in which every line ends with (*MARK:i): one JIT-compiled match per
 * frame, and the mark names the first line that matched, which is what
 * the explanation shows.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

const char *const sig_list_names[SIG_NLISTS] = {
	"irrelevant_signature_re.txt",
	"prefix_signature_re.txt",
	"signatures_with_line_numbers_re.txt",
	"signature_sentinels.txt",
};

/* Made by src/util/embed.sh from data/siglists/ (build/gen/siglists_builtin.c). */
extern const cd_embed sig__builtins[];
extern const size_t sig__nbuiltins;

/* The built-in lists in sig_list_names' order (the Makefile embeds each
 * by name, so only a broken build misses one). */
static int builtin_lists(const char *text[SIG_NLISTS], size_t len[SIG_NLISTS], cd_err *e)
{
	for (int i = 0; i < SIG_NLISTS; i++) {
		const cd_embed *b;
		if (cd_embed_find(sig__builtins, sig__nbuiltins, sig_list_names[i], &b) != CD_OK)
			return cd_errf(e, CD_ENOTFOUND, "data/siglists/%s is not built in",
				       sig_list_names[i]);
		text[i] = b->text;
		len[i] = b->len;
	}
	return CD_OK;
}

/* Python's re and PCRE2 differ in a few escapes: \Z (end of string) is
 * \z in PCRE2; \uXXXX and \UXXXXXXXX are \x{...}. Everything else a
 * signature list uses is spelt the same. */
static char *translate(const char *s)
{
	size_t n = strlen(s);
	char *o = malloc(n * 2 + 16), *q = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 >= n) {
			*q++ = s[i];
			continue;
		}
		char e = s[i + 1];
		size_t digits = e == 'u' ? 4 : e == 'U' ? 8 : 0;
		if (e == 'Z') {
			q += sprintf(q, "\\z");
			i++;
		} else if (digits && i + 1 + digits < n + 1 &&
			   strspn(s + i + 2, "0123456789abcdefABCDEF") >= digits) {
			q += sprintf(q, "\\x{%.*s}", (int)digits, s + i + 2);
			i += 1 + digits;
		} else {
			*q++ = s[i];
			*q++ = e;
			i++;
		}
	}
	*q = 0;
	return o;
}

static int add_warning(sig_lists *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add_warning(sig_lists *l, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	char **w = realloc(l->warnings, (l->nwarnings + 1) * sizeof *w);
	if (!w)
		return CD_ENOMEM;
	l->warnings = w;
	if (!(w[l->nwarnings] = strdup(buf)))
		return CD_ENOMEM;
	l->nwarnings++;
	return CD_OK;
}

static const uint32_t RE_OPTS = PCRE2_UTF | PCRE2_UCP;

/* Python's str.isspace() for the characters str.strip() removes. */
static size_t pyspace_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f))
		return 1;
	if (end - p >= 2 && c == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2;
	if (end - p >= 3) {
		unsigned cp = (c & 0x0f) << 12 | (p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		if ((c & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
		    (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
		     cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000))
			return 3;
	}
	return 0;
}

void sig__pystrip(const char *s, size_t n, size_t *start, size_t *end)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	size_t k;
	while (p < e && (k = pyspace_len(p, e)))
		p += k;
	/* Backwards: find the last character start and test it. */
	while (e > p) {
		const unsigned char *c = e - 1;
		while (c > p && (*c & 0xc0) == 0x80)
			c--;
		if (pyspace_len(c, e) == (size_t)(e - c))
			e = c;
		else
			break;
	}
	*start = (size_t)(p - (const unsigned char *)s);
	*end = (size_t)(e - (const unsigned char *)s);
}

static int valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	while (p < e) {
		unsigned c = *p;
		size_t k = c < 0x80 ? 1 : (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3
			 : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
		if (!k || (size_t)(e - p) < k)
			return 0;
		for (size_t i = 1; i < k; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
		    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return 0;
		p += k;
	}
	return 1;
}

static int load_list(sig_lists *l, sig_list_id id, const char *text, size_t len,
		     const char *path, cd_err *e)
{
	sig__list *L = &l->list[id];
	size_t lineno = 0;
	cd_buf joined;
	cd_buf_init(&joined, 0);
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *line = text + pos;
		size_t n = end - pos;
		pos = end + 1;
		lineno++;
		if (!valid_utf8(line, n)) {
			cd_buf_free(&joined);
			return cd_errf(e, CD_EFORMAT, "%s:%zu: not UTF-8", path, lineno);
		}
		if (memchr(line, 0, n)) {
			add_warning(l, "%s:%zu: a NUL byte in the line; skipped", path, lineno);
			continue;
		}
		size_t a, b;
		sig__pystrip(line, n, &a, &b);
		if (a == b || line[a] == '#')
			continue;
		char *s = strndup(line + a, b - a);
		char *t = s ? translate(s) : NULL;
		if (!t) {
			free(s);
			cd_buf_free(&joined);
			return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
		}
		int err;
		PCRE2_SIZE eoff;
		pcre2_code *one = pcre2_compile((PCRE2_SPTR)t, PCRE2_ZERO_TERMINATED, RE_OPTS, &err,
						&eoff, NULL);
		if (!one) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(err, msg, sizeof msg);
			add_warning(l, "%s:%zu: invalid regex \"%.200s\": %s at offset %zu; skipped", path,
				    lineno, s, (const char *)msg, (size_t)eoff);
			free(s);
			free(t);
			continue;
		}
		pcre2_code_free(one);
		char **nl2 = realloc(L->lines, (L->n + 1) * sizeof *nl2);
		int *nn = nl2 ? realloc(L->lineno, (L->n + 1) * sizeof *nn) : NULL;
		if (nl2)
			L->lines = nl2;
		if (nn)
			L->lineno = nn;
		size_t *nlen = nn ? realloc(L->len, (L->n + 1) * sizeof *nlen) : NULL;
		if (nlen)
			L->len = nlen;
		if (!nlen) {
			free(s);
			free(t);
			cd_buf_free(&joined);
			return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
		}
		L->lines[L->n] = s;
		L->len[L->n] = strlen(s);
		L->lineno[L->n] = (int)lineno;
		if (id != SIG_LIST_SENTINELS)
			cd_buf_printf(&joined, "%s(?:%s)(*MARK:%zu)", L->n ? "|" : "", t, L->n);
		L->n++;
		free(t);
	}
	if (id != SIG_LIST_SENTINELS && L->n) {
		if (joined.overflow) {
			cd_buf_free(&joined);
			return cd_errf(e, CD_ENOMEM, "%s: list too large", path);
		}
		int err;
		PCRE2_SIZE eoff;
		L->re = pcre2_compile((PCRE2_SPTR)joined.data, joined.len, RE_OPTS | PCRE2_ANCHORED,
				      &err, &eoff, NULL);
		if (!L->re) {
			/* Lines valid alone that break together (a back reference
			 * to a group of another line, say): Socorro fails too. */
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(err, msg, sizeof msg);
			cd_buf_free(&joined);
			return cd_errf(e, CD_EFORMAT, "%s: the lines joined are no valid regex: %s", path,
				       (const char *)msg);
		}
		pcre2_jit_compile(L->re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
	}
	cd_buf_free(&joined);
	return CD_OK;
}

int sig_lists_load_mem(const char *const texts[SIG_NLISTS], const size_t lens[SIG_NLISTS],
		       const char *dir_label, sig_lists **out, cd_err *e)
{
	*out = NULL;
	sig_lists *l = calloc(1, sizeof *l);
	if (!l || !(l->source = strdup(dir_label ? dir_label : "(built-in)"))) {
		free(l);
		return cd_errf(e, CD_ENOMEM, "out of memory");
	}
	for (int i = 0; i < SIG_NLISTS; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", l->source, sig_list_names[i]);
		int rc = load_list(l, (sig_list_id)i, texts[i], lens[i], path, e);
		if (rc) {
			sig_lists_free(l);
			return rc;
		}
	}
	*out = l;
	return CD_OK;
}

static int read_file(const char *path, char **text, size_t *len, cd_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return cd_errf(e, CD_EIO, "%s: %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	for (;;) {
		if (!b) {
			fclose(f);
			return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
		}
		n += fread(b + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (cap >= (64u << 20)) {
			free(b);
			fclose(f);
			return cd_errf(e, CD_EFORMAT, "%s: larger than 64 MiB", path);
		}
		cap *= 2;
		char *nb = realloc(b, cap);
		if (!nb)
			free(b);
		b = nb;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(b);
		return cd_errf(e, CD_EIO, "%s: read error", path);
	}
	*text = b;
	*len = n;
	return CD_OK;
}

int sig_lists_load(const char *dir, sig_lists **out, cd_err *e)
{
	if (!dir) {
		const char *text[SIG_NLISTS];
		size_t len[SIG_NLISTS];
		int rc = builtin_lists(text, len, e);
		return rc != CD_OK ? rc : sig_lists_load_mem(text, len, NULL, out, e);
	}
	char *texts[SIG_NLISTS] = { 0 };
	size_t lens[SIG_NLISTS] = { 0 };
	int rc = CD_OK;
	for (int i = 0; i < SIG_NLISTS && !rc; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, sig_list_names[i]);
		rc = read_file(path, &texts[i], &lens[i], e);
	}
	if (!rc)
		rc = sig_lists_load_mem((const char *const *)texts, lens, dir, out, e);
	for (int i = 0; i < SIG_NLISTS; i++)
		free(texts[i]);
	return rc;
}

size_t sig_lists_nwarnings(const sig_lists *l) { return l->nwarnings; }
const char *sig_lists_warning(const sig_lists *l, size_t i)
{
	return i < l->nwarnings ? l->warnings[i] : NULL;
}
const char *sig_lists_source(const sig_lists *l) { return l->source; }

void sig_lists_free(sig_lists *l)
{
	if (!l)
		return;
	for (int i = 0; i < SIG_NLISTS; i++) {
		for (size_t k = 0; k < l->list[i].n; k++)
			free(l->list[i].lines[k]);
		free(l->list[i].lines);
		free(l->list[i].lineno);
		free(l->list[i].len);
		pcre2_code_free(l->list[i].re);
	}
	for (size_t i = 0; i < l->nwarnings; i++)
		free(l->warnings[i]);
	free(l->warnings);
	free(l->source);
	free(l);
}

int sig__list_match(const sig_lists *l, sig_list_id id, pcre2_match_data *md,
		    const char *subject, size_t len, size_t *which)
{
	const sig__list *L = &l->list[id];
	if (!L->re)
		return 0;
	int rc = pcre2_match(L->re, (PCRE2_SPTR)subject, len, 0, 0, md, NULL);
	if (rc < 0)
		return 0; /* no match, or a limit hit: as good as no match */
	PCRE2_SPTR mark = pcre2_get_mark(md);
	size_t k = mark ? strtoul((const char *)mark, NULL, 10) : 0;
	*which = k < L->n ? k : 0;
	return 1;
}

int sig_lists_write_builtin(const char *dir, cd_err *e)
{
	const char *text[SIG_NLISTS];
	size_t len[SIG_NLISTS];
	if (builtin_lists(text, len, e) != CD_OK || cd_mkdir_p(dir, 0700, e) != CD_OK)
		return e->code;
	for (int i = 0; i < SIG_NLISTS; i++) {
		char path[4096], tmp[4200];
		snprintf(path, sizeof path, "%s/%s", dir, sig_list_names[i]);
		snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
		/* A partly written list must never replace a whole one. */
		FILE *f = fopen(tmp, "wb");
		if (!f)
			return cd_errf(e, CD_EIO, "%s: cannot create: %s", tmp, strerror(errno));
		int bad = fwrite(text[i], 1, len[i], f) != len[i];
		bad |= fclose(f) != 0;
		if (bad || rename(tmp, path) != 0) {
			unlink(tmp);
			return cd_errf(e, CD_EIO, "%s: cannot write", path);
		}
	}
	return CD_OK;
}
