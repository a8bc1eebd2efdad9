/*
 * worker.h - the one background thread that walks dumps and opens symbol
 * files, so that input is never frozen: the UI posts jobs and reads the
 * results between keypresses, through these calls only (the struct is the
 * worker's own, worker_int.h). The symbol store is touched only by this
 * thread; what it hands back (documents, dumps, mapped caches) is
 * read-only from then on and safe to read from the UI thread.
 *
 * Calls marked "under the lock" expect worker_lock() held; what they
 * return is valid until worker_unlock(). The others take the lock
 * themselves.
 *
 * Ownership: crashes (documents, proc_crash) and opened sym caches belong
 * to the worker and live until worker_free().
 */
#ifndef CD_TUI_WORKER_H
#define CD_TUI_WORKER_H

#include <stdint.h>

#include <jansson.h>

#include "../crashstats/crashstats.h"
#include "../process/process.h"
#include "../report/report.h"
#include "../store/store.h"
#include "../symbols/symbols.h"

/* A crash of Crash Stats is a crash of the session whose path is
 * CS_PATH_PREFIX followed by its id: the worker reads it from the store
 * (fetching it first when it is not there) instead of walking a file. */
#define CS_PATH_PREFIX REP_CS_PREFIX

typedef struct tui_worker tui_worker;

typedef enum cs_job_state { CSJ_IDLE, CSJ_ASKED, CSJ_RUNNING, CSJ_DONE, CSJ_FAILED } cs_job_state;
typedef enum crash_state { CRASH_PENDING, CRASH_WORKING, CRASH_READY, CRASH_FAILED } crash_state;

/* One crash of the session, as the worker last left it. */
typedef struct tui_crash {
	char *path;
	crash_state state;
	json_t *doc;         /* the processed crash, when READY */
	rep_crash *rep;      /* what doc came from; NULL for a Crash Stats crash */
	const md_dump *dump; /* the dump behind doc, for its memory (in rep);
			      * NULL for a processed crash read as JSON */
	char error[512];     /* when FAILED */
	uint32_t seq;        /* bumped on each change, so the UI knows to redraw */
} tui_crash;

/* Starts the thread over the given dumps (paths are copied) into *out;
 * the stores are borrowed and used by the worker thread only. A dump is
 * opened with store at once (rep_open(): its result from the cache of
 * db_path when the symbols on disk are the same, else walked and kept
 * there), then, when net is given, the symbols it still lacks are
 * downloaded in the background and it is walked again, so frames fill in.
 * db_path: the cache's database (the worker opens its own connection;
 * NULL: none). Each change writes a byte to notify_fd (non-blocking; -1
 * for none). */
int worker_start(tui_worker **out, sym_store *store, sym_store *net, const char *db_path,
		 char *const *paths, uint32_t npaths, int notify_fd);
/* Stops the thread and frees everything; NULL is fine. */
void worker_free(tui_worker *w);
void worker_lock(tui_worker *w);
void worker_unlock(tui_worker *w);

/* Bumped on every change; read without the lock. */
uint32_t worker_seq(tui_worker *w);

/* ---- crashes ------------------------------------------------------------- */

/* Under the lock. The array behind them may move when a crash is added:
 * index afresh each time. */
uint32_t worker_ncrashes(const tui_worker *w);
const tui_crash *worker_crash(const tui_worker *w, uint32_t i); /* NULL: no such crash */
/* Puts crash i at the head of the queue. */
void worker_want(tui_worker *w, uint32_t i);
/* The crash of path in the session, added when it is not (path copied),
 * queued again when it failed (a fetch offline, say); its index, or -1
 * when out of memory. */
int worker_open(tui_worker *w, const char *path);
/* Fetches one module's symbols again (ignoring a remembered 404), then
 * walks crash i again. */
void worker_retry(tui_worker *w, uint32_t i, const char *debug_file, const char *debug_id,
		  const char *code_file, const char *code_id);

/* What the worker is busy with, for the status line (under the lock;
 * strings borrowed). */
typedef struct worker_activity {
	const char *walking;      /* the dump being walked, or NULL */
	uint32_t threads_done, threads_total; /* 0 of 0: not counted yet */
	int downloading;          /* fetching the symbols of the walked dump */
	sym_progress dl;
	int reprocessing;         /* the walk is a compare's */
	const char *fetching;     /* a Crash Stats crash id, or NULL */
	int searching;
	size_t search_done, search_wanted;
} worker_activity;
void worker_activity_get(const tui_worker *w, worker_activity *out);

/* ---- symbols ---------------------------------------------------------- */

/* Asks for a module's symbols from the store. */
void worker_want_symbols(tui_worker *w, const char *debug_file, const char *debug_id);
/* Asks for a .sym file's cache (built under cache_dir when missing or
 * stale; cache_dir is borrowed). */
void worker_want_symfile(tui_worker *w, const char *path, const char *cache_dir);
typedef struct worker_symbols {
	const sym_cache *cache;   /* NULL: none (status and error say why) */
	sym_status status;
	const sym_report *report; /* a .sym file's anomalies; NULL: not known (yet) */
	char error[512];
} worker_symbols;
/* 1 with *out filled once the last request is answered, else 0. The
 * cache and report stay valid until the next request. */
int worker_symbols_answer(tui_worker *w, worker_symbols *out);
/* 1 with *out once the anomalies of c (a .sym file's cache the last
 * answer gave) are known: a current cache opens at once and its source is
 * checked afterwards. Valid until the next request. */
int worker_symbols_report(tui_worker *w, const sym_cache *c, const sym_report **out);

/* ---- naming addresses --------------------------------------------------- */

/* Asks for the names of addresses in crash i's modules (copied; the
 * memory, disassembly and PHC panes): "module!function+0xoff" where the
 * store has the module's symbols, "module+0xoff" without. It replaces an
 * earlier request; returns the request's number. */
uint32_t worker_want_names(tui_worker *w, uint32_t crash, const uint64_t *addrs, size_t n);
typedef struct worker_names {
	uint32_t request;         /* the request answered; 0: none yet */
	uint32_t crash;
	const uint64_t *addrs;
	char *const *names;       /* names[k] of addrs[k]; "" outside every module */
	size_t n;
} worker_names;
/* Under the lock: the last answer (borrowed until the next request). */
void worker_names_get(const tui_worker *w, worker_names *out);

/* ---- Crash Stats ------------------------------------------------------------ */

/* Gives the worker Crash Stats' configuration (copied; cfg NULL: no
 * Crash Stats, stored crashes only); symkey names the session's symbols
 * in stored reprocess results. Call after worker_start(). */
void worker_cs_setup(tui_worker *w, const cs_config *cfg, const char *symkey);
/* Asks for a search (q is taken over and reset) of up to limit hits from
 * offset; offset 0 starts a new result, more hits are appended. */
void worker_cs_search(tui_worker *w, cs_query *q, const char *text, size_t limit,
		      size_t offset);
/* Asks for crash i (a Crash Stats one, with its dump stored) to be walked
 * locally and compared with Socorro's processing, signed with the lists
 * of lists_dir ("" or NULL: built-in). */
void worker_cs_compare(tui_worker *w, int i, const char *lists_dir);
/* Stops a running search or fetch between requests; 1 when one ran. */
int worker_cs_cancel(tui_worker *w);

/* Under the lock: the last search's result so far (borrowed). */
typedef struct worker_search {
	cs_job_state state;
	json_t *hits, *facets;    /* NULL before any */
	int64_t total;            /* what the server counted */
	const char *msg;          /* why it failed; token-free */
	uint32_t seq;             /* bumped when hits or facets change */
} worker_search;
void worker_search_get(const tui_worker *w, worker_search *out);

/* Under the lock: the last compare (borrowed). */
typedef struct worker_compare {
	cs_job_state state;
	json_t *diff;             /* cs_reprocess_diff()'s report, when DONE */
	const char *msg;          /* why it failed */
	uint32_t seq;
} worker_compare;
void worker_compare_get(const tui_worker *w, worker_compare *out);

#endif
