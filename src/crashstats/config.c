/* config.c - where the client's settings come from: defaults, the config
 * file, the environment, the command line. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

static int read_file(const char *path, cs_config *cfg, cd_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return CD_OK;
		return cd_errf(e, CD_EIO, "%s: cannot open: %s", path, strerror(errno));
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > (1 << 20)) {
		close(fd);
		return cd_errf(e, CD_EUSAGE, "%s: not a regular file of at most 1 MiB", path);
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return cd_errf(e, CD_EIO, "%s: cannot read: %s", path, strerror(errno));
	}
	snprintf(cfg->config_path, sizeof cfg->config_path, "%s", path);
	char line[2048], where[1100];
	int lineno = 0, rc = CD_OK;
	while (rc == CD_OK && fgets(line, sizeof line, f)) {
		lineno++;
		snprintf(where, sizeof where, "%s:%d", path, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			rc = cd_errf(e, CD_EUSAGE, "%s: line longer than %zu bytes", where,
				     sizeof line - 2);
			break;
		}
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = cd_errf(e, CD_EUSAGE, "%s: expected 'key = value'", where);
			break;
		}
		*eq = 0;
		char *k = trim(s), *v = trim(eq + 1);
		if (!strcmp(k, "crashstats_url"))
			rc = set_url(cfg, v, where, e);
		else if (!strcmp(k, "crashstats_token")) {
			/* Refuse before using it: a token others can read is leaked. */
			if (sb.st_mode & 077)
				rc = cd_errf(e, CD_EUSAGE,
					     "%s holds an API token but is readable by group or others "
					     "(mode %04o); run: chmod 600 %s",
					     path, (unsigned)(sb.st_mode & 07777), path);
			else if (!cs__token_ok(v))
				rc = cd_errf(e, CD_EUSAGE,
					     "%s: crashstats_token is not a token (printable characters "
					     "without blanks)",
					     where);
			else
				snprintf(cfg->token, sizeof cfg->token, "%s", v);
		} else if (!strcmp(k, "jobs")) {
			/* Shared with symbol downloads (up to 64); Crash Stats takes
			 * at most 16 of them. */
			rc = set_int(&cfg->jobs, v, 1, 64, "jobs", where, e);
			if (cfg->jobs > 16)
				cfg->jobs = 16;
		}
		else if (!strcmp(k, "symbols_path")) {
			if (cfg->nsymbols_path == 8 || strlen(v) >= sizeof cfg->symbols_path[0])
				rc = cd_errf(e, CD_EUSAGE, "%s: at most 8 symbols_path lines", where);
			else
				snprintf(cfg->symbols_path[cfg->nsymbols_path++], sizeof cfg->symbols_path[0],
					 "%s", v);
		} else if (!strcmp(k, "symbols_url") || !strcmp(k, "timeout") ||
			   !strcmp(k, "negative_ttl") || !strcmp(k, "max_download") ||
			   !strcmp(k, "offline")) {
			/* The symbol supply's keys of this same file (src/util/config.c). */
		} else
			rc = cd_errf(e, CD_EUSAGE,
				     "%s: unknown key '%s' (crashstats_url, crashstats_token, jobs, "
				     "symbols_path, symbols_url, timeout, negative_ttl, max_download, "
				     "offline)",
				     where, k);
	}
	/* The line buffer may have held the token. */
	memset(line, 0, sizeof line);
	fclose(f);
	return rc;
}

int cs_config_load(const char *config_path, const char *url_override, cs_config *cfg, cd_err *e)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->url, sizeof cfg->url, "%s", CS_DEFAULT_URL);
	cfg->jobs = 2;
	cfg->max_retries = 10;
	cfg->backoff_ms = 400;
	cfg->max_wait_s = 120;
	cfg->timeout_s = 30;
	char path[1100];
	if (!config_path) {
		char dir[1024];
		int rc = cd_xdg_path(CD_XDG_CONFIG, NULL, dir, sizeof dir, e);
		if (rc != CD_OK)
			return rc;
		snprintf(path, sizeof path, "%s/config", dir);
		config_path = path;
	}
	int rc = read_file(config_path, cfg, e);
	if (rc != CD_OK)
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
