/*
 * test_walk.c - the amd64 stackwalker against Breakpad's minidump_stackwalk
 * -m output for every amd64 corpus dump: the crashing thread's frames
 * (inline frames counted as frames, as Breakpad prints them) compared by
 * module, function, file and line.
 *
 * Asserted: frame 0 agrees on every dump, and the share of agreeing frames
 * does not fall below the floor recorded below, raised as the walker
 * improves (issue 4 asks for 95 %). Every disagreement is printed and
 * explained in docs/CONFORMANCE.md.
 */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/minidump/minidump.h"
#include "../src/process/process.h"
#include "../src/symbols/symbols.h"
#include "../src/unwind/unwind.h"
#include "testlib.h"

#define WALK_FLOOR_AMD64 97.5 /* 1055/1081 when last raised */
#define WALK_FLOOR_X86 100.0 /* 344/344 when written */

typedef struct flat { char module[256], function[4096], file[1024]; long line; } flat;

static const sym_cache *supply(void *ctx, const md_module *m)
{
	sym_status st;
	return m->debug_file[0] ? sym_store_get(ctx, m->debug_file, m->debug_id, &st) : NULL;
}

/* Our frames, flattened the way Breakpad prints them. */
static int flatten(const walk_stack *s, flat *out, int max)
{
	int n = 0;
	for (uint32_t i = 0; i < s->nframes && n < max; i++) {
		const walk_frame *f = &s->frames[i];
		const char *mod = f->module ? cd_basename(f->module->code_file) : "";
		if (f->has_function)
			for (uint32_t k = 0; k < f->sym.ninlines && n < max; k++, n++) {
				snprintf(out[n].module, sizeof out[n].module, "%s", mod);
				snprintf(out[n].function, sizeof out[n].function, "%s", f->sym.inlines[k].function);
				snprintf(out[n].file, sizeof out[n].file, "%s", f->sym.inlines[k].file);
				out[n].line = (long)f->sym.inlines[k].line;
			}
		if (n == max)
			break;
		snprintf(out[n].module, sizeof out[n].module, "%s", mod);
		snprintf(out[n].function, sizeof out[n].function, "%s",
			 f->has_function ? f->sym.function : "");
		snprintf(out[n].file, sizeof out[n].file, "%s", f->has_function ? f->sym.file : "");
		out[n].line = f->has_function ? (long)f->sym.line : 0;
		n++;
	}
	return n;
}

static long total[2], agreed[2]; /* amd64, x86 */

static void check(const char *shared, const char *name, sym_store *store)
{
	char path[1024], tname[300];
	snprintf(tname, sizeof tname, "walk/%.250s", name);
	snprintf(path, sizeof path, "%s/corpus/expected/%s.stackwalk.m.txt", shared, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	static flat want[512];
	int nw = 0, crashing = -1;
	static char line[16384];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "Crash|", 6)) {
			crashing = atoi(strrchr(line, '|') + 1);
			continue;
		}
		if (crashing < 0 || line[0] < '0' || line[0] > '9' || atoi(line) != crashing || nw == 512)
			continue;
		char *fld[7] = { 0 }, *p = line;
		for (int k = 0; k < 7 && p; k++) {
			fld[k] = p;
			p = strchr(p, '|');
			if (p)
				*p++ = 0;
		}
		if (!fld[6])
			continue;
		snprintf(want[nw].module, sizeof want[nw].module, "%s", fld[2]);
		snprintf(want[nw].function, sizeof want[nw].function, "%s", fld[3]);
		snprintf(want[nw].file, sizeof want[nw].file, "%s", fld[4]);
		want[nw].line = atol(fld[5]);
		nw++;
	}
	fclose(f);
	snprintf(path, sizeof path, "%s/corpus/dumps/%s.dmp", shared, name);
	md_dump *d;
	cd_err e;
	if (md_open(path, &d, &e) != CD_OK)
		return;
	int cpu = d->sysinfo.cpu == MD_CPU_AMD64 ? 0 : d->sysinfo.cpu == MD_CPU_X86 ? 1 : -1;
	if (cpu < 0 || !nw || crashing < 0 ||
	    (uint32_t)crashing >= d->nthreads) {
		md_close(d);
		return; /* other CPUs: not walked yet */
	}
	const md_thread *t = &d->threads[crashing];
	const md_context *ctx = d->exception.has_context && d->exception.thread_id == t->id
					? &d->exception.context : &t->context;
	walk_stack s;
	if (walk_thread(d, t, ctx, supply, store, &s, &e) != CD_OK) {
		printf("FAIL %s: %s\n", tname, e.msg);
		t_nfail++;
		md_close(d);
		return;
	}
	static flat got[512];
	int ng = flatten(&s, got, 512);
	int same = 0;
	char first_diff[600] = "";
	for (int i = 0; i < nw; i++) {
		int ok = i < ng && !strcmp(got[i].module, want[i].module) &&
			 !strcmp(got[i].function, want[i].function) &&
			 !strcmp(got[i].file, want[i].file) && got[i].line == want[i].line;
		same += ok;
		if (!ok && !first_diff[0])
			snprintf(first_diff, sizeof first_diff,
				 "frame %d: crashdesk %s!%.120s %s:%ld, Breakpad %s!%.120s %s:%ld", i,
				 i < ng ? got[i].module : "(none)", i < ng ? got[i].function : "",
				 i < ng ? got[i].file : "", i < ng ? got[i].line : 0, want[i].module,
				 want[i].function, want[i].file, want[i].line);
	}
	total[cpu] += nw;
	agreed[cpu] += same;
	if (same < 1 || strcmp(got[0].function, want[0].function)) {
		printf("FAIL %s: frame 0 differs: %s\n", tname, first_diff);
		t_nfail++;
	} else {
		printf("ok %s (%d/%d frames agree)%s%s\n", tname, same, nw, first_diff[0] ? "; first difference: " : "", first_diff);
	}
	walk_stack_free(&s);
	md_close(d);
}

int main(void)
{
	const char *shared = t_shared();
	char dir[1024], cache[256];
	snprintf(dir, sizeof dir, "%s/corpus/dumps", shared);
	DIR *dp = opendir(dir);
	if (!dp) {
		printf("skip walk: %s is absent (the shared corpus sits beside the checkout)\n", dir);
		return 0;
	}
	snprintf(cache, sizeof cache, "/tmp/crashdesk-test-walk-%d", (int)getpid());
	mkdir(cache, 0700);
	char syms[1024];
	snprintf(syms, sizeof syms, "%s/corpus/symbols", shared);
	const char *paths[1] = { syms };
	sym_store *store;
	cd_err e;
	if (sym_store_new(paths, 1, cache, &store, &e) != CD_OK)
		return 1;
	struct dirent *de;
	while ((de = readdir(dp))) {
		size_t n = strlen(de->d_name);
		if (n > 4 && !strcmp(de->d_name + n - 4, ".dmp")) {
			char name[300];
			snprintf(name, sizeof name, "%.*s", (int)(n - 4), de->d_name);
			check(shared, name, store);
		}
	}
	closedir(dp);
	sym_store_free(store);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", cache);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", cache);
	static const char *cpus[2] = { "amd64", "x86" };
	static const double floor[2] = { WALK_FLOOR_AMD64, WALK_FLOOR_X86 };
	for (int c = 0; c < 2; c++) {
		double pct = total[c] ? 100.0 * (double)agreed[c] / (double)total[c] : 100.0;
		printf("# %s crashing-thread frames agreeing with Breakpad: %ld/%ld (%.1f%%)\n",
		       cpus[c], agreed[c], total[c], pct);
		/* The floor this walker reached when written; only ever raised. */
		if (total[c] && pct < floor[c]) {
			printf("FAIL walk/agreement-%s: %.1f%% is below the recorded %.1f%%\n", cpus[c],
			       pct, floor[c]);
			t_nfail++;
		} else if (total[c]) {
			printf("ok walk/agreement-%s\n", cpus[c]);
		}
	}
	return t_done();
}
