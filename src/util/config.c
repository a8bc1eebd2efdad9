/* config.c - crashdesk's config file: "key = value" lines. The one reader
 * of $XDG_CONFIG_HOME/crashdesk/config: the symbol options and the Crash
 * Stats client both take their values from what it parsed. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define CONFIG_MAX (1u << 20) /* a config file is small; refuse anything else */
#define LINE_MAX_BYTES 4096

void cd_wipe(void *p, size_t n)
{
	/* A plain memset of memory about to be freed may be optimised away. */
	if (p && n)
		explicit_bzero(p, n);
}

int64_t cd_parse_size(const char *s)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	int shift = 0;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > (0x7fffffffffffffffull >> shift))
		return -1;
	return (int64_t)(v << shift);
}

static int parse_long(const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

static void free_token(cd_config *c)
{
	if (c->crashstats_token)
		cd_wipe(c->crashstats_token, strlen(c->crashstats_token));
	free(c->crashstats_token);
	c->crashstats_token = NULL;
}

/* Appends v to a repeatable key's list. */
static int add_value(char **list, int *n, const char *key, const char *v, const char *name,
		     unsigned line, cd_err *e)
{
	if (*n == CD_CONFIG_MAX_URLS)
		return cd_errf(e, CD_EFORMAT, "%s:%u: more than %d %s", name, line,
			       CD_CONFIG_MAX_URLS, key);
	if (!(list[*n] = strdup(v)))
		return cd_errf(e, CD_ENOMEM, "%s:%u: out of memory", name, line);
	(*n)++;
	return CD_OK;
}

/* One "key = value" line, key and value trimmed. The Crash Stats keys are
 * kept as written with their line: src/crashstats/ checks them when Crash
 * Stats is used, so a bad one does not stop the commands that never talk to
 * it. With exposed (others may read the file) a token is not kept at all. */
static int set_key(cd_config *out, const char *k, const char *v, const char *name,
		   unsigned line, int exposed, cd_err *e)
{
	long x;
	int64_t sz;
	if (!strcmp(k, "symbols_url")) {
		if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			return cd_errf(e, CD_EFORMAT,
				       "%s:%u: symbols_url must start with http:// or https://", name,
				       line);
		return add_value(out->urls, &out->nurls, k, v, name, line, e);
	} else if (!strcmp(k, "symbols_path")) {
		if (!*v)
			return cd_errf(e, CD_EFORMAT, "%s:%u: symbols_path wants a directory or .zip",
				       name, line);
		return add_value(out->paths, &out->npaths, k, v, name, line, e);
	} else if (!strcmp(k, "source_root")) {
		if (!*v)
			return cd_errf(e, CD_EFORMAT, "%s:%u: source_root wants a directory", name,
				       line);
		return add_value(out->source_roots, &out->nsource_roots, k, v, name, line, e);
	} else if (!strcmp(k, "source_map")) {
		const char *eq = strchr(v, '=');
		if (!eq || eq == v || !eq[1])
			return cd_errf(e, CD_EFORMAT,
				       "%s:%u: source_map wants FROM=TO (a build path and where it is here)",
				       name, line);
		return add_value(out->source_maps, &out->nsource_maps, k, v, name, line, e);
	} else if (!strcmp(k, "jobs")) {
		/* Shared: symbol downloads take up to 64, Crash Stats at most 16. */
		if (parse_long(v, 1, 64, &x))
			return cd_errf(e, CD_EFORMAT, "%s:%u: jobs wants 1 to 64, not '%s'", name, line,
				       v);
		out->jobs = (int)x;
	} else if (!strcmp(k, "timeout")) {
		if (parse_long(v, 1, 86400, &x))
			return cd_errf(e, CD_EFORMAT, "%s:%u: timeout wants seconds, not '%s'", name,
				       line, v);
		out->timeout_s = x;
	} else if (!strcmp(k, "negative_ttl")) {
		if (parse_long(v, -1, 100L * 365 * 86400, &x) || !x)
			return cd_errf(e, CD_EFORMAT,
				       "%s:%u: negative_ttl wants seconds (-1: forever), not '%s'", name,
				       line, v);
		out->negative_ttl_s = x;
	} else if (!strcmp(k, "max_download")) {
		if ((sz = cd_parse_size(v)) <= 0)
			return cd_errf(e, CD_EFORMAT, "%s:%u: max_download wants a size, not '%s'",
				       name, line, v);
		out->max_download = (uint64_t)sz;
	} else if (!strcmp(k, "offline")) {
		if (parse_long(v, 0, 1, &x))
			return cd_errf(e, CD_EFORMAT, "%s:%u: offline wants 0 or 1, not '%s'", name,
				       line, v);
		out->offline = (int)x;
	} else if (!strcmp(k, "crashstats_url")) {
		free(out->crashstats_url);
		if (!(out->crashstats_url = strdup(v)))
			return cd_errf(e, CD_ENOMEM, "%s:%u: out of memory", name, line);
		out->crashstats_url_line = line;
	} else if (!strcmp(k, "crashstats_token")) {
		free_token(out);
		out->crashstats_token_line = line;
		if (!exposed && !(out->crashstats_token = strdup(v)))
			return cd_errf(e, CD_ENOMEM, "%s:%u: out of memory", name, line);
	} else {
		/* The value is not echoed: it may be a token under a mistyped key. */
		return cd_errf(e, CD_EFORMAT,
			       "%s:%u: unknown key '%s' (symbols_url, symbols_path, source_root, source_map, jobs, timeout, "
			       "negative_ttl, max_download, offline, crashstats_url, crashstats_token)",
			       name, line, k);
	}
	return CD_OK;
}

/* Splits one line (NUL-terminated in buf, which it edits) and sets its key. */
static int parse_line(cd_config *out, char *buf, const char *name, unsigned line, int exposed,
		      cd_err *e)
{
	char *s = buf;
	char *hash = strchr(s, '#');
	if (hash)
		*hash = 0;
	while (isspace((unsigned char)*s))
		s++;
	char *t = s + strlen(s);
	while (t > s && isspace((unsigned char)t[-1]))
		*--t = 0;
	if (!*s)
		return CD_OK;
	char *eq = strchr(s, '=');
	if (!eq)
		return cd_errf(e, CD_EFORMAT, "%s:%u: expected 'key = value'", name, line);
	char *v = eq + 1;
	t = eq;
	while (t > s && isspace((unsigned char)t[-1]))
		t--;
	*t = 0;
	while (isspace((unsigned char)*v))
		v++;
	return set_key(out, s, v, name, line, exposed, e);
}

static int parse(const char *text, size_t n, const char *name, int exposed, cd_config *out,
		 cd_err *e)
{
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", name);
	if (n > CONFIG_MAX)
		return cd_errf(e, CD_EFORMAT, "%s: larger than %u bytes: not a config file", name,
			       CONFIG_MAX);
	char buf[LINE_MAX_BYTES];
	int rc = CD_OK;
	size_t pos = 0;
	for (unsigned line = 1; rc == CD_OK && pos < n; line++) {
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - l) : n - pos;
		pos += len + (nl != NULL);
		if (len >= sizeof buf)
			rc = cd_errf(e, CD_EFORMAT, "%s:%u: line longer than %zu bytes", name, line,
				     sizeof buf - 1);
		else if (memchr(l, 0, len))
			rc = cd_errf(e, CD_EFORMAT, "%s:%u: NUL byte in the line", name, line);
		else {
			memcpy(buf, l, len);
			buf[len] = 0;
			rc = parse_line(out, buf, name, line, exposed, e);
		}
	}
	/* The line buffer may have held the token. */
	cd_wipe(buf, sizeof buf);
	return rc;
}

int cd_config_parse(const char *text, size_t n, const char *name, cd_config *out, cd_err *e)
{
	return parse(text, n, name, 0, out, e);
}

int cd_config_load(const char *path, cd_config *out, cd_err *e)
{
	memset(out, 0, sizeof *out);
	char def[1100];
	if (!path) {
		int rc = cd_xdg_path(CD_XDG_CONFIG, "config", def, sizeof def, e);
		if (rc != CD_OK)
			return rc;
		path = def;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? CD_OK : cd_errf(e, CD_EIO, "%s: cannot open: %s", path,
							 strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return cd_errf(e, CD_EFORMAT, "%s: not a regular file", path);
	}
	char *buf = malloc(CONFIG_MAX + 1);
	if (!buf) {
		close(fd);
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	}
	/* One byte past the cap tells a too-large file from one at the cap. */
	size_t n = 0;
	int rc = CD_OK;
	while (n < CONFIG_MAX + 1) {
		ssize_t got = read(fd, buf + n, CONFIG_MAX + 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			rc = cd_errf(e, CD_EIO, "%s: cannot read: %s", path, strerror(errno));
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (rc == CD_OK)
		rc = parse(buf, n, path, (sb.st_mode & 077) != 0, out, e);
	out->mode = (unsigned)(sb.st_mode & 07777);
	cd_wipe(buf, n);
	free(buf);
	return rc;
}

void cd_config_free(cd_config *c)
{
	for (int i = 0; i < c->npaths; i++)
		free(c->paths[i]);
	for (int i = 0; i < c->nurls; i++)
		free(c->urls[i]);
	for (int i = 0; i < c->nsource_roots; i++)
		free(c->source_roots[i]);
	for (int i = 0; i < c->nsource_maps; i++)
		free(c->source_maps[i]);
	c->nurls = c->npaths = c->nsource_roots = c->nsource_maps = 0;
	free(c->crashstats_url);
	c->crashstats_url = NULL;
	free_token(c);
}
