/*
 * cmd_dump.c - `crashdesk dump [--json] FILE.dmp...`: every stream of a
 * minidump. The human form is rendered from the JSON tree of dump_json.c:
 * an object of scalars packs into "key=value" lines, anything else nests.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char dump_help[] =
	"usage: crashdesk dump [--json] FILE.dmp...\n"
	"\n"
	"Prints every stream of each minidump: header, directory, system and\n"
	"misc info, exception and crash reason, threads with registers, modules\n"
	"with debug file/id and code id, unloaded modules, memory, handles,\n"
	"Breakpad/Crashpad info and annotations, assertion, Linux streams.\n"
	"\n"
	"  --json   one JSON document per dump (addresses as \"0x...\" strings)\n"
	"\n"
	"A damaged dump is printed as far as it can be read, followed by its\n"
	"problems (stream, file offset, what was wrong). Exit status: 0 when\n"
	"every dump was read whole, 1 when any was damaged or unreadable,\n"
	"2 for a usage error.\n";

/* Untrusted text on a terminal: control characters escaped. */
static void put_text(FILE *f, const char *s, size_t n)
{
	cd_buf b;
	cd_buf_init(&b, 0);
	cd_buf_put_printable(&b, s, n);
	fwrite(b.data ? b.data : "", 1, b.len, f);
	cd_buf_free(&b);
}

static int is_scalar(const json_t *j)
{
	return !json_is_object(j) && !json_is_array(j);
}

static void put_scalar(FILE *f, const json_t *j)
{
	if (json_is_string(j))
		put_text(f, json_string_value(j), json_string_length(j));
	else if (json_is_integer(j))
		fprintf(f, "%lld", (long long)json_integer_value(j));
	else if (json_is_true(j))
		fputs("yes", f);
	else if (json_is_false(j))
		fputs("no", f);
	else
		fputs("(none)", f);
}

static void indent(FILE *f, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", f);
}

/* A multi-line string (cpuinfo, maps) as an indented block. */
static int put_block(FILE *f, const json_t *j, int depth)
{
	if (!json_is_string(j) || !memchr(json_string_value(j), '\n', json_string_length(j)))
		return 0;
	const char *s = json_string_value(j), *end = s + json_string_length(j);
	fputc('\n', f);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		indent(f, depth);
		put_text(f, s, n);
		fputc('\n', f);
		s += n + 1;
	}
	return 1;
}

static void render(FILE *f, const json_t *j, int depth);

/* Scalars first, packed "k=v" into lines of about 100 columns; then the
 * nested members under their own headings. */
static void render_object(FILE *f, const json_t *o, int depth, const char *prefix)
{
	const char *k;
	const json_t *v;
	int col = 0;
	if (prefix) { /* an array item: "[3] key=value ..." on the item's line */
		indent(f, depth - 1);
		col = fprintf(f, "%s", prefix);
	}
	json_object_foreach((json_t *)o, k, v)
	{
		if (!is_scalar(v) || (json_is_string(v) && memchr(json_string_value(v), '\n',
								 json_string_length(v))))
			continue;
		int w = (int)strlen(k) + 2 + (json_is_string(v) ? (int)json_string_length(v) : 12);
		if (col && col + w > 100) {
			fputc('\n', f);
			col = 0;
		}
		if (!col)
			indent(f, depth);
		else if (!prefix || col > (int)strlen(prefix))
			fputc(' ', f);
		fprintf(f, "%s=", k);
		put_scalar(f, v);
		col += w + 1;
	}
	if (col)
		fputc('\n', f);
	else if (prefix)
		fputc('\n', f);
	json_object_foreach((json_t *)o, k, v)
	{
		if (is_scalar(v) && !json_is_string(v))
			continue;
		if (json_is_string(v)) {
			if (memchr(json_string_value(v), '\n', json_string_length(v))) {
				indent(f, depth);
				fprintf(f, "%s:", k);
				put_block(f, v, depth + 1);
			}
			continue;
		}
		if ((json_is_array(v) && !json_array_size(v)) ||
		    (json_is_object(v) && !json_object_size(v)))
			continue;
		indent(f, depth);
		fprintf(f, "%s:\n", k);
		render(f, v, depth + 1);
	}
}

static int all_scalars(const json_t *a)
{
	size_t i;
	const json_t *v;
	json_array_foreach((json_t *)a, i, v)
		if (!is_scalar(v))
			return 0;
	return 1;
}

static void render(FILE *f, const json_t *j, int depth)
{
	if (json_is_object(j)) {
		render_object(f, j, depth, NULL);
	} else if (json_is_array(j) && all_scalars(j) && json_array_size(j) <= 16) {
		indent(f, depth);
		size_t i;
		const json_t *v;
		json_array_foreach((json_t *)j, i, v)
		{
			if (i)
				fputs(", ", f);
			put_scalar(f, v);
		}
		fputc('\n', f);
	} else if (json_is_array(j)) {
		size_t i;
		const json_t *v;
		json_array_foreach((json_t *)j, i, v)
		{
			char prefix[32];
			snprintf(prefix, sizeof prefix, "[%zu] ", i);
			if (json_is_object(v)) {
				render_object(f, v, depth + 1, prefix);
			} else if (is_scalar(v)) {
				indent(f, depth);
				fputs(prefix, f);
				put_scalar(f, v);
				fputc('\n', f);
			} else {
				indent(f, depth);
				fprintf(f, "%s\n", prefix);
				render(f, v, depth + 1);
			}
		}
	} else {
		indent(f, depth);
		put_scalar(f, j);
		fputc('\n', f);
	}
}

/* The sections whose items are made one at a time (dump_to_json_lists). */
static json_t *list_item(const md_dump *d, const char *k, uint32_t i)
{
	return !strcmp(k, "threads") ? dump_thread_json(d, i) : dump_module_json(d, i);
}

static uint32_t list_count(const md_dump *d, const char *k, const json_t *v)
{
	if (!json_is_null(v))
		return UINT32_MAX;
	return !strcmp(k, "threads") ? d->nthreads : !strcmp(k, "modules") ? d->nmodules : UINT32_MAX;
}

/* text with pad after each of its newlines. */
static void put_padded(FILE *f, const char *text, const char *pad)
{
	for (const char *p = text; *p; p++) {
		fputc(*p, f);
		if (*p == '\n')
			fputs(pad, f);
	}
}

static void put_dumped(FILE *f, const json_t *v, const char *pad)
{
	char *t = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (t)
		put_padded(f, t, pad);
	free(t);
}

/* The document as `json_dumpf(JSON_INDENT(2))` writes it, byte for byte,
 * with the threads and modules written an item at a time. */
static void write_json(FILE *f, const md_dump *d, const json_t *root)
{
	const char *k;
	const json_t *v;
	int first = 1;
	fputc('{', f);
	json_object_foreach((json_t *)root, k, v)
	{
		fputs(first ? "\n  " : ",\n  ", f);
		first = 0;
		json_t *key = json_string(k);
		put_dumped(f, key, "");
		json_decref(key);
		fputs(": ", f);
		uint32_t n = list_count(d, k, v);
		if (n == UINT32_MAX) {
			put_dumped(f, v, "  ");
			continue;
		}
		if (!n) {
			fputs("[]", f);
			continue;
		}
		fputc('[', f);
		for (uint32_t i = 0; i < n; i++) {
			fputs(i ? ",\n    " : "\n    ", f);
			json_t *item = list_item(d, k, i);
			put_dumped(f, item, "    ");
			json_decref(item);
		}
		fputs("\n  ]", f);
	}
	fputs(first ? "}" : "\n}", f);
}

/* Top-level sections in reading order, each under a heading. */
static void render_human(FILE *f, const md_dump *d, const json_t *root)
{
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)root, k, v)
	{
		uint32_t n = list_count(d, k, v);
		if (n != UINT32_MAX) { /* as render() lays out an array of objects */
			fprintf(f, "\n== %s ==\n", k);
			if (!n)
				fputc('\n', f);
			for (uint32_t i = 0; i < n; i++) {
				char prefix[32];
				snprintf(prefix, sizeof prefix, "[%u] ", i);
				json_t *item = list_item(d, k, i);
				render_object(f, item, 1, prefix);
				json_decref(item);
			}
			continue;
		}
		if (is_scalar(v)) {
			fprintf(f, "%s: ", k);
			put_scalar(f, v);
			fputc('\n', f);
			continue;
		}
		if (!strcmp(k, "problems") && !json_array_size(v))
			continue;
		fprintf(f, "\n== %s ==\n", k);
		render(f, v, 0);
	}
}

static int dump_one(const char *path, int as_json)
{
	md_dump *d;
	cd_err e;
	if (md_open(path, &d, &e) != CD_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	json_t *root = dump_to_json_lists(d, 0);
	if (as_json) {
		write_json(stdout, d, root);
		fputc('\n', stdout);
	} else {
		render_human(stdout, d, root);
	}
	json_decref(root);
	int damaged = dump_has_problems(d);
	if (damaged)
		cli_error("%s: damaged: %u problem%s (see the problems section)", path,
			  d->nproblems, d->nproblems == 1 ? "" : "s");
	md_close(d);
	return damaged ? 1 : 0;
}

int cmd_dump(int argc, char **argv)
{
	int as_json = 0, nfiles = 0, status = 0;
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	cli_getopt_reset();
	while ((c = cli_getopt("dump", argc, argv, "h", opts)) != -1) {
		if (c == 'h') {
			fputs(dump_help, stdout);
			return 0;
		}
		if (c != 'j') {
			fputs(dump_help, stderr);
			return 2;
		}
		as_json = 1;
	}
	for (int i = optind; i < argc; i++) {
		nfiles++;
		if (dump_one(argv[i], as_json))
			status = 1;
		fflush(stdout);
	}
	if (!nfiles) {
		fputs(dump_help, stderr);
		return 2;
	}
	return status;
}
