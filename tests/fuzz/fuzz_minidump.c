/* fuzz_minidump.c - libFuzzer target for the minidump reader: any bytes,
 * opened and every decoded field touched. Seeds: ../shared/corpus/dumps. */
#include "../../src/minidump/minidump.h"
#include "md_touch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	md_dump *d;
	cd_err e;
	if (md_open_mem(data, size, "fuzz.dmp", &d, &e) == CD_OK) {
		volatile uint64_t sink = md_touch(d);
		(void)sink;
		md_close(d);
	}
	return 0;
}
