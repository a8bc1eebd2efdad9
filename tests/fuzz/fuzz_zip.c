/* fuzz_zip.c - libFuzzer target for the zip reader of symbol stores: any
 * bytes as an archive, its directory read and a few entries inflated, both
 * to a file and streamed (the way the parser reads them). */
#include <stdio.h>
#include <unistd.h>

#include "../../src/symbols/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[64], out[64];
	snprintf(in, sizeof in, "/tmp/fuzz-zip-%d.zip", (int)getpid());
	snprintf(out, sizeof out, "/tmp/fuzz-zip-%d.out", (int)getpid());
	FILE *f = fopen(in, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	sym_zip *z;
	cd_err e;
	if (sym_zip_open(in, &z, &e) == CD_OK) {
		const char *name;
		for (size_t i = 0; i < 4 && (name = sym_zip_entry(z, i)); i++)
			if (sym_zip_has(z, name)) {
				sym_zip_extract(z, name, out, &e);
				sym__zip_reader *r;
				if (sym__zip_reader_open(in, name, &r, &e) == CD_OK) {
					uint8_t buf[4096];
					while (sym__zip_reader_read(r, buf, sizeof buf) > 0)
						;
					sym__zip_reader_close(r);
				}
			}
		sym_zip_close(z);
	}
	unlink(in);
	unlink(out);
	return 0;
}
