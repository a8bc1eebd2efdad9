/*
 * frame.c - what surrounds the top pane: the title bar (what the pane is
 * of, a crash's tabs), the status line (the worker's progress, the last
 * message, a prompt being typed, where in the list), the help overlay
 * (which keys do something in the top pane) and the clipboard.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "pane.h"

/* The tabs of the title bar: a crash's, or those of a pane's own group
 * (the sym browser's views, a search's hits and facets), found on the
 * pane or the nearest one below it; *cur the one shown. 0 when none. */
static int tab_strip(app *a, const pane_ops **out, int max, const pane_ops **cur)
{
	pane *p = pane_top(a);
	int n = 0;
	if (!p)
		return 0;
	if (pane_is_tab(p) || p->crash >= 0) {
		for (int k = 0; k < pane_ntabs && n < max; k++)
			out[n++] = pane_tabs[k].ops;
		*cur = p->ops;
		for (int i = a->depth - 1; i >= 0 && !((*cur)->flags & PANE_F_TAB); i--)
			if (pane_is_tab(&a->stack[i]))
				*cur = a->stack[i].ops;
		return n;
	}
	for (int i = a->depth - 1; i >= 0; i--) {
		const pane_ops *o = a->stack[i].ops;
		if (!o->tabs)
			continue;
		for (const pane_ops *const *t = o->tabs; *t && n < max; t++)
			out[n++] = *t;
		*cur = o;
		return n;
	}
	return 0;
}

/* The title bar: what the pane is of (its title op, else its crash's
 * dump), then its tabs, the current one marked. */
void frame_draw_title(app *a)
{
	pane *p = pane_top(a);
	attrset(tui_attr(TUI_S_TITLE));
	char what[1200] = "";
	if (p && p->ops->title)
		p->ops->title(a, p, what, sizeof what);
	else if (p)
		snprintf(what, sizeof what, "%s", pane_crash_name(a, p));
	/* The tab a pane over the tabs (details, say) was opened from. */
	const pane_ops *strip[16], *cur = NULL;
	int ntabs = tab_strip(a, strip, 16, &cur), tabs = ntabs > 0;
	int tabs_w = 0;
	for (int k = 0; k < ntabs; k++)
		tabs_w += (int)strlen(strip[k]->name) + 2;
	/* Too narrow for the title and every tab: the title's path gives up
	 * its directories ("…/name.dmp  thread 0"); still too narrow, the
	 * strip shrinks to the current tab; then the title loses its start
	 * (the name stays the longest). */
	const char *lead = " crashdesk  ";
	int lead_w = (int)strlen(lead);
	if (lead_w + tui_text_width(what) + 1 > COLS - tabs_w) {
		char *sep = strstr(what, "  "), *slash = NULL;
		for (char *q = what; *q && (!sep || q < sep); q++)
			if (*q == '/')
				slash = q;
		if (slash) {
			char shorter[sizeof what];
			snprintf(shorter, sizeof shorter, "\u2026%s", slash);
			snprintf(what, sizeof what, "%s", shorter);
		}
	}
	int what_w = tui_text_width(what);
	int compact = tabs && lead_w + what_w + 1 > COLS - tabs_w;
	if (compact)
		tabs_w = (int)strlen(cur->name) + 2;
	int room = COLS - tabs_w;
	if (room < 12) /* a very narrow screen keeps the tabs only */
		room = 0;
	if (room > lead_w) {
		tui_put(0, 0, lead_w, lead, TUI_ALIGN_LEFT);
		tui_put_cut(0, lead_w, room - lead_w, what, TUI_ALIGN_LEFT, 1);
	} else {
		tui_put(0, 0, room, lead, TUI_ALIGN_LEFT);
	}
	int x = room;
	for (int k = 0; k < ntabs && x < COLS; k++) {
		const pane_ops *t = strip[k];
		if (compact && t != cur)
			continue;
		char name[64];
		snprintf(name, sizeof name, " %s ", t->name);
		int w = (int)strlen(name);
		if (x + w > COLS)
			w = COLS - x;
		attrset(t == cur ? tui_attr(TUI_S_TAB) | (int)A_REVERSE : tui_attr(TUI_S_TITLE));
		tui_put(0, x, w, name, TUI_ALIGN_LEFT);
		x += w;
	}
	attrset(A_NORMAL);
}

void frame_draw_status(app *a)
{
	int y = LINES - 1;
	pane *p = pane_top(a);
	char left[1024], right[128] = "";
	tui_style style = TUI_S_STATUS;
	if (a->prompt) {
		snprintf(left, sizeof left, "%s%s", a->prompt->label, a->input);
		attrset(A_NORMAL);
		tui_put(y, 0, COLS, left, TUI_ALIGN_LEFT);
		int cx = tui_text_width(left);
		move(y, cx < COLS ? cx : COLS - 1);
		curs_set(1);
		return;
	}
	curs_set(0);
	worker_activity w;
	worker_lock(a->w);
	worker_activity_get(a->w, &w);
	if (w.fetching) {
		snprintf(left, sizeof left, "fetching %s from Crash Stats (raw, processed%s) ...  Esc cancels",
			 w.fetching, a->cs.token[0] ? ", minidump" : "");
	} else if (w.searching) {
		snprintf(left, sizeof left, "searching Crash Stats: %zu of %zu hits ...  Esc cancels",
			 w.search_done, w.search_wanted);
	} else if (w.walking && w.reprocessing) {
		snprintf(left, sizeof left, "reprocessing the stored minidump: thread %u of %u",
			 w.threads_done, w.threads_total);
	} else if (w.walking && w.downloading) {
		snprintf(left, sizeof left,
			 "symbols for %s: %u of %u files asked, %u found, %.1f MB, %u transfers",
			 cd_basename(w.walking), w.dl.files_done, w.dl.files_total, w.dl.files_found,
			 w.dl.bytes / 1e6, w.dl.active);
	} else if (w.walking) {
		if (w.threads_total)
			snprintf(left, sizeof left, "walking %s: thread %u of %u", cd_basename(w.walking),
				 w.threads_done, w.threads_total);
		else /* not counted yet: no "thread 0 of 0" */
			snprintf(left, sizeof left, "walking %s ...", cd_basename(w.walking));
	} else if (a->sym_wait) {
		snprintf(left, sizeof left, "loading symbols: %s ...", a->sym_title);
	} else {
		snprintf(left, sizeof left, "%s", a->status);
		style = a->status[0] && a->status_style != TUI_S_NORMAL ? a->status_style
									: TUI_S_STATUS;
	}
	worker_unlock(a->w);
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

void frame_draw_help(app *a)
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
		 pane_top(a) ? pane_top(a)->ops->name : "");
	tui_put(y, x, w, title, TUI_ALIGN_LEFT);
	attrset(A_NORMAL);
	tui_list_draw(&a->help_list, y + 1, x, h - 1, w, 1);
}

/* ---- the help overlay's rows ------------------------------------------------ */

/* Whether an action does something in a pane: its own keys, the keys of a
 * crash's panes, and those every pane has. */
static int applies(const pane_ops *ops, tui_action act)
{
	for (const tui_action *k = ops->acts; k && *k != TUI_ACT_NONE; k++)
		if (*k == act)
			return 1;
	for (int i = 0; i < pane_ntabs; i++)
		if (pane_tabs[i].act == act)
			return !!(ops->flags & PANE_F_CRASH);
	switch (act) {
	case TUI_ACT_OPEN:
		return ops->enter != NULL;
	case TUI_ACT_COMPARE: case TUI_ACT_DISASM: case TUI_ACT_MEMORY:
		return !!(ops->flags & PANE_F_CRASH);
	case TUI_ACT_SOURCE: case TUI_ACT_EDIT: /* of a frame */
		return ops == &pane_frames || ops == &pane_details || ops == &pane_unloaded_frames;
	case TUI_ACT_NEXT_PANE: case TUI_ACT_PREV_PANE:
		return !!(ops->flags & PANE_F_TAB);
	case TUI_ACT_TUNING:
		return !(ops->flags & PANE_F_SYM);
	/* a pane's own, when its acts list them */
	case TUI_ACT_FOLD: case TUI_ACT_RETRY: case TUI_ACT_GOTO_ADDRESS: case TUI_ACT_GROUP:
	case TUI_ACT_WORDS:
	case TUI_ACT_NONE: case TUI_ACT_COUNT:
		return 0;
	default:
		return 1;
	}
}

void frame_show_help(app *a)
{
	pane *p = pane_top(a);
	const pane_ops *ops = p ? p->ops : &pane_home;
	json_t *rows = json_array();
	for (int act = TUI_ACT_NONE + 1; act < TUI_ACT_COUNT; act++) {
		if (!applies(ops, (tui_action)act))
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

/* ---- the clipboard (OSC 52: the terminal, local or over ssh, takes it) ---- */

static void copy_to_clipboard(app *a, const char *text, const char *what)
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
	if (what)
		app_status(a, TUI_S_NORMAL, "copied %s", what);
	else
		app_status(a, TUI_S_NORMAL, "copied: %.200s", text);
}

void frame_copy_line(app *a)
{
	pane *p = pane_top(a);
	if (!p || !p->list.n)
		return;
	char line[2048];
	tui_list_line(&p->list, p->list.sel, line, sizeof line);
	/* Tabs between cells read badly once pasted into a bug. */
	for (char *c = line; *c; c++)
		if (*c == '\t')
			*c = ' ';
	copy_to_clipboard(a, line, NULL);
}

/* Every row shown (the filter's, when one is in force), a line each. */
void frame_copy_all(app *a)
{
	pane *p = pane_top(a);
	if (!p || !p->list.n)
		return;
	cd_buf b;
	cd_buf_init(&b, (size_t)64 << 20); /* the clipboard takes no more */
	char *line = malloc(1 << 16);
	if (!line)
		return;
	for (uint32_t i = 0; i < p->list.n; i++) {
		tui_list_line(&p->list, i, line, 1 << 16);
		cd_buf_puts(&b, line);
		cd_buf_puts(&b, "\n");
	}
	free(line);
	char what[96];
	snprintf(what, sizeof what, "%u row%s (%zu bytes)", p->list.n, p->list.n == 1 ? "" : "s",
		 b.len);
	if (b.data)
		copy_to_clipboard(a, b.data, what);
	cd_buf_free(&b);
}
