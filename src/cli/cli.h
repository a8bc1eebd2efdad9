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

/* dump_json.c: the decoded dump as a JSON tree (caller owns the reference),
 * and whether the reader recorded problems. */
#include <jansson.h>
#include "../minidump/minidump.h"
json_t *dump_to_json(const md_dump *d);
int dump_has_problems(const md_dump *d);

/* "crashdesk: " + message on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
