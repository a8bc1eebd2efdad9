/* fuzz_postfix.c - libFuzzer target for the postfix evaluator: any program,
 * as an expression and as a STACK WIN program, over a small fake memory. */
#include <string.h>

#include "../../src/unwind/postfix.h"

static int fake_read(void *ctx, uint64_t addr, uint64_t *v)
{
	(void)ctx;
	if (addr >= 0x10000)
		return CD_ENOTFOUND;
	*v = addr * 3;
	return CD_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pf_vars vars = { 0 };
	pf_set(&vars, "$esp", 4, 0x100);
	pf_set(&vars, ".cfa", 4, 0x200);
	pf_env env = { .vars = &vars, .read = fake_read, .word_size = size & 1 ? 4 : 8 };
	uint64_t v;
	cd_err e;
	pf_eval((const char *)data, size, &env, &v, &e);
	pf_run((const char *)data, size, &env, &e);
	return 0;
}
