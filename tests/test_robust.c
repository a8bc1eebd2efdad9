/*
 * test_robust.c - every corpus dump truncated at 64 offsets and mutated 64
 * times (seeded), read back through md_open_mem(). Required: no signal and
 * no sanitizer report (make check runs this under ASan and UBSan), either
 * success or a format error whose message names the file and an offset,
 * memory bounded by the file size, and every decoded field touchable.
 */
#include <dirent.h>
#include <stdio.h>

#include "../src/minidump/minidump.h"
#include "../src/process/process.h"
#include "fuzz/md_touch.h"
#include "testlib.h"

/* xorshift64*: a fixed seed gives the same mutations on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* One damaged copy: opened, checked, touched. Returns 0 or a reason. */
static const char *try_bytes(const uint8_t *p, size_t n, const char *name)
{
	md_dump *d = NULL;
	cd_err e = { 0 };
	int rc = md_open_mem(p, n, name, &d, &e);
	if (rc == CD_OK) {
		volatile uint64_t sink = md_touch(d);
		(void)sink;
		int bounded = d->arena.used <= 16 * (uint64_t)n + (4u << 20);
		md_close(d);
		return bounded ? NULL : "memory not bounded by the file size";
	}
	if (rc != CD_EFORMAT)
		return "unexpected error code";
	if (!strstr(e.msg, name))
		return "error does not name the file";
	if (!strstr(e.msg, "offset") && !strstr(e.msg, "0x") && !strstr(e.msg, "bytes"))
		return "error names no offset";
	return NULL;
}

static int cases;

static void robust_dump(const char *path, const char *name)
{
	cd_map m;
	cd_err e;
	char tname[300];
	snprintf(tname, sizeof tname, "robust/%.250s", name);
	if (cd_map_open(path, &m, &e) != CD_OK || !m.data) {
		printf("FAIL %s: cannot read: %s\n", tname, e.msg);
		t_nfail++;
		return;
	}
	size_t n = m.size;
	uint8_t *buf = malloc(n);
	/* Seeded by the name, so each dump gets the same mutations whatever
	 * order the directory lists them in. */
	rng_state = 0x9e3779b97f4a7c15ull;
	for (const char *c = name; *c; c++)
		rng_state = (rng_state ^ (uint8_t)*c) * 0x100000001b3ull;
	const char *why = NULL;
	char where[64] = "";
	/* 64 truncations: the header edge, then spread over the file. */
	static const size_t fixed[] = { 0, 1, 31, 32, 33, 44 };
	for (int i = 0; i < 64 && !why; i++) {
		size_t cut = i < 6 ? fixed[i] : (size_t)((n * (uint64_t)(i - 5)) / 59);
		if (cut > n)
			cut = n;
		memcpy(buf, m.data, cut);
		why = try_bytes(buf, cut, name);
		snprintf(where, sizeof where, "truncated at %zu", cut);
		cases++;
	}
	/* 64 mutations of 1-8 bytes, half of them in the first 512 bytes where
	 * the header, directory and list counts live. */
	for (int i = 0; i < 64 && !why; i++) {
		memcpy(buf, m.data, n);
		int k = 1 + (int)(rng() % 8);
		for (int j = 0; j < k; j++) {
			size_t at = (i & 1) && n > 512 ? rng() % 512 : rng() % n;
			buf[at] = (uint8_t)rng();
		}
		why = try_bytes(buf, n, name);
		snprintf(where, sizeof where, "mutation %d", i);
		cases++;
	}
	free(buf);
	cd_map_close(&m);
	if (why) {
		printf("FAIL %s: %s (%s)\n", tname, why, where);
		t_nfail++;
	} else {
		printf("ok %s\n", tname);
	}
}

int main(void)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpus/dumps", t_shared());
	DIR *dp = opendir(dir);
	if (!dp) {
		printf("skip robust: %s is absent (the shared corpus sits beside the checkout)\n", dir);
		return 0;
	}
	struct dirent *de;
	while ((de = readdir(dp))) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".dmp"))
			continue;
		char path[2048];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		robust_dump(path, de->d_name);
	}
	closedir(dp);
	printf("# %d damaged copies read\n", cases);
	return t_done();
}
