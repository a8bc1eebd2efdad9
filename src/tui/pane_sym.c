/*
 * pane_sym.c - the sym-file browser: a symbol cache's functions (served
 * from the mapped cache, not copied: a libxul has half a million), the
 * file's check (its anomalies) and what one address resolves to.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "pane.h"

static void sym_title(app *a, const pane *p, char *buf, size_t n)
{
	(void)p;
	snprintf(buf, n, "%s", a->sym_title);
}

static void browse(app *a, const sym_cache *c)
{
	a->sym = c;
	symbrowse_set(&a->sb, c);
	pane *p = pane_push(a, &pane_symfuncs, -1);
	if (!p)
		return;
	tui_list_set_source(&p->list, pane_view(a, &pane_symfuncs), symbrowse_count(&a->sb),
			    symbrowse_cell, &a->sb);
	p->built = 1;
	app_status(a, TUI_S_NORMAL, "%s: %u function%s, %u PUBLIC symbol%s", a->sym_title,
		   a->sb.nfuncs, a->sb.nfuncs == 1 ? "" : "s", a->sb.npublics,
		   a->sb.npublics == 1 ? "" : "s");
}

void sym_open_file(app *a, const char *path)
{
	snprintf(a->sym_title, sizeof a->sym_title, "%s", path);
	worker_want_symfile(a->w, path, a->symcache_dir);
	a->sym_wait = 1;
}

void sym_want_module(app *a, const char *debug_file, const char *debug_id)
{
	snprintf(a->sym_title, sizeof a->sym_title, "%s %s", debug_file, debug_id);
	worker_want_symbols(a->w, debug_file, debug_id);
	a->sym_wait = 1;
	app_status(a, TUI_S_NORMAL, "opening the symbols of %s ...", debug_file);
}

/* Polls the worker's answer to a request for symbols. */
void sym_note_change(app *a)
{
	/* The check of a file opened from its cache, arriving later. */
	const sym_report *rep;
	if (!a->sym_wait && a->sym && !a->sb.report &&
	    worker_symbols_report(a->w, a->sym, &rep)) {
		symbrowse_set_report(&a->sb, rep);
		worker_lock(a->w);
		for (int i = 0; i < a->depth; i++)
			if (a->stack[i].ops == &pane_symcheck)
				pane_symcheck.build(a, &a->stack[i]);
		worker_unlock(a->w);
		return;
	}
	if (!a->sym_wait)
		return;
	worker_symbols ans;
	if (!worker_symbols_answer(a->w, &ans))
		return;
	a->sym_wait = 0;
	if (!ans.cache) {
		app_status(a, TUI_S_ERROR, "%s: %s", a->sym_title,
			   ans.error[0] ? ans.error
			   : ans.status == SYM_STATUS_CORRUPT ? "symbols damaged" : "no symbols");
		if (!a->depth)
			a->quit = 1;
		return;
	}
	browse(a, ans.cache);
	symbrowse_set_report(&a->sb, ans.report);
}

/* ---- the prompt for an address, any sym pane's G ------------------------------- */

static void show_lookup(app *a, const char *text)
{
	char *end;
	errno = 0;
	unsigned long long addr = strtoull(text, &end, 16);
	if (!a->sym || errno || end == text || *end) {
		app_status(a, TUI_S_ERROR, "not a hex address: %s", text);
		return;
	}
	pane *p = pane_push(a, &pane_symlookup, -1);
	if (!p)
		return;
	snprintf(p->arg, sizeof p->arg, "0x%llx", addr);
	json_t *rows = symbrowse_lookup_rows(&a->sb, addr);
	report_wrap_kv_rows(rows, COLS - 17);
	pane_set_rows(a, p, rows, 0);
}

static const tui_prompt prompt_address = { "address (hex): ", show_lookup };

/* Tab between the functions and the check; G asks for an address. */
static pane_result sym_action(app *a, pane *p, tui_action act)
{
	switch (act) {
	case TUI_ACT_GOTO_ADDRESS:
		if (a->sym)
			app_prompt(a, &prompt_address, "");
		return PANE_HANDLED;
	case TUI_ACT_NEXT_PANE:
	case TUI_ACT_PREV_PANE:
		if (p->ops == &pane_symfuncs) {
			pane_open(a, &pane_symcheck, -1, -1);
		} else if (p->ops == &pane_symcheck) {
			/* back to the functions */
			pane_pop(a);
		} else {
			return PANE_IGNORED;
		}
		return PANE_HANDLED;
	default:
		return PANE_IGNORED;
	}
}

static const pane_ops *const sym_tabs[] = { &pane_symfuncs, &pane_symcheck, NULL };

static const tui_action sym_tab_acts[] = { TUI_ACT_GOTO_ADDRESS, TUI_ACT_NEXT_PANE,
					   TUI_ACT_PREV_PANE, TUI_ACT_NONE };
static const tui_action sym_acts[] = { TUI_ACT_GOTO_ADDRESS, TUI_ACT_NONE };

/* Enter on a function: what its address resolves to. */
static pane_result symfuncs_enter(app *a, pane *p, json_t *row)
{
	(void)row; /* served by a cell function, not JSON */
	char buf[64];
	show_lookup(a, tui_list_cell(&p->list, p->list.sel, "address", buf, sizeof buf));
	return PANE_HANDLED;
}

/* The lines of a .sym file around line n (the line marked), a row each;
 * long lines cut at 1,000 bytes (a hostile file's line may be huge).
 * NULL when the file cannot be read. */
static json_t *file_lines(const char *path, long n, const char *what)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	json_t *rows = json_array();
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "key", "Anomaly", "value", what,
					      "_style", "heading"));
	char buf[1001];
	long at = 1;
	int fresh = 1; /* buf holds the start of a line */
	while (at <= n + 5 && fgets(buf, sizeof buf, f)) {
		size_t len = strlen(buf);
		int whole = len && buf[len - 1] == '\n';
		if (whole)
			buf[--len] = 0;
		if (fresh && at >= n - 5) {
			char key[32];
			snprintf(key, sizeof key, "%s%ld", at == n ? "> " : "", at);
			json_t *r = json_pack("{s:s, s:s}", "key", key, "value", buf);
			if (at == n)
				json_object_set_new(r, "_style", json_string("error"));
			json_array_append_new(rows, r);
		}
		fresh = whole;
		if (whole)
			at++;
	}
	fclose(f);
	return rows;
}

/* Enter on an anomaly: the file's lines around it; the row whole when the
 * file is not at hand (a module's symbols from a store). */
static pane_result symcheck_enter(app *a, pane *p, json_t *row)
{
	const char *line = json_string_value(json_object_get(row, "line"));
	const char *kind = json_string_value(json_object_get(row, "kind"));
	const char *msg = json_string_value(json_object_get(row, "message"));
	long n = line ? atol(line) : 0;
	char what[1200];
	snprintf(what, sizeof what, "line %ld: %s: %s", n, kind ? kind : "", msg ? msg : "");
	json_t *rows = n > 0 && a->o->sym_file ? file_lines(a->o->sym_file, n, what) : NULL;
	if (!rows)
		return pane_show_row(a, p, row);
	pane *np = pane_push(a, &pane_symlines, -1);
	if (!np) {
		json_decref(rows);
		return PANE_HANDLED;
	}
	report_wrap_kv_rows(rows, COLS - 17);
	pane_set_rows(a, np, rows, 0);
	/* The line itself in view. */
	for (uint32_t i = 0; i < np->list.n; i++)
		if (!strncmp(tui_list_cell(&np->list, i, "key", what, sizeof what), "> ", 2))
			tui_list_select(&np->list, i, pane_page());
	return PANE_HANDLED;
}

/* Leaving the functions closes the browser. */
static void symfuncs_close(app *a, pane *p)
{
	(void)p;
	a->sym = NULL;
	symbrowse_set(&a->sb, NULL);
}

const pane_ops pane_symfuncs = {
	.name = "Functions",
	.view = "symfuncs",
	.flags = PANE_F_SYM,
	.enter = symfuncs_enter,
	.action = sym_action,
	.acts = sym_tab_acts,
	.title = sym_title,
	.close = symfuncs_close,
	.tabs = sym_tabs,
};

/* The anomalies, or "checking..." until the worker has read the file. */
static void symcheck_build(app *a, pane *p)
{
	uint32_t known = a->sb.report != NULL;
	if (p->built && p->built_seq == known + 1)
		return;
	pane_set_rows(a, p, symbrowse_check_rows(&a->sb), known + 1);
}

const pane_ops pane_symcheck = {
	.name = "Check",
	.view = "check",
	.flags = PANE_F_SYM,
	.build = symcheck_build,
	.enter = symcheck_enter,
	.action = sym_action,
	.acts = sym_tab_acts,
	.title = sym_title,
	.tabs = sym_tabs,
};

const pane_ops pane_symlines = {
	.name = "Lines",
	.view = "kv",
	.flags = PANE_F_SYM,
	.action = sym_action,
	.acts = sym_acts,
	.title = sym_title,
};

const pane_ops pane_symlookup = {
	.name = "Lookup",
	.view = "kv",
	.flags = PANE_F_SYM,
	.action = sym_action,
	.acts = sym_acts,
	.title = sym_title,
};
