/* fuzz_minidump.c - libFuzzer target for the minidump reader: any bytes,
 * opened, every decoded field touched, the arena held to its bound, and a
 * refusal required to name the input. Seeds: ../shared/corpus/dumps
 * (docs/FUZZING.md). */
#include <stdio.h>
#include <stdlib.h>

#include "../../src/minidump/minidump.h"
#include "md_touch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	md_dump *d;
	cd_err e = { 0 };
	int rc = md_open_mem(data, size, "fuzz.dmp", &d, &e);
	if (rc == CD_OK) {
		volatile uint64_t sink = md_touch(d);
		(void)sink;
		/* Memory out of proportion to the input, or damage not
		 * reported, is a finding too. */
		const char *why = md_touch_check(d, size);
		if (why) {
			fprintf(stderr, "fuzz_minidump: %s\n", why);
			abort();
		}
		md_close(d);
	} else if (rc != CD_EFORMAT || !strstr(e.msg, "fuzz.dmp")) {
		abort();
	}
	return 0;
}
