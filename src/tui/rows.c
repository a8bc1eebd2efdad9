/*
 * rows.c - the rows of each crash pane, built from the processed crash
 * (rust-minidump's JSON schema, as `crashdesk walk --json` prints it).
 * Working from that document rather than from the walker's structs means a
 * processed crash from Crash Stats shows through the very same panes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rows.h"

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

static json_int_t num(json_t *o, const char *key, json_int_t dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* "0x00007ffe..." shortened to its significant digits. */
static void short_hex(const char *hex, char *buf, size_t n)
{
	if (strncmp(hex, "0x", 2) != 0) {
		snprintf(buf, n, "%s", hex);
		return;
	}
	const char *d = hex + 2;
	size_t len = strlen(d);
	while (len > 1 && *d == '0') {
		d++;
		len--;
	}
	snprintf(buf, n, "0x%s", d);
}

static void add_kv(json_t *rows, const char *key, const char *value, const char *style)
{
	json_t *r = json_pack("{s:s, s:s}", "key", key, "value", value ? value : "");
	if (style)
		json_object_set_new(r, "_style", json_string(style));
	json_array_append_new(rows, r);
}

/* "file.cc:27": the base name keeps the column short; the details pane
 * shows the whole path. */
static void source_of(json_t *o, char *buf, size_t n)
{
	const char *file = str(o, "file");
	json_int_t line = num(o, "line", 0);
	const char *base = strrchr(file, '/');
	if (!base)
		base = strrchr(file, '\\');
	base = base ? base + 1 : file;
	if (!*file)
		buf[0] = 0;
	else if (line > 0)
		snprintf(buf, n, "%s:%" JSON_INTEGER_FORMAT, base, line);
	else
		snprintf(buf, n, "%s", base);
}

json_t *rows_crashing_thread(json_t *doc)
{
	json_t *ci = json_object_get(doc, "crash_info");
	json_int_t idx = num(ci, "crashing_thread", -1);
	if (idx < 0)
		return NULL;
	return json_array_get(json_object_get(doc, "threads"), (size_t)idx);
}

/* The function shown for a frame: its name, or module+offset, or the
 * bare address, as Socorro shows frames without symbols. */
static void frame_function(json_t *f, char *buf, size_t n)
{
	const char *fn = str(f, "function"), *mod = str(f, "module");
	char off[32];
	json_t *unloaded = json_array_get(json_object_get(f, "unloaded_modules"), 0);
	if (*fn) {
		snprintf(buf, n, "%s", fn);
	} else if (*mod) {
		short_hex(str(f, "module_offset"), off, sizeof off);
		snprintf(buf, n, "%s+%s", mod, off);
	} else if (unloaded) {
		/* As Socorro names such frames: the module is gone, its name
		 * and the offset into it are what is left. */
		const char *o = json_string_value(json_array_get(json_object_get(unloaded, "offsets"), 0));
		short_hex(o ? o : "", off, sizeof off);
		snprintf(buf, n, "(unloaded %s@%s)", str(unloaded, "module"), off);
	} else {
		snprintf(buf, n, "%s", str(f, "offset"));
	}
}

static const char *module_status(json_t *m)
{
	/* What crashdesk knows (the worker's), else what the JSON says. */
	const char *own = json_string_value(json_object_get(m, "_symbol_status"));
	if (own)
		return own;
	if (json_is_true(json_object_get(m, "corrupt_symbols")))
		return "damaged";
	if (json_is_true(json_object_get(m, "loaded_symbols")))
		return "loaded";
	/* Neither: no frame needed the module, and only a server could
	 * have told (R asks it). */
	if (json_is_false(json_object_get(m, "missing_symbols")))
		return "not asked";
	return "missing";
}

/* Modules without symbols, and those nobody looked for (no frame needed
 * them and only a server could have told). */
static int missing_symbols(json_t *modules, int *not_asked)
{
	int missing = 0;
	size_t i;
	json_t *m;
	*not_asked = 0;
	json_array_foreach(modules, i, m) {
		const char *st = module_status(m);
		if (!strcmp(st, "not asked"))
			++*not_asked;
		else if (!strcmp(st, "missing"))
			missing++;
	}
	return missing;
}

/* The crash address analysis (crash_info's instruction, accesses, bit
 * flips, inconsistencies), one row each, as --human words them. */
static void summary_analysis(json_t *rows, json_t *ci)
{
	char buf[1024];
	json_t *adj = json_object_get(ci, "adjusted_address");
	if (json_is_object(adj)) {
		int nc = !strcmp(str(adj, "kind"), "non-canonical");
		snprintf(buf, sizeof buf, "%s %s", nc ? "non-canonical address" : "null pointer + offset",
			 str(adj, nc ? "address" : "offset"));
		add_kv(rows, "Adjusted address", buf, "crashed");
	}
	if (*str(ci, "instruction"))
		add_kv(rows, "Instruction", str(ci, "instruction"), NULL);
	json_t *acc = json_object_get(ci, "memory_accesses");
	size_t i;
	json_t *a;
	if (json_is_array(acc) && !json_array_size(acc))
		add_kv(rows, "Memory accessed", "none", NULL);
	json_array_foreach(acc, i, a) {
		snprintf(buf, sizeof buf, "%s, %" JSON_INTEGER_FORMAT " bytes%s%s%s", str(a, "address"),
			 num(a, "size", 0), *str(a, "access_type") ? ", " : "", str(a, "access_type"),
			 json_is_true(json_object_get(a, "is_likely_guard_page")) ? ", likely a guard page"
										   : "");
		add_kv(rows, i ? "" : "Memory accessed", buf,
		       json_is_true(json_object_get(a, "is_likely_guard_page")) ? "crashed" : NULL);
	}
	json_t *ip = json_object_get(ci, "instruction_pointer_update");
	if (json_is_object(ip))
		add_kv(rows, "Jumps to", str(ip, "address"), NULL);
	json_array_foreach(json_object_get(ci, "possible_bit_flips"), i, a) {
		const char *reg = str(a, "source_register");
		json_t *conf = json_object_get(a, "confidence");
		snprintf(buf, sizeof buf, "%s%s%s (confidence %.3f)", reg, *reg ? "=" : "",
			 str(a, "address"), json_is_number(conf) ? json_number_value(conf) : 0.0);
		add_kv(rows, i ? "" : "Possible bit flip", buf, NULL);
	}
	json_array_foreach(json_object_get(ci, "crash_inconsistencies"), i, a)
		add_kv(rows, i ? "" : "Inconsistent", json_string_value(a) ? json_string_value(a) : "",
		       "error");
}

/* "3 days 4 h", "1 h 1 min", "51 s": a duration as a person reads it,
 * with the exact seconds after it. */
static void describe_duration(long long secs, char *buf, size_t n)
{
	long long d = secs / 86400, h = secs % 86400 / 3600, m = secs % 3600 / 60, s = secs % 60;
	if (d)
		snprintf(buf, n, "%lld day%s %lld h (%lld s)", d, d == 1 ? "" : "s", h, secs);
	else if (h)
		snprintf(buf, n, "%lld h %lld min (%lld s)", h, m, secs);
	else if (m)
		snprintf(buf, n, "%lld min %lld s (%lld s)", m, s, secs);
	else
		snprintf(buf, n, "%lld s", secs);
}

static void describe_epoch(long long t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (t > 0 && gmtime_r(&tt, &tm))
		strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(buf, n, "%lld", t);
}

int rows_source_url(const char *file, long long line, char *buf, size_t n)
{
	/* Firefox's sym files name sources "hg:HOST/REPO:PATH:REV" or
	 * "git:HOST/REPO:PATH:REV" (symbolstore.py's VCS paths). */
	int hg = !strncmp(file, "hg:", 3), git = !strncmp(file, "git:", 4);
	if (!hg && !git)
		return 0;
	const char *repo = file + (hg ? 3 : 4);
	const char *c1 = strchr(repo, ':'), *c2 = c1 ? strrchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2 || c2 == c1 || !c2[1])
		return 0;
	int rl = (int)(c1 - repo), pl = (int)(c2 - c1 - 1);
	const char *rev = c2 + 1;
	if (hg)
		snprintf(buf, n, "https://%.*s/file/%s/%.*s#l%lld", rl, repo, rev, pl, c1 + 1, line);
	else if (!strncmp(repo, "github.com/", 11))
		snprintf(buf, n, "https://%.*s/blob/%s/%.*s#L%lld", rl, repo, rev, pl, c1 + 1, line);
	else
		snprintf(buf, n, "https://%.*s/-/blob/%s/%.*s#L%lld", rl, repo, rev, pl, c1 + 1, line);
	return 1;
}

json_t *rows_summary(json_t *doc, const char *path)
{
	json_t *rows = json_array();
	json_t *ann = json_object_get(doc, "annotations");
	json_t *si = json_object_get(doc, "system_info");
	json_t *ci = json_object_get(doc, "crash_info");
	char buf[1024];

	add_kv(rows, "Dump", path, NULL);
	const char *product = str(ann, "ProductName"), *version = str(ann, "Version");
	if (*product || *version) {
		snprintf(buf, sizeof buf, "%s %s", product, version);
		add_kv(rows, "Product", buf, NULL);
	}
	if (*str(ann, "BuildID"))
		add_kv(rows, "Build", str(ann, "BuildID"), NULL);
	if (*str(ann, "ReleaseChannel"))
		add_kv(rows, "Channel", str(ann, "ReleaseChannel"), NULL);
	snprintf(buf, sizeof buf, "%s %s", str(si, "os"), str(si, "os_ver"));
	add_kv(rows, "OS", buf, NULL);
	snprintf(buf, sizeof buf, "%s  %s  (%" JSON_INTEGER_FORMAT " CPUs)", str(si, "cpu_arch"),
		 str(si, "cpu_info"), num(si, "cpu_count", 0));
	add_kv(rows, "CPU", buf, NULL);
	const char *type = str(ci, "type");
	add_kv(rows, "Crash reason", *type ? type : "No crash", *type ? "crashed" : NULL);
	if (*str(ci, "address"))
		add_kv(rows, "Crash address", str(ci, "address"), NULL);
	/* An Apple crash's exception, from the Crashpad annotation objects
	 * (the reason alone names only the exception code). */
	size_t mi;
	json_t *cm;
	json_array_foreach(json_object_get(doc, "crashpad_module_annotations"), mi, cm) {
		json_t *objs = json_object_get(cm, "objects");
		const char *name = str(objs, "exceptionName"), *why = str(objs, "exceptionReason");
		if (*name || *why) {
			snprintf(buf, sizeof buf, "%s%s%s", name, *name && *why ? ": " : "", why);
			add_kv(rows, "Exception", buf, "crashed");
			break;
		}
	}
	summary_analysis(rows, ci);
	if (*str(ann, "MozCrashReason"))
		add_kv(rows, "MozCrashReason", str(ann, "MozCrashReason"), "crashed");
	if (*str(ci, "assertion"))
		add_kv(rows, "Assertion", str(ci, "assertion"), NULL);
	/* Firefox's abort message, an annotation (the JSON's assertion is
	 * only the minidump's own assertion stream, as in rust-minidump). */
	if (*str(ann, "AbortMessage") && strcmp(str(ann, "AbortMessage"), str(ci, "assertion")))
		add_kv(rows, "Abort message", str(ann, "AbortMessage"), NULL);
	json_t *params = json_object_get(doc, "crash_parameters");
	if (json_array_size(params)) {
		size_t k, used = 0;
		json_t *pv;
		buf[0] = 0;
		json_array_foreach(params, k, pv)
			if (used < sizeof buf - 24)
				used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", k ? ", " : "",
							 json_string_value(pv) ? json_string_value(pv) : "");
		add_kv(rows, "Crash parameters", buf, NULL);
	}
	/* Times as the report page shows them: dates, and ages in words. */
	long long crash_time = *str(ann, "CrashTime") ? atoll(str(ann, "CrashTime"))
			       : num(doc, "dump_time", 0);
	if (crash_time > 0) {
		describe_epoch(crash_time, buf, sizeof buf);
		add_kv(rows, "Crash time", buf, NULL);
	}
	json_int_t uptime = num(doc, "process_uptime", -1);
	if (uptime < 0 && *str(ann, "CrashTime") && *str(ann, "StartupTime"))
		uptime = atoll(str(ann, "CrashTime")) - atoll(str(ann, "StartupTime"));
	if (uptime >= 0) {
		describe_duration(uptime, buf, sizeof buf);
		add_kv(rows, "Uptime", buf, NULL);
	}
	if (crash_time > 0 && *str(ann, "InstallTime")) {
		long long age = crash_time - atoll(str(ann, "InstallTime"));
		if (age >= 0) {
			describe_duration(age, buf, sizeof buf);
			add_kv(rows, "Install age", buf, NULL);
		}
	}
	json_t *mods = json_object_get(doc, "modules");
	int not_asked, missing = missing_symbols(mods, &not_asked);
	char asked[64] = "";
	if (not_asked)
		snprintf(asked, sizeof asked, ", %d not needed by any frame", not_asked);
	snprintf(buf, sizeof buf, "%zu loaded, %d without symbols%s, %zu unloaded",
		 json_array_size(mods), missing, asked,
		 json_array_size(json_object_get(doc, "unloaded_modules")));
	add_kv(rows, "Modules", buf, missing ? "missing" : NULL);
	const char *status = str(doc, "status"), *damage = str(doc, "damage");
	if (*damage) {
		snprintf(buf, sizeof buf, "%s, damaged: %s", status, damage);
		add_kv(rows, "Status", buf, "error");
	} else {
		add_kv(rows, "Status", status, strcmp(status, "OK") ? "error" : NULL);
	}
	/* What the reader could not read, where (as `crashdesk dump` lists it). */
	size_t pi;
	json_t *pr;
	json_array_foreach(json_object_get(doc, "problems"), pi, pr) {
		snprintf(buf, sizeof buf, "%s at %s: %s", str(pr, "stream"), str(pr, "offset"),
			 str(pr, "message"));
		add_kv(rows, pi ? "" : "Problems", buf, "error");
	}

	json_t *t = rows_crashing_thread(doc);
	if (t) {
		add_kv(rows, "", "", NULL);
		snprintf(buf, sizeof buf, "thread %" JSON_INTEGER_FORMAT " %s",
			 num(ci, "crashing_thread", 0), str(t, "thread_name"));
		add_kv(rows, "Crashing thread", buf, "heading");
		/* The first ten frames as Breakpad lists them: inline frames
		 * first (innermost first), each numbered. */
		size_t i, shown = 0;
		json_t *f;
		json_array_foreach(json_object_get(t, "frames"), i, f) {
			json_t *inl = json_object_get(f, "inlines");
			size_t ninl = json_array_size(inl);
			for (size_t k = 0; k <= ninl && shown < 10; k++, shown++) {
				json_t *in = k < ninl ? json_array_get(inl, k) : NULL;
				char fn[512], src[256], num_s[16];
				if (in)
					snprintf(fn, sizeof fn, "%s", str(in, "function"));
				else
					frame_function(f, fn, sizeof fn);
				source_of(in ? in : f, src, sizeof src);
				snprintf(num_s, sizeof num_s, "%zu", shown);
				snprintf(buf, sizeof buf, "%-24s %s%s%s", str(f, "module"), fn,
					 *src ? "  " : "", src);
				add_kv(rows, num_s, buf,
				       in ? "inline" : !strcmp(str(f, "trust"), "scan") ? "scan" : NULL);
			}
			if (shown >= 10)
				break;
		}
	}
	return rows;
}

json_t *rows_threads(json_t *doc)
{
	json_t *rows = json_array();
	json_t *threads = json_object_get(doc, "threads");
	json_int_t crashed = num(json_object_get(doc, "crash_info"), "crashing_thread", -1);
	/* The crashing thread first, then the others in dump order. */
	for (int pass = 0; pass < 2; pass++) {
		size_t i;
		json_t *t;
		json_array_foreach(threads, i, t) {
			int is_crashed = (json_int_t)i == crashed;
			if (is_crashed != (pass == 0))
				continue;
			char fn[512] = "", src[256], id[32];
			json_t *f0 = json_array_get(json_object_get(t, "frames"), 0);
			if (f0)
				rows_top_function(f0, fn, sizeof fn, src, sizeof src);
			snprintf(id, sizeof id, "%" JSON_INTEGER_FORMAT, num(t, "thread_id", 0));
			json_t *r = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I}", "index",
					      (json_int_t)i, "id", id, "name", str(t, "thread_name"),
					      "frames", num(t, "frame_count", 0), "function", fn,
					      "crashed", is_crashed ? "crashed" : "", "_thread",
					      (json_int_t)i);
			if (is_crashed)
				json_object_set_new(r, "_style", json_string("crashed"));
			json_array_append_new(rows, r);
		}
	}
	return rows;
}

/* One row per frame for the folded view ("_unfolded" empty) and, for
 * frames with inline functions, the frame's inline functions then the frame
 * itself for the unfolded view ("_folded" empty): Breakpad's and
 * rust-minidump's order (innermost first: the function that was running,
 * then each caller it was inlined into, then the real frame) and numbering
 * (each inline frame has its own number; a folded frame shows the first
 * it stands for, so the numbers skip what is folded). The pane hides one set, so folding is a filter, not a
 * rebuild. */
json_t *rows_frames(json_t *doc, int thread)
{
	json_t *rows = json_array();
	json_t *t = json_array_get(json_object_get(doc, "threads"), (size_t)thread);
	size_t i, number = 0;
	json_t *f;
	json_array_foreach(json_object_get(t, "frames"), i, f) {
		char fn[600], folded[640], src[256], n_s[32];
		frame_function(f, fn, sizeof fn);
		json_t *inl = json_object_get(f, "inlines");
		size_t ninl = json_array_size(inl);
		const char *trust = str(f, "trust");
		const char *style = !strcmp(trust, "scan") ? "scan"
				    : json_is_true(json_object_get(f, "missing_symbols")) ? "missing"
											: NULL;
		/* The module offset, as Crash Stats' report page lists it. */
		char off[32];
		short_hex(str(f, "module_offset"), off, sizeof off);
		if (ninl) {
			/* The folded frame: the count first, so that a narrow column
			 * never cuts it. */
			snprintf(folded, sizeof folded, "[+%zu] %s", ninl, fn);
			snprintf(n_s, sizeof n_s, "%zu", number);
			source_of(f, src, sizeof src);
			json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "frame",
					      n_s, "module", str(f, "module"), "offset", off, "function",
					      folded, "source", src, "trust", trust, "_frame", (json_int_t)i,
					      "_inline", (json_int_t)-1, "_folded", "1");
			if (style)
				json_object_set_new(r, "_style", json_string(style));
			json_array_append_new(rows, r);
		}
		size_t k;
		json_t *in;
		json_array_foreach(inl, k, in) {
			char name[600];
			snprintf(name, sizeof name, "\xe2\x86\xb3 %s", str(in, "function"));
			source_of(in, src, sizeof src);
			snprintf(n_s, sizeof n_s, "%zu", number++);
			json_t *ir = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "frame",
					       n_s, "module", str(f, "module"), "function", name,
					       "source", src, "trust", "inline", "_frame",
					       (json_int_t)i, "_inline", (json_int_t)k, "_style",
					       "inline", "_unfolded", "1");
			json_array_append_new(rows, ir);
		}
		/* The real frame: with inlines, its line is the call site of the
		 * outermost inline function. */
		source_of(f, src, sizeof src);
		snprintf(n_s, sizeof n_s, "%zu", number++);
		json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "frame", n_s,
				      "module", str(f, "module"), "offset", off, "function", fn, "source",
				      src, "trust", trust, "_frame", (json_int_t)i, "_inline",
				      (json_int_t)-1);
		if (style)
			json_object_set_new(r, "_style", json_string(style));
		if (ninl)
			json_object_set_new(r, "_unfolded", json_string("1"));
		json_array_append_new(rows, r);
	}
	/* Never silently short: say where the walk stopped and why. */
	if (json_is_true(json_object_get(t, "frames_truncated"))) {
		char msg[160];
		snprintf(msg, sizeof msg, "stack cut after %zu frames: crashdesk's walk stops there, "
			 "the thread's stack goes on", json_array_size(json_object_get(t, "frames")));
		/* No "_frame": Enter on it opens nothing. */
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "frame", "",
						      "module", "", "function", msg, "source", "",
						      "trust", "", "_style", "error"));
	}
	return rows;
}

void rows_top_function(json_t *frame, char *fn, size_t fn_size, char *src, size_t src_size)
{
	json_t *in = json_array_get(json_object_get(frame, "inlines"), 0);
	if (in) {
		snprintf(fn, fn_size, "%s", str(in, "function"));
		source_of(in, src, src_size);
	} else {
		frame_function(frame, fn, fn_size);
		source_of(frame, src, src_size);
	}
}

static void size_of(json_t *m, char *buf, size_t n)
{
	unsigned long long b = strtoull(str(m, "base_addr"), NULL, 16);
	unsigned long long e = strtoull(str(m, "end_addr"), NULL, 16);
	snprintf(buf, n, "0x%llx", e > b ? e - b : 0);
}

json_t *rows_modules(json_t *doc)
{
	json_t *rows = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(doc, "modules"), i, m) {
		char base[32], size[32];
		short_hex(str(m, "base_addr"), base, sizeof base);
		size_of(m, size, sizeof size);
		const char *status = module_status(m);
		/* Which store the symbols came from: the path or URL before
		 * the store's own DEBUGFILE/DEBUGID/NAME.sym, or the zip. */
		char store_root[1024];
		const char *source = str(m, "symbol_url");
		const char *local = str(m, "_symbol_source");
		if (*local) {
			snprintf(store_root, sizeof store_root, "%s", local);
			char *bang = strchr(store_root, '!');
			for (int k = 0; !bang && k < 3; k++) {
				char *slash = strrchr(store_root, '/');
				if (slash)
					*slash = 0;
			}
			if (bang)
				*bang = 0;
			source = store_root;
		}
		json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "name",
				      str(m, "filename"), "version", str(m, "version"), "base",
				      base, "size", size, "debug_file", str(m, "debug_file"),
				      "debug_id", str(m, "debug_id"), "code_id", str(m, "code_id"),
				      "status", status, "source", source, "_module", (json_int_t)i);
		if (*str(m, "_symbol_why"))
			json_object_set_new(r, "_symbol_why", json_string(str(m, "_symbol_why")));
		if (strcmp(status, "loaded"))
			json_object_set_new(r, "_style",
					    json_string(!strcmp(status, "damaged")     ? "error"
							: !strcmp(status, "not asked") ? "dim"
										       : "missing"));
		json_array_append_new(rows, r);
	}
	return rows;
}

/* Frames naming an unloaded module, as rust-minidump lists them in each
 * frame's "unloaded_modules". */
static int frames_into(json_t *doc, const char *name, json_t *out)
{
	int count = 0;
	size_t ti, fi, ui;
	json_t *t, *f, *u;
	json_array_foreach(json_object_get(doc, "threads"), ti, t)
		json_array_foreach(json_object_get(t, "frames"), fi, f)
			json_array_foreach(json_object_get(f, "unloaded_modules"), ui, u) {
				if (strcmp(str(u, "module"), name))
					continue;
				count++;
				if (!out)
					continue;
				char what[64], off[64] = "";
				json_t *offs = json_object_get(u, "offsets");
				snprintf(what, sizeof what, "thread %zu frame %zu", ti, fi);
				if (json_is_string(json_array_get(offs, 0)))
					snprintf(off, sizeof off, "%s+%s", name,
						 json_string_value(json_array_get(offs, 0)));
				json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:I}", "text",
								     what, "offset", off, "_thread",
								     (json_int_t)ti, "_frame",
								     (json_int_t)fi));
			}
	return count;
}

json_t *rows_unloaded(json_t *doc)
{
	json_t *rows = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(doc, "unloaded_modules"), i, m) {
		char base[32], size[32];
		short_hex(str(m, "base_addr"), base, sizeof base);
		size_of(m, size, sizeof size);
		int n = frames_into(doc, str(m, "filename"), NULL);
		json_t *r = json_pack("{s:s, s:s, s:s, s:I, s:I}", "name", str(m, "filename"),
				      "base", base, "size", size, "frames", (json_int_t)n,
				      "_module", (json_int_t)i);
		if (n)
			json_object_set_new(r, "_style", json_string("crashed"));
		json_array_append_new(rows, r);
	}
	return rows;
}

json_t *rows_unloaded_frames(json_t *doc, const char *name)
{
	json_t *rows = json_array();
	frames_into(doc, name, rows);
	return rows;
}

json_t *rows_annotations(json_t *doc, const rows_describe_fn describe, void *ctx)
{
	json_t *rows = json_array();
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(doc, "annotations"), key, v) {
		char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		const char *d = describe ? describe(ctx, key) : NULL;
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "key", key, "value",
						      text ? text : json_string_value(v),
						      "description", d ? d : ""));
		free(text);
	}
	/* The dump's own Crashpad annotations, after the .extra's: the
	 * process's simple ones, then each module's. */
	json_object_foreach(json_object_get(doc, "crashpad_annotations"), key, v) {
		char k[600];
		snprintf(k, sizeof k, "crashpad: %s", key);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "key", k, "value",
						      json_is_string(v) ? json_string_value(v) : "",
						      "description", "Crashpad simple annotation"));
	}
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(doc, "crashpad_module_annotations"), i, m) {
		const char *mod = json_is_string(json_object_get(m, "module"))
					  ? json_string_value(json_object_get(m, "module")) : "?";
		static const char *const kinds[] = { "objects", "simple" };
		for (size_t kk = 0; kk < 2; kk++) {
			json_object_foreach(json_object_get(m, kinds[kk]), key, v) {
				/* The key short enough to read whole; the module in the
				 * description. */
				char k[600], d[700];
				snprintf(k, sizeof k, "crashpad: %s", key);
				snprintf(d, sizeof d, "Crashpad %s of %s",
					 kk ? "module annotation" : "annotation object", mod);
				json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "key", k, "value",
							      json_is_string(v) ? json_string_value(v) : "",
							      "description", d));
			}
		}
		size_t li;
		json_t *lv;
		json_array_foreach(json_object_get(m, "list"), li, lv) {
			char k[600], d[700];
			snprintf(k, sizeof k, "crashpad: list[%zu]", li);
			snprintf(d, sizeof d, "Crashpad list annotation of %s", mod);
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "key", k, "value",
							      json_is_string(lv) ? json_string_value(lv) : "",
							      "description", d));
		}
	}
	return rows;
}

/* Registers in a fixed order when the CPU's names are known, so that pc
 * and sp come first whatever order the document keeps. */
static void add_registers(json_t *rows, json_t *regs)
{
	const char *key;
	json_t *v;
	char line[256] = "";
	int n = 0;
	json_object_foreach(regs, key, v) {
		char cell[48];
		snprintf(cell, sizeof cell, "%6s %-20s", key, json_is_string(v) ? json_string_value(v) : "");
		strncat(line, cell, sizeof line - strlen(line) - 1);
		if (++n % 3 == 0) {
			add_kv(rows, n == 3 ? "Registers" : "", line, NULL);
			line[0] = 0;
		}
	}
	if (line[0])
		add_kv(rows, n <= 3 ? "Registers" : "", line, NULL);
	if (!n)
		add_kv(rows, "Registers", "none recovered for this frame", "dim");
}

static uint64_t reg_value(json_t *regs, const char *const *names)
{
	for (int i = 0; names[i]; i++) {
		json_t *v = json_object_get(regs, names[i]);
		if (json_is_string(v))
			return strtoull(json_string_value(v), NULL, 16);
	}
	return 0;
}

json_t *rows_frame_details(json_t *doc, int thread, int frame, rows_memory_fn memory, void *ctx)
{
	json_t *rows = json_array();
	json_t *t = json_array_get(json_object_get(doc, "threads"), (size_t)thread);
	json_t *f = json_array_get(json_object_get(t, "frames"), (size_t)frame);
	char buf[1024];
	if (!f)
		return rows;
	/* The thread's name in brackets only when it has one. */
	const char *tn = str(t, "thread_name");
	snprintf(buf, sizeof buf, "%d of thread %d%s%s%s", frame, thread, *tn ? " (" : "", tn,
		 *tn ? ")" : "");
	add_kv(rows, "Frame", buf, "heading");
	char fn[600];
	frame_function(f, fn, sizeof fn);
	add_kv(rows, "Function", fn, NULL);
	if (*str(f, "function_offset")) {
		snprintf(buf, sizeof buf, "+%s", str(f, "function_offset"));
		add_kv(rows, "Function offset", buf, NULL);
	}
	if (*str(f, "file")) {
		snprintf(buf, sizeof buf, "%s:%" JSON_INTEGER_FORMAT, str(f, "file"), num(f, "line", 0));
		add_kv(rows, "Source", buf, NULL);
		char url[1200];
		if (rows_source_url(str(f, "file"), num(f, "line", 0), url, sizeof url))
			add_kv(rows, "Source link", url, NULL);
	}
	snprintf(buf, sizeof buf, "%s + %s", *str(f, "module") ? str(f, "module") : "(no module)",
		 str(f, "module_offset"));
	add_kv(rows, "Module", buf, NULL);
	add_kv(rows, "Address", str(f, "offset"), NULL);
	const char *trust = str(f, "trust");
	static const struct { const char *trust, *text; } found[] = {
		{ "context", "given as instruction pointer in context" },
		{ "cfi", "call frame info" },
		{ "frame_pointer", "previous frame's frame pointer" },
		{ "scan", "stack scanning (a guess: less trusted)" },
	};
	const char *how = trust;
	for (size_t i = 0; i < sizeof found / sizeof found[0]; i++)
		if (!strcmp(found[i].trust, trust))
			how = found[i].text;
	add_kv(rows, "Found by", how, !strcmp(trust, "scan") ? "scan" : NULL);
	if (json_is_true(json_object_get(f, "missing_symbols")))
		add_kv(rows, "Symbols", "missing for this module", "missing");

	/* The chain, innermost first; each call site is where the next outer
	 * function called it, the outermost's the real frame's own line. */
	json_t *inl = json_object_get(f, "inlines");
	size_t n = json_array_size(inl);
	if (n) {
		add_kv(rows, "", "", NULL);
		add_kv(rows, "Inline chain", "innermost first", "heading");
		for (size_t k = 0; k < n; k++) {
			json_t *in = json_array_get(inl, k);
			json_t *caller = k + 1 < n ? json_array_get(inl, k + 1) : f;
			char here[300], call[300];
			snprintf(here, sizeof here, "%s:%" JSON_INTEGER_FORMAT, str(in, "file"),
				 num(in, "line", 0));
			snprintf(call, sizeof call, "%s:%" JSON_INTEGER_FORMAT, str(caller, "file"),
				 num(caller, "line", 0));
			snprintf(buf, sizeof buf, "%s", str(in, "function"));
			add_kv(rows, "inline", buf, "inline");
			snprintf(buf, sizeof buf, "    at %s, called from %s in %s", here, call,
				 k + 1 < n ? str(caller, "function") : fn);
			add_kv(rows, "", buf, NULL);
		}
	}
	add_kv(rows, "", "", NULL);
	json_t *regs = json_object_get(f, "registers");
	add_registers(rows, regs);

	static const char *const sp_names[] = { "rsp", "esp", "sp", "x31", NULL };
	uint64_t sp = reg_value(regs, sp_names);
	add_kv(rows, "", "", NULL);
	if (!memory || !sp) {
		add_kv(rows, "Stack", memory ? "no stack pointer for this frame"
					     : "no minidump memory (a report without its dump)", "dim");
		return rows;
	}
	/* Two lines below the stack pointer and six above, in words. */
	int word = strcmp(str(json_object_get(doc, "system_info"), "cpu_arch"), "x86") &&
			   strcmp(str(json_object_get(doc, "system_info"), "cpu_arch"), "arm")
		   ? 8
		   : 4;
	uint64_t start = (sp & ~(uint64_t)15) - 32;
	int shown_any = 0;
	for (int lnum = 0; lnum < 8; lnum++) {
		uint64_t a = start + (uint64_t)lnum * 16;
		uint8_t bytes[16];
		char label[32], line[160];
		snprintf(label, sizeof label, "0x%" PRIx64, a);
		if (memory(ctx, a, bytes, 16) != 0)
			continue;
		if (!shown_any)
			add_kv(rows, "Stack", "around the stack pointer (its line bold)", "heading");
		size_t used = 0;
		for (int w = 0; w < 16; w += word) {
			uint64_t v = 0;
			for (int b = word - 1; b >= 0; b--)
				v = v << 8 | bytes[w + b];
			used += (size_t)snprintf(line + used, sizeof line - used,
						 word == 8 ? "%016" PRIx64 " " : "%08" PRIx64 " ", v);
		}
		for (int b = 0; b < 16 && used + 1 < sizeof line; b++)
			line[used++] = bytes[b] >= 0x20 && bytes[b] < 0x7f ? (char)bytes[b] : '.';
		line[used] = 0;
		add_kv(rows, label, line, a <= sp && sp < a + 16 ? "heading" : NULL);
		shown_any = 1;
	}
	if (!shown_any)
		add_kv(rows, "Stack", "the dump holds no memory at the stack pointer", "dim");
	return rows;
}
