/*
 * pane_cs.c - Crash Stats in the workstation: a search's hits (more on
 * demand) and its facets, a crash opened from the store or fetched first,
 * and a crash compared with Socorro's own processing. The network runs on
 * the worker; these panes show what it has so far.
 */
#include <stdlib.h>
#include <string.h>

#include "cspane.h"
#include "pane.h"

/* Under the lock: the search's state as one number, so a pane knows when
 * to rebuild. */
static uint32_t search_key(const worker_search *s)
{
	return s->seq * 8u + (uint32_t)s->state;
}

/* The ids of the crashes whose processed crash is stored, as keys. */
static json_t *stored_ids(app *a)
{
	json_t *set = json_object();
	store_crash_row *rows = NULL;
	size_t n = 0;
	cd_err e;
	if (a->db && store_crash_list(a->db, 0, &rows, &n, &e) == CD_OK) {
		for (size_t i = 0; i < n; i++)
			if (rows[i].has_processed && rows[i].crash_id)
				json_object_set_new(set, rows[i].crash_id, json_true());
		store_crash_rows_free(rows, n);
	}
	return set;
}

static uint32_t search_page(app *a)
{
	size_t limit = 100;
	cs_query q;
	cs_query_init(&q);
	cd_err e;
	cspane_parse_query(a->cs_query, &q, &limit, &e);
	cs_query_free(&q);
	return (uint32_t)(limit ? limit : CS_PAGE_MAX);
}

/* Under the worker's lock: a search that ended says so on the status line. */
void cs_note_change(app *a)
{
	worker_search s;
	worker_search_get(a->w, &s);
	uint32_t sk = search_key(&s);
	if (sk != a->cs_seen && (s.state == CSJ_DONE || s.state == CSJ_FAILED)) {
		if (s.state == CSJ_DONE)
			app_status(a, TUI_S_NORMAL, "%zu of %lld crashes (Tab: facets, Enter: open)",
				   json_array_size(s.hits), (long long)s.total);
		else
			app_status(a, TUI_S_ERROR, "search: %s", s.msg);
	}
	a->cs_seen = sk;
}

/* ---- opening a crash of Crash Stats ---------------------------------------- */

/* A crash of the session read from the store, fetched first by the worker
 * when absent, in the report panes. */
void cs_open_crash(app *a, const char *id)
{
	if (!cs_crash_id_valid(id)) {
		app_status(a, TUI_S_ERROR, "not a crash id: %.64s", id);
		return;
	}
	char path[64];
	snprintf(path, sizeof path, CS_PATH_PREFIX "%s", id);
	/* A fetch that failed (offline, canceled) is tried again. */
	int found = worker_open(a->w, path);
	if (found < 0) {
		app_status(a, TUI_S_ERROR, "out of memory");
		return;
	}
	app_open_crash(a, found);
}

/* A stored crash as the panes read it (json_dump with the raw crash's
 * annotations), as JSON text for the signer; NULL when not stored. */
char *cs_stored_doc_text(app *a, const char *id)
{
	json_t *doc;
	cd_err e;
	if (rep_stored_crash(a->db, id, NULL, &doc, &e) != CD_OK)
		return NULL;
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

/* ---- searching ---------------------------------------------------------------- */

/* Starts a search of what the user typed (more: the next page of the last
 * search, appended) and shows its pane. */
static void search_submit(app *a, const char *text, int more)
{
	if (!a->cs_ok) {
		app_status(a, TUI_S_ERROR, "Crash Stats: %s", a->cs_err);
		return;
	}
	cs_query q;
	cs_query_init(&q);
	size_t limit = 100;
	cd_err e = { .msg = "" };
	if (cspane_parse_query(text, &q, &limit, &e) != CD_OK) {
		app_status(a, TUI_S_ERROR, "search: %s", e.msg);
		cs_query_free(&q);
		return;
	}
	if (!cs_query_get(&q, "_columns", 0)) {
		static const char *const dflt[] = { "uuid", "date", "signature", "product", "version" };
		for (size_t k = 0; k < 5; k++)
			cs_query_add(&q, "_columns", dflt[k], &e);
	}
	/* The facet a triager looks at first, unless others are asked for. */
	if (!cs_query_get(&q, "_facets", 0))
		cs_query_add(&q, "_facets", "signature", &e);
	size_t offset = 0;
	if (more) {
		worker_search s;
		worker_lock(a->w);
		worker_search_get(a->w, &s);
		offset = json_array_size(s.hits);
		worker_unlock(a->w);
	} else if (text != a->cs_query) {
		snprintf(a->cs_query, sizeof a->cs_query, "%s", text);
	}
	worker_cs_search(a->w, &q, text, limit, offset);
	cs_query_free(&q);
	while (a->depth > 1 && pane_top(a)->ops == &pane_cs_facets)
		pane_pop(a);
	pane *p = pane_top(a);
	if (!p || p->ops != &pane_cs_results) {
		p = pane_push(a, &pane_cs_results, -1);
		if (!p)
			return;
	} else if (!more) {
		tui_list_free(&p->list);
		memset(&p->list, 0, sizeof p->list);
		p->list.sort_col = -1;
		p->built = 0;
	}
	worker_lock(a->w);
	p->ops->build(a, p);
	worker_unlock(a->w);
	app_status(a, TUI_S_NORMAL, "searching %s ...", a->cs.url);
}

static void search_done(app *a, const char *input)
{
	search_submit(a, input, 0);
}

const tui_prompt cs_prompt_search = { "Crash Stats search: ", search_done };

static void results_build(app *a, pane *p)
{
	worker_search s;
	worker_search_get(a->w, &s);
	uint32_t key = search_key(&s);
	if (p->built && p->built_seq == key)
		return;
	json_t *stored = stored_ids(a);
	int running = s.state == CSJ_ASKED || s.state == CSJ_RUNNING;
	json_t *rows = cspane_results_rows(s.hits, s.total, running,
					   s.state == CSJ_FAILED ? s.msg : NULL,
					   a->cs_query, stored, search_page(a));
	json_decref(stored);
	pane_set_rows(a, p, rows, key);
}

static pane_result results_enter(app *a, pane *p, json_t *row)
{
	(void)p;
	const char *id = json_string_value(json_object_get(row, "_id"));
	if (json_is_true(json_object_get(row, "_more")))
		search_submit(a, a->cs_query, 1);
	else if (id)
		cs_open_crash(a, id);
	return PANE_HANDLED;
}

/* Tab: the facets of the search, and back. */
static pane_result results_action(app *a, pane *p, tui_action act)
{
	if (act != TUI_ACT_NEXT_PANE && act != TUI_ACT_PREV_PANE)
		return PANE_IGNORED;
	if (p->ops == &pane_cs_facets)
		pane_pop(a);
	else
		pane_open(a, &pane_cs_facets, -1, -1);
	return PANE_HANDLED;
}

static const pane_ops *const results_tabs[] = { &pane_cs_results, &pane_cs_facets, NULL };

static const tui_action results_acts[] = { TUI_ACT_NEXT_PANE, TUI_ACT_PREV_PANE, TUI_ACT_NONE };

static void results_title(app *a, const pane *p, char *buf, size_t n)
{
	snprintf(buf, n, "%s: %s", p->ops == &pane_cs_facets ? "Facets" : "Crash Stats",
		 a->cs_query);
}

const pane_ops pane_cs_results = {
	.name = "Crash Stats",
	.view = "cs_results",
	.build = results_build,
	.enter = results_enter,
	.action = results_action,
	.acts = results_acts,
	.title = results_title,
	.tabs = results_tabs,
};

static void facets_build(app *a, pane *p)
{
	worker_search s;
	worker_search_get(a->w, &s);
	uint32_t key = search_key(&s);
	if (p->built && p->built_seq == key)
		return;
	pane_set_rows(a, p, cspane_facet_rows(s.facets), key);
}

/* A term narrows the search to it. */
static pane_result facets_enter(app *a, pane *p, json_t *row)
{
	(void)p;
	const char *field = json_string_value(json_object_get(row, "_field"));
	const char *term = json_string_value(json_object_get(row, "term"));
	if (!field || !term)
		return PANE_HANDLED;
	char refine[600], text[1700];
	cspane_refine(field, term, refine, sizeof refine);
	snprintf(text, sizeof text, "%s%s", a->cs_query, refine);
	search_submit(a, text, 0);
	return PANE_HANDLED;
}

const pane_ops pane_cs_facets = {
	.name = "Facets",
	.view = "cs_facets",
	.build = facets_build,
	.enter = facets_enter,
	.action = results_action,
	.acts = results_acts,
	.title = results_title,
	.tabs = results_tabs,
};

/* ---- compare with Socorro ------------------------------------------------------ */

/* The compare pane of the top crash: reprocessed on the worker. */
void cs_show_compare(app *a)
{
	pane *p = pane_top(a);
	if (!p || p->crash < 0 || p->ops == &pane_compare) {
		app_status(a, TUI_S_ERROR, "compare: open a crash fetched from Crash Stats first");
		return;
	}
	worker_lock(a->w);
	const tui_crash *c = worker_crash(a->w, (uint32_t)p->crash);
	int from_cs = c && !strncmp(c->path, CS_PATH_PREFIX, strlen(CS_PATH_PREFIX));
	worker_unlock(a->w);
	if (!from_cs) {
		app_status(a, TUI_S_ERROR,
			   "compare: this crash is not from Crash Stats, so there is no Socorro processing to compare with");
		return;
	}
	int crash = p->crash;
	worker_cs_compare(a->w, crash, a->lists_dir);
	pane_open(a, &pane_compare, crash, -1);
}

static void compare_build(app *a, pane *p)
{
	worker_compare cmp;
	worker_compare_get(a->w, &cmp);
	uint32_t key = cmp.seq * 8u + (uint32_t)cmp.state;
	if (p->built && p->built_seq == key)
		return;
	json_t *rows;
	if (cmp.state == CSJ_DONE && cmp.diff)
		rows = cspane_compare_rows(cmp.diff);
	else if (cmp.state == CSJ_FAILED)
		rows = json_pack("[{s:s, s:s, s:s}]", "what", "cannot compare", "socorro", cmp.msg,
				 "_style", "error");
	else
		rows = json_pack("[{s:s, s:s}]", "what", "walking the stored minidump...", "_style",
				 "dim");
	pane_set_rows(a, p, rows, key);
}

const pane_ops pane_compare = {
	.name = "Compare with Socorro",
	.view = "compare",
	.build = compare_build,
};
