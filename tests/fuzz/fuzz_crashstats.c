/* fuzz_crashstats.c - libFuzzer target for what crashdesk reads from Crash
 * Stats: any bytes as a crash id (or a pasted URL), as an error body, as a
 * SuperSearch answer (paged into a result, ids extracted), and as a
 * processed or raw crash (type-checked against the built-in schemas,
 * reduced to its public fields, summarised for the store, compared with
 * itself as a reprocess would, and written as fetch-data JSON). */
#include <stdlib.h>
#include <string.h>

#include "../../src/crashstats/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cs_schema *raw, *proc;
	if (!raw) {
		cd_err e;
		if (cs_schema_load(CS_SCHEMA_RAW, NULL, &raw, &e) != CD_OK ||
		    cs_schema_load(CS_SCHEMA_PROCESSED, NULL, &proc, &e) != CD_OK)
			abort();
	}
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;

	char id[CS_ID_LEN + 1];
	cd_err e;
	if (cs_crash_id_parse(text, id, &e) == CD_OK) {
		char day[9];
		if (!cs_crash_id_valid(id))
			abort(); /* what parse accepts must be valid */
		cs_crash_id_day(id, day);
		(void)cs_crash_id_throttle(id);
	}
	char msg[400];
	cs__error_text((const char *)data, size, msg, sizeof msg);

	json_t *doc = cs__parse_json((const char *)data, size, "fuzz", msg, sizeof msg);
	if (doc) {
		cs_search_result r = { json_array(), json_object(), json_array(), 0, 0 };
		size_t got;
		if (cs__search_page(doc, &r, 50, 1, &got, msg, sizeof msg) == CS_OK)
			cs__search_page(doc, &r, 100, 0, &got, msg, sizeof msg);
		char(*ids)[CS_ID_LEN + 1];
		size_t n = cs_search_ids(&r, &ids);
		for (size_t i = 0; i < n; i++)
			if (!cs_crash_id_valid(ids[i]))
				abort();
		free(ids);
		cs_search_result_free(&r);

		cd_buf problems;
		cd_buf_init(&problems, 1 << 16);
		cs_schema_check(proc, doc, &problems);
		cs_schema_check(raw, doc, &problems);
		cd_buf_free(&problems);
		json_t *pub = cs_schema_public(proc, doc);
		json_decref(pub);
		pub = cs_schema_public(raw, doc);
		json_decref(pub);
		store_crash sc;
		cs_crash_summary("2fa91425-cb00-8853-9d2c-67eda1261111", doc, doc, &sc);
		json_t *d = cs_reprocess_diff(doc, json_object_get(doc, "json_dump"), "sig");
		json_decref(d);
		char *out = cs__fetch_data_json(doc, JSON_INDENT(2));
		if (out) {
			/* What fetch-data writes must read back as the same document. */
			json_t *back = json_loads(out, 0, NULL);
			if (!back)
				abort();
			json_decref(back);
			free(out);
		}
		json_decref(doc);
	}
	free(text);
	return 0;
}
