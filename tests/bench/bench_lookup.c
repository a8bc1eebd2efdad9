/*
 * bench_lookup.c - opens a symbol cache and does N random lookups with
 * inline chains (addresses drawn inside the module's functions, seeded),
 * printing the time taken including the open. Used by symbols.sh.
 *   bench_lookup CACHE [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/symbols/symbols.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_lookup CACHE [N]\n");
		return 2;
	}
	int n = argc > 2 ? atoi(argv[2]) : 10000;
	/* Addresses are chosen before the clock starts, from a first open. */
	sym_cache *c;
	cd_err e;
	if (sym_cache_open(argv[1], &c, &e) != CD_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	uint64_t nf = sym_func_count(c), *addrs = malloc(sizeof *addrs * (size_t)n), seed = 42;
	for (int i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		const char *name;
		uint64_t a, s;
		sym_func_at(c, (seed >> 20) % nf, &name, &a, &s);
		addrs[i] = a + (s ? (seed >> 7) % s : 0);
	}
	sym_cache_close(c);
	double t0 = now();
	if (sym_cache_open(argv[1], &c, &e) != CD_OK)
		return 1;
	uint64_t found = 0, inl = 0;
	for (int i = 0; i < n; i++) {
		sym_lookup l;
		if (sym_lookup_addr(c, addrs[i], &l) == CD_OK) {
			found++;
			inl += l.ninlines;
		}
	}
	sym_cache_close(c);
	double t = now() - t0;
	printf("lookups %d found %llu inline_frames %llu seconds %.6f\n", n,
	       (unsigned long long)found, (unsigned long long)inl, t);
	free(addrs);
	return 0;
}
