/*
 * test_minidump.c - the minidump reader on synthetic dumps from
 * tests/synth/: every stream family, every CPU, and hostile layouts.
 */
#include <stdio.h>

#include "../src/minidump/minidump.h"
#include "synth/synth.h"
#include "testlib.h"

static md_dump *open_synth(synth *s, uint8_t **copy, size_t *n)
{
	const uint8_t *p = synth_finish(s, n);
	*copy = malloc(*n);
	memcpy(*copy, p, *n);
	md_dump *d = NULL;
	cd_err e;
	if (md_open_mem(*copy, *n, "synthetic.dmp", &d, &e) != CD_OK)
		printf("# open failed: %s\n", e.msg);
	return d;
}

static int has_problem(const md_dump *d, uint32_t stream, const char *needle)
{
	for (uint32_t i = 0; i < d->nproblems; i++)
		if (d->problems[i].stream_type == stream && strstr(d->problems[i].message, needle))
			return 1;
	return 0;
}

static const uint8_t guid[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
				  0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01 };
static const uint8_t build_id[20] = { 0xd4, 0x11, 0x7e, 0x55, 0xbf, 0xb6, 0xd7, 0x94, 0xd6, 0xc6,
				      0x6b, 0x9b, 0x3a, 0xfb, 0x48, 0x5c, 0x03, 0xc8, 0x55, 0x34 };

/* A Linux amd64 dump with every stream the reader knows. */
static synth *full_linux(void)
{
	synth *s = synth_new();
	synth_system_info(s, SYNTH_ARCH_AMD64, SYNTH_OS_LINUX, "Linux 6.1.0 #1 SMP x86_64", NULL);
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_AMD64_RIP] = 0x555555554123;
	r[MD_AMD64_RSP] = 0x7ffd0000f000;
	r[MD_AMD64_RBP] = 0x7ffd0000f040;
	r[MD_AMD64_RAX] = 0xaaaa;
	r[MD_AMD64_R15] = 0xf15;
	synth_loc c1 = synth_context(s, MD_CPU_AMD64, 0, r, 0x7);
	r[MD_AMD64_RSP] = 0x7ffd00020000;
	synth_loc c2 = synth_context(s, MD_CPU_AMD64, 0, r, 0x7);
	uint8_t stack[256];
	for (int i = 0; i < 256; i++)
		stack[i] = (uint8_t)i;
	synth_thread t[2] = {
		{ .id = 100, .stack_base = 0x7ffd0000f000, .stack = stack, .stack_size = 256, .context = c1 },
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
	synth_module gone = { .base = 0x7e0000000000, .size = 0x3000, .name = "/lib/libgone.so" };
	synth_unloaded_list(s, &gone, 1);
	synth_region heap = { .base = 0x600000, .data = stack, .size = 128 };
	synth_memory_list(s, &heap, 1);
	synth_exception(s, 101, 11, 1, 0x10, NULL, 0, c2);
	synth_misc_info(s, 24, 4242, 1789999000, NULL);
	synth_name names[2] = { { 100, "main" }, { 101, "worker #1" } };
	synth_thread_names(s, names, 2);
	synth_breakpad_info(s, 100, 101);
	const char *cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\n";
	synth_linux_text(s, MD_STREAM_LINUX_CPU_INFO, cpuinfo, strlen(cpuinfo));
	const char cmdline[] = "/usr/bin/app\0--flag";
	synth_linux_text(s, MD_STREAM_LINUX_CMD_LINE, cmdline, sizeof cmdline - 1);
	uint64_t auxv[4] = { 6, 4096, 0, 0 };
	synth_auxv(s, auxv, 2);
	const char *dso[2] = { "/usr/bin/app", "/lib/libshort.so" };
	uint64_t addrs[2] = { 0x555555554000, 0x7f0000000000 };
	synth_dso_debug(s, dso, addrs, 2);
	return s;
}

static void test_full_linux_dump(void)
{
	synth *s = full_linux();
	uint8_t *buf;
	size_t n;
	md_dump *d = open_synth(s, &buf, &n);
	T_ASSERT(d);
	T_EQ_U64(d->nproblems, 0);
	T_EQ_U64(d->sysinfo.cpu, MD_CPU_AMD64);
	T_EQ_STR(d->sysinfo.os, "Linux");
	T_EQ_STR(d->sysinfo.csd_version, "Linux 6.1.0 #1 SMP x86_64");
	T_EQ_U64(d->nthreads, 2);
	T_EQ_U64(d->threads[0].id, 100);
	T_EQ_STR(d->threads[0].name, "main");
	T_EQ_STR(d->threads[1].name, "worker #1");
	T_EQ_U64(d->threads[0].context.regs[MD_AMD64_RIP], 0x555555554123);
	T_EQ_U64(d->threads[0].context.regs[MD_AMD64_R15], 0xf15);
	T_EQ_U64(md_context_sp(&d->threads[1].context), 0x7ffd00020000);
	T_EQ_U64(d->nmodules, 2);
	T_EQ_STR(d->modules[0].code_file, "/usr/bin/app");
	T_EQ_STR(d->modules[0].debug_file, "/usr/bin/app");
	T_EQ_STR(d->modules[0].debug_id, "557E11D4B6BF94D7D6C66B9B3AFB485C0");
	T_EQ_STR(d->modules[0].code_id, "d4117e55bfb6d794d6c66b9b3afb485c03c85534");
	/* A build id shorter than a GUID is zero-padded. */
	T_EQ_STR(d->modules[1].debug_id, "557E11D4B6BF94D70000000000000000" "0");
	T_EQ_STR(d->modules[1].code_id, "d4117e55bfb6d794");
	T_EQ_U64(d->nunloaded, 1);
	T_EQ_STR(d->unloaded[0].code_file, "/lib/libgone.so");
	T_EQ_U64(d->exception.thread_id, 101);
	T_EQ_U64(d->exception.code, 11);
	T_EQ_U64(d->exception.address, 0x10);
	T_ASSERT(d->exception.has_context);
	T_EQ_U64(d->misc.pid, 4242);
	uint64_t up;
	T_EQ_U64(md_process_uptime(d, &up), CD_OK);
	T_EQ_U64(up, 1790000000 - 1789999000);
	T_EQ_U64(d->breakpad.dump_thread_id, 100);
	T_EQ_U64(d->breakpad.requesting_thread_id, 101);
	T_ASSERT(d->linux_cpu_info.len > 0 && !memcmp(d->linux_cpu_info.data, "processor", 9));
	T_EQ_U64(d->linux_cmdline.len, 19);
	T_EQ_U64(d->nauxv, 2);
	T_EQ_U64(d->auxv[0].type, 6);
	T_EQ_U64(d->auxv[0].value, 4096);
	T_EQ_U64(d->dso_debug.nmaps, 2);
	T_EQ_STR(d->dso_debug.maps[1].name, "/lib/libshort.so");
	T_EQ_U64(d->dso_debug.maps[1].addr, 0x7f0000000000);
	md_close(d);
	free(buf);
	synth_free(s);
}

static void test_memory_and_module_lookup(void)
{
	synth *s = full_linux();
	uint8_t *buf;
	size_t n;
	md_dump *d = open_synth(s, &buf, &n);
	T_ASSERT(d);
	uint8_t b[4];
	/* From a thread stack... */
	T_EQ_U64(md_read_memory(d, 0x7ffd0000f010, b, 4), CD_OK);
	T_EQ_U64(b[0], 0x10);
	T_EQ_U64(b[3], 0x13);
	/* ...from the memory list... */
	T_EQ_U64(md_read_memory(d, 0x600000 + 127, b, 1), CD_OK);
	T_EQ_U64(b[0], 127);
	/* ...and not across the end of a region, nor where nothing was captured. */
	T_EQ_U64(md_read_memory(d, 0x600000 + 126, b, 4), CD_ENOTFOUND);
	T_EQ_U64(md_read_memory(d, 0x1000, b, 1), CD_ENOTFOUND);
	T_ASSERT(md_find_memory(d, 0x600010) && md_find_memory(d, 0x600010)->base == 0x600000);
	T_EQ_STR(md_find_module(d, 0x555555554fff)->code_file, "/usr/bin/app");
	T_ASSERT(md_find_module(d, 0x555555559000) == NULL);
	T_EQ_U64(md_find_thread(d, 101)->id, 101);
	T_ASSERT(md_find_thread(d, 7) == NULL);
	md_close(d);
	free(buf);
	synth_free(s);
}

static void test_memory64_list(void)
{
	synth *s = synth_new();
	uint8_t a[16], c[8];
	memset(a, 0xaa, sizeof a);
	memset(c, 0xcc, sizeof c);
	synth_region r[2] = { { 0x9000, a, 16 }, { 0x1000, c, 8 } };
	synth_memory64_list(s, r, 2);
	uint8_t *buf;
	size_t n;
	md_dump *d = open_synth(s, &buf, &n);
	T_ASSERT(d);
	T_EQ_U64(d->nmemory, 2);
	T_EQ_U64(d->memory[0].base, 0x1000); /* sorted */
	uint8_t b;
	T_EQ_U64(md_read_memory(d, 0x9000 + 15, &b, 1), CD_OK);
	T_EQ_U64(b, 0xaa);
	T_EQ_U64(md_read_memory(d, 0x1007, &b, 1), CD_OK);
	T_EQ_U64(b, 0xcc);
	md_close(d);
	free(buf);
	synth_free(s);
}

/* Registers of each CPU land in the documented slots. */
static void check_cpu(md_cpu cpu, int old, int pc, int sp, int nregs)
{
	synth *s = synth_new();
	uint64_t r[MD_MAX_REGS];
	int width = cpu == MD_CPU_X86 || cpu == MD_CPU_ARM ? 4 : 8;
	for (int i = 0; i < MD_MAX_REGS; i++)
		r[i] = width == 4 ? 0x1000u + (uint64_t)i : 0x100000000ull * (uint64_t)(i + 1) + (uint64_t)i;
	synth_loc c = synth_context(s, cpu, old, r, 0x7);
	synth_thread t = { .id = 1, .stack_base = 0x10000, .stack_size = 16, .context = c };
	synth_thread_list(s, &t, 1, 0);
	uint8_t *buf;
	size_t n;
	md_dump *d = open_synth(s, &buf, &n);
	T_ASSERT(d && d->nthreads == 1 && d->threads[0].has_context);
	const md_context *x = &d->threads[0].context;
	T_EQ_U64(x->cpu, cpu);
	T_EQ_U64(x->old_layout, old);
	T_EQ_U64(md_context_pc(x), r[pc]);
	T_EQ_U64(md_context_sp(x), r[sp]);
	int nn;
	md_reg_names(cpu, &nn);
	T_EQ_U64(nn, nregs);
	/* x86 segment registers are 32-bit fields; amd64's are 16-bit. */
	for (int i = 0; i < nregs; i++) {
		uint64_t want = r[i];
		if (cpu == MD_CPU_AMD64 && i >= MD_AMD64_CS)
			want &= 0xffff;
		else if (cpu == MD_CPU_AMD64 && i == MD_AMD64_EFLAGS)
			want &= 0xffffffff;
		else if (cpu == MD_CPU_ARM64 && i == MD_ARM64_CPSR)
			want &= 0xffffffff;
		if (x->regs[i] != want) {
			T_FAILF("%s register %d is 0x%llx, expected 0x%llx", md_cpu_name(cpu), i,
				(unsigned long long)x->regs[i], (unsigned long long)want);
			break;
		}
	}
	md_close(d);
	free(buf);
	synth_free(s);
}

static void test_x86_context(void) { check_cpu(MD_CPU_X86, 0, MD_X86_EIP, MD_X86_ESP, MD_X86_NREGS); }
static void test_amd64_context(void) { check_cpu(MD_CPU_AMD64, 0, MD_AMD64_RIP, MD_AMD64_RSP, MD_AMD64_NREGS); }
static void test_arm_context(void) { check_cpu(MD_CPU_ARM, 0, MD_ARM_PC, MD_ARM_SP, MD_ARM_NREGS); }
static void test_arm64_context(void) { check_cpu(MD_CPU_ARM64, 0, MD_ARM64_PC, MD_ARM64_SP, MD_ARM64_NREGS); }
static void test_arm64_old_context(void) { check_cpu(MD_CPU_ARM64, 1, MD_ARM64_PC, MD_ARM64_SP, MD_ARM64_NREGS); }

static void test_context_flags_honoured(void)
{
	synth *s = synth_new();
	uint64_t r[MD_MAX_REGS] = { 0 };
	r[MD_AMD64_RIP] = 0x1234;
	r[MD_AMD64_RAX] = 0x5678;
	synth_loc c = synth_context(s, MD_CPU_AMD64, 0, r, 0x1); /* CONTROL only */
	uint64_t r64[MD_MAX_REGS] = { 0 };
	r64[MD_ARM64_PC] = 0x4000;
	synth_loc c64 = synth_context(s, MD_CPU_ARM64, 0, r64, 0x2); /* INTEGER only */
	synth_thread t[2] = { { .id = 1, .context = c }, { .id = 2, .context = c64 } };
	synth_thread_list(s, t, 2, 0);
	uint8_t *buf;
	size_t n;
	md_dump *d = open_synth(s, &buf, &n);
	T_ASSERT(d && d->nthreads == 2);
	const md_context *x = &d->threads[0].context;
	T_ASSERT(x->valid >> MD_AMD64_RIP & 1);
	T_ASSERT(x->valid >> MD_AMD64_RSP & 1);
	T_ASSERT(!(x->valid >> MD_AMD64_RAX & 1));
	T_ASSERT(!(x->valid >> MD_AMD64_RBP & 1));
	T_EQ_U64(md_context_pc(x), 0x1234);
	const md_context *y = &d->threads[1].context;
	T_ASSERT(y->valid >> 0 & 1);                 /* x0 */
	T_ASSERT(!(y->valid >> MD_ARM64_PC & 1));   /* pc is CONTROL */
	T_EQ_U64(md_context_pc(y), 0);              /* not valid: not reported */
	md_close(d);
	free(buf);
	synth_free(s);
}

static void test_windows_debug_ids(void)
{
	synth *s = synth_new();
	synth_system_info(s, SYNTH_ARCH_X86, SYNTH_OS_WINDOWS, "Service Pack 1", "GenuineIntel");
	synth_module m[2] = {
		{ .base = 0x400000, .size = 0x8000, .time_date_stamp = 0x45d35f6c, .name = "c:\\app.exe",
		  .version = "1.2.3.4", .cv = MD_CV_PDB70, .guid = guid, .age = 0x2a, .pdb_name = "c:\\app.pdb" },
		{ .base = 0x10000000, .size = 0x1000, .time_date_stamp = 0x3e3e3e3e, .name = "old.dll",
		  .cv = MD_CV_PDB20, .pdb_signature = 0x3d3d3d3d, .age = 0xb, .pdb_name = "old.pdb" },
	};
	synth_module_list(s, m, 2);
	uint8_t *buf;
	size_t n;
	md_dump *d = open_synth(s, &buf, &n);
	T_ASSERT(d && d->nmodules == 2);
	T_EQ_STR(d->sysinfo.os, "Windows NT");
	T_EQ_STR(d->sysinfo.cpu_vendor, "GenuineIntel");
	/* data1, data2, data3 little-endian; data4 as bytes; age lowercase. */
	T_EQ_STR(d->modules[0].debug_id, "4433221166558877" "99AABBCCDDEEFF01" "2a");
	T_EQ_STR(d->modules[0].debug_file, "c:\\app.pdb");
	T_EQ_STR(d->modules[0].code_id, "45D35F6C8000");
	T_EQ_STR(d->modules[0].version, "1.2.3.4");
	T_EQ_U64(d->modules[0].cv_kind, MD_CV_PDB70);
	T_EQ_STR(d->modules[1].debug_id, "3D3D3D3Db");
	T_EQ_STR(d->modules[1].debug_file, "old.pdb");
	T_EQ_STR(d->modules[1].code_id, "3E3E3E3E1000");
	T_EQ_STR(d->modules[1].version, "");
	md_close(d);
	free(buf);
	synth_free(s);
}

static void test_annotation_streams(void)
{
	synth *s = synth_new();
	synth_module m = { .base = 0x1000, .size = 0x1000, .name = "libxul.so" };
	synth_module_list(s, &m, 1);
	synth_kv simple[2] = { { "prod", "Firefox" }, { "ver", "140.0a1" } };
	const char *list[1] = { "list entry" };
	synth_kv msimple[1] = { { "mkey", "mvalue" } };
	synth_kv objects[1] = { { "abort_message", "assertion failed: x" } };
	synth_crashpad(s, simple, 2, list, 1, msimple, 1, objects, 1);
	synth_assertion(s, "x != nullptr", "Foo::Bar", "foo.cpp", 42, 1);
	md_memory_info mi = { .base = 0x1000, .region_size = 0x2000, .protection = 0x20, .state = 0x1000 };
	synth_memory_info(s, &mi, 1);
	const char *types[3] = { "File", "Event", "File" };
	synth_handles(s, types, 3);
	synth_misc_info(s, 832, 7, 100, "22621.1.amd64fre");
	uint8_t *buf;
	size_t n;
	md_dump *d = open_synth(s, &buf, &n);
	T_ASSERT(d);
	T_EQ_U64(d->nproblems, 0);
	const md_crashpad_info *c = &d->crashpad;
	T_EQ_U64(c->nsimple, 2);
	T_EQ_STR(c->simple[0].key, "prod");
	T_EQ_STR(c->simple[1].value, "140.0a1");
	T_EQ_U64(c->report_id[0], 0xa0);
	T_EQ_U64(c->nmodules, 1);
	T_EQ_U64(c->modules[0].nlist, 1);
	T_EQ_STR(c->modules[0].list[0], "list entry");
	T_EQ_STR(c->modules[0].simple[0].value, "mvalue");
	T_EQ_U64(c->modules[0].nobjects, 1);
	T_EQ_STR(c->modules[0].objects[0].name, "abort_message");
	T_EQ_U64(c->modules[0].objects[0].type, 1);
	T_ASSERT(c->modules[0].objects[0].value_len == 19 &&
		 !memcmp(c->modules[0].objects[0].value, "assertion failed: x", 19));
	T_EQ_STR(d->assertion.expression, "x != nullptr");
	T_EQ_STR(d->assertion.function, "Foo::Bar");
	T_EQ_STR(d->assertion.file, "foo.cpp");
	T_EQ_U64(d->assertion.line, 42);
	T_EQ_U64(d->nmeminfo, 1);
	T_EQ_U64(d->meminfo[0].region_size, 0x2000);
	T_EQ_U64(d->meminfo[0].protection, 0x20);
	T_EQ_U64(d->handle_count, 3);
	T_EQ_U64(d->nhandle_types, 2);
	T_EQ_STR(d->handle_types[0].type_name, "File");
	T_EQ_U64(d->handle_types[0].count, 2);
	T_EQ_STR(d->misc.build_string, "22621.1.amd64fre");
	md_close(d);
	free(buf);
	synth_free(s);
}

/* ---- hostile input ---------------------------------------------------- */

static void test_not_a_minidump(void)
{
	md_dump *d;
	cd_err e = { 0 };
	const uint8_t junk[64] = "this is not a minidump, it is text";
	T_EQ_U64(md_open_mem(junk, sizeof junk, "junk.dmp", &d, &e), CD_EFORMAT);
	T_ASSERT(d == NULL && strstr(e.msg, "junk.dmp") && strstr(e.msg, "offset 0x0"));
	T_EQ_U64(md_open_mem(junk, 0, "empty.dmp", &d, &e), CD_EFORMAT);
	T_ASSERT(strstr(e.msg, "empty.dmp") != NULL);
	T_EQ_U64(md_open_mem((const uint8_t *)"MDMP", 4, "short.dmp", &d, &e), CD_EFORMAT);
	T_EQ_U64(md_open("/nonexistent/x.dmp", &d, &e), CD_EIO);
	T_EQ_U64(md_open("/tmp", &d, &e), CD_EIO);
	T_ASSERT(strstr(e.msg, "directory") != NULL);
}

static void test_directory_outside_file(void)
{
	synth *s = synth_new();
	size_t n;
	uint8_t *p = (uint8_t *)synth_finish(s, &n);
	p[8] = 3;                                  /* three streams... */
	p[12] = 0xff, p[13] = 0xff, p[14] = 0x01; /* ...at an RVA past the end */
	md_dump *d;
	cd_err e = { 0 };
	T_EQ_U64(md_open_mem(p, n, "dir.dmp", &d, &e), CD_EFORMAT);
	T_ASSERT(strstr(e.msg, "directory") && strstr(e.msg, "0x1ffff"));
	synth_free(s);
}

static void test_count_past_end_keeps_what_fits(void)
{
	synth *s = full_linux();
	uint8_t *buf;
	size_t n;
	md_dump *d = open_synth(s, &buf, &n);
	T_ASSERT(d);
	/* The module list's count says 1000; 2 are there. */
	uint32_t rva = 0;
	for (uint32_t i = 0; i < d->ndir; i++)
		if (d->dir[i].type == MD_STREAM_MODULE_LIST)
			rva = d->dir[i].rva;
	md_close(d);
	buf[rva] = 0xe8, buf[rva + 1] = 0x03;
	cd_err e;
	T_EQ_U64(md_open_mem(buf, n, "count.dmp", &d, &e), CD_OK);
	T_EQ_U64(d->nmodules, 2);
	T_EQ_U64(d->modules_state, MD_STREAM_PARTIAL);
	T_ASSERT(has_problem(d, MD_STREAM_MODULE_LIST, "count 1000"));
	/* Everything else is still read. */
	T_EQ_U64(d->nthreads, 2);
	T_EQ_U64(d->threads_state, MD_STREAM_OK);
	md_close(d);
	/* A count of 0xffffffff allocates nothing like 4G entries. */
	buf[rva] = buf[rva + 1] = buf[rva + 2] = buf[rva + 3] = 0xff;
	T_EQ_U64(md_open_mem(buf, n, "huge.dmp", &d, &e), CD_OK);
	T_EQ_U64(d->nmodules, 2);
	T_ASSERT(d->arena.used < 16 * n + (4u << 20));
	md_close(d);
	free(buf);
	synth_free(s);
}

static void test_truncated_file(void)
{
	synth *s = full_linux();
	size_t n;
	const uint8_t *p = synth_finish(s, &n);
	/* Cut just after the thread list's first entry: threads partial,
	 * later streams reported outside the file, nothing crashes. */
	int cuts = 0;
	for (size_t cut = 32; cut < n; cut += n / 37 + 1) {
		uint8_t *c = malloc(cut);
		memcpy(c, p, cut);
		md_dump *d;
		cd_err e = { 0 };
		int rc = md_open_mem(c, cut, "cut.dmp", &d, &e);
		if (rc == CD_OK) {
			T_CHECK(d->nproblems > 0);
			md_close(d);
		} else {
			T_CHECK(rc == CD_EFORMAT && strstr(e.msg, "cut.dmp"));
		}
		free(c);
		cuts++;
	}
	T_ASSERT(cuts > 30);
	synth_free(s);
}

static void test_unknown_duplicate_and_overlapping_streams(void)
{
	synth *s = synth_new();
	synth_system_info(s, SYNTH_ARCH_AMD64, SYNTH_OS_LINUX, NULL, NULL);
	int si = synth_system_info(s, SYNTH_ARCH_X86, SYNTH_OS_WINDOWS, NULL, NULL);
	(void)si;
	uint8_t junk[40] = { 1, 2, 3 };
	int u = synth_stream(s, 0x12345678, junk, sizeof junk);
	(void)u;
	/* A stream that overlaps the unknown one. */
	size_t n;
	synth_finish(s, &n);
	uint32_t junk_rva = 0;
	{
		const uint8_t *p = synth_finish(s, &n);
		junk_rva = (uint32_t)(p[32 + 12 * 2 + 8] | p[32 + 12 * 2 + 9] << 8 |
				      p[32 + 12 * 2 + 10] << 16 | (uint32_t)p[32 + 12 * 2 + 11] << 24);
	}
	synth_dir_entry(s, MD_STREAM_LINUX_MAPS, 20, junk_rva + 10);
	uint8_t *buf;
	md_dump *d = open_synth(s, &buf, &n);
	T_ASSERT(d);
	T_EQ_U64(d->ndir, 4);
	T_EQ_U64(d->dir[2].type, 0x12345678);
	T_EQ_U64(d->dir[2].state, MD_STREAM_OK); /* listed, not fatal */
	T_ASSERT(md_stream_type_name(0x12345678) == NULL);
	/* The first SystemInfo wins; the second is reported. */
	T_EQ_U64(d->sysinfo.cpu, MD_CPU_AMD64);
	T_ASSERT(d->dir[1].duplicate);
	T_ASSERT(has_problem(d, MD_STREAM_SYSTEM_INFO, "second"));
	T_ASSERT(has_problem(d, MD_STREAM_LINUX_MAPS, "overlaps"));
	md_close(d);
	free(buf);
	synth_free(s);
}

static void test_bad_rvas_inside_streams(void)
{
	synth *s = synth_new();
	uint64_t r[MD_MAX_REGS] = { 0 };
	synth_loc c = synth_context(s, MD_CPU_AMD64, 0, r, 0x3);
	c.rva = 0x7ffffff0; /* context outside the file */
	synth_thread t[2] = { { .id = 1, .stack_size = 32, .context = c },
			      { .id = 2, .stack_size = 32 } };
	synth_thread_list(s, t, 2, 0);
	synth_module m = { .base = 0x1000, .size = 0x10, .name = "a.so" };
	int mi = synth_module_list(s, &m, 1);
	(void)mi;
	uint8_t *buf;
	size_t n;
	md_dump *d = open_synth(s, &buf, &n);
	T_ASSERT(d);
	T_EQ_U64(d->nthreads, 2);
	T_ASSERT(!d->threads[0].has_context);
	T_EQ_U64(d->threads_state, MD_STREAM_PARTIAL);
	T_ASSERT(has_problem(d, MD_STREAM_THREAD_LIST, "context"));
	T_EQ_U64(d->threads[1].id, 2);
	md_close(d);
	/* Point the module name's RVA past the end of the file. */
	uint32_t rva = 0;
	T_ASSERT(md_open_mem(buf, n, "x", &d, NULL) == CD_OK);
	for (uint32_t i = 0; i < d->ndir; i++)
		if (d->dir[i].type == MD_STREAM_MODULE_LIST)
			rva = d->dir[i].rva;
	md_close(d);
	buf[rva + 4 + 20 + 3] = 0x7f;
	T_ASSERT(md_open_mem(buf, n, "x", &d, NULL) == CD_OK);
	T_EQ_U64(d->nmodules, 1);
	T_EQ_STR(d->modules[0].code_file, "");
	T_ASSERT(d->modules[0].damaged);
	T_EQ_U64(d->modules_state, MD_STREAM_PARTIAL);
	md_close(d);
	free(buf);
	synth_free(s);
}

int main(void)
{
	T_RUN(test_full_linux_dump);
	T_RUN(test_memory_and_module_lookup);
	T_RUN(test_memory64_list);
	T_RUN(test_x86_context);
	T_RUN(test_amd64_context);
	T_RUN(test_arm_context);
	T_RUN(test_arm64_context);
	T_RUN(test_arm64_old_context);
	T_RUN(test_context_flags_honoured);
	T_RUN(test_windows_debug_ids);
	T_RUN(test_annotation_streams);
	T_RUN(test_not_a_minidump);
	T_RUN(test_directory_outside_file);
	T_RUN(test_count_past_end_keeps_what_fits);
	T_RUN(test_truncated_file);
	T_RUN(test_unknown_duplicate_and_overlapping_streams);
	T_RUN(test_bad_rvas_inside_streams);
	return t_done();
}
