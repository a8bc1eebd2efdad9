/* viewdef.c - view files and the key map (see viewdef.h, views/README.md). */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "viewdef.h"

_Static_assert(KEY_MAX < TUI_KEY_LIMIT, "ncurses key codes must fit the keymap table");
_Static_assert(TUI_ACT_COUNT <= 255, "actions are stored in a byte");

/* Root mapping, keys or columns, one column or key list: 3 levels used. */
#define TUI_VIEW_DEPTH_MAX 8

/* Made by src/util/embed.sh from views/<name>.yaml (build/gen/views_builtin.c). */
extern const cd_embed tui__builtins[];
extern const size_t tui__nbuiltins;

/* ---- actions -------------------------------------------------------- */

static const struct {
	const char *name, *help;
} actions[TUI_ACT_COUNT] = {
	[TUI_ACT_NONE] = { "", "" },
	[TUI_ACT_UP] = { "up", "Move up one line" },
	[TUI_ACT_DOWN] = { "down", "Move down one line" },
	[TUI_ACT_PAGE_UP] = { "page_up", "Move up one page" },
	[TUI_ACT_PAGE_DOWN] = { "page_down", "Move down one page" },
	[TUI_ACT_TOP] = { "top", "Go to the first line" },
	[TUI_ACT_BOTTOM] = { "bottom", "Go to the last line" },
	[TUI_ACT_OPEN] = { "open", "Open the selected line (or show it whole)" },
	[TUI_ACT_BACK] = { "back", "Back to the previous pane (quits on the home pane)" },
	[TUI_ACT_QUIT] = { "quit", "Quit crashdesk" },
	[TUI_ACT_NEXT_PANE] = { "next_pane", "Next pane" },
	[TUI_ACT_PREV_PANE] = { "prev_pane", "Previous pane" },
	[TUI_ACT_THREADS] = { "threads", "Threads" },
	[TUI_ACT_FRAMES] = { "frames", "Frames of the selected thread" },
	[TUI_ACT_MODULES] = { "modules", "Modules" },
	[TUI_ACT_UNLOADED] = { "unloaded", "Unloaded modules" },
	[TUI_ACT_ANNOTATIONS] = { "annotations", "Annotations" },
	[TUI_ACT_SUMMARY] = { "summary", "Report summary" },
	[TUI_ACT_FOLD] = { "fold", "Fold or unfold inline frames" },
	[TUI_ACT_SEARCH] = { "search", "Search" },
	[TUI_ACT_SEARCH_NEXT] = { "search_next", "Next match" },
	[TUI_ACT_SEARCH_PREV] = { "search_prev", "Previous match" },
	[TUI_ACT_HELP] = { "help", "This help" },
	[TUI_ACT_CLOSE] = { "close", "Close the help or any other overlay" },
	[TUI_ACT_COPY] = { "copy", "Copy the selected line to the clipboard (OSC 52)" },
	[TUI_ACT_GOTO_ADDRESS] = { "goto_address", "Look up an address" },
	[TUI_ACT_SORT] = { "sort", "Sort by the next column" },
	[TUI_ACT_FILTER] = { "filter", "Filter the list" },
	[TUI_ACT_REDRAW] = { "redraw", "Redraw the screen" },
	[TUI_ACT_RETRY] = { "retry", "Fetch the selected module's symbols again" },
	[TUI_ACT_SIGNATURE] = { "signature", "Signature, and the fate of every frame" },
	[TUI_ACT_TUNING] = { "tuning", "Signature tuning: edit the lists, re-sign, see what changed" },
	[TUI_ACT_SEARCH_CRASHSTATS] = { "search_crashstats",
					"Search Crash Stats (--FIELD=VALUE filters, as crashdesk search)" },
	[TUI_ACT_COMPARE] = { "compare",
			      "Compare with Socorro: walk the stored dump locally, show the differences" },
	[TUI_ACT_JSON] = { "json", "The processed crash as JSON, annotations included (copyable)" },
	[TUI_ACT_COPY_ALL] = { "copy_all", "Copy every row of the pane to the clipboard (OSC 52)" },
	[TUI_ACT_GROUP] = { "group", "Group the crashes by signature, the biggest bucket first" },
	[TUI_ACT_DISASM] = { "disassembly",
			     "The instructions around the selected frame (the crashing one, marked)" },
	[TUI_ACT_MEMORY] = { "memory",
			     "Memory: the selected frame's stack, or around the crash address" },
	[TUI_ACT_WORDS] = { "words", "One word a line (what it points to), or 16 bytes a line" },
	[TUI_ACT_LEFT] = { "left", "Scroll cut text back to the left" },
	[TUI_ACT_RIGHT] = { "right", "Scroll cut text to the right, to read what the cut hides" },
	[TUI_ACT_SOURCE] = { "source",
			     "The source lines around the selected frame's line (--source-root)" },
	[TUI_ACT_EDIT] = { "edit", "Open $EDITOR on the file at the selected line" },
};

const char *tui_action_name(tui_action a)
{
	return a > TUI_ACT_NONE && a < TUI_ACT_COUNT ? actions[a].name : "";
}

const char *tui_action_help(tui_action a)
{
	return a > TUI_ACT_NONE && a < TUI_ACT_COUNT ? actions[a].help : "";
}

tui_action tui_action_from_name(const char *name)
{
	for (int a = TUI_ACT_NONE + 1; a < TUI_ACT_COUNT; a++)
		if (strcmp(actions[a].name, name) == 0)
			return (tui_action)a;
	return TUI_ACT_NONE;
}

/* ---- keys ----------------------------------------------------------- */

/* Canonical names first: tui_key_name() gives the first match. */
static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Up", KEY_UP },        { "Down", KEY_DOWN },   { "Left", KEY_LEFT },
	{ "Right", KEY_RIGHT },  { "PgUp", KEY_PPAGE },  { "PgDn", KEY_NPAGE },
	{ "Home", KEY_HOME },    { "End", KEY_END },     { "Enter", '\n' },
	{ "Backspace", KEY_BACKSPACE }, { "Tab", '\t' }, { "S-Tab", KEY_BTAB },
	{ "Esc", 27 },           { "Space", ' ' },       { "Delete", KEY_DC },
	{ "Insert", KEY_IC },
	{ "PageUp", KEY_PPAGE }, { "PageDown", KEY_NPAGE }, { "Return", '\n' },
	{ "BTab", KEY_BTAB },    { "Escape", 27 },       { "Del", KEY_DC },
	{ "Ins", KEY_IC },
};

int tui_key_normalize(int key)
{
	switch (key) {
	case '\r':
	case KEY_ENTER: return '\n';
	case 127:
	case 8: return KEY_BACKSPACE;
	}
	return key;
}

int tui_key_parse(const char *name, int *key)
{
	size_t n = strlen(name);
	if (n == 1 && name[0] > ' ' && name[0] < 127) {
		*key = name[0];
		return CD_OK;
	}
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (strcasecmp(name, key_names[i].name) == 0) {
			*key = key_names[i].key;
			return CD_OK;
		}
	if ((name[0] == 'F' || name[0] == 'f') && n >= 2 && n <= 3 && name[1] >= '1' &&
	    name[1] <= '9' && (n == 2 || (name[2] >= '0' && name[2] <= '9'))) {
		int f = atoi(name + 1);
		if (f <= 12) {
			*key = KEY_F(f);
			return CD_OK;
		}
	}
	if (n == 3 && (name[0] == 'C' || name[0] == 'c') && name[1] == '-') {
		int c = (unsigned char)name[2];
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c > '@' && c <= '_') { /* C-@ would be NUL, never a key */
			*key = tui_key_normalize(c & 0x1f);
			return CD_OK;
		}
	}
	return CD_ENOTFOUND;
}

int tui_key_name(int key, char *buf, size_t n)
{
	key = tui_key_normalize(key);
	if (key > ' ' && key < 127) {
		snprintf(buf, n, "%c", key);
		return CD_OK;
	}
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (key_names[i].key == key) {
			snprintf(buf, n, "%s", key_names[i].name);
			return CD_OK;
		}
	if (key >= KEY_F(1) && key <= KEY_F(12)) {
		snprintf(buf, n, "F%d", key - KEY_F0);
		return CD_OK;
	}
	if (key > 0 && key < ' ') {
		snprintf(buf, n, "C-%c", key <= 26 ? 'a' + key - 1 : key | 0x40);
		return CD_OK;
	}
	snprintf(buf, n, "<%#x>", (unsigned)key);
	return CD_ENOTFOUND;
}

/* ---- keymap --------------------------------------------------------- */

void tui_keymap_clear(tui_keymap *km)
{
	memset(km, 0, sizeof *km);
}

tui_action tui_keymap_lookup(const tui_keymap *km, int key)
{
	key = tui_key_normalize(key);
	if (key <= 0 || key >= TUI_KEY_LIMIT)
		return TUI_ACT_NONE;
	return (tui_action)km->action[key];
}

static void unbind_key(tui_keymap *km, int key)
{
	int a = km->action[key];
	if (a == TUI_ACT_NONE)
		return;
	int j = 0;
	for (int i = 0; i < km->nkeys[a]; i++)
		if (km->keys[a][i] != key)
			km->keys[a][j++] = km->keys[a][i];
	km->nkeys[a] = (unsigned char)j;
	km->action[key] = TUI_ACT_NONE;
}

int tui_keymap_bind(tui_keymap *km, tui_action a, const int *keys, int n)
{
	if (a <= TUI_ACT_NONE || a >= TUI_ACT_COUNT || n < 0 || n > TUI_KEYS_PER_ACTION)
		return CD_EUSAGE;
	for (int i = 0; i < n; i++)
		if (keys[i] <= 0 || keys[i] >= TUI_KEY_LIMIT)
			return CD_EUSAGE;
	while (km->nkeys[a])
		unbind_key(km, km->keys[a][0]);
	for (int i = 0; i < n; i++) {
		int k = tui_key_normalize(keys[i]);
		if (km->action[k] == a)
			continue; /* listed twice */
		unbind_key(km, k);
		km->action[k] = (unsigned char)a;
		km->keys[a][km->nkeys[a]++] = (short)k;
	}
	return CD_OK;
}

int tui_keymap_keys(const tui_keymap *km, tui_action a, int *keys, int max)
{
	if (a <= TUI_ACT_NONE || a >= TUI_ACT_COUNT)
		return 0;
	for (int i = 0; i < km->nkeys[a] && i < max; i++)
		keys[i] = km->keys[a][i];
	return km->nkeys[a];
}

void tui_keymap_describe(const tui_keymap *km, tui_action a, char *buf, size_t n)
{
	int keys[TUI_KEYS_PER_ACTION];
	int nk = tui_keymap_keys(km, a, keys, TUI_KEYS_PER_ACTION);
	size_t off = 0;
	if (n)
		buf[0] = 0;
	for (int i = 0; i < nk && off < n; i++) {
		char name[16];
		tui_key_name(keys[i], name, sizeof name);
		int w = snprintf(buf + off, n - off, "%s%s", i ? ", " : "", name);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

/* ---- panes ---------------------------------------------------------- */

/* The fields each pane's row builder fills: a view naming another field is
 * refused, so a typo shows up when the file is loaded, not as an empty
 * column. */
static const struct {
	const char *name, *fields;
} panes[TUI_PANE_COUNT] = {
	[TUI_PANE_CRASHES] = { "crashes", "reason signature function module time file" },
	[TUI_PANE_THREADS] = { "threads", "index id name frames function crashed" },
	[TUI_PANE_FRAMES] = { "frames", "frame module offset function source trust" },
	[TUI_PANE_MODULES] = { "modules",
			       "name version base size debug_file debug_id status source" },
	[TUI_PANE_UNLOADED] = { "unloaded", "name base size frames" },
	[TUI_PANE_ANNOTATIONS] = { "annotations", "key value description" },
	[TUI_PANE_SYMFUNCS] = { "symfuncs", "address size kind name inlines file" },
	[TUI_PANE_SIGNATURE] = { "signature", "frame function normalized fate list regex" },
	/* a hit carries the _columns asked for; these are the ones a view may name */
	[TUI_PANE_CS_RESULTS] = { "cs_results",
				  "uuid date signature product version release_channel platform "
				  "os_name cpu_arch build_id reason address stored" },
	[TUI_PANE_CS_FACETS] = { "cs_facets", "facet term count" },
	[TUI_PANE_COMPARE] = { "compare", "what socorro local" },
};

const char *tui_pane_name(tui_pane_id p)
{
	return p >= 0 && p < TUI_PANE_COUNT ? panes[p].name : NULL;
}

tui_pane_id tui_pane_from_name(const char *name)
{
	for (int p = 0; p < TUI_PANE_COUNT; p++)
		if (strcmp(panes[p].name, name) == 0)
			return (tui_pane_id)p;
	return TUI_PANE_COUNT;
}

const char *tui_pane_fields(tui_pane_id p)
{
	return p >= 0 && p < TUI_PANE_COUNT ? panes[p].fields : NULL;
}

static int field_known(tui_pane_id p, const char *f, size_t n)
{
	const char *s = panes[p].fields;
	while (*s) {
		size_t w = strcspn(s, " ");
		if (w == n && memcmp(s, f, n) == 0)
			return 1;
		s += w;
		s += strspn(s, " ");
	}
	return 0;
}

/* ---- YAML ----------------------------------------------------------- */

typedef struct parse {
	const char *file;
	const char *text;
	size_t len;
	yaml_document_t doc;
	cd_err *e;
} parse;

static unsigned long line_at_offset(const parse *ps, size_t off)
{
	unsigned long line = 1;
	for (size_t i = 0; i < off && i < ps->len; i++)
		line += ps->text[i] == '\n';
	return line;
}

static int failf(parse *ps, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int failf(parse *ps, unsigned long line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cd_errf(ps->e, CD_EFORMAT, "%s:%lu: %s", ps->file, line, msg);
}

static unsigned long node_line(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.line + 1;
}

/* A short printable copy of untrusted text for messages. */
static const char *shown(const yaml_node_t *n, char buf[48])
{
	size_t o = 0;
	if (n->type == YAML_SCALAR_NODE) {
		const unsigned char *s = n->data.scalar.value;
		size_t len = n->data.scalar.length;
		for (size_t i = 0; i < len && o < 40; i++)
			buf[o++] = s[i] < ' ' || s[i] == 127 ? '?' : (char)s[i];
		if (len > 40)
			o = (size_t)(stpcpy(buf + o, "...") - buf);
	} else {
		o = (size_t)(stpcpy(buf, n->type == YAML_MAPPING_NODE ? "{...}" : "[...]") - buf);
	}
	buf[o] = 0;
	return buf;
}

static int parser_failed(parse *ps, yaml_parser_t *p)
{
	unsigned long line = p->error == YAML_READER_ERROR ? line_at_offset(ps, p->problem_offset)
							   : (unsigned long)p->problem_mark.line + 1;
	const char *problem = p->problem ? p->problem : "bad YAML";
	if (p->error == YAML_MEMORY_ERROR)
		return cd_errf(ps->e, CD_ENOMEM, "%s: out of memory", ps->file);
	if (p->context)
		return failf(ps, line, "%s %s (line %lu)", problem, p->context,
			     (unsigned long)p->context_mark.line + 1);
	return failf(ps, line, "%s", problem);
}

/* One pass over the events first: it finds syntax errors; it refuses
 * aliases, which the document API resolves to the anchored node, so errors
 * in them would be reported at the anchor's line (and a node could contain
 * itself); and it stops deep nesting early, which libyaml's scanner handles
 * in quadratic time (60,000 '[' took 3.6 s). */
static int prescan(parse *ps)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return cd_errf(ps->e, CD_ENOMEM, "%s: out of memory", ps->file);
	yaml_parser_set_input_string(&p, (const unsigned char *)ps->text, ps->len);
	int rc = CD_OK, docs = 0, depth = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			rc = parser_failed(ps, &p);
			break;
		}
		yaml_event_type_t t = ev.type;
		unsigned long line = (unsigned long)ev.start_mark.line + 1;
		yaml_event_delete(&ev);
		if (t == YAML_ALIAS_EVENT)
			rc = failf(ps, line, "aliases (*name) are not supported in view files");
		else if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1)
			rc = failf(ps, line, "a second document; a view file has one");
		else if ((t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) &&
			 ++depth > TUI_VIEW_DEPTH_MAX)
			rc = failf(ps, line, "nested deeper than a view file needs (%d levels)",
				   TUI_VIEW_DEPTH_MAX);
		else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT)
			depth--;
		if (rc || t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	return rc;
}

static int load(parse *ps)
{
	if (ps->len > TUI_VIEW_FILE_MAX)
		return failf(ps, 1, "%zu bytes; a view file may have %d at most", ps->len,
			     TUI_VIEW_FILE_MAX);
	int rc = prescan(ps);
	if (rc)
		return rc;
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return cd_errf(ps->e, CD_ENOMEM, "%s: out of memory", ps->file);
	yaml_parser_set_input_string(&p, (const unsigned char *)ps->text, ps->len);
	if (!yaml_parser_load(&p, &ps->doc)) {
		rc = parser_failed(ps, &p);
		yaml_parser_delete(&p);
		return rc;
	}
	yaml_parser_delete(&p);
	if (!yaml_document_get_root_node(&ps->doc)) {
		yaml_document_delete(&ps->doc);
		return failf(ps, 1, "empty file");
	}
	return CD_OK;
}

static yaml_node_t *node(parse *ps, int i)
{
	return yaml_document_get_node(&ps->doc, i);
}

static int is_scalar(const yaml_node_t *n, const char *s)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

/* Copies a scalar of printable UTF-8 (no control bytes) shorter than n. */
static int get_text(parse *ps, const yaml_node_t *v, const char *what, char *out, size_t n)
{
	if (v->type != YAML_SCALAR_NODE)
		return failf(ps, node_line(v), "%s: expected text", what);
	size_t len = v->data.scalar.length;
	if (len >= n)
		return failf(ps, node_line(v), "%s: longer than %zu bytes", what, n - 1);
	for (size_t i = 0; i < len; i++)
		if (v->data.scalar.value[i] < ' ' || v->data.scalar.value[i] == 127)
			return failf(ps, node_line(v), "%s: control character", what);
	memcpy(out, v->data.scalar.value, len);
	out[len] = 0;
	return CD_OK;
}

static int get_int(parse *ps, const yaml_node_t *v, const char *what, int lo, int hi, int *out)
{
	char b[48];
	if (v->type != YAML_SCALAR_NODE)
		return failf(ps, node_line(v), "%s: expected a number", what);
	size_t len = v->data.scalar.length;
	long x = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = v->data.scalar.value[i];
		if (c < '0' || c > '9' || i >= 9)
			return failf(ps, node_line(v), "%s: expected a number from %d to %d, not '%s'",
				     what, lo, hi, shown(v, b));
		x = x * 10 + (c - '0');
	}
	if (len == 0 || x < lo || x > hi)
		return failf(ps, node_line(v), "%s: expected a number from %d to %d, not '%s'", what,
			     lo, hi, shown(v, b));
	*out = (int)x;
	return CD_OK;
}

/* Mapping keys must be scalars and appear once; returns the key's index in
 * names or fails. seen has one slot per name. */
static int map_key(parse *ps, const yaml_node_t *k, const char *const *names, int nnames,
		   unsigned long *seen, const char *where, int *out)
{
	char b[48];
	for (int i = 0; i < nnames; i++)
		if (is_scalar(k, names[i])) {
			if (seen[i])
				return failf(ps, node_line(k), "'%s' given twice in %s (first on line %lu)",
					     names[i], where, seen[i]);
			seen[i] = node_line(k);
			*out = i;
			return CD_OK;
		}
	char expected[160] = "";
	for (int i = 0; i < nnames; i++)
		snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "%s%s",
			 i ? ", " : "", names[i]);
	return failf(ps, node_line(k), "unknown key '%s' in %s (expected %s)", shown(k, b), where,
		     expected);
}

/* ---- view files ----------------------------------------------------- */

static int parse_column(parse *ps, tui_pane_id pane, const yaml_node_t *m, tui_column *c)
{
	static const char *const keys[] = { "title", "field", "width", "weight", "align", "cut" };
	unsigned long seen[6] = { 0 };
	char b[48];
	if (m->type != YAML_MAPPING_NODE)
		return failf(ps, node_line(m), "a column is a mapping of title, field, width or "
					       "weight, align; not '%s'", shown(m, b));
	memset(c, 0, sizeof *c);
	for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(ps, pr->key), *v = node(ps, pr->value);
		int which, rc;
		if (!k || !v)
			return failf(ps, node_line(m), "damaged mapping");
		if ((rc = map_key(ps, k, keys, 6, seen, "a column", &which)))
			return rc;
		switch (which) {
		case 0: rc = get_text(ps, v, "title", c->title, sizeof c->title); break;
		case 1:
			if ((rc = get_text(ps, v, "field", c->field, sizeof c->field)))
				break;
			if (!field_known(pane, c->field, strlen(c->field)))
				rc = failf(ps, node_line(v), "pane %s has no field '%s' (its fields: %s)",
					   panes[pane].name, shown(v, b), panes[pane].fields);
			break;
		case 2: rc = get_int(ps, v, "width", 1, TUI_WIDTH_MAX, &c->width); break;
		case 3: rc = get_int(ps, v, "weight", 1, TUI_WEIGHT_MAX, &c->weight); break;
		case 4:
			if (is_scalar(v, "left"))
				c->align = TUI_ALIGN_LEFT;
			else if (is_scalar(v, "right"))
				c->align = TUI_ALIGN_RIGHT;
			else
				rc = failf(ps, node_line(v), "align: expected left or right, not '%s'",
					   shown(v, b));
			break;
		case 5:
			/* Paths read best with their start cut, names with their end. */
			if (is_scalar(v, "left"))
				c->cut_left = 1;
			else if (is_scalar(v, "right"))
				c->cut_left = 0;
			else
				rc = failf(ps, node_line(v), "cut: expected left or right, not '%s'",
					   shown(v, b));
			break;
		}
		if (rc)
			return rc;
	}
	if (!seen[1])
		return failf(ps, node_line(m), "a column needs a field");
	if (seen[2] && seen[3])
		return failf(ps, node_line(m), "a column has a width or a weight, not both");
	if (!seen[2] && !seen[3])
		return failf(ps, node_line(m), "a column needs a width (cells) or a weight (share)");
	if (!seen[0])
		memcpy(c->title, c->field, sizeof c->title);
	return CD_OK;
}

static int parse_view(parse *ps, tui_pane_id pane, tui_view *out)
{
	static const char *const keys[] = { "title", "columns" };
	unsigned long seen[2] = { 0 };
	unsigned long col_line[TUI_COLS_MAX];
	yaml_node_t *root = yaml_document_get_root_node(&ps->doc);
	if (root->type != YAML_MAPPING_NODE)
		return failf(ps, node_line(root), "expected a mapping with title and columns");
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", panes[pane].name);
	snprintf(out->title, sizeof out->title, "%s", panes[pane].name);
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(ps, pr->key), *v = node(ps, pr->value);
		int which, rc;
		if (!k || !v)
			return failf(ps, node_line(root), "damaged mapping");
		if ((rc = map_key(ps, k, keys, 2, seen, "a view", &which)))
			return rc;
		if (which == 0) {
			if ((rc = get_text(ps, v, "title", out->title, sizeof out->title)))
				return rc;
			continue;
		}
		if (v->type != YAML_SEQUENCE_NODE)
			return failf(ps, node_line(v), "columns: expected a list of columns");
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top; it++) {
			yaml_node_t *cn = node(ps, *it);
			if (!cn)
				return failf(ps, node_line(v), "damaged list");
			if (out->ncols == TUI_COLS_MAX)
				return failf(ps, node_line(cn), "more than %d columns", TUI_COLS_MAX);
			tui_column *c = &out->cols[out->ncols];
			if ((rc = parse_column(ps, pane, cn, c)))
				return rc;
			for (int i = 0; i < out->ncols; i++)
				if (strcmp(out->cols[i].field, c->field) == 0)
					return failf(ps, node_line(cn),
						     "field '%s' shown twice (first on line %lu)",
						     c->field, col_line[i]);
			col_line[out->ncols++] = node_line(cn);
		}
		if (out->ncols == 0)
			return failf(ps, node_line(v), "columns: the list is empty");
	}
	if (!seen[1])
		return failf(ps, node_line(root), "no columns");
	return CD_OK;
}

int tui_view_parse(tui_pane_id pane, const char *file, const char *text, size_t len,
		   tui_view *out, cd_err *e)
{
	if (pane < 0 || pane >= TUI_PANE_COUNT || !file || (!text && len) || !out)
		return cd_errf(e, CD_EUSAGE, "tui_view_parse: bad arguments");
	parse ps = { .file = file, .text = text ? text : "", .len = len, .e = e };
	int rc = load(&ps);
	if (rc)
		return rc;
	rc = parse_view(&ps, pane, out);
	yaml_document_delete(&ps.doc);
	return rc;
}

/* ---- keys files ----------------------------------------------------- */

typedef struct keys_parsed {
	int keys[TUI_ACT_COUNT][TUI_KEYS_PER_ACTION];
	int nkeys[TUI_ACT_COUNT];
	unsigned long line[TUI_ACT_COUNT]; /* 0: not named by the file */
	unsigned char owner[TUI_KEY_LIMIT];
	unsigned long key_line[TUI_KEY_LIMIT];
} keys_parsed;

static int parse_key(parse *ps, tui_action a, const yaml_node_t *kn, keys_parsed *kp)
{
	char name[TUI_NAME_MAX], b[48];
	int key;
	if (kn->type != YAML_SCALAR_NODE || kn->data.scalar.length >= sizeof name)
		return failf(ps, node_line(kn), "%s: '%s' is no key name", tui_action_name(a),
			     shown(kn, b));
	memcpy(name, kn->data.scalar.value, kn->data.scalar.length);
	name[kn->data.scalar.length] = 0;
	if (strlen(name) != kn->data.scalar.length || tui_key_parse(name, &key))
		return failf(ps, node_line(kn),
			     "%s: unknown key name '%s' (a character, or Up Down Left Right PgUp "
			     "PgDn Home End Enter Backspace Tab S-Tab Esc Space Delete Insert "
			     "F1-F12 C-a..C-z)",
			     tui_action_name(a), shown(kn, b));
	if (kp->owner[key] == a)
		return failf(ps, node_line(kn), "%s: key '%s' listed twice", tui_action_name(a),
			     shown(kn, b));
	if (kp->owner[key])
		return failf(ps, node_line(kn), "key '%s' bound to both %s (line %lu) and %s",
			     shown(kn, b), tui_action_name((tui_action)kp->owner[key]),
			     kp->key_line[key], tui_action_name(a));
	if (kp->nkeys[a] == TUI_KEYS_PER_ACTION)
		return failf(ps, node_line(kn), "%s: more than %d keys", tui_action_name(a),
			     TUI_KEYS_PER_ACTION);
	kp->owner[key] = (unsigned char)a;
	kp->key_line[key] = node_line(kn);
	kp->keys[a][kp->nkeys[a]++] = key;
	return CD_OK;
}

/* An action's value: one key name, or a list of them ([] unbinds it). */
static int parse_key_list(parse *ps, tui_action a, const yaml_node_t *v, keys_parsed *kp)
{
	if (v->type == YAML_SCALAR_NODE)
		return parse_key(ps, a, v, kp);
	if (v->type != YAML_SEQUENCE_NODE)
		return failf(ps, node_line(v), "%s: expected a key or a list of keys",
			     tui_action_name(a));
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *kn = node(ps, *it);
		int rc;
		if (!kn)
			return failf(ps, node_line(v), "damaged list");
		if ((rc = parse_key(ps, a, kn, kp)))
			return rc;
	}
	return CD_OK;
}

static int parse_keys(parse *ps, keys_parsed *kp)
{
	char b[48];
	yaml_node_t *root = yaml_document_get_root_node(&ps->doc);
	if (root->type != YAML_MAPPING_NODE)
		return failf(ps, node_line(root), "expected a mapping with keys");
	yaml_node_t *map = NULL;
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(ps, pr->key), *v = node(ps, pr->value);
		if (!k || !v)
			return failf(ps, node_line(root), "damaged mapping");
		if (!is_scalar(k, "keys"))
			return failf(ps, node_line(k), "unknown key '%s' (expected keys)", shown(k, b));
		if (map)
			return failf(ps, node_line(k), "'keys' given twice (first on line %lu)",
				     node_line(map));
		map = v;
	}
	if (!map)
		return failf(ps, node_line(root), "no keys");
	if (map->type != YAML_MAPPING_NODE)
		return failf(ps, node_line(map), "keys: expected a mapping of action: [key, ...]");
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = node(ps, pr->key), *v = node(ps, pr->value);
		char name[TUI_NAME_MAX];
		int rc;
		if (!k || !v)
			return failf(ps, node_line(map), "damaged mapping");
		tui_action a = TUI_ACT_NONE;
		if (k->type == YAML_SCALAR_NODE && k->data.scalar.length < sizeof name) {
			memcpy(name, k->data.scalar.value, k->data.scalar.length);
			name[k->data.scalar.length] = 0;
			if (strlen(name) == k->data.scalar.length)
				a = tui_action_from_name(name);
		}
		if (a == TUI_ACT_NONE)
			return failf(ps, node_line(k), "unknown action '%s' (see views/README.md)",
				     shown(k, b));
		if (kp->line[a])
			return failf(ps, node_line(k), "action %s given twice (first on line %lu)",
				     name, kp->line[a]);
		kp->line[a] = node_line(k);
		if ((rc = parse_key_list(ps, a, v, kp)))
			return rc;
	}
	return CD_OK;
}

int tui_keys_parse(const char *file, const char *text, size_t len, tui_keymap *km, cd_err *e)
{
	if (!file || (!text && len) || !km)
		return cd_errf(e, CD_EUSAGE, "tui_keys_parse: bad arguments");
	parse ps = { .file = file, .text = text ? text : "", .len = len, .e = e };
	int rc = load(&ps);
	if (rc)
		return rc;
	keys_parsed *kp = calloc(1, sizeof *kp);
	if (!kp)
		rc = cd_errf(e, CD_ENOMEM, "%s: out of memory", file);
	else
		rc = parse_keys(&ps, kp);
	yaml_document_delete(&ps.doc);
	for (int a = TUI_ACT_NONE + 1; rc == CD_OK && a < TUI_ACT_COUNT; a++)
		if (kp->line[a])
			tui_keymap_bind(km, (tui_action)a, kp->keys[a], kp->nkeys[a]);
	free(kp);
	return rc;
}

/* ---- loading -------------------------------------------------------- */

typedef struct warn_sink {
	char *buf;
	size_t cap, len;
	int *count;
} warn_sink;

static void warn(warn_sink *w, const char *msg)
{
	(*w->count)++;
	if (!w->buf || w->len + 1 >= w->cap)
		return;
	int n = snprintf(w->buf + w->len, w->cap - w->len, "%s\n", msg);
	if (n > 0)
		w->len += (size_t)n < w->cap - w->len ? (size_t)n : w->cap - w->len - 1;
}

static const cd_embed *builtin(const char *pane)
{
	char want[TUI_NAME_MAX + 8];
	snprintf(want, sizeof want, "%s.yaml", pane);
	const cd_embed *b;
	return cd_embed_find(tui__builtins, tui__nbuiltins, want, &b) == CD_OK ? b : NULL;
}

/* Reads a user file whole. CD_ENOTFOUND when it does not exist (not a
 * problem: most users override nothing). *text is the caller's to free. */
static int read_user_file(const char *path, char **text, size_t *len, cd_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? CD_ENOTFOUND
				       : cd_errf(e, CD_EIO, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	int rc = CD_OK;
	if (fstat(fd, &st) != 0)
		rc = cd_errf(e, CD_EIO, "%s: cannot stat: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = cd_errf(e, CD_EIO, "%s: not a regular file", path);
	else if (st.st_size > TUI_VIEW_FILE_MAX)
		rc = cd_errf(e, CD_EFORMAT, "%s:1: %lld bytes; a view file may have %d at most", path,
			     (long long)st.st_size, TUI_VIEW_FILE_MAX);
	char *buf = rc ? NULL : malloc((size_t)st.st_size + 1);
	if (!rc && !buf)
		rc = cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	size_t got = 0;
	while (!rc && got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = cd_errf(e, CD_EIO, "%s: cannot read: %s", path,
				     r < 0 ? strerror(errno) : "file shrank");
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	*text = buf;
	*len = got;
	return CD_OK;
}

int tui_views_user_dir(char *buf, size_t n)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	int w;
	/* The XDG spec says relative paths there are to be ignored. */
	if (x && x[0] == '/')
		w = snprintf(buf, n, "%s/crashdesk", x);
	else if (h && h[0] == '/')
		w = snprintf(buf, n, "%s/.config/crashdesk", h);
	else
		return CD_ENOTFOUND;
	return w < 0 || (size_t)w >= n ? CD_ENOMEM : CD_OK;
}

int tui_views_load(const char *user_dir, tui_views *out, char *warnings, size_t nwarnings)
{
	if (!out)
		return CD_EUSAGE;
	memset(out, 0, sizeof *out);
	if (warnings && nwarnings)
		warnings[0] = 0;
	warn_sink w = { .buf = nwarnings ? warnings : NULL, .cap = nwarnings, .count = &out->nwarnings };
	cd_err e;
	char file[64];

	/* Built-ins: a problem here is a build that shipped a bad views/ file;
	 * the tests keep that from happening, but it still only warns. */
	const cd_embed *b = builtin("keys");
	if (!b)
		warn(&w, "views/keys.yaml: not built in");
	else if (tui_keys_parse("views/keys.yaml (built-in)", b->text, b->len, &out->keys, &e))
		warn(&w, e.msg);
	for (int p = 0; p < TUI_PANE_COUNT; p++) {
		tui_view *v = &out->panes[p];
		snprintf(v->name, sizeof v->name, "%s", panes[p].name);
		snprintf(v->title, sizeof v->title, "%s", panes[p].name);
		snprintf(file, sizeof file, "views/%s.yaml (built-in)", panes[p].name);
		if (!(b = builtin(panes[p].name))) {
			snprintf(e.msg, sizeof e.msg, "views/%s.yaml: not built in", panes[p].name);
			warn(&w, e.msg);
		} else if (tui_view_parse((tui_pane_id)p, file, b->text, b->len, v, &e)) {
			warn(&w, e.msg);
			v->ncols = 0;
		}
	}
	if (!user_dir || !*user_dir)
		return CD_OK;

	for (int p = -1; p < TUI_PANE_COUNT; p++) {
		char path[4096], *text = NULL;
		size_t len = 0;
		int n = snprintf(path, sizeof path, "%s/%s.yaml", user_dir,
				 p < 0 ? "keys" : panes[p].name);
		if (n < 0 || (size_t)n >= sizeof path) {
			warn(&w, "the user view directory's path is too long");
			return CD_OK;
		}
		int rc = read_user_file(path, &text, &len, &e);
		if (rc == CD_ENOTFOUND)
			continue;
		if (rc == CD_OK && p < 0) {
			rc = tui_keys_parse(path, text, len, &out->keys, &e);
		} else if (rc == CD_OK) {
			tui_view v;
			rc = tui_view_parse((tui_pane_id)p, path, text, len, &v, &e);
			if (rc == CD_OK)
				out->panes[p] = v;
		}
		if (rc)
			warn(&w, e.msg);
		free(text);
	}
	return CD_OK;
}

const tui_view *tui_views_get(const tui_views *v, const char *pane)
{
	tui_pane_id p = v && pane ? tui_pane_from_name(pane) : TUI_PANE_COUNT;
	return p < TUI_PANE_COUNT ? &v->panes[p] : NULL;
}
