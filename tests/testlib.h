/*
 * testlib.h - a minimal unit-test harness.
 *
 * Each test binary prints one line per test: "ok NAME", "FAIL NAME: why"
 * or "skip NAME: why". tests/run.sh runs every binary and script, counts
 * those lines and prints the closing "N passed, N failed" line; a binary
 * that dies of a signal counts as a failure.
 *
 *   static void test_x(void) { T_EQ_U64(1 + 1, 2); }
 *   int main(void) { T_RUN(test_x); return t_done(); }
 */
#ifndef CD_TESTLIB_H
#define CD_TESTLIB_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failed_now, t_skipped_now, t_nfail;
static char t_why[1024];

#define T_FAILF(...)                                                        \
	do {                                                                \
		if (!t_failed_now) {                                        \
			int n_ = snprintf(t_why, sizeof t_why, "%s:%d: ",   \
					  __FILE__, __LINE__);              \
			snprintf(t_why + n_, sizeof t_why - (size_t)n_,     \
				 __VA_ARGS__);                              \
		}                                                           \
		t_failed_now = 1;                                           \
	} while (0)

#define T_ASSERT(c)                                                         \
	do {                                                                \
		if (!(c)) {                                                 \
			T_FAILF("assertion failed: %s", #c);                \
			return;                                             \
		}                                                           \
	} while (0)

#define T_CHECK(c)                                                          \
	do {                                                                \
		if (!(c))                                                   \
			T_FAILF("check failed: %s", #c);                    \
	} while (0)

#define T_EQ_U64(a, b)                                                      \
	do {                                                                \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);            \
		if (a_ != b_) {                                             \
			T_FAILF("%s == 0x%" PRIx64 ", expected 0x%" PRIx64, \
				#a, a_, b_);                                \
			return;                                             \
		}                                                           \
	} while (0)

#define T_EQ_STR(a, b)                                                      \
	do {                                                                \
		const char *a_ = (a), *b_ = (b);                            \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                    \
			T_FAILF("%s == \"%s\", expected \"%s\"", #a,        \
				a_ ? a_ : "(null)", b_ ? b_ : "(null)");    \
			return;                                             \
		}                                                           \
	} while (0)

#define T_SKIP(...)                                                         \
	do {                                                                \
		snprintf(t_why, sizeof t_why, __VA_ARGS__);                 \
		t_skipped_now = 1;                                          \
		return;                                                     \
	} while (0)

static inline void t_run(const char *name, void (*fn)(void))
{
	t_failed_now = t_skipped_now = 0;
	t_why[0] = 0;
	fn();
	if (t_failed_now) {
		printf("FAIL %s: %s\n", name, t_why);
		t_nfail++;
	} else if (t_skipped_now) {
		printf("skip %s: %s\n", name, t_why);
	} else {
		printf("ok %s\n", name);
	}
	fflush(stdout);
}

#define T_RUN(fn) t_run(#fn, fn)

static inline int t_done(void) { return t_nfail ? 1 : 0; }

/* ../shared/ beside the checkout, or NULL (tests then skip). Tests run from
 * the project root; CRASHDESK_SHARED overrides. */
static inline const char *t_shared(void)
{
	const char *s = getenv("CRASHDESK_SHARED");
	return s && *s ? s : "../shared";
}

#endif
