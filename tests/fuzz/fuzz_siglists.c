/* fuzz_siglists.c - libFuzzer target for signature list files: the input,
 * split at its first four 0xff bytes, as the four lists (irrelevant,
 * prefix, line numbers, sentinels); then a fixed crash signed with them,
 * so the compiled alternations and their marks are matched too. */
#include <stdint.h>
#include <string.h>

#include "../../src/signature/signature.h"

static const char crash[] =
	"{\"crashing_thread\":0,\"threads\":[{\"frames\":["
	"{\"function\":\"abort\"},{\"function\":\"mozilla::Foo<int>::Bar(char const*)\"},"
	"{\"function\":\"js_Interpret\",\"line\":12},{\"module\":\"libxul.so\"},"
	"{\"offset\":\"0x0000abc\"},{\"function\":\"caf\\u00e9::x\"},{\"function\":\"main\"}]}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *texts[SIG_NLISTS];
	size_t lens[SIG_NLISTS];
	const uint8_t *p = data, *end = data + size;
	for (int i = 0; i < SIG_NLISTS; i++) {
		const uint8_t *q = i < SIG_NLISTS - 1 ? memchr(p, 0xff, (size_t)(end - p)) : NULL;
		if (!q)
			q = end;
		texts[i] = (const char *)p;
		lens[i] = (size_t)(q - p);
		p = q < end ? q + 1 : end;
	}
	sig_lists *l;
	cd_err e;
	if (sig_lists_load_mem(texts, lens, "fuzz", &l, &e) != CD_OK)
		return 0;
	for (size_t i = 0; i < sig_lists_nwarnings(l); i++)
		(void)sig_lists_warning(l, i);
	sig_signer *s;
	if (sig_signer_new(l, &s, &e) == CD_OK) {
		const sig_result *r;
		if (sig_sign_json(s, crash, sizeof crash - 1, &r, &e) == CD_OK) {
			cd_buf b;
			cd_buf_init(&b, 0);
			sig_result_json(r, &b);
			cd_buf_free(&b);
		}
		sig_signer_free(s);
	}
	sig_lists_free(l);
	return 0;
}
