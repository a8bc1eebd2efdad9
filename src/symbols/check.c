/*
 * check.c - a symbol file's anomalies: how a report collects them (the
 * build's and this file's), and reading them without building a cache, for
 * the sym-file browser when the cache was already current.
 */
#include <string.h>

#include "internal.h"

typedef struct checker {
	sym_report *r;
	int has_module;
} checker;

void sym__report_add(sym_report *r, uint64_t line, int damaged, const char *msg)
{
	if (damaged)
		r->damaged = 1;
	r->ndiags_total++;
	if (r->ndiags >= 1000)
		return;
	/* Grown in blocks of 64 from the arena; at 1000 entries the copies
	 * stay small. */
	if (r->ndiags % 64 == 0) {
		sym_diag *d = cd_arena_calloc(&r->arena, r->ndiags + 64, sizeof *d);
		if (!d)
			return;
		if (r->ndiags)
			memcpy(d, r->diags, r->ndiags * sizeof *d);
		r->diags = d;
	}
	sym_diag *d = &r->diags[r->ndiags++];
	d->line = line;
	d->damaged = damaged;
	d->message = cd_arena_strndup(&r->arena, msg, strlen(msg));
}

static void c_diag(void *ctx, uint64_t line, int damaged, const char *msg)
{
	sym__report_add(((checker *)ctx)->r, line, damaged, msg);
}

static void c_module(void *ctx, uint64_t line, const char *os, const char *arch, const char *id,
		     const char *name)
{
	(void)line, (void)os, (void)arch, (void)id, (void)name;
	((checker *)ctx)->has_module = 1;
}

int sym_check_file(const char *sym_path, sym_report *report, cd_err *e)
{
	memset(report, 0, sizeof *report);
	cd_arena_init(&report->arena, 0);
	checker c = { report, 0 };
	sym_sink sink = { .ctx = &c, .module = c_module, .diag = c_diag };
	int rc = sym_parse(sym_path, &sink, &report->counts, e);
	if (rc != CD_OK)
		return rc;
	if (!c.has_module)
		sym__report_add(report, 1, 1, "no MODULE line");
	return CD_OK;
}
