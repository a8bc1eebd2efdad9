/*
 * walk.c - the stack walker: frame 0 from the context, then for each
 * caller the strategies in order of trust, CFI, frame pointer, stack scan,
 * the first that yields a plausible caller winning; on x86 STACK WIN
 * records come first, on arm and arm64 a leaf's link register last.
 *
 * Plausible means: the stack pointer moved up (the stack grows down), the
 * return address is not zero, and for scanned frames it points into a
 * module's code (and into a FUNC or PUBLIC when it has symbols). The
 * walk stops when no strategy finds a caller, at a pc in the first page,
 * or at the frame limit; it never loops. It goes on past a thread's entry
 * function (_start, clone) as Breakpad and rust-minidump do: what lies
 * below is what they show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unwind.h"

/* How far a scan looks for a return address, in words: rust-minidump's
 * 40, four times that above a frame of the context or CFI (a trusted
 * frame may sit on code that left no trace, such as JIT frames). */
#define SCAN_WORDS 40
#define SCAN_WORDS_TRUSTED 160

const char *walk_trust_name(walk_trust t)
{
	switch (t) {
	case WALK_TRUST_CONTEXT: return "context";
	case WALK_TRUST_CFI: return "cfi";
	case WALK_TRUST_FRAME_POINTER: return "frame_pointer";
	case WALK_TRUST_SCAN: return "scan";
	default: return "none";
	}
}

typedef struct walker {
	const md_dump *d;
	const md_thread *t;
	const struct cpu_desc *cpu;
	int word;
	walk_symbols_fn symbols;
	void *symbols_ctx;
	const md_memory *stack; /* the one region the walk reads, or NULL */
} walker;

/* The memory a walk may read: the thread's stack, or the region holding
 * the stack's start when the thread's descriptor is unreadable, replaced
 * by the region holding the first stack pointer when that lies elsewhere
 * (an exception context on another stack). Reads stop at its ends, as in
 * Breakpad and rust-minidump: what lies past the stack is not the stack. */
static const md_memory *walk_memory(const md_dump *d, const md_thread *t, uint64_t sp)
{
	const md_memory *m = NULL;
	if (t && t->stack.data && t->stack.size && t->stack.avail == t->stack.size)
		m = &t->stack;
	else if (t)
		m = md_find_memory(d, t->stack.base);
	if (!m || sp < m->base || sp - m->base >= m->avail) {
		const md_memory *at = md_find_memory(d, sp);
		if (at)
			m = at;
	}
	return m && m->data && m->avail ? m : NULL;
}

/* Reads one pointer of the walked CPU's width, from the walk's memory. */
static int read_word(void *ctx, uint64_t addr, uint64_t *v)
{
	const walker *w = ctx;
	if (!w->stack || addr < w->stack->base || addr - w->stack->base > w->stack->avail ||
	    w->stack->avail - (addr - w->stack->base) < (uint64_t)w->word)
		return CD_ENOTFOUND;
	if (w->word == 4) {
		uint32_t x;
		if (md_read_memory(w->d, addr, &x, sizeof x))
			return CD_ENOTFOUND;
		*v = x;
		return CD_OK;
	}
	return md_read_memory(w->d, addr, v, sizeof *v);
}

static const sym_cache *symbols_for(const walker *w, const md_module *m)
{
	return m && w->symbols ? w->symbols(w->symbols_ctx, m) : NULL;
}

/* Module, symbols and function of the frame's instruction. */
static void symbolize(const walker *w, walk_frame *f)
{
	f->module = md_find_module(w->d, f->pc);
	const sym_cache *c = symbols_for(w, f->module);
	f->has_symbols = c != NULL;
	sym_lookup l;
	if (!c || sym_lookup_addr(c, f->pc - f->module->base, &l) != CD_OK)
		return;
	f->has_function = 1;
	f->sym = (walk_sym){ l.function, l.function_addr, l.function_size, l.param_size, l.file,
			     l.line, l.line_addr, l.inline_addr, l.is_public, 0, NULL };
	if (l.ninlines && (f->sym.inlines = malloc(l.ninlines * sizeof *f->sym.inlines))) {
		memcpy(f->sym.inlines, l.inlines, l.ninlines * sizeof *f->sym.inlines);
		f->sym.ninlines = l.ninlines;
	}
}

/* ---- strategies, shared by the CPUs ----------------------------------------------- */

static void set_reg(md_context *c, int i, uint64_t v)
{
	c->regs[i] = v;
	c->valid |= (uint64_t)1 << i;
}

static int reg_valid(const md_context *c, int i)
{
	return (c->valid >> i & 1) != 0;
}

/* What the strategies need to know of a CPU. */
typedef struct cpu_desc {
	md_cpu cpu;
	int word;               /* bytes in a pointer */
	int pc, sp, fp;         /* register indexes */
	int ncfi;               /* registers below this index may appear in CFI */
	const int *saved;       /* callee-saved registers, per the usual ABIs */
	int nsaved;
	const char *prefix;     /* how CFI names registers: "$rsp" or "sp" */
	int lr;                 /* link register, or -1 */
} cpu_desc;

static const int amd64_saved[] = { MD_AMD64_RBX, MD_AMD64_RBP, MD_AMD64_R12,
				   MD_AMD64_R13, MD_AMD64_R14, MD_AMD64_R15 };
static const int x86_saved[] = { MD_X86_EBX, MD_X86_ESI, MD_X86_EDI, MD_X86_EBP };

static const int arm64_saved[] = { 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, MD_ARM64_FP };
static const int arm_saved[] = { 4, 5, 6, 7, 8, 9, 10, MD_ARM_R11 };

static const cpu_desc cpus[] = {
	{ MD_CPU_AMD64, 8, MD_AMD64_RIP, MD_AMD64_RSP, MD_AMD64_RBP, MD_AMD64_RIP, amd64_saved, 6, "$", -1 },
	{ MD_CPU_X86, 4, MD_X86_EIP, MD_X86_ESP, MD_X86_EBP, MD_X86_EFLAGS, x86_saved, 4, "$", -1 },
	{ MD_CPU_ARM64, 8, MD_ARM64_PC, MD_ARM64_SP, MD_ARM64_FP, MD_ARM64_PC, arm64_saved, 11, "", MD_ARM64_LR },
	{ MD_CPU_ARM, 4, MD_ARM_PC, MD_ARM_SP, MD_ARM_R11, MD_ARM_PC, arm_saved, 8, "", MD_ARM_LR },
};

/* arm64 pointer authentication signs return addresses in their top bits;
 * arm's thumb bit marks the instruction set. Neither is part of the
 * address. */
static uint64_t clean_pc(const walker *w, uint64_t pc)
{
	if (w->cpu->cpu == MD_CPU_ARM64 && !md_find_module(w->d, pc))
		return pc & 0x0000ffffffffffffull;
	if (w->cpu->cpu == MD_CPU_ARM)
		return pc & ~(uint64_t)1;
	return pc;
}

static const cpu_desc *cpu_of(md_cpu cpu)
{
	for (size_t i = 0; i < sizeof cpus / sizeof *cpus; i++)
		if (cpus[i].cpu == cpu)
			return &cpus[i];
	return NULL;
}

/* A caller's registers start as the callee-saved ones of its callee:
 * every strategy then adds what it recovered. */
static void start_caller(const cpu_desc *c, const walk_frame *callee, walk_frame *caller)
{
	memset(&caller->regs, 0, sizeof caller->regs);
	caller->regs.cpu = c->cpu;
	for (int i = 0; i < c->nsaved; i++) {
		int r = c->saved[i];
		if (reg_valid(&callee->regs, r))
			set_reg(&caller->regs, r, callee->regs.regs[r]);
	}
}

/* A caller's registers when a method knows only its pc, sp and fp: none
 * of the callee's are carried over (rust-minidump's and Breakpad's rule;
 * only CFI says which registers a function preserved). */
static void start_bare(const cpu_desc *c, walk_frame *caller)
{
	memset(&caller->regs, 0, sizeof caller->regs);
	caller->regs.cpu = c->cpu;
}

/* Splits "REG: expr REG: expr ..." and records each rule (later ones win). */
typedef struct rule {
	char name[PF_NAME_MAX];
	const char *expr;
	size_t len;
} rule;

static int parse_rules(const char *s, rule *rules, int *n, int max)
{
	const char *p = s;
	rule *cur = NULL;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *t = p;
		while (*p && *p != ' ')
			p++;
		size_t tl = (size_t)(p - t);
		if (!tl)
			break;
		if (t[tl - 1] == ':') {
			if (tl - 1 >= PF_NAME_MAX || tl == 1)
				return CD_EFORMAT;
			int k;
			for (k = 0; k < *n; k++)
				if (strlen(rules[k].name) == tl - 1 && !memcmp(rules[k].name, t, tl - 1))
					break;
			if (k == *n) {
				if (*n == max)
					return CD_EFORMAT;
				(*n)++;
			}
			cur = &rules[k];
			memcpy(cur->name, t, tl - 1);
			cur->name[tl - 1] = 0;
			cur->expr = p;
			cur->len = 0;
		} else if (cur) {
			cur->len = (size_t)(p - cur->expr);
		} else {
			return CD_EFORMAT; /* an expression before any register */
		}
	}
	for (int k = 0; k < *n; k++)
		if (!rules[k].len)
			return CD_EFORMAT;
	return CD_OK;
}

/* CFI that gives no rule for the return address says there is no caller:
 * the bottom of the stack. The walk ends there; no scan invents frames. */
#define CFI_END 100

static int by_cfi(const walker *w, const walk_frame *callee, walk_frame *caller)
{
	if (!callee->module)
		return CD_ENOTFOUND;
	const sym_cache *c = symbols_for(w, callee->module);
	sym_cfi_rules cr;
	if (!c || sym_lookup_cfi(c, callee->pc - callee->module->base, &cr) != CD_OK)
		return CD_ENOTFOUND;
	rule rules[40];
	int n = 0;
	if (parse_rules(cr.init_rules, rules, &n, 40))
		return CD_EFORMAT;
	for (uint32_t i = 0; i < cr.ndeltas; i++)
		if (parse_rules(cr.deltas[i], rules, &n, 40))
			return CD_EFORMAT;
	pf_vars vars;
	memset(&vars, 0, sizeof vars);
	int nn;
	const char *const *names = md_reg_names(w->cpu->cpu, &nn);
	char dollar[PF_NAME_MAX];
	for (int i = 0; i < w->cpu->ncfi && i < nn; i++) {
		if (!reg_valid(&callee->regs, i))
			continue;
		int k = snprintf(dollar, sizeof dollar, "%s%s", w->cpu->prefix, names[i]);
		pf_set(&vars, dollar, (size_t)k, callee->regs.regs[i]);
		/* dump_syms writes x29/x30 and r13-r15 for arm64's and arm's
		 * fp, lr, sp and pc. */
		k = 0;
		if (w->cpu->cpu == MD_CPU_ARM64 && (i == MD_ARM64_FP || i == MD_ARM64_LR))
			k = snprintf(dollar, sizeof dollar, "x%d", i);
		else if (w->cpu->cpu == MD_CPU_ARM && i >= MD_ARM_SP && i <= MD_ARM_PC)
			k = snprintf(dollar, sizeof dollar, "r%d", i);
		if (k)
			pf_set(&vars, dollar, (size_t)k, callee->regs.regs[i]);
	}
	pf_env env = { .vars = &vars, .read = read_word, .read_ctx = (void *)w,
		       .word_size = w->word };
	cd_err e;
	uint64_t cfa = 0, ra = 0;
	int have_cfa = 0, have_ra = 0, have_ra_rule = 0;
	for (int k = 0; k < n; k++)
		have_ra_rule |= !strcmp(rules[k].name, ".ra");
	for (int k = 0; k < n; k++)
		if (!strcmp(rules[k].name, ".cfa"))
			have_cfa = pf_eval(rules[k].expr, rules[k].len, &env, &cfa, &e) == CD_OK;
	if (!have_cfa)
		return CD_EFORMAT;
	pf_set(&vars, ".cfa", 4, cfa);
	/* Callee-saved registers the rules do not mention keep their values. */
	start_caller(w->cpu, callee, caller);
	for (int k = 0; k < n; k++) {
		uint64_t v;
		if (!strcmp(rules[k].name, ".cfa"))
			continue;
		if (pf_eval(rules[k].expr, rules[k].len, &env, &v, &e) != CD_OK)
			continue; /* that register is unknown in the caller */
		if (!strcmp(rules[k].name, ".ra")) {
			ra = v;
			have_ra = 1;
		} else if (!strncmp(rules[k].name, w->cpu->prefix, strlen(w->cpu->prefix))) {
			int r = md_reg_index(w->cpu->cpu, rules[k].name + strlen(w->cpu->prefix));
			if (r >= 0 && r < w->cpu->ncfi && r != w->cpu->pc)
				set_reg(&caller->regs, r, v);
		}
	}
	if (!have_ra)
		return have_ra_rule ? CD_EFORMAT : CFI_END;
	set_reg(&caller->regs, w->cpu->sp, cfa);
	set_reg(&caller->regs, w->cpu->pc, clean_pc(w, ra));
	return CD_OK;
}

static int return_address_plausible(const walker *w, uint64_t value);

/* x86 Windows frames described by STACK WIN records: FRAME_DATA (type 4)
 * with a program string, or FPO (type 0) from the frame's sizes. */
static int by_stack_win(const walker *w, const walk_frame *callee, walk_frame *caller)
{
	if (!callee->module)
		return CD_ENOTFOUND;
	const sym_cache *c = symbols_for(w, callee->module);
	sym_win_info wi;
	uint64_t rel = callee->pc - callee->module->base;
	if (!c || (sym_lookup_win(c, rel, 4, &wi) && sym_lookup_win(c, rel, 0, &wi)))
		return CD_ENOTFOUND;
	pf_vars vars;
	memset(&vars, 0, sizeof vars);
	static const struct { const char *name; int reg; } regs[] = {
		{ "$ebp", MD_X86_EBP }, { "$esp", MD_X86_ESP }, { "$ebx", MD_X86_EBX },
		{ "$esi", MD_X86_ESI }, { "$edi", MD_X86_EDI },
	};
	for (size_t i = 0; i < sizeof regs / sizeof *regs; i++)
		if (reg_valid(&callee->regs, regs[i].reg))
			pf_set(&vars, regs[i].name, 4, callee->regs.regs[regs[i].reg]);
	uint64_t esp = md_context_sp(&callee->regs);
	/* The return address lies above the locals and saved registers; a
	 * short scan from there corrects sizes that are off by a few words. */
	uint64_t ra_at = esp + wi.locals_size + wi.saved_regs_size, v;
	for (int k = 0; k < 8; k++) {
		uint64_t at = ra_at + 4 * (uint64_t)k;
		if (read_word((void *)w, at, &v) == CD_OK && return_address_plausible(w, v)) {
			ra_at = at;
			break;
		}
	}
	pf_set(&vars, ".cbCalleeParams", 15, 0);
	pf_set(&vars, ".cbSavedRegs", 12, wi.saved_regs_size);
	pf_set(&vars, ".cbLocals", 9, wi.locals_size);
	pf_set(&vars, ".cbParams", 9, wi.params_size);
	pf_set(&vars, ".raSearchStart", 14, ra_at);
	pf_set(&vars, ".raSearch", 9, ra_at);
	/* FPO records carry no program: the return address is at .raSearch,
	 * and a frame that set up ebp saved the caller's just below it. */
	const char *prog = wi.has_program && wi.program ? wi.program
			   : wi.allocates_base_pointer
				 ? "$eip .raSearch ^ = $esp .raSearch 4 + = $ebp .raSearch 4 - ^ ="
				 : "$eip .raSearch ^ = $esp .raSearch 4 + =";
	pf_env env = { .vars = &vars, .read = read_word, .read_ctx = (void *)w, .word_size = 4 };
	cd_err e;
	if (pf_run(prog, strlen(prog), &env, &e) != CD_OK)
		return CD_EFORMAT;
	uint64_t eip, nsp;
	if (pf_get(&vars, "$eip", 4, &eip) || pf_get(&vars, "$esp", 4, &nsp))
		return CD_EFORMAT;
	start_caller(w->cpu, callee, caller);
	for (size_t i = 0; i < sizeof regs / sizeof *regs; i++) {
		uint64_t x;
		if (pf_get(&vars, regs[i].name, 4, &x) == CD_OK)
			set_reg(&caller->regs, regs[i].reg, x & 0xffffffffu);
	}
	set_reg(&caller->regs, MD_X86_EIP, eip & 0xffffffffu);
	set_reg(&caller->regs, MD_X86_ESP, nsp & 0xffffffffu);
	return CD_OK;
}

/* A leaf function on arm and arm64 may not have saved its return address
 * yet: for the context frame, the link register is the caller's pc. */
static int by_link_register(const walker *w, const walk_frame *callee, walk_frame *caller)
{
	const cpu_desc *c = w->cpu;
	if (c->lr < 0 || callee->trust != WALK_TRUST_CONTEXT || !reg_valid(&callee->regs, c->lr))
		return CD_ENOTFOUND;
	uint64_t lr = clean_pc(w, callee->regs.regs[c->lr]);
	if (!return_address_plausible(w, lr))
		return CD_ENOTFOUND;
	start_caller(c, callee, caller);
	set_reg(&caller->regs, c->pc, lr);
	set_reg(&caller->regs, c->sp, md_context_sp(&callee->regs));
	return CD_OK;
}

/* The classic frame: [fp] holds the caller's fp, the return address
 * follows it, and the caller's stack starts after both. */
static int by_frame_pointer(const walker *w, const walk_frame *callee, walk_frame *caller)
{
	const cpu_desc *c = w->cpu;
	if (!reg_valid(&callee->regs, c->fp))
		return CD_ENOTFOUND;
	uint64_t bp = callee->regs.regs[c->fp], saved_bp, ra;
	uint64_t sp = md_context_sp(&callee->regs);
	/* The frame pointer must point into the stack above the stack pointer. */
	if (bp % (uint64_t)c->word || bp < sp || read_word((void *)w, bp, &saved_bp) ||
	    read_word((void *)w, bp + (uint64_t)c->word, &ra))
		return CD_ENOTFOUND;
	/* The saved frame pointer must itself point up the stack, above the
	 * caller's stack pointer, as Breakpad requires on x86 and amd64: a
	 * broken chain means a function that used the register for data, and
	 * the stack is scanned instead. On arm and arm64 a zero saved frame
	 * pointer ends a valid chain (the outermost frame record). */
	if (saved_bp < bp + 2 * (uint64_t)c->word && !(saved_bp == 0 && c->lr >= 0))
		return CD_ENOTFOUND;
	start_bare(c, caller);
	set_reg(&caller->regs, c->fp, saved_bp);
	set_reg(&caller->regs, c->sp, bp + 2 * (uint64_t)c->word);
	set_reg(&caller->regs, c->pc, clean_pc(w, ra));
	return CD_OK;
}

/* On x86 rust-minidump takes the frame pointer's two words without
 * Breakpad's checks, so a frame record whose return address is in the
 * first page (the zero record a thread's start routine leaves) or that
 * lies below the stack pointer ends its walk, where Breakpad scans on and
 * finds stale return addresses. crashdesk ends there too. */
static int frame_chain_ends(const walker *w, const walk_frame *callee)
{
	const cpu_desc *c = w->cpu;
	if (c->cpu != MD_CPU_X86 || !reg_valid(&callee->regs, c->fp))
		return 0;
	uint64_t bp = callee->regs.regs[c->fp], saved_bp, ra;
	if (read_word((void *)w, bp, &saved_bp) || read_word((void *)w, bp + (uint64_t)c->word, &ra))
		return 0;
	/* rust-minidump takes these words as the caller and ends the walk
	 * when its pc is in the first page or its stack pointer went down */
	return ra < 4096 || bp + 2 * (uint64_t)c->word <= md_context_sp(&callee->regs);
}

/* Could value be a return address? It must point into a module's code,
 * and into a FUNC or PUBLIC when the module has symbols (Breakpad's rule). */
static int return_address_plausible(const walker *w, uint64_t value)
{
	/* The call is before the return address: a call that ends a module
	 * returns to one past its end. */
	const md_module *m = md_find_module(w->d, value - 1);
	if (!m)
		return 0;
	const sym_cache *c = symbols_for(w, m);
	if (!c)
		return 1;
	sym_lookup l;
	return sym_lookup_addr(c, value - 1 - m->base, &l) == CD_OK;
}

/* The frame pointer of a scanned caller on x86 and amd64, where it can be
 * told (rust-minidump's heuristics): a callee that pushed it right below
 * the return address, or one that left it alone and it still points above
 * the caller's stack pointer. */
static int scan_frame_pointer(const walker *w, const walk_frame *callee, uint64_t ra_at, int i,
			      uint64_t *fp)
{
	const cpu_desc *c = w->cpu;
	if ((c->cpu != MD_CPU_AMD64 && c->cpu != MD_CPU_X86) || !reg_valid(&callee->regs, c->fp) ||
	    i == 0)
		return 0;
	uint64_t last = callee->regs.regs[c->fp], word = (uint64_t)c->word, bp, probe;
	uint64_t caller_sp = ra_at + word;
	if (last == ra_at - word && read_word((void *)w, ra_at - word, &bp) == CD_OK) {
		if (bp > ra_at && bp - (ra_at - word) <= 128 * 1024) {
			if (read_word((void *)w, bp, &probe) != CD_OK)
				return 0;
			*fp = bp;
			return 1;
		}
	}
	if (last >= caller_sp) {
		*fp = last;
		return 1;
	}
	return 0;
}

static int by_scan(const walker *w, const walk_frame *callee, walk_frame *caller)
{
	uint64_t sp = md_context_sp(&callee->regs);
	/* The callee's stack pointer is where its return address would be
	 * pushed; the scan starts there and walks up. */
	int words = callee->trust == WALK_TRUST_CONTEXT || callee->trust == WALK_TRUST_CFI
			    ? SCAN_WORDS_TRUSTED
			    : SCAN_WORDS;
	for (int i = 0; i < words; i++) {
		uint64_t at = sp + (uint64_t)w->word * (uint64_t)i, v;
		if (read_word((void *)w, at, &v))
			return CD_ENOTFOUND;
		if (!return_address_plausible(w, v))
			continue;
		start_bare(w->cpu, caller);
		uint64_t fp;
		if (scan_frame_pointer(w, callee, at, i, &fp))
			set_reg(&caller->regs, w->cpu->fp, fp);
		set_reg(&caller->regs, w->cpu->pc, v);
		set_reg(&caller->regs, w->cpu->sp, at + (uint64_t)w->word);
		return CD_OK;
	}
	return CD_ENOTFOUND;
}

/* A caller must sit higher on the stack with a usable return address. */
static int plausible_caller(const walk_frame *callee, const walk_frame *caller)
{
	uint64_t csp = md_context_sp(&callee->regs), sp = md_context_sp(&caller->regs);
	uint64_t ra = md_context_pc(&caller->regs);
	return ra > 0xfff && sp > csp;
}

/* ---- the driver ----------------------------------------------------------------------- */

/* Room doubles from 4 frames: most threads of a dump are a few frames
 * deep, and a dump may hold tens of thousands of threads. */
static int push(walk_stack *s, const walk_frame *f)
{
	uint32_t n = s->nframes;
	if (n >= 4 && !(n & (n - 1))) { /* full at 4, 8, 16, ... */
		walk_frame *p = realloc(s->frames, 2 * (size_t)n * sizeof *p);
		if (!p)
			return CD_ENOMEM;
		s->frames = p;
	} else if (!n && !(s->frames = malloc(4 * sizeof *s->frames))) {
		return CD_ENOMEM;
	}
	s->frames[s->nframes++] = *f;
	return CD_OK;
}

int walk_thread(const md_dump *d, const md_thread *t, const md_context *ctx,
		walk_symbols_fn symbols, void *symbols_ctx, walk_stack *out, cd_err *e)
{
	return walk_thread_max(d, t, ctx, symbols, symbols_ctx, WALK_MAX_FRAMES, out, e);
}

int walk_thread_max(const md_dump *d, const md_thread *t, const md_context *ctx,
		    walk_symbols_fn symbols, void *symbols_ctx, uint32_t max_frames,
		    walk_stack *out, cd_err *e)
{
	if (max_frames < 1)
		max_frames = 1;
	memset(out, 0, sizeof *out);
	const cpu_desc *cpu = cpu_of(ctx->cpu);
	if (!cpu)
		return cd_errf(e, CD_EUSAGE, "%s: thread %u: unwinding %s is not implemented yet",
			       d->path, t ? t->id : 0, md_cpu_name(ctx->cpu));
	walker w = { .d = d, .t = t, .cpu = cpu, .word = cpu->word, .symbols = symbols,
		     .symbols_ctx = symbols_ctx, .stack = walk_memory(d, t, md_context_sp(ctx)) };
	walk_frame f;
	memset(&f, 0, sizeof f);
	f.regs = *ctx;
	f.pc = clean_pc(&w, md_context_pc(ctx));
	f.trust = WALK_TRUST_CONTEXT;
	symbolize(&w, &f);
	if (push(out, &f)) {
		free(f.sym.inlines);
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", d->path);
	}
	while (w.stack && out->nframes < max_frames) { /* no stack: frame 0 alone */
		const walk_frame *callee = &out->frames[out->nframes - 1];
		walk_frame caller;
		memset(&caller, 0, sizeof caller);
		int found = 0;
		if (cpu->cpu == MD_CPU_X86 && by_stack_win(&w, callee, &caller) == CD_OK &&
		    plausible_caller(callee, &caller)) {
			caller.trust = WALK_TRUST_CFI; /* Breakpad's "stack frame info" */
			found = 1;
		}
		if (!found) {
			int rc = by_cfi(&w, callee, &caller);
			if (rc == CFI_END)
				break;
			if (rc == CD_OK && plausible_caller(callee, &caller)) {
				caller.trust = WALK_TRUST_CFI;
				found = 1;
			}
		}
		if (!found && by_frame_pointer(&w, callee, &caller) == CD_OK &&
		    plausible_caller(callee, &caller) &&
		    md_find_module(d, md_context_pc(&caller.regs))) {
			caller.trust = WALK_TRUST_FRAME_POINTER;
			found = 1;
		}
		if (!found && by_link_register(&w, callee, &caller) == CD_OK) {
			/* same stack pointer: the leaf pushed nothing (rust-minidump
			 * counts this as frame-pointer unwinding too) */
			caller.trust = WALK_TRUST_FRAME_POINTER;
			found = 1;
		}
		if (!found && frame_chain_ends(&w, callee))
			break;
		if (!found && by_scan(&w, callee, &caller) == CD_OK &&
		    plausible_caller(callee, &caller)) {
			caller.trust = WALK_TRUST_SCAN;
			found = 1;
		}
		if (!found)
			break;
		/* The call instruction is just before the return address. */
		set_reg(&caller.regs, cpu->pc, clean_pc(&w, md_context_pc(&caller.regs)));
		caller.pc = md_context_pc(&caller.regs) - 1;
		if (cpu->word == 4)
			caller.pc &= 0xffffffffu;
		symbolize(&w, &caller);
		if (push(out, &caller)) {
			free(caller.sym.inlines);
			return cd_errf(e, CD_ENOMEM, "%s: out of memory", d->path);
		}
	}
	out->truncated = out->nframes == max_frames;
	/* The room to spare goes back: a dump may hold many short stacks. */
	walk_frame *fit = out->nframes ? realloc(out->frames, out->nframes * sizeof *fit) : NULL;
	if (fit)
		out->frames = fit;
	return CD_OK;
}

void walk_stack_free(walk_stack *s)
{
	for (uint32_t i = 0; i < s->nframes; i++)
		free(s->frames[i].sym.inlines);
	free(s->frames);
	s->frames = NULL;
	s->nframes = 0;
}
