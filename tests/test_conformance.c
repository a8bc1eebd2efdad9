/*
 * test_conformance.c - the minidump reader against Google Breakpad's
 * minidump_dump, for every corpus dump that has expected/NAME.dump.txt.
 *
 * Compared: every module's code file, base, size, debug file, debug id and
 * code id; every thread's id, stack start and stack size; the exception's
 * thread, code and address; OS (platform id) and CPU (architecture); and,
 * where Breakpad prints them, thread names, the pid and Breakpad info.
 *
 * Known Breakpad behaviour, not a disagreement: for macOS and iOS modules
 * Breakpad prints the placeholder code identifier "id"; those are counted
 * as placeholders and not compared (crashdesk leaves them empty, as
 * rust-minidump does for Mach-O modules without a code id).
 */
#include <dirent.h>
#include <stdio.h>

#include "../src/minidump/minidump.h"
#include "testlib.h"

enum { C_MODULES, C_THREADS, C_EXCEPTION, C_SYSTEM, C_EXTRA, NCAT };
static const char *cat_name[NCAT] = { "modules", "threads", "exception", "os/cpu",
				      "names, pid, breakpad info" };
static long compared[NCAT], matched[NCAT], placeholders;

typedef struct expect {
	char section[32]; /* "module", "thread", "exception", "sysinfo", ... */
	long index;
} expect;

static char diffs[4096];
static size_t ndiffs;

static void note(int cat, int ok, const char *where, const char *field, const char *got,
		 const char *want)
{
	compared[cat]++;
	if (ok) {
		matched[cat]++;
		return;
	}
	if (ndiffs < sizeof diffs - 200)
		ndiffs += (size_t)snprintf(diffs + ndiffs, sizeof diffs - ndiffs,
					   "%s%s %s: crashdesk \"%s\", Breakpad \"%s\"",
					   ndiffs ? "; " : "", where, field, got, want);
}

static void cmp_u64(int cat, const char *where, const char *field, uint64_t got, const char *want)
{
	char g[32];
	uint64_t w = strtoull(want, NULL, 0);
	snprintf(g, sizeof g, "0x%llx", (unsigned long long)got);
	note(cat, got == w, where, field, g, want);
}

/* Breakpad quotes strings: (code_file) = "x". */
static void unquote(char *v)
{
	size_t n = strlen(v);
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		memmove(v, v + 1, n - 2);
		v[n - 2] = 0;
	}
}

static void cmp_str(int cat, const char *where, const char *field, const char *got, char *want)
{
	unquote(want);
	note(cat, !strcmp(got ? got : "", want), where, field, got ? got : "", want);
}

static void check_field(const md_dump *d, const expect *s, const char *key, char *val)
{
	char where[64];
	snprintf(where, sizeof where, "%s[%ld]", s->section, s->index);
	if (!strcmp(s->section, "module")) {
		if (s->index >= (long)d->nmodules) {
			note(C_MODULES, 0, where, key, "(missing)", val);
			return;
		}
		const md_module *m = &d->modules[s->index];
		if (!strcmp(key, "base_of_image"))
			cmp_u64(C_MODULES, where, key, m->base, val);
		else if (!strcmp(key, "size_of_image"))
			cmp_u64(C_MODULES, where, key, m->size, val);
		else if (!strcmp(key, "(code_file)"))
			cmp_str(C_MODULES, where, key, m->code_file, val);
		else if (!strcmp(key, "(debug_file)"))
			cmp_str(C_MODULES, where, key, m->debug_file, val);
		else if (!strcmp(key, "(debug_identifier)"))
			cmp_str(C_MODULES, where, key, m->debug_id, val);
		else if (!strcmp(key, "(code_identifier)")) {
			if (!strcmp(val, "\"id\""))
				placeholders++;
			else
				cmp_str(C_MODULES, where, key, m->code_id, val);
		}
	} else if (!strcmp(s->section, "thread")) {
		if (s->index >= (long)d->nthreads) {
			note(C_THREADS, 0, where, key, "(missing)", val);
			return;
		}
		const md_thread *t = &d->threads[s->index];
		if (!strcmp(key, "thread_id"))
			cmp_u64(C_THREADS, where, key, t->id, val);
		else if (!strcmp(key, "stack.start_of_memory_range"))
			cmp_u64(C_THREADS, where, key, t->stack.base, val);
		else if (!strcmp(key, "stack.memory.data_size"))
			cmp_u64(C_THREADS, where, key, t->stack.size, val);
	} else if (!strcmp(s->section, "exception")) {
		if (!strcmp(key, "thread_id"))
			cmp_u64(C_EXCEPTION, where, key, d->exception.thread_id, val);
		else if (!strcmp(key, "exception_record.exception_code"))
			cmp_u64(C_EXCEPTION, where, key, d->exception.code, val);
		else if (!strcmp(key, "exception_record.exception_address"))
			cmp_u64(C_EXCEPTION, where, key, d->exception.address, val);
	} else if (!strcmp(s->section, "sysinfo")) {
		if (!strcmp(key, "processor_architecture"))
			cmp_u64(C_SYSTEM, where, key, d->sysinfo.arch, val);
		else if (!strcmp(key, "platform_id"))
			cmp_u64(C_SYSTEM, where, key, d->sysinfo.platform, val);
	} else if (!strcmp(s->section, "thread_name")) {
		static uint32_t id; /* thread_id precedes thread_name in each block */
		if (!strcmp(key, "thread_id")) {
			id = (uint32_t)strtoul(val, NULL, 0);
		} else if (!strcmp(key, "thread_name")) {
			const md_thread *t = md_find_thread(d, id);
			cmp_str(C_EXTRA, where, key, t ? t->name : "(no thread)", val);
		}
	} else if (!strcmp(s->section, "misc")) {
		if (!strcmp(key, "process_id"))
			cmp_u64(C_EXTRA, where, key, d->misc.pid, val);
	} else if (!strcmp(s->section, "breakpad")) {
		if (!strcmp(key, "dump_thread_id"))
			cmp_u64(C_EXTRA, where, key, d->breakpad.dump_thread_id, val);
		else if (!strcmp(key, "requesting_thread_id"))
			cmp_u64(C_EXTRA, where, key, d->breakpad.requesting_thread_id, val);
	}
}

/* Which section a heading line of minidump_dump's output opens. */
static int heading(const char *line, expect *s)
{
	static const struct { const char *prefix, *section; } heads[] = {
		{ "module[", "module" }, { "thread[", "thread" }, { "thread_name[", "thread_name" },
		{ "MDException", "exception" }, { "MDRawSystemInfo", "sysinfo" },
		{ "MDRawMiscInfo", "misc" }, { "MDRawBreakpadInfo", "breakpad" },
	};
	if (line[0] == ' ' || line[0] == '\n' || line[0] == 0)
		return 0;
	for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
		size_t n = strlen(heads[i].prefix);
		if (!strncmp(line, heads[i].prefix, n)) {
			snprintf(s->section, sizeof s->section, "%s", heads[i].section);
			s->index = strtol(line + n, NULL, 10);
			return 1;
		}
	}
	/* Any other heading (MDRawModule, MDRawThread...) continues the block
	 * for the record headings, ends it for the rest. */
	if (strncmp(line, "MDRaw", 5) || !strncmp(line, "MDRawDirectory", 14))
		s->section[0] = 0;
	return 1;
}

static void check_dump(const char *shared, const char *name)
{
	char dump[1024], exp[1024], tname[512];
	snprintf(dump, sizeof dump, "%s/corpus/dumps/%s.dmp", shared, name);
	snprintf(exp, sizeof exp, "%s/corpus/expected/%s.dump.txt", shared, name);
	snprintf(tname, sizeof tname, "conformance/%s", name);
	FILE *f = fopen(exp, "r");
	if (!f)
		return;
	md_dump *d;
	cd_err e;
	if (md_open(dump, &d, &e) != CD_OK) {
		printf("FAIL %s: %s\n", tname, e.msg);
		t_nfail++;
		fclose(f);
		return;
	}
	ndiffs = 0;
	diffs[0] = 0;
	long before = compared[C_MODULES] + compared[C_THREADS];
	expect s = { "", 0 };
	char line[8192];
	while (fgets(line, sizeof line, f)) {
		if (heading(line, &s) || !s.section[0])
			continue;
		char *eq = strstr(line, " = ");
		if (!eq)
			continue;
		char *key = line;
		while (*key == ' ')
			key++;
		char *end = eq;
		while (end > key && end[-1] == ' ')
			end--;
		*end = 0;
		char *val = eq + 3;
		val[strcspn(val, "\n")] = 0;
		/* "0x6b05eba5 2026-11-24 19:55:17": the number is the first word,
		 * but quoted strings keep their spaces. */
		if (val[0] != '"')
			val[strcspn(val, " ")] = 0;
		check_field(d, &s, key, val);
	}
	fclose(f);
	/* Every module and thread Breakpad listed was compared above; make
	 * sure crashdesk did not find more either. */
	long nexp_mod = 0, nexp_thr = 0;
	(void)before;
	f = fopen(exp, "r");
	while (f && fgets(line, sizeof line, f)) {
		if (!strncmp(line, "module[", 7))
			nexp_mod++;
		else if (!strncmp(line, "thread[", 7))
			nexp_thr++;
	}
	if (f)
		fclose(f);
	char got[32], want[32];
	snprintf(got, sizeof got, "%u", d->nmodules);
	snprintf(want, sizeof want, "%ld", nexp_mod);
	note(C_MODULES, d->nmodules == nexp_mod, "ModuleList", "count", got, want);
	snprintf(got, sizeof got, "%u", d->nthreads);
	snprintf(want, sizeof want, "%ld", nexp_thr);
	note(C_THREADS, d->nthreads == nexp_thr, "ThreadList", "count", got, want);
	md_close(d);
	if (ndiffs) {
		printf("FAIL %s: %s\n", tname, diffs);
		t_nfail++;
	} else {
		printf("ok %s\n", tname);
	}
}

int main(void)
{
	const char *shared = t_shared();
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpus/expected", shared);
	DIR *dp = opendir(dir);
	if (!dp) {
		printf("skip conformance: %s is absent (the shared corpus sits beside the checkout)\n", dir);
		return 0;
	}
	struct dirent *de;
	int n = 0;
	while ((de = readdir(dp))) {
		size_t len = strlen(de->d_name);
		if (len > 9 && !strcmp(de->d_name + len - 9, ".dump.txt")) {
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)(len - 9), de->d_name);
			check_dump(shared, name);
			n++;
		}
	}
	closedir(dp);
	printf("# conformance with Breakpad's minidump_dump over %d dumps:\n", n);
	for (int c = 0; c < NCAT; c++)
		printf("#   %-28s %ld/%ld fields agree\n", cat_name[c], matched[c], compared[c]);
	printf("#   code ids Breakpad prints as the placeholder \"id\" (not compared): %ld\n",
	       placeholders);
	return t_done();
}
