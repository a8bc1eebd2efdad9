/*
 * docs.c - crash documents as `signature` and `resig` read them: a file or
 * standard input holding one JSON document (pretty or not) or JSON lines,
 * one document a line.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* JSON lines: a line ending a document ("}" or "]") followed by a line
 * starting one. A single document never has that: its values are
 * separated by commas. */
static int is_jsonl(const char *t, size_t n)
{
	for (const char *p = memchr(t, '\n', n); p; p = memchr(p + 1, '\n', n - (size_t)(p + 1 - t))) {
		const char *b = p;
		while (b > t && (b[-1] == '\r' || b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b == t || (b[-1] != '}' && b[-1] != ']'))
			continue;
		const char *a = p + 1, *end = t + n;
		while (a < end && (*a == ' ' || *a == '\t' || *a == '\r' || *a == '\n'))
			a++;
		if (a < end && (*a == '{' || *a == '['))
			return 1;
		if (a >= end - 1)
			break;
	}
	return 0;
}

void cli_each_doc(const char *name, const char *text, size_t len, cli_doc_fn fn, void *ctx)
{
	if (!is_jsonl(text, len)) {
		fn(ctx, name, text, len);
		return;
	}
	char label[4200];
	size_t lineno = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *p = text + pos;
		size_t n = end - pos;
		pos = end + 1;
		lineno++;
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!n)
			continue;
		snprintf(label, sizeof label, "%s:%zu", name, lineno);
		fn(ctx, label, p, n);
	}
}

int cli_read_stdin(const char *cmd, cd_buf *out)
{
	cd_buf_init(out, (size_t)1 << 34);
	char chunk[1 << 16];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		if (cd_buf_append(out, chunk, n) != CD_OK)
			break;
	if (out->overflow || ferror(stdin)) {
		cli_error("%s: standard input: %s", cmd, out->overflow ? "too large" : "read error");
		return 1;
	}
	return 0;
}
