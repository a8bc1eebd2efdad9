/*
 * mksample.c - writes the sample crash that `make run` opens:
 * DIR/sample.dmp, DIR/sample.extra and a Breakpad symbol store
 * DIR/symbols/DEBUGFILE/DEBUGID/NAME.sym for two of its modules.
 *
 * A Linux amd64 process, sampleapp, with five named threads (one named
 * "Décode 画像", so wide and accented characters reach the panes). The third
 * ("IPC I/O Parent") dereferenced NULL in an inlined ipc::ReadU32():
 * SIGSEGV / SEGV_MAPERR at 0x0. Every stack holds a frame-pointer chain
 * whose return addresses point into the modules' code, between words that
 * look like locals (heap pointers, small integers) but never point into
 * a module, so a scan finds only what was put there.
 *
 * With the symbols, `crashdesk walk --symbols-path DIR/symbols` shows
 * every way a frame is found: the crashing thread goes from its context
 * (two inline frames nested in ipc::Channel::ReadMessage()) by STACK CFI,
 * then by frame pointer, then (the last record saved a zero rbp) by a
 * scan into libc, which has no symbols. The main thread ends at the
 * _start PUBLIC; "Décode 画像" was running code of libplugin.so when it
 * was unloaded (frame 0 points into the unloaded module) and was called
 * from a PUBLIC of libsamplegui.so. Deterministic: the same bytes every
 * run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/util/util.h"
#include "synth/synth.h"

#define APP_BASE 0x555555554000ull
#define LIBC_BASE 0x7f3a12000000ull
#define GUI_BASE 0x7f3a14000000ull
#define HEAP 0x5555555a0000ull
#define PLUGIN_BASE 0x7f3a13000000ull
#define NTHREADS 5
#define STACK_SIZE 0x1000

static const uint8_t app_id[20] = { 0x5a, 0x17, 0xc0, 0xde, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
				    0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10 };
static const uint8_t libc_id[20] = { 0x11, 0xb5, 0xa1, 0x1e, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26,
				     0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30 };
static const uint8_t gui_id[20] = { 0x90, 0x1d, 0x6e, 0x01, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36,
				    0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40 };

typedef struct thread_spec {
	uint32_t id;
	const char *name;
	uint64_t stack_base; /* lowest address captured; rsp points here + 0x20 */
	uint64_t pc;
	uint64_t returns[4]; /* return addresses, innermost first; 0 ends */
	uint32_t extra_at;   /* a stray return address for a scan to find (0: none) */
	uint64_t extra;
} thread_spec;

/* Function addresses are the module offsets the .sym files below name. */
static const thread_spec threads[NTHREADS] = {
	{ 4200, "sampleapp", 0x7ffc10000000, LIBC_BASE + 0xea5c2, /* poll */
	  { APP_BASE + 0x1a30, APP_BASE + 0x1234, LIBC_BASE + 0x29d90, 0 },
	  0xd8, APP_BASE + 0x106a /* in _start, above __libc_start_main's frame */ },
	{ 4201, "Compositor", 0x7f3a11000000, GUI_BASE + 0x4120, /* gui_wait */
	  { GUI_BASE + 0x5308, LIBC_BASE + 0x94ac3, 0, 0 }, 0, 0 },
	{ 4202, "IPC I/O Parent", 0x7f3a10800000, APP_BASE + 0x21b7, /* ipc::ReadU32 */
	  { APP_BASE + 0x2210, APP_BASE + 0x2480, LIBC_BASE + 0x94ac3, 0 }, 0, 0 },
	{ 4203, "Timer", 0x7f3a10000000, LIBC_BASE + 0x91e12, /* futex wait */
	  { LIBC_BASE + 0x91b40, LIBC_BASE + 0x94ac3, 0, 0 }, 0, 0 },
	/* 15 bytes of UTF-8, Linux's limit for a thread name. */
	{ 4205, "D\xc3\xa9" "code \xe7\x94\xbb\xe5\x83\x8f", 0x7f3a0f800000,
	  PLUGIN_BASE + 0x2a4c, /* libplugin.so, unloaded */
	  { GUI_BASE + 0x6010, LIBC_BASE + 0x94ac3, 0, 0 }, 0, 0 },
};
#define CRASHED 2

/* A little deterministic noise for the words between frames. */
static uint64_t next(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return *state >> 11;
}

/* Fills a stack whose frame 0 starts at base + 0x40: each frame is saved
 * rbp, return address, then locals. Returns frame 0's rbp. */
static uint64_t build_stack(uint8_t *stack, uint64_t base, const thread_spec *ts)
{
	const uint64_t *returns = ts->returns;
	uint64_t seed = ts->id;
	for (uint32_t off = 0; off < STACK_SIZE; off += 8) {
		uint64_t r = next(&seed), v;
		switch (r % 4) {
		case 0: v = HEAP + (r >> 8) % 0x4000 * 8; break; /* heap pointer */
		case 1: v = r % 256; break;                      /* small integer */
		case 2: v = 0; break;
		default: v = base + 0x800 + (r >> 8) % 0x100 * 8; /* stack pointer */
		}
		synth_put64(stack + off, v);
	}
	uint64_t fp = base + 0x40;
	int depth = 0;
	while (depth < 4 && returns[depth])
		depth++;
	for (int i = 0; i < depth; i++) {
		uint64_t caller = fp + 0x30 + 0x10 * (uint64_t)i;
		synth_put64(stack + (fp - base), i + 1 < depth ? caller : 0);
		synth_put64(stack + (fp - base) + 8, returns[i]);
		fp = caller;
	}
	if (ts->extra_at)
		synth_put64(stack + ts->extra_at, ts->extra);
	return base + 0x40;
}

static void write_dump(synth *s)
{
	synth_system_info(s, &(synth_sysinfo){
		.arch = SYNTH_ARCH_AMD64, .platform = SYNTH_OS_LINUX, .level = 6,
		.revision = 0x1a05, .ncpus = 8,
		.csd = "Linux 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64" });

	uint8_t *stacks = calloc(NTHREADS, STACK_SIZE);
	if (!stacks)
		abort();
	synth_thread t[NTHREADS];
	synth_name names[NTHREADS];
	synth_loc crash_ctx = { 0, 0 };
	for (int i = 0; i < NTHREADS; i++) {
		const thread_spec *ts = &threads[i];
		uint8_t *stack = stacks + (size_t)i * STACK_SIZE;
		uint64_t r[MD_MAX_REGS] = { 0 };
		r[MD_AMD64_RBP] = build_stack(stack, ts->stack_base, ts);
		r[MD_AMD64_RSP] = ts->stack_base + 0x20;
		r[MD_AMD64_RIP] = ts->pc;
		r[MD_AMD64_RDI] = i == CRASHED ? 0 : HEAP + 0x100 * (uint64_t)i;
		r[MD_AMD64_RSI] = 0x10;
		r[MD_AMD64_RAX] = i == CRASHED ? 0 : (uint64_t)-4; /* -EINTR from a syscall */
		r[MD_AMD64_R12] = HEAP + 0x2000;
		r[MD_AMD64_EFLAGS] = 0x10246;
		r[MD_AMD64_CS] = 0x33;
		r[MD_AMD64_SS] = 0x2b;
		synth_loc c = synth_context(s, MD_CPU_AMD64, 0, r,
					    MD_CONTEXT_AMD64 | SYNTH_CTX_ALL | SYNTH_CTX_FLOAT);
		if (i == CRASHED)
			crash_ctx = c;
		t[i] = (synth_thread){ .id = ts->id, .stack_base = ts->stack_base, .stack = stack,
				       .stack_size = STACK_SIZE, .context = c, .priority = 20 };
		names[i] = (synth_name){ ts->id, ts->name };
	}
	synth_thread_list(s, t, NTHREADS, 0);
	free(stacks);

	synth_module m[3] = {
		{ .base = APP_BASE, .size = 0x8000, .name = "/opt/sample/bin/sampleapp", .cv = MD_CV_ELF,
		  .build_id = app_id, .build_id_len = 20 },
		{ .base = LIBC_BASE, .size = 0x1c0000, .name = "/lib/x86_64-linux-gnu/libc.so.6",
		  .cv = MD_CV_ELF, .build_id = libc_id, .build_id_len = 20 },
		{ .base = GUI_BASE, .size = 0x10000, .name = "/opt/sample/lib/libsamplegui.so",
		  .cv = MD_CV_ELF, .build_id = gui_id, .build_id_len = 20 },
	};
	synth_module_list(s, m, 3);
	synth_module gone = { .base = PLUGIN_BASE, .size = 0x40000,
			      .name = "/opt/sample/lib/libplugin.so" };
	synth_unloaded_list(s, &gone, 1);
	synth_exception(s, &(synth_exc){ .thread_id = threads[CRASHED].id, .code = 11 /* SIGSEGV */,
					 .flags = 1 /* SEGV_MAPERR */, .address = 0x0,
					 .context = crash_ctx });
	synth_misc_info(s, &(synth_misc){ .size = SYNTH_MISC_SIZE_1, .flags1 = 0x3, .pid = 4199,
					  .create_time = 1789999940, .user_time = 3,
					  .kernel_time = 1 });
	synth_thread_names(s, names, NTHREADS);
	/* Breakpad's handler thread wrote the dump on behalf of the crashed one. */
	synth_breakpad_info(s, 0x3, 4204, threads[CRASHED].id);

	static const char cpuinfo[] = "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
				      "model\t\t: 26\nmodel name\t: Sample CPU @ 2.40GHz\n";
	static const char status[] = "Name:\tsampleapp\nState:\tR (running)\nTgid:\t4199\n"
				     "Pid:\t4199\nPPid:\t4100\nThreads:\t6\nVmRSS:\t   48312 kB\n";
	static const char lsb[] = "DISTRIB_ID=Debian\nDISTRIB_RELEASE=12\n"
				  "DISTRIB_CODENAME=bookworm\nDISTRIB_DESCRIPTION=\"Debian GNU/Linux 12\"\n";
	static const char cmdline[] = "/opt/sample/bin/sampleapp\0--crash\0ipc";
	static const char env[] = "LANG=C.UTF-8\0HOME=/home/sample\0DISPLAY=:0";
	static const char maps[] =
		"555555554000-55555555c000 r-xp 00000000 08:01 131 /opt/sample/bin/sampleapp\n"
		"5555555a0000-5555555c1000 rw-p 00000000 00:00 0 [heap]\n"
		"7f3a12000000-7f3a121c0000 r-xp 00000000 08:01 262 /lib/x86_64-linux-gnu/libc.so.6\n"
		"7f3a14000000-7f3a14010000 r-xp 00000000 08:01 140 /opt/sample/lib/libsamplegui.so\n"
		"7ffc0fff0000-7ffc10011000 rw-p 00000000 00:00 0 [stack]\n";
	synth_linux_text(s, MD_STREAM_LINUX_CPU_INFO, cpuinfo, sizeof cpuinfo - 1);
	synth_linux_text(s, MD_STREAM_LINUX_PROC_STATUS, status, sizeof status - 1);
	synth_linux_text(s, MD_STREAM_LINUX_LSB_RELEASE, lsb, sizeof lsb - 1);
	synth_linux_text(s, MD_STREAM_LINUX_CMD_LINE, cmdline, sizeof cmdline - 1);
	synth_linux_text(s, MD_STREAM_LINUX_ENVIRON, env, sizeof env - 1);
	synth_linux_text(s, MD_STREAM_LINUX_MAPS, maps, sizeof maps - 1);
	/* AT_PAGESZ, AT_ENTRY, AT_BASE (the dynamic loader), AT_NULL */
	static const uint64_t auxv[8] = { 6, 4096, 9, APP_BASE + 0x1040, 7, 0x7f3a15000000, 0, 0 };
	synth_auxv(s, auxv, 4, 8);
	static const synth_link_map lm[3] = {
		{ APP_BASE, APP_BASE + 0x3de8, "/opt/sample/bin/sampleapp" },
		{ LIBC_BASE, LIBC_BASE + 0x1bcb80, "/lib/x86_64-linux-gnu/libc.so.6" },
		{ GUI_BASE, GUI_BASE + 0xdd80, "/opt/sample/lib/libsamplegui.so" },
	};
	synth_dso_debug(s, &(synth_dso){ .version = 1, .maps = lm, .nmaps = 3,
					       .brk = 0, .ldbase = 0x7f3a15000000,
					       .dynamic = APP_BASE + 0x3de8 });
}

/* Firefox's .extra: one JSON object, every value a string; the user's
 * comment is in Japanese and French, as comments come. No URL: Firefox
 * sends it only when asked. No MozCrashReason either: a plain SIGSEGV has
 * none (MOZ_CRASH and failed release assertions set it). */
static const char extra[] =
	"{\n"
	"  \"ProductName\": \"SampleApp\",\n"
	"  \"ProductID\": \"{6a1e0c3b-8f2d-4c55-9a77-0e5a1f3d2b10}\",\n"
	"  \"Vendor\": \"Crashdesk\",\n"
	"  \"Version\": \"1.4.0a1\",\n"
	"  \"BuildID\": \"20261101093012\",\n"
	"  \"ReleaseChannel\": \"nightly\",\n"
	"  \"CrashTime\": \"1790000000\",\n"
	"  \"StartupTime\": \"1789999940\",\n"
	"  \"InstallTime\": \"1788000000\",\n"
	"  \"UptimeTS\": \"60.25\",\n"
	"  \"LastInteractionDuration\": \"4\",\n"
	"  \"ProcessType\": \"parent\",\n"
	"  \"StartupCrash\": \"0\",\n"
	"  \"SafeMode\": \"0\",\n"
	"  \"useragent_locale\": \"ja-JP\",\n"
	"  \"TotalPhysicalMemory\": \"16777216000\",\n"
	"  \"AvailablePhysicalMemory\": \"2147483648\",\n"
	"  \"AvailableVirtualMemory\": \"137438953472\",\n"
	"  \"AvailablePageFile\": \"4294967296\",\n"
	"  \"ContentSandboxLevel\": \"4\",\n"
	"  \"IPCChannelError\": \"\",\n"
	"  \"Comments\": \"\\u5199\\u771f\\u3092\\u958b\\u3044\\u305f\\u3089\\u843d\\u3061\\u307e\\u3057\\u305f \\u2014 "
	"plant\\u00e9 en ouvrant l'album\",\n"
	"  \"Notes\": \"sample crash written by tests/mksample\"\n"
	"}\n";

/* Breakpad's debug identifier of an ELF module: the build id's first 16
 * bytes as a GUID (the first three fields little-endian), then age 0. */
static void debug_id(const uint8_t *b, char out[34])
{
	snprintf(out, 34, "%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X0",
		 b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

/* sampleapp: every record kind. ReadMessage() has STACK CFI (its caller is
 * found by it); IOThread::Run() and ThreadMain() have none (frame pointer,
 * then a scan). ReadU32 is inlined into ParseHeader, itself inlined into
 * ReadMessage; the line records of inlined code name the header. */
static const char app_sym[] =
	"MODULE Linux x86_64 %s sampleapp\n"
	"INFO CODE_ID %s\n"
	"INFO GENERATOR crashdesk tests/mksample\n"
	"FILE 0 /build/sample/src/main.cc\n"
	"FILE 1 /build/sample/src/event_loop.cc\n"
	"FILE 2 /build/sample/src/event_loop.h\n"
	"FILE 3 /build/sample/src/ipc/channel.cc\n"
	"FILE 4 /build/sample/src/ipc/message.h\n"
	"FILE 5 /build/sample/src/ipc/io_thread.cc\n"
	"FILE 6 /build/sample/src/base/thread.cc\n"
	"INLINE_ORIGIN 0 sample::EventLoop::PollOnce(int)\n"
	"INLINE_ORIGIN 1 ipc::Message::ParseHeader(char const*, unsigned long)\n"
	"INLINE_ORIGIN 2 ipc::ReadU32(char const*)\n"
	"FUNC 1200 60 0 main\n"
	"1200 10 12 0\n"
	"1210 30 14 0\n"
	"1240 20 15 0\n"
	"FUNC 1980 100 0 sample::EventLoop::Run()\n"
	"INLINE 0 42 1 0 1a20 20\n"
	"1980 a0 40 1\n"
	"1a20 20 88 2\n"
	"1a40 40 44 1\n"
	"FUNC 2100 e0 0 ipc::Channel::ReadMessage()\n"
	"INLINE 0 97 3 1 21a0 20\n"
	"INLINE 1 63 4 2 21b0 10\n"
	"2100 20 88 3\n"
	"2120 80 92 3\n"
	"21a0 10 60 4\n"
	"21b0 10 41 4\n"
	"21c0 20 99 3\n"
	"FUNC 2200 60 0 ipc::IOThread::Run()\n"
	"2200 8 20 5\n"
	"2208 40 23 5\n"
	"2248 18 24 5\n"
	"FUNC 2400 100 0 base::Thread::ThreadMain()\n"
	"2400 70 51 6\n"
	"2470 20 57 6\n"
	"2490 70 58 6\n"
	"PUBLIC 1000 0 _init\n"
	"PUBLIC 1040 0 _start\n"
	"PUBLIC 2600 0 sample_sigsegv_handler\n"
	"STACK CFI INIT 1200 60 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
	"STACK CFI 1201 .cfa: $rsp 16 + $rbp: .cfa -16 + ^\n"
	"STACK CFI 1204 .cfa: $rbp 16 +\n"
	"STACK CFI INIT 2100 e0 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
	"STACK CFI 2101 .cfa: $rsp 16 + $rbp: .cfa -16 + ^\n"
	"STACK CFI 2104 .cfa: $rbp 16 +\n";

/* libsamplegui.so: functions and a PUBLIC, no CFI (frame pointers). */
static const char gui_sym[] =
	"MODULE Linux x86_64 %s libsamplegui.so\n"
	"INFO CODE_ID %s\n"
	"FILE 0 /build/sample/gui/compositor.cc\n"
	"FILE 1 /build/sample/gui/plugin_host.cc\n"
	"FUNC 4100 80 0 gui::Compositor::WaitForVsync()\n"
	"4100 80 131 0\n"
	"FUNC 5280 100 0 gui::Compositor::ThreadMain(void*)\n"
	"5280 100 210 0\n"
	"FUNC 5400 80 0 gui::PluginHost::Unload()\n"
	"5400 80 77 1\n"
	"PUBLIC 3000 0 gui_init\n"
	"PUBLIC 6000 0 gui_run_plugin_callback\n";

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static int write_sym(const char *dir, const char *name, const uint8_t *build_id,
		     const char *tmpl)
{
	char id[34], code[41], path[4096], text[8192];
	debug_id(build_id, id);
	for (int i = 0; i < 20; i++)
		snprintf(code + 2 * i, 3, "%02X", build_id[i]);
	snprintf(path, sizeof path, "%s/symbols/%s/%s", dir, name, id);
	cd_err e;
	if (cd_mkdir_p(path, 0755, &e) != CD_OK) {
		fprintf(stderr, "mksample: %s\n", e.msg);
		return -1;
	}
	snprintf(path, sizeof path, "%s/symbols/%s/%s/%s.sym", dir, name, id, name);
	snprintf(text, sizeof text, tmpl, id, code);
	return write_text(path, text);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	char path[4096];
	synth *s = synth_new();
	write_dump(s);
	snprintf(path, sizeof path, "%s/sample.dmp", dir);
	int rc = synth_write_file(s, path);
	synth_free(s);
	if (rc != 0) {
		perror(path);
		return 1;
	}
	snprintf(path, sizeof path, "%s/sample.extra", dir);
	if (write_text(path, extra) || write_sym(dir, "sampleapp", app_id, app_sym) ||
	    write_sym(dir, "libsamplegui.so", gui_id, gui_sym))
		return 1;
	return 0;
}
