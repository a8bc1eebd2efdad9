/*
 * reason.c - crash reasons by OS, in rust-minidump's words, which is what
 * Socorro shows; Breakpad differs for si_code 0 ("SIGSEGV /0x00000000"
 * where rust-minidump says "SIGSEGV"), for NTSTATUS codes it does not
 * know (it prints them numerically), and for signals that were raised
 * rather than faulted ("SIGABRT / SI_TKILL").
 */
#include <stdio.h>
#include <string.h>

#include "process.h"

typedef struct name {
	int64_t code;
	const char *name;
} name;

#define N(x) { x, #x }

static const char *lookup(const name *t, size_t n, int64_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}
#define LOOKUP(t, c) lookup(t, sizeof(t) / sizeof(t[0]), c)

/* ---- Linux ------------------------------------------------------------ */
static const name linux_signals[] = {
	{ 1, "SIGHUP" }, { 2, "SIGINT" }, { 3, "SIGQUIT" }, { 4, "SIGILL" },
	{ 5, "SIGTRAP" }, { 6, "SIGABRT" }, { 7, "SIGBUS" }, { 8, "SIGFPE" },
	{ 9, "SIGKILL" }, { 10, "SIGUSR1" }, { 11, "SIGSEGV" }, { 12, "SIGUSR2" },
	{ 13, "SIGPIPE" }, { 14, "SIGALRM" }, { 15, "SIGTERM" }, { 16, "SIGSTKFLT" },
	{ 17, "SIGCHLD" }, { 18, "SIGCONT" }, { 19, "SIGSTOP" }, { 20, "SIGTSTP" },
	{ 21, "SIGTTIN" }, { 22, "SIGTTOU" }, { 23, "SIGURG" }, { 24, "SIGXCPU" },
	{ 25, "SIGXFSZ" }, { 26, "SIGVTALRM" }, { 27, "SIGPROF" }, { 28, "SIGWINCH" },
	{ 29, "SIGIO" }, { 30, "SIGPWR" }, { 31, "SIGSYS" },
};
/* si_code values every signal can carry (asm-generic/siginfo.h). */
static const name si_generic[] = {
	{ 0, "SI_USER" }, { 0x80, "SI_KERNEL" }, { -1, "SI_QUEUE" }, { -2, "SI_TIMER" },
	{ -3, "SI_MESGQ" }, { -4, "SI_ASYNCIO" }, { -5, "SI_SIGIO" }, { -6, "SI_TKILL" },
	{ -7, "SI_DETHREAD" }, { -60, "SI_ASYNCNL" },
};
static const name si_ill[] = {
	{ 1, "ILL_ILLOPC" }, { 2, "ILL_ILLOPN" }, { 3, "ILL_ILLADR" }, { 4, "ILL_ILLTRP" },
	{ 5, "ILL_PRVOPC" }, { 6, "ILL_PRVREG" }, { 7, "ILL_COPROC" }, { 8, "ILL_BADSTK" },
	{ 9, "ILL_BADIADDR" },
};
static const name si_fpe[] = {
	{ 1, "FPE_INTDIV" }, { 2, "FPE_INTOVF" }, { 3, "FPE_FLTDIV" }, { 4, "FPE_FLTOVF" },
	{ 5, "FPE_FLTUND" }, { 6, "FPE_FLTRES" }, { 7, "FPE_FLTINV" }, { 8, "FPE_FLTSUB" },
};
static const name si_segv[] = {
	{ 1, "SEGV_MAPERR" }, { 2, "SEGV_ACCERR" }, { 3, "SEGV_BNDERR" }, { 4, "SEGV_PKUERR" },
	{ 5, "SEGV_ACCADI" }, { 6, "SEGV_ADIDERR" }, { 7, "SEGV_ADIPERR" }, { 8, "SEGV_MTEAERR" },
	{ 9, "SEGV_MTESERR" },
};
static const name si_bus[] = {
	{ 1, "BUS_ADRALN" }, { 2, "BUS_ADRERR" }, { 3, "BUS_OBJERR" }, { 4, "BUS_MCEERR_AR" },
	{ 5, "BUS_MCEERR_AO" },
};
static const name si_trap[] = {
	{ 1, "TRAP_BRKPT" }, { 2, "TRAP_TRACE" }, { 3, "TRAP_BRANCH" }, { 4, "TRAP_HWBKPT" },
	{ 5, "TRAP_UNK" }, { 6, "TRAP_PERF" },
};
static const name si_sys[] = { { 1, "SYS_SECCOMP" }, { 2, "SYS_USER_DISPATCH" } };

static void linux_reason(const md_exception *x, proc_reason *r)
{
	const char *sig = LOOKUP(linux_signals, x->code);
	if (!sig) {
		snprintf(r->text, sizeof r->text, "unknown 0x%08x / 0x%08x", x->code, x->flags);
		return;
	}
	/* Only signals raised by faults carry a meaningful si_code. */
	const name *t = NULL;
	size_t n = 0;
	switch (x->code) {
	case 4: t = si_ill; n = sizeof si_ill / sizeof *si_ill; break;
	case 5: t = si_trap; n = sizeof si_trap / sizeof *si_trap; break;
	case 7: t = si_bus; n = sizeof si_bus / sizeof *si_bus; break;
	case 8: t = si_fpe; n = sizeof si_fpe / sizeof *si_fpe; break;
	case 11: t = si_segv; n = sizeof si_segv / sizeof *si_segv; break;
	case 31: t = si_sys; n = sizeof si_sys / sizeof *si_sys; break;
	}
	int32_t si = (int32_t)x->flags;
	/* rust-minidump's words: a fault's own si_code when the signal has
	 * one ("SIGSEGV / SEGV_MAPERR"), else the generic code, left out for
	 * SI_USER ("SIGSEGV", "SIGABRT / SI_TKILL"), else the number. */
	const char *code = t ? lookup(t, n, si) : NULL;
	if (!code)
		code = LOOKUP(si_generic, si);
	if (code && si == 0 && !(t && lookup(t, n, si)))
		snprintf(r->text, sizeof r->text, "%s", sig);
	else if (code)
		snprintf(r->text, sizeof r->text, "%s / %s", sig, code);
	else
		snprintf(r->text, sizeof r->text, "%s / 0x%08x", sig, x->flags);
}

/* ---- Windows ------------------------------------------------------------ */
static const name win_codes[] = {
	{ 0x40010005, "DBG_CONTROL_C" },
	{ 0x80000002, "EXCEPTION_DATATYPE_MISALIGNMENT" },
	{ 0x80000003, "EXCEPTION_BREAKPOINT" },
	{ 0x80000004, "EXCEPTION_SINGLE_STEP" },
	{ 0xc0000005, "EXCEPTION_ACCESS_VIOLATION" },
	{ 0xc0000006, "EXCEPTION_IN_PAGE_ERROR" },
	{ 0xc0000008, "EXCEPTION_INVALID_HANDLE" },
	{ 0xc000000d, "STATUS_INVALID_PARAMETER" },
	{ 0xc0000017, "STATUS_NO_MEMORY" },
	{ 0xc000001d, "EXCEPTION_ILLEGAL_INSTRUCTION" },
	{ 0xc0000025, "EXCEPTION_NONCONTINUABLE_EXCEPTION" },
	{ 0xc0000026, "EXCEPTION_INVALID_DISPOSITION" },
	{ 0xc000008c, "EXCEPTION_ARRAY_BOUNDS_EXCEEDED" },
	{ 0xc000008d, "EXCEPTION_FLT_DENORMAL_OPERAND" },
	{ 0xc000008e, "EXCEPTION_FLT_DIVIDE_BY_ZERO" },
	{ 0xc000008f, "EXCEPTION_FLT_INEXACT_RESULT" },
	{ 0xc0000090, "EXCEPTION_FLT_INVALID_OPERATION" },
	{ 0xc0000091, "EXCEPTION_FLT_OVERFLOW" },
	{ 0xc0000092, "EXCEPTION_FLT_STACK_CHECK" },
	{ 0xc0000093, "EXCEPTION_FLT_UNDERFLOW" },
	{ 0xc0000094, "EXCEPTION_INT_DIVIDE_BY_ZERO" },
	{ 0xc0000095, "EXCEPTION_INT_OVERFLOW" },
	{ 0xc0000096, "EXCEPTION_PRIV_INSTRUCTION" },
	{ 0xc00000fd, "EXCEPTION_STACK_OVERFLOW" },
	{ 0xc0000194, "EXCEPTION_POSSIBLE_DEADLOCK" },
	{ 0xc0000374, "STATUS_HEAP_CORRUPTION" },
	{ 0xc0000409, "STATUS_STACK_BUFFER_OVERRUN" },
	{ 0xc0000420, "STATUS_ASSERTION_FAILURE" },
	{ 0xe06d7363, "Unhandled C++ Exception" },
};
/* __fastfail codes (winnt.h FAST_FAIL_*), carried in the first parameter. */
static const name fast_fail[] = {
	{ 0, "FAST_FAIL_LEGACY_GS_VIOLATION" }, { 1, "FAST_FAIL_VTGUARD_CHECK_FAILURE" },
	{ 2, "FAST_FAIL_STACK_COOKIE_CHECK_FAILURE" }, { 3, "FAST_FAIL_CORRUPT_LIST_ENTRY" },
	{ 4, "FAST_FAIL_INCORRECT_STACK" }, { 5, "FAST_FAIL_INVALID_ARG" },
	{ 6, "FAST_FAIL_GS_COOKIE_INIT" }, { 7, "FAST_FAIL_FATAL_APP_EXIT" },
	{ 8, "FAST_FAIL_RANGE_CHECK_FAILURE" }, { 9, "FAST_FAIL_UNSAFE_REGISTRY_ACCESS" },
	{ 10, "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE" }, { 11, "FAST_FAIL_GUARD_WRITE_CHECK_FAILURE" },
	{ 12, "FAST_FAIL_INVALID_FIBER_SWITCH" }, { 13, "FAST_FAIL_INVALID_SET_OF_CONTEXT" },
	{ 14, "FAST_FAIL_INVALID_REFERENCE_COUNT" }, { 18, "FAST_FAIL_INVALID_JUMP_BUFFER" },
	{ 19, "FAST_FAIL_MRDATA_MODIFIED" }, { 20, "FAST_FAIL_CERTIFICATION_FAILURE" },
	{ 21, "FAST_FAIL_INVALID_EXCEPTION_CHAIN" }, { 22, "FAST_FAIL_CRYPTO_LIBRARY" },
	{ 23, "FAST_FAIL_INVALID_CALL_IN_DLL_CALLOUT" }, { 24, "FAST_FAIL_INVALID_IMAGE_BASE" },
	{ 25, "FAST_FAIL_DLOAD_PROTECTION_FAILURE" }, { 26, "FAST_FAIL_UNSAFE_EXTENSION_CALL" },
	{ 27, "FAST_FAIL_DEPRECATED_SERVICE_INVOKED" }, { 28, "FAST_FAIL_INVALID_BUFFER_ACCESS" },
	{ 29, "FAST_FAIL_INVALID_BALANCED_TREE" }, { 30, "FAST_FAIL_INVALID_NEXT_THREAD" },
	{ 31, "FAST_FAIL_GUARD_ICALL_CHECK_SUPPRESSED" }, { 32, "FAST_FAIL_APCS_DISABLED" },
	{ 33, "FAST_FAIL_INVALID_IDLE_STATE" }, { 34, "FAST_FAIL_MRDATA_PROTECTION_FAILURE" },
	{ 35, "FAST_FAIL_UNEXPECTED_HEAP_EXCEPTION" }, { 36, "FAST_FAIL_INVALID_LOCK_STATE" },
	{ 37, "FAST_FAIL_GUARD_JUMPTABLE" }, { 38, "FAST_FAIL_INVALID_LONGJUMP_TARGET" },
	{ 39, "FAST_FAIL_INVALID_DISPATCH_CONTEXT" }, { 40, "FAST_FAIL_INVALID_THREAD" },
	{ 41, "FAST_FAIL_INVALID_SYSCALL_NUMBER" }, { 42, "FAST_FAIL_INVALID_FILE_OPERATION" },
	{ 43, "FAST_FAIL_LPAC_ACCESS_DENIED" }, { 44, "FAST_FAIL_GUARD_SS_FAILURE" },
	{ 45, "FAST_FAIL_LOADER_CONTINUITY_FAILURE" }, { 46, "FAST_FAIL_GUARD_EXPORT_SUPPRESSION_FAILURE" },
	{ 47, "FAST_FAIL_INVALID_CONTROL_STACK" }, { 48, "FAST_FAIL_SET_CONTEXT_DENIED" },
	{ 49, "FAST_FAIL_INVALID_IAT" }, { 50, "FAST_FAIL_HEAP_METADATA_CORRUPTION" },
	{ 51, "FAST_FAIL_PAYLOAD_RESTRICTION_VIOLATION" }, { 52, "FAST_FAIL_LOW_LABEL_ACCESS_DENIED" },
	{ 53, "FAST_FAIL_ENCLAVE_CALL_FAILURE" }, { 54, "FAST_FAIL_UNHANDLED_LSS_EXCEPTON" },
	{ 55, "FAST_FAIL_ADMINLESS_ACCESS_DENIED" }, { 56, "FAST_FAIL_UNEXPECTED_CALL" },
	{ 57, "FAST_FAIL_CONTROL_INVALID_RETURN_ADDRESS" }, { 58, "FAST_FAIL_UNEXPECTED_HOST_BEHAVIOR" },
	{ 59, "FAST_FAIL_FLAGS_CORRUPTION" }, { 60, "FAST_FAIL_VEH_CORRUPTION" },
	{ 61, "FAST_FAIL_ETW_CORRUPTION" }, { 62, "FAST_FAIL_RIO_ABORT" },
	{ 63, "FAST_FAIL_INVALID_PFN" },
};

static void windows_reason(const md_exception *x, proc_reason *r)
{
	const char *n = LOOKUP(win_codes, x->code);
	if (x->code == 0xc0000005 || x->code == 0xc0000006) {
		/* params: access type (0 read, 1 write, 8 execute), data address */
		const char *access = "";
		if (x->nparams >= 1)
			access = x->params[0] == 0 ? "_READ" : x->params[0] == 1 ? "_WRITE"
				 : x->params[0] == 8 ? "_EXEC" : "";
		snprintf(r->text, sizeof r->text, "%s%s", n, access);
		if (x->nparams >= 2)
			r->address = x->params[1];
		return;
	}
	if (x->code == 0xc0000409 && x->nparams >= 1) {
		/* __fastfail(): the code, 32 bits of the first parameter */
		uint32_t code = (uint32_t)x->params[0];
		const char *ff = LOOKUP(fast_fail, (int64_t)code);
		if (ff)
			snprintf(r->text, sizeof r->text, "EXCEPTION_STACK_BUFFER_OVERRUN / %s", ff);
		else
			snprintf(r->text, sizeof r->text, "EXCEPTION_STACK_BUFFER_OVERRUN / 0x%08x", code);
		return;
	}
	if (n)
		snprintf(r->text, sizeof r->text, "%s", n);
	else
		snprintf(r->text, sizeof r->text, "unknown 0x%08x", x->code);
}

/* ---- macOS and iOS ----------------------------------------------------------- */
static const name mac_exceptions[] = {
	{ 1, "EXC_BAD_ACCESS" }, { 2, "EXC_BAD_INSTRUCTION" }, { 3, "EXC_ARITHMETIC" },
	{ 4, "EXC_EMULATION" }, { 5, "EXC_SOFTWARE" }, { 6, "EXC_BREAKPOINT" },
	{ 7, "EXC_SYSCALL" }, { 8, "EXC_MACH_SYSCALL" }, { 9, "EXC_RPC_ALERT" },
	{ 10, "EXC_CRASH" }, { 11, "EXC_RESOURCE" }, { 12, "EXC_GUARD" },
	{ 13, "EXC_CORPSE_NOTIFY" },
};
static const name kern_codes[] = {
	{ 1, "KERN_INVALID_ADDRESS" }, { 2, "KERN_PROTECTION_FAILURE" },
	{ 3, "KERN_NO_SPACE" }, { 4, "KERN_INVALID_ARGUMENT" }, { 5, "KERN_FAILURE" },
	{ 6, "KERN_RESOURCE_SHORTAGE" }, { 7, "KERN_NOT_RECEIVER" }, { 8, "KERN_NO_ACCESS" },
	{ 9, "KERN_MEMORY_FAILURE" }, { 10, "KERN_MEMORY_ERROR" },
	{ 0x101, "EXC_I386_GPFLT" }, /* x86: general protection fault */
	{ 0x102, "EXC_ARM_DA_ALIGN" }, { 0x103, "EXC_ARM_DA_DEBUG" },
};
static const name mac_x86_codes[] = {
	{ 1, "EXC_I386_INVOP" }, { 10, "EXC_I386_INVTSSFLT" }, { 11, "EXC_I386_SEGNPFLT" },
	{ 12, "EXC_I386_STKFLT" }, { 13, "EXC_I386_GPFLT" }, { 15, "EXC_I386_ALIGNFLT" },
	{ 16, "EXC_I386_DIV" }, { 17, "EXC_I386_INTO" }, { 18, "EXC_I386_NOEXT" },
	{ 19, "EXC_I386_EXTOVR" }, { 20, "EXC_I386_EXTERR" }, { 21, "EXC_I386_EMERR" },
	{ 22, "EXC_I386_BOUND" }, { 23, "EXC_I386_SSEEXTERR" }, { 3, "EXC_I386_BPT" },
};
static const name mac_arm_codes[] = {
	{ 1, "EXC_ARM_UNDEFINED" }, { 2, "EXC_ARM_FP_UNDEFINED" }, { 0x102, "EXC_ARM_DA_ALIGN" },
	{ 0x103, "EXC_ARM_DA_DEBUG" }, { 0x101, "EXC_ARM_SP_ALIGN" }, { 0x104, "EXC_ARM_SWP" },
	{ 0x105, "EXC_ARM_PAC_FAIL" }, { 0x200, "EXC_ARM_BREAKPOINT" },
};

static void mac_reason(const md_dump *d, const md_exception *x, proc_reason *r)
{
	/* Breakpad's marker for an uncaught NSException, in rust-minidump's
	 * words; Crashpad's ("CPnx") is a code rust-minidump does not know. */
	if (x->code == 0xdeadc0de) {
		snprintf(r->text, sizeof r->text, "UNCAUGHT_NS_EXCEPTION / 0x%08x", x->flags);
		return;
	}
	const char *exc = LOOKUP(mac_exceptions, x->code);
	if (!exc) {
		snprintf(r->text, sizeof r->text, "unknown 0x%08x / 0x%08x", x->code, x->flags);
		return;
	}
	int arm = d->sysinfo.cpu == MD_CPU_ARM || d->sysinfo.cpu == MD_CPU_ARM64;
	const char *code = NULL;
	if (x->code == 1) /* EXC_BAD_ACCESS: a kern_return_t, or a CPU code */
		code = LOOKUP(kern_codes, x->flags);
	if (!code && (x->code == 1 || x->code == 2 || x->code == 3 || x->code == 6))
		code = arm ? LOOKUP(mac_arm_codes, x->flags) : LOOKUP(mac_x86_codes, x->flags);
	if (code)
		snprintf(r->text, sizeof r->text, "%s / %s", exc, code);
	else
		snprintf(r->text, sizeof r->text, "%s / 0x%08x", exc, x->flags);
}

void proc_crash_reason(const md_dump *d, proc_reason *r)
{
	memset(r, 0, sizeof *r);
	if (d->exception_state == MD_STREAM_ABSENT || d->exception_state == MD_STREAM_BAD) {
		snprintf(r->text, sizeof r->text, "No crash");
		return;
	}
	const md_exception *x = &d->exception;
	r->has_exception = 1;
	r->address = x->address;
	switch (d->sysinfo.platform) {
	case 0: case 1: case 2: case 3:
		windows_reason(x, r);
		break;
	case 0x8101: case 0x8102:
		mac_reason(d, x, r);
		break;
	case 0x8201: case 0x8203:
		linux_reason(x, r);
		break;
	default:
		snprintf(r->text, sizeof r->text, "unknown 0x%08x / 0x%08x", x->code, x->flags);
	}
	/* Addresses of 32-bit processes are 32 bits, whatever the field holds. */
	if (d->sysinfo.cpu == MD_CPU_X86 || d->sysinfo.cpu == MD_CPU_ARM)
		r->address &= 0xffffffffu;
}

int proc_assertion(const md_dump *d, char *buf, size_t size)
{
	buf[0] = 0;
	if (d->assertion_state != MD_STREAM_OK && d->assertion_state != MD_STREAM_PARTIAL)
		return 0;
	const md_assertion *a = &d->assertion;
	char kind[64];
	if (a->type == 1)
		snprintf(kind, sizeof kind, "Invalid parameter passed to library function");
	else if (a->type == 2)
		snprintf(kind, sizeof kind, "Pure virtual function called");
	else
		snprintf(kind, sizeof kind, "Unknown assertion type 0x%08x", a->type);
	snprintf(buf, size, "%s %s in function %s, in file %s at line %u", kind, a->expression,
		 a->function, a->file, a->line);
	return 1;
}
