/* cli.c - what the subcommands share: error messages and option parsing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("crashdesk: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Says why getopt_long refused arg, an element of argv. */
static void getopt_complaint(const char *cmd, const char *arg, const struct option *opts,
			     int missing)
{
	if (arg[0] != '-' || arg[1] != '-') {
		cli_error("%s: unknown option '%s'", cmd, arg);
		return;
	}
	const char *name = arg + 2;
	size_t len = strcspn(name, "=");
	int exact = -1, nmatch = 0;
	for (int i = 0; opts[i].name; i++) {
		if (strncmp(opts[i].name, name, len))
			continue;
		nmatch++;
		if (strlen(opts[i].name) == len)
			exact = i;
	}
	if (missing)
		cli_error("%s: %.*s wants a value (--%.*s=VALUE or --%.*s VALUE)", cmd,
			  (int)(len + 2), arg, (int)len, name, (int)len, name);
	else if (exact >= 0 && name[len] == '=')
		cli_error("%s: --%s takes no value", cmd, opts[exact].name);
	else if (nmatch > 1 && exact < 0) {
		fprintf(stderr, "crashdesk: %s: '--%.*s' is ambiguous:", cmd, (int)len, name);
		for (int i = 0; opts[i].name; i++)
			if (!strncmp(opts[i].name, name, len))
				fprintf(stderr, " --%s", opts[i].name);
		fputc('\n', stderr);
	} else
		cli_error("%s: unknown option '%.*s'", cmd, (int)(len + 2), arg);
}

int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *opts)
{
	char spec[64];
	/* ':' first: a missing value is told apart from an unknown option. */
	snprintf(spec, sizeof spec, ":%s", shortopts ? shortopts : "");
	opterr = 0;
	int c = getopt_long(argc, argv, spec, opts, NULL);
	if (c != '?' && c != ':')
		return c;
	/* optind has moved past the offending element. */
	int at = optind - 1 < argc ? optind - 1 : argc - 1;
	const char *arg = at > 0 ? argv[at] : "";
	if (arg[0] == '-' && arg[1] != '-' && optopt)
		cli_error(c == ':' ? "%s: -%c wants a value" : "%s: unknown option '-%c'", cmd, optopt);
	else
		getopt_complaint(cmd, arg, opts, c == ':');
	return '?';
}

void cli_getopt_reset(void)
{
	optind = 0; /* glibc: 0 starts a new scan, with its state reset */
}
