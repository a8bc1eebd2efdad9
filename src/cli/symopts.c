/*
 * symopts.c - where symbols come from, as the commands that need them
 * say it: local stores, symbol servers, the cache directory and how the
 * network is used; and what the user sees of it: a progress line while
 * downloading, the modules left without symbols and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../store/store.h"
#include "cli.h"

int cli_symopt(cli_symopts *o, const char *cmd, int val, const char *v)
{
	switch (val) {
	case CLI_OPT_OFFLINE:
		o->net.offline = 1;
		return 1;
	case CLI_OPT_REFRESH:
		o->net.refresh = 1;
		return 1;
	case CLI_OPT_CACHE_DIR:
		o->cache_dir = v;
		return 1;
	case CLI_OPT_SYMBOLS_TMP:
		o->tmp_dir = v;
		return 1;
	case CLI_OPT_SYMBOLS_PATH:
	case CLI_OPT_SYMBOLS_URL: {
		int url = val == CLI_OPT_SYMBOLS_URL;
		int *n = url ? &o->nurls : &o->npaths;
		if (*n == CLI_MAX_SOURCES) {
			cli_error("%s: at most %d --symbols-%s", cmd, CLI_MAX_SOURCES, url ? "url" : "path");
			return -1;
		}
		if (url && strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) {
			cli_error("%s: --symbols-url wants an http:// or https:// URL, not '%s'", cmd, v);
			return -1;
		}
		(url ? o->urls : o->paths)[(*n)++] = v;
		return 1;
	}
	case CLI_OPT_JOBS:
	case CLI_OPT_TIMEOUT:
	case CLI_OPT_DL_TIMEOUT: {
		static const struct { int val; const char *name, *what; long max; } nums[] = {
			{ CLI_OPT_JOBS, "--jobs", "a number from 1 to 64", 64 },
			{ CLI_OPT_TIMEOUT, "--timeout", "seconds", 86400 },
			{ CLI_OPT_DL_TIMEOUT, "--symbols-download-timeout-secs", "seconds", 86400 },
		};
		int k = val == CLI_OPT_JOBS ? 0 : val == CLI_OPT_TIMEOUT ? 1 : 2;
		char *end;
		long x = strtol(v, &end, 10);
		if (*end || end == v || x < 1 || x > nums[k].max) {
			cli_error("%s: %s wants %s, not '%s'", cmd, nums[k].name, nums[k].what, v);
			return -1;
		}
		if (k == 0)
			o->net.jobs = (int)x;
		else if (k == 1)
			o->net.stall_timeout_s = x;
		else
			o->net.total_timeout_s = x;
		return 1;
	}
	}
	return 0;
}

int cli_symopts_finish(cli_symopts *o)
{
	cd_err e;
	char path[4096];
	if (cd_xdg_path(CD_XDG_CONFIG, "config", path, sizeof path, &e) == CD_OK &&
	    cd_config_load(path, &o->config, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	const cd_config *c = &o->config;
	if (!o->net.jobs)
		o->net.jobs = c->jobs;
	if (!o->net.stall_timeout_s)
		o->net.stall_timeout_s = c->timeout_s;
	if (!o->net.negative_ttl_s)
		o->net.negative_ttl_s = c->negative_ttl_s;
	if (!o->net.max_bytes)
		o->net.max_bytes = c->max_download;
	if (c->offline)
		o->net.offline = 1;
	if (!o->npaths)
		for (int i = 0; i < c->npaths && o->npaths < CLI_MAX_SOURCES; i++)
			o->paths[o->npaths++] = c->paths[i];
	if (!o->nurls) {
		const char *env = getenv("CRASHDESK_SYMBOLS_URL");
		if (env && *env) {
			if (!(o->env_urls = strdup(env))) {
				cli_error("out of memory");
				return 1;
			}
			for (char *save, *t = strtok_r(o->env_urls, " \t,", &save);
			     t && o->nurls < CLI_MAX_SOURCES; t = strtok_r(NULL, " \t,", &save))
				o->urls[o->nurls++] = t;
		} else {
			for (int i = 0; i < c->nurls && o->nurls < CLI_MAX_SOURCES; i++)
				o->urls[o->nurls++] = c->urls[i];
		}
	}
	if (o->cache_dir) {
		snprintf(o->cache_buf, sizeof o->cache_buf, "%s", o->cache_dir);
		if (cd_mkdir_p(o->cache_buf, 0700, &e) != CD_OK) {
			cli_error("%s", e.msg);
			return 1;
		}
	} else if (cd_xdg_dir(CD_XDG_CACHE, NULL, o->cache_buf, sizeof o->cache_buf, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	o->cache_dir = o->cache_buf;
	return 0;
}

int cli_symopts_store(const cli_symopts *o, sym_store **out)
{
	sym_store_opts so = { .paths = o->paths, .npaths = o->npaths, .urls = o->urls,
			      .nurls = o->nurls, .cache_dir = o->cache_dir, .tmp_dir = o->tmp_dir,
			      .net = o->net };
	cd_err e;
	if (sym_store_open(&so, out, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	return 0;
}

void cli_symopts_free(cli_symopts *o)
{
	free(o->env_urls);
	o->env_urls = NULL;
	cd_config_free(&o->config);
}

size_t cli_print_missing(const char *dump, sym_store *s, const sym_module_ref *mods, size_t n)
{
	size_t missing = 0, not_asked = 0;
	for (size_t i = 0; i < n; i++) {
		const sym_module_ref *m = &mods[i];
		if (!m->debug_file || !*m->debug_file || !m->debug_id || !*m->debug_id)
			continue;
		sym_status st = sym_store_status(s, m);
		if (st == SYM_STATUS_LOADED)
			continue;
		if (st == SYM_STATUS_UNKNOWN) {
			not_asked++;
			continue;
		}
		/* The same module twice in a dump is said once. */
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++)
			seen = mods[k].debug_file && !strcmp(mods[k].debug_file, m->debug_file) &&
			       mods[k].debug_id && !strcmp(mods[k].debug_id, m->debug_id);
		if (seen)
			continue;
		missing++;
		const sym_attempt *a;
		size_t na;
		sym_store_why(s, m->debug_file, m->debug_id, &a, &na);
		cd_buf b;
		cd_buf_init(&b, 1 << 16);
		cd_buf_printf(&b, "crashdesk: %s: %s symbols for ", dump,
			      st == SYM_STATUS_CORRUPT ? "damaged" : "no");
		cd_buf_put_printable(&b, cd_basename(m->debug_file), strlen(cd_basename(m->debug_file)));
		cd_buf_puts(&b, " ");
		cd_buf_put_printable(&b, m->debug_id, strlen(m->debug_id));
		if (!na)
			cd_buf_puts(&b, ": no symbol store or server given");
		for (size_t k = 0; k < na; k++) {
			cd_buf_puts(&b, k ? "; " : ": ");
			cd_buf_put_printable(&b, a[k].where, strlen(a[k].where));
			cd_buf_printf(&b, ": %s", sym_answer_name(a[k].answer));
			if (a[k].detail[0]) {
				cd_buf_puts(&b, " (");
				cd_buf_put_printable(&b, a[k].detail, strlen(a[k].detail));
				cd_buf_puts(&b, ")");
			}
		}
		fprintf(stderr, "%s\n", b.data ? b.data : "");
		cd_buf_free(&b);
	}
	if (not_asked)
		fprintf(stderr, "crashdesk: %s: %zu module%s not looked for on the servers: no frame "
			"needed %s (crashdesk sym prefetch fetches every module)\n", dump, not_asked,
			not_asked == 1 ? "" : "s", not_asked == 1 ? "it" : "them");
	return missing;
}

void cli_progress(void *ctx, const sym_progress *p)
{
	(void)ctx;
	if (!isatty(STDERR_FILENO))
		return;
	double mb = (double)p->bytes / 1e6;
	double rate = p->seconds > 0 ? mb / p->seconds : 0;
	if (p->files_done == p->files_total && !p->active) {
		fputs("\r\033[K", stderr); /* the line goes once the work is done */
		return;
	}
	fprintf(stderr, "\r\033[Ksymbols: %u/%u files, %u found, %.1f MB, %.1f MB/s, %u downloading",
		p->files_done, p->files_total, p->files_found, mb, rate, p->active);
	fflush(stderr);
}

void cli_index_symbols(const char *cache_dir, sym_store *s)
{
	char path[4200], cache_dir_sym[4200];
	snprintf(path, sizeof path, "%s/crashdesk.db", cache_dir);
	snprintf(cache_dir_sym, sizeof cache_dir_sym, "%s/symcache", cache_dir);
	store *st;
	cd_err e;
	if (store_open(path, &st, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return;
	}
	size_t n = 0;
	sym_store_entry en;
	while (sym_store_entry_at(s, n, &en) == CD_OK)
		n++;
	size_t k = 0; /* rows: the modules looked up */
	store_symfile *rows = calloc(n ? n : 1, sizeof *rows);
	char (*caches)[4200] = calloc(n ? n : 1, sizeof *caches);
	if (rows && caches) {
		for (size_t i = 0; i < n; i++) {
			sym_store_entry_at(s, i, &en);
			if (!en.looked_up)
				continue;
			uint64_t size = 0;
			FILE *f = en.path ? fopen(en.path, "rb") : NULL;
			if (f) {
				fseek(f, 0, SEEK_END);
				long sz = ftell(f);
				size = sz > 0 ? (uint64_t)sz : 0;
				fclose(f);
			}
			cd_err ce;
			if (!en.path || sym_cache_path(en.path, cache_dir_sym, caches[k], sizeof caches[k],
						       &ce) != CD_OK)
				caches[k][0] = 0;
			rows[k] = (store_symfile){
				.debug_file = en.debug_file, .debug_id = en.debug_id,
				.source = en.source, .path = en.path,
				.status = !en.path ? "missing"
					  : en.status == SYM_STATUS_CORRUPT ? "damaged" : "ok",
				.cache_file = caches[k][0] ? caches[k] : NULL, .size = size,
				.remote = en.remote,
			};
			k++;
		}
		if (store_symfile_put(st, rows, k, &e) != CD_OK)
			cli_error("%s", e.msg);
	}
	free(rows);
	free(caches);
	sym_store_counts c;
	sym_store_counts_get(s, &c);
	const char *names[] = { "local_hits", "cache_hits", "downloads", "negative_hits", "misses",
				"requests", "bytes" };
	int64_t vals[] = { (int64_t)c.local_hits, (int64_t)c.cache_hits, (int64_t)c.downloads,
			   (int64_t)c.negative_hits, (int64_t)c.misses, (int64_t)c.requests,
			   (int64_t)c.bytes };
	if (store_counter_add(st, names, vals, 7, &e) != CD_OK)
		cli_error("%s", e.msg);
	store_close(st);
}
