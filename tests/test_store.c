/* test_store.c - SHA-256, XDG directories and the SQLite store. Every test
 * runs under a private temporary directory with $XDG_* and $HOME pointed
 * into it, so the real home is never touched. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>
#include <sqlite3.h>

#include "../src/store/store.h"
#include "../src/util/util.h"
#include "testlib.h"

static char tmp[256];

static void sha_hex(const void *p, size_t n, char hex[65])
{
	cd_sha256 s;
	uint8_t d[32];
	cd_sha256_init(&s);
	cd_sha256_update(&s, p, n);
	cd_sha256_final(&s, d);
	cd_sha256_hex(d, hex);
}

/* FIPS 180-4 examples and the NIST one-million-'a' vector. */
static void test_sha256_vectors(void)
{
	char h[65];
	sha_hex("", 0, h);
	T_EQ_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha_hex("abc", 3, h);
	T_EQ_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha_hex(m448, strlen(m448), h);
	T_EQ_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	sha_hex(m896, strlen(m896), h);
	T_EQ_STR(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	/* One million 'a' fed in uneven pieces exercises the partial-block path. */
	char chunk[997];
	memset(chunk, 'a', sizeof chunk);
	cd_sha256 s;
	cd_sha256_init(&s);
	size_t left = 1000000;
	for (size_t step = 1; left; step = step * 7 % 997 + 1) {
		size_t k = step < left ? step : left;
		cd_sha256_update(&s, chunk, k);
		left -= k;
	}
	uint8_t d[32];
	cd_sha256_final(&s, d);
	cd_sha256_hex(d, h);
	T_EQ_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* Lengths around the padding boundary (55, 56, 64 bytes). */
	sha_hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 55, h);
	T_EQ_STR(h, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	sha_hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 56, h);
	T_EQ_STR(h, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

static void test_sha256_file(void)
{
	char path[300], h[65];
	snprintf(path, sizeof path, "%s/abc.bin", tmp);
	FILE *f = fopen(path, "wb");
	T_ASSERT(f);
	fputs("abc", f);
	fclose(f);
	cd_err e;
	T_EQ_U64(cd_sha256_file(path, h, &e), CD_OK);
	T_EQ_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	snprintf(path, sizeof path, "%s/absent.bin", tmp);
	T_EQ_U64(cd_sha256_file(path, h, &e), CD_EIO);
	T_ASSERT(strstr(e.msg, "absent.bin"));
	T_EQ_U64(cd_sha256_file(tmp, h, &e), CD_EIO); /* a directory */
}

static void test_xdg(void)
{
	char buf[512], want[512];
	cd_err e;
	T_EQ_U64(cd_xdg_dir(CD_XDG_CACHE, "symcache", buf, sizeof buf, &e), CD_OK);
	snprintf(want, sizeof want, "%s/cache/crashdesk/symcache", tmp);
	T_EQ_STR(buf, want);
	struct stat st;
	T_ASSERT(stat(buf, &st) == 0 && S_ISDIR(st.st_mode));
	T_EQ_U64(st.st_mode & 0777, 0700);
	T_EQ_U64(cd_xdg_path(CD_XDG_CONFIG, NULL, buf, sizeof buf, &e), CD_OK);
	snprintf(want, sizeof want, "%s/config/crashdesk", tmp);
	T_EQ_STR(buf, want);
	T_ASSERT(stat(buf, &st) != 0); /* only computed, not created */
	/* Unset or relative: the ~/.local/state default under $HOME. */
	unsetenv("XDG_STATE_HOME");
	T_EQ_U64(cd_xdg_dir(CD_XDG_STATE, "", buf, sizeof buf, &e), CD_OK);
	snprintf(want, sizeof want, "%s/home/.local/state/crashdesk", tmp);
	T_EQ_STR(buf, want);
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	T_EQ_U64(cd_xdg_path(CD_XDG_CONFIG, NULL, buf, sizeof buf, &e), CD_OK);
	snprintf(want, sizeof want, "%s/home/.config/crashdesk", tmp);
	T_EQ_STR(buf, want);
	snprintf(want, sizeof want, "%s/state", tmp);
	setenv("XDG_STATE_HOME", want, 1);
	snprintf(want, sizeof want, "%s/config", tmp);
	setenv("XDG_CONFIG_HOME", want, 1);
	char small[8];
	T_EQ_U64(cd_xdg_path(CD_XDG_CACHE, NULL, small, sizeof small, &e), CD_EUSAGE);
}


/* ---- the store ---------------------------------------------------------- */

static void path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmp, name);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

static int mode_of(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (int)(sb.st_mode & 0777) : -1;
}

/* An integer read with SQLite directly, as another program would. */
static int64_t raw_int(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(h);
	return v;
}

static int raw_exec(const char *db, const char *sql)
{
	sqlite3 *h;
	int rc = sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc;
}

static const char *sha_a = "0000000000000000000000000000000000000000000000000000000000000a0a";

/* From nothing: the default path, the directory 0700, the schema at the
 * current version in WAL mode, and the database with its -wal and -shm
 * files 0600 even under a permissive umask. */
static void test_store_create(void)
{
	mode_t old = umask(0);
	store *st;
	cd_err e;
	int rc = store_open(NULL, &st, &e);
	umask(old);
	if (rc != CD_OK)
		T_FAILF("store_open: %s", e.msg);
	T_ASSERT(rc == CD_OK);
	char want[400], dir[400], p[420];
	path_in(dir, sizeof dir, "cache/crashdesk");
	snprintf(want, sizeof want, "%s/crashdesk.db", dir);
	T_EQ_STR(store_path(st), want);
	T_EQ_U64(mode_of(dir), 0700);
	/* A write makes SQLite create the -wal and -shm files. */
	T_EQ_U64(store_processed_put(st, sha_a, "k", "{}", &e), CD_OK);
	T_EQ_U64(mode_of(want), 0600);
	snprintf(p, sizeof p, "%s-wal", want);
	T_EQ_U64(mode_of(p), 0600);
	snprintf(p, sizeof p, "%s-shm", want);
	T_EQ_U64(mode_of(p), 0600);
	T_EQ_U64(raw_int(want, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	sqlite3 *h;
	sqlite3_stmt *s;
	T_ASSERT(sqlite3_open(want, &h) == SQLITE_OK);
	T_ASSERT(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK);
	T_ASSERT(sqlite3_step(s) == SQLITE_ROW);
	char mode[16];
	snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(h);
	T_EQ_STR(mode, "wal");
	T_EQ_U64(store_check(st, &e), CD_OK);
	store_close(st);
}

/* A database left with wider modes (by hand, or an old umask) is narrowed. */
static void test_store_narrows_modes(void)
{
	char db[400];
	path_in(db, sizeof db, "wide.db");
	int fd = open(db, O_CREAT | O_WRONLY, 0644);
	T_ASSERT(fd >= 0);
	fchmod(fd, 0644);
	close(fd);
	store *st;
	cd_err e;
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	T_EQ_U64(mode_of(db), 0600);
	store_close(st);
}

/* Closing and opening again keeps the data and does not migrate again. */
static void test_store_reopen(void)
{
	char db[400];
	path_in(db, sizeof db, "reopen.db");
	store *st;
	cd_err e;
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	T_EQ_U64(store_processed_put(st, sha_a, "syms-1", "{\"a\":1}", &e), CD_OK);
	store_close(st);
	T_EQ_U64(raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	char *j = NULL;
	int rc = store_processed_get(st, sha_a, "syms-1", &j, NULL, &e);
	store_close(st);
	T_EQ_U64(rc, CD_OK);
	T_EQ_STR(j, "{\"a\":1}");
	free(j);
	T_EQ_U64(raw_int(db, "SELECT count(*) FROM processed"), 1);
}

static const store_recent *find_row(const store_recent *r, size_t n, const char *suffix)
{
	for (size_t i = 0; i < n; i++) {
		size_t a = strlen(r[i].path), b = strlen(suffix);
		if (a >= b && !strcmp(r[i].path + a - b, suffix))
			return &r[i];
	}
	return NULL;
}

static void test_store_recent(void)
{
	char db[400], a[400], b[400], d[400], cwd[4096];
	path_in(db, sizeof db, "recent.db");
	path_in(a, sizeof a, "a.dmp");
	path_in(b, sizeof b, "b.dmp");
	path_in(d, sizeof d, "dumps");
	write_file(a, "abc", 3);
	write_file(b, "MDMP-b", 6);
	T_ASSERT(mkdir(d, 0700) == 0);
	store *st;
	cd_err e;
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	char sha[65];
	T_ASSERT(getcwd(cwd, sizeof cwd));
	/* A relative path is recorded as absolute. */
	T_ASSERT(chdir(tmp) == 0);
	int rc = store_recent_touch(st, "a.dmp", STORE_DUMP, sha, &e);
	T_ASSERT(chdir(cwd) == 0);
	T_EQ_U64(rc, CD_OK);
	T_EQ_STR(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	T_EQ_U64(store_recent_touch(st, b, STORE_DUMP, NULL, &e), CD_OK);
	T_EQ_U64(store_recent_touch(st, a, STORE_DUMP, sha, &e), CD_OK);
	T_EQ_STR(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	T_EQ_U64(store_recent_touch(st, d, STORE_DIR, sha, &e), CD_OK);
	T_EQ_STR(sha, "");

	store_recent *r;
	size_t n;
	T_EQ_U64(store_recent_list(st, 0, &r, &n, &e), CD_OK);
	T_EQ_U64(n, 3);
	/* Newest first, even within one second. */
	T_EQ_STR(r[0].path, d);
	T_EQ_STR(r[1].path, a);
	T_EQ_STR(r[2].path, b);
	T_CHECK(r[0].kind == STORE_DIR && r[1].kind == STORE_DUMP);
	T_EQ_U64(r[1].open_count, 2);
	T_EQ_U64(r[2].open_count, 1);
	T_EQ_U64(r[1].size, 3);
	T_EQ_STR(r[1].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	T_CHECK(r[1].first_opened > 0 && r[1].first_opened <= r[1].last_opened);
	T_CHECK(r[1].last_opened >= (int64_t)time(NULL) - 5);
	T_CHECK(r[1].summary_at == 0 && !r[1].product && !r[1].crash_reason);
	store_recent_free(r, n);
	T_EQ_U64(store_recent_list(st, 2, &r, &n, &e), CD_OK);
	T_EQ_U64(n, 2);
	store_recent_free(r, n);

	/* The summary, and that an unchanged re-open keeps it. */
	store_summary sm = { .product = "Firefox", .version = "125.0",
			     .crash_reason = "SIGSEGV / SEGV_MAPERR", .crash_address = "0x0",
			     .crash_function = "storage::store_cell", .module = "crashme" };
	T_EQ_U64(store_recent_update_summary(st, a, &sm, &e), CD_OK);
	T_EQ_U64(store_recent_touch(st, a, STORE_DUMP, NULL, &e), CD_OK);
	T_EQ_U64(store_recent_list(st, 1, &r, &n, &e), CD_OK);
	T_EQ_U64(n, 1);
	const store_recent *ra = &r[0];
	T_EQ_STR(ra->path, a);
	T_EQ_U64(ra->open_count, 3);
	T_CHECK(ra->summary_at > 0);
	T_CHECK(ra->product && !strcmp(ra->product, "Firefox"));
	T_CHECK(ra->crash_function && !strcmp(ra->crash_function, "storage::store_cell"));
	T_CHECK(ra->module && !strcmp(ra->module, "crashme") && !ra->signature);
	store_recent_free(r, n);

	/* New content: a new hash, and the old summary dropped. */
	write_file(a, "abcd", 4);
	T_EQ_U64(store_recent_touch(st, a, STORE_DUMP, sha, &e), CD_OK);
	T_EQ_STR(sha, "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589");
	T_EQ_U64(store_recent_list(st, 0, &r, &n, &e), CD_OK);
	ra = find_row(r, n, "/a.dmp");
	T_ASSERT(ra);
	T_EQ_U64(ra->open_count, 4);
	T_EQ_U64(ra->size, 4);
	T_CHECK(ra->summary_at == 0 && !ra->product && !ra->crash_reason);
	store_recent_free(r, n);

	/* Errors name the path. */
	char missing[400];
	path_in(missing, sizeof missing, "missing.dmp");
	T_EQ_U64(store_recent_touch(st, missing, STORE_DUMP, NULL, &e), CD_EIO);
	T_CHECK(strstr(e.msg, "missing.dmp") != NULL);
	T_EQ_U64(store_recent_touch(st, d, STORE_DUMP, NULL, &e), CD_EUSAGE);
	T_EQ_U64(store_recent_touch(st, a, STORE_DIR, NULL, &e), CD_EUSAGE);
	T_EQ_U64(store_recent_update_summary(st, missing, &sm, &e), CD_ENOTFOUND);

	/* Forgetting, also a file deleted since. */
	T_EQ_U64(store_recent_forget(st, b, &e), CD_OK);
	T_EQ_U64(store_recent_forget(st, b, &e), CD_ENOTFOUND);
	T_ASSERT(unlink(a) == 0);
	T_EQ_U64(store_recent_forget(st, a, &e), CD_OK);
	T_EQ_U64(store_recent_list(st, 0, &r, &n, &e), CD_OK);
	T_EQ_U64(n, 1);
	T_EQ_STR(r[0].path, d);
	store_recent_free(r, n);

	/* A key given is kept and not recomputed (a big dump is not read
	 * again); a touch after it, the file unchanged, keeps it too. */
	const char *key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	T_EQ_U64(store_recent_touch_key(st, b, key, &e), CD_OK);
	T_EQ_U64(store_recent_touch(st, b, STORE_DUMP, sha, &e), CD_OK);
	T_EQ_STR(sha, key);
	T_EQ_U64(store_recent_touch_key(st, b, "short", &e), CD_EUSAGE);
	store_close(st);
}

static void test_store_processed(void)
{
	char db[400];
	path_in(db, sizeof db, "processed.db");
	store *st;
	cd_err e;
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	/* Large, repetitive JSON as processed crashes are: stored compressed. */
	cd_buf big;
	cd_buf_init(&big, 0);
	cd_buf_puts(&big, "{\"threads\":[");
	for (int i = 0; i < 5000; i++)
		cd_buf_printf(&big, "%s{\"frame\":%d,\"function\":\"storage::fill_block\"}",
			      i ? "," : "", i);
	cd_buf_puts(&big, "]}");
	char sha_b[65];
	snprintf(sha_b, sizeof sha_b, "%s", sha_a);
	sha_b[0] = 'b';
	T_EQ_U64(store_processed_put(st, sha_a, "syms:v1", big.data, &e), CD_OK);
	T_EQ_U64(store_processed_put(st, sha_a, "syms:v2", "{\"v\":2}", &e), CD_OK);
	T_EQ_U64(store_processed_put(st, sha_b, "syms:v1", "", &e), CD_OK);
	char *j = NULL;
	int64_t made = 0;
	T_EQ_U64(store_processed_get(st, sha_a, "syms:v1", &j, &made, &e), CD_OK);
	T_CHECK(j && strlen(j) == big.len && !memcmp(j, big.data, big.len));
	T_CHECK(made >= (int64_t)time(NULL) - 5 && made <= (int64_t)time(NULL));
	free(j);
	T_EQ_U64(store_processed_get(st, sha_a, "syms:v2", &j, NULL, &e), CD_OK);
	T_EQ_STR(j, "{\"v\":2}");
	free(j);
	T_EQ_U64(store_processed_get(st, sha_b, "syms:v1", &j, NULL, &e), CD_OK);
	T_EQ_STR(j, "");
	free(j);
	/* Replacing an entry. */
	T_EQ_U64(store_processed_put(st, sha_a, "syms:v2", "{\"v\":3}", &e), CD_OK);
	T_EQ_U64(store_processed_get(st, sha_a, "syms:v2", &j, NULL, &e), CD_OK);
	T_EQ_STR(j, "{\"v\":3}");
	free(j);
	T_EQ_U64(store_processed_get(st, sha_b, "syms:v2", &j, NULL, &e), CD_ENOTFOUND);
	T_CHECK(j == NULL);
	T_EQ_U64(store_processed_put(st, "ABC", "k", "{}", &e), CD_EUSAGE);
	T_EQ_U64(store_processed_put(st, sha_a, "", "{}", &e), CD_EUSAGE);
	store_close(st);
	int64_t stored = raw_int(db, "SELECT length(body) FROM processed WHERE symkey = 'syms:v1' "
				     "AND sha256 LIKE '0%'");
	T_CHECK(stored > 0 && (size_t)stored * 5 < big.len);
	/* An entry damaged behind our back is reported, not trusted. */
	T_ASSERT(raw_exec(db, "UPDATE processed SET body = x'789c0102' WHERE symkey = 'syms:v1' "
			      "AND sha256 LIKE '0%'") == SQLITE_OK);
	T_ASSERT(raw_exec(db, "UPDATE processed SET raw_size = 9999999999 WHERE symkey = 'syms:v2'") ==
		 SQLITE_OK);
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	T_EQ_U64(store_processed_get(st, sha_a, "syms:v1", &j, NULL, &e), CD_EFORMAT);
	T_CHECK(strstr(e.msg, "damaged") && strstr(e.msg, db));
	T_EQ_U64(store_processed_get(st, sha_a, "syms:v2", &j, NULL, &e), CD_EFORMAT);
	store_close(st);
	cd_buf_free(&big);
}

/* Files that are not crashdesk's database: a clear error naming the path. */
/* A signature's bugs: absent until stored, replaced by a newer answer,
 * kept across a reopen. */
static void test_store_sigbugs(void)
{
	char db[400];
	path_in(db, sizeof db, "sigbugs.db");
	store *st;
	cd_err e;
	char *bugs = NULL;
	int64_t at = 0;
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	T_EQ_U64(store_sigbugs_get(st, "OOM | small", &bugs, &at, &e), CD_ENOTFOUND);
	T_CHECK(bugs == NULL);
	T_EQ_U64(store_sigbugs_put(st, "OOM | small", "[1]", &e), CD_OK);
	T_EQ_U64(store_sigbugs_put(st, "OOM | small", "[1,2]", &e), CD_OK);
	T_EQ_U64(store_sigbugs_put(st, "other", "[]", &e), CD_OK);
	store_close(st);
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	T_EQ_U64(store_sigbugs_get(st, "OOM | small", &bugs, &at, &e), CD_OK);
	T_EQ_STR(bugs, "[1,2]");
	T_CHECK(at > 1700000000);
	free(bugs);
	T_EQ_U64(store_sigbugs_get(st, "other", &bugs, NULL, &e), CD_OK);
	T_EQ_STR(bugs, "[]");
	free(bugs);
	store_close(st);
}

static void test_store_damaged(void)
{
	char db[400];
	store *st;
	cd_err e;
	path_in(db, sizeof db, "text.db");
	char text[4096];
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = "not a database\n"[i % 15];
	write_file(db, text, sizeof text);
	T_EQ_U64(store_open(db, &st, &e), CD_EFORMAT);
	T_CHECK(strstr(e.msg, db) && strstr(e.msg, "not a crashdesk database"));

	/* Another program's SQLite database is left alone. */
	path_in(db, sizeof db, "other.db");
	T_ASSERT(raw_exec(db, "CREATE TABLE songs(title TEXT)") == SQLITE_OK);
	T_EQ_U64(store_open(db, &st, &e), CD_EFORMAT);
	T_CHECK(strstr(e.msg, db) && strstr(e.msg, "another program"));
	T_EQ_U64(raw_int(db, "SELECT count(*) FROM sqlite_master"), 1);

	/* A newer schema than this build knows. */
	path_in(db, sizeof db, "newer.db");
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	store_close(st);
	T_ASSERT(raw_exec(db, "PRAGMA user_version = 99") == SQLITE_OK);
	T_EQ_U64(store_open(db, &st, &e), CD_EFORMAT);
	T_CHECK(strstr(e.msg, db) && strstr(e.msg, "schema version 99 is newer"));

	/* A directory, and a missing parent. */
	T_EQ_U64(store_open(tmp, &st, &e), CD_EIO);
	T_CHECK(strstr(e.msg, tmp) != NULL);
	path_in(db, sizeof db, "no/such/dir/x.db");
	T_EQ_U64(store_open(db, &st, &e), CD_EIO);
	T_CHECK(strstr(e.msg, db) != NULL);

	/* A real database whose pages were overwritten: the check finds it,
	 * and reading gives an error, never a crash. */
	path_in(db, sizeof db, "pages.db");
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	char json[2000];
	uint32_t x = 1;
	for (int i = 0; i < 200; i++) {
		char sha[65];
		snprintf(sha, sizeof sha, "%064x", i);
		/* Incompressible, so the rows fill many pages. */
		for (size_t c = 0; c < sizeof json - 1; c++) {
			x = x * 1103515245 + 12345;
			json[c] = (char)('a' + (x >> 16) % 26);
		}
		json[sizeof json - 1] = 0;
		T_EQ_U64(store_processed_put(st, sha, "k", json, &e), CD_OK);
	}
	store_close(st); /* the last close checkpoints the WAL into the file */
	struct stat sb;
	T_ASSERT(stat(db, &sb) == 0 && sb.st_size > 16 * 4096);
	int fd = open(db, O_WRONLY);
	T_ASSERT(fd >= 0);
	char junk[4096 * 8];
	memset(junk, 0xa5, sizeof junk);
	T_ASSERT(pwrite(fd, junk, sizeof junk, 4096 * 2) == (ssize_t)sizeof junk);
	close(fd);
	int rc = store_open(db, &st, &e);
	if (rc == CD_OK) {
		rc = store_check(st, &e);
		store_close(st);
	}
	T_EQ_U64(rc, CD_EFORMAT);
	T_CHECK(strstr(e.msg, db) && strstr(e.msg, "damaged"));
}

/* A writer killed with SIGKILL mid-loop: the database opens, checks clean,
 * and holds every write the child reported committed. */
static void test_store_kill9(void)
{
	char db[400], dump[400];
	path_in(db, sizeof db, "kill.db");
	path_in(dump, sizeof dump, "kill.dmp");
	write_file(dump, "MDMP", 4);
	int fds[2];
	T_ASSERT(pipe(fds) == 0);
	fflush(stdout);
	pid_t pid = fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		store *st;
		cd_err e;
		if (store_open(db, &st, &e) != CD_OK)
			_exit(3);
		char json[3000];
		for (uint32_t i = 0;; i++) {
			char sha[65];
			snprintf(sha, sizeof sha, "%064x", i);
			snprintf(json, sizeof json, "{\"i\":%u,\"pad\":\"%0*u\"}", i,
				 (int)(i % 2000), i);
			if (store_processed_put(st, sha, "k", json, &e) != CD_OK ||
			    store_recent_touch(st, dump, STORE_DUMP, NULL, &e) != CD_OK)
				_exit(4);
			if (write(fds[1], &i, sizeof i) != sizeof i)
				_exit(5);
		}
	}
	close(fds[1]);
	uint32_t last = 0, v;
	int got = 0;
	while (read(fds[0], &v, sizeof v) == sizeof v) {
		last = v;
		got = 1;
		if (v >= 300)
			break;
	}
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	/* What the child reported before it died. */
	while (read(fds[0], &v, sizeof v) == sizeof v)
		last = v;
	close(fds[0]);
	T_ASSERT(got);
	T_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	char wal[420];
	snprintf(wal, sizeof wal, "%s-wal", db);
	T_CHECK(mode_of(wal) == 0600); /* the log the kill left, to be recovered */

	store *st;
	cd_err e;
	T_EQ_U64(store_open(db, &st, &e), CD_OK);
	T_EQ_U64(store_check(st, &e), CD_OK);
	for (uint32_t i = 0; i <= last; i++) {
		char sha[65], *j = NULL;
		snprintf(sha, sizeof sha, "%064x", i);
		if (store_processed_get(st, sha, "k", &j, NULL, &e) != CD_OK) {
			T_FAILF("entry %u of %u lost: %s", i, last, e.msg);
			break;
		}
		char want[32];
		snprintf(want, sizeof want, "{\"i\":%u,", i);
		T_CHECK(!strncmp(j, want, strlen(want)));
		free(j);
	}
	store_recent *r;
	size_t n;
	T_EQ_U64(store_recent_list(st, 0, &r, &n, &e), CD_OK);
	T_EQ_U64(n, 1);
	/* Each reported iteration committed one touch; the kill may have
	 * landed after one more commit. */
	T_CHECK(r[0].open_count >= (uint64_t)last + 1 && r[0].open_count <= (uint64_t)last + 2);
	store_recent_free(r, n);
	/* And it takes writes again. */
	T_EQ_U64(store_recent_touch(st, dump, STORE_DUMP, NULL, &e), CD_OK);
	store_close(st);
}

/* `crashdesk cache` from the shell, against the same XDG directories. */
static void test_cli_cache(void)
{
	const char *cd = getenv("CRASHDESK");
	if (!cd || !*cd)
		cd = "build/crashdesk";
	if (access(cd, X_OK) != 0)
		T_SKIP("%s is not built", cd);
	char cmd[1200], out[4096], want[600];
	snprintf(cmd, sizeof cmd, "%s cache path --db 2>&1", cd);
	FILE *p = popen(cmd, "r");
	T_ASSERT(p);
	size_t k = fread(out, 1, sizeof out - 1, p);
	out[k] = 0;
	T_EQ_U64(pclose(p), 0);
	snprintf(want, sizeof want, "%s/cache/crashdesk/crashdesk.db\n", tmp);
	T_EQ_STR(out, want);

	char dump[400];
	path_in(dump, sizeof dump, "cli.dmp");
	write_file(dump, "MDMP\x01", 5);
	store *st;
	cd_err e;
	T_EQ_U64(store_open(NULL, &st, &e), CD_OK);
	T_EQ_U64(store_recent_touch(st, dump, STORE_DUMP, NULL, &e), CD_OK);
	store_summary sm = { .crash_reason = "SIGSEGV \x1b[31m", .crash_function = "main" };
	T_EQ_U64(store_recent_update_summary(st, dump, &sm, &e), CD_OK);
	store_close(st);
	snprintf(cmd, sizeof cmd, "%s cache recent 2>&1", cd);
	T_ASSERT((p = popen(cmd, "r")));
	k = fread(out, 1, sizeof out - 1, p);
	out[k] = 0;
	T_EQ_U64(pclose(p), 0);
	T_CHECK(strstr(out, dump) && strstr(out, "1x  dump"));
	/* The escape sequence from the dump is shown, not sent to the terminal. */
	T_CHECK(strstr(out, "SIGSEGV \\x1b[31m  in main") != NULL);

	snprintf(cmd, sizeof cmd, "%s cache forget '%s' >/dev/null 2>&1", cd, dump);
	T_EQ_U64(system(cmd), 0);
	T_EQ_U64(system(cmd) != 0, 1); /* not there any more */
	char bad[400];
	path_in(bad, sizeof bad, "text.db");
	snprintf(cmd, sizeof cmd, "%s cache recent --db '%s' 2>&1", cd, bad);
	T_ASSERT((p = popen(cmd, "r")));
	k = fread(out, 1, sizeof out - 1, p);
	out[k] = 0;
	int rc = pclose(p);
	T_CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
	T_CHECK(strstr(out, bad) && strstr(out, "not a crashdesk database"));
}

static void setup(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/crashdesk-store-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		exit(1);
	}
	char p[400];
	const char *kinds[][2] = { { "XDG_CACHE_HOME", "cache" }, { "XDG_CONFIG_HOME", "config" },
				   { "XDG_STATE_HOME", "state" }, { "HOME", "home" } };
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s", tmp, kinds[i][1]);
		setenv(kinds[i][0], p, 1);
	}
}

static void cleanup(void)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
}

int main(void)
{
	setup();
	T_RUN(test_sha256_vectors);
	T_RUN(test_sha256_file);
	T_RUN(test_xdg);
	T_RUN(test_store_create);
	T_RUN(test_store_narrows_modes);
	T_RUN(test_store_reopen);
	T_RUN(test_store_recent);
	T_RUN(test_store_processed);
	T_RUN(test_store_sigbugs);
	T_RUN(test_store_damaged);
	T_RUN(test_store_kill9);
	T_RUN(test_cli_cache);
	cleanup();
	return t_done();
}
