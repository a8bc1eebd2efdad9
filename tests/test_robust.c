/*
 * test_robust.c - the minidump reader on hostile input.
 *
 * Every corpus dump is truncated at 64 offsets (the header edge, the
 * directory, each stream's start and middle, then spread over the file)
 * and mutated 64 times (seeded; 1-8 edits each, mostly in the header, the
 * directory and the first bytes of streams, where counts and RVAs live),
 * then read back through md_open_mem() from a buffer of exactly its size.
 * Required: no signal and no sanitizer report (make check runs this under
 * ASan and UBSan); either success or a format error naming the input and
 * an offset; every decoded field touchable; md_touch_check() (arena within
 * 32 x the file + 4 MiB, problems blamed on streams of the directory, a
 * stream not read whole saying why); and for truncations, every stream
 * the whole dump read and the cut spares still read.
 *
 * Then the regressions: hostile layouts the fuzzer or this test found,
 * each built here with the synthetic writer.
 */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../src/minidump/minidump.h"
#include "fuzz/md_touch.h"
#include "synth/synth.h"
#include "testlib.h"

#define CASES 64 /* truncations, and again mutations, per dump */

/* xorshift64*: a fixed seed gives the same mutations on every run. */
typedef struct rng {
	uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static uint64_t rng_below(rng *r, uint64_t n) { return n ? rng_next(r) % n : 0; }

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

/* The original dump's layout, read straight from its bytes (not through
 * the reader under test): where the header, directory and streams are. */
typedef struct layout {
	size_t size;
	uint32_t dir_rva, ndir; /* entries wholly inside the file */
	uint32_t rva[64], len[64], nstreams;
} layout;

static void layout_of(const uint8_t *p, size_t n, layout *l)
{
	memset(l, 0, sizeof *l);
	l->size = n;
	if (n < 32)
		return;
	l->dir_rva = cd_le32(p + 12);
	uint64_t count = cd_le32(p + 8);
	for (uint64_t i = 0; i < count && l->dir_rva + 12 * (i + 1) <= n; i++) {
		l->ndir++;
		const uint8_t *e = p + l->dir_rva + 12 * i;
		if (l->nstreams < 64 && cd_le32(e) && cd_le32(e + 4) &&
		    cd_le32(e + 8) < n) {
			l->len[l->nstreams] = cd_le32(e + 4);
			l->rva[l->nstreams++] = cd_le32(e + 8);
		}
	}
}

/* A truncated copy must still read every stream whose bytes all precede
 * the cut and which the whole dump read: damage elsewhere may not cost it. */
static const char *check_kept(const md_dump *d, const md_dump *whole, size_t n)
{
	const md_dump *w = whole;
	if ((uint64_t)w->dir_rva + 12 * (uint64_t)w->stream_count <= n && d->ndir != w->ndir)
		return "a directory wholly inside the cut was not read whole";
	for (uint32_t i = 0; i < d->ndir && i < w->ndir; i++) {
		const md_dir_entry *x = &w->dir[i];
		int was_read = x->state == MD_STREAM_OK || x->state == MD_STREAM_PARTIAL;
		int inside = (uint64_t)x->rva + x->size <= n;
		if (was_read && inside && d->dir[i].state != MD_STREAM_OK &&
		    d->dir[i].state != MD_STREAM_PARTIAL)
			return "a stream wholly before the cut was lost";
	}
	return NULL;
}

/* What one damaged copy must satisfy; 0 or the reason it does not. whole
 * is the undamaged dump when the copy is a truncation of it. */
static const char *check_copy(const uint8_t *p, size_t n, const char *name,
			      const md_dump *whole, cd_err *e)
{
	md_dump *d = NULL;
	memset(e, 0, sizeof *e);
	int rc = md_open_mem(p, n, name, &d, e);
	if (rc != CD_OK) {
		if (d)
			return "a dump returned with an error";
		if (rc != CD_EFORMAT)
			return "error other than CD_EFORMAT";
		if (!strstr(e->msg, name))
			return "error does not name the input";
		if (!strstr(e->msg, "offset") && !strstr(e->msg, "0x"))
			return "error names no offset";
		return NULL;
	}
	volatile uint64_t sink = md_touch(d);
	(void)sink;
	const char *why = md_touch_check(d, n);
	if (!why && whole)
		why = check_kept(d, whole, n);
	md_close(d);
	return why;
}

/* 64 cut points, most telling first: header edge, directory, streams. */
static int cut_points(const layout *l, size_t *cuts)
{
	size_t cand[8 + 3 * 64 + CASES];
	int nc = 0;
	cand[nc++] = 0, cand[nc++] = 1, cand[nc++] = 31, cand[nc++] = 32;
	cand[nc++] = l->dir_rva;
	cand[nc++] = l->dir_rva + 6;                /* inside the first entry */
	cand[nc++] = l->dir_rva + 12 * (size_t)(l->ndir / 2);
	cand[nc++] = l->dir_rva + 12 * (size_t)l->ndir;
	for (uint32_t i = 0; i < l->nstreams; i++)
		cand[nc++] = l->rva[i];
	for (uint32_t i = 0; i < l->nstreams; i++)
		cand[nc++] = l->rva[i] + (size_t)l->len[i] / 2;
	for (uint32_t i = 0; i < l->nstreams; i++)
		cand[nc++] = l->rva[i] + 4; /* just past a list's count */
	for (int i = 1; i <= CASES; i++)
		cand[nc++] = l->size * (size_t)i / CASES;
	int n = 0;
	for (int i = 0; i < nc && n < CASES; i++) {
		if (cand[i] > l->size)
			continue;
		int seen = 0;
		for (int k = 0; k < n && !seen; k++)
			seen = cuts[k] == cand[i];
		if (!seen)
			cuts[n++] = cand[i];
	}
	return n;
}

/* One mutation: 1-8 edits, each a random byte, a flipped bit, or a 32-bit
 * value chosen to be a telling size, count or RVA, placed in the header,
 * the directory, the first 64 bytes of a stream, or anywhere. */
static void mutate(uint8_t *p, const layout *l, rng *r)
{
	size_t n = l->size;
	int edits = 1 + (int)rng_below(r, 8);
	for (int k = 0; k < edits; k++) {
		size_t at;
		switch (rng_below(r, 4)) {
		case 0: at = rng_below(r, 32); break;
		case 1: at = l->dir_rva + rng_below(r, 12 * (uint64_t)(l->ndir ? l->ndir : 1)); break;
		case 2: {
			uint32_t s = (uint32_t)rng_below(r, l->nstreams);
			uint32_t len = l->nstreams ? l->len[s] : 32;
			at = (l->nstreams ? l->rva[s] : 0) + rng_below(r, len < 64 ? len : 64);
			break;
		}
		default: at = rng_below(r, n); break;
		}
		if (at >= n)
			at = rng_below(r, n);
		switch (rng_below(r, 3)) {
		case 0: p[at] = (uint8_t)rng_next(r); break;
		case 1: p[at] ^= (uint8_t)(1u << rng_below(r, 8)); break;
		default: {
			const uint32_t telling[] = {
				0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 0x10000,
				(uint32_t)n, (uint32_t)n - 1, (uint32_t)n + 1, (uint32_t)n - 4,
				l->nstreams ? l->rva[rng_below(r, l->nstreams)] : 0,
				l->nstreams ? l->len[rng_below(r, l->nstreams)] : 0,
			};
			at &= ~(size_t)3;
			if (at + 4 <= n)
				put32(p + at, telling[rng_below(r, sizeof telling / sizeof *telling)]);
		}
		}
	}
}

typedef struct totals {
	int cases;
	double seconds;
} totals;

static void robust_dump(const char *path, const char *name, totals *tot)
{
	char tname[300];
	snprintf(tname, sizeof tname, "robust/%.250s", name);
	cd_map m;
	cd_err e;
	if (cd_map_open(path, &m, &e) != CD_OK || !m.data) {
		printf("FAIL %s: cannot read: %s\n", tname, m.data ? e.msg : "empty");
		t_nfail++;
		return;
	}
	clock_t t0 = clock();
	layout l;
	layout_of(m.data, m.size, &l);
	md_dump *whole = NULL;
	if (md_open_mem(m.data, m.size, name, &whole, &e) != CD_OK) {
		printf("FAIL %s: the undamaged dump does not open: %s\n", tname, e.msg);
		t_nfail++;
		cd_map_close(&m);
		return;
	}
	/* Seeded by the name, so each dump gets the same mutations whatever
	 * order the directory lists them in. */
	rng r = { 0x9e3779b97f4a7c15ull };
	for (const char *c = name; *c; c++)
		r.s = (r.s ^ (uint8_t)*c) * 0x100000001b3ull;
	const char *why = NULL;
	char where[64] = "";
	/* Each copy in a buffer of exactly its size: ASan sees any read past it. */
	size_t cuts[CASES];
	int ncuts = cut_points(&l, cuts);
	for (int i = 0; i < ncuts && !why; i++) {
		uint8_t *buf = malloc(cuts[i] ? cuts[i] : 1);
		memcpy(buf, m.data, cuts[i]);
		why = check_copy(buf, cuts[i], name, whole, &e);
		snprintf(where, sizeof where, "truncated at %zu", cuts[i]);
		free(buf);
		tot->cases++;
	}
	uint8_t *buf = malloc(m.size);
	for (int i = 0; i < CASES && !why; i++) {
		memcpy(buf, m.data, m.size);
		mutate(buf, &l, &r);
		why = check_copy(buf, m.size, name, NULL, &e);
		snprintf(where, sizeof where, "mutation %d", i);
		tot->cases++;
	}
	free(buf);
	md_close(whole);
	cd_map_close(&m);
	tot->seconds += (double)(clock() - t0) / CLOCKS_PER_SEC;
	if (why) {
		printf("FAIL %s: %s (%s; %s)\n", tname, why, where, e.msg);
		t_nfail++;
	} else {
		printf("ok %s\n", tname);
	}
	fflush(stdout);
}

static void corpus(void)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpus/dumps", t_shared());
	DIR *dp = opendir(dir);
	if (!dp) {
		printf("skip robust: %s is absent (the shared corpus sits beside the checkout)\n", dir);
		return;
	}
	totals tot = { 0 };
	int dumps = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".dmp"))
			continue;
		char path[2048];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		robust_dump(path, de->d_name, &tot);
		dumps++;
	}
	closedir(dp);
	printf("# %d damaged copies of %d dumps read in %.1f s of CPU\n", tot.cases, dumps,
	       tot.seconds);
}

/* ---- regressions ------------------------------------------------------ */

/* Paths that are no minidump: refused at once, naming the path. A FIFO
 * made md_open() wait for a writer forever (the alarm turns a hang into a
 * failure of this test binary). */
static void odd_paths_refused(void)
{
	char dir[] = "/tmp/crashdesk-robust-XXXXXX";
	T_ASSERT(mkdtemp(dir));
	char fifo[64], empty[64], text[64];
	snprintf(fifo, sizeof fifo, "%s/fifo.dmp", dir);
	snprintf(empty, sizeof empty, "%s/empty.dmp", dir);
	snprintf(text, sizeof text, "%s/text.dmp", dir);
	FILE *f = fopen(empty, "w");
	if (f)
		fclose(f);
	f = fopen(text, "w");
	if (f) {
		fputs("not a minidump, just a line of text that is long enough\n", f);
		fclose(f);
	}
	const char *paths[] = { fifo, empty, text, dir };
	const int want[] = { CD_EIO, CD_EFORMAT, CD_EFORMAT, CD_EIO };
	int made = mkfifo(fifo, 0600) == 0;
	alarm(10);
	for (int i = made ? 0 : 1; i < 4; i++) {
		md_dump *d = NULL;
		cd_err e = { 0 };
		int rc = md_open(paths[i], &d, &e);
		md_close(d);
		if (rc != want[i] || !strstr(e.msg, paths[i]))
			T_FAILF("%s: rc %d, \"%s\"", paths[i], rc, e.msg);
	}
	alarm(0);
	unlink(fifo), unlink(empty), unlink(text), rmdir(dir);
}

/* Opens bytes that must be accepted, touches them, checks the bound. */
static md_dump *open_ok(const uint8_t *p, size_t n, const char *name)
{
	md_dump *d = NULL;
	cd_err e;
	if (md_open_mem(p, n, name, &d, &e) != CD_OK)
		return NULL;
	volatile uint64_t sink = md_touch(d);
	(void)sink;
	return d;
}

/* A file too short for a header: the refusal names an offset like every
 * other (it said only "N bytes"). */
static void short_header_names_offset(void)
{
	md_dump *d;
	cd_err e;
	T_EQ_U64(md_open_mem((const uint8_t *)"MDMP\x93\xa7", 6, "short.dmp", &d, &e), CD_EFORMAT);
	T_ASSERT(strstr(e.msg, "short.dmp") && strstr(e.msg, "offset"));
	T_EQ_U64(md_open_mem((const uint8_t *)"", 0, "empty.dmp", &d, &e), CD_EFORMAT);
	T_ASSERT(strstr(e.msg, "empty.dmp") && strstr(e.msg, "offset"));
}

/* A raw module record: name at name_rva, CodeView and misc records. */
static void module_record(uint8_t *p, uint64_t base, uint32_t name_rva, uint32_t cv_size,
			  uint32_t cv_rva, uint32_t misc_size, uint32_t misc_rva)
{
	memset(p, 0, 108);
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(base >> 8 * i);
	put32(p + 8, 0x1000);
	put32(p + 20, name_rva);
	put32(p + 76, cv_size);
	put32(p + 80, cv_rva);
	put32(p + 84, misc_size);
	put32(p + 88, misc_rva);
}

/* n modules that all point at one large record of kind 0 CodeView RSDS,
 * 1 CodeView BpEL, 2 misc (UTF-16). Each module decoded its own copy of
 * the record's name or hex, uncharged: memory grew as n x record size. */
static uint8_t *shared_record_dump(int kind, uint32_t n, uint32_t rec_size, synth *s, size_t *size)
{
	uint8_t *rec = malloc(rec_size);
	memset(rec, 'a', rec_size);
	if (kind == 0) {
		put32(rec, 0x53445352); /* RSDS, GUID, age, then the name */
	} else if (kind == 1) {
		put32(rec, 0x4270454c); /* BpEL, then the build id */
	} else {
		put32(rec, 1);          /* IMAGE_DEBUG_TYPE_MISC */
		put32(rec + 4, rec_size);
		put32(rec + 8, 1);      /* unicode */
	}
	uint32_t rec_rva = synth_append(s, rec, rec_size);
	free(rec);
	uint32_t name = synth_string(s, "libshared.so");
	uint8_t *list = calloc(1, 4 + 108 * (size_t)n);
	put32(list, n);
	for (uint32_t i = 0; i < n; i++)
		module_record(list + 4 + 108 * i, 0x10000 * (uint64_t)(i + 1), name,
			      kind < 2 ? rec_size : 0, kind < 2 ? rec_rva : 0,
			      kind == 2 ? rec_size : 0, kind == 2 ? rec_rva : 0);
	synth_stream(s, MD_STREAM_MODULE_LIST, list, 4 + 108 * (size_t)n);
	free(list);
	return (uint8_t *)synth_finish(s, size);
}

static void shared_codeview_record_bounded(void)
{
	for (int kind = 0; kind < 3; kind++) {
		synth *s = synth_new();
		size_t n;
		const uint8_t *p = shared_record_dump(kind, 1000, 60000, s, &n);
		md_dump *d = open_ok(p, n, "shared-record.dmp");
		if (!d)
			synth_free(s);
		T_ASSERT(d);
		uint64_t used = d->arena.used;
		uint32_t nmod = d->nmodules;
		md_stream_state st = d->modules_state;
		/* BpEL's record is hex in code_id; the others name a file. */
		size_t first_len = strlen(kind == 1 ? d->modules[0].code_id
						    : d->modules[0].debug_file);
		md_close(d);
		synth_free(s);
		T_EQ_U64(nmod, 1000);
		T_EQ_U64(st, MD_STREAM_PARTIAL); /* the names not decoded are reported */
		if (used > md_touch_bound(n))
			T_FAILF("kind %d: arena %llu for a file of %zu", kind,
				(unsigned long long)used, n);
		/* The first modules still get their names. */
		if (first_len < 10000)
			T_FAILF("kind %d: first module's id or name is %zu bytes", kind, first_len);
	}
}

/* Crashpad: n module links all pointing at one module info whose list
 * annotations fill the stream. Each link allocated its own array for the
 * whole list: memory grew as n x list size. */
static void crashpad_shared_module_info_bounded(void)
{
	synth *s = synth_new();
	const uint32_t nlist = 20000, nlinks = 400;
	uint32_t str = synth_utf8(s, "x");
	uint8_t *list = malloc(4 + 4 * (size_t)nlist);
	put32(list, nlist);
	for (uint32_t i = 0; i < nlist; i++)
		put32(list + 4 + 4 * i, str);
	uint32_t list_rva = synth_append(s, list, 4 + 4 * (size_t)nlist);
	free(list);
	uint8_t info[28] = { 0 };
	put32(info, 1);
	put32(info + 4, 4 + 4 * nlist);
	put32(info + 8, list_rva);
	uint32_t info_rva = synth_append(s, info, sizeof info);
	uint8_t *links = calloc(1, 4 + 12 * (size_t)nlinks);
	put32(links, nlinks);
	for (uint32_t i = 0; i < nlinks; i++) {
		put32(links + 4 + 12 * i, i);
		put32(links + 8 + 12 * i, sizeof info);
		put32(links + 12 + 12 * i, info_rva);
	}
	uint32_t links_rva = synth_append(s, links, 4 + 12 * (size_t)nlinks);
	free(links);
	uint8_t cp[52] = { 0 };
	put32(cp, 1);
	put32(cp + 44, 4 + 12 * nlinks);
	put32(cp + 48, links_rva);
	synth_stream(s, MD_STREAM_CRASHPAD_INFO, cp, sizeof cp);
	size_t n;
	const uint8_t *p = synth_finish(s, &n);
	md_dump *d = open_ok(p, n, "crashpad-links.dmp");
	if (!d)
		synth_free(s);
	T_ASSERT(d);
	uint64_t used = d->arena.used;
	uint32_t nmods = d->crashpad.nmodules, first = d->crashpad.modules[0].nlist;
	md_close(d);
	synth_free(s);
	T_EQ_U64(nmods, nlinks);
	T_EQ_U64(first, nlist); /* the first link is read whole */
	if (used > md_touch_bound(n))
		T_FAILF("arena %llu for a file of %zu", (unsigned long long)used, n);
}

/* Crashpad locations of 1-3 bytes (too short for the count or version
 * they must start with) left the stream partial with no problem saying
 * why: the process annotations, the module list, a module's info, and
 * each of the three lists a module info points at. */
static void crashpad_short_location_reported(void)
{
	for (int k = 0; k < 6; k++) {
		synth *s = synth_new();
		uint8_t zeros[8] = { 0 };
		uint32_t short_rva = synth_append(s, zeros, sizeof zeros);
		uint8_t info[28] = { 0 };
		if (k >= 3)
			put32(info + 4 + 8 * (k - 3), 2), put32(info + 8 + 8 * (k - 3), short_rva);
		uint32_t info_rva = synth_append(s, info, sizeof info);
		uint8_t links[16] = { 0 };
		put32(links, 1);
		put32(links + 8, k == 2 ? 2 : sizeof info);
		put32(links + 12, info_rva);
		uint32_t links_rva = synth_append(s, links, sizeof links);
		uint8_t cp[52] = { 0 };
		put32(cp + 36, k == 0 ? 2 : 0), put32(cp + 40, short_rva);
		put32(cp + 44, k == 1 ? 2 : sizeof links), put32(cp + 48, links_rva);
		synth_stream(s, MD_STREAM_CRASHPAD_INFO, cp, sizeof cp);
		size_t n;
		const uint8_t *p = synth_finish(s, &n);
		md_dump *d = open_ok(p, n, "crashpad-short.dmp");
		const char *why = d ? md_touch_check(d, n) : "not opened";
		md_stream_state st = d ? d->crashpad_state : MD_STREAM_ABSENT;
		md_close(d);
		synth_free(s);
		if (why || st != MD_STREAM_PARTIAL) {
			T_FAILF("case %d: %s, state %s", k, why ? why : "-", md_stream_state_name(st));
			return;
		}
	}
}

/* Every list stream laid over the same bytes, each count claiming all of
 * them, each header where its stream needs it: the most a dump can make
 * the reader hold per byte of file (measured: 25 x). */
static void overlapping_lists_bounded(void)
{
	synth *s = synth_new();
	const uint32_t body = 1 << 20;
	uint8_t *b = calloc(1, body);
	memset(b, 0xff, 64);
	put32(b + 16, 12), put32(b + 20, 24); /* UnloadedModuleList header, entry */
	put32(b + 32, 16), put32(b + 36, 48); /* MemoryInfoList header, entry */
	uint32_t rva = synth_append(s, b, body);
	free(b);
	const uint32_t at0[] = {
		MD_STREAM_THREAD_LIST, MD_STREAM_MODULE_LIST, MD_STREAM_MEMORY_LIST,
		MD_STREAM_MEMORY64_LIST, MD_STREAM_THREAD_NAME_LIST, MD_STREAM_LINUX_AUXV,
	};
	for (size_t i = 0; i < sizeof at0 / sizeof *at0; i++)
		synth_dir_entry(s, at0[i], body, rva);
	synth_dir_entry(s, MD_STREAM_UNLOADED_MODULE_LIST, body - 16, rva + 16);
	synth_dir_entry(s, MD_STREAM_MEMORY_INFO_LIST, body - 32, rva + 32);
	/* DSO link maps and Crashpad module links: counts at rva too. */
	uint8_t dso[40] = { 0 };
	put32(dso + 4, rva), put32(dso + 8, 0xffffffff);
	synth_stream(s, MD_STREAM_LINUX_DSO_DEBUG, dso, sizeof dso);
	uint8_t cp[52] = { 0 };
	put32(cp + 44, body), put32(cp + 48, rva);
	synth_stream(s, MD_STREAM_CRASHPAD_INFO, cp, sizeof cp);
	/* Windows: each module also gets a code id. */
	uint8_t si[56] = { 9 }; /* amd64 */
	put32(si + 20, 2);      /* VER_PLATFORM_WIN32_NT */
	synth_stream(s, MD_STREAM_SYSTEM_INFO, si, sizeof si);
	size_t n;
	const uint8_t *p = synth_finish(s, &n);
	md_dump *d = open_ok(p, n, "overlap.dmp");
	if (!d)
		synth_free(s);
	T_ASSERT(d);
	uint64_t used = d->arena.used;
	uint32_t nthreads = d->nthreads, nmemory = d->nmemory, ncp = d->crashpad.nmodules;
	md_close(d);
	synth_free(s);
	printf("# every list over the same %zu bytes: arena %.1f x the file\n", n,
	       (double)used / (double)n);
	T_EQ_U64(nthreads, (body - 4) / 48);
	T_EQ_U64(nmemory, (body - 4) / 16 + (body - 16) / 16);
	T_EQ_U64(ncp, (body - 4) / 12);
	if (used > md_touch_bound(n))
		T_FAILF("arena %llu for a file of %zu", (unsigned long long)used, n);
}

int main(void)
{
	corpus();
	T_RUN(short_header_names_offset);
	T_RUN(odd_paths_refused);
	T_RUN(shared_codeview_record_bounded);
	T_RUN(crashpad_shared_module_info_bounded);
	T_RUN(crashpad_short_location_reported);
	T_RUN(overlapping_lists_bounded);
	return t_done();
}
