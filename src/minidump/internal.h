/*
 * internal.h - what the stream decoders of the minidump reader share.
 * Not part of the public API (minidump.h).
 */
#ifndef CD_MINIDUMP_INTERNAL_H
#define CD_MINIDUMP_INTERNAL_H

#include "minidump.h"

/* A bounded view of one stream's bytes, clipped to the file. */
typedef struct md_view {
	uint32_t type;
	uint64_t rva;        /* file offset of byte 0 */
	const uint8_t *p;    /* NULL when nothing of it is in the file */
	uint64_t size;       /* bytes available (may be < claimed) */
	uint64_t claimed;    /* size the directory claims */
} md_view;

/* Records a problem (capped in number; past the cap they are counted only). */
void md__problem(md_dump *d, uint32_t stream, uint64_t offset,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Pointer to len bytes at file offset off, or NULL if any of them is outside
 * the file. Overflow-safe. */
const uint8_t *md__at(const md_dump *d, uint64_t off, uint64_t len);
/* Notes that bytes [off, off + len) of the file were read (a big dump's
 * content_id is made of them); nothing when the dump is not recording. */
void md__touch(const md_dump *d, uint64_t off, uint64_t len);

/* An MDString (u32 byte length + UTF-16LE) at rva, as UTF-8 in the arena.
 * NULL (and a problem recorded) when it cannot be read; decoding is charged
 * against a per-dump budget so hostile dumps cannot make it quadratic. */
const char *md__string(md_dump *d, uint32_t stream, uint64_t rva);
/* A fixed-size UTF-16 field of at most units code units, up to its NUL. */
const char *md__wchars(md_dump *d, const uint8_t *p, size_t units);
/* A Crashpad UTF-8 string (u32 length + bytes) at rva. */
const char *md__utf8(md_dump *d, uint32_t stream, uint64_t rva);
/* Charges n bytes of decoded output against the per-dump budget, for what
 * many records can reach at once (a shared string, CodeView record or
 * annotation list): one copy each would grow as records x size. Returns 0,
 * with a problem naming `what`, once the budget is spent. */
int md__charge(md_dump *d, uint32_t stream, uint64_t offset, uint64_t n, const char *what);
/* Copies n bytes as a NUL-terminated arena string. */
const char *md__strndup(md_dump *d, const void *p, size_t n);

/* How many entries of entry_size fit from offset `start` of the view, and
 * records a problem if `count` claims more. */
uint64_t md__fit(md_dump *d, const md_view *v, uint64_t start,
		 uint64_t count, uint64_t entry_size, const char *what);

/* Fills a memory descriptor (start u64 + location) read at p. */
void md__memory_desc(md_dump *d, uint32_t stream, const uint8_t *p, md_memory *m);

/* Decodes the raw context at (size, rva). Returns CD_OK or CD_EFORMAT. */
int md__context(md_dump *d, uint32_t stream, uint32_t size, uint32_t rva,
		md_context *out);

/* Stream decoders, one per stream family; each returns its state. */
md_stream_state md__threads(md_dump *d, const md_view *v, int ex);
md_stream_state md__thread_names(md_dump *d, const md_view *v);
md_stream_state md__modules(md_dump *d, const md_view *v);
md_stream_state md__unloaded(md_dump *d, const md_view *v);
md_stream_state md__memory_list(md_dump *d, const md_view *v);
md_stream_state md__memory64_list(md_dump *d, const md_view *v);
md_stream_state md__memory_info(md_dump *d, const md_view *v);
void md__memory_finish(md_dump *d);
md_stream_state md__exception(md_dump *d, const md_view *v);
md_stream_state md__system_info(md_dump *d, const md_view *v);
md_stream_state md__misc_info(md_dump *d, const md_view *v);
md_stream_state md__handles(md_dump *d, const md_view *v);
md_stream_state md__breakpad_info(md_dump *d, const md_view *v);
md_stream_state md__assertion(md_dump *d, const md_view *v);
md_stream_state md__crashpad(md_dump *d, const md_view *v);
md_stream_state md__linux_text(md_dump *d, const md_view *v, md_text *out);
md_stream_state md__auxv(md_dump *d, const md_view *v);
md_stream_state md__dso_debug(md_dump *d, const md_view *v);

/* Worse of two states (OK < PARTIAL < BAD). */
static inline md_stream_state md__worse(md_stream_state a, md_stream_state b)
{
	return a > b ? a : b;
}

#endif
