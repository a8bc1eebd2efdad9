/* internal.h - what the files of src/store/ share. */
#ifndef CD_STORE_INTERNAL_H
#define CD_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

sqlite3 *store__db(store *st);
/* The error of the last SQLite call (rc) while doing what. */
int store__err(store *st, int rc, const char *what, cd_err *e);
/* BEGIN IMMEDIATE; and COMMIT when rc is CD_OK, else ROLLBACK (returns rc). */
int store__begin(store *st, cd_err *e);
int store__end(store *st, int rc, cd_err *e);
/* Prepares sql on the store's connection; what names it in errors. */
int store__prepare(store *st, const char *sql, sqlite3_stmt **s, const char *what, cd_err *e);
/* Binds text, or NULL as SQL NULL. */
int store__bind_text(sqlite3_stmt *s, int i, const char *t);
/* Runs a prepared write statement to completion and finalizes it. */
int store__step_done(store *st, sqlite3_stmt *s, const char *what, cd_err *e);
/* A copy of column i's text (caller frees), NULL for SQL NULL; *oom set
 * when the copy failed. */
char *store__col_dup(sqlite3_stmt *s, int i, int *oom);
/* A stored JSON body (processed results, crash documents) from the row s
 * points at: columns col (encoding: 0 plain, 1 zlib), col+1 (size) and
 * col+2 (bytes), checked before they are trusted. *text is NUL-terminated
 * and the caller's; CD_EFORMAT when damaged. */
int store__decode_body(sqlite3_stmt *s, int col, char **text);

/* A JSON body as it is stored: zlib when that is smaller (processed JSON
 * shrinks 5-10x), else the text itself. body points into z or the text;
 * release z with store__body_free(). */
typedef struct store_body {
	int enc;                /* 0 plain, 1 zlib */
	const void *body;
	size_t blen, len;       /* stored bytes; the text's length */
	unsigned char *z;
} store_body;
/* CD_ENOMEM when the buffer cannot be had. */
int store__encode_body(const char *json, size_t len, store_body *out);
void store__body_free(store_body *b);
/* Binds a body's encoding, size and bytes at parameters i, i+1, i+2. */
void store__bind_body(sqlite3_stmt *s, int i, const store_body *b);

/* One write statement in its own transaction; bind fills the parameters. */
typedef void (*store__binder)(sqlite3_stmt *s, const void *ctx);
int store__write1(store *st, const char *sql, store__binder bind, const void *ctx,
		  const char *what, cd_err *e);

#endif
