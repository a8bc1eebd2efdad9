/*
 * cmd_resig.c - `crashdesk resig`: a corpus signed with two sets of lists
 * (the baseline, by default the built-in lists, and --siglists), and what
 * changed: crashes with another signature, each old -> new pair, merged
 * and split buckets. The engine is sig_resig (src/signature/resig.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "../signature/signature.h"
#include "../store/store.h"
#include "cli.h"

static const char resig_help[] =
	"usage: crashdesk resig [--baseline DIR] --siglists DIR [--json] [--max N]\n"
	"                       [--cache [--cache-dir DIR]] INPUT...\n"
	"\n"
	"Signs every crash twice, with the baseline lists (default: the built-in\n"
	"ones) and with the lists of --siglists DIR, and reports how many crashes\n"
	"changed signature, each old -> new mapping with its count, the buckets\n"
	"merged (several old signatures become one) and split (one becomes\n"
	"several). An INPUT is a JSON file (a crash, or JSON lines of crashes), a\n"
	"directory (its *.json files, in name order) or - (standard input).\n"
	"--cache adds the crashes in crashdesk's cache: every dump walked with\n"
	"walk --json (its newest result) and every crash fetched from Crash Stats\n"
	"(its processed crash).\n"
	"--json prints the report as one JSON object (with the inputs of each\n"
	"mapping); --max N lists at most N rows per table (default 50).\n";

typedef struct resig_ctx {
	sig_resig *r;
	char **names;
	size_t nnames, cap;
	int status;
} resig_ctx;

static void add_one(resig_ctx *c, const char *name, const char *text, size_t len)
{
	if (c->nnames == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		char **n = realloc(c->names, cap * sizeof *n);
		if (!n) {
			cli_error("resig: out of memory");
			c->status = 1;
			return;
		}
		c->names = n;
		c->cap = cap;
	}
	cd_err e;
	if (sig_resig_add(c->r, text, len, c->nnames, &e) != CD_OK) {
		cli_error("resig: %s: %s", name, e.msg);
		c->status = 1;
		return;
	}
	c->names[c->nnames++] = strdup(name);
}

static void add_doc(void *ctx, const char *label, const char *text, size_t len)
{
	add_one(ctx, label, text, len);
}

static void add_file(resig_ctx *c, const char *path)
{
	cd_map m;
	cd_err e;
	if (cd_map_open(path, &m, &e) != CD_OK) {
		cli_error("resig: %s", e.msg);
		c->status = 1;
		return;
	}
	if (m.size)
		cli_each_doc(path, (const char *)m.data, m.size, add_doc, c);
	cd_map_close(&m);
}

static void add_path(resig_ctx *c, const char *path)
{
	if (!strcmp(path, "-")) {
		cd_buf in;
		if (cli_read_stdin("resig", &in))
			c->status = 1;
		else if (in.len)
			cli_each_doc("stdin", in.data, in.len, add_doc, c);
		cd_buf_free(&in);
		return;
	}
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		char **files;
		size_t nf;
		cd_err e;
		if (cd_dir_files(path, ".json", 0, &files, &nf, &e) != CD_OK) {
			cli_error("resig: %s", e.msg);
			c->status = 1;
			return;
		}
		for (size_t i = 0; i < nf; i++)
			add_file(c, files[i]);
		cd_dir_files_free(files, nf);
		return;
	}
	add_file(c, path);
}

static json_t *pairs_json(const resig_ctx *c, const sig_resig_pair *p, size_t n, int names)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "old", json_string(p[i].old_sig));
		json_object_set_new(o, "new", json_string(p[i].new_sig));
		json_object_set_new(o, "count", json_integer((json_int_t)p[i].count));
		if (names) {
			json_t *in = json_array();
			for (size_t k = 0; k < p[i].count; k++)
				json_array_append_new(in, json_string(c->names[p[i].inputs[k]]
									  ? c->names[p[i].inputs[k]] : "?"));
			json_object_set_new(o, "inputs", in);
		}
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *buckets_json(const resig_ctx *c, const sig_resig_bucket *b, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "signature", json_string(b[i].signature));
		json_object_set_new(o, "total", json_integer((json_int_t)b[i].total));
		json_object_set_new(o, "pairs", pairs_json(c, b[i].pairs, b[i].npairs, 0));
		json_array_append_new(a, o);
	}
	return a;
}

static void print_buckets(const char *title, const sig_resig_bucket *b, size_t n, int merged,
			  size_t max)
{
	printf("\n%s: %zu\n", title, n);
	for (size_t i = 0; i < n && i < max; i++) {
		printf("  %6zu  %s\n", b[i].total, b[i].signature);
		for (size_t k = 0; k < b[i].npairs; k++)
			printf("  %6zu      %s %s\n", b[i].pairs[k].count, merged ? "<-" : "->",
			       merged ? b[i].pairs[k].old_sig : b[i].pairs[k].new_sig);
	}
	if (n > max)
		printf("  ... %zu more\n", n - max);
}

static int add_cached(void *ctx, const char *sha256, const char *json)
{
	char name[96];
	snprintf(name, sizeof name, "cache:%.16s", sha256);
	add_one(ctx, name, json, strlen(json));
	return 0;
}

/* The crashes of crashdesk's cache: processed dumps, fetched crashes. */
static void add_cache(resig_ctx *c, const char *cache_dir)
{
	char path[4200];
	cd_err e;
	if (!cache_dir) {
		if (cd_xdg_path(CD_XDG_CACHE, NULL, path, sizeof path - 16, &e) != CD_OK) {
			cli_error("resig: %s", e.msg);
			c->status = 1;
			return;
		}
		strcat(path, "/crashdesk.db");
	} else {
		snprintf(path, sizeof path, "%s/crashdesk.db", cache_dir);
	}
	store *st;
	if (store_open(path, &st, &e) != CD_OK) {
		cli_error("resig: %s", e.msg);
		c->status = 1;
		return;
	}
	if (store_processed_each(st, add_cached, c, &e) != CD_OK) {
		cli_error("resig: %s", e.msg);
		c->status = 1;
	}
	store_crash_row *rows;
	size_t n;
	if (store_crash_list(st, 0, &rows, &n, &e) == CD_OK) {
		for (size_t i = 0; i < n; i++) {
			char *text;
			if (!rows[i].has_processed ||
			    store_crash_doc_get(st, rows[i].crash_id, "processed", &text, NULL, &e) != CD_OK)
				continue;
			char name[96];
			snprintf(name, sizeof name, "crash-stats:%s", rows[i].crash_id);
			add_one(c, name, text, strlen(text));
			free(text);
		}
		store_crash_rows_free(rows, n);
	}
	store_close(st);
}

int cmd_resig(int argc, char **argv)
{
	const char *baseline = NULL, *lists_dir = NULL, *cache_dir = NULL;
	int json = 0, ninputs = 0, cache = 0;
	size_t max = 50;
	enum { R_BASELINE = CLI_OPT_FIRST_FREE, R_SIGLISTS, R_MAX, R_JSON, R_CACHE };
	static const struct option opts[] = {
		{ "baseline", required_argument, NULL, R_BASELINE },
		{ "siglists", required_argument, NULL, R_SIGLISTS },
		{ "max", required_argument, NULL, R_MAX },
		{ "json", no_argument, NULL, R_JSON },
		{ "cache", no_argument, NULL, R_CACHE },
		{ "cache-dir", required_argument, NULL, CLI_OPT_CACHE_DIR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int oc;
	cli_getopt_reset();
	while ((oc = cli_getopt("resig", argc, argv, "h", opts)) != -1) {
		char *end;
		switch (oc) {
		case 'h': fputs(resig_help, stdout); return 0;
		case R_BASELINE: baseline = optarg; break;
		case R_SIGLISTS: lists_dir = optarg; break;
		case R_JSON: json = 1; break;
		case R_CACHE: cache = 1; break;
		case CLI_OPT_CACHE_DIR: cache_dir = optarg; break;
		case R_MAX:
			max = strtoul(optarg, &end, 10);
			if (*end || end == optarg || optarg[0] == '-') {
				cli_error("resig: --max wants a number, not '%s'", optarg);
				return 2;
			}
			break;
		default:
			fputs(resig_help, stderr);
			return 2;
		}
	}
	ninputs = argc - optind;
	if (!lists_dir || (!ninputs && !cache)) {
		fputs(resig_help, stderr);
		return 2;
	}
	sig_lists *old = NULL, *new = NULL;
	cd_err e;
	if (sig_lists_load(baseline, &old, &e) != CD_OK || sig_lists_load(lists_dir, &new, &e) != CD_OK) {
		cli_error("resig: %s", e.msg);
		sig_lists_free(old);
		return 1;
	}
	for (size_t i = 0; i < sig_lists_nwarnings(old); i++)
		cli_error("resig: %s", sig_lists_warning(old, i));
	for (size_t i = 0; i < sig_lists_nwarnings(new); i++)
		cli_error("resig: %s", sig_lists_warning(new, i));
	resig_ctx c = { 0 };
	if (sig_resig_new(old, new, &c.r, &e) != CD_OK) {
		cli_error("resig: %s", e.msg);
		sig_lists_free(old);
		sig_lists_free(new);
		return 1;
	}
	for (int i = argc - ninputs; i < argc; i++)
		add_path(&c, argv[i]);
	if (cache)
		add_cache(&c, cache_dir);
	const sig_resig_report *rep;
	if (sig_resig_report_get(c.r, &rep, &e) != CD_OK) {
		cli_error("resig: %s", e.msg);
		c.status = 1;
	} else if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "baseline", json_string(sig_lists_source(old)));
		json_object_set_new(o, "siglists", json_string(sig_lists_source(new)));
		json_object_set_new(o, "total", json_integer((json_int_t)rep->total));
		json_object_set_new(o, "changed", json_integer((json_int_t)rep->changed));
		json_object_set_new(o, "failed", json_integer((json_int_t)rep->failed));
		json_object_set_new(o, "changes", pairs_json(&c, rep->changes, rep->nchanges, 1));
		json_object_set_new(o, "merged", buckets_json(&c, rep->merged, rep->nmerged));
		json_object_set_new(o, "split", buckets_json(&c, rep->split, rep->nsplit));
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	} else {
		printf("%zu crashes re-signed (%s -> %s), %zu changed signature (%.1f %%)%s\n",
		       rep->total, sig_lists_source(old), sig_lists_source(new), rep->changed,
		       rep->total ? 100.0 * (double)rep->changed / (double)rep->total : 0.0,
		       rep->failed ? ", some inputs unreadable" : "");
		printf("\nchanged: %zu mappings\n", rep->nchanges);
		for (size_t i = 0; i < rep->nchanges && i < max; i++)
			printf("  %6zu  %s\n          -> %s\n", rep->changes[i].count,
			       rep->changes[i].old_sig, rep->changes[i].new_sig);
		if (rep->nchanges > max)
			printf("  ... %zu more\n", rep->nchanges - max);
		print_buckets("merged (several old signatures, one new)", rep->merged, rep->nmerged, 1, max);
		print_buckets("split (one old signature, several new)", rep->split, rep->nsplit, 0, max);
	}
	for (size_t i = 0; i < c.nnames; i++)
		free(c.names[i]);
	free(c.names);
	sig_resig_free(c.r);
	sig_lists_free(old);
	sig_lists_free(new);
	return c.status;
}
