/* reprocess.c - what a local walk of a crash's minidump says differently
 * from Socorro's processing of it (json_dump): crashing-thread frames,
 * modules, and (once src/signature/ is merged) the signature. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crashstats.h"

/* The frame fields compared: what a triager reads in a stack. */
static const char *const frame_keys[] = { "module", "function", "module_offset", "file", "line",
					  "trust" };
static const char *const module_keys[] = { "debug_file", "debug_id", "version", "base_addr",
					   "end_addr", "loaded_symbols", "missing_symbols" };

static json_t *val_or_null(json_t *v) { return v ? json_incref(v) : json_null(); }

/* Values equal as a triager reads them: "0x2A" and "0x2a" are the same
 * address, a missing key and null are the same nothing. */
static int same(json_t *a, json_t *b)
{
	if ((!a || json_is_null(a)) && (!b || json_is_null(b)))
		return 1;
	if (!a || !b)
		return 0;
	if (json_is_string(a) && json_is_string(b))
		return !strcasecmp(json_string_value(a), json_string_value(b));
	return json_equal(a, b);
}

static json_t *frames_of(json_t *doc)
{
	json_t *ct = json_object_get(doc, "crashing_thread");
	json_t *f = json_object_get(ct, "frames");
	return json_is_array(f) ? f : NULL;
}

static size_t diff_frames(json_t *soc, json_t *loc, json_t *out)
{
	json_t *a = frames_of(soc), *b = frames_of(loc);
	size_t na = json_array_size(a), nb = json_array_size(b), n = na > nb ? na : nb, cnt = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *fa = json_array_get(a, i), *fb = json_array_get(b, i);
		json_t *fields = json_object();
		for (size_t k = 0; k < sizeof frame_keys / sizeof *frame_keys; k++) {
			json_t *va = json_object_get(fa, frame_keys[k]);
			json_t *vb = json_object_get(fb, frame_keys[k]);
			if (fa && fb && same(va, vb))
				continue;
			if (!fa || !fb) {
				/* A frame only one side has: show what that side has. */
				if (!va && !vb)
					continue;
			}
			json_object_set_new(fields, frame_keys[k],
					    json_pack("{s:o,s:o}", "socorro", val_or_null(va), "local",
						      val_or_null(vb)));
		}
		if (json_object_size(fields)) {
			json_array_append_new(out, json_pack("{s:I,s:s,s:o}", "index", (json_int_t)i,
							     "side", !fa ? "local only" : !fb ? "socorro only" : "both",
							     "fields", fields));
			cnt++;
		} else
			json_decref(fields);
	}
	return cnt;
}

static json_t *module_named(json_t *doc, const char *name)
{
	json_t *mods = json_object_get(doc, "modules");
	for (size_t i = 0; i < json_array_size(mods); i++) {
		json_t *m = json_array_get(mods, i);
		const char *fn = json_string_value(json_object_get(m, "filename"));
		if (fn && !strcmp(fn, name))
			return m;
	}
	return NULL;
}

static size_t diff_modules(json_t *soc, json_t *loc, json_t *out)
{
	size_t cnt = 0;
	json_t *sides[2] = { soc, loc };
	for (int s = 0; s < 2; s++) {
		json_t *mods = json_object_get(sides[s], "modules");
		for (size_t i = 0; i < json_array_size(mods); i++) {
			json_t *m = json_array_get(mods, i);
			const char *fn = json_string_value(json_object_get(m, "filename"));
			if (!fn)
				continue;
			json_t *other = module_named(sides[!s], fn);
			if (!other) {
				json_array_append_new(out, json_pack("{s:s,s:s}", "filename", fn, "side",
								     s ? "local only" : "socorro only"));
				cnt++;
				continue;
			}
			if (s == 1)
				continue; /* pairs were compared from Socorro's side */
			json_t *fields = json_object();
			for (size_t k = 0; k < sizeof module_keys / sizeof *module_keys; k++) {
				json_t *va = json_object_get(m, module_keys[k]);
				json_t *vb = json_object_get(other, module_keys[k]);
				if (!same(va, vb))
					json_object_set_new(fields, module_keys[k],
							    json_pack("{s:o,s:o}", "socorro", val_or_null(va),
								      "local", val_or_null(vb)));
			}
			if (json_object_size(fields)) {
				json_array_append_new(out, json_pack("{s:s,s:s,s:o}", "filename", fn, "side",
								     "both", "fields", fields));
				cnt++;
			} else
				json_decref(fields);
		}
	}
	return cnt;
}

json_t *cs_reprocess_diff(json_t *socorro_processed, json_t *local_json,
			  const char *local_signature)
{
	json_t *soc = json_object_get(socorro_processed, "json_dump");
	json_t *frames = json_array(), *modules = json_array();
	size_t n = diff_frames(soc, local_json, frames);
	n += diff_modules(soc, local_json, modules);
	json_t *ra = json_object_get(json_object_get(soc, "crash_info"), "type");
	json_t *rb = json_object_get(json_object_get(local_json, "crash_info"), "type");
	json_t *reason = json_null();
	if (!same(ra, rb)) {
		reason = json_pack("{s:o,s:o}", "socorro", val_or_null(ra), "local", val_or_null(rb));
		n++;
	}
	/* The local signature is made by the caller (signatures come later
	 * in the pipeline than this client); NULL leaves it out. */
	json_t *soc_sig = json_object_get(socorro_processed, "signature");
	json_t *sig = json_pack("{s:o,s:o}", "socorro", val_or_null(soc_sig), "local",
				local_signature ? json_string(local_signature) : json_null());
	if (local_signature &&
	    (!json_is_string(soc_sig) || strcmp(json_string_value(soc_sig), local_signature)))
		n++;
	return json_pack("{s:o,s:o,s:o,s:o,s:I}", "frames", frames, "modules", modules,
			 "crash_reason", reason, "signature", sig, "differences", (json_int_t)n);
}
