/*
 * csjobs.c - the worker's Crash Stats jobs: a search (paged by the client,
 * progress per page), a crash fetched into the store and opened from it,
 * and a local reprocess compared with Socorro's. They run on the worker
 * thread with its own store connection (the UI's stays on the UI thread;
 * WAL lets both read and write), and stop between requests on cancel.
 *
 * The API token stays inside the cs_client: the worker's copy of the
 * configuration is wiped once the client exists, and every message shown
 * comes from the client, which scrubs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../signature/signature.h"
#include "worker_int.h"

void worker_cs_setup(tui_worker *w, const cs_config *cfg, const char *symkey)
{
	pthread_mutex_lock(&w->lock);
	if (cfg) {
		w->cs.cfg = *cfg;
		w->cs.have_cfg = 1;
	}
	snprintf(w->cs.symkey, sizeof w->cs.symkey, "%s", symkey && *symkey ? symkey : "tui");
	pthread_mutex_unlock(&w->lock);
}

void worker_cs_search(tui_worker *w, cs_query *q, const char *text, size_t limit,
		      size_t offset)
{
	pthread_mutex_lock(&w->lock);
	cs_query_free(&w->cs.query);
	w->cs.query = *q;
	cs_query_init(q);
	w->cs.limit = limit;
	w->cs.offset = offset;
	if (text)
		snprintf(w->cs.query_text, sizeof w->cs.query_text, "%s", text);
	/* A search still running gives way to this one. */
	if (w->cs.search == CSJ_RUNNING)
		w->cs.cancel = 1;
	w->cs.search = CSJ_ASKED;
	w->cs.search_msg[0] = 0;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void worker_cs_compare(tui_worker *w, int i, const char *lists_dir)
{
	pthread_mutex_lock(&w->lock);
	w->cs.compare_crash = i;
	snprintf(w->cs.compare_lists, sizeof w->cs.compare_lists, "%s", lists_dir ? lists_dir : "");
	w->cs.compare = CSJ_ASKED;
	w->cs.compare_msg[0] = 0;
	json_decref(w->cs.compare_diff);
	w->cs.compare_diff = NULL;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

int worker_cs_cancel(tui_worker *w)
{
	pthread_mutex_lock(&w->lock);
	int running = w->cs.fetching[0] || w->cs.search == CSJ_RUNNING || w->cs.search == CSJ_ASKED;
	if (running)
		w->cs.cancel = 1;
	pthread_mutex_unlock(&w->lock);
	return running;
}

void worker_search_get(const tui_worker *w, worker_search *out)
{
	out->state = w->cs.search;
	out->hits = w->cs.hits;
	out->facets = w->cs.facets;
	out->total = w->cs.total;
	out->msg = w->cs.search_msg;
	out->seq = w->cs.search_seq;
}

void worker_compare_get(const tui_worker *w, worker_compare *out)
{
	out->state = w->cs.compare;
	out->diff = w->cs.compare_diff;
	out->msg = w->cs.compare_msg;
	out->seq = w->cs.compare_seq;
}

/* Worker thread, without the lock. */
static int ensure_db(tui_worker *w, cd_err *e)
{
	if (w->cs.db)
		return CD_OK;
	return store_open(w->cs.db_path[0] ? w->cs.db_path : NULL, &w->cs.db, e);
}

static int ensure_client(tui_worker *w, cd_err *e)
{
	if (w->cs.client)
		return CD_OK;
	if (!w->cs.have_cfg)
		return cd_errf(e, CD_EUSAGE, "Crash Stats is not configured");
	int rc = cs_client_new(&w->cs.cfg, &w->cs.client, e);
	/* The client has its own copy; this one is not needed again. */
	cd_wipe(w->cs.cfg.token, sizeof w->cs.cfg.token);
	return rc;
}

static void search_progress(void *ctx, size_t done, size_t total)
{
	tui_worker *w = ctx;
	pthread_mutex_lock(&w->lock);
	w->cs.done = done;
	w->cs.total_wanted = total;
	worker__bump(w);
	pthread_mutex_unlock(&w->lock);
}

/* Under the lock on entry and return. */
static void run_search(tui_worker *w)
{
	cs_query q = w->cs.query;
	cs_query_init(&w->cs.query);
	size_t limit = w->cs.limit, offset = w->cs.offset;
	w->cs.search = CSJ_RUNNING;
	w->cs.cancel = 0;
	w->cs.done = 0;
	w->cs.total_wanted = limit;
	worker__bump(w);
	pthread_mutex_unlock(&w->lock);

	cd_err e = { .msg = "" };
	char msg[512] = "";
	cs_search_result r;
	memset(&r, 0, sizeof r);
	cs_status st = CS_FAILED;
	if (ensure_client(w, &e) != CD_OK) {
		snprintf(msg, sizeof msg, "%s", e.msg);
	} else {
		if (offset) {
			char off[32];
			snprintf(off, sizeof off, "%zu", offset);
			cs_query_remove(&q, "_results_offset");
			cs_query_add(&q, "_results_offset", off, &e);
		}
		st = cs_search(w->cs.client, &q, limit, search_progress, w, &w->cs.cancel, &r, msg,
			       sizeof msg);
	}
	if (st == CS_OK && ensure_db(w, &e) == CD_OK) {
		/* Every page asked for is remembered like `crashdesk search`'s. */
		char(*ids)[CS_ID_LEN + 1] = NULL;
		size_t n = cs_search_ids(&r, &ids);
		char *qs = cs_query_encode(&q);
		char *facets = json_dumps(r.facets, JSON_COMPACT);
		if (qs)
			store_search_put(w->cs.db, qs, cs_client_url(w->cs.client), r.total, facets,
					 (const char(*)[37])ids, n, NULL, &e);
		free(qs);
		free(facets);
		free(ids);
	}
	cs_query_free(&q);

	pthread_mutex_lock(&w->lock);
	if (w->cs.search == CSJ_ASKED) {
		/* Another search was asked for meanwhile: this one is stale. */
	} else if (st == CS_OK) {
		if (!offset || !w->cs.hits) {
			json_decref(w->cs.hits);
			json_decref(w->cs.facets);
			w->cs.hits = json_incref(r.hits);
			w->cs.facets = json_incref(r.facets);
		} else {
			json_array_extend(w->cs.hits, r.hits);
		}
		w->cs.total = r.total;
		w->cs.search = CSJ_DONE;
	} else {
		snprintf(w->cs.search_msg, sizeof w->cs.search_msg, "%s",
			 st == CS_SKIPPED ? "search canceled" : msg[0] ? msg : cs_status_name(st));
		w->cs.search = CSJ_FAILED;
	}
	w->cs.search_seq++;
	worker__bump(w);
	cs_search_result_free(&r);
}

/* The local signature: the walk with the raw crash's annotations (the
 * rules read some), signed with the lists of dir (NULL: built-in), as
 * `crashdesk reprocess` does. NULL when it cannot be made. */
static char *local_signature(json_t *local, json_t *raw, const char *dir)
{
	json_t *doc = json_deep_copy(local);
	if (doc && json_is_object(raw))
		json_object_set(doc, "annotations", raw);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL, *out = NULL;
	sig_lists *l = NULL;
	sig_signer *sg = NULL;
	const sig_result *r;
	cd_err e;
	if (text && sig_lists_load(dir, &l, &e) == CD_OK && sig_signer_new(l, &sg, &e) == CD_OK &&
	    sig_sign_json(sg, text, strlen(text), &r, &e) == CD_OK && r->signature)
		out = strdup(r->signature);
	free(text);
	sig_signer_free(sg);
	sig_lists_free(l);
	json_decref(doc);
	return out;
}

static json_t *load_doc(store *db, const char *id, const char *kind)
{
	char *text = NULL;
	cd_err e;
	if (store_crash_doc_get(db, id, kind, &text, NULL, &e) != CD_OK)
		return NULL;
	json_t *doc = json_loads(text, 0, NULL);
	free(text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* Under the lock on entry and return. */
static void run_compare(tui_worker *w)
{
	int ci = w->cs.compare_crash;
	char *path = ci >= 0 && (uint32_t)ci < w->ncrashes ? strdup(w->crashes[ci].path) : NULL;
	char lists[4096];
	memcpy(lists, w->cs.compare_lists, sizeof lists);
	w->cs.compare = CSJ_RUNNING;
	w->busy = 1;
	w->busy_crash = (uint32_t)(ci >= 0 ? ci : 0);
	w->threads_done = w->threads_total = 0;
	worker__bump(w);
	pthread_mutex_unlock(&w->lock);

	cd_err e = { .msg = "" };
	json_t *proc = NULL, *raw = NULL, *diff = NULL;
	rep_crash *local = NULL;
	char dump[4400];
	const size_t plen = strlen(CS_PATH_PREFIX);
	const char *id = path && !strncmp(path, CS_PATH_PREFIX, plen) ? path + plen : NULL;
	if (!id)
		cd_errf(&e, CD_EUSAGE, "not a crash from Crash Stats: nothing to compare with");
	else if (ensure_db(w, &e) != CD_OK)
		;
	else if (!(proc = load_doc(w->cs.db, id, "processed")))
		cd_errf(&e, CD_ENOTFOUND, "%s: no processed crash stored", id);
	else if (store_crash_dump_get(w->cs.db, id, "upload_file_minidump", dump, sizeof dump, NULL,
				      &e) != CD_OK)
		cd_errf(&e, CD_ENOTFOUND,
			"%s: no minidump stored (dumps need an API token: CRASHSTATS_API_TOKEN)", id);
	else if (rep_open(dump,
			  &(rep_opts){ .symbols = w->net ? w->net : w->store, .db = w->cs.db,
				       .reuse = 1, .progress = worker__walk_progress,
				       .progress_ctx = w, .cancel = &w->cancel },
			  &local, &e) != CD_OK)
		;
	else {
		raw = load_doc(w->cs.db, id, "raw");
		char *sig = local_signature(local->doc, raw, lists[0] ? lists : NULL);
		diff = cs_reprocess_diff(proc, local->doc, sig);
		free(sig);
		char *text = diff ? json_dumps(diff, JSON_COMPACT) : NULL;
		if (text)
			store_reprocess_put(w->cs.db, id, w->cs.symkey,
					    (int)json_integer_value(json_object_get(diff, "differences")),
					    text, &e);
		free(text);
	}
	json_decref(proc);
	json_decref(raw);
	rep_free(local);
	free(path);

	pthread_mutex_lock(&w->lock);
	w->busy = 0;
	if (w->cs.compare == CSJ_ASKED) {
		json_decref(diff); /* another crash was asked for meanwhile */
	} else if (diff) {
		w->cs.compare_diff = diff;
		w->cs.compare = CSJ_DONE;
	} else {
		snprintf(w->cs.compare_msg, sizeof w->cs.compare_msg, "%s",
			 e.msg[0] ? e.msg : "cannot compare");
		w->cs.compare = CSJ_FAILED;
	}
	w->cs.compare_seq++;
	worker__bump(w);
}

int worker__cs_step(tui_worker *w)
{
	if (w->cs.search == CSJ_ASKED) {
		run_search(w);
		return 1;
	}
	if (w->cs.compare == CSJ_ASKED) {
		run_compare(w);
		return 1;
	}
	return 0;
}

typedef struct fetched {
	cs_part processed, dump;
} fetched;

static void on_fetched(void *ctx, const cs_fetch_report *r)
{
	fetched *f = ctx;
	f->processed = r->processed;
	f->dump = r->dump;
}

/* The bugs Crash Stats associates with the crash's signature (its report
 * page lists them): asked at most once a day, kept in the store so that
 * an offline session shows what was last known. Failures leave the old
 * answer (or none: the summary then says they were not asked). */
static void refresh_bugs(tui_worker *w, json_t *proc)
{
	const char *sig = json_string_value(json_object_get(proc, "signature"));
	char *old = NULL, msg[512];
	int64_t at = 0;
	cd_err e;
	if (!sig || !*sig)
		return;
	int have = store_sigbugs_get(w->cs.db, sig, &old, &at, &e) == CD_OK;
	free(old);
	if ((have && time(NULL) - at < 86400) || ensure_client(w, &e) != CD_OK)
		return;
	json_t *hits = NULL;
	if (cs_signature_bugs(w->cs.client, &sig, 1, &hits, msg, sizeof msg) != CS_OK)
		return;
	/* Each bug once, in the order given. */
	json_t *ids = json_array(), *h;
	size_t i, k;
	json_array_foreach(hits, i, h) {
		json_t *id = json_object_get(h, "id"), *seen;
		const char *hs = json_string_value(json_object_get(h, "signature"));
		if (!json_is_integer(id) || (hs && strcmp(hs, sig)))
			continue;
		int dup = 0;
		json_array_foreach(ids, k, seen)
			dup |= json_integer_value(seen) == json_integer_value(id);
		if (!dup)
			json_array_append(ids, id);
	}
	char *text = json_dumps(ids, JSON_COMPACT);
	if (text)
		store_sigbugs_put(w->cs.db, sig, text, &e);
	free(text);
	json_decref(ids);
	json_decref(hits);
}

json_t *worker__cs_open(tui_worker *w, const char *id, cd_err *e)
{
	if (!cs_crash_id_valid(id)) {
		cd_errf(e, CD_EFORMAT, "'%.64s' is not a crash id", id);
		return NULL;
	}
	if (ensure_db(w, e) != CD_OK)
		return NULL;
	json_t *proc = load_doc(w->cs.db, id, "processed");
	char dump_note[600] = "";
	if (!proc) {
		/* Not fetched yet (or without its processed crash): ask. */
		if (ensure_client(w, e) != CD_OK)
			return NULL;
		pthread_mutex_lock(&w->lock);
		snprintf(w->cs.fetching, sizeof w->cs.fetching, "%s", id);
		worker__bump(w);
		pthread_mutex_unlock(&w->lock);
		char ids[1][CS_ID_LEN + 1];
		snprintf(ids[0], sizeof ids[0], "%s", id);
		fetched f;
		memset(&f, 0, sizeof f);
		f.processed.status = CS_FAILED;
		snprintf(f.processed.msg, sizeof f.processed.msg, "no answer");
		w->cs.cancel = 0;
		/* The dump only with a token: without one it is a certain 403. */
		cs_fetch_opts o = {
			.want = CS_WANT_RAW | CS_WANT_PROCESSED |
				(cs_client_has_token(w->cs.client) ? CS_WANT_DUMP : 0),
			.on_crash = on_fetched, .ctx = &f, .cancel = &w->cs.cancel,
		};
		int rc = cs_fetch(w->cs.client, w->cs.db, (const char(*)[CS_ID_LEN + 1])ids, 1, &o,
				  NULL, e);
		pthread_mutex_lock(&w->lock);
		w->cs.fetching[0] = 0;
		worker__bump(w);
		pthread_mutex_unlock(&w->lock);
		if (rc == CD_ECANCELED) {
			cd_errf(e, rc, "%s: fetch canceled", id);
			return NULL;
		}
		if (rc != CD_OK)
			return NULL;
		if (f.processed.status != CS_OK) {
			cd_errf(e, CD_ENOTFOUND, "%s: processed crash %s: %s", id,
				cs_status_name(f.processed.status), f.processed.msg);
			return NULL;
		}
		if (f.dump.status != CS_OK)
			snprintf(dump_note, sizeof dump_note, "not fetched: %s",
				 f.dump.status == CS_SKIPPED ? "needs an API token (CRASHSTATS_API_TOKEN)"
							     : f.dump.msg);
		if (!(proc = load_doc(w->cs.db, id, "processed"))) {
			cd_errf(e, CD_EFORMAT, "%s: the processed crash stored is not a JSON object", id);
			return NULL;
		}
	}
	refresh_bugs(w, proc);
	json_decref(proc);
	json_t *doc;
	if (rep_stored_crash(w->cs.db, id, dump_note, &doc, e) != CD_OK)
		return NULL;
	return doc;
}

void worker__cs_free(tui_worker *w)
{
	cs_query_free(&w->cs.query);
	json_decref(w->cs.hits);
	json_decref(w->cs.facets);
	json_decref(w->cs.compare_diff);
	cs_client_free(w->cs.client);
	store_close(w->cs.db);
	memset(&w->cs, 0, sizeof w->cs);
}
