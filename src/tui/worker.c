/*
 * worker.c - walks the dumps of a session one at a time, the one the user
 * is waiting for first, and answers requests for a module's symbols.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "worker.h"

/* Under the lock: something changed; the UI sleeps in poll() on the
 * other end of notify_fd, so it redraws at once. */
static void bump(tui_worker *w)
{
	w->seq++;
	if (w->notify_fd >= 0 && write(w->notify_fd, "", 1) < 0) {
		/* full pipe: the UI has a wake-up pending already */
	}
}

static void progress(void *ctx, uint32_t done, uint32_t total)
{
	tui_worker *w = ctx;
	pthread_mutex_lock(&w->lock);
	w->threads_done = done;
	w->threads_total = total;
	bump(w);
	pthread_mutex_unlock(&w->lock);
}

/* The modules pane shows where each module's symbols came from: a field
 * of the TUI's own ("_symbol_source"), not part of the JSON schema. */
static void note_sources(sym_store *store, json_t *doc)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(doc, "modules"), i, m) {
		const char *df = json_string_value(json_object_get(m, "debug_file"));
		const char *id = json_string_value(json_object_get(m, "debug_id"));
		const char *src = df && id ? sym_store_source(store, df, id) : NULL;
		if (src)
			json_object_set_new(m, "_symbol_source", json_string(src));
	}
}

/* Under the lock: the next crash to walk, or -1. */
static int next_job(tui_worker *w)
{
	if (w->wanted >= 0 && w->crashes[w->wanted].state == CRASH_PENDING)
		return w->wanted;
	while (w->next < w->ncrashes && w->crashes[w->next].state != CRASH_PENDING)
		w->next++;
	return w->next < w->ncrashes ? (int)w->next : -1;
}

static void *run(void *arg)
{
	tui_worker *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		if (w->stop)
			break;
		if (w->want_sym == 1) {
			char df[256], id[64], path[4096];
			memcpy(df, w->want_debug_file, sizeof df);
			memcpy(id, w->want_debug_id, sizeof id);
			memcpy(path, w->want_path, sizeof path);
			pthread_mutex_unlock(&w->lock);
			sym_status st = SYM_STATUS_MISSING;
			const sym_cache *c = NULL;
			sym_cache *owned = NULL;
			sym_report rep;
			memset(&rep, 0, sizeof rep);
			cd_err e = { .msg = "" };
			if (path[0]) {
				int built = 0;
				if (sym_open(path, w->cache_dir, &owned, &built, &rep, &e) == CD_OK) {
					c = owned;
					/* A current cache says nothing of the source's
					 * anomalies: read them for the browser's check. */
					if (!built) {
						cd_err ce;
						sym_report_free(&rep);
						if (sym_check_file(path, &rep, &ce) != CD_OK)
							e = ce;
					}
					st = rep.damaged ? SYM_STATUS_CORRUPT : SYM_STATUS_LOADED;
				}
			} else if (w->store) {
				c = sym_store_get(w->store, df, id, &st);
			}
			pthread_mutex_lock(&w->lock);
			if (owned) {
				sym_cache_close(w->sym_owned);
				sym_report_free(&w->sym_report);
				w->sym_owned = owned;
				w->sym_report = rep;
			} else {
				sym_report_free(&rep);
			}
			snprintf(w->sym_error, sizeof w->sym_error, "%s", e.msg);
			w->sym_answer = c;
			w->sym_answer_status = st;
			w->want_sym = 2;
			bump(w);
			continue;
		}
		int i = next_job(w);
		if (i < 0) {
			pthread_cond_wait(&w->wake, &w->lock);
			continue;
		}
		tui_crash *c = &w->crashes[i];
		c->state = CRASH_WORKING;
		c->seq++;
		w->busy = 1;
		w->busy_crash = (uint32_t)i;
		w->threads_done = w->threads_total = 0;
		bump(w);
		char *path = c->path;
		pthread_mutex_unlock(&w->lock);

		proc_crash *pc = NULL;
		cd_err e = { 0 };
		json_t *doc = NULL;
		int rc;
		size_t len = strlen(path);
		if (len > 5 && !strcmp(path + len - 5, ".json")) {
			/* A processed crash already (walk --json, or a report's
			 * json_dump): shown as it is, without dump memory. */
			json_error_t je;
			doc = json_load_file(path, 0, &je);
			rc = doc && json_is_object(doc) ? CD_OK : CD_EFORMAT;
			if (rc != CD_OK) {
				cd_errf(&e, rc, "%s:%d:%d: %s", path, je.line, je.column,
					doc ? "not a JSON object" : je.text);
				json_decref(doc);
				doc = NULL;
			} else if (json_is_object(json_object_get(doc, "json_dump"))) {
				json_t *inner = json_incref(json_object_get(doc, "json_dump"));
				json_decref(doc);
				doc = inner;
			}
		} else {
			rc = proc_crash_open(path, w->store, NULL, progress, w, &w->cancel, &pc, &e);
			if (rc == CD_OK)
				doc = proc_crash_json(pc);
			if (doc && w->store)
				note_sources(w->store, doc);
		}

		pthread_mutex_lock(&w->lock);
		if (rc == CD_OK && doc) {
			c->doc = doc;
			c->pc = pc;
			c->state = CRASH_READY;
		} else {
			snprintf(c->error, sizeof c->error, "%s", e.msg[0] ? e.msg : "out of memory");
			c->state = CRASH_FAILED;
			proc_crash_free(pc);
		}
		c->seq++;
		w->busy = 0;
		bump(w);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int worker_start(tui_worker *w, sym_store *store, char *const *paths, uint32_t npaths,
		 int notify_fd)
{
	memset(w, 0, sizeof *w);
	w->notify_fd = notify_fd;
	w->store = store;
	w->wanted = -1;
	w->crashes = calloc(npaths ? npaths : 1, sizeof *w->crashes);
	if (!w->crashes)
		return CD_ENOMEM;
	for (uint32_t i = 0; i < npaths; i++) {
		w->crashes[i].path = strdup(paths[i]);
		if (!w->crashes[i].path)
			return CD_ENOMEM;
	}
	w->ncrashes = npaths;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, run, w) != 0)
		return CD_EIO;
	w->started = 1;
	return CD_OK;
}

void worker_want(tui_worker *w, uint32_t i)
{
	pthread_mutex_lock(&w->lock);
	if (i < w->ncrashes)
		w->wanted = (int)i;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void worker_want_symbols(tui_worker *w, const char *debug_file, const char *debug_id)
{
	pthread_mutex_lock(&w->lock);
	snprintf(w->want_debug_file, sizeof w->want_debug_file, "%s", debug_file);
	snprintf(w->want_debug_id, sizeof w->want_debug_id, "%s", debug_id);
	w->want_path[0] = 0;
	w->want_sym = 1;
	w->sym_answer = NULL;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void worker_want_symfile(tui_worker *w, const char *path, const char *cache_dir)
{
	pthread_mutex_lock(&w->lock);
	snprintf(w->want_path, sizeof w->want_path, "%s", path);
	w->cache_dir = cache_dir;
	w->want_sym = 1;
	w->sym_answer = NULL;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void worker_lock(tui_worker *w)
{
	pthread_mutex_lock(&w->lock);
}

void worker_unlock(tui_worker *w)
{
	pthread_mutex_unlock(&w->lock);
}

void worker_free(tui_worker *w)
{
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		w->cancel = 1;
		pthread_cond_signal(&w->wake);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->wake);
	}
	for (uint32_t i = 0; i < w->ncrashes; i++) {
		free(w->crashes[i].path);
		json_decref(w->crashes[i].doc);
		proc_crash_free(w->crashes[i].pc);
	}
	free(w->crashes);
	sym_cache_close(w->sym_owned);
	sym_report_free(&w->sym_report);
	memset(w, 0, sizeof *w);
}
