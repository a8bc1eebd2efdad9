/*
 * pane_stack.c - the panes of a crash's code: its threads, the frames of
 * one (inline frames folded or shown), one frame's details, the modules
 * (and why one has no symbols), the unloaded modules and the frames that
 * point into one.
 */
#include <string.h>

#include "../minidump/minidump.h"
#include "pane.h"
#include "rows.h"

/* ---- threads --------------------------------------------------------------- */

static void threads_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash_fresh(a, p);
	if (c)
		pane_set_rows(a, p, rows_threads(c->doc), c->seq);
}

/* Enter on a thread: its frames, in place of the threads tab. */
static pane_result threads_enter(app *a, pane *p, json_t *row)
{
	int t = (int)json_integer_value(json_object_get(row, "_thread"));
	int crash = p->crash;
	pane_pop(a);
	pane_open(a, &pane_frames, crash, t);
	return PANE_HANDLED;
}

const pane_ops pane_threads = {
	.name = "Threads",
	.view = "threads",
	.flags = PANE_F_CRASH | PANE_F_TAB,
	.build = threads_build,
	.enter = threads_enter,
};

/* ---- frames ------------------------------------------------------------------ */

static void frames_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash_fresh(a, p);
	if (!c)
		return;
	/* Rows for both views: those of the other one are hidden. */
	snprintf(p->list.hide, sizeof p->list.hide, "%s", p->unfold ? "_folded" : "_unfolded");
	pane_set_rows(a, p, rows_frames(c->doc, p->thread), c->seq);
}

static pane_result frames_enter(app *a, pane *p, json_t *row)
{
	json_t *fr = json_object_get(row, "_frame");
	if (!json_is_integer(fr))
		return PANE_HANDLED;
	int thread = p->ops == &pane_frames
			     ? p->thread
			     : (int)json_integer_value(json_object_get(row, "_thread"));
	pane *n = pane_push(a, &pane_details, p->crash);
	if (n) {
		n->thread = thread;
		n->frame = (int)json_integer_value(fr);
		worker_lock(a->w);
		n->ops->build(a, n);
		worker_unlock(a->w);
	}
	return PANE_HANDLED;
}

/* Folds or unfolds inline frames, the same real frame selected. */
static pane_result frames_action(app *a, pane *p, tui_action act)
{
	if (act != TUI_ACT_FOLD)
		return PANE_IGNORED;
	json_t *row = tui_list_row(&p->list, p->list.sel);
	json_int_t frame = json_integer_value(json_object_get(row, "_frame"));
	p->unfold = !p->unfold;
	snprintf(p->list.hide, sizeof p->list.hide, "%s", p->unfold ? "_folded" : "_unfolded");
	tui_list_refresh(&p->list);
	for (uint32_t i = 0; i < p->list.n; i++)
		if (json_integer_value(json_object_get(tui_list_row(&p->list, i), "_frame")) == frame) {
			tui_list_select(&p->list, i, pane_page());
			break;
		}
	app_status(a, TUI_S_NORMAL, "inline frames %s", p->unfold ? "shown" : "folded");
	return PANE_HANDLED;
}

static const tui_action frames_acts[] = { TUI_ACT_FOLD, TUI_ACT_NONE };

/* Where in the crash: which thread's frames. */
static void frames_title(app *a, const pane *p, char *buf, size_t n)
{
	snprintf(buf, n, "%s  thread %d", pane_crash_name(a, p), p->thread);
}

const pane_ops pane_frames = {
	.name = "Frames",
	.view = "frames",
	.flags = PANE_F_CRASH | PANE_F_TAB,
	.build = frames_build,
	.enter = frames_enter,
	.action = frames_action,
	.acts = frames_acts,
	.title = frames_title,
};

/* ---- one frame ------------------------------------------------------------------ */

static int read_memory(void *ctx, uint64_t addr, void *dst, size_t n)
{
	const md_dump *d = ctx;
	return md_read_memory(d, addr, dst, n) == CD_OK ? 0 : -1;
}

static void details_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash_fresh(a, p);
	if (!c)
		return;
	const md_dump *d = c->dump;
	pane_set_rows(a, p,
		      rows_frame_details(c->doc, p->thread, p->frame, d ? read_memory : NULL,
					 (void *)d),
		      c->seq);
}

static void details_title(app *a, const pane *p, char *buf, size_t n)
{
	snprintf(buf, n, "%s  thread %d frame %d", pane_crash_name(a, p), p->thread, p->frame);
}

const pane_ops pane_details = {
	.name = "Frame",
	.view = "kv",
	.flags = PANE_F_CRASH,
	.build = details_build,
	.enter = pane_show_row,
	.title = details_title,
};

/* ---- modules ------------------------------------------------------------------- */

static void modules_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash_fresh(a, p);
	if (c)
		pane_set_rows(a, p, rows_modules(c->doc), c->seq);
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

/* Enter on a module: its symbols in the browser, or why there are none. */
static pane_result modules_enter(app *a, pane *p, json_t *row)
{
	const char *df = json_string_value(json_object_get(row, "debug_file"));
	const char *id = json_string_value(json_object_get(row, "debug_id"));
	const char *st = json_string_value(json_object_get(row, "status"));
	if (df && id && st && !strcmp(st, "loaded")) {
		sym_want_module(a, df, id);
		return PANE_HANDLED;
	}
	pane *n = pane_push(a, &pane_module_why, p->crash);
	if (n) {
		snprintf(n->arg, sizeof n->arg, "%s", df ? df : "");
		pane_set_rows(a, n, why_rows(row), 0);
	}
	return PANE_HANDLED;
}

/* R: the selected module's symbols asked of the servers again. */
static pane_result modules_action(app *a, pane *p, tui_action act)
{
	if (act != TUI_ACT_RETRY)
		return PANE_IGNORED;
	if (!p->list.n)
		return PANE_HANDLED;
	if (!a->net) {
		app_status(a, TUI_S_ERROR, "no symbol server to ask (--symbols-url, or offline)");
		return PANE_HANDLED;
	}
	json_t *row = tui_list_row(&p->list, p->list.sel);
	const char *df = json_string_value(json_object_get(row, "debug_file"));
	const char *id = json_string_value(json_object_get(row, "debug_id"));
	if (!df || !*df || !id || !*id) {
		app_status(a, TUI_S_ERROR, "this module has no debug file and id to ask for");
		return PANE_HANDLED;
	}
	worker_retry(a->w, (uint32_t)p->crash, df, id,
		     json_string_value(json_object_get(row, "name")),
		     json_string_value(json_object_get(row, "code_id")));
	app_status(a, TUI_S_NORMAL, "asking the servers again for %s", df);
	return PANE_HANDLED;
}

static const tui_action modules_acts[] = { TUI_ACT_RETRY, TUI_ACT_NONE };

const pane_ops pane_modules = {
	.name = "Modules",
	.view = "modules",
	.flags = PANE_F_CRASH | PANE_F_TAB,
	.build = modules_build,
	.enter = modules_enter,
	.action = modules_action,
	.acts = modules_acts,
};

const pane_ops pane_module_why = {
	.name = "Symbols tried",
	.view = "kv",
	.flags = PANE_F_CRASH,
};

/* ---- unloaded modules ------------------------------------------------------------ */

static void unloaded_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash_fresh(a, p);
	if (c)
		pane_set_rows(a, p, rows_unloaded(c->doc), c->seq);
}

static pane_result unloaded_enter(app *a, pane *p, json_t *row)
{
	const char *name = json_string_value(json_object_get(row, "name"));
	pane *n = pane_push(a, &pane_unloaded_frames, p->crash);
	if (!n)
		return PANE_HANDLED;
	snprintf(n->arg, sizeof n->arg, "%s", name ? name : "");
	worker_lock(a->w);
	n->ops->build(a, n);
	worker_unlock(a->w);
	if (!n->list.n)
		app_status(a, TUI_S_NORMAL, "no frame points into %s", n->arg);
	return PANE_HANDLED;
}

const pane_ops pane_unloaded = {
	.name = "Unloaded",
	.view = "unloaded",
	.flags = PANE_F_CRASH | PANE_F_TAB,
	.build = unloaded_build,
	.enter = unloaded_enter,
};

static void unloaded_frames_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash_fresh(a, p);
	if (c)
		pane_set_rows(a, p, rows_unloaded_frames(c->doc, p->arg), c->seq);
}

const pane_ops pane_unloaded_frames = {
	.name = "Frames into module",
	.view = "text",
	.flags = PANE_F_CRASH,
	.build = unloaded_frames_build,
	.enter = frames_enter,
};
