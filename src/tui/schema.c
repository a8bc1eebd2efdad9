/* schema.c - annotation descriptions from YAML (see schema.h,
 * schemas/README.md).
 *
 * Read from libyaml's events rather than its document tree: a problem in
 * one entry then costs only that entry, a syntax error keeps what came
 * before it, and nesting is cut off as it is met (libyaml's scanner is
 * quadratic in nesting depth, see docs/FUZZING.md). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "schema.h"

/* Root mapping, annotations, one entry: 3 levels are used. */
#define SCHEMA_DEPTH_MAX 8
/* Strings copied from one file; descriptions are capped, so a file under
 * TUI_SCHEMA_FILE_MAX never comes near it. */
#define SCHEMA_ARENA_MAX (8u << 20)

/* Made by src/util/embed.sh from schemas/<name>.yaml (build/gen/schemas_builtin.c). */
extern const cd_embed tui__schema_builtins[];
extern const size_t tui__schema_nbuiltins;

static const char *const type_names[] = { "string", "integer", "number", "boolean", "object" };
#define NTYPES (sizeof type_names / sizeof type_names[0])

typedef struct entry {
	const char *key, *desc;
	unsigned long line;
	unsigned char type, protect;
} entry;

struct tui_schema {
	entry *v; /* sorted by key after loading */
	size_t n, cap;
	cd_arena arena; /* keys and descriptions */
	int nwarnings;
};

typedef struct reader {
	const char *file, *text;
	size_t len;
	yaml_parser_t p;
	tui_schema *s;
	char *wbuf;
	size_t wcap, wlen;
	int depth;
	int stop;  /* nothing more is read: syntax error, too deep, too many */
	int nomem;
} reader;

/* ---- warnings --------------------------------------------------------- */

static void warn_line(tui_schema *s, char *buf, size_t cap, size_t *len, const char *msg)
{
	s->nwarnings++;
	if (!buf || *len + 1 >= cap)
		return;
	int w = snprintf(buf + *len, cap - *len, "%s\n", msg);
	if (w > 0)
		*len += (size_t)w < cap - *len ? (size_t)w : cap - *len - 1;
}

static void warnf(reader *r, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warnf(reader *r, unsigned long line, const char *fmt, ...)
{
	char msg[600];
	int o = snprintf(msg, sizeof msg, "%s:%lu: ", r->file, line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + o, sizeof msg - (size_t)o, fmt, ap);
	va_end(ap);
	warn_line(r->s, r->wbuf, r->wcap, &r->wlen, msg);
}

/* A short printable copy of untrusted text for messages, cut on a UTF-8
 * character boundary. */
static const char *shown(const unsigned char *p, size_t len, char buf[48])
{
	size_t n = len;
	if (n > 40) {
		n = 40;
		while (n > 0 && (p[n] & 0xc0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = p[i] < ' ' || p[i] == 127 ? '?' : (char)p[i];
	strcpy(buf + n, len > n ? "..." : "");
	return buf;
}

static const char *shown_ev(const yaml_event_t *ev, char buf[48])
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT: return shown(ev->data.scalar.value, ev->data.scalar.length, buf);
	case YAML_MAPPING_START_EVENT: return "{...}";
	case YAML_SEQUENCE_START_EVENT: return "[...]";
	case YAML_ALIAS_EVENT: return "*alias";
	default: return "?";
	}
}

static unsigned long ev_line(const yaml_event_t *ev)
{
	return (unsigned long)ev->start_mark.line + 1;
}

/* ---- events ----------------------------------------------------------- */

static void parser_failed(reader *r)
{
	yaml_parser_t *p = &r->p;
	r->stop = 1;
	if (p->error == YAML_MEMORY_ERROR) {
		r->nomem = 1;
		return;
	}
	unsigned long line = (unsigned long)p->problem_mark.line + 1;
	if (p->error == YAML_READER_ERROR) {
		line = 1;
		for (size_t i = 0; i < p->problem_offset && i < r->len; i++)
			line += r->text[i] == '\n';
	}
	const char *problem = p->problem ? p->problem : "bad YAML";
	if (p->context)
		warnf(r, line, "%s %s (line %lu)", problem, p->context,
		      (unsigned long)p->context_mark.line + 1);
	else
		warnf(r, line, "%s", problem);
}

/* The next event, or 0 when reading has stopped (the event is then not
 * set and needs no delete). */
static int next(reader *r, yaml_event_t *ev)
{
	if (r->stop)
		return 0;
	if (!yaml_parser_parse(&r->p, ev)) {
		parser_failed(r);
		return 0;
	}
	if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT) {
		if (++r->depth > SCHEMA_DEPTH_MAX) {
			warnf(r, ev_line(ev), "nested deeper than a schema file needs (%d levels)",
			      SCHEMA_DEPTH_MAX);
			yaml_event_delete(ev);
			r->stop = 1;
			return 0;
		}
	} else if (ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT) {
		r->depth--;
	}
	return 1;
}

/* Reads past the rest of the node that starts with first (which the
 * caller still deletes). */
static void skip_rest(reader *r, const yaml_event_t *first)
{
	if (first->type != YAML_MAPPING_START_EVENT && first->type != YAML_SEQUENCE_START_EVENT)
		return;
	for (int d = 1; d > 0;) {
		yaml_event_t ev;
		if (!next(r, &ev))
			return;
		if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT)
			d++;
		else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT)
			d--;
		yaml_event_delete(&ev);
	}
}

/* Reads and drops one whole node (a value nobody wants). */
static void skip_node(reader *r)
{
	yaml_event_t ev;
	if (!next(r, &ev))
		return;
	skip_rest(r, &ev);
	yaml_event_delete(&ev);
}

/* Whether ev is a scalar; otherwise warns, reads past the node and
 * returns 0. Aliases are refused: a problem in one would be reported at its
 * anchor. what (and field) name the place in the message. */
static int is_text(reader *r, const yaml_event_t *ev, const char *what, const char *field)
{
	if (ev->type == YAML_SCALAR_EVENT)
		return 1;
	char where[TUI_SCHEMA_KEY_MAX + 32];
	snprintf(where, sizeof where, "%s%s%s", what, field ? ": " : "", field ? field : "");
	if (ev->type == YAML_ALIAS_EVENT)
		warnf(r, ev_line(ev), "%s: aliases (*name) are not supported in schema files", where);
	else
		warnf(r, ev_line(ev), "%s: expected text, not %s", where,
		      ev->type == YAML_MAPPING_START_EVENT ? "a mapping" : "a list");
	skip_rest(r, ev);
	return 0;
}

static int scalar_is(const yaml_event_t *ev, const char *s)
{
	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length == strlen(s) &&
	       memcmp(ev->data.scalar.value, s, ev->data.scalar.length) == 0;
}

/* ---- entries ------------------------------------------------------------ */

/* Annotation names: what Firefox, Socorro's collector and crashdesk use
 * (letters, digits, "_", "-" as in "Add-ons", "."). */
static int name_ok(const unsigned char *p, size_t n)
{
	if (n == 0 || n > TUI_SCHEMA_KEY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

typedef struct fields {
	const unsigned char *desc; /* into desc_copy */
	size_t desc_len;
	int type, protect;
	unsigned long seen[3]; /* description, type, access: their lines */
	unsigned char desc_copy[TUI_SCHEMA_DESC_MAX];
} fields;

static const char *const field_names[3] = { "description", "type", "access" };

/* Checks one field's value and keeps it in f; 0 when it is not usable. */
static int take_field(reader *r, const char *name, int which, const yaml_event_t *v, fields *f)
{
	const unsigned char *p = v->data.scalar.value;
	size_t n = v->data.scalar.length;
	char b[48];
	if (which == 0) {
		/* A folded block (">") ends in a newline; the pane shows one line. */
		while (n && (p[n - 1] == '\n' || p[n - 1] == ' '))
			n--;
		while (n && (p[0] == '\n' || p[0] == ' '))
			p++, n--;
		if (n == 0) {
			warnf(r, ev_line(v), "%s: empty description", name);
			return 0;
		}
		if (n > TUI_SCHEMA_DESC_MAX) {
			warnf(r, ev_line(v), "%s: description longer than %d bytes", name,
			      TUI_SCHEMA_DESC_MAX);
			return 0;
		}
		for (size_t i = 0; i < n; i++)
			if (p[i] < ' ' || p[i] == 127) {
				warnf(r, ev_line(v),
				      "%s: control character or line break in the description "
				      "(it is shown on one line)",
				      name);
				return 0;
			}
		memcpy(f->desc_copy, p, n);
		f->desc = f->desc_copy;
		f->desc_len = n;
		return 1;
	}
	if (which == 1) {
		for (size_t t = 0; t < NTYPES; t++)
			if (scalar_is(v, type_names[t])) {
				f->type = (int)t;
				return 1;
			}
		warnf(r, ev_line(v),
		      "%s: type: expected string, integer, number, boolean or object, not '%s'", name,
		      shown(p, n, b));
		return 0;
	}
	if (scalar_is(v, "public") || scalar_is(v, "protected")) {
		f->protect = scalar_is(v, "protected");
		return 1;
	}
	warnf(r, ev_line(v), "%s: access: expected public or protected, not '%s'", name,
	      shown(p, n, b));
	return 0;
}

static void add_entry(reader *r, const char *name, unsigned long line, const fields *f)
{
	tui_schema *s = r->s;
	if (s->n == TUI_SCHEMA_ENTRIES_MAX) {
		warnf(r, line, "more than %d annotations; the rest is not read",
		      TUI_SCHEMA_ENTRIES_MAX);
		r->stop = 1;
		return;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		entry *v = realloc(s->v, cap * sizeof *v);
		if (!v) {
			r->nomem = r->stop = 1;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	entry *e = &s->v[s->n];
	e->key = cd_arena_strndup(&s->arena, name, strlen(name));
	e->desc = cd_arena_strndup(&s->arena, (const char *)f->desc, f->desc_len);
	if (!e->key || !e->desc) {
		r->nomem = r->stop = 1;
		return;
	}
	e->line = line;
	e->type = (unsigned char)f->type;
	e->protect = (unsigned char)f->protect;
	s->n++;
}

/* After the MAPPING-START of name's value: reads its fields up to the
 * MAPPING-END and adds the entry when all of them are usable. */
static void parse_entry(reader *r, const char *name, unsigned long line)
{
	int usable = 1;
	fields *f = malloc(sizeof *f);
	if (!f) {
		r->nomem = r->stop = 1;
		return;
	}
	memset(f->seen, 0, sizeof f->seen);
	f->desc = NULL;
	f->desc_len = 0;
	f->type = f->protect = 0;
	char b[48];
	for (;;) {
		yaml_event_t k, v;
		if (!next(r, &k))
			goto out;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			break;
		}
		int which = -1;
		if (is_text(r, &k, name, NULL)) {
			for (int i = 0; i < 3; i++)
				if (scalar_is(&k, field_names[i]))
					which = i;
			if (which < 0)
				warnf(r, ev_line(&k),
				      "%s: unknown field '%s' (expected description, type, access)", name,
				      shown(k.data.scalar.value, k.data.scalar.length, b));
			else if (f->seen[which])
				warnf(r, ev_line(&k), "%s: %s given twice (first on line %lu)", name,
				      field_names[which], f->seen[which]);
		}
		if (which < 0 || f->seen[which])
			usable = 0;
		if (which >= 0 && !f->seen[which])
			f->seen[which] = ev_line(&k);
		yaml_event_delete(&k);
		if (which < 0 || !usable) {
			skip_node(r);
			continue;
		}
		if (!next(r, &v))
			goto out;
		if (!is_text(r, &v, name, field_names[which]) || !take_field(r, name, which, &v, f))
			usable = 0;
		yaml_event_delete(&v);
	}
	for (int i = 0; usable && i < 3; i++)
		if (!f->seen[i]) {
			warnf(r, line, "%s: no %s", name, field_names[i]);
			usable = 0;
		}
	if (usable)
		add_entry(r, name, line, f);
out:
	free(f);
}

/* After the MAPPING-START of "annotations": name -> entry, up to its end. */
static void parse_annotations(reader *r)
{
	char b[48];
	for (;;) {
		yaml_event_t k, v;
		if (!next(r, &k))
			return;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			return;
		}
		unsigned long line = ev_line(&k);
		char name[TUI_SCHEMA_KEY_MAX + 1] = "";
		int usable = is_text(r, &k, "annotations", NULL);
		if (usable && !name_ok(k.data.scalar.value, k.data.scalar.length)) {
			warnf(r, line,
			      "'%s' is no annotation name (letters, digits, '_', '-', '.'; "
			      "up to %d bytes)",
			      shown(k.data.scalar.value, k.data.scalar.length, b), TUI_SCHEMA_KEY_MAX);
			usable = 0;
		}
		if (usable) {
			memcpy(name, k.data.scalar.value, k.data.scalar.length);
			name[k.data.scalar.length] = 0;
		}
		yaml_event_delete(&k);
		if (!next(r, &v))
			return;
		if (usable && v.type == YAML_MAPPING_START_EVENT) {
			yaml_event_delete(&v);
			parse_entry(r, name, line);
			continue;
		}
		if (usable)
			warnf(r, ev_line(&v), "%s: expected a mapping of description, type and access",
			      name);
		skip_rest(r, &v);
		yaml_event_delete(&v);
	}
}

/* After the root MAPPING-START. */
static void parse_root(reader *r, unsigned long root_line)
{
	unsigned long seen = 0;
	char b[48];
	for (;;) {
		yaml_event_t k, v;
		if (!next(r, &k))
			return;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			break;
		}
		unsigned long line = ev_line(&k);
		int want = 0;
		if (is_text(r, &k, "the schema", NULL)) {
			if (!scalar_is(&k, "annotations"))
				warnf(r, line, "unknown key '%s' (expected annotations)",
				      shown(k.data.scalar.value, k.data.scalar.length, b));
			else if (seen)
				warnf(r, line, "'annotations' given twice (first on line %lu)", seen);
			else
				want = 1;
		}
		yaml_event_delete(&k);
		if (want)
			seen = line;
		if (!next(r, &v))
			return;
		if (want && v.type == YAML_MAPPING_START_EVENT) {
			yaml_event_delete(&v);
			parse_annotations(r);
			continue;
		}
		if (want)
			warnf(r, ev_line(&v),
			      "annotations: expected a mapping of annotation names to descriptions");
		skip_rest(r, &v);
		yaml_event_delete(&v);
	}
	if (!seen)
		warnf(r, root_line, "no annotations");
}

static void parse_stream(reader *r)
{
	yaml_event_t ev;
	char b[48];
	if (!next(r, &ev)) /* STREAM-START */
		return;
	yaml_event_delete(&ev);
	if (!next(r, &ev))
		return;
	if (ev.type == YAML_STREAM_END_EVENT) {
		warnf(r, 1, "empty file");
		yaml_event_delete(&ev);
		return;
	}
	yaml_event_delete(&ev); /* DOCUMENT-START */
	if (!next(r, &ev))
		return;
	if (ev.type != YAML_MAPPING_START_EVENT) {
		warnf(r, ev_line(&ev), "expected a mapping with annotations, not '%s'",
		      shown_ev(&ev, b));
		yaml_event_delete(&ev);
		return;
	}
	unsigned long root_line = ev_line(&ev);
	yaml_event_delete(&ev);
	parse_root(r, root_line);
	if (!next(r, &ev)) /* DOCUMENT-END */
		return;
	yaml_event_delete(&ev);
	if (!next(r, &ev))
		return;
	if (ev.type == YAML_DOCUMENT_START_EVENT)
		warnf(r, ev_line(&ev), "a second document; a schema file has one (not read)");
	yaml_event_delete(&ev);
}

/* ---- loading -------------------------------------------------------------- */

static int by_key_then_line(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void sort_and_dedupe(reader *r)
{
	tui_schema *s = r->s;
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, by_key_then_line);
	size_t j = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (j && strcmp(s->v[j - 1].key, s->v[i].key) == 0) {
			warnf(r, s->v[i].line, "%s described twice (first on line %lu); the first kept",
			      s->v[i].key, s->v[j - 1].line);
			continue;
		}
		s->v[j++] = s->v[i];
	}
	s->n = j;
}

static tui_schema *schema_new(void)
{
	tui_schema *s = calloc(1, sizeof *s);
	if (s)
		cd_arena_init(&s->arena, SCHEMA_ARENA_MAX);
	return s;
}

int tui_schema_parse(const char *file, const char *text, size_t len, tui_schema **out,
		     char *warnings, size_t n)
{
	if (!out || !file || (!text && len))
		return CD_EUSAGE;
	*out = NULL;
	if (warnings && n)
		warnings[0] = 0;
	tui_schema *s = schema_new();
	if (!s)
		return CD_ENOMEM;
	reader r = { .file = file, .text = text ? text : "", .len = len, .s = s,
		     .wbuf = n ? warnings : NULL, .wcap = n };
	if (len > TUI_SCHEMA_FILE_MAX) {
		warnf(&r, 1, "%zu bytes; a schema file may have %d at most", len, TUI_SCHEMA_FILE_MAX);
		*out = s;
		return CD_OK;
	}
	if (!yaml_parser_initialize(&r.p)) {
		tui_schema_free(s);
		return CD_ENOMEM;
	}
	yaml_parser_set_input_string(&r.p, (const unsigned char *)r.text, len);
	parse_stream(&r);
	yaml_parser_delete(&r.p);
	if (r.nomem) {
		tui_schema_free(s);
		return CD_ENOMEM;
	}
	sort_and_dedupe(&r);
	*out = s;
	return CD_OK;
}

int tui_schema_load(tui_schema **out, char *warnings, size_t n)
{
	const cd_embed *b;
	if (cd_embed_find(tui__schema_builtins, tui__schema_nbuiltins, "annotations.yaml", &b) ==
	    CD_OK)
		return tui_schema_parse("schemas/annotations.yaml", b->text, b->len, out, warnings, n);
	if (!out)
		return CD_EUSAGE;
	/* Only a broken build gets here; the TUI still runs, without descriptions. */
	if (!(*out = schema_new()))
		return CD_ENOMEM;
	size_t len = 0;
	if (warnings && n)
		warnings[0] = 0;
	warn_line(*out, n ? warnings : NULL, n, &len, "schemas/annotations.yaml: not built in");
	return CD_OK;
}

/* ---- lookups -------------------------------------------------------------- */

static const entry *find(const tui_schema *s, const char *key)
{
	if (!s || !key)
		return NULL;
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, s->v[mid].key);
		if (c == 0)
			return &s->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *tui_schema_describe(const tui_schema *s, const char *key)
{
	const entry *e = find(s, key);
	return e ? e->desc : NULL;
}

const char *tui_schema_describe_cb(void *ctx, const char *key)
{
	return tui_schema_describe(ctx, key);
}

const char *tui_schema_type(const tui_schema *s, const char *key)
{
	const entry *e = find(s, key);
	return e ? type_names[e->type] : NULL;
}

int tui_schema_is_protected(const tui_schema *s, const char *key)
{
	const entry *e = find(s, key);
	return e ? e->protect : -1;
}

size_t tui_schema_count(const tui_schema *s)
{
	return s ? s->n : 0;
}

int tui_schema_nwarnings(const tui_schema *s)
{
	return s ? s->nwarnings : 0;
}

const char *tui_schema_key(const tui_schema *s, size_t i)
{
	return s && i < s->n ? s->v[i].key : NULL;
}

void tui_schema_free(tui_schema *s)
{
	if (!s)
		return;
	cd_arena_free(&s->arena);
	free(s->v);
	free(s);
}
