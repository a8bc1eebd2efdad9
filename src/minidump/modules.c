/*
 * modules.c - ModuleList and UnloadedModuleList, and the debug identifiers
 * derived from CodeView records exactly as Breakpad and rust-minidump do.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MODULE_SIZE 108
#define UNLOADED_SIZE 24
#define CV_RSDS 0x53445352u /* PDB 7.0 */
#define CV_NB10 0x3031424eu /* PDB 2.0 */
#define CV_BPEL 0x4270454cu /* ELF build id, Breakpad's */
#define VS_FFI_SIGNATURE 0xfeef04bdu
#define MAX_CV_SIZE (1u << 16) /* real records are < 300 bytes */

/* GUID (data1 u32, data2 u16, data3 u16 little-endian, data4[8]) + age.
 * The age is lowercase hex, as Breakpad and rust-minidump print it; symbol
 * stores written by dump_syms use uppercase, so lookups must try both. */
static const char *guid_id(md_dump *d, const uint8_t *g, uint32_t age)
{
	/* snprintf with 13 arguments dominated opening dumps with hundreds of
	 * modules, so the hex is written by hand. */
	static const char up[] = "0123456789ABCDEF", low[] = "0123456789abcdef";
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	char s[48];
	int n = 0;
	for (int i = 0; i < 16; i++) {
		s[n++] = up[g[order[i]] >> 4];
		s[n++] = up[g[order[i]] & 15];
	}
	char a[9];
	int k = 0;
	do {
		a[k++] = low[age & 15];
		age >>= 4;
	} while (age);
	while (k)
		s[n++] = a[--k];
	return md__strndup(d, s, (size_t)n);
}

/* Charged like record_name() below. */
static const char *hex_lower(md_dump *d, md_module *m, uint32_t stream, uint64_t rva,
			     const uint8_t *p, uint32_t n)
{
	if (!md__charge(d, stream, rva, (uint64_t)n * 2 + 1, "build id")) {
		m->damaged = 1;
		return "";
	}
	char *s = cd_arena_alloc(&d->arena, (size_t)n * 2 + 1);
	if (!s)
		return "";
	static const char hex[] = "0123456789abcdef";
	for (uint32_t i = 0; i < n; i++) {
		s[2 * i] = hex[p[i] >> 4];
		s[2 * i + 1] = hex[p[i] & 15];
	}
	return s;
}

/* A NUL-terminated name inside a record, bounded by the record. Charged:
 * every module of a hostile list may point at the same record. */
static const char *record_name(md_dump *d, md_module *m, uint32_t stream, uint64_t rva,
			       const uint8_t *p, size_t max)
{
	size_t n = strnlen((const char *)p, max);
	if (md__charge(d, stream, rva, n + 1, "debug file name"))
		return md__strndup(d, p, n);
	m->damaged = 1;
	return "";
}

static void codeview(md_dump *d, uint32_t stream, md_module *m, uint32_t size, uint32_t rva)
{
	if (size == 0)
		return;
	const uint8_t *p = md__at(d, rva, size);
	if (!p || size < 4) {
		md__problem(d, stream, rva,
			    "CodeView record of %u bytes at 0x%x is outside the file or too small",
			    size, rva);
		m->damaged = 1;
		return;
	}
	if (size > MAX_CV_SIZE)
		size = MAX_CV_SIZE;
	m->cv_signature = cd_le32(p);
	switch (m->cv_signature) {
	case CV_RSDS:
		if (size < 24)
			break;
		m->cv_kind = MD_CV_PDB70;
		m->debug_id = guid_id(d, p + 4, cd_le32(p + 20));
		m->debug_file = record_name(d, m, stream, rva, p + 24, size - 24);
		return;
	case CV_NB10:
		if (size < 16)
			break;
		m->cv_kind = MD_CV_PDB20;
		{
			char s[32];
			snprintf(s, sizeof s, "%08X%x", cd_le32(p + 8), cd_le32(p + 12));
			m->debug_id = md__strndup(d, s, strlen(s));
		}
		m->debug_file = record_name(d, m, stream, rva, p + 16, size - 16);
		return;
	case CV_BPEL: {
		m->cv_kind = MD_CV_ELF;
		m->build_id = p + 4;
		m->build_id_len = size - 4;
		/* The first 16 bytes as a GUID (zero-padded), age 0. */
		uint8_t g[16] = { 0 };
		memcpy(g, p + 4, m->build_id_len < 16 ? m->build_id_len : 16);
		m->debug_id = guid_id(d, g, 0);
		m->code_id = hex_lower(d, m, stream, rva, p + 4, m->build_id_len);
		m->debug_file = m->code_file;
		return;
	}
	default:
		m->cv_kind = MD_CV_UNKNOWN;
		return;
	}
	md__problem(d, stream, rva, "CodeView record of %u bytes is too short for its kind", size);
	m->cv_kind = MD_CV_UNKNOWN;
	m->damaged = 1;
}

/* Windows images: the old IMAGE_DEBUG_MISC record names the .dbg file. */
static void misc_record(md_dump *d, uint32_t stream, md_module *m, uint32_t size, uint32_t rva)
{
	if (size < 12 || m->debug_file[0])
		return;
	const uint8_t *p = md__at(d, rva, size);
	if (!p) {
		md__problem(d, stream, rva, "misc debug record at 0x%x is outside the file", rva);
		return;
	}
	uint32_t len = cd_le32(p + 4);
	int unicode = p[8];
	if (len > size)
		len = size;
	if (len <= 12)
		return;
	if (!unicode)
		m->debug_file = record_name(d, m, stream, rva, p + 12, len - 12);
	else if (md__charge(d, stream, rva, (uint64_t)(len - 12) / 2 * 3 + 1, "debug file name"))
		m->debug_file = md__wchars(d, p + 12, (len - 12) / 2);
	else
		m->damaged = 1;
}

static void version_of(md_dump *d, md_module *m, const uint8_t *vi)
{
	m->version_ms = cd_le32(vi + 8);
	m->version_ls = cd_le32(vi + 12);
	m->product_ms = cd_le32(vi + 16);
	m->product_ls = cd_le32(vi + 20);
	if (cd_le32(vi) != VS_FFI_SIGNATURE || !(cd_le32(vi + 4) & 0x10000)) {
		m->version = "";
		return;
	}
	m->version = cd_arena_printf(&d->arena, "%u.%u.%u.%u", m->version_ms >> 16,
				     m->version_ms & 0xffff, m->version_ls >> 16,
				     m->version_ls & 0xffff);
	if (!m->version)
		m->version = "";
}

/* Only a SystemInfo that could be read says so: a short one leaves the
 * platform at 0, which is Windows' number. */
static int is_windows(const md_dump *d)
{
	return (d->sysinfo_state == MD_STREAM_OK || d->sysinfo_state == MD_STREAM_PARTIAL) &&
	       d->sysinfo.platform <= 3;
}

md_stream_state md__modules(md_dump *d, const md_view *v)
{
	if (v->size < 4) {
		md__problem(d, v->type, v->rva, "ModuleList has no count");
		return MD_STREAM_BAD;
	}
	uint32_t count = cd_le32(v->p);
	uint64_t start = v->claimed == 8 + (uint64_t)count * MODULE_SIZE ? 8 : 4;
	uint64_t n = md__fit(d, v, start, count, MODULE_SIZE, "ModuleList");
	md_stream_state st = n < count ? MD_STREAM_PARTIAL : MD_STREAM_OK;
	d->modules = cd_arena_calloc(&d->arena, n ? n : 1, sizeof *d->modules);
	if (!d->modules)
		return MD_STREAM_BAD;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *p = v->p + start + i * MODULE_SIZE;
		md_module *m = &d->modules[i];
		m->base = cd_le64(p);
		m->size = cd_le32(p + 8);
		m->checksum = cd_le32(p + 12);
		m->time_date_stamp = cd_le32(p + 16);
		m->code_file = md__string(d, v->type, cd_le32(p + 20));
		if (!m->code_file) {
			m->code_file = "";
			m->damaged = 1;
		}
		m->debug_file = m->debug_id = m->code_id = "";
		version_of(d, m, p + 24);
		codeview(d, v->type, m, cd_le32(p + 76), cd_le32(p + 80));
		misc_record(d, v->type, m, cd_le32(p + 84), cd_le32(p + 88));
		if (is_windows(d)) /* Breakpad's code identifier for PE images */
			m->code_id = cd_arena_printf(&d->arena, "%08X%x",
						     m->time_date_stamp, m->size);
		if (!m->code_id)
			m->code_id = "";
		if (m->damaged)
			st = md__worse(st, MD_STREAM_PARTIAL);
	}
	d->nmodules = (uint32_t)n;
	return st;
}

md_stream_state md__unloaded(md_dump *d, const md_view *v)
{
	if (v->size < 12) {
		md__problem(d, v->type, v->rva, "UnloadedModuleList header is truncated");
		return MD_STREAM_BAD;
	}
	uint32_t hsize = cd_le32(v->p), esize = cd_le32(v->p + 4), count = cd_le32(v->p + 8);
	if (hsize < 12 || esize < UNLOADED_SIZE) {
		md__problem(d, v->type, v->rva,
			    "UnloadedModuleList sizes (header %u, entry %u) are too small",
			    hsize, esize);
		return MD_STREAM_BAD;
	}
	uint64_t n = md__fit(d, v, hsize, count, esize, "UnloadedModuleList");
	md_stream_state st = n < count ? MD_STREAM_PARTIAL : MD_STREAM_OK;
	d->unloaded = cd_arena_calloc(&d->arena, n ? n : 1, sizeof *d->unloaded);
	if (!d->unloaded)
		return MD_STREAM_BAD;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *p = v->p + hsize + i * esize;
		md_unloaded_module *u = &d->unloaded[i];
		u->base = cd_le64(p);
		u->size = cd_le32(p + 8);
		u->checksum = cd_le32(p + 12);
		u->time_date_stamp = cd_le32(p + 16);
		u->code_file = md__string(d, v->type, cd_le32(p + 20));
		if (!u->code_file) {
			u->code_file = "";
			st = md__worse(st, MD_STREAM_PARTIAL);
		}
	}
	d->nunloaded = (uint32_t)n;
	return st;
}
