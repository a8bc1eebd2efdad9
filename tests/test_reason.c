/*
 * test_reason.c - crash reasons and addresses against Breakpad's
 * minidump_stackwalk -m output ("Crash|reason|address|thread") for every
 * corpus dump. Known, deliberate differences (rust-minidump's names, which
 * Socorro shows) are mapped before comparing; see src/process/reason.c.
 */
#include <stdio.h>

#include "../src/process/process.h"
#include "testlib.h"

/* Breakpad's spelling -> ours, where they differ on purpose. */
static void breakpad_to_ours(char *r, size_t n)
{
	/* Breakpad drops the space after the slash for SIGSEGV only. */
	size_t len = strlen(r);
	if (!strncmp(r, "SIGSEGV /", 9) && r[9] != ' ' && len + 1 < n) {
		memmove(r + 10, r + 9, len - 9 + 1);
		r[9] = ' ';
	}
	static const struct { const char *bp, *ours; } map[] = {
		{ "SIGSEGV / 0x00000000", "SIGSEGV" }, /* rust-minidump omits SI_USER */
		{ "SIGFPE / 0x00000000", "SIGFPE" },
		{ "0xc000000d / 0x00000000", "STATUS_INVALID_PARAMETER" },
		/* rust-minidump knows no Crashpad NSException code ("CPnx") and
		 * says "unknown" for every code it cannot name */
		{ "Uncaught NSException", "unknown 0x43506e78 / 0x00000000" },
		{ "0x00000000 / 0x00000000", "unknown 0x00000000 / 0x00000000" },
		{ "FAST_FAIL_FATAL_APP_EXIT", "EXCEPTION_STACK_BUFFER_OVERRUN / FAST_FAIL_FATAL_APP_EXIT" },
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (!strcmp(r, map[i].bp))
			snprintf(r, n, "%s", map[i].ours);
}

static int checked, agreed;

static void check_dump(const char *dir, const char *name)
{
	char path[512], exp[512], line[1024];
	snprintf(path, sizeof path, "%s/corpus/dumps/%s.dmp", dir, name);
	snprintf(exp, sizeof exp, "%s/corpus/expected/%s.stackwalk.m.txt", dir, name);
	FILE *f = fopen(exp, "r");
	if (!f)
		return;
	char want[256] = "";
	unsigned long long want_addr = 0;
	int found = 0;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "Crash|", 6)) {
			char *reason = line + 6, *bar = strchr(reason, '|');
			if (!bar)
				break;
			*bar = 0;
			snprintf(want, sizeof want, "%.200s", reason);
			want_addr = strtoull(bar + 1, NULL, 16);
			found = 1;
			break;
		}
	}
	fclose(f);
	if (!found)
		return;
	breakpad_to_ours(want, sizeof want);
	md_dump *d;
	cd_err e;
	char tname[300];
	snprintf(tname, sizeof tname, "reason/%.250s", name);
	if (md_open(path, &d, &e) != CD_OK) {
		printf("FAIL %s: %s\n", tname, e.msg);
		t_nfail++;
		return;
	}
	proc_reason r;
	proc_crash_reason(d, &r);
	checked++;
	/* Raised signals: crashdesk adds how they were raised. */
	size_t wl = strlen(want);
	int same = !strcmp(r.text, want) ||
		   (!strncmp(r.text, want, wl) && !strncmp(r.text + wl, " / SI_", 6) && !strchr(want, '/'));
	if (!same || (r.has_exception && r.address != want_addr)) {
		printf("FAIL %s: reason \"%s\" at 0x%llx, Breakpad \"%s\" at 0x%llx\n", tname,
		       r.text, (unsigned long long)r.address, want, want_addr);
		t_nfail++;
	} else {
		agreed++;
		printf("ok %s\n", tname);
	}
	md_close(d);
}

int main(void)
{
	const char *dir = t_shared();
	char list[512];
	snprintf(list, sizeof list, "%s/corpus/dumps", dir);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "ls %s 2>/dev/null", list);
	FILE *p = popen(cmd, "r");
	char name[300];
	while (p && fgets(name, sizeof name, p)) {
		size_t n = strlen(name);
		if (n > 5 && !strcmp(name + n - 5, ".dmp\n")) {
			name[n - 5] = 0;
			check_dump(dir, name);
		}
	}
	if (p)
		pclose(p);
	if (!checked)
		printf("skip reason/corpus: no dumps with expected output under %s/corpus\n", dir);
	else
		printf("# crash reasons: %d of %d agree with Breakpad (after documented renames)\n",
		       agreed, checked);
	return t_done();
}
