/* layout.c - crashstats-tools' fetch-data directory layout (written and
 * read), dumps kept in the cache under their SHA-256, and importing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Writes data to path whole: a temporary name in the same directory,
 * then rename, so a reader never sees half a file. */
static int write_whole(const char *path, const void *data, size_t len, cd_err *e)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return cd_errf(e, CD_EIO, "%s: cannot create: %s", tmp, strerror(errno));
	const char *p = data;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = errno;
			close(fd);
			unlink(tmp);
			return cd_errf(e, CD_EIO, "%s: cannot write: %s", tmp, strerror(err));
		}
		off += (size_t)w;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		int err = errno;
		unlink(tmp);
		return cd_errf(e, CD_EIO, "%s: cannot write: %s", path, strerror(err));
	}
	return CD_OK;
}

/* Copies src to dst whole (temporary name, rename); the SHA-256 of the
 * bytes into sha when not NULL. */
static int copy_whole(const char *src, const char *dst, char sha[65], cd_err *e)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return cd_errf(e, CD_EIO, "%s: cannot open: %s", src, strerror(errno));
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", dst, (long)getpid());
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		int err = errno;
		close(in);
		return cd_errf(e, CD_EIO, "%s: cannot create: %s", tmp, strerror(err));
	}
	cd_sha256 h;
	cd_sha256_init(&h);
	char buf[1 << 16];
	int rc = CD_OK;
	for (;;) {
		ssize_t r = read(in, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = cd_errf(e, CD_EIO, "%s: cannot read: %s", src, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		cd_sha256_update(&h, buf, (size_t)r);
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(out, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = cd_errf(e, CD_EIO, "%s: cannot write: %s", tmp, strerror(errno));
				break;
			}
			off += w;
		}
		if (rc != CD_OK)
			break;
	}
	close(in);
	if (close(out) != 0 && rc == CD_OK)
		rc = cd_errf(e, CD_EIO, "%s: cannot write: %s", tmp, strerror(errno));
	if (rc == CD_OK && rename(tmp, dst) != 0)
		rc = cd_errf(e, CD_EIO, "%s: cannot write: %s", dst, strerror(errno));
	if (rc != CD_OK) {
		unlink(tmp);
		return rc;
	}
	if (sha) {
		uint8_t d[32];
		cd_sha256_final(&h, d);
		cd_sha256_hex(d, sha);
	}
	return CD_OK;
}

/* A double as Python's repr() writes it: the fewest digits that read back
 * the same, positional from 1e-4 to 1e16, else d.ddde+XX. */
static void py_float(double x, char *out, size_t n)
{
	char t[40];
	int p = 1;
	for (; p < 17; p++) {
		snprintf(t, sizeof t, "%.*e", p - 1, x);
		if (strtod(t, NULL) == x)
			break;
	}
	snprintf(t, sizeof t, "%.*e", p - 1, x);
	/* t: [-]d[.ddd]e[+-]XX */
	char digits[24];
	size_t nd = 0;
	const char *q = t;
	int neg = *q == '-';
	if (neg)
		q++;
	for (; *q && *q != 'e'; q++)
		if (*q != '.')
			digits[nd++] = *q;
	digits[nd] = 0;
	int exp = atoi(q + 1);
	char *o = out;
	size_t left = n;
#define PUT(...) do { int w_ = snprintf(o, left, __VA_ARGS__); if (w_ < 0 || (size_t)w_ >= left) return; o += w_; left -= (size_t)w_; } while (0)
	if (neg)
		PUT("-");
	if (exp >= -4 && exp < 16) {
		if (exp < 0) {
			PUT("0.");
			for (int i = -1; i > exp; i--)
				PUT("0");
			PUT("%s", digits);
		} else {
			for (int i = 0; i <= exp; i++)
				PUT("%c", (size_t)i < nd ? digits[i] : '0');
			PUT(".");
			if ((size_t)exp + 1 < nd)
				PUT("%s", digits + exp + 1);
			else
				PUT("0");
		}
	} else {
		PUT("%c", digits[0]);
		if (nd > 1)
			PUT(".%s", digits + 1);
		PUT("e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	}
#undef PUT
}

/* fetch-data's JSON: Python's json.dump(indent=2, sort_keys=True) with
 * ASCII escapes. jansson writes \u escapes in upper case and reals with
 * 17 digits; Python writes lower case and the shortest repr. */
char *cs__fetch_data_json(json_t *j, size_t flags)
{
	char *s = json_dumps(j, flags | JSON_SORT_KEYS | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17));
	if (!s)
		return NULL;
	cd_buf b;
	cd_buf_init(&b, CS_JSON_MAX * 2u);
	int in_str = 0;
	for (char *p = s; *p;) {
		if (in_str) {
			if (*p == '\\' && p[1]) {
				char esc[6] = { p[0], p[1] };
				size_t k = 2;
				if (p[1] == 'u')
					for (; k < 6 && p[k]; k++)
						esc[k] = p[k] >= 'A' && p[k] <= 'F' ? (char)(p[k] - 'A' + 'a') : p[k];
				cd_buf_append(&b, esc, k);
				p += k;
				continue;
			}
			if (*p == '"')
				in_str = 0;
			cd_buf_append(&b, p++, 1);
			continue;
		}
		if (*p == '"') {
			in_str = 1;
			cd_buf_append(&b, p++, 1);
			continue;
		}
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			size_t len = strspn(p, "+-0123456789.eE");
			if (memchr(p, '.', len) || memchr(p, 'e', len) || memchr(p, 'E', len)) {
				char num[64], txt[64];
				snprintf(num, sizeof num, "%.*s", (int)(len < 60 ? len : 60), p);
				py_float(strtod(num, NULL), txt, sizeof txt);
				cd_buf_puts(&b, txt);
			} else
				cd_buf_append(&b, p, len);
			p += len;
			continue;
		}
		cd_buf_append(&b, p++, 1);
	}
	free(s);
	if (b.overflow) {
		cd_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static int mkdirs(const char *dir, cd_err *e) { return cd_mkdir_p(dir, 0755, e); }

static int write_json(const char *dir, const char *sub, const char *id, json_t *j, size_t flags,
		      cd_err *e)
{
	char d[4200], path[4300];
	snprintf(d, sizeof d, "%s/%s", dir, sub);
	int rc = mkdirs(d, e);
	if (rc != CD_OK)
		return rc;
	snprintf(path, sizeof path, "%s/%s", d, id);
	char *text = cs__fetch_data_json(j, flags);
	if (!text)
		return cd_errf(e, CD_ENOMEM, "%s: cannot serialise", path);
	rc = write_whole(path, text, strlen(text), e);
	free(text);
	return rc;
}

int cs_layout_write(const char *dir, const char *id, json_t *raw, json_t *processed,
		    const char *dump_file, cd_err *e)
{
	if (!cs_crash_id_valid(id))
		return cd_errf(e, CD_EUSAGE, "'%s' is not a crash id", id);
	int rc = CD_OK;
	if (raw) {
		char day[9], sub[32];
		cs_crash_id_day(id, day);
		snprintf(sub, sizeof sub, "raw_crash/%s", day);
		rc = write_json(dir, sub, id, raw, JSON_INDENT(2), e);
	}
	/* dump_names, written with the dump as fetch-data does: the dumps
	 * the collector received, or the one we have. */
	json_t *names = NULL;
	json_t *sums = raw ? json_object_get(json_object_get(raw, "metadata"), "dump_checksums")
			   : NULL;
	if (dump_file && json_is_object(sums)) {
		names = json_array();
		const char *k;
		json_t *v;
		json_object_foreach(sums, k, v) json_array_append_new(names, json_string(k));
	} else if (dump_file) {
		names = json_array();
		json_array_append_new(names, json_string("upload_file_minidump"));
	}
	if (rc == CD_OK && names)
		rc = write_json(dir, "dump_names", id, names, 0, e);
	json_decref(names);
	if (rc == CD_OK && dump_file) {
		char d[4200], path[4300];
		snprintf(d, sizeof d, "%s/upload_file_minidump", dir);
		rc = mkdirs(d, e);
		snprintf(path, sizeof path, "%s/%s", d, id);
		if (rc == CD_OK)
			rc = copy_whole(dump_file, path, NULL, e);
	}
	if (rc == CD_OK && processed)
		rc = write_json(dir, "processed_crash", id, processed, JSON_INDENT(2), e);
	return rc;
}

int cs_dump_store_file(const char *src, const char *dump_dir, char sha[65], char *path,
		       size_t pathsize, cd_err *e)
{
	char dir[4096];
	int rc;
	if (dump_dir) {
		snprintf(dir, sizeof dir, "%s", dump_dir);
		rc = cd_mkdir_p(dir, 0700, e);
	} else
		rc = cd_xdg_dir(CD_XDG_CACHE, "dumps", dir, sizeof dir, e);
	if (rc != CD_OK)
		return rc;
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s/import.%ld", dir, (long)getpid());
	rc = copy_whole(src, tmp, sha, e);
	if (rc != CD_OK)
		return rc;
	snprintf(path, pathsize, "%s/%s.dmp", dir, sha);
	if (rename(tmp, path) != 0) {
		int err = errno;
		unlink(tmp);
		return cd_errf(e, CD_EIO, "%s: cannot write: %s", path, strerror(err));
	}
	return CD_OK;
}

/* ---- reading ------------------------------------------------------------ */

typedef struct scan {
	cs_layout_crash *c;
	size_t n, cap;
} scan;

static cs_layout_crash *entry(scan *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].id, id))
			return &s->c[i];
	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 32;
		cs_layout_crash *g = realloc(s->c, nc * sizeof *g);
		if (!g)
			return NULL;
		s->c = g;
		s->cap = nc;
	}
	cs_layout_crash *c = &s->c[s->n++];
	memset(c, 0, sizeof *c);
	memcpy(c->id, id, CS_ID_LEN + 1);
	return c;
}

/* Files named by crash ids in dir; which path of the entry they fill. */
static int scan_dir(scan *s, const char *dir, int which, cd_err *e)
{
	DIR *d = opendir(dir);
	if (!d)
		return CD_OK; /* that part of the layout is simply absent */
	struct dirent *de;
	int rc = CD_OK;
	while (rc == CD_OK && (de = readdir(d))) {
		if (!cs_crash_id_valid(de->d_name))
			continue;
		char path[4400];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct stat sb;
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		cs_layout_crash *c = entry(s, de->d_name);
		char **slot = !c ? NULL : which == 0 ? &c->raw_path
				    : which == 1     ? &c->processed_path
						     : &c->dump_path;
		if (!slot) {
			rc = cd_errf(e, CD_ENOMEM, "%s: out of memory", dir);
			break;
		}
		if (*slot)
			continue; /* the newer layout was read first */
		if (!(*slot = strdup(path)))
			rc = cd_errf(e, CD_ENOMEM, "%s: out of memory", dir);
	}
	closedir(d);
	return rc;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const cs_layout_crash *)a)->id, ((const cs_layout_crash *)b)->id);
}

void cs_layout_free(cs_layout_crash *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].raw_path);
		free(c[i].processed_path);
		free(c[i].dump_path);
	}
	free(c);
}

int cs_layout_scan(const char *dir, cs_layout_crash **out, size_t *n, cd_err *e)
{
	*out = NULL;
	*n = 0;
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return cd_errf(e, CD_EIO, "%s: not a directory", dir);
	scan s = { 0 };
	int rc = CD_OK;
	/* Today's layout, then Socorro's own script's v1/ prefix. */
	static const char *const prefixes[] = { "", "/v1" };
	for (size_t p = 0; p < 2 && rc == CD_OK; p++) {
		char base[4200], sub[4300];
		snprintf(base, sizeof base, "%s%s", dir, prefixes[p]);
		snprintf(sub, sizeof sub, "%s/raw_crash", base);
		DIR *d = opendir(sub);
		if (d) {
			struct dirent *de;
			while (rc == CD_OK && (de = readdir(d))) {
				if (de->d_name[0] == '.')
					continue;
				char day[4400];
				snprintf(day, sizeof day, "%s/%s", sub, de->d_name);
				/* raw_crash/20YYMMDD/ID, or a flat raw_crash/ID */
				if (cs_crash_id_valid(de->d_name))
					continue;
				rc = scan_dir(&s, day, 0, e);
			}
			closedir(d);
			if (rc == CD_OK)
				rc = scan_dir(&s, sub, 0, e);
		}
		snprintf(sub, sizeof sub, "%s/processed_crash", base);
		if (rc == CD_OK)
			rc = scan_dir(&s, sub, 1, e);
		snprintf(sub, sizeof sub, "%s/upload_file_minidump", base);
		if (rc == CD_OK)
			rc = scan_dir(&s, sub, 2, e);
		snprintf(sub, sizeof sub, "%s/dump", base);
		if (rc == CD_OK)
			rc = scan_dir(&s, sub, 2, e);
	}
	if (rc != CD_OK) {
		cs_layout_free(s.c, s.n);
		return rc;
	}
	if (s.n)
		qsort(s.c, s.n, sizeof *s.c, by_id);
	*out = s.c;
	*n = s.n;
	return CD_OK;
}

static json_t *load_json_file(const char *path, cd_err *e, int *rc)
{
	cd_map m;
	*rc = cd_map_open(path, &m, e);
	if (*rc != CD_OK)
		return NULL;
	if (m.size > CS_JSON_MAX) {
		cd_map_close(&m);
		*rc = cd_errf(e, CD_EFORMAT, "%s: %zu bytes, more than %u", path, m.size, CS_JSON_MAX);
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb((const char *)m.data, m.size, JSON_REJECT_DUPLICATES, &je);
	cd_map_close(&m);
	if (!j)
		*rc = cd_errf(e, CD_EFORMAT, "%s:%d:%d: malformed JSON (byte %d): %s", path, je.line,
			      je.column, je.position, je.text);
	else if (!json_is_object(j)) {
		json_decref(j);
		j = NULL;
		*rc = cd_errf(e, CD_EFORMAT, "%s:1:1: expected a JSON object", path);
	}
	return j;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

void cs_crash_summary(const char *id, json_t *raw, json_t *processed, store_crash *out)
{
	memset(out, 0, sizeof *out);
	out->crash_id = id;
	out->product = str(processed, "product");
	if (!out->product)
		out->product = str(raw, "ProductName");
	out->version = str(processed, "version");
	if (!out->version)
		out->version = str(raw, "Version");
	out->channel = str(processed, "release_channel");
	if (!out->channel)
		out->channel = str(raw, "ReleaseChannel");
	out->signature = str(processed, "signature");
	out->date = str(processed, "date_processed");
	if (!out->date)
		out->date = str(raw, "submitted_timestamp");
}

int cs_import_crash(store *st, const cs_layout_crash *lc, const char *dump_dir,
		    const cs_schema *raw_schema, const cs_schema *processed_schema,
		    cd_buf *problems, cd_err *e)
{
	int rc = CD_OK;
	json_t *raw = NULL, *proc = NULL;
	if (lc->raw_path && !(raw = load_json_file(lc->raw_path, e, &rc)))
		return rc;
	if (lc->processed_path && !(proc = load_json_file(lc->processed_path, e, &rc))) {
		json_decref(raw);
		return rc;
	}
	if (raw && raw_schema && problems) {
		cd_buf p;
		cd_buf_init(&p, 1 << 16);
		if (cs_schema_check(raw_schema, raw, &p))
			cd_buf_printf(problems, "%s: raw crash: %s", lc->id, p.data);
		cd_buf_free(&p);
	}
	if (proc && processed_schema && problems) {
		cd_buf p;
		cd_buf_init(&p, 1 << 16);
		if (cs_schema_check(processed_schema, proc, &p))
			cd_buf_printf(problems, "%s: processed crash: %s", lc->id, p.data);
		cd_buf_free(&p);
	}
	store_crash sc;
	cs_crash_summary(lc->id, raw, proc, &sc);
	rc = store_crash_put(st, &sc, e);
	/* What fetch-data wrote was whatever its token allowed: public_only
	 * unknown, taken as full (0) when protected fields are present. */
	if (rc == CD_OK && raw) {
		char *t = json_dumps(raw, JSON_COMPACT | JSON_PRESERVE_ORDER);
		rc = t ? store_crash_doc_put(st, lc->id, "raw", t, !json_object_get(raw, "metadata"), e)
		       : cd_errf(e, CD_ENOMEM, "out of memory");
		free(t);
	}
	if (rc == CD_OK && proc) {
		char *t = json_dumps(proc, JSON_COMPACT | JSON_PRESERVE_ORDER);
		rc = t ? store_crash_doc_put(st, lc->id, "processed", t, 0, e)
		       : cd_errf(e, CD_ENOMEM, "out of memory");
		free(t);
	}
	if (rc == CD_OK && lc->dump_path) {
		char sha[65], path[4400];
		rc = cs_dump_store_file(lc->dump_path, dump_dir, sha, path, sizeof path, e);
		struct stat sb;
		if (rc == CD_OK && stat(path, &sb) != 0)
			rc = cd_errf(e, CD_EIO, "%s: cannot stat: %s", path, strerror(errno));
		if (rc == CD_OK)
			rc = store_crash_dump_put(st, lc->id, "upload_file_minidump", sha,
						  (uint64_t)sb.st_size, path, e);
		const char *want = raw ? str(json_object_get(json_object_get(raw, "metadata"),
							     "dump_checksums"),
					     "upload_file_minidump")
				       : NULL;
		if (rc == CD_OK && want && strcmp(want, sha) && problems)
			cd_buf_printf(problems,
				      "%s: dump's SHA-256 %s differs from the collector's %s\n", lc->id,
				      sha, want);
	}
	json_decref(raw);
	json_decref(proc);
	return rc;
}
