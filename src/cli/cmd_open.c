/*
 * cmd_open.c - `crashdesk open`: the TUI on a dump or a directory of dumps,
 * and `crashdesk` alone on a terminal: the home pane.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tui/tui.h"
#include "cli.h"

static const char open_help[] =
	"usage: crashdesk open [--symbols-path DIR|ZIP]... [--cache-dir DIR] DUMP|DIR\n"
	"       crashdesk            (on a terminal: the home pane)\n"
	"\n"
	"Opens the terminal workstation on a minidump (with its .extra beside it),\n"
	"or on the list of the .dmp files of a directory. Walking happens in the\n"
	"background; keys are listed by '?' in every pane. Needs a terminal: for\n"
	"text or JSON output use 'crashdesk walk'.\n";

/* Shared by open, the bare command and `sym browse`. */
int cli_tui(const char *const *paths, int npaths, const char *cache_dir, const char *target,
	    const char *sym_file)
{
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		cli_error("the workstation needs a terminal; for text or JSON output use "
			  "'crashdesk walk' (or 'crashdesk sym lookup')");
		return 1;
	}
	char dir[4096], config[4096];
	cd_err e = { 0 };
	if (!cache_dir) {
		if (cd_xdg_dir(CD_XDG_CACHE, NULL, dir, sizeof dir, &e) != CD_OK) {
			cli_error("%s", e.msg);
			return 1;
		}
		cache_dir = dir;
	}
	/* User views and keys are optional: a missing directory is no error. */
	if (cd_xdg_path(CD_XDG_CONFIG, NULL, config, sizeof config, &e) != CD_OK)
		config[0] = 0;
	tui_options o = { .symbol_paths = paths, .nsymbol_paths = npaths, .cache_dir = cache_dir,
			  .target = target, .sym_file = sym_file,
			  .config_dir = config[0] ? config : NULL };
	if (tui_run(&o, &e) != 0) {
		cli_error("%s", e.msg);
		return 1;
	}
	return 0;
}

int cmd_open(int argc, char **argv)
{
	const char *paths[64], *cache_dir = NULL, *target = NULL;
	int npaths = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(open_help, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--symbols-path") && i + 1 < argc) {
			if (npaths == 64) {
				cli_error("open: at most 64 --symbols-path");
				return 2;
			}
			paths[npaths++] = argv[++i];
		} else if (!strcmp(argv[i], "--cache-dir") && i + 1 < argc) {
			cache_dir = argv[++i];
		} else if (argv[i][0] == '-') {
			cli_error("open: unknown option '%s'", argv[i]);
			fputs(open_help, stderr);
			return 2;
		} else if (target) {
			cli_error("open: one DUMP or DIR at a time");
			return 2;
		} else {
			target = argv[i];
		}
	}
	if (!target && argc > 1) {
		fputs(open_help, stderr);
		return 2;
	}
	if (target && access(target, R_OK) != 0) {
		cli_error("%s: cannot read it", target);
		return 1;
	}
	return cli_tui(paths, npaths, cache_dir, target, NULL);
}
