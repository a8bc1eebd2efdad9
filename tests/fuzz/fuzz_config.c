/* fuzz_config.c - libFuzzer target for the config file parser: any bytes
 * parse or are refused with an error naming the file and a line; parsed
 * values stay in their documented ranges. */
#include <stdlib.h>
#include <string.h>

#include "../../src/util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cd_config c;
	cd_err e = { 0 };
	int rc = cd_config_parse((const char *)data, size, "fuzz.conf", &c, &e);
	if (rc == CD_OK) {
		if (c.nurls > CD_CONFIG_MAX_URLS || c.jobs < 0 || c.jobs > 64 || c.offline < 0 ||
		    c.offline > 1)
			abort();
		for (int i = 0; i < c.nurls; i++)
			if (strncmp(c.urls[i], "http", 4))
				abort();
	} else if (!strstr(e.msg, "fuzz.conf")) {
		abort();
	}
	cd_config_free(&c);
	return 0;
}
