/* internal.h - shared between the files of src/signature/. */
#ifndef CD_SIGNATURE_INTERNAL_H
#define CD_SIGNATURE_INTERNAL_H

#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "signature.h"

/* ---- a bump allocator reset between inputs ---------------------------- */
typedef struct sig__chunk sig__chunk;
typedef struct sig__mem {
	sig__chunk *head;
	size_t used, limit; /* limit: bytes one input may take */
} sig__mem;
void *sig__alloc(sig__mem *m, size_t n);
char *sig__strndup(sig__mem *m, const char *s, size_t n);
void sig__mem_reset(sig__mem *m); /* keeps the first chunk */
void sig__mem_free(sig__mem *m);

/* ---- JSON ------------------------------------------------------------- */
typedef enum { SJ_NULL, SJ_FALSE, SJ_TRUE, SJ_INT, SJ_REAL, SJ_STR, SJ_ARR, SJ_OBJ } sj_type;
typedef struct sj {
	uint8_t type;
	uint32_t n;          /* STR: bytes; ARR: items; OBJ: members; numbers: text length */
	const char *s;       /* STR: UTF-8, NUL-terminated; numbers: their text */
	struct sj *kids;     /* ARR: n items; OBJ: 2n (key, value) */
} sj;

typedef struct sj_parser {
	sj *stack;
	size_t nstack, cap;
	/* Errors worded as Python's json module words them (the shutdown
	 * timeout rule quotes them): msg and the character index. */
	const char *emsg;
	size_t epos;      /* byte offset */
	size_t max_depth;
	/* \u0000 escapes met: strings are C strings and end there. */
	size_t nuls, first_nul; /* count; byte offset of the first */
} sj_parser;

/* Parses text into m. Returns NULL on error (p->emsg, p->epos). */
sj *sj_parse(sj_parser *p, sig__mem *m, const char *text, size_t len);
void sj_parser_free(sj_parser *p);
/* Python's "line L column C (char P)" for a byte offset of text. */
void sj_python_pos(const char *text, size_t len, size_t pos, char *buf, size_t size);

const sj *sj_get(const sj *o, const char *key);  /* NULL when absent or o is no object */
int sj_truthy(const sj *v);                      /* Python's bool() */
/* Python's str() of the value, into m. */
const char *sj_pystr(const sj *v, sig__mem *m);
const char *sj_typename(const sj *v); /* Python's type name */

/* ---- lists ------------------------------------------------------------ */
typedef struct sig__list {
	char **lines;       /* the regexes (sentinels: the strings) kept */
	int *lineno;        /* their 1-based line numbers */
	size_t *len;        /* their lengths */
	size_t n;
	pcre2_code *re;     /* the lines as one anchored alternation with marks, or NULL */
} sig__list;

struct sig_lists {
	sig__list list[SIG_NLISTS];
	char *source;
	char **warnings;
	size_t nwarnings;
};

/* Whether subject starts with a match of list id (Python's re.match of
 * the joined list); *which is the first matching line's index. */
int sig__list_match(const sig_lists *l, sig_list_id id, pcre2_match_data *md,
		    const char *subject, size_t len, size_t *which);

/* ---- normalization ---------------------------------------------------- */
typedef struct sig__str {
	char *p;
	size_t n, cap;
} sig__str;

typedef struct sig__norm {
	const sig_lists *lists;
	pcre2_match_data *md;
	sig__mem *mem;
	sig__str a, b; /* scratch */
	int line_number_line; /* out: index of the line-number list line applied, or -1 */
	char err[160];
} sig__norm;

/* normalize_frame(): function, file, line (Python str of it), module,
 * offset and the first unloaded module's name. Result in nm->mem. */
const char *sig__normalize_frame(sig__norm *nm, const sj *function, const sj *file,
				 const sj *line, const sj *module, const sj *offset,
				 const sj *unloaded, const char **err);
const char *sig__normalize_function(sig__norm *nm, const char *function, int rust,
				    const char *line);
/* utils.py's parse_source_file(); returns a pointer into s and its length, or NULL. */
const char *sig__parse_source_file(const char *s, size_t *len);
/* Python's str.strip() bounds over UTF-8. */
void sig__pystrip(const char *s, size_t n, size_t *start, size_t *end);
/* Python's hex(int(text, 16)), or NULL when text is no hex number. */
const char *sig__strip_leading_zeros(const char *text, sig__mem *m);

#endif
