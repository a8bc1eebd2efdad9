/*
 * viewdef.h - views as data: the columns of each list pane and the key map,
 * read from YAML (internal to src/tui; the engine consumes it).
 *
 *   views/<pane>.yaml   the columns of one list pane
 *   views/keys.yaml     action -> keys
 *
 * The shipped views/<name>.yaml files are compiled in (build/gen/views_builtin.c, made
 * by src/util/embed.sh), so they are the built-in defaults and the two
 * can never disagree. tui_views_load() starts from them, then reads the same
 * file names from the user's directory ($XDG_CONFIG_HOME/crashdesk/):
 *
 *   - a user <pane>.yaml replaces that pane's columns as a whole;
 *   - a user keys.yaml replaces the keys of each action it names (a key it
 *     takes from another action is removed there); other actions keep theirs.
 *
 * A user file that cannot be used (YAML error, unknown key, action, key name
 * or field, width out of range, too many columns, a field twice, a key bound
 * twice) is skipped whole with one warning "file:line: message"; the built-in
 * default stays. Nothing here is fatal: the TUI always gets a usable set.
 *
 * Format: views/README.md. Everything is plain value structs; no allocation
 * outlives a call, nothing to free.
 */
#ifndef TUI_VIEWDEF_H
#define TUI_VIEWDEF_H

#include <stddef.h>

#include "../util/util.h"

#define TUI_COLS_MAX 16         /* columns per pane */
#define TUI_NAME_MAX 32         /* titles, field and pane names, with the NUL */
#define TUI_WIDTH_MAX 200       /* a fixed column's cells */
#define TUI_WEIGHT_MAX 100      /* a weighted column's share */
#define TUI_KEYS_PER_ACTION 8
#define TUI_KEY_LIMIT 512       /* key codes below this: bytes and ncurses KEY_* (KEY_MAX is 0777) */
#define TUI_VIEW_FILE_MAX 65536 /* bigger view files are refused */

typedef enum { TUI_ALIGN_LEFT, TUI_ALIGN_RIGHT } tui_align;

typedef struct tui_column {
	char title[TUI_NAME_MAX]; /* header text, UTF-8, may be empty */
	char field[TUI_NAME_MAX]; /* key of the row object the pane builds */
	int width;                /* fixed cells 1..TUI_WIDTH_MAX, or 0 when weighted */
	int weight;               /* share of the space left, 1..TUI_WEIGHT_MAX, or 0 when fixed */
	tui_align align;
	int cut_left;             /* too long: cut its start (paths), not its end */
} tui_column;

typedef struct tui_view {
	char name[TUI_NAME_MAX];  /* pane name: "frames", ... */
	char title[TUI_NAME_MAX]; /* pane title for the tab bar */
	tui_column cols[TUI_COLS_MAX];
	int ncols;
} tui_view;

/* Keep in step with the table in viewdef.c (names and help texts). */
typedef enum {
	TUI_ACT_NONE,
	TUI_ACT_UP,
	TUI_ACT_DOWN,
	TUI_ACT_PAGE_UP,
	TUI_ACT_PAGE_DOWN,
	TUI_ACT_TOP,
	TUI_ACT_BOTTOM,
	TUI_ACT_OPEN,
	TUI_ACT_BACK,
	TUI_ACT_QUIT,
	TUI_ACT_NEXT_PANE,
	TUI_ACT_PREV_PANE,
	TUI_ACT_THREADS,
	TUI_ACT_FRAMES,
	TUI_ACT_MODULES,
	TUI_ACT_UNLOADED,
	TUI_ACT_ANNOTATIONS,
	TUI_ACT_SUMMARY,
	TUI_ACT_FOLD,
	TUI_ACT_SEARCH,
	TUI_ACT_SEARCH_NEXT,
	TUI_ACT_SEARCH_PREV,
	TUI_ACT_HELP,
	TUI_ACT_CLOSE,
	TUI_ACT_COPY,
	TUI_ACT_GOTO_ADDRESS,
	TUI_ACT_SORT,
	TUI_ACT_FILTER,
	TUI_ACT_REDRAW,
	TUI_ACT_RETRY,
	TUI_ACT_SIGNATURE,
	TUI_ACT_TUNING,
	TUI_ACT_SEARCH_CRASHSTATS,
	TUI_ACT_COMPARE,
	TUI_ACT_JSON,
	TUI_ACT_COPY_ALL,
	TUI_ACT_GROUP,
	TUI_ACT_DISASM,
	TUI_ACT_MEMORY,
	TUI_ACT_WORDS,
	TUI_ACT_LEFT,
	TUI_ACT_RIGHT,
	TUI_ACT_SOURCE,
	TUI_ACT_EDIT,
	TUI_ACT_COUNT
} tui_action;

/* Both directions kept so lookup is one index and help lists keys in the
 * order the file gave them. */
typedef struct tui_keymap {
	unsigned char action[TUI_KEY_LIMIT]; /* key code -> tui_action */
	short keys[TUI_ACT_COUNT][TUI_KEYS_PER_ACTION];
	unsigned char nkeys[TUI_ACT_COUNT];
} tui_keymap;

/* The list panes, in the order of tui_views.panes. */
typedef enum {
	TUI_PANE_CRASHES,
	TUI_PANE_THREADS,
	TUI_PANE_FRAMES,
	TUI_PANE_MODULES,
	TUI_PANE_UNLOADED,
	TUI_PANE_ANNOTATIONS,
	TUI_PANE_SYMFUNCS,
	TUI_PANE_SIGNATURE,
	TUI_PANE_CS_RESULTS,
	TUI_PANE_CS_FACETS,
	TUI_PANE_COMPARE,
	TUI_PANE_COUNT
} tui_pane_id;

typedef struct tui_views {
	tui_view panes[TUI_PANE_COUNT];
	tui_keymap keys;
	int nwarnings; /* problems found by tui_views_load() */
} tui_views;

/* ---- actions -------------------------------------------------------- */
/* "page_down"; "" for TUI_ACT_NONE or out of range. Static strings. */
const char *tui_action_name(tui_action a);
/* One line for the help overlay. Static string. */
const char *tui_action_help(tui_action a);
/* TUI_ACT_NONE when name is no action. */
tui_action tui_action_from_name(const char *name);

/* ---- keys ----------------------------------------------------------- */
/* Key names: one printable ASCII character ("j", "N", "?", "/"), or one of
 * Up Down Left Right PgUp PgDn Home End Enter Backspace Tab S-Tab Esc Space
 * Delete Insert F1..F12, C-a..C-z (case-insensitive; PageUp, PageDown,
 * Return, BTab, Escape, Del, Ins are accepted too). Codes are ncurses':
 * characters as themselves, keys as KEY_*. Enter is '\n', Backspace is
 * KEY_BACKSPACE (so C-j/C-m parse as Enter, C-h as Backspace, C-i as Tab,
 * C-[ as Esc). Returns CD_OK or CD_ENOTFOUND. */
int tui_key_parse(const char *name, int *key);
/* The canonical name of a key for the help overlay ("PgDn", "C-l", "j");
 * an unnamed code is written as "<0x1ff>". Returns CD_OK, or CD_ENOTFOUND
 * for an unnamed code. buf of 16 bytes always suffices. */
int tui_key_name(int key, char *buf, size_t n);
/* What terminals send for one key folded onto the code tui_key_parse gives:
 * '\r' and KEY_ENTER -> '\n'; 127 and 8 -> KEY_BACKSPACE. */
int tui_key_normalize(int key);

/* ---- keymap --------------------------------------------------------- */
void tui_keymap_clear(tui_keymap *km);
/* The action bound to key (normalized first); TUI_ACT_NONE when none. */
tui_action tui_keymap_lookup(const tui_keymap *km, int key);
/* Makes keys[0..n) the keys of action a (n <= TUI_KEYS_PER_ACTION), taking
 * each from whichever action had it. Returns CD_OK or CD_EUSAGE. */
int tui_keymap_bind(tui_keymap *km, tui_action a, const int *keys, int n);
/* Copies up to max keys of a into keys, in binding order; returns how many
 * a has. */
int tui_keymap_keys(const tui_keymap *km, tui_action a, int *keys, int max);
/* "j, Down" for the help overlay; "" when unbound. */
void tui_keymap_describe(const tui_keymap *km, tui_action a, char *buf, size_t n);

/* ---- panes ---------------------------------------------------------- */
/* "frames"; NULL out of range. */
const char *tui_pane_name(tui_pane_id p);
/* TUI_PANE_COUNT when name is no list pane. */
tui_pane_id tui_pane_from_name(const char *name);
/* The fields a pane's rows carry, space-separated: the contract between
 * the view files and the row builders. NULL out of range. */
const char *tui_pane_fields(tui_pane_id p);

/* ---- files ---------------------------------------------------------- */
/* Parses text (len bytes, need not be NUL-terminated) as the view file of
 * pane; file names it in errors. On error out is unspecified and e says
 * "file:line: message". Returns CD_OK, CD_EFORMAT, CD_ENOMEM or CD_EUSAGE. */
int tui_view_parse(tui_pane_id pane, const char *file, const char *text, size_t len,
		   tui_view *out, cd_err *e);
/* Parses text as a keys file and, only when all of it is valid, applies it
 * to km (each action named gets exactly the keys listed). A key listed for
 * two actions is an error. Returns as tui_view_parse(); km is untouched on
 * error. */
int tui_keys_parse(const char *file, const char *text, size_t len, tui_keymap *km, cd_err *e);

/* $XDG_CONFIG_HOME/crashdesk, else $HOME/.config/crashdesk (either must be
 * absolute). Returns CD_OK, or CD_ENOTFOUND when neither is set. */
int tui_views_user_dir(char *buf, size_t n);
/* Fills out with the built-in views and keys, then applies user_dir's
 * <pane>.yaml and keys.yaml where present (user_dir may be NULL: built-ins
 * only). Each problem is appended to warnings as "file:line: message\n"
 * (truncated to nwarnings; warnings may be NULL when nwarnings is 0) and
 * counted in out->nwarnings. Returns CD_OK, or CD_EUSAGE when out is NULL. */
int tui_views_load(const char *user_dir, tui_views *out, char *warnings, size_t nwarnings);
/* The view of a pane by name; NULL when there is no such pane. Borrowed
 * from v. */
const tui_view *tui_views_get(const tui_views *v, const char *pane);


#endif
