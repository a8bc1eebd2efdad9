/*
 * app.c - the TUI's loop: a stack of panes, each a list (list.c) whose rows
 * come from a processed crash (rows.c) or a symbol cache (symbrowse.c).
 *
 *   keys -> keymap (views/keys.yaml) -> action -> the top pane
 *   worker thread -> new crash documents -> panes rebuilt from them -> draw
 *
 * The loop waits for a key at most 100 ms, so results of the worker show as
 * soon as they land; it redraws only when something changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <limits.h>
#include <stdarg.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>

#include "../crashstats/crashstats.h"
#include "../minidump/minidump.h"
#include "../store/store.h"
#include "internal.h"
#include "rows.h"
#include "schema.h"
#include "cspane.h"
#include "sigpane.h"
#include "symbrowse.h"
#include "tui.h"
#include "worker.h"

typedef enum pane_kind {
	PK_HOME, PK_CRASHES,
	/* the tabs of one crash, in Tab order */
	PK_SUMMARY, PK_SIGNATURE, PK_THREADS, PK_FRAMES, PK_MODULES, PK_UNLOADED, PK_ANNOTATIONS,
	PK_DETAILS, PK_UNLOADED_FRAMES, PK_ROW, PK_MODULE_WHY,
	/* the sym-file browser's tabs */
	PK_SYMFUNCS, PK_SYMCHECK, PK_SYMLOOKUP,
	/* signature tuning: the lists, a re-sign, the crashes of one change */
	PK_TUNING, PK_TUNING_CRASHES,
	/* Crash Stats: a search's hits and facets, a crash compared with Socorro */
	PK_CS_RESULTS, PK_CS_FACETS, PK_COMPARE,
} pane_kind;

#define FIRST_TAB PK_SUMMARY
#define LAST_TAB PK_ANNOTATIONS
static const char *const pane_names[] = {
	[PK_HOME] = "Home", [PK_CRASHES] = "Crashes", [PK_SUMMARY] = "Summary",
	[PK_SIGNATURE] = "Signature", [PK_THREADS] = "Threads", [PK_FRAMES] = "Frames", [PK_MODULES] = "Modules",
	[PK_UNLOADED] = "Unloaded", [PK_ANNOTATIONS] = "Annotations", [PK_DETAILS] = "Frame",
	[PK_UNLOADED_FRAMES] = "Frames into module", [PK_ROW] = "Row, whole",
	[PK_MODULE_WHY] = "Symbols tried",
	[PK_SYMFUNCS] = "Functions",
	[PK_SYMCHECK] = "Check", [PK_SYMLOOKUP] = "Lookup", [PK_TUNING] = "Signature tuning",
	[PK_TUNING_CRASHES] = "Crashes of a change", [PK_CS_RESULTS] = "Crash Stats",
	[PK_CS_FACETS] = "Facets", [PK_COMPARE] = "Compare with Socorro",
};
/* The view (views/ YAML) each list pane takes its columns from. */
static const char *const pane_views[] = {
	[PK_CRASHES] = "crashes", [PK_THREADS] = "threads", [PK_FRAMES] = "frames",
	[PK_MODULES] = "modules", [PK_UNLOADED] = "unloaded", [PK_ANNOTATIONS] = "annotations",
	[PK_SYMFUNCS] = "symfuncs", [PK_SIGNATURE] = "signature", [PK_CS_RESULTS] = "cs_results",
	[PK_CS_FACETS] = "cs_facets", [PK_COMPARE] = "compare",
};

typedef struct pane {
	pane_kind kind;
	tui_list list;
	int crash;            /* index into the worker's crashes, -1: none */
	int thread, frame;    /* PK_FRAMES, PK_DETAILS */
	int unfold;           /* PK_FRAMES: inline frames shown */
	uint32_t built_seq;   /* the crash's seq the rows came from */
	int built;
	char arg[256];        /* PK_UNLOADED_FRAMES: the module */
} pane;

#define MAX_DEPTH 16

typedef struct app {
	const tui_options *o;
	tui_views views;
	tui_view v_kv, v_text, v_home, v_check, v_line;
	sym_store *store;     /* local stores and the download cache */
	sym_store *net;       /* the same and symbol servers; NULL without URLs */
	store *db;            /* recently opened crashes; NULL when it cannot be opened */
	tui_schema *schema;   /* what each annotation means (schemas/annotations.yaml) */
	/* signatures: the lists in use (a user's working copy when there is
	 * one), the built-in ones as the baseline of a re-sign */
	sig_lists *lists, *baseline;
	sig_signer *signer;
	char lists_dir[4096]; /* "" while the built-in lists are in use */
	sig_resig *resig;     /* the last re-sign, for the tuning pane */
	uint8_t *recorded;    /* [crash]: its summary went into db */
	uint32_t nrecorded;
	/* Crash Stats: the configuration (its token is only ever handed to
	 * the worker's client), the last query as typed */
	cs_config cs;
	int cs_ok;
	char cs_err[512];
	char cs_query[1024];
	uint32_t cs_seen;     /* the search state last told on the status line */
	/* the last re-sign was of a search's crashes: its inputs are these ids */
	char (*resig_ids)[CS_ID_LEN + 1];
	size_t nresig_ids;
	json_t *resig_rows;   /* re-sign of the cache: the row showing input k */
	tui_worker w;
	pane stack[MAX_DEPTH];
	int depth;
	int quit, dirty;
	char status[512];
	int status_style;
	time_t status_at;
	char search[128];
	int prompt;           /* 0 or the key that opened it: search, filter, address, open */
	char input[512];
	int help;             /* the help overlay is up */
	tui_list help_list;
	uint32_t seen_seq;
	/* the sym-file browser */
	const sym_cache *sym;
	char sym_title[512];
	int sym_wait;         /* waiting for the worker's answer */
	symbrowse sb;
	char symcache_dir[4096];
	char config_dir[4096];
	char target[4096];    /* the dump or directory of the session */
	/* CRASHDESK_TIMING=FILE: when the first full screen of a crash was
	 * drawn and how long each keypress took to redraw (make bench) */
	FILE *timing;
	int wake[2];          /* the worker's wake-up pipe */
	double t0, key_at;
	int first_logged;
} app;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

enum { PROMPT_SEARCH = 1, PROMPT_FILTER, PROMPT_ADDRESS, PROMPT_OPEN, PROMPT_LISTS,
       PROMPT_CRASHSTATS };

static void set_status(app *a, tui_style style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_status(app *a, tui_style style, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->status, sizeof a->status, fmt, ap);
	va_end(ap);
	a->status_style = style;
	a->status_at = time(NULL);
	a->dirty = 1;
}

static pane *top(app *a)
{
	return a->depth ? &a->stack[a->depth - 1] : NULL;
}

static int is_tab(pane_kind k)
{
	return k >= FIRST_TAB && k <= LAST_TAB;
}

static int list_height(void)
{
	return LINES - 2; /* title line above, status line below */
}

static tui_crash *crash_of(app *a, const pane *p)
{
	return p->crash >= 0 && (uint32_t)p->crash < a->w.ncrashes ? &a->w.crashes[p->crash] : NULL;
}

/* ---- building a pane's rows ------------------------------------------- */

static const tui_view *view_for(app *a, pane_kind k)
{
	const tui_view *v = pane_views[k] ? tui_views_get(&a->views, pane_views[k]) : NULL;
	if (v)
		return v;
	if (k == PK_HOME)
		return &a->v_home;
	if (k == PK_SYMCHECK)
		return &a->v_check;
	if (k == PK_UNLOADED_FRAMES)
		return &a->v_text;
	return &a->v_kv;
}

static int read_memory(void *ctx, uint64_t addr, void *dst, size_t n)
{
	const md_dump *d = ctx;
	return md_read_memory(d, addr, dst, n) == CD_OK ? 0 : -1;
}

static void describe_time(json_t *doc, const proc_crash *pc, char *buf, size_t n)
{
	json_t *ann = json_object_get(doc, "annotations");
	json_t *ct = json_object_get(ann, "CrashTime");
	time_t t = 0;
	if (json_is_string(ct))
		t = (time_t)strtoll(json_string_value(ct), NULL, 10);
	if (!t && pc && pc->dump)
		t = (time_t)pc->dump->time_date_stamp;
	struct tm tm;
	if (t && gmtime_r(&t, &tm))
		strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
	else
		snprintf(buf, n, "%s", "");
}

/* Under the worker's lock: one row per dump of the directory. */
static json_t *crash_rows(app *a)
{
	json_t *rows = json_array();
	for (uint32_t i = 0; i < a->w.ncrashes; i++) {
		tui_crash *c = &a->w.crashes[i];
		char reason[256] = "", fn[512] = "", mod[256] = "", when[32] = "";
		const char *style = NULL;
		if (c->state == CRASH_READY) {
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
			describe_time(c->doc, c->pc, when, sizeof when);
		} else if (c->state == CRASH_FAILED) {
			snprintf(reason, sizeof reason, "unreadable: %s", c->error);
			style = "error";
		} else {
			snprintf(reason, sizeof reason, "%s",
				 c->state == CRASH_WORKING ? "walking..." : "waiting");
			style = "dim";
		}
		json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "reason", reason, "function",
				      fn, "module", mod, "time", when, "file", cd_basename(c->path),
				      "_crash", (json_int_t)i);
		if (style)
			json_object_set_new(r, "_style", json_string(style));
		json_array_append_new(rows, r);
	}
	return rows;
}

static json_t *message_rows(const char *key, const char *value, const char *style)
{
	json_t *rows = json_array();
	json_t *r = json_pack("{s:s, s:s}", "key", key, "value", value);
	if (style)
		json_object_set_new(r, "_style", json_string(style));
	json_array_append_new(rows, r);
	return rows;
}


/* Protected annotations (personal data Crash Stats shows only to those
 * with access) are marked, so nobody pastes them into a public bug. */
static void mark_protected(app *a, json_t *rows)
{
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *key = json_string_value(json_object_get(r, "key"));
		if (tui_schema_is_protected(a->schema, key) != 1)
			continue;
		char d[1024];
		snprintf(d, sizeof d, "[protected] %s",
			 json_string_value(json_object_get(r, "description")));
		json_object_set_new(r, "description", json_string(d));
		json_object_set_new(r, "_style", json_string("missing"));
	}
}

/* A crash from Crash Stats: Socorro's signature and where the dump is,
 * after the first row of the summary. */
static void cs_summary_rows(json_t *doc, json_t *rows)
{
	json_t *info = json_object_get(doc, "_crashstats");
	if (!json_is_object(info))
		return;
	static const char *const keys[][2] = { { "Crash Stats", "id" },
					       { "Socorro sig", "signature" },
					       { "Date", "date" },
					       { "Minidump", "dump" } };
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		const char *v = json_string_value(json_object_get(info, keys[i][1]));
		json_array_insert_new(rows, 1 + i,
				      json_pack("{s:s, s:s}", "key", keys[i][0], "value", v ? v : ""));
	}
}

/* Key/value rows whose value is wider than width cells become several:
 * the rest on continuation rows (no key, same style), broken at a space
 * where one is near, so that nothing is cut with an ellipsis. */
static size_t cut_at(const char *v, int width)
{
	size_t n = strlen(v), best = 0, space = 0;
	int w = 0;
	/* Character by character, each measured once (widths add up). */
	for (size_t k = 0; k < n;) {
		size_t len = 1;
		while (k + len < n && (v[k + len] & 0xc0) == 0x80 && len < 4)
			len++;
		char c[8];
		memcpy(c, v + k, len);
		c[len] = 0;
		w += tui_text_width(c);
		if (w > width)
			break;
		k += len;
		best = k;
		if (v[k] == ' ')
			space = k;
	}
	if (best == n)
		return n;
	return space > best / 2 ? space : (best ? best : 1);
}

static void wrap_kv_rows(json_t *rows, int width)
{
	if (width < 8)
		return;
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		const char *v = json_string_value(json_object_get(r, "value"));
		if (!v || tui_text_width(v) <= width)
			continue;
		size_t k = cut_at(v, width);
		char *head = strndup(v, k), *tail = strdup(v + k + (v[k] == ' '));
		if (head && tail) {
			json_t *cont = json_deep_copy(r);
			json_object_set_new(cont, "key", json_string(""));
			json_object_set_new(cont, "value", json_string(tail));
			json_object_set_new(r, "value", json_string(head));
			json_array_insert_new(rows, i + 1, cont);
		}
		free(head);
		free(tail);
	}
}

/* The summary's Signature rows, after the Dump row: the crash signed with
 * the session's lists, whole, a frame of it a row. */
typedef struct sig_insert {
	json_t *rows;
	size_t at;
} sig_insert;

static void insert_sig_line(void *ctx, int n, const char *line)
{
	sig_insert *s = ctx;
	json_array_insert_new(s->rows, s->at++,
			      json_pack("{s:s, s:s, s:s}", "key", n ? "" : "Signature", "value", line,
					"_style", "heading"));
}

static void summary_signature(app *a, json_t *doc, json_t *rows)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	const sig_result *r = NULL;
	cd_err e = { 0 };
	if (text && a->signer && sig_sign_json(a->signer, text, strlen(text), &r, &e) == CD_OK) {
		sig_insert ins = { rows, 1 };
		sigpane_split(r->signature, "", "| ", insert_sig_line, &ins);
	}
	free(text);
}

/* The signature pane's rows: the document signed with the session's lists. */
static json_t *signature_rows(app *a, json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	const sig_result *r = NULL;
	cd_err e = { 0 };
	json_t *rows;
	if (!text || !a->signer || sig_sign_json(a->signer, text, strlen(text), &r, &e) != CD_OK) {
		rows = json_array();
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "function",
						      e.msg[0] ? e.msg : "cannot sign this crash",
						      "frame", "", "_style", "error"));
	} else {
		rows = sigpane_rows(r);
	}
	free(text);
	return rows;
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

/* The search's state as one number, so a pane knows when to rebuild. */
static uint32_t search_key(const tui_worker *w)
{
	return w->cs.search_seq * 8u + (uint32_t)w->cs.search;
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

/* Under the worker's lock: the Crash Stats panes, rebuilt from the
 * worker's result when it changed. */
static void build_cs(app *a, pane *p)
{
	tui_cs *cs = &a->w.cs;
	json_t *rows;
	if (p->kind == PK_COMPARE) {
		uint32_t key = cs->compare_seq * 8u + (uint32_t)cs->compare;
		if (p->built && p->built_seq == key)
			return;
		p->built_seq = key;
		if (cs->compare == CSJ_DONE && cs->compare_diff)
			rows = cspane_compare_rows(cs->compare_diff);
		else if (cs->compare == CSJ_FAILED)
			rows = json_pack("[{s:s, s:s, s:s}]", "what", "cannot compare", "socorro",
					 cs->compare_msg, "_style", "error");
		else
			rows = json_pack("[{s:s, s:s}]", "what", "walking the stored minidump...",
					 "_style", "dim");
	} else {
		uint32_t key = search_key(&a->w);
		if (p->built && p->built_seq == key)
			return;
		p->built_seq = key;
		if (p->kind == PK_CS_FACETS) {
			rows = cspane_facet_rows(cs->facets);
		} else {
			json_t *stored = stored_ids(a);
			int running = cs->search == CSJ_ASKED || cs->search == CSJ_RUNNING;
			rows = cspane_results_rows(cs->hits, cs->total, running,
						   cs->search == CSJ_FAILED ? cs->search_msg : NULL,
						   a->cs_query, stored, search_page(a));
			json_decref(stored);
		}
	}
	if (!p->built)
		tui_list_set_json(&p->list, view_for(a, p->kind), rows);
	else
		tui_list_update_json(&p->list, rows);
	p->built = 1;
}

/* Under the worker's lock: (re)builds p's rows when its crash changed. */
static void build(app *a, pane *p)
{
	if (p->kind == PK_CS_RESULTS || p->kind == PK_CS_FACETS || p->kind == PK_COMPARE) {
		build_cs(a, p);
		return;
	}
	if (p->kind == PK_CRASHES) {
		json_t *rows = crash_rows(a);
		if (!p->built)
			tui_list_set_json(&p->list, view_for(a, p->kind), rows);
		else
			tui_list_update_json(&p->list, rows);
		p->built = 1;
		return;
	}
	/* Rows handed over by the pane that opened them: never rebuilt. */
	if ((p->kind == PK_ROW || p->kind == PK_MODULE_WHY) && p->built)
		return;
	tui_crash *c = crash_of(a, p);
	if (!c || (p->built && p->built_seq == c->seq))
		return;
	if (c->state != CRASH_READY) {
		char msg[600];
		if (c->state == CRASH_FAILED)
			snprintf(msg, sizeof msg, "%s", c->error);
		else if (!strncmp(c->path, CS_PATH_PREFIX, strlen(CS_PATH_PREFIX)))
			snprintf(msg, sizeof msg, "opening %s: from the store, or fetched from Crash Stats ...",
				 c->path + strlen(CS_PATH_PREFIX));
		else
			snprintf(msg, sizeof msg, "walking %s ...", cd_basename(c->path));
		tui_list_set_json(&p->list, &a->v_kv,
				  message_rows(c->state == CRASH_FAILED ? "Error" : "Status", msg,
					       c->state == CRASH_FAILED ? "error" : "dim"));
		p->built = 1;
		p->built_seq = c->seq;
		return;
	}
	json_t *rows = NULL;
	json_t *doc = c->doc;
	switch (p->kind) {
	case PK_SUMMARY:
		rows = rows_summary(doc, c->path);
		summary_signature(a, doc, rows);
		cs_summary_rows(doc, rows);
		/* The value column: the screen less the key column and its gap. */
		wrap_kv_rows(rows, COLS - 17);
		break;
	case PK_SIGNATURE: rows = signature_rows(a, doc); break;
	case PK_THREADS: rows = rows_threads(doc); break;
	case PK_FRAMES: rows = rows_frames(doc, p->thread); break;
	case PK_MODULES: rows = rows_modules(doc); break;
	case PK_UNLOADED: rows = rows_unloaded(doc); break;
	case PK_ANNOTATIONS:
		rows = rows_annotations(doc, tui_schema_describe_cb, a->schema);
		mark_protected(a, rows);
		break;
	case PK_DETAILS:
		rows = rows_frame_details(doc, p->thread, p->frame,
					  c->pc && c->pc->dump ? read_memory : NULL,
					  c->pc ? c->pc->dump : NULL);
		break;
	case PK_UNLOADED_FRAMES: rows = rows_unloaded_frames(doc, p->arg); break;
	default: rows = json_array(); break;
	}
	uint32_t sel = p->list.sel;
	tui_list_set_json(&p->list, view_for(a, p->kind), rows);
	if (p->kind == PK_FRAMES) {
		snprintf(p->list.hide, sizeof p->list.hide, "%s", p->unfold ? "_folded" : "_unfolded");
		tui_list_refresh(&p->list);
	}
	if (p->built)
		tui_list_select(&p->list, sel, list_height() - 1);
	p->built = 1;
	p->built_seq = c->seq;
}

/* Under the worker's lock: the home pane's memory of a processed dump. */
static void record_summary(app *a, uint32_t i)
{
	tui_crash *c = &a->w.crashes[i];
	if (!a->db || !a->recorded || i >= a->nrecorded || a->recorded[i] ||
	    c->state != CRASH_READY)
		return;
	a->recorded[i] = 1;
	json_t *ann = json_object_get(c->doc, "annotations");
	json_t *ci = json_object_get(c->doc, "crash_info");
	json_t *f0 = json_array_get(json_object_get(rows_crashing_thread(c->doc), "frames"), 0);
	char top[512] = "", top_src[256];
	if (f0)
		rows_top_function(f0, top, sizeof top, top_src, sizeof top_src);
	store_summary sum = {
		.product = json_string_value(json_object_get(ann, "ProductName")),
		.version = json_string_value(json_object_get(ann, "Version")),
		.crash_reason = json_string_value(json_object_get(ci, "type")),
		.crash_address = json_string_value(json_object_get(ci, "address")),
		.crash_function = top[0] ? top : NULL,
		.module = json_string_value(json_object_get(f0, "module")),
	};
	cd_err e;
	char abs[4096];
	if (!realpath(c->path, abs))
		return;
	store_recent_touch(a->db, abs, STORE_DUMP, NULL, &e);
	store_recent_update_summary(a->db, abs, &sum, &e);
}

static void rebuild_all(app *a)
{
	worker_lock(&a->w);
	/* A search that ended says so on the status line. */
	uint32_t sk = search_key(&a->w);
	if (sk != a->cs_seen && (a->w.cs.search == CSJ_DONE || a->w.cs.search == CSJ_FAILED)) {
		if (a->w.cs.search == CSJ_DONE)
			set_status(a, TUI_S_NORMAL, "%zu of %lld crashes (Tab: facets, Enter: open)",
				   json_array_size(a->w.cs.hits), (long long)a->w.cs.total);
		else
			set_status(a, TUI_S_ERROR, "search: %s", a->w.cs.search_msg);
	}
	a->cs_seen = sk;
	for (uint32_t i = 0; i < a->w.ncrashes; i++)
		record_summary(a, i);
	for (int i = 0; i < a->depth; i++) {
		pane *p = &a->stack[i];
		if (p->kind == PK_CRASHES || p->crash >= 0 || p->kind == PK_CS_RESULTS ||
		    p->kind == PK_CS_FACETS)
			build(a, p);
	}
	worker_unlock(&a->w);
}

/* ---- pane stack --------------------------------------------------------- */

static pane *push(app *a, pane_kind k, int crash)
{
	if (a->depth == MAX_DEPTH) {
		set_status(a, TUI_S_ERROR, "too many panes open: go back first");
		return NULL;
	}
	/* A message is about the pane it was said on: another pane starts
	 * without it (what the action says next is set after this). The
	 * first pane keeps what start-up said (a broken view file, say). */
	if (a->depth)
		a->status[0] = 0;
	pane *p = &a->stack[a->depth++];
	memset(p, 0, sizeof *p);
	p->kind = k;
	p->crash = crash;
	p->thread = -1;
	p->list.sort_col = -1;
	a->dirty = 1;
	return p;
}

static void pop(app *a)
{
	if (!a->depth)
		return;
	tui_list_free(&a->stack[--a->depth].list);
	a->status[0] = 0;
	a->dirty = 1;
}

/* The crashing thread, or the first one. */
static int default_thread(app *a, int crash)
{
	int t = 0;
	worker_lock(&a->w);
	tui_crash *c = &a->w.crashes[crash];
	if (c->state == CRASH_READY) {
		json_t *ci = json_object_get(c->doc, "crash_info");
		json_t *ct = json_object_get(ci, "crashing_thread");
		if (json_is_integer(ct))
			t = (int)json_integer_value(ct);
	}
	worker_unlock(&a->w);
	return t;
}

/* Switches the top crash tab to kind k (or pushes it over a non-tab). */
static void show_tab(app *a, pane_kind k)
{
	pane *p = top(a);
	if (!p || p->crash < 0)
		return;
	int crash = p->crash, thread = p->thread;
	if (p->kind == PK_FRAMES || p->kind == PK_THREADS)
		thread = p->thread;
	/* Tabs replace each other; details and the like are left first. */
	while (a->depth > 1 && !is_tab(top(a)->kind) && top(a)->crash == crash)
		pop(a);
	if (is_tab(top(a)->kind))
		pop(a);
	pane *n = push(a, k, crash);
	if (!n)
		return;
	n->thread = thread >= 0 ? thread : default_thread(a, crash);
	worker_lock(&a->w);
	build(a, n);
	worker_unlock(&a->w);
}

static void open_crash(app *a, int crash)
{
	worker_want(&a->w, (uint32_t)crash);
	pane *p = push(a, PK_SUMMARY, crash);
	if (!p)
		return;
	worker_lock(&a->w);
	build(a, p);
	worker_unlock(&a->w);
}

/* ---- Crash Stats ---------------------------------------------------------- */

/* worker_start() with the Crash Stats side set up; every session's worker
 * gets the same configuration and database. */
static int start_worker(app *a, char *const *paths, uint32_t n)
{
	int rc = worker_start(&a->w, a->store, a->net, paths, n, a->wake[1]);
	if (rc != CD_OK)
		return rc;
	char db[4200], symkey[2048] = "";
	snprintf(db, sizeof db, "%s/crashdesk.db", a->o->cache_dir);
	for (int k = 0; k < a->o->nsymbol_paths; k++)
		snprintf(symkey + strlen(symkey), sizeof symkey - strlen(symkey), "%s%s",
			 k ? ":" : "", a->o->symbol_paths[k]);
	worker_cs_setup(&a->w, a->cs_ok ? &a->cs : NULL, db, symkey);
	return CD_OK;
}

/* Opens crash id of Crash Stats in the report panes: a crash of the
 * session read from the store, fetched first by the worker when absent. */
static void open_cs_crash(app *a, const char *id)
{
	if (!cs_crash_id_valid(id)) {
		set_status(a, TUI_S_ERROR, "not a crash id: %.64s", id);
		return;
	}
	char path[64];
	snprintf(path, sizeof path, CS_PATH_PREFIX "%s", id);
	int found = -1;
	worker_lock(&a->w);
	for (uint32_t i = 0; found < 0 && i < a->w.ncrashes; i++)
		if (!strcmp(a->w.crashes[i].path, path))
			found = (int)i;
	/* A fetch that failed (offline, canceled) is tried again. */
	if (found >= 0 && a->w.crashes[found].state == CRASH_FAILED) {
		a->w.crashes[found].state = CRASH_PENDING;
		a->w.crashes[found].seq++;
	}
	worker_unlock(&a->w);
	if (found < 0)
		found = worker_add(&a->w, path);
	if (found < 0) {
		set_status(a, TUI_S_ERROR, "out of memory");
		return;
	}
	open_crash(a, found);
}

/* Starts a search of what the user typed (more: the next page of the last
 * search, appended) and shows its pane. */
static void cs_search_submit(app *a, const char *text, int more)
{
	if (!a->cs_ok) {
		set_status(a, TUI_S_ERROR, "Crash Stats: %s", a->cs_err);
		return;
	}
	cs_query q;
	cs_query_init(&q);
	size_t limit = 100;
	cd_err e = { .msg = "" };
	if (cspane_parse_query(text, &q, &limit, &e) != CD_OK) {
		set_status(a, TUI_S_ERROR, "search: %s", e.msg);
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
		worker_lock(&a->w);
		offset = json_array_size(a->w.cs.hits);
		worker_unlock(&a->w);
	} else if (text != a->cs_query) {
		snprintf(a->cs_query, sizeof a->cs_query, "%s", text);
	}
	worker_cs_search(&a->w, &q, text, limit, offset);
	cs_query_free(&q);
	while (a->depth > 1 && top(a)->kind == PK_CS_FACETS)
		pop(a);
	pane *p = top(a);
	if (!p || p->kind != PK_CS_RESULTS) {
		p = push(a, PK_CS_RESULTS, -1);
		if (!p)
			return;
	} else if (!more) {
		tui_list_free(&p->list);
		memset(&p->list, 0, sizeof p->list);
		p->list.sort_col = -1;
		p->built = 0;
	}
	worker_lock(&a->w);
	build(a, p);
	worker_unlock(&a->w);
	set_status(a, TUI_S_NORMAL, "searching %s ...", a->cs.url);
}

/* The compare pane of the top crash: reprocessed on the worker. */
static void act_compare(app *a)
{
	pane *p = top(a);
	if (!p || p->crash < 0 || p->kind == PK_COMPARE) {
		set_status(a, TUI_S_ERROR, "compare: open a crash fetched from Crash Stats first");
		return;
	}
	if (strncmp(a->w.crashes[p->crash].path, CS_PATH_PREFIX, strlen(CS_PATH_PREFIX))) {
		set_status(a, TUI_S_ERROR,
			   "compare: this crash is not from Crash Stats, so there is no Socorro processing to compare with");
		return;
	}
	int crash = p->crash;
	worker_cs_compare(&a->w, crash, a->lists_dir);
	pane *n = push(a, PK_COMPARE, crash);
	if (!n)
		return;
	worker_lock(&a->w);
	build(a, n);
	worker_unlock(&a->w);
}

/* A stored crash as the panes read it (json_dump with the raw crash's
 * annotations), as JSON text for the signer; NULL when not stored. */
static char *stored_doc_text(app *a, const char *id)
{
	char *ptext = NULL, *rtext = NULL;
	cd_err e;
	if (!a->db || store_crash_doc_get(a->db, id, "processed", &ptext, NULL, &e) != CD_OK)
		return NULL;
	json_t *proc = json_loads(ptext, 0, NULL);
	free(ptext);
	json_t *jd = json_object_get(proc, "json_dump");
	json_t *doc = json_is_object(jd) ? json_deep_copy(jd) : NULL;
	json_decref(proc);
	if (!doc)
		return NULL;
	if (store_crash_doc_get(a->db, id, "raw", &rtext, NULL, &e) == CD_OK) {
		json_t *raw = json_loads(rtext, 0, NULL);
		if (json_is_object(raw))
			json_object_set(doc, "annotations", raw);
		json_decref(raw);
		free(rtext);
	}
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

/* ---- the sym-file browser ---------------------------------------------- */

static void browse_symbols(app *a, const sym_cache *c, const char *title)
{
	a->sym = c;
	if (title != a->sym_title)
		snprintf(a->sym_title, sizeof a->sym_title, "%s", title);
	symbrowse_set(&a->sb, c);
	pane *p = push(a, PK_SYMFUNCS, -1);
	if (!p)
		return;
	tui_list_set_source(&p->list, view_for(a, PK_SYMFUNCS), symbrowse_count(&a->sb),
			    symbrowse_cell, &a->sb);
	p->built = 1;
	set_status(a, TUI_S_NORMAL, "%s: %u functions", title, symbrowse_count(&a->sb));
}

/* Polls the worker's answer to a request for symbols. */
static void poll_symbols(app *a)
{
	if (!a->sym_wait)
		return;
	worker_lock(&a->w);
	int answered = a->w.want_sym == 2;
	const sym_cache *c = a->w.sym_answer;
	sym_status st = a->w.sym_answer_status;
	char err[512];
	snprintf(err, sizeof err, "%s", a->w.sym_error);
	const sym_report *report = answered && c && a->w.sym_owned == c ? &a->w.sym_report : NULL;
	worker_unlock(&a->w);
	if (!answered)
		return;
	a->sym_wait = 0;
	if (!c) {
		set_status(a, TUI_S_ERROR, "%s: %s", a->sym_title,
			   err[0] ? err : st == SYM_STATUS_CORRUPT ? "symbols damaged" : "no symbols");
		if (!a->depth)
			a->quit = 1;
		return;
	}
	browse_symbols(a, c, a->sym_title);
	/* The worker leaves its report alone until the next request. */
	symbrowse_set_report(&a->sb, report);
}

static void show_lookup(app *a, const char *text)
{
	char *end;
	errno = 0;
	unsigned long long addr = strtoull(text, &end, 16);
	if (!a->sym || errno || end == text || *end) {
		set_status(a, TUI_S_ERROR, "not a hex address: %s", text);
		return;
	}
	pane *p = push(a, PK_SYMLOOKUP, -1);
	if (!p)
		return;
	tui_list_set_json(&p->list, &a->v_kv, symbrowse_lookup_rows(&a->sb, addr));
	p->built = 1;
	snprintf(p->arg, sizeof p->arg, "0x%llx", addr);
}

static void show_check(app *a)
{
	pane *p = push(a, PK_SYMCHECK, -1);
	if (!p)
		return;
	tui_list_set_json(&p->list, &a->v_check, symbrowse_check_rows(&a->sb));
	p->built = 1;
}

/* A module without symbols: every location tried, with its answer. */
static json_t *why_rows(json_t *row)
{
	json_t *rows = json_array();
	const char *name = json_string_value(json_object_get(row, "name"));
	const char *why = json_string_value(json_object_get(row, "_symbol_why"));
	const char *st = json_string_value(json_object_get(row, "status"));
	char head[600];
	snprintf(head, sizeof head, "%s: symbols %s", name ? name : "?", st ? st : "?");
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "key", "Module", "value", head,
					      "_style", "heading"));
	if (st && !strcmp(st, "not asked")) {
		json_array_append_new(rows, json_pack("{s:s, s:s}", "key", "Tried", "value",
						      "the stores on disk; no frame needed this module, "
						      "so the servers were not asked"));
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "key", "", "value",
						      "R (in the modules pane): ask the servers for it",
						      "_style", "dim"));
		return rows;
	}
	if (!why || !*why) {
		json_array_append_new(rows, json_pack("{s:s, s:s}", "key", "Tried", "value",
						      "nothing: no debug file or id, or no store given"));
		return rows;
	}
	/* "where: answer detail; where: answer..." one row each */
	const char *p = why;
	while (*p) {
		const char *end = strstr(p, "; ");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char item[1100];
		snprintf(item, sizeof item, "%.*s", (int)(len < 1000 ? len : 1000), p);
		json_array_append_new(rows, json_pack("{s:s, s:s}", "key", "Tried", "value", item));
		p += len;
		if (end)
			p += 2;
	}
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "key", "", "value",
					      "R (in the modules pane): ask the servers again",
					      "_style", "dim"));
	return rows;
}

static void act_retry(app *a)
{
	pane *p = top(a);
	if (!p || p->kind != PK_MODULES || !p->list.n)
		return;
	if (!a->net) {
		set_status(a, TUI_S_ERROR, "no symbol server to ask (--symbols-url, or offline)");
		return;
	}
	json_t *row = tui_list_row(&p->list, p->list.sel);
	const char *df = json_string_value(json_object_get(row, "debug_file"));
	const char *id = json_string_value(json_object_get(row, "debug_id"));
	if (!df || !*df || !id || !*id) {
		set_status(a, TUI_S_ERROR, "this module has no debug file and id to ask for");
		return;
	}
	worker_retry(&a->w, (uint32_t)p->crash, df, id,
		     json_string_value(json_object_get(row, "name")),
		     json_string_value(json_object_get(row, "code_id")));
	set_status(a, TUI_S_NORMAL, "asking the servers again for %s", df);
}

/* ---- signature lists and tuning ------------------------------------------- */

/* Loads the lists of dir (NULL: built-in) as the session's, signer and
 * all; the signature panes are built again. */
static int use_lists(app *a, const char *dir)
{
	sig_lists *l;
	sig_signer *sg;
	cd_err e;
	if (sig_lists_load(dir, &l, &e) != CD_OK) {
		set_status(a, TUI_S_ERROR, "%s", e.msg);
		return -1;
	}
	if (sig_signer_new(l, &sg, &e) != CD_OK) {
		sig_lists_free(l);
		set_status(a, TUI_S_ERROR, "%s", e.msg);
		return -1;
	}
	sig_signer_free(a->signer);
	sig_lists_free(a->lists);
	a->lists = l;
	a->signer = sg;
	snprintf(a->lists_dir, sizeof a->lists_dir, "%s", dir ? dir : "");
	for (int i = 0; i < a->depth; i++)
		if (a->stack[i].kind == PK_SIGNATURE || a->stack[i].kind == PK_SUMMARY)
			a->stack[i].built = 0;
	worker_lock(&a->w);
	for (int i = 0; i < a->depth; i++)
		if (a->stack[i].kind == PK_SIGNATURE)
			build(a, &a->stack[i]);
	worker_unlock(&a->w);
	size_t nw = sig_lists_nwarnings(l);
	if (nw)
		set_status(a, TUI_S_ERROR, "%s (%zu more)", sig_lists_warning(l, 0), nw - 1);
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
		set_status(a, TUI_S_ERROR, "%s", e.msg);
		return -1;
	}
	return use_lists(a, dir);
}

static void tuning_rows(app *a, pane *p);

/* $EDITOR (vi without one) on list file at line, the screen given back
 * while it runs; the lists are read again when it returns. */
static void edit_list(app *a, int list, int line)
{
	if (list < 0 || list >= SIG_NLISTS || working_copy(a) != 0)
		return;
	char path[4400], cmd[9000], quoted[8900];
	snprintf(path, sizeof path, "%s/%s", a->lists_dir, sig_list_names[list]);
	/* The path in single quotes, each quote in it closed and escaped. */
	size_t q = 0;
	quoted[q++] = '\'';
	for (const char *c = path; *c && q + 5 < sizeof quoted; c++) {
		if (*c == '\'') {
			memcpy(quoted + q, "'\\''", 4);
			q += 4;
		} else {
			quoted[q++] = *c;
		}
	}
	quoted[q++] = '\'';
	quoted[q] = 0;
	const char *editor = getenv("VISUAL");
	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	snprintf(cmd, sizeof cmd, "%s +%d %s", editor, line > 0 ? line : 1, quoted);
	def_prog_mode();
	endwin();
	int rc = system(cmd);
	reset_prog_mode();
	clearok(curscr, TRUE);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", a->lists_dir);
	if (use_lists(a, dir) == 0)
		set_status(a, rc == 0 ? TUI_S_NORMAL : TUI_S_ERROR, "%s: lists read again%s",
			   sig_list_names[list], rc == 0 ? "" : " (the editor failed)");
	pane *p = top(a);
	if (p && p->kind == PK_TUNING)
		tuning_rows(a, p);
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
	if (a->w.ncrashes) {
		snprintf(buf, sizeof buf,
			 "re-sign the %u crash%s of this session (baseline: built-in lists)",
			 a->w.ncrashes, a->w.ncrashes == 1 ? "" : "es");
		json_array_append_new(rows, json_pack("{s:s, s:s, s:b}", "key", "Re-sign", "value",
						      buf, "_resign", 1));
	}
	worker_lock(&a->w);
	size_t nhits = json_array_size(a->w.cs.hits);
	worker_unlock(&a->w);
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
	uint32_t sel = p->list.sel;
	tui_list_set_json(&p->list, &a->v_kv, rows);
	tui_list_select(&p->list, sel, list_height() - 1);
	p->built = 1;
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
	cd_err e;
	if (sig_resig_new(a->baseline, a->lists, &a->resig, &e) != CD_OK) {
		set_status(a, TUI_S_ERROR, "%s", e.msg);
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
	worker_lock(&a->w);
	for (uint32_t i = 0; i < a->w.ncrashes; i++) {
		tui_crash *c = &a->w.crashes[i];
		if (c->state != CRASH_READY) {
			waiting += c->state != CRASH_FAILED;
			continue;
		}
		char *text = json_dumps(c->doc, JSON_COMPACT);
		if (text && sig_resig_add(a->resig, text, strlen(text), i, &e) == CD_OK)
			n++;
		free(text);
	}
	worker_unlock(&a->w);
	tuning_rows(a, p);
	set_status(a, TUI_S_NORMAL, "%u crashes re-signed%s", n,
		   waiting ? " (some are still being walked)" : "");
}

/* The crashes a Crash Stats search found, those stored, re-signed like
 * the session's: their processed crashes from the store. */
static void resign_search(app *a, pane *p)
{
	cd_err e;
	if (resig_start(a) != 0)
		return;
	worker_lock(&a->w);
	size_t nh = json_array_size(a->w.cs.hits), n = 0;
	char(*ids)[CS_ID_LEN + 1] = calloc(nh ? nh : 1, sizeof *ids);
	for (size_t i = 0; ids && i < nh; i++) {
		const char *id =
			json_string_value(json_object_get(json_array_get(a->w.cs.hits, i), "uuid"));
		if (id && cs_crash_id_valid(id))
			snprintf(ids[n++], sizeof ids[0], "%s", id);
	}
	worker_unlock(&a->w);
	a->resig_ids = ids;
	a->nresig_ids = n;
	size_t signed_n = 0;
	for (size_t k = 0; k < n; k++) {
		char *text = stored_doc_text(a, ids[k]);
		if (text && sig_resig_add(a->resig, text, strlen(text), k, &e) == CD_OK)
			signed_n++;
		free(text);
	}
	tuning_rows(a, p);
	set_status(a, TUI_S_NORMAL, "%zu crash%s of the search re-signed%s", signed_n,
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
		set_status(a, TUI_S_ERROR, "%s", e.msg);
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
	set_status(a, TUI_S_NORMAL, "%zu crash%s of the cache re-signed", cw.signed_n,
		   cw.signed_n == 1 ? "" : "es");
}

static void show_tuning(app *a)
{
	worker_lock(&a->w);
	size_t nhits = json_array_size(a->w.cs.hits);
	worker_unlock(&a->w);
	if (!a->w.ncrashes && !nhits && !a->db) {
		set_status(a, TUI_S_ERROR,
			   "no crashes to re-sign: open a dump or a directory, or search Crash Stats, first");
		return;
	}
	pane *p = push(a, PK_TUNING, -1);
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
			if (c >= a->w.ncrashes)
				continue;
			json_array_append_new(rows, json_pack("{s:s, s:s, s:I}", "text",
							      cd_basename(a->w.crashes[c].path),
							      "offset", "", "_crash", (json_int_t)c));
		}
	}
	pane *p = push(a, PK_TUNING_CRASHES, -1);
	if (p) {
		tui_list_set_json(&p->list, &a->v_line, rows);
		tui_list_select(&p->list, 1, list_height() - 1); /* the first crash */
		p->built = 1;
	}
}

/* ---- actions ------------------------------------------------------------- */

static void open_target(app *a, const char *path);

/* Enter where a row opens nothing else: the row whole, a column a row
 * (its title, its full text wrapped to the screen), as nothing in a pane
 * may stay cut with an ellipsis. */
static void show_row(app *a, pane *p, json_t *row)
{
	const tui_view *v = p->list.view;
	if (!v || !row)
		return;
	json_t *rows = json_array();
	for (int c = 0; c < v->ncols; c++) {
		json_t *val = json_object_get(row, v->cols[c].field);
		char *text = json_is_string(val) ? strdup(json_string_value(val))
			     : val ? json_dumps(val, JSON_ENCODE_ANY) : NULL;
		if (text && *text)
			json_array_append_new(rows, json_pack("{s:s, s:s}", "key",
							      v->cols[c].title[0] ? v->cols[c].title
										   : v->cols[c].field,
							      "value", text));
		free(text);
	}
	wrap_kv_rows(rows, COLS - 17);
	pane *n = push(a, PK_ROW, p->crash);
	if (!n) {
		json_decref(rows);
		return;
	}
	tui_list_set_json(&n->list, &a->v_kv, rows);
	n->built = 1;
}

static void act_open(app *a)
{
	pane *p = top(a);
	if (!p || !p->list.n)
		return;
	json_t *row = tui_list_row(&p->list, p->list.sel);
	switch (p->kind) {
	case PK_HOME: {
		const char *path = json_string_value(json_object_get(row, "_path"));
		const char *csid = json_string_value(json_object_get(row, "_csid"));
		if (csid)
			open_cs_crash(a, csid);
		else if (json_is_true(json_object_get(row, "_cssearch"))) {
			a->prompt = PROMPT_CRASHSTATS;
			snprintf(a->input, sizeof a->input, "%s", a->cs_query);
		} else if (path)
			open_target(a, path);
		else {
			a->prompt = PROMPT_OPEN;
			a->input[0] = 0;
		}
		break;
	}
	case PK_CRASHES:
		open_crash(a, (int)json_integer_value(json_object_get(row, "_crash")));
		break;
	case PK_THREADS: {
		int t = (int)json_integer_value(json_object_get(row, "_thread"));
		int crash = p->crash;
		pop(a);
		pane *n = push(a, PK_FRAMES, crash);
		if (n) {
			n->thread = t;
			worker_lock(&a->w);
			build(a, n);
			worker_unlock(&a->w);
		}
		break;
	}
	case PK_FRAMES:
	case PK_UNLOADED_FRAMES: {
		json_t *fr = json_object_get(row, "_frame");
		if (!json_is_integer(fr))
			break;
		int thread = p->kind == PK_FRAMES
				     ? p->thread
				     : (int)json_integer_value(json_object_get(row, "_thread"));
		pane *n = push(a, PK_DETAILS, p->crash);
		if (n) {
			n->thread = thread;
			n->frame = (int)json_integer_value(fr);
			worker_lock(&a->w);
			build(a, n);
			worker_unlock(&a->w);
		}
		break;
	}
	case PK_UNLOADED: {
		const char *name = json_string_value(json_object_get(row, "name"));
		pane *n = push(a, PK_UNLOADED_FRAMES, p->crash);
		if (n) {
			snprintf(n->arg, sizeof n->arg, "%s", name ? name : "");
			worker_lock(&a->w);
			build(a, n);
			worker_unlock(&a->w);
			if (!n->list.n)
				set_status(a, TUI_S_NORMAL, "no frame points into %s", n->arg);
		}
		break;
	}
	case PK_MODULES: {
		const char *df = json_string_value(json_object_get(row, "debug_file"));
		const char *id = json_string_value(json_object_get(row, "debug_id"));
		const char *st = json_string_value(json_object_get(row, "status"));
		if (!df || !id || !st || strcmp(st, "loaded")) {
			pane *n = push(a, PK_MODULE_WHY, p->crash);
			if (n) {
				snprintf(n->arg, sizeof n->arg, "%s", df ? df : "");
				tui_list_set_json(&n->list, &a->v_kv, why_rows(row));
				n->built = 1;
			}
			break;
		}
		snprintf(a->sym_title, sizeof a->sym_title, "%s %s", df, id);
		worker_want_symbols(&a->w, df, id);
		a->sym_wait = 1;
		set_status(a, TUI_S_NORMAL, "opening the symbols of %s ...", df);
		break;
	}
	case PK_SIGNATURE: {
		json_t *l = json_object_get(row, "_list");
		if (json_is_integer(l))
			edit_list(a, (int)json_integer_value(l),
				  (int)json_integer_value(json_object_get(row, "_line")));
		else
			set_status(a, TUI_S_NORMAL, "no list decided this frame's fate");
		break;
	}
	case PK_TUNING:
		if (json_is_integer(json_object_get(row, "_edit")))
			edit_list(a, (int)json_integer_value(json_object_get(row, "_edit")), 1);
		else if (json_is_true(json_object_get(row, "_use"))) {
			a->prompt = PROMPT_LISTS;
			a->input[0] = 0;
		} else if (json_is_true(json_object_get(row, "_resign")))
			resign(a, p);
		else if (json_is_true(json_object_get(row, "_resign_search")))
			resign_search(a, p);
		else if (json_is_true(json_object_get(row, "_resign_cache")))
			resign_cache(a, p);
		else
			tuning_crashes(a, row);
		break;
	case PK_TUNING_CRASHES: {
		json_t *c = json_object_get(row, "_crash");
		const char *csid = json_string_value(json_object_get(row, "_csid"));
		const char *path = json_string_value(json_object_get(row, "_path"));
		if (json_is_integer(c))
			open_crash(a, (int)json_integer_value(c));
		else if (csid)
			open_cs_crash(a, csid);
		else if (path)
			open_target(a, path);
		break;
	}
	case PK_CS_RESULTS: {
		const char *id = json_string_value(json_object_get(row, "_id"));
		if (json_is_true(json_object_get(row, "_more")))
			cs_search_submit(a, a->cs_query, 1);
		else if (id)
			open_cs_crash(a, id);
		break;
	}
	case PK_CS_FACETS: {
		const char *field = json_string_value(json_object_get(row, "_field"));
		const char *term = json_string_value(json_object_get(row, "term"));
		if (!field || !term)
			break;
		/* A term narrows the search to it. */
		char refine[600], text[1700];
		cspane_refine(field, term, refine, sizeof refine);
		snprintf(text, sizeof text, "%s%s", a->cs_query, refine);
		cs_search_submit(a, text, 0);
		break;
	}
	case PK_SYMFUNCS: {
		char buf[64];
		const char *addr = tui_list_cell(&p->list, p->list.sel, "address", buf, sizeof buf);
		show_lookup(a, addr);
		break;
	}
	case PK_SUMMARY:
	case PK_ANNOTATIONS:
	case PK_DETAILS:
	case PK_ROW:
		show_row(a, p, row);
		break;
	default:
		break;
	}
}

static void act_back(app *a, int quit_key)
{
	if (a->depth <= 1) {
		/* q on the first pane quits; Backspace there does nothing. */
		if (quit_key)
			a->quit = 1;
		return;
	}
	pane *p = top(a);
	int crash = p->crash;
	/* A crash's tabs are one level: back leaves them all. */
	if (is_tab(p->kind)) {
		while (a->depth > 1 && top(a)->crash == crash && (is_tab(top(a)->kind)))
			pop(a);
		if (!a->depth || a->depth == 0)
			a->quit = 1;
		return;
	}
	if (p->kind == PK_SYMFUNCS) {
		a->sym = NULL;
		symbrowse_set(&a->sb, NULL);
	}
	pop(a);
}

static void act_tab(app *a, int dir)
{
	pane *p = top(a);
	if (!p)
		return;
	if (p->kind == PK_SYMFUNCS || p->kind == PK_SYMCHECK) {
		if (p->kind == PK_SYMFUNCS)
			show_check(a);
		else
			pop(a);
		return;
	}
	if (p->kind == PK_CS_FACETS) {
		pop(a);
		return;
	}
	if (p->kind == PK_CS_RESULTS) {
		pane *n = push(a, PK_CS_FACETS, -1);
		if (n) {
			worker_lock(&a->w);
			build(a, n);
			worker_unlock(&a->w);
		}
		return;
	}
	if (!is_tab(p->kind))
		return;
	int k = p->kind + dir;
	if (k > LAST_TAB)
		k = FIRST_TAB;
	if (k < FIRST_TAB)
		k = LAST_TAB;
	show_tab(a, (pane_kind)k);
}

static void act_fold(app *a)
{
	pane *p = top(a);
	if (!p || p->kind != PK_FRAMES)
		return;
	/* Keep the same real frame selected across the fold. */
	json_t *row = tui_list_row(&p->list, p->list.sel);
	json_int_t frame = json_integer_value(json_object_get(row, "_frame"));
	p->unfold = !p->unfold;
	snprintf(p->list.hide, sizeof p->list.hide, "%s", p->unfold ? "_folded" : "_unfolded");
	tui_list_refresh(&p->list);
	for (uint32_t i = 0; i < p->list.n; i++)
		if (json_integer_value(json_object_get(tui_list_row(&p->list, i), "_frame")) == frame) {
			tui_list_select(&p->list, i, list_height() - 1);
			break;
		}
	set_status(a, TUI_S_NORMAL, "inline frames %s", p->unfold ? "shown" : "folded");
}

/* OSC 52: the terminal (or tmux) puts the text on the clipboard. */
static void copy_to_clipboard(app *a, const char *text)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(text);
	char *out = malloc(4 * (n / 3 + 1) + 1);
	if (!out)
		return;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)text[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)(unsigned char)text[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)text[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = 0;
	fprintf(stdout, "\033]52;c;%s\a", out);
	fflush(stdout);
	free(out);
	set_status(a, TUI_S_NORMAL, "copied: %.200s", text);
}

static void act_copy(app *a)
{
	pane *p = top(a);
	if (!p || !p->list.n)
		return;
	char line[2048];
	tui_list_line(&p->list, p->list.sel, line, sizeof line);
	/* Tabs between cells read badly once pasted into a bug. */
	for (char *c = line; *c; c++)
		if (*c == '\t')
			*c = ' ';
	copy_to_clipboard(a, line);
}

static void act_sort(app *a)
{
	pane *p = top(a);
	if (!p || !p->list.view || !p->list.view->ncols)
		return;
	tui_list *l = &p->list;
	/* Each column ascending, then descending, then back to source order. */
	if (l->sort_col >= 0 && !l->sort_desc)
		l->sort_desc = 1;
	else {
		l->sort_desc = 0;
		l->sort_col = l->sort_col + 1 >= l->view->ncols ? -1 : l->sort_col + 1;
	}
	tui_list_refresh(l);
	if (l->sort_col >= 0)
		set_status(a, TUI_S_NORMAL, "sorted by %s%s", l->view->cols[l->sort_col].title,
			   l->sort_desc ? ", descending" : "");
	else
		set_status(a, TUI_S_NORMAL, "in original order");
}

static void search(app *a, int dir)
{
	pane *p = top(a);
	if (!p || !a->search[0])
		return;
	uint32_t before = p->list.sel;
	if (tui_list_search(&p->list, a->search, dir)) {
		/* Past the end it goes on from the other end: say so. */
		int wrapped = dir > 0 ? p->list.sel <= before : p->list.sel >= before;
		set_status(a, TUI_S_NORMAL, wrapped ? "/%s (search wrapped to the %s)" : "/%s",
			   a->search, dir > 0 ? "top" : "bottom");
	} else
		set_status(a, TUI_S_ERROR, "not found: %s", a->search);
}

static void finish_prompt(app *a)
{
	pane *p = top(a);
	switch (a->prompt) {
	case PROMPT_SEARCH:
		snprintf(a->search, sizeof a->search, "%s", a->input);
		search(a, 1);
		break;
	case PROMPT_FILTER:
		if (p) {
			snprintf(p->list.filter, sizeof p->list.filter, "%s", a->input);
			tui_list_refresh(&p->list);
			set_status(a, TUI_S_NORMAL, a->input[0] ? "%u rows match \"%s\"" : "%u rows",
				   p->list.n, a->input);
		}
		break;
	case PROMPT_ADDRESS:
		show_lookup(a, a->input);
		break;
	case PROMPT_OPEN:
		open_target(a, a->input);
		break;
	case PROMPT_CRASHSTATS:
		a->prompt = 0;
		cs_search_submit(a, a->input, 0);
		break;
	case PROMPT_LISTS:
		if (use_lists(a, a->input) == 0) {
			if (p && p->kind == PK_TUNING)
				tuning_rows(a, p);
			set_status(a, TUI_S_NORMAL, "lists from %s", a->input);
		}
		break;
	}
	a->prompt = 0;
}

/* ---- help ----------------------------------------------------------------- */

/* Whether an action does something in a pane of kind k. */
static int applies(pane_kind k, tui_action act)
{
	switch (act) {
	case TUI_ACT_THREADS: case TUI_ACT_FRAMES: case TUI_ACT_MODULES:
	case TUI_ACT_UNLOADED: case TUI_ACT_ANNOTATIONS: case TUI_ACT_SUMMARY:
		return k >= FIRST_TAB && k <= PK_MODULE_WHY;
	case TUI_ACT_NEXT_PANE: case TUI_ACT_PREV_PANE:
		return is_tab(k) || k == PK_SYMFUNCS || k == PK_SYMCHECK || k == PK_CS_RESULTS ||
		       k == PK_CS_FACETS;
	case TUI_ACT_COMPARE:
		return k >= FIRST_TAB && k <= PK_MODULE_WHY;
	case TUI_ACT_FOLD:
		return k == PK_FRAMES;
	case TUI_ACT_RETRY:
		return k == PK_MODULES;
	case TUI_ACT_SIGNATURE:
		return k >= FIRST_TAB && k <= PK_MODULE_WHY;
	case TUI_ACT_TUNING:
		return k < PK_SYMFUNCS || k == PK_CS_RESULTS || k == PK_CS_FACETS;
	case TUI_ACT_GOTO_ADDRESS:
		return k == PK_SYMFUNCS || k == PK_SYMLOOKUP || k == PK_SYMCHECK;
	case TUI_ACT_OPEN:
		return k == PK_HOME || k == PK_CRASHES || k == PK_THREADS || k == PK_FRAMES ||
		       k == PK_UNLOADED || k == PK_UNLOADED_FRAMES || k == PK_MODULES ||
		       k == PK_SYMFUNCS || k == PK_SIGNATURE || k == PK_TUNING ||
		       k == PK_TUNING_CRASHES || k == PK_CS_RESULTS || k == PK_CS_FACETS ||
		       /* the row whole (show_row) */
		       k == PK_SUMMARY || k == PK_ANNOTATIONS || k == PK_DETAILS || k == PK_ROW;
	case TUI_ACT_NONE: case TUI_ACT_COUNT:
		return 0;
	default:
		return 1;
	}
}

static void show_help(app *a)
{
	pane *p = top(a);
	pane_kind k = p ? p->kind : PK_HOME;
	json_t *rows = json_array();
	for (int act = TUI_ACT_NONE + 1; act < TUI_ACT_COUNT; act++) {
		if (!applies(k, (tui_action)act))
			continue;
		int keys[8], n = tui_keymap_keys(&a->views.keys, (tui_action)act, keys, 8);
		if (n <= 0)
			continue;
		char names[128] = "";
		for (int i = 0; i < n && i < 8; i++) {
			char kn[32];
			tui_key_name(keys[i], kn, sizeof kn);
			if (i)
				strncat(names, " ", sizeof names - strlen(names) - 1);
			strncat(names, kn, sizeof names - strlen(names) - 1);
		}
		json_array_append_new(rows, json_pack("{s:s, s:s}", "key", names, "value",
						      tui_action_help((tui_action)act)));
	}
	tui_list_set_json(&a->help_list, &a->v_kv, rows);
	a->help = 1;
	a->dirty = 1;
}

/* ---- drawing ---------------------------------------------------------------- */

static void draw_title(app *a)
{
	pane *p = top(a);
	attrset(tui_attr(TUI_S_TITLE));
	char title[1024];
	const char *what = "";
	if (p && p->crash >= 0)
		what = cd_basename(a->w.crashes[p->crash].path);
	else if (p && (p->kind == PK_TUNING || p->kind == PK_TUNING_CRASHES))
		what = "signature tuning";
	else if (p && p->kind >= PK_SYMFUNCS && p->kind <= PK_SYMLOOKUP)
		what = a->sym_title;
	else if (p && p->kind == PK_CRASHES)
		what = a->target;
	char csq[1100];
	if (p && (p->kind == PK_CS_RESULTS || p->kind == PK_CS_FACETS)) {
		snprintf(csq, sizeof csq, "%s: %s", p->kind == PK_CS_FACETS ? "Facets" : "Crash Stats",
			 a->cs_query);
		what = csq;
	}
	/* Where in the crash: which thread a frames pane shows, which frame
	 * the details are of. */
	char where[1200];
	if (p && p->crash >= 0 && p->kind == PK_FRAMES) {
		snprintf(where, sizeof where, "%s  thread %d", what, p->thread);
		what = where;
	} else if (p && p->crash >= 0 && p->kind == PK_DETAILS) {
		snprintf(where, sizeof where, "%s  thread %d frame %d", what, p->thread, p->frame);
		what = where;
	}
	snprintf(title, sizeof title, " crashdesk  %s", what);
	int tabs = p && (is_tab(p->kind) || p->crash >= 0);
	pane_kind cur = p ? p->kind : PK_HOME;
	for (int i = a->depth - 1; tabs && i >= 0 && !is_tab(cur); i--)
		if (is_tab(a->stack[i].kind))
			cur = a->stack[i].kind;
	int tabs_w = 0;
	for (int k = FIRST_TAB; tabs && k <= LAST_TAB; k++)
		tabs_w += (int)strlen(pane_names[k]) + 2;
	/* Too narrow for every tab and the title: the title (the dump's name)
	 * wins, with the current tab alone. */
	int compact = tabs && COLS - tabs_w < tui_text_width(title) + 1;
	if (compact)
		tabs_w = (int)strlen(pane_names[cur]) + 2;
	int room = COLS - tabs_w;
	if (room < 12) /* a very narrow screen keeps the tabs only */
		room = 0;
	tui_put(0, 0, room, title, TUI_ALIGN_LEFT);
	int x = room;
	if (tabs) {
		for (int k = compact ? (int)cur : FIRST_TAB; k <= (compact ? (int)cur : LAST_TAB) && x < COLS;
		     k++) {
			char t[32];
			snprintf(t, sizeof t, " %s ", pane_names[k]);
			int w = (int)strlen(t);
			if (x + w > COLS)
				w = COLS - x;
			attrset(k == (int)cur ? tui_attr(TUI_S_TAB) | (int)A_REVERSE : tui_attr(TUI_S_TITLE));
			tui_put(0, x, w, t, TUI_ALIGN_LEFT);
			x += w;
		}
	} else if (p && (p->kind == PK_SYMFUNCS || p->kind == PK_SYMCHECK)) {
		/* nothing: the title says which file */
	}
	attrset(A_NORMAL);
}

static void draw_status(app *a)
{
	int y = LINES - 1;
	pane *p = top(a);
	char left[1024], right[128] = "";
	tui_style style = TUI_S_STATUS;
	if (a->prompt) {
		static const char *const label[] = { "", "/", "filter: ", "address (hex): ",
						     "open: ", "lists directory: ",
						     "Crash Stats search: " };
		snprintf(left, sizeof left, "%s%s", label[a->prompt], a->input);
		attrset(A_NORMAL);
		tui_put(y, 0, COLS, left, TUI_ALIGN_LEFT);
		int cx = tui_text_width(left);
		move(y, cx < COLS ? cx : COLS - 1);
		curs_set(1);
		return;
	}
	curs_set(0);
	worker_lock(&a->w);
	const tui_cs *cs = &a->w.cs;
	if (cs->fetching[0]) {
		snprintf(left, sizeof left, "fetching %s from Crash Stats (raw, processed%s) ...  Esc cancels",
			 cs->fetching, a->cs.token[0] ? ", minidump" : "");
	} else if (cs->search == CSJ_RUNNING || cs->search == CSJ_ASKED) {
		snprintf(left, sizeof left, "searching Crash Stats: %zu of %zu hits ...  Esc cancels",
			 cs->done, cs->total_wanted);
	} else if (cs->compare == CSJ_RUNNING && a->w.busy) {
		snprintf(left, sizeof left, "reprocessing the stored minidump: thread %u of %u",
			 a->w.threads_done, a->w.threads_total);
	} else if (a->w.busy && a->w.downloading) {
		tui_crash *c = &a->w.crashes[a->w.busy_crash];
		const sym_progress *d = &a->w.dl;
		snprintf(left, sizeof left,
			 "symbols for %s: %u of %u files asked, %u found, %.1f MB, %u transfers",
			 cd_basename(c->path), d->files_done, d->files_total, d->files_found,
			 d->bytes / 1e6, d->active);
	} else if (a->w.busy) {
		tui_crash *c = &a->w.crashes[a->w.busy_crash];
		if (a->w.threads_total)
			snprintf(left, sizeof left, "walking %s: thread %u of %u", cd_basename(c->path),
				 a->w.threads_done, a->w.threads_total);
		else /* not counted yet: no "thread 0 of 0" */
			snprintf(left, sizeof left, "walking %s ...", cd_basename(c->path));
	} else if (a->sym_wait) {
		snprintf(left, sizeof left, "loading symbols: %s ...", a->sym_title);
	} else {
		snprintf(left, sizeof left, "%s", a->status);
		style = a->status[0] && a->status_style != TUI_S_NORMAL ? a->status_style
									: TUI_S_STATUS;
	}
	worker_unlock(&a->w);
	/* A filter in force is always said: the rows shown are not all. */
	if (p && p->list.filter[0])
		snprintf(right, sizeof right, " filter: %.40s  %u/%u  ?:help q:back ", p->list.filter,
			 p->list.n ? p->list.sel + 1 : 0, p->list.n);
	else if (p && p->list.n)
		snprintf(right, sizeof right, " %u/%u  ?:help q:back ", p->list.sel + 1, p->list.n);
	else
		snprintf(right, sizeof right, " ?:help q:back ");
	int rw = tui_text_width(right);
	if (rw > COLS / 2)
		rw = 0;
	attrset(tui_attr(style) | (style == TUI_S_STATUS ? 0 : A_REVERSE));
	tui_put(y, 0, COLS - rw, left, TUI_ALIGN_LEFT);
	attrset(tui_attr(TUI_S_STATUS));
	if (rw)
		tui_put(y, COLS - rw, rw, right, TUI_ALIGN_RIGHT);
	attrset(A_NORMAL);
}

static void draw_help(app *a)
{
	int h = LINES - 4, w = COLS - 8;
	if (h > (int)a->help_list.n + 3)
		h = (int)a->help_list.n + 3;
	if (w > 76)
		w = 76;
	int boxed = 1;
	if (h < 3 || w < 20) {
		h = LINES - 2;
		w = COLS;
		boxed = 0;
	}
	int y = (LINES - h) / 2, x = (COLS - w) / 2;
	/* A box, cleared inside, so that the pane behind does not show
	 * through and the overlay's edge is plain. */
	if (boxed && y >= 1 && x >= 1 && y + h < LINES && x + w < COLS) {
		/* Drawn as UTF-8 text (the alternate character set is not
		 * translated everywhere); ASCII without a UTF-8 locale. */
		int utf8 = MB_CUR_MAX > 1;
		const char *hl = utf8 ? "\xe2\x94\x80" : "-", *vl = utf8 ? "\xe2\x94\x82" : "|";
		char line[4 * 80 + 16];
		attrset(tui_attr(TUI_S_TITLE));
		for (int edge = 0; edge < 2; edge++) {
			size_t k = (size_t)snprintf(line, sizeof line, "%s",
						    utf8 ? (edge ? "\xe2\x94\x94" : "\xe2\x94\x8c") : "+");
			for (int i = 0; i < w && k + 8 < sizeof line; i++)
				k += (size_t)snprintf(line + k, sizeof line - k, "%s", hl);
			snprintf(line + k, sizeof line - k, "%s",
				 utf8 ? (edge ? "\xe2\x94\x98" : "\xe2\x94\x90") : "+");
			tui_put(edge ? y + h : y - 1, x - 1, w + 2, line, TUI_ALIGN_LEFT);
		}
		for (int i = 0; i < h; i++) {
			tui_put(y + i, x - 1, 1, vl, TUI_ALIGN_LEFT);
			tui_put(y + i, x + w, 1, vl, TUI_ALIGN_LEFT);
		}
	}
	attrset(A_NORMAL);
	for (int i = 0; i < h; i++)
		tui_put(y + i, x, w, "", TUI_ALIGN_LEFT);
	attrset(tui_attr(TUI_S_TITLE));
	char title[96];
	snprintf(title, sizeof title, " Keys of this pane (%s)  (Esc closes)",
		 top(a) ? pane_names[top(a)->kind] : "");
	tui_put(y, x, w, title, TUI_ALIGN_LEFT);
	attrset(A_NORMAL);
	tui_list_draw(&a->help_list, y + 1, x, h - 1, w, 1);
}

static void draw(app *a)
{
	erase();
	if (LINES < 3 || COLS < 10) {
		mvaddstr(0, 0, "crashdesk: window too small");
		refresh();
		return;
	}
	draw_title(a);
	pane *p = top(a);
	if (p)
		tui_list_draw(&p->list, 1, 0, list_height(), COLS, !a->help);
	if (a->help)
		draw_help(a);
	draw_status(a);
	refresh();
	a->dirty = 0;
	if (!a->timing)
		return;
	double t = now_ms();
	if (!a->first_logged && p && p->crash >= 0 &&
	    a->w.crashes[p->crash].state == CRASH_READY) {
		fprintf(a->timing, "first-screen %.3f\n", t - a->t0);
		a->first_logged = 1;
	}
	if (a->key_at > 0) {
		fprintf(a->timing, "key %.3f %u\n", t - a->key_at, p ? p->list.n : 0);
		a->key_at = 0;
	}
	fflush(a->timing);
}

/* ---- opening things -------------------------------------------------------- */

/* Starts the worker over the dumps of path; the first pane shows them. */
static void open_target(app *a, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		set_status(a, TUI_S_ERROR, "%s: %s", path, strerror(errno));
		return;
	}
	char **paths = NULL;
	uint32_t n = 0;
	cd_err e;
	int dir = S_ISDIR(st.st_mode);
	if (dir) {
		size_t nd;
		if (cd_dir_files(path, ".dmp", 1, &paths, &nd, &e) != CD_OK) {
			set_status(a, TUI_S_ERROR, "%s", e.msg);
			return;
		}
		if (!nd) {
			set_status(a, TUI_S_ERROR, "%s: no .dmp files", path);
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
	while (a->depth > 0 && top(a)->kind != PK_HOME)
		pop(a);
	worker_free(&a->w);
	if (start_worker(a, paths, n) != CD_OK)
		set_status(a, TUI_S_ERROR, "cannot start the worker thread");
	for (uint32_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(a->recorded);
	a->recorded = calloc(n ? n : 1, 1);
	a->nrecorded = a->recorded ? n : 0;
	if (dir && a->db) {
		char abs[4096];
		if (realpath(path, abs))
			store_recent_touch(a->db, abs, STORE_DIR, NULL, &e);
	}
	if (dir) {
		pane *p = push(a, PK_CRASHES, -1);
		if (p) {
			worker_lock(&a->w);
			build(a, p);
			worker_unlock(&a->w);
		}
		set_status(a, TUI_S_NORMAL, "%s: %u dumps", path, n);
	} else {
		open_crash(a, 0);
	}
}

static void home_rows(app *a)
{
	pane *p = push(a, PK_HOME, -1);
	if (!p)
		return;
	json_t *rows = json_array();
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "name", "Open a dump or a directory...",
					      "when", "", "_style", "heading"));
	store_recent *rec = NULL;
	size_t nrec = 0;
	cd_err e;
	if (a->db && store_recent_list(a->db, 200, &rec, &nrec, &e) == CD_OK) {
		for (size_t i = 0; i < nrec; i++) {
			char when[32] = "", crash[512] = "";
			time_t t = (time_t)rec[i].last_opened;
			struct tm tm;
			if (gmtime_r(&t, &tm))
				strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
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
			char name[80], when[32] = "";
			snprintf(name, sizeof name, "crashstats %s", cr[i].crash_id);
			time_t t = (time_t)cr[i].fetched_at;
			struct tm tm;
			if (gmtime_r(&t, &tm))
				strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "name", name,
							      "reason",
							      cr[i].signature ? cr[i].signature : "",
							      "when", when, "_csid", cr[i].crash_id));
		}
		store_crash_rows_free(cr, ncr);
	}
	tui_list_set_json(&p->list, &a->v_home, rows);
	p->built = 1;
}

/* ---- the loop --------------------------------------------------------------- */

static void on_mouse(app *a)
{
	MEVENT ev;
	pane *p = top(a);
	if (getmouse(&ev) != OK || !p)
		return;
	if (ev.bstate & BUTTON4_PRESSED)
		tui_list_move(&p->list, -3, list_height() - 1);
	else if (ev.bstate & (BUTTON5_PRESSED))
		tui_list_move(&p->list, 3, list_height() - 1);
	else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED)) {
		int row = ev.y - 2; /* the title and the column header above */
		if (row >= 0 && ev.y < LINES - 1)
			tui_list_select(&p->list, p->list.top + (uint32_t)row, list_height() - 1);
		if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
			act_open(a);
	}
	a->dirty = 1;
}

static void on_prompt_key(app *a, wint_t ch, int is_key)
{
	size_t len = strlen(a->input);
	if ((!is_key && (ch == '\n' || ch == '\r')) || (is_key && ch == KEY_ENTER)) {
		finish_prompt(a);
	} else if (!is_key && ch == 27) {
		a->prompt = 0;
	} else if (!is_key && ch == 0x15) { /* C-u: the whole line, as in a shell */
		a->input[0] = 0;
	} else if (!is_key && ch == 0x17) { /* C-w: the last word */
		while (len > 0 && a->input[len - 1] == ' ')
			len--;
		while (len > 0 && a->input[len - 1] != ' ')
			len--;
		a->input[len] = 0;
	} else if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
		/* Back over one whole UTF-8 character. */
		while (len > 0 && ((unsigned char)a->input[len - 1] & 0xc0) == 0x80)
			len--;
		if (len > 0)
			len--;
		a->input[len] = 0;
	} else if (!is_key && ch >= 0x20) {
		char mb[MB_LEN_MAX];
		mbstate_t ps;
		memset(&ps, 0, sizeof ps);
		size_t k = wcrtomb(mb, (wchar_t)ch, &ps);
		if (k != (size_t)-1 && len + k < sizeof a->input) {
			memcpy(a->input + len, mb, k);
			a->input[len + k] = 0;
		}
	}
	a->dirty = 1;
}

static void on_key(app *a, int key)
{
	pane *p = top(a);
	int page = list_height() - 1;
	tui_action act = tui_keymap_lookup(&a->views.keys, key);
	if (a->help) {
		/* The overlay scrolls; any other key closes it. */
		if (act == TUI_ACT_UP || act == TUI_ACT_DOWN || act == TUI_ACT_PAGE_UP ||
		    act == TUI_ACT_PAGE_DOWN)
			tui_list_move(&a->help_list,
				      act == TUI_ACT_UP ? -1 : act == TUI_ACT_DOWN ? 1
							       : act == TUI_ACT_PAGE_UP ? -page
											: page,
				      LINES - 6);
		else
			a->help = 0;
		a->dirty = 1;
		return;
	}
	a->dirty = 1;
	switch (act) {
	case TUI_ACT_UP: if (p) tui_list_move(&p->list, -1, page); break;
	case TUI_ACT_DOWN: if (p) tui_list_move(&p->list, 1, page); break;
	case TUI_ACT_PAGE_UP: if (p) tui_list_move(&p->list, -page, page); break;
	case TUI_ACT_PAGE_DOWN: if (p) tui_list_move(&p->list, page, page); break;
	case TUI_ACT_TOP: if (p) tui_list_select(&p->list, 0, page); break;
	case TUI_ACT_BOTTOM: if (p && p->list.n) tui_list_select(&p->list, p->list.n - 1, page); break;
	case TUI_ACT_OPEN: act_open(a); break;
	case TUI_ACT_BACK: act_back(a, key == 'q'); break;
	case TUI_ACT_QUIT: a->quit = 1; break;
	case TUI_ACT_NEXT_PANE: act_tab(a, 1); break;
	case TUI_ACT_PREV_PANE: act_tab(a, -1); break;
	case TUI_ACT_SUMMARY: show_tab(a, PK_SUMMARY); break;
	case TUI_ACT_THREADS: show_tab(a, PK_THREADS); break;
	case TUI_ACT_FRAMES: show_tab(a, PK_FRAMES); break;
	case TUI_ACT_MODULES: show_tab(a, PK_MODULES); break;
	case TUI_ACT_UNLOADED: show_tab(a, PK_UNLOADED); break;
	case TUI_ACT_ANNOTATIONS: show_tab(a, PK_ANNOTATIONS); break;
	case TUI_ACT_FOLD: act_fold(a); break;
	case TUI_ACT_SEARCH: a->prompt = PROMPT_SEARCH; a->input[0] = 0; break;
	case TUI_ACT_SEARCH_NEXT: search(a, 1); break;
	case TUI_ACT_SEARCH_PREV: search(a, -1); break;
	case TUI_ACT_FILTER:
		if (p) {
			a->prompt = PROMPT_FILTER;
			snprintf(a->input, sizeof a->input, "%s", p->list.filter);
		}
		break;
	case TUI_ACT_SORT: act_sort(a); break;
	case TUI_ACT_GOTO_ADDRESS:
		if (a->sym) {
			a->prompt = PROMPT_ADDRESS;
			a->input[0] = 0;
		}
		break;
	case TUI_ACT_HELP: show_help(a); break;
	case TUI_ACT_CLOSE:
		a->status[0] = 0;
		worker_lock(&a->w);
		if (a->w.cs.fetching[0] || a->w.cs.search == CSJ_RUNNING ||
		    a->w.cs.search == CSJ_ASKED) {
			worker_cs_cancel(&a->w);
			set_status(a, TUI_S_NORMAL, "canceling ...");
		}
		worker_unlock(&a->w);
		break;
	case TUI_ACT_COPY: act_copy(a); break;
	case TUI_ACT_REDRAW: clearok(curscr, TRUE); break;
	case TUI_ACT_RETRY: act_retry(a); break;
	case TUI_ACT_SIGNATURE: show_tab(a, PK_SIGNATURE); break;
	case TUI_ACT_TUNING: show_tuning(a); break;
	case TUI_ACT_SEARCH_CRASHSTATS:
		a->prompt = PROMPT_CRASHSTATS;
		snprintf(a->input, sizeof a->input, "%s", a->cs_query);
		break;
	case TUI_ACT_COMPARE: act_compare(a); break;
	default:
		if (key == KEY_RESIZE) {
			/* Wrapped rows are wrapped again to the new width. */
			for (int i = 0; i < a->depth; i++)
				if (a->stack[i].kind == PK_SUMMARY)
					a->stack[i].built = 0;
			break;
		}
		a->dirty = 0;
		break;
	}
}

static void init_views(app *a, char *warnings, size_t n)
{
	tui_views_load(a->config_dir[0] ? a->config_dir : NULL, &a->views, warnings, n);
	a->v_kv = (tui_view){ .name = "kv", .ncols = 2,
			      .cols = { { "", "key", 16, 0, TUI_ALIGN_LEFT },
					{ "", "value", 0, 1, TUI_ALIGN_LEFT } } };
	a->v_text = (tui_view){ .name = "text", .ncols = 2,
				.cols = { { "Frame", "text", 24, 0, TUI_ALIGN_LEFT },
					  { "Address", "offset", 0, 1, TUI_ALIGN_LEFT } } };
	a->v_line = (tui_view){ .name = "line", .ncols = 1,
				.cols = { { "", "text", 0, 1, TUI_ALIGN_LEFT, 0 } } };
	a->v_home = (tui_view){ .name = "home", .ncols = 3,
				.cols = { { "Recently opened", "name", 0, 3, TUI_ALIGN_LEFT, 1 },
					  { "Crash", "reason", 0, 2, TUI_ALIGN_LEFT },
					  { "Last opened", "when", 17, 0, TUI_ALIGN_LEFT } } };
	a->v_check = (tui_view){ .name = "check", .ncols = 3,
				 .cols = { { "Line", "line", 10, 0, TUI_ALIGN_RIGHT },
					   { "Kind", "kind", 9, 0, TUI_ALIGN_LEFT },
					   { "Problem", "message", 0, 1, TUI_ALIGN_LEFT } } };
}

/* Releases everything a (partly) started app holds. */
static void app_free(app *a)
{
	worker_free(&a->w);
	while (a->depth)
		pop(a);
	tui_list_free(&a->help_list);
	sym_store_free(a->store);
	sym_store_free(a->net);
	store_close(a->db);
	tui_schema_free(a->schema);
	sig_resig_free(a->resig);
	sig_signer_free(a->signer);
	sig_lists_free(a->lists);
	sig_lists_free(a->baseline);
	free(a->recorded);
	free(a->resig_ids);
	json_decref(a->resig_rows);
	cd_wipe(&a->cs, sizeof a->cs); /* the token */
	if (a->timing)
		fclose(a->timing);
	close(a->wake[0]);
	close(a->wake[1]);
	free(a);
}

int tui_run(const tui_options *o, cd_err *e)
{
	app *a = calloc(1, sizeof *a);
	if (!a)
		return cd_errf(e, CD_ENOMEM, "out of memory");
	a->o = o;
	a->t0 = now_ms();
	if (pipe2(a->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		free(a);
		return cd_errf(e, CD_EIO, "cannot make a pipe: %s", strerror(errno));
	}
	const char *timing = getenv("CRASHDESK_TIMING");
	if (timing && *timing)
		a->timing = fopen(timing, "a");
	snprintf(a->symcache_dir, sizeof a->symcache_dir, "%s/symcache", o->cache_dir);
	if (o->config_dir)
		snprintf(a->config_dir, sizeof a->config_dir, "%s", o->config_dir);
	cd_err me;
	cd_mkdir_p(a->symcache_dir, 0700, &me);
	/* Two stores: what is on disk shows at once; the servers are asked
	 * in the background and the crash walked again (worker.h). */
	sym_store_opts so = { .paths = o->symbol_paths, .npaths = o->nsymbol_paths,
			      .cache_dir = o->cache_dir,
			      .net = { .jobs = o->jobs, .stall_timeout_s = o->timeout_s,
				       .offline = 1, .refresh = o->refresh } };
	if (sym_store_open(&so, &a->store, e) != CD_OK) {
		app_free(a);
		return 1;
	}
	if (o->nsymbol_urls && !o->offline) {
		so.urls = o->symbol_urls;
		so.nurls = o->nsymbol_urls;
		so.net.offline = 0;
		if (sym_store_open(&so, &a->net, e) != CD_OK) {
			app_free(a);
			return 1;
		}
	}
	char warnings[2048] = "";
	init_views(a, warnings, sizeof warnings);
	size_t wl = strlen(warnings);
	tui_schema_load(&a->schema, warnings + wl, sizeof warnings - wl);
	/* A working copy of the lists from an earlier tuning session is used
	 * when there is one; the built-in lists are the baseline. */
	{
		cd_err le;
		char dir[4200];
		struct stat st;
		snprintf(dir, sizeof dir, "%s/siglists", a->config_dir[0] ? a->config_dir : o->cache_dir);
		if (sig_lists_load(NULL, &a->baseline, &le) != CD_OK)
			a->baseline = NULL;
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && sig_lists_load(dir, &a->lists, &le) == CD_OK)
			snprintf(a->lists_dir, sizeof a->lists_dir, "%s", dir);
		else if (sig_lists_load(NULL, &a->lists, &le) != CD_OK)
			a->lists = NULL;
		if (a->lists && sig_signer_new(a->lists, &a->signer, &le) != CD_OK)
			a->signer = NULL;
	}
	cd_err se;
	char dbpath[4200];
	snprintf(dbpath, sizeof dbpath, "%s/crashdesk.db", o->cache_dir);
	if (store_open(dbpath, &a->db, &se) != CD_OK) {
		a->db = NULL; /* the workstation works without its memory */
		snprintf(warnings + strlen(warnings), sizeof warnings - strlen(warnings), "%s%s",
			 warnings[0] ? "; " : "", se.msg);
	}
	symbrowse_init(&a->sb);
	/* Crash Stats: a problem with its configuration is told when a
	 * search is asked for; everything else works without it. */
	{
		cd_err ce;
		if (o->offline)
			snprintf(a->cs_err, sizeof a->cs_err, "offline: only crashes already fetched open");
		else if (cs_config_from(o->config, NULL, &a->cs, &ce) == CD_OK)
			a->cs_ok = 1;
		else
			snprintf(a->cs_err, sizeof a->cs_err, "%s", ce.msg);
	}

	setlocale(LC_ALL, "");
	if (MB_CUR_MAX == 1) /* names are UTF-8 whatever the locale says */
		setlocale(LC_CTYPE, "C.UTF-8");
	int color = 0;
	SCREEN *screen = tui_start_screen(&color);
	if (!screen) {
		app_free(a);
		return cd_errf(e, CD_EIO, "cannot open the terminal (TERM=%s)",
			       getenv("TERM") ? getenv("TERM") : "");
	}
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
			  BUTTON5_PRESSED,
		  NULL);
	mouseinterval(0);
	nodelay(stdscr, TRUE);
	tui_draw_init(color);
	if (warnings[0])
		set_status(a, TUI_S_ERROR, "%s", warnings);

	if (o->sym_file) {
		snprintf(a->sym_title, sizeof a->sym_title, "%s", o->sym_file);
		start_worker(a, NULL, 0);
		worker_want_symfile(&a->w, o->sym_file, a->symcache_dir);
		a->sym_wait = 1;
	} else if (o->target) {
		open_target(a, o->target);
		if (!a->depth)
			a->quit = 1;
	} else {
		start_worker(a, NULL, 0);
		home_rows(a);
	}

	a->dirty = 1;
	while (!a->quit) {
		worker_lock(&a->w);
		uint32_t seq = a->w.seq;
		worker_unlock(&a->w);
		if (seq != a->seen_seq) {
			a->seen_seq = seq;
			rebuild_all(a);
			poll_symbols(a);
			a->dirty = 1;
		}
		if (a->dirty)
			draw(a);
		wint_t ch;
		int r = get_wch(&ch);
		if (r == ERR) {
			/* Nothing typed: sleep until a key or the worker. */
			struct pollfd fds[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
						 { .fd = a->wake[0], .events = POLLIN } };
			if (poll(fds, 2, 1000) > 0 && (fds[1].revents & POLLIN)) {
				char buf[64];
				while (read(a->wake[0], buf, sizeof buf) > 0)
					;
			}
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_MOUSE) {
			on_mouse(a);
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			a->dirty = 1;
			continue;
		}
		if (a->prompt) {
			on_prompt_key(a, ch, r == KEY_CODE_YES);
			continue;
		}
		int key = (int)ch;
		if (r != KEY_CODE_YES && (ch == '\r'))
			key = '\n';
		if (a->timing)
			a->key_at = now_ms();
		on_key(a, key);
	}
	endwin();
	delscreen(screen);
	app_free(a);
	return 0;
}
