/*
 * process.h - turning a read minidump into a processed crash: the crash
 * reason, decoded by OS as rust-minidump names it (what Socorro shows),
 * with the crash address; Firefox's .extra annotations; the JSON of
 * rust-minidump's schema; and proc_crash_open(), which does all of it for
 * one dump (open, walk every thread, load annotations) for the CLI and the
 * TUI alike.
 */
#ifndef CD_PROCESS_H
#define CD_PROCESS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../minidump/minidump.h"

typedef struct proc_reason {
	char text[96];     /* "SIGSEGV / SEGV_MAPERR", "EXCEPTION_ACCESS_VIOLATION_READ" */
	uint64_t address;  /* the crash address (for access violations: the data address) */
	int has_exception; /* 0: no exception stream ("No crash") */
} proc_reason;

/* Decodes d's exception stream. Always succeeds; unknown codes are shown
 * numerically ("0xe06d7363 / 0x00000001"). */
void proc_crash_reason(const md_dump *d, proc_reason *out);

/* The assertion stream as Breakpad words it ("Invalid parameter passed to
 * library function X in function F, in file P at line N"); returns 0 and
 * leaves buf empty when the dump has none. */
int proc_assertion(const md_dump *d, char *buf, size_t size);

/* ---- the processed crash as JSON --------------------------------------- */

struct walk_stack;
struct proc_annotations;
/* Symbol status of a module: what the supplier found (symbols.h's
 * sym_status values). */
typedef int (*proc_module_status_fn)(void *ctx, const md_module *m);

/* rust-minidump's JSON schema (minidump-processor/json-schema.md), with
 * crash_info.crashing_thread an index into threads as Socorro reads it.
 * stacks[i] is the walk of d->threads[i] (nframes 0 when not walked).
 * annotations and analysis (the crash address analysis) may be NULL.
 * Returns a new reference (jansson json_t *). */
struct proc_analysis;
void *proc_json(const md_dump *d, const struct walk_stack *stacks,
		proc_module_status_fn status, void *status_ctx,
		const struct proc_annotations *annotations, const struct proc_analysis *analysis);
/* The same document as compact text appended to out, the threads written
 * one at a time: the memory of the whole tree is never held. */
int proc_text(const md_dump *d, const struct walk_stack *stacks, proc_module_status_fn status,
	      void *status_ctx, const struct proc_annotations *annotations,
	      const struct proc_analysis *analysis, cd_buf *out);

/* ---- annotations (.extra) ------------------------------------------- */

/* Firefox's crash annotations: a JSON object, almost always of strings.
 * Non-string values are kept as their JSON text. */
typedef struct proc_annotations {
	md_kv *kv;       /* sorted by key */
	uint32_t n;
	cd_arena arena;  /* owns kv and the strings */
} proc_annotations;

#define PROC_ANNOTATIONS_MAX (64u << 20) /* larger .extra files are refused */

/* The .extra path beside a dump: DUMP with ".dmp" replaced (or appended). */
int proc_extra_path(const char *dump_path, char *buf, size_t size);
/* Loads path; on error e names the file, line and column. The caller frees
 * out with proc_annotations_free() (also after an error). */
int proc_annotations_load(const char *path, proc_annotations *out, cd_err *e);
const char *proc_annotation(const proc_annotations *a, const char *key);
void proc_annotations_free(proc_annotations *a);

/* ---- the crash address analysis (analysis.c) ------------------------ */

/* What the crashing instruction tells (rust-minidump's analysis, which
 * Socorro's rules read), for amd64 and x86 crashes with the instruction's
 * bytes in the dump. Owned by the caller: proc_analysis_free(). */
enum { PROC_ACCESS_UNDERIVABLE, PROC_ACCESS_READ, PROC_ACCESS_WRITE, PROC_ACCESS_READ_WRITE };
typedef struct proc_access {
	uint64_t address;
	int size;               /* bytes; 0 unknown */
	int type;               /* PROC_ACCESS_*; UNDERIVABLE: the decoder cannot tell */
	int null_base;          /* its base register was 0: a null pointer with an offset */
	int guard_page;         /* lands in a likely guard page */
} proc_access;
typedef struct proc_bitflip {
	uint64_t address;       /* the address one bit away that is mapped */
	char source_register[8];/* "" for the crash address itself */
	int was_non_canonical, is_null, was_low, poison_registers;
	uint32_t nearby_registers;
	double confidence;      /* 0..1, as rust-minidump's f32 reads */
} proc_bitflip;
enum { PROC_IP_UNKNOWN, PROC_IP_NONE, PROC_IP_UPDATE };
enum { PROC_ADJUSTED_NONE, PROC_ADJUSTED_NULL, PROC_ADJUSTED_NON_CANONICAL };
/* crash_inconsistencies, as bits, printed in this order. */
enum {
	PROC_INC_INT_DIV = 1, PROC_INC_PRIV = 2, PROC_INC_NON_CANONICAL = 4,
	PROC_INC_ACCESS_MISSING = 8, PROC_INC_ACCESS_ALLOWED = 16,
};
#define PROC_MAX_ACCESSES 8
#define PROC_MAX_REGISTERS 8
typedef struct proc_analysis {
	int have_exception;
	int decoded;            /* the instruction was read and decoded */
	char instruction[192];  /* "mov dword [0x45], 0x5" */
	int is_division, is_privileged, is_access_derivable, only_gpf_when_non_canonical;
	int have_accesses;      /* accesses[] is known (possibly empty) */
	proc_access accesses[PROC_MAX_ACCESSES];
	int naccesses;
	int ip_update;          /* PROC_IP_* */
	uint64_t ip_target;
	int adjusted;           /* PROC_ADJUSTED_* */
	uint64_t adjusted_value;/* the null pointer's offset, or the non-canonical address */
	proc_bitflip *flips;    /* in the order found */
	size_t nflips, cflips;
	unsigned inconsistencies;
	char registers[PROC_MAX_REGISTERS][8]; /* of the memory operands */
	int nregisters;
} proc_analysis;
void proc_analyze(const md_dump *d, const proc_reason *r, proc_analysis *out);
/* The flips by confidence, highest first, then by address (out holds nflips). */
void proc_analysis_sorted_flips(const proc_analysis *a, proc_bitflip *out);
void proc_analysis_free(proc_analysis *a);
/* An inconsistency bit's JSON name (human 0) or sentence (human 1). */
const char *proc_inconsistency_name(unsigned bit, int human);

/* ---- facts of the dump, as rust-minidump states them ----------------- */

/* system_info.os_ver: "5.1.2600 Service Pack 2"; for Linux dumps whose
 * version fields are zero, the kernel version and build from the uname
 * string ("4.9.60-linuxkit-aufs #1 SMP Mon Nov 6 16:00:12 UTC 2017"). */
void proc_os_version(const md_system_info *si, char *buf, size_t size);
/* A module's version as rust-minidump prints it (Windows and Apple:
 * "a.b.c.d" of the file version; others: the four raw words), or NULL when
 * the module has no version resource. May write buf. */
const char *proc_module_version(const md_dump *d, const struct md_module *m, char *buf, size_t size);
/* /etc/lsb-release (or os-release) of a Linux dump: 0 when it has none. */
typedef struct proc_lsb_info {
	char id[128], release[128], codename[128], description[256];
} proc_lsb_info;
int proc_lsb(const md_dump *d, proc_lsb_info *out);
/* The raw crash's ModuleSignatureInfo ({"cert": ["module", ...]}, or a
 * string of it) as {module: cert}: a new jansson object, empty without. */
void *proc_cert_map(const struct proc_annotations *a);
/* system_info.cpu_microcode_version: /proc/cpuinfo's "microcode", else
 * the CPUMicrocodeVersion annotation; 0 when neither is "0x..." hex. */
int proc_microcode(const md_dump *d, const struct proc_annotations *a, uint64_t *out);
/* A thread's last_error_value: the LastErrorValue of its TEB (13 pointers
 * in) as rust-minidump names it (ERROR_*, else STATUS_*, else "unknown
 * 0x..."); 0 when the TEB is not in the dump or the dump is not Windows'. */
int proc_last_error(const md_dump *d, const md_thread *t, char *buf, size_t size);
/* The generated tables behind it (build/gen/winerrors.c), sorted by code. */
typedef struct proc_code_name {
	uint32_t code;
	const char *name;
} proc_code_name;
extern const proc_code_name proc__win_errors[], proc__nt_statuses[];
extern const size_t proc__nwin_errors, proc__nnt_statuses;
/* MozMacosCrashInfoStream's records (macOS CrashReporter info), as
 * rust-minidump reads them: all of one version (1, 4 or 5); fields a
 * version lacks, zeros and empty strings are absent (0 / NULL). Strings
 * point into the dump. 0 when the stream is absent or unreadable. */
#define PROC_MAC_RECORDS_MAX 20
typedef struct proc_mac_record {
	uint64_t thread, dialog_mode, abort_cause;
	const char *module, *message, *signature_string, *backtrace, *message2;
} proc_mac_record;
int proc_mac_crash_info(const md_dump *d, proc_mac_record *out, int *n);
/* MozMacosBootargsStream ({ stream_type, RVA64 of a MINIDUMP_STRING }):
 * the boot arguments into buf ("" when it names none); 0 without it. */
int proc_mac_boot_args(const md_dump *d, char *buf, size_t size);
/* The lines of /proc/self/maps: 0 when the dump has none. */
int proc_map_count(const md_dump *d, uint64_t *n);
/* MozSoftErrors as a new json_t reference (json null when absent). */
void *proc_soft_errors(const md_dump *d);

/* ---- disassembly (disasm.c) ----------------------------------------- */

typedef struct proc_insn {
	uint64_t addr;
	uint8_t len;
	uint8_t bytes[16];
	char text[160];      /* "mov dword [rax], 0x5" (x86 as rust-minidump spells it) */
	uint64_t target;     /* a direct jump's or call's destination; 0: none */
} proc_insn;
/* The instructions around addr, decoded from the dump's memory: up to
 * before instructions ahead of the one at addr, it, and up to after
 * behind it, at most max into out (*n of them). An instruction starts at
 * addr (the crashing pc); with is_return, addr is a return address and
 * the one marked is the call that ends there. *at: the index of the
 * marked one in out. CD_ENOTFOUND when the dump has no code there (or no
 * call ends at a return address), CD_EUSAGE for a CPU it cannot decode. */
int proc_disassemble(const md_dump *d, uint64_t addr, int is_return, int before, int after,
		     proc_insn *out, int max, int *n, int *at);
/* capstone's x86 text as rust-minidump prints it (analysis.c). */
struct cs_insn;
void proc__insn_text(const struct cs_insn *in, char *out, size_t size);

/* ---- one dump, processed ------------------------------------------- */

struct sym_store;

/* Everything `crashdesk walk` shows of one dump. Owned by the caller
 * (proc_crash_free()); every pointer inside is owned by it except store. */
typedef struct proc_crash {
	char *path;                 /* the dump */
	md_dump *dump;
	proc_reason reason;
	struct walk_stack *stacks;  /* [dump->nthreads]; nframes 0 when not walked */
	char **why;                 /* [dump->nthreads]: why a thread was not walked, or NULL */
	uint32_t nfailed;           /* threads whose walk failed (not merely without context) */
	proc_annotations annotations;
	int have_annotations;
	/* Why the annotations could not be loaded ("" when they were, or when
	 * no path was given and there is no .extra beside the dump). Not an
	 * error of the crash: the CLI prints it and goes on. */
	char annotations_error[512];
	struct sym_store *store;    /* borrowed, may be NULL; must outlive the crash */
	int crashing_thread;        /* index into dump->threads, -1 when none */
	proc_analysis analysis;     /* of the crashing instruction */
} proc_crash;

/* How many frames the environment's CRASHDESK_MAX_FRAMES (1 to 1,000,000)
 * allows each thread, overriding the walker's limits; 0 when it is unset or
 * invalid. One reading serves the walk and the key of its stored result. */
uint32_t proc_frame_limit_override(void);

/* Called on the walking thread after each thread is walked: done of total. */
typedef void (*proc_progress_fn)(void *ctx, uint32_t done, uint32_t total);

/* Opens dump_path, decodes the crash reason, walks every thread with the
 * symbols of store (may be NULL: no symbols; symbols only a server has are
 * fetched for the modules the walk touches, in parallel, and the walk
 * repeated, unless the caller made the store lazy: then the walk is done
 * once and the store's queue left to the caller) and loads the annotations
 * from annotations_path (NULL: the .extra beside the dump, silently absent).
 * progress may be NULL. When cancel is non-NULL and *cancel becomes
 * non-zero (from another thread, say), the walk stops between threads and
 * CD_ECANCELED is returned with nothing in *out. Only a dump that cannot be
 * opened fails otherwise; threads that could not be walked say why in
 * why[i]. */
int proc_crash_open(const char *dump_path, struct sym_store *store,
		    const char *annotations_path, proc_progress_fn progress, void *progress_ctx,
		    const atomic_int *cancel, proc_crash **out, cd_err *e);
/* Before walking several dumps one after the other: walks each lazily and
 * downloads what all of them asked for of the store's servers at once,
 * round after round until no walk asks for more (a dump whose walk was
 * told "not yet" nowhere is done), so the requests of every dump overlap.
 * The walks that follow find their symbols in place. Errors are those of
 * the download machinery; dumps that cannot be opened are skipped here. */
int proc_fetch_symbols(const char *const *paths, size_t n, struct sym_store *store, cd_err *e);
/* The document `crashdesk walk --json` prints; a new reference (json_t *). */
void *proc_crash_json(const proc_crash *c);
/* The same as compact JSON text, written a thread at a time (proc_text);
 * *out is malloc'd, the caller frees it. */
int proc_crash_text(const proc_crash *c, char **out);
/* Symbol status of a module of the crash, from its store (sym_status);
 * never asks a server (SYM_STATUS_UNKNOWN: not looked for). */
int proc_crash_module_status(const proc_crash *c, const md_module *m);
void proc_crash_free(proc_crash *c);

/* human.c: rust-minidump's human report of c (minidump-stackwalk --human;
 * brief: the summary and the crashing thread only) into f. */
void proc_crash_human(const proc_crash *c, int brief, FILE *f);

#endif
