/* main.c - crashdesk's entry point: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int stackwalk_main(int argc, char **argv);

static const cli_command commands[] = {
	{ "cache", cmd_cache, "the cache database: path, recently opened crashes" },
	{ "dump", cmd_dump, "print every stream of a minidump (--json for JSON)" },
	{ "sym", cmd_sym, "inspect Breakpad symbol files: stats, check, lookup, funcs, convert" },
	{ "walk", cmd_walk, "stackwalk minidumps with local symbols" },
	{ "minidump-stackwalk", stackwalk_main, "rust-minidump's minidump-stackwalk (also a link's name)" },
	{ "signature", cmd_signature, "Socorro's crash signature of crash JSON or a dump, --explain'd" },
	{ "resig", cmd_resig, "re-sign a corpus with other signature lists: changed, merged, split buckets" },
	{ "open", cmd_open, "the terminal workstation on a dump or a directory of dumps" },
	{ "fetch", cmd_fetch, "fetch crash reports and minidumps from Crash Stats into the store" },
	{ "import", cmd_import, "store the crashes of a crashstats-tools fetch-data directory" },
	{ "search", cmd_search, "search Crash Stats (SuperSearch); results are stored" },
	{ "reprocess", cmd_reprocess, "walk a fetched crash locally and compare with Socorro" },
	{ "export", cmd_export, "a fetched crash without its protected fields (--public)" },
	{ "siginfo", cmd_siginfo, "first-seen dates and bugs of signatures, from Crash Stats" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: crashdesk COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'crashdesk COMMAND --help' describes a command.\n");
}

/* Run as minidump-stackwalk (a link to crashdesk), crashdesk is a
 * drop-in for rust-minidump's command line: what Socorro's processor and
 * test harnesses' MINIDUMP_STACKWALK settings run. */
static int stackwalk_main(int argc, char **argv)
{
	return cli_walk(argc, argv, 1);
}

int main(int argc, char **argv)
{
	const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	if (!strcmp(self, "minidump-stackwalk"))
		return stackwalk_main(argc, argv);
	if (argc < 2) {
		/* On a terminal the bare command is the workstation's home. */
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			return cli_tui(NULL, 0, NULL, NULL, NULL);
		usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version")) {
		printf("crashdesk %s\n", CRASHDESK_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_error("unknown command '%s'", name);
	usage(stderr);
	return 2;
}
