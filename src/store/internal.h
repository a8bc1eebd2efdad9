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

#endif
