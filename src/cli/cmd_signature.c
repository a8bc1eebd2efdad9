/*
 * cmd_signature.c - `crashdesk signature`: Socorro's signature of crash
 * JSON (processed crash, siggen crash data, walk --json) or of a minidump
 * walked first, with --explain's frame table or --json's explanation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../process/process.h"
#include "../signature/signature.h"
#include "../symbols/symbols.h"
#include "cli.h"

static const char sig_help[] =
	"usage: crashdesk signature [--siglists DIR] [--symbols-path DIR]... [--symbols-url URL]...\n"
	"                           [--offline] [--cache-dir DIR] [--json] [--explain]\n"
	"                           INPUT...\n"
	"\n"
	"Prints Socorro's signature of each INPUT, one line each, in input order.\n"
	"An INPUT is a JSON file (Socorro's processed crash, siggen's crash data,\n"
	"`crashdesk walk --json` output, or JSON lines of any of these), a minidump\n"
	"(walked first with the symbols of the --symbols-path stores and the\n"
	"--symbols-url servers, and its .extra annotations), or - for JSON lines\n"
	"on standard input.\n"
	"--explain adds Socorro's notes and every frame's fate with the list line\n"
	"that decided it; --json prints one object per input with \"signature\",\n"
	"\"notes\" and \"explanation\". --siglists DIR replaces the built-in lists\n"
	"(irrelevant_signature_re.txt, prefix_signature_re.txt,\n"
	"signatures_with_line_numbers_re.txt, signature_sentinels.txt).\n";

typedef struct sig_opts {
	int json, explain;
	sig_signer *signer;
	sym_store *store;
	cli_symopts *so;         /* the symbol options, for a minidump input */
	cd_buf out;
	int status;
} sig_opts;

static void flush_out(sig_opts *o)
{
	if (o->out.len)
		fwrite(o->out.data, 1, o->out.len, stdout);
	cd_buf_reset(&o->out);
}

static void json_escaped(cd_buf *b, const char *s)
{
	json_t *j = json_string(s);
	char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	cd_buf_puts(b, t ? t : "\"?\"");
	free(t);
	json_decref(j);
}

/* Signs one JSON text; name says which input in messages. */
static void sign_text(sig_opts *o, const char *name, const char *text, size_t len)
{
	const sig_result *r;
	cd_err e;
	if (sig_sign_json(o->signer, text, len, &r, &e) != CD_OK) {
		cli_error("signature: %s: %s", name, e.msg);
		o->status = 1;
		if (o->json) {
			cd_buf_puts(&o->out, "{\"input\":");
			json_escaped(&o->out, name);
			cd_buf_puts(&o->out, ",\"error\":");
			json_escaped(&o->out, e.msg);
			cd_buf_puts(&o->out, "}\n");
		}
		return;
	}
	if (r->nul_escapes)
		cli_error("signature: %s: byte %zu: warning: %zu \\u0000 escape%s in its strings: crashdesk cuts a "
			  "string at one, Socorro does not, so the signature may differ from Socorro's",
			  name, r->first_nul, r->nul_escapes, r->nul_escapes == 1 ? "" : "s");
	if (o->json) {
		sig_result_json(r, &o->out);
		cd_buf_puts(&o->out, "\n");
	} else {
		cd_buf_puts(&o->out, r->signature);
		cd_buf_puts(&o->out, "\n");
		if (o->explain) {
			sig_result_table(r, &o->out);
			cd_buf_puts(&o->out, "\n");
		}
	}
	if (o->out.len > (1u << 20))
		flush_out(o);
}

static void sign_doc(void *ctx, const char *label, const char *text, size_t len)
{
	sign_text(ctx, label, text, len);
}

static void sign_dump(sig_opts *o, const char *path)
{
	cd_err e;
	if (!o->store && cli_symopts_store(o->so, &o->store)) {
		o->status = 1;
		return;
	}
	proc_crash *c;
	if (proc_crash_open(path, o->store, NULL, NULL, NULL, NULL, &c, &e) != CD_OK) {
		cli_error("signature: %s", e.msg);
		o->status = 1;
		return;
	}
	if (c->annotations_error[0])
		cli_error("signature: %s", c->annotations_error);
	char *text = NULL;
	if (proc_crash_text(c, &text) != CD_OK) {
		cli_error("signature: %s: out of memory", path);
		o->status = 1;
	} else {
		sign_text(o, path, text, strlen(text));
	}
	free(text);
	proc_crash_free(c);
}

static int is_minidump(const char *path)
{
	return strcmp(path, "-") && cd_file_starts_with(path, "MDMP", 4);
}

/* Several minidumps and a symbol server: what all their walks need is
 * downloaded together before they are signed one by one. */
static void prefetch_dumps(sig_opts *o, const char **inputs, int n)
{
	if (!o->so->nurls || o->so->net.offline)
		return;
	const char **dumps = calloc((size_t)n, sizeof *dumps);
	size_t nd = 0;
	for (int i = 0; dumps && i < n; i++)
		if (is_minidump(inputs[i]))
			dumps[nd++] = inputs[i];
	cd_err e;
	if (nd > 1 && !o->store && cli_symopts_store(o->so, &o->store))
		o->status = 1;
	else if (nd > 1 && proc_fetch_symbols(dumps, nd, o->store, &e) != CD_OK)
		cli_error("signature: %s", e.msg);
	free(dumps);
}

static void sign_path(sig_opts *o, const char *path)
{
	if (!strcmp(path, "-")) {
		/* Read whole, then as a file: JSON lines or one (pretty) document. */
		cd_buf in;
		if (cli_read_stdin("signature", &in))
			o->status = 1;
		else if (in.len)
			cli_each_doc("stdin", in.data, in.len, sign_doc, o);
		cd_buf_free(&in);
		return;
	}
	cd_map m;
	cd_err e;
	if (cd_map_open(path, &m, &e) != CD_OK) {
		cli_error("signature: %s", e.msg);
		o->status = 1;
		return;
	}
	const char *t = (const char *)m.data;
	if (m.size >= 4 && !memcmp(t, "MDMP", 4)) {
		cd_map_close(&m);
		sign_dump(o, path);
		return;
	}
	if (!m.size) {
		cli_error("signature: %s: empty file", path);
		o->status = 1;
	} else {
		cli_each_doc(path, t, m.size, sign_doc, o);
	}
	cd_map_close(&m);
}

int cmd_signature(int argc, char **argv)
{
	sig_opts o = { 0 };
	const char *siglists = NULL;
	cli_symopts so;
	memset(&so, 0, sizeof so);
	int ninputs = 0, used;
	const char **inputs = calloc((size_t)argc, sizeof *inputs);
	if (!inputs) {
		cli_error("signature: out of memory");
		return 1;
	}
	enum { S_SIGLISTS = CLI_OPT_FIRST_FREE, S_JSON, S_EXPLAIN };
	static const struct option opts[] = {
		CLI_SYMOPTS,
		{ "siglists", required_argument, NULL, S_SIGLISTS },
		{ "json", no_argument, NULL, S_JSON },
		{ "explain", no_argument, NULL, S_EXPLAIN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	cli_getopt_reset();
	while ((c = cli_getopt("signature", argc, argv, "h", opts)) != -1) {
		if (c == 'h') {
			fputs(sig_help, stdout);
			free(inputs);
			cli_symopts_free(&so);
			return 0;
		}
		if (c == S_SIGLISTS)
			siglists = optarg;
		else if (c == S_JSON)
			o.json = 1;
		else if (c == S_EXPLAIN)
			o.explain = 1;
		else if (c == '?' || (used = cli_symopt(&so, "signature", c, optarg)) < 0) {
			fputs(sig_help, stderr);
			cli_symopts_free(&so);
			free(inputs);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		inputs[ninputs++] = argv[i];
	if (!ninputs) {
		fputs(sig_help, stderr);
		cli_symopts_free(&so);
		free(inputs);
		return 2;
	}
	if (cli_symopts_finish(&so)) {
		cli_symopts_free(&so);
		free(inputs);
		return 1;
	}
	sig_lists *lists;
	cd_err e;
	if (sig_lists_load(siglists, &lists, &e) != CD_OK) {
		cli_error("signature: %s", e.msg);
		cli_symopts_free(&so);
		free(inputs);
		return 1;
	}
	for (size_t i = 0; i < sig_lists_nwarnings(lists); i++)
		cli_error("signature: %s", sig_lists_warning(lists, i));
	if (sig_signer_new(lists, &o.signer, &e) != CD_OK) {
		cli_error("signature: %s", e.msg);
		sig_lists_free(lists);
		cli_symopts_free(&so);
		free(inputs);
		return 1;
	}
	o.so = &so;
	cd_buf_init(&o.out, 0);
	prefetch_dumps(&o, inputs, ninputs);
	for (int i = 0; i < ninputs; i++)
		sign_path(&o, inputs[i]);
	free(inputs);
	flush_out(&o);
	cd_buf_free(&o.out);
	sig_signer_free(o.signer);
	sig_lists_free(lists);
	sym_store_free(o.store);
	cli_symopts_free(&so);
	if (fflush(stdout) || ferror(stdout)) {
		cli_error("signature: cannot write the output: %s", strerror(errno));
		return 1;
	}
	return o.status;
}
