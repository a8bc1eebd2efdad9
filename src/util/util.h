/*
 * util.h - the small shared toolbox every crashdesk module uses.
 *
 *   cd_err    an error code plus a message that names the file and the
 *             offset or line, filled by any function that can fail.
 *   cd_arena  bump allocation for the many small objects of one parse;
 *             everything is freed at once by cd_arena_free().
 *   cd_buf    a growable byte/char buffer with a hard cap, for text built
 *             from untrusted input.
 *   cd_map    a read-only memory map of a whole file.
 *
 * Conventions (docs/CONVENTIONS.md): functions that can fail return a
 * CD_* code (CD_OK == 0) and fill an out-parameter; `_new`/`_open` hand
 * the caller an object it owns and must release with the matching
 * `_free`/`_close`; pointers returned by accessors are borrowed.
 */
#ifndef CD_UTIL_H
#define CD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <nettle/sha2.h>

enum {
	CD_OK = 0,
	CD_EIO,       /* the file could not be opened, read or mapped */
	CD_EFORMAT,   /* the input is not what it claims to be, or damaged */
	CD_ENOMEM,    /* an allocation failed or a cap was reached */
	CD_EUSAGE,    /* the caller asked for something invalid */
	CD_ENOTFOUND, /* the thing asked for is not there */
	CD_ECANCELED, /* the caller asked the work to stop before it was done */
};

typedef struct cd_err {
	int code;
	char msg[512];
} cd_err;

/* Sets e->code and a printf-formatted message; returns code. e may be NULL. */
int cd_errf(cd_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *cd_strerror(int code);

/* ---- arena ---------------------------------------------------------- */
typedef struct cd_arena_block cd_arena_block;
typedef struct cd_arena {
	cd_arena_block *head;
	size_t used;  /* bytes handed out, for diagnostics and caps */
	size_t limit; /* 0 = no limit; otherwise allocations past it fail */
} cd_arena;

void cd_arena_init(cd_arena *a, size_t limit);
/* Zeroed, 16-byte aligned memory, or NULL when out of memory or past the limit. */
void *cd_arena_alloc(cd_arena *a, size_t size);
/* n*size with overflow check. */
void *cd_arena_calloc(cd_arena *a, size_t n, size_t size);
char *cd_arena_strndup(cd_arena *a, const char *s, size_t n);
char *cd_arena_printf(cd_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cd_arena_free(cd_arena *a);

/* ---- growable buffer ------------------------------------------------ */
typedef struct cd_buf {
	char *data; /* always NUL-terminated when len > 0 or after any append */
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len; 0 means 1 GiB */
	int overflow; /* set once an append was refused by the cap */
} cd_buf;

void cd_buf_init(cd_buf *b, size_t max);
/* Appends n bytes of p; with p NULL, grows len by n without writing. */
int cd_buf_append(cd_buf *b, const void *p, size_t n);
int cd_buf_puts(cd_buf *b, const char *s);
int cd_buf_printf(cd_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cd_buf_vprintf(cd_buf *b, const char *fmt, va_list ap);
void cd_buf_reset(cd_buf *b);
void cd_buf_free(cd_buf *b);

/* ---- memory-mapped file --------------------------------------------- */
typedef struct cd_map {
	const uint8_t *data; /* NULL for an empty file */
	size_t size;
} cd_map;

/* Maps path read-only. Refuses directories and non-regular files. */
int cd_map_open(const char *path, cd_map *out, cd_err *e);
void cd_map_close(cd_map *m);

/* mkdir -p: creates path and its missing parents with mode. */
int cd_mkdir_p(const char *path, unsigned mode, cd_err *e);

/* The entries of dir whose names end in suffix after at least one other
 * character (compared without case when nocase), as "dir/name", in name
 * order: a directory of dumps as a test harness leaves them. The caller
 * frees them with cd_dir_files_free(). */
int cd_dir_files(const char *dir, const char *suffix, int nocase, char ***out, size_t *n,
		 cd_err *e);
void cd_dir_files_free(char **v, size_t n);
/* Whether the file at path begins with the n bytes of magic (a minidump's
 * "MDMP"); 0 when it cannot be read. */
int cd_file_starts_with(const char *path, const void *magic, size_t n);

/* ---- HTTP ----------------------------------------------------------- */
/* The wait a "Retry-After:" header line asks for, in seconds (>= 0), from
 * delta-seconds or an HTTP date (counted from now); -1 when the line is
 * another header or its value unreadable. line needs no NUL (libcurl's
 * header callback hands lines with their CRLF). */
double cd_http_retry_after(const char *line, size_t len, time_t now);

/* ---- XDG base directories ------------------------------------------- */
enum { CD_XDG_CACHE, CD_XDG_CONFIG, CD_XDG_STATE };
/* crashdesk's directory of one kind: $XDG_CACHE_HOME/crashdesk (else
 * ~/.cache/crashdesk), $XDG_CONFIG_HOME/crashdesk (~/.config/crashdesk),
 * $XDG_STATE_HOME/crashdesk (~/.local/state/crashdesk), with "/sub"
 * appended when sub is non-empty. Relative $XDG_* values are ignored, as the
 * spec says; without $HOME the password database names the home. Written
 * into buf (n bytes). cd_xdg_path only computes; cd_xdg_dir also creates
 * the directory and its missing parents, mode 0700 (files in it are
 * created 0600 by their writers: they are the user's own). */
int cd_xdg_path(int kind, const char *sub, char *buf, size_t n, cd_err *e);
int cd_xdg_dir(int kind, const char *sub, char *buf, size_t n, cd_err *e);

/* ---- temporaries left by killed processes ----------------------------- */
typedef struct cd_tmp_count {
	uint64_t files, bytes;
} cd_tmp_count;
/* The pid in a temporary's name ("dl-PID-X", "NAME.tmp.PID",
 * ".part-ID-PID"), 0 when the name is not one of them. */
long cd_tmp_owner(const char *name);
/* Temporaries in dir whose writer is gone: removed when remove is set,
 * counted into *out (may be NULL) either way. A missing dir is CD_OK. */
int cd_tmp_sweep(const char *dir, int remove, cd_tmp_count *out);

/* ---- built-in files -------------------------------------------------- */
/* A shipped data file compiled in: tables of these are generated by
 * src/util/embed.sh (build/gen/views_builtin.c and the like) and live for
 * the process. */
typedef struct cd_embed {
	const char *name; /* the file name, "keys.yaml"; NULL in an empty table's entry */
	const char *text; /* NUL-terminated */
	size_t len;
} cd_embed;
/* Points *out at the entry of table (n entries) named name (borrowed, as
 * static as the table); CD_ENOTFOUND when there is none. */
int cd_embed_find(const cd_embed *table, size_t n, const char *name, const cd_embed **out);

/* ---- SHA-256 -------------------------------------------------------- */
/* nettle's context, by value: no allocation, nothing to free. */
typedef struct cd_sha256 {
	struct sha256_ctx ctx;
	uint64_t len; /* bytes hashed so far */
} cd_sha256;

void cd_sha256_init(cd_sha256 *s);
void cd_sha256_update(cd_sha256 *s, const void *p, size_t n);
/* Writes the digest; s must be initialised again before reuse. */
void cd_sha256_final(cd_sha256 *s, uint8_t out[32]);
/* Lowercase hex, NUL-terminated. */
void cd_sha256_hex(const uint8_t digest[32], char hex[65]);
/* The hex digest of a regular file's contents, read in blocks. */
int cd_sha256_file(const char *path, char hex[65], cd_err *e);

/* ---- text helpers --------------------------------------------------- */
/* Appends UTF-8 for n UTF-16LE code units at p; bad surrogates become U+FFFD. */
int cd_utf16le_to_utf8(cd_buf *out, const uint8_t *p, size_t units);
/* Appends s with control bytes other than tab escaped as \xNN (for
 * human output of untrusted strings). */
int cd_buf_put_printable(cd_buf *b, const char *s, size_t n);
/* The file name at the end of a POSIX or Windows path (minidumps record
 * both kinds). Points into path. */
const char *cd_basename(const char *path);
/* "YYYY-MM-DD HH:MM:SS" in UTC. buf must hold 20 bytes. */
void cd_format_utc(uint64_t t, char buf[32]);

/* Little-endian loads; callers bounds-check first. */
static inline uint16_t cd_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t cd_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t cd_le64(const uint8_t *p)
{
	return (uint64_t)cd_le32(p) | (uint64_t)cd_le32(p + 4) << 32;
}

/* ---- the config file ------------------------------------------------ */
/* $XDG_CONFIG_HOME/crashdesk/config: "key = value" lines, '#' starts a
 * comment anywhere. This is its one reader: the symbol options
 * (src/cli/symopts.c) and the Crash Stats client (cs_config_from()) take
 * their values from one parsed cd_config.
 * Keys: symbols_url and symbols_path (repeatable), jobs (1-64), timeout
 * (stall seconds), negative_ttl (seconds), max_download (bytes, with
 * K/M/G), offline (0/1), crashstats_url, crashstats_token. A bad line
 * (no '=', an unknown key, a bad value of a symbol key, over 4095 bytes,
 * a NUL) is a CD_EFORMAT error naming file:line; the Crash Stats values
 * are kept as written and checked by src/crashstats/ when it is used, so
 * a bad one stops only Crash Stats work. No message holds a value of
 * crashstats_token. */
#define CD_CONFIG_MAX_URLS 16
typedef struct cd_config {
	char *urls[CD_CONFIG_MAX_URLS];
	int nurls;
	char *paths[CD_CONFIG_MAX_URLS]; /* symbols_path: local stores, used when none is given */
	int npaths;
	/* source_root and source_map (FROM=TO): where the TUI's source pane
	 * finds a frame's file */
	char *source_roots[CD_CONFIG_MAX_URLS];
	int nsource_roots;
	char *source_maps[CD_CONFIG_MAX_URLS];
	int nsource_maps;
	int jobs;               /* 0: unset, and likewise below */
	long timeout_s;
	int64_t negative_ttl_s;
	uint64_t max_download;
	int offline;
	char *crashstats_url;   /* as written, or NULL */
	unsigned crashstats_url_line;   /* its line (the last one), 0: absent */
	/* As written; NULL also when the file is readable by group or others
	 * (never kept then: Crash Stats refuses such a file). Wiped by
	 * cd_config_free(). */
	char *crashstats_token;
	unsigned crashstats_token_line; /* 0: absent */
	unsigned mode;          /* the file's permission bits; 0 when parsed from text */
	char name[1024];        /* the file (or name) the values came from, for messages */
} cd_config;
/* Parses text (n bytes, at most 1 MiB) read from name. The caller frees
 * out with cd_config_free(), also after an error. */
int cd_config_parse(const char *text, size_t n, const char *name, cd_config *out, cd_err *e);
/* Reads path (NULL: $XDG_CONFIG_HOME/crashdesk/config) into out; a missing
 * file leaves out empty and is no error; a file that is not a regular one
 * is CD_EFORMAT, one that cannot be read CD_EIO. Frees as above. */
int cd_config_load(const char *path, cd_config *out, cd_err *e);
void cd_config_free(cd_config *c);
/* Zeroes n bytes at p in a way the compiler keeps (secrets before free). */
void cd_wipe(void *p, size_t n);
/* "500M", "2G", "4096": bytes. -1 when not a size. */
int64_t cd_parse_size(const char *s);

#endif
