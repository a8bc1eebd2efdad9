/*
 * store.h - crashdesk's SQLite database: the recently opened crashes and
 * the processed results, under $XDG_CACHE_HOME/crashdesk/crashdesk.db.
 *
 * The database is in WAL mode (synchronous=NORMAL): a process killed at
 * any moment leaves it usable, and every committed write survives the
 * kill. Every write is one transaction. The schema carries a version
 * (PRAGMA user_version) and is brought forward on open by the numbered
 * SQL steps in store.c; a database written by a newer crashdesk is
 * refused, as is a file that is not crashdesk's database. The database and
 * its -wal and -shm files are private to the user (mode 0600). Nothing
 * secret is stored.
 *
 * A store is one SQLite connection: use it from one thread at a time
 * (several processes may share the file; writers wait up to 5 s for each
 * other). Strings in returned structs are owned as stated per function.
 */
#ifndef CD_STORE_H
#define CD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/* The schema version this build writes; older databases are migrated. */
#define STORE_SCHEMA_VERSION 4

typedef struct store store;

/* Opens the database at path, creating it (mode 0600) and its schema when
 * absent; path NULL means $XDG_CACHE_HOME/crashdesk/crashdesk.db (the
 * directory is created 0700). Caller owns *out and closes it with
 * store_close(). Errors name the path: CD_EIO when it cannot be opened or
 * written, CD_EFORMAT when it is not crashdesk's database, is damaged, or
 * has a schema newer than STORE_SCHEMA_VERSION. */
int store_open(const char *path, store **out, cd_err *e);
void store_close(store *st);
/* The database file's path; borrowed from st. */
const char *store_path(const store *st);
/* SQLite's consistency check of the whole file (PRAGMA quick_check);
 * CD_EFORMAT with the first problem when the file is damaged. */
int store_check(store *st, cd_err *e);

/* ---- recently opened crashes ------------------------------------------- */

typedef enum store_kind { STORE_DUMP, STORE_DIR } store_kind;

/* What processing learnt about a crash; any field may be NULL (unknown). */
typedef struct store_summary {
	const char *product, *version;
	const char *crash_reason, *crash_address; /* address as text, "0x..." */
	const char *crash_function;               /* top frame of the crashing thread */
	const char *signature;                    /* Socorro signature, once there is one */
	const char *module;                       /* module of the crashing frame */
} store_summary;

typedef struct store_recent {
	char *path; /* absolute */
	store_kind kind;
	char sha256[65];          /* lowercase hex of a dump's bytes; "" for a directory */
	uint64_t size;            /* bytes of a dump; 0 for a directory */
	int64_t mtime_ns;         /* modification time when last opened */
	int64_t first_opened, last_opened; /* Unix seconds */
	uint64_t open_count;
	int64_t summary_at;       /* when the summary was written; 0: no summary */
	char *product, *version, *crash_reason, *crash_address, *crash_function, *signature,
		*module; /* NULL when unknown */
} store_recent;

/* Records that path (a minidump file, or a directory of them) was opened:
 * a new row, or the existing one with its open count raised and its last
 * opened time now. The path is made absolute. A dump is hashed (SHA-256)
 * unless its size and mtime match the row's, and a dump whose content
 * changed loses its old summary. The hash goes into sha256_out when not
 * NULL ("" for a directory), for store_processed_get(). */
int store_recent_touch(store *st, const char *path, store_kind kind, char sha256_out[65],
		       cd_err *e);
/* The same for a dump whose key the caller already has (64 lowercase hex:
 * the key its processed results are stored under, report.c's dump_key()),
 * so that the file is not read again: a big dump is never hashed whole. */
int store_recent_touch_key(store *st, const char *path, const char *key, cd_err *e);
/* Replaces the summary of path's row; CD_ENOTFOUND when path has none. */
int store_recent_update_summary(store *st, const char *path, const store_summary *s,
				cd_err *e);
/* At most max rows (0: all), most recently opened first. The caller owns
 * *out (and every string in it) and frees it with store_recent_free(). */
int store_recent_list(store *st, size_t max, store_recent **out, size_t *n, cd_err *e);
void store_recent_free(store_recent *rows, size_t n);
/* Removes path's row (as given, or made absolute, so a file deleted since
 * can be forgotten too); CD_ENOTFOUND when there was none. */
int store_recent_forget(store *st, const char *path, cd_err *e);

/* ---- processed results --------------------------------------------------- */

/* Largest processed JSON stored (bytes). */
#define STORE_PROCESSED_MAX (256u << 20)

/* Stores the processed JSON of the dump with SHA-256 sha256 (64 lowercase
 * hex digits) walked with the symbol set named by symkey (any non-empty
 * text the caller derives from the symbols used), replacing an older
 * entry. Compressed with zlib when that is smaller. */
int store_processed_put(store *st, const char *sha256, const char *symkey, const char *json,
			cd_err *e);
/* The stored JSON in *json (NUL-terminated, caller frees it with free())
 * and, when made_at is not NULL, when it was stored (Unix seconds).
 * CD_ENOTFOUND when there is no entry; CD_EFORMAT when it is damaged. */
int store_processed_get(store *st, const char *sha256, const char *symkey, char **json,
			int64_t *made_at, cd_err *e);

/* Calls fn with the newest processed result of each stored dump (its
 * SHA-256 and JSON text, borrowed for the call); fn returns non-zero to
 * stop. Damaged entries are passed over. */
typedef int (*store_processed_fn)(void *ctx, const char *sha256, const char *json);
int store_processed_each(store *st, store_processed_fn fn, void *ctx, cd_err *e);
/* How many processed results are stored. */
int64_t store_processed_count(store *st);

/* ---- the symbol-file index ------------------------------------------------ */

/* One symbol file crashdesk looked up. status is "ok", "missing" or
 * "damaged"; source, path and cache_file may be NULL. In lists, every
 * string is owned by the row (store_symfile_free()). */
typedef struct store_symfile {
	const char *debug_file, *debug_id, *source, *path, *status, *cache_file;
	uint64_t size;
	int64_t fetched_at, last_used; /* Unix seconds; last_used 0 on put: now */
	int remote;                    /* downloaded (the cache owns the file) */
} store_symfile;

/* Inserts or updates rows[0..n) in one transaction (fetched_at is kept
 * while path and size are unchanged). */
int store_symfile_put(store *st, const store_symfile *rows, size_t n, cd_err *e);
/* Every row, least recently used first. */
int store_symfile_list(store *st, store_symfile **out, size_t *n, cd_err *e);
void store_symfile_free(store_symfile *rows, size_t n);
int store_symfile_forget(store *st, const char *debug_file, const char *debug_id, cd_err *e);

/* Named counters (hits, downloads, ...): adds deltas in one transaction. */
int store_counter_add(store *st, const char *const *names, const int64_t *deltas, size_t n,
		      cd_err *e);
/* A counter's value; 0 when unknown. */
int64_t store_counter_get(store *st, const char *name);

/* ---- Crash Stats: crashes, documents, dumps, searches, reprocess ------ */

/* The summary columns of a fetched crash; any field may be NULL. */
typedef struct store_crash {
	const char *crash_id, *date, *product, *version, *channel, *signature;
} store_crash;

/* Inserts or updates the crash row (fields given as NULL keep their old
 * values); fetched_at becomes now. */
int store_crash_put(store *st, const store_crash *c, cd_err *e);
/* Stores a document of a crash: kind "raw" (annotations, RawCrash meta) or
 * "processed" (ProcessedCrash), zlib-compressed when smaller. The crash
 * row must exist. public_only says it was received without protected-data
 * access (so a later fetch with a token should replace it). */
int store_crash_doc_put(store *st, const char *crash_id, const char *kind, const char *json,
			int public_only, cd_err *e);
/* The document in *json (caller frees); CD_ENOTFOUND when absent,
 * CD_EFORMAT when damaged. public_only may be NULL. */
int store_crash_doc_get(store *st, const char *crash_id, const char *kind, char **json,
			int *public_only, cd_err *e);
/* Records a dump of a crash (name "upload_file_minidump", ...): its
 * SHA-256, size and the file in the cache holding it. */
int store_crash_dump_put(store *st, const char *crash_id, const char *name, const char *sha256,
			 uint64_t size, const char *path, cd_err *e);
/* The recorded file of a crash's dump (path: pathsize bytes) and its
 * SHA-256 (sha may be NULL); CD_ENOTFOUND when none. */
int store_crash_dump_get(store *st, const char *crash_id, const char *name, char *path,
			 size_t pathsize, char sha[65], cd_err *e);

/* The bugs of a signature as the Bugs API answered (bugs: a JSON array
 * of bug ids, "[]" for none), fetched_at now; replaces an older answer. */
int store_sigbugs_put(store *st, const char *signature, const char *bugs, cd_err *e);
/* The stored answer (caller frees *bugs) and when it was fetched;
 * CD_ENOTFOUND when the signature was never asked about. */
int store_sigbugs_get(store *st, const char *signature, char **bugs, int64_t *fetched_at,
		      cd_err *e);

typedef struct store_crash_row {
	char *crash_id, *date, *product, *version, *channel, *signature; /* NULL when unknown */
	int64_t fetched_at;
	int has_raw, has_processed, has_dump;
} store_crash_row;
/* Fetched crashes, most recent first, at most max (0: all). Caller frees
 * with store_crash_rows_free(). */
int store_crash_list(store *st, size_t max, store_crash_row **out, size_t *n, cd_err *e);
void store_crash_rows_free(store_crash_row *rows, size_t n);

/* Records a search: the query string as sent (it never holds the token),
 * the base URL, the total the server counted, the facets (JSON text, may
 * be NULL) and the ids found in order. *search_id (may be NULL) gets its
 * row id. */
int store_search_put(store *st, const char *query, const char *base_url, int64_t total,
		     const char *facets_json, const char (*ids)[37], size_t nids,
		     int64_t *search_id, cd_err *e);
/* The number of stored searches and the ids of one (caller frees *ids). */
int store_search_ids(store *st, int64_t search_id, char (**ids)[37], size_t *n, cd_err *e);

/* Stores the differences a local reprocess found (JSON report) for a crash
 * walked with the symbol set symkey, replacing an older one. */
int store_reprocess_put(store *st, const char *crash_id, const char *symkey, int differences,
			const char *report_json, cd_err *e);
/* The report in *json (caller frees); CD_ENOTFOUND when none. */
int store_reprocess_get(store *st, const char *crash_id, const char *symkey, char **json,
			int *differences, cd_err *e);

#endif
