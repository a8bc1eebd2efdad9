#!/bin/sh
# cli_walk.test.sh - `crashdesk walk` as a user runs it: the sample crash
# (frame pointers, no symbols), a corpus crash with symbols in JSON, errors.
cd "$(dirname "$0")/.." || exit 1
cd=${CRASHDESK:-build/crashdesk}
shared=${CRASHDESK_SHARED:-../shared}
build=$(dirname "$cd")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

"$build/tests/mksample" "$tmp" >/dev/null
out=$("$cd" walk --brief --verbose=warn "$tmp/sample.dmp" 2>"$tmp/brief.err"); rc=$?
[ $rc -eq 0 ] && ok sample/exit || fail sample/exit "rc=$rc"
printf '%s' "$out" | grep -q "Crash reason:  SIGSEGV / SEGV_MAPERR" && ok sample/reason || fail sample/reason "$out"
n=$(printf '%s\n' "$out" | grep -c "Found by: previous frame's frame pointer")
# Two frames by the chain; the last record saved a zero frame pointer, so
# (as Breakpad does) the caller in libc is found by scanning. Callers are
# shown at the return address - 1, as rust-minidump shows them.
[ "$n" -ge 2 ] && printf '%s' "$out" | grep -q "libc.so.6 + 0x94ac2" && ok sample/frame-pointer-chain ||
	fail sample/frame-pointer-chain "$n frames by frame pointer: $out"
# The report is rust-minidump's; what lacks symbols is a warning on stderr.
grep -q "no symbols for sampleapp" "$tmp/brief.err" && ok sample/missing-symbols-said ||
	fail sample/missing-symbols-said "no warning: $(cat "$tmp/brief.err")"

"$cd" walk "$tmp/nonexistent.dmp" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "nonexistent.dmp" "$tmp/err" && ok missing-dump || fail missing-dump "rc=$rc"
"$cd" walk >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok usage || fail usage "rc=$rc"

if [ ! -d "$shared/corpus/dumps" ]; then
	echo "skip corpus/json: $shared/corpus is absent"
	exit 0
fi
if ! command -v python3 >/dev/null; then
	echo "skip corpus/json: python3 absent"
	exit 0
fi
"$cd" walk --json --symbols-path "$shared/corpus/symbols" "$shared/corpus/dumps/own-null_write_inline.dmp" > "$tmp/out.json"
python3 - "$tmp/out.json" <<'PY' && ok corpus/json-schema || fail corpus/json-schema "see above"
import json, sys
d = json.load(open(sys.argv[1]))
ci = d["crash_info"]
assert ci["type"] == "SIGSEGV / SEGV_MAPERR", ci
assert isinstance(ci["crashing_thread"], int)
ct = d["crashing_thread"]
assert ct["threads_index"] == ci["crashing_thread"]
f0 = ct["frames"][0]
assert f0["trust"] == "context" and f0["module"] == "crashme", f0
assert f0["function"] == "storage::flush(storage::Block*, int)", f0["function"]
assert f0["inlines"][0]["function"] == "storage::fill_block", f0["inlines"]
assert f0["offset"].startswith("0x") and len(f0["offset"]) == 18
assert "rip" in f0["registers"] and "rip" in ct["frames"][1]["registers"]
assert ct["frames"][1]["trust"] == "cfi"
m = [m for m in d["modules"] if m["filename"] == "crashme"][0]
assert m["loaded_symbols"] and not m["missing_symbols"], m
assert d["annotations"]["ProductName"] == "Crashme"
assert d["thread_count"] == len(d["threads"])
PY

# A directory stands for its dumps, one JSON document per line.
mkdir -p "$tmp/dir"
cp "$shared/corpus/dumps/own-plugin.dmp" "$shared/corpus/dumps/own-threads.dmp" "$tmp/dir/"
"$cd" walk --json --symbols-path "$shared/corpus/symbols" --output-file "$tmp/out.jsonl" "$tmp/dir"; rc=$?
n=$(wc -l < "$tmp/out.jsonl")
[ $rc -eq 0 ] && [ "$n" -eq 2 ] && python3 -c "
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
assert all(d['crash_info']['type'].startswith('SIGSEGV') for d in docs)
assert len(docs[1]['threads']) == 5  # own-threads after own-plugin
" "$tmp/out.jsonl" && ok corpus/directory-jsonl || fail corpus/directory-jsonl "rc=$rc lines=$n"

# Symbols from a .zip store (deflated, and a zip64 one), as Firefox ships them.
python3 - "$shared/corpus/symbols" "$tmp" <<'PY'
import os, sys, zipfile
src, tmp = sys.argv[1], sys.argv[2]
names = []
for d in ("crashme", "libc.so.6"):
    for root, _, files in os.walk(os.path.join(src, d)):
        for f in files:
            full = os.path.join(root, f)
            names.append((full, os.path.relpath(full, src)))
with zipfile.ZipFile(os.path.join(tmp, "syms.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for full, rel in names:
        z.write(full, rel)
with zipfile.ZipFile(os.path.join(tmp, "syms64.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for full, rel in names:
        with open(full, "rb") as fi, z.open(rel, "w", force_zip64=True) as fo:
            fo.write(fi.read())
with zipfile.ZipFile(os.path.join(tmp, "stored.zip"), "w", zipfile.ZIP_STORED) as z:
    for full, rel in names:
        z.write(full, rel)
# A stored archive whose crashme entry has one byte changed: its CRC-32 no
# longer matches, so those symbols are reported damaged (what could be read
# is still used, as for any damaged symbol file), never taken as sound.
data = bytearray(open(os.path.join(tmp, "stored.zip"), "rb").read())
rel = [r for _, r in names if r.startswith("crashme/")][0]
at = data.find(b"FUNC", data.find(rel.encode()))
data[at] = ord("X")
open(os.path.join(tmp, "damaged.zip"), "wb").write(bytes(data))
PY
for zipf in syms.zip syms64.zip stored.zip; do
	XDG_CACHE_HOME="$tmp/zipcache-$zipf" "$cd" walk --json --symbols-path "$tmp/$zipf" \
		"$shared/corpus/dumps/own-null_write_inline.dmp" > "$tmp/zip.json"
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
f0 = d['crashing_thread']['frames'][0]
assert f0['function'] == 'storage::flush(storage::Block*, int)', f0['function']
m = [m for m in d['modules'] if m['filename'] == 'crashme'][0]
assert m['loaded_symbols'], m
" "$tmp/zip.json" && ok "corpus/zip-store/$zipf" || fail "corpus/zip-store/$zipf" "frames not symbolized"
	# Read out of the archive: no .sym is unpacked to disk, only caches.
	unpacked=$(find "$tmp/zipcache-$zipf" -name '*.sym' | wc -l)
	[ "$unpacked" -eq 0 ] && ok "corpus/zip-not-unpacked/$zipf" ||
		fail "corpus/zip-not-unpacked/$zipf" "$unpacked .sym files in the cache"
done
XDG_CACHE_HOME="$tmp/zipcache-damaged" "$cd" walk --json --symbols-path "$tmp/damaged.zip" \
	"$shared/corpus/dumps/own-null_write_inline.dmp" > "$tmp/zip.json"
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
m = [m for m in d['modules'] if m['filename'] == 'crashme'][0]
assert m['corrupt_symbols'], m
" "$tmp/zip.json" && ok corpus/zip-entry-crc-checked || fail corpus/zip-entry-crc-checked "$(cat "$tmp/zip.json" | head -c 300)"
# A zip entry that declares a thousand times its compressed size is a bomb:
# refused before a byte is inflated, the other modules still found.
python3 - "$tmp/bomb.zip" "$shared/corpus/symbols" <<'PY'
import os, sys, zipfile, zlib
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("libc.so.6/EC61AC938E5A39B16F9FBD350E3169A50/libc.so.6.sym", "w") as f:
        f.write(b"MODULE Linux x86_64 EC61AC938E5A39B16F9FBD350E3169A50 libc.so.6\n")
        for _ in range(64):
            f.write(b"\0" * (1 << 20))
    d = "crashme/557E11D4B6BF94D7D6C66B9B3AFB485C0/crashme.sym"
    z.write(os.path.join(sys.argv[2], d), d)
PY
s0=$(date +%s)
XDG_CACHE_HOME="$tmp/zipcache-bomb" "$cd" walk --json --verbose=warn --symbols-path "$tmp/bomb.zip" \
	"$shared/corpus/dumps/own-null_write_inline.dmp" >"$tmp/bomb.json" 2>"$tmp/bomb.err"
s1=$(date +%s)
grep -q "bomb.zip: libc.so.6/EC61AC938E5A39B16F9FBD350E3169A50/libc.so.6.sym: declares [0-9]* bytes from [0-9]* compressed, more than 100 times: refused as a zip bomb" "$tmp/bomb.err" &&
	[ $((s1 - s0)) -lt 5 ] && python3 -c "
import json, sys
m = {m['filename']: m for m in json.load(open(sys.argv[1]))['modules']}
assert m['crashme']['loaded_symbols'] and m['libc.so.6']['corrupt_symbols'], m['libc.so.6']
" "$tmp/bomb.json" && ok corpus/zip-bomb-refused || fail corpus/zip-bomb-refused "$((s1 - s0)) s $(head -c 600 "$tmp/bomb.err")"
printf 'not a zip' > "$tmp/bad.zip"
"$cd" walk --symbols-path "$tmp/bad.zip" "$shared/corpus/dumps/own-plugin.dmp" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "bad.zip: not a zip archive" "$tmp/err" && ok corpus/zip-store-bad || fail corpus/zip-store-bad "rc=$rc $(cat "$tmp/err")"

# The assertion stream, worded as Breakpad does; a damaged dump's status
# says what could not be read.
out=$("$cd" walk --brief "$shared/corpus/dumps/rm-invalid-parameter.dmp")
printf '%s' "$out" | grep -qF "Assertion: Invalid parameter passed to library function format != nullptr in function common_vfprintf, in file minkernel\\crts\\ucrt\\src\\appcrt\\stdio\\output.cpp at line 32" &&
	ok corpus/assertion || fail corpus/assertion "$(printf '%s' "$out" | grep -i assert)"
"$cd" walk --json "$shared/corpus/dumps/rm-invalid-range.dmp" > "$tmp/dmg.json"; rc=$?
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
# status stays rust-minidump's "OK"; what could not be read is in damage.
assert d['status'] == 'OK' and ' bad' in d['damage'], (d['status'], d['damage'])
assert len(d['problems']) >= 3 and all('offset' in p for p in d['problems'])
" "$tmp/dmg.json" && ok corpus/damaged-status || fail corpus/damaged-status "rc=$rc $(head -c 300 "$tmp/dmg.json")"

# --verbose info: every module's symbol status on stderr, stdout unchanged.
"$cd" walk --verbose info --json --symbols-path "$shared/corpus/symbols" "$shared/corpus/dumps/own-plugin.dmp" >"$tmp/v.json" 2>"$tmp/v.err"
grep -q "symbols for libplugin.so (libplugin.so .*): loaded" "$tmp/v.err" && python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/v.json" &&
	ok corpus/verbose-info || fail corpus/verbose-info "$(head -3 "$tmp/v.err")"
"$cd" walk --verbose loud "$tmp/sample.dmp" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok verbose-bad-level || fail verbose-bad-level "rc=$rc"

# One config file for every command: the symbol keys and the Crash Stats
# keys side by side; symbols_path is the default store.
mkdir -p "$tmp/cfg/crashdesk"
cat >"$tmp/cfg/crashdesk/config" <<CFG
symbols_path = $shared/corpus/symbols
jobs = 32
offline = 1
crashstats_url = http://127.0.0.1:9
crashstats_token = not-a-real-token-123
CFG
chmod 600 "$tmp/cfg/crashdesk/config"
XDG_CONFIG_HOME="$tmp/cfg" "$cd" walk --brief "$shared/corpus/dumps/own-fp-null_write_inline.dmp" >"$tmp/cfgwalk" 2>"$tmp/cfgerr"; rc=$?
[ $rc -eq 0 ] && grep -q "storage::flush" "$tmp/cfgwalk" && ok config/symbols-path-default ||
	fail config/symbols-path-default "rc=$rc $(cat "$tmp/cfgerr")"
XDG_CONFIG_HOME="$tmp/cfg" "$cd" fetch 2fa91425-cb00-8853-9d2c-67eda1261111 >/dev/null 2>"$tmp/cfgerr"
! grep -q "unknown key" "$tmp/cfgerr" && ! grep -q "not-a-real-token" "$tmp/cfgerr" &&
	ok config/shared-with-crashstats || fail config/shared-with-crashstats "$(cat "$tmp/cfgerr")"

# The crashing thread is walked as deep as rust-minidump walks it: all
# 2,049 frames of the overflow, none cut.
"$cd" walk --json --symbols-path "$shared/corpus/symbols" "$shared/corpus/dumps/own-recurse-stack_overflow.dmp" >"$tmp/deep.json"
python3 -c "
import json, sys
t = json.load(open(sys.argv[1]))['crashing_thread']
assert t['frame_count'] == 2049 and 'frames_truncated' not in t, (t['frame_count'], t.get('frames_truncated'))
assert t['frames'][-1]['function'] == 'descend', t['frames'][-1]
" "$tmp/deep.json" && ok deep-stack/whole || fail deep-stack/whole "$(head -c 200 "$tmp/deep.json")"
# A stack longer than the walk's limit is never silently short: the JSON
# says frames_truncated and --human says where it was cut.
CRASHDESK_MAX_FRAMES=1024 "$cd" walk --json --symbols-path "$shared/corpus/symbols" "$shared/corpus/dumps/own-recurse-stack_overflow.dmp" >"$tmp/deep.json"
python3 -c "
import json, sys
t = json.load(open(sys.argv[1]))['crashing_thread']
assert t['frame_count'] == 1024 and t['frames_truncated'] is True, (t['frame_count'], t.get('frames_truncated'))
" "$tmp/deep.json" && ok deep-stack/json-says-cut || fail deep-stack/json-says-cut "$(head -c 200 "$tmp/deep.json")"
CRASHDESK_MAX_FRAMES=1024 "$cd" walk --brief --symbols-path "$shared/corpus/symbols" "$shared/corpus/dumps/own-recurse-stack_overflow.dmp" |
	grep -q "^<stack cut after 1024 frames" && ok deep-stack/human-says-cut || fail deep-stack/human-says-cut "no word of the cut"

# crashdesk's own fields for the report page: the exception's parameters
# (as `crashdesk dump` lists them) and when the dump was written.
"$cd" walk --json "$shared/corpus/dumps/bp-write_av_non_null.dmp" | python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d['crash_parameters'] == ['0x00000001', '0x0004e3c9'], d['crash_parameters']
assert d['dump_time'] == 1285969324, d['dump_time']
" && ok report/parameters-and-time || fail report/parameters-and-time "see above"

# A 2 GB sparse dump (a real dump, then a hole): its results are keyed by
# the bytes its parse reads, so the hole is never hashed; a byte changed in
# the hole keeps the result, one changed in the thread's stack does not.
d0="$shared/corpus/dumps/own-plugin.dmp"
if [ -f "$d0" ]; then
	sp="$tmp/sparse.dmp"
	cp "$d0" "$sp" && chmod u+w "$sp" && truncate -s 2G "$sp"
	rv() { XDG_CACHE_HOME="$tmp/sparsecache" "$cd" walk --json --verbose=info --symbols-path "$shared/corpus/symbols" "$1" 2>&1 >/dev/null | grep -c "processed result reused"; }
	rv "$sp" >/dev/null
	again=$(rv "$sp")
	printf 'X' | dd of="$sp" bs=1 seek=1000000 conv=notrunc 2>/dev/null
	hole=$(rv "$sp")
	stack=$("$cd" dump "$sp" | awk '/^== threads/ { t = 1 } t && /rva=/ { sub(/.*rva=/, ""); print; exit }')
	printf 'X' | dd of="$sp" bs=1 seek=$((stack + 100)) conv=notrunc 2>/dev/null
	changed=$(rv "$sp")
	[ "$again" = 1 ] && [ "$hole" = 1 ] && [ "$changed" = 0 ] && ok walk/sparse-keyed-by-read-bytes ||
		fail walk/sparse-keyed-by-read-bytes "reused again=$again after a hole byte=$hole after a stack byte=$changed (stack rva $stack)"
	rm -f "$sp"
else
	echo "skip walk/sparse-keyed-by-read-bytes: $d0 is absent"
fi
