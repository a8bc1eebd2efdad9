/*
 * pipe.c - parsing on a second thread: sym__parse_threaded() runs
 * sym_parse() on a worker that packs every record into batches, and
 * replays them into the caller's sink on the calling thread, in order.
 * The cache builder spends about as long on records as the parser spends
 * on text, so on two cores the two halves overlap. Memory: PIPE_BATCHES
 * batches of PIPE_BATCH bytes (one grows when a single record is larger).
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
       P_CFI, P_WIN, P_DIAG, P_LINES };

/* Records with a name start with a uint64_t whose low half is the name's
 * hash (with hooks; 0 without), for the reader's prefetch pass. */
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
	/* With hooks, while a FUNC is open: its lines, encoded as they come
	 * in enc while they come in order, else kept in lines to be sorted. */
	int have_func, unsorted;
	uint64_t func_addr, func_line;
	uint64_t nlines;
	sym_line_rec prev;       /* the last line encoded */
	uint8_t *enc;
	size_t enc_len, enc_cap;
	sym_line_rec *lines;
	size_t clines;
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
	if (q->hooks) {
		const char *nul = memchr(s, 0, n);
		h = (uint32_t)sym__hash(s, nul ? (size_t)(nul - s) : n);
	}
	memcpy(*p, &h, 8);
	*p += 8;
}

/* With hooks: the open function's lines, sorted and encoded here, as one
 * record. The batch is reserved for the worst case and given back. */
static void flush_lines(pipe_ctx *q)
{
	if (!q->have_func)
		return;
	q->have_func = 0;
	uint64_t n = q->nlines;
	size_t len = q->enc_len;
	q->nlines = 0;
	q->enc_len = 0;
	if (!q->unsorted) {
		uint8_t *p = reserve(q, P_LINES, q->func_line, 8 + len);
		if (p) {
			memcpy(p, &n, 8);
			memcpy(p + 8, q->enc, len);
		}
		return;
	}
	q->unsorted = 0;
	size_t max = 8 + n * SYM_LINE_MAX;
	uint8_t *p = reserve(q, P_LINES, q->func_line, max);
	if (!p)
		return;
	memcpy(p, &n, 8);
	len = 8 + sym__encode_lines(q->lines, n, q->func_addr, p + 8);
	rec_head *h = (rec_head *)p - 1;
	h->size = (uint32_t)len;
	q->b[q->wi].len -= ((max + 7) & ~(size_t)7) - ((len + 7) & ~(size_t)7);
}

/* A line out of order: the function's lines so far are decoded from enc
 * into lines[], where the rest join them, to be sorted at its end. */
static int to_unsorted(pipe_ctx *q)
{
	if (q->nlines + 1 > q->clines) {
		size_t c = q->clines ? q->clines : 1024;
		while (c < q->nlines + 1)
			c *= 2;
		sym_line_rec *v = realloc(q->lines, c * sizeof *v);
		if (!v)
			return -1;
		q->lines = v;
		q->clines = c;
	}
	const uint8_t *p = q->enc, *end = q->enc + q->enc_len;
	sym_line_rec prev = { .addr = q->func_addr };
	for (uint64_t i = 0; i < q->nlines; i++) {
		uint64_t v[4];
		for (int k = 0; k < 4; k++)
			sym__get_varint(&p, end, &v[k]);
		prev.addr += (uint64_t)sym__unzig(v[0]);
		prev.size = v[1];
		prev.line += sym__unzig(v[2]);
		prev.file += sym__unzig(v[3]);
		q->lines[i] = prev;
	}
	q->unsorted = 1;
	return 0;
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
	if (q->hooks) {
		flush_lines(q);
		q->have_func = 1;
		q->func_addr = f->addr;
		q->func_line = line;
		q->prev = (sym_line_rec){ .addr = f->addr };
	}
	uint8_t *p = reserve(ctx, P_FUNC, line, 8 + sizeof *f + 4 + f->name_len);
	if (!p)
		return;
	put_hash(q, &p, f->name, f->name_len);
	memcpy(p, f, sizeof *f);
	p += sizeof *f;
	put_str(&p, f->name, f->name_len);
}

static inline void w_line1(pipe_ctx *q, uint64_t line, const sym_line_rec *l)
{
	if (q->have_func) {
		if (!q->unsorted && (!q->nlines || sym__line_before(&q->prev, l))) {
			if (q->enc_cap - q->enc_len < SYM_LINE_MAX) {
				size_t c = q->enc_cap ? 2 * q->enc_cap : 1 << 16;
				uint8_t *v = realloc(q->enc, c);
				if (!v) {
					q->oom = 1;
					return;
				}
				q->enc = v;
				q->enc_cap = c;
			}
			q->enc_len += sym__put_line(q->enc + q->enc_len, l, &q->prev);
			q->prev = *l;
			q->nlines++;
			return;
		}
		if (!q->unsorted && to_unsorted(q)) {
			q->oom = 1;
			return;
		}
		if (q->nlines == q->clines) {
			size_t c = 2 * q->clines;
			sym_line_rec *v = realloc(q->lines, c * sizeof *v);
			if (!v) {
				q->oom = 1;
				return;
			}
			q->lines = v;
			q->clines = c;
		}
		q->lines[q->nlines++] = *l;
		return;
	}
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

static void w_line(void *ctx, uint64_t line, const sym_line_rec *l)
{
	w_line1(ctx, line, l);
}

static void w_lines(void *ctx, uint64_t first, const sym_line_rec *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w_line1(ctx, first + i, &l[i]);
}

static void w_inline(void *ctx, uint64_t line, const sym_inline_rec *r)
{
	size_t n = offsetof(sym_inline_rec, ranges) + r->nranges * sizeof r->ranges[0];
	uint8_t *p = reserve(ctx, P_INLINE, line, n);
	if (p)
		memcpy(p, r, n);
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
	q->rc = sym_parse(q->path, &sink, q->counts, q->e);
	flush_lines(q);
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

static void replay(const sym_sink *k, const sym__build_hooks *hk, const uint8_t *p, size_t len)
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
		case P_LINES: {
			uint64_t nl;
			memcpy(&nl, d, 8);
			if (hk && hk->lines)
				hk->lines(k->ctx, h.line, nl, d + 8, h.size - 8);
			break;
		}
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
			memcpy(&r, d, h.size);
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
			replay(sink, hooks, b->p, b->len);
			pthread_mutex_lock(&q->mu);
			q->filled--;
			q->ri = (q->ri + 1) % PIPE_BATCHES;
			if (q->writer_waits && q->filled <= PIPE_BATCHES - PIPE_WAKE)
				pthread_cond_broadcast(&q->cv);
			pthread_mutex_unlock(&q->mu);
		}
		pthread_join(t, NULL);
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
	free(q->lines);
	free(q->enc);
	free(q);
	return rc;
}
