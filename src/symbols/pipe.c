/*
 * pipe.c - parsing on a second thread: sym__parse_threaded() runs
 * sym_parse() on a worker that packs every record into batches, and
 * replays them into the caller's sink on the calling thread, in order.
 * The two threads share the work: the worker reads and splits the text
 * and parses what is not a line record; line records (most of a file)
 * are parsed by whichever side has time, decided batch by batch from how
 * many batches wait (see push()). Memory: PIPE_BATCHES batches of
 * PIPE_BATCH bytes (one grows when a single record is larger).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PIPE_BATCHES 8
#define PIPE_BATCH (1u << 20)
/* A sleeping side is woken only once the other has half the ring to give
 * (or is done): one sleep per few megabytes, not one per batch, which on
 * two cores cost more in wake-ups than it gained in overlap. */
#define PIPE_WAKE (PIPE_BATCHES / 2)

typedef struct batch {
	uint8_t *p;
	size_t len, cap;
} batch;

/* A record in a batch: this header, the payload, padding to 8 bytes. */
typedef struct rec_head {
	uint32_t kind, size; /* size of the payload */
	uint64_t line;
} rec_head;

enum { P_MODULE, P_INFO, P_FILE, P_ORIGIN, P_FUNC, P_LINE, P_INLINE, P_PUBLIC, P_CFI_INIT,
       P_CFI, P_WIN, P_DIAG, P_LINE_RUN, P_TEXT };

/* Records with a name start with a uint64_t whose low half is the name's
 * hash (0 without a prefetch hook), for the reader's prefetch. P_LINE_RUN:
 * sym_line_rec[] on consecutive lines from rec_head.line; P_TEXT: lines
 * for sym__parse_text(). */
#define PREFETCH_AHEAD 16
#define NAMED(kind) ((kind) == P_FUNC || (kind) == P_FILE || (kind) == P_ORIGIN || (kind) == P_PUBLIC)

typedef struct pipe_ctx {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	batch b[PIPE_BATCHES];
	unsigned wi, ri, filled; /* ring of filled batches [ri, ri + filled) */
	int done;                /* the worker has pushed its last batch */
	int reader_waits, writer_waits;
	int oom;                 /* a record was lost for want of memory */
	/* the worker's parse */
	const sym__build_hooks *hooks;
	int text_mode;           /* SYM_TEXT_* */
	int offload;             /* hand line records over as text */
	sym_counts text_counts;  /* what the reader's sym__parse_text() counted */
	const char *path;
	sym_counts *counts;
	cd_err *e;
	int rc;
} pipe_ctx;

/* ---- the worker's side ------------------------------------------------------ */

/* Hands the batch being written to the reader and waits for a free one. */
static void push(pipe_ctx *q)
{
	pthread_mutex_lock(&q->mu);
	q->filled++;
	q->wi = (q->wi + 1) % PIPE_BATCHES;
	if (q->reader_waits && q->filled >= PIPE_WAKE)
		pthread_cond_broadcast(&q->cv);
	while (q->filled == PIPE_BATCHES) {
		q->writer_waits = 1;
		pthread_cond_wait(&q->cv, &q->mu);
	}
	q->writer_waits = 0;
	/* Few batches waiting: the reader keeps up and can take a share of
	 * the parsing. Many: it is the slower side, so this one parses. */
	q->offload = q->text_mode == SYM_TEXT_CALLER ||
		     (q->text_mode == SYM_TEXT_AUTO && q->filled < PIPE_WAKE);
	pthread_mutex_unlock(&q->mu);
	q->b[q->wi].len = 0;
}

/* Room for a record of payload size n in the batch being written; NULL
 * when a batch cannot be grown to hold it. */
static uint8_t *reserve(pipe_ctx *q, uint32_t kind, uint64_t line, size_t n)
{
	size_t need = sizeof(rec_head) + ((n + 7) & ~(size_t)7);
	batch *b = &q->b[q->wi];
	if (b->cap - b->len < need && b->len) {
		push(q);
		b = &q->b[q->wi];
	}
	if (b->cap < need) {
		uint8_t *p = realloc(b->p, need);
		if (!p) {
			q->oom = 1;
			return NULL;
		}
		b->p = p;
		b->cap = need;
	}
	rec_head *h = (rec_head *)(b->p + b->len);
	h->kind = kind;
	h->size = (uint32_t)n;
	h->line = line;
	b->len += need;
	return (uint8_t *)(h + 1);
}

/* Copies strings after a fixed part: each as a uint32 length and bytes. */
static void put_str(uint8_t **p, const char *s, size_t n)
{
	uint32_t k = (uint32_t)n;
	memcpy(*p, &k, 4);
	if (n)
		memcpy(*p + 4, s, n);
	*p += 4 + n;
}

/* The hash word of a named record. */
static void put_hash(pipe_ctx *q, uint8_t **p, const char *s, size_t n)
{
	uint64_t h = 0;
	if (q->hooks && q->hooks->prefetch) {
		const char *nul = memchr(s, 0, n);
		h = (uint32_t)sym__hash(s, nul ? (size_t)(nul - s) : n);
	}
	memcpy(*p, &h, 8);
	*p += 8;
}

static void w_module(void *ctx, uint64_t line, const char *os, const char *arch, const char *id,
		     const char *name)
{
	size_t a = strlen(os), b = strlen(arch), c = strlen(id), d = strlen(name);
	uint8_t *p = reserve(ctx, P_MODULE, line, 16 + a + b + c + d);
	if (!p)
		return;
	put_str(&p, os, a);
	put_str(&p, arch, b);
	put_str(&p, id, c);
	put_str(&p, name, d);
}

static void w_info(void *ctx, uint64_t line, const char *key, const char *value)
{
	size_t a = strlen(key), b = strlen(value);
	uint8_t *p = reserve(ctx, P_INFO, line, 8 + a + b);
	if (!p)
		return;
	put_str(&p, key, a);
	put_str(&p, value, b);
}

static void w_file(void *ctx, uint64_t line, int64_t id, const char *name, size_t len)
{
	uint8_t *p = reserve(ctx, P_FILE, line, 8 + 8 + 4 + len);
	if (!p)
		return;
	put_hash(ctx, &p, name, len);
	memcpy(p, &id, 8);
	p += 8;
	put_str(&p, name, len);
}

static void w_origin(void *ctx, uint64_t line, uint64_t id, const char *name, size_t len)
{
	uint8_t *p = reserve(ctx, P_ORIGIN, line, 8 + 8 + 4 + len);
	if (!p)
		return;
	put_hash(ctx, &p, name, len);
	memcpy(p, &id, 8);
	p += 8;
	put_str(&p, name, len);
}

static void w_func(void *ctx, uint64_t line, const sym_func_rec *f)
{
	pipe_ctx *q = ctx;
	uint8_t *p = reserve(ctx, P_FUNC, line, 8 + sizeof *f + 4 + f->name_len);
	if (!p)
		return;
	put_hash(q, &p, f->name, f->name_len);
	memcpy(p, f, sizeof *f);
	p += sizeof *f;
	put_str(&p, f->name, f->name_len);
}

static void w_line(void *ctx, uint64_t line, const sym_line_rec *l)
{
	pipe_ctx *q = ctx;
	batch *b = &q->b[q->wi];
	enum { NEED = sizeof(rec_head) + sizeof *l };
	if (b->cap - b->len < NEED) {
		uint8_t *p = reserve(q, P_LINE, line, sizeof *l);
		if (p)
			memcpy(p, l, sizeof *l);
		return;
	}
	/* The hot path: no size arithmetic, one header and one struct. */
	rec_head h = { P_LINE, sizeof *l, line };
	memcpy(b->p + b->len, &h, sizeof h);
	memcpy(b->p + b->len + sizeof h, l, sizeof *l);
	b->len += NEED;
}

/* A run of line records on consecutive lines: one header for all. */
static void w_lines(void *ctx, uint64_t first, const sym_line_rec *l, size_t n)
{
	uint8_t *p = reserve(ctx, P_LINE_RUN, first, n * sizeof *l);
	if (p)
		memcpy(p, l, n * sizeof *l);
}

static int w_want_text(void *ctx)
{
	return ((pipe_ctx *)ctx)->offload;
}

static void w_text(void *ctx, uint64_t first, const char *text, size_t len)
{
	uint8_t *p = reserve(ctx, P_TEXT, first, len);
	if (p)
		memcpy(p, text, len);
}

/* The fixed part, then the ranges (8-byte aligned in the batch: read in
 * place). */
static void w_inline(void *ctx, uint64_t line, const sym_inline_rec *r)
{
	size_t n = sizeof *r + (size_t)r->nranges * sizeof r->ranges[0];
	uint8_t *p = reserve(ctx, P_INLINE, line, n);
	if (p) {
		memcpy(p, r, sizeof *r);
		if (r->nranges)
			memcpy(p + sizeof *r, r->ranges, (size_t)r->nranges * sizeof r->ranges[0]);
	}
}

typedef struct pub_fixed {
	uint64_t addr, param;
	int64_t multiple;
} pub_fixed;

static void w_public(void *ctx, uint64_t line, uint64_t addr, uint64_t param, int multiple,
		     const char *name, size_t len)
{
	uint8_t *p = reserve(ctx, P_PUBLIC, line, 8 + sizeof(pub_fixed) + 4 + len);
	if (!p)
		return;
	put_hash(ctx, &p, name, len);
	pub_fixed f = { addr, param, multiple };
	memcpy(p, &f, sizeof f);
	p += sizeof f;
	put_str(&p, name, len);
}

static void w_cfi_init(void *ctx, uint64_t line, uint64_t addr, uint64_t size, const char *rules,
		       size_t len)
{
	uint8_t *p = reserve(ctx, P_CFI_INIT, line, 16 + 4 + len);
	if (!p)
		return;
	memcpy(p, &addr, 8);
	memcpy(p + 8, &size, 8);
	p += 16;
	put_str(&p, rules, len);
}

static void w_cfi(void *ctx, uint64_t line, uint64_t addr, const char *rules, size_t len)
{
	uint8_t *p = reserve(ctx, P_CFI, line, 8 + 4 + len);
	if (!p)
		return;
	memcpy(p, &addr, 8);
	p += 8;
	put_str(&p, rules, len);
}

static void w_win(void *ctx, uint64_t line, const sym_win_rec *w)
{
	size_t n = w->has_program ? w->program_len : 0;
	uint8_t *p = reserve(ctx, P_WIN, line, sizeof *w + 4 + n);
	if (!p)
		return;
	memcpy(p, w, sizeof *w);
	p += sizeof *w;
	put_str(&p, w->program, n);
}

static void w_diag(void *ctx, uint64_t line, int damaged, const char *message)
{
	size_t n = strlen(message);
	uint8_t *p = reserve(ctx, P_DIAG, line, 8 + 4 + n);
	if (!p)
		return;
	int64_t d = damaged;
	memcpy(p, &d, 8);
	p += 8;
	put_str(&p, message, n);
}

static void *worker(void *arg)
{
	pipe_ctx *q = arg;
	sym_sink sink = {
		.ctx = q, .module = w_module, .info = w_info, .file = w_file, .origin = w_origin,
		.func = w_func, .line_rec = w_line, .line_recs = w_lines, .inline_rec = w_inline, .public_rec = w_public,
		.cfi_init = w_cfi_init, .cfi = w_cfi, .win = w_win, .diag = w_diag,
	};
	sym__split split = { .ctx = q, .want_text = w_want_text, .text = w_text };
	q->rc = sym__parse_split(q->path, &sink, &split, q->counts, q->e);
	pthread_mutex_lock(&q->mu);
	if (q->b[q->wi].len) {
		q->filled++;
		q->wi = (q->wi + 1) % PIPE_BATCHES;
	}
	q->done = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* ---- the reader's side ---------------------------------------------------------- */

/* Reads a string written by put_str; it stays in the batch, which lives
 * until the record has been replayed. NUL-terminated copies are made only
 * for the callbacks that take C strings. */
static const char *get_str(const uint8_t **p, size_t *n)
{
	uint32_t k;
	memcpy(&k, *p, 4);
	const char *s = (const char *)*p + 4;
	*p += 4 + k;
	*n = k;
	return s;
}

/* C-string callbacks (MODULE, INFO, diagnostics) are rare: copied. */
static char *dup_str(const uint8_t **p)
{
	size_t n;
	const char *s = get_str(p, &n);
	char *c = malloc(n + 1);
	if (c) {
		memcpy(c, s, n);
		c[n] = 0;
	}
	return c;
}

static void replay(const sym_sink *k, const sym__build_hooks *hk, sym_counts *tc, const uint8_t *p,
		   size_t len)
{
	const uint8_t *end = p + len;
	/* A second cursor runs PREFETCH_AHEAD named records ahead, asking for
	 * their string table slots: near enough to stay cached, far enough
	 * for the memory to answer before they are interned. */
	const uint8_t *ahead = p;
	size_t named = 0, fetched = 0;
	int prefetch = hk && hk->prefetch;
	while (p < end) {
		rec_head h;
		memcpy(&h, p, sizeof h);
		const uint8_t *d = p + sizeof h;
		p = d + ((h.size + 7) & ~(size_t)7);
		size_t n;
		if (NAMED(h.kind)) {
			d += 8;
			named++;
			while (prefetch && fetched < named + PREFETCH_AHEAD && ahead < end) {
				rec_head ah;
				memcpy(&ah, ahead, sizeof ah);
				if (NAMED(ah.kind)) {
					uint32_t hash;
					memcpy(&hash, ahead + sizeof ah, 4);
					hk->prefetch(k->ctx, hash);
					fetched++;
				}
				ahead += sizeof ah + ((ah.size + 7) & ~(size_t)7);
			}
		}
		switch (h.kind) {
		case P_LINE_RUN: {
			/* 8-byte aligned in the batch: used in place */
			const sym_line_rec *l = (const sym_line_rec *)(const void *)d;
			size_t nl = h.size / sizeof *l;
			if (k->line_recs)
				k->line_recs(k->ctx, h.line, l, nl);
			else if (k->line_rec)
				for (size_t i = 0; i < nl; i++)
					k->line_rec(k->ctx, h.line + i, &l[i]);
			break;
		}
		case P_TEXT:
			sym__parse_text(k, tc, h.line, (const char *)d, h.size);
			break;
		case P_LINE: {
			sym_line_rec l;
			memcpy(&l, d, sizeof l);
			if (k->line_rec)
				k->line_rec(k->ctx, h.line, &l);
			break;
		}
		case P_FUNC: {
			sym_func_rec f;
			memcpy(&f, d, sizeof f);
			d += sizeof f;
			f.name = get_str(&d, &f.name_len);
			if (k->func)
				k->func(k->ctx, h.line, &f);
			break;
		}
		case P_CFI: {
			uint64_t addr;
			memcpy(&addr, d, 8);
			d += 8;
			const char *r = get_str(&d, &n);
			if (k->cfi)
				k->cfi(k->ctx, h.line, addr, r, n);
			break;
		}
		case P_CFI_INIT: {
			uint64_t addr, size;
			memcpy(&addr, d, 8);
			memcpy(&size, d + 8, 8);
			d += 16;
			const char *r = get_str(&d, &n);
			if (k->cfi_init)
				k->cfi_init(k->ctx, h.line, addr, size, r, n);
			break;
		}
		case P_INLINE: {
			sym_inline_rec r;
			memcpy(&r, d, sizeof r);
			r.ranges = (const sym_range *)(const void *)(d + sizeof r);
			if (k->inline_rec)
				k->inline_rec(k->ctx, h.line, &r);
			break;
		}
		case P_FILE: {
			int64_t id;
			memcpy(&id, d, 8);
			d += 8;
			const char *s = get_str(&d, &n);
			if (k->file)
				k->file(k->ctx, h.line, id, s, n);
			break;
		}
		case P_ORIGIN: {
			uint64_t id;
			memcpy(&id, d, 8);
			d += 8;
			const char *s = get_str(&d, &n);
			if (k->origin)
				k->origin(k->ctx, h.line, id, s, n);
			break;
		}
		case P_PUBLIC: {
			pub_fixed f;
			memcpy(&f, d, sizeof f);
			d += sizeof f;
			const char *s = get_str(&d, &n);
			if (k->public_rec)
				k->public_rec(k->ctx, h.line, f.addr, f.param, (int)f.multiple, s, n);
			break;
		}
		case P_WIN: {
			sym_win_rec w;
			memcpy(&w, d, sizeof w);
			d += sizeof w;
			w.program = get_str(&d, &w.program_len);
			if (k->win)
				k->win(k->ctx, h.line, &w);
			break;
		}
		case P_MODULE: {
			char *s[4];
			for (int i = 0; i < 4; i++)
				s[i] = dup_str(&d);
			if (k->module && s[0] && s[1] && s[2] && s[3])
				k->module(k->ctx, h.line, s[0], s[1], s[2], s[3]);
			for (int i = 0; i < 4; i++)
				free(s[i]);
			break;
		}
		case P_INFO: {
			char *key = dup_str(&d), *val = dup_str(&d);
			if (k->info && key && val)
				k->info(k->ctx, h.line, key, val);
			free(key);
			free(val);
			break;
		}
		case P_DIAG: {
			int64_t damaged;
			memcpy(&damaged, d, 8);
			d += 8;
			char *m = dup_str(&d);
			if (k->diag && m)
				k->diag(k->ctx, h.line, (int)damaged, m);
			free(m);
			break;
		}
		}
	}
}

int sym__parse_threaded(const char *path, const sym_sink *sink, const sym__build_hooks *hooks,
			sym_counts *counts, cd_err *e)
{
	pipe_ctx *q = calloc(1, sizeof *q);
	if (!q)
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	int ok = 1;
	for (int i = 0; i < PIPE_BATCHES; i++) {
		q->b[i].p = malloc(PIPE_BATCH);
		q->b[i].cap = PIPE_BATCH;
		ok &= q->b[i].p != NULL;
	}
	pthread_t t;
	int mu = ok && pthread_mutex_init(&q->mu, NULL) == 0;
	int cv = mu && pthread_cond_init(&q->cv, NULL) == 0;
	q->path = path;
	q->hooks = hooks;
	q->text_mode = hooks ? hooks->text : SYM_TEXT_PARSER;
	q->offload = q->text_mode == SYM_TEXT_CALLER;
	q->counts = counts;
	q->e = e;
	int rc;
	if (!cv || pthread_create(&t, NULL, worker, q) != 0) {
		/* No second thread: the same parse, on this one. */
		rc = sym_parse(path, sink, counts, e);
	} else {
		for (;;) {
			pthread_mutex_lock(&q->mu);
			if (!q->filled && !q->done) {
				q->reader_waits = 1;
				while (q->filled < PIPE_WAKE && !q->done)
					pthread_cond_wait(&q->cv, &q->mu);
				q->reader_waits = 0;
			}
			int have = q->filled > 0;
			pthread_mutex_unlock(&q->mu);
			if (!have)
				break;
			batch *b = &q->b[q->ri];
			replay(sink, hooks, &q->text_counts, b->p, b->len);
			pthread_mutex_lock(&q->mu);
			q->filled--;
			q->ri = (q->ri + 1) % PIPE_BATCHES;
			if (q->writer_waits && q->filled <= PIPE_BATCHES - PIPE_WAKE)
				pthread_cond_broadcast(&q->cv);
			pthread_mutex_unlock(&q->mu);
		}
		pthread_join(t, NULL);
		for (int i = 0; i < SYM_R_COUNT; i++) {
			counts->records[i] += q->text_counts.records[i];
			counts->bytes[i] += q->text_counts.bytes[i];
		}
		counts->damaged_lines += q->text_counts.damaged_lines;
		counts->repaired_lines += q->text_counts.repaired_lines;
		rc = q->rc;
		if (rc == CD_OK && q->oom)
			rc = cd_errf(e, CD_ENOMEM, "%s: out of memory while parsing", path);
	}
	if (cv)
		pthread_cond_destroy(&q->cv);
	if (mu)
		pthread_mutex_destroy(&q->mu);
	for (int i = 0; i < PIPE_BATCHES; i++)
		free(q->b[i].p);
	free(q);
	return rc;
}
