/*
 * cli.h - crashdesk's subcommands. main.c holds the table; each command
 * lives in its own cmd_*.c and returns the process exit status
 * (0 success, 1 bad input or a failed command, 2 usage error).
 */
#ifndef CD_CLI_H
#define CD_CLI_H

#include <stddef.h>

typedef struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;
} cli_command;

int cmd_cache(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_sym(int argc, char **argv);
int cmd_walk(int argc, char **argv);
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

/* The same with every symbol option (cmd_open.c); so is finished and freed. */
struct cli_symopts;
int cli_tui_opts(struct cli_symopts *so, const char *target, const char *sym_file);

/* dump_json.c: the decoded dump as a JSON tree (caller owns the reference),
 * and whether the reader recorded problems. */
#include <jansson.h>
#include "../minidump/minidump.h"
json_t *dump_to_json(const md_dump *d);
int dump_has_problems(const md_dump *d);

/* symopts.c: the symbol options walk, sym and open share:
 *   --symbols-path DIR|ZIP  --symbols-url URL  --cache-dir DIR  --offline
 *   --refresh  --jobs N  --timeout SECONDS
 * URLs default to $CRASHDESK_SYMBOLS_URL (space-separated), else the config
 * file's symbols_url; the cache directory to $XDG_CACHE_HOME/crashdesk. */
#include "../symbols/symbols.h"
#include "../util/util.h"
#define CLI_MAX_SOURCES 64
typedef struct cli_symopts {
	const char *paths[CLI_MAX_SOURCES];
	int npaths;
	const char *urls[CLI_MAX_SOURCES];
	int nurls;
	const char *cache_dir;  /* as given, or cache_buf after cli_symopts_finish() */
	sym_net_opts net;
	char cache_buf[4096];
	char *env_urls;         /* owned copy of $CRASHDESK_SYMBOLS_URL */
	cd_config config;       /* the config file, read once: owns its URLs; Crash Stats
	                         * takes its keys from it (cs_config_from()) */
} cli_symopts;
/* Takes argv[i] (and its value) when it is a symbol option: returns how
 * many arguments it used (1 or 2), 0 when it is not one, -1 after a usage
 * error it reported (cmd names the command). */
int cli_symopt(cli_symopts *o, const char *cmd, int argc, char **argv, int i);
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
