/*
 * test_report.c - the service that opens a crash for the CLI and the TUI
 * (src/report): a dump walked and stored, then reused with the same text;
 * the text alone when that is asked; a walk kept for later stored by
 * rep_keep(); processed crashes read as JSON; a missing file refused with
 * its name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/report/report.h"
#include "testlib.h"

static char tmp[256];
static const char *sample = "data/samples/sample.dmp";

static int open_db(const char *name, store **db)
{
	char path[400];
	cd_err e;
	snprintf(path, sizeof path, "%s/%s.db", tmp, name);
	return store_open(path, db, &e);
}

/* Walked the first time and stored; the second open reuses the stored
 * result, with the very same text and a document equal to the walk's. */
static void test_walk_then_reuse(void)
{
	if (access(sample, R_OK) != 0)
		T_SKIP("%s not made (make sample)", sample);
	store *db;
	T_ASSERT(open_db("reuse", &db) == CD_OK);
	rep_opts o = { .db = db, .reuse = 1 };
	rep_crash *a = NULL, *b = NULL;
	cd_err e;
	T_ASSERT(rep_open(sample, &o, &a, &e) == CD_OK);
	T_EQ_U64(a->source, REP_WALKED);
	T_CHECK(a->walk && a->doc && a->text && strlen(a->sha256) == 64);
	T_EQ_U64(store_processed_count(db), 1);
	T_ASSERT(rep_open(sample, &o, &b, &e) == CD_OK);
	T_EQ_U64(b->source, REP_REUSED);
	T_EQ_STR(b->text, a->text);
	T_CHECK(b->doc && json_equal(a->doc, b->doc));
	T_CHECK(!b->walk && !rep_dump(b)); /* no keep_dump: the dump is closed */
	T_EQ_STR(b->sha256, a->sha256);
	rep_free(a);
	rep_free(b);
	/* Without reuse the dump is walked again even though it is stored. */
	o.reuse = 0;
	T_ASSERT(rep_open(sample, &o, &a, &e) == CD_OK);
	T_EQ_U64(a->source, REP_WALKED);
	rep_free(a);
	store_close(db);
}

/* text_only: the stored text without parsing it (what `walk --json`
 * prints); keep_dump keeps the dump open for the panes' memory views. */
static void test_text_only_and_keep_dump(void)
{
	if (access(sample, R_OK) != 0)
		T_SKIP("%s not made (make sample)", sample);
	store *db;
	T_ASSERT(open_db("text", &db) == CD_OK);
	rep_opts o = { .db = db, .reuse = 1 };
	rep_crash *a = NULL, *b = NULL;
	cd_err e;
	T_ASSERT(rep_open(sample, &o, &a, &e) == CD_OK);
	o.text_only = 1;
	T_ASSERT(rep_open(sample, &o, &b, &e) == CD_OK);
	T_EQ_U64(b->source, REP_REUSED);
	T_CHECK(b->doc == NULL);
	T_EQ_STR(b->text, a->text);
	rep_free(b);
	o.text_only = 0;
	o.keep_dump = 1;
	T_ASSERT(rep_open(sample, &o, &b, &e) == CD_OK);
	T_EQ_U64(b->source, REP_REUSED);
	T_CHECK(rep_dump(b) != NULL);
	rep_free(a);
	rep_free(b);
	store_close(db);
}

/* store_later: nothing is stored by the open; rep_keep() stores it, and
 * the next open reuses what it stored. */
static void test_store_later(void)
{
	if (access(sample, R_OK) != 0)
		T_SKIP("%s not made (make sample)", sample);
	store *db;
	T_ASSERT(open_db("later", &db) == CD_OK);
	rep_opts o = { .db = db, .reuse = 1, .store_later = 1 };
	rep_crash *a = NULL, *b = NULL;
	cd_err e;
	T_ASSERT(rep_open(sample, &o, &a, &e) == CD_OK);
	T_EQ_U64(a->source, REP_WALKED);
	T_EQ_U64(store_processed_count(db), 0);
	T_ASSERT(rep_keep(a, sample, &o, &e) == CD_OK);
	T_EQ_U64(store_processed_count(db), 1);
	o.store_later = 0;
	T_ASSERT(rep_open(sample, &o, &b, &e) == CD_OK);
	T_EQ_U64(b->source, REP_REUSED);
	T_CHECK(json_equal(a->doc, b->doc));
	rep_free(a);
	rep_free(b);
	store_close(db);
}

/* A processed crash as JSON: walk --json's document as it is, Socorro's
 * processed crash by its json_dump. */
static void test_json_inputs(void)
{
	char path[400];
	cd_err e;
	rep_opts o = { 0 };
	rep_crash *c = NULL;
	snprintf(path, sizeof path, "%s/walked.json", tmp);
	FILE *f = fopen(path, "w");
	T_ASSERT(f);
	fputs("{\"status\":\"OK\",\"crash_info\":{\"type\":\"SIGSEGV\",\"crashing_thread\":0},"
	      "\"threads\":[{\"frames\":[{\"frame\":0,\"function\":\"boom\"}]}]}", f);
	fclose(f);
	T_ASSERT(rep_open(path, &o, &c, &e) == CD_OK);
	T_EQ_U64(c->source, REP_JSON);
	T_EQ_STR(json_string_value(json_object_get(json_object_get(c->doc, "crash_info"), "type")),
		 "SIGSEGV");
	T_CHECK(rep_dump(c) == NULL && rep_failed(c) == 0);
	rep_free(c);
	snprintf(path, sizeof path, "%s/socorro.json", tmp);
	f = fopen(path, "w");
	T_ASSERT(f);
	fputs("{\"uuid\":\"x\",\"signature\":\"boom\",\"json_dump\":{\"status\":\"OK\","
	      "\"crash_info\":{\"type\":\"EXCEPTION_ACCESS_VIOLATION_READ\"},\"threads\":[]}}", f);
	fclose(f);
	T_ASSERT(rep_open(path, &o, &c, &e) == CD_OK);
	T_EQ_U64(c->source, REP_JSON);
	T_EQ_STR(json_string_value(json_object_get(json_object_get(c->doc, "crash_info"), "type")),
		 "EXCEPTION_ACCESS_VIOLATION_READ");
	rep_free(c);
}

/* A file that is not there: refused, its name in the message. */
static void test_missing(void)
{
	char path[400];
	cd_err e = { 0 };
	rep_opts o = { 0 };
	rep_crash *c = NULL;
	snprintf(path, sizeof path, "%s/no-such.dmp", tmp);
	T_CHECK(rep_open(path, &o, &c, &e) != CD_OK);
	T_CHECK(c == NULL);
	T_CHECK(strstr(e.msg, "no-such.dmp") != NULL);
}

int main(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/crashdesk-test-report.%d", (int)getpid());
	char cmd[300];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", tmp);
	if (system(cmd) != 0)
		return 1;
	T_RUN(test_walk_then_reuse);
	T_RUN(test_text_only_and_keep_dump);
	T_RUN(test_store_later);
	T_RUN(test_json_inputs);
	T_RUN(test_missing);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
