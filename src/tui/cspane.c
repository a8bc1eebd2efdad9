/*
 * cspane.c - rows of the Crash Stats panes, and the search prompt's
 * arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cspane.h"

int cspane_parse_query(const char *text, cs_query *q, size_t *limit, cd_err *e)
{
	char arg[1024];
	const char *p = text;
	int want_num = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t n = 0;
		char quote = 0;
		for (; *p && (quote || (*p != ' ' && *p != '\t')); p++) {
			char c = *p;
			if (quote == '\'' && c == '\'') {
				quote = 0;
				continue;
			}
			if (quote == '"' && c == '"') {
				quote = 0;
				continue;
			}
			if (!quote && (c == '\'' || c == '"')) {
				quote = c;
				continue;
			}
			if (quote != '\'' && c == '\\' && p[1] &&
			    (!quote || p[1] == '"' || p[1] == '\\'))
				c = *++p;
			if (n + 1 >= sizeof arg)
				return cd_errf(e, CD_EUSAGE, "an argument is longer than %zu bytes",
					       sizeof arg - 1);
			arg[n++] = c;
		}
		arg[n] = 0;
		if (quote)
			return cd_errf(e, CD_EUSAGE, "unclosed %c quote", quote);
		const char *num = want_num ? arg : !strncmp(arg, "--num=", 6) ? arg + 6 : NULL;
		if (!want_num && !strcmp(arg, "--num")) {
			want_num = 1;
			continue;
		}
		if (num) {
			want_num = 0;
			char *end;
			long v = strtol(num, &end, 10);
			if (!strcmp(num, "all"))
				*limit = 0;
			else if (end == num || *end || v < 1)
				return cd_errf(e, CD_EUSAGE,
					       "--num takes a positive number or 'all', not '%.40s'", num);
			else
				*limit = (size_t)v;
			continue;
		}
		if (cs_query_add_arg(q, arg, e) != CD_OK)
			return e->code ? e->code : CD_EUSAGE;
	}
	if (want_num)
		return cd_errf(e, CD_EUSAGE, "--num needs a number");
	return CD_OK;
}

void cspane_refine(const char *field, const char *term, char *buf, size_t n)
{
	/* In single quotes, where only a quote itself needs care. */
	size_t o = (size_t)snprintf(buf, n, " '--%s==", field);
	for (const char *c = term; *c && o + 6 < n; c++) {
		if (*c == '\'') {
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else {
			buf[o++] = *c;
		}
	}
	if (o + 2 <= n) {
		buf[o++] = '\'';
		buf[o] = 0;
	}
}

/* A value as one line of text (the caller frees). */
static char *text_of(json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (!v || json_is_null(v))
		return strdup("");
	char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	return t ? t : strdup("?");
}

json_t *cspane_results_rows(json_t *hits, int64_t total, int running, const char *msg,
			    const char *query, json_t *stored, size_t page)
{
	json_t *rows = json_array();
	size_t n = json_array_size(hits);
	char head[256];
	if (running)
		snprintf(head, sizeof head, "searching...");
	else if (msg && *msg)
		snprintf(head, sizeof head, "search failed");
	else
		snprintf(head, sizeof head, "%zu of %lld crashes", n, (long long)total);
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "uuid", head, "signature",
					      msg && *msg ? msg : query ? query : "", "_style",
					      msg && *msg ? "error" : "heading"));
	size_t i;
	json_t *h;
	json_array_foreach(hits, i, h) {
		json_t *r = json_object();
		const char *k;
		json_t *v;
		json_object_foreach(h, k, v) {
			char *t = text_of(v);
			if (t)
				json_object_set_new(r, k, json_string(t));
			free(t);
		}
		const char *id = json_string_value(json_object_get(h, "uuid"));
		if (id && cs_crash_id_valid(id)) {
			json_object_set_new(r, "_id", json_string(id));
			if (json_object_get(stored, id))
				json_object_set_new(r, "stored", json_string("stored"));
		}
		json_array_append_new(rows, r);
	}
	if (!running && (!msg || !*msg) && (int64_t)n < total && n < CS_WINDOW_MAX) {
		char more[200];
		snprintf(more, sizeof more, "Enter: the next %zu (%zu of %lld shown)", page ? page : 100,
			 n, (long long)total);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:b, s:s}", "uuid", "more...",
						      "signature", more, "_more", 1, "_style", "dim"));
	}
	return rows;
}

json_t *cspane_facet_rows(json_t *facets)
{
	json_t *rows = json_array();
	const char *field;
	json_t *terms;
	json_object_foreach(facets, field, terms) {
		char count[32];
		snprintf(count, sizeof count, "%zu", json_array_size(terms));
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "facet", field, "count",
						      "", "term",
						      json_array_size(terms) ? "" : "(no terms)",
						      "_style", "heading"));
		size_t i;
		json_t *t;
		json_array_foreach(terms, i, t) {
			char *term = text_of(json_object_get(t, "term"));
			snprintf(count, sizeof count, "%lld",
				 (long long)json_integer_value(json_object_get(t, "count")));
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "facet", "", "count",
							      count, "term", term ? term : "",
							      "_field", field));
			free(term);
		}
	}
	if (!json_array_size(rows))
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "facet", "", "term",
						      "no facets: add --_facets=FIELD to the query",
						      "_style", "dim"));
	return rows;
}

static void add_pair(json_t *rows, const char *what, json_t *pair, const char *style)
{
	char *a = text_of(json_object_get(pair, "socorro"));
	char *b = text_of(json_object_get(pair, "local"));
	json_t *r = json_pack("{s:s, s:s, s:s}", "what", what, "socorro", a && *a ? a : "(none)",
			      "local", b && *b ? b : "(none)");
	if (r && style)
		json_object_set_new(r, "_style", json_string(style));
	json_array_append_new(rows, r);
	free(a);
	free(b);
}

static void add_fields(json_t *rows, const char *prefix, json_t *fields)
{
	const char *k;
	json_t *v;
	json_object_foreach(fields, k, v) {
		char what[512];
		snprintf(what, sizeof what, "%s %s", prefix, k);
		add_pair(rows, what, v, NULL);
	}
}

json_t *cspane_compare_rows(json_t *diff)
{
	json_t *rows = json_array();
	json_int_t n = json_integer_value(json_object_get(diff, "differences"));
	char buf[512];
	snprintf(buf, sizeof buf, "%lld difference%s", (long long)n, n == 1 ? "" : "s");
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "what", buf, "socorro",
					      "Socorro's processing", "local", "the stored dump walked here",
					      "_style", "heading"));
	json_t *sig = json_object_get(diff, "signature");
	const char *ss = json_string_value(json_object_get(sig, "socorro"));
	const char *ls = json_string_value(json_object_get(sig, "local"));
	int same = ss && ls && !strcmp(ss, ls);
	add_pair(rows, same ? "Signature: same" : "Signature: differs", sig, same ? NULL : "crashed");
	json_t *reason = json_object_get(diff, "crash_reason");
	if (json_is_object(reason))
		add_pair(rows, "Crash reason: differs", reason, "crashed");
	else
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "what", "Crash reason: same",
						      "socorro", "", "local", ""));
	json_t *frames = json_object_get(diff, "frames");
	snprintf(buf, sizeof buf, "Crashing thread frames: %zu differ", json_array_size(frames));
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "what", buf, "socorro", "",
					      "local", "", "_style", "heading"));
	size_t i;
	json_t *f;
	json_array_foreach(frames, i, f) {
		const char *side = json_string_value(json_object_get(f, "side"));
		int one = side && strcmp(side, "both"); /* a frame only one side has */
		char prefix[64];
		snprintf(prefix, sizeof prefix, "frame %lld%s%s",
			 (long long)json_integer_value(json_object_get(f, "index")), one ? " " : "",
			 one ? side : "");
		add_fields(rows, prefix, json_object_get(f, "fields"));
	}
	json_t *mods = json_object_get(diff, "modules");
	snprintf(buf, sizeof buf, "Modules: %zu differ", json_array_size(mods));
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "what", buf, "socorro", "",
					      "local", "", "_style", "heading"));
	json_t *m;
	json_array_foreach(mods, i, m) {
		const char *name = json_string_value(json_object_get(m, "filename"));
		const char *side = json_string_value(json_object_get(m, "side"));
		if (side && strcmp(side, "both")) {
			int soc = !strcmp(side, "socorro only");
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "what",
							      name ? name : "?", "socorro",
							      soc ? "present" : "absent", "local",
							      soc ? "absent" : "present"));
			continue;
		}
		add_fields(rows, name ? name : "?", json_object_get(m, "fields"));
	}
	return rows;
}
