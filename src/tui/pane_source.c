/*
 * pane_source.c - a frame's source: its file found on this machine, every
 * line of it with the frame's line marked and selected; 'e' opens $EDITOR
 * there (from the frames and details panes too).
 *
 * A frame names its file as the build saw it (/builds/worker/checkouts/
 * gecko/dom/base/Element.cpp) or as a VCS path (hg:HOST/REPO:PATH:REV).
 * It is looked for, in this order: through each --source-map FROM=TO
 * whose FROM starts it; as it is; under each --source-root by the longest
 * end of the path that is there (so a checkout anywhere is found without
 * a map). The pane's first row says which file it is and how it was
 * found; when none is, the pane says where it looked.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pane.h"

#define SRC_MAX_LINES 200000u    /* a pane shows at most this many lines */
#define SRC_MAX_BYTES (16u << 20) /* and reads at most this much */

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The path a frame's file is known by: a VCS path's PATH part, with
 * Windows' separators made '/'. */
static void build_path(const char *file, char *out, size_t n)
{
	const char *p = file;
	if (!strncmp(file, "hg:", 3) || !strncmp(file, "git:", 4)) {
		const char *c1 = strchr(file + 3, ':'), *c2 = c1 ? strrchr(c1 + 1, ':') : NULL;
		if (c1 && c2 && c2 > c1) {
			snprintf(out, n, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
			p = NULL;
		}
	}
	if (p)
		snprintf(out, n, "%s", p);
	for (char *c = out; *c; c++)
		if (*c == '\\')
			*c = '/';
}

/* dir + "/" + rest, a leading "~/" of dir made $HOME's. */
static void join(const char *dir, const char *rest, char *out, size_t n)
{
	const char *home = getenv("HOME");
	if (!strncmp(dir, "~/", 2) && home)
		snprintf(out, n, "%s/%s/%s", home, dir + 2, rest);
	else
		snprintf(out, n, "%s/%s", dir, rest);
}

static int found(const char *cand, char *out, size_t n)
{
	char real[PATH_MAX];
	snprintf(out, n, "%s", realpath(cand, real) ? real : cand);
	return 1;
}

int source_find(const tui_options *o, const char *file, char *out, size_t n, char *how,
		size_t hn)
{
	char path[4096], cand[8300];
	build_path(file, path, sizeof path);
	for (int i = 0; i < o->nsource_maps; i++) {
		const char *m = o->source_maps[i], *eq = strchr(m, '=');
		size_t fl = eq ? (size_t)(eq - m) : 0;
		while (fl > 1 && m[fl - 1] == '/')
			fl--; /* "FROM/=TO" and "FROM=TO" alike */
		if (!fl || strncmp(path, m, fl) || (path[fl] && path[fl] != '/'))
			continue;
		join(eq + 1, path[fl] ? path + fl + 1 : "", cand, sizeof cand);
		if (is_file(cand)) {
			snprintf(how, hn, "mapped by --source-map %s", m);
			return found(cand, out, n);
		}
	}
	if (path[0] == '/' && is_file(path)) {
		snprintf(out, n, "%s", path);
		snprintf(how, hn, "the build path itself");
		return 1;
	}
	/* The longest end first: "gecko/dom/base/Element.cpp" before
	 * "base/Element.cpp" before "Element.cpp". */
	for (const char *end = path; end && *end; end = strchr(end, '/')) {
		while (*end == '/')
			end++;
		if (!*end)
			break;
		for (int i = 0; i < o->nsource_roots; i++) {
			join(o->source_roots[i], end, cand, sizeof cand);
			if (is_file(cand)) {
				snprintf(how, hn, "under --source-root %s as %s", o->source_roots[i], end);
				return found(cand, out, n);
			}
		}
	}
	return 0;
}

/* ---- the pane ---------------------------------------------------------- */

static json_t *span(const char *text, const char *style)
{
	return json_pack("{s:s, s:s}", "_span", text, "_style", style);
}

/* Tabs as the spaces they stand for (a tab is a control character the
 * screen would show as '?'). */
static void untab(const char *s, size_t len, char *out, size_t n)
{
	size_t o = 0, col = 0;
	for (size_t i = 0; i < len && o + 9 < n; i++) {
		if (s[i] == '\t') {
			do
				out[o++] = ' ';
			while (++col % 8 && o + 1 < n);
		} else if (s[i] != '\r' || i + 1 < len) {
			out[o++] = s[i];
			if (((unsigned char)s[i] & 0xc0) != 0x80)
				col++;
		}
	}
	out[o] = 0;
}

/* Every line of path, line `mark` marked; NULL when it cannot be read. */
static json_t *file_rows(const char *path, long mark, uint32_t *nlines)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	json_t *rows = json_array();
	char *line = NULL, text[8192];
	size_t cap = 0, bytes = 0;
	ssize_t len;
	uint32_t at = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len && line[len - 1] == '\n')
			len--;
		at++;
		bytes += (size_t)len + 1;
		if (at > SRC_MAX_LINES || bytes > SRC_MAX_BYTES) {
			char msg[160];
			snprintf(msg, sizeof msg, "(the file goes on: the pane shows its first %u lines)",
				 at - 1);
			json_array_append_new(rows, span(msg, "error"));
			break;
		}
		untab(line, (size_t)len, text, sizeof text);
		char num[16];
		snprintf(num, sizeof num, "%u", at);
		json_t *r = json_pack("{s:s, s:s, s:s, s:I}", "mark", at == mark ? ">" : "", "line",
				      num, "text", text, "_line", (json_int_t)at);
		if (at == mark)
			json_object_set_new(r, "_style", json_string("error"));
		json_array_append_new(rows, r);
	}
	free(line);
	fclose(f);
	*nlines = at;
	return rows;
}

/* Under the lock: the file and line of the selected frame of the top
 * pane (an inline frame's own); 0 when it has none. */
static int frame_source(app *a, pane *p, const tui_crash *c, char *file, size_t n, long *line,
			char *what, size_t wn)
{
	int thread, frame;
	code_focus_frame(a, p, c, &thread, &frame);
	json_t *th = json_array_get(json_object_get(c->doc, "threads"), (size_t)thread);
	json_t *f = json_array_get(json_object_get(th, "frames"), (size_t)frame);
	json_t *in = NULL;
	if (p->ops == &pane_frames) {
		json_t *k = json_object_get(tui_list_row(&p->list, p->list.sel), "_inline");
		if (json_is_integer(k) && json_integer_value(k) >= 0)
			in = json_array_get(json_object_get(f, "inlines"), (size_t)json_integer_value(k));
	}
	json_t *src = in ? in : f;
	const char *fn = json_string_value(json_object_get(src, "function"));
	snprintf(what, wn, "frame %d%s of thread %d%s%s", frame, in ? " (inline)" : "", thread,
		 fn ? ": " : "", fn ? fn : "");
	const char *fl = json_string_value(json_object_get(src, "file"));
	if (!fl || !*fl)
		return 0;
	snprintf(file, n, "%s", fl);
	json_t *l = json_object_get(src, "line");
	*line = json_is_integer(l) ? (long)json_integer_value(l) : 0;
	return 1;
}

void source_open(app *a)
{
	pane *p = pane_top(a);
	if (!p)
		return;
	char file[4096], what[800], path[4096], how[4400];
	long line = 0;
	worker_lock(a->w);
	const tui_crash *c = pane_crash(a, p);
	int has = c && c->doc && frame_source(a, p, c, file, sizeof file, &line, what, sizeof what);
	worker_unlock(a->w);
	if (!c || !c->doc) {
		app_status(a, TUI_S_ERROR, "no crash here to show the source of");
		return;
	}
	if (!has) {
		app_status(a, TUI_S_ERROR, "%s: no source file (its symbols have no line records)",
			   what);
		return;
	}
	json_t *rows = json_array();
	char head[9000];
	uint32_t nlines = 0;
	json_t *lines = NULL;
	if (source_find(a->o, file, path, sizeof path, how, sizeof how))
		lines = file_rows(path, line, &nlines);
	if (lines) {
		snprintf(head, sizeof head, "%s, line %ld of %u: %s (%s)", what, line, nlines, path,
			 how);
		json_t *h = span(head, "heading");
		json_object_set_new(h, "_path", json_string(path));
		json_array_append_new(rows, h);
		if (line > (long)nlines)
			json_array_append_new(rows, span("the frame's line is past the file's end: "
							 "not the source the module was built from?",
							 "error"));
		json_array_extend(rows, lines);
		json_decref(lines);
	} else {
		/* Where it looked, so that the user knows what to give. */
		snprintf(head, sizeof head, "%s: %s:%ld is not on this machine", what, file, line);
		json_array_append_new(rows, span(head, "heading"));
		json_array_append_new(rows, span(a->o->nsource_maps
							 ? "  not under any --source-map's TO"
							 : "  no --source-map FROM=TO given (a build path and "
							   "where that tree is here)", "normal"));
		json_array_append_new(rows, span("  not at the build path itself", "normal"));
		if (!a->o->nsource_roots)
			json_array_append_new(rows, span("  no --source-root DIR given (a checkout: the "
							 "file is found by its path's end)", "normal"));
		for (int i = 0; i < a->o->nsource_roots; i++) {
			snprintf(head, sizeof head, "  not under --source-root %s by any end of its path",
				 a->o->source_roots[i]);
			json_array_append_new(rows, span(head, "normal"));
		}
	}
	pane *np = pane_push(a, &pane_source, p->crash);
	if (!np) {
		json_decref(rows);
		return;
	}
	np->thread = p->thread;
	pane_set_rows(a, np, rows, 0);
	/* The frame's line in view, a few lines of what leads to it above. */
	for (uint32_t i = 0; i < np->list.n; i++) {
		json_t *l = json_object_get(tui_list_row(&np->list, i), "_line");
		if (json_is_integer(l) && json_integer_value(l) == line) {
			tui_list_select(&np->list, i, pane_page());
			/* In the middle of the page: what leads to it and what follows. */
			uint32_t half = (uint32_t)pane_page() / 2;
			np->list.top = i > half ? i - half : 0;
			break;
		}
	}
	if (lines)
		app_status(a, TUI_S_NORMAL, "%s:%ld  (%s)  e: edit", path, line, how);
}

void source_edit(app *a)
{
	pane *p = pane_top(a);
	if (!p)
		return;
	char path[4096] = "", file[4096], what[800], how[4400];
	long line = 0;
	if (p->ops == &pane_source) {
		json_t *h = json_object_get(tui_list_row(&p->list, 0), "_path");
		json_t *l = json_object_get(tui_list_row(&p->list, p->list.sel), "_line");
		if (json_is_string(h))
			snprintf(path, sizeof path, "%s", json_string_value(h));
		line = json_is_integer(l) ? (long)json_integer_value(l) : 1;
		if (!path[0]) {
			app_status(a, TUI_S_ERROR, "the file is not on this machine: nothing to edit");
			return;
		}
	} else {
		worker_lock(a->w);
		const tui_crash *c = pane_crash(a, p);
		int has = c && c->doc &&
			  frame_source(a, p, c, file, sizeof file, &line, what, sizeof what);
		worker_unlock(a->w);
		if (!has) {
			app_status(a, TUI_S_ERROR, "no source file for the selected frame");
			return;
		}
		if (!source_find(a->o, file, path, sizeof path, how, sizeof how)) {
			app_status(a, TUI_S_ERROR, "%s is not on this machine (v: where it was looked for)",
				   file);
			return;
		}
	}
	int rc = tui_edit_file(path, (int)line);
	app_status(a, rc == 0 ? TUI_S_NORMAL : TUI_S_ERROR, "%s:%ld%s", path, line,
		   rc == 0 ? "" : " (the editor failed)");
}

static pane_result source_action(app *a, pane *p, tui_action act)
{
	(void)p;
	if (act != TUI_ACT_EDIT)
		return PANE_IGNORED;
	source_edit(a);
	return PANE_HANDLED;
}

static const tui_action source_acts[] = { TUI_ACT_EDIT, TUI_ACT_NONE };

static void source_title(app *a, const pane *p, char *buf, size_t n)
{
	snprintf(buf, n, "%s  source", pane_crash_name(a, p));
}

const pane_ops pane_source = {
	.name = "Source",
	.view = "source",
	.flags = PANE_F_CRASH,
	.enter = pane_show_row,
	.action = source_action,
	.acts = source_acts,
	.title = source_title,
};
