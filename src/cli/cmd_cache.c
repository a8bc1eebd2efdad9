/*
 * cmd_cache.c - `crashdesk cache`: the cache database seen from the shell.
 *   path [--db]             the cache directory (or the database file)
 *   recent [--max N]        recently opened crashes, newest first
 *   forget PATH...          drop crashes from the recent list
 *   stats                   sizes, counts and hit rates of the symbol cache
 *   gc --max-size SIZE      least recently used symbols out, files in use kept
 *   verify                  every entry checked, damaged ones removed
 * --db FILE uses another database than $XDG_CACHE_HOME/crashdesk/crashdesk.db;
 * --cache-dir DIR another cache directory (and its crashdesk.db).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../store/store.h"
#include "../symbols/symbols.h"
#include "cli.h"

static const char cache_help[] =
	"usage: crashdesk cache path [--db]\n"
	"       crashdesk cache recent [--max N] [--db FILE]\n"
	"       crashdesk cache forget [--db FILE] PATH...\n"
	"       crashdesk cache stats [--cache-dir DIR]\n"
	"       crashdesk cache gc --max-size SIZE [--cache-dir DIR]\n"
	"       crashdesk cache verify [--cache-dir DIR]\n"
	"\n"
	"path prints the cache directory, $XDG_CACHE_HOME/crashdesk (default\n"
	"~/.cache/crashdesk), or with --db the database file in it. recent lists\n"
	"the recently opened crashes, newest first, with what processing learnt\n"
	"of them; forget removes crashes from that list. stats shows the symbol\n"
	"cache: downloaded files, remembered 404s, symbol caches, the database,\n"
	"hit rates, temporaries left by killed processes. gc removes those\n"
	"temporaries, then the least recently used downloaded symbols and symbol\n"
	"caches until the cache fits SIZE (K, M, G), never a file in use. verify\n"
	"removes the temporaries, checks every entry and removes the damaged ones\n"
	"(exit 1 if any).\n";

/* Untrusted text (it comes from dumps) with control bytes escaped. */
static void put(cd_buf *b, const char *s)
{
	if (s)
		cd_buf_put_printable(b, s, strlen(s));
}

static void print_recent(const store_recent *r)
{
	char when[32];
	cd_format_utc((uint64_t)r->last_opened, when);
	cd_buf b;
	cd_buf_init(&b, 1 << 16);
	cd_buf_printf(&b, "%s  %3llux  %-4s  ", when, (unsigned long long)r->open_count,
		      r->kind == STORE_DIR ? "dir" : "dump");
	put(&b, r->path);
	if (r->summary_at) {
		cd_buf_puts(&b, "\n                                ");
		if (r->product) {
			put(&b, r->product);
			cd_buf_puts(&b, r->version ? " " : "");
			put(&b, r->version);
			cd_buf_puts(&b, "  ");
		}
		put(&b, r->crash_reason ? r->crash_reason : "no crash reason");
		if (r->crash_address) {
			cd_buf_puts(&b, " at ");
			put(&b, r->crash_address);
		}
		const char *fn = r->signature ? r->signature : r->crash_function;
		if (fn) {
			cd_buf_puts(&b, "  in ");
			put(&b, fn);
		}
		if (r->module) {
			cd_buf_puts(&b, " (");
			put(&b, r->module);
			cd_buf_puts(&b, ")");
		}
	}
	printf("%s\n", b.data ? b.data : "");
	cd_buf_free(&b);
}

static int open_store(const char *db, store **st)
{
	cd_err e;
	if (store_open(db, st, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	return 0;
}

/* ---- the symbol cache on disk ---------------------------------------------- */

typedef struct cfile {
	char *path;       /* a downloaded .sym, or a symbol cache of a local file */
	char cache[4200]; /* its symbol cache ("" none) */
	uint64_t size;    /* both together */
	int64_t used;     /* last use: the index's, else the newest mtime */
} cfile;

typedef struct cwalk {
	cfile *f;
	size_t n, cap;
	uint64_t nsym, sym_bytes, n404, ncache, cache_bytes;
} cwalk;

static void add_file(cwalk *w, const char *path, uint64_t size, int64_t used)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		cfile *p = realloc(w->f, cap * sizeof *p);
		if (!p)
			return;
		w->f = p;
		w->cap = cap;
	}
	cfile *f = &w->f[w->n];
	memset(f, 0, sizeof *f);
	if (!(f->path = strdup(path)))
		return;
	f->size = size;
	f->used = used;
	w->n++;
}

/* Every file under dir (the download cache: DEBUGFILE/DEBUGID/NAME). */
static void scan_tree(cwalk *w, const char *dir, int depth)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		char p[4200];
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(p, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth < 2)
			scan_tree(w, p, depth + 1);
		else if (S_ISREG(st.st_mode) && depth == 2) {
			size_t n = strlen(p);
			if (n > 4 && !strcmp(p + n - 4, ".404"))
				w->n404++;
			else if (n > 4 && !strcmp(p + n - 4, ".sym")) {
				w->nsym++;
				w->sym_bytes += (uint64_t)st.st_size;
				add_file(w, p, (uint64_t)st.st_size, (int64_t)st.st_mtime);
			}
		}
	}
	closedir(dp);
}

/* The download cache and the symbol caches, each download with its cache. */
static void scan_cache(const char *root, store *db, cwalk *w)
{
	char dir[4200], cdir[4200];
	snprintf(dir, sizeof dir, "%s/symbols", root);
	snprintf(cdir, sizeof cdir, "%s/symcache", root);
	scan_tree(w, dir, 0);
	size_t ndl = w->n;
	for (size_t i = 0; i < ndl; i++) {
		cd_err e;
		struct stat st;
		if (sym_cache_path(w->f[i].path, cdir, w->f[i].cache, sizeof w->f[i].cache, &e) ||
		    stat(w->f[i].cache, &st))
			w->f[i].cache[0] = 0;
		else {
			w->f[i].size += (uint64_t)st.st_size;
			if ((int64_t)st.st_mtime > w->f[i].used)
				w->f[i].used = (int64_t)st.st_mtime;
		}
	}
	/* Caches of local files (or of nothing any more) are candidates too. */
	DIR *dp = opendir(cdir);
	struct dirent *de;
	while (dp && (de = readdir(dp))) {
		size_t n = strlen(de->d_name);
		if (n < 7 || strcmp(de->d_name + n - 6, ".cdsym"))
			continue;
		char p[4200];
		snprintf(p, sizeof p, "%s/%s", cdir, de->d_name);
		struct stat st;
		if (stat(p, &st))
			continue;
		w->ncache++;
		w->cache_bytes += (uint64_t)st.st_size;
		int owned = 0;
		for (size_t i = 0; i < ndl && !owned; i++)
			owned = !strcmp(w->f[i].cache, p);
		if (!owned)
			add_file(w, p, (uint64_t)st.st_size, (int64_t)st.st_mtime);
	}
	if (dp)
		closedir(dp);
	/* The index knows when a file was last used by a walk. */
	store_symfile *rows;
	size_t nrows;
	cd_err e;
	if (db && store_symfile_list(db, &rows, &nrows, &e) == CD_OK) {
		for (size_t k = 0; k < nrows; k++)
			for (size_t i = 0; i < w->n; i++)
				if ((rows[k].path && !strcmp(rows[k].path, w->f[i].path)) ||
				    (rows[k].cache_file && !strcmp(rows[k].cache_file, w->f[i].path)))
					if (rows[k].last_used > w->f[i].used)
						w->f[i].used = rows[k].last_used;
		store_symfile_free(rows, nrows);
	}
}

static void cwalk_free(cwalk *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->f[i].path);
	free(w->f);
}

static double mb(uint64_t b) { return (double)b / (1024.0 * 1024.0); }

/* The directories where writers leave temporaries: symbol downloads,
 * symbol caches being built, minidumps being fetched. */
static const char *const tmp_dirs[] = { "tmp", "symcache", "dumps" };

static cd_tmp_count sweep_all(const char *root, int remove)
{
	cd_tmp_count c = { 0, 0 };
	for (size_t i = 0; i < sizeof tmp_dirs / sizeof *tmp_dirs; i++) {
		char dir[4200];
		snprintf(dir, sizeof dir, "%s/%s", root, tmp_dirs[i]);
		cd_tmp_sweep(dir, remove, &c);
	}
	return c;
}

/* Removes them, and says so when there were any (gc, verify). */
static void sweep_and_say(const char *root)
{
	cd_tmp_count swept = sweep_all(root, 1);
	if (swept.files)
		printf("removed %llu temporary files left by killed processes (%.1f MB)\n",
		       (unsigned long long)swept.files, mb(swept.bytes));
}

static int cache_stats(const char *root, store *db)
{
	cwalk w = { 0 };
	scan_cache(root, db, &w);
	struct stat st;
	char dbp[4200];
	snprintf(dbp, sizeof dbp, "%s/crashdesk.db", root);
	uint64_t dbsize = stat(dbp, &st) == 0 ? (uint64_t)st.st_size : 0;
	printf("cache directory:           %s\n", root);
	printf("downloaded symbol files:   %llu (%.1f MB)\n", (unsigned long long)w.nsym,
	       mb(w.sym_bytes));
	printf("remembered 404s:           %llu\n", (unsigned long long)w.n404);
	printf("symbol caches:             %llu (%.1f MB)\n", (unsigned long long)w.ncache,
	       mb(w.cache_bytes));
	cd_tmp_count left = sweep_all(root, 0);
	printf("left by killed processes:  %llu temporary files (%.1f MB; cache gc or verify removes them)\n",
	       (unsigned long long)left.files, mb(left.bytes));
	store_symfile *rows;
	size_t n;
	cd_err e;
	uint64_t ok = 0, missing = 0, damaged = 0;
	if (store_symfile_list(db, &rows, &n, &e) == CD_OK) {
		for (size_t i = 0; i < n; i++) {
			ok += !strcmp(rows[i].status, "ok");
			missing += !strcmp(rows[i].status, "missing");
			damaged += !strcmp(rows[i].status, "damaged");
		}
		store_symfile_free(rows, n);
	}
	printf("database:                  %.1f MB, %lld processed results\n", mb(dbsize),
	       (long long)store_processed_count(db));
	printf("indexed modules:           %llu ok, %llu missing, %llu damaged\n",
	       (unsigned long long)ok, (unsigned long long)missing, (unsigned long long)damaged);
	int64_t local = store_counter_get(db, "local_hits"), cache = store_counter_get(db, "cache_hits"),
		dl = store_counter_get(db, "downloads"), neg = store_counter_get(db, "negative_hits"),
		miss = store_counter_get(db, "misses"), req = store_counter_get(db, "requests"),
		bytes = store_counter_get(db, "bytes");
	printf("lookups:                   %lld local, %lld download cache, %lld downloaded, "
	       "%lld without symbols (%lld of them remembered 404s)\n",
	       (long long)local, (long long)cache, (long long)dl, (long long)miss, (long long)neg);
	int64_t found = local + cache + dl;
	printf("hit rate:                  %.0f%% of found symbols needed no download; "
	       "%.0f%% of misses needed no request\n",
	       found ? 100.0 * (double)(local + cache) / (double)found : 0.0,
	       miss ? 100.0 * (double)neg / (double)miss : 0.0);
	printf("network:                   %lld requests, %.1f MB received\n", (long long)req,
	       mb((uint64_t)bytes));
	cwalk_free(&w);
	return 0;
}

static int by_use(const void *a, const void *b)
{
	const cfile *x = a, *y = b;
	return x->used < y->used ? -1 : x->used > y->used;
}

/* Locks f's symbol cache (or f itself when it is one) against mappers:
 * an open sym_cache holds a shared lock. Returns the fd, or -1 when in use. */
static int lock_unused(const cfile *f)
{
	const char *p = f->cache[0] ? f->cache : f->path;
	size_t n = strlen(p);
	if (n < 6 || strcmp(p + n - 6, ".cdsym"))
		return open("/dev/null", O_RDONLY); /* no cache: nobody maps it */
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return open("/dev/null", O_RDONLY);
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cache_gc(const char *root, store *db, uint64_t max)
{
	sweep_and_say(root);
	cwalk w = { 0 };
	scan_cache(root, db, &w);
	uint64_t total = 0, freed = 0;
	for (size_t i = 0; i < w.n; i++)
		total += w.f[i].size;
	if (w.n) /* qsort of NULL is undefined even for 0 entries */
		qsort(w.f, w.n, sizeof *w.f, by_use);
	size_t removed = 0, busy = 0;
	for (size_t i = 0; i < w.n && total > max; i++) {
		cfile *f = &w.f[i];
		int fd = lock_unused(f);
		if (fd < 0) {
			printf("kept (in use): %s\n", f->path);
			busy++;
			continue;
		}
		unlink(f->path);
		if (f->cache[0])
			unlink(f->cache);
		close(fd);
		total -= f->size;
		freed += f->size;
		removed++;
	}
	/* Index rows of removed downloads. */
	store_symfile *rows;
	size_t n;
	cd_err e;
	if (store_symfile_list(db, &rows, &n, &e) == CD_OK) {
		for (size_t k = 0; k < n; k++)
			if (rows[k].remote && rows[k].path && access(rows[k].path, F_OK))
				store_symfile_forget(db, rows[k].debug_file, rows[k].debug_id, &e);
		store_symfile_free(rows, n);
	}
	printf("removed %zu files (%.1f MB); %.1f MB left%s\n", removed, mb(freed), mb(total),
	       busy ? "; some files are in use" : "");
	cwalk_free(&w);
	return total > max && !busy ? 1 : 0;
}

static int cache_verify(const char *root, store *db)
{
	int bad = 0;
	sweep_and_say(root);
	cwalk w = { 0 };
	scan_cache(root, db, &w);
	size_t checked = 0;
	for (size_t i = 0; i < w.n; i++) {
		cfile *f = &w.f[i];
		cd_err e;
		size_t n = strlen(f->path);
		if (n > 4 && !strcmp(f->path + n - 4, ".sym")) {
			/* The directory it sits in names the debug id it must have. */
			char id[256];
			snprintf(id, sizeof id, "%s", f->path);
			*strrchr(id, '/') = 0;
			const char *slash = strrchr(id, '/');
			checked++;
			if (sym_check_module_line(f->path, slash ? slash + 1 : id, &e) != CD_OK) {
				printf("%s: removed\n", e.msg);
				unlink(f->path);
				if (f->cache[0])
					unlink(f->cache);
				bad = 1;
				continue;
			}
		}
		const char *cp = f->cache[0] ? f->cache : f->path;
		n = strlen(cp);
		if (n > 6 && !strcmp(cp + n - 6, ".cdsym")) {
			sym_cache *c;
			checked++;
			if (sym_cache_open(cp, &c, &e) != CD_OK) {
				/* Rebuilt on next use from its source. */
				printf("%s: removed\n", e.msg);
				unlink(cp);
				bad = 1;
			} else
				sym_cache_close(c);
		}
	}
	cd_err e;
	if (store_check(db, &e) != CD_OK) {
		printf("%s\n", e.msg);
		bad = 1;
	}
	store_symfile *rows;
	size_t n;
	if (store_symfile_list(db, &rows, &n, &e) == CD_OK) {
		for (size_t k = 0; k < n; k++)
			if (rows[k].path && access(rows[k].path, F_OK))
				store_symfile_forget(db, rows[k].debug_file, rows[k].debug_id, &e);
		store_symfile_free(rows, n);
	}
	printf("%zu entries checked: %s\n", checked, bad ? "damaged entries removed" : "all good");
	cwalk_free(&w);
	return bad;
}

int cmd_cache(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(cache_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1], *db = NULL, *cache_dir = NULL;
	int want_db = 0;
	size_t max = 0;
	int64_t max_size = -1;
	char **rest = calloc((size_t)argc, sizeof *rest);
	int nrest = 0;
	if (!rest) {
		cli_error("out of memory");
		return 1;
	}
	/* "path --db" asks for the database's path; elsewhere --db names it. */
	enum { K_DB = CLI_OPT_FIRST_FREE, K_MAX_SIZE, K_MAX };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, K_DB },
		{ "cache-dir", required_argument, NULL, CLI_OPT_CACHE_DIR },
		{ "max-size", required_argument, NULL, K_MAX_SIZE },
		{ "max", required_argument, NULL, K_MAX },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option path_opts[] = {
		{ "db", no_argument, NULL, K_DB },
		{ "cache-dir", required_argument, NULL, CLI_OPT_CACHE_DIR },
		{ NULL, 0, NULL, 0 },
	};
	int is_path = !strcmp(sub, "path"), c;
	cli_getopt_reset();
	while ((c = cli_getopt("cache", argc - 1, argv + 1, "", is_path ? path_opts : opts)) != -1) {
		if (c == K_DB && is_path)
			want_db = 1;
		else if (c == K_DB)
			db = optarg;
		else if (c == CLI_OPT_CACHE_DIR)
			cache_dir = optarg;
		else if (c == K_MAX_SIZE) {
			if ((max_size = cd_parse_size(optarg)) < 0) {
				cli_error("cache: --max-size wants a size such as 500M or 2G, not '%s'",
					  optarg);
				free(rest);
				return 2;
			}
		} else if (c == K_MAX) {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*end || end == optarg || optarg[0] == '-') {
				cli_error("cache: --max wants a number, not '%s'", optarg);
				free(rest);
				return 2;
			}
			max = (size_t)v;
		} else {
			fputs(cache_help, stderr);
			free(rest);
			return 2;
		}
	}
	/* argv + 1 was scanned: its argv[0] is the subcommand. */
	for (int i = optind + 1; i < argc; i++)
		rest[nrest++] = argv[i];
	int status = 0;
	char root[4096], dbbuf[4200];
	if (cache_dir) {
		snprintf(root, sizeof root, "%s", cache_dir);
		snprintf(dbbuf, sizeof dbbuf, "%s/crashdesk.db", root);
		if (!db)
			db = dbbuf;
	} else {
		cd_err e;
		if (cd_xdg_dir(CD_XDG_CACHE, NULL, root, sizeof root, &e) != CD_OK) {
			cli_error("%s", e.msg);
			free(rest);
			return 1;
		}
	}
	int symcmd = !strcmp(sub, "stats") || !strcmp(sub, "gc") || !strcmp(sub, "verify");
	if (symcmd && !nrest && (strcmp(sub, "gc") || max_size >= 0)) {
		store *st;
		if ((status = open_store(db, &st)) == 0) {
			if (!strcmp(sub, "stats"))
				status = cache_stats(root, st);
			else if (!strcmp(sub, "gc"))
				status = cache_gc(root, st, (uint64_t)max_size);
			else
				status = cache_verify(root, st);
			store_close(st);
		}
	} else if (!strcmp(sub, "path") && !nrest) {
		printf("%s%s\n", root, want_db ? "/crashdesk.db" : "");
	} else if (!strcmp(sub, "recent") && !nrest) {
		store *st;
		if ((status = open_store(db, &st)) == 0) {
			store_recent *rows;
			size_t n;
			cd_err e;
			if (store_recent_list(st, max, &rows, &n, &e) != CD_OK) {
				cli_error("%s", e.msg);
				status = 1;
			} else {
				for (size_t i = 0; i < n; i++)
					print_recent(&rows[i]);
				if (!n)
					fprintf(stderr, "no recently opened crashes in %s\n",
						store_path(st));
				store_recent_free(rows, n);
			}
			store_close(st);
		}
	} else if (!strcmp(sub, "forget") && nrest) {
		store *st;
		if ((status = open_store(db, &st)) == 0) {
			for (int i = 0; i < nrest; i++) {
				cd_err e;
				if (store_recent_forget(st, rest[i], &e) != CD_OK) {
					cli_error("%s", e.msg);
					status = 1;
				}
			}
			store_close(st);
		}
	} else {
		cli_error("cache: bad arguments for '%s'", sub);
		fputs(cache_help, stderr);
		status = 2;
	}
	free(rest);
	return status;
}
