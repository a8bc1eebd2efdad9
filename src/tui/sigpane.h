/*
 * sigpane.h - rows of the signature pane (the signature, Socorro's notes
 * and every frame's fate with the list line behind it) and of the tuning
 * pane (a corpus re-signed with other lists: what changed, merged, split).
 * New JSON arrays the caller owns; results and reports are borrowed.
 */
#ifndef CD_TUI_SIGPANE_H
#define CD_TUI_SIGPANE_H

#include <jansson.h>

#include "../signature/signature.h"

/* frame, function, normalized, fate, list; "_list" and "_line" name the
 * list line of a frame's fate (absent when no list decided). */
json_t *sigpane_rows(const sig_result *r);
/* A signature as lines, one per frame (split at " | "): fn gets each with
 * first or rest before it, n counting from 0. Never cuts the signature. */
typedef void (*sigpane_line_fn)(void *ctx, int n, const char *line);
void sigpane_split(const char *sig, const char *first, const char *rest, sigpane_line_fn fn,
		   void *ctx);
/* key/value rows of a re-sign: totals, each old -> new pair ("_pair"),
 * merged and split buckets ("_bucket", "_kind"). */
json_t *sigpane_resig_rows(const sig_resig_report *rep, const char *baseline,
			   const char *lists);

#endif
