/* id.c - Socorro crash ids: found in what people paste, and validated. */
#include <ctype.h>
#include <string.h>

#include "crashstats.h"

static int hexdig(int c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

/* Why id (36 bytes, lowercase) is not a crash id, or NULL. */
static const char *why_invalid(const char *id)
{
	for (int i = 0; i < CS_ID_LEN; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash && id[i] != '-')
			return "expected the 8-4-4-4-12 form";
		if (!dash && !hexdig((unsigned char)id[i]))
			return "expected hexadecimal digits";
	}
	if (id[CS_ID_LEN])
		return "expected 36 characters";
	const char *d = id + 30; /* YYMMDD after the throttle digit at 29 */
	for (int i = 0; i < 6; i++)
		if (!isdigit((unsigned char)d[i]))
			return "the last six characters must be the date YYMMDD";
	int yy = (d[0] - '0') * 10 + d[1] - '0';
	int mm = (d[2] - '0') * 10 + d[3] - '0';
	int dd = (d[4] - '0') * 10 + d[5] - '0';
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (mm < 1 || mm > 12)
		return "the month in its date (YYMMDD at the end) is not 01-12";
	int max = mdays[mm - 1];
	if (mm == 2 && yy % 4)
		max = 28;
	if (dd < 1 || dd > max)
		return "the day in its date (YYMMDD at the end) does not exist";
	return NULL;
}

int cs_crash_id_valid(const char *id)
{
	return id && strnlen(id, CS_ID_LEN + 1) == CS_ID_LEN && !why_invalid(id);
}

int cs_crash_id_parse(const char *text, char id[CS_ID_LEN + 1], cd_err *e)
{
	id[0] = 0;
	if (!text)
		return cd_errf(e, CD_EFORMAT, "empty crash id");
	const char *p = text, *end = text + strlen(text);
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	/* A report URL: the id is the last path segment before ?/#. */
	const char *scheme = strstr(p, "://");
	if (scheme && scheme < end) {
		const char *q = p;
		while (q < end && *q != '?' && *q != '#')
			q++;
		end = q;
		while (end > p && end[-1] == '/')
			end--;
		const char *slash = end;
		while (slash > p && slash[-1] != '/')
			slash--;
		p = slash;
	}
	if (end - p >= 3 && !strncmp(p, "bp-", 3))
		p += 3;
	size_t n = (size_t)(end - p);
	if (n != CS_ID_LEN)
		return cd_errf(e, CD_EFORMAT, "'%.*s' is not a crash id: expected 36 characters, got %zu",
			       (int)(n > 80 ? 80 : n), p, n);
	char tmp[CS_ID_LEN + 1];
	for (size_t i = 0; i < n; i++)
		tmp[i] = (char)tolower((unsigned char)p[i]);
	tmp[n] = 0;
	const char *why = why_invalid(tmp);
	if (why)
		return cd_errf(e, CD_EFORMAT, "'%s' is not a crash id: %s", tmp, why);
	memcpy(id, tmp, sizeof tmp);
	return CD_OK;
}

void cs_crash_id_day(const char *id, char day[9])
{
	day[0] = '2';
	day[1] = '0';
	memcpy(day + 2, id + 30, 6);
	day[8] = 0;
}

int cs_crash_id_throttle(const char *id)
{
	int c = (unsigned char)id[29];
	return c <= '9' ? c - '0' : c - 'a' + 10;
}
