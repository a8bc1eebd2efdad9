/* arena.c - bump allocator: one free for all the small objects of a parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct cd_arena_block {
	cd_arena_block *next;
	size_t size, used;
	_Alignas(16) unsigned char mem[];
};

#define ARENA_BLOCK 65536

void cd_arena_init(cd_arena *a, size_t limit)
{
	a->head = NULL;
	a->used = 0;
	a->limit = limit;
}

void *cd_arena_alloc(cd_arena *a, size_t size)
{
	size_t need = (size + 15) & ~(size_t)15;
	if (need < size)
		return NULL;
	if (a->limit && (need > a->limit || a->used > a->limit - need))
		return NULL;
	cd_arena_block *b = a->head;
	if (!b || b->size - b->used < need) {
		/* Big requests get a block of their own so small ones keep packing. */
		size_t bs = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;
		b = malloc(sizeof *b + bs);
		if (!b)
			return NULL;
		b->size = bs;
		b->used = 0;
		if (bs == ARENA_BLOCK || !a->head) {
			b->next = a->head;
			a->head = b;
		} else {
			b->next = a->head->next;
			a->head->next = b;
		}
	}
	void *p = b->mem + b->used;
	b->used += need;
	a->used += need;
	memset(p, 0, need);
	return p;
}

void *cd_arena_calloc(cd_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return cd_arena_alloc(a, n * size);
}

char *cd_arena_strndup(cd_arena *a, const char *s, size_t n)
{
	char *p = cd_arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

char *cd_arena_printf(cd_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = cd_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void cd_arena_free(cd_arena *a)
{
	cd_arena_block *b = a->head;
	while (b) {
		cd_arena_block *n = b->next;
		free(b);
		b = n;
	}
	a->head = NULL;
	a->used = 0;
}
