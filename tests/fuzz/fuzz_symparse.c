/* fuzz_symparse.c - libFuzzer target for the .sym parser: any bytes as a
 * symbol file, every record handed to a sink that reads all of it. */
#include <string.h>

#include "../../src/symbols/symbols.h"

static void on_func(void *ctx, uint64_t line, const sym_func_rec *f)
{
	(void)line;
	*(size_t *)ctx += f->name_len ? (unsigned char)f->name[f->name_len - 1] : 0;
}

static void on_inline(void *ctx, uint64_t line, const sym_inline_rec *r)
{
	(void)line;
	for (uint32_t i = 0; i < r->nranges; i++)
		*(size_t *)ctx += r->ranges[i].size;
}

static void on_win(void *ctx, uint64_t line, const sym_win_rec *w)
{
	(void)line;
	*(size_t *)ctx += w->program_len ? (unsigned char)w->program[w->program_len - 1] : 0;
}

static void on_diag(void *ctx, uint64_t line, int damaged, const char *msg)
{
	(void)line;
	*(size_t *)ctx += strlen(msg) + (size_t)damaged;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;
	sym_sink sink = { .ctx = &sum, .func = on_func, .inline_rec = on_inline, .win = on_win,
			  .diag = on_diag };
	sym_counts c;
	cd_err e;
	sym_parse_mem(data, size, "fuzz.sym", &sink, &c, &e);
	return 0;
}
