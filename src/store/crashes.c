/* crashes.c - the Crash Stats tables of the store: fetched crashes, their
 * raw and processed documents, dumps, searches and reprocess results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static int64_t now_s(void) { return (int64_t)time(NULL); }

static int valid_id(const char *id, cd_err *e)
{
	if (!id || strlen(id) != 36)
		return cd_errf(e, CD_EUSAGE, "store: '%s' is not a crash id", id ? id : "(null)");
	return CD_OK;
}

static void bind_crash(sqlite3_stmt *s, const void *ctx)
{
	const store_crash *c = ctx;
	store__bind_text(s, 1, c->crash_id);
	store__bind_text(s, 2, c->date);
	store__bind_text(s, 3, c->product);
	store__bind_text(s, 4, c->version);
	store__bind_text(s, 5, c->channel);
	store__bind_text(s, 6, c->signature);
	sqlite3_bind_int64(s, 7, now_s());
}

int store_crash_put(store *st, const store_crash *c, cd_err *e)
{
	int rc = valid_id(c->crash_id, e);
	if (rc != CD_OK)
		return rc;
	return store__write1(st,
		      "INSERT INTO cs_crashes (crash_id, date, product, version, channel, "
		      "  signature, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
		      "ON CONFLICT (crash_id) DO UPDATE SET "
		      "  date = coalesce(excluded.date, date), "
		      "  product = coalesce(excluded.product, product), "
		      "  version = coalesce(excluded.version, version), "
		      "  channel = coalesce(excluded.channel, channel), "
		      "  signature = coalesce(excluded.signature, signature), "
		      "  fetched_at = excluded.fetched_at",
		      bind_crash, c, "recording a fetched crash", e);
}

typedef struct doc_args {
	const char *id, *kind;
	int public_only;
	store_body b;
} doc_args;

static void bind_doc(sqlite3_stmt *s, const void *ctx)
{
	const doc_args *a = ctx;
	store__bind_text(s, 1, a->id);
	store__bind_text(s, 2, a->kind);
	sqlite3_bind_int(s, 3, a->public_only);
	store__bind_body(s, 4, &a->b);
	sqlite3_bind_int64(s, 7, now_s());
}

static int check_kind(const char *kind, cd_err *e)
{
	if (!kind || (strcmp(kind, "raw") && strcmp(kind, "processed")))
		return cd_errf(e, CD_EUSAGE, "store: document kind '%s' is neither raw nor processed",
			       kind ? kind : "(null)");
	return CD_OK;
}

int store_crash_doc_put(store *st, const char *crash_id, const char *kind, const char *json,
			int public_only, cd_err *e)
{
	int rc = valid_id(crash_id, e);
	if (rc == CD_OK)
		rc = check_kind(kind, e);
	if (rc != CD_OK)
		return rc;
	size_t len = strlen(json);
	if (len > STORE_PROCESSED_MAX)
		return cd_errf(e, CD_EUSAGE, "%s %s crash: %zu bytes, more than %u", crash_id, kind,
			       len, STORE_PROCESSED_MAX);
	doc_args a = { crash_id, kind, public_only != 0, { 0 } };
	if (store__encode_body(json, len, &a.b) != CD_OK)
		return cd_errf(e, CD_ENOMEM, "%s %s crash: out of memory", crash_id, kind);
	rc = store__write1(st,
		    "INSERT OR REPLACE INTO cs_docs (crash_id, kind, public_only, encoding, raw_size, "
		    "  body, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		    bind_doc, &a, "storing a crash document", e);
	store__body_free(&a.b);
	return rc;
}

int store_crash_doc_get(store *st, const char *crash_id, const char *kind, char **json,
			int *public_only, cd_err *e)
{
	*json = NULL;
	int rc = valid_id(crash_id, e);
	if (rc == CD_OK)
		rc = check_kind(kind, e);
	if (rc != CD_OK)
		return rc;
	sqlite3_stmt *s;
	rc = store__prepare(st,
			    "SELECT public_only, encoding, raw_size, body FROM cs_docs "
			    "WHERE crash_id = ?1 AND kind = ?2",
			    &s, "reading a crash document", e);
	if (rc != CD_OK)
		return rc;
	store__bind_text(s, 1, crash_id);
	store__bind_text(s, 2, kind);
	int src = sqlite3_step(s);
	if (src != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (src == SQLITE_DONE)
			return cd_errf(e, CD_ENOTFOUND, "%s: no %s crash stored", crash_id, kind);
		return store__err(st, src, "reading a crash document", e);
	}
	if (public_only)
		*public_only = sqlite3_column_int(s, 0);
	char *text = NULL;
	rc = store__decode_body(s, 1, &text);
	sqlite3_finalize(s);
	if (rc != CD_OK) {
		free(text);
		return cd_errf(e, rc, "%s: stored %s crash of %s is %s", store_path(st), kind,
			       crash_id, rc == CD_ENOMEM ? "too large for memory" : "damaged");
	}
	*json = text;
	return CD_OK;
}

typedef struct dump_args {
	const char *id, *name, *sha, *path;
	uint64_t size;
} dump_args;

static void bind_dump(sqlite3_stmt *s, const void *ctx)
{
	const dump_args *a = ctx;
	store__bind_text(s, 1, a->id);
	store__bind_text(s, 2, a->name);
	store__bind_text(s, 3, a->sha);
	sqlite3_bind_int64(s, 4, (int64_t)a->size);
	store__bind_text(s, 5, a->path);
	sqlite3_bind_int64(s, 6, now_s());
}

int store_crash_dump_put(store *st, const char *crash_id, const char *name, const char *sha256,
			 uint64_t size, const char *path, cd_err *e)
{
	int rc = valid_id(crash_id, e);
	if (rc != CD_OK)
		return rc;
	if (!name || !*name || !sha256 || strlen(sha256) != 64 || !path || !*path)
		return cd_errf(e, CD_EUSAGE, "%s: dump record needs a name, a SHA-256 and a path",
			       crash_id);
	dump_args a = { crash_id, name, sha256, path, size };
	return store__write1(st,
		      "INSERT OR REPLACE INTO cs_dumps (crash_id, name, sha256, size, path, "
		      "  fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		      bind_dump, &a, "recording a dump", e);
}

int store_crash_dump_get(store *st, const char *crash_id, const char *name, char *path,
			 size_t pathsize, char sha[65], cd_err *e)
{
	sqlite3_stmt *s;
	int rc = store__prepare(st, "SELECT path, sha256 FROM cs_dumps WHERE crash_id = ?1 AND name = ?2", &s,
		      "reading a dump record", e);
	if (rc != CD_OK)
		return rc;
	store__bind_text(s, 1, crash_id);
	store__bind_text(s, 2, name);
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(s, 0);
		const char *h = (const char *)sqlite3_column_text(s, 1);
		if (!p || strlen(p) >= pathsize || !h || strlen(h) != 64)
			rc = cd_errf(e, CD_EFORMAT, "%s: dump record of %s is damaged", store_path(st),
				     crash_id);
		else {
			memcpy(path, p, strlen(p) + 1);
			if (sha)
				memcpy(sha, h, 65);
		}
	} else if (src == SQLITE_DONE)
		rc = cd_errf(e, CD_ENOTFOUND, "%s: no %s stored", crash_id, name);
	else
		rc = store__err(st, src, "reading a dump record", e);
	sqlite3_finalize(s);
	return rc;
}

typedef struct sigbugs_args {
	const char *signature, *bugs;
} sigbugs_args;

static void bind_sigbugs(sqlite3_stmt *s, const void *ctx)
{
	const sigbugs_args *a = ctx;
	store__bind_text(s, 1, a->signature);
	store__bind_text(s, 2, a->bugs);
	sqlite3_bind_int64(s, 3, now_s());
}

int store_sigbugs_put(store *st, const char *signature, const char *bugs, cd_err *e)
{
	if (!signature || !bugs)
		return cd_errf(e, CD_EUSAGE, "store: a signature's bugs need both");
	sigbugs_args a = { signature, bugs };
	return store__write1(st,
			     "INSERT OR REPLACE INTO cs_sigbugs (signature, bugs, fetched_at) "
			     "VALUES (?1, ?2, ?3)",
			     bind_sigbugs, &a, "recording a signature's bugs", e);
}

int store_sigbugs_get(store *st, const char *signature, char **bugs, int64_t *fetched_at,
		      cd_err *e)
{
	*bugs = NULL;
	sqlite3_stmt *s;
	int rc = store__prepare(st, "SELECT bugs, fetched_at FROM cs_sigbugs WHERE signature = ?1",
				&s, "reading a signature's bugs", e);
	if (rc != CD_OK)
		return rc;
	store__bind_text(s, 1, signature);
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(s, 0);
		if (fetched_at)
			*fetched_at = sqlite3_column_int64(s, 1);
		if (!b || !(*bugs = strdup(b)))
			rc = cd_errf(e, CD_ENOMEM, "reading a signature's bugs: out of memory");
	} else if (src == SQLITE_DONE) {
		rc = cd_errf(e, CD_ENOTFOUND, "no bugs stored for the signature");
	} else {
		rc = store__err(st, src, "reading a signature's bugs", e);
	}
	sqlite3_finalize(s);
	return rc;
}

void store_crash_rows_free(store_crash_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].crash_id);
		free(rows[i].date);
		free(rows[i].product);
		free(rows[i].version);
		free(rows[i].channel);
		free(rows[i].signature);
	}
	free(rows);
}

int store_crash_list(store *st, size_t max, store_crash_row **out, size_t *n, cd_err *e)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s;
	int rc = store__prepare(st,
				"SELECT c.crash_id, date, product, version, channel, signature, c.fetched_at, "
				"  EXISTS (SELECT 1 FROM cs_docs d WHERE d.crash_id = c.crash_id "
				"          AND kind = 'raw'), "
				"  EXISTS (SELECT 1 FROM cs_docs d WHERE d.crash_id = c.crash_id "
				"          AND kind = 'processed'), "
				"  EXISTS (SELECT 1 FROM cs_dumps m WHERE m.crash_id = c.crash_id) "
				"FROM cs_crashes c ORDER BY c.fetched_at DESC, c.crash_id LIMIT ?1",
				&s, "listing fetched crashes", e);
	if (rc != CD_OK)
		return rc;
	sqlite3_bind_int64(s, 1, max ? (int64_t)max : -1);
	store_crash_row *rows = NULL;
	size_t cnt = 0, cap = 0;
	int src, oom = 0;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? 2 * cap : 16;
			store_crash_row *g = realloc(rows, nc * sizeof *g);
			if (!g) {
				oom = 1;
				break;
			}
			rows = g;
			cap = nc;
		}
		store_crash_row *r = &rows[cnt++];
		memset(r, 0, sizeof *r);
		r->crash_id = store__col_dup(s, 0, &oom);
		r->date = store__col_dup(s, 1, &oom);
		r->product = store__col_dup(s, 2, &oom);
		r->version = store__col_dup(s, 3, &oom);
		r->channel = store__col_dup(s, 4, &oom);
		r->signature = store__col_dup(s, 5, &oom);
		r->fetched_at = sqlite3_column_int64(s, 6);
		r->has_raw = sqlite3_column_int(s, 7);
		r->has_processed = sqlite3_column_int(s, 8);
		r->has_dump = sqlite3_column_int(s, 9);
		if (oom)
			break;
	}
	if (oom)
		rc = cd_errf(e, CD_ENOMEM, "%s: out of memory listing crashes", store_path(st));
	else if (src != SQLITE_DONE)
		rc = store__err(st, src, "listing fetched crashes", e);
	sqlite3_finalize(s);
	if (rc != CD_OK) {
		store_crash_rows_free(rows, cnt);
		return rc;
	}
	*out = rows;
	*n = cnt;
	return CD_OK;
}

int store_search_put(store *st, const char *query, const char *base_url, int64_t total,
		     const char *facets_json, const char (*ids)[37], size_t nids,
		     int64_t *search_id, cd_err *e)
{
	int rc = store__begin(st, e);
	if (rc != CD_OK)
		return rc;
	sqlite3_stmt *s;
	rc = store__prepare(st,
			    "INSERT INTO cs_searches (query, base_url, made_at, total, facets) "
			    "VALUES (?1, ?2, ?3, ?4, ?5)",
			    &s, "recording a search", e);
	if (rc == CD_OK) {
		store__bind_text(s, 1, query ? query : "");
		store__bind_text(s, 2, base_url ? base_url : "");
		sqlite3_bind_int64(s, 3, now_s());
		sqlite3_bind_int64(s, 4, total);
		store__bind_text(s, 5, facets_json);
		rc = store__step_done(st, s, "recording a search", e);
	}
	int64_t sid = sqlite3_last_insert_rowid(store__db(st));
	if (rc == CD_OK)
		rc = store__prepare(st, "INSERT INTO cs_search_hits (search_id, pos, crash_id) VALUES (?1, ?2, ?3)",
			  &s, "recording a search", e);
	if (rc == CD_OK) {
		for (size_t i = 0; i < nids && rc == CD_OK; i++) {
			sqlite3_reset(s);
			sqlite3_bind_int64(s, 1, sid);
			sqlite3_bind_int64(s, 2, (int64_t)i);
			store__bind_text(s, 3, ids[i]);
			int src = sqlite3_step(s);
			if (src != SQLITE_DONE)
				rc = store__err(st, src, "recording a search", e);
		}
		sqlite3_finalize(s);
	}
	rc = store__end(st, rc, e);
	if (rc == CD_OK && search_id)
		*search_id = sid;
	return rc;
}

int store_search_ids(store *st, int64_t search_id, char (**ids)[37], size_t *n, cd_err *e)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *s;
	int rc = store__prepare(st, "SELECT crash_id FROM cs_search_hits WHERE search_id = ?1 ORDER BY pos",
		      &s, "reading a search", e);
	if (rc != CD_OK)
		return rc;
	sqlite3_bind_int64(s, 1, search_id);
	char(*v)[37] = NULL;
	size_t cnt = 0, cap = 0;
	int src;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? 2 * cap : 64;
			char(*g)[37] = realloc(v, nc * sizeof *g);
			if (!g) {
				rc = cd_errf(e, CD_ENOMEM, "out of memory reading a search");
				break;
			}
			v = g;
			cap = nc;
		}
		const char *t = (const char *)sqlite3_column_text(s, 0);
		snprintf(v[cnt++], 37, "%s", t ? t : "");
	}
	if (rc == CD_OK && src != SQLITE_DONE)
		rc = store__err(st, src, "reading a search", e);
	sqlite3_finalize(s);
	if (rc != CD_OK) {
		free(v);
		return rc;
	}
	*ids = v;
	*n = cnt;
	return CD_OK;
}

typedef struct rep_args {
	const char *id, *symkey, *json;
	int differences;
} rep_args;

static void bind_rep(sqlite3_stmt *s, const void *ctx)
{
	const rep_args *a = ctx;
	store__bind_text(s, 1, a->id);
	store__bind_text(s, 2, a->symkey);
	sqlite3_bind_int64(s, 3, now_s());
	sqlite3_bind_int(s, 4, a->differences);
	store__bind_text(s, 5, a->json);
}

int store_reprocess_put(store *st, const char *crash_id, const char *symkey, int differences,
			const char *report_json, cd_err *e)
{
	int rc = valid_id(crash_id, e);
	if (rc != CD_OK)
		return rc;
	rep_args a = { crash_id, symkey ? symkey : "", report_json, differences };
	return store__write1(st,
		      "INSERT OR REPLACE INTO cs_reprocess (crash_id, symkey, made_at, differences, "
		      "  report) VALUES (?1, ?2, ?3, ?4, ?5)",
		      bind_rep, &a, "storing a reprocess result", e);
}

int store_reprocess_get(store *st, const char *crash_id, const char *symkey, char **json,
			int *differences, cd_err *e)
{
	*json = NULL;
	sqlite3_stmt *s;
	int rc = store__prepare(st,
				"SELECT differences, report FROM cs_reprocess WHERE crash_id = ?1 AND symkey = ?2",
				&s, "reading a reprocess result", e);
	if (rc != CD_OK)
		return rc;
	store__bind_text(s, 1, crash_id);
	store__bind_text(s, 2, symkey ? symkey : "");
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		if (differences)
			*differences = sqlite3_column_int(s, 0);
		const char *t = (const char *)sqlite3_column_text(s, 1);
		if (!(*json = strdup(t ? t : "")))
			rc = cd_errf(e, CD_ENOMEM, "out of memory reading a reprocess result");
	} else if (src == SQLITE_DONE)
		rc = cd_errf(e, CD_ENOTFOUND, "%s: no reprocess result stored", crash_id);
	else
		rc = store__err(st, src, "reading a reprocess result", e);
	sqlite3_finalize(s);
	return rc;
}
