/*
 * disasm.c - the instructions around an address, from the dump's captured
 * memory, decoded with capstone (x86, amd64, arm64, arm/thumb) for the
 * TUI's disassembly pane. Instructions before an address are ambiguous on
 * x86 (they have no fixed length): decoding starts at the earliest byte
 * whose instruction stream lands exactly on the address, so the listing
 * agrees with the instruction the crash is at.
 */
#include <string.h>

#include <capstone/capstone.h>

#include "process.h"

/* The window read around addr: enough for `before` x86 instructions of
 * average length, and all of `after`. */
#define BACK_BYTES 96
#define AHEAD_BYTES 160

/* Bytes of [addr, addr + n) present in the dump, as far as they go from
 * the start; the count. */
static size_t read_run(const md_dump *d, uint64_t addr, uint8_t *dst, size_t n)
{
	size_t k = 0;
	/* Most windows lie in one region: one read, else byte by byte. */
	if (md_read_memory(d, addr, dst, n) == CD_OK)
		return n;
	while (k < n && md_read_memory(d, addr + k, dst + k, 1) == CD_OK)
		k++;
	return k;
}

static int open_for(const md_dump *d, csh *h, int *step)
{
	cs_arch arch;
	cs_mode mode;
	*step = 1;
	switch (d->sysinfo.cpu) {
	case MD_CPU_AMD64: arch = CS_ARCH_X86; mode = CS_MODE_64; break;
	case MD_CPU_X86: arch = CS_ARCH_X86; mode = CS_MODE_32; break;
	case MD_CPU_ARM64: arch = CS_ARCH_ARM64; mode = CS_MODE_ARM; *step = 4; break;
	case MD_CPU_ARM: {
		/* Thumb when the crashing context says so (CPSR's T bit). */
		const md_context *c = d->exception.has_context ? &d->exception.context : NULL;
		int cpsr = c ? md_reg_index(c->cpu, "cpsr") : -1;
		int thumb = c && cpsr >= 0 && (c->regs[cpsr] >> 5 & 1);
		arch = CS_ARCH_ARM;
		mode = thumb ? CS_MODE_THUMB : CS_MODE_ARM;
		*step = thumb ? 2 : 4;
		break;
	}
	default: return CD_EUSAGE;
	}
	if (cs_open(arch, mode, h) != CS_ERR_OK)
		return CD_EUSAGE;
	cs_option(*h, CS_OPT_DETAIL, CS_OPT_ON);
	return CD_OK;
}

/* A direct jump's or call's destination, 0 when it has none. */
static uint64_t branch_target(const md_dump *d, const cs_insn *in)
{
	const cs_detail *x = in->detail;
	int branch = 0;
	for (uint8_t g = 0; x && g < x->groups_count; g++)
		branch |= x->groups[g] == CS_GRP_JUMP || x->groups[g] == CS_GRP_CALL;
	if (!branch)
		return 0;
	switch (d->sysinfo.cpu) {
	case MD_CPU_AMD64:
	case MD_CPU_X86:
		if (x->x86.op_count == 1 && x->x86.operands[0].type == X86_OP_IMM)
			return (uint64_t)x->x86.operands[0].imm;
		break;
	case MD_CPU_ARM64:
		for (uint8_t i = 0; i < x->arm64.op_count; i++)
			if (x->arm64.operands[i].type == ARM64_OP_IMM)
				return (uint64_t)x->arm64.operands[i].imm;
		break;
	case MD_CPU_ARM:
		for (uint8_t i = 0; i < x->arm.op_count; i++)
			if (x->arm.operands[i].type == ARM_OP_IMM)
				return (uint32_t)x->arm.operands[i].imm;
		break;
	default: break;
	}
	return 0;
}

static void fill(const md_dump *d, const cs_insn *in, proc_insn *o)
{
	memset(o, 0, sizeof *o);
	o->addr = in->address;
	o->len = (uint8_t)(in->size < sizeof o->bytes ? in->size : sizeof o->bytes);
	memcpy(o->bytes, in->bytes, o->len);
	if (d->sysinfo.cpu == MD_CPU_AMD64 || d->sysinfo.cpu == MD_CPU_X86)
		proc__insn_text(in, o->text, sizeof o->text);
	else
		snprintf(o->text, sizeof o->text, "%s%s%s", in->mnemonic, in->op_str[0] ? " " : "",
			 in->op_str);
	o->target = branch_target(d, in);
}

int proc_disassemble(const md_dump *d, uint64_t addr, int is_return, int before, int after,
		     proc_insn *out, int max, int *n, int *at)
{
	*n = 0;
	*at = -1;
	csh h;
	int step;
	if (open_for(d, &h, &step) != CD_OK)
		return CD_EUSAGE;
	uint8_t buf[BACK_BYTES + AHEAD_BYTES];
	uint64_t back = addr >= BACK_BYTES ? BACK_BYTES : addr - addr % (uint64_t)step;
	back -= back % (uint64_t)step;
	/* The window's start moves forward until its bytes are in the dump. */
	size_t got = 0;
	while (back && !(got = read_run(d, addr - back, buf, sizeof buf)))
		back -= (uint64_t)step;
	if (!back)
		got = read_run(d, addr, buf, AHEAD_BYTES);
	if (got <= back) {
		cs_close(&h);
		return CD_ENOTFOUND;
	}
	cs_insn *ins = NULL;
	size_t count = 0;
	uint64_t start = addr - back;
	/* The earliest start whose stream reaches addr exactly. */
	for (uint64_t off = 0; off <= back; off += (uint64_t)step) {
		cs_free(ins, count);
		count = cs_disasm(h, buf + off, got - off, start + off, 0, &ins);
		for (size_t i = 0; i < count; i++) {
			if (ins[i].address == addr) {
				*at = (int)i;
				break;
			}
			if (ins[i].address > addr)
				break;
		}
		if (*at >= 0)
			break;
	}
	if (*at < 0) { /* no stream reaches it: from addr itself */
		cs_free(ins, count);
		count = cs_disasm(h, buf + back, got - back, addr, 0, &ins);
		*at = count ? 0 : -1;
	} else if (is_return) {
		/* The call: the instruction that ends where the return lands. */
		*at = *at > 0 && ins[*at - 1].address + ins[*at - 1].size == addr ? *at - 1 : -1;
	}
	if (*at < 0 && is_return) {
		cs_free(ins, count);
		cs_close(&h);
		return CD_ENOTFOUND;
	}
	int first = *at > before ? *at - before : 0;
	for (size_t i = (size_t)first; i < count && *n < max && (int)i <= *at + after; i++)
		fill(d, &ins[i], &out[(*n)++]);
	if (*at >= 0)
		*at -= first;
	cs_free(ins, count);
	cs_close(&h);
	return *n ? CD_OK : CD_ENOTFOUND;
}
