/*
 * mksample.c - writes the sample crash that `make run` opens:
 * DIR/sample.dmp and DIR/sample.extra. A Linux amd64 process with three
 * named threads, a crash (SIGSEGV at 0x0) in the third, frame-pointer
 * chains on every stack, two modules with ELF build ids, an unloaded
 * module and the usual Linux streams. Deterministic: same bytes every run.
 */
#include <stdio.h>
#include <string.h>

#include "synth/synth.h"

#define APP_BASE 0x555555554000ull
#define LIB_BASE 0x7f3a12000000ull

static const uint8_t app_id[20] = { 0x5a, 0x17, 0xc0, 0xde, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
				    0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10 };
static const uint8_t lib_id[20] = { 0x11, 0xb5, 0xa1, 0x1e, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26,
				    0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30 };

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A stack of `depth` frames linked by saved rbp, each followed by a return
 * address into the given code addresses. Returns the rbp of frame 0. */
static uint64_t build_stack(uint8_t *stack, uint64_t base, uint32_t size,
			    const uint64_t *returns, int depth)
{
	memset(stack, 0, size);
	uint64_t fp = base + 0x40;
	for (int i = 0; i < depth; i++) {
		uint64_t next = fp + 0x30 + 0x10 * (uint64_t)i;
		put64(stack + (fp - base), i + 1 < depth ? next : 0);
		put64(stack + (fp - base) + 8, returns[i]);
		fp = next;
	}
	return base + 0x40;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	synth *s = synth_new();
	synth_system_info(s, SYNTH_ARCH_AMD64, SYNTH_OS_LINUX,
			  "Linux 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64", NULL);

	static uint8_t stacks[3][0x1000];
	static const uint64_t bases[3] = { 0x7ffc10000000, 0x7f3a11000000, 0x7f3a10800000 };
	static const uint64_t ret[3][4] = {
		{ APP_BASE + 0x1a30, APP_BASE + 0x1234, LIB_BASE + 0x29d90, 0 },
		{ LIB_BASE + 0x91b40, LIB_BASE + 0x94ac3, 0, 0 },
		{ APP_BASE + 0x2210, APP_BASE + 0x2480, LIB_BASE + 0x94ac3, 0 },
	};
	static const uint64_t pcs[3] = { LIB_BASE + 0xea5c2, LIB_BASE + 0x91e12, APP_BASE + 0x21b7 };
	static const int depths[3] = { 3, 2, 3 };
	static const uint32_t ids[3] = { 4200, 4201, 4202 };
	synth_thread t[3];
	synth_loc crash_ctx = { 0, 0 };
	for (int i = 0; i < 3; i++) {
		uint64_t r[MD_MAX_REGS] = { 0 };
		r[MD_AMD64_RBP] = build_stack(stacks[i], bases[i], sizeof stacks[i], ret[i], depths[i]);
		r[MD_AMD64_RSP] = bases[i] + 0x20;
		r[MD_AMD64_RIP] = pcs[i];
		r[MD_AMD64_RDI] = i == 2 ? 0 : 0x5555555a0000;
		r[MD_AMD64_EFLAGS] = 0x10246;
		r[MD_AMD64_CS] = 0x33;
		r[MD_AMD64_SS] = 0x2b;
		synth_loc c = synth_context(s, MD_CPU_AMD64, 0, r, 0x7);
		if (i == 2)
			crash_ctx = c;
		t[i] = (synth_thread){ .id = ids[i], .stack_base = bases[i], .stack = stacks[i],
				       .stack_size = sizeof stacks[i], .context = c };
	}
	synth_thread_list(s, t, 3, 0);
	synth_module m[2] = {
		{ .base = APP_BASE, .size = 0x8000, .name = "/opt/sample/bin/sampleapp", .cv = MD_CV_ELF,
		  .build_id = app_id, .build_id_len = 20 },
		{ .base = LIB_BASE, .size = 0x1c0000, .name = "/lib/x86_64-linux-gnu/libc.so.6",
		  .cv = MD_CV_ELF, .build_id = lib_id, .build_id_len = 20 },
	};
	synth_module_list(s, m, 2);
	synth_module gone = { .base = 0x7f3a13000000, .size = 0x40000, .name = "/opt/sample/lib/libplugin.so" };
	synth_unloaded_list(s, &gone, 1);
	synth_exception(s, ids[2], 11 /* SIGSEGV */, 1 /* SEGV_MAPERR */, 0x0, NULL, 0, crash_ctx);
	synth_misc_info(s, 24, 4199, 1789999940, NULL);
	synth_name names[3] = { { 4200, "sampleapp" }, { 4201, "Compositor" }, { 4202, "IPC I/O Parent" } };
	synth_thread_names(s, names, 3);
	synth_breakpad_info(s, 4203, ids[2]);
	const char *cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
			      "model\t\t: 26\nmodel name\t: Sample CPU\n";
	synth_linux_text(s, MD_STREAM_LINUX_CPU_INFO, cpuinfo, strlen(cpuinfo));
	const char *status = "Name:\tsampleapp\nState:\tR (running)\nPid:\t4199\nThreads:\t3\n";
	synth_linux_text(s, MD_STREAM_LINUX_PROC_STATUS, status, strlen(status));
	const char *lsb = "DISTRIB_ID=Debian\nDISTRIB_RELEASE=12\n";
	synth_linux_text(s, MD_STREAM_LINUX_LSB_RELEASE, lsb, strlen(lsb));
	const char cmdline[] = "/opt/sample/bin/sampleapp\0--crash\0ipc";
	synth_linux_text(s, MD_STREAM_LINUX_CMD_LINE, cmdline, sizeof cmdline - 1);
	const char env[] = "LANG=C.UTF-8\0HOME=/home/sample";
	synth_linux_text(s, MD_STREAM_LINUX_ENVIRON, env, sizeof env - 1);
	const char *maps = "555555554000-55555555c000 r-xp 00000000 08:01 131 /opt/sample/bin/sampleapp\n"
			   "7f3a12000000-7f3a121c0000 r-xp 00000000 08:01 262 /lib/x86_64-linux-gnu/libc.so.6\n";
	synth_linux_text(s, MD_STREAM_LINUX_MAPS, maps, strlen(maps));
	uint64_t auxv[6] = { 6, 4096, 9, APP_BASE + 0x1040, 0, 0 };
	synth_auxv(s, auxv, 3);
	const char *dso[2] = { "/opt/sample/bin/sampleapp", "/lib/x86_64-linux-gnu/libc.so.6" };
	uint64_t addrs[2] = { APP_BASE, LIB_BASE };
	synth_dso_debug(s, dso, addrs, 2);

	char path[4096];
	snprintf(path, sizeof path, "%s/sample.dmp", dir);
	if (synth_write_file(s, path) != 0) {
		fprintf(stderr, "mksample: cannot write %s\n", path);
		return 1;
	}
	synth_free(s);
	snprintf(path, sizeof path, "%s/sample.extra", dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "mksample: cannot write %s\n", path);
		return 1;
	}
	fputs("{\n"
	      "  \"ProductName\": \"SampleApp\",\n"
	      "  \"Version\": \"1.0\",\n"
	      "  \"BuildID\": \"20261101000000\",\n"
	      "  \"ReleaseChannel\": \"nightly\",\n"
	      "  \"CrashTime\": \"1790000000\",\n"
	      "  \"StartupTime\": \"1789999940\",\n"
	      "  \"ProcessType\": \"parent\",\n"
	      "  \"IPCChannelError\": \"\",\n"
	      "  \"MozCrashReason\": \"\"\n"
	      "}\n", f);
	return fclose(f) == 0 ? 0 : 1;
}
