#!/bin/sh
# cli_signature.test.sh - `crashdesk signature` as a user runs it: crash
# data files, JSON lines on stdin, --explain, --json, a minidump walked
# first, walk --json piped in, bad input and bad lists.
cd "$(dirname "$0")/.." || exit 1
cd=${CRASHDESK:-build/crashdesk}
shared=${CRASHDESK_SHARED:-../shared}
build=$(dirname "$cd")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

cat >"$tmp/a.json" <<'J'
{"crashing_thread": 0, "os": "Linux",
 "threads": [{"frames": [{"function": "abort"}, {"function": "mozilla::detail::MutexImpl::lock()"},
                         {"function": "Foo::Bar(int)", "file": "foo.cpp", "line": 3}]}]}
J
out=$("$cd" signature "$tmp/a.json"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "mozilla::detail::MutexImpl::lock | Foo::Bar" ] && ok plain || fail plain "rc=$rc: $out"

out=$("$cd" signature --explain "$tmp/a.json")
printf '%s\n' "$out" | grep -q "irrelevant .*irrelevant_signature_re.txt:[0-9]* /abort\\$/" &&
	printf '%s\n' "$out" | grep -q "prefix .*prefix_signature_re.txt:" &&
	printf '%s\n' "$out" | grep -q "rule: SignatureGenerationRule" && ok explain || fail explain "$out"

printf '%s\n%s\n' '{"threads":[{"frames":[{"function":"one"}]}]}' \
	'{"threads":[{"frames":[{"function":"two"}]}],"oom_allocation_size":5}' |
	"$cd" signature - >"$tmp/out"
[ "$(cat "$tmp/out")" = "one
OOM | small" ] && ok stdin-lines || fail stdin-lines "$(cat "$tmp/out")"

"$cd" signature --json "$tmp/a.json" - <"$tmp/a.json" >"$tmp/out.json"
if command -v python3 >/dev/null; then
	python3 - "$tmp/out.json" <<'PY' && ok json || fail json "see above"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2, rows
r = rows[0]
assert r["signature"] == "mozilla::detail::MutexImpl::lock | Foo::Bar", r
assert r["notes"] == [], r
fr = r["explanation"]["frames"]
assert [f["fate"] for f in fr] == ["irrelevant", "prefix", "kept"], fr
assert fr[0]["list"]["list"] == "irrelevant_signature_re.txt" and fr[0]["list"]["line"] > 0, fr[0]
assert fr[2]["function"] == "Foo::Bar(int)" and fr[2]["normalized"] == "Foo::Bar", fr[2]
assert r["explanation"]["rule"] == "SignatureGenerationRule"
PY
else
	echo "skip json: python3 absent"
fi

# Bad input: named, non-zero exit, the other inputs still signed.
printf '{"threads": [' >"$tmp/broken.json"
printf '{"a":"\377"}' >"$tmp/badutf8.json"
"$cd" signature "$tmp/broken.json" "$tmp/a.json" "$tmp/badutf8.json" "$tmp/missing.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "broken.json: not JSON at byte 13" "$tmp/err" &&
	grep -q "badutf8.json: not JSON at byte 6: invalid UTF-8" "$tmp/err" &&
	grep -q "missing.json" "$tmp/err" && [ "$(cat "$tmp/out")" = "mozilla::detail::MutexImpl::lock | Foo::Bar" ] &&
	ok bad-input || fail bad-input "rc=$rc: $(cat "$tmp/err")"
printf '{"threads":[{"frames":[{"function":"x"}]}]}\n[1]\n' >"$tmp/lines.jsonl"
"$cd" signature "$tmp/lines.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "lines.jsonl:2: a JSON array" "$tmp/err" && ok bad-line-named || fail bad-line-named "$(cat "$tmp/err")"

# Lists: another directory replaces the built-in ones; a bad regex is
# reported with its line and skipped; a missing file is an error.
mkdir "$tmp/lists"
printf '# mine\nFoo::\n(unclosed\n' >"$tmp/lists/irrelevant_signature_re.txt"
: >"$tmp/lists/prefix_signature_re.txt"
: >"$tmp/lists/signatures_with_line_numbers_re.txt"
: >"$tmp/lists/signature_sentinels.txt"
out=$("$cd" signature --siglists "$tmp/lists" "$tmp/a.json" 2>"$tmp/err"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "abort" ] && grep -q "lists/irrelevant_signature_re.txt:3: invalid regex \"(unclosed\"" "$tmp/err" &&
	ok siglists || fail siglists "rc=$rc out=$out err=$(cat "$tmp/err")"
rm "$tmp/lists/signature_sentinels.txt"
"$cd" signature --siglists "$tmp/lists" "$tmp/a.json" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "signature_sentinels.txt" "$tmp/err" && ok siglists-missing || fail siglists-missing "rc=$rc"
"$cd" signature >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok usage || fail usage "rc=$rc"

# A minidump is walked first; its walk --json gives the same signature.
"$build/tests/mksample" "$tmp" >/dev/null
a=$("$cd" signature --symbols-path "$tmp/symbols" "$tmp/sample.dmp"); rc=$?
b=$("$cd" walk --json --symbols-path "$tmp/symbols" "$tmp/sample.dmp" | "$cd" signature -)
[ $rc -eq 0 ] && [ -n "$a" ] && [ "$a" = "$b" ] && ok minidump || fail minidump "rc=$rc '$a' vs '$b'"

if [ -f "$shared/siggen-conformance/cases.jsonl" ] && command -v python3 >/dev/null; then
	"$cd" signature --json --siglists "$shared/siggen-conformance/siglists" \
		"$shared/siggen-conformance/cases.jsonl" >"$tmp/conf.json" 2>"$tmp/err"
	python3 - "$shared/siggen-conformance/cases.jsonl" "$tmp/conf.json" <<'PY' && ok conformance-cli || fail conformance-cli "see above"
import json, sys
cases = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
assert len(cases) == len(got), (len(cases), len(got))
same = sum(c["expected"]["signature"] == g["signature"] and c["expected"]["notes"] == g["notes"]
           for c, g in zip(cases, got))
print("# cli conformance: %d/%d" % (same, len(cases)))
assert same * 100 >= len(cases) * 99
PY
else
	echo "skip conformance-cli: $shared/siggen-conformance or python3 absent"
fi

# resig: a directory of crashes signed with empty lists, then with Lock::
# made irrelevant: Lock::x splits (f1, f2), f1 merges (Lock::x, Lock::y).
mkdir "$tmp/corpus" "$tmp/base" "$tmp/new"
for l in irrelevant_signature_re prefix_signature_re signatures_with_line_numbers_re signature_sentinels; do
	: >"$tmp/base/$l.txt"; : >"$tmp/new/$l.txt"
done
echo 'Lock::' >"$tmp/new/irrelevant_signature_re.txt"
printf '{"threads":[{"frames":[{"function":"Lock::x"},{"function":"f1"}]}]}' >"$tmp/corpus/a.json"
printf '{"threads":[{"frames":[{"function":"Lock::x"},{"function":"f2"}]}]}' >"$tmp/corpus/b.json"
printf '{"threads":[{"frames":[{"function":"Lock::y"},{"function":"f1"}]}]}' >"$tmp/corpus/c.json"
printf '{"threads":[{"frames":[{"function":"same"}]}]}' >"$tmp/corpus/d.json"
echo 'not a crash' >"$tmp/corpus/notes.txt"
out=$("$cd" resig --baseline "$tmp/base" --siglists "$tmp/new" "$tmp/corpus"); rc=$?
printf '%s\n' "$out" | grep -q "^4 crashes re-signed .*, 3 changed signature (75.0 %)" &&
	printf '%s\n' "$out" | grep -q "^merged.*: 1" && printf '%s\n' "$out" | grep -q "^split.*: 1" &&
	[ $rc -eq 0 ] && ok resig-table || fail resig-table "rc=$rc $out"
"$cd" resig --baseline "$tmp/base" --siglists "$tmp/new" --json "$tmp/corpus" >"$tmp/resig.json"
if command -v python3 >/dev/null; then
	python3 - "$tmp/resig.json" <<'PY' && ok resig-json || fail resig-json "see above"
import json, sys
r = json.load(open(sys.argv[1]))
assert (r["total"], r["changed"], r["failed"]) == (4, 3, 0), r
ch = {(c["old"], c["new"]): c for c in r["changes"]}
assert ch[("Lock::x", "f1")]["inputs"][0].endswith("/a.json"), ch
assert [m["signature"] for m in r["merged"]] == ["f1"] and r["merged"][0]["total"] == 2, r["merged"]
assert sorted(p["old"] for p in r["merged"][0]["pairs"]) == ["Lock::x", "Lock::y"]
assert [s["signature"] for s in r["split"]] == ["Lock::x"], r["split"]
assert sorted(p["new"] for p in r["split"][0]["pairs"]) == ["f1", "f2"]
PY
fi
"$cd" resig "$tmp/corpus" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok resig-usage || fail resig-usage "rc=$rc"

# ---- resig over the crashes in the cache -------------------------------------
if [ -d "$shared/corpus/dumps" ]; then
	for d in own-fp-null_write_inline own-null_write_inline own-abort_assert; do
		"$cd" walk --json --cache-dir "$tmp/rc" --symbols-path "$shared/corpus/symbols" \
			"$shared/corpus/dumps/$d.dmp" >/dev/null 2>&1
	done
	# Lists that make the inlined store_cell irrelevant: the dump whose
	# signature it was moves to fill_block, merging with the one already
	# there; the abort does not change.
	mkdir -p "$tmp/tuned"
	for f in irrelevant_signature_re.txt prefix_signature_re.txt \
		signatures_with_line_numbers_re.txt signature_sentinels.txt; do
		cp "data/siglists/$f" "$tmp/tuned/$f"
	done
	echo 'storage::store_cell' >>"$tmp/tuned/irrelevant_signature_re.txt"
	out=$("$cd" resig --cache --cache-dir "$tmp/rc" --siglists "$tmp/tuned"); rc=$?
	printf '%s\n' "$out" | head -1 | grep -q "^3 crashes re-signed.*, 1 changed" &&
		printf '%s\n' "$out" | grep -A1 "^merged" | grep -q "2  storage::fill_block" && ok resig-cache ||
		fail resig-cache "rc=$rc $out"
else
	echo "skip resig-cache: $shared/corpus is absent"
fi

# A \u0000 cuts the string here (Python's does not): the signature is what
# is left, and stderr says where the escape is.
printf '{"json_dump":{"crashing_thread":0,"threads":[{"frames":[{"frame":0,"function":"fo\\u0000o","module":"m"}]}]}}' >"$tmp/nul.json"
out=$("$cd" signature "$tmp/nul.json" 2>"$tmp/nul.err"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "fo" ] && grep -q "nul.json: byte 81: warning: 1 \\\\u0000 escape in its strings" "$tmp/nul.err" &&
	ok signature/nul-escape-reported || fail signature/nul-escape-reported "rc=$rc out=$out $(cat "$tmp/nul.err")"
