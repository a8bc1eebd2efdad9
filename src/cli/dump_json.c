/*
 * dump_json.c - everything the minidump reader decoded, as one JSON tree.
 * `crashdesk dump --json` prints it; the human output is rendered from the
 * same tree, so the two can never disagree.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "../process/process.h"
#include "cli.h"

/* ---- safe values ------------------------------------------------------ */

/* JSON needs valid UTF-8; minidump strings are untrusted. Invalid bytes
 * become U+FFFD. */
static json_t *jstrn(const char *s, size_t n)
{
	if (!s)
		return json_null();
	json_t *j = json_stringn(s, n);
	if (j)
		return j;
	cd_buf b;
	cd_buf_init(&b, 0);
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		int ok = len && i + len <= n && c != 0;
		for (size_t k = 1; ok && k < len; k++)
			ok = ((unsigned char)s[i + k] >> 6) == 2;
		if (ok && len > 1 && !json_stringn(s + i, len))
			ok = 0; /* overlong or surrogate: let jansson judge */
		if (ok) {
			cd_buf_append(&b, s + i, len);
			i += len;
		} else {
			cd_buf_puts(&b, c == 0 ? "\\0" : "\xef\xbf\xbd");
			i++;
		}
	}
	j = json_stringn(b.data ? b.data : "", b.len);
	cd_buf_free(&b);
	return j ? j : json_string("");
}

static json_t *jstr(const char *s)
{
	return s ? jstrn(s, strlen(s)) : json_null();
}

static json_t *jhex(uint64_t v)
{
	char s[24];
	snprintf(s, sizeof s, "0x%llx", (unsigned long long)v);
	return json_string(s);
}

static json_t *jint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *jtime(uint64_t t)
{
	char s[32];
	cd_format_utc(t, s);
	return json_string(s);
}

#define SET(o, k, v) json_object_set_new(o, k, v)

static const char *stream_name(uint32_t type)
{
	const char *n = md_stream_type_name(type);
	return n ? n : "unknown";
}

/* ---- sections ---------------------------------------------------------- */

static json_t *header(const md_dump *d)
{
	json_t *o = json_object();
	SET(o, "signature", jhex(d->signature));
	SET(o, "version", jhex(d->version));
	SET(o, "stream_count", jint(d->stream_count));
	SET(o, "stream_directory_rva", jhex(d->dir_rva));
	SET(o, "checksum", jhex(d->checksum));
	SET(o, "time_date_stamp", jint(d->time_date_stamp));
	SET(o, "time", jtime(d->time_date_stamp));
	SET(o, "flags", jhex(d->flags));
	return o;
}

static json_t *directory(const md_dump *d)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < d->ndir; i++) {
		const md_dir_entry *e = &d->dir[i];
		json_t *o = json_object();
		SET(o, "index", jint(i));
		SET(o, "type", jhex(e->type));
		SET(o, "name", json_string(stream_name(e->type)));
		SET(o, "size", jint(e->size));
		SET(o, "rva", jhex(e->rva));
		SET(o, "state", json_string(e->duplicate ? "duplicate (ignored)"
					    : e->type == MD_STREAM_UNUSED ? "unused"
					    : md_stream_state_name(e->state)));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *context(const md_context *c)
{
	json_t *o = json_object();
	SET(o, "cpu", json_string(md_cpu_name(c->cpu)));
	SET(o, "context_flags", jhex(c->flags));
	if (c->old_layout)
		SET(o, "layout", json_string("breakpad-old"));
	json_t *regs = json_object(), *invalid = json_array();
	int n;
	const char *const *names = md_reg_names(c->cpu, &n);
	for (int i = 0; i < n; i++) {
		if (c->valid >> i & 1)
			SET(regs, names[i], jhex(c->regs[i]));
		else
			json_array_append_new(invalid, json_string(names[i]));
	}
	SET(o, "registers", regs);
	if (json_array_size(invalid))
		SET(o, "registers_not_in_context", invalid);
	else
		json_decref(invalid);
	return o;
}

static json_t *memory(const md_memory *m)
{
	json_t *o = json_object();
	SET(o, "start", jhex(m->base));
	SET(o, "end", jhex(m->base + m->size));
	SET(o, "size", jint(m->size));
	if (m->avail != m->size)
		SET(o, "bytes_in_file", jint(m->avail));
	SET(o, "rva", jhex(m->rva));
	return o;
}

json_t *dump_thread_json(const md_dump *d, uint32_t i)
{
	const md_thread *t = &d->threads[i];
	json_t *o = json_object();
	SET(o, "index", jint(i));
	SET(o, "thread_id", jhex(t->id));
	if (t->name)
		SET(o, "name", jstr(t->name));
	SET(o, "suspend_count", jint(t->suspend_count));
	SET(o, "priority_class", jhex(t->priority_class));
	SET(o, "priority", jhex(t->priority));
	SET(o, "teb", jhex(t->teb));
	SET(o, "stack", memory(&t->stack));
	if (t->backing_store.size)
		SET(o, "backing_store", memory(&t->backing_store));
	SET(o, "context", t->has_context ? context(&t->context) : json_null());
	return o;
}

static json_t *threads(const md_dump *d)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < d->nthreads; i++)
		json_array_append_new(a, dump_thread_json(d, i));
	return a;
}

static const char *cv_kind(md_cv_kind k)
{
	switch (k) {
	case MD_CV_PDB70: return "RSDS";
	case MD_CV_PDB20: return "NB10";
	case MD_CV_ELF: return "BpEL";
	case MD_CV_UNKNOWN: return "unknown";
	default: return "none";
	}
}

json_t *dump_module_json(const md_dump *d, uint32_t i)
{
	const md_module *m = &d->modules[i];
	json_t *o = json_object();
	SET(o, "index", jint(i));
	SET(o, "code_file", jstr(m->code_file));
	SET(o, "base", jhex(m->base));
	SET(o, "end", jhex(m->base + m->size));
	SET(o, "size", jhex(m->size));
	SET(o, "time_date_stamp", jhex(m->time_date_stamp));
	SET(o, "checksum", jhex(m->checksum));
	SET(o, "version", jstr(m->version));
	SET(o, "codeview", json_string(cv_kind(m->cv_kind)));
	SET(o, "debug_file", jstr(m->debug_file));
	SET(o, "debug_id", jstr(m->debug_id));
	SET(o, "code_id", jstr(m->code_id));
	if (m->damaged)
		SET(o, "damaged", json_true());
	return o;
}

static json_t *modules(const md_dump *d)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < d->nmodules; i++)
		json_array_append_new(a, dump_module_json(d, i));
	return a;
}

static json_t *unloaded(const md_dump *d)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < d->nunloaded; i++) {
		const md_unloaded_module *u = &d->unloaded[i];
		json_t *o = json_object();
		SET(o, "code_file", jstr(u->code_file));
		SET(o, "base", jhex(u->base));
		SET(o, "end", jhex(u->base + u->size));
		SET(o, "size", jhex(u->size));
		SET(o, "time_date_stamp", jhex(u->time_date_stamp));
		SET(o, "checksum", jhex(u->checksum));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *memory_list(const md_dump *d)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < d->nmemory; i++)
		json_array_append_new(a, memory(&d->memory[i]));
	return a;
}

static json_t *memory_info(const md_dump *d)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < d->nmeminfo; i++) {
		const md_memory_info *m = &d->meminfo[i];
		json_t *o = json_object();
		SET(o, "base", jhex(m->base));
		SET(o, "allocation_base", jhex(m->allocation_base));
		SET(o, "allocation_protection", jhex(m->allocation_protection));
		SET(o, "region_size", jhex(m->region_size));
		SET(o, "state", jhex(m->state));
		SET(o, "protection", jhex(m->protection));
		SET(o, "type", jhex(m->type));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *system_info(const md_dump *d)
{
	const md_system_info *s = &d->sysinfo;
	json_t *o = json_object();
	char v[64];
	SET(o, "os", json_string(s->os));
	SET(o, "os_short", json_string(s->os_short));
	snprintf(v, sizeof v, "%u.%u.%u", s->major, s->minor, s->build);
	SET(o, "os_version", json_string(v));
	SET(o, "csd_version", jstr(s->csd_version));
	SET(o, "platform_id", jhex(s->platform));
	SET(o, "cpu_arch", json_string(md_arch_name(s->arch)));
	SET(o, "processor_architecture", jhex(s->arch));
	/* Breakpad's and Socorro's cpu_info: family = level, model and
	 * stepping from the revision's two bytes. */
	snprintf(v, sizeof v, "%s%sfamily %u model %u stepping %u", s->cpu_vendor,
		 s->cpu_vendor[0] ? " " : "", s->level, s->revision >> 8, s->revision & 0xff);
	SET(o, "cpu_info", jstr(v));
	SET(o, "cpu_count", jint(s->ncpus));
	SET(o, "product_type", jint(s->product_type));
	SET(o, "suite_mask", jhex(s->suite_mask));
	return o;
}

static json_t *misc_info(const md_dump *d)
{
	const md_misc_info *m = &d->misc;
	json_t *o = json_object();
	SET(o, "size_of_info", jint(m->size));
	SET(o, "flags1", jhex(m->flags1));
	if (m->has_pid)
		SET(o, "process_id", jint(m->pid));
	if (m->has_times) {
		SET(o, "process_create_time", jint(m->create_time));
		SET(o, "process_create_time_utc", jtime(m->create_time));
		SET(o, "process_user_time", jint(m->user_time));
		SET(o, "process_kernel_time", jint(m->kernel_time));
	}
	uint64_t up;
	if (md_process_uptime(d, &up) == CD_OK)
		SET(o, "process_uptime_seconds", jint(up));
	if (m->has_power) {
		SET(o, "processor_max_mhz", jint(m->max_mhz));
		SET(o, "processor_current_mhz", jint(m->current_mhz));
	}
	if (m->build_string)
		SET(o, "build_string", jstr(m->build_string));
	return o;
}

static json_t *exception(const md_dump *d)
{
	const md_exception *x = &d->exception;
	json_t *o = json_object();
	proc_reason r;
	proc_crash_reason(d, &r);
	SET(o, "thread_id", jhex(x->thread_id));
	SET(o, "code", jhex(x->code));
	SET(o, "flags", jhex(x->flags));
	SET(o, "reason", json_string(r.text));
	SET(o, "record", jhex(x->record));
	SET(o, "address", jhex(x->address));
	json_t *p = json_array();
	for (uint32_t i = 0; i < x->nparams; i++)
		json_array_append_new(p, jhex(x->params[i]));
	SET(o, "parameters", p);
	SET(o, "context", x->has_context ? context(&x->context) : json_null());
	return o;
}

static json_t *kv_object(const md_kv *kv, uint32_t n)
{
	json_t *o = json_object();
	for (uint32_t i = 0; i < n; i++) {
		/* Keys must be valid UTF-8 too. */
		json_t *k = jstr(kv[i].key);
		SET(o, json_string_value(k), jstr(kv[i].value));
		json_decref(k);
	}
	return o;
}

static json_t *crashpad(const md_dump *d)
{
	const md_crashpad_info *c = &d->crashpad;
	json_t *o = json_object();
	char id[40];
	SET(o, "version", jint(c->version));
	for (int i = 0; i < 16; i++)
		snprintf(id + 2 * i, 3, "%02x", c->report_id[i]);
	SET(o, "report_id", json_string(id));
	for (int i = 0; i < 16; i++)
		snprintf(id + 2 * i, 3, "%02x", c->client_id[i]);
	SET(o, "client_id", json_string(id));
	SET(o, "simple_annotations", kv_object(c->simple, c->nsimple));
	json_t *mods = json_array();
	for (uint32_t i = 0; i < c->nmodules; i++) {
		const md_crashpad_module *m = &c->modules[i];
		json_t *mo = json_object();
		SET(mo, "module_index", jint(m->module_index));
		if (m->module_index < d->nmodules)
			SET(mo, "module", jstr(d->modules[m->module_index].code_file));
		json_t *list = json_array();
		for (uint32_t k = 0; k < m->nlist; k++)
			json_array_append_new(list, jstr(m->list[k]));
		SET(mo, "list_annotations", list);
		SET(mo, "simple_annotations", kv_object(m->simple, m->nsimple));
		json_t *objs = json_array();
		for (uint32_t k = 0; k < m->nobjects; k++) {
			const md_annotation *an = &m->objects[k];
			json_t *ao = json_object();
			SET(ao, "name", jstr(an->name));
			SET(ao, "type", jhex(an->type));
			if (an->type == 1) /* string */
				SET(ao, "value", jstrn((const char *)an->value, an->value_len));
			else
				SET(ao, "value_size", jint(an->value_len));
			json_array_append_new(objs, ao);
		}
		SET(mo, "annotation_objects", objs);
		json_array_append_new(mods, mo);
	}
	SET(o, "modules", mods);
	return o;
}

/* NUL-separated /proc text (cmdline, environ) as an array of strings. */
static json_t *nul_list(const md_text *t)
{
	json_t *a = json_array();
	uint32_t start = 0;
	for (uint32_t i = 0; i <= t->len; i++) {
		if (i == t->len || t->data[i] == 0) {
			if (i > start)
				json_array_append_new(a, jstrn(t->data + start, i - start));
			start = i + 1;
		}
	}
	return a;
}

static const char *auxv_name(uint64_t type)
{
	static const char *names[] = {
		[0] = "AT_NULL", [3] = "AT_PHDR", [4] = "AT_PHENT", [5] = "AT_PHNUM",
		[6] = "AT_PAGESZ", [7] = "AT_BASE", [8] = "AT_FLAGS", [9] = "AT_ENTRY",
		[11] = "AT_UID", [12] = "AT_EUID", [13] = "AT_GID", [14] = "AT_EGID",
		[15] = "AT_PLATFORM", [16] = "AT_HWCAP", [17] = "AT_CLKTCK", [23] = "AT_SECURE",
		[24] = "AT_BASE_PLATFORM", [25] = "AT_RANDOM", [26] = "AT_HWCAP2",
		[31] = "AT_EXECFN", [33] = "AT_SYSINFO_EHDR", [51] = "AT_MINSIGSTKSZ",
	};
	return type < sizeof names / sizeof *names ? names[type] : NULL;
}

static json_t *linux_streams(const md_dump *d)
{
	json_t *o = json_object();
	const struct { const char *key; const md_text *t; md_stream_state st; } text[] = {
		{ "cpu_info", &d->linux_cpu_info, d->linux_cpu_info_state },
		{ "proc_status", &d->linux_proc_status, d->linux_proc_status_state },
		{ "lsb_release", &d->linux_lsb_release, d->linux_lsb_release_state },
		{ "maps", &d->linux_maps, d->linux_maps_state },
	};
	for (size_t i = 0; i < sizeof text / sizeof *text; i++)
		if (text[i].st)
			SET(o, text[i].key, jstrn(text[i].t->data, text[i].t->len));
	if (d->linux_cmdline_state)
		SET(o, "cmdline", nul_list(&d->linux_cmdline));
	if (d->linux_environ_state)
		SET(o, "environ", nul_list(&d->linux_environ));
	if (d->auxv_state) {
		json_t *a = json_array();
		for (uint32_t i = 0; i < d->nauxv; i++) {
			json_t *e = json_object();
			const char *n = auxv_name(d->auxv[i].type);
			SET(e, "type", n ? json_string(n) : jint(d->auxv[i].type));
			SET(e, "value", jhex(d->auxv[i].value));
			json_array_append_new(a, e);
		}
		SET(o, "auxv", a);
	}
	if (d->dso_debug_state) {
		const md_dso_debug *g = &d->dso_debug;
		json_t *e = json_object();
		SET(e, "version", jint(g->version));
		SET(e, "dso_count", jint(g->dso_count));
		SET(e, "brk", jhex(g->brk));
		SET(e, "ldbase", jhex(g->ldbase));
		SET(e, "dynamic", jhex(g->dynamic));
		json_t *maps = json_array();
		for (uint32_t i = 0; i < g->nmaps; i++) {
			json_t *m = json_object();
			SET(m, "addr", jhex(g->maps[i].addr));
			SET(m, "name", jstr(g->maps[i].name));
			SET(m, "ld", jhex(g->maps[i].ld));
			json_array_append_new(maps, m);
		}
		SET(e, "link_maps", maps);
		SET(o, "dso_debug", e);
	}
	return o;
}

static json_t *problems(const md_dump *d)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < d->nproblems; i++) {
		const md_problem *p = &d->problems[i];
		json_t *o = json_object();
		char type[48];
		const char *n = md_stream_type_name(p->stream_type);
		if (!p->stream_type)
			snprintf(type, sizeof type, "header");
		else if (n)
			snprintf(type, sizeof type, "%s", n);
		else
			snprintf(type, sizeof type, "0x%x (unknown)", p->stream_type);
		SET(o, "stream", json_string(type));
		SET(o, "offset", jhex(p->offset));
		SET(o, "message", jstr(p->message));
		json_array_append_new(a, o);
	}
	if (d->nproblems_dropped) {
		json_t *o = json_object();
		SET(o, "stream", json_string("header"));
		SET(o, "offset", jhex(0));
		char m[64];
		snprintf(m, sizeof m, "%u more problems not recorded", d->nproblems_dropped);
		SET(o, "message", json_string(m));
		json_array_append_new(a, o);
	}
	return a;
}

int dump_has_problems(const md_dump *d)
{
	return d->nproblems > 0;
}

json_t *dump_to_json(const md_dump *d)
{
	return dump_to_json_lists(d, 1);
}

json_t *dump_to_json_lists(const md_dump *d, int lists)
{
	json_t *o = json_object();
	SET(o, "file", jstr(d->path));
	SET(o, "status", json_string(dump_has_problems(d) ? "damaged" : "ok"));
	SET(o, "header", header(d));
	SET(o, "directory", directory(d));
	if (d->sysinfo_state)
		SET(o, "system_info", system_info(d));
	if (d->misc_state)
		SET(o, "misc_info", misc_info(d));
	if (d->exception_state)
		SET(o, "exception", exception(d));
	if (d->breakpad_state) {
		json_t *b = json_object();
		if (d->breakpad.has_dump_thread)
			SET(b, "dump_thread_id", jhex(d->breakpad.dump_thread_id));
		if (d->breakpad.has_requesting_thread)
			SET(b, "requesting_thread_id", jhex(d->breakpad.requesting_thread_id));
		SET(o, "breakpad_info", b);
	}
	if (d->assertion_state) {
		json_t *a = json_object();
		SET(a, "expression", jstr(d->assertion.expression));
		SET(a, "function", jstr(d->assertion.function));
		SET(a, "file", jstr(d->assertion.file));
		SET(a, "line", jint(d->assertion.line));
		SET(a, "type", jint(d->assertion.type));
		SET(o, "assertion", a);
	}
	if (d->threads_state)
		SET(o, "threads", lists ? threads(d) : json_null());
	if (d->modules_state)
		SET(o, "modules", lists ? modules(d) : json_null());
	if (d->unloaded_state)
		SET(o, "unloaded_modules", unloaded(d));
	if (d->memory_state)
		SET(o, "memory", memory_list(d));
	if (d->meminfo_state)
		SET(o, "memory_info", memory_info(d));
	if (d->handles_state) {
		json_t *h = json_object(), *types = json_object();
		SET(h, "count", jint(d->handle_count));
		for (uint32_t i = 0; i < d->nhandle_types; i++) {
			json_t *k = jstr(d->handle_types[i].type_name);
			SET(types, json_string_value(k)[0] ? json_string_value(k) : "(unnamed)",
			    jint(d->handle_types[i].count));
			json_decref(k);
		}
		SET(h, "types", types);
		SET(o, "handles", h);
	}
	if (d->crashpad_state)
		SET(o, "crashpad_info", crashpad(d));
	json_t *lx = linux_streams(d);
	if (json_object_size(lx))
		SET(o, "linux", lx);
	else
		json_decref(lx);
	SET(o, "problems", problems(d));
	return o;
}
