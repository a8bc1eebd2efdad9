/*
 * system.c - SystemInfo, MiscInfo, Exception, HandleData, Breakpad info
 * and assertion info: the small fixed-layout streams.
 */
#include <string.h>

#include "internal.h"

#define EXCEPTION_SIZE 168
#define SYSINFO_SIZE 56
#define BREAKPAD_INFO_SIZE 12
#define ASSERTION_SIZE 776 /* 3 x 128 UTF-16 chars + line + type */
#define MAX_HANDLE_TYPES 64

const char *md_os_name(uint32_t platform)
{
	switch (platform) {
	case 0: case 1: case 2: return "Windows NT";
	case 3: return "Windows CE";
	case 0x8000: return "Unix";
	case 0x8101: return "Mac OS X";
	case 0x8102: return "iOS";
	case 0x8201: return "Linux";
	case 0x8202: return "Solaris";
	case 0x8203: return "Android";
	case 0x8204: return "PS3";
	case 0x8205: return "NaCl";
	case 0x8206: return "Fuchsia";
	}
	return "unknown";
}

static const char *os_short(uint32_t platform)
{
	switch (platform) {
	case 0: case 1: case 2: case 3: return "windows";
	case 0x8101: return "mac";
	case 0x8102: return "ios";
	case 0x8201: return "linux";
	case 0x8202: return "solaris";
	case 0x8203: return "android";
	case 0x8204: return "ps3";
	case 0x8205: return "nacl";
	case 0x8206: return "fuchsia";
	}
	return "unknown";
}

const char *md_arch_name(uint16_t arch)
{
	switch (arch) {
	case 0: return "x86";
	case 1: return "mips";
	case 2: return "alpha";
	case 3: return "ppc";
	case 4: return "shx";
	case 5: return "arm";
	case 6: return "ia64";
	case 7: return "alpha64";
	case 8: return "msil";
	case 9: return "amd64";
	case 10: return "x86-win64";
	case 12: return "arm64";
	case 0x8001: return "sparc";
	case 0x8002: return "ppc64";
	case 0x8003: return "arm64";
	case 0x8004: return "mips64";
	case 0x8005: return "riscv";
	case 0x8006: return "riscv64";
	}
	return "unknown";
}

static md_cpu cpu_of_arch(uint16_t arch)
{
	switch (arch) {
	case 0: case 10: return MD_CPU_X86;
	case 9: return MD_CPU_AMD64;
	case 5: return MD_CPU_ARM;
	case 12: case 0x8003: return MD_CPU_ARM64;
	case 0xffff: return MD_CPU_UNKNOWN;
	}
	return MD_CPU_OTHER;
}

md_stream_state md__system_info(md_dump *d, const md_view *v)
{
	if (v->size < SYSINFO_SIZE) {
		md__problem(d, v->type, v->rva, "SystemInfo is %llu bytes, needs %d",
			    (unsigned long long)v->size, SYSINFO_SIZE);
		return MD_STREAM_BAD;
	}
	const uint8_t *p = v->p;
	md_system_info *s = &d->sysinfo;
	s->arch = cd_le16(p);
	s->cpu = cpu_of_arch(s->arch);
	s->level = cd_le16(p + 2);
	s->revision = cd_le16(p + 4);
	s->ncpus = p[6];
	s->product_type = p[7];
	s->major = cd_le32(p + 8);
	s->minor = cd_le32(p + 12);
	s->build = cd_le32(p + 16);
	s->platform = cd_le32(p + 20);
	s->suite_mask = cd_le16(p + 28);
	s->os = md_os_name(s->platform);
	s->os_short = os_short(s->platform);
	s->csd_version = "";
	s->cpu_vendor = "";
	md_stream_state st = MD_STREAM_OK;
	uint32_t csd = cd_le32(p + 24);
	if (csd) {
		const char *c = md__string(d, v->type, csd);
		if (c)
			s->csd_version = c;
		else
			st = MD_STREAM_PARTIAL;
	}
	if (s->cpu == MD_CPU_X86) {
		s->cpu_vendor = md__strndup(d, p + 32, strnlen((const char *)p + 32, 12));
		s->cpu_version = cd_le32(p + 44);
		s->cpu_features = cd_le32(p + 48);
		s->cpu_amd_ext = cd_le32(p + 52);
	}
	return st;
}

md_stream_state md__misc_info(md_dump *d, const md_view *v)
{
	if (v->size < 24) {
		md__problem(d, v->type, v->rva, "MiscInfo is %llu bytes, needs 24",
			    (unsigned long long)v->size);
		return MD_STREAM_BAD;
	}
	const uint8_t *p = v->p;
	md_misc_info *m = &d->misc;
	m->size = cd_le32(p);
	m->flags1 = cd_le32(p + 4);
	/* Read only what both the declared and the actual size cover. */
	uint64_t have = m->size < v->size ? m->size : v->size;
	md_stream_state st = MD_STREAM_OK;
	if (m->size > v->size) {
		md__problem(d, v->type, v->rva, "MiscInfo declares %u bytes, the stream has %llu",
			    m->size, (unsigned long long)v->size);
		st = MD_STREAM_PARTIAL;
	}
	m->has_pid = (m->flags1 & 0x1) != 0;
	m->has_times = (m->flags1 & 0x2) != 0;
	m->pid = cd_le32(p + 8);
	m->create_time = cd_le32(p + 12);
	m->user_time = cd_le32(p + 16);
	m->kernel_time = cd_le32(p + 20);
	if (have >= 44) {
		m->has_power = (m->flags1 & 0x4) != 0;
		m->max_mhz = cd_le32(p + 24);
		m->current_mhz = cd_le32(p + 28);
	}
	if (have >= 832)
		m->build_string = md__wchars(d, p + 232, 260);
	return st;
}

md_stream_state md__exception(md_dump *d, const md_view *v)
{
	if (v->size < EXCEPTION_SIZE) {
		md__problem(d, v->type, v->rva, "Exception stream is %llu bytes, needs %d",
			    (unsigned long long)v->size, EXCEPTION_SIZE);
		return MD_STREAM_BAD;
	}
	const uint8_t *p = v->p;
	md_exception *x = &d->exception;
	x->thread_id = cd_le32(p);
	x->code = cd_le32(p + 8);
	x->flags = cd_le32(p + 12);
	x->record = cd_le64(p + 16);
	x->address = cd_le64(p + 24);
	x->nparams = cd_le32(p + 32);
	md_stream_state st = MD_STREAM_OK;
	if (x->nparams > 15) {
		md__problem(d, v->type, v->rva + 32, "exception claims %u parameters, at most 15",
			    x->nparams);
		x->nparams = 15;
		st = MD_STREAM_PARTIAL;
	}
	for (uint32_t i = 0; i < 15; i++)
		x->params[i] = cd_le64(p + 40 + 8 * i);
	uint32_t csize = cd_le32(p + 160), crva = cd_le32(p + 164);
	if (csize) {
		x->has_context = md__context(d, v->type, csize, crva, &x->context) == CD_OK;
		if (!x->has_context)
			st = MD_STREAM_PARTIAL;
	}
	return st;
}

md_stream_state md__handles(md_dump *d, const md_view *v)
{
	if (v->size < 16) {
		md__problem(d, v->type, v->rva, "HandleData header is truncated");
		return MD_STREAM_BAD;
	}
	uint32_t hsize = cd_le32(v->p), esize = cd_le32(v->p + 4), count = cd_le32(v->p + 8);
	if (hsize < 16 || esize < 32) {
		md__problem(d, v->type, v->rva, "HandleData sizes (header %u, entry %u) are too small",
			    hsize, esize);
		return MD_STREAM_BAD;
	}
	uint64_t n = md__fit(d, v, hsize, count, esize, "HandleData");
	md_stream_state st = n < count ? MD_STREAM_PARTIAL : MD_STREAM_OK;
	d->handle_types = cd_arena_calloc(&d->arena, MAX_HANDLE_TYPES, sizeof *d->handle_types);
	d->handles = cd_arena_calloc(&d->arena, n ? n : 1, sizeof *d->handles);
	if (!d->handle_types || !d->handles)
		return MD_STREAM_BAD;
	/* Type names repeat: each distinct RVA is decoded once, and equal names
	 * at different RVAs are counted together. */
	uint32_t rvas[MAX_HANDLE_TYPES];
	uint32_t nrvas = 0, kinds[MAX_HANDLE_TYPES];
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = v->p + hsize + i * esize;
		uint32_t rva = cd_le32(e + 8), obj = cd_le32(e + 12);
		md_handle *h = &d->handles[d->nhandles++];
		h->handle = cd_le64(e);
		if (obj && !(h->object_name = md__string(d, v->type, obj)))
			st = MD_STREAM_PARTIAL;
		uint32_t r;
		for (r = 0; r < nrvas && rvas[r] != rva; r++)
			;
		if (r == nrvas) {
			if (nrvas == MAX_HANDLE_TYPES)
				continue;
			const char *name = rva ? md__string(d, v->type, rva) : "";
			if (!name) {
				st = MD_STREAM_PARTIAL;
				name = "";
			}
			uint32_t k;
			for (k = 0; k < d->nhandle_types && strcmp(d->handle_types[k].type_name, name); k++)
				;
			if (k == d->nhandle_types)
				d->handle_types[d->nhandle_types++].type_name = name;
			rvas[nrvas] = rva;
			kinds[nrvas++] = k;
		}
		d->handle_types[kinds[r]].count++;
		h->type_name = rva ? d->handle_types[kinds[r]].type_name : NULL;
	}
	d->handle_count = (uint32_t)n;
	return st;
}

md_stream_state md__breakpad_info(md_dump *d, const md_view *v)
{
	if (v->size < BREAKPAD_INFO_SIZE) {
		md__problem(d, v->type, v->rva, "BreakpadInfo is %llu bytes, needs %d",
			    (unsigned long long)v->size, BREAKPAD_INFO_SIZE);
		return MD_STREAM_BAD;
	}
	uint32_t validity = cd_le32(v->p);
	d->breakpad.has_dump_thread = validity & 1;
	d->breakpad.has_requesting_thread = (validity >> 1) & 1;
	d->breakpad.dump_thread_id = cd_le32(v->p + 4);
	d->breakpad.requesting_thread_id = cd_le32(v->p + 8);
	return MD_STREAM_OK;
}

md_stream_state md__assertion(md_dump *d, const md_view *v)
{
	if (v->size < ASSERTION_SIZE) {
		md__problem(d, v->type, v->rva, "AssertionInfo is %llu bytes, needs %d",
			    (unsigned long long)v->size, ASSERTION_SIZE);
		return MD_STREAM_BAD;
	}
	d->assertion.expression = md__wchars(d, v->p, 128);
	d->assertion.function = md__wchars(d, v->p + 256, 128);
	d->assertion.file = md__wchars(d, v->p + 512, 128);
	d->assertion.line = cd_le32(v->p + 768);
	d->assertion.type = cd_le32(v->p + 772);
	return MD_STREAM_OK;
}
