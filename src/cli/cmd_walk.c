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
#include <sys/stat.h>

#include <jansson.h>

#include "../process/process.h"
#include "../store/store.h"
#include "../symbols/symbols.h"
#include "../unwind/unwind.h"
#include "cli.h"

static const char walk_help[] =
	"usage: crashdesk walk [--symbols-path DIR|ZIP]... [--symbols-url URL]...\n"
	"                      [--offline] [--refresh] [--jobs N] [--timeout SECONDS]\n"
	"                      [--cache-dir DIR] [--reprocess]\n"
	"                      [--json [--pretty] | --human [--brief]]\n"
	"                      [--annotations FILE] [--output-file F] [--verbose LEVEL]\n"
	"                      DUMP|DIR...\n"
	"\n"
	"Walks every thread's stack (amd64, x86, arm64, arm) with the Breakpad symbols found\n"
	"in the DIRs (DEBUGFILE/DEBUGID/NAME.sym). --human (default) prints a\n"
	"minidump_stackwalk-style report, --brief only its crashing thread; --json\n"
	"prints rust-minidump's JSON schema, one document per line (--pretty:\n"
	"indented), with the annotations of DUMP's .extra file or of FILE.\n"
	"A DIR stands for its .dmp files in name order.\n"
	"\n"
	"Symbols are looked for in the --symbols-path stores, then in the download\n"
	"cache, then on the --symbols-url servers (Tecken layout; default: the\n"
	"symbols_url of the config file, or $CRASHDESK_SYMBOLS_URL). Servers are\n"
	"asked only for the modules the stacks touch: the walk runs, what it asked\n"
	"for is downloaded, --jobs (8) at a time, for every DUMP at once, and the\n"
	"walk runs again until it asks for nothing new (`sym prefetch` fetches every\n"
	"module). A 404 is remembered for 24 h (--refresh asks again); --offline\n"
	"asks no server. Modules left without symbols are listed on stderr with\n"
	"every location tried and its answer; those no frame needed are counted.\n"
	"Everything is kept under --cache-dir (default $XDG_CACHE_HOME/crashdesk);\n"
	"--json output is kept in its database and reused while the symbols stay\n"
	"the same (--reprocess walks again). --verbose info lists every module's\n"
	"symbol status on stderr, debug also how each frame was found.\n";

static void print_frame_line(int n, const walk_frame *f, const char *fn, const char *file,
			     int64_t line, uint64_t addr, uint64_t base)
{
	printf("%2d  ", n);
	if (!f->module) {
		printf("0x%llx\n", (unsigned long long)addr);
		return;
	}
	const char *mod = cd_basename(f->module->code_file);
	if (!fn) {
		printf("%s + 0x%llx\n", mod, (unsigned long long)(addr - f->module->base));
		return;
	}
	if (file && *file)
		printf("%s!%s [%s : %lld + 0x%llx]\n", mod, fn, cd_basename(file), (long long)line,
		       (unsigned long long)(addr - base));
	else
		printf("%s!%s + 0x%llx\n", mod, fn, (unsigned long long)(addr - base));
}

static void print_registers(const md_context *c)
{
	int n, col = 0;
	const char *const *names = md_reg_names(c->cpu, &n);
	for (int i = 0; i < n; i++) {
		if (!(c->valid >> i & 1) || (c->cpu == MD_CPU_AMD64 && i > MD_AMD64_RIP))
			continue;
		printf("%s%5s = 0x%016llx", col ? "   " : "    ", names[i],
		       (unsigned long long)c->regs[i]);
		if (++col == 2) {
			putchar('\n');
			col = 0;
		}
	}
	if (col)
		putchar('\n');
}

static const char *found_by(walk_trust t)
{
	switch (t) {
	case WALK_TRUST_CONTEXT: return "given as instruction pointer in context";
	case WALK_TRUST_CFI: return "call frame info";
	case WALK_TRUST_FRAME_POINTER: return "previous frame's frame pointer";
	case WALK_TRUST_SCAN: return "stack scanning";
	default: return "?";
	}
}

static void print_stack(const walk_stack *s)
{
	int n = 0;
	for (uint32_t i = 0; i < s->nframes; i++) {
		const walk_frame *f = &s->frames[i];
		/* The address shown is the return address for callers. */
		uint64_t addr = md_context_pc(&f->regs);
		if (f->has_function) {
			for (uint32_t k = 0; k < f->sym.ninlines; k++) {
				const sym_inline_frame *in = &f->sym.inlines[k];
				print_frame_line(n++, f, in->function, in->file, in->line, addr, addr);
				printf("    Found by: inline record\n");
			}
			uint64_t base = f->sym.ninlines || !f->sym.line_addr
						? f->module->base + f->sym.function_addr
						: f->module->base + f->sym.line_addr;
			print_frame_line(n++, f, f->sym.function, f->sym.file, f->sym.line, addr,
					 f->sym.ninlines ? addr : base);
		} else {
			print_frame_line(n++, f, NULL, NULL, 0, addr, 0);
		}
		print_registers(&f->regs);
		printf("    Found by: %s\n", found_by(f->trust));
	}
}

static void print_header(const md_dump *d, const proc_reason *r)
{
	const md_system_info *si = &d->sysinfo;
	printf("Operating system: %s\n                  %u.%u.%u %s\n", si->os, si->major,
	       si->minor, si->build, si->csd_version);
	printf("CPU: %s\n     %s%sfamily %u model %u stepping %u\n     %u CPU%s\n\n",
	       md_cpu_name(si->cpu), si->cpu_vendor, si->cpu_vendor[0] ? " " : "", si->level,
	       si->revision >> 8, si->revision & 0xff, si->ncpus, si->ncpus == 1 ? "" : "s");
	printf("Crash reason:  %s\n", r->text);
	if (r->has_exception)
		printf("Crash address: 0x%llx\n", (unsigned long long)r->address);
	char assertion[1024];
	if (proc_assertion(d, assertion, sizeof assertion))
		printf("Assertion: %s\n", assertion);
	uint64_t up;
	if (md_process_uptime(d, &up) == CD_OK)
		printf("Process uptime: %llu seconds\n", (unsigned long long)up);
	else
		printf("Process uptime: not available\n");
}

static void print_modules(const proc_crash *c)
{
	const md_dump *d = c->dump;
	printf("\nLoaded modules:\n");
	for (uint32_t i = 0; i < d->nmodules; i++) {
		const md_module *m = &d->modules[i];
		int st = proc_crash_module_status(c, m);
		printf("0x%llx - 0x%llx  %s  %s", (unsigned long long)m->base,
		       (unsigned long long)(m->base + m->size - 1), cd_basename(m->code_file),
		       m->version[0] ? m->version : "???");
		if (st == SYM_STATUS_MISSING)
			printf("  (WARNING: No symbols, %s, %s)", cd_basename(m->debug_file), m->debug_id);
		else if (st == SYM_STATUS_CORRUPT)
			printf("  (WARNING: Corrupt symbols, %s, %s)", cd_basename(m->debug_file),
			       m->debug_id);
		else if (st == SYM_STATUS_UNKNOWN)
			printf("  (symbols not looked for: no frame needed them)");
		putchar('\n');
	}
}

typedef struct walk_opts {
	int brief, json, pretty;
	int refresh;          /* --refresh: remembered 404s asked again */
	int verbose;          /* 0 error, 1 warn, 2 info, 3 debug, 4 trace */
	int reprocess;
	int remote;           /* servers configured (or --offline): say what is missing */
	const char *annotations;
	store *db;            /* processed results; NULL: none */
} walk_opts;

/* The identity of the annotations the JSON would include. */
static void annotations_key(const char *dump, const char *given, cd_buf *b)
{
	char extra[4096];
	const char *p = given;
	if (!p && proc_extra_path(dump, extra, sizeof extra) == CD_OK)
		p = extra;
	struct stat st;
	if (p && stat(p, &st) == 0)
		cd_buf_printf(b, "|extra:%s:%lld:%lld.%09ld", p, (long long)st.st_size,
			      (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	else
		cd_buf_puts(b, "|extra:none");
}

/* The key of a processed result: which symbols each module has now
 * (local files only) and the annotations; NULL when it cannot be made. */
static char *symbols_key(const char *path, sym_store *store, const walk_opts *o,
			 const sym_module_ref *mods, size_t n)
{
	char *k = NULL;
	cd_err e;
	if (sym_store_symkey(store, mods, n, &k, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return NULL;
	}
	cd_buf b;
	cd_buf_init(&b, 1 << 14);
	cd_buf_puts(&b, k);
	annotations_key(path, o->annotations, &b);
	free(k);
	char *key = b.data ? strdup(b.data) : NULL;
	cd_buf_free(&b);
	return key;
}

/* The dump's modules (for the key of its processed result and the words
 * on missing symbols) and that key. Symbols are not fetched here: the
 * walk asks for those its frames need (proc_crash_open()). */
static int prepare_symbols(const char *path, sym_store *store, const walk_opts *o,
			   sym_module_ref **mods_out, size_t *nmods, char **symkey)
{
	*mods_out = NULL;
	*nmods = 0;
	*symkey = NULL;
	md_dump *d;
	cd_err e;
	if (md_open(path, &d, &e) != CD_OK)
		return 0; /* proc_crash_open() says why */
	sym_module_ref *mods = calloc(d->nmodules ? d->nmodules : 1, sizeof *mods);
	char **strs = calloc(d->nmodules ? 4 * (size_t)d->nmodules : 1, sizeof *strs);
	if (!mods || !strs) {
		free(mods);
		free(strs);
		md_close(d);
		cli_error("out of memory");
		return 1;
	}
	/* The refs outlive the dump: copies. */
	for (uint32_t i = 0; i < d->nmodules; i++) {
		const md_module *m = &d->modules[i];
		mods[i] = (sym_module_ref){ strs[4 * i] = strdup(m->debug_file),
					    strs[4 * i + 1] = strdup(m->debug_id),
					    strs[4 * i + 2] = strdup(m->code_file),
					    strs[4 * i + 3] = strdup(m->code_id) };
	}
	size_t n = d->nmodules;
	md_close(d);
	free(strs);
	*mods_out = mods;
	*nmods = n;
	*symkey = symbols_key(path, store, o, mods, n);
	return 0;
}

static void free_mods(sym_module_ref *mods, size_t n)
{
	for (size_t i = 0; mods && i < n; i++) {
		free((char *)mods[i].debug_file);
		free((char *)mods[i].debug_id);
		free((char *)mods[i].code_file);
		free((char *)mods[i].code_id);
	}
	free(mods);
}

/* A processed result of the same dump with the same symbols, printed. */
static int reuse(const char *path, const char *sha, const char *symkey, const walk_opts *o)
{
	char *text;
	cd_err e;
	if (!o->db || o->reprocess || !sha[0] || !symkey ||
	    store_processed_get(o->db, sha, symkey, &text, NULL, &e) != CD_OK)
		return 0;
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);
	free(text);
	if (!doc)
		return 0;
	json_dumpf(doc, stdout, (o->pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
	if (o->verbose >= 2)
		fprintf(stderr, "crashdesk: %s: processed result reused (same dump, same symbols)\n",
			path);
	return 1;
}

static int walk_one(const char *path, sym_store *store, const walk_opts *o)
{
	proc_crash *c;
	cd_err e;
	sym_module_ref *mods;
	size_t nmods;
	char *symkey, sha[65] = "";
	if (prepare_symbols(path, store, o, &mods, &nmods, &symkey))
		return 1;
	if (o->json && o->db && cd_sha256_file(path, sha, &e) != CD_OK)
		sha[0] = 0;
	/* --refresh asks the servers again: no result is reused. */
	if (o->json && !o->refresh && reuse(path, sha, symkey, o)) {
		if (o->remote)
			cli_print_missing(path, store, mods, nmods);
		free(symkey);
		free_mods(mods, nmods);
		return 0;
	}
	if (proc_crash_open(path, store, o->annotations, NULL, NULL, NULL, &c, &e) != CD_OK) {
		cli_error("%s", e.msg);
		free(symkey);
		free_mods(mods, nmods);
		return 1;
	}
	const md_dump *d = c->dump;
	if (o->verbose >= 2) {
		for (uint32_t i = 0; i < d->nmodules; i++) {
			static const char *st[] = { "not looked for", "loaded", "missing", "corrupt" };
			const md_module *m = &d->modules[i];
			fprintf(stderr, "crashdesk: %s: symbols for %s (%s %s): %s\n", path,
				cd_basename(m->code_file), cd_basename(m->debug_file), m->debug_id,
				st[proc_crash_module_status(c, m)]);
		}
	}
	if (o->verbose >= 3) {
		for (uint32_t i = 0; i < d->nthreads; i++)
			for (uint32_t k = 0; k < c->stacks[i].nframes; k++)
				fprintf(stderr, "crashdesk: %s: thread %u frame %u at 0x%llx found by %s\n",
					path, i, k,
					(unsigned long long)md_context_pc(&c->stacks[i].frames[k].regs),
					walk_trust_name(c->stacks[i].frames[k].trust));
	}
	if (o->json) {
		/* Annotations that could not be read are worth a word, not a failure. */
		if (c->annotations_error[0])
			cli_error("%s", c->annotations_error);
		json_t *root = proc_crash_json(c);
		json_dumpf(root, stdout, (o->pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER);
		putchar('\n');
		/* Keyed by the symbols the walk had, downloads included, so
		 * the next walk of the dump finds it before walking. */
		char *after = o->db && sha[0] && !c->nfailed
				      ? symbols_key(path, store, o, mods, nmods) : NULL;
		if (after) {
			char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (text && store_processed_put(o->db, sha, after, text, &e) != CD_OK)
				cli_error("%s", e.msg);
			free(text);
			free(after);
		}
		json_decref(root);
	} else {
		print_header(d, &c->reason);
		for (uint32_t i = 0; i < d->nthreads; i++) {
			int crashed = c->reason.has_exception && d->threads[i].id == d->exception.thread_id;
			if (o->brief && !crashed)
				continue;
			printf("\nThread %u%s\n", i, crashed ? " (crashed)" : "");
			if (c->why[i])
				printf("    (not walked: %s)\n", c->why[i]);
			print_stack(&c->stacks[i]);
		}
		print_modules(c);
	}
	if (o->remote || o->verbose >= 1)
		cli_print_missing(path, store, mods, nmods);
	int status = c->nfailed != 0;
	proc_crash_free(c);
	free(symkey);
	free_mods(mods, nmods);
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

int cmd_walk(int argc, char **argv)
{
	const char *output = NULL;
	int nfiles = 0, status = 0;
	walk_opts o = { 0 };
	cli_symopts so;
	memset(&so, 0, sizeof so);
	char **files = calloc((size_t)argc, sizeof *files);
	if (!files) {
		cli_error("out of memory");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(walk_help, stdout);
			free(files);
			return 0;
		}
		int used = cli_symopt(&so, "walk", argc, argv, i);
		if (used < 0) {
			free(files);
			return 2;
		}
		if (used) {
			i += used - 1;
			continue;
		}
		if (!strcmp(argv[i], "--brief"))
			o.brief = 1;
		else if (!strcmp(argv[i], "--json"))
			o.json = 1;
		else if (!strcmp(argv[i], "--pretty"))
			o.pretty = 1;
		else if (!strcmp(argv[i], "--reprocess"))
			o.reprocess = 1;
		else if (!strcmp(argv[i], "--annotations") && i + 1 < argc)
			o.annotations = argv[++i];
		else if (!strcmp(argv[i], "--output-file") && i + 1 < argc)
			output = argv[++i];
		else if (!strcmp(argv[i], "--verbose") && i + 1 < argc) {
			static const char *levels[] = { "error", "warn", "info", "debug", "trace" };
			const char *lv = argv[++i];
			o.verbose = -1;
			for (int k = 0; k < 5; k++)
				if (!strcmp(lv, levels[k]))
					o.verbose = k;
			if (o.verbose < 0) {
				cli_error("walk: --verbose takes error, warn, info, debug or trace");
				free(files);
				return 2;
			}
		}
		else if (!strcmp(argv[i], "--human"))
			o.json = 0;
		else if (argv[i][0] == '-') {
			cli_error("walk: unknown option '%s'", argv[i]);
			fputs(walk_help, stderr);
			free(files);
			return 2;
		} else
			files[nfiles++] = argv[i];
	}
	if (!nfiles) {
		fputs(walk_help, stderr);
		free(files);
		return 2;
	}
	if (output && !freopen(output, "w", stdout)) {
		cli_error("%s: cannot write: %s", output, strerror(errno));
		free(files);
		return 1;
	}
	sym_store *store = NULL;
	if (cli_symopts_finish(&so) || cli_symopts_store(&so, &store)) {
		cli_symopts_free(&so);
		free(files);
		return 1;
	}
	o.remote = so.nurls > 0 || so.net.offline;
	o.refresh = so.net.refresh;
	char dbpath[4200];
	snprintf(dbpath, sizeof dbpath, "%s/crashdesk.db", so.cache_dir);
	cd_err e;
	if (o.json && store_open(dbpath, &o.db, &e) != CD_OK) {
		/* Without the database the walk still works; it is only slower. */
		cli_error("%s", e.msg);
		o.db = NULL;
	}
	dump_list dumps = { 0 };
	for (int i = 0; i < nfiles; i++)
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
	free(files);
	return status;
}
