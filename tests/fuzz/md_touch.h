/*
 * md_touch.h - reads every byte a decoded dump points at, so that the
 * sanitizers see any bad pointer. Shared by test_robust.c and the fuzz
 * target.
 */
#ifndef CD_MD_TOUCH_H
#define CD_MD_TOUCH_H

#include <string.h>

#include "../../src/minidump/minidump.h"
#include "../../src/process/process.h"

static inline uint64_t md_touch(const md_dump *d)
{
	uint64_t sum = 0;
#define S(s) do { const char *s_ = (s); if (s_) sum += strlen(s_); } while (0)
	for (uint32_t i = 0; i < d->nthreads; i++) {
		const md_thread *t = &d->threads[i];
		S(t->name);
		if (t->stack.data && t->stack.avail)
			sum += t->stack.data[0] + t->stack.data[t->stack.avail - 1];
		uint8_t b[8];
		if (md_read_memory(d, md_context_sp(&t->context), b, sizeof b) == CD_OK)
			sum += b[0];
		sum += md_find_module(d, md_context_pc(&t->context)) != NULL;
	}
	for (uint32_t i = 0; i < d->nmodules; i++) {
		const md_module *m = &d->modules[i];
		S(m->code_file); S(m->debug_file); S(m->debug_id); S(m->code_id); S(m->version);
		for (uint32_t k = 0; k < m->build_id_len; k++)
			sum += m->build_id[k];
	}
	for (uint32_t i = 0; i < d->nunloaded; i++)
		S(d->unloaded[i].code_file);
	for (uint32_t i = 0; i < d->nmemory; i++)
		if (d->memory[i].data && d->memory[i].avail)
			sum += d->memory[i].data[d->memory[i].avail - 1];
	for (uint32_t i = 0; i < d->nhandle_types; i++)
		S(d->handle_types[i].type_name);
	S(d->sysinfo.csd_version); S(d->sysinfo.cpu_vendor); S(d->misc.build_string);
	S(d->assertion.expression); S(d->assertion.function); S(d->assertion.file);
	for (uint32_t i = 0; i < d->crashpad.nsimple; i++) {
		S(d->crashpad.simple[i].key); S(d->crashpad.simple[i].value);
	}
	for (uint32_t i = 0; i < d->crashpad.nmodules; i++) {
		const md_crashpad_module *m = &d->crashpad.modules[i];
		for (uint32_t k = 0; k < m->nlist; k++)
			S(m->list[k]);
		for (uint32_t k = 0; k < m->nsimple; k++) {
			S(m->simple[k].key); S(m->simple[k].value);
		}
		for (uint32_t k = 0; k < m->nobjects; k++) {
			S(m->objects[k].name);
			if (m->objects[k].value_len)
				sum += m->objects[k].value[m->objects[k].value_len - 1];
		}
	}
	const md_text *texts[] = { &d->linux_cpu_info, &d->linux_proc_status, &d->linux_maps,
				   &d->linux_cmdline, &d->linux_environ, &d->linux_lsb_release };
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		if (texts[i]->len)
			sum += (uint8_t)texts[i]->data[texts[i]->len - 1];
	for (uint32_t i = 0; i < d->dso_debug.nmaps; i++)
		S(d->dso_debug.maps[i].name);
	for (uint32_t i = 0; i < d->nproblems; i++)
		S(d->problems[i].message);
	proc_reason r;
	proc_crash_reason(d, &r);
	sum += strlen(r.text);
#undef S
	return sum;
}

#endif
