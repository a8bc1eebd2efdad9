/*
 * rules.c - Socorro's signature pipeline (generator.py's DEFAULT_RULESET),
 * rule by rule, with Socorro's notes and debug log, and the explanation
 * of every frame.
 *
 * Socorro's rules are Python and sometimes fail on odd input (a thread
 * that is not an object, a number where a string goes); the generator
 * then notes "Rule failed: <exception>" and goes on with the next rule.
 * The rules here check the same types and say the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { EXPLAIN_MAX_FRAMES = 1000 };

typedef struct strv {
	const char **v;
	size_t n, cap;
} strv;

struct sig_signer {
	const sig_lists *lists;
	sig__mem mem;
	sj_parser parser;
	pcre2_match_data *md;
	sig__norm norm;
	strv notes, debug;
	sig_frame *frames;
	size_t nframes, capframes;
	size_t *fpos; /* per frame: offset in the stack signature, or SIZE_MAX */
	sig_result res;
	/* The current run. */
	const char *sig;
	const char *cstack_sig; /* what the stack tool made, for marking cut frames */
	int oom;
};

/* The annotation fields the rules read, from whichever input kind. */
typedef struct cdata {
	const sj *hang, *oom_allocation_size, *js_large_allocation_failure, *abort_message,
		*mdsw_status_string, *async_shutdown_timeout, *ipc_channel_error, *ipc_message_name,
		*additional_minidumps, *crashing_thread, *reason, *threads, *os, *java_exception,
		*java_stack_trace;
	int has_hang;
} cdata;

/* ---- small helpers ---------------------------------------------------- */
static const char *fmt(sig_signer *s, const char *f, ...) __attribute__((format(printf, 2, 3)));
static const char *fmt(sig_signer *s, const char *f, ...)
{
	va_list ap, ap2;
	va_start(ap, f);
	va_copy(ap2, ap);
	char small[256];
	int n = vsnprintf(small, sizeof small, f, ap);
	va_end(ap);
	char *p = n >= 0 ? sig__alloc(&s->mem, (size_t)n + 1) : NULL;
	if (!p) {
		s->oom = 1;
		va_end(ap2);
		return "";
	}
	if ((size_t)n < sizeof small)
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, f, ap2);
	va_end(ap2);
	return p;
}

static void strv_push(sig_signer *s, strv *v, const char *str)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		const char **n = realloc(v->v, cap * sizeof *n);
		if (!n) {
			s->oom = 1;
			return;
		}
		v->v = n;
		v->cap = cap;
	}
	v->v[v->n++] = str;
}

static void info(sig_signer *s, const char *rule, const char *msg)
{
	strv_push(s, &s->notes, fmt(s, "%s: %s", rule, msg));
}

static void debug(sig_signer *s, const char *rule, const char *msg)
{
	strv_push(s, &s->debug, fmt(s, "%s: %s", rule, msg));
}

static void set_signature(sig_signer *s, const char *rule, const char *sig)
{
	debug(s, rule, fmt(s, "change signature: \"%s\" -> \"%s\"", s->sig, sig));
	s->sig = sig;
	s->res.rule = rule;
}

static int is_str(const sj *v) { return v && v->type == SJ_STR; }

/* Python's `needle in container` for a str needle: 1, 0, or -1 with the
 * TypeError's text in *err. */
static int py_in(sig_signer *s, const char *needle, const sj *c, const char **err)
{
	if (!c || c->type == SJ_NULL || c->type == SJ_TRUE || c->type == SJ_FALSE ||
	    c->type == SJ_INT || c->type == SJ_REAL) {
		*err = fmt(s, "argument of type '%s' is not iterable", sj_typename(c));
		return -1;
	}
	if (c->type == SJ_STR)
		return strstr(c->s, needle) != NULL;
	size_t step = c->type == SJ_OBJ ? 2 : 1;
	for (size_t i = 0; i < c->n; i++) {
		const sj *x = &c->kids[i * step];
		if (x->type == SJ_STR && !strcmp(x->s, needle))
			return 1;
	}
	return 0;
}

/* Code points of UTF-8 text. */
static size_t u8len(const char *p)
{
	size_t n = 0;
	for (; *p; p++)
		n += ((unsigned char)*p & 0xc0) != 0x80;
	return n;
}

/* The first k code points of p. */
static const char *u8prefix(sig_signer *s, const char *p, size_t k)
{
	const char *q = p;
	for (size_t n = 0; *q; q++) {
		if (((unsigned char)*q & 0xc0) != 0x80 && n++ == k)
			break;
	}
	char *r = sig__strndup(&s->mem, p, (size_t)(q - p));
	if (!r)
		s->oom = 1;
	return r ? r : "";
}

/* Python's int() of a JSON value: 1 and *out, 0 for a ValueError (*err),
 * -1 for a TypeError. Values beyond 64 bits saturate. */
static int py_int(sig_signer *s, const sj *v, long long *out, const char **err)
{
	if (!v || v->type == SJ_NULL || v->type == SJ_ARR || v->type == SJ_OBJ)
		return -1;
	if (v->type == SJ_TRUE || v->type == SJ_FALSE) {
		*out = v->type == SJ_TRUE;
		return 1;
	}
	if (v->type == SJ_INT || v->type == SJ_REAL) {
		double d = strtod(v->s, NULL);
		if (v->type == SJ_REAL && (d != d || d > 1e308 || d < -1e308)) {
			*err = "cannot convert float infinity to integer";
			return 0;
		}
		*out = d >= 9.2e18 ? (long long)9.2e18 : d <= -9.2e18 ? -(long long)9.2e18
			: v->type == SJ_INT ? strtoll(v->s, NULL, 10) : (long long)d;
		return 1;
	}
	size_t a, b;
	sig__pystrip(v->s, v->n, &a, &b);
	const char *p = v->s + a, *e = v->s + b;
	int neg = 0, digits = 0, under_ok = 0;
	long long val = 0;
	if (p < e && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	for (; p < e; p++) {
		if (*p == '_' && under_ok) {
			under_ok = 0;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		digits++;
		under_ok = 1;
		if (val < (long long)9e17)
			val = val * 10 + (*p - '0');
	}
	if (p != e || !digits || !under_ok) {
		*err = fmt(s, "invalid literal for int() with base 10: '%s'", v->s);
		return 0;
	}
	*out = neg ? -val : val;
	return 1;
}

/* ---- frames ----------------------------------------------------------- */
static sig_frame *new_frame(sig_signer *s)
{
	if (s->nframes == s->capframes) {
		size_t cap = s->capframes ? s->capframes * 2 : 64;
		sig_frame *n = realloc(s->frames, cap * sizeof *n);
		size_t *p = n ? realloc(s->fpos, cap * sizeof *p) : NULL;
		if (n)
			s->frames = n;
		if (!p) {
			s->oom = 1;
			return NULL;
		}
		s->fpos = p;
		s->capframes = cap;
	}
	sig_frame *f = &s->frames[s->nframes];
	memset(f, 0, sizeof *f);
	f->match.list = SIG_LIST_NONE;
	f->line_number.list = SIG_LIST_NONE;
	s->fpos[s->nframes] = SIZE_MAX;
	s->nframes++;
	return f;
}

static sig_match list_match(const sig_lists *l, sig_list_id id, size_t which)
{
	sig_match m = { id, l->list[id].lineno[which], l->list[id].lines[which] };
	return m;
}

/* rules.py's fix_missing_module(): Rust 1.34 panic symbols lack their path. */
static const char *fix_missing_module(const char *file, const char *function)
{
	static const char *const fixes[][3] = {
		{ "src/liballoc/raw_vec.rs", "capacity_overflow", "alloc::raw_vec::capacity_overflow" },
		{ "src/libcore/option.rs", "expect_failed", "core::option::expect_failed" },
		{ "src/libcore/panicking.rs", "panic_bounds_check", "core::panicking::panic_bounds_check" },
		{ "src/libcore/panicking.rs", "panic_fmt", "core::panicking::panic_fmt" },
		{ "src/libcore/panicking.rs", "panic", "core::panicking::panic" },
		{ "src/libcore/slice/mod.rs", "slice_index_order_fail", "core::slice::slice_index_order_fail" },
		{ "src/libstd/panicking.rs", "begin_panic_fmt", "std::panicking::begin_panic_fmt" },
		{ "src/libstd/panicking.rs", "continue_panic_fmt", "std::panicking::continue_panic_fmt" },
		{ "src/libstd/panicking.rs", "rust_panic_with_hook", "std::panicking::rust_panic_with_hook" },
	};
	size_t n;
	const char *src = sig__parse_source_file(file, &n);
	if (!src)
		return NULL;
	for (size_t i = 0; i < sizeof fixes / sizeof fixes[0]; i++)
		if (strlen(fixes[i][0]) == n && !memcmp(src, fixes[i][0], n) &&
		    !strcmp(function, fixes[i][1]))
			return fixes[i][2];
	return NULL;
}

/* One generated frame (a frame or one of its inlines), normalized.
 * Returns 0, or -1 with the Python exception's text in *err. */
static int add_frame(sig_signer *s, const sj *fr, const sj *in, int index, int inl, int winlower,
		     sig_fate fate, const char **err)
{
	const sj *src = in ? in : fr;
	const sj *function = sj_get(src, "function"), *file = sj_get(src, "file"),
		 *line = sj_get(src, "line"), *module = sj_get(fr, "module"),
		 *offset = sj_get(fr, "offset");
	const sj *unloaded = in ? NULL : sj_get(fr, "unloaded_modules");
	sj fixed, lowered;
	if (function && (function->type == SJ_ARR || function->type == SJ_OBJ)) {
		if (fate == SIG_FATE_BEYOND)
			function = NULL;
		else {
			*err = fmt(s, "unhashable type: '%s'", sj_typename(function));
			return -1;
		}
	}
	if (sj_truthy(file) && file->type != SJ_STR && fate != SIG_FATE_BEYOND) {
		*err = fmt(s, "'%s' object has no attribute 'split'", sj_typename(file));
		return -1;
	}
	if (is_str(file) && is_str(function)) {
		const char *fx = fix_missing_module(file->s, function->s);
		if (fx) {
			fixed = (sj){ SJ_STR, (uint32_t)strlen(fx), fx, NULL };
			function = &fixed;
		}
	}
	if (winlower && sj_truthy(module)) {
		if (module->type != SJ_STR) {
			if (fate == SIG_FATE_BEYOND)
				module = NULL;
			else {
				*err = fmt(s, "'%s' object has no attribute 'lower'", sj_typename(module));
				return -1;
			}
		} else {
			char *lo = sig__strndup(&s->mem, module->s, module->n);
			if (!lo) {
				s->oom = 1;
				return -1;
			}
			for (char *p = lo; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			lowered = (sj){ SJ_STR, module->n, lo, NULL };
			module = &lowered;
		}
	}
	const char *nerr;
	const char *norm = sig__normalize_frame(&s->norm, function, file, line, module, offset,
						unloaded, &nerr);
	if (!norm) {
		if (fate == SIG_FATE_BEYOND) {
			norm = "";
		} else {
			*err = nerr ? fmt(s, "%s", nerr) : "out of memory";
			if (!nerr)
				s->oom = 1;
			return -1;
		}
	}
	sig_frame *f = new_frame(s);
	if (!f)
		return -1;
	f->frame = index;
	f->inline_index = inl;
	f->function = is_str(function) ? function->s : NULL;
	f->module = is_str(module) ? module->s : NULL;
	f->normalized = norm;
	f->fate = fate;
	if (s->norm.line_number_line >= 0)
		f->line_number = list_match(s->lists, SIG_LIST_LINE_NUMBERS,
					    (size_t)s->norm.line_number_line);
	return 0;
}

/* create_frame_list(): the first SIG_MAX_FRAMES frames (inlines first,
 * then the frame), normalized; the rest listed as beyond. */
static int frame_list(sig_signer *s, const sj *thread, int winlower, const char **err)
{
	if (!thread || thread->type != SJ_OBJ) {
		*err = fmt(s, "'%s' object has no attribute 'get'", sj_typename(thread));
		return -1;
	}
	const sj *frames = sj_get(thread, "frames");
	if (!frames)
		return 0;
	if (frames->type != SJ_ARR && frames->type != SJ_OBJ && frames->type != SJ_STR) {
		*err = fmt(s, "'%s' object is not iterable", sj_typename(frames));
		return -1;
	}
	if (frames->type != SJ_ARR) {
		if (!frames->n)
			return 0;
		*err = "'str' object has no attribute 'get'";
		return -1;
	}
	size_t generated = 0;
	for (size_t i = 0; i < frames->n; i++) {
		const sj *fr = &frames->kids[i];
		int beyond = generated >= SIG_MAX_FRAMES;
		if (fr->type != SJ_OBJ) {
			if (beyond)
				break;
			*err = fmt(s, "'%s' object has no attribute 'get'", sj_typename(fr));
			return -1;
		}
		const sj *inl = sj_get(fr, "inlines");
		size_t ninl = 0;
		if (sj_truthy(inl)) {
			if (inl->type != SJ_ARR) {
				if (beyond)
					break;
				*err = fmt(s, "'%s' object has no attribute 'get'", "str");
				return -1;
			}
			ninl = inl->n;
		}
		for (size_t k = 0; k <= ninl; k++) {
			const sj *in = k < ninl ? &inl->kids[k] : NULL;
			beyond = generated >= SIG_MAX_FRAMES;
			if (beyond && s->nframes >= EXPLAIN_MAX_FRAMES) {
				s->res.frames_omitted++;
				continue;
			}
			if (in && in->type != SJ_OBJ) {
				if (beyond)
					continue;
				*err = fmt(s, "'%s' object has no attribute 'get'", sj_typename(in));
				return -1;
			}
			if (add_frame(s, fr, in, (int)i, in ? (int)k : -1, winlower,
				      beyond ? SIG_FATE_BEYOND : SIG_FATE_NOT_REACHED, err))
				return -1;
			generated++;
		}
	}
	return 0;
}

static const char *stack_fallback_note(sig_signer *s, long long thread)
{
	return fmt(s, "CSignatureTool: no frame data for crashing thread (%lld)", thread);
}

/* CSignatureTool.generate() over the frames made by frame_list(). */
static const char *c_generate(sig_signer *s, long long thread, const char *rule)
{
	const sig_lists *L = s->lists;
	size_t n = 0;
	while (n < s->nframes && s->frames[n].fate != SIG_FATE_BEYOND)
		n++;
	if (!strcmp(L->source, "(built-in)"))
		debug(s, rule, "using included signature lists");
	else
		debug(s, rule, fmt(s, "using signature lists from %s", L->source));

	size_t start = 0;
	int have_sentinel = 0;
	const sig__list *S = &L->list[SIG_LIST_SENTINELS];
	size_t sentinel_which = 0;
	/* The first frame equal to any sentinel (the earliest index wins,
	 * whatever the sentinel's place in the list). */
	for (size_t i = 0; i < n && !have_sentinel && S->n; i++) {
		const char *a = s->frames[i].normalized;
		size_t alen = strlen(a);
		for (size_t k = 0; k < S->n; k++)
			if (S->len[k] == alen && !memcmp(a, S->lines[k], alen)) {
				start = i;
				sentinel_which = k;
				have_sentinel = 1;
				break;
			}
	}
	if (have_sentinel) {
		debug(s, rule, fmt(s, "sentinel; starting at \"%s\" index %zu",
				   s->frames[start].normalized, start));
		for (size_t i = 0; i < start; i++)
			s->frames[i].fate = SIG_FATE_BEFORE_SENTINEL;
	}

	cd_buf out;
	cd_buf_init(&out, 0);
	const char *last = NULL;
	size_t kept = 0;
	for (size_t i = start; i < n; i++) {
		sig_frame *f = &s->frames[i];
		const char *a = f->normalized;
		size_t alen = strlen(a), which;
		if (!*a) {
			debug(s, rule, "empty string; ignoring: \"\"");
			f->fate = SIG_FATE_EMPTY;
			continue;
		}
		if (sig__list_match(L, SIG_LIST_IRRELEVANT, s->md, a, alen, &which)) {
			debug(s, rule, fmt(s, "irrelevant; ignoring: \"%s\"", a));
			f->fate = SIG_FATE_IRRELEVANT;
			f->match = list_match(L, SIG_LIST_IRRELEVANT, which);
			continue;
		}
		if (strncmp(a, "(unloaded", 9) && last && !strcmp(a, last)) {
			int lib = !strcmp(a, "XUL") || !strcmp(a, "<name omitted>") ||
				  !strncmp(a, "<unknown in", 11);
			if (!lib && alen >= 3) {
				const char *t = a + alen - 4;
				lib = (alen >= 4 && !strcasecmp(t, ".dll")) || !strcasecmp(a + alen - 3, ".so");
			}
			if (lib) {
				f->fate = SIG_FATE_REPEAT;
				continue;
			}
		}
		if (kept++)
			cd_buf_puts(&out, " | ");
		s->fpos[i] = out.len;
		cd_buf_puts(&out, a);
		last = a;
		int prefix = sig__list_match(L, SIG_LIST_PREFIX, s->md, a, alen, &which);
		if (have_sentinel && i == start) {
			f->fate = SIG_FATE_SENTINEL;
			f->prefix = prefix;
			f->match = list_match(L, SIG_LIST_SENTINELS, sentinel_which);
			/* The sentinel list holds strings: its "regex" is the line. */
		} else {
			f->fate = prefix ? SIG_FATE_PREFIX : SIG_FATE_KEPT;
			if (prefix)
				f->match = list_match(L, SIG_LIST_PREFIX, which);
		}
		if (!prefix) {
			debug(s, rule, fmt(s, "not a prefix; stop: \"%s\"", a));
			break;
		}
		f->prefix = 1;
		debug(s, rule, fmt(s, "prefix; continue iterating: \"%s\"", a));
	}
	const char *sig = out.overflow ? NULL : sig__strndup(&s->mem, out.data ? out.data : "", out.len);
	cd_buf_free(&out);
	if (!sig) {
		s->oom = 1;
		return "";
	}
	if (!*sig) {
		info(s, rule, stack_fallback_note(s, thread));
		if (start < n) {
			sig = s->frames[start].normalized;
			s->frames[start].fate = SIG_FATE_FALLBACK;
			s->fpos[start] = 0;
		} else {
			sig = "EMPTY: no frame data available";
		}
	}
	s->cstack_sig = sig;
	return sig;
}

/* ---- Java ------------------------------------------------------------- */
/* Python's str.splitlines() then strip() of each line. */
static size_t java_lines(sig_signer *s, const char *t, const char **lines, size_t max)
{
	size_t n = 0;
	const char *p = t;
	while (*p && n < max) {
		const char *q = p;
		size_t brk = 0;
		for (; *q; q++) {
			unsigned char c = (unsigned char)*q;
			if (c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e)) {
				brk = (c == '\r' && q[1] == '\n') ? 2 : 1;
				break;
			}
			if (c == 0xc2 && (unsigned char)q[1] == 0x85) {
				brk = 2;
				break;
			}
			if (c == 0xe2 && (unsigned char)q[1] == 0x80 &&
			    ((unsigned char)q[2] == 0xa8 || (unsigned char)q[2] == 0xa9)) {
				brk = 3;
				break;
			}
		}
		size_t a, b;
		sig__pystrip(p, (size_t)(q - p), &a, &b);
		lines[n++] = sig__strndup(&s->mem, p + a, b - a);
		if (!lines[n - 1]) {
			s->oom = 1;
			lines[n - 1] = "";
		}
		if (!brk)
			break;
		p = q + brk;
	}
	return n;
}

static const char *java_generate(sig_signer *s, const sj *src, const char *rule)
{
	const char *const delim = ": ";
	const char *lines[2];
	size_t n = is_str(src) ? java_lines(s, src->s, lines, 2) : 0;
	if (!n) {
		info(s, rule, "JavaSignatureTool: stack trace not in expected format");
		return "EMPTY: Java stack trace not in expected format";
	}
	const char *cls, *desc;
	const char *colon = strchr(lines[0], ':');
	if (colon) {
		size_t a, b;
		sig__pystrip(lines[0], (size_t)(colon - lines[0]), &a, &b);
		cls = sig__strndup(&s->mem, lines[0] + a, b - a);
		/* re.sub(r"@[0-9a-f]{8}", "@<addr>") then strip() */
		cd_buf d;
		cd_buf_init(&d, 0);
		for (const char *p = colon + 1; *p;) {
			if (*p == '@' && strspn(p + 1, "0123456789abcdef") >= 8) {
				cd_buf_puts(&d, "@<addr>");
				p += 9;
			} else {
				cd_buf_append(&d, p++, 1);
			}
		}
		const char *dd = d.data ? d.data : "";
		sig__pystrip(dd, d.len, &a, &b);
		desc = sig__strndup(&s->mem, dd + a, b - a);
		cd_buf_free(&d);
		if (!cls || !desc) {
			s->oom = 1;
			return "";
		}
	} else {
		cls = lines[0];
		desc = "";
		info(s, rule, "JavaSignatureTool: stack trace line 1 is not in the expected format");
	}
	const char *method = "";
	if (n < 2) {
		info(s, rule, "JavaSignatureTool: stack trace line 2 is missing");
	} else {
		method = lines[1];
		/* re.sub(r"\.java\:\d+\)$", ".java)") */
		size_t len = strlen(method);
		if (len && method[len - 1] == ')') {
			size_t i = len - 1;
			while (i > 0 && method[i - 1] >= '0' && method[i - 1] <= '9')
				i--;
			if (i < len - 1 && i >= 6 && !memcmp(method + i - 6, ".java:", 6))
				method = fmt(s, "%.*s.java)", (int)(i - 6), method);
		}
		if (!*method)
			info(s, rule, "JavaSignatureTool: stack trace line 2 is empty");
	}
	size_t dl = strlen(desc);
	const char *sig;
	if (dl >= 6 && !strcmp(desc + dl - 6, "<addr>")) {
		const char *parts[3] = { cls, desc, method };
		cd_buf b;
		cd_buf_init(&b, 0);
		int k = 0;
		for (int i = 0; i < 3; i++)
			if (*parts[i])
				cd_buf_printf(&b, "%s%s", k++ ? delim : "", parts[i]);
		sig = fmt(s, "%s", b.data ? b.data : "");
		cd_buf_free(&b);
	} else {
		const char *phrase = *desc && *method ? fmt(s, "%s %s", desc, method)
				     : *desc ? desc : method;
		sig = *cls && *phrase ? fmt(s, "%s%s%s", cls, delim, phrase) : *cls ? cls : phrase;
	}
	if (u8len(sig) > 255) {
		sig = fmt(s, "%s%s%s", cls, delim, method);
		info(s, rule, "JavaSignatureTool: dropped Java exception description due to length");
	}
	return sig;
}

static const char *java_exception_frame(sig_signer *s, const sj *f)
{
	if (!f || f->type != SJ_OBJ)
		return "unknown";
	const sj *m = sj_get(f, "module"), *fn = sj_get(f, "function"), *file = sj_get(f, "filename");
	const char *ms = sj_truthy(m) ? sj_pystr(m, &s->mem) : NULL;
	const char *fs = sj_truthy(fn) ? sj_pystr(fn, &s->mem) : NULL;
	const char *sigf = ms && fs ? fmt(s, "%s.%s", ms, fs) : ms ? ms : fs ? fs : "";
	if (*sigf && sj_truthy(file))
		return fmt(s, "%s(%s)", sigf, sj_pystr(file, &s->mem));
	return *sigf ? sigf : "unknown";
}

static const char *java_exception_generate(sig_signer *s, const sj *src, const char *rule)
{
	const sj *st = NULL;
	if (src && src->type == SJ_OBJ) {
		const sj *values = sj_get(sj_get(src, "exception"), "values");
		if (values && values->type == SJ_ARR && values->n)
			st = sj_get(&values->kids[0], "stacktrace");
	}
	if (!sj_truthy(st) || st->type != SJ_OBJ) {
		info(s, rule, "JavaExceptionSignatureTool: value not in expected format");
		return "EMPTY: Java exception not in expected format";
	}
	const sj *m = sj_get(st, "module"), *t = sj_get(st, "type");
	const char *type = t ? sj_pystr(t, &s->mem) : "Unknown";
	const char *cls = sj_truthy(m) && (!t || sj_truthy(t))
				  ? fmt(s, "%s.%s", sj_pystr(m, &s->mem), type)
				  : type;
	const sj *frames = sj_get(st, "frames");
	if (sj_truthy(frames) && frames->type == SJ_ARR)
		return fmt(s, "%s: at %s", cls, java_exception_frame(s, &frames->kids[0]));
	return cls;
}

/* ---- the rules -------------------------------------------------------- */
static long long crashing_thread(sig_signer *s, const cdata *d)
{
	long long t;
	const char *err;
	if (!d->crashing_thread)
		return 0;
	return py_int(s, d->crashing_thread, &t, &err) == 1 ? t : 0;
}

static const sj *thread_at(const cdata *d, long long t)
{
	const sj *th = d->threads;
	if (!th || th->type != SJ_ARR)
		return NULL;
	if (t < 0)
		t += th->n;
	if (t < 0 || t >= (long long)th->n)
		return NULL;
	return &th->kids[t];
}

/* SignatureGenerationRule.action(); thread0 for the shutdown-hang rerun. */
static void rule_generation(sig_signer *s, const cdata *d, int thread0)
{
	const char *R = "SignatureGenerationRule";
	s->nframes = 0;
	s->res.frames_omitted = 0;
	s->res.thread = -1;
	s->cstack_sig = NULL;
	if (sj_truthy(d->java_stack_trace)) {
		debug(s, R, "using JavaSignatureTool");
		s->res.tool = "java";
		set_signature(s, R, java_generate(s, d->java_stack_trace, R));
		return;
	}
	if (sj_truthy(d->java_exception)) {
		debug(s, R, "using JavaExceptionSignatureTool");
		s->res.tool = "java_exception";
		set_signature(s, R, java_exception_generate(s, d->java_exception, R));
		return;
	}
	debug(s, R, "using CSignatureTool");
	s->res.tool = "c";
	long long t = thread0 ? 0 : crashing_thread(s, d);
	s->res.thread = (int)(t < 0 || t > 1 << 30 ? -1 : t);
	const sj *th = thread_at(d, t);
	if (th) {
		const char *err = "";
		int win = is_str(d->os) && !strcmp(d->os->s, "Windows NT");
		if (frame_list(s, th, win, &err)) {
			info(s, R, fmt(s, "Rule failed: %s", err));
			return;
		}
	}
	const char *sig = c_generate(s, t, R);
	if (*sig)
		set_signature(s, R, sig);
}

static int has_prefix(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

static void rule_stackwalker_error(sig_signer *s, const cdata *d)
{
	if (has_prefix(s->sig, "EMPTY") && sj_truthy(d->mdsw_status_string))
		set_signature(s, "StackwalkerErrorSignatureRule",
			      fmt(s, "%s; %s", s->sig, sj_pystr(d->mdsw_status_string, &s->mem)));
}

static void rule_bad_hardware(sig_signer *s, const cdata *d)
{
	const char *R = "BadHardware", *err;
	if (!sj_truthy(d->reason))
		return;
	int in = py_in(s, "STATUS_DEVICE_DATA_ERROR", d->reason, &err);
	if (in < 0)
		info(s, R, fmt(s, "Rule failed: %s", err));
	else if (in)
		set_signature(s, R, fmt(s, "bad hardware | %s", s->sig));
}

static void rule_oom(sig_signer *s, const cdata *d)
{
	const char *R = "OOMSignature", *err;
	static const char *const frags[] = { "NS_ABORT_OOM", "mozalloc_handle_oom",
					     "CrashAtUnhandlableOOM", "AutoEnterOOMUnsafeRegion",
					     "alloc::oom::oom" };
	int yes = sj_truthy(d->oom_allocation_size);
	if (!yes && !*s->sig)
		return;
	for (size_t i = 0; !yes && i < 5; i++)
		yes = strstr(s->sig, frags[i]) != NULL;
	if (!yes) {
		const sj *th = thread_at(d, crashing_thread(s, d));
		if (sj_truthy(th)) {
			if (th->type != SJ_OBJ) {
				info(s, R, fmt(s, "Rule failed: '%s' object has no attribute 'get'",
					       sj_typename(th)));
				return;
			}
			const sj *lev = sj_get(th, "last_error_value");
			yes = is_str(lev) && (!strcmp(lev->s, "ERROR_COMMITMENT_LIMIT") ||
					      !strcmp(lev->s, "ERROR_NOT_ENOUGH_MEMORY"));
		}
	}
	if (!yes)
		yes = is_str(d->reason) && (!strcmp(d->reason->s, "STATUS_FATAL_MEMORY_EXHAUSTION") ||
					    !strcmp(d->reason->s, "STATUS_NO_MEMORY"));
	int js = is_str(d->js_large_allocation_failure) &&
		 !strcmp(d->js_large_allocation_failure->s, "Reporting");
	if (!yes && !js)
		return;
	if (js) {
		set_signature(s, R, fmt(s, "OOM | large | %s", s->sig));
		return;
	}
	long long size;
	int rc = py_int(s, d->oom_allocation_size, &size, &err);
	if (rc < 0)
		set_signature(s, R, fmt(s, "OOM | unknown | %s", s->sig));
	else if (rc == 0)
		info(s, R, fmt(s, "Rule failed: %s", err));
	else if (size <= 262144)
		set_signature(s, R, "OOM | small");
	else
		set_signature(s, R, fmt(s, "OOM | large | %s", s->sig));
}

static void rule_abort(sig_signer *s, const cdata *d)
{
	const char *R = "AbortSignature";
	if (!sj_truthy(d->abort_message))
		return;
	if (!is_str(d->abort_message)) {
		info(s, R, fmt(s, "Rule failed: argument of type '%s' is not iterable",
			       sj_typename(d->abort_message)));
		return;
	}
	const char *m = d->abort_message->s;
	if (strstr(m, "###!!! ABORT: file ")) {
		set_signature(s, R, fmt(s, "Abort | %s", s->sig));
		return;
	}
	const char *k = strstr(m, "###!!! ABORT:");
	if (k)
		m = k + 13;
	size_t n = strlen(m);
	k = strstr(m, ": file ");
	if (k)
		n = (size_t)(k - m);
	char *msg = sig__strndup(&s->mem, m, n);
	if (!msg) {
		s->oom = 1;
		return;
	}
	if (strstr(msg, "unable to find a usable font")) {
		char *open = strchr(msg, '('), *close = strrchr(msg, ')');
		if (open && close) {
			/* msg[:open] + msg[close+1:], even when close comes first. */
			msg = (char *)fmt(s, "%.*s%s", (int)(open - msg), msg, close + 1);
		}
	}
	/* drop_bad_characters(), strip(), at most 80 characters. */
	char *o = msg;
	for (const char *p = msg; *p; p++)
		if (*p >= 32 && *p < 127)
			*o++ = *p;
	*o = 0;
	size_t a, b;
	sig__pystrip(msg, strlen(msg), &a, &b);
	msg[b] = 0;
	msg += a;
	if (strlen(msg) > 80)
		msg = (char *)fmt(s, "%.77s...", msg);
	set_signature(s, R, fmt(s, "Abort | %s | %s", msg, s->sig));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void rule_shutdown_timeout(sig_signer *s, const cdata *d)
{
	const char *R = "SignatureShutdownTimeout";
	const sj *v = d->async_shutdown_timeout;
	if (!sj_truthy(v))
		return;
	if (!is_str(v)) {
		info(s, R, fmt(s, "Rule failed: the JSON object must be str, bytes or bytearray, not %s",
			       sj_typename(v)));
		return;
	}
	const char *parts[3] = { "AsyncShutdownTimeout", NULL, NULL };
	size_t np = 1;
	/* A parse of its own: the main document's nodes stay valid. */
	sj_parser p = { 0 };
	const sj *doc = sj_parse(&p, &s->mem, v->s, v->n);
	if (!doc) {
		char pos[96];
		sj_python_pos(v->s, v->n, p.epos, pos, sizeof pos);
		parts[np++] = "UNKNOWN";
		info(s, R, fmt(s, "Error parsing AsyncShutdownTimeout: %s: %s", p.emsg, pos));
	} else if (doc->type != SJ_OBJ) {
		sj_parser_free(&p);
		info(s, R, fmt(s, "Rule failed: '%s' object has no attribute 'get'", sj_typename(doc)));
		return;
	} else {
		const sj *phase = sj_get(doc, "phase");
		parts[np++] = is_str(phase) ? phase->s : "(unknown)";
		const sj *c = sj_get(doc, "conditions");
		const char **names = NULL;
		size_t nn = 0;
		const char *fail = NULL;
		if (sj_truthy(c)) {
			if (c->type == SJ_ARR || c->type == SJ_OBJ) {
				size_t step = c->type == SJ_OBJ ? 2 : 1;
				names = sig__alloc(&s->mem, (c->n + 1) * sizeof *names);
				for (size_t i = 0; names && i < c->n && !fail; i++) {
					const sj *x = &c->kids[i * step];
					if (x->type == SJ_OBJ) {
						const sj *name = sj_get(x, "name");
						if (!name)
							fail = "'name'";
						else
							names[nn++] = sj_pystr(name, &s->mem);
					} else {
						names[nn++] = sj_pystr(x, &s->mem);
					}
				}
			} else if (c->type == SJ_STR) {
				names = sig__alloc(&s->mem, (c->n + 1) * sizeof *names);
				for (const char *q = c->s; names && *q;) {
					const char *e = q + 1;
					while (((unsigned char)*e & 0xc0) == 0x80)
						e++;
					names[nn++] = sig__strndup(&s->mem, q, (size_t)(e - q));
					q = e;
				}
			} else {
				sj_parser_free(&p);
				info(s, R, fmt(s, "Rule failed: '%s' object is not iterable", sj_typename(c)));
				return;
			}
		}
		if (fail) {
			parts[np++] = "UNKNOWN";
			info(s, R, fmt(s, "Error parsing AsyncShutdownTimeout: %s", fail));
		} else if (nn && names) {
			qsort(names, nn, sizeof *names, cmp_str);
			cd_buf b;
			cd_buf_init(&b, 0);
			for (size_t i = 0; i < nn; i++)
				cd_buf_printf(&b, "%s%s", i ? "," : "", names[i] ? names[i] : "");
			parts[np++] = fmt(s, "%s", b.data ? b.data : "");
			cd_buf_free(&b);
		} else {
			parts[np++] = "(none)";
		}
	}
	sj_parser_free(&p);
	const char *sig = np == 2 ? fmt(s, "%s | %s", parts[0], parts[1])
				  : fmt(s, "%s | %s | %s", parts[0], parts[1], parts[2]);
	info(s, R, fmt(s, "Signature replaced with a Shutdown Timeout signature, was: \"%s\"", s->sig));
	set_signature(s, R, sig);
}

static void rule_run_watchdog(sig_signer *s, const cdata *d)
{
	if (!strstr(s->sig, "RunWatchdog"))
		return;
	/* Socorro re-signs thread 0: a shutdown hang is thread 0 stuck, not
	 * the thread that was made to crash. */
	rule_generation(s, d, 1);
	set_signature(s, "SignatureRunWatchDog", fmt(s, "shutdownhang | %s", s->sig));
}

static void rule_ipc_channel_error(sig_signer *s, const cdata *d)
{
	const char *R = "SignatureIPCChannelError", *err = "";
	if (!sj_truthy(d->ipc_channel_error))
		return;
	int browser = 0;
	if (sj_truthy(d->additional_minidumps)) {
		browser = py_in(s, "upload_file_minidump_browser", d->additional_minidumps, &err);
		if (browser < 0) {
			info(s, R, fmt(s, "Rule failed: %s", err));
			return;
		}
	}
	const char *e = is_str(d->ipc_channel_error) ? u8prefix(s, d->ipc_channel_error->s, 100)
						     : sj_pystr(d->ipc_channel_error, &s->mem);
	info(s, R, "IPC Channel Error stomped on signature");
	set_signature(s, R, fmt(s, "IPCError-%s | %s", browser ? "browser" : "content", e));
}

static void rule_ipc_message_name(sig_signer *s, const cdata *d)
{
	if (sj_truthy(d->ipc_message_name))
		set_signature(s, "SignatureIPCMessageName",
			      fmt(s, "%s | IPC_Message_Name=%s", s->sig,
				  sj_pystr(d->ipc_message_name, &s->mem)));
}

static void rule_stack_overflow(sig_signer *s, const cdata *d)
{
	if (is_str(d->reason) && !strcmp(d->reason->s, "EXCEPTION_STACK_OVERFLOW"))
		set_signature(s, "StackOverflowSignature", fmt(s, "stackoverflow | %s", s->sig));
}

static void rule_hung_process(sig_signer *s, const cdata *d)
{
	if (d->hang && d->hang->type != SJ_NULL)
		set_signature(s, "HungProcess",
			      fmt(s, "hang: %s | %s", sj_pystr(d->hang, &s->mem), s->sig));
}

static void rule_printable(sig_signer *s)
{
	const char *o = s->sig;
	size_t a, b;
	sig__pystrip(o, strlen(o), &a, &b);
	char *n = sig__alloc(&s->mem, b - a + 1), *q = n;
	if (!n) {
		s->oom = 1;
		return;
	}
	for (size_t i = a; i < b; i++)
		if (o[i] >= 32 && o[i] < 127)
			*q++ = o[i];
	*q = 0;
	if (strcmp(n, o)) {
		set_signature(s, "SigPrintableCharsOnly", n);
		info(s, "SigPrintableCharsOnly", "unprintable characters removed");
	}
}

static int pyws(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

static void rule_whitespace(sig_signer *s)
{
	const char *o = s->sig;
	size_t a, b;
	sig__pystrip(o, strlen(o), &a, &b);
	char *n = sig__alloc(&s->mem, b - a + 1), *q = n;
	if (!n) {
		s->oom = 1;
		return;
	}
	for (size_t i = a; i < b; i++) {
		if (pyws(o[i])) {
			if (i + 1 < b && pyws(o[i + 1]))
				continue; /* a run becomes its last, as one space */
			*q++ = ' ';
		} else {
			*q++ = o[i];
		}
	}
	*q = 0;
	if (strcmp(n, o))
		set_signature(s, "SigFixWhitespace", n);
}

static void rule_truncate(sig_signer *s)
{
	if (u8len(s->sig) <= SIG_MAX_LENGTH)
		return;
	const char *before = s->sig;
	set_signature(s, "SigTruncate", fmt(s, "%s...", u8prefix(s, s->sig, SIG_MAX_LENGTH - 3)));
	info(s, "SigTruncate", "SigTrunc: signature truncated due to length");
	/* Frames of the stack signature that end past the cut. */
	const char *at = s->cstack_sig && *s->cstack_sig ? strstr(before, s->cstack_sig) : NULL;
	if (!at)
		return;
	size_t base = (size_t)(at - before), limit = SIG_MAX_LENGTH - 3;
	for (size_t i = 0; i < s->nframes; i++) {
		sig_frame *f = &s->frames[i];
		if (s->fpos[i] == SIZE_MAX)
			continue;
		if (base + s->fpos[i] + strlen(f->normalized) > limit) {
			if (f->fate == SIG_FATE_PREFIX)
				f->prefix = 1;
			f->fate = SIG_FATE_CUT;
		}
	}
}

/* ---- inputs ----------------------------------------------------------- */
/* utils.py's int_or_none() as a new node. */
static const sj *int_or_none(sig_signer *s, const sj *v)
{
	long long n;
	const char *err;
	if (!v || py_int(s, v, &n, &err) != 1)
		return NULL;
	sj *r = sig__alloc(&s->mem, sizeof *r);
	if (!r)
		return NULL;
	const char *t = fmt(s, "%lld", n);
	*r = (sj){ SJ_INT, (uint32_t)strlen(t), t, NULL };
	return r;
}

/* crashdesk's walk --json: annotations are Firefox's names, as the
 * crash reporter wrote them; additional_minidumps is "browser,content". */
static void from_walk(sig_signer *s, const sj *root, cdata *d)
{
	const sj *ci = sj_get(root, "crash_info"), *a = sj_get(root, "annotations");
	d->crashing_thread = sj_get(ci, "crashing_thread");
	d->reason = sj_get(ci, "type");
	d->threads = sj_get(root, "threads");
	d->os = sj_get(sj_get(root, "system_info"), "os");
	d->mdsw_status_string = sj_get(root, "status");
	d->oom_allocation_size = int_or_none(s, sj_get(a, "OOMAllocationSize"));
	d->js_large_allocation_failure = sj_get(a, "JSLargeAllocationFailure");
	d->abort_message = sj_get(a, "AbortMessage");
	d->async_shutdown_timeout = sj_get(a, "AsyncShutdownTimeout");
	d->ipc_channel_error = sj_get(a, "IPCChannelError");
	d->ipc_message_name = sj_get(a, "IPCMessageName");
	d->java_stack_trace = sj_get(a, "JavaStackTrace");
	d->hang = sj_get(a, "Hang");
	const sj *jx = sj_get(a, "JavaException");
	if (is_str(jx)) {
		sj_parser p = { 0 };
		d->java_exception = sj_parse(&p, &s->mem, jx->s, jx->n);
		sj_parser_free(&p);
	}
	const sj *am = sj_get(a, "additional_minidumps");
	if (is_str(am) && am->n) {
		size_t cnt = 1;
		for (const char *p = am->s; *p; p++)
			cnt += *p == ',';
		sj *arr = sig__alloc(&s->mem, sizeof *arr), *kids = sig__alloc(&s->mem, cnt * sizeof *kids);
		if (!arr || !kids)
			return;
		size_t k = 0;
		for (const char *p = am->s;;) {
			const char *e = strchr(p, ',');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			const char *name = fmt(s, "upload_file_minidump_%.*s", (int)n, p);
			kids[k++] = (sj){ SJ_STR, (uint32_t)strlen(name), name, NULL };
			if (!e)
				break;
			p = e + 1;
		}
		*arr = (sj){ SJ_ARR, (uint32_t)k, NULL, kids };
		d->additional_minidumps = arr;
	}
}

/* utils.py's convert_to_crash_data() of a Socorro processed crash. */
static void from_processed(sig_signer *s, const sj *root, cdata *d)
{
	d->hang = sj_get(root, "hang");
	d->oom_allocation_size = int_or_none(s, sj_get(root, "oom_allocation_size"));
	d->js_large_allocation_failure = sj_get(root, "js_large_allocation_failure");
	d->abort_message = sj_get(root, "abort_message");
	d->mdsw_status_string = sj_get(root, "mdsw_status_string");
	d->async_shutdown_timeout = sj_get(root, "async_shutdown_timeout");
	d->ipc_channel_error = sj_get(root, "ipc_channel_error");
	d->ipc_message_name = sj_get(root, "ipc_message_name");
	d->additional_minidumps = sj_get(root, "additional_minidumps");
	const sj *jd = sj_get(root, "json_dump");
	d->crashing_thread = sj_get(sj_get(jd, "crash_info"), "crashing_thread");
	d->reason = sj_get(sj_get(jd, "crash_info"), "type");
	d->threads = sj_get(jd, "threads");
	d->os = sj_get(sj_get(jd, "system_info"), "os");
	d->java_exception = sj_get(root, "java_exception");
	d->java_stack_trace = sj_get(root, "java_stack_trace");
}

static void from_crash_data(const sj *root, cdata *d)
{
	d->hang = sj_get(root, "hang");
	d->oom_allocation_size = sj_get(root, "oom_allocation_size");
	d->js_large_allocation_failure = sj_get(root, "js_large_allocation_failure");
	d->abort_message = sj_get(root, "abort_message");
	d->mdsw_status_string = sj_get(root, "mdsw_status_string");
	d->async_shutdown_timeout = sj_get(root, "async_shutdown_timeout");
	d->ipc_channel_error = sj_get(root, "ipc_channel_error");
	d->ipc_message_name = sj_get(root, "ipc_message_name");
	d->additional_minidumps = sj_get(root, "additional_minidumps");
	d->crashing_thread = sj_get(root, "crashing_thread");
	d->reason = sj_get(root, "reason");
	d->threads = sj_get(root, "threads");
	d->os = sj_get(root, "os");
	d->java_exception = sj_get(root, "java_exception");
	d->java_stack_trace = sj_get(root, "java_stack_trace");
}

/* ---- the signer ------------------------------------------------------- */
int sig_signer_new(const sig_lists *lists, sig_signer **out, cd_err *e)
{
	sig_signer *s = calloc(1, sizeof *s);
	if (!s || !(s->md = pcre2_match_data_create(4, NULL))) {
		free(s);
		return cd_errf(e, CD_ENOMEM, "out of memory");
	}
	s->lists = lists;
	/* One input may take 64 times its size plus 16 MiB: a gigantic
	 * stack is read whole but cannot exhaust memory. */
	s->mem.limit = 0;
	s->norm.lists = lists;
	s->norm.md = s->md;
	s->norm.mem = &s->mem;
	*out = s;
	return CD_OK;
}

void sig_signer_free(sig_signer *s)
{
	if (!s)
		return;
	sig__mem_free(&s->mem);
	sj_parser_free(&s->parser);
	pcre2_match_data_free(s->md);
	free(s->notes.v);
	free(s->debug.v);
	free(s->frames);
	free(s->fpos);
	free(s);
}

int sig_sign_json(sig_signer *s, const char *text, size_t len, const sig_result **out, cd_err *e)
{
	*out = NULL;
	sig__mem_reset(&s->mem);
	s->mem.limit = len * 64 + (16u << 20);
	s->notes.n = s->debug.n = 0;
	s->nframes = 0;
	s->oom = 0;
	memset(&s->res, 0, sizeof s->res);
	s->res.thread = -1;
	s->res.tool = "";
	s->res.rule = "";
	s->sig = "";
	s->cstack_sig = NULL;

	const sj *root = sj_parse(&s->parser, &s->mem, text, len);
	if (!root) {
		if (!strcmp(s->parser.emsg, "input too large"))
			return cd_errf(e, CD_ENOMEM, "input too large at byte %zu", s->parser.epos);
		return cd_errf(e, CD_EFORMAT, "not JSON at byte %zu: %s", s->parser.epos, s->parser.emsg);
	}
	if (root->type != SJ_OBJ)
		return cd_errf(e, CD_EFORMAT, "a JSON %s, not an object of crash data",
			       root->type == SJ_ARR ? "array" : "scalar");
	cdata d = { 0 };
	const sj *input = sj_get(root, "input");
	if (input && input->type == SJ_OBJ && (sj_get(root, "expected") || sj_get(root, "id"))) {
		s->res.input_kind = "case";
		from_crash_data(input, &d);
	} else if (sj_get(root, "json_dump")) {
		s->res.input_kind = "processed";
		from_processed(s, root, &d);
	} else if (sj_get(root, "crash_info") || sj_get(root, "annotations")) {
		s->res.input_kind = "walk";
		from_walk(s, root, &d);
	} else {
		s->res.input_kind = "crash_data";
		from_crash_data(root, &d);
	}

	rule_generation(s, &d, 0);
	rule_stackwalker_error(s, &d);
	rule_bad_hardware(s, &d);
	rule_oom(s, &d);
	rule_abort(s, &d);
	rule_shutdown_timeout(s, &d);
	rule_run_watchdog(s, &d);
	rule_ipc_channel_error(s, &d);
	rule_ipc_message_name(s, &d);
	rule_stack_overflow(s, &d);
	rule_hung_process(s, &d);
	rule_printable(s);
	rule_whitespace(s);
	rule_truncate(s);
	if (s->oom)
		return cd_errf(e, CD_ENOMEM, "input too large to sign (%zu bytes)", len);

	s->res.signature = s->sig;
	s->res.notes = s->notes.v;
	s->res.nnotes = s->notes.n;
	s->res.debug_log = s->debug.v;
	s->res.ndebug = s->debug.n;
	s->res.frames = s->frames;
	s->res.nframes = s->nframes;
	s->res.nul_escapes = s->parser.nuls;
	s->res.first_nul = s->parser.first_nul;
	*out = &s->res;
	return CD_OK;
}

/* ---- output ----------------------------------------------------------- */
const char *sig_fate_name(sig_fate f)
{
	static const char *const names[] = { "kept", "prefix", "sentinel", "irrelevant", "empty",
					     "repeat", "before-sentinel", "not-reached", "beyond-40",
					     "fallback", "cut" };
	return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "?";
}

static void json_str(cd_buf *b, const char *s)
{
	if (!s) {
		cd_buf_puts(b, "null");
		return;
	}
	cd_buf_append(b, "\"", 1);
	const char *run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		cd_buf_append(b, run, (size_t)(s - run));
		if (c == '"' || c == '\\')
			cd_buf_printf(b, "\\%c", c);
		else if (c == '\n')
			cd_buf_puts(b, "\\n");
		else if (c == '\t')
			cd_buf_puts(b, "\\t");
		else
			cd_buf_printf(b, "\\u%04x", c);
		run = s + 1;
	}
	cd_buf_append(b, run, (size_t)(s - run));
	cd_buf_append(b, "\"", 1);
}

static void json_match(cd_buf *b, const char *key, const sig_match *m)
{
	cd_buf_printf(b, ",\"%s\":", key);
	if (m->list == SIG_LIST_NONE) {
		cd_buf_puts(b, "null");
		return;
	}
	cd_buf_puts(b, "{\"list\":");
	json_str(b, sig_list_names[m->list]);
	cd_buf_printf(b, ",\"line\":%d,\"regex\":", m->line);
	json_str(b, m->regex);
	cd_buf_puts(b, "}");
}

int sig_result_json(const sig_result *r, cd_buf *b)
{
	cd_buf_puts(b, "{\"signature\":");
	json_str(b, r->signature);
	cd_buf_puts(b, ",\"notes\":[");
	for (size_t i = 0; i < r->nnotes; i++) {
		if (i)
			cd_buf_puts(b, ",");
		json_str(b, r->notes[i]);
	}
	cd_buf_puts(b, "],\"explanation\":{\"rule\":");
	json_str(b, r->rule);
	cd_buf_puts(b, ",\"tool\":");
	json_str(b, r->tool);
	cd_buf_printf(b, ",\"thread\":%d,\"input\":", r->thread);
	json_str(b, r->input_kind);
	cd_buf_puts(b, ",\"debug_log\":[");
	for (size_t i = 0; i < r->ndebug; i++) {
		if (i)
			cd_buf_puts(b, ",");
		json_str(b, r->debug_log[i]);
	}
	cd_buf_puts(b, "]");
	cd_buf_puts(b, ",\"frames\":[");
	for (size_t i = 0; i < r->nframes; i++) {
		const sig_frame *f = &r->frames[i];
		cd_buf_printf(b, "%s{\"frame\":%d", i ? "," : "", f->frame);
		if (f->inline_index >= 0)
			cd_buf_printf(b, ",\"inline\":%d", f->inline_index);
		cd_buf_puts(b, ",\"function\":");
		json_str(b, f->function);
		cd_buf_puts(b, ",\"module\":");
		json_str(b, f->module);
		cd_buf_puts(b, ",\"normalized\":");
		json_str(b, f->normalized);
		cd_buf_printf(b, ",\"fate\":\"%s\"", sig_fate_name(f->fate));
		if (f->fate == SIG_FATE_SENTINEL || f->fate == SIG_FATE_CUT)
			cd_buf_printf(b, ",\"prefix\":%s", f->prefix ? "true" : "false");
		json_match(b, "list", &f->match);
		if (f->line_number.list != SIG_LIST_NONE)
			json_match(b, "line_number", &f->line_number);
		cd_buf_puts(b, "}");
	}
	cd_buf_printf(b, "],\"frames_omitted\":%zu}}", r->frames_omitted);
	return b->overflow ? CD_ENOMEM : CD_OK;
}

int sig_result_table(const sig_result *r, cd_buf *b)
{
	cd_buf_printf(b, "rule: %s\n", *r->rule ? r->rule : "(none: empty signature)");
	for (size_t i = 0; i < r->nnotes; i++)
		cd_buf_printf(b, "note: %s\n", r->notes[i]);
	if (!r->nframes) {
		cd_buf_puts(b, *r->tool && strcmp(r->tool, "c") ? "(a Java signature: no frames)\n"
								 : "(no frames)\n");
		return b->overflow ? CD_ENOMEM : CD_OK;
	}
	cd_buf_printf(b, "thread %d:\n", r->thread);
	cd_buf_printf(b, "  %-6s %-15s %-40s %s\n", "frame", "fate", "normalized", "decided by / raw function");
	for (size_t i = 0; i < r->nframes; i++) {
		const sig_frame *f = &r->frames[i];
		char idx[32];
		if (f->inline_index >= 0)
			snprintf(idx, sizeof idx, "%d.%d", f->frame, f->inline_index);
		else
			snprintf(idx, sizeof idx, "%d", f->frame);
		char fate[32];
		snprintf(fate, sizeof fate, "%s%s", sig_fate_name(f->fate),
			 (f->fate == SIG_FATE_SENTINEL || f->fate == SIG_FATE_CUT) && f->prefix ? "+prefix" : "");
		cd_buf_printf(b, "  %-6s %-15s %-40s", idx, fate, f->normalized);
		if (f->match.list != SIG_LIST_NONE)
			cd_buf_printf(b, " %s:%d /%s/", sig_list_names[f->match.list], f->match.line,
				      f->match.regex);
		if (f->line_number.list != SIG_LIST_NONE)
			cd_buf_printf(b, " +line: %s:%d", sig_list_names[f->line_number.list],
				      f->line_number.line);
		if (f->function && strcmp(f->function, f->normalized))
			cd_buf_printf(b, " <- %s", f->function);
		cd_buf_puts(b, "\n");
	}
	if (r->frames_omitted)
		cd_buf_printf(b, "  ... %zu more frames beyond %d not listed\n", r->frames_omitted,
			      SIG_MAX_FRAMES);
	return b->overflow ? CD_ENOMEM : CD_OK;
}
