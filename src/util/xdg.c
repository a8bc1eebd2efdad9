/* xdg.c - where crashdesk keeps its files: the XDG base directories. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static const struct {
	const char *env, *fallback, *name;
} kinds[] = {
	[CD_XDG_CACHE] = { "XDG_CACHE_HOME", ".cache", "cache" },
	[CD_XDG_CONFIG] = { "XDG_CONFIG_HOME", ".config", "config" },
	[CD_XDG_STATE] = { "XDG_STATE_HOME", ".local/state", "state" },
};

int cd_xdg_path(int kind, const char *sub, char *buf, size_t n, cd_err *e)
{
	if (kind < 0 || kind > CD_XDG_STATE || !buf || !n)
		return cd_errf(e, CD_EUSAGE, "cd_xdg_path: bad arguments");
	const char *base = getenv(kinds[kind].env);
	const char *tail = "";
	char pwbuf[4096];
	/* The spec says a relative value is invalid and must be ignored. */
	if (!base || base[0] != '/') {
		base = getenv("HOME");
		if (!base || base[0] != '/') {
			struct passwd pw, *res = NULL;
			if (getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf, &res) != 0 || !res ||
			    !pw.pw_dir || pw.pw_dir[0] != '/')
				return cd_errf(e, CD_EIO,
					       "cannot find a %s directory: set $%s or $HOME",
					       kinds[kind].name, kinds[kind].env);
			base = pw.pw_dir;
		}
		tail = kinds[kind].fallback;
	}
	int k = snprintf(buf, n, "%s%s%s/crashdesk%s%s", base, *tail ? "/" : "", tail,
			 sub && *sub ? "/" : "", sub && *sub ? sub : "");
	if (k < 0 || (size_t)k >= n)
		return cd_errf(e, CD_EUSAGE, "%s: %s directory name too long", base, kinds[kind].name);
	return CD_OK;
}

int cd_xdg_dir(int kind, const char *sub, char *buf, size_t n, cd_err *e)
{
	int rc = cd_xdg_path(kind, sub, buf, n, e);
	if (rc != CD_OK)
		return rc;
	return cd_mkdir_p(buf, 0700, e);
}
