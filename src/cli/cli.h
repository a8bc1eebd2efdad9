/*
 * cli.h - crashdesk's subcommands. main.c holds the table; each command
 * lives in its own cmd_*.c and returns the process exit status
 * (0 success, 1 bad input or a failed command, 2 usage error).
 */
#ifndef CD_CLI_H
#define CD_CLI_H

#include <getopt.h>
#include <stddef.h>

#define CRASHDESK_VERSION "0.1.0"

typedef struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;
} cli_command;

int cmd_cache(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_sym(int argc, char **argv);
int cmd_walk(int argc, char **argv);
/* walk's body; stackwalk: behave as rust-minidump's minidump-stackwalk
 * (its name in messages, the human report by default, every operand after
 * the dump a symbols path, errors only in the log unless --verbose). */
int cli_walk(int argc, char **argv, int stackwalk);
int cmd_signature(int argc, char **argv);
int cmd_resig(int argc, char **argv);
int cmd_open(int argc, char **argv);
/* cmd_crashstats.c */
int cmd_fetch(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_reprocess(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_siginfo(int argc, char **argv);

/* Runs the TUI (refusing when not on a terminal): on target (a dump or a
 * directory), on sym_file (the sym-file browser), or on the home pane. */
int cli_tui(const char *const *paths, int npaths, const char *cache_dir, const char *target,
	    const char *sym_file);

/* The same with every symbol option (cmd_open.c); so is finished and
 * freed. src: the source pane's options, or NULL. */
struct cli_symopts;
struct cli_srcopts;
int cli_tui_opts(struct cli_symopts *so, const struct cli_srcopts *src, const char *target,
		 const char *sym_file);

/* dump_json.c: the decoded dump as a JSON tree (caller owns the reference),
 * and whether the reader recorded problems. */
#include <jansson.h>
#include "../minidump/minidump.h"
json_t *dump_to_json(const md_dump *d);
/* With lists 0, "threads" and "modules" are null placeholders, their items
 * made one at a time by dump_thread_json() and dump_module_json(), so a
 * dump of many records is written without its whole tree. */
json_t *dump_to_json_lists(const md_dump *d, int lists);
json_t *dump_thread_json(const md_dump *d, uint32_t i);
json_t *dump_module_json(const md_dump *d, uint32_t i);
int dump_has_problems(const md_dump *d);

/* Every command parses its options with getopt_long (a table of struct
 * option each): --opt=value and --opt value, unambiguous abbreviations,
 * options and operands in any order, "--" ending the options. cli_getopt()
 * is getopt_long with crashdesk's messages: it returns the option's val,
 * -1 at the end (the operands are argv[optind..argc) in their order), or
 * '?' after reporting an unknown, ambiguous, value-less or valued-wrongly
 * option. Call cli_getopt_reset() before a command's first call. */
int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *opts);
void cli_getopt_reset(void);

/* symopts.c: the symbol options walk, sym, signature and open share:
 *   --symbols-path DIR|ZIP  --symbols-url URL  --cache-dir DIR  --offline
 *   --refresh  --jobs N  --timeout SECONDS
 * and minidump-stackwalk's names: --symbols-cache DIR (= --cache-dir),
 * --symbols-tmp DIR (downloads in progress), --symbols-download-timeout-secs N.
 * URLs default to $CRASHDESK_SYMBOLS_URL (space-separated), else the config
 * file's symbols_url; the cache directory to $XDG_CACHE_HOME/crashdesk.
 * A command puts CLI_SYMOPTS in its option table and hands every val it
 * gets to cli_symopt(). */
#include "../symbols/symbols.h"
#include "../util/util.h"
#define CLI_MAX_SOURCES 64
typedef struct cli_symopts {
	const char *paths[CLI_MAX_SOURCES];
	int npaths;
	const char *urls[CLI_MAX_SOURCES];
	int nurls;
	const char *cache_dir;  /* as given, or cache_buf after cli_symopts_finish() */
	const char *tmp_dir;    /* --symbols-tmp; NULL: the cache's tmp/ */
	sym_net_opts net;
	char cache_buf[4096];
	char *env_urls;         /* owned copy of $CRASHDESK_SYMBOLS_URL */
	cd_config config;       /* the config file, read once: owns its URLs; Crash Stats
	                         * takes its keys from it (cs_config_from()) */
} cli_symopts;
enum {
	CLI_OPT_SYMBOLS_PATH = 0x1000, CLI_OPT_SYMBOLS_URL, CLI_OPT_CACHE_DIR, CLI_OPT_OFFLINE,
	CLI_OPT_REFRESH, CLI_OPT_JOBS, CLI_OPT_TIMEOUT, CLI_OPT_SYMBOLS_TMP, CLI_OPT_DL_TIMEOUT,
	CLI_OPT_FIRST_FREE /* a command's own vals start here */
};
#define CLI_SYMOPTS                                                             \
	{ "symbols-path", required_argument, NULL, CLI_OPT_SYMBOLS_PATH },      \
	{ "symbols-url", required_argument, NULL, CLI_OPT_SYMBOLS_URL },        \
	{ "cache-dir", required_argument, NULL, CLI_OPT_CACHE_DIR },            \
	{ "symbols-cache", required_argument, NULL, CLI_OPT_CACHE_DIR },        \
	{ "symbols-tmp", required_argument, NULL, CLI_OPT_SYMBOLS_TMP },        \
	{ "symbols-download-timeout-secs", required_argument, NULL, CLI_OPT_DL_TIMEOUT }, \
	{ "offline", no_argument, NULL, CLI_OPT_OFFLINE },                      \
	{ "refresh", no_argument, NULL, CLI_OPT_REFRESH },                      \
	{ "jobs", required_argument, NULL, CLI_OPT_JOBS },                      \
	{ "timeout", required_argument, NULL, CLI_OPT_TIMEOUT }
/* The source pane's options of `open` (--source-root, --source-map);
 * the config file's are added by cli_tui_opts(). Borrowed strings. */
typedef struct cli_srcopts {
	const char *roots[CLI_MAX_SOURCES];
	int nroots;
	const char *maps[CLI_MAX_SOURCES];
	int nmaps;
} cli_srcopts;
/* Takes option val (its value v) when it is a symbol option: 1 when it
 * was, 0 when it is not one, -1 after a usage error it reported (cmd
 * names the command). */
int cli_symopt(cli_symopts *o, const char *cmd, int val, const char *v);
/* Defaults from the environment and the config file; makes the cache
 * directory. 0, or 1 after reporting an error. */
int cli_symopts_finish(cli_symopts *o);
/* A store over everything configured (caller frees it). 0 or 1. */
int cli_symopts_store(const cli_symopts *o, sym_store **out);
void cli_symopts_free(cli_symopts *o);
/* Prints on stderr, for each module of the list left without symbols,
 * every location tried and its answer. Returns how many were missing. */
size_t cli_print_missing(const char *dump, sym_store *s, const sym_module_ref *mods, size_t n);
/* A one-line progress display on stderr (only when it is a terminal):
 * a sym_progress_fn; ctx is unused. */
void cli_progress(void *ctx, const sym_progress *p);
/* Records what the store looked up in the cache index of the database
 * at cache_dir/crashdesk.db (best effort: a failure is reported, not fatal). */
void cli_index_symbols(const char *cache_dir, sym_store *s);

/* "crashdesk: " + message on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* docs.c: crash documents in a file or on standard input, as signature
 * and resig read them. fn gets each document of text with its label: text
 * whole under name, or, when text is JSON lines, each non-blank line under
 * "name:LINE". */
typedef void (*cli_doc_fn)(void *ctx, const char *label, const char *text, size_t len);
void cli_each_doc(const char *name, const char *text, size_t len, cli_doc_fn fn, void *ctx);
/* Standard input read whole into out (initialized here; the caller frees
 * it); 1 after reporting a read error or an input too large, naming cmd. */
int cli_read_stdin(const char *cmd, cd_buf *out);

#endif
