/*
 * postfix.c - a small stack machine for Breakpad's postfix programs.
 * Every failure is a returned error: the walker then tries the next
 * unwinding method for that frame.
 */
#include <string.h>

#include "postfix.h"

#define PF_STACK 64

/* A stack slot is a value or, until it is needed, a name (so that "$T0"
 * can be the target of "=" before it has a value). */
typedef struct slot {
	int is_name;
	uint64_t value;
	const char *name;
	size_t len;
} slot;

typedef struct machine {
	slot st[PF_STACK];
	int sp;
	const pf_env *env;
	uint64_t mask;
	cd_err *e;
} machine;

int pf_set(pf_vars *vars, const char *name, size_t len, uint64_t value)
{
	if (len == 0 || len >= PF_NAME_MAX)
		return CD_ENOMEM;
	for (int i = 0; i < vars->n; i++) {
		if (strlen(vars->v[i].name) == len && !memcmp(vars->v[i].name, name, len)) {
			vars->v[i].value = value;
			return CD_OK;
		}
	}
	if (vars->n == PF_MAX_VARS)
		return CD_ENOMEM;
	memcpy(vars->v[vars->n].name, name, len);
	vars->v[vars->n].name[len] = 0;
	vars->v[vars->n++].value = value;
	return CD_OK;
}

int pf_get(const pf_vars *vars, const char *name, size_t len, uint64_t *value)
{
	for (int i = 0; i < vars->n; i++) {
		if (strlen(vars->v[i].name) == len && !memcmp(vars->v[i].name, name, len)) {
			*value = vars->v[i].value;
			return CD_OK;
		}
	}
	return CD_ENOTFOUND;
}

static int push(machine *m, slot s)
{
	if (m->sp == PF_STACK)
		return cd_errf(m->e, CD_EFORMAT, "postfix: stack overflow");
	m->st[m->sp++] = s;
	return CD_OK;
}

static int pop_value(machine *m, uint64_t *v)
{
	if (m->sp == 0)
		return cd_errf(m->e, CD_EFORMAT, "postfix: stack underflow");
	slot s = m->st[--m->sp];
	if (!s.is_name) {
		*v = s.value;
		return CD_OK;
	}
	if (pf_get(m->env->vars, s.name, s.len, v) != CD_OK)
		return cd_errf(m->e, CD_EFORMAT, "postfix: unknown name %.*s", (int)s.len, s.name);
	return CD_OK;
}

/* Decimal (optionally negative) or 0x hex; 0 when t is not a number. */
static int parse_number(const char *t, size_t n, uint64_t *out)
{
	size_t i = 0;
	int neg = 0, base = 10;
	if (i < n && t[i] == '-') {
		neg = 1;
		i++;
	}
	if (n - i > 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	if (i == n)
		return 0;
	uint64_t v = 0;
	for (; i < n; i++) {
		int d;
		char c = t[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return 0;
		v = v * (uint64_t)base + (uint64_t)d; /* wraps, like the CPU would */
	}
	*out = neg ? (uint64_t)0 - v : v;
	return 1;
}

static int binary(machine *m, char op)
{
	uint64_t b, a;
	int rc = pop_value(m, &b);
	if (!rc)
		rc = pop_value(m, &a);
	if (rc)
		return rc;
	uint64_t r;
	switch (op) {
	case '+': r = a + b; break;
	case '-': r = a - b; break;
	case '*': r = a * b; break;
	case '/':
	case '%':
		if ((b & m->mask) == 0)
			return cd_errf(m->e, CD_EFORMAT, "postfix: %s by zero",
				       op == '/' ? "division" : "modulo");
		/* Unsigned, as Breakpad does; the wrap keeps 32-bit right. */
		r = op == '/' ? (a & m->mask) / (b & m->mask) : (a & m->mask) % (b & m->mask);
		break;
	case '@':
		if ((b & m->mask) == 0)
			return cd_errf(m->e, CD_EFORMAT, "postfix: align by zero");
		r = a & ~(b - 1);
		break;
	default:
		return cd_errf(m->e, CD_EFORMAT, "postfix: unknown operator %c", op);
	}
	return push(m, (slot){ .value = r & m->mask });
}

static int deref(machine *m)
{
	uint64_t addr, v;
	int rc = pop_value(m, &addr);
	if (rc)
		return rc;
	if (!m->env->read || m->env->read(m->env->read_ctx, addr & m->mask, &v) != CD_OK)
		return cd_errf(m->e, CD_EFORMAT, "postfix: no memory at 0x%llx",
			       (unsigned long long)(addr & m->mask));
	return push(m, (slot){ .value = v & m->mask });
}

static int assign(machine *m, pf_env *env)
{
	uint64_t v;
	int rc = pop_value(m, &v);
	if (rc)
		return rc;
	if (m->sp == 0)
		return cd_errf(m->e, CD_EFORMAT, "postfix: = without a name");
	slot s = m->st[--m->sp];
	if (!s.is_name)
		return cd_errf(m->e, CD_EFORMAT, "postfix: = needs a name, got a number");
	if (pf_set(env->vars, s.name, s.len, v) != CD_OK)
		return cd_errf(m->e, CD_EFORMAT, "postfix: cannot assign %.*s", (int)s.len, s.name);
	return CD_OK;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Runs the tokens of s; env is non-const only when '=' is allowed. */
static int execute(machine *m, const char *s, size_t n, pf_env *assignable)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && is_space(s[i]))
			i++;
		if (i == n)
			break;
		size_t start = i;
		while (i < n && !is_space(s[i]))
			i++;
		const char *t = s + start;
		size_t len = i - start;
		int rc;
		uint64_t num;
		if (len == 1 && strchr("+-*/%@", t[0]))
			rc = binary(m, t[0]);
		else if (len == 1 && t[0] == '^')
			rc = deref(m);
		else if (len == 1 && t[0] == '=')
			rc = assignable ? assign(m, assignable)
					: cd_errf(m->e, CD_EFORMAT, "postfix: = in an expression");
		else if (parse_number(t, len, &num))
			rc = push(m, (slot){ .value = num & m->mask });
		else
			rc = push(m, (slot){ .is_name = 1, .name = t, .len = len });
		if (rc)
			return rc;
	}
	return CD_OK;
}

static void init(machine *m, const pf_env *env, cd_err *e)
{
	m->sp = 0;
	m->env = env;
	m->e = e;
	m->mask = env->word_size == 4 ? 0xffffffffu : ~(uint64_t)0;
}

int pf_eval(const char *s, size_t n, const pf_env *env, uint64_t *out, cd_err *e)
{
	machine m;
	init(&m, env, e);
	int rc = execute(&m, s, n, NULL);
	if (rc)
		return rc;
	if (m.sp != 1)
		return cd_errf(e, CD_EFORMAT, "postfix: expression leaves %d values, not 1", m.sp);
	return pop_value(&m, out);
}

int pf_run(const char *s, size_t n, pf_env *env, cd_err *e)
{
	machine m;
	init(&m, env, e);
	int rc = execute(&m, s, n, env);
	if (rc)
		return rc;
	if (m.sp != 0)
		return cd_errf(e, CD_EFORMAT, "postfix: program leaves %d values unassigned", m.sp);
	return CD_OK;
}
