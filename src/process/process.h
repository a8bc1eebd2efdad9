/*
 * process.h - turning a read minidump into a processed crash. For now: the
 * crash reason, decoded by OS as rust-minidump names it (what Socorro
 * shows), with the crash address. The processed crash itself arrives with
 * the stackwalker (issue 4).
 */
#ifndef CD_PROCESS_H
#define CD_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "../minidump/minidump.h"

typedef struct proc_reason {
	char text[96];     /* "SIGSEGV / SEGV_MAPERR", "EXCEPTION_ACCESS_VIOLATION_READ" */
	uint64_t address;  /* the crash address (for access violations: the data address) */
	int has_exception; /* 0: no exception stream ("No crash") */
} proc_reason;

/* Decodes d's exception stream. Always succeeds; unknown codes are shown
 * numerically ("0xe06d7363 / 0x00000001"). */
void proc_crash_reason(const md_dump *d, proc_reason *out);

/* The assertion stream as Breakpad words it ("Invalid parameter passed to
 * library function X in function F, in file P at line N"); returns 0 and
 * leaves buf empty when the dump has none. */
int proc_assertion(const md_dump *d, char *buf, size_t size);

/* ---- the processed crash as JSON --------------------------------------- */

struct walk_stack;
struct proc_annotations;
/* Symbol status of a module: what the supplier found (symbols.h's
 * sym_status values). */
typedef int (*proc_module_status_fn)(void *ctx, const md_module *m);

/* rust-minidump's JSON schema (minidump-processor/json-schema.md), with
 * crash_info.crashing_thread an index into threads as Socorro reads it.
 * stacks[i] is the walk of d->threads[i] (nframes 0 when not walked).
 * annotations may be NULL. Returns a new reference (jansson json_t *). */
void *proc_json(const md_dump *d, const struct walk_stack *stacks,
		proc_module_status_fn status, void *status_ctx,
		const struct proc_annotations *annotations);

/* ---- annotations (.extra) ------------------------------------------- */

/* Firefox's crash annotations: a JSON object, almost always of strings.
 * Non-string values are kept as their JSON text. */
typedef struct proc_annotations {
	md_kv *kv;       /* sorted by key */
	uint32_t n;
	cd_arena arena;  /* owns kv and the strings */
} proc_annotations;

#define PROC_ANNOTATIONS_MAX (64u << 20) /* larger .extra files are refused */

/* The .extra path beside a dump: DUMP with ".dmp" replaced (or appended). */
int proc_extra_path(const char *dump_path, char *buf, size_t size);
/* Loads path; on error e names the file, line and column. The caller frees
 * out with proc_annotations_free() (also after an error). */
int proc_annotations_load(const char *path, proc_annotations *out, cd_err *e);
const char *proc_annotation(const proc_annotations *a, const char *key);
void proc_annotations_free(proc_annotations *a);

#endif
