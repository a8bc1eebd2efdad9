/*
 * draw.c - putting untrusted text on the screen: UTF-8 decoded by hand
 * (invalid bytes become U+FFFD), widths from wcwidth(), control characters
 * replaced so that a thread name cannot send escape sequences to the
 * terminal, and cells cut to a width in display cells, not bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <curses.h>

#include "internal.h"

static const char *const style_names[TUI_S_COUNT] = {
	"normal", "heading", "crashed", "inline", "scan", "missing", "dim", "error",
	"title", "tab", "status",
};

tui_style tui_style_parse(const char *name)
{
	for (int i = 0; name && i < TUI_S_COUNT; i++)
		if (!strcmp(name, style_names[i]))
			return (tui_style)i;
	return TUI_S_NORMAL;
}

/* Attributes per style; with colours, pair i+1 belongs to style i. */
static int attrs[TUI_S_COUNT];

void tui_draw_init(int color)
{
	/* Without colour every style must still be told apart. */
	static const int mono[TUI_S_COUNT] = {
		[TUI_S_HEADING] = A_BOLD, [TUI_S_CRASHED] = A_BOLD, [TUI_S_INLINE] = A_DIM,
		[TUI_S_SCAN] = A_UNDERLINE, [TUI_S_MISSING] = A_DIM, [TUI_S_DIM] = A_DIM,
		[TUI_S_ERROR] = A_BOLD, [TUI_S_TITLE] = A_REVERSE, [TUI_S_TAB] = A_BOLD,
		[TUI_S_STATUS] = A_REVERSE,
	};
	static const short fg[TUI_S_COUNT] = {
		[TUI_S_NORMAL] = -1, [TUI_S_HEADING] = COLOR_CYAN, [TUI_S_CRASHED] = COLOR_RED,
		[TUI_S_INLINE] = COLOR_CYAN, [TUI_S_SCAN] = COLOR_YELLOW,
		[TUI_S_MISSING] = COLOR_YELLOW, [TUI_S_DIM] = -1, [TUI_S_ERROR] = COLOR_RED,
		[TUI_S_TITLE] = COLOR_WHITE, [TUI_S_TAB] = COLOR_YELLOW, [TUI_S_STATUS] = COLOR_BLACK,
	};
	static const short bg[TUI_S_COUNT] = {
		[TUI_S_TITLE] = COLOR_BLUE, [TUI_S_STATUS] = COLOR_CYAN, [TUI_S_TAB] = COLOR_BLUE,
	};
	for (int i = 0; i < TUI_S_COUNT; i++)
		attrs[i] = mono[i];
	if (!color)
		return;
	start_color();
	use_default_colors();
	for (int i = 0; i < TUI_S_COUNT; i++) {
		short b = bg[i] ? bg[i] : -1;
		init_pair((short)(i + 1), fg[i], b);
		attrs[i] = COLOR_PAIR(i + 1) | (mono[i] & (A_BOLD | A_UNDERLINE | A_DIM));
		if (i == TUI_S_TITLE || i == TUI_S_STATUS)
			attrs[i] = COLOR_PAIR(i + 1);
		if (i == TUI_S_TAB)
			attrs[i] = COLOR_PAIR(i + 1) | A_BOLD;
	}
}

int tui_attr(tui_style s)
{
	return s >= 0 && s < TUI_S_COUNT ? attrs[s] : 0;
}

/* One code point from UTF-8; malformed or overlong input gives U+FFFD and
 * consumes one byte, so every byte string decodes. */
static uint32_t next_cp(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t c = p[0];
	int n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
	if (n < 0) {
		*pp = p + 1;
		return 0xfffd;
	}
	c &= n == 0 ? 0x7f : n == 1 ? 0x1f : n == 2 ? 0x0f : 0x07;
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*pp = p + 1;
			return 0xfffd;
		}
		c = c << 6 | (p[i] & 0x3f);
	}
	static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
	*pp = p + n + 1;
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
		return 0xfffd;
	return c;
}

/* The character shown for c and its width: controls become '?'. */
static wchar_t shown(uint32_t c, int *width)
{
	if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
		*width = 1;
		return L'?';
	}
	int w = wcwidth((wchar_t)c);
	if (w < 0) { /* unprintable in this locale */
		*width = 1;
		return L'?';
	}
	*width = w;
	return (wchar_t)c;
}

int tui_text_width(const char *s)
{
	int total = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (p && *p) {
		int w;
		shown(next_cp(&p), &w);
		total += w;
	}
	return total;
}

void tui_put(int y, int x, int width, const char *s, tui_align align)
{
	tui_put_cut(y, x, width, s, align, 0);
}

void tui_put_cut(int y, int x, int width, const char *s, tui_align align, int cut_left)
{
	if (width <= 0)
		return;
	enum { MAXW = 512 };
	wchar_t all[MAXW], buf[MAXW + 8];
	int wid[MAXW], n = 0, full = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p && n < MAXW) {
		int w;
		wchar_t c = shown(next_cp(&p), &w);
		/* A combining mark with nothing before it would join the padding. */
		if (w == 0 && n == 0)
			continue;
		all[n] = c;
		wid[n++] = w;
		full += w;
	}
	int cut = full > width || *p;
	int room = cut ? width - 1 : width; /* one cell for the ellipsis */
	int from = 0, to = n, used = 0;
	if (cut && cut_left) {
		/* Keep the end; marks stay with the character they follow. */
		from = n;
		while (from > 0 && used + wid[from - 1] <= room)
			used += wid[--from];
		while (from < n && wid[from] == 0)
			from++;
	} else {
		to = 0;
		while (to < n && used + wid[to] <= room)
			used += wid[to++];
	}
	int k = 0;
	if (cut && cut_left)
		buf[k++] = MB_CUR_MAX > 1 ? L'\x2026' : L'~';
	for (int i = from; i < to; i++)
		buf[k++] = all[i];
	if (cut && !cut_left)
		buf[k++] = MB_CUR_MAX > 1 ? L'\x2026' : L'~';
	if (cut)
		used++;
	buf[k] = 0;
	int pad = width - used;
	move(y, x);
	if (align == TUI_ALIGN_RIGHT)
		for (int i = 0; i < pad; i++)
			addch(' ');
	addnwstr(buf, k);
	if (align != TUI_ALIGN_RIGHT)
		for (int i = 0; i < pad; i++)
			addch(' ');
}
