/*
 * signature.h - Socorro-compatible crash signatures with a frame-by-frame
 * explanation.
 *
 * The pipeline is Socorro's default rule set (socorro/signature/), rule by
 * rule and in its order: the signature from the stack (C/C++/Rust frames
 * normalized and matched against the lists; Java stack traces and Java
 * exceptions), then the rules driven by annotations (stackwalker errors,
 * bad hardware, OOM, abort messages, shutdown timeouts, shutdown hangs, IPC
 * errors, stack overflows, hangs), and the final clean-up (printable
 * characters only, whitespace, 255 characters).
 *
 * Lists are read from a directory in Socorro's formats (one regex per
 * line, `#` comments) or from the copy of data/siglists/ built into the
 * binary. Regexes are written in Python's dialect and compiled with PCRE2
 * (UTF + UCP, so \w and \d are Unicode-aware as in Python's re; \Z, \u and
 * \U are translated). The irrelevant, prefix and line-number lists are
 * matched at the start of a frame (Python's re.match), sentinels compared
 * whole. An invalid regex is reported with its file and line and skipped.
 *
 * Input is JSON text: Socorro's processed crash (json_dump + annotation
 * fields), siggen's crash data, crashdesk's `walk --json` document (with
 * its `annotations`), or a conformance case ({"input": ...}); the kind is
 * detected. JSON is parsed by a small parser of this module (jansson is
 * several times slower, and signing a corpus is mostly parsing).
 */
#ifndef CD_SIGNATURE_H
#define CD_SIGNATURE_H

#include <stddef.h>

#include "../util/util.h"

enum {
	SIG_MAX_LENGTH = 255,  /* longer signatures are cut to 252 + "..." */
	SIG_MAX_FRAMES = 40,   /* frames (inlines included) normalized and considered */
};

/* The four lists, in the order of sig_list_names[]. */
typedef enum sig_list_id {
	SIG_LIST_IRRELEVANT,
	SIG_LIST_PREFIX,
	SIG_LIST_LINE_NUMBERS,
	SIG_LIST_SENTINELS,
	SIG_NLISTS,
	SIG_LIST_NONE = -1,
} sig_list_id;

/* "irrelevant_signature_re.txt", ... indexed by sig_list_id. */
extern const char *const sig_list_names[SIG_NLISTS];

typedef struct sig_lists sig_lists;

/* Loads the four lists from dir (NULL: the built-in defaults, made from
 * data/siglists/ at build time). A missing file or one that is not UTF-8
 * fails; an invalid regex does not: it is skipped and described in the
 * warnings (sig_lists_warning). The caller frees *out with sig_lists_free. */
int sig_lists_load(const char *dir, sig_lists **out, cd_err *e);
/* The same from four texts in memory (fuzzing, tests, the TUI's edited
 * copy); dir_label names the directory in messages (NULL: "(built-in)"). */
int sig_lists_load_mem(const char *const texts[SIG_NLISTS], const size_t lens[SIG_NLISTS],
		       const char *dir_label, sig_lists **out, cd_err *e);
/* Warnings of the load: "DIR/irrelevant_signature_re.txt:12: invalid regex
 * (...): missing closing parenthesis at offset 4; skipped". Borrowed. */
size_t sig_lists_nwarnings(const sig_lists *l);
const char *sig_lists_warning(const sig_lists *l, size_t i);
/* The directory the lists came from, or "(built-in)". Borrowed. */
const char *sig_lists_source(const sig_lists *l);
void sig_lists_free(sig_lists *l);
/* Writes the built-in lists into dir (created 0700 when missing), each file
 * under a temporary name and then renamed: a copy to edit. */
int sig_lists_write_builtin(const char *dir, cd_err *e);

/* What happened to one frame of the stack the signature was made from. */
typedef enum sig_fate {
	SIG_FATE_KEPT,            /* in the signature; not a prefix, so it ended it */
	SIG_FATE_PREFIX,          /* in the signature; a prefix, so the next frame was looked at */
	SIG_FATE_SENTINEL,        /* a sentinel: the signature starts here (prefix says if it went on) */
	SIG_FATE_IRRELEVANT,      /* skipped: matched the irrelevant list */
	SIG_FATE_EMPTY,           /* skipped: nothing to name it by */
	SIG_FATE_REPEAT,          /* skipped: the same library as the frame kept before it */
	SIG_FATE_BEFORE_SENTINEL, /* skipped: above the sentinel the signature starts at */
	SIG_FATE_NOT_REACHED,     /* below the frame that ended the signature */
	SIG_FATE_BEYOND,          /* past the SIG_MAX_FRAMES frames considered */
	SIG_FATE_FALLBACK,        /* every frame was skipped: this first one is the signature */
	SIG_FATE_CUT,             /* in the signature, but cut by the 255-character limit */
} sig_fate;

/* A short word for a fate ("kept", "prefix", "sentinel", ...). */
const char *sig_fate_name(sig_fate f);

/* A list line that decided something. */
typedef struct sig_match {
	sig_list_id list;  /* SIG_LIST_NONE: no list decided */
	int line;          /* 1-based line in the list file */
	const char *regex; /* the line's text; borrowed from the sig_lists */
} sig_match;

typedef struct sig_frame {
	int frame;              /* index of the frame in the thread's frames */
	int inline_index;       /* -1 for the frame itself, else which of its inlines */
	const char *function;   /* raw function, or NULL */
	const char *module;     /* raw module, or NULL */
	const char *normalized; /* what the lists saw ("" when nothing to name it by) */
	sig_fate fate;
	int prefix;             /* for SIG_FATE_SENTINEL and SIG_FATE_CUT: also a prefix */
	sig_match match;        /* the list line behind the fate */
	sig_match line_number;  /* the line-number list line that added ":LINE" */
} sig_frame;

typedef struct sig_result {
	const char *signature;
	const char *const *notes;     /* Socorro's notes ("Rule: text"), in order */
	size_t nnotes;
	const char *const *debug_log; /* Socorro's debug log */
	size_t ndebug;
	/* The explanation. tool: "c", "java", "java_exception" or "" (no stack
	 * rule ran); thread: the thread whose frames are below (-1: none);
	 * rule: the rule that set the final signature. */
	const char *tool;
	int thread;
	const char *rule;
	const sig_frame *frames;
	size_t nframes;
	size_t frames_omitted;        /* frames past the explanation's cap, not listed */
	const char *input_kind;       /* "processed", "crash_data", "walk", "case" */
	/* \u0000 escapes in the input's strings: each string ends at its
	 * first, where Socorro's Python strings go on, so the signature may
	 * differ from Socorro's; first_nul is the first one's byte offset. */
	size_t nul_escapes, first_nul;
} sig_result;

/* A signer: the lists (borrowed, must outlive it) and the memory one
 * signature needs, reused from one input to the next. A sig_lists is
 * read-only once loaded, so one set may serve signers on several threads;
 * a signer belongs to one thread at a time. */
typedef struct sig_signer sig_signer;
int sig_signer_new(const sig_lists *lists, sig_signer **out, cd_err *e);
void sig_signer_free(sig_signer *s);

/* Signs one JSON document (text of len bytes). On success *out points into
 * the signer and stays valid until the next call or sig_signer_free. Fails
 * (CD_EFORMAT, message with the byte offset) only when the text is not
 * JSON in UTF-8 or not an object; missing fields and wrong types are what
 * Socorro makes of them (its notes say so). */
int sig_sign_json(sig_signer *s, const char *text, size_t len, const sig_result **out,
		  cd_err *e);

/* The explanation as a JSON object: {"signature", "notes", "explanation":
 * {"rule", "tool", "thread", "frames": [...]}} on one line, appended to b. */
int sig_result_json(const sig_result *r, cd_buf *b);
/* The frame table for people, appended to b. */
int sig_result_table(const sig_result *r, cd_buf *b);

/* ---- re-signing a corpus with two sets of lists (crashdesk resig) ---- */

typedef struct sig_resig sig_resig;

/* One old -> new pair of signatures, with the inputs (the numbers given
 * to sig_resig_add) that made it. Borrowed from the sig_resig. */
typedef struct sig_resig_pair {
	const char *old_sig, *new_sig;
	size_t count;
	const size_t *inputs; /* count of them, in the order added */
} sig_resig_pair;

/* A merge (several old signatures become signature) or a split (the old
 * signature becomes several): its pairs, most crashes first. */
typedef struct sig_resig_bucket {
	const char *signature;
	size_t total;             /* crashes in all its pairs */
	sig_resig_pair *pairs;
	size_t npairs;
} sig_resig_bucket;

typedef struct sig_resig_report {
	size_t total;             /* inputs signed */
	size_t changed;           /* of them, with another signature */
	size_t failed;            /* inputs that could not be read */
	sig_resig_pair *changes;  /* the pairs with old != new, most crashes first */
	size_t nchanges;
	sig_resig_bucket *merged; /* new signatures with several old ones, biggest first */
	size_t nmerged;
	sig_resig_bucket *split;  /* old signatures with several new ones, biggest first */
	size_t nsplit;
} sig_resig_report;

/* baseline and lists are borrowed and must outlive the sig_resig. */
int sig_resig_new(const sig_lists *baseline, const sig_lists *lists, sig_resig **out, cd_err *e);
/* Signs one JSON document with both sets; input is the caller's number
 * for it (kept in the pairs so a UI can list a bucket's crashes). */
int sig_resig_add(sig_resig *r, const char *text, size_t len, size_t input, cd_err *e);
/* The comparison so far; valid until the next sig_resig_add or free. */
int sig_resig_report_get(sig_resig *r, const sig_resig_report **out, cd_err *e);
void sig_resig_free(sig_resig *r);

#endif
