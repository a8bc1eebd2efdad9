/* internal.h - what the files of src/crashstats/ share: the transfer
 * engine (client.c) and small helpers. */
#ifndef CD_CRASHSTATS_INTERNAL_H
#define CD_CRASHSTATS_INTERNAL_H

#include <stdatomic.h>
#include <curl/curl.h>

#include "crashstats.h"

int cs__url_ok(const char *url);
int cs__token_ok(const char *t);

/* One GET, retried until it ends. The caller fills url (owned by the
 * request) and, for a dump, tmp_path (streamed there while hashing);
 * the engine fills the rest. */
typedef struct cs__req {
	char *url;
	int to_file;
	char tmp_path[1200];
	int fd;
	cd_sha256 sha;
	char sha_hex[65];
	uint64_t got;
	cd_buf body; /* the JSON body, or an error page's start */
	long status;
	double retry_after; /* seconds; < 0 when the answer had none */
	int attempts;
	int64_t due_ms;
	int state; /* 0 waiting, 1 running, 2 done */
	cs_status result;
	char msg[400];
	CURL *h;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	cs_client *client;
	/* the caller's */
	size_t tag;
	int part;
} cs__req;

typedef void (*cs__done_fn)(void *ctx, cs__req *r);

/* Runs every request with the client's parallelism and retries, calling
 * done (on this thread) as each ends; done may free the request's body.
 * CD_ECANCELED when *cancel became non-zero (the unfinished requests end
 * CS_SKIPPED, done is not called for them). */
int cs__run(cs_client *c, cs__req **reqs, size_t n, cs__done_fn done, void *ctx,
	    const atomic_int *cancel, cd_err *e);
void cs__req_reset(cs__req *r);
/* "{base}/api/{endpoint}/?{query}" (caller frees). */
char *cs__api_url(const cs_client *c, const char *endpoint, const char *query);
/* Replaces every occurrence of the client's token in s by "[token]". */
void cs__scrub(const cs_client *c, char *s);
/* URL-encodes s onto b. */
int cs__encode(cd_buf *b, const char *s);
/* A JSON body parsed; on failure msg says where it broke. */
json_t *cs__parse_json(const char *text, size_t len, const char *what, char *msg, size_t msgsize);

/* The server's words from an error body (JSON "error", "detail" or
 * Django's "errors", else the start of the text; "an HTML page"). */
void cs__error_text(const char *body, size_t len, char *out, size_t n);
/* Adds one SuperSearch answer to out (hits up to limit, facets when
 * first); CS_FAILED with msg when it lacks "hits" or "total". got is the
 * number of hits the page held. */
cs_status cs__search_page(json_t *doc, cs_search_result *out, size_t limit, int first,
			  size_t *got, char *msg, size_t msgsize);
/* JSON as crashstats-tools' fetch-data writes it (caller frees). */
char *cs__fetch_data_json(json_t *j, size_t flags);

#endif
