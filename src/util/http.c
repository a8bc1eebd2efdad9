/* http.c - what the two HTTP clients (symbol downloads, Crash Stats) read
 * of an answer's headers the same way. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>

#include "util.h"

double cd_http_retry_after(const char *line, size_t len, time_t now)
{
	static const char name[] = "Retry-After:";
	size_t k = sizeof name - 1;
	if (len <= k || strncasecmp(line, name, k))
		return -1;
	char v[64];
	size_t n = len - k < sizeof v - 1 ? len - k : sizeof v - 1;
	memcpy(v, line + k, n);
	v[n] = 0;
	char *s = v;
	while (*s == ' ' || *s == '\t')
		s++;
	s[strcspn(s, "\r\n")] = 0;
	char *end;
	errno = 0;
	double secs = strtod(s, &end);
	if (end != s && !errno && secs >= 0)
		return secs;
	/* Or an HTTP date: the delay until then. */
	time_t t = curl_getdate(s, NULL);
	if (t == -1)
		return -1;
	return t > now ? (double)(t - now) : 0;
}
