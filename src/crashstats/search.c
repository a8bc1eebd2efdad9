/* search.c - SuperSearch queries, paging through results, and the
 * signature helpers (SignatureFirstDate, Bugs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void cs_query_init(cs_query *q) { memset(q, 0, sizeof *q); }

void cs_query_free(cs_query *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->name[i]);
		free(q->value[i]);
	}
	free(q->name);
	free(q->value);
	memset(q, 0, sizeof *q);
}

int cs_query_add(cs_query *q, const char *name, const char *value, cd_err *e)
{
	if (!name || !*name || !value)
		return cd_errf(e, CD_EUSAGE, "query: a parameter needs a name and a value");
	if (strlen(name) > 256 || strlen(value) > 16384)
		return cd_errf(e, CD_EUSAGE, "query: parameter '%.40s' is too long", name);
	if (q->n == q->cap) {
		size_t nc = q->cap ? 2 * q->cap : 16;
		char **a = realloc(q->name, nc * sizeof *a);
		if (!a)
			return cd_errf(e, CD_ENOMEM, "query: out of memory");
		q->name = a;
		char **b = realloc(q->value, nc * sizeof *b);
		if (!b)
			return cd_errf(e, CD_ENOMEM, "query: out of memory");
		q->value = b;
		q->cap = nc;
	}
	char *n = strdup(name), *v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return cd_errf(e, CD_ENOMEM, "query: out of memory");
	}
	q->name[q->n] = n;
	q->value[q->n++] = v;
	return CD_OK;
}

int cs_query_add_arg(cs_query *q, const char *arg, cd_err *e)
{
	if (strncmp(arg, "--", 2) || !arg[2] || arg[2] == '=')
		return cd_errf(e, CD_EUSAGE, "'%s': a filter is --FIELD=VALUE", arg);
	const char *eq = strchr(arg, '=');
	if (!eq)
		return cd_errf(e, CD_EUSAGE, "'%s': a filter is --FIELD=VALUE (no value given)", arg);
	char name[260];
	size_t nl = (size_t)(eq - arg - 2);
	if (nl >= sizeof name)
		return cd_errf(e, CD_EUSAGE, "'%.40s...': field name too long", arg);
	memcpy(name, arg + 2, nl);
	name[nl] = 0;
	for (size_t i = 0; i < nl; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.'))
			return cd_errf(e, CD_EUSAGE, "'%s': '%s' is not a field name", arg, name);
	}
	const char *v = eq + 1;
	size_t vl = strlen(v);
	if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
		char *t = strndup(v + 1, vl - 2);
		if (!t)
			return cd_errf(e, CD_ENOMEM, "out of memory");
		int rc = cs_query_add(q, name, t, e);
		free(t);
		return rc;
	}
	return cs_query_add(q, name, v, e);
}

const char *cs_query_get(const cs_query *q, const char *name, size_t idx)
{
	for (size_t i = 0; i < q->n; i++)
		if (!strcmp(q->name[i], name) && idx-- == 0)
			return q->value[i];
	return NULL;
}

void cs_query_remove(cs_query *q, const char *name)
{
	size_t k = 0;
	for (size_t i = 0; i < q->n; i++) {
		if (!strcmp(q->name[i], name)) {
			free(q->name[i]);
			free(q->value[i]);
			continue;
		}
		q->name[k] = q->name[i];
		q->value[k++] = q->value[i];
	}
	q->n = k;
}

char *cs_query_encode(const cs_query *q)
{
	cd_buf b;
	cd_buf_init(&b, 4u << 20);
	cd_buf_puts(&b, "");
	for (size_t i = 0; i < q->n; i++) {
		if (i)
			cd_buf_puts(&b, "&");
		cs__encode(&b, q->name[i]);
		cd_buf_puts(&b, "=");
		cs__encode(&b, q->value[i]);
	}
	if (b.overflow) {
		cd_buf_free(&b);
		return NULL;
	}
	return b.data;
}

void cs_search_result_free(cs_search_result *r)
{
	json_decref(r->hits);
	json_decref(r->facets);
	json_decref(r->errors);
	memset(r, 0, sizeof *r);
}

size_t cs_search_ids(const cs_search_result *r, char (**ids)[CS_ID_LEN + 1])
{
	*ids = NULL;
	size_t n = json_array_size(r->hits), k = 0;
	if (!n)
		return 0;
	char(*v)[CS_ID_LEN + 1] = calloc(n, sizeof *v);
	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const char *u = json_string_value(json_object_get(json_array_get(r->hits, i), "uuid"));
		if (u && cs_crash_id_valid(u))
			memcpy(v[k++], u, CS_ID_LEN + 1);
	}
	*ids = v;
	return k;
}

static int parse_size(const char *v, size_t *out)
{
	char *end;
	unsigned long long x = v ? strtoull(v, &end, 10) : 0;
	if (!v || end == v || *end)
		return 0;
	*out = (size_t)x;
	return 1;
}

cs_status cs__search_page(json_t *doc, cs_search_result *out, size_t limit, int first,
			  size_t *got, char *msg, size_t msgsize)
{
	*got = 0;
	json_t *hits = json_object_get(doc, "hits");
	json_t *total = json_object_get(doc, "total");
	if (!json_is_array(hits) || !json_is_integer(total) || json_integer_value(total) < 0) {
		snprintf(msg, msgsize,
			 "SuperSearch: answer without a \"hits\" list and a \"total\" count");
		return CS_FAILED;
	}
	out->total = json_integer_value(total);
	if (first) {
		json_t *f = json_object_get(doc, "facets");
		if (json_is_object(f))
			json_object_update(out->facets, f);
	}
	json_t *errs = json_object_get(doc, "errors");
	if (json_is_array(errs))
		json_array_extend(out->errors, errs);
	*got = json_array_size(hits);
	for (size_t i = 0; i < *got && json_array_size(out->hits) < limit; i++) {
		json_t *h = json_array_get(hits, i);
		/* A hit is an object of columns; anything else is not kept. */
		if (json_is_object(h))
			json_array_append(out->hits, h);
	}
	return CS_OK;
}

cs_status cs_search(cs_client *c, const cs_query *q0, size_t limit, cs_progress_fn progress,
		    void *ctx, const atomic_int *cancel, cs_search_result *out, char *msg,
		    size_t msgsize)
{
	memset(out, 0, sizeof *out);
	char dummy[8];
	if (!msg) {
		msg = dummy;
		msgsize = sizeof dummy;
	}
	msg[0] = 0;
	cs_query q;
	cs_query_init(&q);
	cd_err e;
	size_t offset = 0;
	parse_size(cs_query_get(q0, "_results_offset", 0), &offset);
	int facets_wanted = 1;
	for (size_t i = 0; i < q0->n; i++) {
		if (!strcmp(q0->name[i], "_results_number") || !strcmp(q0->name[i], "_results_offset"))
			continue;
		if (cs_query_add(&q, q0->name[i], q0->value[i], &e) != CD_OK) {
			snprintf(msg, msgsize, "%s", e.msg);
			cs_query_free(&q);
			return CS_FAILED;
		}
	}
	const char *fs = cs_query_get(q0, "_facets_size", 0);
	if (fs && !strcmp(fs, "0"))
		facets_wanted = 0;
	if (!limit || limit > CS_WINDOW_MAX)
		limit = CS_WINDOW_MAX;
	out->hits = json_array();
	out->facets = json_object();
	out->errors = json_array();
	cs_status st = CS_OK;
	size_t base = q.n;
	for (int page = 0;; page++) {
		size_t want = limit - json_array_size(out->hits);
		if (want > CS_PAGE_MAX)
			want = CS_PAGE_MAX;
		if (offset + want > CS_WINDOW_MAX)
			want = offset < CS_WINDOW_MAX ? CS_WINDOW_MAX - offset : 0;
		if (!want) {
			out->truncated = (int64_t)json_array_size(out->hits) < out->total;
			break;
		}
		char num[32], off[32];
		snprintf(num, sizeof num, "%zu", want);
		snprintf(off, sizeof off, "%zu", offset);
		/* Paging controls go last, replaced on each page. */
		while (q.n > base) {
			q.n--;
			free(q.name[q.n]);
			free(q.value[q.n]);
		}
		int rc = cs_query_add(&q, "_results_number", num, &e);
		if (rc == CD_OK)
			rc = cs_query_add(&q, "_results_offset", off, &e);
		if (rc == CD_OK && page > 0 && facets_wanted)
			rc = cs_query_add(&q, "_facets_size", "0", &e);
		char *qs = rc == CD_OK ? cs_query_encode(&q) : NULL;
		if (!qs) {
			snprintf(msg, msgsize, "SuperSearch: query too long or out of memory");
			st = CS_FAILED;
			break;
		}
		json_t *doc;
		st = cs_get_json(c, "SuperSearch", qs, &doc, msg, msgsize, cancel);
		free(qs);
		if (st != CS_OK)
			break;
		size_t got = 0;
		st = cs__search_page(doc, out, limit, page == 0, &got, msg, msgsize);
		json_decref(doc);
		if (st != CS_OK)
			break;
		offset += got;
		if (progress) {
			size_t tot = out->total > 0 ? (size_t)out->total : 0;
			progress(ctx, json_array_size(out->hits), tot < limit ? tot : limit);
		}
		if (!got || (int64_t)offset >= out->total) /* the end */
			break;
		if (json_array_size(out->hits) >= limit) {
			out->truncated = (int64_t)json_array_size(out->hits) < out->total;
			break;
		}
	}
	cs_query_free(&q);
	if (st != CS_OK) {
		cs_search_result_free(out);
		if (strncmp(msg, "SuperSearch", 11) != 0) {
			char t[400];
			snprintf(t, sizeof t, "SuperSearch: %s", msg);
			snprintf(msg, msgsize, "%s", t);
		}
	}
	return st;
}

static cs_status by_signatures(cs_client *c, const char *endpoint, const char *const *sigs,
			       size_t n, json_t **out, char *msg, size_t msgsize)
{
	*out = NULL;
	cd_buf b;
	cd_buf_init(&b, 1u << 20);
	cd_buf_puts(&b, "");
	for (size_t i = 0; i < n; i++) {
		cd_buf_puts(&b, i ? "&signatures=" : "signatures=");
		cs__encode(&b, sigs[i]);
	}
	if (b.overflow) {
		cd_buf_free(&b);
		if (msg)
			snprintf(msg, msgsize, "%s: too many signatures", endpoint);
		return CS_FAILED;
	}
	json_t *doc;
	cs_status st = cs_get_json(c, endpoint, b.data, &doc, msg, msgsize, NULL);
	cd_buf_free(&b);
	if (st != CS_OK)
		return st;
	json_t *hits = json_object_get(doc, "hits");
	if (!json_is_array(hits)) {
		if (msg)
			snprintf(msg, msgsize, "%s: answer without a \"hits\" list", endpoint);
		json_decref(doc);
		return CS_FAILED;
	}
	*out = json_incref(hits);
	json_decref(doc);
	return CS_OK;
}

cs_status cs_signature_first_dates(cs_client *c, const char *const *sigs, size_t n,
				   json_t **out, char *msg, size_t msgsize)
{
	return by_signatures(c, "SignatureFirstDate", sigs, n, out, msg, msgsize);
}

cs_status cs_signature_bugs(cs_client *c, const char *const *sigs, size_t n, json_t **out,
			    char *msg, size_t msgsize)
{
	return by_signatures(c, "Bugs", sigs, n, out, msg, msgsize);
}
