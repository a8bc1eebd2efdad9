/* test_postfix.c - the postfix evaluator of CFI rules and STACK WIN programs. */
#include "../src/unwind/postfix.h"
#include "testlib.h"

/* A fake stack: words at 0x1000.. hold 0x1000 + 0x100*i. */
static int fake_read(void *ctx, uint64_t addr, uint64_t *v)
{
	(void)ctx;
	if (addr < 0x1000 || addr >= 0x1100 || addr % 8)
		return CD_ENOTFOUND;
	*v = 0x1000 + 0x100 * ((addr - 0x1000) / 8);
	return CD_OK;
}

static pf_vars vars;
static pf_env env64(void)
{
	memset(&vars, 0, sizeof vars);
	pf_set(&vars, "$rsp", 4, 0x1010);
	pf_set(&vars, "$rbp", 4, 0x1020);
	pf_set(&vars, ".cfa", 4, 0x1018);
	return (pf_env){ .vars = &vars, .read = fake_read, .word_size = 8 };
}

static uint64_t eval_ok(const pf_env *env, const char *s, int *ok)
{
	uint64_t v = 0;
	cd_err e = { 0 };
	*ok = pf_eval(s, strlen(s), env, &v, &e) == CD_OK;
	return v;
}

static void test_cfi_rules(void)
{
	pf_env env = env64();
	int ok;
	T_EQ_U64(eval_ok(&env, "$rsp 8 +", &ok), 0x1018);
	T_ASSERT(ok);
	/* .ra: .cfa -8 + ^ reads the word below the CFA. */
	T_EQ_U64(eval_ok(&env, ".cfa -8 + ^", &ok), 0x1200);
	T_ASSERT(ok);
	T_EQ_U64(eval_ok(&env, "0x10 0x3 *", &ok), 0x30);
	T_EQ_U64(eval_ok(&env, "$rbp 16 @", &ok), 0x1020);
	T_EQ_U64(eval_ok(&env, "0x1027 16 @", &ok), 0x1020);
	T_EQ_U64(eval_ok(&env, "17 5 %", &ok), 2);
	T_EQ_U64(eval_ok(&env, "17 5 /", &ok), 3);
	T_EQ_U64(eval_ok(&env, "  $rsp\t8\r\n- ", &ok), 0x1008);
	T_ASSERT(ok);
}

static void test_wraps_at_word_size(void)
{
	pf_env env = env64();
	env.word_size = 4;
	int ok;
	T_EQ_U64(eval_ok(&env, "0xffffffff 1 +", &ok), 0);
	T_ASSERT(ok);
	T_EQ_U64(eval_ok(&env, "0 4 -", &ok), 0xfffffffc);
}

static void test_hostile_programs_fail(void)
{
	pf_env env = env64();
	static const char *bad[] = {
		"1 0 /", "1 0 %", "1 0 @", "+", "1 +", "^", "0x2000 ^", "$nope",
		"1 2", "", "$rsp 8 + =", "1 2 =",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		uint64_t v;
		cd_err e = { 0 };
		int rc = pf_eval(bad[i], strlen(bad[i]), &env, &v, &e);
		if (rc != CD_EFORMAT || !e.msg[0])
			T_FAILF("\"%s\" gave %d (%s), expected a format error", bad[i], rc, e.msg);
	}
	/* A deep program overflows the stack instead of growing without bound. */
	char deep[1024] = "";
	for (int i = 0; i < 100; i++)
		strcat(deep, "1 ");
	uint64_t v;
	cd_err e = { 0 };
	T_EQ_U64(pf_eval(deep, strlen(deep), &env, &v, &e), CD_EFORMAT);
	T_ASSERT(strstr(e.msg, "overflow") != NULL);
	/* Division by zero at 32 bits: 0x100000000 is zero there. */
	env.word_size = 4;
	T_EQ_U64(pf_eval("1 0x100000000 /", 15, &env, &v, &e), CD_EFORMAT);
}

static void test_stack_win_program(void)
{
	/* The shape dump_syms writes for an x86 frame with a frame pointer. */
	memset(&vars, 0, sizeof vars);
	pf_set(&vars, "$ebp", 4, 0x1010);
	pf_set(&vars, "$esp", 4, 0x1000);
	pf_env env = { .vars = &vars, .read = fake_read, .word_size = 4 };
	const char *prog = "$T0 $ebp = $eip $T0 8 + ^ = $ebp $T0 ^ = $esp $T0 16 + =";
	cd_err e = { 0 };
	T_EQ_U64(pf_run(prog, strlen(prog), &env, &e), CD_OK);
	uint64_t v;
	T_EQ_U64(pf_get(&vars, "$T0", 3, &v), CD_OK);
	T_EQ_U64(v, 0x1010);
	T_EQ_U64(pf_get(&vars, "$eip", 4, &v), CD_OK);
	T_EQ_U64(v, 0x1300);
	T_EQ_U64(pf_get(&vars, "$ebp", 4, &v), CD_OK);
	T_EQ_U64(v, 0x1200);
	T_EQ_U64(pf_get(&vars, "$esp", 4, &v), CD_OK);
	T_EQ_U64(v, 0x1020);
	/* Leftover values are an error, not silently dropped. */
	T_EQ_U64(pf_run("$T0 1 = 5", 9, &env, &e), CD_EFORMAT);
}

static void test_variable_table_is_bounded(void)
{
	pf_vars v = { 0 };
	char name[8];
	int i;
	for (i = 0; i < 1000; i++) {
		int n = snprintf(name, sizeof name, "$T%d", i);
		if (pf_set(&v, name, (size_t)n, (uint64_t)i) != CD_OK)
			break;
	}
	T_EQ_U64(i, PF_MAX_VARS);
	T_EQ_U64(pf_set(&v, "$a_name_far_too_long_to_keep", 28, 1), CD_ENOMEM);
}

int main(void)
{
	T_RUN(test_cfi_rules);
	T_RUN(test_wraps_at_word_size);
	T_RUN(test_hostile_programs_fail);
	T_RUN(test_stack_win_program);
	T_RUN(test_variable_table_is_bounded);
	return t_done();
}
