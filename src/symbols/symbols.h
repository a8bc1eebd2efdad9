/*
 * symbols.h - Breakpad .sym files: a tolerant streaming parser, and a
 * compact memory-mapped symbol cache built from it.
 *
 * Parsing: sym_parse() streams a .sym (plain, .gz, UTF-16 with a BOM;
 * CRLF or LF; any size) and calls a sink for every record; malformed lines
 * are reported with their line number and skipped, every good record is
 * kept. The known dump_syms bugs are repaired and reported: names split
 * over several lines by embedded newlines, INLINE_ORIGIN without a name.
 *
 * The cache: sym_cache_build() turns a .sym into a versioned binary file
 * (functions, lines, inline trees, publics, CFI, STACK WIN, one string
 * table), written under a temporary name and renamed when complete.
 * sym_cache_open() maps one and checks it; sym_open() does both, building
 * or rebuilding when the cache is missing, stale or damaged.
 *
 * Ownership: sym_cache_open()/sym_open() return a sym_cache the caller
 * closes with sym_cache_close(); strings in lookup results point into the
 * mapping and live until then. sym_report is filled by the caller's
 * storage and released with sym_report_free().
 */
#ifndef CD_SYMBOLS_H
#define CD_SYMBOLS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/* ---- parsing ------------------------------------------------------------ */

enum sym_record {
	SYM_R_MODULE, SYM_R_INFO, SYM_R_FILE, SYM_R_INLINE_ORIGIN, SYM_R_FUNC, SYM_R_LINE,
	SYM_R_INLINE, SYM_R_PUBLIC, SYM_R_CFI_INIT, SYM_R_CFI, SYM_R_WIN, SYM_R_BAD,
	SYM_R_COUNT
};
const char *sym_record_name(int kind);

typedef struct sym_func_rec {
	uint64_t addr, size, param_size;
	int multiple;           /* the "m" flag: several names folded here */
	const char *name;
	size_t name_len;
} sym_func_rec;

typedef struct sym_line_rec {
	uint64_t addr, size;
	int64_t line, file;     /* as written: may be negative */
} sym_line_rec;

typedef struct sym_range {
	uint64_t addr, size;
} sym_range;

/* An INLINE record; it may have any number of ranges (Firefox's files
 * have records with hundreds), up to what one line can hold. */
typedef struct sym_inline_rec {
	uint64_t depth;
	int64_t call_line, call_file; /* call_file -1 in the older format */
	uint64_t origin;
	uint32_t nranges;
	const sym_range *ranges;      /* nranges, owned by the parser: valid during the call */
} sym_inline_rec;

typedef struct sym_win_rec {
	uint32_t type;
	uint64_t rva, code_size;
	uint32_t prolog_size, epilog_size, params_size, saved_regs_size, locals_size;
	uint32_t max_stack_size;
	int has_program;        /* else allocates_base_pointer is meaningful */
	int allocates_base_pointer;
	const char *program;    /* when has_program */
	size_t program_len;
} sym_win_rec;

/* Callbacks for each record; any may be NULL. Strings are valid only
 * during the call. line is the 1-based line number of the record. */
typedef struct sym_sink {
	void *ctx;
	void (*module)(void *ctx, uint64_t line, const char *os, const char *arch,
		       const char *id, const char *name);
	void (*info)(void *ctx, uint64_t line, const char *key, const char *value);
	void (*file)(void *ctx, uint64_t line, int64_t id, const char *name, size_t len);
	void (*origin)(void *ctx, uint64_t line, uint64_t id, const char *name, size_t len);
	void (*func)(void *ctx, uint64_t line, const sym_func_rec *f);
	void (*line_rec)(void *ctx, uint64_t line, const sym_line_rec *l);
	/* Optional: when set, runs of line records on consecutive lines may
	 * come here instead (l[i] on line first + i), saving a call per
	 * record; anything else is reported only after the run. */
	void (*line_recs)(void *ctx, uint64_t first, const sym_line_rec *l, size_t n);
	void (*inline_rec)(void *ctx, uint64_t line, const sym_inline_rec *r);
	void (*public_rec)(void *ctx, uint64_t line, uint64_t addr, uint64_t param_size,
			   int multiple, const char *name, size_t len);
	void (*cfi_init)(void *ctx, uint64_t line, uint64_t addr, uint64_t size,
			 const char *rules, size_t len);
	void (*cfi)(void *ctx, uint64_t line, uint64_t addr, const char *rules, size_t len);
	void (*win)(void *ctx, uint64_t line, const sym_win_rec *w);
	/* A problem at a line; damaged says the file itself is wrong (not just
	 * a repaired dump_syms quirk). */
	void (*diag)(void *ctx, uint64_t line, int damaged, const char *message);
} sym_sink;

/* What one parse saw. */
typedef struct sym_counts {
	uint64_t records[SYM_R_COUNT];
	uint64_t bytes[SYM_R_COUNT];
	uint64_t lines, bytes_total;
	uint64_t damaged_lines;   /* lines skipped as malformed */
	uint64_t repaired_lines;  /* quirks fixed (split names, nameless origins) */
} sym_counts;

/* Streams path through sink. Returns CD_OK when the file could be read
 * (even with bad lines: see counts), CD_EIO/CD_EFORMAT when it could not
 * be opened or decoded at all. */
int sym_parse(const char *path, const sym_sink *sink, sym_counts *counts, cd_err *e);
/* The same over bytes in memory (for tests and fuzzing). */
int sym_parse_mem(const uint8_t *data, size_t size, const char *name, const sym_sink *sink,
		  sym_counts *counts, cd_err *e);

/* ---- the symbol cache ---------------------------------------------------- */

typedef struct sym_cache sym_cache;

typedef struct sym_diag {
	uint64_t line;
	int damaged;
	const char *message;
} sym_diag;

/* The outcome of a build: counts, diagnostics (the first 1000) and
 * whether the source is damaged. Owned by the caller's struct. */
typedef struct sym_report {
	sym_counts counts;
	sym_diag *diags;
	uint32_t ndiags;
	uint64_t ndiags_total;
	int damaged;
	cd_arena arena;
} sym_report;
void sym_report_free(sym_report *r);

/* Builds cache_path from sym_path (report may be NULL). */
int sym_cache_build(const char *sym_path, const char *cache_path, sym_report *report,
		    cd_err *e);
/* Maps and checks a cache. CD_EFORMAT when damaged or of another version. */
int sym_cache_open(const char *cache_path, sym_cache **out, cd_err *e);
/* Whether the cache was built from sym_path as it is now. */
int sym_cache_is_current(const sym_cache *c, const char *sym_path);
/* Opens the cache for sym_path in cache_dir, building it first when it is
 * missing, stale or damaged. *built says whether it was (re)built. */
int sym_open(const char *sym_path, const char *cache_dir, sym_cache **out, int *built,
	     sym_report *report, cd_err *e);
void sym_cache_close(sym_cache *c);
/* The cache file sym_open() uses for sym_path (which must exist). An open
 * cache holds a shared flock() on its file for as long as it is mapped. */
int sym_cache_path(const char *sym_path, const char *cache_dir, char *buf, size_t n, cd_err *e);
/* Parses sym_path only for its anomalies, into report (freed by the
 * caller with sym_report_free(), also after an error). */
int sym_check_file(const char *sym_path, sym_report *report, cd_err *e);

typedef struct sym_module_info {
	const char *os, *arch, *debug_id, *name, *code_id, *generator;
	uint64_t nfuncs, npublics, ncfi, nwin, nfiles, nlines, ninlines;
	int damaged;            /* the source had malformed lines */
} sym_module_info;
void sym_cache_info(const sym_cache *c, sym_module_info *out);

#define SYM_MAX_INLINE_DEPTH 64

typedef struct sym_inline_frame {
	const char *function;   /* the inlined function */
	const char *file;       /* where addr is inside it ("" if unknown) */
	int64_t line;
	const char *call_file;  /* the call site in its caller */
	int64_t call_line;
} sym_inline_frame;

typedef struct sym_lookup {
	const char *function;   /* the outermost (real) function, or the PUBLIC */
	uint64_t function_addr, function_size, param_size;
	const char *file;       /* source of the outermost function at addr:  */
	int64_t line;           /*   its call site when inlines are present */
	uint64_t line_addr;     /* start of the line record that holds addr (0: none) */
	uint64_t inline_addr;   /* with inlines: start of the outermost inline's
				 * range that holds addr */
	int is_public;          /* only a PUBLIC matched */
	uint32_t ninlines;      /* innermost first; entries past ninlines are unset */
	sym_inline_frame inlines[SYM_MAX_INLINE_DEPTH];
} sym_lookup;

/* addr is module-relative. CD_ENOTFOUND when no FUNC or PUBLIC covers it. */
int sym_lookup_addr(const sym_cache *c, uint64_t addr, sym_lookup *out);

typedef struct sym_cfi_rules {
	uint64_t init_addr, init_size;
	const char *init_rules;  /* STACK CFI INIT's rules */
	uint32_t ndeltas;        /* STACK CFI rules at or below addr, in order */
	const char *deltas[256];
} sym_cfi_rules;
int sym_lookup_cfi(const sym_cache *c, uint64_t addr, sym_cfi_rules *out);

typedef struct sym_win_info {
	uint32_t type;
	uint64_t rva, code_size;
	uint32_t prolog_size, epilog_size, params_size, saved_regs_size, locals_size;
	uint32_t max_stack_size;
	int has_program, allocates_base_pointer;
	const char *program;
} sym_win_info;
/* The innermost STACK WIN record of the given type (-1: any) covering addr. */
int sym_lookup_win(const sym_cache *c, uint64_t addr, int type, sym_win_info *out);

/* ---- symbol stores -------------------------------------------------------------- */

/* A symbol store: local directories and .zip archives in the
 * DEBUGFILE/DEBUGID/NAME.sym layout (NAME is DEBUGFILE without a .pdb
 * suffix, plus .sym), then, when opened with sym_store_open(), the
 * download cache (CACHE/symbols/, the same layout) and symbol servers
 * (URL/DEBUGFILE/DEBUGID/NAME.sym, then URL/CODEFILE/CODEID/NAME.sym),
 * searched in that order. Caches are built under the symcache directory.
 * The store keeps every cache it opened until sym_store_free().
 *
 * A store is used from one thread at a time (the TUI's worker owns its
 * store): sym_store_prefetch(), sym_store_find() and sym_store_retry()
 * may block on the network; the progress callback runs on that thread. */
typedef struct sym_store sym_store;

typedef enum sym_status {
	SYM_STATUS_UNKNOWN = 0, SYM_STATUS_LOADED, SYM_STATUS_MISSING, SYM_STATUS_CORRUPT,
} sym_status;

/* What one location answered for a module (sym_store_why()). */
typedef enum sym_answer {
	SYM_ANS_FOUND,        /* symbols were there (and passed the checks) */
	SYM_ANS_ABSENT,       /* no such file in a local store */
	SYM_ANS_NOT_FOUND,    /* HTTP 404 (or 410) */
	SYM_ANS_KNOWN_MISSING,/* a 404 remembered by the negative cache; not asked */
	SYM_ANS_OFFLINE,      /* not asked: offline */
	SYM_ANS_HTTP_ERROR,   /* another HTTP status, after the retries */
	SYM_ANS_TIMEOUT,      /* no answer, or the body stalled */
	SYM_ANS_NETWORK,      /* cannot connect, or the connection dropped, after retries */
	SYM_ANS_WRONG_ID,     /* the file's MODULE line names another debug id */
	SYM_ANS_DAMAGED,      /* not a .sym, a truncated gzip body, a cache build failure */
	SYM_ANS_TOO_BIG,      /* larger than the byte cap */
	SYM_ANS_CANCELED,     /* the caller stopped the download */
	SYM_ANS_COUNT
} sym_answer;
/* "found", "absent", "404", "known missing", "offline", ... */
const char *sym_answer_name(sym_answer a);

typedef struct sym_attempt {
	const char *where;  /* a path, ZIP!ENTRY or URL */
	sym_answer answer;
	const char *detail; /* e.g. "HTTP 500 after 4 tries", "names 0123..."; may be "" */
} sym_attempt;

/* Network behaviour; zero fields take the defaults given. */
typedef struct sym_net_opts {
	int jobs;                 /* parallel downloads (8) */
	long connect_timeout_ms;  /* (10000) */
	long stall_timeout_s;     /* give up when no byte came for this long (30) */
	long total_timeout_s;     /* one transfer at most (600) */
	uint64_t max_bytes;       /* per file, received and inflated (4 GiB) */
	int retries;              /* per URL on 5xx, 429, dropped connections (3; <0: none) */
	long backoff_ms;          /* first retry delay, doubled each time, plus jitter (250) */
	long max_retry_after_s;   /* Retry-After is honoured up to this (60) */
	int64_t negative_ttl_s;   /* a 404 is remembered this long (86400; <0: never) */
	int offline;              /* no network request at all */
	int refresh;              /* ignore remembered 404s */
} sym_net_opts;

typedef struct sym_store_opts {
	const char *const *paths; /* local stores: directories or .zip files */
	int npaths;
	const char *const *urls;  /* symbol servers, possibly with a path prefix */
	int nurls;
	const char *cache_dir;    /* crashdesk's cache: symbols/, symcache/, tmp/ under it */
	const char *tmp_dir;      /* downloads in progress; NULL: cache_dir/tmp (keep it on
	                           * the cache's file system: finished files are renamed) */
	sym_net_opts net;
} sym_store_opts;

/* Download progress, for a status line. */
typedef struct sym_progress {
	uint32_t files_total;     /* modules being downloaded in this call */
	uint32_t files_done;      /* of which finished (found or not) */
	uint32_t files_found;
	uint32_t active;          /* transfers running now */
	uint64_t bytes;           /* received so far */
	double seconds;           /* since the call started */
} sym_progress;
/* Called on the fetching thread about every 100 ms and once at the end. */
typedef void (*sym_progress_fn)(void *ctx, const sym_progress *p);

/* Everything that identifies a module for the lookup. code_file and
 * code_id may be NULL or "" (no code-file fallback). */
typedef struct sym_module_ref {
	const char *debug_file, *debug_id, *code_file, *code_id;
} sym_module_ref;

/* Counters since the store was opened (for `cache stats`). */
typedef struct sym_store_counts {
	uint64_t local_hits;      /* found in a --symbols-path store */
	uint64_t cache_hits;      /* found in the download cache */
	uint64_t downloads;       /* fetched from a server */
	uint64_t negative_hits;   /* not asked: a remembered 404 */
	uint64_t misses;          /* left without symbols */
	uint64_t requests;        /* HTTP requests made (retries included) */
	uint64_t bytes;           /* received */
	uint64_t deferred;        /* lookups a lazy store answered "not yet" */
} sym_store_counts;

/* Local stores only; caches go into cache_dir itself (the symcache). */
int sym_store_new(const char *const *paths, int npaths, const char *cache_dir, sym_store **out,
		  cd_err *e);
/* Local stores, the download cache and servers: see sym_store_opts. Makes
 * the directories under o->cache_dir and removes downloads left behind by
 * processes that no longer run. Caller frees with sym_store_free(). */
int sym_store_open(const sym_store_opts *o, sym_store **out, cd_err *e);

/* Looks up every module of mods (not yet looked up) and downloads in
 * parallel what only a server has. progress and cancel may be NULL; when
 * *cancel becomes non-zero the downloads stop (CD_ECANCELED; modules not
 * fetched stay not looked up). Symbol caches are built later, by
 * sym_store_find(). Only a failure of the machinery (memory, libcurl)
 * is an error: a module without symbols is not. */
int sym_store_prefetch(sym_store *s, const sym_module_ref *mods, size_t n,
		       sym_progress_fn progress, void *ctx, const atomic_int *cancel, cd_err *e);
/* The symbols of a module, or NULL; *status says which it was (corrupt:
 * found but damaged, still returned when a cache could be built). Looks
 * the module up first (downloading it alone, or queueing it when the
 * store is lazy) when no prefetch did. */
const sym_cache *sym_store_find(sym_store *s, const sym_module_ref *m, sym_status *status);
/* Lazy lookups, for walks: while on, sym_store_find() never waits for the
 * network. A module that only a server could have is queued instead
 * (NULL, status SYM_STATUS_UNKNOWN) until sym_store_fetch_queued()
 * downloads the whole queue in parallel; the caller then walks again. A
 * walk that queues nothing has seen every module it needs, so only the
 * modules the stacks touch are ever asked for (as rust-minidump does),
 * and their requests overlap. Turning it off forgets the queue (those
 * modules are looked up afresh). Returns the previous setting. */
int sym_store_lazy(sym_store *s, int on);
size_t sym_store_queued(const sym_store *s);
/* Downloads the queued modules (as sym_store_prefetch()) with the
 * store's progress callback, and empties the queue. */
int sym_store_fetch_queued(sym_store *s, const atomic_int *cancel, cd_err *e);
/* The progress callback of every download the store starts on its own
 * (lazy fetches, a find that downloads). NULL: none. */
void sym_store_on_progress(sym_store *s, sym_progress_fn fn, void *ctx);
/* What is known of a module's symbols without asking a server or
 * queueing (local stores and the download cache are looked in, caches
 * opened): SYM_STATUS_UNKNOWN for a module only a server could tell
 * about, not asked for. */
sym_status sym_store_status(sym_store *s, const sym_module_ref *m);
/* sym_store_find() without a code file. */
const sym_cache *sym_store_get(sym_store *s, const char *debug_file, const char *debug_id,
			       sym_status *status);
/* Whether sym_store_find() was asked for the module (a walk needed it),
 * as opposed to only its status or its cache key being looked at. */
int sym_store_asked(const sym_store *s, const char *debug_file, const char *debug_id);
/* Clears every module's asked mark (before a walk whose asks count). */
void sym_store_forget_asked(sym_store *s);
/* How many symbol stores and servers s was opened with (the download
 * cache not counted). */
int sym_store_nsources(const sym_store *s);
/* Where a module's symbols came from (a .sym path, ZIP!ENTRY, or the URL
 * they were downloaded from, or the download cache's path), once looked
 * up; NULL when they were not found. */
const char *sym_store_source(const sym_store *s, const char *debug_file, const char *debug_id);
/* Whether the symbols came from a server or the download cache (1), or
 * a local store (0); -1 when the module was not looked up or not found. */
int sym_store_remote(const sym_store *s, const char *debug_file, const char *debug_id);
/* Every location tried for a module and its answer, in order (borrowed:
 * valid until the next call on s for that module). *n 0 when the module
 * was not looked up. */
void sym_store_why(const sym_store *s, const char *debug_file, const char *debug_id,
		   const sym_attempt **out, size_t *n);
/* Forgets what is known of one module (its cache stays open until
 * sym_store_free(), so borrowed lookups remain valid) and looks it up
 * again now, ignoring a remembered 404. */
const sym_cache *sym_store_retry(sym_store *s, const sym_module_ref *m, sym_status *status);
/* A text naming, for each module, where its symbols come from now
 * (path, size and modification time) or that there are none: equal texts
 * mean the walk would see the same symbols. Only looks at files (no
 * network, no cache build); modules not looked up yet are looked up
 * locally. The caller frees *key with free(). */
int sym_store_symkey(sym_store *s, const sym_module_ref *mods, size_t n, char **key,
		     cd_err *e);
void sym_store_counts_get(const sym_store *s, sym_store_counts *out);

/* Each module looked up so far, in lookup order, for the cache index:
 * i from 0 while it returns CD_OK. path is the local file the symbols
 * are read from (NULL when missing); source as sym_store_source(). */
typedef struct sym_store_entry {
	const char *debug_file, *debug_id, *path, *source;
	sym_status status;
	int remote;
	int looked_up;            /* 0: only a server could tell, and it was not asked */
} sym_store_entry;
int sym_store_entry_at(const sym_store *s, size_t i, sym_store_entry *out);
void sym_store_free(sym_store *s);

/* The first line of a .sym (plain or gzip) must be a MODULE line naming
 * debug_id (case-insensitive; NULL: any). CD_OK, or CD_EFORMAT with what
 * is wrong in e (the path and what the line says). */
int sym_check_module_line(const char *path, const char *debug_id, cd_err *e);

/* Functions in address order, for `sym funcs` and the browser. */
uint64_t sym_func_count(const sym_cache *c);
int sym_func_at(const sym_cache *c, uint64_t i, const char **name, uint64_t *addr,
		uint64_t *size);
/* The INLINE records of function i (0 when none, or i is out of range). */
uint64_t sym_func_inlines(const sym_cache *c, uint64_t i);
/* PUBLIC symbols in address order. */
uint64_t sym_public_count(const sym_cache *c);
int sym_public_at(const sym_cache *c, uint64_t i, const char **name, uint64_t *addr);
/* Where the file's code ends as far as it says: past the last FUNC's last
 * byte or at the last PUBLIC's address, whichever is higher (0: neither).
 * A PUBLIC has no size, so lookups past it still name it. */
uint64_t sym_code_end(const sym_cache *c);

#endif
