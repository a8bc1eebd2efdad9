/* client.c - the transfer engine: parallel GETs with libcurl's multi
 * interface, retries with backoff that honour Retry-After, error answers
 * turned into statuses, and the token kept out of every message. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define ERROR_BODY_MAX (64u << 10)

struct cs_client {
	cs_config cfg;
	int64_t pause_until_ms; /* after a 429 every request waits */
	uint64_t requests, retries;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cs_client_new(const cs_config *cfg, cs_client **out, cd_err *e)
{
	*out = NULL;
	if (!cs__url_ok(cfg->url))
		return cd_errf(e, CD_EUSAGE, "Crash Stats URL must start with http:// or https://");
	if (cfg->token[0] && !cs__token_ok(cfg->token))
		return cd_errf(e, CD_EUSAGE, "the API token has characters a header cannot carry");
	/* Thread-safe since libcurl 7.84; a no-op after the first call. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return cd_errf(e, CD_EIO, "libcurl could not be initialised");
	cs_client *c = calloc(1, sizeof *c);
	if (!c)
		return cd_errf(e, CD_ENOMEM, "out of memory");
	c->cfg = *cfg;
	if (c->cfg.jobs < 1)
		c->cfg.jobs = 1;
	if (c->cfg.jobs > 16)
		c->cfg.jobs = 16;
	if (c->cfg.max_retries < 0)
		c->cfg.max_retries = 0;
	if (!c->cfg.timeout_s)
		c->cfg.timeout_s = 30;
	if (!c->cfg.max_wait_s)
		c->cfg.max_wait_s = 120;
	*out = c;
	return CD_OK;
}

void cs_client_free(cs_client *c)
{
	if (!c)
		return;
	cd_wipe(c->cfg.token, sizeof c->cfg.token);
	free(c);
}

int cs_client_has_token(const cs_client *c) { return c->cfg.token[0] != 0; }
const char *cs_client_url(const cs_client *c) { return c->cfg.url; }

void cs_client_counts(const cs_client *c, uint64_t *requests, uint64_t *retries)
{
	if (requests)
		*requests = c->requests;
	if (retries)
		*retries = c->retries;
}

const char *cs_status_name(cs_status s)
{
	switch (s) {
	case CS_OK: return "ok";
	case CS_UNAVAILABLE: return "unavailable";
	case CS_NOT_FOUND: return "not found";
	case CS_BAD_REQUEST: return "bad request";
	case CS_FAILED: return "failed";
	case CS_SKIPPED: return "skipped";
	}
	return "?";
}

void cs__scrub(const cs_client *c, char *s)
{
	const char *t = c->cfg.token;
	size_t tn = strlen(t);
	if (!tn)
		return;
	static const char mark[] = "[token]";
	char *p;
	while ((p = strstr(s, t))) {
		/* The mark is shorter than any token worth the name; if not, cut. */
		size_t rest = strlen(p + tn);
		if (tn >= sizeof mark - 1) {
			memcpy(p, mark, sizeof mark - 1);
			memmove(p + sizeof mark - 1, p + tn, rest + 1);
		} else {
			memset(p, '*', tn);
		}
	}
}

int cs__encode(cd_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int plain = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~';
		char t[3] = { (char)ch, 0, 0 };
		int rc = plain ? cd_buf_append(b, t, 1)
			       : (t[0] = '%', t[1] = hex[ch >> 4], t[2] = hex[ch & 15],
				  cd_buf_append(b, t, 3));
		if (rc)
			return rc;
	}
	return CD_OK;
}

char *cs__api_url(const cs_client *c, const char *endpoint, const char *query)
{
	cd_buf b;
	cd_buf_init(&b, 1 << 20);
	cd_buf_printf(&b, "%s/api/%s/", c->cfg.url, endpoint);
	if (query && *query)
		cd_buf_printf(&b, "?%s", query);
	if (b.overflow) {
		cd_buf_free(&b);
		return NULL;
	}
	return b.data;
}

json_t *cs__parse_json(const char *text, size_t len, const char *what, char *msg, size_t msgsize)
{
	json_error_t je;
	json_t *j = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!j && msg)
		snprintf(msg, msgsize, "%s: malformed JSON at line %d, column %d (byte %d): %s", what,
			 je.line, je.column, je.position, je.text);
	return j;
}

/* ---- one transfer ------------------------------------------------------ */

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	cs__req *r = ud;
	size_t len = size * n;
	double wait;
	if (len >= 5 && !strncmp(p, "HTTP/", 5))
		r->retry_after = -1; /* a new answer (after a redirect or 100) */
	else if ((wait = cd_http_retry_after(p, len, time(NULL))) >= 0)
		r->retry_after = wait;
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	cs__req *r = ud;
	size_t len = size * n;
	if (!r->status)
		curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->to_file && r->status == 200) {
		if (r->got + len > CS_DUMP_MAX)
			return 0;
		for (size_t off = 0; off < len;) {
			ssize_t w = write(r->fd, p + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return 0;
			off += (size_t)w;
		}
		cd_sha256_update(&r->sha, p, len);
		r->got += len;
		return len;
	}
	if (r->status != 200 && r->body.len + len > ERROR_BODY_MAX)
		return len; /* enough of an error page for its message */
	return cd_buf_append(&r->body, p, len) == CD_OK ? len : 0;
}

void cs__req_reset(cs__req *r)
{
	cd_buf_free(&r->body);
	cd_buf_init(&r->body, CS_JSON_MAX);
	r->status = 0;
	r->retry_after = -1;
	r->got = 0;
	r->errbuf[0] = 0;
	cd_sha256_init(&r->sha);
}

static int start(cs_client *c, CURLM *m, cs__req *r, char *msg, size_t msgsize)
{
	cs__req_reset(r);
	r->client = c;
	if (r->to_file) {
		if (r->fd < 0)
			r->fd = open(r->tmp_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		else if (ftruncate(r->fd, 0) != 0 || lseek(r->fd, 0, SEEK_SET) != 0) {
			snprintf(msg, msgsize, "%s: cannot truncate: %s", r->tmp_path, strerror(errno));
			return -1;
		}
		if (r->fd < 0) {
			snprintf(msg, msgsize, "%s: cannot create: %s", r->tmp_path, strerror(errno));
			return -1;
		}
	}
	CURL *h = r->h ? r->h : curl_easy_init();
	if (!h) {
		snprintf(msg, msgsize, "libcurl: out of memory");
		return -1;
	}
	r->h = h;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "crashdesk/0.1 (crash triage)");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	/* Large dumps take long; a stalled transfer does not. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)c->cfg.timeout_s);
	/* A custom header follows redirects to any host: with a token, a
	 * redirect is reported instead of followed. */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, c->cfg.token[0] ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (!r->hdrs) {
		/* JSON answers: a 429 is then plain text, not an HTML page. */
		struct curl_slist *l = curl_slist_append(NULL, "Accept: application/json");
		if (l && c->cfg.token[0]) {
			char line[300];
			snprintf(line, sizeof line, "Auth-Token: %s", c->cfg.token);
			struct curl_slist *l2 = curl_slist_append(l, line);
			memset(line, 0, sizeof line);
			if (!l2) {
				curl_slist_free_all(l);
				l = NULL;
			}
		}
		if (!l) {
			snprintf(msg, msgsize, "libcurl: out of memory");
			return -1;
		}
		r->hdrs = l;
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->hdrs);
	if (curl_multi_add_handle(m, h) != CURLM_OK) {
		snprintf(msg, msgsize, "libcurl: cannot start a transfer");
		return -1;
	}
	r->state = 1;
	r->attempts++;
	c->requests++;
	return 0;
}

/* The server's own words from an error body: {"error": "..."} or Django's
 * {"errors": {"field": ["message"]}}, else the start of the text. */
void cs__error_text(const char *body, size_t len, char *out, size_t n)
{
	out[0] = 0;
	json_t *j = len ? json_loadb(body, len, 0, NULL) : NULL;
	if (j) {
		json_t *err = json_object_get(j, "error"), *errs = json_object_get(j, "errors");
		json_t *detail = json_object_get(j, "detail");
		if (json_is_string(err))
			snprintf(out, n, "%s", json_string_value(err));
		else if (json_is_string(detail))
			snprintf(out, n, "%s", json_string_value(detail));
		else if (json_is_object(errs)) {
			const char *k;
			json_t *v;
			size_t used = 0;
			json_object_foreach(errs, k, v) {
				json_t *first = json_is_array(v) ? json_array_get(v, 0) : v;
				int w = snprintf(out + used, n - used, "%s%s: %s", used ? "; " : "", k,
						 json_is_string(first) ? json_string_value(first) : "invalid");
				if (w < 0 || (size_t)w >= n - used)
					break;
				used += (size_t)w;
			}
		}
		json_decref(j);
	}
	if (!out[0] && len) {
		if (memmem(body, len, "<html", 5) ||
		    memmem(body, len, "<h2>", 4)) {
			snprintf(out, n, "an HTML page");
			return;
		}
		size_t k = 0;
		for (size_t i = 0; i < len && k + 1 < n && k < 200; i++) {
			unsigned char ch = (unsigned char)body[i];
			out[k++] = ch >= ' ' && ch < 127 ? (char)ch : ' ';
		}
		out[k] = 0;
	}
}

static int transient_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_COULDNT_CONNECT:
		return 1;
	default:
		return 0;
	}
}

/* Decides how a finished transfer ends: 1 when it is done, 0 when it is
 * to be retried (due_ms set). */
static int finish(cs_client *c, cs__req *r, CURLcode cc)
{
	long status = 0;
	curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &status);
	r->status = status;
	char server[300];
	int retry = 0;
	if (cc != CURLE_OK) {
		retry = transient_curl(cc);
		/* A refused connection is most often a wrong URL: fail soon. */
		if (cc == CURLE_COULDNT_CONNECT && r->attempts > 2)
			retry = 0;
		if (cc == CURLE_WRITE_ERROR && r->to_file && r->got)
			snprintf(r->msg, sizeof r->msg, "%s: cannot write the dump (%s)", r->tmp_path,
				 r->got >= CS_DUMP_MAX ? "larger than 4 GiB" : strerror(errno));
		else
			snprintf(r->msg, sizeof r->msg, "%s", r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc));
		r->result = CS_FAILED;
	} else if (status == 200) {
		r->result = CS_OK;
		r->msg[0] = 0;
		if (r->to_file) {
			uint8_t d[32];
			cd_sha256_final(&r->sha, d);
			cd_sha256_hex(d, r->sha_hex);
		}
	} else {
		cs__error_text(r->body.data, r->body.len, server, sizeof server);
		if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
			retry = 1;
			r->result = CS_FAILED;
			snprintf(r->msg, sizeof r->msg, "HTTP %ld%s%s", status, server[0] ? ": " : "",
				 server);
		} else if (status == 403 && c->cfg.token[0] && strcasestr(server, "API token")) {
			/* Not matched, expired, or its user deactivated: every request
			 * will fail the same way, so it is a failure, not missing data. */
			r->result = CS_FAILED;
			snprintf(r->msg, sizeof r->msg, "the API token was refused (HTTP 403: %s)", server);
		} else if (status == 403) {
			r->result = CS_UNAVAILABLE;
			if (!c->cfg.token[0])
				snprintf(r->msg, sizeof r->msg,
					 "unavailable: needs an API token with protected data access "
					 "(set CRASHSTATS_API_TOKEN)");
			else
				snprintf(r->msg, sizeof r->msg,
					 "unavailable: the API token lacks the permission (HTTP 403%s%s)",
					 server[0] ? ": " : "", server);
		} else if (status == 404) {
			r->result = CS_NOT_FOUND;
			if (!strncasecmp(server, "not found", 9))
				snprintf(r->msg, sizeof r->msg, "%s", server);
			else
				snprintf(r->msg, sizeof r->msg, "not found%s%s", server[0] ? ": " : "", server);
		} else if (status == 400) {
			r->result = CS_BAD_REQUEST;
			snprintf(r->msg, sizeof r->msg, "bad request: %s", server[0] ? server : "HTTP 400");
		} else if (status >= 300 && status < 400) {
			char *loc = NULL;
			curl_easy_getinfo(r->h, CURLINFO_REDIRECT_URL, &loc);
			r->result = CS_FAILED;
			snprintf(r->msg, sizeof r->msg,
				 "HTTP %ld redirect to %s not followed: the API token goes only to the "
				 "configured URL",
				 status, loc ? loc : "elsewhere");
		} else {
			r->result = CS_FAILED;
			snprintf(r->msg, sizeof r->msg, "HTTP %ld%s%s", status, server[0] ? ": " : "",
				 server);
		}
	}
	cs__scrub(c, r->msg);
	if (retry && r->attempts <= c->cfg.max_retries) {
		int64_t wait;
		if (r->retry_after >= 0)
			wait = (int64_t)(r->retry_after * 1000);
		else {
			int sh = r->attempts - 1 < 20 ? r->attempts - 1 : 20;
			wait = (int64_t)c->cfg.backoff_ms << sh;
		}
		if (wait > (int64_t)c->cfg.max_wait_s * 1000)
			wait = (int64_t)c->cfg.max_wait_s * 1000;
		r->due_ms = now_ms() + wait;
		/* Throttling is about the client as a whole: everyone waits. */
		if (status == 429 && r->due_ms > c->pause_until_ms)
			c->pause_until_ms = r->due_ms;
		c->retries++;
		return 0;
	}
	if (retry)
		snprintf(r->msg + strlen(r->msg), sizeof r->msg - strlen(r->msg),
			 " (after %d attempts)", r->attempts);
	return 1;
}

static void release(cs__req *r, CURLM *m)
{
	if (r->h) {
		if (r->state == 1)
			curl_multi_remove_handle(m, r->h);
		curl_easy_cleanup(r->h);
		r->h = NULL;
	}
	if (r->hdrs) {
		curl_slist_free_all(r->hdrs);
		r->hdrs = NULL;
	}
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
}

int cs__run(cs_client *c, cs__req **reqs, size_t n, cs__done_fn done, void *ctx,
	    const atomic_int *cancel, cd_err *e)
{
	CURLM *m = curl_multi_init();
	if (!m)
		return cd_errf(e, CD_ENOMEM, "libcurl: out of memory");
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->cfg.jobs);
	for (size_t i = 0; i < n; i++) {
		reqs[i]->state = 0;
		reqs[i]->attempts = 0;
		reqs[i]->due_ms = 0;
		reqs[i]->fd = -1;
		reqs[i]->h = NULL;
		reqs[i]->hdrs = NULL;
		reqs[i]->client = c;
		cd_buf_init(&reqs[i]->body, CS_JSON_MAX);
	}
	size_t ndone = 0, running = 0;
	int rc = CD_OK;
	while (ndone < n) {
		if (cancel && *cancel) {
			rc = cd_errf(e, CD_ECANCELED, "canceled");
			break;
		}
		int64_t now = now_ms(), next_due = now + 100;
		if (now >= c->pause_until_ms) {
			for (size_t i = 0; i < n && running < (size_t)c->cfg.jobs; i++) {
				cs__req *r = reqs[i];
				if (r->state != 0)
					continue;
				if (r->due_ms > now) {
					if (r->due_ms < next_due)
						next_due = r->due_ms;
					continue;
				}
				if (start(c, m, r, r->msg, sizeof r->msg) != 0) {
					r->result = CS_FAILED;
					r->state = 2;
					release(r, m);
					ndone++;
					if (done)
						done(ctx, r);
					continue;
				}
				running++;
			}
		} else if (c->pause_until_ms < next_due)
			next_due = c->pause_until_ms;
		int still;
		curl_multi_perform(m, &still);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			cs__req *r;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
			CURLcode cc = msg->data.result;
			curl_multi_remove_handle(m, r->h);
			r->state = 0;
			running--;
			if (!finish(c, r, cc))
				continue; /* waits for its due time */
			r->state = 2;
			release(r, m);
			ndone++;
			if (done)
				done(ctx, r);
		}
		if (ndone == n)
			break;
		int64_t wait = next_due - now_ms();
		if (wait < 0)
			wait = 0;
		if (wait > 100)
			wait = 100; /* cancel is read at least ten times a second */
		curl_multi_poll(m, NULL, 0, (int)wait, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		cs__req *r = reqs[i];
		if (r->state != 2) {
			release(r, m);
			r->state = 2;
			r->result = CS_SKIPPED;
			snprintf(r->msg, sizeof r->msg, "canceled");
		}
	}
	curl_multi_cleanup(m);
	return rc;
}

/* ---- single requests -------------------------------------------------- */

cs_status cs_get_json(cs_client *c, const char *endpoint, const char *query, json_t **out,
		      char *msg, size_t msgsize, const atomic_int *cancel)
{
	*out = NULL;
	char dummy[8];
	if (!msg) {
		msg = dummy;
		msgsize = sizeof dummy;
	}
	msg[0] = 0;
	cs__req r;
	memset(&r, 0, sizeof r);
	r.url = cs__api_url(c, endpoint, query);
	if (!r.url) {
		snprintf(msg, msgsize, "%s: query too long", endpoint);
		return CS_FAILED;
	}
	cs__req *one = &r;
	cd_err e;
	int rc = cs__run(c, &one, 1, NULL, NULL, cancel, &e);
	cs_status st = r.result;
	if (rc != CD_OK) {
		snprintf(msg, msgsize, "%s", e.msg);
		st = CS_SKIPPED;
	} else if (st == CS_OK) {
		*out = cs__parse_json(r.body.data, r.body.len, endpoint, msg, msgsize);
		if (!*out)
			st = CS_FAILED;
	} else
		snprintf(msg, msgsize, "%s", r.msg);
	cs__scrub(c, msg);
	cd_buf_free(&r.body);
	free(r.url);
	return st;
}
