/*
 * screen.c - starting curses on whatever terminal there is. Kept apart
 * because <term.h> defines macros (lines, columns...) that clash with
 * ordinary names elsewhere.
 */
#include <stdlib.h>
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
