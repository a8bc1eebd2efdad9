/*
 * store.c - local symbol stores: DEBUGFILE/DEBUGID/NAME.sym under each
 * directory or inside each .zip given (an entry is named ZIP!ENTRY and
 * parsed out of the archive), looked up once per module and kept open.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

typedef struct entry {
	char *key;           /* "debug_file/debug_id" */
	char *source;        /* where the symbols came from: a path, or ZIP!ENTRY */
	sym_cache *cache;
	sym_status status;
} entry;

struct sym_store {
	char **paths;
	sym_zip **zips;      /* per path: the archive when it is a .zip */
	int npaths;
	char *cache_dir;
	entry *e;
	size_t n, cap;
};

static int is_file(const char *p);

int sym_store_new(const char *const *paths, int npaths, const char *cache_dir, sym_store **out,
		  cd_err *e)
{
	sym_store *s = calloc(1, sizeof *s);
	if (!s)
		return cd_errf(e, CD_ENOMEM, "out of memory");
	s->paths = calloc((size_t)(npaths ? npaths : 1), sizeof *s->paths);
	s->zips = calloc((size_t)(npaths ? npaths : 1), sizeof *s->zips);
	s->cache_dir = strdup(cache_dir);
	if (!s->paths || !s->zips || !s->cache_dir) {
		sym_store_free(s);
		return cd_errf(e, CD_ENOMEM, "out of memory");
	}
	for (int i = 0; i < npaths; i++) {
		size_t n = strlen(paths[i]);
		if (n > 4 && !strcasecmp(paths[i] + n - 4, ".zip") && is_file(paths[i])) {
			int rc = sym_zip_open(paths[i], &s->zips[s->npaths], e);
			if (rc) {
				s->npaths++;
				sym_store_free(s);
				return rc;
			}
		}
		s->paths[s->npaths++] = strdup(paths[i]);
	}
	*out = s;
	return CD_OK;
}

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

const sym_cache *sym_store_get(sym_store *s, const char *debug_file, const char *debug_id,
			       sym_status *status)
{
	const char *file = cd_basename(debug_file);
	char key[1024];
	snprintf(key, sizeof key, "%s/%s", file, debug_id);
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->e[i].key, key)) {
			*status = s->e[i].status;
			return s->e[i].cache;
		}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		entry *e = realloc(s->e, cap * sizeof *e);
		if (!e) {
			*status = SYM_STATUS_MISSING;
			return NULL;
		}
		s->e = e;
		s->cap = cap;
	}
	entry *en = &s->e[s->n++];
	memset(en, 0, sizeof *en);
	en->key = strdup(key);
	en->status = SYM_STATUS_MISSING;
	/* NAME drops a .pdb suffix; the id is tried as recorded and in upper
	 * case (minidumps print the PDB age in lower case, stores in upper). */
	char name[512], upper_id[128];
	snprintf(name, sizeof name, "%s", file);
	size_t nl = strlen(name);
	if (nl > 4 && !strcasecmp(name + nl - 4, ".pdb"))
		name[nl - 4] = 0;
	snprintf(upper_id, sizeof upper_id, "%s", debug_id);
	for (char *p = upper_id; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	const char *ids[2] = { debug_id, upper_id };
	for (int i = 0; i < s->npaths && !en->cache; i++) {
		for (int k = 0; k < 2 && !en->cache; k++) {
			char path[4096];
			if (s->zips[i]) {
				/* Parsed straight out of the archive ("ZIP!ENTRY"):
				 * only the symbol cache lands on disk. */
				char entry[1024];
				snprintf(entry, sizeof entry, "%s/%s/%s.sym", file, ids[k], name);
				if (!sym_zip_has(s->zips[i], entry))
					continue;
				snprintf(path, sizeof path, "%s!%s", s->paths[i], entry);
			} else {
				snprintf(path, sizeof path, "%s/%s/%s/%s.sym", s->paths[i], file, ids[k], name);
				if (!is_file(path))
					continue;
			}
			int built;
			sym_report r;
			memset(&r, 0, sizeof r);
			cd_err e;
			sym_cache *c;
			free(en->source);
			en->source = strdup(path);
			if (sym_open(path, s->cache_dir, &c, &built, &r, &e) == CD_OK) {
				en->cache = c;
				en->status = r.damaged ? SYM_STATUS_CORRUPT : SYM_STATUS_LOADED;
			} else {
				en->status = SYM_STATUS_CORRUPT;
			}
			sym_report_free(&r);
		}
	}
	*status = en->status;
	return en->cache;
}

const char *sym_store_source(const sym_store *s, const char *debug_file, const char *debug_id)
{
	char key[1024];
	snprintf(key, sizeof key, "%s/%s", cd_basename(debug_file), debug_id);
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->e[i].key, key))
			return s->e[i].source;
	return NULL;
}

void sym_store_free(sym_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].key);
		free(s->e[i].source);
		sym_cache_close(s->e[i].cache);
	}
	for (int i = 0; i < s->npaths; i++) {
		free(s->paths[i]);
		if (s->zips)
			sym_zip_close(s->zips[i]);
	}
	free(s->zips);
	free(s->e);
	free(s->paths);
	free(s->cache_dir);
	free(s);
}
