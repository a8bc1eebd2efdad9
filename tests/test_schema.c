/* test_schema.c - the annotation schema (src/tui/schema.c,
 * schemas/annotations.yaml): the built-in loads cleanly and describes the
 * keys real reports carry, with Socorro's public/protected split; broken
 * files are reported with their line and keep what is usable. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "../src/process/process.h"
#include "../src/tui/schema.h"
#include "testlib.h"

static char warnings[8192];

static tui_schema *parse(const char *text)
{
	tui_schema *s = NULL;
	if (tui_schema_parse("t.yaml", text, strlen(text), &s, warnings, sizeof warnings) != CD_OK)
		return NULL;
	return s;
}

static void test_builtin_loads_clean(void)
{
	tui_schema *s = NULL;
	strcpy(warnings, "x");
	T_ASSERT(tui_schema_load(&s, warnings, sizeof warnings) == CD_OK && s);
	int nw = tui_schema_nwarnings(s);
	size_t n = tui_schema_count(s);
	tui_schema_free(s);
	if (nw)
		T_FAILF("%d warnings: %s", nw, warnings);
	T_EQ_STR(warnings, "");
	T_ASSERT(n >= 80);
}

static void test_known_keys(void)
{
	static const char *const keys[] = {
		"ProductName", "Version", "BuildID", "ReleaseChannel", "CrashTime", "StartupTime",
		"InstallTime", "MozCrashReason", "ProcessType", "AvailablePhysicalMemory",
		"TotalPhysicalMemory", "AvailableVirtualMemory", "OOMAllocationSize",
		"AsyncShutdownTimeout", "ipc_channel_error", "IPCChannelError", "URL", "Comments",
		"Email", "useragent_locale", "SafeMode", "StartupCrash", "UptimeTS", "Notes",
		"AdapterVendorID", "AdapterDeviceID", "ContentSandboxLevel", "Add-ons",
	};
	tui_schema *s = NULL;
	T_ASSERT(tui_schema_load(&s, NULL, 0) == CD_OK);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *d = tui_schema_describe(s, keys[i]);
		if (!d || strlen(d) < 20)
			T_FAILF("%s: %s", keys[i], d ? "description too short" : "not described");
	}
	const char *t1 = tui_schema_type(s, "CrashTime"), *t2 = tui_schema_type(s, "UptimeTS");
	const char *t3 = tui_schema_type(s, "SafeMode"), *t4 = tui_schema_type(s, "ProductName");
	const char *t5 = tui_schema_type(s, "TelemetryEnvironment");
	const char *cb = tui_schema_describe_cb(s, "BuildID");
	const char *d = tui_schema_describe(s, "BuildID");
	tui_schema_free(s);
	T_EQ_STR(t1, "integer");
	T_EQ_STR(t2, "number");
	T_EQ_STR(t3, "boolean");
	T_EQ_STR(t4, "string");
	T_EQ_STR(t5, "object");
	T_ASSERT(cb && cb == d);
}

static void test_unknown_key(void)
{
	tui_schema *s = NULL;
	T_ASSERT(tui_schema_load(&s, NULL, 0) == CD_OK);
	const char *a = tui_schema_describe(s, "NoSuchAnnotation");
	const char *b = tui_schema_describe(s, "productname"); /* names are case-sensitive */
	const char *c = tui_schema_describe(s, "");
	const char *d = tui_schema_describe(s, NULL);
	int p = tui_schema_is_protected(s, "NoSuchAnnotation");
	const char *t = tui_schema_type(s, "NoSuchAnnotation");
	tui_schema_free(s);
	T_ASSERT(!a && !b && !c && !d && !t);
	T_EQ_U64(p, (uint64_t)-1);
	T_ASSERT(!tui_schema_describe(NULL, "URL") && tui_schema_is_protected(NULL, "URL") == -1);
	tui_schema_free(NULL);
}

static void test_protected_flags(void)
{
	static const char *const prot[] = { "URL", "Email", "Comments", "MozCrashReason",
					    "Breadcrumbs", "PHCAllocStack", "GMPLibraryPath",
					    "metadata" };
	static const char *const pub[] = { "ProductName", "Version", "BuildID", "CrashTime",
					   "ProcessType", "Notes", "AdapterVendorID" };
	tui_schema *s = NULL;
	T_ASSERT(tui_schema_load(&s, NULL, 0) == CD_OK);
	for (size_t i = 0; i < sizeof prot / sizeof prot[0]; i++)
		if (tui_schema_is_protected(s, prot[i]) != 1)
			T_FAILF("%s should be protected", prot[i]);
	for (size_t i = 0; i < sizeof pub / sizeof pub[0]; i++)
		if (tui_schema_is_protected(s, pub[i]) != 0)
			T_FAILF("%s should be public", pub[i]);
	tui_schema_free(s);
}

/* The binary search finds every key, and keys are strictly ascending. */
static void test_sorted_lookup(void)
{
	tui_schema *s = NULL;
	T_ASSERT(tui_schema_load(&s, NULL, 0) == CD_OK);
	size_t n = tui_schema_count(s);
	for (size_t i = 0; i < n; i++) {
		const char *k = tui_schema_key(s, i);
		if (i && strcmp(tui_schema_key(s, i - 1), k) >= 0)
			T_FAILF("keys out of order at %zu: %s", i, k);
		if (!tui_schema_describe(s, k))
			T_FAILF("%s listed but not found", k);
	}
	const char *beyond = tui_schema_key(s, n);
	tui_schema_free(s);
	T_ASSERT(n > 0 && !beyond);
}

static int check_keys_described(const tui_schema *s, const char *file, json_t *obj)
{
	const char *k;
	json_t *v;
	int missing = 0;
	json_object_foreach(obj, k, v)
	{
		(void)v;
		if (!tui_schema_describe(s, k)) {
			T_FAILF("%s: annotation %s is not described", file, k);
			missing++;
		}
	}
	return missing;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Every key of every file in dir ending in suffix; -1 when dir is absent. */
static int check_dir(const tui_schema *s, const char *dir, const char *suffix, int *files)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *de;
	int missing = 0;
	*files = 0;
	while ((de = readdir(d))) {
		char path[1024];
		if (!ends_with(de->d_name, suffix))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		json_error_t je;
		json_t *obj = json_load_file(path, 0, &je);
		if (!json_is_object(obj)) {
			T_FAILF("%s:%d: not a JSON object: %s", path, je.line, je.text);
			json_decref(obj);
			missing++;
			continue;
		}
		(*files)++;
		missing += check_keys_described(s, path, obj);
		json_decref(obj);
	}
	closedir(d);
	return missing;
}

static void test_corpus_extra_described(void)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/corpus/dumps", t_shared());
	tui_schema *s = NULL;
	T_ASSERT(tui_schema_load(&s, NULL, 0) == CD_OK);
	int files = 0, missing = check_dir(s, dir, ".extra", &files);
	tui_schema_free(s);
	if (missing < 0)
		T_SKIP("%s absent", dir);
	T_ASSERT(missing == 0);
	T_ASSERT(files > 0);
}

/* Raw crashes as Crash Stats serves them: annotations plus the collector's
 * own fields. */
static void test_crashstats_raw_described(void)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/crashstats-fixtures", t_shared());
	tui_schema *s = NULL;
	T_ASSERT(tui_schema_load(&s, NULL, 0) == CD_OK);
	int files = 0, missing = check_dir(s, dir, ".raw.json", &files);
	tui_schema_free(s);
	if (missing < 0)
		T_SKIP("%s absent", dir);
	T_ASSERT(missing == 0);
	T_ASSERT(files > 0);
}

/* The sample crash (made by `make sample` before the tests run). */
static void test_sample_extra_described(void)
{
	proc_annotations a;
	cd_err e;
	tui_schema *s = NULL;
	if (proc_annotations_load("data/samples/sample.extra", &a, &e) != CD_OK) {
		proc_annotations_free(&a);
		T_SKIP("data/samples/sample.extra: %s", e.msg);
	}
	T_ASSERT(tui_schema_load(&s, NULL, 0) == CD_OK);
	for (uint32_t i = 0; i < a.n; i++)
		if (!tui_schema_describe(s, a.kv[i].key))
			T_FAILF("sample.extra: %s is not described", a.kv[i].key);
	uint32_t n = a.n;
	tui_schema_free(s);
	proc_annotations_free(&a);
	T_ASSERT(n > 10);
}

/* ---- against Socorro's raw crash schema ---------------------------------- */

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && strlen(key) == k->data.scalar.length &&
		    memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);
			if (!nb)
				break;
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Keeps the shipped text our own: no 30-byte run of Socorro's description
 * of the same annotation appears in ours (whitespace folded). */
static int shares_run(const char *theirs, size_t tn, const char *ours)
{
	char flat[4096];
	size_t n = 0;
	for (size_t i = 0; i < tn && n + 1 < sizeof flat; i++) {
		char c = theirs[i] == '\n' || theirs[i] == '\t' ? ' ' : theirs[i];
		if (c == ' ' && (n == 0 || flat[n - 1] == ' '))
			continue;
		flat[n++] = c;
	}
	flat[n] = 0;
	for (size_t i = 0; i + 30 <= n; i++) {
		char save = flat[i + 30];
		flat[i + 30] = 0;
		int hit = strstr(ours, flat + i) != NULL;
		flat[i + 30] = save;
		if (hit)
			return 1;
	}
	return 0;
}

static void test_socorro_annotations(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/socorro-schemas/raw_crash.schema.yaml", t_shared());
	size_t len = 0;
	char *text = read_all(path, &len);
	if (!text)
		T_SKIP("%s absent", path);
	yaml_parser_t p;
	yaml_document_t doc;
	tui_schema *s = NULL;
	int loaded = 0, checked = 0;
	if (yaml_parser_initialize(&p)) {
		yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
		loaded = yaml_parser_load(&p, &doc);
		yaml_parser_delete(&p);
	}
	if (!loaded || tui_schema_load(&s, NULL, 0) != CD_OK) {
		free(text);
		if (loaded)
			yaml_document_delete(&doc);
		T_FAILF("cannot load %s", path);
		return;
	}
	yaml_node_t *props = map_get(&doc, yaml_document_get_root_node(&doc), "properties");
	for (yaml_node_pair_t *pr = props && props->type == YAML_MAPPING_NODE
					    ? props->data.mapping.pairs.start
					    : NULL;
	     pr && pr < props->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
		if (!k || k->type != YAML_SCALAR_NODE)
			continue;
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)k->data.scalar.length,
			 (const char *)k->data.scalar.value);
		checked++;
		const char *ours = tui_schema_describe(s, name);
		if (!ours) {
			T_FAILF("Socorro's %s is not described", name);
			continue;
		}
		/* Socorro shows a field publicly only when it says "public". */
		int prot = 1;
		yaml_node_t *perms = map_get(&doc, v, "permissions");
		if (perms && perms->type == YAML_SEQUENCE_NODE) {
			prot = 0;
			for (yaml_node_item_t *it = perms->data.sequence.items.start;
			     it < perms->data.sequence.items.top; it++) {
				yaml_node_t *pn = yaml_document_get_node(&doc, *it);
				if (pn && pn->type == YAML_SCALAR_NODE &&
				    strncmp((const char *)pn->data.scalar.value, "protected", 9) == 0)
					prot = 1;
			}
		}
		if (tui_schema_is_protected(s, name) != prot)
			T_FAILF("%s: protected is %d, Socorro says %d", name,
				tui_schema_is_protected(s, name), prot);
		yaml_node_t *desc = map_get(&doc, v, "description");
		if (desc && desc->type == YAML_SCALAR_NODE &&
		    shares_run((const char *)desc->data.scalar.value, desc->data.scalar.length, ours))
			T_FAILF("%s: the description repeats Socorro's wording", name);
	}
	yaml_document_delete(&doc);
	free(text);
	tui_schema_free(s);
	T_ASSERT(checked > 100);
}

/* ---- broken files ------------------------------------------------------------ */

static void test_syntax_error_names_line(void)
{
	tui_schema *s = parse("annotations:\n"
			      "  A:\n"
			      "    type: string\n"
			      "    access: public\n"
			      "    description: first\n"
			      "  B:\n"
			      "\ttype: string\n" /* YAML indents with spaces only */
			      "    access: public\n");
	T_ASSERT(s);
	size_t n = tui_schema_count(s);
	int nw = tui_schema_nwarnings(s);
	const char *a = tui_schema_describe(s, "A");
	int has_b = tui_schema_describe(s, "B") != NULL;
	char first[64];
	snprintf(first, sizeof first, "%s", a ? a : "");
	tui_schema_free(s);
	T_EQ_U64(nw, 1);
	if (strncmp(warnings, "t.yaml:7: ", 10) != 0)
		T_FAILF("warning does not name line 7: %s", warnings);
	T_EQ_STR(first, "first"); /* what came before the error is kept */
	T_ASSERT(!has_b && n == 1);
}

/* Each case: a file, how many entries survive, text a warning must
 * contain, and how many warnings there are. */
static void test_bad_entries(void)
{
	static const struct {
		const char *text, *want;
		size_t kept;
		int nw; /* warnings */
	} cases[] = {
		{ "annotations:\n  A: {type: string, access: public, description: ok}\n"
		  "  B: {type: text, access: public, description: x}\n",
		  "t.yaml:3: B: type: expected string, integer, number, boolean or object, not 'text'",
		  1, 1 },
		{ "annotations:\n  A: {type: string, access: secret, description: x}\n",
		  "t.yaml:2: A: access: expected public or protected, not 'secret'", 0, 1 },
		{ "annotations:\n  A:\n    type: string\n    description: x\n",
		  "t.yaml:2: A: no access", 0, 1 },
		{ "annotations:\n  A:\n    type: string\n    access: public\n    description: x\n"
		  "    colour: red\n",
		  "t.yaml:6: A: unknown field 'colour'", 0, 1 },
		{ "annotations:\n  A:\n    type: string\n    type: integer\n",
		  "t.yaml:4: A: type given twice (first on line 3)", 0, 1 },
		{ "annotations:\n  A: {type: string, access: public, description: one}\n"
		  "  A: {type: string, access: public, description: two}\n",
		  "t.yaml:3: A described twice (first on line 2)", 1, 1 },
		{ "annotations:\n  bad name: {type: string, access: public, description: x}\n",
		  "t.yaml:2: 'bad name' is no annotation name", 0, 1 },
		{ "annotations:\n  A: just text\n", "t.yaml:2: A: expected a mapping", 0, 1 },
		{ "annotations:\n  A:\n    type: string\n    access: public\n"
		  "    description: \"two\\nlines\"\n",
		  "t.yaml:5: A: control character or line break", 0, 1 },
		{ "annotations:\n  A: {type: string, access: public, description: \"\"}\n",
		  "t.yaml:2: A: empty description", 0, 1 },
		{ "annotations:\n  A: {type: &t string, access: public, description: x}\n"
		  "  B: {type: *t, access: public, description: x}\n",
		  "t.yaml:3: B: type: aliases (*name) are not supported", 1, 1 },
		{ "annotations:\n  A: {type: string, access: public, description: [x]}\n",
		  "t.yaml:2: A: description: expected text, not a list", 0, 1 },
		{ "colours: {}\nannotations: {}\n", "t.yaml:1: unknown key 'colours'", 0, 1 },
		{ "annotations: []\n", "t.yaml:1: annotations: expected a mapping", 0, 1 },
		{ "- a\n- b\n", "t.yaml:1: expected a mapping with annotations", 0, 1 },
		{ "", "t.yaml:1: empty file", 0, 1 },
		{ "{}\n", "t.yaml:1: no annotations", 0, 1 },
		{ "annotations: {A: {type: string, access: public, description: x}}\n---\nx: 1\n",
		  "t.yaml:2: a second document", 1, 1 },
		{ "annotations:\n  A: {type: string, access: public, description: x}\n"
		  "  B: {x: [[[[[[[[[[1]]]]]]]]]]}\n",
		  "t.yaml:3: nested deeper than a schema file needs", 1, 2 }, /* after 'x' */
		{ "annotations:\n  A: {type: string, access: public, description: \"\xff\"}\n",
		  "t.yaml:2: invalid", 0, 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tui_schema *s = parse(cases[i].text);
		if (!s) {
			T_FAILF("case %zu: parse failed", i);
			continue;
		}
		size_t n = tui_schema_count(s);
		int nw = tui_schema_nwarnings(s);
		tui_schema_free(s);
		if (nw != cases[i].nw || !strstr(warnings, cases[i].want))
			T_FAILF("case %zu: %d warnings '%s', expected one with '%s'", i, nw, warnings,
				cases[i].want);
		else if (n != cases[i].kept)
			T_FAILF("case %zu: %zu entries kept, expected %zu", i, n, cases[i].kept);
	}
}

/* A folded block description is one line; the first of two kept. */
static void test_folded_and_first_kept(void)
{
	tui_schema *s = parse("annotations:\n"
			      "  Z:\n"
			      "    description: >\n"
			      "      Folded over\n"
			      "      two lines.\n"
			      "    type: integer\n"
			      "    access: protected\n"
			      "  Y: {type: string, access: public, description: first}\n"
			      "  Y: {type: string, access: public, description: second}\n");
	T_ASSERT(s);
	char z[64], y[64];
	snprintf(z, sizeof z, "%s", tui_schema_describe(s, "Z") ? tui_schema_describe(s, "Z") : "");
	snprintf(y, sizeof y, "%s", tui_schema_describe(s, "Y") ? tui_schema_describe(s, "Y") : "");
	int pz = tui_schema_is_protected(s, "Z"), py = tui_schema_is_protected(s, "Y");
	tui_schema_free(s);
	T_EQ_STR(z, "Folded over two lines.");
	T_EQ_STR(y, "first");
	T_ASSERT(pz == 1 && py == 0);
}

/* Warnings never overrun the caller's buffer, and the count stays right. */
static void test_small_warning_buffer(void)
{
	char small[12];
	memset(small, 'x', sizeof small);
	tui_schema *s = NULL;
	const char *text = "a: 1\nb: 2\nc: 3\n";
	T_ASSERT(tui_schema_parse("long-file-name.yaml", text, strlen(text), &s, small, 8) ==
		 CD_OK);
	int nw = tui_schema_nwarnings(s);
	tui_schema_free(s);
	T_EQ_U64(nw, 4); /* three unknown keys, then no annotations */
	T_ASSERT(memchr(small, 0, 8) != NULL);
	T_ASSERT(small[8] == 'x' && small[11] == 'x');
	T_ASSERT(tui_schema_parse("x", NULL, 1, &s, NULL, 0) == CD_EUSAGE);
	T_ASSERT(tui_schema_load(NULL, NULL, 0) == CD_EUSAGE);
}

static void test_too_big(void)
{
	size_t len = TUI_SCHEMA_FILE_MAX + 1;
	char *big = malloc(len);
	T_ASSERT(big);
	memset(big, '#', len);
	tui_schema *s = NULL;
	int rc = tui_schema_parse("big.yaml", big, len, &s, warnings, sizeof warnings);
	free(big);
	T_ASSERT(rc == CD_OK && s);
	size_t n = tui_schema_count(s);
	tui_schema_free(s);
	T_ASSERT(n == 0 && strstr(warnings, "big.yaml:1: ") != NULL);
}

/* libyaml's scanner is quadratic in nesting depth: the reader must stop at
 * its cap as the levels come, not after scanning them all. */
static void test_deep_nesting(void)
{
	static const char head[] = "annotations:\n  A: {type: string, access: public, description: x}\n"
				   "  B:\n    type: ";
	size_t depth = 60000, len = sizeof head - 1 + depth;
	char *text = malloc(len);
	T_ASSERT(text);
	memcpy(text, head, sizeof head - 1);
	memset(text + sizeof head - 1, '[', depth);
	tui_schema *s = NULL;
	int rc = tui_schema_parse("t.yaml", text, len, &s, warnings, sizeof warnings);
	free(text);
	T_ASSERT(rc == CD_OK && s);
	size_t n = tui_schema_count(s);
	tui_schema_free(s);
	T_ASSERT(n == 1 && strstr(warnings, "t.yaml:4: nested deeper") != NULL);
}

int main(void)
{
	T_RUN(test_builtin_loads_clean);
	T_RUN(test_known_keys);
	T_RUN(test_unknown_key);
	T_RUN(test_protected_flags);
	T_RUN(test_sorted_lookup);
	T_RUN(test_corpus_extra_described);
	T_RUN(test_crashstats_raw_described);
	T_RUN(test_sample_extra_described);
	T_RUN(test_socorro_annotations);
	T_RUN(test_syntax_error_names_line);
	T_RUN(test_bad_entries);
	T_RUN(test_folded_and_first_kept);
	T_RUN(test_small_warning_buffer);
	T_RUN(test_too_big);
	T_RUN(test_deep_nesting);
	return t_done();
}
