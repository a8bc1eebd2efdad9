/* fuzz_rows.c - libFuzzer target for the TUI's row builders: any bytes as
 * a processed crash (the document a pane is built from, which may come
 * from Crash Stats), every crash pane's rows built from it, the search,
 * facet and compare panes' rows from parts of it, and the text of every
 * cell measured as the screen would draw it. */
#include <locale.h>
#include <string.h>

#include "../../src/tui/internal.h"
#include "../../src/tui/cspane.h"
#include "../../src/tui/rows.h"

static int memory(void *ctx, uint64_t addr, void *dst, size_t n)
{
	(void)ctx;
	if (addr > 0x100000)
		return -1;
	memset(dst, (int)(addr & 0xff), n);
	return 0;
}

static void measure(json_t *rows)
{
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *k;
		json_t *v;
		json_object_foreach(r, k, v)
			if (json_is_string(v))
				(void)tui_text_width(json_string_value(v));
	}
	json_decref(rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	if (!once++)
		setlocale(LC_ALL, "C.UTF-8");
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!doc)
		return 0;
	measure(rows_summary(doc, "fuzz.dmp"));
	measure(rows_threads(doc));
	measure(rows_modules(doc));
	measure(rows_unloaded(doc));
	measure(rows_unloaded_frames(doc, "x"));
	measure(rows_annotations(doc, NULL, NULL));
	size_t nthreads = json_array_size(json_object_get(doc, "threads"));
	for (size_t t = 0; t < nthreads && t < 4; t++) {
		measure(rows_frames(doc, (int)t));
		for (int f = 0; f < 3; f++)
			measure(rows_frame_details(doc, (int)t, f, memory, NULL));
	}
	measure(rows_frames(doc, -1));
	/* Crash Stats answers go through the search, facet and compare panes. */
	measure(cspane_results_rows(json_object_get(doc, "hits"), 100, 0, NULL, "--product=X",
				    json_object_get(doc, "stored"), 0));
	measure(cspane_facet_rows(json_object_get(doc, "facets")));
	measure(cspane_compare_rows(doc));
	json_decref(doc);
	return 0;
}
