/*
 * worker.h - the one background thread that walks dumps and opens symbol
 * files, so that input is never frozen: the UI posts jobs and polls for
 * results between keypresses. The symbol store is touched only by this
 * thread; what it hands back (documents, dumps, mapped caches) is read-only
 * from then on and safe to read from the UI thread.
 *
 * Ownership: crashes (documents, proc_crash) and opened sym caches belong to
 * the worker and live until worker_free().
 */
#ifndef CD_TUI_WORKER_H
#define CD_TUI_WORKER_H

#include <pthread.h>
#include <stdint.h>

#include <jansson.h>

#include "../crashstats/crashstats.h"
#include "../process/process.h"
#include "../store/store.h"
#include "../symbols/symbols.h"

/* A crash of Crash Stats is a crash of the session whose path is
 * CS_PATH_PREFIX followed by its id: the worker reads it from the store
 * (fetching it first when it is not there) instead of walking a file. */
#define CS_PATH_PREFIX "crashstats:"

typedef enum cs_job_state { CSJ_IDLE, CSJ_ASKED, CSJ_RUNNING, CSJ_DONE, CSJ_FAILED } cs_job_state;

/* The worker's Crash Stats side (issue 8): searches, fetches and local
 * reprocessing run on the worker thread like walks, so the UI never waits
 * for the network. Fields below "under the lock" are shared with the UI. */
typedef struct tui_cs {
	/* set by worker_cs_setup(); the worker thread's alone afterwards */
	cs_config cfg;            /* its token never leaves the client */
	int have_cfg;
	char db_path[4200];
	char symkey[2048];        /* names the symbols of stored reprocess results */
	store *db;                /* the worker's own connection (WAL) */
	cs_client *client;        /* made on first use */
	volatile int cancel;      /* Esc or quit: stops between requests */
	/* under the lock: the search asked for and its answer */
	cs_job_state search;
	cs_query query;           /* owned by the worker from worker_cs_search() */
	size_t limit, offset;     /* offset > 0: more hits of the same search */
	size_t done, total_wanted;/* progress of the running search */
	json_t *hits, *facets;    /* the result so far (hits grow with "more") */
	int64_t total;            /* what the server counted */
	char query_text[1024];    /* as the user typed it */
	char search_msg[512];     /* why it failed; token-free */
	uint32_t search_seq;      /* bumped when hits or facets change */
	/* under the lock: the crash being fetched ("" when none) */
	char fetching[CS_ID_LEN + 1];
	/* under the lock: compare with Socorro */
	cs_job_state compare;
	int compare_crash;
	char compare_lists[4096]; /* signature lists dir, "" built-in */
	json_t *compare_diff;     /* cs_reprocess_diff()'s report */
	char compare_msg[512];
	uint32_t compare_seq;
} tui_cs;

typedef enum crash_state { CRASH_PENDING, CRASH_WORKING, CRASH_READY, CRASH_FAILED } crash_state;

typedef struct tui_crash {
	char *path;
	crash_state state;   /* written by the worker under the lock */
	json_t *doc;         /* the processed crash, when READY */
	proc_crash *pc;      /* the dump behind doc, for its memory */
	char error[512];     /* when FAILED */
	uint32_t seq;        /* bumped on each change, so the UI knows to redraw */
} tui_crash;

typedef struct tui_worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int started, stop;
	volatile int cancel;      /* asks a running walk to stop early */
	sym_store *store;         /* local stores and the download cache only */
	sym_store *net;           /* the same plus symbol servers; NULL: none */
	tui_crash *crashes;
	uint32_t ncrashes;
	int wanted;               /* crash the user is waiting for, -1: none */
	uint32_t next;            /* first crash not yet queued in order */
	/* progress of the running job, for the status line */
	int busy;
	uint32_t busy_crash, threads_done, threads_total;
	int downloading;          /* fetching the symbols busy_crash lacks */
	sym_progress dl;
	/* a module's symbols to fetch again (the modules pane), then re-walk */
	int want_retry;           /* 1 asked */
	uint32_t retry_crash;
	char retry_debug_file[256], retry_debug_id[64], retry_code_file[256], retry_code_id[128];
	/* symbols wanted by the UI (the sym browser): a module's from the
	 * store, or a .sym file's own cache under cache_dir */
	char want_debug_file[256], want_debug_id[64], want_path[4096];
	const char *cache_dir;    /* borrowed */
	int want_sym;             /* 1 asked, 2 answered */
	const sym_cache *sym_answer;
	sym_status sym_answer_status;
	sym_cache *sym_owned;     /* a .sym file's cache: closed by worker_free */
	sym_report sym_report;    /* its anomalies, when it was (re)built */
	char sym_error[512];
	tui_cs cs;
	uint32_t seq;             /* bumped on every change */
	int notify_fd;            /* written a byte on every change; -1: none */
} tui_worker;

/* Starts the thread over the given dumps (paths are copied); the stores
 * are borrowed and used by the worker thread only. A dump is walked with
 * store at once (what is on disk), then, when net is given, the symbols it
 * still lacks are downloaded in the background and it is walked again, so
 * frames fill in. Each change writes a byte to notify_fd (non-blocking;
 * -1 for none). */
int worker_start(tui_worker *w, sym_store *store, sym_store *net, char *const *paths,
		 uint32_t npaths, int notify_fd);
/* Fetches one module's symbols again (ignoring a remembered 404), then
 * walks crash i again. */
void worker_retry(tui_worker *w, uint32_t i, const char *debug_file, const char *debug_id,
		  const char *code_file, const char *code_id);
/* Puts crash i at the head of the queue. */
void worker_want(tui_worker *w, uint32_t i);
/* Asks for a module's symbols; poll want_sym == 2 under the lock. */
void worker_want_symbols(tui_worker *w, const char *debug_file, const char *debug_id);
/* Asks for a .sym file's cache (built when missing or stale). */
void worker_want_symfile(tui_worker *w, const char *path, const char *cache_dir);
/* Appends a crash to the session (path copied); returns its index, or -1
 * when out of memory. The crashes array may move: the UI thread indexes
 * it afresh each time and the worker re-reads it under the lock. */
int worker_add(tui_worker *w, const char *path);

/* Gives the worker Crash Stats' configuration (copied) and the database
 * file it opens its own connection to (cfg NULL: no Crash Stats, stored
 * crashes only); symkey names the session's symbols in stored reprocess
 * results. Call after worker_start(). */
void worker_cs_setup(tui_worker *w, const cs_config *cfg, const char *db_path,
		     const char *symkey);
/* Asks for a search (q is taken over and reset) of up to limit hits from
 * offset; offset 0 starts a new result, more hits are appended. */
void worker_cs_search(tui_worker *w, cs_query *q, const char *text, size_t limit,
		      size_t offset);
/* Asks for crash i (a Crash Stats one, with its dump stored) to be walked
 * locally and compared with Socorro's processing, signed with the lists
 * of lists_dir ("" or NULL: built-in). */
void worker_cs_compare(tui_worker *w, int i, const char *lists_dir);
/* Stops a running search or fetch between requests. */
void worker_cs_cancel(tui_worker *w);
void worker_lock(tui_worker *w);
void worker_unlock(tui_worker *w);
void worker_free(tui_worker *w);

/* Between worker.c and csjobs.c (the worker thread only). */
void worker__bump(tui_worker *w); /* under the lock */
/* proc_crash_open()'s progress callback (ctx: the worker): threads walked,
 * for the status line. */
void worker__walk_progress(void *ctx, uint32_t done, uint32_t total);
/* Under the lock: runs an asked search or compare (unlocking meanwhile);
 * 1 when it did, 0 when there was none. */
int worker__cs_step(tui_worker *w);
/* Without the lock: the document of Crash Stats crash id, from the store,
 * fetched into it first when absent; NULL with e filled. */
json_t *worker__cs_open(tui_worker *w, const char *id, cd_err *e);
void worker__cs_free(tui_worker *w);

#endif
