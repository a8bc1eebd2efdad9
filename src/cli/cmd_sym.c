/*
 * cmd_sym.c - `crashdesk sym`: inspecting Breakpad symbol files.
 *   stats FILE         counts and bytes per record type, inline figures,
 *                      largest functions, generator, module identity
 *   check FILE         every anomaly with its line; exit 1 when damaged
 *   lookup [--json] FILE ADDR...   function, file:line, inline chain
 *   funcs FILE [PATTERN]           functions with their ranges
 *   convert FILE -o OUT            write the symbol cache explicitly
 * lookup and funcs use the symbol cache under $XDG_CACHE_HOME/crashdesk
 * (or --cache-dir), building it on first use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <regex.h>
#include <string.h>
#include <sys/stat.h>

#include "../minidump/minidump.h"

#include "../symbols/symbols.h"
#include "cli.h"

static const char sym_help[] =
	"usage: crashdesk sym stats FILE\n"
	"       crashdesk sym check FILE\n"
	"       crashdesk sym lookup [--json] [--cache-dir DIR] FILE ADDR...\n"
	"       crashdesk sym funcs [--cache-dir DIR] FILE [REGEX]\n"
	"       crashdesk sym convert FILE -o OUT\n"
	"       crashdesk sym browse [--cache-dir DIR] FILE   (the TUI's sym-file browser)\n"
	"       crashdesk sym fetch [--symbols-path DIR]... [--symbols-url URL]... [--offline]\n"
	"                           [--refresh] [--cache-dir DIR] DEBUGFILE DEBUGID [CODEFILE CODEID]\n"
	"       crashdesk sym prefetch [the options of fetch] [--jobs N] DUMP|DIR...\n"
	"\n"
	"FILE is a Breakpad .sym (plain, .gz or UTF-16). ADDR is a module-relative\n"
	"hex address. lookup and funcs build a symbol cache on first use, under\n"
	"$XDG_CACHE_HOME/crashdesk/symcache (default ~/.cache/crashdesk/symcache).\n"
	"check exits 1 when the file is damaged. fetch finds (or downloads into the\n"
	"cache) one module's symbols and prints the file's path and where it came\n"
	"from, or every location tried and its answer (exit 1). prefetch downloads\n"
	"the symbols of every module of the dumps (a DIR: its .dmp files) at once,\n"
	"--jobs (8) in parallel, and lists the modules left without symbols.\n";

/* ---- the options of every subcommand ------------------------------------------- */

enum { Y_JSON = CLI_OPT_FIRST_FREE, Y_OUT };
/* Which options a subcommand takes. */
enum { TAKES_JSON = 1, TAKES_OUT = 2, TAKES_CACHE = 4, TAKES_SYMOPTS = 8 };

typedef struct sym_args {
	int json;
	const char *out;
	cli_symopts so;       /* so.cache_dir is --cache-dir for every subcommand */
	char **operands;
	int noperands;
} sym_args;

/* argv[0] is the subcommand's name. 0, or 2 after a usage error. */
static int sym_args_parse(const char *sub, int takes, int argc, char **argv, sym_args *a)
{
	static const struct option opts[] = {
		CLI_SYMOPTS,
		{ "json", no_argument, NULL, Y_JSON },
		{ "output", required_argument, NULL, Y_OUT },
		{ NULL, 0, NULL, 0 },
	};
	char cmd[64];
	snprintf(cmd, sizeof cmd, "sym %s", sub);
	memset(a, 0, sizeof *a);
	int c;
	cli_getopt_reset();
	while ((c = cli_getopt(cmd, argc, argv, "o:", opts)) != -1) {
		int ok = c == Y_JSON ? takes & TAKES_JSON
			 : c == 'o' || c == Y_OUT ? takes & TAKES_OUT
			 : c == CLI_OPT_CACHE_DIR ? takes & (TAKES_CACHE | TAKES_SYMOPTS)
			 : c != '?' && takes & TAKES_SYMOPTS;
		if (c != '?' && !ok) {
			cli_error("%s: %s is not an option of it", cmd, argv[optind - 1]);
			c = '?';
		}
		if (c == '?') {
			fputs(sym_help, stderr);
			return 2;
		}
		if (c == Y_JSON)
			a->json = 1;
		else if (c == 'o' || c == Y_OUT)
			a->out = optarg;
		else if (cli_symopt(&a->so, cmd, c, optarg) < 0)
			return 2;
	}
	a->operands = argv + optind;
	a->noperands = argc - optind;
	return 0;
}

/* ---- stats and check: a counting sink ------------------------------------------- */

typedef struct big { uint64_t size; char name[120]; } big;

typedef struct stats {
	char module[512], code_id[128], generator[256];
	uint64_t funcs_with_inlines, max_depth, cur_func_inlines;
	big largest[5];
	int check;            /* print each diagnostic as it comes */
	uint64_t printed, damaged;
	const char *path;
} stats;

static void st_module(void *ctx, uint64_t line, const char *os, const char *arch, const char *id,
		      const char *name)
{
	stats *s = ctx;
	(void)line;
	snprintf(s->module, sizeof s->module, "%s %s %s %s", os, arch, id, name);
}

static void st_info(void *ctx, uint64_t line, const char *key, const char *value)
{
	stats *s = ctx;
	(void)line;
	if (!strcmp(key, "CODE_ID"))
		snprintf(s->code_id, sizeof s->code_id, "%s", value);
	else if (!strcmp(key, "GENERATOR"))
		snprintf(s->generator, sizeof s->generator, "%s", value);
}

static void st_func(void *ctx, uint64_t line, const sym_func_rec *f)
{
	stats *s = ctx;
	(void)line;
	s->cur_func_inlines = 0;
	for (int i = 0; i < 5; i++) {
		if (f->size > s->largest[i].size) {
			memmove(&s->largest[i + 1], &s->largest[i], (size_t)(4 - i) * sizeof(big));
			s->largest[i].size = f->size;
			snprintf(s->largest[i].name, sizeof s->largest[i].name, "%.*s",
				 (int)(f->name_len < 119 ? f->name_len : 119), f->name);
			break;
		}
	}
}

static void st_inline(void *ctx, uint64_t line, const sym_inline_rec *r)
{
	stats *s = ctx;
	(void)line;
	if (s->cur_func_inlines++ == 0)
		s->funcs_with_inlines++;
	if (r->depth + 1 > s->max_depth)
		s->max_depth = r->depth + 1;
}

static void st_diag(void *ctx, uint64_t line, int damaged, const char *msg)
{
	stats *s = ctx;
	s->damaged += damaged != 0;
	if (s->check && s->printed++ < 10000)
		printf("%s:%llu: %s: %s\n", s->path, (unsigned long long)line,
		       damaged ? "error" : "warning", msg);
}

static int parse_stats(const char *path, stats *s, sym_counts *c)
{
	sym_sink sink = { .ctx = s, .module = st_module, .info = st_info, .func = st_func,
			  .inline_rec = st_inline, .diag = st_diag };
	s->path = path;
	cd_err e;
	if (sym_parse(path, &sink, c, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	return 0;
}

static int sym_stats(const char *path)
{
	stats s;
	memset(&s, 0, sizeof s);
	sym_counts c;
	if (parse_stats(path, &s, &c))
		return 1;
	printf("file: %s\nmodule: %s\n", path, s.module[0] ? s.module : "(no MODULE line)");
	if (s.code_id[0])
		printf("code id: %s\n", s.code_id);
	if (s.generator[0])
		printf("generator: %s\n", s.generator);
	printf("lines: %llu, bytes: %llu\n\n%-16s %12s %14s\n", (unsigned long long)c.lines,
	       (unsigned long long)c.bytes_total, "record", "count", "bytes");
	for (int k = 0; k < SYM_R_COUNT; k++)
		if (c.records[k])
			printf("%-16s %12llu %14llu\n", sym_record_name(k),
			       (unsigned long long)c.records[k], (unsigned long long)c.bytes[k]);
	printf("\nfunctions with inlines: %llu\ndeepest inline nesting: %llu\n",
	       (unsigned long long)s.funcs_with_inlines, (unsigned long long)s.max_depth);
	printf("malformed lines: %llu, repaired quirks: %llu\n\nlargest functions:\n",
	       (unsigned long long)c.damaged_lines, (unsigned long long)c.repaired_lines);
	for (int i = 0; i < 5 && s.largest[i].size; i++)
		printf("  %10llu  %s\n", (unsigned long long)s.largest[i].size, s.largest[i].name);
	return 0;
}

static int sym_check(const char *path)
{
	stats s;
	memset(&s, 0, sizeof s);
	s.check = 1;
	sym_counts c;
	if (parse_stats(path, &s, &c))
		return 1;
	if (!s.module[0]) {
		printf("%s:1: error: no MODULE line\n", path);
		s.damaged++;
	}
	printf("%s: %llu lines, %llu malformed, %llu repaired: %s\n", path,
	       (unsigned long long)c.lines, (unsigned long long)c.damaged_lines,
	       (unsigned long long)c.repaired_lines, s.damaged ? "DAMAGED" : "ok");
	return s.damaged ? 1 : 0;
}

/* ---- lookup and funcs: through the cache ------------------------------------------ */

static int open_cache(const char *path, const char *dir, sym_cache **c)
{
	char sub[4200];
	cd_err me;
	int mrc;
	if (!dir)
		mrc = cd_xdg_dir(CD_XDG_CACHE, "symcache", sub, sizeof sub, &me);
	else {
		snprintf(sub, sizeof sub, "%s/symcache", dir);
		mrc = cd_mkdir_p(sub, 0700, &me);
	}
	if (mrc != CD_OK) {
		cli_error("%s", me.msg);
		return 1;
	}
	int built;
	sym_report r;
	cd_err e;
	if (sym_open(path, sub, c, &built, &r, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	if (r.damaged)
		fprintf(stderr, "crashdesk: %s: damaged: %llu problem lines (see 'crashdesk sym check')\n",
			path, (unsigned long long)r.ndiags_total);
	sym_report_free(&r);
	return 0;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void print_lookup(uint64_t addr, int rc, const sym_lookup *l, int json)
{
	if (json) {
		printf("{\"address\":\"0x%llx\"", (unsigned long long)addr);
		if (rc) {
			printf(",\"function\":null}\n");
			return;
		}
		printf(",\"function\":");
		json_str(l->function);
		printf(",\"function_offset\":\"0x%llx\",\"file\":",
		       (unsigned long long)(addr - l->function_addr));
		json_str(l->file);
		printf(",\"line\":%lld,\"public\":%s,\"inlines\":[", (long long)l->line,
		       l->is_public ? "true" : "false");
		for (uint32_t i = 0; i < l->ninlines; i++) {
			printf("%s{\"function\":", i ? "," : "");
			json_str(l->inlines[i].function);
			printf(",\"file\":");
			json_str(l->inlines[i].file);
			printf(",\"line\":%lld}", (long long)l->inlines[i].line);
		}
		printf("]}\n");
		return;
	}
	if (rc) {
		printf("0x%llx: no symbol\n", (unsigned long long)addr);
		return;
	}
	printf("0x%llx: ", (unsigned long long)addr);
	for (uint32_t i = 0; i < l->ninlines; i++)
		printf("%s [inlined] %s:%lld\n  called from ", l->inlines[i].function,
		       l->inlines[i].file, (long long)l->inlines[i].line);
	printf("%s + 0x%llx", l->function, (unsigned long long)(addr - l->function_addr));
	if (l->is_public)
		printf(" (PUBLIC)");
	else if (l->file[0])
		printf(" %s:%lld", l->file, (long long)l->line);
	putchar('\n');
}

static int sym_lookup_cmd(int argc, char **argv)
{
	sym_args a;
	if (sym_args_parse("lookup", TAKES_JSON | TAKES_CACHE, argc, argv, &a))
		return 2;
	if (a.noperands < 2) {
		fputs(sym_help, stderr);
		return 2;
	}
	int json = a.json;
	const char *file = a.operands[0], *dir = a.so.cache_dir;
	sym_cache *c;
	if (open_cache(file, dir, &c))
		return 1;
	int status = 0;
	for (int i = 1; i < a.noperands; i++) {
		char *end;
		const char *x = a.operands[i];
		if (!strncmp(x, "0x", 2) || !strncmp(x, "0X", 2))
			x += 2;
		uint64_t addr = strtoull(x, &end, 16);
		if (!*x || *end) {
			cli_error("sym lookup: '%s' is not a hex address", a.operands[i]);
			status = 2;
			continue;
		}
		sym_lookup l;
		int rc = sym_lookup_addr(c, addr, &l);
		print_lookup(addr, rc, &l, json);
	}
	sym_cache_close(c);
	return status;
}

static int sym_funcs(int argc, char **argv)
{
	sym_args a;
	if (sym_args_parse("funcs", TAKES_CACHE, argc, argv, &a))
		return 2;
	if (a.noperands < 1 || a.noperands > 2) {
		fputs(sym_help, stderr);
		return 2;
	}
	const char *dir = a.so.cache_dir, *file = a.operands[0];
	const char *pattern = a.noperands > 1 ? a.operands[1] : NULL;
	/* PATTERN is an extended regular expression; text that is not one
	 * (an unbalanced "operator(" say) is matched as a plain substring. */
	regex_t re;
	int use_re = pattern && regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) == 0;
	sym_cache *c;
	if (open_cache(file, dir, &c)) {
		if (use_re)
			regfree(&re);
		return 1;
	}
	uint64_t n = sym_func_count(c);
	for (uint64_t i = 0; i < n; i++) {
		const char *name;
		uint64_t addr, size;
		sym_func_at(c, i, &name, &addr, &size);
		if (pattern && (use_re ? regexec(&re, name, 0, NULL, 0) != 0 : !strstr(name, pattern)))
			continue;
		printf("%08llx-%08llx %s\n", (unsigned long long)addr,
		       (unsigned long long)(addr + size), name);
	}
	if (use_re)
		regfree(&re);
	sym_cache_close(c);
	return 0;
}

static int sym_convert(int argc, char **argv)
{
	sym_args a;
	if (sym_args_parse("convert", TAKES_OUT, argc, argv, &a))
		return 2;
	const char *file = a.noperands == 1 ? a.operands[0] : NULL, *out = a.out;
	if (!file || !out) {
		fputs(sym_help, stderr);
		return 2;
	}
	sym_report r;
	cd_err e;
	if (sym_cache_build(file, out, &r, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	printf("%s: %llu functions, %llu lines, %llu inlines -> %s%s\n", file,
	       (unsigned long long)r.counts.records[SYM_R_FUNC],
	       (unsigned long long)r.counts.records[SYM_R_LINE],
	       (unsigned long long)r.counts.records[SYM_R_INLINE], out,
	       r.damaged ? " (source damaged: see 'crashdesk sym check')" : "");
	sym_report_free(&r);
	return 0;
}

static int sym_fetch(int argc, char **argv)
{
	sym_args a;
	if (sym_args_parse("fetch", TAKES_SYMOPTS, argc, argv, &a))
		return 2;
	cli_symopts so = a.so;
	char **args = a.operands;
	int nargs = a.noperands;
	if (nargs != 2 && nargs != 4) {
		fputs(sym_help, stderr);
		return 2;
	}
	sym_store *s;
	if (cli_symopts_finish(&so) || cli_symopts_store(&so, &s)) {
		cli_symopts_free(&so);
		return 1;
	}
	sym_module_ref m = { args[0], args[1], nargs == 4 ? args[2] : NULL,
			     nargs == 4 ? args[3] : NULL };
	sym_status st;
	const sym_cache *c = sym_store_find(s, &m, &st);
	int rc = 0;
	sym_store_entry en;
	if (c && sym_store_entry_at(s, 0, &en) == CD_OK) {
		printf("%s\n", en.path);
		printf("from %s%s\n", en.source, st == SYM_STATUS_CORRUPT ? " (damaged lines)" : "");
	} else {
		cli_print_missing("sym fetch", s, &m, 1);
		rc = 1;
	}
	cli_index_symbols(so.cache_dir, s);
	sym_store_free(s);
	cli_symopts_free(&so);
	return rc;
}

/* Adds the modules of dump (or of a directory's .dmp files) to *mods. */
static void collect_modules(const char *path, sym_module_ref **mods, size_t *n, size_t *cap,
			    int *bad)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		char **v;
		size_t nd;
		cd_err e;
		if (cd_dir_files(path, ".dmp", 0, &v, &nd, &e) != CD_OK)
			return; /* as before: an unreadable directory adds nothing */
		for (size_t i = 0; i < nd; i++)
			collect_modules(v[i], mods, n, cap, bad);
		cd_dir_files_free(v, nd);
		return;
	}
	md_dump *d;
	cd_err e;
	if (md_open(path, &d, &e) != CD_OK) {
		cli_error("%s", e.msg);
		*bad = 1;
		return;
	}
	for (uint32_t i = 0; i < d->nmodules; i++) {
		const md_module *m = &d->modules[i];
		if (!m->debug_file[0] || !m->debug_id[0])
			continue;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 256;
			sym_module_ref *p = realloc(*mods, *cap * sizeof *p);
			if (!p)
				break;
			*mods = p;
		}
		(*mods)[(*n)++] = (sym_module_ref){ strdup(m->debug_file), strdup(m->debug_id),
						    strdup(m->code_file), strdup(m->code_id) };
	}
	md_close(d);
}

static int sym_prefetch(int argc, char **argv)
{
	sym_args a;
	if (sym_args_parse("prefetch", TAKES_SYMOPTS, argc, argv, &a))
		return 2;
	cli_symopts so = a.so;
	sym_module_ref *mods = NULL;
	size_t n = 0, cap = 0;
	int bad = 0;
	if (!a.noperands) {
		fputs(sym_help, stderr);
		return 2;
	}
	for (int i = 0; i < a.noperands; i++)
		collect_modules(a.operands[i], &mods, &n, &cap, &bad);
	sym_store *s;
	int rc = 1;
	if (!cli_symopts_finish(&so) && !cli_symopts_store(&so, &s)) {
		cd_err e;
		rc = 0;
		if (sym_store_prefetch(s, mods, n, cli_progress, NULL, NULL, &e) != CD_OK) {
			cli_error("%s", e.msg);
			rc = 1;
		}
		size_t uniq = 0, found = 0;
		sym_store_entry en;
		while (sym_store_entry_at(s, uniq, &en) == CD_OK) {
			found += en.path != NULL;
			uniq++;
		}
		sym_store_counts c;
		sym_store_counts_get(s, &c);
		size_t missing = cli_print_missing("sym prefetch", s, mods, n);
		printf("%zu modules: %zu with symbols (%llu downloaded), %zu without; %llu requests, "
		       "%.1f MB\n", uniq, found, (unsigned long long)c.downloads, missing,
		       (unsigned long long)c.requests, (double)c.bytes / 1e6);
		cli_index_symbols(so.cache_dir, s);
		sym_store_free(s);
	}
	for (size_t i = 0; i < n; i++) {
		free((char *)mods[i].debug_file);
		free((char *)mods[i].debug_id);
		free((char *)mods[i].code_file);
		free((char *)mods[i].code_id);
	}
	free(mods);
	cli_symopts_free(&so);
	return rc || bad;
}

int cmd_sym(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(sym_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	/* Each subcommand parses argv[1..] with its name as argv[0]. */
	if (!strcmp(sub, "stats") || !strcmp(sub, "check")) {
		sym_args a;
		if (sym_args_parse(sub, 0, argc - 1, argv + 1, &a))
			return 2;
		if (a.noperands == 1)
			return sub[0] == 's' ? sym_stats(a.operands[0]) : sym_check(a.operands[0]);
	}
	if (!strcmp(sub, "lookup"))
		return sym_lookup_cmd(argc - 1, argv + 1);
	if (!strcmp(sub, "funcs"))
		return sym_funcs(argc - 1, argv + 1);
	if (!strcmp(sub, "convert"))
		return sym_convert(argc - 1, argv + 1);
	if (!strcmp(sub, "prefetch"))
		return sym_prefetch(argc - 1, argv + 1);
	if (!strcmp(sub, "fetch"))
		return sym_fetch(argc - 1, argv + 1);
	if (!strcmp(sub, "browse")) {
		sym_args a;
		if (sym_args_parse("browse", TAKES_CACHE, argc - 1, argv + 1, &a))
			return 2;
		if (a.noperands != 1) {
			fputs(sym_help, stderr);
			return 2;
		}
		return cli_tui(NULL, 0, a.so.cache_dir, NULL, a.operands[0]);
	}
	cli_error("sym: unknown subcommand or arguments");
	fputs(sym_help, stderr);
	return 2;
}
