/*
 * synth.h - a writer of synthetic minidumps for tests, stream by stream.
 *
 * Every structure is appended to one growing buffer behind a reserved header
 * and directory. Writers of structures return the RVA (file offset) of what
 * they wrote and stream writers the stream's directory index, so a test can
 * point other records at them or damage them afterwards. synth_finish()
 * lays out the header and directory in a new malloc'ed copy: the writer
 * stays usable (add a stream, damage something, finish again) and every
 * copy stays valid, so a dump opened on one is never pulled from under it.
 *
 *   synth *s = synth_new();
 *   synth_system_info(s, &(synth_sysinfo){ .arch = SYNTH_ARCH_AMD64,
 *                                          .platform = SYNTH_OS_LINUX });
 *   ...
 *   size_t n; uint8_t *dump = synth_finish(s, &n);
 *   ... md_open_mem(dump, n, ...) ... md_close() ...
 *   synth_free(s);   (frees every finished copy too)
 *
 * Hostile layouts: synth_dir_entry() adds an entry with any size and RVA,
 * synth_set_entry() moves or resizes one, synth_set_count() makes a list
 * claim another count, synth_set_stream_count() does the same for the
 * header, synth_truncate() cuts the output, synth_patch32() rewrites bytes.
 *
 * Layouts are Microsoft's MINIDUMP_* structures with Breakpad's and
 * Crashpad's extensions, written from the format, independently of the
 * reader in src/minidump/. All of them are listed once, in the layout
 * section below. Out of memory aborts: this is test tooling.
 */
#ifndef CD_SYNTH_H
#define CD_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "../../src/minidump/minidump.h"

/* ---- layout ------------------------------------------------------------
 * Everything is little-endian and packed as Microsoft's headers pack it
 * (#pragma pack(4) for most, so a u64 may sit at an offset that is only
 * 4-aligned: MDRawModule is 108 bytes, thread name entries 12). Offsets are
 * from the start of each structure. A "location" is u32 size + u32 RVA. */
enum {
	/* MINIDUMP_HEADER: signature, version, stream count, directory RVA,
	 * checksum, time stamp (u32 each), u64 flags. */
	SYNTH_HEADER_SIZE = 32,
	SYNTH_HDR_STREAM_COUNT = 8,
	SYNTH_HDR_DIR_RVA = 12,
	SYNTH_HDR_TIME = 20,
	SYNTH_DIR_ENTRY_SIZE = 12,  /* type, location */

	/* List streams start with a u32 count (some writers pad it to 8). */
	SYNTH_LIST_HEADER = 4,

	/* MINIDUMP_MEMORY_DESCRIPTOR: u64 start, location. */
	SYNTH_MEMDESC_SIZE = 16,

	/* MINIDUMP_THREAD: id, suspend count, priority class, priority,
	 * u64 TEB, stack (memory descriptor), context (location).
	 * MINIDUMP_THREAD_EX adds the backing store (ia64's, kept by the format). */
	SYNTH_THREAD_SIZE = 48,
	SYNTH_THREAD_EX_SIZE = 64,
	SYNTH_THREAD_TEB = 16,
	SYNTH_THREAD_STACK = 24,
	SYNTH_THREAD_CONTEXT = 40,
	SYNTH_THREAD_BACKING = 48,

	/* MINIDUMP_MODULE: u64 base, size, checksum, time stamp, name RVA,
	 * VS_FIXEDFILEINFO (13 u32), CodeView location, misc location,
	 * 2 x u64 reserved. 108 bytes: packed, entries are not 8-aligned. */
	SYNTH_MODULE_SIZE = 108,
	SYNTH_MODULE_NAME = 20,
	SYNTH_MODULE_VERSION = 24,
	SYNTH_MODULE_CV = 76,
	SYNTH_MODULE_MISC = 84,
	SYNTH_VS_FIXEDFILEINFO_SIZE = 52,

	/* CodeView records. RSDS: signature, GUID, age, NUL-terminated name.
	 * NB10: signature, offset, u32 signature, age, name. BpEL: signature,
	 * the ELF build id bytes. IMAGE_DEBUG_MISC: type, length, unicode flag
	 * (u8 + 3 reserved), the name. */
	SYNTH_CV_RSDS_NAME = 24,
	SYNTH_CV_NB10_NAME = 16,
	SYNTH_DEBUG_MISC_DATA = 12,

	/* MINIDUMP_UNLOADED_MODULE_LIST: header size, entry size, count;
	 * entries: u64 base, size, checksum, time stamp, name RVA. */
	SYNTH_UNLOADED_HEADER = 12,
	SYNTH_UNLOADED_SIZE = 24,

	/* MINIDUMP_MEMORY64_LIST: u64 count, u64 base RVA of all the data
	 * (regions follow each other, unaligned); descriptors u64 start, u64 size. */
	SYNTH_MEMORY64_HEADER = 16,
	SYNTH_MEMDESC64_SIZE = 16,

	/* MINIDUMP_EXCEPTION_STREAM: thread id, pad, MINIDUMP_EXCEPTION (code,
	 * flags, u64 record, u64 address, parameter count, pad, 15 x u64),
	 * context location. */
	SYNTH_EXCEPTION_SIZE = 168,
	SYNTH_EXC_CODE = 8,
	SYNTH_EXC_NPARAMS = 32,
	SYNTH_EXC_PARAMS = 40,
	SYNTH_EXC_CONTEXT = 160,

	/* MINIDUMP_SYSTEM_INFO: u16 arch, level, revision, u8 cpus, product
	 * type, u32 major, minor, build, platform, CSD MDString RVA, u16 suite
	 * mask, u16 reserved, CPU info (x86: 12-byte vendor, version, features,
	 * AMD extended features). */
	SYNTH_SYSINFO_SIZE = 56,
	SYNTH_SYSINFO_CSD = 24,

	/* MINIDUMP_MISC_INFO and its later versions, told apart by size:
	 * 24 (flags1, pid, times), 44 (+ processor power), 232 (+ integrity,
	 * time zone), 832 (+ build strings: 260 + 40 UTF-16 units at 232). */
	SYNTH_MISC_SIZE_1 = 24,
	SYNTH_MISC_SIZE_2 = 44,
	SYNTH_MISC_SIZE_3 = 232,
	SYNTH_MISC_SIZE_4 = 832,

	/* MINIDUMP_THREAD_NAME: thread id, then a u64 RVA (RVA64) of an
	 * MDString with no padding between them: 12 bytes. */
	SYNTH_THREAD_NAME_SIZE = 12,

	/* MINIDUMP_MEMORY_INFO_LIST: header size, entry size, u64 count;
	 * entries: u64 base, u64 allocation base, allocation protection, pad,
	 * u64 region size, state, protection, type, pad. */
	SYNTH_MEMINFO_HEADER = 16,
	SYNTH_MEMINFO_SIZE = 48,

	/* MINIDUMP_HANDLE_DATA_STREAM: header size, descriptor size, count,
	 * reserved; MINIDUMP_HANDLE_DESCRIPTOR: u64 handle, type name RVA,
	 * object name RVA, attributes, access, handle count, pointer count. */
	SYNTH_HANDLE_HEADER = 16,
	SYNTH_HANDLE_SIZE = 32,

	/* Breakpad: MDRawBreakpadInfo (validity, dump thread, requesting
	 * thread); MDRawAssertionInfo (3 x 128 UTF-16 units, line, type). */
	SYNTH_BREAKPAD_INFO_SIZE = 12,
	SYNTH_ASSERTION_SIZE = 776,

	/* Crashpad: MinidumpCrashpadInfo (version, report UUID, client UUID,
	 * simple annotations location, module list location); module links
	 * (module index, location); MinidumpModuleCrashpadInfo (version, list
	 * annotations, simple annotations, annotation objects: locations);
	 * dictionary entries (key RVA, value RVA); annotation objects (name
	 * RVA, u16 type, u16 reserved, value RVA). Strings are u32 length +
	 * UTF-8 + NUL; values u32 length + bytes. */
	SYNTH_CRASHPAD_SIZE = 52,
	SYNTH_CRASHPAD_LINK_SIZE = 12,
	SYNTH_CRASHPAD_MODULE_SIZE = 28,
	SYNTH_CRASHPAD_KV_SIZE = 8,
	SYNTH_CRASHPAD_ANNOTATION_SIZE = 12,

	/* Linux DSO debug: MDRawDebug64 (version, link map RVA, count, pad,
	 * u64 brk, ldbase, dynamic) and link maps (u64 addr, name RVA, pad,
	 * u64 ld); the 32-bit forms are all u32: 24 and 12 bytes. */
	SYNTH_DEBUG64_SIZE = 40,
	SYNTH_LINK_MAP64_SIZE = 24,
	SYNTH_DEBUG32_SIZE = 24,
	SYNTH_LINK_MAP32_SIZE = 12,
};

/* Values of SystemInfo's arch and platform fields. */
#define SYNTH_ARCH_X86 0
#define SYNTH_ARCH_ARM 5
#define SYNTH_ARCH_AMD64 9
#define SYNTH_ARCH_ARM64 12
#define SYNTH_ARCH_PPC 3
#define SYNTH_OS_WINDOWS 2
#define SYNTH_OS_MAC 0x8101
#define SYNTH_OS_LINUX 0x8201
#define SYNTH_OS_ANDROID 0x8203

/* The "which registers" bits of context_flags, OR'ed with a CPU bit
 * (MD_CONTEXT_AMD64...). */
#define SYNTH_CTX_CONTROL 0x1u
#define SYNTH_CTX_INTEGER 0x2u
#define SYNTH_CTX_SEGMENTS 0x4u
#define SYNTH_CTX_FLOAT 0x8u
#define SYNTH_CTX_ALL 0x7u

static inline void synth_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void synth_put32(uint8_t *p, uint32_t v)
{
	synth_put16(p, (uint16_t)v);
	synth_put16(p + 2, (uint16_t)(v >> 16));
}
static inline void synth_put64(uint8_t *p, uint64_t v)
{
	synth_put32(p, (uint32_t)v);
	synth_put32(p + 4, (uint32_t)(v >> 32));
}

typedef struct synth synth;

typedef struct synth_loc {
	uint32_t size, rva;
} synth_loc;

synth *synth_new(void);
void synth_free(synth *s);

/* ---- raw data and strings ---------------------------------------------- */
/* n bytes of p (zeros if p is NULL), 8-aligned as Breakpad's writer aligns;
 * returns the RVA. */
uint32_t synth_append(synth *s, const void *p, size_t n);
/* MDString: u32 byte length, UTF-16LE, a NUL unit. utf8 is converted,
 * characters past U+FFFF become surrogate pairs. */
uint32_t synth_string(synth *s, const char *utf8);
/* An MDString of raw UTF-16 units (for lone surrogates and the like). */
uint32_t synth_utf16(synth *s, const uint16_t *units, uint32_t n);
/* Crashpad string: u32 length, UTF-8 bytes, NUL. */
uint32_t synth_utf8(synth *s, const char *text);
/* Current end of the data: the RVA the next append would get before
 * alignment. */
uint32_t synth_size(const synth *s);
/* Rewrites 4 bytes already written at off. */
void synth_patch32(synth *s, uint32_t off, uint32_t v);

/* ---- CPU contexts -------------------------------------------------------- */
/* A raw context for cpu with registers from regs (md_context.regs order,
 * MD_MAX_REGS entries) and context_flags exactly as given (normally the
 * CPU's MD_CONTEXT_* bit | SYNTH_CTX_*). old writes Breakpad's older arm64
 * layout (796 bytes, u64 flags). Returns its location. */
synth_loc synth_context(synth *s, md_cpu cpu, int old, const uint64_t *regs, uint32_t flags);

/* ---- directory ----------------------------------------------------------- */
/* A stream of any type and body; returns its directory index. */
int synth_stream(synth *s, uint32_t type, const void *body, size_t n);
/* A directory entry with any size and RVA. */
int synth_dir_entry(synth *s, uint32_t type, uint32_t size, uint32_t rva);
/* Where entry idx points; and a new size and RVA for it. */
synth_loc synth_entry(const synth *s, int idx);
void synth_set_entry(synth *s, int idx, uint32_t size, uint32_t rva);
/* The list stream at idx claims count entries (written at finish). */
void synth_set_count(synth *s, int idx, uint64_t count);
/* The header claims n streams. */
void synth_set_stream_count(synth *s, uint32_t n);
/* Header time stamp (default 1790000000, so outputs are stable). */
void synth_set_time(synth *s, uint32_t time_date_stamp);
/* Thread, module and memory lists written from now on pad their count to
 * 8 bytes, as some 64-bit writers did. */
void synth_pad_counts(synth *s, int on);
/* The output is cut after n bytes. */
void synth_truncate(synth *s, size_t n);

/* ---- streams ------------------------------------------------------------- */
typedef struct synth_thread {
	uint32_t id, suspend_count, priority_class, priority;
	uint64_t teb;
	uint64_t stack_base;
	const uint8_t *stack;     /* NULL: zeros */
	uint32_t stack_size;
	synth_loc context;        /* from synth_context; {0, 0}: none */
	uint64_t backing_base;    /* ThreadExList only */
	const uint8_t *backing;
	uint32_t backing_size;
} synth_thread;
int synth_thread_list(synth *s, const synth_thread *t, uint32_t n, int ex);

typedef struct synth_module {
	uint64_t base;
	uint32_t size, checksum, time_date_stamp;
	const char *name;          /* code file; NULL: "" */
	uint32_t name_rva;         /* if set, used instead of writing name */
	const char *version;       /* file version "a.b.c.d" or NULL: no info */
	const char *product_version;
	md_cv_kind cv;             /* PDB70, PDB20, ELF; UNKNOWN: cv_raw */
	const uint8_t *guid;       /* PDB70: 16 bytes */
	uint32_t age;              /* PDB70, PDB20 */
	uint32_t pdb_signature;    /* PDB20 */
	const char *pdb_name;      /* PDB70, PDB20 */
	const uint8_t *build_id;   /* ELF */
	uint32_t build_id_len;
	const uint8_t *cv_raw;     /* UNKNOWN: the record as given */
	uint32_t cv_raw_len;
	const char *misc_name;     /* IMAGE_DEBUG_MISC record naming a .dbg */
	int misc_unicode;          /* ...in UTF-16 rather than bytes */
} synth_module;
int synth_module_list(synth *s, const synth_module *m, uint32_t n);
/* Unloaded modules use base, size, checksum, time_date_stamp and name. */
int synth_unloaded_list(synth *s, const synth_module *m, uint32_t n);

typedef struct synth_region {
	uint64_t base;
	const uint8_t *data; /* NULL: zeros */
	uint32_t size;
} synth_region;
int synth_memory_list(synth *s, const synth_region *r, uint32_t n);
int synth_memory64_list(synth *s, const synth_region *r, uint32_t n);

typedef struct synth_exc {
	uint32_t thread_id, code, flags;
	uint64_t record, address;
	const uint64_t *params;
	uint32_t nparams;          /* claimed; at most 15 are written */
	synth_loc context;
} synth_exc;
int synth_exception(synth *s, const synth_exc *x);

typedef struct synth_sysinfo {
	uint16_t arch, level, revision;
	uint8_t ncpus, product_type;
	uint32_t major, minor, build, platform;
	uint16_t suite_mask;
	const char *csd;           /* NULL: no CSD string (RVA 0) */
	const char *vendor;        /* x86 CPU vendor, up to 12 bytes */
	uint32_t cpu_version, cpu_features, cpu_amd_ext;
} synth_sysinfo;
int synth_system_info(synth *s, const synth_sysinfo *si);

typedef struct synth_misc {
	uint32_t size;             /* 24, 44, 232 or 832 (also the stream size) */
	uint32_t flags1;           /* 1 pid, 2 times, 4 processor power... */
	uint32_t pid, create_time, user_time, kernel_time;
	uint32_t max_mhz, current_mhz;
	const char *build_string;  /* size 832 only */
} synth_misc;
int synth_misc_info(synth *s, const synth_misc *m);

typedef struct synth_name {
	uint32_t id;
	const char *name;
} synth_name;
int synth_thread_names(synth *s, const synth_name *n, uint32_t count);

/* validity: 1 dump thread id valid, 2 requesting thread id valid. */
int synth_breakpad_info(synth *s, uint32_t validity, uint32_t dump_thread,
			uint32_t requesting_thread);
int synth_assertion(synth *s, const char *expr, const char *func, const char *file,
		    uint32_t line, uint32_t type);

typedef struct synth_kv {
	const char *key, *value;
} synth_kv;
typedef struct synth_annotation {
	const char *name;
	uint16_t type;             /* 1 string, 2+ others */
	const void *value;
	uint32_t len;
} synth_annotation;
typedef struct synth_crashpad_module {
	uint32_t index;            /* into the ModuleList */
	const char *const *list;
	uint32_t nlist;
	const synth_kv *simple;
	uint32_t nsimple;
	const synth_annotation *objects;
	uint32_t nobjects;
} synth_crashpad_module;
typedef struct synth_crashpad {
	uint8_t report_id[16], client_id[16];
	const synth_kv *simple;
	uint32_t nsimple;
	const synth_crashpad_module *modules;
	uint32_t nmodules;
} synth_crashpad;
int synth_crashpad_info(synth *s, const synth_crashpad *c);

int synth_memory_info(synth *s, const md_memory_info *mi, uint32_t n);
/* One handle per type name (NULL: type name RVA 0). */
int synth_handles(synth *s, const char *const *type_names, uint32_t n);

/* A Linux /proc text stream (cpuinfo, status, maps...), bytes as given. */
int synth_linux_text(synth *s, uint32_t type, const void *text, size_t n);
/* auxv: npairs (type, value) pairs of 4- or 8-byte words. */
int synth_auxv(synth *s, const uint64_t *pairs, uint32_t npairs, int word);

typedef struct synth_link_map {
	uint64_t addr, ld;
	const char *name;
} synth_link_map;
typedef struct synth_dso {
	int narrow;                /* the 32-bit layout (x86, arm dumps) */
	uint32_t version;
	uint64_t brk, ldbase, dynamic;
	const synth_link_map *maps;
	uint32_t nmaps;
} synth_dso;
int synth_dso_debug(synth *s, const synth_dso *g);

/* ---- output -------------------------------------------------------------- */
/* The finished dump in a malloc'ed buffer owned by s (freed by
 * synth_free, valid until then); *size gets its length. Tests may damage
 * the bytes. The directory follows the header, or, past SYNTH_DIR_SLOTS
 * entries, the data. */
#define SYNTH_DIR_SLOTS 32
uint8_t *synth_finish(synth *s, size_t *size);
/* Writes the finished dump to path; 0 or -1 (errno set). */
int synth_write_file(synth *s, const char *path);

#endif
