/* test_util.c - src/util pieces that several subsystems lean on: the
 * listing of a directory's dumps (walk, resig, sym prefetch, the TUI's
 * crash list) and the Retry-After header (both HTTP clients). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/util/util.h"
#include "testlib.h"

static char dir[64];

static void touch(const char *name)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (f)
		fclose(f);
}

static void test_dir_files(void)
{
	const char *names[] = { "c.dmp", "a.dmp", "b.DMP", ".dmp", "x.dmpx", "a.extra" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		touch(names[i]);
	char **v, want[256];
	size_t n;
	cd_err e;
	T_ASSERT(cd_dir_files(dir, ".dmp", 0, &v, &n, &e) == CD_OK);
	T_EQ_U64(n, 2);
	snprintf(want, sizeof want, "%s/a.dmp", dir);
	T_EQ_STR(v[0], want); /* name order, full paths */
	snprintf(want, sizeof want, "%s/c.dmp", dir);
	T_EQ_STR(v[1], want);
	cd_dir_files_free(v, n);
	T_ASSERT(cd_dir_files(dir, ".dmp", 1, &v, &n, &e) == CD_OK);
	T_EQ_U64(n, 3); /* b.DMP too; ".dmp" alone names nothing */
	snprintf(want, sizeof want, "%s/b.DMP", dir);
	T_EQ_STR(v[1], want);
	cd_dir_files_free(v, n);
	char missing[128];
	snprintf(missing, sizeof missing, "%s/none", dir);
	T_CHECK(cd_dir_files(missing, ".dmp", 0, &v, &n, &e) == CD_EIO);
	T_CHECK(strstr(e.msg, "none: cannot open") != NULL);
	T_EQ_U64(n, 0);
}

static void test_retry_after(void)
{
	const time_t date = 1445412480; /* Wed, 21 Oct 2015 07:28:00 GMT */
	struct {
		const char *line;
		double want;
	} cases[] = {
		{ "Retry-After: 3\r\n", 3 },
		{ "retry-after:\t 1.5\r\n", 1.5 },
		{ "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n", 10 },
		{ "Retry-After: soon\r\n", -1 },
		{ "Retry-After: -4\r\n", -1 },
		{ "Retry-After:", -1 },
		{ "Content-Type: text/plain\r\n", -1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double got = cd_http_retry_after(cases[i].line, strlen(cases[i].line), date - 10);
		if (got != cases[i].want)
			T_FAILF("'%s': %g, not %g", cases[i].line, got, cases[i].want);
	}
	/* A date already past: no wait. A line without a NUL after it. */
	const char *l = "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n";
	T_CHECK(cd_http_retry_after(l, strlen(l), date + 60) == 0);
	char raw[16];
	memcpy(raw, "Retry-After: 7xx", 16);
	T_CHECK(cd_http_retry_after(raw, 14, 0) == 7);
}

/* Temporaries are known by name, and only a gone writer's are swept. */
static void test_tmp_sweep(void)
{
	static const struct { const char *name; long pid; } names[] = {
		{ "dl-123-AbC9xz", 123 }, { "libc.so.6.cdsym.tmp.456", 456 },
		{ ".part-2fa91425-cb00-8853-9d2c-67eda1261111-789", 789 },
		{ "dl-123", 0 }, { "dl--5-x", 0 }, { "x.tmp.12a", 0 }, { ".tmp.5", 0 },
		{ ".part-abc", 0 }, { ".part--9x", 0 }, { "crash.dmp", 0 }, { "libc.so.6.sym", 0 },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (cd_tmp_owner(names[i].name) != names[i].pid)
			T_FAILF("'%s': %ld, not %ld", names[i].name, cd_tmp_owner(names[i].name),
				names[i].pid);
	/* A child that has exited and been reaped: its pid names no process. */
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	char sub[300], p[400];
	snprintf(sub, sizeof sub, "%s/tmps", dir);
	T_CHECK(mkdir(sub, 0700) == 0);
	const char *files[] = { "dl-%ld-x", ".part-id-%ld", "a.tmp.%ld", "keep.dmp" };
	for (int k = 0; k < 4; k++) {
		char name[64];
		snprintf(name, sizeof name, files[k], (long)gone);
		snprintf(p, sizeof p, "%s/%s", sub, name);
		FILE *f = fopen(p, "w");
		T_CHECK(f && fputs("12345", f) >= 0 && fclose(f) == 0);
	}
	/* one of a live process (ours): never swept */
	snprintf(p, sizeof p, "%s/dl-%ld-y", sub, (long)getpid());
	FILE *f = fopen(p, "w");
	T_CHECK(f && fclose(f) == 0);
	cd_tmp_count c = { 0, 0 };
	T_CHECK(cd_tmp_sweep(sub, 0, &c) == CD_OK && c.files == 3 && c.bytes == 15);
	memset(&c, 0, sizeof c);
	T_CHECK(cd_tmp_sweep(sub, 1, &c) == CD_OK && c.files == 3);
	memset(&c, 0, sizeof c);
	T_CHECK(cd_tmp_sweep(sub, 0, &c) == CD_OK && c.files == 0);
	snprintf(p, sizeof p, "%s/keep.dmp", sub);
	T_CHECK(access(p, F_OK) == 0);
	snprintf(p, sizeof p, "%s/dl-%ld-y", sub, (long)getpid());
	T_CHECK(access(p, F_OK) == 0);
	T_CHECK(cd_tmp_sweep("/nonexistent/dir", 1, &c) == CD_OK);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_util.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	T_RUN(test_dir_files);
	T_RUN(test_retry_after);
	T_RUN(test_tmp_sweep);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd)) {
	}
	return t_done();
}
