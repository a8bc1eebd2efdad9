/*
 * internal.h - the pieces of the TUI shared between its files.
 *
 * Every pane is a list: rows of named cells, shown through the columns of a
 * view (the views/ YAML files). Most rows are JSON objects built from the processed
 * crash (the document `crashdesk walk --json` prints), so a crash fetched
 * from Crash Stats later shows through the same panes; the sym-file browser
 * serves its rows straight from the mapped symbol cache instead, because a
 * libxul has half a million functions.
 *
 * Row objects may carry "_style" (see tui_style) and fields that no column
 * shows (names starting with "_") for the pane's own use.
 */
#ifndef CD_TUI_INTERNAL_H
#define CD_TUI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "viewdef.h"

/* ---- drawing (draw.c) ------------------------------------------------- */

typedef enum tui_style {
	TUI_S_NORMAL, TUI_S_HEADING, TUI_S_CRASHED, TUI_S_INLINE, TUI_S_SCAN,
	TUI_S_MISSING, TUI_S_DIM, TUI_S_ERROR, TUI_S_TITLE, TUI_S_TAB, TUI_S_STATUS,
	TUI_S_COUNT
} tui_style;

tui_style tui_style_parse(const char *name);
/* Colours unless NO_COLOR is set or the terminal has none. */
void tui_draw_init(int color);
int tui_attr(tui_style s);
/* Display width of UTF-8 text as the terminal shows it (wide characters
 * count 2, combining marks 0, control characters are shown as '?'). */
int tui_text_width(const char *s);
/* Draws s at (y, x) in exactly width cells, cut with an ellipsis or padded
 * as align says. Control characters never reach the terminal. */
void tui_put(int y, int x, int width, const char *s, tui_align align);
/* The same; with cut_left a text too long loses its start, not its end. */
void tui_put_cut(int y, int x, int width, const char *s, tui_align align, int cut_left);

/* The screen (screen.c): a terminal without cursor addressing (TERM=dumb)
 * still gets a usable one, driven as the plainest terminal that has it,
 * and no colours. *color says whether to use them (not with NO_COLOR). */
struct screen;
struct screen *tui_start_screen(int *color);
/* $VISUAL, else $EDITOR, else vi on path at line, the terminal given to
 * it meanwhile; the editor's exit status as system() gives it. */
int tui_edit_file(const char *path, int line);

/* ---- lists (list.c) --------------------------------------------------- */

/* A row source other than a JSON array: the cell of a row by field name,
 * written into buf when it is not stored anywhere. */
typedef const char *(*tui_cell_fn)(void *ctx, uint32_t row, const char *field, char *buf,
				   size_t n);

typedef struct tui_list {
	const tui_view *view;
	json_t *rows;             /* owned array of objects, or NULL with cell */
	uint32_t nsrc;            /* rows in the source */
	tui_cell_fn cell;
	void *cell_ctx;
	uint32_t *order;          /* source rows shown, filtered and sorted */
	uint32_t n;
	uint32_t sel, top;
	char filter[128];         /* rows whose cells contain it, any case */
	char hide[16];            /* rows where this field is set are not shown */
	int sort_col;             /* -1: source order */
	int sort_desc;
	int xoff;                 /* cells of cut text scrolled off to the left */
} tui_list;

/* Takes ownership of rows (a JSON array of objects). A row whose "_span"
 * is a string is drawn as that text across the whole width. */
int tui_list_set_json(tui_list *l, const tui_view *v, json_t *rows);
/* New rows for the same view, keeping selection, filter and sort. */
int tui_list_update_json(tui_list *l, json_t *rows);
int tui_list_set_source(tui_list *l, const tui_view *v, uint32_t n, tui_cell_fn cell, void *ctx);
void tui_list_free(tui_list *l);
/* The text of a shown row's field ("" when absent). */
const char *tui_list_cell(const tui_list *l, uint32_t shown, const char *field, char *buf,
			  size_t n);
json_t *tui_list_row(const tui_list *l, uint32_t shown); /* NULL for other sources */
tui_style tui_list_style(const tui_list *l, uint32_t shown);
void tui_list_move(tui_list *l, long delta, int page);
void tui_list_select(tui_list *l, uint32_t shown, int page);
/* Re-applies filter and sort, keeping the selected source row selected. */
void tui_list_refresh(tui_list *l);
/* Next (dir 1) or previous (-1) shown row after the selection whose cells
 * contain needle in any case; returns 0 when none. */
int tui_list_search(tui_list *l, const char *needle, int dir);
/* The shown row as one line of its cells, tab-separated (for copying). */
void tui_list_line(const tui_list *l, uint32_t shown, char *buf, size_t n);
/* Splits w cells between v's columns (one blank between neighbours) into
 * widths; returns how many columns are shown (the rest did not fit). */
int tui_list_layout(const tui_view *v, int w, int *widths);
/* Draws the header line at y and rows from y+1 over h-1 lines. */
void tui_list_draw(tui_list *l, int y, int x, int h, int w, int focus);

#endif
