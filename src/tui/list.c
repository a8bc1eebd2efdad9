/*
 * list.c - the one widget every pane is made of: a view's columns over
 * rows, with selection, filter, sort and search. Only the rows on screen
 * are formatted, so a list of half a million functions redraws as fast as
 * one of ten.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "internal.h"

static const char *json_cell(json_t *row, const char *field, char *buf, size_t n)
{
	json_t *v = json_object_get(row, field);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_true(v))
		return "yes";
	return "";
}

static const char *source_cell(const tui_list *l, uint32_t row, const char *field, char *buf,
			       size_t n)
{
	if (l->rows)
		return json_cell(json_array_get(l->rows, row), field, buf, n);
	if (l->cell)
		return l->cell(l->cell_ctx, row, field, buf, n);
	return "";
}

const char *tui_list_cell(const tui_list *l, uint32_t shown, const char *field, char *buf,
			  size_t n)
{
	return shown < l->n ? source_cell(l, l->order[shown], field, buf, n) : "";
}

json_t *tui_list_row(const tui_list *l, uint32_t shown)
{
	return l->rows && shown < l->n ? json_array_get(l->rows, l->order[shown]) : NULL;
}

tui_style tui_list_style(const tui_list *l, uint32_t shown)
{
	char buf[32];
	return tui_style_parse(tui_list_cell(l, shown, "_style", buf, sizeof buf));
}

static int reset(tui_list *l, const tui_view *v, uint32_t n)
{
	free(l->order);
	l->order = malloc((n ? n : 1) * sizeof *l->order);
	l->view = v;
	l->nsrc = n;
	l->sel = l->top = 0;
	l->sort_col = -1;
	l->filter[0] = 0;
	if (!l->order) {
		l->n = 0;
		return -1;
	}
	for (uint32_t i = 0; i < n; i++)
		l->order[i] = i;
	l->n = n;
	return 0;
}

int tui_list_set_json(tui_list *l, const tui_view *v, json_t *rows)
{
	json_decref(l->rows);
	l->rows = rows;
	l->cell = NULL;
	return reset(l, v, (uint32_t)json_array_size(rows));
}

int tui_list_set_source(tui_list *l, const tui_view *v, uint32_t n, tui_cell_fn cell, void *ctx)
{
	json_decref(l->rows);
	l->rows = NULL;
	l->cell = cell;
	l->cell_ctx = ctx;
	return reset(l, v, n);
}

int tui_list_update_json(tui_list *l, json_t *rows)
{
	uint32_t n = (uint32_t)json_array_size(rows);
	uint32_t keep = l->sel < l->n ? l->order[l->sel] : 0, top = l->top;
	uint32_t *order = realloc(l->order, (n ? n : 1) * sizeof *order);
	if (!order) {
		json_decref(rows);
		return -1;
	}
	json_decref(l->rows);
	l->rows = rows;
	l->cell = NULL;
	l->order = order;
	l->nsrc = n;
	l->n = 0;
	tui_list_refresh(l);
	/* Rows keep their places across updates: select the same source row. */
	for (uint32_t i = 0; i < l->n; i++)
		if (l->order[i] == keep)
			l->sel = i;
	l->top = top;
	return 0;
}

void tui_list_free(tui_list *l)
{
	json_decref(l->rows);
	free(l->order);
	memset(l, 0, sizeof *l);
}

/* Whether any shown column of source row r contains needle, any case. */
static int row_matches(const tui_list *l, uint32_t r, const char *needle)
{
	char buf[128];
	for (int c = 0; l->view && c < l->view->ncols; c++)
		if (strcasestr(source_cell(l, r, l->view->cols[c].field, buf, sizeof buf), needle))
			return 1;
	return 0;
}

/* Text in "natural" order: runs of digits compare by value, so versions
 * and names with numbers sort as people count (99.0 < 128.0 < 128.0.1,
 * thread 2 < thread 10); the rest compares without case. */
static int natural_compare(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			size_t na = 0, nb = 0;
			while (isdigit((unsigned char)a[na]))
				na++;
			while (isdigit((unsigned char)b[nb]))
				nb++;
			if (na != nb)
				return na < nb ? -1 : 1;
			int c = memcmp(a, b, na);
			if (c)
				return c < 0 ? -1 : 1;
			a += na;
			b += nb;
			continue;
		}
		int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
		if (ca != cb)
			return ca < cb ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

/* Numbers (decimal or 0x hex) compare by value, the rest in natural order. */
static int compare_cells(const char *a, const char *b)
{
	char *ea, *eb;
	unsigned long long x = strtoull(a, &ea, 0), y = strtoull(b, &eb, 0);
	if (*a && *b && !*ea && !*eb)
		return x < y ? -1 : x > y;
	return natural_compare(a, b);
}

static int by_sort_column(const void *pa, const void *pb, void *ctx)
{
	const tui_list *l = ctx;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const char *field = l->view->cols[l->sort_col].field;
	char ba[128], bb[128];
	int c = compare_cells(source_cell(l, a, field, ba, sizeof ba),
			      source_cell(l, b, field, bb, sizeof bb));
	if (l->sort_desc)
		c = -c;
	return c ? c : (a > b) - (a < b); /* stable: source order breaks ties */
}

void tui_list_refresh(tui_list *l)
{
	uint32_t keep = l->sel < l->n ? l->order[l->sel] : l->sel;
	l->n = 0;
	char buf[16];
	for (uint32_t r = 0; r < l->nsrc; r++) {
		if (l->hide[0] && *source_cell(l, r, l->hide, buf, sizeof buf))
			continue;
		if (!l->filter[0] || row_matches(l, r, l->filter))
			l->order[l->n++] = r;
	}
	if (l->sort_col >= 0 && l->view && l->sort_col < l->view->ncols)
		qsort_r(l->order, l->n, sizeof *l->order, by_sort_column, l);
	l->sel = 0;
	for (uint32_t i = 0; i < l->n; i++)
		if (l->order[i] == keep) {
			l->sel = i;
			break;
		}
	l->top = 0;
}

void tui_list_select(tui_list *l, uint32_t shown, int page)
{
	if (l->n == 0) {
		l->sel = l->top = 0;
		return;
	}
	l->sel = shown < l->n ? shown : l->n - 1;
	if (page < 1)
		page = 1;
	if (l->sel < l->top)
		l->top = l->sel;
	else if (l->sel >= l->top + (uint32_t)page)
		l->top = l->sel - (uint32_t)page + 1;
	/* A page that grew (a larger window) shows rows above rather than
	 * blank lines below: nothing stays hidden at the top. */
	if (l->top + (uint32_t)page > l->n)
		l->top = l->n > (uint32_t)page ? l->n - (uint32_t)page : 0;
}

void tui_list_move(tui_list *l, long delta, int page)
{
	long s = (long)l->sel + delta;
	if (s < 0)
		s = 0;
	tui_list_select(l, (uint32_t)(s >= (long)l->n ? (long)l->n - 1 : s), page);
}

int tui_list_search(tui_list *l, const char *needle, int dir)
{
	if (!needle[0] || l->n == 0)
		return 0;
	for (uint32_t k = 1; k <= l->n; k++) {
		uint32_t i = (uint32_t)((l->sel + (dir > 0 ? k : l->n - k)) % l->n);
		if (row_matches(l, l->order[i], needle)) {
			l->sel = i;
			return 1;
		}
	}
	return 0;
}

void tui_list_line(const tui_list *l, uint32_t shown, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = 0;
	for (int c = 0; l->view && c < l->view->ncols && used < n; c++) {
		char cell[256];
		const char *s = tui_list_cell(l, shown, l->view->cols[c].field, cell, sizeof cell);
		int k = snprintf(buf + used, n - used, "%s%s", c ? "\t" : "", s);
		if (k < 0)
			break;
		used += (size_t)k;
	}
}

/* Column widths for a screen w cells wide. Weighted columns (names) need
 * room more than fixed ones (numbers, modules), so on a narrow screen the
 * widest fixed column gives way first, down to 6 cells; columns that still
 * do not fit are dropped from the right. The space left is shared by
 * weight. */
int tui_list_layout(const tui_view *v, int w, int *widths)
{
	enum { MIN_WEIGHTED = 12, MIN_FIXED = 6 };
	int ncols = v->ncols, weights = 0;
	for (int c = 0; c < ncols; c++) {
		const tui_column *col = &v->cols[c];
		widths[c] = col->width ? col->width : MIN_WEIGHTED;
		if (!col->width)
			weights += col->weight > 0 ? col->weight : 1;
	}
	for (;;) {
		int total = ncols - 1;
		for (int c = 0; c < ncols; c++)
			total += widths[c];
		if (total <= w || ncols <= 1) {
			if (ncols == 1 && widths[0] > w)
				widths[0] = w;
			int spare = w - total, left = spare;
			if (spare < 0)
				spare = left = 0;
			int last = -1;
			for (int c = 0; c < ncols; c++)
				if (!v->cols[c].width) {
					int share = weights ? spare * (v->cols[c].weight > 0 ? v->cols[c].weight : 1) / weights : 0;
					widths[c] += share;
					left -= share;
					last = c;
				}
			/* Rounding leftovers, or all of it without weights, go last. */
			widths[last >= 0 ? last : ncols - 1] += left;
			return ncols;
		}
		int widest = -1;
		for (int c = 0; c < ncols; c++)
			if (v->cols[c].width && widths[c] > MIN_FIXED &&
			    (widest < 0 || widths[c] > widths[widest]))
				widest = c;
		if (widest >= 0) {
			widths[widest]--;
			continue;
		}
		if (!v->cols[ncols - 1].width)
			weights -= v->cols[ncols - 1].weight > 0 ? v->cols[ncols - 1].weight : 1;
		ncols--;
	}
}

/* s past its first n display cells (whole characters), for scrolling a
 * cut cell sideways; never past the point where the rest fits in width. */
static const char *scrolled(const char *s, int n, int width)
{
	int over = tui_text_width(s) - width;
	if (n > over)
		n = over;
	while (n > 0 && *s) {
		size_t len = 1;
		while (s[len] && (s[len] & 0xc0) == 0x80 && len < 4)
			len++;
		char c[8];
		memcpy(c, s, len);
		c[len] = 0;
		n -= tui_text_width(c);
		s += len;
	}
	return s;
}

void tui_list_draw(tui_list *l, int y, int x, int h, int w, int focus)
{
	if (!l->view || h < 1 || w < 1)
		return;
	int widths[TUI_COLS_MAX], ncols = tui_list_layout(l->view, w, widths);
	int page = h - 1;
	tui_list_select(l, l->sel, page);
	attrset(tui_attr(TUI_S_HEADING) | A_BOLD);
	int cx = x;
	for (int c = 0; c < ncols; c++) {
		const tui_column *col = &l->view->cols[c];
		char title[48];
		snprintf(title, sizeof title, "%s%s", col->title,
			 c == l->sort_col ? (l->sort_desc ? "\xe2\x96\xbc" : "\xe2\x96\xb2") : "");
		if (c == l->sort_col && MB_CUR_MAX == 1)
			snprintf(title, sizeof title, "%s%s", col->title, l->sort_desc ? "v" : "^");
		tui_put(y, cx, widths[c], title, col->align);
		cx += widths[c];
		if (c + 1 < ncols)
			tui_put(y, cx++, 1, " ", TUI_ALIGN_LEFT);
	}
	if (cx < x + w)
		tui_put(y, cx, x + w - cx, "", TUI_ALIGN_LEFT);
	for (int i = 0; i < page; i++) {
		uint32_t r = l->top + (uint32_t)i;
		int row_y = y + 1 + i;
		if (r >= l->n) {
			attrset(A_NORMAL);
			/* An empty pane says so, and why when a filter hides it all. */
			tui_put(row_y, x, w,
				i == 0 && !l->n ? (l->filter[0] ? "  (no row matches the filter)"
								: "  (nothing to show)") : "",
				TUI_ALIGN_LEFT);
			continue;
		}
		int a = tui_attr(tui_list_style(l, r));
		if (r == l->sel)
			a = focus ? A_REVERSE | (a & A_BOLD) : A_BOLD | A_UNDERLINE;
		attrset(a);
		cx = x;
		/* A row with "_span" is one text across every column (a heading,
		 * a sentence): never cut to one column's width. */
		json_t *span = json_object_get(tui_list_row(l, r), "_span");
		if (json_is_string(span)) {
			tui_put_cut(row_y, x, w, scrolled(json_string_value(span), l->xoff, w),
				    TUI_ALIGN_LEFT, 0);
			continue;
		}
		for (int c = 0; c < ncols; c++) {
			char buf[256];
			const tui_column *col = &l->view->cols[c];
			const char *text = tui_list_cell(l, r, col->field, buf, sizeof buf);
			tui_put_cut(row_y, cx, widths[c],
				    l->xoff ? scrolled(text, l->xoff, widths[c]) : text, col->align,
				    col->cut_left);
			cx += widths[c];
			if (c + 1 < ncols)
				tui_put(row_y, cx++, 1, " ", TUI_ALIGN_LEFT);
		}
		if (cx < x + w)
			tui_put(row_y, cx, x + w - cx, "", TUI_ALIGN_LEFT);
	}
	attrset(A_NORMAL);
}
