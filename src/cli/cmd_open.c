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
	"usage: crashdesk open [--symbols-path DIR|ZIP]... [--symbols-url URL]...\n"
	"                      [--offline] [--refresh] [--jobs N] [--timeout SECONDS]\n"
	"                      [--cache-dir DIR] [--source-root DIR]... [--source-map FROM=TO]...\n"
	"                      [DUMP|DIR]\n"
	"       crashdesk            (on a terminal: the home pane)\n"
	"\n"
	"Opens the terminal workstation on a minidump (with its .extra beside it),\n"
	"or on the list of the .dmp files of a directory. Walking happens in the\n"
	"background; keys are listed by '?' in every pane. Needs a terminal: for\n"
	"text or JSON output use 'crashdesk walk'. Without DUMP or DIR: the home pane,\n"
	"with these symbols for crashes fetched from Crash Stats (S searches it).\n"
	"\n"
	"  --source-root DIR    a source tree: 'v' on a frame shows its file's lines\n"
	"                       (found by the longest end of its path that is under DIR;\n"
	"                       repeatable; also source_root in the config file)\n"
	"  --source-map FROM=TO a build path and where that tree is here, e.g.\n"
	"                       /builds/worker/checkouts/gecko=~/src/gecko (repeatable;\n"
	"                       also source_map in the config file)\n";

int cli_tui(const char *const *paths, int npaths, const char *cache_dir, const char *target,
	    const char *sym_file)
{
	cli_symopts so;
	memset(&so, 0, sizeof so);
	for (int i = 0; i < npaths && i < CLI_MAX_SOURCES; i++)
		so.paths[so.npaths++] = paths[i];
	so.cache_dir = cache_dir;
	return cli_tui_opts(&so, NULL, target, sym_file);
}

/* Shared by open, the bare command and `sym browse`. */
int cli_tui_opts(cli_symopts *so, const cli_srcopts *src, const char *target,
		 const char *sym_file)
{
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		cli_error("the workstation needs a terminal; for text or JSON output use "
			  "'crashdesk walk' (or 'crashdesk sym lookup')");
		return 1;
	}
	char config[4096];
	cd_err e = { 0 };
	if (cli_symopts_finish(so)) {
		cli_symopts_free(so);
		return 1;
	}
	/* User views and keys are optional: a missing directory is no error. */
	if (cd_xdg_path(CD_XDG_CONFIG, NULL, config, sizeof config, &e) != CD_OK)
		config[0] = 0;
	/* The command line's source options, then the config file's. */
	cli_srcopts all = { .nroots = 0 };
	if (src)
		all = *src;
	for (int i = 0; i < so->config.nsource_roots && all.nroots < CLI_MAX_SOURCES; i++)
		all.roots[all.nroots++] = so->config.source_roots[i];
	for (int i = 0; i < so->config.nsource_maps && all.nmaps < CLI_MAX_SOURCES; i++)
		all.maps[all.nmaps++] = so->config.source_maps[i];
	tui_options o = { .symbol_paths = so->paths, .nsymbol_paths = so->npaths,
			  .cache_dir = so->cache_dir, .target = target, .sym_file = sym_file,
			  .config_dir = config[0] ? config : NULL,
			  .symbol_urls = so->urls, .nsymbol_urls = so->nurls,
			  .offline = so->net.offline, .refresh = so->net.refresh,
			  .jobs = so->net.jobs, .timeout_s = so->net.stall_timeout_s,
			  .source_roots = all.roots, .nsource_roots = all.nroots,
			  .source_maps = all.maps, .nsource_maps = all.nmaps,
			  .config = &so->config };
	int rc = tui_run(&o, &e) != 0;
	if (rc)
		cli_error("%s", e.msg);
	cli_symopts_free(so);
	return rc;
}

int cmd_open(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_SYMOPTS,
		{ "source-root", required_argument, NULL, CLI_OPT_FIRST_FREE },
		{ "source-map", required_argument, NULL, CLI_OPT_FIRST_FREE + 1 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *target = NULL;
	cli_symopts so;
	memset(&so, 0, sizeof so);
	cli_srcopts src = { .nroots = 0 };
	int c;
	cli_getopt_reset();
	while ((c = cli_getopt("open", argc, argv, "h", opts)) != -1) {
		if (c == 'h') {
			fputs(open_help, stdout);
			return 0;
		}
		if (c == CLI_OPT_FIRST_FREE || c == CLI_OPT_FIRST_FREE + 1) {
			int map = c != CLI_OPT_FIRST_FREE;
			const char *eq = strchr(optarg, '=');
			if (map && (!eq || eq == optarg || !eq[1])) {
				cli_error("open: --source-map wants FROM=TO, not '%s'", optarg);
				return 2;
			}
			if ((map ? src.nmaps : src.nroots) == CLI_MAX_SOURCES) {
				cli_error("open: at most %d --source-%s", CLI_MAX_SOURCES,
					  map ? "map" : "root");
				return 2;
			}
			if (map)
				src.maps[src.nmaps++] = optarg;
			else
				src.roots[src.nroots++] = optarg;
			continue;
		}
		if (c == '?' || cli_symopt(&so, "open", c, optarg) < 0) {
			fputs(open_help, stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		cli_error("open: one DUMP or DIR at a time");
		return 2;
	}
	if (optind < argc)
		target = argv[optind];
	if (target && access(target, R_OK) != 0) {
		cli_error("%s: cannot read it", target);
		return 1;
	}
	return cli_tui_opts(&so, &src, target, NULL);
}
