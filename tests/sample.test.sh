#!/bin/sh
# sample.test.sh - the sample crash `make run` opens (tests/mksample), walked
# with the symbol store mksample writes beside it: named threads, the
# crashing thread through CFI, frame pointer and scan with inline frames,
# PUBLICs, a module without symbols, a frame in an unloaded module, and
# Firefox's annotations with wide characters.
cd "$(dirname "$0")/.." || exit 1
cd=${CRASHDESK:-build/crashdesk}
build=$(dirname "$cd")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

mkdir "$tmp/a" "$tmp/b"
"$build/tests/mksample" "$tmp/a" && "$build/tests/mksample" "$tmp/b"; rc=$?
[ $rc -eq 0 ] && ok sample/written || fail sample/written "rc=$rc"
same=1
for f in sample.dmp sample.extra $(cd "$tmp/a" && find symbols -name '*.sym'); do
	cmp -s "$tmp/a/$f" "$tmp/b/$f" || same=0
done
n=$(cd "$tmp/a" && find symbols -name '*.sym' | wc -l)
[ $same -eq 1 ] && [ "$n" -eq 2 ] && ok sample/deterministic || fail sample/deterministic "same=$same syms=$n"

# The store's layout is DEBUGFILE/DEBUGID/NAME.sym, and the files are clean.
s=$tmp/a/symbols
[ -f "$s/sampleapp/DEC0175A0201040305060708090A0B0C0/sampleapp.sym" ] &&
	[ -f "$s/libsamplegui.so/016E1D903231343335363738393A3B3C0/libsamplegui.so.sym" ] &&
	ok sample/store-layout || fail sample/store-layout "$(cd "$tmp/a" && find symbols)"
bad=0
for f in $(find "$s" -name '*.sym'); do
	"$cd" sym check "$f" >/dev/null || bad=1
done
[ $bad -eq 0 ] && ok sample/sym-check || fail sample/sym-check "a .sym is damaged"
st=$("$cd" sym stats "$s/sampleapp/DEC0175A0201040305060708090A0B0C0/sampleapp.sym")
missing=
for r in FILE INLINE_ORIGIN FUNC line INLINE PUBLIC "STACK CFI"; do
	printf '%s\n' "$st" | grep -q "^ *$r[: ]" || missing="$missing $r"
done
[ -z "$missing" ] && ok sample/every-record-kind || fail sample/every-record-kind "missing:$missing in $st"

out=$("$cd" walk --verbose=warn --symbols-path "$s" "$tmp/a/sample.dmp" 2>"$tmp/walk.err"); rc=$?
[ $rc -eq 0 ] && ok walk/exit || fail walk/exit "rc=$rc"
n=$(printf '%s\n' "$out" | grep -c '^Thread ')
[ "$n" -ge 4 ] && ok walk/threads || fail walk/threads "$n threads"
# The crashing thread alone, as --brief prints it.
crash=$("$cd" walk --brief --symbols-path "$s" "$tmp/a/sample.dmp" | sed -n '/^Thread .*(crashed)/,/^$/p')
has() { printf '%s\n' "$crash" | grep -qF "$1"; }
# rust-minidump's layout: inline frames without an offset, "Found by: inlining";
# the real frame's offset counts from the start of the outermost inline's range.
has " 0  sampleapp!ipc::ReadU32(char const*) [message.h : 41]" &&
	has " 1  sampleapp!ipc::Message::ParseHeader(char const*, unsigned long) [message.h : 63]" &&
	has " 2  sampleapp!ipc::Channel::ReadMessage() [channel.cc : 97 + 0x17]" &&
	[ "$(printf '%s\n' "$crash" | grep -c 'Found by: inlining')" -eq 2 ] &&
	ok walk/crash-inline-frames || fail walk/crash-inline-frames "$crash"
# Each strategy in turn: CFI (ReadMessage has STACK CFI), frame pointer
# (Run has none), then a scan (ThreadMain's caller saved a zero rbp).
trusts=$(printf '%s\n' "$crash" | grep 'Found by:' | grep -v inlining | sed 's/.*Found by: //' | tr '\n' '|')
[ "$trusts" = "given as instruction pointer in context|call frame info|previous frame's frame pointer|stack scanning|" ] &&
	has " 3  sampleapp!ipc::IOThread::Run() [io_thread.cc : 23 + 0x7]" &&
	has " 4  sampleapp!base::Thread::ThreadMain() [thread.cc : 57 + 0xf]" &&
	has " 5  libc.so.6 + 0x94ac2" &&
	ok walk/crash-cfi-fp-scan || fail walk/crash-cfi-fp-scan "$trusts $crash"
printf '%s\n' "$out" | grep -qF "sampleapp!_start + 0x29" &&
	printf '%s\n' "$out" | grep -qF "libsamplegui.so!gui_run_plugin_callback + 0xf" &&
	ok walk/publics || fail walk/publics "$out"
# The report lists modules as rust-minidump does; the warning says which
# lack symbols.
printf '%s\n' "$out" | grep -q "libc.so.6  ???$" && grep -q "no symbols for libc.so.6 " "$tmp/walk.err" &&
	! grep -q "no symbols for sampleapp" "$tmp/walk.err" &&
	! grep -q "no symbols for libsamplegui" "$tmp/walk.err" &&
	ok walk/module-without-symbols || fail walk/module-without-symbols "$(cat "$tmp/walk.err")"
printf '%s\n' "$out" | grep -q "^ 0  0x7f3a13002a4c (unloaded libplugin.so@0x2a4c)$" && ok walk/frame-in-unloaded-module ||
	fail walk/frame-in-unloaded-module "$out"

if ! command -v python3 >/dev/null; then
	echo "skip walk/json: python3 absent"
	exit 0
fi
"$cd" walk --json --symbols-path "$s" "$tmp/a/sample.dmp" > "$tmp/out.json"
python3 - "$tmp/out.json" <<'PY' && ok walk/json || fail walk/json "see above"
import json, sys, unicodedata
d = json.load(open(sys.argv[1]))
threads = d["threads"]
assert len(threads) >= 4 and all(t["thread_name"] for t in threads), threads
names = [t["thread_name"] for t in threads]
wide = lambda s: any(unicodedata.east_asian_width(c) == "W" for c in s)
accented = lambda s: any(0x7f < ord(c) < 0x3000 for c in s)
assert any(wide(n) and accented(n) for n in names), names
ci = d["crash_info"]
assert ci["type"] == "SIGSEGV / SEGV_MAPERR" and ci["crashing_thread"] == 2, ci
ct = d["crashing_thread"]
assert ct["thread_name"] == "IPC I/O Parent"
assert [f["trust"] for f in ct["frames"]] == ["context", "cfi", "frame_pointer", "scan"], ct["frames"]
f0 = ct["frames"][0]
assert [i["function"] for i in f0["inlines"]] == ["ipc::ReadU32(char const*)",
    "ipc::Message::ParseHeader(char const*, unsigned long)"], f0["inlines"]
assert f0["file"].endswith("channel.cc") and f0["line"] == 97, f0
mods = {m["filename"]: m for m in d["modules"]}
assert mods["libc.so.6"]["missing_symbols"], mods["libc.so.6"]
assert mods["sampleapp"]["loaded_symbols"] and mods["libsamplegui.so"]["loaded_symbols"]
assert [u["filename"] for u in d["unloaded_modules"]] == ["libplugin.so"]
inside = [f for t in threads for f in t["frames"] for u in (f.get("unloaded_modules") or [])
          if u["module"] == "libplugin.so"]
assert len(inside) == 1 and inside[0]["module"] is None, inside
a = d["annotations"]
for k in ("ProductName", "Version", "BuildID", "ReleaseChannel", "CrashTime", "StartupTime"):
    assert a.get(k), k
assert "URL" not in a
assert int(a["CrashTime"]) - int(a["StartupTime"]) == d["process_uptime"], (a, d["process_uptime"])
assert any(wide(v) for v in a.values()) and any(accented(v) for v in a.values())
PY
