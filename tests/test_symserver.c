/* test_symserver.c - the pieces of issue 6 that need no server: the config
 * file, sizes, the MODULE-line check of downloads, offline stores with
 * URLs (no request, every location said), the symbol-file index and its
 * counters in crashdesk.db. The server side is tests/symserver.test.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../src/store/store.h"
#include "../src/symbols/symbols.h"
#include "testlib.h"

static char dir[256];

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void test_config_parse(void)
{
	cd_config c;
	cd_err e;
	const char *good = "# crashdesk\n symbols_url = https://symbols.mozilla.org/ \n"
			   "symbols_url=http://127.0.0.1:1/try\njobs = 4\ntimeout=5\n"
			   "negative_ttl = -1\nmax_download = 2G\noffline = 1\n\n"
			   "crashstats_url = ftp://kept-as-written\ncrashstats_token = T0k\n";
	T_ASSERT(cd_config_parse(good, strlen(good), "cfg", &c, &e) == CD_OK);
	T_EQ_U64(c.nurls, 2);
	T_EQ_STR(c.urls[0], "https://symbols.mozilla.org/");
	T_EQ_STR(c.urls[1], "http://127.0.0.1:1/try");
	T_EQ_U64(c.jobs, 4);
	T_EQ_U64(c.timeout_s, 5);
	T_CHECK(c.negative_ttl_s == -1);
	T_EQ_U64(c.max_download, 2ull << 30);
	T_EQ_U64(c.offline, 1);
	/* The Crash Stats keys are Crash Stats' to check (cs_config_from()). */
	T_EQ_STR(c.crashstats_url, "ftp://kept-as-written");
	T_EQ_STR(c.crashstats_token, "T0k");
	T_CHECK(c.crashstats_url_line == 10 && c.crashstats_token_line == 11);
	cd_config_free(&c);
	/* The source pane's keys: repeatable, a map as FROM=TO. */
	static const char src[] = "source_root = ~/src/gecko\nsource_root = /opt/src\n"
				  "source_map = /builds/worker/checkouts/gecko=~/src/gecko\n";
	T_ASSERT(cd_config_parse(src, strlen(src), "cfg", &c, &e) == CD_OK);
	T_EQ_U64(c.nsource_roots, 2);
	T_EQ_STR(c.source_roots[1], "/opt/src");
	T_EQ_U64(c.nsource_maps, 1);
	T_EQ_STR(c.source_maps[0], "/builds/worker/checkouts/gecko=~/src/gecko");
	cd_config_free(&c);
	static const struct { const char *text, *msg; } bad[] = {
		{ "source_map = /builds/worker\n", "cfg:1: source_map wants FROM=TO" },
		{ "\nsource_root =\n", "cfg:2: source_root wants a directory" },
		{ "jobs = 4\njobs = 0\n", "cfg:2: jobs wants 1 to 64" },
		{ "\n\nnoequals\n", "cfg:3: expected 'key = value'" },
		{ "colour = blue\n", "cfg:1: unknown key 'colour'" },
		{ "symbols_url = ftp://x\n", "cfg:1: symbols_url must start with" },
		{ "max_download = 12Q\n", "cfg:1: max_download wants a size" },
		{ "negative_ttl = 0\n", "cfg:1: negative_ttl wants seconds" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = cd_config_parse(bad[i].text, strlen(bad[i].text), "cfg", &c, &e);
		cd_config_free(&c);
		if (rc != CD_EFORMAT || !strstr(e.msg, bad[i].msg))
			T_FAILF("'%s': rc %d, %s", bad[i].text, rc, rc ? e.msg : "accepted");
	}
	char nul[] = "jobs = 4\0\n";
	T_CHECK(cd_config_parse(nul, sizeof nul - 1, "cfg", &c, &e) == CD_EFORMAT);
	cd_config_free(&c);
	T_CHECK(cd_parse_size("500M") == 500ll << 20);
	T_CHECK(cd_parse_size("4096") == 4096);
	T_CHECK(cd_parse_size("1KB") == 1024);
	T_CHECK(cd_parse_size("-1") == -1);
	T_CHECK(cd_parse_size("") == -1);
	T_CHECK(cd_parse_size("99999999999999999999G") == -1);
}

static void test_module_line(void)
{
	char p[400];
	cd_err e;
	snprintf(p, sizeof p, "%s/a.sym", dir);
	put_file(p, "MODULE Linux x86_64 ABCDEF0123 libx.so\nPUBLIC 0 0 f\n");
	T_EQ_U64(sym_check_module_line(p, "abcdef0123", &e), CD_OK);
	T_CHECK(sym_check_module_line(p, "ABCDEF0124", &e) == CD_EFORMAT && strstr(e.msg, ":1: MODULE line names debug id ABCDEF0123, not ABCDEF0124"));
	put_file(p, "<html>login</html>\n");
	T_CHECK(sym_check_module_line(p, NULL, &e) == CD_EFORMAT && strstr(e.msg, "no MODULE line"));
	/* gzip bodies are read through. */
	snprintf(p, sizeof p, "%s/b.sym.gz", dir);
	gzFile g = gzopen(p, "wb");
	gzputs(g, "MODULE windows x86 1234 x.pdb\n");
	gzclose(g);
	T_EQ_U64(sym_check_module_line(p, "1234", &e), CD_OK);
}

/* Offline with URLs: no request (the URL's port is closed anyway), and
 * every location is said. */
static void test_offline_store(void)
{
	char cache[400];
	snprintf(cache, sizeof cache, "%s/cache", dir);
	const char *urls[] = { "http://127.0.0.1:9/store/" };
	sym_store_opts o = { .urls = urls, .nurls = 1, .cache_dir = cache, .net = { .offline = 1 } };
	sym_store *s;
	cd_err e;
	T_ASSERT(sym_store_open(&o, &s, &e) == CD_OK);
	sym_module_ref m = { "xul.pdb", "0123456789ABCDEF0123456789ABCDEF1", "xul.dll", "5CF2591C6859000" };
	sym_status st;
	T_CHECK(sym_store_find(s, &m, &st) == NULL);
	T_EQ_U64(st, SYM_STATUS_MISSING);
	const sym_attempt *a;
	size_t n;
	sym_store_why(s, "xul.pdb", "0123456789ABCDEF0123456789ABCDEF1", &a, &n);
	T_ASSERT(n == 2);
	T_EQ_U64(a[0].answer, SYM_ANS_ABSENT);
	T_CHECK(strstr(a[0].where, "/symbols/xul.pdb/0123456789ABCDEF0123456789ABCDEF1/xul.sym") != NULL);
	T_EQ_U64(a[1].answer, SYM_ANS_OFFLINE);
	T_EQ_STR(a[1].where, "http://127.0.0.1:9/store");
	sym_store_counts c;
	sym_store_counts_get(s, &c);
	T_EQ_U64(c.requests, 0);
	/* A file arriving in the download cache is found by a retry. */
	char p[600];
	snprintf(p, sizeof p, "%s/symbols/xul.pdb/0123456789ABCDEF0123456789ABCDEF1", cache);
	T_ASSERT(cd_mkdir_p(p, 0700, &e) == CD_OK);
	strcat(p, "/xul.sym");
	put_file(p, "MODULE windows x86_64 0123456789ABCDEF0123456789ABCDEF1 xul.pdb\nFUNC 10 5 0 f\n");
	T_CHECK(sym_store_find(s, &m, &st) == NULL); /* remembered until retried */
	T_CHECK(sym_store_retry(s, &m, &st) != NULL);
	T_EQ_U64(st, SYM_STATUS_LOADED);
	T_EQ_U64(sym_store_remote(s, "xul.pdb", "0123456789ABCDEF0123456789ABCDEF1"), 1);
	/* Names that would climb out of the cache are not looked up. */
	sym_module_ref bad = { "..", "0123", NULL, NULL };
	T_CHECK(sym_store_find(s, &bad, &st) == NULL);
	sym_store_free(s);
	const char *ftp[] = { "ftp://x" };
	sym_store_opts o2 = { .urls = ftp, .nurls = 1, .cache_dir = cache };
	T_CHECK(sym_store_open(&o2, &s, &e) == CD_EUSAGE && strstr(e.msg, "ftp://x"));
}

/* A lazy store queues what only a server could have and asks for it all
 * at once; status queries never queue; turning lazy off forgets the queue.
 * The server is a closed port, so the download fails fast, as a network
 * error (retries off). */
static void test_lazy_store(void)
{
	char cache[400], local[400], p[600];
	snprintf(cache, sizeof cache, "%s/lazycache", dir);
	snprintf(local, sizeof local, "%s/lazylocal", dir);
	cd_err e;
	snprintf(p, sizeof p, "%s/a.pdb/AAAA1", local);
	T_ASSERT(cd_mkdir_p(p, 0700, &e) == CD_OK);
	strcat(p, "/a.sym");
	put_file(p, "MODULE windows x86_64 AAAA1 a.pdb\nFUNC 10 5 0 f\n");
	const char *paths[] = { local };
	const char *urls[] = { "http://127.0.0.1:1/" };
	sym_store_opts o = { .paths = paths, .npaths = 1, .urls = urls, .nurls = 1,
			     .cache_dir = cache, .net = { .retries = -1, .connect_timeout_ms = 2000 } };
	sym_store *s;
	T_ASSERT(sym_store_open(&o, &s, &e) == CD_OK);
	sym_module_ref a = { "a.pdb", "AAAA1", NULL, NULL }, b = { "b.pdb", "BBBB1", NULL, NULL },
		       c = { "c.pdb", "CCCC1", NULL, NULL };
	sym_status st;
	T_EQ_U64(sym_store_lazy(s, 1), 0);
	T_CHECK(sym_store_find(s, &a, &st) != NULL); /* on disk: no waiting */
	T_EQ_U64(st, SYM_STATUS_LOADED);
	T_CHECK(sym_store_find(s, &b, &st) == NULL);
	T_EQ_U64(st, SYM_STATUS_UNKNOWN);
	T_CHECK(sym_store_find(s, &b, &st) == NULL);
	T_EQ_U64(sym_store_queued(s), 1);
	T_EQ_U64(sym_store_status(s, &c), SYM_STATUS_UNKNOWN); /* asked about, not queued */
	T_EQ_U64(sym_store_queued(s), 1);
	sym_store_counts n;
	sym_store_counts_get(s, &n);
	T_EQ_U64(n.deferred, 2);
	T_EQ_U64(n.requests, 0);
	T_ASSERT(sym_store_fetch_queued(s, NULL, &e) == CD_OK);
	T_EQ_U64(sym_store_queued(s), 0);
	T_EQ_U64(sym_store_status(s, &b), SYM_STATUS_MISSING);
	const sym_attempt *at;
	size_t na;
	sym_store_why(s, "b.pdb", "BBBB1", &at, &na);
	T_ASSERT(na >= 2);
	T_EQ_U64(at[na - 1].answer, SYM_ANS_NETWORK);
	sym_store_counts_get(s, &n);
	T_EQ_U64(n.requests, 1);
	/* Off again: the queue is forgotten, c is not looked up. */
	T_CHECK(sym_store_find(s, &c, &st) == NULL);
	T_EQ_U64(sym_store_queued(s), 1);
	T_EQ_U64(sym_store_lazy(s, 0), 1);
	T_EQ_U64(sym_store_queued(s), 0);
	T_EQ_U64(sym_store_status(s, &c), SYM_STATUS_UNKNOWN);
	int seen_b = 0, seen_c = 0;
	sym_store_entry en;
	for (size_t i = 0; sym_store_entry_at(s, i, &en) == CD_OK; i++) {
		if (!strcmp(en.debug_file, "b.pdb"))
			seen_b = en.looked_up;
		if (!strcmp(en.debug_file, "c.pdb"))
			seen_c = 1 + en.looked_up;
	}
	T_EQ_U64(seen_b, 1);
	T_EQ_U64(seen_c, 1); /* listed, not looked up */
	sym_store_counts_get(s, &n);
	T_EQ_U64(n.requests, 1);
	sym_store_free(s);
}

static void test_symfile_index(void)
{
	char db[400];
	snprintf(db, sizeof db, "%s/x.db", dir);
	store *st;
	cd_err e;
	T_ASSERT(store_open(db, &st, &e) == CD_OK);
	store_symfile rows[2] = {
		{ .debug_file = "a.pdb", .debug_id = "1", .source = "http://s/a", .path = "/c/a.sym",
		  .status = "ok", .size = 10, .remote = 1, .last_used = 100 },
		{ .debug_file = "b.pdb", .debug_id = "2", .status = "missing", .last_used = 50 },
	};
	T_ASSERT(store_symfile_put(st, rows, 2, &e) == CD_OK);
	store_symfile *got;
	size_t n;
	T_ASSERT(store_symfile_list(st, &got, &n, &e) == CD_OK);
	T_ASSERT(n == 2);
	T_EQ_STR(got[0].debug_file, "b.pdb"); /* least recently used first */
	T_CHECK(got[0].path == NULL);
	T_EQ_STR(got[1].source, "http://s/a");
	T_EQ_U64(got[1].size, 10);
	T_EQ_U64(got[1].remote, 1);
	store_symfile_free(got, n);
	T_ASSERT(store_symfile_forget(st, "b.pdb", "2", &e) == CD_OK);
	const char *names[] = { "downloads", "downloads" };
	int64_t v[] = { 2, 3 };
	T_ASSERT(store_counter_add(st, names, v, 2, &e) == CD_OK);
	T_EQ_U64(store_counter_get(st, "downloads"), 5);
	T_EQ_U64(store_counter_get(st, "nothing"), 0);
	T_ASSERT(store_symfile_list(st, &got, &n, &e) == CD_OK);
	T_EQ_U64(n, 1);
	store_symfile_free(got, n);
	store_close(st);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_symserver.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	T_RUN(test_config_parse);
	T_RUN(test_module_line);
	T_RUN(test_offline_store);
	T_RUN(test_lazy_store);
	T_RUN(test_symfile_index);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd)) {
	}
	return t_done();
}
