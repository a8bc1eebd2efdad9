/*
 * synth.h - a writer of synthetic minidumps for tests, stream by stream.
 *
 * Everything is appended to one buffer behind a reserved header and
 * directory; helpers return the RVA (file offset) of what they wrote, so a
 * test can point streams at it, or corrupt it afterwards in the finished
 * bytes. synth_finish() fills in the header and directory.
 *
 *   synth *s = synth_new();
 *   synth_system_info(s, SYNTH_ARCH_AMD64, SYNTH_OS_LINUX, "Linux 6.1", NULL);
 *   ...
 *   size_t n; const uint8_t *p = synth_finish(s, &n);   (owned by s)
 *   synth_free(s);
 *
 * Layouts are those of minidump.h's reader (Microsoft's MINIDUMP_* plus
 * Breakpad's and Crashpad's extensions), written independently of it.
 */
#ifndef CD_SYNTH_H
#define CD_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "../../src/minidump/minidump.h"

#define SYNTH_ARCH_X86 0
#define SYNTH_ARCH_ARM 5
#define SYNTH_ARCH_AMD64 9
#define SYNTH_ARCH_ARM64 12
#define SYNTH_OS_WINDOWS 2
#define SYNTH_OS_MAC 0x8101
#define SYNTH_OS_LINUX 0x8201

typedef struct synth synth;

typedef struct synth_loc {
	uint32_t size, rva;
} synth_loc;

synth *synth_new(void);
void synth_free(synth *s);

/* Raw data, 8-byte aligned; returns its RVA. */
uint32_t synth_append(synth *s, const void *p, size_t n);
/* MDString (u32 byte length + UTF-16LE, ASCII input); returns its RVA. */
uint32_t synth_string(synth *s, const char *ascii);
/* Crashpad string (u32 length + UTF-8 + NUL). */
uint32_t synth_utf8(synth *s, const char *text);
/* A raw context for cpu built from regs (md_context.regs order) and the
 * "which registers" bits (0x1 control, 0x2 integer, 0x4 segments); the CPU
 * bit is added. old selects Breakpad's older arm64 layout. */
synth_loc synth_context(synth *s, md_cpu cpu, int old, const uint64_t *regs, uint32_t groups);

/* A stream of any type and body; returns its directory index. */
int synth_stream(synth *s, uint32_t type, const void *body, size_t n);
/* A directory entry with any size and RVA (for hostile cases). */
int synth_dir_entry(synth *s, uint32_t type, uint32_t size, uint32_t rva);

typedef struct synth_thread {
	uint32_t id;
	uint64_t stack_base;
	const uint8_t *stack; /* may be NULL: zeros */
	uint32_t stack_size;
	synth_loc context;    /* from synth_context */
} synth_thread;
int synth_thread_list(synth *s, const synth_thread *t, uint32_t n, int ex);

typedef struct synth_module {
	uint64_t base;
	uint32_t size, time_date_stamp, checksum;
	const char *name;
	const char *version;      /* "a.b.c.d" or NULL */
	md_cv_kind cv;            /* PDB70, PDB20, ELF or NONE */
	const uint8_t *guid;      /* PDB70: 16 bytes */
	uint32_t age;             /* PDB70, PDB20 */
	uint32_t pdb_signature;   /* PDB20 */
	const char *pdb_name;     /* PDB70, PDB20 */
	const uint8_t *build_id;  /* ELF */
	uint32_t build_id_len;
} synth_module;
int synth_module_list(synth *s, const synth_module *m, uint32_t n);
int synth_unloaded_list(synth *s, const synth_module *m, uint32_t n);

typedef struct synth_region {
	uint64_t base;
	const uint8_t *data; /* NULL: zeros */
	uint32_t size;
} synth_region;
int synth_memory_list(synth *s, const synth_region *r, uint32_t n);
int synth_memory64_list(synth *s, const synth_region *r, uint32_t n);

int synth_exception(synth *s, uint32_t thread_id, uint32_t code, uint32_t flags,
		    uint64_t address, const uint64_t *params, uint32_t nparams, synth_loc ctx);
int synth_system_info(synth *s, uint16_t arch, uint32_t platform, const char *csd,
		      const char *vendor);
/* MiscInfo of size 24, 44, 232 or 832 bytes, with pid and times. */
int synth_misc_info(synth *s, uint32_t size, uint32_t pid, uint32_t create_time,
		    const char *build_string);
typedef struct synth_name {
	uint32_t id;
	const char *name;
} synth_name;
int synth_thread_names(synth *s, const synth_name *n, uint32_t count);
int synth_breakpad_info(synth *s, uint32_t dump_thread, uint32_t requesting_thread);
int synth_assertion(synth *s, const char *expr, const char *func, const char *file,
		    uint32_t line, uint32_t type);
typedef struct synth_kv {
	const char *key, *value;
} synth_kv;
/* Crashpad info: process annotations, and for module 0 list annotations,
 * simple annotations and string annotation objects. */
int synth_crashpad(synth *s, const synth_kv *simple, uint32_t nsimple,
		   const char *const *list, uint32_t nlist, const synth_kv *msimple,
		   uint32_t nmsimple, const synth_kv *objects, uint32_t nobjects);
int synth_memory_info(synth *s, const md_memory_info *mi, uint32_t n);
int synth_handles(synth *s, const char *const *type_names, uint32_t n);
/* Linux /proc text stream (cpuinfo, status, maps...) as given. */
int synth_linux_text(synth *s, uint32_t type, const char *text, size_t n);
int synth_auxv(synth *s, const uint64_t *pairs, uint32_t npairs);
int synth_dso_debug(synth *s, const char *const *names, const uint64_t *addrs, uint32_t n);

/* Writes header and directory; the bytes stay owned by s. */
const uint8_t *synth_finish(synth *s, size_t *size);
int synth_write_file(synth *s, const char *path);

#endif
