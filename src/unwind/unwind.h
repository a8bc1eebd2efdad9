/*
 * unwind.h - walking a thread's stack: frames from the context, then by
 * CFI, frame pointer or stack scan, each with the trust of how it was
 * found. Symbols come through a supplier callback, so the walker knows
 * nothing of where symbol files live.
 *
 * CPUs: amd64, x86 (with STACK WIN), arm64 (pointer authentication bits
 * stripped) and arm (thumb bit cleared); a leaf's caller on arm and arm64
 * comes from the link register.
 *
 * Ownership: walk_thread() fills a caller-owned walk_stack whose frames
 * are malloc'ed; walk_stack_free() releases them. Symbol strings in frames
 * point into symbol caches the supplier keeps open.
 */
#ifndef CD_UNWIND_H
#define CD_UNWIND_H

#include "../minidump/minidump.h"
#include "../symbols/symbols.h"
#include "postfix.h"

typedef enum walk_trust {
	WALK_TRUST_NONE = 0,
	WALK_TRUST_SCAN,          /* a return address found by scanning the stack */
	WALK_TRUST_FRAME_POINTER, /* the caller's frame found through the frame pointer */
	WALK_TRUST_CFI,           /* call frame information */
	WALK_TRUST_CONTEXT,       /* the thread's own context */
} walk_trust;

/* rust-minidump's names: "context", "cfi", "frame_pointer", "scan". */
const char *walk_trust_name(walk_trust t);

/* Symbols of a module, or NULL when there are none (the supplier records
 * why). Called at most once per module per walk is not guaranteed:
 * suppliers should cache. */
typedef const sym_cache *(*walk_symbols_fn)(void *ctx, const md_module *m);

/* A frame's symbol: sym_lookup's fields, with the inline chain out of
 * line (sym_lookup holds room for SYM_MAX_INLINE_DEPTH entries, 2.5 KB,
 * which a dump of 20,000 one-frame threads would multiply). inlines has
 * ninlines entries (NULL when none), owned by the walk_stack. */
typedef struct walk_sym {
	const char *function;
	uint64_t function_addr, function_size, param_size;
	const char *file;
	int64_t line;
	uint64_t line_addr, inline_addr;
	int is_public;
	uint32_t ninlines;        /* innermost first */
	sym_inline_frame *inlines;
} walk_sym;

typedef struct walk_frame {
	md_context regs;          /* registers valid for this frame */
	uint64_t pc;              /* the instruction: for callers, return address - 1 */
	walk_trust trust;
	const md_module *module;  /* NULL when pc is in no module */
	int has_symbols;
	walk_sym sym;             /* when has_symbols and the lookup found something */
	int has_function;
} walk_frame;

typedef struct walk_stack {
	walk_frame *frames;
	uint32_t nframes;
	int truncated;            /* stopped at the frame limit */
} walk_stack;

/* Frame limits. rust-minidump walks without one; crashdesk stops a
 * crashing thread at 16,384 frames and every other thread at 1,024, so
 * that a hostile dump's many deep stacks stay within memory (a frame is
 * about 3 KB with its inline chain). */
#define WALK_MAX_FRAMES 1024
#define WALK_MAX_FRAMES_CRASHED 16384

/* Walks from ctx (the thread's context, or the exception's for the crashing
 * thread) over the thread's stack memory, at most WALK_MAX_FRAMES frames;
 * walk_thread_max() takes the limit (at least 1). */
int walk_thread(const md_dump *d, const md_thread *t, const md_context *ctx,
		walk_symbols_fn symbols, void *symbols_ctx, walk_stack *out, cd_err *e);
int walk_thread_max(const md_dump *d, const md_thread *t, const md_context *ctx,
		    walk_symbols_fn symbols, void *symbols_ctx, uint32_t max_frames,
		    walk_stack *out, cd_err *e);
void walk_stack_free(walk_stack *s);

#endif
