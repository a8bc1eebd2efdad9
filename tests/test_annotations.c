/* test_annotations.c - reading .extra annotation files. */
#include <stdio.h>
#include <unistd.h>

#include "../src/process/process.h"
#include "testlib.h"

static char tmp[64];

static const char *write_tmp(const char *text)
{
	snprintf(tmp, sizeof tmp, "/tmp/cd-annot-%d.extra", (int)getpid());
	FILE *f = fopen(tmp, "w");
	fputs(text, f);
	fclose(f);
	return tmp;
}

static void test_extra_path(void)
{
	char b[64];
	T_EQ_U64(proc_extra_path("a/b/crash.dmp", b, sizeof b), CD_OK);
	T_EQ_STR(b, "a/b/crash.extra");
	T_EQ_U64(proc_extra_path("crash", b, sizeof b), CD_OK);
	T_EQ_STR(b, "crash.extra");
	T_EQ_U64(proc_extra_path("a-very-long-name-indeed.dmp", b, 8), CD_EUSAGE);
}

static void test_values_and_lookup(void)
{
	proc_annotations a;
	cd_err e = { 0 };
	int rc = proc_annotations_load(
		write_tmp("{\"ProductName\":\"Firefox\",\"Version\":\"140.0\",\"Count\":3,"
			  "\"Nested\":{\"a\":[1,2]},\"AbortMessage\":\"x\\ny\"}"),
		&a, &e);
	T_ASSERT(rc == CD_OK);
	T_EQ_U64(a.n, 5);
	T_EQ_STR(proc_annotation(&a, "ProductName"), "Firefox");
	T_EQ_STR(proc_annotation(&a, "Count"), "3");
	T_EQ_STR(proc_annotation(&a, "Nested"), "{\"a\":[1,2]}");
	T_EQ_STR(proc_annotation(&a, "AbortMessage"), "x\ny");
	T_ASSERT(proc_annotation(&a, "Missing") == NULL);
	/* Sorted by key, so a pane can list them in order. */
	T_EQ_STR(a.kv[0].key, "AbortMessage");
	proc_annotations_free(&a);
	unlink(tmp);
}

static void test_errors_name_file_and_position(void)
{
	proc_annotations a;
	cd_err e = { 0 };
	T_EQ_U64(proc_annotations_load(write_tmp("{\n\"a\": \"b\",\n\"c\" \"d\"}"), &a, &e), CD_EFORMAT);
	T_ASSERT(strstr(e.msg, tmp) && strstr(e.msg, "line 3"));
	proc_annotations_free(&a);
	T_EQ_U64(proc_annotations_load(write_tmp("[\"not\", \"an object\"]"), &a, &e), CD_EFORMAT);
	T_ASSERT(strstr(e.msg, "expected a JSON object") != NULL);
	proc_annotations_free(&a);
	T_EQ_U64(proc_annotations_load(write_tmp("{\"a\":\"1\",\"a\":\"2\"}"), &a, &e), CD_EFORMAT);
	proc_annotations_free(&a);
	unlink(tmp);
	T_EQ_U64(proc_annotations_load("/nonexistent/x.extra", &a, &e), CD_ENOTFOUND);
	T_EQ_U64(proc_annotations_load("/tmp", &a, &e), CD_EIO);
	proc_annotations_free(&a);
}

static void test_corpus_extra(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/corpus/dumps/own-abort_assert.extra", t_shared());
	if (access(path, R_OK) != 0)
		T_SKIP("%s absent", path);
	proc_annotations a;
	cd_err e = { 0 };
	T_ASSERT(proc_annotations_load(path, &a, &e) == CD_OK);
	const char *msg = proc_annotation(&a, "AbortMessage");
	T_ASSERT(msg && strlen(msg) > 0);
	T_ASSERT(proc_annotation(&a, "ProductName") != NULL);
	proc_annotations_free(&a);
}

int main(void)
{
	T_RUN(test_extra_path);
	T_RUN(test_values_and_lookup);
	T_RUN(test_errors_name_file_and_position);
	T_RUN(test_corpus_extra);
	return t_done();
}
