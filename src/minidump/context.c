/*
 * context.c - CPU contexts of x86, amd64, arm and arm64 (both of Breakpad's
 * arm64 layouts), decoded into one register array per CPU with a mask of
 * the registers the context_flags say are present.
 */
#include <string.h>

#include "internal.h"

static const char *const x86_names[] = {
	"eip", "esp", "ebp", "ebx", "esi", "edi", "eax", "ecx", "edx", "eflags",
	"cs", "ds", "es", "fs", "gs", "ss",
};
static const char *const amd64_names[] = {
	"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9",
	"r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags",
	"cs", "ds", "es", "fs", "gs", "ss",
};
static const char *const arm_names[] = {
	"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10",
	"r11", "r12", "sp", "lr", "pc", "cpsr",
};
static const char *const arm64_names[] = {
	"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
	"x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20",
	"x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "fp", "lr",
	"sp", "pc", "cpsr",
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *const *md_reg_names(md_cpu cpu, int *n)
{
	switch (cpu) {
	case MD_CPU_X86: *n = COUNT(x86_names); return x86_names;
	case MD_CPU_AMD64: *n = COUNT(amd64_names); return amd64_names;
	case MD_CPU_ARM: *n = COUNT(arm_names); return arm_names;
	case MD_CPU_ARM64: *n = COUNT(arm64_names); return arm64_names;
	default: *n = 0; return NULL;
	}
}

int md_reg_index(md_cpu cpu, const char *name)
{
	int n;
	const char *const *names = md_reg_names(cpu, &n);
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	/* Aliases people and sym files use. */
	if (cpu == MD_CPU_ARM) {
		if (!strcmp(name, "r13")) return MD_ARM_SP;
		if (!strcmp(name, "r14")) return MD_ARM_LR;
		if (!strcmp(name, "r15")) return MD_ARM_PC;
	}
	if (cpu == MD_CPU_ARM64) {
		if (!strcmp(name, "x29")) return MD_ARM64_FP;
		if (!strcmp(name, "x30")) return MD_ARM64_LR;
	}
	return -1;
}

const char *md_cpu_name(md_cpu cpu)
{
	switch (cpu) {
	case MD_CPU_X86: return "x86";
	case MD_CPU_AMD64: return "amd64";
	case MD_CPU_ARM: return "arm";
	case MD_CPU_ARM64: return "arm64";
	case MD_CPU_OTHER: return "other";
	default: return "unknown";
	}
}

static uint64_t reg_of(const md_context *c, int pc_or_sp)
{
	static const int idx[][2] = {
		[MD_CPU_X86] = { MD_X86_EIP, MD_X86_ESP },
		[MD_CPU_AMD64] = { MD_AMD64_RIP, MD_AMD64_RSP },
		[MD_CPU_ARM] = { MD_ARM_PC, MD_ARM_SP },
		[MD_CPU_ARM64] = { MD_ARM64_PC, MD_ARM64_SP },
	};
	if (c->cpu < MD_CPU_X86 || c->cpu > MD_CPU_ARM64)
		return 0;
	int i = idx[c->cpu][pc_or_sp];
	return (c->valid >> i & 1) ? c->regs[i] : 0;
}

uint64_t md_context_pc(const md_context *c) { return reg_of(c, 0); }
uint64_t md_context_sp(const md_context *c) { return reg_of(c, 1); }

static void set(md_context *c, int i, uint64_t v, int valid)
{
	c->regs[i] = v;
	if (valid)
		c->valid |= (uint64_t)1 << i;
}

/* Flag bits shared by the CPUs' context_flags ("which registers"). */
#define F_CONTROL 0x1u
#define F_INTEGER 0x2u
#define F_SEGMENTS 0x4u

/* Some writers (Crashpad on macOS among them) set only the CPU bit. Such a
 * context still holds every register, as Breakpad and rust-minidump read
 * it; only when some group bit is set do the absent ones mean "missing". */
static uint32_t groups(uint64_t flags)
{
	return (flags & 0xff) ? (uint32_t)(flags & 0xff) : 0xff;
}

static void decode_x86(md_context *c, const uint8_t *p)
{
	uint32_t f = cd_le32(p), g = groups(f);
	int ctl = g & F_CONTROL, in = g & F_INTEGER, seg = g & F_SEGMENTS;
	c->flags = f;
	set(c, MD_X86_GS, cd_le32(p + 140), seg);
	set(c, MD_X86_FS, cd_le32(p + 144), seg);
	set(c, MD_X86_ES, cd_le32(p + 148), seg);
	set(c, MD_X86_DS, cd_le32(p + 152), seg);
	set(c, MD_X86_EDI, cd_le32(p + 156), in);
	set(c, MD_X86_ESI, cd_le32(p + 160), in);
	set(c, MD_X86_EBX, cd_le32(p + 164), in);
	set(c, MD_X86_EDX, cd_le32(p + 168), in);
	set(c, MD_X86_ECX, cd_le32(p + 172), in);
	set(c, MD_X86_EAX, cd_le32(p + 176), in);
	set(c, MD_X86_EBP, cd_le32(p + 180), ctl);
	set(c, MD_X86_EIP, cd_le32(p + 184), ctl);
	set(c, MD_X86_CS, cd_le32(p + 188), ctl);
	set(c, MD_X86_EFLAGS, cd_le32(p + 192), ctl);
	set(c, MD_X86_ESP, cd_le32(p + 196), ctl);
	set(c, MD_X86_SS, cd_le32(p + 200), ctl);
}

static void decode_amd64(md_context *c, const uint8_t *p)
{
	uint32_t f = cd_le32(p + 48), g = groups(f);
	int ctl = g & F_CONTROL, in = g & F_INTEGER, seg = g & F_SEGMENTS;
	/* Raw order rax rcx rdx rbx rsp rbp rsi rdi r8..r15 at 120, rip at 248. */
	static const int raw_to_dwarf[16] = {
		MD_AMD64_RAX, MD_AMD64_RCX, MD_AMD64_RDX, MD_AMD64_RBX,
		MD_AMD64_RSP, MD_AMD64_RBP, MD_AMD64_RSI, MD_AMD64_RDI,
		MD_AMD64_R8, MD_AMD64_R9, MD_AMD64_R10, MD_AMD64_R11,
		MD_AMD64_R12, MD_AMD64_R13, MD_AMD64_R14, MD_AMD64_R15,
	};
	c->flags = f;
	set(c, MD_AMD64_CS, cd_le16(p + 56), ctl);
	set(c, MD_AMD64_DS, cd_le16(p + 58), seg);
	set(c, MD_AMD64_ES, cd_le16(p + 60), seg);
	set(c, MD_AMD64_FS, cd_le16(p + 62), seg);
	set(c, MD_AMD64_GS, cd_le16(p + 64), seg);
	set(c, MD_AMD64_SS, cd_le16(p + 66), ctl);
	set(c, MD_AMD64_EFLAGS, cd_le32(p + 68), ctl);
	for (int i = 0; i < 16; i++) {
		int r = raw_to_dwarf[i];
		set(c, r, cd_le64(p + 120 + 8 * i), r == MD_AMD64_RSP ? ctl : in);
	}
	set(c, MD_AMD64_RIP, cd_le64(p + 248), ctl);
}

static void decode_arm(md_context *c, const uint8_t *p, int old)
{
	uint32_t f = cd_le32(p);
	/* The pre-standard flag value said nothing about register groups. */
	int in = old || (groups(f) & F_INTEGER);
	c->flags = f;
	for (int i = 0; i < 16; i++)
		set(c, i, cd_le32(p + 4 + 4 * i), in);
	set(c, MD_ARM_CPSR, cd_le32(p + 68), in);
}

/* Both arm64 layouts keep x0..x30, sp, pc contiguous; only where differs. */
static void decode_arm64(md_context *c, const uint8_t *p, int old)
{
	uint64_t f = old ? cd_le64(p) : cd_le32(p);
	int ctl, in;
	if (old) {
		/* Breakpad's old layout had one group for all integer registers. */
		ctl = in = (groups(f) & (F_CONTROL | F_INTEGER)) != 0;
	} else {
		ctl = groups(f) & F_CONTROL;
		in = groups(f) & F_INTEGER;
	}
	c->flags = f;
	c->old_layout = old;
	for (int i = 0; i < 29; i++)
		set(c, i, cd_le64(p + 8 + 8 * i), in);
	set(c, MD_ARM64_FP, cd_le64(p + 8 + 8 * 29), ctl);
	set(c, MD_ARM64_LR, cd_le64(p + 8 + 8 * 30), ctl);
	set(c, MD_ARM64_SP, cd_le64(p + 256), ctl);
	set(c, MD_ARM64_PC, cd_le64(p + 264), ctl);
	set(c, MD_ARM64_CPSR, old ? cd_le32(p + 272) : cd_le32(p + 4), ctl);
}

/* The CPU a raw context is for: exact sizes are unique, then flags, then
 * what SystemInfo says. */
static md_cpu identify(const md_dump *d, const uint8_t *p, uint32_t size, int *old)
{
	uint32_t f0 = size >= 4 ? cd_le32(p) : 0;
	uint32_t f48 = size >= 52 ? cd_le32(p + 48) : 0;
	*old = 0;
	if (size >= MD_CONTEXT_AMD64_SIZE && (f48 & 0xffffff00u) == MD_CONTEXT_AMD64)
		return MD_CPU_AMD64;
	if (size >= 204 && (f0 & 0xffffff00u) == MD_CONTEXT_X86)
		return MD_CPU_X86;
	if (size >= MD_CONTEXT_ARM64_SIZE && (f0 & 0xffffff00u) == MD_CONTEXT_ARM64)
		return MD_CPU_ARM64;
	if (size >= MD_CONTEXT_ARM64_OLD_SIZE && (f0 & 0xffffff00u) == MD_CONTEXT_ARM64_OLD) {
		*old = 1;
		return MD_CPU_ARM64;
	}
	if (size >= MD_CONTEXT_ARM_SIZE && (f0 & 0xffffff00u) == MD_CONTEXT_ARM)
		return MD_CPU_ARM;
	/* Breakpad's pre-standard ARM value: no CPU bits, 0x40 set, group bits
	 * beside it (its own test dumps use 0x42). */
	if (size >= MD_CONTEXT_ARM_SIZE && !(f0 & 0xffffff00u) && (f0 & MD_CONTEXT_ARM_OLD)) {
		*old = 1;
		return MD_CPU_ARM;
	}
	/* No CPU bits: trust the size when it matches the system's CPU. */
	md_cpu sys = d->sysinfo_state ? d->sysinfo.cpu : MD_CPU_UNKNOWN;
	if (sys == MD_CPU_AMD64 && size >= MD_CONTEXT_AMD64_SIZE)
		return MD_CPU_AMD64;
	if (sys == MD_CPU_X86 && size >= MD_CONTEXT_X86_SIZE)
		return MD_CPU_X86;
	if (sys == MD_CPU_ARM64 && size >= MD_CONTEXT_ARM64_SIZE)
		return MD_CPU_ARM64;
	if (sys == MD_CPU_ARM && size >= MD_CONTEXT_ARM_SIZE)
		return MD_CPU_ARM;
	return MD_CPU_UNKNOWN;
}

int md__context(md_dump *d, uint32_t stream, uint32_t size, uint32_t rva, md_context *out)
{
	memset(out, 0, sizeof *out);
	out->rva = rva;
	out->size = size;
	const uint8_t *p = md__at(d, rva, size);
	if (!p) {
		md__problem(d, stream, rva,
			    "context of %u bytes at 0x%x runs past the end of the file", size, rva);
		return CD_EFORMAT;
	}
	int old;
	md_cpu cpu = identify(d, p, size, &old);
	switch (cpu) {
	case MD_CPU_X86: decode_x86(out, p); break;
	case MD_CPU_AMD64: decode_amd64(out, p); break;
	case MD_CPU_ARM: decode_arm(out, p, old); break;
	case MD_CPU_ARM64: decode_arm64(out, p, old); break;
	default:
		md__problem(d, stream, rva,
			    "context of %u bytes with flags 0x%x is of no CPU crashdesk knows",
			    size, size >= 4 ? cd_le32(p) : 0);
		return CD_EFORMAT;
	}
	out->cpu = cpu;
	if (d->sysinfo_state && d->sysinfo.cpu != MD_CPU_UNKNOWN && d->sysinfo.cpu != cpu)
		md__problem(d, stream, rva, "context is %s but SystemInfo says %s",
			    md_cpu_name(cpu), md_cpu_name(d->sysinfo.cpu));
	return CD_OK;
}
