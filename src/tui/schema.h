/*
 * schema.h - crashdesk's own descriptions of crash annotations (the keys of
 * a Firefox .extra file), read from YAML, for the TUI's annotations pane
 * (internal to src/tui).
 *
 * The shipped schemas/annotations.yaml is compiled in
 * (build/gen/schemas_builtin.c, made by src/util/embed.sh), so the file
 * and the built-in cannot disagree. Format: schemas/README.md.
 *
 * Nothing here is fatal: a problem becomes one warning "file:line: message"
 * and the schema keeps what could be read. An entry with a problem is left
 * out whole; a YAML syntax error ends the reading there, keeping the entries
 * before it; a key described twice keeps its first description.
 *
 * Lookups are a binary search over the keys, sorted once at load; keys are
 * compared exactly (annotation names are case-sensitive).
 */
#ifndef TUI_SCHEMA_H
#define TUI_SCHEMA_H

#include <stddef.h>

#include "../util/util.h"

#define TUI_SCHEMA_FILE_MAX (1 << 20)  /* bigger schema files are refused */
#define TUI_SCHEMA_ENTRIES_MAX 8192    /* entries read from one file */
#define TUI_SCHEMA_KEY_MAX 64          /* bytes of an annotation name */
#define TUI_SCHEMA_DESC_MAX 1024       /* bytes of a description */

typedef struct tui_schema tui_schema; /* opaque */

/* The built-in schema (schemas/annotations.yaml). Each problem is appended
 * to warnings as "file:line: message\n" (truncated to n bytes; warnings may
 * be NULL when n is 0). *out is always set on CD_OK and is the caller's to
 * free with tui_schema_free(). Returns CD_OK, CD_ENOMEM or CD_EUSAGE (out
 * NULL). */
int tui_schema_load(tui_schema **out, char *warnings, size_t n);

/* As tui_schema_load(), from text (len bytes, need not be NUL-terminated);
 * file names it in warnings. */
int tui_schema_parse(const char *file, const char *text, size_t len, tui_schema **out,
		     char *warnings, size_t n);

/* The description of key; NULL when key is not described (or s or key is
 * NULL). Borrowed from s. */
const char *tui_schema_describe(const tui_schema *s, const char *key);
/* The same as a rows_describe_fn (src/tui/rows.h): ctx is the tui_schema. */
const char *tui_schema_describe_cb(void *ctx, const char *key);
/* What the value means: "string", "integer", "number", "boolean" or
 * "object" (the value holds JSON); NULL when unknown. Static string. */
const char *tui_schema_type(const tui_schema *s, const char *key);
/* 1 when Crash Stats shows key only to users with access to protected
 * (personal) data, 0 when it is public, -1 when key is not described. */
int tui_schema_is_protected(const tui_schema *s, const char *key);

/* Entries kept, and problems found while reading (each one warning). */
size_t tui_schema_count(const tui_schema *s);
int tui_schema_nwarnings(const tui_schema *s);
/* The i-th key in sorted (strcmp) order, i < tui_schema_count(); NULL
 * beyond. Borrowed from s. */
const char *tui_schema_key(const tui_schema *s, size_t i);

/* s may be NULL. */
void tui_schema_free(tui_schema *s);

#endif
