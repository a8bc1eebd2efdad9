/* fuzz_symcache.c - libFuzzer target for the symbol cache reader: any bytes
 * as a cache file, opened and looked up at addresses taken from the input.
 * Inputs that start with "MODULE" are built into a real cache first, so
 * the fuzzer also reaches lookups over well-formed caches of odd sources. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../src/symbols/symbols.h"

static void probe(const sym_cache *c, const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 8 <= size && i < 256; i += 8) {
		uint64_t a;
		memcpy(&a, data + i, 8);
		a &= 0xffffff;
		sym_lookup l;
		if (sym_lookup_addr(c, a, &l) == CD_OK) {
			volatile size_t n = strlen(l.function) + strlen(l.file);
			for (uint32_t k = 0; k < l.ninlines; k++)
				n += strlen(l.inlines[k].function) + strlen(l.inlines[k].file) +
				     strlen(l.inlines[k].call_file);
			(void)n;
		}
		sym_cfi_rules r;
		if (sym_lookup_cfi(c, a, &r) == CD_OK)
			for (uint32_t k = 0; k < r.ndeltas; k++)
				(void)strlen(r.deltas[k]);
		sym_win_info w;
		if (sym_lookup_win(c, a, -1, &w) == CD_OK && w.program)
			(void)strlen(w.program);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[64], out[64];
	snprintf(in, sizeof in, "/tmp/fuzz-symcache-%d.in", (int)getpid());
	snprintf(out, sizeof out, "/tmp/fuzz-symcache-%d.cdsym", (int)getpid());
	FILE *f = fopen(in, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	cd_err e;
	sym_cache *c;
	/* The raw bytes as a cache file... */
	if (sym_cache_open(in, &c, &e) == CD_OK) {
		probe(c, data, size);
		sym_cache_close(c);
	}
	/* ...and as a .sym built into one. */
	if (size > 6 && !memcmp(data, "MODULE", 6) && sym_cache_build(in, out, NULL, &e) == CD_OK &&
	    sym_cache_open(out, &c, &e) == CD_OK) {
		probe(c, data, size);
		sym_cache_close(c);
	}
	unlink(in);
	unlink(out);
	return 0;
}
