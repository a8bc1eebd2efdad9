/*
 * pane_tuning.c - signature tuning: the session's signature lists (a
 * working copy of the built-in ones, edited in $EDITOR), a re-sign of the
 * session's crashes, of a Crash Stats search or of everything the cache
 * holds against the built-in lists, and the crashes of one change.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curses.h>

#include "pane.h"
#include "sigpane.h"

/* Loads the lists of dir (NULL: built-in) as the session's, signer and
 * all; the signature panes are built again. */
static int use_lists(app *a, const char *dir)
{
	sig_lists *l;
	sig_signer *sg;
	cd_err e;
	if (sig_lists_load(dir, &l, &e) != CD_OK) {
		app_status(a, TUI_S_ERROR, "%s", e.msg);
		return -1;
	}
	if (sig_signer_new(l, &sg, &e) != CD_OK) {
		sig_lists_free(l);
		app_status(a, TUI_S_ERROR, "%s", e.msg);
		return -1;
	}
	sig_signer_free(a->signer);
	sig_lists_free(a->lists);
	a->lists = l;
	a->signer = sg;
	snprintf(a->lists_dir, sizeof a->lists_dir, "%s", dir ? dir : "");
	a->lists_gen++;
	/* Every pane signed with the lists is signed again. */
	worker_lock(a->w);
	for (int i = 0; i < a->depth; i++) {
		pane *p = &a->stack[i];
		if (!(p->ops->flags & PANE_F_SIGNED))
			continue;
		p->built = 0;
		if (p->ops->build)
			p->ops->build(a, p);
	}
	worker_unlock(a->w);
	size_t nw = sig_lists_nwarnings(l);
	if (nw)
		app_status(a, TUI_S_ERROR, "%s (%zu more)", sig_lists_warning(l, 0), nw - 1);
	return 0;
}

/* The user's working copy of the lists, made from the built-in ones on
 * first use, so the shipped lists are never edited in place. */
static int working_copy(app *a)
{
	if (a->lists_dir[0])
		return 0;
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/siglists", a->config_dir[0] ? a->config_dir : a->o->cache_dir);
	cd_err e;
	struct stat st;
	if (stat(dir, &st) != 0 && sig_lists_write_builtin(dir, &e) != CD_OK) {
		app_status(a, TUI_S_ERROR, "%s", e.msg);
		return -1;
	}
	return use_lists(a, dir);
}

static void tuning_rows(app *a, pane *p);

/* $EDITOR (vi without one) on list file at line, the screen given back
 * while it runs; the lists are read again when it returns. */
void tuning_edit_list(app *a, int list, int line)
{
	if (list < 0 || list >= SIG_NLISTS || working_copy(a) != 0)
		return;
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", a->lists_dir, sig_list_names[list]);
	int rc = tui_edit_file(path, line);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", a->lists_dir);
	if (use_lists(a, dir) == 0)
		app_status(a, rc == 0 ? TUI_S_NORMAL : TUI_S_ERROR, "%s: lists read again%s",
			   sig_list_names[list], rc == 0 ? "" : " (the editor failed)");
	pane *p = pane_top(a);
	if (p && p->ops == &pane_tuning)
		tuning_rows(a, p);
}

/* The session's crashes, and the hits of its Crash Stats search. */
static uint32_t session_counts(app *a, size_t *nhits)
{
	worker_search s;
	worker_lock(a->w);
	worker_search_get(a->w, &s);
	*nhits = json_array_size(s.hits);
	uint32_t n = worker_ncrashes(a->w);
	worker_unlock(a->w);
	return n;
}

static void tuning_rows(app *a, pane *p)
{
	json_t *rows = json_array();
	char buf[4400];
	snprintf(buf, sizeof buf, "%s", a->lists_dir[0] ? a->lists_dir : "built-in (data/siglists)");
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "key", "Lists", "value", buf,
					      "_style", "heading"));
	for (int i = 0; i < SIG_NLISTS; i++) {
		snprintf(buf, sizeof buf, "edit %s in $EDITOR%s", sig_list_names[i],
			 a->lists_dir[0] ? "" : " (a working copy is made first)");
		json_array_append_new(rows, json_pack("{s:s, s:s, s:I}", "key", "Edit", "value", buf,
						      "_edit", (json_int_t)i));
	}
	json_array_append_new(rows, json_pack("{s:s, s:s, s:b}", "key", "Use", "value",
					      "lists from a directory...", "_use", 1));
	size_t nhits;
	uint32_t ncrashes = session_counts(a, &nhits);
	if (ncrashes) {
		snprintf(buf, sizeof buf,
			 "re-sign the %u crash%s of this session (baseline: built-in lists)",
			 ncrashes, ncrashes == 1 ? "" : "es");
		json_array_append_new(rows, json_pack("{s:s, s:s, s:b}", "key", "Re-sign", "value",
						      buf, "_resign", 1));
	}
	if (nhits) {
		snprintf(buf, sizeof buf,
			 "re-sign the %zu crash%s of the Crash Stats search (those fetched into the store)",
			 nhits, nhits == 1 ? "" : "es");
		json_array_append_new(rows, json_pack("{s:s, s:s, s:b}", "key", "Re-sign", "value",
						      buf, "_resign_search", 1));
	}
	if (a->db)
		json_array_append_new(rows, json_pack("{s:s, s:s, s:b}", "key", "Re-sign", "value",
						      "re-sign the crashes in the cache (walked dumps, fetched "
						      "Crash Stats crashes)",
						      "_resign_cache", 1));
	const sig_resig_report *rep;
	cd_err e;
	if (a->resig && sig_resig_report_get(a->resig, &rep, &e) == CD_OK) {
		json_t *more = sigpane_resig_rows(rep, "built-in lists",
						  a->lists_dir[0] ? a->lists_dir : "built-in lists");
		json_array_extend(rows, more);
		json_decref(more);
	}
	pane_set_rows(a, p, rows, 0);
}

/* A new re-sign (built-in lists against the session's); what named the
 * inputs of the last one goes. 0, or -1 after saying why on the status line. */
static int resig_start(app *a)
{
	sig_resig_free(a->resig);
	a->resig = NULL;
	free(a->resig_ids);
	a->resig_ids = NULL;
	a->nresig_ids = 0;
	json_decref(a->resig_rows);
	a->resig_rows = NULL;
	/* The lists as they are now: one edited outside since is read again. */
	if (a->lists_dir[0]) {
		char dir[sizeof a->lists_dir];
		snprintf(dir, sizeof dir, "%s", a->lists_dir);
		if (use_lists(a, dir) != 0)
			return -1;
	}
	cd_err e;
	if (sig_resig_new(a->baseline, a->lists, &a->resig, &e) != CD_OK) {
		app_status(a, TUI_S_ERROR, "%s", e.msg);
		return -1;
	}
	return 0;
}

/* Every walked crash of the session signed with the built-in lists and with
 * the session's: what would change. */
static void resign(app *a, pane *p)
{
	cd_err e;
	if (resig_start(a) != 0)
		return;
	uint32_t n = 0, waiting = 0;
	worker_lock(a->w);
	for (uint32_t i = 0; i < worker_ncrashes(a->w); i++) {
		const tui_crash *c = worker_crash(a->w, i);
		if (c->state != CRASH_READY) {
			waiting += c->state != CRASH_FAILED;
			continue;
		}
		char *text = json_dumps(c->doc, JSON_COMPACT);
		if (text && sig_resig_add(a->resig, text, strlen(text), i, &e) == CD_OK)
			n++;
		free(text);
	}
	worker_unlock(a->w);
	tuning_rows(a, p);
	app_status(a, TUI_S_NORMAL, "%u crashes re-signed%s", n,
		   waiting ? " (some are still being walked)" : "");
}

/* The crashes a Crash Stats search found, those stored, re-signed like
 * the session's: their processed crashes from the store. */
static void resign_search(app *a, pane *p)
{
	cd_err e;
	if (resig_start(a) != 0)
		return;
	worker_search s;
	worker_lock(a->w);
	worker_search_get(a->w, &s);
	size_t nh = json_array_size(s.hits), n = 0;
	char(*ids)[CS_ID_LEN + 1] = calloc(nh ? nh : 1, sizeof *ids);
	for (size_t i = 0; ids && i < nh; i++) {
		const char *id =
			json_string_value(json_object_get(json_array_get(s.hits, i), "uuid"));
		if (id && cs_crash_id_valid(id))
			snprintf(ids[n++], sizeof ids[0], "%s", id);
	}
	worker_unlock(a->w);
	a->resig_ids = ids;
	a->nresig_ids = n;
	size_t signed_n = 0;
	for (size_t k = 0; k < n; k++) {
		char *text = cs_stored_doc_text(a, ids[k]);
		if (text && sig_resig_add(a->resig, text, strlen(text), k, &e) == CD_OK)
			signed_n++;
		free(text);
	}
	tuning_rows(a, p);
	app_status(a, TUI_S_NORMAL, "%zu crash%s of the search re-signed%s", signed_n,
		   signed_n == 1 ? "" : "es",
		   signed_n < n ? " (the others are not fetched yet: open them first)" : "");
}

/* Collects the cache's processed results for resign_cache(). */
typedef struct cache_walk {
	app *a;
	json_t *paths;  /* sha256 -> path of the dump, from the recent list */
	size_t n, signed_n;
} cache_walk;

static int add_cached(void *ctx, const char *sha256, const char *json)
{
	cache_walk *cw = ctx;
	cd_err e;
	const char *path = json_string_value(json_object_get(cw->paths, sha256));
	char name[128];
	snprintf(name, sizeof name, "cache:%.16s", sha256);
	json_t *row = path ? json_pack("{s:s, s:s, s:s}", "text", cd_basename(path), "offset", "",
				       "_path", path)
			   : json_pack("{s:s, s:s}", "text", name, "offset", "");
	json_array_append_new(cw->a->resig_rows, row);
	if (sig_resig_add(cw->a->resig, json, strlen(json), cw->n++, &e) == CD_OK)
		cw->signed_n++;
	return 0;
}

/* Everything the cache remembers, re-signed: every walked dump's newest
 * result and every crash fetched from Crash Stats (as resig --cache). */
static void resign_cache(app *a, pane *p)
{
	cd_err e;
	if (resig_start(a) != 0)
		return;
	a->resig_rows = json_array();
	cache_walk cw = { a, json_object(), 0, 0 };
	store_recent *rec = NULL;
	size_t nrec = 0;
	if (store_recent_list(a->db, 0, &rec, &nrec, &e) == CD_OK) {
		for (size_t i = 0; i < nrec; i++)
			if (rec[i].kind == STORE_DUMP && rec[i].sha256[0])
				json_object_set_new(cw.paths, rec[i].sha256, json_string(rec[i].path));
		store_recent_free(rec, nrec);
	}
	if (store_processed_each(a->db, add_cached, &cw, &e) != CD_OK)
		app_status(a, TUI_S_ERROR, "%s", e.msg);
	store_crash_row *rows;
	size_t n;
	if (store_crash_list(a->db, 0, &rows, &n, &e) == CD_OK) {
		for (size_t i = 0; i < n; i++) {
			char *text;
			if (!rows[i].has_processed ||
			    store_crash_doc_get(a->db, rows[i].crash_id, "processed", &text, NULL, &e) != CD_OK)
				continue;
			json_array_append_new(a->resig_rows,
					      json_pack("{s:s, s:s, s:s}", "text", rows[i].crash_id,
							"offset", "", "_csid", rows[i].crash_id));
			if (sig_resig_add(a->resig, text, strlen(text), cw.n++, &e) == CD_OK)
				cw.signed_n++;
			free(text);
		}
		store_crash_rows_free(rows, n);
	}
	json_decref(cw.paths);
	tuning_rows(a, p);
	app_status(a, TUI_S_NORMAL, "%zu crash%s of the cache re-signed", cw.signed_n,
		   cw.signed_n == 1 ? "" : "es");
}

void tuning_show(app *a)
{
	size_t nhits;
	if (!session_counts(a, &nhits) && !nhits && !a->db) {
		app_status(a, TUI_S_ERROR,
			   "no crashes to re-sign: open a dump or a directory, or search Crash Stats, first");
		return;
	}
	pane *p = pane_push(a, &pane_tuning, -1);
	if (p)
		tuning_rows(a, p);
}

/* The crashes behind one change or bucket of the last re-sign. */
static void tuning_crashes(app *a, json_t *row)
{
	const sig_resig_report *rep;
	cd_err e;
	if (!a->resig || sig_resig_report_get(a->resig, &rep, &e) != CD_OK)
		return;
	json_t *rows = json_array();
	const sig_resig_pair *pairs = NULL;
	size_t npairs = 0;
	json_t *pi = json_object_get(row, "_pair"), *bi = json_object_get(row, "_bucket");
	const char *kind = json_string_value(json_object_get(row, "_kind"));
	if (json_is_integer(pi) && (size_t)json_integer_value(pi) < rep->nchanges) {
		pairs = &rep->changes[json_integer_value(pi)];
		npairs = 1;
	} else if (json_is_integer(bi) && kind) {
		const sig_resig_bucket *b = !strcmp(kind, "split") ? rep->split : rep->merged;
		size_t nb = !strcmp(kind, "split") ? rep->nsplit : rep->nmerged;
		if ((size_t)json_integer_value(bi) < nb) {
			pairs = b[json_integer_value(bi)].pairs;
			npairs = b[json_integer_value(bi)].npairs;
		}
	}
	if (!pairs)
		return;
	for (size_t k = 0; k < npairs; k++) {
		char head[1200];
		snprintf(head, sizeof head, "%s  ->  %s", pairs[k].old_sig, pairs[k].new_sig);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "text", head, "offset", "",
						      "_style", "heading"));
		for (size_t i = 0; i < pairs[k].count; i++) {
			size_t c = pairs[k].inputs[i];
			if (a->resig_rows) {
				json_t *r = json_array_get(a->resig_rows, c);
				if (r)
					json_array_append_new(rows, json_deep_copy(r));
				continue;
			}
			if (a->resig_ids) {
				if (c < a->nresig_ids)
					json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "text",
									      a->resig_ids[c], "offset", "",
									      "_csid", a->resig_ids[c]));
				continue;
			}
			worker_lock(a->w);
			const tui_crash *tc = worker_crash(a->w, (uint32_t)c);
			if (tc)
				json_array_append_new(rows, json_pack("{s:s, s:s, s:I}", "text",
								      cd_basename(tc->path), "offset", "",
								      "_crash", (json_int_t)c));
			worker_unlock(a->w);
		}
	}
	pane *p = pane_push(a, &pane_tuning_crashes, -1);
	if (p) {
		pane_set_rows(a, p, rows, 0);
		tui_list_select(&p->list, 1, pane_page()); /* the first crash */
	}
}

static void lists_done(app *a, const char *input)
{
	if (use_lists(a, input) != 0)
		return;
	pane *p = pane_top(a);
	if (p && p->ops == &pane_tuning)
		tuning_rows(a, p);
	app_status(a, TUI_S_NORMAL, "lists from %s", input);
}

static const tui_prompt prompt_lists = { "lists directory: ", lists_done };

static pane_result tuning_enter(app *a, pane *p, json_t *row)
{
	if (json_is_integer(json_object_get(row, "_edit")))
		tuning_edit_list(a, (int)json_integer_value(json_object_get(row, "_edit")), 1);
	else if (json_is_true(json_object_get(row, "_use")))
		app_prompt(a, &prompt_lists, "");
	else if (json_is_true(json_object_get(row, "_resign")))
		resign(a, p);
	else if (json_is_true(json_object_get(row, "_resign_search")))
		resign_search(a, p);
	else if (json_is_true(json_object_get(row, "_resign_cache")))
		resign_cache(a, p);
	else
		tuning_crashes(a, row);
	return PANE_HANDLED;
}

static void tuning_title(app *a, const pane *p, char *buf, size_t n)
{
	(void)a;
	(void)p;
	snprintf(buf, n, "signature tuning");
}

const pane_ops pane_tuning = {
	.name = "Signature tuning",
	.view = "kv",
	.enter = tuning_enter,
	.title = tuning_title,
};

/* Enter on one of a change's crashes: that crash. */
static pane_result tuning_crashes_enter(app *a, pane *p, json_t *row)
{
	(void)p;
	json_t *c = json_object_get(row, "_crash");
	const char *csid = json_string_value(json_object_get(row, "_csid"));
	const char *path = json_string_value(json_object_get(row, "_path"));
	if (json_is_integer(c))
		app_open_crash(a, (int)json_integer_value(c));
	else if (csid)
		cs_open_crash(a, csid);
	else if (path)
		home_open_target(a, path);
	return PANE_HANDLED;
}

const pane_ops pane_tuning_crashes = {
	.name = "Crashes of a change",
	.view = "line",
	.enter = tuning_crashes_enter,
	.title = tuning_title,
};

