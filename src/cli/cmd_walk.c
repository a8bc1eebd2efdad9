/*
 * cmd_walk.c - `crashdesk walk`: stackwalk minidumps with local symbols,
 * printed as minidump_stackwalk's human report or rust-minidump's JSON.
 * The processing itself is proc_crash_open() (src/process/crash.c), which
 * the TUI shares.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "../process/process.h"
#include "../report/report.h"
#include "../store/store.h"
#include "../symbols/symbols.h"
#include "../unwind/unwind.h"
#include "cli.h"

static const char walk_help[] =
	"usage: crashdesk walk [OPTIONS] DUMP [SYMBOLS_PATH...] [DUMP|DIR...]\n"
	"       minidump-stackwalk [OPTIONS] DUMP [SYMBOLS_PATH...]\n"
	"\n"
	"Walks every thread's stack (amd64, x86, arm64, arm) with Breakpad symbols and\n"
	"prints rust-minidump's report: --human (the default) or --json (its JSON\n"
	"schema, one document per line; --pretty: indented). A symbol store after the\n"
	"dump (a directory of DEBUGFILE/DEBUGID/NAME.sym without .dmp files, or a .zip)\n"
	"is a symbols path; crashdesk walk takes more dumps too, and a DIR stands for\n"
	"its .dmp files in name order. Every option takes --opt=value or --opt value.\n"
	"\n"
	"Output:\n"
	"  --json                 rust-minidump's JSON           --pretty   indented\n"
	"  --human                the human report (default)     --brief    crashing thread only\n"
	"  --cyborg=FILE          the JSON into FILE and the human report on stdout\n"
	"  --features=SET         stable-basic, stable-all or unstable-all (accepted;\n"
	"                         crashdesk's output is the same for all three)\n"
	"  --evil-json=FILE       the raw crash (annotations, one JSON object): its\n"
	"                         ModuleSignatureInfo gives the modules' cert_subject;\n"
	"                         --raw-json and --annotations are the same; default:\n"
	"                         DUMP's .extra file\n"
	"  --output-file=F        the output into F instead of stdout\n"
	"  --log-file=F           messages into F instead of stderr\n"
	"  --verbose=LEVEL        off, error, warn, info (every module's symbols),\n"
	"                         debug (how each frame was found) or trace\n"
	"  --no-color, --no-interactive   accepted: crashdesk never colours or asks\n"
	"  --reprocess            walk again even if the cache has the result\n"
	"  --version              the version\n"
	"\n"
	"Symbols:\n"
	"  --symbols-path=DIR|ZIP   a local store (repeatable)\n"
	"  --symbols-url=URL        a Tecken-layout symbol server (repeatable; default:\n"
	"                           the config file's symbols_url, or $CRASHDESK_SYMBOLS_URL)\n"
	"  --symbols-cache=DIR      the cache (= --cache-dir; default $XDG_CACHE_HOME/crashdesk)\n"
	"  --symbols-tmp=DIR        downloads in progress (default: the cache's tmp/; keep it\n"
	"                           on the cache's file system)\n"
	"  --symbols-download-timeout-secs=N   one download at most N seconds\n"
	"  --timeout=N              give up on a download silent for N seconds (30)\n"
	"  --jobs=N                 downloads at a time (8)   --offline   ask no server\n"
	"  --refresh                ask again for what a server said it lacked (404s are\n"
	"                           remembered for 24 h)\n"
	"\n"
	"Symbols are looked for in the symbols paths, then in the download cache, then\n"
	"on the servers, which are asked only for the modules the stacks touch: the walk\n"
	"runs, what it asked for is downloaded for every DUMP at once, and it runs again\n"
	"until it asks for nothing new (`crashdesk sym prefetch` fetches every module).\n"
	"Modules left without symbols are listed on stderr with every location tried and\n"
	"its answer (unless --verbose=error). --json output is kept in the cache's database\n"
	"and reused while the symbols stay the same.\n"
	"\n"
	"Exit status: 0 when every dump was walked, 1 when one could not be read (nothing\n"
	"is printed for it), 2 for a usage error.\n";

#define WALK_VERBOSE_OFF (-1)
typedef struct walk_opts {
	int brief, json, pretty;
	int refresh;          /* --refresh: remembered 404s asked again */
	int verbose;          /* 0 error, 1 warn, 2 info, 3 debug, 4 trace; WALK_VERBOSE_OFF */
	int verbose_given;    /* --verbose said: no unasked-for warnings */
	FILE *cyborg;         /* --cyborg: the JSON goes here, the human report to stdout */
	int reprocess;
	int remote;           /* servers configured (or --offline): say what is missing */
	const char *annotations;
	store *db;            /* processed results; NULL: none */
} walk_opts;

/* Modules without symbols are a warning: said at --verbose=warn and up,
 * and by default when symbol servers are configured (where a failed
 * download is worth knowing of); minidump-stackwalk's default is errors
 * only. */
static int say_missing(const walk_opts *o)
{
	return (o->remote && !o->verbose_given) || o->verbose >= 1;
}

/* Prints a processed crash as --json asks: the compact text as stored,
 * or indented with --pretty. */
static void print_json(const rep_crash *c, int pretty, FILE *f)
{
	if (pretty || !c->text)
		json_dumpf(c->doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	else
		fputs(c->text, f);
	fputc('\n', f);
}

/* --verbose=info and up: every module's symbols, each frame's trust. */
static void say_walk(const char *path, const proc_crash *c, int verbose)
{
	const md_dump *d = c->dump;
	for (uint32_t i = 0; verbose >= 2 && i < d->nmodules; i++) {
		static const char *st[] = { "not looked for", "loaded", "missing", "corrupt" };
		const md_module *m = &d->modules[i];
		fprintf(stderr, "crashdesk: %s: symbols for %s (%s %s): %s\n", path,
			cd_basename(m->code_file), cd_basename(m->debug_file), m->debug_id,
			st[proc_crash_module_status(c, m)]);
	}
	for (uint32_t i = 0; verbose >= 3 && i < d->nthreads; i++)
		for (uint32_t k = 0; k < c->stacks[i].nframes; k++)
			fprintf(stderr, "crashdesk: %s: thread %u frame %u at 0x%llx found by %s\n",
				path, i, k,
				(unsigned long long)md_context_pc(&c->stacks[i].frames[k].regs),
				walk_trust_name(c->stacks[i].frames[k].trust));
}

/* A stored result's text says "thread_count": 0 (compact or pretty: any
 * spacing); only a hint, the dump itself decides. */
static int text_says_no_threads(const char *text)
{
	const char *p = text ? strstr(text, "\"thread_count\"") : NULL;
	if (!p)
		return 0;
	p += strlen("\"thread_count\"");
	while (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p[0] == '0' && !(p[1] >= '0' && p[1] <= '9');
}

/* A dump without a thread list: rust-minidump cannot process it and
 * exits 1, which Socorro's processor records; crashdesk reports what the
 * dump has all the same, and exits 1 too. A reused result is checked
 * against the dump only when it has no threads. */
static int no_thread_list(const char *path, const rep_crash *c)
{
	if (c->walk)
		return c->walk->dump->threads_state == MD_STREAM_ABSENT ||
		       c->walk->dump->threads_state == MD_STREAM_BAD;
	if (c->doc ? json_integer_value(json_object_get(c->doc, "thread_count")) != 0
		   : !text_says_no_threads(c->text))
		return 0;
	md_dump *d;
	cd_err e;
	if (md_open(path, &d, &e) != CD_OK)
		return 0;
	int none = d->threads_state == MD_STREAM_ABSENT || d->threads_state == MD_STREAM_BAD;
	md_close(d);
	return none;
}

static int walk_one(const char *path, sym_store *store, const walk_opts *o)
{
	int json = o->json || o->cyborg;
	/* Processed results are kept for --json and reused by it (not after
	 * --refresh or --reprocess); the human report needs the walk. */
	rep_opts ro = { .symbols = store, .db = json ? o->db : NULL,
			.annotations = o->annotations,
			.reuse = o->json && !o->refresh && !o->reprocess,
			.text_only = !o->pretty, .walk_only = !json };
	rep_crash *c;
	cd_err e;
	if (rep_open(path, &ro, &c, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	if (c->source == REP_JSON || c->source == REP_STORED) {
		cli_error("%s: a processed crash, not a minidump: nothing to walk "
			  "(crashdesk open shows it)", path);
		rep_free(c);
		return 1;
	}
	if (c->walk) {
		say_walk(path, c->walk, o->verbose);
		/* Annotations that could not be read are worth a word, not a failure. */
		if (json && c->walk->annotations_error[0])
			cli_error("%s", c->walk->annotations_error);
	} else if (o->verbose >= 2) {
		fprintf(stderr, "crashdesk: %s: processed result reused (same dump, same symbols)\n",
			path);
	}
	if (json)
		print_json(c, o->pretty, o->cyborg ? o->cyborg : stdout);
	if (!o->json && c->walk)
		proc_crash_human(c->walk, o->brief, stdout);
	if (say_missing(o))
		cli_print_missing(path, store, c->mods, c->nmods);
	int status = rep_failed(c) != 0;
	if (no_thread_list(path, c)) {
		cli_error("%s: the dump has no readable thread list: no thread could be walked "
			  "(what else it holds is reported)", path);
		status = 1;
	}
	rep_free(c);
	return status;
}

/* The dumps to walk. */
typedef struct dump_list {
	char **v;
	size_t n, cap;
} dump_list;

static int list_add(dump_list *l, const char *path)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **p = realloc(l->v, cap * sizeof *p);
		if (!p)
			return CD_ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(path)))
		return CD_ENOMEM;
	l->n++;
	return CD_OK;
}

/* A directory stands for its .dmp files, in name order (as a test harness
 * leaves them). Returns non-zero when path is a directory without any. */
static int add_path(dump_list *l, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return list_add(l, path);
	char **v;
	size_t n;
	cd_err e;
	if (cd_dir_files(path, ".dmp", 0, &v, &n, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	size_t first = l->n;
	for (size_t i = 0; i < n && list_add(l, v[i]) == CD_OK; i++)
		;
	cd_dir_files_free(v, n);
	if (l->n == first)
		cli_error("%s: no .dmp files", path);
	return l->n == first;
}

/* walk's own options, after the symbol options (cli.h). */
enum {
	W_JSON = CLI_OPT_FIRST_FREE, W_HUMAN, W_PRETTY, W_BRIEF, W_CYBORG, W_FEATURES, W_EVIL_JSON,
	W_OUTPUT_FILE, W_LOG_FILE, W_VERBOSE, W_NO_COLOR, W_NO_INTERACTIVE, W_VERSION, W_REPROCESS,
	W_HELP,
};
static const struct option walk_options[] = {
	CLI_SYMOPTS,
	{ "json", no_argument, NULL, W_JSON },
	{ "human", no_argument, NULL, W_HUMAN },
	{ "pretty", no_argument, NULL, W_PRETTY },
	{ "brief", no_argument, NULL, W_BRIEF },
	{ "cyborg", required_argument, NULL, W_CYBORG },
	{ "features", required_argument, NULL, W_FEATURES },
	{ "evil-json", required_argument, NULL, W_EVIL_JSON },
	{ "raw-json", required_argument, NULL, W_EVIL_JSON },
	{ "annotations", required_argument, NULL, W_EVIL_JSON },
	{ "output-file", required_argument, NULL, W_OUTPUT_FILE },
	{ "log-file", required_argument, NULL, W_LOG_FILE },
	{ "verbose", required_argument, NULL, W_VERBOSE },
	{ "no-color", no_argument, NULL, W_NO_COLOR },
	{ "no-interactive", no_argument, NULL, W_NO_INTERACTIVE },
	{ "version", no_argument, NULL, W_VERSION },
	{ "reprocess", no_argument, NULL, W_REPROCESS },
	{ "help", no_argument, NULL, W_HELP },
	{ NULL, 0, NULL, 0 },
};

/* What the command line said, before anything is opened. */
typedef struct walk_args {
	walk_opts o;
	int json, human;        /* as given: contradictions are told from defaults */
	const char *output, *log, *cyborg;
	int version, help;
} walk_args;

/* The level of a --verbose word (off is WALK_VERBOSE_OFF); -2 for none. */
static int verbose_level(const char *v)
{
	static const char *levels[] = { "error", "warn", "info", "debug", "trace" };
	if (!strcmp(v, "off"))
		return WALK_VERBOSE_OFF;
	for (int k = 0; k < 5; k++)
		if (!strcmp(v, levels[k]))
			return k;
	return -2;
}

/* Options into a and so; the operands are argv[optind..). 0, or 2 after
 * a usage error reported as rust-minidump words it. */
static int walk_parse(const char *cmd, int argc, char **argv, walk_args *a, cli_symopts *so)
{
	int c;
	cli_getopt_reset();
	while ((c = cli_getopt(cmd, argc, argv, "hV", walk_options)) != -1) {
		int r = cli_symopt(so, cmd, c, optarg);
		if (r < 0)
			return 2;
		if (r)
			continue;
		switch (c) {
		case W_JSON: a->json = 1; break;
		case W_HUMAN: a->human = 1; break;
		case W_PRETTY: a->o.pretty = 1; break;
		case W_BRIEF: a->o.brief = 1; break;
		case W_CYBORG: a->cyborg = optarg; break;
		case W_EVIL_JSON: a->o.annotations = optarg; break;
		case W_OUTPUT_FILE: a->output = optarg; break;
		case W_LOG_FILE: a->log = optarg; break;
		case W_NO_COLOR: case W_NO_INTERACTIVE: break; /* crashdesk never colours or asks */
		case W_REPROCESS: a->o.reprocess = 1; break;
		case 'V': case W_VERSION: a->version = 1; break;
		case 'h': case W_HELP: a->help = 1; break;
		case W_FEATURES:
			if (strcmp(optarg, "stable-basic") && strcmp(optarg, "stable-all") &&
			    strcmp(optarg, "unstable-all")) {
				cli_error("%s: --features takes stable-basic, stable-all or unstable-all, "
					  "not '%s'", cmd, optarg);
				return 2;
			}
			break;
		case W_VERBOSE:
			a->o.verbose_given = 1;
			if ((a->o.verbose = verbose_level(optarg)) == -2) {
				cli_error("%s: --verbose takes off, error, warn, info, debug or trace, "
					  "not '%s'", cmd, optarg);
				return 2;
			}
			break;
		default:
			return 2;
		}
	}
	/* The combinations minidump-stackwalk refuses. */
	const char *why = NULL;
	if (a->json && a->human)
		why = "--json and --human cannot be used together";
	else if (a->human && a->o.pretty)
		why = "--pretty goes with --json (or --cyborg), not --human";
	else if (a->o.brief && (a->json || a->cyborg))
		why = "--brief goes with --human, not --json or --cyborg";
	else if (a->cyborg && (a->json || a->human))
		why = "--cyborg writes both: it cannot be used with --json or --human";
	if (why) {
		cli_error("%s: %s", cmd, why);
		return 2;
	}
	return 0;
}

/* A path after the dump that is a symbol store rather than a dump: a
 * directory without .dmp files, or a .zip file (minidump-stackwalk's
 * DUMP [SYMBOLS_PATH...]). */
static int is_symbols_path(const char *p)
{
	struct stat st;
	if (stat(p, &st) != 0)
		return 0;
	size_t n = strlen(p);
	if (S_ISREG(st.st_mode))
		return n > 4 && !strcasecmp(p + n - 4, ".zip");
	if (!S_ISDIR(st.st_mode))
		return 0;
	char **v;
	size_t nv;
	cd_err e;
	if (cd_dir_files(p, ".dmp", 0, &v, &nv, &e) != CD_OK)
		return 0;
	cd_dir_files_free(v, nv);
	return nv == 0;
}

int cli_walk(int argc, char **argv, int stackwalk)
{
	const char *cmd = stackwalk ? "minidump-stackwalk" : "walk";
	int status = 0;
	walk_args a = { 0 };
	/* rust-minidump logs errors only unless asked; crashdesk also warns
	 * of missing symbols when servers are configured. */
	a.o.verbose_given = stackwalk;
	cli_symopts so;
	memset(&so, 0, sizeof so);
	if (walk_parse(cmd, argc, argv, &a, &so)) {
		fprintf(stderr, "'%s --help' describes the options.\n",
			stackwalk ? "minidump-stackwalk" : "crashdesk walk");
		return 2;
	}
	if (a.help) {
		fputs(walk_help, stdout);
		return 0;
	}
	if (a.version) {
		printf("%s %s\n", stackwalk ? "minidump-stackwalk" : "crashdesk", CRASHDESK_VERSION);
		return 0;
	}
	/* minidump-stackwalk prints the human report unless asked for JSON. */
	a.o.json = a.json || (!a.human && !stackwalk && a.o.pretty);
	char **files = argv + optind;
	int nfiles = argc - optind;
	if (!nfiles) {
		cli_error("%s: which minidump? (%s DUMP [SYMBOLS_PATH...])", cmd, cmd);
		return 2;
	}
	/* After the dump: symbol stores are symbols paths (always, under the
	 * minidump-stackwalk name; crashdesk walk also takes more dumps). */
	int ndumps = 1;
	for (int i = 1; i < nfiles; i++) {
		if (stackwalk || is_symbols_path(files[i])) {
			if (cli_symopt(&so, cmd, CLI_OPT_SYMBOLS_PATH, files[i]) < 0)
				return 2;
		} else
			files[ndumps++] = files[i];
	}
	/* The log first: whatever goes wrong next is written in it. */
	if (a.log && !freopen(a.log, "w", stderr)) {
		cli_error("%s: cannot write: %s", a.log, strerror(errno));
		return 1;
	}
	if (a.o.verbose == WALK_VERBOSE_OFF && !freopen("/dev/null", "w", stderr))
		return 1;
	FILE *json_out = NULL;
	if (a.cyborg && !(json_out = fopen(a.cyborg, "w"))) {
		cli_error("%s: cannot write: %s", a.cyborg, strerror(errno));
		return 1;
	}
	a.o.cyborg = json_out;
	/* A dump that cannot be read leaves nothing on stdout, not even an
	 * empty output file. */
	for (int i = 0; i < ndumps; i++) {
		struct stat st;
		if (stat(files[i], &st) != 0 || access(files[i], R_OK) != 0) {
			cli_error("%s: cannot read it: %s", files[i], strerror(errno));
			if (json_out)
				fclose(json_out);
			return 1;
		}
	}
	if (a.output && !freopen(a.output, "w", stdout)) {
		cli_error("%s: cannot write: %s", a.output, strerror(errno));
		if (json_out)
			fclose(json_out);
		return 1;
	}
	walk_opts o = a.o;
	sym_store *store = NULL;
	if (cli_symopts_finish(&so) || cli_symopts_store(&so, &store)) {
		cli_symopts_free(&so);
		if (json_out)
			fclose(json_out);
		return 1;
	}
	o.remote = so.nurls > 0 || so.net.offline;
	o.refresh = so.net.refresh;
	char dbpath[4200];
	snprintf(dbpath, sizeof dbpath, "%s/crashdesk.db", so.cache_dir);
	cd_err e;
	if ((o.json || o.cyborg) && store_open(dbpath, &o.db, &e) != CD_OK) {
		/* Without the database the walk still works; it is only slower. */
		if (o.verbose >= 1 || !o.verbose_given)
			cli_error("%s", e.msg);
		o.db = NULL;
	}
	dump_list dumps = { 0 };
	for (int i = 0; i < ndumps; i++)
		if (add_path(&dumps, files[i]))
			status = 1;
	sym_store_on_progress(store, cli_progress, NULL);
	if (so.nurls && !so.net.offline && proc_fetch_symbols((const char *const *)dumps.v, dumps.n,
							      store, &e) != CD_OK)
		cli_error("%s", e.msg);
	for (size_t i = 0; i < dumps.n; i++) {
		if (walk_one(dumps.v[i], store, &o))
			status = 1;
		free(dumps.v[i]);
	}
	free(dumps.v);
	if (o.db)
		store_close(o.db);
	cli_index_symbols(so.cache_dir, store);
	sym_store_free(store);
	cli_symopts_free(&so);
	if (json_out && fclose(json_out)) {
		cli_error("%s: cannot write: %s", a.cyborg, strerror(errno));
		status = 1;
	}
	if (fflush(stdout) || ferror(stdout)) {
		cli_error("cannot write the output: %s", strerror(errno));
		status = 1;
	}
	return status;
}

int cmd_walk(int argc, char **argv)
{
	return cli_walk(argc, argv, 0);
}
