/*
 * test_panes.c - the pane engine without a terminal (as NeoMutt tests its
 * window layout): an app made by app_new() over a processed crash, driven
 * by app_key() with the default keymap and app_poll() for the worker's
 * results, and asserted on the stack of panes, their rows, titles and
 * help. (tests/tui.test.sh drives the drawn screen through tmux.)
 */
#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/tui/pane.h"
#include "testlib.h"

static char tmp[256];

/* Two threads, the second crashed, its top frame with two inline frames. */
static const char crash_json[] =
	"{\"status\":\"OK\",\"crash_info\":{\"type\":\"SIGSEGV / SEGV_MAPERR\","
	"\"address\":\"0x0000000000000000\",\"crashing_thread\":1},"
	"\"system_info\":{\"os\":\"Linux\",\"cpu_arch\":\"amd64\",\"cpu_count\":8},"
	"\"modules\":[{\"filename\":\"libxul.so\",\"base_addr\":\"0x00007f0000000000\","
	"\"end_addr\":\"0x00007f0000100000\",\"debug_file\":\"libxul.so\",\"debug_id\":\"AB\","
	"\"loaded_symbols\":true}],"
	"\"threads\":[{\"thread_id\":7,\"thread_name\":\"main\",\"frame_count\":1,\"frames\":["
	"{\"frame\":0,\"trust\":\"context\",\"module\":\"libxul.so\",\"module_offset\":\"0x10\","
	"\"function\":\"idle\"}]},"
	"{\"thread_id\":8,\"thread_name\":\"worker\",\"frame_count\":2,\"frames\":["
	"{\"frame\":0,\"trust\":\"context\",\"module\":\"libxul.so\",\"module_offset\":\"0x40\","
	"\"function\":\"outer\",\"file\":\"/src/a.cc\",\"line\":10,"
	"\"inlines\":[{\"function\":\"inner\",\"file\":\"/src/b.h\",\"line\":3},"
	"{\"function\":\"middle\",\"file\":\"/src/c.h\",\"line\":5}]},"
	"{\"frame\":1,\"trust\":\"cfi\",\"module\":\"libxul.so\",\"module_offset\":\"0x80\","
	"\"function\":\"caller\"}]}]}";

static const char *cache_name = "cache";

static app *start(const char *target, tui_options *o)
{
	static char cache[300];
	snprintf(cache, sizeof cache, "%s/%s", tmp, cache_name);
	memset(o, 0, sizeof *o);
	o->cache_dir = cache;
	o->config_dir = tmp; /* no user views: the built-in ones */
	o->target = target;
	o->offline = 1;
	app *a;
	cd_err e;
	if (app_new(o, &a, &e) != CD_OK) {
		printf("# app_new: %s\n", e.msg);
		return NULL;
	}
	app_start(a);
	/* The worker reads the JSON: wait until the summary has its rows. */
	for (int i = 0; i < 500; i++) {
		app_poll(a);
		worker_lock(a->w);
		const tui_crash *c = worker_crash(a->w, 0);
		int done = c && (c->state == CRASH_READY || c->state == CRASH_FAILED);
		worker_unlock(a->w);
		if (done) {
			app_poll(a);
			break;
		}
		usleep(10000);
	}
	return a;
}

static void keys(app *a, const char *s)
{
	for (; *s; s++)
		app_key(a, (unsigned char)*s, 0);
}

static const char *cell(pane *p, uint32_t row, const char *field)
{
	static char buf[512];
	return tui_list_cell(&p->list, row, field, buf, sizeof buf);
}

/* The shown row whose field contains text, or -1. */
static int find_row(pane *p, const char *field, const char *text)
{
	for (uint32_t i = 0; i < p->list.n; i++)
		if (strstr(cell(p, i, field), text))
			return (int)i;
	return -1;
}

static char *help_text(app *a)
{
	static char buf[8192];
	buf[0] = 0;
	keys(a, "?");
	for (uint32_t i = 0; i < a->help_list.n; i++) {
		char k[128], v[256];
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s=%s\n",
			 tui_list_cell(&a->help_list, i, "key", k, sizeof k),
			 tui_list_cell(&a->help_list, i, "value", v, sizeof v));
	}
	app_key(a, 27, 0); /* Esc closes it */
	return buf;
}

static void write_crash(char *path, size_t n)
{
	snprintf(path, n, "%s/crash.json", tmp);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(crash_json, f);
		fclose(f);
	}
}

static void test_tabs(void)
{
	char path[300];
	write_crash(path, sizeof path);
	tui_options o;
	app *a = start(path, &o);
	T_ASSERT(a);
	pane *p = pane_top(a);
	T_ASSERT(p && p->ops == &pane_summary);
	T_EQ_U64(a->depth, 1);
	/* The summary: the signature right below the dump's name, made of
	 * the innermost inline function; the crashing thread's frames
	 * numbered as Breakpad does, inline frames first. */
	T_EQ_STR(cell(p, 0, "key"), "Dump");
	T_EQ_STR(cell(p, 1, "key"), "Signature");
	T_EQ_STR(cell(p, 1, "value"), "inner");
	int reason = find_row(p, "value", "SIGSEGV");
	T_CHECK(reason > 1);
	int f0 = find_row(p, "value", "inner  b.h:3"), f2 = find_row(p, "value", "outer  a.cc:10");
	T_CHECK(f0 > reason && f2 == f0 + 2);
	T_EQ_STR(cell(p, (uint32_t)f2, "key"), "2");
	/* Tab goes through the tabs in their order and wraps; each replaces
	 * the last (one level). */
	static const char *const order[] = { "Signature", "Threads", "Frames", "Modules",
					     "Unloaded", "Annotations", "JSON", "Summary" };
	for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
		app_key(a, '\t', 0);
		T_EQ_STR(pane_top(a)->ops->name, order[k]);
		T_EQ_U64(a->depth, 1);
	}
	app_key(a, KEY_BTAB, 1);
	T_EQ_STR(pane_top(a)->ops->name, "JSON");
	/* A tab's key shows it; the frames are the crashing thread's, the
	 * title says which. */
	keys(a, "f");
	p = pane_top(a);
	T_CHECK(p->ops == &pane_frames);
	T_EQ_U64(p->thread, 1);
	char title[256];
	p->ops->title(a, p, title, sizeof title);
	T_EQ_STR(title, "crash.json  thread 1");
	/* Folded, the real frame is one row that counts its inlines; i
	 * unfolds them, innermost first. */
	uint32_t folded = p->list.n;
	T_EQ_STR(cell(p, 0, "function"), "[+2] outer");
	keys(a, "i");
	T_EQ_U64(p->list.n, folded + 2);
	int in = find_row(p, "function", "inner"), mid = find_row(p, "function", "middle"),
	    out = find_row(p, "function", "outer");
	T_CHECK(in >= 0 && in < mid && mid < out);
	/* Enter opens the frame's details over the tabs; q goes back to the
	 * frames, q again leaves the crash (the only pane: quit). */
	keys(a, "\n");
	T_CHECK(pane_top(a)->ops == &pane_details);
	T_EQ_U64(a->depth, 2);
	keys(a, "q");
	T_CHECK(pane_top(a)->ops == &pane_frames);
	T_CHECK(!a->quit);
	keys(a, "q");
	T_CHECK(a->quit);
	app_free(a);
}

static void test_threads_enter(void)
{
	char path[300];
	write_crash(path, sizeof path);
	tui_options o;
	app *a = start(path, &o);
	T_ASSERT(a);
	keys(a, "t");
	pane *p = pane_top(a);
	T_CHECK(p->ops == &pane_threads);
	/* The crashing thread first; the other one below it. */
	int main_row = find_row(p, "name", "main");
	T_ASSERT(main_row >= 0);
	tui_list_select(&p->list, (uint32_t)main_row, pane_page());
	keys(a, "\n");
	p = pane_top(a);
	T_CHECK(p->ops == &pane_frames); /* in place of the threads tab */
	T_EQ_U64(a->depth, 1);
	T_EQ_U64(p->thread, 0);
	T_EQ_STR(cell(p, 0, "function"), "idle");
	app_free(a);
}

static void test_help_and_prompts(void)
{
	char path[300];
	write_crash(path, sizeof path);
	tui_options o;
	app *a = start(path, &o);
	T_ASSERT(a);
	/* The help lists what the pane does: the fold key in frames only. */
	char *h = help_text(a);
	T_CHECK(strstr(h, "Frames of the selected thread") || strstr(h, "frames"));
	T_CHECK(!strstr(h, "\ni="));
	T_CHECK(!a->help);
	keys(a, "f");
	h = help_text(a);
	T_CHECK(strstr(h, "\ni=") != NULL);
	T_CHECK(!strstr(h, "\nR=")); /* retry is the modules pane's */
	keys(a, "m");
	h = help_text(a);
	T_CHECK(strstr(h, "\nR=") != NULL);
	/* A filter typed on the prompt applies to the pane; Esc on a prompt
	 * leaves the filter as it was. */
	keys(a, "f|caller\n");
	pane *p = pane_top(a);
	T_EQ_STR(p->list.filter, "caller");
	T_EQ_U64(p->list.n, 1);
	T_CHECK(strstr(a->status, "1 rows match") != NULL);
	keys(a, "|x");
	app_key(a, 27, 0);
	T_EQ_STR(p->list.filter, "caller");
	/* The F prompt starts with the filter in force; C-u clears it. */
	keys(a, "|");
	T_EQ_STR(a->input, "caller");
	app_key(a, 0x15, 0);
	keys(a, "\n");
	T_EQ_STR(p->list.filter, "");
	T_CHECK(p->list.n > 1);
	app_free(a);
}

/* J: the processed crash as indented JSON, a line a row, in the
 * document's order, without what only the TUI adds; Y copies it all. */
static void test_json_pane(void)
{
	char path[300];
	write_crash(path, sizeof path);
	tui_options o;
	app *a = start(path, &o);
	T_ASSERT(a);
	keys(a, "J");
	pane *p = pane_top(a);
	T_ASSERT(p->ops == &pane_json);
	T_EQ_STR(cell(p, 0, "text"), "{");
	T_EQ_STR(cell(p, 1, "text"), "  \"status\": \"OK\",");
	int ci = find_row(p, "text", "\"crash_info\": {"), th = find_row(p, "text", "\"threads\": [");
	T_CHECK(ci > 0 && th > ci);
	T_CHECK(find_row(p, "text", "\"function\": \"middle\"") > th);
	T_CHECK(find_row(p, "text", "\"_") < 0); /* no private fields */
	T_EQ_STR(cell(p, p->list.n - 1, "text"), "}");
	/* Copying it all says how much went to the clipboard; stdout (the
	 * OSC 52 sequence) goes nowhere here. */
	FILE *saved = stdout;
	stdout = fopen("/dev/null", "w");
	keys(a, "Y");
	fclose(stdout);
	stdout = saved;
	char want[64];
	snprintf(want, sizeof want, "copied %u rows", p->list.n);
	T_CHECK(strstr(a->status, want) != NULL);
	app_free(a);
}

static void test_stack_limit(void)
{
	char path[300];
	write_crash(path, sizeof path);
	tui_options o;
	app *a = start(path, &o);
	T_ASSERT(a);
	/* Enter on the summary shows a row whole, over and over: the stack
	 * stops at its depth and says so instead of overflowing. */
	for (int i = 0; i < MAX_DEPTH + 4; i++)
		keys(a, "\n");
	T_EQ_U64(a->depth, MAX_DEPTH);
	T_CHECK(strstr(a->status, "too many panes") != NULL);
	T_CHECK(pane_top(a)->ops == &pane_row);
	app_free(a);
}

static int copy_file(const char *from, const char *to)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	return system(cmd);
}

/* A directory opened is remembered as itself: its dumps, walked, do not
 * each get a row of "recently opened" (70 dumps would flood it). */
static void test_home_directory(void)
{
	const char *sample = "data/samples/sample.dmp";
	if (access(sample, R_OK) != 0)
		T_SKIP("%s not made (make sample)", sample);
	char dir[300], d1[400], d2[400];
	snprintf(dir, sizeof dir, "%s/run", tmp);
	mkdir(dir, 0700);
	snprintf(d1, sizeof d1, "%s/a.dmp", dir);
	snprintf(d2, sizeof d2, "%s/b.dmp", dir);
	T_ASSERT(copy_file(sample, d1) == 0 && copy_file(sample, d2) == 0);
	tui_options o;
	app *a = start(dir, &o);
	T_ASSERT(a);
	T_CHECK(pane_top(a)->ops == &pane_crashes);
	/* Both walked (and so remembered) before the session ends. */
	for (int i = 0; i < 500; i++) {
		app_poll(a);
		worker_lock(a->w);
		int ready = 0;
		for (uint32_t k = 0; k < worker_ncrashes(a->w); k++)
			ready += worker_crash(a->w, k)->state == CRASH_READY;
		worker_unlock(a->w);
		if (ready == 2)
			break;
		usleep(10000);
	}
	app_poll(a);
	pane *p = pane_top(a);
	T_EQ_U64(p->list.n, 2);
	T_EQ_STR(cell(p, 0, "file"), "a.dmp");
	app_free(a);
	/* A dump opened alone is listed. */
	a = start(d1, &o);
	T_ASSERT(a);
	app_free(a);
	char alone[400];
	snprintf(alone, sizeof alone, "%s/alone.dmp", tmp);
	T_ASSERT(copy_file(sample, alone) == 0);
	a = start(alone, &o);
	T_ASSERT(a);
	app_free(a);
	a = start(NULL, &o);
	T_ASSERT(a);
	p = pane_top(a);
	T_CHECK(p->ops == &pane_home);
	char real[4096];
	T_ASSERT(realpath(dir, real));
	T_CHECK(find_row(p, "name", real) >= 0);
	T_CHECK(find_row(p, "name", "a.dmp") < 0);
	T_CHECK(find_row(p, "name", "b.dmp") < 0);
	T_CHECK(find_row(p, "name", "alone.dmp") >= 0);
	app_free(a);
}

/* A dump opened in the TUI goes through the processed-result cache as
 * `walk --json` does: its walk is stored, with the crash's summary for
 * 'recently opened'. */
static void test_cache(void)
{
	const char *sample = "data/samples/sample.dmp";
	if (access(sample, R_OK) != 0)
		T_SKIP("%s not made (make sample)", sample);
	char path[400];
	snprintf(path, sizeof path, "%s/cached.dmp", tmp);
	T_ASSERT(copy_file(sample, path) == 0);
	tui_options o;
	rep_source src[2];
	cache_name = "cache-2"; /* nothing walked in it yet */
	for (int k = 0; k < 2; k++) {
		app *a = start(path, &o);
		T_ASSERT(a);
		worker_lock(a->w);
		const tui_crash *c = worker_crash(a->w, 0);
		T_CHECK(c && c->state == CRASH_READY && c->rep && c->dump);
		src[k] = c && c->rep ? c->rep->source : (rep_source)-1;
		worker_unlock(a->w);
		if (k == 1) {
			/* The first session stored its walk and its summary after
			 * showing the crash. */
			T_CHECK(a->db && store_processed_count(a->db) >= 1);
			store_recent *rec = NULL;
			size_t n = 0;
			cd_err e = { 0 };
			T_ASSERT(a->db && store_recent_list(a->db, 0, &rec, &n, &e) == CD_OK);
			int found = 0;
			for (size_t r = 0; r < n; r++)
				if (strstr(rec[r].path, "cached.dmp") && rec[r].crash_function &&
				    rec[r].crash_function[0])
					found = 1;
			T_CHECK(found);
			store_recent_free(rec, n);
		}
		app_free(a);
	}
	cache_name = "cache";
	/* A dump this small is walked again: reading the stored result back
	 * costs more than the walk (REUSE_MIN_BYTES in worker.c). */
	T_EQ_U64(src[0], REP_WALKED);
	T_EQ_U64(src[1], REP_WALKED);
}

/* Where a frame's file is: a map's FROM replaced (a trailing '/' or
 * not), the longest end of the path under a root, a VCS path's PATH,
 * Windows' separators; nothing found says so. */
static void test_source_find(void)
{
	char root[400], path[600], got[4096], how[4400];
	snprintf(root, sizeof root, "%s/srcroot", tmp);
	snprintf(path, sizeof path, "mkdir -p '%s/dom/base' '%s/other/base'", root, root);
	T_ASSERT(system(path) == 0);
	snprintf(path, sizeof path, "%s/dom/base/Element.cpp", root);
	T_ASSERT(copy_file("README.md", path) == 0);
	snprintf(path, sizeof path, "%s/other/base/Element.cpp", root);
	T_ASSERT(copy_file("README.md", path) == 0);
	const char *roots[] = { root };
	char map[500];
	snprintf(map, sizeof map, "/builds/worker/checkouts/gecko/=%s", root);
	const char *maps[] = { map };
	tui_options o = { .source_roots = roots, .nsource_roots = 1 };
	/* The longest end: dom/base/Element.cpp, not other/base's. */
	T_CHECK(source_find(&o, "/builds/worker/checkouts/gecko/dom/base/Element.cpp", got,
			    sizeof got, how, sizeof how));
	T_CHECK(strstr(got, "/srcroot/dom/base/Element.cpp") && strstr(how, "as dom/base/Element.cpp"));
	T_CHECK(source_find(&o, "hg:hg.mozilla.org/mozilla-central:dom/base/Element.cpp:abc123",
			    got, sizeof got, how, sizeof how));
	T_CHECK(strstr(got, "/srcroot/dom/base/Element.cpp") != NULL);
	T_CHECK(source_find(&o, "c:\\build\\gecko\\dom\\base\\Element.cpp", got, sizeof got, how,
			    sizeof how));
	T_CHECK(strstr(got, "/srcroot/dom/base/Element.cpp") != NULL);
	T_CHECK(!source_find(&o, "/builds/x/NotThere.cpp", got, sizeof got, how, sizeof how));
	tui_options m = { .source_maps = maps, .nsource_maps = 1 };
	T_CHECK(source_find(&m, "/builds/worker/checkouts/gecko/other/base/Element.cpp", got,
			    sizeof got, how, sizeof how));
	T_CHECK(strstr(got, "/srcroot/other/base/Element.cpp") && strstr(how, "--source-map"));
	/* FROM must end at a path separator: gecko2 is another tree. */
	T_CHECK(!source_find(&m, "/builds/worker/checkouts/gecko2/other/base/Element.cpp", got,
			     sizeof got, how, sizeof how));
}

/* Selects the row whose field contains text and presses Enter on it. */
static int enter_on(app *a, const char *field, const char *text)
{
	pane *p = pane_top(a);
	int r = find_row(p, field, text);
	if (r < 0)
		return -1;
	tui_list_select(&p->list, (uint32_t)r, pane_page());
	keys(a, "\n");
	return 0;
}

/* A re-sign reads the working lists as they are now: a list edited
 * outside the session since it started counts. (Runs last: the working
 * copy it makes is the config directory's.) */
static void test_tuning_rereads_lists(void)
{
	char lists[300], path[300], prefix[400];
	snprintf(lists, sizeof lists, "%s/siglists", tmp);
	cd_err e;
	T_ASSERT(sig_lists_write_builtin(lists, &e) == CD_OK);
	write_crash(path, sizeof path);
	tui_options o;
	app *a = start(path, &o);
	T_ASSERT(a);
	T_EQ_STR(a->lists_dir, lists);
	keys(a, "T");
	T_CHECK(pane_top(a)->ops == &pane_tuning);
	T_ASSERT(enter_on(a, "value", "of this session") == 0);
	pane *p = pane_top(a);
	T_CHECK(find_row(p, "value", "1 crash re-signed, 0 changed") >= 0);
	/* "inner" becomes a prefix frame, in the file, behind the app's back. */
	snprintf(prefix, sizeof prefix, "%s/prefix_signature_re.txt", lists);
	FILE *f = fopen(prefix, "a");
	T_ASSERT(f);
	fputs("inner\n", f);
	fclose(f);
	T_ASSERT(enter_on(a, "value", "of this session") == 0);
	p = pane_top(a);
	T_CHECK(find_row(p, "value", "1 crash re-signed, 1 changed") >= 0);
	T_CHECK(find_row(p, "value", "inner  ->  inner | middle") >= 0);
	app_free(a);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", lists);
	T_CHECK(system(cmd) == 0);
}

int main(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/crashdesk-panes-XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	/* What ncurses would know of the screen, without one. */
	LINES = 24;
	COLS = 80;
	T_RUN(test_tabs);
	T_RUN(test_threads_enter);
	T_RUN(test_help_and_prompts);
	T_RUN(test_json_pane);
	T_RUN(test_stack_limit);
	T_RUN(test_home_directory);
	T_RUN(test_cache);
	T_RUN(test_source_find);
	T_RUN(test_tuning_rereads_lists);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
