/* store.c - the SQLite database: opening, migrations, recent crashes and
 * processed results. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"

/* PRAGMA application_id: "cdsk". Tells crashdesk's database from any other
 * SQLite file that happens to sit at the path. */
#define APP_ID 0x6364736b

/* Forward migrations: step i takes the schema from version i to i + 1.
 * Append steps; never edit a released one. */
static const char *const migrations[] = {
	/* 1: recently opened crashes and processed results. */
	"CREATE TABLE recent ("
	"  path TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('dump', 'dir')),"
	"  sha256 TEXT,"               /* NULL for a directory */
	"  size INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  first_opened INTEGER NOT NULL,"
	"  last_opened INTEGER NOT NULL,"
	"  open_count INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"       /* order of opening; times tie within a second */
	"  summary_at INTEGER,"
	"  product TEXT, version TEXT, crash_reason TEXT, crash_address TEXT,"
	"  crash_function TEXT, signature TEXT, module TEXT"
	");"
	"CREATE INDEX recent_by_seq ON recent(seq);"
	"CREATE TABLE processed ("
	"  sha256 TEXT NOT NULL,"
	"  symkey TEXT NOT NULL,"
	"  encoding INTEGER NOT NULL CHECK (encoding IN (0, 1))," /* 0 plain, 1 zlib */
	"  raw_size INTEGER NOT NULL,"
	"  body BLOB NOT NULL,"
	"  made_at INTEGER NOT NULL,"
	"  PRIMARY KEY (sha256, symkey)"
	") WITHOUT ROWID;",
	/* 2: the symbol-file index and the cache's counters (issue 6). */
	"CREATE TABLE symfile ("
	"  debug_file TEXT NOT NULL,"
	"  debug_id TEXT NOT NULL,"
	"  source TEXT,"                /* URL or path it came from; NULL when missing */
	"  path TEXT,"                  /* the local .sym read */
	"  size INTEGER NOT NULL,"
	"  fetched_at INTEGER NOT NULL,"
	"  last_used INTEGER NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('ok', 'missing', 'damaged')),"
	"  remote INTEGER NOT NULL,"
	"  cache_file TEXT,"
	"  PRIMARY KEY (debug_file, debug_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX symfile_by_use ON symfile(last_used);"
	"CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;",
	/* 3: Crash Stats: fetched crashes, their documents and dumps,
	 * searches, local reprocess results (src/store/crashes.c). */
	"CREATE TABLE cs_crashes ("
	"  crash_id TEXT PRIMARY KEY,"
	"  date TEXT, product TEXT, version TEXT, channel TEXT, signature TEXT,"
	"  fetched_at INTEGER NOT NULL"
	");"
	"CREATE INDEX cs_crashes_by_fetch ON cs_crashes(fetched_at);"
	"CREATE TABLE cs_docs ("
	"  crash_id TEXT NOT NULL REFERENCES cs_crashes(crash_id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('raw', 'processed')),"
	"  public_only INTEGER NOT NULL,"
	"  encoding INTEGER NOT NULL CHECK (encoding IN (0, 1)),"
	"  raw_size INTEGER NOT NULL,"
	"  body BLOB NOT NULL,"
	"  fetched_at INTEGER NOT NULL,"
	"  PRIMARY KEY (crash_id, kind)"
	") WITHOUT ROWID;"
	"CREATE TABLE cs_dumps ("
	"  crash_id TEXT NOT NULL REFERENCES cs_crashes(crash_id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  fetched_at INTEGER NOT NULL,"
	"  PRIMARY KEY (crash_id, name)"
	") WITHOUT ROWID;"
	"CREATE TABLE cs_searches ("
	"  id INTEGER PRIMARY KEY,"
	"  query TEXT NOT NULL, base_url TEXT NOT NULL,"
	"  made_at INTEGER NOT NULL, total INTEGER NOT NULL, facets TEXT"
	");"
	"CREATE TABLE cs_search_hits ("
	"  search_id INTEGER NOT NULL REFERENCES cs_searches(id) ON DELETE CASCADE,"
	"  pos INTEGER NOT NULL,"
	"  crash_id TEXT NOT NULL,"
	"  PRIMARY KEY (search_id, pos)"
	") WITHOUT ROWID;"
	"CREATE TABLE cs_reprocess ("
	"  crash_id TEXT NOT NULL,"
	"  symkey TEXT NOT NULL,"
	"  made_at INTEGER NOT NULL,"
	"  differences INTEGER NOT NULL,"
	"  report TEXT NOT NULL,"
	"  PRIMARY KEY (crash_id, symkey)"
	") WITHOUT ROWID;",
	/* 3 -> 4: the bugs Crash Stats' Bugs API associates with a signature */
	"CREATE TABLE cs_sigbugs ("
	"  signature TEXT PRIMARY KEY,"
	"  bugs TEXT NOT NULL,"
	"  fetched_at INTEGER NOT NULL"
	") WITHOUT ROWID;",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(NMIGRATIONS == STORE_SCHEMA_VERSION, "one migration step per schema version");

struct store {
	sqlite3 *db;
	char path[4096];
};

static int code_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_FORMAT:
		return CD_EFORMAT;
	case SQLITE_NOMEM:
	case SQLITE_TOOBIG:
		return CD_ENOMEM;
	}
	return CD_EIO;
}

/* The error of the last call on db, naming the file and what was being done. */
static int db_err(const char *path, sqlite3 *db, int rc, const char *what, cd_err *e)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	if ((rc & 0xff) == SQLITE_NOTADB)
		return cd_errf(e, CD_EFORMAT, "%s: not a crashdesk database (%s) while %s", path, msg,
			       what);
	if ((rc & 0xff) == SQLITE_CORRUPT)
		return cd_errf(e, CD_EFORMAT, "%s: database is damaged (%s) while %s", path, msg, what);
	return cd_errf(e, code_of(rc), "%s: %s while %s", path, msg, what);
}

static int st_err(store *st, int rc, const char *what, cd_err *e)
{
	return db_err(st->path, st->db, rc, what, e);
}

/* One integer from a query such as "PRAGMA user_version". */
static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*out = 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Creates the file 0600 before SQLite does: SQLite gives the -wal and -shm
 * files the database's mode, so they are private too, without touching the
 * process-wide umask. An existing file with wider modes is narrowed. */
static int create_private(const char *path, cd_err *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0)
		return cd_errf(e, CD_EIO, "%s: cannot open: %s", path, strerror(errno));
	struct stat sb;
	int rc = CD_OK;
	if (fstat(fd, &sb) != 0)
		rc = cd_errf(e, CD_EIO, "%s: cannot stat: %s", path, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		rc = cd_errf(e, CD_EIO, "%s: not a regular file", path);
	else if ((sb.st_mode & 077) && fchmod(fd, 0600) != 0)
		rc = cd_errf(e, CD_EIO, "%s: cannot make private: %s", path, strerror(errno));
	close(fd);
	return rc;
}

/* -wal and -shm files left by an older run keep their own modes. */
static void narrow_side_files(const char *path)
{
	static const char *const sfx[] = { "-wal", "-shm" };
	char p[4200];
	struct stat sb;
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077))
			(void)chmod(p, 0600);
	}
}

static int exec(store *st, const char *sql, const char *what, cd_err *e)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? CD_OK : st_err(st, rc, what, e);
}

/* IMMEDIATE: take the write lock up front, so two writers never deadlock
 * upgrading read locks (busy_timeout then simply waits). */
static int tx_begin(store *st, cd_err *e)
{
	return exec(st, "BEGIN IMMEDIATE", "starting a transaction", e);
}

static int tx_end(store *st, int rc, cd_err *e)
{
	if (rc == CD_OK)
		return exec(st, "COMMIT", "committing", e);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int migrate(store *st, cd_err *e)
{
	for (;;) {
		int rc = tx_begin(st, e);
		if (rc != CD_OK)
			return rc;
		/* Read again under the write lock: another process may have
		 * migrated since. */
		int64_t v;
		int src = query_int(st->db, "PRAGMA user_version", &v);
		if (src != SQLITE_OK)
			return tx_end(st, st_err(st, src, "reading the schema version", e), e);
		if (v >= NMIGRATIONS)
			return tx_end(st, CD_OK, e);
		char what[64], bump[96];
		snprintf(what, sizeof what, "migrating the schema to version %d", (int)v + 1);
		rc = exec(st, migrations[v], what, e);
		snprintf(bump, sizeof bump, "PRAGMA user_version = %d; PRAGMA application_id = %d",
			 (int)v + 1, APP_ID);
		if (rc == CD_OK)
			rc = exec(st, bump, what, e);
		rc = tx_end(st, rc, e);
		if (rc != CD_OK)
			return rc;
	}
}

/* Refuses what is not crashdesk's database, or is newer than this build. */
static int check_identity(store *st, cd_err *e)
{
	int64_t app, ver, ntables;
	int rc = query_int(st->db, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = query_int(st->db, "PRAGMA user_version", &ver);
	if (rc == SQLITE_OK)
		rc = query_int(st->db, "SELECT count(*) FROM sqlite_master", &ntables);
	if (rc != SQLITE_OK)
		return st_err(st, rc, "reading the header", e);
	if (app != APP_ID && (app != 0 || ver != 0 || ntables != 0))
		return cd_errf(e, CD_EFORMAT,
			       "%s: an SQLite database of another program (application_id 0x%llx), "
			       "not crashdesk's",
			       st->path, (unsigned long long)(uint32_t)app);
	if (ver > NMIGRATIONS)
		return cd_errf(e, CD_EFORMAT,
			       "%s: schema version %lld is newer than this crashdesk knows (%d); "
			       "it was written by a newer crashdesk: use that, or remove the file",
			       st->path, (long long)ver, NMIGRATIONS);
	return CD_OK;
}

int store_open(const char *path, store **out, cd_err *e)
{
	*out = NULL;
	store *st = calloc(1, sizeof *st);
	if (!st)
		return cd_errf(e, CD_ENOMEM, "store_open: out of memory");
	int rc;
	if (path) {
		if (!*path || strlen(path) >= sizeof st->path) {
			free(st);
			return cd_errf(e, CD_EUSAGE, "%s: bad database path", path);
		}
		snprintf(st->path, sizeof st->path, "%s", path);
	} else {
		char dir[4000];
		rc = cd_xdg_dir(CD_XDG_CACHE, NULL, dir, sizeof dir, e);
		if (rc != CD_OK) {
			free(st);
			return rc;
		}
		snprintf(st->path, sizeof st->path, "%s/crashdesk.db", dir);
	}
	rc = create_private(st->path, e);
	if (rc != CD_OK) {
		free(st);
		return rc;
	}
	int src = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE, NULL);
	if (src != SQLITE_OK) {
		rc = st_err(st, src, "opening", e);
		store_close(st);
		return rc;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	rc = check_identity(st, e);
	if (rc == CD_OK) {
		sqlite3_stmt *s;
		src = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
		if (src == SQLITE_OK) {
			src = sqlite3_step(s);
			const unsigned char *mode = sqlite3_column_text(s, 0);
			if (src == SQLITE_ROW && (!mode || strcmp((const char *)mode, "wal")))
				rc = cd_errf(e, CD_EIO,
					     "%s: cannot use write-ahead logging (journal mode stays %s); "
					     "is it on a network file system?",
					     st->path, mode ? (const char *)mode : "unknown");
			else if (src != SQLITE_ROW)
				rc = st_err(st, src, "setting WAL mode", e);
			sqlite3_finalize(s);
		} else
			rc = st_err(st, src, "setting WAL mode", e);
	}
	if (rc == CD_OK)
		rc = exec(st, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON",
			  "setting options", e);
	if (rc == CD_OK)
		rc = migrate(st, e);
	if (rc != CD_OK) {
		store_close(st);
		return rc;
	}
	narrow_side_files(st->path);
	*out = st;
	return CD_OK;
}

void store_close(store *st)
{
	if (!st)
		return;
	sqlite3_close_v2(st->db);
	free(st);
}

const char *store_path(const store *st) { return st->path; }

int store_check(store *st, cd_err *e)
{
	sqlite3_stmt *s;
	int src = sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &s, NULL);
	if (src != SQLITE_OK)
		return st_err(st, src, "checking", e);
	int rc = CD_OK;
	src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(s, 0);
		if (!r || strcmp(r, "ok"))
			rc = cd_errf(e, CD_EFORMAT, "%s: database is damaged: %s", st->path,
				     r ? r : "(no answer)");
	} else
		rc = st_err(st, src, "checking", e);
	sqlite3_finalize(s);
	return rc;
}

/* ---- recent ------------------------------------------------------------ */

static int64_t now_s(void) { return (int64_t)time(NULL); }

int store__bind_text(sqlite3_stmt *s, int i, const char *t)
{
	return t ? sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
}

int store__step_done(store *st, sqlite3_stmt *s, const char *what, cd_err *e)
{
	int src = sqlite3_step(s);
	int rc = src == SQLITE_DONE ? CD_OK : st_err(st, src, what, e);
	sqlite3_finalize(s);
	return rc;
}

int store__prepare(store *st, const char *sql, sqlite3_stmt **s, const char *what, cd_err *e)
{
	int src = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
	return src == SQLITE_OK ? CD_OK : st_err(st, src, what, e);
}

/* For the other files of the store (internal.h). */
sqlite3 *store__db(store *st) { return st->db; }
int store__err(store *st, int rc, const char *what, cd_err *e) { return st_err(st, rc, what, e); }
int store__begin(store *st, cd_err *e) { return tx_begin(st, e); }
int store__end(store *st, int rc, cd_err *e) { return tx_end(st, rc, e); }

int store__write1(store *st, const char *sql, store__binder bind, const void *ctx,
		  const char *what, cd_err *e)
{
	int rc = tx_begin(st, e);
	if (rc != CD_OK)
		return rc;
	sqlite3_stmt *s;
	rc = store__prepare(st, sql, &s, what, e);
	if (rc == CD_OK) {
		bind(s, ctx);
		rc = store__step_done(st, s, what, e);
	}
	return tx_end(st, rc, e);
}

typedef struct touch_args {
	const char *path;
	store_kind kind;
	const char *sha;
	uint64_t size;
	int64_t mtime_ns;
} touch_args;

static void bind_touch(sqlite3_stmt *s, const void *ctx)
{
	const touch_args *a = ctx;
	store__bind_text(s, 1, a->path);
	store__bind_text(s, 2, a->kind == STORE_DUMP ? "dump" : "dir");
	store__bind_text(s, 3, a->kind == STORE_DUMP ? a->sha : NULL);
	sqlite3_bind_int64(s, 4, (int64_t)a->size);
	sqlite3_bind_int64(s, 5, a->mtime_ns);
	sqlite3_bind_int64(s, 6, now_s());
}

static int recent_touch(store *st, const char *path, store_kind kind, const char *known,
			char sha256_out[65], cd_err *e);

int store_recent_touch(store *st, const char *path, store_kind kind, char sha256_out[65],
		       cd_err *e)
{
	return recent_touch(st, path, kind, NULL, sha256_out, e);
}

int store_recent_touch_key(store *st, const char *path, const char *key, cd_err *e)
{
	if (!key || strlen(key) != 64)
		return cd_errf(e, CD_EUSAGE, "%s: not a dump key", path);
	return recent_touch(st, path, STORE_DUMP, key, NULL, e);
}

static int recent_touch(store *st, const char *path, store_kind kind, const char *known,
			char sha256_out[65], cd_err *e)
{
	if (sha256_out)
		sha256_out[0] = 0;
	char abs[PATH_MAX];
	if (!realpath(path, abs))
		return cd_errf(e, CD_EIO, "%s: cannot open: %s", path, strerror(errno));
	struct stat sb;
	if (stat(abs, &sb) != 0)
		return cd_errf(e, CD_EIO, "%s: cannot stat: %s", path, strerror(errno));
	if (kind == STORE_DUMP && !S_ISREG(sb.st_mode))
		return cd_errf(e, CD_EUSAGE, "%s: not a regular file", path);
	if (kind == STORE_DIR && !S_ISDIR(sb.st_mode))
		return cd_errf(e, CD_EUSAGE, "%s: not a directory", path);
	int64_t mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	uint64_t size = kind == STORE_DUMP ? (uint64_t)sb.st_size : 0;

	/* Hash outside the write transaction, so a large dump does not hold
	 * the lock; skipped when the file looks unchanged. */
	char sha[65] = "";
	if (known)
		memcpy(sha, known, 65);
	if (kind == STORE_DUMP && !known) {
		sqlite3_stmt *s;
		int rc = store__prepare(st, "SELECT sha256 FROM recent WHERE path = ?1 AND size = ?2 "
				     "AND mtime_ns = ?3 AND kind = 'dump'",
				 &s, "reading recent crashes", e);
		if (rc != CD_OK)
			return rc;
		store__bind_text(s, 1, abs);
		sqlite3_bind_int64(s, 2, (int64_t)size);
		sqlite3_bind_int64(s, 3, mtime_ns);
		int src = sqlite3_step(s);
		const char *old = src == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
		if (old && strlen(old) == 64)
			memcpy(sha, old, 65);
		sqlite3_finalize(s);
		if (src != SQLITE_ROW && src != SQLITE_DONE)
			return st_err(st, src, "reading recent crashes", e);
		if (!sha[0] && (rc = cd_sha256_file(abs, sha, e)) != CD_OK)
			return rc;
	}

	touch_args a = { abs, kind, sha, size, mtime_ns };
	/* On conflict every right-hand side sees the old row, so the summary
	 * is kept only when the content (hash) is the same. */
	int rc = store__write1(st,
			    "INSERT INTO recent (path, kind, sha256, size, mtime_ns, first_opened, "
			    "  last_opened, open_count, seq) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 1, "
			    "  (SELECT coalesce(max(seq), 0) + 1 FROM recent)) "
			    "ON CONFLICT (path) DO UPDATE SET "
			    "  kind = excluded.kind, sha256 = excluded.sha256, size = excluded.size, "
			    "  mtime_ns = excluded.mtime_ns, last_opened = excluded.last_opened, "
			    "  open_count = open_count + 1, seq = excluded.seq, "
			    "  summary_at = iif(sha256 IS excluded.sha256, summary_at, NULL), "
			    "  product = iif(sha256 IS excluded.sha256, product, NULL), "
			    "  version = iif(sha256 IS excluded.sha256, version, NULL), "
			    "  crash_reason = iif(sha256 IS excluded.sha256, crash_reason, NULL), "
			    "  crash_address = iif(sha256 IS excluded.sha256, crash_address, NULL), "
			    "  crash_function = iif(sha256 IS excluded.sha256, crash_function, NULL), "
			    "  signature = iif(sha256 IS excluded.sha256, signature, NULL), "
			    "  module = iif(sha256 IS excluded.sha256, module, NULL)",
			    bind_touch, &a, "recording a recent crash", e);
	if (rc == CD_OK && sha256_out)
		memcpy(sha256_out, sha, 65);
	return rc;
}

/* The row's key: the absolute path when path still resolves, else path. */
static const char *row_key(const char *path, char abs[PATH_MAX])
{
	return realpath(path, abs) ? abs : path;
}

typedef struct summary_args {
	const char *key;
	const store_summary *sm;
} summary_args;

static void bind_summary(sqlite3_stmt *s, const void *ctx)
{
	const summary_args *a = ctx;
	store__bind_text(s, 1, a->key);
	sqlite3_bind_int64(s, 2, now_s());
	store__bind_text(s, 3, a->sm->product);
	store__bind_text(s, 4, a->sm->version);
	store__bind_text(s, 5, a->sm->crash_reason);
	store__bind_text(s, 6, a->sm->crash_address);
	store__bind_text(s, 7, a->sm->crash_function);
	store__bind_text(s, 8, a->sm->signature);
	store__bind_text(s, 9, a->sm->module);
}

/* After a write of the recent list: did it find the crash? (COMMIT leaves
 * sqlite3_changes() to the statement before it.) */
static int found_recent(store *st, int rc, const char *path, cd_err *e)
{
	if (rc == CD_OK && sqlite3_changes(st->db) == 0)
		return cd_errf(e, CD_ENOTFOUND, "%s: not among the recent crashes", path);
	return rc;
}

int store_recent_update_summary(store *st, const char *path, const store_summary *sm, cd_err *e)
{
	char abs[PATH_MAX];
	summary_args a = { row_key(path, abs), sm };
	int rc = store__write1(st,
			       "UPDATE recent SET summary_at = ?2, product = ?3, version = ?4, "
			       "crash_reason = ?5, crash_address = ?6, crash_function = ?7, "
			       "signature = ?8, module = ?9 WHERE path = ?1",
			       bind_summary, &a, "writing a crash summary", e);
	return found_recent(st, rc, path, e);
}

char *store__col_dup(sqlite3_stmt *s, int i, int *oom)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	if (!t)
		return NULL;
	char *d = strdup((const char *)t);
	if (!d)
		*oom = 1;
	return d;
}

void store_recent_free(store_recent *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++) {
		store_recent *r = &rows[i];
		free(r->path);
		free(r->product);
		free(r->version);
		free(r->crash_reason);
		free(r->crash_address);
		free(r->crash_function);
		free(r->signature);
		free(r->module);
	}
	free(rows);
}

int store_recent_list(store *st, size_t max, store_recent **out, size_t *n, cd_err *e)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s;
	int rc = store__prepare(st,
				"SELECT path, kind, sha256, size, mtime_ns, first_opened, last_opened, "
				"open_count, summary_at, product, version, crash_reason, crash_address, "
				"crash_function, signature, module FROM recent ORDER BY seq DESC LIMIT ?1",
				&s, "listing recent crashes", e);
	if (rc != CD_OK)
		return rc;
	sqlite3_bind_int64(s, 1, max && max < INT64_MAX ? (int64_t)max : -1);
	store_recent *rows = NULL;
	size_t cnt = 0, cap = 0;
	int src, oom = 0;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			store_recent *g = realloc(rows, nc * sizeof *g);
			if (!g) {
				oom = 1;
				break;
			}
			rows = g;
			cap = nc;
		}
		store_recent *r = &rows[cnt++];
		memset(r, 0, sizeof *r);
		r->path = store__col_dup(s, 0, &oom);
		const char *kind = (const char *)sqlite3_column_text(s, 1);
		r->kind = kind && !strcmp(kind, "dir") ? STORE_DIR : STORE_DUMP;
		const char *sha = (const char *)sqlite3_column_text(s, 2);
		if (sha && strlen(sha) == 64)
			memcpy(r->sha256, sha, 65);
		r->size = (uint64_t)sqlite3_column_int64(s, 3);
		r->mtime_ns = sqlite3_column_int64(s, 4);
		r->first_opened = sqlite3_column_int64(s, 5);
		r->last_opened = sqlite3_column_int64(s, 6);
		r->open_count = (uint64_t)sqlite3_column_int64(s, 7);
		r->summary_at = sqlite3_column_int64(s, 8);
		r->product = store__col_dup(s, 9, &oom);
		r->version = store__col_dup(s, 10, &oom);
		r->crash_reason = store__col_dup(s, 11, &oom);
		r->crash_address = store__col_dup(s, 12, &oom);
		r->crash_function = store__col_dup(s, 13, &oom);
		r->signature = store__col_dup(s, 14, &oom);
		r->module = store__col_dup(s, 15, &oom);
		if (oom || !r->path)
			break;
	}
	if (oom)
		rc = cd_errf(e, CD_ENOMEM, "%s: out of memory listing recent crashes", st->path);
	else if (src != SQLITE_DONE)
		rc = st_err(st, src, "listing recent crashes", e);
	sqlite3_finalize(s);
	if (rc != CD_OK) {
		store_recent_free(rows, cnt);
		return rc;
	}
	*out = rows;
	*n = cnt;
	return CD_OK;
}

static void bind_two(sqlite3_stmt *s, const void *ctx)
{
	const char *const *v = ctx;
	store__bind_text(s, 1, v[0]);
	store__bind_text(s, 2, v[1]);
}

int store_recent_forget(store *st, const char *path, cd_err *e)
{
	char abs[PATH_MAX];
	const char *v[2] = { path, row_key(path, abs) };
	int rc = store__write1(st, "DELETE FROM recent WHERE path IN (?1, ?2)", bind_two, v,
			       "forgetting a crash", e);
	return found_recent(st, rc, path, e);
}

/* ---- processed ------------------------------------------------------------ */

static int check_key(const char *sha256, const char *symkey, cd_err *e)
{
	size_t i = 0;
	for (; sha256 && i < 64; i++)
		if (!((sha256[i] >= '0' && sha256[i] <= '9') || (sha256[i] >= 'a' && sha256[i] <= 'f')))
			break;
	if (!sha256 || i != 64 || sha256[64])
		return cd_errf(e, CD_EUSAGE, "processed result: '%s' is not a lowercase hex SHA-256",
			       sha256 ? sha256 : "(null)");
	if (!symkey || !*symkey)
		return cd_errf(e, CD_EUSAGE, "processed result: empty symbol-set key");
	return CD_OK;
}

typedef struct processed_args {
	const char *sha256, *symkey;
	store_body b;
} processed_args;

static void bind_processed(sqlite3_stmt *s, const void *ctx)
{
	const processed_args *a = ctx;
	store__bind_text(s, 1, a->sha256);
	store__bind_text(s, 2, a->symkey);
	store__bind_body(s, 3, &a->b);
	sqlite3_bind_int64(s, 6, now_s());
}

int store_processed_put(store *st, const char *sha256, const char *symkey, const char *json,
			cd_err *e)
{
	int rc = check_key(sha256, symkey, e);
	if (rc != CD_OK)
		return rc;
	size_t len = strlen(json);
	if (len > STORE_PROCESSED_MAX)
		return cd_errf(e, CD_EUSAGE, "processed result of %s: %zu bytes, more than %u", sha256,
			       len, STORE_PROCESSED_MAX);
	processed_args a = { sha256, symkey, { 0 } };
	if (store__encode_body(json, len, &a.b) != CD_OK)
		return cd_errf(e, CD_ENOMEM, "processed result of %s: out of memory", sha256);
	rc = store__write1(st,
			   "INSERT OR REPLACE INTO processed (sha256, symkey, encoding, raw_size, "
			   "body, made_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			   bind_processed, &a, "storing a processed result", e);
	store__body_free(&a.b);
	return rc;
}

int store__encode_body(const char *json, size_t len, store_body *out)
{
	*out = (store_body){ 0, json, len, len, NULL };
	uLongf zlen = compressBound((uLong)len);
	if (!(out->z = malloc(zlen)))
		return CD_ENOMEM;
	/* Z_BEST_SPEED: JSON compresses well at any level, and every walk
	 * writes its result (level 6 cost a tenth of a walk's time). */
	if (compress2(out->z, &zlen, (const Bytef *)json, (uLong)len, Z_BEST_SPEED) == Z_OK &&
	    zlen < len) {
		out->enc = 1;
		out->body = out->z;
		out->blen = zlen;
	}
	return CD_OK;
}

void store__body_free(store_body *b)
{
	free(b->z);
	b->z = NULL;
}

void store__bind_body(sqlite3_stmt *s, int i, const store_body *b)
{
	sqlite3_bind_int(s, i, b->enc);
	sqlite3_bind_int64(s, i + 1, (int64_t)b->len);
	/* A zero-length blob must still be a blob, not NULL. */
	sqlite3_bind_blob64(s, i + 2, b->blen ? b->body : "", b->blen, SQLITE_STATIC);
}

int store__decode_body(sqlite3_stmt *s, int col, char **text)
{
	int enc = sqlite3_column_int(s, col);
	int64_t raw = sqlite3_column_int64(s, col + 1);
	const void *body = sqlite3_column_blob(s, col + 2);
	size_t blen = (size_t)sqlite3_column_bytes(s, col + 2);
	int rc = CD_OK;
	char *t = NULL;
	if (raw < 0 || raw > (int64_t)STORE_PROCESSED_MAX || (enc == 0 && (size_t)raw != blen))
		rc = CD_EFORMAT;
	else if (!(t = malloc((size_t)raw + 1)))
		rc = CD_ENOMEM;
	else if (enc == 0) {
		if (raw)
			memcpy(t, body, (size_t)raw);
	} else {
		uLongf got = (uLongf)raw;
		if (uncompress((Bytef *)t, &got, body, (uLong)blen) != Z_OK || got != (uLongf)raw)
			rc = CD_EFORMAT;
	}
	if (rc == CD_OK) {
		t[raw] = 0;
		if (memchr(t, 0, (size_t)raw))
			rc = CD_EFORMAT;
	}
	if (rc != CD_OK) {
		free(t);
		t = NULL;
	}
	*text = t;
	return rc;
}

int store_processed_each(store *st, store_processed_fn fn, void *ctx, cd_err *e)
{
	sqlite3_stmt *s;
	/* The newest result of each dump: several symbol sets may have made one. */
	int rc = store__prepare(st,
				"SELECT sha256, encoding, raw_size, body FROM processed "
				"ORDER BY sha256, made_at DESC",
				&s, "reading processed results", e);
	if (rc != CD_OK)
		return rc;
	char last[65] = "";
	int src;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(s, 0);
		if (!sha || !strcmp(sha, last))
			continue;
		snprintf(last, sizeof last, "%s", sha);
		char *text;
		if (store__decode_body(s, 1, &text) != CD_OK)
			continue; /* damaged: cache verify reports it */
		int stop = fn(ctx, sha, text);
		free(text);
		if (stop)
			break;
	}
	sqlite3_finalize(s);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return st_err(st, src, "reading processed results", e);
	return CD_OK;
}

int store_processed_get(store *st, const char *sha256, const char *symkey, char **json,
			int64_t *made_at, cd_err *e)
{
	*json = NULL;
	int rc = check_key(sha256, symkey, e);
	if (rc != CD_OK)
		return rc;
	sqlite3_stmt *s;
	rc = store__prepare(st,
			    "SELECT encoding, raw_size, body, made_at FROM processed "
			    "WHERE sha256 = ?1 AND symkey = ?2",
			    &s, "reading a processed result", e);
	if (rc != CD_OK)
		return rc;
	store__bind_text(s, 1, sha256);
	store__bind_text(s, 2, symkey);
	int src = sqlite3_step(s);
	if (src == SQLITE_DONE) {
		sqlite3_finalize(s);
		return cd_errf(e, CD_ENOTFOUND, "no processed result for %s with symbols '%s'", sha256,
			       symkey);
	}
	if (src != SQLITE_ROW) {
		sqlite3_finalize(s);
		return st_err(st, src, "reading a processed result", e);
	}
	if (made_at)
		*made_at = sqlite3_column_int64(s, 3);
	char *text = NULL;
	rc = store__decode_body(s, 0, &text);
	sqlite3_finalize(s);
	if (rc != CD_OK) {
		free(text);
		if (rc == CD_ENOMEM)
			return cd_errf(e, rc, "%s: out of memory reading a processed result", st->path);
		return cd_errf(e, rc, "%s: processed result for %s with symbols '%s' is damaged",
			       st->path, sha256, symkey);
	}
	*json = text;
	return CD_OK;
}

/* ---- the symbol-file index ------------------------------------------------ */

int store_symfile_put(store *st, const store_symfile *rows, size_t n, cd_err *e)
{
	int rc = tx_begin(st, e);
	if (rc != CD_OK)
		return rc;
	sqlite3_stmt *s;
	/* fetched_at stays as it was while the file is the same one. */
	rc = store__prepare(st,
			    "INSERT INTO symfile (debug_file, debug_id, source, path, size, fetched_at, "
			    "last_used, status, remote, cache_file) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, "
			    "?8, ?9) ON CONFLICT (debug_file, debug_id) DO UPDATE SET "
			    "fetched_at = CASE WHEN path IS excluded.path AND size = excluded.size "
			    "  THEN fetched_at ELSE excluded.fetched_at END, "
			    "source = excluded.source, path = excluded.path, size = excluded.size, "
			    "last_used = excluded.last_used, status = excluded.status, "
			    "remote = excluded.remote, cache_file = excluded.cache_file",
			    &s, "indexing symbol files", e);
	for (size_t i = 0; rc == CD_OK && i < n; i++) {
		const store_symfile *r = &rows[i];
		sqlite3_reset(s);
		store__bind_text(s, 1, r->debug_file);
		store__bind_text(s, 2, r->debug_id);
		store__bind_text(s, 3, r->source);
		store__bind_text(s, 4, r->path);
		sqlite3_bind_int64(s, 5, (int64_t)r->size);
		sqlite3_bind_int64(s, 6, r->last_used ? r->last_used : now_s());
		store__bind_text(s, 7, r->status);
		sqlite3_bind_int(s, 8, r->remote);
		store__bind_text(s, 9, r->cache_file);
		int src = sqlite3_step(s);
		if (src != SQLITE_DONE)
			rc = st_err(st, src, "indexing symbol files", e);
	}
	if (s)
		sqlite3_finalize(s);
	return tx_end(st, rc, e);
}

int store_symfile_list(store *st, store_symfile **out, size_t *n, cd_err *e)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s;
	int rc = store__prepare(st,
				"SELECT debug_file, debug_id, source, path, size, fetched_at, last_used, "
				"status, remote, cache_file FROM symfile ORDER BY last_used, debug_file",
				&s, "listing symbol files", e);
	if (rc != CD_OK)
		return rc;
	size_t cap = 0;
	int src, oom = 0;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			store_symfile *p = realloc(*out, cap * sizeof *p);
			if (!p) {
				oom = 1;
				break;
			}
			*out = p;
		}
		store_symfile *r = &(*out)[(*n)++];
		memset(r, 0, sizeof *r);
		r->debug_file = store__col_dup(s, 0, &oom);
		r->debug_id = store__col_dup(s, 1, &oom);
		r->source = store__col_dup(s, 2, &oom);
		r->path = store__col_dup(s, 3, &oom);
		r->size = (uint64_t)sqlite3_column_int64(s, 4);
		r->fetched_at = sqlite3_column_int64(s, 5);
		r->last_used = sqlite3_column_int64(s, 6);
		r->status = store__col_dup(s, 7, &oom);
		r->remote = sqlite3_column_int(s, 8);
		r->cache_file = store__col_dup(s, 9, &oom);
	}
	sqlite3_finalize(s);
	if (oom || (src != SQLITE_ROW && src != SQLITE_DONE)) {
		store_symfile_free(*out, *n);
		*out = NULL;
		*n = 0;
		return oom ? cd_errf(e, CD_ENOMEM, "%s: out of memory", st->path)
			   : st_err(st, src, "listing symbol files", e);
	}
	return CD_OK;
}

void store_symfile_free(store_symfile *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)rows[i].debug_file);
		free((char *)rows[i].debug_id);
		free((char *)rows[i].source);
		free((char *)rows[i].path);
		free((char *)rows[i].status);
		free((char *)rows[i].cache_file);
	}
	free(rows);
}

int store_symfile_forget(store *st, const char *debug_file, const char *debug_id, cd_err *e)
{
	sqlite3_stmt *s;
	int rc = store__prepare(st, "DELETE FROM symfile WHERE debug_file = ?1 AND debug_id = ?2", &s,
			 "forgetting a symbol file", e);
	if (rc != CD_OK)
		return rc;
	store__bind_text(s, 1, debug_file);
	store__bind_text(s, 2, debug_id);
	return store__step_done(st, s, "forgetting a symbol file", e);
}

int store_counter_add(store *st, const char *const *names, const int64_t *deltas, size_t n,
		      cd_err *e)
{
	int rc = tx_begin(st, e);
	if (rc != CD_OK)
		return rc;
	sqlite3_stmt *s;
	rc = store__prepare(st,
			    "INSERT INTO counter (name, value) VALUES (?1, ?2) ON CONFLICT (name) "
			    "DO UPDATE SET value = value + excluded.value",
			    &s, "counting", e);
	for (size_t i = 0; rc == CD_OK && i < n; i++) {
		sqlite3_reset(s);
		store__bind_text(s, 1, names[i]);
		sqlite3_bind_int64(s, 2, deltas[i]);
		int src = sqlite3_step(s);
		if (src != SQLITE_DONE)
			rc = st_err(st, src, "counting", e);
	}
	if (rc == CD_OK || s)
		sqlite3_finalize(s);
	return tx_end(st, rc, e);
}

int64_t store_counter_get(store *st, const char *name)
{
	sqlite3_stmt *s;
	cd_err e;
	if (store__prepare(st, "SELECT value FROM counter WHERE name = ?1", &s, "counting", &e) != CD_OK)
		return 0;
	store__bind_text(s, 1, name);
	int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return v;
}

int64_t store_processed_count(store *st)
{
	int64_t v = 0;
	query_int(st->db, "SELECT count(*) FROM processed", &v);
	return v;
}
