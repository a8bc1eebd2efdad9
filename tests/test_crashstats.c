/* test_crashstats.c - the Crash Stats client's parts that need no server:
 * crash ids, queries, configuration and the token, schemas, the
 * fetch-data layout, the store's Crash Stats tables and their migration,
 * and the reprocess comparison. The network is tests/crashstats.test.sh. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../src/cli/cli.h"
#include "../src/crashstats/crashstats.h"
#include "../src/crashstats/internal.h"
#include "testlib.h"

static char tmp[256];

static void write_file(const char *path, const char *text, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror(path);
		close(fd);
	}
	chmod(path, (mode_t)mode);
}

static void test_crash_ids(void)
{
	char id[CS_ID_LEN + 1];
	cd_err e;
	T_EQ_U64(cs_crash_id_parse("2fa91425-cb00-8853-9d2c-67eda1261111", id, &e), CD_OK);
	T_EQ_STR(id, "2fa91425-cb00-8853-9d2c-67eda1261111");
	T_EQ_U64(cs_crash_id_parse("  bp-2FA91425-CB00-8853-9D2C-67EDA1261111\n", id, &e), CD_OK);
	T_EQ_STR(id, "2fa91425-cb00-8853-9d2c-67eda1261111");
	T_EQ_U64(cs_crash_id_parse("https://crash-stats.mozilla.org/report/index/"
				   "a8f3c2d1-5b7e-4c9a-8d6f-1e2b32261118/?tab=details#x",
				   id, &e),
		 CD_OK);
	T_EQ_STR(id, "a8f3c2d1-5b7e-4c9a-8d6f-1e2b32261118");
	char day[9];
	cs_crash_id_day(id, day);
	T_EQ_STR(day, "20261118");
	T_EQ_U64(cs_crash_id_throttle(id), 2);
	/* Month 13, day 32, 30 February, letters in the date, the wrong form. */
	static const char *const bad[] = {
		"2fa91425-cb00-8853-9d2c-67eda1261311", "2fa91425-cb00-8853-9d2c-67eda1261132",
		"2fa91425-cb00-8853-9d2c-67eda1260230", "2fa91425-cb00-8853-9d2c-67eda12611a1",
		"2fa91425cb00-8853-9d2c-67eda12611111", "2fa91425-cb00-8853-9d2c-67eda126111",
		"2fa91425-cb00-8853-9d2c-67eda12611111", "zfa91425-cb00-8853-9d2c-67eda1261111",
		"", "https://crash-stats.mozilla.org/report/index/",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (cs_crash_id_parse(bad[i], id, &e) != CD_EFORMAT)
			T_FAILF("'%s' was accepted", bad[i]);
		if (cs_crash_id_valid(bad[i]))
			T_FAILF("'%s' is valid", bad[i]);
	}
	T_CHECK(strstr(e.msg, "not a crash id") != NULL);
	T_CHECK(cs_crash_id_valid("2fa91425-cb00-8853-9d2c-67eda1240229")); /* a leap day */
	T_CHECK(!cs_crash_id_valid("2fa91425-cb00-8853-9d2c-67eda1250229"));
}

static void test_query(void)
{
	cs_query q;
	cs_query_init(&q);
	cd_err e;
	T_EQ_U64(cs_query_add_arg(&q, "--product=Firefox", &e), CD_OK);
	T_EQ_U64(cs_query_add_arg(&q, "--signature=\"~OOM | small\"", &e), CD_OK);
	T_EQ_U64(cs_query_add_arg(&q, "--date=>=2026-11-01", &e), CD_OK);
	T_EQ_U64(cs_query_add_arg(&q, "--date=<2026-11-19", &e), CD_OK);
	T_EQ_U64(cs_query_add_arg(&q, "--_columns=uuid", &e), CD_OK);
	T_EQ_STR(cs_query_get(&q, "signature", 0), "~OOM | small");
	T_EQ_STR(cs_query_get(&q, "date", 1), "<2026-11-19");
	T_CHECK(cs_query_get(&q, "date", 2) == NULL);
	char *s = cs_query_encode(&q);
	T_EQ_STR(s, "product=Firefox&signature=~OOM%20%7C%20small&date=%3E%3D2026-11-01&"
		    "date=%3C2026-11-19&_columns=uuid");
	free(s);
	cs_query_remove(&q, "date");
	T_CHECK(cs_query_get(&q, "date", 0) == NULL && q.n == 3);
	T_EQ_U64(cs_query_add_arg(&q, "product=Firefox", &e), CD_EUSAGE);
	T_EQ_U64(cs_query_add_arg(&q, "--product", &e), CD_EUSAGE);
	T_EQ_U64(cs_query_add_arg(&q, "--pro duct=x", &e), CD_EUSAGE);
	cs_query_free(&q);
}

static void test_config(void)
{
	char dir[300], path[400];
	snprintf(dir, sizeof dir, "%s/cfg", tmp);
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/config", dir);
	unsetenv("CRASHSTATS_API_TOKEN");
	unsetenv("CRASHDESK_CRASHSTATS_URL");
	cs_config cfg;
	cd_err e;
	/* Missing file: defaults. */
	T_EQ_U64(cs_config_load(path, NULL, &cfg, &e), CD_OK);
	T_EQ_STR(cfg.url, CS_DEFAULT_URL);
	T_CHECK(cfg.token[0] == 0 && cfg.jobs == 2);
	write_file(path,
		   "# crashdesk\ncrashstats_url = http://127.0.0.1:1/api/\n"
		   "crashstats_token = Tok3nSecretValue42\njobs = 4\nsymbols_path = /s\n",
		   0644);
	T_EQ_U64(cs_config_load(path, NULL, &cfg, &e), CD_EUSAGE);
	T_CHECK(strstr(e.msg, "readable by group or others") && strstr(e.msg, "chmod 600"));
	T_CHECK(!strstr(e.msg, "Tok3nSecretValue42"));
	chmod(path, 0600);
	T_EQ_U64(cs_config_load(path, NULL, &cfg, &e), CD_OK);
	T_EQ_STR(cfg.url, "http://127.0.0.1:1");
	T_EQ_STR(cfg.token, "Tok3nSecretValue42");
	T_CHECK(cfg.jobs == 4);
	/* The environment wins over the file, the command line over both. */
	setenv("CRASHDESK_CRASHSTATS_URL", "https://env.example", 1);
	setenv("CRASHSTATS_API_TOKEN", "EnvToken", 1);
	T_EQ_U64(cs_config_load(path, "http://cli.example/", &cfg, &e), CD_OK);
	T_EQ_STR(cfg.url, "http://cli.example");
	T_EQ_STR(cfg.token, "EnvToken");
	setenv("CRASHSTATS_API_TOKEN", "bad token\r\nX-Evil: 1", 1);
	T_EQ_U64(cs_config_load(path, NULL, &cfg, &e), CD_EUSAGE);
	T_CHECK(!strstr(e.msg, "X-Evil"));
	unsetenv("CRASHSTATS_API_TOKEN");
	unsetenv("CRASHDESK_CRASHSTATS_URL");
	T_EQ_U64(cs_config_load(path, "ftp://x", &cfg, &e), CD_EUSAGE);
	write_file(path, "crashstats_url = https://a\nbogus = 1\n", 0600);
	T_EQ_U64(cs_config_load(path, NULL, &cfg, &e), CD_EUSAGE);
	T_CHECK(strstr(e.msg, "config:2:") != NULL);
}

/* One file with both kinds of keys, read once by the symbol options (the
 * CLI's and the workstation's reader): the Crash Stats settings come from
 * that parse, not from the file, which is gone by then. */
static void test_config_one_read(void)
{
	char dir[300], path[400];
	snprintf(dir, sizeof dir, "%s/config/crashdesk", tmp);
	T_ASSERT(cd_mkdir_p(dir, 0700, NULL) == CD_OK);
	snprintf(path, sizeof path, "%s/config", dir);
	unsetenv("CRASHSTATS_API_TOKEN");
	unsetenv("CRASHDESK_CRASHSTATS_URL");
	unsetenv("CRASHDESK_SYMBOLS_URL");
	write_file(path,
		   "symbols_url = https://sym.example/   # first\n"
		   "symbols_path = /srv/a\nsymbols_path = /srv/b\n"
		   "jobs = 32\ntimeout = 7\n"
		   "crashstats_url = http://cs.example/api/\n"
		   "crashstats_token = Tok3nOneRead\n",
		   0600);
	cli_symopts so;
	memset(&so, 0, sizeof so);
	T_ASSERT(cli_symopts_finish(&so) == 0);
	T_ASSERT(unlink(path) == 0);
	T_EQ_U64(so.nurls, 1);
	T_EQ_STR(so.urls[0], "https://sym.example/");
	T_EQ_U64(so.npaths, 2);
	T_EQ_STR(so.paths[1], "/srv/b");
	T_CHECK(so.net.jobs == 32 && so.net.stall_timeout_s == 7);
	cs_config cfg;
	cd_err e;
	int rc = cs_config_from(&so.config, NULL, &cfg, &e);
	cli_symopts_free(&so);
	T_EQ_U64(rc, CD_OK);
	T_EQ_STR(cfg.url, "http://cs.example");
	T_EQ_STR(cfg.token, "Tok3nOneRead");
	T_EQ_U64(cfg.jobs, 16); /* the shared jobs, capped for Crash Stats */
	T_CHECK(so.config.crashstats_token == NULL && so.config.nurls == 0);
	/* Without a file: the defaults and the environment. */
	setenv("CRASHSTATS_API_TOKEN", "EnvOnly", 1);
	T_EQ_U64(cs_config_from(NULL, NULL, &cfg, &e), CD_OK);
	unsetenv("CRASHSTATS_API_TOKEN");
	T_EQ_STR(cfg.url, CS_DEFAULT_URL);
	T_EQ_STR(cfg.token, "EnvOnly");
}

/* A bad line names file:line for every reader; a bad Crash Stats value
 * stops only Crash Stats, and no message carries the token. */
static void test_config_bad_lines(void)
{
	char path[400];
	snprintf(path, sizeof path, "%s/bad.conf", tmp);
	cd_config f;
	cs_config cfg;
	cd_err e;
	write_file(path, "symbols_path = /s\n# note\njobs = lots\n", 0600);
	T_EQ_U64(cd_config_load(path, &f, &e), CD_EFORMAT);
	cd_config_free(&f);
	T_CHECK(strstr(e.msg, "bad.conf:3: jobs wants 1 to 64") != NULL);
	T_EQ_U64(cs_config_load(path, NULL, &cfg, &e), CD_EUSAGE);
	T_CHECK(strstr(e.msg, "bad.conf:3: jobs wants 1 to 64") != NULL);
	write_file(path, "crashstats_tokn = Tok3nTypo\n", 0600);
	T_EQ_U64(cd_config_load(path, &f, &e), CD_EFORMAT);
	cd_config_free(&f);
	T_CHECK(strstr(e.msg, "bad.conf:1: unknown key 'crashstats_tokn'") != NULL);
	T_CHECK(!strstr(e.msg, "Tok3nTypo"));
	write_file(path, "symbols_path = /s\ncrashstats_url = ftp://x\n", 0600);
	T_EQ_U64(cd_config_load(path, &f, &e), CD_OK);
	T_EQ_U64(f.npaths, 1);
	T_EQ_U64(cs_config_from(&f, NULL, &cfg, &e), CD_EUSAGE);
	cd_config_free(&f);
	T_CHECK(strstr(e.msg, "bad.conf:2: Crash Stats URL must start with http://") != NULL);
	write_file(path, "\ncrashstats_token = Tok3n Spaced\n", 0600);
	T_EQ_U64(cs_config_load(path, NULL, &cfg, &e), CD_EUSAGE);
	T_CHECK(strstr(e.msg, "bad.conf:2: crashstats_token is not a token") != NULL);
	T_CHECK(!strstr(e.msg, "Tok3n") && cfg.token[0] == 0);
}

/* A token in a file others may read: the parse does not keep it and
 * Crash Stats refuses the file without naming the token. */
static void test_config_token_mode(void)
{
	char path[400];
	snprintf(path, sizeof path, "%s/open.conf", tmp);
	write_file(path, "symbols_path = /s\ncrashstats_token = Tok3nWorldReadable\n", 0644);
	cd_config f;
	cs_config cfg;
	cd_err e;
	T_EQ_U64(cd_config_load(path, &f, &e), CD_OK);
	T_CHECK(f.npaths == 1 && f.crashstats_token == NULL && f.crashstats_token_line == 2);
	T_EQ_U64(f.mode, 0644);
	setenv("CRASHSTATS_API_TOKEN", "EnvToken", 1); /* no way around the refusal */
	int rc = cs_config_from(&f, NULL, &cfg, &e);
	unsetenv("CRASHSTATS_API_TOKEN");
	cd_config_free(&f);
	T_EQ_U64(rc, CD_EUSAGE);
	T_CHECK(strstr(e.msg, "open.conf holds an API token but is readable by group or others "
			      "(mode 0644); run: chmod 600 ") != NULL);
	T_CHECK(!strstr(e.msg, "Tok3nWorldReadable") && cfg.token[0] == 0);
	chmod(path, 0600);
	T_EQ_U64(cs_config_load(path, NULL, &cfg, &e), CD_OK);
	T_EQ_STR(cfg.token, "Tok3nWorldReadable");
}

static void test_scrub(void)
{
	cs_config cfg;
	cd_err e;
	setenv("CRASHSTATS_API_TOKEN", "abcdef0123456789", 1);
	T_EQ_U64(cs_config_load("/nonexistent/config", NULL, &cfg, &e), CD_OK);
	unsetenv("CRASHSTATS_API_TOKEN");
	cs_client *c;
	T_EQ_U64(cs_client_new(&cfg, &c, &e), CD_OK);
	char msg[200] = "header abcdef0123456789 twice abcdef0123456789!";
	cs__scrub(c, msg);
	T_EQ_STR(msg, "header [token] twice [token]!");
	T_CHECK(cs_client_has_token(c));
	char *u = cs__api_url(c, "ProcessedCrash", "crash_id=x");
	T_EQ_STR(u, CS_DEFAULT_URL "/api/ProcessedCrash/?crash_id=x");
	free(u);
	cs_client_free(c);
}

static void test_schema_builtin(void)
{
	cs_schema *raw, *proc;
	cd_err e;
	unsetenv("CRASHDESK_SCHEMAS");
	T_EQ_U64(cs_schema_load(CS_SCHEMA_RAW, NULL, &raw, &e), CD_OK);
	T_EQ_U64(cs_schema_load(CS_SCHEMA_PROCESSED, NULL, &proc, &e), CD_OK);
	const cs_field *f = cs_schema_field(raw, "URL");
	T_CHECK(f && f->protected_ && f->types == CS_T_STRING && f->description);
	f = cs_schema_field(raw, "ProductName");
	T_CHECK(f && !f->protected_ && f->example && !strcmp(f->example, "Firefox"));
	f = cs_schema_field(proc, "crashing_thread");
	T_CHECK(f && f->types == (CS_T_INTEGER | CS_T_NULL));
	T_CHECK(cs_schema_count(proc) > 50 && cs_schema_count(raw) > 50);

	json_t *doc = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:{s:[{s:i,s:[{s:{s:s},s:s}]}],s:{s:s,s:[{s:{}}]}}}",
				"signature", "poke", "uptime", "12", "crashing_thread", 0, "url",
				"https://secret.example", "user_comments", "mine", "not_described", "x",
				"json_dump", "threads", "thread_id", 7, "frames", "registers", "rip", "0x1",
				"function", "f", "crashing_thread", "thread_name", "main", "frames",
				"registers");
	cd_buf p;
	cd_buf_init(&p, 1 << 16);
	T_EQ_U64(cs_schema_check(proc, doc, &p), 1);
	T_CHECK(strstr(p.data, "field 'uptime': expected integer, got string") != NULL);
	cd_buf_free(&p);

	json_t *pub = cs_schema_public(proc, doc);
	T_CHECK(json_object_get(pub, "signature") && json_object_get(pub, "uptime"));
	T_CHECK(!json_object_get(pub, "url") && !json_object_get(pub, "user_comments"));
	T_CHECK(!json_object_get(pub, "not_described"));
	json_t *th = json_array_get(json_object_get(json_object_get(pub, "json_dump"), "threads"), 0);
	T_CHECK(th && !json_object_get(th, "thread_id"));
	json_t *fr = json_array_get(json_object_get(th, "frames"), 0);
	T_CHECK(fr && json_object_get(fr, "function") && !json_object_get(fr, "registers"));
	/* The original is untouched. */
	T_CHECK(json_object_get(doc, "url") != NULL);
	json_decref(pub);
	json_decref(doc);
	cs_schema_free(raw);
	cs_schema_free(proc);
}

static void test_schema_errors(void)
{
	cs_schema *s;
	cd_err e;
	const char *y1 = "fields:\n  a:\n    type: strin\n    access: public\n    description: x\n";
	T_EQ_U64(cs_schema_parse(y1, strlen(y1), "t.yaml", &s, &e), CD_EFORMAT);
	T_CHECK(strstr(e.msg, "t.yaml:3:") != NULL);
	const char *y2 = "fields:\n  a:\n    type: string\n    description: x\n";
	T_EQ_U64(cs_schema_parse(y2, strlen(y2), "t.yaml", &s, &e), CD_EFORMAT);
	T_CHECK(strstr(e.msg, "no access") != NULL);
	const char *y3 = "fields: [1, 2\n";
	T_EQ_U64(cs_schema_parse(y3, strlen(y3), "t.yaml", &s, &e), CD_EFORMAT);
	T_CHECK(strstr(e.msg, "t.yaml:") != NULL);
	const char *y4 = "fields:\n  a:\n    type: [string, \"null\"]\n    access: protected\n"
			 "    description: d\n    examples: [x]\n";
	T_EQ_U64(cs_schema_parse(y4, strlen(y4), "t.yaml", &s, &e), CD_OK);
	T_CHECK(cs_schema_field(s, "a")->types == (CS_T_STRING | CS_T_NULL));
	cs_schema_free(s);
}

/* Every file of the fixture's fetch-data example, read and written back
 * by cs_layout_write, comes out byte for byte the same. */
static void test_layout_round_trip(void)
{
	char ex[400];
	snprintf(ex, sizeof ex, "%s/crashstats-fixtures/fetch-data-example", t_shared());
	struct stat sb;
	if (stat(ex, &sb) != 0)
		T_SKIP("%s is absent", ex);
	cs_layout_crash *lc;
	size_t n;
	cd_err e;
	T_EQ_U64(cs_layout_scan(ex, &lc, &n, &e), CD_OK);
	T_EQ_U64(n, 2);
	char out[400];
	snprintf(out, sizeof out, "%s/layout", tmp);
	int compared = 0;
	for (size_t i = 0; i < n; i++) {
		cd_map a;
		json_t *raw = NULL, *proc = NULL;
		if (lc[i].raw_path && cd_map_open(lc[i].raw_path, &a, &e) == CD_OK) {
			raw = json_loadb((const char *)a.data, a.size, 0, NULL);
			cd_map_close(&a);
		}
		if (lc[i].processed_path && cd_map_open(lc[i].processed_path, &a, &e) == CD_OK) {
			proc = json_loadb((const char *)a.data, a.size, 0, NULL);
			cd_map_close(&a);
		}
		T_ASSERT(raw && proc);
		T_EQ_U64(cs_layout_write(out, lc[i].id, raw, proc, lc[i].dump_path, &e), CD_OK);
		json_decref(raw);
		json_decref(proc);
		char day[9];
		cs_crash_id_day(lc[i].id, day);
		char sub[4][64];
		snprintf(sub[0], sizeof sub[0], "raw_crash/%s", day);
		snprintf(sub[1], sizeof sub[1], "processed_crash");
		snprintf(sub[2], sizeof sub[2], "dump_names");
		snprintf(sub[3], sizeof sub[3], "upload_file_minidump");
		for (int k = 0; k < 4; k++) {
			char pa[800], pb[800];
			snprintf(pa, sizeof pa, "%s/%s/%s", ex, sub[k], lc[i].id);
			snprintf(pb, sizeof pb, "%s/%s/%s", out, sub[k], lc[i].id);
			cd_map ma, mb;
			int ha = cd_map_open(pa, &ma, &e) == CD_OK;
			int hb = cd_map_open(pb, &mb, &e) == CD_OK;
			if (ha != hb)
				T_FAILF("%s: %s in the example, %s written", sub[k], ha ? "present" : "absent",
					hb ? "present" : "absent");
			else if (ha && (ma.size != mb.size || memcmp(ma.data, mb.data, ma.size)))
				T_FAILF("%s differs from the example (%zu vs %zu bytes)", pb, mb.size, ma.size);
			else if (ha)
				compared++;
			if (ha)
				cd_map_close(&ma);
			if (hb)
				cd_map_close(&mb);
		}
	}
	cs_layout_free(lc, n);
	T_CHECK(compared == 6);
}

/* The schema of version 1, as main's store.c creates it. */
static const char v1_schema[] =
	"CREATE TABLE recent (path TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('dump', "
	"'dir')), sha256 TEXT, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, first_opened "
	"INTEGER NOT NULL, last_opened INTEGER NOT NULL, open_count INTEGER NOT NULL, seq INTEGER "
	"NOT NULL, summary_at INTEGER, product TEXT, version TEXT, crash_reason TEXT, "
	"crash_address TEXT, crash_function TEXT, signature TEXT, module TEXT);"
	"CREATE INDEX recent_by_seq ON recent(seq);"
	"CREATE TABLE processed (sha256 TEXT NOT NULL, symkey TEXT NOT NULL, encoding INTEGER NOT "
	"NULL CHECK (encoding IN (0, 1)), raw_size INTEGER NOT NULL, body BLOB NOT NULL, made_at "
	"INTEGER NOT NULL, PRIMARY KEY (sha256, symkey)) WITHOUT ROWID;"
	"INSERT INTO recent VALUES ('/x/a.dmp', 'dump', NULL, 1, 2, 3, 4, 5, 1, NULL, 'P', NULL, "
	"NULL, NULL, NULL, NULL, NULL);"
	"PRAGMA user_version = 1; PRAGMA application_id = 1667527531;";

static void test_store_migration(void)
{
	char db[400];
	snprintf(db, sizeof db, "%s/v1.db", tmp);
	sqlite3 *s;
	T_ASSERT(sqlite3_open(db, &s) == SQLITE_OK);
	T_ASSERT(sqlite3_exec(s, v1_schema, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(s);
	store *st;
	cd_err e;
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	store_recent *rows;
	size_t n;
	T_EQ_U64(store_recent_list(st, 0, &rows, &n, &e), CD_OK);
	T_CHECK(n == 1 && !strcmp(rows[0].path, "/x/a.dmp") && !strcmp(rows[0].product, "P"));
	store_recent_free(rows, n);
	const char *id = "2fa91425-cb00-8853-9d2c-67eda1261111";
	store_crash c = { id, "2026-11-11", "Crashme", "1.0", "nightly", "poke" };
	T_EQ_U64(store_crash_put(st, &c, &e), CD_OK);
	T_EQ_U64(store_check(st, &e), CD_OK);
	store_close(st);
	T_ASSERT(sqlite3_open(db, &s) == SQLITE_OK);
	sqlite3_stmt *q;
	sqlite3_prepare_v2(s, "PRAGMA user_version", -1, &q, NULL);
	sqlite3_step(q);
	T_EQ_U64(sqlite3_column_int(q, 0), STORE_SCHEMA_VERSION);
	sqlite3_finalize(q);
	sqlite3_close(s);
}

static void test_store_crashes(void)
{
	char db[400];
	snprintf(db, sizeof db, "%s/c.db", tmp);
	store *st;
	cd_err e;
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	const char *id = "2fa91425-cb00-8853-9d2c-67eda1261111";
	store_crash c = { id, NULL, "Crashme", "1.0", NULL, NULL };
	T_EQ_U64(store_crash_put(st, &c, &e), CD_OK);
	store_crash c2 = { id, "2026-11-11", NULL, NULL, "nightly", "poke" };
	T_EQ_U64(store_crash_put(st, &c2, &e), CD_OK);
	/* Large enough to be compressed. */
	cd_buf big;
	cd_buf_init(&big, 0);
	cd_buf_puts(&big, "{\"a\":\"");
	for (int i = 0; i < 2000; i++)
		cd_buf_puts(&big, "xyz");
	cd_buf_puts(&big, "\"}");
	T_EQ_U64(store_crash_doc_put(st, id, "processed", big.data, 0, &e), CD_OK);
	T_EQ_U64(store_crash_doc_put(st, id, "raw", "{\"ProductName\":\"Crashme\"}", 1, &e), CD_OK);
	T_EQ_U64(store_crash_doc_put(st, id, "bogus", "{}", 1, &e), CD_EUSAGE);
	char *json;
	int pub;
	T_EQ_U64(store_crash_doc_get(st, id, "processed", &json, &pub, &e), CD_OK);
	T_CHECK(!strcmp(json, big.data) && pub == 0);
	free(json);
	cd_buf_free(&big);
	T_EQ_U64(store_crash_doc_get(st, id, "raw", &json, &pub, &e), CD_OK);
	T_CHECK(pub == 1);
	free(json);
	char sha[65];
	memset(sha, 'a', 64);
	sha[64] = 0;
	T_EQ_U64(store_crash_dump_put(st, id, "upload_file_minidump", sha, 10, "/c/x.dmp", &e), CD_OK);
	char path[100], got[65];
	T_EQ_U64(store_crash_dump_get(st, id, "upload_file_minidump", path, sizeof path, got, &e),
		 CD_OK);
	T_CHECK(!strcmp(path, "/c/x.dmp") && !strcmp(got, sha));
	T_EQ_U64(store_crash_dump_get(st, "db5b5fab-8f4d-3e27-dda1-494c73261110",
				      "upload_file_minidump", path, sizeof path, got, &e),
		 CD_ENOTFOUND);
	store_crash_row *rows;
	size_t n;
	T_EQ_U64(store_crash_list(st, 0, &rows, &n, &e), CD_OK);
	T_ASSERT(n == 1);
	T_CHECK(!strcmp(rows[0].product, "Crashme") && !strcmp(rows[0].signature, "poke"));
	T_CHECK(rows[0].has_raw && rows[0].has_processed && rows[0].has_dump);
	store_crash_rows_free(rows, n);
	char ids[2][37] = { "2fa91425-cb00-8853-9d2c-67eda1261111",
			    "db5b5fab-8f4d-3e27-dda1-494c73261110" };
	int64_t sid;
	T_EQ_U64(store_search_put(st, "product=Crashme", "http://x", 6, "{}",
				  (const char(*)[37])ids, 2, &sid, &e),
		 CD_OK);
	char(*back)[37];
	T_EQ_U64(store_search_ids(st, sid, &back, &n, &e), CD_OK);
	T_CHECK(n == 2 && !strcmp(back[1], ids[1]));
	free(back);
	T_EQ_U64(store_reprocess_put(st, id, "/syms", 3, "{\"differences\":3}", &e), CD_OK);
	int nd;
	T_EQ_U64(store_reprocess_get(st, id, "/syms", &json, &nd, &e), CD_OK);
	T_CHECK(nd == 3 && strstr(json, "differences"));
	free(json);
	/* A damaged document is reported, not returned. */
	store_close(st);
	sqlite3 *s;
	sqlite3_open(db, &s);
	sqlite3_exec(s, "UPDATE cs_docs SET raw_size = 99999 WHERE kind = 'processed'", NULL, NULL,
		     NULL);
	sqlite3_close(s);
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	T_EQ_U64(store_crash_doc_get(st, id, "processed", &json, NULL, &e), CD_EFORMAT);
	T_CHECK(strstr(e.msg, "damaged") != NULL);
	store_close(st);
}

/* A canceled fetch returns at once, before any connection, and stores
 * nothing: how the TUI abandons a download the user navigated away from. */
static void test_fetch_cancel(void)
{
	cs_config cfg;
	cd_err e;
	T_EQ_U64(cs_config_load("/nonexistent/config", "http://127.0.0.1:9", &cfg, &e), CD_OK);
	cs_client *c;
	T_EQ_U64(cs_client_new(&cfg, &c, &e), CD_OK);
	char db[400], dumps[400];
	snprintf(db, sizeof db, "%s/cancel.db", tmp);
	snprintf(dumps, sizeof dumps, "%s/cancel-dumps", tmp);
	store *st;
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	char ids[1][CS_ID_LEN + 1] = { "2fa91425-cb00-8853-9d2c-67eda1261111" };
	atomic_int cancel = 1;
	cs_fetch_opts o = { .want = CS_WANT_RAW | CS_WANT_DUMP, .dump_dir = dumps, .cancel = &cancel };
	size_t nfailed = 9;
	T_EQ_U64(cs_fetch(c, st, (const char(*)[CS_ID_LEN + 1])ids, 1, &o, &nfailed, &e), CD_ECANCELED);
	uint64_t req, retries;
	cs_client_counts(c, &req, &retries);
	T_EQ_U64(req, 0);
	store_crash_row *rows;
	size_t n;
	T_EQ_U64(store_crash_list(st, 0, &rows, &n, &e), CD_OK);
	T_EQ_U64(n, 0);
	store_crash_rows_free(rows, n);
	/* An invalid id is refused before anything. */
	char bad[1][CS_ID_LEN + 1] = { "not-a-crash-id" };
	cancel = 0;
	T_EQ_U64(cs_fetch(c, st, (const char(*)[CS_ID_LEN + 1])bad, 1, &o, &nfailed, &e), CD_EUSAGE);
	store_close(st);
	cs_client_free(c);
}

static void test_reprocess_diff(void)
{
	json_t *soc = json_loads(
		"{\"signature\":\"poke\",\"json_dump\":{\"crash_info\":{\"type\":\"SIGSEGV\"},"
		"\"crashing_thread\":{\"frames\":[{\"module\":\"a\",\"function\":\"f\","
		"\"module_offset\":\"0x10\",\"trust\":\"context\"},{\"module\":\"a\",\"function\":\"g\","
		"\"module_offset\":\"0x20\",\"trust\":\"cfi\"}]},"
		"\"modules\":[{\"filename\":\"a\",\"debug_id\":\"AB\",\"loaded_symbols\":true},"
		"{\"filename\":\"gone\"}]}}",
		0, NULL);
	json_t *loc = json_loads(
		"{\"crash_info\":{\"type\":\"SIGSEGV\"},\"crashing_thread\":{\"frames\":["
		"{\"module\":\"a\",\"function\":\"f\",\"module_offset\":\"0x10\",\"trust\":\"context\"},"
		"{\"module\":\"a\",\"function\":\"h\",\"module_offset\":\"0x20\",\"trust\":\"scan\"},"
		"{\"module\":\"b\"}]},"
		"\"modules\":[{\"filename\":\"a\",\"debug_id\":\"ab\",\"loaded_symbols\":false}]}",
		0, NULL);
	T_ASSERT(soc && loc);
	json_t *d = cs_reprocess_diff(soc, loc, NULL);
	json_t *fr = json_object_get(d, "frames"), *mo = json_object_get(d, "modules");
	T_EQ_U64(json_array_size(fr), 2);
	json_t *f1 = json_object_get(json_array_get(fr, 0), "fields");
	T_CHECK(json_object_get(f1, "function") && json_object_get(f1, "trust"));
	T_CHECK(!json_object_get(f1, "module_offset"));
	T_EQ_STR(json_string_value(json_object_get(json_array_get(fr, 1), "side")), "local only");
	/* debug ids compare without case; loaded_symbols differs; one module gone. */
	T_EQ_U64(json_array_size(mo), 2);
	json_t *m0 = json_object_get(json_array_get(mo, 0), "fields");
	T_CHECK(json_object_get(m0, "loaded_symbols") && !json_object_get(m0, "debug_id"));
	T_EQ_U64(json_integer_value(json_object_get(d, "differences")), 4);
	T_CHECK(json_is_null(json_object_get(json_object_get(d, "signature"), "local")));
	json_decref(d);
	json_decref(soc);
	json_decref(loc);
}

int main(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/crashdesk-cs-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	char env[400];
	snprintf(env, sizeof env, "%s/cache", tmp);
	setenv("XDG_CACHE_HOME", env, 1);
	snprintf(env, sizeof env, "%s/config", tmp);
	setenv("XDG_CONFIG_HOME", env, 1);
	T_RUN(test_crash_ids);
	T_RUN(test_query);
	T_RUN(test_config);
	T_RUN(test_config_one_read);
	T_RUN(test_config_bad_lines);
	T_RUN(test_config_token_mode);
	T_RUN(test_scrub);
	T_RUN(test_schema_builtin);
	T_RUN(test_schema_errors);
	T_RUN(test_layout_round_trip);
	T_RUN(test_store_migration);
	T_RUN(test_store_crashes);
	T_RUN(test_fetch_cancel);
	T_RUN(test_reprocess_diff);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return t_done();
}
