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

#include "../process/process.h"
#include "../symbols/symbols.h"

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
void worker_lock(tui_worker *w);
void worker_unlock(tui_worker *w);
void worker_free(tui_worker *w);

#endif
