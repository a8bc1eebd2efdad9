/*
 * test_unwind.c - the stack walker on synthetic dumps: arm64 and arm
 * frame-pointer chains, the link register of a leaf, pointer-authentication
 * bits, the thumb bit, and walks that must stop (a frame-pointer loop,
 * missing stack memory, a zero return address).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "../src/minidump/minidump.h"
#include "../src/process/process.h"
#include "../src/unwind/unwind.h"
#include "synth/synth.h"
#include "testlib.h"

#define MOD_BASE 0x10000000ull
#define STACK 0x7f0000000000ull

static void put(uint8_t *p, int word, uint64_t v)
{
	for (int i = 0; i < word; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

typedef struct built {
	uint8_t *buf;
	size_t n;
	md_dump *d;
	synth *s;
} built;

/* One thread of cpu with the given registers and stack, and one module
 * covering MOD_BASE. */
static int build(built *b, md_cpu cpu, uint16_t arch, const uint64_t *regs, const uint8_t *stack,
		 uint32_t stack_size, uint64_t stack_base)
{
	b->s = synth_new();
	synth_sysinfo si = { .arch = arch, .platform = SYNTH_OS_LINUX, .ncpus = 1 };
	synth_system_info(b->s, &si);
	uint32_t flags = cpu == MD_CPU_ARM64 ? MD_CONTEXT_ARM64 | 0x3 : cpu == MD_CPU_ARM ? MD_CONTEXT_ARM | 0x2
			 : cpu == MD_CPU_X86 ? MD_CONTEXT_X86 | 0x3 : MD_CONTEXT_AMD64 | 0x3;
	synth_loc c = synth_context(b->s, cpu, 0, regs, flags);
	synth_thread t = { .id = 7, .stack_base = stack_base, .stack = stack, .stack_size = stack_size,
			   .context = c };
	synth_thread_list(b->s, &t, 1, 0);
	synth_module m = { .base = MOD_BASE, .size = 0x10000, .name = "/lib/libsynth.so" };
	synth_module_list(b->s, &m, 1);
	b->buf = synth_finish(b->s, &b->n);
	cd_err e;
	return md_open_mem(b->buf, b->n, "unwind.dmp", &b->d, &e);
}

static void done(built *b)
{
	md_close(b->d);
	synth_free(b->s);
}

static void test_arm64_frame_pointer_chain_and_pac(void)
{
	/* fp -> [saved fp, lr] twice, the second lr signed with PAC bits. */
	uint8_t st[256] = { 0 };
	put(st + 0x40, 8, STACK + 0x80);
	put(st + 0x48, 8, MOD_BASE + 0x2004);
	put(st + 0x80, 8, 0);
	put(st + 0x88, 8, 0x002d000000000000ull | (MOD_BASE + 0x3008));
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_ARM64_PC] = MOD_BASE + 0x1000;
	r[MD_ARM64_SP] = STACK + 0x10;
	r[MD_ARM64_FP] = STACK + 0x40;
	r[MD_ARM64_LR] = MOD_BASE + 0x2004; /* already saved: not a leaf */
	built b;
	T_ASSERT(build(&b, MD_CPU_ARM64, SYNTH_ARCH_ARM64, r, st, sizeof st, STACK) == CD_OK);
	walk_stack s;
	cd_err e;
	T_ASSERT(walk_thread(b.d, &b.d->threads[0], &b.d->threads[0].context, NULL, NULL, &s, &e) == CD_OK);
	T_ASSERT(s.nframes >= 3);
	T_EQ_U64(s.frames[0].trust, WALK_TRUST_CONTEXT);
	T_EQ_U64(md_context_pc(&s.frames[1].regs), MOD_BASE + 0x2004);
	T_EQ_U64(s.frames[1].trust, WALK_TRUST_FRAME_POINTER);
	/* the pointer-authentication bits are gone */
	T_EQ_U64(md_context_pc(&s.frames[2].regs), MOD_BASE + 0x3008);
	T_ASSERT(s.frames[2].module != NULL);
	walk_stack_free(&s);
	done(&b);
}

static void test_arm64_leaf_uses_link_register(void)
{
	/* No frame record for the leaf: fp still points at the caller's. */
	uint8_t st[256] = { 0 };
	put(st + 0x40, 8, 0);
	put(st + 0x48, 8, MOD_BASE + 0x5000);
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_ARM64_PC] = MOD_BASE + 0x1000;
	r[MD_ARM64_SP] = STACK + 0x10;
	r[MD_ARM64_FP] = 0;                 /* no frame pointer at all */
	r[MD_ARM64_LR] = MOD_BASE + 0x4444;
	built b;
	T_ASSERT(build(&b, MD_CPU_ARM64, SYNTH_ARCH_ARM64, r, st, sizeof st, STACK) == CD_OK);
	walk_stack s;
	cd_err e;
	T_ASSERT(walk_thread(b.d, &b.d->threads[0], &b.d->threads[0].context, NULL, NULL, &s, &e) == CD_OK);
	T_ASSERT(s.nframes >= 2);
	T_EQ_U64(md_context_pc(&s.frames[1].regs), MOD_BASE + 0x4444);
	walk_stack_free(&s);
	done(&b);
}

static void test_arm_thumb_and_r11_chain(void)
{
	uint8_t st[128] = { 0 };
	put(st + 0x20, 4, 0);
	put(st + 0x24, 4, (uint32_t)(MOD_BASE + 0x2001)); /* thumb return */
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_ARM_PC] = MOD_BASE + 0x1001; /* thumb */
	r[MD_ARM_SP] = 0x40000010;
	r[MD_ARM_R11] = 0x40000020;
	r[MD_ARM_LR] = MOD_BASE + 0x2001;
	built b;
	T_ASSERT(build(&b, MD_CPU_ARM, SYNTH_ARCH_ARM, r, st, sizeof st, 0x40000000) == CD_OK);
	walk_stack s;
	cd_err e;
	T_ASSERT(walk_thread(b.d, &b.d->threads[0], &b.d->threads[0].context, NULL, NULL, &s, &e) == CD_OK);
	T_EQ_U64(s.frames[0].pc, MOD_BASE + 0x1000);
	T_ASSERT(s.nframes >= 2);
	T_EQ_U64(md_context_pc(&s.frames[1].regs), MOD_BASE + 0x2000);
	walk_stack_free(&s);
	done(&b);
}

static void test_frame_pointer_loop_stops(void)
{
	/* rbp points at itself: the stack pointer would never move up. */
	uint8_t st[256] = { 0 };
	put(st + 0x40, 8, STACK + 0x40);
	put(st + 0x48, 8, MOD_BASE + 0x2000);
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_AMD64_RIP] = MOD_BASE + 0x1000;
	r[MD_AMD64_RSP] = STACK + 0x10;
	r[MD_AMD64_RBP] = STACK + 0x40;
	built b;
	T_ASSERT(build(&b, MD_CPU_AMD64, SYNTH_ARCH_AMD64, r, st, sizeof st, STACK) == CD_OK);
	walk_stack s;
	cd_err e;
	T_ASSERT(walk_thread(b.d, &b.d->threads[0], &b.d->threads[0].context, NULL, NULL, &s, &e) == CD_OK);
	T_ASSERT(s.nframes < 10);
	T_ASSERT(!s.truncated);
	for (uint32_t i = 1; i < s.nframes; i++)
		T_ASSERT(md_context_sp(&s.frames[i].regs) > md_context_sp(&s.frames[i - 1].regs));
	walk_stack_free(&s);
	done(&b);
}

static void test_missing_stack_memory_stops(void)
{
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_AMD64_RIP] = MOD_BASE + 0x1000;
	r[MD_AMD64_RSP] = 0x12345000; /* no memory captured there */
	r[MD_AMD64_RBP] = 0x12345100;
	built b;
	T_ASSERT(build(&b, MD_CPU_AMD64, SYNTH_ARCH_AMD64, r, NULL, 0, STACK) == CD_OK);
	walk_stack s;
	cd_err e;
	T_ASSERT(walk_thread(b.d, &b.d->threads[0], &b.d->threads[0].context, NULL, NULL, &s, &e) == CD_OK);
	T_EQ_U64(s.nframes, 1);
	T_EQ_U64(s.frames[0].pc, MOD_BASE + 0x1000);
	walk_stack_free(&s);
	done(&b);
}

static void test_scan_accepts_only_module_code(void)
{
	/* Stack words: a stack address, a heap pointer, then a return address. */
	uint8_t st[128] = { 0 };
	put(st + 0x10, 8, STACK + 0x50);
	put(st + 0x18, 8, 0x5555deadbeef);
	put(st + 0x20, 8, MOD_BASE + 0x7777);
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_AMD64_RIP] = MOD_BASE + 0x1000;
	r[MD_AMD64_RSP] = STACK + 0x10;
	built b;
	T_ASSERT(build(&b, MD_CPU_AMD64, SYNTH_ARCH_AMD64, r, st, sizeof st, STACK) == CD_OK);
	walk_stack s;
	cd_err e;
	T_ASSERT(walk_thread(b.d, &b.d->threads[0], &b.d->threads[0].context, NULL, NULL, &s, &e) == CD_OK);
	T_ASSERT(s.nframes >= 2);
	T_EQ_U64(s.frames[1].trust, WALK_TRUST_SCAN);
	T_EQ_U64(md_context_pc(&s.frames[1].regs), MOD_BASE + 0x7777);
	T_EQ_U64(md_context_sp(&s.frames[1].regs), STACK + 0x28);
	walk_stack_free(&s);
	done(&b);
}

/* Symbols with hostile CFI for the synthetic module: the walker must fall
 * back to the frame pointer, never fail or divide by zero. */
static const sym_cache *garbage_cfi(void *ctx, const md_module *m)
{
	(void)m;
	return ctx;
}

static void test_garbage_cfi_falls_back(void)
{
	char dir[] = "/tmp/crashdesk-unwind-XXXXXX";
	T_ASSERT(mkdtemp(dir) != NULL);
	char sym[300], cache[300];
	snprintf(sym, sizeof sym, "%s/synth.sym", dir);
	snprintf(cache, sizeof cache, "%s/synth.cdsym", dir);
	FILE *f = fopen(sym, "w");
	fputs("MODULE Linux x86_64 0 libsynth.so\n"
	      "FUNC 1000 100 0 crasher\n"
	      "FUNC 2000 100 0 caller\n"
	      "STACK CFI INIT 1000 100 .cfa: $rsp 0 / .ra: .cfa -8 + ^\n"  /* divides by zero */
	      "STACK CFI INIT 2000 100 .cfa: $rsp .ra: ^\n",                 /* nonsense */
	      f);
	fclose(f);
	cd_err e;
	sym_cache *c;
	T_ASSERT(sym_cache_build(sym, cache, NULL, &e) == CD_OK);
	T_ASSERT(sym_cache_open(cache, &c, &e) == CD_OK);
	uint8_t st[256] = { 0 };
	put(st + 0x40, 8, STACK + 0x80);
	put(st + 0x48, 8, MOD_BASE + 0x2010);
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_AMD64_RIP] = MOD_BASE + 0x1010;
	r[MD_AMD64_RSP] = STACK + 0x10;
	r[MD_AMD64_RBP] = STACK + 0x40;
	built b;
	T_ASSERT(build(&b, MD_CPU_AMD64, SYNTH_ARCH_AMD64, r, st, sizeof st, STACK) == CD_OK);
	walk_stack s;
	T_ASSERT(walk_thread(b.d, &b.d->threads[0], &b.d->threads[0].context, garbage_cfi, c, &s, &e) == CD_OK);
	T_ASSERT(s.nframes >= 2);
	T_EQ_STR(s.frames[0].sym.function, "crasher");
	T_EQ_U64(s.frames[1].trust, WALK_TRUST_FRAME_POINTER);
	T_EQ_STR(s.frames[1].sym.function, "caller");
	walk_stack_free(&s);
	done(&b);
	sym_cache_close(c);
	unlink(cache);
	unlink(sym);
	rmdir(dir);
}

/* CFI without a return-address rule marks the bottom of the stack: the
 * walk ends there even though a scan would find a "return address". */
static void test_cfi_without_ra_ends_the_walk(void)
{
	char dir[] = "/tmp/crashdesk-unwind-XXXXXX";
	T_ASSERT(mkdtemp(dir) != NULL);
	char sym[300], cache[300];
	snprintf(sym, sizeof sym, "%s/bottom.sym", dir);
	snprintf(cache, sizeof cache, "%s/bottom.cdsym", dir);
	FILE *f = fopen(sym, "w");
	fputs("MODULE Linux x86_64 0 libsynth.so\n"
	      "FUNC 1000 100 0 thread_bottom\n"
	      "FUNC 2000 100 0 somewhere\n"
	      "STACK CFI INIT 1000 100 .cfa: $rsp 8 +\n", f);
	fclose(f);
	cd_err e;
	sym_cache *c;
	T_ASSERT(sym_cache_build(sym, cache, NULL, &e) == CD_OK);
	T_ASSERT(sym_cache_open(cache, &c, &e) == CD_OK);
	uint8_t st[128] = { 0 };
	put(st + 0x10, 8, MOD_BASE + 0x2010); /* what a scan would take */
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_AMD64_RIP] = MOD_BASE + 0x1010;
	r[MD_AMD64_RSP] = STACK + 0x10;
	built b;
	T_ASSERT(build(&b, MD_CPU_AMD64, SYNTH_ARCH_AMD64, r, st, sizeof st, STACK) == CD_OK);
	walk_stack s;
	T_ASSERT(walk_thread(b.d, &b.d->threads[0], &b.d->threads[0].context, garbage_cfi, c, &s, &e) == CD_OK);
	T_EQ_U64(s.nframes, 1);
	walk_stack_free(&s);
	done(&b);
	sym_cache_close(c);
	unlink(cache);
	unlink(sym);
	rmdir(dir);
}

/* A pc in an unloaded module's old range names it in the JSON frame. */
static void test_unloaded_module_named(void)
{
	synth *sy = synth_new();
	synth_sysinfo si = { .arch = SYNTH_ARCH_AMD64, .platform = SYNTH_OS_LINUX, .ncpus = 1 };
	synth_system_info(sy, &si);
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_AMD64_RIP] = 0x20001234; /* where libgone.so used to be */
	r[MD_AMD64_RSP] = STACK + 0x10;
	synth_loc c = synth_context(sy, MD_CPU_AMD64, 0, r, MD_CONTEXT_AMD64 | 0x3);
	uint8_t st[64] = { 0 };
	synth_thread t = { .id = 7, .stack_base = STACK, .stack = st, .stack_size = sizeof st, .context = c };
	synth_thread_list(sy, &t, 1, 0);
	synth_module gone = { .base = 0x20000000, .size = 0x10000, .name = "/lib/libgone.so" };
	synth_unloaded_list(sy, &gone, 1);
	size_t n;
	uint8_t *buf = synth_finish(sy, &n);
	md_dump *d;
	cd_err e;
	T_ASSERT(md_open_mem(buf, n, "unloaded.dmp", &d, &e) == CD_OK);
	walk_stack s;
	T_ASSERT(walk_thread(d, &d->threads[0], &d->threads[0].context, NULL, NULL, &s, &e) == CD_OK);
	json_t *root = proc_json(d, &s, NULL, NULL, NULL, NULL);
	json_t *f0 = json_array_get(json_object_get(json_array_get(json_object_get(root, "threads"), 0), "frames"), 0);
	json_t *u = json_array_get(json_object_get(f0, "unloaded_modules"), 0);
	T_ASSERT(u != NULL);
	T_EQ_STR(json_string_value(json_object_get(u, "module")), "libgone.so");
	T_EQ_STR(json_string_value(json_array_get(json_object_get(u, "offsets"), 0)), "0x0000000000001234");
	json_decref(root);
	walk_stack_free(&s);
	md_close(d);
	synth_free(sy);
}

int main(void)
{
	T_RUN(test_arm64_frame_pointer_chain_and_pac);
	T_RUN(test_arm64_leaf_uses_link_register);
	T_RUN(test_arm_thumb_and_r11_chain);
	T_RUN(test_frame_pointer_loop_stops);
	T_RUN(test_missing_stack_memory_stops);
	T_RUN(test_scan_accepts_only_module_code);
	T_RUN(test_garbage_cfi_falls_back);
	T_RUN(test_cfi_without_ra_ends_the_walk);
	T_RUN(test_unloaded_module_named);
	return t_done();
}
