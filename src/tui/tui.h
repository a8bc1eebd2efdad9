/*
 * tui.h - crashdesk's terminal workstation: panes over crashes (report
 * summary, threads, frames with inline functions, modules, unloaded
 * modules, annotations, frame details) and over symbol files.
 *
 * The UI thread only draws and reads keys; walking dumps and building
 * symbol caches happen on one worker thread (worker.h), so input never
 * freezes. All state lives in one struct of app.c's loop.
 */
#ifndef CD_TUI_H
#define CD_TUI_H

#include "../util/util.h"

typedef struct tui_options {
	const char *const *symbol_paths; /* symbol stores: directories or .zip */
	int nsymbol_paths;
	const char *cache_dir;           /* crashdesk's cache (symcache/ under it) */
	const char *target;              /* a dump or a directory of dumps; NULL: home */
	const char *sym_file;            /* instead: browse this .sym file */
	const char *config_dir;          /* user views and keys; NULL: XDG default */
	/* Symbol servers (issue 6), for sym_store_open(): tried after
	 * symbol_paths and the download cache under cache_dir/symbols. */
	const char *const *symbol_urls;
	int nsymbol_urls;
	int offline;                     /* no network request at all */
	int refresh;                     /* ignore remembered 404s */
	int jobs;                        /* parallel downloads; 0: 8 */
	long timeout_s;                  /* stall timeout; 0: 30 */
	/* The source pane: directories a frame's file is looked for under
	 * (by its path's longest suffix that exists there), and build paths
	 * mapped to local ones ("FROM=TO", tried first). */
	const char *const *source_roots;
	int nsource_roots;
	const char *const *source_maps;
	int nsource_maps;
	/* The config file as read for the options above (borrowed): Crash
	 * Stats takes its keys from it. NULL: no file. */
	const cd_config *config;
} tui_options;

/* Runs until the user quits. Returns 0, or 1 with e filled when the
 * terminal could not be set up or the target could not be read. */
int tui_run(const tui_options *o, cd_err *e);

#endif
