/*
 * cmd_crashstats.c - the Crash Stats commands: `fetch`, `import`,
 * `search`, `reprocess`, `export` and `siginfo`. The work is
 * src/crashstats/; this file reads arguments and prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../crashstats/crashstats.h"
#include "../process/process.h"
#include "../store/store.h"
#include "../symbols/symbols.h"
#include "../signature/signature.h"
#include "cli.h"

static const char common_help[] =
	"\n"
	"Crash Stats: --crashstats-url URL (or CRASHDESK_CRASHSTATS_URL, or crashstats_url\n"
	"in $XDG_CONFIG_HOME/crashdesk/config; default " CS_DEFAULT_URL "),\n"
	"--jobs N parallel requests (default 2). The API token comes from\n"
	"CRASHSTATS_API_TOKEN or crashstats_token in the config file (mode 0600).\n";

/* Options every command here shares (CS_COMMON in a command's table). */
typedef struct common {
	const char *url;
	int jobs;
} common;
enum { C_URL = CLI_OPT_FIRST_FREE, C_JOBS, C_FIRST_FREE };
#define CS_COMMON                                                     \
	{ "crashstats-url", required_argument, NULL, C_URL },         \
	{ "jobs", required_argument, NULL, C_JOBS },                  \
	{ "help", no_argument, NULL, 'h' }

/* 1 when val was a common option (*bad set after a bad value), else 0. */
static int common_opt(common *c, int val, const char *v, int *bad)
{
	if (val == C_URL) {
		c->url = v;
		return 1;
	}
	if (val != C_JOBS)
		return 0;
	char *end;
	long n = strtol(v, &end, 10);
	if (*end || end == v || n < 1 || n > 16) {
		cli_error("--jobs takes a number from 1 to 16, not '%s'", v);
		*bad = 1;
	} else
		c->jobs = (int)n;
	return 1;
}

static cs_client *make_client(const common *cm, cs_config *cfg)
{
	cd_err e;
	if (cs_config_load(NULL, cm->url, cfg, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return NULL;
	}
	if (cm->jobs)
		cfg->jobs = cm->jobs;
	cs_client *c;
	if (cs_client_new(cfg, &c, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return NULL;
	}
	return c;
}

static store *open_store(void)
{
	store *st;
	cd_err e;
	if (store_open(NULL, &st, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return NULL;
	}
	return st;
}

/* ---- fetch ---------------------------------------------------------------- */

static const char fetch_help[] =
	"usage: crashdesk fetch [--raw] [--processed] [--dumps] [--out DIR] [--jobs N]\n"
	"                       [--crashstats-url URL] [CRASHID|URL...]\n"
	"\n"
	"Fetches crash reports from Crash Stats into crashdesk's store: the raw crash\n"
	"(annotations), the processed crash and the minidump (all three when none is\n"
	"named). Ids come from the arguments or, without any (or with '-'), from\n"
	"stdin, one per line; a report URL or bp-ID is taken too. --out DIR also\n"
	"writes crashstats-tools' fetch-data layout (raw_crash/20YYMMDD/ID,\n"
	"dump_names/ID, upload_file_minidump/ID, processed_crash/ID). Fields of the\n"
	"wrong type for schemas/ are reported. Protected data and dumps need an API\n"
	"token with protected data access; without one they are reported unavailable.\n";

typedef struct ids {
	char (*v)[CS_ID_LEN + 1];
	size_t n, cap;
} ids;

static int add_id(ids *l, const char *text)
{
	char id[CS_ID_LEN + 1];
	cd_err e;
	if (cs_crash_id_parse(text, id, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], id))
			return 0; /* asked twice: fetched once */
	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 64;
		char(*g)[CS_ID_LEN + 1] = realloc(l->v, nc * sizeof *g);
		if (!g) {
			cli_error("out of memory");
			return 1;
		}
		l->v = g;
		l->cap = nc;
	}
	memcpy(l->v[l->n++], id, sizeof id);
	return 0;
}

static int read_ids_stdin(ids *l)
{
	char line[4096];
	int bad = 0, lineno = 0;
	while (fgets(line, sizeof line, stdin)) {
		lineno++;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n' || *s == '#')
			continue;
		if (add_id(l, s)) {
			cli_error("stdin:%d: not a crash id", lineno);
			bad = 1;
		}
	}
	return bad;
}

static const char *part_text(const cs_part *p, char *buf, size_t n)
{
	if (p->status == CS_OK)
		return "ok";
	snprintf(buf, n, "%s", p->msg[0] ? p->msg : cs_status_name(p->status));
	return buf;
}

typedef struct fetch_out {
	unsigned want;
	size_t done, total, notfound;
} fetch_out;

static void on_crash(void *ctx, const cs_fetch_report *r)
{
	fetch_out *fo = ctx;
	fo->done++;
	if (r->raw.status == CS_NOT_FOUND || r->processed.status == CS_NOT_FOUND ||
	    r->dump.status == CS_NOT_FOUND)
		fo->notfound++;
	char a[420], b[420], c[420];
	printf("%s:", r->crash_id);
	if (fo->want & CS_WANT_RAW)
		printf(" raw %s;", part_text(&r->raw, a, sizeof a));
	if (fo->want & CS_WANT_PROCESSED)
		printf(" processed %s;", part_text(&r->processed, b, sizeof b));
	if (fo->want & CS_WANT_DUMP) {
		if (r->dump.status == CS_OK)
			printf(" dump ok (sha256 %.16s...)", r->dump_sha256);
		else
			printf(" dump %s", part_text(&r->dump, c, sizeof c));
	}
	putchar('\n');
	fflush(stdout);
	if (r->problems && *r->problems) {
		const char *s = r->problems;
		while (*s) {
			const char *nl = strchr(s, '\n');
			int len = nl ? (int)(nl - s) : (int)strlen(s);
			fprintf(stderr, "crashdesk: %s: warning: %.*s\n", r->crash_id, len, s);
			s += len + (nl != NULL);
		}
	}
}

int cmd_fetch(int argc, char **argv)
{
	common cm = { 0 };
	unsigned want = 0;
	const char *out = NULL;
	ids l = { 0 };
	int bad = 0, from_stdin = 0, nargs = 0;
	enum { F_RAW = C_FIRST_FREE, F_PROCESSED, F_DUMPS, F_OUT };
	static const struct option opts[] = {
		CS_COMMON,
		{ "raw", no_argument, NULL, F_RAW },
		{ "processed", no_argument, NULL, F_PROCESSED },
		{ "dumps", no_argument, NULL, F_DUMPS },
		{ "out", required_argument, NULL, F_OUT },
		{ NULL, 0, NULL, 0 },
	};
	int oc;
	cli_getopt_reset();
	while ((oc = cli_getopt("fetch", argc, argv, "h", opts)) != -1) {
		if (oc == 'h') {
			fputs(fetch_help, stdout);
			fputs(common_help, stdout);
			free(l.v);
			return 0;
		}
		if (common_opt(&cm, oc, optarg, &bad))
			continue;
		if (oc == F_RAW)
			want |= CS_WANT_RAW;
		else if (oc == F_PROCESSED)
			want |= CS_WANT_PROCESSED;
		else if (oc == F_DUMPS)
			want |= CS_WANT_DUMP;
		else if (oc == F_OUT)
			out = optarg;
		else
			bad = 2;
	}
	for (int i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			from_stdin = 1;
			continue;
		}
		nargs++;
		if (add_id(&l, argv[i]))
			bad = bad ? bad : 1;
	}
	if (bad) {
		if (bad == 2)
			fputs(fetch_help, stderr);
		free(l.v);
		return bad == 2 ? 2 : 1;
	}
	if ((!nargs || from_stdin) && read_ids_stdin(&l)) {
		free(l.v);
		return 1;
	}
	if (!l.n) {
		cli_error("fetch: no crash ids");
		free(l.v);
		return 2;
	}
	if (!want)
		want = CS_WANT_RAW | CS_WANT_PROCESSED | CS_WANT_DUMP;
	cs_config cfg;
	cs_client *c = make_client(&cm, &cfg);
	cd_wipe(cfg.token, sizeof cfg.token);
	if (!c) {
		free(l.v);
		return 1;
	}
	store *st = open_store();
	cd_err e;
	cs_schema *rs = NULL, *ps = NULL;
	if (st && (cs_schema_load(CS_SCHEMA_RAW, NULL, &rs, &e) != CD_OK ||
		   cs_schema_load(CS_SCHEMA_PROCESSED, NULL, &ps, &e) != CD_OK)) {
		cli_error("%s", e.msg);
		store_close(st);
		st = NULL;
	}
	int status = 1;
	if (st) {
		if (!cs_client_has_token(c))
			fprintf(stderr, "crashdesk: fetch: no API token: protected fields and dumps are "
					"unavailable\n");
		fetch_out fo = { want, 0, l.n, 0 };
		cs_fetch_opts o = { .want = want, .out_dir = out, .raw_schema = rs,
				    .processed_schema = ps, .on_crash = on_crash, .ctx = &fo };
		size_t nfailed = 0;
		int rc = cs_fetch(c, st, (const char(*)[CS_ID_LEN + 1])l.v, l.n, &o, &nfailed, &e);
		if (rc != CD_OK)
			cli_error("fetch: %s", e.msg);
		else if (nfailed)
			cli_error("fetch: %zu of %zu crashes had a part that failed", nfailed, l.n);
		else if (fo.notfound)
			cli_error("fetch: %zu of %zu crashes not found", fo.notfound, l.n);
		status = rc != CD_OK || nfailed || fo.notfound;
	}
	cs_schema_free(rs);
	cs_schema_free(ps);
	store_close(st);
	cs_client_free(c);
	free(l.v);
	return status;
}

/* ---- import --------------------------------------------------------------- */

int cmd_import(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		FILE *f = argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? stdout
											     : stderr;
		fputs("usage: crashdesk import DIR\n\n"
		      "Stores the crashes of a crashstats-tools fetch-data directory (raw_crash/,\n"
		      "processed_crash/, upload_file_minidump/ or dump/, also under v1/) in\n"
		      "crashdesk's store, as `crashdesk fetch` would have.\n",
		      f);
		return f == stdout ? 0 : 2;
	}
	cd_err e;
	cs_layout_crash *lc;
	size_t n;
	if (cs_layout_scan(argv[1], &lc, &n, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	if (!n) {
		cli_error("%s: no crashes in fetch-data's layout", argv[1]);
		cs_layout_free(lc, n);
		return 1;
	}
	store *st = open_store();
	cs_schema *rs = NULL, *ps = NULL;
	if (st && (cs_schema_load(CS_SCHEMA_RAW, NULL, &rs, &e) != CD_OK ||
		   cs_schema_load(CS_SCHEMA_PROCESSED, NULL, &ps, &e) != CD_OK)) {
		cli_error("%s", e.msg);
		store_close(st);
		st = NULL;
	}
	int status = st ? 0 : 1;
	size_t nraw = 0, nproc = 0, ndump = 0, nok = 0;
	for (size_t i = 0; st && i < n; i++) {
		cd_buf problems;
		cd_buf_init(&problems, 1 << 20);
		if (cs_import_crash(st, &lc[i], NULL, rs, ps, &problems, &e) != CD_OK) {
			cli_error("import: %s", e.msg);
			status = 1;
		} else {
			nok++;
			nraw += lc[i].raw_path != NULL;
			nproc += lc[i].processed_path != NULL;
			ndump += lc[i].dump_path != NULL;
		}
		if (problems.len)
			fprintf(stderr, "crashdesk: warning: %s", problems.data);
		cd_buf_free(&problems);
	}
	if (st)
		printf("imported %zu of %zu crashes: %zu raw, %zu processed, %zu dumps\n", nok, n,
		       nraw, nproc, ndump);
	cs_schema_free(rs);
	cs_schema_free(ps);
	store_close(st);
	cs_layout_free(lc, n);
	return status;
}

/* ---- search ----------------------------------------------------------------- */

static const char search_help[] =
	"usage: crashdesk search [--FIELD=VALUE]... [--_columns=F]... [--_facets=F]...\n"
	"                        [--_sort=F] [--num N|all] [--json] [--crashstats-url URL]\n"
	"\n"
	"Searches Crash Stats (SuperSearch) the way crashstats-tools' supersearch takes\n"
	"filters: --product=Firefox --signature='~OOM' --date='>=2026-11-01'. A value may\n"
	"start with an operator: ~ contains, ^ starts with, $ ends with, @ regex,\n"
	"= exactly, > >= < <= for numbers and dates, ! negates; __null__ and __true__.\n"
	"Pages through up to --num results (default 100; 'all' stops at the API's\n"
	"10,000 window), prints a table of the _columns (default uuid, date, signature,\n"
	"product, version) and the facets, or --json; the search is stored.\n";

static void print_cell(json_t *v, int width, int last)
{
	char buf[256];
	const char *s;
	if (json_is_string(v))
		s = json_string_value(v);
	else if (!v || json_is_null(v))
		s = "";
	else {
		char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		snprintf(buf, sizeof buf, "%s", t ? t : "");
		free(t);
		s = buf;
	}
	/* Untrusted text: no control characters on the terminal. */
	for (const char *p = s; *p; p++)
		putchar((unsigned char)*p < ' ' || *p == 127 ? '?' : *p);
	if (!last)
		printf("%*s", width > (int)strlen(s) ? width - (int)strlen(s) : 0, "");
	if (!last)
		fputs("  ", stdout);
}

int cmd_search(int argc, char **argv)
{
	common cm = { 0 };
	cs_query q;
	cs_query_init(&q);
	size_t limit = 100;
	int json = 0, bad = 0;
	cd_err e;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(search_help, stdout);
			fputs(common_help, stdout);
			cs_query_free(&q);
			return 0;
		}
		if (!strcmp(a, "--"))
			break; /* nothing follows the filters */
		/* SuperSearch's fields are open-ended: --FIELD=VALUE or --FIELD VALUE,
		 * as crashstats-tools' supersearch takes them. */
		char joined[4096];
		if (!strncmp(a, "--", 2) && !strchr(a, '=') && i + 1 < argc &&
		    strncmp(argv[i + 1], "--", 2) && strcmp(a, "--json")) {
			snprintf(joined, sizeof joined, "%s=%s", a, argv[++i]);
			a = joined;
		}
		const char *eq = strchr(a, '=');
		if (eq && (!strncmp(a, "--crashstats-url=", 17) || !strncmp(a, "--jobs=", 7))) {
			common_opt(&cm, a[2] == 'c' ? C_URL : C_JOBS, eq + 1, &bad);
			continue;
		}
		if (!strcmp(a, "--json"))
			json = 1;
		else if (!strcmp(a, "--num") || !strncmp(a, "--num=", 6)) {
			const char *v = a[5] == '=' ? a + 6 : i + 1 < argc ? argv[++i] : "";
			char *end;
			long n = strtol(v, &end, 10);
			if (!strcmp(v, "all"))
				limit = 0;
			else if (*end || end == v || n < 1) {
				cli_error("search: --num takes a positive number or 'all', not '%s'", v);
				bad = 1;
			} else
				limit = (size_t)n;
		} else if (cs_query_add_arg(&q, a, &e) != CD_OK) {
			cli_error("search: %s", e.msg);
			bad = 1;
		}
	}
	if (bad) {
		cs_query_free(&q);
		return 2;
	}
	if (!cs_query_get(&q, "_columns", 0)) {
		static const char *const dflt[] = { "uuid", "date", "signature", "product", "version" };
		for (size_t k = 0; k < 5; k++)
			cs_query_add(&q, "_columns", dflt[k], &e);
	}
	cs_config cfg;
	cs_client *c = make_client(&cm, &cfg);
	cd_wipe(cfg.token, sizeof cfg.token);
	if (!c) {
		cs_query_free(&q);
		return 1;
	}
	cs_search_result r;
	char msg[512];
	cs_status s = cs_search(c, &q, limit, NULL, NULL, NULL, &r, msg, sizeof msg);
	if (s != CS_OK) {
		cli_error("search: %s", msg);
		cs_query_free(&q);
		cs_client_free(c);
		return 1;
	}
	size_t nh = json_array_size(r.hits);
	if (json) {
		json_t *doc = json_pack("{s:I,s:O,s:O,s:O}", "total", (json_int_t)r.total, "hits",
					r.hits, "facets", r.facets, "errors", r.errors);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
	} else {
		size_t ncol = 0;
		while (cs_query_get(&q, "_columns", ncol))
			ncol++;
		int *w = calloc(ncol ? ncol : 1, sizeof *w);
		for (size_t k = 0; w && k < ncol; k++) {
			const char *col = cs_query_get(&q, "_columns", k);
			w[k] = (int)strlen(col);
			for (size_t i = 0; i < nh; i++) {
				json_t *v = json_object_get(json_array_get(r.hits, i), col);
				int len = json_is_string(v) ? (int)strlen(json_string_value(v)) : 16;
				if (len > w[k])
					w[k] = len > 80 ? 80 : len;
			}
		}
		for (size_t k = 0; w && k < ncol; k++) {
			json_t *h = json_string(cs_query_get(&q, "_columns", k));
			print_cell(h, w[k], k + 1 == ncol);
			json_decref(h);
		}
		putchar('\n');
		for (size_t i = 0; w && i < nh; i++) {
			for (size_t k = 0; k < ncol; k++)
				print_cell(json_object_get(json_array_get(r.hits, i),
							   cs_query_get(&q, "_columns", k)),
					   w[k], k + 1 == ncol);
			putchar('\n');
		}
		free(w);
		printf("-- %zu of %lld crashes%s\n", nh, (long long)r.total,
		       r.truncated ? " (stopped at --num or the 10,000 window)" : "");
		const char *field;
		json_t *terms;
		json_object_foreach(r.facets, field, terms) {
			printf("\nfacet %s:\n", field);
			for (size_t i = 0; i < json_array_size(terms); i++) {
				json_t *t = json_array_get(terms, i);
				printf("  %8lld  ", (long long)json_integer_value(json_object_get(t, "count")));
				print_cell(json_object_get(t, "term"), 0, 1);
				putchar('\n');
			}
		}
	}
	for (size_t i = 0; i < json_array_size(r.errors); i++) {
		char *t = json_dumps(json_array_get(r.errors, i), JSON_ENCODE_ANY | JSON_COMPACT);
		cli_error("search: the server reported: %s", t ? t : "?");
		free(t);
	}
	int status = 0;
	store *st = open_store();
	if (st) {
		char(*idv)[CS_ID_LEN + 1];
		size_t nid = cs_search_ids(&r, &idv);
		char *qs = cs_query_encode(&q);
		char *facets = json_dumps(r.facets, JSON_COMPACT);
		if (store_search_put(st, qs, cs_client_url(c), r.total, facets,
				     (const char(*)[37])idv, nid, NULL, &e) != CD_OK) {
			cli_error("search: %s", e.msg);
			status = 1;
		}
		free(qs);
		free(facets);
		free(idv);
		store_close(st);
	} else
		status = 1;
	cs_search_result_free(&r);
	cs_query_free(&q);
	cs_client_free(c);
	return status;
}

/* ---- reprocess -------------------------------------------------------------- */

static void print_side(const char *what, json_t *pair)
{
	char *a = json_dumps(json_object_get(pair, "socorro"), JSON_ENCODE_ANY | JSON_COMPACT);
	char *b = json_dumps(json_object_get(pair, "local"), JSON_ENCODE_ANY | JSON_COMPACT);
	printf("    %-14s socorro %s\n    %-14s local   %s\n", what, a ? a : "?", "", b ? b : "?");
	free(a);
	free(b);
}

/* The local signature of a reprocessed crash: its walk with the stored raw
 * crash's annotations (the rules read them), signed with the built-in lists
 * or those of dir. NULL when it cannot be made; the caller frees. */
static char *local_signature(store *st, const char *id, json_t *local, const char *dir)
{
	cd_err e;
	char *raw_text = NULL;
	json_t *doc = json_deep_copy(local);
	if (doc && store_crash_doc_get(st, id, "raw", &raw_text, NULL, &e) == CD_OK) {
		json_t *raw = json_loads(raw_text, 0, NULL);
		if (json_is_object(raw))
			json_object_set(doc, "annotations", raw);
		json_decref(raw);
	}
	free(raw_text);
	sig_lists *l = NULL;
	sig_signer *sg = NULL;
	const sig_result *r;
	char *out = NULL, *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	if (text && sig_lists_load(dir, &l, &e) == CD_OK && sig_signer_new(l, &sg, &e) == CD_OK &&
	    sig_sign_json(sg, text, strlen(text), &r, &e) == CD_OK && r->signature)
		out = strdup(r->signature);
	else if (text)
		cli_error("reprocess: no local signature: %s", e.msg);
	free(text);
	sig_signer_free(sg);
	sig_lists_free(l);
	json_decref(doc);
	return out;
}

int cmd_reprocess(int argc, char **argv)
{
	const char *paths[16];
	int npaths = 0, json = 0;
	const char *arg = NULL, *siglists = NULL;
	enum { R_SIGLISTS = C_FIRST_FREE, R_JSON };
	static const struct option opts[] = {
		{ "symbols-path", required_argument, NULL, CLI_OPT_SYMBOLS_PATH },
		{ "siglists", required_argument, NULL, R_SIGLISTS },
		{ "json", no_argument, NULL, R_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int oc;
	cli_getopt_reset();
	while ((oc = cli_getopt("reprocess", argc, argv, "h", opts)) != -1) {
		if (oc == 'h') {
			fputs("usage: crashdesk reprocess [--symbols-path DIR]... [--siglists DIR] [--json] CRASHID\n\n"
			      "Walks a fetched crash's minidump locally with the symbols of the DIRs\n"
			      "(or the config file's symbols_path lines) and shows where the result\n"
			      "differs from Socorro's processing: crashing-thread frames, modules,\n"
			      "crash reason, and the signature (made with the built-in lists, or\n"
			      "those of --siglists: Socorro's own lists give Socorro's answer).\n",
			      stdout);
			return 0;
		}
		if (oc == R_SIGLISTS) {
			siglists = optarg;
		} else if (oc == CLI_OPT_SYMBOLS_PATH) {
			if (npaths == 16) {
				cli_error("reprocess: at most 16 --symbols-path");
				return 2;
			}
			paths[npaths++] = optarg;
		} else if (oc == R_JSON)
			json = 1;
		else
			return 2;
	}
	if (argc - optind > 1) {
		cli_error("reprocess: one crash at a time, not '%s' too", argv[optind + 1]);
		return 2;
	}
	arg = optind < argc ? argv[optind] : NULL;
	if (!arg) {
		cli_error("reprocess: which crash?");
		return 2;
	}
	char id[CS_ID_LEN + 1];
	cd_err e;
	if (cs_crash_id_parse(arg, id, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	/* The config file read once: its symbols_path lines are the default
	 * stores, and a file Crash Stats would refuse is refused here too. */
	cd_config file;
	cs_config cfg;
	if (cd_config_load(NULL, &file, &e) != CD_OK ||
	    cs_config_from(&file, NULL, &cfg, &e) != CD_OK) {
		cli_error("%s", e.msg);
		cd_config_free(&file);
		return 1;
	}
	cd_wipe(cfg.token, sizeof cfg.token);
	for (int k = 0; !npaths && k < file.npaths; k++)
		paths[k] = file.paths[k];
	if (!npaths)
		npaths = file.npaths;
	store *st = open_store();
	if (!st) {
		cd_config_free(&file);
		return 1;
	}
	int status = 1;
	char *proc_text = NULL, dump[4400];
	json_t *proc = NULL, *local = NULL, *diff = NULL;
	sym_store *syms = NULL;
	proc_crash *pc = NULL;
	if (store_crash_doc_get(st, id, "processed", &proc_text, NULL, &e) != CD_OK) {
		cli_error("%s (run: crashdesk fetch --processed --dumps %s)", e.msg, id);
		goto out;
	}
	if (store_crash_dump_get(st, id, "upload_file_minidump", dump, sizeof dump, NULL, &e) !=
	    CD_OK) {
		cli_error("%s (run: crashdesk fetch --dumps %s; dumps need an API token)", e.msg, id);
		goto out;
	}
	proc = json_loads(proc_text, 0, NULL);
	if (!proc) {
		cli_error("%s: the stored processed crash is not JSON", id);
		goto out;
	}
	char cache[4096];
	if (cd_xdg_dir(CD_XDG_CACHE, "symcache", cache, sizeof cache, &e) != CD_OK ||
	    sym_store_new(paths, npaths, cache, &syms, &e) != CD_OK ||
	    proc_crash_open(dump, syms, NULL, NULL, NULL, NULL, &pc, &e) != CD_OK) {
		cli_error("%s", e.msg);
		goto out;
	}
	local = proc_crash_json(pc);
	char *local_sig = local_signature(st, id, local, siglists);
	diff = cs_reprocess_diff(proc, local, local_sig);
	free(local_sig);
	int ndiff = (int)json_integer_value(json_object_get(diff, "differences"));
	char symkey[2048] = "";
	for (int k = 0; k < npaths; k++)
		snprintf(symkey + strlen(symkey), sizeof symkey - strlen(symkey), "%s%s", k ? ":" : "",
			 paths[k]);
	char *dtext = json_dumps(diff, JSON_COMPACT);
	if (!dtext || store_reprocess_put(st, id, symkey, ndiff, dtext, &e) != CD_OK)
		cli_error("reprocess: %s", dtext ? e.msg : "out of memory");
	free(dtext);
	if (json) {
		json_dumpf(diff, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		json_t *fr = json_object_get(diff, "frames"), *mo = json_object_get(diff, "modules");
		printf("%s: %d difference%s from Socorro's processing\n", id, ndiff, ndiff == 1 ? "" : "s");
		json_t *reason = json_object_get(diff, "crash_reason");
		if (json_is_object(reason))
			print_side("crash reason", reason);
		printf("crashing thread frames: %zu differ\n", json_array_size(fr));
		for (size_t i = 0; i < json_array_size(fr); i++) {
			json_t *f = json_array_get(fr, i);
			printf("  frame %lld (%s)\n", (long long)json_integer_value(json_object_get(f, "index")),
			       json_string_value(json_object_get(f, "side")));
			const char *k;
			json_t *v;
			json_object_foreach(json_object_get(f, "fields"), k, v) print_side(k, v);
		}
		printf("modules: %zu differ\n", json_array_size(mo));
		for (size_t i = 0; i < json_array_size(mo); i++) {
			json_t *m = json_array_get(mo, i);
			printf("  %s (%s)\n", json_string_value(json_object_get(m, "filename")),
			       json_string_value(json_object_get(m, "side")));
			const char *k;
			json_t *v;
			json_object_foreach(json_object_get(m, "fields"), k, v) print_side(k, v);
		}
		json_t *sig = json_object_get(diff, "signature");
		const char *ss = json_string_value(json_object_get(sig, "socorro"));
		const char *ls = json_string_value(json_object_get(sig, "local"));
		printf("signature: %s\n  socorro: %s\n  local:   %s\n",
		       ss && ls && !strcmp(ss, ls) ? "same" : "differs", ss ? ss : "(none)",
		       ls ? ls : "(could not be made)");
	}
	status = 0;
out:
	json_decref(diff);
	json_decref(local);
	json_decref(proc);
	free(proc_text);
	proc_crash_free(pc);
	sym_store_free(syms);
	store_close(st);
	cd_config_free(&file);
	return status;
}

/* ---- export ----------------------------------------------------------------- */

int cmd_export(int argc, char **argv)
{
	int pub = 0;
	const char *arg = NULL;
	static const struct option opts[] = {
		{ "public", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int oc;
	cli_getopt_reset();
	while ((oc = cli_getopt("export", argc, argv, "h", opts)) != -1) {
		if (oc == 'h') {
			fputs("usage: crashdesk export --public CRASHID\n\n"
			      "Prints a fetched crash (processed and raw) as JSON with every field\n"
			      "schemas/ marks protected removed, and every field it does not describe,\n"
			      "so it can be pasted into a public bug.\n",
			      stdout);
			return 0;
		}
		if (oc == 'p')
			pub = 1;
		else
			return 2;
	}
	if (argc - optind > 1) {
		cli_error("export: one crash at a time, not '%s' too", argv[optind + 1]);
		return 2;
	}
	arg = optind < argc ? argv[optind] : NULL;
	if (!arg || !pub) {
		cli_error("export: usage: crashdesk export --public CRASHID");
		return 2;
	}
	char id[CS_ID_LEN + 1];
	cd_err e;
	if (cs_crash_id_parse(arg, id, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	store *st = open_store();
	if (!st)
		return 1;
	cs_schema *rs = NULL, *ps = NULL;
	int status = 1;
	if (cs_schema_load(CS_SCHEMA_RAW, NULL, &rs, &e) != CD_OK ||
	    cs_schema_load(CS_SCHEMA_PROCESSED, NULL, &ps, &e) != CD_OK) {
		cli_error("%s", e.msg);
		goto out;
	}
	json_t *doc = json_object();
	json_object_set_new(doc, "crash_id", json_string(id));
	static const char *const kinds[2] = { "processed", "raw" };
	int found = 0;
	for (int k = 0; k < 2; k++) {
		char *text = NULL;
		int rc = store_crash_doc_get(st, id, kinds[k], &text, NULL, &e);
		if (rc == CD_ENOTFOUND)
			continue;
		json_t *j = rc == CD_OK ? json_loads(text, 0, NULL) : NULL;
		free(text);
		if (!j) {
			cli_error("%s", rc == CD_OK ? "stored document is not JSON" : e.msg);
			json_decref(doc);
			goto out;
		}
		json_object_set_new(doc, kinds[k], cs_schema_public(k ? rs : ps, j));
		json_decref(j);
		found++;
	}
	if (!found) {
		cli_error("%s: not in the store (run: crashdesk fetch %s)", id, id);
		json_decref(doc);
		goto out;
	}
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(doc);
	status = 0;
out:
	cs_schema_free(rs);
	cs_schema_free(ps);
	store_close(st);
	return status;
}

/* ---- siginfo ---------------------------------------------------------------- */

int cmd_siginfo(int argc, char **argv)
{
	common cm = { 0 };
	const char *sigs[64];
	size_t n = 0;
	int bad = 0;
	static const struct option opts[] = {
		CS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	int oc;
	cli_getopt_reset();
	while ((oc = cli_getopt("siginfo", argc, argv, "h", opts)) != -1) {
		if (oc == 'h') {
			fputs("usage: crashdesk siginfo [--crashstats-url URL] SIGNATURE...\n\n"
			      "When each signature was first seen (date and build) and the bugs\n"
			      "filed for it, from Crash Stats.\n",
			      stdout);
			return 0;
		}
		if (!common_opt(&cm, oc, optarg, &bad))
			return 2;
	}
	for (int i = optind; i < argc; i++) {
		if (n == 64) {
			cli_error("siginfo: at most 64 signatures");
			return 2;
		}
		sigs[n++] = argv[i];
	}
	if (bad || !n) {
		cli_error("siginfo: usage: crashdesk siginfo SIGNATURE...");
		return 2;
	}
	cs_config cfg;
	cs_client *c = make_client(&cm, &cfg);
	cd_wipe(cfg.token, sizeof cfg.token);
	if (!c)
		return 1;
	json_t *first = NULL, *bugs = NULL;
	char msg[512];
	int status = 0;
	if (cs_signature_first_dates(c, sigs, n, &first, msg, sizeof msg) != CS_OK ||
	    cs_signature_bugs(c, sigs, n, &bugs, msg, sizeof msg) != CS_OK) {
		cli_error("siginfo: %s", msg);
		status = 1;
	}
	for (size_t i = 0; !status && i < n; i++) {
		printf("%s\n", sigs[i]);
		for (size_t k = 0; k < json_array_size(first); k++) {
			json_t *h = json_array_get(first, k);
			const char *s = json_string_value(json_object_get(h, "signature"));
			if (s && !strcmp(s, sigs[i]))
				printf("  first seen %s (build %s)\n",
				       json_string_value(json_object_get(h, "first_date")) ?: "?",
				       json_string_value(json_object_get(h, "first_build")) ?: "?");
		}
		for (size_t k = 0; k < json_array_size(bugs); k++) {
			json_t *h = json_array_get(bugs, k);
			const char *s = json_string_value(json_object_get(h, "signature"));
			if (s && !strcmp(s, sigs[i]))
				printf("  bug %lld\n", (long long)json_integer_value(json_object_get(h, "id")));
		}
	}
	json_decref(first);
	json_decref(bugs);
	cs_client_free(c);
	return status;
}
