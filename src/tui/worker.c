/*
 * worker.c - walks the dumps of a session one at a time, the one the user
 * is waiting for first, and answers requests for a module's symbols.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rows.h"
#include "worker_int.h"

#define bump worker__bump

/* Dumps smaller than this are walked rather than read from the cache. */
#define REUSE_MIN_BYTES (4u << 20)

/* Under the lock: something changed; the UI sleeps in poll() on the
 * other end of notify_fd, so it redraws at once. */
void worker__bump(tui_worker *w)
{
	atomic_fetch_add(&w->seq, 1);
	if (w->notify_fd >= 0 && write(w->notify_fd, "", 1) < 0) {
		/* full pipe: the UI has a wake-up pending already */
	}
}

void worker__walk_progress(void *ctx, uint32_t done, uint32_t total)
{
	tui_worker *w = ctx;
	pthread_mutex_lock(&w->lock);
	w->threads_done = done;
	w->threads_total = total;
	bump(w);
	pthread_mutex_unlock(&w->lock);
}

/* The modules pane shows where each module's symbols came from (the
 * location that had them: a path, ZIP!ENTRY or URL) and, for those
 * without, every place tried with its answer, and what crashdesk knows of
 * every module's symbols: the JSON says loaded or missing only where the
 * walk looked (rust-minidump's meaning), the pane also what the local
 * stores hold and what R fetched. Fields of the TUI's own
 * ("_symbol_source", "_symbol_why", "_symbol_status"), not of the schema. */
static void note_sources(sym_store *store, json_t *doc)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(doc, "modules"), i, m) {
		const char *df = json_string_value(json_object_get(m, "debug_file"));
		const char *id = json_string_value(json_object_get(m, "debug_id"));
		if (!df || !id)
			continue;
		static const char *status_words[] = { [SYM_STATUS_UNKNOWN] = "not asked",
			[SYM_STATUS_LOADED] = "loaded", [SYM_STATUS_MISSING] = "missing",
			[SYM_STATUS_CORRUPT] = "damaged" };
		sym_module_ref ref = { df, id, NULL, NULL };
		sym_status st = sym_store_status(store, &ref);
		if ((unsigned)st < sizeof status_words / sizeof *status_words && status_words[st])
			json_object_set_new(m, "_symbol_status", json_string(status_words[st]));
		const sym_attempt *at;
		size_t n;
		sym_store_why(store, df, id, &at, &n);
		char why[1024] = "";
		size_t used = 0;
		for (size_t k = 0; k < n; k++) {
			if (at[k].answer == SYM_ANS_FOUND) {
				json_object_set_new(m, "_symbol_source", json_string(at[k].where));
				json_object_set_new(m, "_symbol_remote",
						    json_boolean(sym_store_remote(store, df, id)));
				continue;
			}
			int w = snprintf(why + used, sizeof why - used, "%s%s: %s%s%s", used ? "; " : "",
					 at[k].where, sym_answer_name(at[k].answer),
					 at[k].detail && at[k].detail[0] ? " " : "",
					 at[k].detail ? at[k].detail : "");
			if (w < 0 || (size_t)w >= sizeof why - used)
				break;
			used += (size_t)w;
		}
		if (!json_object_get(m, "_symbol_source")) {
			const char *src = sym_store_source(store, df, id);
			if (src)
				json_object_set_new(m, "_symbol_source", json_string(src));
		}
		if (why[0] && st != SYM_STATUS_LOADED)
			json_object_set_new(m, "_symbol_why", json_string(why));
	}
}

static void dl_progress(void *ctx, const sym_progress *p)
{
	tui_worker *w = ctx;
	pthread_mutex_lock(&w->lock);
	w->dl = *p;
	bump(w);
	pthread_mutex_unlock(&w->lock);
}

/* The worker's own connection to the cache, opened on first use (after
 * the first crash is on screen: opening costs a few ms); NULL without. */
static store *cache_db(tui_worker *w)
{
	cd_err e;
	if (!w->cs.db && w->cs.db_path[0] && store_open(w->cs.db_path, &w->cs.db, &e) != CD_OK)
		w->cs.db = NULL; /* walks work without the cache */
	return w->cs.db;
}

/* Opens path (a dump walked with store, or its result from the cache when
 * reuse says so; a processed crash as JSON) into a new report; NULL with
 * e filled. */
static rep_crash *open_report(tui_worker *w, const char *path, sym_store *store, int reuse,
			      cd_err *e)
{
	/* A small dump walks faster than its stored result is read and
	 * parsed (a few ms with the symbol caches mapped): only a big one is
	 * worth looking up. Either way the walk is stored, after the panes
	 * show it (keep_report()). */
	struct stat st;
	if (reuse && stat(path, &st) == 0 && st.st_size < REUSE_MIN_BYTES)
		reuse = 0;
	if (reuse)
		cache_db(w);
	rep_opts o = { .symbols = store, .db = w->cs.db, .reuse = reuse, .keep_dump = 1,
		       .store_later = 1, .progress = worker__walk_progress, .progress_ctx = w,
		       .cancel = &w->cancel };
	rep_crash *r;
	if (rep_open(path, &o, &r, e) != CD_OK)
		return NULL;
	if (rep_dump(r))
		note_sources(store, r->doc);
	return r;
}

/* Without the lock, after the panes have it: a walk's result into the
 * processed-result cache (what "re-sign the crashes in the cache" reads,
 * and what the next open of a big dump reuses). */
static void keep_report(tui_worker *w, rep_crash *r, const char *path, sym_store *store)
{
	rep_opts o = { .symbols = store, .db = cache_db(w) };
	cd_err e;
	if (!r || !o.db)
		return;
	rep_keep(r, path, &o, &e);
	/* The home pane's memory of it: recently opened, with a summary. */
	char abs[PATH_MAX];
	if (!r->doc || !realpath(path, abs))
		return;
	json_t *ann = json_object_get(r->doc, "annotations");
	json_t *ci = json_object_get(r->doc, "crash_info");
	json_t *f0 = json_array_get(json_object_get(rows_crashing_thread(r->doc), "frames"), 0);
	char top[512] = "", top_src[256];
	if (f0)
		rows_top_function(f0, top, sizeof top, top_src, sizeof top_src);
	store_summary sum = {
		.product = json_string_value(json_object_get(ann, "ProductName")),
		.version = json_string_value(json_object_get(ann, "Version")),
		.crash_reason = json_string_value(json_object_get(ci, "type")),
		.crash_address = json_string_value(json_object_get(ci, "address")),
		.crash_function = top[0] ? top : NULL,
		.module = json_string_value(json_object_get(f0, "module")),
	};
	/* Keyed as its results are (rep_keep() or the lookup made it). */
	if (!r->sha256[0] || store_recent_touch_key(o.db, abs, r->sha256, &e) != CD_OK)
		store_recent_touch(o.db, abs, STORE_DUMP, NULL, &e);
	store_recent_update_summary(o.db, abs, &sum, &e);
}

/* Under the lock: puts a new report of crash c in place of the old one.
 * The UI holds no pointer into the old document (its rows are copies). */
static void replace(tui_worker *w, tui_crash *c, rep_crash *r)
{
	json_decref(c->doc);
	rep_free(c->rep);
	c->rep = r;
	c->doc = json_incref(r->doc);
	c->dump = rep_dump(r);
	c->state = CRASH_READY;
	c->seq++;
	bump(w);
}

/* Without the lock: walks crash c again with the servers, lazily: each
 * walk shows what has arrived, and what its frames asked for that only a
 * server has is downloaded at once (in parallel) before the next walk,
 * until a walk asks for nothing new. */
static void fetch_missing(tui_worker *w, uint32_t ci, const char *path)
{
	if (!w->net)
		return;
	sym_store_on_progress(w->net, dl_progress, w);
	int was = sym_store_lazy(w->net, 1);
	for (int round = 0; round < 16 && !w->cancel; round++) {
		cd_err e = { 0 };
		/* Walked with the network store even when nothing will come,
		 * so the modules pane can say why each module lacks symbols. */
		rep_crash *r = open_report(w, path, w->net, 0, &e);
		if (!r)
			break;
		keep_report(w, r, path, w->net);
		pthread_mutex_lock(&w->lock);
		replace(w, &w->crashes[ci], r);
		pthread_mutex_unlock(&w->lock);
		if (!sym_store_queued(w->net))
			break;
		pthread_mutex_lock(&w->lock);
		w->downloading = 1;
		memset(&w->dl, 0, sizeof w->dl);
		bump(w);
		pthread_mutex_unlock(&w->lock);
		sym_store_fetch_queued(w->net, &w->cancel, &e);
		pthread_mutex_lock(&w->lock);
		w->downloading = 0;
		bump(w);
		pthread_mutex_unlock(&w->lock);
	}
	sym_store_lazy(w->net, was);
}

/* The name of addr in dump d's modules, from store's symbols where it has
 * them (module!function+0xoff), else module+0xoff; "" in no module. */
static char *name_of(sym_store *store, const md_dump *d, uint64_t addr)
{
	char buf[1200] = "";
	for (uint32_t i = 0; d && i < d->nmodules; i++) {
		const md_module *m = &d->modules[i];
		if (addr - m->base >= m->size)
			continue;
		const char *mod = cd_basename(m->code_file[0] ? m->code_file : m->debug_file);
		sym_status st;
		const sym_cache *c = store && m->debug_file[0] && m->debug_id[0]
					     ? sym_store_get(store, m->debug_file, m->debug_id, &st)
					     : NULL;
		sym_lookup lk;
		if (c && sym_lookup_addr(c, addr - m->base, &lk) == CD_OK)
			snprintf(buf, sizeof buf, "%s!%s+0x%llx", mod,
				 lk.ninlines ? lk.inlines[0].function : lk.function,
				 (unsigned long long)(addr - m->base - lk.function_addr));
		else
			snprintf(buf, sizeof buf, "%s+0x%llx", mod, (unsigned long long)(addr - m->base));
		break;
	}
	return strdup(buf);
}

/* Under the lock on entry and return: answers the last request for names. */
static void answer_names(tui_worker *w)
{
	uint32_t req = w->names_asked, ci = w->names_crash;
	uint64_t *addrs = w->names_addrs;
	size_t n = w->names_n;
	w->names_addrs = NULL;
	w->names_n = 0;
	const md_dump *d = ci < w->ncrashes ? w->crashes[ci].dump : NULL;
	pthread_mutex_unlock(&w->lock);
	/* The dump is the worker's and stays while the crash's report does:
	 * only this thread replaces it. */
	char **names = calloc(n ? n : 1, sizeof *names);
	for (size_t k = 0; names && k < n; k++)
		names[k] = name_of(w->store, d, addrs[k]);
	pthread_mutex_lock(&w->lock);
	for (size_t k = 0; w->answer_names && k < w->answer_n; k++)
		free(w->answer_names[k]);
	free(w->answer_names);
	free(w->answer_addrs);
	w->answer_names = names;
	w->answer_addrs = addrs;
	w->answer_n = names ? n : 0;
	w->answer_crash = ci;
	w->names_done = req;
	bump(w);
}

uint32_t worker_want_names(tui_worker *w, uint32_t crash, const uint64_t *addrs, size_t n)
{
	uint64_t *copy = malloc((n ? n : 1) * sizeof *copy);
	pthread_mutex_lock(&w->lock);
	uint32_t req = ++w->names_asked;
	free(w->names_addrs);
	w->names_addrs = copy;
	w->names_n = copy ? n : 0;
	if (copy && n)
		memcpy(copy, addrs, n * sizeof *copy);
	w->names_crash = crash;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return req;
}

void worker_names_get(const tui_worker *w, worker_names *out)
{
	out->request = w->names_done;
	out->crash = w->answer_crash;
	out->addrs = w->answer_addrs;
	out->names = w->answer_names;
	out->n = w->answer_n;
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
			int check_later = 0;
			if (path[0]) {
				int built = 0;
				if (sym_open(path, w->cache_dir, &owned, &built, &rep, &e) == CD_OK) {
					c = owned;
					/* A current cache says nothing of the source's
					 * anomalies: they are read after the browser
					 * opens (a 600 MB file takes a second or two). */
					check_later = !built;
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
				w->sym_report_ready = !check_later;
			} else {
				sym_report_free(&rep);
			}
			snprintf(w->sym_error, sizeof w->sym_error, "%s", e.msg);
			w->sym_answer = c;
			w->sym_answer_status = st;
			w->want_sym = 2;
			bump(w);
			if (check_later) {
				pthread_mutex_unlock(&w->lock);
				sym_report late;
				memset(&late, 0, sizeof late);
				cd_err ce;
				int ok = sym_check_file(path, &late, &ce) == CD_OK;
				pthread_mutex_lock(&w->lock);
				/* Still the file the browser shows. */
				if (ok && w->sym_owned == owned) {
					sym_report_free(&w->sym_report);
					w->sym_report = late;
					w->sym_report_ready = 1;
					bump(w);
				} else {
					sym_report_free(&late);
				}
			}
			continue;
		}
		if (w->names_asked != w->names_done && w->names_addrs) {
			answer_names(w);
			continue;
		}
		if (worker__cs_step(w))
			continue;
		if (w->want_retry == 1 && w->net && w->retry_crash < w->ncrashes) {
			uint32_t ci = w->retry_crash;
			tui_crash *c = &w->crashes[ci];
			int ready = c->state == CRASH_READY && c->dump;
			const char *cpath = c->path;
			sym_module_ref ref = { w->retry_debug_file, w->retry_debug_id,
					       w->retry_code_file, w->retry_code_id };
			w->want_retry = 0;
			w->busy = 1;
			w->busy_crash = w->retry_crash;
			w->downloading = 1;
			memset(&w->dl, 0, sizeof w->dl);
			bump(w);
			pthread_mutex_unlock(&w->lock);
			sym_status st;
			sym_store_retry(w->net, &ref, &st);
			cd_err e = { 0 };
			rep_crash *r = ready ? open_report(w, cpath, w->net, 0, &e) : NULL;
			keep_report(w, r, cpath, w->net);
			pthread_mutex_lock(&w->lock);
			if (r)
				replace(w, &w->crashes[ci], r);
			w->downloading = 0;
			w->busy = 0;
			bump(w);
			continue;
		}
		w->want_retry = 0;
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

		cd_err e = { 0 };
		json_t *doc = NULL;
		rep_crash *r = NULL;
		if (!strncmp(path, CS_PATH_PREFIX, strlen(CS_PATH_PREFIX)))
			doc = worker__cs_open(w, path + strlen(CS_PATH_PREFIX), &e);
		else
			r = open_report(w, path, w->store, 1, &e);

		pthread_mutex_lock(&w->lock);
		c = &w->crashes[i];
		if (r) {
			replace(w, c, r);
		} else if (doc) {
			json_decref(c->doc);
			c->doc = doc;
			c->state = CRASH_READY;
			c->seq++;
		} else {
			snprintf(c->error, sizeof c->error, "%s", e.msg[0] ? e.msg : "out of memory");
			c->state = CRASH_FAILED;
			c->seq++;
		}
		int walked = c->state == CRASH_READY && c->dump;
		pthread_mutex_unlock(&w->lock);
		/* Shown already: kept for the cache (only this thread replaces
		 * the crash's report, so r stays); then what the servers have. */
		if (r)
			keep_report(w, r, path, w->store);
		if (walked)
			fetch_missing(w, (uint32_t)i, path);
		pthread_mutex_lock(&w->lock);
		w->busy = 0;
		bump(w);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int worker_start(tui_worker **out, sym_store *store, sym_store *net, const char *db_path,
		 char *const *paths, uint32_t npaths, int notify_fd)
{
	tui_worker *w = calloc(1, sizeof *w);
	*out = w;
	if (!w)
		return CD_ENOMEM;
	w->notify_fd = notify_fd;
	w->store = store;
	w->net = net;
	w->wanted = -1;
	snprintf(w->cs.db_path, sizeof w->cs.db_path, "%s", db_path ? db_path : "");
	/* Usable (without a thread) however the rest fails. */
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	w->crashes = calloc(npaths ? npaths : 1, sizeof *w->crashes);
	if (!w->crashes)
		return CD_ENOMEM;
	for (uint32_t i = 0; i < npaths; i++, w->ncrashes++)
		if (!(w->crashes[i].path = strdup(paths[i])))
			return CD_ENOMEM;
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

void worker_retry(tui_worker *w, uint32_t i, const char *debug_file, const char *debug_id,
		  const char *code_file, const char *code_id)
{
	pthread_mutex_lock(&w->lock);
	w->retry_crash = i;
	snprintf(w->retry_debug_file, sizeof w->retry_debug_file, "%s", debug_file);
	snprintf(w->retry_debug_id, sizeof w->retry_debug_id, "%s", debug_id);
	snprintf(w->retry_code_file, sizeof w->retry_code_file, "%s", code_file ? code_file : "");
	snprintf(w->retry_code_id, sizeof w->retry_code_id, "%s", code_id ? code_id : "");
	w->want_retry = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

int worker_open(tui_worker *w, const char *path)
{
	pthread_mutex_lock(&w->lock);
	for (uint32_t i = 0; i < w->ncrashes; i++) {
		tui_crash *c = &w->crashes[i];
		if (strcmp(c->path, path))
			continue;
		if (c->state == CRASH_FAILED) {
			c->state = CRASH_PENDING;
			c->seq++;
			pthread_cond_signal(&w->wake);
		}
		pthread_mutex_unlock(&w->lock);
		return (int)i;
	}
	char *copy = strdup(path);
	if (!copy) {
		pthread_mutex_unlock(&w->lock);
		return -1;
	}
	tui_crash *n = realloc(w->crashes, (w->ncrashes + 1) * sizeof *n);
	if (!n) {
		pthread_mutex_unlock(&w->lock);
		free(copy);
		return -1;
	}
	w->crashes = n;
	memset(&n[w->ncrashes], 0, sizeof *n);
	n[w->ncrashes].path = copy;
	int i = (int)w->ncrashes++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return i;
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
	if (!w)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		w->cancel = 1;
		w->cs.cancel = 1;
		pthread_cond_signal(&w->wake);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	for (uint32_t i = 0; i < w->ncrashes; i++) {
		free(w->crashes[i].path);
		json_decref(w->crashes[i].doc);
		rep_free(w->crashes[i].rep);
	}
	free(w->crashes);
	for (size_t k = 0; w->answer_names && k < w->answer_n; k++)
		free(w->answer_names[k]);
	free(w->answer_names);
	free(w->answer_addrs);
	free(w->names_addrs);
	sym_cache_close(w->sym_owned);
	sym_report_free(&w->sym_report);
	worker__cs_free(w);
	free(w);
}

int worker_symbols_report(tui_worker *w, const sym_cache *c, const sym_report **out)
{
	pthread_mutex_lock(&w->lock);
	int ready = c && w->sym_owned == c && w->sym_report_ready;
	*out = ready ? &w->sym_report : NULL;
	pthread_mutex_unlock(&w->lock);
	return ready;
}

uint32_t worker_seq(tui_worker *w)
{
	return atomic_load(&w->seq);
}

uint32_t worker_ncrashes(const tui_worker *w)
{
	return w ? w->ncrashes : 0;
}

const tui_crash *worker_crash(const tui_worker *w, uint32_t i)
{
	return w && i < w->ncrashes ? &w->crashes[i] : NULL;
}

void worker_activity_get(const tui_worker *w, worker_activity *out)
{
	memset(out, 0, sizeof *out);
	if (w->busy && w->busy_crash < w->ncrashes) {
		out->walking = w->crashes[w->busy_crash].path;
		out->threads_done = w->threads_done;
		out->threads_total = w->threads_total;
		out->downloading = w->downloading;
		out->dl = w->dl;
		out->reprocessing = w->cs.compare == CSJ_RUNNING;
	}
	if (w->cs.fetching[0])
		out->fetching = w->cs.fetching;
	out->searching = w->cs.search == CSJ_RUNNING || w->cs.search == CSJ_ASKED;
	out->search_done = w->cs.done;
	out->search_wanted = w->cs.total_wanted;
}

int worker_symbols_answer(tui_worker *w, worker_symbols *out)
{
	pthread_mutex_lock(&w->lock);
	int answered = w->want_sym == 2;
	if (answered) {
		out->cache = w->sym_answer;
		out->status = w->sym_answer_status;
		/* The worker leaves its report alone until the next request. */
		out->report = w->sym_answer && w->sym_owned == w->sym_answer && w->sym_report_ready
				      ? &w->sym_report : NULL;
		snprintf(out->error, sizeof out->error, "%s", w->sym_error);
		w->want_sym = 0;
	}
	pthread_mutex_unlock(&w->lock);
	return answered;
}
