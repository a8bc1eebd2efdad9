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
/* A stored JSON body (processed results, crash documents) from the row s
 * points at: columns col (encoding: 0 plain, 1 zlib), col+1 (size) and
 * col+2 (bytes), checked before they are trusted. *text is NUL-terminated
 * and the caller's; CD_EFORMAT when damaged. */
int store__decode_body(sqlite3_stmt *s, int col, char **text);

#endif
