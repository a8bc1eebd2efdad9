/* buf.c - growable text buffer with a hard cap (see util.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BUF_DEFAULT_MAX ((size_t)1 << 30)

void cd_buf_init(cd_buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max ? max : BUF_DEFAULT_MAX;
}

static int buf_reserve(cd_buf *b, size_t extra)
{
	if (extra > b->max - b->len) {
		b->overflow = 1;
		return CD_ENOMEM;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return CD_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return CD_ENOMEM;
	b->data = p;
	b->cap = cap;
	return CD_OK;
}

int cd_buf_append(cd_buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);
	if (rc)
		return rc;
	if (n && p) /* p == NULL only reserves (the bytes are then garbage) */
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return CD_OK;
}

int cd_buf_puts(cd_buf *b, const char *s)
{
	return cd_buf_append(b, s, strlen(s));
}

int cd_buf_vprintf(cd_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return CD_EUSAGE;
	int rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return CD_OK;
}

int cd_buf_printf(cd_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = cd_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void cd_buf_reset(cd_buf *b)
{
	b->len = 0;
	b->overflow = 0;
	if (b->data)
		b->data[0] = 0;
}

void cd_buf_free(cd_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
