/*
 * store.c - symbol stores: DEBUGFILE/DEBUGID/NAME.sym under each
 * directory or inside each .zip given (an entry is named ZIP!ENTRY and
 * parsed out of the archive), then the download cache, then
 * symbol servers; looked up once per module and kept open. Every location
 * tried is remembered with its answer, so a module without symbols can
 * say why.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

typedef struct entry {
	char *key;           /* "debug_file/debug_id" */
	char *file, *id, *code_file, *code_id, *name; /* name: NAME.sym */
	char *path;          /* the .sym read (NULL: none) */
	char *source;        /* where it came from: a path, ZIP!ENTRY or URL */
	int remote;          /* from a server or the download cache */
	int located, opened, valid;
	int queued;          /* waits in the store's queue for the network */
	int asked;           /* sym_store_find() was called for it (not only a status) */
	sym_cache *cache;
	sym_status status;
	sym_attempt *att;    /* where and detail are owned (cast away const) */
	size_t natt, catt;
	char **urls;         /* download candidates while fetching */
	int nurls;
} entry;

struct sym_store {
	size_t *slots;       /* the entries' index (find_entry) */
	size_t nslots;
	char **paths;
	sym_zip **zips;      /* per path: the archive when it is a .zip */
	int npaths;
	char **urls;
	int nurls;
	char *cache_dir;     /* symbol caches */
	char *dl_dir;        /* downloads (NULL: no download cache) */
	char *tmp_dir;
	sym_net_opts net;
	entry **e;
	size_t n, cap;
	sym_cache **retired; /* caches of modules retried: callers may still hold them */
	size_t nretired;
	sym_store_counts counts;
	int lazy;            /* sym_store_lazy() */
	entry **queue;       /* modules only a server could have, asked for lazily */
	size_t nqueue, cqueue;
	sym_progress_fn progress; /* sym_store_on_progress() */
	void *progress_ctx;
};

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

static void net_defaults(sym_net_opts *n)
{
	if (n->jobs <= 0)
		n->jobs = 8;
	if (n->jobs > 64)
		n->jobs = 64;
	if (n->connect_timeout_ms <= 0)
		n->connect_timeout_ms = 10000;
	if (n->stall_timeout_s <= 0)
		n->stall_timeout_s = 30;
	if (n->total_timeout_s <= 0)
		n->total_timeout_s = 600;
	if (!n->max_bytes)
		n->max_bytes = 4ull << 30;
	if (n->retries == 0)
		n->retries = 3;
	else if (n->retries < 0)
		n->retries = 0;
	if (n->backoff_ms <= 0)
		n->backoff_ms = 250;
	if (n->max_retry_after_s <= 0)
		n->max_retry_after_s = 60;
	if (n->negative_ttl_s == 0)
		n->negative_ttl_s = 86400;
}

int sym_store_open(const sym_store_opts *o, sym_store **out, cd_err *e)
{
	*out = NULL;
	sym_store *s = calloc(1, sizeof *s);
	if (!s)
		return cd_errf(e, CD_ENOMEM, "out of memory");
	s->net = o->net;
	net_defaults(&s->net);
	s->paths = calloc((size_t)(o->npaths > 0 ? o->npaths : 1), sizeof *s->paths);
	s->zips = calloc((size_t)(o->npaths > 0 ? o->npaths : 1), sizeof *s->zips);
	s->urls = calloc((size_t)(o->nurls > 0 ? o->nurls : 1), sizeof *s->urls);
	if (!s->paths || !s->zips || !s->urls)
		goto oom;
	for (int i = 0; i < o->nurls; i++) {
		/* The layout is appended to the URL: one slash between. */
		size_t n = strlen(o->urls[i]);
		while (n && o->urls[i][n - 1] == '/')
			n--;
		if (!(s->urls[s->nurls++] = strndup(o->urls[i], n)))
			goto oom;
		if (strncmp(o->urls[i], "http://", 7) && strncmp(o->urls[i], "https://", 8)) {
			sym_store_free(s);
			return cd_errf(e, CD_EUSAGE, "%s: a symbol server URL starts with http:// or "
				       "https://", o->urls[i]);
		}
	}
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/symcache", o->cache_dir);
	if (!(s->cache_dir = strdup(dir)))
		goto oom;
	snprintf(dir, sizeof dir, "%s/symbols", o->cache_dir);
	if (!(s->dl_dir = strdup(dir)))
		goto oom;
	snprintf(dir, sizeof dir, "%s/tmp", o->cache_dir);
	if (!(s->tmp_dir = strdup(o->tmp_dir ? o->tmp_dir : dir)))
		goto oom;
	int rc;
	if ((rc = cd_mkdir_p(s->cache_dir, 0700, e)) || (rc = cd_mkdir_p(s->dl_dir, 0700, e)) ||
	    (rc = cd_mkdir_p(s->tmp_dir, 0700, e))) {
		sym_store_free(s);
		return rc;
	}
	/* Downloads and caches of processes that no longer run. */
	cd_tmp_sweep(s->tmp_dir, 1, NULL);
	cd_tmp_sweep(s->cache_dir, 1, NULL);
	for (int i = 0; i < o->npaths; i++) {
		size_t n = strlen(o->paths[i]);
		if (n > 4 && !strcasecmp(o->paths[i] + n - 4, ".zip") && is_file(o->paths[i])) {
			rc = sym_zip_open(o->paths[i], &s->zips[s->npaths], e);
			if (rc) {
				sym_store_free(s);
				return rc;
			}
		}
		if (!(s->paths[s->npaths++] = strdup(o->paths[i])))
			goto oom;
	}
	*out = s;
	return CD_OK;
oom:
	sym_store_free(s);
	return cd_errf(e, CD_ENOMEM, "out of memory");
}

int sym_store_new(const char *const *paths, int npaths, const char *cache_dir, sym_store **out,
		  cd_err *e)
{
	*out = NULL;
	sym_store *s = calloc(1, sizeof *s);
	if (!s)
		return cd_errf(e, CD_ENOMEM, "out of memory");
	net_defaults(&s->net);
	s->net.offline = 1;
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
				sym_store_free(s);
				return rc;
			}
		}
		s->paths[s->npaths++] = strdup(paths[i]);
	}
	*out = s;
	return CD_OK;
}

/* ---- entries ---------------------------------------------------------------- */

static void clear_attempts(entry *en)
{
	for (size_t i = 0; i < en->natt; i++) {
		free((char *)en->att[i].where);
		free((char *)en->att[i].detail);
	}
	en->natt = 0;
}

static void note(void *ctx, const char *where, sym_answer a, const char *detail)
{
	entry *en = ctx;
	if (en->natt == en->catt) {
		size_t c = en->catt ? 2 * en->catt : 8;
		sym_attempt *p = realloc(en->att, c * sizeof *p);
		if (!p)
			return;
		en->att = p;
		en->catt = c;
	}
	char *w = strdup(where), *d = strdup(detail ? detail : "");
	if (!w || !d) {
		free(w);
		free(d);
		return;
	}
	en->att[en->natt++] = (sym_attempt){ w, a, d };
}

static void entry_free(entry *en)
{
	if (!en)
		return;
	clear_attempts(en);
	free(en->att);
	free(en->key);
	free(en->file);
	free(en->id);
	free(en->code_file);
	free(en->code_id);
	free(en->name);
	free(en->path);
	free(en->source);
	sym_cache_close(en->cache);
	free(en);
}

/* A path component from a dump: it must not climb out of a directory. */
static int safe_component(const char *s)
{
	return *s && strcmp(s, ".") && strcmp(s, "..") && !strpbrk(s, "/\\") && strlen(s) < 256;
}

/* Entries by key ("FILE/ID") in an open-addressing table of indexes + 1,
 * at most half full: a walk looks modules up once per frame. */
static size_t key_hash(const char *k)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	while (*k)
		h = (h ^ (uint8_t)*k++) * 1099511628211ull;
	return (size_t)h;
}

static int index_entry(sym_store *s, size_t i)
{
	if (2 * (s->n + 1) > s->nslots) {
		size_t n = s->nslots ? 2 * s->nslots : 64;
		size_t *t = calloc(n, sizeof *t);
		if (!t)
			return CD_ENOMEM;
		for (size_t k = 0; k < s->n; k++) {
			size_t at = key_hash(s->e[k]->key) & (n - 1);
			while (t[at])
				at = (at + 1) & (n - 1);
			t[at] = k + 1;
		}
		free(s->slots);
		s->slots = t;
		s->nslots = n;
	}
	size_t at = key_hash(s->e[i]->key) & (s->nslots - 1);
	while (s->slots[at])
		at = (at + 1) & (s->nslots - 1);
	s->slots[at] = i + 1;
	return CD_OK;
}

static entry *find_entry(const sym_store *s, const char *debug_file, const char *debug_id)
{
	if (!s->nslots)
		return NULL;
	char key[1024];
	snprintf(key, sizeof key, "%s/%s", cd_basename(debug_file), debug_id);
	for (size_t at = key_hash(key) & (s->nslots - 1); s->slots[at];
	     at = (at + 1) & (s->nslots - 1))
		if (!strcmp(s->e[s->slots[at] - 1]->key, key))
			return s->e[s->slots[at] - 1];
	return NULL;
}

static entry *get_entry(sym_store *s, const sym_module_ref *m)
{
	entry *en = find_entry(s, m->debug_file, m->debug_id);
	if (en) {
		/* A later caller may know the code file the first did not. */
		if (!en->code_file[0] && m->code_file && m->code_id && *m->code_id) {
			char *cf = strdup(cd_basename(m->code_file)), *ci = strdup(m->code_id);
			if (cf && ci) {
				free(en->code_file);
				free(en->code_id);
				en->code_file = cf;
				en->code_id = ci;
			} else {
				free(cf);
				free(ci);
			}
		}
		return en;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		entry **p = realloc(s->e, cap * sizeof *p);
		if (!p)
			return NULL;
		s->e = p;
		s->cap = cap;
	}
	en = calloc(1, sizeof *en);
	if (!en)
		return NULL;
	const char *file = cd_basename(m->debug_file);
	char key[1024], name[512];
	snprintf(key, sizeof key, "%s/%s", file, m->debug_id);
	/* NAME drops a .pdb suffix. */
	snprintf(name, sizeof name, "%s", file);
	size_t nl = strlen(name);
	if (nl > 4 && !strcasecmp(name + nl - 4, ".pdb"))
		name[nl - 4] = 0;
	strncat(name, ".sym", sizeof name - strlen(name) - 1);
	en->key = strdup(key);
	en->file = strdup(file);
	en->id = strdup(m->debug_id);
	en->name = strdup(name);
	en->code_file = dup_or_empty(m->code_file ? cd_basename(m->code_file) : "");
	en->code_id = dup_or_empty(m->code_id);
	en->status = SYM_STATUS_MISSING;
	if (!en->key || !en->file || !en->id || !en->name || !en->code_file || !en->code_id) {
		entry_free(en);
		return NULL;
	}
	en->valid = safe_component(en->file) && safe_component(en->id);
	s->e[s->n] = en;
	if (index_entry(s, s->n) != CD_OK) {
		entry_free(en);
		return NULL;
	}
	s->n++;
	return en;
}

static void upper(char *d, size_t n, const char *s)
{
	size_t i = 0;
	for (; s[i] && i + 1 < n; i++)
		d[i] = (char)toupper((unsigned char)s[i]);
	d[i] = 0;
}

static void dl_path(const sym_store *s, const entry *en, const char *suffix, char *buf, size_t n)
{
	char uid[256];
	upper(uid, sizeof uid, en->id);
	snprintf(buf, n, "%s/%s/%s/%s%s", s->dl_dir, en->file, uid, en->name, suffix);
}

static int set_found(entry *en, const char *path, const char *source, int remote)
{
	free(en->path);
	free(en->source);
	en->path = strdup(path);
	en->source = strdup(source);
	en->remote = remote;
	return en->path && en->source;
}

/* Looks in the local stores and the download cache. Returns 1 when found,
 * 0 when the module has no symbols to hope for, 2 when a server may have
 * them. */
static int locate_local(sym_store *s, entry *en)
{
	en->located = 1;
	if (!en->valid) {
		note(en, en->key, SYM_ANS_ABSENT, "not a usable debug file name or id");
		return 0;
	}
	/* Minidumps print the PDB age in lower case, stores in upper: both. */
	char uid[256];
	upper(uid, sizeof uid, en->id);
	const char *ids[2] = { en->id, uid };
	int nids = strcmp(en->id, uid) ? 2 : 1;
	for (int i = 0; i < s->npaths; i++) {
		char path[4096], where[4096];
		for (int k = 0; k < nids; k++) {
			if (s->zips[i]) {
				/* Parsed straight out of the archive ("ZIP!ENTRY"):
				 * only the symbol cache lands on disk. */
				char ent[1024];
				snprintf(ent, sizeof ent, "%s/%s/%s", en->file, ids[k], en->name);
				snprintf(where, sizeof where, "%s!%s", s->paths[i], ent);
				if (!sym_zip_has(s->zips[i], ent))
					continue;
				snprintf(path, sizeof path, "%s", where);
			} else {
				snprintf(path, sizeof path, "%s/%s/%s/%s", s->paths[i], en->file, ids[k],
					 en->name);
				snprintf(where, sizeof where, "%s", path);
				if (!is_file(path))
					continue;
			}
			note(en, where, SYM_ANS_FOUND, "");
			s->counts.local_hits++;
			return set_found(en, path, where, 0) ? 1 : 0;
		}
		if (s->zips[i])
			snprintf(where, sizeof where, "%s!%s/%s/%s", s->paths[i], en->file, en->id,
				 en->name);
		else
			snprintf(where, sizeof where, "%s/%s/%s/%s", s->paths[i], en->file, en->id,
				 en->name);
		note(en, where, SYM_ANS_ABSENT, "");
	}
	if (!s->dl_dir)
		return 0;
	char path[4096];
	dl_path(s, en, "", path, sizeof path);
	if (is_file(path)) {
		note(en, path, SYM_ANS_FOUND, "download cache");
		s->counts.cache_hits++;
		return set_found(en, path, path, 1) ? 1 : 0;
	}
	if (!s->nurls)
		return 0;
	note(en, path, SYM_ANS_ABSENT, "download cache");
	/* A remembered 404 (the marker's mtime is when it was learnt). */
	char marker[4200];
	dl_path(s, en, ".404", marker, sizeof marker);
	struct stat st;
	if (!s->net.refresh && stat(marker, &st) == 0) {
		int64_t age = (int64_t)time(NULL) - (int64_t)st.st_mtime;
		if (s->net.negative_ttl_s < 0 || age < s->net.negative_ttl_s) {
			char detail[128];
			snprintf(detail, sizeof detail, "%lld s ago; --refresh asks again",
				 (long long)age);
			for (int i = 0; i < s->nurls; i++)
				note(en, s->urls[i], SYM_ANS_KNOWN_MISSING, detail);
			s->counts.negative_hits++;
			return 0;
		}
	}
	if (s->net.offline) {
		for (int i = 0; i < s->nurls; i++)
			note(en, s->urls[i], SYM_ANS_OFFLINE, "");
		return 0;
	}
	return 2;
}

/* Percent-encodes what may not stand in a path segment ('+' stays: Tecken's
 * libstdc++ is spelt so). */
static void put_segment(cd_buf *b, const char *s)
{
	static const char ok[] = "-._~+!$&'()*,;=:@";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || strchr(ok, c))
			cd_buf_printf(b, "%c", c);
		else
			cd_buf_printf(b, "%%%02X", c);
	}
}

static char *join_url(const char *base, const char *a, const char *b, const char *c)
{
	cd_buf u;
	cd_buf_init(&u, 1 << 14);
	cd_buf_puts(&u, base);
	cd_buf_puts(&u, "/");
	put_segment(&u, a);
	cd_buf_puts(&u, "/");
	put_segment(&u, b);
	cd_buf_puts(&u, "/");
	put_segment(&u, c);
	char *out = u.data ? strdup(u.data) : NULL;
	cd_buf_free(&u);
	return out;
}

static void free_urls(entry *en)
{
	for (int i = 0; i < en->nurls; i++)
		free(en->urls[i]);
	free(en->urls);
	en->urls = NULL;
	en->nurls = 0;
}

/* Candidates: per server, the debug file's location, then the code file's. */
static int make_urls(const sym_store *s, entry *en)
{
	en->urls = calloc((size_t)s->nurls * 2, sizeof *en->urls);
	if (!en->urls)
		return -1;
	int code = en->code_file[0] && en->code_id[0] && safe_component(en->code_file) &&
		   safe_component(en->code_id) &&
		   (strcmp(en->code_file, en->file) || strcmp(en->code_id, en->id));
	for (int i = 0; i < s->nurls; i++) {
		if (!(en->urls[en->nurls++] = join_url(s->urls[i], en->file, en->id, en->name)))
			return -1;
		if (!code)
			continue;
		char *u = join_url(s->urls[i], en->code_file, en->code_id, en->name);
		if (!u)
			return -1;
		/* The code file's location may spell the debug file's. */
		if (!strcmp(u, en->urls[en->nurls - 1]))
			free(u);
		else
			en->urls[en->nurls++] = u;
	}
	return 0;
}

/* A 404 everywhere: remembered, written whole or not at all. */
static void remember_missing(sym_store *s, entry *en)
{
	char marker[4200], tmp[4200];
	dl_path(s, en, ".404", marker, sizeof marker);
	snprintf(tmp, sizeof tmp, "%s/dl-%ld-XXXXXX", s->tmp_dir, (long)getpid());
	int fd = mkstemp(tmp);
	if (fd < 0)
		return;
	FILE *f = fdopen(fd, "w");
	int ok = f != NULL;
	for (int i = 0; f && i < en->nurls; i++)
		fprintf(f, "404 %s\n", en->urls[i]);
	if (f)
		ok = fclose(f) == 0;
	else
		close(fd);
	char dir[4200];
	snprintf(dir, sizeof dir, "%s", marker);
	*strrchr(dir, '/') = 0;
	cd_err e;
	if (!ok || cd_mkdir_p(dir, 0700, &e) || rename(tmp, marker))
		unlink(tmp);
}

static int download(sym_store *s, entry **ens, size_t n, sym_progress_fn progress, void *ctx,
		    const atomic_int *cancel, cd_err *e)
{
	sym__dl *dl = calloc(n ? n : 1, sizeof *dl);
	char (*dest)[4096] = calloc(n ? n : 1, sizeof *dest);
	int rc = CD_OK;
	if (!dl || !dest) {
		rc = cd_errf(e, CD_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (make_urls(s, ens[i])) {
			rc = cd_errf(e, CD_ENOMEM, "out of memory");
			goto out;
		}
		dl_path(s, ens[i], "", dest[i], sizeof dest[i]);
		dl[i] = (sym__dl){ .urls = ens[i]->urls, .nurls = ens[i]->nurls,
				   .debug_id = ens[i]->id, .dest = dest[i], .ctx = ens[i] };
	}
	rc = sym__fetch(dl, n, &s->net, s->tmp_dir, note, progress, ctx, cancel,
			&s->counts.requests, &s->counts.bytes, e);
	for (size_t i = 0; i < n; i++) {
		entry *en = ens[i];
		if (dl[i].ok) {
			set_found(en, dest[i], en->urls[dl[i].found], 1);
			s->counts.downloads++;
			char marker[4200];
			dl_path(s, en, ".404", marker, sizeof marker);
			unlink(marker);
		} else if (!dl[i].done) {
			en->located = 0; /* canceled: look again next time */
		} else if (dl[i].all_missing) {
			remember_missing(s, en);
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		free_urls(ens[i]);
	free(dl);
	free(dest);
	return rc;
}

int sym_store_prefetch(sym_store *s, const sym_module_ref *mods, size_t n,
		       sym_progress_fn progress, void *ctx, const atomic_int *cancel, cd_err *e)
{
	entry **todo = calloc(n ? n : 1, sizeof *todo);
	if (!todo)
		return cd_errf(e, CD_ENOMEM, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!mods[i].debug_file || !mods[i].debug_id || !mods[i].debug_file[0] ||
		    !mods[i].debug_id[0])
			continue;
		entry *en = get_entry(s, &mods[i]);
		if (!en) {
			free(todo);
			return cd_errf(e, CD_ENOMEM, "out of memory");
		}
		if (en->located)
			continue;
		if (locate_local(s, en) == 2)
			todo[k++] = en;
	}
	int rc = k ? download(s, todo, k, progress, ctx, cancel, e) : CD_OK;
	free(todo);
	return rc;
}

/* For sym_store_fetch_queued(); the entry stays located with its local
 * attempts noted, and is opened once downloaded. */
static int enqueue(sym_store *s, entry *en)
{
	if (s->nqueue == s->cqueue) {
		size_t c = s->cqueue ? 2 * s->cqueue : 16;
		entry **p = realloc(s->queue, c * sizeof *p);
		if (!p)
			return CD_ENOMEM;
		s->queue = p;
		s->cqueue = c;
	}
	s->queue[s->nqueue++] = en;
	en->queued = 1;
	return CD_OK;
}

static void dequeue(sym_store *s, entry *en)
{
	for (size_t i = 0; i < s->nqueue; i++)
		if (s->queue[i] == en) {
			memmove(&s->queue[i], &s->queue[i + 1], (s->nqueue - i - 1) * sizeof *s->queue);
			s->nqueue--;
			break;
		}
	en->queued = 0;
}

static void open_cache(sym_store *s, entry *en)
{
	en->opened = 1;
	en->status = SYM_STATUS_MISSING;
	if (!en->path) {
		s->counts.misses++;
		return;
	}
	int built;
	sym_report r;
	memset(&r, 0, sizeof r);
	cd_err e;
	sym_cache *c;
	cd_mkdir_p(s->cache_dir, 0700, &e);
	if (sym_open(en->path, s->cache_dir, &c, &built, &r, &e) == CD_OK) {
		en->cache = c;
		en->status = r.damaged ? SYM_STATUS_CORRUPT : SYM_STATUS_LOADED;
	} else {
		en->status = SYM_STATUS_CORRUPT;
		note(en, en->source, SYM_ANS_DAMAGED, e.msg);
	}
	sym_report_free(&r);
}

const sym_cache *sym_store_find(sym_store *s, const sym_module_ref *m, sym_status *status)
{
	*status = SYM_STATUS_MISSING;
	if (!m->debug_file || !m->debug_id || !m->debug_file[0] || !m->debug_id[0])
		return NULL;
	entry *en = get_entry(s, m);
	if (!en)
		return NULL;
	en->asked = 1;
	if (en->queued) {
		s->counts.deferred++;
		*status = SYM_STATUS_UNKNOWN;
		return NULL;
	}
	if (!en->located && locate_local(s, en) == 2) {
		if (s->lazy && enqueue(s, en) == CD_OK) {
			s->counts.deferred++;
			*status = SYM_STATUS_UNKNOWN;
			return NULL;
		}
		cd_err e;
		download(s, &en, 1, s->progress, s->progress_ctx, NULL, &e);
	}
	if (!en->opened && en->located)
		open_cache(s, en);
	*status = en->status;
	return en->cache;
}

sym_status sym_store_status(sym_store *s, const sym_module_ref *m)
{
	if (!m->debug_file || !m->debug_id || !m->debug_file[0] || !m->debug_id[0])
		return SYM_STATUS_MISSING;
	entry *en = get_entry(s, m);
	if (!en)
		return SYM_STATUS_MISSING;
	if (en->queued)
		return SYM_STATUS_UNKNOWN;
	if (!en->located && locate_local(s, en) == 2) {
		/* Only a server could tell, and nobody asked: left so. */
		en->located = 0;
		clear_attempts(en);
		return SYM_STATUS_UNKNOWN;
	}
	if (!en->opened)
		open_cache(s, en);
	return en->status;
}

int sym_store_lazy(sym_store *s, int on)
{
	int was = s->lazy;
	s->lazy = on;
	/* The queue lives only while lazy: what is left in it is looked up
	 * afresh by the next find. */
	for (size_t i = 0; !on && i < s->nqueue; i++) {
		entry *en = s->queue[i];
		en->queued = en->located = 0;
		clear_attempts(en);
	}
	if (!on)
		s->nqueue = 0;
	return was;
}

size_t sym_store_queued(const sym_store *s) { return s->nqueue; }

void sym_store_on_progress(sym_store *s, sym_progress_fn fn, void *ctx)
{
	s->progress = fn;
	s->progress_ctx = ctx;
}

int sym_store_fetch_queued(sym_store *s, const atomic_int *cancel, cd_err *e)
{
	size_t n = s->nqueue;
	if (!n)
		return CD_OK;
	/* The queue is emptied first: whatever download() leaves not
	 * located (a cancel) is looked up afresh next time. */
	for (size_t i = 0; i < n; i++)
		s->queue[i]->queued = 0;
	s->nqueue = 0;
	return download(s, s->queue, n, s->progress, s->progress_ctx, cancel, e);
}

const sym_cache *sym_store_get(sym_store *s, const char *debug_file, const char *debug_id,
			       sym_status *status)
{
	sym_module_ref m = { debug_file, debug_id, NULL, NULL };
	return sym_store_find(s, &m, status);
}

const sym_cache *sym_store_retry(sym_store *s, const sym_module_ref *m, sym_status *status)
{
	*status = SYM_STATUS_MISSING;
	if (!m->debug_file || !m->debug_id)
		return NULL;
	entry *en = find_entry(s, m->debug_file, m->debug_id);
	if (en) {
		if (en->cache) {
			sym_cache **p = realloc(s->retired, (s->nretired + 1) * sizeof *p);
			if (!p)
				return NULL;
			s->retired = p;
			s->retired[s->nretired++] = en->cache;
			en->cache = NULL;
		}
		if (en->queued)
			dequeue(s, en);
		clear_attempts(en);
		free(en->path);
		free(en->source);
		en->path = en->source = NULL;
		en->remote = en->located = en->opened = 0;
		en->status = SYM_STATUS_MISSING;
	}
	/* Asked for by a person: fetched now, not queued. */
	int refresh = s->net.refresh, lazy = s->lazy;
	s->net.refresh = 1;
	s->lazy = 0;
	const sym_cache *c = sym_store_find(s, m, status);
	s->net.refresh = refresh;
	s->lazy = lazy;
	return c;
}

const char *sym_store_source(const sym_store *s, const char *debug_file, const char *debug_id)
{
	entry *en = find_entry(s, debug_file, debug_id);
	return en && en->path ? en->source : NULL;
}

int sym_store_remote(const sym_store *s, const char *debug_file, const char *debug_id)
{
	entry *en = find_entry(s, debug_file, debug_id);
	return en && en->path ? en->remote : -1;
}

void sym_store_why(const sym_store *s, const char *debug_file, const char *debug_id,
		   const sym_attempt **out, size_t *n)
{
	entry *en = find_entry(s, debug_file, debug_id);
	*out = en ? en->att : NULL;
	*n = en ? en->natt : 0;
}

int sym_store_symkey(sym_store *s, const sym_module_ref *mods, size_t n, char **key, cd_err *e)
{
	cd_sha256 h;
	cd_sha256_init(&h);
	for (size_t i = 0; i < n; i++) {
		const sym_module_ref *m = &mods[i];
		if (!m->debug_file || !m->debug_id || !m->debug_file[0] || !m->debug_id[0])
			continue;
		entry *en = get_entry(s, m);
		if (!en)
			return cd_errf(e, CD_ENOMEM, "out of memory");
		int where = en->located ? (en->path != NULL) : locate_local(s, en);
		if (where == 2) {
			en->located = 0; /* only a server could tell: asked later */
			clear_attempts(en);
		}
		char line[4600];
		struct stat st;
		if (where == 1 && en->path && stat(en->path, &st) == 0)
			snprintf(line, sizeof line, "%s=%s:%lld:%lld.%09ld\n", en->key, en->path,
				 (long long)st.st_size, (long long)st.st_mtim.tv_sec,
				 st.st_mtim.tv_nsec);
		else if (where == 2)
			/* Not the same as missing: once a remembered 404
			 * expires, the walk is done again and the server asked. */
			snprintf(line, sizeof line, "%s=ask-a-server\n", en->key);
		else
			snprintf(line, sizeof line, "%s=missing\n", en->key);
		cd_sha256_update(&h, line, strlen(line));
	}
	uint8_t d[32];
	cd_sha256_final(&h, d);
	char hex[65];
	cd_sha256_hex(d, hex);
	if (!(*key = malloc(72)))
		return cd_errf(e, CD_ENOMEM, "out of memory");
	snprintf(*key, 72, "syms:%s", hex);
	return CD_OK;
}

void sym_store_counts_get(const sym_store *s, sym_store_counts *out) { *out = s->counts; }

int sym_store_entry_at(const sym_store *s, size_t i, sym_store_entry *out)
{
	if (i >= s->n)
		return CD_ENOTFOUND;
	const entry *en = s->e[i];
	*out = (sym_store_entry){ en->file, en->id, en->path, en->path ? en->source : NULL,
				  en->status, en->remote, en->located && !en->queued };
	return CD_OK;
}

int sym_store_asked(const sym_store *s, const char *debug_file, const char *debug_id)
{
	const entry *en = debug_file && debug_id ? find_entry(s, debug_file, debug_id) : NULL;
	return en && en->asked;
}

void sym_store_forget_asked(sym_store *s)
{
	for (size_t i = 0; i < s->n; i++)
		s->e[i]->asked = 0;
}

int sym_store_nsources(const sym_store *s)
{
	return s ? s->npaths + s->nurls : 0;
}

void sym_store_free(sym_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		entry_free(s->e[i]);
	for (size_t i = 0; i < s->nretired; i++)
		sym_cache_close(s->retired[i]);
	for (int i = 0; i < s->npaths; i++) {
		free(s->paths[i]);
		if (s->zips)
			sym_zip_close(s->zips[i]);
	}
	for (int i = 0; i < s->nurls; i++)
		free(s->urls[i]);
	free(s->urls);
	free(s->retired);
	free(s->queue);
	free(s->zips);
	free(s->e);
	free(s->slots);
	free(s->paths);
	free(s->cache_dir);
	free(s->dl_dir);
	free(s->tmp_dir);
	free(s);
}
