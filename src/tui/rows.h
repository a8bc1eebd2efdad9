/*
 * rows.h - the rows of the crash panes, built from a processed crash
 * document (rust-minidump's JSON schema). Each function returns a new JSON
 * array of row objects that the caller owns; the field names are those the
 * views (the views/ YAML files) refer to, plus "_style" and "_"-prefixed fields the
 * panes use to find what a row stands for.
 */
#ifndef CD_TUI_ROWS_H
#define CD_TUI_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The crashing thread's object in doc, or NULL (borrowed). */
json_t *rows_crashing_thread(json_t *doc);

/* Key/value rows ("key", "value") of the report summary. */
json_t *rows_summary(json_t *doc, const char *path);
/* index, id, name, frames, function, crashed; the crashing thread first. */
json_t *rows_threads(json_t *doc);
/* frame, module, function, source, trust. Rows for both views: those with
 * "_unfolded" set belong to the unfolded view (each frame's inline
 * functions before it, innermost first, styled "inline", every row
 * numbered as Breakpad numbers them), those with "_folded" set to the
 * folded one (the frame with a count of its inline functions before its
 * name, numbered with the first number it stands for); a pane hides one set with
 * tui_list's hide. */
json_t *rows_frames(json_t *doc, int thread);
/* The function a frame was running and its source ("file:line"): its
 * innermost inline function's when it has inlines, else its own. */
void rows_top_function(json_t *frame, char *fn, size_t fn_size, char *src, size_t src_size);
/* name, version, base, size, debug_file, debug_id, code_id, status, source. */
json_t *rows_modules(json_t *doc);
/* name, base, size, frames (how many frames point into it). */
json_t *rows_unloaded(json_t *doc);
/* "text", "offset": the frames that point into the unloaded module name. */
json_t *rows_unloaded_frames(json_t *doc, const char *name);

/* A description of an annotation key, or NULL. */
typedef const char *(*rows_describe_fn)(void *ctx, const char *key);
/* key, value, description. */
json_t *rows_annotations(json_t *doc, rows_describe_fn describe, void *ctx);

/* Copies n bytes of the crashed process's memory at addr; 0 on success. */
typedef int (*rows_memory_fn)(void *ctx, uint64_t addr, void *dst, size_t n);
/* The web address of a frame's source when its FILE record names a
 * repository ("hg:hg.mozilla.org/mozilla-central:dom/base/X.cpp:REV" ->
 * https://hg.mozilla.org/mozilla-central/file/REV/dom/base/X.cpp#l42;
 * "git:github.com/OWNER/REPO:PATH:REV" -> its blob); 0 for a plain path. */
int rows_source_url(const char *file, long long line, char *buf, size_t n);
/* Key/value rows: a frame's function, source, module, trust, inline chain
 * with call sites, registers and the stack bytes around its stack pointer
 * (memory may be NULL when the dump is not at hand). */
json_t *rows_frame_details(json_t *doc, int thread, int frame, rows_memory_fn memory, void *ctx);

#endif
