/* test_viewdef.c - view files and the key map (src/tui/viewdef.c): the
 * built-in views load cleanly, user files override them, broken files are
 * reported with their line and leave the defaults, key names round-trip. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/tui/viewdef.h"
#include "testlib.h"

/* The generated table of build/gen/views_builtin.c. */
extern const cd_embed tui__builtins[];
extern const size_t tui__nbuiltins;

static char warnings[4096];

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void rm_tree(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static int col_index(const tui_view *v, const char *field)
{
	for (int i = 0; i < v->ncols; i++)
		if (strcmp(v->cols[i].field, field) == 0)
			return i;
	return -1;
}

static int views_equal(const tui_view *a, const tui_view *b)
{
	if (strcmp(a->name, b->name) || strcmp(a->title, b->title) || a->ncols != b->ncols)
		return 0;
	for (int i = 0; i < a->ncols; i++) {
		const tui_column *x = &a->cols[i], *y = &b->cols[i];
		if (strcmp(x->title, y->title) || strcmp(x->field, y->field) || x->width != y->width ||
		    x->weight != y->weight || x->align != y->align)
			return 0;
	}
	return 1;
}

static void test_defaults_load_clean(void)
{
	tui_views v;
	T_EQ_U64(tui_views_load(NULL, &v, warnings, sizeof warnings), CD_OK);
	if (v.nwarnings)
		T_FAILF("built-in views warn: %s", warnings);
	T_EQ_U64(v.nwarnings, 0);
	T_EQ_STR(warnings, "");
	/* Every action has a default key and help text. */
	for (int a = TUI_ACT_NONE + 1; a < TUI_ACT_COUNT; a++) {
		int keys[TUI_KEYS_PER_ACTION];
		if (tui_keymap_keys(&v.keys, (tui_action)a, keys, TUI_KEYS_PER_ACTION) < 1)
			T_FAILF("action %s has no default key", tui_action_name((tui_action)a));
		T_CHECK(tui_action_help((tui_action)a)[0] != 0);
		T_CHECK(tui_action_from_name(tui_action_name((tui_action)a)) == (tui_action)a);
	}
}

static void test_every_pane_present(void)
{
	tui_views v;
	tui_views_load(NULL, &v, warnings, sizeof warnings);
	for (int p = 0; p < TUI_PANE_COUNT; p++) {
		const char *name = tui_pane_name((tui_pane_id)p);
		const tui_view *view = tui_views_get(&v, name);
		T_ASSERT(view != NULL);
		T_EQ_STR(view->name, name);
		if (view->ncols < 2)
			T_FAILF("pane %s has %d columns", name, view->ncols);
	}
	T_CHECK(tui_views_get(&v, "nosuch") == NULL);
	/* The columns the issue asks for. */
	static const char *const want[][9] = {
		{ "crashes", "reason", "function", "module", "time", "file" },
		{ "threads", "index", "id", "name", "frames", "function", "crashed" },
		{ "frames", "frame", "module", "function", "source", "trust" },
		{ "modules", "name", "version", "base", "size", "debug_file", "debug_id", "status",
		  "source" },
		{ "unloaded", "name", "base", "size", "frames" },
		{ "annotations", "key", "value", "description" },
		{ "symfuncs", "address", "size", "name", "inlines", "file" },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const tui_view *view = tui_views_get(&v, want[i][0]);
		T_ASSERT(view != NULL);
		for (int j = 1; j < 9 && want[i][j]; j++)
			if (col_index(view, want[i][j]) < 0)
				T_FAILF("pane %s lacks column %s", want[i][0], want[i][j]);
	}
	const tui_view *fr = tui_views_get(&v, "frames");
	int fn = col_index(fr, "function"), nr = col_index(fr, "frame");
	T_ASSERT(fn >= 0 && nr >= 0);
	T_CHECK(fr->cols[fn].weight > 0 && fr->cols[fn].width == 0);
	T_CHECK(fr->cols[nr].align == TUI_ALIGN_RIGHT && fr->cols[nr].width > 0);
	T_EQ_STR(fr->title, "Frames");
}

/* Every built-in is a pane or the keys, and is byte for byte the file in
 * views/ (a stale build/gen would fail here). */
static void test_builtins_are_the_shipped_files(void)
{
	T_ASSERT(tui__nbuiltins == TUI_PANE_COUNT + 1);
	for (size_t i = 0; i < tui__nbuiltins; i++) {
		const cd_embed *b = &tui__builtins[i];
		char pane[64], path[128];
		snprintf(pane, sizeof pane, "%s", b->name);
		char *dot = strrchr(pane, '.');
		T_ASSERT(dot && strcmp(dot, ".yaml") == 0);
		*dot = 0;
		if (strcmp(pane, "keys") != 0 && tui_pane_from_name(pane) == TUI_PANE_COUNT)
			T_FAILF("views/%s is no pane", b->name);
		snprintf(path, sizeof path, "views/%s", b->name);
		FILE *f = fopen(path, "rb");
		if (!f)
			T_SKIP("%s not readable (tests run from the project root)", path);
		char buf[TUI_VIEW_FILE_MAX + 1];
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		if (n != b->len || memcmp(buf, b->text, n) != 0)
			T_FAILF("%s differs from its built-in copy", path);
	}
}

/* cd_embed_find() finds an entry by its file name only, and skips the
 * NULL entry of an empty table. */
static void test_embed_find(void)
{
	const cd_embed *b;
	T_EQ_U64(cd_embed_find(tui__builtins, tui__nbuiltins, "keys.yaml", &b), CD_OK);
	T_EQ_STR(b->name, "keys.yaml");
	T_CHECK(b->len == strlen(b->text) && strstr(b->text, "keys:") != NULL);
	T_EQ_U64(cd_embed_find(tui__builtins, tui__nbuiltins, "keys", &b), CD_ENOTFOUND);
	T_CHECK(b == NULL);
	static const cd_embed empty[] = { { 0, 0, 0 } };
	T_EQ_U64(cd_embed_find(empty, 1, "keys.yaml", &b), CD_ENOTFOUND);
}

static void test_default_keys(void)
{
	tui_views v;
	tui_views_load(NULL, &v, NULL, 0);
	const tui_keymap *km = &v.keys;
	static const struct {
		int key;
		tui_action a;
	} want[] = {
		{ KEY_UP, TUI_ACT_UP },          { 'k', TUI_ACT_UP },
		{ KEY_DOWN, TUI_ACT_DOWN },      { 'j', TUI_ACT_DOWN },
		{ KEY_PPAGE, TUI_ACT_PAGE_UP },  { KEY_NPAGE, TUI_ACT_PAGE_DOWN },
		{ 'g', TUI_ACT_TOP },            { 'G', TUI_ACT_BOTTOM },
		{ '\n', TUI_ACT_OPEN },          { '\r', TUI_ACT_OPEN },
		{ KEY_ENTER, TUI_ACT_OPEN },     { KEY_BACKSPACE, TUI_ACT_BACK },
		{ 127, TUI_ACT_BACK },           { 8, TUI_ACT_BACK },
		{ 'q', TUI_ACT_BACK },           { '\t', TUI_ACT_NEXT_PANE },
		{ KEY_BTAB, TUI_ACT_PREV_PANE }, { 't', TUI_ACT_THREADS },
		{ 'f', TUI_ACT_FRAMES },         { 'm', TUI_ACT_MODULES },
		{ 'u', TUI_ACT_UNLOADED },       { 'a', TUI_ACT_ANNOTATIONS },
		{ 'i', TUI_ACT_FOLD },           { '/', TUI_ACT_SEARCH },
		{ 'n', TUI_ACT_SEARCH_NEXT },    { 'N', TUI_ACT_SEARCH_PREV },
		{ '?', TUI_ACT_HELP },           { 27, TUI_ACT_CLOSE },
		{ 'y', TUI_ACT_COPY },           { 'x', TUI_ACT_NONE },
		{ KEY_MOUSE, TUI_ACT_NONE },     { KEY_RESIZE, TUI_ACT_NONE },
		{ -1, TUI_ACT_NONE },            { 0x4e00, TUI_ACT_NONE },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (tui_keymap_lookup(km, want[i].key) != want[i].a)
			T_FAILF("key %#x -> %s, expected %s", (unsigned)want[i].key,
				tui_action_name(tui_keymap_lookup(km, want[i].key)),
				tui_action_name(want[i].a));
	char buf[64];
	tui_keymap_describe(km, TUI_ACT_DOWN, buf, sizeof buf);
	T_EQ_STR(buf, "Down, j");
	tui_keymap_describe(km, TUI_ACT_BACK, buf, sizeof buf);
	T_EQ_STR(buf, "Backspace, q");
	tui_keymap_describe(km, TUI_ACT_NONE, buf, sizeof buf);
	T_EQ_STR(buf, "");
	tui_keymap_describe(km, TUI_ACT_DOWN, buf, 3); /* truncated, terminated */
	T_EQ_STR(buf, "Do");
}

static void test_user_overrides(void)
{
	char dir[] = "/tmp/cd_viewdef_XXXXXX";
	T_ASSERT(mkdtemp(dir) != NULL);
	write_file(dir, "frames.yaml",
		   "title: Stack\n"
		   "columns:\n"
		   "  - {field: function, weight: 1}\n"
		   "  - {title: Where, field: source, width: 30, align: right}\n");
	write_file(dir, "keys.yaml",
		   "keys:\n"
		   "  search: s      # takes s from summary\n"
		   "  quit: [C-q, x]\n"
		   "  fold: []\n");
	write_file(dir, "notes.yaml", "not: [a view"); /* not a pane: never read */
	tui_views v, d;
	tui_views_load(NULL, &d, NULL, 0);
	tui_views_load(dir, &v, warnings, sizeof warnings);
	rm_tree(dir);
	if (v.nwarnings)
		T_FAILF("warnings: %s", warnings);
	T_EQ_U64(v.nwarnings, 0);

	const tui_view *fr = tui_views_get(&v, "frames");
	T_EQ_U64(fr->ncols, 2);
	T_EQ_STR(fr->title, "Stack");
	T_EQ_STR(fr->cols[0].field, "function");
	T_EQ_STR(fr->cols[0].title, "function"); /* the field when untitled */
	T_EQ_U64(fr->cols[0].weight, 1);
	T_EQ_STR(fr->cols[1].title, "Where");
	T_EQ_U64(fr->cols[1].width, 30);
	T_EQ_U64(fr->cols[1].align, TUI_ALIGN_RIGHT);
	for (int p = 0; p < TUI_PANE_COUNT; p++)
		if (p != TUI_PANE_FRAMES && !views_equal(&v.panes[p], &d.panes[p]))
			T_FAILF("pane %s changed", tui_pane_name((tui_pane_id)p));

	const tui_keymap *km = &v.keys;
	T_EQ_U64(tui_keymap_lookup(km, 's'), TUI_ACT_SEARCH);
	T_EQ_U64(tui_keymap_lookup(km, '/'), TUI_ACT_NONE); /* search's keys replaced */
	T_EQ_U64(tui_keymap_lookup(km, 17), TUI_ACT_QUIT);
	T_EQ_U64(tui_keymap_lookup(km, 'x'), TUI_ACT_QUIT);
	T_EQ_U64(tui_keymap_lookup(km, 'Q'), TUI_ACT_NONE);
	T_EQ_U64(tui_keymap_lookup(km, 'i'), TUI_ACT_NONE);
	int keys[TUI_KEYS_PER_ACTION];
	T_EQ_U64(tui_keymap_keys(km, TUI_ACT_SIGNATURE, keys, TUI_KEYS_PER_ACTION), 0);
	T_EQ_U64(tui_keymap_keys(km, TUI_ACT_FOLD, keys, TUI_KEYS_PER_ACTION), 0);
	/* Actions the file does not name keep their defaults. */
	for (int a = TUI_ACT_NONE + 1; a < TUI_ACT_COUNT; a++) {
		if (a == TUI_ACT_SEARCH || a == TUI_ACT_QUIT || a == TUI_ACT_FOLD ||
		    a == TUI_ACT_SIGNATURE)
			continue;
		int k1[TUI_KEYS_PER_ACTION], k2[TUI_KEYS_PER_ACTION];
		int n1 = tui_keymap_keys(km, (tui_action)a, k1, TUI_KEYS_PER_ACTION);
		int n2 = tui_keymap_keys(&d.keys, (tui_action)a, k2, TUI_KEYS_PER_ACTION);
		if (n1 != n2 || memcmp(k1, k2, sizeof k1[0] * (size_t)n1) != 0)
			T_FAILF("keys of %s changed", tui_action_name((tui_action)a));
	}
}

/* One broken user file each: the warning names the file and the line, and
 * the pane or the key map stays the built-in one. */
static void test_broken_files(void)
{
	static const struct {
		const char *file, *text, *where, *says;
	} cases[] = {
		{ "frames.yaml", "columns:\n  - {field: frame, width: 4}\n  - {field: module, weight: 1}\n"
				 "  - {field: function, widht: 3}\n",
		  ":4:", "unknown key 'widht'" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: 4}\n\n  - {field: module, width: 201}\n",
		  ":4:", "width: expected a number from 1 to 200" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: 0}\n", ":2:", "not '0'" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: -3}\n", ":2:", "not '-3'" },
		{ "frames.yaml", "columns:\n  - {field: frame, weight: 1}\n  - {field: funtcion, weight: 1}\n",
		  ":3:", "pane frames has no field 'funtcion'" },
		{ "frames.yaml", "# c\ncolumns:\n  - {field: frame, width: 4}\n  - {field: frame, weight: 2}\n",
		  ":4:", "field 'frame' shown twice (first on line 3)" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: 4, weight: 2}\n", ":2:",
		  "a width or a weight, not both" },
		{ "frames.yaml", "columns:\n  - {field: frame}\n", ":2:", "needs a width" },
		{ "frames.yaml", "columns:\n  - {title: x, width: 3}\n", ":2:", "needs a field" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: 3, align: centre}\n", ":2:",
		  "align: expected left or right" },
		{ "frames.yaml", "columns: []\n", ":1:", "the list is empty" },
		{ "frames.yaml", "title: Frames\n", ":1:", "no columns" },
		{ "frames.yaml", "", ":1:", "empty file" },
		{ "frames.yaml", "- a\n- b\n", ":1:", "expected a mapping" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: 4\n  - {field: module, width: 4}\n",
		  ":3:", "while parsing a flow mapping" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: 4}\ncolumns: []\n", ":3:",
		  "'columns' given twice in a view (first on line 1)" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: 4}\n---\ncolumns: []\n", ":3:",
		  "a second document" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: 4}\n  - {field: \"mod\\x01\", width: 4}\n",
		  ":3:", "control character" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: 4}\n  - {title: caf\xc3, field: module, width: 4}\n",
		  ":3:", "invalid" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: 4, title: "
				 "\"a title much longer than thirty-one bytes\"}\n",
		  ":2:", "title: longer than 31 bytes" },
		{ "frames.yaml", "columns: &c\n  - *c\n", ":2:", "aliases (*name) are not supported" },
		{ "frames.yaml", "columns:\n  - {field: frame, width: 4}\n  - [x]\n", ":3:",
		  "a column is a mapping of title, field, width or weight, align; not '[...]'" },
		{ "frames.yaml", "columns:\n  - field: frame\n    width: 3\n   title: x\n", ":4:",
		  "did not find expected '-' indicator" },
		{ "frames.yaml", "columns:\n  - [[[[[[[[[x]]]]]]]]]\n", ":2:",
		  "nested deeper than a view file needs" },
		{ "keys.yaml", "keys:\n  up: [k]\n  dwon: [j]\n", ":3:", "unknown action 'dwon'" },
		{ "keys.yaml", "keys:\n  up: [k]\n  down: [j, PgDown]\n", ":3:", "unknown key name 'PgDown'" },
		{ "keys.yaml", "keys:\n  up: [k]\n\n  down: [j, k]\n", ":4:",
		  "key 'k' bound to both up (line 2) and down" },
		{ "keys.yaml", "keys:\n  up: [k, k]\n", ":2:", "key 'k' listed twice" },
		{ "keys.yaml", "keys:\n  up: [k]\n  up: [K]\n", ":3:", "action up given twice (first on line 2)" },
		{ "keys.yaml", "keys:\n  up: [a, b, c, d, e, f, g, h, i]\n", ":2:", "more than 8 keys" },
		{ "keys.yaml", "keys:\n  up: {k: 1}\n", ":2:", "expected a key or a list" },
		{ "keys.yaml", "key:\n  up: [k]\n", ":1:", "unknown key 'key' (expected keys)" },
		{ "keys.yaml", "keys: [up]\n", ":1:", "expected a mapping of action" },
	};
	tui_views d;
	tui_views_load(NULL, &d, NULL, 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char dir[] = "/tmp/cd_viewdef_XXXXXX", want[600];
		T_ASSERT(mkdtemp(dir) != NULL);
		write_file(dir, cases[i].file, cases[i].text);
		tui_views v;
		tui_views_load(dir, &v, warnings, sizeof warnings);
		rm_tree(dir);
		snprintf(want, sizeof want, "%s/%s%s", dir, cases[i].file, cases[i].where);
		if (v.nwarnings != 1 || strncmp(warnings, want, strlen(want)) != 0 ||
		    !strstr(warnings, cases[i].says) || warnings[strlen(warnings) - 1] != '\n') {
			T_FAILF("case %zu: %d warnings \"%s\", expected one starting \"%s\" saying \"%s\"",
				i, v.nwarnings, warnings, want, cases[i].says);
			return;
		}
		if (memcmp(&v.keys, &d.keys, sizeof d.keys) != 0)
			T_FAILF("case %zu: the key map changed", i);
		for (int p = 0; p < TUI_PANE_COUNT; p++)
			if (!views_equal(&v.panes[p], &d.panes[p]))
				T_FAILF("case %zu: pane %s changed", i, tui_pane_name((tui_pane_id)p));
	}
}

static void test_unreadable_and_several(void)
{
	char dir[] = "/tmp/cd_viewdef_XXXXXX", path[600];
	T_ASSERT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/threads.yaml", dir);
	T_ASSERT(mkdir(path, 0700) == 0);
	write_file(dir, "modules.yaml", "columns:\n  - {field: nam, width: 3}\n");
	write_file(dir, "annotations.yaml", "columns:\n  - {field: key, width: 30}\n");
	char big[TUI_VIEW_FILE_MAX + 100];
	memset(big, '#', sizeof big - 1);
	big[sizeof big - 1] = 0;
	write_file(dir, "unloaded.yaml", big);
	tui_views v;
	tui_views_load(dir, &v, warnings, sizeof warnings);
	T_EQ_U64(v.nwarnings, 3);
	T_CHECK(strstr(warnings, "threads.yaml: not a regular file") != NULL);
	T_CHECK(strstr(warnings, "modules.yaml:2: pane modules has no field 'nam'") != NULL);
	T_CHECK(strstr(warnings, "unloaded.yaml:1: 65635 bytes") != NULL);
	T_EQ_U64(v.panes[TUI_PANE_ANNOTATIONS].ncols, 1); /* the good file still counts */
	/* A small warnings buffer is truncated, never overrun; the count stays. */
	char small[24];
	memset(small, 'x', sizeof small);
	tui_views_load(dir, &v, small, 20);
	T_EQ_U64(v.nwarnings, 3);
	T_CHECK(strlen(small) < 20 && small[20] == 'x');
	rm_tree(dir);
}

static void test_key_names(void)
{
	static const struct {
		const char *name;
		int key;
		const char *canon;
	} ok[] = {
		{ "j", 'j', "j" },          { "N", 'N', "N" },            { "?", '?', "?" },
		{ "/", '/', "/" },          { "Up", KEY_UP, "Up" },       { "down", KEY_DOWN, "Down" },
		{ "PgUp", KEY_PPAGE, "PgUp" }, { "PageDown", KEY_NPAGE, "PgDn" },
		{ "Home", KEY_HOME, "Home" }, { "End", KEY_END, "End" },
		{ "Enter", '\n', "Enter" }, { "Return", '\n', "Enter" },  { "C-m", '\n', "Enter" },
		{ "C-j", '\n', "Enter" },   { "Backspace", KEY_BACKSPACE, "Backspace" },
		{ "C-h", KEY_BACKSPACE, "Backspace" }, { "Tab", '\t', "Tab" }, { "C-i", '\t', "Tab" },
		{ "S-Tab", KEY_BTAB, "S-Tab" }, { "BTab", KEY_BTAB, "S-Tab" }, { "Esc", 27, "Esc" },
		{ "C-[", 27, "Esc" },       { "Space", ' ', "Space" },    { "C-l", 12, "C-l" },
		{ "C-L", 12, "C-l" },       { "C-_", 31, "C-_" },         { "F1", KEY_F(1), "F1" },
		{ "f12", KEY_F(12), "F12" }, { "Del", KEY_DC, "Delete" },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int k = -1;
		char buf[16];
		if (tui_key_parse(ok[i].name, &k) != CD_OK || k != ok[i].key) {
			T_FAILF("\"%s\" parsed as %#x, expected %#x", ok[i].name, (unsigned)k,
				(unsigned)ok[i].key);
			return;
		}
		T_EQ_U64(tui_key_name(k, buf, sizeof buf), CD_OK);
		T_EQ_STR(buf, ok[i].canon);
	}
	static const char *const bad[] = { "", "Foo", "F0", "F13", "F1x", "C-", "C-@", "C-1",
					   "jj", " ", "\t", "\xc3\xa9", "S-Tabx" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int k = -1;
		if (tui_key_parse(bad[i], &k) != CD_ENOTFOUND)
			T_FAILF("\"%s\" parsed as %#x", bad[i], (unsigned)k);
	}
	/* Every code with a name parses back to itself (normalized). */
	int named = 0;
	for (int k = 1; k < TUI_KEY_LIMIT; k++) {
		char buf[16];
		int back = -1;
		if (tui_key_name(k, buf, sizeof buf) != CD_OK)
			continue;
		named++;
		if (tui_key_parse(buf, &back) != CD_OK || back != tui_key_normalize(k)) {
			T_FAILF("%#x named \"%s\" parsed back as %#x", (unsigned)k, buf, (unsigned)back);
			return;
		}
	}
	T_CHECK(named > 94 + 20);
	char buf[16];
	T_EQ_U64(tui_key_name(KEY_MOUSE, buf, sizeof buf), CD_ENOTFOUND);
	T_EQ_STR(buf, "<0x199>");
}

static void test_keymap_bind(void)
{
	tui_keymap km;
	tui_keymap_clear(&km);
	int k1[] = { 'j', KEY_DOWN }, k2[] = { 'j', '\r' }, k3[] = { 'x', 'x' };
	T_EQ_U64(tui_keymap_bind(&km, TUI_ACT_DOWN, k1, 2), CD_OK);
	T_EQ_U64(tui_keymap_bind(&km, TUI_ACT_OPEN, k2, 2), CD_OK); /* takes j */
	T_EQ_U64(tui_keymap_lookup(&km, 'j'), TUI_ACT_OPEN);
	T_EQ_U64(tui_keymap_lookup(&km, KEY_ENTER), TUI_ACT_OPEN);
	T_EQ_U64(tui_keymap_lookup(&km, KEY_DOWN), TUI_ACT_DOWN);
	int out[TUI_KEYS_PER_ACTION];
	T_EQ_U64(tui_keymap_keys(&km, TUI_ACT_DOWN, out, TUI_KEYS_PER_ACTION), 1);
	T_EQ_U64(out[0], KEY_DOWN);
	T_EQ_U64(tui_keymap_bind(&km, TUI_ACT_OPEN, k3, 2), CD_OK); /* listed twice: once */
	T_EQ_U64(tui_keymap_keys(&km, TUI_ACT_OPEN, out, TUI_KEYS_PER_ACTION), 1);
	T_EQ_U64(tui_keymap_lookup(&km, 'j'), TUI_ACT_NONE);
	T_EQ_U64(tui_keymap_lookup(&km, '\n'), TUI_ACT_NONE);
	int badk[] = { 0 }, many[TUI_KEYS_PER_ACTION + 1] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i' };
	T_EQ_U64(tui_keymap_bind(&km, TUI_ACT_UP, badk, 1), CD_EUSAGE);
	T_EQ_U64(tui_keymap_bind(&km, TUI_ACT_UP, many, TUI_KEYS_PER_ACTION + 1), CD_EUSAGE);
	T_EQ_U64(tui_keymap_bind(&km, TUI_ACT_NONE, k1, 1), CD_EUSAGE);
	T_EQ_U64(tui_keymap_bind(&km, TUI_ACT_COUNT, k1, 1), CD_EUSAGE);
}


static void test_user_dir(void)
{
	char buf[256];
	const char *oldx = getenv("XDG_CONFIG_HOME"), *oldh = getenv("HOME");
	char sx[256] = "", sh[256] = "";
	if (oldx)
		snprintf(sx, sizeof sx, "%s", oldx);
	if (oldh)
		snprintf(sh, sizeof sh, "%s", oldh);
	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("HOME", "/home/u", 1);
	int rc1 = tui_views_user_dir(buf, sizeof buf);
	char got1[256];
	snprintf(got1, sizeof got1, "%s", buf);
	setenv("XDG_CONFIG_HOME", "relative", 1); /* ignored, as the XDG spec says */
	int rc2 = tui_views_user_dir(buf, sizeof buf);
	char got2[256];
	snprintf(got2, sizeof got2, "%s", buf);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	int rc3 = tui_views_user_dir(buf, sizeof buf);
	setenv("HOME", "/home/u", 1);
	int rc4 = tui_views_user_dir(buf, 8);
	if (oldx)
		setenv("XDG_CONFIG_HOME", sx, 1);
	if (oldh)
		setenv("HOME", sh, 1);
	else
		unsetenv("HOME");
	T_EQ_U64(rc1, CD_OK);
	T_EQ_STR(got1, "/x/conf/crashdesk");
	T_EQ_U64(rc2, CD_OK);
	T_EQ_STR(got2, "/home/u/.config/crashdesk");
	T_EQ_U64(rc3, CD_ENOTFOUND);
	T_EQ_U64(rc4, CD_ENOMEM);
}

/* The parse functions on their own, as the fuzz target calls them. */
static void test_parse_direct(void)
{
	tui_view v;
	cd_err e = { 0 };
	const char *t = "columns:\n  - {field: key, width: 20}\n  - {field: value, weight: 1}\n";
	T_EQ_U64(tui_view_parse(TUI_PANE_ANNOTATIONS, "a.yaml", t, strlen(t), &v, &e), CD_OK);
	T_EQ_U64(v.ncols, 2);
	T_EQ_STR(v.name, "annotations");
	/* Not NUL-terminated: only len bytes are read. */
	char buf[128];
	memcpy(buf, t, strlen(t));
	memset(buf + strlen(t), 'x', sizeof buf - strlen(t));
	T_EQ_U64(tui_view_parse(TUI_PANE_ANNOTATIONS, "a.yaml", buf, strlen(t), &v, &e), CD_OK);
	T_EQ_U64(tui_view_parse(TUI_PANE_COUNT, "a.yaml", t, strlen(t), &v, &e), CD_EUSAGE);
	T_EQ_U64(tui_view_parse(TUI_PANE_FRAMES, "a.yaml", t, strlen(t), &v, &e), CD_EFORMAT);
	T_CHECK(strncmp(e.msg, "a.yaml:2: pane frames has no field 'key'", 40) == 0);
	/* No pane has more than TUI_COLS_MAX fields, so a long list repeats a
	 * field before it runs out of columns. */
	char many[2048] = "columns:\n";
	static const char *const mf[] = { "name", "version", "base", "size", "debug_file",
					  "debug_id", "status", "source" };
	for (int i = 0; i < 17; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many),
			 "  - {title: c%d, field: %s, width: 1}\n", i, mf[i % 8]);
	T_EQ_U64(tui_view_parse(TUI_PANE_MODULES, "m.yaml", many, strlen(many), &v, &e), CD_EFORMAT);
	T_CHECK(strstr(e.msg, "m.yaml:10: field 'name' shown twice (first on line 2)") != NULL);
	/* libyaml's scanner is quadratic in nesting depth (seconds for 60,000
	 * '['): the depth limit stops it within the first levels. */
	static char deep[TUI_VIEW_FILE_MAX];
	memset(deep, '[', sizeof deep);
	memcpy(deep, "columns:\n  - ", 13);
	T_EQ_U64(tui_view_parse(TUI_PANE_FRAMES, "d.yaml", deep, sizeof deep, &v, &e), CD_EFORMAT);
	T_CHECK(strstr(e.msg, "d.yaml:2: nested deeper than a view file needs") != NULL);
	static char big[TUI_VIEW_FILE_MAX + 1];
	memset(big, '#', sizeof big);
	T_EQ_U64(tui_view_parse(TUI_PANE_FRAMES, "b.yaml", big, sizeof big, &v, &e), CD_EFORMAT);
	T_CHECK(strstr(e.msg, "b.yaml:1: 65537 bytes; a view file may have 65536 at most") != NULL);
}

int main(void)
{
	T_RUN(test_defaults_load_clean);
	T_RUN(test_every_pane_present);
	T_RUN(test_builtins_are_the_shipped_files);
	T_RUN(test_embed_find);
	T_RUN(test_default_keys);
	T_RUN(test_user_overrides);
	T_RUN(test_broken_files);
	T_RUN(test_unreadable_and_several);
	T_RUN(test_key_names);
	T_RUN(test_keymap_bind);
	T_RUN(test_user_dir);
	T_RUN(test_parse_direct);
	return t_done();
}
