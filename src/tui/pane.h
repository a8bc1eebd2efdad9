/*
 * pane.h - the pane engine (app.c) and the panes it drives.
 *
 * A pane is a list (list.c) on the stack of panes; what kind of pane it is
 * lies wholly in its pane_ops table, as tig's views: how its rows are
 * built, what Enter and the pane's own keys do, what its title says and
 * which keys its help lists. The engine calls a pane only through that
 * table. The panes come in families, a file each:
 *
 *   pane_home.c    the home pane, a directory's crashes, opening targets
 *   pane_report.c  a crash's summary, signature and annotations, a row whole
 *   pane_stack.c   threads, frames, frame details, modules, unloaded modules
 *   pane_sym.c     the sym-file browser: functions, check, lookup
 *   pane_tuning.c  signature tuning: the lists, re-signs, a change's crashes
 *   pane_cs.c      Crash Stats: a search's hits and facets, compare
 *   pane_code.c    disassembly, memory, PHC stacks
 *   pane_source.c  a frame's source file, $EDITOR on it
 *
 * Ownership: the app owns its panes, their lists and rows; rows handed to
 * pane_set_rows() are taken over. Everything here runs on the UI thread;
 * functions that say "under the worker's lock" expect it held.
 */
#ifndef CD_TUI_PANE_H
#define CD_TUI_PANE_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "../crashstats/crashstats.h"
#include "../signature/signature.h"
#include "../store/store.h"
#include "internal.h"
#include "schema.h"
#include "symbrowse.h"
#include "tui.h"
#include "worker.h"

typedef struct app app;
typedef struct pane pane;
typedef struct pane_ops pane_ops;

/* What a handler did with a key: the engine tries its own meaning of an
 * ignored one (as htop's HandlerResult). */
typedef enum pane_result { PANE_IGNORED, PANE_HANDLED } pane_result;

enum pane_flags {
	PANE_F_CRASH = 1 << 0,   /* of one crash: the keys of its tabs apply */
	PANE_F_TAB = 1 << 1,     /* one of a crash's tabs (Tab cycles them) */
	PANE_F_SIGNED = 1 << 2,  /* its rows come from the signature lists */
	PANE_F_WRAPPED = 1 << 3, /* its rows are wrapped to the screen's width */
	PANE_F_SYM = 1 << 4,     /* of the sym-file browser */
};

struct pane_ops {
	const char *name;        /* the tab's and the help's name */
	const char *view;        /* the view of its columns: views/ YAML, else built-in */
	unsigned flags;          /* pane_flags */
	/* Under the worker's lock: builds the rows, or rebuilds them when
	 * what they show changed. NULL: they were set when the pane was
	 * opened and never change. */
	void (*build)(app *a, pane *p);
	/* Enter on the selected row (there is one). NULL: Enter does nothing. */
	pane_result (*enter)(app *a, pane *p, json_t *row);
	/* A key's action that the pane gives its own meaning to; acts lists
	 * them (ending with TUI_ACT_NONE) for the help. */
	pane_result (*action)(app *a, pane *p, tui_action act);
	const tui_action *acts;
	/* What the title bar says of the pane; NULL: its crash's dump name. */
	void (*title)(app *a, const pane *p, char *buf, size_t n);
	/* Before the pane leaves the stack. */
	void (*close)(app *a, pane *p);
	/* The panes its title bar shows as tabs beside it, NULL-terminated
	 * (a crash's tabs are pane_tabs[]); NULL: none. */
	const pane_ops *const *tabs;
};

struct pane {
	const pane_ops *ops;
	tui_list list;
	int crash;            /* index into the worker's crashes, -1: none */
	int thread, frame;    /* frames, details */
	int unfold;           /* frames: inline frames shown; crashes: grouped by signature */
	uint32_t built_seq;   /* the state the rows came from */
	int built;
	char arg[256];        /* frames into a module: its name; lookup: the address */
};

/* A line the user types on the status line; done gets what was typed. */
typedef struct tui_prompt {
	const char *label;
	void (*done)(app *a, const char *input);
} tui_prompt;

#define MAX_DEPTH 16

struct app {
	const tui_options *o;
	tui_views views;
	/* the built-in views of panes that have no views/ file */
	tui_view v_kv, v_text, v_home, v_check, v_line, v_disasm, v_memory, v_phc, v_source;
	sym_store *store;     /* local stores and the download cache */
	sym_store *net;       /* the same and symbol servers; NULL without URLs */
	store *db;            /* recently opened crashes; NULL when it cannot be opened */
	tui_schema *schema;   /* what each annotation means (schemas/annotations.yaml) */
	/* signatures: the lists in use (a user's working copy when there is
	 * one), the built-in ones as the baseline of a re-sign */
	sig_lists *lists, *baseline;
	sig_signer *signer;
	char lists_dir[4096]; /* "" while the built-in lists are in use */
	sig_resig *resig;     /* the last re-sign, for the tuning pane */
	char (*resig_ids)[CS_ID_LEN + 1]; /* a re-sign of a search: its inputs */
	size_t nresig_ids;
	json_t *resig_rows;   /* a re-sign of the cache: the row showing input k */
	/* [crash]: its signature with the session's lists, and the crash's
	 * seq and the lists' generation it was made for (the crash list) */
	struct app_sig { char *sig; uint32_t seq, gen; } *sigs;
	uint32_t nsigs;
	uint32_t lists_gen;   /* bumped whenever other lists are loaded */
	/* Crash Stats: the configuration (its token is only ever handed to
	 * the worker's client), the last query as typed */
	cs_config cs;
	int cs_ok;
	char cs_err[512];
	char cs_query[1024];
	uint32_t cs_seen;     /* the search state last told on the status line */
	tui_worker *w;          /* NULL before the first session starts */
	pane stack[MAX_DEPTH];
	int depth;
	int quit, dirty;
	char status[512];
	int status_style;
	time_t status_at;
	char search[128];
	const tui_prompt *prompt; /* being typed, or NULL */
	char input[512];
	int help;             /* the help overlay is up */
	tui_list help_list;
	uint32_t seen_seq;
	/* the sym-file browser */
	const sym_cache *sym;
	char sym_title[512];
	int sym_wait;         /* waiting for the worker's answer */
	symbrowse sb;
	char symcache_dir[4096];
	char config_dir[4096];
	char target[4096];    /* the dump or directory of the session */
	/* CRASHDESK_TIMING=FILE: when the first full screen of a crash was
	 * drawn and how long each keypress took to redraw (make bench) */
	FILE *timing;
	int wake[2];          /* the worker's wake-up pipe */
	double t0, key_at;
	int first_logged;
	char warnings[2048];  /* what start-up could not read, for the status line */
};

/* ---- the engine (app.c) ------------------------------------------------- */

/* The app without a terminal (stores, views, lists, cache opened; what
 * could not be read is in a->warnings); NULL with e filled when the
 * symbol stores cannot be opened. tui_run() is app_new(), a screen,
 * app_start() and a loop of app_poll() and app_key(); tests drive the
 * same calls without the screen. */
int app_new(const tui_options *o, app **out, cd_err *e);
/* The first pane: o->sym_file's browser, o->target's crashes, or home. */
void app_start(app *a);
/* The worker's news: every pane of the stack brought up to date. */
void app_poll(app *a);
/* One key as get_wch() returns it (is_keycode: a KEY_ code). */
void app_key(app *a, int key, int is_keycode);
void app_free(app *a);

void app_status(app *a, tui_style style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
pane *pane_top(app *a);
/* A new pane on the stack (NULL, said on the status line, when full). */
pane *pane_push(app *a, const pane_ops *ops, int crash);
void pane_pop(app *a);
/* pane_push() and its rows built at once, under the worker's lock. */
pane *pane_open(app *a, const pane_ops *ops, int crash, int thread);
/* Rows of the pane's list shown (a page: the list's height). */
int pane_page(void);
const tui_view *pane_view(app *a, const pane_ops *ops);
/* Under the worker's lock: the pane's crash when its rows must be built
 * from it; NULL when they are up to date, or when the crash is not walked
 * yet or failed (the pane then says so). */
const tui_crash *pane_crash_fresh(app *a, pane *p);
/* Under the worker's lock: the rows (taken over) as the pane's, keeping
 * the selection, filter and sort of earlier rows; seq: what they show. */
void pane_set_rows(app *a, pane *p, json_t *rows, uint32_t seq);
/* The dump's name of a pane's crash ("" without one). */
const char *pane_crash_name(app *a, const pane *p);
void app_prompt(app *a, const tui_prompt *pr, const char *prefill);
/* Opens crash i of the session on its summary. */
void app_open_crash(app *a, int crash);
/* The crash's thread to show first: the crashing one, or the first. */
int app_default_thread(app *a, int crash);
/* Starts the worker over paths, its Crash Stats side set up. */
int app_start_worker(app *a, char *const *paths, uint32_t n);

/* A crash's tabs in Tab order, with the action that shows each. */
typedef struct pane_tab {
	tui_action act;
	const pane_ops *ops;
} pane_tab;
extern const pane_tab pane_tabs[];
extern const int pane_ntabs;
int pane_is_tab(const pane *p);
/* Under the worker's lock: the pane's crash, or NULL. */
const tui_crash *pane_crash(app *a, const pane *p);

/* ---- what surrounds the top pane (frame.c) -------------------------------- */

void frame_draw_title(app *a);
void frame_draw_status(app *a);
void frame_draw_help(app *a);
/* The help overlay up, listing the keys that do something in the top pane. */
void frame_show_help(app *a);
/* The selected row, or every row shown, to the clipboard (OSC 52). */
void frame_copy_line(app *a);
void frame_copy_all(app *a);

/* ---- the panes ------------------------------------------------------------ */

extern const pane_ops pane_home, pane_crashes;
extern const pane_ops pane_summary, pane_signature, pane_annotations, pane_row, pane_json;
extern const pane_ops pane_threads, pane_frames, pane_details, pane_modules, pane_module_why,
	pane_unloaded, pane_unloaded_frames;
extern const pane_ops pane_symfuncs, pane_symcheck, pane_symlookup, pane_symlines;
extern const pane_ops pane_tuning, pane_tuning_crashes;
extern const pane_ops pane_cs_results, pane_cs_facets, pane_compare;
extern const pane_ops pane_disasm, pane_memory, pane_phc, pane_source;

/* pane_code.c: the disassembly or memory pane of the top pane's crash
 * (its selected frame, or the crash); a PHC annotation's stack. */
void code_open(app *a, const pane_ops *ops);
void code_open_phc(app *a, pane *p, const char *key);
/* Under the lock: the thread and frame a key was pressed on (the selected
 * frame of a frames or details pane, else the crashing thread's first). */
void code_focus_frame(app *a, pane *p, const tui_crash *c, int *thread, int *frame);

/* pane_source.c: the selected frame's source file in a pane; $EDITOR on
 * it (at the source pane's selected line). source_find() writes where
 * file is on this machine into out and how it was found into how: 1, or
 * 0 when it is not found. */
void source_open(app *a);
void source_edit(app *a);
int source_find(const tui_options *o, const char *file, char *out, size_t n, char *how,
		size_t hn);

/* pane_home.c */
void home_show(app *a);
void home_open_target(app *a, const char *path);
void home_forget_signatures(app *a);
extern const tui_prompt home_prompt_open;

/* pane_report.c */
/* The crash signed with the session's lists: valid until the next
 * signing; NULL with e filled. */
const sig_result *report_sign(app *a, json_t *doc, cd_err *e);
/* Key/value rows wider than width become continuation rows (no key). */
void report_wrap_kv_rows(json_t *rows, int width);
/* Enter where a row opens nothing else: the row whole, a field a row. */
pane_result pane_show_row(app *a, pane *p, json_t *row);

/* pane_sym.c */
void sym_open_file(app *a, const char *path);
void sym_want_module(app *a, const char *debug_file, const char *debug_id);
void sym_note_change(app *a);     /* the worker's answer to a request */

/* pane_tuning.c */
void tuning_show(app *a);
/* $EDITOR on one of the lists at line (a working copy made first); the
 * lists are read again when it returns. */
void tuning_edit_list(app *a, int list, int line);

/* pane_cs.c */
void cs_open_crash(app *a, const char *id);
void cs_show_compare(app *a);
void cs_note_change(app *a);      /* under the lock: a search that ended */
char *cs_stored_doc_text(app *a, const char *id);
extern const tui_prompt cs_prompt_search;

#endif
