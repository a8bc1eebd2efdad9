/*
 * symbrowse.c - rows of the sym-file browser.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "symbrowse.h"

void symbrowse_init(symbrowse *b)
{
	memset(b, 0, sizeof *b);
}

void symbrowse_set(symbrowse *b, const sym_cache *c)
{
	b->c = c;
	/* FUNC records, then PUBLIC ones: a file with only PUBLICs (a system
	 * library's) is not empty. */
	uint64_t nf = c ? sym_func_count(c) : 0, np = c ? sym_public_count(c) : 0;
	b->nfuncs = nf > UINT32_MAX ? UINT32_MAX : (uint32_t)nf;
	b->npublics = np > UINT32_MAX - b->nfuncs ? UINT32_MAX - b->nfuncs : (uint32_t)np;
	b->n = b->nfuncs + b->npublics;
	b->report = NULL;
}

void symbrowse_set_report(symbrowse *b, const sym_report *r)
{
	b->report = r;
}

uint32_t symbrowse_count(const symbrowse *b)
{
	return b->n;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		s = strrchr(path, '\\');
	return s ? s + 1 : path;
}

const char *symbrowse_cell(void *ctx, uint32_t row, const char *field, char *buf, size_t n)
{
	const symbrowse *b = ctx;
	const char *name;
	uint64_t addr, size = 0;
	int public = row >= b->nfuncs;
	if (!b->c || (public ? sym_public_at(b->c, row - b->nfuncs, &name, &addr)
			     : sym_func_at(b->c, row, &name, &addr, &size)) != CD_OK)
		return "";
	if (!strcmp(field, "name"))
		return name;
	if (!strcmp(field, "kind"))
		return public ? "PUBLIC" : "FUNC";
	/* 0x: the list sorts numbers by value, and this is one. */
	if (!strcmp(field, "address")) {
		snprintf(buf, n, "0x%" PRIx64, addr);
		return buf;
	}
	if (!strcmp(field, "size")) {
		if (public)
			return ""; /* a PUBLIC has none */
		snprintf(buf, n, "0x%" PRIx64, size);
		return buf;
	}
	if (public)
		return "";
	if (!strcmp(field, "inlines")) {
		/* Every INLINE record of the function, not just those at its
		 * first byte (where there are seldom any). */
		uint64_t k = sym_func_inlines(b->c, row);
		if (!k)
			return "";
		snprintf(buf, n, "%" PRIu64, k);
		return buf;
	}
	if (!strcmp(field, "file")) {
		/* Only rows on screen come here, so a lookup each is cheap. */
		sym_lookup lk;
		if (sym_lookup_addr(b->c, addr, &lk) != CD_OK)
			return "";
		const char *file = lk.ninlines ? lk.inlines[lk.ninlines - 1].call_file : lk.file;
		if (!file || !*file)
			return "";
		snprintf(buf, n, "%s:%" PRId64, base_name(file), lk.line);
		return buf;
	}
	return "";
}

static void kv(json_t *rows, const char *key, const char *value, const char *style)
{
	json_t *r = json_pack("{s:s, s:s}", "key", key, "value", value ? value : "");
	if (style)
		json_object_set_new(r, "_style", json_string(style));
	json_array_append_new(rows, r);
}

json_t *symbrowse_lookup_rows(const symbrowse *b, uint64_t addr)
{
	json_t *rows = json_array();
	char buf[1200];
	snprintf(buf, sizeof buf, "0x%" PRIx64, addr);
	kv(rows, "Address", buf, "heading");
	sym_lookup lk;
	if (!b->c || sym_lookup_addr(b->c, addr, &lk) != CD_OK) {
		kv(rows, "Function", "no FUNC or PUBLIC covers this address", "missing");
		return rows;
	}
	snprintf(buf, sizeof buf, "%s%s", lk.function, lk.is_public ? "  (PUBLIC: no FUNC covers it)" : "");
	kv(rows, "Function", buf, lk.is_public ? "missing" : NULL);
	/* A PUBLIC has no size: past the last one, the name is only the
	 * nearest symbol before, however far away. */
	uint64_t end = sym_code_end(b->c);
	if (lk.is_public && addr > end && addr - lk.function_addr >= 0x10000) {
		double d = (double)(addr - lk.function_addr);
		const char *unit = d >= 1e9 ? "GB" : d >= 1e6 ? "MB" : "KB";
		double v = d >= 1e9 ? d / 1e9 : d >= 1e6 ? d / 1e6 : d / 1e3;
		snprintf(buf, sizeof buf,
			 "0x%" PRIx64 " is %.1f %s past %s, the file's last symbol: nothing in the file "
			 "says where the module ends, so this address may be outside it",
			 addr, v, unit, lk.function);
		kv(rows, "Outside?", buf, "error");
	}
	snprintf(buf, sizeof buf, "0x%" PRIx64 " + 0x%" PRIx64 " (size 0x%" PRIx64 ", parameters 0x%" PRIx64 ")",
		 lk.function_addr, addr - lk.function_addr, lk.function_size, lk.param_size);
	kv(rows, "Start + offset", buf, NULL);
	if (lk.file && *lk.file) {
		snprintf(buf, sizeof buf, "%s:%" PRId64, lk.file, lk.line);
		kv(rows, lk.ninlines ? "Call site" : "Source", buf, NULL);
	}
	if (lk.ninlines) {
		kv(rows, "", "", NULL);
		kv(rows, "Inline chain", "innermost first", "heading");
		for (uint32_t i = 0; i < lk.ninlines; i++) {
			const sym_inline_frame *f = &lk.inlines[i];
			kv(rows, "inline", f->function, "inline");
			snprintf(buf, sizeof buf, "    at %s:%" PRId64 ", called from %s:%" PRId64,
				 f->file, f->line, f->call_file, f->call_line);
			kv(rows, "", buf, NULL);
		}
	}
	sym_cfi_rules cfi;
	if (sym_lookup_cfi(b->c, addr, &cfi) == CD_OK) {
		kv(rows, "", "", NULL);
		snprintf(buf, sizeof buf, "INIT 0x%" PRIx64 " size 0x%" PRIx64 ": %s", cfi.init_addr,
			 cfi.init_size, cfi.init_rules);
		kv(rows, "CFI", buf, NULL);
		for (uint32_t i = 0; i < cfi.ndeltas; i++)
			kv(rows, "", cfi.deltas[i], NULL);
	}
	sym_win_info win;
	if (sym_lookup_win(b->c, addr, -1, &win) == CD_OK) {
		snprintf(buf, sizeof buf, "type %u rva 0x%" PRIx64 " size 0x%" PRIx64 " %s",
			 win.type, win.rva, win.code_size, win.has_program ? win.program : "");
		kv(rows, "STACK WIN", buf, NULL);
	}
	return rows;
}

json_t *symbrowse_check_rows(const symbrowse *b)
{
	json_t *rows = json_array();
	if (!b->report) {
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "line", "", "kind", "",
						      "message", "checking..."));
		return rows;
	}
	const sym_report *r = b->report;
	for (uint32_t i = 0; i < r->ndiags; i++) {
		char line[32];
		snprintf(line, sizeof line, "%" PRIu64, r->diags[i].line);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "line", line, "kind",
						      r->diags[i].damaged ? "damaged" : "repaired",
						      "message", r->diags[i].message, "_style",
						      r->diags[i].damaged ? "error" : "missing"));
	}
	if (r->ndiags_total > r->ndiags) {
		char msg[96];
		snprintf(msg, sizeof msg, "... and %" PRIu64 " more", r->ndiags_total - r->ndiags);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "line", "", "kind", "",
						      "message", msg));
	}
	if (!r->ndiags)
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "line", "", "kind", "ok",
						      "message", "no anomalies"));
	return rows;
}
