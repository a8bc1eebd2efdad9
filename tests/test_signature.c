/*
 * test_signature.c - the signature engine: every rule on hand-made crash
 * data with small lists of its own, the explanation's fates, bad input,
 * bad lists, the built-in lists, and Socorro's conformance cases
 * (../shared/siggen-conformance/, skipped when absent).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/signature/signature.h"
#include "testlib.h"

/* Small lists: what each rule needs and no more. */
static const char *IRRELEVANT = "# comment\n\nabort$\n@0x[0-9a-f]+$\nmozalloc_\\w+\nntdll\\.dll\n";
static const char *PREFIX = "Lock::\nnsTArray<T>::\ncore::panicking::\n  # indented comment\n";
static const char *LINENO = "js_Interpret$\n";
static const char *SENTINELS = "_purecall\ncore::panicking::panic\n";

static sig_lists *mk_lists(const char *irr, const char *pre, const char *lin, const char *sen)
{
	const char *t[SIG_NLISTS] = { irr, pre, lin, sen };
	size_t n[SIG_NLISTS];
	for (int i = 0; i < SIG_NLISTS; i++)
		n[i] = strlen(t[i]);
	sig_lists *l = NULL;
	cd_err e;
	if (sig_lists_load_mem(t, n, "test", &l, &e) != CD_OK)
		fprintf(stderr, "lists: %s\n", e.msg);
	return l;
}

static sig_lists *L;
static sig_signer *S;

static const sig_result *sign(const char *json)
{
	const sig_result *r = NULL;
	cd_err e;
	if (sig_sign_json(S, json, strlen(json), &r, &e) != CD_OK)
		return NULL;
	return r;
}

/* A crash_data object with one thread of the given frames (JSON). */
static const sig_result *sign_frames(const char *frames, const char *extra)
{
	char buf[8192];
	snprintf(buf, sizeof buf, "{\"crashing_thread\":0,\"threads\":[{\"frames\":[%s]}]%s%s}", frames,
		 extra && *extra ? "," : "", extra ? extra : "");
	return sign(buf);
}

static int has_note(const sig_result *r, const char *text)
{
	for (size_t i = 0; i < r->nnotes; i++)
		if (strstr(r->notes[i], text))
			return 1;
	return 0;
}

static void test_normalize_cpp(void)
{
	const sig_result *r = sign_frames(
		"{\"function\":\"static void * Allocator<MozJemallocBase>::malloc(unsigned __int64)\"}", NULL);
	T_ASSERT(r);
	T_EQ_STR(r->signature, "Allocator<T>::malloc");
	T_EQ_STR(r->frames[0].function, "static void * Allocator<MozJemallocBase>::malloc(unsigned __int64)");
	r = sign_frames("{\"function\":\"`anonymous namespace'::Foo::Bar(int) const\"}", NULL);
	T_EQ_STR(r->signature, "(anonymous namespace)::Foo::Bar");
	r = sign_frames("{\"function\":\"mozilla::Thing::$_12::operator()(int) const\"}", NULL);
	T_EQ_STR(r->signature, "mozilla::Thing::$::operator()");
	/* The cold-clone label goes, leaving "foo "; whitespace is trimmed last. */
	r = sign_frames("{\"function\":\"foo(int) [clone .cold.123]\"}", NULL);
	T_EQ_STR(r->frames[0].normalized, "foo ");
	T_EQ_STR(r->signature, "foo");
	r = sign_frames("{\"function\":\"bool operator<<T>(A, B)\"}", NULL);
	T_ASSERT(r);
	r = sign_frames("{\"function\":\"IPC::ParamTraits<mozilla::Maybe<int> >::Write(a)\"}", NULL);
	T_EQ_STR(r->signature, "IPC::ParamTraits<mozilla::Maybe<T> >::Write");
	r = sign_frames("{\"function\":\"<unknown in foo.dll>\"}", NULL);
	T_EQ_STR(r->signature, "<unknown in foo.dll>");
}

static void test_normalize_rust(void)
{
	const sig_result *r = sign_frames(
		"{\"function\":\"<alloc::vec::Vec<T> as core::ops::Drop>::drop::h1234abcd\","
		"\"file\":\"git:github.com/rust-lang/rust:src/liballoc/vec.rs:abc\"}", NULL);
	T_ASSERT(r);
	T_EQ_STR(r->signature, "<alloc::vec::Vec<T> as core::ops::Drop>::drop");
	/* Rust 1.34's panic symbols get their path back, then are a sentinel. */
	r = sign_frames("{\"function\":\"foo\"},{\"function\":\"panic\",\"file\":\"/x:src/libcore/panicking.rs\"},"
			"{\"function\":\"caller\"}", NULL);
	T_ASSERT(r);
	T_EQ_STR(r->signature, "core::panicking::panic | caller");
	T_EQ_U64(r->frames[0].fate, SIG_FATE_BEFORE_SENTINEL);
	T_EQ_U64(r->frames[1].fate, SIG_FATE_SENTINEL);
	T_EQ_U64(r->frames[1].match.list, SIG_LIST_SENTINELS);
	T_EQ_U64(r->frames[1].match.line, 2);
}

static void test_frames_without_function(void)
{
	const sig_result *r = sign_frames("{\"file\":\"c:\\\\src\\\\dir\\\\a.cpp\",\"line\":12}", NULL);
	T_EQ_STR(r->signature, "a.cpp#12");
	r = sign_frames("{\"module\":\"[libfoo.so]\",\"module_offset\":\"0x10\"}", NULL);
	T_EQ_STR(r->signature, "libfoo.so");
	r = sign_frames("{\"unloaded_modules\":[{\"module\":\"gone.dll\"}]}", NULL);
	T_EQ_STR(r->signature, "(unloaded gone.dll)");
	r = sign_frames("{\"offset\":\"0x000000ab\"}", NULL);
	/* @0xab is irrelevant, and the only frame: it is the signature. */
	T_EQ_STR(r->signature, "@0xab");
	T_EQ_U64(r->frames[0].fate, SIG_FATE_FALLBACK);
	T_CHECK(has_note(r, "no frame data for crashing thread (0)"));
}

static void test_lists_and_fates(void)
{
	const sig_result *r = sign_frames(
		"{\"function\":\"abort\"},{\"function\":\"Lock::Acquire()\"},{\"function\":\"\"},"
		"{\"function\":\"Real::Crash()\"},{\"function\":\"main\"}", NULL);
	T_ASSERT(r);
	T_EQ_STR(r->signature, "Lock::Acquire | Real::Crash");
	T_EQ_U64(r->nframes, 5);
	T_EQ_U64(r->frames[0].fate, SIG_FATE_IRRELEVANT);
	T_EQ_U64(r->frames[0].match.list, SIG_LIST_IRRELEVANT);
	T_EQ_U64(r->frames[0].match.line, 3); /* comments and blank lines count */
	T_EQ_STR(r->frames[0].match.regex, "abort$");
	T_EQ_U64(r->frames[1].fate, SIG_FATE_PREFIX);
	T_EQ_U64(r->frames[1].match.line, 1);
	T_EQ_U64(r->frames[2].fate, SIG_FATE_EMPTY);
	T_EQ_U64(r->frames[3].fate, SIG_FATE_KEPT);
	T_EQ_U64(r->frames[4].fate, SIG_FATE_NOT_REACHED);
	T_EQ_STR(r->rule, "SignatureGenerationRule");
	T_EQ_STR(r->tool, "c");
	/* re.match: anchored at the start only. */
	r = sign_frames("{\"function\":\"xabort\"}", NULL);
	T_EQ_STR(r->signature, "xabort");
	/* Repeated libraries collapse; (unloaded) ones do not. */
	r = sign_frames("{\"module\":\"a.dll\"},{\"module\":\"A.DLL\"},{\"module\":\"a.dll\"}",
			"\"os\":\"Windows NT\"");
	T_EQ_STR(r->signature, "a.dll");
}

static void test_line_numbers_and_40_frames(void)
{
	const sig_result *r = sign_frames("{\"function\":\"js_Interpret\",\"line\":77}", NULL);
	T_EQ_STR(r->signature, "js_Interpret:77");
	T_EQ_U64(r->frames[0].line_number.list, SIG_LIST_LINE_NUMBERS);
	char frames[4096] = "";
	for (int i = 0; i < 45; i++)
		strcat(frames, i ? ",{\"function\":\"abort\"}" : "{\"function\":\"abort\"}");
	strcat(frames, ",{\"function\":\"late\"}");
	r = sign_frames(frames, NULL);
	/* Past 40 frames nothing is considered: the first one is the fallback. */
	T_EQ_STR(r->signature, "abort");
	T_EQ_U64(r->nframes, 46);
	T_EQ_U64(r->frames[40].fate, SIG_FATE_BEYOND);
	T_EQ_U64(r->frames[45].fate, SIG_FATE_BEYOND);
	/* Inlines count as frames, before their frame. */
	r = sign_frames("{\"function\":\"outer\",\"inlines\":[{\"function\":\"Lock::inner\"}]}", NULL);
	T_EQ_STR(r->signature, "Lock::inner | outer");
	T_EQ_U64(r->frames[0].inline_index, 0);
	T_EQ_U64(r->frames[1].inline_index, (uint64_t)-1);
}

static void test_truncation(void)
{
	char frames[8192] = "";
	for (int i = 0; i < 30; i++) {
		char f[128];
		snprintf(f, sizeof f, "%s{\"function\":\"Lock::step_number_%02d_of_a_long_chain\"}", i ? "," : "", i);
		strcat(frames, f);
	}
	strcat(frames, ",{\"function\":\"end\"}");
	const sig_result *r = sign_frames(frames, NULL);
	T_ASSERT(r);
	T_EQ_U64(strlen(r->signature), 255);
	T_CHECK(!strcmp(r->signature + 252, "..."));
	T_CHECK(has_note(r, "SigTrunc: signature truncated due to length"));
	T_EQ_STR(r->rule, "SigTruncate");
	T_EQ_U64(r->frames[0].fate, SIG_FATE_PREFIX);
	T_EQ_U64(r->frames[29].fate, SIG_FATE_CUT);
	T_EQ_U64(r->frames[30].fate, SIG_FATE_CUT);
}

static void test_annotation_rules(void)
{
	const char *f = "{\"function\":\"Crash::Here\"}";
	const sig_result *r = sign_frames(f, "\"oom_allocation_size\":1024");
	T_EQ_STR(r->signature, "OOM | small");
	r = sign_frames(f, "\"oom_allocation_size\":\"1000000\"");
	T_EQ_STR(r->signature, "OOM | large | Crash::Here");
	r = sign_frames("{\"function\":\"mozalloc_handle_oom\"},{\"function\":\"NS_ABORT_OOM\"}", NULL);
	T_EQ_STR(r->signature, "OOM | unknown | NS_ABORT_OOM");
	r = sign_frames(f, "\"oom_allocation_size\":\"lots\"");
	T_CHECK(has_note(r, "OOMSignature: Rule failed: invalid literal for int() with base 10: 'lots'"));
	r = sign_frames(f, "\"js_large_allocation_failure\":\"Reporting\"");
	T_EQ_STR(r->signature, "OOM | large | Crash::Here");
	r = sign_frames(f, "\"abort_message\":\"[1234] ###!!! ABORT: bad thing: file foo.cpp:12\"");
	T_EQ_STR(r->signature, "Abort | bad thing | Crash::Here");
	r = sign_frames(f, "\"abort_message\":\"###!!! ABORT: file foo.cpp:12\"");
	T_EQ_STR(r->signature, "Abort | Crash::Here");
	r = sign_frames(f, "\"async_shutdown_timeout\":\"{\\\"phase\\\":\\\"quit\\\",\\\"conditions\\\":[{\\\"name\\\":\\\"b\\\"},\\\"a\\\"]}\"");
	T_EQ_STR(r->signature, "AsyncShutdownTimeout | quit | a,b");
	T_CHECK(has_note(r, "was: \"Crash::Here\""));
	r = sign_frames(f, "\"async_shutdown_timeout\":\"{oops\"");
	T_EQ_STR(r->signature, "AsyncShutdownTimeout | UNKNOWN");
	T_CHECK(has_note(r, "Error parsing AsyncShutdownTimeout: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"));
	r = sign_frames(f, "\"ipc_channel_error\":\"ShutDownKill\",\"additional_minidumps\":[\"upload_file_minidump_browser\"]");
	T_EQ_STR(r->signature, "IPCError-browser | ShutDownKill");
	r = sign_frames(f, "\"ipc_channel_error\":\"ShutDownKill\"");
	T_EQ_STR(r->signature, "IPCError-content | ShutDownKill");
	r = sign_frames(f, "\"ipc_message_name\":\"PFoo::Msg_Bar\"");
	T_EQ_STR(r->signature, "Crash::Here | IPC_Message_Name=PFoo::Msg_Bar");
	r = sign_frames(f, "\"reason\":\"EXCEPTION_STACK_OVERFLOW\"");
	T_EQ_STR(r->signature, "stackoverflow | Crash::Here");
	r = sign_frames(f, "\"reason\":\"STATUS_DEVICE_DATA_ERROR / x\"");
	T_EQ_STR(r->signature, "bad hardware | Crash::Here");
	r = sign_frames(f, "\"hang\":true");
	T_EQ_STR(r->signature, "hang: True | Crash::Here");
	r = sign("{\"crashing_thread\":0,\"threads\":[],\"mdsw_status_string\":\"ERROR_NO_THREAD_LIST\"}");
	T_EQ_STR(r->signature, "EMPTY: no frame data available; ERROR_NO_THREAD_LIST");
	T_EQ_STR(r->rule, "StackwalkerErrorSignatureRule");
	/* Shutdown hang: thread 0 re-signed. */
	r = sign("{\"crashing_thread\":1,\"threads\":[{\"frames\":[{\"function\":\"Main::Stuck\"}]},"
		 "{\"frames\":[{\"function\":\"mozilla::RunWatchdog(void*)\"}]}]}");
	T_EQ_STR(r->signature, "shutdownhang | Main::Stuck");
	T_EQ_U64(r->thread, 0);
	/* Printable characters and whitespace. */
	r = sign_frames("{\"module\":\"caf\\u00e9.dll\"}", NULL);
	T_ASSERT(r);
	T_EQ_STR(r->frames[0].normalized, "caf\xc3\xa9.dll");
	T_EQ_STR(r->signature, "caf.dll");
	T_CHECK(has_note(r, "SigPrintableCharsOnly: unprintable characters removed"));
	r = sign_frames("{\"function\":\"a\"}", "\"ipc_message_name\":\"x\\ty  z \"");
	/* The tab is unprintable (dropped), then the double space collapses. */
	T_EQ_STR(r->signature, "a | IPC_Message_Name=xy z");
}

static void test_java(void)
{
	const sig_result *r = sign("{\"java_stack_trace\":\"java.lang.NullPointerException: boom @1234abcd\\n"
				   "\\tat org.mozilla.Foo.bar(Foo.java:12)\\n\\tat x\"}");
	T_ASSERT(r);
	T_EQ_STR(r->signature, "java.lang.NullPointerException: boom @<addr>: at org.mozilla.Foo.bar(Foo.java)");
	T_EQ_STR(r->tool, "java");
	r = sign("{\"java_stack_trace\":\"NoColonHere\"}");
	T_EQ_STR(r->signature, "NoColonHere");
	T_CHECK(has_note(r, "line 1 is not in the expected format"));
	T_CHECK(has_note(r, "line 2 is missing"));
	r = sign("{\"java_exception\":{\"exception\":{\"values\":[{\"stacktrace\":{\"type\":\"E\",\"module\":\"m\","
		 "\"frames\":[{\"module\":\"a.B\",\"function\":\"c\",\"filename\":\"B.java\"}]}}]}}}");
	T_EQ_STR(r->signature, "m.E: at a.B.c(B.java)");
}

static void test_input_kinds(void)
{
	/* Socorro's processed crash. */
	const sig_result *r = sign("{\"json_dump\":{\"crash_info\":{\"crashing_thread\":0,\"type\":\"EXCEPTION_STACK_OVERFLOW\"},"
				   "\"threads\":[{\"frames\":[{\"function\":\"f\"}]}]},\"oom_allocation_size\":\"12\"}");
	T_ASSERT(r);
	T_EQ_STR(r->input_kind, "processed");
	T_EQ_STR(r->signature, "stackoverflow | OOM | small");
	/* crashdesk's walk --json with Firefox's annotation names. */
	r = sign("{\"status\":\"OK\",\"crash_info\":{\"crashing_thread\":0,\"type\":\"SIGSEGV\"},"
		 "\"threads\":[{\"frames\":[{\"function\":\"g\"}]}],"
		 "\"annotations\":{\"IPCChannelError\":\"x\",\"additional_minidumps\":\"browser\"}}");
	T_EQ_STR(r->input_kind, "walk");
	T_EQ_STR(r->signature, "IPCError-browser | x");
	/* A conformance case line. */
	r = sign("{\"id\":\"x\",\"input\":{\"threads\":[{\"frames\":[{\"function\":\"h\"}]}]}}");
	T_EQ_STR(r->input_kind, "case");
	T_EQ_STR(r->signature, "h");
}

static void test_bad_input(void)
{
	const sig_result *r;
	cd_err e;
	static const char *const bad[] = { "", "{", "[1,2]", "{\"a\":1} x", "{\"a\":\"\xff\"}",
					   "{\"a\":\"\\ud800\"", "nul", "{\"a\":01}" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = sig_sign_json(S, bad[i], strlen(bad[i]), &r, &e);
		if (rc == CD_OK)
			T_FAILF("accepted %s", bad[i]);
		else if (!strstr(e.msg, "byte") && !strstr(e.msg, "object"))
			T_FAILF("message without a position: %s", e.msg);
	}
	/* Deep nesting is refused, not a stack overflow. */
	char deep[5000];
	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = 0;
	T_CHECK(sig_sign_json(S, deep, strlen(deep), &r, &e) != CD_OK);
	/* Wrong types: Socorro's "Rule failed" notes, and a signature still. */
	r = sign("{\"crashing_thread\":\"zero\",\"threads\":[[1]]}");
	T_ASSERT(r);
	T_CHECK(has_note(r, "SignatureGenerationRule: Rule failed: 'list' object has no attribute 'get'"));
	r = sign("{\"threads\":[{\"frames\":[{\"function\":5}]}]}");
	T_CHECK(has_note(r, "Rule failed: 'int' object has no attribute 'endswith'"));
	r = sign("{\"threads\":{\"a\":1},\"abort_message\":7,\"reason\":3}");
	T_ASSERT(r);
	T_EQ_STR(r->signature, "EMPTY: no frame data available");
	T_CHECK(has_note(r, "AbortSignature: Rule failed"));
	T_CHECK(has_note(r, "BadHardware: Rule failed: argument of type 'int' is not iterable"));
	r = sign("{}");
	T_EQ_STR(r->signature, "EMPTY: no frame data available");
	/* A gigantic stack: 200,000 frames, listed up to the cap. */
	size_t n = 200000;
	char *big = malloc(n * 20 + 100);
	T_ASSERT(big);
	char *p = big + sprintf(big, "{\"threads\":[{\"frames\":[");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s{\"function\":\"f\"}", i ? "," : "");
	strcpy(p, "]}]}");
	int rc = sig_sign_json(S, big, strlen(big), &r, &e);
	free(big);
	T_ASSERT(rc == CD_OK);
	T_EQ_STR(r->signature, "f");
	T_CHECK(r->nframes <= 1000 && r->nframes + r->frames_omitted == n);
}

static void test_bad_lists(void)
{
	sig_lists *l = mk_lists("ok$\nbad(\n[also bad\n\\Zfine\\Z\n", "", "", "x(\n");
	T_ASSERT(l);
	T_EQ_U64(sig_lists_nwarnings(l), 3);
	T_CHECK(strstr(sig_lists_warning(l, 0), "test/irrelevant_signature_re.txt:2: invalid regex \"bad(\""));
	T_CHECK(strstr(sig_lists_warning(l, 1), "irrelevant_signature_re.txt:3:"));
	T_CHECK(strstr(sig_lists_warning(l, 2), "signature_sentinels.txt:1:"));
	sig_lists_free(l);
	const char *t[SIG_NLISTS] = { "\xff\xfe\n", "", "", "" };
	size_t n[SIG_NLISTS] = { 3, 0, 0, 0 };
	cd_err e;
	T_CHECK(sig_lists_load_mem(t, n, "test", &l, &e) != CD_OK);
	T_CHECK(strstr(e.msg, "irrelevant_signature_re.txt:1: not UTF-8"));
	T_CHECK(sig_lists_load("/nonexistent-dir", &l, &e) != CD_OK && strstr(e.msg, "/nonexistent-dir/"));
	/* Python's \Z means PCRE2's \z: "a\n" must not match "a\Z". */
	l = mk_lists("a\\Z\n", "", "", "");
	sig_signer *s2;
	T_ASSERT(l && sig_signer_new(l, &s2, &e) == CD_OK);
	const sig_result *r;
	const char *in = "{\"threads\":[{\"frames\":[{\"function\":\"a\\n\"},{\"function\":\"b\"}]}]}";
	T_ASSERT(sig_sign_json(s2, in, strlen(in), &r, &e) == CD_OK);
	T_EQ_U64(r->frames[0].fate, SIG_FATE_KEPT);
	sig_signer_free(s2);
	sig_lists_free(l);
}

static void test_builtin_lists(void)
{
	sig_lists *l;
	cd_err e;
	T_ASSERT(sig_lists_load(NULL, &l, &e) == CD_OK);
	T_EQ_U64(sig_lists_nwarnings(l), 0);
	sig_signer *s2;
	T_ASSERT(sig_signer_new(l, &s2, &e) == CD_OK);
	const char *in = "{\"threads\":[{\"frames\":[{\"function\":\"abort\"},{\"function\":\"mozilla::detail::MutexImpl::lock()\"},"
			 "{\"function\":\"Foo::Bar()\"}]}]}";
	const sig_result *r;
	T_ASSERT(sig_sign_json(s2, in, strlen(in), &r, &e) == CD_OK);
	T_EQ_STR(r->signature, "mozilla::detail::MutexImpl::lock | Foo::Bar");
	cd_buf b;
	cd_buf_init(&b, 0);
	T_ASSERT(sig_result_json(r, &b) == CD_OK);
	json_error_t je;
	json_t *j = json_loadb(b.data, b.len, 0, &je);
	T_CHECK(j && json_is_string(json_object_get(j, "signature")));
	T_CHECK(json_array_size(json_object_get(json_object_get(j, "explanation"), "frames")) == 3);
	json_decref(j);
	cd_buf_free(&b);
	sig_signer_free(s2);
	sig_lists_free(l);
}

static void test_resig(void)
{
	sig_lists *base = mk_lists("", "", "", ""), *next = mk_lists("Lock::\n", "", "", "");
	sig_resig *r;
	cd_err e;
	T_ASSERT(base && next && sig_resig_new(base, next, &r, &e) == CD_OK);
	static const char *const in[] = {
		"{\"threads\":[{\"frames\":[{\"function\":\"Lock::x\"},{\"function\":\"f1\"}]}]}",
		"{\"threads\":[{\"frames\":[{\"function\":\"Lock::x\"},{\"function\":\"f2\"}]}]}",
		"{\"threads\":[{\"frames\":[{\"function\":\"Lock::y\"},{\"function\":\"f1\"}]}]}",
		"{\"threads\":[{\"frames\":[{\"function\":\"Lock::x\"},{\"function\":\"f1\"}]}]}",
		"[not a crash]",
	};
	for (size_t i = 0; i < 5; i++)
		sig_resig_add(r, in[i], strlen(in[i]), i, &e);
	const sig_resig_report *rep;
	T_ASSERT(sig_resig_report_get(r, &rep, &e) == CD_OK);
	T_EQ_U64(rep->total, 4);
	T_EQ_U64(rep->changed, 4);
	T_EQ_U64(rep->failed, 1);
	T_EQ_U64(rep->nchanges, 3);
	T_EQ_STR(rep->changes[0].old_sig, "Lock::x");
	T_EQ_STR(rep->changes[0].new_sig, "f1");
	T_EQ_U64(rep->changes[0].count, 2);
	T_EQ_U64(rep->changes[0].inputs[1], 3);
	T_EQ_U64(rep->nmerged, 1);
	T_EQ_STR(rep->merged[0].signature, "f1");
	T_EQ_U64(rep->merged[0].total, 3);
	T_EQ_U64(rep->nsplit, 1);
	T_EQ_STR(rep->split[0].signature, "Lock::x");
	T_EQ_U64(rep->split[0].npairs, 2);
	sig_resig_free(r);
	sig_lists_free(base);
	sig_lists_free(next);
}

/* Socorro's own answers for 1,061 inputs: signature, notes, debug log. */
static void test_conformance(void)
{
	char path[4096], dir[4096];
	snprintf(path, sizeof path, "%s/siggen-conformance/cases.jsonl", t_shared());
	snprintf(dir, sizeof dir, "%s/siggen-conformance/siglists", t_shared());
	FILE *f = fopen(path, "r");
	if (!f)
		T_SKIP("%s is absent", path);
	sig_lists *l;
	sig_signer *s2;
	cd_err e;
	T_ASSERT(sig_lists_load(dir, &l, &e) == CD_OK);
	T_ASSERT(sig_signer_new(l, &s2, &e) == CD_OK);
	char *line = NULL;
	size_t cap = 0, total = 0, sig_ok = 0, notes_ok = 0, debug_ok = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		json_error_t je;
		json_t *c = json_loadb(line, (size_t)n, 0, &je);
		if (!c)
			continue;
		total++;
		json_t *ex = json_object_get(c, "expected");
		const char *id = json_string_value(json_object_get(c, "id"));
		char *input = json_dumps(json_object_get(c, "input"), JSON_COMPACT);
		const sig_result *r;
		if (input && sig_sign_json(s2, input, strlen(input), &r, &e) == CD_OK) {
			int ok = !strcmp(r->signature, json_string_value(json_object_get(ex, "signature")));
			sig_ok += ok;
			if (!ok)
				printf("# mismatch %s: expected \"%s\", got \"%s\"\n", id,
				       json_string_value(json_object_get(ex, "signature")), r->signature);
			json_t *notes = json_object_get(ex, "notes"), *dbg = json_object_get(ex, "debug_log");
			int nok = json_array_size(notes) == r->nnotes;
			for (size_t i = 0; nok && i < r->nnotes; i++)
				nok = !strcmp(r->notes[i], json_string_value(json_array_get(notes, i)));
			notes_ok += nok;
			if (!nok)
				printf("# notes differ: %s\n", id);
			int dok = json_array_size(dbg) == r->ndebug;
			for (size_t i = 0; dok && i < r->ndebug; i++) {
				const char *want = json_string_value(json_array_get(dbg, i));
				/* The lists' directory is named in one line of the log. */
				dok = !strcmp(r->debug_log[i], want) ||
				      (strstr(want, "signature lists") && strstr(r->debug_log[i], "signature lists"));
			}
			debug_ok += dok;
		} else {
			printf("# %s: %s\n", id, e.msg);
		}
		free(input);
		json_decref(c);
	}
	free(line);
	fclose(f);
	sig_signer_free(s2);
	sig_lists_free(l);
	printf("# conformance: %zu/%zu signatures, %zu notes, %zu debug logs\n", sig_ok, total,
	       notes_ok, debug_ok);
	T_CHECK(total >= 1000);
	T_CHECK(sig_ok * 100 >= total * 99);
	T_CHECK(notes_ok == sig_ok || notes_ok * 100 >= total * 99);
}

int main(void)
{
	L = mk_lists(IRRELEVANT, PREFIX, LINENO, SENTINELS);
	cd_err e;
	if (!L || sig_signer_new(L, &S, &e) != CD_OK) {
		printf("FAIL setup: lists\n");
		return 1;
	}
	T_RUN(test_normalize_cpp);
	T_RUN(test_normalize_rust);
	T_RUN(test_frames_without_function);
	T_RUN(test_lists_and_fates);
	T_RUN(test_line_numbers_and_40_frames);
	T_RUN(test_truncation);
	T_RUN(test_annotation_rules);
	T_RUN(test_java);
	T_RUN(test_input_kinds);
	T_RUN(test_bad_input);
	T_RUN(test_bad_lists);
	T_RUN(test_builtin_lists);
	T_RUN(test_resig);
	T_RUN(test_conformance);
	sig_signer_free(S);
	sig_lists_free(L);
	return t_done();
}
