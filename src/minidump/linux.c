/* linux.c - Breakpad's Linux streams: /proc text files, auxv, DSO debug. */
#include "internal.h"

md_stream_state md__linux_text(md_dump *d, const md_view *v, md_text *out)
{
	(void)d;
	/* Kept as bytes: cmdline and environ are NUL-separated. */
	out->data = (const char *)v->p;
	out->len = (uint32_t)v->size;
	return MD_STREAM_OK;
}

static int is_64bit(const md_dump *d)
{
	md_cpu c = d->sysinfo_state ? d->sysinfo.cpu : MD_CPU_UNKNOWN;
	return c != MD_CPU_X86 && c != MD_CPU_ARM;
}

md_stream_state md__auxv(md_dump *d, const md_view *v)
{
	uint64_t w = is_64bit(d) ? 8 : 4;
	uint64_t n = v->size / (2 * w);
	d->auxv = cd_arena_calloc(&d->arena, n ? n : 1, sizeof *d->auxv);
	if (!d->auxv)
		return MD_STREAM_BAD;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *p = v->p + 2 * w * i;
		d->auxv[i].type = w == 8 ? cd_le64(p) : cd_le32(p);
		d->auxv[i].value = w == 8 ? cd_le64(p + w) : cd_le32(p + w);
	}
	d->nauxv = (uint32_t)n;
	if (v->size % (2 * w)) {
		md__problem(d, v->type, v->rva, "auxv of %llu bytes is not whole pairs",
			    (unsigned long long)v->size);
		return MD_STREAM_PARTIAL;
	}
	return MD_STREAM_OK;
}

md_stream_state md__dso_debug(md_dump *d, const md_view *v)
{
	int wide = is_64bit(d);
	uint64_t hsize = wide ? 40 : 24, lsize = wide ? 24 : 12;
	if (v->size < hsize) {
		md__problem(d, v->type, v->rva, "DSO debug stream is %llu bytes, needs %llu",
			    (unsigned long long)v->size, (unsigned long long)hsize);
		return MD_STREAM_BAD;
	}
	md_dso_debug *g = &d->dso_debug;
	const uint8_t *p = v->p;
	g->version = cd_le32(p);
	uint32_t map = cd_le32(p + 4);
	g->dso_count = cd_le32(p + 8);
	g->brk = wide ? cd_le64(p + 16) : cd_le32(p + 12);
	g->ldbase = wide ? cd_le64(p + 24) : cd_le32(p + 16);
	g->dynamic = wide ? cd_le64(p + 32) : cd_le32(p + 20);
	md_view maps = { .type = v->type, .rva = map };
	if (map < d->file_size) {
		maps.p = d->data + map;
		maps.size = d->file_size - map;
	}
	uint64_t n = md__fit(d, &maps, 0, g->dso_count, lsize, "DSO link map");
	md__touch(d, map, n * lsize);
	md_stream_state st = n < g->dso_count ? MD_STREAM_PARTIAL : MD_STREAM_OK;
	g->maps = cd_arena_calloc(&d->arena, n ? n : 1, sizeof *g->maps);
	if (!g->maps)
		return MD_STREAM_BAD;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *q = maps.p + i * lsize;
		md_link_map *l = &g->maps[i];
		l->addr = wide ? cd_le64(q) : cd_le32(q);
		uint32_t name = cd_le32(q + (wide ? 8 : 4));
		l->ld = wide ? cd_le64(q + 16) : cd_le32(q + 8);
		l->name = name ? md__string(d, v->type, name) : "";
		if (!l->name) {
			l->name = "";
			st = MD_STREAM_PARTIAL;
		}
	}
	g->nmaps = (uint32_t)n;
	return st;
}
