/* fuzz_viewdef.c - libFuzzer target for the TUI's view files: any bytes as
 * the view file of each list pane and as a keys file (over the built-in key
 * map), then every column laid out; the first 16 bytes also as a key name. */
#include <stdlib.h>
#include <string.h>

#include "../../src/tui/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static tui_views defaults; /* read-only after the first call */
	static int loaded;
	if (!loaded) {
		tui_views_load(NULL, &defaults, NULL, 0);
		loaded = 1;
	}
	const char *text = (const char *)data;
	cd_err e;
	for (int p = 0; p < TUI_PANE_COUNT; p++) {
		tui_view v;
		if (tui_view_parse((tui_pane_id)p, "fuzz.yaml", text, size, &v, &e) != CD_OK)
			continue;
		int w[TUI_COLS_MAX];
		for (int total = 0; total < 300; total += 37)
			tui_list_layout(&v, total, w);
	}
	tui_keymap km = defaults.keys;
	if (tui_keys_parse("keys.yaml", text, size, &km, &e) == CD_OK) {
		char buf[64];
		for (int a = 0; a < TUI_ACT_COUNT; a++)
			tui_keymap_describe(&km, (tui_action)a, buf, sizeof buf);
		for (int k = 0; k < TUI_KEY_LIMIT; k++)
			(void)tui_keymap_lookup(&km, k);
	}
	char name[17];
	size_t n = size < 16 ? size : 16;
	memcpy(name, data, n);
	name[n] = 0;
	int key;
	if (tui_key_parse(name, &key) == CD_OK) {
		char back[16];
		if (tui_key_name(key, back, sizeof back) != CD_OK)
			abort(); /* every parsed key has a name */
	}
	return 0;
}
