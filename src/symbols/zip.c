/*
 * zip.c - reading symbol stores shipped as .zip files (Firefox builds ship
 * their symbols this way), with zlib and without unpacking the archive:
 * the central directory is read once, and an entry is inflated as it is
 * read (sym__zip_reader), straight into the parser, so a 600 MB libxul.sym
 * never lands on disk. sym_zip_extract() writes one out when a file is
 * wanted.
 *
 * Zip64 archives (over 4 GiB or 65,535 entries) are read through their
 * zip64 end record and extra fields. Every offset and size is checked
 * against the mapped archive before use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <zlib.h>

#include "internal.h"

#define EOCD_SIG 0x06054b50u
#define EOCD64_SIG 0x06064b50u
#define EOCD64_LOC_SIG 0x07064b50u
#define CDIR_SIG 0x02014b50u
#define LOCAL_SIG 0x04034b50u

typedef struct zip_entry {
	char *name;
	uint64_t comp_size, size, local_off;
	uint32_t crc;
	uint16_t method;
} zip_entry;

struct sym_zip {
	cd_map map;
	char *path;
	zip_entry *e;
	size_t n;
};

static const uint8_t *at(const sym_zip *z, uint64_t off, uint64_t len)
{
	if (off > z->map.size || len > z->map.size - off)
		return NULL;
	return z->map.data + off;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const zip_entry *)a)->name, ((const zip_entry *)b)->name);
}

/* Zip64 values replace the 0xffffffff placeholders, in this order. */
static void zip64_extra(const uint8_t *x, uint16_t len, zip_entry *e, uint32_t size32,
			uint32_t comp32, uint32_t off32)
{
	uint16_t i = 0;
	while (i + 4 <= len) {
		uint16_t id = cd_le16(x + i), n = cd_le16(x + i + 2);
		if (i + 4 + n > len)
			return;
		if (id == 1) {
			const uint8_t *p = x + i + 4, *end = p + n;
			if (size32 == 0xffffffffu && p + 8 <= end)
				e->size = cd_le64(p), p += 8;
			if (comp32 == 0xffffffffu && p + 8 <= end)
				e->comp_size = cd_le64(p), p += 8;
			if (off32 == 0xffffffffu && p + 8 <= end)
				e->local_off = cd_le64(p);
			return;
		}
		i += 4 + n;
	}
}

int sym_zip_open(const char *path, sym_zip **out, cd_err *err)
{
	*out = NULL;
	sym_zip *z = calloc(1, sizeof *z);
	if (!z)
		return cd_errf(err, CD_ENOMEM, "%s: out of memory", path);
	int rc = cd_map_open(path, &z->map, err);
	if (rc) {
		free(z);
		return rc;
	}
	z->path = strdup(path);
	/* The end record is in the last 64 KiB + 22 bytes (its comment). */
	uint64_t size = z->map.size, eocd = UINT64_MAX;
	for (uint64_t i = size >= 22 ? size - 22 : 0; size >= 22; i--) {
		if (cd_le32(z->map.data + i) == EOCD_SIG) {
			eocd = i;
			break;
		}
		if (i == 0 || size - i > 65535 + 22)
			break;
	}
	if (eocd == UINT64_MAX) {
		rc = cd_errf(err, CD_EFORMAT, "%s: not a zip archive (no end of central directory)", path);
		goto fail;
	}
	const uint8_t *p = z->map.data + eocd;
	uint64_t count = cd_le16(p + 10), cd_size = cd_le32(p + 12), cd_off = cd_le32(p + 16);
	const uint8_t *loc = eocd >= 20 ? at(z, eocd - 20, 20) : NULL;
	if (loc && cd_le32(loc) == EOCD64_LOC_SIG) {
		const uint8_t *e64 = at(z, cd_le64(loc + 8), 56);
		if (e64 && cd_le32(e64) == EOCD64_SIG) {
			count = cd_le64(e64 + 32);
			cd_size = cd_le64(e64 + 40);
			cd_off = cd_le64(e64 + 48);
		}
	}
	const uint8_t *cd = at(z, cd_off, cd_size);
	if (!cd) {
		rc = cd_errf(err, CD_EFORMAT, "%s: central directory at offset 0x%llx is outside the file",
			     path, (unsigned long long)cd_off);
		goto fail;
	}
	/* Each entry takes at least 46 bytes: the count cannot exceed that. */
	if (count > cd_size / 46)
		count = cd_size / 46;
	z->e = calloc(count ? count : 1, sizeof *z->e);
	if (!z->e) {
		rc = cd_errf(err, CD_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	uint64_t off = 0;
	for (uint64_t i = 0; i < count; i++) {
		if (off + 46 > cd_size || cd_le32(cd + off) != CDIR_SIG)
			break;
		const uint8_t *h = cd + off;
		uint16_t nlen = cd_le16(h + 28), xlen = cd_le16(h + 30), clen = cd_le16(h + 32);
		if (off + 46 + (uint64_t)nlen + xlen + clen > cd_size)
			break;
		zip_entry *e = &z->e[z->n];
		e->method = cd_le16(h + 10);
		e->crc = cd_le32(h + 16);
		uint32_t comp32 = cd_le32(h + 20), size32 = cd_le32(h + 24), off32 = cd_le32(h + 42);
		e->comp_size = comp32;
		e->size = size32;
		e->local_off = off32;
		zip64_extra(h + 46 + nlen, xlen, e, size32, comp32, off32);
		e->name = strndup((const char *)h + 46, nlen);
		if (!e->name)
			break;
		z->n++;
		off += 46 + (uint64_t)nlen + xlen + clen;
	}
	qsort(z->e, z->n, sizeof *z->e, by_name);
	*out = z;
	return CD_OK;
fail:
	sym_zip_close(z);
	return rc;
}

void sym_zip_close(sym_zip *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < z->n; i++)
		free(z->e[i].name);
	free(z->e);
	free(z->path);
	cd_map_close(&z->map);
	free(z);
}

const char *sym_zip_entry(const sym_zip *z, size_t i)
{
	return i < z->n ? z->e[i].name : NULL;
}

int sym_zip_has(const sym_zip *z, const char *name)
{
	zip_entry key = { .name = (char *)name };
	return z->n && bsearch(&key, z->e, z->n, sizeof *z->e, by_name) != NULL;
}

/* What an entry declares is checked before a byte is inflated: a size no
 * symbol file has, or a ratio only a bomb has, is refused at once. */
static int entry_limits(const sym_zip *z, const zip_entry *e, cd_err *err)
{
	if (e->size > SYM_MAX_ENTRY)
		return cd_errf(err, CD_EFORMAT,
			       "%s: %s: declares %llu bytes, more than the %llu a symbol file may have",
			       z->path, e->name, (unsigned long long)e->size,
			       (unsigned long long)SYM_MAX_ENTRY);
	if (e->method == 8 && e->size > (1u << 20) && e->size / SYM_MAX_INFLATION > e->comp_size)
		return cd_errf(err, CD_EFORMAT,
			       "%s: %s: declares %llu bytes from %llu compressed, more than %d times: "
			       "refused as a zip bomb",
			       z->path, e->name, (unsigned long long)e->size,
			       (unsigned long long)e->comp_size, SYM_MAX_INFLATION);
	return CD_OK;
}

int sym_zip_extract(const sym_zip *z, const char *name, const char *dest, cd_err *err)
{
	zip_entry key = { .name = (char *)name };
	const zip_entry *e = z->n ? bsearch(&key, z->e, z->n, sizeof *z->e, by_name) : NULL;
	if (!e)
		return cd_errf(err, CD_ENOTFOUND, "%s: no entry %s", z->path, name);
	const uint8_t *lh = at(z, e->local_off, 30);
	if (!lh || cd_le32(lh) != LOCAL_SIG)
		return cd_errf(err, CD_EFORMAT, "%s: %s: local header at offset 0x%llx is damaged",
			       z->path, name, (unsigned long long)e->local_off);
	uint64_t data_off = e->local_off + 30 + cd_le16(lh + 26) + cd_le16(lh + 28);
	const uint8_t *data = at(z, data_off, e->comp_size);
	if (!data)
		return cd_errf(err, CD_EFORMAT, "%s: %s: data at offset 0x%llx runs past the end",
			       z->path, name, (unsigned long long)data_off);
	if (e->method != 0 && e->method != 8)
		return cd_errf(err, CD_EFORMAT, "%s: %s: compression method %u is not supported",
			       z->path, name, e->method);
	int lrc = entry_limits(z, e, err);
	if (lrc != CD_OK)
		return lrc;
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dest, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return cd_errf(err, CD_EIO, "%s: cannot create: %s", tmp, strerror(errno));
	int rc = CD_OK;
	uint64_t written = 0;
	if (e->method == 0) {
		if (fwrite(data, 1, e->comp_size, f) != e->comp_size)
			rc = cd_errf(err, CD_EIO, "%s: write failed", tmp);
		written = e->comp_size;
	} else {
		z_stream s;
		memset(&s, 0, sizeof s);
		if (inflateInit2(&s, -MAX_WBITS) != Z_OK) {
			fclose(f);
			unlink(tmp);
			return cd_errf(err, CD_ENOMEM, "%s: zlib failed", z->path);
		}
		uint8_t buf[1 << 16];
		uint64_t left = e->comp_size;
		const uint8_t *in = data;
		int zr = Z_OK;
		while (zr != Z_STREAM_END && rc == CD_OK) {
			if (s.avail_in == 0 && left) {
				uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
				s.next_in = (Bytef *)in;
				s.avail_in = chunk;
				in += chunk;
				left -= chunk;
			}
			s.next_out = buf;
			s.avail_out = sizeof buf;
			zr = inflate(&s, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END) {
				rc = cd_errf(err, CD_EFORMAT, "%s: %s: damaged deflate data", z->path, name);
				break;
			}
			size_t k = sizeof buf - s.avail_out;
			if (k && fwrite(buf, 1, k, f) != k)
				rc = cd_errf(err, CD_EIO, "%s: write failed", tmp);
			written += k;
			/* A bomb cannot grow past what the directory promised. */
			if (written > e->size)
				rc = cd_errf(err, CD_EFORMAT, "%s: %s: inflates past its size", z->path, name);
			if (zr != Z_STREAM_END && s.avail_in == 0 && !left && k == 0)
				rc = cd_errf(err, CD_EFORMAT, "%s: %s: truncated deflate data", z->path, name);
		}
		inflateEnd(&s);
	}
	if (fclose(f) && rc == CD_OK)
		rc = cd_errf(err, CD_EIO, "%s: write failed", tmp);
	if (rc == CD_OK && written != e->size)
		rc = cd_errf(err, CD_EFORMAT, "%s: %s: %llu bytes, the directory says %llu", z->path,
			     name, (unsigned long long)written, (unsigned long long)e->size);
	if (rc == CD_OK && rename(tmp, dest))
		rc = cd_errf(err, CD_EIO, "%s: cannot rename: %s", dest, strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}

/* ---- streaming one entry -------------------------------------------------- */

int sym__zip_split(const char *path, char *zip, size_t n, const char **entry)
{
	/* The last ".zip!" whose archive part is a regular file. */
	const char *p = path, *hit = NULL;
	while ((p = strstr(p, ".zip!")) != NULL) {
		hit = p;
		p += 5;
	}
	if (!hit || (size_t)(hit + 4 - path) >= n)
		return 0;
	memcpy(zip, path, (size_t)(hit + 4 - path));
	zip[hit + 4 - path] = 0;
	struct stat st;
	if (stat(zip, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	*entry = hit + 5;
	return 1;
}

struct sym__zip_reader {
	sym_zip *z;
	const zip_entry *e;
	const uint8_t *data;     /* the entry's compressed bytes, in the mapping */
	uint64_t left;           /* compressed bytes not yet given to zlib */
	uint64_t out;            /* bytes produced so far */
	uint32_t crc;
	z_stream s;
	int inflating, done;
	char error[512];
};

static const zip_entry *find(const sym_zip *z, const char *name)
{
	zip_entry key = { .name = (char *)name };
	return z->n ? bsearch(&key, z->e, z->n, sizeof *z->e, by_name) : NULL;
}

int sym__zip_reader_open(const char *zip_path, const char *entry, sym__zip_reader **out,
			 cd_err *err)
{
	*out = NULL;
	sym__zip_reader *r = calloc(1, sizeof *r);
	if (!r)
		return cd_errf(err, CD_ENOMEM, "%s: out of memory", zip_path);
	int rc = sym_zip_open(zip_path, &r->z, err);
	if (rc) {
		free(r);
		return rc;
	}
	const zip_entry *e = r->e = find(r->z, entry);
	const uint8_t *lh = e ? at(r->z, e->local_off, 30) : NULL;
	uint64_t data_off = lh ? e->local_off + 30 + cd_le16(lh + 26) + cd_le16(lh + 28) : 0;
	if (!e)
		rc = cd_errf(err, CD_ENOTFOUND, "%s: no entry %s", zip_path, entry);
	else if (!lh || cd_le32(lh) != LOCAL_SIG)
		rc = cd_errf(err, CD_EFORMAT, "%s: %s: local header at offset 0x%llx is damaged",
			     zip_path, entry, (unsigned long long)e->local_off);
	else if (!(r->data = at(r->z, data_off, e->comp_size)))
		rc = cd_errf(err, CD_EFORMAT, "%s: %s: data at offset 0x%llx runs past the end",
			     zip_path, entry, (unsigned long long)data_off);
	else if (e->method != 0 && e->method != 8)
		rc = cd_errf(err, CD_EFORMAT, "%s: %s: compression method %u is not supported",
			     zip_path, entry, e->method);
	else if ((rc = entry_limits(r->z, e, err)) != CD_OK)
		;
	else if (e->method == 8 && inflateInit2(&r->s, -MAX_WBITS) != Z_OK)
		rc = cd_errf(err, CD_ENOMEM, "%s: zlib failed", zip_path);
	if (rc) {
		sym_zip_close(r->z);
		free(r);
		return rc;
	}
	r->inflating = e->method == 8;
	r->left = e->comp_size;
	r->crc = (uint32_t)crc32(0, NULL, 0);
	*out = r;
	return CD_OK;
}

static long fail(sym__zip_reader *r, const char *what)
{
	snprintf(r->error, sizeof r->error, "%s: %s: %s", r->z->path, r->e->name, what);
	return -1;
}

/* At the end, the entry must have exactly its size and its checksum: a
 * damaged archive is never taken for a shorter symbol file. */
static long finish(sym__zip_reader *r)
{
	r->done = 1;
	if (r->out != r->e->size)
		return fail(r, "shorter than the directory says");
	if (r->crc != r->e->crc)
		return fail(r, "CRC-32 does not match: damaged data");
	return 0;
}

long sym__zip_reader_read(sym__zip_reader *r, uint8_t *dst, size_t n)
{
	if (r->error[0])
		return -1;
	if (r->done || !n)
		return 0;
	size_t k;
	if (!r->inflating) {
		k = r->left < n ? (size_t)r->left : n;
		memcpy(dst, r->data + (r->e->comp_size - r->left), k);
		r->left -= k;
	} else {
		if (n > (1u << 30))
			n = 1u << 30;
		r->s.next_out = dst;
		r->s.avail_out = (uInt)n;
		int zr = Z_OK;
		while (r->s.avail_out == n && zr != Z_STREAM_END) {
			if (r->s.avail_in == 0 && r->left) {
				uInt chunk = r->left > (1u << 30) ? (1u << 30) : (uInt)r->left;
				r->s.next_in = (Bytef *)(r->data + (r->e->comp_size - r->left));
				r->s.avail_in = chunk;
				r->left -= chunk;
			}
			zr = inflate(&r->s, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END)
				return fail(r, "damaged deflate data");
			if (zr == Z_OK && r->s.avail_out == n && r->s.avail_in == 0 && !r->left)
				return fail(r, "truncated deflate data");
		}
		k = n - r->s.avail_out;
		if (zr == Z_STREAM_END)
			r->left = 0, r->done = -1; /* produced its last bytes now */
	}
	r->out += k;
	/* A bomb cannot grow past what the directory promised. */
	if (r->out > r->e->size)
		return fail(r, "inflates past its size");
	r->crc = (uint32_t)crc32(r->crc, dst, (uInt)k);
	if ((!r->inflating && !r->left) || r->done == -1) {
		long f = finish(r);
		if (f < 0)
			return f;
	}
	return (long)k;
}

const char *sym__zip_reader_error(const sym__zip_reader *r)
{
	return r->error;
}

void sym__zip_reader_close(sym__zip_reader *r)
{
	if (!r)
		return;
	if (r->inflating)
		inflateEnd(&r->s);
	sym_zip_close(r->z);
	free(r);
}
