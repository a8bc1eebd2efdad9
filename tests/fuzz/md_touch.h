/*
 * md_touch.h - reads every array element and string a decoded dump points
 * at, and the first and last byte of every memory region, so that the
 * sanitizers see any count that overstates its array or pointer that
 * leaves the input. Shared by test_robust.c and the fuzz target.
 */
#ifndef CD_MD_TOUCH_H
#define CD_MD_TOUCH_H

#include <string.h>

#include "../../src/minidump/minidump.h"
#include "../../src/process/process.h"

/* The arena may hold this much for an input of n bytes (minidump.h: "a
 * small multiple of the file size"); past it, the reader is allocating
 * without bound. */
static inline uint64_t md_touch_bound(size_t n)
{
	return 32 * (uint64_t)n + (4u << 20);
}

/* Lookups scan lists (md_find_module) or every thread stack
 * (md_read_memory), so only the first entries of each list are looked up:
 * touching must stay linear in the dump. */
#define MD_TOUCH_LOOKUPS 64

static inline uint64_t md_touch_bytes(const uint8_t *p, uint64_t n)
{
	return p && n ? (uint64_t)p[0] + p[n - 1] : 0;
}

static inline uint64_t md_touch_memory(const md_dump *d, const md_memory *m, uint32_t i)
{
	uint64_t sum = md_touch_bytes(m->data, m->avail);
	if (i >= MD_TOUCH_LOOKUPS)
		return sum;
	uint8_t b[16];
	/* The lookups must agree with what the region says it holds. */
	if (m->data && m->avail) {
		if (md_read_memory(d, m->base, b, 1) == CD_OK)
			sum += b[0];
		if (md_read_memory(d, m->base + m->avail - 1, b, 1) == CD_OK)
			sum += b[0];
		sum += md_find_memory(d, m->base + m->avail / 2) != NULL;
	}
	/* Reads that straddle the end of the region. */
	if (md_read_memory(d, m->base + m->avail - 8, b, sizeof b) == CD_OK)
		sum += b[15];
	return sum;
}

static inline uint64_t md_touch_context(const md_dump *d, const md_context *c)
{
	uint64_t sum = c->valid + c->flags;
	for (int i = 0; i < MD_MAX_REGS; i++)
		sum += c->regs[i];
	int n;
	const char *const *names = md_reg_names(c->cpu, &n);
	for (int i = 0; i < n; i++)
		sum += (uint64_t)md_reg_index(c->cpu, names[i]);
	uint8_t b[8];
	uint64_t sp = md_context_sp(c), pc = md_context_pc(c);
	if (md_read_memory(d, sp, b, sizeof b) == CD_OK)
		sum += b[0];
	if (md_read_memory(d, sp - 64, b, sizeof b) == CD_OK)
		sum += b[0];
	sum += md_find_module(d, pc) != NULL;
	return sum;
}

static inline uint64_t md_touch(const md_dump *d)
{
	uint64_t sum = 0;
#define S(s) do { const char *s_ = (s); if (s_) sum += strlen(s_); } while (0)
	S(d->path);
	for (uint32_t i = 0; i < d->ndir; i++)
		sum += d->dir[i].type + d->dir[i].state + (uint64_t)d->dir[i].duplicate;
	for (uint32_t i = 0; i < d->nthreads; i++) {
		const md_thread *t = &d->threads[i];
		S(t->name);
		sum += md_touch_memory(d, &t->stack, i) + md_touch_memory(d, &t->backing_store, i);
		sum += t->context.regs[0] + t->context.valid;
		if (t->has_context && i < MD_TOUCH_LOOKUPS)
			sum += md_touch_context(d, &t->context);
		if (i < MD_TOUCH_LOOKUPS)
			sum += md_find_thread(d, t->id) != NULL;
	}
	for (uint32_t i = 0; i < d->nmodules; i++) {
		const md_module *m = &d->modules[i];
		S(m->code_file); S(m->debug_file); S(m->debug_id); S(m->code_id); S(m->version);
		sum += md_touch_bytes(m->build_id, m->build_id_len);
		if (i < MD_TOUCH_LOOKUPS)
			sum += (md_find_module(d, m->base) != NULL) +
			       (md_find_module(d, m->base + m->size - 1) != NULL);
	}
	for (uint32_t i = 0; i < d->nunloaded; i++)
		S(d->unloaded[i].code_file);
	for (uint32_t i = 0; i < d->nmemory; i++)
		sum += md_touch_memory(d, &d->memory[i], i);
	for (uint32_t i = 0; i < d->nmeminfo; i++)
		sum += d->meminfo[i].base + d->meminfo[i].protection;
	for (uint32_t i = 0; i < d->nhandle_types; i++) {
		S(d->handle_types[i].type_name);
		sum += d->handle_types[i].count;
	}
	if (d->exception.has_context)
		sum += md_touch_context(d, &d->exception.context);
	for (uint32_t i = 0; i < d->exception.nparams && i < 15; i++)
		sum += d->exception.params[i];
	S(d->sysinfo.os); S(d->sysinfo.os_short);
	S(d->sysinfo.csd_version); S(d->sysinfo.cpu_vendor); S(d->misc.build_string);
	S(md_os_name(d->sysinfo.platform)); S(md_arch_name(d->sysinfo.arch));
	S(md_cpu_name(d->sysinfo.cpu));
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
			sum += md_touch_bytes(m->objects[k].value, m->objects[k].value_len);
		}
	}
	const md_text *texts[] = { &d->linux_cpu_info, &d->linux_proc_status, &d->linux_maps,
				   &d->linux_cmdline, &d->linux_environ, &d->linux_lsb_release };
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		sum += md_touch_bytes((const uint8_t *)texts[i]->data, texts[i]->len);
	for (uint32_t i = 0; i < d->nauxv; i++)
		sum += d->auxv[i].type + d->auxv[i].value;
	for (uint32_t i = 0; i < d->dso_debug.nmaps; i++)
		S(d->dso_debug.maps[i].name);
	for (uint32_t i = 0; i < d->nproblems; i++) {
		S(d->problems[i].message);
		S(md_stream_type_name(d->problems[i].stream_type));
	}
	uint64_t up;
	if (md_process_uptime(d, &up) == CD_OK)
		sum += up;
	proc_reason r;
	proc_crash_reason(d, &r);
	sum += strlen(r.text);
#undef S
	return sum;
}

/* What every opened dump must satisfy, whatever its bytes; NULL or why not.
 * n is the size of the input. */
static inline const char *md_touch_check(const md_dump *d, size_t n)
{
	if (d->arena.used > md_touch_bound(n))
		return "arena past 32 x the input + 4 MiB";
	if (d->ndir > d->stream_count)
		return "more directory entries than the header claims";
	for (uint32_t i = 0; i < d->nproblems; i++) {
		const md_problem *p = &d->problems[i];
		if (!p->message || !p->message[0])
			return "a problem without a message";
		int known = p->stream_type == 0;
		for (uint32_t k = 0; k < d->ndir && !known; k++)
			known = d->dir[k].type == p->stream_type;
		if (!known)
			return "a problem blamed on a stream not in the directory";
	}
	/* A stream not read whole says why (unless the problem cap was hit). */
	for (uint32_t i = 0; i < d->ndir && !d->nproblems_dropped; i++) {
		const md_dir_entry *x = &d->dir[i];
		if (x->state != MD_STREAM_PARTIAL && x->state != MD_STREAM_BAD)
			continue;
		int told = 0;
		for (uint32_t k = 0; k < d->nproblems && !told; k++)
			told = d->problems[k].stream_type == x->type;
		if (!told)
			return "a stream not read whole has no problem recorded";
	}
	return NULL;
}

#endif
