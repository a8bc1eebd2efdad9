/*
 * worker_int.h - the worker's own state, for worker.c and csjobs.c only;
 * the UI goes through worker.h. Fields marked "under the lock" are read
 * by the UI's calls; the rest belong to the worker thread. Flags set by
 * one thread and read by the other without the lock are C11 atomics.
 */
#ifndef CD_TUI_WORKER_INT_H
#define CD_TUI_WORKER_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "worker.h"

/* The worker's Crash Stats side (issue 8): searches, fetches and local
 * reprocessing run on the worker thread like walks, so the UI never waits
 * for the network. */
typedef struct tui_cs {
	/* set by worker_cs_setup(); the worker thread's alone afterwards */
	cs_config cfg;            /* its token never leaves the client */
	int have_cfg;
	char db_path[4200];
	char symkey[2048];        /* names the symbols of stored reprocess results */
	store *db;                /* the worker's own connection (WAL) */
	cs_client *client;        /* made on first use */
	atomic_int cancel;        /* Esc or quit: stops between requests */
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

struct tui_worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int started, stop;
	atomic_int cancel;        /* asks a running walk to stop early */
	sym_store *store;         /* local stores and the download cache only */
	sym_store *net;           /* the same plus symbol servers; NULL: none */
	tui_crash *crashes;       /* under the lock */
	uint32_t ncrashes;
	int wanted;               /* crash the user is waiting for, -1: none */
	uint32_t next;            /* first crash not yet queued in order */
	/* under the lock: progress of the running job, for the status line */
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
	int sym_report_ready;     /* 0 while a current cache's source is checked */
	char sym_error[512];
	/* under the lock: addresses to name (worker_want_names) and the
	 * last answer */
	uint32_t names_asked, names_done; /* request numbers */
	uint32_t names_crash, answer_crash;
	uint64_t *names_addrs, *answer_addrs;
	size_t names_n, answer_n;
	char **answer_names;
	tui_cs cs;
	atomic_uint seq;          /* bumped on every change */
	int notify_fd;            /* written a byte on every change; -1: none */
};

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
