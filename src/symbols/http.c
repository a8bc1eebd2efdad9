/*
 * http.c - symbol files from symbol servers: parallel downloads with the
 * libcurl multi interface, each streamed (gzip inflated on the way) into a
 * temporary file, checked, and only then renamed to its place. A file that
 * is not complete and correct never gets a name a reader would take.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <zlib.h>

#include "internal.h"

const char *sym_answer_name(sym_answer a)
{
	static const char *const names[SYM_ANS_COUNT] = {
		[SYM_ANS_FOUND] = "found", [SYM_ANS_ABSENT] = "absent",
		[SYM_ANS_NOT_FOUND] = "404", [SYM_ANS_KNOWN_MISSING] = "404 (remembered)",
		[SYM_ANS_OFFLINE] = "not asked (offline)", [SYM_ANS_HTTP_ERROR] = "HTTP error",
		[SYM_ANS_TIMEOUT] = "timeout", [SYM_ANS_NETWORK] = "network error",
		[SYM_ANS_WRONG_ID] = "wrong debug id", [SYM_ANS_DAMAGED] = "damaged",
		[SYM_ANS_TOO_BIG] = "too big", [SYM_ANS_CANCELED] = "canceled",
	};
	return (unsigned)a < SYM_ANS_COUNT ? names[a] : "?";
}

int sym_check_module_line(const char *path, const char *debug_id, cd_err *e)
{
	gzFile f = gzopen(path, "rb");
	if (!f)
		return cd_errf(e, CD_EIO, "%s: cannot open: %s", path, strerror(errno));
	char line[512];
	int n = gzread(f, line, sizeof line - 1);
	gzclose(f);
	if (n < 0)
		return cd_errf(e, CD_EFORMAT, "%s:1: cannot be read (damaged gzip data)", path);
	line[n] = 0;
	line[strcspn(line, "\r\n")] = 0;
	/* MODULE os arch id name */
	char os[64], arch[64], id[128];
	if (strncmp(line, "MODULE ", 7) || sscanf(line + 7, "%63s %63s %127s", os, arch, id) != 3)
		return cd_errf(e, CD_EFORMAT, "%s:1: not a symbol file (no MODULE line)", path);
	if (debug_id && strcasecmp(id, debug_id))
		return cd_errf(e, CD_EFORMAT, "%s:1: MODULE line names debug id %s, not %s", path, id,
			       debug_id);
	return CD_OK;
}

/* ---- one transfer ----------------------------------------------------------- */

typedef struct xfer {
	CURL *h;
	sym__dl *dl;
	FILE *f;
	char tmp[4096];
	z_stream z;
	int gz;               /* -1 not known yet, 0 plain, 1 gzip */
	int z_init, z_end, z_bad;
	int too_big, write_failed;
	int status;           /* of the response being read (after redirects) */
	uint64_t declared;    /* a Content-Length over the limit, 0 none */
	int bomb;             /* inflated past SYM_MAX_INFLATION times its input */
	uint64_t in_bytes, out_bytes;
	double retry_after;   /* seconds, -1 none */
	uint8_t head[2];      /* the first bytes, before we know if it is gzip */
	int nhead;
	const sym_net_opts *o;
	uint64_t *bytes;
	struct xfer *next;
} xfer;

/* A gzip body that inflates past SYM_MAX_INFLATION times its size is
 * refused before it fills the disk. */
static int put_out(xfer *x, const void *p, size_t n)
{
	x->out_bytes += n;
	if (x->out_bytes > x->o->max_bytes) {
		x->too_big = 1;
		return -1;
	}
	if (x->gz == 1 && x->out_bytes > (1u << 20) && x->out_bytes / SYM_MAX_INFLATION > x->in_bytes) {
		x->too_big = x->bomb = 1;
		return -1;
	}
	if (n && fwrite(p, 1, n, x->f) != n) {
		x->write_failed = 1;
		return -1;
	}
	return 0;
}

static int inflate_some(xfer *x, const uint8_t *p, size_t n)
{
	uint8_t out[65536];
	x->z.next_in = (Bytef *)p;
	x->z.avail_in = (uInt)n;
	while (x->z.avail_in && !x->z_end) {
		x->z.next_out = out;
		x->z.avail_out = sizeof out;
		int rc = inflate(&x->z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			x->z_bad = 1;
			return 0; /* keep reading; judged at the end */
		}
		if (put_out(x, out, sizeof out - x->z.avail_out))
			return -1;
		if (rc == Z_STREAM_END)
			x->z_end = 1;
		else if (rc == Z_BUF_ERROR && x->z.avail_out)
			break;
	}
	return 0;
}

static int feed(xfer *x, const uint8_t *p, size_t n)
{
	if (x->gz < 0) {
		/* Decide on the first two bytes: gzip's magic, whatever the
		 * headers said (Content-Encoding or a .sym.gz body alike). */
		while (n && x->nhead < 2) {
			x->head[x->nhead++] = *p++;
			n--;
		}
		if (x->nhead < 2)
			return 0;
		x->gz = x->head[0] == 0x1f && x->head[1] == 0x8b;
		if (x->gz) {
			if (inflateInit2(&x->z, 16 + MAX_WBITS) != Z_OK)
				return -1;
			x->z_init = 1;
			if (inflate_some(x, x->head, 2))
				return -1;
		} else if (put_out(x, x->head, 2))
			return -1;
	}
	if (!n || x->z_end)
		return 0;
	return x->gz ? inflate_some(x, p, n) : put_out(x, p, n);
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
	xfer *x = ctx;
	size_t n = size * nmemb;
	long code = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
	x->in_bytes += n;
	*x->bytes += n;
	if (code != 200)
		return n; /* an error page: not kept */
	if (x->in_bytes > x->o->max_bytes) {
		x->too_big = 1;
		return 0;
	}
	return feed(x, (const uint8_t *)p, n) ? 0 : n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ctx)
{
	xfer *x = ctx;
	size_t n = size * nmemb;
	double wait;
	if (n > 5 && !strncmp(p, "HTTP/", 5)) {
		x->retry_after = -1; /* a new response (after a redirect) */
		const char *sp = memchr(p, ' ', n);
		x->status = sp && (size_t)(sp - p) + 4 <= n ? atoi(sp + 1) : 0;
	} else if ((wait = cd_http_retry_after(p, n, time(NULL))) >= 0) {
		x->retry_after = wait;
	} else if (x->status == 200 && n > 15 && !strncasecmp(p, "Content-Length:", 15)) {
		/* A body declared too big is refused before a byte of it is read. */
		char num[32];
		size_t k = n - 15 < sizeof num - 1 ? n - 15 : sizeof num - 1;
		memcpy(num, p + 15, k);
		num[k] = 0;
		unsigned long long len = strtoull(num, NULL, 10);
		if (len > x->o->max_bytes) {
			x->too_big = 1;
			x->declared = len;
			return 0; /* ends the transfer */
		}
	}
	return n;
}

static void xfer_free(xfer *x, CURLM *m)
{
	if (x->h) {
		curl_multi_remove_handle(m, x->h);
		curl_easy_cleanup(x->h);
	}
	if (x->f)
		fclose(x->f);
	if (x->tmp[0])
		unlink(x->tmp);
	if (x->z_init)
		inflateEnd(&x->z);
	free(x);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int mkdirs_for(const char *file)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", file);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	*slash = 0;
	cd_err e;
	return cd_mkdir_p(dir, 0700, &e);
}

/* ---- the scheduler ------------------------------------------------------------ */

typedef struct run {
	sym__dl *dl;
	size_t n;
	const sym_net_opts *o;
	const char *tmp_dir;
	sym__note_fn note;
	CURLM *m;
	xfer *live;
	int nlive;
	uint64_t *requests, *bytes;
	uint64_t rng;
	uint32_t done, found;
} run;

static uint64_t rnd(run *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

static int start(run *r, sym__dl *d, cd_err *e)
{
	xfer *x = calloc(1, sizeof *x);
	if (!x)
		return cd_errf(e, CD_ENOMEM, "out of memory");
	x->dl = d;
	x->o = r->o;
	x->bytes = r->bytes;
	x->gz = -1;
	x->retry_after = -1;
	snprintf(x->tmp, sizeof x->tmp, "%s/dl-%ld-XXXXXX", r->tmp_dir, (long)getpid());
	int fd = mkstemp(x->tmp);
	if (fd < 0) {
		int err = errno;
		x->tmp[0] = 0;
		free(x);
		return cd_errf(e, CD_EIO, "%s: cannot create a temporary file: %s", r->tmp_dir,
			       strerror(err));
	}
	x->f = fdopen(fd, "wb");
	x->h = curl_easy_init();
	if (!x->f || !x->h) {
		if (!x->f)
			close(fd);
		xfer_free(x, r->m);
		return cd_errf(e, CD_ENOMEM, "out of memory");
	}
	const sym_net_opts *o = r->o;
	CURL *h = x->h;
	curl_easy_setopt(h, CURLOPT_URL, d->urls[d->cur]);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, o->total_timeout_s);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o->stall_timeout_s);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "crashdesk");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* We inflate ourselves (as it streams to disk), so ask for gzip
	 * without letting libcurl decode it. */
	curl_easy_setopt(h, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
	if (curl_multi_add_handle(r->m, h) != CURLM_OK) {
		xfer_free(x, r->m);
		return cd_errf(e, CD_EIO, "libcurl refused a transfer");
	}
	x->next = r->live;
	r->live = x;
	r->nlive++;
	d->running = 1;
	(*r->requests)++;
	return CD_OK;
}

/* The current URL gave its final answer: on to the next candidate, or done. */
static void next_url(run *r, sym__dl *d, sym_answer a)
{
	if (a == SYM_ANS_NOT_FOUND)
		d->nmissing++;
	d->cur++;
	d->tries = 0;
	d->not_before_ms = 0;
	if (d->cur >= d->nurls) {
		d->done = 1;
		d->all_missing = d->nmissing == d->nurls;
		r->done++;
	}
}

static void retry_or_give_up(run *r, sym__dl *d, sym_answer a, const char *what,
			     double retry_after)
{
	const sym_net_opts *o = r->o;
	const char *url = d->urls[d->cur];
	if (d->tries < o->retries) {
		int64_t delay;
		if (retry_after >= 0)
			delay = (int64_t)((retry_after < (double)o->max_retry_after_s
						   ? retry_after
						   : (double)o->max_retry_after_s) *
					  1000);
		else {
			delay = (int64_t)o->backoff_ms << (d->tries < 16 ? d->tries : 16);
			/* Jitter spreads the retries of many modules that failed together. */
			delay += (int64_t)(rnd(r) % (uint64_t)(o->backoff_ms + 1));
		}
		d->tries++;
		d->not_before_ms = now_ms() + delay;
		return;
	}
	char detail[256];
	snprintf(detail, sizeof detail, "%s after %d tr%s", what, d->tries + 1,
		 d->tries ? "ies" : "y");
	r->note(d->ctx, url, a, detail);
	next_url(r, d, a);
}

static void finish(run *r, xfer *x, CURLcode res)
{
	sym__dl *d = x->dl;
	const char *url = d->urls[d->cur];
	long code = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
	d->running = 0;
	char what[320];
	if (x->too_big) {
		if (x->declared)
			snprintf(what, sizeof what, "declares %llu bytes, more than the %llu allowed",
				 (unsigned long long)x->declared, (unsigned long long)r->o->max_bytes);
		else if (x->bomb)
			snprintf(what, sizeof what,
				 "inflates to more than %d times its %llu bytes: refused as a gzip bomb",
				 SYM_MAX_INFLATION, (unsigned long long)x->in_bytes);
		else
			snprintf(what, sizeof what, "more than %llu bytes",
				 (unsigned long long)r->o->max_bytes);
		r->note(d->ctx, url, SYM_ANS_TOO_BIG, what);
		next_url(r, d, SYM_ANS_TOO_BIG);
		return;
	}
	if (x->write_failed) {
		snprintf(what, sizeof what, "cannot write %s: %s", x->tmp, strerror(errno));
		r->note(d->ctx, url, SYM_ANS_DAMAGED, what);
		next_url(r, d, SYM_ANS_DAMAGED);
		return;
	}
	switch (res) {
	case CURLE_OK:
		break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(what, sizeof what, "%s", curl_easy_strerror(res));
		r->note(d->ctx, url, SYM_ANS_TIMEOUT, what);
		next_url(r, d, SYM_ANS_TIMEOUT);
		return;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		retry_or_give_up(r, d, SYM_ANS_NETWORK, "connection dropped", -1);
		return;
	default:
		snprintf(what, sizeof what, "%s", curl_easy_strerror(res));
		r->note(d->ctx, url, SYM_ANS_NETWORK, what);
		next_url(r, d, SYM_ANS_NETWORK);
		return;
	}
	if (code == 404 || code == 410) {
		r->note(d->ctx, url, SYM_ANS_NOT_FOUND, "");
		next_url(r, d, SYM_ANS_NOT_FOUND);
		return;
	}
	if (code == 429 || code >= 500) {
		snprintf(what, sizeof what, "HTTP %ld", code);
		retry_or_give_up(r, d, SYM_ANS_HTTP_ERROR, what, x->retry_after);
		return;
	}
	if (code != 200) {
		snprintf(what, sizeof what, "HTTP %ld", code);
		r->note(d->ctx, url, SYM_ANS_HTTP_ERROR, what);
		next_url(r, d, SYM_ANS_HTTP_ERROR);
		return;
	}
	/* A 200: the body is complete as far as HTTP knows; now its content. */
	int bad = fflush(x->f) != 0 || ferror(x->f);
	fclose(x->f);
	x->f = NULL;
	if (bad) {
		snprintf(what, sizeof what, "cannot write %s", x->tmp);
		r->note(d->ctx, url, SYM_ANS_DAMAGED, what);
		next_url(r, d, SYM_ANS_DAMAGED);
		return;
	}
	if (x->gz == 1 && (!x->z_end || x->z_bad)) {
		snprintf(what, sizeof what, "%s gzip body (%llu bytes received)",
			 x->z_bad ? "corrupt" : "truncated", (unsigned long long)x->in_bytes);
		r->note(d->ctx, url, SYM_ANS_DAMAGED, what);
		next_url(r, d, SYM_ANS_DAMAGED);
		return;
	}
	cd_err ce;
	int rc = sym_check_module_line(x->tmp, d->debug_id, &ce);
	if (rc != CD_OK) {
		/* The message names the temporary file: say what the body was. */
		const char *msg = strstr(ce.msg, ":1: ");
		snprintf(what, sizeof what, "%s", msg ? msg + 4 : ce.msg);
		sym_answer a = strstr(what, "names debug id") ? SYM_ANS_WRONG_ID : SYM_ANS_DAMAGED;
		r->note(d->ctx, url, a, what);
		next_url(r, d, a);
		return;
	}
	if (mkdirs_for(d->dest) || rename(x->tmp, d->dest)) {
		snprintf(what, sizeof what, "cannot store it as %s: %s", d->dest, strerror(errno));
		r->note(d->ctx, url, SYM_ANS_DAMAGED, what);
		next_url(r, d, SYM_ANS_DAMAGED);
		return;
	}
	x->tmp[0] = 0;
	r->note(d->ctx, url, SYM_ANS_FOUND, "");
	d->ok = 1;
	d->found = d->cur;
	d->done = 1;
	r->done++;
	r->found++;
}

static void report(run *r, sym_progress_fn progress, void *pctx, int64_t t0)
{
	if (!progress)
		return;
	sym_progress p = { .files_total = (uint32_t)r->n, .files_done = r->done,
			   .files_found = r->found, .active = (uint32_t)r->nlive,
			   .bytes = *r->bytes, .seconds = (double)(now_ms() - t0) / 1000.0 };
	progress(pctx, &p);
}

int sym__fetch(sym__dl *dl, size_t n, const sym_net_opts *o, const char *tmp_dir,
	       sym__note_fn note, sym_progress_fn progress, void *pctx,
	       const atomic_int *cancel, uint64_t *requests, uint64_t *bytes, cd_err *e)
{
	uint64_t ignore_req = 0, ignore_bytes = 0;
	run r = { .dl = dl, .n = n, .o = o, .tmp_dir = tmp_dir, .note = note,
		  .requests = requests ? requests : &ignore_req,
		  .bytes = bytes ? bytes : &ignore_bytes };
	r.rng = ((uint64_t)now_ms() * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid()) | 1;
	for (size_t i = 0; i < n; i++) {
		dl[i].cur = dl[i].tries = dl[i].nmissing = dl[i].running = 0;
		dl[i].ok = dl[i].all_missing = dl[i].done = 0;
		dl[i].found = -1;
		dl[i].not_before_ms = 0;
		if (!dl[i].nurls) {
			dl[i].done = 1;
			r.done++;
		}
	}
	cd_err me;
	if (cd_mkdir_p(tmp_dir, 0700, &me) != CD_OK) {
		*e = me;
		return me.code;
	}
	r.m = curl_multi_init();
	if (!r.m)
		return cd_errf(e, CD_ENOMEM, "libcurl: cannot start");
	curl_multi_setopt(r.m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)o->jobs);
	curl_multi_setopt(r.m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->jobs);
	int rc = CD_OK;
	int64_t t0 = now_ms(), last_report = 0;
	size_t next = 0; /* items before it were started at least once */
	while (r.done < n) {
		if (cancel && *cancel) {
			rc = cd_errf(e, CD_ECANCELED, "downloads canceled");
			break;
		}
		/* Start what may start: retries that are due first, then new items. */
		int64_t now = now_ms(), wake = now + 100;
		for (size_t i = 0; i < next && r.nlive < o->jobs; i++) {
			sym__dl *d = &dl[i];
			if (d->done || d->running)
				continue;
			if (d->not_before_ms > now) {
				if (d->not_before_ms < wake)
					wake = d->not_before_ms;
				continue;
			}
			if ((rc = start(&r, d, e)) != CD_OK)
				goto out;
		}
		while (next < n && r.nlive < o->jobs) {
			sym__dl *d = &dl[next++];
			if (!d->done && (rc = start(&r, d, e)) != CD_OK)
				goto out;
		}
		int still;
		curl_multi_perform(r.m, &still);
		CURLMsg *msg;
		int left, finished = 0;
		while ((msg = curl_multi_info_read(r.m, &left))) {
			finished++;
			if (msg->msg != CURLMSG_DONE)
				continue;
			xfer *x = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			CURLcode res = msg->data.result;
			finish(&r, x, res);
			for (xfer **p = &r.live; *p; p = &(*p)->next)
				if (*p == x) {
					*p = x->next;
					break;
				}
			r.nlive--;
			xfer_free(x, r.m);
		}
		if (now - last_report >= 100) {
			report(&r, progress, pctx, t0);
			last_report = now;
		}
		if (r.done >= n)
			break;
		/* A freed slot is filled at once, not after the next wake-up. */
		if (finished && (next < n || r.nlive < o->jobs))
			continue;
		int wait = (int)(wake - now_ms());
		curl_multi_poll(r.m, NULL, 0, wait < 1 ? 1 : wait > 100 ? 100 : wait, NULL);
	}
out:
	while (r.live) {
		xfer *x = r.live;
		r.live = x->next;
		if (rc == CD_ECANCELED)
			note(x->dl->ctx, x->dl->urls[x->dl->cur], SYM_ANS_CANCELED, "");
		xfer_free(x, r.m);
	}
	report(&r, progress, pctx, t0);
	curl_multi_cleanup(r.m);
	return rc;
}

