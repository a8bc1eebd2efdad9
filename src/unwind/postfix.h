/*
 * postfix.h - the evaluator of Breakpad's postfix programs, shared by
 * STACK CFI rules (".cfa: $rsp 8 +", ".ra: .cfa -8 + ^") and STACK WIN
 * program strings ("$T0 $ebp = $eip $T0 4 + ^ = ...").
 *
 * Tokens: numbers (decimal, optionally negative, or 0x hex), names looked
 * up in a variable table ($rsp, x29, .cfa, $T0, .raSearch...), the binary
 * operators + - * / % @ (align down), the unary ^ (dereference a word of
 * captured memory), and = (assign, in programs only).
 *
 * Hostile programs fail the rule, never the process: division or modulo by
 * zero, stack underflow or overflow, dereferences outside captured memory,
 * unknown names, and leftovers all return CD_EFORMAT with a message.
 * Arithmetic wraps at the word size (4 or 8 bytes).
 *
 * The first piece of src/unwind/; the unwinders (issue 4) build on it.
 */
#ifndef CD_POSTFIX_H
#define CD_POSTFIX_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

#define PF_MAX_VARS 64
#define PF_NAME_MAX 24

typedef struct pf_vars {
	struct {
		char name[PF_NAME_MAX];
		uint64_t value;
	} v[PF_MAX_VARS];
	int n;
} pf_vars;

/* Reads one word (env->word_size bytes) at addr; returns CD_OK or not. */
typedef int (*pf_read_fn)(void *ctx, uint64_t addr, uint64_t *value);

typedef struct pf_env {
	pf_vars *vars;
	pf_read_fn read; /* NULL: every ^ fails */
	void *read_ctx;
	int word_size;   /* 4 or 8 */
} pf_env;

/* Variable table. pf_set returns CD_ENOMEM when the table is full or the
 * name too long; pf_get CD_ENOTFOUND when unset. */
int pf_set(pf_vars *vars, const char *name, size_t len, uint64_t value);
int pf_get(const pf_vars *vars, const char *name, size_t len, uint64_t *value);

/* Evaluates an expression of n bytes to exactly one value. */
int pf_eval(const char *s, size_t n, const pf_env *env, uint64_t *out, cd_err *e);

/* Runs a program of assignments, updating env->vars. */
int pf_run(const char *s, size_t n, pf_env *env, cd_err *e);

#endif
