/*
 * minidump.h - a reader of the minidump format that never trusts its input.
 *
 * md_open() maps a file and decodes every stream it knows into an md_dump.
 * Every size, count, RVA and string is checked against the file before use;
 * a stream that cannot be read whole is kept as far as it can be read and
 * marked MD_STREAM_PARTIAL or MD_STREAM_BAD, with the reason recorded in
 * dump->problems (stream, file offset, message). Only a file that is not a
 * minidump at all (bad header, unreadable directory) fails md_open().
 *
 * Ownership: md_open() returns a dump the caller owns and frees with
 * md_close(). Everything reachable from it (strings, arrays, the bytes of
 * memory regions, which point into the file mapping) is owned by the dump
 * and lives until md_close(). Nothing is allocated after md_open() returns;
 * memory use is bounded by a small multiple of the file size.
 *
 * Layout of the format: Microsoft's MINIDUMP_* structures, with Breakpad's
 * and Crashpad's extensions (Linux streams, Breakpad info, assertion info,
 * Crashpad info, Breakpad's arm/arm64 contexts).
 */
#ifndef CD_MINIDUMP_H
#define CD_MINIDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/* ---- stream types ---------------------------------------------------- */
enum {
	MD_STREAM_UNUSED = 0,
	MD_STREAM_THREAD_LIST = 3,
	MD_STREAM_MODULE_LIST = 4,
	MD_STREAM_MEMORY_LIST = 5,
	MD_STREAM_EXCEPTION = 6,
	MD_STREAM_SYSTEM_INFO = 7,
	MD_STREAM_THREAD_EX_LIST = 8,
	MD_STREAM_MEMORY64_LIST = 9,
	MD_STREAM_HANDLE_DATA = 12,
	MD_STREAM_UNLOADED_MODULE_LIST = 14,
	MD_STREAM_MISC_INFO = 15,
	MD_STREAM_MEMORY_INFO_LIST = 16,
	MD_STREAM_THREAD_NAME_LIST = 24,
	MD_STREAM_BREAKPAD_INFO = 0x47670001,
	MD_STREAM_ASSERTION_INFO = 0x47670002,
	MD_STREAM_LINUX_CPU_INFO = 0x47670003,
	MD_STREAM_LINUX_PROC_STATUS = 0x47670004,
	MD_STREAM_LINUX_LSB_RELEASE = 0x47670005,
	MD_STREAM_LINUX_CMD_LINE = 0x47670006,
	MD_STREAM_LINUX_ENVIRON = 0x47670007,
	MD_STREAM_LINUX_AUXV = 0x47670008,
	MD_STREAM_LINUX_MAPS = 0x47670009,
	MD_STREAM_LINUX_DSO_DEBUG = 0x4767000A,
	MD_STREAM_CRASHPAD_INFO = 0x43500001,
};

/* Name of a stream type ("ThreadList", "LinuxMaps"...) or NULL if unknown. */
const char *md_stream_type_name(uint32_t type);

/* How much of a stream could be read. */
typedef enum md_stream_state {
	MD_STREAM_ABSENT = 0, /* not in the directory */
	MD_STREAM_OK,         /* read whole */
	MD_STREAM_PARTIAL,    /* some entries read; see problems */
	MD_STREAM_BAD,        /* present but nothing usable */
} md_stream_state;

const char *md_stream_state_name(md_stream_state s);

typedef struct md_problem {
	uint32_t stream_type; /* 0 for the header and directory */
	uint64_t offset;      /* file offset where the trouble is */
	const char *message;
} md_problem;

/* ---- CPU contexts ---------------------------------------------------- */
typedef enum md_cpu {
	MD_CPU_UNKNOWN = 0,
	MD_CPU_X86,
	MD_CPU_AMD64,
	MD_CPU_ARM,
	MD_CPU_ARM64,
	MD_CPU_OTHER, /* ppc, sparc, mips...: named but not decoded */
} md_cpu;

const char *md_cpu_name(md_cpu cpu); /* "x86", "amd64", "arm", "arm64" */

/*
 * Register numbering per CPU (indexes into md_context.regs):
 *   x86:   eip esp ebp ebx esi edi eax ecx edx eflags  cs ds es fs gs ss
 *   amd64: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip  eflags cs ds es fs gs ss
 *          (DWARF order for the first 17, so CFI maps directly)
 *   arm:   r0..r12 sp(r13) lr(r14) pc(r15) cpsr
 *   arm64: x0..x28 fp(x29) lr(x30) sp pc cpsr
 * md_reg_names() gives the names; md_reg_index() looks one up.
 */
#define MD_MAX_REGS 40

enum { MD_X86_EIP, MD_X86_ESP, MD_X86_EBP, MD_X86_EBX, MD_X86_ESI, MD_X86_EDI,
       MD_X86_EAX, MD_X86_ECX, MD_X86_EDX, MD_X86_EFLAGS,
       MD_X86_CS, MD_X86_DS, MD_X86_ES, MD_X86_FS, MD_X86_GS, MD_X86_SS,
       MD_X86_NREGS };
enum { MD_AMD64_RAX, MD_AMD64_RDX, MD_AMD64_RCX, MD_AMD64_RBX, MD_AMD64_RSI,
       MD_AMD64_RDI, MD_AMD64_RBP, MD_AMD64_RSP, MD_AMD64_R8, MD_AMD64_R9,
       MD_AMD64_R10, MD_AMD64_R11, MD_AMD64_R12, MD_AMD64_R13, MD_AMD64_R14,
       MD_AMD64_R15, MD_AMD64_RIP, MD_AMD64_EFLAGS,
       MD_AMD64_CS, MD_AMD64_DS, MD_AMD64_ES, MD_AMD64_FS, MD_AMD64_GS,
       MD_AMD64_SS, MD_AMD64_NREGS };
enum { MD_ARM_R0 = 0, MD_ARM_R7 = 7, MD_ARM_R11 = 11, MD_ARM_SP = 13,
       MD_ARM_LR = 14, MD_ARM_PC = 15, MD_ARM_CPSR = 16, MD_ARM_NREGS = 17 };
enum { MD_ARM64_X0 = 0, MD_ARM64_FP = 29, MD_ARM64_LR = 30, MD_ARM64_SP = 31,
       MD_ARM64_PC = 32, MD_ARM64_CPSR = 33, MD_ARM64_NREGS = 34 };

/* Raw context_flags bits (CPU part and the "which registers" part). */
#define MD_CONTEXT_X86 0x00010000u
#define MD_CONTEXT_AMD64 0x00100000u
#define MD_CONTEXT_ARM 0x40000000u
#define MD_CONTEXT_ARM_OLD 0x00000040u
#define MD_CONTEXT_ARM64 0x00400000u
#define MD_CONTEXT_ARM64_OLD 0x80000000u

/* Sizes of the raw contexts; also how they are told apart. */
#define MD_CONTEXT_X86_SIZE 716
#define MD_CONTEXT_AMD64_SIZE 1232
#define MD_CONTEXT_ARM_SIZE 368
#define MD_CONTEXT_ARM64_SIZE 912
#define MD_CONTEXT_ARM64_OLD_SIZE 796

typedef struct md_context {
	md_cpu cpu;
	uint64_t flags;        /* raw context_flags */
	int old_layout;        /* arm64: Breakpad's older layout was read */
	uint64_t regs[MD_MAX_REGS];
	uint64_t valid;        /* bit i set: regs[i] was present per the flags */
	uint64_t rva;          /* where the raw context is in the file */
	uint32_t size;         /* its raw size */
} md_context;

/* Names of the registers of cpu in md_context.regs order; *n gets the count. */
const char *const *md_reg_names(md_cpu cpu, int *n);
int md_reg_index(md_cpu cpu, const char *name); /* -1 if unknown */
/* Instruction and stack pointer of a context (0 if not valid). */
uint64_t md_context_pc(const md_context *c);
uint64_t md_context_sp(const md_context *c);

/* ---- memory ---------------------------------------------------------- */
typedef struct md_memory {
	uint64_t base;       /* address in the crashed process */
	uint64_t size;       /* bytes claimed */
	const uint8_t *data; /* the bytes, in the file mapping; NULL if unreadable */
	uint64_t avail;      /* bytes actually present in the file (<= size) */
	uint64_t rva;
} md_memory;

/* ---- streams --------------------------------------------------------- */
typedef struct md_thread {
	uint32_t id;
	uint32_t suspend_count, priority_class, priority;
	uint64_t teb;
	md_memory stack;
	md_memory backing_store; /* ThreadExList only */
	int has_context;         /* 0 if the context could not be read */
	md_context context;
	const char *name;        /* from ThreadNameList, or NULL */
} md_thread;

typedef enum md_cv_kind {
	MD_CV_NONE = 0,
	MD_CV_PDB70,  /* "RSDS" */
	MD_CV_PDB20,  /* "NB10" */
	MD_CV_ELF,    /* "BpEL" */
	MD_CV_UNKNOWN,
} md_cv_kind;

typedef struct md_module {
	uint64_t base;
	uint32_t size;
	uint32_t checksum;
	uint32_t time_date_stamp;
	const char *code_file;   /* "" if unreadable */
	const char *version;     /* "a.b.c.d" or "" when absent */
	uint32_t version_ms, version_ls, product_ms, product_ls; /* raw */
	md_cv_kind cv_kind;
	uint32_t cv_signature;
	const char *debug_file;  /* "" if none */
	const char *debug_id;    /* Breakpad form, uppercase hex + age; "" if none */
	const char *code_id;     /* as Breakpad computes it; "" if none */
	const uint8_t *build_id; /* ELF build id bytes (cv_kind == MD_CV_ELF) */
	uint32_t build_id_len;
	int damaged;             /* some part of the record could not be read */
} md_module;

typedef struct md_unloaded_module {
	uint64_t base;
	uint32_t size, checksum, time_date_stamp;
	const char *code_file;
} md_unloaded_module;

typedef struct md_exception {
	uint32_t thread_id;
	uint32_t code, flags;
	uint64_t record, address;
	uint32_t nparams;       /* as claimed, capped to 15 */
	uint64_t params[15];
	int has_context;
	md_context context;
} md_exception;

typedef struct md_system_info {
	uint16_t arch;          /* raw processor_architecture */
	md_cpu cpu;
	uint16_t level, revision;
	uint8_t ncpus, product_type;
	uint32_t major, minor, build, platform;
	const char *os;         /* "Windows NT", "Linux", "Mac OS X"... */
	const char *os_short;   /* "windows", "linux", "mac"... (rust-minidump's) */
	const char *csd_version;/* "" if none */
	const char *cpu_vendor; /* x86 only, else "" */
	uint32_t cpu_version, cpu_features, cpu_amd_ext;
	uint16_t suite_mask;
} md_system_info;

typedef struct md_misc_info {
	uint32_t size, flags1;
	int has_pid, has_times, has_power;
	uint32_t pid;
	uint32_t create_time, user_time, kernel_time;
	uint32_t max_mhz, current_mhz;
	const char *build_string; /* MISC_INFO_4, else NULL */
} md_misc_info;

typedef struct md_memory_info {
	uint64_t base, allocation_base, region_size;
	uint32_t allocation_protection, state, protection, type;
} md_memory_info;

typedef struct md_handle_type {
	const char *type_name;
	uint32_t count;
} md_handle_type;

typedef struct md_handle {
	uint64_t handle;          /* a HANDLE on Windows, a descriptor on Linux */
	const char *type_name;    /* NULL when the descriptor names none */
	const char *object_name;  /* NULL likewise */
} md_handle;

typedef struct md_breakpad_info {
	int has_dump_thread, has_requesting_thread;
	uint32_t dump_thread_id, requesting_thread_id;
} md_breakpad_info;

typedef struct md_assertion {
	const char *expression, *function, *file;
	uint32_t line, type;
} md_assertion;

typedef struct md_kv {
	const char *key, *value;
} md_kv;

typedef struct md_annotation { /* Crashpad annotation object */
	const char *name;
	uint16_t type;            /* 1 = string */
	const uint8_t *value;
	uint32_t value_len;
} md_annotation;

typedef struct md_crashpad_module {
	uint32_t module_index;
	const char **list;        /* list annotations */
	uint32_t nlist;
	md_kv *simple;
	uint32_t nsimple;
	md_annotation *objects;
	uint32_t nobjects;
} md_crashpad_module;

typedef struct md_crashpad_info {
	uint32_t version;
	uint8_t report_id[16], client_id[16];
	md_kv *simple;
	uint32_t nsimple;
	md_crashpad_module *modules;
	uint32_t nmodules;
} md_crashpad_info;

typedef struct md_auxv {
	uint64_t type, value;
} md_auxv;

typedef struct md_link_map {
	uint64_t addr, ld;
	const char *name;
} md_link_map;

typedef struct md_dso_debug {
	uint32_t version, dso_count;
	uint64_t brk, ldbase, dynamic;
	md_link_map *maps;
	uint32_t nmaps;
} md_dso_debug;

typedef struct md_text { /* a Linux text stream, as bytes (not NUL-safe) */
	const char *data;
	uint32_t len;
} md_text;

typedef struct md_dir_entry {
	uint32_t type;
	uint32_t size, rva;
	md_stream_state state; /* how reading it went */
	int duplicate;         /* a second stream of a type already seen: ignored */
} md_dir_entry;

typedef struct md_dump {
	const char *path;
	const uint8_t *data; /* the whole file */
	uint64_t file_size;

	/* header */
	uint32_t signature, version, stream_count, dir_rva, checksum;
	uint32_t time_date_stamp;
	uint64_t flags;

	md_dir_entry *dir;
	uint32_t ndir;       /* entries actually read (may be < stream_count) */

	md_thread *threads;          uint32_t nthreads;
	md_stream_state threads_state;  /* ThreadList or ThreadExList */
	md_module *modules;          uint32_t nmodules;
	md_stream_state modules_state;
	md_unloaded_module *unloaded;uint32_t nunloaded;
	md_stream_state unloaded_state;
	md_memory *memory;           uint32_t nmemory; /* sorted by base */
	md_stream_state memory_state;   /* MemoryList and/or Memory64List */
	md_memory_info *meminfo;     uint32_t nmeminfo;
	md_stream_state meminfo_state;
	md_handle_type *handle_types;uint32_t nhandle_types;
	md_handle *handles;          uint32_t nhandles;
	uint32_t handle_count;
	md_stream_state handles_state;

	md_exception exception;      md_stream_state exception_state;
	md_system_info sysinfo;      md_stream_state sysinfo_state;
	md_misc_info misc;           md_stream_state misc_state;
	md_breakpad_info breakpad;   md_stream_state breakpad_state;
	md_assertion assertion;      md_stream_state assertion_state;
	md_crashpad_info crashpad;   md_stream_state crashpad_state;
	md_stream_state thread_names_state;

	md_text linux_cpu_info, linux_proc_status, linux_lsb_release,
		linux_cmdline, linux_environ, linux_maps;
	md_stream_state linux_cpu_info_state, linux_proc_status_state,
		linux_lsb_release_state, linux_cmdline_state,
		linux_environ_state, linux_maps_state;
	md_auxv *auxv;               uint32_t nauxv;
	md_stream_state auxv_state;
	md_dso_debug dso_debug;      md_stream_state dso_debug_state;

	md_problem *problems;        uint32_t nproblems;
	uint32_t nproblems_dropped;  /* past the cap on recorded problems */

	/* A dump over MD_WHOLE_HASH_MAX bytes: SHA-256 (hex) of the bytes its
	 * parse read (header, directory, every stream and what they point at,
	 * every memory region), so keying its results never reads the holes of
	 * a sparse file or bytes nothing references; "" for smaller dumps,
	 * which are keyed by the SHA-256 of the whole file. */
	char content_id[65];

	/* private */
	struct md__touched *touched; /* ranges read, while a big dump is parsed */
	cd_map map;
	cd_arena arena;
	uint32_t problems_cap;
	const md_memory **memory_index; /* readable regions, see md__memory_finish */
	uint32_t nmemory_index;
	uint64_t string_budget;      /* bytes of decoded strings still allowed */
} md_dump;

/* Opens and decodes path. On CD_EFORMAT for a file that is not a minidump,
 * *out is NULL and e names the file and offset. */
int md_open(const char *path, md_dump **out, cd_err *e);
/* The same over bytes in memory (name is used in messages); data must
 * outlive the dump. For fuzzing and tests. */
int md_open_mem(const uint8_t *data, size_t size, const char *name,
		md_dump **out, cd_err *e);
void md_close(md_dump *d);

/* Copies size bytes at addr from any captured memory region (memory lists
 * and thread stacks). Returns CD_OK or CD_ENOTFOUND. */
int md_read_memory(const md_dump *d, uint64_t addr, void *dst, size_t size);
/* Dumps up to this size are keyed by the hash of the whole file. */
#define MD_WHOLE_HASH_MAX (64ull << 20)
/* The region containing addr, or NULL. */
const md_memory *md_find_memory(const md_dump *d, uint64_t addr);
/* The module containing addr, or NULL. */
const md_module *md_find_module(const md_dump *d, uint64_t addr);
const md_thread *md_find_thread(const md_dump *d, uint32_t id);

/* Seconds the process had run when it crashed, if known (misc info and
 * header time). Returns CD_OK and fills *secs, or CD_ENOTFOUND. */
int md_process_uptime(const md_dump *d, uint64_t *secs);

const char *md_os_name(uint32_t platform);      /* "Linux", "Windows NT"... */
const char *md_arch_name(uint16_t arch);         /* "x86", "amd64", "arm64"... */

#endif
