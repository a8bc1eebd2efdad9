/*
 * internal.h - the symbol cache's file format, shared by the builder
 * (build.c) and the reader (cache.c). Not part of the public API.
 *
 * A cache file is a fixed header followed by sections; every integer is
 * little-endian, every offset counts from the start of the file:
 *
 *   DATA     per function: its line records, then its inline records;
 *            per STACK CFI INIT: its STACK CFI records; varint-encoded
 *            (see build.c). First in the file: the builder streams it
 *            straight into the output while parsing.
 *   STRINGS  NUL-terminated strings; offset 0 is "".
 *   FUNCS    sym_fc_func[], sorted by address.
 *   PUBLICS  sym_fc_public[], sorted by address.
 *   FILES    sym_fc_id[] (FILE id -> name), sorted by id.
 *   ORIGINS  sym_fc_id[] (INLINE_ORIGIN id -> name), sorted by id.
 *   CFI      sym_fc_cfi[] (STACK CFI INIT), sorted by address.
 *   WIN      sym_fc_win[] (STACK WIN), sorted by rva.
 *   FUNCADDR uint64_t[]: every function's address, in FUNCS' order.
 *   FUNCIDX  uint64_t[]: the address of every SYM_FC_IDX_STEP-th function.
 *
 * Files and origins are kept by id and resolved at lookup time, so records
 * may come in any order in the source.
 */
#ifndef CD_SYMBOLS_INTERNAL_H
#define CD_SYMBOLS_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "symbols.h"

#define SYM_FC_MAGIC "CDSYMC\r\n"
#define SYM_FC_VERSION 4

enum { S_DATA, S_STRINGS, S_FUNCS, S_PUBLICS, S_FILES, S_ORIGINS, S_CFI, S_WIN, S_FUNCIDX,
       S_FUNCADDR, S_COUNT };

/* A lookup searches FUNCIDX (an eighth of a byte per function, soon in
 * the CPU's caches), then SYM_FC_IDX_STEP addresses of FUNCADDR (two cache
 * lines), and reads one FUNCS entry: three or four cache misses where a
 * search over FUNCS itself missed at nearly every step. */
#define SYM_FC_IDX_STEP 16

typedef struct sym_fc_header {
	char magic[8];
	uint32_t version, header_size;
	uint64_t total_size;
	/* what it was built from */
	uint64_t src_size;
	int64_t src_mtime;
	uint64_t src_sample_hash;
	uint64_t src_module_hash;
	uint32_t flags;  /* bit 0: the source had malformed lines */
	uint32_t nsections;
	struct { uint64_t off, size; } section[S_COUNT];
	/* module identity and counts, strings as STRINGS offsets */
	uint32_t os, arch, debug_id, name, code_id, generator;
	uint64_t nlines, ninlines;
	uint64_t checksum; /* FNV-1a of everything above */
} sym_fc_header;

typedef struct sym_fc_func {
	uint64_t addr, size;
	uint64_t data_off;   /* into DATA */
	uint32_t data_len;
	uint32_t name;
	uint32_t param_size;
	uint32_t flags;      /* bit 0: "m" */
} sym_fc_func;

typedef struct sym_fc_public {
	uint64_t addr;
	uint32_t name, param_size;
} sym_fc_public;

typedef struct sym_fc_id {
	int64_t id;
	uint32_t name, pad;
} sym_fc_id;

typedef struct sym_fc_cfi {
	uint64_t addr, size;
	uint64_t data_off;   /* into DATA */
	uint32_t data_len;
	uint32_t rules;
} sym_fc_cfi;

typedef struct sym_fc_win {
	uint64_t rva, code_size;
	uint32_t type, prolog_size, epilog_size, params_size, saved_regs_size, locals_size;
	uint32_t max_stack_size, flags; /* bit 0 has_program, bit 1 allocates_bp */
	uint32_t program, pad;
} sym_fc_win;

uint64_t sym__fnv(const void *p, size_t n, uint64_t h);
#define SYM_FNV_INIT 0xcbf29ce484222325ull

/* Identity of a source file: size, mtime and a hash of 16 sampled blocks. */
int sym__source_identity(const char *path, uint64_t *size, int64_t *mtime, uint64_t *sample);

/* LEB128 varints; zigzag for signed values. */
static inline size_t sym__put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}
static inline uint64_t sym__zig(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t sym__unzig(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* Reads a varint from [*p, end); 0 when it runs past end or is too long. */
static inline int sym__get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 1;
		}
	}
	return 0;
}

/* The hash the builder's string table keys names by: eight bytes at a
 * time, as interning runs once per name and CFI rule. */
static inline uint64_t sym__hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

/* A function's line records as DATA keeps them: sorted by address (then
 * line, file) unless already in order (l is reordered), each varint-coded
 * as a delta from the one before, the first from func_addr. out needs
 * SYM_LINE_MAX bytes per line; returns the bytes written. */
#define SYM_LINE_MAX 40
size_t sym__encode_lines(sym_line_rec *l, size_t n, uint64_t func_addr, uint8_t *out);

/* One line of that encoding; prev is the line before (its addr the
 * function's for the first). Returns the bytes written. */
static inline size_t sym__put_line(uint8_t *q, const sym_line_rec *l, const sym_line_rec *prev)
{
	uint64_t v[4] = { sym__zig((int64_t)(l->addr - prev->addr)), l->size,
			  sym__zig(l->line - prev->line), sym__zig(l->file - prev->file) };
	if ((v[0] | v[1] | v[2] | v[3]) < 0x80) { /* the usual case: a byte each */
		q[0] = (uint8_t)v[0], q[1] = (uint8_t)v[1], q[2] = (uint8_t)v[2], q[3] = (uint8_t)v[3];
		return 4;
	}
	size_t k = 0;
	for (int i = 0; i < 4; i++)
		k += sym__put_varint(q + k, v[i]);
	return k;
}

/* The order lines are encoded in: address, then line, then file. */
static inline int sym__line_before(const sym_line_rec *a, const sym_line_rec *b)
{
	if (a->addr != b->addr)
		return a->addr < b->addr;
	if (a->line != b->line)
		return a->line < b->line;
	return a->file <= b->file;
}

/* The threaded parse's options (all may be zero). */
typedef struct sym__build_hooks {
	/* Called ahead of the records that carry a name (FUNC, PUBLIC, FILE,
	 * INLINE_ORIGIN) with (uint32_t)sym__hash() of the name, cut at a NUL:
	 * a chance to prefetch the string table's slot. */
	void (*prefetch)(void *ctx, uint32_t hash);
	/* Who parses line records: SYM_TEXT_AUTO balances the two threads,
	 * the others force one way (for tests). */
	int text;
} sym__build_hooks;
enum { SYM_TEXT_AUTO, SYM_TEXT_PARSER, SYM_TEXT_CALLER };

/* sym_parse() on a second thread, its records replayed into sink on the
 * calling thread in the same order (pipe.c). hooks may be NULL. Falls back
 * to a plain sym_parse() into sink when no thread can be started.
 *
 * The parser's thread parses everything, except that while the calling
 * thread has batches to spare (it keeps up), runs of lines that start with
 * a digit or a-f are handed over as text and parsed there by
 * sym__parse_text(): line records are most of a file, and parsing them
 * most of the work, so this balances the two threads. */
int sym__parse_threaded(const char *path, const sym_sink *sink, const sym__build_hooks *hooks,
			sym_counts *counts, cd_err *e);

/* How sym_parse() hands over such runs (parse.c). want_text: whether to
 * hand over the run starting here; text: complete lines, each ending in
 * '\n' and starting with a digit or a-f, the first on line first. */
typedef struct sym__split {
	void *ctx;
	int (*want_text)(void *ctx);
	void (*text)(void *ctx, uint64_t first, const char *p, size_t len);
} sym__split;
int sym__parse_split(const char *path, const sym_sink *sink, const sym__split *split,
		     sym_counts *counts, cd_err *e);
/* Parses such a run into sink exactly as sym_parse() would have, adding
 * to counts (all but lines and bytes_total, which the run's parse counts). */
void sym__parse_text(const sym_sink *sink, sym_counts *counts, uint64_t first, const char *p,
		     size_t len);

/* sym_cache_build() with the threaded parse (and its hooks) or a plain one
 * on the calling thread: both must give the same file, byte for byte. */
int sym__cache_build(const char *sym_path, const char *cache_path, int threaded, sym_report *report,
		     cd_err *e);

/* Adds a diagnostic to a report: the first 1,000 kept (check.c). */
void sym__report_add(sym_report *r, uint64_t line, int damaged, const char *msg);

/* A compressed symbol file (a gzip body, a zip entry) may inflate to at
 * most this many times its size beyond its first MiB: symbol files compress
 * 5 to 15 times, bombs of zeros a thousand. A zip entry may declare at most
 * SYM_MAX_ENTRY bytes (the largest real sym files are about 1 GB). */
#define SYM_MAX_INFLATION 100
#define SYM_MAX_ENTRY (4ull << 30)

/* ---- zipped symbol stores (zip.c) ------------------------------------- */

typedef struct sym_zip sym_zip;
/* Maps a .zip and reads its central directory (zip64 too). */
int sym_zip_open(const char *path, sym_zip **out, cd_err *e);
int sym_zip_has(const sym_zip *z, const char *name);
/* Name of entry i in name order, or NULL past the last. */
const char *sym_zip_entry(const sym_zip *z, size_t i);
/* Inflates entry name into dest (written as dest.tmp.PID, then renamed). */
int sym_zip_extract(const sym_zip *z, const char *name, const char *dest, cd_err *e);
void sym_zip_close(sym_zip *z);

/* A symbol file inside a zip is named "ARCHIVE.zip!ENTRY" wherever a path
 * goes (parser, cache identity, store). Splits such a path whose archive
 * is a regular file: the archive into zip, *entry into path; 0 otherwise. */
int sym__zip_split(const char *path, char *zip, size_t n, const char **entry);
/* One entry read as a stream, inflated on the fly and checked (size and
 * CRC-32) at its end. read returns bytes, 0 at the end, -1 on damage
 * (sym__zip_reader_error says what, naming archive and entry). */
typedef struct sym__zip_reader sym__zip_reader;
int sym__zip_reader_open(const char *zip_path, const char *entry, sym__zip_reader **out,
			 cd_err *e);
long sym__zip_reader_read(sym__zip_reader *r, uint8_t *dst, size_t n);
const char *sym__zip_reader_error(const sym__zip_reader *r);
void sym__zip_reader_close(sym__zip_reader *r);

/* ---- downloads (http.c) ------------------------------------------------ */

/* One module to download: candidate URLs tried in order until one has it. */
typedef struct sym__dl {
	char **urls;            /* borrowed */
	int nurls;
	const char *debug_id;   /* the MODULE line must name it */
	const char *dest;       /* renamed there when complete and checked */
	void *ctx;              /* passed to note() */
	/* results */
	int ok;                 /* dest holds the checked file */
	int all_missing;        /* every candidate answered 404 */
	int found;              /* index of the URL that had it */
	/* private to http.c */
	int cur, tries, nmissing, running, done;
	int64_t not_before_ms;
} sym__dl;

/* Every answer of every candidate, as it comes. */
typedef void (*sym__note_fn)(void *ctx, const char *where, sym_answer a, const char *detail);

/* Downloads dl[0..n) with up to o->jobs transfers at once through temporary
 * files in tmp_dir. Counts requests and bytes into *requests and *bytes. */
int sym__fetch(sym__dl *dl, size_t n, const sym_net_opts *o, const char *tmp_dir,
	       sym__note_fn note, sym_progress_fn progress, void *pctx,
	       const atomic_int *cancel, uint64_t *requests, uint64_t *bytes, cd_err *e);

#endif
