/*
 * app.c - the pane engine: the TUI's loop and its stack of panes. What a
 * pane shows and does lies in its pane_ops table (pane.h); this file calls
 * panes only through it.
 *
 *   keys -> keymap (views/keys.yaml) -> action -> the top pane's table,
 *           else the engine's own meaning (moving, searching, tabs...)
 *   worker thread -> new crash documents -> panes rebuilt (ops->build) -> draw
 *
 * The loop sleeps until a key or the worker's wake-up pipe, so results of
 * the worker show as soon as they land; it redraws only what changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>

#include "pane.h"

const pane_tab pane_tabs[] = {
	{ TUI_ACT_SUMMARY, &pane_summary },   { TUI_ACT_SIGNATURE, &pane_signature },
	{ TUI_ACT_THREADS, &pane_threads },   { TUI_ACT_FRAMES, &pane_frames },
	{ TUI_ACT_MODULES, &pane_modules },   { TUI_ACT_UNLOADED, &pane_unloaded },
	{ TUI_ACT_ANNOTATIONS, &pane_annotations }, { TUI_ACT_JSON, &pane_json },
};
const int pane_ntabs = (int)(sizeof pane_tabs / sizeof *pane_tabs);



static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void app_status(app *a, tui_style style, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->status, sizeof a->status, fmt, ap);
	va_end(ap);
	a->status_style = style;
	a->status_at = time(NULL);
	a->dirty = 1;
}

pane *pane_top(app *a)
{
	return a->depth ? &a->stack[a->depth - 1] : NULL;
}

int pane_is_tab(const pane *p)
{
	return p && (p->ops->flags & PANE_F_TAB);
}

int pane_page(void)
{
	return LINES - 3; /* the title and status lines, the column header */
}

const tui_crash *pane_crash(app *a, const pane *p)
{
	return p->crash >= 0 ? worker_crash(a->w, (uint32_t)p->crash) : NULL;
}

const char *pane_crash_name(app *a, const pane *p)
{
	const tui_crash *c = pane_crash(a, p);
	return c ? cd_basename(c->path) : "";
}

/* ---- building a pane's rows ------------------------------------------- */

const tui_view *pane_view(app *a, const pane_ops *ops)
{
	const tui_view *v = ops->view ? tui_views_get(&a->views, ops->view) : NULL;
	if (v)
		return v;
	static const struct {
		const char *name;
		size_t off;
	} builtin[] = {
		{ "home", offsetof(app, v_home) }, { "check", offsetof(app, v_check) },
		{ "text", offsetof(app, v_text) }, { "line", offsetof(app, v_line) },
		{ "disasm", offsetof(app, v_disasm) }, { "memory", offsetof(app, v_memory) },
		{ "phc", offsetof(app, v_phc) }, { "source", offsetof(app, v_source) },
	};
	for (size_t i = 0; ops->view && i < sizeof builtin / sizeof *builtin; i++)
		if (!strcmp(ops->view, builtin[i].name))
			return (const tui_view *)((const char *)a + builtin[i].off);
	return &a->v_kv;
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

const tui_crash *pane_crash_fresh(app *a, pane *p)
{
	const tui_crash *c = pane_crash(a, p);
	if (!c || (p->built && p->built_seq == c->seq))
		return NULL;
	if (c->state == CRASH_READY)
		return c;
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
	return NULL;
}

void pane_set_rows(app *a, pane *p, json_t *rows, uint32_t seq)
{
	const tui_view *v = pane_view(a, p->ops);
	if (p->built && p->list.view == v) {
		tui_list_update_json(&p->list, rows);
	} else {
		tui_list_set_json(&p->list, v, rows);
		tui_list_refresh(&p->list); /* rows the pane hides (list.hide) */
	}
	p->built = 1;
	p->built_seq = seq;
}

/* Under the worker's lock: every pane of the stack brought up to date. */
static void rebuild_all(app *a)
{
	worker_lock(a->w);
	cs_note_change(a);
	for (int i = 0; i < a->depth; i++) {
		pane *p = &a->stack[i];
		if (p->ops->build)
			p->ops->build(a, p);
	}
	worker_unlock(a->w);
	sym_note_change(a);
}

/* ---- the stack of panes ------------------------------------------------- */

pane *pane_push(app *a, const pane_ops *ops, int crash)
{
	if (a->depth == MAX_DEPTH) {
		app_status(a, TUI_S_ERROR, "too many panes open: go back first");
		return NULL;
	}
	/* A message is about the pane it was said on: another pane starts
	 * without it (what the action says next is set after this). The
	 * first pane keeps what start-up said (a broken view file, say). */
	if (a->depth)
		a->status[0] = 0;
	pane *p = &a->stack[a->depth++];
	memset(p, 0, sizeof *p);
	p->ops = ops;
	p->crash = crash;
	p->thread = -1;
	p->list.sort_col = -1;
	a->dirty = 1;
	return p;
}

void pane_pop(app *a)
{
	if (!a->depth)
		return;
	pane *p = &a->stack[a->depth - 1];
	if (p->ops->close)
		p->ops->close(a, p);
	tui_list_free(&p->list);
	a->depth--;
	a->status[0] = 0;
	a->dirty = 1;
}

pane *pane_open(app *a, const pane_ops *ops, int crash, int thread)
{
	pane *p = pane_push(a, ops, crash);
	if (!p)
		return NULL;
	p->thread = thread;
	if (ops->build) {
		worker_lock(a->w);
		ops->build(a, p);
		worker_unlock(a->w);
	}
	return p;
}

int app_default_thread(app *a, int crash)
{
	int t = 0;
	worker_lock(a->w);
	const tui_crash *c = worker_crash(a->w, (uint32_t)crash);
	if (c && c->state == CRASH_READY) {
		json_t *ct = json_object_get(json_object_get(c->doc, "crash_info"), "crashing_thread");
		if (json_is_integer(ct))
			t = (int)json_integer_value(ct);
	}
	worker_unlock(a->w);
	return t;
}

/* Switches the top crash tab to another (or pushes it over a non-tab). */
static void show_tab(app *a, const pane_ops *ops)
{
	pane *p = pane_top(a);
	if (!p || p->crash < 0)
		return;
	int crash = p->crash, thread = p->thread;
	/* Tabs replace each other; details and the like are left first. */
	while (a->depth > 1 && !pane_is_tab(pane_top(a)) && pane_top(a)->crash == crash)
		pane_pop(a);
	if (pane_is_tab(pane_top(a)))
		pane_pop(a);
	pane_open(a, ops, crash, thread >= 0 ? thread : app_default_thread(a, crash));
}

void app_open_crash(app *a, int crash)
{
	worker_want(a->w, (uint32_t)crash);
	pane_open(a, &pane_summary, crash, -1);
}

/* worker_start() with the Crash Stats side set up; every session's worker
 * gets the same configuration and database. */
int app_start_worker(app *a, char *const *paths, uint32_t n)
{
	char db[4200], symkey[2048] = "";
	snprintf(db, sizeof db, "%s/crashdesk.db", a->o->cache_dir);
	int rc = worker_start(&a->w, a->store, a->net, db, paths, n, a->wake[1]);
	if (rc != CD_OK)
		return rc;
	for (int k = 0; k < a->o->nsymbol_paths; k++)
		snprintf(symkey + strlen(symkey), sizeof symkey - strlen(symkey), "%s%s",
			 k ? ":" : "", a->o->symbol_paths[k]);
	worker_cs_setup(a->w, a->cs_ok ? &a->cs : NULL, symkey);
	return CD_OK;
}

void app_prompt(app *a, const tui_prompt *pr, const char *prefill)
{
	a->prompt = pr;
	snprintf(a->input, sizeof a->input, "%s", prefill ? prefill : "");
	a->dirty = 1;
}

/* ---- actions every pane has ---------------------------------------------- */

static void act_back(app *a, int quit_key)
{
	if (a->depth <= 1) {
		/* q on the first pane quits; Backspace there does nothing. */
		if (quit_key)
			a->quit = 1;
		return;
	}
	pane *p = pane_top(a);
	int crash = p->crash;
	/* A crash's tabs are one level: back leaves them all. */
	if (pane_is_tab(p)) {
		while (a->depth > 1 && pane_top(a)->crash == crash && pane_is_tab(pane_top(a)))
			pane_pop(a);
		if (!a->depth)
			a->quit = 1;
		return;
	}
	pane_pop(a);
}

/* Tab and its reverse among a crash's tabs. */
static void act_tab(app *a, int dir)
{
	pane *p = pane_top(a);
	if (!pane_is_tab(p))
		return;
	int k = 0;
	while (k < pane_ntabs && pane_tabs[k].ops != p->ops)
		k++;
	k = ((k + dir) % pane_ntabs + pane_ntabs) % pane_ntabs;
	show_tab(a, pane_tabs[k].ops);
}

/* Enter: what the pane's row opens. */
static void open_selected(app *a)
{
	pane *p = pane_top(a);
	if (p && p->list.n && p->ops->enter)
		p->ops->enter(a, p, tui_list_row(&p->list, p->list.sel));
}

/* OSC 52: the terminal (or tmux) puts the text on the clipboard. */
static void act_sort(app *a)
{
	pane *p = pane_top(a);
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
		app_status(a, TUI_S_NORMAL, "sorted by %s%s", l->view->cols[l->sort_col].title,
			   l->sort_desc ? ", descending" : "");
	else
		app_status(a, TUI_S_NORMAL, "in original order");
}

static void search(app *a, int dir)
{
	pane *p = pane_top(a);
	if (!p || !a->search[0])
		return;
	uint32_t before = p->list.sel;
	if (tui_list_search(&p->list, a->search, dir)) {
		/* Past the end it goes on from the other end: say so. */
		int wrapped = dir > 0 ? p->list.sel <= before : p->list.sel >= before;
		app_status(a, TUI_S_NORMAL, wrapped ? "/%s (search wrapped to the %s)" : "/%s",
			   a->search, dir > 0 ? "top" : "bottom");
	} else
		app_status(a, TUI_S_ERROR, "not found: %s", a->search);
}

static void search_done(app *a, const char *input)
{
	snprintf(a->search, sizeof a->search, "%s", input);
	search(a, 1);
}

static void filter_done(app *a, const char *input)
{
	pane *p = pane_top(a);
	if (!p)
		return;
	snprintf(p->list.filter, sizeof p->list.filter, "%s", input);
	tui_list_refresh(&p->list);
	app_status(a, TUI_S_NORMAL, input[0] ? "%u rows match \"%s\"" : "%u rows", p->list.n, input);
}

static const tui_prompt prompt_search = { "/", search_done };
static const tui_prompt prompt_filter = { "filter: ", filter_done };

static void finish_prompt(app *a)
{
	const tui_prompt *pr = a->prompt;
	char input[sizeof a->input];
	snprintf(input, sizeof input, "%s", a->input);
	/* Cleared first: what it does may ask for another line. */
	a->prompt = NULL;
	pr->done(a, input);
}

/* ---- help ----------------------------------------------------------------- */

/* ---- drawing ---------------------------------------------------------------- */

static void draw(app *a)
{
	erase();
	if (LINES < 3 || COLS < 10) {
		mvaddstr(0, 0, "crashdesk: window too small");
		refresh();
		return;
	}
	frame_draw_title(a);
	pane *p = pane_top(a);
	if (p)
		tui_list_draw(&p->list, 1, 0, LINES - 2, COLS, !a->help);
	if (a->help)
		frame_draw_help(a);
	frame_draw_status(a);
	refresh();
	a->dirty = 0;
	if (!a->timing)
		return;
	double t = now_ms();
	worker_lock(a->w);
	const tui_crash *c = p ? pane_crash(a, p) : NULL;
	int ready = c && c->state == CRASH_READY;
	worker_unlock(a->w);
	if (!a->first_logged && ready) {
		fprintf(a->timing, "first-screen %.3f\n", t - a->t0);
		a->first_logged = 1;
	}
	if (a->key_at > 0) {
		fprintf(a->timing, "key %.3f %u\n", t - a->key_at, p ? p->list.n : 0);
		a->key_at = 0;
	}
	fflush(a->timing);
}

/* ---- the loop --------------------------------------------------------------- */

static void on_mouse(app *a)
{
	MEVENT ev;
	pane *p = pane_top(a);
	if (getmouse(&ev) != OK || !p)
		return;
	if (ev.bstate & BUTTON4_PRESSED)
		tui_list_move(&p->list, -3, pane_page());
	else if (ev.bstate & (BUTTON5_PRESSED))
		tui_list_move(&p->list, 3, pane_page());
	else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED)) {
		int row = ev.y - 2; /* the title and the column header above */
		if (row >= 0 && ev.y < LINES - 1)
			tui_list_select(&p->list, p->list.top + (uint32_t)row, pane_page());
		if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
			open_selected(a);
	}
	a->dirty = 1;
}

static void on_prompt_key(app *a, wint_t ch, int is_key)
{
	size_t len = strlen(a->input);
	if ((!is_key && (ch == '\n' || ch == '\r')) || (is_key && ch == KEY_ENTER)) {
		finish_prompt(a);
	} else if (!is_key && ch == 27) {
		a->prompt = NULL;
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

/* The help overlay scrolls; any other key closes it. */
static void on_help_key(app *a, tui_action act)
{
	int page = pane_page();
	if (act == TUI_ACT_UP || act == TUI_ACT_DOWN || act == TUI_ACT_PAGE_UP ||
	    act == TUI_ACT_PAGE_DOWN)
		tui_list_move(&a->help_list,
			      act == TUI_ACT_UP	    ? -1
			      : act == TUI_ACT_DOWN    ? 1
			      : act == TUI_ACT_PAGE_UP ? -page
						       : page,
			      LINES - 6);
	else
		a->help = 0;
	a->dirty = 1;
}

static void on_key(app *a, int key)
{
	pane *p = pane_top(a);
	int page = pane_page();
	tui_action act = tui_keymap_lookup(&a->views.keys, key);
	if (a->help) {
		on_help_key(a, act);
		return;
	}
	a->dirty = 1;
	/* The pane's own meaning first. */
	if (p && p->ops->action && p->ops->action(a, p, act) == PANE_HANDLED)
		return;
	for (int i = 0; i < pane_ntabs; i++)
		if (pane_tabs[i].act == act) {
			show_tab(a, pane_tabs[i].ops);
			return;
		}
	switch (act) {
	case TUI_ACT_UP: if (p) tui_list_move(&p->list, -1, page); break;
	case TUI_ACT_DOWN: if (p) tui_list_move(&p->list, 1, page); break;
	case TUI_ACT_PAGE_UP: if (p) tui_list_move(&p->list, -page, page); break;
	case TUI_ACT_PAGE_DOWN: if (p) tui_list_move(&p->list, page, page); break;
	case TUI_ACT_TOP: if (p) tui_list_select(&p->list, 0, page); break;
	case TUI_ACT_BOTTOM: if (p && p->list.n) tui_list_select(&p->list, p->list.n - 1, page); break;
	case TUI_ACT_OPEN: open_selected(a); break;
	case TUI_ACT_BACK: act_back(a, key == 'q'); break;
	case TUI_ACT_QUIT: a->quit = 1; break;
	case TUI_ACT_NEXT_PANE: act_tab(a, 1); break;
	case TUI_ACT_PREV_PANE: act_tab(a, -1); break;
	case TUI_ACT_SEARCH: app_prompt(a, &prompt_search, ""); break;
	case TUI_ACT_SEARCH_NEXT: search(a, 1); break;
	case TUI_ACT_SEARCH_PREV: search(a, -1); break;
	case TUI_ACT_FILTER:
		if (p)
			app_prompt(a, &prompt_filter, p->list.filter);
		break;
	case TUI_ACT_SORT: act_sort(a); break;
	case TUI_ACT_HELP: frame_show_help(a); break;
	case TUI_ACT_CLOSE:
		a->status[0] = 0;
		if (worker_cs_cancel(a->w))
			app_status(a, TUI_S_NORMAL, "canceling ...");
		break;
	case TUI_ACT_LEFT:
	case TUI_ACT_RIGHT:
		if (p) {
			int step = COLS / 4 > 8 ? COLS / 4 : 8;
			p->list.xoff += act == TUI_ACT_RIGHT ? step : -step;
			if (p->list.xoff < 0)
				p->list.xoff = 0;
			if (p->list.xoff)
				app_status(a, TUI_S_NORMAL, "cut text scrolled %d cells (Left: back)",
					   p->list.xoff);
			else
				a->status[0] = 0;
		}
		break;
	case TUI_ACT_COPY: frame_copy_line(a); break;
	case TUI_ACT_COPY_ALL: frame_copy_all(a); break;
	case TUI_ACT_REDRAW: clearok(curscr, TRUE); break;
	case TUI_ACT_TUNING: tuning_show(a); break;
	case TUI_ACT_SEARCH_CRASHSTATS: app_prompt(a, &cs_prompt_search, a->cs_query); break;
	case TUI_ACT_COMPARE: cs_show_compare(a); break;
	case TUI_ACT_DISASM: code_open(a, &pane_disasm); break;
	case TUI_ACT_MEMORY: code_open(a, &pane_memory); break;
	case TUI_ACT_SOURCE: source_open(a); break;
	case TUI_ACT_EDIT: source_edit(a); break;
	default:
		a->dirty = 0;
		break;
	}
}

/* A new size: rows wrapped to the width are wrapped again. */
static void on_resize(app *a)
{
	worker_lock(a->w);
	for (int i = 0; i < a->depth; i++) {
		pane *p = &a->stack[i];
		if ((p->ops->flags & PANE_F_WRAPPED) && p->ops->build) {
			p->built = 0;
			p->ops->build(a, p);
		}
	}
	worker_unlock(a->w);
	a->dirty = 1;
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
	a->v_disasm = (tui_view){ .name = "disasm", .ncols = 5,
				  .cols = { { "", "mark", 2, 0, TUI_ALIGN_LEFT },
					    { "Address", "address", 18, 0, TUI_ALIGN_RIGHT },
					    { "Bytes", "bytes", 20, 0, TUI_ALIGN_LEFT },
					    { "Instruction", "insn", 0, 3, TUI_ALIGN_LEFT },
					    { "Target", "target", 0, 2, TUI_ALIGN_LEFT } } };
	a->v_memory = (tui_view){ .name = "memory", .ncols = 3,
				  .cols = { { "Address", "address", 18, 0, TUI_ALIGN_RIGHT },
					    { "Value", "value", 0, 3, TUI_ALIGN_LEFT },
					    { "Points to / text", "points", 0, 2, TUI_ALIGN_LEFT } } };
	a->v_phc = (tui_view){ .name = "phc", .ncols = 3,
			       .cols = { { "#", "frame", 4, 0, TUI_ALIGN_RIGHT },
					 { "Address", "address", 18, 0, TUI_ALIGN_RIGHT },
					 { "Function", "function", 0, 1, TUI_ALIGN_LEFT } } };
	a->v_source = (tui_view){ .name = "source", .ncols = 3,
				  .cols = { { "", "mark", 1, 0, TUI_ALIGN_LEFT },
					    { "Line", "line", 6, 0, TUI_ALIGN_RIGHT },
					    { "", "text", 0, 1, TUI_ALIGN_LEFT } } };
}

/* Releases everything a (partly) started app holds. */
void app_free(app *a)
{
	worker_free(a->w);
	while (a->depth)
		pane_pop(a);
	tui_list_free(&a->help_list);
	sym_store_free(a->store);
	sym_store_free(a->net);
	store_close(a->db);
	tui_schema_free(a->schema);
	sig_resig_free(a->resig);
	sig_signer_free(a->signer);
	sig_lists_free(a->lists);
	sig_lists_free(a->baseline);
	home_forget_signatures(a);
	free(a->resig_ids);
	json_decref(a->resig_rows);
	cd_wipe(&a->cs, sizeof a->cs); /* the token */
	if (a->timing)
		fclose(a->timing);
	close(a->wake[0]);
	close(a->wake[1]);
	free(a);
}

int app_new(const tui_options *o, app **out, cd_err *e)
{
	app *a = calloc(1, sizeof *a);
	*out = a;
	if (!a)
		return cd_errf(e, CD_ENOMEM, "out of memory");
	a->o = o;
	a->t0 = now_ms();
	if (pipe2(a->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		free(a);
		*out = NULL;
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
		*out = NULL;
		return e->code;
	}
	if (o->nsymbol_urls && !o->offline) {
		so.urls = o->symbol_urls;
		so.nurls = o->nsymbol_urls;
		so.net.offline = 0;
		if (sym_store_open(&so, &a->net, e) != CD_OK) {
			app_free(a);
			*out = NULL;
			return e->code;
		}
	}
	char *warnings = a->warnings;
	size_t nwarn = sizeof a->warnings;
	init_views(a, warnings, nwarn);
	size_t wl = strlen(warnings);
	tui_schema_load(&a->schema, warnings + wl, nwarn - wl);
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
		snprintf(warnings + strlen(warnings), nwarn - strlen(warnings), "%s%s",
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

	return CD_OK;
}

/* The first pane: a sym file's browser, the target's crashes, or home. */
void app_start(app *a)
{
	const tui_options *o = a->o;
	if (o->sym_file) {
		app_start_worker(a, NULL, 0);
		sym_open_file(a, o->sym_file);
	} else if (o->target) {
		home_open_target(a, o->target);
		if (!a->depth)
			a->quit = 1;
	} else {
		app_start_worker(a, NULL, 0);
		home_show(a);
	}
}

void app_poll(app *a)
{
	uint32_t seq = worker_seq(a->w);
	if (seq == a->seen_seq)
		return;
	a->seen_seq = seq;
	rebuild_all(a);
	a->dirty = 1;
}

void app_key(app *a, int key, int is_keycode)
{
	if (a->prompt) {
		on_prompt_key(a, (wint_t)key, is_keycode);
		return;
	}
	if (!is_keycode && key == '\r')
		key = '\n';
	if (a->timing)
		a->key_at = now_ms();
	on_key(a, key);
}

int tui_run(const tui_options *o, cd_err *e)
{
	app *a;
	if (app_new(o, &a, e) != CD_OK)
		return 1;
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
	if (a->warnings[0])
		app_status(a, TUI_S_ERROR, "%s", a->warnings);
	app_start(a);
	a->dirty = 1;
	while (!a->quit) {
		app_poll(a);
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
			on_resize(a);
			continue;
		}
		app_key(a, (int)ch, r == KEY_CODE_YES);
	}
	endwin();
	delscreen(screen);
	app_free(a);
	return 0;
}
