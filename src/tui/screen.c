/*
 * screen.c - starting curses on whatever terminal there is, and giving
 * the terminal to an editor for a while. Kept apart because <term.h>
 * defines macros (lines, columns...) that clash with ordinary names
 * elsewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "internal.h"

struct screen *tui_start_screen(int *color)
{
	const char *term = getenv("TERM");
	int err = 0, plain = 0;
	if (!term || !*term || setupterm((char *)term, STDOUT_FILENO, &err) != OK) {
		plain = 1;
	} else {
		char *cup = tigetstr("cup");
		plain = !cup || cup == (char *)-1;
		del_curterm(cur_term);
	}
	SCREEN *s = newterm(plain ? "vt100" : term, stdout, stdin);
	if (!s)
		return NULL;
	*color = !plain && !getenv("NO_COLOR") && has_colors();
	return s;
}

int tui_edit_file(const char *path, int line)
{
	/* The path in single quotes, each quote in it closed and escaped, so
	 * that $EDITOR may itself carry arguments ("code -w"). */
	char quoted[8900], cmd[9200];
	size_t q = 0;
	quoted[q++] = '\'';
	for (const char *c = path; *c && q + 6 < sizeof quoted; c++) {
		if (*c == '\'') {
			memcpy(quoted + q, "'\\''", 4);
			q += 4;
		} else {
			quoted[q++] = *c;
		}
	}
	quoted[q++] = '\'';
	quoted[q] = 0;
	const char *editor = getenv("VISUAL");
	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	snprintf(cmd, sizeof cmd, "%s +%d %s", editor, line > 0 ? line : 1, quoted);
	def_prog_mode();
	endwin();
	int rc = system(cmd);
	reset_prog_mode();
	clearok(curscr, TRUE);
	return rc;
}
