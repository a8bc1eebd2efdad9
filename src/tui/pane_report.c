/*
 * pane_report.c - the key/value panes of one crash: the summary (with its
 * signature, whole, and where a crash from Crash Stats came from), the
 * signature pane (every frame's fate), the annotations, and any row shown
 * whole. Nothing here is cut with an ellipsis: long values are wrapped
 * into continuation rows.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "pane.h"
#include "rows.h"
#include "sigpane.h"

/* ---- wrapping ------------------------------------------------------------ */

/* Where to cut v to fit width cells: at a space near the end when there
 * is one, else at the last whole character that fits. */
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

void report_wrap_kv_rows(json_t *rows, int width)
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

/* The value column of a key/value pane: the screen less the key column
 * and its gap. */
static int value_width(void)
{
	return COLS - 17;
}

const sig_result *report_sign(app *a, json_t *doc, cd_err *e)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	const sig_result *r = NULL;
	if (!a->signer) {
		cd_errf(e, CD_ENOTFOUND, "no signature lists loaded");
	} else if (!text) {
		cd_errf(e, CD_ENOMEM, "out of memory");
	} else if (sig_sign_json(a->signer, text, strlen(text), &r, e) != CD_OK) {
		r = NULL;
	}
	free(text);
	return r;
}

/* ---- the summary --------------------------------------------------------- */

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

/* The Signature rows, after the Dump row: the crash signed with the
 * session's lists, whole, a frame of it a row. */
static void summary_signature(app *a, json_t *doc, json_t *rows)
{
	cd_err e = { 0 };
	const sig_result *r = report_sign(a, doc, &e);
	if (r) {
		sig_insert ins = { rows, 1 };
		sigpane_split(r->signature, "", "| ", insert_sig_line, &ins);
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
	size_t at = 1;
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		const char *v = json_string_value(json_object_get(info, keys[i][1]));
		json_array_insert_new(rows, at++,
				      json_pack("{s:s, s:s}", "key", keys[i][0], "value", v ? v : ""));
	}
	/* The signature's bugs, as the report page lists them: a row each,
	 * with its address (y copies it), and when Crash Stats said so. */
	json_t *bugs = json_object_get(info, "bugs"), *b;
	char when[32] = "", buf[256];
	time_t t = (time_t)json_integer_value(json_object_get(info, "bugs_at"));
	struct tm tm;
	if (t && gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d", &tm);
	if (!json_is_array(bugs)) {
		json_array_insert_new(rows, at, json_pack("{s:s, s:s}", "key", "Bugs", "value",
						  "not known: Crash Stats was not asked (offline, "
						  "or it did not answer)"));
		return;
	}
	if (!json_array_size(bugs)) {
		snprintf(buf, sizeof buf, "none (Crash Stats' Bugs API, %s)", when);
		json_array_insert_new(rows, at, json_pack("{s:s, s:s}", "key", "Bugs", "value", buf));
		return;
	}
	size_t i;
	json_array_foreach(bugs, i, b) {
		snprintf(buf, sizeof buf,
			 "%" JSON_INTEGER_FORMAT "  https://bugzilla.mozilla.org/show_bug.cgi?id=%" JSON_INTEGER_FORMAT "%s%s%s",
			 json_integer_value(b), json_integer_value(b), i ? "" : "  (Bugs API, ",
			 i ? "" : when, i ? "" : ")");
		json_array_insert_new(rows, at++, json_pack("{s:s, s:s}", "key", i ? "" : "Bugs",
							    "value", buf));
	}
}

static void summary_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash_fresh(a, p);
	if (!c)
		return;
	json_t *rows = rows_summary(c->doc, c->path);
	summary_signature(a, c->doc, rows);
	cs_summary_rows(c->doc, rows);
	report_wrap_kv_rows(rows, value_width());
	pane_set_rows(a, p, rows, c->seq);
}

/* Enter where a row opens nothing else: the row whole, a column a row
 * (its title, its full text wrapped to the screen), as nothing in a pane
 * may stay cut with an ellipsis. */
pane_result pane_show_row(app *a, pane *p, json_t *row)
{
	const tui_view *v = p->list.view;
	if (!v || !row)
		return PANE_IGNORED;
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
	report_wrap_kv_rows(rows, value_width());
	pane *n = pane_push(a, &pane_row, p->crash);
	if (!n) {
		json_decref(rows);
		return PANE_HANDLED;
	}
	pane_set_rows(a, n, rows, 0);
	return PANE_HANDLED;
}

const pane_ops pane_summary = {
	.name = "Summary",
	.flags = PANE_F_CRASH | PANE_F_TAB | PANE_F_SIGNED | PANE_F_WRAPPED,
	.view = "kv",
	.build = summary_build,
	.enter = pane_show_row,
};

const pane_ops pane_row = {
	.name = "Row, whole",
	.flags = PANE_F_CRASH,
	.view = "kv",
	.enter = pane_show_row,
};

/* ---- the signature pane -------------------------------------------------- */

static void signature_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash_fresh(a, p);
	if (!c)
		return;
	cd_err e = { 0 };
	const sig_result *r = report_sign(a, c->doc, &e);
	json_t *rows;
	if (r) {
		rows = sigpane_rows(r);
	} else {
		rows = json_array();
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "function",
						      e.msg[0] ? e.msg : "cannot sign this crash",
						      "frame", "", "_style", "error"));
	}
	pane_set_rows(a, p, rows, c->seq);
}

/* Enter on a frame: the list that decided its fate, in $EDITOR at the line. */
static pane_result signature_enter(app *a, pane *p, json_t *row)
{
	(void)p;
	json_t *l = json_object_get(row, "_list");
	if (json_is_integer(l))
		tuning_edit_list(a, (int)json_integer_value(l),
				 (int)json_integer_value(json_object_get(row, "_line")));
	else
		app_status(a, TUI_S_NORMAL, "no list decided this frame's fate");
	return PANE_HANDLED;
}

const pane_ops pane_signature = {
	.name = "Signature",
	.view = "signature",
	.flags = PANE_F_CRASH | PANE_F_TAB | PANE_F_SIGNED,
	.build = signature_build,
	.enter = signature_enter,
};

/* ---- annotations ------------------------------------------------------------ */

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

static void annotations_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash_fresh(a, p);
	if (!c)
		return;
	json_t *rows = rows_annotations(c->doc, tui_schema_describe_cb, a->schema);
	mark_protected(a, rows);
	pane_set_rows(a, p, rows, c->seq);
}

/* ---- the raw processed crash ----------------------------------------------- */

/* A line of the indented JSON a row, as Crash Stats' "Raw data" tab shows
 * the processed crash; y copies a line, Y all of them. */
static void json_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash_fresh(a, p);
	if (!c)
		return;
	json_t *doc = rep_as_walked(c->doc);
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	json_t *rows = json_array();
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		json_array_append_new(rows, json_pack("{s:s}", "text", line));
		if (!nl)
			break;
	}
	free(text);
	pane_set_rows(a, p, rows, c->seq);
}

const pane_ops pane_json = {
	.name = "JSON",
	.view = "line",
	.flags = PANE_F_CRASH | PANE_F_TAB,
	.build = json_build,
	.enter = pane_show_row,
};

/* Enter on PHC's stacks (addresses, comma-separated): them symbolicated. */
static pane_result annotations_enter(app *a, pane *p, json_t *row)
{
	const char *key = json_string_value(json_object_get(row, "key"));
	if (key && (!strcmp(key, "PHCAllocStack") || !strcmp(key, "PHCFreeStack"))) {
		code_open_phc(a, p, key);
		return PANE_HANDLED;
	}
	return pane_show_row(a, p, row);
}

const pane_ops pane_annotations = {
	.name = "Annotations",
	.view = "annotations",
	.flags = PANE_F_CRASH | PANE_F_TAB,
	.build = annotations_build,
	.enter = annotations_enter,
};
