/*
 * crash.c - one dump processed: opened, every thread walked with the
 * symbols of a store, annotations loaded. Shared by `crashdesk walk` and
 * the TUI, which runs it off its input thread and watches progress.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../symbols/symbols.h"
#include "../unwind/unwind.h"
#include "process.h"

static const sym_cache *supply(void *ctx, const md_module *m)
{
	sym_status st;
	if (!ctx || !m->debug_file[0] || !m->debug_id[0])
		return NULL;
	sym_module_ref r = { m->debug_file, m->debug_id, m->code_file, m->code_id };
	return sym_store_find(ctx, &r, &st);
}

/* Never asks a server: a module no frame needed stays "not looked for". */
static int status_of(void *ctx, const md_module *m)
{
	if (!ctx || !m->debug_file[0] || !m->debug_id[0])
		return SYM_STATUS_MISSING;
	sym_module_ref r = { m->debug_file, m->debug_id, m->code_file, m->code_id };
	return sym_store_status(ctx, &r);
}

int proc_crash_module_status(const proc_crash *c, const md_module *m)
{
	return status_of(c->store, m);
}

static void load_annotations(proc_crash *c, const char *given)
{
	char extra[4096];
	const char *ap = given;
	if (!ap && proc_extra_path(c->path, extra, sizeof extra) == CD_OK)
		ap = extra;
	if (!ap)
		return;
	cd_err e;
	int rc = proc_annotations_load(ap, &c->annotations, &e);
	if (rc == CD_OK) {
		c->have_annotations = 1;
		return;
	}
	proc_annotations_free(&c->annotations);
	/* No .extra beside a dump is the common case, not a problem. */
	if (rc != CD_ENOTFOUND || given)
		snprintf(c->annotations_error, sizeof c->annotations_error, "%s", e.msg);
}

/* Walks before the last download of a lazy walk; never reached in
 * practice (each round brings a module in), a bound all the same. */
#define MAX_ROUNDS 16

static int set_why(proc_crash *c, uint32_t i, const char *msg)
{
	c->why[i] = strdup(msg);
	return c->why[i] ? CD_OK : CD_ENOMEM;
}

uint32_t proc_frame_limit_override(void)
{
	const char *env = getenv("CRASHDESK_MAX_FRAMES");
	if (!env || !*env)
		return 0;
	char *end;
	unsigned long v = strtoul(env, &end, 10);
	return *end == '\0' && v >= 1 && v <= 1000000 ? (uint32_t)v : 0;
}

/* How deep a thread is walked: the override, when set, for every thread
 * (tests cut stacks with it); else the walker's limits. */
static uint32_t frame_limit(int crashed)
{
	uint32_t v = proc_frame_limit_override();
	if (v)
		return v;
	return crashed ? WALK_MAX_FRAMES_CRASHED : WALK_MAX_FRAMES;
}

/* Walks every thread of c into c->stacks (again, when it was walked
 * before); a thread that cannot be walked says why in c->why. */
static int walk_threads(proc_crash *c, sym_store *store, proc_progress_fn progress,
			void *progress_ctx, const atomic_int *cancel, cd_err *e)
{
	const md_dump *d = c->dump;
	uint32_t n = d->nthreads;
	for (uint32_t i = 0; i < n; i++) {
		walk_stack_free(&c->stacks[i]);
		memset(&c->stacks[i], 0, sizeof c->stacks[i]);
		free(c->why[i]);
		c->why[i] = NULL;
	}
	c->nfailed = 0;
	/* What this walk asks for is what the JSON reports on. */
	if (store)
		sym_store_forget_asked(store);
	for (uint32_t i = 0; i < n; i++) {
		if (cancel && *cancel)
			return cd_errf(e, CD_ECANCELED, "%s: canceled after %u of %u threads", c->path,
				       i, n);
		const md_thread *t = &d->threads[i];
		int crashed = c->reason.has_exception && t->id == d->exception.thread_id;
		const md_context *ctx = crashed && d->exception.has_context ? &d->exception.context
									   : &t->context;
		cd_err we;
		int rc = CD_OK;
		if (!t->has_context && !(crashed && d->exception.has_context)) {
			rc = set_why(c, i, "no context");
		} else if (!crashed && d->breakpad.has_dump_thread && t->id == d->breakpad.dump_thread_id) {
			/* Breakpad's handler thread, caught writing the dump: its
			 * stack says nothing of the crash (rust-minidump skips it). */
			rc = set_why(c, i, "the dump-writer thread (BreakpadInfo)");
		} else if (walk_thread_max(d, t, ctx, supply, store,
					   frame_limit(crashed), &c->stacks[i], &we) != CD_OK) {
			c->nfailed++;
			rc = set_why(c, i, we.msg);
		}
		if (rc != CD_OK)
			return cd_errf(e, rc, "%s: out of memory", c->path);
		if (progress)
			progress(progress_ctx, i + 1, n);
	}
	return CD_OK;
}

int proc_crash_open(const char *dump_path, sym_store *store, const char *annotations_path,
		    proc_progress_fn progress, void *progress_ctx, const atomic_int *cancel,
		    proc_crash **out, cd_err *e)
{
	*out = NULL;
	proc_crash *c = calloc(1, sizeof *c);
	if (!c || !(c->path = strdup(dump_path))) {
		free(c);
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", dump_path);
	}
	c->store = store;
	c->crashing_thread = -1;
	int rc = md_open(dump_path, &c->dump, e);
	if (rc != CD_OK) {
		c->dump = NULL;
		proc_crash_free(c);
		return rc;
	}
	const md_dump *d = c->dump;
	proc_crash_reason(d, &c->reason);
	proc_analyze(d, &c->reason, &c->analysis);
	uint32_t n = d->nthreads;
	c->stacks = calloc(n ? n : 1, sizeof *c->stacks);
	c->why = calloc(n ? n : 1, sizeof *c->why);
	if (!c->stacks || !c->why) {
		proc_crash_free(c);
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", dump_path);
	}
	/* The last thread of the exception's id, as proc_json() picks it. */
	for (uint32_t i = 0; c->reason.has_exception && i < n; i++)
		if (d->threads[i].id == d->exception.thread_id)
			c->crashing_thread = (int)i;
	/* Lazily: the walk asks for what its frames touch; what only a server
	 * has is downloaded all at once, and the walk run again, until it asks
	 * for nothing new. A caller that made the store lazy itself fetches
	 * the queue on its own (several dumps at once, say): one walk here. */
	int caller_lazy = store ? sym_store_lazy(store, 1) : 1;
	for (int round = 1;; round++) {
		rc = walk_threads(c, store, progress, progress_ctx, cancel, e);
		if (rc != CD_OK || caller_lazy || !sym_store_queued(store))
			break;
		cd_err fe;
		if (round >= MAX_ROUNDS || sym_store_fetch_queued(store, cancel, &fe) != CD_OK) {
			sym_store_lazy(store, 0); /* what is left, one module at a time */
			rc = walk_threads(c, store, progress, progress_ctx, cancel, e);
			break;
		}
	}
	if (!caller_lazy)
		sym_store_lazy(store, 0);
	if (rc != CD_OK) {
		proc_crash_free(c);
		return rc;
	}
	load_annotations(c, annotations_path);
	*out = c;
	return CD_OK;
}

int proc_fetch_symbols(const char *const *paths, size_t n, sym_store *store, cd_err *e)
{
	if (!store || n < 2)
		return CD_OK; /* one dump: proc_crash_open() does the rounds */
	char *done = calloc(n, 1);
	if (!done)
		return cd_errf(e, CD_ENOMEM, "out of memory");
	int was = sym_store_lazy(store, 1), rc = CD_OK;
	for (int round = 0; round < MAX_ROUNDS; round++) {
		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			sym_store_counts before, after;
			sym_store_counts_get(store, &before);
			proc_crash *c;
			cd_err we;
			if (proc_crash_open(paths[i], store, NULL, NULL, NULL, NULL, &c, &we) == CD_OK)
				proc_crash_free(c);
			sym_store_counts_get(store, &after);
			done[i] = after.deferred == before.deferred;
		}
		if (!sym_store_queued(store) || (rc = sym_store_fetch_queued(store, NULL, e)) != CD_OK)
			break;
	}
	sym_store_lazy(store, was);
	free(done);
	return rc;
}

/* As rust-minidump reports it: a module's symbols are loaded, missing or
 * corrupt only where the walk looked for them (elsewhere all three are
 * false), and with no symbol store or server at none are missing. */
static int json_status_of(void *ctx, const md_module *m)
{
	const proc_crash *c = ctx;
	sym_store *store = c->store;
	if (!store)
		return SYM_STATUS_UNKNOWN;
	/* A module without a debug id cannot be looked up; one a frame lies
	 * in was looked for all the same, and is missing. */
	if (!m->debug_file[0] || !m->debug_id[0]) {
		for (uint32_t i = 0; sym_store_nsources(store) && i < c->dump->nthreads; i++)
			for (uint32_t k = 0; k < c->stacks[i].nframes; k++)
				if (c->stacks[i].frames[k].module == m)
					return SYM_STATUS_MISSING;
		return SYM_STATUS_UNKNOWN;
	}
	if (!sym_store_asked(store, m->debug_file, m->debug_id))
		return SYM_STATUS_UNKNOWN;
	int st = status_of(store, m);
	return st == SYM_STATUS_MISSING && !sym_store_nsources(store) ? SYM_STATUS_UNKNOWN : st;
}

void *proc_crash_json(const proc_crash *c)
{
	return proc_json(c->dump, c->stacks, json_status_of, (void *)c,
			 c->have_annotations ? &c->annotations : NULL, &c->analysis);
}

int proc_crash_text(const proc_crash *c, char **out)
{
	cd_buf b;
	cd_buf_init(&b, SIZE_MAX / 2); /* the document is as big as the dump makes it */
	int rc = proc_text(c->dump, c->stacks, json_status_of, (void *)c,
			   c->have_annotations ? &c->annotations : NULL, &c->analysis, &b);
	if (rc == CD_OK && !b.data)
		rc = CD_ENOMEM;
	if (rc != CD_OK) {
		cd_buf_free(&b);
		return rc;
	}
	*out = b.data;
	return CD_OK;
}

void proc_crash_free(proc_crash *c)
{
	if (!c)
		return;
	proc_analysis_free(&c->analysis);
	uint32_t n = c->dump ? c->dump->nthreads : 0;
	for (uint32_t i = 0; i < n; i++) {
		if (c->stacks)
			walk_stack_free(&c->stacks[i]);
		if (c->why)
			free(c->why[i]);
	}
	free(c->stacks);
	free(c->why);
	if (c->have_annotations)
		proc_annotations_free(&c->annotations);
	md_close(c->dump);
	free(c->path);
	free(c);
}
