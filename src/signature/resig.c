/*
 * resig.c - re-signing a corpus with two sets of lists and comparing the
 * buckets: which crashes changed signature, every old -> new pair with
 * its count and its inputs, the new signatures several old ones merge
 * into and the old ones that split. The pairs live in one hash table
 * keyed by "old\0new"; the report sorts them.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct rpair {
	char *old_sig, *new_sig; /* one allocation: old\0new\0 */
	uint64_t hash;
	size_t count;
	size_t *inputs;
	size_t ninputs, cap;
} rpair;

struct sig_resig {
	sig_signer *old_s, *new_s;
	rpair **slots;
	size_t nslots, npairs;
	size_t total, changed, failed;
	sig_resig_report report;
	int report_built;
};

static uint64_t fnv(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ull;
	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ull;
	return h;
}

int sig_resig_new(const sig_lists *baseline, const sig_lists *lists, sig_resig **out, cd_err *e)
{
	*out = NULL;
	sig_resig *r = calloc(1, sizeof *r);
	if (!r)
		return cd_errf(e, CD_ENOMEM, "out of memory");
	int rc = sig_signer_new(baseline, &r->old_s, e);
	if (!rc)
		rc = sig_signer_new(lists, &r->new_s, e);
	r->nslots = 1024;
	if (!rc && !(r->slots = calloc(r->nslots, sizeof *r->slots)))
		rc = cd_errf(e, CD_ENOMEM, "out of memory");
	if (rc) {
		sig_resig_free(r);
		return rc;
	}
	*out = r;
	return CD_OK;
}

static int grow(sig_resig *r)
{
	size_t n = r->nslots * 2;
	rpair **s = calloc(n, sizeof *s);
	if (!s)
		return CD_ENOMEM;
	for (size_t i = 0; i < r->nslots; i++) {
		rpair *p = r->slots[i];
		if (!p)
			continue;
		size_t k = p->hash & (n - 1);
		while (s[k])
			k = (k + 1) & (n - 1);
		s[k] = p;
	}
	free(r->slots);
	r->slots = s;
	r->nslots = n;
	return CD_OK;
}

static int add_pair(sig_resig *r, const char *o, const char *n, size_t input)
{
	if ((r->npairs + 1) * 2 > r->nslots && grow(r))
		return CD_ENOMEM;
	uint64_t h = fnv(o, n);
	size_t k = h & (r->nslots - 1);
	rpair *p;
	while ((p = r->slots[k])) {
		if (p->hash == h && !strcmp(p->old_sig, o) && !strcmp(p->new_sig, n))
			break;
		k = (k + 1) & (r->nslots - 1);
	}
	if (!p) {
		size_t lo = strlen(o), ln = strlen(n);
		p = calloc(1, sizeof *p);
		char *s = p ? malloc(lo + ln + 2) : NULL;
		if (!s) {
			free(p);
			return CD_ENOMEM;
		}
		memcpy(s, o, lo + 1);
		memcpy(s + lo + 1, n, ln + 1);
		p->old_sig = s;
		p->new_sig = s + lo + 1;
		p->hash = h;
		r->slots[k] = p;
		r->npairs++;
	}
	if (p->ninputs == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;
		size_t *in = realloc(p->inputs, cap * sizeof *in);
		if (!in)
			return CD_ENOMEM;
		p->inputs = in;
		p->cap = cap;
	}
	p->inputs[p->ninputs++] = input;
	p->count++;
	return CD_OK;
}

int sig_resig_add(sig_resig *r, const char *text, size_t len, size_t input, cd_err *e)
{
	const sig_result *a, *b;
	int rc = sig_sign_json(r->old_s, text, len, &a, e);
	if (rc) {
		r->failed++;
		return rc;
	}
	/* a points into old_s: signing with new_s leaves it intact. */
	rc = sig_sign_json(r->new_s, text, len, &b, e);
	if (rc) {
		r->failed++;
		return rc;
	}
	if (add_pair(r, a->signature, b->signature, input))
		return cd_errf(e, CD_ENOMEM, "out of memory");
	r->total++;
	r->changed += strcmp(a->signature, b->signature) != 0;
	r->report_built = 0;
	return CD_OK;
}

static int by_count(const void *x, const void *y)
{
	const sig_resig_pair *a = x, *b = y;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	int c = strcmp(a->old_sig, b->old_sig);
	return c ? c : strcmp(a->new_sig, b->new_sig);
}

static int by_new(const void *x, const void *y)
{
	const sig_resig_pair *a = x, *b = y;
	int c = strcmp(a->new_sig, b->new_sig);
	return c ? c : strcmp(a->old_sig, b->old_sig);
}

static int by_old(const void *x, const void *y)
{
	const sig_resig_pair *a = x, *b = y;
	int c = strcmp(a->old_sig, b->old_sig);
	return c ? c : strcmp(a->new_sig, b->new_sig);
}

static int by_bucket(const void *x, const void *y)
{
	const sig_resig_bucket *a = x, *b = y;
	if (a->total != b->total)
		return a->total < b->total ? 1 : -1;
	return strcmp(a->signature, b->signature);
}

static void free_report(sig_resig_report *rep)
{
	free(rep->changes);
	for (size_t i = 0; i < rep->nmerged; i++)
		free(rep->merged[i].pairs);
	for (size_t i = 0; i < rep->nsplit; i++)
		free(rep->split[i].pairs);
	free(rep->merged);
	free(rep->split);
	memset(rep, 0, sizeof *rep);
}

/* Buckets of pairs sharing a key (new for merges, old for splits) with
 * more than one pair: each a copy of its pairs. */
static int buckets(sig_resig_pair *all, size_t n, int by_new_key, sig_resig_bucket **out,
		   size_t *nout)
{
	qsort(all, n, sizeof *all, by_new_key ? by_new : by_old);
	*out = NULL;
	*nout = 0;
	size_t cap = 0;
	for (size_t i = 0; i < n;) {
		const char *key = by_new_key ? all[i].new_sig : all[i].old_sig;
		size_t j = i, total = 0;
		while (j < n && !strcmp(key, by_new_key ? all[j].new_sig : all[j].old_sig))
			total += all[j++].count;
		if (j - i > 1) {
			if (*nout == cap) {
				cap = cap ? cap * 2 : 16;
				sig_resig_bucket *b = realloc(*out, cap * sizeof *b);
				if (!b)
					return CD_ENOMEM;
				*out = b;
			}
			sig_resig_bucket *b = &(*out)[(*nout)++];
			b->signature = key;
			b->total = total;
			b->npairs = j - i;
			b->pairs = malloc((j - i) * sizeof *b->pairs);
			if (!b->pairs)
				return CD_ENOMEM;
			memcpy(b->pairs, all + i, (j - i) * sizeof *b->pairs);
			qsort(b->pairs, b->npairs, sizeof *b->pairs, by_count);
		}
		i = j;
	}
	if (*nout)
		qsort(*out, *nout, sizeof **out, by_bucket);
	return CD_OK;
}

int sig_resig_report_get(sig_resig *r, const sig_resig_report **out, cd_err *e)
{
	*out = NULL;
	if (r->report_built) {
		*out = &r->report;
		return CD_OK;
	}
	free_report(&r->report);
	sig_resig_report *rep = &r->report;
	rep->total = r->total;
	rep->changed = r->changed;
	rep->failed = r->failed;
	sig_resig_pair *all = malloc((r->npairs + 1) * sizeof *all);
	rep->changes = malloc((r->npairs + 1) * sizeof *rep->changes);
	if (!all || !rep->changes) {
		free(all);
		free_report(rep);
		return cd_errf(e, CD_ENOMEM, "out of memory");
	}
	size_t n = 0;
	for (size_t i = 0; i < r->nslots; i++) {
		rpair *p = r->slots[i];
		if (!p)
			continue;
		sig_resig_pair q = { p->old_sig, p->new_sig, p->count, p->inputs };
		all[n++] = q;
		if (strcmp(p->old_sig, p->new_sig))
			rep->changes[rep->nchanges++] = q;
	}
	qsort(rep->changes, rep->nchanges, sizeof *rep->changes, by_count);
	int rc = buckets(all, n, 1, &rep->merged, &rep->nmerged);
	if (!rc)
		rc = buckets(all, n, 0, &rep->split, &rep->nsplit);
	free(all);
	if (rc) {
		free_report(rep);
		return cd_errf(e, CD_ENOMEM, "out of memory");
	}
	r->report_built = 1;
	*out = rep;
	return CD_OK;
}

void sig_resig_free(sig_resig *r)
{
	if (!r)
		return;
	free_report(&r->report);
	for (size_t i = 0; r->slots && i < r->nslots; i++) {
		rpair *p = r->slots[i];
		if (!p)
			continue;
		free(p->old_sig);
		free(p->inputs);
		free(p);
	}
	free(r->slots);
	sig_signer_free(r->old_s);
	sig_signer_free(r->new_s);
	free(r);
}
