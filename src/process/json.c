/*
 * json.c - the processed crash in rust-minidump's JSON schema, which
 * Socorro consumes. Hex strings are zero-padded to the CPU's width, as
 * rust-minidump prints them. Where the schema document and Socorro differ,
 * Socorro wins: crash_info.crashing_thread is an index into threads.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../symbols/symbols.h"
#include "../unwind/unwind.h"
#include "process.h"

#define SET(o, k, v) json_object_set_new(o, k, v)
/* For keys that are string literals or the register tables' names: ASCII,
 * so jansson's UTF-8 check of the key can be skipped (a frame sets some
 * thirty keys, a deep stack thousands of frames). */
#define SETK(o, k, v) json_object_set_new_nocheck(o, k, v)

static json_t *hexw(uint64_t v, int wide)
{
	/* Written by hand, not with snprintf: the registers of every frame
	 * made snprintf a tenth of a walk. */
	static const char x[] = "0123456789abcdef";
	char s[19];
	int n = wide ? 16 : 8;
	if (!wide && v >> 32)
		while (n < 16 && v >> (4 * n))
			n++;
	s[0] = '0';
	s[1] = 'x';
	for (int i = 0; i < n; i++)
		s[2 + i] = x[v >> (4 * (n - 1 - i)) & 15];
	return json_stringn_nocheck(s, (size_t)n + 2);
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
			SETK(o, names[i], hexw(c->regs[i], wide));
	return o;
}

/* A frame as rust-minidump writes it: offset, module_offset and
 * function_offset are of the instruction (a caller's return address - 1),
 * inlines and unloaded_modules null when there are none. */
static json_t *frame_json(const md_dump *d, const walk_frame *f, uint32_t index, int wide)
{
	json_t *o = json_object();
	uint64_t addr = f->pc;
	SETK(o, "frame", json_integer(index));
	SETK(o, "trust", json_string(walk_trust_name(f->trust)));
	SETK(o, "offset", hexw(addr, wide));
	if (f->module) {
		SETK(o, "module", str_or_null(cd_basename(f->module->code_file)));
		SETK(o, "module_offset", hexw(addr - f->module->base, wide));
	} else {
		SETK(o, "module", json_null());
		SETK(o, "module_offset", json_null());
	}
	json_t *inl = json_null();
	if (f->has_function) {
		SETK(o, "function", str_or_null(f->sym.function));
		SETK(o, "function_offset",
		    hexw(addr - f->module->base - f->sym.function_addr, wide));
		SETK(o, "file", str_or_null(f->sym.file));
		SETK(o, "line", f->sym.line > 0 ? json_integer(f->sym.line) : json_null());
		if (f->sym.ninlines)
			inl = json_array();
		for (uint32_t k = 0; k < f->sym.ninlines; k++) {
			json_t *x = json_object();
			SETK(x, "function", str_or_null(f->sym.inlines[k].function));
			SETK(x, "file", str_or_null(f->sym.inlines[k].file));
			SETK(x, "line", f->sym.inlines[k].line > 0 ? json_integer(f->sym.inlines[k].line)
								  : json_null());
			json_array_append_new(inl, x);
		}
	} else {
		SETK(o, "function", json_null());
		SETK(o, "function_offset", json_null());
		SETK(o, "file", json_null());
		SETK(o, "line", json_null());
	}
	SETK(o, "inlines", inl);
	/* rust-minidump: a frame misses symbols when it has no function name. */
	SETK(o, "missing_symbols", json_boolean(!f->has_function));
	/* A pc in an old mapping of an unloaded module names it. */
	json_t *un = json_array();
	for (uint32_t i = 0; i < d->nunloaded; i++) {
		const md_unloaded_module *u = &d->unloaded[i];
		if (addr - u->base < u->size) {
			json_t *x = json_object();
			SETK(x, "module", str_or_null(cd_basename(u->code_file)));
			json_t *offs = json_array();
			json_array_append_new(offs, hexw(addr - u->base, wide));
			SETK(x, "offsets", offs);
			json_array_append_new(un, x);
		}
	}
	if (json_array_size(un)) {
		SETK(o, "unloaded_modules", un);
	} else {
		json_decref(un);
		SETK(o, "unloaded_modules", json_null());
	}
	SETK(o, "registers", registers(&f->regs, wide));
	return o;
}

/* A string schema field rust-minidump never leaves null. */
static json_t *str_or_empty(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;
	return j ? j : json_string("");
}

/* Code ids as rust-minidump prints them: lowercase hex ("45d35f6c2d000";
 * Breakpad's store layout capitalises the timestamp part). */
static json_t *lower_json(const char *s)
{
	char buf[256];
	size_t n = 0;
	for (; s && s[n] && n + 1 < sizeof buf; n++)
		buf[n] = (char)(s[n] >= 'A' && s[n] <= 'Z' ? s[n] - 'A' + 'a' : s[n]);
	buf[n] = 0;
	return json_string(buf);
}

/* ---- module identity as rust-minidump derives it ------------------------------- */

static int os_is(const md_dump *d, int mac_or_ios, int windows)
{
	uint32_t pl = d->sysinfo_state == MD_STREAM_OK || d->sysinfo_state == MD_STREAM_PARTIAL
			      ? d->sysinfo.platform
			      : 0xffffffffu;
	return (mac_or_ios && (pl == 0x8101 || pl == 0x8102)) || (windows && pl <= 3);
}

static int all_zero(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* The code id: a Mach-O UUID for Apple's PDB70 records, the PE image's
 * timestamp and size for other PDB records (and Windows modules without
 * one), the ELF build id unless it is all zeros; "" otherwise. */
static json_t *module_code_id(const md_dump *d, const md_module *m)
{
	char buf[64];
	switch (m->cv_kind) {
	case MD_CV_PDB70:
		if (os_is(d, 1, 0)) {
			snprintf(buf, sizeof buf, "%.32s", m->debug_id);
			return lower_json(buf);
		}
		/* fall through */
	case MD_CV_PDB20:
		snprintf(buf, sizeof buf, "%08x%x", m->time_date_stamp, m->size);
		return json_string(buf);
	case MD_CV_ELF:
		return lower_json(m->build_id && !all_zero(m->build_id, m->build_id_len) ? m->code_id : "");
	default:
		if (os_is(d, 0, 1)) {
			snprintf(buf, sizeof buf, "%08x%x", m->time_date_stamp, m->size);
			return json_string(buf);
		}
		return json_string("");
	}
}

/* The debug id in Breakpad's form; 33 zeros where the module has none (a
 * nil GUID, an all-zero build id, no CodeView record). */
static json_t *module_debug_id(const md_module *m)
{
	int none = !m->debug_id || !m->debug_id[0] ||
		   (m->cv_kind == MD_CV_ELF && (!m->build_id || all_zero(m->build_id, m->build_id_len))) ||
		   (m->cv_kind == MD_CV_PDB70 && !strncmp(m->debug_id, "00000000000000000000000000000000", 32));
	return json_string(none ? "000000000000000000000000000000000" : m->debug_id);
}

/* Only a CodeView record names the debug file (the old misc record does
 * not count); an ELF module's is its own file. */
static const char *module_debug_file(const md_module *m)
{
	if (m->cv_kind == MD_CV_PDB70 || m->cv_kind == MD_CV_PDB20 || m->cv_kind == MD_CV_ELF)
		return cd_basename(m->debug_file);
	return "";
}

const char *proc_module_version(const md_dump *d, const md_module *m, char *buf, size_t size)
{
	if (!m->version || !m->version[0])
		return NULL;
	if (os_is(d, 1, 1))
		return m->version;
	/* other systems: the four words as they are */
	snprintf(buf, size, "%u.%u.%u.%u", m->version_ms, m->version_ls, m->product_ms,
		 m->product_ls);
	return buf;
}

/* The bytes of the first stream of type, or NULL. */
static const uint8_t *stream_bytes(const md_dump *d, uint32_t type, uint32_t *len)
{
	for (uint32_t i = 0; i < d->ndir; i++) {
		const md_dir_entry *de = &d->dir[i];
		if (de->type == type && !de->duplicate && (uint64_t)de->rva + de->size <= d->file_size) {
			*len = de->size;
			return d->data + de->rva;
		}
	}
	return NULL;
}

/* The value of "KEY=VALUE" or "Key:\tvalue" lines of a Linux text stream,
 * unquoted, into out; 0 when absent. */
static int text_value(const md_text *t, const char *key, char sep, char *out, size_t size)
{
	size_t kl = strlen(key);
	const char *p = t->data, *end = t->data ? t->data + t->len : NULL;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t at = kl;
		/* "key\t: value" in /proc/cpuinfo */
		while (sep == ':' && at < (size_t)(le - p) && (p[at] == '\t' || p[at] == ' '))
			at++;
		if ((size_t)(le - p) > at && !memcmp(p, key, kl) && p[at] == sep) {
			const char *v = p + at + 1;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			const char *ve = le;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
				ve--;
			if (ve - v >= 2 && (*v == '"' || *v == '\'') && ve[-1] == *v) {
				v++;
				ve--;
			}
			snprintf(out, size, "%.*s", (int)(ve - v), v);
			return 1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int proc_lsb(const md_dump *d, proc_lsb_info *out)
{
	memset(out, 0, sizeof *out);
	if (!d->linux_lsb_release.data)
		return 0;
	static const struct { size_t off, size; const char *lsb, *osr; } keys[] = {
		{ offsetof(proc_lsb_info, id), sizeof out->id, "DISTRIB_ID", "ID" },
		{ offsetof(proc_lsb_info, release), sizeof out->release, "DISTRIB_RELEASE", "VERSION_ID" },
		{ offsetof(proc_lsb_info, codename), sizeof out->codename, "DISTRIB_CODENAME",
		  "VERSION_CODENAME" },
		{ offsetof(proc_lsb_info, description), sizeof out->description, "DISTRIB_DESCRIPTION",
		  "PRETTY_NAME" },
	};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		char *v = (char *)out + keys[i].off;
		if (!text_value(&d->linux_lsb_release, keys[i].lsb, '=', v, keys[i].size))
			text_value(&d->linux_lsb_release, keys[i].osr, '=', v, keys[i].size);
	}
	return 1;
}

static json_t *lsb_json(const md_dump *d)
{
	proc_lsb_info l;
	if (!proc_lsb(d, &l))
		return json_null();
	json_t *o = json_object();
	SET(o, "id", str_or_empty(l.id));
	SET(o, "release", str_or_empty(l.release));
	SET(o, "codename", str_or_empty(l.codename));
	SET(o, "description", str_or_empty(l.description));
	return o;
}

/* Steps over a run of hex (or decimal) digits; 0 when there is none. */
static int map_digits(const char **p, const char *end, int hex)
{
	const char *s = *p;
	while (*p < end && (hex ? isxdigit((unsigned char)**p) : isdigit((unsigned char)**p)))
		(*p)++;
	return *p > s;
}

static int map_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return 0;
	(*p)++;
	return 1;
}

/* A /proc/PID/maps line: "start-end perms offset major:minor inode [path]". */
static int map_line_ok(const char *p, const char *end)
{
	if (!map_digits(&p, end, 1) || !map_char(&p, end, '-') || !map_digits(&p, end, 1) ||
	    !map_char(&p, end, ' '))
		return 0;
	for (int i = 0; i < 4; i++, p++)
		if (p >= end || !strchr("rwxsp-", *p))
			return 0;
	return map_char(&p, end, ' ') && map_digits(&p, end, 1) && map_char(&p, end, ' ') &&
	       map_digits(&p, end, 1) && map_char(&p, end, ':') && map_digits(&p, end, 1) &&
	       map_char(&p, end, ' ') && map_digits(&p, end, 0) && (p == end || *p == ' ');
}

int proc_map_count(const md_dump *d, uint64_t *n)
{
	const md_text *t = &d->linux_maps;
	*n = 0;
	if (!t->data)
		return 0;
	/* Non-empty lines; a line that is not a maps line makes the stream
	 * unreadable, as for rust-minidump (its reader refuses the stream). */
	const char *p = t->data, *end = t->data + t->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (le > p) {
			if (!map_line_ok(p, le))
				return 0;
			++*n;
		}
		p = le + 1;
	}
	return 1;
}

static json_t *map_count_json(const md_dump *d)
{
	uint64_t n;
	return proc_map_count(d, &n) ? json_integer((json_int_t)n) : json_null();
}

/* MozLinuxLimits: /proc/self/limits, columns split at two spaces, the
 * header line skipped, as rust-minidump reads it. */
#define STREAM_MOZ_LINUX_LIMITS 0x4d7a0003u
static json_t *limit_json(const char *v)
{
	if (!strcmp(v, "unlimited"))
		return json_string("unlimited");
	char *end;
	unsigned long long x = strtoull(v, &end, 10);
	return json_integer(*end || end == v ? 0 : (json_int_t)x);
}

static json_t *proc_limits_json(const md_dump *d)
{
	uint32_t len = 0;
	const char *p = (const char *)stream_bytes(d, STREAM_MOZ_LINUX_LIMITS, &len);
	if (!p)
		return json_null();
	const char *end = p + len;
	json_t *l = json_array();
	int header = 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		char line[512], *col[8];
		int n = 0;
		snprintf(line, sizeof line, "%.*s", (int)(le - p), p);
		p = nl ? nl + 1 : end;
		if (!line[0])
			continue;
		if (header) {
			header = 0;
			continue;
		}
		/* Columns are separated by runs of two or more spaces. */
		for (char *c = line; *c && n < 8;) {
			while (*c == ' ')
				c++;
			if (!*c)
				break;
			col[n++] = c;
			char *sep = strstr(c, "  ");
			if (!sep)
				break;
			*sep = 0;
			c = sep + 2;
		}
		if (n < 3)
			continue;
		for (int i = 0; i < n; i++)
			for (size_t k = strlen(col[i]); k && (col[i][k - 1] == ' ' || col[i][k - 1] == '\r'); k--)
				col[i][k - 1] = 0;
		json_t *o = json_object();
		SET(o, "name", json_string(col[0]));
		SET(o, "soft", limit_json(col[1]));
		SET(o, "hard", limit_json(col[2]));
		SET(o, "unit", json_string(n > 3 ? col[3] : "n/a"));
		json_array_append_new(l, o);
	}
	json_t *o = json_object();
	SET(o, "limits", l);
	return o;
}

#define STREAM_MOZ_MAC_CRASH_INFO 0x4d7a0001u
int proc_mac_crash_info(const md_dump *d, proc_mac_record *out, int *n)
{
	uint32_t len = 0;
	const uint8_t *p = stream_bytes(d, STREAM_MOZ_MAC_CRASH_INFO, &len);
	*n = 0;
	if (!p || len < 12 + 8 * PROC_MAC_RECORDS_MAX)
		return 0;
	uint32_t count = cd_le32(p + 4), strings_at = cd_le32(p + 8);
	uint64_t version = 0;
	for (uint32_t i = 0; i < count && i < PROC_MAC_RECORDS_MAX; i++) {
		uint32_t size = cd_le32(p + 12 + 8 * i), rva = cd_le32(p + 16 + 8 * i);
		if ((uint64_t)rva + size > d->file_size || size < 16)
			return 0;
		const uint8_t *r = d->data + rva;
		uint64_t v = cd_le64(r + 8);
		/* One version for all: they share where the strings start. */
		if (i && v != version)
			return 0;
		version = v;
		proc_mac_record *m = &out[(*n)++];
		memset(m, 0, sizeof *m);
		size_t fixed = v >= 5 ? 48 : v >= 4 ? 40 : 16;
		if (fixed > size || fixed > strings_at)
			return *n = 0, 0;
		if (v >= 4) {
			m->thread = cd_le64(r + 16);
			m->dialog_mode = cd_le64(r + 24);
		}
		if (v >= 5)
			m->abort_cause = cd_le64(r + 32);
		if (v < 4)
			continue;
		const char **strs[] = { &m->module, &m->message, &m->signature_string, &m->backtrace,
					&m->message2 };
		size_t at = strings_at;
		for (size_t k = 0; k < sizeof strs / sizeof *strs; k++) {
			const uint8_t *nul = at < size ? memchr(r + at, 0, size - at) : NULL;
			if (!nul)
				return *n = 0, 0;
			if (nul > r + at)
				*strs[k] = (const char *)(r + at);
			at = (size_t)(nul - r) + 1;
		}
	}
	return 1;
}

static json_t *mac_crash_info_json(const md_dump *d, int wide)
{
	proc_mac_record m[PROC_MAC_RECORDS_MAX];
	int n;
	if (!proc_mac_crash_info(d, m, &n))
		return json_null();
	json_t *o = json_object(), *l = json_array();
	SET(o, "num_records", json_integer(n));
	for (int i = 0; i < n; i++) {
		json_t *r = json_object();
		SET(r, "thread", m[i].thread ? hexw(m[i].thread, wide) : json_null());
		SET(r, "dialog_mode", m[i].dialog_mode ? hexw(m[i].dialog_mode, wide) : json_null());
		SET(r, "abort_cause", m[i].abort_cause ? hexw(m[i].abort_cause, wide) : json_null());
		SET(r, "module", str_or_null(m[i].module));
		SET(r, "message", str_or_null(m[i].message));
		SET(r, "signature_string", str_or_null(m[i].signature_string));
		SET(r, "backtrace", str_or_null(m[i].backtrace));
		SET(r, "message2", str_or_null(m[i].message2));
		json_array_append_new(l, r);
	}
	SET(o, "records", l);
	return o;
}

#define STREAM_MOZ_MAC_BOOTARGS 0x4d7a0002u
int proc_mac_boot_args(const md_dump *d, char *buf, size_t size)
{
	uint32_t len = 0;
	const uint8_t *p = stream_bytes(d, STREAM_MOZ_MAC_BOOTARGS, &len);
	buf[0] = 0;
	if (!p || len < 12)
		return 0;
	uint64_t rva = cd_le64(p + 4);
	if (!rva || rva + 4 > d->file_size)
		return 1;
	uint32_t bytes = cd_le32(d->data + rva);
	if (bytes % 2 || bytes > d->file_size - rva - 4)
		return 1;
	cd_buf b;
	cd_buf_init(&b, bytes * 2 + 16);
	if (cd_utf16le_to_utf8(&b, d->data + rva + 4, bytes / 2) == CD_OK && b.data)
		snprintf(buf, size, "%s", b.data);
	cd_buf_free(&b);
	return 1;
}

static json_t *mac_boot_args_json(const md_dump *d)
{
	char v[4096];
	if (!proc_mac_boot_args(d, v, sizeof v) || !v[0])
		return json_null();
	return str_or_null(v);
}

/* MozSoftErrors: the JSON the writer recorded, or null. */
#define STREAM_MOZ_SOFT_ERRORS 0x4d7a0004u
static json_t *soft_errors_json(const md_dump *d);

void *proc_soft_errors(const md_dump *d)
{
	return soft_errors_json(d);
}

static json_t *soft_errors_json(const md_dump *d)
{
	uint32_t len;
	const uint8_t *p = stream_bytes(d, STREAM_MOZ_SOFT_ERRORS, &len);
	json_t *v = p ? json_loadb((const char *)p, len, JSON_DECODE_ANY, NULL) : NULL;
	return v ? v : json_null();
}

/* The process id: MiscInfo's, else /proc/self/status's Pid. */
static json_t *pid_json(const md_dump *d)
{
	if (d->misc.has_pid)
		return json_integer(d->misc.pid);
	char v[32];
	if (d->linux_proc_status.data && text_value(&d->linux_proc_status, "Pid", ':', v, sizeof v))
		return json_integer(strtoll(v, NULL, 10));
	return json_null();
}

/* os_ver as rust-minidump writes it: "MAJOR.MINOR.BUILD CSD"; for Linux
 * dumps whose version fields are zero, taken apart from the uname string
 * ("Linux VERSION BUILD... ARCH [Linux/GNU]"). */
void proc_os_version(const md_system_info *si, char *buf, size_t size)
{
	char csd[512];
	const char *c = si->csd_version;
	while (*c == ' ')
		c++;
	snprintf(csd, sizeof csd, "%s", c);
	for (size_t n = strlen(csd); n && csd[n - 1] == ' '; n--)
		csd[n - 1] = 0;
	if (!(si->major || si->minor || si->build) && !strcmp(si->os_short, "linux")) {
		char *word[64];
		int n = 0;
		for (char *save, *t = strtok_r(csd, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
			word[n++] = t;
		int last = n - 1;
		if (last >= 0 && !strcmp(word[last], "Linux/GNU"))
			last--;
		if (n >= 2) {
			size_t k = (size_t)snprintf(buf, size, "%s", word[1]);
			for (int i = 2; i < last && k < size; i++)
				k += (size_t)snprintf(buf + k, size - k, "%s%s", i == 2 ? " " : " ", word[i]);
			return;
		}
	}
	snprintf(buf, size, "%u.%u.%u%s%s", si->major, si->minor, si->build, csd[0] ? " " : "", csd);
}

static const char *code_name(const proc_code_name *t, size_t n, uint32_t code)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].code == code)
			return t[mid].name;
		if (t[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int proc_last_error(const md_dump *d, const md_thread *t, char *buf, size_t size)
{
	int wide = d->sysinfo.cpu == MD_CPU_AMD64 || d->sysinfo.cpu == MD_CPU_ARM64;
	/* The word 13 pointers into the TEB, as rust-minidump reads it on
	 * every system (on others the field holds what the writer put there,
	 * and a readable word there is still reported). */
	uint32_t v;
	if (md_read_memory(d, t->teb + 13 * (wide ? 8u : 4u), &v, 4) != CD_OK)
		return 0;
	const char *name = code_name(proc__win_errors, proc__nwin_errors, v);
	if (!name)
		name = code_name(proc__nt_statuses, proc__nnt_statuses, v);
	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "unknown 0x%08x", v);
	return 1;
}

static json_t *thread_json(const md_dump *d, uint32_t i, const walk_stack *s, int wide)
{
	json_t *o = json_object();
	const md_thread *t = &d->threads[i];
	SET(o, "thread_id", json_integer(t->id));
	/* null without a ThreadNames entry; a recorded empty name stays "". */
	SET(o, "thread_name", t->name ? str_or_empty(t->name) : json_null());
	char err[128];
	SET(o, "last_error_value", proc_last_error(d, t, err, sizeof err) ? json_string(err) : json_null());
	SET(o, "frame_count", json_integer(s->nframes));
	json_t *frames = json_array();
	for (uint32_t k = 0; k < s->nframes; k++)
		json_array_append_new(frames, frame_json(d, &s->frames[k], k, wide));
	SET(o, "frames", frames);
	/* crashdesk's: the walk stopped at its frame limit, the stack goes on. */
	if (s->truncated)
		SET(o, "frames_truncated", json_true());
	return o;
}

void *proc_cert_map(const proc_annotations *a)
{
	json_t *out = json_object();
	const char *text = a ? proc_annotation(a, "ModuleSignatureInfo") : NULL;
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	/* An object, or a string holding one (as the raw crash has it). */
	if (json_is_string(v)) {
		json_t *inner = json_loads(json_string_value(v), 0, NULL);
		json_decref(v);
		v = inner;
	}
	const char *cert;
	json_t *mods;
	json_object_foreach(v, cert, mods) {
		size_t i;
		json_t *m;
		json_array_foreach(mods, i, m)
			if (json_is_string(m))
				SET(out, json_string_value(m), json_string(cert));
	}
	json_decref(v);
	return out;
}

int proc_microcode(const md_dump *d, const proc_annotations *a, uint64_t *out)
{
	char v[64] = "";
	if (!(d->linux_cpu_info.data && text_value(&d->linux_cpu_info, "microcode", ':', v, sizeof v))) {
		const char *e = a ? proc_annotation(a, "CPUMicrocodeVersion") : NULL;
		snprintf(v, sizeof v, "%s", e ? e : "");
	}
	if (strncmp(v, "0x", 2) || !v[2])
		return 0;
	char *end;
	*out = strtoull(v + 2, &end, 16);
	return !*end;
}

/* rust-minidump's MemoryAddressInfo: the address, and the guard page
 * flag only when it is set. */
static json_t *address_info(uint64_t addr, int guard, int wide)
{
	json_t *o = json_object();
	SET(o, "address", hexw(addr, wide));
	if (guard)
		SET(o, "is_likely_guard_page", json_true());
	return o;
}

/* crash_info's analysis fields (all null when the instruction could not
 * be read or decoded, as rust-minidump leaves them). */
static void analysis_json(json_t *ci, const proc_analysis *a, int wide)
{
	if (!a || !a->have_exception)
		return;
	if (a->adjusted) {
		json_t *o = json_object();
		int nc = a->adjusted == PROC_ADJUSTED_NON_CANONICAL;
		SET(o, "kind", json_string(nc ? "non-canonical" : "null-pointer"));
		SET(o, nc ? "address" : "offset", hexw(a->adjusted_value, wide));
		SET(ci, "adjusted_address", o);
	}
	if (a->decoded)
		SET(ci, "instruction", json_string(a->instruction));
	if (a->decoded && a->have_accesses) {
		static const char *types[] = { NULL, "read", "write", "readwrite" };
		json_t *l = json_array();
		for (int i = 0; i < a->naccesses; i++) {
			const proc_access *x = &a->accesses[i];
			json_t *o = address_info(x->address, x->guard_page, wide);
			SET(o, "size", x->size ? json_integer(x->size) : json_null());
			if (types[x->type])
				SET(o, "access_type", json_string(types[x->type]));
			json_array_append_new(l, o);
		}
		SET(ci, "memory_accesses", l);
	}
	if (a->ip_update == PROC_IP_UPDATE)
		SET(ci, "instruction_pointer_update", address_info(a->ip_target, 0, wide));
	if (a->nflips) {
		json_t *l = json_array();
		for (size_t i = 0; i < a->nflips; i++) {
			const proc_bitflip *f = &a->flips[i];
			json_t *o = json_object(), *det = json_object();
			SET(o, "address", hexw(f->address, wide));
			SET(o, "source_register", str_or_null(f->source_register));
			SET(det, "was_non_canonical", json_boolean(f->was_non_canonical));
			SET(det, "is_null", json_boolean(f->is_null));
			SET(det, "was_low", json_boolean(f->was_low));
			SET(det, "nearby_registers", json_integer(f->nearby_registers));
			SET(det, "poison_registers", json_boolean(f->poison_registers));
			SET(o, "details", det);
			SET(o, "confidence", json_real(f->confidence));
			json_array_append_new(l, o);
		}
		SET(ci, "possible_bit_flips", l);
	}
	json_t *inc = json_array();
	for (unsigned bit = 1; bit <= PROC_INC_ACCESS_ALLOWED; bit <<= 1)
		if (a->inconsistencies & bit)
			json_array_append_new(inc, json_string(proc_inconsistency_name(bit, 0)));
	SET(ci, "crash_inconsistencies", inc);
}

/* One entry of modules[]; certs is proc_cert_map()'s. */
static json_t *module_json(const md_dump *d, const md_module *m, json_t *certs,
			   proc_module_status_fn status, void *status_ctx, int wide)
{
	int st = status ? status(status_ctx, m) : SYM_STATUS_UNKNOWN;
	json_t *o = json_object();
	SET(o, "base_addr", hexw(m->base, wide));
	SET(o, "end_addr", hexw(m->base + m->size, wide));
	SET(o, "filename", str_or_empty(cd_basename(m->code_file)));
	SET(o, "debug_file", str_or_empty(module_debug_file(m)));
	SET(o, "debug_id", module_debug_id(m));
	SET(o, "code_id", module_code_id(d, m));
	char ver[64];
	SET(o, "version", str_or_null(proc_module_version(d, m, ver, sizeof ver)));
	SET(o, "cert_subject", str_or_null(json_string_value(json_object_get(certs, cd_basename(m->code_file)))));
	SET(o, "missing_symbols", json_boolean(st == SYM_STATUS_MISSING));
	SET(o, "loaded_symbols", json_boolean(st == SYM_STATUS_LOADED || st == SYM_STATUS_CORRUPT));
	SET(o, "corrupt_symbols", json_boolean(st == SYM_STATUS_CORRUPT));
	SET(o, "symbol_url", json_null());
	return o;
}

/* The document; certs is proc_cert_map()'s. With rest non-NULL, without
 * its threads and modules: the keys before "threads" in the returned
 * object, those between "threads" and "modules" in rest[0], those after
 * "modules" in rest[1] (proc_text writes the threads and the modules
 * between them one at a time). */
static json_t *build(const md_dump *d, const walk_stack *stacks, proc_module_status_fn status,
		     void *status_ctx, const proc_annotations *annotations,
		     const proc_analysis *analysis, json_t *certs, json_t *rest[2])
{
	int wide = d->sysinfo.cpu != MD_CPU_X86 && d->sysinfo.cpu != MD_CPU_ARM;
	json_t *root = json_object();
	/* status is rust-minidump's: "OK" whenever the dump was processed (it is
	 * Socorro's mdsw_status_string, which the signature reads). What could
	 * not be read is crashdesk's "damage": "ThreadList partial, ..." (null
	 * for a sound dump), the problems themselves in "problems". */
	char state[1024] = "";
	if (d->nproblems) {
		size_t n = 0;
		int any = 0;
		for (uint32_t i = 0; i < d->ndir && n < sizeof state - 64; i++) {
			const md_dir_entry *de = &d->dir[i];
			if (de->state != MD_STREAM_PARTIAL && de->state != MD_STREAM_BAD)
				continue;
			const char *nm = md_stream_type_name(de->type);
			char unknown[16];
			snprintf(unknown, sizeof unknown, "0x%x", de->type);
			n += (size_t)snprintf(state + n, sizeof state - n, "%s%s %s", any ? ", " : "",
					      nm ? nm : unknown, md_stream_state_name(de->state));
			any = 1;
		}
		if (!any)
			snprintf(state + n, sizeof state - n, "see problems");
	}
	SET(root, "status", json_string("OK"));
	SET(root, "damage", state[0] ? json_string(state) : json_null());
	SET(root, "pid", pid_json(d));
	/* crashdesk's: when the dump was written (its header), seconds since
	 * the epoch. */
	SET(root, "dump_time", d->time_date_stamp ? json_integer(d->time_date_stamp) : json_null());
	uint64_t up;
	SET(root, "process_uptime",
	    md_process_uptime(d, &up) == CD_OK ? json_integer((json_int_t)up) : json_null());

	proc_reason r;
	proc_crash_reason(d, &r);
	int crashing = -1;
	for (uint32_t i = 0; r.has_exception && i < d->nthreads; i++)
		if (d->threads[i].id == d->exception.thread_id)
			crashing = (int)i;
	json_t *ci = json_object();
	SET(ci, "type", r.has_exception ? json_string(r.text) : json_null());
	SET(ci, "address", r.has_exception ? hexw(r.address, wide) : json_null());
	/* The crash address analysis (src/process/analysis.c fills these when
	 * it can decode the crashing instruction). */
	SET(ci, "adjusted_address", json_null());
	SET(ci, "instruction", json_null());
	SET(ci, "memory_accesses", json_null());
	SET(ci, "instruction_pointer_update", json_null());
	SET(ci, "possible_bit_flips", json_null());
	SET(ci, "crash_inconsistencies", r.has_exception ? json_array() : json_null());
	analysis_json(ci, analysis, wide);
	/* crashdesk's: the exception record's parameters, as Crash Stats'
	 * report page lists them. */
	if (r.has_exception) {
		json_t *params = json_array();
		for (uint32_t i = 0; i < d->exception.nparams && i < 15; i++)
			json_array_append_new(params, hexw(d->exception.params[i], wide));
		SET(root, "crash_parameters", params);
	}
	SET(ci, "crashing_thread", crashing >= 0 ? json_integer(crashing) : json_null());
	/* The minidump's own assertion stream only, as rust-minidump: an
	 * AbortMessage annotation stays under "annotations". */
	char abuf[1024];
	SET(ci, "assertion", str_or_null(proc_assertion(d, abuf, sizeof abuf) ? abuf : NULL));
	SET(root, "crash_info", ci);

	const md_system_info *si = &d->sysinfo;
	json_t *sys = json_object();
	char buf[512];
	SET(sys, "os", json_string(si->os));
	proc_os_version(si, buf, sizeof buf);
	SET(sys, "os_ver", str_or_null(buf));
	SET(sys, "cpu_arch", json_string(md_cpu_name(si->cpu)));
	snprintf(buf, sizeof buf, "%s%sfamily %u model %u stepping %u", si->cpu_vendor,
		 si->cpu_vendor[0] ? " " : "", si->level, si->revision >> 8, si->revision & 0xff);
	SET(sys, "cpu_info", str_or_null(buf));
	SET(sys, "cpu_count", json_integer(si->ncpus));
	uint64_t mc;
	if (proc_microcode(d, annotations, &mc)) {
		snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)mc);
		SET(sys, "cpu_microcode_version", json_string(buf));
	} else {
		SET(sys, "cpu_microcode_version", json_null());
	}
	SET(root, "system_info", sys);
	SET(root, "lsb_release", lsb_json(d));
	SET(root, "proc_limits", proc_limits_json(d));
	SET(root, "soft_errors", soft_errors_json(d));
	SET(root, "mac_crash_info", mac_crash_info_json(d, wide));
	SET(root, "mac_boot_args", mac_boot_args_json(d));
	SET(root, "linux_memory_map_count", map_count_json(d));

	SET(root, "thread_count", json_integer(d->nthreads));
	json_t *out = root; /* where the keys after "threads" go */
	if (rest) {
		out = rest[0] = json_object();
	} else {
		json_t *threads = json_array();
		for (uint32_t i = 0; i < d->nthreads; i++)
			json_array_append_new(threads, thread_json(d, i, &stacks[i], wide));
		SET(root, "threads", threads);
	}
	if (crashing >= 0) {
		json_t *ct = thread_json(d, (uint32_t)crashing, &stacks[crashing], wide);
		SET(ct, "threads_index", json_integer(crashing));
		if (stacks[crashing].nframes)
			SET(ct, "registers", registers(&stacks[crashing].frames[0].regs, wide));
		SET(out, "crashing_thread", ct);
	} else {
		SET(out, "crashing_thread", json_null());
	}

	SET(out, "main_module", d->nmodules ? json_integer(0) : json_null());
	SET(out, "modules_contains_cert_info", json_boolean(json_object_size(certs) > 0));
	if (rest) {
		out = rest[1] = json_object();
	} else {
		json_t *mods = json_array();
		for (uint32_t i = 0; i < d->nmodules; i++)
			json_array_append_new(mods, module_json(d, &d->modules[i], certs, status,
								status_ctx, wide));
		SET(out, "modules", mods);
	}
	json_t *un = json_array();
	for (uint32_t i = 0; i < d->nunloaded; i++) {
		const md_unloaded_module *u = &d->unloaded[i];
		json_t *o = json_object();
		SET(o, "base_addr", hexw(u->base, wide));
		SET(o, "end_addr", hexw(u->base + u->size, wide));
		SET(o, "filename", str_or_empty(cd_basename(u->code_file)));
		char cid[32];
		snprintf(cid, sizeof cid, "%08x%x", u->time_date_stamp, u->size);
		SET(o, "code_id", json_string(cid));
		SET(o, "cert_subject", str_or_null(json_string_value(json_object_get(certs, cd_basename(u->code_file)))));
		json_array_append_new(un, o);
	}
	SET(out, "unloaded_modules", un);
	/* The handle data stream's descriptors, as rust-minidump lists them. */
	if (d->handles_state != MD_STREAM_ABSENT && d->handles) {
		json_t *hl = json_array();
		for (uint32_t i = 0; i < d->nhandles; i++) {
			const md_handle *h = &d->handles[i];
			json_t *o = json_object();
			SET(o, "handle", json_integer((json_int_t)h->handle));
			SET(o, "type_name", h->type_name ? str_or_empty(h->type_name) : json_null());
			SET(o, "object_name", h->object_name ? str_or_empty(h->object_name) : json_null());
			json_array_append_new(hl, o);
		}
		SET(out, "handles", hl);
	} else {
		SET(out, "handles", json_null());
	}
	if (d->crashpad_state && d->crashpad.nsimple) {
		json_t *a = json_object();
		for (uint32_t i = 0; i < d->crashpad.nsimple; i++) {
			/* A key that is not UTF-8 cannot be a JSON key: left out
			 * (json_object_set_new frees the value then). */
			SET(a, d->crashpad.simple[i].key, str_or_null(d->crashpad.simple[i].value));
		}
		SET(out, "crashpad_annotations", a);
	}
	/* crashdesk's: each module's Crashpad annotations (list, simple and
	 * annotation objects; a string object as its text, any other as its
	 * type and size), as `crashdesk dump` prints them. */
	if (d->crashpad_state && d->crashpad.nmodules) {
		json_t *l = json_array();
		for (uint32_t i = 0; i < d->crashpad.nmodules; i++) {
			const md_crashpad_module *cm = &d->crashpad.modules[i];
			json_t *o = json_object(), *list = json_array(), *simple = json_object(),
			       *objs = json_object();
			const md_module *m = cm->module_index < d->nmodules ? &d->modules[cm->module_index]
									    : NULL;
			SET(o, "module", m ? str_or_empty(cd_basename(m->code_file)) : json_null());
			for (uint32_t k = 0; k < cm->nlist; k++)
				json_array_append_new(list, str_or_empty(cm->list[k]));
			for (uint32_t k = 0; k < cm->nsimple; k++)
				SET(simple, cm->simple[k].key, str_or_null(cm->simple[k].value));
			for (uint32_t k = 0; k < cm->nobjects; k++) {
				const md_annotation *an = &cm->objects[k];
				char buf[64];
				json_t *v = NULL;
				if (an->type == 1)
					v = json_stringn((const char *)an->value, an->value_len);
				if (!v) {
					snprintf(buf, sizeof buf, "(type 0x%x, %u bytes)", an->type, an->value_len);
					v = json_string(buf);
				}
				SET(objs, an->name ? an->name : "", v);
			}
			SET(o, "list", list);
			SET(o, "simple", simple);
			SET(o, "objects", objs);
			json_array_append_new(l, o);
		}
		SET(out, "crashpad_module_annotations", l);
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
	SET(out, "problems", probs);
	if (annotations) {
		json_t *a = json_object();
		for (uint32_t i = 0; i < annotations->n; i++)
			SET(a, annotations->kv[i].key, str_or_null(annotations->kv[i].value));
		SET(out, "annotations", a);
	}
	return root;
}

void *proc_json(const md_dump *d, const walk_stack *stacks, proc_module_status_fn status,
		void *status_ctx, const proc_annotations *annotations, const proc_analysis *analysis)
{
	json_t *certs = proc_cert_map(annotations);
	json_t *doc = build(d, stacks, status, status_ctx, annotations, analysis, certs, NULL);
	json_decref(certs);
	return doc;
}

/* Appends obj's members as compact JSON (no braces), after a comma when
 * *any says something came before. */
static int put_members(cd_buf *b, json_t *obj, int *any)
{
	if (!json_object_size(obj))
		return CD_OK;
	char *t = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!t)
		return CD_ENOMEM;
	int rc = (*any ? cd_buf_puts(b, ",") : CD_OK) ||
		 cd_buf_append(b, t + 1, strlen(t) - 2) ? CD_ENOMEM : CD_OK;
	*any = 1;
	free(t);
	return rc;
}

/* Appends `"key":[...]` with n items made one at a time by item(). */
static int put_array(cd_buf *b, const char *key, uint32_t n, int *any,
		     json_t *(*item)(void *ctx, uint32_t i), void *ctx)
{
	int rc = cd_buf_printf(b, "%s\"%s\":[", *any ? "," : "", key);
	*any = 1;
	for (uint32_t i = 0; rc == CD_OK && i < n; i++) {
		json_t *v = item(ctx, i);
		char *t = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		rc = !t ? CD_ENOMEM : (i ? cd_buf_puts(b, ",") : CD_OK) || cd_buf_puts(b, t) ? CD_ENOMEM : CD_OK;
		free(t);
		json_decref(v);
	}
	return rc == CD_OK ? cd_buf_puts(b, "]") : rc;
}

typedef struct text_ctx {
	const md_dump *d;
	const walk_stack *stacks;
	proc_module_status_fn status;
	void *status_ctx;
	json_t *certs;
	int wide;
} text_ctx;

static json_t *thread_item(void *ctx, uint32_t i)
{
	const text_ctx *t = ctx;
	return thread_json(t->d, i, &t->stacks[i], t->wide);
}

static json_t *module_item(void *ctx, uint32_t i)
{
	const text_ctx *t = ctx;
	return module_json(t->d, &t->d->modules[i], t->certs, t->status, t->status_ctx, t->wide);
}

int proc_text(const md_dump *d, const walk_stack *stacks, proc_module_status_fn status,
	      void *status_ctx, const proc_annotations *annotations, const proc_analysis *analysis,
	      cd_buf *out)
{
	text_ctx t = { d, stacks, status, status_ctx, proc_cert_map(annotations),
		       d->sysinfo.cpu != MD_CPU_X86 && d->sysinfo.cpu != MD_CPU_ARM };
	json_t *rest[2] = { NULL, NULL };
	json_t *head = build(d, stacks, status, status_ctx, annotations, analysis, t.certs, rest);
	int any = 0;
	int rc = head && rest[0] && rest[1] ? cd_buf_puts(out, "{") : CD_ENOMEM;
	if (rc == CD_OK)
		rc = put_members(out, head, &any);
	if (rc == CD_OK)
		rc = put_array(out, "threads", d->nthreads, &any, thread_item, &t);
	if (rc == CD_OK)
		rc = put_members(out, rest[0], &any);
	if (rc == CD_OK)
		rc = put_array(out, "modules", d->nmodules, &any, module_item, &t);
	if (rc == CD_OK)
		rc = put_members(out, rest[1], &any);
	if (rc == CD_OK)
		rc = cd_buf_puts(out, "}");
	json_decref(head);
	json_decref(rest[0]);
	json_decref(rest[1]);
	json_decref(t.certs);
	return rc;
}
