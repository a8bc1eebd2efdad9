/*
 * sigpane.c - rows of the signature and tuning panes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sigpane.h"

static void add(json_t *rows, const char *frame, const char *function, const char *fate,
		const char *style)
{
	json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s}", "frame", frame, "function", function,
			      "normalized", "", "fate", fate, "list", "");
	if (style)
		json_object_set_new(r, "_style", json_string(style));
	/* The pane's sentences (no frame): across the row, not cut to the
	 * function column. */
	if (!*frame && !*fate) {
		char span[1100];
		snprintf(span, sizeof span, "      %s", function);
		json_object_set_new(r, "_span", json_string(span));
	}
	json_array_append_new(rows, r);
}

/* How a fate looks: what made the signature stands out, what was skipped
 * is dim. */
static const char *fate_style(sig_fate f)
{
	switch (f) {
	case SIG_FATE_KEPT: case SIG_FATE_FALLBACK: return "crashed";
	case SIG_FATE_PREFIX: case SIG_FATE_SENTINEL: return "heading";
	case SIG_FATE_CUT: return "error";
	case SIG_FATE_IRRELEVANT: case SIG_FATE_REPEAT: case SIG_FATE_EMPTY: return "missing";
	default: return "dim";
	}
}

void sigpane_split(const char *sig, const char *first, const char *rest, sigpane_line_fn fn,
		   void *ctx)
{
	/* One line per frame of the signature (" | " separates them), so that
	 * none is cut at the pane's width but a frame name longer than it. */
	const char *p = sig ? sig : "";
	int n = 0;
	do {
		const char *bar = strstr(p, " | ");
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		char line[2048];
		snprintf(line, sizeof line, "%s%.*s", n ? rest : first, (int)len, p);
		fn(ctx, n++, line);
		p = bar ? bar + 3 : NULL;
	} while (p);
}

static void add_heading(void *ctx, int n, const char *line)
{
	(void)n;
	add(ctx, "", line, "", "heading");
}

json_t *sigpane_rows(const sig_result *r)
{
	json_t *rows = json_array();
	char buf[1024];
	sigpane_split(r->signature, "Signature: ", "         | ", add_heading, rows);
	/* Socorro's signature tools by what they read. */
	const char *tool = !r->tool || !*r->tool ? NULL
			   : !strcasecmp(r->tool, "c") ? "from the C/C++ frames"
			   : !strcasecmp(r->tool, "java") ? "from the Java stack trace" : r->tool;
	snprintf(buf, sizeof buf, "set by %s%s%s", r->rule && *r->rule ? r->rule : "no rule",
		 tool ? ", " : "", tool ? tool : "");
	add(rows, "", buf, "", "dim");
	for (size_t i = 0; i < r->nnotes; i++) {
		snprintf(buf, sizeof buf, "note: %s", r->notes[i]);
		add(rows, "", buf, "", "missing");
	}
	if (r->thread >= 0) {
		snprintf(buf, sizeof buf, "frames of thread %d", r->thread);
		add(rows, "", buf, "", "dim");
	}
	for (size_t i = 0; i < r->nframes; i++) {
		const sig_frame *f = &r->frames[i];
		char n[24], fate[40], list[300] = "";
		/* Numbered as Breakpad and the frames pane number them: inline
		 * frames (innermost first) each a number, before their real frame. */
		snprintf(n, sizeof n, "%zu", i);
		snprintf(fate, sizeof fate, "%s%s", sig_fate_name(f->fate),
			 f->prefix && f->fate != SIG_FATE_PREFIX ? "+prefix" : "");
		const sig_match *m = f->match.list != SIG_LIST_NONE ? &f->match : &f->line_number;
		if (m->list != SIG_LIST_NONE)
			snprintf(list, sizeof list, "%s:%d", sig_list_names[m->list], m->line);
		char fn[600];
		if (f->function)
			snprintf(fn, sizeof fn, "%s", f->function);
		else
			snprintf(fn, sizeof fn, "%s", f->module ? f->module : "");
		json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "frame", n, "function", fn,
					"normalized", f->normalized ? f->normalized : "", "fate", fate,
					"list", list, "_style", fate_style(f->fate));
		if (m->list != SIG_LIST_NONE) {
			json_object_set_new(row, "_list", json_integer(m->list));
			json_object_set_new(row, "_line", json_integer(m->line));
			json_object_set_new(row, "regex", json_string(m->regex ? m->regex : ""));
		}
		json_array_append_new(rows, row);
	}
	if (r->frames_omitted) {
		snprintf(buf, sizeof buf, "... %zu more frames not listed", r->frames_omitted);
		add(rows, "", buf, "", "dim");
	}
	return rows;
}

static void kv(json_t *rows, const char *key, const char *value, const char *style)
{
	json_t *r = json_pack("{s:s, s:s}", "key", key, "value", value);
	if (style)
		json_object_set_new(r, "_style", json_string(style));
	json_array_append_new(rows, r);
}

json_t *sigpane_resig_rows(const sig_resig_report *rep, const char *baseline, const char *lists)
{
	json_t *rows = json_array();
	char buf[1200];
	snprintf(buf, sizeof buf, "%zu %s re-signed, %zu changed%s", rep->total,
		 rep->total == 1 ? "crash" : "crashes", rep->changed,
		 rep->failed ? " (some could not be read)" : "");
	kv(rows, "Re-signed", buf, "heading");
	kv(rows, "Baseline", baseline, NULL);
	kv(rows, "With", lists, NULL);
	if (!rep->nchanges)
		kv(rows, "", "no signature changed", "dim");
	for (size_t i = 0; i < rep->nchanges; i++) {
		const sig_resig_pair *p = &rep->changes[i];
		snprintf(buf, sizeof buf, "%s  ->  %s", p->old_sig, p->new_sig);
		char n[32];
		snprintf(n, sizeof n, "%zu changed", p->count);
		json_t *r = json_pack("{s:s, s:s, s:I}", "key", n, "value", buf, "_pair", (json_int_t)i);
		json_array_append_new(rows, r);
	}
	static const char *const kinds[2] = { "merged", "split" };
	for (int k = 0; k < 2; k++) {
		const sig_resig_bucket *b = k ? rep->split : rep->merged;
		size_t nb = k ? rep->nsplit : rep->nmerged;
		for (size_t i = 0; i < nb; i++) {
			snprintf(buf, sizeof buf, "%s (%zu signature%s, %zu crash%s)", b[i].signature,
				 b[i].npairs, b[i].npairs == 1 ? "" : "s", b[i].total,
				 b[i].total == 1 ? "" : "es");
			json_t *r = json_pack("{s:s, s:s, s:I, s:s, s:s}", "key", kinds[k], "value", buf,
					      "_bucket", (json_int_t)i, "_kind", kinds[k], "_style",
					      "heading");
			json_array_append_new(rows, r);
		}
	}
	return rows;
}
