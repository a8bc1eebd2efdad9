/* test_util.c - src/util pieces that several subsystems lean on: the
 * listing of a directory's dumps (walk, signature's resig, sym prefetch,
 * the TUI's crash list). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_util.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	T_RUN(test_dir_files);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd)) {
	}
	return t_done();
}
