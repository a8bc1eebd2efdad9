/* config.c - where the client's settings come from: defaults, the config
 * file (as src/util/config.c parsed it), the environment, the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crashstats.h"
#include "internal.h"

int cs__url_ok(const char *url)
{
	return !strncmp(url, "http://", 7) || !strncmp(url, "https://", 8);
}

/* A token goes into a header line: printable ASCII without blanks only,
 * so it can never smuggle in another header. */
int cs__token_ok(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n >= sizeof ((cs_config *)0)->token)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] <= ' ' || t[i] > '~')
			return 0;
	return 1;
}

static int set_url(cs_config *cfg, const char *v, const char *where, cd_err *e)
{
	if (!cs__url_ok(v) || strlen(v) >= sizeof cfg->url)
		return cd_errf(e, CD_EUSAGE, "%s: Crash Stats URL must start with http:// or https://",
			       where);
	snprintf(cfg->url, sizeof cfg->url, "%s", v);
	size_t n = strlen(cfg->url);
	while (n > 8 && cfg->url[n - 1] == '/')
		cfg->url[--n] = 0;
	/* "https://host/api" is taken as the host: the client adds /api/. */
	if (n > 4 && !strcmp(cfg->url + n - 4, "/api"))
		cfg->url[n - 4] = 0;
	return CD_OK;
}

static int set_int(int *out, const char *v, int lo, int hi, const char *what, const char *where,
		   cd_err *e)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi)
		return cd_errf(e, CD_EUSAGE, "%s: %s must be a number from %d to %d, not '%s'", where,
			       what, lo, hi, v);
	*out = (int)x;
	return CD_OK;
}

/* The Crash Stats keys of the one parsed config file (src/util/config.c
 * read it and checked its lines): checked here, where they are used. */
static int from_file(const cd_config *f, cs_config *cfg, cd_err *e)
{
	char where[1100];
	int rc;
	/* Refuse before using it: a token others can read is leaked. The
	 * parser did not keep it. */
	if (f->crashstats_token_line && (f->mode & 077))
		return cd_errf(e, CD_EUSAGE,
			       "%s holds an API token but is readable by group or others "
			       "(mode %04o); run: chmod 600 %s",
			       f->name, f->mode, f->name);
	if (f->crashstats_url_line) {
		snprintf(where, sizeof where, "%s:%u", f->name, f->crashstats_url_line);
		if ((rc = set_url(cfg, f->crashstats_url, where, e)) != CD_OK)
			return rc;
	}
	if (f->crashstats_token_line) {
		if (!f->crashstats_token || !cs__token_ok(f->crashstats_token))
			return cd_errf(e, CD_EUSAGE,
				       "%s:%u: crashstats_token is not a token (printable characters "
				       "without blanks)",
				       f->name, f->crashstats_token_line);
		snprintf(cfg->token, sizeof cfg->token, "%s", f->crashstats_token);
	}
	/* jobs is shared with symbol downloads (up to 64). */
	if (f->jobs)
		cfg->jobs = f->jobs > 16 ? 16 : f->jobs;
	return CD_OK;
}

static int fill(const cd_config *file, const char *url_override, cs_config *cfg, cd_err *e)
{
	snprintf(cfg->url, sizeof cfg->url, "%s", CS_DEFAULT_URL);
	cfg->jobs = 2;
	cfg->max_retries = 10;
	cfg->backoff_ms = 400;
	cfg->max_wait_s = 120;
	cfg->timeout_s = 30;
	int rc;
	if (file && (rc = from_file(file, cfg, e)) != CD_OK)
		return rc;
	const char *v;
	if ((v = getenv("CRASHDESK_CRASHSTATS_URL")) && *v &&
	    (rc = set_url(cfg, v, "CRASHDESK_CRASHSTATS_URL", e)) != CD_OK)
		return rc;
	if ((v = getenv("CRASHSTATS_API_TOKEN")) && *v) {
		if (!cs__token_ok(v))
			return cd_errf(e, CD_EUSAGE,
				       "CRASHSTATS_API_TOKEN is not a token (printable characters "
				       "without blanks, under 256)");
		snprintf(cfg->token, sizeof cfg->token, "%s", v);
	}
	if ((v = getenv("CRASHDESK_CRASHSTATS_JOBS")) && *v &&
	    (rc = set_int(&cfg->jobs, v, 1, 16, "jobs", "CRASHDESK_CRASHSTATS_JOBS", e)) != CD_OK)
		return rc;
	int ms;
	if ((v = getenv("CRASHDESK_CRASHSTATS_BACKOFF_MS")) && *v) {
		if ((rc = set_int(&ms, v, 0, 60000, "backoff", "CRASHDESK_CRASHSTATS_BACKOFF_MS", e)) !=
		    CD_OK)
			return rc;
		cfg->backoff_ms = (unsigned)ms;
	}
	if (url_override && (rc = set_url(cfg, url_override, "--crashstats-url", e)) != CD_OK)
		return rc;
	return CD_OK;
}

int cs_config_from(const cd_config *file, const char *url_override, cs_config *cfg, cd_err *e)
{
	memset(cfg, 0, sizeof *cfg);
	int rc = fill(file, url_override, cfg, e);
	if (rc != CD_OK) /* the file's token may be in it already */
		cd_wipe(cfg->token, sizeof cfg->token);
	return rc;
}

int cs_config_load(const char *config_path, const char *url_override, cs_config *cfg, cd_err *e)
{
	memset(cfg, 0, sizeof *cfg);
	cd_config file;
	int rc = cd_config_load(config_path, &file, e);
	/* A bad line is the user's to fix, as a bad option is. */
	if (rc == CD_EFORMAT) {
		rc = CD_EUSAGE;
		if (e)
			e->code = rc;
	}
	if (rc == CD_OK)
		rc = cs_config_from(&file, url_override, cfg, e);
	cd_config_free(&file);
	return rc;
}
