/*
 * json.c - the processed crash in rust-minidump's JSON schema, which
 * Socorro consumes. Hex strings are zero-padded to the CPU's width, as
 * rust-minidump prints them. Where the schema document and Socorro differ,
 * Socorro wins: crash_info.crashing_thread is an index into threads.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "../symbols/symbols.h"
#include "../unwind/unwind.h"
#include "process.h"

#define SET(o, k, v) json_object_set_new(o, k, v)

static json_t *hexw(uint64_t v, int wide)
{
	char s[24];
	snprintf(s, sizeof s, wide ? "0x%016llx" : "0x%08llx", (unsigned long long)v);
	return json_string(s);
}

static json_t *str_or_null(const char *s)
{
	if (!s || !*s)
		return json_null();
	json_t *j = json_string(s);
	return j ? j : json_null(); /* not UTF-8: dropped rather than mangled */
}

static json_t *registers(const md_context *c, int wide)
{
	json_t *o = json_object();
	int n;
	const char *const *names = md_reg_names(c->cpu, &n);
	for (int i = 0; i < n; i++)
		if (c->valid >> i & 1)
			SET(o, names[i], hexw(c->regs[i], wide));
	return o;
}

static json_t *frame_json(const md_dump *d, const walk_frame *f, uint32_t index, int wide)
{
	json_t *o = json_object();
	uint64_t addr = md_context_pc(&f->regs);
	SET(o, "frame", json_integer(index));
	SET(o, "trust", json_string(walk_trust_name(f->trust)));
	SET(o, "offset", hexw(addr, wide));
	if (f->module) {
		SET(o, "module", str_or_null(cd_basename(f->module->code_file)));
		SET(o, "module_offset", hexw(addr - f->module->base, wide));
	} else {
		SET(o, "module", json_null());
		SET(o, "module_offset", json_null());
	}
	if (f->has_function) {
		SET(o, "function", str_or_null(f->sym.function));
		SET(o, "function_offset",
		    hexw(addr - f->module->base - f->sym.function_addr, wide));
		SET(o, "file", str_or_null(f->sym.file));
		SET(o, "line", f->sym.line > 0 ? json_integer(f->sym.line) : json_null());
		json_t *inl = json_array();
		for (uint32_t k = 0; k < f->sym.ninlines; k++) {
			json_t *x = json_object();
			SET(x, "function", str_or_null(f->sym.inlines[k].function));
			SET(x, "file", str_or_null(f->sym.inlines[k].file));
			SET(x, "line", f->sym.inlines[k].line > 0 ? json_integer(f->sym.inlines[k].line)
								  : json_null());
			json_array_append_new(inl, x);
		}
		SET(o, "inlines", inl);
	} else {
		SET(o, "function", json_null());
		SET(o, "function_offset", json_null());
		SET(o, "file", json_null());
		SET(o, "line", json_null());
	}
	SET(o, "missing_symbols", json_boolean(f->module && !f->has_symbols));
	/* A pc in an old mapping of an unloaded module names it. */
	json_t *un = json_array();
	for (uint32_t i = 0; i < d->nunloaded; i++) {
		const md_unloaded_module *u = &d->unloaded[i];
		if (addr - u->base < u->size) {
			json_t *x = json_object();
			SET(x, "module", str_or_null(cd_basename(u->code_file)));
			json_t *offs = json_array();
			json_array_append_new(offs, hexw(addr - u->base, wide));
			SET(x, "offsets", offs);
			json_array_append_new(un, x);
		}
	}
	if (json_array_size(un))
		SET(o, "unloaded_modules", un);
	else
		json_decref(un);
	SET(o, "registers", registers(&f->regs, wide));
	return o;
}

static json_t *thread_json(const md_dump *d, uint32_t i, const walk_stack *s, int wide)
{
	json_t *o = json_object();
	const md_thread *t = &d->threads[i];
	SET(o, "thread_id", json_integer(t->id));
	SET(o, "thread_name", str_or_null(t->name));
	SET(o, "last_error_value", json_null());
	SET(o, "frame_count", json_integer(s->nframes));
	json_t *frames = json_array();
	for (uint32_t k = 0; k < s->nframes; k++)
		json_array_append_new(frames, frame_json(d, &s->frames[k], k, wide));
	SET(o, "frames", frames);
	return o;
}

void *proc_json(const md_dump *d, const walk_stack *stacks, proc_module_status_fn status,
		void *status_ctx, const proc_annotations *annotations)
{
	int wide = d->sysinfo.cpu != MD_CPU_X86 && d->sysinfo.cpu != MD_CPU_ARM;
	json_t *root = json_object();
	/* "OK", or what could not be read: "DAMAGED: ThreadList partial, ...";
	 * the problems themselves follow in "problems". */
	char state[1024] = "OK";
	if (d->nproblems) {
		size_t n = (size_t)snprintf(state, sizeof state, "DAMAGED:");
		int any = 0;
		for (uint32_t i = 0; i < d->ndir && n < sizeof state - 64; i++) {
			const md_dir_entry *de = &d->dir[i];
			if (de->state != MD_STREAM_PARTIAL && de->state != MD_STREAM_BAD)
				continue;
			const char *nm = md_stream_type_name(de->type);
			char unknown[16];
			snprintf(unknown, sizeof unknown, "0x%x", de->type);
			n += (size_t)snprintf(state + n, sizeof state - n, "%s %s %s", any ? "," : "",
					      nm ? nm : unknown, md_stream_state_name(de->state));
			any = 1;
		}
		if (!any)
			snprintf(state + n, sizeof state - n, " see problems");
	}
	SET(root, "status", json_string(state));
	if (d->misc.has_pid)
		SET(root, "pid", json_integer(d->misc.pid));
	uint64_t up;
	if (md_process_uptime(d, &up) == CD_OK)
		SET(root, "process_uptime", json_integer((json_int_t)up));

	proc_reason r;
	proc_crash_reason(d, &r);
	int crashing = -1;
	for (uint32_t i = 0; r.has_exception && i < d->nthreads; i++)
		if (d->threads[i].id == d->exception.thread_id)
			crashing = (int)i;
	json_t *ci = json_object();
	SET(ci, "type", json_string(r.text));
	SET(ci, "address", r.has_exception ? hexw(r.address, wide) : json_null());
	SET(ci, "crashing_thread", crashing >= 0 ? json_integer(crashing) : json_null());
	/* The minidump's own assertion stream first, else Firefox's
	 * AbortMessage annotation. */
	char abuf[1024];
	const char *assertion = proc_assertion(d, abuf, sizeof abuf) ? abuf
				: annotations ? proc_annotation(annotations, "AbortMessage") : NULL;
	SET(ci, "assertion", str_or_null(assertion));
	SET(root, "crash_info", ci);

	const md_system_info *si = &d->sysinfo;
	json_t *sys = json_object();
	char buf[512];
	SET(sys, "os", json_string(si->os));
	snprintf(buf, sizeof buf, "%u.%u.%u%s%s", si->major, si->minor, si->build,
		 si->csd_version[0] ? " " : "", si->csd_version);
	SET(sys, "os_ver", str_or_null(buf));
	SET(sys, "cpu_arch", json_string(md_cpu_name(si->cpu)));
	snprintf(buf, sizeof buf, "%s%sfamily %u model %u stepping %u", si->cpu_vendor,
		 si->cpu_vendor[0] ? " " : "", si->level, si->revision >> 8, si->revision & 0xff);
	SET(sys, "cpu_info", str_or_null(buf));
	SET(sys, "cpu_count", json_integer(si->ncpus));
	SET(sys, "cpu_microcode_version", json_null());
	SET(root, "system_info", sys);

	SET(root, "thread_count", json_integer(d->nthreads));
	json_t *threads = json_array();
	for (uint32_t i = 0; i < d->nthreads; i++)
		json_array_append_new(threads, thread_json(d, i, &stacks[i], wide));
	SET(root, "threads", threads);
	if (crashing >= 0) {
		json_t *ct = thread_json(d, (uint32_t)crashing, &stacks[crashing], wide);
		SET(ct, "threads_index", json_integer(crashing));
		if (stacks[crashing].nframes)
			SET(ct, "registers", registers(&stacks[crashing].frames[0].regs, wide));
		SET(root, "crashing_thread", ct);
	} else {
		SET(root, "crashing_thread", json_null());
	}

	SET(root, "main_module", d->nmodules ? json_integer(0) : json_null());
	SET(root, "modules_contains_cert_info", json_false());
	json_t *mods = json_array();
	for (uint32_t i = 0; i < d->nmodules; i++) {
		const md_module *m = &d->modules[i];
		int st = status ? status(status_ctx, m) : SYM_STATUS_UNKNOWN;
		json_t *o = json_object();
		SET(o, "base_addr", hexw(m->base, wide));
		SET(o, "end_addr", hexw(m->base + m->size, wide));
		SET(o, "filename", str_or_null(cd_basename(m->code_file)));
		SET(o, "debug_file", str_or_null(cd_basename(m->debug_file)));
		SET(o, "debug_id", str_or_null(m->debug_id));
		SET(o, "code_id", str_or_null(m->code_id));
		SET(o, "version", str_or_null(m->version));
		SET(o, "cert_subject", json_null());
		SET(o, "missing_symbols", json_boolean(st == SYM_STATUS_MISSING));
		SET(o, "loaded_symbols", json_boolean(st == SYM_STATUS_LOADED || st == SYM_STATUS_CORRUPT));
		SET(o, "corrupt_symbols", json_boolean(st == SYM_STATUS_CORRUPT));
		SET(o, "symbol_url", json_null());
		json_array_append_new(mods, o);
	}
	SET(root, "modules", mods);
	json_t *un = json_array();
	for (uint32_t i = 0; i < d->nunloaded; i++) {
		const md_unloaded_module *u = &d->unloaded[i];
		json_t *o = json_object();
		SET(o, "base_addr", hexw(u->base, wide));
		SET(o, "end_addr", hexw(u->base + u->size, wide));
		SET(o, "filename", str_or_null(cd_basename(u->code_file)));
		SET(o, "code_id", json_null());
		SET(o, "cert_subject", json_null());
		json_array_append_new(un, o);
	}
	SET(root, "unloaded_modules", un);
	if (d->crashpad_state && d->crashpad.nsimple) {
		json_t *a = json_object();
		for (uint32_t i = 0; i < d->crashpad.nsimple; i++) {
			json_t *v = str_or_null(d->crashpad.simple[i].value);
			if (json_string(d->crashpad.simple[i].key))
				SET(a, d->crashpad.simple[i].key, v);
			else
				json_decref(v);
		}
		SET(root, "crashpad_annotations", a);
	}
	json_t *probs = json_array();
	for (uint32_t i = 0; i < d->nproblems; i++) {
		const md_problem *p = &d->problems[i];
		json_t *o = json_object();
		const char *nm = md_stream_type_name(p->stream_type);
		SET(o, "stream", str_or_null(p->stream_type ? (nm ? nm : "unknown") : "header"));
		SET(o, "offset", hexw(p->offset, 1));
		SET(o, "message", str_or_null(p->message));
		json_array_append_new(probs, o);
	}
	SET(root, "problems", probs);
	if (annotations) {
		json_t *a = json_object();
		for (uint32_t i = 0; i < annotations->n; i++)
			SET(a, annotations->kv[i].key, str_or_null(annotations->kv[i].value));
		SET(root, "annotations", a);
	}
	return root;
}
