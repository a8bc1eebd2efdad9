/*
 * pane_home.c - where a session starts: the home pane (recently opened
 * dumps and directories, crashes fetched from Crash Stats), the crashes of
 * a directory, and opening a dump or a directory as the session's target.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pane.h"
#include "rows.h"

/* ---- the home pane ------------------------------------------------------- */

static void when_text(int64_t t64, char *buf, size_t n)
{
	time_t t = (time_t)t64;
	struct tm tm;
	buf[0] = 0;
	if (t && gmtime_r(&t, &tm))
		strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
}

/* A directory's dumps are remembered as the directory: its dumps are not
 * listed one by one (a directory of 70 would flood the list). */
static int inside_recent_dir(const store_recent *rec, size_t nrec, const char *path)
{
	for (size_t i = 0; i < nrec; i++) {
		if (rec[i].kind != STORE_DIR)
			continue;
		size_t n = strlen(rec[i].path);
		if (!strncmp(path, rec[i].path, n) && path[n] == '/' && !strchr(path + n + 1, '/'))
			return 1;
	}
	return 0;
}

static json_t *home_rows(app *a)
{
	json_t *rows = json_array();
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "name", "Open a dump or a directory...",
					      "when", "", "_style", "heading"));
	store_recent *rec = NULL;
	size_t nrec = 0;
	cd_err e;
	if (a->db && store_recent_list(a->db, 200, &rec, &nrec, &e) == CD_OK) {
		for (size_t i = 0; i < nrec; i++) {
			char when[32], crash[512] = "";
			if (rec[i].kind == STORE_DUMP && inside_recent_dir(rec, nrec, rec[i].path))
				continue;
			when_text(rec[i].last_opened, when, sizeof when);
			if (rec[i].kind == STORE_DIR)
				snprintf(crash, sizeof crash, "(a directory of dumps)");
			else if (rec[i].crash_reason)
				snprintf(crash, sizeof crash, "%s  %s", rec[i].crash_reason,
					 rec[i].crash_function ? rec[i].crash_function : "");
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "name",
							      rec[i].path, "reason", crash, "when",
							      when, "_path", rec[i].path));
		}
		store_recent_free(rec, nrec);
	}
	/* Crashes fetched from Crash Stats open from the store, offline. */
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:b, s:s}", "name",
					      "Search Crash Stats... (S)", "reason", "", "when", "",
					      "_cssearch", 1, "_style", "heading"));
	store_crash_row *cr = NULL;
	size_t ncr = 0;
	if (a->db && store_crash_list(a->db, 200, &cr, &ncr, &e) == CD_OK) {
		for (size_t i = 0; i < ncr; i++) {
			if (!cr[i].crash_id || !cr[i].has_processed)
				continue;
			char name[80], when[32];
			snprintf(name, sizeof name, "crashstats %s", cr[i].crash_id);
			when_text(cr[i].fetched_at, when, sizeof when);
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "name", name,
							      "reason",
							      cr[i].signature ? cr[i].signature : "",
							      "when", when, "_csid", cr[i].crash_id));
		}
		store_crash_rows_free(cr, ncr);
	}
	return rows;
}

void home_show(app *a)
{
	pane *p = pane_push(a, &pane_home, -1);
	if (p)
		pane_set_rows(a, p, home_rows(a), 0);
}

static void open_done(app *a, const char *input)
{
	home_open_target(a, input);
}

const tui_prompt home_prompt_open = { "open: ", open_done };

static pane_result home_enter(app *a, pane *p, json_t *row)
{
	(void)p;
	const char *path = json_string_value(json_object_get(row, "_path"));
	const char *csid = json_string_value(json_object_get(row, "_csid"));
	if (csid)
		cs_open_crash(a, csid);
	else if (json_is_true(json_object_get(row, "_cssearch")))
		app_prompt(a, &cs_prompt_search, a->cs_query);
	else if (path)
		home_open_target(a, path);
	else
		app_prompt(a, &home_prompt_open, "");
	return PANE_HANDLED;
}

const pane_ops pane_home = {
	.name = "Home",
	.view = "home",
	.enter = home_enter,
};

/* ---- a directory's crashes ---------------------------------------------- */

static void describe_time(json_t *doc, const md_dump *d, char *buf, size_t n)
{
	json_t *ct = json_object_get(json_object_get(doc, "annotations"), "CrashTime");
	int64_t t = 0;
	if (json_is_string(ct))
		t = strtoll(json_string_value(ct), NULL, 10);
	if (!t && d)
		t = d->time_date_stamp;
	when_text(t, buf, n);
}

/* Under the worker's lock: crash i's signature with the session's lists,
 * made once per walk of it and set of lists ("" when it cannot be signed). */
static const char *crash_signature(app *a, uint32_t i, const tui_crash *c)
{
	if (i >= a->nsigs) {
		uint32_t n = worker_ncrashes(a->w);
		struct app_sig *s = realloc(a->sigs, n * sizeof *s);
		if (!s)
			return "";
		memset(s + a->nsigs, 0, (n - a->nsigs) * sizeof *s);
		a->sigs = s;
		a->nsigs = n;
	}
	struct app_sig *s = &a->sigs[i];
	if (s->sig && s->seq == c->seq && s->gen == a->lists_gen)
		return s->sig;
	cd_err e;
	const sig_result *r = report_sign(a, c->doc, &e);
	free(s->sig);
	s->sig = strdup(r && r->signature ? r->signature : "");
	s->seq = c->seq;
	s->gen = a->lists_gen;
	return s->sig ? s->sig : "";
}

void home_forget_signatures(app *a)
{
	for (uint32_t i = 0; i < a->nsigs; i++)
		free(a->sigs[i].sig);
	free(a->sigs);
	a->sigs = NULL;
	a->nsigs = 0;
}

/* Grouped: a heading row per signature (the most crashes first, then by
 * name), its crashes below it. */
static int by_count(const void *pa, const void *pb)
{
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	json_int_t na = json_integer_value(json_object_get(a, "_n"));
	json_int_t nb = json_integer_value(json_object_get(b, "_n"));
	if (na != nb)
		return na > nb ? -1 : 1;
	return strcmp(json_string_value(json_object_get(a, "_sig")),
		      json_string_value(json_object_get(b, "_sig")));
}

static json_t *group_rows(json_t *rows)
{
	json_t *groups = json_object(); /* signature -> array of rows */
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *sig = json_string_value(json_object_get(r, "signature"));
		const char *key = sig && *sig ? sig : "(no signature: not walked, or unreadable)";
		json_t *g = json_object_get(groups, key);
		if (!g) {
			g = json_array();
			json_object_set_new(groups, key, g);
		}
		json_array_append(g, r);
	}
	size_t n = json_object_size(groups), k = 0;
	json_t **heads = calloc(n ? n : 1, sizeof *heads);
	const char *key;
	json_t *g;
	json_object_foreach(groups, key, g) {
		size_t m = json_array_size(g);
		char count[64];
		snprintf(count, sizeof count, "%zu crash%s", m, m == 1 ? "" : "es");
		if (heads)
			heads[k++] = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:O}", "reason",
					       count, "signature", key, "function", "", "module", "",
					       "time", "", "file", "", "_n", (json_int_t)m, "_sig", key,
					       "_members", g);
	}
	json_t *out = json_array();
	if (heads) {
		qsort(heads, k, sizeof *heads, by_count);
		for (size_t h = 0; h < k; h++) {
			json_t *members = json_incref(json_object_get(heads[h], "_members"));
			json_object_del(heads[h], "_members");
			json_object_set_new(heads[h], "_style", json_string("heading"));
			json_array_append_new(out, heads[h]);
			json_array_extend(out, members);
			json_decref(members);
		}
	}
	free(heads);
	json_decref(groups);
	json_decref(rows);
	return out;
}

/* Under the worker's lock: one row per dump of the directory. */
static json_t *crash_rows(app *a)
{
	json_t *rows = json_array();
	for (uint32_t i = 0; i < worker_ncrashes(a->w); i++) {
		const tui_crash *c = worker_crash(a->w, i);
		char reason[256] = "", fn[512] = "", mod[256] = "", when[32] = "";
		const char *style = NULL, *sig = "";
		if (c->state == CRASH_READY) {
			sig = crash_signature(a, i, c);
			json_t *ci = json_object_get(c->doc, "crash_info");
			const char *t = json_string_value(json_object_get(ci, "type"));
			snprintf(reason, sizeof reason, "%s", t ? t : "No crash");
			json_t *th = rows_crashing_thread(c->doc);
			json_t *f0 = json_array_get(json_object_get(th, "frames"), 0);
			const char *m = json_string_value(json_object_get(f0, "module"));
			char src[256];
			/* The function that was running: the innermost inline one. */
			if (f0)
				rows_top_function(f0, fn, sizeof fn, src, sizeof src);
			snprintf(mod, sizeof mod, "%s", m ? m : "");
			describe_time(c->doc, c->dump, when, sizeof when);
		} else if (c->state == CRASH_FAILED) {
			snprintf(reason, sizeof reason, "unreadable: %s", c->error);
			style = "error";
		} else {
			snprintf(reason, sizeof reason, "%s",
				 c->state == CRASH_WORKING ? "walking..." : "waiting");
			style = "dim";
		}
		json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "reason", reason,
				      "signature", sig, "function", fn, "module", mod, "time", when,
				      "file", cd_basename(c->path), "_crash", (json_int_t)i);
		if (style)
			json_object_set_new(r, "_style", json_string(style));
		json_array_append_new(rows, r);
	}
	return rows;
}

static void crashes_build(app *a, pane *p)
{
	/* The rows change with the walks, the lists and the grouping. */
	uint32_t seq = worker_seq(a->w) * 4u + (uint32_t)p->unfold + a->lists_gen * 2654435761u;
	if (p->built && p->built_seq == seq)
		return;
	json_t *rows = crash_rows(a);
	pane_set_rows(a, p, p->unfold ? group_rows(rows) : rows, seq);
}

static pane_result crashes_enter(app *a, pane *p, json_t *row)
{
	json_t *ci = json_object_get(row, "_crash");
	if (json_is_integer(ci)) {
		app_open_crash(a, (int)json_integer_value(ci));
		return PANE_HANDLED;
	}
	/* A bucket's heading: its crashes alone, by filter. */
	const char *sig = json_string_value(json_object_get(row, "_sig"));
	if (sig) {
		snprintf(p->list.filter, sizeof p->list.filter, "%s", sig);
		tui_list_refresh(&p->list);
		app_status(a, TUI_S_NORMAL, "%u rows match \"%s\"", p->list.n, p->list.filter);
	}
	return PANE_HANDLED;
}

/* b: grouped by signature, or one row per dump again. */
static pane_result crashes_action(app *a, pane *p, tui_action act)
{
	if (act != TUI_ACT_GROUP)
		return PANE_IGNORED;
	p->unfold = !p->unfold;
	worker_lock(a->w);
	crashes_build(a, p);
	worker_unlock(a->w);
	tui_list_select(&p->list, 0, pane_page());
	app_status(a, TUI_S_NORMAL, p->unfold ? "grouped by signature" : "one row per dump");
	return PANE_HANDLED;
}

static const tui_action crashes_acts[] = { TUI_ACT_GROUP, TUI_ACT_NONE };

static void crashes_title(app *a, const pane *p, char *buf, size_t n)
{
	(void)p;
	snprintf(buf, n, "%s", a->target);
}

const pane_ops pane_crashes = {
	.name = "Crashes",
	.view = "crashes",
	.build = crashes_build,
	.enter = crashes_enter,
	.action = crashes_action,
	.acts = crashes_acts,
	.title = crashes_title,
};

/* ---- opening things ------------------------------------------------------- */

/* Starts the worker over the dumps of path; the first pane shows them. */
void home_open_target(app *a, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		app_status(a, TUI_S_ERROR, "%s: %s", path, strerror(errno));
		return;
	}
	char **paths = NULL;
	uint32_t n = 0;
	cd_err e;
	int dir = S_ISDIR(st.st_mode);
	if (dir) {
		size_t nd;
		if (cd_dir_files(path, ".dmp", 1, &paths, &nd, &e) != CD_OK) {
			app_status(a, TUI_S_ERROR, "%s", e.msg);
			return;
		}
		if (!nd) {
			app_status(a, TUI_S_ERROR, "%s: no .dmp files", path);
			cd_dir_files_free(paths, nd);
			return;
		}
		n = (uint32_t)nd;
	} else {
		paths = malloc(sizeof *paths);
		if (!paths || !(paths[0] = strdup(path))) {
			free(paths);
			return;
		}
		n = 1;
	}
	snprintf(a->target, sizeof a->target, "%s", path);
	/* One session at a time: the panes of an earlier one go. */
	while (a->depth > 0 && pane_top(a)->ops != &pane_home)
		pane_pop(a);
	worker_free(a->w);
	a->w = NULL;
	home_forget_signatures(a);
	if (app_start_worker(a, paths, n) != CD_OK)
		app_status(a, TUI_S_ERROR, "cannot start the worker thread");
	for (uint32_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	if (dir && a->db) {
		char abs[PATH_MAX];
		if (realpath(path, abs))
			store_recent_touch(a->db, abs, STORE_DIR, NULL, &e);
	}
	if (dir) {
		pane_open(a, &pane_crashes, -1, -1);
		app_status(a, TUI_S_NORMAL, "%s: %u dumps", path, n);
	} else {
		app_open_crash(a, 0);
	}
}
