/* text.c - UTF-16 decoding, safe printing of untrusted strings, time. */
#include <stdio.h>
#include <time.h>

#include "util.h"

/* Encodes c at p; returns the byte count (1-4). */
static size_t put_utf8(char *p, uint32_t c)
{
	if (c < 0x80) {
		p[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (char)(0xc0 | c >> 6);
		p[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		p[0] = (char)(0xe0 | c >> 12);
		p[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		p[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | c >> 18);
	p[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	p[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

int cd_utf16le_to_utf8(cd_buf *out, const uint8_t *p, size_t units)
{
	/* One code unit never needs more than 3 bytes (a pair needs 4 for 2),
	 * so reserve once and write straight into the buffer. */
	if (units > SIZE_MAX / 3)
		return CD_ENOMEM;
	int rc = cd_buf_append(out, NULL, units * 3);
	if (rc)
		return rc;
	out->len -= units * 3;
	char *w = out->data + out->len;
	for (size_t i = 0; i < units; i++) {
		uint32_t c = cd_le16(p + 2 * i);
		if (c >= 0xd800 && c <= 0xdbff && i + 1 < units) {
			uint32_t lo = cd_le16(p + 2 * (i + 1));
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			} else {
				c = 0xfffd;
			}
		} else if (c >= 0xd800 && c <= 0xdfff) {
			c = 0xfffd; /* lone surrogate: keep going, mark it */
		}
		w += put_utf8(w, c);
	}
	out->len = (size_t)(w - out->data);
	out->data[out->len] = 0;
	return CD_OK;
}

int cd_buf_put_printable(cd_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			rc = cd_buf_printf(b, "\\x%02x", c);
		else
			rc = cd_buf_append(b, &s[i], 1);
		if (rc)
			return rc;
	}
	return CD_OK;
}

void cd_format_utc(uint64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if ((uint64_t)tt != t || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, 32, "(invalid time %llu)", (unsigned long long)t);
}

const char *cd_basename(const char *path)
{
	const char *b = path;
	for (const char *p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	return b;
}
