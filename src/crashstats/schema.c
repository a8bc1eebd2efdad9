/* schema.c - crashdesk's own field schemas (schemas/raw_crash.yaml and
 * schemas/processed_crash.yaml): loading, type checks of received
 * documents, and the public subset of a crash. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "internal.h"

#define SCHEMA_FILE_MAX (1u << 20)
#define PROBLEMS_MAX 50 /* lines of problems reported per document */

struct cs_schema {
	cs_field *f; /* sorted by name */
	size_t n;
	cd_arena arena;
};

/* The copies built from schemas/ (src/util/embed.sh, run by the Makefile). */
extern const cd_embed cs__schema_builtins[];
extern const size_t cs__schema_nbuiltins;

void cs_schema_free(cs_schema *s)
{
	if (!s)
		return;
	cd_arena_free(&s->arena);
	free(s);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const cs_field *)a)->name, ((const cs_field *)b)->name);
}

static int line_of(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }

static int is(const yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       !memcmp(n->data.scalar.value, s, n->data.scalar.length);
}

static char *scalar(cd_arena *a, const yaml_node_t *n)
{
	return cd_arena_strndup(a, (const char *)n->data.scalar.value, n->data.scalar.length);
}

static unsigned type_bit(const yaml_node_t *n)
{
	static const struct {
		const char *name;
		unsigned bit;
	} t[] = { { "string", CS_T_STRING },   { "integer", CS_T_INTEGER }, { "number", CS_T_NUMBER },
		  { "boolean", CS_T_BOOLEAN }, { "object", CS_T_OBJECT },   { "array", CS_T_ARRAY },
		  { "null", CS_T_NULL },       { "any", CS_T_ANY } };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (is(n, t[i].name))
			return t[i].bit;
	return 0;
}

static int parse_field(yaml_document_t *d, cs_schema *s, const yaml_node_t *key,
		       const yaml_node_t *val, cs_field *f, const char *name, cd_err *e)
{
	f->name = scalar(&s->arena, key);
	if (val->type != YAML_MAPPING_NODE)
		return cd_errf(e, CD_EFORMAT, "%s:%d: field '%s': expected a mapping", name,
			       line_of(val), f->name);
	int have_access = 0;
	for (yaml_node_pair_t *p = val->data.mapping.pairs.start; p < val->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);
		yaml_node_t *v = yaml_document_get_node(d, p->value);
		if (!k || !v)
			continue;
		if (is(k, "type")) {
			if (v->type == YAML_SCALAR_NODE)
				f->types = type_bit(v);
			else if (v->type == YAML_SEQUENCE_NODE)
				for (yaml_node_item_t *it = v->data.sequence.items.start;
				     it < v->data.sequence.items.top; it++) {
					unsigned b = type_bit(yaml_document_get_node(d, *it));
					if (!b) {
						f->types = 0;
						break;
					}
					f->types |= b;
				}
			if (!f->types)
				return cd_errf(e, CD_EFORMAT,
					       "%s:%d: field '%s': type must be string, integer, number, "
					       "boolean, object, array, null, any or a list of them",
					       name, line_of(v), f->name);
		} else if (is(k, "access")) {
			if (is(v, "public"))
				f->protected_ = 0;
			else if (is(v, "protected"))
				f->protected_ = 1;
			else
				return cd_errf(e, CD_EFORMAT,
					       "%s:%d: field '%s': access must be public or protected",
					       name, line_of(v), f->name);
			have_access = 1;
		} else if (is(k, "description")) {
			if (v->type != YAML_SCALAR_NODE)
				return cd_errf(e, CD_EFORMAT, "%s:%d: field '%s': description must be text",
					       name, line_of(v), f->name);
			f->description = scalar(&s->arena, v);
		} else if (is(k, "examples")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return cd_errf(e, CD_EFORMAT, "%s:%d: field '%s': examples must be a list",
					       name, line_of(v), f->name);
			yaml_node_t *first = v->data.sequence.items.start < v->data.sequence.items.top
						     ? yaml_document_get_node(d, *v->data.sequence.items.start)
						     : NULL;
			if (first && first->type == YAML_SCALAR_NODE)
				f->example = scalar(&s->arena, first);
		} else
			return cd_errf(e, CD_EFORMAT,
				       "%s:%d: field '%s': unknown key (type, access, description, "
				       "examples)",
				       name, line_of(k), f->name);
	}
	if (!f->types)
		return cd_errf(e, CD_EFORMAT, "%s:%d: field '%s': no type", name, line_of(val), f->name);
	if (!have_access)
		return cd_errf(e, CD_EFORMAT, "%s:%d: field '%s': no access (public or protected)",
			       name, line_of(val), f->name);
	if (!f->description)
		return cd_errf(e, CD_EFORMAT, "%s:%d: field '%s': no description", name, line_of(val),
			       f->name);
	return CD_OK;
}

int cs_schema_parse(const char *text, size_t len, const char *name, cs_schema **out, cd_err *e)
{
	*out = NULL;
	if (len > SCHEMA_FILE_MAX)
		return cd_errf(e, CD_EFORMAT, "%s: %zu bytes, more than a schema may have", name, len);
	yaml_parser_t p;
	yaml_document_t d;
	if (!yaml_parser_initialize(&p))
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", name);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &d)) {
		int rc = cd_errf(e, CD_EFORMAT, "%s:%zu:%zu: %s", name, p.problem_mark.line + 1,
				 p.problem_mark.column + 1, p.problem ? p.problem : "bad YAML");
		yaml_parser_delete(&p);
		return rc;
	}
	yaml_parser_delete(&p);
	cs_schema *s = calloc(1, sizeof *s);
	if (!s) {
		yaml_document_delete(&d);
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", name);
	}
	cd_arena_init(&s->arena, 16u << 20);
	int rc = CD_OK;
	yaml_node_t *root = yaml_document_get_root_node(&d);
	yaml_node_t *fields = NULL;
	if (!root || root->type != YAML_MAPPING_NODE)
		rc = cd_errf(e, CD_EFORMAT, "%s:1: expected a mapping with 'fields'", name);
	else
		for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
		     pr < root->data.mapping.pairs.top; pr++)
			if (is(yaml_document_get_node(&d, pr->key), "fields"))
				fields = yaml_document_get_node(&d, pr->value);
	if (rc == CD_OK && (!fields || fields->type != YAML_MAPPING_NODE))
		rc = cd_errf(e, CD_EFORMAT, "%s:%d: 'fields' must be a mapping of field names", name,
			     fields ? line_of(fields) : 1);
	if (rc == CD_OK) {
		size_t n = (size_t)(fields->data.mapping.pairs.top - fields->data.mapping.pairs.start);
		s->f = cd_arena_calloc(&s->arena, n ? n : 1, sizeof *s->f);
		if (!s->f)
			rc = cd_errf(e, CD_ENOMEM, "%s: out of memory", name);
		for (size_t i = 0; rc == CD_OK && i < n; i++) {
			yaml_node_pair_t *pr = fields->data.mapping.pairs.start + i;
			yaml_node_t *k = yaml_document_get_node(&d, pr->key);
			yaml_node_t *v = yaml_document_get_node(&d, pr->value);
			if (!k || k->type != YAML_SCALAR_NODE || !k->data.scalar.length || !v)
				rc = cd_errf(e, CD_EFORMAT, "%s:%d: a field name must be text", name,
					     k ? line_of(k) : 1);
			else
				rc = parse_field(&d, s, k, v, &s->f[s->n++], name, e);
		}
	}
	yaml_document_delete(&d);
	if (rc == CD_OK) {
		qsort(s->f, s->n, sizeof *s->f, by_name);
		for (size_t i = 1; i < s->n; i++)
			if (!strcmp(s->f[i].name, s->f[i - 1].name)) {
				rc = cd_errf(e, CD_EFORMAT, "%s: field '%s' is described twice", name,
					     s->f[i].name);
				break;
			}
	}
	if (rc != CD_OK) {
		cs_schema_free(s);
		return rc;
	}
	*out = s;
	return CD_OK;
}

int cs_schema_load(cs_schema_kind kind, const char *dir, cs_schema **out, cd_err *e)
{
	const char *file = kind == CS_SCHEMA_RAW ? "raw_crash.yaml" : "processed_crash.yaml";
	if (!dir)
		dir = getenv("CRASHDESK_SCHEMAS");
	if (dir && *dir) {
		char path[4200];
		snprintf(path, sizeof path, "%s/%s", dir, file);
		cd_map m;
		int rc = cd_map_open(path, &m, e);
		if (rc != CD_OK)
			return rc;
		rc = cs_schema_parse((const char *)m.data, m.size, path, out, e);
		cd_map_close(&m);
		return rc;
	}
	const cd_embed *b;
	if (cd_embed_find(cs__schema_builtins, cs__schema_nbuiltins, file, &b) == CD_OK)
		return cs_schema_parse(b->text, b->len, file, out, e);
	return cd_errf(e, CD_ENOTFOUND, "schemas/%s is not built in", file);
}

const cs_field *cs_schema_field(const cs_schema *s, const char *name)
{
	cs_field key = { .name = name };
	return bsearch(&key, s->f, s->n, sizeof *s->f, by_name);
}

size_t cs_schema_count(const cs_schema *s) { return s->n; }
const cs_field *cs_schema_at(const cs_schema *s, size_t i) { return i < s->n ? &s->f[i] : NULL; }

static unsigned type_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return CS_T_STRING;
	case JSON_INTEGER: return CS_T_INTEGER;
	case JSON_REAL: return CS_T_NUMBER;
	case JSON_TRUE:
	case JSON_FALSE: return CS_T_BOOLEAN;
	case JSON_OBJECT: return CS_T_OBJECT;
	case JSON_ARRAY: return CS_T_ARRAY;
	default: return CS_T_NULL;
	}
}

static const char *type_name(unsigned bit)
{
	switch (bit) {
	case CS_T_STRING: return "string";
	case CS_T_INTEGER: return "integer";
	case CS_T_NUMBER: return "number";
	case CS_T_BOOLEAN: return "boolean";
	case CS_T_OBJECT: return "object";
	case CS_T_ARRAY: return "array";
	default: return "null";
	}
}

static int type_ok(unsigned want, unsigned got)
{
	/* An integer is a number too. */
	return (want & got) || (got == CS_T_INTEGER && (want & CS_T_NUMBER));
}

static void expected(cd_buf *b, unsigned want)
{
	int first = 1;
	for (unsigned bit = 1; bit < CS_T_ANY; bit <<= 1)
		if (want & bit) {
			cd_buf_printf(b, "%s%s", first ? "" : " or ", type_name(bit));
			first = 0;
		}
}

typedef void (*visit_fn)(void *ctx, json_t *parent, const char *key, json_t *v);

/* Calls fn for every value reached by path (segments split by '.', a
 * segment ending in "[]" steps into every element of an array). */
static void walk_path(json_t *node, const char *path, visit_fn fn, void *ctx, int depth)
{
	if (!json_is_object(node) || depth > 16)
		return;
	char seg[128];
	size_t n = strcspn(path, ".");
	if (n >= sizeof seg)
		return;
	memcpy(seg, path, n);
	seg[n] = 0;
	int arr = n > 2 && !strcmp(seg + n - 2, "[]");
	if (arr)
		seg[n - 2] = 0;
	json_t *v = json_object_get(node, seg);
	if (!v)
		return;
	const char *rest = path[n] ? path + n + 1 : NULL;
	if (!arr) {
		if (rest)
			walk_path(v, rest, fn, ctx, depth + 1);
		else
			fn(ctx, node, seg, v);
		return;
	}
	if (!json_is_array(v))
		return;
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *el = json_array_get(v, i);
		if (rest)
			walk_path(el, rest, fn, ctx, depth + 1);
		/* "a[]" alone names the array's elements: checked as such. */
		else
			fn(ctx, NULL, seg, el);
	}
}

typedef struct check_ctx {
	const cs_field *f;
	cd_buf *out;
	size_t n;
} check_ctx;

static void check_one(void *vctx, json_t *parent, const char *key, json_t *v)
{
	(void)parent;
	(void)key;
	check_ctx *c = vctx;
	unsigned got = type_of(v);
	if (type_ok(c->f->types, got))
		return;
	if (c->out && c->n < PROBLEMS_MAX) {
		cd_buf_printf(c->out, "field '%s': expected ", c->f->name);
		expected(c->out, c->f->types);
		cd_buf_printf(c->out, ", got %s\n", type_name(got));
	}
	c->n++;
}

size_t cs_schema_check(const cs_schema *s, json_t *doc, cd_buf *problems)
{
	if (!json_is_object(doc)) {
		if (problems)
			cd_buf_printf(problems, "document: expected an object, got %s\n",
				      type_name(type_of(doc)));
		return 1;
	}
	check_ctx c = { NULL, problems, 0 };
	for (size_t i = 0; i < s->n; i++) {
		c.f = &s->f[i];
		walk_path(doc, s->f[i].name, check_one, &c, 0);
	}
	if (problems && c.n > PROBLEMS_MAX)
		cd_buf_printf(problems, "(%zu more)\n", c.n - PROBLEMS_MAX);
	return c.n;
}

static void drop_one(void *ctx, json_t *parent, const char *key, json_t *v)
{
	(void)ctx;
	(void)v;
	if (parent)
		json_object_del(parent, key);
}

json_t *cs_schema_public(const cs_schema *s, json_t *doc)
{
	json_t *copy = json_deep_copy(doc);
	if (!json_is_object(copy))
		return copy;
	/* Top level: only what the schema describes as public stays (Socorro
	 * withholds undescribed fields too). */
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(copy, tmp, k, v) {
		const cs_field *f = cs_schema_field(s, k);
		if (!f || f->protected_)
			json_object_del(copy, k);
	}
	for (size_t i = 0; i < s->n; i++)
		if (s->f[i].protected_ && strchr(s->f[i].name, '.'))
			walk_path(copy, s->f[i].name, drop_one, NULL, 0);
	return copy;
}
