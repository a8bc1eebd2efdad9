/*
 * process.h - turning a read minidump into a processed crash. For now: the
 * crash reason, decoded by OS as rust-minidump names it (what Socorro
 * shows), with the crash address. The processed crash itself arrives with
 * the stackwalker (issue 4).
 */
#ifndef CD_PROCESS_H
#define CD_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "../minidump/minidump.h"

typedef struct proc_reason {
	char text[96];     /* "SIGSEGV / SEGV_MAPERR", "EXCEPTION_ACCESS_VIOLATION_READ" */
	uint64_t address;  /* the crash address (for access violations: the data address) */
	int has_exception; /* 0: no exception stream ("No crash") */
} proc_reason;

/* Decodes d's exception stream. Always succeeds; unknown codes are shown
 * numerically ("0xe06d7363 / 0x00000001"). */
void proc_crash_reason(const md_dump *d, proc_reason *out);

#endif
