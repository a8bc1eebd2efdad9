/* text.c - UTF-16 decoding, safe printing of untrusted strings, time. */
#include <stdio.h>
#include <time.h>

#include "util.h"

static int put_utf8(cd_buf *out, uint32_t c)
{
	char s[4];
	size_t n;
	if (c < 0x80) {
		s[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		s[0] = (char)(0xc0 | c >> 6);
		s[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		s[0] = (char)(0xe0 | c >> 12);
		s[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		s[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		s[0] = (char)(0xf0 | c >> 18);
		s[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		s[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return cd_buf_append(out, s, n);
}

int cd_utf16le_to_utf8(cd_buf *out, const uint8_t *p, size_t units)
{
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
		int rc = put_utf8(out, c);
		if (rc)
			return rc;
	}
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
