#!/bin/sh
# walk_truth.test.sh - the crashes made for this project from
# ../shared/corpus/src: what their source guarantees (expected/*.truth.json:
# crash reason, address, crashing thread, and the functions the crashing
# thread must show in order, inline frames included) must all hold in
# `crashdesk walk --json`.
cd "$(dirname "$0")/.." || exit 1
cd=${CRASHDESK:-build/crashdesk}
shared=${CRASHDESK_SHARED:-../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"
if [ ! -d "$shared/corpus/expected" ]; then
	echo "skip truth: $shared/corpus is absent"
	exit 0
fi
for truth in "$shared"/corpus/expected/*.truth.json; do
	name=$(basename "$truth" .truth.json)
	"$cd" walk --json --symbols-path "$shared/corpus/symbols" "$shared/corpus/dumps/$name.dmp" \
		> "$tmp/$name.json" 2>"$tmp/err"
	python3 - "$truth" "$tmp/$name.json" "$name" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))
out = json.load(open(sys.argv[2]))
name = sys.argv[3]
why = []
ci = out["crash_info"]
if not ci["type"].startswith(truth["crash_reason_starts_with"]):
    why.append("reason %r" % ci["type"])
# the detail's first word is the name; the rest explains it
if truth.get("crash_reason_detail") and truth["crash_reason_detail"].split()[0] not in ci["type"]:
    why.append("reason detail %r not in %r" % (truth["crash_reason_detail"], ci["type"]))
if truth.get("crash_address") is not None and int(ci["address"], 16) != int(truth["crash_address"], 16):
    why.append("address %s, truth %s" % (ci["address"], truth["crash_address"]))
if "crashing_thread" in truth and ci["crashing_thread"] != truth["crashing_thread"]:
    why.append("crashing thread %s, truth %s" % (ci["crashing_thread"], truth["crashing_thread"]))
mo = truth.get("crash_address_module_offset")
if mo:
    addr = int(ci["address"], 16)
    hit = [m for m in out["modules"] if int(m["base_addr"], 16) <= addr < int(m["end_addr"], 16)
           or addr - int(m["base_addr"], 16) == int(mo["offset"], 16)]
    if not any(m["filename"] == mo["module"] and addr - int(m["base_addr"], 16) == int(mo["offset"], 16) for m in hit):
        why.append("crash address 0x%x is not %s+%s" % (addr, mo["module"], mo["offset"]))
names = []
for f in (out["crashing_thread"] or {}).get("frames", []):
    for i in f.get("inlines") or []:
        names.append(i["function"] or "")
    names.append(f["function"] or "")
k = 0
for n in names:
    if k < len(truth["crashing_thread_functions_in_order"]) and n.startswith(truth["crashing_thread_functions_in_order"][k]):
        k += 1
if k < len(truth["crashing_thread_functions_in_order"]):
    why.append("function %r not found in order (after %d of %d); frames: %s" % (
        truth["crashing_thread_functions_in_order"][k], k,
        len(truth["crashing_thread_functions_in_order"]), [n[:40] for n in names[:12]]))
print(("FAIL truth/%s: %s" % (name, "; ".join(why))) if why else "ok truth/%s" % name)
PY
done
