/* config.c - crashdesk's config file: "key = value" lines. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CONFIG_MAX (1u << 20) /* a config file is small; refuse anything else */

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

int cd_config_parse(const char *text, size_t n, const char *name, cd_config *out, cd_err *e)
{
	memset(out, 0, sizeof *out);
	if (n > CONFIG_MAX)
		return cd_errf(e, CD_EFORMAT, "%s: larger than %u bytes: not a config file", name,
			       CONFIG_MAX);
	size_t pos = 0;
	for (unsigned line = 1; pos < n; line++) {
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - l) : n - pos;
		pos += len + (nl != NULL);
		char buf[4096];
		if (len >= sizeof buf)
			return cd_errf(e, CD_EFORMAT, "%s:%u: line longer than %zu bytes", name, line,
				       sizeof buf - 1);
		memcpy(buf, l, len);
		buf[len] = 0;
		if (memchr(buf, 0, len))
			return cd_errf(e, CD_EFORMAT, "%s:%u: NUL byte in the line", name, line);
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
			continue;
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
		long x;
		int64_t sz;
		if (!strcmp(s, "symbols_url")) {
			if (out->nurls == CD_CONFIG_MAX_URLS)
				return cd_errf(e, CD_EFORMAT, "%s:%u: more than %d symbols_url", name, line,
					       CD_CONFIG_MAX_URLS);
			if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
				return cd_errf(e, CD_EFORMAT,
					       "%s:%u: symbols_url must start with http:// or https://",
					       name, line);
			if (!(out->urls[out->nurls] = strdup(v)))
				return cd_errf(e, CD_ENOMEM, "%s:%u: out of memory", name, line);
			out->nurls++;
		} else if (!strcmp(s, "jobs")) {
			if (parse_long(v, 1, 64, &x))
				return cd_errf(e, CD_EFORMAT, "%s:%u: jobs wants 1 to 64, not '%s'", name,
					       line, v);
			out->jobs = (int)x;
		} else if (!strcmp(s, "timeout")) {
			if (parse_long(v, 1, 86400, &x))
				return cd_errf(e, CD_EFORMAT, "%s:%u: timeout wants seconds, not '%s'",
					       name, line, v);
			out->timeout_s = x;
		} else if (!strcmp(s, "negative_ttl")) {
			if (parse_long(v, -1, 100L * 365 * 86400, &x) || !x)
				return cd_errf(e, CD_EFORMAT,
					       "%s:%u: negative_ttl wants seconds (-1: forever), not '%s'",
					       name, line, v);
			out->negative_ttl_s = x;
		} else if (!strcmp(s, "max_download")) {
			if ((sz = cd_parse_size(v)) <= 0)
				return cd_errf(e, CD_EFORMAT, "%s:%u: max_download wants a size, not '%s'",
					       name, line, v);
			out->max_download = (uint64_t)sz;
		} else if (!strcmp(s, "offline")) {
			if (parse_long(v, 0, 1, &x))
				return cd_errf(e, CD_EFORMAT, "%s:%u: offline wants 0 or 1, not '%s'",
					       name, line, v);
			out->offline = (int)x;
		} else if (!strcmp(s, "symbols_path")) {
			if (out->npaths == CD_CONFIG_MAX_URLS)
				return cd_errf(e, CD_EFORMAT, "%s:%u: more than %d symbols_path", name,
					       line, CD_CONFIG_MAX_URLS);
			if (!*v)
				return cd_errf(e, CD_EFORMAT, "%s:%u: symbols_path wants a directory or .zip",
					       name, line);
			if (!(out->paths[out->npaths] = strdup(v)))
				return cd_errf(e, CD_ENOMEM, "%s:%u: out of memory", name, line);
			out->npaths++;
		} else if (!strcmp(s, "crashstats_url") || !strcmp(s, "crashstats_token")) {
			/* The Crash Stats client's keys (src/crashstats/config.c reads
			 * them from this same file); the token is not kept here. */
			memset(buf, 0, sizeof buf);
		} else {
			return cd_errf(e, CD_EFORMAT, "%s:%u: unknown key '%s'", name, line, s);
		}
	}
	return CD_OK;
}

int cd_config_load(const char *path, cd_config *out, cd_err *e)
{
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? CD_OK : cd_errf(e, CD_EIO, "%s: cannot open: %s", path,
							 strerror(errno));
	char *buf = malloc(CONFIG_MAX + 1);
	if (!buf) {
		fclose(f);
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	}
	size_t n = fread(buf, 1, CONFIG_MAX + 1, f);
	int bad = ferror(f);
	fclose(f);
	int rc = bad ? cd_errf(e, CD_EIO, "%s: cannot read", path)
		     : cd_config_parse(buf, n, path, out, e);
	free(buf);
	return rc;
}

void cd_config_free(cd_config *c)
{
	for (int i = 0; i < c->npaths; i++)
		free(c->paths[i]);
	for (int i = 0; i < c->nurls; i++)
		free(c->urls[i]);
	c->nurls = c->npaths = 0;
}
