/*
 * test_tui.c - the TUI's pieces that need no terminal: display widths of
 * untrusted text, column layout, the list's filter, sort, search and
 * hidden rows, and the rows each pane builds from a processed crash.
 * (tests/tui.test.sh drives the whole program through tmux.)
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/tui/cspane.h"
#include "../src/tui/internal.h"
#include "../src/tui/rows.h"
#include "testlib.h"

static void test_text_width(void)
{
	T_EQ_U64(tui_text_width("abc"), 3);
	T_EQ_U64(tui_text_width("画像"), 4);               /* wide: two cells each */
	T_EQ_U64(tui_text_width("De\xcc\x81" "code"), 6);  /* e + combining acute */
	T_EQ_U64(tui_text_width("a\x1b[31mb"), 7);         /* ESC shown as '?' */
	T_EQ_U64(tui_text_width("\xff\xfe"), 2);           /* invalid bytes: U+FFFD */
	T_EQ_U64(tui_text_width("\xe2\x82"), 2);           /* truncated sequence */
	T_EQ_U64(tui_text_width("\xc0\xaf"), 1);           /* overlong "/": one U+FFFD */
	T_EQ_U64(tui_text_width(""), 0);
}

static tui_view view3(void)
{
	tui_view v = { .name = "t", .ncols = 3,
		       .cols = { { "#", "n", 4, 0, TUI_ALIGN_RIGHT, 0 },
				 { "Name", "name", 0, 2, TUI_ALIGN_LEFT, 0 },
				 { "Mod", "mod", 16, 0, TUI_ALIGN_LEFT, 0 } } };
	return v;
}

static void test_layout(void)
{
	tui_view v = view3();
	int w[TUI_COLS_MAX];
	T_EQ_U64(tui_list_layout(&v, 120, w), 3);
	T_EQ_U64(w[0], 4);
	T_EQ_U64(w[2], 16);
	T_EQ_U64(w[0] + w[1] + w[2] + 2, 120); /* the weighted column takes the rest */
	/* Narrow: the fixed module column gives way before the name does. */
	T_EQ_U64(tui_list_layout(&v, 30, w), 3);
	T_CHECK(w[1] >= 12);
	T_EQ_U64(w[0] + w[1] + w[2] + 2, 30);
	/* Narrower still: columns are dropped from the right, never overflow. */
	int n = tui_list_layout(&v, 14, w), used = n - 1;
	for (int i = 0; i < n; i++)
		used += w[i];
	T_CHECK(n < 3 && used <= 14);
	T_EQ_U64(tui_list_layout(&v, 3, w), 1);
	T_EQ_U64(w[0], 3);
}

static json_t *sample_rows(void)
{
	json_t *rows = json_array();
	const char *names[] = { "gamma", "alpha", "Beta", "delta" };
	const char *mods[] = { "libxul.so", "libc.so.6", "libxul.so", "firefox" };
	for (int i = 0; i < 4; i++)
		json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s}", "n", (json_int_t)(10 - i),
						      "name", names[i], "mod", mods[i], "_hidden",
						      i == 3 ? "1" : ""));
	return rows;
}

static void test_list(void)
{
	tui_view v = view3();
	tui_list l;
	memset(&l, 0, sizeof l);
	T_ASSERT(tui_list_set_json(&l, &v, sample_rows()) == 0);
	char buf[32];
	T_EQ_U64(l.n, 4);
	T_EQ_STR(tui_list_cell(&l, 0, "name", buf, sizeof buf), "gamma");
	T_EQ_STR(tui_list_cell(&l, 0, "n", buf, sizeof buf), "10");
	/* filter: any column, any case */
	snprintf(l.filter, sizeof l.filter, "XUL");
	tui_list_refresh(&l);
	T_EQ_U64(l.n, 2);
	T_EQ_STR(tui_list_cell(&l, 1, "name", buf, sizeof buf), "Beta");
	l.filter[0] = 0;
	/* sort by name, then descending; numbers sort as numbers */
	l.sort_col = 1;
	tui_list_refresh(&l);
	T_EQ_STR(tui_list_cell(&l, 0, "name", buf, sizeof buf), "alpha");
	T_EQ_STR(tui_list_cell(&l, 1, "name", buf, sizeof buf), "Beta");
	l.sort_desc = 1;
	tui_list_refresh(&l);
	T_EQ_STR(tui_list_cell(&l, 0, "name", buf, sizeof buf), "gamma");
	l.sort_col = 0;
	l.sort_desc = 0;
	tui_list_refresh(&l);
	T_EQ_STR(tui_list_cell(&l, 0, "n", buf, sizeof buf), "7");
	/* the selection follows its row through a re-sort */
	l.sort_col = -1;
	tui_list_refresh(&l);
	tui_list_select(&l, 2, 10);
	l.sort_col = 1;
	tui_list_refresh(&l);
	T_EQ_STR(tui_list_cell(&l, l.sel, "name", buf, sizeof buf), "Beta");
	l.sort_col = -1;
	tui_list_refresh(&l);
	/* search wraps around, both ways */
	tui_list_select(&l, 3, 10);
	T_CHECK(tui_list_search(&l, "alp", 1));
	T_EQ_U64(l.sel, 1);
	T_CHECK(tui_list_search(&l, "ga", -1));
	T_EQ_U64(l.sel, 0);
	T_CHECK(!tui_list_search(&l, "nowhere", 1));
	/* hidden rows */
	snprintf(l.hide, sizeof l.hide, "_hidden");
	tui_list_refresh(&l);
	T_EQ_U64(l.n, 3);
	/* moving stays inside the list and keeps the selection on the page */
	tui_list_move(&l, 100, 2);
	T_EQ_U64(l.sel, 2);
	T_EQ_U64(l.top, 1);
	tui_list_move(&l, -100, 2);
	T_EQ_U64(l.sel, 0);
	T_EQ_U64(l.top, 0);
	char line[128];
	tui_list_line(&l, 0, line, sizeof line);
	T_EQ_STR(line, "10\tgamma\tlibxul.so");
	tui_list_free(&l);
}

/* Versions and numbered names sort as people count, hex as numbers. */
static void test_natural_sort(void)
{
	tui_view v = { .name = "v", .ncols = 1, .cols = { { "Version", "v", 0, 1, TUI_ALIGN_LEFT, 0 } } };
	const char *in[] = { "128.0.1", "99.0", "thread 10", "128.0", "0x1000", "thread 2",
			     "0x9f0", "Thread 3" };
	json_t *rows = json_array();
	for (size_t i = 0; i < sizeof in / sizeof *in; i++)
		json_array_append_new(rows, json_pack("{s:s}", "v", in[i]));
	tui_list l;
	memset(&l, 0, sizeof l);
	T_ASSERT(tui_list_set_json(&l, &v, rows) == 0);
	l.sort_col = 0;
	tui_list_refresh(&l);
	char got[256] = "", buf[32];
	for (uint32_t i = 0; i < l.n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "," : "",
			 tui_list_cell(&l, i, "v", buf, sizeof buf));
	/* 0x9f0 and 0x1000 are numbers (2544 < 4096); the rest is text in
	 * natural order, case aside. */
	T_EQ_STR(got, "0x9f0,0x1000,99.0,128.0,128.0.1,thread 2,Thread 3,thread 10");
	tui_list_free(&l);
}

/* A processed crash in rust-minidump's schema, small but with every part
 * the panes read. */
static json_t *doc(void)
{
	const char *text =
		"{\"status\":\"OK\",\"crash_info\":{\"type\":\"SIGSEGV / SEGV_MAPERR\","
		"\"address\":\"0x0000000000000000\",\"crashing_thread\":1},"
		"\"system_info\":{\"os\":\"Linux\",\"os_ver\":\"6.1\",\"cpu_arch\":\"amd64\","
		"\"cpu_info\":\"family 6\",\"cpu_count\":8},"
		"\"annotations\":{\"ProductName\":\"Firefox\",\"Version\":\"128.0\","
		"\"MozCrashReason\":\"MOZ_RELEASE_ASSERT(x)\"},"
		"\"modules\":[{\"filename\":\"libxul.so\",\"base_addr\":\"0x00007f0000000000\","
		"\"end_addr\":\"0x00007f0000100000\",\"debug_file\":\"libxul.so\",\"debug_id\":\"AB\","
		"\"loaded_symbols\":true,\"missing_symbols\":false,\"corrupt_symbols\":false},"
		"{\"filename\":\"libc.so.6\",\"base_addr\":\"0x00007f1000000000\","
		"\"end_addr\":\"0x00007f1000001000\",\"loaded_symbols\":false,\"missing_symbols\":true}],"
		"\"unloaded_modules\":[{\"filename\":\"gone.so\",\"base_addr\":\"0x00007f2000000000\","
		"\"end_addr\":\"0x00007f2000010000\"}],"
		"\"threads\":[{\"thread_id\":7,\"thread_name\":\"main\",\"frame_count\":1,\"frames\":["
		"{\"frame\":0,\"trust\":\"context\",\"offset\":\"0x00007f2000000010\","
		"\"unloaded_modules\":[{\"module\":\"gone.so\",\"offsets\":[\"0x0000000000000010\"]}]}]},"
		"{\"thread_id\":8,\"thread_name\":\"worker\",\"frame_count\":2,\"frames\":["
		"{\"frame\":0,\"trust\":\"context\",\"module\":\"libxul.so\",\"module_offset\":"
		"\"0x0000000000000040\",\"function\":\"outer\",\"file\":\"/src/a.cc\",\"line\":10,"
		"\"inlines\":[{\"function\":\"inner\",\"file\":\"/src/b.h\",\"line\":3},"
		"{\"function\":\"middle\",\"file\":\"/src/c.h\",\"line\":5}],"
		"\"registers\":{\"rip\":\"0x00007f0000000040\",\"rsp\":\"0x0000000000001000\"}},"
		"{\"frame\":1,\"trust\":\"scan\",\"module\":\"libc.so.6\",\"module_offset\":"
		"\"0x0000000000000abc\",\"missing_symbols\":true}]}]}";
	json_error_t e;
	json_t *d = json_loads(text, 0, &e);
	if (!d)
		fprintf(stderr, "doc: %s at %d\n", e.text, e.column);
	return d;
}

static const char *field(json_t *rows, size_t i, const char *key)
{
	const char *s = json_string_value(json_object_get(json_array_get(rows, i), key));
	return s ? s : "";
}

static int has_row(json_t *rows, const char *key, const char *value)
{
	for (size_t i = 0; i < json_array_size(rows); i++)
		if (strstr(field(rows, i, key), value))
			return 1;
	return 0;
}

static void test_rows(void)
{
	json_t *d = doc();
	T_ASSERT(d);
	json_t *r = rows_summary(d, "x.dmp");
	T_CHECK(has_row(r, "value", "Firefox 128.0"));
	T_CHECK(has_row(r, "value", "SIGSEGV / SEGV_MAPERR"));
	T_CHECK(has_row(r, "value", "MOZ_RELEASE_ASSERT(x)"));
	T_CHECK(has_row(r, "value", "2 loaded, 1 without symbols, 1 unloaded"));
	T_CHECK(has_row(r, "value", "outer"));
	json_decref(r);

	r = rows_threads(d);
	T_EQ_U64(json_array_size(r), 2);
	T_EQ_STR(field(r, 0, "name"), "worker"); /* the crashing thread first */
	T_EQ_STR(field(r, 0, "crashed"), "crashed");
	T_EQ_STR(field(r, 1, "function"), "(unloaded gone.so@0x10)");
	json_decref(r);

	r = rows_frames(d, 1);
	/* frame 0 folded; unfolded, its two inlines (innermost first) then
	 * frame 0 itself, numbered as Breakpad numbers them; then frame 1 */
	T_EQ_U64(json_array_size(r), 5);
	T_EQ_STR(field(r, 0, "function"), "[+2] outer");
	T_EQ_STR(field(r, 0, "_folded"), "1");
	T_EQ_STR(field(r, 0, "frame"), "0");
	T_CHECK(strstr(field(r, 1, "function"), "inner") != NULL);
	T_EQ_STR(field(r, 1, "frame"), "0");
	T_EQ_STR(field(r, 1, "source"), "b.h:3");
	T_CHECK(strstr(field(r, 2, "function"), "middle") != NULL);
	T_EQ_STR(field(r, 2, "frame"), "1");
	T_EQ_STR(field(r, 3, "function"), "outer");
	T_EQ_STR(field(r, 3, "_unfolded"), "1");
	T_EQ_STR(field(r, 3, "frame"), "2");
	T_EQ_STR(field(r, 4, "function"), "libc.so.6+0xabc");
	T_EQ_STR(field(r, 4, "frame"), "3");
	T_EQ_STR(field(r, 4, "_style"), "scan");
	json_decref(r);

	/* Source links from the VCS paths Firefox's sym files carry. */
	char url[512];
	T_ASSERT(rows_source_url("hg:hg.mozilla.org/mozilla-central:dom/base/Element.cpp:"
				 "a1b2c3d4e5f6", 42, url, sizeof url));
	T_EQ_STR(url, "https://hg.mozilla.org/mozilla-central/file/a1b2c3d4e5f6/dom/base/Element.cpp#l42");
	T_ASSERT(rows_source_url("git:github.com/mozilla/gecko-dev:js/src/vm/Foo.cpp:0123abc", 7, url,
				 sizeof url));
	T_EQ_STR(url, "https://github.com/mozilla/gecko-dev/blob/0123abc/js/src/vm/Foo.cpp#L7");
	T_ASSERT(!rows_source_url("/builds/worker/checkouts/gecko/dom/base/Element.cpp", 1, url,
				  sizeof url));
	T_ASSERT(!rows_source_url("hg:hg.mozilla.org/mozilla-central", 1, url, sizeof url));

	r = rows_modules(d);
	T_EQ_STR(field(r, 0, "status"), "loaded");
	T_EQ_STR(field(r, 1, "status"), "missing");
	T_EQ_STR(field(r, 0, "size"), "0x100000");
	json_decref(r);

	r = rows_unloaded(d);
	T_EQ_U64(json_integer_value(json_object_get(json_array_get(r, 0), "frames")), 1);
	json_decref(r);
	r = rows_unloaded_frames(d, "gone.so");
	T_EQ_STR(field(r, 0, "text"), "thread 0 frame 0");
	json_decref(r);

	r = rows_annotations(d, NULL, NULL);
	T_EQ_U64(json_array_size(r), 3);
	json_decref(r);

	/* Details: the call site of each inline is the next outer one's line. */
	r = rows_frame_details(d, 1, 0, NULL, NULL);
	T_CHECK(has_row(r, "value", "at /src/b.h:3, called from /src/c.h:5 in middle"));
	T_CHECK(has_row(r, "value", "at /src/c.h:5, called from /src/a.cc:10 in outer"));
	T_CHECK(has_row(r, "value", "rip"));
	T_CHECK(has_row(r, "value", "no minidump memory"));
	json_decref(r);
	json_decref(d);
}

static int fake_memory(void *ctx, uint64_t addr, void *dst, size_t n)
{
	(void)ctx;
	if (addr < 0xfe0 || addr + n > 0x1080)
		return -1;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)dst)[i] = (uint8_t)(addr + i);
	return 0;
}

static void test_stack_bytes(void)
{
	json_t *d = doc();
	T_ASSERT(d);
	json_t *r = rows_frame_details(d, 1, 0, fake_memory, NULL);
	/* rsp is 0x1000: lines from 0xfe0, the one holding rsp marked */
	T_CHECK(has_row(r, "key", "0xfe0"));
	T_CHECK(has_row(r, "key", "0x1000"));
	T_CHECK(has_row(r, "value", "0706050403020100")); /* little-endian words */
	int marked = 0;
	for (size_t i = 0; i < json_array_size(r); i++)
		if (!strcmp(field(r, i, "key"), "0x1000") && !strcmp(field(r, i, "_style"), "heading"))
			marked = 1;
	T_CHECK(marked);
	json_decref(r);
	json_decref(d);
}

/* The search prompt reads what `crashdesk search` takes, quoted as a shell
 * would, and a facet term added by cspane_refine() reads back whole. */
static void test_cs_query(void)
{
	cs_query q;
	cs_query_init(&q);
	size_t limit = 100;
	cd_err e;
	T_EQ_U64(cspane_parse_query("--product=Firefox  '--signature=~OOM | small' --num 7 "
				    "--_facets=version --date=\">=2026-11-01\"",
				    &q, &limit, &e), CD_OK);
	T_EQ_U64(limit, 7);
	T_EQ_STR(cs_query_get(&q, "product", 0), "Firefox");
	T_EQ_STR(cs_query_get(&q, "signature", 0), "~OOM | small");
	T_EQ_STR(cs_query_get(&q, "_facets", 0), "version");
	T_EQ_STR(cs_query_get(&q, "date", 0), ">=2026-11-01");
	cs_query_free(&q);

	char text[600], refine[300];
	cspane_refine("signature", "it's \"odd\" | x", refine, sizeof refine);
	snprintf(text, sizeof text, "--product=Crashme%s", refine);
	cs_query_init(&q);
	limit = 100;
	T_EQ_U64(cspane_parse_query(text, &q, &limit, &e), CD_OK);
	T_EQ_STR(cs_query_get(&q, "signature", 0), "=it's \"odd\" | x");
	T_EQ_U64(limit, 100);
	cs_query_free(&q);

	static const char *const bad[] = { "product=Firefox", "--num", "--num 0", "'--a=b",
					   "--num=many" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cs_query_init(&q);
		T_CHECK(cspane_parse_query(bad[i], &q, &limit, &e) != CD_OK);
		cs_query_free(&q);
	}
	cs_query_init(&q);
	T_EQ_U64(cspane_parse_query("--num all", &q, &limit, &e), CD_OK);
	T_EQ_U64(limit, 0);
	cs_query_free(&q);
}

static void test_cs_rows(void)
{
	json_t *hits = json_loads("[{\"uuid\": \"2fa91425-cb00-8853-9d2c-67eda1261111\", "
				  "\"signature\": \"Abort\", \"version\": 1}, {\"uuid\": \"bad\"}]",
				  0, NULL);
	json_t *stored = json_pack("{s:b}", "2fa91425-cb00-8853-9d2c-67eda1261111", 1);
	json_t *r = cspane_results_rows(hits, 10, 0, NULL, "--product=X", stored, 100);
	T_ASSERT(r);
	T_EQ_U64(json_array_size(r), 4); /* heading, two hits, more */
	T_EQ_STR(field(r, 0, "uuid"), "2 of 10 crashes");
	T_EQ_STR(field(r, 1, "stored"), "stored");
	T_EQ_STR(field(r, 1, "version"), "1");
	T_EQ_STR(field(r, 2, "_id"), "");
	T_CHECK(json_is_true(json_object_get(json_array_get(r, 3), "_more")));
	json_decref(r);
	r = cspane_results_rows(hits, 2, 0, NULL, "", stored, 100);
	T_EQ_U64(json_array_size(r), 3); /* all shown: no "more" */
	json_decref(r);
	json_decref(hits);
	json_decref(stored);

	json_t *facets = json_loads("{\"version\": [{\"term\": \"1.0\", \"count\": 6}]}", 0, NULL);
	r = cspane_facet_rows(facets);
	T_EQ_U64(json_array_size(r), 2);
	T_EQ_STR(field(r, 1, "term"), "1.0");
	T_EQ_STR(field(r, 1, "count"), "6");
	T_EQ_STR(field(r, 1, "_field"), "version");
	json_decref(r);
	json_decref(facets);

	json_t *diff = json_loads(
		"{\"frames\": [{\"index\": 2, \"side\": \"both\", \"fields\": {\"function\": "
		"{\"socorro\": \"a\", \"local\": \"b\"}}}], \"modules\": [{\"filename\": \"x.so\", "
		"\"side\": \"socorro only\"}], \"crash_reason\": null, \"signature\": {\"socorro\": "
		"\"a\", \"local\": \"b\"}, \"differences\": 3}", 0, NULL);
	r = cspane_compare_rows(diff);
	T_ASSERT(r);
	T_CHECK(has_row(r, "what", "3 differences"));
	T_CHECK(has_row(r, "what", "Signature: differs"));
	T_CHECK(has_row(r, "what", "Crash reason: same"));
	T_CHECK(has_row(r, "what", "frame 2 function"));
	T_CHECK(has_row(r, "local", "b"));
	T_CHECK(has_row(r, "what", "x.so"));
	T_CHECK(has_row(r, "local", "absent"));
	json_decref(r);
	json_decref(diff);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_CTYPE, "C.UTF-8");
	T_RUN(test_text_width);
	T_RUN(test_layout);
	T_RUN(test_list);
	T_RUN(test_natural_sort);
	T_RUN(test_rows);
	T_RUN(test_stack_bytes);
	T_RUN(test_cs_query);
	T_RUN(test_cs_rows);
	return t_done();
}
