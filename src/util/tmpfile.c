/*
 * tmpfile.c - temporaries left behind by killed processes. Everything
 * crashdesk writes lands first under a temporary name that carries the
 * writer's pid; a process killed mid-write leaves it behind. These names
 * are recognised here, so that one sweep serves the symbol downloads, the
 * cache builder and the dump downloads of `crashdesk fetch`.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The decimal number at p that runs to end_char, 0 when there is none. */
static long pid_at(const char *p, char end_char)
{
	if (*p < '0' || *p > '9')
		return 0;
	char *end;
	long pid = strtol(p, &end, 10);
	return *end == end_char ? pid : 0;
}

/* The writer's pid from a temporary's name, 0 when it is not one:
 * "dl-PID-XXXXXX" (a symbol download), "NAME.tmp.PID" (a symbol cache
 * being built), ".part-ID-PID" (a minidump being fetched). */
long cd_tmp_owner(const char *name)
{
	if (!strncmp(name, "dl-", 3)) {
		long pid = pid_at(name + 3, '-');
		return pid && strchr(name + 3, '-')[1] ? pid : 0;
	}
	const char *t = strstr(name, ".tmp.");
	if (t && t != name)
		return pid_at(t + 5, 0);
	if (!strncmp(name, ".part-", 6)) {
		const char *dash = strrchr(name, '-');
		return dash > name + 6 ? pid_at(dash + 1, 0) : 0;
	}
	return 0;
}

int cd_tmp_sweep(const char *dir, int remove, cd_tmp_count *out)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return errno == ENOENT ? CD_OK : CD_EIO;
	struct dirent *de;
	while ((de = readdir(dp))) {
		long pid = cd_tmp_owner(de->d_name);
		if (pid <= 0)
			continue;
		/* Only another process's, and only when that process is gone. */
		if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char p[4096];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (remove && unlink(p) != 0)
			continue;
		if (out) {
			out->files++;
			out->bytes += (uint64_t)st.st_size;
		}
	}
	closedir(dp);
	return CD_OK;
}
