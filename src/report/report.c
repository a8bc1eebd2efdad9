/*
 * report.c - opening a crash (report.h): the processed-result cache around
 * proc_crash_open(), processed JSON files, and stored Crash Stats crashes.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../crashstats/crashstats.h"
#include "report.h"

/* ---- the cache key ------------------------------------------------------ */

/* The identity of the annotations the JSON would include. */
static void annotations_key(const char *dump, const char *given, cd_buf *b)
{
	char extra[4096];
	const char *p = given;
	if (!p && proc_extra_path(dump, extra, sizeof extra) == CD_OK)
		p = extra;
	struct stat st;
	if (p && stat(p, &st) == 0)
		cd_buf_printf(b, "|extra:%s:%lld:%lld.%09ld", p, (long long)st.st_size,
			      (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	else
		cd_buf_puts(b, "|extra:none");
}

/* The key of a processed result: which symbols each module has now (local
 * files only), the layout and the annotations; NULL when it cannot be made. */
static char *result_key(const char *path, const rep_opts *o, const rep_crash *c)
{
	char *k = NULL;
	cd_err e;
	if (!o->symbols) {
		k = strdup("nosymbols");
	} else if (sym_store_symkey(o->symbols, c->mods, c->nmods, &k, &e) != CD_OK) {
		return NULL;
	}
	if (!k)
		return NULL;
	cd_buf b;
	cd_buf_init(&b, 1 << 14);
	cd_buf_puts(&b, k);
	cd_buf_puts(&b, "|" REP_LAYOUT);
	/* a walk cut by CRASHDESK_MAX_FRAMES is another result */
	uint32_t maxf = proc_frame_limit_override();
	if (maxf)
		cd_buf_printf(&b, "|frames:%u", maxf);
	annotations_key(path, o->annotations, &b);
	free(k);
	char *key = b.data ? strdup(b.data) : NULL;
	cd_buf_free(&b);
	return key;
}

/* The dump's modules, copied (they outlive the dump): the key of its
 * result is made of their symbols. */
static int copy_modules(const md_dump *d, rep_crash *c)
{
	if (c->mods)
		return CD_OK;
	c->mods = calloc(d->nmodules ? d->nmodules : 1, sizeof *c->mods);
	if (!c->mods)
		return CD_ENOMEM;
	for (uint32_t i = 0; i < d->nmodules; i++) {
		const md_module *m = &d->modules[i];
		c->mods[i] = (sym_module_ref){ strdup(m->debug_file), strdup(m->debug_id),
					       strdup(m->code_file), strdup(m->code_id) };
		c->nmods++;
	}
	return CD_OK;
}

/* The key of a dump's results (d is the open dump): the SHA-256 of the
 * file, or for a dump over MD_WHOLE_HASH_MAX the hash of the bytes its
 * parse read (its content_id), so a sparse file's holes are never read. */
static int dump_key(const char *path, const md_dump *d, char hex[65], cd_err *e)
{
	if (d->file_size <= MD_WHOLE_HASH_MAX)
		return cd_sha256_file(path, hex, e);
	if (!d->content_id[0])
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	memcpy(hex, d->content_id, 65);
	return CD_OK;
}

/* The same before a walk, to look a result up, with the dump's key (from
 * this open dump, so a big one is not parsed twice). A dump that cannot be
 * opened has neither; the walk says why. */
static int read_modules(const char *path, rep_crash *c)
{
	md_dump *d;
	cd_err e;
	if (md_open(path, &d, &e) != CD_OK)
		return CD_OK;
	int rc = copy_modules(d, c);
	if (dump_key(path, d, c->sha256, &e) != CD_OK)
		c->sha256[0] = 0;
	md_close(d);
	return rc;
}

json_t *rep_as_walked(json_t *v)
{
	if (json_is_object(v)) {
		json_t *o = json_object();
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x)
			if (k[0] != '_')
				json_object_set_new(o, k, rep_as_walked(x));
		return o;
	}
	if (json_is_array(v)) {
		json_t *a = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			json_array_append_new(a, rep_as_walked(x));
		return a;
	}
	return json_incref(v);
}

/* ---- the three kinds of input -------------------------------------------- */

static int open_dump(const char *path, const rep_opts *o, rep_crash *c, cd_err *e)
{
	/* The modules name the symbols of a stored result and the key names
	 * the dump: both read first when one is looked up, else taken from the
	 * walk when it is stored (rep_keep). */
	if (o->reuse && o->db && read_modules(path, c) != CD_OK)
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	cd_err he;
	if (o->reuse && c->sha256[0]) {
		char *key = result_key(path, o, c), *text = NULL;
		if (key && store_processed_get(o->db, c->sha256, key, &text, NULL, &he) == CD_OK) {
			/* Stored as valid JSON: printing it needs no parse. */
			json_t *doc = o->text_only ? NULL : json_loads(text, 0, NULL);
			if (o->text_only || json_is_object(doc)) {
				c->source = REP_REUSED;
				c->doc = doc;
				c->text = text;
				free(key);
				/* The memory is the dump's: kept when asked for. */
				if (o->keep_dump && md_open(path, &c->dump, &he) != CD_OK)
					c->dump = NULL;
				return CD_OK;
			}
			json_decref(doc);
		}
		free(text);
		free(key);
	}
	int rc = proc_crash_open(path, o->symbols, o->annotations, o->progress, o->progress_ctx,
				 o->cancel, &c->walk, e);
	if (rc != CD_OK)
		return rc;
	c->source = REP_WALKED;
	if (copy_modules(c->walk->dump, c) != CD_OK)
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	if (o->walk_only && !o->db)
		return CD_OK;
	if (o->text_only && !o->store_later) {
		/* Text alone: written a thread at a time, never the whole tree. */
		if (proc_crash_text(c->walk, &c->text) != CD_OK)
			return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
		rep_keep(c, path, o, &he);
		return CD_OK;
	}
	if (!(c->doc = proc_crash_json(c->walk)))
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	/* The text is what is stored and what --json prints; made later by
	 * rep_keep() when storing waits. */
	if (!o->store_later && !(c->text = json_dumps(c->doc, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	if (!o->store_later)
		rep_keep(c, path, o, &he);
	return CD_OK;
}

int rep_keep(rep_crash *c, const char *path, const rep_opts *o, cd_err *e)
{
	/* Keyed by the symbols the walk had, downloads included, so the next
	 * open of the dump finds it before walking. A walk with a failed
	 * thread is not kept: the next one may do better. */
	if (!o->db || c->source != REP_WALKED || !c->walk || c->walk->nfailed)
		return CD_OK;
	if (!c->text) {
		json_t *clean = rep_as_walked(c->doc);
		c->text = clean ? json_dumps(clean, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(clean);
		if (!c->text)
			return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	}
	if (!c->sha256[0] && dump_key(path, c->walk->dump, c->sha256, e) != CD_OK) {
		c->sha256[0] = 0;
		return e->code;
	}
	char *key = result_key(path, o, c);
	if (!key)
		return cd_errf(e, CD_ENOMEM, "%s: cannot name its symbols", path);
	int rc = store_processed_put(o->db, c->sha256, key, c->text, e);
	free(key);
	return rc;
}

static int open_json(const char *path, rep_crash *c, cd_err *e)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);
	if (!json_is_object(doc)) {
		int rc = cd_errf(e, CD_EFORMAT, "%s:%d:%d: %s", path, je.line, je.column,
				 doc ? "not a JSON object" : je.text);
		json_decref(doc);
		return rc;
	}
	/* Socorro's processed crash holds rust-minidump's in json_dump. */
	json_t *jd = json_object_get(doc, "json_dump");
	if (json_is_object(jd)) {
		json_incref(jd);
		json_decref(doc);
		doc = jd;
	}
	c->source = REP_JSON;
	c->doc = doc;
	return CD_OK;
}

static json_t *load_doc(store *db, const char *id, const char *kind)
{
	char *text = NULL;
	cd_err e;
	if (store_crash_doc_get(db, id, kind, &text, NULL, &e) != CD_OK)
		return NULL;
	json_t *doc = json_loads(text, 0, NULL);
	free(text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int rep_stored_crash(store *db, const char *id, const char *dump_note, json_t **out, cd_err *e)
{
	*out = NULL;
	json_t *proc = db ? load_doc(db, id, "processed") : NULL;
	if (!proc)
		return cd_errf(e, CD_ENOTFOUND, "%s: no processed crash stored", id);
	json_t *raw = load_doc(db, id, "raw");
	/* The panes read rust-minidump's schema: Socorro's json_dump, with
	 * the raw crash's annotations where a walk puts the .extra's. */
	json_t *jd = json_object_get(proc, "json_dump");
	json_t *doc = json_is_object(jd) ? json_deep_copy(jd) : json_object();
	if (!doc) {
		json_decref(proc);
		json_decref(raw);
		return cd_errf(e, CD_ENOMEM, "out of memory");
	}
	store_crash sc;
	cs_crash_summary(id, raw, proc, &sc);
	char dump[4400] = "";
	cd_err de;
	if (store_crash_dump_get(db, id, "upload_file_minidump", dump, sizeof dump, NULL, &de) !=
	    CD_OK)
		snprintf(dump, sizeof dump, "%s",
			 dump_note && *dump_note
				 ? dump_note
				 : "not stored (fetching it needs an API token: CRASHSTATS_API_TOKEN)");
	json_t *info = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s}", "id", id, "signature",
				 sc.signature, "product", sc.product, "version", sc.version,
				 "channel", sc.channel, "date", sc.date, "dump", dump);
	/* The signature's bugs as last asked (Crash Stats' Bugs API). */
	char *bugs = NULL;
	int64_t bugs_at = 0;
	if (info && sc.signature &&
	    store_sigbugs_get(db, sc.signature, &bugs, &bugs_at, &de) == CD_OK) {
		json_t *ids = json_loads(bugs, 0, NULL);
		if (json_is_array(ids)) {
			json_object_set_new(info, "bugs", ids);
			json_object_set_new(info, "bugs_at", json_integer(bugs_at));
		} else {
			json_decref(ids);
		}
	}
	free(bugs);
	/* sc borrows from raw and proc: packed before they go. */
	json_object_set_new(doc, "annotations", raw ? raw : json_object());
	json_object_set_new(doc, "_crashstats", info ? info : json_object());
	json_decref(proc);
	*out = doc;
	return CD_OK;
}

int rep_open(const char *path, const rep_opts *o, rep_crash **out, cd_err *e)
{
	*out = NULL;
	rep_crash *c = calloc(1, sizeof *c);
	if (!c)
		return cd_errf(e, CD_ENOMEM, "out of memory");
	size_t len = strlen(path), plen = strlen(REP_CS_PREFIX);
	int rc;
	if (!strncmp(path, REP_CS_PREFIX, plen)) {
		c->source = REP_STORED;
		rc = rep_stored_crash(o->db, path + plen, NULL, &c->doc, e);
	} else if (len > 5 && !strcmp(path + len - 5, ".json")) {
		rc = open_json(path, c, e);
	} else {
		rc = open_dump(path, o, c, e);
	}
	if (rc != CD_OK) {
		rep_free(c);
		return rc;
	}
	*out = c;
	return CD_OK;
}

const md_dump *rep_dump(const rep_crash *c)
{
	return c->walk ? c->walk->dump : c->dump;
}

uint32_t rep_failed(const rep_crash *c)
{
	return c->walk ? c->walk->nfailed : 0;
}

void rep_free(rep_crash *c)
{
	if (!c)
		return;
	json_decref(c->doc);
	free(c->text);
	proc_crash_free(c->walk);
	md_close(c->dump);
	for (size_t i = 0; i < c->nmods; i++) {
		free((char *)c->mods[i].debug_file);
		free((char *)c->mods[i].debug_id);
		free((char *)c->mods[i].code_file);
		free((char *)c->mods[i].code_id);
	}
	free(c->mods);
	free(c);
}
