/* fuzz_schema.c - libFuzzer target for the annotation schema reader: any
 * bytes as a schema file, then every kept key looked up (and a few that
 * are not), checking that lookups agree with the sorted key list. */
#include <stdlib.h>
#include <string.h>

#include "../../src/tui/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char warnings[256];
	tui_schema *s = NULL;
	if (tui_schema_parse("fuzz.yaml", (const char *)data, size, &s, warnings,
			     sizeof warnings) != CD_OK)
		return 0;
	if (!memchr(warnings, 0, sizeof warnings))
		abort(); /* warnings always end in a NUL */
	size_t n = tui_schema_count(s);
	for (size_t i = 0; i < n; i++) {
		const char *k = tui_schema_key(s, i);
		const char *d = tui_schema_describe(s, k);
		if (!d || !*d || tui_schema_is_protected(s, k) < 0 || !tui_schema_type(s, k))
			abort(); /* every listed key is found */
		if (i && strcmp(tui_schema_key(s, i - 1), k) >= 0)
			abort(); /* strictly sorted: no duplicates */
		for (const char *p = d; *p; p++)
			if ((unsigned char)*p < ' ' || *p == 127)
				abort(); /* descriptions are one printable line */
	}
	if (tui_schema_describe(s, "") || tui_schema_key(s, n))
		abort();
	tui_schema_free(s);
	return 0;
}
