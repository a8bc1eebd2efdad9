/*
 * crashstats.h - the Crash Stats (Socorro webapp) API client: crash ids,
 * configuration and the API token, SuperSearch with paging, fetching raw
 * and processed crashes and minidumps into the store, signature helpers,
 * crashdesk's own field schemas, and crashstats-tools' fetch-data layout.
 *
 * Threads: a cs_client holds no connection state between calls, but it is
 * not locked either: use one client from one thread at a time. Every long
 * call (cs_search, cs_fetch) runs its requests on the calling thread with
 * libcurl's multi interface, calls its progress/result callbacks on that
 * same thread, and reads *cancel between transfers, so the TUI runs them
 * on its worker thread and reports through the callbacks.
 *
 * The API token: read from CRASHSTATS_API_TOKEN or the config file, sent
 * only as the Auth-Token header to the configured base URL (redirects are
 * not followed while a token is set), and scrubbed from every message this
 * module writes into a cd_err or a report (libcurl's own included). It is
 * never stored, logged or printed.
 */
#ifndef CD_CRASHSTATS_H
#define CD_CRASHSTATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../store/store.h"
#include "../util/util.h"

#define CS_DEFAULT_URL "https://crash-stats.mozilla.org"
#define CS_ID_LEN 36        /* 8-4-4-4-12 */
#define CS_PAGE_MAX 1000    /* SuperSearch's largest page */
#define CS_WINDOW_MAX 10000 /* SuperSearch's offset + number limit */
#define CS_JSON_MAX (256u << 20)
#define CS_DUMP_MAX ((uint64_t)4 << 30)

/* ---- crash ids ------------------------------------------------------- */

/* Finds a crash id in text: the id itself, "bp-ID", or a report URL
 * (".../report/index/ID", query and fragment ignored), surrounding blanks
 * ignored, upper-case hex accepted and lowered. The id must have Socorro's
 * form: 8-4-4-4-12 hex digits whose last six are decimal and a real date
 * YYMMDD (the day the collector accepted it), after the throttle digit.
 * Writes it (NUL-terminated) into id; CD_EFORMAT with the reason. */
int cs_crash_id_parse(const char *text, char id[CS_ID_LEN + 1], cd_err *e);
/* 1 when id is exactly a valid crash id (no normalising). */
int cs_crash_id_valid(const char *id);
/* "20YYMMDD" of a valid id (9 bytes), as fetch-data names directories. */
void cs_crash_id_day(const char *id, char day[9]);
/* The throttle digit (the 7th character from the end: the collector's
 * verdict, 0 accepted, 1 deferred on today's collector) as a number 0-15. */
int cs_crash_id_throttle(const char *id);

/* ---- configuration --------------------------------------------------- */

typedef struct cs_config {
	char url[1024];       /* base URL, no trailing slash */
	char token[256];      /* "" without one; never print it */
	int jobs;             /* parallel requests (1-16); default 2 */
	int max_retries;      /* per request, for 429, 5xx, dropped connections; 10 */
	unsigned backoff_ms;  /* first wait when no Retry-After; doubles; 400 */
	unsigned max_wait_s;  /* cap of one wait (Retry-After included); 120 */
	unsigned timeout_s;   /* a transfer that makes no progress for this long fails; 30 */
} cs_config;

/* Fills cfg from, in rising priority: defaults, the Crash Stats keys of
 * file (the config file as cd_config_load() read it, borrowed; NULL: no
 * file), the environment (CRASHDESK_CRASHSTATS_URL, CRASHSTATS_API_TOKEN,
 * CRASHDESK_CRASHSTATS_JOBS, CRASHDESK_CRASHSTATS_BACKOFF_MS), then
 * url_override (--crashstats-url) when not NULL. The file's jobs is capped
 * at 16. CD_EUSAGE when the file holds a token but group or others may
 * read it, when a value is malformed (naming file and line, never the
 * token), or the URL is not http(s); cfg then holds no token. cfg holds
 * the token otherwise: the caller wipes it (cd_wipe()) when done. */
int cs_config_from(const cd_config *file, const char *url_override, cs_config *cfg,
		   cd_err *e);
/* The same over the config file at config_path (NULL for
 * $XDG_CONFIG_HOME/crashdesk/config; a missing file is fine), read once by
 * cd_config_load(): its bad lines are CD_EUSAGE here. For callers that
 * need nothing else of the file. */
int cs_config_load(const char *config_path, const char *url_override, cs_config *cfg,
		   cd_err *e);

/* ---- the client ------------------------------------------------------- */

typedef struct cs_client cs_client;

/* A client for cfg (copied). Caller owns *out (cs_client_free()). */
int cs_client_new(const cs_config *cfg, cs_client **out, cd_err *e);
void cs_client_free(cs_client *c);
int cs_client_has_token(const cs_client *c);
const char *cs_client_url(const cs_client *c); /* borrowed */
/* Requests made, and retries among them, since the client was made. */
void cs_client_counts(const cs_client *c, uint64_t *requests, uint64_t *retries);

/* How one request ended. */
typedef enum cs_status {
	CS_OK = 0,
	CS_UNAVAILABLE, /* 403: needs a token, or a token with more access */
	CS_NOT_FOUND,   /* 404 */
	CS_BAD_REQUEST, /* 400: the server named the bad parameter */
	CS_FAILED,      /* anything else after the retries: 5xx, network, bad JSON */
	CS_SKIPPED,     /* not asked for, or canceled */
} cs_status;
const char *cs_status_name(cs_status s);

/* A GET of {base}/api/{endpoint}/ with the query string query (already
 * encoded, may be NULL), retried as configured; the parsed JSON body in
 * *out (new reference) when CS_OK. Returns the status; msg (when not
 * NULL, msgsize bytes) says why otherwise. For the endpoints below. */
cs_status cs_get_json(cs_client *c, const char *endpoint, const char *query, json_t **out,
		      char *msg, size_t msgsize, const atomic_int *cancel);

/* ---- SuperSearch ------------------------------------------------------- */

/* An ordered list of parameters (name, value), names repeatable. */
typedef struct cs_query {
	char **name, **value;
	size_t n, cap;
} cs_query;

void cs_query_init(cs_query *q);
void cs_query_free(cs_query *q);
int cs_query_add(cs_query *q, const char *name, const char *value, cd_err *e);
/* One command-line argument the way crashstats-tools' supersearch reads
 * them: "--FIELD=VALUE" (a VALUE in double quotes loses them). Operators
 * stay in the value (~ ^ $ @ = > >= < <= ! __null__ __true__). */
int cs_query_add_arg(cs_query *q, const char *arg, cd_err *e);
/* Values of name, or NULL; index i of those. */
const char *cs_query_get(const cs_query *q, const char *name, size_t i);
/* Removes every parameter called name. */
void cs_query_remove(cs_query *q, const char *name);
/* The encoded query string (caller frees) in parameter order. */
char *cs_query_encode(const cs_query *q);

typedef struct cs_search_result {
	json_t *hits;   /* array of hit objects ({column: value}) */
	json_t *facets; /* object: field -> [{"term", "count"}] (first page's) */
	json_t *errors; /* the server's "errors" list */
	int64_t total;  /* matching crashes, as the server counted them */
	int truncated;  /* stopped at the limit or the 10,000 window before total */
} cs_search_result;

/* Called after each page: hits so far of the wanted count. */
typedef void (*cs_progress_fn)(void *ctx, size_t done, size_t total);

/* Pages through SuperSearch with q's filters and controls until limit hits
 * (0: all, up to the 10,000 window), total, or an empty page. Pages are
 * CS_PAGE_MAX at most; _results_number/_results_offset in q are replaced
 * (an offset given in q is where paging starts). Facets are asked for on
 * the first page only (later pages send _facets_size=0). Caller frees
 * *out with cs_search_result_free(). On failure the status is returned
 * and msg says why (a 400's message names the parameter). */
cs_status cs_search(cs_client *c, const cs_query *q, size_t limit, cs_progress_fn progress,
		    void *ctx, const atomic_int *cancel, cs_search_result *out, char *msg,
		    size_t msgsize);
void cs_search_result_free(cs_search_result *r);
/* The crash ids of a result's hits that have a valid "uuid" (in order). */
size_t cs_search_ids(const cs_search_result *r, char (**ids)[CS_ID_LEN + 1]);

/* Signature helpers: SignatureFirstDate (first_date, first_build per
 * signature) and Bugs (bug ids per signature). *out is the "hits" array
 * (new reference). */
cs_status cs_signature_first_dates(cs_client *c, const char *const *sigs, size_t n,
				   json_t **out, char *msg, size_t msgsize);
cs_status cs_signature_bugs(cs_client *c, const char *const *sigs, size_t n, json_t **out,
			    char *msg, size_t msgsize);

/* ---- schemas ----------------------------------------------------------- */

enum { CS_T_STRING = 1, CS_T_INTEGER = 2, CS_T_NUMBER = 4, CS_T_BOOLEAN = 8, CS_T_OBJECT = 16,
       CS_T_ARRAY = 32, CS_T_NULL = 64, CS_T_ANY = 127 };

typedef struct cs_field {
	const char *name;        /* a top-level key, or a path: "json_dump.threads[].thread_id" */
	unsigned types;          /* CS_T_* bits */
	int protected_;          /* withheld from callers without protected-data access */
	const char *description; /* crashdesk's own words */
	const char *example;     /* first example as text, or NULL */
} cs_field;

typedef struct cs_schema cs_schema;
typedef enum cs_schema_kind { CS_SCHEMA_RAW, CS_SCHEMA_PROCESSED } cs_schema_kind;

/* Loads schemas/raw_crash.yaml or processed_crash.yaml: from dir when not
 * NULL, else $CRASHDESK_SCHEMAS when set, else the copy built into the
 * program. Errors name the file and line. Caller frees with
 * cs_schema_free(). */
int cs_schema_load(cs_schema_kind kind, const char *dir, cs_schema **out, cd_err *e);
/* Parses YAML text (name is for messages). */
int cs_schema_parse(const char *text, size_t len, const char *name, cs_schema **out,
		    cd_err *e);
void cs_schema_free(cs_schema *s);
/* The entry of a top-level field or path; NULL when not described. */
const cs_field *cs_schema_field(const cs_schema *s, const char *name);
size_t cs_schema_count(const cs_schema *s);
const cs_field *cs_schema_at(const cs_schema *s, size_t i);
/* Checks the types of doc's described fields (top level and paths);
 * appends one line per problem ("field 'uptime': expected integer, got
 * string") to problems (may be NULL) and returns how many there were. */
size_t cs_schema_check(const cs_schema *s, json_t *doc, cd_buf *problems);
/* A deep copy of doc keeping only what a public bug may hold: top-level
 * fields the schema describes as public, with protected paths removed. */
json_t *cs_schema_public(const cs_schema *s, json_t *doc);

/* ---- fetching into the store ------------------------------------------ */

enum { CS_WANT_RAW = 1, CS_WANT_PROCESSED = 2, CS_WANT_DUMP = 4 };

typedef struct cs_part {
	cs_status status;
	char msg[400]; /* why, when not CS_OK; token-free */
} cs_part;

/* The outcome of one crash, handed to the callback when all its parts are
 * done (and stored). Borrowed for the duration of the call. */
typedef struct cs_fetch_report {
	const char *crash_id;
	cs_part raw, processed, dump;
	const char *dump_sha256;  /* "" when no dump was stored */
	const char *dump_path;    /* the file in the cache, "" when none */
	const char *problems;     /* schema type problems, checksum mismatch: lines, or "" */
	size_t index;             /* position in the ids given */
} cs_fetch_report;

typedef void (*cs_fetch_fn)(void *ctx, const cs_fetch_report *r);

typedef struct cs_fetch_opts {
	unsigned want;                 /* CS_WANT_* bits */
	const char *out_dir;           /* also write fetch-data's layout here; NULL: no */
	const char *dump_dir;          /* where dumps go; NULL: $XDG_CACHE_HOME/crashdesk/dumps */
	const cs_schema *raw_schema;   /* may be NULL: no type checks */
	const cs_schema *processed_schema;
	cs_fetch_fn on_crash;          /* may be NULL */
	void *ctx;
	const atomic_int *cancel;    /* may be NULL */
} cs_fetch_opts;

/* Fetches what o->want asks for of each id (valid ids: see
 * cs_crash_id_parse) with up to the configured jobs in parallel, and
 * stores each crash in st (crashes row, raw and processed JSON, the dump
 * as a file named by its SHA-256 recorded in the database) as soon as its
 * parts are done, then calls o->on_crash. Missing parts (403, 404) are
 * reported, not failures. Returns CD_OK when every crash was handled
 * (look at the reports), CD_ECANCELED when canceled, or an error of the
 * store or the file system. nfailed (may be NULL) counts crashes with a
 * part that CS_FAILED or CS_BAD_REQUEST. */
int cs_fetch(cs_client *c, store *st, const char (*ids)[CS_ID_LEN + 1], size_t n,
	     const cs_fetch_opts *o, size_t *nfailed, cd_err *e);

/* ---- crashstats-tools' fetch-data layout -------------------------------- */

/* Writes a crash into dir in fetch-data's layout: raw_crash/20YYMMDD/ID,
 * dump_names/ID, NAME/ID for the dump (copied from dump_file), and
 * processed_crash/ID; any of raw, processed, dump_file may be NULL. JSON as
 * crashstats-tools writes it (2-space indent, sorted keys, ASCII escapes,
 * no final newline). Files appear whole (temporary name, then rename). */
int cs_layout_write(const char *dir, const char *id, json_t *raw, json_t *processed,
		    const char *dump_file, cd_err *e);

/* One crash found in a fetch-data tree; strings owned by the list. */
typedef struct cs_layout_crash {
	char id[CS_ID_LEN + 1];
	char *raw_path, *processed_path, *dump_path; /* NULL when absent */
} cs_layout_crash;

/* Lists the crashes of a fetch-data tree (also the older dump/ID and v1/
 * layouts), sorted by id. Caller frees with cs_layout_free(). */
int cs_layout_scan(const char *dir, cs_layout_crash **out, size_t *n, cd_err *e);
void cs_layout_free(cs_layout_crash *c, size_t n);

/* Stores one crash read from files (any path may be NULL): validates the
 * JSON (errors name the file, line and column), checks types against the
 * schemas when given (problems appended to problems), copies the dump into
 * dump_dir (NULL: the cache's dumps/) under its SHA-256. */
int cs_import_crash(store *st, const cs_layout_crash *lc, const char *dump_dir,
		    const cs_schema *raw_schema, const cs_schema *processed_schema,
		    cd_buf *problems, cd_err *e);

/* The summary columns of the crashes table from whatever documents there
 * are (processed first, raw, then the id's date). Strings borrowed from
 * the documents. */
void cs_crash_summary(const char *id, json_t *raw, json_t *processed, store_crash *out);

/* Stores a dump file under its SHA-256 in dump_dir (NULL: the cache's
 * dumps/): copied to a temporary name, then renamed. sha and final path
 * written out. */
int cs_dump_store_file(const char *src, const char *dump_dir, char sha[65], char *path,
		       size_t pathsize, cd_err *e);

/* ---- reprocess --------------------------------------------------------- */

/* Differences between Socorro's json_dump (processed crash) and a local
 * walk's JSON (proc_crash_json), both rust-minidump's schema: crashing
 * thread frames (module, function, offset, trust) and modules (filename,
 * debug id, version, symbols). Returns a new JSON object:
 *   {"frames": [{"index", "socorro", "local"}...], "modules": [...],
 *    "signature": {"socorro": ..., "local": ...}, "differences": N}
 * local_signature (the caller's, made from local_json; NULL: not compared)
 * counts as a difference when it is not Socorro's. */
json_t *cs_reprocess_diff(json_t *socorro_processed, json_t *local_json,
			  const char *local_signature);

#endif
