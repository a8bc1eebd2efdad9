/* fuzz_signature.c - libFuzzer target for the signature engine: any bytes
 * as a crash JSON document (processed crash, crash data, walk --json),
 * signed with the built-in lists, then the explanation rendered as JSON
 * and as the frame table. */
#include <stdint.h>
#include <stdlib.h>

#include "../../src/signature/signature.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sig_lists *lists; /* read-only after the first call */
	static sig_signer *signer;
	cd_err e;
	if (!lists && (sig_lists_load(NULL, &lists, &e) != CD_OK ||
		       sig_signer_new(lists, &signer, &e) != CD_OK))
		abort();
	const sig_result *r;
	if (sig_sign_json(signer, (const char *)data, size, &r, &e) != CD_OK)
		return 0;
	cd_buf b;
	cd_buf_init(&b, 0);
	sig_result_json(r, &b);
	sig_result_table(r, &b);
	cd_buf_free(&b);
	return 0;
}
