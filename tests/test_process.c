/*
 * test_process.c - proc_crash_open(), the one-dump API of the CLI and the
 * TUI: a synthetic dump (reason, crashing thread, a thread without context,
 * annotations good, bad and absent, progress, cancel, the JSON), and the
 * corpus dump own-fp-null_write_inline with its symbols (inline frames).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../src/minidump/minidump.h"
#include "../src/process/process.h"
#include "../src/symbols/symbols.h"
#include "../src/unwind/unwind.h"
#include "synth/synth.h"
#include "testlib.h"

#define MOD_BASE 0x10000000ull
#define STACK 0x7f0000000000ull

static char dir[64], dump[128], extra[128];

static void put64(uint8_t *p, uint64_t v)
{
	synth_put64(p, v);
}

/* Three threads: 10 (a frame-pointer chain of two frames), 11 (no
 * context), 12 (crashed: SIGSEGV at 0x8 with its own context in the
 * exception stream). */
static int write_dump(void)
{
	synth *s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64,
					       .platform = SYNTH_OS_LINUX, .ncpus = 2 });
	static uint8_t st[2][0x200];
	memset(st, 0, sizeof st);
	/* rbp -> [next rbp, return into the module] -> [0, 0]: one caller by
	 * frame pointer (a zero saved rbp would make the walker scan). */
	for (int i = 0; i < 2; i++) {
		put64(st[i] + 0x40, STACK + 0x1000 * (uint64_t)i + 0x80);
		put64(st[i] + 0x48, MOD_BASE + 0x2345);
	}
	uint64_t r[MD_MAX_REGS] = { 0 };
	synth_loc ctx[2];
	for (int i = 0; i < 2; i++) {
		r[MD_AMD64_RIP] = MOD_BASE + 0x1000 + 0x100 * (uint64_t)i;
		r[MD_AMD64_RSP] = STACK + 0x1000 * (uint64_t)i + 0x10;
		r[MD_AMD64_RBP] = STACK + 0x1000 * (uint64_t)i + 0x40;
		ctx[i] = synth_context(s, MD_CPU_AMD64, 0, r, MD_CONTEXT_AMD64 | SYNTH_CTX_ALL);
	}
	synth_thread t[3] = {
		{ .id = 10, .stack_base = STACK, .stack = st[0], .stack_size = sizeof st[0],
		  .context = ctx[0] },
		{ .id = 11 },
		{ .id = 12, .stack_base = STACK + 0x1000, .stack = st[1], .stack_size = sizeof st[1],
		  .context = ctx[1] },
	};
	synth_thread_list(s, t, 3, 0);
	synth_module m = { .base = MOD_BASE, .size = 0x10000, .name = "/opt/x/libx.so" };
	synth_module_list(s, &m, 1);
	synth_exception(s, &(synth_exc){ .thread_id = 12, .code = 11, .flags = 1, .address = 8,
					 .context = ctx[1] });
	int rc = synth_write_file(s, dump);
	synth_free(s);
	return rc;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	return f && fputs(text, f) != EOF && fclose(f) == 0 ? 0 : -1;
}

typedef struct watch {
	uint32_t calls, last_done, total;
	int monotonic;
	atomic_int *cancel_after; /* set to 1 after the first thread */
} watch;

static void on_progress(void *ctx, uint32_t done, uint32_t total)
{
	watch *w = ctx;
	if (done != w->last_done + 1)
		w->monotonic = 0;
	w->calls++;
	w->last_done = done;
	w->total = total;
	if (w->cancel_after)
		*w->cancel_after = 1;
}

static void test_synth_crash(void)
{
	proc_crash *c;
	cd_err e;
	watch w = { .monotonic = 1 };
	unlink(extra);
	T_EQ_U64(proc_crash_open(dump, NULL, NULL, on_progress, &w, NULL, &c, &e), CD_OK);
	T_EQ_STR(c->path, dump);
	T_EQ_STR(c->reason.text, "SIGSEGV / SEGV_MAPERR");
	T_EQ_U64(c->reason.address, 8);
	T_EQ_U64(c->dump->nthreads, 3);
	T_EQ_U64(c->crashing_thread, 2);
	/* Thread 0: context then its caller through the frame pointer. */
	T_ASSERT(c->stacks[0].nframes >= 2);
	T_EQ_U64(c->stacks[0].frames[0].trust, WALK_TRUST_CONTEXT);
	T_EQ_U64(c->stacks[0].frames[1].trust, WALK_TRUST_FRAME_POINTER);
	T_EQ_U64(md_context_pc(&c->stacks[0].frames[1].regs), MOD_BASE + 0x2345);
	T_ASSERT(c->why[0] == NULL);
	T_EQ_U64(c->stacks[1].nframes, 0);
	T_EQ_STR(c->why[1], "no context");
	T_EQ_U64(md_context_pc(&c->stacks[2].frames[0].regs), MOD_BASE + 0x1100);
	T_EQ_U64(c->nfailed, 0);
	/* No .extra beside the dump: nothing to say. */
	T_EQ_U64(c->have_annotations, 0);
	T_EQ_STR(c->annotations_error, "");
	T_EQ_U64(w.calls, 3);
	T_EQ_U64(w.total, 3);
	T_ASSERT(w.monotonic && w.last_done == 3);
	/* No store: every module lacks symbols. */
	T_EQ_U64(proc_crash_module_status(c, &c->dump->modules[0]), SYM_STATUS_MISSING);

	json_t *j = proc_crash_json(c);
	T_ASSERT(j);
	json_t *ci = json_object_get(j, "crash_info");
	T_EQ_U64(json_integer_value(json_object_get(ci, "crashing_thread")), 2);
	T_EQ_STR(json_string_value(json_object_get(ci, "type")), "SIGSEGV / SEGV_MAPERR");
	json_t *t0 = json_array_get(json_object_get(j, "threads"), 0);
	T_EQ_U64(json_integer_value(json_object_get(t0, "frame_count")), c->stacks[0].nframes);
	T_ASSERT(!json_object_get(j, "annotations"));
	json_decref(j);
	proc_crash_free(c);
}

static void test_annotations_beside_and_given(void)
{
	proc_crash *c;
	cd_err e;
	T_ASSERT(write_text(extra, "{\"ProductName\": \"Firefox\", \"Version\": \"140.0\"}") == 0);
	T_EQ_U64(proc_crash_open(dump, NULL, NULL, NULL, NULL, NULL, &c, &e), CD_OK);
	T_EQ_U64(c->have_annotations, 1);
	T_EQ_STR(proc_annotation(&c->annotations, "Version"), "140.0");
	json_t *j = proc_crash_json(c);
	T_EQ_STR(json_string_value(json_object_get(json_object_get(j, "annotations"), "ProductName")),
		 "Firefox");
	json_decref(j);
	proc_crash_free(c);

	/* A damaged .extra is reported with its line, and the crash still opens. */
	T_ASSERT(write_text(extra, "{\n\"ProductName\": \"Firefox\",\n\"Version\" 1}") == 0);
	T_EQ_U64(proc_crash_open(dump, NULL, NULL, NULL, NULL, NULL, &c, &e), CD_OK);
	T_EQ_U64(c->have_annotations, 0);
	T_ASSERT(strstr(c->annotations_error, extra) && strstr(c->annotations_error, "line 3"));
	proc_crash_free(c);

	/* A file asked for that is not there is worth saying. */
	char missing[160];
	snprintf(missing, sizeof missing, "%s/none.extra", dir);
	T_EQ_U64(proc_crash_open(dump, NULL, missing, NULL, NULL, NULL, &c, &e), CD_OK);
	T_ASSERT(strstr(c->annotations_error, missing) != NULL);
	proc_crash_free(c);
	unlink(extra);
}

static void test_cancel(void)
{
	proc_crash *c = (proc_crash *)&c;
	cd_err e;
	atomic_int cancel = 1;
	watch w = { .monotonic = 1 };
	T_EQ_U64(proc_crash_open(dump, NULL, NULL, on_progress, &w, &cancel, &c, &e), CD_ECANCELED);
	T_ASSERT(c == NULL);
	T_EQ_U64(w.calls, 0);
	/* Canceled from the progress callback after the first thread. */
	cancel = 0;
	w.cancel_after = &cancel;
	T_EQ_U64(proc_crash_open(dump, NULL, NULL, on_progress, &w, &cancel, &c, &e), CD_ECANCELED);
	T_ASSERT(c == NULL);
	T_EQ_U64(w.calls, 1);
	T_ASSERT(strstr(e.msg, dump) && strstr(e.msg, "1 of 3"));
	/* A cancel flag that stays 0 changes nothing. */
	cancel = 0;
	T_EQ_U64(proc_crash_open(dump, NULL, NULL, NULL, NULL, &cancel, &c, &e), CD_OK);
	T_EQ_U64(c->crashing_thread, 2);
	proc_crash_free(c);
}

static void test_bad_dump(void)
{
	proc_crash *c = (proc_crash *)&c;
	cd_err e;
	char bad[160];
	snprintf(bad, sizeof bad, "%s/bad.dmp", dir);
	T_ASSERT(write_text(bad, "MDMP but not really") == 0);
	T_ASSERT(proc_crash_open(bad, NULL, NULL, NULL, NULL, NULL, &c, &e) != CD_OK);
	T_ASSERT(c == NULL);
	T_ASSERT(strstr(e.msg, bad) != NULL);
	unlink(bad);
	snprintf(bad, sizeof bad, "%s/absent.dmp", dir);
	T_ASSERT(proc_crash_open(bad, NULL, NULL, NULL, NULL, NULL, &c, &e) != CD_OK);
	T_ASSERT(strstr(e.msg, bad) != NULL);
}

/* The frames as Breakpad prints them: inline frames first, innermost
 * first; returns the index of name in the crashing thread, or -1. */
static int flat_index(const walk_stack *s, const char *name)
{
	int n = 0;
	for (uint32_t i = 0; i < s->nframes; i++) {
		const walk_frame *f = &s->frames[i];
		if (!f->has_function) {
			n++;
			continue;
		}
		for (uint32_t k = 0; k < f->sym.ninlines; k++, n++)
			if (strstr(f->sym.inlines[k].function, name) == f->sym.inlines[k].function)
				return n;
		if (strstr(f->sym.function, name) == f->sym.function)
			return n;
		n++;
	}
	return -1;
}

static void test_corpus_inline(void)
{
	const char *shared = t_shared();
	char path[512], syms[512], cache[160];
	snprintf(path, sizeof path, "%s/corpus/dumps/own-fp-null_write_inline.dmp", shared);
	snprintf(syms, sizeof syms, "%s/corpus/symbols", shared);
	if (access(path, R_OK) != 0 || access(syms, R_OK) != 0)
		T_SKIP("%s or %s is absent (the shared corpus sits beside the checkout)", path, syms);
	snprintf(cache, sizeof cache, "%s/cache", dir);
	const char *paths[1] = { syms };
	sym_store *store;
	cd_err e;
	T_ASSERT(sym_store_new(paths, 1, cache, &store, &e) == CD_OK);
	proc_crash *c;
	watch w = { .monotonic = 1 };
	if (proc_crash_open(path, store, NULL, on_progress, &w, NULL, &c, &e) != CD_OK) {
		sym_store_free(store);
		T_FAILF("%s", e.msg);
		return;
	}
	T_EQ_STR(c->reason.text, "SIGSEGV / SEGV_MAPERR");
	T_ASSERT(c->crashing_thread >= 0);
	T_EQ_U64(w.calls, c->dump->nthreads);
	const walk_stack *s = &c->stacks[c->crashing_thread];
	T_ASSERT(s->nframes >= 3);
	T_ASSERT(s->frames[0].has_function);
	T_ASSERT(s->frames[0].sym.ninlines >= 2);
	int cell = flat_index(s, "storage::store_cell"), fill = flat_index(s, "storage::fill_block");
	T_ASSERT(cell >= 0 && fill >= 0);
	T_ASSERT(cell < fill); /* store_cell was inlined into fill_block */
	T_EQ_STR(cd_basename(s->frames[0].sym.inlines[0].file), "crashme.cc");
	T_EQ_U64(s->frames[1].trust, WALK_TRUST_CFI);
	T_EQ_U64(c->have_annotations, 1);
	T_EQ_U64(proc_crash_module_status(c, s->frames[0].module), SYM_STATUS_LOADED);
	json_t *j = proc_crash_json(c);
	json_t *f0 = json_array_get(json_object_get(json_object_get(j, "crashing_thread"), "frames"), 0);
	T_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(f0, "inlines"), 0),
						   "function")),
		 s->frames[0].sym.inlines[0].function);
	json_decref(j);
	proc_crash_free(c);
	sym_store_free(store);
}

/* Writes s to path (freeing s) and processes it without symbols: the
 * crash, or NULL after reporting why. */
static proc_crash *open_synth(synth *s, const char *path)
{
	int rc = synth_write_file(s, path);
	synth_free(s);
	proc_crash *c;
	cd_err e;
	if (rc != 0 || proc_crash_open(path, NULL, NULL, NULL, NULL, NULL, &c, &e) != CD_OK) {
		fprintf(stderr, "%s: %s\n", path, rc ? "cannot write" : e.msg);
		return NULL;
	}
	return c;
}

/* A Windows thread's last error: the TEB's LastErrorValue, 13 pointers
 * in, named as rust-minidump names it; a thread whose TEB is not in the
 * dump has none (null). */
static void test_last_error(void)
{
	char path[160];
	snprintf(path, sizeof path, "%s/win.dmp", dir);
	synth *s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64,
					       .platform = SYNTH_OS_WINDOWS, .ncpus = 1 });
	static uint8_t teb[2][0x100];
	memset(teb, 0, sizeof teb);
	synth_put32(teb[0] + 13 * 8, 5);          /* ERROR_ACCESS_DENIED */
	synth_put32(teb[1] + 13 * 8, 0xc0000022u); /* STATUS_ACCESS_DENIED */
	synth_thread t[3] = { { .id = 1, .teb = 0x7ffd0000 }, { .id = 2, .teb = 0x7ffe0000 },
			      { .id = 3, .teb = 0x7fff0000 } };
	synth_thread_list(s, t, 3, 0);
	synth_region r[2] = { { 0x7ffd0000, teb[0], sizeof teb[0] },
			      { 0x7ffe0000, teb[1], sizeof teb[1] } };
	synth_memory_list(s, r, 2);
	proc_crash *c = open_synth(s, path);
	T_ASSERT(c);
	if (!c)
		return;
	json_t *j = proc_crash_json(c);
	json_t *th = json_object_get(j, "threads");
	T_EQ_STR(json_string_value(json_object_get(json_array_get(th, 0), "last_error_value")),
		 "ERROR_ACCESS_DENIED");
	T_EQ_STR(json_string_value(json_object_get(json_array_get(th, 1), "last_error_value")),
		 "STATUS_ACCESS_DENIED");
	T_ASSERT(json_is_null(json_object_get(json_array_get(th, 2), "last_error_value")));
	json_decref(j);
	proc_crash_free(c);
}

/* Mozilla's streams: /proc/self/limits (MozLinuxLimits) read as
 * rust-minidump reads it, MozSoftErrors' JSON as it is; and the pid of
 * /proc/self/status without MiscInfo. */
static void test_moz_streams(void)
{
	char path[160];
	snprintf(path, sizeof path, "%s/moz.dmp", dir);
	synth *s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64,
					       .platform = SYNTH_OS_LINUX, .ncpus = 1 });
	static const char limits[] =
		"Limit                     Soft Limit           Hard Limit           Units     \n"
		"Max cpu time              unlimited            unlimited            seconds   \n"
		"Max open files            1024                 524288               files     \n";
	static const char soft[] = "[{\"InitErrors\":[\"x\"]}]";
	static const char status[] = "Name:\tcrashme\nPid:\t4242\nPPid:\t1\n";
	synth_stream(s, 0x4d7a0003, limits, sizeof limits - 1);
	synth_stream(s, 0x4d7a0004, soft, sizeof soft - 1);
	synth_stream(s, 0x47670004, status, sizeof status - 1);
	proc_crash *c = open_synth(s, path);
	T_ASSERT(c);
	if (!c)
		return;
	json_t *j = proc_crash_json(c);
	json_t *l = json_object_get(json_object_get(j, "proc_limits"), "limits");
	T_EQ_U64(json_array_size(l), 2);
	json_t *files = json_array_get(l, 1);
	T_EQ_STR(json_string_value(json_object_get(files, "name")), "Max open files");
	T_EQ_U64(json_integer_value(json_object_get(files, "soft")), 1024);
	T_EQ_U64(json_integer_value(json_object_get(files, "hard")), 524288);
	T_EQ_STR(json_string_value(json_object_get(files, "unit")), "files");
	T_EQ_STR(json_string_value(json_object_get(json_array_get(l, 0), "soft")), "unlimited");
	json_t *se = json_object_get(j, "soft_errors");
	T_EQ_STR(json_string_value(json_array_get(json_object_get(json_array_get(se, 0), "InitErrors"), 0)),
		 "x");
	T_EQ_U64(json_integer_value(json_object_get(j, "pid")), 4242);
	json_decref(j);
	proc_crash_free(c);
}

/* An exception without a context (fuzz_process found it): the bit flips
 * of the crash address are still looked for, without registers. */
static void test_flips_without_context(void)
{
	char path[160];
	snprintf(path, sizeof path, "%s/noctx.dmp", dir);
	synth *s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64,
					       .platform = SYNTH_OS_LINUX, .ncpus = 1 });
	static const char maps[] = "00400000-00401000 r-xp 00000000 08:01 1 /bin/crash\n";
	synth_stream(s, 0x47670009, maps, sizeof maps - 1);
	synth_thread t = { .id = 7 };
	synth_thread_list(s, &t, 1, 0);
	synth_exception(s, &(synth_exc){ .thread_id = 7, .code = 11, .flags = 1, .address = 0x45 });
	proc_crash *c = open_synth(s, path);
	T_ASSERT(c);
	if (!c)
		return;
	T_EQ_U64(c->analysis.decoded, 0);
	T_EQ_U64(c->analysis.nflips, 1);
	T_EQ_U64(c->analysis.flips[0].address, 0x400045);
	proc_crash_free(c);
}

/* The handle data stream (each descriptor, with its type and object
 * names) and macOS boot arguments, as rust-minidump writes them. */
static void test_handles_and_bootargs(void)
{
	char path[160];
	snprintf(path, sizeof path, "%s/handles.dmp", dir);
	synth *s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64,
					       .platform = SYNTH_OS_MAC, .ncpus = 1 });
	uint32_t file = synth_string(s, "File"), name = synth_string(s, "\\Device\\Null");
	uint32_t args = synth_string(s, "-v keepsyms=1");
	uint8_t h[16 + 2 * 32] = { 0 };
	synth_put32(h, 16);
	synth_put32(h + 4, 32);
	synth_put32(h + 8, 2);
	synth_put64(h + 16, 4);
	synth_put32(h + 24, file);
	synth_put32(h + 28, name);
	synth_put64(h + 48, 8);
	synth_stream(s, 12, h, sizeof h);
	uint8_t b[12];
	synth_put32(b, 0x4d7a0002);
	synth_put64(b + 4, args);
	synth_stream(s, 0x4d7a0002, b, sizeof b);
	proc_crash *c = open_synth(s, path);
	T_ASSERT(c);
	if (!c)
		return;
	json_t *j = proc_crash_json(c);
	json_t *hs = json_object_get(j, "handles");
	T_EQ_U64(json_array_size(hs), 2);
	T_EQ_U64(json_integer_value(json_object_get(json_array_get(hs, 0), "handle")), 4);
	T_EQ_STR(json_string_value(json_object_get(json_array_get(hs, 0), "type_name")), "File");
	T_EQ_STR(json_string_value(json_object_get(json_array_get(hs, 0), "object_name")),
		 "\\Device\\Null");
	T_ASSERT(json_is_null(json_object_get(json_array_get(hs, 1), "type_name")));
	T_EQ_STR(json_string_value(json_object_get(j, "mac_boot_args")), "-v keepsyms=1");
	json_decref(j);
	proc_crash_free(c);
}

/* MozMacosCrashInfoStream: a version-5 record, its numbers and strings
 * (an empty one absent), in the JSON and --human as rust-minidump has them. */
static void test_mac_crash_info(void)
{
	char path[160];
	snprintf(path, sizeof path, "%s/maccrash.dmp", dir);
	synth *s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64,
					       .platform = SYNTH_OS_MAC, .ncpus = 1 });
	uint8_t rec[48 + 64] = { 0 };
	synth_put64(rec, 0x4d7a0001);
	synth_put64(rec + 8, 5);
	synth_put64(rec + 16, 0x1234);
	synth_put64(rec + 32, 6);
	static const char strs[] = "/usr/lib/libobjc.A.dylib\0abort() called\0\0bt\0\0";
	memcpy(rec + 48, strs, sizeof strs - 1);
	uint32_t at = synth_append(s, rec, 48 + sizeof strs - 1);
	uint8_t h[12 + 8 * 20] = { 0 };
	synth_put32(h, 0x4d7a0001);
	synth_put32(h + 4, 1);
	synth_put32(h + 8, 48);
	synth_put32(h + 12, 48 + sizeof strs - 1);
	synth_put32(h + 16, at);
	synth_stream(s, 0x4d7a0001, h, sizeof h);
	proc_crash *c = open_synth(s, path);
	T_ASSERT(c);
	if (!c)
		return;
	json_t *j = proc_crash_json(c);
	json_t *mi = json_object_get(j, "mac_crash_info");
	T_EQ_U64(json_integer_value(json_object_get(mi, "num_records")), 1);
	json_t *r = json_array_get(json_object_get(mi, "records"), 0);
	T_EQ_STR(json_string_value(json_object_get(r, "thread")), "0x0000000000001234");
	T_ASSERT(json_is_null(json_object_get(r, "dialog_mode")));
	T_EQ_STR(json_string_value(json_object_get(r, "abort_cause")), "0x0000000000000006");
	T_EQ_STR(json_string_value(json_object_get(r, "module")), "/usr/lib/libobjc.A.dylib");
	T_EQ_STR(json_string_value(json_object_get(r, "message")), "abort() called");
	T_ASSERT(json_is_null(json_object_get(r, "signature_string")));
	T_EQ_STR(json_string_value(json_object_get(r, "backtrace")), "bt");
	json_decref(j);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	proc_crash_human(c, 1, f);
	fclose(f);
	T_CHECK(strstr(text, "Mac Crash Info:\n  Record 0\n    thread: 0x4660\n    abort_cause: 0x6\n"
			     "    module: /usr/lib/libobjc.A.dylib\n    message: abort() called\n"
			     "    backtrace: bt\n\n") != NULL);
	free(text);
	proc_crash_free(c);
}

/* The text written a thread and a module at a time is the tree's, byte for
 * byte, on every corpus dump walked with its symbols. */
static void test_text_is_tree(void)
{
	const char *shared = t_shared();
	char dumps[512], syms[512], cache[160];
	snprintf(dumps, sizeof dumps, "%s/corpus/dumps", shared);
	snprintf(syms, sizeof syms, "%s/corpus/symbols", shared);
	char **names;
	size_t n;
	cd_err e;
	if (access(syms, R_OK) != 0 || cd_dir_files(dumps, ".dmp", 0, &names, &n, &e) != CD_OK)
		T_SKIP("%s is absent (the shared corpus sits beside the checkout)", dumps);
	snprintf(cache, sizeof cache, "%s/textcache", dir);
	const char *paths[1] = { syms };
	sym_store *store;
	T_ASSERT(sym_store_new(paths, 1, cache, &store, &e) == CD_OK);
	size_t same = 0;
	for (size_t i = 0; i < n; i++) {
		proc_crash *c;
		if (proc_crash_open(names[i], store, NULL, NULL, NULL, NULL, &c, &e) != CD_OK)
			continue;
		json_t *doc = proc_crash_json(c);
		char *tree = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL, *text = NULL;
		if (tree && proc_crash_text(c, &text) == CD_OK && !strcmp(tree, text))
			same++;
		else
			T_FAILF("%s: the streamed text differs from the tree", names[i]);
		free(tree);
		free(text);
		json_decref(doc);
		proc_crash_free(c);
	}
	T_ASSERT(same >= 68);
	cd_dir_files_free(names, n);
	sym_store_free(store);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/cd-process-XXXXXX");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	snprintf(dump, sizeof dump, "%s/crash.dmp", dir);
	snprintf(extra, sizeof extra, "%s/crash.extra", dir);
	if (write_dump() != 0) {
		perror(dump);
		return 1;
	}
	T_RUN(test_synth_crash);
	T_RUN(test_annotations_beside_and_given);
	T_RUN(test_cancel);
	T_RUN(test_bad_dump);
	T_RUN(test_corpus_inline);
	T_RUN(test_last_error);
	T_RUN(test_moz_streams);
	T_RUN(test_flips_without_context);
	T_RUN(test_handles_and_bootargs);
	T_RUN(test_mac_crash_info);
	T_RUN(test_text_is_tree);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return t_done();
}
