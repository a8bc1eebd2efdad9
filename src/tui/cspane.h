/*
 * cspane.h - the Crash Stats panes' rows and the search prompt's syntax:
 * a search's hits and facets, and the differences a local reprocess found
 * from Socorro's processing. New JSON arrays the caller owns; what they
 * are built from is borrowed.
 */
#ifndef CD_TUI_CSPANE_H
#define CD_TUI_CSPANE_H

#include <stddef.h>

#include <jansson.h>

#include "../crashstats/crashstats.h"

/* Splits what the user typed into arguments the way a shell would ('...',
 * "..." with \" and \\, a backslash outside quotes) and adds each to q as
 * `crashdesk search` takes them: --FIELD=VALUE filters and controls, and
 * --num N|all (into *limit; 0 for all). CD_EUSAGE with the reason in e. */
int cspane_parse_query(const char *text, cs_query *q, size_t *limit, cd_err *e);
/* The text of a --FIELD==TERM filter (exact match) to append to a query,
 * quoted so cspane_parse_query() reads the term back whole. */
void cspane_refine(const char *field, const char *term, char *buf, size_t n);

/* The rows of the results pane: a heading ("N of TOTAL crashes"), one row
 * per hit (its columns as text, "_id" its crash id, "stored" when stored
 * has that id as a key), and a last "_more" row while fewer than total are
 * shown. state/msg say whether the search runs or failed. */
json_t *cspane_results_rows(json_t *hits, int64_t total, int running, const char *msg,
			    const char *query, json_t *stored, size_t page);
/* facet, term, count; a heading per field; term rows carry "_field". */
json_t *cspane_facet_rows(json_t *facets);
/* what, socorro, local: a report of cs_reprocess_diff(). */
json_t *cspane_compare_rows(json_t *diff);

#endif
