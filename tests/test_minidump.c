/*
 * test_minidump.c - the minidump reader on synthetic dumps from
 * tests/synth/: every stream family, every CPU, the debug identifiers, the
 * lookups, and hostile layouts (truncation, lying counts and sizes, RVAs
 * outside the file, overlaps, duplicates, unknown streams).
 */
#include <stdio.h>
#include <unistd.h>

#include "../src/minidump/minidump.h"
#include "synth/synth.h"
#include "testlib.h"

/* A finished synthetic dump (owned by its synth) and the reader's view of it. */
typedef struct fx {
	uint8_t *buf;
	size_t n;
	md_dump *d;
	cd_err e;
} fx;

static md_dump *fx_open(fx *f, synth *s)
{
	f->buf = synth_finish(s, &f->n);
	f->d = NULL;
	f->e.msg[0] = 0;
	if (md_open_mem(f->buf, f->n, "synthetic.dmp", &f->d, &f->e) != CD_OK)
		printf("# open failed: %s\n", f->e.msg);
	return f->d;
}

static void fx_close(fx *f)
{
	md_close(f->d);
	f->d = NULL;
}

static int has_problem(const md_dump *d, uint32_t stream, const char *needle)
{
	for (uint32_t i = 0; i < d->nproblems; i++)
		if (d->problems[i].stream_type == stream && strstr(d->problems[i].message, needle))
			return 1;
	return 0;
}

static void dump_problems(const md_dump *d)
{
	for (uint32_t i = 0; i < d->nproblems; i++)
		printf("#   problem 0x%x @0x%llx: %s\n", d->problems[i].stream_type,
		       (unsigned long long)d->problems[i].offset, d->problems[i].message);
}

/* Memory the reader used: bounded by a small multiple of the file. */
static int bounded(const md_dump *d, size_t file_size)
{
	return d->arena.used < 32 * file_size + (1u << 20);
}

static const uint8_t guid[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
				  0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01 };
static const uint8_t build_id[20] = { 0xd4, 0x11, 0x7e, 0x55, 0xbf, 0xb6, 0xd7, 0x94, 0xd6, 0xc6,
				      0x6b, 0x9b, 0x3a, 0xfb, 0x48, 0x5c, 0x03, 0xc8, 0x55, 0x34 };

#define AMD64_FULL (MD_CONTEXT_AMD64 | SYNTH_CTX_ALL)

static void linux_amd64(synth *s)
{
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64, .platform = SYNTH_OS_LINUX,
					       .csd = "Linux 6.1.0 #1 SMP x86_64" });
}

/* A Linux amd64 dump with most streams the reader knows. Directory order:
 * 0 SystemInfo, 1 ThreadList, 2 ModuleList, 3 UnloadedModuleList,
 * 4 MemoryList, 5 Exception, 6 MiscInfo, 7 ThreadNameList, 8 BreakpadInfo,
 * 9 LinuxCpuInfo, 10 LinuxCmdLine, 11 LinuxAuxv, 12 LinuxDsoDebug. */
static synth *full_linux(void)
{
	synth *s = synth_new();
	linux_amd64(s);
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_AMD64_RIP] = 0x555555554123;
	r[MD_AMD64_RSP] = 0x7ffd0000f000;
	r[MD_AMD64_RBP] = 0x7ffd0000f040;
	r[MD_AMD64_RAX] = 0xaaaa;
	r[MD_AMD64_R15] = 0xf15;
	synth_loc c1 = synth_context(s, MD_CPU_AMD64, 0, r, AMD64_FULL);
	r[MD_AMD64_RSP] = 0x7ffd00020000;
	synth_loc c2 = synth_context(s, MD_CPU_AMD64, 0, r, AMD64_FULL);
	r[MD_AMD64_RIP] = 0xdead0;
	r[MD_AMD64_RDI] = 0x10;
	synth_loc c3 = synth_context(s, MD_CPU_AMD64, 0, r, AMD64_FULL);
	uint8_t stack[256];
	for (int i = 0; i < 256; i++)
		stack[i] = (uint8_t)i;
	synth_thread t[2] = {
		{ .id = 100, .stack_base = 0x7ffd0000f000, .stack = stack, .stack_size = 256,
		  .context = c1, .suspend_count = 1, .priority_class = 2, .priority = 3,
		  .teb = 0x7f0012340000 },
		{ .id = 101, .stack_base = 0x7ffd00020000, .stack_size = 64, .context = c2 },
	};
	synth_thread_list(s, t, 2, 0);
	synth_module m[2] = {
		{ .base = 0x555555554000, .size = 0x5000, .name = "/usr/bin/app", .cv = MD_CV_ELF,
		  .build_id = build_id, .build_id_len = 20 },
		{ .base = 0x7f0000000000, .size = 0x200000, .name = "/lib/libshort.so", .cv = MD_CV_ELF,
		  .build_id = build_id, .build_id_len = 8 },
	};
	synth_module_list(s, m, 2);
	synth_module gone = { .base = 0x7e0000000000, .size = 0x3000, .checksum = 0xc5,
			      .time_date_stamp = 0x1234, .name = "/lib/libgone.so" };
	synth_unloaded_list(s, &gone, 1);
	synth_region heap = { .base = 0x600000, .data = stack, .size = 128 };
	synth_memory_list(s, &heap, 1);
	static const uint64_t params[2] = { 0x1, 0x10 };
	synth_exception(s, &(synth_exc){ .thread_id = 101, .code = 11, .flags = 1, .record = 0x77,
					 .address = 0x10, .params = params, .nparams = 2,
					 .context = c3 });
	synth_misc_info(s, &(synth_misc){ .size = SYNTH_MISC_SIZE_1, .flags1 = 0x3, .pid = 4242,
					  .create_time = 1789999000, .user_time = 5,
					  .kernel_time = 6 });
	synth_name names[2] = { { 100, "main" }, { 101, "worker #1" } };
	synth_thread_names(s, names, 2);
	synth_breakpad_info(s, 0x3, 100, 101);
	const char *cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\n";
	synth_linux_text(s, MD_STREAM_LINUX_CPU_INFO, cpuinfo, strlen(cpuinfo));
	const char cmdline[] = "/usr/bin/app\0--flag";
	synth_linux_text(s, MD_STREAM_LINUX_CMD_LINE, cmdline, sizeof cmdline - 1);
	uint64_t auxv[4] = { 6, 4096, 0, 0 };
	synth_auxv(s, auxv, 2, 8);
	synth_link_map lm[2] = { { 0x555555554000, 0x555555558de8, "/usr/bin/app" },
				 { 0x7f0000000000, 0x7f00001bcb80, "/lib/libshort.so" } };
	synth_dso_debug(s, &(synth_dso){ .version = 1, .brk = 0x55550000,
					       .ldbase = 0x7f1000000000, .dynamic = 0x555555558de8,
					       .maps = lm, .nmaps = 2 });
	return s;
}

/* ---- header, directory, every stream -------------------------------------- */

static void test_header_and_directory(void)
{
	synth *s = full_linux();
	synth_set_time(s, 1234567890);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->signature, 0x504d444d);
	T_EQ_U64(d->version & 0xffff, 0xa793);
	T_EQ_U64(d->time_date_stamp, 1234567890);
	T_EQ_U64(d->stream_count, 13);
	T_EQ_U64(d->ndir, 13);
	T_EQ_U64(d->dir_rva, SYNTH_HEADER_SIZE);
	T_EQ_U64(d->file_size, f.n);
	for (int i = 0; i < 13; i++) {
		synth_loc l = synth_entry(s, i);
		T_EQ_U64(d->dir[i].rva, l.rva);
		T_EQ_U64(d->dir[i].size, l.size);
		T_EQ_U64(d->dir[i].state, MD_STREAM_OK);
		T_ASSERT(!d->dir[i].duplicate);
	}
	T_EQ_U64(d->dir[0].type, MD_STREAM_SYSTEM_INFO);
	T_EQ_STR(md_stream_type_name(d->dir[1].type), "ThreadList");
	T_EQ_STR(md_stream_type_name(MD_STREAM_LINUX_DSO_DEBUG), "LinuxDsoDebug");
	T_EQ_STR(md_stream_type_name(MD_STREAM_CRASHPAD_INFO), "CrashpadInfo");
	T_EQ_STR(md_stream_state_name(MD_STREAM_PARTIAL), "partial");
	T_EQ_U64(d->nproblems, 0);
	/* Streams not in the dump are absent, not bad. */
	T_EQ_U64(d->crashpad_state, MD_STREAM_ABSENT);
	T_EQ_U64(d->assertion_state, MD_STREAM_ABSENT);
	T_EQ_U64(d->linux_maps_state, MD_STREAM_ABSENT);
	fx_close(&f);
	synth_free(s);
}

static void test_full_linux_dump(void)
{
	synth *s = full_linux();
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	if (d->nproblems)
		dump_problems(d);
	T_EQ_U64(d->nproblems, 0);
	T_EQ_U64(d->sysinfo.cpu, MD_CPU_AMD64);
	T_EQ_STR(d->sysinfo.os, "Linux");
	T_EQ_STR(d->sysinfo.os_short, "linux");
	T_EQ_STR(d->sysinfo.csd_version, "Linux 6.1.0 #1 SMP x86_64");
	T_EQ_STR(d->sysinfo.cpu_vendor, ""); /* x86 only */
	T_EQ_U64(d->threads_state, MD_STREAM_OK);
	T_EQ_U64(d->nthreads, 2);
	const md_thread *t = &d->threads[0];
	T_EQ_U64(t->id, 100);
	T_EQ_U64(t->suspend_count, 1);
	T_EQ_U64(t->priority_class, 2);
	T_EQ_U64(t->priority, 3);
	T_EQ_U64(t->teb, 0x7f0012340000);
	T_EQ_U64(t->stack.base, 0x7ffd0000f000);
	T_EQ_U64(t->stack.size, 256);
	T_EQ_U64(t->stack.avail, 256);
	T_ASSERT(t->stack.data && t->stack.data[255] == 255);
	T_EQ_STR(t->name, "main");
	T_EQ_STR(d->threads[1].name, "worker #1");
	T_ASSERT(t->has_context);
	T_EQ_U64(t->context.regs[MD_AMD64_RIP], 0x555555554123);
	T_EQ_U64(t->context.regs[MD_AMD64_R15], 0xf15);
	T_EQ_U64(t->context.size, MD_CONTEXT_AMD64_SIZE);
	T_EQ_U64(md_context_sp(&d->threads[1].context), 0x7ffd00020000);
	T_EQ_U64(d->modules_state, MD_STREAM_OK);
	T_EQ_U64(d->nmodules, 2);
	T_EQ_STR(d->modules[0].code_file, "/usr/bin/app");
	T_EQ_U64(d->modules[0].base, 0x555555554000);
	T_EQ_U64(d->modules[0].size, 0x5000);
	T_EQ_U64(d->nunloaded, 1);
	T_EQ_STR(d->unloaded[0].code_file, "/lib/libgone.so");
	T_EQ_U64(d->unloaded[0].base, 0x7e0000000000);
	T_EQ_U64(d->unloaded[0].size, 0x3000);
	T_EQ_U64(d->unloaded[0].checksum, 0xc5);
	T_EQ_U64(d->unloaded[0].time_date_stamp, 0x1234);
	/* The exception has its own context, apart from the thread's. */
	T_EQ_U64(d->exception_state, MD_STREAM_OK);
	T_EQ_U64(d->exception.thread_id, 101);
	T_EQ_U64(d->exception.code, 11);
	T_EQ_U64(d->exception.flags, 1);
	T_EQ_U64(d->exception.record, 0x77);
	T_EQ_U64(d->exception.address, 0x10);
	T_EQ_U64(d->exception.nparams, 2);
	T_EQ_U64(d->exception.params[1], 0x10);
	T_ASSERT(d->exception.has_context);
	T_EQ_U64(md_context_pc(&d->exception.context), 0xdead0);
	T_EQ_U64(d->exception.context.regs[MD_AMD64_RDI], 0x10);
	T_EQ_U64(md_context_pc(&md_find_thread(d, 101)->context), 0x555555554123);
	T_EQ_U64(d->misc.pid, 4242);
	T_ASSERT(d->misc.has_pid && d->misc.has_times && !d->misc.has_power);
	T_EQ_U64(d->misc.user_time, 5);
	T_EQ_U64(d->misc.kernel_time, 6);
	uint64_t up;
	T_EQ_U64(md_process_uptime(d, &up), CD_OK);
	T_EQ_U64(up, 1790000000 - 1789999000);
	T_ASSERT(d->breakpad.has_dump_thread && d->breakpad.has_requesting_thread);
	T_EQ_U64(d->breakpad.dump_thread_id, 100);
	T_EQ_U64(d->breakpad.requesting_thread_id, 101);
	T_ASSERT(d->linux_cpu_info.len == 39 && !memcmp(d->linux_cpu_info.data, "processor", 9));
	T_EQ_U64(d->linux_cmdline.len, 19);
	T_ASSERT(!memcmp(d->linux_cmdline.data, "/usr/bin/app\0--flag", 19));
	T_EQ_U64(d->nauxv, 2);
	T_EQ_U64(d->auxv[0].type, 6);
	T_EQ_U64(d->auxv[0].value, 4096);
	T_EQ_U64(d->dso_debug_state, MD_STREAM_OK);
	T_EQ_U64(d->dso_debug.version, 1);
	T_EQ_U64(d->dso_debug.dso_count, 2);
	T_EQ_U64(d->dso_debug.brk, 0x55550000);
	T_EQ_U64(d->dso_debug.ldbase, 0x7f1000000000);
	T_EQ_U64(d->dso_debug.dynamic, 0x555555558de8);
	T_EQ_U64(d->dso_debug.nmaps, 2);
	T_EQ_STR(d->dso_debug.maps[1].name, "/lib/libshort.so");
	T_EQ_U64(d->dso_debug.maps[1].addr, 0x7f0000000000);
	T_EQ_U64(d->dso_debug.maps[1].ld, 0x7f00001bcb80);
	fx_close(&f);
	synth_free(s);
}

/* The same dump through md_open() on a real file. */
static void test_open_file(void)
{
	synth *s = full_linux();
	char path[] = "/tmp/crashdesk-synth-XXXXXX";
	int fd = mkstemp(path);
	T_ASSERT(fd >= 0);
	close(fd);
	T_ASSERT(synth_write_file(s, path) == 0);
	md_dump *d;
	cd_err e;
	int rc = md_open(path, &d, &e);
	unlink(path);
	T_EQ_U64(rc, CD_OK);
	T_EQ_STR(d->path, path);
	T_EQ_U64(d->nthreads, 2);
	T_EQ_STR(d->threads[1].name, "worker #1");
	uint8_t b[2];
	T_EQ_U64(md_read_memory(d, 0x7ffd0000f0fe, b, 2), CD_OK);
	T_ASSERT(b[0] == 0xfe && b[1] == 0xff);
	md_close(d);
	synth_free(s);
}

static void test_thread_ex_list(void)
{
	synth *s = synth_new();
	linux_amd64(s);
	uint64_t r[MD_MAX_REGS] = { [MD_AMD64_RIP] = 0x4000 };
	uint8_t bs[32];
	memset(bs, 0xb5, sizeof bs);
	synth_thread t = { .id = 9, .stack_base = 0x8000, .stack_size = 16,
			   .context = synth_context(s, MD_CPU_AMD64, 0, r, AMD64_FULL),
			   .backing_base = 0x9000, .backing = bs, .backing_size = sizeof bs };
	synth_thread_list(s, &t, 1, 1);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->threads_state, MD_STREAM_OK);
	T_EQ_U64(d->nthreads, 1);
	T_EQ_U64(d->threads[0].id, 9);
	T_EQ_U64(md_context_pc(&d->threads[0].context), 0x4000);
	T_EQ_U64(d->threads[0].backing_store.base, 0x9000);
	T_EQ_U64(d->threads[0].backing_store.size, 32);
	T_ASSERT(d->threads[0].backing_store.data && d->threads[0].backing_store.data[31] == 0xb5);
	T_EQ_U64(d->nproblems, 0);
	fx_close(&f);
	synth_free(s);
}

/* With both thread lists, the first read wins and the second is reported. */
static void test_thread_list_and_ex_list(void)
{
	synth *s = synth_new();
	synth_thread a = { .id = 1 }, b = { .id = 2 };
	synth_thread_list(s, &a, 1, 0);
	int ex = synth_thread_list(s, &b, 1, 1);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->nthreads, 1);
	T_EQ_U64(d->threads[0].id, 1);
	T_EQ_U64(d->dir[ex].state, MD_STREAM_BAD);
	T_ASSERT(has_problem(d, MD_STREAM_THREAD_EX_LIST, "threads already read"));
	fx_close(&f);
	synth_free(s);
}

/* Some 64-bit writers pad list counts to 8 bytes; the stream size tells. */
static void test_padded_list_counts(void)
{
	synth *s = synth_new();
	synth_pad_counts(s, 1);
	synth_thread t[2] = { { .id = 7, .stack_base = 0x1000, .stack_size = 8 }, { .id = 8 } };
	synth_thread_list(s, t, 2, 0);
	synth_module m = { .base = 0x10000, .size = 0x1000, .name = "padded.so" };
	synth_module_list(s, &m, 1);
	synth_region r = { .base = 0x20000, .size = 24 };
	synth_memory_list(s, &r, 1);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->nproblems, 0);
	T_EQ_U64(d->nthreads, 2);
	T_EQ_U64(d->threads[1].id, 8);
	T_EQ_U64(d->threads[0].stack.base, 0x1000);
	T_EQ_U64(d->nmodules, 1);
	T_EQ_STR(d->modules[0].code_file, "padded.so");
	T_EQ_U64(d->nmemory, 1); /* the list's region: stacks are kept apart */
	T_EQ_U64(d->memory[0].base, 0x20000);
	T_EQ_U64(d->memory[0].size, 24);
	fx_close(&f);
	synth_free(s);
}

/* ---- CPU contexts ---------------------------------------------------------- */

/* Registers of each CPU land in the documented slots. */
static void check_cpu(md_cpu cpu, int old, uint32_t flags, int pc, int sp, int nregs)
{
	synth *s = synth_new();
	uint64_t r[MD_MAX_REGS];
	int narrow = cpu == MD_CPU_X86 || cpu == MD_CPU_ARM;
	for (int i = 0; i < MD_MAX_REGS; i++)
		r[i] = narrow ? 0x1000u + (uint64_t)i : 0x100000000ull * (uint64_t)(i + 1) + (uint64_t)i;
	synth_loc c = synth_context(s, cpu, old, r, flags);
	synth_thread t = { .id = 1, .stack_base = 0x10000, .stack_size = 16, .context = c };
	synth_thread_list(s, &t, 1, 0);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nthreads == 1 && d->threads[0].has_context);
	const md_context *x = &d->threads[0].context;
	T_EQ_U64(x->cpu, cpu);
	T_EQ_U64(x->old_layout, old);
	T_EQ_U64(x->flags, flags);
	T_EQ_U64(x->size, c.size);
	T_EQ_U64(x->rva, c.rva);
	T_EQ_U64(md_context_pc(x), r[pc]);
	T_EQ_U64(md_context_sp(x), r[sp]);
	int nn;
	const char *const *names = md_reg_names(cpu, &nn);
	T_EQ_U64(nn, nregs);
	T_EQ_U64(x->valid, ((uint64_t)1 << nregs) - 1);
	/* amd64 segment registers are 16-bit fields, eflags and arm64's cpsr 32. */
	for (int i = 0; i < nregs; i++) {
		uint64_t want = r[i];
		if (cpu == MD_CPU_AMD64 && i >= MD_AMD64_CS)
			want &= 0xffff;
		else if ((cpu == MD_CPU_AMD64 && i == MD_AMD64_EFLAGS) ||
			 (cpu == MD_CPU_ARM64 && i == MD_ARM64_CPSR))
			want &= 0xffffffff;
		if (x->regs[i] != want) {
			T_FAILF("%s register %d (%s) is 0x%llx, expected 0x%llx", md_cpu_name(cpu), i,
				names[i], (unsigned long long)x->regs[i], (unsigned long long)want);
			break;
		}
		if (md_reg_index(cpu, names[i]) != i) {
			T_FAILF("md_reg_index(%s) != %d", names[i], i);
			break;
		}
	}
	T_EQ_U64(d->nproblems, 0);
	fx_close(&f);
	synth_free(s);
}

static void test_x86_context(void)
{
	check_cpu(MD_CPU_X86, 0, MD_CONTEXT_X86 | SYNTH_CTX_ALL, MD_X86_EIP, MD_X86_ESP, MD_X86_NREGS);
}
static void test_amd64_context(void)
{
	check_cpu(MD_CPU_AMD64, 0, AMD64_FULL, MD_AMD64_RIP, MD_AMD64_RSP, MD_AMD64_NREGS);
}
static void test_arm_context(void)
{
	check_cpu(MD_CPU_ARM, 0, MD_CONTEXT_ARM | SYNTH_CTX_INTEGER | SYNTH_CTX_SEGMENTS, MD_ARM_PC,
		  MD_ARM_SP, MD_ARM_NREGS);
}
static void test_arm_old_flags_context(void)
{
	/* The pre-standard ARM flags value 0x40 says nothing of groups: all valid. */
	check_cpu(MD_CPU_ARM, 0, MD_CONTEXT_ARM_OLD, MD_ARM_PC, MD_ARM_SP, MD_ARM_NREGS);
}
static void test_arm64_context(void)
{
	check_cpu(MD_CPU_ARM64, 0, MD_CONTEXT_ARM64 | SYNTH_CTX_ALL, MD_ARM64_PC, MD_ARM64_SP,
		  MD_ARM64_NREGS);
}
static void test_arm64_old_context(void)
{
	/* Breakpad's old full flags: integer and floating point. */
	check_cpu(MD_CPU_ARM64, 1, MD_CONTEXT_ARM64_OLD | SYNTH_CTX_INTEGER | 0x4, MD_ARM64_PC,
		  MD_ARM64_SP, MD_ARM64_NREGS);
}

/* Breakpad reads any flags word with no CPU bits but MD_CONTEXT_ARM_OLD
 * (0x40) as ARM, group bits and all: its own test dump writes 0x42
 * (ARM_OLD | INTEGER), with no SystemInfo to fall back on. */
static void test_arm_old_flags_with_groups(void)
{
	synth *s = synth_new();
	uint64_t r[MD_MAX_REGS];
	for (int i = 0; i < MD_MAX_REGS; i++)
		r[i] = 0x2000 + (uint64_t)i;
	synth_thread t[2] = {
		{ .id = 1, .context = synth_context(s, MD_CPU_ARM, 0, r, MD_CONTEXT_ARM_OLD | 0x2) },
		{ .id = 2, .context = synth_context(s, MD_CPU_ARM, 0, r, MD_CONTEXT_ARM_OLD | 0x6) },
	};
	synth_thread_list(s, t, 2, 0);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nthreads == 2);
	for (int i = 0; i < 2; i++) {
		const md_context *x = &d->threads[i].context;
		if (!d->threads[i].has_context || x->cpu != MD_CPU_ARM ||
		    md_context_pc(x) != 0x2000 + MD_ARM_PC || md_context_sp(x) != 0x2000 + MD_ARM_SP) {
			T_FAILF("flags 0x%x: has_context %d, cpu %s, pc 0x%llx",
				i ? 0x46 : 0x42, d->threads[i].has_context, md_cpu_name(x->cpu),
				(unsigned long long)md_context_pc(x));
			dump_problems(d);
			break;
		}
	}
	fx_close(&f);
	synth_free(s);
}

/* The old arm64 layout decodes into the same numbering as the new one. */
static void test_arm64_old_and_new_agree(void)
{
	synth *s = synth_new();
	uint64_t r[MD_MAX_REGS] = { 0 };
	for (int i = 0; i < MD_ARM64_NREGS; i++)
		r[i] = 0xfeed000000000000ull | (uint64_t)i << 8;
	r[MD_ARM64_CPSR] = 0x60000000;
	synth_loc n = synth_context(s, MD_CPU_ARM64, 0, r,
				    MD_CONTEXT_ARM64 | SYNTH_CTX_CONTROL | SYNTH_CTX_INTEGER);
	synth_loc o = synth_context(s, MD_CPU_ARM64, 1, r, MD_CONTEXT_ARM64_OLD | SYNTH_CTX_INTEGER);
	synth_thread t[2] = { { .id = 1, .context = n }, { .id = 2, .context = o } };
	synth_thread_list(s, t, 2, 0);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nthreads == 2);
	const md_context *a = &d->threads[0].context, *b = &d->threads[1].context;
	T_EQ_U64(a->size, MD_CONTEXT_ARM64_SIZE);
	T_EQ_U64(b->size, MD_CONTEXT_ARM64_OLD_SIZE);
	T_ASSERT(!a->old_layout && b->old_layout);
	T_EQ_U64(a->valid, b->valid);
	T_ASSERT(memcmp(a->regs, b->regs, sizeof a->regs) == 0);
	T_EQ_U64(b->regs[MD_ARM64_FP], r[29]);
	T_EQ_U64(b->regs[MD_ARM64_LR], r[30]);
	T_EQ_U64(b->regs[MD_ARM64_CPSR], 0x60000000);
	T_EQ_U64(md_reg_index(MD_CPU_ARM64, "x29"), MD_ARM64_FP);
	T_EQ_U64(md_reg_index(MD_CPU_ARM, "r15"), MD_ARM_PC);
	T_EQ_U64(md_reg_index(MD_CPU_AMD64, "xmm0"), (uint64_t)-1);
	fx_close(&f);
	synth_free(s);
}

#define VALID(c, i) ((c)->valid >> (i) & 1)

/* `valid` follows the context flags' register groups. */
static void test_context_flags_honoured(void)
{
	synth *s = synth_new();
	uint64_t r[MD_MAX_REGS];
	for (int i = 0; i < MD_MAX_REGS; i++)
		r[i] = 0x100 + (uint64_t)i;
	synth_thread t[6] = {
		{ .id = 1, .context = synth_context(s, MD_CPU_AMD64, 0, r,
						    MD_CONTEXT_AMD64 | SYNTH_CTX_CONTROL) },
		{ .id = 2, .context = synth_context(s, MD_CPU_AMD64, 0, r,
						    MD_CONTEXT_AMD64 | SYNTH_CTX_INTEGER) },
		{ .id = 3, .context = synth_context(s, MD_CPU_AMD64, 0, r,
						    MD_CONTEXT_AMD64 | SYNTH_CTX_SEGMENTS) },
		{ .id = 4, .context = synth_context(s, MD_CPU_X86, 0, r,
						    MD_CONTEXT_X86 | SYNTH_CTX_CONTROL) },
		{ .id = 5, .context = synth_context(s, MD_CPU_ARM64, 0, r,
						    MD_CONTEXT_ARM64 | SYNTH_CTX_INTEGER) },
		{ .id = 6, .context = synth_context(s, MD_CPU_ARM, 0, r,
						    MD_CONTEXT_ARM | SYNTH_CTX_CONTROL) },
	};
	synth_thread_list(s, t, 6, 0);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nthreads == 6);
	/* amd64 CONTROL: rip rsp eflags cs ss. */
	const md_context *x = &d->threads[0].context;
	T_ASSERT(VALID(x, MD_AMD64_RIP) && VALID(x, MD_AMD64_RSP) && VALID(x, MD_AMD64_EFLAGS));
	T_ASSERT(VALID(x, MD_AMD64_CS) && VALID(x, MD_AMD64_SS));
	T_ASSERT(!VALID(x, MD_AMD64_RAX) && !VALID(x, MD_AMD64_RBP) && !VALID(x, MD_AMD64_R15));
	T_ASSERT(!VALID(x, MD_AMD64_DS) && !VALID(x, MD_AMD64_GS));
	T_EQ_U64(md_context_pc(x), 0x100 + MD_AMD64_RIP);
	/* amd64 INTEGER: the general registers, rbp among them, not rsp. */
	x = &d->threads[1].context;
	T_ASSERT(VALID(x, MD_AMD64_RAX) && VALID(x, MD_AMD64_RBP) && VALID(x, MD_AMD64_R15));
	T_ASSERT(!VALID(x, MD_AMD64_RSP) && !VALID(x, MD_AMD64_RIP));
	T_EQ_U64(md_context_pc(x), 0); /* invalid: not reported */
	T_EQ_U64(md_context_sp(x), 0);
	T_EQ_U64(x->regs[MD_AMD64_RIP], 0x100 + MD_AMD64_RIP); /* still decoded */
	/* amd64 SEGMENTS: ds es fs gs. */
	x = &d->threads[2].context;
	T_ASSERT(VALID(x, MD_AMD64_DS) && VALID(x, MD_AMD64_ES) && VALID(x, MD_AMD64_FS) &&
		 VALID(x, MD_AMD64_GS));
	T_ASSERT(!VALID(x, MD_AMD64_CS) && !VALID(x, MD_AMD64_RAX) && !VALID(x, MD_AMD64_RIP));
	/* x86 CONTROL: eip esp ebp eflags cs ss. */
	x = &d->threads[3].context;
	T_ASSERT(VALID(x, MD_X86_EIP) && VALID(x, MD_X86_ESP) && VALID(x, MD_X86_EBP));
	T_ASSERT(!VALID(x, MD_X86_EAX) && !VALID(x, MD_X86_EDI) && !VALID(x, MD_X86_DS));
	T_EQ_U64(md_context_sp(x), 0x100 + MD_X86_ESP);
	/* arm64 INTEGER: x0..x28; fp lr sp pc cpsr are CONTROL. */
	x = &d->threads[4].context;
	T_ASSERT(VALID(x, 0) && VALID(x, 28));
	T_ASSERT(!VALID(x, MD_ARM64_FP) && !VALID(x, MD_ARM64_PC) && !VALID(x, MD_ARM64_SP));
	T_EQ_U64(md_context_pc(x), 0);
	/* Breakpad's arm has no CONTROL group: INTEGER covers r0..pc, cpsr. */
	x = &d->threads[5].context;
	T_EQ_U64(x->valid, 0);
	fx_close(&f);
	synth_free(s);
}

/* Some writers (Crashpad on macOS) set only the CPU bit: such a context
 * holds every register, as Breakpad and rust-minidump read it. */
static void test_context_cpu_bit_only(void)
{
	static const struct { md_cpu cpu; int old; uint32_t flags; int n; } cpus[] = {
		{ MD_CPU_X86, 0, MD_CONTEXT_X86, MD_X86_NREGS },
		{ MD_CPU_AMD64, 0, MD_CONTEXT_AMD64, MD_AMD64_NREGS },
		{ MD_CPU_ARM, 0, MD_CONTEXT_ARM, MD_ARM_NREGS },
		{ MD_CPU_ARM64, 0, MD_CONTEXT_ARM64, MD_ARM64_NREGS },
		{ MD_CPU_ARM64, 1, MD_CONTEXT_ARM64_OLD, MD_ARM64_NREGS },
	};
	synth *s = synth_new();
	uint64_t r[MD_MAX_REGS];
	for (int i = 0; i < MD_MAX_REGS; i++)
		r[i] = 0x40 + (uint64_t)i;
	synth_thread t[5];
	for (int i = 0; i < 5; i++)
		t[i] = (synth_thread){ .id = (uint32_t)i,
				       .context = synth_context(s, cpus[i].cpu, cpus[i].old, r,
								cpus[i].flags) };
	synth_thread_list(s, t, 5, 0);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nthreads == 5);
	for (int i = 0; i < 5; i++) {
		const md_context *x = &d->threads[i].context;
		if (!d->threads[i].has_context || x->cpu != cpus[i].cpu ||
		    x->valid != ((uint64_t)1 << cpus[i].n) - 1) {
			T_FAILF("%s%s: has_context %d, valid 0x%llx", md_cpu_name(cpus[i].cpu),
				cpus[i].old ? " (old)" : "", d->threads[i].has_context,
				(unsigned long long)x->valid);
			break;
		}
	}
	fx_close(&f);
	synth_free(s);
}

/* A context whose flags carry no CPU bits is read as SystemInfo's CPU. */
static void test_context_cpu_from_system_info(void)
{
	synth *s = synth_new();
	uint64_t r[MD_MAX_REGS] = { [MD_AMD64_RIP] = 0x1234 };
	synth_loc c = synth_context(s, MD_CPU_AMD64, 0, r, SYNTH_CTX_ALL);
	synth_thread t = { .id = 1, .context = c };
	int tl = synth_thread_list(s, &t, 1, 0);
	fx f;
	/* Without SystemInfo nothing tells the CPU. */
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nthreads == 1);
	T_ASSERT(!d->threads[0].has_context);
	T_EQ_U64(d->threads_state, MD_STREAM_PARTIAL);
	T_EQ_U64(d->dir[tl].state, MD_STREAM_PARTIAL);
	T_ASSERT(has_problem(d, MD_STREAM_THREAD_LIST, "no CPU"));
	fx_close(&f);
	/* With it (even after the thread list in the directory), it does. */
	linux_amd64(s);
	d = fx_open(&f, s);
	T_ASSERT(d && d->threads[0].has_context);
	T_EQ_U64(d->threads[0].context.cpu, MD_CPU_AMD64);
	T_EQ_U64(md_context_pc(&d->threads[0].context), 0x1234);
	T_EQ_U64(d->threads_state, MD_STREAM_OK);
	fx_close(&f);
	synth_free(s);
}

static void test_context_disagrees_with_system_info(void)
{
	synth *s = synth_new();
	linux_amd64(s);
	uint64_t r[MD_MAX_REGS] = { [MD_X86_EIP] = 0x8048000 };
	synth_thread t = { .id = 1,
			   .context = synth_context(s, MD_CPU_X86, 0, r, MD_CONTEXT_X86 | SYNTH_CTX_ALL) };
	synth_thread_list(s, &t, 1, 0);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->threads[0].has_context);
	T_EQ_U64(d->threads[0].context.cpu, MD_CPU_X86); /* the context's own word wins */
	T_EQ_U64(md_context_pc(&d->threads[0].context), 0x8048000);
	T_ASSERT(has_problem(d, MD_STREAM_THREAD_LIST, "SystemInfo says amd64"));
	fx_close(&f);
	synth_free(s);
}

/* ---- modules and debug identifiers ---------------------------------------- */

static void test_elf_debug_ids(void)
{
	synth *s = synth_new();
	linux_amd64(s);
	static const uint8_t id16[16] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
					  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	synth_module m[4] = {
		{ .base = 0x1000, .size = 0x1000, .name = "/usr/bin/app", .cv = MD_CV_ELF,
		  .build_id = build_id, .build_id_len = 20, .time_date_stamp = 0x55 },
		{ .base = 0x2000, .size = 0x1000, .name = "/lib/libshort.so", .cv = MD_CV_ELF,
		  .build_id = build_id, .build_id_len = 8 },
		{ .base = 0x3000, .size = 0x1000, .name = "/lib/lib16.so", .cv = MD_CV_ELF,
		  .build_id = id16, .build_id_len = 16 },
		{ .base = 0x4000, .size = 0x1000, .name = "/lib/libempty.so", .cv = MD_CV_ELF },
	};
	synth_module_list(s, m, 4);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nmodules == 4);
	const md_module *x = &d->modules[0];
	T_EQ_U64(x->cv_kind, MD_CV_ELF);
	T_EQ_U64(x->cv_signature, 0x4270454c);
	/* The first 16 bytes as a GUID, data1..3 byte-swapped, then age 0. */
	T_EQ_STR(x->debug_id, "557E11D4B6BF94D7D6C66B9B3AFB485C0");
	T_EQ_STR(x->code_id, "d4117e55bfb6d794d6c66b9b3afb485c03c85534");
	T_EQ_STR(x->debug_file, "/usr/bin/app");
	T_EQ_U64(x->build_id_len, 20);
	T_ASSERT(!memcmp(x->build_id, build_id, 20));
	T_EQ_STR(x->version, "");
	/* A build id shorter than a GUID is zero-padded. */
	T_EQ_STR(d->modules[1].debug_id, "557E11D4B6BF94D70000000000000000" "0");
	T_EQ_STR(d->modules[1].code_id, "d4117e55bfb6d794");
	T_EQ_STR(d->modules[2].debug_id, "03020100050407060809" "0A0B0C0D0E0F" "0");
	T_EQ_STR(d->modules[2].code_id, "000102030405060708090a0b0c0d0e0f");
	T_EQ_STR(d->modules[3].debug_id, "00000000000000000000000000000000" "0");
	T_EQ_STR(d->modules[3].code_id, "");
	T_EQ_U64(d->modules[3].build_id_len, 0);
	T_EQ_U64(d->modules_state, MD_STREAM_OK);
	fx_close(&f);
	synth_free(s);
}

static void test_windows_debug_ids(void)
{
	synth *s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_X86, .platform = SYNTH_OS_WINDOWS });
	static const uint8_t odd_cv[12] = { 'X', 'Y', 'Z', 'W', 1, 2, 3, 4, 5, 6, 7, 8 };
	synth_module m[5] = {
		{ .base = 0x400000, .size = 0x1a000, .time_date_stamp = 0x45d35f6c, .name = "c:\\app.exe",
		  .version = "1.2.3.4", .product_version = "10.0.65535.7", .cv = MD_CV_PDB70,
		  .guid = guid, .age = 0x2a, .pdb_name = "c:\\app.pdb" },
		{ .base = 0x10000000, .size = 0x1000, .time_date_stamp = 0x3e3e3e3e, .name = "old.dll",
		  .cv = MD_CV_PDB20, .pdb_signature = 0x3d3d3d3d, .age = 0xb, .pdb_name = "old.pdb" },
		{ .base = 0x20000000, .size = 0x2000, .time_date_stamp = 1, .name = "dbg.dll",
		  .misc_name = "dbg.dbg" },
		{ .base = 0x30000000, .size = 0x3000, .time_date_stamp = 2, .name = "wdbg.dll",
		  .misc_name = "wdbg.dbg", .misc_unicode = 1 },
		{ .base = 0x40000000, .size = 0x4000, .name = "odd.dll", .cv = MD_CV_UNKNOWN,
		  .cv_raw = odd_cv, .cv_raw_len = sizeof odd_cv },
	};
	synth_module_list(s, m, 5);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nmodules == 5);
	T_EQ_U64(d->nproblems, 0);
	const md_module *x = &d->modules[0];
	/* data1, data2, data3 little-endian, data4 as bytes; the age in
	 * lowercase hex without padding, as Breakpad prints it. */
	T_EQ_U64(x->cv_kind, MD_CV_PDB70);
	T_EQ_STR(x->debug_id, "4433221166558877" "99AABBCCDDEEFF01" "2a");
	T_EQ_STR(x->debug_file, "c:\\app.pdb");
	/* Windows code id: time stamp %08X, size of image %x. */
	T_EQ_STR(x->code_id, "45D35F6C1a000");
	T_EQ_STR(x->version, "1.2.3.4");
	T_EQ_U64(x->version_ms, 0x00010002);
	T_EQ_U64(x->version_ls, 0x00030004);
	T_EQ_U64(x->product_ms, 0x000a0000);
	T_EQ_U64(x->product_ls, 0xffff0007);
	x = &d->modules[1];
	T_EQ_U64(x->cv_kind, MD_CV_PDB20);
	T_EQ_STR(x->debug_id, "3D3D3D3Db");
	T_EQ_STR(x->debug_file, "old.pdb");
	T_EQ_STR(x->code_id, "3E3E3E3E1000");
	T_EQ_STR(x->version, "");
	/* No CodeView record: the misc record names the debug file. */
	T_EQ_U64(d->modules[2].cv_kind, MD_CV_NONE);
	T_EQ_STR(d->modules[2].debug_file, "dbg.dbg");
	T_EQ_STR(d->modules[2].debug_id, "");
	T_EQ_STR(d->modules[2].code_id, "000000012000");
	T_EQ_STR(d->modules[3].debug_file, "wdbg.dbg");
	T_EQ_U64(d->modules[4].cv_kind, MD_CV_UNKNOWN);
	T_EQ_U64(d->modules[4].cv_signature, 0x575a5958);
	T_EQ_STR(d->modules[4].debug_id, "");
	T_ASSERT(!d->modules[4].damaged);
	/* Lookups by address. */
	T_EQ_STR(md_find_module(d, 0x400000)->code_file, "c:\\app.exe");
	T_EQ_STR(md_find_module(d, 0x419fff)->code_file, "c:\\app.exe");
	T_ASSERT(md_find_module(d, 0x41a000) == NULL);
	T_ASSERT(md_find_module(d, 0x3fffff) == NULL);
	T_EQ_STR(md_find_module(d, 0x40003fff)->code_file, "odd.dll");
	fx_close(&f);
	synth_free(s);
}

/* A SystemInfo too short to read says nothing about the OS: ELF modules
 * keep their build-id code ids rather than getting Windows ones. */
static void test_bad_system_info_keeps_elf_code_id(void)
{
	synth *s = synth_new();
	int si = synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64,
							.platform = SYNTH_OS_LINUX });
	synth_module m = { .base = 0x1000, .size = 0x2000, .time_date_stamp = 0, .name = "/lib/x.so",
			   .cv = MD_CV_ELF, .build_id = build_id, .build_id_len = 20 };
	synth_module_list(s, &m, 1);
	synth_set_entry(s, si, 20, synth_entry(s, si).rva);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nmodules == 1);
	/* Checks that do not return, so no leak (make check) when one fails. */
	T_CHECK(d->sysinfo_state == MD_STREAM_BAD);
	if (strcmp(d->modules[0].code_id, "d4117e55bfb6d794d6c66b9b3afb485c03c85534"))
		T_FAILF("code_id is \"%s\", expected the build id", d->modules[0].code_id);
	fx_close(&f);
	synth_free(s);
}

/* A version resource whose signature is wrong is not a version. */
static void test_module_version_signature(void)
{
	synth *s = synth_new();
	synth_module m = { .base = 0x1000, .size = 0x1000, .name = "v.dll", .version = "5.6.7.8" };
	int ml = synth_module_list(s, &m, 1);
	synth_loc l = synth_entry(s, ml);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_STR(d->modules[0].version, "5.6.7.8");
	fx_close(&f);
	synth_patch32(s, l.rva + SYNTH_LIST_HEADER + SYNTH_MODULE_VERSION, 0xfeef04be);
	d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_STR(d->modules[0].version, "");
	T_EQ_U64(d->modules[0].version_ms, 0x00050006); /* raw words are kept */
	fx_close(&f);
	synth_free(s);
}

/* CodeView records too short for their kind damage the module, not the list. */
static void test_short_codeview_record(void)
{
	synth *s = synth_new();
	static const uint8_t short_rsds[20] = { 'R', 'S', 'D', 'S', 1, 2, 3 };
	synth_module m[2] = {
		{ .base = 0x1000, .size = 0x1000, .name = "short.dll", .cv = MD_CV_UNKNOWN,
		  .cv_raw = short_rsds, .cv_raw_len = sizeof short_rsds },
		{ .base = 0x2000, .size = 0x1000, .name = "fine.dll", .cv = MD_CV_PDB70, .guid = guid,
		  .age = 1, .pdb_name = "fine.pdb" },
	};
	synth_module_list(s, m, 2);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nmodules == 2);
	T_ASSERT(d->modules[0].damaged);
	T_EQ_STR(d->modules[0].debug_id, "");
	T_EQ_U64(d->modules_state, MD_STREAM_PARTIAL);
	T_ASSERT(has_problem(d, MD_STREAM_MODULE_LIST, "too short"));
	T_ASSERT(!d->modules[1].damaged);
	T_EQ_STR(d->modules[1].debug_id, "4433221166558877" "99AABBCCDDEEFF01" "1");
	fx_close(&f);
	synth_free(s);
}

/* ---- memory ------------------------------------------------------------------ */

static void test_memory_and_module_lookup(void)
{
	synth *s = full_linux();
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->memory_state, MD_STREAM_OK);
	uint8_t b[4];
	/* From a thread stack... */
	T_EQ_U64(md_read_memory(d, 0x7ffd0000f010, b, 4), CD_OK);
	T_EQ_U64(b[0], 0x10);
	T_EQ_U64(b[3], 0x13);
	/* ...from the memory list, up to its last byte... */
	T_EQ_U64(md_read_memory(d, 0x600000 + 127, b, 1), CD_OK);
	T_EQ_U64(b[0], 127);
	T_EQ_U64(md_read_memory(d, 0x600000, b, 0), CD_OK);
	/* ...and not across the end of a region, nor where nothing was captured. */
	T_EQ_U64(md_read_memory(d, 0x600000 + 126, b, 4), CD_ENOTFOUND);
	T_EQ_U64(md_read_memory(d, 0x600000 + 128, b, 1), CD_ENOTFOUND);
	T_EQ_U64(md_read_memory(d, 0x5fffff, b, 1), CD_ENOTFOUND);
	T_EQ_U64(md_read_memory(d, 0x1000, b, 1), CD_ENOTFOUND);
	T_EQ_U64(md_read_memory(d, UINT64_MAX, b, 4), CD_ENOTFOUND);
	T_ASSERT(md_find_memory(d, 0x600010) && md_find_memory(d, 0x600010)->base == 0x600000);
	T_ASSERT(md_find_memory(d, 0x7ffd0000f0ff) == &d->threads[0].stack);
	T_ASSERT(md_find_memory(d, 0x7ffd0000f100) == NULL);
	T_EQ_STR(md_find_module(d, 0x555555554fff)->code_file, "/usr/bin/app");
	T_ASSERT(md_find_module(d, 0x555555559000) == NULL);
	T_EQ_U64(md_find_thread(d, 101)->id, 101);
	T_ASSERT(md_find_thread(d, 7) == NULL);
	fx_close(&f);
	synth_free(s);
}

static void test_memory64_list(void)
{
	synth *s = synth_new();
	uint8_t a[16], c[8], o[3] = { 1, 2, 3 }, p[5] = { 4, 5, 6, 7, 8 };
	memset(a, 0xaa, sizeof a);
	memset(c, 0xcc, sizeof c);
	/* Odd sizes: the regions' bytes follow each other without padding. */
	synth_region r[4] = { { 0x9000, a, 16 }, { 0x1000, c, 8 }, { 0x5000, o, 3 }, { 0x6000, p, 5 } };
	synth_memory64_list(s, r, 4);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->memory_state, MD_STREAM_OK);
	T_EQ_U64(d->nmemory, 4);
	T_EQ_U64(d->memory[0].base, 0x1000); /* sorted */
	T_EQ_U64(d->memory[3].base, 0x9000);
	uint8_t b[5];
	T_EQ_U64(md_read_memory(d, 0x9000 + 15, b, 1), CD_OK);
	T_EQ_U64(b[0], 0xaa);
	T_EQ_U64(md_read_memory(d, 0x1007, b, 1), CD_OK);
	T_EQ_U64(b[0], 0xcc);
	T_EQ_U64(md_read_memory(d, 0x5000, b, 3), CD_OK);
	T_ASSERT(!memcmp(b, o, 3));
	T_EQ_U64(md_read_memory(d, 0x6000, b, 5), CD_OK);
	T_ASSERT(!memcmp(b, p, 5));
	fx_close(&f);
	synth_free(s);
}

/* A region that holds many smaller ones (a stack, and blocks a writer
 * also saved on their own): an address in the large region past the small
 * ones is still captured memory. */
static void test_memory_inside_larger_region(void)
{
	synth *s = synth_new();
	uint8_t *stack = malloc(0x10000);
	T_ASSERT(stack);
	memset(stack, 0x5a, 0x10000);
	synth_region r[21] = { { 0x10000, stack, 0x10000 } };
	for (int i = 1; i < 21; i++)
		r[i] = (synth_region){ 0x11000 + 0x100 * (uint64_t)i, stack, 16 };
	synth_memory_list(s, r, 21);
	free(stack);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nmemory == 21);
	uint8_t b = 0;
	/* Checks that do not return, so no leak when one fails. */
	T_CHECK(md_read_memory(d, 0x10008, &b, 1) == CD_OK);  /* before the small ones */
	T_CHECK(md_read_memory(d, 0x11100, &b, 1) == CD_OK);  /* in one of them */
	T_CHECK(md_read_memory(d, 0x1f000, &b, 1) == CD_OK && b == 0x5a); /* past them */
	T_CHECK(md_find_memory(d, 0x1f000) != NULL);
	fx_close(&f);
	synth_free(s);
}

/* Hostile layouts: thousands of tiny regions nested in a big one, regions
 * that overlap partly, and stacks inside memory regions. Every address must
 * still be found, and a read across two overlapping regions is served by the
 * one that holds all of it. */
static void test_memory_nested_and_overlapping(void)
{
	enum { NSMALL = 20000, BIG = 0x100000 };
	synth *s = synth_new();
	uint8_t *big = malloc(BIG), tiny = 0xee, later[0x2000];
	T_ASSERT(big);
	memset(big, 0x5a, BIG);
	memset(later, 0x77, sizeof later);
	synth_region *r = calloc(NSMALL + 2, sizeof *r);
	T_ASSERT(r);
	r[0] = (synth_region){ 0x100000, big, BIG };
	for (int i = 0; i < NSMALL; i++)
		r[1 + i] = (synth_region){ 0x100000 + 16 * (uint64_t)i, &tiny, 1 };
	/* Starts inside the big region and runs 0x1000 past its end. */
	r[NSMALL + 1] = (synth_region){ 0x100000 + BIG - 0x1000, later, sizeof later };
	synth_memory64_list(s, r, NSMALL + 2);
	synth_thread t = { .id = 1, .stack_base = 0x180000, .stack_size = 64 };
	synth_thread_list(s, &t, 1, 0);
	free(big);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nmemory == NSMALL + 2);
	uint8_t b = 0;
	int missing = 0;
	for (uint64_t a = 0x100000; a < 0x100000 + BIG; a += 7)
		missing += md_read_memory(d, a, &b, 1) != CD_OK;
	T_EQ_U64(missing, 0);
	T_CHECK(md_read_memory(d, 0x100000 + 16 * 100, &b, 1) == CD_OK && b == 0x5a);
	T_CHECK(md_read_memory(d, 0x100000 + BIG + 0x800, &b, 1) == CD_OK && b == 0x77);
	uint8_t span[16];
	T_CHECK(md_read_memory(d, 0x100000 + BIG - 8, span, 16) == CD_OK);
	T_CHECK(md_read_memory(d, 0x100000 + BIG + 0xff8, span, 16) == CD_ENOTFOUND);
	T_CHECK(md_read_memory(d, 0x180000, &b, 1) == CD_OK); /* the stack, inside */
	T_CHECK(md_read_memory(d, 0xfffff, &b, 1) == CD_ENOTFOUND);
	fx_close(&f);
	free(r);
	synth_free(s);
}

/* MemoryList and Memory64List together are merged and sorted. */
static void test_both_memory_lists(void)
{
	synth *s = synth_new();
	uint8_t x[4] = { 0x11, 0x22, 0x33, 0x44 }, y[4] = { 0x55, 0x66, 0x77, 0x88 };
	synth_region r1 = { 0x8000, x, 4 }, r2 = { 0x4000, y, 4 };
	synth_memory_list(s, &r1, 1);
	synth_memory64_list(s, &r2, 1);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nmemory == 2);
	T_EQ_U64(d->memory[0].base, 0x4000);
	T_EQ_U64(d->memory[1].base, 0x8000);
	uint32_t v;
	T_EQ_U64(md_read_memory(d, 0x4000, &v, 4), CD_OK);
	T_EQ_U64(v, 0x88776655);
	T_EQ_U64(md_read_memory(d, 0x8000, &v, 4), CD_OK);
	T_EQ_U64(v, 0x44332211);
	fx_close(&f);
	synth_free(s);
}

static void test_memory_info_list(void)
{
	synth *s = synth_new();
	md_memory_info mi[2] = {
		{ .base = 0x10000, .allocation_base = 0x10000, .allocation_protection = 0x04,
		  .region_size = 0x2000, .state = 0x1000, .protection = 0x20, .type = 0x1000000 },
		{ .base = 0x7ff000000000, .allocation_base = 0x7ff000000000, .region_size = 0x10000000000,
		  .state = 0x10000, .protection = 0x01, .type = 0x20000 },
	};
	synth_memory_info(s, mi, 2);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->meminfo_state, MD_STREAM_OK);
	T_EQ_U64(d->nmeminfo, 2);
	T_EQ_U64(d->meminfo[0].allocation_protection, 0x04);
	T_EQ_U64(d->meminfo[0].region_size, 0x2000);
	T_EQ_U64(d->meminfo[0].state, 0x1000);
	T_EQ_U64(d->meminfo[0].protection, 0x20);
	T_EQ_U64(d->meminfo[0].type, 0x1000000);
	T_EQ_U64(d->meminfo[1].base, 0x7ff000000000);
	T_EQ_U64(d->meminfo[1].region_size, 0x10000000000);
	fx_close(&f);
	synth_free(s);
}

/* ---- the small streams ------------------------------------------------------- */

static void test_system_info_fields(void)
{
	synth *s = synth_new();
	synth_system_info(s, &(synth_sysinfo){
		.arch = SYNTH_ARCH_X86, .level = 6, .revision = 0x3a09, .ncpus = 8, .product_type = 1,
		.major = 10, .minor = 0, .build = 19045, .platform = SYNTH_OS_WINDOWS,
		.suite_mask = 0x100, .csd = "Service Pack 1", .vendor = "GenuineIntel",
		.cpu_version = 0x306a9, .cpu_features = 0xbfebfbff, .cpu_amd_ext = 0x7 });
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	const md_system_info *si = &d->sysinfo;
	T_EQ_U64(d->sysinfo_state, MD_STREAM_OK);
	T_EQ_U64(si->arch, 0);
	T_EQ_U64(si->cpu, MD_CPU_X86);
	T_EQ_U64(si->level, 6);
	T_EQ_U64(si->revision, 0x3a09);
	T_EQ_U64(si->ncpus, 8);
	T_EQ_U64(si->product_type, 1);
	T_EQ_U64(si->major, 10);
	T_EQ_U64(si->build, 19045);
	T_EQ_U64(si->suite_mask, 0x100);
	T_EQ_STR(si->os, "Windows NT");
	T_EQ_STR(si->os_short, "windows");
	T_EQ_STR(si->csd_version, "Service Pack 1");
	T_EQ_STR(si->cpu_vendor, "GenuineIntel");
	T_EQ_U64(si->cpu_version, 0x306a9);
	T_EQ_U64(si->cpu_features, 0xbfebfbff);
	T_EQ_U64(si->cpu_amd_ext, 0x7);
	fx_close(&f);
	synth_free(s);

	/* Other CPUs and systems. */
	static const struct { uint16_t arch; uint32_t platform; md_cpu cpu; const char *os, *arch_name; } cases[] = {
		{ SYNTH_ARCH_ARM64, SYNTH_OS_ANDROID, MD_CPU_ARM64, "Android", "arm64" },
		{ SYNTH_ARCH_ARM, SYNTH_OS_LINUX, MD_CPU_ARM, "Linux", "arm" },
		{ SYNTH_ARCH_AMD64, SYNTH_OS_MAC, MD_CPU_AMD64, "Mac OS X", "amd64" },
		{ SYNTH_ARCH_PPC, SYNTH_OS_MAC, MD_CPU_OTHER, "Mac OS X", "ppc" },
		{ 0x8003, SYNTH_OS_LINUX, MD_CPU_ARM64, "Linux", "arm64" }, /* Breakpad's old arm64 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		s = synth_new();
		synth_system_info(s, &(synth_sysinfo){ .arch = cases[i].arch, .platform = cases[i].platform,
						       .vendor = "IgnoredHere" });
		d = fx_open(&f, s);
		T_ASSERT(d);
		T_EQ_U64(d->sysinfo.cpu, cases[i].cpu);
		T_EQ_STR(d->sysinfo.os, cases[i].os);
		T_EQ_STR(md_arch_name(cases[i].arch), cases[i].arch_name);
		T_EQ_STR(d->sysinfo.cpu_vendor, "");
		T_EQ_STR(d->sysinfo.csd_version, "");
		fx_close(&f);
		synth_free(s);
	}
	T_EQ_STR(md_os_name(0x1234), "unknown");
}

static void test_misc_info_sizes(void)
{
	static const uint32_t sizes[4] = { SYNTH_MISC_SIZE_1, SYNTH_MISC_SIZE_2, SYNTH_MISC_SIZE_3,
					   SYNTH_MISC_SIZE_4 };
	for (int i = 0; i < 4; i++) {
		synth *s = synth_new();
		synth_misc_info(s, &(synth_misc){ .size = sizes[i], .flags1 = 0x7, .pid = 77,
						  .create_time = 1789990000, .user_time = 11,
						  .kernel_time = 12, .max_mhz = 3400, .current_mhz = 2100,
						  .build_string = "22621.1.amd64fre.ni_release" });
		fx f;
		md_dump *d = fx_open(&f, s);
		T_ASSERT(d);
		T_EQ_U64(d->misc_state, MD_STREAM_OK);
		T_EQ_U64(d->misc.size, sizes[i]);
		T_EQ_U64(d->misc.flags1, 0x7);
		T_ASSERT(d->misc.has_pid && d->misc.has_times);
		T_EQ_U64(d->misc.pid, 77);
		T_EQ_U64(d->misc.create_time, 1789990000);
		T_EQ_U64(d->misc.user_time, 11);
		T_EQ_U64(d->misc.kernel_time, 12);
		/* Power fields exist from MISC_INFO_2 (44 bytes) on. */
		T_EQ_U64(d->misc.has_power, i >= 1);
		T_EQ_U64(d->misc.max_mhz, i >= 1 ? 3400 : 0);
		T_EQ_U64(d->misc.current_mhz, i >= 1 ? 2100 : 0);
		if (i == 3)
			T_EQ_STR(d->misc.build_string, "22621.1.amd64fre.ni_release");
		else
			T_ASSERT(d->misc.build_string == NULL);
		uint64_t up;
		T_EQ_U64(md_process_uptime(d, &up), CD_OK);
		T_EQ_U64(up, 10000);
		fx_close(&f);
		synth_free(s);
	}
}

static void test_misc_info_flags_and_damage(void)
{
	synth *s = synth_new();
	/* Without flag 2 the times are not claimed: no uptime. */
	int mi = synth_misc_info(s, &(synth_misc){ .size = SYNTH_MISC_SIZE_2, .flags1 = 0x1, .pid = 5,
						   .create_time = 1789990000 });
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_ASSERT(d->misc.has_pid && !d->misc.has_times && !d->misc.has_power);
	uint64_t up;
	T_EQ_U64(md_process_uptime(d, &up), CD_ENOTFOUND);
	fx_close(&f);
	/* The stream shorter than its declared size: read what is there. */
	synth_loc l = synth_entry(s, mi);
	synth_set_entry(s, mi, 24, l.rva);
	d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->misc_state, MD_STREAM_PARTIAL);
	T_EQ_U64(d->misc.pid, 5);
	T_ASSERT(has_problem(d, MD_STREAM_MISC_INFO, "declares 44 bytes"));
	fx_close(&f);
	/* Too short for MISC_INFO at all. */
	synth_set_entry(s, mi, 20, l.rva);
	d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->misc_state, MD_STREAM_BAD);
	T_ASSERT(has_problem(d, MD_STREAM_MISC_INFO, "needs 24"));
	fx_close(&f);
	synth_free(s);
}

static void test_exception_parameters(void)
{
	synth *s = synth_new();
	uint64_t params[15];
	for (int i = 0; i < 15; i++)
		params[i] = 0x1000 + (uint64_t)i;
	int x = synth_exception(s, &(synth_exc){ .thread_id = 3, .code = 0xc0000005, .flags = 0,
						 .address = 0xbad, .params = params, .nparams = 15 });
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->exception_state, MD_STREAM_OK);
	T_EQ_U64(d->exception.code, 0xc0000005);
	T_EQ_U64(d->exception.nparams, 15);
	T_EQ_U64(d->exception.params[14], 0x100e);
	T_ASSERT(!d->exception.has_context);
	fx_close(&f);
	/* More parameters claimed than the record holds. */
	synth_patch32(s, synth_entry(s, x).rva + SYNTH_EXC_NPARAMS, 1000);
	d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->exception.nparams, 15);
	T_EQ_U64(d->exception_state, MD_STREAM_PARTIAL);
	T_ASSERT(has_problem(d, MD_STREAM_EXCEPTION, "1000 parameters"));
	fx_close(&f);
	/* A stream too short for the record. */
	synth_set_entry(s, x, SYNTH_EXCEPTION_SIZE - 8, synth_entry(s, x).rva);
	d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->exception_state, MD_STREAM_BAD);
	T_ASSERT(has_problem(d, MD_STREAM_EXCEPTION, "needs 168"));
	fx_close(&f);
	synth_free(s);
}

static void test_thread_names(void)
{
	synth *s = synth_new();
	synth_thread t[3] = { { .id = 10 }, { .id = 11 }, { .id = 12 } };
	synth_thread_list(s, t, 3, 0);
	/* Names in another order than the threads, one thread without, one
	 * name for a thread that is not there, one thread named twice. */
	synth_name n[4] = { { 12, "Gecko \xe2\x80\x94 \xf0\x9f\xa6\x8e" }, { 10, "main" },
			    { 99, "ghost" }, { 10, "again" } };
	synth_thread_names(s, n, 4);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nthreads == 3);
	T_EQ_STR(d->threads[0].name, "main");
	T_ASSERT(d->threads[1].name == NULL);
	/* UTF-16 with a surrogate pair back to UTF-8. */
	T_EQ_STR(d->threads[2].name, "Gecko \xe2\x80\x94 \xf0\x9f\xa6\x8e");
	T_ASSERT(has_problem(d, MD_STREAM_THREAD_NAME_LIST, "thread 99"));
	T_ASSERT(has_problem(d, MD_STREAM_THREAD_NAME_LIST, "second name for thread 10"));
	T_EQ_U64(d->thread_names_state, MD_STREAM_OK);
	fx_close(&f);
	synth_free(s);
}

/* A lone surrogate in an MDString becomes U+FFFD, the rest survives. */
static void test_utf16_lone_surrogate(void)
{
	synth *s = synth_new();
	static const uint16_t units[4] = { 'a', 0xd800, 'b', 0xdc00 };
	synth_module m = { .base = 0x1000, .size = 0x10, .name_rva = synth_utf16(s, units, 4) };
	synth_module_list(s, &m, 1);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nmodules == 1);
	T_EQ_STR(d->modules[0].code_file, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
	fx_close(&f);
	synth_free(s);
}

static void test_handles(void)
{
	synth *s = synth_new();
	const char *types[5] = { "File", "Event", "File", NULL, "Key" };
	synth_handles(s, types, 5);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->handles_state, MD_STREAM_OK);
	T_EQ_U64(d->handle_count, 5);
	T_EQ_U64(d->nhandle_types, 4);
	T_EQ_STR(d->handle_types[0].type_name, "File");
	T_EQ_U64(d->handle_types[0].count, 2);
	T_EQ_STR(d->handle_types[1].type_name, "Event");
	T_EQ_U64(d->handle_types[1].count, 1);
	T_EQ_STR(d->handle_types[2].type_name, "");
	T_EQ_STR(d->handle_types[3].type_name, "Key");
	fx_close(&f);
	synth_free(s);
}

static void test_breakpad_info_validity(void)
{
	for (uint32_t v = 0; v < 4; v++) {
		synth *s = synth_new();
		synth_breakpad_info(s, v, 0x100, 0x200);
		fx f;
		md_dump *d = fx_open(&f, s);
		T_ASSERT(d);
		T_EQ_U64(d->breakpad_state, MD_STREAM_OK);
		T_EQ_U64(d->breakpad.has_dump_thread, v & 1);
		T_EQ_U64(d->breakpad.has_requesting_thread, v >> 1);
		T_EQ_U64(d->breakpad.dump_thread_id, 0x100);
		T_EQ_U64(d->breakpad.requesting_thread_id, 0x200);
		fx_close(&f);
		synth_free(s);
	}
}

static void test_assertion_info(void)
{
	synth *s = synth_new();
	char longexpr[200];
	memset(longexpr, 'x', sizeof longexpr - 1);
	longexpr[sizeof longexpr - 1] = 0;
	int a = synth_assertion(s, "x != nullptr", "Foo::Bar", "foo.cpp", 42, 1);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->assertion_state, MD_STREAM_OK);
	T_EQ_STR(d->assertion.expression, "x != nullptr");
	T_EQ_STR(d->assertion.function, "Foo::Bar");
	T_EQ_STR(d->assertion.file, "foo.cpp");
	T_EQ_U64(d->assertion.line, 42);
	T_EQ_U64(d->assertion.type, 1);
	fx_close(&f);
	T_EQ_U64(synth_entry(s, a).size, 776);
	synth_free(s);
	/* A field filling all 128 units, without a NUL, stays within it. */
	s = synth_new();
	a = synth_assertion(s, longexpr, "f", "g", 1, 2);
	synth_loc l = synth_entry(s, a);
	synth_patch32(s, l.rva + 254, 0x00790079); /* units 127 and 128: "y", then function's first */
	d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(strlen(d->assertion.expression), 128);
	T_EQ_U64(d->assertion.expression[127], 'y');
	T_EQ_STR(d->assertion.function, "y");
	fx_close(&f);
	synth_free(s);
}

static void test_crashpad_info(void)
{
	synth *s = synth_new();
	synth_module m[2] = { { .base = 0x1000, .size = 0x1000, .name = "libxul.so" },
			      { .base = 0x9000, .size = 0x1000, .name = "libc.so" } };
	synth_module_list(s, m, 2);
	synth_kv simple[2] = { { "prod", "Firefox" }, { "ver", "140.0a1" } };
	const char *list[2] = { "list entry", "second \xc3\xa9" };
	synth_kv msimple[1] = { { "mkey", "mvalue" } };
	static const uint8_t blob[4] = { 0, 1, 0xfe, 0xff };
	synth_annotation objects[3] = {
		{ "abort_message", 1, "assertion failed: x", 19 },
		{ "blob", 0x8001, blob, 4 },
		{ "empty", 1, "", 0 },
	};
	synth_crashpad_module cm[2] = {
		{ .index = 0, .list = list, .nlist = 2, .simple = msimple, .nsimple = 1,
		  .objects = objects, .nobjects = 3 },
		{ .index = 1, .simple = msimple, .nsimple = 1 },
	};
	synth_crashpad c = { .simple = simple, .nsimple = 2, .modules = cm, .nmodules = 2 };
	for (int i = 0; i < 16; i++) {
		c.report_id[i] = (uint8_t)(0xa0 + i);
		c.client_id[i] = (uint8_t)(0xc0 + i);
	}
	synth_crashpad_info(s, &c);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	if (d->nproblems)
		dump_problems(d);
	T_EQ_U64(d->nproblems, 0);
	T_EQ_U64(d->crashpad_state, MD_STREAM_OK);
	const md_crashpad_info *ci = &d->crashpad;
	T_EQ_U64(ci->version, 1);
	T_EQ_U64(ci->report_id[0], 0xa0);
	T_EQ_U64(ci->report_id[15], 0xaf);
	T_EQ_U64(ci->client_id[15], 0xcf);
	T_EQ_U64(ci->nsimple, 2);
	T_EQ_STR(ci->simple[0].key, "prod");
	T_EQ_STR(ci->simple[0].value, "Firefox");
	T_EQ_STR(ci->simple[1].key, "ver");
	T_EQ_STR(ci->simple[1].value, "140.0a1");
	T_EQ_U64(ci->nmodules, 2);
	const md_crashpad_module *x = &ci->modules[0];
	T_EQ_U64(x->module_index, 0);
	T_EQ_U64(x->nlist, 2);
	T_EQ_STR(x->list[0], "list entry");
	T_EQ_STR(x->list[1], "second \xc3\xa9");
	T_EQ_U64(x->nsimple, 1);
	T_EQ_STR(x->simple[0].key, "mkey");
	T_EQ_STR(x->simple[0].value, "mvalue");
	T_EQ_U64(x->nobjects, 3);
	T_EQ_STR(x->objects[0].name, "abort_message");
	T_EQ_U64(x->objects[0].type, 1);
	T_ASSERT(x->objects[0].value_len == 19 &&
		 !memcmp(x->objects[0].value, "assertion failed: x", 19));
	T_EQ_STR(x->objects[1].name, "blob");
	T_EQ_U64(x->objects[1].type, 0x8001);
	T_ASSERT(x->objects[1].value_len == 4 && !memcmp(x->objects[1].value, blob, 4));
	T_EQ_U64(x->objects[2].value_len, 0);
	x = &ci->modules[1];
	T_EQ_U64(x->module_index, 1);
	T_EQ_U64(x->nlist, 0);
	T_EQ_U64(x->nobjects, 0);
	T_EQ_STR(x->simple[0].value, "mvalue");
	fx_close(&f);
	synth_free(s);
}

/* An annotation object whose value lies outside the file is dropped and
 * reported; the others are kept. */
static void test_crashpad_damaged_annotation(void)
{
	synth *s = synth_new();
	synth_annotation objects[2] = { { "bad", 1, "zz", 2 }, { "good", 1, "ok", 2 } };
	synth_crashpad_module cm = { .objects = objects, .nobjects = 2 };
	synth_crashpad_info(s, &(synth_crashpad){ .modules = &cm, .nmodules = 1 });
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->crashpad.nmodules == 1 && d->crashpad.modules[0].nobjects == 2);
	fx_close(&f);
	/* Follow the stream to the annotation list: module list location at
	 * 44, first link's location at 4, the module info's objects at 20. */
	size_t n;
	uint8_t *p = synth_finish(s, &n);
	uint32_t links = cd_le32(p + synth_entry(s, 0).rva + 48);
	uint32_t info = cd_le32(p + links + SYNTH_LIST_HEADER + 8);
	uint32_t list = cd_le32(p + info + 24);
	synth_patch32(s, list + SYNTH_LIST_HEADER + 8, 0x7ffffff0); /* first value RVA */
	d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->crashpad_state, MD_STREAM_PARTIAL);
	T_EQ_U64(d->crashpad.modules[0].nobjects, 1);
	T_EQ_STR(d->crashpad.modules[0].objects[0].name, "good");
	T_ASSERT(has_problem(d, MD_STREAM_CRASHPAD_INFO, "annotation object 0"));
	fx_close(&f);
	synth_free(s);
}

static void test_linux_text_streams(void)
{
#define TEXT(type, lit) { type, lit, sizeof lit - 1 }
	static const struct { uint32_t type; const char *text; size_t len; } cases[6] = {
		TEXT(MD_STREAM_LINUX_CPU_INFO, "processor\t: 0\n"),
		TEXT(MD_STREAM_LINUX_PROC_STATUS, "Name:\tapp\nPid:\t42\n"),
		TEXT(MD_STREAM_LINUX_LSB_RELEASE, "DISTRIB_ID=Debian\n"),
		TEXT(MD_STREAM_LINUX_CMD_LINE, "app\0-x"), /* NUL-separated */
		TEXT(MD_STREAM_LINUX_ENVIRON, "A=1\0B=2"),
		TEXT(MD_STREAM_LINUX_MAPS, "00400000-00401000 r-xp 00000000 08:01 1 /app\n"),
	};
#undef TEXT
	synth *s = synth_new();
	for (int i = 0; i < 6; i++)
		synth_linux_text(s, cases[i].type, cases[i].text, cases[i].len);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	const md_text *got[6] = { &d->linux_cpu_info, &d->linux_proc_status, &d->linux_lsb_release,
				  &d->linux_cmdline, &d->linux_environ, &d->linux_maps };
	const md_stream_state st[6] = { d->linux_cpu_info_state, d->linux_proc_status_state,
					d->linux_lsb_release_state, d->linux_cmdline_state,
					d->linux_environ_state, d->linux_maps_state };
	for (int i = 0; i < 6; i++) {
		if (st[i] != MD_STREAM_OK || got[i]->len != cases[i].len ||
		    memcmp(got[i]->data, cases[i].text, cases[i].len)) {
			T_FAILF("%s: state %d, %u bytes", md_stream_type_name(cases[i].type), st[i],
				got[i]->len);
			break;
		}
	}
	fx_close(&f);
	synth_free(s);
}

static void test_auxv_widths(void)
{
	/* 64-bit words by default (amd64, arm64, or no SystemInfo)... */
	synth *s = synth_new();
	uint64_t pairs[6] = { 6, 4096, 9, 0x400123, 0, 0 };
	int ax = synth_auxv(s, pairs, 3, 8);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nauxv == 3);
	T_EQ_U64(d->auxv[1].type, 9);
	T_EQ_U64(d->auxv[1].value, 0x400123);
	T_EQ_U64(d->auxv_state, MD_STREAM_OK);
	fx_close(&f);
	/* ...a trailing half pair is reported. */
	synth_loc l = synth_entry(s, ax);
	synth_set_entry(s, ax, l.size - 8, l.rva);
	d = fx_open(&f, s);
	T_ASSERT(d && d->nauxv == 2);
	T_EQ_U64(d->auxv_state, MD_STREAM_PARTIAL);
	T_ASSERT(has_problem(d, MD_STREAM_LINUX_AUXV, "not whole pairs"));
	fx_close(&f);
	synth_free(s);
	/* 32-bit words on x86 and arm. */
	s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_ARM, .platform = SYNTH_OS_LINUX });
	synth_auxv(s, pairs, 3, 4);
	d = fx_open(&f, s);
	T_ASSERT(d && d->nauxv == 3);
	T_EQ_U64(d->auxv[0].type, 6);
	T_EQ_U64(d->auxv[0].value, 4096);
	T_EQ_U64(d->auxv[1].value, 0x400123);
	fx_close(&f);
	synth_free(s);
}

static void test_dso_debug_32bit(void)
{
	synth *s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_X86, .platform = SYNTH_OS_LINUX });
	synth_link_map lm[2] = { { 0x8048000, 0x8049f14, "/bin/app32" }, { 0xf7d00000, 0xf7e1c000, NULL } };
	synth_dso_debug(s, &(synth_dso){ .narrow = 1, .version = 1, .brk = 0x1234,
					       .ldbase = 0xf7f00000, .dynamic = 0x8049f14,
					       .maps = lm, .nmaps = 2 });
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->dso_debug_state, MD_STREAM_OK);
	T_EQ_U64(d->dso_debug.brk, 0x1234);
	T_EQ_U64(d->dso_debug.ldbase, 0xf7f00000);
	T_EQ_U64(d->dso_debug.dynamic, 0x8049f14);
	T_EQ_U64(d->dso_debug.nmaps, 2);
	T_EQ_STR(d->dso_debug.maps[0].name, "/bin/app32");
	T_EQ_U64(d->dso_debug.maps[0].ld, 0x8049f14);
	T_EQ_U64(d->dso_debug.maps[1].addr, 0xf7d00000);
	T_EQ_STR(d->dso_debug.maps[1].name, "");
	fx_close(&f);
	synth_free(s);
}

/* ---- hostile input ---------------------------------------------------------- */

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void test_not_a_minidump(void)
{
	md_dump *d = (md_dump *)1;
	cd_err e = { 0 };
	const uint8_t junk[64] = "this is not a minidump, it is text";
	T_EQ_U64(md_open_mem(junk, sizeof junk, "junk.dmp", &d, &e), CD_EFORMAT);
	T_ASSERT(d == NULL && strstr(e.msg, "junk.dmp") && strstr(e.msg, "offset 0x0"));
	T_EQ_U64(md_open_mem(junk, 0, "empty.dmp", &d, &e), CD_EFORMAT);
	T_ASSERT(strstr(e.msg, "empty.dmp") != NULL);
	T_EQ_U64(md_open_mem((const uint8_t *)"MDMP", 4, "short.dmp", &d, &e), CD_EFORMAT);
	T_ASSERT(d == NULL && strstr(e.msg, "short.dmp") && strstr(e.msg, "offset 0x4"));
	T_EQ_U64(md_open("/nonexistent/x.dmp", &d, &e), CD_EIO);
	T_EQ_U64(md_open("/tmp", &d, &e), CD_EIO);
	T_ASSERT(strstr(e.msg, "directory") != NULL);

	/* The same through files. */
	char path[] = "/tmp/crashdesk-notmd-XXXXXX";
	int fd = mkstemp(path);
	T_ASSERT(fd >= 0);
	close(fd);
	T_EQ_U64(md_open(path, &d, &e), CD_EFORMAT); /* empty */
	T_ASSERT(d == NULL && strstr(e.msg, path) && strstr(e.msg, "empty"));
	T_ASSERT(strstr(e.msg, "offset 0x0") != NULL);
	T_ASSERT(write_file(path, junk, sizeof junk) == 0);
	T_EQ_U64(md_open(path, &d, &e), CD_EFORMAT);
	T_ASSERT(d == NULL && strstr(e.msg, path) && strstr(e.msg, "offset 0x0"));
	unlink(path);
}

/* A header that says it has no streams is a valid, empty dump. */
static void test_no_streams(void)
{
	synth *s = synth_new();
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->ndir, 0);
	T_EQ_U64(d->nproblems, 0);
	T_EQ_U64(d->threads_state, MD_STREAM_ABSENT);
	T_EQ_U64(d->sysinfo.cpu, MD_CPU_UNKNOWN);
	T_EQ_STR(d->sysinfo.os, "unknown");
	T_ASSERT(md_find_module(d, 0) == NULL && md_find_memory(d, 0) == NULL);
	uint8_t b;
	T_EQ_U64(md_read_memory(d, 0, &b, 1), CD_ENOTFOUND);
	uint64_t up;
	T_EQ_U64(md_process_uptime(d, &up), CD_ENOTFOUND);
	fx_close(&f);
	synth_free(s);
}

static void test_header_version_mismatch(void)
{
	synth *s = synth_new();
	synth_breakpad_info(s, 1, 2, 3);
	size_t n;
	uint8_t *p = synth_finish(s, &n);
	synth_put32(p + 4, 0x1234);
	md_dump *d;
	cd_err e;
	T_EQ_U64(md_open_mem(p, n, "v.dmp", &d, &e), CD_OK);
	T_ASSERT(has_problem(d, 0, "version 0x1234"));
	T_EQ_U64(d->breakpad.dump_thread_id, 2); /* read all the same */
	md_close(d);
	synth_free(s);
}

static void test_directory_outside_file(void)
{
	synth *s = synth_new();
	size_t n;
	uint8_t *p = synth_finish(s, &n);
	synth_put32(p + SYNTH_HDR_STREAM_COUNT, 3);
	synth_put32(p + SYNTH_HDR_DIR_RVA, 0x1ffff);
	md_dump *d;
	cd_err e = { 0 };
	T_EQ_U64(md_open_mem(p, n, "dir.dmp", &d, &e), CD_EFORMAT);
	T_ASSERT(d == NULL);
	T_ASSERT(strstr(e.msg, "dir.dmp") && strstr(e.msg, "directory") && strstr(e.msg, "0x1ffff"));
	synth_free(s);
}

/* A stream count of 4 billion: the directory is read as far as the file
 * (and a cap) allows, nothing near 4G entries is allocated. */
static void test_huge_stream_count(void)
{
	synth *s = full_linux();
	synth_set_stream_count(s, 0xffffffff);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_ASSERT(d->ndir >= 13 && d->ndir <= 4096);
	T_ASSERT(has_problem(d, 0, "directory claims 4294967295 streams"));
	T_EQ_U64(d->nthreads, 2); /* the real entries still work */
	T_ASSERT(bounded(d, f.n));
	fx_close(&f);
	synth_free(s);
}

/* More entries than the reserved slots: the directory follows the data. */
static void test_directory_after_data(void)
{
	synth *s = synth_new();
	uint8_t body[4] = { 1, 2, 3, 4 };
	for (uint32_t i = 0; i < 40; i++)
		synth_stream(s, 0x70000000 + i, body, sizeof body);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->ndir, 40);
	T_ASSERT(d->dir_rva > SYNTH_HEADER_SIZE);
	T_EQ_U64(d->dir[39].type, 0x70000027);
	T_EQ_U64(d->dir[39].state, MD_STREAM_OK);
	T_EQ_U64(d->nproblems, 0);
	fx_close(&f);
	synth_free(s);
}

/* Each list stream claiming more entries than it holds keeps what is there. */
static void test_counts_past_end(void)
{
	static const struct { uint32_t type; uint64_t huge; } lists[] = {
		{ MD_STREAM_THREAD_LIST, 0xffffffff },   { MD_STREAM_MODULE_LIST, 0xffffffff },
		{ MD_STREAM_UNLOADED_MODULE_LIST, 0xffffffff }, { MD_STREAM_MEMORY_LIST, 0xffffffff },
		{ MD_STREAM_MEMORY64_LIST, UINT64_MAX }, { MD_STREAM_MEMORY_INFO_LIST, UINT64_MAX },
		{ MD_STREAM_THREAD_NAME_LIST, 0xffffffff }, { MD_STREAM_HANDLE_DATA, 0xffffffff },
	};
	for (size_t k = 0; k < sizeof lists / sizeof *lists; k++) {
		for (int huge = 0; huge < 2; huge++) {
			synth *s = synth_new();
			synth_thread t[2] = { { .id = 1 }, { .id = 2 } };
			synth_module m[2] = { { .base = 0x1000, .size = 0x10, .name = "a" },
					      { .base = 0x2000, .size = 0x10, .name = "b" } };
			synth_region r[2] = { { 0x1000, NULL, 8 }, { 0x2000, NULL, 8 } };
			md_memory_info mi[2] = { { .base = 0x1000 }, { .base = 0x2000 } };
			synth_name nm[2] = { { 1, "one" }, { 2, "two" } };
			const char *hn[2] = { "File", "Key" };
			int idx = synth_thread_list(s, t, 2, 0);
			int i2 = synth_module_list(s, m, 2);
			int i3 = synth_unloaded_list(s, m, 2);
			int i4 = synth_memory_list(s, r, 2);
			int i5 = synth_memory64_list(s, r, 2);
			int i6 = synth_memory_info(s, mi, 2);
			int i7 = synth_thread_names(s, nm, 2);
			int i8 = synth_handles(s, hn, 2);
			int ids[8] = { idx, i2, i3, i4, i5, i6, i7, i8 };
			synth_set_count(s, ids[k], huge ? lists[k].huge : 1000);
			fx f;
			md_dump *d = fx_open(&f, s);
			T_ASSERT(d);
			const char *name = md_stream_type_name(lists[k].type);
			uint64_t got = 0;
			md_stream_state st = MD_STREAM_ABSENT;
			switch (lists[k].type) {
			case MD_STREAM_THREAD_LIST: got = d->nthreads; st = d->threads_state; break;
			case MD_STREAM_MODULE_LIST: got = d->nmodules; st = d->modules_state; break;
			case MD_STREAM_UNLOADED_MODULE_LIST: got = d->nunloaded; st = d->unloaded_state; break;
			case MD_STREAM_MEMORY_LIST:
			case MD_STREAM_MEMORY64_LIST: got = d->nmemory; st = d->memory_state; break;
			case MD_STREAM_MEMORY_INFO_LIST: got = d->nmeminfo; st = d->meminfo_state; break;
			case MD_STREAM_THREAD_NAME_LIST:
				got = (d->threads[0].name != NULL) + (d->threads[1].name != NULL);
				st = d->thread_names_state;
				break;
			case MD_STREAM_HANDLE_DATA: got = d->handle_count; st = d->handles_state; break;
			}
			/* Both memory lists feed one array: 2 + 2 regions. */
			uint64_t want = lists[k].type == MD_STREAM_MEMORY_LIST ||
						lists[k].type == MD_STREAM_MEMORY64_LIST ? 4 : 2;
			if (got != want || st != MD_STREAM_PARTIAL || !has_problem(d, lists[k].type, "count") ||
			    !bounded(d, f.n) || d->dir[ids[k]].state != MD_STREAM_PARTIAL) {
				T_FAILF("%s with count %s: %llu entries (want %llu), state %s, arena %zu",
					name, huge ? "huge" : "1000", (unsigned long long)got,
					(unsigned long long)want, md_stream_state_name(st), d->arena.used);
				dump_problems(d);
			}
			/* The other streams are untouched. */
			if (k != 0)
				T_CHECK(d->threads_state == MD_STREAM_OK && d->nthreads == 2);
			fx_close(&f);
			synth_free(s);
			if (t_failed_now)
				return;
		}
	}
}

/* A module list cut in the middle of its second entry (the directory's size
 * is short): the first module survives, the list is partial. */
static void test_damaged_module_list(void)
{
	synth *s = synth_new();
	linux_amd64(s);
	synth_module m[3] = {
		{ .base = 0x1000, .size = 0x1000, .name = "first.so", .cv = MD_CV_ELF,
		  .build_id = build_id, .build_id_len = 20 },
		{ .base = 0x2000, .size = 0x1000, .name = "second.so" },
		{ .base = 0x3000, .size = 0x1000, .name = "third.so" },
	};
	int ml = synth_module_list(s, m, 3);
	synth_breakpad_info(s, 3, 1, 2);
	synth_loc l = synth_entry(s, ml);
	synth_set_entry(s, ml, SYNTH_LIST_HEADER + SYNTH_MODULE_SIZE + 60, l.rva);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->nmodules, 1);
	T_EQ_STR(d->modules[0].code_file, "first.so");
	T_EQ_STR(d->modules[0].code_id, "d4117e55bfb6d794d6c66b9b3afb485c03c85534");
	T_EQ_U64(d->modules_state, MD_STREAM_PARTIAL);
	T_EQ_U64(d->dir[ml].state, MD_STREAM_PARTIAL);
	T_ASSERT(has_problem(d, MD_STREAM_MODULE_LIST, "count 3 but room for only 1"));
	T_EQ_U64(d->breakpad_state, MD_STREAM_OK);
	fx_close(&f);
	/* The same with the file itself ending there. */
	synth_set_entry(s, ml, l.size, l.rva);
	synth_truncate(s, l.rva + SYNTH_LIST_HEADER + SYNTH_MODULE_SIZE + 60);
	d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->nmodules, 1);
	T_EQ_STR(d->modules[0].code_file, "first.so");
	T_EQ_U64(d->modules_state, MD_STREAM_PARTIAL);
	T_ASSERT(has_problem(d, MD_STREAM_MODULE_LIST, "only"));
	T_EQ_U64(d->breakpad_state, MD_STREAM_BAD); /* after the cut */
	T_ASSERT(has_problem(d, MD_STREAM_BREAKPAD_INFO, "outside the file"));
	fx_close(&f);
	synth_free(s);
}

/* Every cut of a full dump opens or fails cleanly, never silently. */
static void test_truncated_everywhere(void)
{
	synth *s = full_linux();
	size_t n;
	synth_finish(s, &n);
	int opened = 0, refused = 0;
	for (size_t cut = 0; cut < n; cut += cut < 600 ? 4 : 37) {
		synth_truncate(s, cut ? cut : 1);
		fx f;
		f.buf = synth_finish(s, &f.n);
		int rc = md_open_mem(f.buf, f.n, "cut.dmp", &f.d, &f.e);
		if (rc == CD_OK) {
			opened++;
			if (f.d->nproblems == 0) {
				T_FAILF("cut at %zu: no problem reported", cut);
				fx_close(&f);
				break;
			}
			if (!bounded(f.d, f.n))
				T_FAILF("cut at %zu: arena %zu", cut, f.d->arena.used);
		} else {
			refused++;
			if (rc != CD_EFORMAT || !strstr(f.e.msg, "cut.dmp"))
				T_FAILF("cut at %zu: rc %d, %s", cut, rc, f.e.msg);
			if (f.d != NULL)
				T_FAILF("cut at %zu: a dump with an error", cut);
		}
		fx_close(&f);
		if (t_failed_now)
			break;
	}
	/* Cuts inside the header fail; past the directory, they open. */
	T_ASSERT(refused >= 8 && opened > 100);
	synth_free(s);
}

static void test_stream_outside_file(void)
{
	synth *s = synth_new();
	linux_amd64(s);
	int far = synth_dir_entry(s, MD_STREAM_BREAKPAD_INFO, 12, 0x7ffffff0);
	int half = synth_linux_text(s, MD_STREAM_LINUX_MAPS, "abcdefgh", 8);
	synth_loc l = synth_entry(s, half);
	synth_truncate(s, l.rva + 5);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->dir[far].state, MD_STREAM_BAD);
	T_EQ_U64(d->breakpad_state, MD_STREAM_BAD);
	T_ASSERT(has_problem(d, MD_STREAM_BREAKPAD_INFO, "0x7ffffff0 is outside the file"));
	/* A text stream half in the file keeps its first half. */
	T_EQ_U64(d->linux_maps_state, MD_STREAM_PARTIAL);
	T_EQ_U64(d->linux_maps.len, 5);
	T_ASSERT(!memcmp(d->linux_maps.data, "abcde", 5));
	T_ASSERT(has_problem(d, MD_STREAM_LINUX_MAPS, "claims 8 bytes, only 5"));
	T_EQ_U64(d->sysinfo_state, MD_STREAM_OK);
	fx_close(&f);
	synth_free(s);
}

static void test_unknown_duplicate_and_overlapping_streams(void)
{
	synth *s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64, .platform = SYNTH_OS_LINUX });
	int dup = synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_X86,
							 .platform = SYNTH_OS_WINDOWS });
	uint8_t junk[40] = { 1, 2, 3 };
	int u = synth_stream(s, 0x12345678, junk, sizeof junk);
	synth_loc jl = synth_entry(s, u);
	int ov = synth_dir_entry(s, MD_STREAM_LINUX_MAPS, 20, jl.rva + 10);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->ndir, 4);
	/* Unknown: listed, not decoded, not fatal. */
	T_EQ_U64(d->dir[u].type, 0x12345678);
	T_EQ_U64(d->dir[u].size, 40);
	T_EQ_U64(d->dir[u].state, MD_STREAM_OK);
	T_ASSERT(md_stream_type_name(0x12345678) == NULL);
	/* The first SystemInfo wins; the second is reported. */
	T_EQ_U64(d->sysinfo.cpu, MD_CPU_AMD64);
	T_ASSERT(d->dir[dup].duplicate && !d->dir[0].duplicate);
	T_EQ_U64(d->dir[dup].state, MD_STREAM_BAD);
	T_ASSERT(has_problem(d, MD_STREAM_SYSTEM_INFO, "second SystemInfo"));
	/* Overlaps are read (the maps hold the junk's bytes) and reported. */
	T_EQ_U64(d->linux_maps.len, 20);
	T_ASSERT(has_problem(d, MD_STREAM_LINUX_MAPS, "overlaps"));
	T_EQ_U64(d->dir[ov].state, MD_STREAM_OK);
	fx_close(&f);
	synth_free(s);
}

/* A stream placed on the header or on the directory is read but reported. */
static void test_stream_over_header_and_directory(void)
{
	synth *s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64, .platform = SYNTH_OS_LINUX });
	int h = synth_dir_entry(s, MD_STREAM_LINUX_CMD_LINE, 16, 8);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_CHECK(has_problem(d, MD_STREAM_LINUX_CMD_LINE, "overlaps the header"));
	T_EQ_U64(d->dir[h].state, MD_STREAM_OK);
	fx_close(&f);
	synth_free(s);

	s = synth_new();
	synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64, .platform = SYNTH_OS_LINUX });
	synth_dir_entry(s, MD_STREAM_LINUX_ENVIRON, 12, 0); /* placeholder, moved below */
	d = fx_open(&f, s);
	T_ASSERT(d);
	uint32_t dir = d->dir_rva;
	fx_close(&f);
	synth_set_entry(s, 1, 12, dir + 4);
	d = fx_open(&f, s);
	T_ASSERT(d);
	T_CHECK(has_problem(d, MD_STREAM_LINUX_ENVIRON, "overlaps the stream directory"));
	T_CHECK(!has_problem(d, MD_STREAM_SYSTEM_INFO, "overlaps"));
	fx_close(&f);
	synth_free(s);
}

static void test_bad_rvas_inside_streams(void)
{
	synth *s = synth_new();
	linux_amd64(s);
	uint64_t r[MD_MAX_REGS] = { 0 };
	synth_loc c = synth_context(s, MD_CPU_AMD64, 0, r, AMD64_FULL);
	synth_loc outside = { c.size, 0x7ffffff0 };
	synth_loc tiny = { 100, c.rva }; /* too small for any CPU */
	synth_thread t[4] = { { .id = 1, .stack_size = 32, .context = outside },
			      { .id = 2, .stack_size = 32, .context = c },
			      { .id = 3, .context = tiny },
			      { .id = 4, .stack_base = 0x5000, .stack_size = 64 } };
	int tl = synth_thread_list(s, t, 4, 0);
	synth_module m[2] = { { .base = 0x1000, .size = 0x10, .name = "a.so" },
			      { .base = 0x2000, .size = 0x10, .name = "b.so", .cv = MD_CV_ELF,
				.build_id = build_id, .build_id_len = 20 } };
	int ml = synth_module_list(s, m, 2);
	/* Thread 4's stack memory outside the file; module a's name RVA and
	 * module b's CodeView RVA too. */
	uint32_t tl_rva = synth_entry(s, tl).rva, ml_rva = synth_entry(s, ml).rva;
	synth_patch32(s, tl_rva + SYNTH_LIST_HEADER + 3 * SYNTH_THREAD_SIZE + SYNTH_THREAD_STACK + 12,
		      0x7fff0000);
	synth_patch32(s, ml_rva + SYNTH_LIST_HEADER + SYNTH_MODULE_NAME, 0x7f000000);
	synth_patch32(s, ml_rva + SYNTH_LIST_HEADER + SYNTH_MODULE_SIZE + SYNTH_MODULE_CV + 4,
		      0x7f000000);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->nthreads, 4);
	T_EQ_U64(d->threads_state, MD_STREAM_PARTIAL);
	T_ASSERT(!d->threads[0].has_context);
	T_ASSERT(has_problem(d, MD_STREAM_THREAD_LIST, "context of 1232 bytes at 0x7ffffff0"));
	T_ASSERT(d->threads[1].has_context);
	T_ASSERT(!d->threads[2].has_context);
	T_ASSERT(has_problem(d, MD_STREAM_THREAD_LIST, "context of 100 bytes"));
	T_ASSERT(d->threads[3].stack.data == NULL);
	T_EQ_U64(d->threads[3].stack.avail, 0);
	T_ASSERT(md_find_memory(d, 0x5000) == NULL);
	T_ASSERT(has_problem(d, MD_STREAM_THREAD_LIST, "outside the file"));
	T_EQ_U64(d->nmodules, 2);
	T_EQ_U64(d->modules_state, MD_STREAM_PARTIAL);
	T_EQ_STR(d->modules[0].code_file, "");
	T_ASSERT(d->modules[0].damaged);
	T_ASSERT(has_problem(d, MD_STREAM_MODULE_LIST, "string RVA 0x7f000000"));
	T_EQ_STR(d->modules[1].code_file, "b.so");
	T_ASSERT(d->modules[1].damaged);
	T_EQ_STR(d->modules[1].debug_id, "");
	T_ASSERT(has_problem(d, MD_STREAM_MODULE_LIST, "CodeView record of 24 bytes"));
	fx_close(&f);
	synth_free(s);
}

/* Memory descriptors that wrap or leave the file. */
static void test_bad_memory_descriptors(void)
{
	synth *s = synth_new();
	uint8_t bytes[16] = { 9, 9, 9, 9 };
	synth_region r[3] = { { 0xfffffffffffffff0ull, bytes, 16 }, { 0x1000, bytes, 16 },
			      { 0x2000, bytes, 16 } };
	int ml = synth_memory_list(s, r, 3);
	synth_loc l = synth_entry(s, ml);
	/* The first wraps past 2^64 once its size grows; the third is past the end. */
	synth_patch32(s, l.rva + SYNTH_LIST_HEADER + 8, 0x100);
	synth_patch32(s, l.rva + SYNTH_LIST_HEADER + 2 * SYNTH_MEMDESC_SIZE + 12, 0x7ffffff0);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->nmemory, 3);
	T_EQ_U64(d->memory_state, MD_STREAM_PARTIAL);
	T_ASSERT(has_problem(d, MD_STREAM_MEMORY_LIST, "wraps around"));
	T_ASSERT(has_problem(d, MD_STREAM_MEMORY_LIST, "outside the file"));
	uint8_t b;
	T_EQ_U64(md_read_memory(d, 0x1000, &b, 1), CD_OK);
	T_EQ_U64(b, 9);
	T_EQ_U64(md_read_memory(d, 0x2000, &b, 1), CD_ENOTFOUND);
	T_EQ_U64(md_read_memory(d, 0xfffffffffffffff8ull, &b, 1), CD_ENOTFOUND);
	fx_close(&f);
	synth_free(s);
	/* Memory64List: data claimed past the end of the file. */
	s = synth_new();
	synth_region r64[2] = { { 0x1000, bytes, 16 }, { 0x2000, bytes, 16 } };
	int m64 = synth_memory64_list(s, r64, 2);
	l = synth_entry(s, m64);
	synth_patch32(s, l.rva + SYNTH_MEMORY64_HEADER + SYNTH_MEMDESC64_SIZE + 8, 0x100000);
	d = fx_open(&f, s);
	T_ASSERT(d && d->nmemory == 2);
	T_EQ_U64(d->memory_state, MD_STREAM_PARTIAL);
	T_EQ_U64(md_read_memory(d, 0x1000, &b, 1), CD_OK);
	T_ASSERT(d->memory[1].avail < d->memory[1].size);
	T_ASSERT(has_problem(d, MD_STREAM_MEMORY64_LIST, "only"));
	fx_close(&f);
	synth_free(s);
}

static void test_dso_debug_damage(void)
{
	synth *s = synth_new();
	linux_amd64(s);
	synth_link_map lm[2] = { { 0x1000, 0, "/a" }, { 0x2000, 0, "/b" } };
	int g = synth_dso_debug(s, &(synth_dso){ .version = 1, .maps = lm, .nmaps = 2 });
	synth_loc l = synth_entry(s, g);
	/* The link map count claims 1000 maps. */
	synth_patch32(s, l.rva + 8, 1000);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->dso_debug.dso_count, 1000);
	T_ASSERT(d->dso_debug.nmaps >= 2 && d->dso_debug.nmaps < 1000);
	T_EQ_STR(d->dso_debug.maps[1].name, "/b");
	T_EQ_U64(d->dso_debug_state, MD_STREAM_PARTIAL);
	T_ASSERT(has_problem(d, MD_STREAM_LINUX_DSO_DEBUG, "count 1000"));
	fx_close(&f);
	/* Too short for the header. */
	synth_patch32(s, l.rva + 8, 2);
	synth_set_entry(s, g, 24, l.rva);
	d = fx_open(&f, s);
	T_ASSERT(d);
	T_EQ_U64(d->dso_debug_state, MD_STREAM_BAD);
	T_ASSERT(has_problem(d, MD_STREAM_LINUX_DSO_DEBUG, "needs 40"));
	fx_close(&f);
	synth_free(s);
}

/* A thousand damaged records: problems are capped, the rest counted. */
static void test_problem_cap(void)
{
	synth *s = synth_new();
	synth_thread *t = calloc(1000, sizeof *t);
	T_ASSERT(t);
	for (uint32_t i = 0; i < 1000; i++)
		t[i] = (synth_thread){ .id = i, .context = { MD_CONTEXT_AMD64_SIZE, 0x7ffffff0 } };
	synth_thread_list(s, t, 1000, 0);
	free(t);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nthreads == 1000);
	T_ASSERT(d->nproblems >= 100 && d->nproblems < 1000);
	T_EQ_U64(d->nproblems + d->nproblems_dropped, 1000);
	T_ASSERT(bounded(d, f.n));
	fx_close(&f);
	synth_free(s);
}

/* Many modules naming one long string: decoding is budgeted, so memory
 * stays a small multiple of the file; the first names are decoded. */
static void test_shared_string_budget(void)
{
	synth *s = synth_new();
	char *big = malloc(20001);
	T_ASSERT(big);
	memset(big, 'n', 20000);
	big[20000] = 0;
	uint32_t name = synth_string(s, big);
	free(big);
	synth_module *m = calloc(2000, sizeof *m);
	T_ASSERT(m);
	for (uint32_t i = 0; i < 2000; i++)
		m[i] = (synth_module){ .base = 0x100000 * ((uint64_t)i + 1), .size = 0x1000,
				       .name_rva = name };
	synth_module_list(s, m, 2000);
	free(m);
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d && d->nmodules == 2000);
	T_EQ_U64(strlen(d->modules[0].code_file), 20000);
	T_EQ_STR(d->modules[1999].code_file, "");
	T_ASSERT(d->modules[1999].damaged);
	T_EQ_U64(d->modules_state, MD_STREAM_PARTIAL);
	T_ASSERT(has_problem(d, MD_STREAM_MODULE_LIST, "not decoded"));
	T_ASSERT(bounded(d, f.n));
	fx_close(&f);
	synth_free(s);
}

/* A string whose length runs past the end of the file is a damaged part of
 * its stream: the reader records a problem, so the stream it belongs to
 * must not then say it was read whole (minidump.h: "a stream that cannot be
 * read whole is ... marked MD_STREAM_PARTIAL or MD_STREAM_BAD"). Every
 * decoder that reads MDStrings is checked. */
static void test_string_past_end_marks_stream_partial(void)
{
	synth *s = synth_new();
	uint32_t name = synth_string(s, "victim");
	int si = synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64,
							.platform = SYNTH_OS_LINUX, .csd = "csd" });
	synth_thread t = { .id = 5 };
	synth_thread_list(s, &t, 1, 0);
	synth_module m = { .base = 0x1000, .size = 0x10, .name_rva = name };
	synth_module_list(s, &m, 1);
	synth_unloaded_list(s, &m, 1);
	int tn = synth_thread_names(s, &(synth_name){ 5, "ignored" }, 1);
	int hd = synth_handles(s, (const char *const[]){ "File" }, 1);
	int dso = synth_dso_debug(s, &(synth_dso){ .maps = &(synth_link_map){ 0x1000, 0, "x" },
						   .nmaps = 1 });
	/* Point every other string at the victim too. */
	synth_patch32(s, synth_entry(s, si).rva + SYNTH_SYSINFO_CSD, name);
	synth_patch32(s, synth_entry(s, tn).rva + SYNTH_LIST_HEADER + 4, name);
	synth_patch32(s, synth_entry(s, hd).rva + SYNTH_HANDLE_HEADER + 8, name);
	size_t n;
	const uint8_t *p = synth_finish(s, &n);
	synth_patch32(s, cd_le32(p + synth_entry(s, dso).rva + 4) + 8, name);
	synth_patch32(s, name, 0x10000000); /* 256 MB of UTF-16 */
	fx f;
	md_dump *d = fx_open(&f, s);
	T_ASSERT(d);
	T_CHECK(has_problem(d, MD_STREAM_MODULE_LIST, "runs past the end of the file"));
	const struct { const char *what; md_stream_state st; } got[] = {
		{ "ModuleList", d->modules_state },
		{ "UnloadedModuleList", d->unloaded_state },
		{ "ThreadNameList", d->thread_names_state },
		{ "SystemInfo", d->sysinfo_state },
		{ "HandleData", d->handles_state },
		{ "LinuxDsoDebug", d->dso_debug_state },
	};
	char why[256] = "";
	for (size_t i = 0; i < sizeof got / sizeof *got; i++)
		if (got[i].st != MD_STREAM_PARTIAL)
			snprintf(why + strlen(why), sizeof why - strlen(why), " %s=%s", got[i].what,
				 md_stream_state_name(got[i].st));
	if (why[0])
		T_FAILF("streams with a string running past the end still say:%s", why);
	T_CHECK(d->modules[0].damaged);
	fx_close(&f);
	synth_free(s);
}

/* The sample crash `make run` opens (tests/mksample), if it was made:
 * clean, and shaped as later stages expect (named threads, crash on a
 * non-first thread, frame chains whose return addresses are in modules,
 * one thread running code of the unloaded module). */
static void test_sample_dump(void)
{
	md_dump *d;
	cd_err e;
	if (md_open("data/samples/sample.dmp", &d, &e) != CD_OK)
		T_SKIP("no data/samples/sample.dmp (make sample): %s", e.msg);
	if (d->nproblems)
		dump_problems(d);
	T_EQ_U64(d->nproblems, 0);
	T_EQ_STR(d->sysinfo.os, "Linux");
	T_EQ_U64(d->sysinfo.cpu, MD_CPU_AMD64);
	T_ASSERT(d->nthreads >= 3);
	int in_unloaded = 0;
	for (uint32_t i = 0; i < d->nthreads; i++) {
		const md_thread *t = &d->threads[i];
		uint64_t pc = md_context_pc(&t->context);
		T_ASSERT(t->name && t->has_context);
		if (!md_find_module(d, pc)) {
			T_ASSERT(d->nunloaded && pc - d->unloaded[0].base < d->unloaded[0].size);
			in_unloaded++;
		}
		/* Walk the saved-rbp chain: every return address is in a module. */
		uint64_t fp = t->context.regs[MD_AMD64_RBP], ret;
		int frames = 0;
		while (fp && frames < 8 && md_read_memory(d, fp + 8, &ret, 8) == CD_OK) {
			T_ASSERT(md_find_module(d, ret) != NULL);
			T_ASSERT(md_read_memory(d, fp, &fp, 8) == CD_OK);
			frames++;
		}
		T_ASSERT(frames >= 2);
	}
	T_EQ_U64(d->exception.code, 11);
	T_ASSERT(d->exception.thread_id != d->threads[0].id);
	T_ASSERT(md_find_thread(d, d->exception.thread_id) != NULL);
	T_ASSERT(d->exception.has_context);
	T_ASSERT(d->nmodules >= 2 && d->nunloaded >= 1);
	T_EQ_U64(in_unloaded, 1);
	for (uint32_t i = 0; i < d->nmodules; i++)
		T_ASSERT(d->modules[i].cv_kind == MD_CV_ELF && strlen(d->modules[i].code_id) == 40);
	T_ASSERT(d->linux_maps.len > 0 && d->linux_cmdline.len > 0 && d->nauxv > 0);
	T_ASSERT(d->dso_debug.nmaps == d->nmodules);
	md_close(d);
}

int main(void)
{
	T_RUN(test_header_and_directory);
	T_RUN(test_full_linux_dump);
	T_RUN(test_open_file);
	T_RUN(test_thread_ex_list);
	T_RUN(test_thread_list_and_ex_list);
	T_RUN(test_padded_list_counts);
	T_RUN(test_x86_context);
	T_RUN(test_amd64_context);
	T_RUN(test_arm_context);
	T_RUN(test_arm_old_flags_context);
	T_RUN(test_arm64_context);
	T_RUN(test_arm64_old_context);
	T_RUN(test_arm_old_flags_with_groups);
	T_RUN(test_arm64_old_and_new_agree);
	T_RUN(test_context_flags_honoured);
	T_RUN(test_context_cpu_bit_only);
	T_RUN(test_context_cpu_from_system_info);
	T_RUN(test_context_disagrees_with_system_info);
	T_RUN(test_elf_debug_ids);
	T_RUN(test_windows_debug_ids);
	T_RUN(test_bad_system_info_keeps_elf_code_id);
	T_RUN(test_module_version_signature);
	T_RUN(test_short_codeview_record);
	T_RUN(test_memory_and_module_lookup);
	T_RUN(test_memory64_list);
	T_RUN(test_memory_inside_larger_region);
	T_RUN(test_memory_nested_and_overlapping);
	T_RUN(test_both_memory_lists);
	T_RUN(test_memory_info_list);
	T_RUN(test_system_info_fields);
	T_RUN(test_misc_info_sizes);
	T_RUN(test_misc_info_flags_and_damage);
	T_RUN(test_exception_parameters);
	T_RUN(test_thread_names);
	T_RUN(test_utf16_lone_surrogate);
	T_RUN(test_handles);
	T_RUN(test_breakpad_info_validity);
	T_RUN(test_assertion_info);
	T_RUN(test_crashpad_info);
	T_RUN(test_crashpad_damaged_annotation);
	T_RUN(test_linux_text_streams);
	T_RUN(test_auxv_widths);
	T_RUN(test_dso_debug_32bit);
	T_RUN(test_not_a_minidump);
	T_RUN(test_no_streams);
	T_RUN(test_header_version_mismatch);
	T_RUN(test_directory_outside_file);
	T_RUN(test_huge_stream_count);
	T_RUN(test_directory_after_data);
	T_RUN(test_counts_past_end);
	T_RUN(test_damaged_module_list);
	T_RUN(test_truncated_everywhere);
	T_RUN(test_stream_outside_file);
	T_RUN(test_unknown_duplicate_and_overlapping_streams);
	T_RUN(test_stream_over_header_and_directory);
	T_RUN(test_bad_rvas_inside_streams);
	T_RUN(test_bad_memory_descriptors);
	T_RUN(test_dso_debug_damage);
	T_RUN(test_problem_cap);
	T_RUN(test_shared_string_budget);
	T_RUN(test_string_past_end_marks_stream_partial);
	T_RUN(test_sample_dump);
	return t_done();
}
