/*
 * symbrowse.h - the sym-file browser's rows: every function of a symbol
 * cache served straight from the mapping (no copy, so half a million
 * functions cost nothing until shown), an address lookup with its inline
 * chain, and the anomalies the parser reported.
 *
 * Ownership: the cache and report are borrowed and must outlive their use.
 */
#ifndef CD_TUI_SYMBROWSE_H
#define CD_TUI_SYMBROWSE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../symbols/symbols.h"

typedef struct symbrowse {
	const sym_cache *c;
	uint32_t n;                /* rows: nfuncs FUNC records, then npublics PUBLIC ones */
	uint32_t nfuncs, npublics;
	const sym_report *report;  /* NULL: not known (the cache was already built) */
} symbrowse;

void symbrowse_init(symbrowse *b);
void symbrowse_set(symbrowse *b, const sym_cache *c);
void symbrowse_set_report(symbrowse *b, const sym_report *r);
uint32_t symbrowse_count(const symbrowse *b);
/* tui_cell_fn over the functions: address, size, name, file, inlines. */
const char *symbrowse_cell(void *ctx, uint32_t row, const char *field, char *buf, size_t n);
/* Key/value rows of the lookup of a module-relative address. */
json_t *symbrowse_lookup_rows(const symbrowse *b, uint64_t addr);
/* line, kind, message rows of the report. */
json_t *symbrowse_check_rows(const symbrowse *b);

#endif
