/*
 * cmd_cache.c - `crashdesk cache`: the cache database seen from the shell.
 *   path [--db]             the cache directory (or the database file)
 *   recent [--max N]        recently opened crashes, newest first
 *   forget PATH...          drop crashes from the recent list
 * --db FILE uses another database than $XDG_CACHE_HOME/crashdesk/crashdesk.db.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "cli.h"

static const char cache_help[] =
	"usage: crashdesk cache path [--db]\n"
	"       crashdesk cache recent [--max N] [--db FILE]\n"
	"       crashdesk cache forget [--db FILE] PATH...\n"
	"\n"
	"path prints the cache directory, $XDG_CACHE_HOME/crashdesk (default\n"
	"~/.cache/crashdesk), or with --db the database file in it. recent lists\n"
	"the recently opened crashes, newest first, with what processing learnt\n"
	"of them; forget removes crashes from that list.\n";

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

int cmd_cache(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(cache_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1], *db = NULL;
	int want_db = 0;
	size_t max = 0;
	char **rest = calloc((size_t)argc, sizeof *rest);
	int nrest = 0;
	if (!rest) {
		cli_error("out of memory");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && !strcmp(sub, "path"))
			want_db = 1;
		else if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--max") && i + 1 < argc) {
			char *end;
			unsigned long long v = strtoull(argv[++i], &end, 10);
			if (*end || end == argv[i] || argv[i][0] == '-') {
				cli_error("cache: --max wants a number, not '%s'", argv[i]);
				free(rest);
				return 2;
			}
			max = (size_t)v;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("cache: unknown option '%s'", argv[i]);
			fputs(cache_help, stderr);
			free(rest);
			return 2;
		} else
			rest[nrest++] = argv[i];
	}
	int status = 0;
	if (!strcmp(sub, "path") && !nrest) {
		char dir[4096];
		cd_err e;
		if (cd_xdg_dir(CD_XDG_CACHE, NULL, dir, sizeof dir, &e) != CD_OK) {
			cli_error("%s", e.msg);
			status = 1;
		} else
			printf("%s%s\n", dir, want_db ? "/crashdesk.db" : "");
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
