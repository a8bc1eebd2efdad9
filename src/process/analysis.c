/*
 * analysis.c - what the crashing instruction says about the crash, as
 * rust-minidump works it out (Socorro's PossibleBitFlipsRule,
 * HasGuardPageAccessRule and CrashInconsistenciesRule read it): the
 * instruction decoded with capstone, the memory it accesses and where it
 * sends the instruction pointer, the crash address adjusted for null
 * pointers with an offset and for non-canonical amd64 addresses, likely
 * guard pages, possible bit flips with their confidence, and crash reasons
 * the instruction cannot have caused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone.h>

#include "process.h"

/* ---- the process's memory map (MemoryInfoList, else /proc/self/maps) ---------- */

typedef struct region {
	uint64_t start, end; /* end inclusive */
	int r, w, x;
} region;

typedef struct memmap {
	region *v;
	size_t n;
} memmap;

static void map_add(memmap *m, size_t *cap, uint64_t start, uint64_t end, int r, int w, int x)
{
	if (m->n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		region *p = realloc(m->v, c * sizeof *p);
		if (!p)
			return;
		m->v = p;
		*cap = c;
	}
	m->v[m->n++] = (region){ start, end, r, w, x };
}

static void map_load(const md_dump *d, memmap *m)
{
	size_t cap = 0;
	memset(m, 0, sizeof *m);
	if (d->nmeminfo) {
		for (uint32_t i = 0; i < d->nmeminfo; i++) {
			const md_memory_info *mi = &d->meminfo[i];
			if (!mi->region_size)
				continue;
			uint32_t p = mi->protection & 0xff;
			int x = (p & 0xf0) != 0;
			int w = (p & (0x04 | 0x08 | 0x40 | 0x80)) != 0;
			int r = w || (p & (0x02 | 0x20)) != 0;
			map_add(m, &cap, mi->base, mi->base + mi->region_size - 1, r, w, x);
		}
		return;
	}
	const md_text *t = &d->linux_maps;
	const char *p = t->data, *end = t->data ? t->data + t->len : NULL;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[160];
		size_t n = (size_t)((nl ? nl : end) - p);
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
		unsigned long long a, b;
		char perms[8];
		if (sscanf(line, "%llx-%llx %7s", &a, &b, perms) == 3 && b > a)
			map_add(m, &cap, a, b - 1, perms[0] == 'r', perms[1] == 'w', perms[2] == 'x');
		p = nl ? nl + 1 : end;
	}
}

static const region *map_find(const memmap *m, uint64_t addr)
{
	for (size_t i = 0; i < m->n; i++)
		if (addr >= m->v[i].start && addr <= m->v[i].end)
			return &m->v[i];
	return NULL;
}

static int accessible(const region *r)
{
	return r->r || r->w || r->x;
}

/* The operation a crash reason names (rust-minidump's MemoryOperation). */
enum { OP_UNDETERMINED, OP_READ, OP_WRITE, OP_EXEC };

static int possibly_allowed(int op, const region *r)
{
	switch (op) {
	case OP_READ: return r->r;
	case OP_WRITE: return r->w;
	case OP_EXEC: return r->x;
	default: return 1;
	}
}

/* ---- what the reason says -------------------------------------------------------- */

typedef struct reason_kind {
	int windows, linux, mac;
	int av_op;          /* OP_* of an access violation, -1 when not one */
	int stack_overflow, int_div, priv_instr, gpf;
} reason_kind;

static void classify(const md_dump *d, const proc_reason *r, reason_kind *k)
{
	memset(k, 0, sizeof *k);
	k->av_op = -1;
	const md_exception *x = &d->exception;
	const char *os = d->sysinfo.os_short;
	k->windows = !strcmp(os, "windows");
	k->linux = !strcmp(os, "linux") || !strcmp(os, "android");
	k->mac = !strcmp(os, "mac");
	if (k->windows) {
		if (x->code == 0xc0000005u && x->nparams >= 1)
			k->av_op = x->params[0] == 0 ? OP_READ : x->params[0] == 1 ? OP_WRITE
				   : x->params[0] == 8 ? OP_EXEC : -1;
		k->stack_overflow = x->code == 0xc00000fdu;
		k->int_div = x->code == 0xc0000094u;
		k->priv_instr = x->code == 0xc0000096u;
		k->gpf = k->av_op == OP_READ && r->address == UINT64_MAX;
	} else if (k->linux) {
		k->int_div = x->code == 8 && x->flags == 1;                 /* SIGFPE / FPE_INTDIV */
		k->gpf = (x->code == 11 || x->code == 7) && x->flags == 0x80 && r->address == 0;
	} else if (k->mac) {
		k->int_div = x->code == 3 && x->flags == 1;                 /* EXC_I386_DIV */
		k->gpf = x->code == 1 && x->flags == 13 && r->address == 0; /* EXC_I386_GPFLT */
	}
}

/* ---- the instruction ------------------------------------------------------------- */

/* Registers by capstone's name, from the crashing context. */
static int reg_value(const md_context *c, const char *name, uint64_t *v)
{
	int i = md_reg_index(c->cpu, name);
	if (i < 0 || !(c->valid >> i & 1))
		return 0;
	*v = c->regs[i];
	return 1;
}

/* capstone's Intel text in the form rust-minidump's decoder prints:
 * "mov dword [0x45], 0x5" (no "ptr", numbers in hex). */
void proc__insn_text(const cs_insn *in, char *out, size_t size)
{
	char ops[256];
	size_t k = 0;
	const char *s = in->op_str;
	while (*s && k + 24 < sizeof ops) {
		if (!strncmp(s, " ptr", 4)) {
			s += 4;
			continue;
		}
		int word_start = s == in->op_str || !(s[-1] == '_' || (s[-1] >= 'a' && s[-1] <= 'z') ||
						      (s[-1] >= '0' && s[-1] <= '9'));
		if (word_start && *s >= '0' && *s <= '9' && s[1] != 'x') {
			char *e;
			unsigned long long v = strtoull(s, &e, 10);
			int after_scale = s > in->op_str && s[-1] == '*';
			if (after_scale)
				k += (size_t)snprintf(ops + k, sizeof ops - k, "%llu", v);
			else
				k += (size_t)snprintf(ops + k, sizeof ops - k, "0x%llx", v);
			s = e;
			continue;
		}
		if (*s == '*') {
			k += (size_t)snprintf(ops + k, sizeof ops - k, " * ");
			s++;
			continue;
		}
		ops[k++] = *s++;
	}
	ops[k] = 0;
	/* The few mnemonics the two decoders spell differently. */
	static const char *const renamed[][2] = {
		{ "je", "jz" }, { "jne", "jnz" }, { "jae", "jnb" }, { "jbe", "jna" },
		{ "movabs", "mov" }, { "lcall", "callf" }, { "ljmp", "jmpf" },
	};
	const char *mn = in->mnemonic;
	for (size_t i = 0; i < sizeof renamed / sizeof *renamed; i++)
		if (!strcmp(mn, renamed[i][0]))
			mn = renamed[i][1];
	snprintf(out, size, "%s%s%s", mn, ops[0] ? " " : "", ops);
}

/* Where rust-minidump's decoder (yaxpeax) writes an operand otherwise
 * than capstone: a relative branch as its signed displacement ("call
 * -0x11", capstone gives the target) and an absolute 32-bit address as
 * the 32 bits ("[0x80000042]", capstone sign-extends it). */
static void rm_spelling(const cs_insn *in, const cs_x86 *x, char *text, size_t size)
{
	int branch = 0;
	for (int g = 0; g < in->detail->groups_count; g++)
		branch |= in->detail->groups[g] == X86_GRP_JUMP || in->detail->groups[g] == X86_GRP_CALL;
	if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM && branch &&
	    in->id != X86_INS_LCALL && in->id != X86_INS_LJMP) {
		int64_t rel = (int64_t)((uint64_t)x->operands[0].imm - (in->address + in->size));
		char *sp = strchr(text, ' ');
		if (sp)
			snprintf(sp + 1, size - (size_t)(sp + 1 - text), "%s0x%llx", rel < 0 ? "-" : "",
				 (unsigned long long)(rel < 0 ? -(uint64_t)rel : (uint64_t)rel));
		return;
	}
	/* an index scaled by 1 is written out: "[rax + rcx * 1]" */
	for (int i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		if (op->type != X86_OP_MEM || op->mem.index == X86_REG_INVALID || op->mem.scale != 1)
			continue;
		char *open = strchr(text, '['), *close = open ? strchr(open, ']') : NULL;
		if (!close || close - text + 5 >= (ptrdiff_t)size || strstr(open, " * "))
			continue;
		/* the index is the last register inside the brackets, or the
		 * one before the displacement */
		char *disp = NULL;
		for (char *q = open; q < close; q++)
			if ((q[0] == '+' || q[0] == '-') && q[1] == ' ' && q[2] == '0' && q[3] == 'x')
				disp = q - 1;
		char *at = disp ? disp : close;
		memmove(at + 4, at, strlen(at) + 1);
		memcpy(at, " * 1", 4);
	}
	/* immediates of 32 and 64 bits are signed: "-0x3ffffff3" */
	for (int i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		if (op->type != X86_OP_IMM || (op->size != 4 && op->size != 8))
			continue;
		int64_t v = op->size == 4 ? (int64_t)(int32_t)op->imm : op->imm;
		if (v >= 0 || v < INT32_MIN)
			continue;
		char was[32], now[32];
		snprintf(was, sizeof was, "0x%llx", (unsigned long long)(op->size == 4 ? (uint32_t)op->imm : (uint64_t)op->imm));
		snprintf(now, sizeof now, "-0x%llx", (unsigned long long)(-(uint64_t)v));
		char *at = strstr(text, was);
		size_t wl = strlen(was), nl = strlen(now), tl = strlen(text);
		if (at && tl - wl + nl < size) {
			memmove(at + nl, at + wl, strlen(at + wl) + 1);
			memcpy(at, now, nl);
		}
	}
	for (int i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		if (op->type != X86_OP_MEM || op->mem.base != X86_REG_INVALID ||
		    op->mem.index != X86_REG_INVALID || op->mem.disp >= 0 || op->mem.disp < INT32_MIN)
			continue;
		char wide[32], narrow[32];
		snprintf(wide, sizeof wide, "[0x%llx]", (unsigned long long)op->mem.disp);
		snprintf(narrow, sizeof narrow, "[0x%x]", (uint32_t)op->mem.disp);
		char *at = strstr(text, wide);
		if (at) {
			size_t wl = strlen(wide), nl = strlen(narrow);
			memmove(at + nl, at + wl, strlen(at + wl) + 1);
			memcpy(at, narrow, nl);
		}
	}
}

static int is_ins(unsigned id, const unsigned *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == id)
			return 1;
	return 0;
}
#define IS(id, set) is_ins(id, set, sizeof set / sizeof *set)

static const unsigned jcc[] = {
	X86_INS_JO, X86_INS_JNO, X86_INS_JB, X86_INS_JAE, X86_INS_JE, X86_INS_JNE, X86_INS_JA,
	X86_INS_JBE, X86_INS_JS, X86_INS_JNS, X86_INS_JP, X86_INS_JNP, X86_INS_JL, X86_INS_JGE,
	X86_INS_JG, X86_INS_JLE,
};
/* The instructions whose memory accesses rust-minidump derives. */
static const unsigned derivable[] = {
	X86_INS_ADD, X86_INS_CALL, X86_INS_CMP, X86_INS_DEC, X86_INS_INC, X86_INS_JMP, X86_INS_LJMP,
	X86_INS_LEA, X86_INS_MOV, X86_INS_MOVAPS, X86_INS_MOVUPS, X86_INS_POP, X86_INS_PUSH,
	X86_INS_RETF, X86_INS_RET, X86_INS_SUB, X86_INS_UCOMISS,
	X86_INS_JO, X86_INS_JNO, X86_INS_JB, X86_INS_JAE, X86_INS_JE, X86_INS_JNE, X86_INS_JA,
	X86_INS_JBE, X86_INS_JS, X86_INS_JNS, X86_INS_JP, X86_INS_JNP, X86_INS_JL, X86_INS_JGE,
	X86_INS_JG, X86_INS_JLE,
};
static const unsigned privileged[] = {
	X86_INS_CLI, X86_INS_CLTS, X86_INS_HLT, X86_INS_IN, X86_INS_INSB, X86_INS_INSW,
	X86_INS_INSD, X86_INS_INT, X86_INS_INTO, X86_INS_INVD, X86_INS_INVEPT, X86_INS_INVLPG,
	X86_INS_INVVPID, X86_INS_IRET, X86_INS_IRETD, X86_INS_IRETQ, X86_INS_LGDT, X86_INS_LIDT,
	X86_INS_LLDT, X86_INS_LMSW, X86_INS_LTR, X86_INS_MONITOR, X86_INS_MOV, X86_INS_MWAIT,
	X86_INS_OUT, X86_INS_OUTSB, X86_INS_OUTSW, X86_INS_OUTSD, X86_INS_RDMSR, X86_INS_RDPMC,
	X86_INS_RDTSC, X86_INS_RDTSCP, X86_INS_RETF, X86_INS_STI, X86_INS_SWAPGS, X86_INS_SYSEXIT,
	X86_INS_SYSRET, X86_INS_VMCALL, X86_INS_VMCLEAR, X86_INS_VMLAUNCH, X86_INS_VMPTRLD,
	X86_INS_VMPTRST, X86_INS_VMREAD, X86_INS_VMRESUME, X86_INS_VMWRITE, X86_INS_VMXOFF,
	X86_INS_VMXON, X86_INS_WBINVD, X86_INS_WRMSR, X86_INS_XSETBV,
};

/* A memory operand's address; 0 when a register it uses is unknown. */
static int operand_address(csh h, const md_context *c, const x86_op_mem *m, uint64_t *addr,
			   int *null_base)
{
	uint64_t a = 0, v;
	*null_base = 0;
	if (m->base != X86_REG_INVALID) {
		if (!reg_value(c, cs_reg_name(h, m->base), &v))
			return 0;
		a = v;
		*null_base = v == 0;
	}
	if (m->index != X86_REG_INVALID) {
		if (!reg_value(c, cs_reg_name(h, m->index), &v))
			return 0;
		a += v * (uint64_t)(m->scale ? m->scale : 1);
	}
	*addr = a + (uint64_t)m->disp;
	if (c->cpu == MD_CPU_X86)
		*addr &= 0xffffffffu;
	return 1;
}

static void add_access(proc_analysis *a, uint64_t addr, int size, int type, int null_base)
{
	if (a->naccesses < PROC_MAX_ACCESSES)
		a->accesses[a->naccesses++] = (proc_access){ addr, size, type, null_base, 0 };
}

static void add_register(proc_analysis *a, const char *name)
{
	for (int i = 0; i < a->nregisters; i++)
		if (!strcmp(a->registers[i], name))
			return;
	if (a->nregisters < PROC_MAX_REGISTERS)
		snprintf(a->registers[a->nregisters++], sizeof a->registers[0], "%s", name);
}

/* Reads a pointer of the context's width at addr from the dump. */
static int read_ptr(const md_dump *d, const md_context *c, uint64_t addr, uint64_t *v)
{
	if (c->cpu == MD_CPU_X86) {
		uint32_t w;
		if (md_read_memory(d, addr, &w, 4) != CD_OK)
			return 0;
		*v = w;
		return 1;
	}
	return md_read_memory(d, addr, v, 8) == CD_OK;
}

static void decode(const md_dump *d, const md_context *c, proc_analysis *a)
{
	int wide = c->cpu == MD_CPU_AMD64;
	uint64_t pc = md_context_pc(c), sp = md_context_sp(c);
	uint8_t bytes[16];
	size_t n = 0;
	while (n < sizeof bytes && md_read_memory(d, pc + n, bytes + n, 1) == CD_OK)
		n++;
	csh h;
	if (!n || cs_open(CS_ARCH_X86, wide ? CS_MODE_64 : CS_MODE_32, &h) != CS_ERR_OK)
		return;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	cs_insn *in;
	if (cs_disasm(h, bytes, n, pc, 1, &in) != 1) {
		cs_close(&h);
		return;
	}
	a->decoded = 1;
	proc__insn_text(in, a->instruction, sizeof a->instruction);
	const cs_x86 *x = &in->detail->x86;
	unsigned id = in->id;
	rm_spelling(in, x, a->instruction, sizeof a->instruction);
	a->is_division = id == X86_INS_DIV || id == X86_INS_IDIV;
	a->is_privileged = IS(id, privileged);
	a->is_access_derivable = IS(id, derivable);
	a->only_gpf_when_non_canonical = a->is_access_derivable && id != X86_INS_MOVAPS;
	int word = wide ? 8 : 4, mem_size = 0, ok = 1;
	for (int i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_MEM && !mem_size)
			mem_size = x->operands[i].size;
	/* The stack is memory too: yaxpeax gives call, push, pop and ret a
	 * memory size of a word, so their stack access is listed. */
	if (!mem_size && (id == X86_INS_CALL || id == X86_INS_PUSH || id == X86_INS_POP ||
			  id == X86_INS_RET || id == X86_INS_RETF))
		mem_size = word;
	/* Explicit memory operands, then the implicit stack access. */
	for (int i = 0; mem_size && i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		if (op->type != X86_OP_MEM)
			continue;
		if (op->mem.base != X86_REG_INVALID)
			add_register(a, cs_reg_name(h, op->mem.base));
		if (op->mem.index != X86_REG_INVALID)
			add_register(a, cs_reg_name(h, op->mem.index));
		if (id == X86_INS_LEA)
			continue;
		uint64_t addr;
		int null_base;
		if (!operand_address(h, c, &op->mem, &addr, &null_base)) {
			ok = 0;
			continue;
		}
		int type = PROC_ACCESS_UNDERIVABLE;
		if (a->is_access_derivable) {
			int rd = op->access & CS_AC_READ, wr = op->access & CS_AC_WRITE;
			type = rd && wr ? PROC_ACCESS_READ_WRITE : wr ? PROC_ACCESS_WRITE : PROC_ACCESS_READ;
		}
		add_access(a, addr, mem_size, type, null_base);
	}
	if (mem_size && a->is_access_derivable) {
		if (id == X86_INS_CALL || id == X86_INS_PUSH)
			add_access(a, sp - (uint64_t)word, mem_size, PROC_ACCESS_WRITE, sp == (uint64_t)word);
		else if (id == X86_INS_POP || id == X86_INS_RET || id == X86_INS_RETF)
			add_access(a, sp, mem_size, PROC_ACCESS_READ, sp == 0);
	}
	a->have_accesses = ok;
	/* Where the instruction sends the instruction pointer. */
	a->ip_update = PROC_IP_UNKNOWN;
	if (id == X86_INS_CALL || id == X86_INS_LCALL || id == X86_INS_JMP || id == X86_INS_LJMP) {
		const cs_x86_op *op = x->op_count ? &x->operands[0] : NULL;
		uint64_t v, at;
		int nb;
		if (op && op->type == X86_OP_REG && reg_value(c, cs_reg_name(h, op->reg), &v))
			a->ip_update = PROC_IP_UPDATE, a->ip_target = v;
		else if (op && op->type == X86_OP_MEM && operand_address(h, c, &op->mem, &at, &nb) &&
			 read_ptr(d, c, at, &v))
			a->ip_update = PROC_IP_UPDATE, a->ip_target = v;
	} else if (id == X86_INS_RET || id == X86_INS_RETF || id == X86_INS_IRET ||
		   id == X86_INS_IRETD || id == X86_INS_IRETQ) {
		uint64_t v;
		if (read_ptr(d, c, sp, &v))
			a->ip_update = PROC_IP_UPDATE, a->ip_target = v;
	} else if (!IS(id, jcc)) {
		a->ip_update = PROC_IP_NONE;
	}
	cs_free(in, 1);
	cs_close(&h);
}

/* ---- bit flips -------------------------------------------------------------------- */

#define NEARBY_DISTANCE 4096u
#define LOW_CUTOFF (2 * NEARBY_DISTANCE)

/* rust-minidump computes confidences in f32 and writes them widened to
 * f64 (0.6625f becomes 0.6625000238418579): the same double here. */
static double as_f32(float f)
{
	return (double)f;
}

static int is_poison(uint64_t v)
{
	uint8_t b = (uint8_t)v;
	if (v != b * 0x0101010101010101ull)
		return 0;
	static const uint8_t poison[] = { 0x2b, 0x2d, 0x2f, 0x49, 0x4b, 0x4d, 0x4f, 0x6b, 0x8b,
					  0x9b, 0x9f, 0xa5, 0xbb, 0xcc, 0xcd, 0xce, 0xdb, 0xe5 };
	for (size_t i = 0; i < sizeof poison; i++)
		if (poison[i] == b)
			return 1;
	return 0;
}

static void add_flip(proc_analysis *a, uint64_t addr, const char *reg, uint64_t original,
		     int non_canonical, const md_context *c)
{
	if (a->nflips == a->cflips) {
		size_t cap = a->cflips ? 2 * a->cflips : 16;
		proc_bitflip *p = realloc(a->flips, cap * sizeof *p);
		if (!p)
			return;
		a->flips = p;
		a->cflips = cap;
	}
	proc_bitflip *f = &a->flips[a->nflips++];
	memset(f, 0, sizeof *f);
	f->address = addr;
	if (reg)
		snprintf(f->source_register, sizeof f->source_register, "%s", reg);
	f->is_null = addr == 0;
	f->was_low = f->is_null && original <= LOW_CUTOFF;
	f->was_non_canonical = non_canonical;
	int n = 0;
	if (c) /* an exception may come without a context */
		md_reg_names(c->cpu, &n);
	for (int i = 0; c && i < n; i++) {
		if (!(c->valid >> i & 1))
			continue;
		uint64_t v = c->regs[i];
		uint64_t dist = v > addr ? v - addr : addr - v;
		if (addr > LOW_CUTOFF && dist <= NEARBY_DISTANCE)
			f->nearby_registers++;
		if (is_poison(v))
			f->poison_registers = 1;
	}
	/* The confidence: 1 - the product of (1 - each sign). */
	float prod = 1.0f - 0.25f;
	if (non_canonical)
		prod *= 1.0f - 0.90f;
	if (f->is_null)
		prod *= 1.0f - (f->was_low ? 0.50f * 0.50f : 0.50f);
	if (f->nearby_registers) {
		static const float nearby[] = { 0.50f, 0.55f, 0.60f, 0.65f };
		prod *= 1.0f - nearby[(f->nearby_registers > 4 ? 4 : f->nearby_registers) - 1];
	}
	float conf = 1.0f - prod;
	if (f->poison_registers)
		conf *= 0.50f;
	f->confidence = as_f32(conf);
}

static void try_flips(proc_analysis *a, const memmap *m, uint64_t addr, const char *reg,
		      int lo, int hi, int op, int access_size, const md_context *c)
{
	const region *r = map_find(m, addr);
	if (r && possibly_allowed(op, r))
		return;
	/* Right next to a mapping, an off-by-one is likelier than a flip. */
	int have = 0;
	uint64_t best = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (!possibly_allowed(op, &m->v[i]))
			continue;
		uint64_t dist = addr < m->v[i].start ? m->v[i].start - addr
			      : addr > m->v[i].end ? addr - m->v[i].end : 0;
		if (!have || dist < best)
			best = dist, have = 1;
	}
	if (have && access_size && best < (uint64_t)access_size)
		return;
	for (int i = lo; i < hi; i++) {
		uint64_t p = addr ^ ((uint64_t)1 << i);
		if (p == 0)
			add_flip(a, p, reg, addr, lo == 48, c);
		const region *pr = map_find(m, p);
		if (pr && possibly_allowed(op, pr))
			add_flip(a, p, reg, addr, lo == 48, c);
	}
}

/* ---- putting it together ---------------------------------------------------------- */

#define NON_CANONICAL(a) ((a) >= 0x0000800000000000ull && (a) <= 0xffff7fffffffffffull)

static int contains_access(const proc_analysis *a, uint64_t addr, int type)
{
	for (int i = 0; i < a->naccesses; i++) {
		const proc_access *x = &a->accesses[i];
		if (x->type != type || !x->size)
			continue;
		uint64_t lo = x->address, hi = lo + (uint64_t)x->size;
		if (hi < lo ? (lo <= addr || addr < hi) : (lo <= addr && addr < hi))
			return 1;
	}
	return 0;
}

static int crashing_access_missing(const proc_analysis *a, const reason_kind *k, uint64_t addr,
				   const md_context *c)
{
	if (!a->have_accesses)
		return 0;
	if (k->av_op == OP_READ)
		return a->is_access_derivable && !contains_access(a, addr, PROC_ACCESS_READ) &&
		       !contains_access(a, addr, PROC_ACCESS_READ_WRITE);
	if (k->av_op == OP_WRITE)
		return a->is_access_derivable && !contains_access(a, addr, PROC_ACCESS_WRITE) &&
		       !contains_access(a, addr, PROC_ACCESS_READ_WRITE);
	if (k->av_op == OP_EXEC)
		return c && md_context_pc(c) != addr;
	if (k->stack_overflow)
		return a->is_access_derivable && a->naccesses == 0;
	return 0;
}

static int access_allowed(const memmap *m, const reason_kind *k, uint64_t addr)
{
	const region *r = map_find(m, addr);
	return r && k->av_op > OP_UNDETERMINED && possibly_allowed(k->av_op, r);
}

static int by_name(const void *x, const void *y)
{
	return strcmp(x, y);
}

static int by_flip(const void *x, const void *y)
{
	const proc_bitflip *a = x, *b = y;
	if (a->confidence != b->confidence)
		return a->confidence > b->confidence ? -1 : 1;
	return a->address < b->address ? -1 : a->address > b->address;
}

void proc_analyze(const md_dump *d, const proc_reason *r, proc_analysis *a)
{
	memset(a, 0, sizeof *a);
	a->ip_update = PROC_IP_UNKNOWN;
	if (!r->has_exception)
		return;
	a->have_exception = 1;
	const md_context *c = d->exception.has_context ? &d->exception.context : NULL;
	md_cpu cpu = c ? c->cpu : d->sysinfo.cpu;
	memmap m;
	map_load(d, &m);
	reason_kind k;
	classify(d, r, &k);
	if (c && (cpu == MD_CPU_AMD64 || cpu == MD_CPU_X86))
		decode(d, c, a);
	/* Guard pages: an inaccessible region under 32 KiB beside an accessible one. */
	for (int i = 0; i < a->naccesses; i++) {
		const region *g = map_find(&m, a->accesses[i].address);
		if (!g || accessible(g) || g->end - g->start >= (2u << 14))
			continue;
		for (size_t j = 0; j < m.n; j++)
			if ((m.v[j].end + 1 == g->start || g->end + 1 == m.v[j].start) &&
			    accessible(&m.v[j]))
				a->accesses[i].guard_page = 1;
	}
	/* The address the crash is better told by. */
	for (int i = 0; a->have_accesses && i < a->naccesses && !a->adjusted; i++)
		if (a->accesses[i].null_base)
			a->adjusted = PROC_ADJUSTED_NULL, a->adjusted_value = a->accesses[i].address;
	if (!a->adjusted && a->have_accesses && a->ip_update == PROC_IP_UPDATE && a->ip_target == 0)
		a->adjusted = PROC_ADJUSTED_NULL, a->adjusted_value = 0;
	if (!a->adjusted && a->have_accesses && cpu == MD_CPU_AMD64 && k.gpf) {
		for (int i = 0; i < a->naccesses && !a->adjusted; i++)
			if (NON_CANONICAL(a->accesses[i].address))
				a->adjusted = PROC_ADJUSTED_NON_CANONICAL,
				a->adjusted_value = a->accesses[i].address;
		if (!a->adjusted && a->ip_update == PROC_IP_UPDATE && NON_CANONICAL(a->ip_target))
			a->adjusted = PROC_ADJUSTED_NON_CANONICAL, a->adjusted_value = a->ip_target;
	}
	/* Bit flips: 64-bit x86 only, as rust-minidump (arm64 lacks decoding). */
	if (cpu == MD_CPU_AMD64 && a->adjusted != PROC_ADJUSTED_NULL) {
		int nc = a->adjusted == PROC_ADJUSTED_NON_CANONICAL;
		uint64_t addr = nc ? a->adjusted_value : r->address;
		int lo = nc ? 48 : 0, hi = nc ? 64 : 48;
		int op = k.av_op > 0 ? k.av_op : OP_UNDETERMINED, size = 0;
		for (int i = 0; i < a->naccesses; i++) {
			const proc_access *x = &a->accesses[i];
			if (r->address >= x->address && r->address - x->address < (uint64_t)x->size) {
				addr = x->address;
				size = x->size;
				break;
			}
		}
		try_flips(a, &m, addr, NULL, lo, hi, op, size, c);
		/* The registers of the memory operands, in name order. */
		char sorted[PROC_MAX_REGISTERS][8];
		int ns = a->nregisters;
		memcpy(sorted, a->registers, sizeof sorted);
		qsort(sorted, (size_t)ns, sizeof sorted[0], by_name);
		for (int i = 0; c && i < ns; i++) {
			uint64_t v;
			if (reg_value(c, sorted[i], &v))
				try_flips(a, &m, v, sorted[i], lo, hi, op, size, c);
		}
	}
	/* Reasons the instruction cannot have caused. */
	if (a->decoded && k.int_div && !a->is_division)
		a->inconsistencies |= PROC_INC_INT_DIV;
	if (a->decoded && k.priv_instr && !a->is_privileged)
		a->inconsistencies |= PROC_INC_PRIV;
	if (k.av_op == OP_READ) {
		int gpf = k.gpf && crashing_access_missing(a, &k, r->address, c);
		if (gpf) {
			int none_nc = a->is_access_derivable && a->have_accesses &&
				      (a->ip_update == PROC_IP_NONE ||
				       (a->ip_update == PROC_IP_UPDATE && !NON_CANONICAL(a->ip_target)));
			for (int i = 0; none_nc && i < a->naccesses; i++)
				if (NON_CANONICAL(a->accesses[i].address))
					none_nc = 0;
			if (a->only_gpf_when_non_canonical && none_nc)
				a->inconsistencies |= PROC_INC_NON_CANONICAL;
		} else {
			if (crashing_access_missing(a, &k, r->address, c))
				a->inconsistencies |= PROC_INC_ACCESS_MISSING;
			if (access_allowed(&m, &k, r->address))
				a->inconsistencies |= PROC_INC_ACCESS_ALLOWED;
		}
	} else if (k.stack_overflow || k.av_op == OP_WRITE || k.av_op == OP_EXEC) {
		if (crashing_access_missing(a, &k, r->address, c))
			a->inconsistencies |= PROC_INC_ACCESS_MISSING;
		if (access_allowed(&m, &k, r->address))
			a->inconsistencies |= PROC_INC_ACCESS_ALLOWED;
	}
	free(m.v);
}

void proc_analysis_sorted_flips(const proc_analysis *a, proc_bitflip *out)
{
	memcpy(out, a->flips, a->nflips * sizeof *out);
	qsort(out, a->nflips, sizeof *out, by_flip);
}

void proc_analysis_free(proc_analysis *a)
{
	free(a->flips);
	a->flips = NULL;
	a->nflips = a->cflips = 0;
}

const char *proc_inconsistency_name(unsigned bit, int human)
{
	static const struct { unsigned bit; const char *json, *text; } t[] = {
		{ PROC_INC_INT_DIV, "int_div_by_zero_not_possible",
		  "Crash reason is an integer division by zero but the crashing instruction is not a division" },
		{ PROC_INC_PRIV, "priv_instruction_crash_without_priv_instruction",
		  "Crash reason is a privileged instruction but crashing instruction is not a privileged one" },
		{ PROC_INC_NON_CANONICAL, "non_canonical_address_falsely_reported",
		  "Crash address is reported as a non-canonical x86-64 address but the actual address is a canonical one" },
		{ PROC_INC_ACCESS_MISSING, "crashing_access_not_found_in_memory_accesses",
		  "Crash address not found among the memory accesses of the crashing instruction" },
		{ PROC_INC_ACCESS_ALLOWED, "access_violation_when_access_allowed",
		  "Crash reason is access violation exception but access is allowed" },
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (t[i].bit == bit)
			return human ? t[i].text : t[i].json;
	return NULL;
}
