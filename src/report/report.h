/*
 * report.h - opening a crash, the one service below the CLI and the TUI:
 * a minidump walked (or its processed result reused from the cache when
 * the dump, its symbols and its annotations are the same), a processed
 * crash read as JSON, or a Crash Stats crash from the store, each as
 * rust-minidump's processed crash (the document `crashdesk walk --json`
 * prints, which every pane and the signer read).
 *
 *   dump --sha256--> cache key (dump, symbols on disk, annotations, layout)
 *        (a dump over 64 MiB: the SHA-256 of the bytes its parse reads,
 *        md_dump.content_id, so a sparse file's holes are never read)
 *        --hit-->  stored JSON (and the dump kept for its memory)
 *        --miss--> proc_crash_open() --> JSON --> stored under the key the
 *                  walk's symbols make (downloads included)
 *
 * Ownership: a rep_crash and everything in it belong to the caller
 * (rep_free()); the options' stores are borrowed.
 */
#ifndef CD_REPORT_H
#define CD_REPORT_H

#include <stdatomic.h>
#include <stdio.h>

#include <jansson.h>

#include "../process/process.h"
#include "../store/store.h"
#include "../symbols/symbols.h"

/* The layout of the JSON walks give: stored results of an older layout
 * are not reused. Bump it with every change to what the walk or the JSON
 * gives. */
#define REP_LAYOUT "json:rm11"

/* A Crash Stats crash named as a path: the prefix and its id. */
#define REP_CS_PREFIX "crashstats:"

typedef enum rep_source {
	REP_WALKED,   /* the dump walked now */
	REP_REUSED,   /* the dump's processed result from the cache */
	REP_JSON,     /* a processed crash read from a .json file */
	REP_STORED,   /* a Crash Stats crash from the store */
} rep_source;

typedef struct rep_opts {
	sym_store *symbols;       /* for a walk; NULL: no symbols */
	store *db;                /* the cache; NULL: nothing reused or kept */
	const char *annotations;  /* the raw crash as a JSON file; NULL: the dump's .extra */
	int reuse;                /* a stored result will do */
	int text_only;            /* the text is enough: a reused result is not parsed, a
				   * walk's is written a thread at a time (doc NULL) */
	int store_later;          /* a walk's result is not stored now: rep_keep() will */
	int keep_dump;            /* a reused result keeps its dump open (memory) */
	int walk_only;            /* without a db: the walk is enough, no document is
				   * made (doc and text NULL; --human's memory) */
	proc_progress_fn progress;
	void *progress_ctx;
	const atomic_int *cancel; /* may be NULL */
} rep_opts;

typedef struct rep_crash {
	rep_source source;
	json_t *doc;              /* the processed crash; NULL with text_only */
	char *text;               /* doc as compact JSON, for a dump (walked or reused) */
	proc_crash *walk;         /* REP_WALKED: the walk */
	md_dump *dump;            /* REP_REUSED with keep_dump: the dump */
	char sha256[65];          /* of the dump; "" when not hashed */
	/* the dump's modules, for saying which lack symbols */
	sym_module_ref *mods;
	size_t nmods;
} rep_crash;

/* Opens path: a minidump (walked, or reused with o->reuse), a processed
 * crash as .json (either `walk --json`'s document or Socorro's processed
 * crash with its json_dump), or "crashstats:ID" from o->db. A walk's
 * result is stored in o->db unless a thread failed. Fails with e filled
 * (the file's name in it) when the file cannot be read, CD_ECANCELED on
 * *cancel. */
int rep_open(const char *path, const rep_opts *o, rep_crash **out, cd_err *e);
/* Stores a walk's result in o->db (opened with store_later, say, so that
 * it is shown before it is stored); nothing for results not walked now or
 * walks with a failed thread. */
int rep_keep(rep_crash *c, const char *path, const rep_opts *o, cd_err *e);
/* The dump's memory: the walk's dump, the one kept, or NULL (JSON). */
const md_dump *rep_dump(const rep_crash *c);
/* Threads whose walk failed (0 when not walked now). */
uint32_t rep_failed(const rep_crash *c);
/* A stored Crash Stats crash as the panes read it: Socorro's json_dump
 * with the raw crash as its annotations and "_crashstats" (id, signature,
 * product, version, channel, date, and where its dump is or why it is
 * not, after dump_note when given). CD_ENOTFOUND when not stored. */
int rep_stored_crash(store *db, const char *id, const char *dump_note, json_t **doc, cd_err *e);
/* A copy of a processed crash without the fields its users add to it
 * (names starting with "_": the TUI's "_symbol_status" of each module,
 * "_crashstats"), as the walk made it. New reference. */
json_t *rep_as_walked(json_t *v);
void rep_free(rep_crash *c);

#endif
