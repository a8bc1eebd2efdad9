/*
 * crashpad.c - Crashpad's info stream: simple annotations, and per module
 * list annotations, simple annotations and annotation objects.
 */
#include "internal.h"

#define CRASHPAD_INFO_SIZE 52
#define MODULE_LINK_SIZE 12
#define MODULE_INFO_SIZE 28
#define ANNOTATION_SIZE 12

/* A location descriptor (size, rva) read at p, as a bounded view. */
static int location(md_dump *d, uint32_t stream, const uint8_t *p, md_view *out)
{
	uint32_t size = cd_le32(p), rva = cd_le32(p + 4);
	*out = (md_view){ .type = stream, .rva = rva, .claimed = size, .size = size };
	if (!size)
		return CD_ENOTFOUND;
	out->p = md__at(d, rva, size);
	if (!out->p) {
		md__problem(d, stream, rva, "Crashpad data of %u bytes at 0x%x is outside the file",
			    size, rva);
		return CD_EFORMAT;
	}
	/* Everything a location points at starts with a u32 count or version;
	 * said here, so a short one is a problem recorded, not just a state. */
	if (size < 4) {
		md__problem(d, stream, rva, "Crashpad data of %u bytes at 0x%x is too short", size,
			    rva);
		return CD_EFORMAT;
	}
	return CD_OK;
}

/* MinidumpSimpleStringDictionary: count, then (key RVA, value RVA) pairs. */
static int dictionary(md_dump *d, const md_view *v, md_kv **out, uint32_t *nout)
{
	*nout = 0;
	if (v->size < 4)
		return CD_EFORMAT;
	uint32_t count = cd_le32(v->p);
	uint64_t n = md__fit(d, v, 4, count, 8, "Crashpad annotations");
	/* Charged, as are the module lists below: every module link of a
	 * hostile list may point at the same annotations. */
	if (!md__charge(d, v->type, v->rva, n * sizeof **out, "Crashpad annotations"))
		return CD_EFORMAT;
	*out = cd_arena_calloc(&d->arena, n ? n : 1, sizeof **out);
	if (!*out)
		return CD_ENOMEM;
	int rc = n < count ? CD_EFORMAT : CD_OK;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *p = v->p + 4 + 8 * i;
		const char *k = md__utf8(d, v->type, cd_le32(p));
		const char *val = md__utf8(d, v->type, cd_le32(p + 4));
		if (!k || !val) {
			rc = CD_EFORMAT;
			continue;
		}
		(*out)[*nout].key = k;
		(*out)[(*nout)++].value = val;
	}
	return rc;
}

static int list_annotations(md_dump *d, const md_view *v, md_crashpad_module *m)
{
	if (v->size < 4)
		return CD_EFORMAT;
	uint32_t count = cd_le32(v->p);
	uint64_t n = md__fit(d, v, 4, count, 4, "Crashpad list annotations");
	if (!md__charge(d, v->type, v->rva, n * sizeof *m->list, "Crashpad list annotations"))
		return CD_EFORMAT;
	m->list = cd_arena_calloc(&d->arena, n ? n : 1, sizeof *m->list);
	if (!m->list)
		return CD_ENOMEM;
	int rc = n < count ? CD_EFORMAT : CD_OK;
	for (uint64_t i = 0; i < n; i++) {
		const char *s = md__utf8(d, v->type, cd_le32(v->p + 4 + 4 * i));
		if (s)
			m->list[m->nlist++] = s;
		else
			rc = CD_EFORMAT;
	}
	return rc;
}

static int annotation_objects(md_dump *d, const md_view *v, md_crashpad_module *m)
{
	if (v->size < 4)
		return CD_EFORMAT;
	uint32_t count = cd_le32(v->p);
	uint64_t n = md__fit(d, v, 4, count, ANNOTATION_SIZE, "Crashpad annotation objects");
	if (!md__charge(d, v->type, v->rva, n * sizeof *m->objects, "Crashpad annotation objects"))
		return CD_EFORMAT;
	m->objects = cd_arena_calloc(&d->arena, n ? n : 1, sizeof *m->objects);
	if (!m->objects)
		return CD_ENOMEM;
	int rc = n < count ? CD_EFORMAT : CD_OK;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *p = v->p + 4 + ANNOTATION_SIZE * i;
		const char *name = md__utf8(d, v->type, cd_le32(p));
		uint32_t vrva = cd_le32(p + 8);
		const uint8_t *len = md__at(d, vrva, 4);
		const uint8_t *val = len ? md__at(d, (uint64_t)vrva + 4, cd_le32(len)) : NULL;
		if (!name || !val) {
			md__problem(d, v->type, v->rva + 4 + ANNOTATION_SIZE * i,
				    "annotation object %llu cannot be read", (unsigned long long)i);
			rc = CD_EFORMAT;
			continue;
		}
		md_annotation *a = &m->objects[m->nobjects++];
		a->name = name;
		a->type = cd_le16(p + 4);
		a->value = val;
		a->value_len = cd_le32(len);
	}
	return rc;
}

static int module_info(md_dump *d, const md_view *v, md_crashpad_module *m)
{
	if (v->size < 4)
		return CD_EFORMAT;
	int rc = CD_OK, r;
	md_view sub;
	/* Older writers wrote shorter records; read the parts present. A part
	 * that cannot be read makes the stream partial (location said why). */
	if (v->size >= 12 && (r = location(d, v->type, v->p + 4, &sub)) != CD_ENOTFOUND)
		rc |= r ? r : list_annotations(d, &sub, m);
	if (v->size >= 20 && (r = location(d, v->type, v->p + 12, &sub)) != CD_ENOTFOUND)
		rc |= r ? r : dictionary(d, &sub, &m->simple, &m->nsimple);
	if (v->size >= MODULE_INFO_SIZE &&
	    (r = location(d, v->type, v->p + 20, &sub)) != CD_ENOTFOUND)
		rc |= r ? r : annotation_objects(d, &sub, m);
	return rc;
}

md_stream_state md__crashpad(md_dump *d, const md_view *v)
{
	if (v->size < CRASHPAD_INFO_SIZE) {
		md__problem(d, v->type, v->rva, "CrashpadInfo is %llu bytes, needs %d",
			    (unsigned long long)v->size, CRASHPAD_INFO_SIZE);
		return MD_STREAM_BAD;
	}
	md_crashpad_info *c = &d->crashpad;
	md_stream_state st = MD_STREAM_OK;
	c->version = cd_le32(v->p);
	for (int i = 0; i < 16; i++) {
		c->report_id[i] = v->p[4 + i];
		c->client_id[i] = v->p[20 + i];
	}
	md_view sub;
	int rc = location(d, v->type, v->p + 36, &sub);
	if (rc == CD_OK && dictionary(d, &sub, &c->simple, &c->nsimple) != CD_OK)
		st = MD_STREAM_PARTIAL;
	else if (rc == CD_EFORMAT)
		st = MD_STREAM_PARTIAL;

	rc = location(d, v->type, v->p + 44, &sub);
	if (rc == CD_EFORMAT || (rc == CD_OK && sub.size < 4))
		return MD_STREAM_PARTIAL;
	if (rc == CD_ENOTFOUND)
		return st;
	uint32_t count = cd_le32(sub.p);
	uint64_t n = md__fit(d, &sub, 4, count, MODULE_LINK_SIZE, "Crashpad module list");
	if (n < count)
		st = MD_STREAM_PARTIAL;
	c->modules = cd_arena_calloc(&d->arena, n ? n : 1, sizeof *c->modules);
	if (!c->modules)
		return MD_STREAM_PARTIAL;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *p = sub.p + 4 + MODULE_LINK_SIZE * i;
		md_crashpad_module *m = &c->modules[c->nmodules++];
		m->module_index = cd_le32(p);
		md_view info;
		rc = location(d, v->type, p + 4, &info);
		if (rc == CD_EFORMAT || (rc == CD_OK && module_info(d, &info, m) != CD_OK))
			st = MD_STREAM_PARTIAL;
	}
	return st;
}
