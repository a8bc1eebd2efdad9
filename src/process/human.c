/*
 * human.c - the processed crash as rust-minidump's human report
 * (minidump-stackwalk --human), line for line: the system block, the crash
 * and its address analysis, the requesting thread, the other threads, the
 * modules, unloaded modules and the streams it does not interpret.
 * Frame numbers count inline frames, as rust-minidump counts them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../symbols/symbols.h"
#include "../unwind/unwind.h"
#include "process.h"

/* A value at the CPU's pointer width, as rust-minidump's Address prints. */
static void put_addr(FILE *f, uint64_t v, int wide)
{
	fprintf(f, wide ? "0x%016llx" : "0x%08llx", (unsigned long long)v);
}

/* rust-minidump's general-purpose registers: the first n of md_reg_names. */
static int gpr_count(md_cpu cpu)
{
	switch (cpu) {
	case MD_CPU_X86: return 10;   /* eip .. eflags */
	case MD_CPU_AMD64: return 17; /* rax .. rip */
	case MD_CPU_ARM: return 16;   /* r0 .. pc */
	case MD_CPU_ARM64: return 33; /* x0 .. pc */
	default: return 0;
	}
}

/* The registers rust-minidump says a frame recovered: all of the context
 * for frame 0 and CFI frames; for frame-pointer and scanned callers only
 * the instruction, stack and frame pointers, which are all those methods
 * know (crashdesk carries the callee-saved ones along on the assumption
 * they were preserved; the report does not present that as recovered). */
static int reg_shown(const walk_frame *fr, int i, const char *name)
{
	if (!(fr->regs.valid >> i & 1))
		return 0;
	if (fr->trust != WALK_TRUST_FRAME_POINTER && fr->trust != WALK_TRUST_SCAN)
		return 1;
	static const char *const kept[] = { "eip", "esp", "ebp", "rip", "rsp", "rbp",
					    "pc", "sp", "fp", "lr" };
	for (size_t k = 0; k < sizeof kept / sizeof *kept; k++)
		if (!strcmp(name, kept[k]))
			return 1;
	return 0;
}

/* " reg = value" columns, a line never past 80 characters. */
static void put_registers(FILE *f, const walk_frame *fr, int wide)
{
	int n;
	const char *const *names = md_reg_names(fr->regs.cpu, &n);
	int g = gpr_count(fr->regs.cpu);
	char line[256] = "";
	size_t len = 0;
	for (int i = 0; i < n && i < g; i++) {
		if (!reg_shown(fr, i, names[i]))
			continue;
		char next[64];
		int k = snprintf(next, sizeof next, wide ? " %6s = 0x%016llx" : " %6s = 0x%08llx",
				 names[i], (unsigned long long)fr->regs.regs[i]);
		if (len + (size_t)k > 80) {
			fprintf(f, " %s\n", line);
			len = 0;
			line[0] = 0;
		}
		memcpy(line + len, next, (size_t)k + 1);
		len += (size_t)k;
	}
	if (len)
		fprintf(f, " %s\n", line);
}

static const char *found_by(walk_trust t)
{
	switch (t) {
	case WALK_TRUST_CONTEXT: return "given as instruction pointer in context";
	case WALK_TRUST_CFI: return "call frame info";
	case WALK_TRUST_FRAME_POINTER: return "previous frame's frame pointer";
	case WALK_TRUST_SCAN: return "stack scanning";
	default: return "unknown";
	}
}

static void put_stack(FILE *f, const md_dump *d, const walk_stack *s, int wide)
{
	if (!s->nframes)
		fputs("<no frames>\n", f);
	int n = 0;
	for (uint32_t i = 0; i < s->nframes; i++) {
		const walk_frame *fr = &s->frames[i];
		const char *mod = fr->module ? cd_basename(fr->module->code_file) : NULL;
		uint64_t addr = fr->pc;
		for (uint32_t k = 0; fr->has_function && k < fr->sym.ninlines; k++) {
			const sym_inline_frame *in = &fr->sym.inlines[k];
			fprintf(f, "%2d  %s!%s", n++, mod ? mod : "", in->function);
			if (in->file && *in->file && in->line > 0)
				fprintf(f, " [%s : %lld]", cd_basename(in->file), (long long)in->line);
			fputs("\n    Found by: inlining\n", f);
		}
		fprintf(f, "%2d  ", n++);
		if (fr->module && fr->has_function) {
			uint64_t fbase = fr->module->base + fr->sym.function_addr;
			fprintf(f, "%s!%s", mod, fr->sym.function);
			if (fr->sym.file && *fr->sym.file && fr->sym.line > 0) {
				/* From the line record's start; with inlines, from the
				 * start of the outermost inline's range (rust-minidump). */
				uint64_t rel = fr->sym.ninlines ? fr->sym.inline_addr : fr->sym.line_addr;
				uint64_t lbase = rel ? fr->module->base + rel : addr;
				fprintf(f, " [%s : %lld + 0x%llx]", cd_basename(fr->sym.file),
					(long long)fr->sym.line, (unsigned long long)(addr - lbase));
			} else {
				fprintf(f, " + 0x%llx", (unsigned long long)(addr - fbase));
			}
		} else if (fr->module) {
			fprintf(f, "%s + 0x%llx", mod, (unsigned long long)(addr - fr->module->base));
		} else {
			fprintf(f, "0x%llx", (unsigned long long)addr);
			for (uint32_t u = 0; u < d->nunloaded; u++) {
				const md_unloaded_module *um = &d->unloaded[u];
				if (addr - um->base < um->size)
					fprintf(f, " (unloaded %s@0x%llx)", cd_basename(um->code_file),
						(unsigned long long)(addr - um->base));
			}
		}
		fputc('\n', f);
		put_registers(f, fr, wide);
		fprintf(f, "    Found by: %s\n", found_by(fr->trust));
	}
	if (s->truncated)
		fprintf(f, "<stack cut after %u frames: crashdesk's walk limit; the stack goes on>\n",
			s->nframes);
}

static void put_cert(FILE *f, json_t *certs, const char *code_file)
{
	const char *cert = json_string_value(json_object_get(certs, cd_basename(code_file)));
	if (cert)
		fprintf(f, " (%s)", cert);
	fputc('\n', f);
}

/* The crash address analysis, after "Crash address: ADDR". */
static void put_analysis(FILE *f, const proc_analysis *a, int wide)
{
	static const char *const types[] = { NULL, "Read", "Write", "ReadWrite" };
	if (a->adjusted) {
		fputs(" **\n", f);
		fputs(a->adjusted == PROC_ADJUSTED_NULL ? "    ** Null pointer detected with offset: "
							 : "    ** Non-canonical address detected: ", f);
		put_addr(f, a->adjusted_value, wide);
	}
	fputc('\n', f);
	if (a->decoded)
		fprintf(f, "Crashing instruction: `%s`\n", a->instruction);
	if (a->decoded && a->have_accesses) {
		fputs(a->naccesses ? "Memory accessed by instruction:\n"
				   : "No memory accessed by instruction\n", f);
		for (int i = 0; i < a->naccesses; i++) {
			const proc_access *x = &a->accesses[i];
			fprintf(f, "  %d. Address: ", i);
			put_addr(f, x->address, wide);
			if (x->size)
				fprintf(f, "\n     Size: %d\n", x->size);
			else
				fputs("\n     Size: Unknown\n", f);
			if (x->guard_page)
				fputs("     This address falls in a likely guard page.\n", f);
			if (types[x->type])
				fprintf(f, "     Access type: %s\n", types[x->type]);
		}
	}
	if (a->decoded && a->ip_update == PROC_IP_UPDATE) {
		fputs("Instruction pointer update done by instruction:\n  Address: ", f);
		put_addr(f, a->ip_target, wide);
		fputc('\n', f);
	} else if (a->decoded && a->ip_update == PROC_IP_NONE) {
		fputs("No instruction pointer update by instruction\n", f);
	}
	if (a->nflips) {
		proc_bitflip *v = malloc(a->nflips * sizeof *v);
		if (v) {
			proc_analysis_sorted_flips(a, v);
			fputs("Crashing address may be the result of a flipped bit:\n", f);
			for (size_t i = 0; i < a->nflips; i++) {
				fprintf(f, "  %zu. Valid address: %s%s", i, v[i].source_register,
					v[i].source_register[0] ? "=" : "");
				put_addr(f, v[i].address, wide);
				/* rust-minidump rounds the f32 itself */
				fprintf(f, " (%.3f)\n", (double)(float)v[i].confidence);
			}
			free(v);
		}
	}
	if (a->inconsistencies) {
		fputs("Crash is inconsistent:\n", f);
		for (unsigned bit = 1; bit <= PROC_INC_ACCESS_ALLOWED; bit <<= 1)
			if (a->inconsistencies & bit)
				fprintf(f, "  %s\n", proc_inconsistency_name(bit, 1));
	}
}

/* The streams rust-minidump knows of without interpreting them, by its
 * names, and those it does not know at all. */
static const struct { uint32_t type; const char *name; } unimplemented[] = {
	{ 0, "UnusedStream" }, { 1, "ReservedStream0" }, { 2, "ReservedStream1" },
	{ 0xffff, "LastReservedStream" }, { 8, "ThreadExListStream" }, { 10, "CommentStreamA" },
	{ 11, "CommentStreamW" }, { 13, "FunctionTable" }, { 18, "HandleOperationListStream" },
	{ 19, "TokenStream" }, { 20, "JavaScriptDataStream" }, { 21, "SystemMemoryInfoStream" },
	{ 22, "ProcessVmCountersStream" }, { 23, "IptTraceStream" }, { 0x8000, "ceStreamNull" },
	{ 0x8001, "ceStreamSystemInfo" }, { 0x8002, "ceStreamException" },
	{ 0x8003, "ceStreamModuleList" }, { 0x8004, "ceStreamProcessList" },
	{ 0x8005, "ceStreamThreadList" }, { 0x8006, "ceStreamThreadContextList" },
	{ 0x8007, "ceStreamThreadCallStackList" }, { 0x8008, "ceStreamMemoryVirtualList" },
	{ 0x8009, "ceStreamMemoryPhysicalList" }, { 0x800a, "ceStreamBucketParameters" },
	{ 0x800b, "ceStreamProcessModuleMap" }, { 0x800c, "ceStreamDiagnosisList" },
	{ 0x47670006, "LinuxCmdLine" }, { 0x47670008, "LinuxAuxv" }, { 0x4767000a, "LinuxDsoDebug" },
};
/* Every other type rust-minidump's MINIDUMP_STREAM_TYPE names. */
static const uint32_t known[] = {
	3, 4, 5, 6, 7, 9, 12, 14, 15, 16, 17, 24, 0x47670001, 0x47670002, 0x47670003, 0x47670004,
	0x47670005, 0x47670007, 0x47670009, 0x43500001, 0x4b6b0002, 0x4d7a0001, 0x4d7a0002,
	0x4d7a0003, 0x4d7a0004,
};

static const char *vendor(uint32_t type)
{
	if (type <= 0xffff)
		return "Official";
	switch (type & 0xffff0000u) {
	case 0x47670000u: return "Google Extension";
	case 0x4d7a0000u: return "Mozilla Extension";
	default: return "Unknown Extension";
	}
}

/* 0: known and interpreted; 1: known, not interpreted (*name set); 2: unknown. */
static int stream_kind(uint32_t type, const char **name)
{
	for (size_t i = 0; i < sizeof unimplemented / sizeof *unimplemented; i++)
		if (unimplemented[i].type == type) {
			*name = unimplemented[i].name;
			return 1;
		}
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (known[i] == type)
			return 0;
	return 2;
}

static int by_type_then_index(const void *a, const void *b)
{
	const md_dir_entry *x = *(const md_dir_entry *const *)a, *y = *(const md_dir_entry *const *)b;
	return x->type != y->type ? (x->type < y->type ? -1 : 1) : (x < y ? -1 : x > y);
}

/* The streams of a kind in rust-minidump's order: one per type (the last
 * of the directory's, as its map keeps), by type. */
static void put_streams(FILE *f, const md_dump *d, int kind, const char *title)
{
	const md_dir_entry **v = calloc(d->ndir ? d->ndir : 1, sizeof *v);
	if (!v)
		return;
	uint32_t n = 0;
	for (uint32_t i = 0; i < d->ndir; i++) {
		const char *name = NULL;
		if (stream_kind(d->dir[i].type, &name) == kind)
			v[n++] = &d->dir[i];
	}
	qsort(v, n, sizeof *v, by_type_then_index);
	int any = 0;
	for (uint32_t i = 0; i < n; i++) {
		const md_dir_entry *de = v[i];
		if (i + 1 < n && v[i + 1]->type == de->type)
			continue; /* a later one of the same type stands for it */
		const char *name = NULL;
		stream_kind(de->type, &name);
		if (!any++)
			fprintf(f, "\n%s\n", title);
		if (name)
			fprintf(f, "Stream 0x%08x %s (%s) @ 0x%08x\n", de->type, name, vendor(de->type),
				de->rva);
		else
			fprintf(f, "Stream 0x%08x (%s) @ 0x%08x\n", de->type, vendor(de->type), de->rva);
	}
	free(v);
}

/* qsort orders: by base address, ties in the dump's order. */
static int by_base(const void *a, const void *b)
{
	const md_module *x = *(const md_module *const *)a, *y = *(const md_module *const *)b;
	return x->base != y->base ? (x->base < y->base ? -1 : 1) : (x < y ? -1 : x > y);
}

static int by_unloaded_base(const void *a, const void *b)
{
	const md_unloaded_module *x = *(const md_unloaded_module *const *)a;
	const md_unloaded_module *y = *(const md_unloaded_module *const *)b;
	return x->base != y->base ? (x->base < y->base ? -1 : 1) : (x < y ? -1 : x > y);
}

void proc_crash_human(const proc_crash *c, int brief, FILE *f)
{
	const md_dump *d = c->dump;
	const md_system_info *si = &d->sysinfo;
	int wide = si->cpu != MD_CPU_X86 && si->cpu != MD_CPU_ARM;
	char buf[512];
	fprintf(f, "Operating system: %s\n", si->os);
	proc_os_version(si, buf, sizeof buf);
	fprintf(f, "                  %s\n", buf);
	fprintf(f, "CPU: %s\n", md_cpu_name(si->cpu));
	/* system_info.cpu_info, as the JSON has it */
	fprintf(f, "     %s%sfamily %u model %u stepping %u\n", si->cpu_vendor,
			si->cpu_vendor[0] ? " " : "", si->level, si->revision >> 8, si->revision & 0xff);
	fprintf(f, "     %u CPU%s\n", si->ncpus, si->ncpus > 1 ? "s" : "");
	proc_lsb_info lsb;
	if (proc_lsb(d, &lsb))
		fprintf(f, "Linux %s %s - %s (%s)\n", lsb.id, lsb.release, lsb.codename,
			lsb.description);
	fputc('\n', f);

	const proc_reason *r = &c->reason;
	if (r->has_exception) {
		fprintf(f, "Crash reason:  %s\n", r->text);
		fputs("Crash address: ", f);
		put_addr(f, r->address, wide);
		put_analysis(f, &c->analysis, wide);
	} else {
		fputs("No crash\n", f);
	}
	char assertion[1024];
	const char *a = proc_assertion(d, assertion, sizeof assertion) ? assertion : NULL;
	if (a && *a)
		fprintf(f, "Assertion: %s\n", a);
	/* rust-minidump prints these numbers in decimal after "0x". */
	proc_mac_record mac[PROC_MAC_RECORDS_MAX];
	int nmac;
	if (proc_mac_crash_info(d, mac, &nmac)) {
		fputs("Mac Crash Info:\n", f);
		for (int i = 0; i < nmac; i++) {
			const proc_mac_record *m = &mac[i];
			fprintf(f, "  Record %d\n", i);
			if (m->thread)
				fprintf(f, "    thread: 0x%llu\n", (unsigned long long)m->thread);
			if (m->dialog_mode)
				fprintf(f, "    dialog mode: 0x%llu\n", (unsigned long long)m->dialog_mode);
			if (m->abort_cause)
				fprintf(f, "    abort_cause: 0x%llu\n", (unsigned long long)m->abort_cause);
			static const char *const label[] = { "module", "message", "signature string",
							     "backtrace", "message2" };
			const char *v[] = { m->module, m->message, m->signature_string, m->backtrace,
					    m->message2 };
			for (int k = 0; k < 5; k++)
				if (v[k])
					fprintf(f, "    %s: %s\n", label[k], v[k]);
		}
		fputc('\n', f);
	}
	char boot[4096];
	if (proc_mac_boot_args(d, boot, sizeof boot))
		fprintf(f, "Mac Boot Args: %s\n\n", boot);
	uint64_t up;
	if (md_process_uptime(d, &up) == CD_OK)
		fprintf(f, "Process uptime: %llu seconds\n", (unsigned long long)up);
	else
		fputs("Process uptime: not available\n", f);
	fputc('\n', f);
	uint64_t maps;
	if (proc_map_count(d, &maps))
		fprintf(f, "Linux memory map count: %llu\n\n", (unsigned long long)maps);

	/* The crashing thread, else the one that asked for the dump. */
	int req = c->crashing_thread;
	for (uint32_t i = 0; req < 0 && d->breakpad.has_requesting_thread && i < d->nthreads; i++)
		if (d->threads[i].id == d->breakpad.requesting_thread_id)
			req = (int)i;
	if (req >= 0) {
		const md_thread *t = &d->threads[req];
		fprintf(f, "Thread %d %s (%s) - tid: %u\n", req, t->name ? t->name : "",
			r->has_exception ? "crashed" : "requested dump, did not crash", t->id);
		put_stack(f, d, &c->stacks[req], wide);
		fputc('\n', f);
	}
	if (brief)
		return;
	for (uint32_t i = 0; i < d->nthreads; i++) {
		const md_thread *t = &d->threads[i];
		if ((int)i == req ||
		    (d->breakpad.has_dump_thread && t->id == d->breakpad.dump_thread_id))
			continue;
		fprintf(f, "Thread %u %s - tid: %u\n", i, t->name ? t->name : "", t->id);
		put_stack(f, d, &c->stacks[i], wide);
	}

	/* By address, as rust-minidump lists them; the first is the main one;
	 * with the signer --evil-json's ModuleSignatureInfo names. */
	json_t *certs = proc_cert_map(c->have_annotations ? &c->annotations : NULL);
	fputs("\nLoaded modules:\n", f);
	const md_module **mv = calloc(d->nmodules ? d->nmodules : 1, sizeof *mv);
	for (uint32_t i = 0; mv && i < d->nmodules; i++)
		mv[i] = &d->modules[i];
	if (mv)
		qsort(mv, d->nmodules, sizeof *mv, by_base);
	for (uint32_t i = 0; mv && i < d->nmodules; i++) {
		const md_module *m = mv[i];
		char vbuf[64];
		const char *ver = proc_module_version(d, m, vbuf, sizeof vbuf);
		fprintf(f, "0x%08llx - 0x%08llx  %s  %s%s", (unsigned long long)m->base,
			(unsigned long long)(m->base + m->size - 1), cd_basename(m->code_file),
			ver ? ver : "???",
			m == &d->modules[0] ? "  (main)" : "");
		put_cert(f, certs, m->code_file);
	}
	free(mv);
	fputs("\nUnloaded modules:\n", f);
	const md_unloaded_module **uv = calloc(d->nunloaded ? d->nunloaded : 1, sizeof *uv);
	for (uint32_t i = 0; uv && i < d->nunloaded; i++)
		uv[i] = &d->unloaded[i];
	if (uv)
		qsort(uv, d->nunloaded, sizeof *uv, by_unloaded_base);
	for (uint32_t i = 0; uv && i < d->nunloaded; i++) {
		const md_unloaded_module *u = uv[i];
		fprintf(f, "0x%08llx - 0x%08llx  %s", (unsigned long long)u->base,
			(unsigned long long)(u->base + u->size - 1), cd_basename(u->code_file));
		put_cert(f, certs, u->code_file);
	}
	free(uv);
	json_decref(certs);
	put_streams(f, d, 1, "Unimplemented streams encountered:");
	put_streams(f, d, 2, "Unknown streams encountered:");
	/* The writer's own errors, as rust-minidump prints them: its JSON,
	 * indented, keys in order (serde_json's maps are sorted). */
	json_t *soft = proc_soft_errors(d);
	if (json_array_size(soft)) {
		fputs("\nSoft errors were encountered when minidump was written:\n", f);
		json_dumpf(soft, f, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', f);
	}
	json_decref(soft);
}
